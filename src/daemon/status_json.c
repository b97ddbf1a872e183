// SPDX-License-Identifier: GPL-2.0-or-later
#include "status_json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/time.h>
#include <urcu.h>

#include "adm/procnet.h"
#include "base/atomic.h"
#include "uvs/version.h"

/* A JSON string: '"' and '\' escaped, control characters as \u00XX. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* As the kernel's ip_vs_fwd_name() names a method: bypass as Masq. */
static const char *forward_name(uint32_t fwd)
{
	const char *name = uvs_fwd_name(fwd);

	return name ? name : "Masq";
}

static const char *proto_name(const struct uvs_svc_key *k)
{
	if (k->fwmark)
		return "FWM";
	return k->protocol == IPPROTO_UDP ? "UDP" : k->protocol == IPPROTO_SCTP ? "SCTP" : "TCP";
}

/* "counters": {...}, "rates": {...} of one object. */
static void put_traffic(FILE *f, const struct uvs_counters *c, const struct uvs_rates *r)
{
	fprintf(f,
		"\"conns\":%" PRIu64 ",\"inpkts\":%" PRIu64 ",\"outpkts\":%" PRIu64
		",\"inbytes\":%" PRIu64 ",\"outbytes\":%" PRIu64 ",",
		c->conns, c->inpkts, c->outpkts, c->inbytes, c->outbytes);
	fprintf(f, "\"cps\":%u,\"inpps\":%u,\"outpps\":%u,\"inbps\":%u,\"outbps\":%u", r->cps,
		r->inpps, r->outpps, r->inbps, r->outbps);
}

static void put_dest(FILE *f, const struct uvs_snap_dest *d)
{
	char a[UVS_ADDRPORT_LEN];

	fputs("{\"address\":", f);
	put_string(f, uvs_addrport(d->conf.af, &d->conf.addr, d->conf.port, a, sizeof(a)));
	fprintf(f,
		",\"forward\":\"%s\",\"weight\":%" PRId64 ",\"active\":%u,\"inactive\":%u,"
		"\"persistent\":%u,",
		forward_name(d->conf.fwd), d->conf.weight, d->activeconns, d->inactconns,
		d->persistconns);
	put_traffic(f, &d->stats, &d->rates);
	fputc('}', f);
}

static void put_service(FILE *f, const struct uvs_snap_svc *s)
{
	const struct uvs_svc_key *k = &s->conf.key;
	char a[UVS_ADDRPORT_LEN];

	fprintf(f, "{\"proto\":\"%s\",\"address\":", proto_name(k));
	if (k->fwmark)
		fprintf(f, "\"%u\"", k->fwmark);
	else
		put_string(f, uvs_addrport(k->af, &k->addr, k->port, a, sizeof(a)));
	fprintf(f, ",\"family\":\"%s\",\"scheduler\":", k->af == AF_INET6 ? "ipv6" : "ipv4");
	put_string(f, s->conf.sched_name);
	if (s->conf.flags & UVS_SVC_F_PERSISTENT)
		fprintf(f, ",\"persistent\":%u", s->conf.timeout);
	fputc(',', f);
	put_traffic(f, &s->stats, &s->rates);
	fputs(",\"dests\":[", f);
	for (unsigned j = 0; j < s->ndests; j++) {
		if (j)
			fputc(',', f);
		put_dest(f, &s->dests[j]);
	}
	fputs("]}", f);
}

static void put_totals(FILE *f, const struct uvs_snap *snap)
{
	struct uvs_procnet_totals t;
	struct uvs_rates r;

	uvs_procnet_sum(snap, &t);
	r = (struct uvs_rates){ (uint32_t)t.cps, (uint32_t)t.inpps, (uint32_t)t.outpps,
				(uint32_t)t.inbps, (uint32_t)t.outbps };
	fputs("\"totals\":{", f);
	put_traffic(f, &t.c, &r);
	fputs("},", f);
}

/* Every reason with its count, then the frames forwarded. */
static void put_reasons(FILE *f, const struct uvsd_view *v)
{
	uint64_t c[UVS_R_COUNT], tx;

	uvs_engine_counters(v->engine, c, &tx);
	fprintf(f, "\"tx\":%" PRIu64 ",\"reasons\":{", tx);
	for (unsigned r = 1; r < UVS_R_COUNT; r++)
		fprintf(f, "%s\"%s\":%" PRIu64, r > 1 ? "," : "", uvs_reason_name(r), c[r]);
	fputs("},", f);
}

static void put_workers(FILE *f, const struct uvsd_view *v)
{
	unsigned n = uvsd_datapath_workers(v->dp);

	fputs("\"workers\":[", f);
	for (unsigned i = 0; i < n; i++) {
		struct uvsd_worker_stats st;

		uvsd_datapath_worker_stats(v->dp, i, &st);
		fprintf(f, "%s{\"frames\":%" PRIu64 ",\"busy_seconds\":%.3f}", i ? "," : "",
			st.frames, (double)st.busy_ns / 1e9);
	}
	fputs("],", f);
}

static void put_sync(FILE *f, struct uvsd_view *v)
{
	struct uvs_ctl_daemon d[2];
	unsigned n = uvsd_view_sync(v, d);

	fputs("\"sync\":[", f);
	for (unsigned i = 0; i < n; i++) {
		char ifn[sizeof(d[i].mcast_ifn) + 1];

		snprintf(ifn, sizeof(ifn), "%.*s", (int)sizeof(d[i].mcast_ifn), d[i].mcast_ifn);
		fprintf(f, "%s{\"state\":\"%s\",\"syncid\":%u,\"mcast_interface\":", i ? "," : "",
			d[i].state == IP_VS_STATE_MASTER ? "master" : "backup", d[i].syncid);
		put_string(f, ifn);
		fputc('}', f);
	}
	fputc(']', f);
}

int uvsd_status_json(struct uvsd_view *v, FILE *f)
{
	struct uvs_snap snap;
	struct timeval now;

	if (uvs_snap_take(v->model, NULL, true, &snap) < 0)
		return -ENOMEM;
	/* Real servers on this host list as Local, as ipvsadm shows them; the lookup
	 * reads under RCU, which wants this thread registered meanwhile. */
	rcu_register_thread();
	uvs_snap_mark_local(&snap, v->engine);
	rcu_unregister_thread();
	gettimeofday(&now, NULL);
	fprintf(f, "{\"version\":\"%s\",\"backend\":\"%s\",\"uptime\":%.0f,", UVS_VERSION,
		v->backend, (double)now.tv_sec + now.tv_usec / 1e6 - v->start_time);
	fprintf(f, "\"connections\":%u,\"conn_limit\":%u,", uvs_engine_conn_count(v->engine),
		v->engine->conns.max_conns);
	put_totals(f, &snap);
	fputs("\"services\":[", f);
	for (unsigned i = 0; i < snap.nsvcs; i++) {
		if (i)
			fputc(',', f);
		put_service(f, &snap.svcs[i]);
	}
	fputs("],", f);
	put_reasons(f, v);
	put_workers(f, v);
	put_sync(f, v);
	fputs("}\n", f);
	uvs_snap_free(&snap);
	return 0;
}
