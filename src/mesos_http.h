/*
 * mesos_http: the libcurl plumbing shared by the Mesos client's stream and calls.
 *
 * How an easy handle talks to a master (HTTP/1.1, TLS verification as configured, Basic auth,
 * timeouts), how answers are collected (bodies capped, since only error texts are read), how the
 * header lines libcurl hands over are read, and how a libcurl error is explained to an operator.
 * The password goes to libcurl through CURLOPT_USERNAME/PASSWORD and nowhere else; CURLOPT_VERBOSE
 * is never set.
 */
#ifndef MK_MESOS_HTTP_H
#define MK_MESOS_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define MESOS_HTTP_MAX_BODY 4096 /* what is kept of an answer body: enough for any Mesos error */

/* Sets the options every request to the master carries. `body`, `headers` and `errbuf` (of
 * CURL_ERROR_SIZE bytes) must outlive the transfer. */
void mesos_http_setup(CURL *e, const config *cfg, const char *url, const char *body,
                      struct curl_slist *headers, char *errbuf);

/* An answer body, capped at MESOS_HTTP_MAX_BODY bytes (the rest is dropped). */
typedef struct {
    char *data;
    size_t len;
} mesos_http_body;

void mesos_http_body_append(mesos_http_body *b, const char *data, size_t len);
/* The body with trailing white space removed, "" when empty. Valid until the next append/reset. */
const char *mesos_http_body_text(mesos_http_body *b);
void mesos_http_body_reset(mesos_http_body *b);

/* The status of a status line ("HTTP/1.1 307 Temporary Redirect\r\n" -> 307), -1 if `line` is not
 * one. */
long mesos_http_status_line(const char *line, size_t len);
/* If the header line is `name` (case-insensitive), its value without surrounding white space
 * (malloc'd), else NULL. */
char *mesos_http_header_value(const char *line, size_t len, const char *name);

/* libcurl's message for `rc` (errbuf if it has one), plus a hint when the cause is likely
 * a configuration mismatch (TLS against a plain HTTP master and the reverse). Caller frees. */
char *mesos_http_error_text(CURLcode rc, const char *errbuf, bool ssl);
/* Whether `rc` means the master's certificate could not be verified (or the CA file used). */
bool mesos_http_is_certificate_error(CURLcode rc);

#endif
