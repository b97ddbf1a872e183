#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The AF_PACKET backend (io_echo) sending on a link whose queue refuses every frame
# (a pfifo qdisc of length 0 on veth0): each frame the kernel does not take is counted
# as tx_dropped, none as sent, and none goes out later. Its transmit ring hands a batch
# to the kernel in one send(), which stops at the first refused frame and leaves it and
# the rest in the ring: they must be taken back and counted, as sendmmsg() dropped what
# it did not take, not sent by the next send() or counted as sent.
# Usage: test_io_tx_drop.sh IO_ECHO
set -euo pipefail
echo_prog=$1
# shellcheck source=tests/e2e/pair.sh
. "$(dirname "$0")/pair.sh" uvstxd 10.97.0
count=200

ip netns exec "$a" tc qdisc add dev veth0 root pfifo limit 0
ip netns exec "$a" "$echo_prog" veth0 "$count" 20 >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q ready "$dir/out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$dir/out" || fail "io_echo did not start: $(cat "$dir/out")"

# The test's frames from b, a few at a time (batches of several frames in io_echo), then
# the echoes b saw until 1 s after io_echo stopped.
ip netns exec "$b" python3 -B - "$mac_a" "$count" "$pid" >"$dir/echoes" <<'PY'
import os, socket, sys, time
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
count, pid = int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x88B5))
s.bind(("veth1", 0))
me = s.getsockname()[4]
sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)  # receives nothing
sender.bind(("veth1", 0))
for i in range(count):
    sender.send(mac + me + b"\x88\xb5" + i.to_bytes(4, "big") + bytes(42))
    if i % 8 == 7:
        time.sleep(0.002)
echoes, end = 0, None
s.settimeout(0.1)
while end is None or time.time() < end:
    if end is None and not os.path.exists(f"/proc/{pid}"):
        end = time.time() + 1
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if f[6:12] == mac:
        echoes += 1
print(echoes)
PY
wait "$pid" && got=0 || got=$?
pid=
out=$(tail -1 "$dir/out")
echo "io_echo: $out (exit $got); echoes seen by the other end: $(cat "$dir/echoes")"
read -r _ rx _ tx _ dropped <<<"$out"
[ "$rx" = "$count" ] || fail "received $rx of $count frames"
[ "$tx" = 0 ] || fail "$tx frames counted as sent through a queue that refuses every one"
[ "$dropped" = "$count" ] || fail "$dropped of $count refused frames counted as dropped"
[ "$(cat "$dir/echoes")" = 0 ] || fail "$(cat "$dir/echoes") frames went out through a queue that refuses every one"
echo "ok: $count frames received, every one refused by the link's queue and counted as dropped"
