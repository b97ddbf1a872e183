// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsadm's commands: each parsed as ipvsadm parses it and run over the control socket. */
#include "cli.h"
#include "cli-internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "adm/daemon.h"
#include "adm/list.h"
#include "adm/save.h"
#include "adm/procnet.h"
#include "core/sysctl.h"

/* $UVSADM_TIMEOUT: seconds to wait for a silent uvsd (0: for ever), or the default.
 * Returns 0, or an exit status after saying why. */
static int timeout_from_env(struct cli_ctx *x, unsigned *out)
{
	const char *s = getenv(UVSADM_TIMEOUT_ENV);
	size_t len = s ? strlen(s) : 0;

	*out = UVS_CTL_CLIENT_TIMEOUT_DEF;
	if (!len)
		return 0;
	/* Digits only, and few enough that strtoul cannot overflow. */
	if (strspn(s, "0123456789") != len || len > 9 ||
	    strtoul(s, NULL, 10) > UVS_CTL_CLIENT_TIMEOUT_MAX)
		return cli_fail(x, 2, "%s: '%s' is not a number of seconds in 0..%d",
				UVSADM_TIMEOUT_ENV, s, UVS_CTL_CLIENT_TIMEOUT_MAX);
	*out = (unsigned)strtoul(s, NULL, 10);
	return 0;
}

/* Connects and asks GET_INFO first, as ipvsadm's start does; an error ends uvsadm. */
static int connect_ctl(struct cli_ctx *x)
{
	struct uvs_error err = { "" };
	uint32_t version;
	unsigned timeout;
	int ret;

	if (x->client)
		return 0;
	if ((ret = timeout_from_env(x, &timeout)))
		return ret;
	ret = uvs_ctl_client_open(x->sock, timeout, &x->client);
	if (ret == -ETIMEDOUT)
		return cli_fail(x, 2,
				"Can't initialize ipvs: uvsd did not accept the connection on %s "
				"within %u s",
				x->sock, timeout);
	/* ipvsadm's question, where the socket could not be reached at all. */
	if (ret)
		return cli_fail(x, 2,
				"Can't initialize ipvs: %s\nAre you sure that uvsd is running and "
				"listening on %s?",
				cli_strerror(C_NONE, -ret, NULL), x->sock);
	ret = uvs_ctl_get_info(x->client, &version, &x->conn_tab_size, &err);
	if (!ret)
		return 0;
	uvs_ctl_client_close(x->client);
	x->client = NULL;
	/* uvsd is there and said why (refused peer, too many clients), or went silent. */
	return cli_fail(x, 2, "Can't initialize ipvs: %s", cli_strerror(C_NONE, -ret, err.msg));
}

/* A refused command: ipvsadm prints why and returns -1, and -R goes on. */
static int refused(struct cli_ctx *x, enum cli_cmd cmd, int ret, const struct uvs_error *err)
{
	fprintf(x->err, "%s\n", cli_strerror(cmd, -ret, err->msg));
	return 255;
}

/* A failed listing: ipvsadm prints why and exits 1. */
static int list_failed(struct cli_ctx *x, int ret, const struct uvs_error *err)
{
	fprintf(x->err, "%s\n", cli_strerror(C_LIST, -ret, err->msg));
	return 1 | CLI_EXIT;
}

/* The answer to -R's line tag >> 8 (command tag & 0xff), which was queued. */
static void restore_answered(void *arg, uint64_t tag, int ret, const struct uvs_error *err)
{
	struct cli_ctx *x = arg;
	unsigned long line = (unsigned long)(tag >> 8);

	if (ret)
		fprintf(x->restore.err, "%s\n",
			cli_strerror((enum cli_cmd)(tag & 0xff), -ret, err->msg));
	if (line >= x->restore.result_line) {
		x->restore.result_line = line;
		x->restore.result = ret ? 255 : 0;
	}
}

static int run_config(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_error err = { "" };
	struct uvs_ctl_req cmd;
	int ret;

	if ((ret = cli_config_cmd(x, a, &cmd)) || (ret = connect_ctl(x)))
		return ret;
	if (x->restore.queue) {
		uint64_t tag = (uint64_t)x->restore.line << 8 | (uint64_t)a->cmd;
		ret = uvs_ctl_queue(x->client, &cmd, restore_answered, x, tag, &err);
		return ret ? refused(x, a->cmd, ret, &err) : CLI_QUEUED;
	}
	ret = uvs_ctl_exec(x->client, &cmd, &err);
	return ret ? refused(x, a->cmd, ret, &err) : 0;
}

/* The service -t/-u/--sctp-service/-f names (if any) into *k, then the connection to
 * uvsd. Returns 0 or the exit code of the error already reported. */
static int service_and_connect(struct cli_ctx *x, const struct adm_args *a, struct uvs_svc_key *k)
{
	int ret;

	if (a->seen[O_SERVICE] && (ret = cli_service_key(x, a, k)))
		return ret;
	return connect_ctl(x);
}

static int run_zero(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_error err = { "" };
	struct uvs_svc_key k;
	int ret;

	if ((ret = service_and_connect(x, a, &k)))
		return ret;
	ret = uvs_ctl_zero(x->client, a->seen[O_SERVICE] ? &k : NULL, &err);
	return ret ? refused(x, C_ZERO, ret, &err) : 0;
}

static int run_daemon(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_ctl_daemon d;
	struct uvs_error err = { "" };
	int ret;

	if (uvs_adm_daemon(a, &d, &err))
		return cli_fail(x, 2, "%s", err.msg);
	if ((ret = connect_ctl(x)))
		return ret;
	ret = uvs_ctl_daemon(x->client, &d, a->cmd == C_STARTD, &err);
	return ret ? refused(x, a->cmd, ret, &err) : 0;
}

static enum uvs_adm_list_fmt list_fmt(const struct adm_args *a)
{
	if (a->seen[O_STATS])
		return UVS_ADM_LIST_STATS;
	if (a->seen[O_RATE])
		return UVS_ADM_LIST_RATE;
	if (a->seen[O_THRESHOLDS])
		return UVS_ADM_LIST_THRESHOLDS;
	if (a->seen[O_PERSISTCONN])
		return UVS_ADM_LIST_PERSISTENT;
	if (a->seen[O_TUN_INFO])
		return UVS_ADM_LIST_TUN_INFO;
	return UVS_ADM_LIST_PLAIN;
}

static int list_services(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_adm_list_opts o = { .fmt = list_fmt(a),
				       .exact = a->seen[O_EXACT],
				       .nosort = a->seen[O_NOSORT],
				       .names = !a->seen[O_NUMERIC] };
	struct uvs_error err = { "" };
	struct uvs_snap s;
	struct uvs_svc_key k;
	int ret;

	if ((ret = service_and_connect(x, a, &k)))
		return ret;
	o.conn_tab_size = x->conn_tab_size;
	o.only = a->seen[O_SERVICE] ? &k : NULL;
	ret = uvs_ctl_get_snap(x->client, o.only, !o.nosort, &s, &err);
	if (!ret)
		uvs_adm_list_snap(x->out, &s, &o);
	uvs_snap_free(&s);
	return ret ? list_failed(x, ret, &err) : 0;
}

static int run_list(struct cli_ctx *x, const struct adm_args *a)
{
	const bool *o = a->seen;
	struct cli_show show = { x->out, !o[O_NUMERIC] };
	struct uvs_error err = { "" };
	int ret = 0;

	if ((o[O_CONN] || o[O_TIMEOUT] || o[O_DAEMON] || o[O_COUNTERS]) &&
	    (o[O_STATS] || o[O_RATE] || o[O_THRESHOLDS] || o[O_TUN_INFO] ||
	     (o[O_PERSISTCONN] && !o[O_CONN])))
		return cli_fail(x, 2, "options conflicts in the list command");
	if (!o[O_CONN] && !o[O_TIMEOUT] && !o[O_DAEMON] && !o[O_COUNTERS])
		return list_services(x, a);
	if ((ret = connect_ctl(x)))
		return ret;
	if (o[O_CONN]) {
		cli_print_conn_title(x->out, o[O_PERSISTCONN]);
		ret = uvs_ctl_get_conns(x->client, cli_print_conn, &show, &err);
	} else if (o[O_TIMEOUT]) {
		uint32_t t[3];
		if (!(ret = uvs_ctl_get_timeouts(x->client, t, &err)))
			fprintf(x->out, "Timeout (tcp tcpfin udp): %u %u %u\n", t[0], t[1], t[2]);
	} else if (o[O_DAEMON]) {
		struct uvs_ctl_daemon d[2];
		size_t n = 0;
		if (!(ret = uvs_ctl_get_daemons(x->client, d, &n, &err)))
			cli_print_daemons(x->out, d, n);
	} else {
		ret = uvs_ctl_get_counters(x->client, cli_print_counter, x->out, &err);
	}
	return ret ? list_failed(x, ret, &err) : 0;
}

static int run_save(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_error err = { "" };
	struct uvs_snap s;
	int ret;

	if ((ret = connect_ctl(x)))
		return ret;
	ret = uvs_ctl_get_snap(x->client, NULL, true, &s, &err);
	if (!ret)
		uvs_adm_save_snap(x->out, &s, !a->seen[O_NUMERIC]);
	uvs_snap_free(&s);
	return ret ? list_failed(x, ret, &err) : 0;
}

static int print_sysctl(void *arg, const struct uvs_ctl_sysctl *s)
{
	fprintf(arg, UVS_SYSCTL_PREFIX "%s = %s\n", s->name, s->value);
	return 0;
}

/*
 * uvs's --sysctl, as sysctl(8) over uvsd's IPVS sysctls: without words every one is
 * listed as `sysctl -a` lists them; each word NAME prints one, NAME=VALUE sets it and
 * prints it as `sysctl -w` does. A word that fails is reported and the rest go on;
 * the status is then 255, as ipvsadm's for a refused command.
 */
static int run_sysctl(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_error err = { "" };
	int ret, status = 0;

	if ((ret = connect_ctl(x)))
		return ret;
	if (!a->npos) {
		ret = uvs_ctl_sysctl_list(x->client, print_sysctl, x->out, &err);
		return ret ? list_failed(x, ret, &err) : 0;
	}
	for (int i = 0; i < a->npos; i++) {
		struct uvs_ctl_sysctl one = { "", "" };
		const char *eq = strchr(a->pos[i], '=');
		size_t n = eq ? (size_t)(eq - a->pos[i]) : strlen(a->pos[i]);
		/* sysctl.conf's blanks around the name and the value are not part of them. */
		while (n && isspace((unsigned char)a->pos[i][n - 1]))
			n--;
		snprintf(one.name, sizeof(one.name), "%.*s", (int)n, a->pos[i]);
		if (eq) {
			const char *v = eq + 1 + strspn(eq + 1, " \t");
			snprintf(one.value, sizeof(one.value), "%s", v);
			ret = uvs_ctl_sysctl_set(x->client, one.name, v, &err);
		} else {
			ret = uvs_ctl_sysctl_get(x->client, one.name, one.value, &err);
		}
		if (ret) {
			fprintf(x->err, "%s\n", cli_strerror(C_SYSCTL, -ret, err.msg));
			status = 255;
			continue;
		}
		/* The name as sysctl(8) shows it: with its prefix, in dots. */
		const struct uvs_sysctl_def *d = uvs_sysctl_find(one.name);
		snprintf(one.name, sizeof(one.name), "%s", d ? d->name : one.name);
		print_sysctl(x->out, &one);
	}
	return status;
}

/* uvs's --proc FILE: the kernel's /proc/net/FILE text from uvsd, as the preload
 * library shows it to programs run under uvs-run. */
static int run_proc(struct cli_ctx *x, const struct adm_args *a)
{
	struct uvs_error err = { "" };
	int ret;

	if (!uvs_procnet_known(a->cmd_arg))
		return cli_fail(
			x, 2,
			"--proc takes ip_vs, ip_vs_conn, ip_vs_stats or ip_vs_stats_percpu, "
			"not '%s'",
			a->cmd_arg);
	if ((ret = connect_ctl(x)))
		return ret;
	ret = uvs_procnet_write(x->client, a->cmd_arg, x->out, &err);
	return ret ? list_failed(x, ret, &err) : 0;
}

static int run_words(struct cli_ctx *x, int argc, char **argv);

/*
 * Queued lines go out in batches as more lines come. When the input has no line ready
 * (a slow pipe, a terminal, a program feeding uvsadm as it goes), what is queued is
 * sent and answered first, so each line takes effect and reports as soon as it is
 * read, as ipvsadm's do. A regular file is always ready: it keeps its batches.
 */
static void restore_catch_up(struct cli_ctx *x)
{
	int fd = fileno(x->in);
	struct pollfd pfd = { fd, POLLIN, 0 };

	if (x->client && uvs_ctl_queued(x->client) && fd >= 0 && poll(&pfd, 1, 0) == 0)
		uvs_ctl_flush(x->client);
}

/*
 * -R: each line of input is a command line; an "ipvsadm" first word is dropped. Lines
 * whose first word starts with '#' are comments (ipvsadm has none). As ipvsadm, a
 * refused line is reported and the rest runs, an option error ends the restore, and
 * the status is the last line's.
 *
 * Configuration lines are queued (uvs_ctl_queue) rather than each waiting for its
 * answer: uvsd applies them in order, as if one by one, and their answers are reported
 * as they come, in order. So that a line's own messages (an option error, say) still
 * follow the answers to the lines before it, they are collected while the line runs
 * and printed once those answers are in.
 */
static int run_restore(struct cli_ctx *x)
{
	static const char blanks[] = " \t\r\n\v\f";
	char *line = NULL, *argv[256], *own = NULL;
	size_t cap = 0, own_len = 0;
	FILE *err = x->err, *mem;

	if (x->reading_stdin)
		return cli_tryhelp(x);
	mem = open_memstream(&own, &own_len);
	if (!mem)
		return cli_fail(x, 1, "uvsadm: out of memory");
	x->reading_stdin = true;
	x->restore.queue = true;
	x->restore.err = err;
	while (restore_catch_up(x), getline(&line, &cap, x->in) > 0) {
		char *save = NULL;
		int argc = 0, ret;
		for (char *w = strtok_r(line, blanks, &save); w && argc < 256;
		     w = strtok_r(NULL, blanks, &save))
			argv[argc++] = w;
		if (argc && !strcmp(argv[0], "ipvsadm"))
			memmove(argv, argv + 1, (size_t)--argc * sizeof(*argv));
		if (!argc || argv[0][0] == '#')
			continue;
		x->restore.line++;
		x->err = mem;
		ret = run_words(x, argc, argv);
		x->err = err;
		fflush(mem);
		if (own_len) {
			if (x->client)
				uvs_ctl_flush(x->client);
			fwrite(own, 1, own_len, err);
			rewind(mem);
		}
		if (!(ret & CLI_QUEUED)) {
			x->restore.result_line = x->restore.line;
			x->restore.result = ret;
		}
		if (ret & CLI_EXIT)
			break;
	}
	if (x->client)
		uvs_ctl_flush(x->client);
	fclose(mem);
	free(own);
	free(line);
	x->reading_stdin = false;
	x->restore.queue = false;
	return x->restore.result;
}

static int run_words(struct cli_ctx *x, int argc, char **argv)
{
	struct adm_args a;
	int ret;

	if ((ret = cli_parse(x, argc, argv, &a)))
		return ret;
	if (a.seen[O_SOCKET] && !x->client)
		x->sock = a.val[O_SOCKET];
	if (a.cmd == C_HELP) {
		cli_usage(x, x->out);
		return CLI_EXIT;
	}
	if (a.cmd == C_VERSION) {
		cli_version(x->out);
		return CLI_EXIT;
	}
	if ((ret = cli_check(x, &a)))
		return ret;
	switch (a.cmd) {
	case C_LIST:
		return run_list(x, &a);
	case C_SAVE:
		return run_save(x, &a);
	case C_RESTORE:
		return run_restore(x);
	case C_ZERO:
		return run_zero(x, &a);
	case C_STARTD:
	case C_STOPD:
		return run_daemon(x, &a);
	case C_SYSCTL:
		return run_sysctl(x, &a);
	case C_PROC:
		return run_proc(x, &a);
	default:
		return run_config(x, &a);
	}
}

int uvs_adm_cli_main(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	struct cli_ctx x = { .in = in, .out = out, .err = err };
	const char *env = getenv(UVS_CTL_PATH_ENV);
	int ret;

	x.prog = argc > 0 && argv[0] ? argv[0] : "uvsadm";
	x.sock = env && env[0] ? env : UVS_CTL_PATH;
	if (argc <= 1) {
		struct adm_args a = { .cmd = C_LIST };
		ret = run_list(&x, &a);
	} else {
		ret = run_words(&x, argc - 1, argv + 1);
	}
	uvs_ctl_client_close(x.client);
	fflush(out);
	fflush(err);
	return ret & 0xff;
}
