/* fo_cut: the word fault.bpf.c's programs read and fo_fault writes. */
#ifndef FO_CUT_H
#define FO_CUT_H

#define FO_CUT_IN 1u  /* frames from the gateway, dropped at XDP */
#define FO_CUT_OUT 2u /* frames to the gateway, shot at tc egress */

#endif
