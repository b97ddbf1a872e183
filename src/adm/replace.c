// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replace the configuration by a rules text, or reload the part of it a rules file
 * declares: load the text into a scratch model (the model's own checks validate it),
 * compare it with the live one line by line in save's form, and apply only the
 * differences. What may be removed is what the previous text declared (a reload) or
 * everything (a replace).
 */
#include "replace.h"
#include "save.h"
#include "core/snap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A line in save's form, for comparing configurations; the caller frees it. */
static char *svc_line(const struct uvs_svc_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	uvs_adm_write_svc(f, "-A", c);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *dest_line(const struct uvs_svc_key *k, const struct uvs_dest_conf *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	uvs_adm_write_dest(f, "-a", k, d);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static bool same_key(const struct uvs_svc_key *a, const struct uvs_svc_key *b)
{
	return a->af == b->af && a->protocol == b->protocol && a->fwmark == b->fwmark &&
	       a->port == b->port && uvs_addr_eq(&a->addr, &b->addr);
}

static const struct uvs_snap_svc *find_svc(const struct uvs_snap *s, const struct uvs_svc_key *k)
{
	for (unsigned i = 0; i < s->nsvcs; i++)
		if (same_key(&s->svcs[i].conf.key, k))
			return &s->svcs[i];
	return NULL;
}

static const struct uvs_snap_dest *find_dest(const struct uvs_snap_svc *s,
					     const struct uvs_dest_conf *d)
{
	for (unsigned i = 0; i < s->ndests; i++) {
		const struct uvs_dest_conf *c = &s->dests[i].conf;
		if (c->af == d->af && c->port == d->port && uvs_addr_eq(&c->addr, &d->addr))
			return &s->dests[i];
	}
	return NULL;
}

/* Writes line with its first word replaced by cmd ("-E" for "-A", "-e" for "-a"). */
static void put_as(FILE *f, const char *cmd, const char *line)
{
	fprintf(f, "%s%s", cmd, line + 2);
}

/* The three configurations a plan compares. */
struct plan_in {
	const struct uvs_snap *have; /* the live one */
	const struct uvs_snap *old;  /* what may be removed: what the previous text declared */
	const struct uvs_snap *want; /* what the new text declares */
	unsigned removed;	     /* out: services the plan removes */
};

/* The destinations of `want` against those of `have` (NULL: a new service); of those
 * that `want` lacks, only the ones `old` (NULL: none) has are removed. Model order is
 * newest first, so new ones are added oldest first to end up in the same order as a
 * fresh load. Returns 0 or -ENOMEM. */
static int plan_dests(FILE *f, const struct uvs_snap_svc *have, const struct uvs_snap_svc *old,
		      const struct uvs_snap_svc *want)
{
	const struct uvs_svc_key *k = &want->conf.key;

	for (unsigned i = 0; have && old && i < have->ndests; i++) {
		const struct uvs_dest_conf *d = &have->dests[i].conf;
		char ap[UVS_ADDRPORT_LEN], name[UVS_ADM_SVC_NAME_LEN];
		if (find_dest(want, d) || !find_dest(old, d))
			continue;
		uvs_adm_rule_svc_name(k, name, sizeof(name));
		fprintf(f, "-d %s -r %s\n", name,
			uvs_addrport(d->af, &d->addr, d->port, ap, sizeof(ap)));
	}
	for (unsigned i = want->ndests; i-- > 0;) {
		const struct uvs_snap_dest *was_there =
			have ? find_dest(have, &want->dests[i].conf) : NULL;
		char *line = dest_line(k, &want->dests[i].conf);
		char *was = was_there ? dest_line(k, &was_there->conf) : NULL;
		if (!line || (was_there && !was)) {
			free(line);
			free(was);
			return -ENOMEM;
		}
		if (!was_there)
			fputs(line, f);
		else if (strcmp(line, was))
			put_as(f, "-e", line);
		free(line);
		free(was);
	}
	return 0;
}

static int plan(FILE *f, struct plan_in *in)
{
	const struct uvs_snap *have = in->have, *want = in->want;

	for (unsigned i = 0; i < have->nsvcs; i++) {
		const struct uvs_svc_key *k = &have->svcs[i].conf.key;
		char name[UVS_ADM_SVC_NAME_LEN];
		if (find_svc(want, k) || !find_svc(in->old, k))
			continue;
		uvs_adm_rule_svc_name(k, name, sizeof(name));
		fprintf(f, "-D %s\n", name);
		in->removed++;
	}
	for (unsigned i = 0; i < want->nsvcs; i++) {
		const struct uvs_snap_svc *w = &want->svcs[i];
		const struct uvs_snap_svc *h = find_svc(have, &w->conf.key);
		char *line = svc_line(&w->conf);
		char *was = h ? svc_line(&h->conf) : NULL;
		int ret = 0;

		if (!line || (h && !was))
			ret = -ENOMEM;
		else if (!h)
			fputs(line, f);
		else if (strcmp(line, was))
			put_as(f, "-E", line);
		free(line);
		free(was);
		if (ret || (ret = plan_dests(f, h, find_svc(in->old, &w->conf.key), w)))
			return ret;
	}
	return 0;
}

/* m's configuration as uvs_adm_save_in_order writes it, in *out. Returns 0 or
 * -ENOMEM. */
static int save_in_order(struct uvs_model *m, char **out)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int ret;

	if (!f)
		return -ENOMEM;
	ret = uvs_adm_save_in_order(f, m);
	if (fclose(f) && !ret)
		ret = -ENOMEM;
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret ? -ENOMEM : 0;
}

/*
 * The plan from m to what text declares, removing what `old` (NULL: everything in m)
 * declared and text does not; see uvs_adm_reload_plan. declared (may be NULL) gets
 * text's configuration in rules form.
 */
static int make_plan(struct uvs_model *m, const struct uvs_timeouts *t, const char *old,
		     const char *text, char **out, char **declared, unsigned *removed,
		     struct uvs_adm_error *err)
{
	struct uvs_model want_m, old_m;
	struct uvs_timeouts want_t = *t, old_t = *t;
	struct uvs_snap have = { 0 }, want = { 0 }, before = { 0 };
	struct plan_in in = { &have, &have, &want, 0 };
	bool want_ready = false, old_ready = false, refused = false;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret = -ENOMEM;

	*out = NULL;
	if (uvs_model_init(&want_m, 1) < 0)
		goto done;
	want_ready = true;
	if (old && uvs_model_init(&old_m, 1) < 0)
		goto done;
	old_ready = old != NULL;
	/* The texts are checked whole first, on models of their own. */
	ret = uvs_adm_apply(&want_m, &want_t, text, err);
	if (!ret && old) {
		struct uvs_adm_error old_err;
		if ((ret = uvs_adm_apply(&old_m, &old_t, old, &old_err)))
			uvs_adm_error_set(err, 0, "what the previous rules declared: %s",
					  old_err.msg);
		else if (!(ret = uvs_snap_take(&old_m, NULL, false, &before)))
			in.old = &before;
	}
	refused = ret < 0;
	if (!ret)
		ret = uvs_snap_take(m, NULL, false, &have);
	if (!ret)
		ret = uvs_snap_take(&want_m, NULL, false, &want);
	if (!ret && !(f = open_memstream(&buf, &len)))
		ret = -ENOMEM;
	if (!ret)
		ret = plan(f, &in);
	if (!ret && memcmp(&want_t, t, sizeof(want_t)))
		fprintf(f, "--set %u %u %u\n", want_t.tcp[UVS_TCP_S_ESTABLISHED],
			want_t.tcp[UVS_TCP_S_FIN_WAIT], want_t.udp);
	if (f && fclose(f) && !ret)
		ret = -ENOMEM;
	if (!ret && declared)
		ret = save_in_order(&want_m, declared);
	uvs_snap_free(&have);
	uvs_snap_free(&want);
	uvs_snap_free(&before);
done:
	if (want_ready)
		uvs_model_destroy(&want_m);
	if (old_ready)
		uvs_model_destroy(&old_m);
	if (ret) {
		if (!refused)
			uvs_adm_error_set(err, 0, "out of memory");
		free(buf);
		return ret;
	}
	if (removed)
		*removed = in.removed;
	*out = buf;
	return 0;
}

int uvs_adm_replace_plan(struct uvs_model *m, const struct uvs_timeouts *t, const char *text,
			 char **out, struct uvs_adm_error *err)
{
	return make_plan(m, t, NULL, text, out, NULL, NULL, err);
}

int uvs_adm_reload_plan(struct uvs_model *m, const struct uvs_timeouts *t, const char *old,
			const char *text, char **plan_out, char **declared, unsigned *removed,
			struct uvs_adm_error *err)
{
	*declared = NULL;
	return make_plan(m, t, old ? old : "", text, plan_out, declared, removed, err);
}

int uvs_adm_replace(struct uvs_model *m, struct uvs_timeouts *t, const char *text,
		    struct uvs_adm_error *err)
{
	struct uvs_adm_error e;
	char *diff;
	int ret = uvs_adm_replace_plan(m, t, text, &diff, err);

	if (ret < 0)
		return ret;
	ret = uvs_adm_apply(m, t, diff, &e);
	if (ret < 0)
		/* The text was valid on its own, so this is the live model refusing (out of
		 * memory, a limit): report it without the plan's line number. */
		uvs_adm_error_set(err, 0, "applying the new rules: %s", e.msg);
	free(diff);
	return ret;
}
