// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsadm's command line: ipvsadm 1.31's options (short, long, bundled, "--opt=value",
 * -p's optional value), its rule that the first option is the command, its table of
 * which options each command takes, and host and service names turned into numbers
 * before the rules language (src/adm/rules.c) reads a configuration command.
 */
#include "cli-internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
 * uvs's --counters as one more of -L's exclusive choices.
 */
/* clang-format off */
static const char rules[][O_CHECKED + 1] = {
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
};
/* clang-format on */

enum arg { NO_ARG, ARG, OPT_ARG };

struct optdef {
	const char *lng;
	char shrt;
	enum arg arg;
	int cmd; /* enum cli_cmd, or C_NONE for an option */
	int opt; /* enum cli_opt */
	int variant;
};

static const struct optdef defs[] = {
	{ "add-service", 'A', NO_ARG, C_ADD, 0, 0 },
	{ "edit-service", 'E', NO_ARG, C_EDIT, 0, 0 },
	{ "delete-service", 'D', NO_ARG, C_DEL, 0, 0 },
	{ "clear", 'C', NO_ARG, C_FLUSH, 0, 0 },
	{ "list", 'L', NO_ARG, C_LIST, 0, 0 },
	{ NULL, 'l', NO_ARG, C_LIST, 0, 0 },
	{ "zero", 'Z', NO_ARG, C_ZERO, 0, 0 },
	{ "add-server", 'a', NO_ARG, C_ADDDEST, 0, 0 },
	{ "edit-server", 'e', NO_ARG, C_EDITDEST, 0, 0 },
	{ "delete-server", 'd', NO_ARG, C_DELDEST, 0, 0 },
	{ "set", 0, NO_ARG, C_SET, 0, 0 },
	{ "help", 'h', NO_ARG, C_HELP, 0, 0 },
	{ "version", 'v', NO_ARG, C_VERSION, 0, 0 },
	{ "restore", 'R', NO_ARG, C_RESTORE, 0, 0 },
	{ "save", 'S', NO_ARG, C_SAVE, 0, 0 },
	{ "start-daemon", 0, ARG, C_STARTD, 0, 0 },
	{ "stop-daemon", 0, ARG, C_STOPD, 0, 0 },
	{ "tcp-service", 't', ARG, C_NONE, O_SERVICE, IPPROTO_TCP },
	{ "udp-service", 'u', ARG, C_NONE, O_SERVICE, IPPROTO_UDP },
	{ "sctp-service", 0, ARG, C_NONE, O_SERVICE, IPPROTO_SCTP },
	{ "fwmark-service", 'f', ARG, C_NONE, O_SERVICE, 0 },
	{ "scheduler", 's', ARG, C_NONE, O_SCHED, 0 },
	{ "persistent", 'p', OPT_ARG, C_NONE, O_PERSIST, 0 },
	{ "netmask", 'M', ARG, C_NONE, O_NETMASK, 0 },
	{ "real-server", 'r', ARG, C_NONE, O_SERVER, 0 },
	{ "masquerading", 'm', NO_ARG, C_NONE, O_FWD, 'm' },
	{ "ipip", 'i', NO_ARG, C_NONE, O_FWD, 'i' },
	{ "gatewaying", 'g', NO_ARG, C_NONE, O_FWD, 'g' },
	{ "weight", 'w', ARG, C_NONE, O_WEIGHT, 0 },
	{ "u-threshold", 'x', ARG, C_NONE, O_UTHRESH, 0 },
	{ "l-threshold", 'y', ARG, C_NONE, O_LTHRESH, 0 },
	{ "numeric", 'n', NO_ARG, C_NONE, O_NUMERIC, 0 },
	{ "connection", 'c', NO_ARG, C_NONE, O_CONN, 0 },
	{ "mcast-interface", 0, ARG, C_NONE, O_MCAST_IFN, 0 },
	{ "syncid", 0, ARG, C_NONE, O_SYNCID, 0 },
	{ "timeout", 0, NO_ARG, C_NONE, O_TIMEOUT, 0 },
	{ "daemon", 0, NO_ARG, C_NONE, O_DAEMON, 0 },
	{ "stats", 0, NO_ARG, C_NONE, O_STATS, 0 },
	{ "rate", 0, NO_ARG, C_NONE, O_RATE, 0 },
	{ "thresholds", 0, NO_ARG, C_NONE, O_THRESHOLDS, 0 },
	{ "persistent-conn", 0, NO_ARG, C_NONE, O_PERSISTCONN, 0 },
	{ "nosort", 0, NO_ARG, C_NONE, O_NOSORT, 0 },
	{ "sort", 0, NO_ARG, C_NONE, O_SORT, 0 },
	{ "exact", 'X', NO_ARG, C_NONE, O_EXACT, 0 },
	{ "ipv6", '6', NO_ARG, C_NONE, O_IPV6, 0 },
	{ "ops", 'o', NO_ARG, C_NONE, O_OPS, 0 },
	{ "pe", 0, ARG, C_NONE, O_PE, 0 },
	{ "sched-flags", 'b', ARG, C_NONE, O_SCHED_FLAGS, 0 },
	{ "mcast-group", 0, ARG, C_NONE, O_MCAST_GROUP, 0 },
	{ "mcast-port", 0, ARG, C_NONE, O_MCAST_PORT, 0 },
	{ "mcast-ttl", 0, ARG, C_NONE, O_MCAST_TTL, 0 },
	{ "sync-maxlen", 0, ARG, C_NONE, O_SYNC_MAXLEN, 0 },
	{ "tun-info", 0, NO_ARG, C_NONE, O_TUN_INFO, 0 },
	{ "tun-type", 0, ARG, C_NONE, O_TUN_TYPE, 0 },
	{ "tun-port", 0, ARG, C_NONE, O_TUN_PORT, 0 },
	{ "tun-nocsum", 0, NO_ARG, C_NONE, O_TUN_NOCSUM, 0 },
	{ "tun-csum", 0, NO_ARG, C_NONE, O_TUN_CSUM, 0 },
	{ "tun-remcsum", 0, NO_ARG, C_NONE, O_TUN_REMCSUM, 0 },
	{ "counters", 0, NO_ARG, C_NONE, O_COUNTERS, 0 },
	{ "socket", 0, ARG, C_NONE, O_SOCKET, 0 },
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

int cli_fail(struct cli_ctx *x, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(x->err, fmt, ap);
	va_end(ap);
	fputc('\n', x->err);
	return status | CLI_EXIT;
}

int cli_tryhelp(struct cli_ctx *x)
{
	fprintf(x->err, "Try `%s -h' or '%s --help' for more information.\n", x->prog, x->prog);
	return 255 | CLI_EXIT;
}

static const struct optdef *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (defs[i].lng && strlen(defs[i].lng) == n && !strncmp(defs[i].lng, name, n))
			return &defs[i];
	}
	return NULL;
}

static const struct optdef *find_short(char c)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (defs[i].shrt == c)
			return &defs[i];
	}
	return NULL;
}

/* One option seen, as ipvsadm's parse loop takes it. shown is how it was typed. */
static int take(struct cli_ctx *x, struct cli_args *a, const struct optdef *d, const char *shown,
		const char *value, bool first)
{
	if (first) {
		/* ipvsadm: anything but a command first is a usage error. */
		if (d->cmd == C_NONE)
			return cli_tryhelp(x);
		a->cmd = (enum cli_cmd)d->cmd;
		a->cmd_arg = value;
		return 0;
	}
	if (d->cmd != C_NONE)
		return cli_fail(x, 2, "invalid option `%s'", shown);
	if (d->opt < O_CHECKED && a->seen[d->opt])
		return cli_fail(x, 2, "multiple '%s' options specified", cli_opt_names[d->opt]);
	a->seen[d->opt] = true;
	a->val[d->opt] = value;
	if (d->opt == O_SERVICE)
		a->svc_proto = d->variant;
	else if (d->opt == O_FWD)
		a->fwd = (char)d->variant;
	return 0;
}

/* popt's complaints end the program with ipvsadm's -1. */
static int popt_error(struct cli_ctx *x, const char *shown, const char *what, bool first)
{
	if (first)
		return cli_tryhelp(x);
	fprintf(x->err, "%s: %s\n", shown, what);
	return 255 | CLI_EXIT;
}

static int scan_long(struct cli_ctx *x, struct cli_args *a, int argc, char **argv, int *i,
		     bool first)
{
	const char *word = argv[*i], *name = word + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct optdef *d = find_long(name, n);
	const char *value = NULL;

	if (!d)
		return popt_error(x, word, "unknown option", first);
	if (eq && d->arg == NO_ARG)
		return popt_error(x, word, "option does not take an argument", first);
	if (eq)
		value = eq + 1;
	else if (d->arg == ARG && *i + 1 < argc)
		value = argv[++*i];
	else if (d->arg == OPT_ARG && *i + 1 < argc && argv[*i + 1][0] != '-')
		value = argv[++*i];
	if (d->arg == ARG && !value)
		return popt_error(x, word, "missing argument", first);
	return take(x, a, d, word, value, first);
}

/* "-A", "-Ln", "-w5", "-p", "-p300". */
static int scan_short(struct cli_ctx *x, struct cli_args *a, int argc, char **argv, int *i,
		      bool *first)
{
	const char *word = argv[*i];

	for (const char *c = word + 1; *c; c++) {
		const struct optdef *d = find_short(*c);
		char shown[3] = { '-', *c, 0 };
		const char *value = NULL;
		int ret;

		if (!d)
			return popt_error(x, shown, "unknown option", *first);
		if (d->arg != NO_ARG) {
			if (c[1])
				value = c + 1;
			else if (*i + 1 < argc && (d->arg == ARG || argv[*i + 1][0] != '-'))
				value = argv[++*i];
			if (d->arg == ARG && !value)
				return popt_error(x, shown, "missing argument", *first);
			ret = take(x, a, d, shown, value, *first);
			*first = false;
			return ret;
		}
		if ((ret = take(x, a, d, shown, NULL, *first)))
			return ret;
		*first = false;
	}
	return 0;
}

int cli_parse(struct cli_ctx *x, int argc, char **argv, struct cli_args *a)
{
	bool first = true, opts_end = false;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc && !ret; i++) {
		const char *w = argv[i];
		if (!opts_end && !strcmp(w, "--")) {
			opts_end = true;
		} else if (!opts_end && w[0] == '-' && w[1] == '-') {
			ret = scan_long(x, a, argc, argv, &i, first);
			first = false;
		} else if (!opts_end && w[0] == '-' && w[1]) {
			ret = scan_short(x, a, argc, argv, &i, &first);
		} else if (a->npos < (int)(sizeof(a->pos) / sizeof(a->pos[0]))) {
			a->pos[a->npos++] = w;
		} else {
			return cli_fail(x, 2, "unexpected argument %s", w);
		}
	}
	if (ret)
		return ret;
	if (a->cmd == C_NONE)
		return cli_tryhelp(x);
	if (a->cmd == C_SET) {
		if (a->npos < 3)
			return cli_fail(x, 2, "--set option requires 3 timeout values");
		if (a->npos > 3)
			return cli_fail(x, 2, "unexpected argument %s", a->pos[3]);
	} else if (a->npos && a->cmd != C_HELP && a->cmd != C_VERSION) {
		return cli_fail(x, 2, "unexpected argument %s", a->pos[0]);
	}
	return 0;
}

int cli_check(struct cli_ctx *x, const struct cli_args *a)
{
	const char *row = rules[a->cmd];
	int last = -1;

	for (int o = 0; o < O_CHECKED; o++) {
		if (!a->seen[o] && row[o] == '+')
			return cli_fail(x, 2,
					"You need to supply the '%s' option for the '%s' command",
					cli_opt_names[o], cli_cmd_names[a->cmd]);
		if (a->seen[o] && row[o] == 'x')
			return cli_fail(x, 2, "Illegal '%s' option with the '%s' command",
					cli_opt_names[o], cli_cmd_names[a->cmd]);
		if (a->seen[o] && row[o] == '1') {
			if (last >= 0)
				return cli_fail(x, 2,
						"The option '%s' conflicts with the '%s' option in "
						"the '%s' command",
						cli_opt_names[o], cli_opt_names[last],
						cli_cmd_names[a->cmd]);
			last = o;
		}
	}
	/* ipvsadm's -6 sets the family of an -f seen before it; uvs takes any order. */
	if (a->seen[O_IPV6] && !(a->seen[O_SERVICE] && a->svc_proto == 0))
		return cli_fail(x, 2, "-6 used before -f\n");
	return 0;
}

static const char *proto_db(int protocol)
{
	return protocol == IPPROTO_UDP ? "udp" : protocol == IPPROTO_SCTP ? "sctp" : "tcp";
}

static bool all_digits(const char *s)
{
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
	}
	return true;
}

/*
 * host[:port] as ipvsadm reads it (an IPv4 host name or address in any inet_aton form,
 * a service name or number) made numeric for the rules language: a malloc'd string, or
 * NULL if it cannot be, in which case the original text goes on and is refused there.
 */
static char *numeric_hostport(const char *text, int protocol)
{
	char buf[512], hostbuf[INET_ADDRSTRLEN], portbuf[8], *out = NULL;
	const char *host = buf, *port = NULL;
	bool v6 = false;
	struct in_addr in;

	if (strlen(text) >= sizeof(buf) || all_digits(text))
		return NULL;
	strcpy(buf, text);
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');
		if (!end || (end[1] && end[1] != ':'))
			return NULL;
		*end = 0;
		host = buf + 1;
		port = end[1] ? end + 2 : NULL;
		v6 = true;
	} else {
		struct in6_addr in6;
		char *colon = strrchr(buf, ':');
		if (inet_pton(AF_INET6, buf, &in6) == 1)
			return strdup(text);
		if (colon) {
			*colon = 0;
			port = colon + 1;
		}
		if (!inet_aton(buf, &in)) {
			struct addrinfo hints = { .ai_family = AF_INET }, *res;
			if (getaddrinfo(buf, NULL, &hints, &res) != 0)
				return NULL;
			in = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
			freeaddrinfo(res);
		}
		host = inet_ntop(AF_INET, &in, hostbuf, sizeof(hostbuf));
	}
	if (port && !all_digits(port)) {
		struct servent se, *res = NULL;
		char tmp[1024];
		if (getservbyname_r(port, proto_db(protocol), &se, tmp, sizeof(tmp), &res) || !res)
			return NULL;
		snprintf(portbuf, sizeof(portbuf), "%u", ntohs((uint16_t)res->s_port));
		port = portbuf;
	}
	if (asprintf(&out, v6 ? "[%s]%s%s" : "%s%s%s", host, port ? ":" : "", port ? port : "") < 0)
		return NULL;
	return out;
}

/* The words the rules language reads for a: "--name=value" for each option. */
struct words {
	char *v[40];
	int n;
	char *owned[40];
	int nowned;
};

static void word(struct words *w, const char *s)
{
	w->v[w->n++] = (char *)s;
}

/* "--name=value"; value is resolved when resolve_proto >= 0 (host[:port] options). */
static bool word_value(struct words *w, const char *name, const char *value, int resolve_proto)
{
	char *num = resolve_proto >= 0 ? numeric_hostport(value, resolve_proto) : NULL;
	char *s = NULL;
	int ret = asprintf(&s, "--%s=%s", name, num ? num : value);

	free(num);
	if (ret < 0)
		return false;
	w->owned[w->nowned++] = s;
	word(w, s);
	return true;
}

static const char *const svc_long[] = { [IPPROTO_TCP] = "tcp-service",
					[IPPROTO_UDP] = "udp-service",
					[IPPROTO_SCTP] = "sctp-service" };

/* Builds the words of the configuration or service options of a (rules.c's names). */
static bool build_words(const struct cli_args *a, struct words *w)
{
	static const struct {
		int opt;
		const char *name;
	} plain[] = {
		{ O_SCHED, "scheduler" },	  { O_NETMASK, "netmask" },
		{ O_WEIGHT, "weight" },		  { O_UTHRESH, "u-threshold" },
		{ O_LTHRESH, "l-threshold" },	  { O_PE, "pe" },
		{ O_SCHED_FLAGS, "sched-flags" }, { O_TUN_TYPE, "tun-type" },
		{ O_TUN_PORT, "tun-port" },
	};
	static const struct {
		int opt;
		const char *word;
	} flags[] = {
		{ O_OPS, "--ops" },
		{ O_IPV6, "--ipv6" },
		{ O_TUN_NOCSUM, "--tun-nocsum" },
		{ O_TUN_CSUM, "--tun-csum" },
		{ O_TUN_REMCSUM, "--tun-remcsum" },
	};
	bool ok = true;

	if (a->seen[O_SERVICE]) {
		if (a->svc_proto)
			ok = word_value(w, svc_long[a->svc_proto], a->val[O_SERVICE], a->svc_proto);
		else
			ok = word_value(w, "fwmark-service", a->val[O_SERVICE], -1);
	}
	if (ok && a->seen[O_SERVER])
		ok = word_value(w, "real-server", a->val[O_SERVER],
				a->svc_proto ? a->svc_proto : IPPROTO_TCP);
	for (size_t i = 0; ok && i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (a->seen[plain[i].opt])
			ok = word_value(w, plain[i].name, a->val[plain[i].opt], -1);
	}
	if (ok && a->seen[O_PERSIST]) {
		if (a->val[O_PERSIST])
			ok = word_value(w, "persistent", a->val[O_PERSIST], -1);
		else
			word(w, "--persistent");
	}
	if (a->seen[O_FWD])
		word(w, a->fwd == 'm'	? "--masquerading"
			: a->fwd == 'i' ? "--ipip"
					: "--gatewaying");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (a->seen[flags[i].opt])
			word(w, flags[i].word);
	}
	return ok;
}

static void words_free(struct words *w)
{
	for (int i = 0; i < w->nowned; i++)
		free(w->owned[i]);
}

static int parse_words(struct cli_ctx *x, const struct cli_args *a, const char *cmd_word,
		       struct uvs_adm_cmd *cmd)
{
	struct words w = { .n = 0 };
	struct uvs_error err;
	int ret;

	word(&w, cmd_word);
	if (!build_words(a, &w)) {
		words_free(&w);
		return cli_fail(x, 2, "out of memory");
	}
	for (int i = 0; i < a->npos; i++)
		word(&w, a->pos[i]);
	ret = uvs_adm_parse_argv(w.n, w.v, cmd, &err);
	words_free(&w);
	if (ret)
		return cli_fail(x, 2, "%s", err.msg);
	return 0;
}

int cli_config_cmd(struct cli_ctx *x, const struct cli_args *a, struct uvs_adm_cmd *cmd)
{
	static const char *const words[] = {
		[C_ADD] = "-A",	    [C_EDIT] = "-E",	 [C_DEL] = "-D",     [C_FLUSH] = "-C",
		[C_ADDDEST] = "-a", [C_EDITDEST] = "-e", [C_DELDEST] = "-d", [C_SET] = "--set",
	};

	return parse_words(x, a, words[a->cmd], cmd);
}

int cli_service_key(struct cli_ctx *x, const struct cli_args *a, struct uvs_svc_key *k)
{
	struct cli_args only = { .svc_proto = a->svc_proto };
	struct uvs_adm_cmd cmd;
	int ret;

	/* The service options alone, read as a -D would read them. */
	only.seen[O_SERVICE] = true;
	only.val[O_SERVICE] = a->val[O_SERVICE];
	only.seen[O_IPV6] = a->seen[O_IPV6];
	if ((ret = parse_words(x, &only, "-D", &cmd)))
		return ret;
	*k = cmd.svc.key;
	return 0;
}
