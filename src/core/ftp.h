/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FTP helper: the kernel's ip_vs_ftp, with the TCP sequence adjustment of its
 * application framework (ip_vs_app.c), for NAT connections to an FTP port (the
 * engine's ftp_ports, the kernel module's "ports" parameter; 21 by default).
 *
 * - A client's PASV (IPv4) or EPSV makes the helper read the real server's next
 *   segment: its 227 reply's address becomes the VIP (the kernel's numbers, and the
 *   segment's length with them), a 229 reply becomes "|||port|"; and a data
 *   connection from the client, its port not known yet, to VIP:port is made toward
 *   the address and port the reply named, on the control connection's real server.
 * - A client's PORT (IPv4) or EPRT makes a data connection from the real server's
 *   port 20 (the control port - 1) to the address and port named, seen from the
 *   client as coming from VIP:20. The command is sent on as it is.
 * - When a rewrite changes a segment's length, every later segment of the control
 *   connection has its sequence (real server's) or acknowledgement (client's) number
 *   moved by the difference, for the connection's life; a segment from before the
 *   change by the difference before it.
 * Commands and replies are read within one segment, as the kernel reads them.
 * docs/decisions.md ("FTP") says where uvs differs.
 */
#ifndef UVS_FTP_H
#define UVS_FTP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "core/conn.h"

#define UVS_FTP_PORTS_MAX 8 /* the kernel's IP_VS_APP_MAX_PORTS */
#define UVS_FTP_PORT	  21

/*
 * One direction's sequence adjustment, the kernel's struct ip_vs_seq (and the sync
 * protocol's SEQ_DATA option, in then out): numbers after init_seq move by delta,
 * those up to it by previous_delta. Host order; deltas wrap as 32-bit numbers.
 */
struct uvs_seq {
	uint32_t init_seq;	 /* the sender's number of the last segment resized */
	uint32_t delta;		 /* for numbers after init_seq */
	uint32_t previous_delta; /* for numbers up to init_seq */
};

/*
 * Parses the ports the helper serves: a comma-separated list of up to
 * UVS_FTP_PORTS_MAX numbers 0..65535, 0 standing for none (as in the kernel's module
 * parameter; "0" alone turns the helper off). Fills ports (network order) and *n.
 * Returns 0, or -EINVAL with err saying why.
 */
int uvs_ftp_ports_parse(const char *text, uint16_t *ports, unsigned *n, struct uvs_error *err);

/*
 * The sequence adjustment of connection c, for the sync daemon: *flags gets c's
 * UVS_CONN_F_SEQ_MASK bits, *in and *out the two directions (zero when the helper
 * does not serve c). Returns whether c has any (the kernel's SEQ_DATA option is then
 * sent). Takes c's lock; caller inside an RCU read-side section.
 */
bool uvs_conn_seq_get(const struct uvs_conn *c, uint16_t *flags, struct uvs_seq *in,
		      struct uvs_seq *out);

/*
 * A backup's side: c takes the adjustment a master sent (flags: its SEQ_MASK bits).
 * Only a connection the helper serves keeps it (the kernel's would keep it unused).
 * Returns whether it was kept. Takes c's lock; caller inside an RCU read-side section.
 */
bool uvs_conn_seq_set(struct uvs_conn *c, uint16_t flags, const struct uvs_seq *in,
		      const struct uvs_seq *out);

#endif
