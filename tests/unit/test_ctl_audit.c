// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The audit of control socket changes: each change made or refused over the socket
 * reaches the daemon's audit with the client's uid, pid and program (SO_PEERCRED),
 * and uvsd's text for it is the ipvsadm command (uvsadm's for a sysctl) on one line;
 * reads are not audited; a connection refused is; beyond the limit, changes are
 * counted and reported together.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "adm_helpers.h"
#include "ctl/client.h"
#include "daemon/audit.h"

#define MAX_LINES 64

/* A server on a thread whose audit keeps uvsd's text of each report. */
struct audit_fixture {
	struct test_env env;
	struct uvs_ctl_server *srv;
	char dir[32], path[64];
	pthread_t thread;
	int stop_fd;
	pthread_mutex_t lock; /* the server thread reports, the test reads */
	char lines[MAX_LINES][512];
	unsigned nlines;
	unsigned long skipped_ok, skipped_refused;
	unsigned skipped_reports;
};

static void audit(void *arg, const struct uvs_ctl_audit *a)
{
	struct audit_fixture *f = arg;

	pthread_mutex_lock(&f->lock);
	if (f->nlines < MAX_LINES)
		uvsd_audit_text(a, f->lines[f->nlines], sizeof(f->lines[0]));
	f->nlines++;
	pthread_mutex_unlock(&f->lock);
}

static void audit_skipped(void *arg, const struct uvs_ctl_peer *peer, unsigned long ok,
			  unsigned long refused)
{
	struct audit_fixture *f = arg;

	assert_non_null(peer);
	assert_int_equal(peer->pid, getpid());
	pthread_mutex_lock(&f->lock);
	f->skipped_ok += ok;
	f->skipped_refused += refused;
	f->skipped_reports++;
	pthread_mutex_unlock(&f->lock);
}

static const struct uvs_ctl_ops ops = { .audit = audit, .audit_skipped = audit_skipped };

static void *serve(void *arg)
{
	struct audit_fixture *f = arg;
	struct pollfd p[2] = { { uvs_ctl_server_fd(f->srv), POLLIN, 0 },
			       { f->stop_fd, POLLIN, 0 } };

	rcu_register_thread();
	while (!(poll(p, 2, -1) > 0 && p[1].revents)) {
		if (p[0].revents)
			assert_int_equal(uvs_ctl_server_handle(f->srv), 0);
	}
	rcu_unregister_thread();
	return NULL;
}

/* Starts the server with the audit's limit burst, rate (0: the defaults). */
static void start(struct audit_fixture *f, unsigned burst, unsigned rate)
{
	struct uvs_ctl_config c = { .group = (gid_t)-1, .audit_burst = burst, .audit_rate = rate };
	struct uvs_error err;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	test_env_init(&f->env);
	snprintf(f->dir, sizeof(f->dir), "/tmp/uvs-audit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(chmod(f->dir, 0755), 0);
	snprintf(f->path, sizeof(f->path), "%s/uvsd.sock", f->dir);
	c.path = f->path;
	c.model = &f->env.m;
	c.ops = &ops;
	c.ops_arg = f;
	if (uvs_ctl_server_open(&f->srv, &c, &err))
		fail_msg("server: %s", err.msg);
	/* Anyone may connect: the peer check is what refuses. */
	assert_int_equal(chmod(f->path, 0666), 0);
	f->stop_fd = eventfd(0, EFD_CLOEXEC);
	assert_true(f->stop_fd >= 0);
	assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
}

/* Stops a started server; the teardown of every test, so that one failed midway
 * leaves nothing behind for the next. */
static void stop(struct audit_fixture *f)
{
	uint64_t one = 1;

	if (!f->srv)
		return;

	assert_int_equal(write(f->stop_fd, &one, sizeof(one)), sizeof(one));
	pthread_join(f->thread, NULL);
	close(f->stop_fd);
	uvs_ctl_server_close(f->srv);
	rmdir(f->dir);
	test_env_fini(&f->env);
	pthread_mutex_destroy(&f->lock);
	f->srv = NULL;
}

static struct audit_fixture fixture;

static int teardown(void **state)
{
	(void)state;
	stop(&fixture);
	return 0;
}

/* Waits (10 s at most) until the audit has reported n lines. */
static void wait_lines(struct audit_fixture *f, unsigned n)
{
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&f->lock);
		unsigned got = f->nlines;
		pthread_mutex_unlock(&f->lock);
		if (got >= n)
			return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	fail_msg("%u audit lines, want %u", f->nlines, n);
}

/* "uid=U pid=P (program)" of this process, as the audit names a peer. */
static void me(char *buf, size_t len, uid_t uid, pid_t pid)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");

	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(buf, len, "uid=%u pid=%d (%s)", (unsigned)uid, (int)pid, comm);
}

/* Runs the rules line over c, with its UDP timeout udp if not 0 (beyond what the
 * rules language takes); expects ret (0 or a negative errno). */
static void exec_line(struct uvs_ctl_client *c, const char *line, uint32_t udp, int ret)
{
	struct uvs_ctl_req req;
	struct uvs_error err;

	assert_int_equal(uvs_adm_parse_line(line, &req, &err), 0);
	if (udp)
		req.udp = udp;
	int got = uvs_ctl_exec(c, &req, &err);
	if (got != ret)
		fail_msg("%s: %d (%s), want %d", line, got, err.msg, ret);
}

static void expect_line(struct audit_fixture *f, unsigned i, const char *who, const char *text)
{
	char want[512];

	snprintf(want, sizeof(want), "%s: %s", who, text);
	pthread_mutex_lock(&f->lock);
	assert_true(i < f->nlines);
	assert_string_equal(f->lines[i], want);
	pthread_mutex_unlock(&f->lock);
}

/* Every kind of change, made and refused, as the ipvsadm command that asks it, with
 * this process as the peer; reads are not audited. */
static void test_changes(void **state)
{
	static const struct {
		const char *line; /* a rules line, or NULL for the calls below */
		int ret;
		const char *text;
	} steps[] = {
		{ "-A -t 10.0.0.1:80 -s wlc -p 60", 0, "-A -t 10.0.0.1:80 -s wlc -p 60: ok" },
		{ "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1", 0,
		  "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1: ok" },
		{ "-d -t 10.0.0.1:80 -r 192.168.0.99:80", -ENOENT,
		  "-d -t 10.0.0.1:80 -r 192.168.0.99:80: refused: No such destination" },
		{ "-A -t 10.0.0.1:80 -s rr", -EEXIST,
		  "-A -t 10.0.0.1:80 -s rr: refused: Service already exists" },
		{ "-E -t 10.0.0.1:80 -s sh -b sh-port", 0,
		  "-E -t 10.0.0.1:80 -s sh -b sh-port: ok" },
		{ "-e -t 10.0.0.1:80 -r 192.168.0.11:80 -i -w 3 --tun-type gue --tun-port 6080", 0,
		  "-e -t 10.0.0.1:80 -r 192.168.0.11:80 -i -w 3 --tun-type gue --tun-port 6080 "
		  "--tun-nocsum: ok" },
		{ "-A -u [2001:db8::1]:53 -s rr", 0, "-A -u [2001:db8::1]:53 -s rr: ok" },
		{ "-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -g", 0,
		  "-a -u [2001:db8::1]:53 -r [2001:db8::10]:53 -g -w 1: ok" },
		{ "-D -u [2001:db8::1]:53", 0, "-D -u [2001:db8::1]:53: ok" },
		{ "-A -f 7 -s rr", 0, "-A -f 7 -s rr: ok" },
		{ "--set 10 20 30", 0, "--set 10 20 30: ok" },
		{ "--set 10 20 0", -EINVAL,
		  "--set 10 20 4000000000: refused: udp timeout 4000000000 out of range "
		  "0..2147483647" },
		{ NULL, 0, "-Z: ok" },
		{ NULL, 0, "-Z -t 10.0.0.1:80: ok" },
		{ NULL, 0, "--start-daemon backup --mcast-interface lo --syncid 5: ok" },
		{ NULL, 0, "--stop-daemon backup: ok" },
		{ NULL, -ESRCH, "--stop-daemon backup: refused: No daemon is running" },
		{ "-C", 0, "-C: ok" },
	};
	struct audit_fixture *f = &fixture;
	struct uvs_ctl_client *c;
	struct uvs_ctl_daemon d = { .state = IP_VS_STATE_BACKUP, .mcast_ifn = "lo", .syncid = 5 };
	struct uvs_svc_key k;
	struct uvs_snap snap;
	uint32_t version, size;
	char who[64];
	unsigned n = 0, zero = 0;

	(void)state;
	start(f, 0, 0);
	me(who, sizeof(who), getuid(), getpid());
	assert_int_equal(uvs_ctl_client_open(f->path, 10, &c), 0);
	uvs_svc_key_inet(&k, AF_INET, IPPROTO_TCP, &(union uvs_addr){ .ip = htonl(0x0a000001) },
			 htons(80));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].line)
			exec_line(c, steps[i].line,
				  strcmp(steps[i].line, "--set 10 20 0") ? 0 : 4000000000u,
				  steps[i].ret);
		else if (zero < 2)
			assert_int_equal(uvs_ctl_zero(c, zero++ ? &k : NULL, NULL), 0);
		else
			assert_int_equal(uvs_ctl_daemon(c, &d, zero++ == 2, NULL), steps[i].ret);
		/* Reads between the changes add no line. */
		assert_int_equal(uvs_ctl_get_info(c, &version, &size, NULL), 0);
		assert_int_equal(uvs_ctl_get_snap(c, NULL, false, &snap, NULL), 0);
		uvs_snap_free(&snap);
		wait_lines(f, ++n);
		expect_line(f, i, who, steps[i].text);
	}
	/* An IPVS sysctl, as uvsadm --sysctl (or uvs-run sysctl -w) sets it. */
	assert_int_equal(uvs_ctl_sysctl_set(c, "expire_nodest_conn", "1", NULL), 0);
	wait_lines(f, ++n);
	expect_line(f, n - 1, who, "--sysctl expire_nodest_conn=1: ok");
	assert_int_equal(uvs_ctl_sysctl_set(c, "net.ipv4.vs.conntrack", "1", NULL), -ENOENT);
	wait_lines(f, ++n);
	expect_line(f, n - 1, who,
		    "--sysctl net.ipv4.vs.conntrack=1: refused: net.ipv4.vs.conntrack: uvs has no "
		    "netfilter conntrack to keep entries in");
	uvs_ctl_client_close(c);
	stop(f);
	assert_int_equal(f->nlines, n);
	assert_int_equal(f->skipped_reports, 0);
}

/* A client's strings cannot forge log lines: what is not printable in a line becomes
 * '?'. */
static void test_one_line(void **state)
{
	struct audit_fixture *f = &fixture;
	struct uvs_ctl_client *c;
	struct uvs_ctl_req req;
	char who[64];

	(void)state;
	start(f, 0, 0);
	me(who, sizeof(who), getuid(), getpid());
	assert_int_equal(uvs_ctl_client_open(f->path, 10, &c), 0);
	assert_int_equal(uvs_adm_parse_line("-A -t 10.0.0.1:80", &req, NULL), 0);
	snprintf(req.svc.sched_name, sizeof(req.svc.sched_name), "rr\naudit: x");
	assert_int_equal(uvs_ctl_exec(c, &req, NULL), -ENOENT);
	wait_lines(f, 1);
	expect_line(f, 0, who,
		    "-A -t 10.0.0.1:80 -s rr?audit: x: refused: Scheduler not found: rr?audit: x");
	uvs_ctl_client_close(c);
	stop(f);
}

/* A request that cannot be read is audited by its command's name, with why. */
static void test_unreadable_change(void **state)
{
	static union {
		char buf[256];
		uint64_t align_;
	} mem;
	struct audit_fixture *f = &fixture;
	struct uvs_ctl_msg w;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char who[64], reply[256];
	int fd;

	(void)state;
	start(f, 0, 0);
	me(who, sizeof(who), getuid(), getpid());
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	memcpy(sa.sun_path, f->path, sizeof(f->path)); /* 64 bytes, sun_path 108 */
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	uvs_ctl_msg_start(&w, mem.buf, sizeof(mem.buf), NLM_F_REQUEST | NLM_F_ACK, 1,
			  IPVS_CMD_NEW_SERVICE);
	assert_int_equal(send(fd, w.nlh, w.nlh->nlmsg_len, 0), (ssize_t)w.nlh->nlmsg_len);
	assert_true(recv(fd, reply, sizeof(reply), 0) > 0);
	close(fd);
	wait_lines(f, 1);
	expect_line(f, 0, who, "NEW_SERVICE: refused: NEW_SERVICE needs a SERVICE attribute");
	stop(f);
}

/* A peer neither root nor in the group is refused at connect: audited with its uid and
 * pid. */
static void test_refused_peer(void **state)
{
	struct audit_fixture *f = &fixture;
	char who[64];
	pid_t pid;
	int st;

	(void)state;
	if (geteuid() != 0)
		skip();
	start(f, 0, 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Only async-signal-safe calls: the parent has threads. */
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		char b[256];
		int fd;
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(99);
		memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
		fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(98);
		_exit(recv(fd, b, sizeof(b), 0) > 0 ? 0 : 97); /* the refusal, then the end */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wait_lines(f, 1);
	me(who, sizeof(who), 65534, pid);
	expect_line(f, 0, who,
		    "connect: refused: Permission denied: uid 65534 is neither root nor in "
		    "uvsd's group");
	stop(f);
}

static void count_done(void *arg, uint64_t tag, int ret, const struct uvs_error *err)
{
	(void)tag, (void)err;
	((unsigned *)arg)[ret ? 1 : 0]++;
}

/*
 * Beyond the limit (a burst of 5, 1 a second here), changes are counted, not reported
 * one by one: every change is either reported or counted, and the counts reach the
 * daemon by the time the client has left.
 */
static void test_limit(void **state)
{
	enum { N = 200, BURST = 5 };
	struct audit_fixture *f = &fixture;
	struct uvs_ctl_client *c;
	struct uvs_ctl_req req;
	struct uvs_error err;
	unsigned answers[2] = { 0, 0 };
	char line[64];

	(void)state;
	start(f, BURST, 1);
	assert_int_equal(uvs_ctl_client_open(f->path, 10, &c), 0);
	for (int i = 0; i < N; i++) {
		/* Every tenth a duplicate: refused. */
		snprintf(line, sizeof(line), "-A -t 10.1.%d.%d:80", (i - i % 10 / 9) / 250,
			 (i - i % 10 / 9) % 250 + 1);
		assert_int_equal(uvs_adm_parse_line(line, &req, &err), 0);
		assert_int_equal(uvs_ctl_queue(c, &req, count_done, answers, (uint64_t)i, &err), 0);
	}
	assert_int_equal(uvs_ctl_flush(c), 0);
	assert_int_equal(answers[0], N - N / 10);
	assert_int_equal(answers[1], N / 10);
	uvs_ctl_client_close(c);
	/* The counts come when the server sees the client leave. */
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&f->lock);
		unsigned long total = f->nlines + f->skipped_ok + f->skipped_refused;
		pthread_mutex_unlock(&f->lock);
		if (total >= N)
			break;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	stop(f);
	assert_int_equal(f->nlines + f->skipped_ok + f->skipped_refused, N);
	assert_true(f->nlines >= BURST);
	/* At 1 a second, 200 changes would take more than 3 minutes to be all reported. */
	assert_true(f->nlines < N);
	assert_true(f->skipped_reports >= 1);
	assert_true(f->skipped_refused >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_changes, teardown),
		cmocka_unit_test_teardown(test_unreadable_change, teardown),
		cmocka_unit_test_teardown(test_one_line, teardown),
		cmocka_unit_test_teardown(test_refused_peer, teardown),
		cmocka_unit_test_teardown(test_limit, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
