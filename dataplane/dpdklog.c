/* rte_log's stream under systemd. DPDK 22.11's EAL writes its lines to
 * stderr and to syslog(3) both, so under systemd each line reached the
 * journal twice, both at the default priority. A fopencookie stream given
 * to rte_openlog_stream sends each line once, prefixed "<N>" with N its
 * DPDK level less one (RTE_LOG_EMERG 1 .. RTE_LOG_DEBUG 8 are the syslog
 * priorities 0 .. 7, the mapping DPDK's own syslog call uses). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <rte_log.h>

#include "dpdklog.h"
#include "log.h"

/* The part of a line written without its newline yet (rte_log without
 * "\n"), and its priority. stdio holds the stream's lock across the write
 * callback, so one writer at a time touches it. */
static char dpdklog_carry[1024];
static size_t dpdklog_carry_len;
static int dpdklog_carry_prio;

static int dpdklog_prio(void)
{
	int level = rte_log_cur_msg_loglevel();

	if (level < (int)RTE_LOG_EMERG)
		return 0;
	if (level > (int)RTE_LOG_DEBUG)
		return (int)RTE_LOG_DEBUG - 1;
	return level - 1;
}

static void dpdklog_flush_line(int prio, const char *s, size_t n)
{
	log_prio(prio, "%.*s%.*s", (int)dpdklog_carry_len, dpdklog_carry,
		 (int)n, s);
	dpdklog_carry_len = 0;
}

static ssize_t dpdklog_write(void *cookie, const char *buf, size_t size)
{
	int prio = dpdklog_prio();
	size_t off = 0;

	(void)cookie;
	while (off < size) {
		const char *nl = memchr(buf + off, '\n', size - off);
		size_t n = nl != NULL ? (size_t)(nl - (buf + off))
				      : size - off;

		if (dpdklog_carry_len > 0)
			prio = dpdklog_carry_prio;
		if (nl != NULL) {
			dpdklog_flush_line(prio, buf + off, n);
			off += n + 1;
			prio = dpdklog_prio();
			continue;
		}
		/* no newline yet: keep it; a carry that is full goes out
		 * as a line of its own rather than being lost */
		if (dpdklog_carry_len + n >= sizeof(dpdklog_carry))
			dpdklog_flush_line(prio, buf + off, n);
		else {
			if (dpdklog_carry_len == 0)
				dpdklog_carry_prio = prio;
			memcpy(dpdklog_carry + dpdklog_carry_len, buf + off, n);
			dpdklog_carry_len += n;
		}
		off = size;
	}
	return (ssize_t)size;
}

int dpdklog_init(void)
{
	static const cookie_io_functions_t io = {.write = dpdklog_write};
	FILE *f;

	if (!log_to_journal())
		return 0;
	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return -errno;
	/* each line reaches the callback when it ends, even from DPDK code
	 * that writes to the stream without rte_log's fflush */
	setvbuf(f, NULL, _IOLBF, 0);
	return rte_openlog_stream(f) < 0 ? -EINVAL : 0;
}
