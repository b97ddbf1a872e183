// SPDX-License-Identifier: GPL-2.0-or-later
#include "xmit_test.h"

const struct addrs A4 = { "203.0.113.7", "198.51.100.1", "10.1.0.2", "10.1.0.1", "192.0.2.254" };
const struct addrs A6 = { "2001:db8:c::7", "2001:db8:5::1", "fd00:1::2", "fd00:1::1",
			  "2001:db8:ff::fe" };

union uvs_addr ua(int af, const char *text)
{
	union uvs_addr a;

	assert_int_equal(uvs_addr_parse(af, text, &a), 0);
	return a;
}

struct frame_spec flow(int af, uint8_t proto, const char *src, const char *dst, uint16_t sport,
		       uint16_t dport)
{
	/* No colon: HTTP on port 80 would take it for a bad header line. */
	static const uint8_t payload[] = "uvs xmit, an odd length";

	return (struct frame_spec){
		.af = af,
		.src = src,
		.dst = dst,
		.protocol = proto,
		.sport = sport,
		.dport = dport,
		.tcp_flags = proto == IPPROTO_TCP ? 0x18 : 0,
		.payload = payload,
		.payload_len = sizeof(payload) - 1,
	};
}

void tf_build(struct tframe *t, const struct frame_spec *s, uint32_t headroom)
{
	assert_true(headroom <= ROOM);
	memset(t->mem, 0xa5, sizeof(t->mem));
	memset(&t->f, 0, sizeof(t->f));
	t->headroom0 = headroom;
	t->f.data = t->mem + GUARD + ROOM;
	t->f.len = (uint32_t)frame_build(t->f.data, s);
	t->f.headroom = headroom;
	t->f.tailroom = SPACE - t->f.len;
	assert_int_equal(uvs_pkt_parse(t->f.data, t->f.len, &t->p), UVS_PKT_OK);
}

void assert_room(const struct tframe *t)
{
	const uint8_t *start = t->mem + GUARD + ROOM - t->headroom0;
	const uint8_t *end = t->mem + GUARD + ROOM + SPACE;

	assert_ptr_equal(t->f.data - t->f.headroom, start);
	assert_ptr_equal(t->f.data + t->f.len + t->f.tailroom, end);
	for (const uint8_t *b = t->mem; b < start; b++)
		assert_int_equal(*b, 0xa5);
	for (const uint8_t *b = end; b < t->mem + sizeof(t->mem); b++)
		assert_int_equal(*b, 0xa5);
}

void assert_frame_eq(const struct tframe *t, const struct tframe *w)
{
	assert_int_equal(t->f.len, w->f.len);
	assert_memory_equal(t->f.data, w->f.data, w->f.len);
	assert_room(t);
}

void assert_pkt_eq(const struct uvs_pkt *a, const struct uvs_pkt *b)
{
	assert_ptr_equal(a->frame, b->frame);
	assert_int_equal(a->frame_len, b->frame_len);
	assert_int_equal(a->l3_off, b->l3_off);
	assert_int_equal(a->l4_off, b->l4_off);
	assert_int_equal(a->ethertype, b->ethertype);
	assert_int_equal(a->has_vlan, b->has_vlan);
	assert_int_equal(a->vlan_tci, b->vlan_tci);
	assert_int_equal(a->af, b->af);
	assert_int_equal(a->protocol, b->protocol);
	assert_int_equal(a->ttl, b->ttl);
	assert_int_equal(a->tcp_flags, b->tcp_flags);
	assert_int_equal(a->icmp_type, b->icmp_type);
	assert_int_equal(a->icmp_code, b->icmp_code);
	assert_int_equal(a->l3_len, b->l3_len);
	assert_int_equal(a->l4_len, b->l4_len);
	assert_memory_equal(&a->saddr, &b->saddr, sizeof(a->saddr));
	assert_memory_equal(&a->daddr, &b->daddr, sizeof(a->daddr));
	assert_int_equal(a->sport, b->sport);
	assert_int_equal(a->dport, b->dport);
}

void assert_reparse(const struct tframe *t, enum uvs_pkt_reason want)
{
	struct uvs_pkt q;

	assert_int_equal(uvs_pkt_parse(t->f.data, t->f.len, &q), want);
	assert_pkt_eq(&t->p, &q);
}

void ref_check_ip(const uint8_t *ip, uint32_t avail)
{
	bool v6 = ip[0] >> 4 == 6;
	uint32_t hlen = v6 ? 40 : (uint32_t)(ip[0] & 0x0f) * 4;
	uint32_t tot = v6 ? 40u + get16(ip + 4) : get16(ip + 2);
	uint8_t proto = v6 ? ip[6] : ip[9];
	const uint8_t *src = ip + (v6 ? 8 : 12), *dst = ip + (v6 ? 24 : 16);
	const uint8_t *l4 = ip + hlen;
	uint32_t len = tot - hlen;
	int af = v6 ? AF_INET6 : AF_INET;

	assert_true(tot <= avail);
	if (!v6)
		assert_int_equal(ref_csum(ip, hlen, 0), 0);
	switch (proto) {
	case IPPROTO_UDP:
		if (!v6 && get16(l4 + 6) == 0)
			break;
		assert_int_not_equal(get16(l4 + 6), 0);
		len = get16(l4 + 4);
		/* fall through */
	case IPPROTO_TCP:
	case IPPROTO_ICMPV6:
		assert_int_equal(ref_csum(l4, len, ref_pseudo_sum(af, src, dst, proto, len)), 0);
		break;
	case IPPROTO_ICMP:
		assert_int_equal(ref_csum(l4, len, 0), 0);
		break;
	case IPPROTO_GRE:
		if (l4[0] & 0x80)
			assert_int_equal(ref_csum(l4, len, 0), 0);
		break;
	}
}

void keep(const struct tframe *t, const char *what)
{
	struct uvs_pkt p, inner;
	bool cut = false;

	if (uvs_pkt_parse(t->f.data, t->f.len, &p) == UVS_PKT_OK && uvs_pkt_is_icmp_error(&p) &&
	    uvs_pkt_parse_icmp_inner(&p, &inner) == UVS_PKT_OK)
		cut = inner.l3_off + inner.l3_len > p.l3_off + p.l3_len;
	capture_add(t->f.data, t->f.len, what, cut);
}
