/* port_pool_create (dataplane/port.c) under the EAL with hugepages in
 * IOVA-as-PA mode, as twinpath-dp runs: every mbuf of an af_xdp port's
 * pool lies inside the area DPDK 22.11's af_xdp PMD registers as the
 * socket's UMEM. The PMD (xdp_umem_configure, get_base_addr) registers
 * from the first memory chunk's address rounded down to a page, for
 * populated_size x object size (header, mbuf with its buffer, trailer)
 * plus that rounding; a tx descriptor for an mbuf outside is refused by
 * the kernel (xsk_tx_invalid). A pool split into several chunks put the
 * last mbufs past the end. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp.h"

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

/* twinpath-dp's default dataplane.mbufs: 19 chunks with the old pool */
#define POOL_MBUFS 16383u

struct umem_check {
	uintptr_t base;          /* the UMEM's first byte */
	uint64_t size;           /* its length */
	size_t obj_size;         /* one object: header + element + trailer */
	unsigned int objs;
	unsigned int outside;    /* objects not wholly inside */
};

/* The UMEM the PMD registers for MP, computed as the PMD computes it. */
static void umem_of(struct rte_mempool *mp, struct umem_check *c)
{
	const struct rte_mempool_memhdr *first = STAILQ_FIRST(&mp->mem_list);
	uintptr_t addr = (uintptr_t)first->addr;
	uintptr_t page = (uintptr_t)getpagesize();

	memset(c, 0, sizeof(*c));
	c->base = addr & ~(page - 1);
	c->obj_size = rte_mempool_calc_obj_size(mp->elt_size, mp->flags, NULL);
	c->size = (uint64_t)mp->populated_size * c->obj_size +
		  (addr - c->base);
}

static void obj_inside(struct rte_mempool *mp, void *arg, void *obj,
		       unsigned int idx)
{
	struct umem_check *c = arg;
	uintptr_t start = (uintptr_t)obj - mp->header_size;

	(void)idx;
	c->objs++;
	if (start < c->base || start + c->obj_size > c->base + c->size)
		c->outside++;
}

static int group_setup(void **state)
{
	char prefix[64];
	/* hugepages, IOVA as physical addresses: twinpath-dp's EAL (no
	 * device asks for VA), where the old pool was split into chunks */
	char *argv[] = {"test_dp_pool", "-l", "0", "--no-pci", "--in-memory",
			"--iova-mode=pa", "--log-level=lib.eal:error",
			"--no-telemetry", prefix, NULL};

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=test_dp_pool_%d",
		 (int)getpid());
	/* every argument but the closing NULL */
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "test_dp_pool: EAL with hugepages failed (make "
			"deps reserves them)\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char dir[PATH_MAX];

	(void)state;
	/* the EAL makes its runtime directory even --in-memory and leaves
	 * it behind: one empty directory under /var/run/dpdk a run (empty
	 * here: no telemetry socket, which goes only at exit) */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (rmdir(dir) < 0 && errno != ENOENT)
		fprintf(stderr, "test_dp_pool: rmdir %s: %s\n", dir,
			strerror(errno));
	return 0;
}

/* Every one of the af_xdp pool's mbufs lies inside the UMEM, and the pool
 * has them all. */
static void test_pool_af_xdp_every_mbuf_inside_umem(void **state)
{
	struct rte_mempool *mp;
	struct umem_check c;

	(void)state;
	assert_int_equal(rte_eal_iova_mode(), RTE_IOVA_PA);
	mp = port_pool_create("t_xdp", POOL_MBUFS, 0, true);
	assert_non_null(mp);
	assert_int_equal(mp->populated_size, POOL_MBUFS);
	umem_of(mp, &c);
	rte_mempool_obj_iter(mp, obj_inside, &c);
	assert_int_equal(c.objs, POOL_MBUFS);
	assert_int_equal(c.outside, 0);
	assert_int_equal(mp->nb_mem_chunks, 1);
	/* and they are mbufs of the pool, as rte_pktmbuf_pool_create's */
	assert_int_equal(rte_pktmbuf_data_room_size(mp),
			 RTE_MBUF_DEFAULT_BUF_SIZE);
	assert_int_equal(rte_pktmbuf_priv_size(mp), 0);
	rte_mempool_free(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_af_xdp_every_mbuf_inside_umem),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
