/* twinpathctl's server side: one request line per connection on a Unix
 * socket ("[json] show status|nexthops|routes|bfd", "[json] show bgp ...",
 * "[json] clear bgp ADDR [soft]"; the BGP ones answered by bgp/show.c;
 * "reload", control/reload.c),
 * the rendered answer, then close. "error: ..." as the first line means
 * the request was refused. */
#ifndef TWP_CLI_H
#define TWP_CLI_H

#include "twinpathd.h"

/* Binds PATH (creating its directory, replacing a stale socket). Returns
 * the listening fd or -errno. */
int cli_listen(const char *path);
/* Serves one pending connection on LFD. */
void cli_serve(struct twpd *d, int lfd);
/* Renders the answer to REQ into OUT; 0, or -EINVAL for an unknown one. */
int cli_answer(struct twpd *d, const char *req, FILE *out);

#endif
