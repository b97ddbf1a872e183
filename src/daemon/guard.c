// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's once-a-second watch over floods (guard.h). */
#include "guard.h"

#include <inttypes.h>
#include <stdio.h>

#include "base/atomic.h"
#include "log.h"

void uvsd_guard_init(struct uvsd_guard *g, const struct uvs_engine *e)
{
	uint64_t c[UVS_R_COUNT], tx;

	uvs_engine_counters(e, c, &tx);
	g->refused = c[UVS_R_CONN_LIMIT];
	g->next_log_ms = 0;
}

/* A line when an automatic mode (1 or 2) moved: its defence went on or off. */
static void log_mode(const char *name, int before, int after, long avail, int thresh)
{
	if (before == after)
		return;
	if (after == 2)
		uvs_log(LOG_WARNING,
			"%s on: %ld pages of connection memory left, below amemthresh %d", name,
			avail, thresh);
	else
		uvs_log(LOG_NOTICE, "%s off: %ld pages of connection memory left (amemthresh %d)",
			name, avail, thresh);
}

void uvsd_guard_tick(struct uvsd_guard *g, struct uvs_engine *e, uint64_t now_ns)
{
	struct uvs_sysctl *s = &e->model->sysctl;
	uint64_t now_ms = now_ns / 1000000, c[UVS_R_COUNT], tx;
	/* Relaxed: this thread is the sysctls' only writer (core/sysctl.h). */
	int before[3] = { uvs_load_relaxed(&s->drop_entry), uvs_load_relaxed(&s->drop_packet),
			  uvs_load_relaxed(&s->secure_tcp) };
	uint32_t count = uvs_engine_conn_count(e);
	long avail = uvs_defence_avail_pages(e->conns.max_conns, count);
	int thresh = uvs_load_relaxed(&s->amemthresh);

	uvs_engine_defend(e, now_ns);
	log_mode("drop_entry", before[0], uvs_load_relaxed(&s->drop_entry), avail, thresh);
	log_mode("drop_packet", before[1], uvs_load_relaxed(&s->drop_packet), avail, thresh);
	log_mode("secure_tcp", before[2], uvs_load_relaxed(&s->secure_tcp), avail, thresh);

	uvs_engine_counters(e, c, &tx);
	if (c[UVS_R_CONN_LIMIT] <= g->refused || now_ms < g->next_log_ms)
		return;
	char refused[24];
	snprintf(refused, sizeof(refused), "%" PRIu64, c[UVS_R_CONN_LIMIT] - g->refused);
	struct uvs_log_field f[] = { { "reason", "conn_limit" }, { "refused", refused } };
	uvs_log_kv(LOG_WARNING, f, 2,
		   "new connections refused at the connection table's limit (--max-conns %u, "
		   "%u entries now); established ones go on",
		   e->conns.max_conns, count);
	g->refused = c[UVS_R_CONN_LIMIT];
	g->next_log_ms = now_ms + UVSD_GUARD_LOG_MS;
}
