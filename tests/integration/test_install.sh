#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `meson install` into a staging directory (DESTDIR, as `make install DESTDIR=...`
# uses) puts the programs, the preload library, the man pages and the systemd unit
# where meson's prefix says, the unit starts the uvsd that was installed, and the
# installed uvs-run preloads the installed library.
# Usage: test_install.sh MESON BUILD_DIR BINDIR SBINDIR MANDIR UNITDIR LIBDIR SANITIZE
# (absolute dirs; SANITIZE is b_sanitize)
set -euo pipefail
meson=$1
build=$2
bindir=$3
sbindir=$4
mandir=$5
unitdir=$6
libdir=$7
sanitize=$8
stage=$(mktemp -d /tmp/uvs-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
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
grep -q '@' "$unit" && fail "uvsd.service keeps a placeholder: $(grep '@' "$unit")"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ "${exec_start%% *}" = "$sbindir/uvsd" ] ||
	fail "uvsd.service runs '${exec_start%% *}', want $sbindir/uvsd"
case $exec_start in *" --foreground "*) ;; *) fail "ExecStart without --foreground: $exec_start" ;; esac
echo "ok: ExecStart=$exec_start"
if command -v systemd-analyze >/dev/null; then
	# The unit's syntax, as systemd reads it (the program's path is checked above: it
	# exists only under the staging directory).
	out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'is not executable\|No such file' || true)
	[ -z "$out" ] || fail "systemd-analyze verify: $out"
	echo "ok: systemd-analyze verify"
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
