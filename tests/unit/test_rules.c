// SPDX-License-Identifier: GPL-2.0-or-later
/* The ipvsadm command parser: options, long forms, defaults, ipvsadm's rules and its
 * error for each kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "adm_helpers.h"

static struct uvs_ctl_req parse_ok(const char *line)
{
	struct uvs_ctl_req cmd;
	struct uvs_error err = { { 0 } };
	int ret = uvs_adm_parse_line(line, &cmd, &err);

	if (ret != 0)
		fail_msg("\"%s\" refused (%d): %s", line, ret, err.msg);
	return cmd;
}

static void parse_bad(const char *line, const char *msg)
{
	struct uvs_ctl_req cmd;
	struct uvs_error err = { { 0 } };
	int ret = uvs_adm_parse_line(line, &cmd, &err);

	if (ret != -EINVAL)
		fail_msg("\"%s\" gave %d, wanted -EINVAL", line, ret);
	if (!strstr(err.msg, msg))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", line, err.msg, msg);
}

static uint32_t ip4(const char *s)
{
	union uvs_addr a;

	assert_int_equal(uvs_addr_parse(AF_INET, s, &a), 0);
	return a.ip;
}

static void test_service_defaults(void **state)
{
	struct uvs_ctl_req c = parse_ok("-A -t 10.0.0.1:80");

	(void)state;
	assert_int_equal(c.kind, UVS_REQ_ADD_SVC);
	assert_int_equal(c.svc.key.af, AF_INET);
	assert_int_equal(c.svc.key.protocol, IPPROTO_TCP);
	assert_int_equal(c.svc.key.addr.ip, ip4("10.0.0.1"));
	assert_int_equal(c.svc.key.port, htons(80));
	assert_int_equal(c.svc.key.fwmark, 0);
	assert_string_equal(c.svc.sched_name, "wlc");
	assert_int_equal(c.svc.flags, 0);
	assert_int_equal(c.svc.netmask, 0xffffffffu);

	c = parse_ok("ipvsadm -E -u [2001:db8::1]:53 -s sh -b sh-fallback,sh-port -o");
	assert_int_equal(c.kind, UVS_REQ_EDIT_SVC);
	assert_int_equal(c.svc.key.af, AF_INET6);
	assert_int_equal(c.svc.key.protocol, IPPROTO_UDP);
	assert_int_equal(c.svc.key.addr.ip6[15], 1);
	assert_int_equal(c.svc.netmask, 128);
	assert_string_equal(c.svc.sched_name, "sh");
	assert_int_equal(c.svc.flags, UVS_SVC_F_SCHED_SH_FALLBACK | UVS_SVC_F_SCHED_SH_PORT |
					      UVS_SVC_F_ONEPACKET);

	c = parse_ok("  -D --sctp-service 10.0.0.1:9 ");
	assert_int_equal(c.kind, UVS_REQ_DEL_SVC);
	assert_int_equal(c.svc.key.protocol, IPPROTO_SCTP);

	/* A bare IPv6 address is taken whole, with port 0. */
	c = parse_ok("-A -t 2001:db8::5 -p");
	assert_int_equal(c.svc.key.af, AF_INET6);
	assert_int_equal(c.svc.key.port, 0);
}

static void test_persistence(void **state)
{
	struct uvs_ctl_req c;

	(void)state;
	c = parse_ok("-A -t 10.0.0.1:80 -p");
	assert_int_equal(c.svc.flags, UVS_SVC_F_PERSISTENT);
	assert_int_equal(c.svc.timeout, 360);
	c = parse_ok("-A -t 10.0.0.1:80 -p 300");
	assert_int_equal(c.svc.timeout, 300);
	c = parse_ok("-A -t 10.0.0.1:80 -p300");
	assert_int_equal(c.svc.timeout, 300);
	c = parse_ok("-A -t 10.0.0.1:80 --persistent=120");
	assert_int_equal(c.svc.timeout, 120);
	c = parse_ok("-A -t 10.0.0.1:80 --persistent 2678400");
	assert_int_equal(c.svc.timeout, 2678400);
	/* An optional value is not taken from the next option. */
	c = parse_ok("-A -t 10.0.0.1:0 -p -M 255.255.255.0");
	assert_int_equal(c.svc.timeout, 360);
	assert_int_equal(c.svc.netmask, ip4("255.255.255.0"));
	c = parse_ok("-A -t 10.0.0.1:0 -p --netmask 24");
	assert_int_equal(c.svc.netmask, ip4("255.255.255.0"));
	c = parse_ok("-A -t 10.0.0.1:0 -p -M 0");
	assert_int_equal(c.svc.netmask, 0);
	c = parse_ok("-A -t [2001:db8::1]:0 -p -M 64");
	assert_int_equal(c.svc.netmask, 64);
	c = parse_ok("-A -f 7 -6 -s rr -p 10");
	assert_int_equal(c.svc.key.fwmark, 7);
	assert_int_equal(c.svc.key.af, AF_INET6);
	assert_int_equal(c.svc.netmask, 128);
	assert_true(uvs_addr_is_zero(&c.svc.key.addr));
	/* -6 before -f is fine too. */
	c = parse_ok("-A -6 --fwmark-service 4294967295");
	assert_int_equal(c.svc.key.fwmark, 4294967295u);
	assert_int_equal(c.svc.key.af, AF_INET6);
	c = parse_ok("-A -f 7 -o");
	assert_int_equal(c.svc.flags, UVS_SVC_F_ONEPACKET);
	c = parse_ok("-A -t 10.0.0.1:80 --pe sip -p");
	assert_string_equal(c.svc.pe_name, "sip");
}

static void test_long_forms(void **state)
{
	struct uvs_ctl_req c;

	(void)state;
	c = parse_ok("--add-service --tcp-service 10.0.0.1:80 --scheduler rr --persistent 100 "
		     "--netmask 255.255.0.0 --sched-flags flag-1,flag-3");
	assert_int_equal(c.kind, UVS_REQ_ADD_SVC);
	assert_string_equal(c.svc.sched_name, "rr");
	assert_int_equal(c.svc.timeout, 100);
	assert_int_equal(c.svc.netmask, ip4("255.255.0.0"));
	assert_int_equal(c.svc.flags, UVS_SVC_F_PERSISTENT | UVS_SVC_F_SCHED1 | UVS_SVC_F_SCHED3);

	c = parse_ok("--add-server --tcp-service 10.0.0.1:80 --real-server 10.1.1.1:8080 "
		     "--masquerading --weight 5 --u-threshold 100 --l-threshold 50");
	assert_int_equal(c.kind, UVS_REQ_ADD_DEST);
	assert_int_equal(c.dest.af, AF_INET);
	assert_int_equal(c.dest.addr.ip, ip4("10.1.1.1"));
	assert_int_equal(c.dest.port, htons(8080));
	assert_int_equal(c.dest.fwd, UVS_FWD_MASQ);
	assert_int_equal(c.dest.weight, 5);
	assert_int_equal(c.dest.u_threshold, 100);
	assert_int_equal(c.dest.l_threshold, 50);

	c = parse_ok("--edit-server --udp-service 10.0.0.1:53 --real-server 10.1.1.2 --ipip "
		     "--weight=0");
	assert_int_equal(c.kind, UVS_REQ_EDIT_DEST);
	assert_int_equal(c.dest.fwd, UVS_FWD_TUNNEL);
	assert_int_equal(c.dest.weight, 0);
	c = parse_ok("--delete-server --fwmark-service 3 --real-server 10.1.1.2:99");
	assert_int_equal(c.kind, UVS_REQ_DEL_DEST);
	assert_int_equal(c.dest.port, htons(99));
	c = parse_ok("--edit-service --udp-service 10.0.0.1:53 --ops");
	assert_int_equal(c.svc.flags, UVS_SVC_F_ONEPACKET);
	c = parse_ok("--delete-service -f 3");
	assert_int_equal(c.kind, UVS_REQ_DEL_SVC);
	c = parse_ok("--clear");
	assert_int_equal(c.kind, UVS_REQ_CLEAR);
	c = parse_ok("--add-server -t 10.0.0.1:80 -r 10.1.1.1 --gatewaying");
	assert_int_equal(c.dest.fwd, UVS_FWD_DROUTE);
}

static void test_dest_defaults_and_port_rule(void **state)
{
	struct uvs_ctl_req c;

	(void)state;
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1");
	assert_int_equal(c.dest.fwd, UVS_FWD_DROUTE);
	assert_int_equal(c.dest.weight, 1);
	assert_int_equal(c.dest.port, htons(80));
	assert_int_equal(c.dest.tun_type, UVS_TUN_TYPE_IPIP);
	/* -g and -i force the service's port, -m keeps the one given. */
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -g");
	assert_int_equal(c.dest.port, htons(80));
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -i");
	assert_int_equal(c.dest.port, htons(80));
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m");
	assert_int_equal(c.dest.port, htons(8080));
	c = parse_ok("-a -t 10.0.0.1:80 -m -r 10.1.1.1");
	assert_int_equal(c.dest.port, htons(80));
	/* Not for fwmark services. */
	c = parse_ok("-a -f 7 -r 10.1.1.1:8080 -g");
	assert_int_equal(c.dest.port, htons(8080));
	c = parse_ok("-a -f 7 -r 10.1.1.1");
	assert_int_equal(c.dest.port, 0);
	/* Bundled short options and attached values. */
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1:81 -mw5");
	assert_int_equal(c.dest.fwd, UVS_FWD_MASQ);
	assert_int_equal(c.dest.weight, 5);
	c = parse_ok("-at 10.0.0.1:80 -r10.1.1.1 -w 65535 -x 2147483647");
	assert_int_equal(c.kind, UVS_REQ_ADD_DEST);
	assert_int_equal(c.dest.weight, 65535);
	assert_int_equal(c.dest.u_threshold, 2147483647u);
	/* A tunnel may cross address families. */
	c = parse_ok("-a -t 10.0.0.1:80 -r [2001:db8::9] -i");
	assert_int_equal(c.dest.af, AF_INET6);
	assert_int_equal(c.dest.port, htons(80));
	c = parse_ok("-a -f 7 -6 -r [2001:db8::9]:0 -m");
	assert_int_equal(c.dest.af, AF_INET6);
	c = parse_ok("-d -t 10.0.0.1:80 -r 10.1.1.1");
	assert_int_equal(c.kind, UVS_REQ_DEL_DEST);
	assert_int_equal(c.dest.port, htons(80));
}

static void test_tunnels(void **state)
{
	struct uvs_ctl_req c;

	(void)state;
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 6080 --tun-csum");
	assert_int_equal(c.dest.tun_type, UVS_TUN_TYPE_GUE);
	assert_int_equal(c.dest.tun_port, htons(6080));
	assert_int_equal(c.dest.tun_flags, UVS_TUN_F_CSUM);
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 1 --tun-remcsum");
	assert_int_equal(c.dest.tun_flags, UVS_TUN_F_REMCSUM);
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 1");
	assert_int_equal(c.dest.tun_flags, UVS_TUN_F_NOCSUM);
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-nocsum");
	assert_int_equal(c.dest.tun_type, UVS_TUN_TYPE_GRE);
	assert_int_equal(c.dest.tun_flags, UVS_TUN_F_NOCSUM);
	c = parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type=ipip");
	assert_int_equal(c.dest.tun_type, UVS_TUN_TYPE_IPIP);
}

static void test_set_and_lines(void **state)
{
	struct uvs_ctl_req c;
	struct uvs_error err;
	char *argv[] = { "--set", "900", "0", "300" };

	(void)state;
	c = parse_ok("--set 10 20 30");
	assert_int_equal(c.kind, UVS_REQ_SET_TIMEOUT);
	assert_int_equal(c.tcp, 10);
	assert_int_equal(c.tcpfin, 20);
	assert_int_equal(c.udp, 30);
	assert_int_equal(uvs_adm_parse_argv(4, argv, &c, &err), 0);
	assert_int_equal(c.tcpfin, 0);

	assert_int_equal(uvs_adm_parse_line("", &c, &err), 1);
	assert_int_equal(uvs_adm_parse_line(" \t\r", &c, &err), 1);
	assert_int_equal(uvs_adm_parse_line("# -A -t 10.0.0.1:80", &c, &err), 1);
	assert_int_equal(uvs_adm_parse_line("   # indented comment", &c, &err), 1);
	c = parse_ok("ipvsadm -C\r");
	assert_int_equal(c.kind, UVS_REQ_CLEAR);
	parse_bad("ipvsadm", "no command specified");
	assert_int_equal(uvs_adm_parse_argv(0, argv, &c, &err), -EINVAL);
	assert_string_equal(err.msg, "no command specified (-A -E -D -C -a -e -d --set)");
}

static void test_bad_input(void **state)
{
	static const char *const cases[][2] = {
		/* addresses and ports */
		{ "-A -t 10.0.0.300:80", "illegal virtual server address[:port] specified" },
		{ "-A -t 10.0.0.1:70000", "illegal virtual server address" },
		{ "-A -t 10.0.0.1:", "illegal virtual server address" },
		{ "-A -t [2001:db8::1:80", "illegal virtual server address" },
		{ "-A -t [2001:db8::1]80", "illegal virtual server address" },
		{ "-A -t www.example.com:80", "illegal virtual server address" },
		{ "-A -u 10.0.0.1:http", "illegal virtual server address" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1", "illegal real server address[:port] specified" },
		{ "-A -f 0", "illegal virtual server fwmark" },
		{ "-A -f 4294967296", "illegal virtual server fwmark" },
		{ "-A -t 10.0.0.1:80 -6", "-6 applies to fwmark services (-f) only" },
		/* missing and illegal options */
		{ "-A -s rr",
		  "You need to supply the 'service-address' option for the 'add-service' command" },
		{ "-D",
		  "You need to supply the 'service-address' option for the 'delete-service'" },
		{ "-a -t 10.0.0.1:80",
		  "You need to supply the 'real-server' option for the 'add-server' command" },
		{ "-d -t 10.0.0.1:80", "You need to supply the 'real-server' option" },
		{ "-a -r 10.1.1.1", "You need to supply the 'service-address' option" },
		{ "-A -t 10.0.0.1:80 -r 10.1.1.1",
		  "Illegal 'real-server' option with the 'add-service' command" },
		{ "-A -t 10.0.0.1:80 -w 2",
		  "Illegal 'weight' option with the 'add-service' command" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -s rr",
		  "Illegal 'scheduler' option with the 'add-server' command" },
		{ "-d -t 10.0.0.1:80 -r 10.1.1.1 -w 1",
		  "Illegal 'weight' option with the 'delete-server'" },
		{ "-D -t 10.0.0.1:80 -p", "Illegal 'persistent' option with the 'delete-service'" },
		{ "-C -t 10.0.0.1:80",
		  "Illegal 'service-address' option with the 'flush' command" },
		{ "--set 1 2 3 -t 10.0.0.1:80", "Illegal 'service-address' option with the 'set'" },
		/* ipvsadm's options that are not about configuration, and uvsadm's own */
		{ "-A -t 10.0.0.1:80 -n",
		  "Illegal 'numeric' option with the 'add-service' command" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 --stats",
		  "Illegal 'stats' option with the 'add-server' command" },
		{ "-C -6", "Illegal 'ipv6' option with the 'flush' command" },
		{ "-A -t 10.0.0.1:80 --sort",
		  "Illegal 'sort' option with the 'add-service' command" },
		{ "-A -t 10.0.0.1:80 --socket /tmp/x",
		  "Illegal 'socket' option with the 'add-service' command" },
		{ "-A -t 10.0.0.1:80 -Q", "unknown option '-Q'" },
		{ "-A -t 10.0.0.1:80 --bogus", "unknown option '--bogus'" },
		{ "-A -t 10.0.0.1:80 --sched=rr", "unknown option '--sched'" },
		{ "-A -t 10.0.0.1:80 -s", "option '-s' needs a value" },
		{ "-A -t 10.0.0.1:80 --scheduler", "option '--scheduler' needs a value" },
		{ "-A -t 10.0.0.1:80 --ops=1", "option '--ops' takes no value" },
		{ "-A -t 10.0.0.1:80 -u 10.0.0.1:81",
		  "multiple 'service-address' options specified" },
		{ "-A -t 10.0.0.1:80 -s rr -s wlc", "multiple 'scheduler' options specified" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -g -m",
		  "multiple 'forwarding-method' options specified" },
		{ "-A -a -t 10.0.0.1:80", "multiple commands specified" },
		{ "-A -t 10.0.0.1:80 extra", "unexpected argument 'extra'" },
		{ "-L -n", "'-L' is not a configuration command" },
		{ "--list", "'--list' is not a configuration command" },
		{ "-Z", "is not a configuration command" },
		/* service attributes */
		{ "-A -t 10.0.0.1:0", "Zero port specified for non-persistent service" },
		{ "-E -u 10.0.0.1:0 -s rr", "Zero port specified for non-persistent service" },
		{ "-A -t 10.0.0.1:80 -o",
		  "One-Packet Scheduling is only for UDP virtual services" },
		{ "-A -t 10.0.0.1:80 -p 0", "illegal persistence timeout '0'" },
		{ "-A -t 10.0.0.1:80 -p 2678401", "illegal persistence timeout '2678401'" },
		{ "-A -t 10.0.0.1:80 -p x", "illegal persistence timeout 'x'" },
		{ "-A -t 10.0.0.1:80 -p -M 255.255.255.999", "persistent netmask" },
		{ "-A -t 10.0.0.1:80 -p -M 33", "persistent netmask" },
		{ "-A -t [2001:db8::1]:80 -p -M 129", "illegal IPv6 netmask" },
		{ "-A -t [2001:db8::1]:80 -p -M 255.255.255.0", "illegal IPv6 netmask" },
		{ "-A -t 10.0.0.1:80 -b sh-port",
		  "incompatible scheduler flag 'sh-port' for scheduler wlc" },
		{ "-A -t 10.0.0.1:80 -s sh -b mh-port", "incompatible scheduler flag 'mh-port'" },
		{ "-A -t 10.0.0.1:80 -s sh -b sh-port,bogus", "invalid scheduler flag 'bogus'" },
		{ "-A -t 10.0.0.1:80 -s sh -b sh-port,", "invalid scheduler flag ''" },
		{ "-A -t 10.0.0.1:80 -s averyveryverylongname", "illegal scheduler name" },
		{ "-A -t 10.0.0.1:80 --pe abcdefghijabcdefghijabcdefghijabc",
		  "illegal persistence engine name" },
		/* destination attributes */
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w 65536", "illegal weight specified: '65536'" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w -1", "illegal weight specified: '-1'" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w 1.5", "illegal weight specified" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -x 2147483648", "illegal u_threshold specified" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -y -5", "illegal l_threshold specified" },
		{ "-a -t 10.0.0.1:80 -r [2001:db8::2]:80 -m",
		  "Different address family is allowed only for tunneling servers" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -m --tun-type gue",
		  "Tunnel options conflict with forward method" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 --tun-csum", "Tunnel options conflict" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type vxlan", "illegal tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue",
		  "You need to supply the 'tun-port' option for the 'gue' tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-port 80",
		  "Illegal 'tun-port' option with the 'ipip' tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-csum",
		  "Illegal 'tun-csum' option with the 'ipip' tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-remcsum",
		  "Illegal 'tun-remcsum' option with the 'gre' tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gre --tun-port 9",
		  "Illegal 'tun-port' option with the 'gre' tunnel type" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 9 --tun-csum "
		  "--tun-remcsum",
		  "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue'" },
		{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 0",
		  "illegal tunnel port" },
		/* --set */
		{ "--set 1 2", "--set needs three values: tcp tcpfin udp" },
		{ "--set 1 2 3 4", "unexpected argument '4'" },
		{ "--set 1 2 x", "invalid timeout value 'x' specified" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_bad(cases[i][0], cases[i][1]);
}

static void test_sched_flag_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(uvs_adm_sched_flags_format("sh", UVS_SVC_F_SCHED1 | UVS_SVC_F_SCHED2,
						       buf, sizeof(buf)),
			    "sh-fallback,sh-port");
	assert_string_equal(uvs_adm_sched_flags_format("mh", UVS_SVC_F_SCHED2, buf, sizeof(buf)),
			    "mh-port");
	assert_string_equal(uvs_adm_sched_flags_format("sh", UVS_SVC_F_SCHED3, buf, sizeof(buf)),
			    "flag-3");
	assert_string_equal(uvs_adm_sched_flags_format(
				    "rr", UVS_SVC_F_SCHED1 | UVS_SVC_F_SCHED2 | UVS_SVC_F_SCHED3,
				    buf, sizeof(buf)),
			    "flag-1,flag-2,flag-3");
	assert_string_equal(
		uvs_adm_sched_flags_format("rr", UVS_SVC_F_PERSISTENT, buf, sizeof(buf)), "");
	/* A short buffer is cut, not overrun. */
	assert_string_equal(
		uvs_adm_sched_flags_format("sh", UVS_SVC_F_SCHED1 | UVS_SVC_F_SCHED2, buf, 8),
		"sh-fall");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_defaults),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_long_forms),
		cmocka_unit_test(test_dest_defaults_and_port_rule),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_set_and_lines),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_sched_flag_names),
	};
	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
