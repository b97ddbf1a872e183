// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsadm end to end against a server thread on a temporary socket: ipvsadm commands
 * in, ipvsadm's output byte for byte (trailing spaces included), its messages and exit
 * statuses for bad input, `-S` | `-C` | `-R` giving the same configuration back, and
 * the uvsadm binary itself giving the same output as the in-process runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uvsadm/cli.h"
#include "ctl_fixture.h"

extern char **environ;

struct run {
	int status;
	char *out;
	char *err;
};

static struct ctl_fixture fx;

static int setup(void **state)
{
	ctl_fixture_start(&fx, (gid_t)-1);
	setenv("UVSD_SOCKET", fx.path, 1);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	ctl_fixture_fini(*state);
	return 0;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Runs uvsadm with the given arguments (NULL-terminated) and stdin text `in`. */
static struct run uvsadm_in(const char *in, const char *arg, ...)
{
	char *argv[40] = { "uvsadm" };
	int argc = 1;
	size_t olen, elen;
	struct run r;
	FILE *fin = tmpfile(), *out, *err;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	assert_non_null(fin);
	fputs(in ? in : "", fin);
	rewind(fin);
	out = open_memstream(&r.out, &olen);
	err = open_memstream(&r.err, &elen);
	r.status = uvs_adm_cli_main(argc, argv, fin, out, err);
	fclose(out);
	fclose(err);
	fclose(fin);
	return r;
}

#define uvsadm(...) uvsadm_in(NULL, __VA_ARGS__, NULL)

/* Runs and expects status, stdout and stderr exactly. */
static void expect(struct run r, int status, const char *out, const char *err)
{
	if (r.status != status)
		fail_msg("status %d, wanted %d; stderr: %s", r.status, status, r.err);
	test_text_equal(r.out, out);
	test_text_equal(r.err, err);
	run_free(&r);
}

static void ok(struct run r)
{
	expect(r, 0, "", "");
}

static void configure(void)
{
	ok(uvsadm("-C"));
	ok(uvsadm("-A", "-t", "10.0.0.1:80", "-s", "wlc", "-p", "300", "-M", "255.255.255.0"));
	ok(uvsadm("-a", "-t", "10.0.0.1:80", "-r", "192.168.0.11:80", "-g", "-w", "1", "-x", "100",
		  "-y", "50"));
	ok(uvsadm("--add-server", "--tcp-service=10.0.0.1:80", "--real-server", "192.168.0.12:80",
		  "-m", "--weight=100"));
	ok(uvsadm("-a", "-t", "10.0.0.1:80", "-r", "192.168.0.13", "-i", "--tun-type", "gue",
		  "--tun-port", "6080", "--tun-csum"));
	ok(uvsadm("-A", "-u", "10.0.0.1:53", "-s", "sh", "-b", "sh-fallback,sh-port", "-o"));
	ok(uvsadm("-a", "-u", "10.0.0.1:53", "-r", "192.168.0.21", "-i", "-w", "65535"));
	ok(uvsadm("-A", "-t", "[2001:db8::1]:443", "-s", "rr", "-p10"));
	ok(uvsadm("-a", "-t", "[2001:db8::1]:443", "-r", "[2001:db8::10]:8443", "-mw", "10"));
	ok(uvsadm("-A", "-f", "7", "-s", "rr"));
	ok(uvsadm("-A", "-f", "8", "-6", "-s", "mh", "-b", "mh-port", "-p", "60", "-M", "64"));
	ok(uvsadm("-a", "-f", "8", "-6", "-r", "[2001:db8::31]:0", "-g", "-w", "3"));
}

static const char want_plain[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port Scheduler Flags\n"
	"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	"TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0\n"
	"  -> 192.168.0.11:80              Route   1      0          0         \n"
	"  -> 192.168.0.12:80              Masq    100    0          0         \n"
	"  -> 192.168.0.13:80              Tunnel  1      0          0         \n"
	"UDP  10.0.0.1:53 sh (sh-fallback,sh-port) ops\n"
	"  -> 192.168.0.21:53              Tunnel  65535  0          0         \n"
	"TCP  [2001:db8::1]:443 rr persistent 10\n"
	"  -> [2001:db8::10]:8443          Masq    10     0          0         \n"
	"FWM  7 rr\n"
	"FWM  8 IPv6 mh (mh-port) persistent 60 mask 64\n"
	"  -> [2001:db8::31]:0             Route   3      0          0         \n";

static const char want_save[] =
	"-A -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -g -w 1 -x 100 -y 50\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 100\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.13:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n"
	"-A -u 10.0.0.1:53 -s sh -o -b sh-fallback,sh-port\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.21:53 -i -w 65535 --tun-type ipip\n"
	"-A -t [2001:db8::1]:443 -s rr -p 10\n"
	"-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -w 10\n"
	"-A -f 7 -s rr\n"
	"-A -f 8 -6 -s mh -p 60 -M 64 -b mh-port\n"
	"-a -f 8 -6 -r [2001:db8::31]:0 -g -w 3\n";

static void test_list_formats(void **state)
{
	(void)state;
	configure();
	expect(uvsadm("-L", "-n"), 0, want_plain, "");
	expect(uvsadm("-Ln"), 0, want_plain, "");
	expect(uvsadm("-l", "--numeric", "--sort"), 0, want_plain, "");
	expect(uvsadm("-L", "-n", "--tun-info"), 0,
	       "IP Virtual Server version 1.2.1 (size=4096)\n"
	       "Prot LocalAddress:Port Scheduler Flags\n"
	       "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn "
	       "InActConn\n"
	       "TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0\n"
	       "  -> 192.168.0.11:80              Route   n/a           1      0          0        "
	       " \n"
	       "  -> 192.168.0.12:80              Masq    n/a           100    0          0        "
	       " \n"
	       "  -> 192.168.0.13:80              Tunnel  gue:6080:+c   1      0          0        "
	       " \n"
	       "UDP  10.0.0.1:53 sh (sh-fallback,sh-port) ops\n"
	       "  -> 192.168.0.21:53              Tunnel  ipip          65535  0          0        "
	       " \n"
	       "TCP  [2001:db8::1]:443 rr persistent 10\n"
	       "  -> [2001:db8::10]:8443          Masq    n/a           10     0          0        "
	       " \n"
	       "FWM  7 rr\n"
	       "FWM  8 IPv6 mh (mh-port) persistent 60 mask 64\n"
	       "  -> [2001:db8::31]:0             Route   n/a           3      0          0        "
	       " \n",
	       "");
	expect(uvsadm("-L", "-n", "--thresholds", "-t", "10.0.0.1:80"), 0,
	       "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
	       "  -> RemoteAddress:Port\n"
	       "TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0\n"
	       "  -> 192.168.0.11:80              100        50         0          0         \n"
	       "  -> 192.168.0.12:80              0          0          0          0         \n"
	       "  -> 192.168.0.13:80              0          0          0          0         \n",
	       "");
	expect(uvsadm("-L", "-n", "--persistent-conn", "-f", "8", "-6"), 0,
	       "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
	       "  -> RemoteAddress:Port\n"
	       "FWM  8 IPv6 mh (mh-port) persistent 60 mask 64\n"
	       "  -> [2001:db8::31]:0             3         0           0          0         \n",
	       "");
	expect(uvsadm("-S", "-n"), 0, want_save, "");
	/* What is saved is what the model holds. */
	char *model = test_save_text(&fx.env);
	test_text_equal(model, want_save);
	free(model);
}

/* Counters written into the model as workers would, then --stats, --rate, -Z. */
static void test_stats(void **state)
{
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_dest_conf dc = test_dest_conf("192.168.0.11:80", 1);
	struct uvs_service *svc;
	struct uvs_dest *d;
	struct run r;

	(void)state;
	configure();
	pthread_mutex_lock(&fx.env.m.ctl_lock);
	svc = uvs_svc_find(&fx.env.m, &k);
	d = uvs_dest_find(svc, dc.af, &dc.addr, dc.port);
	for (int i = 0; i < 123; i++) {
		uvs_stats_conn(&svc->stats, 0);
		uvs_stats_conn(&d->stats, 0);
	}
	uvs_stats_in(&svc->stats, 0, 987654321);
	uvs_stats_in(&d->stats, 0, 987654321);
	uvs_stats_out(&d->stats, 0, 12345678901ull);
	pthread_mutex_unlock(&fx.env.m.ctl_lock);

	r = uvsadm("-L", "-n", "--stats", "-t", "10.0.0.1:80");
	expect(r, 0,
	       "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
	       "  -> RemoteAddress:Port\n"
	       "TCP  10.0.0.1:80                       123        1        0  987654K        0\n"
	       "  -> 192.168.0.11:80                   123        1        1  987654K   12345M\n"
	       "  -> 192.168.0.12:80                     0        0        0        0        0\n"
	       "  -> 192.168.0.13:80                     0        0        0        0        0\n",
	       "");
	r = uvsadm("-L", "-n", "--stats", "--exact", "-t", "10.0.0.1:80");
	assert_non_null(strstr(r.out, "  -> 192.168.0.11:80                   123        1        "
				      "1 987654321 12345678901\n"));
	run_free(&r);
	r = uvsadm("-L", "-n", "--rate");
	assert_non_null(strstr(r.out, "Prot LocalAddress:Port                 CPS    InPPS   OutPPS"
				      "    InBPS   OutBPS\n"));
	run_free(&r);
	ok(uvsadm("-Z", "-t", "10.0.0.1:80"));
	r = uvsadm("-L", "-n", "--stats", "-t", "10.0.0.1:80");
	assert_non_null(strstr(r.out, "TCP  10.0.0.1:80                         0        0        0"
				      "        0        0\n"));
	run_free(&r);
	ok(uvsadm("-Z"));
}

static void test_other_listings(void **state)
{
	(void)state;
	expect(uvsadm("-L", "-n", "-c"), 0,
	       "IPVS connection entries\n"
	       "pro expire state       source             virtual            destination\n"
	       "TCP 14:59  ESTABLISHED 172.16.0.5:51514   10.0.0.1:80        192.168.0.11:80\n"
	       "UDP 04:59  UDP         172.16.0.6:5353    10.0.0.1:53        192.168.0.21:53\n"
	       "TCP 00:59  SYN_RECV    [2001:db8::5]:40000 [2001:db8::1]:443  "
	       "[2001:db8::10]:8443\n",
	       "");
	expect(uvsadm("-L", "--timeout"), 0, "Timeout (tcp tcpfin udp): 900 120 300\n", "");
	ok(uvsadm("--set", "1000", "0", "30"));
	expect(uvsadm("-L", "--timeout"), 0, "Timeout (tcp tcpfin udp): 1000 120 30\n", "");
	expect(uvsadm("-L", "--daemon"), 0, "", "");
	ok(uvsadm("--start-daemon", "master", "--syncid", "5"));
	ok(uvsadm("--start-daemon", "backup", "--mcast-interface", "lo", "--mcast-group",
		  "239.1.1.1", "--mcast-port", "9000", "--mcast-ttl", "4", "--sync-maxlen",
		  "1000"));
	expect(uvsadm("-L", "--daemon"), 0,
	       "master sync daemon (mcast=eth0, syncid=5, maxlen=1472, group=224.0.0.81, "
	       "port=8848, ttl=1)\n"
	       "backup sync daemon (mcast=lo, syncid=0, maxlen=1000, group=239.1.1.1, port=9000, "
	       "ttl=4)\n",
	       "");
	expect(uvsadm("--start-daemon", "master"), 255, "", "Daemon has already run\n");
	ok(uvsadm("--stop-daemon", "master"));
	ok(uvsadm("--stop-daemon", "backup"));
	expect(uvsadm("--stop-daemon", "backup"), 255, "", "No daemon is running\n");
	expect(uvsadm("-L", "--counters"), 0,
	       "pkt_ip4_bad_csum         3\n"
	       "no_dest                  12\n"
	       "conn_limit               5000000000\n",
	       "");
}

static void test_refusals(void **state)
{
	(void)state;
	configure();
	expect(uvsadm("-A", "-t", "10.0.0.1:80"), 255, "", "Service already exists\n");
	expect(uvsadm("-E", "-t", "10.9.9.9:80"), 255, "", "No such service\n");
	expect(uvsadm("-D", "-t", "10.9.9.9:80"), 255, "", "No such service\n");
	expect(uvsadm("-Z", "-t", "10.9.9.9:80"), 255, "", "No such service\n");
	expect(uvsadm("-a", "-t", "10.9.9.9:80", "-r", "1.2.3.4"), 255, "",
	       "Service not defined\n");
	expect(uvsadm("-a", "-t", "10.0.0.1:80", "-r", "192.168.0.12:80", "-m"), 255, "",
	       "Destination already exists\n");
	expect(uvsadm("-e", "-t", "10.0.0.1:80", "-r", "1.2.3.4"), 255, "",
	       "No such destination\n");
	expect(uvsadm("-d", "-t", "10.0.0.1:80", "-r", "1.2.3.4"), 255, "",
	       "No such destination\n");
	expect(uvsadm("-A", "-t", "10.0.0.2:80", "-s", "nosuch"), 255, "",
	       "Scheduler or persistence engine not found\n");
	/* Not in ipvsadm's table: the model's own message. */
	expect(uvsadm("-a", "-t", "10.0.0.1:80", "-r", "192.168.0.14", "-x", "5", "-y", "10"), 255,
	       "", "lower threshold 10 is higher than upper threshold 5\n");
	expect(uvsadm("-L", "-n", "-t", "10.9.9.9:80"), 1, "", "No such service\n");
	/* Nothing of it changed anything. */
	expect(uvsadm("-S", "-n"), 0, want_save, "");
}

static void test_option_errors(void **state)
{
	(void)state;
	expect(uvsadm("-A", "-t", "10.0.0.2:0"), 2, "",
	       "Zero port specified for non-persistent service\n");
	expect(uvsadm("-A", "-t", "10.0.0.2:80", "-r", "1.2.3.4"), 2, "",
	       "Illegal 'real-server' option with the 'add-service' command\n");
	expect(uvsadm("-a", "-t", "10.0.0.1:80"), 2, "",
	       "You need to supply the 'real-server' option for the 'add-server' command\n");
	expect(uvsadm("-L", "-c", "--timeout"), 2, "",
	       "The option 'timeout' conflicts with the 'connection' option in the 'list' "
	       "command\n");
	expect(uvsadm("-L", "-c", "--stats"), 2, "", "options conflicts in the list command\n");
	expect(uvsadm("-A", "-t", "10.0.0.2:80", "-s", "rr", "-s", "wlc"), 2, "",
	       "multiple 'scheduler' options specified\n");
	expect(uvsadm("-A", "-E"), 2, "", "invalid option `-E'\n");
	expect(uvsadm("--set", "1", "2"), 2, "", "--set option requires 3 timeout values\n");
	/* After "--" a value that looks like an option is a value, read once: its error is
	 * about the value, not an option. */
	expect(uvsadm("--set", "--", "-1", "2", "3"), 2, "",
	       "invalid timeout value '-1' specified\n");
	expect(uvsadm("-L", "extra"), 2, "", "unexpected argument extra\n");
	expect(uvsadm("--start-daemon", "sideways"), 2, "",
	       "illegal start-daemon parameter specified\n");
	expect(uvsadm("-L", "-6"), 2, "", "-6 used before -f\n\n");
	expect(uvsadm("-a", "-t", "10.0.0.1:80", "-r", "1.2.3.4", "-w", "70000"), 2, "",
	       "illegal weight specified: '70000' (0..65535)\n");
	expect(uvsadm("-t", "10.0.0.1:80", "-A"), 255, "",
	       "Try `uvsadm -h' or 'uvsadm --help' for more information.\n");
	expect(uvsadm("-A", "-t", "10.0.0.2:80", "--bogus"), 255, "", "--bogus: unknown option\n");
	expect(uvsadm("-A", "-t"), 255, "", "-t: missing argument\n");
	expect(uvsadm("-A", "--ops=1"), 255, "", "--ops=1: option does not take an argument\n");

	struct run r = uvsadm("-h");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Usage:\n  uvsadm -A|E virtual-service"));
	run_free(&r);
	r = uvsadm("-v");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "uvsadm v"));
	run_free(&r);
}

static void test_no_server(void **state)
{
	struct run none, chosen;

	(void)state;
	setenv("UVSD_SOCKET", "/nonexistent/uvsd.sock", 1);
	none = uvsadm("-L", "-n");
	/* --socket wins over the environment. */
	chosen = uvsadm("-L", "--timeout", "--socket", fx.path);
	setenv("UVSD_SOCKET", fx.path, 1);
	expect(none, 2, "",
	       "Can't initialize ipvs: No such file or directory\n"
	       "Are you sure that uvsd is running and listening on /nonexistent/uvsd.sock?\n");
	expect(chosen, 0, "Timeout (tcp tcpfin udp): 1000 120 30\n", "");
}

static void test_save_restore(void **state)
{
	struct run saved, again;

	(void)state;
	configure();
	saved = uvsadm("-S", "-n");
	assert_int_equal(saved.status, 0);
	ok(uvsadm("-C"));
	expect(uvsadm("-S", "-n"), 0, "", "");
	/* ipvsadm's word first, as `ipvsadm-save` files have it, is dropped. */
	char *with_name = NULL;
	assert_true(asprintf(&with_name, "ipvsadm %s", saved.out) > 0);
	ok(uvsadm_in(saved.out, "-R", NULL));
	again = uvsadm("-S", "-n");
	test_text_equal(again.out, saved.out);
	run_free(&again);
	ok(uvsadm("-C"));
	ok(uvsadm_in(with_name, "-R", NULL));
	free(with_name);
	run_free(&saved);

	/* A refused line is reported and the rest runs; the status is the last line's. */
	ok(uvsadm("-C"));
	expect(uvsadm_in("-A -t 10.1.1.1:80 -s rr\n"
			 "-A -t 10.1.1.1:80 -s rr\n"
			 "\n"
			 "# a comment\n"
			 "-a -t 10.1.1.1:80 -r 10.2.2.2:80 -m\n",
			 "-R", NULL),
	       0, "", "Service already exists\n");
	/* An option error ends the restore there, with status 2. */
	expect(uvsadm_in("-A -t 10.1.1.2:80 -s rr\n"
			 "-A -t 10.1.1.3:80 -r 1.2.3.4\n"
			 "-A -t 10.1.1.4:80 -s rr\n",
			 "-R", NULL),
	       2, "", "Illegal 'real-server' option with the 'add-service' command\n");
	expect(uvsadm("-S", "-n"), 0,
	       "-A -t 10.1.1.1:80 -s rr\n"
	       "-a -t 10.1.1.1:80 -r 10.2.2.2:80 -m -w 1\n"
	       "-A -t 10.1.1.2:80 -s rr\n",
	       "");
	/* -R inside -R is a usage error. */
	expect(uvsadm_in("-R\n", "-R", NULL), 255, "",
	       "Try `uvsadm -h' or 'uvsadm --help' for more information.\n");
}

/* ---- -R queues its configuration lines: the same outcome as one line at a time ---- */

/* Starts *text over, empty. */
static void restart(char **text, size_t *len, FILE **f)
{
	if (*f)
		fclose(*f);
	free(*text);
	*text = NULL;
	*f = open_memstream(text, len);
	assert_non_null(*f);
}

/* Appends to *text n services 10.60.x.y:80 from `first`, each with 9 NAT real servers,
 * as -S writes them (in its order). */
static void add_rules(char **text, size_t *len, FILE **f, int first, int n)
{
	if (!*f)
		restart(text, len, f);
	for (int i = first; i < first + n; i++) {
		fprintf(*f, "-A -t 10.60.%d.%d:80 -s rr\n", i / 250, i % 250 + 1);
		for (int r = 0; r < 9; r++)
			fprintf(*f, "-a -t 10.60.%d.%d:80 -r 10.61.%d.%d:80 -m -w 1\n", i / 250,
				i % 250 + 1, (i * 9 + r) / 250, (i * 9 + r) % 250 + 1);
	}
	fflush(*f);
}

/*
 * What running each line of text as a uvsadm command of its own gives: stdout and
 * stderr concatenated, the last line's status; an option error (status 2) ends it, as
 * it ends -R. Words are split at single spaces; a first word "ipvsadm" is dropped.
 */
static struct run one_by_one(const char *text)
{
	struct run all = { 0 };
	size_t olen, elen;
	FILE *out = open_memstream(&all.out, &olen), *err = open_memstream(&all.err, &elen);
	char *copy = strdup(text), *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *argv[40] = { "uvsadm" }, *wsave = NULL;
		int argc = 1;
		for (char *w = strtok_r(line, " ", &wsave); w && argc < 39;
		     w = strtok_r(NULL, " ", &wsave))
			if (argc > 1 || strcmp(w, "ipvsadm")) /* as -R drops it */
				argv[argc++] = w;
		if (argc == 1 || argv[1][0] == '#')
			continue;
		struct run r = uvsadm_in(NULL, argv[1], argc > 2 ? argv[2] : NULL,
					 argc > 3 ? argv[3] : NULL, argc > 4 ? argv[4] : NULL,
					 argc > 5 ? argv[5] : NULL, argc > 6 ? argv[6] : NULL,
					 argc > 7 ? argv[7] : NULL, argc > 8 ? argv[8] : NULL,
					 argc > 9 ? argv[9] : NULL, NULL);
		assert_true(argc <= 10);
		fputs(r.out, out);
		fputs(r.err, err);
		all.status = r.status;
		run_free(&r);
		if (all.status == 2)
			break;
	}
	fclose(out);
	fclose(err);
	free(copy);
	return all;
}

/* -R of text and the same lines one by one from the same start (-C) give the same
 * status, output, messages in the same order, and configuration. */
static void same_as_one_by_one(const char *text)
{
	struct run restored, saved_r, each, saved_e;

	ok(uvsadm("-C"));
	restored = uvsadm_in(text, "-R", NULL);
	saved_r = uvsadm("-S", "-n");
	ok(uvsadm("-C"));
	each = one_by_one(text);
	saved_e = uvsadm("-S", "-n");
	if (restored.status != each.status)
		fail_msg("-R status %d, one by one %d: %s", restored.status, each.status, each.err);
	test_text_equal(restored.out, each.out);
	test_text_equal(restored.err, each.err);
	test_text_equal(saved_r.out, saved_e.out);
	run_free(&restored);
	run_free(&each);
	run_free(&saved_r);
	run_free(&saved_e);
}

/* From an empty configuration, -R of text ends with status and the messages err. */
static void restore_expect(const char *text, int status, const char *err)
{
	ok(uvsadm("-C"));
	expect(uvsadm_in(text, "-R", NULL), status, "", err);
}

/* -S gives want. */
static void expect_saved(const char *want)
{
	expect(uvsadm("-S", "-n"), 0, want, "");
}

static void test_restore_queued(void **state)
{
	char *text = NULL, *want = NULL;
	size_t len = 0, wlen = 0;
	FILE *f = NULL, *w = NULL;

	(void)state;
	/* 3,000 lines: more than are ever outstanding (1,024), all applied. */
	add_rules(&text, &len, &f, 0, 300);
	restore_expect(text, 0, "");
	expect_saved(text);

	/* Refused lines in the middle of what is outstanding: each reported in its
	 * place, the rest applied; the status is the last line's. */
	restart(&text, &len, &f);
	add_rules(&text, &len, &f, 0, 100);
	fputs("-A -t 10.60.0.5:80 -s rr\n", f);
	add_rules(&text, &len, &f, 100, 100);
	fputs("-a -t 10.99.0.1:80 -r 10.1.1.1:80 -m\n", f);
	fputs("-d -t 10.60.0.1:80 -r 10.99.9.9:80\n", f);
	add_rules(&text, &len, &f, 200, 100);
	restore_expect(text, 0,
		       "Service already exists\n"
		       "Service not defined\n"
		       "No such destination\n");
	add_rules(&want, &wlen, &w, 0, 300);
	expect_saved(want);
	same_as_one_by_one(text);
	/* A refused last line: status 255. */
	fputs("-A -t 10.60.0.5:80 -s rr\n", f);
	fflush(f);
	restore_expect(text, 255,
		       "Service already exists\nService not defined\n"
		       "No such destination\nService already exists\n");

	/* An option error ends the restore: everything before it is applied (and its
	 * refusals reported first), nothing after it. */
	restart(&text, &len, &f);
	add_rules(&text, &len, &f, 0, 50);
	fputs("-A -t 10.60.0.5:80 -s rr\n", f);
	add_rules(&text, &len, &f, 50, 100);
	fputs("-A -t 10.1.1.3:80 -r 1.2.3.4\n", f);
	add_rules(&text, &len, &f, 150, 100);
	restore_expect(text, 2,
		       "Service already exists\n"
		       "Illegal 'real-server' option with the 'add-service' command\n");
	restart(&want, &wlen, &w);
	add_rules(&want, &wlen, &w, 0, 150);
	expect_saved(want);
	same_as_one_by_one(text);
	/* The option error right after a refused line, whose answer is not in yet. */
	restore_expect("-A -t 10.60.0.1:80 -s rr\n-A -t 10.60.0.1:80 -s rr\n"
		       "-A -t 10.60.0.2:80 -r 1.2.3.4\n-A -t 10.60.0.3:80 -s rr\n",
		       2,
		       "Service already exists\n"
		       "Illegal 'real-server' option with the 'add-service' command\n");
	expect_saved("-A -t 10.60.0.1:80 -s rr\n");

	/* Lines that read back, in between: they see every line before them. */
	restart(&text, &len, &f);
	add_rules(&text, &len, &f, 0, 2);
	fputs("-L -n\n--set 100 20 30\n-L --timeout\n-a -t 10.60.0.1:80 -r 10.61.0.1:80 -m\n"
	      "-Z\n-S -n\n-E -t 10.60.0.2:80 -s wlc\n-L -n -t 10.60.0.2:80\n-D -t 10.60.0.1:80\n"
	      "ipvsadm -S -n\n# a comment\n\n-L -n --daemon\n",
	      f);
	add_rules(&text, &len, &f, 2, 150);
	fputs("-S -n\n", f);
	fflush(f);
	same_as_one_by_one(text);
	fclose(f);
	free(text);
	fclose(w);
	free(want);
}

/* A line of -R from a pipe whose writer has not written the next one yet. */
struct slow_feed {
	int fd;
	bool applied; /* the first line took effect before the second was written */
};

/* uvsadm -L -n (its own connection to the server) lists the service of the first line. */
static bool first_line_applied(void)
{
	char *argv[] = { "uvsadm", "-L", "-n", NULL }, *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len), *err = fopen("/dev/null", "w");
	bool found;

	assert_int_equal(uvs_adm_cli_main(3, argv, stdin, out, err), 0);
	fclose(out);
	fclose(err);
	found = strstr(text, "10.70.0.1:80") != NULL;
	free(text);
	return found;
}

static void *feed_slowly(void *arg)
{
	static const char first[] = "-A -t 10.70.0.1:80 -s rr\n", second[] = "-A -t 10.70.0.2:80\n";
	struct slow_feed *s = arg;

	assert_int_equal(write(s->fd, first, strlen(first)), strlen(first));
	for (int i = 0; i < 100 && !(s->applied = first_line_applied()); i++)
		usleep(50000); /* up to 5 s */
	assert_int_equal(write(s->fd, second, strlen(second)), strlen(second));
	close(s->fd);
	return NULL;
}

/* -R applies each line when it is read, not when enough lines to send together came. */
static void test_restore_slow_input(void **state)
{
	char *argv[] = { "uvsadm", "-R", NULL };
	struct slow_feed s = { 0 };
	struct run r = { 0 };
	size_t olen, elen;
	pthread_t t;
	int p[2];

	(void)state;
	ok(uvsadm("-C"));
	assert_int_equal(pipe(p), 0);
	s.fd = p[1];
	FILE *in = fdopen(p[0], "r"), *out = open_memstream(&r.out, &olen),
	     *err = open_memstream(&r.err, &elen);
	assert_non_null(in);
	assert_int_equal(pthread_create(&t, NULL, feed_slowly, &s), 0);
	r.status = uvs_adm_cli_main(2, argv, in, out, err);
	assert_int_equal(pthread_join(t, NULL), 0);
	fclose(in);
	fclose(out);
	fclose(err);
	expect(r, 0, "", "");
	assert_true(s.applied);
	expect_saved("-A -t 10.70.0.1:80 -s rr\n-A -t 10.70.0.2:80 -s wlc\n");
}

/* ---- waiting for uvsd: $UVSADM_TIMEOUT, idle connections closed by uvsd ---- */

/* A socket listening at path with the given backlog, whose connections nobody accepts. */
static int silent_server(const char *path, int backlog)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

/*
 * A uvsd that does not answer (a stuck control thread) ends uvsadm after
 * $UVSADM_TIMEOUT seconds of silence with a message saying so: one that takes the
 * connection and no request, one whose backlog is full, and queued -R lines.
 */
static void test_timeouts(void **state)
{
	char path[100], want[300];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/silent.sock", fx.dir);
	fd = silent_server(path, 0);
	setenv("UVSADM_TIMEOUT", "1", 1);
	setenv("UVSD_SOCKET", path, 1);
	/* The connection waits in the backlog, which it fills: GET_INFO is not answered. */
	expect(uvsadm("-L", "-n"), 2, "",
	       "Can't initialize ipvs: uvsd did not answer within 1 s\n");
	snprintf(want, sizeof(want),
		 "Can't initialize ipvs: uvsd did not accept the connection on %s within 1 s\n",
		 path);
	expect(uvsadm("-A", "-t", "10.71.0.1:80"), 2, "", want);
	close(fd);
	unlink(path);
	setenv("UVSD_SOCKET", fx.path, 1);

	/* Queued lines: the server takes GET_INFO, then is held. */
	ok(uvsadm("-C"));
	pthread_mutex_lock(&fx.env.m.ctl_lock);
	struct run r = uvsadm_in("-A -t 10.71.0.1:80\n-A -t 10.71.0.2:80\n", "-R", NULL);
	pthread_mutex_unlock(&fx.env.m.ctl_lock);
	expect(r, 255, "", "uvsd did not answer within 1 s\nuvsd did not answer within 1 s\n");

	setenv("UVSADM_TIMEOUT", "1s", 1);
	expect(uvsadm("-L", "-n"), 2, "",
	       "UVSADM_TIMEOUT: '1s' is not a number of seconds in 0..86400\n");
	unsetenv("UVSADM_TIMEOUT");
	/* The server, let go, applied what it had been sent. */
	ok(uvsadm("-C"));
}

/* Without -n: names from /etc/hosts and /etc/services, in and out. */
static void test_names(void **state)
{
	(void)state;
	ok(uvsadm("-C"));
	ok(uvsadm("-A", "-t", "localhost:http", "-s", "rr"));
	ok(uvsadm("-a", "-t", "localhost:http", "-r", "127.0.0.1:http-alt", "-m"));
	ok(uvsadm("-A", "-u", "127.0.0.1:domain", "-s", "rr"));
	expect(uvsadm("-L"), 0,
	       "IP Virtual Server version 1.2.1 (size=4096)\n"
	       "Prot LocalAddress:Port Scheduler Flags\n"
	       "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	       "TCP  localhost:http rr\n"
	       "  -> localhost:http-alt           Masq    1      0          0         \n"
	       "UDP  localhost:domain rr\n",
	       "");
	expect(uvsadm("-S"), 0,
	       "-A -t localhost:http -s rr\n"
	       "-a -t localhost:http -r localhost:http-alt -m -w 1\n"
	       "-A -u localhost:domain -s rr\n",
	       "");
	expect(uvsadm("-S", "-n"), 0,
	       "-A -t 127.0.0.1:80 -s rr\n"
	       "-a -t 127.0.0.1:80 -r 127.0.0.1:8080 -m -w 1\n"
	       "-A -u 127.0.0.1:53 -s rr\n",
	       "");
	expect(uvsadm("-A", "-t", "no-such-host.invalid:80"), 2, "",
	       "illegal virtual server address[:port] specified: 'no-such-host.invalid:80'\n");
	ok(uvsadm("-C"));
}

/* The binary, as a user runs it, prints what the in-process run prints. */
static void test_binary(void **state)
{
	const char *bin = getenv("UVSADM");
	char outfile[] = "/tmp/uvs-uvsadm-XXXXXX", buf[4096] = "";
	char *const argv[] = { (char *)bin, "-L", "-n", NULL };
	posix_spawn_file_actions_t fa;
	int fd = mkstemp(outfile), st;
	pid_t pid;

	(void)state;
	assert_non_null(bin);
	assert_true(fd >= 0);
	configure();
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 1);
	assert_int_equal(posix_spawn(&pid, bin, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) > 0);
	close(fd);
	unlink(outfile);
	test_text_equal(buf, want_plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_formats),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_other_listings),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_no_server),
		cmocka_unit_test(test_save_restore),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_restore_queued),
		cmocka_unit_test(test_restore_slow_input),
		cmocka_unit_test(test_timeouts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
