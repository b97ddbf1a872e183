// SPDX-License-Identifier: GPL-2.0-or-later
/* `ipvsadm -L -n` with --stats, --rate, --thresholds, --persistent-conn, --timeout. */
#include "list.h"
#include "names.h"
#include "rules.h"
#include "core/snap.h"

#include <errno.h>

void uvs_adm_print_largenum(FILE *f, uint64_t v, bool exact)
{
	unsigned long long n = v;

	if (exact) {
		int digits = snprintf(NULL, 0, "%llu", n);
		fprintf(f, "%*llu", digits <= 8 ? 9 : digits + 1, n);
	} else if (n < 100000000ull) {
		fprintf(f, "%9llu", n);
	} else if (n < 1000000000ull) {
		fprintf(f, "%8lluK", n / 1000ull);
	} else if (n < 100000000000ull) {
		fprintf(f, "%8lluM", n / 1000000ull);
	} else if (n < 100000000000000ull) {
		fprintf(f, "%8lluG", n / 1000000000ull);
	} else {
		fprintf(f, "%8lluT", n / 1000000000000ull);
	}
}

int uvs_adm_list_timeouts(FILE *f, const struct uvs_timeouts *t)
{
	fprintf(f, "Timeout (tcp tcpfin udp): %u %u %u\n", t->tcp[UVS_TCP_S_ESTABLISHED],
		t->tcp[UVS_TCP_S_FIN_WAIT], t->udp);
	return ferror(f) ? -EIO : 0;
}

static void print_title(FILE *f, enum uvs_adm_list_fmt fmt)
{
	static const char *const stats[] = { "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes" };
	static const char *const rate[] = { "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" };
	const char *const *cols = fmt == UVS_ADM_LIST_STATS ? stats : rate;
	const char *prot = "Prot LocalAddress:Port";

	switch (fmt) {
	case UVS_ADM_LIST_STATS:
	case UVS_ADM_LIST_RATE:
		fprintf(f, "%-33s %8s %8s %8s %8s %8s\n", prot, cols[0], cols[1], cols[2], cols[3],
			cols[4]);
		break;
	case UVS_ADM_LIST_THRESHOLDS:
		fprintf(f, "%-33s %-10s %-10s %-10s %-10s\n", prot, "Uthreshold", "Lthreshold",
			"ActiveConn", "InActConn");
		break;
	case UVS_ADM_LIST_PERSISTENT:
		fprintf(f, "%-33s %-9s %-11s %-10s %-10s\n", prot, "Weight", "PersistConn",
			"ActiveConn", "InActConn");
		break;
	case UVS_ADM_LIST_TUN_INFO:
		fprintf(f, "Prot LocalAddress:Port Scheduler Flags\n"
			   "  -> RemoteAddress:Port           Forward TunnelInfo    Weight "
			   "ActiveConn InActConn\n");
		return;
	default:
		fprintf(f,
			"Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
		return;
	}
	fprintf(f, "  -> RemoteAddress:Port\n");
}

/* "TCP  10.0.0.1:80", "FWM  7", "FWM  7 IPv6". An IPv4 name is cut at 33 characters
 * (a limit that only resolved names can reach); an IPv6 one is not. */
static void svc_name(const struct uvs_svc_key *k, bool names, char *buf, size_t len)
{
	const char *proto = uvs_adm_proto_name(k->protocol);
	char ap[UVS_ADM_NAME_LEN];

	if (k->fwmark) {
		snprintf(buf, len, "FWM  %u%s", k->fwmark, k->af == AF_INET6 ? " IPv6" : "");
		return;
	}
	snprintf(buf, len, "%-4s %s", proto ? proto : "?",
		 uvs_adm_addrport_name(k->af, &k->addr, k->port, k->protocol, names, ap,
				       sizeof(ap)));
	if (k->af != AF_INET6 && len > 33)
		buf[33] = 0;
}

static void print_svc_attrs(FILE *f, const struct uvs_svc_conf *c)
{
	char flags[64];
	char mask[UVS_ADDR_STRLEN];

	fprintf(f, " %s", c->sched_name);
	uvs_adm_sched_flags_format(c->sched_name, c->flags, flags, sizeof(flags));
	if (flags[0])
		fprintf(f, " (%s)", flags);
	if (c->flags & UVS_SVC_F_PERSISTENT) {
		fprintf(f, " persistent %u", c->timeout);
		if (c->key.af == AF_INET6 && c->netmask != 128)
			fprintf(f, " mask %u", c->netmask);
		else if (c->key.af != AF_INET6 && c->netmask != 0xffffffffu)
			fprintf(f, " mask %s",
				uvs_addr_format(AF_INET, &(union uvs_addr){ .ip = c->netmask },
						mask, sizeof(mask)));
		if (c->pe_name[0])
			fprintf(f, " pe %s", c->pe_name);
	}
	if (c->flags & UVS_SVC_F_ONEPACKET)
		fprintf(f, " ops");
}

/* ipvsadm's name of a method: "?" for one it does not know. */
static const char *ipvsadm_fwd_name(uint32_t fwd)
{
	const char *name = uvs_fwd_name(fwd);

	return name ? name : "?";
}

static void print_numbers(FILE *f, const struct uvs_counters *c, const struct uvs_rates *r,
			  enum uvs_adm_list_fmt fmt, bool exact)
{
	uint64_t v[5];

	if (fmt == UVS_ADM_LIST_STATS) {
		v[0] = c->conns, v[1] = c->inpkts, v[2] = c->outpkts;
		v[3] = c->inbytes, v[4] = c->outbytes;
	} else {
		v[0] = r->cps, v[1] = r->inpps, v[2] = r->outpps;
		v[3] = r->inbps, v[4] = r->outbps;
	}
	for (int i = 0; i < 5; i++)
		uvs_adm_print_largenum(f, v[i], exact);
	fputc('\n', f);
}

/* --tun-info's column: "ipip", "gue:PORT:FLAGS", "gre:FLAGS", "n/a" if not a tunnel;
 * FLAGS is -c (no checksum), +c (checksum) or r+c (remote checksum). */
static const char *tun_info(const struct uvs_dest_conf *d, char *buf, size_t len)
{
	const char *csum = d->tun_flags & UVS_TUN_F_REMCSUM ? "r+c"
			   : d->tun_flags & UVS_TUN_F_CSUM  ? "+c"
							    : "-c";

	if ((d->fwd & UVS_FWD_MASK) != UVS_FWD_TUNNEL)
		return "n/a";
	switch (d->tun_type) {
	case UVS_TUN_TYPE_IPIP:
		return "ipip";
	case UVS_TUN_TYPE_GUE:
		snprintf(buf, len, "gue:%u:%s", ntohs(d->tun_port), csum);
		return buf;
	case UVS_TUN_TYPE_GRE:
		snprintf(buf, len, "gre:%s", csum);
		return buf;
	default:
		return "n/a";
	}
}

static void print_dest(FILE *f, const struct uvs_snap_dest *d, int protocol,
		       const struct uvs_adm_list_opts *o)
{
	char name[UVS_ADM_NAME_LEN], tun[24];

	uvs_adm_addrport_name(d->conf.af, &d->conf.addr, d->conf.port, protocol, o->names, name,
			      sizeof(name));
	if (d->conf.af != AF_INET6)
		name[28] = 0; /* as ipvsadm; only resolved names are that long */
	switch (o->fmt) {
	case UVS_ADM_LIST_STATS:
	case UVS_ADM_LIST_RATE:
		fprintf(f, "  -> %-28s", name);
		print_numbers(f, &d->stats, &d->rates, o->fmt, o->exact);
		break;
	case UVS_ADM_LIST_THRESHOLDS:
		fprintf(f, "  -> %-28s %-10u %-10u %-10u %-10u\n", name, d->conf.u_threshold,
			d->conf.l_threshold, d->activeconns, d->inactconns);
		break;
	case UVS_ADM_LIST_PERSISTENT:
		fprintf(f, "  -> %-28s %-9lld %-11u %-10u %-10u\n", name, (long long)d->conf.weight,
			d->persistconns, d->activeconns, d->inactconns);
		break;
	case UVS_ADM_LIST_TUN_INFO:
		fprintf(f, "  -> %-28s %-7s %-13s %-6lld %-10u %-10u\n", name,
			ipvsadm_fwd_name(d->conf.fwd), tun_info(&d->conf, tun, sizeof(tun)),
			(long long)d->conf.weight, d->activeconns, d->inactconns);
		break;
	default:
		fprintf(f, "  -> %-28s %-7s %-6lld %-10u %-10u\n", name,
			ipvsadm_fwd_name(d->conf.fwd), (long long)d->conf.weight, d->activeconns,
			d->inactconns);
	}
}

static void print_svc(FILE *f, const struct uvs_snap_svc *s, const struct uvs_adm_list_opts *o)
{
	char name[UVS_ADM_NAME_LEN + 16];

	svc_name(&s->conf.key, o->names, name, sizeof(name));
	if (o->fmt == UVS_ADM_LIST_STATS || o->fmt == UVS_ADM_LIST_RATE) {
		fprintf(f, "%-33s", name);
		print_numbers(f, &s->stats, &s->rates, o->fmt, o->exact);
	} else {
		fprintf(f, "%s", name);
		print_svc_attrs(f, &s->conf);
		fputc('\n', f);
	}
	for (unsigned i = 0; i < s->ndests; i++)
		print_dest(f, &s->dests[i], s->conf.key.protocol, o);
}

int uvs_adm_list_snap(FILE *f, const struct uvs_snap *s, const struct uvs_adm_list_opts *o)
{
	/* ipvsadm lists one service without the version line. */
	if (!o->only)
		fprintf(f, "IP Virtual Server version %u.%u.%u (size=%u)\n",
			(UVS_IPVS_VERSION >> 16) & 0xff, (UVS_IPVS_VERSION >> 8) & 0xff,
			UVS_IPVS_VERSION & 0xff, o->conn_tab_size);
	print_title(f, o->fmt);
	for (unsigned i = 0; i < s->nsvcs; i++)
		print_svc(f, &s->svcs[i], o);
	return ferror(f) ? -EIO : 0;
}

int uvs_adm_list(FILE *f, struct uvs_model *m, const struct uvs_adm_list_opts *o,
		 struct uvs_error *err)
{
	struct uvs_snap s;
	int ret = uvs_snap_take(m, o->only, !o->nosort, &s);

	if (ret)
		return ret;
	if (o->only && s.nsvcs == 0) {
		uvs_snap_free(&s);
		if (err)
			snprintf(err->msg, sizeof(err->msg), "No such service");
		return -ESRCH;
	}
	if (o->local_engine)
		uvs_snap_mark_local(&s, o->local_engine);
	ret = uvs_adm_list_snap(f, &s, o);
	uvs_snap_free(&s);
	return ret;
}
