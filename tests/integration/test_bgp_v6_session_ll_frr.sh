#!/usr/bin/env bash
# test_bgp_v6_session.sh with link2's session between link-local
# addresses (our fe80::1, "fe80::2%link2") against FRR (bgpd, bfdd,
# zebra) on up2, BIRD 2 on up1.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_v6_session_ll_frr.sh
TWP_V6_LL=1 TWP_V6_PEER2=frr exec bash "$(dirname "$0")/test_bgp_v6_session.sh"
