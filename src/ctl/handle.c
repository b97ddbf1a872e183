// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The server's requests: checks, one model (or ops) call each, replies, acks, errors,
 * and dumps sent a datagram at a time as the client reads.
 */
#include "server-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sysctl.h"

struct req {
	const struct nlmsghdr *nlh;
	uint8_t cmd;
	bool dump;
	const struct nlattr *tb[UVS_CTL_TOP_MAX + 1];
	/* For a change while the daemon audits: what the command read goes here. */
	struct uvs_ctl_audit *audit;
};

/* For the audit: the service (or its key) the request names. */
static void audit_svc(const struct req *r, const struct uvs_svc_conf *c)
{
	if (r->audit) {
		r->audit->svc = *c;
		r->audit->has_svc = r->audit->decoded = true;
	}
}

static void audit_svc_key(const struct req *r, const struct uvs_svc_key *k)
{
	if (r->audit)
		audit_svc(r, &(struct uvs_svc_conf){ .key = *k });
}

/* Errors and acks are small: the buffer always has room for one after a do-reply. */
void ctl_put_error(struct ctl_client *c, const void *req, size_t req_len, int errnum,
		   const char *msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(c->out + c->out_len);
	struct nlmsgerr *e;
	struct nlmsghdr hdr = { 0 };

	memcpy(&hdr, req, req_len < sizeof(hdr) ? req_len : sizeof(hdr));
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	/* A header cut short has no seq to answer to. */
	nlh->nlmsg_seq = req_len >= sizeof(hdr) ? hdr.nlmsg_seq : 0;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -errnum;
	e->msg = hdr;
	if (errnum && msg && msg[0] &&
	    mnl_attr_put_strz_check(nlh, UVS_CTL_DGRAM_MAX - c->out_len, NLMSGERR_ATTR_MSG, msg))
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	c->out_len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* Starts a do-reply message after what c->out holds. */
static void reply_start(struct ctl_client *c, struct uvs_ctl_msg *w, const struct req *r,
			uint8_t cmd)
{
	uvs_ctl_msg_start(w, c->out + c->out_len, UVS_CTL_DGRAM_MAX - c->out_len, 0,
			  r->nlh->nlmsg_seq, cmd);
}

static int reply_end(struct ctl_client *c, struct uvs_ctl_msg *w, struct uvs_error *err)
{
	if (w->full)
		return uvs_errorf(err, ENOBUFS, "reply too long");
	c->out_len += NLMSG_ALIGN(w->nlh->nlmsg_len);
	return 0;
}

static int svc_key(const struct req *r, struct uvs_svc_key *k, struct uvs_error *err)
{
	return uvs_ctl_get_svc_key(r->tb[IPVS_CMD_ATTR_SERVICE], k, err);
}

/* The user flags a NEW or SET_SERVICE asks for: the kernel starts from the service's
 * current flags, if it exists, and changes the bits in mask. */
static uint32_t merged_flags(struct uvs_model *m, const struct uvs_svc_conf *c, uint32_t mask)
{
	struct uvs_service *svc;
	uint32_t cur = 0;

	pthread_mutex_lock(&m->ctl_lock);
	svc = uvs_svc_find(m, &c->key);
	if (svc)
		cur = svc->flags;
	pthread_mutex_unlock(&m->ctl_lock);
	return ((cur & ~mask) | (c->flags & mask)) & ~(uint32_t)UVS_SVC_F_HASHED;
}

static bool svc_exists(struct uvs_model *m, const struct uvs_svc_key *k)
{
	bool found;

	pthread_mutex_lock(&m->ctl_lock);
	found = uvs_svc_find(m, k) != NULL;
	pthread_mutex_unlock(&m->ctl_lock);
	return found;
}

static int cmd_svc(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
		   struct uvs_error *err)
{
	struct uvs_svc_conf conf;
	uint32_t mask;
	int ret;

	(void)c;
	if ((ret = uvs_ctl_get_svc_conf(r->tb[IPVS_CMD_ATTR_SERVICE], &conf, &mask, err)))
		return ret;
	conf.flags = merged_flags(s->cfg.model, &conf, mask);
	audit_svc(r, &conf);
	if (r->cmd == IPVS_CMD_NEW_SERVICE)
		return uvs_svc_add(s->cfg.model, &conf, err);
	return uvs_svc_edit(s->cfg.model, &conf, err);
}

static int cmd_del_svc(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
		       struct uvs_error *err)
{
	struct uvs_svc_key k;
	int ret;

	(void)c;
	if ((ret = svc_key(r, &k, err)))
		return ret;
	audit_svc_key(r, &k);
	return uvs_svc_del(s->cfg.model, &k, err);
}

static int snap_one(struct uvs_ctl_server *s, const struct uvs_svc_key *k, struct uvs_snap *snap,
		    struct uvs_error *err)
{
	if (uvs_snap_take(s->cfg.model, k, false, snap))
		return uvs_errorf(err, ENOMEM, "out of memory");
	if (snap->nsvcs == 0) {
		uvs_snap_free(snap);
		return uvs_errorf(err, ESRCH, "No such service");
	}
	return 0;
}

static int cmd_get_svc(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
		       struct uvs_error *err)
{
	struct uvs_snap snap;
	struct uvs_ctl_msg w;
	struct uvs_svc_key k;
	int ret;

	if (r->dump) {
		if (uvs_snap_take(s->cfg.model, NULL, false, &c->snap))
			return uvs_errorf(err, ENOMEM, "out of memory");
		c->dump_cmd = IPVS_CMD_NEW_SERVICE;
		return 0;
	}
	if (!r->tb[IPVS_CMD_ATTR_SERVICE])
		return uvs_errorf(err, EINVAL, "GET_SERVICE without NLM_F_DUMP needs a SERVICE");
	if ((ret = svc_key(r, &k, err)) || (ret = snap_one(s, &k, &snap, err)))
		return ret;
	reply_start(c, &w, r, IPVS_CMD_NEW_SERVICE);
	uvs_ctl_put_svc_info(&w, &snap.svcs[0]);
	uvs_snap_free(&snap);
	return reply_end(c, &w, err);
}

static int cmd_dest(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
		    struct uvs_error *err)
{
	struct uvs_dest_conf d;
	struct uvs_svc_key k;
	bool del = r->cmd == IPVS_CMD_DEL_DEST;
	int ret;

	(void)c;
	if ((ret = svc_key(r, &k, err)) ||
	    (ret = uvs_ctl_get_dest(r->tb[IPVS_CMD_ATTR_DEST], k.af, !del, &d, err)))
		return ret;
	audit_svc_key(r, &k);
	if (r->audit)
		r->audit->dest = d;
	/* The kernel's sync protocol cannot carry mixed families: no such destination
	 * while a sync daemon runs (checked, as there, once the service is found). */
	if (!del && d.af != k.af && (s->daemon_running[0] || s->daemon_running[1]) &&
	    svc_exists(s->cfg.model, &k))
		return uvs_errorf(err, EINVAL,
				  "a real server of another address family cannot be synchronised: "
				  "stop the sync daemon first");
	/* The kernel takes any u32; ipvsadm cannot write more than INT_MAX, and what the
	 * socket accepts must save and restore. */
	if (!del && (d.u_threshold > INT32_MAX || d.l_threshold > INT32_MAX))
		return uvs_errorf(err, ERANGE, "threshold above %d", INT32_MAX);
	if (r->cmd == IPVS_CMD_NEW_DEST)
		return uvs_dest_add(s->cfg.model, &k, &d, err);
	if (r->cmd == IPVS_CMD_SET_DEST)
		return uvs_dest_edit(s->cfg.model, &k, &d, err);
	return uvs_dest_del(s->cfg.model, &k, d.af, &d.addr, d.port, err);
}

static int cmd_get_dest(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			struct uvs_error *err)
{
	struct uvs_svc_key k;
	int ret;

	if ((ret = svc_key(r, &k, err)) || (ret = snap_one(s, &k, &c->snap, err)))
		return ret;
	if (s->cfg.ops && s->cfg.ops->mark_local)
		s->cfg.ops->mark_local(s->cfg.ops_arg, &c->snap);
	c->dump_cmd = IPVS_CMD_NEW_DEST;
	return 0;
}

static int daemon_index(uint32_t state, struct uvs_error *err)
{
	if (state == IP_VS_STATE_MASTER)
		return 0;
	if (state == IP_VS_STATE_BACKUP)
		return 1;
	return uvs_errorf(err, EINVAL, "unknown sync daemon state %u", state);
}

static bool is_multicast(int af, const union uvs_addr *a)
{
	return af == AF_INET6 ? a->ip6[0] == 0xff : (ntohl(a->ip) >> 28) == 0xe;
}

/* Whether some service has a real server of another family, which the kernel's sync
 * protocol cannot carry. Returns 1, 0 or -ENOMEM. */
static int has_mixed_family(struct uvs_model *m)
{
	struct uvs_snap snap;
	int found = 0;

	if (uvs_snap_take(m, NULL, false, &snap))
		return -ENOMEM;
	for (unsigned i = 0; i < snap.nsvcs && !found; i++) {
		for (unsigned j = 0; j < snap.svcs[i].ndests && !found; j++)
			found = snap.svcs[i].dests[j].conf.af != snap.svcs[i].conf.key.af;
	}
	uvs_snap_free(&snap);
	return found;
}

/* A daemon is started with the kernel's defaults for what was not given, recorded and
 * reported by GET_DAEMON. The kernel's refusals are kept (its order: group, mixed
 * families, the link, a daemon already running). */
int uvs_ctl_server_start_daemon(struct uvs_ctl_server *s, const struct uvs_ctl_daemon *want,
				struct uvs_error *err)
{
	const struct uvs_ctl_ops *ops = s->cfg.ops;
	struct uvs_ctl_daemon d = *want;
	int ret, i;

	if (d.mcast_af && !is_multicast(d.mcast_af, &d.mcast_group))
		return uvs_errorf(err, EINVAL, "sync group is not a multicast address");
	if ((ret = has_mixed_family(s->cfg.model)) < 0)
		return uvs_errorf(err, ENOMEM, "out of memory");
	if (ret)
		return uvs_errorf(err, EINVAL,
				  "a service has a real server of another address family, which "
				  "synchronisation cannot carry");
	if ((i = daemon_index(d.state, err)) < 0)
		return i;
	if (!d.mcast_ifn[0])
		return uvs_errorf(err, ENODEV, "no multicast interface given");
	if (d.syncid > 255)
		return uvs_errorf(err, EINVAL, "syncid %u out of range 0..255", d.syncid);
	if (!d.mcast_af) {
		d.mcast_af = AF_INET;
		d.mcast_group.ip = htonl(0xe0000051); /* 224.0.0.81 */
	}
	if (!d.mcast_port)
		d.mcast_port = 8848;
	if (!d.mcast_ttl)
		d.mcast_ttl = 1;
	if (ops && ops->daemon_config && (ret = ops->daemon_config(s->cfg.ops_arg, &d, err)) < 0)
		return ret;
	if (s->daemon_running[i])
		return uvs_errorf(err, EEXIST, "Daemon has already run");
	if (!d.sync_maxlen)
		d.sync_maxlen = 1500 - 20 - 8;
	if (ops && ops->daemon_start && (ret = ops->daemon_start(s->cfg.ops_arg, &d, err)) < 0)
		return ret;
	s->daemons[i] = d;
	s->daemon_running[i] = true;
	return 0;
}

size_t uvs_ctl_server_daemons(const struct uvs_ctl_server *s, struct uvs_ctl_daemon out[2])
{
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		if (s->daemon_running[i])
			out[n++] = s->daemons[i];
	}
	return n;
}

static int cmd_new_daemon(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	struct uvs_ctl_daemon d;
	int ret;

	(void)c;
	if ((ret = uvs_ctl_get_daemon(r->tb[IPVS_CMD_ATTR_DAEMON], true, &d, err)))
		return ret;
	if (r->audit) {
		r->audit->daemon = d;
		r->audit->decoded = true;
	}
	return uvs_ctl_server_start_daemon(s, &d, err);
}

static int cmd_del_daemon(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	struct uvs_ctl_daemon d;
	int ret, i;

	(void)c;
	if ((ret = uvs_ctl_get_daemon(r->tb[IPVS_CMD_ATTR_DAEMON], false, &d, err)))
		return ret;
	if (r->audit) {
		r->audit->daemon = d;
		r->audit->decoded = true;
	}
	if ((i = daemon_index(d.state, err)) < 0)
		return i;
	if (!s->daemon_running[i])
		return uvs_errorf(err, ESRCH, "No daemon is running");
	s->daemon_running[i] = false;
	if (s->cfg.ops && s->cfg.ops->daemon_stop)
		s->cfg.ops->daemon_stop(s->cfg.ops_arg, &s->daemons[i]);
	return 0;
}

static int cmd_get_daemon(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	(void)r, (void)err;
	c->ndaemons = uvs_ctl_server_daemons(s, c->daemons);
	c->dump_cmd = IPVS_CMD_NEW_DAEMON;
	return 0;
}

static void get_timeouts(struct uvs_ctl_server *s, struct uvs_timeouts *t)
{
	if (s->cfg.ops && s->cfg.ops->get_timeouts)
		s->cfg.ops->get_timeouts(s->cfg.ops_arg, t);
	else
		*t = s->timeouts;
}

/* Absent or 0 leaves a timeout as it is; all three are checked before any is set. */
static int cmd_set_config(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	static const char *const names[3] = { "tcp", "tcpfin", "udp" };
	uint32_t v[3] = { 0, 0, 0 };

	(void)c;
	for (int i = 0; i < 3; i++) {
		const struct nlattr *a = r->tb[IPVS_CMD_ATTR_TIMEOUT_TCP + i];
		if (a)
			v[i] = mnl_attr_get_u32(a);
	}
	if (r->audit) {
		memcpy(r->audit->timeouts, v, sizeof(v));
		r->audit->decoded = true;
	}
	for (int i = 0; i < 3; i++) {
		if (v[i] > UVS_TIMEOUT_MAX)
			return uvs_errorf(err, EINVAL, "%s timeout %u out of range 0..%u", names[i],
					  v[i], UVS_TIMEOUT_MAX);
	}
	if (s->cfg.ops && s->cfg.ops->set_timeouts)
		s->cfg.ops->set_timeouts(s->cfg.ops_arg, v[0], v[1], v[2]);
	else
		uvs_timeouts_set(&s->timeouts, v[0], v[1], v[2]);
	return 0;
}

static int cmd_get_config(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	struct uvs_timeouts t;
	struct uvs_ctl_msg w;

	get_timeouts(s, &t);
	reply_start(c, &w, r, IPVS_CMD_SET_CONFIG);
	uvs_ctl_put_u32(&w, IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp[UVS_TCP_S_ESTABLISHED]);
	uvs_ctl_put_u32(&w, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp[UVS_TCP_S_FIN_WAIT]);
	uvs_ctl_put_u32(&w, IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp);
	return reply_end(c, &w, err);
}

static int cmd_get_info(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			struct uvs_error *err)
{
	struct uvs_ctl_msg w;

	reply_start(c, &w, r, IPVS_CMD_SET_INFO);
	uvs_ctl_put_u32(&w, IPVS_INFO_ATTR_VERSION, UVS_IPVS_VERSION);
	uvs_ctl_put_u32(&w, IPVS_INFO_ATTR_CONN_TAB_SIZE, s->cfg.conn_tab_size);
	return reply_end(c, &w, err);
}

static int cmd_zero(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
		    struct uvs_error *err)
{
	struct uvs_svc_key k;
	int ret;

	(void)c;
	if (!r->tb[IPVS_CMD_ATTR_SERVICE]) {
		if (r->audit)
			r->audit->decoded = true;
		return uvs_model_zero(s->cfg.model, NULL, err);
	}
	if ((ret = svc_key(r, &k, err)))
		return ret;
	audit_svc_key(r, &k);
	return uvs_model_zero(s->cfg.model, &k, err);
}

static int cmd_flush(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
		     struct uvs_error *err)
{
	(void)c, (void)err;
	if (r->audit)
		r->audit->decoded = true;
	uvs_svc_flush(s->cfg.model);
	return 0;
}

static int cmd_get_conn(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			struct uvs_error *err)
{
	(void)s, (void)r;
	c->conns = calloc(CTL_CONN_BATCH, sizeof(*c->conns));
	if (!c->conns)
		return uvs_errorf(err, ENOMEM, "out of memory");
	c->dump_cmd = UVS_CMD_GET_CONN;
	return 0;
}

#define CTL_COUNTERS_MAX 1024

static int cmd_get_counters(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			    struct uvs_error *err)
{
	(void)r;
	if (s->cfg.ops && s->cfg.ops->counters) {
		c->counters = calloc(CTL_COUNTERS_MAX, sizeof(*c->counters));
		if (!c->counters)
			return uvs_errorf(err, ENOMEM, "out of memory");
		c->ncounters = s->cfg.ops->counters(s->cfg.ops_arg, c->counters, CTL_COUNTERS_MAX);
		if (c->ncounters > CTL_COUNTERS_MAX)
			c->ncounters = CTL_COUNTERS_MAX;
	}
	c->dump_cmd = UVS_CMD_GET_COUNTERS;
	return 0;
}

static int cmd_get_sysctl(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	const struct nlattr *nest = r->tb[UVS_CMD_ATTR_SYSCTL];
	char value[UVS_SYSCTL_VALUE_MAX];
	struct uvs_ctl_sysctl q;
	struct uvs_ctl_msg w;
	int ret;

	if (r->dump) {
		if (nest)
			return uvs_errorf(err, EINVAL,
					  "a GET_SYSCTL dump lists them all: no SYSCTL");
		c->dump_cmd = UVS_CMD_GET_SYSCTL;
		return 0;
	}
	if (!nest)
		return uvs_errorf(err, EINVAL, "GET_SYSCTL without NLM_F_DUMP needs a SYSCTL");
	if ((ret = uvs_ctl_get_sysctl(nest, false, &q, err)) ||
	    (ret = uvs_sysctl_get(&s->cfg.model->sysctl, q.name, value, err)))
		return ret;
	reply_start(c, &w, r, UVS_CMD_GET_SYSCTL);
	uvs_ctl_put_sysctl(&w, uvs_sysctl_find(q.name)->name, value);
	return reply_end(c, &w, err);
}

/* A write to /proc/sys/net/ipv4/vs/NAME: all or nothing (core/sysctl.h). */
static int cmd_set_sysctl(struct uvs_ctl_server *s, struct ctl_client *c, const struct req *r,
			  struct uvs_error *err)
{
	struct uvs_ctl_sysctl q;
	int ret;

	(void)c;
	if ((ret = uvs_ctl_get_sysctl(r->tb[UVS_CMD_ATTR_SYSCTL], true, &q, err)))
		return ret;
	if (r->audit) {
		r->audit->sysctl = q;
		r->audit->decoded = true;
	}
	return uvs_sysctl_set(&s->cfg.model->sysctl, q.name, q.value, err);
}

typedef int (*cmd_fn)(struct uvs_ctl_server *, struct ctl_client *, const struct req *,
		      struct uvs_error *);

/* CHANGE: a command that changes the configuration, which the audit reports. */
enum { DO = 1, DUMP = 2, CHANGE = 4 };

#define A(x) (1u << (x))
#define SVC  A(IPVS_CMD_ATTR_SERVICE)
#define DST  A(IPVS_CMD_ATTR_DEST)
#define DMN  A(IPVS_CMD_ATTR_DAEMON)
#define SYS  A(UVS_CMD_ATTR_SYSCTL)
#define TMO                                                                                        \
	(A(IPVS_CMD_ATTR_TIMEOUT_TCP) | A(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN) |                         \
	 A(IPVS_CMD_ATTR_TIMEOUT_UDP))

/* Each command: its name, how it may be asked, the attributes it takes and needs. */
static const struct cmd_desc {
	const char *name;
	uint8_t modes;
	uint16_t takes, needs;
	cmd_fn fn;
} cmds[UVS_CMD_MAX + 1] = {
	[IPVS_CMD_NEW_SERVICE] = { "NEW_SERVICE", DO | CHANGE, SVC, SVC, cmd_svc },
	[IPVS_CMD_SET_SERVICE] = { "SET_SERVICE", DO | CHANGE, SVC, SVC, cmd_svc },
	[IPVS_CMD_DEL_SERVICE] = { "DEL_SERVICE", DO | CHANGE, SVC, SVC, cmd_del_svc },
	[IPVS_CMD_GET_SERVICE] = { "GET_SERVICE", DO | DUMP, SVC, 0, cmd_get_svc },
	[IPVS_CMD_NEW_DEST] = { "NEW_DEST", DO | CHANGE, SVC | DST, SVC | DST, cmd_dest },
	[IPVS_CMD_SET_DEST] = { "SET_DEST", DO | CHANGE, SVC | DST, SVC | DST, cmd_dest },
	[IPVS_CMD_DEL_DEST] = { "DEL_DEST", DO | CHANGE, SVC | DST, SVC | DST, cmd_dest },
	[IPVS_CMD_GET_DEST] = { "GET_DEST", DUMP, SVC, SVC, cmd_get_dest },
	[IPVS_CMD_NEW_DAEMON] = { "NEW_DAEMON", DO | CHANGE, DMN, DMN, cmd_new_daemon },
	[IPVS_CMD_DEL_DAEMON] = { "DEL_DAEMON", DO | CHANGE, DMN, DMN, cmd_del_daemon },
	[IPVS_CMD_GET_DAEMON] = { "GET_DAEMON", DUMP, 0, 0, cmd_get_daemon },
	[IPVS_CMD_SET_CONFIG] = { "SET_CONFIG", DO | CHANGE, TMO, 0, cmd_set_config },
	[IPVS_CMD_GET_CONFIG] = { "GET_CONFIG", DO, 0, 0, cmd_get_config },
	[IPVS_CMD_GET_INFO] = { "GET_INFO", DO, 0, 0, cmd_get_info },
	[IPVS_CMD_ZERO] = { "ZERO", DO | CHANGE, SVC, 0, cmd_zero },
	[IPVS_CMD_FLUSH] = { "FLUSH", DO | CHANGE, 0, 0, cmd_flush },
	[UVS_CMD_GET_CONN] = { "GET_CONN", DUMP, 0, 0, cmd_get_conn },
	[UVS_CMD_GET_COUNTERS] = { "GET_COUNTERS", DUMP, 0, 0, cmd_get_counters },
	[UVS_CMD_GET_SYSCTL] = { "GET_SYSCTL", DO | DUMP, SYS, 0, cmd_get_sysctl },
	[UVS_CMD_SET_SYSCTL] = { "SET_SYSCTL", DO | CHANGE, SYS, SYS, cmd_set_sysctl },
};

const char *uvs_ctl_cmd_name(unsigned cmd)
{
	return cmd <= UVS_CMD_MAX && cmds[cmd].fn ? cmds[cmd].name : NULL;
}

unsigned ctl_cmd_modes(unsigned cmd)
{
	if (cmd > UVS_CMD_MAX || !cmds[cmd].fn)
		return 0;
	return (cmds[cmd].modes & DO ? UVS_CTL_CMD_DO : 0) |
	       (cmds[cmd].modes & DUMP ? UVS_CTL_CMD_DUMP : 0);
}

/* Checks the envelope of buf: one whole netlink request. Returns 0 or a negative
 * errno with *err set. */
static int check_envelope(const void *buf, size_t len, struct uvs_error *err)
{
	const struct nlmsghdr *nlh = buf;

	if (len < sizeof(*nlh))
		return uvs_errorf(err, EINVAL, "request shorter than a netlink header");
	if (len > UVS_CTL_REQ_MAX)
		return uvs_errorf(err, EMSGSIZE, "request longer than %u bytes", UVS_CTL_REQ_MAX);
	if (!mnl_nlmsg_ok(nlh, (int)len))
		return uvs_errorf(err, EINVAL,
				  "netlink length %u does not fit the %zu-byte datagram",
				  nlh->nlmsg_len, len);
	if (NLMSG_ALIGN(nlh->nlmsg_len) < len)
		return uvs_errorf(err, EINVAL, "more than one netlink message in a datagram");
	if (!(nlh->nlmsg_flags & NLM_F_REQUEST))
		return uvs_errorf(err, EINVAL, "not a request (no NLM_F_REQUEST)");
	return 0;
}

/* Checks an IPVS request whose envelope is checked; fills r. Returns 0 or a negative
 * errno with *err set. */
static int check_request(const struct nlmsghdr *nlh, struct req *r, struct uvs_error *err)
{
	const struct cmd_desc *d;
	int ret;

	if (nlh->nlmsg_type != UVS_CTL_FAMILY)
		return uvs_errorf(err, EINVAL,
				  "message type %u is neither uvs's (%u) nor the "
				  "generic netlink controller's (%u)",
				  nlh->nlmsg_type, UVS_CTL_FAMILY, GENL_ID_CTRL);
	r->nlh = nlh;
	r->dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	if ((ret = uvs_ctl_parse_msg(nlh, &r->cmd, r->tb, err)))
		return ret;
	d = r->cmd <= UVS_CMD_MAX ? &cmds[r->cmd] : NULL;
	if (!d || !d->fn)
		return uvs_errorf(err, EOPNOTSUPP, "unknown command %u", r->cmd);
	if (!(d->modes & (r->dump ? DUMP : DO)))
		return uvs_errorf(err, EOPNOTSUPP,
				  r->dump ? "%s cannot be dumped" : "%s is a dump only", d->name);
	for (unsigned t = 1; t <= UVS_CTL_TOP_MAX; t++) {
		if (r->tb[t] && !(d->takes & A(t)))
			return uvs_errorf(err, EINVAL, "%s takes no %s attribute", d->name,
					  uvs_ctl_top_policy[t].name);
		if (!r->tb[t] && (d->needs & A(t)))
			return uvs_errorf(err, EINVAL, "%s needs a %s attribute", d->name,
					  uvs_ctl_top_policy[t].name);
	}
	return 0;
}

/* Whether the request r (checked or not) is a change the daemon audits. */
static bool audited(const struct uvs_ctl_server *s, const struct req *r)
{
	return s->cfg.ops && s->cfg.ops->audit && r->cmd <= UVS_CMD_MAX &&
	       (cmds[r->cmd].modes & CHANGE);
}

void ctl_handle_request(struct uvs_ctl_server *s, struct ctl_client *c, const void *buf, size_t len)
{
	struct uvs_error err = { "" };
	struct req r = { 0 };
	struct uvs_ctl_audit audit;
	size_t start = c->out_len; /* the answers to earlier requests stay */
	int ret = check_envelope(buf, len, &err);

	if (!ret && ((const struct nlmsghdr *)buf)->nlmsg_type == GENL_ID_CTRL) {
		ctl_handle_ctrl(c, buf);
		return;
	}
	if (!ret)
		ret = check_request(buf, &r, &err);
	if (audited(s, &r)) {
		memset(&audit, 0, sizeof(audit));
		audit.peer = &c->peer;
		audit.cmd = r.cmd;
		audit.cmd_name = cmds[r.cmd].name;
		r.audit = &audit;
	}
	if (!ret)
		ret = cmds[r.cmd].fn(s, c, &r, &err);
	if (r.cmd <= UVS_CMD_MAX && cmds[r.cmd].fn)
		ctl_count(ret ? &s->stats.refused[r.cmd] : &s->stats.done[r.cmd]);
	else
		ctl_count(&s->stats.unreadable);
	if (r.audit) {
		audit.error = -ret;
		audit.msg = !ret ? NULL : err.msg[0] ? err.msg : strerror(-ret);
		ctl_audit(s, &c->audit, &audit);
	}
	if (ret) {
		ctl_dump_free(c);
		c->out_len = start; /* a reply begun before the failure is not sent */
		ctl_put_error(c, buf, len, -ret, err.msg[0] ? err.msg : strerror(-ret));
		return;
	}
	if (c->dump_cmd) {
		c->dump_seq = r.nlh->nlmsg_seq;
		c->dump_done = false;
		c->pos = 0;
		return;
	}
	if (r.nlh->nlmsg_flags & NLM_F_ACK)
		ctl_put_error(c, buf, len, 0, NULL);
}

void ctl_dump_free(struct ctl_client *c)
{
	uvs_snap_free(&c->snap);
	free(c->counters);
	free(c->conns);
	c->counters = NULL;
	c->conns = NULL;
	c->ncounters = c->nconns = c->ndaemons = 0;
	c->cursor = 0;
	c->conns_end = false;
	c->dump_cmd = 0;
}

/* Writes the dump's object at c->pos into w. Returns false at the end of the dump. */
static bool put_object(struct uvs_ctl_server *s, struct ctl_client *c, struct uvs_ctl_msg *w)
{
	switch (c->dump_cmd) {
	case IPVS_CMD_NEW_SERVICE:
		if (c->pos >= c->snap.nsvcs)
			return false;
		uvs_ctl_put_svc_info(w, &c->snap.svcs[c->pos]);
		return true;
	case IPVS_CMD_NEW_DEST:
		if (c->pos >= c->snap.svcs[0].ndests)
			return false;
		uvs_ctl_put_dest_info(w, &c->snap.svcs[0].dests[c->pos]);
		return true;
	case IPVS_CMD_NEW_DAEMON:
		if (c->pos >= c->ndaemons)
			return false;
		uvs_ctl_put_daemon(w, &c->daemons[c->pos]);
		return true;
	case UVS_CMD_GET_COUNTERS:
		if (c->pos >= c->ncounters)
			return false;
		uvs_ctl_put_counter(w, &c->counters[c->pos]);
		return true;
	case UVS_CMD_GET_SYSCTL: {
		/* pos walks the table, past the names uvs refuses. */
		char value[UVS_SYSCTL_VALUE_MAX];
		while (c->pos < uvs_sysctl_ndefs &&
		       uvs_sysctl_defs[c->pos].use == UVS_SYSCTL_REFUSED)
			c->pos++;
		if (c->pos >= uvs_sysctl_ndefs)
			return false;
		uvs_sysctl_format(&s->cfg.model->sysctl, &uvs_sysctl_defs[c->pos], value);
		uvs_ctl_put_sysctl(w, uvs_sysctl_defs[c->pos].name, value);
		return true;
	}
	default: /* UVS_CMD_GET_CONN: in batches from the daemon */
		if (c->pos >= c->nconns && !c->conns_end) {
			const struct uvs_ctl_ops *ops = s->cfg.ops;
			c->nconns = ops && ops->conns ? ops->conns(s->cfg.ops_arg, &c->cursor,
								   c->conns, CTL_CONN_BATCH)
						      : 0;
			if (c->nconns > CTL_CONN_BATCH)
				c->nconns = CTL_CONN_BATCH;
			c->conns_end = c->nconns == 0;
			c->pos = 0;
		}
		if (c->pos >= c->nconns)
			return false;
		uvs_ctl_put_conn(w, &c->conns[c->pos]);
		return true;
	}
}

void ctl_fill_dump(struct uvs_ctl_server *s, struct ctl_client *c)
{
	for (;;) {
		size_t room = UVS_CTL_DGRAM_MAX - c->out_len;
		struct uvs_ctl_msg w;

		if (c->dump_done) {
			ctl_dump_free(c);
			return;
		}
		if (c->dump_cmd == CTL_DUMP_ACK) {
			/* The reply went out alone; its ack follows in a datagram of its own. */
			if (c->out_len)
				return;
			ctl_put_error(c, &c->ack_of, sizeof(c->ack_of), 0, NULL);
			c->dump_done = true;
			continue;
		}
		/* The headers are written before any room is checked: with less room than
		 * they take (a datagram filled to within 20 bytes), the next one has them. */
		if (room < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct genlmsghdr)))
			return;
		uvs_ctl_msg_start(&w, c->out + c->out_len, room, NLM_F_MULTI, c->dump_seq,
				  c->dump_cmd);
		if (put_object(s, c, &w)) {
			if (w.full && c->out_len)
				return; /* the object starts the next datagram */
			if (w.full) {	/* cannot happen: objects are far smaller */
				c->pos++;
				continue;
			}
			c->out_len += NLMSG_ALIGN(w.nlh->nlmsg_len);
			c->pos++;
			continue;
		}
		/* The end: NLMSG_DONE with an error code of 0. */
		if (room < NLMSG_HDRLEN + sizeof(int))
			return;
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(c->out + c->out_len);
		nlh->nlmsg_type = NLMSG_DONE;
		nlh->nlmsg_flags = NLM_F_MULTI;
		nlh->nlmsg_seq = c->dump_seq;
		*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
		c->out_len += NLMSG_ALIGN(nlh->nlmsg_len);
		c->dump_done = true;
	}
}
