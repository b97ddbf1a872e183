/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A control server for tests: a model, fake daemon ops (timeouts, three connections,
 * three counters), and either a server thread on a temporary socket or feeding
 * requests in directly. Include after <cmocka.h>.
 */
#ifndef UVS_TEST_CTL_FIXTURE_H
#define UVS_TEST_CTL_FIXTURE_H

#include <pthread.h>

#include "adm_helpers.h"
#include "ctl/server.h"

struct ctl_fixture {
	struct test_env env;
	struct uvs_ctl_server *srv;
	struct uvs_timeouts timeouts;
	struct uvs_ctl_conn conns[3];
	size_t nconns;
	int daemon_events;
	char dir[64];
	char path[128];
	pthread_t thread;
	int stop_fd; /* eventfd: tells the server thread to end */
	bool threaded;
};

/* A server fed directly (uvs_ctl_server_feed), no socket. */
void ctl_fixture_init(struct ctl_fixture *f);
/* A server thread on f->path in a fresh temporary directory (mode 0755, socket 0666 so
 * that the peer check is what refuses); group as uvs_ctl_config.group. */
void ctl_fixture_start(struct ctl_fixture *f, gid_t group);
/* The same with uvs_ctl_config's max_clients and idle_timeout_ms. */
void ctl_fixture_start_limits(struct ctl_fixture *f, gid_t group, unsigned max_clients,
			      unsigned idle_timeout_ms);
/* Stops the thread if any, closes the server and frees the model. */
void ctl_fixture_fini(struct ctl_fixture *f);

/* The replies of one fed request, concatenated (datagram boundaries in dgram_ends). */
struct ctl_replies {
	char *buf;
	size_t len;
	size_t ndgrams;
	size_t dgram_max; /* the longest datagram */
};

void ctl_feed(struct ctl_fixture *f, const void *req, size_t len, struct ctl_replies *r);
void ctl_replies_free(struct ctl_replies *r);

/*
 * Checks that r is well formed: whole messages, the last one an NLMSG_ERROR or
 * NLMSG_DONE, every one with seq. Returns the error of the last message (0 for an
 * ack or DONE) and copies an extended ack's text into msg (may be NULL).
 */
int ctl_replies_result(const struct ctl_replies *r, uint32_t seq, char *msg, size_t len);
/* The number of messages of the uvs family in r. */
size_t ctl_replies_count(const struct ctl_replies *r);

/* A request of command cmd (seq 77, NLM_F_REQUEST | flags) begun in the fixture's own
 * zeroed buffer of 2 * UVS_CTL_REQ_MAX bytes (ctl_request_buf()); each call starts over
 * in the same buffer and message. Not thread-safe. */
struct uvs_ctl_msg *ctl_request_start(uint8_t cmd, uint16_t flags);
char *ctl_request_buf(void);

#endif
