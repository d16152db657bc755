#!/bin/sh
# PROG --version prints "NAME VERSION" alone and exits 0.
# usage: version.sh PROG NAME VERSION
out=$("$1" --version 2>&1)
rc=$?
want="$2 $3"
[ $rc -eq 0 ] && [ "$out" = "$want" ] ||
	{ echo "FAIL: status $rc, output '$out', want '$want'"; exit 1; }
echo "ok: $out"
