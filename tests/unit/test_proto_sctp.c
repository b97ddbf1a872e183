// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SCTP: every transition of the 3 x 10 x 14 state table against the kernel's tables
 * (ip_vs_proto_sctp.c) as text, an association's life, the events of chunk types, the
 * names and timeouts ipvsadm shows; CRC32c against published check values and a
 * bit-by-bit reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/proto_sctp.h"
#include "frames.h"
#include "pkt/crc32c.h"
#include "pkt/wire.h"

/* The kernel's tables, one row per direction and event (data, init, init_ack,
 * cookie_echo, cookie_ack, shutdown, shutdown_ack, shutdown_complete, error, abort);
 * columns NO I1 IN CS CR CW CO CE ES SS SR SA RJ CL. */
static const char *const reference[3][UVS_SCTP_EV_COUNT] = {
	{
		"ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
		"I1 IN IN CS CR CW CO CE ES SS SR SA IN IN",
		"CW CW CW CS CR CO CO CE ES SS SR SA RJ CL",
		"CR IN IN CR CR CW CO CE ES SS SR SA RJ CL",
		"ES I1 IN CS CR CW CO ES ES SS SR SA RJ CL",
		"SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL",
		"CL IN IN CS CR CW CO CE ES CL SR CL RJ CL",
		"CL CL CL CS CR CW CO CE ES SS SR CL RJ CL",
		"CL I1 IN CS CR CW CO CL ES SS SR SA RJ CL",
		"CL CL CL CL CL RJ CL CL CL CL CL CL CL CL",
	},
	{
		"ES I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
		"CW CW CW CW CW CW CW CW ES CW CW CW CW CW",
		"CS CS CS CS CR CW CO CE ES SS SR SA RJ CL",
		"CE CE CE CE CE CE CE CE ES SS SR SA RJ CL",
		"ES ES ES ES ES ES ES ES ES SS SR SA RJ CL",
		"SS SS SS SS SS SS SS SS SS SS SR SA RJ CL",
		"SA SA SA SA SA CW CO CE ES SA SA SA RJ CL",
		"CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
		"CL CL CL CL CL CW CO CE ES SS SR SA RJ CL",
		"CL RJ CL CL CL CL CL CL CL CL CL CL CL CL",
	},
	{
		"ES I1 IN CS CR ES CO CE ES SS SR SA RJ CL",
		"I1 IN IN IN IN IN CO CE ES SS SR SA IN IN",
		"CE CE CE CE CE CE CO CE ES SS SR SA RJ CL",
		"ES ES ES ES ES ES CO CE ES SS SR SA RJ CL",
		"ES I1 IN ES ES CW ES ES ES SS SR SA RJ CL",
		"SR I1 IN CS CR CW CO CE SR SS SR SA RJ CL",
		"CL IN IN CS CR CW CO CE CL CL SR CL RJ CL",
		"CL CL CL CL CL CW CO CE ES SS CL CL RJ CL",
		"CL I1 IN CS CR CW CO CE ES SS SR SA RJ CL",
		"CL CL CL CL CL RJ CL CL CL CL CL CL CL CL",
	},
};

static enum uvs_sctp_state from_abbrev(const char *a)
{
	static const char *const abbrevs[] = { "NO", "I1", "IN", "CS", "CR", "CW", "CO",
					       "CE", "ES", "SS", "SR", "SA", "RJ", "CL" };
	for (int i = 0; i < UVS_SCTP_S_COUNT; i++)
		if (strncmp(a, abbrevs[i], 2) == 0)
			return (enum uvs_sctp_state)i;
	fail_msg("bad abbreviation %.2s", a);
	return UVS_SCTP_S_NONE;
}

static void test_every_transition(void **state)
{
	(void)state;
	for (int dir = 0; dir < 3; dir++)
		for (int ev = 0; ev < UVS_SCTP_EV_COUNT; ev++)
			for (int s = 0; s < UVS_SCTP_S_COUNT; s++) {
				enum uvs_sctp_state want = from_abbrev(reference[dir][ev] + 3 * s);
				enum uvs_sctp_state got = uvs_sctp_next(s, dir, ev);
				if (got != want)
					fail_msg("dir %d event %d from %s: %s, want %s", dir, ev,
						 uvs_sctp_state_name(s), uvs_sctp_state_name(got),
						 uvs_sctp_state_name(want));
			}
}

/* An association through NAT, as the director sees it: the client's INIT (no reply
 * yet: INPUT-ONLY), the server's INIT ACK, COOKIE ECHO, COOKIE ACK, data; the client
 * shuts down. */
static void test_association(void **state)
{
	static const struct {
		enum uvs_tcp_dir dir;
		enum uvs_sctp_event ev;
		const char *after;
		bool active;
	} steps[] = {
		{ UVS_TCP_DIR_INPUT_ONLY, UVS_SCTP_EV_INIT, "INIT1", false },
		{ UVS_TCP_DIR_INPUT_ONLY, UVS_SCTP_EV_INIT, "INIT", false },
		{ UVS_TCP_DIR_OUTPUT, UVS_SCTP_EV_INIT_ACK, "C-SENT", false },
		{ UVS_TCP_DIR_INPUT, UVS_SCTP_EV_COOKIE_ECHO, "C-REPLIED", false },
		{ UVS_TCP_DIR_OUTPUT, UVS_SCTP_EV_COOKIE_ACK, "ESTABLISHED", true },
		{ UVS_TCP_DIR_INPUT, UVS_SCTP_EV_DATA, "ESTABLISHED", true },
		{ UVS_TCP_DIR_INPUT, UVS_SCTP_EV_SHUTDOWN, "S-RECEIVED", false },
		{ UVS_TCP_DIR_OUTPUT, UVS_SCTP_EV_SHUTDOWN_ACK, "S-ACK-SENT", false },
		{ UVS_TCP_DIR_INPUT, UVS_SCTP_EV_SHUTDOWN_COMPLETE, "CLOSED", false },
		{ UVS_TCP_DIR_INPUT, UVS_SCTP_EV_INIT, "INIT", false },
	};
	enum uvs_sctp_state s = UVS_SCTP_S_NONE;

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		s = uvs_sctp_next(s, steps[i].dir, steps[i].ev);
		assert_string_equal(uvs_sctp_state_name(s), steps[i].after);
		assert_int_equal(uvs_sctp_state_active(s), steps[i].active);
	}
	/* An INIT refused with ABORT: REJECTED, then a new INIT starts over. */
	s = uvs_sctp_next(UVS_SCTP_S_INIT1, UVS_TCP_DIR_OUTPUT, UVS_SCTP_EV_ABORT);
	assert_string_equal(uvs_sctp_state_name(s), "REJECTED");
	assert_string_equal(
		uvs_sctp_state_name(uvs_sctp_next(s, UVS_TCP_DIR_INPUT, UVS_SCTP_EV_INIT)), "INIT");
}

/* A parsed SCTP packet of the given chunks (each 4-byte aligned). */
static enum uvs_sctp_event event_of(const uint8_t *chunks, size_t len)
{
	uint8_t frame[256] = { 0 };
	struct uvs_pkt p;

	assert_true(len + UVS_SCTP_HLEN <= sizeof(frame));
	memcpy(frame + UVS_SCTP_HLEN, chunks, len);
	memset(&p, 0, sizeof(p));
	p.frame = frame;
	p.l4_off = 0;
	p.l4_len = (uint32_t)(UVS_SCTP_HLEN + len);
	return uvs_sctp_event(&p);
}

static void test_events(void **state)
{
	static const struct {
		uint8_t type;
		enum uvs_sctp_event ev;
	} map[] = {
		{ 0, UVS_SCTP_EV_DATA },
		{ 1, UVS_SCTP_EV_INIT },
		{ 2, UVS_SCTP_EV_INIT_ACK },
		{ 3, UVS_SCTP_EV_DATA },
		{ 4, UVS_SCTP_EV_DATA },
		{ 5, UVS_SCTP_EV_DATA },
		{ 6, UVS_SCTP_EV_ABORT },
		{ 7, UVS_SCTP_EV_SHUTDOWN },
		{ 8, UVS_SCTP_EV_SHUTDOWN_ACK },
		{ 9, UVS_SCTP_EV_ERROR },
		{ 10, UVS_SCTP_EV_COOKIE_ECHO },
		{ 11, UVS_SCTP_EV_COOKIE_ACK },
		{ 12, UVS_SCTP_EV_DATA },
		{ 13, UVS_SCTP_EV_DATA },
		{ 14, UVS_SCTP_EV_SHUTDOWN_COMPLETE },
		{ 15, UVS_SCTP_EV_DATA },
		{ 0x80, UVS_SCTP_EV_DATA }, /* ASCONF ACK and other extensions */
		{ 0xc1, UVS_SCTP_EV_DATA },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint8_t chunk[4] = { map[i].type, 0, 0, 4 };
		assert_int_equal(event_of(chunk, sizeof(chunk)), map[i].ev);
	}
	/* COOKIE ECHO (6 bytes, padded to 8) then ABORT: the ABORT counts. */
	const uint8_t echo_abort[] = { 10, 0, 0, 6, 0xaa, 0xbb, 0, 0, 6, 0, 0, 4 };
	assert_int_equal(event_of(echo_abort, sizeof(echo_abort)), UVS_SCTP_EV_ABORT);
	const uint8_t ack_abort[] = { 11, 0, 0, 4, 6, 0, 0, 4 };
	assert_int_equal(event_of(ack_abort, sizeof(ack_abort)), UVS_SCTP_EV_ABORT);
	/* Bundled with anything else, or a DATA chunk before an ABORT: the first chunk. */
	const uint8_t echo_data[] = { 10, 0, 0, 4, 0, 0, 0, 4 };
	assert_int_equal(event_of(echo_data, sizeof(echo_data)), UVS_SCTP_EV_COOKIE_ECHO);
	const uint8_t data_abort[] = { 0, 0, 0, 4, 6, 0, 0, 4 };
	assert_int_equal(event_of(data_abort, sizeof(data_abort)), UVS_SCTP_EV_DATA);
	/* An ABORT header past the packet's end is not read. */
	const uint8_t echo_only[] = { 10, 0, 0, 8, 6, 0, 0, 4 };
	assert_int_equal(event_of(echo_only, 6), UVS_SCTP_EV_COOKIE_ECHO);
}

static void test_names_and_timeouts(void **state)
{
	static const char *const names[UVS_SCTP_S_COUNT] = {
		"NONE",	      "INIT1",	    "INIT",	"C-SENT",      "C-REPLIED",
		"C-WAIT",     "COOKIE",	    "C-ECHOED", "ESTABLISHED", "S-SENT",
		"S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED",
	};
	static const uint32_t secs[UVS_SCTP_S_COUNT] = { 2,  4,	  61, 61, 61, 61, 61,
							 61, 900, 61, 61, 61, 4,  61 };
	uint32_t t[UVS_SCTP_S_COUNT];

	(void)state;
	uvs_sctp_timeouts_default(t);
	for (int i = 0; i < UVS_SCTP_S_COUNT; i++) {
		assert_string_equal(uvs_sctp_state_name(i), names[i]);
		assert_int_equal(t[i], secs[i]);
		assert_int_equal(uvs_sctp_state_active(i), i == UVS_SCTP_S_ESTABLISHED);
	}
	assert_string_equal(uvs_sctp_state_name(UVS_SCTP_S_COUNT), "ERR!");
}

/* Check values of CRC32c: "123456789" (the catalogue's), and the iSCSI vectors of RFC
 * 3720 B.4; then every length up to 300 against the bit-by-bit reference, also
 * continued in two pieces. */
static void test_crc32c(void **state)
{
	uint8_t b[300];

	(void)state;
	assert_int_equal(uvs_crc32c(0, "123456789", 9), 0xE3069283u);
	memset(b, 0, 32);
	assert_int_equal(uvs_crc32c(0, b, 32), 0x8A9136AAu);
	memset(b, 0xff, 32);
	assert_int_equal(uvs_crc32c(0, b, 32), 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	assert_int_equal(uvs_crc32c(0, b, 32), 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	assert_int_equal(uvs_crc32c(0, b, 32), 0x113FDB5Cu);

	srandom(16);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)random();
	for (size_t len = 0; len <= sizeof(b); len++) {
		uint32_t want = ref_crc32c(b, len);
		assert_int_equal(uvs_crc32c(0, b, len), want);
		assert_int_equal(uvs_crc32c(uvs_crc32c(0, b, len / 3), b + len / 3, len - len / 3),
				 want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transition), cmocka_unit_test(test_association),
		cmocka_unit_test(test_events),		 cmocka_unit_test(test_names_and_timeouts),
		cmocka_unit_test(test_crc32c),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
