// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The keys a configuration needs in the steering map (see steer.h): from a snapshot
 * (uvs_steer_keys_of*, sorted, for tests and tools) or straight from the model
 * (steer_model_keys, for each sync), both through svc_keys.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "steer-internal.h"

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct uvs_steer_key));
}

static void add_key(struct uvs_steer_key *k, uint8_t kind, int af, int protocol,
		    const union uvs_addr *addr, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)af;
	k->protocol = (uint8_t)protocol;
	k->kind = kind;
	k->port = port;
	memcpy(k->addr, addr, sizeof(k->addr));
}

/* A mark rule's destination ports as keys: each port of a range up to this long, the
 * whole address (port 0) beyond. */
#define MARK_PORTS_MAX 1024

static unsigned rule_protocols(const struct uvs_mark_rule *r, uint8_t *out)
{
	if (r->protocol) {
		out[0] = r->protocol;
		return 1;
	}
	out[0] = IPPROTO_TCP;
	out[1] = IPPROTO_UDP;
	out[2] = IPPROTO_SCTP;
	return 3;
}

static unsigned rule_ports(const struct uvs_mark_rule *r)
{
	unsigned span = (unsigned)r->port_hi - r->port_lo + 1;
	return span > MARK_PORTS_MAX ? 1 : span;
}

/* Whether rule r concerns fwmark service sk: same family, and it may give the mark. */
static bool rule_feeds(const struct uvs_mark_rule *r, const struct uvs_svc_key *sk)
{
	uint32_t host_only = r->af == AF_INET6 ? 128 : 32;

	return sk->fwmark && r->af == sk->af && r->prefix == host_only &&
	       uvs_mark_rule_may_give(r, sk->fwmark);
}

/* The keys of a fwmark service fed by marks: its rules' destinations and, for each
 * NAT destination, its replies in each of the rules' protocols. Returns how many were
 * written at keys (or, with keys NULL, would be). */
static size_t fwmark_keys(const struct uvs_svc_key *sk, const struct uvs_dest_conf *const *dests,
			  size_t ndests, const struct uvs_marks *marks, struct uvs_steer_key *keys)
{
	size_t n = 0;

	for (unsigned k = 0; marks && k < marks->n; k++) {
		const struct uvs_mark_rule *r = &marks->rule[k];
		uint8_t protos[3];
		unsigned nprotos, nports;

		if (!rule_feeds(r, sk))
			continue;
		nprotos = rule_protocols(r, protos);
		nports = rule_ports(r);
		/* Fragments of any protocol to the address, and from the NAT servers. */
		if (keys)
			add_key(&keys[n], UVS_STEER_SERVICE_ADDR, r->af, 0, &r->addr, 0);
		n++;
		for (size_t j = 0; j < ndests; j++) {
			const struct uvs_dest_conf *d = dests[j];
			if ((d->fwd & UVS_FWD_MASK) != UVS_FWD_MASQ)
				continue;
			if (keys)
				add_key(&keys[n], UVS_STEER_REPLY_ADDR, d->af, 0, &d->addr, 0);
			n++;
		}
		for (unsigned p = 0; p < nprotos; p++) {
			for (unsigned i = 0; i < nports; i++, n++)
				if (keys) {
					uint16_t port = nports == 1 && r->port_lo != r->port_hi
								? 0
								: htons((uint16_t)(r->port_lo + i));
					add_key(&keys[n], UVS_STEER_SERVICE, r->af, protos[p],
						&r->addr, port);
				}
			for (size_t j = 0; j < ndests; j++) {
				const struct uvs_dest_conf *d = dests[j];
				if ((d->fwd & UVS_FWD_MASK) != UVS_FWD_MASQ)
					continue;
				if (keys)
					add_key(&keys[n], UVS_STEER_REPLY, d->af, protos[p],
						&d->addr, d->port);
				n++;
			}
		}
	}
	return n;
}

/*
 * Whether sk is an FTP service whose data connections go by its address on other
 * ports: a TCP service on port 21, which the kernel's service lookup gives the data
 * connections to port 20 and >= 1024 of its address (persistence, as in DR), or on a
 * port of the FTP helper, which makes data connections to any port.
 */
static bool ftp_service(const struct uvs_svc_key *sk, const struct steer_ftp *ftp)
{
	unsigned n = ftp ? ftp->n : 0;

	if (sk->fwmark || sk->protocol != IPPROTO_TCP)
		return false;
	if (sk->port == htons(UVS_FTP_PORT))
		return true;
	for (unsigned i = 0; i < n; i++)
		if (ftp->ports[i] == sk->port)
			return true;
	return false;
}

/* The keys of service sk with destinations dests[0..ndests), written at keys (or, with
 * keys NULL, counted). An FTP service's keys take every TCP port of its address, and
 * of its NAT servers' (their data connections' ports are only known per connection;
 * docs/decisions.md, "FTP"). Returns how many. */
static size_t svc_keys(const struct uvs_svc_key *sk, const struct uvs_dest_conf *const *dests,
		       size_t ndests, const struct uvs_marks *marks, const struct steer_ftp *ftp,
		       struct uvs_steer_key *keys)
{
	bool ftp_any = ftp_service(sk, ftp);
	size_t n = 0;

	/* Marked after tc ingress by the kernel's rules: only uvs's own rules (marks)
	 * tell which frames a fwmark service's are. */
	if (sk->fwmark)
		return fwmark_keys(sk, dests, ndests, marks, keys);
	if (keys) {
		add_key(&keys[n], UVS_STEER_SERVICE, sk->af, sk->protocol, &sk->addr,
			ftp_any ? 0 : sk->port);
		/* Fragments, whose ports only the first may hold, by address. */
		add_key(&keys[n + 1], UVS_STEER_SERVICE_ADDR, sk->af, 0, &sk->addr, 0);
	}
	n += 2;
	for (size_t j = 0; j < ndests; j++) {
		const struct uvs_dest_conf *d = dests[j];
		/* Only NAT replies come back through the director. */
		if ((d->fwd & UVS_FWD_MASK) != UVS_FWD_MASQ)
			continue;
		if (keys) {
			add_key(&keys[n], UVS_STEER_REPLY, d->af, sk->protocol, &d->addr,
				ftp_any ? 0 : d->port);
			add_key(&keys[n + 1], UVS_STEER_REPLY_ADDR, d->af, 0, &d->addr, 0);
		}
		n += 2;
	}
	return n;
}

/* Makes *arr (of elements of size sz, *cap of them) hold at least need, doubling from
 * 16. Returns 0 or -ENOMEM (*arr unchanged). */
static int room_for(void *arr, size_t *cap, size_t need, size_t sz)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*(void **)arr, n * sz);
	if (!p)
		return -ENOMEM;
	*(void **)arr = p;
	*cap = n;
	return 0;
}

static int reserve(struct steer_keyvec *v, size_t more)
{
	return room_for(&v->v, &v->cap, v->n + more, sizeof(*v->v));
}

/* The pointers to one service's destination settings, in a buffer that grows. */
struct dest_ptrs {
	const struct uvs_dest_conf **v;
	size_t cap;
};

static int dest_ptrs_reserve(struct dest_ptrs *d, size_t n)
{
	return room_for(&d->v, &d->cap, n, sizeof(*d->v));
}

/* Appends the keys of one service to out. */
static int append_svc(struct steer_keyvec *out, const struct uvs_svc_key *sk,
		      const struct uvs_dest_conf *const *dests, size_t ndests,
		      const struct uvs_marks *marks, const struct steer_ftp *ftp)
{
	/* Counted as they are written: two for the service, two for each NAT server. */
	size_t n = svc_keys(sk, dests, ndests, marks, ftp, NULL);

	if (reserve(out, n))
		return -ENOMEM;
	out->n += svc_keys(sk, dests, ndests, marks, ftp, out->v + out->n);
	return 0;
}

int steer_model_keys(struct uvs_model *m, const struct uvs_marks *marks,
		     const struct steer_ftp *ftp, struct steer_keyvec *out)
{
	struct dest_ptrs dp = { 0 };
	struct uvs_service *svc;
	int ret = 0;

	pthread_mutex_lock(&m->ctl_lock);
	cds_list_for_each_entry(svc, &m->services, all) {
		struct uvs_dest *d;
		size_t n = 0;

		if ((ret = dest_ptrs_reserve(&dp, svc->num_dests)))
			break;
		cds_list_for_each_entry(d, &svc->dests, list) {
			if (n < svc->num_dests)
				dp.v[n++] = &d->conf;
		}
		if ((ret = append_svc(out, &svc->key, dp.v, n, marks, ftp)))
			break;
	}
	pthread_mutex_unlock(&m->ctl_lock);
	free(dp.v);
	return ret;
}

void steer_addr_bits(const struct uvs_steer_key *keys, size_t n, __u64 *bits)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t bit = uvs_steer_addr_bit(keys[i].addr);
		bits[bit / 64] |= UINT64_C(1) << (bit % 64);
	}
}

int uvs_steer_keys_of(const struct uvs_snap *snap, struct uvs_steer_key **out)
{
	return uvs_steer_keys_of_marked(snap, NULL, out);
}

int uvs_steer_keys_of_marked(const struct uvs_snap *snap, const struct uvs_marks *marks,
			     struct uvs_steer_key **out)
{
	struct steer_keyvec keys = { 0 };
	struct dest_ptrs dp = { 0 };
	size_t u = 0;
	int ret = 0;

	for (unsigned i = 0; i < snap->nsvcs && !ret; i++) {
		const struct uvs_snap_svc *si = &snap->svcs[i];

		if ((ret = dest_ptrs_reserve(&dp, si->ndests)))
			break;
		for (unsigned j = 0; j < si->ndests; j++)
			dp.v[j] = &si->dests[j].conf;
		ret = append_svc(&keys, &si->conf.key, dp.v, si->ndests, marks, NULL);
	}
	free(dp.v);
	/* Never NULL on success, even for no keys. */
	if (!ret && !keys.v)
		ret = reserve(&keys, 1);
	if (ret) {
		free(keys.v);
		return ret;
	}
	qsort(keys.v, keys.n, sizeof(*keys.v), key_cmp);
	for (size_t i = 0; i < keys.n; i++)
		if (!u || key_cmp(&keys.v[u - 1], &keys.v[i]))
			keys.v[u++] = keys.v[i];
	if (u > (size_t)INT32_MAX) {
		free(keys.v);
		return -ENOSPC;
	}
	*out = keys.v;
	return (int)u;
}
