#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `meson install` into a staging directory (DESTDIR, as `make install DESTDIR=...`
# uses) puts the programs, the preload library, the man pages and the systemd unit
# where meson's prefix says; the unit starts the uvsd that was installed, as
# Type=notify, with an exposure under 3.0 in `systemd-analyze security` (9.6 before it
# was hardened); the installed uvs-run preloads the installed library. keepalived's
# drop-in and example configuration are installed in DATADIR/uvs: the drop-in replaces
# keepalived.service's ExecStart with one under uvs-run after uvsd.service, and
# `keepalived --config-test` accepts the example.
# Usage: test_install.sh MESON BUILD_DIR BINDIR SBINDIR MANDIR UNITDIR DATADIR LIBDIR
# SANITIZE (absolute dirs; SANITIZE is b_sanitize)
set -euo pipefail
meson=$1
build=$2
bindir=$3
sbindir=$4
mandir=$5
unitdir=$6
datadir=$7
libdir=$8
sanitize=$9
stage=$(mktemp -d /tmp/uvs-install.XXXXXX)
ns=
cleanup() {
	[ -z "$ns" ] || ip netns del "$ns" 2>/dev/null || :
	rm -rf "$stage"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# --no-rebuild: the tests run from a finished build, and ninja must not run under them.
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$stage" >"$stage.log" 2>&1 ||
	{ cat "$stage.log"; rm -f "$stage.log"; fail "meson install failed"; }
rm -f "$stage.log"

for f in "$sbindir/uvsd" "$sbindir/uvsadm" "$sbindir/uvs-run" "$bindir/uvs-replay"; do
	[ -x "$stage$f" ] || fail "$f not installed (or not executable)"
	echo "ok: $f"
done
[ -s "$stage$libdir/uvs/libuvs-preload.so" ] || fail "$libdir/uvs/libuvs-preload.so not installed"
echo "ok: $libdir/uvs/libuvs-preload.so"
for f in "$mandir/man8/uvsd.8" "$mandir/man8/uvsadm.8" "$mandir/man8/uvs-run.8"; do
	[ -s "$stage$f" ] || fail "$f not installed"
	echo "ok: $f"
done

unit=$stage$unitdir/uvsd.service
[ -s "$unit" ] || fail "$unitdir/uvsd.service not installed"
echo "ok: $unitdir/uvsd.service"
grep -Eq '@[A-Z_]+@' "$unit" && fail "uvsd.service keeps a placeholder: $(grep -E '@[A-Z_]+@' "$unit")"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ "${exec_start%% *}" = "$sbindir/uvsd" ] ||
	fail "uvsd.service runs '${exec_start%% *}', want $sbindir/uvsd"
case $exec_start in *" --foreground "*) ;; *) fail "ExecStart without --foreground: $exec_start" ;; esac
echo "ok: ExecStart=$exec_start"
# Readiness from uvsd itself (sd_notify), not from the fork.
grep -qx 'Type=notify' "$unit" || fail "uvsd.service is not Type=notify: $(grep '^Type=' "$unit")"
echo "ok: Type=notify"
if command -v systemd-analyze >/dev/null; then
	# The unit's syntax, as systemd reads it (the program's path is checked above: it
	# exists only under the staging directory).
	out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'is not executable\|No such file' || true)
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
	echo "ok: systemd-analyze verify"
	# The sandbox's score (0 best, 10 worst; --threshold takes tenths), where this
	# systemd can rate a unit file by itself (252 and later).
	if systemd-analyze --help | grep -q -- --offline; then
		score=$(systemd-analyze security --offline=yes "$unit" 2>&1 | sed -n 's/.*exposure level for uvsd.service: \([0-9.]*\).*/\1/p')
		systemd-analyze security --offline=yes --threshold=30 "$unit" >/dev/null 2>&1 ||
			fail "systemd-analyze security rates uvsd.service ${score:-?}, more than 3.0"
		echo "ok: systemd-analyze security: exposure $score"
	fi
fi

# The installed uvsd is the one built here.
"$stage$sbindir/uvsd" --version | grep -q '^uvsd ' || fail "the installed uvsd does not run"
echo "ok: the installed uvsd runs"

# The installed uvs-run finds the library installed beside it (here below the staging
# directory); a sanitizer build's library cannot be preloaded into sh.
if [ "$sanitize" = none ]; then
	got=$("$stage$sbindir/uvs-run" sh -c 'echo "$LD_PRELOAD"')
	[ "$got" = "$stage$libdir/uvs/libuvs-preload.so" ] ||
		fail "the installed uvs-run preloads '$got', want $stage$libdir/uvs/libuvs-preload.so"
	echo "ok: the installed uvs-run preloads the installed library"
fi

# ---- the Grafana dashboard (tests/integration/test_metrics.sh checks what it asks) --------
dash=$stage$datadir/uvs-grafana-dashboard.json
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$dash" ||
	fail "${dash#"$stage"} is not installed, or not JSON"
echo "ok: ${dash#"$stage"}"

# ---- keepalived ------------------------------------------------------------------------
dropin=$stage$datadir/keepalived-uvs.conf
example=$stage$datadir/keepalived.conf.example
for f in "$dropin" "$example"; do
	[ -s "$f" ] || fail "${f#"$stage"} not installed"
	grep -Eq '@[A-Z_]+@' "$f" && fail "${f#"$stage"} keeps a placeholder"
	echo "ok: ${f#"$stage"}"
done
# The drop-in runs keepalived under the installed uvs-run, as keepalived.service's own
# ExecStart did, after uvsd.service.
grep -qx "ExecStart=$sbindir/uvs-run /usr/sbin/keepalived --dont-fork \$DAEMON_ARGS" "$dropin" ||
	fail "the drop-in's ExecStart: $(grep '^ExecStart=.' "$dropin")"
grep -qx 'After=uvsd.service' "$dropin" || fail "the drop-in is not ordered after uvsd.service"
echo "ok: the drop-in's ExecStart and order"
if command -v systemd-analyze >/dev/null; then
	# As systemd merges it with a keepalived.service like Debian's (a second ExecStart=
	# without the empty one that resets the first would be refused).
	mkdir "$stage/units" "$stage/units/keepalived.service.d"
	printf '[Unit]\nDescription=keepalived as Debian ships it\n[Service]\nType=notify\nEnvironmentFile=-/etc/default/keepalived\nExecStart=/usr/sbin/keepalived --dont-fork $DAEMON_ARGS\n' \
		>"$stage/units/keepalived.service"
	cp "$dropin" "$stage/units/keepalived.service.d/uvs.conf"
	printf '[Unit]\nDescription=uvsd\n[Service]\nType=notify\nExecStart=/bin/true\n' >"$stage/units/uvsd.service"
	out=$(systemd-analyze verify --man=no "$stage/units/keepalived.service" 2>&1 |
		grep -v 'is not executable\|No such file' || true)
	[ -z "$out" ] || fail "systemd-analyze verify of keepalived.service with the drop-in: $out"
	echo "ok: systemd-analyze verify keepalived.service with the drop-in"
fi
# keepalived's own check of the example, with the two links it names (veths in a
# namespace of the test's) and its script at the staged uvsadm.
if ! command -v keepalived >/dev/null || ! command -v ip >/dev/null || [ "$(id -u)" != 0 ]; then
	echo "skip: keepalived --config-test (needs keepalived, ip and root)"
	exit 0
fi
ns=uvs-install-$$
ip netns add "$ns"
ip -n "$ns" link add eth0 type veth peer name peer0
ip -n "$ns" link add eth1 type veth peer name peer1
sed "s|$sbindir/uvsadm|$stage$sbindir/uvsadm|" "$example" >"$stage/keepalived.conf"
out=$(ip netns exec "$ns" keepalived --config-test -f "$stage/keepalived.conf" 2>&1) ||
	fail "keepalived --config-test: $out"
echo "ok: keepalived --config-test accepts the example"
