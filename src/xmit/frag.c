// SPDX-License-Identifier: GPL-2.0-or-later
/* Fragmentation of a whole IP packet to a smaller MTU, as Linux's ip_do_fragment()
 * and ip6_fragment() cut a packet they forward. */
#include <errno.h>

#include "xmit-internal.h"
#include "xmit.h"

#define IPOPT_END_ 0
#define IPOPT_NOP_ 1
#define IPOPT_COPY 0x80 /* the option goes into every fragment (RFC 791) */

/* IPv4: the header of fragments after the first: options without the copy flag
 * become NOPs, so the header keeps its length (ip_options_fragment()). */
static void later_options(uint8_t *ip, uint32_t ihl)
{
	for (uint32_t i = sizeof(struct ip); i < ihl;) {
		uint8_t type = ip[i];
		uint32_t n;

		if (type == IPOPT_END_)
			break;
		if (type == IPOPT_NOP_) {
			i++;
			continue;
		}
		n = i + 1 < ihl ? ip[i + 1] : 0;
		if (n < 2 || i + n > ihl)
			break; /* the parser let it through; it is not rewritten */
		if (!(type & IPOPT_COPY))
			memset(ip + i, IPOPT_NOP_, n);
		i += n;
	}
}

/* IPv6: the length of the part each fragment repeats (the header, hop-by-hop and
 * routing headers, destination options before a routing header), and where the
 * next-header byte naming the first header after it is (ip6_find_1stfragopt()). */
static uint32_t unfragmentable(const uint8_t *ip, uint32_t len, uint32_t *nh)
{
	uint32_t off = sizeof(struct ip6_hdr);
	bool routing = false;

	*nh = offsetof(struct ip6_hdr, ip6_nxt);
	while (off + 2 <= len) {
		uint8_t next = ip[*nh];

		if (next == IPPROTO_DSTOPTS && routing)
			break;
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS)
			break;
		routing |= next == IPPROTO_ROUTING;
		*nh = off;
		off += ((uint32_t)ip[off + 1] + 1) * 8;
	}
	return off;
}

int uvs_ip_fragment(const struct uvs_pkt *p, uint32_t size, uint32_t id, uint8_t *buf, size_t room,
		    uint32_t headroom, struct uvs_frame *out, unsigned max)
{
	const uint8_t *frame = p->frame, *ip = frame + p->l3_off;
	uint32_t l2 = p->l3_off, nh = 0, head, step, total = p->l3_len, n = 0;
	bool v6 = p->af == AF_INET6;

	if (v6) {
		head = unfragmentable(ip, total, &nh);
		if (head > total || size < head + sizeof(struct ip6_frag) + 8)
			return -ENOSPC;
		step = (size - head - (uint32_t)sizeof(struct ip6_frag)) & ~7u;
	} else {
		head = uvs_ip4_hlen(ip);
		if (size < head + 8)
			return -ENOSPC;
		step = (size - head) & ~7u;
	}
	uint32_t body = total - head;
	uint32_t slot = headroom + l2 + size;
	if ((body + step - 1) / step > max || (size_t)slot * ((body + step - 1) / step) > room)
		return -ENOSPC;

	for (uint32_t off = 0; off < body; off += step, n++) {
		uint32_t chunk = body - off < step ? body - off : step;
		bool more = off + chunk < body;
		uint8_t *d = buf + (size_t)n * slot + headroom, *fip = d + l2;
		uint32_t hlen = head;

		memcpy(d, frame, l2 + head);
		if (v6) {
			struct ip6_frag fh = {
				.ip6f_nxt = ip[nh],
				.ip6f_reserved = 0,
				.ip6f_offlg = htons((uint16_t)off | (more ? 1 : 0)),
				.ip6f_ident = htonl(id),
			};
			fip[nh] = IPPROTO_FRAGMENT;
			memcpy(fip + head, &fh, sizeof(fh));
			hlen += sizeof(fh);
			uvs_put16(fip + offsetof(struct ip6_hdr, ip6_plen),
				  (uint16_t)(hlen - sizeof(struct ip6_hdr) + chunk));
		} else {
			uint16_t df = uvs_get16(ip + offsetof(struct ip, ip_off)) & IP_DF;

			if (off)
				later_options(fip, head);
			uvs_put16(fip + offsetof(struct ip, ip_len), (uint16_t)(head + chunk));
			uvs_put16(fip + offsetof(struct ip, ip_off),
				  (uint16_t)(df | (more ? IP_MF : 0) | off / 8));
			uvs_put16(fip + offsetof(struct ip, ip_sum), 0);
			uvs_csum_store(fip + offsetof(struct ip, ip_sum),
				       uvs_csum_fold(uvs_csum_add(0, fip, head)));
		}
		memcpy(fip + hlen, ip + head + off, chunk);
		out[n] = (struct uvs_frame){
			.data = d,
			.len = l2 + hlen + chunk,
			.headroom = headroom,
			.tailroom = slot - headroom - (l2 + hlen + chunk),
		};
	}
	return (int)n;
}
