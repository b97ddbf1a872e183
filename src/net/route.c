// SPDX-License-Identifier: GPL-2.0-or-later
#include "route.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct uvs_net {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char buf[16384]; /* at least libmnl's MNL_SOCKET_BUFFER_SIZE (8 KiB with 4 KiB pages) */
};

int uvs_net_open(struct uvs_net **out)
{
	struct uvs_net *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!n->nl || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		if (n->nl)
			mnl_socket_close(n->nl);
		free(n);
		return -e;
	}
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (uint32_t)time(NULL);
	*out = n;
	return 0;
}

void uvs_net_close(struct uvs_net *n)
{
	if (!n)
		return;
	mnl_socket_close(n->nl);
	free(n);
}

/* Sends the request in n->buf and runs cb over the reply until it is complete (a
 * dump's NLMSG_DONE, or the ack of anything else).
 * Returns 0 or a negative errno (from the kernel's NLMSG_ERROR, or the socket). */
static int talk(struct uvs_net *n, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	uint32_t seq = nlh->nlmsg_seq = ++n->seq;
	int ret;

	/* A request that is not a dump ends with the kernel's ack. */
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = (int)mnl_socket_recvfrom(n->nl, n->buf, sizeof(n->buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(n->buf, (size_t)ret, seq, n->portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

/* ---- route ---- */

struct route_reply {
	int af;
	bool found;
	uint32_t oif;
	bool has_gw, has_src;
	union uvs_addr gw, src;
	uint32_t mtu;
};

static int metrics_cb(const struct nlattr *a, void *data)
{
	struct route_reply *r = data;

	if (mnl_attr_get_type(a) == RTAX_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		r->mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static void copy_addr(int af, const struct nlattr *a, union uvs_addr *out)
{
	size_t len = af == AF_INET6 ? 16 : 4;

	memset(out, 0, sizeof(*out));
	if (mnl_attr_get_payload_len(a) >= len)
		memcpy(out, mnl_attr_get_payload(a), len);
}

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_reply *r = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->oif = mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		copy_addr(r->af, a, &r->gw);
		r->has_gw = true;
		break;
	case RTA_PREFSRC:
		copy_addr(r->af, a, &r->src);
		r->has_src = true;
		break;
	case RTA_METRICS:
		mnl_attr_parse_nested(a, metrics_cb, r);
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_reply *r = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	/* Only a route that forwards: not local, broadcast, unreachable and the like. */
	if (rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	r->found = true;
	return mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, r);
}

static int get_route(struct uvs_net *n, int af, const union uvs_addr *dst, struct route_reply *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(n->buf);
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)af;
	rtm->rtm_dst_len = af == AF_INET6 ? 128 : 32;
	mnl_attr_put(nlh, RTA_DST, af == AF_INET6 ? 16 : 4, dst);
	memset(r, 0, sizeof(*r));
	r->af = af;
	ret = talk(n, nlh, route_cb, r);
	if (ret == -ENETUNREACH || ret == -EHOSTUNREACH || (!ret && (!r->found || !r->oif)))
		return -EHOSTUNREACH;
	return ret;
}

/* ---- link ---- */

struct link_reply {
	bool ether;
	uint8_t mac[6];
	uint32_t mtu;
};

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct link_reply *l = data;

	if (mnl_attr_get_type(a) == IFLA_ADDRESS && mnl_attr_get_payload_len(a) == 6)
		memcpy(l->mac, mnl_attr_get_payload(a), 6);
	else if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		l->mtu = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_reply *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->ether = ifi->ifi_type == ARPHRD_ETHER;
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, l);
}

static int get_link(struct uvs_net *n, uint32_t ifindex, struct link_reply *l)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(n->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = (int)ifindex;
	memset(l, 0, sizeof(*l));
	return talk(n, nlh, link_cb, l);
}

/* ---- a source address when the route has none ---- */

struct addr_reply {
	int af;
	uint32_t ifindex;
	bool found;
	union uvs_addr addr;
};

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	struct addr_reply *r = data;

	if (!r->found &&
	    (mnl_attr_get_type(a) == IFA_LOCAL || mnl_attr_get_type(a) == IFA_ADDRESS)) {
		copy_addr(r->af, a, &r->addr);
		r->found = true;
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_reply *r = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != r->ifindex ||
	    ifa->ifa_family != r->af || ifa->ifa_scope == RT_SCOPE_HOST || r->found)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, r);
}

static int get_link_addr(struct uvs_net *n, int af, uint32_t ifindex, union uvs_addr *out)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(n->buf);
	struct ifaddrmsg *ifa;
	struct addr_reply r = { .af = af, .ifindex = ifindex };
	int ret;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)af;
	ret = talk(n, nlh, addr_cb, &r);
	if (ret)
		return ret;
	if (!r.found)
		return -EADDRNOTAVAIL;
	*out = r.addr;
	return 0;
}

/* ---- neighbour ---- */

struct neigh_reply {
	bool valid;
	bool stale; /* valid, but to be confirmed */
	uint8_t mac[6];
};

static int neigh_attr_cb(const struct nlattr *a, void *data)
{
	struct neigh_reply *r = data;

	if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6)
		memcpy(r->mac, mnl_attr_get_payload(a), 6);
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_reply *r = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return MNL_CB_OK;
	/* States in which the kernel itself would send to the MAC it has. */
	r->valid = ndm->ndm_state &
		   (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP);
	r->stale = ndm->ndm_state & NUD_STALE;
	return mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, r);
}

static struct nlmsghdr *neigh_msg(struct uvs_net *n, uint16_t type, uint16_t flags, int af,
				  uint32_t ifindex, const union uvs_addr *addr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(n->buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)af;
	ndm->ndm_ifindex = (int)ifindex;
	mnl_attr_put(nlh, NDA_DST, af == AF_INET6 ? 16 : 4, addr);
	return nlh;
}

/* NTF_USE: the kernel creates the entry if needed and resolves or confirms it, as if
 * it had a packet to send there. */
static int use_neigh(struct uvs_net *n, int af, uint32_t ifindex, const union uvs_addr *addr)
{
	struct nlmsghdr *nlh = neigh_msg(n, RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK,
					 af, ifindex, addr);
	struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	ndm->ndm_flags = NTF_USE;
	ndm->ndm_state = NUD_NONE;
	return talk(n, nlh, NULL, NULL);
}

/*
 * The MAC of addr on ifindex into mac; -EAGAIN after asking the kernel to resolve it.
 * A stale entry is used and, since uvs's frames do not pass the kernel's neighbour
 * code, the kernel is asked to confirm it as its own use would.
 */
static int get_neigh(struct uvs_net *n, int af, uint32_t ifindex, const union uvs_addr *addr,
		     uint8_t *mac)
{
	struct neigh_reply r = { 0 };
	int ret =
		talk(n, neigh_msg(n, RTM_GETNEIGH, NLM_F_REQUEST, af, ifindex, addr), neigh_cb, &r);

	if (ret && ret != -ENOENT)
		return ret;
	if (!ret && r.valid) {
		memcpy(mac, r.mac, 6);
		if (r.stale)
			use_neigh(n, af, ifindex, addr); /* the MAC is good meanwhile */
		return 0;
	}
	ret = use_neigh(n, af, ifindex, addr);
	return ret ? ret : -EAGAIN;
}

int uvs_net_resolve(struct uvs_net *n, int af, const union uvs_addr *dst, struct uvs_route *r)
{
	struct route_reply rt;
	struct link_reply link;
	int ret;

	memset(r, 0, sizeof(*r));
	if ((ret = get_route(n, af, dst, &rt)))
		return ret;
	if ((ret = get_link(n, rt.oif, &link)))
		return ret;
	if (!link.ether)
		return -EHOSTUNREACH;
	r->ifindex = rt.oif;
	r->mtu = rt.mtu ? rt.mtu : link.mtu;
	memcpy(r->src_mac, link.mac, 6);
	if (rt.has_src)
		r->src = rt.src;
	else if ((ret = get_link_addr(n, af, rt.oif, &r->src)))
		return ret;
	return get_neigh(n, af, rt.oif, rt.has_gw ? &rt.gw : dst, r->dst_mac);
}
