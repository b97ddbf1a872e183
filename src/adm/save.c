// SPDX-License-Identifier: GPL-2.0-or-later
/* `ipvsadm -S -n`: the configuration as rules. */
#include "save.h"
#include "names.h"
#include "rules.h"
#include "core/snap.h"

#include <errno.h>
#include <stdlib.h>

/* How a rule names its service: "-t 10.0.0.1:80", "-f 7 -6"; by name with names. */
static void rule_svc_name(const struct uvs_svc_key *k, bool names, char *buf, size_t len)
{
	char ap[UVS_ADM_NAME_LEN];
	const char *opt = "-t";

	if (k->fwmark) {
		snprintf(buf, len, "-f %u%s", k->fwmark, k->af == AF_INET6 ? " -6" : "");
		return;
	}
	if (k->protocol == IPPROTO_UDP)
		opt = "-u";
	else if (k->protocol == IPPROTO_SCTP)
		opt = "--sctp-service";
	snprintf(buf, len, "%s %s", opt,
		 uvs_adm_addrport_name(k->af, &k->addr, k->port, k->protocol, names, ap,
				       sizeof(ap)));
}

void uvs_adm_rule_svc_name(const struct uvs_svc_key *k, char *buf, size_t len)
{
	rule_svc_name(k, false, buf, len);
}

static void write_svc(FILE *f, const char *cmd, const struct uvs_svc_conf *c, bool names)
{
	char name[UVS_ADM_SVC_NAME_LEN];
	char flags[64];
	char mask[UVS_ADDR_STRLEN];

	rule_svc_name(&c->key, names, name, sizeof(name));
	fprintf(f, "%s %s -s %s", cmd, name, c->sched_name);
	if (c->flags & UVS_SVC_F_PERSISTENT) {
		fprintf(f, " -p %u", c->timeout);
		if (c->key.af == AF_INET6 && c->netmask != 128)
			fprintf(f, " -M %u", c->netmask);
		else if (c->key.af != AF_INET6 && c->netmask != 0xffffffffu)
			fprintf(f, " -M %s",
				uvs_addr_format(AF_INET, &(union uvs_addr){ .ip = c->netmask },
						mask, sizeof(mask)));
	}
	if (c->pe_name[0])
		fprintf(f, " --pe %s", c->pe_name);
	if (c->flags & UVS_SVC_F_ONEPACKET)
		fprintf(f, " -o");
	/* Last, as ipvsadm 1.31 writes them. */
	uvs_adm_sched_flags_format(c->sched_name, c->flags, flags, sizeof(flags));
	if (flags[0])
		fprintf(f, " -b %s", flags);
	fputc('\n', f);
}

void uvs_adm_write_svc(FILE *f, const char *cmd, const struct uvs_svc_conf *c)
{
	write_svc(f, cmd, c, false);
}

static const char *fwd_switch(uint32_t fwd)
{
	switch (fwd & UVS_FWD_MASK) {
	case UVS_FWD_MASQ:
		return "-m";
	case UVS_FWD_TUNNEL:
		return "-i";
	default: /* the kernel itself makes a destination Local: written as -g */
		return "-g";
	}
}

static void write_dest(FILE *f, const char *cmd, const struct uvs_svc_key *svc,
		       const struct uvs_dest_conf *d, bool names)
{
	static const char *const tun_types[] = { "ipip", "gue", "gre" };
	static const char *const csum[] = { "--tun-nocsum", "--tun-csum", "--tun-remcsum" };
	char name[UVS_ADM_SVC_NAME_LEN];
	char ap[UVS_ADM_NAME_LEN];

	rule_svc_name(svc, names, name, sizeof(name));
	fprintf(f, "%s %s -r %s %s -w %lld", cmd, name,
		uvs_adm_addrport_name(d->af, &d->addr, d->port, svc->protocol, names, ap,
				      sizeof(ap)),
		fwd_switch(d->fwd), (long long)d->weight);
	if ((d->fwd & UVS_FWD_MASK) == UVS_FWD_TUNNEL && d->tun_type <= UVS_TUN_TYPE_GRE) {
		fprintf(f, " --tun-type %s", tun_types[d->tun_type]);
		if (d->tun_type == UVS_TUN_TYPE_GUE)
			fprintf(f, " --tun-port %u", ntohs(d->tun_port));
		if (d->tun_type != UVS_TUN_TYPE_IPIP)
			fprintf(f, " %s",
				csum[d->tun_flags & UVS_TUN_F_REMCSUM
					     ? 2
					     : d->tun_flags & UVS_TUN_F_CSUM]);
	}
	/* ipvsadm does not save thresholds; uvs does, so that restoring keeps them. */
	if (d->u_threshold)
		fprintf(f, " -x %u", d->u_threshold);
	if (d->l_threshold)
		fprintf(f, " -y %u", d->l_threshold);
	fputc('\n', f);
}

void uvs_adm_write_dest(FILE *f, const char *cmd, const struct uvs_svc_key *svc,
			const struct uvs_dest_conf *d)
{
	write_dest(f, cmd, svc, d, false);
}

int uvs_adm_save_snap(FILE *f, const struct uvs_snap *s, bool names)
{
	for (unsigned i = 0; i < s->nsvcs; i++) {
		const struct uvs_snap_svc *svc = &s->svcs[i];
		write_svc(f, "-A", &svc->conf, names);
		for (unsigned j = 0; j < svc->ndests; j++)
			write_dest(f, "-a", &svc->conf.key, &svc->dests[j].conf, names);
	}
	return ferror(f) ? -EIO : 0;
}

int uvs_adm_save_in_order(FILE *f, struct uvs_model *m)
{
	struct uvs_snap s;
	int ret = uvs_snap_take(m, NULL, false, &s);

	if (ret)
		return ret;
	for (unsigned i = 0; i < s.nsvcs; i++) {
		const struct uvs_snap_svc *svc = &s.svcs[i];
		write_svc(f, "-A", &svc->conf, false);
		/* The model lists them newest first; each -a puts its own first. */
		for (unsigned j = svc->ndests; j-- > 0;)
			write_dest(f, "-a", &svc->conf.key, &svc->dests[j].conf, false);
	}
	uvs_snap_free(&s);
	return ferror(f) ? -EIO : 0;
}

int uvs_adm_save(FILE *f, struct uvs_model *m)
{
	struct uvs_snap s;
	int ret = uvs_snap_take(m, NULL, true, &s);

	if (ret)
		return ret;
	ret = uvs_adm_save_snap(f, &s, false);
	uvs_snap_free(&s);
	return ret;
}

char *uvs_adm_save_string(struct uvs_model *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return NULL;
	ret = uvs_adm_save(f, m);
	if (fclose(f) != 0 || ret) {
		free(buf);
		return NULL;
	}
	return buf;
}
