#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks that no file under src/ includes a header from a layer above its own.

The layers, lowest first (README.md, "Layout"). A file may include headers of its own
directory, of lower layers, and of its own layer's other directories as long as no two
directories of a layer include each other (a cycle would make them one layer). core and
sched are one layer by design: schedulers read the model, the model calls their ops.
include/uvs/ (the control ABI) and src/base/ (portable atomics and spinning) are below
everything.

Usage: check-layers.py [SOURCE_ROOT]; prints each offence and exits 1 if any.
check-layers.py --self-test checks that the checker finds offences in a made-up tree.
"""
import os
import re
import sys
import tempfile

LAYERS = [
    ["uvs", "base"],  # include/uvs: the control ABI; src/base: atomics and the like
    ["pkt"],
    ["xmit"],
    ["core", "sched"],
    ["adm", "ctl", "io", "net", "sync"],
    ["daemon", "uvsadm", "replay", "preload"],
]
ONE_LAYER = {frozenset(("core", "sched"))}
RANK = {d: i for i, layer in enumerate(LAYERS) for d in layer}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def directory_of(path, root):
    """The layer directory a file under src/ belongs to (src/io/bpf counts as io)."""
    rel = os.path.relpath(path, os.path.join(root, "src"))
    return rel.split(os.sep)[0]


def target_directory(header, including_file, root):
    """The layer directory of an included header, or None if it is not one of ours."""
    local = os.path.join(os.path.dirname(including_file), header)
    if os.path.exists(local):
        return directory_of(local, root)
    top = header.split("/")[0]
    if top in RANK and os.path.exists(os.path.join(root, "src", header)):
        return top
    if top == "uvs" and os.path.exists(os.path.join(root, "include", header)):
        return "uvs"
    return None


def find_offences(root):
    """Every include against the layer order under root/src, as printable lines."""
    offences = []
    edges = {}
    for dirpath, _, names in os.walk(os.path.join(root, "src")):
        for name in sorted(names):
            if not name.endswith((".c", ".h", ".in")):
                continue
            path = os.path.join(dirpath, name)
            here = directory_of(path, root)
            if here not in RANK:
                offences.append(f"{os.path.relpath(path, root)}: directory src/{here} has no layer in scripts/check-layers.py")
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for header in INCLUDE.findall(text):
                there = target_directory(header, path, root)
                if there is None or there == here:
                    continue
                rel = os.path.relpath(path, root)
                if RANK[there] > RANK[here]:
                    offences.append(f"{rel}: includes \"{header}\" from a higher layer ({there} above {here})")
                elif RANK[there] == RANK[here]:
                    edges.setdefault((here, there), rel + ": \"" + header + "\"")
    for (a, b), where in sorted(edges.items()):
        if (b, a) in edges and a < b and frozenset((a, b)) not in ONE_LAYER:
            offences.append(f"src/{a} and src/{b} include each other ({where}; {edges[(b, a)]})")
    return offences


def self_test():
    """A tree with one upward include, one same-layer cycle and one clean file."""
    files = {
        "src/pkt/parse.h": '#include "core/model.h"\n',
        "src/core/model.h": '#include "pkt/parse.h"\n#include "sched/sched.h"\n',
        "src/sched/sched.h": '#include "core/model.h"\n',
        "src/adm/rules.h": '#include "ctl/client.h"\n',
        "src/ctl/client.h": '#include "adm/rules.h"\n#include "uvs/ctl.h"\n',
        "include/uvs/ctl.h": "",
    }
    with tempfile.TemporaryDirectory() as root:
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        found = find_offences(root)
    expected = [
        'src/pkt/parse.h: includes "core/model.h" from a higher layer (core above pkt)',
        'src/adm and src/ctl include each other (src/adm/rules.h: "ctl/client.h"; src/ctl/client.h: "adm/rules.h")',
    ]
    if sorted(found) != sorted(expected):
        print("check-layers self-test failed; found:", *found, sep="\n  ")
        return 1
    print("check-layers self-test: both offences found, nothing else")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    offences = find_offences(root)
    for line in offences:
        print(line)
    print(f"check-layers: {len(offences)} offence(s)")
    return 1 if offences else 0


if __name__ == "__main__":
    sys.exit(main())
