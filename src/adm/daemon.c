// SPDX-License-Identifier: GPL-2.0-or-later
/* ipvsadm's sync daemon options, read and written. */
#include "daemon.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ipvsadm's string_to_number: a whole decimal number min..max, or -1. */
static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno == ERANGE || v < min || v > max)
		return -1;
	return v;
}

static int illegal(struct uvs_error *err, const char *what)
{
	return uvs_errorf(err, EINVAL, "illegal %s specified", what);
}

int uvs_adm_daemon(const struct adm_args *a, struct uvs_ctl_daemon *d, struct uvs_error *err)
{
	const char *v;
	long n;

	memset(d, 0, sizeof(*d));
	if (a->cmd_arg && !strcmp(a->cmd_arg, "master"))
		d->state = IP_VS_STATE_MASTER;
	else if (a->cmd_arg && !strcmp(a->cmd_arg, "backup"))
		d->state = IP_VS_STATE_BACKUP;
	else /* ipvsadm's words, underscore and all */
		return illegal(err, a->cmd == C_STARTD ? "start-daemon parameter" : "start_daemon");
	v = a->seen[O_MCAST_IFN] ? a->val[O_MCAST_IFN] : "eth0";
	if (strlen(v) >= sizeof(d->mcast_ifn))
		return illegal(err, "mcast-interface");
	strcpy(d->mcast_ifn, v);
	if (a->seen[O_SYNCID]) {
		if ((n = number(a->val[O_SYNCID], 0, 255)) < 0)
			return illegal(err, "syncid");
		d->syncid = (uint32_t)n;
	}
	if (a->seen[O_SYNC_MAXLEN]) {
		if ((n = number(a->val[O_SYNC_MAXLEN], 1, 65535 - 20 - 8)) < 0)
			return illegal(err, "sync-maxlen");
		d->sync_maxlen = (uint16_t)n;
	}
	if (a->seen[O_MCAST_PORT]) {
		if ((n = number(a->val[O_MCAST_PORT], 1, 65535)) < 0)
			return illegal(err, "mcast-port");
		d->mcast_port = (uint16_t)n;
	}
	if (a->seen[O_MCAST_TTL]) {
		if ((n = number(a->val[O_MCAST_TTL], 1, 255)) < 0)
			return illegal(err, "mcast-ttl");
		d->mcast_ttl = (uint8_t)n;
	}
	if (a->seen[O_MCAST_GROUP]) {
		union uvs_addr g;
		if (uvs_addr_parse(AF_INET, a->val[O_MCAST_GROUP], &g) == 0 &&
		    (ntohl(g.ip) >> 28) == 0xe)
			d->mcast_af = AF_INET;
		else if (uvs_addr_parse(AF_INET6, a->val[O_MCAST_GROUP], &g) == 0 &&
			 g.ip6[0] == 0xff)
			d->mcast_af = AF_INET6;
		else
			return illegal(err, "mcast-group");
		d->mcast_group = g;
	}
	return 0;
}

void uvs_adm_write_daemon(FILE *f, const struct uvs_ctl_daemon *d)
{
	fprintf(f, "--start-daemon %s --mcast-interface %s --syncid %u",
		d->state == IP_VS_STATE_MASTER ? "master" : "backup", d->mcast_ifn, d->syncid);
	uvs_adm_write_daemon_options(f, d);
	fputc('\n', f);
}

void uvs_adm_write_daemon_options(FILE *f, const struct uvs_ctl_daemon *d)
{
	char group[UVS_ADDR_STRLEN];

	if (d->sync_maxlen)
		fprintf(f, " --sync-maxlen %u", d->sync_maxlen);
	if (d->mcast_af)
		fprintf(f, " --mcast-group %s",
			uvs_addr_format(d->mcast_af, &d->mcast_group, group, sizeof(group)));
	if (d->mcast_port)
		fprintf(f, " --mcast-port %u", d->mcast_port);
	if (d->mcast_ttl)
		fprintf(f, " --mcast-ttl %u", d->mcast_ttl);
}
