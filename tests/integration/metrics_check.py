#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks on Prometheus's text format for uvsd's metric tests.

  metrics_check.py same PREFIX A B      the samples named PREFIX* in scrapes A and B are
                                        the same set (names, labels in any order,
                                        values as numbers); prints the difference
  metrics_check.py dashboard DASH SCRAPE every expression of the Grafana dashboard DASH
                                        names only metrics SCRAPE has, and at least one
  metrics_check.py value SCRAPE NAME [LABEL=VALUE...]  prints the value of the one
                                        sample of NAME with those labels (exit 1 if
                                        there is not exactly one)
  metrics_check.py json FILE            FILE is a JSON document (exit 1 if not)
"""
import json
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def samples(path):
    """{(name, frozenset of (label, value)): float} of the scrape at path."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            m = SAMPLE.match(line)
            if not m:
                sys.exit(f"{path}: not a sample: {line}")
            labels = frozenset(LABEL.findall(m.group(3) or ""))
            key = (m.group(1), labels)
            if key in out:
                sys.exit(f"{path}: a sample twice: {line}")
            out[key] = float(m.group(4))
    return out


def families(path):
    """The names of the families the scrape at path declares (# TYPE), with or without
    samples (uvsd's worker families have none without --interface)."""
    with open(path, encoding="utf-8") as f:
        return {line.split()[2] for line in f if line.startswith("# TYPE ")}


def show(key, value):
    labels = ",".join(f'{k}="{v}"' for k, v in sorted(key[1]))
    return f"{key[0]}{{{labels}}} {value:g}"


def same(prefix, a, b):
    sa = {k: v for k, v in samples(a).items() if k[0].startswith(prefix)}
    sb = {k: v for k, v in samples(b).items() if k[0].startswith(prefix)}
    if not sa:
        sys.exit(f"no {prefix}* sample in {a}")
    bad = [f"only in {a}: {show(k, v)}" for k, v in sa.items() if k not in sb]
    bad += [f"only in {b}: {show(k, v)}" for k, v in sb.items() if k not in sa]
    bad += [f"{show(k, v)} in {a}, {sb[k]:g} in {b}" for k, v in sa.items() if k in sb and sb[k] != v]
    for line in sorted(bad):
        print(line)
    print(f"{len(sa)} {prefix}* samples compared, {len(bad)} differences")
    return 1 if bad else 0


# Words of PromQL that look like names: functions, aggregations, keywords.
PROMQL_WORDS = {"sum", "rate", "by", "without", "time", "avg", "max", "min", "count",
                "irate", "increase", "on", "ignoring", "group_left", "group_right", "and",
                "or", "unless", "bool", "offset", "topk", "bottomk", "label_values"}


def metric_names(expr):
    """The metric names an expression reads: identifiers outside {...}, (...) label
    lists of by/without, strings and [ranges], that are not PromQL words."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)
    names = set()
    for m in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr):
        word = m.group(0)
        rest = expr[m.end():].lstrip()
        if word in PROMQL_WORDS or rest.startswith("("):
            continue
        names.add(word)
    return names


def dashboard(dash, scrape):
    with open(dash, encoding="utf-8") as f:
        d = json.load(f)
    have = {k[0] for k in samples(scrape)} | families(scrape)
    exprs = []

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "expr" and isinstance(v, str):
                    exprs.append(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(d)
    bad = 0
    used = set()
    for e in exprs:
        names = metric_names(e)
        used |= names
        if not names:
            print(f"reads no metric: {e}")
            bad += 1
        for n in sorted(names - have):
            print(f"not in the scrape: {n} (in {e})")
            bad += 1
    print(f"{len(exprs)} expressions over {len(used)} metrics, {bad} faults")
    return 1 if bad or not exprs else 0


def value(scrape, name, want):
    want = {tuple(w.split("=", 1)) for w in want}
    found = [v for (n, labels), v in samples(scrape).items() if n == name and want <= labels]
    if len(found) != 1:
        sys.exit(f"{len(found)} samples of {name} with {sorted(want)}")
    print(f"{found[0]:.0f}" if found[0] == int(found[0]) else found[0])
    return 0


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "same" and len(sys.argv) == 5:
        return same(*sys.argv[2:])
    if cmd == "dashboard" and len(sys.argv) == 4:
        return dashboard(*sys.argv[2:])
    if cmd == "value" and len(sys.argv) >= 4:
        return value(sys.argv[2], sys.argv[3], sys.argv[4:])
    if cmd == "json" and len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as f:
            json.load(f)
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
