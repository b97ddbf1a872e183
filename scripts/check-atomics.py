#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks that shared-memory primitives and CPU instructions stay in src/base/.

The tree builds for any architecture liburcu supports because one header,
src/base/atomic.h, names the compiler's atomic builtins and liburcu's barriers and
the rest of src/ uses its vocabulary (docs/decisions.md, "Atomics, spinning and
arm64"). This finds code outside src/base/ that names __atomic_*, __sync_*, an x86
builtin (__builtin_ia32_*) or inline assembly. Comments do not count. The BPF programs
(src/io/bpf/) are exempt: they are built for the BPF target, where liburcu does not
exist and the atomic builtins are the BPF instruction set's own (the fast path's
counters), the same on every host architecture.

Usage: check-atomics.py [SOURCE_ROOT]; prints each offence and exits 1 if any.
check-atomics.py --self-test checks that the checker finds offences in a made-up tree.
"""
import os
import re
import sys
import tempfile

# The builtins by name; inline assembly by its keyword before "(" (not <asm/types.h>).
FORBIDDEN = re.compile(
    r"\b(__atomic_\w+|__sync_\w+|__builtin_ia32_\w+)"
    r"|\b(__asm__|__asm|asm)\s*(?:(?:volatile|__volatile__|goto|inline)\s*)*\(")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def find_offences(root):
    """Every use outside src/base/, as printable "file:line: name" lines."""
    offences = []
    src = os.path.join(root, "src")
    for dirpath, _, names in os.walk(src):
        rel = os.path.relpath(dirpath, src).split(os.sep)
        if rel[0] == "base" or rel[:2] == ["io", "bpf"]:
            continue
        for name in sorted(names):
            if not name.endswith((".c", ".h", ".in")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            # Comments become blanks of the same lines, so line numbers stay right.
            code = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
            for n, line in enumerate(code.split("\n"), 1):
                for m in FORBIDDEN.finditer(line):
                    offences.append(f"{os.path.relpath(path, root)}:{n}: {m.group(1) or m.group(2)}")
    return sorted(offences)


def self_test():
    """A tree with one offence of each kind, the same words in comments, and base/."""
    files = {
        "src/core/conn.h": "/* not __atomic_load_n here */\nx = __atomic_load_n(&y, 0);\n",
        "src/core/conn.c": "// __sync_fetch_and_add is fine in a comment\n__builtin_ia32_pause();\n",
        "src/io/ring.c": "/* a comment\n over lines */ __sync_synchronize();\n",
        "src/pkt/cpu.c": '#include <asm/types.h>\nvoid f(void) { __asm__ volatile("" ::: "memory"); }\n',
        "src/base/atomic.h": "#define uvs_load_relaxed(p) __atomic_load_n((p), 0)\n",
        "src/sched/rr.c": "static int plain(void) { return 0; }\n",
        "src/io/bpf/fast.h": "__sync_fetch_and_add(&e->pkts, 1);\n",
    }
    with tempfile.TemporaryDirectory() as root:
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        found = find_offences(root)
    expected = [
        "src/core/conn.c:2: __builtin_ia32_pause",
        "src/core/conn.h:2: __atomic_load_n",
        "src/io/ring.c:2: __sync_synchronize",
        "src/pkt/cpu.c:2: __asm__",
    ]
    if found != expected:
        print("check-atomics self-test failed; found:", *found, sep="\n  ")
        return 1
    print("check-atomics self-test: the four offences found, nothing else")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    offences = find_offences(root)
    for line in offences:
        print(line)
    print(f"check-atomics: {len(offences)} offence(s) outside src/base/")
    return 1 if offences else 0


if __name__ == "__main__":
    sys.exit(main())
