// SPDX-License-Identifier: GPL-2.0-or-later
#include "client.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "msg.h"
#include "uvs/ctl.h"

int uvs_ctl_connect(struct uvs_ctl_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!path)
		path = getenv(UVS_CTL_PATH_ENV);
	if (!path || !path[0])
		path = UVS_CTL_PATH;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c->seq = 0;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(c->fd);
		c->fd = -1;
		return -e;
	}
	return 0;
}

void uvs_ctl_client_from_fd(struct uvs_ctl_client *c, int fd)
{
	c->fd = fd;
	c->seq = 0;
}

void uvs_ctl_close(struct uvs_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

typedef int (*data_fn)(const struct nlmsghdr *nlh, void *arg);

/* The text of an NLMSG_ERROR's NLMSGERR_ATTR_MSG, if it has one. */
static void error_text(const struct nlmsghdr *nlh, struct uvs_error *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (!err)
		return;
	snprintf(err->msg, sizeof(err->msg), "%s", strerror(-e->error));
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* With NLM_F_CAPPED only the request's header is quoted. */
	size_t off = sizeof(*e);
	mnl_attr_for_each(a, nlh, off)
	{
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(err->msg, sizeof(err->msg), "%s", mnl_attr_get_str(a));
	}
}

/*
 * Sends the request in nlh and reads replies until its answer is complete: an
 * NLMSG_ERROR (the result), or NLMSG_DONE after a dump, or one data message for a
 * plain get. Each data message goes to fn. Returns 0 or a negative errno.
 */
static int request(struct uvs_ctl_client *c, struct nlmsghdr *nlh, data_fn fn, void *arg,
		   struct uvs_error *err)
{
	char *buf = malloc(UVS_CTL_MSG_MAX);
	bool dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	nlh->nlmsg_seq = ++c->seq;
	/* If uvsd turned this client away, the reason waits in the socket even though
	 * the send fails: read it rather than report the broken pipe. */
	int send_err = send(c->fd, nlh, nlh->nlmsg_len, MSG_NOSIGNAL) < 0 ? -errno : 0;
	for (;;) {
		ssize_t n = recv(c->fd, buf, UVS_CTL_MSG_MAX, send_err ? MSG_DONTWAIT : 0);
		/* A reset is reported once, before what was queued ahead of it. */
		if (n < 0 && errno == ECONNRESET && !send_err) {
			send_err = -ECONNRESET;
			n = recv(c->fd, buf, UVS_CTL_MSG_MAX, MSG_DONTWAIT);
		}
		if (n <= 0 && send_err) {
			ret = send_err;
			goto out;
		}
		if (n <= 0) {
			ret = n == 0 ? -ECONNRESET : -errno;
			goto out;
		}
		int left = (int)n;
		for (const struct nlmsghdr *r = (void *)buf;
		     left >= (int)sizeof(*r) && r->nlmsg_len >= sizeof(*r) &&
		     r->nlmsg_len <= (unsigned)left;
		     r = mnl_nlmsg_next(r, &left)) {
			if (r->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);
				if (r->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
					ret = -EPROTO;
					goto out;
				}
				ret = e->error;
				if (ret)
					error_text(r, err);
				goto out;
			}
			if (r->nlmsg_seq != c->seq)
				continue; /* not ours (an answer to an abandoned request) */
			if (r->nlmsg_type == NLMSG_DONE)
				goto out;
			if (fn && (ret = fn(r, arg)) < 0)
				goto out;
			if (!dump && !(nlh->nlmsg_flags & NLM_F_ACK))
				goto out;
		}
	}
out:
	free(buf);
	return ret;
}

int uvs_ctl_exec(struct uvs_ctl_client *c, const struct uvs_adm_cmd *cmd, struct uvs_error *err)
{
	char buf[UVS_CTL_MSG_MAX];
	struct nlmsghdr *nlh;
	static const uint8_t cmds[] = {
		[UVS_ADM_ADD_SVC] = IPVS_CMD_NEW_SERVICE,
		[UVS_ADM_EDIT_SVC] = IPVS_CMD_SET_SERVICE,
		[UVS_ADM_DEL_SVC] = IPVS_CMD_DEL_SERVICE,
		[UVS_ADM_CLEAR] = IPVS_CMD_FLUSH,
		[UVS_ADM_ADD_DEST] = IPVS_CMD_NEW_DEST,
		[UVS_ADM_EDIT_DEST] = IPVS_CMD_SET_DEST,
		[UVS_ADM_DEL_DEST] = IPVS_CMD_DEL_DEST,
		[UVS_ADM_SET_TIMEOUT] = IPVS_CMD_SET_CONFIG,
	};

	nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, cmds[cmd->kind]);
	switch (cmd->kind) {
	case UVS_ADM_ADD_SVC:
	case UVS_ADM_EDIT_SVC:
		uvs_ctl_put_svc(nlh, &cmd->svc, true);
		break;
	case UVS_ADM_DEL_SVC:
		uvs_ctl_put_svc(nlh, &cmd->svc, false);
		break;
	case UVS_ADM_ADD_DEST:
	case UVS_ADM_EDIT_DEST:
	case UVS_ADM_DEL_DEST:
		uvs_ctl_put_svc(nlh, &cmd->svc, false);
		uvs_ctl_put_dest(nlh, &cmd->dest, cmd->kind != UVS_ADM_DEL_DEST);
		break;
	case UVS_ADM_SET_TIMEOUT:
		mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, cmd->tcp);
		mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, cmd->tcpfin);
		mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_UDP, cmd->udp);
		break;
	case UVS_ADM_CLEAR:
		break;
	}
	return request(c, nlh, NULL, NULL, err);
}

int uvs_ctl_zero(struct uvs_ctl_client *c, const struct uvs_svc_key *k, struct uvs_error *err)
{
	char buf[UVS_CTL_MSG_MAX];
	struct nlmsghdr *nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_ACK, 0, IPVS_CMD_ZERO);

	if (k) {
		struct uvs_svc_conf conf = { .key = *k };
		uvs_ctl_put_svc(nlh, &conf, false);
	}
	return request(c, nlh, NULL, NULL, err);
}

/* The nest of type in a reply's top-level attributes, or NULL. */
static const struct nlattr *top_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
	{
		if (mnl_attr_get_type(a) == type)
			return a;
	}
	return NULL;
}

static int add_svc(const struct nlmsghdr *nlh, void *arg)
{
	struct uvs_adm_snap *s = arg;
	const struct nlattr *nest = top_attr(nlh, IPVS_CMD_ATTR_SERVICE);
	struct uvs_adm_svc_info *grown;

	if (!nest)
		return -EPROTO;
	grown = realloc(s->svcs, (s->nsvcs + 1) * sizeof(*s->svcs));
	if (!grown)
		return -ENOMEM;
	s->svcs = grown;
	if (uvs_ctl_get_svc_info(nest, &s->svcs[s->nsvcs]) < 0)
		return -EPROTO;
	s->nsvcs++;
	return 0;
}

static int add_dest(const struct nlmsghdr *nlh, void *arg)
{
	struct uvs_adm_svc_info *s = arg;
	const struct nlattr *nest = top_attr(nlh, IPVS_CMD_ATTR_DEST);
	struct uvs_adm_dest_info *grown;

	if (!nest)
		return -EPROTO;
	grown = realloc(s->dests, (s->ndests + 1) * sizeof(*s->dests));
	if (!grown)
		return -ENOMEM;
	s->dests = grown;
	if (uvs_ctl_get_dest_info(nest, s->conf.key.af, &s->dests[s->ndests]) < 0)
		return -EPROTO;
	s->ndests++;
	return 0;
}

int uvs_ctl_get_snap(struct uvs_ctl_client *c, const struct uvs_svc_key *only,
		     struct uvs_adm_snap *out, struct uvs_error *err)
{
	char buf[UVS_CTL_MSG_MAX];
	struct nlmsghdr *nlh;
	int ret;

	memset(out, 0, sizeof(*out));
	if (only) {
		struct uvs_svc_conf conf = { .key = *only };
		nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST, 0, IPVS_CMD_GET_SERVICE);
		uvs_ctl_put_svc(nlh, &conf, false);
	} else {
		nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_DUMP, 0, IPVS_CMD_GET_SERVICE);
	}
	ret = request(c, nlh, add_svc, out, err);
	for (unsigned i = 0; !ret && i < out->nsvcs; i++) {
		struct uvs_svc_conf key_only = { .key = out->svcs[i].conf.key };
		nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST | NLM_F_DUMP, 0, IPVS_CMD_GET_DEST);
		uvs_ctl_put_svc(nlh, &key_only, false);
		ret = request(c, nlh, add_dest, &out->svcs[i], err);
	}
	if (ret)
		uvs_adm_snap_free(out);
	return ret;
}

struct config_reply {
	uint32_t v[3];
	const uint16_t *types;
};

static int read_u32s(const struct nlmsghdr *nlh, void *arg)
{
	struct config_reply *r = arg;

	for (int i = 0; i < 3 && r->types[i]; i++) {
		const struct nlattr *a = top_attr(nlh, r->types[i]);
		if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -EPROTO;
		r->v[i] = mnl_attr_get_u32(a);
	}
	return 0;
}

int uvs_ctl_get_timeouts(struct uvs_ctl_client *c, uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp,
			 struct uvs_error *err)
{
	static const uint16_t types[] = { IPVS_CMD_ATTR_TIMEOUT_TCP, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN,
					  IPVS_CMD_ATTR_TIMEOUT_UDP };
	char buf[UVS_CTL_MSG_MAX];
	struct config_reply r = { .types = types };
	struct nlmsghdr *nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST, 0, IPVS_CMD_GET_CONFIG);
	int ret = request(c, nlh, read_u32s, &r, err);

	*tcp = r.v[0], *tcpfin = r.v[1], *udp = r.v[2];
	return ret;
}

int uvs_ctl_get_info(struct uvs_ctl_client *c, uint32_t *version, uint32_t *conn_tab_size,
		     struct uvs_error *err)
{
	static const uint16_t types[] = { IPVS_INFO_ATTR_VERSION, IPVS_INFO_ATTR_CONN_TAB_SIZE, 0 };
	char buf[UVS_CTL_MSG_MAX];
	struct config_reply r = { .types = types };
	struct nlmsghdr *nlh = uvs_ctl_msg_start(buf, NLM_F_REQUEST, 0, IPVS_CMD_GET_INFO);
	int ret = request(c, nlh, read_u32s, &r, err);

	*version = r.v[0], *conn_tab_size = r.v[1];
	return ret;
}
