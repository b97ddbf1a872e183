// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for uvsd's control socket: each input is one datagram, handed to
 * the server over a model that persists between inputs. Every reply the server sends
 * must be a well-formed netlink message; the model must stay one that saves and
 * applies back (nothing half applied or broken).
 */
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/rules.h"
#include "adm/save.h"
#include "ctl/server.h"
#include "uvs/ctl.h"

static struct uvs_model model;
static struct uvs_timeouts timeouts;
static struct uvs_ctl ctl;
static unsigned inputs;

static int check_reply(void *arg, const struct nlmsghdr *nlh)
{
	(void)arg;
	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > UVS_CTL_MSG_MAX)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctl.model) {
		rcu_register_thread();
		if (uvs_model_init(&model, 1) < 0)
			abort();
		uvs_timeouts_default(&timeouts);
		ctl = (struct uvs_ctl){ .model = &model,
					.timeouts = &timeouts,
					.conn_tab_size = 4096 };
	}
	uvs_ctl_handle(&ctl, data, size, check_reply, NULL);
	/* Now and then: the configuration must save and load back as it is. */
	if (++inputs % 64 == 0) {
		struct uvs_model copy;
		struct uvs_adm_error err;
		char *saved = uvs_adm_save_string(&model);
		if (!saved || uvs_model_init(&copy, 1) < 0)
			abort();
		if (uvs_adm_apply(&copy, NULL, saved, &err) < 0) {
			fprintf(stderr, "fuzz_ctl: the model saves a text it refuses: %s\n%s",
				err.msg, saved);
			abort();
		}
		uvs_model_destroy(&copy);
		free(saved);
	}
	return 0;
}
