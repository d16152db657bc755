/* The deployment file loader: libconfig parse, then every value checked
 * before anything starts. Each error becomes one "FILE:LINE: message"
 * line, where LINE points at the offending setting. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libconfig.h>

#include "config.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct loader {
	struct twp_config *cfg;
	const char *path;
	const char *text; /* the file, to recover integers libconfig truncates */
	char *err;
	size_t errlen;
};

static int fail_at(struct loader *ld, const config_setting_t *s,
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail_at(struct loader *ld, const config_setting_t *s,
		   const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	int line = s ? config_setting_source_line(s) : 0;
	char raw[512], msg[4 * sizeof(raw)];
	size_t i, n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* One line whatever a quoted value holds (a libconfig string may
	 * span lines): control characters as \xNN (found by fuzz_config). */
	for (i = 0; raw[i] != '\0'; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(msg + n, sizeof(msg) - n,
					      "\\x%02x", c);
		else
			msg[n++] = (char)c;
	}
	msg[n] = '\0';
	/* The root group has no line; the file's first line is the best
	 * place to point at for a setting missing at top level. */
	snprintf(ld->err, ld->errlen, "%s:%d: %s", file ? file : ld->path,
		 line > 0 ? line : 1, msg);
	return -EINVAL;
}

/* ---- addresses ---- */

static unsigned int addr_bits(const struct cfg_addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

const char *cfg_host_str(const struct cfg_addr *a, char *buf, size_t len)
{
	struct cfg_addr h = *a;

	h.len = (uint8_t)addr_bits(a);
	return cfg_addr_str(&h, buf, len);
}

const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, len, "-");
		return buf;
	}
	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	if (a->len == addr_bits(a))
		snprintf(buf, len, "%s", ip);
	else
		snprintf(buf, len, "%s/%u", ip, a->len);
	return buf;
}

bool cfg_if_link_local(const char *ifname, struct cfg_addr *out)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i != NULL && !found; i = i->ifa_next) {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)i->ifa_addr;

		if (s6 == NULL || s6->sin6_family != AF_INET6 ||
		    strcmp(i->ifa_name, ifname) != 0 ||
		    !IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			continue;
		memset(out, 0, sizeof(*out));
		out->family = AF_INET6;
		out->len = 128;
		memcpy(out->addr, &s6->sin6_addr, 16);
		found = true;
	}
	freeifaddrs(ifa);
	return found;
}

int cfg_parse_prefix(const char *text, struct cfg_addr *out)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long len;
	char *end;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, text, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, ip, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	out->len = (uint8_t)addr_bits(out);
	if (slash == NULL)
		return 0;
	if (!isdigit((unsigned char)slash[1]))
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno != 0 || *end != '\0' || len > addr_bits(out))
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

/* "addr" (WITH_LEN false) or "addr/len" (WITH_LEN true). */
static bool addr_parse(const char *s, bool with_len, struct cfg_addr *a)
{
	if ((strchr(s, '/') != NULL) != with_len) {
		memset(a, 0, sizeof(*a));
		return false;
	}
	return cfg_parse_prefix(s, a) == 0;
}

/* Clears the bits of A beyond LEN into NET. */
static void addr_network(const struct cfg_addr *a, unsigned int len,
			 struct cfg_addr *net)
{
	unsigned int i;

	*net = *a;
	net->len = (uint8_t)len;
	for (i = 0; i < 16; i++) {
		if (i * 8 >= len)
			net->addr[i] = 0;
		else if (i * 8 + 8 > len)
			net->addr[i] &= (uint8_t)(0xff << (8 - (len - i * 8)));
	}
}

/* Is address X inside the subnet of NET (NET->len bits)? */
static bool addr_in_subnet(const struct cfg_addr *x, const struct cfg_addr *net)
{
	struct cfg_addr a, b;

	if (x->family != net->family)
		return false;
	addr_network(x, net->len, &a);
	addr_network(net, net->len, &b);
	return memcmp(a.addr, b.addr, 16) == 0;
}

static bool subnets_overlap(const struct cfg_addr *x, const struct cfg_addr *y)
{
	/* Two prefixes overlap iff the shorter one contains the other. */
	return x->len <= y->len ? addr_in_subnet(y, x) : addr_in_subnet(x, y);
}

static const char *subnet_str(const struct cfg_addr *a, char *buf, size_t len)
{
	struct cfg_addr net;
	char ip[INET6_ADDRSTRLEN];

	addr_network(a, a->len, &net);
	inet_ntop(net.family, net.addr, ip, sizeof(ip));
	snprintf(buf, len, "%s/%u", ip, net.len);
	return buf;
}

/* ---- typed getters ---- */

static int check_keys(struct loader *ld, const config_setting_t *group,
		      const char *const *allowed)
{
	int i, j, n = config_setting_length(group);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, i);
		const char *name = config_setting_name(s);
		bool known = false;

		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(name, allowed[j]) == 0)
				known = true;
		if (!known)
			return fail_at(ld, s, "unknown setting '%s'", name);
	}
	return 0;
}

static config_setting_t *member(const config_setting_t *group,
				const char *name)
{
	/* NULL for an absent group, so lookups chain (bgp, then import) */
	return group ? config_setting_get_member(group, name) : NULL;
}

static int missing(struct loader *ld, const config_setting_t *group,
		   const char *what, const char *name)
{
	return fail_at(ld, group, "%s%smissing required setting '%s'",
		       what ? what : "", what ? ": " : "", name);
}

/* libconfig 1.5 stores an integer literal above INT_MAX without the L
 * suffix as a truncated 32-bit int. Read the literal back from the file
 * line when the truncated value matches it, so 4200000000 means that. */
static long long int_value(struct loader *ld, const config_setting_t *s)
{
	long long v = config_setting_get_int64(s);
	const char *name = config_setting_name(s);
	const char *p = ld->text;
	int line = config_setting_source_line(s);
	size_t nlen;

	if (config_setting_type(s) != CONFIG_TYPE_INT || name == NULL ||
	    p == NULL || config_setting_source_file(s) != NULL)
		return v;
	while (p != NULL && --line > 0) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return v;
	nlen = strlen(name);
	for (; *p != '\0' && *p != '\n'; p++) {
		long long lit;
		const char *q;
		char *end;

		if (strncmp(p, name, nlen) != 0 ||
		    (p > ld->text && (isalnum((unsigned char)p[-1]) ||
				      p[-1] == '_')))
			continue;
		q = p + nlen;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' && *q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		errno = 0;
		lit = strtoll(q, &end, 0);
		if (errno == 0 && end != q && (int)lit == (int)v)
			return lit;
	}
	return v;
}

/* Integer setting NAME of GROUP in LO..HI; absent -> DEF, or an error when
 * REQUIRED. WHAT prefixes messages ("link 'x'"). */
static int get_int(struct loader *ld, const config_setting_t *group,
		   const char *what, const char *name, bool required,
		   long long def, long long lo, long long hi, long long *out)
{
	config_setting_t *s = member(group, name);
	long long v;

	if (s == NULL) {
		if (required)
			return missing(ld, group, what, name);
		*out = def;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return fail_at(ld, s, "'%s' must be an integer", name);
	v = int_value(ld, s);
	if (v < lo || v > hi)
		return fail_at(ld, s, "%s %lld out of range %lld..%lld", name,
			       v, lo, hi);
	*out = v;
	return 0;
}

/* String setting NAME; absent -> *OUT = DEF (NULL allowed) or an error. */
static int get_str(struct loader *ld, const config_setting_t *group,
		   const char *what, const char *name, bool required,
		   const char *def, const char **out,
		   const config_setting_t **where)
{
	config_setting_t *s = member(group, name);

	*where = s ? s : group;
	if (s == NULL) {
		if (required)
			return missing(ld, group, what, name);
		*out = def;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_at(ld, s, "'%s' must be a string", name);
	*out = config_setting_get_string(s);
	return 0;
}

static int get_group(struct loader *ld, const config_setting_t *parent,
		     const char *name, bool required, config_setting_t **out)
{
	config_setting_t *s = member(parent, name);

	*out = s;
	if (s == NULL)
		return required ? missing(ld, parent, NULL, name) : 0;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail_at(ld, s, "'%s' must be a group { ... }", name);
	return 0;
}

static int get_bool(struct loader *ld, const config_setting_t *group,
		    const char *name, bool def, bool *out)
{
	config_setting_t *s = member(group, name);

	if (s == NULL) {
		*out = def;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail_at(ld, s, "'%s' must be true or false", name);
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* Optional "device": a DPDK device string used instead of net_af_xdp. */
static int get_device(struct loader *ld, const config_setting_t *group,
		      const char *what, char *out)
{
	const config_setting_t *where;
	const char *s = NULL;
	int rc = get_str(ld, group, what, "device", false, NULL, &s, &where);

	if (rc < 0 || s == NULL)
		return rc;
	if (s[0] == '\0' || strlen(s) >= CFG_DEVICE_MAX || strchr(s, ' '))
		return fail_at(ld, where, "device '%s' must be 1..%u "
			       "characters without spaces (like \"net_ring0\" "
			       "or \"0000:01:00.0\")", s, CFG_DEVICE_MAX - 1);
	snprintf(out, CFG_DEVICE_MAX, "%s", s);
	return 0;
}

static bool name_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    strchr(extra, *s) == NULL)
			return false;
	return true;
}

static int get_addr(struct loader *ld, const config_setting_t *group,
		    const char *what, const char *name, bool with_len,
		    struct cfg_addr *a, const config_setting_t **where)
{
	const char *s = NULL;
	int rc = get_str(ld, group, what, name, true, NULL, &s, where);

	if (rc < 0)
		return rc;
	if (!addr_parse(s, with_len, a))
		return fail_at(ld, *where,
			       with_len ? "%s '%s' is not an address/length "
					  "(like 192.0.2.1/24 or 2001:db8::1/64)"
					: "%s '%s' is not an IPv4 or IPv6 address",
			       name, s);
	return 0;
}

static int get_ifname(struct loader *ld, const config_setting_t *group,
		      const char *what, char *out)
{
	const config_setting_t *where;
	const char *s = NULL;
	int rc = get_str(ld, group, what, "interface", true, NULL, &s, &where);

	if (rc < 0)
		return rc;
	if (s[0] == '\0' || strlen(s) >= IFNAMSIZ || strchr(s, '/') ||
	    strchr(s, ' '))
		return fail_at(ld, where,
			       "interface '%s' is not an interface name "
			       "(1..%d characters, no '/' or space)",
			       s, IFNAMSIZ - 1);
	snprintf(out, IFNAMSIZ, "%s", s);
	return 0;
}

/* Array of strings NAME of GROUP, at most MAX elements (NOUN in the
 * message), EXAMPLE shown when the type is wrong. *OUT is NULL when absent;
 * an empty list "()" counts as an empty array. */
static int get_str_array(struct loader *ld, const config_setting_t *group,
			 const char *name, unsigned int max, const char *noun,
			 const char *example, config_setting_t **out)
{
	config_setting_t *s = member(group, name);
	int i, n;

	*out = s;
	if (s == NULL)
		return 0;
	n = config_setting_length(s);
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    !(config_setting_type(s) == CONFIG_TYPE_LIST && n == 0))
		return fail_at(ld, s, "'%s' must be an array of strings %s",
			       name, example);
	if ((unsigned int)n > max)
		return fail_at(ld, s, "%s: too many %s %d (at most %u)", name,
			       noun, n, max);
	for (i = 0; i < n; i++)
		if (config_setting_type(config_setting_get_elem(s, i)) !=
		    CONFIG_TYPE_STRING)
			return fail_at(ld, config_setting_get_elem(s, i),
				       "'%s' must be an array of strings %s",
				       name, example);
	return 0;
}

/* S as a network prefix "addr/len" for setting NAME at WHERE: the bits
 * beyond len must be zero, so the prefix means what it says. WHAT
 * prefixes the host-bits message ("announce"), or NULL. */
static int prefix_parse_at(struct loader *ld, const config_setting_t *where,
			   const char *what, const char *name, const char *s,
			   struct cfg_addr *p)
{
	struct cfg_addr net;
	char a[64], b[64];

	if (!addr_parse(s, true, p))
		return fail_at(ld, where, "%s '%s' is not an address/length "
			       "(like 192.0.2.1/24 or 2001:db8::1/64)",
			       name, s);
	addr_network(p, p->len, &net);
	if (memcmp(net.addr, p->addr, 16) != 0)
		return fail_at(ld, where, "%s%sprefix %s has host bits set "
			       "(did you mean %s?)", what ? what : "",
			       what ? ": " : "", cfg_addr_str(p, a, sizeof(a)),
			       cfg_addr_str(&net, b, sizeof(b)));
	return 0;
}

/* What keeps the IPv6 address A from being a port's own address, seen
 * from afar (RFC 4291 §2.4): NULL when nothing does. */
static const char *addr6_not_global(const struct cfg_addr *a)
{
	static const uint8_t zero[15];

	if (memcmp(a->addr, zero, sizeof(zero)) == 0 && a->addr[15] <= 1)
		return a->addr[15] == 0 ? "the unspecified address"
					: "the loopback address";
	if (a->addr[0] == 0xff)
		return "a multicast address";
	if (a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
		return "a link-local address";
	return NULL;
}

/* Optional NAME ("address6", "local_address6") of GROUP, into A (family
 * 0 when absent): the port's IPv6 address and subnet, "addr/len", beside
 * its address OWN, which must then be IPv4. A host address: global or
 * unique-local unicast, not its subnet's Subnet-Router anycast address
 * (RFC 4291 §2.6.1; on a /127 both are hosts, RFC 6164). */
static int get_addr6(struct loader *ld, const config_setting_t *group,
		     const char *what, const char *name,
		     const struct cfg_addr *own, struct cfg_addr *a,
		     const config_setting_t **where)
{
	const char *s = NULL, *bad;
	struct cfg_addr net;
	char buf[64], ob[64];
	int rc = get_str(ld, group, what, name, false, NULL, &s, where);

	memset(a, 0, sizeof(*a));
	if (rc < 0 || s == NULL)
		return rc;
	if (!addr_parse(s, true, a) || a->family != AF_INET6)
		return fail_at(ld, *where, "%s: %s '%s' is not an IPv6 "
			       "address/length (like 2001:db8:1::1/64)", what,
			       name, s);
	cfg_addr_str(a, buf, sizeof(buf));
	if (own->family == AF_INET6)
		return fail_at(ld, *where, "%s: %s is for a port whose address "
			       "is IPv4, and %s is IPv6", what, name,
			       cfg_addr_str(own, ob, sizeof(ob)));
	if ((bad = addr6_not_global(a)) != NULL)
		return fail_at(ld, *where, "%s: %s %s is %s, not a global or "
			       "unique-local unicast address", what, name, buf,
			       bad);
	addr_network(a, a->len, &net);
	if (a->len < 127 && memcmp(net.addr, a->addr, 16) == 0)
		return fail_at(ld, *where, "%s: %s %s is the subnet's "
			       "Subnet-Router anycast address (RFC 4291 "
			       "§2.6.1), not a host address", what, name, buf);
	return 0;
}

/* Non-overlapping address plans, as the provider's guide demands: the
 * subnet of A (the setting at WHERE, of WHAT) against the LAN's and
 * links 0..IDX-1's subnets, either key and either family (subnets of two
 * families never overlap). */
static int subnet_unique(struct loader *ld, const config_setting_t *where,
			 const char *what, const struct cfg_addr *a,
			 unsigned int idx)
{
	const struct twp_config *cfg = ld->cfg;
	const struct cfg_addr *lan[] = {&cfg->lan.address, &cfg->lan.address6};
	char x[64], y[64];
	unsigned int i, k;

	if (a->family == 0) /* an unset address6 */
		return 0;
	for (k = 0; k < ARRAY_LEN(lan); k++)
		if (lan[k]->family != 0 && subnets_overlap(a, lan[k]))
			return fail_at(ld, where, "%s: subnet %s overlaps the "
				       "lan subnet %s", what,
				       subnet_str(a, x, sizeof(x)),
				       subnet_str(lan[k], y, sizeof(y)));
	for (i = 0; i < idx; i++) {
		const struct cfg_link *o = &cfg->links[i];
		const struct cfg_addr *other[] = {&o->local_address,
						  &o->local_address6};

		for (k = 0; k < ARRAY_LEN(other); k++)
			if (other[k]->family != 0 &&
			    subnets_overlap(a, other[k]))
				return fail_at(ld, where, "%s: subnet %s "
					       "overlaps link '%s' subnet %s",
					       what, subnet_str(a, x, sizeof(x)),
					       o->name,
					       subnet_str(other[k], y,
							  sizeof(y)));
	}
	return 0;
}

/* RFC 4271 §4.2: a Hold Time of 1 or 2 seconds must be refused. */
static int get_hold_time(struct loader *ld, const config_setting_t *group,
			 long long def, uint16_t *out)
{
	long long v;
	int rc;

	if ((rc = get_int(ld, group, NULL, "hold_time", false, def, 0, 65535,
			  &v)) < 0)
		return rc;
	if (v == 1 || v == 2)
		return fail_at(ld, member(group, "hold_time"),
			       "hold_time: %lld is not allowed (0 or 3..65535, "
			       "RFC 4271 §4.2)", v);
	*out = (uint16_t)v;
	return 0;
}

/* ---- sections ---- */

static int load_top(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {
		"instance", "local_as", "router_id", "mode", "dataplane",
		"control", "lan", "bgp", "links", "static_routes", "monitor",
		NULL,
	};
	struct twp_config *cfg = ld->cfg;
	const config_setting_t *where;
	struct cfg_addr rid;
	const char *s;
	long long v;
	int rc;

	if ((rc = check_keys(ld, root, keys)) < 0)
		return rc;
	if ((rc = get_str(ld, root, NULL, "instance", false, "twinpath", &s,
			  &where)) < 0)
		return rc;
	if (!name_ok(s, CFG_NAME_MAX - 1, "-"))
		return fail_at(ld, where,
			       "instance '%s' must be 1..%u characters of "
			       "a-z, 0-9 and '-'", s, CFG_NAME_MAX - 1);
	snprintf(cfg->instance, sizeof(cfg->instance), "%s", s);

	if ((rc = get_int(ld, root, NULL, "local_as", true, 0, 1, UINT32_MAX,
			  &v)) < 0)
		return rc;
	cfg->local_as = (uint32_t)v;

	if ((rc = get_str(ld, root, NULL, "router_id", true, NULL, &s,
			  &where)) < 0)
		return rc;
	if (!addr_parse(s, false, &rid) || rid.family != AF_INET)
		return fail_at(ld, where,
			       "router_id '%s' is not an IPv4 address", s);
	/* RFC 6286 §2.1: the BGP Identifier is a nonzero 4-octet value; a
	 * peer answers an OPEN with 0.0.0.0 with NOTIFICATION 2/3 */
	if (memcmp(rid.addr, (const uint8_t[4]){0}, 4) == 0)
		return fail_at(ld, where, "router_id 0.0.0.0 is not a BGP "
			       "Identifier (nonzero, RFC 6286 §2.1)");
	memcpy(cfg->router_id, rid.addr, 4);

	if ((rc = get_str(ld, root, NULL, "mode", false, "active-active", &s,
			  &where)) < 0)
		return rc;
	if (strcmp(s, "active-active") == 0)
		cfg->mode = CFG_MODE_ACTIVE_ACTIVE;
	else if (strcmp(s, "active-standby") == 0)
		cfg->mode = CFG_MODE_ACTIVE_STANDBY;
	else
		return fail_at(ld, where,
			       "mode '%s' must be \"active-active\" or "
			       "\"active-standby\"", s);
	return 0;
}

static int load_dataplane(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {"eal_args", "xdp_prog", "mbufs",
					   "ipv4_routes_max",
					   "ipv6_routes_max", "icmp_errors_per_s",
					   "icmp_burst", "ip_options", "idle_sleep_us",
					   "rt_priority", NULL};
	struct twp_config *cfg = ld->cfg;
	const config_setting_t *where;
	config_setting_t *dp, *args;
	const char *s;
	long long v;
	int rc, i, n;

	if ((rc = get_group(ld, root, "dataplane", false, &dp)) < 0)
		return rc;
	if (dp != NULL && (rc = check_keys(ld, dp, keys)) < 0)
		return rc;

	args = NULL;
	if (dp != NULL && (rc = get_str_array(ld, dp, "eal_args",
					      CFG_MAX_EAL_ARGS, "arguments",
					      "[\"-l\", \"0-1\"]", &args)) < 0)
		return rc;
	if (args == NULL) {
		snprintf(cfg->dataplane.eal_args[0], CFG_ARG_MAX, "-l");
		snprintf(cfg->dataplane.eal_args[1], CFG_ARG_MAX, "0-1");
		cfg->dataplane.n_eal_args = 2;
	} else {
		n = config_setting_length(args);
		for (i = 0; i < n; i++) {
			config_setting_t *e = config_setting_get_elem(args, i);

			s = config_setting_get_string(e);
			if (strlen(s) >= CFG_ARG_MAX)
				return fail_at(ld, e, "eal_args: argument "
					       "longer than %u characters",
					       CFG_ARG_MAX - 1);
			snprintf(cfg->dataplane.eal_args[i], CFG_ARG_MAX, "%s",
				 s);
		}
		cfg->dataplane.n_eal_args = (unsigned int)n;
	}

	s = NULL;
	if (dp != NULL && (rc = get_str(ld, dp, NULL, "xdp_prog", false, NULL,
					&s, &where)) < 0)
		return rc;
	if (s == NULL) {
		snprintf(cfg->dataplane.xdp_prog, sizeof(cfg->dataplane.xdp_prog),
			 "%s", TWP_XDP_PROG_DEFAULT);
	} else if (s[0] == '\0') {
		return fail_at(ld, where, "xdp_prog must not be empty");
	} else if (s[0] == '/') {
		if (strlen(s) >= sizeof(cfg->dataplane.xdp_prog))
			return fail_at(ld, where, "xdp_prog path too long");
		snprintf(cfg->dataplane.xdp_prog, sizeof(cfg->dataplane.xdp_prog),
			 "%s", s);
	} else {
		/* Relative to the config file, so a deployment directory
		 * can be moved as a whole. */
		char dir[PATH_MAX], abs[PATH_MAX];
		int len;

		snprintf(dir, sizeof(dir), "%s", ld->path);
		if (realpath(dirname(dir), abs) == NULL)
			snprintf(abs, sizeof(abs), "%s", dirname(dir));
		len = snprintf(cfg->dataplane.xdp_prog,
			       sizeof(cfg->dataplane.xdp_prog), "%s/%s", abs, s);
		if (len < 0 || (size_t)len >= sizeof(cfg->dataplane.xdp_prog))
			return fail_at(ld, where, "xdp_prog path too long");
	}

	v = 16383;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "mbufs", false, 16383,
					1023, 1048575, &v)) < 0)
		return rc;
	cfg->dataplane.mbufs = (uint32_t)v;
	v = 1u << 20;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "ipv4_routes_max", false,
					1u << 20, 1024, 1u << 24, &v)) < 0)
		return rc;
	cfg->dataplane.ipv4_routes_max = (uint32_t)v;
	v = 1u << 18;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "ipv6_routes_max", false,
					1u << 18, 1024, 1u << 22, &v)) < 0)
		return rc;
	cfg->dataplane.ipv6_routes_max = (uint32_t)v;
	v = 100;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "icmp_errors_per_s",
					false, 100, 0, 1000000, &v)) < 0)
		return rc;
	cfg->dataplane.icmp_errors_per_s = (uint32_t)v;
	v = 10;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "icmp_burst", false, 10,
					1, 100000, &v)) < 0)
		return rc;
	cfg->dataplane.icmp_burst = (uint32_t)v;
	s = NULL;
	if (dp != NULL && (rc = get_str(ld, dp, NULL, "ip_options", false,
					NULL, &s, &where)) < 0)
		return rc;
	if (s == NULL || strcmp(s, "forward") == 0)
		cfg->dataplane.ip_options = CFG_IP_OPTIONS_FORWARD;
	else if (strcmp(s, "drop") == 0)
		cfg->dataplane.ip_options = CFG_IP_OPTIONS_DROP;
	else
		return fail_at(ld, where, "ip_options '%s' must be \"forward\" "
			       "or \"drop\"", s);
	v = 100;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "idle_sleep_us", false,
					100, 0, 1000, &v)) < 0)
		return rc;
	cfg->dataplane.idle_sleep_us = (uint32_t)v;
	v = 1;
	if (dp != NULL && (rc = get_int(ld, dp, NULL, "rt_priority", false, 1,
					0, 99, &v)) < 0)
		return rc;
	cfg->dataplane.rt_priority = (uint32_t)v;
	return 0;
}

/* "A.B.C.D:PORT" or "[V6]:PORT" (RFC 3986 §3.2.2 brackets), port
 * 1..65535, into ADDR and PORT. */
static bool listen_parse(const char *s, struct cfg_addr *addr,
			 uint16_t *port)
{
	char host[64];
	const char *colon;
	size_t n;
	unsigned long v;
	char *end;

	if (s[0] == '[') {
		colon = strstr(s, "]:");
		if (colon == NULL)
			return false;
		n = (size_t)(colon - s - 1);
		colon++;
		if (n == 0 || n >= sizeof(host))
			return false;
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (!addr_parse(host, false, addr) || addr->family != AF_INET6)
			return false;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return false;
		n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(host))
			return false;
		memcpy(host, s, n);
		host[n] = '\0';
		if (!addr_parse(host, false, addr) || addr->family != AF_INET)
			return false;
	}
	if (!isdigit((unsigned char)colon[1]))
		return false;
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static int load_control(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {"socket", "metrics_listen",
					   "fib_check_interval_s", NULL};
	struct twp_config *cfg = ld->cfg;
	const config_setting_t *where = root;
	config_setting_t *ctl;
	const char *s = NULL;
	long long v;
	int rc;

	if ((rc = get_group(ld, root, "control", false, &ctl)) < 0)
		return rc;
	if (ctl != NULL && ((rc = check_keys(ld, ctl, keys)) < 0 ||
			    (rc = get_str(ld, ctl, NULL, "socket", false, NULL,
					  &s, &where)) < 0))
		return rc;
	if (s == NULL) {
		snprintf(cfg->control.socket, sizeof(cfg->control.socket),
			 "/run/twinpath/%s.sock", cfg->instance);
	} else {
		if (s[0] == '\0' || strlen(s) >= sizeof(cfg->control.socket))
			return fail_at(ld, where, "socket path must be 1..%zu "
				       "characters",
				       sizeof(cfg->control.socket) - 1);
		snprintf(cfg->control.socket, sizeof(cfg->control.socket),
			 "%s", s);
	}
	s = "127.0.0.1:9342";
	if (ctl != NULL && (rc = get_str(ld, ctl, NULL, "metrics_listen", false,
					 s, &s, &where)) < 0)
		return rc;
	memset(&cfg->control.metrics_addr, 0,
	       sizeof(cfg->control.metrics_addr));
	cfg->control.metrics_port = 0;
	if (s[0] != '\0' &&
	    (strlen(s) >= sizeof(cfg->control.metrics_listen) ||
	     !listen_parse(s, &cfg->control.metrics_addr,
			   &cfg->control.metrics_port)))
		return fail_at(ld, where, "metrics_listen '%s' must be "
			       "\"ADDR:PORT\" (like \"127.0.0.1:9342\" or "
			       "\"[::1]:9342\", port 1..65535), or \"\" to "
			       "disable it", s);
	snprintf(cfg->control.metrics_listen,
		 sizeof(cfg->control.metrics_listen), "%s", s);
	v = 5;
	if (ctl != NULL && (rc = get_int(ld, ctl, NULL, "fib_check_interval_s",
					 false, 5, 0, 3600, &v)) < 0)
		return rc;
	cfg->control.fib_check_interval_s = (uint32_t)v;
	return 0;
}

/* Number setting NAME of GROUP (an integer or a float) in LO..HI;
 * absent -> DEF. */
static int get_number(struct loader *ld, const config_setting_t *group,
		      const char *name, double def, double lo, double hi,
		      double *out)
{
	config_setting_t *s = member(group, name);
	double v;

	if (s == NULL) {
		*out = def;
		return 0;
	}
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT ||
		 config_setting_type(s) == CONFIG_TYPE_INT64)
		v = (double)int_value(ld, s);
	else
		return fail_at(ld, s, "'%s' must be a number", name);
	if (!(v >= lo && v <= hi))
		return fail_at(ld, s, "%s %g out of range %g..%g", name, v, lo,
			       hi);
	*out = v;
	return 0;
}

/* monitor { }: thresholds and interval of twinpathd's link monitor. */
static int load_monitor(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {
		"utilisation_warn", "imbalance_warn", "imbalance_min_mbps",
		"interval_s", NULL,
	};
	struct cfg_monitor *m = &ld->cfg->monitor;
	config_setting_t *g;
	double interval_s;
	long long v;
	int rc;

	if ((rc = get_group(ld, root, "monitor", false, &g)) < 0 ||
	    (g != NULL && (rc = check_keys(ld, g, keys)) < 0) ||
	    (rc = get_number(ld, g, "utilisation_warn", 0.8, 0.01, 1,
			     &m->utilisation_warn)) < 0 ||
	    (rc = get_number(ld, g, "imbalance_warn", 0.2, 0.01, 1,
			     &m->imbalance_warn)) < 0 ||
	    (rc = get_int(ld, g, "monitor", "imbalance_min_mbps", false, 1, 0,
			  100000000, &v)) < 0 ||
	    (rc = get_number(ld, g, "interval_s", 1, 0.1, 60,
			     &interval_s)) < 0)
		return rc;
	m->imbalance_min_mbps = (uint32_t)v;
	/* whole milliseconds: the monitor's clock */
	m->interval_ms = (uint32_t)(interval_s * 1000 + 0.5);
	return 0;
}

/* "ingress_filter" of GROUP (the lan or a link, WHAT in messages):
 * "strict" (the default), "loose" or "off". */
static int get_ingress(struct loader *ld, const config_setting_t *group,
		       const char *what, enum cfg_ingress *out)
{
	const config_setting_t *where;
	const char *s;
	int rc;

	if ((rc = get_str(ld, group, what, "ingress_filter", false, "strict",
			  &s, &where)) < 0)
		return rc;
	if (strcmp(s, "strict") == 0)
		*out = CFG_INGRESS_STRICT;
	else if (strcmp(s, "loose") == 0)
		*out = CFG_INGRESS_LOOSE;
	else if (strcmp(s, "off") == 0)
		*out = CFG_INGRESS_OFF;
	else
		return fail_at(ld, where, "%s: ingress_filter '%s' must be "
			       "\"strict\", \"loose\" or \"off\"", what, s);
	return 0;
}

static int load_lan(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {"interface", "address", "address6",
					   "device", "ingress_filter", NULL};
	struct twp_config *cfg = ld->cfg;
	const config_setting_t *where;
	config_setting_t *lan;
	int rc;

	if ((rc = get_group(ld, root, "lan", true, &lan)) < 0 ||
	    (rc = check_keys(ld, lan, keys)) < 0 ||
	    (rc = get_ifname(ld, lan, "lan", cfg->lan.interface)) < 0 ||
	    (rc = get_addr(ld, lan, "lan", "address", true, &cfg->lan.address,
			   &where)) < 0 ||
	    (rc = get_addr6(ld, lan, "lan", "address6", &cfg->lan.address,
			    &cfg->lan.address6, &where)) < 0 ||
	    (rc = get_device(ld, lan, "lan", cfg->lan.device)) < 0 ||
	    (rc = get_ingress(ld, lan, "lan", &cfg->lan.ingress_filter)) < 0)
		return rc;
	return 0;
}

/* bfd.dampening = { initial_hold_ms; max_hold_ms; decay_s; }: present
 * means on (RFC 5882 §3.2 leaves the back-off to the implementation). */
static int load_bfd_dampening(struct loader *ld, config_setting_t *bfd,
			      const char *what, struct cfg_bfd *b)
{
	static const char *const keys[] = {"initial_hold_ms", "max_hold_ms",
					   "decay_s", NULL};
	config_setting_t *g;
	long long v;
	int rc;

	if ((rc = get_group(ld, bfd, "dampening", false, &g)) < 0)
		return rc;
	b->damp_initial_hold_ms = 1000;
	b->damp_max_hold_ms = 60000;
	b->damp_decay_s = 60;
	if (g == NULL)
		return 0;
	if ((rc = check_keys(ld, g, keys)) < 0)
		return rc;
	b->dampening = true;
	if ((rc = get_int(ld, g, what, "initial_hold_ms", false, 1000, 1,
			  3600000, &v)) < 0)
		return rc;
	b->damp_initial_hold_ms = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "max_hold_ms", false, 60000, 1,
			  3600000, &v)) < 0)
		return rc;
	if (v < b->damp_initial_hold_ms)
		return fail_at(ld, member(g, "max_hold_ms"), "%s: bfd.dampening:"
			       " max_hold_ms %lld is below initial_hold_ms %u",
			       what, v, b->damp_initial_hold_ms);
	b->damp_max_hold_ms = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "decay_s", false, 60, 1, 86400,
			  &v)) < 0)
		return rc;
	b->damp_decay_s = (uint32_t)v;
	return 0;
}

/* bfd = { min_tx_ms; min_rx_ms; multiplier; admin_down; dampening; }:
 * present means enabled. Intervals are kept in microseconds, the unit of
 * RFC 5880. */
static int load_bfd(struct loader *ld, config_setting_t *link,
		    const char *what, struct cfg_bfd *b)
{
	static const char *const keys[] = {"min_tx_ms", "min_rx_ms",
					   "multiplier", "admin_down",
					   "dampening", NULL};
	config_setting_t *g;
	long long v;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = get_group(ld, link, "bfd", false, &g)) < 0 || g == NULL)
		return rc;
	if ((rc = check_keys(ld, g, keys)) < 0)
		return rc;
	b->enabled = true;
	if ((rc = get_int(ld, g, what, "min_tx_ms", false, 300, 1, 60000,
			  &v)) < 0)
		return rc;
	b->min_tx_us = (uint32_t)v * 1000u;
	if ((rc = get_int(ld, g, what, "min_rx_ms", false, 300, 1, 60000,
			  &v)) < 0)
		return rc;
	b->min_rx_us = (uint32_t)v * 1000u;
	if ((rc = get_int(ld, g, what, "multiplier", false, 3, 1, 255,
			  &v)) < 0)
		return rc;
	b->multiplier = (uint8_t)v;
	if ((rc = get_bool(ld, g, "admin_down", false, &b->admin_down)) < 0)
		return rc;
	return load_bfd_dampening(ld, g, what, b);
}

/* suspect = { min_pps; silence_min_ms; ... }: present means on, and
 * only beside bfd { }, which confirms or clears what it suspects. */
static int load_suspect(struct loader *ld, config_setting_t *link,
			const char *what, const struct cfg_bfd *bfd,
			struct cfg_suspect *s)
{
	static const char *const keys[] = {"min_pps", "silence_min_ms",
					   "silence_mult", "min_flows",
					   "hold_ms", "hold_max_ms", "decay_s",
					   "steer_return", NULL};
	const config_setting_t *where;
	const char *steer;
	const struct {
		const char *key;
		long long min, max;
		uint32_t *field;      /* holds the default before */
	} ints[] = {
		{"min_pps", 1, 10000000, &s->min_pps},
		{"silence_min_ms", 1, 60000, &s->silence_min_ms},
		{"silence_mult", 2, 100, &s->silence_mult},
		{"min_flows", 2, 1000, &s->min_flows},
		{"hold_ms", 1, 3600000, &s->hold_ms},
		{"hold_max_ms", 1, 3600000, &s->hold_max_ms},
		{"decay_s", 1, 86400, &s->decay_s},
	};
	config_setting_t *g;
	long long v;
	unsigned int i;
	int rc;

	memset(s, 0, sizeof(*s));
	cfg_suspect_defaults(s);
	if ((rc = get_group(ld, link, "suspect", false, &g)) < 0 || g == NULL)
		return rc;
	if ((rc = check_keys(ld, g, keys)) < 0)
		return rc;
	if (!bfd->enabled)
		return fail_at(ld, g, "%s: suspect { } needs bfd { } on the "
			       "link: BFD confirms or clears a suspicion",
			       what);
	s->enabled = true;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if ((rc = get_int(ld, g, what, ints[i].key, false,
				  *ints[i].field, ints[i].min, ints[i].max,
				  &v)) < 0)
			return rc;
		*ints[i].field = (uint32_t)v;
	}
	if (s->hold_max_ms < s->hold_ms)
		return fail_at(ld, member(g, "hold_max_ms"), "%s: suspect: "
			       "hold_max_ms %u is below hold_ms %u", what,
			       s->hold_max_ms, s->hold_ms);
	if ((rc = get_str(ld, g, what, "steer_return", false, "off", &steer,
			  &where)) < 0)
		return rc;
	if (strcmp(steer, "off") == 0)
		s->steer_return = CFG_STEER_OFF;
	else if (strcmp(steer, "unprepend") == 0)
		s->steer_return = CFG_STEER_UNPREPEND;
	else if (strcmp(steer, "more-specific") == 0)
		s->steer_return = CFG_STEER_MORE_SPECIFIC;
	else
		return fail_at(ld, where, "%s: suspect: steer_return '%s' must "
			       "be \"off\", \"unprepend\" or "
			       "\"more-specific\"", what, steer);
	return 0;
}

/* "announce" of GROUP (bgp, or a link's bgp with WHAT naming the link):
 * at most CFG_MAX_ANNOUNCE networks, host bits zero, no duplicates. *N
 * stays 0 and *PRESENT false when the setting is absent. */
static int load_announce(struct loader *ld, const config_setting_t *group,
			 const char *what, struct cfg_addr *out,
			 unsigned int *n_out, bool *present)
{
	config_setting_t *ann;
	char a[64], ctx[CFG_NAME_MAX + 32];
	unsigned int j;
	int rc, i, n;

	if ((rc = get_str_array(ld, group, "announce", CFG_MAX_ANNOUNCE,
				"prefixes", "[\"198.18.0.0/16\", ...]",
				&ann)) < 0 || ann == NULL)
		return rc;
	snprintf(ctx, sizeof(ctx), "%s%sannounce", what ? what : "",
		 what ? ": " : "");
	n = config_setting_length(ann);
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(ann, i);
		struct cfg_addr *p = &out[i];

		if ((rc = prefix_parse_at(ld, e, ctx, "announce",
					  config_setting_get_string(e), p)) < 0)
			return rc;
		for (j = 0; j < (unsigned int)i; j++)
			if (out[j].len == p->len &&
			    memcmp(out[j].addr, p->addr, 16) == 0)
				return fail_at(ld, e, "%s: %s listed twice",
					       ctx,
					       cfg_addr_str(p, a, sizeof(a)));
	}
	*n_out = (unsigned int)n;
	if (present)
		*present = true;
	return 0;
}

/* bgp = { hold_time; connect_retry; graceful_restart; restart_time;
 * announce; drain_*; }: present means twinpathd runs one eBGP session per
 * link. Read before the links, whose bgp { } groups need it. */
static int load_bgp(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {"hold_time", "connect_retry",
					   "graceful_restart", "restart_time",
					   "announce", "drain_rx_floor_pps",
					   "drain_quiet", "drain_timeout", NULL};
	struct cfg_bgp *b = &ld->cfg->bgp;
	config_setting_t *g;
	long long v;
	int rc;

	if ((rc = get_group(ld, root, "bgp", false, &g)) < 0 || g == NULL)
		return rc;
	if ((rc = check_keys(ld, g, keys)) < 0)
		return rc;
	b->enabled = true;
	if ((rc = get_hold_time(ld, g, 90, &b->hold_time_s)) < 0)
		return rc;
	if ((rc = get_int(ld, g, NULL, "connect_retry", false, 5, 1, 65535,
			  &v)) < 0)
		return rc;
	b->connect_retry_s = (uint16_t)v;
	if ((rc = get_bool(ld, g, "graceful_restart", true,
			   &b->graceful_restart)) < 0)
		return rc;
	/* RFC 4724 §3: Restart Time is a 12-bit field. */
	if ((rc = get_int(ld, g, NULL, "restart_time", false, 120, 0, 4095,
			  &v)) < 0)
		return rc;
	b->restart_time_s = (uint16_t)v;
	/* link drain (RFC 8326): when the return traffic counts as moved */
	if ((rc = get_int(ld, g, NULL, "drain_rx_floor_pps", false, 10, 0,
			  1000000000, &v)) < 0)
		return rc;
	b->drain_rx_floor_pps = (uint32_t)v;
	if ((rc = get_int(ld, g, NULL, "drain_quiet", false, 5, 1, 3600,
			  &v)) < 0)
		return rc;
	b->drain_quiet_s = (uint16_t)v;
	if ((rc = get_int(ld, g, NULL, "drain_timeout", false, 60, 1, 65535,
			  &v)) < 0)
		return rc;
	b->drain_timeout_s = (uint16_t)v;

	return load_announce(ld, g, NULL, b->announce, &b->n_announce,
			     NULL);
}

/* One import rule "PREFIX/LEN [ge N] [le N]" (either order). As in
 * prefix lists elsewhere, ge alone means "up to the full width" and
 * neither means an exact match; LEN <= ge <= le <= 32/128. */
static int prefix_rule_parse(struct loader *ld, const config_setting_t *e,
			     struct cfg_prefix_rule *r)
{
	const char *s = config_setting_get_string(e);
	char buf[128], *tok, *save = NULL, *end;
	long ge = -1, le = -1, *dst;
	unsigned int bits;
	int rc;

	if (strlen(s) >= sizeof(buf))
		goto syntax;
	snprintf(buf, sizeof(buf), "%s", s);
	tok = strtok_r(buf, " \t", &save);
	if (tok == NULL)
		goto syntax;
	if ((rc = prefix_parse_at(ld, e, "import", "import prefix", tok,
				  &r->prefix)) < 0)
		return rc;
	bits = addr_bits(&r->prefix);
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		if (strcmp(tok, "ge") == 0)
			dst = &ge;
		else if (strcmp(tok, "le") == 0)
			dst = &le;
		else
			goto syntax;
		tok = strtok_r(NULL, " \t", &save);
		if (*dst >= 0 || tok == NULL || !isdigit((unsigned char)*tok))
			goto syntax;
		errno = 0;
		*dst = strtol(tok, &end, 10);
		if (errno != 0 || *end != '\0' || *dst > 255)
			goto syntax;
	}
	if (ge < 0)
		ge = r->prefix.len;
	if (le < 0)
		le = ge > r->prefix.len ? (long)bits : ge;
	if (ge < r->prefix.len || ge > le || le > (long)bits)
		return fail_at(ld, e, "import '%s': need %u <= ge <= le <= %u "
			       "(ge %ld, le %ld)", s, r->prefix.len, bits, ge,
			       le);
	r->ge = (uint8_t)ge;
	r->le = (uint8_t)le;
	return 0;
syntax:
	return fail_at(ld, e, "import '%s' is not a prefix rule \"PREFIX/LEN "
		       "[ge N] [le N]\" (like \"10.0.0.0/8 ge 16 le 24\")", s);
}

/* One community of "communities": RFC 1997 "ASN:VALUE" (two 16-bit
 * decimals, kept as ASN << 16 | VALUE) or RFC 8092 §3 "A:B:C" (three
 * 32-bit decimals). Returns 2 or 3 fields, or -EINVAL. */
static int community_parse(const char *s, uint32_t v[3])
{
	unsigned int n = 0;
	const char *p = s;

	for (;;) {
		unsigned long long x = 0;
		const char *start = p;

		while (isdigit((unsigned char)*p) && p - start < 11)
			x = x * 10 + (unsigned long long)(*p++ - '0');
		if (p == start || x > UINT32_MAX || n == 3)
			return -EINVAL;
		v[n++] = (uint32_t)x;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -EINVAL;
	}
	if (n == 2 && (v[0] > 0xffff || v[1] > 0xffff))
		return -EINVAL;
	return n >= 2 ? (int)n : -EINVAL;
}

/* "communities" of a link's bgp group: what we attach to every prefix we
 * announce on the link (a provider's action communities, e.g. AWS's
 * 7224:7100..7300 local preference). No duplicates. */
static int load_communities(struct loader *ld, const config_setting_t *g,
			    const char *what, struct cfg_link_bgp *b)
{
	config_setting_t *cs;
	unsigned int j;
	int rc, i, n;

	if ((rc = get_str_array(ld, g, "communities", 2 * CFG_MAX_COMMUNITIES,
				"communities", "[\"64500:100\", "
				"\"64500:1:2\", ...]", &cs)) < 0 || cs == NULL)
		return rc;
	n = config_setting_length(cs);
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(cs, i);
		const char *s = config_setting_get_string(e);
		uint32_t v[3];
		bool dup = false;

		rc = community_parse(s, v);
		if (rc < 0)
			return fail_at(ld, e, "%s: community '%s' is neither "
				       "\"ASN:VALUE\" (0..65535 each, RFC 1997) "
				       "nor \"A:B:C\" (0..4294967295 each, RFC "
				       "8092)", what, s);
		if (rc == 2) {
			uint32_t c = v[0] << 16 | v[1];

			for (j = 0; j < b->n_communities; j++)
				dup |= b->communities[j] == c;
			if (!dup && b->n_communities == CFG_MAX_COMMUNITIES)
				return fail_at(ld, e, "%s: more than %u "
					       "communities", what,
					       CFG_MAX_COMMUNITIES);
			if (!dup)
				b->communities[b->n_communities++] = c;
		} else {
			for (j = 0; j < b->n_large_communities; j++)
				dup |= memcmp(b->large_communities[j], v,
					      sizeof(v)) == 0;
			if (!dup && b->n_large_communities ==
					    CFG_MAX_COMMUNITIES)
				return fail_at(ld, e, "%s: more than %u large "
					       "communities", what,
					       CFG_MAX_COMMUNITIES);
			if (!dup)
				memcpy(b->large_communities
					       [b->n_large_communities++],
				       v, sizeof(v));
		}
		if (dup)
			return fail_at(ld, e, "%s: community %s listed twice",
				       what, s);
	}
	return 0;
}

/* links[i].bgp = { ... }: the session on this link. With the top-level
 * bgp group every link has a session, so an absent group still gets the
 * defaults; without it a link bgp group is an error. */
static int load_link_bgp(struct loader *ld, config_setting_t *link,
			 const struct cfg_link *l, const char *what,
			 struct cfg_link_bgp *b)
{
	static const char *const keys[] = {
		"passive", "ttl_security", "password", "hold_time", "import",
		"max_prefix", "max_prefix_restart", "prepend", "med",
		"announce", "communities", "max_memory_mb", NULL,
	};
	const struct cfg_bgp *top = &ld->cfg->bgp;
	const config_setting_t *where;
	config_setting_t *g, *imp;
	const char *s;
	long long v;
	int rc, i, n;

	memset(b, 0, sizeof(*b));
	if ((rc = get_group(ld, link, "bgp", false, &g)) < 0)
		return rc;
	if (!top->enabled) {
		if (g != NULL)
			return fail_at(ld, g, "%s: a bgp group needs the "
				       "top-level bgp = { ... } group", what);
		return 0;
	}
	/* twinpathd speaks eBGP only: one session per provider link. */
	if (l->remote_as == ld->cfg->local_as)
		return fail_at(ld, member(link, "remote_as"), "%s: remote_as "
			       "%u is our local_as (only eBGP is supported)",
			       what, l->remote_as);
	b->hold_time_s = top->hold_time_s;
	b->max_prefix_restart_s = 60;
	b->max_memory_bytes = (uint64_t)CFG_MAX_MEMORY_MB_DEFAULT << 20;
	if (g == NULL)
		return 0;
	if ((rc = check_keys(ld, g, keys)) < 0 ||
	    (rc = get_bool(ld, g, "passive", false, &b->passive)) < 0 ||
	    (rc = get_bool(ld, g, "ttl_security", false,
			   &b->ttl_security)) < 0 ||
	    (rc = get_str(ld, g, what, "password", false, "", &s,
			  &where)) < 0)
		return rc;
	/* The secret is not echoed into logs, only its length. */
	if (strlen(s) > CFG_PASSWORD_MAX)
		return fail_at(ld, where, "%s: password is %zu characters "
			       "(at most %u, TCP_MD5SIG_MAXKEYLEN)", what,
			       strlen(s), CFG_PASSWORD_MAX);
	snprintf(b->password, sizeof(b->password), "%s", s);
	if ((rc = get_hold_time(ld, g, top->hold_time_s, &b->hold_time_s)) < 0)
		return rc;

	if ((rc = get_str_array(ld, g, "import", CFG_MAX_PREFIX_RULES, "rules",
				"[\"198.51.100.0/24 le 32\", ...]", &imp)) < 0)
		return rc;
	n = imp ? config_setting_length(imp) : 0;
	for (i = 0; i < n; i++)
		if ((rc = prefix_rule_parse(ld, config_setting_get_elem(imp, i),
					    &b->import[i])) < 0)
			return rc;
	b->n_import = (unsigned int)n;

	if ((rc = get_int(ld, g, what, "max_prefix", false, 0, 0, UINT32_MAX,
			  &v)) < 0)
		return rc;
	b->max_prefix = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "max_prefix_restart", false, 60, 1,
			  65535, &v)) < 0)
		return rc;
	b->max_prefix_restart_s = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "max_memory_mb", false,
			  CFG_MAX_MEMORY_MB_DEFAULT, 0, 1048576, &v)) < 0)
		return rc;
	b->max_memory_bytes = (uint64_t)v << 20;
	if ((rc = get_int(ld, g, what, "prepend", false, 0, 0, 16, &v)) < 0)
		return rc;
	b->prepend = (uint8_t)v;
	b->has_med = member(g, "med") != NULL;
	if ((rc = get_int(ld, g, what, "med", false, 0, 0, UINT32_MAX,
			  &v)) < 0)
		return rc;
	b->med = (uint32_t)v;
	if ((rc = load_announce(ld, g, what, b->announce, &b->n_announce,
				&b->has_announce)) < 0)
		return rc;
	return load_communities(ld, g, what, b);
}

/* peer_address (KEY) of link L: an address inside the link's subnet of
 * its family (local_address, or local_address6 beside an IPv4 one: the
 * session then runs over IPv6 and carries both families), or an IPv6
 * link-local address (fe80::/10), which means something only on the
 * link's own interface: "fe80::2" or "fe80::2%IF" with IF the link's
 * interface. Not our own address. KEY "peer_address6": the second
 * session's peer beside an IPv4 peer_address, IPv6 only, optional
 * (family 0 when absent). */
static int get_peer(struct loader *ld, const config_setting_t *g,
		    const char *what, struct cfg_link *l, const char *key)
{
	const config_setting_t *where;
	const struct cfg_addr *own;
	const char *s = NULL, *pct;
	char ip[INET6_ADDRSTRLEN + IFNAMSIZ + 2], a[64], b[64];
	bool six = strcmp(key, "peer_address6") == 0;
	struct cfg_addr *peer = six ? &l->peer_address6 : &l->peer_address;
	int rc = get_str(ld, g, what, key, !six, NULL, &s, &where);

	if (rc < 0)
		return rc;
	if (s == NULL)
		return 0;
	snprintf(ip, sizeof(ip), "%s", s);
	pct = strchr(s, '%');
	if (pct != NULL)
		ip[pct - s] = '\0';
	if (strlen(s) >= sizeof(ip) || !addr_parse(ip, false, peer))
		return fail_at(ld, where, "%s '%s' is not an %s address", key,
			       s, six ? "IPv6" : "IPv4 or IPv6");
	cfg_addr_str(peer, a, sizeof(a));
	if (six && peer->family != AF_INET6)
		return fail_at(ld, where, "%s: peer_address6 %s is not an IPv6 "
			       "address", what, a);
	if (six && l->peer_address.family != AF_INET)
		return fail_at(ld, where, "%s: peer_address6 is for a second "
			       "session beside an IPv4 peer_address; "
			       "peer_address %s is IPv6 already (one session "
			       "then carries both families)", what,
			       cfg_addr_str(&l->peer_address, b, sizeof(b)));
	if (cfg_addr_link_local(peer)) {
		/* RFC 4291 §2.5.6: a link-local address is unique on its
		 * link only; the link's interface is its zone (RFC 4007) */
		if (pct != NULL && strcmp(pct + 1, l->interface) != 0)
			return fail_at(ld, where, "%s: %s %s is "
				       "link-local on interface '%s', not on "
				       "the link's interface '%s'", what, key,
				       a, pct + 1, l->interface);
		if (cfg_link_addr(l, AF_INET6) == NULL)
			return fail_at(ld, where, "%s: %s %s is "
				       "IPv6 and the link has no IPv6 address "
				       "(local_address6)", what, key, a);
		return 0;
	}
	if (pct != NULL)
		return fail_at(ld, where, "%s: %s %s: a zone "
			       "('%%%s') is only for a link-local address "
			       "(fe80::/10)", what, key, a, pct + 1);
	own = cfg_link_addr(l, peer->family);
	if (own == NULL)
		return fail_at(ld, where, "%s: %s %s is IPv6 and "
			       "the link has no IPv6 address (local_address6)",
			       what, key, a);
	if (!addr_in_subnet(peer, own))
		return fail_at(ld, where, "%s: %s %s is outside "
			       "%s %s%s", what, key, a,
			       own == &l->local_address ? "local_address" :
							  "local_address6",
			       cfg_addr_str(own, b, sizeof(b)),
			       peer->family == AF_INET6 ?
			       " and not link-local (fe80::/10)" : "");
	if (memcmp(peer->addr, own->addr, 16) == 0)
		return fail_at(ld, where, "%s: %s %s is our own "
			       "%s", what, key, a,
			       own == &l->local_address ? "local_address" :
							  "local_address6");
	return 0;
}

static int load_link(struct loader *ld, config_setting_t *g, unsigned int idx)
{
	static const char *const keys[] = {
		"name", "interface", "local_address", "local_address6",
		"peer_address", "peer_address6", "remote_as", "local_pref",
		"mtu", "device", "bfd", "bgp", "ingress_filter", "capacity_mbps", "suspect",
		NULL,
	};
	struct twp_config *cfg = ld->cfg;
	struct cfg_link *l = &cfg->links[idx];
	const config_setting_t *where, *laddr_at;
	char what[CFG_NAME_MAX + 16];
	const char *s;
	long long v;
	unsigned int i;
	int rc;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail_at(ld, g, "'links' must be a list of groups "
			       "( { name = ...; }, ... )");
	l->line = config_setting_source_line(g);
	if ((rc = check_keys(ld, g, keys)) < 0)
		return rc;
	snprintf(what, sizeof(what), "link %u", idx + 1);
	if ((rc = get_str(ld, g, what, "name", true, NULL, &s, &where)) < 0)
		return rc;
	if (!name_ok(s, CFG_NAME_MAX - 1, "_-"))
		return fail_at(ld, where,
			       "link name '%s' must be 1..%u characters of "
			       "a-z, 0-9, '_' and '-'", s, CFG_NAME_MAX - 1);
	for (i = 0; i < idx; i++)
		if (strcmp(cfg->links[i].name, s) == 0)
			return fail_at(ld, where, "duplicate link name '%s' "
				       "(first at line %d)", s,
				       cfg->links[i].line);
	snprintf(l->name, sizeof(l->name), "%s", s);
	snprintf(what, sizeof(what), "link '%s'", l->name);

	if ((rc = get_ifname(ld, g, what, l->interface)) < 0)
		return rc;
	where = member(g, "interface");
	if (strcmp(l->interface, cfg->lan.interface) == 0)
		return fail_at(ld, where, "%s: interface '%s' is already the "
			       "lan interface", what, l->interface);
	for (i = 0; i < idx; i++)
		if (strcmp(cfg->links[i].interface, l->interface) == 0)
			return fail_at(ld, where, "%s: interface '%s' is already "
				       "used by link '%s'", what, l->interface,
				       cfg->links[i].name);

	if ((rc = get_addr(ld, g, what, "local_address", true,
			   &l->local_address, &laddr_at)) < 0 ||
	    (rc = subnet_unique(ld, laddr_at, what, &l->local_address,
				idx)) < 0 ||
	    (rc = get_addr6(ld, g, what, "local_address6", &l->local_address,
			    &l->local_address6, &where)) < 0 ||
	    (rc = subnet_unique(ld, where, what, &l->local_address6,
				idx)) < 0 ||
	    (rc = get_peer(ld, g, what, l, "peer_address")) < 0 ||
	    (rc = get_peer(ld, g, what, l, "peer_address6")) < 0)
		return rc;

	if ((rc = get_int(ld, g, what, "remote_as", true, 0, 1, UINT32_MAX,
			  &v)) < 0)
		return rc;
	l->remote_as = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "local_pref", false, 100, 0, UINT32_MAX,
			  &v)) < 0)
		return rc;
	l->local_pref = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "mtu", false, 1500, 576, 9000, &v)) < 0)
		return rc;
	l->mtu = (uint32_t)v;
	if ((rc = get_int(ld, g, what, "capacity_mbps", false, 0, 1, 10000000,
			  &v)) < 0)
		return rc;
	l->capacity_mbps = (uint32_t)v;
	if ((rc = get_device(ld, g, what, l->device)) < 0 ||
	    (rc = get_ingress(ld, g, what, &l->ingress_filter)) < 0 ||
	    (rc = load_bfd(ld, g, what, &l->bfd)) < 0 ||
	    (rc = load_suspect(ld, g, what, &l->bfd, &l->suspect)) < 0)
		return rc;
	return load_link_bgp(ld, g, l, what, &l->bgp);
}

/* Linux keys TCP MD5 (RFC 2385) by the peer's address alone: a key's
 * interface scope (TCP_MD5SIG_FLAG_IFINDEX) must be a VRF device. Two
 * links with the same link-local peer (each on its own interface) and
 * different passwords would share one key, the last set, and one
 * session would never come up; refused here, with why. */
static int md5_scope_unique(struct loader *ld, const config_setting_t *g,
			    unsigned int idx)
{
	const struct twp_config *cfg = ld->cfg;
	const struct cfg_link *l = &cfg->links[idx];
	const struct cfg_addr *mine[2] = {&l->peer_address,
					  &l->peer_address6};
	unsigned int i, a, b;
	char s[64];

	if (l->bgp.password[0] == '\0')
		return 0;
	for (i = 0; i < idx; i++) {
		const struct cfg_link *o = &cfg->links[i];
		const struct cfg_addr *theirs[2] = {&o->peer_address,
						    &o->peer_address6};

		if (o->bgp.password[0] == '\0' ||
		    strcmp(o->bgp.password, l->bgp.password) == 0)
			continue;
		for (a = 0; a < 2; a++)
			for (b = 0; b < 2; b++)
				if (cfg_addr_link_local(mine[a]) &&
				    cfg_addr_eq(mine[a], theirs[b]))
					return fail_at(ld, g, "links '%s' and "
						"'%s' both have the link-local "
						"peer %s, with different "
						"bgp.password values: Linux keys "
						"TCP MD5 by address alone (an "
						"interface scope needs a VRF), so "
						"the two sessions would share one "
						"key; use one password for both, "
						"or global peer addresses",
						o->name, l->name,
						cfg_addr_str(mine[a], s,
							     sizeof(s)));
	}
	return 0;
}

static int load_links(struct loader *ld, const config_setting_t *root)
{
	config_setting_t *links = member(root, "links");
	int rc, i, n;

	if (links == NULL)
		return missing(ld, root, NULL, "links");
	if (config_setting_type(links) != CONFIG_TYPE_LIST)
		return fail_at(ld, links, "'links' must be a list of groups "
			       "( { name = ...; }, ... )");
	n = config_setting_length(links);
	if (n == 0)
		return fail_at(ld, links, "'links' must hold at least one link");
	if ((unsigned int)n > CFG_MAX_LINKS)
		return fail_at(ld, links, "too many links: %d (at most %u)", n,
			       CFG_MAX_LINKS);
	for (i = 0; i < n; i++) {
		rc = load_link(ld, config_setting_get_elem(links, i),
			       (unsigned int)i);
		if (rc < 0)
			return rc;
		rc = md5_scope_unique(ld, config_setting_get_elem(links, i),
				      (unsigned int)i);
		if (rc < 0)
			return rc;
	}
	ld->cfg->n_links = (unsigned int)n;
	return 0;
}

static int load_via(struct loader *ld, config_setting_t *via,
		    struct cfg_route *r)
{
	struct twp_config *cfg = ld->cfg;
	int i, n = config_setting_length(via);
	unsigned int j, k;

	if ((config_setting_type(via) != CONFIG_TYPE_ARRAY &&
	     config_setting_type(via) != CONFIG_TYPE_LIST) || n == 0)
		return fail_at(ld, via, "'via' must be a non-empty array of "
			       "link names [\"link1\", ...]");
	if ((unsigned int)n > CFG_MAX_LINKS)
		return fail_at(ld, via, "via: too many links");
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(via, i);
		const char *s;

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return fail_at(ld, e, "'via' must be a non-empty array "
				       "of link names [\"link1\", ...]");
		s = config_setting_get_string(e);
		for (j = 0; j < cfg->n_links; j++)
			if (strcmp(cfg->links[j].name, s) == 0)
				break;
		if (j == cfg->n_links)
			return fail_at(ld, e, "via: unknown link '%s'", s);
		for (k = 0; k < r->n_via; k++)
			if (r->via[k] == j)
				return fail_at(ld, e, "via: link '%s' listed "
					       "twice", s);
		r->via[r->n_via++] = (uint16_t)j;
	}
	return 0;
}

static int load_routes(struct loader *ld, const config_setting_t *root)
{
	static const char *const keys[] = {"prefix", "via", "gateway", NULL};
	struct twp_config *cfg = ld->cfg;
	config_setting_t *routes = member(root, "static_routes");
	char a[64], b[64];
	int rc, i, n;

	if (routes == NULL)
		return 0;
	if (config_setting_type(routes) != CONFIG_TYPE_LIST)
		return fail_at(ld, routes, "'static_routes' must be a list of "
			       "groups ( { prefix = ...; }, ... )");
	n = config_setting_length(routes);
	if ((unsigned int)n > CFG_MAX_ROUTES)
		return fail_at(ld, routes, "too many static routes: %d (at most "
			       "%u)", n, CFG_MAX_ROUTES);
	for (i = 0; i < n; i++) {
		config_setting_t *g = config_setting_get_elem(routes, i);
		struct cfg_route *r = &cfg->routes[i];
		const config_setting_t *where;
		config_setting_t *via, *gw;
		const char *s;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP)
			return fail_at(ld, g, "'static_routes' must be a list "
				       "of groups ( { prefix = ...; }, ... )");
		r->line = config_setting_source_line(g);
		if ((rc = check_keys(ld, g, keys)) < 0 ||
		    (rc = get_str(ld, g, "static route", "prefix", true, NULL,
				  &s, &where)) < 0 ||
		    (rc = prefix_parse_at(ld, where, NULL, "prefix", s,
					  &r->prefix)) < 0)
			return rc;
		cfg_addr_str(&r->prefix, a, sizeof(a));
		via = member(g, "via");
		gw = member(g, "gateway");
		if (via != NULL && gw != NULL)
			return fail_at(ld, gw, "static route %s: set either "
				       "'via' or 'gateway', not both", a);
		if (via == NULL && gw == NULL)
			return fail_at(ld, g, "static route %s: missing 'via' "
				       "(links) or 'gateway' (a LAN address)",
				       a);
		if (via != NULL) {
			if ((rc = load_via(ld, via, r)) < 0)
				return rc;
			continue;
		}
		if (config_setting_type(gw) != CONFIG_TYPE_STRING)
			return fail_at(ld, gw, "'gateway' must be a string");
		s = config_setting_get_string(gw);
		if (!addr_parse(s, false, &r->gateway))
			return fail_at(ld, gw, "gateway '%s' is not an IPv4 or "
				       "IPv6 address", s);
		if (!addr_in_subnet(&r->gateway, &cfg->lan.address))
			return fail_at(ld, gw, "gateway %s is outside the lan "
				       "subnet %s", s,
				       subnet_str(&cfg->lan.address, b,
						  sizeof(b)));
		if (memcmp(r->gateway.addr, cfg->lan.address.addr, 16) == 0)
			return fail_at(ld, gw, "gateway %s is our own lan "
				       "address", s);
	}
	cfg->n_routes = (unsigned int)n;
	return 0;
}

/* ---- the address plan across sections ---- */

/* The link subnets (IPv4 local_address, IPv6 local_address6) of link
 * J, with the settings that hold them, for overlap messages. */
static unsigned int link_subnets(const struct twp_config *cfg,
				 const config_setting_t *links, unsigned int j,
				 const struct cfg_addr *sub[2],
				 const config_setting_t *at[2])
{
	const config_setting_t *g = config_setting_get_elem(links, j);
	unsigned int n = 0;

	sub[n] = &cfg->links[j].local_address;
	at[n++] = member(g, "local_address");
	if (cfg->links[j].local_address6.family != 0) {
		sub[n] = &cfg->links[j].local_address6;
		at[n++] = member(g, "local_address6");
	}
	return n;
}

/* A prefix we announce (the element E of an announce list, WHAT names
 * the list) must neither cover nor lie inside a link subnet: the provider
 * would route the link's own addresses (and the BGP session) toward the
 * site. Nor may it overlap an import rule's range: we would announce back
 * to the provider space we learn from it (RFC 7454 §6: a customer
 * announces only its own prefixes). A rule over the whole address space
 * (PREFIX/0, "accept a default route or a full table") overlaps every
 * prefix by construction and is left out; AS_PATH loop detection (RFC
 * 4271 §9.1.2) keeps our own prefixes out of what it accepts. */
/* LEAD (the offending element, already named) overlaps no link subnet,
 * or fails at E naming the link and the subnet's line. */
static int link_subnet_overlap(struct loader *ld, const config_setting_t *e,
			       const struct cfg_addr *p, const char *lead,
			       const config_setting_t *links)
{
	const struct twp_config *cfg = ld->cfg;
	unsigned int j, k, n;
	char y[64];

	for (j = 0; j < cfg->n_links; j++) {
		const struct cfg_addr *sub[2];
		const config_setting_t *at[2];

		n = link_subnets(cfg, links, j, sub, at);
		for (k = 0; k < n; k++)
			if (subnets_overlap(p, sub[k]))
				return fail_at(ld, e, "%s overlaps link '%s' "
					       "subnet %s (line %d)", lead,
					       cfg->links[j].name,
					       subnet_str(sub[k], y, sizeof(y)),
					       config_setting_source_line(at[k]));
	}
	return 0;
}

static int announce_overlaps(struct loader *ld, const config_setting_t *e,
			     const char *what, const struct cfg_addr *p,
			     const config_setting_t *links)
{
	const struct twp_config *cfg = ld->cfg;
	char x[64], lead[96];
	unsigned int j, k;
	int rc;

	cfg_addr_str(p, x, sizeof(x));
	snprintf(lead, sizeof(lead), "%s: prefix %s", what, x);
	if ((rc = link_subnet_overlap(ld, e, p, lead, links)) < 0)
		return rc;
	for (j = 0; j < cfg->n_links; j++) {
		const struct cfg_link_bgp *b = &cfg->links[j].bgp;
		const config_setting_t *imp = member(
			member(config_setting_get_elem(links, j), "bgp"),
			"import");

		for (k = 0; k < b->n_import; k++) {
			const config_setting_t *r;

			if (b->import[k].prefix.len == 0 ||
			    !subnets_overlap(p, &b->import[k].prefix))
				continue;
			r = config_setting_get_elem(imp, k);
			return fail_at(ld, e, "%s: prefix %s overlaps link '%s' "
				       "import rule \"%s\" (line %d): we would "
				       "announce what we learn from the "
				       "provider", what, x, cfg->links[j].name,
				       config_setting_get_string(r),
				       config_setting_source_line(r));
		}
	}
	return 0;
}

/* The checks that need every section loaded: announced prefixes and
 * static routes against the link subnets and import rules. */
static int check_address_plan(struct loader *ld, const config_setting_t *root)
{
	const struct twp_config *cfg = ld->cfg;
	const config_setting_t *links = member(root, "links");
	const config_setting_t *ann, *routes;
	char x[64], lead[96];
	unsigned int i, j;
	int rc;

	ann = member(member(root, "bgp"), "announce");
	for (i = 0; i < cfg->bgp.n_announce; i++)
		if ((rc = announce_overlaps(ld, config_setting_get_elem(ann, i),
					    "announce", &cfg->bgp.announce[i],
					    links)) < 0)
			return rc;
	for (j = 0; j < cfg->n_links; j++) {
		const struct cfg_link_bgp *b = &cfg->links[j].bgp;
		char what[CFG_NAME_MAX + 32];

		ann = member(member(config_setting_get_elem(links, j), "bgp"),
			     "announce");
		snprintf(what, sizeof(what), "link '%s': announce",
			 cfg->links[j].name);
		for (i = 0; i < b->n_announce; i++)
			if ((rc = announce_overlaps(
				     ld, config_setting_get_elem(ann, i), what,
				     &b->announce[i], links)) < 0)
				return rc;
	}
	/* A static route inside or over a link subnet takes the link's own
	 * addresses (the peer, BFD, BGP) away from the link; a default
	 * route (length 0) covers every subnet by definition and the
	 * longest match keeps the link subnet's own route. */
	routes = member(root, "static_routes");
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_addr *p = &cfg->routes[i].prefix;
		const config_setting_t *e =
			member(config_setting_get_elem(routes, i), "prefix");

		if (p->len == 0)
			continue;
		snprintf(lead, sizeof(lead), "static route %s",
			 cfg_addr_str(p, x, sizeof(x)));
		if ((rc = link_subnet_overlap(ld, e, p, lead, links)) < 0)
			return rc;
	}
	return 0;
}

static char *read_text(const char *path, int *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		*err = -errno;
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				*err = -ENOMEM;
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		*err = -EIO;
		free(buf);
		buf = NULL;
	} else {
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

int cfg_load(struct twp_config *cfg, const char *path, char *err,
	     size_t errlen)
{
	struct loader ld = {.cfg = cfg, .path = path, .err = err,
			    .errlen = errlen};
	char dir[PATH_MAX];
	config_setting_t *root;
	config_t cf;
	char *text;
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen > 0)
		err[0] = '\0';
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		return -ENAMETOOLONG;
	}
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	text = read_text(path, &rc);
	if (text == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
		return rc;
	}
	ld.text = text;

	config_init(&cf);
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&cf, dirname(dir));
	if (config_read_string(&cf, text) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: %s",
			 config_error_file(&cf) ? config_error_file(&cf) : path,
			 config_error_line(&cf), config_error_text(&cf));
		rc = -EINVAL;
		goto out;
	}
	root = config_root_setting(&cf);
	if ((rc = load_top(&ld, root)) < 0 ||
	    (rc = load_dataplane(&ld, root)) < 0 ||
	    (rc = load_control(&ld, root)) < 0 ||
	    (rc = load_monitor(&ld, root)) < 0 ||
	    (rc = load_lan(&ld, root)) < 0 ||
	    (rc = load_bgp(&ld, root)) < 0 ||
	    (rc = load_links(&ld, root)) < 0 ||
	    (rc = load_routes(&ld, root)) < 0 ||
	    (rc = check_address_plan(&ld, root)) < 0)
		goto out;
	rc = 0;
out:
	config_destroy(&cf);
	free(text);
	return rc;
}
