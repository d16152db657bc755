/* dataplane/dpdklog.c: DPDK's own lines reach a journal stderr once each,
 * "<N>" with N the syslog priority of their DPDK level; without the
 * journal DPDK's stream is left alone. rte_log works without the EAL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_log.h>

#include "dpdklog.h"
#include "log.h"

static FILE *capture;
static int saved_stderr = -1;

static void capture_start(void)
{
	struct stat st;
	char v[64];

	capture = tmpfile();
	assert_non_null(capture);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
}

static void capture_end(char *out, size_t size)
{
	size_t n;

	fflush(rte_log_get_stream());
	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	unsetenv("JOURNAL_STREAM");
	rewind(capture);
	n = fread(out, 1, size - 1, capture);
	out[n] = '\0';
	fclose(capture);
}

static void test_dp_log_without_journal_keeps_dpdk_stream(void **s)
{
	FILE *before = rte_log_get_stream();

	(void)s;
	unsetenv("JOURNAL_STREAM");
	log_init("twinpath-dp");
	assert_int_equal(dpdklog_init(), 0);
	assert_ptr_equal(rte_log_get_stream(), before);
}

static void test_dp_log_journal_gets_each_level_as_priority(void **s)
{
	char out[1024];

	(void)s;
	/* before the capture: DPDK logs the change itself */
	rte_log_set_global_level(RTE_LOG_DEBUG);
	assert_int_equal(rte_log_set_level(RTE_LOGTYPE_EAL, RTE_LOG_DEBUG), 0);
	capture_start();
	log_init("twinpath-dp");
	assert_int_equal(dpdklog_init(), 0);
	rte_log(RTE_LOG_EMERG, RTE_LOGTYPE_EAL, "EAL: emerg\n");
	rte_log(RTE_LOG_CRIT, RTE_LOGTYPE_EAL, "EAL: crit\n");
	rte_log(RTE_LOG_ERR, RTE_LOGTYPE_EAL, "EAL: err %d\n", 1);
	rte_log(RTE_LOG_WARNING, RTE_LOGTYPE_EAL, "EAL: warning\n");
	rte_log(RTE_LOG_NOTICE, RTE_LOGTYPE_EAL, "EAL: notice\n");
	rte_log(RTE_LOG_INFO, RTE_LOGTYPE_EAL, "EAL: info\n");
	rte_log(RTE_LOG_DEBUG, RTE_LOGTYPE_EAL, "EAL: debug\n");
	/* a line in two calls keeps the first one's level; two lines in
	 * one call are two journal lines */
	rte_log(RTE_LOG_ERR, RTE_LOGTYPE_EAL, "EAL: half ");
	rte_log(RTE_LOG_INFO, RTE_LOGTYPE_EAL, "and half\n");
	rte_log(RTE_LOG_WARNING, RTE_LOGTYPE_EAL, "one\ntwo\n");
	/* our own lines beside DPDK's */
	log_err("port lan: setup failed");
	capture_end(out, sizeof(out));
	assert_string_equal(out, "<0>EAL: emerg\n"
				 "<2>EAL: crit\n"
				 "<3>EAL: err 1\n"
				 "<4>EAL: warning\n"
				 "<5>EAL: notice\n"
				 "<6>EAL: info\n"
				 "<7>EAL: debug\n"
				 "<3>EAL: half and half\n"
				 "<4>one\n"
				 "<4>two\n"
				 "<3>port lan: setup failed\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dp_log_without_journal_keeps_dpdk_stream),
		cmocka_unit_test(
			test_dp_log_journal_gets_each_level_as_priority),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
