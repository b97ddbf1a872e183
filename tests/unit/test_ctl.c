// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket end to end: a server thread on one end of a SOCK_SEQPACKET
 * socketpair, the client on the other. ipvsadm commands go through as IPVS messages
 * and change the server's model exactly as applying them locally does; listings come
 * back the same; refusals carry the model's message; hostile datagrams get errors and
 * change nothing; a non-root peer is turned away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adm_helpers.h"
#include "ctl/client.h"
#include "ctl/msg.h"
#include "ctl/server.h"
#include "uvs/ctl.h"

struct fixture {
	struct test_env env;
	struct uvs_timeouts timeouts;
	struct uvs_ctl ctl;
	int fds[2];
	pthread_t server;
	struct uvs_ctl_client client;
};

static void *server_main(void *arg)
{
	struct fixture *fx = arg;

	rcu_register_thread();
	while (uvs_ctl_serve(&fx->ctl, fx->fds[1]) != -ECONNRESET)
		;
	rcu_unregister_thread();
	return NULL;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	test_env_init(&fx->env);
	uvs_timeouts_default(&fx->timeouts);
	fx->ctl = (struct uvs_ctl){ .model = &fx->env.m,
				    .timeouts = &fx->timeouts,
				    .conn_tab_size = 4096 };
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fx->fds), 0);
	assert_int_equal(pthread_create(&fx->server, NULL, server_main, fx), 0);
	uvs_ctl_client_from_fd(&fx->client, fx->fds[0]);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uvs_ctl_close(&fx->client);
	pthread_join(fx->server, NULL);
	close(fx->fds[1]);
	test_env_fini(&fx->env);
	free(fx);
	return 0;
}

/* Runs each line of text through the client; returns the first failure. */
static int exec_lines(struct fixture *fx, const char *text, struct uvs_error *err)
{
	char *copy = strdup(text), *save = NULL;
	int ret = 0;

	for (char *line = strtok_r(copy, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save)) {
		struct uvs_adm_cmd cmd;
		assert_int_equal(uvs_adm_parse_line(line, &cmd, err), 0);
		ret = uvs_ctl_exec(&fx->client, &cmd, err);
	}
	free(copy);
	return ret;
}

static const char rules[] = "-A -t 10.0.0.1:80 -s wrr -p 60 -M 255.255.255.0\n"
			    "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3 -x 100 -y 50\n"
			    "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -g -w 2\n"
			    "-A -u [2001:db8::1]:53 -s sh -b sh-fallback,sh-port -o\n"
			    "-a -u [2001:db8::1]:53 -r 192.168.0.21:53 -i -w 1 --tun-type gue "
			    "--tun-port 6080 --tun-csum\n"
			    "-A -f 7 -s mh -b mh-port\n"
			    "-a -f 7 -r 192.168.0.31:0 -g -w 0\n";

static void test_commands_change_the_model(void **state)
{
	struct fixture *fx = *state;
	struct uvs_error err;
	struct uvs_model local;
	struct uvs_adm_error aerr;

	assert_int_equal(exec_lines(fx, rules, &err), 0);
	assert_int_equal(uvs_model_init(&local, 1), 0);
	assert_int_equal(uvs_adm_apply(&local, NULL, rules, &aerr), 0);
	char *got = test_save_text(&fx->env), *want = uvs_adm_save_string(&local);
	test_text_equal(got, want);
	free(got);
	free(want);
	uvs_model_destroy(&local);

	assert_int_equal(exec_lines(fx,
				    "-e -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 5\n"
				    "-d -t 10.0.0.1:80 -r 192.168.0.11:80\n"
				    "-E -f 7 -s rr\n"
				    "-D -u [2001:db8::1]:53\n"
				    "--set 100 20 30\n",
				    &err),
			 0);
	got = test_save_text(&fx->env);
	test_text_equal(got, "-A -t 10.0.0.1:80 -s wrr -p 60 -M 255.255.255.0\n"
			     "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 5\n"
			     "-A -f 7 -s rr\n"
			     "-a -f 7 -r 192.168.0.31:0 -g -w 0\n");
	free(got);
	uint32_t tcp, fin, udp;
	assert_int_equal(uvs_ctl_get_timeouts(&fx->client, &tcp, &fin, &udp, &err), 0);
	assert_int_equal(tcp, 100);
	assert_int_equal(fin, 20);
	assert_int_equal(udp, 30);
	uint32_t version, size;
	assert_int_equal(uvs_ctl_get_info(&fx->client, &version, &size, &err), 0);
	assert_int_equal(version, 0x010201);
	assert_int_equal(size, 4096);
	assert_int_equal(exec_lines(fx, "-C\n", &err), 0);
	got = test_save_text(&fx->env);
	assert_string_equal(got, "");
	free(got);
}

/* What the client gets back prints exactly as the server's own model does. */
static void test_listing_through_the_socket(void **state)
{
	struct fixture *fx = *state;
	struct uvs_error err;
	struct uvs_adm_snap remote, local;

	assert_int_equal(exec_lines(fx, rules, &err), 0);
	assert_int_equal(uvs_ctl_get_snap(&fx->client, NULL, &remote, &err), 0);
	assert_int_equal(uvs_adm_snap_take(&fx->env.m, NULL, false, &local), 0);
	assert_int_equal(remote.nsvcs, local.nsvcs);
	for (unsigned i = 0; i < local.nsvcs; i++) {
		assert_memory_equal(&remote.svcs[i].conf, &local.svcs[i].conf,
				    sizeof(local.svcs[i].conf));
		assert_int_equal(remote.svcs[i].ndests, local.svcs[i].ndests);
		for (unsigned j = 0; j < local.svcs[i].ndests; j++)
			assert_memory_equal(&remote.svcs[i].dests[j].conf,
					    &local.svcs[i].dests[j].conf,
					    sizeof(local.svcs[i].dests[j].conf));
	}
	uvs_adm_snap_free(&remote);
	uvs_adm_snap_free(&local);

	struct uvs_svc_key k = test_key("10.0.0.1:80");
	assert_int_equal(uvs_ctl_get_snap(&fx->client, &k, &remote, &err), 0);
	assert_int_equal(remote.nsvcs, 1);
	assert_int_equal(remote.svcs[0].ndests, 2);
	uvs_adm_snap_free(&remote);
	k = test_key("10.0.0.9:80");
	assert_int_equal(uvs_ctl_get_snap(&fx->client, &k, &remote, &err), -ESRCH);
	assert_string_equal(err.msg, "No such service");
}

static void test_refusals_carry_the_message(void **state)
{
	struct fixture *fx = *state;
	struct uvs_error err;

	assert_int_equal(exec_lines(fx, rules, &err), 0);
	char *before = test_save_text(&fx->env);
	assert_int_equal(exec_lines(fx, "-A -t 10.0.0.1:80 -s rr\n", &err), -EEXIST);
	assert_non_null(strstr(err.msg, "exists"));
	assert_int_equal(exec_lines(fx, "-A -t 10.0.0.2:80 -s nosuch\n", &err), -ENOENT);
	assert_int_equal(exec_lines(fx, "-a -t 10.0.0.1:80 -r 1.2.3.4:80 -x 5 -y 10\n", &err),
			 -ERANGE);
	assert_int_equal(exec_lines(fx, "-d -t 10.0.0.1:80 -r 1.2.3.4:80\n", &err), -ENOENT);
	char *after = test_save_text(&fx->env);
	test_text_equal(after, before);
	free(before);
	free(after);
}

/* Sends raw bytes; returns the errno of the first reply (0 for an ack). */
static int raw(struct fixture *fx, const void *data, size_t len)
{
	char buf[UVS_CTL_MSG_MAX];

	assert_int_equal(send(fx->fds[0], data, len, 0), (ssize_t)len);
	ssize_t n = recv(fx->fds[0], buf, sizeof(buf), 0);
	assert_true(n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)));
	const struct nlmsghdr *nlh = (void *)buf;
	assert_int_equal(nlh->nlmsg_type, NLMSG_ERROR);
	return ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
}

/* Reads every reply to what was sent so far: sends a GET_INFO with a known sequence
 * number and reads until its ack, which the server sends after all earlier replies. */
static void drain(struct fixture *fx)
{
	char buf[UVS_CTL_MSG_MAX];
	struct nlmsghdr *nlh =
		uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0xfeedface, IPVS_CMD_GET_INFO);

	assert_int_equal(send(fx->fds[0], buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
	for (;;) {
		ssize_t n = recv(fx->fds[0], buf, sizeof(buf), 0);
		assert_true(n > 0);
		nlh = (void *)buf;
		if (nlh->nlmsg_seq == 0xfeedface && nlh->nlmsg_type == NLMSG_ERROR)
			return;
	}
}

static void test_hostile_datagrams(void **state)
{
	struct fixture *fx = *state;
	struct uvs_error err;
	char buf[UVS_CTL_MSG_MAX];
	struct nlmsghdr *nlh;

	assert_int_equal(exec_lines(fx, rules, &err), 0);
	char *before = test_save_text(&fx->env);

	/* Too short for a header; a length past the datagram; a foreign family. */
	assert_int_equal(raw(fx, "\x01\x02\x03", 3), -EINVAL);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_FLUSH);
	nlh->nlmsg_len += 100;
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len - 100), -EINVAL);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_FLUSH);
	nlh->nlmsg_type = 16; /* the genl controller */
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EOPNOTSUPP);
	/* An unknown command, an unknown attribute, a duplicate, a wrong length, a
	 * scheduler name without its NUL or too long, a service without its key. */
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, 200);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EOPNOTSUPP);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_FLUSH);
	mnl_attr_put_u32(nlh, 77, 1);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EINVAL);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_SET_CONFIG);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, 1);
	mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, 2);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EINVAL);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_SET_CONFIG);
	mnl_attr_put_u16(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, 1);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EINVAL);
	struct nlattr *nest;
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_NEW_SERVICE);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, AF_INET);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, 9);
	mnl_attr_put(nlh, IPVS_SVC_ATTR_SCHED_NAME, 3, "rrr"); /* no NUL */
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EINVAL);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_NEW_SERVICE);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, AF_INET);
	mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, 9);
	mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, "a-scheduler-name-far-too-long");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EINVAL);
	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_DEL_SERVICE);
	nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, AF_INET);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(raw(fx, buf, nlh->nlmsg_len), -EINVAL);

	/* Random bytes, a thousand datagrams of them: every one answered, none applied. */
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 1000; i++) {
		size_t len = 1 + (size_t)(x % 300);
		for (size_t k = 0; k < len; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[k] = (char)x;
		}
		if (len >= sizeof(struct nlmsghdr)) {
			/* Half of them look like ours, to reach the attribute parser. */
			nlh = (void *)buf;
			if (i & 1) {
				nlh->nlmsg_len = (uint32_t)len;
				nlh->nlmsg_type = UVS_CTL_FAMILY;
				nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
			}
		}
		assert_int_equal(send(fx->fds[0], buf, len, 0), (ssize_t)len);
		drain(fx);
		/* Restore the rules if a random FLUSH or ZERO got through: it must then
		 * have been a well-formed request, which is allowed to act. */
		char *now = test_save_text(&fx->env);
		if (strcmp(now, before))
			assert_int_equal(
				exec_lines(fx, "-C\n", &err) || exec_lines(fx, rules, &err), 0);
		free(now);
	}
	char *after = test_save_text(&fx->env);
	test_text_equal(after, before);
	free(before);
	free(after);
}

/* A peer that is neither root nor in the group is told EPERM and closed. */
static void test_non_root_peer_refused(void **state)
{
	struct fixture *fx = *state;
	char path[64] = "/tmp/uvs-ctl-test-XXXXXX";
	int lfd, status;
	pid_t pid;

	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(path));
	assert_int_equal(chmod(path, 0755), 0);
	strcat(path, "/sock");
	lfd = uvs_ctl_listen(path, 0);
	assert_true(lfd >= 0);
	/* Let the peer reach the socket at all: the check under test is SO_PEERCRED. */
	assert_int_equal(chmod(path, 0666), 0);
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)); /* bounds accept() */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct uvs_ctl_client c;
		struct uvs_error err;
		uint32_t v, size;
		if (setgid(65534) || setuid(65534))
			_exit(3);
		if (uvs_ctl_connect(&c, path) < 0)
			_exit(4);
		_exit(uvs_ctl_get_info(&c, &v, &size, &err) == -EPERM ? 0 : 5);
	}
	assert_int_equal(uvs_ctl_accept(&fx->ctl, lfd), -EPERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(lfd);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_commands_change_the_model),  T(test_listing_through_the_socket),
		T(test_refusals_carry_the_message), T(test_hostile_datagrams),
		T(test_non_root_peer_refused),
	};
#undef T
	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
