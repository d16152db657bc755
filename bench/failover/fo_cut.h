/* fo_cut: the word fault.bpf.c's programs read and fo_fault writes. */
#ifndef FO_CUT_H
#define FO_CUT_H

#define FO_CUT_IN 1u  /* frames from the gateway, dropped at XDP */
#define FO_CUT_OUT 2u /* frames to the gateway, shot at tc egress */

/* fo_tc_count_in/out (fault.bpf.c, `fo_fault count-on`): the frames of
 * the two-way traffic through one link, counted at the server's side of
 * its upstream: TCP or UDP from a site port in this range coming in,
 * to one going out. run.sh gives traffic_mix.py's two-way flows these
 * source ports, and everything else others. */
#define FO_TWOWAY_PORT_LO 50000u
#define FO_TWOWAY_PORT_HI 50999u
#define FO_COUNT_IN 0u  /* fo_count's entries */
#define FO_COUNT_OUT 1u

#endif
