/* fo_send: the failover bench's traffic, a UDP stream at a fixed rate over
 * FLOWS flows (one source port each) to one destination, paced every
 * millisecond and handed to the kernel with one sendmmsg per tick on a raw
 * socket (we write the UDP header, so one socket serves every source
 * port). DST is IPv4 or IPv6 (the IPv6 stream of `make failover`: the
 * same payload, the kernel writes the IPv6 header). Runs until SECONDS or
 * SIGINT/SIGTERM; writes every packet's send time (u64 ns, by global
 * index) to LOG and a JSON summary to stdout.
 *
 *   fo_send DST PORT FLOWS RATE SECONDS LOG [SPORT_BASE]            */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fo_clock.h"
#include "fo_wire.h"

#define FO_BATCH 256

/* the 16-bit words of an address in network order, summed (pseudo header) */
static uint32_t addr_sum(const void *addr, size_t len)
{
	const uint8_t *a = addr;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(a[i] << 8 | a[i + 1]);
	return sum;
}

/* RFC 768 (RFC 8200 §8.1 for IPv6: the same sum over its pseudo header,
 * and a zero result is sent as 0xffff there too, 0 being forbidden):
 * one's complement sum over the pseudo header's addresses (ADDRS, from
 * addr_sum), the protocol and length, the header and data */
static uint16_t udp_csum(uint32_t addrs, const void *udp, size_t len)
{
	const uint8_t *p = udp;
	uint32_t sum = addrs;
	size_t i;

	sum += IPPROTO_UDP + (uint32_t)len;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	return htons(sum ? (uint16_t)sum : 0xffff); /* 0 means "none" */
}

struct fo_frame {
	struct udphdr udp;
	struct fo_payload pl;
} __attribute__((packed));

int main(int argc, char **argv)
{
	static struct fo_frame frames[FO_BATCH];
	static struct mmsghdr msgs[FO_BATCH];
	static struct iovec iovs[FO_BATCH];
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} dst = { 0 }, src = { 0 };
	socklen_t dlen, slen = sizeof(src);
	uint64_t flows, rate, secs, sport, cap, sent = 0, start, deadline, t;
	uint64_t late_max = 0, tick, errors = 0;
	uint64_t *log;
	uint32_t addrs;
	uint16_t dport;
	int fd, probe, i, family;
	FILE *f;

	if (argc < 7) {
		fprintf(stderr, "usage: fo_send DST PORT FLOWS RATE SECONDS LOG [SPORT_BASE]\n");
		return 2;
	}
	dport = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &dst.v4.sin_addr) == 1) {
		family = AF_INET;
		dst.v4.sin_family = AF_INET;
		dst.v4.sin_port = dport;
		dlen = sizeof(dst.v4);
	} else if (inet_pton(AF_INET6, argv[1], &dst.v6.sin6_addr) == 1) {
		family = AF_INET6;
		dst.v6.sin6_family = AF_INET6;
		dlen = sizeof(dst.v6);
	} else {
		fprintf(stderr, "fo_send: bad address %s\n", argv[1]);
		return 2;
	}
	flows = strtoull(argv[3], NULL, 0);
	rate = strtoull(argv[4], NULL, 0);
	secs = strtoull(argv[5], NULL, 0);
	sport = argc > 7 ? strtoull(argv[7], NULL, 0) : 20000;
	if (!flows || !rate || !secs || sport + flows > 65535) {
		fprintf(stderr, "fo_send: FLOWS, RATE, SECONDS must be > 0\n");
		return 2;
	}
	cap = rate * secs + FO_BATCH;
	log = calloc(cap, sizeof(*log));
	if (!log) {
		fprintf(stderr, "fo_send: no memory for %llu send times\n",
			(unsigned long long)cap);
		return 1;
	}
	/* the source address the kernel will use, for the checksum (the
	 * probe's connect needs a port: an IPv6 raw socket's sin6_port must
	 * be 0 or its protocol, so dst.v6 has none and the probe is given
	 * one of its own) */
	probe = socket(family, SOCK_DGRAM, 0);
	if (family == AF_INET6)
		dst.v6.sin6_port = dport;
	if (probe < 0 || connect(probe, &dst.sa, dlen) ||
	    getsockname(probe, &src.sa, &slen)) {
		perror("fo_send: source address");
		return 1;
	}
	close(probe);
	if (family == AF_INET6) {
		dst.v6.sin6_port = 0;
		addrs = addr_sum(&src.v6.sin6_addr, 16) + addr_sum(&dst.v6.sin6_addr, 16);
	} else {
		addrs = addr_sum(&src.v4.sin_addr, 4) + addr_sum(&dst.v4.sin_addr, 4);
	}
	fd = socket(family, SOCK_RAW, IPPROTO_UDP);
	if (fd < 0) {
		perror("fo_send: raw socket");
		return 1;
	}
	for (i = 0; i < FO_BATCH; i++) {
		iovs[i].iov_base = &frames[i];
		iovs[i].iov_len = sizeof(frames[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = dlen;
	}
	fo_catch_stop();

	start = fo_now_ns();
	deadline = start + secs * 1000000000ull;
	tick = start;
	while (!fo_stop) {
		uint64_t due, n, k;
		int rc;

		t = fo_now_ns();
		if (t >= deadline)
			break;
		if (t - tick > late_max)
			late_max = t - tick;
		/* everything due by now: a late tick catches up in one burst */
		due = (t - start) * rate / 1000000000ull + 1;
		while (sent < due && sent < cap) {
			n = due - sent;
			if (n > FO_BATCH)
				n = FO_BATCH;
			if (n > cap - sent)
				n = cap - sent;
			t = fo_now_ns();
			for (k = 0; k < n; k++) {
				uint64_t idx = sent + k;
				struct fo_frame *fr = &frames[k];

				fr->pl.magic = FO_MAGIC;
				fr->pl.flow = (uint32_t)(idx % flows);
				fr->pl.seq = idx / flows;
				fr->pl.index = idx;
				fr->pl.send_ns = t;
				fr->udp.source = htons((uint16_t)(sport + fr->pl.flow));
				fr->udp.dest = dport;
				fr->udp.len = htons(sizeof(*fr));
				fr->udp.check = 0;
				fr->udp.check = udp_csum(addrs, fr, sizeof(*fr));
				log[idx] = t;
			}
			rc = sendmmsg(fd, msgs, (unsigned int)n, 0);
			if (rc < 0) {
				/* the packets were not sent: their indexes are
				 * reused, so the receiver never counts them lost */
				errors++;
				break;
			}
			sent += (uint64_t)rc;
		}
		tick += 1000000;
		if (tick < t)
			tick = t - (t - start) % 1000000 + 1000000;
		struct timespec ts = { .tv_sec = (time_t)(tick / 1000000000ull),
				       .tv_nsec = (long)(tick % 1000000000ull) };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	t = fo_now_ns();
	f = fopen(argv[6], "wb");
	if (!f || fwrite(log, sizeof(*log), sent, f) != sent || fclose(f)) {
		fprintf(stderr, "fo_send: write %s: %s\n", argv[6], strerror(errno));
		return 1;
	}
	printf("{\"sent\":%llu,\"flows\":%llu,\"rate\":%llu,\"start_ns\":%llu,"
	       "\"end_ns\":%llu,\"late_max_us\":%llu,\"send_errors\":%llu,"
	       "\"sport_base\":%llu,\"family\":%d}\n",
	       (unsigned long long)sent, (unsigned long long)flows,
	       (unsigned long long)rate, (unsigned long long)start,
	       (unsigned long long)t, (unsigned long long)(late_max / 1000),
	       (unsigned long long)errors, (unsigned long long)sport,
	       family == AF_INET6 ? 6 : 4);
	return 0;
}
