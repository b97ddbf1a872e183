// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The preload library's pure parts: which request turns a generic netlink socket into
 * uvsd's (GETFAMILY "IPVS" only), the errors it answers for uvsd, uvsd's connection
 * notices told from answers; and the kernel's /proc/net/ip_vs* text, field by field
 * (hexadecimal addresses and ports, %pI6, the IPv6 service line without "ops", the
 * persistence timeout in jiffies and the byte-swapped IPv6 prefix, fwmark services
 * after the others, totals, connection lines of both families).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>

#include "adm_helpers.h"
#include "preload/nlmsg.h"
#include "adm/procnet.h"

static union {
	char buf[512];
	uint32_t align_;
} m;

/* A GETFAMILY request (flags besides NLM_F_REQUEST) with name as FAMILY_NAME of
 * name_len bytes (NULL: none). Returns its length. */
static size_t getfamily(uint16_t flags, uint8_t cmd, const char *name, uint16_t name_len)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(m.buf, 0, sizeof(m.buf));
	nlh = mnl_nlmsg_put_header(m.buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = 9;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0);
	if (name)
		mnl_attr_put(nlh, CTRL_ATTR_FAMILY_NAME, name_len, name);
	return nlh->nlmsg_len;
}

static void test_asks_ipvs(void **state)
{
	size_t len;

	(void)state;
	assert_true(
		uvs_nlmsg_asks_ipvs(m.buf, getfamily(NLM_F_ACK, CTRL_CMD_GETFAMILY, "IPVS", 5)));
	assert_true(uvs_nlmsg_asks_ipvs(m.buf, getfamily(0, CTRL_CMD_GETFAMILY, "IPVS", 4)));
	/* Any other family, command, a dump, no name: the kernel's. */
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, getfamily(0, CTRL_CMD_GETFAMILY, "nl80211", 8)));
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, getfamily(0, CTRL_CMD_GETFAMILY, "IPVS2", 6)));
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, getfamily(0, CTRL_CMD_GETFAMILY, "IPV", 4)));
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, getfamily(0, CTRL_CMD_GETPOLICY, "IPVS", 5)));
	assert_false(
		uvs_nlmsg_asks_ipvs(m.buf, getfamily(NLM_F_DUMP, CTRL_CMD_GETFAMILY, "IPVS", 5)));
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, getfamily(0, CTRL_CMD_GETFAMILY, NULL, 0)));
	/* Another family's message; one cut short. */
	len = getfamily(0, CTRL_CMD_GETFAMILY, "IPVS", 5);
	((struct nlmsghdr *)m.buf)->nlmsg_type = GENL_ID_CTRL + 1;
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, len));
	len = getfamily(0, CTRL_CMD_GETFAMILY, "IPVS", 5);
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, len - 8));
	assert_false(uvs_nlmsg_asks_ipvs(m.buf, 10));
}

static void test_put_error(void **state)
{
	struct nlmsghdr req = { .nlmsg_len = 60, .nlmsg_type = 0x5576, .nlmsg_seq = 42 };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)m.buf;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t len;

	(void)state;
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &req, ENODEV, "gone", false);
	assert_int_equal(len, NLMSG_HDRLEN + sizeof(*e));
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, 42);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED);
	assert_int_equal(e->error, -ENODEV);
	assert_memory_equal(&e->msg, &req, sizeof(req));
	/* With extended acks asked for, the text. */
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &req, ENODEV, "gone", true);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	assert_int_equal(len, NLMSG_HDRLEN + sizeof(*e) + MNL_ATTR_HDRLEN + 8);
	assert_string_equal(mnl_attr_get_str(mnl_nlmsg_get_payload_offset(nlh, sizeof(*e))),
			    "gone");
	assert_int_equal(uvs_nlmsg_put_error(m.buf, 10, &req, ENODEV, "", false), 0);
}

static void test_notice(void **state)
{
	struct nlmsghdr none = { 0 }, req = { .nlmsg_len = 20, .nlmsg_type = 0x5576 };
	char text[64];
	int errnum = 0;
	size_t len;

	(void)state;
	/* What uvsd sends a refused peer: seq 0, no request echoed, a reason. */
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &none, EPERM, "Permission denied: uid 7",
				  true);
	assert_true(uvs_nlmsg_notice(m.buf, len, &errnum, text, sizeof(text)));
	assert_int_equal(errnum, EPERM);
	assert_string_equal(text, "Permission denied: uid 7");
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &none, ETIMEDOUT, "", false);
	assert_true(uvs_nlmsg_notice(m.buf, len, &errnum, text, sizeof(text)));
	assert_int_equal(errnum, ETIMEDOUT);
	assert_string_equal(text, "");
	/* An answer to a request of seq 0 echoes it; an ack is no notice; nor is a cut
	 * message. */
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &req, EINVAL, "bad", true);
	assert_false(uvs_nlmsg_notice(m.buf, len, &errnum, text, sizeof(text)));
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &none, 0, "", false);
	assert_false(uvs_nlmsg_notice(m.buf, len, &errnum, text, sizeof(text)));
	len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), &none, EPERM, "", false);
	assert_false(uvs_nlmsg_notice(m.buf, len - 4, &errnum, text, sizeof(text)));
	((struct nlmsghdr *)m.buf)->nlmsg_seq = 3;
	assert_false(uvs_nlmsg_notice(m.buf, len, &errnum, text, sizeof(text)));
}

/* The text fn writes for snap. */
static char *text_of(void (*fn)(FILE *, const struct uvs_snap *), const struct uvs_snap *snap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, snap);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void info_1024(FILE *f, const struct uvs_snap *snap)
{
	uvs_procnet_info(f, snap, 1024);
}

/* A model with services of every kind, in an order that puts a fwmark service first. */
static void take(struct test_env *env, struct uvs_snap *snap)
{
	test_env_init(env);
	test_apply_ok(env, NULL,
		      "-A -f 7 -s sh -o\n"
		      "-a -f 7 -r 192.168.0.31 -g -w 2\n"
		      "-A -t 10.0.0.1:80 -s wrr -p 60 -M 255.255.255.0\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.11:8080 -m -w 3\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.12 -i -w 0\n"
		      "-A -u 10.0.0.1:53 -s rr -o\n"
		      "-A -u [2001:db8::1]:53 -s mh -p 30 -M 64 -o\n"
		      "-a -u [2001:db8::1]:53 -r [2001:db8:1::11]:5353 -m -w 1\n"
		      "-A --sctp-service 10.0.0.2:38412 -s lc\n");
	assert_int_equal(uvs_snap_take(&env->m, NULL, false, snap), 0);
	assert_int_equal(snap->nsvcs, 5);
}

static void test_procnet_info(void **state)
{
	struct test_env env;
	struct uvs_snap snap;
	char *got;

	(void)state;
	take(&env, &snap);
	/* Counts as uvsd reports them. */
	snap.svcs[1].dests[1].activeconns = 12;
	snap.svcs[1].dests[1].inactconns = 3000000000u; /* shown as the kernel's %d */
	got = text_of(info_1024, &snap);
	test_text_equal(got,
			"IP Virtual Server version 1.2.1 (size=1024)\n"
			"Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
			"TCP  0A000001:0050 wrr persistent 15000 FFFFFF00\n"
			"  -> C0A8000C:0050      Tunnel  0      0          0         \n"
			"  -> C0A8000B:1F90      Masq    3      12         -1294967296\n"
			"UDP  0A000001:0035 rr ops \n"
			"UDP  [2001:0db8:0000:0000:0000:0000:0000:0001]:0035 mh persistent 7500 "
			"40000000\n"
			"  -> [2001:0db8:0001:0000:0000:0000:0000:0011]:14E9      Masq    1      "
			"0          0         \n"
			"SCTP  0A000002:960C lc \n"
			"FWM  00000007 sh ops \n"
			"  -> C0A8001F:0000      Route   2      0          0         \n");
	free(got);
	uvs_snap_free(&snap);
	test_env_fini(&env);
}

static void test_procnet_stats(void **state)
{
	struct test_env env;
	struct uvs_snap snap;
	char *got;

	(void)state;
	take(&env, &snap);
	snap.svcs[0].stats = (struct uvs_counters){ 10, 200, 150, 30000, 0x123456789ull };
	snap.svcs[0].rates = (struct uvs_rates){ 1, 2, 3, 4, 5 };
	snap.svcs[3].stats = (struct uvs_counters){ 5, 6, 7, 8, 9 };
	snap.svcs[3].rates = (struct uvs_rates){ 0xffffffff, 1, 0, 0, 0 };
	got = text_of(uvs_procnet_stats, &snap);
	test_text_equal(got, "   Total Incoming Outgoing         Incoming         Outgoing\n"
			     "   Conns  Packets  Packets            Bytes            Bytes\n"
			     "       F       CE       9D             7538        123456792\n"
			     "\n"
			     " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
			     "100000000        3        3                4                5\n");
	free(got);
	got = text_of(uvs_procnet_stats_percpu, &snap);
	test_text_equal(got, "       Total Incoming Outgoing         Incoming         Outgoing\n"
			     "CPU    Conns  Packets  Packets            Bytes            Bytes\n"
			     "  0        F       CE       9D             7538        123456792\n"
			     "  ~        F       CE       9D             7538        123456792\n"
			     "\n"
			     "     Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
			     "    100000000        3        3                4                5\n");
	free(got);
	uvs_snap_free(&snap);
	test_env_fini(&env);
}

static void conn(struct uvs_ctl_conn *c, int protocol, int af, const char *ca, int cp,
		 const char *va, int vp, int daf, const char *da, int dp, const char *state,
		 uint32_t ms)
{
	memset(c, 0, sizeof(*c));
	c->protocol = (uint16_t)protocol;
	c->af = (uint16_t)af;
	c->daf = (uint16_t)daf;
	assert_int_equal(uvs_addr_parse(af, ca, &c->caddr), 0);
	assert_int_equal(uvs_addr_parse(af, va, &c->vaddr), 0);
	assert_int_equal(uvs_addr_parse(daf, da, &c->daddr), 0);
	c->cport = htons((uint16_t)cp);
	c->vport = htons((uint16_t)vp);
	c->dport = htons((uint16_t)dp);
	snprintf(c->state, sizeof(c->state), "%s", state);
	c->expires_ms = ms;
}

static void test_procnet_conn(void **state)
{
	struct uvs_ctl_conn c[4];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	conn(&c[0], IPPROTO_TCP, AF_INET, "172.16.0.5", 51514, "10.0.0.1", 80, AF_INET,
	     "192.168.0.11", 80, "ESTABLISHED", 899999);
	conn(&c[1], IPPROTO_UDP, AF_INET6, "2001:db8::5", 5353, "2001:db8::1", 53, AF_INET6,
	     "2001:db8::10", 53, "UDP", 999);
	/* An IPv6 service's IPv4 real server (tunnelled), and a fwmark template. */
	conn(&c[2], IPPROTO_TCP, AF_INET6, "2001:db8::5", 40000, "2001:db8::1", 443, AF_INET,
	     "192.168.0.31", 443, "SYN_RECV", 59000);
	conn(&c[3], IPPROTO_IP, AF_INET, "172.16.0.5", 0, "0.0.0.7", 0, AF_INET, "192.168.0.31", 0,
	     "NONE", 300000);
	uvs_procnet_conn_title(f);
	for (int i = 0; i < 4; i++)
		uvs_procnet_conn(f, &c[i]);
	assert_int_equal(fclose(f), 0);
	test_text_equal(buf, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires "
			     "PEName PEData\n"
			     "TCP AC100005 C93A 0A000001 0050 C0A8000B 0050 ESTABLISHED     899\n"
			     "UDP 2001:0db8:0000:0000:0000:0000:0000:0005 14E9 "
			     "2001:0db8:0000:0000:0000:0000:0000:0001 0035 "
			     "2001:0db8:0000:0000:0000:0000:0000:0010 0035 UDP               0\n"
			     "TCP 2001:0db8:0000:0000:0000:0000:0000:0005 9C40 "
			     "2001:0db8:0000:0000:0000:0000:0000:0001 01BB C0A8001F 01BB "
			     "SYN_RECV         59\n"
			     "IP  AC100005 0000 00000007 0000 C0A8001F 0000 NONE            300\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_asks_ipvs),     cmocka_unit_test(test_put_error),
		cmocka_unit_test(test_notice),	      cmocka_unit_test(test_procnet_info),
		cmocka_unit_test(test_procnet_stats), cmocka_unit_test(test_procnet_conn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
