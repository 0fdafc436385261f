/*
 * mesos_url: the URLs the Mesos client talks to, built and resolved without any I/O.
 *
 * A master of MESOS_MASTER becomes "<scheme>://<host>:<port>/api/v1/scheduler". A non-leading
 * master answers 307 with a protocol-relative Location ("//leader:5050/master/api/v1/scheduler");
 * the client resolves it against the URL it asked, always keeping its own scheme: MESOS_SSL decides
 * whether TLS is used, never the master's answer (so a redirect cannot downgrade to plain HTTP).
 */
#ifndef MK_MESOS_URL_H
#define MK_MESOS_URL_H

#include <stdbool.h>

#include "util.h"

#define MESOS_SCHEDULER_PATH "/api/v1/scheduler"

/* "https://host:port/api/v1/scheduler" (IPv6 literals get brackets). Caller frees. */
char *mesos_url_for_master(const char *host, int port, bool ssl);

/* Resolves a Location header against `base` (the URL that was asked):
 *   "//host:port/path"       -> base's scheme + the rest
 *   "http(s)://host:port/p"  -> base's scheme + authority and path (scheme never changes)
 *   "/path"                  -> base's scheme and authority + path
 * A Location without a path gets MESOS_SCHEDULER_PATH. Anything else (empty, relative, another
 * scheme, no host, control characters or spaces) is an error. Caller frees the result. */
char *mesos_url_resolve_location(const char *base, const char *location, mk_err *err);

/* "scheme://host:port" of a URL (what messages name), or a copy of the input if it has no "://".
 * Caller frees. */
char *mesos_url_origin(const char *url);

#endif
