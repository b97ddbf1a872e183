// SPDX-License-Identifier: GPL-2.0-or-later
/* The connection table's file across a restart: format, writing, reading (conns_file.h). */
#include "conns_file.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/proto_sctp.h"
#include "pkt/crc32c.h"

static const char magic[8] = { 'U', 'V', 'S', 'C', 'O', 'N', 'N', 'S' };

/* Header fields' offsets. */
enum {
	H_MAGIC = 0,
	H_VERSION = 8,
	H_REC_LEN = 12,
	H_COUNT = 16,
	H_WRITTEN = 24,
	H_REC_CRC = 32,
	H_RESERVED1 = 36,
	H_HDR_CRC = 40, /* of the 40 bytes before it */
	H_RESERVED2 = 44,
};

/* Record fields' offsets. */
enum {
	R_CADDR = 0,
	R_VADDR = 16,
	R_DADDR = 32,
	R_CPORT = 48,
	R_VPORT = 50,
	R_DPORT = 52,
	R_FAMILY = 54,
	R_PROTOCOL = 55,
	R_STATE = 56,
	R_FLAGS = 58,
	R_FWMARK = 60,
	R_TIMEOUT = 64,
	R_LEFT = 68,
};

_Static_assert(R_LEFT + 8 == UVSD_CONNS_REC_LEN, "the record's fields fill it");
_Static_assert(H_RESERVED2 + 4 == UVSD_CONNS_HDR_LEN, "the header's fields fill it");

/* Records encoded per write call. */
#define CHUNK 4096

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

static uint16_t get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return le16toh(v);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

void uvsd_conns_encode(const struct uvsd_conns_entry *e, uint8_t *rec)
{
	const struct uvs_sync_conn *c = &e->conn;
	size_t alen = c->af == AF_INET6 ? 16 : 4;

	memset(rec, 0, UVSD_CONNS_REC_LEN);
	memcpy(rec + R_CADDR, &c->caddr, alen);
	memcpy(rec + R_VADDR, &c->vaddr, alen);
	memcpy(rec + R_DADDR, &c->daddr, alen);
	memcpy(rec + R_CPORT, &c->cport, 2); /* network order as they are */
	memcpy(rec + R_VPORT, &c->vport, 2);
	memcpy(rec + R_DPORT, &c->dport, 2);
	rec[R_FAMILY] = c->af == AF_INET6 ? 6 : 4;
	rec[R_PROTOCOL] = c->protocol;
	put16(rec + R_STATE, c->state);
	put16(rec + R_FLAGS, (uint16_t)(c->flags & UVS_CONN_F_BACKUP_MASK));
	put32(rec + R_FWMARK, c->fwmark);
	put32(rec + R_TIMEOUT, c->timeout);
	put64(rec + R_LEFT, e->left_ms);
}

void uvsd_conns_record(const uint8_t *buf, uint64_t i, struct uvsd_conns_entry *out)
{
	const uint8_t *rec = buf + UVSD_CONNS_HDR_LEN + i * UVSD_CONNS_REC_LEN;
	struct uvs_sync_conn *c = &out->conn;

	memset(out, 0, sizeof(*out));
	c->af = rec[R_FAMILY] == 6 ? AF_INET6 : AF_INET;
	memcpy(&c->caddr, rec + R_CADDR, 16);
	memcpy(&c->vaddr, rec + R_VADDR, 16);
	memcpy(&c->daddr, rec + R_DADDR, 16);
	memcpy(&c->cport, rec + R_CPORT, 2);
	memcpy(&c->vport, rec + R_VPORT, 2);
	memcpy(&c->dport, rec + R_DPORT, 2);
	c->protocol = rec[R_PROTOCOL];
	c->state = get16(rec + R_STATE);
	c->flags = get16(rec + R_FLAGS);
	c->fwmark = get32(rec + R_FWMARK);
	c->timeout = get32(rec + R_TIMEOUT);
	out->left_ms = get64(rec + R_LEFT);
}

/* The header for count records whose checksum is rec_crc. */
static void encode_header(uint8_t *h, uint64_t count, uint64_t written_ns, uint32_t rec_crc)
{
	memset(h, 0, UVSD_CONNS_HDR_LEN);
	memcpy(h + H_MAGIC, magic, sizeof(magic));
	put32(h + H_VERSION, UVSD_CONNS_VERSION);
	put32(h + H_REC_LEN, UVSD_CONNS_REC_LEN);
	put64(h + H_COUNT, count);
	put64(h + H_WRITTEN, written_ns);
	put32(h + H_REC_CRC, rec_crc);
	put32(h + H_HDR_CRC, uvs_crc32c(0, h, H_HDR_CRC));
}

/* Whether the bytes of an address beyond its family's length are all zero. */
static bool addr_tail_zero(const uint8_t *a, unsigned family)
{
	for (unsigned k = family == 6 ? 16 : 4; k < 16; k++)
		if (a[k])
			return false;
	return true;
}

/* Checks record rec; returns NULL or what is wrong with it. */
static const char *check_record(const uint8_t *rec)
{
	unsigned family = rec[R_FAMILY], protocol = rec[R_PROTOCOL];
	uint16_t flags = get16(rec + R_FLAGS), state = get16(rec + R_STATE), cport;
	uint32_t timeout = get32(rec + R_TIMEOUT);
	uint64_t left = get64(rec + R_LEFT);
	bool template = flags & UVS_CONN_F_TEMPLATE;

	if (family != 4 && family != 6)
		return "an address family other than 4 or 6";
	if (!addr_tail_zero(rec + R_CADDR, family) || !addr_tail_zero(rec + R_VADDR, family) ||
	    !addr_tail_zero(rec + R_DADDR, family))
		return "bytes beyond an IPv4 address";
	if (flags & ~UVS_CONN_F_BACKUP_MASK)
		return "flags a connection cannot have";
	if (flags & UVS_CONN_F_NO_CPORT)
		return "no client port";
	if (protocol == IPPROTO_TCP) {
		if (state >= UVS_TCP_S_COUNT)
			return "a TCP state out of range";
	} else if (protocol == IPPROTO_SCTP) {
		if (state >= UVS_SCTP_S_COUNT)
			return "an SCTP state out of range";
	} else if (protocol == IPPROTO_UDP) {
		if (state != 0)
			return "a UDP state other than 0";
	} else if (protocol != IPPROTO_IP || !template || !get32(rec + R_FWMARK)) {
		return "a protocol other than TCP, UDP, SCTP (or IP for a fwmark template)";
	}
	memcpy(&cport, rec + R_CPORT, 2);
	if (!cport && !template)
		return "client port 0";
	if (!timeout)
		return "timeout 0";
	/* A template re-armed while it controls connections may have more left than its
	 * own timeout (core/sync.h). */
	if (left > ((uint64_t)timeout + UVS_TEMPLATE_REARM_S) * 1000)
		return "more time left than its timeout";
	return NULL;
}

int uvsd_conns_check(const uint8_t *buf, size_t len, uint64_t *count, uint64_t *written_ns,
		     struct uvs_error *err)
{
	uint64_t n;
	const char *why;

	if (len < UVSD_CONNS_HDR_LEN || memcmp(buf + H_MAGIC, magic, sizeof(magic)))
		return uvs_errorf(err, EINVAL, "not a uvsd connection table (no UVSCONNS header)");
	if (get32(buf + H_HDR_CRC) != uvs_crc32c(0, buf, H_HDR_CRC))
		return uvs_errorf(err, EINVAL, "the header's checksum does not match");
	if (get32(buf + H_VERSION) != UVSD_CONNS_VERSION)
		return uvs_errorf(err, EINVAL, "version %u, this uvsd reads version %u",
				  get32(buf + H_VERSION), UVSD_CONNS_VERSION);
	if (get32(buf + H_REC_LEN) != UVSD_CONNS_REC_LEN || get32(buf + H_RESERVED1) ||
	    get32(buf + H_RESERVED2))
		return uvs_errorf(err, EINVAL, "a header of version %u with other fields",
				  UVSD_CONNS_VERSION);
	n = get64(buf + H_COUNT);
	if (n > UVSD_CONNS_MAX_COUNT || len != UVSD_CONNS_HDR_LEN + n * UVSD_CONNS_REC_LEN)
		return uvs_errorf(
			err, EINVAL, "%zu bytes where the header's %llu connections take %llu", len,
			(unsigned long long)n,
			(unsigned long long)(UVSD_CONNS_HDR_LEN + n * UVSD_CONNS_REC_LEN));
	if (get32(buf + H_REC_CRC) !=
	    uvs_crc32c(0, buf + UVSD_CONNS_HDR_LEN, len - UVSD_CONNS_HDR_LEN))
		return uvs_errorf(err, EINVAL, "the connections' checksum does not match");
	for (uint64_t i = 0; i < n; i++)
		if ((why = check_record(buf + UVSD_CONNS_HDR_LEN + i * UVSD_CONNS_REC_LEN)))
			return uvs_errorf(err, EINVAL, "connection %llu: %s",
					  (unsigned long long)i + 1, why);
	*count = n;
	*written_ns = get64(buf + H_WRITTEN);
	return 0;
}

/* Writes the records next gives to f after a blank header, then the header. Returns 0
 * or a negative errno with *err set. */
static int write_all(FILE *f, const char *tmp, uint64_t written_ns, uvsd_conns_next_fn next,
		     void *arg, uint64_t *count, struct uvs_error *err)
{
	static const uint8_t blank[UVSD_CONNS_HDR_LEN];
	struct uvsd_conns_entry *e = malloc(CHUNK * sizeof(*e));
	uint8_t *out = malloc(CHUNK * UVSD_CONNS_REC_LEN), h[UVSD_CONNS_HDR_LEN];
	uint32_t crc = 0;
	uint64_t n = 0;
	size_t got;
	int ret = 0;

	if (!e || !out) {
		ret = uvs_errorf(err, ENOMEM, "out of memory");
		goto out;
	}
	if (fwrite(blank, sizeof(blank), 1, f) != 1)
		goto io;
	while ((got = next(arg, e, CHUNK)) > 0) {
		for (size_t i = 0; i < got; i++)
			uvsd_conns_encode(&e[i], out + i * UVSD_CONNS_REC_LEN);
		crc = uvs_crc32c(crc, out, got * UVSD_CONNS_REC_LEN);
		if (fwrite(out, UVSD_CONNS_REC_LEN, got, f) != got)
			goto io;
		n += got;
	}
	encode_header(h, n, written_ns, crc);
	if (fseek(f, 0, SEEK_SET) || fwrite(h, sizeof(h), 1, f) != 1 || fflush(f))
		goto io;
	*count = n;
	goto out;
io:
	ret = uvs_syserrorf(err, errno, "writing %s", tmp);
out:
	free(e);
	free(out);
	return ret;
}

int uvsd_conns_file_write(const char *path, uint64_t written_ns, uvsd_conns_next_fn next, void *arg,
			  uint64_t *count, struct uvs_error *err)
{
	char *tmp = NULL;
	FILE *f = NULL;
	int fd, ret;

	*count = 0;
	if (asprintf(&tmp, "%s.new", path) < 0)
		return uvs_errorf(err, ENOMEM, "out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		ret = uvs_syserrorf(err, errno, "%s", tmp);
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	setvbuf(f, NULL, _IOFBF, 1u << 20);
	if ((ret = write_all(f, tmp, written_ns, next, arg, count, err)) < 0)
		goto fail;
	ret = fclose(f);
	f = NULL;
	if (ret) {
		ret = uvs_syserrorf(err, errno, "writing %s", tmp);
		goto fail;
	}
	if (rename(tmp, path)) {
		ret = uvs_syserrorf(err, errno, "renaming %s to %s", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (f)
		fclose(f);
	unlink(tmp);
	free(tmp);
	*count = 0;
	return ret;
}

int uvsd_conns_file_read(const char *path, struct uvsd_conns_image *img, struct uvs_error *err)
{
	struct stat st;
	size_t got = 0;
	int fd, ret;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0)
		return uvs_syserrorf(err, errno, "opening it");
	if (fstat(fd, &st)) {
		ret = uvs_syserrorf(err, errno, "fstat");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = uvs_errorf(err, EINVAL, "not a regular file");
		goto fail;
	}
	if ((uint64_t)st.st_size > UVSD_CONNS_HDR_LEN + UVSD_CONNS_MAX_COUNT * UVSD_CONNS_REC_LEN) {
		ret = uvs_errorf(err, EFBIG, "%lld bytes: larger than any table",
				 (long long)st.st_size);
		goto fail;
	}
	img->len = (size_t)st.st_size;
	if (!(img->buf = malloc(img->len ? img->len : 1))) {
		ret = uvs_errorf(err, ENOMEM, "out of memory for %zu bytes", img->len);
		goto fail;
	}
	while (got < img->len) {
		ssize_t n = read(fd, img->buf + got, img->len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? uvs_syserrorf(err, errno, "reading it")
				    : uvs_errorf(err, EIO, "it became shorter while read");
			goto fail;
		}
		got += (size_t)n;
	}
	if ((ret = uvsd_conns_check(img->buf, img->len, &img->count, &img->written_ns, err)) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	close(fd);
	free(img->buf);
	memset(img, 0, sizeof(*img));
	return ret;
}
