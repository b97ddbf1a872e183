// SPDX-License-Identifier: GPL-2.0-or-later
/* The message writer and the strict attribute parser of the control protocol. */
#include "codec.h"

#include "core/proto_sctp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void uvs_ctl_msg_start(struct uvs_ctl_msg *w, void *buf, size_t room, uint16_t flags, uint32_t seq,
		       uint8_t cmd)
{
	struct genlmsghdr *g;

	w->nlh = mnl_nlmsg_put_header(buf);
	w->nlh->nlmsg_type = UVS_CTL_FAMILY;
	w->nlh->nlmsg_flags = flags;
	w->nlh->nlmsg_seq = seq;
	w->room = room;
	w->full = false;
	g = mnl_nlmsg_put_extra_header(w->nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = UVS_CTL_VERSION;
}

/* libmnl's *_check functions write nothing and return false when out of room. */
void uvs_ctl_put_u8(struct uvs_ctl_msg *w, uint16_t type, uint8_t v)
{
	if (!w->full && !mnl_attr_put_u8_check(w->nlh, w->room, type, v))
		w->full = true;
}

void uvs_ctl_put_u16(struct uvs_ctl_msg *w, uint16_t type, uint16_t v)
{
	if (!w->full && !mnl_attr_put_u16_check(w->nlh, w->room, type, v))
		w->full = true;
}

void uvs_ctl_put_u32(struct uvs_ctl_msg *w, uint16_t type, uint32_t v)
{
	if (!w->full && !mnl_attr_put_u32_check(w->nlh, w->room, type, v))
		w->full = true;
}

void uvs_ctl_put_u64(struct uvs_ctl_msg *w, uint16_t type, uint64_t v)
{
	if (!w->full && !mnl_attr_put_u64_check(w->nlh, w->room, type, v))
		w->full = true;
}

void uvs_ctl_put_str(struct uvs_ctl_msg *w, uint16_t type, const char *s)
{
	if (!w->full && !mnl_attr_put_strz_check(w->nlh, w->room, type, s))
		w->full = true;
}

void uvs_ctl_put_bin(struct uvs_ctl_msg *w, uint16_t type, const void *p, size_t len)
{
	if (!w->full && !mnl_attr_put_check(w->nlh, w->room, type, len, p))
		w->full = true;
}

struct nlattr *uvs_ctl_nest_start(struct uvs_ctl_msg *w, uint16_t type)
{
	struct nlattr *n = w->full ? NULL : mnl_attr_nest_start_check(w->nlh, w->room, type);

	if (!n)
		w->full = true;
	return n;
}

void uvs_ctl_nest_end(struct uvs_ctl_msg *w, struct nlattr *nest)
{
	if (nest && !w->full)
		mnl_attr_nest_end(w->nlh, nest);
}

static void put_key_attrs(struct uvs_ctl_msg *w, const struct uvs_svc_key *k)
{
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, k->af);
	if (k->fwmark) {
		uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, k->fwmark);
		return;
	}
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PROTOCOL, k->protocol);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_ADDR, &k->addr, sizeof(k->addr));
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PORT, k->port);
}

static void put_conf_attrs(struct uvs_ctl_msg *w, const struct uvs_svc_conf *c)
{
	struct ip_vs_flags flags = { .flags = c->flags, .mask = ~0u };

	put_key_attrs(w, &c->key);
	uvs_ctl_put_str(w, IPVS_SVC_ATTR_SCHED_NAME, c->sched_name);
	if (c->pe_name[0])
		uvs_ctl_put_str(w, IPVS_SVC_ATTR_PE_NAME, c->pe_name);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_FLAGS, &flags, sizeof(flags));
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_TIMEOUT, c->timeout);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_NETMASK, c->netmask);
}

void uvs_ctl_put_svc_key(struct uvs_ctl_msg *w, const struct uvs_svc_key *k)
{
	struct nlattr *n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);

	put_key_attrs(w, k);
	uvs_ctl_nest_end(w, n);
}

void uvs_ctl_put_svc_conf(struct uvs_ctl_msg *w, const struct uvs_svc_conf *c)
{
	struct nlattr *n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);

	put_conf_attrs(w, c);
	uvs_ctl_nest_end(w, n);
}

/* The kernel's two stats nests: STATS with 32-bit counts (bytes 64-bit), STATS64. */
static void put_stats(struct uvs_ctl_msg *w, uint16_t type, const struct uvs_counters *c,
		      const struct uvs_rates *r, bool wide)
{
	struct nlattr *n = uvs_ctl_nest_start(w, type);
	const uint64_t v[] = { c->conns, c->inpkts, c->outpkts, c->inbytes, c->outbytes,
			       r->cps,	 r->inpps,  r->outpps,	r->inbps,   r->outbps };

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint16_t t = (uint16_t)(IPVS_STATS_ATTR_CONNS + i);
		if (wide || t == IPVS_STATS_ATTR_INBYTES || t == IPVS_STATS_ATTR_OUTBYTES)
			uvs_ctl_put_u64(w, t, v[i]);
		else
			uvs_ctl_put_u32(w, t, (uint32_t)v[i]);
	}
	uvs_ctl_nest_end(w, n);
}

void uvs_ctl_put_svc_info(struct uvs_ctl_msg *w, const struct uvs_snap_svc *s)
{
	struct nlattr *n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);

	put_conf_attrs(w, &s->conf);
	put_stats(w, IPVS_SVC_ATTR_STATS, &s->stats, &s->rates, false);
	put_stats(w, IPVS_SVC_ATTR_STATS64, &s->stats, &s->rates, true);
	uvs_ctl_nest_end(w, n);
}

static void put_dest_attrs(struct uvs_ctl_msg *w, const struct uvs_dest_conf *d, bool full)
{
	uvs_ctl_put_u16(w, IPVS_DEST_ATTR_ADDR_FAMILY, d->af);
	uvs_ctl_put_bin(w, IPVS_DEST_ATTR_ADDR, &d->addr, sizeof(d->addr));
	uvs_ctl_put_u16(w, IPVS_DEST_ATTR_PORT, d->port);
	if (!full)
		return;
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_FWD_METHOD, d->fwd & UVS_FWD_MASK);
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight);
	uvs_ctl_put_u8(w, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type);
	uvs_ctl_put_u16(w, IPVS_DEST_ATTR_TUN_PORT, d->tun_port);
	uvs_ctl_put_u16(w, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags);
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_U_THRESH, d->u_threshold);
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_L_THRESH, d->l_threshold);
}

void uvs_ctl_put_dest(struct uvs_ctl_msg *w, const struct uvs_dest_conf *d, bool full)
{
	struct nlattr *n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_DEST);

	put_dest_attrs(w, d, full);
	uvs_ctl_nest_end(w, n);
}

void uvs_ctl_put_dest_info(struct uvs_ctl_msg *w, const struct uvs_snap_dest *d)
{
	struct nlattr *n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_DEST);

	put_dest_attrs(w, &d->conf, true);
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_ACTIVE_CONNS, d->activeconns);
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_INACT_CONNS, d->inactconns);
	uvs_ctl_put_u32(w, IPVS_DEST_ATTR_PERSIST_CONNS, d->persistconns);
	put_stats(w, IPVS_DEST_ATTR_STATS, &d->stats, &d->rates, false);
	put_stats(w, IPVS_DEST_ATTR_STATS64, &d->stats, &d->rates, true);
	uvs_ctl_nest_end(w, n);
}

void uvs_ctl_put_daemon(struct uvs_ctl_msg *w, const struct uvs_ctl_daemon *d)
{
	struct nlattr *n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_DAEMON);

	uvs_ctl_put_u32(w, IPVS_DAEMON_ATTR_STATE, d->state);
	uvs_ctl_put_str(w, IPVS_DAEMON_ATTR_MCAST_IFN, d->mcast_ifn);
	uvs_ctl_put_u32(w, IPVS_DAEMON_ATTR_SYNC_ID, d->syncid);
	if (d->sync_maxlen)
		uvs_ctl_put_u16(w, IPVS_DAEMON_ATTR_SYNC_MAXLEN, d->sync_maxlen);
	if (d->mcast_af == AF_INET)
		uvs_ctl_put_u32(w, IPVS_DAEMON_ATTR_MCAST_GROUP, d->mcast_group.ip);
	else if (d->mcast_af == AF_INET6)
		uvs_ctl_put_bin(w, IPVS_DAEMON_ATTR_MCAST_GROUP6, &d->mcast_group, 16);
	if (d->mcast_port)
		uvs_ctl_put_u16(w, IPVS_DAEMON_ATTR_MCAST_PORT, d->mcast_port);
	if (d->mcast_ttl)
		uvs_ctl_put_u8(w, IPVS_DAEMON_ATTR_MCAST_TTL, d->mcast_ttl);
	uvs_ctl_nest_end(w, n);
}

void uvs_ctl_put_conn(struct uvs_ctl_msg *w, const struct uvs_ctl_conn *c)
{
	struct nlattr *n = uvs_ctl_nest_start(w, UVS_CMD_ATTR_CONN);

	uvs_ctl_put_u16(w, UVS_CONN_ATTR_PROTOCOL, c->protocol);
	uvs_ctl_put_u16(w, UVS_CONN_ATTR_AF, c->af);
	uvs_ctl_put_bin(w, UVS_CONN_ATTR_CADDR, &c->caddr, 16);
	uvs_ctl_put_u16(w, UVS_CONN_ATTR_CPORT, c->cport);
	uvs_ctl_put_bin(w, UVS_CONN_ATTR_VADDR, &c->vaddr, 16);
	uvs_ctl_put_u16(w, UVS_CONN_ATTR_VPORT, c->vport);
	uvs_ctl_put_u16(w, UVS_CONN_ATTR_DAF, c->daf);
	uvs_ctl_put_bin(w, UVS_CONN_ATTR_DADDR, &c->daddr, 16);
	uvs_ctl_put_u16(w, UVS_CONN_ATTR_DPORT, c->dport);
	uvs_ctl_put_str(w, UVS_CONN_ATTR_STATE, c->state);
	uvs_ctl_put_u32(w, UVS_CONN_ATTR_EXPIRES, c->expires_ms);
	uvs_ctl_put_u32(w, UVS_CONN_ATTR_FLAGS, c->flags);
	uvs_ctl_nest_end(w, n);
}

void uvs_ctl_put_counter(struct uvs_ctl_msg *w, const struct uvs_ctl_counter *c)
{
	struct nlattr *n = uvs_ctl_nest_start(w, UVS_CMD_ATTR_COUNTER);

	uvs_ctl_put_str(w, UVS_COUNTER_ATTR_NAME, c->name);
	uvs_ctl_put_u64(w, UVS_COUNTER_ATTR_VALUE, c->value);
	uvs_ctl_nest_end(w, n);
}

/* ---- reading ---- */

static bool attr_fits(const struct nlattr *a, const struct uvs_ctl_policy *p)
{
	static const uint8_t fixed[] = { [UVS_CTL_U8] = 1,
					 [UVS_CTL_U16] = 2,
					 [UVS_CTL_U32] = 4,
					 [UVS_CTL_U64] = 8,
					 [UVS_CTL_FLAGS] = 8 };
	uint16_t len = mnl_attr_get_payload_len(a);

	switch (p->kind) {
	case UVS_CTL_ADDR:
		return len == 4 || len == 16;
	case UVS_CTL_NEST:
		return mnl_attr_validate(a, MNL_TYPE_NESTED) == 0;
	case UVS_CTL_STR:
		return len > 0;
	default:
		return len == fixed[p->kind];
	}
}

int uvs_ctl_parse(const void *payload, size_t len, const struct uvs_ctl_policy *pol, unsigned max,
		  const struct nlattr **tb, const char *what, struct uvs_error *err)
{
	const struct nlattr *a = payload;
	int rem = (int)len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (len > UVS_CTL_DGRAM_MAX)
		return uvs_errorf(err, EINVAL, "%s: too long", what);
	while (mnl_attr_ok(a, rem)) {
		uint16_t type = mnl_attr_get_type(a);
		const struct uvs_ctl_policy *p = type <= max ? &pol[type] : NULL;

		if (!p || p->kind == UVS_CTL_NONE)
			return uvs_errorf(err, EINVAL, "%s: unknown attribute %u", what, type);
		if (tb[type])
			return uvs_errorf(err, EINVAL, "%s: duplicate attribute %s", what, p->name);
		if (!attr_fits(a, p))
			return uvs_errorf(err, EINVAL, "%s: attribute %s has a bad length", what,
					  p->name);
		if (p->kind == UVS_CTL_STR) {
			const char *s = mnl_attr_get_payload(a);
			size_t n = strnlen(s, mnl_attr_get_payload_len(a));
			if (n == mnl_attr_get_payload_len(a))
				return uvs_errorf(err, EINVAL,
						  "%s: attribute %s is not a terminated string",
						  what, p->name);
			if (n + 1 > p->len)
				return uvs_errorf(err, EINVAL,
						  "%s: attribute %s is longer than %u bytes", what,
						  p->name, p->len - 1u);
		}
		tb[type] = a;
		rem -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	/* Only the last attribute's alignment padding may be missing. */
	if (rem > 0)
		return uvs_errorf(err, EINVAL, "%s: %d trailing bytes", what, rem);
	return 0;
}

#define P(k, l, n)                                                                                 \
	{                                                                                          \
		UVS_CTL_##k, l, n                                                                  \
	}

const struct uvs_ctl_policy uvs_ctl_top_policy[UVS_CTL_TOP_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE] = P(NEST, 0, "SERVICE"),
	[IPVS_CMD_ATTR_DEST] = P(NEST, 0, "DEST"),
	[IPVS_CMD_ATTR_DAEMON] = P(NEST, 0, "DAEMON"),
	[IPVS_CMD_ATTR_TIMEOUT_TCP] = P(U32, 0, "TIMEOUT_TCP"),
	[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN] = P(U32, 0, "TIMEOUT_TCP_FIN"),
	[IPVS_CMD_ATTR_TIMEOUT_UDP] = P(U32, 0, "TIMEOUT_UDP"),
	[UVS_CMD_ATTR_CONN] = P(NEST, 0, "CONN"),
	[UVS_CMD_ATTR_COUNTER] = P(NEST, 0, "COUNTER"),
	[UVS_CMD_ATTR_SYSCTL] = P(NEST, 0, "SYSCTL"),
};

/* GET_INFO's reply (SET_INFO) numbers its attributes from 1 again. */
static const struct uvs_ctl_policy info_policy[UVS_CTL_TOP_MAX + 1] = {
	[IPVS_INFO_ATTR_VERSION] = P(U32, 0, "VERSION"),
	[IPVS_INFO_ATTR_CONN_TAB_SIZE] = P(U32, 0, "CONN_TAB_SIZE"),
};

static const struct uvs_ctl_policy svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = P(U16, 0, "AF"),
	[IPVS_SVC_ATTR_PROTOCOL] = P(U16, 0, "PROTOCOL"),
	[IPVS_SVC_ATTR_ADDR] = P(ADDR, 0, "ADDR"),
	[IPVS_SVC_ATTR_PORT] = P(U16, 0, "PORT"),
	[IPVS_SVC_ATTR_FWMARK] = P(U32, 0, "FWMARK"),
	[IPVS_SVC_ATTR_SCHED_NAME] = P(STR, UVS_SCHED_NAME_MAX, "SCHED_NAME"),
	[IPVS_SVC_ATTR_FLAGS] = P(FLAGS, 0, "FLAGS"),
	[IPVS_SVC_ATTR_TIMEOUT] = P(U32, 0, "TIMEOUT"),
	[IPVS_SVC_ATTR_NETMASK] = P(U32, 0, "NETMASK"),
	[IPVS_SVC_ATTR_STATS] = P(NEST, 0, "STATS"),
	[IPVS_SVC_ATTR_PE_NAME] = P(STR, UVS_CTL_PE_NAME_MAX, "PE_NAME"),
	[IPVS_SVC_ATTR_STATS64] = P(NEST, 0, "STATS64"),
};

static const struct uvs_ctl_policy dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = P(ADDR, 0, "ADDR"),
	[IPVS_DEST_ATTR_PORT] = P(U16, 0, "PORT"),
	[IPVS_DEST_ATTR_FWD_METHOD] = P(U32, 0, "FWD_METHOD"),
	[IPVS_DEST_ATTR_WEIGHT] = P(U32, 0, "WEIGHT"),
	[IPVS_DEST_ATTR_U_THRESH] = P(U32, 0, "U_THRESH"),
	[IPVS_DEST_ATTR_L_THRESH] = P(U32, 0, "L_THRESH"),
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = P(U32, 0, "ACTIVE_CONNS"),
	[IPVS_DEST_ATTR_INACT_CONNS] = P(U32, 0, "INACT_CONNS"),
	[IPVS_DEST_ATTR_PERSIST_CONNS] = P(U32, 0, "PERSIST_CONNS"),
	[IPVS_DEST_ATTR_STATS] = P(NEST, 0, "STATS"),
	[IPVS_DEST_ATTR_ADDR_FAMILY] = P(U16, 0, "ADDR_FAMILY"),
	[IPVS_DEST_ATTR_STATS64] = P(NEST, 0, "STATS64"),
	[IPVS_DEST_ATTR_TUN_TYPE] = P(U8, 0, "TUN_TYPE"),
	[IPVS_DEST_ATTR_TUN_PORT] = P(U16, 0, "TUN_PORT"),
	[IPVS_DEST_ATTR_TUN_FLAGS] = P(U16, 0, "TUN_FLAGS"),
};

static const struct uvs_ctl_policy daemon_policy[IPVS_DAEMON_ATTR_MAX + 1] = {
	[IPVS_DAEMON_ATTR_STATE] = P(U32, 0, "STATE"),
	[IPVS_DAEMON_ATTR_MCAST_IFN] = P(STR, UVS_CTL_IFNAME_MAX, "MCAST_IFN"),
	[IPVS_DAEMON_ATTR_SYNC_ID] = P(U32, 0, "SYNC_ID"),
	[IPVS_DAEMON_ATTR_SYNC_MAXLEN] = P(U16, 0, "SYNC_MAXLEN"),
	[IPVS_DAEMON_ATTR_MCAST_GROUP] = P(U32, 0, "MCAST_GROUP"),
	[IPVS_DAEMON_ATTR_MCAST_GROUP6] = P(ADDR, 0, "MCAST_GROUP6"),
	[IPVS_DAEMON_ATTR_MCAST_PORT] = P(U16, 0, "MCAST_PORT"),
	[IPVS_DAEMON_ATTR_MCAST_TTL] = P(U8, 0, "MCAST_TTL"),
};

static const struct uvs_ctl_policy stats_policy[IPVS_STATS_ATTR_MAX + 1] = {
	[IPVS_STATS_ATTR_CONNS] = P(U32, 0, "CONNS"),
	[IPVS_STATS_ATTR_INPKTS] = P(U32, 0, "INPKTS"),
	[IPVS_STATS_ATTR_OUTPKTS] = P(U32, 0, "OUTPKTS"),
	[IPVS_STATS_ATTR_INBYTES] = P(U64, 0, "INBYTES"),
	[IPVS_STATS_ATTR_OUTBYTES] = P(U64, 0, "OUTBYTES"),
	[IPVS_STATS_ATTR_CPS] = P(U32, 0, "CPS"),
	[IPVS_STATS_ATTR_INPPS] = P(U32, 0, "INPPS"),
	[IPVS_STATS_ATTR_OUTPPS] = P(U32, 0, "OUTPPS"),
	[IPVS_STATS_ATTR_INBPS] = P(U32, 0, "INBPS"),
	[IPVS_STATS_ATTR_OUTBPS] = P(U32, 0, "OUTBPS"),
};

static const struct uvs_ctl_policy stats64_policy[IPVS_STATS_ATTR_MAX + 1] = {
	[IPVS_STATS_ATTR_CONNS] = P(U64, 0, "CONNS"),
	[IPVS_STATS_ATTR_INPKTS] = P(U64, 0, "INPKTS"),
	[IPVS_STATS_ATTR_OUTPKTS] = P(U64, 0, "OUTPKTS"),
	[IPVS_STATS_ATTR_INBYTES] = P(U64, 0, "INBYTES"),
	[IPVS_STATS_ATTR_OUTBYTES] = P(U64, 0, "OUTBYTES"),
	[IPVS_STATS_ATTR_CPS] = P(U64, 0, "CPS"),
	[IPVS_STATS_ATTR_INPPS] = P(U64, 0, "INPPS"),
	[IPVS_STATS_ATTR_OUTPPS] = P(U64, 0, "OUTPPS"),
	[IPVS_STATS_ATTR_INBPS] = P(U64, 0, "INBPS"),
	[IPVS_STATS_ATTR_OUTBPS] = P(U64, 0, "OUTBPS"),
};

static const struct uvs_ctl_policy conn_policy[UVS_CONN_ATTR_MAX + 1] = {
	[UVS_CONN_ATTR_PROTOCOL] = P(U16, 0, "PROTOCOL"),
	[UVS_CONN_ATTR_AF] = P(U16, 0, "AF"),
	[UVS_CONN_ATTR_CADDR] = P(ADDR, 0, "CADDR"),
	[UVS_CONN_ATTR_CPORT] = P(U16, 0, "CPORT"),
	[UVS_CONN_ATTR_VADDR] = P(ADDR, 0, "VADDR"),
	[UVS_CONN_ATTR_VPORT] = P(U16, 0, "VPORT"),
	[UVS_CONN_ATTR_DAF] = P(U16, 0, "DAF"),
	[UVS_CONN_ATTR_DADDR] = P(ADDR, 0, "DADDR"),
	[UVS_CONN_ATTR_DPORT] = P(U16, 0, "DPORT"),
	[UVS_CONN_ATTR_STATE] = P(STR, UVS_CTL_STATE_MAX, "STATE"),
	[UVS_CONN_ATTR_EXPIRES] = P(U32, 0, "EXPIRES"),
	[UVS_CONN_ATTR_FLAGS] = P(U32, 0, "FLAGS"),
};

static const struct uvs_ctl_policy counter_policy[UVS_COUNTER_ATTR_MAX + 1] = {
	[UVS_COUNTER_ATTR_NAME] = P(STR, UVS_CTL_COUNTER_MAX, "NAME"),
	[UVS_COUNTER_ATTR_VALUE] = P(U64, 0, "VALUE"),
};

#undef P

int uvs_ctl_parse_msg(const struct nlmsghdr *nlh, uint8_t *cmd, const struct nlattr **tb,
		      struct uvs_error *err)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	if (len < sizeof(*g))
		return uvs_errorf(err, EINVAL, "message too short for a generic netlink header");
	*cmd = g->cmd;
	return uvs_ctl_parse(mnl_nlmsg_get_payload_offset(nlh, sizeof(*g)), len - sizeof(*g),
			     g->cmd == IPVS_CMD_SET_INFO ? info_policy : uvs_ctl_top_policy,
			     UVS_CTL_TOP_MAX, tb, "message", err);
}

static int parse_nest(const struct nlattr *nest, const struct uvs_ctl_policy *pol, unsigned max,
		      const struct nlattr **tb, const char *what, struct uvs_error *err)
{
	return uvs_ctl_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest), pol, max,
			     tb, what, err);
}

/* Fails naming the first of the listed attribute types (0-terminated) that is absent. */
static int need(const struct nlattr **tb, const struct uvs_ctl_policy *pol, const char *what,
		struct uvs_error *err, const int *types)
{
	for (; *types; types++) {
		if (!tb[*types])
			return uvs_errorf(err, EINVAL, "%s: attribute %s missing", what,
					  pol[*types].name);
	}
	return 0;
}

/* An address of family af: 4 bytes or 16 for IPv4 (the rest ignored), 16 for IPv6. */
static int get_addr(const struct nlattr *a, int af, union uvs_addr *out, const char *what,
		    struct uvs_error *err)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	memset(out, 0, sizeof(*out));
	if (af == AF_INET6) {
		if (len != 16)
			return uvs_errorf(err, EINVAL, "%s: an IPv6 address needs 16 bytes", what);
		memcpy(out, mnl_attr_get_payload(a), 16);
	} else {
		memcpy(out, mnl_attr_get_payload(a), 4);
	}
	return 0;
}

int uvs_ctl_get_svc_key(const struct nlattr *nest, struct uvs_svc_key *k, struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	static const int inet[] = { IPVS_SVC_ATTR_PROTOCOL, IPVS_SVC_ATTR_ADDR, IPVS_SVC_ATTR_PORT,
				    0 };
	union uvs_addr addr;
	int ret, af;

	if ((ret = parse_nest(nest, svc_policy, IPVS_SVC_ATTR_MAX, tb, "SERVICE", err)))
		return ret;
	if (!tb[IPVS_SVC_ATTR_AF])
		return uvs_errorf(err, EINVAL, "SERVICE: attribute AF missing");
	af = mnl_attr_get_u16(tb[IPVS_SVC_ATTR_AF]);
	/* The kernel's rule: a FWMARK attribute makes it a fwmark service. */
	if (!tb[IPVS_SVC_ATTR_FWMARK] && (ret = need(tb, svc_policy, "SERVICE", err, inet)))
		return ret;
	/* Checked for every command, before the service is looked up, as the kernel does. */
	if (af != AF_INET && af != AF_INET6)
		return uvs_errorf(err, EAFNOSUPPORT, "SERVICE: address family %d is not supported",
				  af);
	if (tb[IPVS_SVC_ATTR_FWMARK]) {
		uint32_t mark = mnl_attr_get_u32(tb[IPVS_SVC_ATTR_FWMARK]);
		if (mark == 0)
			return uvs_errorf(err, EINVAL, "SERVICE: FWMARK 0 names no service");
		uvs_svc_key_fwmark(k, af, mark);
		return 0;
	}
	if ((ret = get_addr(tb[IPVS_SVC_ATTR_ADDR], af, &addr, "SERVICE ADDR", err)))
		return ret;
	uvs_svc_key_inet(k, af, mnl_attr_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]), &addr,
			 mnl_attr_get_u16(tb[IPVS_SVC_ATTR_PORT]));
	return 0;
}

static int get_svc_conf_tb(const struct nlattr *nest, const struct nlattr **tb,
			   struct uvs_svc_conf *c, uint32_t *mask, struct uvs_error *err)
{
	static const int full[] = { IPVS_SVC_ATTR_SCHED_NAME, IPVS_SVC_ATTR_FLAGS,
				    IPVS_SVC_ATTR_TIMEOUT, IPVS_SVC_ATTR_NETMASK, 0 };
	struct ip_vs_flags flags;
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = uvs_ctl_get_svc_key(nest, &c->key, err)))
		return ret;
	/* Parsed once more for the rest: the key's parse has checked the nest. */
	parse_nest(nest, svc_policy, IPVS_SVC_ATTR_MAX, tb, "SERVICE", NULL);
	if ((ret = need(tb, svc_policy, "SERVICE", err, full)))
		return ret;
	snprintf(c->sched_name, sizeof(c->sched_name), "%s",
		 mnl_attr_get_str(tb[IPVS_SVC_ATTR_SCHED_NAME]));
	if (tb[IPVS_SVC_ATTR_PE_NAME])
		snprintf(c->pe_name, sizeof(c->pe_name), "%s",
			 mnl_attr_get_str(tb[IPVS_SVC_ATTR_PE_NAME]));
	memcpy(&flags, mnl_attr_get_payload(tb[IPVS_SVC_ATTR_FLAGS]), sizeof(flags));
	c->flags = flags.flags;
	*mask = flags.mask;
	c->timeout = mnl_attr_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	c->netmask = mnl_attr_get_u32(tb[IPVS_SVC_ATTR_NETMASK]);
	return 0;
}

int uvs_ctl_get_svc_conf(const struct nlattr *nest, struct uvs_svc_conf *c, uint32_t *mask,
			 struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];

	return get_svc_conf_tb(nest, tb, c, mask, err);
}

/* STATS64 if present, else STATS; neither is an error only if absent altogether. */
static int get_stats(const struct nlattr *s32, const struct nlattr *s64, struct uvs_counters *c,
		     struct uvs_rates *r, struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
	uint64_t v[10];
	int ret;

	memset(c, 0, sizeof(*c));
	memset(r, 0, sizeof(*r));
	if (!s32 && !s64)
		return 0;
	ret = s64 ? parse_nest(s64, stats64_policy, IPVS_STATS_ATTR_MAX, tb, "STATS64", err)
		  : parse_nest(s32, stats_policy, IPVS_STATS_ATTR_MAX, tb, "STATS", err);
	if (ret)
		return ret;
	for (int i = 0; i < 10; i++) {
		const struct nlattr *a = tb[IPVS_STATS_ATTR_CONNS + i];
		if (!a)
			return uvs_errorf(err, EINVAL, "STATS: a counter is missing");
		v[i] = mnl_attr_get_payload_len(a) == 8 ? mnl_attr_get_u64(a) : mnl_attr_get_u32(a);
	}
	*c = (struct uvs_counters){ v[0], v[1], v[2], v[3], v[4] };
	*r = (struct uvs_rates){ (uint32_t)v[5], (uint32_t)v[6], (uint32_t)v[7], (uint32_t)v[8],
				 (uint32_t)v[9] };
	return 0;
}

int uvs_ctl_get_svc_info(const struct nlattr *nest, struct uvs_snap_svc *s, struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	uint32_t mask = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	if ((ret = get_svc_conf_tb(nest, tb, &s->conf, &mask, err)))
		return ret;
	s->conf.flags &= mask & UVS_SVC_F_USER_MASK;
	return get_stats(tb[IPVS_SVC_ATTR_STATS], tb[IPVS_SVC_ATTR_STATS64], &s->stats, &s->rates,
			 err);
}

static int get_dest_tb(const struct nlattr *nest, const struct nlattr **tb, int af, bool full,
		       struct uvs_dest_conf *d, struct uvs_error *err)
{
	static const int key[] = { IPVS_DEST_ATTR_ADDR, IPVS_DEST_ATTR_PORT, 0 };
	static const int conf[] = { IPVS_DEST_ATTR_FWD_METHOD, IPVS_DEST_ATTR_WEIGHT,
				    IPVS_DEST_ATTR_U_THRESH, IPVS_DEST_ATTR_L_THRESH, 0 };
	int ret;

	memset(d, 0, sizeof(*d));
	if ((ret = parse_nest(nest, dest_policy, IPVS_DEST_ATTR_MAX, tb, "DEST", err)) ||
	    (ret = need(tb, dest_policy, "DEST", err, key)) ||
	    (full && (ret = need(tb, dest_policy, "DEST", err, conf))))
		return ret;
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY])
		af = mnl_attr_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY]);
	d->af = (uint16_t)af;
	if ((ret = get_addr(tb[IPVS_DEST_ATTR_ADDR], af, &d->addr, "DEST ADDR", err)))
		return ret;
	d->port = mnl_attr_get_u16(tb[IPVS_DEST_ATTR_PORT]);
	if (!full)
		return 0;
	d->fwd = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) & UVS_FWD_MASK;
	/* The kernel reads the weight as an int: "negative" weights are ERANGE there. */
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

int uvs_ctl_get_dest(const struct nlattr *nest, int af, bool full, struct uvs_dest_conf *d,
		     struct uvs_error *err)
{
	const struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];

	return get_dest_tb(nest, tb, af, full, d, err);
}

int uvs_ctl_get_dest_info(const struct nlattr *nest, int af, struct uvs_snap_dest *d,
			  struct uvs_error *err)
{
	static const int counts[] = { IPVS_DEST_ATTR_ACTIVE_CONNS, IPVS_DEST_ATTR_INACT_CONNS,
				      IPVS_DEST_ATTR_PERSIST_CONNS, 0 };
	const struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];
	int ret;

	memset(d, 0, sizeof(*d));
	if ((ret = get_dest_tb(nest, tb, af, true, &d->conf, err)) ||
	    (ret = need(tb, dest_policy, "DEST", err, counts)))
		return ret;
	d->activeconns = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]);
	d->inactconns = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_INACT_CONNS]);
	d->persistconns = mnl_attr_get_u32(tb[IPVS_DEST_ATTR_PERSIST_CONNS]);
	return get_stats(tb[IPVS_DEST_ATTR_STATS], tb[IPVS_DEST_ATTR_STATS64], &d->stats, &d->rates,
			 err);
}

int uvs_ctl_get_daemon(const struct nlattr *nest, bool full, struct uvs_ctl_daemon *d,
		       struct uvs_error *err)
{
	static const int state[] = { IPVS_DAEMON_ATTR_STATE, 0 };
	static const int conf[] = { IPVS_DAEMON_ATTR_MCAST_IFN, IPVS_DAEMON_ATTR_SYNC_ID, 0 };
	const struct nlattr *tb[IPVS_DAEMON_ATTR_MAX + 1];
	int ret;

	memset(d, 0, sizeof(*d));
	if ((ret = parse_nest(nest, daemon_policy, IPVS_DAEMON_ATTR_MAX, tb, "DAEMON", err)) ||
	    (ret = need(tb, daemon_policy, "DAEMON", err, state)) ||
	    (full && (ret = need(tb, daemon_policy, "DAEMON", err, conf))))
		return ret;
	d->state = mnl_attr_get_u32(tb[IPVS_DAEMON_ATTR_STATE]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_IFN])
		snprintf(d->mcast_ifn, sizeof(d->mcast_ifn), "%s",
			 mnl_attr_get_str(tb[IPVS_DAEMON_ATTR_MCAST_IFN]));
	if (tb[IPVS_DAEMON_ATTR_SYNC_ID])
		d->syncid = mnl_attr_get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID]);
	if (tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN])
		d->sync_maxlen = mnl_attr_get_u16(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP] && tb[IPVS_DAEMON_ATTR_MCAST_GROUP6])
		return uvs_errorf(err, EINVAL,
				  "DAEMON: MCAST_GROUP and MCAST_GROUP6 exclude each other");
	if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
		d->mcast_af = AF_INET;
		d->mcast_group.ip = mnl_attr_get_u32(tb[IPVS_DAEMON_ATTR_MCAST_GROUP]);
	} else if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
		d->mcast_af = AF_INET6;
		if ((ret = get_addr(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6], AF_INET6, &d->mcast_group,
				    "DAEMON MCAST_GROUP6", err)))
			return ret;
	}
	if (tb[IPVS_DAEMON_ATTR_MCAST_PORT])
		d->mcast_port = mnl_attr_get_u16(tb[IPVS_DAEMON_ATTR_MCAST_PORT]);
	if (tb[IPVS_DAEMON_ATTR_MCAST_TTL])
		d->mcast_ttl = mnl_attr_get_u8(tb[IPVS_DAEMON_ATTR_MCAST_TTL]);
	return 0;
}

int uvs_ctl_get_conn(const struct nlattr *nest, struct uvs_ctl_conn *c, struct uvs_error *err)
{
	static const int all[] = { UVS_CONN_ATTR_PROTOCOL, UVS_CONN_ATTR_AF,
				   UVS_CONN_ATTR_CADDR,	   UVS_CONN_ATTR_CPORT,
				   UVS_CONN_ATTR_VADDR,	   UVS_CONN_ATTR_VPORT,
				   UVS_CONN_ATTR_DAF,	   UVS_CONN_ATTR_DADDR,
				   UVS_CONN_ATTR_DPORT,	   UVS_CONN_ATTR_STATE,
				   UVS_CONN_ATTR_EXPIRES,  0 };
	const struct nlattr *tb[UVS_CONN_ATTR_MAX + 1];
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = parse_nest(nest, conn_policy, UVS_CONN_ATTR_MAX, tb, "CONN", err)) ||
	    (ret = need(tb, conn_policy, "CONN", err, all)))
		return ret;
	c->protocol = mnl_attr_get_u16(tb[UVS_CONN_ATTR_PROTOCOL]);
	c->af = mnl_attr_get_u16(tb[UVS_CONN_ATTR_AF]);
	c->daf = mnl_attr_get_u16(tb[UVS_CONN_ATTR_DAF]);
	if ((ret = get_addr(tb[UVS_CONN_ATTR_CADDR], c->af, &c->caddr, "CONN", err)) ||
	    (ret = get_addr(tb[UVS_CONN_ATTR_VADDR], c->af, &c->vaddr, "CONN", err)) ||
	    (ret = get_addr(tb[UVS_CONN_ATTR_DADDR], c->daf, &c->daddr, "CONN", err)))
		return ret;
	c->cport = mnl_attr_get_u16(tb[UVS_CONN_ATTR_CPORT]);
	c->vport = mnl_attr_get_u16(tb[UVS_CONN_ATTR_VPORT]);
	c->dport = mnl_attr_get_u16(tb[UVS_CONN_ATTR_DPORT]);
	snprintf(c->state, sizeof(c->state), "%s", mnl_attr_get_str(tb[UVS_CONN_ATTR_STATE]));
	c->expires_ms = mnl_attr_get_u32(tb[UVS_CONN_ATTR_EXPIRES]);
	if (tb[UVS_CONN_ATTR_FLAGS])
		c->flags = mnl_attr_get_u32(tb[UVS_CONN_ATTR_FLAGS]);
	return 0;
}

int uvs_ctl_get_counter(const struct nlattr *nest, struct uvs_ctl_counter *c, struct uvs_error *err)
{
	static const int all[] = { UVS_COUNTER_ATTR_NAME, UVS_COUNTER_ATTR_VALUE, 0 };
	const struct nlattr *tb[UVS_COUNTER_ATTR_MAX + 1];
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = parse_nest(nest, counter_policy, UVS_COUNTER_ATTR_MAX, tb, "COUNTER", err)) ||
	    (ret = need(tb, counter_policy, "COUNTER", err, all)))
		return ret;
	snprintf(c->name, sizeof(c->name), "%s", mnl_attr_get_str(tb[UVS_COUNTER_ATTR_NAME]));
	c->value = mnl_attr_get_u64(tb[UVS_COUNTER_ATTR_VALUE]);
	return 0;
}

const char *uvs_ctl_state_name(int protocol, int tcp_state)
{
	static const char *const tcp[] = { "NONE",     "ESTABLISHED", "SYN_SENT", "SYN_RECV",
					   "FIN_WAIT", "TIME_WAIT",   "CLOSE",	  "CLOSE_WAIT",
					   "LAST_ACK", "LISTEN",      "SYNACK" };

	switch (protocol) {
	case IPPROTO_TCP:
		if (tcp_state >= 0 && tcp_state < (int)(sizeof(tcp) / sizeof(tcp[0])))
			return tcp[tcp_state];
		return "ERR!";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return uvs_sctp_state_name(tcp_state);
	case IPPROTO_IP:
		return "NONE";
	default:
		return "ERR!";
	}
}
