// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic netlink controller's GETFAMILY, for the one family uvsd serves: clients
 * written against the kernel (libnl's genl_ctrl_resolve, as ipvsadm and keepalived
 * call it) first ask the controller for "IPVS" and then use the id it answers. The
 * reply has the kernel's shape (<linux/genetlink.h>, ctrl_fill_info): name, id,
 * version, header size, highest attribute, and each command with its capabilities.
 */
#include "server-internal.h"

#include <errno.h>
#include <string.h>

#define CTRL_VERSION 2 /* the kernel's controller family's genlmsghdr.version */
#define IPVS_NAME    "IPVS"

static const struct uvs_ctl_policy ctrl_policy[CTRL_ATTR_FAMILY_NAME + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { UVS_CTL_U16, 0, "FAMILY_ID" },
	[CTRL_ATTR_FAMILY_NAME] = { UVS_CTL_STR, GENL_NAMSIZ, "FAMILY_NAME" },
};

/* Writes the controller's NEWFAMILY message for uvsd's family into w (started). */
static void put_family(struct uvs_ctl_msg *w)
{
	struct nlattr *ops;

	uvs_ctl_put_str(w, CTRL_ATTR_FAMILY_NAME, IPVS_NAME);
	uvs_ctl_put_u16(w, CTRL_ATTR_FAMILY_ID, UVS_CTL_FAMILY);
	uvs_ctl_put_u32(w, CTRL_ATTR_VERSION, UVS_CTL_VERSION);
	uvs_ctl_put_u32(w, CTRL_ATTR_HDRSIZE, 0);
	/* The highest attribute of the family's policy, as the kernel's: IPVS's and uvs's
	 * own (uvs/ctl.h). */
	uvs_ctl_put_u32(w, CTRL_ATTR_MAXATTR, UVS_CTL_TOP_MAX);
	ops = uvs_ctl_nest_start(w, CTRL_ATTR_OPS);
	for (unsigned cmd = 1, i = 0; cmd <= UVS_CMD_MAX; cmd++) {
		unsigned modes = ctl_cmd_modes(cmd);
		/* As the kernel's IPVS: every command is for administrators and has a
		 * policy. */
		uint32_t flags = GENL_ADMIN_PERM | GENL_CMD_CAP_HASPOL;
		struct nlattr *op;

		if (!modes)
			continue;
		if (modes & UVS_CTL_CMD_DO)
			flags |= GENL_CMD_CAP_DO;
		if (modes & UVS_CTL_CMD_DUMP)
			flags |= GENL_CMD_CAP_DUMP;
		op = uvs_ctl_nest_start(w, (uint16_t)++i);
		uvs_ctl_put_u32(w, CTRL_ATTR_OP_ID, cmd);
		uvs_ctl_put_u32(w, CTRL_ATTR_OP_FLAGS, flags);
		uvs_ctl_nest_end(w, op);
	}
	uvs_ctl_nest_end(w, ops);
}

/* Starts a controller message after what c->out holds. */
static void ctrl_start(struct ctl_client *c, struct uvs_ctl_msg *w, uint16_t flags, uint32_t seq)
{
	struct genlmsghdr *g;

	uvs_ctl_msg_start(w, c->out + c->out_len, UVS_CTL_DGRAM_MAX - c->out_len, flags, seq,
			  CTRL_CMD_NEWFAMILY);
	w->nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_get_payload(w->nlh);
	g->version = CTRL_VERSION;
}

/* Which family the request names: 0 if uvsd's, or a negative errno with *err set. As
 * the kernel: a name, if given, decides; else the id; neither is EINVAL. */
static int find_family(const struct nlattr *const *tb, struct uvs_error *err)
{
	const char *name;

	if (tb[CTRL_ATTR_FAMILY_NAME]) {
		name = mnl_attr_get_str(tb[CTRL_ATTR_FAMILY_NAME]);
		if (strcmp(name, IPVS_NAME))
			return uvs_errorf(err, ENOENT,
					  "no generic netlink family \"%s\" here: uvsd serves "
					  "only \"" IPVS_NAME "\"",
					  name);
		return 0;
	}
	if (tb[CTRL_ATTR_FAMILY_ID]) {
		uint16_t id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
		if (id != UVS_CTL_FAMILY)
			return uvs_errorf(err, ENOENT,
					  "no generic netlink family %u here: uvsd serves only "
					  "\"" IPVS_NAME "\" (%u)",
					  id, UVS_CTL_FAMILY);
		return 0;
	}
	return uvs_errorf(err, EINVAL, "GETFAMILY needs a FAMILY_NAME or a FAMILY_ID");
}

/* Answers the request; returns 0 or a negative errno with *err set (nothing written). */
static int answer(struct ctl_client *c, const struct nlmsghdr *req, struct uvs_error *err)
{
	size_t len = mnl_nlmsg_get_payload_len(req);
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *tb[CTRL_ATTR_FAMILY_NAME + 1];
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	struct uvs_ctl_msg w;
	struct nlmsghdr *done;
	int ret;

	if (len < sizeof(*g))
		return uvs_errorf(err, EINVAL, "message too short for a generic netlink header");
	if (g->cmd != CTRL_CMD_GETFAMILY)
		return uvs_errorf(err, EOPNOTSUPP,
				  "generic netlink controller command %u: uvsd answers only "
				  "GETFAMILY (%u)",
				  g->cmd, CTRL_CMD_GETFAMILY);
	ret = uvs_ctl_parse(mnl_nlmsg_get_payload_offset(req, sizeof(*g)), len - sizeof(*g),
			    ctrl_policy, CTRL_ATTR_FAMILY_NAME, tb, "GETFAMILY", err);
	if (ret)
		return ret;
	if (dump) {
		/* Every family: the one there is, then the end, in one datagram. */
		ctrl_start(c, &w, NLM_F_MULTI, req->nlmsg_seq);
		put_family(&w);
		if (w.full)
			return uvs_errorf(err, ENOBUFS, "reply too long");
		c->out_len += NLMSG_ALIGN(w.nlh->nlmsg_len);
		done = mnl_nlmsg_put_header(c->out + c->out_len);
		done->nlmsg_type = NLMSG_DONE;
		done->nlmsg_flags = NLM_F_MULTI;
		done->nlmsg_seq = req->nlmsg_seq;
		*(int *)mnl_nlmsg_put_extra_header(done, sizeof(int)) = 0;
		c->out_len += NLMSG_ALIGN(done->nlmsg_len);
		return 0;
	}
	if ((ret = find_family(tb, err)))
		return ret;
	ctrl_start(c, &w, 0, req->nlmsg_seq);
	put_family(&w);
	if (w.full)
		return uvs_errorf(err, ENOBUFS, "reply too long");
	c->out_len += NLMSG_ALIGN(w.nlh->nlmsg_len);
	if (req->nlmsg_flags & NLM_F_ACK) {
		c->dump_cmd = CTL_DUMP_ACK;
		c->dump_seq = req->nlmsg_seq;
		c->dump_done = false;
		c->pos = 0;
		c->ack_of = *req;
	}
	return 0;
}

void ctl_handle_ctrl(struct ctl_client *c, const struct nlmsghdr *req)
{
	struct uvs_error err = { "" };
	size_t start = c->out_len;
	int ret = answer(c, req, &err);

	if (ret) {
		c->out_len = start;
		ctl_put_error(c, req, req->nlmsg_len, -ret, err.msg);
	}
}
