// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control server's socket: peers other than root or the group are refused
 * (SO_PEERCRED, checked with uvsadm run as nobody); a client that does not read stalls
 * only itself; pipelined requests; stale and live socket files; clients past the limit
 * are told why, idle ones are closed; a restore pauses other clients.
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
	w = ctl_request_start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
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
		struct uvs_ctl_msg *w = ctl_request_start(IPVS_CMD_NEW_SERVICE, NLM_F_ACK);

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
	struct uvs_ctl_msg *w = ctl_request_start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
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
	struct uvs_ctl_msg *w = ctl_request_start(IPVS_CMD_GET_INFO, 0);
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
	w = ctl_request_start(IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
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
		cmocka_unit_test(test_peer_refused), cmocka_unit_test(test_peer_group),
		cmocka_unit_test(test_slow_reader),  cmocka_unit_test(test_pipelined_requests),
		cmocka_unit_test(test_socket_files), cmocka_unit_test(test_client_limit),
		cmocka_unit_test(test_idle_clients), cmocka_unit_test(test_restore_pauses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
