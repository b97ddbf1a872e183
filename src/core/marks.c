// SPDX-License-Identifier: GPL-2.0-or-later
#include <netinet/in.h>

#include "marks.h"

static bool in_prefix(int af, const union uvs_addr *a, const union uvs_addr *net, unsigned prefix)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)net;
	unsigned bits = af == AF_INET6 ? 128 : 32;

	if (prefix > bits)
		prefix = bits;
	for (unsigned i = 0; i < prefix / 8; i++)
		if (x[i] != y[i])
			return false;
	if (prefix % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - prefix % 8));
		if ((x[prefix / 8] ^ y[prefix / 8]) & m)
			return false;
	}
	return true;
}

uint32_t uvs_marks_classify(const struct uvs_marks *t, int af, int protocol,
			    const union uvs_addr *daddr, uint16_t dport)
{
	uint16_t port = ntohs(dport);
	uint32_t mark = 0;

	for (unsigned i = 0; t && i < t->n; i++) {
		const struct uvs_mark_rule *r = &t->rule[i];

		if (r->af != af || (r->protocol && r->protocol != protocol) || port < r->port_lo ||
		    port > r->port_hi || !in_prefix(af, daddr, &r->addr, r->prefix))
			continue;
		mark &= ~r->mask;
		mark = r->xor ? mark ^ r->value : mark | r->value;
	}
	return mark;
}

bool uvs_mark_rule_may_give(const struct uvs_mark_rule *r, uint32_t mark)
{
	/* A rule alone gives (0 & ~mask) op value = value; earlier rules may combine, so
	 * any shared bit counts. */
	return mark && (r->value & mark);
}
