// SPDX-License-Identifier: GPL-2.0-or-later
#include "metrics_labels.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Go writes an IPv6 address with RFC 5952's rules: lower-case hex groups without
 * leading zeros, the longest run of two or more zero groups (the first of equals) as
 * "::"; an IPv4-mapped one (::ffff:0:0/96) as the IPv4 address alone. */
static void go_ip6(const uint8_t *b, char *buf, size_t len)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	int best = -1, best_len = 0;
	size_t used = 0;

	if (!memcmp(b, mapped, sizeof(mapped))) {
		snprintf(buf, len, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
		return;
	}
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && !b[2 * j] && !b[2 * j + 1])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2)
		best = -1;
	buf[0] = '\0';
	for (int i = 0; i < 8 && used < len; i++) {
		if (i == best) {
			used += (size_t)snprintf(buf + used, len - used, "::");
			i += best_len - 1;
			continue;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%x",
					 i && i != best + best_len ? ":" : "",
					 (unsigned)(b[2 * i] << 8 | b[2 * i + 1]));
	}
}

const char *uvsd_go_addr(int af, const union uvs_addr *a, char *buf, size_t len)
{
	if (af == AF_INET6)
		go_ip6(a->ip6, buf, len);
	else
		inet_ntop(AF_INET, &a->ip, buf, (socklen_t)len);
	return buf;
}

void uvsd_ipvs_labels(const struct uvs_snap_svc *s, const struct uvs_snap_dest *d,
		      struct uvsd_ipvs_labels *l)
{
	const struct uvs_svc_key *k = &s->conf.key;

	memset(l, 0, sizeof(*l));
	snprintf(l->family, sizeof(l->family), "%s", k->af == AF_INET6 ? "ipv6" : "ipv4");
	if (k->fwmark) {
		snprintf(l->local_mark, sizeof(l->local_mark), "%08X", k->fwmark);
		snprintf(l->local_port, sizeof(l->local_port), "0");
		snprintf(l->proto, sizeof(l->proto), "FWM");
	} else {
		uvsd_go_addr(k->af, &k->addr, l->local_address, sizeof(l->local_address));
		snprintf(l->local_port, sizeof(l->local_port), "%u", ntohs(k->port));
		snprintf(l->proto, sizeof(l->proto), "%s",
			 k->protocol == IPPROTO_UDP    ? "UDP"
			 : k->protocol == IPPROTO_SCTP ? "SCTP"
						       : "TCP");
	}
	if (!d)
		return;
	uvsd_go_addr(d->conf.af, &d->conf.addr, l->remote_address, sizeof(l->remote_address));
	snprintf(l->remote_port, sizeof(l->remote_port), "%u", ntohs(d->conf.port));
}

size_t uvsd_ipvs_backend_labels(const struct uvsd_ipvs_labels *l, struct uvs_prom_label *out)
{
	out[0] = (struct uvs_prom_label){ "local_address", l->local_address };
	out[1] = (struct uvs_prom_label){ "local_port", l->local_port };
	out[2] = (struct uvs_prom_label){ "remote_address", l->remote_address };
	out[3] = (struct uvs_prom_label){ "remote_port", l->remote_port };
	out[4] = (struct uvs_prom_label){ "proto", l->proto };
	out[5] = (struct uvs_prom_label){ "local_mark", l->local_mark };
	return 6;
}

size_t uvsd_ipvs_service_labels(const struct uvsd_ipvs_labels *l, struct uvs_prom_label *out)
{
	out[0] = (struct uvs_prom_label){ "local_address", l->local_address };
	out[1] = (struct uvs_prom_label){ "local_port", l->local_port };
	out[2] = (struct uvs_prom_label){ "local_mark", l->local_mark };
	out[3] = (struct uvs_prom_label){ "proto", l->proto };
	out[4] = (struct uvs_prom_label){ "family", l->family };
	return 5;
}
