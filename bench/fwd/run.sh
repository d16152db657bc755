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
exec timeout --foreground 1800 python3 "$here/fwd.py" --build "$build" \
	--refs "$refs" --mbufs "$mbufs" --out "$here/../out" "$@"
