// SPDX-License-Identifier: GPL-2.0-or-later
/* ipvsadm 1.31's command and option table, and the scanner over it; see options.h. */
#include "options.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "core/model.h"
#include "ctl/request.h"
#include "uvs/ipvs.h"

const char *const cli_cmd_names[] = {
	[C_ADD] = "add-service",
	[C_EDIT] = "edit-service",
	[C_DEL] = "delete-service",
	[C_FLUSH] = "flush",
	[C_LIST] = "list",
	[C_ADDDEST] = "add-server",
	[C_DELDEST] = "delete-server",
	[C_EDITDEST] = "edit-server",
	[C_SET] = "set",
	[C_STARTD] = "start-daemon",
	[C_STOPD] = "stop-daemon",
	[C_RESTORE] = "restore",
	[C_SAVE] = "save",
	[C_ZERO] = "zero",
	[C_SYSCTL] = "sysctl",
	[C_PROC] = "proc",
};

const char *const cli_opt_names[O_COUNT] = {
	"numeric",
	"connection",
	"service-address",
	"scheduler",
	"persistent",
	"netmask",
	"real-server",
	"forwarding-method",
	"weight",
	"u-threshold",
	"l-threshold",
	"mcast-interface",
	"timeout",
	"daemon",
	"stats",
	"rate",
	"thresholds",
	"persistent-conn",
	"nosort",
	"syncid",
	"exact",
	"ops",
	"pe",
	"sched-flags",
	"mcast-group",
	"mcast-port",
	"mcast-ttl",
	"sync-maxlen",
	"tun-info",
	"tun-type",
	"tun-port",
	"tun-nocsum",
	"tun-csum",
	"tun-remcsum",
	"counters",
	"ipv6",
	"sort",
	"socket",
};

/*
 * For each command, one character per checked option (enum cli_opt order): '+' needed,
 * 'x' refused, '1' at most one of the '1's, ' ' allowed. ipvsadm 1.31's table, with
 * uvs's --counters as one more of -L's exclusive choices, uvs's --sysctl, which
 * takes words and no option, and uvs's --proc, which takes no option.
 */
/* clang-format off */
static const char cmd_rows[C_PROC + 1][O_CHECKED + 1] = {
	/*            -n-csvc-s-p-M-rfd-w-x-y-mtodm-s-r-t-p-n-s-e-o-p-b-g-p-t-z-t-t-t-n-c-r-c */
	[C_ADD]      = "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
	[C_EDIT]     = "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
	[C_DEL]      = "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_FLUSH]    = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_LIST]     = " 11xxxxxxxxx11       xxxxxxx xxxxx1",
	[C_ADDDEST]  = "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
	[C_DELDEST]  = "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_EDITDEST] = "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
	[C_SET]      = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_STARTD]   = "xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx",
	[C_STOPD]    = "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxx",
	[C_RESTORE]  = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_SAVE]     = " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_ZERO]     = "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_SYSCTL]   = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_PROC]     = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};
/* clang-format on */

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

static const struct adm_optdef defs[] = {
	{ "add-service", 'A', ADM_NO_ARG, C_ADD, 0, 0 },
	{ "edit-service", 'E', ADM_NO_ARG, C_EDIT, 0, 0 },
	{ "delete-service", 'D', ADM_NO_ARG, C_DEL, 0, 0 },
	{ "clear", 'C', ADM_NO_ARG, C_FLUSH, 0, 0 },
	{ "list", 'L', ADM_NO_ARG, C_LIST, 0, 0 },
	{ NULL, 'l', ADM_NO_ARG, C_LIST, 0, 0 },
	{ "zero", 'Z', ADM_NO_ARG, C_ZERO, 0, 0 },
	{ "add-server", 'a', ADM_NO_ARG, C_ADDDEST, 0, 0 },
	{ "edit-server", 'e', ADM_NO_ARG, C_EDITDEST, 0, 0 },
	{ "delete-server", 'd', ADM_NO_ARG, C_DELDEST, 0, 0 },
	{ "set", 0, ADM_NO_ARG, C_SET, 0, 0 },
	{ "help", 'h', ADM_NO_ARG, C_HELP, 0, 0 },
	{ "version", 'v', ADM_NO_ARG, C_VERSION, 0, 0 },
	{ "restore", 'R', ADM_NO_ARG, C_RESTORE, 0, 0 },
	{ "save", 'S', ADM_NO_ARG, C_SAVE, 0, 0 },
	{ "start-daemon", 0, ADM_ARG, C_STARTD, 0, 0 },
	{ "stop-daemon", 0, ADM_ARG, C_STOPD, 0, 0 },
	{ "sysctl", 0, ADM_NO_ARG, C_SYSCTL, 0, 0 },
	{ "proc", 0, ADM_ARG, C_PROC, 0, 0 },
	{ "tcp-service", 't', ADM_ARG, C_NONE, O_SERVICE, IPPROTO_TCP },
	{ "udp-service", 'u', ADM_ARG, C_NONE, O_SERVICE, IPPROTO_UDP },
	{ "sctp-service", 0, ADM_ARG, C_NONE, O_SERVICE, IPPROTO_SCTP },
	{ "fwmark-service", 'f', ADM_ARG, C_NONE, O_SERVICE, 0 },
	{ "scheduler", 's', ADM_ARG, C_NONE, O_SCHED, 0 },
	{ "persistent", 'p', ADM_OPT_ARG, C_NONE, O_PERSIST, 0 },
	{ "netmask", 'M', ADM_ARG, C_NONE, O_NETMASK, 0 },
	{ "real-server", 'r', ADM_ARG, C_NONE, O_SERVER, 0 },
	{ "masquerading", 'm', ADM_NO_ARG, C_NONE, O_FWD, UVS_FWD_MASQ },
	{ "ipip", 'i', ADM_NO_ARG, C_NONE, O_FWD, UVS_FWD_TUNNEL },
	{ "gatewaying", 'g', ADM_NO_ARG, C_NONE, O_FWD, UVS_FWD_DROUTE },
	{ "weight", 'w', ADM_ARG, C_NONE, O_WEIGHT, 0 },
	{ "u-threshold", 'x', ADM_ARG, C_NONE, O_UTHRESH, 0 },
	{ "l-threshold", 'y', ADM_ARG, C_NONE, O_LTHRESH, 0 },
	{ "numeric", 'n', ADM_NO_ARG, C_NONE, O_NUMERIC, 0 },
	{ "connection", 'c', ADM_NO_ARG, C_NONE, O_CONN, 0 },
	{ "mcast-interface", 0, ADM_ARG, C_NONE, O_MCAST_IFN, 0 },
	{ "syncid", 0, ADM_ARG, C_NONE, O_SYNCID, 0 },
	{ "timeout", 0, ADM_NO_ARG, C_NONE, O_TIMEOUT, 0 },
	{ "daemon", 0, ADM_NO_ARG, C_NONE, O_DAEMON, 0 },
	{ "stats", 0, ADM_NO_ARG, C_NONE, O_STATS, 0 },
	{ "rate", 0, ADM_NO_ARG, C_NONE, O_RATE, 0 },
	{ "thresholds", 0, ADM_NO_ARG, C_NONE, O_THRESHOLDS, 0 },
	{ "persistent-conn", 0, ADM_NO_ARG, C_NONE, O_PERSISTCONN, 0 },
	{ "nosort", 0, ADM_NO_ARG, C_NONE, O_NOSORT, 0 },
	{ "sort", 0, ADM_NO_ARG, C_NONE, O_SORT, 0 },
	{ "exact", 'X', ADM_NO_ARG, C_NONE, O_EXACT, 0 },
	{ "ipv6", '6', ADM_NO_ARG, C_NONE, O_IPV6, 0 },
	{ "ops", 'o', ADM_NO_ARG, C_NONE, O_OPS, 0 },
	{ "pe", 0, ADM_ARG, C_NONE, O_PE, 0 },
	{ "sched-flags", 'b', ADM_ARG, C_NONE, O_SCHED_FLAGS, 0 },
	{ "mcast-group", 0, ADM_ARG, C_NONE, O_MCAST_GROUP, 0 },
	{ "mcast-port", 0, ADM_ARG, C_NONE, O_MCAST_PORT, 0 },
	{ "mcast-ttl", 0, ADM_ARG, C_NONE, O_MCAST_TTL, 0 },
	{ "sync-maxlen", 0, ADM_ARG, C_NONE, O_SYNC_MAXLEN, 0 },
	{ "tun-info", 0, ADM_NO_ARG, C_NONE, O_TUN_INFO, 0 },
	{ "tun-type", 0, ADM_ARG, C_NONE, O_TUN_TYPE, 0 },
	{ "tun-port", 0, ADM_ARG, C_NONE, O_TUN_PORT, 0 },
	{ "tun-nocsum", 0, ADM_NO_ARG, C_NONE, O_TUN_NOCSUM, 0 },
	{ "tun-csum", 0, ADM_NO_ARG, C_NONE, O_TUN_CSUM, 0 },
	{ "tun-remcsum", 0, ADM_NO_ARG, C_NONE, O_TUN_REMCSUM, 0 },
	{ "counters", 0, ADM_NO_ARG, C_NONE, O_COUNTERS, 0 },
	{ "socket", 0, ADM_ARG, C_NONE, O_SOCKET, 0 },
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* The command or option spelled name[0..n), or "-c"; NULL if there is none. */
static const struct adm_optdef *opt_long(const char *name, size_t n)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (defs[i].lng && strlen(defs[i].lng) == n && !strncmp(defs[i].lng, name, n))
			return &defs[i];
	}
	return NULL;
}

static const struct adm_optdef *opt_short(char c)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (defs[i].shrt == c)
			return &defs[i];
	}
	return NULL;
}

int adm_cmd_request(enum cli_cmd cmd)
{
	switch (cmd) {
	case C_ADD:
		return UVS_REQ_ADD_SVC;
	case C_EDIT:
		return UVS_REQ_EDIT_SVC;
	case C_DEL:
		return UVS_REQ_DEL_SVC;
	case C_FLUSH:
		return UVS_REQ_CLEAR;
	case C_ADDDEST:
		return UVS_REQ_ADD_DEST;
	case C_EDITDEST:
		return UVS_REQ_EDIT_DEST;
	case C_DELDEST:
		return UVS_REQ_DEL_DEST;
	case C_SET:
		return UVS_REQ_SET_TIMEOUT;
	default:
		return -1;
	}
}

/* A scan under way: the words, the one being read, and what is read so far. */
struct scan {
	enum adm_scan_style style;
	int argc;
	char *const *argv;
	int i;
	bool first; /* no option read yet */
	struct adm_args *a;
	struct adm_scan_error *e;
};

static int fault(struct scan *s, enum adm_scan_fault f, const char *word, char letter, int opt)
{
	*s->e = (struct adm_scan_error){ f, word, letter, opt, s->first };
	return -EINVAL;
}

/* One command or option read, with its value (NULL if none); word and letter as in
 * struct adm_scan_error. */
static int take(struct scan *s, const struct adm_optdef *d, const char *word, char letter,
		const char *value)
{
	bool cmdline = s->style == ADM_SCAN_CMDLINE;
	struct adm_args *a = s->a;

	if (d->cmd == C_NONE && cmdline && s->first)
		return fault(s, ADM_SCAN_NOT_COMMAND, word, letter, 0);
	if (d->cmd != C_NONE) {
		if (!cmdline && adm_cmd_request(d->cmd) < 0)
			return fault(s, ADM_SCAN_NOT_CONFIG, word, letter, 0);
		if (a->cmd != C_NONE)
			return fault(s, ADM_SCAN_SECOND_COMMAND, word, letter, 0);
		a->cmd = d->cmd;
		a->cmd_arg = value;
	} else {
		if (a->seen[d->opt] && (!cmdline || d->opt < O_CHECKED))
			return fault(s, ADM_SCAN_REPEATED, word, letter, (int)d->opt);
		a->seen[d->opt] = true;
		a->val[d->opt] = value;
		if (d->opt == O_SERVICE)
			a->svc_proto = d->variant;
		else if (d->opt == O_FWD)
			a->fwd = (uint32_t)d->variant;
	}
	s->first = false;
	return 0;
}

/* The next word as d's value: NULL if there is none, or if d's value is optional and
 * the next word looks like an option. */
static const char *next_value(struct scan *s, const struct adm_optdef *d)
{
	if (s->i + 1 >= s->argc || (d->arg == ADM_OPT_ARG && s->argv[s->i + 1][0] == '-'))
		return NULL;
	return s->argv[++s->i];
}

/* "--name", "--name=value", "--name value". */
static int scan_long(struct scan *s)
{
	const char *word = s->argv[s->i], *name = word + 2, *eq = strchr(name, '=');
	const struct adm_optdef *d = opt_long(name, eq ? (size_t)(eq - name) : strlen(name));
	const char *value = NULL;

	if (!d)
		return fault(s, ADM_SCAN_UNKNOWN, word, 0, 0);
	if (eq && d->arg == ADM_NO_ARG)
		return fault(s, ADM_SCAN_TAKES_NO_VALUE, word, 0, 0);
	if (eq)
		value = eq + 1;
	else if (d->arg != ADM_NO_ARG)
		value = next_value(s, d);
	if (!value && d->arg == ADM_ARG)
		return fault(s, ADM_SCAN_NEEDS_VALUE, word, 0, 0);
	return take(s, d, word, 0, value);
}

/* A word of short options: "-A", "-Ln", "-gw5", "-w 5", "-p", "-p300". */
static int scan_short(struct scan *s)
{
	const char *word = s->argv[s->i];

	for (const char *c = word + 1; *c; c++) {
		const struct adm_optdef *d = opt_short(*c);
		const char *value;
		int ret;

		if (!d)
			return fault(s, ADM_SCAN_UNKNOWN, word, *c, 0);
		if (d->arg == ADM_NO_ARG) {
			if ((ret = take(s, d, word, *c, NULL)))
				return ret;
			continue;
		}
		/* An option with a value takes the rest of the word, or the next word. */
		value = c[1] ? c + 1 : next_value(s, d);
		if (!value && d->arg == ADM_ARG)
			return fault(s, ADM_SCAN_NEEDS_VALUE, word, *c, 0);
		return take(s, d, word, *c, value);
	}
	return 0;
}

/* A word that is no option nor an option's value. */
static int other_word(struct scan *s, const char *word)
{
	struct adm_args *a = s->a;
	int room = s->style == ADM_SCAN_CMDLINE ? 4 : a->cmd == C_SET ? 3 : 0;

	if (a->npos >= room)
		return fault(s, ADM_SCAN_EXTRA_WORD, word, 0, 0);
	a->pos[a->npos++] = word;
	return 0;
}

int adm_scan(int argc, char *const argv[], enum adm_scan_style style, struct adm_args *a,
	     struct adm_scan_error *e)
{
	struct scan s = {
		.style = style, .argc = argc, .argv = argv, .first = true, .a = a, .e = e
	};
	bool options_end = false;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	for (s.i = 0; s.i < argc && !ret; s.i++) {
		const char *w = argv[s.i];
		if (options_end)
			ret = other_word(&s, w);
		else if (style == ADM_SCAN_CMDLINE && !strcmp(w, "--"))
			options_end = true;
		else if (w[0] == '-' && w[1] == '-' && w[2])
			ret = scan_long(&s);
		else if (w[0] == '-' && w[1] && w[1] != '-')
			ret = scan_short(&s);
		else
			ret = other_word(&s, w);
	}
	if (!ret && a->cmd == C_NONE)
		ret = fault(&s, ADM_SCAN_NO_COMMAND, NULL, 0, 0);
	return ret;
}

const char *adm_scan_shown(const struct adm_scan_error *e, char buf[3])
{
	if (!e->letter)
		return e->word;
	buf[0] = '-';
	buf[1] = e->letter;
	buf[2] = 0;
	return buf;
}

int adm_args_check(const struct adm_args *a, struct uvs_error *err)
{
	const char *row = cmd_rows[a->cmd], *cmd = cli_cmd_names[a->cmd];
	int last = -1;

	for (int o = 0; o < O_CHECKED; o++) {
		if (!a->seen[o] && row[o] == '+')
			return uvs_errorf(err, EINVAL,
					  "You need to supply the '%s' option for the '%s' command",
					  cli_opt_names[o], cmd);
		if (a->seen[o] && row[o] == 'x')
			return uvs_errorf(err, EINVAL, "Illegal '%s' option with the '%s' command",
					  cli_opt_names[o], cmd);
		if (a->seen[o] && row[o] == '1') {
			if (last >= 0)
				return uvs_errorf(err, EINVAL,
						  "The option '%s' conflicts with the '%s' option "
						  "in the '%s' command",
						  cli_opt_names[o], cli_opt_names[last], cmd);
			last = o;
		}
	}
	return 0;
}
