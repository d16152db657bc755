#!/usr/bin/env bash
# Several queues on af_xdp ports (issue 15 item 4). The lab's veths get two
# rx and two tx queues each (LAB_VETH_QUEUES=2). What this shows, each an
# exact line:
# (a) the kernel: a veth has rx/tx channels and no combined ones;
# (b) DPDK 22.11's af_xdp PMD takes its queue count from the combined
#     channels and refuses queue_count 2 on such an interface: two
#     forwarding lcores on a veth are impossible with this PMD (one vdev per
#     queue is no way round: each vdev loads the XDP program anew);
# (c) twinpath-dp with two forwarding lcores refuses at start, naming it;
# (d) with one forwarding lcore it refuses too: the interface's second rx
#     queue would carry packets past the fast path (no AF_XDP socket
#     there), and the error gives the ethtool line that fixes it;
# (e) that line applied, twinpath-dp forwards a stream, every packet.
# Usage: BUILD=<build root> bash tests/integration/test_afxdp_queues.sh
set -u
BUILD=${BUILD:-${1:-build}}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"

CONF=$LAB_SRC/config/lab-active-active.conf
SERVER=198.51.100.10
FLOWS=32
TTL=64
source "$(dirname "$0")/streams.sh"

export LAB_VETH_QUEUES=2
echo "== lab up, every veth with 2 rx and 2 tx queues"
lab_up || fatal "lab did not come up"

# refused NAME CONFIG LINE: twinpath-dp in the gateway, in the
# foreground, bounded, must exit non-zero with LINE in its output
# ($LAB_DIR/NAME.log).
refused() {
	local rc
	lab_argv gw
	"${LAB_ARGV[@]}" timeout 60 "$BUILD/dataplane/twinpath-dp" \
		--config "$2" --xdp-prog "$BUILD/bpf/bfd.bpf.o" \
		>"$LAB_DIR/$1.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ] && grep -qF "$3" "$LAB_DIR/$1.log"; then
		ok "refused (status $rc): $3"
	else
		ko "twinpath-dp status $rc, no line '$3'"
		tail -n 20 "$LAB_DIR/$1.log"
	fi
}

echo "== (a) the kernel's channels of link1"
ch=$(gw_exec ethtool -l link1 | awk '/Current hardware settings/ {c = 1}
	c && /^(RX|TX|Combined):/ {printf "%s%s", sep, $1 $2; sep = " "}')
[ "$ch" = "RX:2 TX:2 Combined:n/a" ] &&
	ok "link1 has 2 rx and 2 tx channels, no combined one ($ch)" ||
	ko "link1's channels: '$ch', want 'RX:2 TX:2 Combined:n/a'"

echo "== (b) DPDK's af_xdp PMD asked for 2 queues on link1"
want="init_internals(): Specified queue count 2 is larger than combined queue count 1."
lab_argv gw
"${LAB_ARGV[@]}" timeout 30 dpdk-testpmd -l 0-1 --no-pci --in-memory \
	--no-telemetry --file-prefix "twpq$$" \
	--vdev "net_af_xdp0,iface=link1,queue_count=2" -- --stats-period 0 \
	</dev/null >"$LAB_DIR/testpmd.log" 2>&1
if grep -qxF "$want" "$LAB_DIR/testpmd.log"; then
	ok "the PMD refuses: $want"
else
	ko "the PMD did not say '$want' (see $LAB_DIR/testpmd.log)"
	tail -n 20 "$LAB_DIR/testpmd.log"
fi

echo "== (c) twinpath-dp with 2 forwarding lcores"
conf2=$LAB_DIR/lab-2-workers.conf
sed -e 's/eal_args = \["-l", "0-1"\];/eal_args = ["--lcores", "0@0,1@1,2@1"];/' \
	"$CONF" >"$conf2"
grep -qF '"0@0,1@1,2@1"' "$conf2" || fatal "could not derive $conf2"
refused two "$conf2" "port link1: 2 forwarding lcores need 2 combined channels on link1 (one AF_XDP queue each), it has 0; fix: 'ethtool -L link1 combined 2' (a veth has rx/tx channels only, 2 rx: use one worker lcore, e.g. eal_args [\"-l\", \"0-1\"])"

echo "== (d) twinpath-dp with 1 forwarding lcore on 2-queue veths"
refused one "$CONF" "port link1: link1 has 2 rx queues (0 combined, 2 rx only) and twinpath-dp opens an AF_XDP socket on 1 (one per forwarding lcore): what the kernel puts on the others would miss the fast path; fix: 'ethtool -L link1 rx 1' (a veth: its peer's tx queues too, the kernel checks it for XDP)"
att=$(gw_exec ip -o link show link1 | grep -c " xdp")
[ "$att" -eq 0 ] && ok "no XDP program left on link1 after the refusals" ||
	ko "an XDP program is still attached to link1"

# A veth's sender picks the queue: its far end sends on one tx queue too
# (the kernel refuses XDP on a veth whose peer has more tx queues than it
# has rx queues).
echo "== (e) the fix applied on every gateway port: one rx queue each"
for ifc in link1 link2 lan0; do
	gw_exec ethtool -L "$ifc" rx 1 tx 1 ||
		fatal "ethtool -L $ifc rx 1 tx 1 failed"
done
for role in lan up1 up2; do
	ip netns exec "$(lab_ns $role)" ethtool -L eth0 rx 1 tx 1 ||
		fatal "ethtool -L eth0 rx 1 tx 1 failed in $role"
done
lab_start_dp "$CONF" || fatal "twinpath-dp did not start with one rx queue per port"
lab_start_cp "$CONF" || fatal "twinpathd did not start"
lab_wait_sync 1 >/dev/null || fatal "no sync from twinpathd"
stream_start e 9000 4000 2000
stream_end e
check_stream e "$sent" "stream after the fix"
exit 0
