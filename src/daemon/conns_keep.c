// SPDX-License-Identifier: GPL-2.0-or-later
/* The connection table across a planned restart (conns_keep.h). */
#include "conns_keep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "conns_file.h"
#include "log.h"

/* Entries restored under one hold of the sync worker's lock. */
#define BATCH 4096

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * UVS_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The table as conns_file's writer takes it: a dump with each entry's time left. */
struct dumper {
	struct uvs_engine *e;
	uvs_time_t now;
	uint64_t cursor;
	bool done;
	struct uvs_sync_conn c[BATCH];
	uvs_time_t expires[BATCH];
};

static size_t dump_next(void *arg, struct uvsd_conns_entry *out, size_t max)
{
	struct dumper *d = arg;
	size_t n = 0;

	if (max > BATCH)
		max = BATCH;
	/* Entries already due are left out: the next uvsd would drop them anyway; so are
	 * the FTP helper's entries without a client port yet, which no reader takes. */
	while (!n && !d->done) {
		size_t got = uvs_conn_dump(d->e, &d->cursor, d->c, d->expires, max);

		d->done = got == 0;
		for (size_t i = 0; i < got; i++) {
			if (d->expires[i] <= d->now || !d->c[i].timeout ||
			    (d->c[i].flags & UVS_CONN_F_NO_CPORT))
				continue;
			out[n].conn = d->c[i];
			out[n++].left_ms = (d->expires[i] - d->now + 999999) / 1000000;
		}
	}
	return n;
}

int uvsd_conns_keep_save(struct uvs_engine *e, const char *path)
{
	struct dumper *d = calloc(1, sizeof(*d));
	uint64_t start = uvs_monotonic_ms(), count = 0;
	struct uvs_error err;
	int ret;

	if (!d) {
		uvs_log(LOG_ERR, "connection table %s: out of memory; not kept", path);
		return -1;
	}
	d->e = e;
	d->now = uvs_model_now(e->model);
	ret = uvsd_conns_file_write(path, realtime_ns(), dump_next, d, &count, &err);
	free(d);
	if (ret < 0) {
		uvs_log(LOG_ERR, "connection table %s: %s; not kept: the next uvsd starts empty",
			path, err.msg);
		return -1;
	}
	uvs_log(LOG_INFO, "connection table: %llu connection(s) written to %s in %llu ms",
		(unsigned long long)count, path, (unsigned long long)(uvs_monotonic_ms() - start));
	return 0;
}

/* Moves a refused file aside (kept for a look, never read again). */
static void set_aside(const char *path)
{
	char aside[4200];

	snprintf(aside, sizeof(aside), "%s.refused", path);
	if (rename(path, aside) && errno != ENOENT)
		uvs_log(LOG_ERR, "connection table %s: renaming it to %s: %s", path, aside,
			strerror(errno));
}

/* Restores the checked image's entries; the time between the write and now, elapsed
 * (ms), comes off each one's time left. Returns 0 or -ENOMEM (nothing restored). */
static int restore(struct uvs_engine *e, struct uvs_sync *s, const struct uvsd_conns_image *img,
		   uint64_t elapsed_ms, struct uvsd_conns_restored *out)
{
	struct uvs_sync_conn *c = malloc(BATCH * sizeof(*c));
	uvs_time_t *expires = malloc(BATCH * sizeof(*expires));
	uint64_t results[UVS_SYNC_APPLY_COUNT] = { 0 };
	uvs_time_t now = uvs_model_now(e->model);
	size_t n = 0;

	if (!c || !expires) {
		free(c);
		free(expires);
		return -ENOMEM;
	}

	for (uint64_t i = 0; i < img->count; i++) {
		struct uvsd_conns_entry en;

		uvsd_conns_record(img->buf, i, &en);
		if (en.left_ms <= elapsed_ms) {
			out->expired++;
			continue;
		}
		c[n] = en.conn;
		expires[n++] = now + (en.left_ms - elapsed_ms) * 1000000;
		if (n == BATCH) {
			uvs_sync_restore_conns(s, c, expires, n, results);
			n = 0;
		}
	}
	if (n)
		uvs_sync_restore_conns(s, c, expires, n, results);
	out->restored = results[UVS_SYNC_APPLY_NEW];
	out->no_dest = results[UVS_SYNC_APPLY_NO_DEST];
	out->dropped = img->count - out->expired - out->restored - out->no_dest;
	free(c);
	free(expires);
	return 0;
}

int uvsd_conns_keep_load(struct uvs_engine *e, struct uvs_sync *s, const char *path,
			 struct uvsd_conns_restored *out)
{
	uint64_t start = uvs_monotonic_ms(), written_ago_ms, now_ns = realtime_ns();
	struct uvsd_conns_image img;
	struct uvs_error err;
	int ret = uvsd_conns_file_read(path, &img, &err);

	memset(out, 0, sizeof(*out));
	if (ret == 1) {
		uvs_log(LOG_INFO, "connection table %s: none kept, starting with an empty table",
			path);
		return 0;
	}
	if (ret < 0) {
		uvs_log(LOG_ERR,
			"connection table %s: %s; refused whole, starting with an empty table "
			"(the file is moved to %s.refused)",
			path, err.msg, path);
		set_aside(path);
		out->refused = 1;
		return -1;
	}
	/* A clock set back makes no time pass; one set forward expires more. */
	written_ago_ms = now_ns > img.written_ns ? (now_ns - img.written_ns) / 1000000 : 0;
	out->read = img.count;
	ret = restore(e, s, &img, written_ago_ms, out);
	free(img.buf);
	if (ret < 0) {
		uvs_log(LOG_ERR, "connection table %s: out of memory; starting with an empty table",
			path);
		return -1;
	}
	if (unlink(path))
		uvs_log(LOG_ERR,
			"connection table %s: removing it: %s (a later start would take it "
			"again)",
			path, strerror(errno));
	uvs_log(LOG_INFO,
		"connection table %s: %llu of %llu connection(s) restored in %llu ms, written "
		"%llu ms before; %llu whose real server is gone, %llu expired meanwhile, %llu "
		"not taken (table full or duplicate)",
		path, (unsigned long long)out->restored, (unsigned long long)out->read,
		(unsigned long long)(uvs_monotonic_ms() - start),
		(unsigned long long)written_ago_ms, (unsigned long long)out->no_dest,
		(unsigned long long)out->expired, (unsigned long long)out->dropped);
	return 0;
}
