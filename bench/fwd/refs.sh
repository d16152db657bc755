#!/usr/bin/env bash
# Builds the two reference programs of the forwarding benchmark from
# Debian's dpdk-doc sources, in a scratch directory (never committed):
#   l3fwd     DPDK's L3 forwarder, LPM mode: the bar twinpath-dp is held to
#   basicfwd  DPDK's skeleton (rx burst -> tx burst): the harness alone
# Only limits and offload requests are changed (NOTES.md, "Benchmarking
# against DPDK l3fwd"); the forwarding code stays as Debian ships it.
# usage: refs.sh SCRATCH_DIR MBUFS
set -euo pipefail
dir=$1
mbufs=$2
src=/usr/share/dpdk/examples
stamp="$dir/.stamp"
want="$(sha1sum "$0" | cut -d' ' -f1) $mbufs $(dpkg-query -W -f='${Version}' dpdk-doc)"

if [ -x "$dir/l3fwd/build/l3fwd" ] && [ -x "$dir/skeleton/build/basicfwd" ] &&
   [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
	exit 0
fi
[ -d "$src/l3fwd" ] || { echo "refs: $src/l3fwd missing (apt-get install dpdk-doc)" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$src/l3fwd" "$src/common" "$src/skeleton" "$dir/"

# Room for a 1 M-route table: 2^21 LPM rules and 2^16 tbl8 groups (the
# shipped 1024 rules hold a toy table only); the same for --lookup=fib.
sed -i -e 's/^#define IPV4_L3FWD_LPM_MAX_RULES .*/#define IPV4_L3FWD_LPM_MAX_RULES (1 << 21)/' \
       -e 's/^#define IPV4_L3FWD_LPM_NUMBER_TBL8S .*/#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 16)/' \
       "$dir/l3fwd/l3fwd_lpm.c"
sed -i -e 's/config_ipv4.max_routes = (1 << 16);/config_ipv4.max_routes = (1 << 21);/' \
       -e 's/config_ipv4.dir24_8.num_tbl8 = (1 << 15);/config_ipv4.dir24_8.num_tbl8 = (1 << 16);/' \
       "$dir/l3fwd/l3fwd_fib.c"
# net_pcap keeps one mbuf per packet of the replayed file: the pool's
# floor must hold the file (8192 would starve rx, silently).
sed -i -e "s/(unsigned)8192)/(unsigned)$mbufs)/" "$dir/l3fwd/main.c"
sed -i -e "s/^#define NUM_MBUFS .*/#define NUM_MBUFS $mbufs/" "$dir/skeleton/basicfwd.c"
# net_pcap/net_null have no rx checksum offload: ask only for what the
# port offers, else l3fwd refuses to configure it.
sed -i -e 's/^\(\t*\)local_port_conf.rx_adv_conf.rss_conf.rss_hf &=$/\1local_port_conf.rxmode.offloads \&= dev_info.rx_offload_capa;\n&/' \
       -e 's/rxq_conf.offloads = port_conf.rxmode.offloads;/rxq_conf.offloads = port_conf.rxmode.offloads \& dev_info.rx_offload_capa;/' \
       "$dir/l3fwd/main.c"
for f in "$dir/l3fwd/l3fwd_lpm.c" "$dir/l3fwd/main.c" "$dir/skeleton/basicfwd.c"; do
	cmp -s "$f" "$src/${f#"$dir"/}" && { echo "refs: patch of $f did not apply" >&2; exit 1; }
done
grep -q 'rxmode.offloads &= dev_info.rx_offload_capa' "$dir/l3fwd/main.c" ||
	{ echo "refs: l3fwd offload mask did not apply" >&2; exit 1; }

make -s -C "$dir/l3fwd" >"$dir/l3fwd.log" 2>&1 || { cat "$dir/l3fwd.log" >&2; exit 1; }
make -s -C "$dir/skeleton" >"$dir/skeleton.log" 2>&1 || { cat "$dir/skeleton.log" >&2; exit 1; }
echo "$want" >"$stamp"
echo "refs: built $dir/l3fwd/build/l3fwd and $dir/skeleton/build/basicfwd"
