// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Randomised check of the schedulers built on the load index (lc, wlc, sed, nq, fo,
 * ovf). Random binds, unbinds, active/inactive moves, persistence templates, weight and
 * threshold edits, adds, deletes, trash expiry and switches to another scheduler and
 * back are applied through the model; before every uvs_svc_schedule() the test scans the
 * service's list the way the kernel does and asserts the pick is the same destination. A shadow of
 * every destination's counters, weight, thresholds and overload flag, kept by the test from the
 * reference's rules, is compared with the model after every operation.
 *
 * The seed is fixed and printed; UVS_RANDTEST_SEED=<number> replays another one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "sched_ref.h"

#define DEFAULT_SEED 0x1f05c0de2024ull
#define ROUNDS	     20
#define STEPS	     1000
#define MAX_IDS	     1024	 /* distinct destination addresses in one round */
#define BASE_ADDR    0x0a010001u /* id 0 is 10.1.0.1 */

/* ---- a small reproducible generator (splitmix64) ---- */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in 0..n-1; n > 0. */
static unsigned rnd(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

static bool chance(struct rng *r, unsigned percent)
{
	return rnd(r, 100) < percent;
}

/* ---- the test's own account of every destination ---- */

struct shadow {
	struct uvs_dest *d; /* NULL: not added yet, or expired from the trash */
	bool in_svc;	    /* false with d set: in the trash */
	uint64_t order;	    /* when last linked; larger is nearer the list head */
	int64_t weight;
	uint32_t u_thr, l_thr;
	uint32_t active, inactive, persist;
	bool overload;
};

struct conn {
	unsigned id;
	uint32_t flags;
};

struct run {
	const char *sched;
	struct uvs_dest *(*ref)(struct uvs_service *svc);
	uint64_t seed;
	unsigned round, step;
	const char *op;
	struct test_env *env;
	struct uvs_service *svc;
	struct uvs_svc_key key;
	char vip[32];
	struct rng rng;

	/* this round's shape */
	unsigned wmax;	 /* weights are mostly 0..wmax */
	bool wide;	 /* weights sometimes near UVS_WEIGHT_MAX */
	unsigned thrmax; /* thresholds are 0 or up to thrmax */
	unsigned target; /* number of destinations to hover around */

	struct shadow sh[MAX_IDS];
	unsigned nids;
	unsigned in_svc;
	uint64_t next_order;
	struct conn *conns;
	unsigned nconns, cap;

	unsigned long picks, null_picks, template_picks, edits, adds, dels, expiries, reschedules;
};

struct sched_case {
	const char *name;
	struct uvs_dest *(*ref)(struct uvs_service *svc);
	struct test_env env;
};

static struct sched_case cases[6];

static unsigned dest_id(const struct uvs_dest *d)
{
	return ntohl(d->conf.addr.ip) - BASE_ADDR;
}

static void dump_list(const struct run *r)
{
	const struct uvs_dest *d;

	fprintf(stderr, "  list (head first), %u destinations:\n", r->svc->num_dests);
	cds_list_for_each_entry(d, &r->svc->dests, list) {
		uint32_t ip = ntohl(d->conf.addr.ip);
		fprintf(stderr,
			"    %u.%u.%u.%u weight %u active %u inactive %u persist %u overloaded %d"
			" u %u l %u\n",
			ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff,
			uvs_dest_weight(d), uvs_dest_active(d), uvs_dest_inactive(d),
			uvs_dest_persistent(d), uvs_dest_overloaded(d), d->conf.u_threshold,
			d->conf.l_threshold);
	}
}

static const char *dest_name(const struct uvs_dest *d, char *buf, size_t len)
{
	if (!d)
		return "NULL";
	return uvs_addr_format(AF_INET, &d->conf.addr, buf, len);
}

#define run_fail(r, ...)                                                                           \
	do {                                                                                       \
		fprintf(stderr,                                                                    \
			"sched %s seed 0x%" PRIx64 " round %u step %u op %s: ", (r)->sched,        \
			(r)->seed, (r)->round, (r)->step, (r)->op);                                \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		dump_list(r);                                                                      \
		fail_msg("%s: mismatch at round %u step %u (seed 0x%" PRIx64 ")", (r)->sched,      \
			 (r)->round, (r)->step, (r)->seed);                                        \
	} while (0)

/* The model's counters and flags of every known destination equal the shadow's, and
 * the list holds exactly the destinations in the service, newest first. */
static void check_state(struct run *r)
{
	struct uvs_dest *d;
	unsigned n = 0;
	uint64_t prev = UINT64_MAX;

	cds_list_for_each_entry(d, &r->svc->dests, list) {
		unsigned id = dest_id(d);

		if (id >= r->nids || r->sh[id].d != d || !r->sh[id].in_svc)
			run_fail(r, "unexpected destination id %u in the list", id);
		if (r->sh[id].order >= prev)
			run_fail(r, "list not newest first at id %u", id);
		prev = r->sh[id].order;
		n++;
	}
	if (n != r->in_svc || r->svc->num_dests != r->in_svc)
		run_fail(r, "list has %u (num_dests %u), expected %u", n, r->svc->num_dests,
			 r->in_svc);
	for (unsigned id = 0; id < r->nids; id++) {
		const struct shadow *s = &r->sh[id];

		if (!s->d)
			continue;
		d = s->d;
		if ((d->svc == r->svc) != s->in_svc)
			run_fail(r, "id %u: svc pointer says in_svc %d", id, !s->in_svc);
		if (uvs_dest_active(d) != s->active || uvs_dest_inactive(d) != s->inactive ||
		    uvs_dest_persistent(d) != s->persist)
			run_fail(r, "id %u: counters %u/%u/%u, expected %u/%u/%u", id,
				 uvs_dest_active(d), uvs_dest_inactive(d), uvs_dest_persistent(d),
				 s->active, s->inactive, s->persist);
		if (uvs_dest_overloaded(d) != s->overload)
			run_fail(r, "id %u: overloaded %d, expected %d", id, uvs_dest_overloaded(d),
				 s->overload);
		if ((int64_t)uvs_dest_weight(d) != s->weight || d->conf.u_threshold != s->u_thr ||
		    d->conf.l_threshold != s->l_thr)
			run_fail(r, "id %u: conf differs", id);
	}
}

/* The reference's overload rules, applied to the shadow. */
static void shadow_bind(struct shadow *s, uint32_t flags)
{
	if (flags & UVS_CONN_F_TEMPLATE)
		s->persist++;
	else if (flags & UVS_CONN_F_INACTIVE)
		s->inactive++;
	else
		s->active++;
	if (s->u_thr != 0 && s->active + s->inactive >= s->u_thr)
		s->overload = true;
}

static void shadow_unbind(struct shadow *s, uint32_t flags)
{
	uint32_t total;

	if (flags & UVS_CONN_F_TEMPLATE)
		s->persist--;
	else if (flags & UVS_CONN_F_INACTIVE)
		s->inactive--;
	else
		s->active--;
	total = s->active + s->inactive;
	if (s->l_thr != 0) {
		if (total < s->l_thr)
			s->overload = false;
	} else if (s->u_thr != 0) {
		if ((uint64_t)total * 4 < (uint64_t)s->u_thr * 3)
			s->overload = false;
	} else {
		s->overload = false;
	}
}

/* Edits (and re-adds from the trash) lift an overload when u_threshold goes to 0 or up. */
static void shadow_conf(struct shadow *s, int64_t weight, uint32_t u, uint32_t l)
{
	if (u == 0 || u > s->u_thr)
		s->overload = false;
	s->weight = weight;
	s->u_thr = u;
	s->l_thr = l;
}

static void push_conn(struct run *r, unsigned id, uint32_t flags)
{
	if (r->nconns == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->conns = realloc(r->conns, sizeof(*r->conns) * r->cap);
		assert_non_null(r->conns);
	}
	r->conns[r->nconns++] = (struct conn){ .id = id, .flags = flags };
}

static struct uvs_dest_conf conf_for(unsigned id, int64_t weight, uint32_t u, uint32_t l)
{
	struct uvs_dest_conf c;

	memset(&c, 0, sizeof(c));
	c.af = AF_INET;
	c.addr.ip = htonl(BASE_ADDR + id);
	c.port = htons(8080);
	c.fwd = UVS_FWD_MASQ;
	c.weight = weight;
	c.u_threshold = u;
	c.l_threshold = l;
	return c;
}

static int64_t random_weight(struct run *r)
{
	if (chance(&r->rng, 15))
		return 0;
	if (r->wide && chance(&r->rng, 30)) {
		static const int64_t big[] = { UVS_WEIGHT_MAX, UVS_WEIGHT_MAX - 1, 32768, 256 };
		return big[rnd(&r->rng, 4)];
	}
	return 1 + rnd(&r->rng, r->wmax);
}

static void random_thresholds(struct run *r, uint32_t *u, uint32_t *l)
{
	*u = *l = 0;
	if (chance(&r->rng, 55))
		return;
	*u = 1 + rnd(&r->rng, r->thrmax);
	if (chance(&r->rng, 50))
		*l = rnd(&r->rng, *u + 1);
}

static unsigned random_in_svc(struct run *r)
{
	unsigned k = rnd(&r->rng, r->in_svc);

	for (unsigned id = 0; id < r->nids; id++) {
		if (r->sh[id].d && r->sh[id].in_svc && k-- == 0)
			return id;
	}
	fail_msg("no destination in the service");
	return 0;
}

/* ---- operations ---- */

static void op_schedule(struct run *r)
{
	static const struct uvs_sched_pkt pkt = { .af = AF_INET, .protocol = IPPROTO_TCP };
	struct uvs_dest *want, *got;
	uint32_t flags = chance(&r->rng, 40) ? UVS_CONN_F_INACTIVE : 0;
	char b1[UVS_ADDR_STRLEN], b2[UVS_ADDR_STRLEN];

	if (chance(&r->rng, 6))
		flags = UVS_CONN_F_TEMPLATE;
	r->op = flags & UVS_CONN_F_TEMPLATE ? "schedule-template" : "schedule";
	want = r->ref(r->svc);
	rcu_read_lock();
	got = uvs_svc_schedule(r->svc, &pkt, 0, flags);
	rcu_read_unlock();
	if (got != want)
		run_fail(r, "expected %s, scheduler picked %s", dest_name(want, b1, sizeof(b1)),
			 dest_name(got, b2, sizeof(b2)));
	r->picks++;
	if (!got) {
		r->null_picks++;
		return;
	}
	if (flags & UVS_CONN_F_TEMPLATE)
		r->template_picks++;
	shadow_bind(&r->sh[dest_id(got)], flags);
	push_conn(r, dest_id(got), flags);
}

/* A connection bound without the scheduler: one under a persistence template, or a
 * template itself. Sometimes to a destination in the trash. */
static void op_bind(struct run *r)
{
	static const uint32_t kinds[] = { 0, UVS_CONN_F_INACTIVE, UVS_CONN_F_TEMPLATE };
	uint32_t flags = kinds[rnd(&r->rng, 3)];
	unsigned id = 0;
	bool found = false;

	r->op = flags & UVS_CONN_F_TEMPLATE ? "bind-template" : "bind";
	if (chance(&r->rng, 20)) {
		/* any known destination, trashed ones included */
		unsigned start = rnd(&r->rng, r->nids ? r->nids : 1);
		for (unsigned i = 0; i < r->nids && !found; i++) {
			id = (start + i) % r->nids;
			found = r->sh[id].d != NULL;
		}
	} else if (r->in_svc) {
		id = random_in_svc(r);
		found = true;
	}
	if (!found)
		return;
	rcu_read_lock();
	uvs_dest_bind(r->sh[id].d, 0, flags);
	rcu_read_unlock();
	shadow_bind(&r->sh[id], flags);
	push_conn(r, id, flags);
}

static void unbind_at(struct run *r, unsigned i)
{
	struct conn c = r->conns[i];

	r->conns[i] = r->conns[--r->nconns];
	rcu_read_lock();
	uvs_dest_unbind(r->sh[c.id].d, 0, c.flags);
	rcu_read_unlock();
	shadow_unbind(&r->sh[c.id], c.flags);
}

static void op_unbind(struct run *r)
{
	r->op = "unbind";
	if (r->nconns)
		unbind_at(r, rnd(&r->rng, r->nconns));
}

static void op_set_active(struct run *r)
{
	struct conn *c;
	struct shadow *s;

	r->op = "set-active";
	if (!r->nconns)
		return;
	c = &r->conns[rnd(&r->rng, r->nconns)];
	if (c->flags & UVS_CONN_F_TEMPLATE)
		return;
	s = &r->sh[c->id];
	rcu_read_lock();
	if (c->flags & UVS_CONN_F_INACTIVE) {
		uvs_dest_set_active(s->d, 0, true);
		c->flags &= ~UVS_CONN_F_INACTIVE;
		s->inactive--;
		s->active++;
	} else {
		uvs_dest_set_active(s->d, 0, false);
		c->flags |= UVS_CONN_F_INACTIVE;
		s->active--;
		s->inactive++;
	}
	rcu_read_unlock();
}

static void op_edit(struct run *r)
{
	struct uvs_error err;
	struct shadow *s;
	unsigned id;
	int64_t w;
	uint32_t u, l;
	int ret;

	r->op = "edit";
	if (!r->in_svc)
		return;
	id = random_in_svc(r);
	s = &r->sh[id];
	w = s->weight;
	u = s->u_thr;
	l = s->l_thr;
	switch (rnd(&r->rng, 4)) {
	case 0:
		w = random_weight(r);
		break;
	case 1:
		random_thresholds(r, &u, &l);
		break;
	case 2:
		w = random_weight(r);
		random_thresholds(r, &u, &l);
		break;
	default:
		/* refused edits must leave everything as it was */
		if (chance(&r->rng, 50)) {
			w = chance(&r->rng, 50) ? -1 : UVS_WEIGHT_MAX + 1;
		} else {
			u = 1 + rnd(&r->rng, r->thrmax);
			l = u + 1 + rnd(&r->rng, 3);
		}
		struct uvs_dest_conf bad = conf_for(id, w, u, l);
		r->op = "edit-refused";
		ret = uvs_dest_edit(&r->env->m, &r->key, &bad, &err);
		if (ret != -ERANGE)
			run_fail(r, "refused edit returned %d", ret);
		return;
	}
	struct uvs_dest_conf c = conf_for(id, w, u, l);
	ret = uvs_dest_edit(&r->env->m, &r->key, &c, &err);
	if (ret != 0)
		run_fail(r, "edit id %u: %d %s", id, ret, err.msg);
	shadow_conf(s, w, u, l);
	r->edits++;
}

static void op_add(struct run *r)
{
	struct uvs_error err;
	struct shadow *s;
	struct uvs_dest *d;
	unsigned id = r->nids;
	int64_t w;
	uint32_t u, l;
	int ret;

	r->op = "add";
	if (chance(&r->rng, 35)) {
		/* back from the trash, if anything is there */
		unsigned start = rnd(&r->rng, r->nids ? r->nids : 1);
		for (unsigned i = 0; i < r->nids; i++) {
			unsigned j = (start + i) % r->nids;
			if (r->sh[j].d && !r->sh[j].in_svc) {
				id = j;
				r->op = "add-from-trash";
				break;
			}
		}
	} else if (r->in_svc && chance(&r->rng, 5)) {
		/* one that is there already */
		struct uvs_dest_conf dup = conf_for(random_in_svc(r), 1, 0, 0);
		r->op = "add-existing";
		ret = uvs_dest_add(&r->env->m, &r->key, &dup, &err);
		if (ret != -EEXIST)
			run_fail(r, "adding an existing destination returned %d", ret);
		return;
	}
	if (id == r->nids) {
		if (r->nids == MAX_IDS)
			return;
		r->nids++;
		memset(&r->sh[id], 0, sizeof(r->sh[id]));
	}
	s = &r->sh[id];
	w = random_weight(r);
	random_thresholds(r, &u, &l);
	struct uvs_dest_conf c = conf_for(id, w, u, l);
	ret = uvs_dest_add(&r->env->m, &r->key, &c, &err);
	if (ret != 0)
		run_fail(r, "add id %u: %d %s", id, ret, err.msg);
	d = uvs_dest_find(r->svc, AF_INET, &c.addr, c.port);
	if (!d || (s->d && d != s->d))
		run_fail(r, "add id %u: found %p, trash held %p", id, (void *)d, (void *)s->d);
	s->d = d;
	s->in_svc = true;
	s->order = ++r->next_order;
	shadow_conf(s, w, u, l);
	r->in_svc++;
	r->adds++;
}

static void op_del(struct run *r)
{
	struct uvs_error err;
	union uvs_addr a;
	unsigned id;
	int ret;

	r->op = "del";
	if (!r->in_svc)
		return;
	id = random_in_svc(r);
	if (chance(&r->rng, 50)) {
		/* drop its connections first; otherwise they are unbound from the trash later */
		r->op = "del-unbound";
		for (unsigned i = r->nconns; i-- > 0;) {
			if (r->conns[i].id == id)
				unbind_at(r, i);
		}
	}
	a.ip6w[1] = a.ip6w[2] = a.ip6w[3] = 0;
	a.ip = htonl(BASE_ADDR + id);
	ret = uvs_dest_del(&r->env->m, &r->key, AF_INET, &a, htons(8080), &err);
	if (ret != 0)
		run_fail(r, "del id %u: %d %s", id, ret, err.msg);
	r->sh[id].in_svc = false;
	r->in_svc--;
	r->dels++;
}

/* Lets the trash period pass: trashed destinations with no connection are freed. */
static void op_expire(struct run *r)
{
	r->op = "expire-trash";
	r->env->now += UVS_DEST_TRASH_NS + UVS_NS_PER_SEC;
	uvs_model_expire_trash(&r->env->m);
	for (unsigned id = 0; id < r->nids; id++) {
		struct shadow *s = &r->sh[id];
		if (s->d && !s->in_svc && s->active + s->inactive + s->persist == 0)
			s->d = NULL;
	}
	r->expiries++;
}

static void switch_sched(struct run *r, const char *name)
{
	struct uvs_svc_conf sc = test_svc_conf(r->vip, name);
	struct uvs_error err;
	int ret = uvs_svc_edit(&r->env->m, &sc, &err);

	if (ret != 0)
		run_fail(r, "switching to %s: %d %s", name, ret, err.msg);
}

/* Switches the service to another of these schedulers (which builds its index over the
 * destinations as they are), checks one pick of that one, and switches back. */
static void op_resched(struct run *r)
{
	const struct sched_case *other = &cases[rnd(&r->rng, 6)];
	const char *self = r->sched;
	struct uvs_dest *(*self_ref)(struct uvs_service * svc) = r->ref;

	r->op = "resched";
	switch_sched(r, other->name);
	r->sched = other->name;
	r->ref = other->ref;
	op_schedule(r);
	r->sched = self;
	r->ref = self_ref;
	r->op = "resched-back";
	switch_sched(r, self);
	r->reschedules++;
}

static void random_op(struct run *r)
{
	/* keep the number of connections in proportion to the destinations */
	unsigned load = r->nconns > 4 * r->in_svc + 16 ? 25 : 0;
	unsigned roll = rnd(&r->rng, 100 + load);

	if (roll >= 100)
		op_unbind(r);
	else if (roll < 36)
		op_schedule(r);
	else if (roll < 60)
		op_unbind(r);
	else if (roll < 70)
		op_set_active(r);
	else if (roll < 76)
		op_bind(r);
	else if (roll < 86)
		op_edit(r);
	else if (roll < 93) {
		if (r->in_svc < r->target || chance(&r->rng, 30))
			op_add(r);
		else
			op_del(r);
	} else if (roll < 99) {
		if (r->in_svc > r->target || chance(&r->rng, 30))
			op_del(r);
		else
			op_add(r);
	} else if (chance(&r->rng, 50)) {
		op_expire(r);
	} else {
		op_resched(r);
	}
}

static void run_round(struct run *r)
{
	static const unsigned wmaxes[] = { 1, 2, 3, 4, 8, 20 };
	struct uvs_svc_conf sc;
	struct uvs_error err;

	snprintf(r->vip, sizeof(r->vip), "10.0.%u.%u:80", r->round / 250, 1 + r->round % 250);
	sc = test_svc_conf(r->vip, r->sched);
	r->key = sc.key;
	assert_int_equal(uvs_svc_add(&r->env->m, &sc, &err), 0);
	r->svc = uvs_svc_find(&r->env->m, &r->key);
	assert_non_null(r->svc);

	r->wmax = wmaxes[rnd(&r->rng, 6)];
	r->wide = chance(&r->rng, 20);
	r->thrmax = 1 + rnd(&r->rng, 12);
	r->target = chance(&r->rng, 20) ? 200 + rnd(&r->rng, 201) : 1 + rnd(&r->rng, 64);
	r->nids = 0;
	r->in_svc = 0;
	r->nconns = 0;

	r->step = 0;
	while (r->in_svc < r->target) {
		op_add(r);
		check_state(r);
	}
	for (r->step = 1; r->step <= STEPS; r->step++) {
		random_op(r);
		check_state(r);
	}

	/* unbind everything, then every counter must be back to zero */
	r->op = "cleanup";
	while (r->nconns)
		unbind_at(r, r->nconns - 1);
	check_state(r);
	for (unsigned id = 0; id < r->nids; id++) {
		const struct shadow *s = &r->sh[id];
		if (s->d && (s->active || s->inactive || s->persist || uvs_dest_refs(s->d) != 0))
			run_fail(r, "id %u still has connections or references", id);
	}
	assert_int_equal(uvs_svc_del(&r->env->m, &r->key, &err), 0);
	r->svc = NULL;
}

/* ---- cmocka glue ---- */

static struct sched_case cases[6] = {
	{ .name = "lc", .ref = ref_lc },   { .name = "wlc", .ref = ref_wlc },
	{ .name = "sed", .ref = ref_sed }, { .name = "nq", .ref = ref_nq },
	{ .name = "fo", .ref = ref_fo },   { .name = "ovf", .ref = ref_ovf },
};

static uint64_t test_seed(void)
{
	const char *s = getenv("UVS_RANDTEST_SEED");

	return s && *s ? strtoull(s, NULL, 0) : DEFAULT_SEED;
}

static int setup(void **state)
{
	struct sched_case *c = *state;

	test_env_init(&c->env);
	return 0;
}

static int teardown(void **state)
{
	struct sched_case *c = *state;

	test_env_fini(&c->env);
	return 0;
}

static void test_random(void **state)
{
	struct sched_case *c = *state;
	struct run *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->sched = c->name;
	r->ref = c->ref;
	r->env = &c->env;
	r->seed = test_seed();
	/* one stream per scheduler, so each can be replayed on its own */
	r->rng.s = r->seed ^ ((uint64_t)(c - cases) * 0x9e3779b97f4a7c15ull);
	print_message("%s: seed 0x%" PRIx64 ", %u rounds x %u steps\n", c->name, r->seed, ROUNDS,
		      STEPS);
	for (r->round = 0; r->round < ROUNDS; r->round++)
		run_round(r);
	print_message("%s: %lu picks checked (%lu none available, %lu templates), %lu edits, "
		      "%lu adds, %lu deletes, %lu trash expiries, %lu scheduler switches\n",
		      c->name, r->picks, r->null_picks, r->template_picks, r->edits, r->adds,
		      r->dels, r->expiries, r->reschedules);
	free(r->conns);
	free(r);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[i] = (struct CMUnitTest){ .name = cases[i].name,
						.test_func = test_random,
						.setup_func = setup,
						.teardown_func = teardown,
						.initial_state = &cases[i] };
	}
	return cmocka_run_group_tests_name("sched_random", tests, NULL, NULL);
}
