// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control protocol's messages: every nest written and read back unchanged, and
 * every command through the server (fed directly): its effect on the model, its reply,
 * its ack; dumps over several datagrams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_fixture.h"

static union {
	char buf[UVS_CTL_DGRAM_MAX];
	uint64_t align_;
} mem;

/* The first top-level attribute of type `type` of the message just written. */
static const struct nlattr *reparse(struct uvs_ctl_msg *w, uint16_t type)
{
	static const struct nlattr *tb[UVS_CTL_TOP_MAX + 1];
	struct uvs_error err;
	uint8_t cmd;

	assert_false(w->full);
	if (uvs_ctl_parse_msg(w->nlh, &cmd, tb, &err))
		fail_msg("reparse: %s", err.msg);
	assert_non_null(tb[type]);
	return tb[type];
}

static void test_svc_roundtrip(void **state)
{
	struct uvs_svc_conf in[3], out;
	struct uvs_error err;
	uint32_t mask;

	(void)state;
	in[0] = test_svc_conf("10.0.0.1:80", "wlc");
	in[0].flags = UVS_SVC_F_PERSISTENT;
	in[0].timeout = 300;
	in[0].netmask = htonl(0xffffff00);
	in[1] = test_svc_conf("[2001:db8::1]:443", "mh");
	in[1].key.protocol = IPPROTO_UDP;
	in[1].flags = UVS_SVC_F_SCHED1 | UVS_SVC_F_SCHED2 | UVS_SVC_F_ONEPACKET;
	snprintf(in[1].pe_name, sizeof(in[1].pe_name), "sip");
	memset(&in[2], 0, sizeof(in[2]));
	uvs_svc_key_fwmark(&in[2].key, AF_INET6, 4000000000u);
	snprintf(in[2].sched_name, sizeof(in[2].sched_name), "twos");
	in[2].netmask = 64;
	for (int i = 0; i < 3; i++) {
		struct uvs_ctl_msg w;
		struct uvs_svc_key k;
		uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), NLM_F_REQUEST, 1,
				  IPVS_CMD_NEW_SERVICE);
		uvs_ctl_put_svc_conf(&w, &in[i]);
		const struct nlattr *n = reparse(&w, IPVS_CMD_ATTR_SERVICE);
		assert_int_equal(uvs_ctl_get_svc_conf(n, &out, &mask, &err), 0);
		assert_int_equal(mask, ~0u);
		assert_memory_equal(&out, &in[i], sizeof(out));
		assert_int_equal(uvs_ctl_get_svc_key(n, &k, &err), 0);
		assert_memory_equal(&k, &in[i].key, sizeof(k));
	}
}

static void test_svc_info_roundtrip(void **state)
{
	struct uvs_snap_svc in, out;
	struct uvs_ctl_msg w;
	struct uvs_error err;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.conf = test_svc_conf("10.0.0.1:80", "rr");
	/* Beyond 32 bits: STATS64 must win over the truncated STATS. */
	in.stats = (struct uvs_counters){ 5000000000ull, 2, 3, 1ull << 40, 5 };
	in.rates = (struct uvs_rates){ 6, 7, 8, 9, 10 };
	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), 0, 1, IPVS_CMD_NEW_SERVICE);
	uvs_ctl_put_svc_info(&w, &in);
	assert_int_equal(uvs_ctl_get_svc_info(reparse(&w, IPVS_CMD_ATTR_SERVICE), &out, &err), 0);
	assert_memory_equal(&out.conf, &in.conf, sizeof(in.conf));
	assert_memory_equal(&out.stats, &in.stats, sizeof(in.stats));
	assert_memory_equal(&out.rates, &in.rates, sizeof(in.rates));
}

static void test_dest_roundtrip(void **state)
{
	struct uvs_snap_dest in, out;
	struct uvs_dest_conf d;
	struct uvs_ctl_msg w;
	struct uvs_error err;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.conf = test_dest_conf("[2001:db8::10]:8443", 65535);
	in.conf.fwd = UVS_FWD_TUNNEL;
	in.conf.tun_type = UVS_TUN_TYPE_GUE;
	in.conf.tun_port = htons(6080);
	in.conf.tun_flags = UVS_TUN_F_REMCSUM;
	in.conf.u_threshold = 100;
	in.conf.l_threshold = 50;
	in.activeconns = 12;
	in.inactconns = 34;
	in.persistconns = 5;
	in.stats = (struct uvs_counters){ 1, 2, 3, 4, 5 };
	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), 0, 1, IPVS_CMD_NEW_DEST);
	uvs_ctl_put_dest_info(&w, &in);
	/* The service is IPv4: the destination's ADDR_FAMILY says IPv6. */
	assert_int_equal(
		uvs_ctl_get_dest_info(reparse(&w, IPVS_CMD_ATTR_DEST), AF_INET, &out, &err), 0);
	assert_memory_equal(&out, &in, sizeof(in));

	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), 0, 1, IPVS_CMD_DEL_DEST);
	uvs_ctl_put_dest(&w, &in.conf, false);
	assert_int_equal(
		uvs_ctl_get_dest(reparse(&w, IPVS_CMD_ATTR_DEST), AF_INET, false, &d, &err), 0);
	assert_int_equal(d.af, AF_INET6);
	assert_memory_equal(&d.addr, &in.conf.addr, sizeof(d.addr));
	assert_int_equal(d.port, in.conf.port);
	/* Without FWD_METHOD and the rest, -a's form is refused. */
	assert_int_equal(uvs_ctl_get_dest(reparse(&w, IPVS_CMD_ATTR_DEST), AF_INET, true, &d, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "FWD_METHOD missing"));
}

static void test_daemon_conn_counter_roundtrip(void **state)
{
	struct uvs_ctl_daemon d, d2;
	struct uvs_ctl_conn c, c2;
	struct uvs_ctl_counter k, k2;
	struct uvs_ctl_msg w;
	struct uvs_error err;

	(void)state;
	/* Zeroed whole, padding too, for the comparisons. */
	memset(&d, 0, sizeof(d));
	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	d.state = IP_VS_STATE_BACKUP;
	snprintf(d.mcast_ifn, sizeof(d.mcast_ifn), "eth1");
	d.syncid = 7;
	d.sync_maxlen = 1400;
	d.mcast_af = AF_INET6;
	d.mcast_port = 9000;
	d.mcast_ttl = 3;
	snprintf(k.name, sizeof(k.name), "pkt_ip6_bad_len");
	k.value = 1ull << 50;
	assert_int_equal(uvs_addr_parse(AF_INET6, "ff02::81", &d.mcast_group), 0);
	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), 0, 1, IPVS_CMD_NEW_DAEMON);
	uvs_ctl_put_daemon(&w, &d);
	assert_int_equal(uvs_ctl_get_daemon(reparse(&w, IPVS_CMD_ATTR_DAEMON), true, &d2, &err), 0);
	assert_memory_equal(&d2, &d, sizeof(d));

	c.protocol = IPPROTO_TCP;
	c.af = AF_INET;
	c.daf = AF_INET6;
	uvs_addr_parse(AF_INET, "172.16.0.5", &c.caddr);
	uvs_addr_parse(AF_INET, "10.0.0.1", &c.vaddr);
	uvs_addr_parse(AF_INET6, "2001:db8::10", &c.daddr);
	c.cport = htons(1), c.vport = htons(2), c.dport = htons(3);
	snprintf(c.state, sizeof(c.state), "TIME_WAIT");
	c.expires_ms = 120000;
	c.flags = 0x1100;
	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), 0, 1, UVS_CMD_GET_CONN);
	uvs_ctl_put_conn(&w, &c);
	assert_int_equal(uvs_ctl_get_conn(reparse(&w, UVS_CMD_ATTR_CONN), &c2, &err), 0);
	assert_memory_equal(&c2, &c, sizeof(c));

	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), 0, 1, UVS_CMD_GET_COUNTERS);
	uvs_ctl_put_counter(&w, &k);
	assert_int_equal(uvs_ctl_get_counter(reparse(&w, UVS_CMD_ATTR_COUNTER), &k2, &err), 0);
	assert_memory_equal(&k2, &k, sizeof(k));
}

/* The writer stops cleanly at the end of its buffer. */
static void test_writer_full(void **state)
{
	struct uvs_snap_svc in = { 0 };
	struct uvs_ctl_msg w;

	(void)state;
	in.conf = test_svc_conf("10.0.0.1:80", "rr");
	for (size_t room = 20; room < 400; room += 7) {
		memset(mem.buf, 0xaa, sizeof(mem.buf));
		uvs_ctl_msg_start(&w, mem.buf, room, 0, 1, IPVS_CMD_NEW_SERVICE);
		uvs_ctl_put_svc_info(&w, &in);
		assert_true(w.nlh->nlmsg_len <= room);
		for (size_t i = room; i < room + 64; i++)
			assert_int_equal((uint8_t)mem.buf[i], 0xaa);
	}
}

/* ---- every command through the server ---- */

static int setup(void **state)
{
	static struct ctl_fixture f;

	ctl_fixture_init(&f);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	ctl_fixture_fini(*state);
	return 0;
}

static uint32_t seq;

static struct uvs_ctl_msg *start(uint8_t cmd, uint16_t flags)
{
	static struct uvs_ctl_msg w;

	uvs_ctl_msg_start(&w, mem.buf, UVS_CTL_REQ_MAX, NLM_F_REQUEST | flags, ++seq, cmd);
	return &w;
}

/* Feeds the request in w; expects result `want` (0 or -errno) and returns the replies. */
static void run(struct ctl_fixture *f, struct uvs_ctl_msg *w, int want, struct ctl_replies *r)
{
	char msg[200];
	int got;

	assert_false(w->full);
	ctl_feed(f, w->nlh, w->nlh->nlmsg_len, r);
	got = ctl_replies_result(r, w->nlh->nlmsg_seq, msg, sizeof(msg));
	if (got != want)
		fail_msg("command %u: expected %d, got %d (%s)",
			 ((struct genlmsghdr *)mnl_nlmsg_get_payload(w->nlh))->cmd, want, got, msg);
}

/* Feeds the request in w; expects result `want` and drops the replies. */
static void run_expect(struct ctl_fixture *f, struct uvs_ctl_msg *w, int want)
{
	struct ctl_replies r;

	run(f, w, want, &r);
	ctl_replies_free(&r);
}

static void run_ok(struct ctl_fixture *f, struct uvs_ctl_msg *w)
{
	run_expect(f, w, 0);
}

static void expect_save(struct ctl_fixture *f, const char *want)
{
	char *got = test_save_text(&f->env);

	test_text_equal(got, want);
	free(got);
}

static void test_commands(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_svc_conf svc = test_svc_conf("10.0.0.1:80", "wlc");
	struct uvs_dest_conf d = test_dest_conf("192.168.0.11:80", 2);
	struct uvs_ctl_msg *w;
	struct ctl_replies r;

	run_ok(f, start(IPVS_CMD_FLUSH, NLM_F_ACK));
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &svc);
	run_ok(f, w);
	w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	uvs_ctl_put_dest(w, &d, true);
	run_ok(f, w);
	expect_save(f, "-A -t 10.0.0.1:80 -s wlc\n"
		       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 2\n");

	d.weight = 7;
	d.u_threshold = 10;
	w = start(IPVS_CMD_SET_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	uvs_ctl_put_dest(w, &d, true);
	run_ok(f, w);
	svc.flags = UVS_SVC_F_PERSISTENT;
	svc.timeout = 60;
	snprintf(svc.sched_name, sizeof(svc.sched_name), "rr");
	w = start(IPVS_CMD_SET_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &svc);
	run_ok(f, w);
	expect_save(f, "-A -t 10.0.0.1:80 -s rr -p 60\n"
		       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 7 -x 10\n");

	/* GET_SERVICE without a dump: the service, then the ack. */
	w = start(IPVS_CMD_GET_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	run(f, w, 0, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	ctl_replies_free(&r);
	/* Dumps end with DONE and carry one object a message. */
	run(f, start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	ctl_replies_free(&r);
	w = start(IPVS_CMD_GET_DEST, NLM_F_DUMP);
	uvs_ctl_put_svc_key(w, &svc.key);
	run(f, w, 0, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	ctl_replies_free(&r);

	w = start(IPVS_CMD_ZERO, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	run_ok(f, w);
	run_ok(f, start(IPVS_CMD_ZERO, NLM_F_ACK));

	w = start(IPVS_CMD_DEL_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	uvs_ctl_put_dest(w, &d, false);
	run_ok(f, w);
	expect_save(f, "-A -t 10.0.0.1:80 -s rr -p 60\n");
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	run_ok(f, w);
	expect_save(f, "");

	/* Refusals carry the kernel's errno and the model's message. */
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	run(f, w, -ESRCH, &r);
	ctl_replies_free(&r);

	w = start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_TCP, 1000);
	uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_UDP, 30);
	run_ok(f, w);
	assert_int_equal(f->timeouts.tcp[UVS_TCP_S_ESTABLISHED], 1000);
	assert_int_equal(f->timeouts.tcp[UVS_TCP_S_FIN_WAIT], 120);
	assert_int_equal(f->timeouts.udp, 30);
	run(f, start(IPVS_CMD_GET_CONFIG, NLM_F_ACK), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	ctl_replies_free(&r);
	run(f, start(IPVS_CMD_GET_INFO, NLM_F_ACK), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	ctl_replies_free(&r);
	/* Without NLM_F_ACK: the reply alone. */
	w = start(IPVS_CMD_GET_INFO, 0);
	ctl_feed(f, w->nlh, w->nlh->nlmsg_len, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	assert_int_equal(((struct nlmsghdr *)r.buf)->nlmsg_len, r.len);
	ctl_replies_free(&r);
}

static void test_daemon_commands(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_ctl_daemon d = { .state = IP_VS_STATE_MASTER, .mcast_ifn = "eth0" };
	struct uvs_ctl_msg *w;
	struct ctl_replies r;

	w = start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK);
	uvs_ctl_put_daemon(w, &d);
	run_ok(f, w);
	w = start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK);
	uvs_ctl_put_daemon(w, &d);
	run(f, w, -EEXIST, &r);
	ctl_replies_free(&r);
	run(f, start(IPVS_CMD_GET_DAEMON, NLM_F_DUMP), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 1);
	ctl_replies_free(&r);
	w = start(IPVS_CMD_DEL_DAEMON, NLM_F_ACK);
	uvs_ctl_put_daemon(w, &d);
	run_ok(f, w);
	w = start(IPVS_CMD_DEL_DAEMON, NLM_F_ACK);
	uvs_ctl_put_daemon(w, &d);
	run(f, w, -ESRCH, &r);
	ctl_replies_free(&r);
	assert_int_equal(f->daemon_events, 2);
}

/* SET_CONFIG: a timeout above 2^31-1 (a negative int to the kernel) is EINVAL, and
 * then none of the three changes; 2^31-1 itself is taken. */
static void test_timeout_range(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_ctl_msg *w;
	const struct uvs_timeouts before = f->timeouts;

	for (int i = 0; i < 3; i++) {
		w = start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
		for (int j = 0; j < 3; j++)
			uvs_ctl_put_u32(w, (uint16_t)(IPVS_CMD_ATTR_TIMEOUT_TCP + j),
					i == j ? UVS_TIMEOUT_MAX + 1u : 100);
		run_expect(f, w, -EINVAL);
		assert_memory_equal(&f->timeouts, &before, sizeof(before));
	}
	w = start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_UDP, 0xffffffffu);
	run_expect(f, w, -EINVAL);
	assert_memory_equal(&f->timeouts, &before, sizeof(before));
	w = start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, UVS_TIMEOUT_MAX);
	run_ok(f, w);
	assert_int_equal(f->timeouts.tcp[UVS_TCP_S_FIN_WAIT], UVS_TIMEOUT_MAX);
}

static void new_daemon(struct ctl_fixture *f, const struct uvs_ctl_daemon *d, int want)
{
	struct uvs_ctl_msg *w = start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK);

	uvs_ctl_put_daemon(w, d);
	run_expect(f, w, want);
}

/* NEW_DAEMON as the kernel refuses it: a group that is not multicast, and any real
 * server of another family than its service's; and such a server while a daemon runs. */
static void test_daemon_refusals(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_ctl_daemon d = { .state = IP_VS_STATE_BACKUP, .mcast_ifn = "eth0" };
	struct uvs_svc_conf svc = test_svc_conf("10.0.0.1:80", "rr");
	struct uvs_dest_conf mixed = test_dest_conf("[2001:db8::10]:80", 1);
	struct uvs_ctl_msg *w;

	d.mcast_af = AF_INET;
	d.mcast_group.ip = htonl(0x0a000001);
	new_daemon(f, &d, -EINVAL);
	d.mcast_af = AF_INET6;
	assert_int_equal(uvs_addr_parse(AF_INET6, "2001:db8::1", &d.mcast_group), 0);
	new_daemon(f, &d, -EINVAL);
	assert_int_equal(f->daemon_events, 0);

	test_apply_ok(&f->env, NULL,
		      "-A -t 10.0.0.1:80 -s rr\n"
		      "-a -t 10.0.0.1:80 -r [2001:db8::10]:80 -i\n");
	assert_int_equal(uvs_addr_parse(AF_INET6, "ff02::1:2", &d.mcast_group), 0);
	new_daemon(f, &d, -EINVAL);
	assert_int_equal(f->daemon_events, 0);

	/* Without the mixed server, the daemon starts; then no mixed server is taken. */
	test_apply_ok(&f->env, NULL, "-d -t 10.0.0.1:80 -r [2001:db8::10]:80\n");
	new_daemon(f, &d, 0);
	mixed.fwd = UVS_FWD_TUNNEL;
	w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	uvs_ctl_put_dest(w, &mixed, true);
	run_expect(f, w, -EINVAL);
	expect_save(f, "-A -t 10.0.0.1:80 -s rr\n");
	/* A service that does not exist is ESRCH first, as in the kernel. */
	svc.key.port = htons(81);
	w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &svc.key);
	uvs_ctl_put_dest(w, &mixed, true);
	run_expect(f, w, -ESRCH);
	test_apply_ok(&f->env, NULL, "-C\n");
}

static void test_own_commands(void **state)
{
	struct ctl_fixture *f = *state;
	struct ctl_replies r;

	run(f, start(UVS_CMD_GET_CONN, NLM_F_DUMP), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 3);
	ctl_replies_free(&r);
	run(f, start(UVS_CMD_GET_COUNTERS, NLM_F_DUMP), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 3);
	ctl_replies_free(&r);
	/* Both are dumps only. */
	run(f, start(UVS_CMD_GET_CONN, NLM_F_ACK), -EOPNOTSUPP, &r);
	ctl_replies_free(&r);
}

/* A dump of 2,000 services over many datagrams, none over the limit, each whole. */
static void test_long_dump(void **state)
{
	struct ctl_fixture *f = *state;
	struct ctl_replies r;
	char rule[128];

	test_apply_ok(&f->env, NULL, "-C\n");
	for (int i = 0; i < 2000; i++) {
		snprintf(rule, sizeof(rule), "-A -u 10.%d.%d.1:53 -s rr\n", i / 250, i % 250);
		test_apply_ok(&f->env, NULL, rule);
	}
	run(f, start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP), 0, &r);
	assert_int_equal(ctl_replies_count(&r), 2000);
	assert_true(r.ndgrams > 2);
	assert_true(r.dgram_max <= UVS_CTL_DGRAM_MAX);
	ctl_replies_free(&r);
	test_apply_ok(&f->env, NULL, "-C\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svc_roundtrip),
		cmocka_unit_test(test_svc_info_roundtrip),
		cmocka_unit_test(test_dest_roundtrip),
		cmocka_unit_test(test_daemon_conn_counter_roundtrip),
		cmocka_unit_test(test_writer_full),
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
