/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uvsd's command line. */
#ifndef UVS_DAEMON_OPTIONS_H
#define UVS_DAEMON_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/ftp.h"
#include "sysctl_conf.h"

#define UVSD_MAX_LINKS	 16
#define UVSD_MAX_WORKERS 64
/* The connection count is a 32-bit counter that workers may each push one past the
 * limit before backing off: far below 2^32 keeps it from wrapping. */
#define UVSD_MAX_CONNS_MAX	(1u << 31)
#define UVSD_MAX_CLIENTS_DEF	64
#define UVSD_MAX_CLIENTS_MAX	1024
#define UVSD_CLIENT_TIMEOUT_DEF 60 /* seconds */
#define UVSD_CLIENT_TIMEOUT_MAX 86400

struct uvsd_options {
	const char *ifnames[UVSD_MAX_LINKS];
	unsigned nifs;
	bool no_steer;
	uint32_t steer_timeout_ms; /* the fail-safe's (heartbeat.h); 0: off */
	bool steer_timeout_set;	   /* given on the command line */
	bool af_xdp;		   /* --io af_xdp */
	bool busy_poll;		   /* --busy-poll (AF_XDP) */
	uint32_t fast_path;	   /* --fast-path: its table's entries, 0 none (AF_XDP) */
	unsigned workers;	   /* 0: one per online CPU */
	uint32_t ring_mib;	   /* 0: the backend's default */
	const char *rules;
	const char *state;     /* --state FILE; NULL: the default */
	bool state_none;       /* --state none */
	const char *conn_file; /* --conn-file FILE; NULL: the default (beside the state) */
	bool conn_file_none;   /* --conn-file none */
	const char *marks;
	const char *socket; /* NULL: $UVSD_SOCKET or the default */
	const char *group;
	bool foreground;
	bool syslog;
	int log_level;		     /* LOG_ERR..LOG_DEBUG: messages below it are not logged */
	bool log_text;		     /* --log-format text (else kv, log.h) */
	const char *metrics;	     /* --metrics ADDR:PORT; NULL: no HTTP listener */
	unsigned table_bits;	     /* 0: the engine's default */
	uint32_t max_conns;	     /* 0: the engine's default */
	bool syn_proxy;		     /* --syn-proxy (core/synproxy.h) */
	unsigned max_clients;	     /* control socket clients at a time */
	unsigned client_timeout;     /* seconds a control client may stay idle; 0: for ever */
	uint32_t announce_table;     /* --announce-table; 0: announce nothing */
	uint8_t announce_proto;	     /* --announce-proto (default UVS_ANNOUNCE_PROTO_DEF) */
	bool announce_proto_set;     /* given on the command line */
	struct uvsd_sysctls sysctls; /* --sysctl and --sysctl-file, checked, in order */
	/* --sync-peer: the other director of the pair, for the full-table hand-over
	 * (src/sync/handover.h); its port is also the one uvsd listens on. */
	const char *sync_peer; /* NULL: no hand-over */
	struct sockaddr_storage sync_peer_sa;
	socklen_t sync_peer_len;
	uint16_t sync_peer_port; /* host order */
	bool ftp_ports_set;	 /* --ftp-ports given: ftp_ports replace the default */
	uint16_t ftp_ports[UVS_FTP_PORTS_MAX]; /* network order */
	unsigned nftp_ports;
};

/*
 * Reads argv into *o (which it fills with the defaults first). Every number is checked
 * against its range, every --sysctl and --sysctl-file setting against the table.
 * Returns 0 (the caller frees o->sysctls with uvsd_sysctls_free); 1 after printing
 * the usage (--help) or the version (--version); -1 after printing why to stderr.
 */
int uvsd_parse_options(int argc, char **argv, struct uvsd_options *o);

#endif
