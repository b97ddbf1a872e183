// SPDX-License-Identifier: GPL-2.0-or-later
/* The SYSCTL nest of GET_SYSCTL and SET_SYSCTL (include/uvs/ctl.h). */
#include "codec.h"

#include <errno.h>
#include <stdio.h>

#include "core/sysctl.h"

_Static_assert(UVS_SYSCTL_VALUE_MAX <= UVS_CTL_SYSCTL_MAX, "a value's text fits the attribute");

static const struct uvs_ctl_policy sysctl_policy[UVS_SYSCTL_ATTR_MAX + 1] = {
	[UVS_SYSCTL_ATTR_NAME] = { UVS_CTL_STR, UVS_CTL_SYSCTL_MAX, "NAME" },
	[UVS_SYSCTL_ATTR_VALUE] = { UVS_CTL_STR, UVS_CTL_SYSCTL_MAX, "VALUE" },
};

void uvs_ctl_put_sysctl(struct uvs_ctl_msg *w, const char *name, const char *value)
{
	struct nlattr *n = uvs_ctl_nest_start(w, UVS_CMD_ATTR_SYSCTL);

	uvs_ctl_put_str(w, UVS_SYSCTL_ATTR_NAME, name);
	if (value)
		uvs_ctl_put_str(w, UVS_SYSCTL_ATTR_VALUE, value);
	uvs_ctl_nest_end(w, n);
}

int uvs_ctl_get_sysctl(const struct nlattr *nest, bool with_value, struct uvs_ctl_sysctl *c,
		       struct uvs_error *err)
{
	const struct nlattr *tb[UVS_SYSCTL_ATTR_MAX + 1];
	int ret;

	c->name[0] = c->value[0] = 0;
	if ((ret = uvs_ctl_parse(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
				 sysctl_policy, UVS_SYSCTL_ATTR_MAX, tb, "SYSCTL", err)))
		return ret;
	if (!tb[UVS_SYSCTL_ATTR_NAME])
		return uvs_errorf(err, EINVAL, "SYSCTL: attribute NAME missing");
	if (with_value && !tb[UVS_SYSCTL_ATTR_VALUE])
		return uvs_errorf(err, EINVAL, "SYSCTL: attribute VALUE missing");
	if (!with_value && tb[UVS_SYSCTL_ATTR_VALUE])
		return uvs_errorf(err, EINVAL, "SYSCTL: a VALUE where none goes");
	snprintf(c->name, sizeof(c->name), "%s", mnl_attr_get_str(tb[UVS_SYSCTL_ATTR_NAME]));
	if (with_value)
		snprintf(c->value, sizeof(c->value), "%s",
			 mnl_attr_get_str(tb[UVS_SYSCTL_ATTR_VALUE]));
	return 0;
}
