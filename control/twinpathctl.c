/* twinpathctl: asks a running twinpathd over its Unix socket and prints
 * the answer (text for people, --json for scripts). The words of the
 * command go through as they are: twinpathd knows which ones it serves. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"

#define DEFAULT_SOCKET "/run/twinpath/twinpath.sock"

static void usage(FILE *f)
{
	fprintf(f, "usage: twinpathctl [--socket PATH | --config FILE] "
		"[--json] COMMAND\n"
		"       twinpathctl --version\n"
		"commands:\n"
		"  show status|nexthops|routes|bfd|links\n"
		"  show bgp summary\n"
		"  show bgp neighbors [ADDR]\n"
		"  show bgp routes [PREFIX]\n"
		"  clear bgp ADDR [soft]\n"
		"  show links   (rates, utilisation, imbalance, drain state)\n"
		"  link NAME drain|undrain\n"
		"  bgp ADDR shutdown [MESSAGE]\n"
		"  bgp ADDR enable\n"
		"  reload   (twinpathd reads its config file again)\n"
		"exit status: 0 done, 1 refused by twinpathd (or not "
		"reachable), 2 usage or unknown command\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static struct twp_config cfg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *sock = DEFAULT_SOCKET, *cfgpath = NULL;
	char req[1024], buf[4096], err[1024];
	bool json = false, first = true, refused = false, unknown = false;
	int opt, fd, i;
	size_t len;
	ssize_t n;

	while ((opt = getopt_long(argc, argv, "s:c:jhV", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'c':
			cfgpath = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("twinpathctl %s\n", TWP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	/* one request line: "[json ]WORD WORD ...\n" */
	len = (size_t)snprintf(req, sizeof(req), "%s", json ? "json" : "");
	for (i = optind; i < argc && len < sizeof(req); i++) {
		/* one line: a word may hold spaces (a shutdown message),
		 * not line breaks or tabs */
		if (argv[i][0] == '\0' || strpbrk(argv[i], "\t\r\n")) {
			fprintf(stderr, "twinpathctl: bad word '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
		len += (size_t)snprintf(req + len, sizeof(req) - len, "%s%s",
					len ? " " : "", argv[i]);
	}
	if (len + 1 >= sizeof(req)) {
		fprintf(stderr, "twinpathctl: command too long\n");
		return 2;
	}
	req[len++] = '\n';
	if (cfgpath != NULL) {
		if (cfg_load(&cfg, cfgpath, err, sizeof(err)) < 0) {
			fprintf(stderr, "twinpathctl: %s\n", err);
			return 2;
		}
		sock = cfg.control.socket;
	}
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "twinpathctl: socket path too long: %s\n", sock);
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "twinpathctl: cannot connect to %s: %s (is "
			"twinpathd running?)\n", sock, strerror(errno));
		return 1;
	}
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "twinpathctl: %s: %s\n", sock, strerror(errno));
		return 1;
	}
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (first && n >= 7 && memcmp(buf, "error: ", 7) == 0) {
			refused = true;
			unknown = n >= 22 && memcmp(buf + 7, "unknown command",
						    15) == 0;
		}
		first = false;
		fwrite(buf, 1, (size_t)n, refused ? stderr : stdout);
	}
	if (n < 0) {
		fprintf(stderr, "twinpathctl: %s: %s\n", sock, strerror(errno));
		return 1;
	}
	close(fd);
	if (unknown)
		usage(stderr);
	return unknown ? 2 : refused ? 1 : 0;
}
