// SPDX-License-Identifier: GPL-2.0-or-later
/* The client: requests out, replies checked and decoded into adm's structures. */
#include "client-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int ctl_client_timed_out(const struct uvs_ctl_client *c, struct uvs_error *err)
{
	return uvs_errorf(err, ETIMEDOUT, "uvsd did not answer within %u s", c->timeout_s);
}

/* A socket connected to path, waiting at most timeout_s (0: for ever) for the server
 * to accept and, later, for each send and receive; or a negative errno (-ETIMEDOUT). */
static int connect_to(const char *path, unsigned timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Set first: connect waits as long as a send (a server with a full backlog, one
	 * whose control thread is stuck, makes it wait) and then fails with EAGAIN. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int uvs_ctl_client_open(const char *path, unsigned timeout_s, struct uvs_ctl_client **out)
{
	struct uvs_ctl_client *c;
	int fd;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return -ENOMEM;
	}
	c->timeout_s =
		timeout_s < UVS_CTL_CLIENT_TIMEOUT_MAX ? timeout_s : UVS_CTL_CLIENT_TIMEOUT_MAX;
	fd = connect_to(path, c->timeout_s);
	if (fd < 0) {
		free(c->path);
		free(c);
		return fd;
	}
	c->fd = fd;
	*out = c;
	return 0;
}

void ctl_client_revive(struct uvs_ctl_client *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	int fd;

	/* Nothing was asked, so anything to read is the server's hang-up (and why). */
	if (poll(&p, 1, 0) <= 0)
		return;
	fd = connect_to(c->path, c->timeout_s);
	if (fd < 0)
		return; /* the request fails on the old connection and says why */
	close(c->fd);
	c->fd = fd;
}

void uvs_ctl_client_close(struct uvs_ctl_client *c)
{
	if (!c)
		return;
	close(c->fd);
	ctl_pipe_free(c->pipe);
	free(c->path);
	free(c);
}

struct uvs_ctl_msg *uvs_ctl_client_start(struct uvs_ctl_client *c, uint8_t cmd, bool dump)
{
	uint16_t flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);

	/* Answers to queued requests come first: take them (their callbacks report any
	 * failure), so that this request's answer is the next one read. */
	uvs_ctl_flush(c);
	ctl_client_revive(c);
	uvs_ctl_msg_start(&c->req, c->reqbuf.buf, sizeof(c->reqbuf.buf), flags, ++c->seq, cmd);
	return &c->req;
}

void ctl_error_text(const struct nlmsghdr *nlh, const struct nlmsgerr *e, struct uvs_error *err)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh), off = sizeof(*e);
	const char *payload = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	static const struct uvs_ctl_policy pol[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { UVS_CTL_STR, sizeof(err->msg), "MSG" },
		[NLMSGERR_ATTR_OFFS] = { UVS_CTL_U32, 0, "OFFS" },
	};

	if (!err)
		return;
	err->msg[0] = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off = sizeof(e->error) + NLMSG_ALIGN(e->msg.nlmsg_len);
	if (off > len ||
	    uvs_ctl_parse(payload + off, len - off, pol, NLMSGERR_ATTR_MAX, tb, "error", NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(err->msg, sizeof(err->msg), "%s", mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * One reply message. Returns 1 when the reply is complete (ack, error or DONE; *result
 * set), 0 to read on, or a negative errno for a protocol error.
 */
static int one_reply(struct uvs_ctl_client *c, const struct nlmsghdr *nlh, uvs_ctl_reply_fn fn,
		     void *arg, int *result, struct uvs_error *err)
{
	const struct nlattr *tb[UVS_CTL_TOP_MAX + 1];
	struct uvs_error scratch;
	uint8_t cmd;
	int ret;

	/* seq 0: an error about the connection itself (a refused peer). */
	if (nlh->nlmsg_seq != c->seq && !(nlh->nlmsg_seq == 0 && nlh->nlmsg_type == NLMSG_ERROR))
		return uvs_errorf(err, EPROTO, "reply for request %u, not %u", nlh->nlmsg_seq,
				  c->seq);
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return 0;
	case NLMSG_ERROR: {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e) || e->error > 0)
			return uvs_errorf(err, EPROTO, "malformed error reply");
		if (e->error) {
			ctl_error_text(nlh, e, err);
			*result = e->error;
		}
		return 1;
	}
	case NLMSG_DONE:
		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
			int e = *(const int *)mnl_nlmsg_get_payload(nlh);
			if (e < 0) {
				if (err)
					err->msg[0] = 0;
				*result = e;
			}
		}
		return 1;
	case UVS_CTL_FAMILY:
		if (uvs_ctl_parse_msg(nlh, &cmd, tb, &scratch))
			return uvs_errorf(err, EPROTO, "malformed reply: %s", scratch.msg);
		/* A failing callback keeps its first error; the rest is read and dropped. */
		if (fn && !*result) {
			ret = fn(arg, cmd, tb, err ? err : &scratch);
			if (ret)
				*result = ret;
		}
		return 0;
	default:
		return uvs_errorf(err, EPROTO, "unexpected reply message type %u", nlh->nlmsg_type);
	}
}

int uvs_ctl_client_run(struct uvs_ctl_client *c, uvs_ctl_reply_fn fn, void *arg,
		       struct uvs_error *err)
{
	struct nlmsghdr *req = c->req.nlh;
	int result = 0, done = 0;

	if (c->req.full)
		return uvs_errorf(err, EMSGSIZE, "request too long");
	/* A server that hung up may have said why first: read that rather than EPIPE. */
	bool hung_up = send(c->fd, req, req->nlmsg_len, MSG_NOSIGNAL) < 0;
	int send_errno = errno;

	if (hung_up && send_errno == EAGAIN)
		return ctl_client_timed_out(c, err);
	if (hung_up && send_errno != EPIPE && send_errno != ECONNRESET)
		return uvs_errorf(err, send_errno, "cannot send to uvsd: %s", strerror(send_errno));
	while (!done) {
		ssize_t n = recv(c->fd, c->in.buf, sizeof(c->in.buf),
				 MSG_TRUNC | (hung_up ? MSG_DONTWAIT : 0));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)c->in.buf;
		int len = (int)n;

		/* A reset is reported before what was queued: look once more. */
		if (n < 0 && errno == ECONNRESET && !hung_up) {
			hung_up = true;
			send_errno = ECONNRESET;
			continue;
		}
		if (n < 0 && hung_up)
			return uvs_errorf(err, send_errno, "cannot talk to uvsd: %s",
					  strerror(send_errno));
		if (n < 0 && errno == EAGAIN) /* SO_RCVTIMEO: silence for timeout_s */
			return ctl_client_timed_out(c, err);
		if (n < 0)
			return uvs_errorf(err, errno, "cannot read from uvsd: %s", strerror(errno));
		if (n == 0)
			return uvs_errorf(err, ECONNRESET, "uvsd closed the connection");
		if ((size_t)n > UVS_CTL_DGRAM_MAX)
			return uvs_errorf(err, EPROTO, "reply datagram too long");
		while (mnl_nlmsg_ok(nlh, len) && !done) {
			done = one_reply(c, nlh, fn, arg, &result, err);
			if (done < 0)
				return done;
			nlh = mnl_nlmsg_next(nlh, &len);
		}
		if (len > 0 && !done)
			return uvs_errorf(err, EPROTO, "malformed reply datagram");
	}
	return result;
}

/* Runs the request started in c expecting no reply message. */
static int run_plain(struct uvs_ctl_client *c, struct uvs_error *err)
{
	return uvs_ctl_client_run(c, NULL, NULL, err);
}

int ctl_put_exec(struct uvs_ctl_msg *w, void *buf, size_t room, uint32_t seq,
		 const struct uvs_ctl_req *cmd, struct uvs_error *err)
{
	static const uint8_t cmds[] = {
		[UVS_REQ_ADD_SVC] = IPVS_CMD_NEW_SERVICE,
		[UVS_REQ_EDIT_SVC] = IPVS_CMD_SET_SERVICE,
		[UVS_REQ_DEL_SVC] = IPVS_CMD_DEL_SERVICE,
		[UVS_REQ_CLEAR] = IPVS_CMD_FLUSH,
		[UVS_REQ_ADD_DEST] = IPVS_CMD_NEW_DEST,
		[UVS_REQ_EDIT_DEST] = IPVS_CMD_SET_DEST,
		[UVS_REQ_DEL_DEST] = IPVS_CMD_DEL_DEST,
		[UVS_REQ_SET_TIMEOUT] = IPVS_CMD_SET_CONFIG,
	};
	if ((unsigned)cmd->kind >= sizeof(cmds) || !cmds[cmd->kind])
		return uvs_errorf(err, EINVAL, "unknown command");
	uvs_ctl_msg_start(w, buf, room, NLM_F_REQUEST | NLM_F_ACK, seq, cmds[cmd->kind]);
	switch (cmd->kind) {
	case UVS_REQ_ADD_SVC:
	case UVS_REQ_EDIT_SVC:
		uvs_ctl_put_svc_conf(w, &cmd->svc);
		break;
	case UVS_REQ_DEL_SVC:
		uvs_ctl_put_svc_key(w, &cmd->svc.key);
		break;
	case UVS_REQ_ADD_DEST:
	case UVS_REQ_EDIT_DEST:
	case UVS_REQ_DEL_DEST:
		uvs_ctl_put_svc_key(w, &cmd->svc.key);
		uvs_ctl_put_dest(w, &cmd->dest, cmd->kind != UVS_REQ_DEL_DEST);
		break;
	case UVS_REQ_SET_TIMEOUT:
		uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_TCP, cmd->tcp);
		uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, cmd->tcpfin);
		uvs_ctl_put_u32(w, IPVS_CMD_ATTR_TIMEOUT_UDP, cmd->udp);
		break;
	case UVS_REQ_CLEAR:
		break;
	}
	return w->full ? uvs_errorf(err, EMSGSIZE, "request too long") : 0;
}

int uvs_ctl_exec(struct uvs_ctl_client *c, const struct uvs_ctl_req *cmd, struct uvs_error *err)
{
	int ret;

	uvs_ctl_flush(c); /* as uvs_ctl_client_start does */
	ctl_client_revive(c);
	ret = ctl_put_exec(&c->req, c->reqbuf.buf, sizeof(c->reqbuf.buf), ++c->seq, cmd, err);
	return ret ? ret : run_plain(c, err);
}

int uvs_ctl_zero(struct uvs_ctl_client *c, const struct uvs_svc_key *k, struct uvs_error *err)
{
	struct uvs_ctl_msg *w = uvs_ctl_client_start(c, IPVS_CMD_ZERO, false);

	if (k)
		uvs_ctl_put_svc_key(w, k);
	return run_plain(c, err);
}

struct u32s {
	uint32_t *v;
	unsigned first, n; /* attribute types first..first+n-1 */
	uint8_t cmd;
	bool seen;
};

/* A reply of command u->cmd whose n attributes from `first` are all present u32s. */
static int get_u32s(void *arg, uint8_t cmd, const struct nlattr *const *tb, struct uvs_error *err)
{
	struct u32s *u = arg;

	if (cmd != u->cmd || u->seen)
		return uvs_errorf(err, EPROTO, "unexpected reply command %u", cmd);
	for (unsigned i = 0; i < u->n; i++) {
		const struct nlattr *a = tb[u->first + i];
		if (!a || mnl_attr_get_payload_len(a) != 4)
			return uvs_errorf(err, EPROTO, "reply without attribute %u", u->first + i);
		u->v[i] = mnl_attr_get_u32(a);
	}
	u->seen = true;
	return 0;
}

static int run_u32s(struct uvs_ctl_client *c, struct u32s *u, struct uvs_error *err)
{
	int ret = uvs_ctl_client_run(c, get_u32s, u, err);

	if (!ret && !u->seen)
		return uvs_errorf(err, EPROTO, "no reply");
	return ret;
}

int uvs_ctl_get_info(struct uvs_ctl_client *c, uint32_t *version, uint32_t *conn_tab_size,
		     struct uvs_error *err)
{
	uint32_t v[2];
	struct u32s u = { v, IPVS_INFO_ATTR_VERSION, 2, IPVS_CMD_SET_INFO, false };
	int ret;

	uvs_ctl_client_start(c, IPVS_CMD_GET_INFO, false);
	if ((ret = run_u32s(c, &u, err)))
		return ret;
	*version = v[0];
	*conn_tab_size = v[1];
	return 0;
}

int uvs_ctl_get_timeouts(struct uvs_ctl_client *c, uint32_t t[3], struct uvs_error *err)
{
	struct u32s u = { t, IPVS_CMD_ATTR_TIMEOUT_TCP, 3, IPVS_CMD_SET_CONFIG, false };

	uvs_ctl_client_start(c, IPVS_CMD_GET_CONFIG, false);
	return run_u32s(c, &u, err);
}

/* Grows an array of n elements of size sz by one; returns the new element or NULL. */
static void *grow(void **arr, unsigned *n, size_t sz)
{
	void *p;

	if (*n >= (1u << 24))
		return NULL; /* no configuration is this large: a runaway reply */
	/* Doubling capacities: 1, 2, 4, ... */
	if ((*n & (*n - 1)) == 0) {
		p = realloc(*arr, (*n ? *n * 2 : 1) * sz);
		if (!p)
			return NULL;
		*arr = p;
	}
	p = (char *)*arr + *n * sz;
	memset(p, 0, sz);
	++*n;
	return p;
}

static int got_svc(void *arg, uint8_t cmd, const struct nlattr *const *tb, struct uvs_error *err)
{
	struct uvs_snap *s = arg;
	struct uvs_snap_svc *svc;
	struct uvs_error why;

	if (cmd != IPVS_CMD_NEW_SERVICE || !tb[IPVS_CMD_ATTR_SERVICE])
		return uvs_errorf(err, EPROTO, "unexpected reply to GET_SERVICE");
	svc = grow((void **)&s->svcs, &s->nsvcs, sizeof(*svc));
	if (!svc)
		return uvs_errorf(err, ENOMEM, "out of memory");
	if (uvs_ctl_get_svc_info(tb[IPVS_CMD_ATTR_SERVICE], svc, &why) < 0) {
		s->nsvcs--;
		return uvs_errorf(err, EPROTO, "malformed service: %s", why.msg);
	}
	return 0;
}

static int got_dest(void *arg, uint8_t cmd, const struct nlattr *const *tb, struct uvs_error *err)
{
	struct uvs_snap_svc *svc = arg;
	struct uvs_snap_dest *d;
	struct uvs_error why;

	if (cmd != IPVS_CMD_NEW_DEST || !tb[IPVS_CMD_ATTR_DEST])
		return uvs_errorf(err, EPROTO, "unexpected reply to GET_DEST");
	d = grow((void **)&svc->dests, &svc->ndests, sizeof(*d));
	if (!d)
		return uvs_errorf(err, ENOMEM, "out of memory");
	if (uvs_ctl_get_dest_info(tb[IPVS_CMD_ATTR_DEST], svc->conf.key.af, d, &why) < 0) {
		svc->ndests--;
		return uvs_errorf(err, EPROTO, "malformed destination: %s", why.msg);
	}
	return 0;
}

int uvs_ctl_get_snap(struct uvs_ctl_client *c, const struct uvs_svc_key *only, bool sorted,
		     struct uvs_snap *out, struct uvs_error *err)
{
	struct uvs_ctl_msg *w;
	unsigned kept = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	w = uvs_ctl_client_start(c, IPVS_CMD_GET_SERVICE, !only);
	if (only)
		uvs_ctl_put_svc_key(w, only);
	if ((ret = uvs_ctl_client_run(c, got_svc, out, err)))
		return ret;
	for (unsigned i = 0; i < out->nsvcs; i++) {
		struct uvs_snap_svc *svc = &out->svcs[i];
		w = uvs_ctl_client_start(c, IPVS_CMD_GET_DEST, true);
		uvs_ctl_put_svc_key(w, &svc->conf.key);
		ret = uvs_ctl_client_run(c, got_dest, svc, err);
		/* A service deleted since the first answer is left out. */
		if (ret == -ESRCH && !only) {
			free(svc->dests);
			continue;
		}
		if (ret) {
			/* Slots kept..i-1 were moved or dropped; i+1.. hold no dests. */
			free(svc->dests);
			out->nsvcs = kept;
			return ret;
		}
		out->svcs[kept++] = *svc;
	}
	out->nsvcs = kept;
	if (sorted)
		uvs_snap_sort(out);
	return 0;
}

int uvs_ctl_daemon(struct uvs_ctl_client *c, const struct uvs_ctl_daemon *d, bool start,
		   struct uvs_error *err)
{
	struct uvs_ctl_msg *w =
		uvs_ctl_client_start(c, start ? IPVS_CMD_NEW_DAEMON : IPVS_CMD_DEL_DAEMON, false);

	uvs_ctl_put_daemon(w, d);
	return run_plain(c, err);
}

struct daemons {
	struct uvs_ctl_daemon *d;
	size_t n;
};

static int got_daemon(void *arg, uint8_t cmd, const struct nlattr *const *tb, struct uvs_error *err)
{
	struct daemons *ds = arg;
	struct uvs_error why;

	if (cmd != IPVS_CMD_NEW_DAEMON || !tb[IPVS_CMD_ATTR_DAEMON] || ds->n >= 2)
		return uvs_errorf(err, EPROTO, "unexpected reply to GET_DAEMON");
	if (uvs_ctl_get_daemon(tb[IPVS_CMD_ATTR_DAEMON], true, &ds->d[ds->n], &why) < 0)
		return uvs_errorf(err, EPROTO, "malformed daemon: %s", why.msg);
	ds->n++;
	return 0;
}

int uvs_ctl_get_daemons(struct uvs_ctl_client *c, struct uvs_ctl_daemon out[2], size_t *n,
			struct uvs_error *err)
{
	struct daemons ds = { out, 0 };
	int ret;

	uvs_ctl_client_start(c, IPVS_CMD_GET_DAEMON, true);
	ret = uvs_ctl_client_run(c, got_daemon, &ds, err);
	*n = ds.n;
	return ret;
}

struct walk {
	int (*conn)(void *, const struct uvs_ctl_conn *);
	int (*counter)(void *, const struct uvs_ctl_counter *);
	void *arg;
};

static int got_conn(void *arg, uint8_t cmd, const struct nlattr *const *tb, struct uvs_error *err)
{
	struct walk *wk = arg;
	struct uvs_ctl_conn conn;
	struct uvs_error why;

	if (cmd != UVS_CMD_GET_CONN || !tb[UVS_CMD_ATTR_CONN])
		return uvs_errorf(err, EPROTO, "unexpected reply to GET_CONN");
	if (uvs_ctl_get_conn(tb[UVS_CMD_ATTR_CONN], &conn, &why) < 0)
		return uvs_errorf(err, EPROTO, "malformed connection: %s", why.msg);
	return wk->conn(wk->arg, &conn);
}

int uvs_ctl_get_conns(struct uvs_ctl_client *c, int (*fn)(void *arg, const struct uvs_ctl_conn *),
		      void *arg, struct uvs_error *err)
{
	struct walk wk = { .conn = fn, .arg = arg };

	uvs_ctl_client_start(c, UVS_CMD_GET_CONN, true);
	return uvs_ctl_client_run(c, got_conn, &wk, err);
}

static int got_counter(void *arg, uint8_t cmd, const struct nlattr *const *tb,
		       struct uvs_error *err)
{
	struct walk *wk = arg;
	struct uvs_ctl_counter ctr;
	struct uvs_error why;

	if (cmd != UVS_CMD_GET_COUNTERS || !tb[UVS_CMD_ATTR_COUNTER])
		return uvs_errorf(err, EPROTO, "unexpected reply to GET_COUNTERS");
	if (uvs_ctl_get_counter(tb[UVS_CMD_ATTR_COUNTER], &ctr, &why) < 0)
		return uvs_errorf(err, EPROTO, "malformed counter: %s", why.msg);
	return wk->counter(wk->arg, &ctr);
}

int uvs_ctl_get_counters(struct uvs_ctl_client *c,
			 int (*fn)(void *arg, const struct uvs_ctl_counter *), void *arg,
			 struct uvs_error *err)
{
	struct walk wk = { .counter = fn, .arg = arg };

	uvs_ctl_client_start(c, UVS_CMD_GET_COUNTERS, true);
	return uvs_ctl_client_run(c, got_counter, &wk, err);
}
