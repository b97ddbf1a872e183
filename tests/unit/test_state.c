// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsd's state file: every kind of setting survives a write and a restore in the
 * model's order; a write that fails at any step (the data, the flush, the rename)
 * leaves the file as it was; a file that is not right is refused naming its line; a
 * second uvsd cannot take the same file; and writes wait for a quiet moment but not
 * for ever. The write/rename/fsync failures are made with the linker's --wrap
 * (rename, fsync) and RLIMIT_FSIZE (write).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_fixture.h"
#include "daemon/log.h"
#include "daemon/state.h"

/* ---- failures on demand ---- */

static int fail_rename, fail_fsync; /* errno to fail with, 0 to pass */

int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);
int __real_fsync(int fd);
int __wrap_fsync(int fd);

int __wrap_rename(const char *from, const char *to)
{
	if (fail_rename) {
		errno = fail_rename;
		return -1;
	}
	return __real_rename(from, to);
}

int __wrap_fsync(int fd)
{
	if (fail_fsync) {
		errno = fail_fsync;
		return -1;
	}
	return __real_fsync(fd);
}

/* ---- fixtures ---- */

/* Every kind of service and destination the rules language has, in an order that is
 * not ipvsadm's sort order (the model's order must survive), odd values included. */
static const char services[] =
	"-A -t 10.0.0.1:80 -s rr\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 1\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.13:8080 -m -w 0 -x 2147483647 -y 1\n"
	"-A -f 8 -6 -s lblc -p 60 -M 48\n"
	"-a -f 8 -6 -r [2001:db8::31]:0 -g -w 3\n"
	"-A -t 10.0.0.1:0 -s wlc -p 360 -M 255.255.255.0\n"
	"-a -t 10.0.0.1:0 -r 192.168.0.1:0 -g -w 65535\n"
	"-A -u 10.0.0.1:53 -s sh -b sh-fallback,sh-port -o\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.21:5353 -i -w 5 --tun-type gue --tun-port 6080 "
	"--tun-csum\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.22:53 -i -w 5 --tun-type gue --tun-port 65535 "
	"--tun-remcsum\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.23:53 -i -w 5 --tun-type gre --tun-nocsum\n"
	"-A -t [2001:db8::1]:443 -s mh -b mh-fallback,mh-port -p 3600 -M 64\n"
	"-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -w 10\n"
	"-a -t [2001:db8::1]:443 -r [2001:db8::17]:443 -i -w 1 --tun-type ipip\n"
	"-A --sctp-service 10.0.0.1:38412 -s lc\n"
	"-A -f 4294967295 -s rr -p 1 -M 255.255.0.0 -o\n"
	"-a -f 4294967295 -r 192.168.0.32:8080 -m -w 1\n";

/* A uvsd's model, timeouts and control server (for its sync daemons). */
struct side {
	struct test_env *env;
	struct uvs_model *m;
	struct uvs_timeouts *timeouts;
	struct uvs_ctl_server *srv;
};

struct fixture {
	struct ctl_fixture ctl; /* the uvsd whose state is written */
	struct uvs_model to_m;	/* and one restored from it */
	struct uvs_timeouts to_t;
	struct side from, to;
	char dir[64], path[128];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct uvs_error err;

	assert_non_null(fx);
	ctl_fixture_init(&fx->ctl);
	fx->from = (struct side){ &fx->ctl.env, &fx->ctl.env.m, &fx->ctl.timeouts, fx->ctl.srv };
	assert_int_equal(uvs_model_init(&fx->to_m, 1), 0);
	uvs_timeouts_default(&fx->to_t);
	fx->to = (struct side){ NULL, &fx->to_m, &fx->to_t, NULL };
	struct uvs_ctl_config c = { .model = &fx->to_m };
	if (uvs_ctl_server_open(&fx->to.srv, &c, &err))
		fail_msg("server: %s", err.msg);
	strcpy(fx->dir, "/tmp/uvs-state-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/state", fx->dir);
	uvs_log_set_level(LOG_CRIT); /* the refusals below are expected */
	fail_rename = fail_fsync = 0;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	uvs_ctl_server_close(fx->to.srv);
	uvs_model_destroy(&fx->to_m);
	ctl_fixture_fini(&fx->ctl);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* What the state of f is written from (daemons has room for two). */
static struct uvsd_state_src src_of(struct side *f, struct uvs_ctl_daemon *daemons,
				    const char *declared)
{
	return (struct uvsd_state_src){
		.model = f->m,
		.timeouts = f->timeouts,
		.daemons = daemons,
		.ndaemons = uvs_ctl_server_daemons(f->srv, daemons),
		.declared = declared,
	};
}

/* The state text of f, for the caller to free. */
static char *text_of(struct side *f, const char *declared)
{
	struct uvs_ctl_daemon daemons[2];
	struct uvsd_state_src src = src_of(f, daemons, declared);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	assert_int_equal(uvsd_state_write(m, &src), 0);
	assert_int_equal(fclose(m), 0);
	return buf;
}

/* Restores text into f (as uvsd does at start). Returns uvsd_state_restore's result;
 * the declaration in *declared (may be NULL). */
static int restore(struct side *f, const char *text, char **declared)
{
	struct uvsd_state st;
	struct uvs_sysctl base;
	struct uvs_error err;
	int ret;

	uvs_sysctl_init(&base, 0);
	if (uvsd_state_parse(text, &base, &st, &err))
		fail_msg("parse: %s", err.msg);
	f->m->sysctl = st.sysctl;
	ret = uvsd_state_restore(&st, "state", f->m, f->timeouts, f->srv);
	if (declared)
		*declared = st.declared ? strdup(st.declared) : NULL;
	uvsd_state_free(&st);
	return ret;
}

static void start_daemon(struct side *f, const char *line)
{
	struct uvsd_state st;
	struct uvs_sysctl base;
	struct uvs_error err;
	char text[512];

	snprintf(text, sizeof(text), "uvsd-state 1\n[daemons]\n%s\n", line);
	uvs_sysctl_init(&base, 0);
	if (uvsd_state_parse(text, &base, &st, &err))
		fail_msg("%s: %s", line, err.msg);
	if (uvs_ctl_server_start_daemon(f->srv, &st.daemons[0], &err))
		fail_msg("%s: %s", line, err.msg);
	uvsd_state_free(&st);
}

static void set_sysctl(struct side *f, const char *name, const char *value)
{
	struct uvs_error err;

	if (uvs_sysctl_set(&f->m->sysctl, name, value, &err))
		fail_msg("%s: %s", name, err.msg);
}

/* The model's order as rules (what the state keeps); the caller frees it. */
static char *in_order(struct side *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	assert_int_equal(uvs_adm_save_in_order(m, f->m), 0);
	assert_int_equal(fclose(m), 0);
	return buf;
}

/* ---- round trip ---- */

/* Services and real servers of every kind in the model's order, odd values, the
 * timeouts, every sysctl (the pair and the unsigned long among them), both sync
 * daemons (one with an IPv6 group) and the rules file's declaration come back. */
static void test_round_trip_every_setting(void **state)
{
	struct fixture *fx = *state;
	static const char declared[] = "-A -t 10.0.0.1:80 -s rr\n"
				       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n";
	char *declared_back;

	test_apply_ok(fx->from.env, fx->from.timeouts, services);
	/* Edits and deletes leave an order no fresh load of `services` has. */
	test_apply_ok(fx->from.env, fx->from.timeouts,
		      "-d -t 10.0.0.1:80 -r 192.168.0.12:80\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 4\n"
		      "-E -t 10.0.0.1:80 -s wrr\n"
		      "--set 1 2147483647 3\n");
	set_sysctl(&fx->from, "conn_reuse_mode", "0");
	set_sysctl(&fx->from, "expire_nodest_conn", "1");
	set_sysctl(&fx->from, "sync_threshold", "10 100");
	set_sysctl(&fx->from, "sync_qlen_max", "18446744073709551615");
	set_sysctl(&fx->from, "lblc_expiration", "1");
	start_daemon(&fx->from, "--start-daemon master --mcast-interface veth7 --syncid 255 "
				"--mcast-group ff02::1:2 --mcast-port 65535 --mcast-ttl 255");
	start_daemon(&fx->from, "--start-daemon backup --mcast-interface eth0");

	char *text = text_of(&fx->from, declared);
	assert_int_equal(restore(&fx->to, text, &declared_back), 0);
	char *again = text_of(&fx->to, declared_back);
	test_text_equal(again, text);

	char *want = in_order(&fx->from), *got = in_order(&fx->to);
	test_text_equal(got, want);
	assert_memory_equal(fx->to.timeouts, fx->from.timeouts, sizeof(*fx->to.timeouts));
	assert_memory_equal(&fx->to.m->sysctl, &fx->from.m->sysctl, sizeof(fx->to.m->sysctl));
	struct uvs_ctl_daemon a[2], b[2];
	assert_int_equal(uvs_ctl_server_daemons(fx->from.srv, a), 2);
	assert_int_equal(uvs_ctl_server_daemons(fx->to.srv, b), 2);
	assert_memory_equal(a, b, sizeof(a));
	test_text_equal(declared_back, declared);
	/* The real servers of the round-robin service in the model's order: oldest first
	 * as written, .12 the newest since it was added again. */
	assert_non_null(strstr(got, "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n"
				    "-a -t 10.0.0.1:80 -r 192.168.0.13:8080 -m -w 0 -x 2147483647 "
				    "-y 1\n-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 4\n"));
	free(want);
	free(got);
	free(text);
	free(again);
	free(declared_back);
}

/* An empty configuration, without a declaration, round-trips to an empty one. */
static void test_round_trip_empty(void **state)
{
	struct fixture *fx = *state;
	char *declared_back, *text = text_of(&fx->from, NULL);

	assert_int_equal(restore(&fx->to, text, &declared_back), 0);
	assert_null(declared_back);
	assert_int_equal(fx->to.m->num_services, 0);
	char *again = text_of(&fx->to, NULL);
	test_text_equal(again, text);
	free(text);
	free(again);
}

/* ---- refusals ---- */

static void expect_refused(const char *text, const char *want)
{
	struct uvsd_state st;
	struct uvs_sysctl base;
	struct uvs_error err = { "" };

	uvs_sysctl_init(&base, 0);
	if (uvsd_state_parse(text, &base, &st, &err) != -EINVAL || strcmp(err.msg, want))
		fail_msg("'%s': got '%s', wanted '%s'", text, err.msg, want);
}

static void test_bad_files_name_their_line(void **state)
{
	(void)state;
	expect_refused("", "line 1: no version line (uvsd-state N): not a uvsd state file");
	expect_refused("# only a comment\n\n",
		       "line 3: no version line (uvsd-state N): not a uvsd state file");
	expect_refused("[services]\n",
		       "line 1: no version line (uvsd-state N): not a uvsd state file");
	expect_refused("uvsd-state 2\n[services]\n",
		       "line 1: state version 2, written by a newer uvsd: this one reads version "
		       "1 and older");
	expect_refused("uvsd-state x\n", "line 1: version 'x' is not a number");
	expect_refused("uvsd-state 1\n-A -t 10.0.0.1:80\n",
		       "line 2: a line before the first [section]");
	expect_refused("uvsd-state 1\n[servers]\n",
		       "line 2: [servers] is no section of a uvsd state file");
	expect_refused("uvsd-state 1\n[services\n", "line 2: a section's name without its ']'");
	expect_refused("uvsd-state 1\n[services]\n[timeouts]\n[services]\n",
		       "line 4: [services] a second time");
	expect_refused("uvsd-state 1\n[services]\n-A -t 10.0.0.1:80\n-A -t 10.0.0.300:80\n",
		       "line 4: illegal virtual server address[:port] specified: '10.0.0.300:80'");
	expect_refused("uvsd-state 1\n[services]\n-D -t 10.0.0.1:80\n",
		       "line 3: only -A and -a lines belong in [services]");
	expect_refused("uvsd-state 1\n[timeouts]\n-A -t 10.0.0.1:80\n",
		       "line 3: only --set belongs in [timeouts]");
	expect_refused("uvsd-state 1\n[sysctls]\nnet.ipv4.vs.sync_retries = 4\n",
		       "line 3: net.ipv4.vs.sync_retries: 4 is out of its range 0..3");
	expect_refused("uvsd-state 1\n[sysctls]\nnet.ipv4.vs.conntrack = 1\n",
		       "line 3: net.ipv4.vs.conntrack: uvs has no netfilter conntrack to keep "
		       "entries in");
	expect_refused("uvsd-state 1\n[sysctls]\nnet.ipv4.ip_forward = 1\n",
		       "line 3: net.ipv4.ip_forward is not an IPVS sysctl (net.ipv4.vs.*)");
	expect_refused("uvsd-state 1\n[sysctls]\nam_droprate 10\n", "line 3: not NAME = VALUE");
	expect_refused("uvsd-state 1\n[daemons]\n--start-daemon master --mcast-port 0\n",
		       "line 3: illegal mcast-port specified");
	expect_refused("uvsd-state 1\n[daemons]\n--stop-daemon master\n",
		       "line 3: not a --start-daemon line");
	expect_refused("uvsd-state 1\n[daemons]\n--start-daemon master --bogus\n",
		       "line 3: not a --start-daemon line of ipvsadm's options");
	expect_refused("uvsd-state 1\n[daemons]\n--start-daemon master\n--start-daemon backup\n"
		       "--start-daemon master\n",
		       "line 5: a third sync daemon (one master and one backup at most)");
	/* [declared] is loaded whole: the model's refusal, on the file's line. */
	expect_refused("uvsd-state 1\n[services]\n[declared]\n# what\n"
		       "-a -t 10.0.0.1:80 -r 10.1.1.1:80\n",
		       "line 5: Service not defined (in [declared])");
}

/* What only applying finds (the model's checks, the sync daemon's) names the line. */
static void test_restore_refusal_names_its_line(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(restore(&fx->to,
				 "uvsd-state 1\n[services]\n-A -t 10.0.0.1:80 -s rr\n"
				 "-a -t 10.0.0.2:80 -r 10.1.1.1:80\n",
				 NULL),
			 -1);
	assert_int_equal(fx->to.m->num_services, 0); /* all or nothing */
	assert_int_equal(restore(&fx->to,
				 "uvsd-state 1\n[daemons]\n--start-daemon master\n"
				 "# a comment\n--start-daemon master --syncid 2\n",
				 NULL),
			 -1);
}

/* ---- the file ---- */

static char *file_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 16) - 1, f) < (1 << 16) - 1);
	fclose(f);
	return buf;
}

/* Saves fx->from's state in sf; returns uvsd_state_file_save's result. */
static int save(struct fixture *fx, struct uvsd_state_file *sf, struct uvs_error *err)
{
	struct uvs_ctl_daemon daemons[2];
	struct uvsd_state_src src = src_of(&fx->from, daemons, NULL);

	return uvsd_state_file_save(sf, &src, err);
}

static void expect_no_tmp(const struct fixture *fx)
{
	char tmp[160];
	struct stat st;

	snprintf(tmp, sizeof(tmp), "%s.new", fx->path);
	assert_int_equal(stat(tmp, &st), -1);
}

/* A write that fails at the data, the flush to the disk or the rename leaves the
 * previous state whole, and no temporary file. */
static void test_failed_writes_keep_the_old_file(void **state)
{
	struct fixture *fx = *state;
	struct uvsd_state_file *sf;
	struct uvs_error err;
	struct rlimit old, small;

	assert_int_equal(uvsd_state_file_open(fx->path, &sf, &err), 0);
	test_apply_ok(fx->from.env, fx->from.timeouts, "-A -t 10.9.9.9:80 -s rr\n");
	assert_int_equal(save(fx, sf, &err), 0);
	char *before = file_text(fx->path);
	assert_non_null(strstr(before, "-A -t 10.9.9.9:80 -s rr\n"));
	test_apply_ok(fx->from.env, fx->from.timeouts, services);

	fail_rename = EXDEV;
	assert_int_equal(save(fx, sf, &err), -EXDEV);
	fail_rename = 0;
	assert_non_null(strstr(err.msg, "renaming"));
	expect_no_tmp(fx);
	char *after = file_text(fx->path);
	test_text_equal(after, before);
	free(after);

	fail_fsync = EIO;
	assert_int_equal(save(fx, sf, &err), -EIO);
	fail_fsync = 0;
	assert_non_null(strstr(err.msg, "flushing"));
	expect_no_tmp(fx);
	after = file_text(fx->path);
	test_text_equal(after, before);
	free(after);

	/* The disk refuses the data part of the way through (a full disk would). */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 512;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	int ret = save(fx, sf, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(ret, -EFBIG);
	assert_non_null(strstr(err.msg, "writing"));
	expect_no_tmp(fx);
	after = file_text(fx->path);
	test_text_equal(after, before);
	free(after);

	/* And a write that works replaces it. */
	assert_int_equal(save(fx, sf, &err), 0);
	after = file_text(fx->path);
	assert_non_null(strstr(after, "-A --sctp-service 10.0.0.1:38412 -s lc\n"));
	free(after);
	free(before);
	uvsd_state_file_close(sf);
}

/* One uvsd per file: the second is told who holds it. The directory is made if
 * missing; a missing file reads as missing, a directory in its place as an error. */
static void test_lock_dir_and_reading(void **state)
{
	struct fixture *fx = *state;
	struct uvsd_state_file *sf, *second;
	struct uvs_error err;
	char path[160], want[128];
	bool missing;

	snprintf(path, sizeof(path), "%s/sub/state", fx->dir);
	assert_int_equal(uvsd_state_file_open(path, &sf, &err), 0);
	assert_null(uvsd_state_file_read(sf, &missing, &err));
	assert_true(missing);
	assert_int_equal(uvsd_state_file_open(path, &second, &err), -EBUSY);
	snprintf(want, sizeof(want), "in use by another uvsd (PID %ld)", (long)getpid());
	assert_non_null(strstr(err.msg, want));
	uvsd_state_file_close(sf);
	assert_int_equal(uvsd_state_file_open(path, &sf, &err), 0); /* free again */
	uvsd_state_file_close(sf);

	assert_int_equal(mkdir(fx->path, 0700), 0); /* a directory where the file goes */
	assert_int_equal(uvsd_state_file_open(fx->path, &sf, &err), 0);
	assert_null(uvsd_state_file_read(sf, &missing, &err));
	assert_false(missing);
	assert_string_equal(err.msg, "a directory, not a regular file");
	struct uvsd_state st;
	assert_int_equal(uvsd_state_load(sf, &fx->from.m->sysctl, &st), -1);
	uvsd_state_file_close(sf);
	snprintf(path, sizeof(path), "%s/no/such/state", fx->dir);
	assert_int_equal(uvsd_state_file_open(path, &sf, &err), -ENOENT);
}

/* ---- when it is written ---- */

static bool file_has(const char *path, const char *s)
{
	char *text = file_text(path);
	bool found = strstr(text, s) != NULL;

	free(text);
	return found;
}

/* A change is written once nothing changed for the quiet time; under a stream of
 * changes, once the longest wait is over; a flush writes what is left. */
static void test_writes_wait_for_quiet_but_not_for_ever(void **state)
{
	struct fixture *fx = *state;
	struct uvsd_state_keeper k;
	struct uvsd_state_file *sf;
	struct uvs_ctl_daemon daemons[2];
	struct uvs_error err;
	uint64_t t = 1000000;

	assert_int_equal(uvsd_state_file_open(fx->path, &sf, &err), 0);
	struct uvsd_state_src src = src_of(&fx->from, daemons, NULL);
	assert_int_equal(uvsd_state_file_save(sf, &src, &err), 0);
	uvsd_state_keep(&k, sf, &src);
	assert_int_equal(uvsd_state_tick(&k, &src, t), -1); /* nothing changed */

	test_apply_ok(fx->from.env, fx->from.timeouts, "-A -t 10.0.0.1:80 -s rr\n");
	assert_int_equal(uvsd_state_tick(&k, &src, t), UVSD_STATE_QUIET_MS);
	assert_false(file_has(fx->path, "10.0.0.1:80"));
	assert_int_equal(uvsd_state_tick(&k, &src, t + UVSD_STATE_QUIET_MS), -1);
	assert_true(file_has(fx->path, "10.0.0.1:80"));

	/* A change every ms: not written until the longest wait is over. */
	t += 100;
	char line[64];
	uint64_t first = t;
	for (unsigned i = 0; t <= first + UVSD_STATE_MAX_DELAY_MS - UVSD_STATE_QUIET_MS; i++, t++) {
		snprintf(line, sizeof(line), "-A -t 10.0.1.%u:%u -s rr\n", i % 250 + 1,
			 i / 250 + 1);
		test_apply_ok(fx->from.env, fx->from.timeouts, line);
		assert_int_equal(uvsd_state_tick(&k, &src, t), UVSD_STATE_QUIET_MS);
	}
	assert_false(file_has(fx->path, "10.0.1.1:1"));
	t = first + UVSD_STATE_MAX_DELAY_MS;
	test_apply_ok(fx->from.env, fx->from.timeouts, "-A -t 10.0.2.1:80 -s rr\n");
	assert_int_equal(uvsd_state_tick(&k, &src, t), -1);
	assert_true(file_has(fx->path, "10.0.2.1:80"));

	/* Timeouts, sysctls and daemons are changes too; a flush writes them at once. */
	test_apply_ok(fx->from.env, fx->from.timeouts, "--set 11 12 13\n");
	set_sysctl(&fx->from, "sloppy_tcp", "1");
	start_daemon(&fx->from, "--start-daemon backup --mcast-interface lo");
	src = src_of(&fx->from, daemons, "-A -t 10.0.0.1:80 -s rr\n");
	assert_int_equal(uvsd_state_flush(&k, &src), 0);
	char *text = file_text(fx->path);
	assert_non_null(strstr(text, "[timeouts]\n--set 11 12 13\n"));
	assert_non_null(strstr(text, "net.ipv4.vs.sloppy_tcp = 1\n"));
	assert_non_null(strstr(text, "--start-daemon backup --mcast-interface lo"));
	assert_non_null(strstr(text, "[declared]\n"));
	free(text);
	uvsd_state_close(&k);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_round_trip_every_setting),
		T(test_round_trip_empty),
		T(test_bad_files_name_their_line),
		T(test_restore_refusal_names_its_line),
		T(test_failed_writes_keep_the_old_file),
		T(test_lock_dir_and_reading),
		T(test_writes_wait_for_quiet_but_not_for_ever),
	};
#undef T
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
