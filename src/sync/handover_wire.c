// SPDX-License-Identifier: GPL-2.0-or-later
/* The hand-over's frames (handover_wire.h): written, and read from untrusted bytes. */
#include "handover_wire.h"

#include <arpa/inet.h>
#include <endian.h>
#include <string.h>

static const char *const error_names[UVS_HANDOVER_WIRE_COUNT] = { "ok",
#define X(name, text) text,
								  UVS_HANDOVER_WIRE_ERRORS(X)
#undef X
};

const char *uvs_handover_wire_error_name(enum uvs_handover_wire_error e)
{
	return (unsigned)e < UVS_HANDOVER_WIRE_COUNT ? error_names[e] : "unknown";
}

void uvs_handover_put_hdr(uint8_t *out, enum uvs_handover_type type, uint32_t length)
{
	struct uvs_handover_hdr h = { .type = (uint8_t)type, .length = htonl(length) };

	memcpy(out, &h, sizeof(h));
}

void uvs_handover_put_request(uint8_t *out)
{
	uint32_t version = htonl(UVS_HANDOVER_VERSION);

	uvs_handover_put_hdr(out, UVS_HANDOVER_REQUEST, UVS_HANDOVER_REQUEST_LEN);
	memcpy(out + sizeof(struct uvs_handover_hdr), UVS_HANDOVER_MAGIC, 4);
	memcpy(out + sizeof(struct uvs_handover_hdr) + 4, &version, 4);
}

void uvs_handover_put_end(uint8_t *out, uint64_t count)
{
	uint64_t n = htobe64(count);

	uvs_handover_put_hdr(out, UVS_HANDOVER_END, UVS_HANDOVER_END_LEN);
	memcpy(out + sizeof(struct uvs_handover_hdr), &n, sizeof(n));
}

/* The header's own checks, whatever the frame. */
static enum uvs_handover_wire_error check_hdr(const struct uvs_handover_hdr *h)
{
	if (h->zero[0] || h->zero[1] || h->zero[2])
		return UVS_HANDOVER_WIRE_BAD_HEADER;
	return UVS_HANDOVER_WIRE_OK;
}

enum uvs_handover_wire_error uvs_handover_read_request(const uint8_t *buf, size_t len)
{
	struct uvs_handover_hdr h;
	enum uvs_handover_wire_error e;
	uint32_t version;

	if (len < sizeof(h))
		return UVS_HANDOVER_WIRE_BAD_LENGTH;
	memcpy(&h, buf, sizeof(h));
	if ((e = check_hdr(&h)) != UVS_HANDOVER_WIRE_OK)
		return e;
	if (h.type != UVS_HANDOVER_REQUEST)
		return UVS_HANDOVER_WIRE_BAD_TYPE;
	if (ntohl(h.length) != UVS_HANDOVER_REQUEST_LEN || len != UVS_HANDOVER_SMALL_FRAME)
		return UVS_HANDOVER_WIRE_BAD_LENGTH;
	if (memcmp(buf + sizeof(h), UVS_HANDOVER_MAGIC, 4))
		return UVS_HANDOVER_WIRE_BAD_MAGIC;
	memcpy(&version, buf + sizeof(h) + 4, sizeof(version));
	if (ntohl(version) != UVS_HANDOVER_VERSION)
		return UVS_HANDOVER_WIRE_BAD_VERSION;
	return UVS_HANDOVER_WIRE_OK;
}

void uvs_handover_reader_init(struct uvs_handover_reader *r,
			      void (*on_message)(void *arg, const uint8_t *msg, size_t len),
			      void *arg)
{
	r->on_message = on_message;
	r->arg = arg;
	r->hdr_have = 0;
	r->type = 0;
	r->body_len = 0;
	r->body_have = 0;
	r->ended = 0;
	r->end_count = 0;
	r->messages = 0;
}

/* A header read whole: what its frame may be. */
static enum uvs_handover_wire_error start_frame(struct uvs_handover_reader *r)
{
	struct uvs_handover_hdr h;
	enum uvs_handover_wire_error e;

	memcpy(&h, r->hdr, sizeof(h));
	if ((e = check_hdr(&h)) != UVS_HANDOVER_WIRE_OK)
		return e;
	r->body_len = ntohl(h.length);
	r->body_have = 0;
	switch (h.type) {
	case UVS_HANDOVER_MESSAGE:
		/* A message has at least its header (msg.c reads the rest). */
		if (r->body_len < 4 || r->body_len > UVS_HANDOVER_BODY_MAX)
			return UVS_HANDOVER_WIRE_BAD_LENGTH;
		break;
	case UVS_HANDOVER_END:
		if (r->body_len != UVS_HANDOVER_END_LEN)
			return UVS_HANDOVER_WIRE_BAD_LENGTH;
		break;
	default:
		return UVS_HANDOVER_WIRE_BAD_TYPE;
	}
	r->type = h.type;
	return UVS_HANDOVER_WIRE_OK;
}

/* A body read whole. */
static void end_frame(struct uvs_handover_reader *r)
{
	if (r->type == UVS_HANDOVER_END) {
		uint64_t n;
		memcpy(&n, r->body, sizeof(n));
		r->end_count = be64toh(n);
		r->ended = 1;
	} else {
		r->messages++;
		r->on_message(r->arg, r->body, r->body_len);
	}
	r->type = 0;
	r->hdr_have = 0;
}

enum uvs_handover_wire_error uvs_handover_read(struct uvs_handover_reader *r, const void *buf,
					       size_t len)
{
	const uint8_t *p = buf;
	enum uvs_handover_wire_error e;

	while (len) {
		size_t take;

		if (r->ended)
			return UVS_HANDOVER_WIRE_AFTER_END;
		if (!r->type) {
			take = sizeof(r->hdr) - r->hdr_have;
			if (take > len)
				take = len;
			memcpy(r->hdr + r->hdr_have, p, take);
			r->hdr_have += take;
			p += take;
			len -= take;
			if (r->hdr_have < sizeof(r->hdr))
				break;
			if ((e = start_frame(r)) != UVS_HANDOVER_WIRE_OK)
				return e;
			continue; /* a body of 0 bytes is never allowed: read on */
		}
		take = r->body_len - r->body_have;
		if (take > len)
			take = len;
		memcpy(r->body + r->body_have, p, take);
		r->body_have += take;
		p += take;
		len -= take;
		if (r->body_have == r->body_len)
			end_frame(r);
	}
	return UVS_HANDOVER_WIRE_OK;
}
