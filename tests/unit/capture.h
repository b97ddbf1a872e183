/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Collects the frames tests produce and has tshark, an independent dissector, look for
 * a malformed packet or a bad checksum in any of them. */
#ifndef UVS_TEST_CAPTURE_H
#define UVS_TEST_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Keeps a copy of a frame; what names the case in reports. quote_cut: the frame is an
 * ICMP error quoting a packet cut short, whose TCP or UDP checksum tshark nevertheless
 * computes over the bytes it has and finds wrong; that status is then not judged.
 */
void capture_add(const uint8_t *frame, uint32_t len, const char *what, bool quote_cut);

/* Number of frames kept so far. */
int capture_count(void);

/*
 * Writes the kept frames to path as pcap and runs tshark over it once. Returns the
 * number of frames tshark found malformed, with a bad checksum or with an expert
 * warning or error (each reported on stderr), or -1 if tshark did not answer for
 * every frame.
 */
int capture_check(const char *path);

#endif
