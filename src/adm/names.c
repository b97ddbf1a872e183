// SPDX-License-Identifier: GPL-2.0-or-later
/* Name lookups for listings and saves without -n. */
#include "names.h"
#include "core/snap.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The protocols a virtual service can have, by ipvsadm's name and the services
 * database's. */
static const struct {
	int protocol;
	const char *name, *db_name;
} protocols[] = {
	{ IPPROTO_TCP, "TCP", "tcp" },
	{ IPPROTO_UDP, "UDP", "udp" },
	{ IPPROTO_SCTP, "SCTP", "sctp" },
};

const char *uvs_adm_proto_name(int protocol)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].protocol == protocol)
			return protocols[i].name;
	return NULL;
}

static const char *proto_db_name(int protocol)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].protocol == protocol)
			return protocols[i].db_name;
	return NULL;
}

/* The host name of a, or its numeric form. getnameinfo covers IPv6 too. */
static void host_name(int af, const union uvs_addr *a, char *buf, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;

	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->ip6, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = a->ip;
		sl = sizeof(*s4);
	}
	if (getnameinfo((struct sockaddr *)&ss, sl, buf, (socklen_t)len, NULL, 0, NI_NAMEREQD))
		uvs_addr_format(af, a, buf, len);
}

static void service_name(uint16_t port, int protocol, char *buf, size_t len)
{
	const char *proto = proto_db_name(protocol);
	struct servent se, *res = NULL;
	char tmp[1024];

	if (proto && getservbyport_r(port, proto, &se, tmp, sizeof(tmp), &res) == 0 && res)
		snprintf(buf, len, "%s", res->s_name);
	else
		snprintf(buf, len, "%u", ntohs(port));
}

const char *uvs_adm_addrport_name(int af, const union uvs_addr *a, uint16_t port, int protocol,
				  bool names, char *buf, size_t len)
{
	char host[NI_MAXHOST], serv[64];
	size_t cap = len < UVS_ADM_NAME_LEN ? len : UVS_ADM_NAME_LEN;

	if (!names)
		return uvs_addrport(af, a, port, buf, len);
	host_name(af, a, host, sizeof(host));
	service_name(port, protocol, serv, sizeof(serv));
	snprintf(buf, cap, af == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
	return buf;
}
