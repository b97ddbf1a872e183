#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo: uvsd balancing HTTP by NAT in a lab of network namespaces on this machine
# (tests/e2e/lab.sh: a client, a router, the director and three nginx real servers).
# Installs what is missing (scripts/deps.sh build demo), builds into build/ as
# `make all` does, starts uvsd in the director with a rules file (wrr over the three
# servers, weights 1, 2 and 3), sends wrk's requests from the client — each on a new
# connection, so each is scheduled — and prints uvsadm -L -n --stats and how many
# requests each real server answered. The lab is removed on exit, whatever happens.
# Needs root (namespaces); nothing leaves the lab's namespaces.
#
# Usage: scripts/demo.sh [--duration SECONDS] [--connections N] [--no-build]
#   --duration      how long wrk runs (default 5)
#   --connections   wrk's connections (default 20)
#   --no-build      install and build nothing: use $LAB_UVSD and $LAB_UVSADM, or build/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=5
connections=20
build=1
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=${2:?}; shift 2 ;;
	--connections) connections=${2:?}; shift 2 ;;
	--no-build) build=0; shift ;;
	*) echo "usage: $0 [--duration SECONDS] [--connections N] [--no-build]" >&2; exit 2 ;;
	esac
done
case $duration$connections in
*[!0-9]*) echo "demo: --duration and --connections take whole numbers" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the lab is made of network namespaces: run it as root (sudo make demo)" >&2
	exit 1
fi

if [ "$build" = 1 ]; then
	"$root/scripts/deps.sh" build demo
	cd "$root"
	[ -d build ] || meson setup build >/dev/null
	ninja -C build >/dev/null
fi
: "${LAB_BUILD:=$root/build}"
export LAB_BUILD

# shellcheck source=tests/e2e/lab.sh
. "$root/tests/e2e/lab.sh"

say() { printf '\n== %s\n' "$*"; }

say "the lab (tests/e2e/lab.sh): client ${LAB_IP4[cli]}, router, director ${LAB_IP4[dir]}, nginx on ${LAB_IP4[rs1]}, ${LAB_IP4[rs2]}, ${LAB_IP4[rs3]}; VIP $LAB_VIP4"
lab_up nat
lab_servers_start

rules=$LAB_TMP/rules
cat >"$rules" <<EOF
-A -t $LAB_VIP4:80 -s wrr
-a -t $LAB_VIP4:80 -r ${LAB_IP4[rs1]}:80 -m -w 1
-a -t $LAB_VIP4:80 -r ${LAB_IP4[rs2]}:80 -m -w 2
-a -t $LAB_VIP4:80 -r ${LAB_IP4[rs3]}:80 -m -w 3
EOF
say "uvsd --interface $LAB_DEV --rules $rules, in the director; the rules:"
cat "$rules"
lab_uvsd_start --interface "$LAB_DEV" --rules "$rules"
lab_uvsadm -L -n

# wrk counts which server answered each request (its body is the server's name);
# "Connection: close" makes every request a new connection, scheduled on its own.
cat >"$LAB_TMP/count.lua" <<'EOF'
wrk.headers["Connection"] = "close"
local threads = {}
function setup(thread)
	table.insert(threads, thread)
end
answers = {}
function response(status, headers, body)
	local name = body and body:match("^(rs%d+)")
	if status == 200 and name then
		answers[name] = (answers[name] or 0) + 1
	end
end
function done(summary, latency, requests)
	local total = {}
	for _, t in ipairs(threads) do
		for name, n in pairs(t:get("answers")) do
			total[name] = (total[name] or 0) + n
		end
	end
	io.write("answered by each real server:\n")
	for _, name in ipairs({ "rs1", "rs2", "rs3" }) do
		io.write(string.format("  %s %d\n", name, total[name] or 0))
	end
end
EOF
say "wrk from the client: $duration s, $connections connections, http://$LAB_VIP4/"
lab_exec cli timeout $((duration + 30)) wrk -t 2 -c "$connections" -d "${duration}s" \
	-s "$LAB_TMP/count.lua" "http://$LAB_VIP4/"

say "uvsadm -L -n --stats"
lab_uvsadm -L -n --stats
say "done: the lab is removed"
