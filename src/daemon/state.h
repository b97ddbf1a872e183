/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd keeps its configuration across its own restart and crash (--state): restored
 * at start before it serves, written after changes (state_file.h, state_text.h).
 *
 * When: a change is written once the configuration has had no further change for
 * UVSD_STATE_QUIET_MS; while changes keep coming (a restore of 100,000 rules), at
 * the latest UVSD_STATE_MAX_DELAY_MS after the first one not yet written, or
 * UVSD_STATE_DUTY times as long as the last write took if that is longer, so that
 * writing never takes more than about a tenth of the control thread. A clean stop
 * writes what is left. So a change acknowledged to a client is lost only if uvsd
 * dies (SIGKILL, a crash, the machine) within that window after it.
 *
 * Everything runs on the control thread.
 */
#ifndef UVS_DAEMON_STATE_H
#define UVS_DAEMON_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ctl/server.h"
#include "state_file.h"

#define UVSD_STATE_QUIET_MS	10
#define UVSD_STATE_MAX_DELAY_MS 1000
#define UVSD_STATE_DUTY		9
#define UVSD_STATE_RETRY_MS	2000 /* after a failed write */

/* What the file holds and when to write it next. */
struct uvsd_state_keeper {
	struct uvsd_state_file *file;
	/* The configuration at the last check, to tell a change. */
	uint64_t generation;
	struct uvs_timeouts timeouts;
	struct uvs_sysctl sysctl;
	struct uvs_ctl_daemon daemons[2];
	size_t ndaemons;
	bool dirty;		 /* a change is not in the file yet */
	uint64_t dirty_since_ms; /* the first change not in the file */
	uint64_t changed_ms;	 /* the last change */
	uint64_t write_ms;	 /* how long the last write took */
	uint64_t retry_ms;	 /* no write before, after a failure */
	int error;		 /* of the last write, logged once */
};

/* Starts keeping the state in file (owned from now on), which holds what src holds
 * (just written or restored). */
void uvsd_state_keep(struct uvsd_state_keeper *k, struct uvsd_state_file *file,
		     const struct uvsd_state_src *src);

/* Something changed that the checks of uvsd_state_tick cannot see (what the rules
 * file declares). */
void uvsd_state_touch(struct uvsd_state_keeper *k, uint64_t now_ms);

/*
 * After each event of the control loop: notes a change of src since the last call and
 * writes the file when it is due (see above). Returns the ms until it is due, for
 * poll(), or -1 if nothing waits. A failed write is logged (once until one succeeds)
 * and retried every UVSD_STATE_RETRY_MS while changes wait.
 */
int uvsd_state_tick(struct uvsd_state_keeper *k, const struct uvsd_state_src *src, uint64_t now_ms);

/* Writes now if anything is not in the file (a clean stop). Returns 0 or a negative
 * errno (logged). */
int uvsd_state_flush(struct uvsd_state_keeper *k, const struct uvsd_state_src *src);

/* Closes the file. Accepts a keeper that keeps nothing. */
void uvsd_state_close(struct uvsd_state_keeper *k);

/*
 * At start: reads and checks the state file sf into *st, the sysctls on top of base.
 * Returns 0 (free *st with uvsd_state_free), 1 if there is no file yet (a first
 * start; *st is zeroed), or -1 after logging why, naming the file and line: uvsd then
 * refuses to start, so that it never runs without the configuration it kept.
 */
int uvsd_state_load(struct uvsd_state_file *sf, const struct uvs_sysctl *base,
		    struct uvsd_state *st);

/* At start, after uvsd_state_load: the services and timeouts into m and *t, then the
 * sync daemons into ctl. Returns 0 or -1 after logging why (file and line). */
int uvsd_state_restore(const struct uvsd_state *st, const char *path, struct uvs_model *m,
		       struct uvs_timeouts *t, struct uvs_ctl_server *ctl);

#endif
