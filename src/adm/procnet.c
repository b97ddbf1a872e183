// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's /proc/net/ip_vs* formats, field by field as its seq_printf calls write
 * them (hexadecimal addresses and ports, %pI6 for IPv6, fixed column widths). */
#include "procnet.h"

#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>

#include "uvs/ipvs.h"

/* The kernel's %pI6: eight groups of four lower-case hex digits, nothing shortened. */
static const char *ip6_full(const union uvs_addr *a, char buf[40])
{
	char *p = buf;

	for (int i = 0; i < 8; i++)
		p += sprintf(p, "%s%02x%02x", i ? ":" : "", a->ip6[2 * i], a->ip6[2 * i + 1]);
	return buf;
}

/* ip_vs_fwd_name(): bypass shows as Masq, as there. */
static const char *masq_or(const char *name)
{
	return name ? name : "Masq";
}

/* ip_vs_proto_name(). */
static const char *proto_name(unsigned protocol, char buf[16])
{
	switch (protocol) {
	case IPPROTO_IP:
		return "IP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_SCTP:
		return "SCTP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_IPIP:
		return "IPIP";
	case IPPROTO_GRE:
		return "GRE";
	case IPPROTO_ICMPV6:
		return "ICMPv6";
	default:
		snprintf(buf, 16, "IP_%u", protocol);
		return buf;
	}
}

static void put_dest(FILE *f, const struct uvs_snap_dest *d)
{
	char a[40];

	if (d->conf.af == AF_INET6)
		fprintf(f, "  -> [%s]:%04X      %-7s %-6d %-10d %-10d\n",
			ip6_full(&d->conf.addr, a), ntohs(d->conf.port),
			masq_or(uvs_fwd_name(d->conf.fwd)), (int)d->conf.weight,
			(int)d->activeconns, (int)d->inactconns);
	else
		fprintf(f, "  -> %08X:%04X      %-7s %-6d %-10d %-10d\n", ntohl(d->conf.addr.ip),
			ntohs(d->conf.port), masq_or(uvs_fwd_name(d->conf.fwd)),
			(int)d->conf.weight, (int)d->activeconns, (int)d->inactconns);
}

static void put_svc(FILE *f, const struct uvs_snap_svc *s)
{
	const struct uvs_svc_conf *c = &s->conf;
	const char *ops = c->flags & UVS_SVC_F_ONEPACKET ? "ops " : "";
	char a[40], p[16];

	if (c->key.fwmark)
		fprintf(f, "FWM  %08X %s %s", c->key.fwmark, c->sched_name, ops);
	else if (c->key.af == AF_INET6) /* the kernel writes no "ops" here */
		fprintf(f, "%s  [%s]:%04X %s ", proto_name(c->key.protocol, p),
			ip6_full(&c->key.addr, a), ntohs(c->key.port), c->sched_name);
	else
		fprintf(f, "%s  %08X:%04X %s %s", proto_name(c->key.protocol, p),
			ntohl(c->key.addr.ip), ntohs(c->key.port), c->sched_name, ops);
	/* The kernel keeps the timeout in jiffies and an IPv4 mask in network order (an
	 * IPv6 prefix length in host order, byte-swapped by the same ntohl). */
	if (c->flags & UVS_SVC_F_PERSISTENT)
		fprintf(f, "persistent %d %08X\n", (int)(c->timeout * UVS_PROCNET_HZ),
			ntohl(c->netmask));
	else
		fputc('\n', f);
	for (unsigned i = 0; i < s->ndests; i++)
		put_dest(f, &s->dests[i]);
}

void uvs_procnet_info(FILE *f, const struct uvs_snap *snap, uint32_t conn_tab_size)
{
	fprintf(f, "IP Virtual Server version %d.%d.%d (size=%d)\n", UVS_IPVS_VERSION >> 16,
		(UVS_IPVS_VERSION >> 8) & 0xff, UVS_IPVS_VERSION & 0xff, (int)conn_tab_size);
	fputs("Prot LocalAddress:Port Scheduler Flags\n", f);
	fputs("  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n", f);
	for (int by_mark = 0; by_mark < 2; by_mark++) {
		for (unsigned i = 0; i < snap->nsvcs; i++) {
			if ((snap->svcs[i].conf.key.fwmark != 0) == by_mark)
				put_svc(f, &snap->svcs[i]);
		}
	}
}

void uvs_procnet_sum(const struct uvs_snap *snap, struct uvs_procnet_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < snap->nsvcs; i++) {
		const struct uvs_snap_svc *s = &snap->svcs[i];
		t->c.conns += s->stats.conns;
		t->c.inpkts += s->stats.inpkts;
		t->c.outpkts += s->stats.outpkts;
		t->c.inbytes += s->stats.inbytes;
		t->c.outbytes += s->stats.outbytes;
		t->cps += s->rates.cps;
		t->inpps += s->rates.inpps;
		t->outpps += s->rates.outpps;
		t->inbps += s->rates.inbps;
		t->outbps += s->rates.outbps;
	}
}

void uvs_procnet_stats(FILE *f, const struct uvs_snap *snap)
{
	struct uvs_procnet_totals t;

	uvs_procnet_sum(snap, &t);
	fputs("   Total Incoming Outgoing         Incoming         Outgoing\n", f);
	fputs("   Conns  Packets  Packets            Bytes            Bytes\n", f);
	fprintf(f, "%8" PRIX64 " %8" PRIX64 " %8" PRIX64 " %16" PRIX64 " %16" PRIX64 "\n\n",
		t.c.conns, t.c.inpkts, t.c.outpkts, t.c.inbytes, t.c.outbytes);
	fputs(" Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n", f);
	fprintf(f, "%8" PRIX64 " %8" PRIX64 " %8" PRIX64 " %16" PRIX64 " %16" PRIX64 "\n", t.cps,
		t.inpps, t.outpps, t.inbps, t.outbps);
}

void uvs_procnet_stats_percpu(FILE *f, const struct uvs_snap *snap)
{
	struct uvs_procnet_totals t;

	uvs_procnet_sum(snap, &t);
	fputs("       Total Incoming Outgoing         Incoming         Outgoing\n", f);
	fputs("CPU    Conns  Packets  Packets            Bytes            Bytes\n", f);
	fprintf(f, "%3X %8" PRIX64 " %8" PRIX64 " %8" PRIX64 " %16" PRIX64 " %16" PRIX64 "\n", 0,
		t.c.conns, t.c.inpkts, t.c.outpkts, t.c.inbytes, t.c.outbytes);
	fprintf(f, "  ~ %8" PRIX64 " %8" PRIX64 " %8" PRIX64 " %16" PRIX64 " %16" PRIX64 "\n\n",
		t.c.conns, t.c.inpkts, t.c.outpkts, t.c.inbytes, t.c.outbytes);
	fputs("     Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n", f);
	fprintf(f, "    %8" PRIX64 " %8" PRIX64 " %8" PRIX64 " %16" PRIX64 " %16" PRIX64 "\n",
		t.cps, t.inpps, t.outpps, t.inbps, t.outbps);
}

void uvs_procnet_conn_title(FILE *f)
{
	fputs("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n",
	      f);
}

void uvs_procnet_conn(FILE *f, const struct uvs_ctl_conn *c)
{
	char ca[40], va[40], da[40], p[16];
	unsigned expires = c->expires_ms / 1000;

	if (c->daf == AF_INET6)
		ip6_full(&c->daddr, da);
	else
		snprintf(da, sizeof(da), "%08X", ntohl(c->daddr.ip));
	if (c->af == AF_INET6)
		fprintf(f, "%-3s %s %04X %s %04X %s %04X %-11s %7u\n", proto_name(c->protocol, p),
			ip6_full(&c->caddr, ca), ntohs(c->cport), ip6_full(&c->vaddr, va),
			ntohs(c->vport), da, ntohs(c->dport), c->state, expires);
	else
		fprintf(f, "%-3s %08X %04X %08X %04X %s %04X %-11s %7u\n",
			proto_name(c->protocol, p), ntohl(c->caddr.ip), ntohs(c->cport),
			ntohl(c->vaddr.ip), ntohs(c->vport), da, ntohs(c->dport), c->state,
			expires);
}
