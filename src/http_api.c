/*
 * http_api: libmicrohttpd's epoll event loop on a small pool of threads; each request is checked
 * here, then asked of the core through the queue, with its connection suspended until the core's
 * reply resumes it. A connection costs no thread, whether it waits for the core, for Kafka (the
 * topic operations run on http_api_v1.c's workers) or for a client that sends nothing.
 *
 * What a hostile or careless client can make the server do is bounded: http_guard cuts off a
 * connection whose request has not arrived within its deadline from accept, every source address
 * has at most MAX_PER_ADDRESS connections, a body is read only once route, method, origin and
 * credentials have been accepted (an answer decided from the headers is sent at once, and a POST
 * with too large a Content-Length is refused before it is read), and the library's complaints
 * about malformed requests are counted rather than each logged. The errors libmicrohttpd makes by
 * itself (400, 413, 414, 431, 505 before a request is complete) keep its short HTML bodies: it
 * offers no way to replace them; every error this file sends is JSON.
 *
 * Order of checks, each answered before the next runs: route and method (404/405, 400 for a
 * control character in the path), a browser's cross-site change (403), auth (401/403), kind
 * (404), arguments (400). What needs only the request itself is worked out by http_request.c
 * without the server; this file adds the credentials, the origin and the answers. Nothing that
 * fails a check reaches the core.
 */
#include "http_api.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "http_api_internal.h"
#include "http_page.h"
#include "log.h"
#include "tls_pem.h"
#include "util.h"

#define COMPONENT     "api"
#define EVENT_THREADS 2 /* the event loop's threads: the work is the core's, not theirs */
#define MAX_CONNECTIONS                                                                            \
    4096 /* idle ones cost a socket and a little memory; lowered to the fd limit */
#define MAX_PER_ADDRESS 128 /* from one source address: one client cannot take them all */
#define IDLE_TIMEOUT_S  30  /* a client that stops reading its answer is dropped after this */
#define CONN_MEMORY     (16 * 1024) /* per connection: request line and headers, answer headers */
#define MAX_AUTH_B64    4096        /* longer credentials are refused without decoding them */

/* ---- responses ---------------------------------------------------------------------------------
 */

/* Queues `text` (taken) with the headers every answer carries; `allow`, `challenge` may be NULL. */
static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, char *text,
                                 const char *type, const char *allow, const char *challenge)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (challenge)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge);
    MHD_add_response_header(r, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS,
                            HTTP_PAGE_X_CONTENT_TYPE_OPTIONS);
    if (strncmp(type, "text/html", 9) == 0) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_X_FRAME_OPTIONS, HTTP_PAGE_X_FRAME_OPTIONS);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, HTTP_PAGE_CSP);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static char *json_text(const json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    return text ? text : mk_xstrdup("{}");
}

enum MHD_Result http_send_json(struct MHD_Connection *c, unsigned status, const json_t *body)
{
    return send_text(c, status, json_text(body), "application/json", NULL, NULL);
}

/* {"error": msg} with extra headers. */
enum MHD_Result http_send_error_with(struct MHD_Connection *c, unsigned status, const char *msg,
                                     const char *allow, const char *challenge)
{
    cleanup_json json_t *body = json_pack("{s:s}", "error", msg);
    return send_text(c, status, json_text(body), "application/json", allow, challenge);
}

enum MHD_Result http_send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return http_send_error_with(c, status, msg, NULL, NULL);
}

/* ---- auth --------------------------------------------------------------------------------------
 */

/* Whether the request carries the configured credentials. Both fields are compared over their full
 * length (mk_consttime_equal), so the time taken says nothing about where a guess went wrong. */
bool http_authorized(const http_api *api, struct MHD_Connection *c)
{
    const char *header =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!header || strncasecmp(header, "Basic ", 6) != 0)
        return false;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t len = strlen(b64);
    while (len > 0 && b64[len - 1] == ' ')
        len--;
    if (len == 0 || len > MAX_AUTH_B64)
        return false;
    unsigned char decoded[3 * MAX_AUTH_B64 / 4 + 4]; /* on the stack: no allocation per request */
    long n = mk_base64_decode(b64, len, decoded);
    bool ok = false;
    if (n > 0) {
        const unsigned char *colon = memchr(decoded, ':', (size_t)n);
        if (colon) {
            size_t ulen = (size_t)(colon - decoded), plen = (size_t)n - ulen - 1;
            const char *user = api->cfg->auth_username, *pass = api->cfg->auth_password;
            /* & rather than &&: the password is compared even when the user is wrong */
            int u = mk_consttime_equal(decoded, ulen, user, strlen(user));
            int p = mk_consttime_equal(colon + 1, plen, pass, strlen(pass));
            ok = (u & p) != 0;
        }
        explicit_bzero(decoded, (size_t)n);
    }
    return ok;
}

/* One request's state, from its headers to its completion. */
typedef struct {
    http_body body;
    http_guard_conn *guard_conn; /* its connection's, as the guard knows it */
    int answered;                /* an answer is queued or under way */
    http_wait *wait;             /* while (and after) its connection was suspended */
} http_call;

/* ---- waiting for an answer ---------------------------------------------------------------- */

http_wait *http_wait_ref(http_wait *w)
{
    pthread_mutex_lock(&w->lock);
    w->refs++;
    pthread_mutex_unlock(&w->lock);
    return w;
}

/* Drops `n` references at once. */
static void wait_unref_n(http_wait *w, int n)
{
    pthread_mutex_lock(&w->lock);
    w->refs -= n;
    int left = w->refs;
    pthread_mutex_unlock(&w->lock);
    if (left > 0)
        return;
    core_reply_unref(w->reply);
    json_decref(w->out);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

void http_wait_unref(http_wait *w)
{
    if (w)
        wait_unref_n(w, 1);
}

void http_wait_finish(http_wait *w, unsigned status, json_t *out)
{
    pthread_mutex_lock(&w->lock);
    if (w->resumed) {
        pthread_mutex_unlock(&w->lock);
        json_decref(out);
        return;
    }
    w->resumed = true;
    if (status) {
        w->status = status;
        w->out = out;
    }
    struct MHD_Connection *c = w->conn;
    pthread_mutex_unlock(&w->lock);
    MHD_resume_connection(c); /* the server answers from `w` on its next call */
}

/* The core posted its answer (or dropped the request, stopping). */
static void on_core_answer(void *ud)
{
    http_wait *w = ud;
    http_wait_finish(w, 0, NULL);
    http_wait_unref(w);
}

/* Suspends `c` until `w` is finished and lists `w`, or says no (0) when the server is stopping.
 * The suspension comes first, so that a finish from another thread always finds it suspended. */
static bool start_waiting(http_api *api, struct MHD_Connection *c, http_wait *w)
{
    pthread_mutex_lock(&api->lock);
    if (api->stopping) {
        pthread_mutex_unlock(&api->lock);
        return false;
    }
    MHD_suspend_connection(c);
    w->next = api->waiting;
    if (api->waiting)
        api->waiting->prev = w;
    api->waiting = http_wait_ref(w);
    pthread_mutex_unlock(&api->lock);
    return true;
}

/* Unlists `w`; true when it was listed (the caller then drops the list's reference). */
static bool stop_waiting(http_api *api, http_wait *w)
{
    pthread_mutex_lock(&api->lock);
    bool listed = w->prev || w->next || api->waiting == w;
    if (listed) {
        if (w->prev)
            w->prev->next = w->next;
        else
            api->waiting = w->next;
        if (w->next)
            w->next->prev = w->prev;
        w->prev = w->next = NULL;
    }
    pthread_mutex_unlock(&api->lock);
    return listed;
}

static http_wait *wait_new(struct MHD_Connection *c)
{
    http_wait *w = mk_xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->lock, NULL);
    w->refs = 1;
    w->conn = c;
    return w;
}

/* The guard's tick: gives up on core requests past their time, or on everything when stopping.
 * Returns how many it gave up on (at most a batch; the next tick takes the rest). */
static size_t give_up_batch(http_api *api, double now)
{
    http_wait *late[64];
    size_t n = 0;
    pthread_mutex_lock(&api->lock);
    for (http_wait *w = api->waiting; w && n < 64; w = w->next) {
        bool give_up = api->stopping || (w->give_up_at > 0 && now >= w->give_up_at);
        pthread_mutex_lock(&w->lock);
        bool pending = !w->resumed;
        pthread_mutex_unlock(&w->lock);
        if (give_up && pending)
            late[n++] = http_wait_ref(w);
    }
    pthread_mutex_unlock(&api->lock);
    for (size_t i = 0; i < n; i++) {
        http_wait_finish(late[i], 0, NULL);
        http_wait_unref(late[i]);
    }
    return n;
}

static void give_up_late(void *ud, double now)
{
    while (give_up_batch(ud, now) == 64)
        ;
}

/* Asks the core (`body` is taken) without waiting: the connection is suspended until the answer
 * or the give-up, and answered by answer_waited. */
static enum MHD_Result ask_core_async(http_api *api, struct MHD_Connection *c, http_call *call,
                                      const char *name, json_t *body, bool page)
{
    http_wait *w = wait_new(c);
    w->core = name;
    w->page = page;
    w->give_up_at = mk_now_monotonic() + api->core_timeout_s;
    w->reply = core_reply_new();
    if (!start_waiting(api, c, w)) {
        json_decref(body);
        http_wait_unref(w);
        return http_send_error(c, 503, "the scheduler is stopping");
    }
    call->wait = w;
    if (core_queue_push(api->queue, core_msg_new(CORE_MSG_REQUEST, name, body, w->reply)) < 0) {
        http_wait_finish(w, 503, json_pack("{s:s}", "error", "the scheduler is stopping"));
        return MHD_YES;
    }
    core_reply_on_post(w->reply, on_core_answer, http_wait_ref(w));
    return MHD_YES;
}

/* The core's answer to `name` on `reply`, waiting up to `wait_s`: its status and body in *out, 503
 * (said why) when it has not come, 500 for a status out of range. */
static unsigned core_answer(http_api *api, const char *name, core_reply *reply, double wait_s,
                            bool stopping, json_t **out)
{
    int status = 0;
    *out = NULL;
    if (core_reply_wait(reply, wait_s, &status, out) < 0) {
        if (!stopping)
            log_warn(COMPONENT, "the core did not answer a '%s' request within %.1fs", name,
                     api->core_timeout_s);
        *out = json_pack("{s:s}", "error",
                         stopping ? "the scheduler is stopping"
                                  : "the scheduler's core did not answer in time");
        return 503;
    }
    if (status < 100 || status > 599) {
        log_error(COMPONENT, "the core answered '%s' with status %d", name, status);
        json_decref(*out);
        *out = NULL;
        return 500;
    }
    return (unsigned)status;
}

/* Blocking: for threads that may wait (http_api_v1.c's workers). `body` is taken; returns the
 * HTTP status (503 when the core does not answer in time or is stopping) and the answer's body in
 * *out (may be NULL). */
unsigned http_ask_core(http_api *api, const char *name, json_t *body, json_t **out)
{
    core_reply *reply = core_reply_new();
    *out = NULL;
    if (core_queue_push(api->queue, core_msg_new(CORE_MSG_REQUEST, name, body, reply)) < 0) {
        core_reply_unref(reply);
        *out = json_pack("{s:s}", "error", "the scheduler is stopping");
        return 503;
    }
    unsigned status = core_answer(api, name, reply, api->core_timeout_s, false, out);
    core_reply_unref(reply); /* the core keeps its own reference if it has not answered yet */
    return status;
}

/* What the server adds to the core's /health answer: its own counts. */
static void add_server_counts(http_api *api, json_t *health)
{
    http_guard_stats st;
    http_guard_get_stats(api->guard, &st);
    json_object_set_new(
        health, "api",
        json_pack("{s:I, s:I, s:I, s:I, s:I}", "connections_open", (json_int_t)st.open,
                  "connections_accepted", (json_int_t)st.accepted, "connections_cut_off",
                  (json_int_t)st.cut_off, "malformed_or_refused", (json_int_t)st.server_messages,
                  "kafka_clients_created", (json_int_t)http_admin_clients_created(api->admin)));
}

/* The resumed connection's answer, from what finished its wait. */
static enum MHD_Result answer_waited(http_api *api, struct MHD_Connection *c, http_wait *w)
{
    pthread_mutex_lock(&w->lock);
    unsigned status = w->status;
    json_t *out = w->out;
    w->out = NULL;
    pthread_mutex_unlock(&w->lock);
    if (!status) { /* from the core: its answer is there now, or it was given up on */
        json_decref(out);
        pthread_mutex_lock(&api->lock);
        bool stopping = api->stopping;
        pthread_mutex_unlock(&api->lock);
        if (w->reply) /* an answer that came just after the give-up is still the answer */
            status = core_answer(api, w->core, w->reply, 0, stopping, &out);
        else
            return http_send_error(c, 503, "the scheduler is stopping");
    }
    enum MHD_Result r;
    if (w->page && status == 200) {
        char *html = http_page_render(out);
        r = send_text(c, 200, html, "text/html; charset=utf-8", NULL, NULL);
    } else {
        if (w->core && strcmp(w->core, "health") == 0 && json_is_object(out))
            add_server_counts(api, out);
        r = http_send_json(c, status, out);
    }
    json_decref(out);
    return r;
}

/* ---- answering -------------------------------------------------------------------------------
 */

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    if (json_object_size(cls) < HTTP_MAX_QUERY_ARGS)
        json_object_set_new(cls, key, json_string(value ? value : ""));
    return MHD_YES;
}

/* http_request_parse_query with the request's query arguments. */
static void parse_request(struct MHD_Connection *c, const char *method, const char *url,
                          const char *body, size_t len, bool too_large, http_request *rq)
{
    cleanup_json json_t *query = json_object();
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_query, query);
    http_request_parse_query(method, url, query, body, len, too_large, rq);
}

/* The checks that need only the headers: route and method, a browser's cross-site change, the
 * credentials, a body announced too large. 0 when they pass; otherwise the answer is queued. */
static int check_headers(http_api *api, struct MHD_Connection *c, http_call *call,
                         const char *method, const char *url, enum MHD_Result *r)
{
    http_request rq;
    parse_request(c, method, url, NULL, 0, false, &rq);
    int answered = 1;
    char why[160];
    if (rq.status && !rq.routed)
        *r = http_send_error_with(c, rq.status, rq.error, rq.allow, NULL);
    else if (rq.changing &&
             http_cross_site(
                 MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site"),
                 MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN),
                 MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
                 api->tls_cert != NULL, why, sizeof(why)))
        *r = http_send_error(c, 403, "cross-site request refused: %s", why);
    else if (api->auth && !rq.open && !http_authorized(api, c))
        *r = http_send_error_with(c, 401, "authentication required", NULL, api->challenge);
    else if (!api->auth && rq.changing)
        *r = http_send_error(c, 403,
                             "changes are disabled: set AUTH_USERNAME and AUTH_PASSWORD on the "
                             "scheduler to enable them");
    else {
        const char *length =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        char *end = NULL;
        unsigned long long n = length ? strtoull(length, &end, 10) : 0;
        if (length && end != length && n > HTTP_MAX_BODY)
            *r = http_send_error(c, 413, "body: larger than %zu bytes", HTTP_MAX_BODY);
        else
            answered = 0;
    }
    http_request_clear(&rq);
    call->answered = answered;
    return answered;
}

/* Whether the client said a body follows (a Content-Length above 0, or chunks). */
static bool body_announced(struct MHD_Connection *c)
{
    const char *length =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *chunked =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    return (length && strspn(length, "0") != strlen(length)) || chunked;
}

/* Answers a complete request, in the order of checks above (those on the headers passed). */
static enum MHD_Result answer(http_api *api, struct MHD_Connection *c, http_call *call,
                              http_request *rq)
{
    if (rq->status)
        return http_send_error_with(c, rq->status, rq->error, rq->allow, NULL);
    if (rq->page)
        return ask_core_async(api, c, call, "status", json_object(), true);
    json_t *args = rq->args;
    rq->args = NULL; /* taken by the core's message or the admin operation */
    if (rq->admin) {
        http_wait *w = wait_new(c);
        if (!start_waiting(api, c, w)) {
            json_decref(args);
            http_wait_unref(w);
            return http_send_error(c, 503, "the scheduler is stopping");
        }
        call->wait = w;
        if (http_admin_submit(api->admin, w, rq->admin, args) < 0) {
            json_decref(args);
            http_wait_finish(w, 503,
                             json_pack("{s:s}", "error",
                                       "too many Kafka operations are waiting; try again shortly"));
        }
        return MHD_YES;
    }
    return ask_core_async(api, c, call, rq->core, args, false);
}

/* MHD's access handler: called once with the headers, then for each piece of the body, then once
 * more with none left (the request is complete), and once more after a suspension ends. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **state)
{
    http_api *api = cls;
    http_call *call = *state;
    if (!call) {
        call = mk_xcalloc(1, sizeof(*call));
        *state = call;
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        call->guard_conn = info ? info->socket_context : NULL;
        enum MHD_Result r = MHD_YES;
        /* Without a body to come, the checks wait for the (immediate) last call: an answer queued
         * this early makes MHD close a keep-alive connection. */
        if (body_announced(c))
            check_headers(api, c, call, method, url, &r);
        return r;
    }
    if (call->wait)
        return answer_waited(api, c, call->wait);
    if (*upload_data_size > 0) {
        /* Past the limit (a chunked body: no Content-Length to refuse it by) the rest is dropped,
         * and the answer is 413; the guard's deadline bounds how long that can go on. */
        size_t n = *upload_data_size;
        http_body *body = &call->body;
        if (!call->answered && !body->too_large && body->len + n <= HTTP_MAX_BODY) {
            body->data = mk_xrealloc(body->data, body->len + n + 1);
            memcpy(body->data + body->len, upload_data, n);
            body->len += n;
            body->data[body->len] = '\0';
        } else {
            body->too_large = true;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (call->answered) /* decided from the headers; the answer is queued already */
        return MHD_YES;
    enum MHD_Result early = MHD_YES;
    if (!body_announced(c) && check_headers(api, c, call, method, url, &early))
        return early;
    call->answered = 1;
    http_guard_request_complete(api->guard, call->guard_conn);
    log_debug(COMPONENT, "%s %s", method, url);
    http_request rq;
    parse_request(c, method, url, call->body.data, call->body.len, call->body.too_large, &rq);
    enum MHD_Result r = answer(api, c, call, &rq);
    http_request_clear(&rq);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    http_api *api = cls;
    http_call *call = *state;
    if (!call)
        return;
    http_guard_answered(api->guard, call->guard_conn);
    http_wait *w = call->wait;
    if (w) {
        /* An answer that never came (given up on) must not keep the wait alive through the reply
         * it holds: the callback's reference goes with it. */
        int refs = 1 + stop_waiting(api, w) + (w->reply && core_reply_forget(w->reply));
        wait_unref_n(w, refs);
    }
    free(call->body.data);
    free(call);
    *state = NULL;
}

/* Every connection is known to the guard from its accept until just before its socket closes. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_api *api = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? http_guard_track(api->guard, info->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_guard_untrack(api->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* MHD decodes the path and the query arguments with this: a decoded NUL would cut them short. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    return http_unescape(s);
}

/* ---- start and stop ------------------------------------------------------------------------- */

/* libmicrohttpd's own messages (printf-style, from the library: trusted formats), mostly about
 * malformed requests and refused connections: the guard counts them and logs a few. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    http_api *api = cls;
    char msg[200];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    http_guard_server_message(api->guard, msg); /* started before the daemon */
}

/* TLS 1.2 and 1.3 only, with GnuTLS's normal ciphers. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* How many connections the fd limit leaves room for (the rest of the process needs some too). */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return MAX_CONNECTIONS;
    rlim_t room = rl.rlim_cur > 256 ? rl.rlim_cur - 128 : rl.rlim_cur / 2;
    return room < MAX_CONNECTIONS ? (unsigned)room : MAX_CONNECTIONS;
}

/* FRAMEWORK_BIND as a socket address (NULL: every address); config.c has validated it. */
static const struct sockaddr *bind_address(const config *cfg, struct sockaddr_storage *ss,
                                           unsigned *flags)
{
    if (!cfg->framework_bind)
        return NULL;
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, cfg->framework_bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->framework_port);
    } else if (inet_pton(AF_INET6, cfg->framework_bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->framework_port);
        *flags |= MHD_USE_IPv6;
    } else {
        return NULL;
    }
    return (const struct sockaddr *)ss;
}

static struct MHD_Daemon *start_daemon(http_api *api, unsigned flags)
{
    /* With TLS, MHD reads the certificate and key from memory; without, the list is empty. */
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, api->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, api->tls_key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES},
        {MHD_OPTION_END, 0, NULL},
    };
    if (api->tls_cert)
        flags |= MHD_USE_TLS;
    struct sockaddr_storage ss;
    const struct sockaddr *addr = bind_address(api->cfg, &ss, &flags);
    struct MHD_OptionItem bind[] = {
        {MHD_OPTION_SOCK_ADDR, 0, (void *)addr},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(
        flags | MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        (uint16_t)api->cfg->framework_port, NULL, NULL, on_request, api, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, api, /* first, or MHD logs some lines itself */
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, api, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        api, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)EVENT_THREADS, MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MAX_PER_ADDRESS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_ARRAY, addr ? bind : bind + 1, MHD_OPTION_ARRAY,
        api->tls_cert ? tls : tls + 3, MHD_OPTION_END);
}

int http_api_check_tls(const config *cfg, mk_err *err)
{
    if (cfg->framework_tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return mk_err_set(err, "FRAMEWORK_TLS_CERT: this libmicrohttpd was built without TLS "
                               "(GnuTLS), so the API cannot serve HTTPS; install a build with TLS "
                               "or unset FRAMEWORK_TLS_CERT and FRAMEWORK_TLS_KEY");
    return 0;
}

/* The certificate and key as MHD takes them: PEM text in memory. */
static int read_tls_files(http_api *api, mk_err *err)
{
    const config *cfg = api->cfg;
    if (!cfg->framework_tls_cert)
        return 0;
    if (http_api_check_tls(cfg, err) < 0)
        return -1;
    mk_err why = {{0}};
    if (mk_read_file(cfg->framework_tls_cert, TLS_PEM_MAX_BYTES, &api->tls_cert, NULL, &why) < 0)
        return mk_err_set(err, "FRAMEWORK_TLS_CERT: %s (%s)", why.msg, cfg->framework_tls_cert);
    if (mk_read_file(cfg->framework_tls_key, TLS_PEM_MAX_BYTES, &api->tls_key, NULL, &why) < 0)
        return mk_err_set(err, "FRAMEWORK_TLS_KEY: %s (%s)", why.msg, cfg->framework_tls_key);
    return 0;
}

static void free_api(http_api *api)
{
    free(api->challenge);
    free(api->tls_cert);
    if (api->tls_key) {
        explicit_bzero(api->tls_key, strlen(api->tls_key));
        free(api->tls_key);
    }
    pthread_mutex_destroy(&api->lock);
    free(api);
}

http_api *http_api_start(const config *cfg, core_queue *queue, mk_err *err)
{
    http_api *api = mk_xcalloc(1, sizeof(*api));
    api->cfg = cfg;
    api->queue = queue;
    api->core_timeout_s = HTTP_API_CORE_TIMEOUT_S;
    api->auth = cfg->auth_username && cfg->auth_password;
    pthread_mutex_init(&api->lock, NULL);
    /* The realm is the framework's name, with what would end the quoted string replaced. */
    char realm[128];
    http_printable(cfg->framework_name ? cfg->framework_name : "mesos-kafka", realm, sizeof(realm));
    for (char *p = realm; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '_';
    api->challenge = mk_xasprintf("Basic realm=\"%s\", charset=\"UTF-8\"", realm);
    if (read_tls_files(api, err) < 0) {
        free_api(api);
        return NULL;
    }
    api->guard = http_guard_start(HTTP_GUARD_REQUEST_DEADLINE_S, give_up_late, api);
    api->admin = api->guard ? http_admin_pool_start(api) : NULL;
    if (!api->admin) {
        http_guard_stop(api->guard);
        free_api(api);
        mk_err_set(err, "FRAMEWORK_PORT: cannot start the API's threads");
        return NULL;
    }
    /* Both IPv6 and IPv4 where the host has IPv6; IPv4 alone where it does not. */
    api->daemon = start_daemon(api, cfg->framework_bind ? 0 : MHD_USE_DUAL_STACK);
    if (!api->daemon && !cfg->framework_bind)
        api->daemon = start_daemon(api, 0);
    if (!api->daemon) {
        if (api->tls_cert)
            mk_err_set(err,
                       "FRAMEWORK_PORT: cannot serve the API over HTTPS on port %d (in use, or "
                       "FRAMEWORK_TLS_CERT/FRAMEWORK_TLS_KEY refused by GnuTLS: see the log above)",
                       cfg->framework_port);
        else
            mk_err_set(err, "FRAMEWORK_PORT: cannot serve the API on port %d of %s (in use?)",
                       cfg->framework_port,
                       cfg->framework_bind ? cfg->framework_bind : "every address");
        http_admin_pool_stop(api->admin);
        http_guard_stop(api->guard);
        free_api(api);
        return NULL;
    }
    log_info(COMPONENT, "serving the API and status page on port %d over %s%s, on %s",
             cfg->framework_port, api->tls_cert ? "HTTPS only" : "plain HTTP",
             api->auth ? " (Basic auth)" : " (read-only: AUTH_USERNAME/AUTH_PASSWORD not set)",
             cfg->framework_bind ? cfg->framework_bind : "every address");
    return api;
}

void http_api_stop(http_api *api)
{
    if (!api)
        return;
    pthread_mutex_lock(&api->lock);
    api->stopping = true; /* no request waits any more from here on */
    pthread_mutex_unlock(&api->lock);
    http_admin_pool_stop(api->admin);      /* finishes every Kafka operation's wait */
    give_up_late(api, mk_now_monotonic()); /* and every core request's */
    MHD_stop_daemon(api->daemon);          /* answers the resumed, closes every connection */
    http_guard_stop(api->guard);
    free_api(api);
}

void http_api_set_core_timeout(http_api *api, double seconds)
{
    api->core_timeout_s = seconds;
}
