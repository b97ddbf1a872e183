// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsadm's texts: usage and version, the messages for refused commands, and the
 * listings other than the service table (-c, --daemon, --counters).
 */
#include "cli-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "adm/names.h"

#ifndef UVS_VERSION
#define UVS_VERSION "0"
#endif

void cli_version(FILE *f)
{
	fprintf(f, "uvsadm v%s (ipvsadm 1.31 command line, IPVS v%u.%u.%u)\n", UVS_VERSION,
		(UVS_IPVS_VERSION >> 16) & 0xff, (UVS_IPVS_VERSION >> 8) & 0xff,
		UVS_IPVS_VERSION & 0xff);
}

void cli_usage(struct cli_ctx *x, FILE *f)
{
	const char *p = x->prog;

	cli_version(f);
	fprintf(f,
		"Usage:\n"
		"  %s -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe "
		"persistence_engine] [-b sched-flags]\n"
		"  %s -D virtual-service\n"
		"  %s -C\n"
		"  %s -R\n"
		"  %s -S [-n]\n"
		"  %s -a|e virtual-service -r server-address [options]\n"
		"  %s -d virtual-service -r server-address\n"
		"  %s -L|l [virtual-service] [options]\n"
		"  %s -Z [virtual-service]\n"
		"  %s --set tcp tcpfin udp\n"
		"  %s --start-daemon {master|backup} [daemon-options]\n"
		"  %s --stop-daemon {master|backup}\n"
		"  %s --sysctl [name[=value]]...\n"
		"  %s --proc ip_vs|ip_vs_conn|ip_vs_stats|ip_vs_stats_percpu\n"
		"  %s -h\n\n",
		p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
	fprintf(f, "Commands (long or short):\n"
		   "  --add-service     -A   add a virtual service\n"
		   "  --edit-service    -E   change a virtual service\n"
		   "  --delete-service  -D   delete a virtual service\n"
		   "  --clear           -C   delete every virtual service\n"
		   "  --restore         -R   run the rules read from standard input\n"
		   "  --save            -S   write the rules to standard output\n"
		   "  --add-server      -a   add a real server to a virtual service\n"
		   "  --edit-server     -e   change a real server\n"
		   "  --delete-server   -d   delete a real server\n"
		   "  --list            -L|-l  list the virtual services\n"
		   "  --zero            -Z   zero the counters of one or every service\n"
		   "  --set tcp tcpfin udp   set the connection timeouts\n"
		   "  --start-daemon         start a connection sync daemon\n"
		   "  --stop-daemon          stop a connection sync daemon\n"
		   "  --sysctl [name[=value]]...  list, show or set the IPVS sysctls "
		   "(net.ipv4.vs.*)\n"
		   "  --proc file            print /proc/net/file (ip_vs, ip_vs_conn,\n"
		   "                         ip_vs_stats, ip_vs_stats_percpu) as the kernel's\n"
		   "  --help            -h   show this help\n"
		   "  --version         -v   show the version\n\n");
	fprintf(f,
		"virtual-service: --tcp-service|-t host[:port], --udp-service|-u host[:port],\n"
		"  --sctp-service host[:port], or --fwmark-service|-f fwmark [--ipv6|-6]\n\n"
		"Options:\n"
		"  --scheduler    -s sched  one of rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf "
		"mh twos (default wlc)\n"
		"  --pe name                persistence engine\n"
		"  --persistent   -p [secs] persistent service (default 360 s)\n"
		"  --netmask      -M mask   persistence granularity\n"
		"  --real-server  -r host[:port]\n"
		"  --gatewaying   -g        direct routing (the default)\n"
		"  --ipip         -i        tunnelling\n"
		"  --masquerading -m        NAT\n"
		"  --tun-type ipip|gue|gre  --tun-port port  --tun-nocsum|--tun-csum|"
		"--tun-remcsum\n"
		"  --weight       -w n      capacity of the real server (0..65535)\n"
		"  --u-threshold  -x n      upper connection threshold\n"
		"  --l-threshold  -y n      lower connection threshold\n"
		"  --ops          -o        one-packet scheduling\n"
		"  --sched-flags  -b flags  sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3\n"
		"  --connection   -c        list connections\n"
		"  --timeout                list the timeouts\n"
		"  --daemon                 list the sync daemons\n"
		"  --stats  --rate  --thresholds  --persistent-conn  --tun-info  --counters\n"
		"                           other listings\n"
		"  --exact        -X        whole numbers in --stats and --rate\n"
		"  --nosort                 list in uvsd's order\n"
		"  --numeric      -n        numeric addresses and ports\n"
		"  --mcast-interface if  --syncid id  --sync-maxlen n  --mcast-group addr\n"
		"  --mcast-port port  --mcast-ttl n    sync daemon options\n"
		"  --socket path            uvsd's control socket (default $" UVS_CTL_PATH_ENV
		" or " UVS_CTL_PATH ")\n");
}

/* ipvsadm's messages for the errors it knows per command. */
static const struct {
	enum cli_cmd cmd;
	int errnum;
	const char *msg;
} known[] = {
	{ C_ADD, EEXIST, "Service already exists" },
	{ C_ADD, ENOENT, "Scheduler or persistence engine not found" },
	{ C_EDIT, ESRCH, "No such service" },
	{ C_EDIT, ENOENT, "Scheduler or persistence engine not found" },
	{ C_DEL, ESRCH, "No such service" },
	{ C_ZERO, ESRCH, "No such service" },
	{ C_ADDDEST, ESRCH, "Service not defined" },
	{ C_ADDDEST, EEXIST, "Destination already exists" },
	{ C_EDITDEST, ESRCH, "Service not defined" },
	{ C_EDITDEST, ENOENT, "No such destination" },
	{ C_DELDEST, ESRCH, "Service not defined" },
	{ C_DELDEST, ENOENT, "No such destination" },
	{ C_STARTD, EEXIST, "Daemon has already run" },
	{ C_STOPD, ESRCH, "No daemon is running" },
	{ C_LIST, ESRCH, "No such service" },
	{ C_NONE, EPERM, "Permission denied (you must be root)" },
	{ C_NONE, EINVAL,
	  "Invalid operation.  Possibly wrong module version, address not "
	  "unicast, ..." },
	{ C_NONE, ENOPROTOOPT, "Protocol not available" },
	{ C_NONE, ENOMEM, "Memory allocation problem" },
	{ C_NONE, EOPNOTSUPP, "Operation not supported with IPv6" },
	{ C_NONE, EAFNOSUPPORT, "Operation not supported with specified address family" },
	{ C_NONE, EMSGSIZE, "Module is wrong version" },
};

const char *cli_strerror(enum cli_cmd cmd, int errnum, const char *server_msg)
{
	size_t n = sizeof(known) / sizeof(known[0]);

	for (size_t i = 0; i < n; i++) {
		if (known[i].cmd == cmd && known[i].cmd != C_NONE && known[i].errnum == errnum)
			return known[i].msg;
	}
	if (server_msg && server_msg[0])
		return server_msg;
	for (size_t i = 0; i < n; i++) {
		if (known[i].cmd == C_NONE && known[i].errnum == errnum)
			return known[i].msg;
	}
	return strerror(errnum);
}

void cli_print_conn_title(FILE *f, bool persistent)
{
	fprintf(f, "IPVS connection entries\n");
	if (persistent)
		fprintf(f, "pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source",
			"virtual", "destination", "pe name", "pe_data");
	else
		fprintf(f, "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual",
			"destination");
}

/* The protocol's name as /proc/net/ip_vs_conn writes it. */
/* As ipvsadm names a connection's protocol: a template of an fwmark service is "IP". */
static const char *conn_proto(int protocol, char *buf, size_t len)
{
	const char *name = uvs_adm_proto_name(protocol);

	if (name)
		return name;
	if (protocol == IPPROTO_IP)
		return "IP";
	snprintf(buf, len, "IP_%d", protocol);
	return buf;
}

int cli_print_conn(void *arg, const struct uvs_ctl_conn *c)
{
	const struct cli_show *s = arg;
	char cname[UVS_ADM_NAME_LEN], vname[UVS_ADM_NAME_LEN], dname[UVS_ADM_NAME_LEN];
	char proto[16], expire[24];
	unsigned secs = c->expires_ms / 1000;

	uvs_adm_addrport_name(c->af, &c->caddr, c->cport, c->protocol, s->names, cname,
			      sizeof(cname));
	uvs_adm_addrport_name(c->af, &c->vaddr, c->vport, c->protocol, s->names, vname,
			      sizeof(vname));
	uvs_adm_addrport_name(c->daf, &c->daddr, c->dport, c->protocol, s->names, dname,
			      sizeof(dname));
	snprintf(expire, sizeof(expire), "%02u:%02u", secs / 60, secs % 60);
	fprintf(s->f, "%-3s %-6s %-11s %-18s %-18s %s\n",
		conn_proto(c->protocol, proto, sizeof(proto)), expire, c->state, cname, vname,
		dname);
	return ferror(s->f) ? -EIO : 0;
}

void cli_print_daemons(FILE *f, const struct uvs_ctl_daemon *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char group[INET6_ADDRSTRLEN];
		fprintf(f, "%s sync daemon (mcast=%s, syncid=%u",
			d[i].state == IP_VS_STATE_MASTER ? "master" : "backup", d[i].mcast_ifn,
			d[i].syncid);
		if (d[i].sync_maxlen)
			fprintf(f, ", maxlen=%u", d[i].sync_maxlen);
		if (d[i].mcast_af) {
			uvs_addr_format(d[i].mcast_af, &d[i].mcast_group, group, sizeof(group));
			fprintf(f, ", group=%s", group);
		}
		if (d[i].mcast_port)
			fprintf(f, ", port=%u", d[i].mcast_port);
		if (d[i].mcast_ttl)
			fprintf(f, ", ttl=%u", d[i].mcast_ttl);
		fprintf(f, ")\n");
	}
}

int cli_print_counter(void *arg, const struct uvs_ctl_counter *c)
{
	FILE *f = arg;

	fprintf(f, "%-24s %" PRIu64 "\n", c->name, c->value);
	return ferror(f) ? -EIO : 0;
}
