#!/usr/bin/env bash
# test_bgp_v6_session.sh with FRR (bgpd, bfdd, zebra) on up2 and BIRD 2
# on up1: one session per link over IPv6 with both families, BFD over
# IPv6, a silent loss of link1.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_v6_session_frr.sh
TWP_V6_PEER2=frr exec bash "$(dirname "$0")/test_bgp_v6_session.sh"
