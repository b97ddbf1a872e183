// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's sync daemons behind the control server's daemon ops (sync_ops.h). */
#include "sync_ops.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* The control protocol's daemon as the sync daemons take it. */
static void to_config(const struct uvs_ctl_daemon *d, struct uvs_sync_config *c)
{
	memset(c, 0, sizeof(*c));
	c->state = d->state == IP_VS_STATE_MASTER ? UVS_SYNC_MASTER : UVS_SYNC_BACKUP;
	snprintf(c->ifname, sizeof(c->ifname), "%s", d->mcast_ifn);
	c->syncid = (uint8_t)d->syncid;
	c->sync_maxlen = d->sync_maxlen;
	c->mcast_af = d->mcast_af;
	c->mcast_group = d->mcast_group;
	c->mcast_port = d->mcast_port;
	c->mcast_ttl = d->mcast_ttl;
}

int uvsd_sync_config(struct uvs_sync *s, struct uvs_ctl_daemon *d, struct uvs_error *err)
{
	struct uvs_sync_config c;
	int ret;

	(void)s;
	to_config(d, &c);
	if ((ret = uvs_sync_config_complete(&c, err)) < 0)
		return ret;
	d->sync_maxlen = c.sync_maxlen;
	d->mcast_af = (uint16_t)c.mcast_af;
	d->mcast_group = c.mcast_group;
	d->mcast_port = c.mcast_port;
	d->mcast_ttl = c.mcast_ttl;
	return 0;
}

static const char *state_name(uint32_t state)
{
	return state == IP_VS_STATE_MASTER ? "MASTER" : "BACKUP";
}

int uvsd_sync_start(struct uvs_sync *s, const struct uvs_ctl_daemon *d, struct uvs_error *err)
{
	struct uvs_sync_config c;
	char group[UVS_ADDR_STRLEN];
	int ret;

	to_config(d, &c);
	if ((ret = uvs_sync_start(s, &c, err)) < 0) {
		uvs_log(LOG_ERR, "sync daemon %s: %s", state_name(d->state), err->msg);
		return ret;
	}
	uvs_log(LOG_INFO,
		"sync thread started: state = %s, mcast_ifn = %s, syncid = %u, group = %s, "
		"port = %u, maxlen = %u",
		state_name(d->state), d->mcast_ifn, d->syncid,
		uvs_addr_format(d->mcast_af, &d->mcast_group, group, sizeof(group)), d->mcast_port,
		d->sync_maxlen);
	return 0;
}

void uvsd_sync_stop(struct uvs_sync *s, const struct uvs_ctl_daemon *d)
{
	if (uvs_sync_stop(s, d->state == IP_VS_STATE_MASTER ? UVS_SYNC_MASTER : UVS_SYNC_BACKUP) ==
	    0)
		uvs_log(LOG_INFO, "sync thread stopped: state = %s", state_name(d->state));
}

size_t uvsd_sync_counters(struct uvs_sync *s, struct uvs_ctl_counter *out, size_t n, size_t max)
{
	const char *names[128];
	uint64_t values[128];
	size_t all = uvs_sync_counters(s, names, values, 128);

	for (size_t i = 0; i < all && i < 128 && n < max; i++, n++) {
		snprintf(out[n].name, sizeof(out[n].name), "%s", names[i]);
		out[n].value = values[i];
	}
	return n;
}

void uvsd_sync_handover_wait(struct uvs_sync *s)
{
	static const char *const want[3] = { "sync_handover_fetched", "sync_handover_received",
					     "sync_rx_new" };
	const char *names[128];
	uint64_t values[128], got[3] = { 0 };
	size_t n;

	if (uvs_sync_handover_wait(s, UVSD_HANDOVER_WAIT_MS) < 0)
		uvs_log(LOG_WARNING,
			"sync hand-over: the peer's table did not come in %d ms: forwarding "
			"without the rest of it",
			UVSD_HANDOVER_WAIT_MS);
	n = uvs_sync_counters(s, names, values, 128);
	for (size_t i = 0; i < n && i < 128; i++)
		for (int k = 0; k < 3; k++)
			if (!strcmp(names[i], want[k]))
				got[k] = values[i];
	if (got[0])
		uvs_log(LOG_INFO,
			"sync hand-over: %" PRIu64 " entries from the peer, %" PRIu64 " new",
			got[1], got[2]);
}

int uvsd_sync_peer(struct uvs_sync *s, const struct uvsd_options *o)
{
	struct uvs_error err;

	if (uvs_sync_set_peer(s, (const struct sockaddr *)&o->sync_peer_sa, o->sync_peer_len,
			      o->sync_peer_port, &err) < 0) {
		uvs_log(LOG_ERR, "--sync-peer %s: %s", o->sync_peer, err.msg);
		return -1;
	}
	uvs_log(LOG_INFO, "sync hand-over: peer %s, listening on TCP port %u", o->sync_peer,
		o->sync_peer_port);
	return 0;
}
