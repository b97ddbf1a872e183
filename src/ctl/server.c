// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The server's sockets: the listening socket, the clients and who they are
 * (SO_PEERCRED, SO_PEERGROUPS), reading requests and sending replies without blocking,
 * the client limit and closing idle clients; the audit's limit.
 */
#include "server-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

/* Work done for one client per uvs_ctl_server_handle() call, so that one busy client
 * (a long dump read fast, or a long pipelined restore) does not starve the others. */
#define READ_BUDGET  1024
#define FLUSH_BUDGET 32

/*
 * Room the answer to one request may take in c->out: any do-reply or error (the
 * longest, a service with its counters, is far shorter). Requests are read while this
 * much is free, so the answers to a client's pipelined requests go out packed, many
 * in a datagram; a client that waits for each answer still gets it at once.
 */
#define REPLY_ROOM 4096
_Static_assert(UVS_CTL_DGRAM_MAX >= 2 * REPLY_ROOM, "a datagram packs several answers");

#define MAX_CLIENTS_DEF 64
/* Idle clients are looked for this often (at most), so are closed at most this late. */
#define IDLE_CHECK_MAX_MS 1000

static int set_err(struct uvs_error *err, int errnum, const char *what, const char *path)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg), "%s %s: %s", what, path, strerror(errnum));
	return -errnum;
}

static void audit_budget_init(const struct uvs_ctl_server *s, struct ctl_audit_budget *b)
{
	*b = (struct ctl_audit_budget){ .tokens = s->cfg.audit_burst,
					.refill_ms = uvs_monotonic_ms() };
}

/* Whether budget b allows one more report now (taking a token for it). */
static bool audit_take(const struct uvs_ctl_server *s, struct ctl_audit_budget *b)
{
	unsigned burst = s->cfg.audit_burst, rate = s->cfg.audit_rate;
	uint64_t now = uvs_monotonic_ms();
	uint64_t earned = (now - b->refill_ms) * rate / 1000;

	if (earned >= burst - b->tokens) {
		b->tokens = burst;
		b->refill_ms = now;
	} else if (earned) {
		b->tokens += (unsigned)earned;
		/* Counted up to the last whole token earned: fractions are kept. */
		b->refill_ms += earned * 1000 / rate;
	}
	if (!b->tokens)
		return false;
	b->tokens--;
	return true;
}

/* Reports what the budget b held back, for peer (NULL: refused connections). */
static void audit_flush(struct uvs_ctl_server *s, const struct uvs_ctl_peer *peer,
			struct ctl_audit_budget *b)
{
	if (!b->skipped_ok && !b->skipped_refused)
		return;
	if (s->cfg.ops && s->cfg.ops->audit_skipped)
		s->cfg.ops->audit_skipped(s->cfg.ops_arg, peer, b->skipped_ok, b->skipped_refused);
	b->skipped_ok = b->skipped_refused = 0;
}

void ctl_audit(struct uvs_ctl_server *s, struct ctl_audit_budget *b, const struct uvs_ctl_audit *a)
{
	if (!s->cfg.ops || !s->cfg.ops->audit)
		return;
	if (!audit_take(s, b)) {
		if (a->error)
			b->skipped_refused++;
		else
			b->skipped_ok++;
		return;
	}
	/* What was held back first, in the order it happened; the refused connections'
	 * budget is no one peer's. */
	audit_flush(s, b == &s->refused_audit ? NULL : a->peer, b);
	s->cfg.ops->audit(s->cfg.ops_arg, a);
}

static void client_free(struct ctl_client *c)
{
	ctl_dump_free(c);
	free(c->out);
	free(c);
}

static struct ctl_client *client_new(const struct uvs_ctl_server *s, int fd)
{
	struct ctl_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->out = malloc(UVS_CTL_DGRAM_MAX);
	if (!c->out) {
		free(c);
		return NULL;
	}
	c->fd = fd;
	c->active_ms = uvs_monotonic_ms();
	audit_budget_init(s, &c->audit);
	return c;
}

/* Starts (on) or stops the idle check's timer. */
static void idle_timer(struct uvs_ctl_server *s, bool on)
{
	unsigned ms = s->cfg.idle_timeout_ms / 4;
	struct itimerspec t = { { 0, 0 }, { 0, 0 } };

	if (s->tfd < 0)
		return;
	if (on) {
		ms = ms < 1 ? 1 : ms > IDLE_CHECK_MAX_MS ? IDLE_CHECK_MAX_MS : ms;
		t.it_interval = (struct timespec){ ms / 1000, (long)(ms % 1000) * 1000000 };
		t.it_value = t.it_interval;
	}
	timerfd_settime(s->tfd, 0, &t, NULL);
}

static void client_close(struct uvs_ctl_server *s, struct ctl_client *c)
{
	for (struct ctl_client **p = &s->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	if (--s->nclients == 0)
		idle_timer(s, false);
	uvs_store_relaxed(&s->stats.clients, s->nclients); /* relaxed: a count */
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	audit_flush(s, &c->peer, &c->audit);
	client_free(c);
}

/* Sends c->out. Returns 0 (sent), -EAGAIN (try when writable) or another -errno. */
static int client_send(struct ctl_client *c)
{
	ssize_t n;

	if (c->fd < 0) {
		c->sink(c->sink_arg, c->out, c->out_len);
		c->out_len = 0;
		return 0;
	}
	n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	c->out_len = 0;
	c->active_ms = uvs_monotonic_ms();
	return 0;
}

/* Sends what is pending, continuing a dump, within budget. Returns 0 or -errno (drop
 * the client). */
static int client_flush(struct uvs_ctl_server *s, struct ctl_client *c, int budget)
{
	for (int i = 0; i < budget; i++) {
		int ret;
		if (!c->out_len && c->dump_cmd)
			ctl_fill_dump(s, c);
		if (!c->out_len)
			return 0;
		ret = client_send(c);
		if (ret == -EAGAIN)
			return 0;
		if (ret)
			return ret;
	}
	return 0;
}

static bool client_busy(const struct ctl_client *c)
{
	return c->out_len || c->dump_cmd;
}

/* Reads a busy client's socket only once its replies are out: it waits for POLLOUT
 * while busy and POLLIN while idle. */
static int client_rearm(struct uvs_ctl_server *s, struct ctl_client *c)
{
	bool out = client_busy(c);
	struct epoll_event ev = { .events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c };

	if (out == c->polling_out)
		return 0;
	c->polling_out = out;
	return epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0 ? -errno : 0;
}

/*
 * Answers what the client sent, up to READ_BUDGET requests: their answers are packed
 * into c->out and sent when it is nearly full and once nothing more is waiting. Stops
 * at a dump (continued by client_flush as the client reads) and while the client does
 * not take what was sent (c->out still full: the caller polls for POLLOUT).
 */
static int client_read(struct uvs_ctl_server *s, struct ctl_client *c)
{
	for (int i = 0; i < READ_BUDGET && !c->dump_cmd && !c->closing; i++) {
		ssize_t n;
		int ret;

		if (UVS_CTL_DGRAM_MAX - c->out_len < REPLY_ROOM) {
			ret = client_send(c);
			if (ret == -EAGAIN)
				return 0;
			if (ret)
				return ret;
		}
		/* MSG_TRUNC: the datagram's real length, so a longer one is noticed. */
		n = recv(c->fd, s->req.buf, sizeof(s->req.buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n == 0) {
			c->closing = true; /* what is answered already still goes out */
			break;
		}
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (n < 0)
			break;
		c->active_ms = uvs_monotonic_ms();
		/* A longer request is refused whole; only its header is looked at. */
		ctl_handle_request(s, c, s->req.buf,
				   (size_t)n < sizeof(s->req.buf) ? (size_t)n : sizeof(s->req.buf));
	}
	return client_flush(s, c, FLUSH_BUDGET);
}

static void client_event(struct uvs_ctl_server *s, struct ctl_client *c, uint32_t events)
{
	int ret = 0;

	if (events & EPOLLOUT)
		ret = client_flush(s, c, FLUSH_BUDGET);
	if (!ret && (events & EPOLLIN))
		ret = client_read(s, c);
	if (!ret && c->closing && !client_busy(c))
		ret = -ECONNRESET;
	if (!ret && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
		ret = -ECONNRESET;
	if (!ret)
		ret = client_rearm(s, c);
	if (ret)
		client_close(s, c);
}

/* The name of process pid's program into comm (16 bytes), "" if unknown. */
static void read_comm(pid_t pid, char *comm)
{
	char path[32];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		n = read(fd, comm, 15);
		close(fd);
	}
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

/* Root, or a member (primary or supplementary group) of the configured group. Fills
 * *peer with who it is (uid and pid -1 if the kernel did not say). */
static bool peer_allowed(const struct uvs_ctl_server *s, int fd, struct uvs_ctl_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[256], *g = groups;
	bool ok = false;

	*peer = (struct uvs_ctl_peer){ .uid = (uid_t)-1, .pid = -1 };
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	peer->uid = cred.uid;
	peer->pid = cred.pid;
	read_comm(cred.pid, peer->comm);
	if (cred.uid == 0)
		return true;
	if (s->cfg.group == (gid_t)-1)
		return false;
	if (cred.gid == s->cfg.group)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0) {
		if (errno != ERANGE || !(g = malloc(len)) ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) < 0)
			len = 0;
	}
	for (size_t i = 0; i < len / sizeof(gid_t) && !ok; i++)
		ok = g[i] == s->cfg.group;
	if (g != groups)
		free(g);
	return ok;
}

/* Tells a peer why it is refused or disconnected: an NLMSG_ERROR with seq 0, as it is
 * about the connection, not a request (-errnum, and msg as NLMSGERR_ATTR_MSG). Does not
 * wait: a peer that does not read goes without. */
static void tell_peer(int fd, int errnum, const char *msg)
{
	union {
		char buf[256];
		uint64_t align_;
	} m;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m.buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	memset(e, 0, sizeof(*e));
	e->error = -errnum;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	send(fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Closes the new connection fd after saying why, so that refused peers never hold a
 * client slot. */
static void refuse_peer(int fd, int errnum, const char *msg)
{
	tell_peer(fd, errnum, msg);
	close(fd);
}

/* How long the idle timeout is, for messages: "60 s", or "250 ms" if not whole seconds. */
static void timeout_text(unsigned ms, char *buf, size_t len)
{
	if (ms % 1000)
		snprintf(buf, len, "%u ms", ms);
	else
		snprintf(buf, len, "%u s", ms / 1000);
}

/*
 * Closes the clients idle for idle_timeout_ms or longer, telling them why. A client
 * whose socket has a request waiting (or room for its pending replies) is not idle:
 * its own event comes, whatever delayed it.
 */
static void close_idle(struct uvs_ctl_server *s)
{
	uint64_t now = uvs_monotonic_ms(), expired;
	struct ctl_client *c, *next;
	char msg[128], t[32];

	if (read(s->tfd, &expired, sizeof(expired)) < 0 && errno != EAGAIN)
		return;
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (now - c->active_ms < s->cfg.idle_timeout_ms)
			continue;
		struct pollfd p = { c->fd, (short)(client_busy(c) ? POLLOUT : POLLIN), 0 };
		if (poll(&p, 1, 0) > 0 && (p.revents & p.events))
			continue;
		timeout_text(s->cfg.idle_timeout_ms, t, sizeof(t));
		snprintf(msg, sizeof(msg),
			 "uvsd closed the connection: idle for %s (--client-timeout)", t);
		tell_peer(c->fd, ETIMEDOUT, msg);
		client_close(s, c);
	}
}

static void accept_clients(struct uvs_ctl_server *s)
{
	unsigned max = s->cfg.max_clients ? s->cfg.max_clients : MAX_CLIENTS_DEF;
	char msg[128];

	for (int i = 0; i < 16; i++) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct ctl_client *c;
		struct uvs_ctl_peer peer;

		if (fd < 0)
			return; /* EAGAIN, or a client that left already */
		if (!peer_allowed(s, fd, &peer)) {
			snprintf(msg, sizeof(msg),
				 "Permission denied: uid %u is neither root nor in uvsd's group",
				 (unsigned)peer.uid);
			refuse_peer(fd, EPERM, msg);
			ctl_count(&s->stats.clients_refused);
			ctl_audit(s, &s->refused_audit,
				  &(struct uvs_ctl_audit){ .peer = &peer,
							   .cmd_name = "connect",
							   .error = EPERM,
							   .msg = msg });
			continue;
		}
		if (s->nclients >= max) {
			snprintf(msg, sizeof(msg),
				 "uvsd refused the connection: %u clients connected, the most "
				 "it takes (--max-clients)",
				 s->nclients);
			refuse_peer(fd, EUSERS, msg);
			ctl_count(&s->stats.clients_refused);
			continue;
		}
		if (!(c = client_new(s, fd))) {
			refuse_peer(fd, ENOMEM, "uvsd refused the connection: out of memory");
			continue;
		}
		c->peer = peer;
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			client_free(c);
			continue;
		}
		c->next = s->clients;
		s->clients = c;
		if (s->nclients++ == 0)
			idle_timer(s, true);
		uvs_store_relaxed(&s->stats.clients, s->nclients); /* relaxed: a count */
	}
}

void uvs_ctl_server_stats(const struct uvs_ctl_server *s, struct uvs_ctl_stats *out)
{
	const uint64_t *from = (const uint64_t *)&s->stats;
	uint64_t *to = (uint64_t *)out;

	/* Relaxed: counts, each read on its own. */
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		to[i] = uvs_load_relaxed(&from[i]);
}

/* Removes a socket file left by a uvsd that is gone; a live one is EADDRINUSE. */
static int clear_stale(const char *path, const struct sockaddr_un *sa, struct uvs_error *err)
{
	struct stat st;
	int fd, ret;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : set_err(err, errno, "cannot inspect", path);
	if (!S_ISSOCK(st.st_mode))
		return set_err(err, EEXIST, "not a socket:", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return set_err(err, errno, "socket for", path);
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (ret == 0)
		return set_err(err, EADDRINUSE, "a uvsd already listens on", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return set_err(err, errno, "cannot remove stale", path);
	return 0;
}

static int listen_on(struct uvs_ctl_server *s, struct uvs_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	const char *path = s->path;
	int ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return set_err(err, ENAMETOOLONG, "socket path too long:", path);
	strcpy(sa.sun_path, path);
	if ((ret = clear_stale(path, &sa, err)))
		return ret;
	s->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return set_err(err, errno, "socket for", path);
	if (bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return set_err(err, errno, "cannot bind", path);
	/* Nobody can connect before listen(), so the mode is right from the start. */
	if (chmod(path, 0660) < 0 ||
	    (s->cfg.group != (gid_t)-1 && chown(path, (uid_t)-1, s->cfg.group) < 0))
		ret = set_err(err, errno, "cannot set the mode or group of", path);
	else if (listen(s->lfd, 16) < 0)
		ret = set_err(err, errno, "cannot listen on", path);
	else if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev) < 0)
		ret = set_err(err, errno, "epoll for", path);
	if (ret)
		unlink(path);
	return ret;
}

/* The idle check's timer, in the epoll set (data.ptr &s->tfd), not armed yet. */
static int idle_timer_open(struct uvs_ctl_server *s, struct uvs_error *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &s->tfd };

	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->tfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->tfd, &ev) < 0)
		return set_err(err, errno, "idle timer for", s->path);
	return 0;
}

int uvs_ctl_server_open(struct uvs_ctl_server **out, const struct uvs_ctl_config *c,
			struct uvs_error *err)
{
	struct uvs_ctl_server *s = calloc(1, sizeof(*s));
	int ret = 0;

	*out = NULL;
	if (!s || (c->path && !(s->path = strdup(c->path)))) {
		free(s);
		return set_err(err, ENOMEM, "control socket", c->path ? c->path : "");
	}
	s->cfg = *c;
	s->cfg.path = s->path;
	if (!s->cfg.audit_burst)
		s->cfg.audit_burst = UVS_CTL_AUDIT_BURST;
	if (!s->cfg.audit_rate)
		s->cfg.audit_rate = UVS_CTL_AUDIT_RATE;
	s->lfd = -1;
	s->epfd = -1;
	s->tfd = -1;
	audit_budget_init(s, &s->refused_audit);
	uvs_timeouts_default(&s->timeouts);
	if (s->path) {
		s->epfd = epoll_create1(EPOLL_CLOEXEC);
		ret = s->epfd < 0 ? set_err(err, errno, "epoll for", s->path) : listen_on(s, err);
	}
	if (!ret && s->path && c->idle_timeout_ms && (ret = idle_timer_open(s, err)))
		unlink(s->path); /* bound by listen_on */
	if (ret) {
		if (s->tfd >= 0)
			close(s->tfd);
		if (s->lfd >= 0)
			close(s->lfd);
		if (s->epfd >= 0)
			close(s->epfd);
		free(s->path);
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

int uvs_ctl_server_fd(const struct uvs_ctl_server *s)
{
	return s->epfd;
}

int uvs_ctl_server_handle(struct uvs_ctl_server *s)
{
	struct epoll_event ev[16];
	bool check_idle = false;
	int n;

	if (s->epfd < 0)
		return 0;
	n = epoll_wait(s->epfd, ev, 16, 0);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		if (!ev[i].data.ptr) {
			if (ev[i].events & (EPOLLERR | EPOLLHUP))
				return -EIO;
			accept_clients(s);
		} else if (ev[i].data.ptr == &s->tfd) {
			check_idle = true;
		} else {
			client_event(s, ev[i].data.ptr, ev[i].events);
		}
	}
	/* After the clients' events: what they did counts as activity. */
	if (check_idle)
		close_idle(s);
	return 0;
}

void uvs_ctl_server_audit_flush(struct uvs_ctl_server *s)
{
	for (struct ctl_client *c = s->clients; c; c = c->next)
		audit_flush(s, &c->peer, &c->audit);
	audit_flush(s, NULL, &s->refused_audit);
}

void uvs_ctl_server_close(struct uvs_ctl_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_close(s, s->clients);
	audit_flush(s, NULL, &s->refused_audit);
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink(s->path);
	}
	if (s->tfd >= 0)
		close(s->tfd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->path);
	free(s);
}

void uvs_ctl_server_feed(struct uvs_ctl_server *s, const void *req, size_t len,
			 uvs_ctl_sink_fn sink, void *arg)
{
	struct ctl_client *c = client_new(s, -1);

	if (!c)
		return;
	c->sink = sink;
	c->sink_arg = arg;
	c->peer = (struct uvs_ctl_peer){ .uid = getuid(), .pid = getpid() };
	/* Copied: the request is read from an aligned buffer, as from a socket. */
	if (len > sizeof(s->req.buf))
		len = sizeof(s->req.buf);
	memcpy(s->req.buf, req, len);
	ctl_handle_request(s, c, s->req.buf, len);
	while (client_busy(c))
		client_flush(s, c, 1);
	audit_flush(s, &c->peer, &c->audit);
	client_free(c);
}
