/* fo_recv: the failover bench's receiver. Every fo_send packet to PORT is
 * kept with its arrival interface (IP_PKTINFO: which upstream delivered
 * it), its send time and the receive time, read with recvmmsg. Runs until
 * SIGINT/SIGTERM or SECONDS; records (struct fo_record) go to OUT, a JSON
 * summary with the interface names to stdout. READY is created once the
 * socket is bound. FAMILY 6: an IPv6 socket (IPV6_V6ONLY, IPV6_PKTINFO)
 * for the IPv6 stream, the same records; 4, the default: IPv4.
 *
 *   fo_recv PORT SECONDS OUT READY [FAMILY]                            */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
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

#define FO_BATCH 64
#define FO_MAX_IF 64

int main(int argc, char **argv)
{
	static struct fo_payload bufs[FO_BATCH];
	static char cbufs[FO_BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo))];
	static struct mmsghdr msgs[FO_BATCH];
	static struct iovec iovs[FO_BATCH];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct sockaddr_in6 addr6 = { .sin6_family = AF_INET6 };
	uint64_t n = 0, cap = 1 << 20, bad = 0, deadline, ifcount[FO_MAX_IF] = { 0 };
	struct fo_record *rec;
	int fd, one = 1, rcvbuf = 16 << 20, i, v6;
	char name[IF_NAMESIZE];
	FILE *f;

	if (argc < 5 || (argc > 5 && strcmp(argv[5], "4") && strcmp(argv[5], "6"))) {
		fprintf(stderr, "usage: fo_recv PORT SECONDS OUT READY [4|6]\n");
		return 2;
	}
	v6 = argc > 5 && !strcmp(argv[5], "6");
	addr.sin_port = htons((uint16_t)atoi(argv[1]));
	addr6.sin6_port = addr.sin_port;
	deadline = fo_now_ns() + strtoull(argv[2], NULL, 0) * 1000000000ull;
	rec = malloc(cap * sizeof(*rec));
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (!rec || fd < 0 ||
	    (v6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		  setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))
		: setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))) ||
	    /* a 16 MiB buffer rides out a scheduling stall of the receiver
	     * at 10 kpps without a kernel drop being counted as our loss */
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) ||
	    (v6 ? bind(fd, (struct sockaddr *)&addr6, sizeof(addr6))
		: bind(fd, (struct sockaddr *)&addr, sizeof(addr)))) {
		perror("fo_recv: socket");
		return 1;
	}
	f = fopen(argv[4], "w");
	if (!f || fclose(f)) {
		perror("fo_recv: ready file");
		return 1;
	}
	for (i = 0; i < FO_BATCH; i++) {
		iovs[i].iov_base = &bufs[i];
		iovs[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	fo_catch_stop();
	while (!fo_stop && fo_now_ns() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint64_t t;
		int got;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		for (i = 0; i < FO_BATCH; i++) {
			msgs[i].msg_hdr.msg_control = cbufs[i];
			msgs[i].msg_hdr.msg_controllen = sizeof(cbufs[i]);
		}
		got = recvmmsg(fd, msgs, FO_BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			continue;
		t = fo_now_ns();
		for (i = 0; i < got; i++) {
			struct cmsghdr *c;
			uint32_t ifindex = 0;

			if (msgs[i].msg_len != sizeof(bufs[i]) ||
			    bufs[i].magic != FO_MAGIC) {
				bad++;
				continue;
			}
			for (c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
				if (c->cmsg_level == IPPROTO_IP &&
				    c->cmsg_type == IP_PKTINFO)
					ifindex = (uint32_t)((struct in_pktinfo *)
						CMSG_DATA(c))->ipi_ifindex;
				else if (c->cmsg_level == IPPROTO_IPV6 &&
					 c->cmsg_type == IPV6_PKTINFO)
					ifindex = (uint32_t)((struct in6_pktinfo *)
						CMSG_DATA(c))->ipi6_ifindex;
			if (n == cap) {
				struct fo_record *r = realloc(rec, 2 * cap * sizeof(*rec));

				if (!r) {
					fprintf(stderr, "fo_recv: out of memory\n");
					return 1;
				}
				rec = r;
				cap *= 2;
			}
			rec[n].index = bufs[i].index;
			rec[n].send_ns = bufs[i].send_ns;
			rec[n].recv_ns = t;
			rec[n].ifindex = ifindex;
			rec[n].flow = bufs[i].flow;
			if (ifindex < FO_MAX_IF)
				ifcount[ifindex]++;
			n++;
		}
	}
	f = fopen(argv[3], "wb");
	if (!f || fwrite(rec, sizeof(*rec), n, f) != n || fclose(f)) {
		fprintf(stderr, "fo_recv: write %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	printf("{\"received\":%llu,\"malformed\":%llu,\"ifaces\":{",
	       (unsigned long long)n, (unsigned long long)bad);
	for (i = 0, one = 0; i < FO_MAX_IF; i++) {
		if (!ifcount[i])
			continue;
		printf("%s\"%d\":{\"name\":\"%s\",\"packets\":%llu}", one++ ? "," : "",
		       i, if_indextoname((unsigned int)i, name) ? name : "?",
		       (unsigned long long)ifcount[i]);
	}
	printf("}}\n");
	return 0;
}
