/* BGP wire format (control/bgp/msg.c): exact bytes built and parsed back
 * for every attribute, hand-written messages parsed, each RFC 4271 §6 and
 * RFC 7606 error with its exact outcome, capabilities, the RFC 6793 AS4
 * merge, and the AS path helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "prefix_fixture.h"

#include "msg.h"

#define MARKER 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* attributes as a 4-octet session sends them */
#define A_ORIGIN_IGP 0x40, 0x01, 0x01, 0x00
#define A_ASPATH_65001 0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9
#define A_NH_192_0_2_1 0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01
#define A_BASE A_ORIGIN_IGP, A_ASPATH_65001, A_NH_192_0_2_1
#define NLRI_10_8 0x08, 0x0a

static const struct bgp_caps caps4 = { .as4 = true, .af = { true, true } };
static const struct bgp_caps caps2 = { .as4 = false, .af = { true, true } };

static struct bgp_update *u;
static struct bgp_notify err;
static uint8_t m[BGP_MSG_MAX + 64];

static int group_setup(void **state)
{
	(void)state;
	u = calloc(1, sizeof(*u));
	return u ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(u);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	memset(&err, 0, sizeof(err));
	memset(m, 0, sizeof(m));
	return 0;
}

static void assert_pfx(const struct cfg_addr *a, const char *s, uint8_t len)
{
	struct cfg_addr want = pfx(s, len);

	assert_int_equal(a->family, want.family);
	assert_int_equal(a->len, len);
	assert_memory_equal(a->addr, want.addr, 16);
}

/* An UPDATE from hand-written fields. */
static size_t upd(const uint8_t *wd, size_t wdl, const uint8_t *at,
		  size_t atl, const uint8_t *nl, size_t nll)
{
	size_t n = 0;

	memset(m, 0xff, 16);
	n = 19;
	m[18] = BGP_MSG_UPDATE;
	m[n++] = (uint8_t)(wdl >> 8);
	m[n++] = (uint8_t)wdl;
	if (wdl)
		memcpy(m + n, wd, wdl);
	n += wdl;
	m[n++] = (uint8_t)(atl >> 8);
	m[n++] = (uint8_t)atl;
	if (atl)
		memcpy(m + n, at, atl);
	n += atl;
	if (nll)
		memcpy(m + n, nl, nll);
	n += nll;
	m[16] = (uint8_t)(n >> 8);
	m[17] = (uint8_t)n;
	return n;
}

#define UPD_A(at, nl) upd(NULL, 0, at, sizeof(at), nl, sizeof(nl))

static int parse(size_t len, const struct bgp_caps *caps)
{
	return bgp_update_parse(m, len, caps, u, &err);
}

static void assert_err(uint8_t code, uint8_t sub, const uint8_t *data,
		       size_t dlen)
{
	assert_int_equal(err.code, code);
	assert_int_equal(err.subcode, sub);
	assert_int_equal(err.data_len, dlen);
	if (dlen)
		assert_memory_equal(err.data, data, dlen);
}

/* treat-as-withdraw of the one prefix 10.0.0.0/8, nothing discarded */
static void assert_withdrawn_10_8(void)
{
	assert_true(u->treat_as_withdraw);
	assert_int_equal(u->n_nlri, 0);
	assert_int_equal(u->n_withdrawn, 1);
	assert_pfx(&u->withdrawn[0], "10.0.0.0", 8);
	assert_int_equal(u->n_discarded, 0);
	assert_true(u->warning[0] != '\0');
}

static void assert_accepted_10_8(void)
{
	assert_false(u->treat_as_withdraw);
	assert_int_equal(u->n_nlri, 1);
	assert_pfx(&u->nlri[0], "10.0.0.0", 8);
}

/* ---- header ---- */

static void test_hdr_check_accepts_keepalive(void **state)
{
	const uint8_t ka[] = { MARKER, 0x00, 0x13, 0x04 };
	uint16_t len = 0;
	uint8_t type = 0;

	(void)state;
	assert_int_equal(bgp_hdr_check(ka, sizeof(ka), &len, &type, &err), 0);
	assert_int_equal(len, 19);
	assert_int_equal(type, BGP_MSG_KEEPALIVE);
}

static void test_hdr_check_bad_marker_is_1_1(void **state)
{
	uint8_t h[] = { MARKER, 0x00, 0x13, 0x04 };
	uint16_t len;
	uint8_t type;

	(void)state;
	h[7] = 0xfe;
	assert_int_equal(bgp_hdr_check(h, sizeof(h), &len, &type, &err),
			 -EBADMSG);
	assert_err(1, 1, NULL, 0);
}

static void test_hdr_check_length_over_4096_is_1_2_with_length(void **state)
{
	const uint8_t h[] = { MARKER, 0x10, 0x01, 0x02 };
	const uint8_t data[] = { 0x10, 0x01 };
	uint16_t len;
	uint8_t type;

	(void)state;
	assert_int_equal(bgp_hdr_check(h, sizeof(h), &len, &type, &err),
			 -EBADMSG);
	assert_err(1, 2, data, 2);
}

static void test_hdr_check_length_under_19_is_1_2(void **state)
{
	const uint8_t h[] = { MARKER, 0x00, 0x12, 0x04 };
	const uint8_t data[] = { 0x00, 0x12 };
	uint16_t len;
	uint8_t type;

	(void)state;
	assert_int_equal(bgp_hdr_check(h, sizeof(h), &len, &type, &err),
			 -EBADMSG);
	assert_err(1, 2, data, 2);
}

static void test_hdr_check_type_length_mismatch_is_1_2(void **state)
{
	const uint8_t ka[] = { MARKER, 0x00, 0x14, 0x04 };   /* 20 */
	const uint8_t open[] = { MARKER, 0x00, 0x1c, 0x01 }; /* 28 */
	const uint8_t d20[] = { 0x00, 0x14 }, d28[] = { 0x00, 0x1c };
	uint16_t len;
	uint8_t type;

	(void)state;
	assert_int_equal(bgp_hdr_check(ka, sizeof(ka), &len, &type, &err),
			 -EBADMSG);
	assert_err(1, 2, d20, 2);
	assert_int_equal(bgp_hdr_check(open, sizeof(open), &len, &type, &err),
			 -EBADMSG);
	assert_err(1, 2, d28, 2);
}

static void test_hdr_check_unknown_type_is_1_3_with_type(void **state)
{
	const uint8_t h[] = { MARKER, 0x00, 0x13, 0x09 };
	const uint8_t data[] = { 0x09 };
	uint16_t len;
	uint8_t type;

	(void)state;
	assert_int_equal(bgp_hdr_check(h, sizeof(h), &len, &type, &err),
			 -EBADMSG);
	assert_err(1, 3, data, 1);
}

/* ---- OPEN ---- */

static const uint8_t open_good[] = {
	MARKER, 0x00, 0x3b, 0x01,
	0x04, 0xfd, 0xe9, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x01, /* AS, hold, id */
	0x1e, 0x02, 0x1c,                   /* optlen 30, caps param 28 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01, /* MP IPv4 unicast */
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01, /* MP IPv6 unicast */
	0x02, 0x00,                         /* route refresh */
	0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9, /* AS4 65001 */
	0x40, 0x06, 0xc0, 0x78,             /* GR R+N, 120 s */
	0x00, 0x01, 0x01, 0x80,             /* IPv4 with F */
};

static void test_open_parse_known_good_bytes(void **state)
{
	struct bgp_open o;

	(void)state;
	assert_int_equal(bgp_open_parse(open_good, sizeof(open_good), &o, &err),
			 0);
	assert_int_equal(o.version, 4);
	assert_int_equal(o.asn, 65001);
	assert_int_equal(o.hold_time_s, 90);
	assert_memory_equal(o.bgp_id, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_true(o.any_capability);
	assert_true(o.cap_mp[BGP_AF_IPV4]);
	assert_true(o.cap_mp[BGP_AF_IPV6]);
	assert_true(o.cap_as4);
	assert_true(o.cap_route_refresh);
	assert_true(o.cap_gr);
}

static void test_open_gr_capability_bits(void **state)
{
	struct bgp_open o;

	(void)state;
	assert_int_equal(bgp_open_parse(open_good, sizeof(open_good), &o, &err),
			 0);
	assert_true(o.gr_restarting);
	assert_true(o.gr_notification);
	assert_int_equal(o.gr_restart_time_s, 120);
	assert_true(o.gr_af[BGP_AF_IPV4]);
	assert_true(o.gr_af_forwarding[BGP_AF_IPV4]);
	assert_false(o.gr_af[BGP_AF_IPV6]);
	assert_false(o.gr_af_forwarding[BGP_AF_IPV6]);
}

static void test_open_build_matches_known_good_bytes(void **state)
{
	struct bgp_open o = {
		.asn = 65001, .hold_time_s = 90, .bgp_id = { 192, 0, 2, 1 },
		.cap_mp = { true, true }, .cap_as4 = true,
		.cap_route_refresh = true, .cap_gr = true,
		.gr_restarting = true, .gr_notification = true,
		.gr_restart_time_s = 120, .gr_af = { true, false },
		.gr_af_forwarding = { true, false },
	};
	uint8_t b[128];

	(void)state;
	/* same capabilities, our order: MP, RR, GR, AS4 */
	const uint8_t want[] = {
		MARKER, 0x00, 0x3b, 0x01,
		0x04, 0xfd, 0xe9, 0x00, 0x5a, 0xc0, 0x00, 0x02, 0x01,
		0x1e, 0x02, 0x1c,
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01,
		0x01, 0x04, 0x00, 0x02, 0x00, 0x01,
		0x02, 0x00,
		0x40, 0x06, 0xc0, 0x78, 0x00, 0x01, 0x01, 0x80,
		0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9,
	};
	assert_int_equal(bgp_open_build(b, sizeof(b), &o), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void test_open_build_4octet_as_writes_as_trans(void **state)
{
	struct bgp_open o = { .asn = 4200000000u, .hold_time_s = 9,
			      .bgp_id = { 10, 0, 0, 1 }, .cap_as4 = true };
	struct bgp_open back;
	uint8_t b[64];
	int n;

	(void)state;
	n = bgp_open_build(b, sizeof(b), &o);
	assert_int_equal(n, 29 + 8);
	assert_int_equal(b[20], 0x5b); /* 23456 */
	assert_int_equal(b[21], 0xa0);
	assert_int_equal(bgp_open_parse(b, (size_t)n, &back, &err), 0);
	assert_int_equal(back.asn, 4200000000u);
	assert_true(back.cap_as4);
	assert_false(back.cap_gr);
	assert_false(back.cap_mp[BGP_AF_IPV4]);
}

static void test_open_without_as4_cap_uses_2octet_as(void **state)
{
	const uint8_t o2[] = { MARKER, 0x00, 0x1d, 0x01, 0x04, 0xfc, 0x00,
			       0x00, 0xb4, 0x0a, 0x00, 0x00, 0x01, 0x00 };
	struct bgp_open o;

	(void)state;
	assert_int_equal(bgp_open_parse(o2, sizeof(o2), &o, &err), 0);
	assert_int_equal(o.asn, 64512);
	assert_int_equal(o.hold_time_s, 180);
	assert_false(o.cap_as4);
	assert_false(o.any_capability);
}

static void test_open_bad_version_is_2_1_with_0004(void **state)
{
	uint8_t o[sizeof(open_good)];

	(void)state;
	memcpy(o, open_good, sizeof(o));
	o[19] = 3;
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 1, (const uint8_t[]){ 0x00, 0x04 }, 2);
}

static void test_open_hold_time_1_and_2_are_2_6(void **state)
{
	uint8_t o[sizeof(open_good)];
	struct bgp_open out;

	(void)state;
	for (uint8_t h = 1; h <= 2; h++) {
		memcpy(o, open_good, sizeof(o));
		o[22] = 0;
		o[23] = h;
		memset(&err, 0, sizeof(err));
		assert_int_equal(bgp_open_parse(o, sizeof(o), &out, &err),
				 -EBADMSG);
		assert_err(2, 6, NULL, 0);
	}
	o[23] = 0; /* 0 disables keepalives and is fine */
	assert_int_equal(bgp_open_parse(o, sizeof(o), &out, &err), 0);
}

static void test_open_bgp_id_zero_is_2_3(void **state)
{
	uint8_t o[sizeof(open_good)];

	(void)state;
	memcpy(o, open_good, sizeof(o));
	memset(o + 24, 0, 4);
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 3, NULL, 0);
}

static void test_open_unknown_optional_parameter_is_2_4(void **state)
{
	uint8_t o[sizeof(open_good)];

	(void)state;
	memcpy(o, open_good, sizeof(o));
	o[29] = 1; /* authentication, deprecated */
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 4, NULL, 0);
}

static void test_open_capability_running_past_parameter_is_2_0(void **state)
{
	uint8_t o[sizeof(open_good)];

	(void)state;
	memcpy(o, open_good, sizeof(o));
	o[sizeof(o) - 7] = 0x07; /* GR capability length 7 > what is left */
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 0, NULL, 0);
}

static void test_open_optional_length_past_message_is_2_0(void **state)
{
	uint8_t o[sizeof(open_good)];

	(void)state;
	memcpy(o, open_good, sizeof(o));
	o[28] = 0x1f;
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 0, NULL, 0);
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---- */

static void test_keepalive_build_exact_bytes(void **state)
{
	const uint8_t want[] = { MARKER, 0x00, 0x13, 0x04 };
	uint8_t b[19];

	(void)state;
	assert_int_equal(bgp_keepalive_build(b, sizeof(b)), 19);
	assert_memory_equal(b, want, 19);
	assert_int_equal(bgp_keepalive_build(b, 18), -ENOSPC);
}

static void test_notify_build_parse_round_trip(void **state)
{
	struct bgp_notify n = { .code = 6, .subcode = 2, .data_len = 3,
				.data = { 2, 'h', 'i' } };
	const uint8_t want[] = { MARKER, 0x00, 0x18, 0x03, 6, 2, 2, 'h', 'i' };
	struct bgp_notify back;
	uint8_t b[64];

	(void)state;
	assert_int_equal(bgp_notify_build(b, sizeof(b), &n), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
	assert_int_equal(bgp_notify_parse(b, sizeof(want), &back), 0);
	assert_int_equal(back.code, 6);
	assert_int_equal(back.subcode, 2);
	assert_int_equal(back.data_len, 3);
	assert_memory_equal(back.data, "\x02hi", 3);
}

static void test_notify_parse_cuts_long_data_and_rejects_short(void **state)
{
	uint8_t b[21 + 300];
	struct bgp_notify n;

	(void)state;
	memset(b, 0xab, sizeof(b));
	b[19] = 3;
	b[20] = 1;
	assert_int_equal(bgp_notify_parse(b, sizeof(b), &n), 0);
	assert_int_equal(n.data_len, BGP_NOTIFY_DATA_MAX);
	assert_int_equal(bgp_notify_parse(b, 20, &n), -EBADMSG);
}

/* RFC 9003 §2: Cease/Administrative Shutdown with the Shutdown
 * Communication, a length octet then UTF-8, the whole NOTIFICATION. */
static void test_shutdown_communication_exact_notification(void **state)
{
	static const char text[] = "fibre swap, ticket 42 \xc3\xa9";
	const uint8_t want[] = { MARKER, 0x00, 0x2e, 0x03, 6, 2, 24,
				 'f', 'i', 'b', 'r', 'e', ' ', 's', 'w', 'a',
				 'p', ',', ' ', 't', 'i', 'c', 'k', 'e', 't',
				 ' ', '4', '2', ' ', 0xc3, 0xa9 };
	struct bgp_notify n = { .code = 6, .subcode = 2 };
	uint8_t b[BGP_MSG_MAX];

	(void)state;
	assert_int_equal(bgp_shutdown_msg_build(&n, text), 0);
	assert_int_equal(n.data_len, 25);
	assert_int_equal(bgp_notify_build(b, sizeof(b), &n), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

/* RFC 9003 §2: up to 255 octets (RFC 8203's limit was 128); longer, or
 * not UTF-8 (RFC 3629: overlong forms, surrogates, a cut sequence), is
 * refused before anything is sent. */
static void test_shutdown_communication_limits(void **state)
{
	struct bgp_notify n = { .code = 6, .subcode = 2 };
	char text[300];
	uint8_t b[BGP_MSG_MAX];

	(void)state;
	memset(text, 'a', 255);
	text[255] = '\0';
	assert_int_equal(bgp_shutdown_msg_build(&n, text), 0);
	assert_int_equal(n.data_len, 256);
	assert_int_equal(n.data[0], 255);
	/* 19 + 2 + 1 + 255 */
	assert_int_equal(bgp_notify_build(b, sizeof(b), &n), 277);
	assert_int_equal(b[21], 255);
	assert_int_equal(b[276], 'a');
	text[255] = 'a';
	text[256] = '\0';
	assert_int_equal(bgp_shutdown_msg_build(&n, text), -EMSGSIZE);
	assert_int_equal(bgp_shutdown_msg_build(&n, "bad \xc3\x28"), -EILSEQ);
	assert_int_equal(bgp_shutdown_msg_build(&n, "\xc0\xaf"), -EILSEQ);
	assert_int_equal(bgp_shutdown_msg_build(&n, "\xe0\x80\xaf"), -EILSEQ);
	assert_int_equal(bgp_shutdown_msg_build(&n, "\xed\xa0\x80"), -EILSEQ);
	assert_int_equal(bgp_shutdown_msg_build(&n, "\xf4\x90\x80\x80"),
			 -EILSEQ);
	assert_int_equal(bgp_shutdown_msg_build(&n, "cut \xe2\x82"), -EILSEQ);
	assert_int_equal(bgp_shutdown_msg_build(&n, "\xff"), -EILSEQ);
	/* 2, 3 and 4 octet forms, the largest code point */
	assert_int_equal(bgp_shutdown_msg_build(
				 &n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
				     "\xf4\x8f\xbf\xbf"), 0);
	assert_int_equal(n.data[0], 13);
	assert_int_equal(bgp_shutdown_msg_build(&n, ""), 0);
	assert_int_equal(n.data_len, 1);
	assert_int_equal(n.data[0], 0);
}

/* A received 6/2 or 6/4 message for logs: the text, with control
 * characters and quotes escaped; also inside a Hard Reset (RFC 8538);
 * none on other codes or with length 0; a length past the data or bad
 * UTF-8 is -EBADMSG and shown as a hex dump (RFC 9003 §4). */
static void test_shutdown_communication_parse(void **state)
{
	struct bgp_notify n = { .code = 6, .subcode = 2, .data_len = 8,
				.data = { 7, 'b', 'y', 'e', '\n', '"', 'x',
					  '\\' } };
	char out[128];

	(void)state;
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)), 0);
	assert_string_equal(out, "bye\\x0a\\x22x\\x5c");
	n.subcode = 4;
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)), 0);
	n = (struct bgp_notify){ .code = 6, .subcode = 9, .data_len = 6,
				 .data = { 6, 2, 3, 'o', 'f', 'f' } };
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)), 0);
	assert_string_equal(out, "off");
	n.data[1] = 1; /* a Hard Reset around 6/1: no message */
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)),
			 -ENOENT);
	n = (struct bgp_notify){ .code = 6, .subcode = 1, .data_len = 2,
				 .data = { 1, 'a' } };
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)),
			 -ENOENT);
	n = (struct bgp_notify){ .code = 6, .subcode = 2, .data_len = 1 };
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)),
			 -ENOENT);
	n.data_len = 0;
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)),
			 -ENOENT);
	n = (struct bgp_notify){ .code = 6, .subcode = 2, .data_len = 3,
				 .data = { 9, 'a', 'b' } };
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)),
			 -EBADMSG);
	assert_string_equal(out, "09 61 62");
	n = (struct bgp_notify){ .code = 6, .subcode = 4, .data_len = 3,
				 .data = { 2, 0xc3, 0x28 } };
	assert_int_equal(bgp_shutdown_msg_parse(&n, out, sizeof(out)),
			 -EBADMSG);
	assert_string_equal(out, "02 c3 28");
}

static void test_notify_str_names_code_and_subcode(void **state)
{
	char b[96];

	(void)state;
	assert_string_equal(bgp_notify_str(6, 4, b, sizeof(b)),
			    "Cease/Administrative Reset (6/4)");
	assert_string_equal(bgp_notify_str(3, 1, b, sizeof(b)),
			    "UPDATE Message Error/Malformed Attribute List (3/1)");
	assert_string_equal(bgp_notify_str(4, 0, b, sizeof(b)),
			    "Hold Timer Expired (4/0)");
	assert_string_equal(bgp_notify_str(6, 99, b, sizeof(b)),
			    "Cease/Unknown subcode (6/99)");
	assert_string_equal(bgp_notify_str(42, 1, b, sizeof(b)),
			    "Unknown error (42/1)");
}

static void test_refresh_build_parse_round_trip(void **state)
{
	const uint8_t want[] = { MARKER, 0x00, 0x17, 0x05, 0x00, 0x02, 0x00,
				 0x01 };
	enum bgp_af af = BGP_AF_IPV4;
	uint8_t b[32];

	(void)state;
	assert_int_equal(bgp_refresh_build(b, sizeof(b), BGP_AF_IPV6), 23);
	assert_memory_equal(b, want, sizeof(want));
	assert_int_equal(bgp_refresh_parse(b, 23, &af, &err), 0);
	assert_int_equal(af, BGP_AF_IPV6);
}

static void test_refresh_bad_length_is_7_1_with_message(void **state)
{
	const uint8_t rr[] = { MARKER, 0x00, 0x18, 0x05, 0x00, 0x01, 0x00,
			       0x01, 0x00 };
	enum bgp_af af;

	(void)state;
	assert_int_equal(bgp_refresh_parse(rr, sizeof(rr), &af, &err), -EBADMSG);
	assert_err(7, 1, rr, sizeof(rr));
}

static void test_refresh_unknown_family_is_enoent(void **state)
{
	const uint8_t rr[] = { MARKER, 0x00, 0x17, 0x05, 0x00, 0x01, 0x00,
			       0x80 }; /* VPN */
	enum bgp_af af;

	(void)state;
	assert_int_equal(bgp_refresh_parse(rr, sizeof(rr), &af, &err), -ENOENT);
}

/* ---- UPDATE: hand-written messages ---- */

static void test_update_parse_ipv4_known_good(void **state)
{
	const uint8_t msg[] = {
		MARKER, 0x00, 0x3d, 0x02,
		0x00, 0x00, 0x00, 0x20,
		0x40, 0x01, 0x01, 0x02,                         /* INCOMPLETE */
		0x50, 0x02, 0x00, 0x0a, 0x02, 0x02, 0x00, 0x00, /* ext len */
		0xfd, 0xe9, 0x00, 0x00, 0xfd, 0xea,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64,       /* MED 100 */
		0x08, 0x0a, 0x18, 0xc0, 0xa8, 0x01,
	};
	char s[64];

	(void)state;
	assert_int_equal(bgp_update_parse(msg, sizeof(msg), &caps4, u, &err), 0);
	assert_int_equal(u->n_nlri, 2);
	assert_pfx(&u->nlri[0], "10.0.0.0", 8);
	assert_pfx(&u->nlri[1], "192.168.1.0", 24);
	assert_int_equal(u->n_withdrawn, 0);
	assert_false(u->eor);
	assert_int_equal(u->attrs.origin, BGP_ORIGIN_INCOMPLETE);
	assert_int_equal(u->attrs.med, 100);
	assert_int_equal(u->attrs.present,
			 BGP_ATTR_P(1) | BGP_ATTR_P(2) | BGP_ATTR_P(3) |
				 BGP_ATTR_P(4));
	assert_pfx(&u->attrs.nexthop, "192.0.2.1", 32);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "65001 65002");
	assert_string_equal(u->warning, "");
}

static void test_update_parse_ipv4_withdrawn_only(void **state)
{
	const uint8_t msg[] = { MARKER, 0x00, 0x1c, 0x02, 0x00, 0x05, 0x08,
				0x0a, 0x10, 0xac, 0x10, 0x00, 0x00 };

	(void)state;
	assert_int_equal(bgp_update_parse(msg, sizeof(msg), &caps4, u, &err), 0);
	assert_int_equal(u->n_withdrawn, 2);
	assert_pfx(&u->withdrawn[0], "10.0.0.0", 8);
	assert_pfx(&u->withdrawn[1], "172.16.0.0", 16);
	assert_int_equal(u->n_nlri, 0);
	assert_false(u->eor);
}

static void test_update_parse_ipv6_mp_reach_known_good(void **state)
{
	const uint8_t msg[] = {
		MARKER, 0x00, 0x3b, 0x02,
		0x00, 0x00, 0x00, 0x24,
		0x80, 0x0e, 0x1a, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,             /* /32 */
		A_ORIGIN_IGP,
		0x40, 0x02, 0x00,                               /* empty path */
	};

	(void)state;
	assert_int_equal(bgp_update_parse(msg, sizeof(msg), &caps4, u, &err), 0);
	assert_int_equal(u->n_nlri, 1);
	assert_pfx(&u->nlri[0], "2001:db8::", 32);
	assert_pfx(&u->attrs.nexthop, "2001:db8::1", 128);
	assert_int_equal(u->attrs.nexthop_ll.family, 0);
	assert_int_equal(u->attrs.aspath_len, 0);
	assert_true(u->attrs.present & BGP_ATTR_P(BGP_ATTR_AS_PATH));
	assert_true(u->attrs.present & BGP_ATTR_P(BGP_ATTR_MP_REACH));
	assert_false(u->treat_as_withdraw);
}

static void test_update_parse_zeroes_host_bits(void **state)
{
	const uint8_t at[] = { A_BASE };
	const uint8_t nl[] = { 0x14, 0x0a, 0x01, 0xff }; /* 10.1.255/20 */

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_int_equal(u->n_nlri, 1);
	assert_pfx(&u->nlri[0], "10.1.240.0", 20);
}

/* ---- UPDATE: build, exact bytes, and parse back ---- */

static struct bgp_attrs base_attrs(const uint8_t *path, size_t plen)
{
	struct bgp_attrs a;

	memset(&a, 0, sizeof(a));
	a.origin = BGP_ORIGIN_IGP;
	a.aspath = path;
	a.aspath_len = (uint16_t)plen;
	a.nexthop = pfx("192.0.2.1", 32);
	return a;
}

static const uint8_t path_65001_65002[] = { 2, 2, 0, 0, 0xfd, 0xe9,
					    0, 0, 0xfd, 0xea };

static void test_update_round_trip_origin_aspath_nexthop(void **state)
{
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	struct cfg_addr nl[] = { pfx("10.0.0.0", 8), pfx("192.168.1.0", 24) };
	const uint8_t want[] = {
		MARKER, 0x00, 0x35, 0x02, 0x00, 0x00, 0x00, 0x18,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x0a, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00,
		0x00, 0xfd, 0xea,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
		0x08, 0x0a, 0x18, 0xc0, 0xa8, 0x01,
	};
	int n;

	(void)state;
	a.origin = BGP_ORIGIN_IGP;
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, nl, 2, NULL, 0, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->n_nlri, 2);
	assert_pfx(&u->nlri[1], "192.168.1.0", 24);
	assert_int_equal(u->attrs.origin, 0);
	assert_int_equal(u->attrs.aspath_len, 10);
	assert_memory_equal(u->attrs.aspath, path_65001_65002, 10);
	assert_pfx(&u->attrs.nexthop, "192.0.2.1", 32);
	assert_int_equal(u->attrs.present, BGP_ATTR_P(1) | BGP_ATTR_P(2) |
						   BGP_ATTR_P(3));
}

static void test_update_round_trip_aspath_sets_and_sequences(void **state)
{
	const uint8_t path[] = { 2, 1, 0, 0, 0xfd, 0xe9,
				 1, 2, 0, 0, 0xfd, 0xf0, 0xfa, 0x56, 0xea, 0x01,
				 3, 1, 0, 0, 0xfd, 0xe8 };
	struct bgp_attrs a = base_attrs(path, sizeof(path));
	struct cfg_addr nl = pfx("10.0.0.0", 8);
	char s[96];
	int n;

	(void)state;
	a.origin = BGP_ORIGIN_EGP;
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, true);
	assert_true(n > 0);
	/* AS_PATH on the wire is the internal form itself on a 4-octet
	 * session */
	assert_int_equal(m[19 + 4 + 4 + 2], sizeof(path));
	assert_memory_equal(m + 19 + 4 + 4 + 3, path, sizeof(path));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->attrs.origin, BGP_ORIGIN_EGP);
	assert_memory_equal(u->attrs.aspath, path, sizeof(path));
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "65001 {65008 4200000001} (65000)");
}

static void test_update_round_trip_2octet_aspath(void **state)
{
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	struct cfg_addr nl = pfx("10.0.0.0", 8);
	const uint8_t want_path[] = { 0x40, 0x02, 0x06, 0x02, 0x02,
				      0xfd, 0xe9, 0xfd, 0xea };
	int n;

	(void)state;
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, false);
	assert_int_equal(n, 19 + 4 + 4 + 9 + 7 + 2);
	assert_memory_equal(m + 27, want_path, sizeof(want_path));
	assert_int_equal(parse((size_t)n, &caps2), 0);
	assert_int_equal(u->attrs.aspath_len, 10);
	assert_memory_equal(u->attrs.aspath, path_65001_65002, 10);
	assert_int_equal(u->n_discarded, 0);
}

static void test_update_round_trip_med_localpref_atomic_aggregator(void **state)
{
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	struct cfg_addr nl = pfx("10.0.0.0", 8);
	const uint8_t want[] = {
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x2a,       /* MED 42 */
		0x40, 0x05, 0x04, 0x00, 0x00, 0x01, 0x2c,       /* LP 300 */
		0x40, 0x06, 0x00,                               /* ATOMIC */
		0xc0, 0x07, 0x08, 0x00, 0x00, 0xfd, 0xe9, 0x0a, 0x00, 0x00,
		0x09,                                           /* AGGR */
	};
	int n;

	(void)state;
	a.present = BGP_ATTR_P(BGP_ATTR_MED) | BGP_ATTR_P(BGP_ATTR_LOCAL_PREF) |
		    BGP_ATTR_P(BGP_ATTR_ATOMIC_AGGREGATE) |
		    BGP_ATTR_P(BGP_ATTR_AGGREGATOR);
	a.med = 42;
	a.local_pref = 300;
	a.aggregator_as = 65001;
	memcpy(a.aggregator_addr, (uint8_t[]){ 10, 0, 0, 9 }, 4);
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, true);
	assert_int_equal(n, 19 + 4 + 4 + 13 + 7 + sizeof(want) + 2);
	assert_memory_equal(m + 19 + 4 + 4 + 13 + 7, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->attrs.med, 42);
	assert_int_equal(u->attrs.local_pref, 300);
	assert_int_equal(u->attrs.aggregator_as, 65001);
	assert_memory_equal(u->attrs.aggregator_addr, a.aggregator_addr, 4);
	assert_int_equal(u->attrs.present, a.present | BGP_ATTR_P(1) |
						   BGP_ATTR_P(2) | BGP_ATTR_P(3));
}

static void test_update_round_trip_communities(void **state)
{
	const uint32_t comm[] = { 0xfde90064u, 0xffffff01u };
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	struct cfg_addr nl = pfx("10.0.0.0", 8);
	const uint8_t want[] = { 0xc0, 0x08, 0x08, 0xfd, 0xe9, 0x00, 0x64,
				 0xff, 0xff, 0xff, 0x01 };
	int n;

	(void)state;
	a.communities = comm;
	a.n_communities = 2;
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, true);
	assert_int_equal(n, 19 + 4 + 4 + 13 + 7 + sizeof(want) + 2);
	assert_memory_equal(m + 19 + 4 + 4 + 13 + 7, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->attrs.n_communities, 2);
	assert_int_equal(u->attrs.communities[0], 0xfde90064u);
	assert_int_equal(u->attrs.communities[1], 0xffffff01u);
	assert_true(u->attrs.present & BGP_ATTR_P(BGP_ATTR_COMMUNITIES));
}

static void test_update_round_trip_mp_reach_v6_link_local(void **state)
{
	const uint8_t path[] = { 2, 1, 0, 0, 0xfd, 0xe9 };
	struct bgp_attrs a = base_attrs(path, sizeof(path));
	struct cfg_addr nl = pfx("2001:db8:1::", 48);
	const uint8_t want[] = {
		MARKER, 0x00, 0x53, 0x02, 0x00, 0x00, 0x00, 0x3c,
		0x80, 0x0e, 0x2c, 0x00, 0x02, 0x01, 0x20,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
		A_ORIGIN_IGP, A_ASPATH_65001,
	};
	int n;

	(void)state;
	a.nexthop = pfx("2001:db8::1", 128);
	a.nexthop_ll = pfx("fe80::1", 128);
	n = bgp_update_build(m, sizeof(m), AF_INET6, &a, &nl, 1, NULL, 0, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->n_nlri, 1);
	assert_pfx(&u->nlri[0], "2001:db8:1::", 48);
	assert_pfx(&u->attrs.nexthop, "2001:db8::1", 128);
	assert_pfx(&u->attrs.nexthop_ll, "fe80::1", 128);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_NEXT_HOP));
}

static void test_update_round_trip_mp_unreach_v6(void **state)
{
	struct cfg_addr wd[] = { pfx("2001:db8:1::", 48), pfx("::", 0) };
	const uint8_t want[] = {
		MARKER, 0x00, 0x25, 0x02, 0x00, 0x00, 0x00, 0x0e,
		0x80, 0x0f, 0x0b, 0x00, 0x02, 0x01,
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00,
	};
	int n;

	(void)state;
	n = bgp_update_build(m, sizeof(m), AF_INET6, NULL, NULL, 0, wd, 2, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->n_withdrawn, 2);
	assert_pfx(&u->withdrawn[0], "2001:db8:1::", 48);
	assert_pfx(&u->withdrawn[1], "::", 0);
	assert_false(u->eor);
}

static void test_update_round_trip_ipv4_withdraw(void **state)
{
	struct cfg_addr wd = pfx("10.1.0.0", 16);
	const uint8_t want[] = { MARKER, 0x00, 0x1a, 0x02, 0x00, 0x03,
				 0x10, 0x0a, 0x01, 0x00, 0x00 };
	int n;

	(void)state;
	n = bgp_update_build(m, sizeof(m), AF_INET, NULL, NULL, 0, &wd, 1, true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->n_withdrawn, 1);
	assert_pfx(&u->withdrawn[0], "10.1.0.0", 16);
}

static void test_update_build_zeroes_host_bits(void **state)
{
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	struct cfg_addr nl = pfx("10.1.2.3", 12);
	int n;

	(void)state;
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, true);
	assert_true(n > 0);
	assert_int_equal(m[n - 3], 12);
	assert_int_equal(m[n - 2], 10);
	assert_int_equal(m[n - 1], 0x00);
}

static void test_eor_ipv4_round_trip(void **state)
{
	const uint8_t want[] = { MARKER, 0x00, 0x17, 0x02, 0, 0, 0, 0 };
	int n;

	(void)state;
	n = bgp_eor_build(m, sizeof(m), BGP_AF_IPV4);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_true(u->eor);
	assert_int_equal(u->eor_af, BGP_AF_IPV4);
	assert_int_equal(u->n_nlri + u->n_withdrawn, 0);
}

static void test_eor_ipv6_round_trip(void **state)
{
	const uint8_t want[] = { MARKER, 0x00, 0x1d, 0x02, 0, 0, 0, 6,
				 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01 };
	int n;

	(void)state;
	n = bgp_eor_build(m, sizeof(m), BGP_AF_IPV6);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_true(u->eor);
	assert_int_equal(u->eor_af, BGP_AF_IPV6);
}

static void test_update_build_enospc_when_prefixes_do_not_fit(void **state)
{
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	static struct cfg_addr nl[1200];
	int n;

	(void)state;
	for (unsigned int i = 0; i < 1200; i++) {
		nl[i] = pfx("10.0.0.0", 24);
		nl[i].addr[1] = (uint8_t)(i >> 8);
		nl[i].addr[2] = (uint8_t)i;
	}
	/* 1200 x 4 octets is more than 4096 */
	assert_int_equal(bgp_update_build(m, sizeof(m), AF_INET, &a, nl, 1200,
					  NULL, 0, true), -ENOSPC);
	/* 1000 fit in 4096, not in a 1000-byte buffer */
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, nl, 1000, NULL, 0,
			     true);
	assert_int_equal(n, 19 + 4 + 24 + 4000);
	assert_int_equal(bgp_update_build(m, 1000, AF_INET, &a, nl, 1000, NULL,
					  0, true), -ENOSPC);
	assert_int_equal(parse((size_t)n, &caps4), 0);
	assert_int_equal(u->n_nlri, 1000);
}

/* ---- RFC 6793: 2-octet sessions ---- */

static void test_update_build_2octet_peer_writes_as_trans_and_as4_path(void **state)
{
	const uint8_t path[] = { 2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00 };
	struct bgp_attrs a = base_attrs(path, sizeof(path));
	struct cfg_addr nl = pfx("10.0.0.0", 8);
	const uint8_t want[] = {
		MARKER, 0x00, 0x3a, 0x02, 0x00, 0x00, 0x00, 0x21,
		A_ORIGIN_IGP,
		0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0,
		A_NH_192_0_2_1,
		0xc0, 0x11, 0x0a, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9,
		0xfa, 0x56, 0xea, 0x00,
		NLRI_10_8,
	};
	int n;

	(void)state;
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, false);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	/* and a 2-octet session's parser merges it back */
	assert_int_equal(parse((size_t)n, &caps2), 0);
	assert_int_equal(u->attrs.aspath_len, sizeof(path));
	assert_memory_equal(u->attrs.aspath, path, sizeof(path));
	assert_int_equal(u->n_discarded, 0);
}

static void test_update_build_2octet_peer_aggregator_as_trans(void **state)
{
	struct bgp_attrs a = base_attrs(path_65001_65002, 10);
	struct cfg_addr nl = pfx("10.0.0.0", 8);
	const uint8_t want[] = {
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 0x0a, 0x00, 0x00, 0x09,
		0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x00, 0x0a, 0x00, 0x00,
		0x09,
	};
	int n;

	(void)state;
	a.present = BGP_ATTR_P(BGP_ATTR_AGGREGATOR);
	a.aggregator_as = 4200000000u;
	memcpy(a.aggregator_addr, (uint8_t[]){ 10, 0, 0, 9 }, 4);
	n = bgp_update_build(m, sizeof(m), AF_INET, &a, &nl, 1, NULL, 0, false);
	assert_int_equal(n, 19 + 4 + 4 + 9 + 7 + sizeof(want) + 2);
	assert_memory_equal(m + 19 + 4 + 4 + 9 + 7, want, sizeof(want));
	assert_int_equal(parse((size_t)n, &caps2), 0);
	assert_int_equal(u->attrs.aggregator_as, 4200000000u);
	assert_memory_equal(u->attrs.aggregator_addr, a.aggregator_addr, 4);
}

static void test_as4_merge_keeps_leading_2octet_asns(void **state)
{
	/* AS_PATH 64512 23456 23456, AS4_PATH 4200000001 4200000002 */
	const uint8_t at[] = {
		A_ORIGIN_IGP,
		0x40, 0x02, 0x08, 0x02, 0x03, 0xfc, 0x00, 0x5b, 0xa0, 0x5b, 0xa0,
		A_NH_192_0_2_1,
		0xc0, 0x11, 0x0a, 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01,
		0xfa, 0x56, 0xea, 0x02,
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "64512 4200000001 4200000002");
	assert_int_equal(u->attrs.aspath_len, 2 + 12); /* one segment */
	assert_int_equal(bgp_aspath_hops(u->attrs.aspath, u->attrs.aspath_len),
			 3);
}

static void test_as4_merge_ignored_when_as4_path_is_longer(void **state)
{
	const uint8_t at[] = {
		A_ORIGIN_IGP,
		0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
		A_NH_192_0_2_1,
		0xc0, 0x11, 0x0a, 0x02, 0x02, 0xfa, 0x56, 0xea, 0x01,
		0xfa, 0x56, 0xea, 0x02,
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "23456");
}

static void test_as4_merge_ignored_when_aggregator_is_not_as_trans(void **state)
{
	const uint8_t at[] = {
		A_ORIGIN_IGP,
		0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
		A_NH_192_0_2_1,
		0xc0, 0x07, 0x06, 0xfd, 0xe9, 0x0a, 0x00, 0x00, 0x09,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01,
		0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x01, 0x0a, 0, 0, 0x09,
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "23456");
	assert_int_equal(u->attrs.aggregator_as, 65001);
}

static void test_as4_aggregator_replaces_as_trans_aggregator(void **state)
{
	const uint8_t at[] = {
		A_ORIGIN_IGP,
		0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
		A_NH_192_0_2_1,
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 0x0a, 0x00, 0x00, 0x09,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01,
		0xc0, 0x12, 0x08, 0xfa, 0x56, 0xea, 0x01, 0x0a, 0, 0, 0x0a,
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_int_equal(u->attrs.aggregator_as, 4200000001u);
	assert_memory_equal(u->attrs.aggregator_addr,
			    ((uint8_t[]){ 10, 0, 0, 10 }), 4);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "4200000001");
}

static void test_as4_path_malformed_is_discarded(void **state)
{
	const uint8_t at[] = {
		A_ORIGIN_IGP,
		0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,
		A_NH_192_0_2_1,
		0xc0, 0x11, 0x05, 0x02, 0x01, 0xfa, 0x56, 0xea, /* short */
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "23456");
}

static void test_as4_path_on_4octet_session_is_discarded(void **state)
{
	const uint8_t at[] = {
		A_BASE,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0xfa, 0x56, 0xea, 0x01,
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "65001");
}

/* ---- RFC 7606 ---- */

static void test_rfc7606_origin_bad_value_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { 0x40, 0x01, 0x01, 0x03, A_ASPATH_65001,
			       A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_origin_bad_length_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { 0x40, 0x01, 0x02, 0x00, 0x00, A_ASPATH_65001,
			       A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_aspath_zero_length_segment_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, 0x40, 0x02, 0x02, 0x02, 0x00,
			       A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_aspath_segment_overrun_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, 0x40, 0x02, 0x06, 0x02, 0x02,
			       0x00, 0x00, 0xfd, 0xe9, A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_aspath_one_octet_left_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, 0x40, 0x02, 0x07, 0x02, 0x01,
			       0x00, 0x00, 0xfd, 0xe9, 0x02, A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_aspath_unknown_segment_type_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, 0x40, 0x02, 0x06, 0x05, 0x01,
			       0x00, 0x00, 0xfd, 0xe9, A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_nexthop_bad_length_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, A_ASPATH_65001, 0x40, 0x03, 0x05,
			       0xc0, 0x00, 0x02, 0x01, 0x00 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_nexthop_not_a_host_address_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, A_ASPATH_65001, 0x40, 0x03, 0x04,
			       0x00, 0x00, 0x00, 0x00 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_missing_nexthop_with_ipv4_nlri_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, A_ASPATH_65001 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_non_null(strstr(u->warning, "NEXT_HOP"));
}

static void test_rfc7606_missing_origin_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ASPATH_65001, A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_non_null(strstr(u->warning, "ORIGIN"));
}

static void test_rfc7606_missing_aspath_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_non_null(strstr(u->warning, "AS_PATH"));
}

static void test_rfc7606_no_attributes_with_nlri_is_treat_as_withdraw(void **state)
{
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(upd(NULL, 0, NULL, 0, nl, sizeof(nl)), &caps4),
			 0);
	assert_withdrawn_10_8();
	assert_false(u->eor);
}

static void test_rfc7606_med_bad_length_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_BASE, 0x80, 0x04, 0x03, 0x00, 0x00, 0x01 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

/* RFC 7606 §7.5: a LOCAL_PREF from an external neighbour (every peer of
 * twinpath's) is discarded whatever it holds, so a malformed one costs the
 * route nothing; treat-as-withdraw is for internal neighbours only. */
static void test_rfc7606_local_pref_bad_length_from_ebgp_is_discarded(void **state)
{
	const uint8_t at[] = { A_BASE, 0x40, 0x05, 0x05, 0, 0, 0, 0x64, 0 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF));
	assert_non_null(strstr(u->warning, "LOCAL_PREF"));
}

/* The same for a LOCAL_PREF with the Optional bit set: from an external
 * neighbour it is discarded (RFC 7606 §7.5), not a flags error to
 * withdraw the route for (§3 (c) yields to the attribute's own rule). */
static void test_rfc7606_local_pref_flags_error_from_ebgp_is_discarded(void **state)
{
	const uint8_t at[] = { A_BASE, 0xc0, 0x05, 0x04, 0, 0, 0, 0x64 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF));
}

static void test_rfc7606_communities_not_multiple_of_4_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_BASE, 0xc0, 0x08, 0x05, 0xfd, 0xe9, 0x00,
			       0x64, 0x00 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_atomic_aggregate_bad_length_is_discarded(void **state)
{
	const uint8_t at[] = { A_BASE, 0x40, 0x06, 0x01, 0x00 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_ATOMIC_AGGREGATE));
	assert_non_null(strstr(u->warning, "ATOMIC_AGGREGATE"));
}

static void test_rfc7606_aggregator_bad_length_is_discarded(void **state)
{
	/* 6 octets is the 2-octet form: wrong on a 4-octet session */
	const uint8_t at[] = { A_BASE, 0xc0, 0x07, 0x06, 0xfd, 0xe9, 0x0a, 0,
			       0, 0x09 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_AGGREGATOR));
}

static void test_rfc7606_as4_aggregator_bad_length_is_discarded(void **state)
{
	const uint8_t at[] = {
		A_ORIGIN_IGP, 0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9,
		A_NH_192_0_2_1,
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 0x0a, 0, 0, 0x09,
		0xc0, 0x12, 0x06, 0xfa, 0x56, 0xea, 0x01, 0x0a, 0,
	};
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_int_equal(u->attrs.aggregator_as, BGP_AS_TRANS);
}

static void test_rfc7606_repeated_attribute_later_copy_is_discarded(void **state)
{
	const uint8_t at[] = { A_BASE, 0x80, 0x04, 0x04, 0, 0, 0, 0x01,
			       0x80, 0x04, 0x04, 0, 0, 0, 0x02 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->attrs.med, 1);
	assert_int_equal(u->n_discarded, 1);
}

static void test_rfc7606_repeated_mp_reach_resets_3_1(void **state)
{
	const uint8_t mp[] = { 0x80, 0x0e, 0x15, 0x00, 0x02, 0x01, 0x10,
			       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
			       0, 0, 0, 0x01, 0x00 };
	uint8_t at[2 * sizeof(mp) + 4 + 9];

	(void)state;
	memcpy(at, mp, sizeof(mp));
	memcpy(at + sizeof(mp), mp, sizeof(mp));
	memcpy(at + 2 * sizeof(mp), (uint8_t[]){ A_ORIGIN_IGP, A_ASPATH_65001 },
	       13);
	assert_int_equal(parse(upd(NULL, 0, at, sizeof(at), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 1, NULL, 0);
}

static void test_rfc7606_mp_reach_bad_nexthop_length_resets_3_9(void **state)
{
	/* an IPv6 next hop of 4 octets */
	const uint8_t at[] = { 0x80, 0x0e, 0x0e, 0x00, 0x02, 0x01, 0x04,
			       0x0a, 0, 0, 0x01, 0x00, 0x20, 0x20, 0x01,
			       0x0d, 0xb8 };

	(void)state;
	assert_int_equal(parse(upd(NULL, 0, at, sizeof(at), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 9, at, sizeof(at));
}

static void test_rfc7606_mp_reach_prefix_over_128_resets_3_9(void **state)
{
	const uint8_t at[] = { 0x80, 0x0e, 0x17, 0x00, 0x02, 0x01, 0x10,
			       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
			       0, 0, 0, 0x01, 0x00, 0x81, 0x20 };

	(void)state;
	assert_int_equal(parse(upd(NULL, 0, at, sizeof(at), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 9, at, sizeof(at));
}

static void test_rfc7606_mp_unreach_prefix_overrun_resets_3_9(void **state)
{
	const uint8_t at[] = { 0x80, 0x0f, 0x05, 0x00, 0x02, 0x01, 0x30, 0x20 };

	(void)state;
	assert_int_equal(parse(upd(NULL, 0, at, sizeof(at), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 9, at, sizeof(at));
}

static void test_rfc7606_mp_unreach_flags_error_resets_3_4(void **state)
{
	const uint8_t at[] = { 0xc0, 0x0f, 0x03, 0x00, 0x02, 0x01 };

	(void)state;
	assert_int_equal(parse(upd(NULL, 0, at, sizeof(at), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 4, at, sizeof(at));
}

static void test_rfc7606_origin_flags_error_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { 0xc0, 0x01, 0x01, 0x00, A_ASPATH_65001,
			       A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_non_null(strstr(u->warning, "flags"));
}

static void test_rfc7606_med_flags_error_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_BASE, 0x40, 0x04, 0x04, 0, 0, 0, 1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_attribute_past_list_with_nlri_is_treat_as_withdraw(void **state)
{
	/* MED claims 8 octets, 4 are left in the attribute list */
	const uint8_t at[] = { A_BASE, 0x80, 0x04, 0x08, 0, 0, 0, 1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

static void test_rfc7606_attribute_past_list_without_nlri_resets_3_1(void **state)
{
	const uint8_t at[] = { A_BASE, 0x80, 0x04 };

	(void)state;
	assert_int_equal(parse(upd(NULL, 0, at, sizeof(at), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 1, NULL, 0);
}

static void test_update_unrecognized_well_known_resets_3_2(void **state)
{
	const uint8_t at[] = { A_BASE, 0x40, 0x63, 0x01, 0x07 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), -EBADMSG);
	assert_err(3, 2, (const uint8_t[]){ 0x40, 0x63, 0x01, 0x07 }, 4);
}

static void test_update_unknown_optional_attribute_is_ignored(void **state)
{
	const uint8_t at[] = { A_BASE, 0xc0, 0x63, 0x02, 0x07, 0x08 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 0);
}

static void test_update_lengths_past_message_reset_3_1(void **state)
{
	const uint8_t wd[] = { 0x08, 0x0a };
	size_t n;

	(void)state;
	n = upd(wd, sizeof(wd), NULL, 0, NULL, 0);
	m[20] = 0x05; /* withdrawn length 5 */
	assert_int_equal(parse(n, &caps4), -EBADMSG);
	assert_err(3, 1, NULL, 0);
	n = upd(wd, sizeof(wd), NULL, 0, NULL, 0);
	m[24] = 0x01; /* attribute length 1 */
	assert_int_equal(parse(n, &caps4), -EBADMSG);
	assert_err(3, 1, NULL, 0);
}

static void test_update_nlri_prefix_over_32_resets_3_10(void **state)
{
	const uint8_t at[] = { A_BASE };
	const uint8_t nl[] = { 0x21, 10, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), -EBADMSG);
	assert_err(3, 10, NULL, 0);
}

static void test_update_nlri_prefix_overrun_resets_3_10(void **state)
{
	const uint8_t at[] = { A_BASE };
	const uint8_t nl[] = { 0x18, 10, 0 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), -EBADMSG);
	assert_err(3, 10, NULL, 0);
}

static void test_update_withdrawn_prefix_over_32_resets_3_10(void **state)
{
	const uint8_t wd[] = { 0x28, 10, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(parse(upd(wd, sizeof(wd), NULL, 0, NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 10, NULL, 0);
}

static void test_update_mp_reach_of_disabled_family_is_ignored(void **state)
{
	const struct bgp_caps v4only = { .as4 = true, .af = { true, false } };
	const uint8_t at[] = { 0x80, 0x0e, 0x18, 0x00, 0x02, 0x01, 0x10,
			       0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
			       0, 0, 0, 0x01, 0x00, 0x10, 0x20, 0x01,
			       A_BASE };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &v4only), 0);
	assert_accepted_10_8();
	assert_pfx(&u->attrs.nexthop, "192.0.2.1", 32);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_MP_REACH));
}

/* ---- AS path helpers ---- */

static const uint8_t path_mixed[] = {
	3, 2, 0, 0, 0xfd, 0xe8, 0, 0, 0xfd, 0xe7, /* (65000 64999) */
	2, 2, 0, 0, 0x8a, 0xd4, 0, 0, 0xfb, 0xf4, /* 35540 64500 */
	1, 2, 0, 0, 0xfb, 0xf5, 0, 0, 0xfb, 0xf6, /* {64501 64502} */
	4, 1, 0, 0, 0xfd, 0xe6,                   /* [64998] */
};

static void test_aspath_hops_counts_set_as_one_and_confed_as_zero(void **state)
{
	(void)state;
	assert_int_equal(bgp_aspath_hops(path_mixed, sizeof(path_mixed)), 3);
	assert_int_equal(bgp_aspath_hops(NULL, 0), 0);
}

static void test_aspath_contains_looks_in_every_segment(void **state)
{
	(void)state;
	assert_true(bgp_aspath_contains(path_mixed, sizeof(path_mixed), 64502));
	assert_true(bgp_aspath_contains(path_mixed, sizeof(path_mixed), 64999));
	assert_true(bgp_aspath_contains(path_mixed, sizeof(path_mixed), 64998));
	assert_false(bgp_aspath_contains(path_mixed, sizeof(path_mixed), 65001));
}

static void test_aspath_first_skips_confed_and_needs_a_sequence(void **state)
{
	const uint8_t set_first[] = { 1, 1, 0, 0, 0xfb, 0xf5 };

	(void)state;
	assert_int_equal(bgp_aspath_first(path_mixed, sizeof(path_mixed)),
			 35540);
	assert_int_equal(bgp_aspath_first(set_first, sizeof(set_first)), 0);
	assert_int_equal(bgp_aspath_first(NULL, 0), 0);
}

static void test_aspath_str_formats_every_segment_type(void **state)
{
	char s[96], tiny[8];

	(void)state;
	assert_string_equal(bgp_aspath_str(path_mixed, sizeof(path_mixed), s,
					   sizeof(s)),
			    "(65000 64999) 35540 64500 {64501 64502} [64998]");
	assert_string_equal(bgp_aspath_str(NULL, 0, s, sizeof(s)), "");
	bgp_aspath_str(path_mixed, sizeof(path_mixed), tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
}

static void test_aspath_prepend_merges_into_leading_sequence(void **state)
{
	const uint8_t p[] = { 2, 1, 0, 0, 0x8a, 0xd4, 1, 1, 0, 0, 0xfb, 0xf5 };
	const uint8_t want[] = { 2, 3, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xe9,
				 0, 0, 0x8a, 0xd4, 1, 1, 0, 0, 0xfb, 0xf5 };
	uint8_t out[64];

	(void)state;
	assert_int_equal(bgp_aspath_prepend(out, sizeof(out), p, sizeof(p),
					    65001, 2), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void test_aspath_prepend_before_set_opens_a_sequence(void **state)
{
	const uint8_t p[] = { 1, 1, 0, 0, 0xfb, 0xf5 };
	const uint8_t want[] = { 2, 1, 0, 0, 0xfd, 0xe9, 1, 1, 0, 0, 0xfb,
				 0xf5 };
	uint8_t out[64];

	(void)state;
	assert_int_equal(bgp_aspath_prepend(out, sizeof(out), p, sizeof(p),
					    65001, 1), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(bgp_aspath_prepend(out, sizeof(out), NULL, 0, 65001,
					    1), 6);
	assert_memory_equal(out, want, 6);
}

static void test_aspath_prepend_splits_at_255(void **state)
{
	static uint8_t p[2 + 4 * 255], out[2048];
	int n;

	(void)state;
	p[0] = 2;
	p[1] = 255;
	for (int i = 0; i < 255; i++)
		p[2 + 4 * i + 3] = 7;
	n = bgp_aspath_prepend(out, sizeof(out), p, sizeof(p), 65001, 3);
	assert_int_equal(n, 2 + 12 + sizeof(p));
	/* a full leading SEQUENCE stays whole behind a new one */
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[14], 2);
	assert_int_equal(out[15], 255);
	assert_int_equal(bgp_aspath_hops(out, (size_t)n), 258);
	assert_int_equal(bgp_aspath_first(out, (size_t)n), 65001);
}

static void test_aspath_prepend_enospc(void **state)
{
	uint8_t out[9];

	(void)state;
	assert_int_equal(bgp_aspath_prepend(out, sizeof(out), NULL, 0, 65001,
					    2), -ENOSPC);
}

#define T(f) cmocka_unit_test_setup(f, reset)

/* ---- RFC 7607 AS 0, RFC 4271 §4.3 Partial bit, RFC 4760 §3 next hops,
 * IPv6 next hop checks, RFC 9072 extended OPEN ---- */

/* MP_REACH_NLRI for 2001:db8::/32 via NH (16 octets) */
#define A_MP_REACH_V6(...) 0x80, 0x0e, 0x1a, 0x00, 0x02, 0x01, 0x10, \
	__VA_ARGS__, 0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8
#define NH6_2001_DB8_1 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0, 0, 0x01

/* RFC 7607 §2 -> RFC 7606 §7.2: AS 0 anywhere in AS_PATH */
static void test_rfc7607_as0_in_aspath_is_treat_as_withdraw(void **state)
{
	const uint8_t at[] = { A_ORIGIN_IGP, 0x40, 0x02, 0x0a, 0x02, 0x02,
			       0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x00,
			       A_NH_192_0_2_1 };
	const uint8_t at2[] = { A_ORIGIN_IGP, 0x40, 0x02, 0x06, 0x01, 0x02,
				0xfd, 0xe9, 0x00, 0x00, A_NH_192_0_2_1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_string_equal(u->warning, "AS 0 (RFC 7607) in AS_PATH: "
			    "treat-as-withdraw (RFC 7606)");
	/* 2-octet session, in an AS_SET */
	assert_int_equal(parse(UPD_A(at2, nl), &caps2), 0);
	assert_withdrawn_10_8();
	assert_string_equal(u->warning, "AS 0 (RFC 7607) in AS_PATH: "
			    "treat-as-withdraw (RFC 7606)");
}

/* RFC 7607 §2 -> RFC 7606 §7.7: AS 0 in AGGREGATOR, attribute discard */
static void test_rfc7607_as0_in_aggregator_is_discarded(void **state)
{
	const uint8_t at[] = { A_BASE, 0xc0, 0x07, 0x08, 0, 0, 0, 0, 0x0a, 0,
			       0, 0x09 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_false(u->attrs.present & BGP_ATTR_P(BGP_ATTR_AGGREGATOR));
	assert_int_equal(u->attrs.aggregator_as, 0);
	assert_memory_equal(u->attrs.aggregator_addr, "\0\0\0\0", 4);
	assert_string_equal(u->warning, "AS 0 (RFC 7607) in AGGREGATOR: "
			    "attribute discarded (RFC 7606)");
}

/* RFC 7607 §2 -> RFC 6793 §6: AS 0 in AS4_PATH or AS4_AGGREGATOR is
 * discarded; the 2-octet AS_PATH and AGGREGATOR stay as they came */
static void test_rfc7607_as0_in_as4_path_and_as4_aggregator_is_discarded(
	void **state)
{
	const uint8_t at[] = {
		A_ORIGIN_IGP,
		0x40, 0x02, 0x04, 0x02, 0x01, 0x5b, 0xa0,     /* AS_TRANS */
		A_NH_192_0_2_1,
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 0x0a, 0, 0, 0x0a,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
		0xc0, 0x12, 0x08, 0x00, 0x00, 0x00, 0x00, 0x0a, 0, 0, 0x0a,
	};
	const uint8_t nl[] = { NLRI_10_8 };
	char s[64];

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps2), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 2);
	assert_string_equal(u->warning, "AS 0 (RFC 7607) in AS4_PATH: "
			    "attribute discarded (RFC 7606)");
	assert_string_equal(bgp_aspath_str(u->attrs.aspath,
					   u->attrs.aspath_len, s, sizeof(s)),
			    "23456");
	assert_int_equal(u->attrs.aggregator_as, BGP_AS_TRANS);
}

/* RFC 7607 §2: AS 0 as the peer's AS is Bad Peer AS (2/2), in the 2-octet
 * field or in the 4-octet AS capability */
static void test_open_peer_as_0_is_2_2(void **state)
{
	uint8_t o[sizeof(open_good)];

	(void)state;
	memcpy(o, open_good, sizeof(o));
	o[20] = 0, o[21] = 0;
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 2, NULL, 0);
	memset(&err, 0, sizeof(err));
	memcpy(o, open_good, sizeof(o));
	o[49] = 0, o[50] = 0;                  /* AS4 capability: 0 */
	assert_int_equal(o[45], 0x41);
	assert_int_equal(bgp_open_parse(o, sizeof(o), &(struct bgp_open){ 0 },
					&err), -EBADMSG);
	assert_err(2, 2, NULL, 0);
}

/* RFC 4271 §4.3: Partial is 0 on well-known attributes; set, it is a
 * flags error, treat-as-withdraw (RFC 7606 §3 (c)), but for LOCAL_PREF,
 * which an external neighbour's UPDATE loses in any case (§7.5) */
static void test_rfc4271_partial_bit_on_well_known_is_treat_as_withdraw(
	void **state)
{
	const uint8_t origin[] = { 0x60, 0x01, 0x01, 0x00, A_ASPATH_65001,
				   A_NH_192_0_2_1 };
	const uint8_t aspath[] = { A_ORIGIN_IGP, 0x60, 0x02, 0x06, 0x02, 0x01,
				   0x00, 0x00, 0xfd, 0xe9, A_NH_192_0_2_1 };
	const uint8_t nexthop[] = { A_ORIGIN_IGP, A_ASPATH_65001, 0x60, 0x03,
				    0x04, 0xc0, 0x00, 0x02, 0x01 };
	const uint8_t lpref[] = { A_BASE, 0x60, 0x05, 0x04, 0, 0, 0, 100 };
	const uint8_t atomic[] = { A_BASE, 0x60, 0x06, 0x00 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(origin, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_string_equal(u->warning, "bad flags on ORIGIN: "
			    "treat-as-withdraw (RFC 7606)");
	assert_int_equal(parse(UPD_A(aspath, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_int_equal(parse(UPD_A(nexthop, nl), &caps4), 0);
	assert_withdrawn_10_8();
	/* LOCAL_PREF from an external neighbour: discarded, RFC 7606 §7.5 */
	assert_int_equal(parse(UPD_A(lpref, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->n_discarded, 1);
	assert_int_equal(parse(UPD_A(atomic, nl), &caps4), 0);
	assert_withdrawn_10_8();
}

/* ... and on optional non-transitive ones: MED treat-as-withdraw,
 * MP_REACH_NLRI a session reset 3/4 as for its other flags errors; an
 * optional transitive attribute may carry it */
static void test_rfc4271_partial_bit_on_optional_non_transitive(void **state)
{
	const uint8_t med[] = { A_BASE, 0xa0, 0x04, 0x04, 0, 0, 0, 1 };
	const uint8_t mp[] = { 0xa0, 0x0e, 0x1a, 0x00, 0x02, 0x01, 0x10,
			       NH6_2001_DB8_1, 0x00, 0x20, 0x20, 0x01, 0x0d,
			       0xb8, A_ORIGIN_IGP, A_ASPATH_65001 };
	const uint8_t comm[] = { A_BASE, 0xe0, 0x08, 0x04, 0xfd, 0xe9, 0, 1 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(med, nl), &caps4), 0);
	assert_withdrawn_10_8();
	assert_int_equal(parse(upd(NULL, 0, mp, sizeof(mp), NULL, 0), &caps4),
			 -EBADMSG);
	assert_err(3, 4, mp, 29);
	assert_int_equal(parse(UPD_A(comm, nl), &caps4), 0);
	assert_accepted_10_8();
	assert_int_equal(u->attrs.n_communities, 1);
}

/* RFC 4760 §3: the IPv4 NLRI field's prefixes take NEXT_HOP, those of
 * MP_REACH_NLRI its next hop; the parser keeps both and says which
 * prefixes are which */
static void test_update_ipv4_nlri_and_mp_reach_v6_keep_next_hops_apart(
	void **state)
{
	const uint8_t at[] = { A_MP_REACH_V6(NH6_2001_DB8_1), A_BASE };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_false(u->treat_as_withdraw);
	assert_int_equal(u->n_nlri, 2);
	assert_pfx(&u->nlri[0], "2001:db8::", 32);
	assert_pfx(&u->nlri[1], "10.0.0.0", 8);
	assert_int_equal(u->nlri_field_first, 1);
	assert_pfx(&u->attrs.nexthop, "2001:db8::1", 128);
	assert_pfx(&u->nexthop_v4, "192.0.2.1", 32);
}

/* RFC 4760 §7: on a session without IPv4, the IPv4 fields' prefixes
 * (Withdrawn Routes, NLRI) are left out and counted, whatever else the
 * UPDATE carries; MP_REACH_NLRI of a family not negotiated is ignored
 * whole (not present, not counted) */
static void test_update_family_not_negotiated_is_left_out(void **state)
{
	static const struct bgp_caps only4 = { .as4 = true,
					       .af = { true, false } };
	static const struct bgp_caps only6 = { .as4 = true,
					       .af = { false, true } };
	/* what is kept of the UPDATE below under each session's families */
	static const struct {
		const struct bgp_caps *caps;
		unsigned int foreign, n_nlri, nlri_field_first, n_withdrawn;
		const char *nlri0;
		uint8_t len0;
	} want[] = {
		{ &only6, 2, 1, 1, 0, "2001:db8::", 32 },
		{ &only4, 0, 1, 0, 1, "10.0.0.0", 8 },
		{ &caps4, 0, 2, 1, 1, "2001:db8::", 32 }, /* nothing left out */
	};
	const uint8_t at[] = { A_MP_REACH_V6(NH6_2001_DB8_1), A_BASE };
	const uint8_t nl[] = { NLRI_10_8 };
	const uint8_t wd[] = { 0x10, 0xc6, 0x12 }; /* 198.18.0.0/16 */
	size_t n, i;

	(void)state;
	n = upd(wd, sizeof(wd), at, sizeof(at), nl, sizeof(nl));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(parse(n, want[i].caps), 0);
		assert_false(u->treat_as_withdraw);
		assert_int_equal(u->n_foreign_af, want[i].foreign);
		assert_int_equal(u->n_nlri, want[i].n_nlri);
		assert_pfx(&u->nlri[0], want[i].nlri0, want[i].len0);
		assert_int_equal(u->nlri_field_first, want[i].nlri_field_first);
		assert_int_equal(u->n_withdrawn, want[i].n_withdrawn);
		if (want[i].n_withdrawn != 0)
			assert_pfx(&u->withdrawn[0], "198.18.0.0", 16);
	}
}

/* The mirror: IPv4 NLRI without NEXT_HOP is a missing well-known
 * attribute (RFC 7606 §3 (d)) even when MP_REACH_NLRI brings a next hop */
static void test_rfc7606_ipv4_nlri_with_mp_reach_but_no_nexthop_is_treat_as_withdraw(
	void **state)
{
	const uint8_t at[] = { A_MP_REACH_V6(NH6_2001_DB8_1), A_ORIGIN_IGP,
			       A_ASPATH_65001 };
	const uint8_t nl[] = { NLRI_10_8 };

	(void)state;
	assert_int_equal(parse(UPD_A(at, nl), &caps4), 0);
	assert_true(u->treat_as_withdraw);
	assert_int_equal(u->n_nlri, 0);
	assert_int_equal(u->n_withdrawn, 2);
	assert_string_equal(u->warning, "missing NEXT_HOP: treat-as-withdraw "
			    "(RFC 7606)");
}

/* RFC 4271 §6.3, RFC 2545 §3: an MP_REACH_NLRI IPv6 next hop that is
 * no host address (::, ::1, ff00::/8) gets what an IPv4 NEXT_HOP of
 * 0/8, 127/8 or 224/4 gets: treat-as-withdraw */
static void test_rfc7606_mp_reach_v6_nexthop_not_a_host_address_is_treat_as_withdraw(
	void **state)
{
	const uint8_t unspec[] = { A_MP_REACH_V6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0, 0, 0),
				   A_ORIGIN_IGP, A_ASPATH_65001 };
	const uint8_t loop[] = { A_MP_REACH_V6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 1),
				 A_ORIGIN_IGP, A_ASPATH_65001 };
	const uint8_t mcast[] = { A_MP_REACH_V6(0xff, 0x02, 0, 0, 0, 0, 0, 0,
						0, 0, 0, 0, 0, 0, 0, 1),
				  A_ORIGIN_IGP, A_ASPATH_65001 };
	const uint8_t good[] = { A_MP_REACH_V6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					       0, 0, 0, 0, 0, 2),
				 A_ORIGIN_IGP, A_ASPATH_65001 };
	const uint8_t *cases[] = { unspec, loop, mcast };

	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(parse(upd(NULL, 0, cases[i], sizeof(unspec),
					   NULL, 0), &caps4), 0);
		assert_true(u->treat_as_withdraw);
		assert_int_equal(u->n_nlri, 0);
		assert_int_equal(u->n_withdrawn, 1);
		assert_pfx(&u->withdrawn[0], "2001:db8::", 32);
		assert_string_equal(u->warning, "invalid address in "
				    "MP_REACH_NLRI: treat-as-withdraw "
				    "(RFC 7606)");
	}
	/* ::2 is a (strange but) unicast address */
	assert_int_equal(parse(upd(NULL, 0, good, sizeof(good), NULL, 0),
			       &caps4), 0);
	assert_false(u->treat_as_withdraw);
	assert_int_equal(u->n_nlri, 1);
}

/* RFC 9072: an OPEN of MP IPv4, 4-octet AS 65001 and 60 unknown
 * capabilities (code 200, 4 octets each): 372 octets of capabilities in
 * one parameter, the extended form. NON_EXT is the Non-Ext OP Len. */
static size_t open_ext(uint8_t *o, uint8_t non_ext)
{
	size_t n = 0, caps;

	memcpy(o, open_good, 29);
	n = 28;
	o[n++] = non_ext;
	o[n++] = 255;              /* Non-Ext OP Type */
	n += 2;                    /* Extended Opt. Parm. Length, below */
	o[n++] = 2;                /* capabilities */
	n += 2;                    /* its 2-octet length, below */
	caps = n;
	memcpy(o + n, "\x01\x04\x00\x01\x00\x01\x41\x04\x00\x00\xfd\xe9", 12);
	n += 12;
	for (unsigned int i = 0; i < 60; i++) {
		memcpy(o + n, "\xc8\x04\xde\xad\xbe\xef", 6);
		n += 6;
	}
	o[caps - 2] = (uint8_t)((n - caps) >> 8);
	o[caps - 1] = (uint8_t)(n - caps);
	o[30] = (uint8_t)((n - 32) >> 8);
	o[31] = (uint8_t)(n - 32);
	o[16] = (uint8_t)(n >> 8);
	o[17] = (uint8_t)n;
	return n;
}

static void test_open_rfc9072_extended_parameters_parsed(void **state)
{
	uint8_t o[BGP_MSG_MAX];
	struct bgp_open op;
	size_t n = open_ext(o, 255);

	(void)state;
	assert_int_equal(n, 407);
	assert_int_equal(o[30] << 8 | o[31], 375); /* > 255 */
	assert_int_equal(bgp_open_parse(o, n, &op, &err), 0);
	assert_true(op.any_capability);
	assert_true(op.cap_mp[BGP_AF_IPV4]);
	assert_false(op.cap_mp[BGP_AF_IPV6]);
	assert_true(op.cap_as4);
	assert_int_equal(op.asn, 65001);
	/* RFC 9072 §2: the extended form is known by the type, whatever the
	 * Non-Ext OP Len says (the sender sets 255) */
	open_ext(o, 1);
	assert_int_equal(bgp_open_parse(o, n, &op, &err), 0);
	assert_true(op.cap_as4);
}

/* RFC 9072 §2/§3 with RFC 4271 §6.2: lengths that do not add up are 2/0,
 * a parameter type other than 2 is 2/4 */
static void test_open_rfc9072_malformed_is_2_0_unknown_parameter_2_4(
	void **state)
{
	uint8_t o[BGP_MSG_MAX];
	size_t n = open_ext(o, 255);

	(void)state;
	/* Extended Opt. Parm. Length one more than the message holds */
	o[31]++;
	assert_int_equal(bgp_open_parse(o, n, &(struct bgp_open){ 0 }, &err),
			 -EBADMSG);
	assert_err(2, 0, NULL, 0);
	/* the parameter's 2-octet length past the optional parameters */
	n = open_ext(o, 255);
	o[34]++;
	memset(&err, 0xee, sizeof(err));
	assert_int_equal(bgp_open_parse(o, n, &(struct bgp_open){ 0 }, &err),
			 -EBADMSG);
	assert_err(2, 0, NULL, 0);
	/* a capability running past its (extended) parameter */
	n = open_ext(o, 255);
	o[n - 5] = 5;
	memset(&err, 0xee, sizeof(err));
	assert_int_equal(bgp_open_parse(o, n, &(struct bgp_open){ 0 }, &err),
			 -EBADMSG);
	assert_err(2, 0, NULL, 0);
	/* not a capabilities parameter */
	n = open_ext(o, 255);
	o[32] = 1;
	memset(&err, 0xee, sizeof(err));
	assert_int_equal(bgp_open_parse(o, n, &(struct bgp_open){ 0 }, &err),
			 -EBADMSG);
	assert_err(2, 4, NULL, 0);
	/* the extended header itself cut short: Non-Ext OP Len 1, type 255
	 * and nothing more */
	memcpy(o, open_good, 29);
	o[17] = 30;
	o[28] = 1;
	o[29] = 255;
	memset(&err, 0xee, sizeof(err));
	assert_int_equal(bgp_open_parse(o, 30, &(struct bgp_open){ 0 }, &err),
			 -EBADMSG);
	assert_err(2, 0, NULL, 0);
}

/* Our OPEN never needs the extended form: every capability we send fits
 * in far fewer than 255 octets (RFC 9072 §2 lets a sender keep the
 * RFC 4271 form then); all of them at once give 44 octets */
static void test_open_build_all_capabilities_fit_255(void **state)
{
	struct bgp_open o = { .asn = 4200000001u, .hold_time_s = 90,
			      .bgp_id = { 192, 0, 2, 1 },
			      .cap_mp = { true, true }, .cap_as4 = true,
			      .cap_route_refresh = true, .cap_gr = true,
			      .gr_af = { true, true } };
	uint8_t buf[BGP_MSG_MAX];
	int n = bgp_open_build(buf, sizeof(buf), &o);

	(void)state;
	assert_int_equal(n, 29 + 34);
	assert_int_equal(buf[28], 34);
	assert_int_equal(buf[29], 2);
}

/* A path of any length is written whole into BGP_ASPATH_STR_MAX octets:
 * 255 ten-digit ASNs and a confederation set */
static void test_aspath_str_max_holds_the_longest_path(void **state)
{
	uint8_t p[2 + 4 * 255 + 2 + 4 * 2];
	char buf[BGP_ASPATH_STR_MAX(sizeof(p))], want[4096];
	size_t w = 0;

	(void)state;
	p[0] = BGP_AS_SEQUENCE;
	p[1] = 255;
	for (unsigned int i = 0; i < 255; i++) {
		uint32_t asn = htonl(4294967295u - i);

		memcpy(p + 2 + 4 * i, &asn, 4);
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%s%u",
				      i ? " " : "", 4294967295u - i);
	}
	p[1022] = BGP_AS_CONFED_SET;
	p[1023] = 2;
	memcpy(p + 1024, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8);
	snprintf(want + w, sizeof(want) - w, " [4294967295 4294967294]");
	assert_string_equal(bgp_aspath_str(p, sizeof(p), buf, sizeof(buf)),
			    want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hdr_check_accepts_keepalive),
		T(test_hdr_check_bad_marker_is_1_1),
		T(test_hdr_check_length_over_4096_is_1_2_with_length),
		T(test_hdr_check_length_under_19_is_1_2),
		T(test_hdr_check_type_length_mismatch_is_1_2),
		T(test_hdr_check_unknown_type_is_1_3_with_type),
		T(test_open_parse_known_good_bytes),
		T(test_open_gr_capability_bits),
		T(test_open_build_matches_known_good_bytes),
		T(test_open_build_4octet_as_writes_as_trans),
		T(test_open_without_as4_cap_uses_2octet_as),
		T(test_open_bad_version_is_2_1_with_0004),
		T(test_open_hold_time_1_and_2_are_2_6),
		T(test_open_bgp_id_zero_is_2_3),
		T(test_open_unknown_optional_parameter_is_2_4),
		T(test_open_capability_running_past_parameter_is_2_0),
		T(test_open_optional_length_past_message_is_2_0),
		T(test_keepalive_build_exact_bytes),
		T(test_notify_build_parse_round_trip),
		T(test_notify_parse_cuts_long_data_and_rejects_short),
		T(test_notify_str_names_code_and_subcode),
		T(test_shutdown_communication_exact_notification),
		T(test_shutdown_communication_limits),
		T(test_shutdown_communication_parse),
		T(test_refresh_build_parse_round_trip),
		T(test_refresh_bad_length_is_7_1_with_message),
		T(test_refresh_unknown_family_is_enoent),
		T(test_update_parse_ipv4_known_good),
		T(test_update_parse_ipv4_withdrawn_only),
		T(test_update_parse_ipv6_mp_reach_known_good),
		T(test_update_parse_zeroes_host_bits),
		T(test_update_round_trip_origin_aspath_nexthop),
		T(test_update_round_trip_aspath_sets_and_sequences),
		T(test_update_round_trip_2octet_aspath),
		T(test_update_round_trip_med_localpref_atomic_aggregator),
		T(test_update_round_trip_communities),
		T(test_update_round_trip_mp_reach_v6_link_local),
		T(test_update_round_trip_mp_unreach_v6),
		T(test_update_round_trip_ipv4_withdraw),
		T(test_update_build_zeroes_host_bits),
		T(test_eor_ipv4_round_trip),
		T(test_eor_ipv6_round_trip),
		T(test_update_build_enospc_when_prefixes_do_not_fit),
		T(test_update_build_2octet_peer_writes_as_trans_and_as4_path),
		T(test_update_build_2octet_peer_aggregator_as_trans),
		T(test_as4_merge_keeps_leading_2octet_asns),
		T(test_as4_merge_ignored_when_as4_path_is_longer),
		T(test_as4_merge_ignored_when_aggregator_is_not_as_trans),
		T(test_as4_aggregator_replaces_as_trans_aggregator),
		T(test_as4_path_malformed_is_discarded),
		T(test_as4_path_on_4octet_session_is_discarded),
		T(test_rfc7606_origin_bad_value_is_treat_as_withdraw),
		T(test_rfc7606_origin_bad_length_is_treat_as_withdraw),
		T(test_rfc7606_aspath_zero_length_segment_is_treat_as_withdraw),
		T(test_rfc7606_aspath_segment_overrun_is_treat_as_withdraw),
		T(test_rfc7606_aspath_one_octet_left_is_treat_as_withdraw),
		T(test_rfc7606_aspath_unknown_segment_type_is_treat_as_withdraw),
		T(test_rfc7606_nexthop_bad_length_is_treat_as_withdraw),
		T(test_rfc7606_nexthop_not_a_host_address_is_treat_as_withdraw),
		T(test_rfc7606_missing_nexthop_with_ipv4_nlri_is_treat_as_withdraw),
		T(test_rfc7606_missing_origin_is_treat_as_withdraw),
		T(test_rfc7606_missing_aspath_is_treat_as_withdraw),
		T(test_rfc7606_no_attributes_with_nlri_is_treat_as_withdraw),
		T(test_rfc7606_med_bad_length_is_treat_as_withdraw),
		T(test_rfc7606_local_pref_bad_length_from_ebgp_is_discarded),
		T(test_rfc7606_local_pref_flags_error_from_ebgp_is_discarded),
		T(test_rfc7606_communities_not_multiple_of_4_is_treat_as_withdraw),
		T(test_rfc7606_atomic_aggregate_bad_length_is_discarded),
		T(test_rfc7606_aggregator_bad_length_is_discarded),
		T(test_rfc7606_as4_aggregator_bad_length_is_discarded),
		T(test_rfc7606_repeated_attribute_later_copy_is_discarded),
		T(test_rfc7606_repeated_mp_reach_resets_3_1),
		T(test_rfc7606_mp_reach_bad_nexthop_length_resets_3_9),
		T(test_rfc7606_mp_reach_prefix_over_128_resets_3_9),
		T(test_rfc7606_mp_unreach_prefix_overrun_resets_3_9),
		T(test_rfc7606_mp_unreach_flags_error_resets_3_4),
		T(test_rfc7606_origin_flags_error_is_treat_as_withdraw),
		T(test_rfc7606_med_flags_error_is_treat_as_withdraw),
		T(test_rfc7606_attribute_past_list_with_nlri_is_treat_as_withdraw),
		T(test_rfc7606_attribute_past_list_without_nlri_resets_3_1),
		T(test_update_unrecognized_well_known_resets_3_2),
		T(test_update_unknown_optional_attribute_is_ignored),
		T(test_update_lengths_past_message_reset_3_1),
		T(test_update_nlri_prefix_over_32_resets_3_10),
		T(test_update_nlri_prefix_overrun_resets_3_10),
		T(test_update_withdrawn_prefix_over_32_resets_3_10),
		T(test_update_mp_reach_of_disabled_family_is_ignored),
		T(test_aspath_hops_counts_set_as_one_and_confed_as_zero),
		T(test_aspath_contains_looks_in_every_segment),
		T(test_aspath_first_skips_confed_and_needs_a_sequence),
		T(test_aspath_str_formats_every_segment_type),
		T(test_aspath_prepend_merges_into_leading_sequence),
		T(test_aspath_prepend_before_set_opens_a_sequence),
		T(test_aspath_prepend_splits_at_255),
		T(test_aspath_prepend_enospc),
		T(test_rfc7607_as0_in_aspath_is_treat_as_withdraw),
		T(test_rfc7607_as0_in_aggregator_is_discarded),
		T(test_rfc7607_as0_in_as4_path_and_as4_aggregator_is_discarded),
		T(test_open_peer_as_0_is_2_2),
		T(test_rfc4271_partial_bit_on_well_known_is_treat_as_withdraw),
		T(test_rfc4271_partial_bit_on_optional_non_transitive),
		T(test_update_ipv4_nlri_and_mp_reach_v6_keep_next_hops_apart),
		T(test_update_family_not_negotiated_is_left_out),
		T(test_rfc7606_ipv4_nlri_with_mp_reach_but_no_nexthop_is_treat_as_withdraw),
		T(test_rfc7606_mp_reach_v6_nexthop_not_a_host_address_is_treat_as_withdraw),
		T(test_open_rfc9072_extended_parameters_parsed),
		T(test_open_rfc9072_malformed_is_2_0_unknown_parameter_2_4),
		T(test_open_build_all_capabilities_fit_255),
		T(test_aspath_str_max_holds_the_longest_path),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
