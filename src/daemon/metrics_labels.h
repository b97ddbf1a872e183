/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The labels node_exporter's ipvs collector gives a virtual service and a real server
 * (from /proc/net/ip_vs, through the procfs library), made from uvs's own values so
 * that uvsd's node_ipvs_* series are the ones node_exporter would show:
 *
 *   local_address   the VIP as Go's net.IP prints it: 10.0.0.1, 2001:db8::1 (an
 *                   IPv4-mapped IPv6 address as 1.2.3.4); "" for a fwmark service
 *   local_port      decimal; "0" for a fwmark service
 *   local_mark      the mark as /proc/net/ip_vs writes it ("%08X"); "" otherwise
 *   proto           "TCP", "UDP", "FWM" (uvs: "SCTP", which procfs does not read)
 *   remote_address  the real server's address, as local_address
 *   remote_port     decimal
 */
#ifndef UVSD_METRICS_LABELS_H
#define UVSD_METRICS_LABELS_H

#include <stddef.h>

#include "core/snap.h"
#include "prom.h"

/* An address as Go's net.IP.String() writes it; buf holds UVS_ADDR_STRLEN bytes. */
const char *uvsd_go_addr(int af, const union uvs_addr *a, char *buf, size_t len);

/* The text of a service's and a real server's labels. */
struct uvsd_ipvs_labels {
	char local_address[48], local_port[8], local_mark[12], proto[8];
	char remote_address[48], remote_port[8];
	char family[8]; /* uvs's own: "ipv4" or "ipv6", the service's family */
};

/* Fills every field of l but the remote ones from s, and those from d (may be NULL). */
void uvsd_ipvs_labels(const struct uvs_snap_svc *s, const struct uvs_snap_dest *d,
		      struct uvsd_ipvs_labels *l);

/* node_exporter's six in its order (local_address, local_port, remote_address,
 * remote_port, proto, local_mark) into out[6]; returns 6. */
size_t uvsd_ipvs_backend_labels(const struct uvsd_ipvs_labels *l, struct uvs_prom_label *out);
/* A service's: local_address, local_port, local_mark, proto, family; returns 5. */
size_t uvsd_ipvs_service_labels(const struct uvsd_ipvs_labels *l, struct uvs_prom_label *out);

#endif
