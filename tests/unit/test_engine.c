// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine end to end on frames: NAT both ways with the TCP state machine and its
 * timeouts, DR, TUN, refusals (no service, no connection, no destination, limit),
 * persistence, one-packet scheduling, port reuse (DR after a reset, NAT in TIME_WAIT), a
 * deleted destination, TTL and MTU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

static void test_nat_tcp_both_ways(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(fx, svc, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	struct frame_spec syn = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);

	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
	assert_int_equal(fx->f.ifindex, 7);
	eng_assert_addr(AF_INET, &fx->out.daddr, "192.168.0.11");
	assert_int_equal(ntohs(fx->out.dport), 8080);
	eng_assert_addr(AF_INET, &fx->out.saddr, "172.16.0.5");
	assert_int_equal(fx->out.ttl, 63);
	assert_int_equal(fx->f.data[5], 11); /* next hop's MAC: 02:00:c0:a8:00:0b */
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	assert_int_equal(uvs_dest_active(d), 1); /* SYN_RECV is active */

	/* The reply goes back from the VIP. */
	struct frame_spec synack =
		frame_tcp("192.168.0.11", 8080, "172.16.0.5", 40000, TH_SYN | TH_ACK);
	assert_int_equal(eng_send(fx, &synack), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.saddr, "10.0.0.1");
	assert_int_equal(ntohs(fx->out.sport), 80);
	eng_assert_addr(AF_INET, &fx->out.daddr, "172.16.0.5");

	struct frame_spec ack = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_ACK);
	assert_int_equal(eng_send(fx, &ack), UVS_VERDICT_TX);
	struct uvs_counters dc;
	uvs_stats_read(&d->stats, &dc);
	assert_int_equal(dc.conns, 1);
	assert_int_equal(dc.inpkts, 2);
	assert_int_equal(dc.outpkts, 1);
	assert_int_equal(dc.inbytes, 2 * 40);

	/* Established for 900 s, then gone, and the destination's counters with it. */
	fx->env.now += 899 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	fx->env.now += 2 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
	assert_int_equal(uvs_dest_active(d), 0);
	assert_int_equal(uvs_dest_inactive(d), 0);
}

static void test_tcp_close_moves_to_inactive(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct frame_spec r = frame_tcp("192.168.0.11", 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);

	eng_send(fx, &s);
	eng_send(fx, &r);
	s.tcp_flags = TH_ACK;
	eng_send(fx, &s);
	assert_int_equal(uvs_dest_active(d), 1);
	/* Client FIN: CLOSE_WAIT (inactive); server FIN: TIME_WAIT, as IPVS's OUTPUT
	 * table has it; the client's last ACK keeps TIME_WAIT. */
	s.tcp_flags = TH_FIN | TH_ACK;
	eng_send(fx, &s);
	assert_int_equal(uvs_dest_active(d), 0);
	assert_int_equal(uvs_dest_inactive(d), 1);
	r.tcp_flags = TH_FIN | TH_ACK;
	eng_send(fx, &r);
	s.tcp_flags = TH_ACK;
	eng_send(fx, &s);
	/* TIME_WAIT times out after 120 s. */
	fx->env.now += 119 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	fx->env.now += 2 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
	assert_int_equal(uvs_dest_inactive(d), 0);
}

static void test_dr_changes_only_link_and_ttl(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_DROUTE);
	struct frame_spec syn = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	uint8_t before[2048];
	size_t len = frame_build(before, &syn);

	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
	assert_int_equal(fx->f.len, len);
	assert_memory_equal(fx->f.data + 14, before + 14, 8); /* IP header up to the TTL */
	assert_int_equal(fx->f.data[14 + 8], before[14 + 8] - 1);
	assert_memory_equal(fx->f.data + 14 + 12, before + 14 + 12, len - 26);
	assert_int_equal(fx->f.data[5], 12);
	/* No reply comes through a DR director: a reply's lookup does not match the entry. */
	struct frame_spec r = frame_tcp("192.168.0.12", 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_PASS);
}

static void test_tun_ipip(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.13:80", 1, UVS_FWD_TUNNEL);
	struct frame_spec syn = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);

	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
	assert_int_equal(fx->out.protocol, IPPROTO_IPIP);
	assert_int_equal(fx->f.len, 14 + 20 + 40);
	eng_assert_addr(AF_INET, &fx->out.saddr, "192.0.2.254");
	eng_assert_addr(AF_INET, &fx->out.daddr, "192.168.0.13");
}

static void test_refusals(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.9", 80, TH_SYN);

	/* Not a service: the kernel's. */
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_NO_SERVICE);
	/* A service, but no connection and not a SYN: the kernel's, as IPVS does. */
	s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_ACK);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_NO_CONN);
	/* No destination: port unreachable from the VIP. */
	s.tcp_flags = TH_SYN;
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->out.protocol, IPPROTO_ICMP);
	assert_int_equal(fx->out.icmp_type, ICMP_DEST_UNREACH);
	assert_int_equal(fx->out.icmp_code, ICMP_PORT_UNREACH);
	eng_assert_addr(AF_INET, &fx->out.saddr, "10.0.0.1");
	eng_assert_addr(AF_INET, &fx->out.daddr, "172.16.0.5");
	assert_int_equal(eng_counter(fx, UVS_R_NO_DEST), 1);
	/* A quiescent destination is no destination for new connections. */
	eng_add_dest(fx, svc, "192.168.0.11:80", 0, UVS_FWD_MASQ);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->out.protocol, IPPROTO_ICMP);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
}

/* Sends a NAT service's SYN whose TCP checksum is damaged, its frame marked rx_flags. */
static void send_damaged_syn(struct eng_fixture *fx, uint8_t rx_flags)
{
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	uint8_t *data = fx->buf + UVS_FRAME_HEADROOM;
	size_t len = frame_build(data, &s);

	data[14 + 20 + 16] ^= 0x55; /* the TCP checksum */
	fx->f = (struct uvs_frame){ .data = data,
				    .len = (uint32_t)len,
				    .headroom = UVS_FRAME_HEADROOM,
				    .rx_flags = rx_flags };
	uvs_engine_process(&fx->w, &fx->f, 1, fx->env.now);
}

static void test_bad_checksum_not_rewritten(void **state)
{
	struct eng_fixture *fx = *state;

	send_damaged_syn(fx, 0);
	assert_int_equal(fx->f.verdict, UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_L4_BAD_CSUM);
}

/* A frame whose checksum the backend vouches for (it computed it, or the kernel checked
 * it) is not summed again: the same damaged SYN goes through when so marked, as it
 * would through the kernel's NAT. */
static void test_known_checksum_not_summed(void **state)
{
	struct eng_fixture *fx = *state;

	send_damaged_syn(fx, UVS_FRAME_RX_L4_CSUM_GOOD);
	assert_int_equal(fx->f.verdict, UVS_VERDICT_TX);
	assert_int_equal(eng_counter(fx, UVS_R_L4_BAD_CSUM), 0);
}

static void test_conn_limit(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);

	for (int i = 0; i < 3; i++) {
		struct frame_spec s =
			frame_tcp("172.16.0.5", (uint16_t)(40000 + i), "10.0.0.1", 80, TH_SYN);
		assert_int_equal(eng_send(fx, &s), i < 2 ? UVS_VERDICT_TX : UVS_VERDICT_DROP);
	}
	assert_int_equal(fx->f.reason, UVS_R_CONN_LIMIT);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 2);
	assert_int_equal(uvs_dest_active(d), 2); /* the refused one left no count behind */
}

static void test_persistence(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.1:80", "rr");

	sc.flags |= UVS_SVC_F_PERSISTENT;
	sc.timeout = 300;
	sc.netmask = htonl(0xffffff00);
	assert_int_equal(uvs_svc_add(&fx->env.m, &sc, NULL), 0);
	struct uvs_service *svc = uvs_svc_find(&fx->env.m, &sc.key);
	struct uvs_dest *a = eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct uvs_dest *b = eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_MASQ);
	int first = -1;

	/* Clients of one /24 stick to one real server, whatever their port. */
	for (int i = 0; i < 6; i++) {
		char client[32];
		snprintf(client, sizeof(client), "172.16.0.%d", 1 + i % 3);
		struct frame_spec s =
			frame_tcp(client, (uint16_t)(40000 + i), "10.0.0.1", 80, TH_SYN);
		assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
		if (first < 0)
			first = fx->out.daddr.ip6[3];
		assert_int_equal(fx->out.daddr.ip6[3], first);
	}
	/* Another /24 is scheduled on its own: rr gives it the other server. */
	struct frame_spec s = frame_tcp("172.16.1.1", 40000, "10.0.0.1", 80, TH_SYN);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_not_equal(fx->out.daddr.ip6[3], first);
	assert_int_equal(uvs_dest_persistent(a) + uvs_dest_persistent(b), 2);
	/* 6 + 1 connections, 2 templates. */
	assert_int_equal(uvs_engine_conn_count(&fx->e), 9);
	/* Connections end after SYN_RECV's 60 s; templates after 300 s. */
	fx->env.now += 61 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 2);
	fx->env.now += 240 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
	assert_int_equal(uvs_dest_persistent(a) + uvs_dest_persistent(b), 0);
}

static void test_one_packet(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.1:53", "rr");

	sc.key.protocol = IPPROTO_UDP;
	sc.flags |= UVS_SVC_F_ONEPACKET;
	assert_int_equal(uvs_svc_add(&fx->env.m, &sc, NULL), 0);
	struct uvs_service *svc = uvs_svc_find(&fx->env.m, &sc.key);
	eng_add_dest(fx, svc, "192.168.0.11:53", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, svc, "192.168.0.12:53", 1, UVS_FWD_MASQ);
	int seen[2] = { 0 };

	/* Every datagram of one flow is scheduled on its own: rr alternates. */
	for (int i = 0; i < 4; i++) {
		struct frame_spec s = frame_udp("172.16.0.5", 5353, "10.0.0.1", 53);
		assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
		seen[fx->out.daddr.ip6[3] - 11]++;
	}
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 2);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
	assert_int_equal(eng_counter(fx, UVS_R_ONE_PACKET), 4);
	struct uvs_counters c;
	uvs_stats_read(&svc->stats, &c);
	assert_int_equal(c.conns, 4);
}

static void test_port_reuse_in_time_wait(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_DROUTE);
	eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_DROUTE);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);

	eng_send(fx, &s);
	/* DR keeps the VIP as destination: the real server shows in the MAC. */
	int first = fx->f.data[5];
	/* DR sees only the client's side (INPUT-ONLY): SYN, ACK give ESTABLISHED; a SYN
	 * while ESTABLISHED is not a reuse. */
	s.tcp_flags = TH_ACK;
	eng_send(fx, &s);
	s.tcp_flags = TH_SYN;
	eng_send(fx, &s);
	assert_int_equal(fx->f.data[5], first);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	/* RST: CLOSE. A new SYN now replaces the connection and is scheduled afresh. */
	s.tcp_flags = TH_RST;
	eng_send(fx, &s);
	s.tcp_flags = TH_SYN;
	eng_send(fx, &s);
	assert_int_not_equal(fx->f.data[5], first);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
}

/*
 * What a benchmark of one connection per request does (bench/http.sh, close mode):
 * the real server closes first, the client's last FIN leaves the NAT entry in
 * TIME_WAIT, and the client soon reuses the port. The new SYN must end the old entry
 * and get a new connection, scheduled afresh, whose replies are translated; a late
 * segment of the old real server on the same ports is no longer the client's.
 */
static void test_nat_port_reuse_after_server_close(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d11 = eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct uvs_dest *d12 = eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_MASQ);
	struct frame_spec c = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	union uvs_addr client = { 0 }, vip = { 0 };
	struct uvs_conn *old, *now;

	inet_pton(AF_INET, "172.16.0.5", &client);
	inet_pton(AF_INET, "10.0.0.1", &vip);

	assert_int_equal(eng_send(fx, &c), UVS_VERDICT_TX);
	uint8_t first = fx->out.daddr.ip6[3];
	const char *first_rs = first == 11 ? "192.168.0.11" : "192.168.0.12";
	const char *second_rs = first == 11 ? "192.168.0.12" : "192.168.0.11";
	struct frame_spec r = frame_tcp(first_rs, 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	c.tcp_flags = TH_ACK; /* handshake, then the request */
	assert_int_equal(eng_send(fx, &c), UVS_VERDICT_TX);
	r.tcp_flags = TH_FIN | TH_ACK; /* the response and the server's FIN */
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	c.tcp_flags = TH_FIN | TH_ACK; /* the client's FIN */
	assert_int_equal(eng_send(fx, &c), UVS_VERDICT_TX);
	old = uvs_conn_in_get(&fx->e.conns, AF_INET, IPPROTO_TCP, &client, htons(40000), &vip,
			      htons(80), false);
	assert_non_null(old);
	assert_int_equal(old->state, UVS_TCP_S_TIME_WAIT);
	assert_int_equal(uvs_dest_inactive(first == 11 ? d11 : d12), 1);

	/* Two seconds later the same client port opens a new connection. */
	fx->env.now += 2 * S;
	c.tcp_flags = TH_SYN;
	assert_int_equal(eng_send(fx, &c), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.daddr, second_rs);
	now = uvs_conn_in_get(&fx->e.conns, AF_INET, IPPROTO_TCP, &client, htons(40000), &vip,
			      htons(80), false);
	assert_non_null(now);
	assert_ptr_not_equal(now, old);
	assert_int_equal(now->state, UVS_TCP_S_SYN_RECV);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	assert_int_equal(uvs_dest_inactive(first == 11 ? d11 : d12), 0);
	/* The new real server's SYN-ACK goes back from the VIP. */
	struct frame_spec r2 = frame_tcp(second_rs, 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);
	assert_int_equal(eng_send(fx, &r2), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.saddr, "10.0.0.1");
	assert_int_equal(ntohs(fx->out.sport), 80);
	/* The old one's late ACK is not translated: the kernel may have it. */
	r.tcp_flags = TH_ACK;
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_NO_SERVICE);
	c.tcp_flags = TH_ACK;
	assert_int_equal(eng_send(fx, &c), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.daddr, second_rs);
	assert_int_equal(now->state, UVS_TCP_S_ESTABLISHED);
}

static void test_deleted_destination(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);

	eng_send(fx, &s);
	struct uvs_dest_conf dc = d->conf;
	if (fx->out.daddr.ip6[3] != 11) {
		s.sport = 40001; /* rr: the next connection goes to .11 */
		eng_send(fx, &s);
	}
	assert_int_equal(fx->out.daddr.ip6[3], 11);
	assert_int_equal(uvs_dest_del(&fx->env.m, &svc->key, AF_INET, &dc.addr, dc.port, NULL), 0);
	/* Without expire_nodest_conn its packets are dropped and the entry stays. */
	s.tcp_flags = TH_ACK;
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_NODEST_CONN);
	/* With it, a SYN ends the entry and is scheduled on a real server still there. */
	fx->env.m.sysctl.expire_nodest_conn = 1;
	s.tcp_flags = TH_SYN;
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->out.daddr.ip6[3], 12);
}

static void test_ttl_and_mtu(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	uint8_t payload[1400] = { 0 };

	s.ttl = 1;
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->out.protocol, IPPROTO_ICMP);
	assert_int_equal(fx->out.icmp_type, ICMP_TIME_EXCEEDED);
	assert_int_equal(eng_counter(fx, UVS_R_TTL_EXPIRED), 1);
	/* A 1440-byte DF packet toward a 1400-byte path: frag-needed with the MTU. */
	fx->mtu = 1400;
	s.ttl = 64;
	s.sport = 40001;
	s.payload = payload;
	s.payload_len = sizeof(payload);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->out.icmp_type, ICMP_DEST_UNREACH);
	assert_int_equal(fx->out.icmp_code, ICMP_FRAG_NEEDED);
	assert_int_equal(fx->out.frame[fx->out.l4_off + 6] << 8 | fx->out.frame[fx->out.l4_off + 7],
			 1400);
}

/* Sends s with its TCP checksum damaged; returns the verdict. */
static int send_bad_l4(struct eng_fixture *fx, const struct frame_spec *s)
{
	uint8_t *data = fx->buf + UVS_FRAME_HEADROOM;
	size_t len = frame_build(data, s);

	data[14 + 20 + 16] ^= 0x55;
	fx->f = (struct uvs_frame){ .data = data,
				    .len = (uint32_t)len,
				    .headroom = UVS_FRAME_HEADROOM };
	uvs_engine_process(&fx->w, &fx->f, 1, fx->env.now);
	return fx->f.verdict;
}

/* IPVS counts a client's packet before transmitting it, so one answered with time
 * exceeded or frag-needed, or dropped for its checksum, counts. A reply that is
 * dropped (TTL, checksum) neither counts nor moves the connection's state. */
static void test_counted_before_transmit(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct frame_spec r = frame_tcp("192.168.0.11", 80, "172.16.0.5", 40000, TH_RST | TH_ACK);
	uint8_t payload[1400] = { 0 };
	struct uvs_counters c;

	s.ttl = 1;
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->f.reason, UVS_R_TTL_EXPIRED);
	s.ttl = 64;
	s.sport = 40001;
	assert_int_equal(send_bad_l4(fx, &s), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_L4_BAD_CSUM);
	fx->mtu = 1400;
	s.payload = payload;
	s.payload_len = sizeof(payload);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->f.reason, UVS_R_TOO_BIG);
	uvs_stats_read(&d->stats, &c);
	assert_int_equal(c.conns, 2);
	assert_int_equal(c.inpkts, 3);
	assert_int_equal(c.inbytes, 40 + 40 + 1440);
	assert_int_equal(uvs_dest_active(d), 2);

	/* Replies that die on the way change nothing: a RST would close. */
	assert_int_equal(send_bad_l4(fx, &r), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_L4_BAD_CSUM);
	r.ttl = 1;
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	assert_int_equal(fx->f.reason, UVS_R_TTL_EXPIRED);
	uvs_stats_read(&d->stats, &c);
	assert_int_equal(c.outpkts, 0);
	assert_int_equal(uvs_dest_active(d), 2);
	assert_int_equal(uvs_dest_inactive(d), 0);
	r.ttl = 64;
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	assert_int_equal(uvs_dest_active(d), 1);
	assert_int_equal(uvs_dest_inactive(d), 1);
}

/* Sends an ICMP error from src to dst quoting q, with its ICMP checksum damaged if
 * bad; returns the verdict. */
static int send_error(struct eng_fixture *fx, const char *src, const char *dst,
		      const struct frame_spec *q, bool bad)
{
	uint8_t quoted[2048];
	size_t qlen = frame_build(quoted, q);
	struct frame_spec e = { .af = AF_INET,
				.src = src,
				.dst = dst,
				.protocol = IPPROTO_ICMP,
				.icmp_type = ICMP_DEST_UNREACH,
				.icmp_code = ICMP_PORT_UNREACH,
				.payload = quoted + frame_l3_off(q),
				.payload_len = qlen - frame_l3_off(q) };
	uint8_t *data = fx->buf + UVS_FRAME_HEADROOM;
	size_t len = frame_build(data, &e);

	if (bad)
		data[14 + 20 + 2] ^= 0x55;
	fx->f = (struct uvs_frame){ .data = data,
				    .len = (uint32_t)len,
				    .headroom = UVS_FRAME_HEADROOM,
				    .tailroom = (uint32_t)(sizeof(fx->buf) - UVS_FRAME_HEADROOM -
							   len) };
	uvs_engine_process(&fx->w, &fx->f, 1, fx->env.now);
	return fx->f.verdict;
}

/* ICMP errors about a NAT connection are relayed both ways, unless their checksum is
 * bad: the relay would compute a good one over a damaged message. */
static void test_icmp_relay_checks_csum(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct frame_spec to_rs = frame_tcp("172.16.0.5", 40000, "192.168.0.11", 8080, TH_SYN);
	struct frame_spec to_client =
		frame_tcp("10.0.0.1", 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);

	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	for (int bad = 1; bad >= 0; bad--) {
		assert_int_equal(send_error(fx, "192.168.0.11", "172.16.0.5", &to_rs, bad),
				 bad ? UVS_VERDICT_DROP : UVS_VERDICT_TX);
		if (bad)
			assert_int_equal(fx->f.reason, UVS_R_L4_BAD_CSUM);
		assert_int_equal(send_error(fx, "172.16.0.1", "10.0.0.1", &to_client, bad),
				 bad ? UVS_VERDICT_DROP : UVS_VERDICT_TX);
	}
	assert_int_equal(eng_counter(fx, UVS_R_L4_BAD_CSUM), 2);
}

/* ICMP errors: a reply routed on to the client is answered from the director's own
 * address; never an error about an error or to a multicast source; at most 50 in a
 * burst and 1000 a second per worker, except frag-needed. */
static void test_icmp_error_rules(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct frame_spec r = frame_tcp("192.168.0.11", 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);
	unsigned answered = 0;

	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	r.ttl = 1;
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	assert_int_equal(fx->out.icmp_type, ICMP_TIME_EXCEEDED);
	eng_assert_addr(AF_INET, &fx->out.saddr, "192.0.2.254");
	eng_assert_addr(AF_INET, &fx->out.daddr, "192.168.0.11");

	/* An ICMP error with TTL 1 on its way to the real server is dropped silently. */
	struct frame_spec icmp = { .af = AF_INET,
				   .src = "172.16.0.9",
				   .dst = "10.0.0.1",
				   .protocol = IPPROTO_ICMP,
				   .icmp_type = ICMP_DEST_UNREACH,
				   .icmp_code = ICMP_PORT_UNREACH,
				   .ttl = 1 };
	uint8_t quoted[2048];
	struct frame_spec q = frame_tcp("10.0.0.1", 80, "172.16.0.5", 40000, TH_ACK);
	size_t qlen = frame_build(quoted, &q);
	icmp.payload = quoted + frame_l3_off(&q);
	icmp.payload_len = qlen - frame_l3_off(&q);
	uint64_t before = eng_counter(fx, UVS_R_TTL_EXPIRED);
	assert_int_equal(eng_send(fx, &icmp), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_TTL_EXPIRED);
	assert_int_equal(eng_counter(fx, UVS_R_TTL_EXPIRED), before + 1);

	/* A multicast source gets no answer. */
	struct frame_spec m = frame_tcp("224.0.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	m.ttl = 1;
	assert_int_equal(eng_send(fx, &m), UVS_VERDICT_DROP);

	/* The burst: 60 expired SYNs at one instant: 50 answered. */
	fx->env.now += 10 * S;
	s.ttl = 1;
	for (int i = 0; i < 60; i++) {
		s.sport = (uint16_t)(41000 + i);
		answered += eng_send(fx, &s) == UVS_VERDICT_TX;
	}
	assert_int_equal(answered, 50);
	assert_int_equal(eng_counter(fx, UVS_R_ICMP_RATELIMIT), 10);
	/* Frag-needed is never limited. */
	uint8_t payload[1400] = { 0 };
	fx->mtu = 1400;
	s.ttl = 64;
	s.payload = payload;
	s.payload_len = sizeof(payload);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	assert_int_equal(fx->out.icmp_code, ICMP_FRAG_NEEDED);
	/* 10 ms later, 10 tokens more. */
	fx->env.now += S / 100;
	s.ttl = 1;
	s.payload_len = 0;
	answered = 0;
	for (int i = 0; i < 20; i++) {
		s.sport = (uint16_t)(42000 + i);
		answered += eng_send(fx, &s) == UVS_VERDICT_TX;
	}
	assert_int_equal(answered, 10);
}

static void test_ipv6_nat(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "[2001:db8::1]:80", "wlc");
	eng_add_dest(fx, svc, "[2001:db8:1::11]:8080", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("2001:db8:2::5", 40000, "2001:db8::1", 80, TH_SYN);

	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET6, &fx->out.daddr, "2001:db8:1::11");
	assert_int_equal(fx->out.ttl, 63);
	struct frame_spec r =
		frame_tcp("2001:db8:1::11", 8080, "2001:db8:2::5", 40000, TH_SYN | TH_ACK);
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET6, &fx->out.saddr, "2001:db8::1");
	assert_int_equal(ntohs(fx->out.sport), 80);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, eng_setup, eng_teardown)
	const struct CMUnitTest tests[] = {
		T(test_nat_tcp_both_ways),
		T(test_tcp_close_moves_to_inactive),
		T(test_dr_changes_only_link_and_ttl),
		T(test_tun_ipip),
		T(test_refusals),
		T(test_bad_checksum_not_rewritten),
		T(test_known_checksum_not_summed),
		cmocka_unit_test_setup_teardown(test_conn_limit, eng_setup_small, eng_teardown),
		T(test_persistence),
		T(test_one_packet),
		T(test_port_reuse_in_time_wait),
		T(test_nat_port_reuse_after_server_close),
		T(test_deleted_destination),
		T(test_ttl_and_mtu),
		T(test_counted_before_transmit),
		T(test_icmp_relay_checks_csum),
		T(test_icmp_error_rules),
		T(test_ipv6_nat),
	};
#undef T
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
