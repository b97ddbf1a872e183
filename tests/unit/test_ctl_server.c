// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control server against hostile input: every malformed request gets one error
 * with a message and changes nothing; a bounded random-bytes and mutation loop never
 * breaks it. (Its socket's behaviour is test_ctl_socket.c's.)
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

/* Feeds len bytes of mem; expects one error -errnum with seq whose text has `part`, no
 * data, and the model as it was. */
static void refused(struct ctl_fixture *f, size_t len, uint32_t seq, int errnum, const char *part)
{
	char *before = test_save_text(&f->env), *after, msg[200];
	struct ctl_replies r;
	int got;

	ctl_feed(f, ctl_request_buf(), len, &r);
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
	w = ctl_request_start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_len = 100;
	refused(f, 20, 77, EINVAL, "does not fit");
	w->nlh->nlmsg_len = 8;
	refused(f, 20, 77, EINVAL, "does not fit");
	/* Two whole messages in one datagram. */
	w = ctl_request_start(IPVS_CMD_FLUSH, NLM_F_ACK);
	memcpy(ctl_request_buf() + 20, ctl_request_buf(), 20);
	refused(f, 40, 77, EINVAL, "more than one");
	w = ctl_request_start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_type = GENL_ID_CTRL + 1;
	refused_msg(f, w, EINVAL, "is neither uvs's (21878) nor the generic netlink controller's");
	w = ctl_request_start(IPVS_CMD_FLUSH, 0);
	w->nlh->nlmsg_flags = NLM_F_ACK;
	refused_msg(f, w, EINVAL, "NLM_F_REQUEST");
	w = ctl_request_start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_len = 18;
	refused(f, 20, 77, EINVAL, "generic netlink header");
	/* A valid header on a datagram longer than any request. */
	w = ctl_request_start(IPVS_CMD_FLUSH, NLM_F_ACK);
	w->nlh->nlmsg_len = UVS_CTL_REQ_MAX + 100;
	refused(f, UVS_CTL_REQ_MAX + 100, 77, EMSGSIZE, "longer than");
}

static void test_bad_commands(void **state)
{
	struct ctl_fixture *f = *state;
	const uint8_t unknown[] = { 0, IPVS_CMD_SET_INFO, UVS_CMD_MAX + 1, 200, 255 };

	for (size_t i = 0; i < sizeof(unknown); i++)
		refused_msg(f, ctl_request_start(unknown[i], NLM_F_ACK), EOPNOTSUPP,
			    "unknown command");
	refused_msg(f, ctl_request_start(IPVS_CMD_GET_INFO, NLM_F_DUMP), EOPNOTSUPP,
		    "cannot be dumped");
	refused_msg(f, ctl_request_start(IPVS_CMD_FLUSH, NLM_F_DUMP), EOPNOTSUPP,
		    "cannot be dumped");
	refused_msg(f, ctl_request_start(IPVS_CMD_GET_DAEMON, NLM_F_ACK), EOPNOTSUPP, "dump only");
	refused_msg(f, ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK), EINVAL,
		    "needs a SERVICE");
	refused_msg(f, ctl_request_start(IPVS_CMD_NEW_DEST, NLM_F_ACK), EINVAL, "needs a SERVICE");
	refused_msg(f, ctl_request_start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK), EINVAL, "needs a DAEMON");
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

	w = ctl_request_start(IPVS_CMD_FLUSH, NLM_F_ACK);
	uvs_ctl_put_u32(w, 30, 1);
	refused_msg(f, w, EINVAL, "unknown attribute 30");
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	uvs_ctl_put_dest(w, &d, true);
	refused_msg(f, w, EINVAL, "takes no DEST");
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	uvs_ctl_put_svc_key(w, &c.key);
	refused_msg(f, w, EINVAL, "duplicate attribute SERVICE");
	w = ctl_request_start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
	uvs_ctl_put_u16(w, IPVS_CMD_ATTR_TIMEOUT_TCP, 5);
	refused_msg(f, w, EINVAL, "TIMEOUT_TCP has a bad length");

	/* Inside the SERVICE nest. */
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_AF, "abc", 3);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "AF has a bad length");
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "AF missing");
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_STATS64 + 1, 0);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "unknown attribute 13");
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, 0);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "FWMARK 0");
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET6);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PROTOCOL, IPPROTO_TCP);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_ADDR, "\x0a\0\0\x01", 4);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_PORT, htons(80));
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "needs 16 bytes");

	/* Strings: no NUL, too long, missing. */
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_bin(w, IPVS_SVC_ATTR_SCHED_NAME, "rr", 2);
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "not a terminated string");
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	uvs_ctl_put_u16(w, IPVS_SVC_ATTR_AF, AF_INET);
	uvs_ctl_put_str(w, IPVS_SVC_ATTR_SCHED_NAME, "a-scheduler-name-far-too-long-for-ipvs");
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "longer than 15 bytes");
	c = svc80();
	c.key.port = htons(81);
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
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

	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	n = (struct nlattr *)((char *)w->nlh + NLMSG_HDRLEN + GENL_HDRLEN);
	n->nla_len += 2;
	w->nlh->nlmsg_len += 4;
	refused_msg(f, w, EINVAL, "trailing bytes");

	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	a = (struct nlattr *)mnl_nlmsg_get_payload_tail(w->nlh);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, 5);
	a->nla_len = 0;
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "trailing bytes");

	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
	n = uvs_ctl_nest_start(w, IPVS_CMD_ATTR_SERVICE);
	a = (struct nlattr *)mnl_nlmsg_get_payload_tail(w->nlh);
	uvs_ctl_put_u32(w, IPVS_SVC_ATTR_FWMARK, 5);
	a->nla_len = 200;
	uvs_ctl_nest_end(w, n);
	refused_msg(f, w, EINVAL, "trailing bytes");

	/* The nest itself longer than the message. */
	w = ctl_request_start(IPVS_CMD_DEL_SERVICE, NLM_F_ACK);
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

	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, EEXIST, "Service already exists");
	w = ctl_request_start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	d.weight = -1; /* 0xffffffff on the wire: the kernel's int is negative */
	uvs_ctl_put_dest(w, &d, true);
	refused_msg(f, w, ERANGE, "weight");
	c.key.port = htons(99);
	snprintf(c.sched_name, sizeof(c.sched_name), "nosuch");
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "nosuch");
	w = ctl_request_start(IPVS_CMD_GET_DEST, NLM_F_DUMP);
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
	struct uvs_ctl_msg *w = ctl_request_start(IPVS_CMD_NEW_DEST, NLM_F_ACK);

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
		w = ctl_request_start(svc_cmds[i], NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		refused_msg(f, w, EAFNOSUPPORT, "address family 7");
		uvs_svc_key_fwmark(&c.key, 7, 5);
		w = ctl_request_start(svc_cmds[i], NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		refused_msg(f, w, EAFNOSUPPORT, "address family 7");
	}
	c = svc80();
	d.af = 7;
	w = ctl_request_start(IPVS_CMD_DEL_DEST, NLM_F_ACK);
	uvs_ctl_put_svc_key(w, &c.key);
	uvs_ctl_put_dest(w, &d, false);
	refused_msg(f, w, EAFNOSUPPORT, "address family 7");
	d.weight = -1;
	w = ctl_request_start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
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
	w = ctl_request_start(IPVS_CMD_SET_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "Scheduler not found");
	c.key.port = htons(81);
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "Scheduler not found");

	c = svc80();
	c.key.port = htons(81);
	snprintf(c.pe_name, sizeof(c.pe_name), "%s", "abcdefghijklmnopq");
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, EINVAL, "PE_NAME is longer than 16 bytes");
	c.pe_name[16] = 0;
	w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
	uvs_ctl_put_svc_conf(w, &c);
	refused_msg(f, w, ENOENT, "Persistence engine not found");

	c = svc80();
	for (uint32_t fwd = UVS_FWD_MASQ; fwd <= UVS_FWD_DROUTE; fwd++) {
		d.fwd = fwd;
		d.tun_type = UVS_TUN_TYPE_GUE;
		w = ctl_request_start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
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
		w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);
		c.key.port = htons(8080);
		uvs_ctl_put_svc_conf(w, &c);
		break;
	case 1:
		w = ctl_request_start(IPVS_CMD_NEW_DEST, NLM_F_ACK);
		uvs_ctl_put_svc_key(w, &c.key);
		uvs_ctl_put_dest(w, &d, true);
		break;
	case 2:
		w = ctl_request_start(IPVS_CMD_GET_DEST, NLM_F_DUMP);
		uvs_ctl_put_svc_key(w, &c.key);
		break;
	case 3:
		w = ctl_request_start(IPVS_CMD_NEW_DAEMON, NLM_F_ACK);
		uvs_ctl_put_daemon(w, &dm);
		break;
	default:
		w = ctl_request_start(IPVS_CMD_SET_CONFIG, NLM_F_ACK);
		uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_TCP, 100);
		break;
	}
	return w->nlh->nlmsg_len;
}

/* Every answer is whole, for the request's seq (or 0 when it had no header). */
static void check_any_answer(struct ctl_fixture *f, size_t len)
{
	struct ctl_replies r;
	uint32_t seq = len >= sizeof(struct nlmsghdr)
			       ? ((struct nlmsghdr *)ctl_request_buf())->nlmsg_seq
			       : 0;

	uint16_t flags = len >= sizeof(struct nlmsghdr)
				 ? ((struct nlmsghdr *)ctl_request_buf())->nlmsg_flags
				 : 0;
	bool quiet_ok = (flags & NLM_F_DUMP) != NLM_F_DUMP && !(flags & NLM_F_ACK);
	const struct nlmsghdr *nlh, *last = NULL;
	int rem;

	ctl_feed(f, ctl_request_buf(), len, &r);
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
				ctl_request_buf()[j] = (char)rnd();
			if (len >= 20 && (rnd() & 1)) {
				struct nlmsghdr *nlh = (struct nlmsghdr *)ctl_request_buf();
				nlh->nlmsg_type = UVS_CTL_FAMILY;
				nlh->nlmsg_len = (uint32_t)len;
				nlh->nlmsg_flags |= NLM_F_REQUEST;
			}
		} else {
			/* A valid request with a few bytes changed or cut. */
			len = base_request((int)(rnd() % 5));
			for (int k = (int)(rnd() % 6) + 1; k > 0; k--)
				ctl_request_buf()[rnd() % len] = (char)rnd();
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
