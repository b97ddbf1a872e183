// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running ipvsadm commands on the model, and applying a whole rules text all or
 * nothing: each command that runs leaves behind what its inverse needs, and a refusal
 * runs the inverses newest first.
 */
#include "rules.h"
#include "core/snap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int error_msg(struct uvs_error *err, int errnum, const char *msg)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg), "%s", msg);
	return -errnum;
}

int uvs_adm_exec(struct uvs_model *m, struct uvs_timeouts *t, const struct uvs_ctl_req *cmd,
		 struct uvs_error *err)
{
	const struct uvs_svc_key *k = &cmd->svc.key;
	const struct uvs_dest_conf *d = &cmd->dest;

	switch (cmd->kind) {
	case UVS_REQ_ADD_SVC:
		return uvs_svc_add(m, &cmd->svc, err);
	case UVS_REQ_EDIT_SVC:
		return uvs_svc_edit(m, &cmd->svc, err);
	case UVS_REQ_DEL_SVC:
		return uvs_svc_del(m, k, err);
	case UVS_REQ_CLEAR:
		uvs_svc_flush(m);
		return 0;
	case UVS_REQ_ADD_DEST:
		return uvs_dest_add(m, k, d, err);
	case UVS_REQ_EDIT_DEST:
		return uvs_dest_edit(m, k, d, err);
	case UVS_REQ_DEL_DEST:
		return uvs_dest_del(m, k, d->af, &d->addr, d->port, err);
	case UVS_REQ_SET_TIMEOUT:
		if (!t)
			return error_msg(err, EINVAL, "no timeouts to set here");
		uvs_timeouts_set(t, cmd->tcp, cmd->tcpfin, cmd->udp);
		return 0;
	}
	return error_msg(err, EINVAL, "unknown command");
}

/* One parsed line, and after it ran, the state its inverse needs. */
struct step {
	unsigned line;
	struct uvs_ctl_req cmd;
	/* Before the command: the service it changed (edit, delete, destination
	 * changes), or every service (clear), in the model's order. */
	struct uvs_snap before;
};

struct undo_ctx {
	struct uvs_model *m;
	int failures;
	struct uvs_error first; /* the first undo step that failed */
};

static void undo_check(struct undo_ctx *u, int ret, const struct uvs_error *e)
{
	if (ret && u->failures++ == 0)
		u->first = *e;
}

static void undo_dest_add(struct undo_ctx *u, const struct uvs_svc_key *k,
			  const struct uvs_dest_conf *c)
{
	struct uvs_error e;

	undo_check(u, uvs_dest_add(u->m, k, c, &e), &e);
}

static void undo_dest_del(struct undo_ctx *u, const struct uvs_svc_key *k,
			  const struct uvs_dest_conf *c)
{
	struct uvs_error e;

	undo_check(u, uvs_dest_del(u->m, k, c->af, &c->addr, c->port, &e), &e);
}

/* Adds a service back as it was, its destinations oldest first so that the list
 * (newest first) keeps its order. Deleted destinations come back from the trash with
 * their counters. */
static void restore_service(struct undo_ctx *u, const struct uvs_snap_svc *s)
{
	struct uvs_error e;
	int ret = uvs_svc_add(u->m, &s->conf, &e);

	undo_check(u, ret, &e);
	if (ret)
		return;
	for (unsigned i = s->ndests; i-- > 0;)
		undo_dest_add(u, &s->conf.key, &s->dests[i].conf);
}

static const struct uvs_snap_dest *find_dest(const struct uvs_snap_svc *s,
					     const struct uvs_dest_conf *c, unsigned *pos)
{
	for (unsigned i = 0; i < s->ndests; i++) {
		const struct uvs_dest_conf *d = &s->dests[i].conf;
		if (d->af == c->af && d->port == c->port && uvs_addr_eq(&d->addr, &c->addr)) {
			*pos = i;
			return &s->dests[i];
		}
	}
	return NULL;
}

/*
 * Puts a deleted destination back at its place in the list: the destinations that were
 * newer (nearer the head) leave and come back after it, oldest first.
 */
static void restore_dest(struct undo_ctx *u, const struct uvs_snap_svc *s,
			 const struct uvs_dest_conf *c)
{
	const struct uvs_svc_key *k = &s->conf.key;
	unsigned pos;

	if (!find_dest(s, c, &pos))
		return;
	for (unsigned i = 0; i < pos; i++)
		undo_dest_del(u, k, &s->dests[i].conf);
	undo_dest_add(u, k, &s->dests[pos].conf);
	for (unsigned i = pos; i-- > 0;)
		undo_dest_add(u, k, &s->dests[i].conf);
}

static void undo_step(struct undo_ctx *u, const struct step *st)
{
	const struct uvs_ctl_req *c = &st->cmd;
	const struct uvs_snap_svc *s = st->before.nsvcs ? &st->before.svcs[0] : NULL;
	const struct uvs_snap_dest *d;
	struct uvs_error e;
	unsigned pos;

	switch (c->kind) {
	case UVS_REQ_ADD_SVC:
		undo_check(u, uvs_svc_del(u->m, &c->svc.key, &e), &e);
		break;
	case UVS_REQ_EDIT_SVC:
		if (s)
			undo_check(u, uvs_svc_edit(u->m, &s->conf, &e), &e);
		break;
	case UVS_REQ_DEL_SVC:
		if (s)
			restore_service(u, s);
		break;
	case UVS_REQ_CLEAR:
		for (unsigned i = 0; i < st->before.nsvcs; i++)
			restore_service(u, &st->before.svcs[i]);
		break;
	case UVS_REQ_ADD_DEST:
		undo_dest_del(u, &c->svc.key, &c->dest);
		break;
	case UVS_REQ_EDIT_DEST:
		if (s && (d = find_dest(s, &c->dest, &pos)))
			undo_check(u, uvs_dest_edit(u->m, &c->svc.key, &d->conf, &e), &e);
		break;
	case UVS_REQ_DEL_DEST:
		if (s)
			restore_dest(u, s, &c->dest);
		break;
	case UVS_REQ_SET_TIMEOUT:
		break; /* the caller restores the timeouts as a whole */
	}
}

/* Records what undoing cmd will need, before it runs. */
static int remember(struct uvs_model *m, struct step *st)
{
	switch (st->cmd.kind) {
	case UVS_REQ_ADD_SVC:
	case UVS_REQ_ADD_DEST:
	case UVS_REQ_SET_TIMEOUT:
		return 0;
	case UVS_REQ_CLEAR:
		return uvs_snap_take(m, NULL, false, &st->before);
	default:
		return uvs_snap_take(m, &st->cmd.svc.key, false, &st->before);
	}
}

void uvs_adm_error_set(struct uvs_adm_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err)
		return;
	err->line = line;
	if (line)
		n = snprintf(err->msg, sizeof(err->msg), "line %u: ", line);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Parses every line of text into steps. Returns the number of steps or a negative
 * errno with *err filled. */
static int parse_all(const char *text, struct step **out, struct uvs_adm_error *err)
{
	char *copy = strdup(text), *line, *next;
	struct step *steps = NULL;
	size_t n = 0, cap = 0;
	unsigned lineno = 0;
	int ret = 0;

	if (!copy) {
		uvs_adm_error_set(err, 0, "out of memory");
		return -ENOMEM;
	}
	for (line = copy; line; line = next) {
		struct uvs_error e;
		struct uvs_ctl_req cmd;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		ret = uvs_adm_parse_line(line, &cmd, &e);
		if (ret == 1) {
			ret = 0;
			continue;
		}
		if (ret) {
			uvs_adm_error_set(err, lineno, "%s", e.msg);
			break;
		}
		if (n == cap) {
			struct step *bigger = realloc(steps, (cap ? cap * 2 : 16) * sizeof(*steps));
			if (!bigger) {
				uvs_adm_error_set(err, lineno, "out of memory");
				ret = -ENOMEM;
				break;
			}
			steps = bigger;
			cap = cap ? cap * 2 : 16;
		}
		memset(&steps[n], 0, sizeof(steps[n]));
		steps[n].line = lineno;
		steps[n].cmd = cmd;
		n++;
	}
	free(copy);
	if (ret) {
		free(steps);
		return ret;
	}
	*out = steps;
	return (int)n;
}

int uvs_adm_apply(struct uvs_model *m, struct uvs_timeouts *t, const char *text,
		  struct uvs_adm_error *err)
{
	struct uvs_timeouts saved_t;
	struct step *steps = NULL;
	struct uvs_error e;
	int n, i, ret = 0;

	if (err) {
		err->line = 0;
		err->msg[0] = 0;
	}
	n = parse_all(text, &steps, err);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (steps[i].cmd.kind == UVS_REQ_SET_TIMEOUT && !t) {
			uvs_adm_error_set(err, steps[i].line, "--set: no timeouts to set here");
			free(steps);
			return -EINVAL;
		}
	}
	if (t)
		saved_t = *t;
	for (i = 0; i < n; i++) {
		ret = remember(m, &steps[i]);
		if (ret) {
			uvs_adm_error_set(err, steps[i].line, "out of memory");
			break;
		}
		ret = uvs_adm_exec(m, t, &steps[i].cmd, &e);
		if (ret) {
			uvs_adm_error_set(err, steps[i].line, "%s", e.msg);
			break;
		}
	}
	if (ret) {
		struct undo_ctx u = { .m = m };
		for (int j = i - 1; j >= 0; j--)
			undo_step(&u, &steps[j]);
		if (t)
			*t = saved_t;
		if (u.failures && err) {
			size_t len = strlen(err->msg);
			snprintf(err->msg + len, sizeof(err->msg) - len,
				 " (undo incomplete: %d steps failed, first: %s)", u.failures,
				 u.first.msg);
		}
	}
	for (i = 0; i < n; i++)
		uvs_snap_free(&steps[i].before);
	free(steps);
	return ret;
}
