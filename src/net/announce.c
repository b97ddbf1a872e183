// SPDX-License-Identifier: GPL-2.0-or-later
#include "announce.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct uvs_announce {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	uint32_t table;
	uint8_t protocol;
	int tun_fd; /* holding it open is what keeps the link, and its routes, alive */
	unsigned ifindex;
	char ifname[IF_NAMESIZE];
	char buf[8192]; /* requests and acks: small */
};

bool uvs_announce_table_ok(uint32_t table)
{
	return table != RT_TABLE_UNSPEC && table != RT_TABLE_DEFAULT && table != RT_TABLE_MAIN &&
	       table != RT_TABLE_LOCAL && table <= UVS_ANNOUNCE_TABLE_MAX;
}

/* Sends the request in a->buf and waits for the kernel's ack. Returns 0 or a negative
 * errno (the kernel's, or the socket's). */
static int request(struct uvs_announce *a, struct nlmsghdr *nlh)
{
	uint32_t seq = nlh->nlmsg_seq = ++a->seq;
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(a->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = (int)mnl_socket_recvfrom(a->nl, a->buf, sizeof(a->buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(a->buf, (size_t)ret, seq, a->portid, NULL, NULL);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static int link_up(struct uvs_announce *a)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(a->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = (int)a->ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return request(a, nlh);
}

/* A TUN link that lives as long as its descriptor (not TUNSETPERSIST). */
static int make_link(struct uvs_announce *a, struct uvs_error *err)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };

	a->tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (a->tun_fd < 0)
		return uvs_syserrorf(err, errno, "/dev/net/tun");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", a->ifname);
	if (ioctl(a->tun_fd, TUNSETIFF, &ifr) < 0) {
		if (errno == EBUSY)
			return uvs_errorf(err, EBUSY,
					  "link %s is held by another process: another uvsd "
					  "announces to table %u",
					  a->ifname, a->table);
		return uvs_syserrorf(err, errno, "making link %s", a->ifname);
	}
	if (!(a->ifindex = if_nametoindex(a->ifname)))
		return uvs_syserrorf(err, errno, "link %s", a->ifname);
	int ret = link_up(a);
	return ret < 0 ? uvs_syserrorf(err, -ret, "bringing link %s up", a->ifname) : 0;
}

int uvs_announce_open(uint32_t table, uint8_t protocol, struct uvs_announce **out,
		      struct uvs_error *err)
{
	struct uvs_announce *a;
	int ret;

	if (!uvs_announce_table_ok(table))
		return uvs_errorf(err, EINVAL, "table %u is not 1..252 or 256..%u", table,
				  UVS_ANNOUNCE_TABLE_MAX);
	if (protocol < UVS_ANNOUNCE_PROTO_MIN)
		return uvs_errorf(err, EINVAL, "protocol %u is the kernel's (5..255)", protocol);
	if (!(a = calloc(1, sizeof(*a))))
		return uvs_errorf(err, ENOMEM, "out of memory");
	a->tun_fd = -1;
	a->table = table;
	a->protocol = protocol;
	a->seq = (uint32_t)time(NULL);
	snprintf(a->ifname, sizeof(a->ifname), "uvsvip%u", table);
	a->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!a->nl || mnl_socket_bind(a->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = uvs_syserrorf(err, errno, "rtnetlink");
		goto fail;
	}
	a->portid = mnl_socket_get_portid(a->nl);
	if ((ret = make_link(a, err)) < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	uvs_announce_close(a);
	return ret;
}

void uvs_announce_close(struct uvs_announce *a)
{
	if (!a)
		return;
	/* The last descriptor of the link: the kernel deletes it and its routes. */
	if (a->tun_fd >= 0)
		close(a->tun_fd);
	if (a->nl)
		mnl_socket_close(a->nl);
	free(a);
}

const char *uvs_announce_link(const struct uvs_announce *a)
{
	return a->ifname;
}

int uvs_announce_route(struct uvs_announce *a, bool add, int af, const union uvs_addr *addr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(a->buf);
	struct rtmsg *rtm;
	int ret;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	/* Replace: a route left there (by hand) is taken over, not an error. */
	nlh->nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)af;
	rtm->rtm_dst_len = af == AF_INET6 ? 128 : 32;
	rtm->rtm_table = a->table < 256 ? (uint8_t)a->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = a->protocol;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, a->table);
	mnl_attr_put(nlh, RTA_DST, af == AF_INET6 ? 16 : 4, addr);
	mnl_attr_put_u32(nlh, RTA_OIF, a->ifindex);
	ret = request(a, nlh);
	/* IPv4 says ESRCH for a route that is not there, IPv6 ENOENT. */
	if (!add && (ret == -ESRCH || ret == -ENOENT))
		return 0;
	return ret;
}
