/* One event per line on stderr, with a UTC timestamp and the program name,
 * for both daemons ("2026-11-25T12:00:00.123Z twinpathd: ..."). */
#ifndef TWP_LOG_H
#define TWP_LOG_H

void log_init(const char *program);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
