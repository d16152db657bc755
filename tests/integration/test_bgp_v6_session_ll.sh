#!/usr/bin/env bash
# test_bgp_v6_session.sh with link2's session between link-local
# addresses (peer_address "fe80::2%link2", our fe80::1; BIRD 2 on both
# upstreams): BGP and BFD over link-local IPv6, both families.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_v6_session_ll.sh
TWP_V6_LL=1 exec bash "$(dirname "$0")/test_bgp_v6_session.sh"
