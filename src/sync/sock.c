// SPDX-License-Identifier: GPL-2.0-or-later
/* The sync daemons' sockets (sock.h). */
#include "sock.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int uvs_sync_link_find(const char *ifname, struct uvs_sync_link *out, struct uvs_error *err)
{
	struct ifaddrs *all, *a;
	struct ifreq ifr;
	int fd;

	memset(out, 0, sizeof(*out));
	out->ifindex = if_nametoindex(ifname);
	if (!out->ifindex)
		return uvs_errorf(err, ENODEV, "no link %s (--mcast-interface)", ifname);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFMTU, &ifr) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return uvs_syserrorf(err, e, "%s: its MTU", ifname);
	}
	close(fd);
	out->mtu = (unsigned)ifr.ifr_mtu;
	/* The kernel's inet_select_addr(dev, 0, RT_SCOPE_UNIVERSE): the first address
	 * that is not a host's own (127/8, link scope) in the link's list. */
	if (getifaddrs(&all) == 0) {
		for (a = all; a; a = a->ifa_next) {
			const struct sockaddr_in *sin = (const struct sockaddr_in *)a->ifa_addr;

			if (!sin || sin->sin_family != AF_INET || strcmp(a->ifa_name, ifname))
				continue;
			if ((ntohl(sin->sin_addr.s_addr) >> 24) == 127)
				continue;
			out->addr4.ip = sin->sin_addr.s_addr;
			break;
		}
		freeifaddrs(all);
	}
	return 0;
}

/* The group's address and port + id. */
static socklen_t group_addr(const struct uvs_sync_config *c, unsigned id,
			    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (c->mcast_af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)(c->mcast_port + id));
		memcpy(&s6->sin6_addr, c->mcast_group.ip6, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)(c->mcast_port + id));
	s4->sin_addr.s_addr = c->mcast_group.ip;
	return sizeof(*s4);
}

/* One setsockopt that must succeed; what names it in the message. */
static int opt(int fd, int level, int name, const void *v, socklen_t len, const char *what,
	       struct uvs_error *err)
{
	if (setsockopt(fd, level, name, v, len) < 0)
		return uvs_syserrorf(err, errno, "sync socket: %s", what);
	return 0;
}

static int new_socket(const struct uvs_sync_config *c, struct uvs_error *err)
{
	int fd = socket(c->mcast_af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);

	if (fd < 0)
		return uvs_syserrorf(err, errno, "sync socket");
	return fd;
}

/* Fails with fd closed. */
static int fail(int fd, int ret)
{
	close(fd);
	return ret;
}

int uvs_sync_sock_master(const struct uvs_sync_config *c, const struct uvs_sync_link *l,
			 unsigned id, int sock_size, struct uvs_error *err)
{
	bool v6 = c->mcast_af == AF_INET6;
	int fd = new_socket(c, err), zero = 0, ttl = c->mcast_ttl, dont = IP_PMTUDISC_DONT;
	unsigned char ttl4 = c->mcast_ttl, loop4 = 0;
	struct sockaddr_storage ss;
	socklen_t len;
	int ret;

	if (fd < 0)
		return fd;
	if (v6) {
		int ifindex = (int)l->ifindex, dont6 = IPV6_PMTUDISC_DONT;
		if ((ret = opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex),
			       "IPV6_MULTICAST_IF", err)) ||
		    (ret = opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero),
			       "IPV6_MULTICAST_LOOP", err)) ||
		    (ret = opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl),
			       "IPV6_MULTICAST_HOPS", err)) ||
		    (ret = opt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &dont6, sizeof(dont6),
			       "IPV6_MTU_DISCOVER", err)))
			return fail(fd, ret);
	} else {
		struct ip_mreqn m = { .imr_ifindex = (int)l->ifindex };
		if ((ret = opt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m), "IP_MULTICAST_IF",
			       err)) ||
		    (ret = opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop4, sizeof(loop4),
			       "IP_MULTICAST_LOOP", err)) ||
		    (ret = opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl4, sizeof(ttl4),
			       "IP_MULTICAST_TTL", err)) ||
		    (ret = opt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof(dont),
			       "IP_MTU_DISCOVER", err)))
			return fail(fd, ret);
	}
	if (sock_size > 0 &&
	    (ret = opt(fd, SOL_SOCKET, SO_SNDBUF, &sock_size, sizeof(sock_size), "SO_SNDBUF", err)))
		return fail(fd, ret);
	if (!v6) {
		/* From the link's address, so that the backup sees where it comes from. */
		struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr.s_addr = l->addr4.ip };
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			return fail(fd,
				    uvs_syserrorf(err, errno, "sync socket: bind to %s's address",
						  c->ifname));
	}
	len = group_addr(c, id, &ss);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail(fd, uvs_syserrorf(err, errno, "sync socket: connect to the group"));
	return fd;
}

int uvs_sync_sock_backup(const struct uvs_sync_config *c, const struct uvs_sync_link *l,
			 unsigned id, int sock_size, struct uvs_error *err)
{
	int fd = new_socket(c, err), one = 1;
	struct sockaddr_storage ss;
	socklen_t len;
	int ret;

	if (fd < 0)
		return fd;
	if ((ret = opt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one), "SO_REUSEADDR", err)) ||
	    (sock_size > 0 && (ret = opt(fd, SOL_SOCKET, SO_RCVBUF, &sock_size, sizeof(sock_size),
					 "SO_RCVBUF", err))) ||
	    (ret = opt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->ifname, (socklen_t)strlen(c->ifname),
		       "SO_BINDTODEVICE", err)))
		return fail(fd, ret);
	len = group_addr(c, id, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return fail(fd, uvs_syserrorf(err, errno, "sync socket: bind to the group's port"));
	if (c->mcast_af == AF_INET6) {
		struct ipv6_mreq m = { .ipv6mr_interface = l->ifindex };
		memcpy(&m.ipv6mr_multiaddr, c->mcast_group.ip6, 16);
		ret = opt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m), "joining the group",
			  err);
	} else {
		struct ip_mreqn m = { .imr_multiaddr.s_addr = c->mcast_group.ip,
				      .imr_ifindex = (int)l->ifindex };
		ret = opt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m), "joining the group",
			  err);
	}
	return ret ? fail(fd, ret) : fd;
}
