/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipvsadm 1.31's option table, once: its commands and options with their long and
 * short names and arguments, and its table of which options each command needs,
 * refuses or takes one of. uvsadm's command line (src/uvsadm/cli_opts.c) and the rules
 * language (src/adm/rules.c) both read options through it; each keeps its own
 * scanner, because they word their complaints differently (popt's words on the
 * command line, a line's reason in a rules file).
 */
#ifndef UVS_ADM_OPTIONS_H
#define UVS_ADM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* ipvsadm's commands, in the order of its command/option table. */
enum cli_cmd {
	C_NONE,
	C_ADD,
	C_EDIT,
	C_DEL,
	C_FLUSH,
	C_LIST,
	C_ADDDEST,
	C_DELDEST,
	C_EDITDEST,
	C_SET,
	C_STARTD,
	C_STOPD,
	C_RESTORE,
	C_SAVE,
	C_ZERO,
	C_HELP,
	C_VERSION,
};

/* ipvsadm 1.31's options in its table's order, then the ones it does not check and
 * uvs's own. */
enum cli_opt {
	O_NUMERIC,
	O_CONN,
	O_SERVICE,
	O_SCHED,
	O_PERSIST,
	O_NETMASK,
	O_SERVER,
	O_FWD,
	O_WEIGHT,
	O_UTHRESH,
	O_LTHRESH,
	O_MCAST_IFN,
	O_TIMEOUT,
	O_DAEMON,
	O_STATS,
	O_RATE,
	O_THRESHOLDS,
	O_PERSISTCONN,
	O_NOSORT,
	O_SYNCID,
	O_EXACT,
	O_OPS,
	O_PE,
	O_SCHED_FLAGS,
	O_MCAST_GROUP,
	O_MCAST_PORT,
	O_MCAST_TTL,
	O_SYNC_MAXLEN,
	O_TUN_INFO,
	O_TUN_TYPE,
	O_TUN_PORT,
	O_TUN_NOCSUM,
	O_TUN_CSUM,
	O_TUN_REMCSUM,
	O_COUNTERS, /* uvs: -L --counters, the engine's named counters */
	O_CHECKED,  /* the options above are in the command/option table */
	O_IPV6 = O_CHECKED,
	O_SORT,
	O_SOCKET, /* uvs: --socket PATH */
	O_COUNT
};

enum adm_arg { ADM_NO_ARG, ADM_ARG, ADM_OPT_ARG };

/* One spelling of a command or an option. */
struct adm_optdef {
	const char *lng; /* without "--", or NULL */
	char shrt;	 /* or 0 */
	enum adm_arg arg;
	enum cli_cmd cmd; /* C_NONE for an option */
	enum cli_opt opt; /* when cmd is C_NONE */
	int variant;	  /* the protocol of a service option (0: -f), a UVS_FWD_* method */
};

/* ipvsadm's names of the commands and options, for messages. */
extern const char *const cli_cmd_names[];
extern const char *const cli_opt_names[O_COUNT];

/* The command or option spelled name[0..n), or "-c"; NULL if there is none. */
const struct adm_optdef *adm_opt_long(const char *name, size_t n);
const struct adm_optdef *adm_opt_short(char c);

/* What adm_opt_check found wrong. */
enum adm_check {
	ADM_CHECK_OK,
	ADM_CHECK_NEEDED,   /* *opt is needed by the command */
	ADM_CHECK_ILLEGAL,  /* *opt is refused by the command */
	ADM_CHECK_CONFLICT, /* *opt and *other are exclusive choices of the command */
};

/* Checks the options seen (indexed by enum cli_opt, O_CHECKED of them read) against
 * cmd's row of the table, in the table's order, as ipvsadm does. */
enum adm_check adm_opt_check(enum cli_cmd cmd, const bool seen[O_CHECKED], int *opt, int *other);

#endif
