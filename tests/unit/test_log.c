/* common/log.c: the exact line for each priority, with and without the
 * journal, and the journal found from JOURNAL_STREAM as systemd sets it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

/* 2026-11-25T12:00:00.123Z */
static const struct timespec ts = {.tv_sec = 1795608000,
				   .tv_nsec = 123456789};

static size_t fmt(char *buf, size_t size, bool journal, int prio,
		  const char *f, ...) __attribute__((format(printf, 5, 6)));
static size_t fmt(char *buf, size_t size, bool journal, int prio,
		  const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = log_format(buf, size, journal, prio, &ts, f, ap);
	va_end(ap);
	return n;
}

static void test_log_format_without_journal_has_time_and_program(void **s)
{
	char buf[256];

	(void)s;
	log_init("twinpathd");
	assert_int_equal(fmt(buf, sizeof(buf), false, LOG_ERR, "bgp %s: %d",
			     "link1", 3), 48);
	assert_string_equal(buf,
			    "2026-11-25T12:00:00.123Z twinpathd: bgp link1: 3");
}

static void test_log_format_journal_is_priority_and_message(void **s)
{
	static const struct {
		int prio;
		const char *want;
	} cases[] = {
		{LOG_EMERG, "<0>bgp link1: 3"}, {LOG_CRIT, "<2>bgp link1: 3"},
		{LOG_ERR, "<3>bgp link1: 3"},	{LOG_WARNING, "<4>bgp link1: 3"},
		{LOG_NOTICE, "<5>bgp link1: 3"}, {LOG_INFO, "<6>bgp link1: 3"},
		{LOG_DEBUG, "<7>bgp link1: 3"},
	};
	char buf[256];
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fmt(buf, sizeof(buf), true, cases[i].prio,
				     "bgp %s: %d", "link1", 3), 15);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_log_format_cuts_a_long_line(void **s)
{
	char buf[8];

	(void)s;
	assert_int_equal(fmt(buf, sizeof(buf), true, LOG_INFO, "hello %s",
			     "world"), 7);
	assert_string_equal(buf, "<6>hell");
	assert_int_equal(fmt(buf, 3, true, LOG_INFO, "x"), 2);
	assert_string_equal(buf, "<6");
}

/* stderr into a fresh file for the length of one test */
static FILE *capture;
static int saved_stderr = -1;

static void capture_start(void)
{
	capture = tmpfile();
	assert_non_null(capture);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
}

static void capture_end(char *out, size_t size)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
	close(saved_stderr);
	rewind(capture);
	n = fread(out, 1, size - 1, capture);
	out[n] = '\0';
	fclose(capture);
}

static void set_journal_stream(int fd)
{
	struct stat st;
	char v[64];

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
}

static void test_log_journal_stream_on_stderr_prefixes_priority(void **s)
{
	char out[512];

	(void)s;
	capture_start();
	set_journal_stream(STDERR_FILENO);
	log_init("twinpathd");
	assert_true(log_to_journal());
	log_err("error %d", 1);
	log_warn("warning");
	log_notice("notice");
	log_msg("info");
	log_prio(LOG_DEBUG, "debug");
	log_init("twinpathd");
	unsetenv("JOURNAL_STREAM");
	capture_end(out, sizeof(out));
	assert_string_equal(out, "<3>error 1\n<4>warning\n<5>notice\n<6>info\n"
				 "<7>debug\n");
}

static void test_log_journal_stream_of_another_file_is_ignored(void **s)
{
	FILE *other = tmpfile();
	char out[512];

	(void)s;
	assert_non_null(other);
	capture_start();
	/* a child whose stderr was redirected still has the variable */
	set_journal_stream(fileno(other));
	log_init("twinpathd");
	assert_false(log_to_journal());
	log_err("error %d", 1);
	unsetenv("JOURNAL_STREAM");
	log_init("twinpathd");
	capture_end(out, sizeof(out));
	fclose(other);
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ twinpathd: error 1\n" */
	assert_int_equal(strlen(out), 24 + 20);
	assert_int_equal(out[4], '-');
	assert_int_equal(out[10], 'T');
	assert_int_equal(out[23], 'Z');
	assert_string_equal(out + 24, " twinpathd: error 1\n");
}

static void test_log_journal_stream_malformed_or_absent(void **s)
{
	struct stat st;
	char v[80];

	(void)s;
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	unsetenv("JOURNAL_STREAM");
	assert_false(log_fd_is_journal(STDERR_FILENO));
	snprintf(v, sizeof(v), "%llu:%llux", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_false(log_fd_is_journal(STDERR_FILENO));
	snprintf(v, sizeof(v), "%llu", (unsigned long long)st.st_dev);
	setenv("JOURNAL_STREAM", v, 1);
	assert_false(log_fd_is_journal(STDERR_FILENO));
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_true(log_fd_is_journal(STDERR_FILENO));
	unsetenv("JOURNAL_STREAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_log_format_without_journal_has_time_and_program),
		cmocka_unit_test(
			test_log_format_journal_is_priority_and_message),
		cmocka_unit_test(test_log_format_cuts_a_long_line),
		cmocka_unit_test(
			test_log_journal_stream_on_stderr_prefixes_priority),
		cmocka_unit_test(
			test_log_journal_stream_of_another_file_is_ignored),
		cmocka_unit_test(test_log_journal_stream_malformed_or_absent),
	};

	unsetenv("JOURNAL_STREAM");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
