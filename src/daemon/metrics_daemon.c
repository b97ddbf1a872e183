// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's own series (metrics_sources.h): what it is, since when, what its control
 * socket was asked, the sync daemons, the SYN-flood defences and what a restart kept. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/atomic.h"
#include "metrics_sources.h"
#include "uvs/version.h"

static void identity(FILE *f, const struct uvsd_view *v)
{
	char ipvs[16];

	snprintf(ipvs, sizeof(ipvs), "%d.%d.%d", UVS_IPVS_VERSION >> 16,
		 (UVS_IPVS_VERSION >> 8) & 0xff, UVS_IPVS_VERSION & 0xff);
	uvs_prom_family(f, "uvs_build_info", UVS_PROM_GAUGE,
			"uvsd's version and the IPVS version it implements: 1");
	uvs_prom_sample(f, "uvs_build_info",
			(const struct uvs_prom_label[]){ { "version", UVS_VERSION },
							 { "ipvs_version", ipvs } },
			2, 1);
	/* The name every Prometheus client library gives it. */
	uvs_prom_family(f, "process_start_time_seconds", UVS_PROM_GAUGE,
			"Start time of the process since unix epoch in seconds.");
	uvs_prom_sample_real(f, "process_start_time_seconds", NULL, 0, v->start_time);
}

static void control(FILE *f, const struct uvsd_view *v)
{
	struct uvs_ctl_stats st;
	char cmd[32];

	uvs_ctl_server_stats(v->ctl, &st);
	uvs_prom_family(f, "uvs_control_requests_total", UVS_PROM_COUNTER,
			"Control socket requests (uvsadm, keepalived, ipvsadm under uvs-run), by "
			"command and result");
	for (unsigned c = 0; c <= UVS_CMD_MAX; c++) {
		const char *name = uvs_ctl_cmd_name(c);
		size_t i;

		if (!name)
			continue;
		for (i = 0; name[i] && i + 1 < sizeof(cmd); i++)
			cmd[i] = (char)tolower((unsigned char)name[i]);
		cmd[i] = '\0';
		uvs_prom_sample(
			f, "uvs_control_requests_total",
			(const struct uvs_prom_label[]){ { "command", cmd }, { "result", "ok" } },
			2, st.done[c]);
		uvs_prom_sample(f, "uvs_control_requests_total",
				(const struct uvs_prom_label[]){ { "command", cmd },
								 { "result", "error" } },
				2, st.refused[c]);
	}
	uvs_prom_single(f, "uvs_control_unreadable_requests_total", UVS_PROM_COUNTER,
			"Control socket requests without a command uvsd serves", st.unreadable);
	uvs_prom_single(f, "uvs_control_clients", UVS_PROM_GAUGE,
			"Clients connected to the control socket", st.clients);
	uvs_prom_single(f, "uvs_control_clients_refused_total", UVS_PROM_COUNTER,
			"Control socket connections refused (not permitted, or --max-clients)",
			st.clients_refused);
}

static void sync_daemons(FILE *f, struct uvsd_view *v)
{
	struct uvs_ctl_daemon d[2];
	unsigned n = uvsd_view_sync(v, d);
	char syncid[12];

	uvs_prom_family(f, "uvs_sync_daemon_info", UVS_PROM_GAUGE,
			"A connection sync daemon configured (ipvsadm --start-daemon): 1");
	for (unsigned i = 0; i < n; i++) {
		char ifn[sizeof(d[i].mcast_ifn) + 1];

		snprintf(ifn, sizeof(ifn), "%.*s", (int)sizeof(d[i].mcast_ifn), d[i].mcast_ifn);
		snprintf(syncid, sizeof(syncid), "%u", d[i].syncid);
		uvs_prom_sample(
			f, "uvs_sync_daemon_info",
			(const struct uvs_prom_label[]){
				{ "state", d[i].state == IP_VS_STATE_MASTER ? "master" : "backup" },
				{ "mcast_interface", ifn },
				{ "syncid", syncid } },
			3, 1);
	}
	struct uvs_ctl_counter c[UVSD_VIEW_SYNC_COUNTERS];
	size_t nc = uvsd_view_sync_counters(v, c);

	uvs_prom_family(f, "uvs_sync_events_total", UVS_PROM_COUNTER,
			"The sync daemons' messages, connections and refusals, named as uvsadm -L "
			"--counters names them (as of uvsd's last 2 s tick)");
	for (size_t i = 0; i < nc; i++)
		uvs_prom_sample(f, "uvs_sync_events_total",
				&(struct uvs_prom_label){ "event", c[i].name }, 1, c[i].value);
}

/* What became of the connection table a planned restart kept (--conn-file). */
static void restart(FILE *f, const struct uvsd_view *v)
{
	const struct uvsd_conns_restored *r = v->restored;
	const struct {
		const char *result;
		uint64_t n;
	} results[] = {
		{ "restored", r ? r->restored : 0 }, { "no_dest", r ? r->no_dest : 0 },
		{ "expired", r ? r->expired : 0 },   { "dropped", r ? r->dropped : 0 },
		{ "refused", r ? r->refused : 0 },
	};

	uvs_prom_family(f, "uvs_restart_connections", UVS_PROM_GAUGE,
			"The connections a planned restart kept, by what became of them at "
			"start (counters restart_conns_*; refused: 1 if the file was refused)");
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		uvs_prom_sample(f, "uvs_restart_connections",
				&(struct uvs_prom_label){ "result", results[i].result }, 1,
				results[i].n);
}

/* The defences' modes as their sysctls hold them (0 off ... 3 always on); uvs has
 * none yet and takes only 0 (README). */
static void defences(FILE *f, const struct uvsd_view *v)
{
	const struct uvs_sysctl *s = &v->model->sysctl;
	const struct {
		const char *name;
		const int *value;
	} modes[] = {
		{ "drop_entry", &s->drop_entry },
		{ "drop_packet", &s->drop_packet },
		{ "secure_tcp", &s->secure_tcp },
	};

	uvs_prom_family(f, "uvs_defense_mode", UVS_PROM_GAUGE,
			"The SYN-flood defences' sysctls (net.ipv4.vs.drop_entry, drop_packet, "
			"secure_tcp): 0 off, 1 and 2 automatic, 3 always on");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		uvs_prom_sample(f, "uvs_defense_mode",
				&(struct uvs_prom_label){ "defense", modes[i].name }, 1,
				(uint64_t)uvs_load_relaxed(modes[i].value)); /* core/sysctl.h */
}

void uvsd_metrics_daemon(void *view, FILE *f)
{
	identity(f, view);
	control(f, view);
	sync_daemons(f, view);
	defences(f, view);
	restart(f, view);
}

int uvsd_metrics_add_director(struct uvsd_metrics *m, struct uvsd_view *v)
{
	if (uvsd_metrics_add(m, "ipvs", uvsd_metrics_ipvs, v) < 0 ||
	    uvsd_metrics_add(m, "engine", uvsd_metrics_engine, v) < 0 ||
	    uvsd_metrics_add(m, "daemon", uvsd_metrics_daemon, v) < 0)
		return -1;
	return 0;
}
