// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsadm's command line: ipvsadm 1.31's options read by the scanner of
 * src/adm/options.c, with popt's complaints and ipvsadm's checks; host and service
 * names turned into numbers before src/adm/rules.c reads a configuration command's
 * values.
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

/* popt's complaints end the program with ipvsadm's -1; at the first option, ipvsadm
 * only says try -h. */
static int popt_error(struct cli_ctx *x, const struct adm_scan_error *e, const char *what)
{
	char buf[3];

	if (e->first)
		return cli_tryhelp(x);
	fprintf(x->err, "%s: %s\n", adm_scan_shown(e, buf), what);
	return 255 | CLI_EXIT;
}

/* A scan's fault in words as ipvsadm says it. */
static int scan_fault(struct cli_ctx *x, const struct adm_scan_error *e)
{
	char buf[3];

	switch (e->fault) {
	case ADM_SCAN_UNKNOWN:
		return popt_error(x, e, "unknown option");
	case ADM_SCAN_NEEDS_VALUE:
		return popt_error(x, e, "missing argument");
	case ADM_SCAN_TAKES_NO_VALUE:
		return popt_error(x, e, "option does not take an argument");
	case ADM_SCAN_SECOND_COMMAND:
		return cli_fail(x, 2, "invalid option `%s'", adm_scan_shown(e, buf));
	case ADM_SCAN_REPEATED:
		return cli_fail(x, 2, "multiple '%s' options specified", cli_opt_names[e->opt]);
	case ADM_SCAN_EXTRA_WORD:
		return cli_fail(x, 2, "unexpected argument %s", e->word);
	case ADM_SCAN_NOT_COMMAND:
	case ADM_SCAN_NOT_CONFIG: /* a rules line's fault, not the command line's */
	case ADM_SCAN_NO_COMMAND:
		break;
	}
	return cli_tryhelp(x);
}

int cli_parse(struct cli_ctx *x, int argc, char **argv, struct adm_args *a)
{
	struct adm_scan_error e;

	if (adm_scan(argc, argv, ADM_SCAN_CMDLINE, a, &e))
		return scan_fault(x, &e);
	if (a->cmd == C_SET) {
		if (a->npos < 3)
			return cli_fail(x, 2, "--set option requires 3 timeout values");
		if (a->npos > 3)
			return cli_fail(x, 2, "unexpected argument %s", a->pos[3]);
	} else if (a->npos && a->cmd != C_HELP && a->cmd != C_VERSION && a->cmd != C_SYSCTL) {
		return cli_fail(x, 2, "unexpected argument %s", a->pos[0]);
	}
	return 0;
}

int cli_check(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_error err;

	if (adm_args_check(a, &err))
		return cli_fail(x, 2, "%s", err.msg);
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

/*
 * a's configuration command into *cmd, or (cmd NULL) its service into *k, with the
 * host and service names of the service and the real server made numeric first.
 * Returns 0 or an exit status after printing the reason.
 */
static int read_numeric(struct cli_ctx *x, const struct adm_args *a, struct uvs_ctl_req *cmd,
			struct uvs_svc_key *k)
{
	struct adm_args numeric = *a;
	char *svc = NULL, *server = NULL;
	struct uvs_error err;
	int ret;

	if (a->seen[O_SERVICE] && a->svc_proto &&
	    (svc = numeric_hostport(a->val[O_SERVICE], a->svc_proto)))
		numeric.val[O_SERVICE] = svc;
	if (a->seen[O_SERVER] &&
	    (server =
		     numeric_hostport(a->val[O_SERVER], a->svc_proto ? a->svc_proto : IPPROTO_TCP)))
		numeric.val[O_SERVER] = server;
	ret = cmd ? uvs_adm_request(&numeric, cmd, &err) : uvs_adm_service_key(&numeric, k, &err);
	free(svc);
	free(server);
	return ret ? cli_fail(x, 2, "%s", err.msg) : 0;
}

int cli_config_cmd(struct cli_ctx *x, const struct adm_args *a, struct uvs_ctl_req *cmd)
{
	return read_numeric(x, a, cmd, NULL);
}

int cli_service_key(struct cli_ctx *x, const struct adm_args *a, struct uvs_svc_key *k)
{
	return read_numeric(x, a, NULL, k);
}
