/*
 * http_request: what an HTTP API request asks for, worked out from the request alone (method,
 * path, the `force` query argument, the body), with no server, no credentials and no core. The
 * server (http_api.c) answers with it; the fuzzer (tests/fuzz/fuzz_http_request.c) feeds it
 * arbitrary requests.
 *
 * The checks keep the server's order of answers: route and method first (404/405), then, once the
 * server has checked the credentials (401/403), the arguments (400/413, 404 for an unknown kind).
 * So a parse that fails says whether it failed before auth (`routed` false) or after.
 *
 * The routes, their methods and their arguments are those of http_api.h and docs/api-v1.md.
 */
#ifndef MK_HTTP_REQUEST_H
#define MK_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_BODY  ((size_t)64 * 1024) /* a /v1 JSON body; larger ones get 413 */
#define HTTP_MAX_PATH  1024                /* a longer path is no route */
#define HTTP_MAX_ERROR 512

typedef struct {
    unsigned status;            /* 0: fine; otherwise the answer's status, with `error` */
    char error[HTTP_MAX_ERROR]; /* the reason, printable ASCII (client text is quoted safely) */
    const char *allow;          /* the Allow header of a 405, else NULL */
    bool routed;                /* a route and method matched: auth comes before `status` */
    bool open;                  /* answered without credentials (/health) */
    bool changing;              /* changes something: needs credentials, refused without them */
    bool page;                  /* GET /: the HTML status page */
    const char *core;           /* the core request answering it (http_api.h), or NULL */
    const char *admin;          /* or the kafka_admin operation (kafka_admin.h), or NULL */
    json_t *args;               /* the arguments of `core` or `admin` (owned); NULL on error */
} http_request;

/* Fills `out` for one request: `force` is the decoded value of the query's `force` argument
 * (NULL when absent), `body` the request's body (`body_len` bytes, NULL when empty) and
 * `too_large` whether some of it was dropped past HTTP_MAX_BODY. Every field of `out` is set;
 * release it with http_request_clear. Returns 0, or -1 when out->status is set. */
int http_request_parse(const char *method, const char *url, const char *force, const char *body,
                       size_t body_len, bool too_large, http_request *out);
void http_request_clear(http_request *r);

/* Splits "/a/b/" in place into at most `max` segments (one trailing slash ignored); returns the
 * count, or -1 for an empty segment ("//"), a path not starting with '/' or too many segments. */
int http_split_path(char *path, char **seg, int max);
/* A client's text made safe to quote back: printable ASCII, at most size-1 bytes. */
const char *http_printable(const char *s, char *out, size_t size);
/* The `force` query argument: absent (NULL), true/1 or false/0; -1 for anything else. */
int http_parse_force(const char *value, bool *force);

#endif
