// SPDX-License-Identifier: GPL-2.0-or-later
#include "announce.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct uvsd_announce {
	uvsd_announce_route_fn route;
	void *arg;
	struct uvsd_vip *vips; /* announced, sorted */
	size_t n;
	uint64_t done_generation; /* of the last update that met no failure */
	bool done;		  /* done_generation is valid */
	bool serving;		  /* at the last update */
};

/* The order of a sorted list: IPv4 first, then by address. */
static int vip_cmp(const void *pa, const void *pb)
{
	const struct uvsd_vip *a = pa, *b = pb;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return uvs_addr_cmp(a->af, &a->addr, &b->addr);
}

/* A service can serve while one of its real servers has a weight above 0. */
static bool can_serve(struct uvs_service *svc)
{
	struct uvs_dest *d;

	cds_list_for_each_entry(d, &svc->dests, list) {
		if (d->conf.weight > 0)
			return true;
	}
	return false;
}

long uvsd_announce_healthy(struct uvs_model *m, struct uvsd_vip **out)
{
	struct uvsd_vip *v = malloc((m->num_services ? m->num_services : 1) * sizeof(*v));
	struct uvs_service *svc;
	size_t n = 0, kept = 0;

	if (!v)
		return -ENOMEM;
	cds_list_for_each_entry(svc, &m->services, all) {
		if (svc->key.fwmark || !can_serve(svc))
			continue;
		v[n++] = (struct uvsd_vip){ .af = svc->key.af, .addr = svc->key.addr };
	}
	qsort(v, n, sizeof(*v), vip_cmp);
	for (size_t i = 0; i < n; i++)
		if (!kept || vip_cmp(&v[kept - 1], &v[i]))
			v[kept++] = v[i];
	*out = v;
	return (long)kept;
}

int uvsd_announce_new(uvsd_announce_route_fn route, void *arg, struct uvsd_announce **out)
{
	struct uvsd_announce *an = calloc(1, sizeof(*an));

	if (!an)
		return -ENOMEM;
	an->route = route;
	an->arg = arg;
	an->serving = true;
	*out = an;
	return 0;
}

/* Adds or deletes one route; logs what happened (why: the reason for a withdrawal).
 * Returns 0 or a negative errno. */
static int apply(struct uvsd_announce *an, bool add, const struct uvsd_vip *v, const char *why)
{
	char text[UVS_ADDR_STRLEN];
	int ret = an->route(an->arg, add, v);

	uvs_addr_format(v->af, &v->addr, text, sizeof(text));
	if (ret < 0) {
		UVS_LOG_LIMIT(announce_limit, "announce");
		uvs_log_limited(&announce_limit, LOG_ERR, "announce: %s %s: %s (tried again)",
				add ? "announcing" : "withdrawing", text, strerror(-ret));
	} else {
		uvs_log(LOG_NOTICE, "announce: %s %s", text,
			add ? "announced: a real server can serve it" : why);
	}
	return ret;
}

int uvsd_announce_update(struct uvsd_announce *an, struct uvs_model *m, bool serving, bool force)
{
	const char *why = serving ? "withdrawn: no real server with a weight above 0"
				  : "withdrawn: uvsd's workers have stopped forwarding";
	struct uvsd_vip *want, *now;
	size_t i = 0, j = 0, k = 0;
	int failed = 0;
	long nwant;

	if (!force && an->done && an->done_generation == m->generation && an->serving == serving)
		return 0;
	if ((nwant = uvsd_announce_healthy(m, &want)) < 0)
		return (int)nwant;
	if (!serving)
		nwant = 0; /* workers that do not forward: nothing can be served */
	/* What is announced after this pass: at most both lists. */
	if (!(now = malloc(((size_t)nwant + an->n + 1) * sizeof(*now)))) {
		free(want);
		return -ENOMEM;
	}
	/* Both lists are sorted: one merge finds what to add and what to withdraw. */
	while (i < (size_t)nwant || j < an->n) {
		int c = i == (size_t)nwant ? 1 : j == an->n ? -1 : vip_cmp(&want[i], &an->vips[j]);

		if (c == 0) {
			now[k++] = want[i++];
			j++;
		} else if (c < 0) {
			if (apply(an, true, &want[i], NULL) < 0)
				failed++;
			else
				now[k++] = want[i];
			i++;
		} else {
			if (apply(an, false, &an->vips[j], why) < 0) {
				failed++;
				now[k++] = an->vips[j]; /* still announced */
			}
			j++;
		}
	}
	free(want);
	free(an->vips);
	an->vips = now;
	an->n = k;
	an->done = !failed;
	an->done_generation = m->generation;
	an->serving = serving; /* only now: after -ENOMEM the next call tries again */
	return failed;
}

const struct uvsd_vip *uvsd_announce_list(const struct uvsd_announce *an, size_t *n)
{
	*n = an->n;
	return an->vips;
}

void uvsd_announce_free(struct uvsd_announce *an)
{
	if (!an)
		return;
	for (size_t i = 0; i < an->n; i++)
		apply(an, false, &an->vips[i], "withdrawn: uvsd stops");
	free(an->vips);
	free(an);
}
