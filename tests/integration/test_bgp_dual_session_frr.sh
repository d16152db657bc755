#!/usr/bin/env bash
# test_bgp_v6_session.sh with a session per family on each link
# (links.peer_address6: IPv4 unicast over one, IPv6 unicast over the
# other, one BFD session per link over IPv4), BIRD 2 on up1 and
# FRR (bgpd, bfdd, zebra) on up2.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_dual_session_frr.sh
TWP_V6_DUAL=1 TWP_V6_PEER2=frr exec bash "$(dirname "$0")/test_bgp_v6_session.sh"
