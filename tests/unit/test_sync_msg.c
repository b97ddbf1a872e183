// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sync protocol's messages (src/sync/msg.c): uvs reads the kernel-format messages
 * of tests/sync/messages.txt (written by tests/sync/gen.py from the kernel's struct
 * layouts, not by uvs) as the kernel's backup reads them, and writes the same bytes
 * from what it read; records go through writing and reading unchanged; the writer's
 * limits; and tshark's IPVS dissector reads uvs's messages without an error and finds
 * the connections uvs put in them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/msg.h"

/* ---- the kernel-format fixtures ---- */

/* One record as gen.py's "record" lines write it. */
static void describe(const struct uvs_sync_record *r, char *out, size_t len)
{
	const struct uvs_sync_conn *c = &r->conn;
	char ca[UVS_ADDR_STRLEN], va[UVS_ADDR_STRLEN], da[UVS_ADDR_STRLEN], seq[128] = "-";
	char pe_data[2 * UVS_SYNC_PE_DATA_MAX + 2] = "-", pe_name[UVS_SYNC_PE_NAME_MAX + 1] = "-";

	if (r->has_seq)
		snprintf(seq, sizeof(seq), "%u,%u,%u,%u,%u,%u", r->in_seq.init_seq, r->in_seq.delta,
			 r->in_seq.previous_delta, r->out_seq.init_seq, r->out_seq.delta,
			 r->out_seq.previous_delta);
	for (unsigned i = 0; i < r->pe_data_len; i++)
		sprintf(pe_data + 2 * i, "%02x", r->pe_data[i]);
	if (r->pe_name_len)
		snprintf(pe_name, sizeof(pe_name), "%.*s", r->pe_name_len, r->pe_name);
	snprintf(out, len,
		 "record af=%d proto=%u flags=0x%x state=%u cport=%u vport=%u dport=%u fwmark=%u "
		 "timeout=%u caddr=%s vaddr=%s daddr=%s seq=%s pe_data=%s pe_name=%s",
		 c->af == AF_INET6 ? 6 : 4, c->protocol, c->flags, c->state, ntohs(c->cport),
		 ntohs(c->vport), ntohs(c->dport), c->fwmark, c->timeout,
		 uvs_addr_format(c->af, &c->caddr, ca, sizeof(ca)),
		 uvs_addr_format(c->af, &c->vaddr, va, sizeof(va)),
		 uvs_addr_format(c->af, &c->daddr, da, sizeof(da)), seq, pe_data, pe_name);
}

struct fixture_case {
	char name[64];
	unsigned syncid;
	uint8_t msg[4096];
	size_t len;
	char open[32];
	char want[32][512]; /* the outcome lines */
	unsigned nwant;
	bool reencode;
};

/* Copies the text src into dst of size bytes, which it must fit. */
static void copy(char *dst, size_t size, const char *src)
{
	assert_true(strlen(src) < size);
	memcpy(dst, src, strlen(src) + 1);
}

/* Reads the next case of f into c; false at the end of the file. */
static bool read_case(FILE *f, struct fixture_case *c)
{
	char line[16384];

	memset(c, 0, sizeof(*c));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "case ", 5)) {
			copy(c->name, sizeof(c->name), line + 5);
		} else if (!strncmp(line, "syncid ", 7)) {
			c->syncid = (unsigned)atoi(line + 7);
		} else if (!strncmp(line, "msg ", 4)) {
			for (const char *h = line + 4; h[0] && h[1]; h += 2) {
				unsigned byte;
				assert_int_equal(sscanf(h, "%2x", &byte), 1);
				assert_true(c->len < sizeof(c->msg));
				c->msg[c->len++] = (uint8_t)byte;
			}
		} else if (!strncmp(line, "open ", 5)) {
			copy(c->open, sizeof(c->open), line + 5);
		} else if (!strcmp(line, "reencode")) {
			c->reencode = true;
		} else if (!strcmp(line, "end")) {
			return true;
		} else {
			assert_true(c->nwant < 32);
			copy(c->want[c->nwant++], sizeof(c->want[0]), line);
		}
	}
	assert_int_equal(c->name[0], '\0'); /* no case cut short */
	return false;
}

/* Reads c's message with uvs's reader, checking each outcome against the case. */
static void check_case(const struct fixture_case *c)
{
	static struct uvs_sync_record got[32];
	struct uvs_sync_reader rd;
	enum uvs_sync_read_error err = uvs_sync_msg_open(&rd, c->msg, c->len, (uint8_t)c->syncid);
	enum uvs_sync_next n;
	unsigned i = 0, nrec = 0;
	char line[512];

	if (strcmp(uvs_sync_read_error_name(err), c->open))
		fail_msg("%s: opened %s, the kernel: %s", c->name, uvs_sync_read_error_name(err),
			 c->open);
	if (err != UVS_SYNC_READ_OK)
		return;
	while ((n = uvs_sync_msg_next(&rd, &got[nrec], &err)) != UVS_SYNC_END) {
		if (n == UVS_SYNC_RECORD)
			describe(&got[nrec++], line, sizeof(line));
		else
			snprintf(line, sizeof(line), "%s %s", n == UVS_SYNC_SKIP ? "skip" : "stop",
				 uvs_sync_read_error_name(err));
		if (i >= c->nwant)
			fail_msg("%s: read more than the kernel: %s", c->name, line);
		if (strcmp(line, c->want[i]))
			fail_msg("%s: outcome %u\n  uvs:    %s\n  kernel: %s", c->name, i, line,
				 c->want[i]);
		i++;
	}
	if (i != c->nwant)
		fail_msg("%s: the kernel reads %u outcomes, uvs %u", c->name, c->nwant, i);
	if (c->reencode) {
		uint8_t buf[4096 + UVS_SYNC_MSG_MIN];
		struct uvs_sync_writer w;

		uvs_sync_msg_start(&w, buf, sizeof(buf), rd.version, rd.syncid);
		for (unsigned k = 0; k < nrec; k++)
			assert_int_equal(uvs_sync_msg_add(&w, &got[k]), 0);
		assert_int_equal(uvs_sync_msg_finish(&w), c->len);
		if (memcmp(buf, c->msg, c->len))
			fail_msg("%s: uvs writes other bytes", c->name);
	}
}

static void test_kernel_messages(void **state)
{
	const char *path = getenv("SYNC_MESSAGES");
	struct fixture_case *c = malloc(sizeof(*c));
	unsigned cases = 0, reencoded = 0;
	FILE *f;

	(void)state;
	assert_non_null(path);
	f = fopen(path, "r");
	assert_non_null(f);
	while (read_case(f, c)) {
		check_case(c);
		cases++;
		reencoded += c->reencode;
	}
	fclose(f);
	free(c);
	assert_true(cases >= 30);
	assert_true(reencoded >= 6);
}

/* ---- writing and reading ---- */

static struct uvs_sync_record rec(int af, const char *ca, uint16_t cport, const char *va,
				  const char *da, uint32_t flags)
{
	struct uvs_sync_record r;

	memset(&r, 0, sizeof(r));
	r.conn.af = (uint8_t)af;
	r.conn.protocol = IPPROTO_TCP;
	uvs_addr_parse(af, ca, &r.conn.caddr);
	uvs_addr_parse(af, va, &r.conn.vaddr);
	uvs_addr_parse(af, da, &r.conn.daddr);
	r.conn.cport = htons(cport);
	r.conn.vport = htons(80);
	r.conn.dport = htons(8080);
	r.conn.flags = flags;
	r.conn.state = 1;
	r.conn.timeout = 900;
	r.conn.fwmark = 0x1234;
	return r;
}

/* Two records the same, field by field (not their padding). */
static void assert_same(const struct uvs_sync_record *a, const struct uvs_sync_record *b)
{
	char da[512], db[512];

	describe(a, da, sizeof(da));
	describe(b, db, sizeof(db));
	assert_string_equal(da, db);
}

static void test_round_trip(void **state)
{
	struct uvs_sync_record in[5], out;
	uint8_t buf[1500 + UVS_SYNC_MSG_MIN];
	struct uvs_sync_writer w;
	struct uvs_sync_reader rd;
	enum uvs_sync_read_error err;
	size_t len;

	(void)state;
	in[0] = rec(AF_INET, "172.16.0.1", 1, "10.0.0.1", "192.168.0.11", UVS_FWD_MASQ);
	in[1] = rec(AF_INET6, "2001:db8::1", 2, "2001:db8::f", "2001:db8::11",
		    UVS_FWD_DROUTE | UVS_CONN_F_INACTIVE);
	in[2] = rec(AF_INET, "172.16.0.3", 3, "10.0.0.1", "192.168.0.11", UVS_CONN_F_IN_SEQ);
	in[2].has_seq = true;
	in[2].in_seq = (struct uvs_sync_seq){ 1, 2, 3 };
	in[2].out_seq = (struct uvs_sync_seq){ 4, 5, 6 };
	in[3] = rec(AF_INET6, "2001:db8::4", 0, "2001:db8::f", "2001:db8::11", UVS_CONN_F_TEMPLATE);
	in[3].pe_data_len = 3;
	memcpy(in[3].pe_data, "abc", 3);
	in[3].pe_name_len = 3;
	memcpy(in[3].pe_name, "sip", 3);
	in[4] = rec(AF_INET, "172.16.0.5", 5, "10.0.0.1", "192.168.0.11", 0xffff0000u);
	uvs_sync_msg_start(&w, buf, 1500, 1, 42);
	for (int i = 0; i < 5; i++)
		assert_int_equal(uvs_sync_msg_add(&w, &in[i]), 0);
	len = uvs_sync_msg_finish(&w);
	assert_int_equal(uvs_sync_msg_open(&rd, buf, len, 42), UVS_SYNC_READ_OK);
	assert_int_equal(rd.version, 1);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(uvs_sync_msg_next(&rd, &out, &err), UVS_SYNC_RECORD);
		assert_same(&out, &in[i]);
	}
	assert_int_equal(uvs_sync_msg_next(&rd, &out, &err), UVS_SYNC_END);
	/* Version 0: 16 bits of flags, no timeout or fwmark; sequence data when flagged. */
	uvs_sync_msg_start(&w, buf, 1500, 0, 42);
	assert_int_equal(uvs_sync_msg_add(&w, &in[2]), 0);
	len = uvs_sync_msg_finish(&w);
	assert_int_equal(len, 4 + 24 + 24);
	assert_int_equal(uvs_sync_msg_open(&rd, buf, len, 0), UVS_SYNC_READ_OK);
	assert_int_equal(rd.version, 0);
	assert_int_equal(uvs_sync_msg_next(&rd, &out, &err), UVS_SYNC_RECORD);
	assert_true(out.has_seq);
	assert_int_equal(out.out_seq.previous_delta, 6);
	assert_int_equal(out.conn.timeout, 0);
	assert_int_equal(out.conn.fwmark, 0);
	assert_int_equal(out.conn.cport, in[2].conn.cport);
}

static void test_writer_limits(void **state)
{
	uint8_t buf[UVS_SYNC_MSG_MIN + 300];
	struct uvs_sync_record r = rec(AF_INET, "172.16.0.1", 1, "10.0.0.1", "192.168.0.11", 0);
	struct uvs_sync_record r6 =
		rec(AF_INET6, "2001:db8::1", 1, "2001:db8::f", "2001:db8::11", 0);
	struct uvs_sync_writer w;
	unsigned n = 0;

	(void)state;
	/* A limit below one record: the first goes in anyway, the second does not. */
	uvs_sync_msg_start(&w, buf, 10, 1, 0);
	assert_int_equal(uvs_sync_msg_finish(&w), 0);
	assert_int_equal(uvs_sync_msg_add(&w, &r6), 0);
	assert_int_equal(uvs_sync_msg_add(&w, &r), -ENOSPC);
	assert_int_equal(uvs_sync_msg_finish(&w), 8 + 72);
	/* 8 + 8 * 36 = 296: eight fit in 300, not nine. */
	uvs_sync_msg_start(&w, buf, 300, 1, 0);
	while (uvs_sync_msg_add(&w, &r) == 0)
		n++;
	assert_int_equal(n, 8);
	assert_int_equal(uvs_sync_msg_finish(&w), 296);
	/* The count is one byte: 255 records at most, whatever the limit. */
	uint8_t *big = malloc(65536);
	uvs_sync_msg_start(&w, big, 65507, 1, 0);
	for (n = 0; uvs_sync_msg_add(&w, &r) == 0; n++)
		;
	assert_int_equal(n, UVS_SYNC_MSG_CONNS_MAX);
	assert_int_equal(big[4], 0); /* not finished yet */
	assert_int_equal(uvs_sync_msg_finish(&w), 8 + 255 * 36);
	assert_int_equal(big[4], 255);
	free(big);
	/* What no message can carry. */
	uvs_sync_msg_start(&w, buf, 300, 0, 0);
	assert_int_equal(uvs_sync_msg_add(&w, &r6), -EAFNOSUPPORT);
	r.pe_name_len = 3;
	assert_int_equal(uvs_sync_msg_add(&w, &r), -EINVAL);
	r.pe_data_len = 1;
	r.pe_name_len = UVS_SYNC_PE_NAME_MAX + 1;
	uvs_sync_msg_start(&w, buf, 300, 1, 0);
	assert_int_equal(uvs_sync_msg_add(&w, &r), -EINVAL);
}

/* ---- tshark ---- */

/* Appends an Ethernet frame of an IPv4 UDP datagram from 192.168.0.2:8848 to
 * 224.0.0.81:8848 carrying msg to the pcap file f. */
static void pcap_frame(FILE *f, const uint8_t *msg, size_t len)
{
	uint8_t fr[2048];
	size_t n = 14 + 20 + 8 + len;
	uint32_t sum = 0, rec[4] = { 0, 0, (uint32_t)n, (uint32_t)n };

	assert_true(n <= sizeof(fr));
	memcpy(fr, "\x01\x00\x5e\x00\x00\x51\x02\x00\x00\x00\x01\x02\x08\x00", 14);
	uint8_t *ip = fr + 14, *udp = ip + 20;
	memcpy(ip,
	       "\x45\x00\x00\x00\x00\x00\x40\x00\x01\x11\x00\x00\xc0\xa8\x00\x02\xe0\x00\x00\x51",
	       20);
	ip[2] = (uint8_t)((n - 14) >> 8), ip[3] = (uint8_t)(n - 14);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8), ip[11] = (uint8_t)~sum;
	memcpy(udp, "\x22\x90\x22\x90\x00\x00\x00\x00", 8); /* 8848, no checksum */
	udp[4] = (uint8_t)((8 + len) >> 8), udp[5] = (uint8_t)(8 + len);
	memcpy(udp + 8, msg, len);
	fwrite(rec, sizeof(rec), 1, f);
	fwrite(fr, n, 1, f);
}

/* uvs's messages as the master sends them (version 1 with IPv4 and IPv6 records, a
 * template, version 0), through tshark: no error, and the records found. */
static void test_tshark(void **state)
{
	const char *path = getenv("SYNC_PCAP");
	static const uint32_t header[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	uint8_t buf[1500 + UVS_SYNC_MSG_MIN];
	struct uvs_sync_writer w;
	char cmd[1024], line[4096];
	FILE *f;
	int frames = 0;

	(void)state;
	assert_non_null(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(header, sizeof(header), 1, f);
	uvs_sync_msg_start(&w, buf, 1472, 1, 7);
	for (int i = 0; i < 40; i++) { /* 8 + 40 * 36 = 1448: one message */
		char ca[32];
		snprintf(ca, sizeof(ca), "172.16.1.%d", i);
		struct uvs_sync_record r = rec(AF_INET, ca, (uint16_t)(1000 + i), "10.0.0.1",
					       "192.168.0.11", UVS_FWD_MASQ);
		assert_int_equal(uvs_sync_msg_add(&w, &r), 0);
	}
	pcap_frame(f, buf, uvs_sync_msg_finish(&w));
	uvs_sync_msg_start(&w, buf, 1472, 1, 7);
	struct uvs_sync_record r6 = rec(AF_INET6, "2001:db8::1", 2, "2001:db8::f", "2001:db8::11",
					UVS_FWD_DROUTE | UVS_CONN_F_NOOUTPUT);
	struct uvs_sync_record t =
		rec(AF_INET, "172.16.0.0", 0, "10.0.0.1", "192.168.0.11", UVS_CONN_F_TEMPLATE);
	assert_int_equal(uvs_sync_msg_add(&w, &r6), 0);
	assert_int_equal(uvs_sync_msg_add(&w, &t), 0);
	pcap_frame(f, buf, uvs_sync_msg_finish(&w));
	uvs_sync_msg_start(&w, buf, 1472, 0, 7);
	assert_int_equal(uvs_sync_msg_add(&w, &t), 0);
	pcap_frame(f, buf, uvs_sync_msg_finish(&w));
	fclose(f);

	snprintf(cmd, sizeof(cmd),
		 "tshark -n -r '%s' -d udp.port==8848,ipvs -T fields -E occurrence=a "
		 "-E aggregator=, -e frame.number -e _ws.malformed -e _ws.expert.severity "
		 "-e ipvs.conncount -e ipvs.syncid -e ipvs.caddr -e ipvs.caddr6 -e ipvs.timeout "
		 "2>/dev/null",
		 path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *v[8], *rest = line;
		line[strcspn(line, "\n")] = '\0';
		for (int i = 0; i < 8; i++)
			v[i] = (v[i] = strsep(&rest, "\t")) ? v[i] : "";
		frames++;
		if (*v[1] || *v[2])
			fail_msg("tshark: frame %s: malformed or an expert note: %s %s", v[0], v[1],
				 v[2]);
		assert_string_equal(v[4], "7");
		if (frames == 1) {
			assert_string_equal(v[3], "40");
			assert_non_null(strstr(v[5], "172.16.1.0,172.16.1.1,"));
			assert_non_null(strstr(v[5], ",172.16.1.39"));
		} else if (frames == 2) {
			assert_string_equal(v[3], "2");
			assert_string_equal(v[5], "172.16.0.0");
			assert_string_equal(v[6], "2001:db8::1");
			assert_string_equal(v[7], "900,900");
		} else {
			assert_string_equal(v[3], "1");
			assert_string_equal(v[5], "172.16.0.0");
		}
	}
	assert_int_equal(pclose(f), 0);
	assert_int_equal(frames, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_messages),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_writer_limits),
		cmocka_unit_test(test_tshark),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
