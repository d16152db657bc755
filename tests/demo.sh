#!/usr/bin/env bash
# `make demo`: the lab, both daemons with config/lab-active-active.conf,
# a bounded UDP stream from the LAN host to the server over many flows,
# and what each link carried. Tears everything down on the way out.
# Usage: bash tests/demo.sh BUILD
set -u
BUILD=${1:-${BUILD:-build}}
source "$(dirname "$0")/lab.sh"

CONF=$LAB_SRC/config/lab-active-active.conf
SERVER=198.51.100.10
FLOWS=64
COUNT=5000
RATE=2000

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

lab_up || fail "lab did not come up"
lab_start_dp "$CONF" || fail "twinpath-dp did not start"
lab_start_cp "$CONF" || fail "twinpathd did not start"
lab_wait_sync 1 >/dev/null || fail "twinpathd never synced the FIB"

echo
echo "== twinpathctl show status (in the gateway)"
gw_exec "$BUILD/control/twinpathctl" --socket /run/twinpath/lab.sock show status ||
	fail "twinpathctl show status"

echo
echo "== $COUNT UDP packets over $FLOWS flows: LAN host 198.18.1.10 -> server $SERVER"
lab_stats /twinpath/ports >"$LAB_DIR/before.json" || fail "telemetry"
lab_sink srv demo --bind $SERVER --port 9000 --expect $COUNT --flows $FLOWS \
	--timeout 60 --idle 5 || fail "udp_sink"
lab_stream demo_tx --dst $SERVER --port 9000 --flows $FLOWS --count $COUNT \
	--rate $RATE --ttl 64
lab_sink_wait demo_tx >/dev/null
lab_sink_wait demo >/dev/null
lab_stats /twinpath/ports >"$LAB_DIR/after.json" || fail "telemetry"

python3 - "$LAB_DIR" <<'PY' || fail "traffic did not cross both links end to end"
import json, sys
d = sys.argv[1]
load = lambda n: json.load(open(f"{d}/{n}.json"))
a, b = load("before")["/twinpath/ports"], load("after")["/twinpath/ports"]
tx, rx = load("demo_tx"), load("demo")
links = sorted(k for k in b if k != "lan")
print()
print(f"{'link':<8}{'interface':<11}{'packets':>9}{'share':>8}")
delta = {k: b[k]["tx_packets"] - a[k]["tx_packets"] for k in links}
for k in links:
    share = 100.0 * delta[k] / max(1, sum(delta.values()))
    print(f"{k:<8}{b[k]['interface']:<11}{delta[k]:>9}{share:>7.1f}%")
print()
print(f"sent {tx['sent']}, received {rx['unique']}, lost {rx['lost']}, "
      f"duplicates {rx['duplicates']}, TTL at server {sorted(rx['ttl'])}")
ok = (all(delta[k] > 0 for k in links) and rx["lost"] == 0
      and rx["unique"] == tx["sent"] == tx["requested"])
sys.exit(0 if ok else 1)
PY
echo
echo "demo: traffic crossed both links, nothing lost"
