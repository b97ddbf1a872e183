// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsadm's command line: ipvsadm 1.31's options (short, long, bundled, "--opt=value",
 * -p's optional value) from the table in options.c, its rule that the first option is
 * the command, popt's complaints, and host and service names turned into numbers
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

/* One option seen, as ipvsadm's parse loop takes it. shown is how it was typed. */
static int take(struct cli_ctx *x, struct cli_args *a, const struct adm_optdef *d,
		const char *shown, const char *value, bool first)
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
		a->fwd = d->variant;
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
	const struct adm_optdef *d = adm_opt_long(name, n);
	const char *value = NULL;

	if (!d)
		return popt_error(x, word, "unknown option", first);
	if (eq && d->arg == ADM_NO_ARG)
		return popt_error(x, word, "option does not take an argument", first);
	if (eq)
		value = eq + 1;
	else if (d->arg == ADM_ARG && *i + 1 < argc)
		value = argv[++*i];
	else if (d->arg == ADM_OPT_ARG && *i + 1 < argc && argv[*i + 1][0] != '-')
		value = argv[++*i];
	if (d->arg == ADM_ARG && !value)
		return popt_error(x, word, "missing argument", first);
	return take(x, a, d, word, value, first);
}

/* "-A", "-Ln", "-w5", "-p", "-p300". */
static int scan_short(struct cli_ctx *x, struct cli_args *a, int argc, char **argv, int *i,
		      bool *first)
{
	const char *word = argv[*i];

	for (const char *c = word + 1; *c; c++) {
		const struct adm_optdef *d = adm_opt_short(*c);
		char shown[3] = { '-', *c, 0 };
		const char *value = NULL;
		int ret;

		if (!d)
			return popt_error(x, shown, "unknown option", *first);
		if (d->arg != ADM_NO_ARG) {
			if (c[1])
				value = c + 1;
			else if (*i + 1 < argc && (d->arg == ADM_ARG || argv[*i + 1][0] != '-'))
				value = argv[++*i];
			if (d->arg == ADM_ARG && !value)
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
	int o = 0, other = 0;

	switch (adm_opt_check(a->cmd, a->seen, &o, &other)) {
	case ADM_CHECK_NEEDED:
		return cli_fail(x, 2, "You need to supply the '%s' option for the '%s' command",
				cli_opt_names[o], cli_cmd_names[a->cmd]);
	case ADM_CHECK_ILLEGAL:
		return cli_fail(x, 2, "Illegal '%s' option with the '%s' command", cli_opt_names[o],
				cli_cmd_names[a->cmd]);
	case ADM_CHECK_CONFLICT:
		return cli_fail(
			x, 2, "The option '%s' conflicts with the '%s' option in the '%s' command",
			cli_opt_names[o], cli_opt_names[other], cli_cmd_names[a->cmd]);
	case ADM_CHECK_OK:
		break;
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
		word(w, a->fwd == UVS_FWD_MASQ	   ? "--masquerading"
			: a->fwd == UVS_FWD_TUNNEL ? "--ipip"
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
		       struct uvs_ctl_req *cmd)
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

int cli_config_cmd(struct cli_ctx *x, const struct cli_args *a, struct uvs_ctl_req *cmd)
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
	struct uvs_ctl_req cmd;
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
