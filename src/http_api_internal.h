/*
 * http_api_internal: what http_api.c (the server, /v0, the page) shares with http_api_v1.c (the
 * /v1 Kafka operations). Used by those two files only.
 */
#ifndef MK_HTTP_API_INTERNAL_H
#define MK_HTTP_API_INTERNAL_H

#include <microhttpd.h>
#include <stdbool.h>

#include <pthread.h>

#include "http_api.h"
#include "http_guard.h"
#include "http_request.h"

/* A request's body as it arrives. */
typedef struct {
    char *data; /* NUL-terminated */
    size_t len;
    bool too_large;
} http_body;

typedef struct http_wait http_wait;
typedef struct http_admin_pool http_admin_pool;

struct http_api {
    const config *cfg;
    core_queue *queue;
    struct MHD_Daemon *daemon;
    http_guard *guard;
    http_admin_pool *admin; /* http_api_v1.c's workers */
    double core_timeout_s;
    bool auth;            /* credentials configured: every route but /health needs them */
    char *challenge;      /* the WWW-Authenticate value, built once */
    char *tls_cert;       /* PEM text of FRAMEWORK_TLS_CERT; NULL: plain HTTP */
    char *tls_key;        /* PEM text of FRAMEWORK_TLS_KEY; wiped at the stop */
    pthread_mutex_t lock; /* over `waiting` and `stopping` */
    http_wait *waiting;   /* requests whose connection is suspended until their answer */
    bool stopping;
};

/* A request waiting for its answer, its connection suspended meanwhile (so it costs no thread).
 * Whoever finishes it first (the core's reply, a Kafka worker, the guard giving up at
 * `give_up_at`, the stop) resumes the connection, once; the server then answers from it. */
struct http_wait {
    pthread_mutex_t lock;
    int refs;
    bool resumed;
    struct MHD_Connection *conn;
    double give_up_at; /* monotonic; 0: never (a Kafka operation keeps its own time budget) */
    const char *core;  /* the core request asked, or NULL (a Kafka operation) */
    bool page;         /* answer the core's status document as the HTML page */
    core_reply *reply; /* the core's answer comes here */
    unsigned status;   /* a Kafka operation's answer, when `reply` is NULL */
    json_t *out;
    http_wait *prev, *next; /* in api->waiting */
};

/* Resumes the connection of `w` unless somebody already did (any thread). With a status, that is
 * the answer (`out` taken); with 0, the answer is in w->reply. */
void http_wait_finish(http_wait *w, unsigned status, json_t *out);
void http_wait_unref(http_wait *w);
http_wait *http_wait_ref(http_wait *w);

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

/* http_api_v1.c: a few worker threads run the Kafka operations, so that a slow Kafka holds up
 * neither the server's event loop nor more than HTTP_ADMIN_WORKERS operations at once. */
#define HTTP_ADMIN_WORKERS 4
#define HTTP_ADMIN_QUEUE   64 /* operations waiting for a worker; more are answered 503 */
http_admin_pool *http_admin_pool_start(http_api *api);
/* Queues the kafka_admin operation `op` with `args` (taken) for `w` (a reference taken); the
 * worker asks the core where the brokers are, runs it and finishes `w` with the result. Returns
 * -1 (nothing taken) when the queue is full or stopping. */
int http_admin_submit(http_admin_pool *p, http_wait *w, const char *op, json_t *args);
/* Finishes queued operations with 503, waits for the running ones, joins the workers. */
void http_admin_pool_stop(http_admin_pool *p);
/* Shared Kafka clients opened since start (one per bootstrap list the brokers have had). */
unsigned long http_admin_clients_created(http_admin_pool *p);

#endif
