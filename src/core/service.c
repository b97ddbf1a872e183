// SPDX-License-Identifier: GPL-2.0-or-later
/* Virtual services: validation, add/edit/delete, lookups. */
#include "core/ftp.h"
#include "model-internal.h"
#include "rcu-handoff.h"
#include "sched/sched.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

void uvs_svc_key_inet(struct uvs_svc_key *k, int af, int protocol, const union uvs_addr *addr,
		      uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint16_t)af;
	k->protocol = (uint16_t)protocol;
	k->addr = *addr;
	k->port = port;
}

void uvs_svc_key_fwmark(struct uvs_svc_key *k, int af, uint32_t fwmark)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint16_t)af;
	k->fwmark = fwmark;
}

static unsigned long key_hash(const struct uvs_svc_key *k)
{
	uint32_t w[sizeof(*k) / 4];
	uint64_t h = 0x8445D61A4E774912ull;

	memcpy(w, k, sizeof(w));
	for (unsigned i = 0; i < sizeof(w) / 4; i++) {
		h ^= w[i];
		h *= 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	return (unsigned long)h;
}

static int key_match(struct cds_lfht_node *node, const void *key)
{
	const struct uvs_service *svc = caa_container_of(node, struct uvs_service, node);

	/* Pairs with the release in apply_conf(), made before the service is published:
	 * free on x86, and it shows the order to ThreadSanitizer, which cannot see inside
	 * liburcu's hash table. */
	(void)uvs_load_acquire(&svc->flags);
	return memcmp(&svc->key, key, sizeof(svc->key)) == 0;
}

struct uvs_service *uvs_svc_find(struct uvs_model *m, const struct uvs_svc_key *k)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	/* Nests inside the caller's section; the control side, which holds ctl_lock,
	 * needs it only for the table's own sake. */
	rcu_read_lock();
	cds_lfht_lookup(m->svc_table, key_hash(k), key_match, k, &iter);
	node = cds_lfht_iter_get_node(&iter);
	rcu_read_unlock();
	return node ? caa_container_of(node, struct uvs_service, node) : NULL;
}

struct uvs_service *uvs_svc_lookup(struct uvs_model *m, int af, int protocol,
				   const union uvs_addr *addr, uint16_t port, uint32_t fwmark)
{
	struct uvs_svc_key k;
	struct uvs_service *svc;

	if (fwmark) {
		uvs_svc_key_fwmark(&k, af, fwmark);
		svc = uvs_svc_find(m, &k);
		if (svc)
			return svc;
	}
	uvs_svc_key_inet(&k, af, protocol, addr, port);
	svc = uvs_svc_find(m, &k);
	if (svc || port == 0)
		return svc;
	/* Maybe an FTP data connection: port 20 or an unprivileged one finds a service on
	 * port 21 (ip_vs_service_find(); 1024 is ip_unprivileged_port_start's default). */
	if (protocol == IPPROTO_TCP && (port == htons(UVS_FTP_PORT - 1) || ntohs(port) >= 1024)) {
		k.port = htons(UVS_FTP_PORT);
		svc = uvs_svc_find(m, &k);
		if (svc)
			return svc;
	}
	k.port = 0;
	return uvs_svc_find(m, &k);
}

static bool known_protocol(int protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
}

/* The checks ipvsadm and the kernel make on a service's attributes. On success
 * *sched is the scheduler to use. */
static int check_conf(const struct uvs_svc_conf *c, const struct uvs_sched_ops **sched,
		      struct uvs_error *err)
{
	const struct uvs_svc_key *k = &c->key;

	if (k->af != AF_INET && k->af != AF_INET6)
		return uvs_errorf(err, EAFNOSUPPORT, "address family %u is not supported", k->af);
	if (k->fwmark == 0 && !known_protocol(k->protocol))
		return uvs_errorf(err, EINVAL, "protocol %u is not supported", k->protocol);
	if (k->fwmark != 0 && (k->protocol || k->port || !uvs_addr_is_zero(&k->addr)))
		return uvs_errorf(err, EINVAL, "a fwmark service has no protocol, address or port");
	if (memchr(c->sched_name, 0, sizeof(c->sched_name)) == NULL ||
	    memchr(c->pe_name, 0, sizeof(c->pe_name)) == NULL)
		return uvs_errorf(err, EINVAL, "scheduler or persistence engine name too long");
	if (c->flags & ~UVS_SVC_F_USER_MASK)
		return uvs_errorf(err, EINVAL, "unknown service flags 0x%x",
				  c->flags & ~UVS_SVC_F_USER_MASK);
	if (k->fwmark == 0 && k->port == 0 && !(c->flags & UVS_SVC_F_PERSISTENT))
		return uvs_errorf(err, EINVAL, "Zero port specified for non-persistent service");
	if ((c->flags & UVS_SVC_F_ONEPACKET) && k->fwmark == 0 && k->protocol != IPPROTO_UDP)
		return uvs_errorf(err, EINVAL,
				  "One-Packet Scheduling is only for UDP virtual services");
	if ((c->flags & UVS_SVC_F_PERSISTENT) &&
	    (c->timeout < 1 || c->timeout > UVS_PERSIST_TIMEOUT_MAX))
		return uvs_errorf(err, EINVAL, "persistence timeout %u out of range 1..%u",
				  c->timeout, UVS_PERSIST_TIMEOUT_MAX);
	if (k->af == AF_INET6 && (c->netmask < 1 || c->netmask > 128))
		return uvs_errorf(err, EINVAL, "IPv6 persistence prefix %u out of range 1..128",
				  c->netmask);
	/* An empty name finds no scheduler, as in the kernel; ipvsadm and the rules
	 * language fill in the default, wlc. */
	*sched = uvs_sched_find(c->sched_name);
	if (!*sched)
		return uvs_errorf(err, ENOENT, "Scheduler not found: %s",
				  c->sched_name[0] ? c->sched_name : "(empty name)");
	if (c->pe_name[0])
		return uvs_errorf(err, ENOENT, "Persistence engine not found: %s", c->pe_name);
	return 0;
}

static void apply_conf(struct uvs_service *svc, const struct uvs_svc_conf *c)
{
	/* Workers read these while a service is edited: atomic stores, flags last.
	 * Relaxed: each is read on its own, and either value is a valid one. */
	uvs_store_relaxed(&svc->timeout, c->timeout);
	uvs_store_relaxed(&svc->netmask, c->netmask);
	memcpy(svc->pe_name, c->pe_name, sizeof(svc->pe_name));
	uvs_store_release(&svc->flags, c->flags | UVS_SVC_F_HASHED);
}

static void svc_free(struct uvs_service *svc)
{
	pthread_mutex_destroy(&svc->lock);
	uvs_stats_free(&svc->stats);
	free(svc);
}

static void svc_free_rcu(struct rcu_head *head)
{
	uvs_rcu_callback_begin();
	svc_free(caa_container_of(head, struct uvs_service, rcu));
}

int uvs_svc_add(struct uvs_model *m, const struct uvs_svc_conf *c, struct uvs_error *err)
{
	const struct uvs_sched_ops *sched;
	struct uvs_service *svc = NULL;
	int ret;

	pthread_mutex_lock(&m->ctl_lock);
	/* The kernel answers EEXIST before it looks at the attributes. */
	if (uvs_svc_find(m, &c->key)) {
		ret = uvs_errorf(err, EEXIST, "Service already exists");
		goto fail;
	}
	ret = check_conf(c, &sched, err);
	if (ret)
		goto fail;
	svc = calloc(1, sizeof(*svc));
	if (!svc || uvs_stats_init(&svc->stats, m->nworkers) < 0) {
		free(svc);
		svc = NULL;
		ret = uvs_errorf(err, ENOMEM, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&svc->lock, NULL);
	CDS_INIT_LIST_HEAD(&svc->dests);
	svc->key = c->key;
	svc->model = m;
	svc->rand_state = (m->seed ^ key_hash(&c->key)) | 1;
	apply_conf(svc, c);
	if (!svc->key.fwmark && uvs_addrs_add(m, NULL, svc->key.af, &svc->key.addr) < 0) {
		ret = uvs_errorf(err, ENOMEM, "out of memory");
		goto fail;
	}
	pthread_mutex_lock(&svc->lock);
	svc->sched = sched;
	svc->follows_load = sched->load_changed != NULL; /* svc is not published yet */
	ret = sched->init_service(svc);
	pthread_mutex_unlock(&svc->lock);
	if (ret) {
		uvs_errorf(err, -ret, "scheduler %s could not start: %s", sched->name,
			   strerror(-ret));
		if (!svc->key.fwmark)
			uvs_addrs_del(m, NULL, svc->key.af, &svc->key.addr);
		goto fail;
	}
	if (!svc->key.fwmark) {
		uint32_t bit = uvs_vip_bit(svc->key.af, &svc->key.addr);
		/* Set before the service is published, so that a worker that finds the
		 * service also finds the bit. */
		uvs_or_release(&m->vip_bits[bit / 64], 1ull << (bit % 64));
	}
	rcu_read_lock();
	cds_lfht_add(m->svc_table, key_hash(&svc->key), &svc->node);
	rcu_read_unlock();
	/* After the add: a cached answer for a less exact service (port 0, FTP) is
	 * dropped, and a cache that sees the new value looks up in a table with svc. */
	uvs_store_release(&m->svc_gen, m->svc_gen + 1);
	cds_list_add_tail(&svc->all, &m->services);
	m->num_services++;
	m->generation++;
	pthread_mutex_unlock(&m->ctl_lock);
	return 0;
fail:
	pthread_mutex_unlock(&m->ctl_lock);
	if (svc)
		svc_free(svc);
	return ret;
}

int uvs_svc_edit(struct uvs_model *m, const struct uvs_svc_conf *c, struct uvs_error *err)
{
	const struct uvs_sched_ops *sched, *old_sched;
	struct uvs_service *svc;
	void *old_data;
	bool old_follows;
	int ret = check_conf(c, &sched, err);

	if (ret)
		return ret;
	pthread_mutex_lock(&m->ctl_lock);
	svc = uvs_svc_find(m, &c->key);
	if (!svc) {
		ret = uvs_errorf(err, ESRCH, "No such service");
		goto out;
	}
	if (sched != svc->sched) {
		ret = uvs_sched_check_fits(sched, svc->num_dests, err);
		if (ret)
			goto out;
	}
	pthread_mutex_lock(&svc->lock);
	if (sched != svc->sched) {
		/* Start the new scheduler before stopping the old one, so that a failure
		 * leaves the service as it was. */
		old_sched = svc->sched;
		old_data = svc->sched_data;
		old_follows = svc->follows_load;
		/* Release, then a full barrier before the new scheduler reads the
		 * counters: pairs with change_counts() in dest.c. The counters' changes
		 * are told under the lock while either scheduler may want them: the new
		 * one turns that off in its init if it keeps nothing from them, the old
		 * one needs them again if the new one fails. */
		uvs_store_release(&svc->sched, sched);
		uvs_sched_follow_load(svc, sched->load_changed != NULL || old_follows);
		svc->sched_data = NULL;
		ret = sched->init_service(svc);
		if (ret) {
			uvs_store_release(&svc->sched, old_sched);
			uvs_sched_follow_load(svc, old_follows);
			svc->sched_data = old_data;
			pthread_mutex_unlock(&svc->lock);
			uvs_errorf(err, -ret, "scheduler %s could not start: %s", sched->name,
				   strerror(-ret));
			goto out;
		}
		void *new_data = svc->sched_data;
		svc->sched_data = old_data;
		uvs_sched_done(svc, old_sched);
		svc->sched_data = new_data;
		if (!sched->load_changed)
			uvs_sched_follow_load(svc, false);
	}
	apply_conf(svc, c);
	pthread_mutex_unlock(&svc->lock);
	m->generation++;
out:
	pthread_mutex_unlock(&m->ctl_lock);
	return ret;
}

/* Unpublishes svc and frees it after a grace period. Caller holds ctl_lock. */
static void svc_unlink(struct uvs_model *m, struct uvs_service *svc)
{
	rcu_read_lock();
	cds_lfht_del(m->svc_table, &svc->node);
	rcu_read_unlock();
	/* Before the free is queued: a reader that starts after the grace period begins
	 * sees the new value, so no cache hands out svc once it can be freed. */
	uvs_store_release(&m->svc_gen, m->svc_gen + 1);
	cds_list_del(&svc->all);
	m->num_services--;
	m->generation++;
	if (!svc->key.fwmark)
		uvs_addrs_del(m, NULL, svc->key.af, &svc->key.addr);
	pthread_mutex_lock(&svc->lock);
	uvs_sched_done(svc, svc->sched);
	/* A worker that found svc before it was unpublished sees no scheduler. */
	uvs_store_release(&svc->sched, NULL);
	uvs_dest_trash_all(svc);
	pthread_mutex_unlock(&svc->lock);
	uvs_call_rcu(&svc->rcu, svc_free_rcu);
}

int uvs_svc_del(struct uvs_model *m, const struct uvs_svc_key *k, struct uvs_error *err)
{
	struct uvs_service *svc;
	int ret = 0;

	pthread_mutex_lock(&m->ctl_lock);
	svc = uvs_svc_find(m, k);
	if (svc)
		svc_unlink(m, svc);
	else
		ret = uvs_errorf(err, ESRCH, "No such service");
	pthread_mutex_unlock(&m->ctl_lock);
	return ret;
}

void uvs_svc_flush(struct uvs_model *m)
{
	struct uvs_service *svc, *tmp;

	pthread_mutex_lock(&m->ctl_lock);
	cds_list_for_each_entry_safe(svc, tmp, &m->services, all)
		svc_unlink(m, svc);
	pthread_mutex_unlock(&m->ctl_lock);
}
