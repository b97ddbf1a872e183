// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for capture files: each input is a pcap file, run by
 * uvs_replay_frames (uvs-replay's own frame loop, src/replay/replay.h) through a
 * director that serves NAT, DR, tunnelled, persistent, one-packet and fwmark services
 * over IPv4 and IPv6. Inputs reach what only a file can say: records longer than any
 * frame, records cut short or claiming more than the frame had, timestamps that jump
 * by years or go back, either byte order and timestamp precision. The frames the
 * engine sends go to /dev/null.
 *
 * The same director serves DIRECTOR_INPUTS inputs in a row, so an input also meets
 * connections that earlier ones left (to reproduce a crash that needs them, run the
 * inputs before it too): setting one up and tearing it down for every input waits for
 * RCU grace periods and would slow fuzzing 50-fold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "adm/rules.h"
#include "replay/replay.h"

#define DIRECTOR_INPUTS 1000

static const char rules[] =
	"-A -t 10.0.0.1:80 -s wlc\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.12:8080 -m -w 2\n"
	"-A -u 10.0.0.1:53 -s rr -o\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.12:53 -m -w 1\n"
	"-A -t 10.0.0.2:443 -s sh -p 30 -M 255.255.255.0\n"
	"-a -t 10.0.0.2:443 -r 192.168.0.13:443 -g -w 1\n"
	"-a -t 10.0.0.2:443 -r 192.168.0.14:443 -i -w 1 --tun-type gue --tun-port 6080\n"
	"-A -f 7 -s rr -p 30\n"
	"-a -f 7 -r 192.168.0.15:0 -i -w 1 --tun-type gre --tun-csum\n"
	"-A -t [2001:db8::1]:80 -s mh\n"
	"-a -t [2001:db8::1]:80 -r [2001:db8:1::11]:80 -m -w 1\n"
	"-a -t [2001:db8::1]:80 -r [2001:db8:1::12]:80 -i -w 1\n"
	"-A -u [2001:db8::1]:53 -s lblcr\n"
	"-a -u [2001:db8::1]:53 -r 192.168.0.16:53 -i -w 1\n";

static struct uvs_replay r;
static unsigned inputs; /* since the director was set up */

/* A director serving `rules`, with 10.0.0.3 marked 7. */
static void setup(void)
{
	struct uvs_adm_error err;

	uvs_replay_defaults(&r);
	uvs_addr_parse(AF_INET, "10.0.0.3", &r.marks[0].addr);
	r.marks[0].af = AF_INET;
	r.marks[0].mark = 7;
	r.nmarks = 1;
	if (uvs_replay_init(&r) < 0)
		abort();
	if (uvs_adm_apply(&r.model, &r.engine.timeouts, rules, &err) < 0) {
		fprintf(stderr, "fuzz_capture: rules: %s\n", err.msg);
		abort();
	}
	inputs = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct uvs_pcap_out out;

	if (!r.engine.workers) {
		rcu_register_thread();
		setup();
	} else if (++inputs == DIRECTOR_INPUTS) {
		uvs_replay_destroy(&r);
		setup();
	}
	if (!size)
		return 0; /* fmemopen refuses an empty buffer */
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		abort();
	pcap_t *in =
		pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in) {
		fclose(f);
		return 0; /* not a capture file: libpcap's business, not uvs's */
	}
	/* A new run of uvs-replay as far as the capture's clock goes. */
	r.next_estimate = 0;
	if (uvs_pcap_out_open(&out, "/dev/null", UVS_REPLAY_MAX_FRAME + UVS_REPLAY_TAILROOM) < 0)
		abort();
	uvs_replay_frames(&r, in, "input", &out); /* a bad record ends the run: fine */
	if (uvs_pcap_out_close(&out) < 0)
		abort();
	pcap_close(in);
	return 0;
}
