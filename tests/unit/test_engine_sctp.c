// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SCTP through the engine: an association by NAT with its states and ActiveConn /
 * InActConn as the kernel counts them, the CRC32c recomputed (checked with a bit by bit
 * reference) and a bad one dropped, scheduling on INIT only unless sloppy_sctp (never
 * on ABORT), a new INIT replacing a CLOSED connection, and persistence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "engine_fixture.h"
#include "pkt/wire.h"

#define VIP    "10.0.0.1"
#define CLIENT "172.16.0.5"
#define RS     "192.168.0.11"

static struct uvs_service *add_sctp_svc(struct eng_fixture *fx)
{
	struct uvs_svc_conf c = test_svc_conf(VIP ":3868", "rr");
	struct uvs_error err = { { 0 } };

	c.key.protocol = IPPROTO_SCTP;
	if (uvs_svc_add(&fx->env.m, &c, &err) != 0)
		fail_msg("adding the service: %s", err.msg);
	return uvs_svc_find(&fx->env.m, &c.key);
}

/* A packet of one chunk of the given type (4-byte header, 4 bytes of value); the
 * chunk lives in one of a few buffers, so that specs made one after the other stay. */
static struct frame_spec sctp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			      uint8_t type)
{
	static uint8_t chunks[4][8];
	static unsigned next;
	uint8_t *chunk = chunks[next++ % 4];
	struct frame_spec s = frame_udp(src, sport, dst, dport);

	chunk[0] = type;
	chunk[1] = 0;
	chunk[2] = 0;
	chunk[3] = 8;
	memset(chunk + 4, 0x11 * type, 4);
	s.protocol = IPPROTO_SCTP;
	s.payload = chunk;
	s.payload_len = 8;
	return s;
}

/* The state uvsadm -L -c would show of the one connection. */
static uint8_t conn_state(struct eng_fixture *fx)
{
	union uvs_addr c, v;
	struct uvs_conn *conn;

	uvs_addr_parse(AF_INET, CLIENT, &c);
	uvs_addr_parse(AF_INET, VIP, &v);
	rcu_read_lock();
	conn = uvs_conn_in_get(&fx->e.conns, AF_INET, IPPROTO_SCTP, &c, htons(5000), &v,
			       htons(3868), false);
	assert_non_null(conn);
	uint8_t s = conn->state;
	rcu_read_unlock();
	return s;
}

/* The sent frame's CRC32c, checked bit by bit, and where it went. */
static void assert_sent(struct eng_fixture *fx, const char *dst, uint16_t dport)
{
	uint8_t copy[2048];
	uint32_t len = fx->out.l4_len;

	assert_int_equal(fx->f.verdict, UVS_VERDICT_TX);
	memcpy(copy, fx->f.data + fx->out.l4_off, len);
	uint32_t sent;
	memcpy(&sent, copy + UVS_SCTP_CSUM_OFF, 4);
	ref_sctp_csum_set(copy, len);
	assert_memory_equal(copy + UVS_SCTP_CSUM_OFF, &sent, 4);
	eng_assert_addr(AF_INET, &fx->out.daddr, dst);
	assert_int_equal(ntohs(fx->out.dport), dport);
}

static void test_nat_association(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = add_sctp_svc(fx);
	struct uvs_dest *d = eng_add_dest(fx, svc, RS ":3869", 1, UVS_FWD_MASQ);
	static const struct {
		bool reply;
		uint8_t chunk;
		enum uvs_sctp_state after;
	} steps[] = {
		{ false, 1, UVS_SCTP_S_INIT1 },
		{ true, 2, UVS_SCTP_S_COOKIE_SENT },
		{ false, 10, UVS_SCTP_S_COOKIE_REPLIED },
		{ true, 11, UVS_SCTP_S_ESTABLISHED },
		{ false, 0, UVS_SCTP_S_ESTABLISHED },
		{ true, 3, UVS_SCTP_S_ESTABLISHED },
		{ false, 7, UVS_SCTP_S_SHUTDOWN_RECEIVED },
		{ true, 8, UVS_SCTP_S_SHUTDOWN_ACK_SENT },
		{ false, 14, UVS_SCTP_S_CLOSED },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct frame_spec s = steps[i].reply
					      ? sctp(RS, 3869, CLIENT, 5000, steps[i].chunk)
					      : sctp(CLIENT, 5000, VIP, 3868, steps[i].chunk);
		eng_send(fx, &s);
		if (steps[i].reply) {
			assert_int_equal(fx->f.verdict, UVS_VERDICT_TX);
			eng_assert_addr(AF_INET, &fx->out.saddr, VIP);
			assert_int_equal(ntohs(fx->out.sport), 3868);
			assert_sent(fx, CLIENT, 5000);
		} else {
			assert_sent(fx, RS, 3869);
		}
		assert_int_equal(conn_state(fx), steps[i].after);
		bool est = steps[i].after == UVS_SCTP_S_ESTABLISHED;
		assert_int_equal(uvs_dest_active(d), est);
		assert_int_equal(uvs_dest_inactive(d), !est);
	}
	/* A new INIT on the CLOSED association's ports replaces it (conn_reuse_mode). */
	struct frame_spec init = sctp(CLIENT, 5000, VIP, 3868, 1);
	eng_send(fx, &init);
	assert_sent(fx, RS, 3869);
	assert_int_equal(conn_state(fx), UVS_SCTP_S_INIT1);
	assert_int_equal(uvs_dest_inactive(d), 1);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
}

/* A packet whose CRC32c is wrong is not rewritten with a right one: dropped. */
static void test_bad_crc(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = add_sctp_svc(fx);
	struct frame_spec s = sctp(CLIENT, 5000, VIP, 3868, 1);
	uint8_t *data = fx->buf + UVS_FRAME_HEADROOM;

	eng_add_dest(fx, svc, RS ":3868", 1, UVS_FWD_MASQ);
	size_t len = frame_build(data, &s);
	data[len - 1] ^= 1; /* a bit of the chunk, after the CRC was set */
	fx->f = (struct uvs_frame){ .data = data,
				    .len = (uint32_t)len,
				    .headroom = UVS_FRAME_HEADROOM,
				    .tailroom = 1024,
				    .ifindex = 1 };
	uvs_engine_process(&fx->w, &fx->f, 1, fx->env.now);
	assert_int_equal(fx->f.verdict, UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_L4_BAD_CSUM);
}

/* Only an INIT schedules; with sloppy_sctp any chunk but an ABORT. */
static void test_sloppy_sctp(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = add_sctp_svc(fx);
	struct frame_spec data = sctp(CLIENT, 5000, VIP, 3868, 0);
	struct frame_spec abort_ = sctp(CLIENT, 5001, VIP, 3868, 6);

	eng_add_dest(fx, svc, RS ":3868", 1, UVS_FWD_DROUTE);
	assert_int_equal(eng_send(fx, &data), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_NO_CONN);
	assert_int_equal(eng_send(fx, &abort_), UVS_VERDICT_PASS);
	uvs_store_relaxed(&fx->env.m.sysctl.sloppy_sctp, 1);
	assert_int_equal(eng_send(fx, &data), UVS_VERDICT_TX);
	/* DATA first, with no reply yet (INPUT-ONLY): ESTABLISHED, as the kernel has it. */
	assert_int_equal(conn_state(fx), UVS_SCTP_S_ESTABLISHED);
	assert_int_equal(eng_send(fx, &abort_), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_NO_CONN);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
}

/* A persistent SCTP service (-p): every association of a client's network goes to
 * the real server its first went to, through one template, as TCP's and UDP's. */
static void test_persistence(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_svc_conf c = test_svc_conf(VIP ":3868", "rr");
	struct uvs_error err = { { 0 } };
	struct uvs_service *svc;
	char first[UVS_ADDR_STRLEN];

	c.key.protocol = IPPROTO_SCTP;
	c.flags |= UVS_SVC_F_PERSISTENT;
	c.timeout = 300;
	c.netmask = htonl(0xffffff00);
	if (uvs_svc_add(&fx->env.m, &c, &err) != 0)
		fail_msg("adding the service: %s", err.msg);
	svc = uvs_svc_find(&fx->env.m, &c.key);
	eng_add_dest(fx, svc, "192.168.0.11:3868", 1, UVS_FWD_DROUTE);
	eng_add_dest(fx, svc, "192.168.0.12:3868", 1, UVS_FWD_DROUTE);
	/* Two clients of one /24, two associations each: rr alone would alternate. */
	for (int i = 0; i < 4; i++) {
		struct frame_spec s = sctp(i < 2 ? "172.16.0.5" : "172.16.0.9",
					   (uint16_t)(5000 + i), VIP, 3868, 1);
		char mac[UVS_ADDR_STRLEN];

		assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
		/* DR: the real server is the destination MAC's last byte. */
		snprintf(mac, sizeof(mac), "%u", fx->f.data[5]);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", mac);
		else
			assert_string_equal(mac, first);
	}
	/* Four associations and one template. */
	assert_int_equal(uvs_engine_conn_count(&fx->e), 5);
}

/* A packet without a chunk is malformed. */
static void test_no_chunk(void **state)
{
	struct eng_fixture *fx = *state;
	struct frame_spec s = sctp(CLIENT, 5000, VIP, 3868, 1);

	add_sctp_svc(fx);
	s.payload_len = 0;
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_PKT_SCTP_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nat_association, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_bad_crc, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_sloppy_sctp, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_persistence, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_no_chunk, eng_setup, eng_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
