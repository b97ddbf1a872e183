/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvs-replay's director: an engine over a model whose clock is the capture's
 * timestamps, fed with the frames of a capture. uvs-replay's main() and the capture
 * fuzzer (fuzz/fuzz_capture.c) both run captures through here.
 *
 * The network around the director is imaginary and fixed: every next hop is on one
 * link with the given MTU; a next hop's MAC address is 02:00 followed by the last four
 * bytes of its IP address; the director's own MAC is 02:00:00:00:00:fe and its
 * addresses (tunnel sources; frames from them are martian) are director4 and director6.
 */
#ifndef UVS_REPLAY_H
#define UVS_REPLAY_H

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

#include "core/engine.h"
#include "pkt/wire.h"
#include "replay/pcap_out.h"

/* The longest frame the engine is given: an Ethernet header with a VLAN tag and the
 * largest IPv6 packet (a 40-byte header and 65535 bytes of payload). */
#define UVS_REPLAY_MAX_FRAME                                                                       \
	(sizeof(struct ether_header) + sizeof(struct uvs_vlan_tag) + sizeof(struct ip6_hdr) + 65535)
/* Room after a frame for the engine to grow it (encapsulation, ICMP errors). */
#define UVS_REPLAY_TAILROOM 2048
/* Connection hash buckets: 2^12, shown as "size=4096" in listings. */
#define UVS_REPLAY_TABLE_BITS 12

/* Capture records uvs-replay does not give the engine, counted under these names. */
#define UVS_REPLAY_DROPS(X)                                                                        \
	X(TOO_LONG, "frame_too_long")	  /* the frame is over UVS_REPLAY_MAX_FRAME bytes */       \
	X(TRUNCATED, "frame_truncated")	  /* the capture holds only its start (caplen < len) */    \
	X(BAD_CAPLEN, "frame_bad_caplen") /* the record says more captured than sent */

enum uvs_replay_drop {
#define X(name, text) UVS_REPLAY_DROP_##name,
	UVS_REPLAY_DROPS(X)
#undef X
		UVS_REPLAY_DROP_COUNT
};

struct uvs_replay_mark {
	int af;
	union uvs_addr addr;
	uint32_t mark;
};

/* Large (the frame buffer is inside): make it static, never a local. */
struct uvs_replay {
	/* Set these before uvs_replay_init (uvs_replay_defaults gives the defaults). */
	uint32_t mtu;
	union uvs_addr director4, director6;
	struct uvs_replay_mark marks[16]; /* a frame to addr carries mark (fwmark services) */
	unsigned nmarks;
	uint16_t ftp_ports[UVS_FTP_PORTS_MAX]; /* the FTP helper's (network order) */
	unsigned nftp_ports;
	bool syn_proxy; /* --syn-proxy: cookies under UVS_REPLAY_COOKIE_KEY */

	struct uvs_model model;
	struct uvs_engine engine;
	struct uvs_worker worker;
	uvs_time_t now;		  /* the timestamp of the frame being handled */
	uvs_time_t next_estimate; /* when the rate estimator steps next; 0 before a frame */
	uint64_t frames;	  /* capture records read */
	uint64_t drops[UVS_REPLAY_DROP_COUNT];
	char error[PCAP_ERRBUF_SIZE + 256]; /* why uvs_replay_frames failed */
	uint8_t buf[UVS_FRAME_HEADROOM + UVS_REPLAY_MAX_FRAME + UVS_REPLAY_TAILROOM];
};

/* The SYN proxy's key in uvs-replay: fixed, so that a fixture can work the cookies
 * out (SipHash's test key, bytes 00..0f). */
#define UVS_REPLAY_COOKIE_KEY0 0x0706050403020100ull
#define UVS_REPLAY_COOKIE_KEY1 0x0f0e0d0c0b0a0908ull

/* MTU 1500, director addresses 192.0.2.254 and 2001:db8::fe, no marks, the FTP helper
 * on port 21. */
void uvs_replay_defaults(struct uvs_replay *r);

/* Sets up the model and the engine; the calling thread is registered with RCU and
 * uses r from now on. Returns 0, or -1 with the reason in r->error. */
int uvs_replay_init(struct uvs_replay *r);
/* Frees what uvs_replay_init set up. */
void uvs_replay_destroy(struct uvs_replay *r);

/*
 * Runs every frame of in (opened with nanosecond precision; in_name names it in
 * messages) through the engine at its timestamp, and appends each frame the engine
 * sends to out. Records the engine cannot take are counted in r->drops. Returns 0, or
 * -1 with the reason, naming the file, in r->error: in is not an Ethernet capture or
 * cannot be read, or out cannot be written (out is left open: close it).
 */
int uvs_replay_frames(struct uvs_replay *r, pcap_t *in, const char *in_name,
		      struct uvs_pcap_out *out);

/* "uvs-replay: N frames in, M sent", then each reason counted, one a line. */
void uvs_replay_print_counters(const struct uvs_replay *r, FILE *f);

#endif
