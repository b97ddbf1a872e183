// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control server's generic netlink controller: GETFAMILY for "IPVS" (by name or
 * id, do and dump) answers as the kernel's controller would, with the reply and its
 * ack in two datagrams (libnl reads them with two receives); any other family is
 * ENOENT, other controller commands and malformed requests are refused with a
 * message; and over a socket, the answers keep their order with IPVS requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_fixture.h"

enum { SEQ = 4711 };

/* Each reply datagram of one fed request, kept apart. */
struct dgrams {
	size_t n;
	size_t len[8];
	union {
		char buf[UVS_CTL_DGRAM_MAX];
		uint64_t align_;
	} d[8];
};

static void keep(void *arg, const void *buf, size_t len)
{
	struct dgrams *g = arg;

	assert_true(g->n < 8);
	assert_true(len <= UVS_CTL_DGRAM_MAX);
	memcpy(g->d[g->n].buf, buf, len);
	g->len[g->n++] = len;
}

static union {
	char buf[UVS_CTL_REQ_MAX];
	uint64_t align_;
} req;

/* A controller request of command cmd with flags, attributes to be added. */
static struct nlmsghdr *ctrl_req(uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(req.buf, 0, sizeof(req.buf));
	nlh = mnl_nlmsg_put_header(req.buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = SEQ;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void feed(struct ctl_fixture *f, const struct nlmsghdr *nlh, struct dgrams *g)
{
	memset(g, 0, sizeof(*g));
	uvs_ctl_server_feed(f->srv, nlh, nlh->nlmsg_len, keep, g);
}

/* The one message of datagram d (it must hold exactly one). */
static const struct nlmsghdr *only_msg(const struct dgrams *g, size_t d)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)g->d[d].buf;

	assert_true(mnl_nlmsg_ok(nlh, (int)g->len[d]));
	assert_int_equal(NLMSG_ALIGN(nlh->nlmsg_len), g->len[d]);
	return nlh;
}

/* Expects one datagram: an NLMSG_ERROR of -errnum whose message contains part. */
static void expect_error(struct ctl_fixture *f, const struct nlmsghdr *r, int errnum,
			 const char *part)
{
	const struct nlmsghdr *nlh;
	const struct nlmsgerr *e;
	const struct nlattr *a;
	const char *msg = "";
	struct dgrams g;

	feed(f, r, &g);
	assert_int_equal(g.n, 1);
	nlh = only_msg(&g, 0);
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, SEQ);
	e = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(e->error, -errnum);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK_TLVS);
	mnl_attr_for_each(a, nlh, sizeof(*e)) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			msg = mnl_attr_get_str(a);
	}
	if (!strstr(msg, part))
		fail_msg("error \"%s\" lacks \"%s\"", msg, part);
}

/* Checks a NEWFAMILY message: uvsd's family, and every command uvsd serves with the
 * kernel's capability flags. */
static void check_family(const struct nlmsghdr *nlh, uint16_t flags)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *op, *tb[CTRL_ATTR_MAX + 1] = { 0 };
	uint32_t seen_ops[UVS_CMD_MAX + 1] = { 0 };

	assert_int_equal(nlh->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(nlh->nlmsg_flags, flags);
	assert_int_equal(nlh->nlmsg_seq, SEQ);
	assert_int_equal(g->cmd, CTRL_CMD_NEWFAMILY);
	assert_int_equal(g->version, 2);
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		assert_true(mnl_attr_get_type(a) <= CTRL_ATTR_MAX);
		assert_null(tb[mnl_attr_get_type(a)]);
		tb[mnl_attr_get_type(a)] = a;
	}
	assert_non_null(tb[CTRL_ATTR_FAMILY_NAME]);
	assert_string_equal(mnl_attr_get_str(tb[CTRL_ATTR_FAMILY_NAME]), "IPVS");
	assert_int_equal(mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]), UVS_CTL_FAMILY);
	assert_int_equal(mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]), 1);
	assert_int_equal(mnl_attr_get_u32(tb[CTRL_ATTR_HDRSIZE]), 0);
	assert_int_equal(mnl_attr_get_u32(tb[CTRL_ATTR_MAXATTR]), UVS_CTL_TOP_MAX);
	assert_non_null(tb[CTRL_ATTR_OPS]);
	uint16_t index = 0;
	mnl_attr_for_each_nested(op, tb[CTRL_ATTR_OPS]) {
		const struct nlattr *b;
		uint32_t id = 0, opflags = 0;
		assert_int_equal(mnl_attr_get_type(op), ++index); /* numbered from 1 */
		mnl_attr_for_each_nested(b, op) {
			if (mnl_attr_get_type(b) == CTRL_ATTR_OP_ID)
				id = mnl_attr_get_u32(b);
			else if (mnl_attr_get_type(b) == CTRL_ATTR_OP_FLAGS)
				opflags = mnl_attr_get_u32(b);
			else
				fail_msg("unexpected op attribute %u", mnl_attr_get_type(b));
		}
		assert_true(id >= 1 && id <= UVS_CMD_MAX);
		assert_int_equal(seen_ops[id], 0);
		seen_ops[id] = opflags;
	}
	/* The 16 commands the kernel's IPVS takes (SET_INFO is a reply) with the kernel's
	 * flags, and uvs's own. */
	enum { DO = GENL_CMD_CAP_DO, DUMP = GENL_CMD_CAP_DUMP };
	static const uint32_t want[UVS_CMD_MAX + 1] = {
		[IPVS_CMD_NEW_SERVICE] = DO,
		[IPVS_CMD_SET_SERVICE] = DO,
		[IPVS_CMD_DEL_SERVICE] = DO,
		[IPVS_CMD_GET_SERVICE] = DO | DUMP,
		[IPVS_CMD_NEW_DEST] = DO,
		[IPVS_CMD_SET_DEST] = DO,
		[IPVS_CMD_DEL_DEST] = DO,
		[IPVS_CMD_GET_DEST] = DUMP,
		[IPVS_CMD_NEW_DAEMON] = DO,
		[IPVS_CMD_DEL_DAEMON] = DO,
		[IPVS_CMD_GET_DAEMON] = DUMP,
		[IPVS_CMD_SET_CONFIG] = DO,
		[IPVS_CMD_GET_CONFIG] = DO,
		[IPVS_CMD_GET_INFO] = DO,
		[IPVS_CMD_ZERO] = DO,
		[IPVS_CMD_FLUSH] = DO,
		[UVS_CMD_GET_CONN] = DUMP,
		[UVS_CMD_GET_COUNTERS] = DUMP,
		[UVS_CMD_GET_SYSCTL] = DO | DUMP,
		[UVS_CMD_SET_SYSCTL] = DO,
	};
	for (unsigned cmd = 0; cmd <= UVS_CMD_MAX; cmd++) {
		uint32_t w = want[cmd] ? want[cmd] | GENL_ADMIN_PERM | GENL_CMD_CAP_HASPOL : 0;
		if (seen_ops[cmd] != w)
			fail_msg("command %u: flags %#x, want %#x", cmd, seen_ops[cmd], w);
	}
	assert_int_equal(index, UVS_CMD_MAX - 1);
}

static void test_getfamily_by_name(void **state)
{
	struct ctl_fixture *f = *state;
	const struct nlmsghdr *ack;
	struct nlmsghdr *r;
	struct dgrams g;

	/* With NLM_F_ACK (as libnl sends it): the reply, then the ack alone. */
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "IPVS");
	feed(f, r, &g);
	assert_int_equal(g.n, 2);
	check_family(only_msg(&g, 0), 0);
	ack = only_msg(&g, 1);
	assert_int_equal(ack->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(ack->nlmsg_seq, SEQ);
	assert_int_equal(((const struct nlmsgerr *)mnl_nlmsg_get_payload(ack))->error, 0);
	/* Without: the reply only. */
	r = ctrl_req(CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "IPVS");
	feed(f, r, &g);
	assert_int_equal(g.n, 1);
	check_family(only_msg(&g, 0), 0);
}

static void test_getfamily_by_id(void **state)
{
	struct ctl_fixture *f = *state;
	struct nlmsghdr *r;
	struct dgrams g;

	r = ctrl_req(CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_u16(r, CTRL_ATTR_FAMILY_ID, UVS_CTL_FAMILY);
	feed(f, r, &g);
	assert_int_equal(g.n, 1);
	check_family(only_msg(&g, 0), 0);
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_u16(r, CTRL_ATTR_FAMILY_ID, GENL_ID_CTRL);
	expect_error(f, r, ENOENT, "no generic netlink family 16 here");
	/* A name decides over an id, as in the kernel. */
	r = ctrl_req(CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_u16(r, CTRL_ATTR_FAMILY_ID, GENL_ID_CTRL);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "IPVS");
	feed(f, r, &g);
	assert_int_equal(g.n, 1);
	check_family(only_msg(&g, 0), 0);
}

static void test_getfamily_dump(void **state)
{
	struct ctl_fixture *f = *state;
	const struct nlmsghdr *nlh;
	struct dgrams g;
	int rem;

	feed(f, ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_DUMP | NLM_F_ACK), &g);
	assert_int_equal(g.n, 1);
	nlh = (const struct nlmsghdr *)g.d[0].buf;
	rem = (int)g.len[0];
	assert_true(mnl_nlmsg_ok(nlh, rem));
	check_family(nlh, NLM_F_MULTI);
	nlh = mnl_nlmsg_next(nlh, &rem);
	assert_true(mnl_nlmsg_ok(nlh, rem));
	assert_int_equal(nlh->nlmsg_type, NLMSG_DONE);
	assert_int_equal(nlh->nlmsg_seq, SEQ);
	assert_int_equal(*(const int *)mnl_nlmsg_get_payload(nlh), 0);
	mnl_nlmsg_next(nlh, &rem);
	assert_int_equal(rem, 0);
}

static void test_ctrl_refusals(void **state)
{
	struct ctl_fixture *f = *state;
	struct nlmsghdr *r;

	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "nl80211");
	expect_error(f, r, ENOENT, "no generic netlink family \"nl80211\" here");
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "IPVSX");
	expect_error(f, r, ENOENT, "uvsd serves only \"IPVS\"");
	expect_error(f, ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK), EINVAL,
		     "needs a FAMILY_NAME or a FAMILY_ID");
	expect_error(f, ctrl_req(CTRL_CMD_GETPOLICY, NLM_F_ACK), EOPNOTSUPP,
		     "answers only GETFAMILY");
	expect_error(f, ctrl_req(CTRL_CMD_NEWFAMILY, NLM_F_ACK), EOPNOTSUPP,
		     "controller command 1");
	/* Malformed: an unknown attribute, a name without its NUL, one too long, an id of
	 * the wrong size, no generic netlink header. */
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_u32(r, CTRL_ATTR_OPS, 1);
	expect_error(f, r, EINVAL, "unknown attribute 6");
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put(r, CTRL_ATTR_FAMILY_NAME, 4, "IPVS");
	expect_error(f, r, EINVAL, "not a terminated string");
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "a-name-of-20-chars..");
	expect_error(f, r, EINVAL, "longer than 15 bytes");
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_u32(r, CTRL_ATTR_FAMILY_ID, UVS_CTL_FAMILY);
	expect_error(f, r, EINVAL, "FAMILY_ID has a bad length");
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	r->nlmsg_len = NLMSG_HDRLEN + 2;
	expect_error(f, r, EINVAL, "too short for a generic netlink header");
	/* The envelope is checked as for any request. */
	r = ctrl_req(CTRL_CMD_GETFAMILY, 0);
	r->nlmsg_flags = NLM_F_ACK;
	expect_error(f, r, EINVAL, "NLM_F_REQUEST");
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path));
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/*
 * Over a socket, as libnl talks: GETFAMILY and an IPVS request sent together are
 * answered in order, the controller's reply and its ack in datagrams of their own,
 * then the IPVS answer (reply and ack packed, as for any do request).
 */
static void test_getfamily_socket(void **state)
{
	static union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
	struct ctl_fixture f;
	struct uvs_ctl_msg w;
	union {
		char buf[256];
		uint64_t align_;
	} info;
	struct nlmsghdr *r;
	const struct nlmsghdr *nlh;
	ssize_t n;
	int fd, rem;

	(void)state;
	ctl_fixture_start(&f, (gid_t)-1);
	fd = sock_connect(f.path);
	r = ctrl_req(CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(r, CTRL_ATTR_FAMILY_NAME, "IPVS");
	uvs_ctl_msg_start(&w, info.buf, sizeof(info.buf), NLM_F_REQUEST | NLM_F_ACK, SEQ + 1,
			  IPVS_CMD_GET_INFO);
	assert_int_equal(send(fd, r, r->nlmsg_len, 0), (ssize_t)r->nlmsg_len);
	assert_int_equal(send(fd, w.nlh, w.nlh->nlmsg_len, 0), (ssize_t)w.nlh->nlmsg_len);

	n = recv(fd, in.buf, sizeof(in.buf), 0);
	nlh = (const struct nlmsghdr *)in.buf;
	assert_true(n > 0 && mnl_nlmsg_ok(nlh, (int)n));
	assert_int_equal(NLMSG_ALIGN(nlh->nlmsg_len), n);
	check_family(nlh, 0);

	n = recv(fd, in.buf, sizeof(in.buf), 0);
	assert_int_equal(n, NLMSG_HDRLEN + sizeof(struct nlmsgerr));
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, SEQ);

	n = recv(fd, in.buf, sizeof(in.buf), 0);
	rem = (int)n;
	assert_true(mnl_nlmsg_ok(nlh, rem));
	assert_int_equal(nlh->nlmsg_type, UVS_CTL_FAMILY);
	assert_int_equal(nlh->nlmsg_seq, SEQ + 1);
	nlh = mnl_nlmsg_next(nlh, &rem);
	assert_true(mnl_nlmsg_ok(nlh, rem));
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	assert_int_equal(nlh->nlmsg_seq, SEQ + 1);
	close(fd);
	ctl_fixture_fini(&f);
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_getfamily_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_by_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_getfamily_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl_refusals, setup, teardown),
		cmocka_unit_test(test_getfamily_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
