/*
 * cli_http: the command-line client's side of the scheduler's HTTP API: one libcurl handle, one
 * request at a time, JSON in and out.
 *
 * A client is made once per command and reused for every request it sends (the plan polls of a
 * restart reuse the connection). Credentials, when given, go out as HTTP Basic auth; the password
 * lives only in this struct and in libcurl, and no message here ever contains it.
 *
 * Two kinds of failure are kept apart, because the command's exit status differs: the server
 * could not be reached or did not answer (cli_http_call returns -1, `err` has the URL and
 * libcurl's reason), and the server answered with an error status (returns 0, the caller reads
 * reply->status and the JSON error body).
 */
#ifndef MK_CLI_HTTP_H
#define MK_CLI_HTTP_H

#include <jansson.h>
#include <stdbool.h>

#include "util.h"

typedef struct cli_http cli_http;

typedef struct cli_reply {
    long status;  /* HTTP status */
    json_t *json; /* the body when it is JSON, else NULL */
    char *text;   /* the body as received (never NULL after a call) */
} cli_reply;

/* base_url: scheme://host:port[/prefix], a trailing '/' is ignored. username NULL: no auth.
 * password: may be NULL with a username (sent as empty). timeout_s: per request, connect
 * included. */
cli_http *cli_http_new(const char *base_url, const char *username, const char *password,
                       double timeout_s);
void cli_http_free(cli_http *c);
void cli_http_freep(cli_http **c);
#define cleanup_http __attribute__((cleanup(cli_http_freep)))

/* Verifies an https:// server against the CA certificates of this PEM file (NULL: the system's
 * CAs, libcurl's default). */
void cli_http_set_ca_cert(cli_http *c, const char *ca_file);

/* The base URL as used (for messages). */
const char *cli_http_base(const cli_http *c);

/* Sends `method` to base + path (path starts with '/', already escaped); `body` (may be NULL) is
 * sent as JSON. Fills `reply` (clear it with cli_reply_clear). Returns 0 when the server answered
 * with any status, CLI_HTTP_UNREACHABLE with `err` when it could not be reached or the transfer
 * failed, CLI_HTTP_TLS_FAILED with `err` (one sentence) when TLS could not be set up with it: its
 * certificate did not verify, or it does not speak TLS. */
#define CLI_HTTP_UNREACHABLE (-1)
#define CLI_HTTP_TLS_FAILED  (-2)
int cli_http_call(cli_http *c, const char *method, const char *path, const json_t *body,
                  cli_reply *reply, mk_err *err);
void cli_reply_clear(cli_reply *r);

/* One path segment percent-encoded (RFC 3986 unreserved characters kept). Caller frees. */
char *cli_path_escape(const char *segment);

#endif
