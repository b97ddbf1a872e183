#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Counts test cases in a meson JSON test log: prints "passed failed".

A cmocka suite reports each passing case as "[       OK ] name" and the number
of failing ones as "[  FAILED  ] N test(s), listed below:"; a suite that died before reporting
(crash, sanitizer abort, timeout) counts as one failure. A test that is not a cmocka
suite (a fuzzer) counts as one case, passed or failed by its result. A test that
skipped itself (exit 77: what it needs is not in this build, e.g. a sanitizer build's
preload library for stock programs) counts as neither; their names go to stderr."""
import json
import re
import sys

passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        t = json.loads(line)
        out = (t.get("stdout") or "") + (t.get("stderr") or "")
        p = len(re.findall(r"^\[       OK \] ", out, re.M))
        f = sum(int(n) for n in re.findall(r"\[  FAILED  \] (\d+) test", out))
        passed += p
        failed += f
        if t.get("result") == "SKIP":
            print("skipped:", t.get("name"), file=sys.stderr)
            continue
        if t.get("result") != "OK" and f == 0:
            failed += 1
        elif t.get("result") == "OK" and p == 0 and f == 0:
            passed += 1
print(passed, failed)
