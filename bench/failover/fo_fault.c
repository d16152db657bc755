/* fo_fault: the failover bench's link faults, at the far end of a link,
 * each time-stamped with CLOCK_MONOTONIC (the clock of the traffic tools
 * and of twinpath's health map), so a fault's instant is known to a few
 * microseconds instead of the ~16 ms three `ip` processes take.
 *
 *   fo_fault silent-on  IF OBJ [both|in|out]
 *                                both directions cut at one instant: XDP
 *                                drop (in) + tc egress shot (out), see
 *                                silent(); `in` or `out` alone cuts one
 *                                direction: `in` the frames from the
 *                                gateway (the site's traffic toward the
 *                                provider), `out` those to it
 *   fo_fault silent-off IF OBJ   both back at one instant, XDP pass, the
 *                                egress filter gone
 *   fo_fault carrier-down IF     the interface down (the peer loses carrier)
 *   fo_fault carrier-up IF
 *   fo_fault count-on IF OBJ     fo_tc_count_in/out at IF's tc ingress and
 *                                egress: the two-way traffic's frames
 *                                (fo_cut.h's port range) from then on
 *   fo_fault count IF            {"in":N,"out":M,"ns":T}: the counts so far
 *
 * Prints one JSON line: {"op":..., "t0_ns":..., "t1_ns":..., "ns":...}
 * (silent-on also "cut":"both|in|out"):
 * t0/t1 bracket the change (silent: one map write; carrier: the ioctl),
 * both directions at once, and ns is the midpoint. */
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
#include "fo_cut.h"

/* silent-on: from the programs attached to the word written */
#define ARM_SETTLE_US 100000

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p) {
		fprintf(stderr, "fo_fault: no program %s in the object\n", name);
		return -ENOENT;
	}
	return bpf_program__fd(p);
}

/* The one map of program PROG_ID (fo_xdp_cut's fo_cut, fo_tc_count_*'s
 * fo_count) as a new fd; -ENOENT for a program with another number of
 * maps (not ours), or -errno. */
static int prog_map_fd(__u32 prog_id)
{
	struct bpf_prog_info info;
	__u32 map_id = 0, len = sizeof(info);
	int fd, rc;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 1;
	info.map_ids = (__u64)(unsigned long)&map_id;
	rc = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (rc)
		return rc;
	if (info.nr_map_ids != 1)
		return -ENOENT;
	fd = bpf_map_get_fd_by_id(map_id);
	return fd < 0 ? -errno : fd;
}

/* The fo_cut map of the program attached at XDP on IFINDEX (fo_xdp_cut,
 * attached by an earlier silent-on), as a new fd; or -errno. */
static int attached_cut_map(int ifindex)
{
	__u32 id = 0;
	int rc;

	rc = bpf_xdp_query_id(ifindex, XDP_FLAGS_DRV_MODE, &id);
	if (rc)
		return rc;
	return id ? prog_map_fd(id) : -ENOENT;
}

/* silent-on: fo_xdp_cut and fo_tc_cut attached with the word 0 (nothing
 * cut yet: an XDP program replacing another on a veth loses nothing),
 * then, once the attach calls are long over, one write of the word cuts
 * both directions; t0 and t1 bracket that write.
 * silent-off: one write of 0 restores both at once, then fo_xdp_pass
 * replaces fo_xdp_cut and the clsact hook goes, its filter with it. */
static int silent(const char *ifname, int ifindex, const char *path, int on,
		  __u32 cut_mask, uint64_t *t0, uint64_t *t1)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_EGRESS);
	const char *what = "open";
	struct bpf_object *obj;
	__u32 k = 0, v = on ? cut_mask : 0;
	int xdp, tc, map, rc;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		rc = -errno;
		goto out;
	}
	what = "load";
	rc = bpf_object__load(obj);
	if (rc)
		goto out;
	xdp = prog_fd(obj, on ? "fo_xdp_cut" : "fo_xdp_pass");
	tc = prog_fd(obj, "fo_tc_cut");
	if (xdp < 0 || tc < 0) {
		rc = -ENOENT;
		goto out;
	}
	if (on) {
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = tc,
				    .handle = 1, .priority = 1);

		what = "attach";
		rc = bpf_tc_hook_create(&hook);
		if (rc && rc != -EEXIST)
			goto out;
		rc = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_DRV_MODE, NULL);
		if (!rc)
			rc = bpf_tc_attach(&hook, &opts);
		if (rc)
			goto out;
		/* the old XDP program's last frames are long through */
		usleep(ARM_SETTLE_US);
		map = bpf_map__fd(bpf_object__find_map_by_name(obj, "fo_cut"));
	} else {
		what = "find fo_xdp_cut's map";
		map = attached_cut_map(ifindex);
	}
	if (map < 0) {
		rc = map;
		goto out;
	}
	what = "write fo_cut";
	*t0 = fo_now_ns();
	rc = bpf_map_update_elem(map, &k, &v, BPF_ANY);
	*t1 = fo_now_ns();
	if (!on) {
		close(map);
		if (rc)
			goto out;
		what = "detach";
		rc = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_DRV_MODE, NULL);
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		if (!rc)
			rc = bpf_tc_hook_destroy(&hook);
	}
out:
	if (rc)
		fprintf(stderr, "fo_fault: %s %s on %s: %s\n",
			on ? "silent-on" : "silent-off", what, ifname,
			strerror(-rc));
	bpf_object__close(obj);
	return rc;
}

/* count-on: the counting programs at IF's ingress and egress (handle 1,
 * priority COUNT_PRIO: a clsact of its own, never the fault's). */
#define COUNT_PRIO 7

static int count_on(const char *ifname, int ifindex, const char *path)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
	const char *what = "open";
	struct bpf_object *obj;
	int in, out, rc;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		rc = -errno;
		goto out;
	}
	what = "load";
	rc = bpf_object__load(obj);
	if (rc)
		goto out;
	in = prog_fd(obj, "fo_tc_count_in");
	out = prog_fd(obj, "fo_tc_count_out");
	if (in < 0 || out < 0) {
		rc = -ENOENT;
		goto out;
	}
	what = "attach";
	rc = bpf_tc_hook_create(&hook);
	if (rc && rc != -EEXIST)
		goto out;
	{
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = in,
				    .handle = 1, .priority = COUNT_PRIO);

		rc = bpf_tc_attach(&hook, &opts);
		if (rc)
			goto out;
	}
	{
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = out,
				    .handle = 1, .priority = COUNT_PRIO);

		hook.attach_point = BPF_TC_EGRESS;
		rc = bpf_tc_attach(&hook, &opts);
	}
out:
	if (rc)
		fprintf(stderr, "fo_fault: count-on %s on %s: %s\n", what,
			ifname, strerror(-rc));
	bpf_object__close(obj);
	return rc;
}

/* count: fo_count's two words, read through the program at IF's ingress
 * (the map of both programs: one object, loaded once). */
static int count_read(const char *ifname, int ifindex, uint64_t *in,
		      uint64_t *out)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1,
			    .priority = COUNT_PRIO);
	__u32 k;
	__u64 v;
	int fd, rc;

	rc = bpf_tc_query(&hook, &opts);
	if (rc)
		goto fail;
	fd = prog_map_fd(opts.prog_id);
	if (fd < 0) {
		rc = fd;
		goto fail;
	}
	k = FO_COUNT_IN;
	rc = bpf_map_lookup_elem(fd, &k, &v);
	*in = v;
	k = FO_COUNT_OUT;
	if (!rc)
		rc = bpf_map_lookup_elem(fd, &k, &v);
	*out = v;
	close(fd);
	if (!rc)
		return 0;
fail:
	fprintf(stderr, "fo_fault: count on %s: %s (count-on first?)\n",
		ifname, strerror(-rc));
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
	uint64_t t0 = 0, t1 = 0;
	const char *op, *ifname, *dir = "both";
	__u32 cut_mask = FO_CUT_IN | FO_CUT_OUT;
	int ifindex, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: fo_fault silent-on IF OBJ [both|in|out]\n"
				"       fo_fault silent-off IF OBJ\n"
				"       fo_fault carrier-down|carrier-up IF\n"
				"       fo_fault count-on IF OBJ\n"
				"       fo_fault count IF\n");
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
		if (argc > 4 && !strcmp(op, "silent-on")) {
			dir = argv[4];
			if (!strcmp(dir, "in"))
				cut_mask = FO_CUT_IN;
			else if (!strcmp(dir, "out"))
				cut_mask = FO_CUT_OUT;
			else if (strcmp(dir, "both")) {
				fprintf(stderr, "fo_fault: direction %s: want "
						"both, in or out\n", dir);
				return 2;
			}
		}
		rc = silent(ifname, ifindex, argv[3], !strcmp(op, "silent-on"),
			    cut_mask, &t0, &t1);
	} else if (!strcmp(op, "count-on")) {
		if (argc < 4) {
			fprintf(stderr, "fo_fault: count-on needs the object file\n");
			return 2;
		}
		return count_on(ifname, ifindex, argv[3]) ? 1 : 0;
	} else if (!strcmp(op, "count")) {
		uint64_t in = 0, out = 0;

		if (count_read(ifname, ifindex, &in, &out))
			return 1;
		printf("{\"op\":\"count\",\"if\":\"%s\",\"in\":%llu,"
		       "\"out\":%llu,\"ns\":%llu}\n", ifname,
		       (unsigned long long)in, (unsigned long long)out,
		       (unsigned long long)fo_now_ns());
		return 0;
	} else if (!strcmp(op, "carrier-down") || !strcmp(op, "carrier-up")) {
		rc = carrier(ifname, !strcmp(op, "carrier-up"), &t0, &t1);
	} else {
		fprintf(stderr, "fo_fault: unknown operation %s\n", op);
		return 2;
	}
	if (rc)
		return 1;
	printf("{\"op\":\"%s\",\"if\":\"%s\",", op, ifname);
	if (!strcmp(op, "silent-on"))
		printf("\"cut\":\"%s\",", dir);
	printf("\"t0_ns\":%llu,\"t1_ns\":%llu,\"ns\":%llu}\n",
	       (unsigned long long)t0, (unsigned long long)t1,
	       (unsigned long long)((t0 + t1) / 2));
	return 0;
}
