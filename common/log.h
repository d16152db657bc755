/* One event per line on stderr, with a UTC timestamp and the program name,
 * for both daemons ("2026-11-25T12:00:00.123Z twinpathd: ..."). When stderr
 * is the journal (systemd.exec(5), JOURNAL_STREAM) a line is instead "<N>"
 * and the message: journald reads N as its syslog priority (sd-daemon(3))
 * and stamps time and program itself. */
#ifndef TWP_LOG_H
#define TWP_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

void log_init(const char *program);
/* log_msg is an event at LOG_INFO; log_err, log_warn and log_notice give
 * LOG_ERR, LOG_WARNING and LOG_NOTICE; log_prio any syslog(3) priority. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_prio(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether log_init found stderr to be the journal's stream. */
bool log_to_journal(void);
/* Whether JOURNAL_STREAM ("DEV:INODE") names the file open as FD. */
bool log_fd_is_journal(int fd);
/* One line, without its newline, as log_prio writes it: the "<N>" prefix
 * when JOURNAL, else the timestamp of TS and the program. Returns the
 * length written (cut to SIZE - 1). */
size_t log_format(char *buf, size_t size, bool journal, int prio,
		  const struct timespec *ts, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

#endif
