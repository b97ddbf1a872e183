// SPDX-License-Identifier: GPL-2.0-or-later
/* TCP rewrites of an application helper (the FTP helper): sequence and
 * acknowledgement numbers, and a payload whose length changes. */
#include <errno.h>

#include "xmit-internal.h"
#include "xmit.h"

void uvs_tcp_seq_ack_set(struct uvs_pkt *p, uint32_t seq, uint32_t ack)
{
	uint8_t *th = p->frame + p->l4_off;
	uint8_t *csum = th + offsetof(struct tcphdr, th_sum);
	uint32_t old[2], new[2] = { htonl(seq), htonl(ack) };

	_Static_assert(offsetof(struct tcphdr, th_ack) == offsetof(struct tcphdr, th_seq) + 4,
		       "acknowledgement after sequence");
	memcpy(old, th + offsetof(struct tcphdr, th_seq), sizeof(old));
	uvs_csum_fix(csum, old, new, sizeof(new));
	memcpy(th + offsetof(struct tcphdr, th_seq), new, sizeof(new));
}

/* Sets the IP header's length fields for an IP packet of len bytes. */
static void ip_length_set(struct uvs_pkt *p, uint32_t len)
{
	uint8_t *ip = p->frame + p->l3_off;

	if (p->af == AF_INET6) {
		uvs_put16(ip + offsetof(struct ip6_hdr, ip6_plen),
			  (uint16_t)(len - sizeof(struct ip6_hdr)));
		return;
	}
	uint8_t *field = ip + offsetof(struct ip, ip_len);
	uint16_t old, new = htons((uint16_t)len);

	memcpy(&old, field, sizeof(old));
	memcpy(field, &new, sizeof(new));
	uvs_csum_fix(ip + offsetof(struct ip, ip_sum), &old, &new, sizeof(new));
}

int uvs_tcp_payload_replace(struct uvs_frame *f, struct uvs_pkt *p, uint32_t off, uint32_t old_len,
			    const void *text, uint32_t new_len, uint32_t max_len)
{
	uint32_t hlen = uvs_tcp_hlen(p->frame + p->l4_off);
	uint32_t at = p->l4_off + hlen + off, end = p->l3_off + p->l3_len;

	int64_t grow = (int64_t)new_len - old_len;
	uint64_t len = (uint64_t)p->l3_len + grow;

	if (at + old_len > end || end != f->len || p->frame != f->data)
		return -EINVAL;
	if (len > max_len || len > 65535 || grow > (int64_t)f->tailroom ||
	    (p->af == AF_INET6 && len < sizeof(struct ip6_hdr)))
		return -ENOSPC;
	/* What follows the text moves by grow; the frame ends with the IP packet (the
	 * engine trims any padding before it rewrites). */
	memmove(p->frame + at + new_len, p->frame + at + old_len, f->len - at - old_len);
	memcpy(p->frame + at, text, new_len);
	f->len = (uint32_t)(f->len + grow);
	f->tailroom = (uint32_t)(f->tailroom - grow);
	p->frame_len = (uint32_t)(p->frame_len + grow);
	p->l3_len = (uint32_t)len;
	p->l4_len = (uint32_t)(p->l4_len + grow);
	ip_length_set(p, p->l3_len);
	uvs_pkt_l4_csum_fill(p);
	return 0;
}
