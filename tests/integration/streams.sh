# Shared by the integration tests (source after tally.sh; needs SERVER,
# FLOWS and TTL): UDP streams from the LAN host to the server, checked for
# loss and duplicates, and the per-link split from twinpath-dp's port
# counters.

ports_snapshot() { lab_stats /twinpath/ports >"$LAB_DIR/$1.ports.json"; }

# link_delta FROM TO LINK [FIELD]: tx_packets (or FIELD) the link counted
# between two snapshots.
link_delta() {
	python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["/twinpath/ports"]
b = json.load(open(sys.argv[2]))["/twinpath/ports"]
f = sys.argv[4]
print(b[sys.argv[3]][f] - a[sys.argv[3]][f])' \
		"$LAB_DIR/$1.ports.json" "$LAB_DIR/$2.ports.json" "$3" "${4:-tx_packets}"
}

# check_stream NAME SENT: the sink NAME got every packet once.
check_stream() {
	local name=$1 sent=$2 what=$3 uniq lost dup
	uniq=$(j "$LAB_DIR/$name.json" 'j["unique"]')
	lost=$(j "$LAB_DIR/$name.json" 'j["lost"]')
	dup=$(j "$LAB_DIR/$name.json" 'j["duplicates"]')
	if [ "$uniq" -eq "$sent" ] && [ "$lost" -eq 0 ]; then
		ok "$what: all $sent packets arrived"
	else
		ko "$what: $uniq of $sent packets arrived, $lost lost (first: $(j "$LAB_DIR/$name.json" 'j["lost_first"]'))"
	fi
	if [ "$dup" -eq 0 ]; then
		ok "$what: no duplicates"
	else
		ko "$what: $dup duplicates"
	fi
}

# check_split NAME SENT WHAT: each link carried 30-70 % of the packets of
# stream NAME. Every flow sends the same number of packets, so this is
# also the flow split.
check_split() {
	local name=$1 sent=$2 what=$3 l d1 d2
	d1=$(link_delta "$name.0" "$name.1" link1)
	d2=$(link_delta "$name.0" "$name.1" link2)
	for l in 1 2; do
		local d=$d1
		[ $l -eq 2 ] && d=$d2
		if [ $((d * 100)) -ge $((sent * 30)) ] && [ $((d * 100)) -le $((sent * 70)) ]; then
			ok "$what: link$l carried $d of $sent packets ($((d * 100 / sent)) %, within 30-70 %)"
		else
			ko "$what: link$l carried $d of $sent packets ($((d * 100 / sent)) %, want 30-70 %)"
		fi
	done
	if [ $((d1 + d2)) -eq "$sent" ]; then
		ok "$what: links sent exactly the $sent packets of the stream"
	else
		ko "$what: links sent $((d1 + d2)) packets for a stream of $sent"
	fi
}

# stream_start NAME PORT COUNT RATE: a ports snapshot, a sink at the
# server, then COUNT packets over $FLOWS flows from the LAN host.
stream_start() {
	local name=$1 port=$2 count=$3 rate=$4
	ports_snapshot "$name.0"
	lab_sink srv "$name" --bind $SERVER --port "$port" --expect "$count" \
		--flows $FLOWS --timeout $((count / rate + 60)) --idle 10 ||
		fatal "sink $name did not start"
	lab_stream "$name.tx" --dst $SERVER --port "$port" --flows $FLOWS \
		--count "$count" --rate "$rate" --ttl $TTL
}

# stream_end NAME: wait for sender and sink, snapshot the ports again;
# sets $sent.
stream_end() {
	local name=$1 want
	lab_sink_wait "$name.tx" >/dev/null
	lab_sink_wait "$name" >/dev/null
	ports_snapshot "$name.1"
	sent=$(j "$LAB_DIR/$name.tx.json" 'j["sent"]')
	want=$(j "$LAB_DIR/$name.tx.json" 'j["requested"]')
	[ "$sent" -eq "$want" ] || ko "stream $name sent only $sent of $want packets"
}
