/*
 * http_guard: what keeps clients that send little from costing the HTTP API anything.
 *
 * - A deadline per request, not an idle timer: a connection must deliver its request, headers and
 *   body, within HTTP_GUARD_REQUEST_DEADLINE_S of its accept (or of its previous answer, on a
 *   keep-alive connection). A client trickling a byte at a time, or sending nothing, is cut off
 *   when the deadline passes, however often it sends. Once the request is complete the deadline
 *   is off until its answer has been sent: the work is ours, not the client's.
 * - The server's own complaints (malformed requests, refused connections: libmicrohttpd's log
 *   lines) are counted, and logged at most HTTP_GUARD_LOG_BURST times per interval, with one
 *   summary line for what was left out, so a flood of bad requests cannot flood the log.
 * - One thread (the guard's) does the sweeping and runs a tick the server gives it (to give up
 *   on requests the core did not answer in time).
 *
 * The guard knows sockets, not libmicrohttpd: the server tracks each connection from its accept
 * to just before its socket is closed, and tells the guard when a request is complete and when
 * its answer has gone. Cutting a connection off is a shutdown(2) of its socket, which the server's
 * event loop then sees as the client's hang-up and closes as usual. Every function is
 * thread-safe.
 */
#ifndef MK_HTTP_GUARD_H
#define MK_HTTP_GUARD_H

#include <stdint.h>

#define HTTP_GUARD_REQUEST_DEADLINE_S                                                              \
    10.0 /* from accept (or the last answer) to a whole request                                    \
          */
#define HTTP_GUARD_LOG_INTERVAL_S 60.0
#define HTTP_GUARD_LOG_BURST      5 /* server messages logged per interval; the rest counted */

typedef struct http_guard http_guard;
typedef struct http_guard_conn http_guard_conn;

typedef struct {
    uint64_t accepted;            /* connections accepted since the start */
    uint64_t open;                /* connections open now */
    uint64_t cut_off;             /* closed because their request did not arrive in time */
    uint64_t server_messages;     /* the server's complaints (malformed requests, refusals) */
    uint64_t messages_suppressed; /* of those, the ones not logged */
} http_guard_stats;

/* Called from the guard's thread on every sweep (several times a second), with `now` monotonic. */
typedef void (*http_guard_tick_fn)(void *ud, double now);

/* Starts the guard's thread; `deadline_s` is the request deadline (tests shorten it). NULL when
 * the thread cannot be started. */
http_guard *http_guard_start(double deadline_s, http_guard_tick_fn tick, void *ud);
/* Stops the thread and frees the guard; every connection must have been untracked. NULL fine. */
void http_guard_stop(http_guard *g);

/* A connection accepted on socket `fd`: its request's deadline starts now. */
http_guard_conn *http_guard_track(http_guard *g, int fd);
/* The connection is about to be closed: the guard forgets it (and never touches `fd` again). */
void http_guard_untrack(http_guard *g, http_guard_conn *c);
/* The request on `c` is complete (headers and body): no deadline until its answer has gone. */
void http_guard_request_complete(http_guard *g, http_guard_conn *c);
/* The answer on `c` has gone: the next request's deadline starts now. */
void http_guard_answered(http_guard *g, http_guard_conn *c);

/* One complaint of the server's (one line of text, from the library): counted, maybe logged. */
void http_guard_server_message(http_guard *g, const char *text);

void http_guard_get_stats(http_guard *g, http_guard_stats *out);

#endif
