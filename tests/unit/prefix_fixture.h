/* Test helper shared by the BGP and prefix-table unit tests: a struct
 * cfg_addr from text, failing the test on a bad address. Include after
 * <cmocka.h>. */
#ifndef TWP_PREFIX_FIXTURE_H
#define TWP_PREFIX_FIXTURE_H

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"

/* "198.51.100.0", 24 -> 198.51.100.0/24 (IPv6 when S has a colon). */
static inline struct cfg_addr pfx(const char *s, uint8_t len)
{
	struct cfg_addr p;

	memset(&p, 0, sizeof(p));
	p.family = strchr(s, ':') ? AF_INET6 : AF_INET;
	p.len = len;
	assert_int_equal(inet_pton(p.family, s, p.addr), 1);
	return p;
}

#endif
