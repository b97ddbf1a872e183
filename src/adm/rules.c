// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parser of ipvsadm's configuration commands: the options as ipvsadm 1.31 spells
 * them (short, long, bundled, "--opt=value"), its defaults, and its rules about which
 * options a command needs or refuses. Values are checked here only as far as ipvsadm
 * checks them; the model makes the kernel's checks.
 */
#include "rules.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options that the per-command rules are about, with ipvsadm's names for them. */
enum opt {
	OPT_SERVICE,
	OPT_SCHED,
	OPT_PERSIST,
	OPT_NETMASK,
	OPT_SERVER,
	OPT_FWD,
	OPT_WEIGHT,
	OPT_UTHRESH,
	OPT_LTHRESH,
	OPT_OPS,
	OPT_PE,
	OPT_SCHED_FLAGS,
	OPT_IPV6,
	OPT_TUN_TYPE,
	OPT_TUN_PORT,
	OPT_TUN_NOCSUM,
	OPT_TUN_CSUM,
	OPT_TUN_REMCSUM,
	OPT_COUNT
};

static const char *const opt_names[OPT_COUNT] = {
	"service-address",
	"scheduler",
	"persistent",
	"netmask",
	"real-server",
	"forwarding-method",
	"weight",
	"u-threshold",
	"l-threshold",
	"ops",
	"pe",
	"sched-flags",
	"ipv6",
	"tun-type",
	"tun-port",
	"tun-nocsum",
	"tun-csum",
	"tun-remcsum",
};

/*
 * Which options each command needs ('+'), refuses ('x') or takes (' '), one character
 * per option in enum opt order.
 */
/* clang-format off */
static const char cmd_rules[][OPT_COUNT + 1] = {
	/*                       svc s p M r fwd w x y o pe b 6 tun-type,port,nocsum,csum,remcsum */
	[UVS_ADM_ADD_SVC]     = "+   xxxxx    xxxxx",
	[UVS_ADM_EDIT_SVC]    = "+   xxxxx    xxxxx",
	[UVS_ADM_DEL_SVC]     = "+xxxxxxxxxxx xxxxx",
	[UVS_ADM_CLEAR]       = "xxxxxxxxxxxxxxxxxx",
	[UVS_ADM_ADD_DEST]    = "+xxx+    xxx      ",
	[UVS_ADM_EDIT_DEST]   = "+xxx+    xxx      ",
	[UVS_ADM_DEL_DEST]    = "+xxx+xxxxxxx xxxxx",
	[UVS_ADM_SET_TIMEOUT] = "xxxxxxxxxxxxxxxxxx",
};
/* clang-format on */

/* ipvsadm's names for the commands, used in messages. */
static const char *const cmd_names[] = {
	[UVS_ADM_ADD_SVC] = "add-service",    [UVS_ADM_EDIT_SVC] = "edit-service",
	[UVS_ADM_DEL_SVC] = "delete-service", [UVS_ADM_CLEAR] = "flush",
	[UVS_ADM_ADD_DEST] = "add-server",    [UVS_ADM_EDIT_DEST] = "edit-server",
	[UVS_ADM_DEL_DEST] = "delete-server", [UVS_ADM_SET_TIMEOUT] = "set",
};

enum arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

#define NOT_CMD	  -1
#define OTHER_CMD -2 /* an ipvsadm command that is not a configuration change */

struct optdef {
	const char *lng;
	char shrt;
	enum arg arg;
	int cmd;	  /* enum uvs_adm_kind, NOT_CMD or OTHER_CMD */
	int opt;	  /* enum opt, when cmd is NOT_CMD */
	uint32_t variant; /* protocol of a service option, or forwarding method */
};

/* clang-format off */
#define CMD(l, s, k)     { l, s, ARG_NONE, k, 0, 0 }
#define OPT(l, s, a, o)  { l, s, a, NOT_CMD, o, 0 }
#define VOPT(l, s, o, v) { l, s, (o) == OPT_FWD ? ARG_NONE : ARG_REQUIRED, NOT_CMD, o, v }
/* clang-format on */

static const struct optdef optdefs[] = {
	CMD("add-service", 'A', UVS_ADM_ADD_SVC),
	CMD("edit-service", 'E', UVS_ADM_EDIT_SVC),
	CMD("delete-service", 'D', UVS_ADM_DEL_SVC),
	CMD("clear", 'C', UVS_ADM_CLEAR),
	CMD("add-server", 'a', UVS_ADM_ADD_DEST),
	CMD("edit-server", 'e', UVS_ADM_EDIT_DEST),
	CMD("delete-server", 'd', UVS_ADM_DEL_DEST),
	CMD("set", 0, UVS_ADM_SET_TIMEOUT),
	CMD("restore", 'R', OTHER_CMD),
	CMD("save", 'S', OTHER_CMD),
	CMD("list", 'L', OTHER_CMD),
	CMD(NULL, 'l', OTHER_CMD),
	CMD("zero", 'Z', OTHER_CMD),
	CMD("start-daemon", 0, OTHER_CMD),
	CMD("stop-daemon", 0, OTHER_CMD),
	CMD("help", 'h', OTHER_CMD),
	CMD("version", 'v', OTHER_CMD),
	VOPT("tcp-service", 't', OPT_SERVICE, IPPROTO_TCP),
	VOPT("udp-service", 'u', OPT_SERVICE, IPPROTO_UDP),
	VOPT("sctp-service", 0, OPT_SERVICE, IPPROTO_SCTP),
	VOPT("fwmark-service", 'f', OPT_SERVICE, 0),
	OPT("scheduler", 's', ARG_REQUIRED, OPT_SCHED),
	OPT("persistent", 'p', ARG_OPTIONAL, OPT_PERSIST),
	OPT("netmask", 'M', ARG_REQUIRED, OPT_NETMASK),
	OPT("pe", 0, ARG_REQUIRED, OPT_PE),
	OPT("ops", 'o', ARG_NONE, OPT_OPS),
	OPT("sched-flags", 'b', ARG_REQUIRED, OPT_SCHED_FLAGS),
	OPT("ipv6", '6', ARG_NONE, OPT_IPV6),
	OPT("real-server", 'r', ARG_REQUIRED, OPT_SERVER),
	VOPT("gatewaying", 'g', OPT_FWD, UVS_FWD_DROUTE),
	VOPT("ipip", 'i', OPT_FWD, UVS_FWD_TUNNEL),
	VOPT("masquerading", 'm', OPT_FWD, UVS_FWD_MASQ),
	OPT("weight", 'w', ARG_REQUIRED, OPT_WEIGHT),
	OPT("u-threshold", 'x', ARG_REQUIRED, OPT_UTHRESH),
	OPT("l-threshold", 'y', ARG_REQUIRED, OPT_LTHRESH),
	OPT("tun-type", 0, ARG_REQUIRED, OPT_TUN_TYPE),
	OPT("tun-port", 0, ARG_REQUIRED, OPT_TUN_PORT),
	OPT("tun-nocsum", 0, ARG_NONE, OPT_TUN_NOCSUM),
	OPT("tun-csum", 0, ARG_NONE, OPT_TUN_CSUM),
	OPT("tun-remcsum", 0, ARG_NONE, OPT_TUN_REMCSUM),
};

/* What the first pass collects: the command, and each option's text. */
struct parse {
	int kind; /* -1 until a command is seen */
	bool seen[OPT_COUNT];
	const char *val[OPT_COUNT]; /* NULL for a flag or an omitted optional value */
	int proto;		    /* of the service option; 0 for -f */
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

static const struct optdef *find_long(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++) {
		const char *l = optdefs[i].lng;
		if (l && strlen(l) == n && strncmp(l, name, n) == 0)
			return &optdefs[i];
	}
	return NULL;
}

static const struct optdef *find_short(char c)
{
	for (size_t i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++) {
		if (optdefs[i].shrt == c)
			return &optdefs[i];
	}
	return NULL;
}

static int take(struct parse *p, const struct optdef *o, const char *shown, const char *value)
{
	if (o->cmd == OTHER_CMD)
		return uvs_errorf(
			p->err, EINVAL,
			"'%s' is not a configuration command (-A -E -D -C -a -e -d --set)", shown);
	if (o->cmd != NOT_CMD) {
		if (p->kind >= 0)
			return uvs_errorf(p->err, EINVAL, "multiple commands specified");
		p->kind = o->cmd;
		return 0;
	}
	if (p->seen[o->opt])
		return uvs_errorf(p->err, EINVAL, "multiple '%s' options specified",
				  opt_names[o->opt]);
	p->seen[o->opt] = true;
	p->val[o->opt] = value;
	if (o->opt == OPT_SERVICE)
		p->proto = (int)o->variant;
	else if (o->opt == OPT_FWD)
		p->fwd = o->variant;
	return 0;
}

/* A value for option o from the rest of the word (rest, may be "") or the next word. */
static const char *value_for(const struct optdef *o, const char *rest, int argc, char *const argv[],
			     int *i)
{
	if (rest && *rest)
		return rest;
	if (*i + 1 >= argc)
		return NULL;
	/* An optional value is the next word unless that looks like an option. */
	if (o->arg == ARG_OPTIONAL && argv[*i + 1][0] == '-')
		return NULL;
	return argv[++*i];
}

static int scan_long(struct parse *p, int argc, char *const argv[], int *i)
{
	const char *word = argv[*i], *name = word + 2;
	const char *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	const struct optdef *o = find_long(name, n);
	const char *value = NULL;

	if (!o)
		return uvs_errorf(p->err, EINVAL, "unknown option '--%.*s'", (int)n, name);
	if (eq && o->arg == ARG_NONE)
		return uvs_errorf(p->err, EINVAL, "option '--%s' takes no value", o->lng);
	if (o->arg != ARG_NONE) {
		value = eq ? eq + 1 : value_for(o, NULL, argc, argv, i);
		if (!value && o->arg == ARG_REQUIRED)
			return uvs_errorf(p->err, EINVAL, "option '--%s' needs a value", o->lng);
	}
	return take(p, o, word, value);
}

/* A word of short options: "-A", "-gw5", "-p", "-p300". */
static int scan_short(struct parse *p, int argc, char *const argv[], int *i)
{
	const char *word = argv[*i];

	for (const char *c = word + 1; *c; c++) {
		const struct optdef *o = find_short(*c);
		char shown[3] = { '-', *c, 0 };
		const char *value = NULL;
		int ret;

		if (!o)
			return uvs_errorf(p->err, EINVAL, "unknown option '-%c'", *c);
		if (o->arg != ARG_NONE) {
			value = value_for(o, c + 1, argc, argv, i);
			if (!value && o->arg == ARG_REQUIRED)
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
		else if (p->kind == UVS_ADM_SET_TIMEOUT && p->npos < 3)
			p->pos[p->npos++] = a;
		else
			ret = uvs_errorf(p->err, EINVAL, "unexpected argument '%s'", a);
	}
	return ret;
}

static int check_rules(const struct parse *p)
{
	const char *row = cmd_rules[p->kind];

	for (int o = 0; o < OPT_COUNT; o++) {
		if (!p->seen[o] && row[o] == '+')
			return uvs_errorf(p->err, EINVAL,
					  "You need to supply the '%s' option for the '%s' command",
					  opt_names[o], cmd_names[p->kind]);
		if (p->seen[o] && row[o] == 'x')
			return uvs_errorf(p->err, EINVAL,
					  "Illegal '%s' option with the '%s' command", opt_names[o],
					  cmd_names[p->kind]);
	}
	return 0;
}

static int parse_service(const struct parse *p, struct uvs_svc_key *k)
{
	const char *text = p->val[OPT_SERVICE];
	union uvs_addr addr;
	uint16_t af, port;
	bool has_port;
	uint64_t v = 0;

	if (p->proto == 0) {
		if (parse_num(text, 1, UINT32_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL,
					  "illegal virtual server fwmark specified: '%s'", text);
		uvs_svc_key_fwmark(k, p->seen[OPT_IPV6] ? AF_INET6 : AF_INET, (uint32_t)v);
		return 0;
	}
	if (p->seen[OPT_IPV6])
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
	const char *text = p->val[OPT_NETMASK];
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
	const char *sched = p->seen[OPT_SCHED] ? p->val[OPT_SCHED] : UVS_DEFAULT_SCHED;
	uint64_t v = 0;
	int ret;

	if (!sched[0] || strlen(sched) >= sizeof(c->sched_name))
		return uvs_errorf(p->err, EINVAL, "illegal scheduler name '%s'", sched);
	strcpy(c->sched_name, sched);
	c->netmask = k->af == AF_INET6 ? 128 : 0xffffffffu;
	if (p->seen[OPT_NETMASK] && (ret = parse_netmask(p, k->af, &c->netmask)))
		return ret;
	if (p->seen[OPT_PERSIST]) {
		v = UVS_PERSIST_TIMEOUT_DEF;
		if (p->val[OPT_PERSIST] &&
		    parse_num(p->val[OPT_PERSIST], 1, UVS_PERSIST_TIMEOUT_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL,
					  "illegal persistence timeout '%s' (1..%u)",
					  p->val[OPT_PERSIST], UVS_PERSIST_TIMEOUT_MAX);
		c->flags |= UVS_SVC_F_PERSISTENT;
		c->timeout = (uint32_t)v;
	}
	if (p->seen[OPT_PE]) {
		if (!p->val[OPT_PE][0] || strlen(p->val[OPT_PE]) >= sizeof(c->pe_name))
			return uvs_errorf(p->err, EINVAL, "illegal persistence engine name '%s'",
					  p->val[OPT_PE]);
		strcpy(c->pe_name, p->val[OPT_PE]);
	}
	if (p->seen[OPT_OPS]) {
		if (k->fwmark == 0 && k->protocol != IPPROTO_UDP)
			return uvs_errorf(p->err, EINVAL,
					  "One-Packet Scheduling is only for UDP virtual services");
		c->flags |= UVS_SVC_F_ONEPACKET;
	}
	if (p->seen[OPT_SCHED_FLAGS] &&
	    (ret = parse_sched_flags(p->val[OPT_SCHED_FLAGS], sched, &c->flags, p->err)))
		return ret;
	if (k->fwmark == 0 && k->port == 0 && !(c->flags & UVS_SVC_F_PERSISTENT))
		return uvs_errorf(p->err, EINVAL, "Zero port specified for non-persistent service");
	return 0;
}

/* A threshold: 0..INT_MAX as ipvsadm takes it. */
static int parse_u32_opt(const struct parse *p, enum opt o, const char *what, uint64_t *v)
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

	for (int o = OPT_TUN_TYPE; o <= OPT_TUN_REMCSUM; o++) {
		if (p->seen[o] && d->fwd != UVS_FWD_TUNNEL)
			return uvs_errorf(p->err, EINVAL,
					  "Tunnel options conflict with forward method");
	}
	if (p->seen[OPT_TUN_TYPE]) {
		unsigned t;
		for (t = 0; t < 3 && strcmp(types[t], p->val[OPT_TUN_TYPE]) != 0; t++)
			;
		if (t == 3)
			return uvs_errorf(p->err, EINVAL, "illegal tunnel type specified: '%s'",
					  p->val[OPT_TUN_TYPE]);
		d->tun_type = (uint8_t)t;
	}
	row = rules[d->tun_type];
	for (int o = OPT_TUN_PORT; o <= OPT_TUN_REMCSUM; o++) {
		char r = row[o - OPT_TUN_PORT];
		if (!p->seen[o] && r == '+')
			return uvs_errorf(
				p->err, EINVAL,
				"You need to supply the '%s' option for the '%s' tunnel type",
				opt_names[o], types[d->tun_type]);
		if (p->seen[o] && r == 'x')
			return uvs_errorf(p->err, EINVAL,
					  "Illegal '%s' option with the '%s' tunnel type",
					  opt_names[o], types[d->tun_type]);
		if (p->seen[o] && r == '1') {
			if (last >= 0)
				return uvs_errorf(
					p->err, EINVAL,
					"The option '%s' conflicts with the '%s' option in the "
					"'%s' tunnel type",
					opt_names[o], opt_names[last], types[d->tun_type]);
			last = o;
		}
	}
	if (p->seen[OPT_TUN_PORT]) {
		if (parse_num(p->val[OPT_TUN_PORT], 1, 65535, &v) < 0)
			return uvs_errorf(p->err, EINVAL, "illegal tunnel port specified: '%s'",
					  p->val[OPT_TUN_PORT]);
		d->tun_port = htons((uint16_t)v);
	}
	if (p->seen[OPT_TUN_CSUM])
		d->tun_flags = UVS_TUN_F_CSUM;
	else if (p->seen[OPT_TUN_REMCSUM])
		d->tun_flags = UVS_TUN_F_REMCSUM;
	return 0;
}

static int parse_dest(const struct parse *p, const struct uvs_svc_key *k, bool del,
		      struct uvs_dest_conf *d)
{
	const char *text = p->val[OPT_SERVER];
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
	d->fwd = p->seen[OPT_FWD] ? p->fwd : UVS_FWD_DROUTE;
	/* Direct routing and tunnels cannot change the port: ipvsadm forces it. */
	if (k->fwmark == 0 && (d->fwd == UVS_FWD_DROUTE || d->fwd == UVS_FWD_TUNNEL))
		d->port = k->port;
	if (d->af != k->af && d->fwd != UVS_FWD_TUNNEL)
		return uvs_errorf(p->err, EINVAL,
				  "Different address family is allowed only for tunneling servers");
	d->weight = 1;
	if (p->seen[OPT_WEIGHT]) {
		if (parse_num(p->val[OPT_WEIGHT], 0, UVS_WEIGHT_MAX, &v) < 0)
			return uvs_errorf(p->err, EINVAL, "illegal weight specified: '%s' (0..%d)",
					  p->val[OPT_WEIGHT], UVS_WEIGHT_MAX);
		d->weight = (int64_t)v;
	}
	if (p->seen[OPT_UTHRESH]) {
		if ((ret = parse_u32_opt(p, OPT_UTHRESH, "u_threshold", &v)))
			return ret;
		d->u_threshold = (uint32_t)v;
	}
	if (p->seen[OPT_LTHRESH]) {
		if ((ret = parse_u32_opt(p, OPT_LTHRESH, "l_threshold", &v)))
			return ret;
		d->l_threshold = (uint32_t)v;
	}
	return parse_tunnel(p, d);
}

static int parse_timeouts(const struct parse *p, struct uvs_adm_cmd *cmd)
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

int uvs_adm_parse_argv(int argc, char *const argv[], struct uvs_adm_cmd *cmd, struct uvs_error *err)
{
	struct parse p = { .kind = -1, .err = err };
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	ret = scan(&p, argc, argv);
	if (ret)
		return ret;
	if (p.kind < 0)
		return uvs_errorf(err, EINVAL, "no command specified (-A -E -D -C -a -e -d --set)");
	if ((ret = check_rules(&p)))
		return ret;
	cmd->kind = (enum uvs_adm_kind)p.kind;
	switch (cmd->kind) {
	case UVS_ADM_CLEAR:
		return 0;
	case UVS_ADM_SET_TIMEOUT:
		return parse_timeouts(&p, cmd);
	default:
		break;
	}
	if ((ret = parse_service(&p, &cmd->svc.key)))
		return ret;
	switch (cmd->kind) {
	case UVS_ADM_ADD_SVC:
	case UVS_ADM_EDIT_SVC:
		return parse_svc_attrs(&p, &cmd->svc);
	case UVS_ADM_ADD_DEST:
	case UVS_ADM_EDIT_DEST:
		return parse_dest(&p, &cmd->svc.key, false, &cmd->dest);
	case UVS_ADM_DEL_DEST:
		return parse_dest(&p, &cmd->svc.key, true, &cmd->dest);
	default:
		return 0;
	}
}

int uvs_adm_parse_line(const char *line, struct uvs_adm_cmd *cmd, struct uvs_error *err)
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
