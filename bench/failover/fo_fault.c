/* fo_fault: the failover bench's link faults, at the far end of a link,
 * each time-stamped with CLOCK_MONOTONIC (the clock of the traffic tools
 * and of twinpath's health map), so a fault's instant is known to a few
 * microseconds instead of the ~16 ms three `ip` processes take.
 *
 *   fo_fault silent-on  IF OBJ   XDP drop (in) + tc egress shot (out)
 *   fo_fault silent-off IF OBJ   XDP pass back, the egress filter gone
 *   fo_fault carrier-down IF     the interface down (the peer loses carrier)
 *   fo_fault carrier-up IF
 *
 * Prints one JSON line: {"op":..., "t0_ns":..., "tx_ns":..., "t1_ns":...,
 * "ns":...}: t0/t1 bracket the two attach calls, tx is between them (the
 * XDP half is in place, the tc half not yet: t1 - tx is the skew between
 * the directions) and ns is the midpoint. */
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "fo_clock.h"

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p) {
		fprintf(stderr, "fo_fault: no program %s in the object\n", name);
		return -ENOENT;
	}
	return bpf_program__fd(p);
}

/* Both programs are loaded before the first attach, so the two attach
 * calls run back to back (tens of microseconds apart). */
static int silent(const char *ifname, int ifindex, const char *path, int on,
		  uint64_t *t0, uint64_t *tx, uint64_t *t1)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_EGRESS);
	struct bpf_object *obj;
	int xdp, shot, rc;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		rc = -errno;
		fprintf(stderr, "fo_fault: open %s: %s\n", path, strerror(-rc));
		return rc;
	}
	rc = bpf_object__load(obj);
	if (rc) {
		fprintf(stderr, "fo_fault: load %s: %s\n", path, strerror(-rc));
		goto out;
	}
	xdp = prog_fd(obj, on ? "fo_xdp_drop" : "fo_xdp_pass");
	shot = prog_fd(obj, "fo_tc_shot");
	if (xdp < 0 || shot < 0) {
		rc = -ENOENT;
		goto out;
	}
	if (on) {
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = shot,
				    .handle = 1, .priority = 1);

		rc = bpf_tc_hook_create(&hook);
		if (rc && rc != -EEXIST) {
			fprintf(stderr, "fo_fault: clsact on %s: %s\n", ifname,
				strerror(-rc));
			goto out;
		}
		*t0 = fo_now_ns();
		rc = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_DRV_MODE, NULL);
		*tx = fo_now_ns();
		if (!rc)
			rc = bpf_tc_attach(&hook, &opts);
		*t1 = fo_now_ns();
	} else {
		*t0 = fo_now_ns();
		rc = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_DRV_MODE, NULL);
		*tx = fo_now_ns();
		/* destroying the clsact hook takes the egress filter with it */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		if (!rc)
			rc = bpf_tc_hook_destroy(&hook);
		*t1 = fo_now_ns();
	}
	if (rc)
		fprintf(stderr, "fo_fault: %s on %s: %s\n",
			on ? "attach" : "detach", ifname, strerror(-rc));
out:
	bpf_object__close(obj);
	return rc;
}

static int carrier(const char *ifname, int up, uint64_t *t0, uint64_t *t1)
{
	struct ifreq ifr;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	*t0 = fo_now_ns();
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		rc = -errno;
	*t1 = fo_now_ns();
out:
	if (rc)
		fprintf(stderr, "fo_fault: %s: %s\n", ifname, strerror(-rc));
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t t0 = 0, tx = 0, t1 = 0;
	const char *op, *ifname;
	int ifindex, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: fo_fault silent-on|silent-off IF OBJ\n"
				"       fo_fault carrier-down|carrier-up IF\n");
		return 2;
	}
	op = argv[1];
	ifname = argv[2];
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "fo_fault: no interface %s\n", ifname);
		return 1;
	}
	if (!strcmp(op, "silent-on") || !strcmp(op, "silent-off")) {
		if (argc < 4) {
			fprintf(stderr, "fo_fault: %s needs the object file\n", op);
			return 2;
		}
		rc = silent(ifname, ifindex, argv[3], !strcmp(op, "silent-on"),
			    &t0, &tx, &t1);
	} else if (!strcmp(op, "carrier-down") || !strcmp(op, "carrier-up")) {
		rc = carrier(ifname, !strcmp(op, "carrier-up"), &t0, &t1);
		tx = t1;
	} else {
		fprintf(stderr, "fo_fault: unknown operation %s\n", op);
		return 2;
	}
	if (rc)
		return 1;
	printf("{\"op\":\"%s\",\"if\":\"%s\",\"t0_ns\":%llu,\"tx_ns\":%llu,"
	       "\"t1_ns\":%llu,\"ns\":%llu}\n", op, ifname, (unsigned long long)t0,
	       (unsigned long long)tx, (unsigned long long)t1,
	       (unsigned long long)((t0 + t1) / 2));
	return 0;
}
