// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsd: the director. The control thread runs the model, the control socket uvsadm
 * talks to, the state file that keeps the configuration across restarts (--state),
 * the rules file (--rules, reloaded on SIGHUP), the IPVS sysctls given at
 * start (--sysctl, --sysctl-file), the 2-second rate estimator (run_estimation),
 * the trash of deleted real servers and the priming of real servers' neighbours, in a
 * poll() loop. With --interface, worker threads (datapath.c) move frames between the
 * links and the engine. The connection sync daemons (src/sync/) run threads of their
 * own when started. Nothing busy-polls: an idle uvsd sleeps.
 */
#include <errno.h>
#include <net/if.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "base/atomic.h"
#include "base/clock.h"
#include "detach.h"
#include "log.h"
#include "marks_file.h"
#include "notify.h"
#include "rules_file.h"
#include "uvs/ctl.h"
#include "uvsd.h"

/*
 * Brings the steering map up to the model's generation. A sync compares every key of
 * the configuration with those in the map, so after one that took t ms the next waits
 * STEER_DUTY * t ms while the control thread is busy: syncing takes at most about
 * 1 / (STEER_DUTY + 1) of it, and loading 100,000 rules one by one does not compare
 * them 100,000 times. Once the control thread has had nothing to do for STEER_QUIET_MS
 * (the change is over: a restore has ended), the sync runs at once. A small
 * configuration syncs in well under a millisecond, so right after each change.
 */
#define STEER_DUTY     9
#define STEER_QUIET_MS 10

/* Syncs if the map is behind and it is time (or idle: the control thread has had
 * nothing else to do). Returns the ms to wait before calling again, -1 if the map is
 * up to date (or a failed sync waits for the 2 s timer or the next change). */
static int steer_update(struct uvsd *d, bool idle)
{
	uint64_t generation = d->model.generation, now = uvs_monotonic_ms();
	int ret;

	if (!d->steer || generation == d->steered_generation)
		return -1;
	if (now < d->steer_next_ms && !idle)
		return d->steer_next_ms - now < STEER_QUIET_MS ? (int)(d->steer_next_ms - now)
							       : STEER_QUIET_MS;
	ret = uvs_steer_sync(d->steer, &d->model);
	d->steer_next_ms = uvs_monotonic_ms();
	d->steer_next_ms += STEER_DUTY * (d->steer_next_ms - now);
	if (ret < 0) {
		if (ret != d->steer_error)
			uvs_log(LOG_ERR,
				"steering: %s; frames of the services not in the map stay with "
				"the kernel (retried at each change and every 2 s)",
				ret == -ENOSPC ? "the map is full" : strerror(-ret));
		d->steer_error = ret;
		return -1;
	}
	if (d->steer_error)
		uvs_log(LOG_NOTICE, "steering: the map holds every service again");
	/* Relaxed: a count the metrics read on its own. */
	uvs_store_relaxed(&d->view.steer_keys, uvs_steer_keys(d->steer));
	uvs_log(LOG_DEBUG, "steering: %u keys in the map after %llu ms", uvs_steer_keys(d->steer),
		(unsigned long long)(uvs_monotonic_ms() - now));
	d->steer_error = 0;
	d->steered_generation = generation;
	return -1;
}

/* Makes m (NULL: none) the mark rules in use; frees the previous ones once no worker
 * uses them. */
static void use_marks(struct uvsd *d, struct uvs_marks *m)
{
	struct uvs_marks *old = d->dp ? uvsd_datapath_set_marks(d->dp, m) : d->marks;

	uvs_steer_set_marks(d->steer, m);
	d->steered_generation = ~0ull; /* the rules' keys change with them */
	d->marks = m;
	free(old);
}

static void log_swept(void *arg, const char *ifname, const char *what)
{
	(void)arg;
	uvs_log(LOG_NOTICE, "%s: removed the steering %s a dead uvsd left", ifname, what);
}

/* Opens steering on the --interface links and fills its map, after removing what dead
 * uvsds left on other links. Returns 0 or -1 (logged). */
static int start_steering(struct uvsd *d)
{
	unsigned ifindexes[UVSD_MAX_LINKS];
	struct uvs_error err = { "" };
	int ret;

	for (unsigned i = 0; i < d->opt.nifs; i++)
		if (!(ifindexes[i] = if_nametoindex(d->opt.ifnames[i]))) {
			uvs_log(LOG_ERR, "no link %s", d->opt.ifnames[i]);
			return -1;
		}
	/* A program there would drop the frames of its services' VIPs for nobody. */
	if ((ret = uvs_steer_sweep(ifindexes, d->opt.nifs, log_swept, NULL)) < 0)
		uvs_log(LOG_WARNING, "looking for steering programs dead uvsds left: %s",
			strerror(-ret));
	uvs_steer_set_fastpath(d->opt.af_xdp ? d->opt.fast_path : 0);
	ret = d->opt.af_xdp ? uvs_steer_open_xdp(ifindexes, d->opt.nifs, &d->steer, &err)
			    : uvs_steer_open(ifindexes, d->opt.nifs, &d->steer, &err);
	if (ret < 0) {
		uvs_log(LOG_ERR, "steering: %s", err.msg);
		return -1;
	}
	for (unsigned i = 0; d->opt.af_xdp && i < d->opt.nifs; i++)
		uvs_log(LOG_INFO, "%s: %s XDP", d->opt.ifnames[i], uvs_steer_xdp_mode(d->steer, i));
	uvs_steer_set_marks(d->steer, d->marks);
	/* The engine's ports: its FTP services' data connections are steered too. */
	uvs_steer_set_ftp_ports(d->steer, d->engine.ftp_ports, d->engine.nftp_ports);
	d->steered_generation = ~0ull;
	steer_update(d, true);
	return 0;
}

/* --fast-path: the engine offers established flows to the XDP program's table. Before
 * the workers start. Returns 0 or -1 (logged). */
static int start_fastpath(struct uvsd *d)
{
	struct uvs_fp_entry *entries;
	struct uvs_fp_head *head;
	uint64_t *dirty;
	int64_t clock_offset_ns;
	uint32_t n, seed;

	if (!d->opt.fast_path)
		return 0;
	if (uvs_steer_fastpath(d->steer, &head, &entries, &dirty, &n, &clock_offset_ns) < 0) {
		uvs_log(LOG_ERR, "fast path: the XDP program has no table");
		return -1;
	}
	/* Flows cannot be made to collide on purpose without the seed. */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint32_t)uvs_monotonic_ns();
	uvs_fastpath_init(&d->fastpath, head, entries, dirty, n, seed);
	d->fastpath.clock_offset_ns = clock_offset_ns;
	uvs_engine_set_fastpath(&d->engine, &d->fastpath);
	uvs_log(LOG_INFO, "fast path: established flows forwarded by the XDP program, %u entries",
		n);
	return 0;
}

/*
 * What the fast path's entries depend on beyond their connection: the configuration
 * (a real server deleted), a sync master, the defences, backup_only with a backup
 * running. When it changed, or after a link or address change, every entry is retired
 * (uvs_fastpath_bump): each flow's next frame goes through the engine, which writes
 * the entry again as things are now. Routes and neighbours: an entry holds for a
 * second, as the workers' next-hop caches do (core/fastpath-table.h).
 */
static void fastpath_check(struct uvsd *d, bool changed)
{
	const struct uvs_defence *def = &d->engine.defence;
	uint64_t seen;

	if (!d->fastpath.head)
		return;
	/* Relaxed: settings read on their own; the engine reads them the same way. */
	seen = d->model.generation * 16 + (uvs_load_relaxed(&def->secure_tcp) ? 8 : 0) +
	       (uvs_load_relaxed(&def->count_pkts) ? 4 : 0) +
	       (uvs_load_relaxed(&d->engine.sync_out) ? 2 : 0) +
	       (uvs_load_relaxed(&d->model.sysctl.backup_only) &&
				uvs_load_relaxed(&d->engine.sync_backup)
			? 1
			: 0);
	if (!changed && seen == d->fastpath_seen)
		return;
	d->fastpath_seen = seen;
	uvs_fastpath_bump(&d->fastpath);
}

/* Called by a worker (or by the control thread as the heartbeat starts). */
static int publish_alive(void *arg, uint64_t until_ns)
{
	struct uvsd *d = arg;

	/* Relaxed: a deadline the control thread reads on its own (announce_update). */
	uvs_store_relaxed(&d->alive_until_ns, until_ns);
	return uvs_steer_alive_until(d->steer, until_ns);
}

/* The steering programs stop taking frames --steer-timeout ms after the workers stop
 * turning (heartbeat.h). Returns 0 or -1 (logged). */
static int start_heartbeat(struct uvsd *d)
{
	int ret;

	if (!d->opt.steer_timeout_ms) {
		uvs_log(LOG_INFO, "steering: no fail-safe (--steer-timeout 0): if uvsd dies, "
				  "its programs drop its services' frames until it starts again");
		return 0;
	}
	ret = uvsd_heartbeat_new(d->nworkers, d->opt.steer_timeout_ms, uvs_monotonic_ns(),
				 publish_alive, d, &d->heartbeat);
	if (ret < 0) {
		uvs_log(LOG_ERR, "steering: the fail-safe: %s", strerror(-ret));
		return -1;
	}
	uvs_log(LOG_INFO,
		"steering: the kernel gets the services' frames %u ms after uvsd's workers stop",
		d->opt.steer_timeout_ms);
	return 0;
}

/* Gives the engine the host's addresses as they are now: frames from them are martian.
 * Logged on failure (the previous addresses stay in use). */
static void refresh_host_addrs(struct uvsd *d)
{
	struct uvs_host_addr *a = NULL, *more;
	int n = 0, room = 64;

	for (;;) {
		if (!(more = realloc(a, (size_t)room * sizeof(*a)))) {
			n = -ENOMEM;
			break;
		}
		a = more;
		n = uvs_netwatch_host_addrs(d->netwatch, a, (size_t)room);
		if (n <= room)
			break;
		room = n + 64; /* addresses came meanwhile: room for them and a few more */
	}
	if (n >= 0)
		n = uvs_engine_set_host_addrs(&d->engine, a, (size_t)n);
	if (n < 0) {
		/* Asked again at every change of addresses: limited. */
		UVS_LOG_LIMIT(addrs_limit, "host_addrs");
		uvs_log_limited(&addrs_limit, LOG_ERR,
				"the host's addresses: %s (frames from addresses it has gained are "
				"not dropped as martian_src_local)",
				strerror(-n));
	}
	free(a);
}

/* What netwatch reports: a link gone or back, addresses changed. */
static void on_netwatch(struct uvsd *d)
{
	unsigned changed = uvs_netwatch_read(d->netwatch);

	if (changed & UVS_NETWATCH_LINKS)
		uvsd_links_check(d->links);
	if (changed & UVS_NETWATCH_ADDRS) {
		refresh_host_addrs(d);
		/* A link's new address brings routes to real servers that had none (a link
		 * made again is back before its addresses): ask about them all again. */
		uvsd_prime_forget(d->prime);
	}
}

static int announce_route(void *arg, bool add, const struct uvsd_vip *vip)
{
	return uvs_announce_route(arg, add, vip->af, &vip->addr);
}

/* --announce-table: the link the VIPs' routes go over, once uvsd forwards (setup's
 * last step: a VIP is never announced before frames to it are taken). Returns 0 or -1
 * (logged). */
static int start_announcing(struct uvsd *d)
{
	struct uvs_error err;

	if (!d->opt.announce_table)
		return 0;
	if (uvs_announce_open(d->opt.announce_table, d->opt.announce_proto, &d->routes, &err) < 0 ||
	    uvsd_announce_new(announce_route, d->routes, &d->announce) < 0) {
		uvs_log(LOG_ERR, "--announce-table %u: %s", d->opt.announce_table,
			d->routes ? "out of memory" : err.msg);
		return -1;
	}
	uvs_log(LOG_INFO,
		"announce: the VIPs that can serve are routes in table %u, protocol %u, over "
		"link %s, while uvsd runs",
		d->opt.announce_table, d->opt.announce_proto, uvs_announce_link(d->routes));
	return 0;
}

/* Brings the announced VIPs up to the model (control thread, after each event and
 * every 2 s): none while the workers are past the fail-safe's deadline (wedged), as
 * the steering programs then leave their frames to the kernel. */
static void announce_update(struct uvsd *d, bool force)
{
	bool serving = !d->heartbeat || uvs_monotonic_ns() <= uvs_load_relaxed(&d->alive_until_ns);

	if (d->announce)
		d->announce_retry =
			uvsd_announce_update(d->announce, &d->model, serving, force) != 0;
}

/* Which ports the FTP helper serves, as the kernel's module says when it loads. */
static void log_ftp_ports(const struct uvs_engine_config *c)
{
	char list[UVS_FTP_PORTS_MAX * 7] = "";
	size_t n = 0;

	for (unsigned i = 0; i < c->nftp_ports; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%u", i ? "," : "",
				      ntohs(c->ftp_ports[i]));
	if (c->nftp_ports)
		uvs_log(LOG_INFO, "ftp helper: NAT services on port %s", list);
	else
		uvs_log(LOG_INFO, "ftp helper: off (--ftp-ports 0)");
}

static int setup(struct uvsd *d)
{
	struct uvs_engine_config c;
	const char *path = d->opt.socket ? d->opt.socket : getenv(UVS_CTL_PATH_ENV);
	sigset_t set;
	int ret;

	if (!path || !path[0])
		path = UVS_CTL_PATH;
	d->opt.socket = path;
	gid_t group = (gid_t)-1;
	if (d->opt.group) {
		struct group *g = getgrnam(d->opt.group);
		if (!g) {
			uvs_log(LOG_ERR, "no group named %s", d->opt.group);
			return -1;
		}
		group = g->gr_gid;
	}
	d->nworkers = 1;
	if (d->opt.nifs) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		d->nworkers = d->opt.workers
				      ? d->opt.workers
				      : (unsigned)(cpus < 1		     ? 1
						   : cpus > UVSD_MAX_WORKERS ? UVSD_MAX_WORKERS
									     : cpus);
	}
	/* One worker more than the data path has: the sync daemons' (src/sync/). */
	if (uvs_model_init(&d->model, d->nworkers + 1) < 0) {
		uvs_log(LOG_ERR, "out of memory");
		return -1;
	}
	d->model_ready = true;
	/* The kernel's defaults, sync_qlen_max's from the host's memory as the kernel's;
	 * then the state file's, and --sysctl and --sysctl-file in their order. */
	long pages = sysconf(_SC_PHYS_PAGES);
	uvs_sysctl_init(&d->model.sysctl, pages > 0 ? (uint64_t)pages : 0);
	uvs_engine_config_default(&c);
	if (d->opt.table_bits)
		c.table_bits = d->opt.table_bits;
	if (d->opt.max_conns)
		c.max_conns = d->opt.max_conns;
	if (d->opt.ftp_ports_set) {
		memcpy(c.ftp_ports, d->opt.ftp_ports, sizeof(c.ftp_ports));
		c.nftp_ports = d->opt.nftp_ports;
	}
	c.syn_proxy = d->opt.syn_proxy;
	c.nworkers = d->nworkers + 1;
	c.route = uvsd_datapath_route;
	if ((ret = uvs_engine_init(&d->engine, &d->model, &c)) < 0) {
		uvs_log(LOG_ERR, "engine: %s", strerror(-ret));
		return -1;
	}
	d->engine_ready = true;
	uvsd_guard_init(&d->guard, &d->engine);
	if ((ret = uvs_sync_open(&d->engine, d->nworkers, &d->sync)) < 0) {
		uvs_log(LOG_ERR, "sync daemons: %s", strerror(-ret));
		return -1;
	}
	uvs_log(LOG_DEBUG, "engine: %u connection buckets, at most %u connections, %u worker(s)",
		1u << c.table_bits, c.max_conns, d->nworkers);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Its threads start with the signals blocked, as every thread of uvsd's. */
	if (d->opt.sync_peer && uvsd_sync_peer(d->sync, &d->opt) < 0)
		return -1;
	d->fds[FD_SIGNAL] = (struct pollfd){ signalfd(-1, &set, SFD_CLOEXEC), POLLIN, 0 };
	d->fds[FD_TIMER] =
		(struct pollfd){ timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), POLLIN, 0 };
	struct itimerspec every1s = { { 1, 0 }, { 1, 0 } };
	if (d->fds[FD_SIGNAL].fd < 0 || d->fds[FD_TIMER].fd < 0 ||
	    timerfd_settime(d->fds[FD_TIMER].fd, 0, &every1s, NULL) < 0) {
		uvs_log(LOG_ERR, "signals and timers: %s", strerror(errno));
		return -1;
	}
	struct uvs_ctl_config cc = {
		.path = path,
		.group = group,
		.conn_tab_size = d->engine.conns.mask + 1,
		.max_clients = d->opt.max_clients,
		.idle_timeout_ms = d->opt.client_timeout * 1000,
		.model = &d->model,
		.ops = &uvsd_ctl_ops,
		.ops_arg = d,
	};
	struct uvs_error err;
	if ((ret = uvs_ctl_server_open(&d->ctl, &cc, &err)) < 0) {
		uvs_log(LOG_ERR, "control socket %s: %s", path, err.msg);
		return -1;
	}
	d->fds[FD_CTL] = (struct pollfd){ uvs_ctl_server_fd(d->ctl), POLLIN, 0 };
	/* The configuration kept, then what the command line says on top of it. */
	if (uvsd_restore_state(d) < 0 || uvsd_sysctls_apply(&d->opt.sysctls, &d->model.sysctl) < 0)
		return -1;
	if (d->opt.rules && uvsd_rules_file_apply(&d->engine, d->opt.rules, &d->declared) < 0)
		return -1;
	if (uvsd_start_keeping_state(d) < 0)
		return -1;
	log_ftp_ports(&c); /* once this uvsd is the state file's: not for one that fails */
	/* A daemon the state started asked its peer for the table: it comes before the
	 * data path forwards (a restarted master takes its table back first). */
	if (d->opt.sync_peer)
		uvsd_sync_handover_wait(d->sync);
	if (d->opt.marks && uvsd_marks_file_load(d->opt.marks, &d->marks) < 0)
		return -1;
	/* The table a planned restart kept, bound to the services just restored, before
	 * any frame is forwarded. A file refused is logged; uvsd goes on without it. */
	if (uvsd_conn_file_path(d) < 0)
		return -1;
	if (d->conn_file)
		uvsd_conns_keep_load(&d->engine, d->sync, d->conn_file, &d->restored);
	if ((ret = uvsd_prime_open(&d->prime)) < 0) {
		uvs_log(LOG_ERR, "rtnetlink: %s", strerror(-ret));
		return -1;
	}
	d->fds[FD_NET] = (struct pollfd){ -1, POLLIN, 0 };
	if (d->opt.nifs) {
		/* Subscribed before anything is attached: no change goes unseen. */
		if ((ret = uvs_netwatch_open(&d->netwatch)) < 0) {
			uvs_log(LOG_ERR, "rtnetlink: %s", strerror(-ret));
			return -1;
		}
		d->fds[FD_NET].fd = uvs_netwatch_fd(d->netwatch);
		refresh_host_addrs(d);
	}
	if (d->opt.nifs) {
		struct uvs_io_config io = {
			.ifnames = d->opt.ifnames,
			.nifs = d->opt.nifs,
			.nworkers = d->nworkers,
			.ring_mib = d->opt.ring_mib,
			.bpf_filter_fd = -1,
			.backend = d->opt.af_xdp ? UVS_IO_AF_XDP : UVS_IO_AF_PACKET,
			.xsk_map_fd = -1,
			.busy_poll = d->opt.busy_poll,
			/* Steered frames never reach the kernel: those for a real server on
			 * this host are handed to its stack. */
			.deliver_local = !d->opt.no_steer,
		};
		if (!d->opt.no_steer) {
			if (start_steering(d) < 0 || start_heartbeat(d) < 0 ||
			    start_fastpath(d) < 0)
				return -1;
			if (d->opt.af_xdp)
				io.xsk_map_fd = uvs_steer_xsk_map_fd(d->steer);
			else
				io.bpf_filter_fd = uvs_steer_sock_fd(d->steer);
		}
		if (uvsd_datapath_start(&d->engine, &io, d->heartbeat, &d->dp, &err) < 0) {
			uvs_log(LOG_ERR, "data path: %s", err.msg);
			return -1;
		}
		uvsd_datapath_set_marks(d->dp, d->marks);
		if (uvsd_links_open(&d->links, d->opt.ifnames, d->opt.nifs, d->steer, d->dp,
				    d->prime) < 0) {
			uvs_log(LOG_ERR, "out of memory");
			return -1;
		}
		uvs_log(LOG_INFO, "forwarding on %u link(s) with %u worker(s)", d->opt.nifs,
			d->nworkers);
	}
	return start_announcing(d);
}

/* Gives the HTTP thread the sync daemons and their counters as they are now (control
 * thread: the sync daemons start and stop only here). */
static void publish_sync(struct uvsd *d)
{
	struct uvs_ctl_daemon daemons[2];
	struct uvs_ctl_counter counters[UVSD_VIEW_SYNC_COUNTERS];
	unsigned n = (unsigned)uvs_ctl_server_daemons(d->ctl, daemons);
	size_t nc = d->sync ? uvsd_sync_counters(d->sync, counters, 0, UVSD_VIEW_SYNC_COUNTERS) : 0;

	uvsd_view_publish_sync(&d->view, daemons, n, counters, nc);
}

/* --metrics: the registry of the director's sources and the HTTP listener, once
 * everything they read is set up. Returns 0 or -1 (logged). */
static int start_metrics(struct uvsd *d)
{
	struct uvs_error err = { "" };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	d->view.start_time = (double)now.tv_sec + now.tv_nsec / 1e9;
	d->view.model = &d->model;
	d->view.engine = &d->engine;
	d->view.dp = d->dp;
	d->view.ctl = d->ctl;
	d->view.restored = &d->restored; /* set by setup, constant from then on */
	d->view.nworkers = d->dp ? d->nworkers : 0;
	d->view.backend = !d->opt.nifs ? "none" : d->opt.af_xdp ? "af_xdp" : "af_packet";
	publish_sync(d);
	if (!d->opt.metrics)
		return 0;
	if (!(d->metrics = uvsd_metrics_new()) ||
	    uvsd_metrics_add_director(d->metrics, &d->view) < 0) {
		uvs_log(LOG_ERR, "out of memory");
		return -1;
	}
	if (uvsd_http_open(d->opt.metrics, d->metrics, &d->view, &d->http, &err) < 0) {
		uvs_log(LOG_ERR, "--metrics %s", err.msg);
		return -1;
	}
	uvs_log(LOG_INFO, "metrics on http://%s/metrics, status page on http://%s/", d->opt.metrics,
		d->opt.metrics);
	return 0;
}

/* Tells systemd state (NULL: nothing but the status) with the status line. */
static void tell_systemd(struct uvsd *d, const char *state)
{
	char status[256];

	if (!uvsd_notify_enabled())
		return;
	d->status_generation = d->model.generation;
	uvsd_status_text(&d->model, d->opt.nifs, d->dp ? d->nworkers : 0, status, sizeof(status));
	uvsd_notify(state, status);
}

/* Handles one signal; returns false when uvsd should stop. */
static bool on_signal(struct uvsd *d)
{
	struct signalfd_siginfo si;

	if (read(d->fds[FD_SIGNAL].fd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo == SIGHUP) {
		struct uvs_marks *m;

		uvsd_notify_reloading();
		if (d->opt.marks && uvsd_marks_file_load(d->opt.marks, &m) == 0)
			use_marks(d, m);
		if (d->opt.rules &&
		    uvsd_rules_file_apply(&d->engine, d->opt.rules, &d->declared) == 0)
			uvsd_state_touch(&d->state, uvs_monotonic_ms()); /* what it declares */
		if (!d->opt.rules && !d->opt.marks)
			uvs_log(LOG_NOTICE, "SIGHUP without --rules or --marks: nothing to reload");
		tell_systemd(d, "READY=1");
		return true;
	}
	uvs_log(LOG_INFO, "signal %u: stopping", si.ssi_signo);
	uvsd_notify("STOPPING=1", NULL);
	return false;
}

static void on_timer(struct uvsd *d)
{
	uint64_t ticks;

	if (read(d->fds[FD_TIMER].fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	uvsd_guard_tick(&d->guard, &d->engine, uvs_monotonic_ns()); /* each second */
	if (d->timer_ticks++ % 2)
		return;			    /* the rest every 2 s */
	uvs_model_estimate_tick(&d->model); /* unless run_estimation is 0 */
	uvs_sync_tick(d->sync);		    /* what backups made expires */
	publish_sync(d);		    /* the metrics' sync counters */
	uvs_model_expire_trash(&d->model);
	uvs_ctl_server_audit_flush(d->ctl);
	if (d->links && !uvsd_links_settled(d->links))
		uvsd_links_check(d->links); /* what failed is tried again */
	if (d->steer_error)
		d->steered_generation = ~0ull; /* retry a failed sync */
	announce_update(d, d->announce_retry); /* also sees wedged workers */
	if (d->model.generation != d->status_generation)
		tell_systemd(d, NULL);
}

static void run(struct uvsd *d)
{
	bool idle = false; /* the last poll waited without an event */

	uvs_log(LOG_INFO, "control socket %s ready", d->opt.socket);
	for (;;) {
		/* After every event: real servers configured by it get their neighbours
		 * resolved before the first frame to them, and its services are steered. */
		struct uvsd_state_now now;
		int wait = uvsd_prime_pass(d->prime, &d->model) ? UVSD_PRIME_GAP_MS : -1;
		int steer_wait = steer_update(d, idle);
		int state_wait =
			uvsd_state_tick(&d->state, uvsd_state_now(d, &now), uvs_monotonic_ms());
		int n;

		announce_update(d, false);
		if (steer_wait >= 0 && (wait < 0 || steer_wait < wait))
			wait = steer_wait;
		if (state_wait >= 0 && (wait < 0 || state_wait < wait))
			wait = state_wait;
		n = poll(d->fds, NFDS, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			uvs_log(LOG_ERR, "poll: %s", strerror(errno));
			return;
		}
		idle = n == 0;
		if (d->fds[FD_SIGNAL].revents && !on_signal(d))
			return;
		if (d->fds[FD_TIMER].revents)
			on_timer(d);
		if (d->fds[FD_NET].revents)
			on_netwatch(d);
		if (d->fds[FD_CTL].revents) {
			int ret = uvs_ctl_server_handle(d->ctl);
			if (ret < 0) {
				uvs_log(LOG_ERR, "control socket: %s", strerror(-ret));
				return;
			}
			publish_sync(d); /* a request may have started or stopped one */
		}
		fastpath_check(d, d->fds[FD_NET].revents);
	}
}

int main(int argc, char **argv)
{
	static struct uvsd d;
	int ret = uvsd_parse_options(argc, argv, &d.opt);

	if (ret)
		return ret < 0 ? 2 : 0;
	uvs_log_to_syslog(d.opt.syslog || !d.opt.foreground);
	uvs_log_set_level(d.opt.log_level);
	uvs_log_set_format(d.opt.log_text ? UVS_LOG_TEXT : UVS_LOG_KV);
	/* Without --foreground the parent stays until the daemon serves or fails, and
	 * exits with its outcome (detach.h). */
	if (!d.opt.foreground && uvsd_detach() < 0) {
		fprintf(stderr, "uvsd: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}
	rcu_register_thread();
	uvsd_view_init(&d.view);
	ret = setup(&d) < 0 || start_metrics(&d) < 0 ? 1 : 0;
	if (!ret) {
		if (!d.opt.foreground)
			uvsd_detach_ready();
		tell_systemd(&d, "READY=1");
		run(&d);
		struct uvsd_state_now now;
		uvsd_state_flush(&d.state, uvsd_state_now(&d, &now)); /* logs a failure */
	}
	/* The routers stop sending here before the workers stop forwarding. */
	uvsd_announce_free(d.announce);
	uvs_announce_close(d.routes);
	/* The HTTP thread reads everything below: it stops first. */
	uvsd_http_close(d.http);
	uvsd_metrics_free(d.metrics);
	/* Workers stop before the engine they use; their structs go after it. */
	uvs_sync_stop_all(d.sync);
	uvsd_datapath_stop(d.dp);
	/* The table is still now: kept for the next uvsd (a planned restart). The steering
	 * programs stay meanwhile, so that frames wait for it rather than reach the
	 * kernel. */
	if (!ret && d.conn_file)
		uvsd_conns_keep_save(&d.engine, d.conn_file);
	/* Its table goes with the steering program. */
	uvs_engine_set_fastpath(&d.engine, NULL);
	uvs_steer_close(d.steer); /* the kernel handles every frame again */
	uvsd_heartbeat_free(d.heartbeat);
	if (d.ctl)
		uvs_ctl_server_close(d.ctl); /* removes the socket file */
	if (d.engine_ready)
		uvs_engine_destroy(&d.engine);
	uvsd_datapath_free(d.dp);
	uvs_sync_close(d.sync);
	uvsd_links_close(d.links);
	uvs_netwatch_close(d.netwatch);
	uvsd_prime_close(d.prime);
	uvsd_state_close(&d.state);
	free(d.declared);
	free(d.conn_file);
	free(d.marks);
	if (d.model_ready)
		uvs_model_destroy(&d.model);
	uvsd_sysctls_free(&d.opt.sysctls);
	uvsd_view_destroy(&d.view);
	rcu_unregister_thread();
	return ret;
}
