// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control server against hostile input: every malformed request gets one error
 * with a message and changes nothing; a bounded random-bytes and mutation loop never
 * breaks it; peers other than root or the group are refused (SO_PEERCRED, checked with
 * uvsadm run as nobody); a client that does not read stalls only itself; stale and
 * live socket files; clients past the limit are told why, idle ones are closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl/client.h"
#include "ctl_fixture.h"

static union {
	char buf[2 * UVS_CTL_REQ_MAX];
	uint64_t align_;
} mem;

static int setup(void **state)
{
	static struct ctl_fixture f;

	ctl_fixture_init(&f);
	test_apply_ok(&f.env, NULL,
		      "-A -t 10.0.0.1:80 -s wlc\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 2\n");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	ctl_fixture_fini(*state);
	return 0;
}

static struct uvs_ctl_msg *start(uint8_t cmd, uint16_t flags)
{
	static struct uvs_ctl_msg w;

	memset(mem.buf, 0, sizeof(mem.buf));
	uvs_ctl_msg_start(&w, mem.buf, UVS_CTL_REQ_MAX, NLM_F_REQUEST | flags, 77, cmd);
	return &w;
}

/* Feeds len bytes of mem; expects one error -errnum with seq whose text has `part`, no
 * data, and the model as it was. */
static void refused(struct ctl_fixture *f, size_t len, uint32_t seq, int errnum, const char *part)
{
	char *before = test_save_text(&f->env), *after, msg[200];
	struct ctl_replies r;
	int got;

	ctl_feed(f, mem.buf, len, &r);
	got = ctl_replies_result(&r, seq, msg, sizeof(msg));
	if (got != -errnum || !strstr(msg, part))
		fail_msg("expected %d \"%s\", got %d \"%s\"", -errnum, part, got, msg);
	assert_int_equal(ctl_replies_count(&r), 0);
	assert_int_equal(r.ndgrams, 1);
	after = test_save_text(&f->env);
	test_text_equal(after, before);
	free(before);
	free(after);
	ctl_replies_free(&r);
}

static void refused_msg(struct ctl_fixture *f, struct uvs_ctl_msg *w, int errnum, const char *part)
{
	assert_false(w->full);
	refused(f, w->nlh->nlmsg_len, 77, errnum, part);
}

static void test_bad_envelopes(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_ctl_msg *w;

	refused(f, 0, 0, EINVAL, "shorter than a netlink header");
	refused(f, 10, 0, EINVAL, "shorter than a netlink header");
	w = start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_len = 100;
	refused(f, 20, 77, EINVAL, "does not fit");
	w->nlh->nlmsg_len = 8;
	refused(f, 20, 77, EINVAL, "does not fit");
	/* Two whole messages in one datagram. */
	w = start(IPVS_CMD_FLUSH, NLM_F_ACK);
	memcpy(mem.buf + 20, mem.buf, 20);
	refused(f, 40, 77, EINVAL, "more than one");
	w = start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_type = GENL_ID_CTRL + 1;
	refused_msg(f, w, EINVAL, "is neither uvs's (21878) nor the generic netlink controller's");
	w = start(IPVS_CMD_FLUSH, 0);
	w->nlh->nlmsg_flags = NLM_F_ACK;
	refused_msg(f, w, EINVAL, "NLM_F_REQUEST");
	w = start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_len = 18;
	refused(f, 20, 77, EINVAL, "generic netlink header");
	/* A valid header on a datagram longer than any request. */
	w = start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_len = UVS_CTL_REQ_MAX + 100;
	refused(f, UVS_CTL_REQ_MAX + 100, 77, EMSGSIZE, "longer than");
}

static void test_bad_commands(void **state)
{
	struct ctl_fixture *f = *state;
	const uint8_t unknown[] = { 0, IPVS_CMD_SET_INFO, UVS_CMD_MAX + 1, 200, 255 };

	for (size_t i = 0; i < sizeof(unknown); i++)
		refused_msg(f, start(unknown[i], NLM_F_ACK), EOPNOTSUPP, "unknown command");
	refused_msg(f, start(IPVS_CMD_GET_INFO, NLM_F_DUMP), EOPNOTSUPP, "cannot be dumped");
	refused_msg(f, start(IPVS_CMD_FLUSH, NLM_F_DUMP), EOPNOTSUPP, "cannot be dumped");
	refused_msg(f, start(IPVS_CMD_GET_DAEMON, NLM_F_ACK), EOPNOTSUPP, "dump only");
	refused_msg(f, start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK), EINVAL, "needs a SERVICE");
	refused_msg(f, start(IPVS_CMD_NEW_DEST, NLM_F_ACK), EINVAL, "needs a SERVICE");
	refused_msg(f, start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK), EINVAL, "needs a DAEMON");
}

static struct uvs_svc_conf svc80(void)
{
	return test_svc_conf("10.0.0.1:80", "wlc");
}

static void test_bad_attributes(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_svc_conf c = svc80();
	struct uvs_dest_conf d = test_dest_conf("192.168.0.12:80", 1);
	struct uvs_ctl_msg *w;
	struct nlattr *n;

	w = start(IPVS_CMD_FLUSH, NLM_F_ACK);
	uvs_ctl_put_u32(w, 30, 1);
	refused_msg(f, w, EINVAL, "unknown attribute 30");
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	uvs_ctl_put_dest(w, &d, true);
	refused_msg(f, w, EINVAL, "takes no DEST");
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	uvs_ctl_put_svc_key(w, &c.key);
	refused_msg(f, w, EINVAL, "duplicate attribute SERVICE");
	w = start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	uvs_ctl_put_u16(w, IPVS_CMD_ATTR_TIMEOUT_TCP, 5);
	refused_msg(f, w, EINVAL, "TIMEOUT_TCP has a bad length");

	/* Inside the SERVICE nest. */
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_AF, "abc", 3);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "AF has a bad length");
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "AF missing");
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_STATS64 + 1, 0);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "unknown attribute 13");
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, 0);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "FWMARK 0");
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET6);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_ADDR, "\x0a\0\0\x01", 4);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PORT, htons(80));
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "needs 16 bytes");

	/* Strings: no NUL, too long, missing. */
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_SCHED_NAME, "rr", 2);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "not a terminated string");
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_str(w, IPVS_SVC_ATTR_SCHED_NAME, "a-scheduler-name-far-too-long-for-ipvs");
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "longer than 15 bytes");
	c = svc80();
	c.key.port = htons(81);
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_ADDR, &c.key.addr, 16);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PORT, c.key.port);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "SCHED_NAME missing");
}

/* Lengths inside a nest that lie: trailing bytes, a zero-length attribute, one that
 * runs past its nest. */
static void test_lying_lengths(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_svc_conf c = svc80();
	struct uvs_ctl_msg *w;
	struct nlattr *n, *a;

	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	n = (struct nlattr *)((char *)w->nlh + NLMSG_HDRLEN + GENL_HDRLEN);
	n->nla_len += 2;
	w->nlh->nlmsg_len += 4;
	refused_msg(f, w, EINVAL, "trailing bytes");

	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	a = (struct nlattr *)mnl_nlmsg_get_payload_tail(w->nlh);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, 5);
	a->nla_len = 0;
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "trailing bytes");

	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	a = (struct nlattr *)mnl_nlmsg_get_payload_tail(w->nlh);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, 5);
	a->nla_len = 200;
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "trailing bytes");

	/* The nest itself longer than the message. */
	w = start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	n = (struct nlattr *)((char *)w->nlh + NLMSG_HDRLEN + GENL_HDRLEN);
	n->nla_len = 1000;
	refused_msg(f, w, EINVAL, "trailing bytes");
}

/* The model's refusals come back with its errno and message; nothing changes. */
static void test_model_refusals(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_svc_conf c = svc80();
	struct uvs_dest_conf d = test_dest_conf("192.168.0.11:80", 1);
	struct uvs_ctl_msg *w;

	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, EEXIST, "Service already exists");
	w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	d.weight = -1; /* 0xffffffff on the wire: the kernel's int is negative */
	uvs_ctl_put_dest(w, &d, true);
	refused_msg(f, w, ERANGE, "weight");
	c.key.port = htons(99);
	snprintf(c.sched_name, sizeof(c.sched_name), "nosuch");
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "nosuch");
	w = start(IPVS_CMD_GET_DEST, NLM_F_DUMP);
	uvs_ctl_put_svc_key(w, &c.key);
	refused_msg(f, w, ESRCH, "No such service");
}

/* Feeds the request in w and expects it applied. */
static void accepted_msg(struct ctl_fixture *f, struct uvs_ctl_msg *w)
{
	struct ctl_replies r;
	char msg[200];
	int got;

	assert_false(w->full);
	ctl_feed(f, w->nlh, w->nlh->nlmsg_len, &r);
	got = ctl_replies_result(&r, 77, msg, sizeof(msg));
	if (got != 0)
		fail_msg("refused: %d \"%s\"", got, msg);
	ctl_replies_free(&r);
}

/* A NEW_DEST for 10.0.0.1:80 of the real server at addr_port, tunnelled if its family
 * is IPv6. */
static struct uvs_ctl_msg *new_dest(const char *addr_port)
{
	struct uvs_svc_conf c = svc80();
	struct uvs_dest_conf d = test_dest_conf(addr_port, 1);
	struct uvs_ctl_msg *w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);

	if (d.af == AF_INET6)
		d.fwd = UVS_FWD_TUNNEL;
	uvs_ctl_put_svc_key(w, &c.key);
	uvs_ctl_put_dest(w, &d, true);
	return w;
}

/* Real-server addresses the kernel's ip_vs_new_dest refuses (inet_addr_type() not
 * local or unicast; ipv6_addr_type() not unicast, or link-local), and the edges it
 * takes. */
static void test_dest_address_kinds(void **state)
{
	static const char *const refused_addrs[] = {
		"0.0.0.0:80",
		"0.1.2.3:80",
		"0.255.255.255:80",
		"224.0.0.1:80",
		"239.255.255.255:80",
		"255.255.255.255:80",
		"[::]:80",
		"[ff02::1]:80",
		"[fe80::1]:80",
		"[febf::1]:80",
		"[::ffff:192.168.0.1]:80",
	};
	static const char *const taken[] = {
		"1.0.0.0:80",	      "127.0.0.1:80", "240.0.0.1:80", "[::1]:80",
		"[::192.168.0.1]:80", "[fec0::1]:80", "[fc00::1]:80", "[2001:db8::5]:80",
	};
	struct ctl_fixture *f = *state;

	for (size_t i = 0; i < sizeof(refused_addrs) / sizeof(refused_addrs[0]); i++)
		refused_msg(f, new_dest(refused_addrs[i]), EINVAL, "not unicast");
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		accepted_msg(f, new_dest(taken[i]));
}

/* A family other than IPv4 and IPv6 is EAFNOSUPPORT for every command that names a
 * service or a destination, before the service is looked up and before the
 * destination's other attributes are checked. */
static void test_family_errors(void **state)
{
	static const uint8_t svc_cmds[] = { IPVS_CMD_DEL_SERVICE, IPVS_CMD_GET_SERVICE,
					    IPVS_CMD_ZERO };
	struct ctl_fixture *f = *state;
	struct uvs_svc_conf c = svc80();
	struct uvs_dest_conf d = test_dest_conf("192.168.0.11:80", 1);
	struct uvs_ctl_msg *w;

	for (size_t i = 0; i < sizeof(svc_cmds); i++) {
		c.key.af = 7;
		w = start(svc_cmds[i], NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		refused_msg(f, w, EAFNOSUPPORT, "address family 7");
		uvs_svc_key_fwmark(&c.key, 7, 5);
		w = start(svc_cmds[i], NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		refused_msg(f, w, EAFNOSUPPORT, "address family 7");
	}
	c = svc80();
	d.af = 7;
	w = start(IPVS_CMD_DEL_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	uvs_ctl_put_dest(w, &d, false);
	refused_msg(f, w, EAFNOSUPPORT, "address family 7");
	d.weight = -1;
	w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	uvs_ctl_put_dest(w, &d, true);
	refused_msg(f, w, EAFNOSUPPORT, "address family 7");
}

/* The other attributes where the kernel refuses what uvs took: an empty scheduler
 * name, a gue tunnel type without a port whatever the forwarding method, a PE_NAME
 * longer than the kernel's policy. */
static void test_kernel_attribute_checks(void **state)
{
	struct ctl_fixture *f = *state;
	struct uvs_svc_conf c = svc80();
	struct uvs_dest_conf d = test_dest_conf("192.168.0.12:80", 1);
	struct uvs_ctl_msg *w;

	c.sched_name[0] = 0;
	w = start(IPVS_CMD_SET_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "Scheduler not found");
	c.key.port = htons(81);
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "Scheduler not found");

	c = svc80();
	c.key.port = htons(81);
	snprintf(c.pe_name, sizeof(c.pe_name), "%s", "abcdefghijklmnopq");
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, EINVAL, "PE_NAME is longer than 16 bytes");
	c.pe_name[16] = 0;
	w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "Persistence engine not found");

	c = svc80();
	for (uint32_t fwd = UVS_FWD_MASQ; fwd <= UVS_FWD_DROUTE; fwd++) {
		d.fwd = fwd;
		d.tun_type = UVS_TUN_TYPE_GUE;
		w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		uvs_ctl_put_dest(w, &d, true);
		refused_msg(f, w, EINVAL, "gue tunnel needs a tunnel port");
	}
}

/* xorshift64*, so that a failure repeats. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ull;
}

/* Valid requests to mutate. */
static size_t base_request(int which)
{
	struct uvs_svc_conf c = svc80();
	struct uvs_dest_conf d = test_dest_conf("192.168.0.12:80", 3);
	struct uvs_ctl_daemon dm = { .state = IP_VS_STATE_MASTER, .mcast_ifn = "eth0" };
	struct uvs_ctl_msg *w;

	switch (which) {
	case 0:
		w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
		c.key.port = htons(8080);
		uvs_ctl_put_svc_conf(w, &c);
		break;
	case 1:
		w = start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		uvs_ctl_put_dest(w, &d, true);
		break;
	case 2:
		w = start(IPVS_CMD_GET_DEST, NLM_F_DUMP);
		uvs_ctl_put_svc_key(w, &c.key);
		break;
	case 3:
		w = start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK);
		uvs_ctl_put_daemon(w, &dm);
		break;
	default:
		w = start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
		uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_TCP, 100);
		break;
	}
	return w->nlh->nlmsg_len;
}

/* Every answer is whole, for the request's seq (or 0 when it had no header). */
static void check_any_answer(struct ctl_fixture *f, size_t len)
{
	struct ctl_replies r;
	uint32_t seq = len >= sizeof(struct nlmsghdr) ? ((struct nlmsghdr *)mem.buf)->nlmsg_seq : 0;

	uint16_t flags =
		len >= sizeof(struct nlmsghdr) ? ((struct nlmsghdr *)mem.buf)->nlmsg_flags : 0;
	bool quiet_ok = (flags & NLM_F_DUMP) != NLM_F_DUMP && !(flags & NLM_F_ACK);
	const struct nlmsghdr *nlh, *last = NULL;
	int rem;

	ctl_feed(f, mem.buf, len, &r);
	/* A successful request without NLM_F_ACK may have no answer, or its reply only. */
	if (!quiet_ok || (r.len && ((struct nlmsghdr *)r.buf)->nlmsg_type == NLMSG_ERROR)) {
		ctl_replies_result(&r, seq, NULL, 0);
	} else {
		nlh = (const struct nlmsghdr *)r.buf;
		rem = (int)r.len;
		for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
			assert_int_equal(nlh->nlmsg_seq, seq);
			last = nlh;
		}
		assert_int_equal(rem, 0);
		assert_true(!last || last->nlmsg_type == UVS_CTL_FAMILY);
	}
	ctl_replies_free(&r);
}

static void test_fuzz_loop(void **state)
{
	struct ctl_fixture *f = *state;

	for (int i = 0; i < 20000; i++) {
		size_t len;
		if (i % 4 == 0) {
			/* Random bytes behind a plausible header. */
			len = rnd() % 300;
			for (size_t j = 0; j < len; j++)
				mem.buf[j] = (char)rnd();
			if (len >= 20 && (rnd() & 1)) {
				struct nlmsghdr *nlh = (struct nlmsghdr *)mem.buf;
				nlh->nlmsg_type = UVS_CTL_FAMILY;
				nlh->nlmsg_len = (uint32_t)len;
				nlh->nlmsg_flags |= NLM_F_REQUEST;
			}
		} else {
			/* A valid request with a few bytes changed or cut. */
			len = base_request((int)(rnd() % 5));
			for (int k = (int)(rnd() % 6) + 1; k > 0; k--)
				mem.buf[rnd() % len] = (char)rnd();
			if (rnd() % 4 == 0)
				len = rnd() % (len + 1);
		}
		check_any_answer(f, len);
		if (i % 500 == 0)
			test_apply_ok(&f->env, NULL, "-C\n-A -t 10.0.0.1:80 -s wlc\n");
	}
}

/* ---- over the socket ---- */

/* Runs uvsadm -L -n as uid:gid (and extra_group) against sock; returns its exit
 * status with its output (stdout and stderr) in buf. */
static int spawn_uvsadm(const char *sock, uid_t uid, gid_t gid, gid_t extra_group, char *buf,
			size_t len)
{
	const char *uvsadm = getenv("UVSADM");
	char env_sock[200], outfile[] = "/tmp/uvs-ctl-out-XXXXXX";
	int fd = mkstemp(outfile);
	pid_t pid;
	int st;

	assert_non_null(uvsadm);
	assert_true(fd >= 0);
	snprintf(env_sock, sizeof(env_sock), "UVSD_SOCKET=%s", sock);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Only async-signal-safe calls before exec: the parent has threads. */
		char *const argv[] = { (char *)uvsadm, "-L", "-n", NULL };
		char *const envp[] = { env_sock, NULL };
		dup2(fd, 1);
		dup2(fd, 2);
		if (setgroups(extra_group == (gid_t)-1 ? 0 : 1, &extra_group) || setgid(gid) ||
		    setuid(uid))
			_exit(99);
		execve(uvsadm, argv, envp);
		_exit(98);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	memset(buf, 0, len);
	assert_true(pread(fd, buf, len - 1, 0) >= 0);
	close(fd);
	unlink(outfile);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void expect_spawn(const char *sock, uid_t uid, gid_t gid, gid_t extra_group, int status,
			 const char *out_part)
{
	char buf[1024];
	int got = spawn_uvsadm(sock, uid, gid, extra_group, buf, sizeof(buf));

	if (got != status || !strstr(buf, out_part))
		fail_msg("uvsadm as %u:%u: status %d, output:\n%s", uid, gid, got, buf);
}

static void test_peer_refused(void **state)
{
	struct ctl_fixture f;

	(void)state;
	if (geteuid() != 0)
		skip();
	ctl_fixture_start(&f, (gid_t)-1);
	expect_spawn(f.path, 65534, 65534, (gid_t)-1, 2,
		     "Can't initialize ipvs: Permission denied: uid 65534 is neither root nor in "
		     "uvsd's group\n");
	/* Root is served. */
	expect_spawn(f.path, 0, 0, (gid_t)-1, 0, "IP Virtual Server version 1.2.1 (size=4096)\n");
	ctl_fixture_fini(&f);
}

static void test_peer_group(void **state)
{
	struct ctl_fixture f;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* The group as primary group, then as a supplementary one. */
	ctl_fixture_start(&f, 4242);
	expect_spawn(f.path, 65534, 4242, (gid_t)-1, 0, "Prot LocalAddress:Port");
	expect_spawn(f.path, 65534, 65534, 4242, 0, "Prot LocalAddress:Port");
	expect_spawn(f.path, 65534, 65534, 4243, 2, "Permission denied");
	ctl_fixture_fini(&f);
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* A client that asks for a long dump and does not read stalls only itself; one that
 * leaves in the middle of a dump is cleaned up. */
static void test_slow_reader(void **state)
{
	static union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
	struct ctl_fixture f;
	struct uvs_ctl_client *c;
	struct uvs_ctl_msg *w;
	uint32_t version, size;
	size_t objects = 0;
	bool done = false;
	char rule[64];
	int fd, fd2;

	(void)state;
	ctl_fixture_start(&f, (gid_t)-1);
	for (int i = 0; i < 3000; i++) {
		snprintf(rule, sizeof(rule), "-A -u 10.%d.%d.1:53 -s rr\n", i / 250, i % 250);
		test_apply_ok(&f.env, NULL, rule);
	}
	fd = raw_connect(f.path);
	fd2 = raw_connect(f.path);
	w = start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	assert_int_equal(send(fd, w->nlh, w->nlh->nlmsg_len, 0), (ssize_t)w->nlh->nlmsg_len);
	assert_int_equal(send(fd2, w->nlh, w->nlh->nlmsg_len, 0), (ssize_t)w->nlh->nlmsg_len);
	close(fd2);

	assert_int_equal(uvs_ctl_client_open(f.path, 10, &c), 0);
	assert_int_equal(uvs_ctl_get_info(c, &version, &size, NULL), 0);
	assert_int_equal(version, UVS_IPVS_VERSION);
	uvs_ctl_client_close(c);

	while (!done) {
		ssize_t n = recv(fd, in.buf, sizeof(in.buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)in.buf;
		int len = (int)n;
		assert_true(n > 0 && n <= UVS_CTL_DGRAM_MAX);
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			assert_int_equal(nlh->nlmsg_seq, 77);
			objects += nlh->nlmsg_type == UVS_CTL_FAMILY;
			done = nlh->nlmsg_type == NLMSG_DONE;
		}
		assert_int_equal(len, 0);
	}
	assert_int_equal(objects, 3000);
	close(fd);
	ctl_fixture_fini(&f);
}

/*
 * Requests sent many at a time, before any answer is read: each is answered in order,
 * the acknowledgements packed several to a datagram; a refused one (a duplicate, a
 * malformed one) changes nothing and those after it are still applied; a dump after
 * them follows their answers.
 */
static void test_pipelined_requests(void **state)
{
	static union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
	enum { N = 600, DUP = 300, BAD = 450, BURST = 100 };
	struct ctl_fixture f;
	uint32_t next = 1;
	size_t dgrams = 0, burst_dgrams = 0, objects = 0;
	bool done = false;
	int fd;

	(void)state;
	ctl_fixture_start(&f, (gid_t)-1);
	fd = raw_connect(f.path);
	/* A server answering each request in a datagram of its own would fill this
	 * socket before all are sent: fail rather than wait for ever. */
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* The first BURST requests are all waiting when the server gets to them: it
	 * blocks on the model's lock at the first until all are sent. */
	pthread_mutex_lock(&f.env.m.ctl_lock);
	for (uint32_t seq = 1; seq <= N; seq++) {
		struct uvs_svc_conf c = { .sched_name = "rr" };
		union uvs_addr a = { .ip = htonl(0x0a320000u | (seq == DUP ? 10 : seq)) };
		struct uvs_ctl_msg *w = start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);

		uvs_svc_key_inet(&c.key, AF_INET, IPPROTO_TCP, &a, htons(80));
		w->nlh->nlmsg_seq = seq;
		if (seq == BAD) /* a SERVICE nest without its key */
			uvs_ctl_nest_end(w, uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE));
		else
			uvs_ctl_put_svc_conf(w, &c);
		assert_false(w->full);
		assert_int_equal(send(fd, w->nlh, w->nlh->nlmsg_len, 0),
				 (ssize_t)w->nlh->nlmsg_len);
		if (seq == BURST)
			pthread_mutex_unlock(&f.env.m.ctl_lock);
	}
	struct uvs_ctl_msg *w = start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	w->nlh->nlmsg_seq = N + 1;
	assert_int_equal(send(fd, w->nlh, w->nlh->nlmsg_len, 0), (ssize_t)w->nlh->nlmsg_len);

	while (!done) {
		ssize_t n = recv(fd, in.buf, sizeof(in.buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)in.buf;
		int len = (int)n;

		assert_true(n > 0 && n <= UVS_CTL_DGRAM_MAX);
		dgrams++;
		burst_dgrams += next <= BURST;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				assert_int_equal(nlh->nlmsg_seq, next);
				assert_int_equal(e->error, next == DUP	 ? -EEXIST
							   : next == BAD ? -EINVAL
									 : 0);
				next++;
				continue;
			}
			assert_int_equal(next, N + 1); /* the dump comes after every answer */
			assert_int_equal(nlh->nlmsg_seq, N + 1);
			objects += nlh->nlmsg_type == UVS_CTL_FAMILY;
			done = nlh->nlmsg_type == NLMSG_DONE;
		}
		assert_int_equal(len, 0);
	}
	assert_int_equal(objects, N - 2);
	/* Packed: the answers to requests that were waiting together share datagrams (at
	 * least 100 acknowledgements fit in one). */
	if (burst_dgrams > 4)
		fail_msg("%zu datagrams for the first %d answers", burst_dgrams, BURST);
	print_message("%zu datagrams for %d answers and a dump\n", dgrams, N);
	close(fd);
	ctl_fixture_fini(&f);
}

/* Expects the server to tell fd why it hangs up (an NLMSG_ERROR of seq 0: -errnum and
 * msg), then the hang-up. Waits at most 10 s. */
static void expect_told_and_closed(int fd, int errnum, const char *msg)
{
	union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
	struct timeval tv = { .tv_sec = 10 };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)in.buf;
	const struct nlattr *a;
	const char *text = NULL;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, in.buf, sizeof(in.buf), 0);
	assert_true(n > 0);
	assert_true(mnl_nlmsg_ok(nlh, (int)n));
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, 0);
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(e->error, -errnum);
	mnl_attr_for_each(a, nlh, sizeof(*e)) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			text = mnl_attr_get_str(a);
	}
	assert_non_null(text);
	assert_string_equal(text, msg);
	assert_int_equal(recv(fd, in.buf, sizeof(in.buf), 0), 0);
}

/* Sends GET_INFO on fd and reads its answer. */
static void ask_info(int fd)
{
	static union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
	struct uvs_ctl_msg *w = start(IPVS_CMD_GET_INFO, 0);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)in.buf;
	ssize_t n;

	assert_int_equal(send(fd, w->nlh, w->nlh->nlmsg_len, 0), (ssize_t)w->nlh->nlmsg_len);
	n = recv(fd, in.buf, sizeof(in.buf), 0);
	assert_true(n > 0 && mnl_nlmsg_ok(nlh, (int)n));
	assert_int_equal(nlh->nlmsg_type, UVS_CTL_FAMILY);
	assert_int_equal(nlh->nlmsg_seq, 77);
}

/*
 * Clients past max_clients are told why and closed at once: uvsadm says so (and not
 * "Are you sure that uvsd is running"), a raw netlink client reads it as an
 * NLMSG_ERROR; a slot freed is taken again.
 */
static void test_client_limit(void **state)
{
	static const char why[] =
		"uvsd refused the connection: 2 clients connected, the most it takes "
		"(--max-clients)";
	struct ctl_fixture f;
	struct uvs_ctl_client *c = NULL;
	uint32_t version, size;
	char out[1024];
	int fd[3];

	(void)state;
	ctl_fixture_start_limits(&f, (gid_t)-1, 2, 0);
	/* Accepted in the order they connect: the first two take the slots. */
	fd[0] = raw_connect(f.path);
	fd[1] = raw_connect(f.path);
	fd[2] = raw_connect(f.path);
	expect_told_and_closed(fd[2], EUSERS, why);
	ask_info(fd[0]);
	assert_int_equal(spawn_uvsadm(f.path, 0, 0, (gid_t)-1, out, sizeof(out)), 2);
	assert_string_equal(out, "Can't initialize ipvs: uvsd refused the connection: 2 clients "
				 "connected, the most it takes (--max-clients)\n");
	close(fd[0]);
	/* The server sees the hang-up soon; until then a new client may be refused. */
	for (int i = 0; i < 500 && !c; i++) {
		assert_int_equal(uvs_ctl_client_open(f.path, 10, &c), 0);
		if (uvs_ctl_get_info(c, &version, &size, NULL) < 0) {
			uvs_ctl_client_close(c);
			c = NULL;
			usleep(10000);
		}
	}
	assert_non_null(c);
	uvs_ctl_client_close(c);
	close(fd[1]);
	close(fd[2]);
	ctl_fixture_fini(&f);
}

/*
 * With an idle timeout, a client that sends nothing is told why and closed, and so is
 * one that stops reading a dump; one that keeps asking is not, however long it stays.
 */
static void test_idle_clients(void **state)
{
	static union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
	static const char why[] = "uvsd closed the connection: idle for 300 ms (--client-timeout)";
	struct ctl_fixture f;
	struct uvs_ctl_msg *w;
	char rule[64];
	int idle, busy, stalled;
	bool done = false;
	ssize_t n;

	(void)state;
	ctl_fixture_start_limits(&f, (gid_t)-1, 0, 300);
	for (int i = 0; i < 3000; i++) {
		snprintf(rule, sizeof(rule), "-A -u 10.%d.%d.1:53 -s rr\n", i / 250, i % 250);
		test_apply_ok(&f.env, NULL, rule);
	}
	idle = raw_connect(f.path);
	busy = raw_connect(f.path);
	stalled = raw_connect(f.path);
	w = start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	assert_int_equal(send(stalled, w->nlh, w->nlh->nlmsg_len, 0), (ssize_t)w->nlh->nlmsg_len);
	/* Five times the timeout, asking every 50 ms: served all along. */
	for (int i = 0; i < 30; i++) {
		ask_info(busy);
		usleep(50000);
	}
	expect_told_and_closed(idle, ETIMEDOUT, why);
	/* The stalled reader was closed too: what was sent is there, the dump's end not. */
	struct pollfd p = { stalled, POLLRDHUP, 0 };
	assert_int_equal(poll(&p, 1, 10000), 1);
	while ((n = recv(stalled, in.buf, sizeof(in.buf), MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)in.buf;
		int len = (int)n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			done |= nlh->nlmsg_type == NLMSG_DONE;
	}
	assert_int_equal(n, 0);
	assert_false(done);
	/* Once it stops asking, the busy client is idle too. */
	expect_told_and_closed(busy, ETIMEDOUT, why);
	close(idle);
	close(busy);
	close(stalled);
	ctl_fixture_fini(&f);
}

/*
 * uvsadm -R waiting for its input is neither a silent server (its timeout) nor kept
 * from going on when uvsd closes the idle connection meanwhile: it connects again.
 */
static void test_restore_pauses(void **state)
{
	static const char first[] = "-A -t 10.72.0.1:80 -s rr\n", second[] = "-A -t 10.72.0.2:80\n";
	const char *uvsadm = getenv("UVSADM");
	char env_sock[200], out[] = "/tmp/uvs-ctl-out-XXXXXX", buf[1024] = "";
	struct ctl_fixture f;
	int in[2], fd = mkstemp(out), st;
	pid_t pid;

	(void)state;
	assert_non_null(uvsadm);
	assert_true(fd >= 0);
	/* uvsd closes connections idle for 200 ms; uvsadm waits 1 s for an answer. */
	ctl_fixture_start_limits(&f, (gid_t)-1, 0, 200);
	snprintf(env_sock, sizeof(env_sock), "UVSD_SOCKET=%s", f.path);
	assert_int_equal(pipe(in), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *const argv[] = { (char *)uvsadm, "-R", NULL };
		char *const envp[] = { env_sock, "UVSADM_TIMEOUT=1", NULL };
		dup2(in[0], 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(in[1]);
		execve(uvsadm, argv, envp);
		_exit(98);
	}
	close(in[0]);
	assert_int_equal(write(in[1], first, strlen(first)), strlen(first));
	usleep(1500000);
	assert_int_equal(write(in[1], second, strlen(second)), strlen(second));
	close(in[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) >= 0);
	close(fd);
	unlink(out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || buf[0])
		fail_msg("uvsadm -R: status %d, output:\n%s", WEXITSTATUS(st), buf);
	char *saved = test_save_text(&f.env);
	test_text_equal(saved, "-A -t 10.72.0.1:80 -s rr\n-A -t 10.72.0.2:80 -s wlc\n");
	free(saved);
	ctl_fixture_fini(&f);
}

static void test_socket_files(void **state)
{
	struct ctl_fixture f;
	struct uvs_ctl_server *s;
	struct uvs_ctl_config c = { .group = (gid_t)-1 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct uvs_error err;
	char path[100];
	int fd;

	(void)state;
	ctl_fixture_start(&f, (gid_t)-1);
	c.model = &f.env.m;
	/* A live server's socket is not taken over. */
	c.path = f.path;
	assert_int_equal(uvs_ctl_server_open(&s, &c, &err), -EADDRINUSE);
	/* A stale one is replaced. */
	snprintf(path, sizeof(path), "%s/stale.sock", f.dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	c.path = path;
	assert_int_equal(uvs_ctl_server_open(&s, &c, &err), 0);
	uvs_ctl_server_close(s);
	assert_int_equal(access(path, F_OK), -1);
	/* A file that is not a socket is left alone. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(uvs_ctl_server_open(&s, &c, &err), -EEXIST);
	unlink(path);
	ctl_fixture_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_envelopes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_attributes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lying_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_address_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_attribute_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_loop, setup, teardown),
		cmocka_unit_test(test_peer_refused),
		cmocka_unit_test(test_peer_group),
		cmocka_unit_test(test_slow_reader),
		cmocka_unit_test(test_pipelined_requests),
		cmocka_unit_test(test_socket_files),
		cmocka_unit_test(test_client_limit),
		cmocka_unit_test(test_idle_clients),
		cmocka_unit_test(test_restore_pauses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
