#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd --version and -V print "uvsd VERSION" (meson's project version) and exit 0
# without opening a control socket; --help lists the option.
# Usage: test_uvsd_version.sh UVSD VERSION
set -euo pipefail
uvsd=$1
version=$2
dir=$(mktemp -d /tmp/uvsd-version.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export UVSD_SOCKET=$dir/sock
fail() {
	echo "FAIL: $*"
	exit 1
}

for opt in --version -V; do
	rc=0
	out=$("$uvsd" "$opt" 2>"$dir/err") || rc=$?
	[ "$rc" = 0 ] || fail "uvsd $opt exited $rc ($(cat "$dir/err"))"
	[ "$out" = "uvsd $version" ] || fail "uvsd $opt printed '$out', want 'uvsd $version'"
	[ ! -s "$dir/err" ] || fail "uvsd $opt wrote to stderr: $(cat "$dir/err")"
	[ ! -e "$dir/sock" ] || fail "uvsd $opt opened a control socket"
	echo "ok: uvsd $opt -> $out"
done

"$uvsd" --help | grep -q -- '--version' || fail "uvsd --help does not list --version"
echo "ok: --help lists --version"

# A version request does not hide a bad option after it: getopt reads them in order,
# and --version ends the program at once, as --help does.
rc=0
"$uvsd" --no-such-option --version >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "uvsd --no-such-option --version exited $rc, want 2"
echo "ok: a bad option before --version still fails"
