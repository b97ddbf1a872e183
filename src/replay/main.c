// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvs-replay RULES IN.pcap OUT.pcap: loads an `ipvsadm -S -n` rule file, runs every
 * frame of IN.pcap through the engine with the capture's timestamps as the clock
 * (replay.h), writes every frame the engine sends to OUT.pcap, and prints
 * `ipvsadm -L -n` and `ipvsadm -L -n --stats` with the run's counters (what was passed
 * or dropped, and why, goes to stderr). Any error, writing included, exits 1 with a
 * message naming the file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/list.h"
#include "adm/rules.h"
#include "replay/replay.h"

#define MIN_MTU 68    /* IPv4's minimum */
#define MAX_MTU 65535 /* the largest IP packet */

static int parse_addr_any(const char *text, int *af, union uvs_addr *a)
{
	if (uvs_addr_parse(AF_INET, text, a) == 0) {
		*af = AF_INET;
		return 0;
	}
	if (uvs_addr_parse(AF_INET6, text, a) == 0) {
		*af = AF_INET6;
		return 0;
	}
	return -1;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	FILE *mem = open_memstream(&text, &len);
	if (mem) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			fwrite(buf, 1, n, mem);
		fclose(mem);
	}
	fclose(f);
	return text;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: uvs-replay [options] RULES IN.pcap OUT.pcap\n"
		"  RULES is in `ipvsadm -S -n` format; frames the director sends go to OUT.pcap.\n"
		"  --mtu N              MTU of every path (default 1500)\n"
		"  --director ADDR      the director's IPv4 or IPv6 address (tunnel source;\n"
		"                       frames from it are martian);\n"
		"                       defaults 192.0.2.254 and 2001:db8::fe\n"
		"  --mark ADDR=MARK     frames to ADDR carry firewall mark MARK (fwmark services)\n"
		"  --ftp-ports LIST     the FTP helper's ports, up to 8 separated by commas;\n"
		"                       0: none (default 21)\n"
		"  --syn-proxy          answer TCP SYNs with SYN cookies, as uvsd --syn-proxy,\n"
		"                       under a fixed key (SipHash's test key 00..0f)\n"
		"  --help\n");
}

static int parse_mark(struct uvs_replay *r, char *arg)
{
	char *end, *eq = strchr(arg, '=');

	if (!eq || r->nmarks == sizeof(r->marks) / sizeof(r->marks[0])) {
		fprintf(stderr, "uvs-replay: bad --mark '%s' (ADDR=MARK)\n", arg);
		return -1;
	}
	*eq = 0;
	struct uvs_replay_mark *m = &r->marks[r->nmarks];
	m->mark = (uint32_t)strtoul(eq + 1, &end, 0);
	if (parse_addr_any(arg, &m->af, &m->addr) < 0 || *end || !m->mark) {
		fprintf(stderr, "uvs-replay: bad --mark '%s=%s' (ADDR=MARK)\n", arg, eq + 1);
		return -1;
	}
	r->nmarks++;
	return 0;
}

static int parse_options(struct uvs_replay *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mtu", required_argument, NULL, 'M' },
		{ "director", required_argument, NULL, 'd' },
		{ "mark", required_argument, NULL, 'm' },
		{ "ftp-ports", required_argument, NULL, 'f' },
		{ "syn-proxy", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, af;
	union uvs_addr a;
	struct uvs_error err;
	char *end;

	uvs_replay_defaults(r);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'M':
			r->mtu = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || r->mtu < MIN_MTU || r->mtu > MAX_MTU) {
				fprintf(stderr, "uvs-replay: bad --mtu '%s' (68..65535)\n", optarg);
				return -1;
			}
			break;
		case 'd':
			if (parse_addr_any(optarg, &af, &a) < 0) {
				fprintf(stderr, "uvs-replay: bad --director address '%s'\n",
					optarg);
				return -1;
			}
			*(af == AF_INET ? &r->director4 : &r->director6) = a;
			break;
		case 'm':
			if (parse_mark(r, optarg) < 0)
				return -1;
			break;
		case 'f':
			if (uvs_ftp_ports_parse(optarg, r->ftp_ports, &r->nftp_ports, &err) < 0) {
				fprintf(stderr, "uvs-replay: --ftp-ports: %s\n", err.msg);
				return -1;
			}
			break;
		case 'S':
			r->syn_proxy = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (argc - optind != 3) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* The two listings on standard output, which is then closed so that a write error
 * anywhere shows. Returns 0 or -1 (with a message). */
static int print_listings(struct uvs_replay *r)
{
	/* A real server at a --director address lists as Local. */
	struct uvs_adm_list_opts lo = { .fmt = UVS_ADM_LIST_PLAIN,
					.conn_tab_size = 1u << UVS_REPLAY_TABLE_BITS,
					.local_engine = &r->engine };
	int rc = uvs_adm_list(stdout, &r->model, &lo, NULL);

	lo.fmt = UVS_ADM_LIST_STATS;
	if (rc == 0)
		rc = uvs_adm_list(stdout, &r->model, &lo, NULL);
	if (rc == -ENOMEM) {
		fprintf(stderr, "uvs-replay: out of memory\n");
		fclose(stdout);
		return -1;
	}
	/* Any other failure is a write error, and stdout's error flag says so. */
	errno = 0;
	rc = fflush(stdout) != 0 || ferror(stdout) ? -1 : 0;
	if (fclose(stdout) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "uvs-replay: standard output: %s\n",
			errno ? strerror(errno) : "write error");
	return rc;
}

/* Loads the rules into r, runs in_path through it into out_path. Returns 0 or -1 (with
 * a message); the listings are not printed. */
static int run(struct uvs_replay *r, const char *rules_path, const char *in_path,
	       const char *out_path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct uvs_adm_error rerr;
	struct uvs_pcap_out out;
	char *rules = read_file(rules_path);
	int rc;

	if (!rules) {
		fprintf(stderr, "uvs-replay: %s: %s\n", rules_path, strerror(errno));
		return -1;
	}
	rc = uvs_adm_apply(&r->model, &r->engine.timeouts, rules, &rerr);
	free(rules);
	if (rc < 0) {
		fprintf(stderr, "uvs-replay: %s: %s\n", rules_path, rerr.msg);
		return -1;
	}
	pcap_t *in = pcap_open_offline_with_tstamp_precision(in_path, PCAP_TSTAMP_PRECISION_NANO,
							     errbuf);
	if (!in) {
		fprintf(stderr, "uvs-replay: %s\n", errbuf);
		return -1;
	}
	rc = uvs_pcap_out_open(&out, out_path, UVS_REPLAY_MAX_FRAME + UVS_REPLAY_TAILROOM);
	if (rc < 0) {
		fprintf(stderr, "uvs-replay: %s: %s\n", out_path, strerror(-rc));
		uvs_pcap_out_close(&out);
		pcap_close(in);
		return -1;
	}
	if (uvs_replay_frames(r, in, in_path, &out) < 0) {
		fprintf(stderr, "uvs-replay: %s\n", r->error);
		uvs_pcap_out_close(&out);
		pcap_close(in);
		return -1;
	}
	pcap_close(in);
	rc = uvs_pcap_out_close(&out);
	if (rc < 0) {
		fprintf(stderr, "uvs-replay: %s: %s\n", out_path, strerror(-rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct uvs_replay r;
	int status = 1;

	if (parse_options(&r, argc, argv) < 0)
		return 2;
	rcu_register_thread();
	if (uvs_replay_init(&r) < 0) {
		fprintf(stderr, "uvs-replay: %s\n", r.error);
		goto done;
	}
	if (run(&r, argv[optind], argv[optind + 1], argv[optind + 2]) == 0) {
		uvs_replay_print_counters(&r, stderr);
		if (print_listings(&r) == 0)
			status = 0;
	}
	uvs_replay_destroy(&r);
done:
	rcu_unregister_thread();
	return status;
}
