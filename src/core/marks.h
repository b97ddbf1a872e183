/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Firewall marks, given by uvs itself. IPVS's fwmark services match the mark iptables
 * or nftables put on a packet; uvs takes frames before those rules run, so it applies
 * the same kind of rules itself: a table of "destination, protocol, ports -> mark"
 * rules, read from the mangle-table MARK rules an operator already has (adm/marks.c),
 * applied to each frame before the engine looks for a service.
 *
 * As iptables does, every matching rule applies in order, each one's mark and mask
 * changing the mark left by the ones before; a frame starts with mark 0.
 */
#ifndef UVS_MARKS_H
#define UVS_MARKS_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt/addr.h"

struct uvs_mark_rule {
	uint8_t af;
	uint8_t protocol; /* IPPROTO_TCP, _UDP, _SCTP; 0: any */
	uint8_t prefix;	  /* of addr: 0..32 or 0..128 */
	bool xor ;	  /* --set-xmark: mark = (mark & ~mask) ^ value; else | value */
	union uvs_addr addr;
	uint16_t port_lo, port_hi; /* destination ports, host order, inclusive */
	uint32_t value, mask;
};

struct uvs_marks {
	unsigned n;
	struct uvs_mark_rule rule[];
};

/* The mark of a frame to daddr:dport (network order) of protocol, family af. */
uint32_t uvs_marks_classify(const struct uvs_marks *t, int af, int protocol,
			    const union uvs_addr *daddr, uint16_t dport);

/* Whether frames rule r matches may end up with mark (nonzero): r sets one of its
 * bits. Rules combine, so this over-approximates; steering uses it to take only the
 * frames that can reach a fwmark service. */
bool uvs_mark_rule_may_give(const struct uvs_mark_rule *r, uint32_t mark);

#endif
