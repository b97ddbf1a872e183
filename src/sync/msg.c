// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writing and reading the sync protocol's messages (msg.h). Fields are copied through
 * the wire structs with memcpy: a record sits wherever the message puts it.
 */
#include "msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static const char *const read_error_names[UVS_SYNC_READ_COUNT] = { "ok",
#define X(name, text) text,
								   UVS_SYNC_READ_ERRORS(X)
#undef X
};

const char *uvs_sync_read_error_name(enum uvs_sync_read_error e)
{
	return (unsigned)e < UVS_SYNC_READ_COUNT ? read_error_names[e] : "unknown";
}

/* ---- writing ---- */

void uvs_sync_record_of(const struct uvs_sync_conn *e, struct uvs_sync_record *out)
{
	memset(out, 0, sizeof(*out));
	out->conn = *e;
	out->has_seq = e->flags & UVS_CONN_F_SEQ_MASK;
	out->in_seq = (struct uvs_sync_seq){ e->in_seq.init_seq, e->in_seq.delta,
					     e->in_seq.previous_delta };
	out->out_seq = (struct uvs_sync_seq){ e->out_seq.init_seq, e->out_seq.delta,
					      e->out_seq.previous_delta };
}

void uvs_sync_msg_start(struct uvs_sync_writer *w, void *buf, size_t limit, int version,
			uint8_t syncid)
{
	w->buf = buf;
	w->limit = limit;
	w->nr_conns = 0;
	w->version = version;
	if (version == 0) {
		struct uvs_sync_wire_hdr_v0 h = { .syncid = syncid };
		memcpy(w->buf, &h, sizeof(h));
		w->len = sizeof(h);
	} else {
		struct uvs_sync_wire_hdr h = { .syncid = syncid, .version = UVS_SYNC_PROTO_VER };
		memcpy(w->buf, &h, sizeof(h));
		w->len = sizeof(h);
	}
}

static void put_seq(uint8_t *p, const struct uvs_sync_seq *s)
{
	struct uvs_sync_wire_seq n = {
		.init_seq = htonl(s->init_seq),
		.delta = htonl(s->delta),
		.previous_delta = htonl(s->previous_delta),
	};
	memcpy(p, &n, sizeof(n));
}

/* A version 0 record (IPv4, 16 bits of flags, no timeout or fwmark). */
static int add_v0(struct uvs_sync_writer *w, const struct uvs_sync_record *r)
{
	const struct uvs_sync_conn *c = &r->conn;
	bool seq = c->flags & UVS_CONN_F_SEQ_MASK;
	size_t len =
		sizeof(struct uvs_sync_wire_v0) + (seq ? 2 * sizeof(struct uvs_sync_wire_seq) : 0);
	struct uvs_sync_wire_v0 v = {
		.protocol = c->protocol,
		.cport = c->cport,
		.vport = c->vport,
		.dport = c->dport,
		.caddr = c->caddr.ip,
		.vaddr = c->vaddr.ip,
		.daddr = c->daddr.ip,
		.flags = htons((uint16_t)(c->flags & ~(uint32_t)UVS_CONN_F_HASHED)),
		.state = htons(c->state),
	};

	if (c->af != AF_INET)
		return -EAFNOSUPPORT;
	if (w->nr_conns && (w->len + len > w->limit || w->nr_conns == UVS_SYNC_MSG_CONNS_MAX))
		return -ENOSPC;
	memcpy(w->buf + w->len, &v, sizeof(v));
	if (seq) {
		put_seq(w->buf + w->len + sizeof(v), &r->in_seq);
		put_seq(w->buf + w->len + sizeof(v) + sizeof(struct uvs_sync_wire_seq),
			&r->out_seq);
	}
	w->len += len;
	w->nr_conns++;
	return 0;
}

/* The length of r's version 1 record without padding (the kernel's computation). */
static size_t v1_len(const struct uvs_sync_record *r)
{
	size_t len = r->conn.af == AF_INET6 ? sizeof(struct uvs_sync_wire_v6)
					    : sizeof(struct uvs_sync_wire_v4);

	if (r->conn.flags & UVS_CONN_F_SEQ_MASK)
		len += 2 + 2 * sizeof(struct uvs_sync_wire_seq);
	if (r->pe_data_len) {
		len += 2 + r->pe_data_len;
		if (r->pe_name_len)
			len += 2 + r->pe_name_len;
	}
	return len;
}

static uint8_t *put_option(uint8_t *p, uint8_t type, const void *data, uint8_t len)
{
	*p++ = type;
	*p++ = len;
	memcpy(p, data, len);
	return p + len;
}

int uvs_sync_msg_add(struct uvs_sync_writer *w, const struct uvs_sync_record *r)
{
	const struct uvs_sync_conn *c = &r->conn;
	size_t len, pad;
	uint8_t *p;

	if (r->pe_name_len > UVS_SYNC_PE_NAME_MAX || (r->pe_name_len && !r->pe_data_len))
		return -EINVAL;
	if (w->version == 0)
		return add_v0(w, r);
	len = v1_len(r);
	/* Each record starts on 4 bytes: the padding goes before it. */
	pad = (4 - (w->len & 3)) & 3;
	if (w->nr_conns && (w->len + pad + len > w->limit || w->nr_conns == UVS_SYNC_MSG_CONNS_MAX))
		return -ENOSPC;
	memset(w->buf + w->len, 0, pad);
	p = w->buf + w->len + pad;
	/* The fields both families share are where struct uvs_sync_wire_v4 has them. */
	struct uvs_sync_wire_v4 v = {
		.type = c->af == AF_INET6 ? UVS_SYNC_TYPE_INET6 : 0,
		.protocol = c->protocol,
		.ver_size = htons((uint16_t)(len & UVS_SYNC_SIZE_MASK)), /* version 0 */
		.flags = htonl(c->flags & ~(uint32_t)UVS_CONN_F_HASHED),
		.state = htons(c->state),
		.cport = c->cport,
		.vport = c->vport,
		.dport = c->dport,
		.fwmark = htonl(c->fwmark),
		.timeout = htonl(c->timeout),
		.caddr = c->caddr.ip,
		.vaddr = c->vaddr.ip,
		.daddr = c->daddr.ip,
	};
	if (c->af == AF_INET6) {
		struct uvs_sync_wire_v6 v6;
		memcpy(&v6, &v, offsetof(struct uvs_sync_wire_v6, caddr));
		memcpy(v6.caddr, c->caddr.ip6, 16);
		memcpy(v6.vaddr, c->vaddr.ip6, 16);
		memcpy(v6.daddr, c->daddr.ip6, 16);
		memcpy(p, &v6, sizeof(v6));
		p += sizeof(v6);
	} else {
		memcpy(p, &v, sizeof(v));
		p += sizeof(v);
	}
	if (c->flags & UVS_CONN_F_SEQ_MASK) {
		*p++ = UVS_SYNC_OPT_SEQ_DATA;
		*p++ = 2 * sizeof(struct uvs_sync_wire_seq);
		put_seq(p, &r->in_seq);
		put_seq(p + sizeof(struct uvs_sync_wire_seq), &r->out_seq);
		p += 2 * sizeof(struct uvs_sync_wire_seq);
	}
	if (r->pe_data_len) {
		p = put_option(p, UVS_SYNC_OPT_PE_DATA, r->pe_data, r->pe_data_len);
		if (r->pe_name_len)
			p = put_option(p, UVS_SYNC_OPT_PE_NAME, r->pe_name, r->pe_name_len);
	}
	w->len += pad + len;
	w->nr_conns++;
	return 0;
}

size_t uvs_sync_msg_finish(struct uvs_sync_writer *w)
{
	uint16_t size = htons((uint16_t)w->len);

	if (!w->nr_conns)
		return 0;
	if (w->version == 0) {
		w->buf[offsetof(struct uvs_sync_wire_hdr_v0, nr_conns)] = (uint8_t)w->nr_conns;
		memcpy(w->buf + offsetof(struct uvs_sync_wire_hdr_v0, size), &size, 2);
	} else {
		w->buf[offsetof(struct uvs_sync_wire_hdr, nr_conns)] = (uint8_t)w->nr_conns;
		memcpy(w->buf + offsetof(struct uvs_sync_wire_hdr, size), &size, 2);
	}
	return w->len;
}

/* ---- reading ---- */

enum uvs_sync_read_error uvs_sync_msg_open(struct uvs_sync_reader *r, const void *buf, size_t len,
					   uint8_t syncid)
{
	struct uvs_sync_wire_hdr h;
	struct uvs_sync_wire_hdr_v0 h0;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(h0))
		return UVS_SYNC_READ_SHORT;
	memcpy(&h0, buf, sizeof(h0));
	if (len != ntohs(h0.size))
		return UVS_SYNC_READ_BAD_SIZE;
	if (syncid != 0 && h0.syncid != syncid)
		return UVS_SYNC_READ_SYNCID;
	r->buf = buf;
	r->len = len;
	r->syncid = h0.syncid;
	/* Version 1 when its header says so; anything else is read as version 0, as the
	 * kernel reads it (a message too short for the version 1 header is one). */
	memset(&h, 0, sizeof(h));
	memcpy(&h, buf, len < sizeof(h) ? len : sizeof(h));
	if (len >= sizeof(h) && h.version == UVS_SYNC_PROTO_VER && h.reserved == 0 &&
	    h.spare == 0) {
		r->version = 1;
		r->pos = sizeof(h);
		r->left = h.nr_conns;
	} else {
		r->version = 0;
		r->pos = sizeof(h0);
		r->left = h0.nr_conns;
	}
	return UVS_SYNC_READ_OK;
}

static void get_seq(const uint8_t *p, struct uvs_sync_seq *s)
{
	struct uvs_sync_wire_seq n;

	memcpy(&n, p, sizeof(n));
	s->init_seq = ntohl(n.init_seq);
	s->delta = ntohl(n.delta);
	s->previous_delta = ntohl(n.previous_delta);
}

static enum uvs_sync_next stop(enum uvs_sync_read_error *err, enum uvs_sync_read_error why)
{
	*err = why;
	return UVS_SYNC_STOP;
}

/* A version 0 record: 24 bytes, and 24 of sequence data if its flags say so. */
static enum uvs_sync_next next_v0(struct uvs_sync_reader *r, struct uvs_sync_record *out,
				  enum uvs_sync_read_error *err)
{
	const uint8_t *p = r->buf + r->pos;
	size_t room = r->len - r->pos;
	struct uvs_sync_wire_v0 v;

	if (room < sizeof(v))
		return stop(err, UVS_SYNC_READ_TRUNCATED);
	memcpy(&v, p, sizeof(v));
	out->conn = (struct uvs_sync_conn){
		.af = AF_INET,
		.protocol = v.protocol,
		.cport = v.cport,
		.vport = v.vport,
		.dport = v.dport,
		.caddr.ip = v.caddr,
		.vaddr.ip = v.vaddr,
		.daddr.ip = v.daddr,
		.flags = ntohs(v.flags),
		.state = ntohs(v.state),
	};
	r->pos += sizeof(v);
	if (out->conn.flags & UVS_CONN_F_SEQ_MASK) {
		if (room < sizeof(v) + 2 * sizeof(struct uvs_sync_wire_seq))
			return stop(err, UVS_SYNC_READ_TRUNCATED);
		out->has_seq = true;
		get_seq(p + sizeof(v), &out->in_seq);
		get_seq(p + sizeof(v) + sizeof(struct uvs_sync_wire_seq), &out->out_seq);
		r->pos += 2 * sizeof(struct uvs_sync_wire_seq);
	}
	return UVS_SYNC_RECORD;
}

/*
 * The options of a version 1 record, p..end: the kernel's loop in
 * ip_vs_proc_sync_conn(). Returns UVS_SYNC_RECORD, UVS_SYNC_SKIP (an unknown
 * mandatory option, met before any error after it) or UVS_SYNC_STOP.
 */
static enum uvs_sync_next read_options(const uint8_t *p, const uint8_t *end,
				       struct uvs_sync_record *out, enum uvs_sync_read_error *err)
{
	bool seen_seq = false;

	while (p < end) {
		uint8_t type, len;

		if (end - p < 2)
			return stop(err, UVS_SYNC_READ_BAD_OPTION);
		type = p[0];
		len = p[1];
		p += 2;
		if (!len || len > end - p)
			return stop(err, UVS_SYNC_READ_BAD_OPTION);
		switch (type & ~UVS_SYNC_OPT_F_PARAM) {
		case UVS_SYNC_OPT_SEQ_DATA:
			if (len != 2 * sizeof(struct uvs_sync_wire_seq) || seen_seq)
				return stop(err, UVS_SYNC_READ_BAD_SEQ);
			seen_seq = out->has_seq = true;
			get_seq(p, &out->in_seq);
			get_seq(p + sizeof(struct uvs_sync_wire_seq), &out->out_seq);
			break;
		case UVS_SYNC_OPT_PE_DATA:
			if (out->pe_data_len) /* its length is one byte: never too long */
				return stop(err, UVS_SYNC_READ_BAD_PE_DATA);
			out->pe_data_len = len;
			memcpy(out->pe_data, p, len);
			break;
		case UVS_SYNC_OPT_PE_NAME:
			if (len > UVS_SYNC_PE_NAME_MAX || out->pe_name_len)
				return stop(err, UVS_SYNC_READ_BAD_PE_NAME);
			out->pe_name_len = len;
			memcpy(out->pe_name, p, len);
			break;
		default:
			if (!(type & UVS_SYNC_OPT_F_PARAM)) {
				*err = UVS_SYNC_READ_UNKNOWN_OPTION;
				return UVS_SYNC_SKIP;
			}
		}
		p += len;
	}
	return UVS_SYNC_RECORD;
}

/* A version 1 record: the kernel's checks in ip_vs_process_message() and
 * ip_vs_proc_sync_conn(), in their order. */
static enum uvs_sync_next next_v1(struct uvs_sync_reader *r, struct uvs_sync_record *out,
				  enum uvs_sync_read_error *err)
{
	const uint8_t *p = r->buf + r->pos, *end;
	struct uvs_sync_wire_v6 v6;
	struct uvs_sync_wire_v4 v;
	size_t size, fixed;
	uint16_t ver_size;

	if (r->pos > r->len || r->len - r->pos < sizeof(v))
		return stop(err, UVS_SYNC_READ_TRUNCATED);
	memcpy(&v, p, sizeof(v));
	ver_size = ntohs(v.ver_size);
	size = ver_size & UVS_SYNC_SIZE_MASK;
	if (size > r->len - r->pos)
		return stop(err, UVS_SYNC_READ_OVERRUN);
	if (ver_size >> UVS_SYNC_VER_SHIFT)
		return stop(err, UVS_SYNC_READ_BAD_VERSION);
	end = p + size;
	/* The next record starts on 4 bytes after this one (maybe past the end). */
	r->pos += (size + 3) & ~(size_t)3;
	if (v.type & UVS_SYNC_TYPE_INET6)
		fixed = sizeof(v6);
	else if (v.type == 0)
		fixed = sizeof(v);
	else
		return stop(err, UVS_SYNC_READ_BAD_TYPE);
	if (fixed > size)
		return stop(err, UVS_SYNC_READ_BAD_LENGTH);
	out->conn = (struct uvs_sync_conn){
		.af = fixed == sizeof(v6) ? AF_INET6 : AF_INET,
		.protocol = v.protocol,
		.flags = ntohl(v.flags),
		.state = ntohs(v.state),
		.cport = v.cport,
		.vport = v.vport,
		.dport = v.dport,
		.fwmark = ntohl(v.fwmark),
		.timeout = ntohl(v.timeout),
	};
	if (fixed == sizeof(v6)) {
		memcpy(&v6, p, sizeof(v6));
		memcpy(out->conn.caddr.ip6, v6.caddr, 16);
		memcpy(out->conn.vaddr.ip6, v6.vaddr, 16);
		memcpy(out->conn.daddr.ip6, v6.daddr, 16);
	} else {
		out->conn.caddr.ip = v.caddr;
		out->conn.vaddr.ip = v.vaddr;
		out->conn.daddr.ip = v.daddr;
	}
	return read_options(p + fixed, end, out, err);
}

enum uvs_sync_next uvs_sync_msg_next(struct uvs_sync_reader *r, struct uvs_sync_record *out,
				     enum uvs_sync_read_error *err)
{
	enum uvs_sync_next n;

	*err = UVS_SYNC_READ_OK;
	if (!r->left)
		return UVS_SYNC_END;
	memset(out, 0, sizeof(*out));
	n = r->version == 0 ? next_v0(r, out, err) : next_v1(r, out, err);
	if (n == UVS_SYNC_STOP)
		r->left = 0;
	else
		r->left--;
	return n;
}
