// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsadm: ipvsadm's command line for uvsd, over its control socket.
 *
 * Configuration commands (-A -E -D -C -a -e -d --set) are parsed by the same code as
 * rules files (rules.c) and sent as IPVS messages; listings (-L, -S, --timeout) are
 * printed by the same code as uvs-replay's (list.c, save.c) from what uvsd returns.
 * Not yet here: host and service names (addresses and ports print as numbers, as
 * with -n), the connection listing (-c) and the sync daemon commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/list.h"
#include "adm/rules.h"
#include "adm/save.h"
#include "ctl/client.h"

#define UVSADM_VERSION "uvsadm 0.1.0 (IPVS 1.2.1 compatible)"

enum exit_code { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

static const char *prog = "uvsadm";

static void usage(FILE *f)
{
	fprintf(f,
		"%s: ipvsadm's commands for uvsd\n"
		"  %s -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe "
		"persistence_engine] [-b sched-flags]\n"
		"  %s -D virtual-service\n"
		"  %s -C\n"
		"  %s -R\n"
		"  %s -S [-n]\n"
		"  %s -a|e virtual-service -r server-address [options]\n"
		"  %s -d virtual-service -r server-address\n"
		"  %s -L|l [virtual-service] [-n] [--stats|--rate|--thresholds|--persistent-conn] "
		"[--exact] [--nosort]\n"
		"  %s -L|l --timeout\n"
		"  %s -Z [virtual-service]\n"
		"  %s --set tcp tcpfin udp\n"
		"  %s -h|-v\n"
		"virtual-service: -t|u|f service-address ([-6] with -f); the socket is "
		"$UVSD_SOCKET or /run/uvsd.sock\n",
		prog, prog, prog, prog, prog, prog, prog, prog, prog, prog, prog, prog, prog);
}

static int connect_or_die(struct uvs_ctl_client *c)
{
	int ret = uvs_ctl_connect(c, NULL);

	if (ret < 0) {
		fprintf(stderr, "%s: cannot reach uvsd: %s\n", prog, strerror(-ret));
		exit(EXIT_REFUSED);
	}
	return 0;
}

/* The service key given by -t/-u/-f/--sctp-service [-6] among args, via the rules
 * parser (as a -D command). Returns 1 if none was given, 0, or -1 on a bad one. */
static int parse_service(int argc, char **argv, struct uvs_svc_key *k)
{
	char *args[8] = { "-D" };
	int n = 1;
	struct uvs_adm_cmd cmd;
	struct uvs_error err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "-t") || !strcmp(a, "-u") || !strcmp(a, "-f") ||
			     !strcmp(a, "--tcp-service") || !strcmp(a, "--udp-service") ||
			     !strcmp(a, "--fwmark-service") || !strcmp(a, "--sctp-service");
		if (takes && i + 1 < argc && n < 6) {
			args[n++] = argv[i];
			args[n++] = argv[++i];
		} else if ((!strcmp(a, "-6") || !strcmp(a, "--ipv6")) && n < 7) {
			args[n++] = argv[i];
		}
	}
	if (n == 1)
		return 1;
	if (uvs_adm_parse_argv(n, args, &cmd, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*k = cmd.svc.key;
	return 0;
}

static bool has(int argc, char **argv, const char *a, const char *b)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], a) || (b && !strcmp(argv[i], b)))
			return true;
	return false;
}

static int list(int argc, char **argv)
{
	struct uvs_ctl_client c;
	struct uvs_error err;
	struct uvs_adm_list_opts o = { .fmt = UVS_ADM_LIST_PLAIN };
	struct uvs_svc_key key;
	struct uvs_adm_snap snap;
	int ret;

	if (has(argc, argv, "-c", "--connection")) {
		fprintf(stderr, "%s: the connection listing (-c) is not available yet\n", prog);
		return EXIT_REFUSED;
	}
	connect_or_die(&c);
	if (has(argc, argv, "--timeout", NULL)) {
		uint32_t tcp, fin, udp;
		if ((ret = uvs_ctl_get_timeouts(&c, &tcp, &fin, &udp, &err)) < 0)
			goto refused;
		printf("Timeout (tcp tcpfin udp): %u %u %u\n", tcp, fin, udp);
		uvs_ctl_close(&c);
		return EXIT_OK;
	}
	if (has(argc, argv, "--daemon", NULL)) {
		uvs_ctl_close(&c); /* no sync daemon runs in this uvsd: nothing to list */
		return EXIT_OK;
	}
	if (has(argc, argv, "--stats", NULL))
		o.fmt = UVS_ADM_LIST_STATS;
	else if (has(argc, argv, "--rate", NULL))
		o.fmt = UVS_ADM_LIST_RATE;
	else if (has(argc, argv, "--thresholds", NULL))
		o.fmt = UVS_ADM_LIST_THRESHOLDS;
	else if (has(argc, argv, "--persistent-conn", NULL))
		o.fmt = UVS_ADM_LIST_PERSISTENT;
	o.exact = has(argc, argv, "--exact", "-X");
	o.nosort = has(argc, argv, "--nosort", NULL);
	ret = parse_service(argc, argv, &key);
	if (ret < 0)
		return EXIT_USAGE;
	if (ret == 0)
		o.only = &key;
	uint32_t version, size;
	if ((ret = uvs_ctl_get_info(&c, &version, &size, &err)) < 0)
		goto refused;
	o.conn_tab_size = size;
	if ((ret = uvs_ctl_get_snap(&c, o.only, &snap, &err)) < 0)
		goto refused;
	if (!o.nosort)
		uvs_adm_snap_sort(&snap);
	uvs_adm_list_snap(stdout, &snap, &o);
	uvs_adm_snap_free(&snap);
	uvs_ctl_close(&c);
	return EXIT_OK;
refused:
	fprintf(stderr, "%s\n", err.msg);
	uvs_ctl_close(&c);
	return EXIT_REFUSED;
}

static int save(void)
{
	struct uvs_ctl_client c;
	struct uvs_error err;
	struct uvs_adm_snap snap;
	int ret;

	connect_or_die(&c);
	ret = uvs_ctl_get_snap(&c, NULL, &snap, &err);
	uvs_ctl_close(&c);
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return EXIT_REFUSED;
	}
	uvs_adm_snap_sort(&snap);
	uvs_adm_save_snap(stdout, &snap);
	uvs_adm_snap_free(&snap);
	return EXIT_OK;
}

/* -R: every line of standard input as a command, in order; the first refusal stops
 * it (ipvsadm -R is not atomic either: what ran before stays). */
static int restore(void)
{
	struct uvs_ctl_client c;
	char *line = NULL;
	size_t cap = 0;
	unsigned n = 0;
	int status = EXIT_OK;

	connect_or_die(&c);
	while (getline(&line, &cap, stdin) > 0) {
		struct uvs_adm_cmd cmd;
		struct uvs_error err;
		int ret = uvs_adm_parse_line(line, &cmd, &err);
		n++;
		if (ret == 1)
			continue;
		if (ret < 0) {
			fprintf(stderr, "%s: line %u: %s\n", prog, n, err.msg);
			status = EXIT_USAGE;
			break;
		}
		if ((ret = uvs_ctl_exec(&c, &cmd, &err)) < 0) {
			fprintf(stderr, "%s: line %u: %s\n", prog, n, err.msg);
			status = EXIT_REFUSED;
			break;
		}
	}
	free(line);
	uvs_ctl_close(&c);
	return status;
}

static int zero(int argc, char **argv)
{
	struct uvs_ctl_client c;
	struct uvs_error err;
	struct uvs_svc_key key;
	int ret = parse_service(argc, argv, &key);

	if (ret < 0)
		return EXIT_USAGE;
	connect_or_die(&c);
	ret = uvs_ctl_zero(&c, ret == 0 ? &key : NULL, &err);
	uvs_ctl_close(&c);
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct uvs_ctl_client c;
	struct uvs_adm_cmd cmd;
	struct uvs_error err;
	const char *first = argc > 1 ? argv[1] : "";
	int ret;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(first, "-h") || !strcmp(first, "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(first, "-v") || !strcmp(first, "--version")) {
		printf("%s\n", UVSADM_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(first, "-L") || !strcmp(first, "-l") || !strcmp(first, "--list"))
		return list(argc - 2, argv + 2);
	if (!strncmp(first, "-L", 2) || !strncmp(first, "-l", 2)) {
		/* Bundled short options such as -Ln. */
		static char opts[32][3];
		char *rest[64];
		int n = 0;
		for (const char *p = first + 2; *p && n < 32; p++) {
			snprintf(opts[n], sizeof(opts[n]), "-%c", *p);
			rest[n] = opts[n];
			n++;
		}
		for (int i = 2; i < argc && n < 64; i++)
			rest[n++] = argv[i];
		return list(n, rest);
	}
	if (!strcmp(first, "-S") || !strcmp(first, "--save"))
		return save();
	if (!strcmp(first, "-R") || !strcmp(first, "--restore"))
		return restore();
	if (!strcmp(first, "-Z") || !strcmp(first, "--zero"))
		return zero(argc - 2, argv + 2);
	if (!strcmp(first, "--start-daemon") || !strcmp(first, "--stop-daemon")) {
		fprintf(stderr, "%s: the connection sync daemon is not available in uvsd yet\n",
			prog);
		return EXIT_REFUSED;
	}
	ret = uvs_adm_parse_argv(argc - 1, argv + 1, &cmd, &err);
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return EXIT_USAGE;
	}
	connect_or_die(&c);
	ret = uvs_ctl_exec(&c, &cmd, &err);
	uvs_ctl_close(&c);
	if (ret < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return EXIT_REFUSED;
	}
	return EXIT_OK;
}
