// SPDX-License-Identifier: GPL-2.0-or-later
/* Looking at and writing the few netlink messages the preload library handles itself. */
#include "nlmsg.h"

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>

bool uvs_nlmsg_asks_ipvs(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *g;
	const struct nlattr *a;

	if (!mnl_nlmsg_ok(nlh, (int)len) || nlh->nlmsg_type != GENL_ID_CTRL ||
	    (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return false;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != CTRL_CMD_GETFAMILY)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		const char *name = mnl_attr_get_payload(a);
		uint16_t n = mnl_attr_get_payload_len(a);

		if (mnl_attr_get_type(a) != CTRL_ATTR_FAMILY_NAME)
			continue;
		/* "IPVS" with its NUL; the kernel also takes it without. */
		return (n == 5 && !memcmp(name, "IPVS", 5)) || (n == 4 && !memcmp(name, "IPVS", 4));
	}
	return false;
}

size_t uvs_nlmsg_put_error(void *buf, size_t room, const struct nlmsghdr *req, int errnum,
			   const char *text, bool ext_ack)
{
	size_t need = NLMSG_HDRLEN + sizeof(struct nlmsgerr);
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	if (room < need)
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = req->nlmsg_pid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -errnum;
	e->msg = *req;
	if (ext_ack && text && text[0] &&
	    mnl_attr_put_strz_check(nlh, room, NLMSGERR_ATTR_MSG, text))
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	return nlh->nlmsg_len;
}

bool uvs_nlmsg_notice(const void *buf, size_t len, int *errnum, char *text, size_t textlen)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	const struct nlattr *a;

	if (textlen)
		text[0] = 0;
	if (!mnl_nlmsg_ok(nlh, (int)len) || nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq != 0 ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return false;
	e = mnl_nlmsg_get_payload(nlh);
	/* An answer to a request echoes its header; uvsd's notices echo nothing. */
	if (e->error >= 0 || e->msg.nlmsg_len != 0 || e->msg.nlmsg_type != 0)
		return false;
	*errnum = -e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return true;
	mnl_attr_for_each(a, nlh, sizeof(*e)) {
		const char *s = mnl_attr_get_payload(a);
		uint16_t n = mnl_attr_get_payload_len(a);

		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && n && textlen)
			snprintf(text, textlen, "%.*s", (int)strnlen(s, n), s);
	}
	return true;
}
