/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Addresses and ports as ipvsadm prints them without -n: host names from the system's
 * resolver and service names from the services database, numeric where there is none.
 */
#ifndef UVS_ADM_NAMES_H
#define UVS_ADM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "pkt/addr.h"

/* "TCP", "UDP" or "SCTP" for a service's protocol, as ipvsadm prints it; NULL for
 * any other. */
const char *uvs_adm_proto_name(int protocol);

/* ipvsadm builds these texts in a 60-byte buffer: longer names are cut to 59. */
#define UVS_ADM_NAME_LEN 60

/*
 * "host:service" (IPv6: "[host]:service") into buf (at least UVS_ADM_NAME_LEN bytes).
 * With names false it is numeric, as uvs_addrport(). port is in network order;
 * protocol picks the services database's protocol (tcp, udp, sctp; others numeric).
 * Returns buf.
 */
const char *uvs_adm_addrport_name(int af, const union uvs_addr *a, uint16_t port, int protocol,
				  bool names, char *buf, size_t len);

#endif
