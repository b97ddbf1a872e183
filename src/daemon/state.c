// SPDX-License-Identifier: GPL-2.0-or-later
/* Keeping uvsd's state: restored at start, written after changes (state.h). */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#include "adm/rules.h"
#include "base/clock.h"
#include "log.h"

/* How to reach a file that refuses to be read: said after every refusal at start. */
#define REFUSED_HINT                                                                               \
	"uvsd does not start without the configuration it kept: correct the file, or move "        \
	"it aside to start with an empty configuration"

/* Copies what the checks compare from src into k. Returns whether it differed. */
static bool note(struct uvsd_state_keeper *k, const struct uvsd_state_src *src)
{
	bool same = k->generation == src->model->generation &&
		    !memcmp(&k->timeouts, src->timeouts, sizeof(k->timeouts)) &&
		    !memcmp(&k->sysctl, &src->model->sysctl, sizeof(k->sysctl)) &&
		    k->ndaemons == src->ndaemons &&
		    !memcmp(k->daemons, src->daemons, src->ndaemons * sizeof(*src->daemons));

	if (same)
		return false;
	k->generation = src->model->generation;
	k->timeouts = *src->timeouts;
	k->sysctl = src->model->sysctl;
	k->ndaemons = src->ndaemons;
	memcpy(k->daemons, src->daemons, src->ndaemons * sizeof(*src->daemons));
	return true;
}

void uvsd_state_keep(struct uvsd_state_keeper *k, struct uvsd_state_file *file,
		     const struct uvsd_state_src *src)
{
	memset(k, 0, sizeof(*k));
	k->file = file;
	note(k, src);
}

void uvsd_state_touch(struct uvsd_state_keeper *k, uint64_t now_ms)
{
	if (!k->file)
		return;
	if (!k->dirty)
		k->dirty_since_ms = now_ms;
	k->dirty = true;
	k->changed_ms = now_ms;
}

/* Writes the file now. Returns 0 or a negative errno (logged once until a write
 * succeeds). */
static int save(struct uvsd_state_keeper *k, const struct uvsd_state_src *src)
{
	uint64_t start = uvs_monotonic_ms();
	struct uvs_error err;
	int ret = uvsd_state_file_save(k->file, src, &err);
	uint64_t end = uvs_monotonic_ms();

	k->write_ms = end - start;
	if (ret) {
		if (ret != k->error)
			uvs_log(LOG_ERR,
				"state file %s: %s; changes are not kept across a restart until a "
				"write succeeds (tried again every %u s while changes wait)",
				uvsd_state_file_path(k->file), err.msg, UVSD_STATE_RETRY_MS / 1000);
		k->error = ret;
		k->retry_ms = end + UVSD_STATE_RETRY_MS;
		return ret;
	}
	if (k->error)
		uvs_log(LOG_NOTICE, "state file %s written again", uvsd_state_file_path(k->file));
	k->error = 0;
	k->dirty = false;
	return 0;
}

int uvsd_state_tick(struct uvsd_state_keeper *k, const struct uvsd_state_src *src, uint64_t now_ms)
{
	uint64_t due, longest;

	if (!k->file)
		return -1;
	if (note(k, src))
		uvsd_state_touch(k, now_ms);
	if (!k->dirty)
		return -1;
	/* Due once quiet, or once the longest wait under a stream of changes is over. */
	longest = UVSD_STATE_DUTY * k->write_ms;
	if (longest < UVSD_STATE_MAX_DELAY_MS)
		longest = UVSD_STATE_MAX_DELAY_MS;
	due = k->changed_ms + UVSD_STATE_QUIET_MS;
	if (due > k->dirty_since_ms + longest)
		due = k->dirty_since_ms + longest;
	if (due < k->retry_ms)
		due = k->retry_ms;
	if (now_ms < due)
		return (int)(due - now_ms);
	save(k, src);
	return k->dirty ? (int)(k->retry_ms - now_ms) : -1;
}

int uvsd_state_flush(struct uvsd_state_keeper *k, const struct uvsd_state_src *src)
{
	if (!k->file)
		return 0;
	if (note(k, src))
		k->dirty = true;
	return k->dirty ? save(k, src) : 0;
}

void uvsd_state_close(struct uvsd_state_keeper *k)
{
	uvsd_state_file_close(k->file);
	k->file = NULL;
}

int uvsd_state_load(struct uvsd_state_file *sf, const struct uvs_sysctl *base,
		    struct uvsd_state *st)
{
	const char *path = uvsd_state_file_path(sf);
	struct uvs_error err;
	bool missing;
	char *text = uvsd_state_file_read(sf, &missing, &err);
	int ret;

	memset(st, 0, sizeof(*st));
	if (!text && missing) {
		uvs_log(LOG_INFO, "state file %s: none yet, starting with an empty configuration",
			path);
		return 1;
	}
	if (!text) {
		uvs_log(LOG_ERR, "state file %s: %s; " REFUSED_HINT, path, err.msg);
		return -1;
	}
	ret = uvsd_state_parse(text, base, st, &err);
	free(text);
	if (ret) {
		uvs_log(LOG_ERR, "state file %s: %s; " REFUSED_HINT, path, err.msg);
		return -1;
	}
	return 0;
}

int uvsd_state_restore(const struct uvsd_state *st, const char *path, struct uvs_model *m,
		       struct uvs_timeouts *t, struct uvs_ctl_server *ctl)
{
	struct uvs_adm_error aerr;
	struct uvs_error err;

	if (uvs_adm_apply(m, t, st->rules, &aerr)) {
		uvs_log(LOG_ERR, "state file %s: %s; " REFUSED_HINT, path, aerr.msg);
		return -1;
	}
	for (size_t i = 0; i < st->ndaemons; i++)
		if (uvs_ctl_server_start_daemon(ctl, &st->daemons[i], &err)) {
			uvs_log(LOG_ERR, "state file %s: line %u: %s; " REFUSED_HINT, path,
				st->daemon_line[i], err.msg);
			return -1;
		}
	uvs_log(LOG_INFO, "state file %s: restored %u service(s)", path, m->num_services);
	return 0;
}
