/* dataplane/xskstat.c on real AF_XDP sockets (libxdp's xsk API, copy
 * mode) bound to a veth pair the test creates in a network namespace of
 * its own: a socket created while a port's queue was set up is found and
 * given to that port and queue (and nothing else is), the kernel's count
 * of a tx descriptor past the UMEM's end reaches the port's counters, a
 * re-created socket continues its predecessor's counts, and a growing
 * xsk_tx_invalid is logged once, then at most once a minute. Needs root
 * (unshare CLONE_NEWNET, ip link). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <xdp/xsk.h>

#include "dp.h"
#include "xskstat.h"

#define IF_A "xt0"
#define IF_B "xt1"
#define N_FRAMES 64u
#define FRAME XSK_UMEM__DEFAULT_FRAME_SIZE
#define UMEM_SIZE ((size_t)N_FRAMES * FRAME)
#define LINK 0u
#define N_QUEUES "8"

static struct dp d;
/* The kernel queue the next socket binds to. A closed socket's binding
 * is released by deferred work in the kernel (xp_release_deferred), so
 * binding the same queue again at once can fail with EBUSY: each socket
 * of the test binds a queue of its own. */
static uint32_t next_qid;

struct xsk_fixture {
	void *buf;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
};

/* An AF_XDP socket on IF_A's next queue over a UMEM of its own. */
static void xsk_open(struct xsk_fixture *f)
{
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_CONS__DEFAULT_NUM_DESCS,
		.tx_size = XSK_RING_PROD__DEFAULT_NUM_DESCS,
		/* no XDP program: only the socket's tx is used */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};

	memset(f, 0, sizeof(*f));
	f->buf = mmap(NULL, UMEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(f->buf != MAP_FAILED);
	assert_int_equal(xsk_umem__create(&f->umem, f->buf, UMEM_SIZE, &f->fq,
					  &f->cq, NULL), 0);
	assert_true(next_qid < (uint32_t)atoi(N_QUEUES));
	assert_int_equal(xsk_socket__create(&f->xsk, IF_A, next_qid++, f->umem,
					    &f->rx, &f->tx, &cfg), 0);
}

static void xsk_close(struct xsk_fixture *f)
{
	xsk_socket__delete(f->xsk);
	xsk_umem__delete(f->umem);
	munmap(f->buf, UMEM_SIZE);
}

/* Port LINK's queue 0 set up as port.c does it: the socket created
 * between mark and claim (bound to kernel queue next_qid; twinpath-dp's
 * queue q is the kernel's queue q, here only the first socket's is). */
static void xsk_open_claimed(struct xsk_fixture *f)
{
	assert_int_equal(xskstat_mark(), 0);
	xsk_open(f);
	assert_int_equal(xskstat_claim(&d, LINK, 0), 1);
}

/* Two tx descriptors, a valid 60-byte broadcast frame in frame 1, then
 * one at ADDR, and the kick. (This kernel's copy mode stops its walk of
 * the tx ring at a refused descriptor: after it, a valid one would wait
 * for the next kick.) */
static void send_two(struct xsk_fixture *f, uint64_t addr)
{
	uint8_t *frame = (uint8_t *)f->buf + FRAME;
	struct xdp_desc *desc;
	uint32_t idx = 0;

	memset(frame, 0, 60);
	memset(frame, 0xff, 6);                       /* broadcast */
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", 6);
	frame[12] = 0x88;                             /* local experimental */
	frame[13] = 0xb5;
	assert_int_equal(xsk_ring_prod__reserve(&f->tx, 2, &idx), 2);
	desc = xsk_ring_prod__tx_desc(&f->tx, idx);
	desc->addr = FRAME;
	desc->len = 60;
	desc->options = 0;
	desc = xsk_ring_prod__tx_desc(&f->tx, idx + 1);
	desc->addr = addr;
	desc->len = 60;
	desc->options = 0;
	xsk_ring_prod__submit(&f->tx, 2);
	/* copy mode: the kernel walks the tx ring in this call */
	assert_true(sendto(xsk_socket__fd(f->xsk), NULL, 0, MSG_DONTWAIT,
			   NULL, 0) >= 0);
}

static void assert_counters(const struct xsk_counters *c, uint64_t tx_invalid)
{
	assert_int_equal(c->tx_invalid, tx_invalid);
	assert_int_equal(c->rx_invalid, 0);
	assert_int_equal(c->rx_dropped, 0);
	assert_int_equal(c->rx_ring_full, 0);
	assert_int_equal(c->fill_empty, 0);
	assert_int_equal(c->tx_ring_empty, 0);
	assert_int_equal(xsk_counters_dropped(c), tx_invalid);
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_dp_xskstat: needs root (network "
			"namespace, veth, AF_XDP)\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		perror("unshare(CLONE_NEWNET)");
		return -1;
	}
	if (system("ip link add " IF_A " numtxqueues " N_QUEUES " numrxqueues "
		   N_QUEUES " type veth peer name " IF_B " numtxqueues "
		   N_QUEUES " numrxqueues " N_QUEUES " && ip link set " IF_A
		   " up && ip link set " IF_B " up") != 0)
		return -1;
	d.n_ports = 2;
	snprintf(d.ports[LINK].name, sizeof(d.ports[LINK].name), "link1");
	snprintf(d.ports[LINK].ifname, sizeof(d.ports[LINK].ifname), IF_A);
	d.ports[LINK].kind = PORT_AF_XDP;
	d.ports[LINK].started = true;
	d.ports[LINK].n_rxq = 1;
	snprintf(d.ports[1].name, sizeof(d.ports[1].name), "lan");
	d.ports[1].kind = PORT_VDEV;  /* no AF_XDP socket of its own */
	d.ports[1].started = true;
	return 0;
}

static int test_setup(void **state)
{
	(void)state;
	xskstat_reset();
	return 0;
}

/* The socket created between mark and claim is port LINK's queue 0,
 * with the interface's ifindex; AF_XDP sockets created before the mark
 * and after the claim belong to no port, and a claim without a mark
 * claims nothing. */
static void test_xskstat_claims_the_socket_of_the_queue_setup(void **state)
{
	struct xsk_fixture f;
	struct xsk_sock_info si;
	struct xsk_counters sum;
	unsigned int live;
	int before, later;

	(void)state;
	before = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(before >= 0);
	xsk_open_claimed(&f);
	later = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	assert_true(later >= 0);
	/* a claim belongs to a mark */
	assert_int_equal(xskstat_claim(&d, LINK, 1), -EINVAL);
	xskstat_poll(&d, 1, true);
	assert_true(xskstat_get(0, &si));
	assert_int_equal(si.port, LINK);
	assert_int_equal(si.queue, 0);
	assert_int_equal(si.fd, xsk_socket__fd(f.xsk));
	assert_int_equal(si.ifindex, if_nametoindex(IF_A));
	assert_false(xskstat_get(1, &si));
	assert_int_equal(xskstat_port(LINK, &sum, &live), 1);
	assert_int_equal(live, 1);
	assert_int_equal(xskstat_port(1, &sum, &live), 0);
	assert_int_equal(xskstat_check(&d), 0);
	close(later);
	xsk_close(&f);
	close(before);
}

/* A port whose socket was not found is reported short. */
static void test_xskstat_check_reports_a_port_without_socket(void **state)
{
	(void)state;
	assert_int_equal(xskstat_check(&d), 1);
}

/* One valid descriptor and one past the UMEM's end: the kernel sends the
 * valid one and counts the other, and the port's counters say tx_invalid
 * 1 and nothing else. */
static void test_xskstat_counts_tx_descriptor_past_umem(void **state)
{
	struct xsk_fixture f;
	struct xsk_counters sum;
	unsigned int live;
	uint32_t idx = 0;

	(void)state;
	xsk_open_claimed(&f);
	xskstat_poll(&d, 1, true);
	xskstat_port(LINK, &sum, &live);
	assert_counters(&sum, 0);
	send_two(&f, UMEM_SIZE);
	/* both complete: the frame that left, and the refused one (this
	 * kernel hands its buffer back too: the PMD frees that mbuf, and
	 * nothing but the counter shows the frame never left) */
	assert_int_equal(xsk_ring_cons__peek(&f.cq, 4, &idx), 2);
	assert_int_equal(*xsk_ring_cons__comp_addr(&f.cq, idx), FRAME);
	assert_int_equal(*xsk_ring_cons__comp_addr(&f.cq, idx + 1), UMEM_SIZE);
	xskstat_poll(&d, 2, true);
	assert_int_equal(xskstat_port(LINK, &sum, &live), 1);
	assert_counters(&sum, 1);
	xsk_close(&f);
}

/* The port re-created: the closed socket's count stays, the new socket of
 * the same queue takes the same entry and adds to it. */
static void test_xskstat_recreated_socket_continues_counts(void **state)
{
	struct xsk_fixture f;
	struct xsk_sock_info si;
	struct xsk_counters sum;
	unsigned int live;

	(void)state;
	xsk_open_claimed(&f);
	send_two(&f, UMEM_SIZE);
	xskstat_poll(&d, 1, true);
	xsk_close(&f);
	xskstat_poll(&d, 2, true);
	assert_int_equal(xskstat_port(LINK, &sum, &live), 1);
	assert_int_equal(live, 0);
	assert_counters(&sum, 1);

	xsk_open_claimed(&f);
	assert_false(xskstat_get(1, &si));
	send_two(&f, UMEM_SIZE + FRAME);
	xskstat_poll(&d, 3, true);
	assert_int_equal(xskstat_port(LINK, &sum, &live), 1);
	assert_int_equal(live, 1);
	assert_counters(&sum, 2);
	assert_true(xskstat_get(0, &si));
	assert_int_equal(si.fd, xsk_socket__fd(f.xsk));
	xsk_close(&f);
}

/* Lines of stderr written by FN(STATE) that contain NEEDLE. */
static unsigned int stderr_lines(void (*fn)(uint64_t), uint64_t arg,
				 const char *needle)
{
	char path[] = "/tmp/test_dp_xskstat.XXXXXX", line[1024];
	unsigned int n = 0;
	int fd, saved;
	FILE *fp;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fp = fdopen(fd, "r");
	assert_non_null(fp);
	rewind(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(fp);
	unlink(path);
	return n;
}

static void poll_at(uint64_t now_ns)
{
	xskstat_poll(&d, now_ns, true);
}

/* Refused descriptors are our bug: logged when the count first grows,
 * not again within a minute, and again after one. */
static void test_xskstat_logs_refused_descriptors_once_a_minute(void **state)
{
	const char *msg = "port link1: the kernel refused 1 more descriptors";
	const uint64_t s = 1000000000ull;
	struct xsk_fixture f;

	(void)state;
	xsk_open_claimed(&f);
	assert_int_equal(stderr_lines(poll_at, 10 * s, "refused"), 0);
	send_two(&f, UMEM_SIZE);
	assert_int_equal(stderr_lines(poll_at, 11 * s, msg), 1);
	assert_int_equal(stderr_lines(poll_at, 12 * s, "refused"), 0);
	send_two(&f, UMEM_SIZE);
	assert_int_equal(stderr_lines(poll_at, 70 * s, "refused"), 0);
	assert_int_equal(stderr_lines(poll_at, 71 * s, msg), 1);
	xsk_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
			test_xskstat_claims_the_socket_of_the_queue_setup,
			test_setup),
		cmocka_unit_test_setup(
			test_xskstat_check_reports_a_port_without_socket,
			test_setup),
		cmocka_unit_test_setup(
			test_xskstat_counts_tx_descriptor_past_umem,
			test_setup),
		cmocka_unit_test_setup(
			test_xskstat_recreated_socket_continues_counts,
			test_setup),
		cmocka_unit_test_setup(
			test_xskstat_logs_refused_descriptors_once_a_minute,
			test_setup),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
