/* Timestamped one-line logging shared by twinpathd and twinpath-dp. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_program = "twinpath";
static bool log_journal;

bool log_fd_is_journal(int fd)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	/* systemd.exec(5): "DEV:INODE" of the stream's socket, set for a
	 * service whose stdout or stderr goes to the journal; a child that
	 * redirected stderr inherits the variable, hence the comparison. */
	if (e == NULL || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 ||
	    e[n] != '\0' || fstat(fd, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_init(const char *program)
{
	log_program = program;
	log_journal = log_fd_is_journal(STDERR_FILENO);
}

bool log_to_journal(void)
{
	return log_journal;
}

size_t log_format(char *buf, size_t size, bool journal, int prio,
		  const struct timespec *ts, const char *fmt, va_list ap)
{
	struct tm tm;
	int n, m;

	if (journal) {
		/* sd-daemon(3): "<N>" opens the line, N = LOG_EMERG..
		 * LOG_DEBUG; journald keeps time and program itself */
		n = snprintf(buf, size, "<%d>", prio & LOG_PRIMASK);
	} else {
		gmtime_r(&ts->tv_sec, &tm);
		n = snprintf(buf, size,
			     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec,
			     ts->tv_nsec / 1000000, log_program);
	}
	if (n < 0 || (size_t)n >= size)
		return n < 0 ? 0 : size - 1;
	m = vsnprintf(buf + n, size - (size_t)n, fmt, ap);
	if (m < 0)
		return (size_t)n;
	return (size_t)n + (size_t)m >= size ? size - 1 : (size_t)(n + m);
}

static void log_vprio(int prio, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	log_format(line, sizeof(line), log_journal, prio, &ts, fmt, ap);
	/* one write per line so lines of concurrent writers do not mix */
	fprintf(stderr, "%s\n", line);
}

void log_prio(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprio(prio, fmt, ap);
	va_end(ap);
}

#define LOG_AT(name, prio)                                                    \
	void name(const char *fmt, ...)                                       \
	{                                                                     \
		va_list ap;                                                   \
		va_start(ap, fmt);                                            \
		log_vprio(prio, fmt, ap);                                     \
		va_end(ap);                                                   \
	}
LOG_AT(log_msg, LOG_INFO)
LOG_AT(log_err, LOG_ERR)
LOG_AT(log_warn, LOG_WARNING)
LOG_AT(log_notice, LOG_NOTICE)
