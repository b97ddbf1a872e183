// SPDX-License-Identifier: GPL-2.0-or-later
#include "http.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "status_json.h"

struct uvsd_http {
	struct MHD_Daemon *mhd;
	int fd; /* the listening socket, which MHD closes once it ran */
	struct uvsd_metrics *metrics;
	struct uvsd_view *view;
};

/* What a path answers with: its body (malloc'd, for MHD to free) and its type. */
struct page {
	char *body;
	size_t len;
	const char *type;
};

/* Prometheus's text format, version 0.0.4, as its scrapers ask for. */
#define TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

/* Makes the page of url; returns the status code (200, 404, 500). */
static unsigned make_page(struct uvsd_http *h, const char *url, struct page *p)
{
	FILE *f = open_memstream(&p->body, &p->len);
	int ret = 0;
	unsigned code = 200;

	if (!f)
		return 500;
	if (!strcmp(url, "/metrics")) {
		p->type = TYPE_METRICS;
		uvsd_metrics_write(h->metrics, f);
	} else if (!strcmp(url, "/status.json")) {
		p->type = "application/json";
		ret = uvsd_status_json(h->view, f);
	} else if (!strcmp(url, "/")) {
		p->type = "text/html; charset=utf-8";
		fputs(uvsd_status_page, f);
	} else {
		p->type = "text/plain; charset=utf-8";
		fprintf(f, "Not found: uvsd serves /metrics, /status.json and /\n");
		code = 404;
	}
	if (fclose(f) != 0 || ret < 0) {
		free(p->body);
		p->body = NULL;
		return 500;
	}
	return code;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	struct uvsd_http *h = cls;
	struct MHD_Response *r;
	struct page p = { 0 };
	enum MHD_Result ret;
	unsigned code;

	(void)version;
	(void)upload_data;
	if (!*req_cls) { /* the headers: wait for the whole request */
		*req_cls = h;
		return MHD_YES;
	}
	if (*upload_data_size) { /* a body, which no page takes: read and ignored */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		static const char msg[] = "Only GET and HEAD\n";
		r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		ret = MHD_queue_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
		MHD_destroy_response(r);
		return ret;
	}
	code = make_page(h, url, &p);
	if (code == 500) {
		static const char msg[] = "uvsd is out of memory\n";
		r = MHD_create_response_from_buffer(sizeof(msg) - 1, (void *)msg,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		r = MHD_create_response_from_buffer(p.len, p.body, MHD_RESPMEM_MUST_FREE);
		if (!r)
			free(p.body);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				code == 500 ? "text/plain; charset=utf-8" : p.type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* MHD's own messages (a connection it could not take, ...), at debug level. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	if (!uvs_log_enabled(LOG_DEBUG))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	uvs_log(LOG_DEBUG, "http: %s", msg);
}

/* A listening TCP socket on a (an IPv6 one also takes IPv4 for "every address").
 * Returns it, or a negative errno. */
static int listen_on(const struct uvsd_http_addr *a)
{
	int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int on = 1, off = 0, e;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (a->sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, (const struct sockaddr *)&a->sa, a->len) < 0 || listen(fd, 64) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int uvsd_http_open(const char *addr, struct uvsd_metrics *m, struct uvsd_view *v,
		   struct uvsd_http **out, struct uvs_error *err)
{
	struct uvsd_http_addr a;
	struct uvsd_http *h;
	char why[128];
	int fd;

	*out = NULL;
	if (uvsd_http_parse_addr(addr, &a, why, sizeof(why)) < 0)
		return uvs_errorf(err, EINVAL, "%s: %s", addr, why);
	if ((fd = listen_on(&a)) < 0)
		return uvs_errorf(err, -fd, "%s: %s", addr, strerror(-fd));
	if (!(h = calloc(1, sizeof(*h)))) {
		close(fd);
		return uvs_errorf(err, ENOMEM, "out of memory");
	}
	h->fd = fd;
	h->metrics = m;
	h->view = v;
	/* Its own thread, sleeping in poll() until a connection has something to do. */
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					  MHD_USE_ERROR_LOG |
					  (a.sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, answer, h, MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)UVSD_HTTP_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)UVSD_HTTP_TIMEOUT_S,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	if (!h->mhd) {
		close(fd);
		free(h);
		return uvs_errorf(err, EIO, "%s: the HTTP server (libmicrohttpd) did not start",
				  addr);
	}
	*out = h;
	return 0;
}

void uvsd_http_close(struct uvsd_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd); /* joins its thread and closes the socket */
	free(h);
}
