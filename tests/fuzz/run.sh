#!/usr/bin/env bash
# make fuzz: runs every libFuzzer target of BUILD (tests/fuzz/fuzz_*) for
# SECONDS each, from the committed seeds (tests/fuzz/corpus/TARGET) and
# regressions (tests/fuzz/regressions/TARGET), the corpus it grows in a
# scratch directory removed afterwards. A finding (crash, sanitizer report,
# broken invariant, leak, timeout) stops that target; its reproducer stays
# in BUILD/fuzz-findings/TARGET/ and is named on stderr. Exits non-zero
# when any target found something.
# Leaks are findings (-detect_leaks=1), but those of
# tests/sanitize/lsan.supp (libconfig's own). One target at a time, at
# nice 19 (FUZZ_NICE=0 for a machine of its own): the lab's timing tests
# share this one. TARGETs (fuzz_bgp ...) choose; default every one built.
#   bash tests/fuzz/run.sh BUILD [SECONDS] [TARGET...]
set -uo pipefail
build=${1:?usage: run.sh BUILD [SECONDS] [TARGET...]}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] ||
	{ echo "fuzz: SECONDS must be a positive number, not '$secs'" >&2; exit 2; }

shopt -s nullglob
targets=()
if [ $# -gt 2 ]; then
	for name in "${@:3}"; do targets+=("$build/tests/fuzz/$name"); done
else
	for t in "$build"/tests/fuzz/fuzz_*; do
		[ -f "$t" ] && [ -x "$t" ] && targets+=("$t")
	done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no fuzz_* target in $build/tests/fuzz" >&2; exit 2; }

scratch=$(mktemp -d /tmp/twp-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failed=0
for t in "${targets[@]}"; do
	name=$(basename "$t")
	out=$(cd "$build" && pwd)/fuzz-findings/$name
	mkdir -p "$out" "$scratch/$name"
	before=$(ls "$out" | wc -l)
	echo "fuzz: $name for ${secs}s (findings go to $out/)"
	# -max_total_time bounds the run; timeout(1) bounds a hang before it
	# starts counting. A single input over 10 s is a finding (timeout-*).
	ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/../sanitize/lsan.supp} \
	nice -n "${FUZZ_NICE:-19}" timeout -k 10 $((secs + 120)) "$t" \
		-max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-detect_leaks=1 \
		-artifact_prefix="$out/" \
		"$scratch/$name" "$here/corpus/$name" "$here/regressions/$name"
	rc=$?
	# a target that died leaves its EAL runtime directory (PREFIX_PID,
	# dp_testbed.c): remove those of fuzz targets no longer running
	for dir in /var/run/dpdk/fuzz_*_[0-9]*; do
		[ -d "$dir" ] && ! kill -0 "${dir##*_}" 2>/dev/null && rm -rf "$dir"
	done
	if [ $rc -ne 0 ] || [ "$(ls "$out" | wc -l)" -ne "$before" ]; then
		failed=1
		repro=$(ls -t "$out" | head -1)
		echo "fuzz: $name FOUND A PROBLEM (exit $rc)." >&2
		if [ -n "$repro" ]; then
			echo "fuzz: reproducer: $out/$repro" >&2
			echo "fuzz: replay it: $t $out/$repro" >&2
		fi
	else
		echo "fuzz: $name: nothing found in ${secs}s," \
			"$(ls "$scratch/$name" | wc -l) new corpus inputs"
	fi
done
exit $failed
