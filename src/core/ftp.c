// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FTP helper (ftp.h): a control connection's state beside its entry, the sequence
 * adjustment of ip_vs_app.c, the kernel's ip_vs_ftp_in() and ip_vs_ftp_out(), and the
 * passive data connection that learns its client port. The text is ftp_parse.c's;
 * the frame rewrites xmit/tcp.c's. Callers are inside an RCU read-side section.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <urcu.h>

#include "base/atomic.h"
#include "engine-internal.h"
#include "ftp_parse.h"
#include "pkt/wire.h"
#include "rcu-handoff.h"

/* What the client asked for last: the kernel's app_data. */
enum ftp_mode {
	MODE_ACTIVE, /* nothing (or PORT/EPRT): replies are not read */
	MODE_PASV,   /* the next 227 reply is the real server's passive address */
	MODE_EPSV,   /* the next 229 reply is its passive port */
};

/* A control connection's helper state. */
struct uvs_conn_app {
	struct uvs_seq in_seq;	/* under the connection's lock, with its SEQ flags */
	struct uvs_seq out_seq; /* likewise */
	uint8_t mode;		/* enum ftp_mode; relaxed: a command and its reply may be
				 * read on two workers, and the kernel's is as loose */
	struct rcu_head rcu;
};

/* ---- the ports ---- */

int uvs_ftp_ports_parse(const char *text, uint16_t *ports, unsigned *n, struct uvs_error *err)
{
	const char *s = text;

	*n = 0;
	for (;;) {
		size_t digits = strspn(s, "0123456789");
		unsigned long v = 0;

		if (digits == 0 || digits > 5 || (s[digits] && s[digits] != ','))
			return uvs_errorf(
				err, EINVAL,
				"'%s' is not a list of ports 0..65535 separated by commas", text);
		for (size_t i = 0; i < digits; i++)
			v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > 65535)
			return uvs_errorf(err, EINVAL, "port %lu is not in 0..65535", v);
		if (v) { /* 0 stands for none, as in the kernel module's list */
			if (*n == UVS_FTP_PORTS_MAX)
				return uvs_errorf(err, EINVAL, "more than %d ports",
						  UVS_FTP_PORTS_MAX);
			ports[(*n)++] = htons((uint16_t)v);
		}
		if (!s[digits])
			return 0;
		s += digits + 1;
	}
}

bool uvs_ftp_serves(const struct uvs_engine *e, const struct uvs_conn *c)
{
	if (c->protocol != IPPROTO_TCP || (c->flags & UVS_CONN_F_TEMPLATE) ||
	    (c->flags & UVS_CONN_F_FWD_MASK) != UVS_FWD_MASQ)
		return false;
	for (unsigned i = 0; i < e->nftp_ports; i++)
		if (e->ftp_ports[i] == c->vport)
			return true;
	return false;
}

/* ---- the state beside the entry ---- */

void uvs_ftp_bind(struct uvs_worker *w, struct uvs_conn *c)
{
	struct uvs_conn_app *a = calloc(1, sizeof(*a));

	if (!a || !uvs_conn_app_set(c, a)) {
		free(a);
		uvs_count(w, UVS_R_FTP_NO_MEMORY);
		return;
	}
	c->flags |= UVS_CONN_F_APP; /* c is no one else's yet */
}

static void app_free(struct rcu_head *head)
{
	uvs_rcu_callback_begin();
	free(caa_container_of(head, struct uvs_conn_app, rcu));
}

void uvs_ftp_unbind(struct uvs_conn *c)
{
	struct uvs_conn_app *a = uvs_conn_app(c);

	if (!a)
		return;
	/* A reader that still has c sees the state or NULL; either is whole. The array
	 * is there: a was in it. */
	uvs_conn_app_set(c, NULL);
	uvs_call_rcu(&a->rcu, app_free);
}

/* ---- sequence adjustment (ip_vs_app.c) ---- */

/* Whether sequence number a comes after b, modulo 2^32. */
static bool after(uint32_t a, uint32_t b)
{
	return (int32_t)(b - a) < 0;
}

/* A sender's sequence number as the receiver sees it (vs_fix_seq()). */
static uint32_t seq_fixed(const struct uvs_seq *s, uint32_t seq)
{
	return seq + (after(seq, s->init_seq) ? s->delta : s->previous_delta);
}

/* An acknowledgement of what s's sender sent, back in the sender's numbers
 * (vs_fix_ack_seq()): compared with where the receiver saw init_seq. */
static uint32_t ack_fixed(const struct uvs_seq *s, uint32_t ack)
{
	return ack - (after(ack, s->init_seq + s->delta) ? s->delta : s->previous_delta);
}

/*
 * Adjusts segment p of c: from the real server (out) its sequence number by out_seq
 * and its acknowledgement by in_seq, from the client the other way round. Returns the
 * segment's sequence number as it came, which a resize is recorded against.
 */
static uint32_t seq_fix(struct uvs_conn *c, struct uvs_conn_app *a, struct uvs_pkt *p, bool out)
{
	uint8_t *th = p->frame + p->l4_off;
	uint32_t seq = uvs_get32(th + offsetof(struct tcphdr, th_seq));
	uint32_t ack = uvs_get32(th + offsetof(struct tcphdr, th_ack)), fseq = seq, fack = ack;
	uint16_t own = out ? UVS_CONN_F_OUT_SEQ : UVS_CONN_F_IN_SEQ;
	uint16_t other = out ? UVS_CONN_F_IN_SEQ : UVS_CONN_F_OUT_SEQ;
	uint16_t flags;
	struct uvs_seq mine, theirs;

	/* A first look without the lock: nothing resized yet is the usual case. */
	if (!(uvs_conn_flags(c) & UVS_CONN_F_SEQ_MASK))
		return seq;
	uvs_conn_lock(c);
	flags = uvs_conn_flags(c);
	mine = out ? a->out_seq : a->in_seq;
	theirs = out ? a->in_seq : a->out_seq;
	uvs_conn_unlock(c);
	if (flags & own)
		fseq = seq_fixed(&mine, seq);
	if (flags & other)
		fack = ack_fixed(&theirs, ack);
	if (fseq != seq || fack != ack)
		uvs_tcp_seq_ack_set(p, fseq, fack);
	return seq;
}

/* Records that the segment numbered seq grew by diff (vs_seq_update()): unless an
 * earlier segment was resized after it, which a retransmission would be. */
static void seq_resized(struct uvs_conn *c, struct uvs_seq *s, uint16_t flag, uint32_t seq,
			int32_t diff)
{
	uvs_conn_lock(c);
	if (!(uvs_conn_flags(c) & flag) || after(seq, s->init_seq)) {
		s->previous_delta = s->delta;
		s->delta += (uint32_t)diff;
		s->init_seq = seq;
		uvs_or_relaxed(&c->flags, flag); /* relaxed: under the lock, read with it */
	}
	uvs_conn_unlock(c);
}

bool uvs_conn_seq_get(const struct uvs_conn *cc, uint16_t *flags, struct uvs_seq *in,
		      struct uvs_seq *out)
{
	/* Its lock is all that is written: readers of a const entry (a table walk) take it. */
	struct uvs_conn *c = (struct uvs_conn *)cc;
	struct uvs_conn_app *a = (uvs_conn_flags(c) & UVS_CONN_F_APP) ? uvs_conn_app(c) : NULL;

	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	*flags = 0;
	if (!a)
		return false;
	uvs_conn_lock(c);
	*flags = uvs_conn_flags(c) & UVS_CONN_F_SEQ_MASK;
	*in = a->in_seq;
	*out = a->out_seq;
	uvs_conn_unlock(c);
	return *flags != 0;
}

bool uvs_conn_seq_set(struct uvs_conn *c, uint16_t flags, const struct uvs_seq *in,
		      const struct uvs_seq *out)
{
	struct uvs_conn_app *a = (uvs_conn_flags(c) & UVS_CONN_F_APP) ? uvs_conn_app(c) : NULL;

	if (!a)
		return false;
	uvs_conn_lock(c);
	a->in_seq = *in;
	a->out_seq = *out;
	/* Relaxed: under the lock, as seq_resized() sets them. */
	uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_SEQ_MASK);
	uvs_or_relaxed(&c->flags, (uint16_t)(flags & UVS_CONN_F_SEQ_MASK));
	uvs_conn_unlock(c);
	return true;
}

/* ---- data connections ---- */

/*
 * A data connection like *k (key, state, timeout, flags) controlled by ctl, on ctl's
 * real server: room reserved, the destination bound, ctl counting it. NULL if the
 * table is full, memory is out, or ctl is ending (then nothing waits for data).
 */
static struct uvs_conn *data_conn_make(struct uvs_worker *w, struct uvs_conn *ctl,
				       struct uvs_conn *k, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	struct uvs_conn *n;

	if (!uvs_conn_reserve(&e->conns))
		return NULL;
	/* Count in, then make sure ctl's owner has not just ended it: it frees an
	 * unhashed entry only once n_control is zero (see persist_template()). */
	uvs_add_seq_cst(&uvs_conn_side(ctl)->n_control, 1);
	if (!(uvs_load_seq_cst(&ctl->flags) & UVS_CONN_F_HASHED)) {
		uvs_sub_seq_cst(&uvs_conn_side(ctl)->n_control, 1);
		uvs_conn_unreserve(&e->conns);
		return NULL;
	}
	uvs_dest_bind(ctl->dest, w->id, k->flags & UVS_CONN_F_INACTIVE);
	k->dest = ctl->dest;
	k->control = ctl;
	n = uvs_conn_create(w, k, 0, now);
	if (!n) {
		uvs_dest_unbind(ctl->dest, w->id, k->flags & UVS_CONN_F_INACTIVE);
		uvs_sub_release(&uvs_conn_side(ctl)->n_control, 1);
		uvs_conn_unreserve(&e->conns);
		return NULL;
	}
	uvs_count(w, UVS_R_FTP_DATA_CONN);
	return n;
}

/* The fields every data connection of control connection c starts with. */
static struct uvs_conn data_conn_base(struct uvs_engine *e, const struct uvs_conn *c)
{
	return (struct uvs_conn){
		.af = c->af,
		.protocol = IPPROTO_TCP,
		.vaddr = c->vaddr,
		/* As uvs's own new connections (docs/decisions.md, INPUT-ONLY). */
		.flags = UVS_CONN_F_INACTIVE | UVS_CONN_F_NOOUTPUT,
		.state = UVS_TCP_S_LISTEN,
		/* Relaxed: a setting read on its own. */
		.timeout = uvs_load_relaxed(&e->timeouts.tcp[UVS_TCP_S_LISTEN]),
	};
}

struct uvs_conn *uvs_ftp_data_conn_fill(struct uvs_worker *w, const struct uvs_pkt *p,
					uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	struct uvs_conn *old, *c, k;
	uint16_t flags;

	old = uvs_conn_in_get(&e->conns, p->af, p->protocol, &p->saddr, 0, &p->daddr, p->dport,
			      false);
	if (!old || !(uvs_conn_flags(old) & UVS_CONN_F_NO_CPORT))
		return NULL;
	/*
	 * The kernel rehashes the entry under the client's port; uvs makes a copy that
	 * has it and ends the old one, so that no lookup walking the old chain is led
	 * astray. Whoever ends the old one first makes the copy.
	 */
	flags = uvs_conn_flags(old);
	k = (struct uvs_conn){
		.af = old->af,
		.protocol = old->protocol,
		.caddr = old->caddr,
		.cport = p->sport,
		.vaddr = old->vaddr,
		.vport = old->vport,
		.daddr = old->daddr,
		.dport = old->dport,
		.dest = old->dest,
		.control = old->control,
		.flags = flags & (UVS_CONN_F_INACTIVE | UVS_CONN_F_NOOUTPUT),
		/* Relaxed: the state and timeout it waited in, read as reuse() reads them. */
		.state = uvs_load_relaxed(&old->state),
		.timeout = uvs_load_relaxed(&old->timeout),
	};
	if (!uvs_conn_reserve(&e->conns))
		return NULL;
	/* old's own references keep its destination and control connection alive until
	 * the copy holds its own. */
	uvs_dest_bind(k.dest, w->id, k.flags & UVS_CONN_F_INACTIVE);
	if (k.control)
		uvs_add_seq_cst(&uvs_conn_side(k.control)->n_control, 1);
	c = uvs_conn_end(e, old) ? uvs_conn_create(w, &k, 0, now) : NULL;
	if (!c) {
		uvs_dest_unbind(k.dest, w->id, k.flags & UVS_CONN_F_INACTIVE);
		if (k.control)
			uvs_sub_release(&uvs_conn_side(k.control)->n_control, 1);
		uvs_conn_unreserve(&e->conns);
		/* Another worker made it first (or memory ran out): its copy, if any. */
		return uvs_conn_in_get(&e->conns, p->af, p->protocol, &p->saddr, p->sport,
				       &p->daddr, p->dport, false);
	}
	return c;
}

/* ---- the helper ---- */

/* Where the payload of TCP segment p starts, and its length. */
static const uint8_t *payload(const struct uvs_pkt *p, size_t *len)
{
	uint32_t hlen = uvs_tcp_hlen(p->frame + p->l4_off);

	*len = p->l4_len > hlen ? p->l4_len - hlen : 0;
	return p->frame + p->l4_off + hlen;
}

static bool established(const struct uvs_conn *c)
{
	/* Relaxed: the state read on its own, as the kernel's helper reads it. */
	return uvs_load_relaxed(&c->state) == UVS_TCP_S_ESTABLISHED;
}

enum uvs_reason uvs_ftp_in(struct uvs_worker *w, struct uvs_pkt *p, struct uvs_conn *c,
			   uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	struct uvs_conn_app *a = uvs_conn_app(c);
	struct uvs_ftp_addr to;
	enum uvs_ftp_match m = UVS_FTP_NONE, m2;
	const uint8_t *data;
	size_t len;

	if (!a)
		return UVS_R_PKT_OK;
	seq_fix(c, a, p, false);
	data = payload(p, &len);
	if (!established(c) || !len)
		return UVS_R_PKT_OK;
	switch (uvs_ftp_find_passive(data, len, c->af)) {
	case UVS_FTP_PASSIVE_PASV:
		uvs_store_relaxed(&a->mode, MODE_PASV);
		return UVS_R_PKT_OK;
	case UVS_FTP_PASSIVE_EPSV:
		uvs_store_relaxed(&a->mode, MODE_EPSV);
		return UVS_R_PKT_OK;
	case UVS_FTP_PASSIVE_REFUSED:
		uvs_count(w, UVS_R_FTP_BAD_COMMAND);
		return UVS_R_PKT_OK;
	case UVS_FTP_PASSIVE_NONE:
		break;
	}
	/* PORT (IPv4 only), else EPRT: the client's address and port to connect to. */
	memset(&to, 0, sizeof(to));
	if (c->af == AF_INET)
		m = uvs_ftp_parse_port(data, len, &to);
	if (m != UVS_FTP_FOUND) {
		m2 = uvs_ftp_parse_eprt(data, len, c->af, &to);
		if (m2 != UVS_FTP_FOUND) {
			if (m == UVS_FTP_BAD || m2 == UVS_FTP_BAD)
				uvs_count(w, UVS_R_FTP_BAD_COMMAND);
			return UVS_R_PKT_OK;
		}
	}
	uvs_store_relaxed(&a->mode, MODE_ACTIVE);
	/* From the real server's port 20 (the control port - 1), seen from VIP:20. */
	uint16_t vport = htons((uint16_t)(ntohs(c->vport) - 1));
	struct uvs_conn *n = uvs_conn_in_get(&e->conns, c->af, IPPROTO_TCP, &to.addr, to.port,
					     &c->vaddr, vport, false);
	if (n) {
		uvs_conn_listen(e, n, now);
		return UVS_R_PKT_OK;
	}
	struct uvs_conn k = data_conn_base(e, c);
	k.caddr = to.addr;
	k.cport = to.port;
	k.vport = vport;
	k.daddr = c->daddr;
	k.dport = htons((uint16_t)(ntohs(c->dport) - 1));
	return data_conn_make(w, c, &k, now) ? UVS_R_PKT_OK : UVS_R_FTP_NO_CONN;
}

enum uvs_reason uvs_ftp_out(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			    struct uvs_conn *c, uint32_t max_len, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	struct uvs_conn_app *a = uvs_conn_app(c);
	char text[UVS_FTP_TEXT_MAX];
	struct uvs_ftp_addr from;
	enum uvs_ftp_match m;
	const uint8_t *data;
	uint32_t seq;
	size_t len, tlen;
	uint8_t mode;

	if (!a)
		return UVS_R_PKT_OK;
	seq = seq_fix(c, a, p, true);
	mode = uvs_load_relaxed(&a->mode);
	data = payload(p, &len);
	if (!established(c) || mode == MODE_ACTIVE || !len)
		return UVS_R_PKT_OK;
	memset(&from, 0, sizeof(from));
	from.addr = c->daddr; /* an EPSV reply names no address, usually */
	m = mode == MODE_PASV ? uvs_ftp_parse_227(data, len, &from)
			      : uvs_ftp_parse_229(data, len, c->af, &from);
	if (m != UVS_FTP_FOUND) {
		if (m == UVS_FTP_BAD)
			uvs_count(w, UVS_R_FTP_BAD_REPLY);
		return UVS_R_PKT_OK;
	}
	/* The client's data connection to VIP:port, its port unknown yet, goes to the
	 * address and port the reply names. */
	struct uvs_conn *n = uvs_conn_out_get(&e->conns, c->af, IPPROTO_TCP, &from.addr, from.port,
					      &c->caddr, 0);
	if (n) {
		uvs_conn_listen(e, n, now);
	} else {
		struct uvs_conn k = data_conn_base(e, c);
		k.caddr = c->caddr;
		k.vport = from.port;
		k.daddr = from.addr;
		k.dport = from.port;
		k.flags |= UVS_CONN_F_NO_CPORT;
		n = data_conn_make(w, c, &k, now);
		if (!n)
			return UVS_R_FTP_NO_CONN;
	}
	uvs_store_relaxed(&a->mode, MODE_ACTIVE);
	tlen = mode == MODE_PASV ? uvs_ftp_format_227(text, &n->vaddr, n->vport)
				 : uvs_ftp_format_229(text, n->vport);
	if (uvs_tcp_payload_replace(f, p, from.start, from.end - from.start, text, (uint32_t)tlen,
				    max_len) < 0)
		return UVS_R_FTP_NO_ROOM;
	if (tlen != from.end - from.start)
		seq_resized(c, &a->out_seq, UVS_CONN_F_OUT_SEQ, seq,
			    (int32_t)tlen - (int32_t)(from.end - from.start));
	uvs_count(w, UVS_R_FTP_REWRITTEN);
	return UVS_R_PKT_OK;
}
