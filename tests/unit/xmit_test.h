/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the cases of test_xmit share: frames with room around them, flows between the
 * usual parties, comparisons, and the reference checks of checksums. */
#ifndef UVS_XMIT_TEST_H
#define UVS_XMIT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "frames.h"
#include "pkt/parse.h"
#include "uvs/ipvs.h"
#include "xmit/xmit.h"

#define ROOM  UVS_FRAME_HEADROOM
#define GUARD 16 /* bytes outside the room on each side that nothing may touch */
#define SPACE 2048

/* A frame as a backend hands it over: the usable room before it (headroom, possibly
 * less than ROOM) and after it; every byte outside is a guard. */
struct tframe {
	uint8_t mem[GUARD + ROOM + SPACE + GUARD];
	uint32_t headroom0; /* as built */
	struct uvs_frame f;
	struct uvs_pkt p;
};

/* The parties: client, virtual service, real server, director, a router. */
struct addrs {
	const char *client, *vip, *rs, *dir, *router;
};
extern const struct addrs A4, A6;

static inline const struct addrs *addrs(int af)
{
	return af == AF_INET6 ? &A6 : &A4;
}

static inline uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* An address from text; the test fails if it is not one. */
union uvs_addr ua(int af, const char *text);

/* A TCP (PSH|ACK) or UDP packet with a short payload of odd length. */
struct frame_spec flow(int af, uint8_t proto, const char *src, const char *dst, uint16_t sport,
		       uint16_t dport);

/* Builds s into t with the given headroom and parses it into t->p (must be OK). */
void tf_build(struct tframe *t, const struct frame_spec *s, uint32_t headroom);

/* Same frame, byte for byte; t's room bookkeeping intact and its guards untouched. */
void assert_frame_eq(const struct tframe *t, const struct tframe *w);
void assert_room(const struct tframe *t);

/* Every field of two parses is equal. */
void assert_pkt_eq(const struct uvs_pkt *a, const struct uvs_pkt *b);

/* Parses t's frame afresh, expecting reason want, and checks t->p says the same. */
void assert_reparse(const struct tframe *t, enum uvs_pkt_reason want);

/*
 * Checks with frames.c's reference, reading the raw bytes (IPv6 without extension
 * headers): the IPv4 header checksum and the TCP, UDP, ICMP, ICMPv6 or GRE checksum
 * of the IP packet at ip, of which avail bytes are in the frame.
 */
void ref_check_ip(const uint8_t *ip, uint32_t avail);

/* Hands t's frame to the capture that tshark checks at the end. */
void keep(const struct tframe *t, const char *what);

/* The cases in xmit_tun_cases.c and xmit_err_cases.c. */
void test_tun_ipip(void **state);
void test_tun_gue(void **state);
void test_tun_gre(void **state);
void test_tun_df(void **state);
void test_tun_enospc(void **state);
void test_tun_refused(void **state);
void test_tun_padding(void **state);
void test_tun_flow_hash(void **state);
#define XMIT_TUN_TESTS                                                                             \
	cmocka_unit_test(test_tun_ipip), cmocka_unit_test(test_tun_gue),                           \
		cmocka_unit_test(test_tun_gre), cmocka_unit_test(test_tun_df),                     \
		cmocka_unit_test(test_tun_enospc), cmocka_unit_test(test_tun_refused),             \
		cmocka_unit_test(test_tun_padding), cmocka_unit_test(test_tun_flow_hash)

void test_err_frag_needed(void **state);
void test_err_time_exceeded(void **state);
void test_err_port_unreachable(void **state);
void test_err_from_vip(void **state);
void test_err_enospc(void **state);
#define XMIT_ERR_TESTS                                                                             \
	cmocka_unit_test(test_err_frag_needed), cmocka_unit_test(test_err_time_exceeded),          \
		cmocka_unit_test(test_err_port_unreachable), cmocka_unit_test(test_err_from_vip),  \
		cmocka_unit_test(test_err_enospc)

#endif
