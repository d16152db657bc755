/* twinpathctl: asks a running twinpathd over its Unix socket and prints
 * the answer (text for people, --json for scripts). */
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
		"[--json] show status|nexthops|routes|bfd\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct twp_config cfg;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *sock = DEFAULT_SOCKET, *cfgpath = NULL;
	char req[256], buf[4096], err[1024];
	bool json = false, first = true, refused = false;
	int opt, fd, i;
	size_t len;
	ssize_t n;

	while ((opt = getopt_long(argc, argv, "s:c:jh", opts, NULL)) != -1) {
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
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	if (!(argc - optind == 2 && strcmp(argv[optind], "show") == 0 &&
	      (strcmp(argv[optind + 1], "status") == 0 ||
	       strcmp(argv[optind + 1], "nexthops") == 0 ||
	       strcmp(argv[optind + 1], "routes") == 0 ||
	       strcmp(argv[optind + 1], "bfd") == 0))) {
		len = 0;
		req[0] = '\0';
		for (i = optind; i < argc && len < sizeof(req); i++)
			len += (size_t)snprintf(req + len, sizeof(req) - len,
						"%s%s", i > optind ? " " : "",
						argv[i]);
		fprintf(stderr, "twinpathctl: unknown command '%s'\n", req);
		usage(stderr);
		return 2;
	}
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
	len = (size_t)snprintf(req, sizeof(req), "%s%s %s\n",
			       json ? "json " : "", argv[optind],
			       argv[optind + 1]);
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "twinpathctl: %s: %s\n", sock, strerror(errno));
		return 1;
	}
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		if (first && n >= 7 && memcmp(buf, "error: ", 7) == 0)
			refused = true;
		first = false;
		fwrite(buf, 1, (size_t)n, refused ? stderr : stdout);
	}
	if (n < 0) {
		fprintf(stderr, "twinpathctl: %s: %s\n", sock, strerror(errno));
		return 1;
	}
	close(fd);
	return refused ? 2 : 0;
}
