/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One change to the configuration: what an IPVS control command carries, what uvsadm
 * sends and what a line of the rules language says. src/adm parses and runs it;
 * src/ctl encodes and decodes it.
 */
#ifndef UVS_CTL_REQUEST_H
#define UVS_CTL_REQUEST_H

#include <stdint.h>

#include "core/model.h"

enum uvs_ctl_req_kind {
	UVS_REQ_ADD_SVC,     /* -A */
	UVS_REQ_EDIT_SVC,    /* -E */
	UVS_REQ_DEL_SVC,     /* -D */
	UVS_REQ_CLEAR,	     /* -C */
	UVS_REQ_ADD_DEST,    /* -a */
	UVS_REQ_EDIT_DEST,   /* -e */
	UVS_REQ_DEL_DEST,    /* -d */
	UVS_REQ_SET_TIMEOUT, /* --set tcp tcpfin udp */
};

struct uvs_ctl_req {
	enum uvs_ctl_req_kind kind;
	/* svc.key for every kind but CLEAR and SET_TIMEOUT; the rest for -A and -E, with
	 * ipvsadm's defaults filled in (scheduler wlc, /32 or /128 netmask). */
	struct uvs_svc_conf svc;
	/* For -a and -e (defaults: -g, weight 1); af, addr and port for -d. */
	struct uvs_dest_conf dest;
	/* For --set, in seconds; 0 leaves a timeout as it is. */
	uint32_t tcp, tcpfin, udp;
};

#endif
