/*
 * http_request: what an HTTP API request asks for, worked out from the request alone (method,
 * path, the `force` query argument, the body), with no server, no credentials and no core. The
 * server (http_api.c) answers with it; the fuzzer (tests/fuzz/fuzz_http_request.c) feeds it
 * arbitrary requests.
 *
 * The checks keep the server's order of answers:
 *   1. a control character in the path or the `force` value: 400, before the route is even
 *      looked up (so before auth; such a request names nothing, and nothing of it reaches a route);
 *   2. route and method (404/405), before auth;
 *   3. once the server has checked the credentials (401/403), the arguments (400/413, 404 for an
 *      unknown kind).
 * So a parse that fails says whether it failed before auth (`routed` false) or after.
 *
 * Methods: a read route answers GET and HEAD (HEAD like GET, libmicrohttpd drops the body); a
 * route that changes something never answers HEAD (405, and its Allow header does not list HEAD).
 * /v0's change routes answer GET (the earlier framework's curl usage) and POST, the documented
 * way; /v1's answer only their own PUT/POST/DELETE.
 *
 * Numbers in a path (a /v0 scale count, a /v1 broker id) are digits only: no sign, no space, no
 * escaped whitespace, at least one digit and at most HTTP_MAX_DIGITS after leading zeros, within
 * the argument's range; numbers in a /v1 body are JSON integers, range-checked by kafka_admin.c.
 *
 * Paths arrive decoded. The server must decode them with http_unescape (its
 * MHD_OPTION_UNESCAPE_CALLBACK), which turns an escaped NUL into DEL so that "abc%00def" is not
 * cut to "abc" before it gets here; step 1 then refuses it.
 *
 * The routes, their methods and their arguments are those of http_api.h and docs/api-v1.md.
 */
#ifndef MK_HTTP_REQUEST_H
#define MK_HTTP_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_BODY       ((size_t)64 * 1024) /* a /v1 JSON body; larger ones get 413 */
#define HTTP_MAX_PATH       1024                /* a longer path is no route */
#define HTTP_MAX_ERROR      512
#define HTTP_MAX_DIGITS     9       /* of a number in a path, after leading zeros */
#define HTTP_MAX_BROKER_ID  1000000 /* a /v1 broker id is 0..this */
#define HTTP_MAX_QUERY_ARGS 64      /* query arguments read; the rest are ignored */

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

/* Fills `out` for one request: `url` is the path as http_unescape decoded it, `force` the decoded
 * value of the query's `force` argument (NULL when absent), `body` the request's body (`body_len`
 * bytes, NULL when empty) and `too_large` whether some of it was dropped past HTTP_MAX_BODY.
 * Every field of `out` is set; release it with http_request_clear. Returns 0, or -1 when
 * out->status is set. */
int http_request_parse(const char *method, const char *url, const char *force, const char *body,
                       size_t body_len, bool too_large, http_request *out);
/* The same, with every query argument (`query`: {key: value}, decoded, NULL for none): the
 * earlier framework's /api/broker/<verb>?broker=<expr>&cpus=... takes its arguments from the
 * query; other paths use only `force`. */
int http_request_parse_query(const char *method, const char *url, const json_t *query,
                             const char *body, size_t body_len, bool too_large, http_request *out);
void http_request_clear(http_request *r);

/* Decodes the %XX escapes of `s` in place and returns its new length; for the server's
 * MHD_OPTION_UNESCAPE_CALLBACK (libmicrohttpd calls it on the path and on each query key and
 * value, after it has turned a query's '+' into a space). As MHD_http_unescape does: an escape
 * needs two hex digits (either case), anything else ("%zz", a lone or trailing '%") is kept as
 * it is, and '+' is kept (in a path it is a '+'). Unlike it: an escaped NUL (%00) is stored as
 * DEL (0x7f), so the result is never cut short and a control check sees it. */
size_t http_unescape(char *s);

/* True when a change request must be refused (403) because a browser sent it from another site:
 * `sec_fetch_site` (the Sec-Fetch-Site header, NULL when absent) is anything but "same-origin" or
 * "none" (case-insensitive; "cross-site" and "same-site" are what browsers send), or `origin` (the
 * Origin header, NULL when absent) is present and is not this API's own: "http://<host>", or
 * "https://<host>" when `tls`, compared case-insensitively with `host` (the Host header, port
 * included as it gives it). An Origin of "null", or an Origin without a Host, is refused. Neither
 * header (curl, scripts) passes. When refused, `why` gets a short printable reason (at most
 * why_size-1 bytes; why may be NULL when why_size is 0). */
bool http_cross_site(const char *sec_fetch_site, const char *origin, const char *host, bool tls,
                     char *why, size_t why_size);

/* A number written in a path: ASCII digits only (no sign, space or other character), at least
 * one, at most HTTP_MAX_DIGITS after leading zeros, from `min` to `max` (0 <= min <= max, both
 * of at most HTTP_MAX_DIGITS digits). Returns 0 with *value set, or -1 with *why set to the
 * reason ("must be a whole number written with digits only", "is too large", "is too small"). */
int http_parse_number(const char *s, long min, long max, long *value, const char **why);

/* Splits "/a/b/" in place into at most `max` segments (one trailing slash ignored); returns the
 * count, or -1 for an empty segment ("//"), a path not starting with '/' or too many segments. */
int http_split_path(char *path, char **seg, int max);
/* A client's text made safe to quote back: printable ASCII, at most size-1 bytes. */
const char *http_printable(const char *s, char *out, size_t size);
/* The `force` query argument: absent (NULL), true/1 or false/0; -1 for anything else. */
int http_parse_force(const char *value, bool *force);

#endif
