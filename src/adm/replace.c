// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replace the configuration by a rules text: load the text into a scratch model (the
 * model's own checks validate it), compare it with the live one line by line in
 * save's form, and apply only the differences.
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

/* The destinations of `want` against those of `have` (NULL: a new service). Model
 * order is newest first, so new ones are added oldest first to end up in the same
 * order as a fresh load. Returns 0 or -ENOMEM. */
static int plan_dests(FILE *f, const struct uvs_snap_svc *have, const struct uvs_snap_svc *want)
{
	const struct uvs_svc_key *k = &want->conf.key;

	for (unsigned i = 0; have && i < have->ndests; i++) {
		const struct uvs_dest_conf *d = &have->dests[i].conf;
		char ap[UVS_ADDRPORT_LEN], name[UVS_ADM_SVC_NAME_LEN];
		if (find_dest(want, d))
			continue;
		uvs_adm_rule_svc_name(k, name, sizeof(name));
		fprintf(f, "-d %s -r %s\n", name,
			uvs_addrport(d->af, &d->addr, d->port, ap, sizeof(ap)));
	}
	for (unsigned i = want->ndests; i-- > 0;) {
		const struct uvs_snap_dest *old =
			have ? find_dest(have, &want->dests[i].conf) : NULL;
		char *line = dest_line(k, &want->dests[i].conf);
		char *was = old ? dest_line(k, &old->conf) : NULL;
		if (!line || (old && !was)) {
			free(line);
			free(was);
			return -ENOMEM;
		}
		if (!old)
			fputs(line, f);
		else if (strcmp(line, was))
			put_as(f, "-e", line);
		free(line);
		free(was);
	}
	return 0;
}

static int plan(FILE *f, const struct uvs_snap *have, const struct uvs_snap *want)
{
	for (unsigned i = 0; i < have->nsvcs; i++) {
		char name[UVS_ADM_SVC_NAME_LEN];
		if (find_svc(want, &have->svcs[i].conf.key))
			continue;
		uvs_adm_rule_svc_name(&have->svcs[i].conf.key, name, sizeof(name));
		fprintf(f, "-D %s\n", name);
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
		if (ret || (ret = plan_dests(f, h, w)))
			return ret;
	}
	return 0;
}

int uvs_adm_replace_plan(struct uvs_model *m, const struct uvs_timeouts *t, const char *text,
			 char **out, struct uvs_adm_error *err)
{
	struct uvs_model scratch;
	struct uvs_timeouts want_t = *t;
	struct uvs_snap have = { 0 }, want = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret;

	*out = NULL;
	if (uvs_model_init(&scratch, 1) < 0) {
		uvs_adm_error_set(err, 0, "out of memory");
		return -ENOMEM;
	}
	ret = uvs_adm_apply(&scratch, &want_t, text, err);
	bool text_refused = ret < 0;
	if (!ret)
		ret = uvs_snap_take(m, NULL, false, &have);
	if (!ret)
		ret = uvs_snap_take(&scratch, NULL, false, &want);
	if (!ret && !(f = open_memstream(&buf, &len)))
		ret = -ENOMEM;
	if (!ret)
		ret = plan(f, &have, &want);
	if (!ret && memcmp(&want_t, t, sizeof(want_t)))
		fprintf(f, "--set %u %u %u\n", want_t.tcp[UVS_TCP_S_ESTABLISHED],
			want_t.tcp[UVS_TCP_S_FIN_WAIT], want_t.udp);
	if (f && fclose(f) && !ret)
		ret = -ENOMEM;
	uvs_snap_free(&have);
	uvs_snap_free(&want);
	uvs_model_destroy(&scratch);
	if (ret) {
		if (ret == -ENOMEM && !text_refused)
			uvs_adm_error_set(err, 0, "out of memory");
		free(buf);
		return ret;
	}
	*out = buf;
	return 0;
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
