#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages the named groups of scripts/packages.txt need, if any
# is missing. Usage: scripts/deps.sh build [test bench ...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
want=()
for group in "$@"; do
	line=$(grep -E "^$group:" "$here/packages.txt" || true)
	[ -n "$line" ] || { echo "deps.sh: no package group '$group'" >&2; exit 2; }
	read -r -a pkgs <<<"${line#*:}"
	want+=("${pkgs[@]}")
done
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
