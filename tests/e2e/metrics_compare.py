#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every number of uvsd's /metrics against uvsadm's listings of the same moment.

  metrics_compare.py SCRAPE STATS LIST COUNTERS CONNS

SCRAPE: GET /metrics; STATS: uvsadm -L -n --stats --exact; LIST: uvsadm -L -n;
COUNTERS: uvsadm -L --counters; CONNS: uvsadm -L -n -c. Prints "ok: ..." or
"FAIL: ..." per check and a last line "N checked, N failed"; exits 1 if any failed.
"""
import ipaddress
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import metrics_check  # noqa: E402  (its scrape parser)

FIELDS = ["connections", "incoming_packets", "outgoing_packets", "incoming_bytes",
          "outgoing_bytes"]


def addr_port(text):
    """'10.0.0.1:80' or '[2001:db8::1]:80' as (address as Go prints it, port)."""
    host, port = text.rsplit(":", 1)
    return str(ipaddress.ip_address(host.strip("[]"))), port


def service_labels(proto, addr):
    """node_exporter's labels of a service line of ipvsadm -L -n."""
    if proto == "FWM":
        return {"proto": "FWM", "local_address": "", "local_port": "0",
                "local_mark": "%08X" % int(addr)}
    a, p = addr_port(addr)
    return {"proto": proto, "local_address": a, "local_port": p, "local_mark": ""}


def listing(path, columns):
    """(service labels, None or (remote address, port), [numbers]) per line of an
    ipvsadm -L -n listing whose number columns start at `columns`."""
    out, svc = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            w = line.split()
            if w and w[0] in ("TCP", "UDP", "SCTP", "FWM"):
                svc = service_labels(w[0], w[1])
                if columns == 2:  # --stats: the service's own counters
                    out.append((svc, None, [int(x) for x in w[2:7]]))
            elif w and w[0] == "->" and svc and w[1] != "RemoteAddress:Port":
                out.append((svc, addr_port(w[1]), [int(x) for x in w[columns:]]))
    return out


class Checks:
    def __init__(self, scrape):
        self.samples = metrics_check.samples(scrape)
        self.n = self.failed = 0

    def value(self, name, labels):
        want = set(labels.items())
        found = [v for (n, ls), v in self.samples.items() if n == name and want <= ls]
        return found[0] if len(found) == 1 else None

    def expect(self, what, name, labels, want):
        got = self.value(name, labels)
        self.n += 1
        if got is not None and got == want:
            print(f"ok: {what}: {name} = {want}")
        else:
            self.failed += 1
            print(f"FAIL: {what}: {name}{labels} = {got}, want {want}")


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    scrape, stats, lst, counters, conns = sys.argv[1:]
    c = Checks(scrape)
    totals = [0] * 5
    for svc, dest, nums in listing(stats, 2):
        if dest is None:
            what = f"{svc['proto']} {svc['local_address'] or svc['local_mark']}:{svc['local_port']}"
            for i, field in enumerate(FIELDS):
                c.expect(what, f"uvs_service_{field}_total", svc, nums[i])
                totals[i] += nums[i]
        else:
            labels = dict(svc, remote_address=dest[0], remote_port=dest[1])
            what = f"{svc['local_address']}:{svc['local_port']} -> {dest[0]}:{dest[1]}"
            for i, field in enumerate(FIELDS):
                c.expect(what, f"uvs_backend_{field}_total", labels, nums[i])
    for i, field in enumerate(FIELDS):
        c.expect("the totals (ip_vs_stats)", f"node_ipvs_{field}_total", {}, totals[i])
    for svc, dest, nums in listing(lst, 3):
        labels = dict(svc, remote_address=dest[0], remote_port=dest[1])
        what = f"{svc['local_address']}:{svc['local_port']} -> {dest[0]}:{dest[1]}"
        c.expect(what, "node_ipvs_backend_weight", labels, nums[0])
        c.expect(what, "node_ipvs_backend_connections_active", labels, nums[1])
        c.expect(what, "node_ipvs_backend_connections_inactive", labels, nums[2])
    names = {"tx": "uvs_engine_tx_frames_total", "nh_cache_hits": "uvs_nexthop_cache_hits_total",
             "nh_cache_misses": "uvs_nexthop_cache_misses_total", "steer_keys": "uvs_steer_keys"}
    with open(counters, encoding="utf-8") as f:
        for line in f:
            name, value = line.split()
            if name in names:
                c.expect(f"counter {name}", names[name], {}, int(value))
            elif name.startswith("io_"):
                c.expect(f"counter {name}", f"uvs_{name}_total", {}, int(value))
            elif name.startswith("restart_conns_"):
                c.expect(f"counter {name}", "uvs_restart_connections",
                         {"result": name[len("restart_conns_"):]}, int(value))
            elif name.startswith("sync_") and c.value("uvs_sync_events_total", {"event": name}) is not None:
                c.expect(f"counter {name}", "uvs_sync_events_total", {"event": name}, int(value))
            else:
                c.expect(f"counter {name}", "uvs_engine_frames_total", {"reason": name}, int(value))
    with open(conns, encoding="utf-8") as f:
        entries = sum(1 for line in f) - 2  # two title lines
    c.expect("-L -n -c", "uvs_connection_table_entries", {}, entries)
    rx = c.value("uvs_io_rx_total", {})
    workers = sum(v for (n, _), v in c.samples.items() if n == "uvs_worker_frames_total")
    c.n += 1
    if rx is not None and workers == rx and rx > 0:
        print(f"ok: the workers' frames add up to io_rx ({rx:.0f})")
    else:
        c.failed += 1
        print(f"FAIL: the workers' frames ({workers}) and io_rx ({rx})")
    print(f"{c.n} checked, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
