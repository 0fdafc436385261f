/*
 * http_api: libmicrohttpd with a thread per connection; each request is checked here, then asked
 * of the core through the queue, and the connection's thread waits for the answer.
 *
 * A thread per connection suits this server: requests are tiny and the work is the core's, so a
 * thread mostly waits on its reply, and many requests in flight become one batch for the core
 * (it drains the whole queue per wakeup). Keep-alive connections are kept, so a client polling the
 * status pays for no handshakes. Per request this file allocates only the core message, its JSON
 * arguments and the answer's text: the benchmark's request rate is bounded by the core, not here.
 *
 * Order of checks, each answered before the next runs: route and method (404/405), auth (401/403),
 * kind (404), arguments (400). What needs only the request itself (route, method, arguments) is
 * worked out by http_request.c without the server; this file adds the credentials and the answers.
 * Nothing that fails a check reaches the core.
 */
#include "http_api.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_api_internal.h"
#include "http_page.h"
#include "log.h"
#include "tls_pem.h"
#include "util.h"

#define COMPONENT       "api"
#define MAX_CONNECTIONS 256  /* one thread each; far more than operators and pollers need */
#define IDLE_TIMEOUT_S  30   /* an idle keep-alive connection gives its thread back after this */
#define MAX_AUTH_B64    4096 /* longer credentials are refused without decoding them */

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

/* ---- the core ----------------------------------------------------------------------------------
 */

/* Asks the core (`body` is taken); returns the HTTP status (503 when the core does not answer in
 * time or is stopping) and the answer's body in *out (may be NULL). */
unsigned http_ask_core(http_api *api, const char *name, json_t *body, json_t **out)
{
    core_reply *reply = core_reply_new();
    *out = NULL;
    if (core_queue_push(api->queue, core_msg_new(CORE_MSG_REQUEST, name, body, reply)) < 0) {
        core_reply_unref(reply);
        *out = json_pack("{s:s}", "error", "the scheduler is stopping");
        return 503;
    }
    int status = 0;
    int rc = core_reply_wait(reply, api->core_timeout_s, &status, out);
    core_reply_unref(reply); /* the core keeps its own reference if it has not answered yet */
    if (rc < 0) {
        log_warn(COMPONENT, "the core did not answer a '%s' request within %.1fs", name,
                 api->core_timeout_s);
        *out = json_pack("{s:s}", "error", "the scheduler's core did not answer in time");
        return 503;
    }
    if (status < 100 || status > 599) {
        log_error(COMPONENT, "the core answered '%s' with status %d", name, status);
        return 500;
    }
    return (unsigned)status;
}

static enum MHD_Result answer_from_core(http_api *api, struct MHD_Connection *c, const char *name,
                                        json_t *body)
{
    json_t *out = NULL;
    unsigned status = http_ask_core(api, name, body, &out);
    enum MHD_Result r = http_send_json(c, status, out);
    json_decref(out);
    return r;
}

/* `/`: the status document as HTML; an error from the core stays JSON. */
static enum MHD_Result answer_page(http_api *api, struct MHD_Connection *c)
{
    json_t *out = NULL;
    unsigned status = http_ask_core(api, "status", json_object(), &out);
    if (status != 200) {
        enum MHD_Result r = http_send_json(c, status, out);
        json_decref(out);
        return r;
    }
    char *html = http_page_render(out);
    json_decref(out);
    return send_text(c, 200, html, "text/html; charset=utf-8", NULL, NULL);
}

/* ---- answering -------------------------------------------------------------------------------
 */

/* Answers a request http_request_parse has worked out, in the order of checks above. */
static enum MHD_Result answer(http_api *api, struct MHD_Connection *c, http_request *rq)
{
    if (rq->status && !rq->routed)
        return http_send_error_with(c, rq->status, rq->error, rq->allow, NULL);
    if (api->auth && !rq->open && !http_authorized(api, c))
        return http_send_error_with(c, 401, "authentication required", NULL, api->challenge);
    if (!api->auth && rq->changing)
        return http_send_error(c, 403,
                               "changes are disabled: set AUTH_USERNAME and AUTH_PASSWORD on "
                               "the scheduler to enable them");
    if (rq->status)
        return http_send_error_with(c, rq->status, rq->error, NULL, NULL);
    if (rq->page)
        return answer_page(api, c);
    json_t *args = rq->args;
    rq->args = NULL; /* taken by the core's message or the admin operation */
    if (rq->admin)
        return http_api_v1_run_admin(api, c, rq->admin, args);
    return answer_from_core(api, c, rq->core, args);
}

/* MHD's access handler: called once with the headers, then for each piece of the body, then once
 * more with none left; the answer is given on that last call. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **state)
{
    if (*state == NULL) {
        *state = mk_xcalloc(1, sizeof(http_body));
        return MHD_YES;
    }
    http_body *body = *state;
    if (*upload_data_size > 0) {
        /* Only /v1 reads bodies; past the limit the rest is dropped and the answer is 413. */
        size_t n = *upload_data_size;
        if (!body->too_large && body->len + n <= HTTP_MAX_BODY) {
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
    log_debug(COMPONENT, "%s %s", method, url);
    const char *force = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "force");
    http_request rq;
    http_request_parse(method, url, force, body->data, body->len, body->too_large, &rq);
    enum MHD_Result r = answer(cls, c, &rq);
    http_request_clear(&rq);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    http_body *body = *state;
    if (body) {
        free(body->data);
        free(body);
        *state = NULL;
    }
}

/* ---- start and stop ------------------------------------------------------------------------- */

/* libmicrohttpd's own messages (printf-style, from the library: trusted formats). */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    log_warn(COMPONENT, "http server: %s", msg);
}

/* TLS 1.2 and 1.3 only, with GnuTLS's normal ciphers. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

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
    return MHD_start_daemon(
        flags | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        (uint16_t)api->cfg->framework_port, NULL, NULL, on_request, api, MHD_OPTION_EXTERNAL_LOGGER,
        mhd_log, NULL, /* first, or MHD logs some lines itself */
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
        MHD_OPTION_ARRAY, api->tls_cert ? tls : tls + 3, MHD_OPTION_END);
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
    free(api);
}

http_api *http_api_start(const config *cfg, core_queue *queue, mk_err *err)
{
    http_api *api = mk_xcalloc(1, sizeof(*api));
    api->cfg = cfg;
    api->queue = queue;
    api->core_timeout_s = HTTP_API_CORE_TIMEOUT_S;
    api->auth = cfg->auth_username && cfg->auth_password;
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
    /* Both IPv6 and IPv4 where the host has IPv6; IPv4 alone where it does not. */
    api->daemon = start_daemon(api, MHD_USE_DUAL_STACK);
    if (!api->daemon)
        api->daemon = start_daemon(api, 0);
    if (!api->daemon) {
        if (api->tls_cert)
            mk_err_set(err,
                       "FRAMEWORK_PORT: cannot serve the API over HTTPS on port %d (in use, or "
                       "FRAMEWORK_TLS_CERT/FRAMEWORK_TLS_KEY refused by GnuTLS: see the log above)",
                       cfg->framework_port);
        else
            mk_err_set(err, "FRAMEWORK_PORT: cannot serve the API on port %d (in use?)",
                       cfg->framework_port);
        free_api(api);
        return NULL;
    }
    log_info(COMPONENT, "serving the API and status page on port %d over %s%s", cfg->framework_port,
             api->tls_cert ? "HTTPS only" : "plain HTTP",
             api->auth ? " (Basic auth)" : " (read-only: AUTH_USERNAME/AUTH_PASSWORD not set)");
    return api;
}

void http_api_stop(http_api *api)
{
    if (!api)
        return;
    MHD_stop_daemon(api->daemon); /* joins every connection thread, waits included */
    free_api(api);
}

void http_api_set_core_timeout(http_api *api, double seconds)
{
    api->core_timeout_s = seconds;
}
