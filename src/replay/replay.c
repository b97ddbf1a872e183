// SPDX-License-Identifier: GPL-2.0-or-later
#include "replay/replay.h"

#include <errno.h>
#include <string.h>

static const uint8_t director_mac[6] = { 0x02, 0, 0, 0, 0, 0xfe };

static const char *const drop_names[] = {
#define X(name, text) text,
	UVS_REPLAY_DROPS(X)
#undef X
};

static uvs_time_t replay_clock(void *arg)
{
	return ((struct uvs_replay *)arg)->now;
}

static int replay_route(void *arg, int af, const union uvs_addr *next_hop, struct uvs_route *out)
{
	struct uvs_replay *r = arg;
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

/* The fwmark a frame would carry: the first mark whose address is its destination. */
/* The mark --mark gives frame: by its destination address. The parser only reads the
 * frame (it takes it writable for the rewrites that follow a parse). */
static uint32_t frame_mark(const struct uvs_replay *r, uint8_t *frame, uint32_t len)
{
	struct uvs_pkt p;

	if (!r->nmarks)
		return 0;
	enum uvs_pkt_reason why = uvs_pkt_parse(frame, len, &p);
	if (why != UVS_PKT_OK && why != UVS_PKT_IP4_BAD_LENGTH && why != UVS_PKT_IP6_BAD_LENGTH &&
	    why != UVS_PKT_TCP_TRUNCATED && why != UVS_PKT_UDP_TRUNCATED && why != UVS_PKT_FRAGMENT)
		return 0;
	for (unsigned i = 0; i < r->nmarks; i++)
		if (r->marks[i].af == p.af && uvs_addr_eq(&r->marks[i].addr, &p.daddr))
			return r->marks[i].mark;
	return 0;
}

void uvs_replay_defaults(struct uvs_replay *r)
{
	r->mtu = 1500;
	uvs_addr_parse(AF_INET, "192.0.2.254", &r->director4);
	uvs_addr_parse(AF_INET6, "2001:db8::fe", &r->director6);
	r->nmarks = 0;
	r->ftp_ports[0] = htons(UVS_FTP_PORT);
	r->nftp_ports = 1;
}

int uvs_replay_init(struct uvs_replay *r)
{
	struct uvs_engine_config cfg;

	r->now = r->next_estimate = 0;
	r->frames = 0;
	memset(r->drops, 0, sizeof(r->drops));
	if (uvs_model_init(&r->model, 1) < 0) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	uvs_model_set_clock(&r->model, replay_clock, r);
	uvs_engine_config_default(&cfg);
	cfg.route = replay_route;
	cfg.route_arg = r;
	cfg.table_bits = UVS_REPLAY_TABLE_BITS;
	memcpy(cfg.ftp_ports, r->ftp_ports, sizeof(cfg.ftp_ports));
	cfg.nftp_ports = r->nftp_ports;
	cfg.syn_proxy = r->syn_proxy;
	if (uvs_engine_init(&r->engine, &r->model, &cfg) < 0) {
		snprintf(r->error, sizeof(r->error), "cannot set up the engine");
		uvs_model_destroy(&r->model);
		return -1;
	}
	r->engine.defence.cookie_key =
		(struct uvs_siphash_key){ UVS_REPLAY_COOKIE_KEY0, UVS_REPLAY_COOKIE_KEY1 };
	/* The director's addresses: frames from them are martian (core/martian.h). */
	struct uvs_host_addr director[2] = { { AF_INET, r->director4 },
					     { AF_INET6, r->director6 } };
	if (uvs_worker_init(&r->worker, &r->engine, 0) < 0 ||
	    uvs_engine_set_host_addrs(&r->engine, director, 2) < 0) {
		snprintf(r->error, sizeof(r->error), "cannot set up the engine");
		uvs_engine_destroy(&r->engine);
		uvs_model_destroy(&r->model);
		return -1;
	}
	return 0;
}

void uvs_replay_destroy(struct uvs_replay *r)
{
	uvs_engine_destroy(&r->engine);
	uvs_model_destroy(&r->model);
}

/* Steps the rate estimator once for every 2 s of capture time up to r->now, in one go
 * however long the gap since the last frame. */
static void estimate_until_now(struct uvs_replay *r)
{
	const uvs_time_t interval = UVS_EST_INTERVAL_S * UVS_NS_PER_SEC;

	if (!r->next_estimate)
		r->next_estimate = r->now + interval;
	if (r->now < r->next_estimate)
		return;
	uint64_t steps = (r->now - r->next_estimate) / interval + 1;
	uvs_model_estimate_steps(&r->model, steps);
	r->next_estimate += steps * interval;
}

/* Whether the engine can take the frame of a record, and the drop if not. */
static int record_drop(const struct pcap_pkthdr *h)
{
	if (h->len > UVS_REPLAY_MAX_FRAME || h->caplen > UVS_REPLAY_MAX_FRAME)
		return UVS_REPLAY_DROP_TOO_LONG;
	if (h->caplen < h->len)
		return UVS_REPLAY_DROP_TRUNCATED;
	if (h->caplen > h->len)
		return UVS_REPLAY_DROP_BAD_CAPLEN;
	return -1;
}

int uvs_replay_frames(struct uvs_replay *r, pcap_t *in, const char *in_name,
		      struct uvs_pcap_out *out)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (pcap_datalink(in) != DLT_EN10MB) {
		snprintf(r->error, sizeof(r->error), "%s: not an Ethernet capture (link type %s)",
			 in_name, pcap_datalink_val_to_name(pcap_datalink(in)));
		return -1;
	}
	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		r->frames++;
		/* Nanosecond timestamps: the file was opened with nanosecond precision. */
		r->now = (uvs_time_t)h->ts.tv_sec * UVS_NS_PER_SEC + (uvs_time_t)h->ts.tv_usec;
		estimate_until_now(r);
		int drop = record_drop(h);
		if (drop >= 0) {
			r->drops[drop]++;
			continue;
		}
		struct uvs_frame f = {
			.data = r->buf + UVS_FRAME_HEADROOM,
			.len = h->caplen,
			.headroom = UVS_FRAME_HEADROOM,
			.tailroom = (uint32_t)(sizeof(r->buf) - UVS_FRAME_HEADROOM - h->caplen),
			.ifindex = 1,
		};
		memcpy(f.data, data, h->caplen);
		f.fwmark = frame_mark(r, f.data, f.len);
		uvs_engine_process(&r->worker, &f, 1, r->now);
		/* The frame, then what the engine made of it (fragments, a datagram it
		 * reassembled), all at the frame's time. */
		struct uvs_frame *made;
		unsigned nmade = uvs_worker_out(&r->worker, &made);
		for (unsigned i = 0; i <= nmade; i++) {
			const struct uvs_frame *o = i ? &made[i - 1] : &f;
			if (o->verdict != UVS_VERDICT_TX)
				continue;
			int err = uvs_pcap_out_frame(out, (uint32_t)h->ts.tv_sec,
						     (uint32_t)h->ts.tv_usec, o->data, o->len);
			if (err < 0) {
				snprintf(r->error, sizeof(r->error), "%s: %s", out->path,
					 strerror(-err));
				return -1;
			}
		}
	}
	if (rc == -1) {
		snprintf(r->error, sizeof(r->error), "%s: reading frames: %s", in_name,
			 pcap_geterr(in));
		return -1;
	}
	return 0;
}

void uvs_replay_print_counters(const struct uvs_replay *r, FILE *f)
{
	uint64_t counters[UVS_R_COUNT], tx;

	uvs_engine_counters(&r->engine, counters, &tx);
	fprintf(f, "uvs-replay: %llu frames in, %llu sent\n", (unsigned long long)r->frames,
		(unsigned long long)tx);
	for (unsigned i = 0; i < UVS_R_COUNT; i++)
		if (counters[i])
			fprintf(f, "  %-20s %llu\n", uvs_reason_name(i),
				(unsigned long long)counters[i]);
	for (unsigned i = 0; i < UVS_REPLAY_DROP_COUNT; i++)
		if (r->drops[i])
			fprintf(f, "  %-20s %llu\n", drop_names[i],
				(unsigned long long)r->drops[i]);
}
