// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parser of ipvsadm's configuration commands: the options as ipvsadm 1.31 spells
 * them (short, long, bundled, "--opt=value"; the table in options.c), its defaults,
 * and its rules about which options a command needs or refuses. Values are checked here only as far
 * as ipvsadm checks them; the model makes the kernel's checks.
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

/* What the first pass collects: the command, and each option's text. */
struct parse {
	enum cli_cmd cmd; /* C_NONE until a command is seen */
	int kind;	  /* its enum uvs_ctl_req_kind */
	bool seen[O_COUNT];
	const char *val[O_COUNT]; /* NULL for a flag or an omitted optional value */
	int proto;		  /* of the service option; 0 for -f */
	uint32_t fwd;
	const char *pos[3]; /* positional arguments (--set's values) */
	int npos;
	struct uvs_error *err;
};

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

/* The configuration command of ipvsadm's cmd, or -1 if cmd changes nothing. */
static int config_kind(enum cli_cmd cmd)
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

static int take(struct parse *p, const struct adm_optdef *o, const char *shown, const char *value)
{
	if (o->cmd != C_NONE) {
		if (config_kind(o->cmd) < 0)
			return uvs_errorf(
				p->err, EINVAL,
				"'%s' is not a configuration command (-A -E -D -C -a -e -d --set)",
				shown);
		if (p->cmd != C_NONE)
			return uvs_errorf(p->err, EINVAL, "multiple commands specified");
		p->cmd = o->cmd;
		p->kind = config_kind(o->cmd);
		return 0;
	}
	if (p->seen[o->opt])
		return uvs_errorf(p->err, EINVAL, "multiple '%s' options specified",
				  cli_opt_names[o->opt]);
	p->seen[o->opt] = true;
	p->val[o->opt] = value;
	if (o->opt == O_SERVICE)
		p->proto = o->variant;
	else if (o->opt == O_FWD)
		p->fwd = (uint32_t)o->variant;
	return 0;
}

/* A value for option o from the rest of the word (rest, may be "") or the next word. */
static const char *value_for(const struct adm_optdef *o, const char *rest, int argc,
			     char *const argv[], int *i)
{
	if (rest && *rest)
		return rest;
	if (*i + 1 >= argc)
		return NULL;
	/* An optional value is the next word unless that looks like an option. */
	if (o->arg == ADM_OPT_ARG && argv[*i + 1][0] == '-')
		return NULL;
	return argv[++*i];
}

static int scan_long(struct parse *p, int argc, char *const argv[], int *i)
{
	const char *word = argv[*i], *name = word + 2;
	const char *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct adm_optdef *o = adm_opt_long(name, n);
	const char *value = NULL;

	if (!o)
		return uvs_errorf(p->err, EINVAL, "unknown option '--%.*s'", (int)n, name);
	if (eq && o->arg == ADM_NO_ARG)
		return uvs_errorf(p->err, EINVAL, "option '--%s' takes no value", o->lng);
	if (o->arg != ADM_NO_ARG) {
		value = eq ? eq + 1 : value_for(o, NULL, argc, argv, i);
		if (!value && o->arg == ADM_ARG)
			return uvs_errorf(p->err, EINVAL, "option '--%s' needs a value", o->lng);
	}
	return take(p, o, word, value);
}

/* A word of short options: "-A", "-gw5", "-p", "-p300". */
static int scan_short(struct parse *p, int argc, char *const argv[], int *i)
{
	const char *word = argv[*i];

	for (const char *c = word + 1; *c; c++) {
		const struct adm_optdef *o = adm_opt_short(*c);
		char shown[3] = { '-', *c, 0 };
		const char *value = NULL;
		int ret;

		if (!o)
			return uvs_errorf(p->err, EINVAL, "unknown option '-%c'", *c);
		if (o->arg != ADM_NO_ARG) {
			value = value_for(o, c + 1, argc, argv, i);
			if (!value && o->arg == ADM_ARG)
				return uvs_errorf(p->err, EINVAL, "option '-%c' needs a value", *c);
			return take(p, o, shown, value);
		}
		ret = take(p, o, shown, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

static int scan(struct parse *p, int argc, char *const argv[])
{
	int ret = 0;

	for (int i = 0; i < argc && !ret; i++) {
		const char *a = argv[i];
		if (a[0] == '-' && a[1] == '-' && a[2])
			ret = scan_long(p, argc, argv, &i);
		else if (a[0] == '-' && a[1] && a[1] != '-')
			ret = scan_short(p, argc, argv, &i);
		else if (p->kind == UVS_REQ_SET_TIMEOUT && p->npos < 3)
			p->pos[p->npos++] = a;
		else
			ret = uvs_errorf(p->err, EINVAL, "unexpected argument '%s'", a);
	}
	return ret;
}

static int check_rules(const struct parse *p)
{
	const char *cmd = cli_cmd_names[p->cmd];
	int o = 0, other = 0;

	switch (adm_opt_check(p->cmd, p->seen, &o, &other)) {
	case ADM_CHECK_NEEDED:
		return uvs_errorf(p->err, EINVAL,
				  "You need to supply the '%s' option for the '%s' command",
				  cli_opt_names[o], cmd);
	case ADM_CHECK_ILLEGAL:
	case ADM_CHECK_CONFLICT: /* no configuration command has exclusive choices */
		return uvs_errorf(p->err, EINVAL, "Illegal '%s' option with the '%s' command",
				  cli_opt_names[o], cmd);
	case ADM_CHECK_OK:
		break;
	}
	/* Past ipvsadm's table: -6 belongs to a service; uvsadm's own options to no line. */
	for (o = O_CHECKED; o < O_COUNT; o++) {
		if (p->seen[o] && (o != O_IPV6 || !p->seen[O_SERVICE]))
			return uvs_errorf(p->err, EINVAL,
					  "Illegal '%s' option with the '%s' command",
					  cli_opt_names[o], cmd);
	}
	return 0;
}

static int parse_service(const struct parse *p, struct uvs_svc_key *k)
{
	const char *text = p->val[O_SERVICE];
	union uvs_addr addr;
	uint16_t af, port;
	bool has_port;
	uint64_t v = 0;

	if (p->proto == 0) {
		if (parse_num(text, 1, UINT32_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL,
					  "illegal virtual server fwmark specified: '%s'", text);
		uvs_svc_key_fwmark(k, p->seen[O_IPV6] ? AF_INET6 : AF_INET, (uint32_t)v);
		return 0;
	}
	if (p->seen[O_IPV6])
		return uvs_errorf(p->err, EINVAL, "-6 applies to fwmark services (-f) only");
	if (parse_hostport(text, &af, &addr, &port, &has_port) < 0)
		return uvs_errorf(p->err, EINVAL,
				  "illegal virtual server address[:port] specified: '%s'", text);
	uvs_svc_key_inet(k, af, p->proto, &addr, port);
	return 0;
}

/* IPv4: a dotted mask, or a prefix length as a convenience; IPv6: a prefix length. */
static int parse_netmask(const struct parse *p, int af, uint32_t *mask)
{
	const char *text = p->val[O_NETMASK];
	union uvs_addr a;
	uint64_t v = 0;

	if (af == AF_INET6) {
		if (parse_num(text, 1, 128, &v) < 0)
			return uvs_errorf(p->err, EINVAL,
					  "illegal IPv6 netmask (prefix length 1..128): '%s'",
					  text);
		*mask = (uint32_t)v;
		return 0;
	}
	if (strchr(text, '.')) {
		if (uvs_addr_parse(AF_INET, text, &a) < 0)
			return uvs_errorf(
				p->err, EINVAL,
				"illegal virtual server persistent netmask specified: '%s'", text);
		*mask = a.ip;
		return 0;
	}
	if (parse_num(text, 0, 32, &v) < 0)
		return uvs_errorf(p->err, EINVAL,
				  "illegal virtual server persistent netmask specified: '%s'",
				  text);
	*mask = htonl(v ? 0xffffffffu << (32 - v) : 0);
	return 0;
}

static int parse_svc_attrs(const struct parse *p, struct uvs_svc_conf *c)
{
	const struct uvs_svc_key *k = &c->key;
	const char *sched = p->seen[O_SCHED] ? p->val[O_SCHED] : UVS_DEFAULT_SCHED;
	uint64_t v = 0;
	int ret;

	if (!sched[0] || strlen(sched) >= sizeof(c->sched_name))
		return uvs_errorf(p->err, EINVAL, "illegal scheduler name '%s'", sched);
	strcpy(c->sched_name, sched);
	c->netmask = k->af == AF_INET6 ? 128 : 0xffffffffu;
	if (p->seen[O_NETMASK] && (ret = parse_netmask(p, k->af, &c->netmask)))
		return ret;
	if (p->seen[O_PERSIST]) {
		v = UVS_PERSIST_TIMEOUT_DEF;
		if (p->val[O_PERSIST] &&
		    parse_num(p->val[O_PERSIST], 1, UVS_PERSIST_TIMEOUT_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL,
					  "illegal persistence timeout '%s' (1..%u)",
					  p->val[O_PERSIST], UVS_PERSIST_TIMEOUT_MAX);
		c->flags |= UVS_SVC_F_PERSISTENT;
		c->timeout = (uint32_t)v;
	}
	if (p->seen[O_PE]) {
		if (!p->val[O_PE][0] || strlen(p->val[O_PE]) >= sizeof(c->pe_name))
			return uvs_errorf(p->err, EINVAL, "illegal persistence engine name '%s'",
					  p->val[O_PE]);
		strcpy(c->pe_name, p->val[O_PE]);
	}
	if (p->seen[O_OPS]) {
		if (k->fwmark == 0 && k->protocol != IPPROTO_UDP)
			return uvs_errorf(p->err, EINVAL,
					  "One-Packet Scheduling is only for UDP virtual services");
		c->flags |= UVS_SVC_F_ONEPACKET;
	}
	if (p->seen[O_SCHED_FLAGS] &&
	    (ret = parse_sched_flags(p->val[O_SCHED_FLAGS], sched, &c->flags, p->err)))
		return ret;
	if (k->fwmark == 0 && k->port == 0 && !(c->flags & UVS_SVC_F_PERSISTENT))
		return uvs_errorf(p->err, EINVAL, "Zero port specified for non-persistent service");
	return 0;
}

/* A threshold: 0..INT_MAX as ipvsadm takes it. */
static int parse_u32_opt(const struct parse *p, enum cli_opt o, const char *what, uint64_t *v)
{
	if (parse_num(p->val[o], 0, INT32_MAX, v) < 0)
		return uvs_errorf(p->err, EINVAL, "illegal %s specified: '%s'", what, p->val[o]);
	return 0;
}

/* ipvsadm's tunnel rules: which --tun-* options each tunnel type needs or refuses. */
static int parse_tunnel(const struct parse *p, struct uvs_dest_conf *d)
{
	static const char *const types[] = { "ipip", "gue", "gre" };
	/* tun-port, tun-nocsum, tun-csum, tun-remcsum; '1': at most one of them. */
	static const char *const rules[] = { "xxxx", "+111", "x11x" };
	const char *row;
	int last = -1;
	uint64_t v = 0;

	for (int o = O_TUN_TYPE; o <= O_TUN_REMCSUM; o++) {
		if (p->seen[o] && d->fwd != UVS_FWD_TUNNEL)
			return uvs_errorf(p->err, EINVAL,
					  "Tunnel options conflict with forward method");
	}
	if (p->seen[O_TUN_TYPE]) {
		unsigned t;
		for (t = 0; t < 3 && strcmp(types[t], p->val[O_TUN_TYPE]) != 0; t++)
			;
		if (t == 3)
			return uvs_errorf(p->err, EINVAL, "illegal tunnel type specified: '%s'",
					  p->val[O_TUN_TYPE]);
		d->tun_type = (uint8_t)t;
	}
	row = rules[d->tun_type];
	for (int o = O_TUN_PORT; o <= O_TUN_REMCSUM; o++) {
		char r = row[o - O_TUN_PORT];
		if (!p->seen[o] && r == '+')
			return uvs_errorf(
				p->err, EINVAL,
				"You need to supply the '%s' option for the '%s' tunnel type",
				cli_opt_names[o], types[d->tun_type]);
		if (p->seen[o] && r == 'x')
			return uvs_errorf(p->err, EINVAL,
					  "Illegal '%s' option with the '%s' tunnel type",
					  cli_opt_names[o], types[d->tun_type]);
		if (p->seen[o] && r == '1') {
			if (last >= 0)
				return uvs_errorf(
					p->err, EINVAL,
					"The option '%s' conflicts with the '%s' option in the "
					"'%s' tunnel type",
					cli_opt_names[o], cli_opt_names[last], types[d->tun_type]);
			last = o;
		}
	}
	if (p->seen[O_TUN_PORT]) {
		if (parse_num(p->val[O_TUN_PORT], 1, 65535, &v) < 0)
			return uvs_errorf(p->err, EINVAL, "illegal tunnel port specified: '%s'",
					  p->val[O_TUN_PORT]);
		d->tun_port = htons((uint16_t)v);
	}
	if (p->seen[O_TUN_CSUM])
		d->tun_flags = UVS_TUN_F_CSUM;
	else if (p->seen[O_TUN_REMCSUM])
		d->tun_flags = UVS_TUN_F_REMCSUM;
	return 0;
}

static int parse_dest(const struct parse *p, const struct uvs_svc_key *k, bool del,
		      struct uvs_dest_conf *d)
{
	const char *text = p->val[O_SERVER];
	bool has_port;
	uint64_t v = 0;
	int ret;

	if (parse_hostport(text, &d->af, &d->addr, &d->port, &has_port) < 0)
		return uvs_errorf(p->err, EINVAL,
				  "illegal real server address[:port] specified: '%s'", text);
	if (!has_port)
		d->port = k->port;
	if (del)
		return 0;
	d->fwd = p->seen[O_FWD] ? p->fwd : UVS_FWD_DROUTE;
	/* Direct routing and tunnels cannot change the port: ipvsadm forces it. */
	if (k->fwmark == 0 && (d->fwd == UVS_FWD_DROUTE || d->fwd == UVS_FWD_TUNNEL))
		d->port = k->port;
	if (d->af != k->af && d->fwd != UVS_FWD_TUNNEL)
		return uvs_errorf(p->err, EINVAL,
				  "Different address family is allowed only for tunneling servers");
	d->weight = 1;
	if (p->seen[O_WEIGHT]) {
		if (parse_num(p->val[O_WEIGHT], 0, UVS_WEIGHT_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL, "illegal weight specified: '%s' (0..%d)",
					  p->val[O_WEIGHT], UVS_WEIGHT_MAX);
		d->weight = (int64_t)v;
	}
	if (p->seen[O_UTHRESH]) {
		if ((ret = parse_u32_opt(p, O_UTHRESH, "u_threshold", &v)))
			return ret;
		d->u_threshold = (uint32_t)v;
	}
	if (p->seen[O_LTHRESH]) {
		if ((ret = parse_u32_opt(p, O_LTHRESH, "l_threshold", &v)))
			return ret;
		d->l_threshold = (uint32_t)v;
	}
	return parse_tunnel(p, d);
}

static int parse_timeouts(const struct parse *p, struct uvs_ctl_req *cmd)
{
	uint32_t *out[3] = { &cmd->tcp, &cmd->tcpfin, &cmd->udp };
	uint64_t v = 0;

	if (p->npos != 3)
		return uvs_errorf(p->err, EINVAL, "--set needs three values: tcp tcpfin udp");
	for (int i = 0; i < 3; i++) {
		if (parse_num(p->pos[i], 0, INT32_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL, "invalid timeout value '%s' specified",
					  p->pos[i]);
		*out[i] = (uint32_t)v;
	}
	return 0;
}

int uvs_adm_parse_argv(int argc, char *const argv[], struct uvs_ctl_req *cmd, struct uvs_error *err)
{
	struct parse p = { .cmd = C_NONE, .kind = -1, .err = err };
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	ret = scan(&p, argc, argv);
	if (ret)
		return ret;
	if (p.kind < 0)
		return uvs_errorf(err, EINVAL, "no command specified (-A -E -D -C -a -e -d --set)");
	if ((ret = check_rules(&p)))
		return ret;
	cmd->kind = (enum uvs_ctl_req_kind)p.kind;
	switch (cmd->kind) {
	case UVS_REQ_CLEAR:
		return 0;
	case UVS_REQ_SET_TIMEOUT:
		return parse_timeouts(&p, cmd);
	default:
		break;
	}
	if ((ret = parse_service(&p, &cmd->svc.key)))
		return ret;
	switch (cmd->kind) {
	case UVS_REQ_ADD_SVC:
	case UVS_REQ_EDIT_SVC:
		return parse_svc_attrs(&p, &cmd->svc);
	case UVS_REQ_ADD_DEST:
	case UVS_REQ_EDIT_DEST:
		return parse_dest(&p, &cmd->svc.key, false, &cmd->dest);
	case UVS_REQ_DEL_DEST:
		return parse_dest(&p, &cmd->svc.key, true, &cmd->dest);
	default:
		return 0;
	}
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
