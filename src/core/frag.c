// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reassembly table of frag.h. A datagram's fragments are kept in a list sorted by
 * offset, never overlapping; its first fragment's headers are kept apart, since the
 * whole datagram takes them.
 */
#include "frag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/atomic.h"
#include "pkt/csum.h"
#include "pkt/wire.h"

/* The largest IP packet (IPv4 total length, IPv6 payload length). */
#define IP_MAXLEN 65535u

struct piece {
	struct piece *next;
	uint32_t off, len; /* bytes of the datagram's payload */
	uint8_t data[];
};

struct uvs_frag_queue {
	struct uvs_frag_queue *next; /* bucket chain */
	uint8_t af;
	uint8_t protocol; /* IPv4 only: IPv6 keys do not name one */
	uint32_t id;
	union uvs_addr saddr, daddr;
	uvs_time_t expires;
	uint32_t end;  /* the datagram's payload length as far as known */
	bool last_in;  /* the last fragment (no more-fragments) arrived */
	uint32_t held; /* payload bytes held: the datagram is whole when it is end */
	size_t mem;    /* bytes counted against the family's limit */
	uint16_t max_frag, max_df_frag; /* largest fragment, largest with DF (IPv4) */
	uint32_t fwmark;
	/* The first fragment's link header and unfragmentable part (IPv4 header with its
	 * options; IPv6 header and the extension headers before the fragment header),
	 * and for IPv6 the header that followed the fragment header. */
	uint8_t *head;
	uint32_t head_len, head_l3;
	uint8_t next_header;
	struct piece *pieces;
};

static int family(int af)
{
	return af == AF_INET6;
}

int uvs_frag_table_init(struct uvs_frag_table *t, unsigned bits, size_t mem_limit)
{
	memset(t, 0, sizeof(*t));
	if (bits < 4 || bits > 20)
		return -EINVAL;
	t->mask = (1u << bits) - 1;
	t->buckets = calloc((size_t)t->mask + 1, sizeof(*t->buckets));
	t->locks = calloc((size_t)t->mask + 1, sizeof(*t->locks));
	if (!t->buckets || !t->locks) {
		uvs_frag_table_destroy(t);
		return -ENOMEM;
	}
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x3c6ef372fe94f82bull;
	t->mem_limit = mem_limit;
	t->time_s[0] = UVS_FRAG_TIME4_S;
	t->time_s[1] = UVS_FRAG_TIME6_S;
	return 0;
}

static void queue_free(struct uvs_frag_table *t, struct uvs_frag_queue *q)
{
	while (q->pieces) {
		struct piece *next = q->pieces->next;
		free(q->pieces);
		q->pieces = next;
	}
	free(q->head);
	uvs_sub_relaxed(&t->mem[family(q->af)], q->mem); /* relaxed: a count */
	uvs_sub_relaxed(&t->queues, 1);			 /* relaxed: a count */
	free(q);
}

void uvs_frag_table_destroy(struct uvs_frag_table *t)
{
	for (uint32_t b = 0; t->buckets && b <= t->mask; b++)
		while (t->buckets[b]) {
			struct uvs_frag_queue *q = t->buckets[b];
			t->buckets[b] = q->next;
			queue_free(t, q);
		}
	free(t->buckets);
	free(t->locks);
	t->buckets = NULL;
	t->locks = NULL;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 31);
}

/* Keyed, so that a sender cannot line its datagrams up in one chain. */
static uint32_t bucket_of(const struct uvs_frag_table *t, const struct uvs_pkt *p, uint8_t proto)
{
	uint64_t h = mix(t->seed, (uint64_t)p->af << 40 | (uint64_t)proto << 32 | p->frag_id);

	for (int i = 0; i < 4; i++)
		h = mix(h, (uint64_t)p->saddr.ip6w[i] << 32 | p->daddr.ip6w[i]);
	return (uint32_t)(h ^ h >> 32) & t->mask;
}

static bool key_eq(const struct uvs_frag_queue *q, const struct uvs_pkt *p, uint8_t proto)
{
	return q->id == p->frag_id && q->af == p->af && q->protocol == proto &&
	       uvs_addr_eq(&q->saddr, &p->saddr) && uvs_addr_eq(&q->daddr, &p->daddr);
}

/* Takes q out of its chain (under the bucket's lock). */
static void unlink_queue(struct uvs_frag_queue **chain, struct uvs_frag_queue *q)
{
	while (*chain != q)
		chain = &(*chain)->next;
	*chain = q->next;
}

/* Counts n more bytes against af's limit; false (nothing counted) past it. */
static bool charge(struct uvs_frag_table *t, int af, size_t n)
{
	size_t *mem = &t->mem[family(af)];

	/* Relaxed: a count against the bound, publishing nothing. */
	if (uvs_add_return_relaxed(mem, n) <= t->mem_limit)
		return true;
	uvs_sub_relaxed(mem, n);
	return false;
}

/*
 * Where the new fragment [off, end) goes among q's, which never overlap: *at is the
 * link to insert it at. Fragments that touch form a run; one lying inside a run is a
 * duplicate, one reaching into a run otherwise an overlap (the kernel's
 * inet_frag_queue_insert()).
 */
static enum uvs_frag_result place(struct uvs_frag_queue *q, uint32_t off, uint32_t end,
				  struct piece ***at)
{
	struct piece **link = &q->pieces;

	*at = link;
	while (*link) {
		struct piece *first = *link, *last = first;
		uint32_t run_start = first->off, run_end;

		while (last->next && last->next->off == last->off + last->len)
			last = last->next;
		run_end = last->off + last->len;
		if (end <= run_start)
			break;
		if (off < run_end)
			return off >= run_start && end <= run_end ? UVS_FRAG_DUP : UVS_FRAG_OVERLAP;
		/* After this run: the new one goes after its last fragment, unless a
		 * later run comes first. */
		link = &last->next;
		*at = link;
	}
	/* Sorted by offset within the run too. */
	while (**at && (**at)->off < off)
		*at = &(**at)->next;
	return UVS_FRAG_HELD;
}

/* Writes q's datagram into done. Returns false if it does not fit. */
static bool assemble(const struct uvs_frag_queue *q, struct uvs_frag_done *done)
{
	uint32_t len = q->head_len + q->end;
	uint8_t *ip = done->buf + q->head_l3;

	if (len > done->room)
		return false;
	memcpy(done->buf, q->head, q->head_len);
	for (const struct piece *pc = q->pieces; pc; pc = pc->next)
		memcpy(done->buf + q->head_len + pc->off, pc->data, pc->len);
	if (q->af == AF_INET) {
		uint32_t ihl = q->head_len - q->head_l3;

		uvs_put16(ip + offsetof(struct ip, ip_len), (uint16_t)(ihl + q->end));
		/* DF only when the largest fragment had it (ip_frag_reasm()). */
		uvs_put16(ip + offsetof(struct ip, ip_off),
			  q->max_df_frag && q->max_df_frag == q->max_frag ? IP_DF : 0);
		uint16_t sum;

		uvs_put16(ip + offsetof(struct ip, ip_sum), 0);
		sum = uvs_csum_fold(uvs_csum_add(0, ip, ihl)); /* network order already */
		memcpy(ip + offsetof(struct ip, ip_sum), &sum, sizeof(sum));
	} else {
		/* The next-header byte that named the fragment header names what followed
		 * it: the fixed header's, or the last extension header's before it. */
		uint32_t unfrag = q->head_len - q->head_l3;
		uint32_t nh = offsetof(struct ip6_hdr, ip6_nxt), hdr = sizeof(struct ip6_hdr);

		while (hdr < unfrag) {
			nh = hdr;
			hdr += ((uint32_t)ip[hdr + 1] + 1) * 8; /* never AH: it follows fragments */
		}
		ip[nh] = q->next_header;
		uvs_put16(ip + offsetof(struct ip6_hdr, ip6_plen),
			  (uint16_t)(unfrag - sizeof(struct ip6_hdr) + q->end));
	}
	done->len = len;
	done->fwmark = q->fwmark;
	done->id = q->id;
	done->max_frag = q->max_frag;
	return true;
}

/* The fragment's payload in the frame: [*start, *start + *len). */
static void payload_of(const struct uvs_pkt *p, uint32_t *start, uint32_t *len)
{
	*start = p->af == AF_INET ? p->l4_off : p->frag_hdr + (uint32_t)sizeof(struct ip6_frag);
	*len = p->l3_off + p->l3_len - *start;
}

/* Keeps the first fragment's headers in q. Returns false without memory. */
static bool keep_head(struct uvs_frag_table *t, struct uvs_frag_queue *q, const struct uvs_pkt *p,
		      uint32_t start, uint32_t fwmark)
{
	uint32_t head_len = p->af == AF_INET ? start : p->frag_hdr;

	if (!charge(t, p->af, head_len))
		return false;
	q->head = malloc(head_len);
	if (!q->head) {
		uvs_sub_relaxed(&t->mem[family(p->af)], head_len); /* relaxed: a count */
		return false;
	}
	memcpy(q->head, p->frame, head_len);
	q->head_len = head_len;
	q->head_l3 = p->l3_off;
	q->mem += head_len;
	q->fwmark = fwmark;
	if (p->af == AF_INET6)
		q->next_header = p->frame[p->frag_hdr + offsetof(struct ip6_frag, ip6f_nxt)];
	return true;
}

enum uvs_frag_result uvs_frag_add(struct uvs_frag_table *t, const struct uvs_pkt *p,
				  uint32_t fwmark, uvs_time_t now, struct uvs_frag_done *done)
{
	uint8_t proto = p->af == AF_INET ? p->protocol : 0;
	uint32_t b = bucket_of(t, p, proto), start, len, off = p->frag_off, end;
	struct uvs_frag_queue *q, **chain = &t->buckets[b];
	enum uvs_frag_result r;
	struct piece *pc, **at;
	bool whole;

	payload_of(p, &start, &len);
	end = off + len;
	if (p->af == AF_INET && p->frag_more)
		end &= ~7u; /* the kernel trims a non-last fragment to 8-byte units */
	else if (p->af == AF_INET6 && (end > IP_MAXLEN || (p->frag_more && end & 7)))
		return UVS_FRAG_BAD; /* the kernel's parameter problem: this one only */
	len = end - off;

	uvs_spin_lock(&t->locks[b]);
	for (q = *chain; q && !key_eq(q, p, proto); q = q->next)
		;
	if (!q) {
		if (!charge(t, p->af, sizeof(*q))) {
			uvs_spin_unlock(&t->locks[b]);
			return UVS_FRAG_NO_MEMORY;
		}
		q = calloc(1, sizeof(*q));
		if (!q) {
			uvs_sub_relaxed(&t->mem[family(p->af)], sizeof(*q)); /* relaxed: a count */
			uvs_spin_unlock(&t->locks[b]);
			return UVS_FRAG_NO_MEMORY;
		}
		q->af = p->af;
		q->protocol = proto;
		q->id = p->frag_id;
		q->saddr = p->saddr;
		q->daddr = p->daddr;
		q->mem = sizeof(*q);
		q->expires = now + (uvs_time_t)t->time_s[family(p->af)] * UVS_NS_PER_SEC;
		q->next = *chain;
		*chain = q;
		uvs_add_relaxed(&t->queues, 1); /* relaxed: a count */
	}
	/* The end the datagram may have (ip_frag_queue(), ip6_frag_queue()). */
	r = UVS_FRAG_BAD;
	if (p->af == AF_INET && (p->l4_off - p->l3_off) + end > IP_MAXLEN)
		goto discard;
	if (!p->frag_more) {
		if (end < q->end || (q->last_in && end != q->end))
			goto discard;
		q->last_in = true;
		q->end = end;
	} else if (end > q->end) {
		if (q->last_in)
			goto discard;
		q->end = end;
	}
	if (end == off)
		goto discard;
	r = place(q, off, end, &at);
	if (r == UVS_FRAG_OVERLAP)
		goto discard;
	if (r == UVS_FRAG_DUP)
		goto keep;
	r = UVS_FRAG_NO_MEMORY;
	if (!charge(t, p->af, sizeof(*pc) + len))
		goto keep;
	pc = malloc(sizeof(*pc) + len);
	if (!pc) {
		uvs_sub_relaxed(&t->mem[family(p->af)], sizeof(*pc) + len); /* relaxed: a count */
		goto keep;
	}
	if (!off && !keep_head(t, q, p, start, fwmark)) {
		uvs_sub_relaxed(&t->mem[family(p->af)], sizeof(*pc) + len); /* relaxed: a count */
		free(pc);
		goto keep;
	}
	pc->off = off;
	pc->len = len;
	memcpy(pc->data, p->frame + start, len);
	pc->next = *at;
	*at = pc;
	q->mem += sizeof(*pc) + len;
	q->held += len;
	if (p->l3_len > q->max_frag)
		q->max_frag = (uint16_t)p->l3_len;
	if (uvs_pkt_df(p) && p->af == AF_INET && p->l3_len > q->max_df_frag)
		q->max_df_frag = (uint16_t)p->l3_len;
	whole = q->last_in && q->head && q->held == q->end;
	if (!whole) {
		uvs_spin_unlock(&t->locks[b]);
		return UVS_FRAG_HELD;
	}
	unlink_queue(chain, q);
	uvs_spin_unlock(&t->locks[b]);
	r = assemble(q, done) ? UVS_FRAG_DONE : UVS_FRAG_BAD;
	queue_free(t, q);
	return r;
keep:
	/* A fragment left out; a queue it alone made goes again. */
	if (!q->pieces) {
		unlink_queue(chain, q);
		uvs_spin_unlock(&t->locks[b]);
		queue_free(t, q);
		return r;
	}
	uvs_spin_unlock(&t->locks[b]);
	return r;
discard:
	unlink_queue(chain, q);
	uvs_spin_unlock(&t->locks[b]);
	queue_free(t, q);
	return r;
}

unsigned uvs_frag_expire(struct uvs_frag_table *t, uvs_time_t now, uint32_t first, uint32_t n)
{
	unsigned expired = 0;

	/* Relaxed: a hint; a datagram added meanwhile is seen at the next sweep. */
	if (!uvs_load_relaxed(&t->queues))
		return 0;
	for (uint32_t b = first; b < first + n && b <= t->mask; b++) {
		struct uvs_frag_queue *gone = NULL;

		uvs_spin_lock(&t->locks[b]);
		for (struct uvs_frag_queue **link = &t->buckets[b]; *link;) {
			struct uvs_frag_queue *q = *link;

			if (q->expires > now) {
				link = &q->next;
				continue;
			}
			*link = q->next;
			q->next = gone;
			gone = q;
		}
		uvs_spin_unlock(&t->locks[b]);
		while (gone) {
			struct uvs_frag_queue *next = gone->next;
			queue_free(t, gone);
			gone = next;
			expired++;
		}
	}
	return expired;
}
