// SPDX-License-Identifier: GPL-2.0-or-later
/* What uvsd keeps across its own restarts, seen from its start: where the state file
 * and the connection table's file are, the configuration restored from the state file,
 * and keeping it from then on (state.h, conns_keep.h). Control thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "uvs/ctl.h"
#include "uvsd.h"

const struct uvsd_state_src *uvsd_state_now(struct uvsd *d, struct uvsd_state_now *now)
{
	uvsd_timeouts_now(d, &now->timeouts);
	now->src = (struct uvsd_state_src){
		.model = &d->model,
		.timeouts = &now->timeouts,
		.daemons = now->daemons,
		.ndaemons = uvs_ctl_server_daemons(d->ctl, now->daemons),
		.declared = d->declared,
	};
	return &now->src;
}

/* --state; else "state" in the state directory systemd made for the unit
 * ($STATE_DIRECTORY, StateDirectory=); else the default for the uvsd of the default
 * control socket (two uvsds must not share one file). NULL for none; *buf (freed by
 * the caller) may hold the path. */
static const char *state_path(const struct uvsd *d, char **buf)
{
	const char *dir = getenv("STATE_DIRECTORY");

	*buf = NULL;
	if (d->opt.state_none)
		return NULL;
	if (d->opt.state)
		return d->opt.state;
	/* Several directories are separated by ':': the first is uvsd's. */
	if (dir && dir[0] == '/' && asprintf(buf, "%.*s/state", (int)strcspn(dir, ":"), dir) > 0)
		return *buf;
	return strcmp(d->opt.socket, UVS_CTL_PATH) ? NULL : UVSD_STATE_DEFAULT;
}

/* --conn-file; else the state file's path + ".conns" (none without a state file).
 * Returns 0 (d->conn_file set or NULL) or -1 (out of memory, logged). */
int uvsd_conn_file_path(struct uvsd *d)
{
	char *buf;
	const char *state;

	if (d->opt.conn_file_none)
		return 0;
	if (d->opt.conn_file) {
		d->conn_file = strdup(d->opt.conn_file);
	} else {
		state = state_path(d, &buf);
		if (state && asprintf(&d->conn_file, "%s.conns", state) < 0)
			d->conn_file = NULL;
		free(buf);
		if (!state)
			return 0;
	}
	if (!d->conn_file) {
		uvs_log(LOG_ERR, "out of memory");
		return -1;
	}
	return 0;
}

/* Opens the state file and restores the configuration it holds (state.h): before the
 * --sysctl settings and the rules file, which go on top. Returns 0 or -1 (logged). */
int uvsd_restore_state(struct uvsd *d)
{
	char *buf;
	const char *path = state_path(d, &buf);
	struct uvsd_state st;
	struct uvs_error err;
	int ret;

	if (!path) {
		uvs_log(LOG_INFO, "no state file: the configuration is not kept across a restart%s",
			d->opt.state_none ? ""
					  : " (--state FILE keeps it for this control socket)");
		return 0;
	}
	ret = uvsd_state_file_open(path, &d->state.file, &err);
	if (ret < 0)
		uvs_log(LOG_ERR, "state file %s: %s", path, err.msg);
	free(buf);
	if (ret < 0)
		return -1;
	path = uvsd_state_file_path(d->state.file);
	ret = uvsd_state_load(d->state.file, &d->model.sysctl, &st);
	if (ret == 0) {
		d->model.sysctl = st.sysctl; /* no worker runs yet */
		ret = uvsd_state_restore(&st, path, &d->model, &d->engine.timeouts, d->ctl);
		d->declared = st.declared;
		st.declared = NULL;
		uvsd_state_free(&st);
	}
	return ret < 0 ? -1 : 0;
}

/* Writes the state file as uvsd starts (a file it cannot write stops it there) and
 * keeps it from then on. Returns 0 or -1 (logged). */
int uvsd_start_keeping_state(struct uvsd *d)
{
	struct uvsd_state_now now;
	struct uvs_error err;

	if (!d->state.file)
		return 0;
	if (uvsd_state_file_save(d->state.file, uvsd_state_now(d, &now), &err) < 0) {
		uvs_log(LOG_ERR,
			"state file %s: %s; uvsd does not start without a state file it can "
			"write (--state none keeps none)",
			uvsd_state_file_path(d->state.file), err.msg);
		return -1;
	}
	uvsd_state_keep(&d->state, d->state.file, &now.src);
	return 0;
}
