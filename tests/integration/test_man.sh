#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages: groff reads them without a warning, man -l shows them, and each
# documents every long option its program's --help lists (so a new option without
# a line in the man page fails here).
# Usage: test_man.sh UVSD UVSADM MAN_DIR UVS_RUN
set -euo pipefail
uvsd=$1
uvsadm=$2
mandir=$3
uvs_run=$4
fail() {
	echo "FAIL: $*"
	exit 1
}
if ! command -v groff >/dev/null || ! command -v man >/dev/null; then
	echo "SKIP: no groff or man"
	exit 77
fi

for page in uvsd uvsadm uvs-run; do
	src=$mandir/$page.8
	warnings=$(groff -man -Tutf8 -ww -z "$src" 2>&1)
	[ -z "$warnings" ] || fail "$page.8: groff: $warnings"
	echo "ok: $page.8 without groff warnings"
	text=$(MANWIDTH=80 man -l "$src" 2>/dev/null)
	grep -q "^NAME" <<<"$text" || fail "man -l $page.8 shows no NAME section"
	grep -Eq "^ *$page +- " <<<"$text" || fail "man -l $page.8: no '$page - ' line"
	echo "ok: man -l $page.8"
done

# Every --option in the program's help, in the man page's text (roff writes - as \-).
check_options() { # check_options PAGE HELP_TEXT
	local page=$1 help=$2 opt missing=()
	local text
	text=$(sed 's/\\-/-/g' "$mandir/$page.8")
	while read -r opt; do
		grep -q -- "$opt\b" <<<"$text" || missing+=("$opt")
	done < <(grep -o -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u)
	[ ${#missing[@]} -eq 0 ] || fail "$page.8 does not document ${missing[*]}"
	echo "ok: $page.8 documents every option of its --help"
}
check_options uvsd "$("$uvsd" --help)"
check_options uvsadm "$("$uvsadm" -h)"
check_options uvs-run "$("$uvs_run" --help)"
