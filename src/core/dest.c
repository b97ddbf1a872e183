// SPDX-License-Identifier: GPL-2.0-or-later
/* Destinations (real servers): validation, add/edit/delete, the trash, and the
 * connection counters with the overload flag that schedulers read. */
#include "model-internal.h"
#include "rcu-handoff.h"
#include "sched/sched.h"

#include <errno.h>
#include <stdlib.h>

struct uvs_dest *uvs_dest_find(struct uvs_service *svc, int af, const union uvs_addr *addr,
			       uint16_t port)
{
	struct uvs_dest *d;

	cds_list_for_each_entry(d, &svc->dests, list) {
		if (d->conf.af == af && d->conf.port == port && uvs_addr_eq(&d->conf.addr, addr))
			return d;
	}
	return NULL;
}

/*
 * c as the model keeps it: a destination that is not masqueraded gets the service's
 * port (packets reach it unchanged), as ipvsadm sets it for -g and -i, so that the
 * same real server cannot be added twice under two ports nobody uses and every
 * configuration saves to rules that restore.
 */
static struct uvs_dest_conf normalized(const struct uvs_service *svc, const struct uvs_dest_conf *c)
{
	struct uvs_dest_conf n = *c;

	if ((c->fwd & UVS_FWD_MASK) != UVS_FWD_MASQ && !svc->key.fwmark)
		n.port = svc->key.port;
	return n;
}

/* The kernel's checks, in its order (ip_vs_genl_set_cmd, ip_vs_add_dest,
 * ip_vs_new_dest), and ipvsadm's where it is stricter (weight, thresholds). */
static int check_conf(const struct uvs_service *svc, const struct uvs_dest_conf *c,
		      struct uvs_error *err)
{
	uint32_t fwd = c->fwd & UVS_FWD_MASK;

	if (c->af != AF_INET && c->af != AF_INET6)
		return uvs_errorf(err, EAFNOSUPPORT, "address family %u is not supported", c->af);
	if (c->af != svc->key.af && fwd != UVS_FWD_TUNNEL)
		return uvs_errorf(err, EINVAL,
				  "a real server of another address family needs tunnelling (-i)");
	if (c->fwd & ~UVS_FWD_MASK || fwd > UVS_FWD_DROUTE)
		return uvs_errorf(err, EINVAL, "unknown forwarding method %u", c->fwd);
	if (c->weight < 0 || c->weight > UVS_WEIGHT_MAX)
		return uvs_errorf(err, ERANGE, "weight %lld out of range 0..%d",
				  (long long)c->weight, UVS_WEIGHT_MAX);
	/* ipvsadm takes thresholds up to INT_MAX; larger ones could not be saved and
	 * restored. */
	if (c->u_threshold > INT32_MAX || c->l_threshold > INT32_MAX)
		return uvs_errorf(err, ERANGE, "threshold out of range 0..%d", INT32_MAX);
	if (c->l_threshold > c->u_threshold)
		return uvs_errorf(err, ERANGE,
				  "lower threshold %u is higher than upper threshold %u",
				  c->l_threshold, c->u_threshold);
	if (c->tun_type > UVS_TUN_TYPE_GRE)
		return uvs_errorf(err, EINVAL, "unknown tunnel type %u", c->tun_type);
	if (c->tun_flags & ~(UVS_TUN_F_CSUM | UVS_TUN_F_REMCSUM))
		return uvs_errorf(err, EINVAL, "unknown tunnel flags 0x%x", c->tun_flags);
	/* Whatever the forwarding method, as the kernel checks it. */
	if (c->tun_type == UVS_TUN_TYPE_GUE && c->tun_port == 0)
		return uvs_errorf(err, EINVAL, "a gue tunnel needs a tunnel port");
	if ((c->tun_flags & UVS_TUN_F_CSUM) && (c->tun_flags & UVS_TUN_F_REMCSUM))
		return uvs_errorf(err, EINVAL, "tunnel csum and remcsum exclude each other");
	if ((c->tun_flags & UVS_TUN_F_REMCSUM) && c->tun_type != UVS_TUN_TYPE_GUE)
		return uvs_errorf(err, EINVAL, "tunnel remcsum needs a gue tunnel");
	if (!uvs_addr_can_be_real_server(c->af, &c->addr))
		return uvs_errorf(err, EINVAL, "real server address is not unicast");
	return 0;
}

/* Sets what an edit may change. Workers read these fields while it happens (see
 * uvs_dest_fwd() and friends), hence atomic stores. */
static void store_mutable_conf(struct uvs_dest *d, const struct uvs_dest_conf *c)
{
	/* Relaxed: workers read the fields one by one, so no ordering could keep one that
	 * races an edit from mixing old and new (nor does the kernel); each stays whole. */
	uvs_store_relaxed(&d->conf.fwd, c->fwd);
	uvs_store_relaxed(&d->conf.u_threshold, c->u_threshold);
	uvs_store_relaxed(&d->conf.l_threshold, c->l_threshold);
	uvs_store_relaxed(&d->conf.tun_type, c->tun_type);
	uvs_store_relaxed(&d->conf.tun_port, c->tun_port);
	uvs_store_relaxed(&d->conf.tun_flags, c->tun_flags);
	uvs_store_relaxed(&d->conf.weight, c->weight);
}

/* Applies a checked conf as the kernel's __ip_vs_update_dest does. Caller holds
 * svc->lock. */
static void apply_conf(struct uvs_dest *d, const struct uvs_dest_conf *c, bool add)
{
	/* Atomic changes: workers set and clear OVERLOAD meanwhile. Relaxed: the bits
	 * publish nothing else. */
	uvs_or_relaxed(&d->flags, UVS_DEST_F_AVAILABLE);
	/* Raising the upper threshold, or removing it, lifts an overload at once. */
	if (c->u_threshold == 0 || c->u_threshold > d->conf.u_threshold)
		uvs_and_relaxed(&d->flags, ~UVS_DEST_F_OVERLOAD);
	if (add || c->weight != 0)
		d->last_weight = (uint32_t)c->weight;
	store_mutable_conf(d, c);
}

/*
 * svc->dests as an RCU list (model-t.h): d goes in at the head, its seq and next set
 * before the release that publishes it; an entry taken out keeps its next, so that a
 * walker standing on it goes on into the list. The prev pointers are only read under
 * svc->lock. Caller holds svc->lock.
 */
static void dests_add_head(struct uvs_service *svc, struct uvs_dest *d)
{
	struct cds_list_head *head = &svc->dests, *first = head->next;

	uvs_store_relaxed(&d->seq, ++svc->next_seq);
	uvs_store_relaxed(&d->list.next, first);
	d->list.prev = head;
	first->prev = &d->list;
	uvs_store_release(&head->next, &d->list);
	uvs_store_relaxed(&svc->num_dests, svc->num_dests + 1);
}

static void dests_del(struct uvs_service *svc, struct uvs_dest *d)
{
	struct cds_list_head *prev = d->list.prev, *next = d->list.next;

	next->prev = prev;
	uvs_store_release(&prev->next, next);
	uvs_store_relaxed(&svc->num_dests, svc->num_dests - 1);
}

/* Links d at the head of svc's list and tells the scheduler. Caller holds svc->lock. */
static int link_dest(struct uvs_service *svc, struct uvs_dest *d)
{
	int ret = uvs_addrs_add(svc->model, svc, d->conf.af, &d->conf.addr);

	if (ret)
		return ret;
	dests_add_head(svc, d);
	uvs_store_release(&d->svc, svc); /* pairs with uvs_dest_svc() */
	uvs_full_fence(); /* pairs with change_counts() on a destination leaving the trash */
	ret = uvs_sched_add_dest(svc, d);
	if (ret) {
		dests_del(svc, d);
		uvs_store_release(&d->svc, NULL);
		d->left_svc = svc; /* a pick may have seen it there */
		uvs_addrs_del(svc->model, svc, d->conf.af, &d->conf.addr);
	}
	return ret;
}

static void unlink_dest(struct uvs_service *svc, struct uvs_dest *d)
{
	uvs_addrs_del(svc->model, svc, d->conf.af, &d->conf.addr);
	dests_del(svc, d);
	if (svc->sched) /* none while the service itself goes */
		uvs_sched_del_dest(svc, d);
	uvs_store_release(&d->svc, NULL);
	d->left_svc = svc;
}

static struct uvs_dest *trash_find(struct uvs_model *m, const struct uvs_svc_key *k,
				   const struct uvs_dest_conf *c)
{
	struct uvs_dest *d;

	cds_list_for_each_entry(d, &m->trash, trash_node) {
		if (memcmp(&d->vkey, k, sizeof(*k)) == 0 && d->conf.af == c->af &&
		    d->conf.port == c->port && uvs_addr_eq(&d->conf.addr, &c->addr))
			return d;
	}
	return NULL;
}

static void trash_dest(struct uvs_model *m, struct uvs_dest *d)
{
	d->trash_since = uvs_model_now(m);
	cds_list_add(&d->trash_node, &m->trash);
}

void uvs_dest_trash_all(struct uvs_service *svc)
{
	struct uvs_dest *d, *tmp;

	cds_list_for_each_entry_safe(d, tmp, &svc->dests, list) {
		unlink_dest(svc, d);
		trash_dest(svc->model, d);
	}
}

void uvs_dest_free(struct uvs_dest *d)
{
	uvs_stats_free(&d->stats);
	free(d);
}

struct dest_rcu {
	struct rcu_head head;
	struct uvs_dest *d;
};

static void dest_free_rcu(struct rcu_head *head)
{
	uvs_rcu_callback_begin();
	struct dest_rcu *r = caa_container_of(head, struct dest_rcu, head);
	uvs_dest_free(r->d);
	free(r);
}

void uvs_dest_free_deferred(struct uvs_dest *d)
{
	struct dest_rcu *r = malloc(sizeof(*r));

	if (!r) {
		/* No memory to defer with: wait for the grace period here instead. */
		synchronize_rcu();
		uvs_dest_free(d);
		return;
	}
	r->d = d;
	uvs_call_rcu(&r->head, dest_free_rcu);
}

/* What a failed add or edit puts back (only the control side writes these). */
struct dest_saved {
	struct uvs_dest_conf conf;
	uint32_t flags;
	uint32_t last_weight;
};

static struct dest_saved dest_save(const struct uvs_dest *d)
{
	/* Relaxed: workers change only OVERLOAD meanwhile, a bit that publishes nothing. */
	return (struct dest_saved){ d->conf, uvs_load_relaxed(&d->flags), d->last_weight };
}

static void dest_restore(struct uvs_dest *d, const struct dest_saved *s)
{
	store_mutable_conf(d, &s->conf);
	uvs_store_relaxed(&d->flags, s->flags); /* relaxed: as in dest_save() */
	d->last_weight = s->last_weight;
}

/*
 * The service of k, with *nc set to c as that service takes it, checked, and *d the
 * destination nc names (NULL if there is none yet). Call with m->ctl_lock held.
 * Returns the service, or NULL with *ret set to the error.
 */
static struct uvs_service *conf_service(struct uvs_model *m, const struct uvs_svc_key *k,
					const struct uvs_dest_conf *c, struct uvs_dest_conf *nc,
					struct uvs_dest **d, struct uvs_error *err, int *ret)
{
	struct uvs_service *svc = uvs_svc_find(m, k);

	if (!svc) {
		*ret = uvs_errorf(err, ESRCH, "Service not defined");
		return NULL;
	}
	*nc = normalized(svc, c);
	*ret = check_conf(svc, nc, err);
	if (*ret)
		return NULL;
	*d = uvs_dest_find(svc, nc->af, &nc->addr, nc->port);
	return svc;
}

/* A change to destination d (NULL if there is none yet) of svc, whose configuration
 * is c as svc takes it. Called with m->ctl_lock held; returns 0 or a negative errno
 * with *err set, having changed nothing. */
typedef int (*dest_change_fn)(struct uvs_model *m, const struct uvs_svc_key *k,
			      struct uvs_service *svc, const struct uvs_dest_conf *c,
			      struct uvs_dest *d, struct uvs_error *err);

/* Runs fn under the control lock on k's service with c checked and normalized; a
 * change that succeeds moves the model to a new generation. */
static int change_dest(struct uvs_model *m, const struct uvs_svc_key *k,
		       const struct uvs_dest_conf *c, struct uvs_error *err, dest_change_fn fn)
{
	struct uvs_service *svc;
	struct uvs_dest_conf nc;
	struct uvs_dest *d;
	int ret;

	pthread_mutex_lock(&m->ctl_lock);
	svc = conf_service(m, k, c, &nc, &d, err, &ret);
	if (svc)
		ret = fn(m, k, svc, &nc, d, err);
	if (!ret)
		m->generation++;
	pthread_mutex_unlock(&m->ctl_lock);
	return ret;
}

static int add_dest(struct uvs_model *m, const struct uvs_svc_key *k, struct uvs_service *svc,
		    const struct uvs_dest_conf *c, struct uvs_dest *d, struct uvs_error *err)
{
	bool from_trash = false;
	int ret;

	if (d)
		return uvs_errorf(err, EEXIST, "Destination already exists");
	ret = uvs_sched_check_fits(svc->sched, svc->num_dests + 1, err);
	if (ret)
		return ret;

	d = trash_find(m, k, c);
	if (d) {
		/* Back within the trash period: keep its counters and connections. */
		cds_list_del(&d->trash_node);
		from_trash = true;
	} else {
		d = calloc(1, sizeof(*d));
		if (!d || uvs_stats_init(&d->stats, m->nworkers) < 0) {
			free(d);
			return uvs_errorf(err, ENOMEM, "out of memory");
		}
		d->vkey = *k;
		d->conf.af = c->af;
		d->conf.addr = c->addr;
		d->conf.port = c->port;
	}
	/* d left another service object (deleted, then made again with the same key):
	 * a pick may still walk that one's list, standing on d, and must not follow d
	 * into svc's list, whose head it would take for a destination. After a grace
	 * period none does. (Left svc itself, even at the same address after a free: no
	 * pick of the old object is left then.) Not under svc->lock, which workers take
	 * inside their read-side sections. */
	if (from_trash && d->left_svc != svc)
		synchronize_rcu();
	struct dest_saved saved = dest_save(d);
	pthread_mutex_lock(&svc->lock);
	apply_conf(d, c, true);
	ret = link_dest(svc, d);
	pthread_mutex_unlock(&svc->lock);
	if (ret) {
		uvs_errorf(err, -ret, "scheduler %s could not take the destination: %s",
			   svc->sched->name, strerror(-ret));
		if (from_trash) {
			dest_restore(d, &saved);
			cds_list_add(&d->trash_node, &m->trash);
		} else {
			/* An unlocked pick may have seen it in the list: the trash frees it
			 * once nothing refers to it, as any destination. */
			trash_dest(m, d);
		}
	}
	return ret;
}

int uvs_dest_add(struct uvs_model *m, const struct uvs_svc_key *k, const struct uvs_dest_conf *c,
		 struct uvs_error *err)
{
	return change_dest(m, k, c, err, add_dest);
}

static int edit_dest(struct uvs_model *m, const struct uvs_svc_key *k, struct uvs_service *svc,
		     const struct uvs_dest_conf *c, struct uvs_dest *d, struct uvs_error *err)
{
	int ret;

	(void)m;
	(void)k;
	if (!d)
		return uvs_errorf(err, ENOENT, "No such destination");
	pthread_mutex_lock(&svc->lock);
	struct dest_saved saved = dest_save(d);
	apply_conf(d, c, false);
	ret = uvs_sched_upd_dest(svc, d);
	if (ret) {
		dest_restore(d, &saved);
		uvs_errorf(err, -ret, "scheduler %s could not update the destination: %s",
			   svc->sched->name, strerror(-ret));
	}
	pthread_mutex_unlock(&svc->lock);
	return ret;
}

int uvs_dest_edit(struct uvs_model *m, const struct uvs_svc_key *k, const struct uvs_dest_conf *c,
		  struct uvs_error *err)
{
	return change_dest(m, k, c, err, edit_dest);
}

int uvs_dest_del(struct uvs_model *m, const struct uvs_svc_key *k, int af,
		 const union uvs_addr *addr, uint16_t port, struct uvs_error *err)
{
	struct uvs_service *svc;
	struct uvs_dest *d;
	int ret = 0;

	pthread_mutex_lock(&m->ctl_lock);
	svc = uvs_svc_find(m, k);
	if (!svc) {
		ret = uvs_errorf(err, ESRCH, "Service not defined");
		goto out;
	}
	if (af != AF_INET && af != AF_INET6) {
		ret = uvs_errorf(err, EAFNOSUPPORT, "address family %u is not supported", af);
		goto out;
	}
	d = uvs_dest_find(svc, af, addr, port);
	if (!d) {
		ret = uvs_errorf(err, ENOENT, "No such destination");
		goto out;
	}
	pthread_mutex_lock(&svc->lock);
	unlink_dest(svc, d);
	pthread_mutex_unlock(&svc->lock);
	trash_dest(m, d);
out:
	if (!ret)
		m->generation++;
	pthread_mutex_unlock(&m->ctl_lock);
	return ret;
}

/* ---- connection counters (data path) ---- */

static uint32_t total_conns(const struct uvs_dest *d)
{
	return uvs_dest_active(d) + uvs_dest_inactive(d);
}

/* The counts of d's slot (model.h: below the model's nworkers). */
static struct uvs_conn_counts *slot_counts(struct uvs_dest *d, unsigned slot)
{
	return &d->stats.slots[slot].n;
}

static enum uvs_conn_kind kind_of(uint32_t conn_flags)
{
	if (conn_flags & UVS_CONN_F_TEMPLATE)
		return UVS_CONN_PERSIST;
	return conn_flags & UVS_CONN_F_INACTIVE ? UVS_CONN_INACTIVE : UVS_CONN_ACTIVE;
}

/* Relaxed: counts, which publish nothing; change_counts() orders what needs it. */
static void counter_add(uint32_t *c, int32_t v)
{
	uvs_add_relaxed(c, (uint32_t)v);
}

/* Relaxed: a bit that publishes nothing; schedulers read it as a hint of load. Written
 * only when it changes: every pick reads the line it is on. */
static void set_overload(struct uvs_dest *d, bool on)
{
	bool is = uvs_load_relaxed(&d->flags) & UVS_DEST_F_OVERLOAD;

	if (on && !is)
		uvs_or_relaxed(&d->flags, UVS_DEST_F_OVERLOAD);
	else if (!on && is)
		uvs_and_relaxed(&d->flags, ~UVS_DEST_F_OVERLOAD);
}

static void count_bind(struct uvs_dest *d, unsigned slot, uint32_t conn_flags)
{
	struct uvs_conn_counts *n = slot_counts(d, slot);

	counter_add(&n->by_kind[kind_of(conn_flags)], 1);
	uvs_add_relaxed(&n->binds, 1); /* relaxed: uvs_dest_refs() reads unbinds first */
	uint32_t upper = uvs_load_relaxed(&d->conf.u_threshold); /* as store_mutable_conf */

	if (upper != 0 && total_conns(d) >= upper)
		set_overload(d, true);
}

static void count_unbind(struct uvs_dest *d, unsigned slot, uint32_t conn_flags)
{
	counter_add(&slot_counts(d, slot)->by_kind[kind_of(conn_flags)], -1);
	/* Hysteresis: below the lower threshold if set, else below 3/4 of the upper. */
	/* Relaxed: each read on its own (store_mutable_conf()). */
	uint32_t lower = uvs_load_relaxed(&d->conf.l_threshold);
	uint32_t upper = uvs_load_relaxed(&d->conf.u_threshold);

	if (lower != 0) {
		if (total_conns(d) < lower)
			set_overload(d, false);
	} else if (upper != 0) {
		if ((uint64_t)total_conns(d) * 4 < (uint64_t)upper * 3)
			set_overload(d, false);
	} else {
		set_overload(d, false);
	}
}

/* Tells svc's scheduler that d's load changed, if d still belongs to svc. Caller holds
 * svc->lock. */
static void tell_scheduler(struct uvs_service *svc, struct uvs_dest *d)
{
	if (uvs_dest_svc(d) == svc && svc->sched && svc->sched->load_changed)
		svc->sched->load_changed(svc, d);
}

/* Whether svc's scheduler keeps state that follows its destinations' load, which it
 * must be told of under svc->lock (sched.h: uvs_sched_follow_load()). */
static bool follows_load(struct uvs_service *svc)
{
	return uvs_load_acquire(&svc->follows_load);
}

/*
 * Runs fn, a change of d's (atomic) counters, and tells the scheduler of the service
 * d belongs to that the load changed. Under that service's lock only if its scheduler
 * follows the load, so that a connection's state change takes no lock with rr and the
 * other schedulers that only read the counters, as the kernel's counters change
 * without one. Otherwise fn runs unlocked, and a scheduler that starts following the
 * load meanwhile is told afterwards: a scheduler that starts following it
 * (uvs_sched_follow_load()) or a destination added back from the trash to a service
 * (link_dest()) publishes svc->follows_load or d->svc before reading the counters, and
 * this side changes the counters before reading them, both with a full barrier
 * between.
 */
static void change_counts(struct uvs_dest *d, void (*fn)(struct uvs_dest *, unsigned, uint32_t),
			  unsigned slot, uint32_t arg)
{
	struct uvs_service *svc;

	while ((svc = uvs_dest_svc(d)) != NULL && follows_load(svc)) {
		pthread_mutex_lock(&svc->lock);
		if (uvs_dest_svc(d) == svc) {
			fn(d, slot, arg);
			tell_scheduler(svc, d);
			pthread_mutex_unlock(&svc->lock);
			return;
		}
		pthread_mutex_unlock(&svc->lock);
	}
	fn(d, slot, arg);
	uvs_full_fence();
	svc = uvs_dest_svc(d);
	if (svc && follows_load(svc)) {
		pthread_mutex_lock(&svc->lock);
		tell_scheduler(svc, d);
		pthread_mutex_unlock(&svc->lock);
	}
}

void uvs_dest_bind(struct uvs_dest *dest, unsigned slot, uint32_t conn_flags)
{
	/* The caller's reference or read-side section keeps dest (model.h). */
	change_counts(dest, count_bind, slot, conn_flags);
}

/* A bind under svc->lock, d on svc's list (which holds it). */
static void bind_locked(struct uvs_service *svc, struct uvs_dest *d, unsigned slot,
			uint32_t conn_flags)
{
	count_bind(d, slot, conn_flags);
	tell_scheduler(svc, d);
}

struct uvs_dest *uvs_svc_bind_dest(struct uvs_service *svc, int af, const union uvs_addr *addr,
				   uint16_t port, unsigned slot, uint32_t conn_flags)
{
	struct uvs_dest *d;

	pthread_mutex_lock(&svc->lock);
	d = uvs_dest_find(svc, af, addr, port);
	if (d)
		bind_locked(svc, d, slot, conn_flags);
	pthread_mutex_unlock(&svc->lock);
	return d;
}

void uvs_dest_unbind(struct uvs_dest *dest, unsigned slot, uint32_t conn_flags)
{
	change_counts(dest, count_unbind, slot, conn_flags);
	/* Release: our uses of dest come before the trash's acquire sees it unused. */
	uvs_add_release(&slot_counts(dest, slot)->unbinds, 1);
}

/*
 * Every slot's unbinds are read before any slot's binds: both only grow, and every
 * unbind comes after its bind, so the sums can be equal only if at some moment
 * between the two passes no reference was held; once no thread can bind dest (it is
 * in the trash, and no connection holds it to lend it to another) none is held since.
 */
uint32_t uvs_dest_refs(const struct uvs_dest *dest)
{
	uint32_t unbinds = 0, binds = 0;

	for (unsigned i = 0; i < dest->stats.nslots; i++) /* acquire: pairs with unbind */
		unbinds += uvs_load_acquire(&dest->stats.slots[i].n.unbinds);
	for (unsigned i = 0; i < dest->stats.nslots; i++) /* relaxed: after the acquires */
		binds += uvs_load_relaxed(&dest->stats.slots[i].n.binds);
	return binds - unbinds;
}

static void move_active(struct uvs_dest *d, unsigned slot, uint32_t to_active)
{
	struct uvs_conn_counts *n = slot_counts(d, slot);

	counter_add(&n->by_kind[to_active ? UVS_CONN_INACTIVE : UVS_CONN_ACTIVE], -1);
	counter_add(&n->by_kind[to_active ? UVS_CONN_ACTIVE : UVS_CONN_INACTIVE], 1);
}

void uvs_dest_set_active(struct uvs_dest *dest, unsigned slot, bool active)
{
	change_counts(dest, move_active, slot, active);
}

struct uvs_dest *uvs_svc_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt,
				  unsigned slot, uint32_t conn_flags)
{
	struct uvs_sched_unlocked *u = uvs_load_acquire(&svc->unlocked);
	struct uvs_dest *d = NULL;

	if (u) {
		d = u->schedule(svc, u, pkt);
		/* d was in svc's list inside this RCU read-side section: a destination is
		 * freed only after the trash's period with no reference. */
		if (d)
			uvs_dest_bind(d, slot, conn_flags);
		return d;
	}
	pthread_mutex_lock(&svc->lock);
	if (svc->sched)
		d = svc->sched->schedule(svc, pkt);
	if (d)
		bind_locked(svc, d, slot, conn_flags);
	pthread_mutex_unlock(&svc->lock);
	return d;
}
