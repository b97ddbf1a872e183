// SPDX-License-Identifier: GPL-2.0-or-later
/* rtnetlink notifications of links and addresses, and the host's addresses. */
#include "netwatch.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct uvs_netwatch {
	struct mnl_socket *events; /* subscribed, non-blocking */
	struct mnl_socket *query;  /* for dumps */
	uint32_t query_portid, seq;
	char buf[16384]; /* at least libmnl's MNL_SOCKET_BUFFER_SIZE */
};

static struct mnl_socket *open_socket(unsigned groups, int flags)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, flags | SOCK_CLOEXEC);

	if (nl && mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

int uvs_netwatch_open(struct uvs_netwatch **out)
{
	struct uvs_netwatch *w = calloc(1, sizeof(*w));
	int e;

	if (!w)
		return -ENOMEM;
	w->events =
		open_socket(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, SOCK_NONBLOCK);
	if (!w->events)
		goto fail;
	w->query = open_socket(0, 0);
	if (!w->query)
		goto fail;
	w->query_portid = mnl_socket_get_portid(w->query);
	w->seq = (uint32_t)time(NULL);
	*out = w;
	return 0;
fail:
	e = errno;
	uvs_netwatch_close(w);
	return -e;
}

void uvs_netwatch_close(struct uvs_netwatch *w)
{
	if (!w)
		return;
	if (w->events)
		mnl_socket_close(w->events);
	if (w->query)
		mnl_socket_close(w->query);
	free(w);
}

int uvs_netwatch_fd(const struct uvs_netwatch *w)
{
	return mnl_socket_get_fd(w->events);
}

unsigned uvs_netwatch_read(struct uvs_netwatch *w)
{
	unsigned changed = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(w->events, w->buf, sizeof(w->buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)w->buf;
		int len = (int)n;

		if (n < 0) {
			/* ENOBUFS: notifications were lost; anything may have changed. */
			if (errno == ENOBUFS)
				changed |= UVS_NETWATCH_LINKS | UVS_NETWATCH_ADDRS;
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return changed; /* EAGAIN: all read */
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			switch (nlh->nlmsg_type) {
			case RTM_NEWLINK:
			case RTM_DELLINK:
				changed |= UVS_NETWATCH_LINKS;
				break;
			case RTM_NEWADDR:
			case RTM_DELADDR:
				changed |= UVS_NETWATCH_ADDRS;
				break;
			}
		}
	}
}

/* ---- the host's addresses ---- */

struct addr_list {
	struct uvs_host_addr *out;
	size_t max, n;
	int af; /* of the message being read */
};

static void add(struct addr_list *l, int af, const struct nlattr *a)
{
	size_t len = af == AF_INET6 ? 16 : 4;

	if (mnl_attr_get_payload_len(a) < len)
		return;
	if (l->n < l->max) {
		l->out[l->n].af = af;
		memset(&l->out[l->n].addr, 0, sizeof(l->out[l->n].addr));
		memcpy(&l->out[l->n].addr, mnl_attr_get_payload(a), len);
	}
	l->n++; /* counted even without room, so that the caller knows how much to give */
}

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	struct addr_list *l = data;

	/* IPv4: IFA_LOCAL is the address (IFA_ADDRESS is the peer's on a point-to-point
	 * link); IPv6 has IFA_ADDRESS only. */
	switch (mnl_attr_get_type(a)) {
	case IFA_LOCAL:
	case IFA_BROADCAST:
		if (l->af == AF_INET)
			add(l, l->af, a);
		break;
	case IFA_ADDRESS:
		if (l->af == AF_INET6)
			add(l, l->af, a);
		break;
	}
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *l = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	l->af = ifa->ifa_family;
	return mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, l);
}

int uvs_netwatch_host_addrs(struct uvs_netwatch *w, struct uvs_host_addr *out, size_t max)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(w->buf);
	struct addr_list l = { .out = out, .max = max };
	struct ifaddrmsg *ifa;
	uint32_t seq = ++w->seq;
	int ret;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	if (mnl_socket_sendto(w->query, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = (int)mnl_socket_recvfrom(w->query, w->buf, sizeof(w->buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(w->buf, (size_t)ret, seq, w->query_portid, addr_cb, &l);
	} while (ret > 0);
	if (ret < 0)
		return -errno;
	return l.n > (size_t)INT32_MAX ? -E2BIG : (int)l.n;
}
