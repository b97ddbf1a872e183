// SPDX-License-Identifier: GPL-2.0-or-later
#include "capture.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 256
#define MAX_LEN	   2304

static struct {
	uint8_t data[MAX_LEN];
	uint32_t len;
	const char *what;
	bool quote_cut;
} frames[MAX_FRAMES];
static int nframes;

void capture_add(const uint8_t *frame, uint32_t len, const char *what, bool quote_cut)
{
	if (nframes == MAX_FRAMES || len > MAX_LEN)
		abort();
	memcpy(frames[nframes].data, frame, len);
	frames[nframes].len = len;
	frames[nframes].what = what;
	frames[nframes].quote_cut = quote_cut;
	nframes++;
}

int capture_count(void)
{
	return nframes;
}

static int write_pcap(const char *path)
{
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pc ? pcap_dump_open(pc, path) : NULL;

	if (!d) {
		fprintf(stderr, "capture: cannot write %s: %s\n", path,
			pc ? pcap_geterr(pc) : "pcap_open_dead");
		if (pc)
			pcap_close(pc);
		return -1;
	}
	for (int i = 0; i < nframes; i++) {
		struct pcap_pkthdr h = { .caplen = frames[i].len, .len = frames[i].len };
		h.ts.tv_sec = i; /* one a second, so a frame's time names it */
		pcap_dump((u_char *)d, &h, frames[i].data);
	}
	pcap_dump_close(d);
	pcap_close(pc);
	return 0;
}

/*
 * The fields tshark prints per frame, tab-separated, every occurrence (the embedded
 * packets of ICMP errors included) joined by commas. A checksum status of 0 is "bad"
 * (Wireshark's PROTO_CHECKSUM_E_BAD) and 4 "illegal" (e.g. a zero UDP checksum over
 * IPv6); expert severities from 0x00600000 up are warnings and errors.
 */
enum { F_NUM, F_MALFORMED, F_SEVERITY, F_GROUP, F_IP, F_TCP, F_UDP, F_ICMP, F_ICMP6, F_GRE, NF };
static const char *const fields[NF] = {
	"frame.number",	       "_ws.malformed",	       "_ws.expert.severity",
	"_ws.expert.group",    "ip.checksum.status",   "tcp.checksum.status",
	"udp.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status",
	"gre.checksum.status",
};
#define PI_SEVERITY_WARN  0x00600000
#define PI_GROUP_CHECKSUM 0x01000000

/* The n-th comma-separated number of list, or -1. */
static long nth(const char *list, int n)
{
	for (; n > 0 && list; n--)
		list = strchr(list, ',') ? strchr(list, ',') + 1 : NULL;
	return list && *list ? strtol(list, NULL, 0) : -1;
}

/* What is wrong with one frame's fields; NULL if nothing. */
static const char *judge(char *const *v, bool quote_cut)
{
	if (*v[F_MALFORMED])
		return "malformed";
	for (int i = 0; nth(v[F_SEVERITY], i) >= 0; i++) {
		/* A cut quote's L4 checksum cannot be verified, yet tshark computes it over
		 * the bytes it has: its checksum notes are left to the status fields. */
		if (quote_cut && nth(v[F_GROUP], i) == PI_GROUP_CHECKSUM)
			continue;
		if (nth(v[F_SEVERITY], i) >= PI_SEVERITY_WARN)
			return "expert warning or error";
	}
	for (int f = F_IP; f < NF; f++) {
		if (quote_cut && (f == F_TCP || f == F_UDP))
			continue;
		for (int i = 0; nth(v[f], i) >= 0; i++)
			if (nth(v[f], i) == 0 || nth(v[f], i) == 4)
				return fields[f];
	}
	return NULL;
}

int capture_check(const char *path)
{
	char cmd[2048], line[4096];
	int bad = 0, seen = 0;
	FILE *out;

	if (write_pcap(path) < 0)
		return -1;
	/* Checksums are checked when asked; TCP sequence analysis is off because the cases
	 * reuse flows out of order. */
	int n = snprintf(cmd, sizeof(cmd),
			 "tshark -n -r '%s' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
			 "-o udp.check_checksum:TRUE -o tcp.analyze_sequence_numbers:FALSE "
			 "-T fields -E separator=/t -E occurrence=a -E aggregator=,",
			 path);
	for (int f = 0; f < NF; f++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " -e %s", fields[f]);
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, " 2>/dev/null");
	out = popen(cmd, "r");
	if (!out)
		return -1;
	while (fgets(line, sizeof(line), out)) {
		char *v[NF], *rest = line;
		int num;

		line[strcspn(line, "\n")] = '\0';
		/* strsep keeps empty fields, unlike strtok. */
		for (int f = 0; f < NF; f++) {
			v[f] = strsep(&rest, "\t");
			if (!v[f])
				v[f] = "";
		}
		num = atoi(v[F_NUM]);
		if (num < 1 || num > nframes)
			break;
		const char *why = judge(v, frames[num - 1].quote_cut);
		if (why) {
			fprintf(stderr, "tshark: frame %d (%s): %s\n", num, frames[num - 1].what,
				why);
			for (int f = 1; f < NF; f++)
				fprintf(stderr, "    %s=%s\n", fields[f], v[f]);
			bad++;
		}
		seen++;
	}
	if (pclose(out) != 0 || seen != nframes) {
		fprintf(stderr, "tshark answered for %d of %d frames\n", seen, nframes);
		return -1;
	}
	return bad;
}
