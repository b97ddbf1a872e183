// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_fixture.h"

static void get_timeouts(void *arg, struct uvs_timeouts *out)
{
	*out = ((struct ctl_fixture *)arg)->timeouts;
}

static void set_timeouts(void *arg, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	uvs_timeouts_set(&((struct ctl_fixture *)arg)->timeouts, tcp, tcpfin, udp);
}

/* The cursor is the index of the next entry; at most two a call, to test resuming. */
static size_t conns(void *arg, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max)
{
	struct ctl_fixture *f = arg;
	size_t n = 0;

	while (n < max && n < 2 && *cursor < f->nconns)
		out[n++] = f->conns[(*cursor)++];
	return n;
}

static size_t counters(void *arg, struct uvs_ctl_counter *out, size_t max)
{
	static const struct uvs_ctl_counter c[] = {
		{ "pkt_ip4_bad_csum", 3 },
		{ "no_dest", 12 },
		{ "conn_limit", 5000000000ull },
	};
	(void)arg;
	assert_true(max >= 3);
	memcpy(out, c, sizeof(c));
	return 3;
}

static int daemon_start(void *arg, const struct uvs_ctl_daemon *d, struct uvs_error *err)
{
	(void)d, (void)err;
	((struct ctl_fixture *)arg)->daemon_events++;
	return 0;
}

static void daemon_stop(void *arg, const struct uvs_ctl_daemon *d)
{
	(void)d;
	((struct ctl_fixture *)arg)->daemon_events++;
}

static const struct uvs_ctl_ops ops = {
	.get_timeouts = get_timeouts,
	.set_timeouts = set_timeouts,
	.conns = conns,
	.counters = counters,
	.daemon_start = daemon_start,
	.daemon_stop = daemon_stop,
};

static void conn(struct uvs_ctl_conn *c, int protocol, int af, const char *ca, int cp,
		 const char *va, int vp, const char *da, int dp, const char *state, uint32_t ms)
{
	memset(c, 0, sizeof(*c));
	c->protocol = (uint16_t)protocol;
	c->af = c->daf = (uint16_t)af;
	assert_int_equal(uvs_addr_parse(af, ca, &c->caddr), 0);
	assert_int_equal(uvs_addr_parse(af, va, &c->vaddr), 0);
	assert_int_equal(uvs_addr_parse(af, da, &c->daddr), 0);
	c->cport = htons((uint16_t)cp);
	c->vport = htons((uint16_t)vp);
	c->dport = htons((uint16_t)dp);
	snprintf(c->state, sizeof(c->state), "%s", state);
	c->expires_ms = ms;
}

static void setup(struct ctl_fixture *f, const char *path, gid_t group, unsigned max_clients,
		  unsigned idle_timeout_ms)
{
	struct uvs_ctl_config c = { .path = path,
				    .group = group,
				    .conn_tab_size = 4096,
				    .max_clients = max_clients,
				    .idle_timeout_ms = idle_timeout_ms,
				    .model = &f->env.m,
				    .ops = &ops,
				    .ops_arg = f };
	struct uvs_error err;

	uvs_timeouts_default(&f->timeouts);
	conn(&f->conns[0], IPPROTO_TCP, AF_INET, "172.16.0.5", 51514, "10.0.0.1", 80,
	     "192.168.0.11", 80, "ESTABLISHED", 899500);
	conn(&f->conns[1], IPPROTO_UDP, AF_INET, "172.16.0.6", 5353, "10.0.0.1", 53, "192.168.0.21",
	     53, "UDP", 299000);
	conn(&f->conns[2], IPPROTO_TCP, AF_INET6, "2001:db8::5", 40000, "2001:db8::1", 443,
	     "2001:db8::10", 8443, "SYN_RECV", 59999);
	f->nconns = 3;
	if (uvs_ctl_server_open(&f->srv, &c, &err) != 0)
		fail_msg("server: %s", err.msg);
}

void ctl_fixture_init(struct ctl_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->stop_fd = -1;
	test_env_init(&f->env);
	setup(f, NULL, (gid_t)-1, 0, 0);
}

static void *serve(void *arg)
{
	struct ctl_fixture *f = arg;
	struct pollfd p[2] = { { uvs_ctl_server_fd(f->srv), POLLIN, 0 },
			       { f->stop_fd, POLLIN, 0 } };

	rcu_register_thread();
	for (;;) {
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents)
			break;
		if (p[0].revents)
			assert_int_equal(uvs_ctl_server_handle(f->srv), 0);
	}
	rcu_unregister_thread();
	return NULL;
}

void ctl_fixture_start(struct ctl_fixture *f, gid_t group)
{
	ctl_fixture_start_limits(f, group, 0, 0);
}

void ctl_fixture_start_limits(struct ctl_fixture *f, gid_t group, unsigned max_clients,
			      unsigned idle_timeout_ms)
{
	memset(f, 0, sizeof(*f));
	test_env_init(&f->env);
	snprintf(f->dir, sizeof(f->dir), "/tmp/uvs-ctl-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(f->path, sizeof(f->path), "%s/uvsd.sock", f->dir);
	setup(f, f->path, group, max_clients, idle_timeout_ms);
	assert_int_equal(chmod(f->path, 0666), 0);
	f->stop_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(f->stop_fd >= 0);
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
	f->threaded = true;
}

void ctl_fixture_fini(struct ctl_fixture *f)
{
	if (f->threaded) {
		uint64_t one = 1;
		assert_int_equal(write(f->stop_fd, &one, sizeof(one)), sizeof(one));
		pthread_join(f->thread, NULL);
		close(f->stop_fd);
	}
	uvs_ctl_server_close(f->srv);
	if (f->dir[0])
		rmdir(f->dir);
	test_env_fini(&f->env);
}

static void sink(void *arg, const void *buf, size_t len)
{
	struct ctl_replies *r = arg;

	assert_true(len <= UVS_CTL_DGRAM_MAX);
	r->buf = realloc(r->buf, r->len + len);
	assert_non_null(r->buf);
	memcpy(r->buf + r->len, buf, len);
	r->len += len;
	r->ndgrams++;
	if (len > r->dgram_max)
		r->dgram_max = len;
}

void ctl_feed(struct ctl_fixture *f, const void *req, size_t len, struct ctl_replies *r)
{
	memset(r, 0, sizeof(*r));
	uvs_ctl_server_feed(f->srv, req, len, sink, r);
}

void ctl_replies_free(struct ctl_replies *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int ctl_replies_result(const struct ctl_replies *r, uint32_t seq, char *msg, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)r->buf, *last = NULL;
	int rem = (int)r->len;

	if (msg && len)
		msg[0] = 0;
	assert_true(r->len > 0);
	while (mnl_nlmsg_ok(nlh, rem)) {
		assert_int_equal(nlh->nlmsg_seq, seq);
		last = nlh;
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	assert_int_equal(rem, 0);
	assert_non_null(last);
	if (last->nlmsg_type == NLMSG_DONE)
		return *(const int *)mnl_nlmsg_get_payload(last);
	assert_int_equal(last->nlmsg_type, NLMSG_ERROR);
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(last);
	if (msg && (last->nlmsg_flags & NLM_F_ACK_TLVS)) {
		const struct nlattr *a;
		mnl_attr_for_each(a, last, sizeof(*e)) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(msg, len, "%s", mnl_attr_get_str(a));
		}
	}
	if (e->error)
		assert_true(last->nlmsg_flags & NLM_F_ACK_TLVS);
	return e->error;
}

size_t ctl_replies_count(const struct ctl_replies *r)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)r->buf;
	int rem = (int)r->len;
	size_t n = 0;

	while (mnl_nlmsg_ok(nlh, rem)) {
		n += nlh->nlmsg_type == UVS_CTL_FAMILY;
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	return n;
}

static union {
	char buf[2 * UVS_CTL_REQ_MAX];
	uint64_t align_;
} request_mem;

char *ctl_request_buf(void)
{
	return request_mem.buf;
}

struct uvs_ctl_msg *ctl_request_start(uint8_t cmd, uint16_t flags)
{
	static struct uvs_ctl_msg w;

	memset(request_mem.buf, 0, sizeof(request_mem.buf));
	uvs_ctl_msg_start(&w, request_mem.buf, UVS_CTL_REQ_MAX, NLM_F_REQUEST | flags, 77, cmd);
	return &w;
}
