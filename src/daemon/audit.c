// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "adm/daemon.h"
#include "adm/save.h"
#include "log.h"
#include "pkt/addr.h"

/* "uid=0 pid=1234 (uvsadm)". */
static void write_peer(FILE *f, const struct uvs_ctl_peer *p)
{
	fprintf(f, "uid=%d pid=%d", (int)p->uid, (int)p->pid);
	if (p->comm[0])
		fprintf(f, " (%.*s)", (int)sizeof(p->comm), p->comm);
}

/* Makes s one line of printable text: a client's strings (a program's name, a
 * scheduler's, a sysctl's value) must not forge log lines. A tab becomes a blank (a
 * sysctl's values are tab-separated), anything else unprintable '?'. */
static void printable(char *s)
{
	for (; *s; s++)
		if (*s == '\t')
			*s = ' ';
		else if (!isprint((unsigned char)*s))
			*s = '?';
}

/* The service's rule: "-D -t 10.0.0.1:80" and the like, or cmd alone without one. */
static void write_svc_cmd(FILE *f, const char *cmd, const struct uvs_ctl_audit *a)
{
	char name[UVS_ADM_SVC_NAME_LEN];

	fputs(cmd, f);
	if (a->has_svc) {
		uvs_adm_rule_svc_name(&a->svc.key, name, sizeof(name));
		fprintf(f, " %s", name);
	}
}

static void write_daemon(FILE *f, const struct uvs_ctl_audit *a)
{
	const struct uvs_ctl_daemon *d = &a->daemon;

	fprintf(f, "%s %s", a->cmd == IPVS_CMD_NEW_DAEMON ? "--start-daemon" : "--stop-daemon",
		d->state == IP_VS_STATE_MASTER	 ? "master"
		: d->state == IP_VS_STATE_BACKUP ? "backup"
						 : "?");
	if (a->cmd != IPVS_CMD_NEW_DAEMON)
		return;
	if (d->mcast_ifn[0])
		fprintf(f, " --mcast-interface %.*s", (int)sizeof(d->mcast_ifn), d->mcast_ifn);
	fprintf(f, " --syncid %u", d->syncid);
	uvs_adm_write_daemon_options(f, d);
}

/* What a asked, as the ipvsadm command that asks it (without "ipvsadm"); the command's
 * name if it could not be read or has no ipvsadm form. */
static void write_change(FILE *f, const struct uvs_ctl_audit *a)
{
	char ap[UVS_ADDRPORT_LEN];

	if (!a->decoded) {
		fputs(a->cmd_name, f);
		return;
	}
	switch (a->cmd) {
	case IPVS_CMD_NEW_SERVICE:
	case IPVS_CMD_SET_SERVICE:
		uvs_adm_write_svc(f, a->cmd == IPVS_CMD_NEW_SERVICE ? "-A" : "-E", &a->svc);
		break;
	case IPVS_CMD_DEL_SERVICE:
		write_svc_cmd(f, "-D", a);
		break;
	case IPVS_CMD_NEW_DEST:
	case IPVS_CMD_SET_DEST:
		uvs_adm_write_dest(f, a->cmd == IPVS_CMD_NEW_DEST ? "-a" : "-e", &a->svc.key,
				   &a->dest);
		break;
	case IPVS_CMD_DEL_DEST:
		write_svc_cmd(f, "-d", a);
		fprintf(f, " -r %s",
			uvs_addrport(a->dest.af, &a->dest.addr, a->dest.port, ap, sizeof(ap)));
		break;
	case IPVS_CMD_FLUSH:
		fputs("-C", f);
		break;
	case IPVS_CMD_ZERO:
		write_svc_cmd(f, "-Z", a);
		break;
	case IPVS_CMD_SET_CONFIG:
		fprintf(f, "--set %u %u %u", a->timeouts[0], a->timeouts[1], a->timeouts[2]);
		break;
	case IPVS_CMD_NEW_DAEMON:
	case IPVS_CMD_DEL_DAEMON:
		write_daemon(f, a);
		break;
	case UVS_CMD_SET_SYSCTL: /* as uvsadm sets one */
		fprintf(f, "--sysctl %.*s=%.*s", (int)sizeof(a->sysctl.name), a->sysctl.name,
			(int)sizeof(a->sysctl.value), a->sysctl.value);
		break;
	default:
		fputs(a->cmd_name, f);
	}
}

/* What a asked, as an ipvsadm rule without its newline, made printable, into rule. */
static void change_text(const struct uvs_ctl_audit *a, char *rule, size_t len)
{
	size_t n;
	FILE *f;

	/* The rule writers of adm/save.h write to a stream, ending with a newline. */
	rule[0] = '\0';
	if ((f = fmemopen(rule, len - 1, "w"))) {
		write_change(f, a);
		fclose(f);
	}
	if ((n = strlen(rule)) && rule[n - 1] == '\n')
		rule[n - 1] = '\0';
	printable(rule);
}

const char *uvsd_audit_text(const struct uvs_ctl_audit *a, char *buf, size_t len)
{
	char rule[512];
	FILE *f;

	change_text(a, rule, sizeof(rule));
	buf[0] = '\0';
	if ((f = fmemopen(buf, len, "w"))) {
		write_peer(f, a->peer);
		if (a->error)
			fprintf(f, ": %s: refused: %s", rule, a->msg ? a->msg : strerror(a->error));
		else
			fprintf(f, ": %s: ok", rule);
		fclose(f);
	}
	printable(buf);
	return buf;
}

/* The peer's fields (uid, pid, and comm if known) into f[0..); returns how many.
 * The values point into ids and comm. */
static size_t peer_fields(const struct uvs_ctl_peer *p, struct uvs_log_field *f, char ids[2][16],
			  char comm[sizeof(p->comm) + 1])
{
	size_t n = 0;

	snprintf(ids[0], sizeof(ids[0]), "%d", (int)p->uid);
	snprintf(ids[1], sizeof(ids[1]), "%d", (int)p->pid);
	f[n++] = (struct uvs_log_field){ "uid", ids[0] };
	f[n++] = (struct uvs_log_field){ "pid", ids[1] };
	if (p->comm[0]) {
		snprintf(comm, sizeof(p->comm) + 1, "%.*s", (int)sizeof(p->comm), p->comm);
		printable(comm);
		f[n++] = (struct uvs_log_field){ "comm", comm };
	}
	return n;
}

size_t uvsd_audit_fields(const struct uvs_ctl_audit *a, struct uvsd_audit_kv *kv)
{
	size_t n = peer_fields(a->peer, kv->f, kv->ids, kv->comm);

	change_text(a, kv->change, sizeof(kv->change));
	kv->f[n++] = (struct uvs_log_field){ "change", kv->change };
	kv->f[n++] = (struct uvs_log_field){ "result", a->error ? "refused" : "ok" };
	if (a->error) {
		snprintf(kv->error, sizeof(kv->error), "%s", a->msg ? a->msg : strerror(a->error));
		printable(kv->error);
		kv->f[n++] = (struct uvs_log_field){ "error", kv->error };
	}
	return n;
}

void uvsd_audit(void *ctl_arg, const struct uvs_ctl_audit *a)
{
	struct uvsd_audit_kv kv;
	char text[1024];

	(void)ctl_arg;
	if (!uvs_log_enabled(LOG_NOTICE))
		return;
	if (uvs_log_get_format() == UVS_LOG_TEXT)
		uvs_log(LOG_NOTICE, "audit: %s", uvsd_audit_text(a, text, sizeof(text)));
	else
		uvs_log_kv(LOG_NOTICE, kv.f, uvsd_audit_fields(a, &kv), "audit");
}

void uvsd_audit_skipped(void *ctl_arg, const struct uvs_ctl_peer *peer, unsigned long ok,
			unsigned long refused)
{
	struct uvs_log_field f[6];
	char who[64] = "", ids[2][16], comm[sizeof(peer->comm) + 1], counts[3][24];
	size_t n = 0;
	FILE *fp;

	(void)ctl_arg;
	if (!uvs_log_enabled(LOG_NOTICE))
		return;
	if (uvs_log_get_format() == UVS_LOG_KV) {
		if (peer)
			n = peer_fields(peer, f, ids, comm);
		snprintf(counts[0], sizeof(counts[0]), "%lu", ok + refused);
		snprintf(counts[1], sizeof(counts[1]), "%lu", ok);
		snprintf(counts[2], sizeof(counts[2]), "%lu", refused);
		f[n++] = (struct uvs_log_field){ "not_logged", counts[peer ? 0 : 2] };
		if (peer) {
			f[n++] = (struct uvs_log_field){ "ok", counts[1] };
			f[n++] = (struct uvs_log_field){ "refused", counts[2] };
		}
		uvs_log_kv(LOG_NOTICE, f, n, "audit: %s not logged one by one (the audit's limit)",
			   peer ? "changes" : "connections refused");
		return;
	}
	if (!peer) {
		uvs_log(LOG_NOTICE,
			"audit: %lu more connections refused, not logged one by one (the audit's "
			"limit)",
			refused);
		return;
	}
	if ((fp = fmemopen(who, sizeof(who), "w"))) {
		write_peer(fp, peer);
		fclose(fp);
	}
	printable(who);
	uvs_log(LOG_NOTICE,
		"audit: %s: %lu more changes not logged one by one (the audit's limit): %lu ok, "
		"%lu refused",
		who, ok + refused, ok, refused);
}
