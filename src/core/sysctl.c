// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of the IPVS sysctls and the reading and writing of their values as the
 * kernel's proc handlers do (net/netfilter/ipvs/ip_vs_ctl.c, ip_vs_lblc.c,
 * ip_vs_lblcr.c; Documentation/networking/ipvs-sysctl.rst).
 */
#include "sysctl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic.h"

/* proc_dointvec_jiffies takes seconds up to INT_MAX / HZ either way; uvs takes the
 * range of Debian's kernels, built with HZ=250. */
#define JIFFIES_HZ  250
#define SECONDS_MAX (INT_MAX / JIFFIES_HZ)

/* sync_qlen_max without the host's memory: 1/32 of 1 GiB of 4 KiB pages. */
#define QLEN_PAGES_UNKNOWN (1u << 18)

/* proc_do_sync_ports: a power of two, at least 1. */
static int check_pow2(const struct uvs_sysctl_def *d, const long long v[2], struct uvs_error *err)
{
	if (v[0] < 1 || (v[0] & (v[0] - 1)))
		return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: %lld is not a power of 2",
				  d->name, v[0]);
	return 0;
}

/* proc_do_sync_threshold: both at least 0, and the threshold below a non-zero period. */
static int check_threshold(const struct uvs_sysctl_def *d, const long long v[2],
			   struct uvs_error *err)
{
	if (v[0] < 0 || v[1] < 0)
		return uvs_errorf(err, EINVAL,
				  UVS_SYSCTL_PREFIX "%s: %lld %lld: neither may be "
						    "negative",
				  d->name, v[0], v[1]);
	if (v[1] && v[0] >= v[1])
		return uvs_errorf(err, EINVAL,
				  UVS_SYSCTL_PREFIX "%s: threshold %lld must be below the period "
						    "%lld (or the period 0)",
				  d->name, v[0], v[1]);
	return 0;
}

#define AT(field) ((uint16_t)offsetof(struct uvs_sysctl, field))
/* An entry of each type; proc_dointvec takes any int (a boolean: non-zero is on). */
/* clang-format off */
#define ENTRY(n, type, use, off, d0, d1, min, max, chk, note) \
	{ #n, UVS_SYSCTL_##type, UVS_SYSCTL_##use, off, { d0, d1 }, min, max, chk, note }
#define INT(n, use, d, min, max, chk, note) ENTRY(n, INT, use, AT(n), d, 0, min, max, chk, note)
#define PAIR(n, use, d0, d1, chk, note) \
	ENTRY(n, PAIR, use, AT(n), d0, d1, INT_MIN, INT_MAX, chk, note)
#define ULONG(n, use, note) ENTRY(n, ULONG, use, AT(n), 0, 0, 0, 0, NULL, note)
#define REFUSED(n, note) ENTRY(n, INT, REFUSED, 0, 0, 0, 0, 0, NULL, note)
/* clang-format on */

#define DEFENCE_MODE                                                                               \
	"0 off, 1 on while connection memory is short (then 2), 3 always; uvsd "                   \
	"checks each second"

/* In the order `sysctl -a` lists them (by name). */
const struct uvs_sysctl_def uvs_sysctl_defs[] = {
	INT(am_droprate, DAEMON, 10, INT_MIN, INT_MAX, NULL,
	    "drop_packet 3 drops one new connection in this many"),
	INT(amemthresh, DAEMON, 1024, INT_MIN, INT_MAX, NULL,
	    "pages (4096 bytes) of room left in the connection table (--max-conns) below "
	    "which memory is short for the defences"),
	INT(backup_only, ENGINE, 0, INT_MIN, INT_MAX, NULL,
	    "every frame left to the kernel while a backup sync daemon runs"),
	INT(cache_bypass, FIXED, 0, INT_MIN, INT_MAX, NULL,
	    "0 only: uvs cannot forward to a packet's own destination yet"),
	INT(conn_reuse_mode, ENGINE, 1, INT_MIN, INT_MAX, NULL,
	    "a SYN on a finished entry is scheduled anew: 1 TIME_WAIT/CLOSE, 2 also FIN_WAIT "
	    "without replies"),
	REFUSED(conntrack, "uvs has no netfilter conntrack to keep entries in"),
	REFUSED(debug_level, "uvsd's logging has no IPVS debug levels"),
	INT(drop_entry, DAEMON, 0, 0, 3, NULL,
	    "ends half-open and idle entries in 1/32 of the table each second: " DEFENCE_MODE),
	INT(drop_packet, DAEMON, 0, 0, 3, NULL,
	    "drops a share of new connections' first packets: " DEFENCE_MODE),
	REFUSED(est_cpulist, "uvs has no estimation kernel threads: uvsd's control thread "
			     "estimates the rates"),
	REFUSED(est_nice, "uvs has no estimation kernel threads: uvsd's control thread "
			  "estimates the rates"),
	INT(expire_nodest_conn, ENGINE, 0, INT_MIN, INT_MAX, NULL,
	    "a packet of an entry whose real server is gone ends the entry"),
	INT(expire_quiescent_template, ENGINE, 0, INT_MIN, INT_MAX, NULL,
	    "a persistence template to a real server of weight 0 ends at the next connection"),
	REFUSED(ignore_tunneled, "uvs leaves other protocols (ipip, gre) to the kernel and sees "
				 "decapsulated packets only on its own links"),
	INT(lblc_expiration, SCHED, 24 * 60 * 60, -SECONDS_MAX, SECONDS_MAX, NULL,
	    "seconds an unused lblc cache entry lives"),
	INT(lblcr_expiration, SCHED, 24 * 60 * 60, -SECONDS_MAX, SECONDS_MAX, NULL,
	    "seconds an unused lblcr entry lives, and between shrinks of its set"),
	INT(nat_icmp_send, FIXED, 0, INT_MIN, INT_MAX, NULL,
	    "0 only: uvs sends no ICMP error for a real server's packet without an entry yet"),
	INT(pmtu_disc, FIXED, 1, INT_MIN, INT_MAX, NULL,
	    "non-zero only: an oversized DF packet gets frag-needed, also inside a tunnel"),
	INT(run_estimation, DAEMON, 1, INT_MIN, INT_MAX, NULL,
	    "uvsd estimates the rates every 2 s"),
	INT(schedule_icmp, FIXED, 0, INT_MIN, INT_MAX, NULL,
	    "0 only: uvs does not schedule connections for ICMP errors yet"),
	INT(secure_tcp, DAEMON, 0, 0, 3, NULL,
	    "TCP follows the stricter state tables (ESTABLISHED only once the real server "
	    "answered): " DEFENCE_MODE),
	INT(sloppy_sctp, ENGINE, 0, INT_MIN, INT_MAX, NULL,
	    "any SCTP packet but an ABORT may start an entry"),
	INT(sloppy_tcp, ENGINE, 0, INT_MIN, INT_MAX, NULL,
	    "any TCP packet but a RST may start an entry"),
	REFUSED(snat_reroute, "uvs routes each frame it sends by one lookup of its next hop; "
			      "no netfilter re-routes the replies"),
	INT(sync_persist_mode, ENGINE, 0, INT_MIN, INT_MAX, NULL,
	    "a master sends a persistent service's templates, not its connections"),
	INT(sync_ports, DAEMON, 1, 1, INT_MAX, check_pow2,
	    "sockets each sync daemon uses, on the group's port and those after it (at its "
	    "start)"),
	ULONG(sync_qlen_max, DAEMON, "a master's messages that may wait for room to be sent"),
	INT(sync_refresh_period, ENGINE, 0, -SECONDS_MAX, SECONDS_MAX, NULL,
	    "seconds a master waits before it sends a connection again (0: by sync_threshold)"),
	INT(sync_retries, ENGINE, 0, 0, 3, NULL,
	    "how often a master sends again within sync_refresh_period"),
	INT(sync_sock_size, DAEMON, 0, INT_MIN, INT_MAX, NULL,
	    "a sync daemon's socket buffer, bytes (0: the system's; at its start)"),
	PAIR(sync_threshold, ENGINE, 3, 50, check_threshold,
	     "a master sends a connection at its Nth client packet, and every Mth after"),
	INT(sync_version, ENGINE, 1, 0, 1, NULL, "the sync protocol's version a master sends"),
};

const size_t uvs_sysctl_ndefs = sizeof(uvs_sysctl_defs) / sizeof(uvs_sysctl_defs[0]);

static int *int_at(struct uvs_sysctl *s, const struct uvs_sysctl_def *d)
{
	return (int *)((char *)s + d->offset);
}

static const int *int_at_const(const struct uvs_sysctl *s, const struct uvs_sysctl_def *d)
{
	return (const int *)((const char *)s + d->offset);
}

void uvs_sysctl_init(struct uvs_sysctl *s, uint64_t phys_pages)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < uvs_sysctl_ndefs; i++) {
		const struct uvs_sysctl_def *d = &uvs_sysctl_defs[i];
		if (d->use == UVS_SYSCTL_REFUSED || d->type == UVS_SYSCTL_ULONG)
			continue;
		int_at(s, d)[0] = d->def[0];
		if (d->type == UVS_SYSCTL_PAIR)
			int_at(s, d)[1] = d->def[1];
	}
	s->sync_qlen_max = (unsigned long)((phys_pages ? phys_pages : QLEN_PAGES_UNKNOWN) / 32);
}

/* name without "net.ipv4.vs." or "net/ipv4/vs/". */
static const char *short_name(const char *name)
{
	static const char *const prefixes[] = { UVS_SYSCTL_PREFIX, "net/ipv4/vs/" };

	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], n))
			return name + n;
	}
	return name;
}

const struct uvs_sysctl_def *uvs_sysctl_find(const char *name)
{
	name = short_name(name);
	for (size_t i = 0; i < uvs_sysctl_ndefs; i++) {
		if (!strcmp(uvs_sysctl_defs[i].name, name))
			return &uvs_sysctl_defs[i];
	}
	return NULL;
}

/* The entry for name, or -ENOENT with why: no such name, or one uvs refuses. */
static int lookup(const char *name, const struct uvs_sysctl_def **out, struct uvs_error *err)
{
	const struct uvs_sysctl_def *d = uvs_sysctl_find(name);

	if (!d)
		return uvs_errorf(err, ENOENT, UVS_SYSCTL_PREFIX "%s: no such IPVS sysctl",
				  short_name(name));
	if (d->use == UVS_SYSCTL_REFUSED)
		return uvs_errorf(err, ENOENT, UVS_SYSCTL_PREFIX "%s: %s", d->name, d->note);
	*out = d;
	return 0;
}

/*
 * One number at *p as the kernel's proc_get_long reads it: an optional '-', then a
 * digit and the rest in base 0 (decimal, 0x hex, 0 octal), ending at a blank or the
 * end. Advances *p past it. Returns false for anything else or an overflow.
 */
static bool read_number(const char **p, unsigned long long *magnitude, bool *negative)
{
	const char *s = *p;
	char *end;

	*negative = *s == '-';
	if (*negative)
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*magnitude = strtoull(s, &end, 0);
	if (errno == ERANGE || (*end && !isspace((unsigned char)*end)))
		return false;
	*p = end;
	return true;
}

static const char *skip_blanks(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* An int of d from the number read: proc_dointvec's bounds, then d's range. */
static int to_int(const struct uvs_sysctl_def *d, unsigned long long magnitude, bool negative,
		  long long *v, struct uvs_error *err)
{
	if (magnitude > (unsigned long long)INT_MAX + negative)
		return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: %s%llu is not an int",
				  d->name, negative ? "-" : "", magnitude);
	*v = negative ? -(long long)magnitude : (long long)magnitude;
	if (*v < d->min || *v > d->max)
		return uvs_errorf(err, EINVAL,
				  UVS_SYSCTL_PREFIX "%s: %lld is out of its range %lld..%lld",
				  d->name, *v, d->min, d->max);
	return 0;
}

/*
 * The numbers of text for d into v (ints) or *ul (ULONG). A pair takes one or two
 * numbers: the kernel's vector write changes only those given, so v starts as the
 * current pair. Returns 0 or -EINVAL.
 */
static int parse(const struct uvs_sysctl_def *d, const char *text, long long v[2],
		 unsigned long *ul, struct uvs_error *err)
{
	unsigned n = d->type == UVS_SYSCTL_PAIR ? 2 : 1, got = 0;
	const char *p = skip_blanks(text);
	int ret;

	while (*p && got < n) {
		unsigned long long magnitude;
		bool negative;
		if (!read_number(&p, &magnitude, &negative))
			return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: '%s' is not %s",
					  d->name, text,
					  d->type == UVS_SYSCTL_ULONG ? "an unsigned number"
					  : n == 2		      ? "one or two integers"
								      : "an integer");
		if (d->type == UVS_SYSCTL_ULONG) {
			if (negative || magnitude > ULONG_MAX)
				return uvs_errorf(err, EINVAL,
						  UVS_SYSCTL_PREFIX "%s: '%s' is out of its range "
								    "0..%lu",
						  d->name, text, ULONG_MAX);
			*ul = (unsigned long)magnitude;
		} else if ((ret = to_int(d, magnitude, negative, &v[got], err))) {
			return ret;
		}
		got++;
		p = skip_blanks(p);
	}
	if (!got)
		return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: no value given", d->name);
	if (*p)
		return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: '%s': %s", d->name, text,
				  n == 2 ? "more than two values" : "more than one value");
	if (d->check && (ret = d->check(d, v, err)))
		return ret;
	/* A value that would ask for what uvs does not do. */
	if (d->use == UVS_SYSCTL_FIXED && (v[0] != 0) != (d->def[0] != 0))
		return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: %s", d->name, d->note);
	return 0;
}

int uvs_sysctl_set(struct uvs_sysctl *s, const char *name, const char *text, struct uvs_error *err)
{
	const struct uvs_sysctl_def *d = NULL;
	long long v[2] = { 0, 0 };
	unsigned long ul = 0;
	int ret;

	if ((ret = lookup(name, &d, err)))
		return ret;
	if (d->type == UVS_SYSCTL_PAIR) {
		v[0] = uvs_load_relaxed(&int_at(s, d)[0]);
		v[1] = uvs_load_relaxed(&int_at(s, d)[1]);
	}
	if ((ret = parse(d, text, v, &ul, err)))
		return ret;
	/* Relaxed stores: settings read on their own (sysctl.h). */
	if (d->type == UVS_SYSCTL_ULONG) {
		uvs_store_relaxed((unsigned long *)((char *)s + d->offset), ul);
		return 0;
	}
	uvs_store_relaxed(&int_at(s, d)[0], (int)v[0]);
	if (d->type == UVS_SYSCTL_PAIR)
		uvs_store_relaxed(&int_at(s, d)[1], (int)v[1]);
	return 0;
}

void uvs_sysctl_format(const struct uvs_sysctl *s, const struct uvs_sysctl_def *d,
		       char buf[UVS_SYSCTL_VALUE_MAX])
{
	const int *v = int_at_const(s, d);

	switch (d->type) {
	case UVS_SYSCTL_ULONG:
		snprintf(buf, UVS_SYSCTL_VALUE_MAX, "%lu",
			 uvs_load_relaxed((const unsigned long *)((const char *)s + d->offset)));
		break;
	case UVS_SYSCTL_PAIR: /* proc_dointvec separates a vector's values by tabs */
		snprintf(buf, UVS_SYSCTL_VALUE_MAX, "%d\t%d", uvs_load_relaxed(&v[0]),
			 uvs_load_relaxed(&v[1]));
		break;
	default:
		snprintf(buf, UVS_SYSCTL_VALUE_MAX, "%d", uvs_load_relaxed(&v[0]));
		break;
	}
}

int uvs_sysctl_get(const struct uvs_sysctl *s, const char *name, char buf[UVS_SYSCTL_VALUE_MAX],
		   struct uvs_error *err)
{
	const struct uvs_sysctl_def *d = NULL;
	int ret;

	if ((ret = lookup(name, &d, err)))
		return ret;
	uvs_sysctl_format(s, d, buf);
	return 0;
}
