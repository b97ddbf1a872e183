// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipvsadm's configuration commands: a rules line scanned (options.c) and checked
 * against ipvsadm's rules about which options a command needs or refuses, then its
 * values read into a request with ipvsadm's defaults. uvsadm's command line builds its
 * requests here too. Values are checked only as far as ipvsadm checks them; the model
 * makes the kernel's checks.
 */
#include "rules.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* A decimal number min..max with nothing around it. */
static int parse_num(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max) /* max is far below 2^60, so this cannot wrap */
			return -1;
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

/*
 * "a.b.c.d[:port]" or "[v6][:port]"; a bare IPv6 address (more than one ':') is taken
 * whole, without a port. *has_port says whether a port was given.
 */
static int parse_hostport(const char *text, uint16_t *af, union uvs_addr *addr, uint16_t *port,
			  bool *has_port)
{
	char buf[UVS_ADDR_STRLEN + 16];
	char *host = buf, *portp = NULL;
	uint64_t v = 0;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		*end = 0;
		host = buf + 1;
		if (end[1] == ':')
			portp = end + 2;
		*af = AF_INET6;
	} else {
		char *colon = strchr(buf, ':');
		if (colon && strchr(colon + 1, ':')) {
			*af = AF_INET6;
		} else {
			*af = AF_INET;
			if (colon) {
				*colon = 0;
				portp = colon + 1;
			}
		}
	}
	if (uvs_addr_parse(*af, host, addr) < 0)
		return -1;
	*has_port = portp != NULL;
	*port = 0;
	if (portp) {
		if (parse_num(portp, 0, 65535, &v) < 0)
			return -1;
		*port = htons((uint16_t)v);
	}
	return 0;
}

static const struct {
	const char *name;
	uint32_t flag;
	const char *sched; /* the scheduler the name belongs to, or NULL for any */
} sched_flag_names[] = {
	{ "sh-fallback", UVS_SVC_F_SCHED_SH_FALLBACK, "sh" },
	{ "sh-port", UVS_SVC_F_SCHED_SH_PORT, "sh" },
	{ "mh-fallback", UVS_SVC_F_SCHED_MH_FALLBACK, "mh" },
	{ "mh-port", UVS_SVC_F_SCHED_MH_PORT, "mh" },
	{ "flag-1", UVS_SVC_F_SCHED1, NULL },
	{ "flag-2", UVS_SVC_F_SCHED2, NULL },
	{ "flag-3", UVS_SVC_F_SCHED3, NULL },
};

#define NFLAGNAMES (sizeof(sched_flag_names) / sizeof(sched_flag_names[0]))

const char *uvs_adm_sched_flags_format(const char *sched, uint32_t flags, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = 0;
	for (uint32_t bit = UVS_SVC_F_SCHED1; bit <= UVS_SVC_F_SCHED3; bit <<= 1) {
		const char *name = NULL;
		if (!(flags & bit))
			continue;
		/* The scheduler's own name for the flag wins over flag-N. */
		for (size_t i = 0; i < NFLAGNAMES && !name; i++) {
			if (sched_flag_names[i].flag == bit && sched_flag_names[i].sched &&
			    strcmp(sched_flag_names[i].sched, sched) == 0)
				name = sched_flag_names[i].name;
		}
		for (size_t i = 0; i < NFLAGNAMES && !name; i++) {
			if (sched_flag_names[i].flag == bit && !sched_flag_names[i].sched)
				name = sched_flag_names[i].name;
		}
		/* Past the end, only count (a NULL buffer of size 0 is allowed). */
		int n = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,
				 "%s%s", used ? "," : "", name);
		if (n > 0)
			used += (size_t)n;
	}
	return buf;
}

/* -b's comma-separated list, checked against the scheduler as ipvsadm does. */
static int parse_sched_flags(const char *text, const char *sched, uint32_t *flags,
			     struct uvs_error *err)
{
	const char *s = text;

	for (;;) {
		size_t n = strcspn(s, ",");
		size_t i;
		for (i = 0; i < NFLAGNAMES; i++) {
			if (strlen(sched_flag_names[i].name) == n &&
			    strncmp(sched_flag_names[i].name, s, n) == 0)
				break;
		}
		if (i == NFLAGNAMES)
			return uvs_errorf(err, EINVAL, "invalid scheduler flag '%.*s'", (int)n, s);
		if (sched_flag_names[i].sched && strcmp(sched_flag_names[i].sched, sched) != 0)
			return uvs_errorf(err, EINVAL,
					  "incompatible scheduler flag '%.*s' for scheduler %s",
					  (int)n, s, sched);
		*flags |= sched_flag_names[i].flag;
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

/* The option of a scan's fault as a rules message names it: "-c", or "--name" without
 * its "=value". Returns buf. */
static const char *option_name(const struct adm_scan_error *e, char *buf, size_t len)
{
	if (e->letter)
		snprintf(buf, len, "-%c", e->letter);
	else
		snprintf(buf, len, "--%.*s", (int)strcspn(e->word + 2, "="), e->word + 2);
	return buf;
}

/* A scan's fault in a rules line's words. */
static int scan_fault(const struct adm_scan_error *e, struct uvs_error *err)
{
	char name[sizeof(err->msg)];

	switch (e->fault) {
	case ADM_SCAN_UNKNOWN:
		return uvs_errorf(err, EINVAL, "unknown option '%s'",
				  option_name(e, name, sizeof(name)));
	case ADM_SCAN_NEEDS_VALUE:
		return uvs_errorf(err, EINVAL, "option '%s' needs a value",
				  option_name(e, name, sizeof(name)));
	case ADM_SCAN_TAKES_NO_VALUE:
		return uvs_errorf(err, EINVAL, "option '%s' takes no value",
				  option_name(e, name, sizeof(name)));
	case ADM_SCAN_NOT_CONFIG:
		return uvs_errorf(
			err, EINVAL,
			"'%s' is not a configuration command (-A -E -D -C -a -e -d --set)",
			adm_scan_shown(e, name));
	case ADM_SCAN_SECOND_COMMAND:
		return uvs_errorf(err, EINVAL, "multiple commands specified");
	case ADM_SCAN_REPEATED:
		return uvs_errorf(err, EINVAL, "multiple '%s' options specified",
				  cli_opt_names[e->opt]);
	case ADM_SCAN_EXTRA_WORD:
		return uvs_errorf(err, EINVAL, "unexpected argument '%s'", e->word);
	case ADM_SCAN_NOT_COMMAND: /* the command line's fault, not a line's */
	case ADM_SCAN_NO_COMMAND:
		break;
	}
	return uvs_errorf(err, EINVAL, "no command specified (-A -E -D -C -a -e -d --set)");
}

/* ipvsadm's table, and past it: -6 belongs to a service, uvsadm's own options to no
 * line. */
static int check_rules(const struct adm_args *a, struct uvs_error *err)
{
	int ret = adm_args_check(a, err);

	for (int o = O_CHECKED; o < O_COUNT && !ret; o++) {
		if (a->seen[o] && (o != O_IPV6 || !a->seen[O_SERVICE]))
			ret = uvs_errorf(err, EINVAL, "Illegal '%s' option with the '%s' command",
					 cli_opt_names[o], cli_cmd_names[a->cmd]);
	}
	return ret;
}

static int parse_service(const struct adm_args *a, struct uvs_error *err, struct uvs_svc_key *k)
{
	const char *text = a->val[O_SERVICE];
	union uvs_addr addr;
	uint16_t af, port;
	bool has_port;
	uint64_t v = 0;

	if (a->svc_proto == 0) {
		if (parse_num(text, 1, UINT32_MAX, &v) < 0)
			return uvs_errorf(err, EINVAL,
					  "illegal virtual server fwmark specified: '%s'", text);
		uvs_svc_key_fwmark(k, a->seen[O_IPV6] ? AF_INET6 : AF_INET, (uint32_t)v);
		return 0;
	}
	if (a->seen[O_IPV6])
		return uvs_errorf(err, EINVAL, "-6 applies to fwmark services (-f) only");
	if (parse_hostport(text, &af, &addr, &port, &has_port) < 0)
		return uvs_errorf(err, EINVAL,
				  "illegal virtual server address[:port] specified: '%s'", text);
	uvs_svc_key_inet(k, af, a->svc_proto, &addr, port);
	return 0;
}

/* IPv4: a dotted mask, or a prefix length as a convenience; IPv6: a prefix length. */
static int parse_netmask(const struct adm_args *a, struct uvs_error *err, int af, uint32_t *mask)
{
	const char *text = a->val[O_NETMASK];
	union uvs_addr dotted;
	uint64_t v = 0;

	if (af == AF_INET6) {
		if (parse_num(text, 1, 128, &v) < 0)
			return uvs_errorf(err, EINVAL,
					  "illegal IPv6 netmask (prefix length 1..128): '%s'",
					  text);
		*mask = (uint32_t)v;
		return 0;
	}
	if (strchr(text, '.')) {
		if (uvs_addr_parse(AF_INET, text, &dotted) < 0)
			return uvs_errorf(
				err, EINVAL,
				"illegal virtual server persistent netmask specified: '%s'", text);
		*mask = dotted.ip;
		return 0;
	}
	if (parse_num(text, 0, 32, &v) < 0)
		return uvs_errorf(err, EINVAL,
				  "illegal virtual server persistent netmask specified: '%s'",
				  text);
	*mask = htonl(v ? 0xffffffffu << (32 - v) : 0);
	return 0;
}

static int parse_svc_attrs(const struct adm_args *a, struct uvs_error *err, struct uvs_svc_conf *c)
{
	const struct uvs_svc_key *k = &c->key;
	const char *sched = a->seen[O_SCHED] ? a->val[O_SCHED] : UVS_DEFAULT_SCHED;
	uint64_t v = 0;
	int ret;

	if (!sched[0] || strlen(sched) >= sizeof(c->sched_name))
		return uvs_errorf(err, EINVAL, "illegal scheduler name '%s'", sched);
	strcpy(c->sched_name, sched);
	c->netmask = k->af == AF_INET6 ? 128 : 0xffffffffu;
	if (a->seen[O_NETMASK] && (ret = parse_netmask(a, err, k->af, &c->netmask)))
		return ret;
	if (a->seen[O_PERSIST]) {
		v = UVS_PERSIST_TIMEOUT_DEF;
		if (a->val[O_PERSIST] &&
		    parse_num(a->val[O_PERSIST], 1, UVS_PERSIST_TIMEOUT_MAX, &v) < 0)
			return uvs_errorf(err, EINVAL, "illegal persistence timeout '%s' (1..%u)",
					  a->val[O_PERSIST], UVS_PERSIST_TIMEOUT_MAX);
		c->flags |= UVS_SVC_F_PERSISTENT;
		c->timeout = (uint32_t)v;
	}
	if (a->seen[O_PE]) {
		if (!a->val[O_PE][0] || strlen(a->val[O_PE]) >= sizeof(c->pe_name))
			return uvs_errorf(err, EINVAL, "illegal persistence engine name '%s'",
					  a->val[O_PE]);
		strcpy(c->pe_name, a->val[O_PE]);
	}
	if (a->seen[O_OPS]) {
		if (k->fwmark == 0 && k->protocol != IPPROTO_UDP)
			return uvs_errorf(err, EINVAL,
					  "One-Packet Scheduling is only for UDP virtual services");
		c->flags |= UVS_SVC_F_ONEPACKET;
	}
	if (a->seen[O_SCHED_FLAGS] &&
	    (ret = parse_sched_flags(a->val[O_SCHED_FLAGS], sched, &c->flags, err)))
		return ret;
	if (k->fwmark == 0 && k->port == 0 && !(c->flags & UVS_SVC_F_PERSISTENT))
		return uvs_errorf(err, EINVAL, "Zero port specified for non-persistent service");
	return 0;
}

/* A threshold: 0..INT_MAX as ipvsadm takes it. */
static int parse_u32_opt(const struct adm_args *a, struct uvs_error *err, enum cli_opt o,
			 const char *what, uint64_t *v)
{
	if (parse_num(a->val[o], 0, INT32_MAX, v) < 0)
		return uvs_errorf(err, EINVAL, "illegal %s specified: '%s'", what, a->val[o]);
	return 0;
}

/* ipvsadm's tunnel rules: which --tun-* options each tunnel type needs or refuses. */
static int parse_tunnel(const struct adm_args *a, struct uvs_error *err, struct uvs_dest_conf *d)
{
	static const char *const types[] = { "ipip", "gue", "gre" };
	/* tun-port, tun-nocsum, tun-csum, tun-remcsum; '1': at most one of them. */
	static const char *const rules[] = { "xxxx", "+111", "x11x" };
	const char *row;
	int last = -1;
	uint64_t v = 0;

	for (int o = O_TUN_TYPE; o <= O_TUN_REMCSUM; o++) {
		if (a->seen[o] && d->fwd != UVS_FWD_TUNNEL)
			return uvs_errorf(err, EINVAL,
					  "Tunnel options conflict with forward method");
	}
	if (a->seen[O_TUN_TYPE]) {
		unsigned t;
		for (t = 0; t < 3 && strcmp(types[t], a->val[O_TUN_TYPE]) != 0; t++)
			;
		if (t == 3)
			return uvs_errorf(err, EINVAL, "illegal tunnel type specified: '%s'",
					  a->val[O_TUN_TYPE]);
		d->tun_type = (uint8_t)t;
	}
	row = rules[d->tun_type];
	for (int o = O_TUN_PORT; o <= O_TUN_REMCSUM; o++) {
		char r = row[o - O_TUN_PORT];
		if (!a->seen[o] && r == '+')
			return uvs_errorf(
				err, EINVAL,
				"You need to supply the '%s' option for the '%s' tunnel type",
				cli_opt_names[o], types[d->tun_type]);
		if (a->seen[o] && r == 'x')
			return uvs_errorf(err, EINVAL,
					  "Illegal '%s' option with the '%s' tunnel type",
					  cli_opt_names[o], types[d->tun_type]);
		if (a->seen[o] && r == '1') {
			if (last >= 0)
				return uvs_errorf(
					err, EINVAL,
					"The option '%s' conflicts with the '%s' option in the "
					"'%s' tunnel type",
					cli_opt_names[o], cli_opt_names[last], types[d->tun_type]);
			last = o;
		}
	}
	if (a->seen[O_TUN_PORT]) {
		if (parse_num(a->val[O_TUN_PORT], 1, 65535, &v) < 0)
			return uvs_errorf(err, EINVAL, "illegal tunnel port specified: '%s'",
					  a->val[O_TUN_PORT]);
		d->tun_port = htons((uint16_t)v);
	}
	if (a->seen[O_TUN_CSUM])
		d->tun_flags = UVS_TUN_F_CSUM;
	else if (a->seen[O_TUN_REMCSUM])
		d->tun_flags = UVS_TUN_F_REMCSUM;
	return 0;
}

static int parse_dest(const struct adm_args *a, struct uvs_error *err, const struct uvs_svc_key *k,
		      bool del, struct uvs_dest_conf *d)
{
	const char *text = a->val[O_SERVER];
	bool has_port;
	uint64_t v = 0;
	int ret;

	if (parse_hostport(text, &d->af, &d->addr, &d->port, &has_port) < 0)
		return uvs_errorf(err, EINVAL, "illegal real server address[:port] specified: '%s'",
				  text);
	if (!has_port)
		d->port = k->port;
	if (del)
		return 0;
	d->fwd = a->seen[O_FWD] ? a->fwd : UVS_FWD_DROUTE;
	/* Direct routing and tunnels cannot change the port: ipvsadm forces it. */
	if (k->fwmark == 0 && (d->fwd == UVS_FWD_DROUTE || d->fwd == UVS_FWD_TUNNEL))
		d->port = k->port;
	if (d->af != k->af && d->fwd != UVS_FWD_TUNNEL)
		return uvs_errorf(err, EINVAL,
				  "Different address family is allowed only for tunneling servers");
	d->weight = 1;
	if (a->seen[O_WEIGHT]) {
		if (parse_num(a->val[O_WEIGHT], 0, UVS_WEIGHT_MAX, &v) < 0)
			return uvs_errorf(err, EINVAL, "illegal weight specified: '%s' (0..%d)",
					  a->val[O_WEIGHT], UVS_WEIGHT_MAX);
		d->weight = (int64_t)v;
	}
	if (a->seen[O_UTHRESH]) {
		if ((ret = parse_u32_opt(a, err, O_UTHRESH, "u_threshold", &v)))
			return ret;
		d->u_threshold = (uint32_t)v;
	}
	if (a->seen[O_LTHRESH]) {
		if ((ret = parse_u32_opt(a, err, O_LTHRESH, "l_threshold", &v)))
			return ret;
		d->l_threshold = (uint32_t)v;
	}
	return parse_tunnel(a, err, d);
}

static int parse_timeouts(const struct adm_args *a, struct uvs_error *err, struct uvs_ctl_req *cmd)
{
	uint32_t *out[3] = { &cmd->tcp, &cmd->tcpfin, &cmd->udp };
	uint64_t v = 0;

	if (a->npos != 3)
		return uvs_errorf(err, EINVAL, "--set needs three values: tcp tcpfin udp");
	for (int i = 0; i < 3; i++) {
		if (parse_num(a->pos[i], 0, UVS_TIMEOUT_MAX, &v) < 0)
			return uvs_errorf(err, EINVAL, "invalid timeout value '%s' specified",
					  a->pos[i]);
		*out[i] = (uint32_t)v;
	}
	return 0;
}

int uvs_adm_service_key(const struct adm_args *a, struct uvs_svc_key *k, struct uvs_error *err)
{
	return parse_service(a, err, k);
}

int uvs_adm_request(const struct adm_args *a, struct uvs_ctl_req *cmd, struct uvs_error *err)
{
	int kind = adm_cmd_request(a->cmd), ret;

	memset(cmd, 0, sizeof(*cmd));
	if (kind < 0)
		return uvs_errorf(err, EINVAL, "not a configuration command");
	cmd->kind = (enum uvs_ctl_req_kind)kind;
	switch (cmd->kind) {
	case UVS_REQ_CLEAR:
		return 0;
	case UVS_REQ_SET_TIMEOUT:
		return parse_timeouts(a, err, cmd);
	default:
		break;
	}
	if ((ret = parse_service(a, err, &cmd->svc.key)))
		return ret;
	switch (cmd->kind) {
	case UVS_REQ_ADD_SVC:
	case UVS_REQ_EDIT_SVC:
		return parse_svc_attrs(a, err, &cmd->svc);
	case UVS_REQ_ADD_DEST:
	case UVS_REQ_EDIT_DEST:
		return parse_dest(a, err, &cmd->svc.key, false, &cmd->dest);
	case UVS_REQ_DEL_DEST:
		return parse_dest(a, err, &cmd->svc.key, true, &cmd->dest);
	default:
		return 0;
	}
}

int uvs_adm_parse_argv(int argc, char *const argv[], struct uvs_ctl_req *cmd, struct uvs_error *err)
{
	struct adm_scan_error e;
	struct adm_args a;
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	if (adm_scan(argc, argv, ADM_SCAN_RULES, &a, &e))
		return scan_fault(&e, err);
	if ((ret = check_rules(&a, err)))
		return ret;
	return uvs_adm_request(&a, cmd, err);
}

int uvs_adm_parse_line(const char *line, struct uvs_ctl_req *cmd, struct uvs_error *err)
{
	static const char blanks[] = " \t\r\n\v\f";
	const char *s = line + strspn(line, blanks);
	char *copy, *save = NULL, **argv;
	int argc = 0, skip, ret;

	if (*s == 0 || *s == '#')
		return 1;
	copy = strdup(s);
	/* A line of n characters has at most n/2 + 1 words. */
	argv = malloc((strlen(s) / 2 + 2) * sizeof(*argv));
	if (!copy || !argv) {
		free(copy);
		free(argv);
		if (err)
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		return -ENOMEM;
	}
	for (char *w = strtok_r(copy, blanks, &save); w; w = strtok_r(NULL, blanks, &save))
		argv[argc++] = w;
	skip = strcmp(argv[0], "ipvsadm") == 0;
	ret = uvs_adm_parse_argv(argc - skip, argv + skip, cmd, err);
	free(argv);
	free(copy);
	return ret;
}
