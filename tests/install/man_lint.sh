#!/bin/sh
# A man page renders without a single warning: groff with every warning on
# (what `man` runs), and mandoc's linter when it is installed.
# usage: man_lint.sh PAGE
page=$1
out=$(groff -man -t -ww -z "$page" 2>&1) || { printf '%s\n' "$out"; echo "FAIL: groff"; exit 1; }
[ -z "$out" ] || { printf '%s\n' "$out"; echo "FAIL: groff warnings"; exit 1; }
if command -v mandoc >/dev/null 2>&1; then
	out=$(mandoc -T lint -W warning "$page" 2>&1)
	[ -z "$out" ] || { printf '%s\n' "$out"; echo "FAIL: mandoc -T lint"; exit 1; }
	echo "ok: groff -ww and mandoc -T lint are silent"
else
	echo "ok: groff -ww is silent (no mandoc)"
fi
