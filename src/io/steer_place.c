// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What sits at steering's places on a link: the tc ingress filter at uvs's handle and
 * priority, read over rtnetlink, and the link's XDP program.
 *
 * A tc filter is told by the name libbpf gave it when it was attached ("NAME:[ID]",
 * TCA_BPF_NAME), which any process may read: asking the kernel for the program's own
 * name (BPF_PROG_GET_FD_BY_ID) needs CAP_SYS_ADMIN, which uvsd's systemd unit does not
 * give it. An XDP program has no such name on the link, so it is told by its
 * program's name, with CAP_SYS_ADMIN.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "steer-internal.h"

/* What the reply to the filter's RTM_GETTFILTER says. */
struct tc_found {
	bool bpf;
	char name[64]; /* TCA_BPF_NAME */
};

static int bpf_option(const struct nlattr *a, void *data)
{
	struct tc_found *f = data;

	if (mnl_attr_get_type(a) == TCA_BPF_NAME && !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		snprintf(f->name, sizeof(f->name), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int filter_attr(const struct nlattr *a, void *data)
{
	struct tc_found *f = data;

	if (mnl_attr_get_type(a) == TCA_KIND && !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		f->bpf = !strcmp(mnl_attr_get_str(a), "bpf");
	else if (mnl_attr_get_type(a) == TCA_OPTIONS && !mnl_attr_validate(a, MNL_TYPE_NESTED))
		mnl_attr_parse_nested(a, bpf_option, f);
	return MNL_CB_OK;
}

static int filter_msg(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWTFILTER)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(struct tcmsg), filter_attr, data);
	return MNL_CB_OK;
}

/* Whether a filter's name is name's, as libbpf writes it ("NAME:[ID]") or alone. */
static bool named(const char *filter, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(filter, name, n) && (filter[n] == '\0' || filter[n] == ':');
}

int steer_tc_at_place(unsigned ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tc_found found = { false, "" };
	unsigned seq = (unsigned)time(NULL), portid;
	struct tcmsg *t;
	ssize_t got;
	int ret;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ret;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK; /* the ack ends the answer */
	nlh->nlmsg_seq = seq;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = (int)ifindex;
	t->tcm_parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
	t->tcm_handle = STEER_TC_HANDLE;
	t->tcm_info = TC_H_MAKE((uint32_t)STEER_TC_PRIO << 16, htons(ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		mnl_socket_close(nl);
		return ret;
	}
	/* The filter, then the ack; or an error: none there (no clsact qdisc, no filter,
	 * or one of another kind at that place). */
	do {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		ret = got < 0 ? MNL_CB_ERROR
			      : mnl_cb_run(buf, (size_t)got, seq, portid, filter_msg, &found);
	} while (ret > MNL_CB_STOP);
	ret = ret < 0 ? -errno : 0;
	mnl_socket_close(nl);
	if (ret == -ENOENT || ret == -EINVAL)
		return STEER_NONE;
	if (ret < 0)
		return ret;
	if (!found.bpf && !found.name[0])
		return STEER_NONE;
	return found.bpf && named(found.name, STEER_TC_NAME) ? STEER_OURS : STEER_OTHER;
}

/* Whether BPF program prog_id is named name: 1, 0, or a negative errno (-EPERM
 * without CAP_SYS_ADMIN). */
static int prog_named(uint32_t prog_id, const char *name)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id), ret;

	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	ret = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : !strcmp(info.name, name);
	close(fd);
	return ret;
}

int steer_xdp_on(unsigned ifindex, uint32_t *prog_id, uint32_t *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ret = bpf_xdp_query((int)ifindex, 0, &q);

	if (ret)
		return ret;
	*prog_id = q.prog_id;
	*mode = q.attach_mode == XDP_ATTACHED_SKB  ? XDP_FLAGS_SKB_MODE
		: q.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE
						   : XDP_FLAGS_DRV_MODE;
	if (!q.prog_id)
		return STEER_NONE;
	ret = prog_named(q.prog_id, STEER_XDP_NAME);
	return ret < 0 ? ret : ret ? STEER_OURS : STEER_OTHER;
}
