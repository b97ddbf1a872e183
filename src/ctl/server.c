// SPDX-License-Identifier: GPL-2.0-or-later
#include "server.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "adm/snap.h"
#include "msg.h"
#include "uvs/ctl.h"

struct reply {
	uvs_ctl_send_fn send;
	void *arg;
	const struct nlmsghdr *req;
	int send_err;
	char buf[UVS_CTL_MSG_MAX];
};

static void out(struct reply *r, const struct nlmsghdr *nlh)
{
	int ret;

	if (r->send_err)
		return;
	ret = r->send(r->arg, nlh);
	if (ret < 0)
		r->send_err = ret;
}

/* An NLMSG_ERROR for the request: errnum 0 is an ack; otherwise msg says why. */
static void reply_error(struct reply *r, int errnum, const char *msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = r->req ? r->req->nlmsg_seq : 0;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -errnum;
	if (r->req)
		e->msg = *r->req;
	if (errnum && msg && msg[0]) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	out(r, nlh);
}

static void reply_done(struct reply *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	int zero = 0;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = r->req->nlmsg_seq;
	mnl_nlmsg_put_extra_header(nlh, sizeof(zero));
	out(r, nlh);
}

static struct nlmsghdr *reply_start(struct reply *r, uint8_t cmd, bool multi)
{
	return uvs_ctl_msg_start(r->buf, multi ? NLM_F_MULTI : 0, r->req->nlmsg_seq, cmd);
}

/* GET_SERVICE (one, or a dump of all) and GET_DEST (a dump of one service's). */
static int get_services(struct uvs_ctl *ctl, const struct uvs_ctl_req *q, struct reply *r,
			struct uvs_error *err)
{
	struct uvs_adm_snap snap;
	bool one = !q->dump || q->cmd == IPVS_CMD_GET_DEST;
	int ret;

	if (one && !q->has_svc) {
		snprintf(err->msg, sizeof(err->msg), "which service?");
		return -EINVAL;
	}
	ret = uvs_adm_snap_take(ctl->model, one ? &q->svc.key : NULL, false, &snap);
	if (ret)
		return ret;
	if (one && snap.nsvcs == 0) {
		uvs_adm_snap_free(&snap);
		snprintf(err->msg, sizeof(err->msg), "No such service");
		return -ESRCH;
	}
	for (unsigned i = 0; i < snap.nsvcs; i++) {
		const struct uvs_adm_svc_info *s = &snap.svcs[i];
		if (q->cmd == IPVS_CMD_GET_SERVICE) {
			struct nlmsghdr *nlh = reply_start(r, IPVS_CMD_NEW_SERVICE, q->dump);
			uvs_ctl_put_svc_info(nlh, s);
			out(r, nlh);
			continue;
		}
		for (unsigned j = 0; j < s->ndests; j++) {
			struct nlmsghdr *nlh = reply_start(r, IPVS_CMD_NEW_DEST, true);
			uvs_ctl_put_dest_info(nlh, &s->dests[j]);
			out(r, nlh);
		}
	}
	uvs_adm_snap_free(&snap);
	if (q->dump)
		reply_done(r);
	return 0;
}

static int need(bool ok, const char *what, struct uvs_error *err)
{
	if (ok)
		return 0;
	snprintf(err->msg, sizeof(err->msg), "the request lacks %s", what);
	return -EINVAL;
}

/* Runs one decoded request. Returns 0 (replies sent, if any) or a negative errno
 * with err set. */
static int run(struct uvs_ctl *ctl, const struct uvs_ctl_req *q, struct reply *r,
	       struct uvs_error *err)
{
	struct uvs_model *m = ctl->model;
	struct uvs_svc_conf svc = q->svc;
	struct nlmsghdr *nlh;
	int ret;

	switch (q->cmd) {
	case IPVS_CMD_NEW_SERVICE:
	case IPVS_CMD_SET_SERVICE:
		if ((ret = need(q->svc_full, "a whole service", err)))
			return ret;
		if (q->cmd == IPVS_CMD_NEW_SERVICE)
			return uvs_svc_add(m, &svc, err);
		/* Flag bits outside the mask keep their value, as in the kernel. */
		if (q->svc_flags_mask != ~0u) {
			struct uvs_adm_snap snap;
			if ((ret = uvs_adm_snap_take(m, &svc.key, false, &snap)))
				return ret;
			if (snap.nsvcs)
				svc.flags |= snap.svcs[0].conf.flags & ~q->svc_flags_mask;
			uvs_adm_snap_free(&snap);
		}
		return uvs_svc_edit(m, &svc, err);
	case IPVS_CMD_DEL_SERVICE:
		if ((ret = need(q->has_svc, "a service", err)))
			return ret;
		return uvs_svc_del(m, &svc.key, err);
	case IPVS_CMD_NEW_DEST:
	case IPVS_CMD_SET_DEST:
		if ((ret = need(q->has_svc && q->dest_full, "a service and a whole destination",
				err)))
			return ret;
		if (q->cmd == IPVS_CMD_NEW_DEST)
			return uvs_dest_add(m, &svc.key, &q->dest, err);
		return uvs_dest_edit(m, &svc.key, &q->dest, err);
	case IPVS_CMD_DEL_DEST:
		if ((ret = need(q->has_svc && q->has_dest, "a service and a destination", err)))
			return ret;
		return uvs_dest_del(m, &svc.key, q->dest.af, &q->dest.addr, q->dest.port, err);
	case IPVS_CMD_GET_SERVICE:
	case IPVS_CMD_GET_DEST:
		return get_services(ctl, q, r, err);
	case IPVS_CMD_FLUSH:
		uvs_svc_flush(m);
		return 0;
	case IPVS_CMD_ZERO:
		return uvs_model_zero(m, q->has_svc ? &svc.key : NULL, err);
	case IPVS_CMD_SET_CONFIG:
		if ((ret = need(q->has_timeouts, "a timeout", err)))
			return ret;
		uvs_timeouts_set(ctl->timeouts, q->tcp, q->tcpfin, q->udp);
		return 0;
	case IPVS_CMD_GET_CONFIG:
		nlh = reply_start(r, IPVS_CMD_SET_CONFIG, false);
		mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP,
				 ctl->timeouts->tcp[UVS_TCP_S_ESTABLISHED]);
		mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
				 ctl->timeouts->tcp[UVS_TCP_S_FIN_WAIT]);
		mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_UDP, ctl->timeouts->udp);
		out(r, nlh);
		return 0;
	case IPVS_CMD_GET_INFO:
		nlh = reply_start(r, IPVS_CMD_SET_INFO, false);
		mnl_attr_put_u32(nlh, IPVS_INFO_ATTR_VERSION, UVS_IPVS_VERSION);
		mnl_attr_put_u32(nlh, IPVS_INFO_ATTR_CONN_TAB_SIZE, ctl->conn_tab_size);
		out(r, nlh);
		return 0;
	case IPVS_CMD_GET_DAEMON:
		if (q->dump) {
			reply_done(r); /* no sync daemon runs */
			return 0;
		}
		/* fallthrough */
	default:
		snprintf(err->msg, sizeof(err->msg), "command %u is not implemented by uvsd",
			 q->cmd);
		return -EOPNOTSUPP;
	}
}

/* mnl_nlmsg_ok() compares the length as an int, so a length of 2^31 or more would
 * pass it: hostile input gets this check instead. */
static bool msg_ok(const struct nlmsghdr *nlh, int remaining)
{
	return remaining >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)remaining;
}

int uvs_ctl_handle(struct uvs_ctl *ctl, const void *buf, size_t len, uvs_ctl_send_fn send,
		   void *arg)
{
	struct reply *r = calloc(1, sizeof(*r));
	const struct nlmsghdr *nlh = buf;
	int remaining = len > UVS_CTL_MSG_MAX ? 0 : (int)len;
	int ret;

	if (!r)
		return -ENOMEM;
	r->send = send;
	r->arg = arg;
	if (!msg_ok(nlh, remaining)) {
		reply_error(r, EINVAL, "malformed netlink message");
		goto done;
	}
	for (; msg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		struct uvs_ctl_req q;
		struct uvs_error err = { "" };

		r->req = nlh;
		ret = uvs_ctl_req_decode(nlh, &q, &err);
		if (!ret)
			ret = run(ctl, &q, r, &err);
		/* As the kernel's netlink: an error always answers; NLM_F_ACK asks for an
		 * ack after any reply, except to a dump, which ends with NLMSG_DONE. */
		if (ret < 0)
			reply_error(r, -ret, err.msg);
		else if ((nlh->nlmsg_flags & NLM_F_ACK) && !q.dump)
			reply_error(r, 0, NULL);
	}
	if (remaining > 0) {
		r->req = NULL;
		reply_error(r, EINVAL, "trailing bytes after the last netlink message");
	}
done:
	ret = r->send_err;
	free(r);
	return ret;
}

/* ---- the socket ---- */

int uvs_ctl_listen(const char *path, gid_t group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* a socket left by an earlier uvsd */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0 ||
	    (group && chown(path, 0, group) < 0) || listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Whether the peer may use the socket: root, or a member (primary or supplementary)
 * of ctl->group. */
static bool allowed(const struct uvs_ctl *ctl, const struct ucred *cred)
{
	const struct passwd *pw;
	const struct group *g;

	if (cred->uid == 0)
		return true;
	if (!ctl->group)
		return false;
	if (cred->gid == ctl->group)
		return true;
	pw = getpwuid(cred->uid);
	g = getgrgid(ctl->group);
	if (!pw || !g)
		return false;
	for (char **mem = g->gr_mem; *mem; mem++)
		if (!strcmp(*mem, pw->pw_name))
			return true;
	return false;
}

static int send_datagram(void *arg, const struct nlmsghdr *nlh);

int uvs_ctl_accept(struct uvs_ctl *ctl, int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || !allowed(ctl, &cred)) {
		struct reply *r = calloc(1, sizeof(*r));
		if (r) {
			r->send = send_datagram;
			r->arg = &fd;
			reply_error(r, EPERM,
				    ctl->group ? "uvsd's control socket is for root and its group"
					       : "uvsd's control socket is for root");
			free(r);
		}
		/* Unread requests would turn the close into a reset the client sees
		 * before the reason. */
		char drop[64];
		while (recv(fd, drop, sizeof(drop), MSG_DONTWAIT) > 0)
			;
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int send_datagram(void *arg, const struct nlmsghdr *nlh)
{
	int fd = *(int *)arg;

	if (send(fd, nlh, nlh->nlmsg_len, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int uvs_ctl_serve(struct uvs_ctl *ctl, int fd)
{
	char *buf = malloc(UVS_CTL_MSG_MAX);
	ssize_t n;
	int ret;

	if (!buf)
		return -ENOMEM;
	n = recv(fd, buf, UVS_CTL_MSG_MAX, MSG_TRUNC);
	if (n <= 0) {
		free(buf);
		return n == 0 ? -ECONNRESET : -errno;
	}
	if (n > UVS_CTL_MSG_MAX) {
		/* Longer than any request uvs sends: refuse it whole. */
		n = 0;
	}
	ret = uvs_ctl_handle(ctl, buf, (size_t)n, send_datagram, &fd);
	free(buf);
	return ret;
}
