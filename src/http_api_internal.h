/*
 * http_api_internal: what http_api.c (the server, /v0, the page) shares with http_api_v1.c (the
 * /v1 Kafka operations). Used by those two files only.
 */
#ifndef MK_HTTP_API_INTERNAL_H
#define MK_HTTP_API_INTERNAL_H

#include <microhttpd.h>
#include <stdbool.h>

#include "http_api.h"
#include "http_request.h"

struct http_api {
    const config *cfg;
    core_queue *queue;
    struct MHD_Daemon *daemon;
    double core_timeout_s;
    bool auth;       /* credentials configured: every route but /health needs them */
    char *challenge; /* the WWW-Authenticate value, built once */
    char *tls_cert;  /* PEM text of FRAMEWORK_TLS_CERT; NULL: plain HTTP */
    char *tls_key;   /* PEM text of FRAMEWORK_TLS_KEY; wiped at the stop */
};

/* A request's body as it arrives (the connection's MHD state). */
typedef struct {
    char *data; /* NUL-terminated */
    size_t len;
    bool too_large;
} http_body;

enum MHD_Result http_send_json(struct MHD_Connection *c, unsigned status, const json_t *body);
/* {"error": msg} with an Allow and/or WWW-Authenticate header (either may be NULL). */
enum MHD_Result http_send_error_with(struct MHD_Connection *c, unsigned status, const char *msg,
                                     const char *allow, const char *challenge);
enum MHD_Result http_send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Whether the request carries the configured credentials (constant-time comparison). */
bool http_authorized(const http_api *api, struct MHD_Connection *c);
/* Asks the core (`body` taken); returns the status and the answer in *out (may be NULL). */
unsigned http_ask_core(http_api *api, const char *name, json_t *body, json_t **out);

/* http_api_v1.c: runs the kafka_admin operation `op` with `args` (taken) against the registered
 * brokers and answers with its result. */
enum MHD_Result http_api_v1_run_admin(http_api *api, struct MHD_Connection *c, const char *op,
                                      json_t *args);

#endif
