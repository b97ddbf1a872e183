// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the control server (src/ctl): each input is one request
 * datagram, fed to a server whose model holds a service with a destination. Checks:
 * - every reply datagram holds whole netlink messages for the request's seq, at most
 *   UVS_CTL_DGRAM_MAX bytes, and a refusal is one NLMSG_ERROR with a message;
 * - a refused request leaves the configuration exactly as it was (compared through
 *   `ipvsadm -S -n` output);
 * - what an accepted request leaves saves to a text that restores, and from then on
 *   save and restore agree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/rules.h"
#include "adm/save.h"
#include "ctl/server.h"

static struct uvs_model model, copy;
static struct uvs_ctl_server *srv;
static uvs_time_t now;

/* Each input is 200 s after the last, so the trash of deleted destinations empties. */
static uvs_time_t fuzz_clock(void *arg)
{
	(void)arg;
	return now;
}

static size_t conns(void *arg, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max)
{
	(void)arg;
	if (*cursor >= 3 || max == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->protocol = IPPROTO_TCP;
	out->af = out->daf = AF_INET;
	snprintf(out->state, sizeof(out->state), "ESTABLISHED");
	++*cursor;
	return 1;
}

static size_t counters(void *arg, struct uvs_ctl_counter *out, size_t max)
{
	(void)arg;
	if (max == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "no_dest");
	out->value = 7;
	return 1;
}

static const struct uvs_ctl_ops ops = { .conns = conns, .counters = counters };

static void setup(void)
{
	struct uvs_ctl_config c = {
		.group = (gid_t)-1, .conn_tab_size = 4096, .model = &model, .ops = &ops
	};
	struct uvs_error err;

	rcu_register_thread();
	if (uvs_model_init(&model, 1) < 0 || uvs_model_init(&copy, 1) < 0 ||
	    uvs_ctl_server_open(&srv, &c, &err) < 0)
		abort();
	uvs_model_set_clock(&model, fuzz_clock, NULL);
	uvs_model_set_clock(&copy, fuzz_clock, NULL);
}

static char *save_or_die(struct uvs_model *m)
{
	char *s = uvs_adm_save_string(m);
	if (!s)
		abort();
	return s;
}

static void apply_or_die(struct uvs_model *m, const char *text)
{
	struct uvs_adm_error err;
	if (uvs_adm_apply(m, NULL, text, &err) < 0) {
		fprintf(stderr, "fuzz_ctl: a text that must apply was refused: %s\n%s", err.msg,
			text);
		abort();
	}
}

/* What the replies said: the last message's error, and whether there was any. */
struct seen {
	uint32_t seq;
	uint16_t type; /* the request's */
	int error;
	bool any, ended;
};

static void sink(void *arg, const void *buf, size_t len)
{
	struct seen *s = arg;
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	if (len > UVS_CTL_DGRAM_MAX || s->ended)
		abort();
	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		if (nlh->nlmsg_seq != s->seq)
			abort();
		s->any = true;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e) || e->error > 0)
				abort();
			if (e->error && !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
				abort();
			s->error = e->error;
			s->ended = true;
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			s->ended = true;
		} else if (nlh->nlmsg_type != UVS_CTL_FAMILY &&
			   !(nlh->nlmsg_type == GENL_ID_CTRL && s->type == GENL_ID_CTRL)) {
			/* uvs's family, or the controller's answer to a controller request */
			abort();
		}
	}
	if (rem != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = { 0 };

	if (!srv)
		setup();
	now += 200 * UVS_NS_PER_SEC;
	uvs_model_expire_trash(&model);
	uvs_model_expire_trash(&copy);
	uvs_svc_flush(&model);
	apply_or_die(&model, "-A -t 10.0.0.1:80 -s wlc\n"
			     "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 2\n");
	char *before = save_or_die(&model);

	if (size >= sizeof(struct nlmsghdr)) {
		memcpy(&s.seq, data + offsetof(struct nlmsghdr, nlmsg_seq), sizeof(s.seq));
		memcpy(&s.type, data + offsetof(struct nlmsghdr, nlmsg_type), sizeof(s.type));
	}
	uvs_ctl_server_feed(srv, data, size, sink, &s);
	char *after = save_or_die(&model);
	if (s.error && strcmp(before, after)) {
		fprintf(stderr, "fuzz_ctl: refused request (%d) changed the model:\n%s--\n%s",
			s.error, before, after);
		abort();
	}
	if (!s.error) {
		/* The kernel's ABI allows what ipvsadm's rules cannot say (a tunnel or direct
		 * route to another port, a Local destination), so the first restore may
		 * normalise; from then on save and restore must agree. */
		struct uvs_adm_error err;
		uvs_svc_flush(&copy);
		if (uvs_adm_apply(&copy, NULL, after, &err) < 0) {
			/* ipvsadm forces a -g/-i destination's port to the service's: two
			 * destinations that differ only in port may then collide, as they
			 * would restoring an ipvsadm -S of the kernel's table. */
			if (!strstr(err.msg, "Destination already exists")) {
				fprintf(stderr, "fuzz_ctl: saved text refused: %s\n%s", err.msg,
					after);
				abort();
			}
			free(before);
			free(after);
			return 0;
		}
		char *once = save_or_die(&copy);
		uvs_svc_flush(&copy);
		apply_or_die(&copy, once);
		char *twice = save_or_die(&copy);
		if (strcmp(once, twice)) {
			fprintf(stderr, "fuzz_ctl: save/restore differs:\n%s--\n%s", once, twice);
			abort();
		}
		free(once);
		free(twice);
	}
	free(before);
	free(after);
	return 0;
}
