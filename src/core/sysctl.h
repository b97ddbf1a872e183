/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPVS sysctls, net.ipv4.vs.*: one table (sysctl.c) of every name the kernel has,
 * with its default, its validation and what it means in uvs. The values live in
 * struct uvs_sysctl, the model's (model->sysctl).
 *
 * Text is what /proc/sys/net/ipv4/vs/NAME shows and takes: an integer, or two
 * separated by a tab for sync_threshold. Writes are read as the kernel's handlers
 * read them (leading blanks, a minus sign, decimal, 0x hex or 0 octal, blanks or a
 * newline after), with its ranges and rules; uvs refuses what the kernel would only
 * half read (a second number for a single value).
 *
 * Threading: one writer, the control thread (uvs_sysctl_set); every reader loads a
 * value with uvs_load_relaxed: each is a setting read on its own, and a packet that
 * races with a change sees the old or the new value. sync_threshold's two numbers
 * are written one after the other: a packet that races with a change may see one
 * number old and the other new, which decides only whether its connection is sent.
 */
#ifndef UVS_CORE_SYSCTL_H
#define UVS_CORE_SYSCTL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define UVS_SYSCTL_PREFIX    "net.ipv4.vs."
#define UVS_SYSCTL_NAME_MAX  64 /* a name with its prefix and NUL fits */
#define UVS_SYSCTL_VALUE_MAX 64 /* a value's text with its NUL fits */

/* The values. Booleans are ints as in the kernel: any non-zero value means on. */
struct uvs_sysctl {
	/* The sync daemons' (below); first, so that the struct has no padding. */
	unsigned long sync_qlen_max;
	/* The frame path acts on these at the next packet (engine.c, schedule.c). */
	int conn_reuse_mode; /* a bit map: 1 reschedule in TIME_WAIT/CLOSE, 2 in FIN_WAIT too */
	int expire_nodest_conn;
	int expire_quiescent_template;
	int sloppy_tcp;
	int sloppy_sctp;
	/* lblc and lblcr at their next pick: seconds (the kernel's are jiffies). */
	int lblc_expiration;
	int lblcr_expiration;
	/* uvsd's 2-second rate estimator runs while this is non-zero. */
	int run_estimation;
	/* The sync daemons (core/sync.h, src/sync/): the frame path reads backup_only,
	 * sync_version, sync_persist_mode, sync_threshold, sync_refresh_period and
	 * sync_retries at each packet; a daemon the others as it starts or sends. */
	int backup_only;
	int sync_version;
	int sync_ports;
	int sync_persist_mode;
	int sync_sock_size;
	int sync_threshold[2]; /* threshold, period */
	int sync_refresh_period;
	int sync_retries;
	/* The defences (core/defence.h): uvsd's control thread reads them each second
	 * and, in modes 1 and 2, writes the three modes back as memory comes and goes. */
	int amemthresh;
	int am_droprate;
	int drop_entry;
	int drop_packet;
	int secure_tcp;
	/* Accepted only at values that mean what uvs does (see each one's note). */
	int cache_bypass;
	int nat_icmp_send;
	int schedule_icmp;
	int pmtu_disc;
};

enum uvs_sysctl_use {
	UVS_SYSCTL_ENGINE,  /* the frame path acts on it at the next packet */
	UVS_SYSCTL_SCHED,   /* lblc or lblcr acts on it at its next pick */
	UVS_SYSCTL_DAEMON,  /* uvsd acts on it (its estimator's next tick) */
	UVS_SYSCTL_STORED,  /* kept, checked and listed for a part uvs does not have yet */
	UVS_SYSCTL_FIXED,   /* only values that mean what uvs does are accepted */
	UVS_SYSCTL_REFUSED, /* no meaning in uvs: neither listed nor read nor set */
};

enum uvs_sysctl_type {
	UVS_SYSCTL_INT,	  /* one int in min..max */
	UVS_SYSCTL_PAIR,  /* two ints (sync_threshold) */
	UVS_SYSCTL_ULONG, /* one unsigned long, any (sync_qlen_max) */
};

struct uvs_sysctl_def {
	const char *name; /* without UVS_SYSCTL_PREFIX */
	uint8_t type;	  /* enum uvs_sysctl_type */
	uint8_t use;	  /* enum uvs_sysctl_use */
	uint16_t offset;  /* of the value in struct uvs_sysctl (not for REFUSED) */
	int def[2];	  /* the kernel's default (PAIR: both; ULONG: see uvs_sysctl_init) */
	long long min, max;
	/* A rule beyond the range, or NULL: returns 0 or -EINVAL with a message. */
	int (*check)(const struct uvs_sysctl_def *d, const long long v[2], struct uvs_error *err);
	/* What it does in uvs; for FIXED and REFUSED, why (it ends their messages). */
	const char *note;
};

/* Every name the kernel has, in its documentation's order (ipvs-sysctl.rst). */
extern const struct uvs_sysctl_def uvs_sysctl_defs[];
extern const size_t uvs_sysctl_ndefs;

/*
 * Sets every value to the kernel's default. sync_qlen_max's depends on the host's
 * memory, as the kernel's: 1/32 of phys_pages, or of 1 GiB of 4 KiB pages if
 * phys_pages is 0 (unknown).
 */
void uvs_sysctl_init(struct uvs_sysctl *s, uint64_t phys_pages);

/* The entry for name, with or without "net.ipv4.vs." ("net/ipv4/vs/" too), refused
 * ones included; NULL if the kernel has no such name. */
const struct uvs_sysctl_def *uvs_sysctl_find(const char *name);

/*
 * Sets name to the value text says, as a write to /proc/sys/net/ipv4/vs/NAME would,
 * all or nothing. Returns 0; -ENOENT for a name that is not the kernel's or that uvs
 * refuses (the message says why); -EINVAL for text that is no value of it, out of its
 * range, against its rule, or (FIXED) a value uvs cannot honour. Control thread only.
 */
int uvs_sysctl_set(struct uvs_sysctl *s, const char *name, const char *text, struct uvs_error *err);

/* The text of name's value (no newline) in buf. Returns 0 or -ENOENT as uvs_sysctl_set. */
int uvs_sysctl_get(const struct uvs_sysctl *s, const char *name, char buf[UVS_SYSCTL_VALUE_MAX],
		   struct uvs_error *err);

/* The text of d's value (d is not REFUSED). */
void uvs_sysctl_format(const struct uvs_sysctl *s, const struct uvs_sysctl_def *d,
		       char buf[UVS_SYSCTL_VALUE_MAX]);

#endif
