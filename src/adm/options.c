// SPDX-License-Identifier: GPL-2.0-or-later
/* ipvsadm 1.31's command and option table; see options.h. */
#include "options.h"

#include <netinet/in.h>
#include <string.h>

#include "uvs/ipvs.h"

const char *const cli_cmd_names[] = {
	[C_ADD] = "add-service",
	[C_EDIT] = "edit-service",
	[C_DEL] = "delete-service",
	[C_FLUSH] = "flush",
	[C_LIST] = "list",
	[C_ADDDEST] = "add-server",
	[C_DELDEST] = "delete-server",
	[C_EDITDEST] = "edit-server",
	[C_SET] = "set",
	[C_STARTD] = "start-daemon",
	[C_STOPD] = "stop-daemon",
	[C_RESTORE] = "restore",
	[C_SAVE] = "save",
	[C_ZERO] = "zero",
};

const char *const cli_opt_names[O_COUNT] = {
	"numeric",
	"connection",
	"service-address",
	"scheduler",
	"persistent",
	"netmask",
	"real-server",
	"forwarding-method",
	"weight",
	"u-threshold",
	"l-threshold",
	"mcast-interface",
	"timeout",
	"daemon",
	"stats",
	"rate",
	"thresholds",
	"persistent-conn",
	"nosort",
	"syncid",
	"exact",
	"ops",
	"pe",
	"sched-flags",
	"mcast-group",
	"mcast-port",
	"mcast-ttl",
	"sync-maxlen",
	"tun-info",
	"tun-type",
	"tun-port",
	"tun-nocsum",
	"tun-csum",
	"tun-remcsum",
	"counters",
	"ipv6",
	"sort",
	"socket",
};

/*
 * For each command, one character per checked option (enum cli_opt order): '+' needed,
 * 'x' refused, '1' at most one of the '1's, ' ' allowed. ipvsadm 1.31's table, with
 * uvs's --counters as one more of -L's exclusive choices.
 */
/* clang-format off */
static const char cmd_rows[C_VERSION + 1][O_CHECKED + 1] = {
	/*            -n-csvc-s-p-M-rfd-w-x-y-mtodm-s-r-t-p-n-s-e-o-p-b-g-p-t-z-t-t-t-n-c-r-c */
	[C_ADD]      = "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
	[C_EDIT]     = "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxx",
	[C_DEL]      = "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_FLUSH]    = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_LIST]     = " 11xxxxxxxxx11       xxxxxxx xxxxx1",
	[C_ADDDEST]  = "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
	[C_DELDEST]  = "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_EDITDEST] = "xx+xxx+    xxxxxxxxxxxxxxxxxx     x",
	[C_SET]      = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_STARTD]   = "xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx",
	[C_STOPD]    = "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxx",
	[C_RESTORE]  = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_SAVE]     = " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	[C_ZERO]     = "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
};
/* clang-format on */

static const struct adm_optdef defs[] = {
	{ "add-service", 'A', ADM_NO_ARG, C_ADD, 0, 0 },
	{ "edit-service", 'E', ADM_NO_ARG, C_EDIT, 0, 0 },
	{ "delete-service", 'D', ADM_NO_ARG, C_DEL, 0, 0 },
	{ "clear", 'C', ADM_NO_ARG, C_FLUSH, 0, 0 },
	{ "list", 'L', ADM_NO_ARG, C_LIST, 0, 0 },
	{ NULL, 'l', ADM_NO_ARG, C_LIST, 0, 0 },
	{ "zero", 'Z', ADM_NO_ARG, C_ZERO, 0, 0 },
	{ "add-server", 'a', ADM_NO_ARG, C_ADDDEST, 0, 0 },
	{ "edit-server", 'e', ADM_NO_ARG, C_EDITDEST, 0, 0 },
	{ "delete-server", 'd', ADM_NO_ARG, C_DELDEST, 0, 0 },
	{ "set", 0, ADM_NO_ARG, C_SET, 0, 0 },
	{ "help", 'h', ADM_NO_ARG, C_HELP, 0, 0 },
	{ "version", 'v', ADM_NO_ARG, C_VERSION, 0, 0 },
	{ "restore", 'R', ADM_NO_ARG, C_RESTORE, 0, 0 },
	{ "save", 'S', ADM_NO_ARG, C_SAVE, 0, 0 },
	{ "start-daemon", 0, ADM_ARG, C_STARTD, 0, 0 },
	{ "stop-daemon", 0, ADM_ARG, C_STOPD, 0, 0 },
	{ "tcp-service", 't', ADM_ARG, C_NONE, O_SERVICE, IPPROTO_TCP },
	{ "udp-service", 'u', ADM_ARG, C_NONE, O_SERVICE, IPPROTO_UDP },
	{ "sctp-service", 0, ADM_ARG, C_NONE, O_SERVICE, IPPROTO_SCTP },
	{ "fwmark-service", 'f', ADM_ARG, C_NONE, O_SERVICE, 0 },
	{ "scheduler", 's', ADM_ARG, C_NONE, O_SCHED, 0 },
	{ "persistent", 'p', ADM_OPT_ARG, C_NONE, O_PERSIST, 0 },
	{ "netmask", 'M', ADM_ARG, C_NONE, O_NETMASK, 0 },
	{ "real-server", 'r', ADM_ARG, C_NONE, O_SERVER, 0 },
	{ "masquerading", 'm', ADM_NO_ARG, C_NONE, O_FWD, UVS_FWD_MASQ },
	{ "ipip", 'i', ADM_NO_ARG, C_NONE, O_FWD, UVS_FWD_TUNNEL },
	{ "gatewaying", 'g', ADM_NO_ARG, C_NONE, O_FWD, UVS_FWD_DROUTE },
	{ "weight", 'w', ADM_ARG, C_NONE, O_WEIGHT, 0 },
	{ "u-threshold", 'x', ADM_ARG, C_NONE, O_UTHRESH, 0 },
	{ "l-threshold", 'y', ADM_ARG, C_NONE, O_LTHRESH, 0 },
	{ "numeric", 'n', ADM_NO_ARG, C_NONE, O_NUMERIC, 0 },
	{ "connection", 'c', ADM_NO_ARG, C_NONE, O_CONN, 0 },
	{ "mcast-interface", 0, ADM_ARG, C_NONE, O_MCAST_IFN, 0 },
	{ "syncid", 0, ADM_ARG, C_NONE, O_SYNCID, 0 },
	{ "timeout", 0, ADM_NO_ARG, C_NONE, O_TIMEOUT, 0 },
	{ "daemon", 0, ADM_NO_ARG, C_NONE, O_DAEMON, 0 },
	{ "stats", 0, ADM_NO_ARG, C_NONE, O_STATS, 0 },
	{ "rate", 0, ADM_NO_ARG, C_NONE, O_RATE, 0 },
	{ "thresholds", 0, ADM_NO_ARG, C_NONE, O_THRESHOLDS, 0 },
	{ "persistent-conn", 0, ADM_NO_ARG, C_NONE, O_PERSISTCONN, 0 },
	{ "nosort", 0, ADM_NO_ARG, C_NONE, O_NOSORT, 0 },
	{ "sort", 0, ADM_NO_ARG, C_NONE, O_SORT, 0 },
	{ "exact", 'X', ADM_NO_ARG, C_NONE, O_EXACT, 0 },
	{ "ipv6", '6', ADM_NO_ARG, C_NONE, O_IPV6, 0 },
	{ "ops", 'o', ADM_NO_ARG, C_NONE, O_OPS, 0 },
	{ "pe", 0, ADM_ARG, C_NONE, O_PE, 0 },
	{ "sched-flags", 'b', ADM_ARG, C_NONE, O_SCHED_FLAGS, 0 },
	{ "mcast-group", 0, ADM_ARG, C_NONE, O_MCAST_GROUP, 0 },
	{ "mcast-port", 0, ADM_ARG, C_NONE, O_MCAST_PORT, 0 },
	{ "mcast-ttl", 0, ADM_ARG, C_NONE, O_MCAST_TTL, 0 },
	{ "sync-maxlen", 0, ADM_ARG, C_NONE, O_SYNC_MAXLEN, 0 },
	{ "tun-info", 0, ADM_NO_ARG, C_NONE, O_TUN_INFO, 0 },
	{ "tun-type", 0, ADM_ARG, C_NONE, O_TUN_TYPE, 0 },
	{ "tun-port", 0, ADM_ARG, C_NONE, O_TUN_PORT, 0 },
	{ "tun-nocsum", 0, ADM_NO_ARG, C_NONE, O_TUN_NOCSUM, 0 },
	{ "tun-csum", 0, ADM_NO_ARG, C_NONE, O_TUN_CSUM, 0 },
	{ "tun-remcsum", 0, ADM_NO_ARG, C_NONE, O_TUN_REMCSUM, 0 },
	{ "counters", 0, ADM_NO_ARG, C_NONE, O_COUNTERS, 0 },
	{ "socket", 0, ADM_ARG, C_NONE, O_SOCKET, 0 },
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

const struct adm_optdef *adm_opt_long(const char *name, size_t n)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (defs[i].lng && strlen(defs[i].lng) == n && !strncmp(defs[i].lng, name, n))
			return &defs[i];
	}
	return NULL;
}

const struct adm_optdef *adm_opt_short(char c)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (c && defs[i].shrt == c)
			return &defs[i];
	}
	return NULL;
}

enum adm_check adm_opt_check(enum cli_cmd cmd, const bool seen[O_CHECKED], int *opt, int *other)
{
	const char *row = cmd_rows[cmd];
	int last = -1;

	for (int o = 0; o < O_CHECKED; o++) {
		*opt = o;
		if (!seen[o] && row[o] == '+')
			return ADM_CHECK_NEEDED;
		if (seen[o] && row[o] == 'x')
			return ADM_CHECK_ILLEGAL;
		if (seen[o] && row[o] == '1') {
			if (last >= 0) {
				*other = last;
				return ADM_CHECK_CONFLICT;
			}
			last = o;
		}
	}
	return ADM_CHECK_OK;
}
