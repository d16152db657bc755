/* The failover bench's UDP payload (fo_send -> fo_recv) and the record
 * fo_recv keeps for every packet (bench/failover/analyze.py reads both). */
#ifndef FO_WIRE_H
#define FO_WIRE_H

#include <stdint.h>

#define FO_MAGIC 0x74706676u /* "tpfv" */

/* host byte order: both ends run on this machine */
struct fo_payload {
	uint32_t magic;
	uint32_t flow;    /* 0..flows-1, one UDP source port each */
	uint64_t seq;     /* per flow */
	uint64_t index;   /* global, index = seq * flows + flow */
	uint64_t send_ns; /* CLOCK_MONOTONIC when handed to the kernel */
};

/* fo_recv's record, 32 bytes, written in arrival order */
struct fo_record {
	uint64_t index;
	uint64_t send_ns;
	uint64_t recv_ns; /* CLOCK_MONOTONIC after the recvmmsg returned */
	uint32_t ifindex; /* IP_PKTINFO: the interface it arrived on */
	uint32_t flow;
};

#endif
