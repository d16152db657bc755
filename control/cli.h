/* twinpathctl's server side: one request line per connection on a Unix
 * socket ("[json] show status|nexthops|routes|bfd", "[json] show bgp ...",
 * "[json] clear bgp ADDR [soft]"; the BGP ones answered by bgp/show.c;
 * "reload", control/reload.c),
 * the rendered answer, then close. "error: ..." as the first line means
 * the request was refused. */
#ifndef TWP_CLI_H
#define TWP_CLI_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "twinpathd.h"

/* Binds PATH (creating its directory, replacing a stale socket). Returns
 * the listening fd or -errno. */
int cli_listen(const char *path);
/* The server side, never blocking the loop: a client that sends slowly,
 * reads slowly or not at all holds only its own slot. */
#define CLI_MAX_CLIENTS 8    /* at once; more are refused */
#define CLI_REQ_MAX 1024u    /* a request line, newline included */
#define CLI_IDLE_MS 10000u   /* without progress either way: closed */
#define CLI_ROUTES_SLICE 4096u /* show routes: routes per loop step */

struct cli_walk; /* show routes, being rendered a slice per loop step */

struct cli_client {
	int fd;               /* -1: free */
	size_t rlen;          /* request bytes so far */
	char *ans;            /* the answer, while it is being sent */
	size_t alen, aoff;
	uint64_t last_ms;     /* the last progress */
	struct cli_walk *walk; /* show routes still to render, or NULL */
	char req[CLI_REQ_MAX];
};

struct cli_server {
	int lfd;
	struct cli_client c[CLI_MAX_CLIENTS];
	/* counted (show status), each also logged */
	uint64_t served, refused_busy, too_long, timed_out;
};

void cli_server_init(struct cli_server *s, int lfd);
/* The listener and every client into PFD (at most MAX): the count. */
unsigned int cli_pollfds(const struct cli_server *s, struct pollfd *pfd,
			 unsigned int max);
/* Accepts, reads, answers and sends what PFD (from cli_pollfds) says is
 * ready; closes clients idle CLI_IDLE_MS. */
void cli_handle(struct cli_server *s, struct twpd *d,
		const struct pollfd *pfd, unsigned int n, uint64_t now_ms);
void cli_server_close(struct cli_server *s);
/* Renders the answer to REQ into OUT; 0, or -EINVAL for an unknown one
 * (-ENOMEM: show routes could not copy the table). */
int cli_answer(struct twpd *d, const char *req, FILE *out);
/* As cli_answer, but show routes only starts: *WALK is then set and the
 * routes follow slice by slice as the server sends (cli_handle); NULL
 * for every other request. */
int cli_request(struct twpd *d, const char *req, FILE *out,
		struct cli_walk **walk);
void cli_walk_free(struct cli_walk *w);

#endif
