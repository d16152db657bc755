# Shared by the integration tests (source it after tests/lab.sh, with
# LAB_NO_TRAP=1): PASS/FAIL lines, and on exit — also on failure or
# Ctrl-C — the lab torn down and the closing "N passed, M failed".
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
ko() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
# fatal MSG: a step the rest depends on failed.
fatal() {
	ko "$*"
	exit 1
}
j() { lab_json "$@"; } # FILE EXPR
# need_frr DAEMON...: FRR's DAEMONs (/usr/lib/frr) and vtysh come with
# `make deps` (deps/debian-packages.txt): missing is a failure, not a
# skip, so CI can never pass without the test that needs them.
need_frr() {
	local dm
	for dm in "$@"; do
		[ -x "/usr/lib/frr/$dm" ] && command -v vtysh >/dev/null ||
			fatal "FRR (/usr/lib/frr/$dm, vtysh) not installed: run make deps"
	done
}

# The script's own stdout/stderr: a trap runs inside whatever redirection
# the interrupted command had (`lab_sink_wait X >/dev/null`), so restore.
exec 3>&1 4>&2
tally_finish() {
	local rc=$?
	trap - EXIT INT TERM
	exec 1>&3 2>&4
	# A step that died without a verdict is a failure too.
	[ $rc -ne 0 ] && [ $failed -eq 0 ] && ko "aborted (status $rc)"
	if [ $failed -gt 0 ] && [ -d "$LAB_DIR" ]; then
		lab_tail dp
		lab_tail cp
	fi
	lab_down
	echo "$passed passed, $failed failed"
	# the script's status is this, whatever `exit` the script called
	[ $failed -eq 0 ] && [ $passed -gt 0 ] && exit 0
	exit 1
}
trap tally_finish EXIT
trap 'exec 1>&3 2>&4; ko "interrupted"; exit 130' INT TERM
