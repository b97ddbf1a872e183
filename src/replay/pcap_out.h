/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writes an Ethernet capture with nanosecond timestamps through libpcap's dumper, and
 * reports every write error: libpcap's pcap_dump() returns nothing and
 * pcap_dump_close() drops fclose's result, so errors are read from the stream after
 * each frame and from a last close of our own.
 */
#ifndef UVS_REPLAY_PCAP_OUT_H
#define UVS_REPLAY_PCAP_OUT_H

#include <pcap/pcap.h>
#include <stdint.h>

struct uvs_pcap_out {
	pcap_t *dead; /* the dumper's format: Ethernet, snap length, nanoseconds */
	pcap_dumper_t *dumper;
	const char *path; /* for messages; the caller keeps it alive */
};

/* Creates (or truncates) path and writes the file header; frames up to snaplen bytes
 * follow. Returns 0 or -errno. */
int uvs_pcap_out_open(struct uvs_pcap_out *o, const char *path, uint32_t snaplen);

/* Appends one frame with its timestamp. Returns 0 or -errno (the file stays open:
 * close it). */
int uvs_pcap_out_frame(struct uvs_pcap_out *o, uint32_t sec, uint32_t nsec, const uint8_t *data,
		       uint32_t len);

/* Flushes and closes the file. Returns 0, or -errno of the first error seen since it
 * was opened. Accepts a closed or never opened o. */
int uvs_pcap_out_close(struct uvs_pcap_out *o);

#endif
