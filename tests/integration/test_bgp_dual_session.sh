#!/usr/bin/env bash
# test_bgp_v6_session.sh with a session per family on each link
# (links.peer_address6: IPv4 unicast over one, IPv6 unicast over the
# other, one BFD session per link over IPv4), BIRD 2 on up1 and
# BIRD 2 on up2.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_dual_session.sh
TWP_V6_DUAL=1 exec bash "$(dirname "$0")/test_bgp_v6_session.sh"
