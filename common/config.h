/* The deployment file (libconfig), read by twinpathd and twinpath-dp alike
 * so both see one validated truth. The schema is documented in README.md
 * ("Configuration reference"); every bad value is "FILE:LINE: message". */
#ifndef TWP_CONFIG_H
#define TWP_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdint.h>
#include <sys/un.h>

#define CFG_MAX_LINKS 16u
#define CFG_MAX_ROUTES 4096u
#define CFG_MAX_EAL_ARGS 32u
#define CFG_NAME_MAX 32u
#define CFG_ARG_MAX 256u

enum cfg_mode {
	CFG_MODE_ACTIVE_ACTIVE = 0, /* ECMP over all links of a route */
	CFG_MODE_ACTIVE_STANDBY,    /* highest local_pref primary, next backup */
};

struct cfg_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;    /* prefix length; 32/128 for a plain address */
	uint8_t addr[16]; /* network byte order */
};

#define CFG_DEVICE_MAX 256u

/* BFD for a link (RFC 5880/5881 single hop), answered in XDP. */
struct cfg_bfd {
	bool enabled;           /* the link has a bfd { } group */
	bool admin_down;        /* session held in AdminDown */
	uint8_t multiplier;     /* detect multiplier */
	uint32_t min_tx_us;     /* Desired Min TX Interval */
	uint32_t min_rx_us;     /* Required Min RX Interval */
};

struct cfg_lan {
	char interface[IFNAMSIZ];
	/* DPDK device for the port instead of net_af_xdp on interface
	 * (e.g. "net_ring0", "net_null0", a PCI address); "" if unset. */
	char device[CFG_DEVICE_MAX];
	struct cfg_addr address; /* our address and the LAN subnet length */
};

struct cfg_link {
	char name[CFG_NAME_MAX];
	char interface[IFNAMSIZ];
	struct cfg_addr local_address; /* our address and the subnet length */
	struct cfg_addr peer_address;  /* the provider router, len 32/128 */
	uint32_t remote_as;
	uint32_t local_pref;
	uint32_t mtu;
	char device[CFG_DEVICE_MAX]; /* as cfg_lan.device */
	struct cfg_bfd bfd;
	int line; /* where the link's group starts, for messages */
};

struct cfg_route {
	struct cfg_addr prefix;
	uint32_t n_via;                /* links, or 0 when gateway is set */
	uint16_t via[CFG_MAX_LINKS];   /* link indexes */
	struct cfg_addr gateway;       /* on the LAN subnet; family 0 if unset */
	int line;
};

struct twp_config {
	char path[PATH_MAX];
	char instance[CFG_NAME_MAX]; /* names the channel, socket, EAL prefix */
	uint32_t local_as;
	uint8_t router_id[4];
	enum cfg_mode mode;
	struct {
		char eal_args[CFG_MAX_EAL_ARGS][CFG_ARG_MAX];
		unsigned int n_eal_args;
		char xdp_prog[PATH_MAX];
		uint32_t mbufs;
		uint32_t ipv4_routes_max; /* rte_fib sizing */
		uint32_t ipv6_routes_max; /* rte_fib6 sizing */
	} dataplane;
	struct {
		char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	} control;
	struct cfg_lan lan;
	struct cfg_link links[CFG_MAX_LINKS];
	unsigned int n_links;
	struct cfg_route routes[CFG_MAX_ROUTES];
	unsigned int n_routes;
};

/* Loads and validates PATH into CFG (zeroed first). On error returns
 * -EINVAL (or -errno when the file cannot be read) and writes one line,
 * "PATH:LINE: message", into ERR. */
int cfg_load(struct twp_config *cfg, const char *path, char *err,
	     size_t errlen);

/* "1.2.3.4" / "2001:db8::1", with "/len" when len is not the full width. */
const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len);

/* Index of the LAN port in twinpath port numbering (after the links). */
static inline unsigned int cfg_lan_port(const struct twp_config *cfg)
{
	return cfg->n_links;
}

#endif
