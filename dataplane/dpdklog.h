/* DPDK's own log lines (EAL, PMDs) into the journal with their severity. */
#ifndef TWP_DPDKLOG_H
#define TWP_DPDKLOG_H

/* When log_init found stderr to be the journal, make rte_log write through
 * a stream that gives every line the "<N>" of its DPDK level; otherwise
 * leave DPDK's own stream alone. Call before rte_eal_init. 0 or -errno. */
int dpdklog_init(void);

#endif
