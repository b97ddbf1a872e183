// SPDX-License-Identifier: GPL-2.0-or-later
#include "msg.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uvs/ctl.h"

#define ADDR_LEN 16 /* union nf_inet_addr, as the kernel's policy has it */

static int fail(struct uvs_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct uvs_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

/* An attribute's expected payload: the libmnl type, or a fixed binary length. */
struct attr_rule {
	enum mnl_attr_data_type type;
	size_t len; /* MNL_TYPE_BINARY: exact length; MNL_TYPE_NUL_STRING: max with NUL */
};

struct parse_ctx {
	const struct nlattr **tb;
	const struct attr_rule *rules;
	unsigned max;
	int bad; /* the first attribute refused, or 0 */
};

static int collect(const struct nlattr *a, void *data)
{
	struct parse_ctx *c = data;
	unsigned type = mnl_attr_get_type(a);
	const struct attr_rule *r;

	if (type == 0 || type > c->max || c->rules[type].type == MNL_TYPE_UNSPEC || c->tb[type]) {
		c->bad = type ? (int)type : -1; /* unknown, or given twice */
		return MNL_CB_ERROR;
	}
	r = &c->rules[type];
	if (r->type == MNL_TYPE_BINARY) {
		if (mnl_attr_get_payload_len(a) != r->len)
			goto bad;
	} else if (r->type == MNL_TYPE_NUL_STRING) {
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(a) > r->len)
			goto bad;
	} else if (mnl_attr_validate(a, r->type) < 0) {
		goto bad;
	}
	c->tb[type] = a;
	return MNL_CB_OK;
bad:
	c->bad = (int)type;
	return MNL_CB_ERROR;
}

/* Fills tb[1..max] from the attributes of nest (or of nlh after the genl header).
 * Returns 0 or the number of the attribute refused (-1 for a malformed one). */
static int parse_nested(const struct nlattr *nest, const struct attr_rule *rules, unsigned max,
			const struct nlattr **tb)
{
	struct parse_ctx c = { tb, rules, max, 0 };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (mnl_attr_parse_nested(nest, collect, &c) < 0)
		return c.bad ? c.bad : -1;
	return 0;
}

static const struct attr_rule svc_rules[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { MNL_TYPE_U16, 0 },
	[IPVS_SVC_ATTR_PROTOCOL] = { MNL_TYPE_U16, 0 },
	[IPVS_SVC_ATTR_ADDR] = { MNL_TYPE_BINARY, ADDR_LEN },
	[IPVS_SVC_ATTR_PORT] = { MNL_TYPE_U16, 0 },
	[IPVS_SVC_ATTR_FWMARK] = { MNL_TYPE_U32, 0 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { MNL_TYPE_NUL_STRING, UVS_SCHED_NAME_MAX },
	[IPVS_SVC_ATTR_FLAGS] = { MNL_TYPE_BINARY, sizeof(struct ip_vs_flags) },
	[IPVS_SVC_ATTR_TIMEOUT] = { MNL_TYPE_U32, 0 },
	[IPVS_SVC_ATTR_NETMASK] = { MNL_TYPE_U32, 0 },
	[IPVS_SVC_ATTR_STATS] = { MNL_TYPE_NESTED, 0 },
	[IPVS_SVC_ATTR_PE_NAME] = { MNL_TYPE_NUL_STRING, UVS_PE_NAME_MAX },
	[IPVS_SVC_ATTR_STATS64] = { MNL_TYPE_NESTED, 0 },
};

static const struct attr_rule dest_rules[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { MNL_TYPE_BINARY, ADDR_LEN },
	[IPVS_DEST_ATTR_PORT] = { MNL_TYPE_U16, 0 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_WEIGHT] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_U_THRESH] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_L_THRESH] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_PERSIST_CONNS] = { MNL_TYPE_U32, 0 },
	[IPVS_DEST_ATTR_STATS] = { MNL_TYPE_NESTED, 0 },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { MNL_TYPE_U16, 0 },
	[IPVS_DEST_ATTR_STATS64] = { MNL_TYPE_NESTED, 0 },
	[IPVS_DEST_ATTR_TUN_TYPE] = { MNL_TYPE_U8, 0 },
	[IPVS_DEST_ATTR_TUN_PORT] = { MNL_TYPE_U16, 0 },
	[IPVS_DEST_ATTR_TUN_FLAGS] = { MNL_TYPE_U16, 0 },
};

static const struct attr_rule cmd_rules[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE] = { MNL_TYPE_NESTED, 0 },
	[IPVS_CMD_ATTR_DEST] = { MNL_TYPE_NESTED, 0 },
	[IPVS_CMD_ATTR_DAEMON] = { MNL_TYPE_NESTED, 0 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP] = { MNL_TYPE_U32, 0 },
	[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN] = { MNL_TYPE_U32, 0 },
	[IPVS_CMD_ATTR_TIMEOUT_UDP] = { MNL_TYPE_U32, 0 },
};

static const struct attr_rule stats64_rules[IPVS_STATS_ATTR_MAX + 1] = {
	[IPVS_STATS_ATTR_CONNS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_INPKTS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_OUTPKTS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_INBYTES] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_OUTBYTES] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_CPS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_INPPS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_OUTPPS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_INBPS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_OUTBPS] = { MNL_TYPE_U64, 0 },
	[IPVS_STATS_ATTR_PAD] = { MNL_TYPE_BINARY, 0 },
};

/* A top-level attribute table parsed from after the generic netlink header. */
static int parse_top(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	struct parse_ctx c = { tb, cmd_rules, IPVS_CMD_ATTR_MAX, 0 };

	memset(tb, 0, sizeof(*tb) * (IPVS_CMD_ATTR_MAX + 1));
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), collect, &c) < 0)
		return c.bad ? c.bad : -1;
	return 0;
}

static int decode_svc(const struct nlattr *nest, struct uvs_ctl_req *r, struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	struct uvs_svc_conf *c = &r->svc;
	int bad = parse_nested(nest, svc_rules, IPVS_SVC_ATTR_MAX, tb);

	if (bad)
		return fail(err, EINVAL, "malformed service attribute %d", bad);
	if (!tb[IPVS_SVC_ATTR_AF])
		return fail(err, EINVAL, "service without an address family");
	uint16_t af = mnl_attr_get_u16(tb[IPVS_SVC_ATTR_AF]);
	if (af != AF_INET && af != AF_INET6)
		return fail(err, EAFNOSUPPORT, "address family %u is not IPv4 or IPv6", af);
	if (tb[IPVS_SVC_ATTR_FWMARK]) {
		uvs_svc_key_fwmark(&c->key, af, mnl_attr_get_u32(tb[IPVS_SVC_ATTR_FWMARK]));
	} else if (tb[IPVS_SVC_ATTR_PROTOCOL] && tb[IPVS_SVC_ATTR_ADDR] && tb[IPVS_SVC_ATTR_PORT]) {
		union uvs_addr a;
		memcpy(&a, mnl_attr_get_payload(tb[IPVS_SVC_ATTR_ADDR]), ADDR_LEN);
		if (af == AF_INET)
			memset(a.ip6 + 4, 0, 12);
		uvs_svc_key_inet(&c->key, af, mnl_attr_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]), &a,
				 mnl_attr_get_u16(tb[IPVS_SVC_ATTR_PORT]));
	} else {
		return fail(err, EINVAL, "service needs a fwmark, or a protocol, address and port");
	}
	r->has_svc = true;
	r->svc_full = tb[IPVS_SVC_ATTR_SCHED_NAME] && tb[IPVS_SVC_ATTR_FLAGS] &&
		      tb[IPVS_SVC_ATTR_TIMEOUT] && tb[IPVS_SVC_ATTR_NETMASK];
	if (!r->svc_full)
		return 0;
	strcpy(c->sched_name, mnl_attr_get_str(tb[IPVS_SVC_ATTR_SCHED_NAME]));
	const struct ip_vs_flags *fl = mnl_attr_get_payload(tb[IPVS_SVC_ATTR_FLAGS]);
	c->flags = fl->flags & fl->mask;
	r->svc_flags_mask = fl->mask;
	c->timeout = mnl_attr_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	c->netmask = mnl_attr_get_u32(tb[IPVS_SVC_ATTR_NETMASK]);
	if (tb[IPVS_SVC_ATTR_PE_NAME])
		strcpy(c->pe_name, mnl_attr_get_str(tb[IPVS_SVC_ATTR_PE_NAME]));
	return 0;
}

static int decode_dest(const struct nlattr *nest, struct uvs_ctl_req *r, struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];
	struct uvs_dest_conf *d = &r->dest;
	int bad = parse_nested(nest, dest_rules, IPVS_DEST_ATTR_MAX, tb);

	if (bad)
		return fail(err, EINVAL, "malformed destination attribute %d", bad);
	if (!tb[IPVS_DEST_ATTR_ADDR] || !tb[IPVS_DEST_ATTR_PORT])
		return fail(err, EINVAL, "destination needs an address and a port");
	/* Without its own family a destination has the service's (known by now). */
	d->af = tb[IPVS_DEST_ATTR_ADDR_FAMILY] ? mnl_attr_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY])
					       : r->svc.key.af;
	if (d->af != AF_INET && d->af != AF_INET6)
		return fail(err, EAFNOSUPPORT, "address family %u is not IPv4 or IPv6", d->af);
	memcpy(&d->addr, mnl_attr_get_payload(tb[IPVS_DEST_ATTR_ADDR]), ADDR_LEN);
	if (d->af == AF_INET)
		memset(d->addr.ip6 + 4, 0, 12);
	d->port = mnl_attr_get_u16(tb[IPVS_DEST_ATTR_PORT]);
	r->has_dest = true;
	r->dest_full = tb[IPVS_DEST_ATTR_FWD_METHOD] && tb[IPVS_DEST_ATTR_WEIGHT] &&
		       tb[IPVS_DEST_ATTR_U_THRESH] && tb[IPVS_DEST_ATTR_L_THRESH];
	if (!r->dest_full)
		return 0;
	d->fwd = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) & UVS_FWD_MASK;
	/* The kernel's weight is an int: a negative one arrives as a large u32. */
	d->weight = (int32_t)mnl_attr_get_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	d->u_threshold = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_U_THRESH]);
	d->l_threshold = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_L_THRESH]);
	if (tb[IPVS_DEST_ATTR_TUN_TYPE])
		d->tun_type = mnl_attr_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
	if (tb[IPVS_DEST_ATTR_TUN_PORT])
		d->tun_port = mnl_attr_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]);
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
		d->tun_flags = mnl_attr_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	return 0;
}

int uvs_ctl_req_decode(const struct nlmsghdr *nlh, struct uvs_ctl_req *r, struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];
	const struct genlmsghdr *g;
	int ret, bad;

	memset(r, 0, sizeof(*r));
	if (nlh->nlmsg_type != UVS_CTL_FAMILY)
		return fail(err, EOPNOTSUPP, "not an IPVS message (type %u)", nlh->nlmsg_type);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return fail(err, EINVAL, "message too short for its generic netlink header");
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd == IPVS_CMD_UNSPEC || g->cmd > UVS_CMD_GET_COUNTERS)
		return fail(err, EOPNOTSUPP, "unknown command %u", g->cmd);
	r->cmd = g->cmd;
	r->dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	bad = parse_top(nlh, tb);
	if (bad)
		return fail(err, EINVAL, "malformed attribute %d", bad);
	if (tb[IPVS_CMD_ATTR_SERVICE] && (ret = decode_svc(tb[IPVS_CMD_ATTR_SERVICE], r, err)))
		return ret;
	if (tb[IPVS_CMD_ATTR_DEST]) {
		if (!r->has_svc)
			return fail(err, EINVAL, "a destination without its service");
		if ((ret = decode_dest(tb[IPVS_CMD_ATTR_DEST], r, err)))
			return ret;
	}
	if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP] || tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN] ||
	    tb[IPVS_CMD_ATTR_TIMEOUT_UDP]) {
		r->has_timeouts = true;
		if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP])
			r->tcp = mnl_attr_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP]);
		if (tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN])
			r->tcpfin = mnl_attr_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]);
		if (tb[IPVS_CMD_ATTR_TIMEOUT_UDP])
			r->udp = mnl_attr_get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_UDP]);
	}
	return 0;
}

struct nlmsghdr *uvs_ctl_msg_start(void *buf, uint16_t flags, uint32_t seq, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = UVS_CTL_FAMILY;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = IPVS_GENL_VERSION;
	return nlh;
}

void uvs_ctl_put_svc(struct nlmsghdr *nlh, const struct uvs_svc_conf *c, bool full)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, c->key.af);
	if (c->key.fwmark) {
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, c->key.fwmark);
	} else {
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, c->key.protocol);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, ADDR_LEN, &c->key.addr);
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, c->key.port);
	}
	if (full) {
		struct ip_vs_flags fl = { .flags = c->flags, .mask = ~0u };
		mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME,
				  c->sched_name[0] ? c->sched_name : UVS_DEFAULT_SCHED);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, c->timeout);
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, c->netmask);
		if (c->pe_name[0])
			mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_PE_NAME, c->pe_name);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_dest_attrs(struct nlmsghdr *nlh, const struct uvs_dest_conf *d, bool full)
{
	mnl_attr_put(nlh, IPVS_DEST_ATTR_ADDR, ADDR_LEN, &d->addr);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, d->port);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, d->af);
	if (!full)
		return;
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, d->fwd);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, d->u_threshold);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, d->l_threshold);
	mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, d->tun_port);
	mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags);
}

void uvs_ctl_put_dest(struct nlmsghdr *nlh, const struct uvs_dest_conf *d, bool full)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);

	put_dest_attrs(nlh, d, full);
	mnl_attr_nest_end(nlh, nest);
}

/* The 32-bit STATS nest (older readers) and the 64-bit STATS64 nest. */
static void put_stats(struct nlmsghdr *nlh, int type32, int type64, const struct uvs_counters *c,
		      const struct uvs_rates *r)
{
	const uint64_t v[] = { c->conns, c->inpkts, c->outpkts, c->inbytes, c->outbytes,
			       r->cps,	 r->inpps,  r->outpps,	r->inbps,   r->outbps };
	struct nlattr *nest = mnl_attr_nest_start(nlh, type32);

	for (int i = 0; i < 10; i++) {
		int attr = IPVS_STATS_ATTR_CONNS + i;
		if (attr == IPVS_STATS_ATTR_INBYTES || attr == IPVS_STATS_ATTR_OUTBYTES)
			mnl_attr_put_u64(nlh, attr, v[i]);
		else
			mnl_attr_put_u32(nlh, attr, (uint32_t)v[i]);
	}
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, type64);
	for (int i = 0; i < 10; i++)
		mnl_attr_put_u64(nlh, IPVS_STATS_ATTR_CONNS + i, v[i]);
	mnl_attr_nest_end(nlh, nest);
}

void uvs_ctl_put_svc_info(struct nlmsghdr *nlh, const struct uvs_adm_svc_info *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	struct ip_vs_flags fl = { .flags = s->conf.flags, .mask = ~0u };
	const struct uvs_svc_key *k = &s->conf.key;

	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, k->af);
	if (k->fwmark) {
		mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, k->fwmark);
	} else {
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, k->protocol);
		mnl_attr_put(nlh, IPVS_SVC_ATTR_ADDR, ADDR_LEN, &k->addr);
		mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, k->port);
	}
	mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, s->conf.sched_name);
	if (s->conf.pe_name[0])
		mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_PE_NAME, s->conf.pe_name);
	mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, s->conf.timeout);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, s->conf.netmask);
	put_stats(nlh, IPVS_SVC_ATTR_STATS, IPVS_SVC_ATTR_STATS64, &s->stats, &s->rates);
	mnl_attr_nest_end(nlh, nest);
}

void uvs_ctl_put_dest_info(struct nlmsghdr *nlh, const struct uvs_adm_dest_info *d)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);

	put_dest_attrs(nlh, &d->conf, true);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_ACTIVE_CONNS, d->activeconns);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_INACT_CONNS, d->inactconns);
	mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_PERSIST_CONNS, d->persistconns);
	put_stats(nlh, IPVS_DEST_ATTR_STATS, IPVS_DEST_ATTR_STATS64, &d->stats, &d->rates);
	mnl_attr_nest_end(nlh, nest);
}

/* Reads a STATS64 nest. Returns 0 or -EINVAL. */
static int get_stats64(const struct nlattr *nest, struct uvs_counters *c, struct uvs_rates *r)
{
	const struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
	uint64_t v[10] = { 0 };

	if (parse_nested(nest, stats64_rules, IPVS_STATS_ATTR_MAX, tb))
		return -EINVAL;
	for (int i = 0; i < 10; i++)
		if (tb[IPVS_STATS_ATTR_CONNS + i])
			v[i] = mnl_attr_get_u64(tb[IPVS_STATS_ATTR_CONNS + i]);
	*c = (struct uvs_counters){ v[0], v[1], v[2], v[3], v[4] };
	*r = (struct uvs_rates){ (uint32_t)v[5], (uint32_t)v[6], (uint32_t)v[7], (uint32_t)v[8],
				 (uint32_t)v[9] };
	return 0;
}

int uvs_ctl_get_svc_info(const struct nlattr *nest, struct uvs_adm_svc_info *s)
{
	struct uvs_ctl_req r = { 0 };
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];

	memset(s, 0, sizeof(*s));
	if (decode_svc(nest, &r, NULL) || !r.svc_full)
		return -EINVAL;
	s->conf = r.svc;
	parse_nested(nest, svc_rules, IPVS_SVC_ATTR_MAX, tb); /* succeeded in decode_svc */
	if (tb[IPVS_SVC_ATTR_STATS64] &&
	    get_stats64(tb[IPVS_SVC_ATTR_STATS64], &s->stats, &s->rates))
		return -EINVAL;
	return 0;
}

int uvs_ctl_get_dest_info(const struct nlattr *nest, int af, struct uvs_adm_dest_info *d)
{
	struct uvs_ctl_req r = { 0 };
	const struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];

	memset(d, 0, sizeof(*d));
	r.svc.key.af = (uint16_t)af;
	if (decode_dest(nest, &r, NULL) || !r.dest_full)
		return -EINVAL;
	d->conf = r.dest;
	parse_nested(nest, dest_rules, IPVS_DEST_ATTR_MAX, tb);
	if (tb[IPVS_DEST_ATTR_ACTIVE_CONNS])
		d->activeconns = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	if (tb[IPVS_DEST_ATTR_INACT_CONNS])
		d->inactconns = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_INACT_CONNS]);
	if (tb[IPVS_DEST_ATTR_PERSIST_CONNS])
		d->persistconns = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_PERSIST_CONNS]);
	if (tb[IPVS_DEST_ATTR_STATS64] &&
	    get_stats64(tb[IPVS_DEST_ATTR_STATS64], &d->stats, &d->rates))
		return -EINVAL;
	return 0;
}
