#!/bin/sh
# Runs `twinpathd --check FILE` and asserts its exit status and stderr.
# usage: check_exit.sh TWINPATHD WANT_STATUS FILE WANT_STDERR
twinpathd=$1 want_rc=$2 file=$3 want_err=$4
err=$("$twinpathd" --check "$file" 2>&1 >/dev/null)
rc=$?
if [ "$rc" != "$want_rc" ]; then
	echo "FAIL: exit status $rc, want $want_rc (stderr: $err)"
	exit 1
fi
if [ "$err" != "$want_err" ]; then
	echo "FAIL: stderr '$err', want '$want_err'"
	exit 1
fi
echo "ok: exit $rc${err:+, stderr '$err'}"
