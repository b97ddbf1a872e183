// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvs-replay RULES IN.pcap OUT.pcap: loads an `ipvsadm -S -n` rule file, runs every
 * frame of IN.pcap through the engine with the capture's timestamps as the clock,
 * writes every frame the engine sends to OUT.pcap, and prints `ipvsadm -L -n` and
 * `ipvsadm -L -n --stats` with the run's counters (what was passed or dropped, and
 * why, goes to stderr).
 *
 * The network around the director is imaginary and fixed: every next hop is on one
 * link with the given MTU; a next hop's MAC address is 02:00 followed by the last four
 * bytes of its IP address; the director's own MAC is 02:00:00:00:00:fe and its
 * addresses (tunnel sources) are given by --director.
 */
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/list.h"
#include "adm/rules.h"
#include "core/engine.h"
#include "core/model.h"

#define MAX_FRAME 65535
#define TAILROOM  2048

struct replay {
	struct uvs_model model;
	struct uvs_engine engine;
	struct uvs_worker worker;
	uvs_time_t now;
	uint32_t mtu;
	union uvs_addr director4, director6;
	struct mark {
		int af;
		union uvs_addr addr;
		uint32_t mark;
	} marks[16];
	unsigned nmarks;
};

static const uint8_t director_mac[6] = { 0x02, 0, 0, 0, 0, 0xfe };

static uvs_time_t replay_clock(void *arg)
{
	return ((struct replay *)arg)->now;
}

static int replay_route(void *arg, int af, const union uvs_addr *next_hop, struct uvs_route *out)
{
	struct replay *r = arg;
	const uint8_t *a = af == AF_INET6 ? &next_hop->ip6[12] : next_hop->ip6;

	memset(out, 0, sizeof(*out));
	out->ifindex = 1;
	out->mtu = r->mtu;
	out->src = af == AF_INET6 ? r->director6 : r->director4;
	memcpy(out->src_mac, director_mac, 6);
	out->dst_mac[0] = 0x02;
	memcpy(&out->dst_mac[2], a, 4);
	return 0;
}

/* The fwmark a frame would carry: the first --mark whose address is its destination. */
static uint32_t frame_mark(const struct replay *r, const uint8_t *frame, uint32_t len)
{
	struct uvs_pkt p;
	uint8_t copy[128];
	uint32_t n = len < sizeof(copy) ? len : sizeof(copy);

	if (!r->nmarks)
		return 0;
	memcpy(copy, frame, n); /* the parser wants a writable frame; headers suffice */
	enum uvs_pkt_reason why = uvs_pkt_parse(copy, n, &p);
	if (why != UVS_PKT_OK && why != UVS_PKT_IP4_BAD_LENGTH && why != UVS_PKT_IP6_BAD_LENGTH &&
	    why != UVS_PKT_TCP_TRUNCATED && why != UVS_PKT_UDP_TRUNCATED)
		return 0;
	for (unsigned i = 0; i < r->nmarks; i++)
		if (r->marks[i].af == p.af && uvs_addr_eq(&r->marks[i].addr, &p.daddr))
			return r->marks[i].mark;
	return 0;
}

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
		"                       frames from it are martian); defaults 192.0.2.254\n"
		"                       and 2001:db8::fe\n"
		"  --mark ADDR=MARK     frames to ADDR carry firewall mark MARK (fwmark services)\n"
		"  --help\n");
}

static int parse_options(struct replay *r, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mtu", required_argument, NULL, 'M' },
		{ "director", required_argument, NULL, 'd' },
		{ "mark", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, af;
	union uvs_addr a;
	char *end, *eq;

	r->mtu = 1500;
	uvs_addr_parse(AF_INET, "192.0.2.254", &r->director4);
	uvs_addr_parse(AF_INET6, "2001:db8::fe", &r->director6);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'M':
			r->mtu = (uint32_t)strtoul(optarg, &end, 10);
			if (*end || r->mtu < 68 || r->mtu > MAX_FRAME) {
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
			eq = strchr(optarg, '=');
			if (!eq || r->nmarks == sizeof(r->marks) / sizeof(r->marks[0])) {
				fprintf(stderr, "uvs-replay: bad --mark '%s' (ADDR=MARK)\n",
					optarg);
				return -1;
			}
			*eq = 0;
			struct mark *m = &r->marks[r->nmarks];
			m->mark = (uint32_t)strtoul(eq + 1, &end, 0);
			if (parse_addr_any(optarg, &m->af, &m->addr) < 0 || *end || !m->mark) {
				fprintf(stderr, "uvs-replay: bad --mark '%s=%s' (ADDR=MARK)\n",
					optarg, eq + 1);
				return -1;
			}
			r->nmarks++;
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

/* Runs every frame of in through the engine; sent frames go to out. Returns the
 * number of frames read, or -1. */
static long replay_frames(struct replay *r, pcap_t *in, pcap_dumper_t *out)
{
	static uint8_t buf[UVS_FRAME_HEADROOM + MAX_FRAME + TAILROOM];
	struct pcap_pkthdr *h;
	const u_char *data;
	uvs_time_t next_estimate = 0;
	long frames = 0;
	int rc;

	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		struct uvs_frame f = {
			.data = buf + UVS_FRAME_HEADROOM,
			.len = h->caplen,
			.headroom = UVS_FRAME_HEADROOM,
			.tailroom = sizeof(buf) - UVS_FRAME_HEADROOM - h->caplen,
			.ifindex = 1,
		};

		/* Nanosecond timestamps: the file was opened with nanosecond precision. */
		r->now = (uvs_time_t)h->ts.tv_sec * UVS_NS_PER_SEC + (uvs_time_t)h->ts.tv_usec;
		if (!next_estimate)
			next_estimate = r->now + UVS_EST_INTERVAL_S * UVS_NS_PER_SEC;
		while (r->now >= next_estimate) {
			uvs_model_estimate(&r->model);
			next_estimate += UVS_EST_INTERVAL_S * UVS_NS_PER_SEC;
		}
		memcpy(f.data, data, h->caplen);
		f.fwmark = frame_mark(r, f.data, f.len);
		uvs_engine_process(&r->worker, &f, 1, r->now);
		if (f.verdict == UVS_VERDICT_TX) {
			struct pcap_pkthdr oh = *h;
			oh.caplen = oh.len = f.len;
			pcap_dump((u_char *)out, &oh, f.data);
		}
		frames++;
	}
	if (rc == -1) {
		fprintf(stderr, "uvs-replay: reading frames: %s\n", pcap_geterr(in));
		return -1;
	}
	return frames;
}

static void print_counters(const struct replay *r, long frames)
{
	uint64_t counters[UVS_R_COUNT], tx;

	uvs_engine_counters(&r->engine, counters, &tx);
	fprintf(stderr, "uvs-replay: %ld frames in, %llu sent\n", frames, (unsigned long long)tx);
	for (unsigned i = 0; i < UVS_R_COUNT; i++)
		if (counters[i])
			fprintf(stderr, "  %-20s %llu\n", uvs_reason_name(i),
				(unsigned long long)counters[i]);
}

int main(int argc, char **argv)
{
	static struct replay r;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct uvs_engine_config cfg;
	pcap_t *in = NULL, *dead = NULL;
	pcap_dumper_t *out = NULL;
	char *rules = NULL;
	long frames;
	int status = 1;

	if (parse_options(&r, argc, argv) < 0)
		return 2;
	const char *rules_path = argv[optind], *in_path = argv[optind + 1],
		   *out_path = argv[optind + 2];

	rcu_register_thread();
	if (uvs_model_init(&r.model, 1) < 0) {
		fprintf(stderr, "uvs-replay: out of memory\n");
		goto done;
	}
	uvs_model_set_clock(&r.model, replay_clock, &r);
	uvs_engine_config_default(&cfg);
	cfg.route = replay_route;
	cfg.route_arg = &r;
	cfg.table_bits = 12;
	if (uvs_engine_init(&r.engine, &r.model, &cfg) < 0 ||
	    uvs_worker_init(&r.worker, &r.engine, 0) < 0) {
		fprintf(stderr, "uvs-replay: cannot set up the engine\n");
		goto done_model;
	}
	/* The director's addresses: frames from them are martian (core/martian.h). */
	struct uvs_host_addr director[2] = { { AF_INET, r.director4 }, { AF_INET6, r.director6 } };
	if (uvs_engine_set_host_addrs(&r.engine, director, 2) < 0) {
		fprintf(stderr, "uvs-replay: out of memory\n");
		goto done_engine;
	}
	rules = read_file(rules_path);
	if (!rules) {
		fprintf(stderr, "uvs-replay: %s: %s\n", rules_path, strerror(errno));
		goto done_engine;
	}
	struct uvs_adm_error rerr;
	if (uvs_adm_apply(&r.model, &r.engine.timeouts, rules, &rerr) < 0) {
		fprintf(stderr, "uvs-replay: %s: %s\n", rules_path, rerr.msg);
		goto done_engine;
	}
	in = pcap_open_offline_with_tstamp_precision(in_path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in) {
		fprintf(stderr, "uvs-replay: %s\n", errbuf);
		goto done_engine;
	}
	if (pcap_datalink(in) != DLT_EN10MB) {
		fprintf(stderr, "uvs-replay: %s: not an Ethernet capture (link type %s)\n", in_path,
			pcap_datalink_val_to_name(pcap_datalink(in)));
		goto done_engine;
	}
	dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, MAX_FRAME,
						    PCAP_TSTAMP_PRECISION_NANO);
	out = dead ? pcap_dump_open(dead, out_path) : NULL;
	if (!out) {
		fprintf(stderr, "uvs-replay: %s: %s\n", out_path,
			dead ? pcap_geterr(dead) : "out of memory");
		goto done_engine;
	}
	frames = replay_frames(&r, in, out);
	if (frames < 0)
		goto done_engine;
	pcap_dump_flush(out);
	print_counters(&r, frames);
	struct uvs_adm_list_opts lo = { .fmt = UVS_ADM_LIST_PLAIN,
					.conn_tab_size = 1u << cfg.table_bits };
	status = 0;
	if (uvs_adm_list(stdout, &r.model, &lo, NULL) < 0)
		status = 1;
	lo.fmt = UVS_ADM_LIST_STATS;
	if (uvs_adm_list(stdout, &r.model, &lo, NULL) < 0 || fflush(stdout) != 0)
		status = 1;
done_engine:
	if (out)
		pcap_dump_close(out);
	if (dead)
		pcap_close(dead);
	if (in)
		pcap_close(in);
	free(rules);
	uvs_engine_destroy(&r.engine);
done_model:
	uvs_model_destroy(&r.model);
done:
	rcu_unregister_thread();
	return status;
}
