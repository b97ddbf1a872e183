// SPDX-License-Identifier: GPL-2.0-or-later
/* node_ipvs_*, uvs_service_*, uvs_backend_* and uvs_connection_* (metrics_sources.h),
 * from one snapshot of the model per scrape. */
#include <stdlib.h>
#include <string.h>

#include "adm/procnet.h"
#include "metrics_labels.h"
#include "metrics_sources.h"

/* A real server under node_exporter's labels: node_exporter adds up those whose
 * labels are the same (a key joined from them), so uvsd does too. */
struct backend {
	struct uvsd_ipvs_labels l;
	char key[160];
	uint64_t active, inactive, weight;
};

static int cmp_backend(const void *a, const void *b)
{
	return strcmp(((const struct backend *)a)->key, ((const struct backend *)b)->key);
}

/* The real servers of snap, each label set once with its sums; returns how many, or
 * -1 without memory. *out is the caller's to free. */
static long backends(const struct uvs_snap *snap, struct backend **out)
{
	size_t n = 0, k = 0;
	struct backend *b;

	for (unsigned i = 0; i < snap->nsvcs; i++)
		n += snap->svcs[i].ndests;
	if (!(b = calloc(n ? n : 1, sizeof(*b))))
		return -1;
	for (unsigned i = 0; i < snap->nsvcs; i++) {
		for (unsigned j = 0; j < snap->svcs[i].ndests; j++) {
			const struct uvs_snap_dest *d = &snap->svcs[i].dests[j];
			struct backend *e = &b[k++];

			uvsd_ipvs_labels(&snap->svcs[i], d, &e->l);
			snprintf(e->key, sizeof(e->key), "%s-%s-%s-%s-%s-%s", e->l.local_address,
				 e->l.local_port, e->l.remote_address, e->l.remote_port, e->l.proto,
				 e->l.local_mark);
			e->active = d->activeconns;
			e->inactive = d->inactconns;
			e->weight = (uint64_t)d->conf.weight;
		}
	}
	qsort(b, n, sizeof(*b), cmp_backend);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && !strcmp(b[k - 1].key, b[i].key)) {
			b[k - 1].active += b[i].active;
			b[k - 1].inactive += b[i].inactive;
			b[k - 1].weight += b[i].weight;
		} else {
			b[k++] = b[i];
		}
	}
	*out = b;
	return (long)k;
}

/* node_exporter's families, with its names and help texts. */
static void node_ipvs(FILE *f, const struct uvs_snap *snap)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} totals[] = {
		{ "node_ipvs_connections_total", "The total number of connections made.",
		  offsetof(struct uvs_counters, conns) },
		{ "node_ipvs_incoming_packets_total", "The total number of incoming packets.",
		  offsetof(struct uvs_counters, inpkts) },
		{ "node_ipvs_outgoing_packets_total", "The total number of outgoing packets.",
		  offsetof(struct uvs_counters, outpkts) },
		{ "node_ipvs_incoming_bytes_total", "The total amount of incoming data.",
		  offsetof(struct uvs_counters, inbytes) },
		{ "node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.",
		  offsetof(struct uvs_counters, outbytes) },
	};
	static const struct {
		const char *name, *help;
	} gauges[] = {
		{ "node_ipvs_backend_connections_active",
		  "The current active connections by local and remote address." },
		{ "node_ipvs_backend_connections_inactive",
		  "The current inactive connections by local and remote address." },
		{ "node_ipvs_backend_weight",
		  "The current backend weight by local and remote address." },
	};
	struct uvs_procnet_totals t;
	struct uvs_prom_label lb[6];
	struct backend *b;
	long n;

	/* /proc/net/ip_vs_stats's numbers, as uvsadm --proc and the preload show them. */
	uvs_procnet_sum(snap, &t);
	for (size_t i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		uvs_prom_single(f, totals[i].name, UVS_PROM_COUNTER, totals[i].help,
				*(const uint64_t *)((const char *)&t.c + totals[i].offset));
	if ((n = backends(snap, &b)) < 0)
		return;
	for (size_t g = 0; g < sizeof(gauges) / sizeof(gauges[0]); g++) {
		uvs_prom_family(f, gauges[g].name, UVS_PROM_GAUGE, gauges[g].help);
		for (long i = 0; i < n; i++)
			uvs_prom_sample(f, gauges[g].name, lb,
					uvsd_ipvs_backend_labels(&b[i].l, lb),
					g == 0	 ? b[i].active
					: g == 1 ? b[i].inactive
						 : b[i].weight);
	}
	free(b);
}

/* The five traffic counters of each service and each real server. */
static const struct {
	const char *suffix, *help;
	size_t offset;
} traffic[] = {
	{ "connections_total", "Connections scheduled", offsetof(struct uvs_counters, conns) },
	{ "incoming_packets_total", "Packets from clients", offsetof(struct uvs_counters, inpkts) },
	{ "outgoing_packets_total", "Packets to clients (NAT replies)",
	  offsetof(struct uvs_counters, outpkts) },
	{ "incoming_bytes_total", "Bytes from clients", offsetof(struct uvs_counters, inbytes) },
	{ "outgoing_bytes_total", "Bytes to clients (NAT replies)",
	  offsetof(struct uvs_counters, outbytes) },
};

static uint64_t field(const struct uvs_counters *c, size_t offset)
{
	return *(const uint64_t *)((const char *)c + offset);
}

static void services(FILE *f, const struct uvs_snap *snap)
{
	struct uvsd_ipvs_labels l;
	struct uvs_prom_label lb[8];
	char name[64], help[128];
	size_t n;

	uvs_prom_family(f, "uvs_service_info", UVS_PROM_GAUGE,
			"A virtual service, its scheduler and whether it is persistent: 1");
	for (unsigned i = 0; i < snap->nsvcs; i++) {
		const struct uvs_snap_svc *s = &snap->svcs[i];

		uvsd_ipvs_labels(s, NULL, &l);
		n = uvsd_ipvs_service_labels(&l, lb);
		lb[n++] = (struct uvs_prom_label){ "scheduler", s->conf.sched_name };
		lb[n++] = (struct uvs_prom_label){ "persistent",
						   s->conf.flags & UVS_SVC_F_PERSISTENT ? "yes"
											: "no" };
		uvs_prom_sample(f, "uvs_service_info", lb, n, 1);
	}
	for (size_t t = 0; t < sizeof(traffic) / sizeof(traffic[0]); t++) {
		snprintf(name, sizeof(name), "uvs_service_%s", traffic[t].suffix);
		snprintf(help, sizeof(help), "%s, by virtual service (ipvsadm -L --stats)",
			 traffic[t].help);
		uvs_prom_family(f, name, UVS_PROM_COUNTER, help);
		for (unsigned i = 0; i < snap->nsvcs; i++) {
			uvsd_ipvs_labels(&snap->svcs[i], NULL, &l);
			uvs_prom_sample(f, name, lb, uvsd_ipvs_service_labels(&l, lb),
					field(&snap->svcs[i].stats, traffic[t].offset));
		}
	}
}

/* A real server's labels: node_exporter's six and the service's family. */
static size_t backend_labels(const struct uvs_snap_svc *s, const struct uvs_snap_dest *d,
			     struct uvsd_ipvs_labels *l, struct uvs_prom_label *lb)
{
	size_t n;

	uvsd_ipvs_labels(s, d, l);
	n = uvsd_ipvs_backend_labels(l, lb);
	lb[n++] = (struct uvs_prom_label){ "family", l->family };
	return n;
}

static void real_servers(FILE *f, const struct uvs_snap *snap)
{
	struct uvsd_ipvs_labels l;
	struct uvs_prom_label lb[8];
	char name[64], help[128];

	for (size_t t = 0; t < sizeof(traffic) / sizeof(traffic[0]); t++) {
		snprintf(name, sizeof(name), "uvs_backend_%s", traffic[t].suffix);
		snprintf(help, sizeof(help), "%s, by real server (ipvsadm -L --stats)",
			 traffic[t].help);
		uvs_prom_family(f, name, UVS_PROM_COUNTER, help);
		for (unsigned i = 0; i < snap->nsvcs; i++)
			for (unsigned j = 0; j < snap->svcs[i].ndests; j++)
				uvs_prom_sample(
					f, name, lb,
					backend_labels(&snap->svcs[i], &snap->svcs[i].dests[j], &l,
						       lb),
					field(&snap->svcs[i].dests[j].stats, traffic[t].offset));
	}
	uvs_prom_family(f, "uvs_backend_connections_persistent", UVS_PROM_GAUGE,
			"Persistence templates bound to the real server (ipvsadm -L "
			"--persistent-conn)");
	for (unsigned i = 0; i < snap->nsvcs; i++)
		for (unsigned j = 0; j < snap->svcs[i].ndests; j++)
			uvs_prom_sample(
				f, "uvs_backend_connections_persistent", lb,
				backend_labels(&snap->svcs[i], &snap->svcs[i].dests[j], &l, lb),
				snap->svcs[i].dests[j].persistconns);
}

static void connection_table(FILE *f, const struct uvsd_view *v, const struct uvs_snap *snap)
{
	uint64_t templates = 0;

	for (unsigned i = 0; i < snap->nsvcs; i++)
		for (unsigned j = 0; j < snap->svcs[i].ndests; j++)
			templates += snap->svcs[i].dests[j].persistconns;
	uvs_prom_single(f, "uvs_connection_table_entries", UVS_PROM_GAUGE,
			"Connections and persistence templates in the table (ipvsadm -L -c)",
			uvs_engine_conn_count(v->engine));
	uvs_prom_single(f, "uvs_connection_templates", UVS_PROM_GAUGE,
			"Persistence templates in the table bound to configured real servers",
			templates);
	uvs_prom_single(f, "uvs_connection_table_limit", UVS_PROM_GAUGE,
			"The most connections and templates the table holds (uvsd --max-conns)",
			v->engine->conns.max_conns);
}

void uvsd_metrics_ipvs(void *view, FILE *f)
{
	struct uvsd_view *v = view;
	struct uvs_snap snap;

	if (uvs_snap_take(v->model, NULL, true, &snap) < 0)
		return; /* no memory: the other sources still answer */
	node_ipvs(f, &snap);
	services(f, &snap);
	real_servers(f, &snap);
	connection_table(f, v, &snap);
	uvs_snap_free(&snap);
}
