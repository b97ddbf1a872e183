// SPDX-License-Identifier: GPL-2.0-or-later
/* A master's send path (tx.h): entries into messages, messages out. */
#include "tx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic.h"

static const char *const counter_names[UVS_SYNC_TX_COUNT] = {
#define X(name, text) text,
	UVS_SYNC_TX_COUNTERS(X)
#undef X
};

const char *uvs_sync_tx_counter_name(unsigned i)
{
	return i < UVS_SYNC_TX_COUNT ? counter_names[i] : "unknown";
}

/* A message that found no room in its socket, waiting to be sent again. */
struct waiting {
	struct waiting *next;
	unsigned port;
	size_t len;
	uint8_t data[];
};

/* The message being filled for one port. */
struct port {
	uint8_t *buf; /* max(maxlen, UVS_SYNC_MSG_MIN) bytes */
	struct uvs_sync_writer w;
	bool open;	  /* w holds a started message */
	uvs_time_t first; /* when its first entry went in */
};

struct uvs_sync_tx {
	struct uvs_sync_tx_config c;
	struct waiting *head, **tail; /* FIFO of messages waiting for room */
	unsigned long nwaiting;
	uint64_t counters[UVS_SYNC_TX_COUNT]; /* written by the tx's thread, read racily */
	struct port ports[];
};

/* Entries taken off the rings at a time. */
#define TAKE 64

static void count(struct uvs_sync_tx *tx, enum uvs_sync_tx_counter i, uint64_t n)
{
	/* Relaxed: one writer; others read the counters racily. */
	uvs_store_relaxed(&tx->counters[i], uvs_load_relaxed(&tx->counters[i]) + n);
}

int uvs_sync_tx_create(const struct uvs_sync_tx_config *c, struct uvs_sync_tx **out)
{
	size_t room = c->maxlen > UVS_SYNC_MSG_MIN ? c->maxlen : UVS_SYNC_MSG_MIN;
	struct uvs_sync_tx *tx;

	*out = NULL;
	if (!c->nports || c->nports > UVS_SYNC_PORTS_MAX || (c->nports & (c->nports - 1)) ||
	    !c->send || !c->maxlen)
		return -EINVAL;
	tx = calloc(1, sizeof(*tx) + c->nports * sizeof(tx->ports[0]));
	if (!tx)
		return -ENOMEM;
	tx->c = *c;
	tx->tail = &tx->head;
	for (unsigned i = 0; i < c->nports; i++)
		if (!(tx->ports[i].buf = malloc(room))) {
			uvs_sync_tx_free(tx);
			return -ENOMEM;
		}
	*out = tx;
	return 0;
}

void uvs_sync_tx_free(struct uvs_sync_tx *tx)
{
	if (!tx)
		return;
	while (tx->head) {
		struct waiting *next = tx->head->next;
		free(tx->head);
		tx->head = next;
	}
	for (unsigned i = 0; i < tx->c.nports; i++)
		free(tx->ports[i].buf);
	free(tx);
}

/* Keeps a message the socket had no room for, unless sync_qlen_max wait already. */
static void keep(struct uvs_sync_tx *tx, unsigned port, const uint8_t *msg, size_t len)
{
	/* Relaxed: a setting read on its own (core/sysctl.h). */
	unsigned long max = uvs_load_relaxed(&tx->c.engine->model->sysctl.sync_qlen_max);
	struct waiting *m;

	if (tx->nwaiting >= max || !(m = malloc(sizeof(*m) + len))) {
		count(tx, UVS_SYNC_TX_DROPPED, 1);
		return;
	}
	m->next = NULL;
	m->port = port;
	m->len = len;
	memcpy(m->data, msg, len);
	*tx->tail = m;
	tx->tail = &m->next;
	tx->nwaiting++;
}

/* Counts a message that went (or was refused for good). */
static void sent(struct uvs_sync_tx *tx, int ret, const uint8_t *msg, int version)
{
	if (ret < 0) {
		count(tx, UVS_SYNC_TX_ERRORS, 1);
		return;
	}
	count(tx, UVS_SYNC_TX_MSGS, 1);
	/* Both headers count their records in a byte: 4th of version 1, 1st of 0. */
	count(tx, UVS_SYNC_TX_CONNS,
	      msg[version ? offsetof(struct uvs_sync_wire_hdr, nr_conns)
			  : offsetof(struct uvs_sync_wire_hdr_v0, nr_conns)]);
}

/* Sends the waiting messages in order, until one finds no room. */
static void retry(struct uvs_sync_tx *tx)
{
	while (tx->head) {
		struct waiting *m = tx->head;
		int ret = tx->c.send(tx->c.send_arg, m->port, m->data, m->len);

		if (ret == -EAGAIN)
			return;
		/* A version 1 message has a zero first byte; version 0's counts its records. */
		sent(tx, ret, m->data, m->data[0] == 0);
		tx->head = m->next;
		if (!tx->head)
			tx->tail = &tx->head;
		tx->nwaiting--;
		free(m);
	}
}

/* Sends port p's message (behind any that wait) and closes it. */
static void send_port(struct uvs_sync_tx *tx, unsigned i)
{
	struct port *p = &tx->ports[i];
	size_t len = uvs_sync_msg_finish(&p->w);
	int ret;

	p->open = false;
	if (!len)
		return;
	if (tx->head) {
		keep(tx, i, p->buf, len);
		return;
	}
	ret = tx->c.send(tx->c.send_arg, i, p->buf, len);
	if (ret == -EAGAIN)
		keep(tx, i, p->buf, len);
	else
		sent(tx, ret, p->buf, p->w.version);
}

/* The port of an entry: the same for every update of a connection, so that they
 * arrive in order. */
static unsigned port_of(const struct uvs_sync_tx *tx, const struct uvs_sync_conn *e)
{
	uint32_t h = e->caddr.ip6w[0] ^ e->caddr.ip6w[1] ^ e->caddr.ip6w[2] ^ e->caddr.ip6w[3] ^
		     ((uint32_t)e->cport << 16 | e->vport);

	/* Every input bit moves the low bits (a 32-bit finaliser). */
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return h & (tx->c.nports - 1);
}

void uvs_sync_tx_add(struct uvs_sync_tx *tx, const struct uvs_sync_conn *e, uvs_time_t now)
{
	/* Relaxed: a setting read on its own; a change starts the next message. */
	int version = uvs_load_relaxed(&tx->c.engine->model->sysctl.sync_version) ? 1 : 0;
	unsigned i = port_of(tx, e);
	struct port *p = &tx->ports[i];
	struct uvs_sync_record r;

	uvs_sync_record_of(e, &r);
	if (version == 0 && e->af != AF_INET) {
		count(tx, UVS_SYNC_TX_V0_IPV6, 1);
		return;
	}
	if (p->open && p->w.version != version)
		send_port(tx, i);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!p->open) {
			uvs_sync_msg_start(&p->w, p->buf, tx->c.maxlen, version, tx->c.syncid);
			p->open = true;
			p->first = now;
		}
		if (uvs_sync_msg_add(&p->w, &r) != -ENOSPC)
			return;
		send_port(tx, i); /* full: out it goes, and a new one takes the entry */
	}
}

uint64_t uvs_sync_tx_run(struct uvs_sync_tx *tx, struct uvs_sync_out *so, uvs_time_t now)
{
	struct uvs_sync_conn e[TAKE];
	uint64_t next = UINT64_MAX;

	retry(tx);
	for (unsigned r = 0; so && r < uvs_sync_out_rings(so); r++) {
		unsigned n;
		do {
			n = uvs_sync_out_take(so, r, e, TAKE);
			for (unsigned k = 0; k < n; k++)
				uvs_sync_tx_add(tx, &e[k], now);
		} while (n == TAKE);
	}
	for (unsigned i = 0; i < tx->c.nports; i++) {
		struct port *p = &tx->ports[i];

		if (!p->open)
			continue;
		if (now - p->first >= UVS_SYNC_FLUSH_NS)
			send_port(tx, i);
		else if (p->first + UVS_SYNC_FLUSH_NS - now < next)
			next = p->first + UVS_SYNC_FLUSH_NS - now;
	}
	return next;
}

void uvs_sync_tx_flush(struct uvs_sync_tx *tx)
{
	for (unsigned i = 0; i < tx->c.nports; i++)
		if (tx->ports[i].open)
			send_port(tx, i);
}

bool uvs_sync_tx_waiting(const struct uvs_sync_tx *tx)
{
	return tx->head != NULL;
}

void uvs_sync_tx_counters(const struct uvs_sync_tx *tx, uint64_t *out)
{
	for (unsigned i = 0; i < UVS_SYNC_TX_COUNT; i++)
		out[i] = uvs_load_relaxed(&tx->counters[i]); /* relaxed: racy reads */
}
