// SPDX-License-Identifier: GPL-2.0-or-later
/* The client's side of GET_SYSCTL and SET_SYSCTL (include/uvs/ctl.h). */
#include "client-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct sysctl_walk {
	int (*fn)(void *arg, const struct uvs_ctl_sysctl *s); /* NULL: keep the first */
	void *arg;
	struct uvs_ctl_sysctl first;
	size_t n;
};

static int got_sysctl(void *arg, uint8_t cmd, const struct nlattr *const *tb, struct uvs_error *err)
{
	struct sysctl_walk *wk = arg;
	struct uvs_ctl_sysctl one;
	struct uvs_error why;

	if (cmd != UVS_CMD_GET_SYSCTL || !tb[UVS_CMD_ATTR_SYSCTL])
		return uvs_errorf(err, EPROTO, "unexpected reply to GET_SYSCTL");
	if (uvs_ctl_get_sysctl(tb[UVS_CMD_ATTR_SYSCTL], true, &one, &why) < 0)
		return uvs_errorf(err, EPROTO, "malformed sysctl: %s", why.msg);
	if (wk->fn)
		return wk->fn(wk->arg, &one);
	if (wk->n++)
		return uvs_errorf(err, EPROTO, "more than one reply to GET_SYSCTL");
	wk->first = one;
	return 0;
}

/* Refuses a name or value the SYSCTL nest cannot carry, as uvsd would refuse it. */
static int check_text(const char *name, const char *value, struct uvs_error *err)
{
	if (strlen(name) >= UVS_CTL_SYSCTL_MAX)
		return uvs_errorf(err, ENOENT, "%.40s...: no such IPVS sysctl", name);
	if (value && strlen(value) >= UVS_CTL_SYSCTL_MAX)
		return uvs_errorf(err, EINVAL, "%s: a value of more than %d characters", name,
				  UVS_CTL_SYSCTL_MAX - 1);
	return 0;
}

int uvs_ctl_sysctl_get(struct uvs_ctl_client *c, const char *name, char value[UVS_CTL_SYSCTL_MAX],
		       struct uvs_error *err)
{
	struct sysctl_walk wk = { 0 };
	int ret;

	if ((ret = check_text(name, NULL, err)))
		return ret;
	uvs_ctl_put_sysctl(uvs_ctl_client_start(c, UVS_CMD_GET_SYSCTL, false), name, NULL);
	if ((ret = uvs_ctl_client_run(c, got_sysctl, &wk, err)))
		return ret;
	if (!wk.n)
		return uvs_errorf(err, EPROTO, "no reply to GET_SYSCTL");
	snprintf(value, UVS_CTL_SYSCTL_MAX, "%s", wk.first.value);
	return 0;
}

int uvs_ctl_sysctl_list(struct uvs_ctl_client *c,
			int (*fn)(void *arg, const struct uvs_ctl_sysctl *s), void *arg,
			struct uvs_error *err)
{
	struct sysctl_walk wk = { .fn = fn, .arg = arg };

	uvs_ctl_client_start(c, UVS_CMD_GET_SYSCTL, true);
	return uvs_ctl_client_run(c, got_sysctl, &wk, err);
}

int uvs_ctl_sysctl_set(struct uvs_ctl_client *c, const char *name, const char *value,
		       struct uvs_error *err)
{
	int ret;

	if ((ret = check_text(name, value, err)))
		return ret;
	uvs_ctl_put_sysctl(uvs_ctl_client_start(c, UVS_CMD_SET_SYSCTL, false), name, value);
	return uvs_ctl_client_run(c, NULL, NULL, err);
}
