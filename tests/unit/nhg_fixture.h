/* Fixture of the nexthop-group tests (test_flowhash, test_dp_health,
 * test_nhgroup): a table whose retired objects are freed at once (no
 * forwarding lcore reads them), resolved IPv4 nexthops on given ports,
 * and the cmocka teardown. */
#ifndef TWP_NHG_FIXTURE_H
#define TWP_NHG_FIXTURE_H

#include <stdlib.h>
#include <sys/socket.h>

#include "nhgroup.h"

static inline void nhg_fixture_retire(void *ctx, void *obj)
{
	(void)ctx;
	free(obj);
}

/* A zeroed table for N_PORTS ports (all down), or NULL. */
static inline struct nhg_table *nhg_fixture_table(uint16_t n_ports)
{
	struct nhg_table *t = calloc(1, sizeof(*t));

	if (t != NULL)
		nhg_table_init(t, n_ports, nhg_fixture_retire, NULL);
	return t;
}

/* A resolved IPv4 nexthop ID on PORT, generation 1. */
static inline int nhg_fixture_nexthop(struct nhg_table *t, uint32_t id,
				      uint16_t port)
{
	struct chan_nexthop nh = {.id = id, .port = port, .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};

	return nhg_nexthop_set(t, &nh, 1);
}

static inline int nhg_fixture_teardown(void **state)
{
	nhg_table_free(*state);
	free(*state);
	return 0;
}

#endif
