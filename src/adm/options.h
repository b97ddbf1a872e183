/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipvsadm 1.31's options, once: its commands and options with their long and short
 * names and arguments, its table of which options each command needs, refuses or takes
 * one of, and the one scanner that reads them from words (short, long, bundled,
 * "--opt=value", -p's optional value). uvsadm's command line (src/uvsadm/cli_opts.c)
 * and the rules language (src/adm/rules.c) both scan with it. The scanner says what
 * was wrong as data and each caller words it: popt's words on the command line, a
 * line's reason in a rules file.
 */
#ifndef UVS_ADM_OPTIONS_H
#define UVS_ADM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model-t.h"

/* ipvsadm's commands, in the order of its command/option table, then uvs's own. */
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
	C_SYSCTL, /* uvs: --sysctl [NAME[=VALUE]]..., the IPVS sysctls */
	C_PROC,	  /* uvs: --proc FILE, the kernel's /proc/net/FILE text */
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

/* ipvsadm's names of the commands and options, for messages. */
extern const char *const cli_cmd_names[];
extern const char *const cli_opt_names[O_COUNT];

/* Where the words come from. The two read ipvsadm's grammar alike but for these. */
enum adm_scan_style {
	/* uvsadm's command line and -R's lines, as popt reads them for ipvsadm: the first
	 * option is the command, "--" ends the options, up to four other words are kept
	 * (the caller checks them once all options are read), and the options past
	 * ipvsadm's table (-6, --sort, --socket) may be repeated. */
	ADM_SCAN_CMDLINE,
	/* A line of a rules text: one configuration command anywhere in it, --set's three
	 * values after --set, every option at most once. */
	ADM_SCAN_RULES,
};

/* The words of one command, read. */
struct adm_args {
	enum cli_cmd cmd;    /* C_NONE until a command is read */
	const char *cmd_arg; /* --start-daemon / --stop-daemon's state, --proc's file */
	bool seen[O_COUNT];
	const char *val[O_COUNT]; /* NULL for a flag or an omitted optional value */
	int svc_proto;		  /* of -t/-u/--sctp-service; 0 for -f */
	uint32_t fwd;		  /* UVS_FWD_MASQ, _DROUTE or _TUNNEL, of -m/-g/-i */
	const char *pos[4];	  /* the words that are no option: --set's values */
	int npos;
};

/* What stopped a scan. */
enum adm_scan_fault {
	ADM_SCAN_UNKNOWN,	 /* no such option */
	ADM_SCAN_NEEDS_VALUE,	 /* an option's value is missing */
	ADM_SCAN_TAKES_NO_VALUE, /* "--opt=value" for an option without a value */
	ADM_SCAN_NOT_COMMAND,	 /* CMDLINE: the first option is not a command */
	ADM_SCAN_NOT_CONFIG,	 /* RULES: a command that changes no configuration */
	ADM_SCAN_SECOND_COMMAND, /* a command after the command */
	ADM_SCAN_REPEATED,	 /* an option given again */
	ADM_SCAN_EXTRA_WORD,	 /* a word that is no option, where none may be */
	ADM_SCAN_NO_COMMAND,	 /* the words hold no command */
};

struct adm_scan_error {
	enum adm_scan_fault fault;
	const char *word; /* the word at fault as typed ("--ops=1", "-gw", "extra"); NULL
			     for NO_COMMAND */
	char letter;	  /* the short option at fault in word, or 0 for a long one */
	int opt;	  /* REPEATED: the option (enum cli_opt) */
	bool first;	  /* no option was read before it */
};

/*
 * Reads argc words (without the program name) into *a, each option through the table.
 * Returns 0, or -EINVAL at the first fault in the words' order, described in *e (whose
 * word points into argv). Checks no command's rules (adm_args_check does) and no value.
 */
int adm_scan(int argc, char *const argv[], enum adm_scan_style style, struct adm_args *a,
	     struct adm_scan_error *e);

/* The option at fault as typed: "-c" (in buf) for a short one, else the whole word. */
const char *adm_scan_shown(const struct adm_scan_error *e, char buf[3]);

/* Checks a's options against its command's row of ipvsadm's table, in the table's
 * order, as ipvsadm does. Returns 0 or -EINVAL with ipvsadm's message in *err. */
int adm_args_check(const struct adm_args *a, struct uvs_error *err);

/* The request kind (enum uvs_ctl_req_kind) of a configuration command, or -1 for a
 * command that changes no configuration. */
int adm_cmd_request(enum cli_cmd cmd);

#endif
