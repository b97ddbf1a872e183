// SPDX-License-Identifier: GPL-2.0-or-later
#include "options.h"

#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "heartbeat.h"
#include "http_addr.h"
#include "net/announce.h"
#include "state_file.h"
#include "sync/handover_wire.h"
#include "uvs/ctl.h"
#include "uvs/version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uvsd [options]\n"
		"  --interface IF      forward frames on link IF (repeat for several links;\n"
		"                      without it uvsd runs its control plane only)\n"
		"  --workers N         worker threads, 1..%d (default: one per online CPU)\n"
		"  --ring-mib N        receive ring per worker and link, MiB, 1..1024 (default 4)\n"
		"  --io BACKEND        af_packet (the default) or af_xdp (an XDP program\n"
		"                      redirects the services' frames to AF_XDP sockets)\n"
		"  --busy-poll         af_xdp: workers spin instead of sleeping when idle\n"
		"  --fast-path N       af_xdp: the XDP program forwards established flows\n"
		"                      itself, from a table of N entries (a power of two,\n"
		"                      1024..16777216; one per flow direction); 0 off\n"
		"                      (the default)\n"
		"  --no-steer          leave every frame to the kernel too (no tc program;\n"
		"                      only where the kernel drops VIP traffic by itself)\n"
		"  --steer-timeout MS  the steering programs leave every frame to the kernel\n"
		"                      MS ms after uvsd's workers stop (killed, stopped,\n"
		"                      wedged), %d..%d, 0 never (default %d)\n"
		"  --rules FILE        load this ipvsadm -S rules file; SIGHUP reloads it\n"
		"  --state FILE        keep the configuration in FILE across restarts and\n"
		"                      crashes, or none (default: state in systemd's\n"
		"                      $STATE_DIRECTORY, else " UVSD_STATE_DEFAULT " for the\n"
		"                      default control socket, else none)\n"
		"  --conn-file FILE    at a stop (SIGTERM, SIGINT) write the connection table\n"
		"                      to FILE, and at start take it back before forwarding,\n"
		"                      or none (default: the state file's path + .conns)\n"
		"  --marks FILE        mark rules for fwmark services (iptables-save's mangle\n"
		"                      MARK rules); SIGHUP reloads it\n"
		"  --socket PATH       control socket (default $" UVS_CTL_PATH_ENV
		" or " UVS_CTL_PATH ")\n"
		"  --group NAME        members of this group may use the socket too\n"
		"  --max-clients N     control socket clients at a time, 1..%u (default %u)\n"
		"  --client-timeout S  disconnect a control client idle for S seconds,\n"
		"                      0..%u, 0 never (default %u)\n"
		"  --foreground        stay in the foreground (logs to stderr)\n"
		"  --syslog            log to syslog\n"
		"  --log-level LEVEL   log messages of this priority and above: err, warning,\n"
		"                      notice, info (the default) or debug\n"
		"  --log-format FORMAT kv: level=... msg=\"...\" key=value lines (the default);\n"
		"                      text: uvsd: level: message\n"
		"  --metrics ADDR:PORT serve Prometheus metrics (/metrics) and a status page (/)\n"
		"                      over HTTP there, e.g. 127.0.0.1:9911 or [::1]:9911\n"
		"                      (default: none)\n"
		"  --sysctl NAME=VALUE set an IPVS sysctl (net.ipv4.vs.NAME) at start; repeat\n"
		"                      for several (uvsadm --sysctl sets them later)\n"
		"  --sysctl-file FILE  IPVS sysctls in sysctl.conf's syntax (net.ipv4.vs.* only)\n"
		"  --sync-peer ADDR[:PORT]  the other director of a pair: each sends the\n"
		"                      other its whole connection table over TCP PORT\n"
		"                      (default 8848) when a sync daemon starts; IPv6 as\n"
		"                      [ADDR]:PORT (default: no hand-over, as the kernel)\n"
		"  --announce-table N route each VIP that can serve (a real server with a\n"
		"                      weight above 0) in routing table N, 1..252 or\n"
		"                      256..%u, over link uvsvipN, for BIRD to announce by\n"
		"                      BGP; the routes go when uvsd stops or dies (needs\n"
		"                      --interface)\n"
		"  --announce-proto P  those routes' protocol number, %d..255 (default %d)\n"
		"  --conn-tab-bits N   connection table of 2^N buckets, 8..24 (default 20)\n"
		"  --max-conns N       most connections and templates, 1..%u\n"
		"                      (default 4194304)\n"
		"  --ftp-ports LIST    the FTP helper's ports for NAT services, up to %d\n"
		"                      separated by commas; 0: none (default 21)\n"
		"  --syn-proxy         answer TCP services' SYNs with SYN cookies; a real server\n"
		"                      gets only completed handshakes (NAT real servers only)\n"
		"  --version, -V       print uvsd's version\n"
		"  --help\n",
		UVSD_MAX_WORKERS, UVSD_HEARTBEAT_MIN_MS, UVSD_HEARTBEAT_MAX_MS,
		UVSD_HEARTBEAT_DEF_MS, UVSD_MAX_CLIENTS_MAX, UVSD_MAX_CLIENTS_DEF,
		UVSD_CLIENT_TIMEOUT_MAX, UVSD_CLIENT_TIMEOUT_DEF, UVS_ANNOUNCE_TABLE_MAX,
		UVS_ANNOUNCE_PROTO_MIN, UVS_ANNOUNCE_PROTO_DEF, UVSD_MAX_CONNS_MAX,
		UVS_FTP_PORTS_MAX);
}

/*
 * The value of option `name` as a whole decimal number min..max: digits only (strtoul
 * would take "-1" as 2^64-1 and " 7" as 7). Returns 0, or -1 after saying why.
 */
static int number(const char *name, const char *s, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	unsigned long long v;
	char *end;

	if (!s[0] || strspn(s, "0123456789") != strlen(s)) {
		fprintf(stderr, "uvsd: --%s: '%s' is not a number in %lu..%lu\n", name, s, min,
			max);
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v < min || v > max) {
		fprintf(stderr, "uvsd: --%s: %s is not in %lu..%lu\n", name, s, min, max);
		return -1;
	}
	*out = (unsigned long)v;
	return 0;
}

static int add_interface(struct uvsd_options *o, const char *name)
{
	if (o->nifs == UVSD_MAX_LINKS) {
		fprintf(stderr, "uvsd: at most %d --interface options\n", UVSD_MAX_LINKS);
		return -1;
	}
	for (unsigned k = 0; k < o->nifs; k++)
		if (!strcmp(o->ifnames[k], name)) {
			fprintf(stderr, "uvsd: --interface %s given twice\n", name);
			return -1;
		}
	o->ifnames[o->nifs++] = name;
	return 0;
}

/*
 * A path option: an empty one would mean the default somewhere, or nothing. A relative
 * one is made absolute, since the daemon works in / (and reloads on SIGHUP from there);
 * the string lives as long as uvsd.
 */
static int path(const char *name, const char *s, const char **out)
{
	char cwd[4096], *abs;

	if (!s[0]) {
		fprintf(stderr, "uvsd: --%s: the path is empty\n", name);
		return -1;
	}
	if (s[0] == '/') {
		*out = s;
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)) || asprintf(&abs, "%s/%s", cwd, s) < 0) {
		fprintf(stderr, "uvsd: --%s: %s: cannot make the path absolute: %s\n", name, s,
			strerror(errno));
		return -1;
	}
	*out = abs;
	return 0;
}

/* --log-level: a syslog priority by its name. Returns 0, or -1 after saying why. */
static int log_level(const char *s, int *out)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "err", LOG_ERR },   { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(s, levels[i].name)) {
			*out = levels[i].level;
			return 0;
		}
	fprintf(stderr, "uvsd: --log-level takes err, warning, notice, info or debug, not '%s'\n",
		s);
	return -1;
}

/* --ftp-ports: the ports the FTP helper serves. Returns 0, or -1 after saying why. */
static int ftp_ports(const char *s, struct uvsd_options *o)
{
	struct uvs_error err;

	if (uvs_ftp_ports_parse(s, o->ftp_ports, &o->nftp_ports, &err) < 0) {
		fprintf(stderr, "uvsd: --ftp-ports: %s\n", err.msg);
		return -1;
	}
	o->ftp_ports_set = true;
	return 0;
}

/* --metrics: HOST:PORT, HOST an IPv4 address or an IPv6 one in brackets, PORT
 * 1..65535; checked here so that a mistake stops uvsd before it starts (the listener
 * opens it). Returns 0, or -1 after saying why. */
static int metrics_address(const char *s, const char **out)
{
	struct uvsd_http_addr a;
	char why[128];

	if (uvsd_http_parse_addr(s, &a, why, sizeof(why)) < 0) {
		fprintf(stderr, "uvsd: --metrics %s: %s\n", s, why);
		return -1;
	}
	*out = s;
	return 0;
}

/* --sync-peer: ADDR (IPv4 or IPv6), A.B.C.D:PORT or [IPV6]:PORT, PORT 1..65535 (the
 * hand-over's, on both directors). Returns 0, or -1 after saying why. */
static int sync_peer(const char *arg, struct uvsd_options *o)
{
	const char *s = arg;
	struct sockaddr_in *in = (struct sockaddr_in *)&o->sync_peer_sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&o->sync_peer_sa;
	struct uvsd_http_addr a;
	char why[128];
	char bare[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(s);

	memset(&o->sync_peer_sa, 0, sizeof(o->sync_peer_sa));
	/* [IPV6] without a port, as with one. */
	if (len > 2 && len < sizeof(bare) && s[0] == '[' && s[len - 1] == ']') {
		memcpy(bare, s + 1, len - 2);
		bare[len - 2] = '\0';
		if (inet_pton(AF_INET6, bare, &in6->sin6_addr) == 1)
			s = bare;
	}
	if (inet_pton(AF_INET, s, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(UVS_HANDOVER_PORT);
		o->sync_peer_len = sizeof(*in);
	} else if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(UVS_HANDOVER_PORT);
		o->sync_peer_len = sizeof(*in6);
	} else if (s[0] == ':' || uvsd_http_parse_addr(s, &a, why, sizeof(why)) < 0) {
		fprintf(stderr, "uvsd: --sync-peer %s: %s\n", s,
			s[0] == ':' ? "the peer's address is missing"
				    : "not ADDRESS, A.B.C.D:PORT or [IPV6]:PORT (PORT 1..65535)");
		return -1;
	} else {
		memcpy(&o->sync_peer_sa, &a.sa, a.len);
		o->sync_peer_len = a.len;
	}
	o->sync_peer_port =
		ntohs(o->sync_peer_sa.ss_family == AF_INET ? in->sin_port : in6->sin6_port);
	o->sync_peer = arg;
	return 0;
}

/* Checks what the options say together. */
static int check(const struct uvsd_options *o)
{
	if (o->af_xdp && o->no_steer) {
		fprintf(stderr, "uvsd: --io af_xdp takes its frames through the steering program: "
				"not with --no-steer\n");
		return -1;
	}
	if (o->fast_path && !o->af_xdp) {
		fprintf(stderr, "uvsd: --fast-path is for --io af_xdp\n");
		return -1;
	}
	if (o->busy_poll && !o->af_xdp) {
		fprintf(stderr, "uvsd: --busy-poll is for --io af_xdp\n");
		return -1;
	}
	if (o->steer_timeout_set && o->no_steer) {
		fprintf(stderr, "uvsd: --steer-timeout is for the steering programs: not with "
				"--no-steer\n");
		return -1;
	}
	if (o->announce_table && !o->nifs) {
		fprintf(stderr, "uvsd: --announce-table needs --interface: a uvsd that forwards "
				"nothing must not draw the VIPs' traffic\n");
		return -1;
	}
	if (o->announce_proto_set && !o->announce_table) {
		fprintf(stderr, "uvsd: --announce-proto is for --announce-table\n");
		return -1;
	}
	return 0;
}

int uvsd_parse_options(int argc, char **argv, struct uvsd_options *o)
{
	static const struct option opts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "no-steer", no_argument, NULL, 'N' },
		{ "steer-timeout", required_argument, NULL, 'T' },
		{ "marks", required_argument, NULL, 'M' },
		{ "socket", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "syslog", no_argument, NULL, 'l' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "log-format", required_argument, NULL, 'F' },
		{ "metrics", required_argument, NULL, 'P' },
		{ "conn-tab-bits", required_argument, NULL, 'b' },
		{ "max-conns", required_argument, NULL, 'm' },
		{ "syn-proxy", no_argument, NULL, 'Q' },
		{ "interface", required_argument, NULL, 'i' },
		{ "workers", required_argument, NULL, 'w' },
		{ "ring-mib", required_argument, NULL, 'R' },
		{ "io", required_argument, NULL, 'I' },
		{ "busy-poll", no_argument, NULL, 'B' },
		{ "fast-path", required_argument, NULL, 'X' },
		{ "max-clients", required_argument, NULL, 'c' },
		{ "client-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "sysctl", required_argument, NULL, 'y' },
		{ "sysctl-file", required_argument, NULL, 'Y' },
		{ "state", required_argument, NULL, 'S' },
		{ "conn-file", required_argument, NULL, 'C' },
		{ "sync-peer", required_argument, NULL, 'e' },
		{ "ftp-ports", required_argument, NULL, 'p' },
		{ "announce-table", required_argument, NULL, 'a' },
		{ "announce-proto", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v = 0;
	int c, ret = 0;

	memset(o, 0, sizeof(*o));
	uvsd_sysctls_init(&o->sysctls);
	o->max_clients = UVSD_MAX_CLIENTS_DEF;
	o->client_timeout = UVSD_CLIENT_TIMEOUT_DEF;
	o->log_level = LOG_INFO;
	o->steer_timeout_ms = UVSD_HEARTBEAT_DEF_MS;
	o->announce_proto = UVS_ANNOUNCE_PROTO_DEF;
	while (!ret && (c = getopt_long(argc, argv, "V", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ret = path("rules", optarg, &o->rules);
			break;
		case 'M':
			ret = path("marks", optarg, &o->marks);
			break;
		case 'S':
			o->state_none = !strcmp(optarg, "none");
			o->state = NULL;
			if (!o->state_none)
				ret = path("state", optarg, &o->state);
			break;
		case 'C':
			o->conn_file_none = !strcmp(optarg, "none");
			o->conn_file = NULL;
			if (!o->conn_file_none)
				ret = path("conn-file", optarg, &o->conn_file);
			break;
		case 's':
			ret = path("socket", optarg, &o->socket);
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'l':
			o->syslog = true;
			break;
		case 'L':
			ret = log_level(optarg, &o->log_level);
			break;
		case 'F':
			if (strcmp(optarg, "kv") && strcmp(optarg, "text")) {
				fprintf(stderr, "uvsd: --log-format takes kv or text, not '%s'\n",
					optarg);
				ret = -1;
				break;
			}
			o->log_text = !strcmp(optarg, "text");
			break;
		case 'P':
			ret = metrics_address(optarg, &o->metrics);
			break;
		case 'e':
			ret = sync_peer(optarg, o);
			break;
		case 'b':
			if (!(ret = number("conn-tab-bits", optarg, 8, 24, &v)))
				o->table_bits = (unsigned)v;
			break;
		case 'm':
			if (!(ret = number("max-conns", optarg, 1, UVSD_MAX_CONNS_MAX, &v)))
				o->max_conns = (uint32_t)v;
			break;
		case 'i':
			ret = add_interface(o, optarg);
			break;
		case 'w':
			if (!(ret = number("workers", optarg, 1, UVSD_MAX_WORKERS, &v)))
				o->workers = (unsigned)v;
			break;
		case 'N':
			o->no_steer = true;
			break;
		case 'T':
			ret = number("steer-timeout", optarg, 0, UVSD_HEARTBEAT_MAX_MS, &v);
			if (!ret && v && v < UVSD_HEARTBEAT_MIN_MS) {
				fprintf(stderr,
					"uvsd: --steer-timeout: %lu is not 0 or in %d..%d\n", v,
					UVSD_HEARTBEAT_MIN_MS, UVSD_HEARTBEAT_MAX_MS);
				ret = -1;
			}
			o->steer_timeout_ms = (uint32_t)v;
			o->steer_timeout_set = true;
			break;
		case 'R':
			if (!(ret = number("ring-mib", optarg, 1, 1024, &v)))
				o->ring_mib = (uint32_t)v;
			break;
		case 'I':
			if (strcmp(optarg, "af_packet") && strcmp(optarg, "af_xdp")) {
				fprintf(stderr, "uvsd: --io takes af_packet or af_xdp\n");
				ret = -1;
				break;
			}
			o->af_xdp = !strcmp(optarg, "af_xdp");
			break;
		case 'B':
			o->busy_poll = true;
			break;
		case 'X':
			if ((ret = number("fast-path", optarg, 0, 1ul << 24, &v)))
				break;
			if (v && (v < 1024 || (v & (v - 1)))) {
				fprintf(stderr, "uvsd: --fast-path takes 0, or a power of two from "
						"1024 to 16777216\n");
				ret = -1;
				break;
			}
			o->fast_path = (uint32_t)v;
			break;
		case 'Q':
			o->syn_proxy = true;
			break;
		case 'c':
			if (!(ret = number("max-clients", optarg, 1, UVSD_MAX_CLIENTS_MAX, &v)))
				o->max_clients = (unsigned)v;
			break;
		case 't':
			if (!(ret = number("client-timeout", optarg, 0, UVSD_CLIENT_TIMEOUT_MAX,
					   &v)))
				o->client_timeout = (unsigned)v;
			break;
		case 'y':
			ret = uvsd_sysctls_add_arg(&o->sysctls, optarg);
			break;
		case 'Y':
			ret = uvsd_sysctls_add_file(&o->sysctls, optarg);
			break;
		case 'a':
			ret = number("announce-table", optarg, 1, UVS_ANNOUNCE_TABLE_MAX, &v);
			if (!ret && !uvs_announce_table_ok((uint32_t)v)) {
				fprintf(stderr,
					"uvsd: --announce-table: %lu is the kernel's own table "
					"(253 default, 254 main, 255 local)\n",
					v);
				ret = -1;
			}
			o->announce_table = (uint32_t)v;
			break;
		case 'q':
			if (!(ret = number("announce-proto", optarg, UVS_ANNOUNCE_PROTO_MIN, 255,
					   &v)))
				o->announce_proto = (uint8_t)v;
			o->announce_proto_set = true;
			break;
		case 'p':
			ret = ftp_ports(optarg, o);
			break;
		case 'h':
			usage(stdout);
			ret = 1;
			break;
		case 'V':
			printf("uvsd %s\n", UVS_VERSION);
			ret = 1;
			break;
		default:
			usage(stderr);
			ret = -1;
			break;
		}
	}
	if (!ret && optind < argc) {
		fprintf(stderr, "uvsd: unexpected argument '%s'\n", argv[optind]);
		ret = -1;
	}
	if (!ret)
		ret = check(o);
	if (ret)
		uvsd_sysctls_free(&o->sysctls);
	return ret > 0 ? 1 : ret ? -1 : 0;
}
