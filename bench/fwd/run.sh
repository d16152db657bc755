#!/usr/bin/env bash
# make bench: the forwarding benchmark (bench/fwd/fwd.py) after building
# the reference programs. usage: run.sh BUILD_DIR [fwd.py options]
# Needs root, hugepages and the dpdk-doc examples (make deps). Bounded:
# about 18 minutes, most of it l3fwd loading 1 M LPM rules one by one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
shift || true
refs="$build/bench-refs"   # scratch: Debian's l3fwd/skeleton, never committed
mbufs=49151                # the replayed pcap keeps one mbuf per packet

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: must run as root (hugepages, DPDK)" >&2
	exit 1
fi
bash "$here/refs.sh" "$refs" "$mbufs"
# Three twinpath-dp (as is, idle_sleep_us 0, suspect { }: about 1.3 GiB
# each at 1 M routes) and l3fwd side by side need more than the 1024
# pages make deps keeps: reserved for the run, given back after it (what
# another program still holds stays until it lets go). Without them the
# variants could not start, and fwd.py fails rather than report without
# them. 2304 pages left l3fwd without memory for its LPM table at 4 links
# ("LPM memory allocation failed"): it is started last, beside the three.
want=${BENCH_HUGEPAGES:-3072}
before=$(cat /proc/sys/vm/nr_hugepages)
if [ "$before" -lt "$want" ]; then
	echo "$want" >/proc/sys/vm/nr_hugepages
	got=$(cat /proc/sys/vm/nr_hugepages)
	echo "bench: hugepages $before -> $got for the run (want $want)" >&2
	trap 'echo "$before" >/proc/sys/vm/nr_hugepages' EXIT
fi
rc=0
timeout --foreground 1800 python3 "$here/fwd.py" --build "$build" \
	--refs "$refs" --mbufs "$mbufs" --out "$here/../out" "$@" || rc=$?
exit $rc
