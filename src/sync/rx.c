// SPDX-License-Identifier: GPL-2.0-or-later
/* A backup's receive path (rx.h): messages into records, records into the table. */
#include "rx.h"

#include <errno.h>
#include <string.h>

#include "base/atomic.h"

static const char *const own_names[] = {
#define X(name, text) text,
	UVS_SYNC_RX_COUNTERS(X)
#undef X
};

const char *uvs_sync_rx_counter_name(unsigned i)
{
	if (i < UVS_SYNC_RX_READ_BASE)
		return own_names[i];
	if (i < UVS_SYNC_RX_APPLY_BASE)
		return uvs_sync_read_error_name(i - UVS_SYNC_RX_READ_BASE + 1);
	if (i < UVS_SYNC_RX_COUNT)
		return uvs_sync_apply_name(i - UVS_SYNC_RX_APPLY_BASE);
	return "unknown";
}

/* Counts under rx->lock; relaxed: counters read racily (one writer at a time). */
static void count(struct uvs_sync_rx *rx, unsigned i)
{
	uvs_store_relaxed(&rx->counters[i], uvs_load_relaxed(&rx->counters[i]) + 1);
}

static void count_read(struct uvs_sync_rx *rx, enum uvs_sync_read_error e)
{
	count(rx, UVS_SYNC_RX_READ_BASE + e - 1);
}

int uvs_sync_rx_init(struct uvs_sync_rx *rx, struct uvs_engine *e, unsigned id)
{
	int ret;

	memset(rx, 0, sizeof(*rx));
	rx->engine = e;
	if ((ret = uvs_worker_init(&rx->worker, e, id)) < 0)
		return ret;
	pthread_mutex_init(&rx->lock, NULL);
	rx->ready = true;
	return 0;
}

void uvs_sync_rx_fini(struct uvs_sync_rx *rx)
{
	if (!rx->ready)
		return;
	pthread_mutex_destroy(&rx->lock);
	rx->ready = false;
}

/* Applies r under rx->lock. */
static enum uvs_sync_apply_result apply_locked(struct uvs_sync_rx *rx,
					       const struct uvs_sync_record *r)
{
	struct uvs_sync_conn s = r->conn;
	enum uvs_sync_apply_result res;

	/* The kernel finds no persistence engine for it (uvs has none) and skips it. */
	if (r->pe_data_len) {
		count(rx, UVS_SYNC_RX_PE);
		return UVS_SYNC_APPLY_COUNT;
	}
	if (r->has_seq) { /* SEQ_DATA: for the FTP helper, if it serves the connection */
		s.in_seq = (struct uvs_seq){ r->in_seq.init_seq, r->in_seq.delta,
					     r->in_seq.previous_delta };
		s.out_seq = (struct uvs_seq){ r->out_seq.init_seq, r->out_seq.delta,
					      r->out_seq.previous_delta };
	}
	res = uvs_sync_apply(&rx->worker, &s, uvs_model_now(rx->engine->model));
	count(rx, UVS_SYNC_RX_APPLY_BASE + res);
	return res;
}

enum uvs_sync_apply_result uvs_sync_rx_record(struct uvs_sync_rx *rx,
					      const struct uvs_sync_record *r)
{
	enum uvs_sync_apply_result res;

	pthread_mutex_lock(&rx->lock);
	res = apply_locked(rx, r);
	pthread_mutex_unlock(&rx->lock);
	return res;
}

unsigned uvs_sync_rx_message(struct uvs_sync_rx *rx, const void *buf, size_t len, uint8_t syncid)
{
	unsigned records = 0;
	struct uvs_sync_reader rd;
	struct uvs_sync_record r;
	enum uvs_sync_read_error err;
	enum uvs_sync_next n;

	pthread_mutex_lock(&rx->lock);
	err = uvs_sync_msg_open(&rd, buf, len, syncid);
	if (err != UVS_SYNC_READ_OK) {
		count_read(rx, err);
		pthread_mutex_unlock(&rx->lock);
		return 0;
	}
	count(rx, UVS_SYNC_RX_MSGS);
	if (rd.version == 0)
		count(rx, UVS_SYNC_RX_V0_MSGS);
	while ((n = uvs_sync_msg_next(&rd, &r, &err)) != UVS_SYNC_END) {
		if (n == UVS_SYNC_RECORD) {
			apply_locked(rx, &r);
			records++;
		} else
			count_read(rx, err);
		if (n == UVS_SYNC_STOP)
			break;
	}
	pthread_mutex_unlock(&rx->lock);
	return records;
}

void uvs_sync_rx_restore(struct uvs_sync_rx *rx, const struct uvs_sync_conn *c,
			 const uvs_time_t *expires, size_t n, uint64_t *results)
{
	pthread_mutex_lock(&rx->lock);
	uvs_time_t now = uvs_model_now(rx->engine->model);
	for (size_t i = 0; i < n; i++)
		results[uvs_sync_restore(&rx->worker, &c[i], now, expires[i])]++;
	pthread_mutex_unlock(&rx->lock);
}

void uvs_sync_rx_timers(struct uvs_sync_rx *rx)
{
	pthread_mutex_lock(&rx->lock);
	uvs_worker_timers(&rx->worker, uvs_model_now(rx->engine->model));
	pthread_mutex_unlock(&rx->lock);
}

void uvs_sync_rx_error(struct uvs_sync_rx *rx)
{
	pthread_mutex_lock(&rx->lock);
	count(rx, UVS_SYNC_RX_ERRORS);
	pthread_mutex_unlock(&rx->lock);
}
