#!/usr/bin/env python3
"""Closing line of `make test`: one 'N passed, M failed' over every meson
test that ran (from meson's testlog.json), so a reader and CI see the count.
usage: summary.py TESTLOG.JSON [WHAT]; WHAT names the run in the line (the
sanitizer build's)."""
import json
import sys

path = sys.argv[1]
what = f" ({sys.argv[2]})" if len(sys.argv) > 2 else ""
passed = failed = skipped = 0
for line in open(path):
    t = json.loads(line)
    if t["result"] in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif t["result"] == "SKIP":
        skipped += 1
    else:
        failed += 1
        print(f"failed{what}: {t['name']} ({t['result']})")
tail = f", {skipped} skipped" if skipped else ""
print(f"tests{what}: {passed} passed, {failed} failed{tail}")
sys.exit(1 if failed or passed == 0 else 0)
