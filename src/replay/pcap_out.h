/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes an Ethernet capture in the pcap format with nanosecond timestamps, and
 * reports every write error, including those that only show when the file is flushed
 * and closed (libpcap's dumper drops the result of fclose).
 */
#ifndef UVS_REPLAY_PCAP_OUT_H
#define UVS_REPLAY_PCAP_OUT_H

#include <stdint.h>
#include <stdio.h>

struct uvs_pcap_out {
	FILE *f;
	const char *path; /* for messages; the caller keeps it alive */
};

/* Creates (or truncates) path and writes the file header; frames up to snaplen bytes
 * follow. Returns 0 or -errno. */
int uvs_pcap_out_open(struct uvs_pcap_out *o, const char *path, uint32_t snaplen);

/* Appends one frame with its timestamp. Returns 0 or -errno (the file stays open:
 * close it). */
int uvs_pcap_out_frame(struct uvs_pcap_out *o, uint32_t sec, uint32_t nsec, const uint8_t *data,
		       uint32_t len);

/* Flushes and closes the file; o->f is NULL afterwards. Returns 0, or -errno of the
 * first error seen since it was opened. */
int uvs_pcap_out_close(struct uvs_pcap_out *o);

#endif
