/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Two directors for the engine's sync tests: a and b, each an engine over a model of
 * its own with one data path worker (id 0), the sync daemons' worker (id 1) and id 2
 * left free (for a receive path that registers its own), on one clock. A frame sent to a director
 * goes through its data worker; what a master queued is taken off its rings; what a backup receives
 * is applied with its sync worker. Include after <cmocka.h>.
 */
#ifndef UVS_TEST_SYNC_FIXTURE_H
#define UVS_TEST_SYNC_FIXTURE_H

#include "core/sync.h"
#include "frames.h"
#include "helpers.h"

#define S UVS_NS_PER_SEC

struct sync_node {
	struct uvs_model *m;
	struct uvs_model own_m; /* b's model (a's is the test_env's) */
	struct uvs_engine e;
	struct uvs_worker w;  /* the data path */
	struct uvs_worker sw; /* the sync daemons' */
	struct uvs_sync_out *so;
	unsigned wakes; /* doorbells rung by its workers */
	uint8_t buf[UVS_FRAME_HEADROOM + 4096];
	struct uvs_frame f;
	struct uvs_pkt out; /* the last frame sent, parsed */
};

struct sync_fixture {
	struct test_env env; /* a's model and the clock */
	struct sync_node a, b;
};

/* cmocka setup and teardown. Rings of 64 entries on a when it is made master. */
int sync_setup(void **state);
int sync_teardown(void **state);

/* Makes n a master: rings (of size entries) its worker fills. */
void sync_master_start(struct sync_node *n, unsigned size);
/* Takes up to max entries off n's data worker's ring. */
unsigned sync_take(struct sync_node *n, struct uvs_sync_conn *out, unsigned max);

/* Sends one frame to n at the fixture's time; returns the verdict (the sent frame is
 * parsed into n->out). */
int sync_send(struct sync_fixture *fx, struct sync_node *n, const struct frame_spec *s);

/* Adds service "addr:port" (TCP, or UDP if udp) with scheduler rr to n; flags and
 * timeout for persistence; returns it. */
struct uvs_service *sync_add_svc(struct sync_node *n, const char *ap, bool udp, uint32_t flags,
				 uint32_t timeout);
/* Adds "addr:port" with weight 1 and method fwd to svc of n. */
struct uvs_dest *sync_add_dest(struct sync_node *n, struct uvs_service *svc, const char *ap,
			       uint32_t fwd);
/* Applies s to n with its sync worker at the fixture's time. */
enum uvs_sync_apply_result sync_apply(struct sync_fixture *fx, struct sync_node *n,
				      const struct uvs_sync_conn *s);
/* The connection of n from caddr:cport to vaddr:vport (template: a template), or NULL. */
struct uvs_conn *sync_find(struct sync_node *n, int protocol, const char *caddr, uint16_t cport,
			   const char *vaddr, uint16_t vport, bool template);
/* n's counter for reason r. */
uint64_t sync_counter(struct sync_node *n, enum uvs_reason r);
void sync_assert_addr(int af, const union uvs_addr *a, const char *text);

#endif
