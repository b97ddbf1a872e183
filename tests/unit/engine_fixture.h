/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An engine with one worker over a test model, on one imaginary link: frames are
 * built from specs, sent one at a time at the model's clock, and what comes out is
 * parsed and its checksums checked. Include after <cmocka.h>.
 */
#ifndef UVS_TEST_ENGINE_FIXTURE_H
#define UVS_TEST_ENGINE_FIXTURE_H

#include "core/engine.h"
#include "frames.h"
#include "helpers.h"

#define S UVS_NS_PER_SEC

/* Next hops: MTU fx->mtu, source 192.0.2.254 / 2001:db8::fe, MAC 02:00 + the last four
 * address bytes. */
struct eng_fixture {
	struct test_env env;
	struct uvs_engine e;
	struct uvs_worker w;
	uint32_t mtu;
	uint8_t buf[UVS_FRAME_HEADROOM + 4096];
	struct uvs_frame f;
	struct uvs_pkt out; /* the frame sent, parsed */
};

/* cmocka setup/teardown: a table of 1000 connections, or of 2. */
int eng_setup(void **state);
int eng_setup_small(void **state);
int eng_teardown(void **state);

/* Sends one frame at the fixture's time; returns the verdict. A sent frame is parsed
 * into fx->out and its checksums verified with the reference implementation. */
int eng_send(struct eng_fixture *fx, const struct frame_spec *s);
void eng_assert_addr(int af, const union uvs_addr *a, const char *text);
/* Adds "addr:port" with weight w and method fwd to svc; asserts success. */
struct uvs_dest *eng_add_dest(struct eng_fixture *fx, struct uvs_service *svc, const char *ap,
			      int w, uint32_t fwd);
/* The engine's counter for reason r. */
uint64_t eng_counter(struct eng_fixture *fx, enum uvs_reason r);

#endif
