/*
 * mesos_client: the v1 scheduler API over libcurl's multi interface, on the core thread.
 *
 * One multi handle carries everything: the SUBSCRIBE stream (one easy handle, a fresh connection
 * each time, as Mesos asks) and every other call (one easy handle each, sent one at a time in the
 * order they were made, on a pooled keep-alive connection to the master the stream is on).
 * mesos_client_run() polls the multi handle with a timeout that also covers our own timers: the
 * retry timer while waiting to re-subscribe and the heartbeat watchdog while a stream is open.
 *
 * Nothing reaches the caller from inside a libcurl callback. The stream's write callback only feeds
 * the RecordIO reader, which parses each record into an event and queues it; the events are handed
 * to on_event after curl_multi_perform() returns, in stream order, and before the end of the
 * stream is looked at. So a handler may call mesos_client_send() (libcurl forbids adding handles
 * from its callbacks), and it never sees a disconnection before the events that preceded it.
 *
 * States: IDLE (not started) -> CONNECTING (a SUBSCRIBE attempt in flight, possibly after
 * redirects) -> SUBSCRIBED (SUBSCRIBED event seen) -> WAITING (retry timer) -> CONNECTING ...;
 * STOPPED after a fatal error. Calls are sent only while SUBSCRIBED and are abandoned when the
 * stream goes: their answers would be about a stream that no longer exists, and the scheduler
 * reconciles after re-subscribing anyway.
 *
 * Secrets: see mesos_http.h; no log line here quotes a request header or a request body.
 */
#include "mesos_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "mesos_call.h"
#include "mesos_http.h"
#include "mesos_policy.h"
#include "mesos_url.h"
#include "recordio.h"

#define COMPONENT           "mesos"
#define MAX_EVENT_BYTES     (64u << 20) /* an OFFERS event for 10,000 agents fits comfortably */
#define CALL_TIMEOUT_S      30L
#define DEFAULT_HEARTBEAT_S 15.0

typedef enum { PHASE_IDLE, PHASE_WAITING, PHASE_CONNECTING, PHASE_SUBSCRIBED, PHASE_STOPPED } phase;

typedef struct call_req {
    struct call_req *next;
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    char *type;
    long expect;
    mesos_http_body answer;
    char errbuf[CURL_ERROR_SIZE];
} call_req;

typedef struct {
    mesos_event *items;
    size_t n, cap;
} event_list;

struct mesos_client {
    const config *cfg;
    mesos_client_handlers h;
    void *ud;
    CURLM *multi;
    phase phase;
    uint64_t rng;

    char *framework_id;
    char *master_id;
    double heartbeat_s;

    mesos_backoff backoff;
    mesos_rotation rotation;
    double retry_at;

    /* The current SUBSCRIBE attempt or stream. */
    CURL *sub;
    struct curl_slist *sub_headers;
    char *sub_body;
    char *sub_url;    /* what this attempt asks (a master, or where a redirect pointed) */
    char *stream_url; /* where calls go: the URL whose SUBSCRIBE succeeded */
    int redirects;
    long sub_status;
    char *sub_location;
    char *sub_stream_id; /* Mesos-Stream-Id of the answer */
    bool sub_streaming;  /* a 200 answer's body has begun */
    bool got_subscribed; /* the SUBSCRIBED event arrived on this stream */
    char *abort_reason;  /* set by a callback that aborted the transfer */
    mesos_http_body sub_answer;
    char sub_errbuf[CURL_ERROR_SIZE];
    recordio_reader *rio;
    double last_byte_at;
    event_list pending;
    unsigned generation; /* bumped whenever the stream is torn down */

    call_req *calls, *calls_tail; /* FIFO; the head is in flight when call_in_flight */
    bool call_in_flight;
};

/* ---- small helpers --------------------------------------------------------------------------- */

static double unit_random(mesos_client *c)
{
    /* xorshift64*: jitter needs spread, not secrecy. */
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (double)((c->rng * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

static void replace_str(char **slot, const char *value)
{
    char *copy = value ? mk_xstrdup(value) : NULL;
    free(*slot);
    *slot = copy;
}

static char *master_url(const mesos_client *c, int index)
{
    const config_endpoint *m = &c->cfg->masters[index];
    return mesos_url_for_master(m->host, m->port, c->cfg->mesos_ssl);
}

/* ---- calls ----------------------------------------------------------------------------------- */

/* Calls go out one at a time, in the order they were made: Mesos handles requests of different
 * connections in any order, and some orders matter (a DECLINE's filter overtaking the REVIVE
 * that should clear it leaves the framework without offers). One keep-alive connection, one call
 * in flight, as the C++ scheduler library does. */

static void call_free(call_req *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->body);
    free(r->type);
    mesos_http_body_reset(&r->answer);
    free(r);
}

/* Removes the head of the queue (the call in flight) and returns it. */
static call_req *pop_call(mesos_client *c)
{
    call_req *r = c->calls;
    if (!r)
        return NULL;
    if (c->call_in_flight) {
        curl_multi_remove_handle(c->multi, r->easy);
        c->call_in_flight = false;
    }
    c->calls = r->next;
    if (!c->calls)
        c->calls_tail = NULL;
    return r;
}

static size_t call_write_cb(char *data, size_t size, size_t n, void *ud)
{
    mesos_http_body_append(&((call_req *)ud)->answer, data, size * n);
    return size * n;
}

static void abandon_calls(mesos_client *c)
{
    size_t n = 0;
    call_req *r;
    while ((r = pop_call(c))) {
        call_free(r);
        n++;
    }
    if (n)
        log_debug(COMPONENT, "abandoned %zu call(s) of the old stream", n);
}

static void report_call_failure(mesos_client *c, const char *type, long status, const char *text)
{
    if (status)
        log_warn(COMPONENT, "%s call refused by the master (%ld): %s", type, status, text);
    else
        log_warn(COMPONENT, "%s call failed: %s", type, text);
    if (c->h.on_call_failed)
        c->h.on_call_failed(c->ud, type, status, text);
}

/* Starts the call at the head of the queue if none is in flight. */
static void start_next_call(mesos_client *c)
{
    while (c->calls && !c->call_in_flight) {
        CURLMcode mrc = curl_multi_add_handle(c->multi, c->calls->easy);
        if (mrc == CURLM_OK) {
            c->call_in_flight = true;
            log_debug(COMPONENT, "sending %s (%zu bytes)", c->calls->type, strlen(c->calls->body));
            return;
        }
        call_req *r = pop_call(c);
        report_call_failure(c, r->type, 0, curl_multi_strerror(mrc));
        call_free(r);
    }
}

int mesos_client_send(mesos_client *c, json_t *call)
{
    const char *type = mesos_call_type(call);
    if (c->phase != PHASE_SUBSCRIBED) {
        log_debug(COMPONENT, "dropping %s call: not subscribed", type ? type : "?");
        json_decref(call);
        return -1;
    }
    call_req *r = mk_xcalloc(1, sizeof(*r));
    r->type = mk_xstrdup(type ? type : "UNKNOWN");
    r->expect = strcmp(r->type, "UPDATE_FRAMEWORK") == 0 ? 200 : 202;
    r->body = json_dumps(call, JSON_COMPACT);
    json_decref(call);
    cleanup_free char *sid = mk_xasprintf("Mesos-Stream-Id: %s", c->sub_stream_id);
    r->headers = curl_slist_append(r->headers, "Content-Type: application/json");
    r->headers = curl_slist_append(r->headers, "Accept: application/json");
    r->headers = curl_slist_append(r->headers, sid);
    r->headers = curl_slist_append(r->headers, "Expect:");
    r->easy = curl_easy_init();
    if (!r->easy || !r->headers || !r->body) {
        log_error(COMPONENT, "cannot send %s: out of memory", r->type);
        call_free(r);
        return -1;
    }
    mesos_http_setup(r->easy, c->cfg, c->stream_url, r->body, r->headers, r->errbuf);
    curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, call_write_cb);
    curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, CALL_TIMEOUT_S);
    if (c->calls_tail)
        c->calls_tail->next = r;
    else
        c->calls = r;
    c->calls_tail = r;
    start_next_call(c);
    return 0;
}

static void call_done(mesos_client *c, CURLcode rc)
{
    call_req *r = pop_call(c);
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
        cleanup_free char *text = mesos_http_error_text(rc, r->errbuf, c->cfg->mesos_ssl);
        report_call_failure(c, r->type, 0, text);
    } else if (status != r->expect)
        report_call_failure(c, r->type, status, mesos_http_body_text(&r->answer));
    else
        log_debug(COMPONENT, "%s call accepted (%ld)", r->type, status);
    call_free(r);
    start_next_call(c);
}

/* ---- the stream ------------------------------------------------------------------------------ */

static void clear_pending(event_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        mesos_event_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int on_record(void *ud, const char *data, size_t len)
{
    mesos_client *c = ud;
    mk_err err = {{0}};
    mesos_event ev;
    if (mesos_event_parse(data, len, &ev, &err) < 0) {
        log_warn(COMPONENT, "skipping an event that does not parse: %s", err.msg);
        return 0;
    }
    if (c->pending.n == c->pending.cap) {
        c->pending.cap = c->pending.cap ? 2 * c->pending.cap : 8;
        c->pending.items = mk_xrealloc(c->pending.items, c->pending.cap * sizeof(mesos_event));
    }
    c->pending.items[c->pending.n++] = ev;
    return 0;
}

static size_t sub_header_cb(char *line, size_t size, size_t n, void *ud)
{
    mesos_client *c = ud;
    size_t len = size * n;
    char *v;
    long status = mesos_http_status_line(line, len);
    c->last_byte_at = mk_now_monotonic();
    if (status >= 0) {
        /* A new response (after an interim 1xx): forget the headers of the previous one. */
        c->sub_status = status;
        replace_str(&c->sub_location, NULL);
        replace_str(&c->sub_stream_id, NULL);
    } else if ((v = mesos_http_header_value(line, len, "Mesos-Stream-Id"))) {
        free(c->sub_stream_id);
        c->sub_stream_id = v;
    } else if ((v = mesos_http_header_value(line, len, "Location"))) {
        free(c->sub_location);
        c->sub_location = v;
    }
    return len;
}

static size_t sub_write_cb(char *data, size_t size, size_t n, void *ud)
{
    mesos_client *c = ud;
    size_t len = size * n;
    c->last_byte_at = mk_now_monotonic();
    if (c->sub_status != 200) {
        mesos_http_body_append(&c->sub_answer, data, len);
        return len;
    }
    if (!c->sub_streaming) {
        c->sub_streaming = true;
        if (!c->sub_stream_id || !*c->sub_stream_id) {
            replace_str(&c->abort_reason, "the master answered SUBSCRIBE without a "
                                          "Mesos-Stream-Id header");
            return 0;
        }
        log_debug(COMPONENT, "event stream open (stream id %s)", c->sub_stream_id);
    }
    mk_err err = {{0}};
    if (recordio_feed(c->rio, data, len, &err) < 0) {
        char *reason = mk_xasprintf("malformed event stream: %s", err.msg);
        free(c->abort_reason);
        c->abort_reason = reason;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    return len;
}

/* Removes the stream's easy handle and everything that belongs to the attempt. */
static void release_stream(mesos_client *c)
{
    if (c->sub) {
        curl_multi_remove_handle(c->multi, c->sub);
        curl_easy_cleanup(c->sub);
        c->sub = NULL;
    }
    curl_slist_free_all(c->sub_headers);
    c->sub_headers = NULL;
    free(c->sub_body);
    c->sub_body = NULL;
    c->sub_status = 0;
    replace_str(&c->sub_location, NULL);
    replace_str(&c->sub_stream_id, NULL);
    replace_str(&c->abort_reason, NULL);
    c->sub_streaming = false;
    c->got_subscribed = false;
    mesos_http_body_reset(&c->sub_answer);
    if (c->rio)
        recordio_reader_reset(c->rio);
    clear_pending(&c->pending);
    abandon_calls(c);
    c->generation++;
}

static void stop_fatal(mesos_client *c, const char *reason)
{
    if (c->phase == PHASE_STOPPED)
        return;
    release_stream(c);
    c->phase = PHASE_STOPPED;
    if (c->h.on_fatal)
        c->h.on_fatal(c->ud, reason);
}

static void start_attempt(mesos_client *c);

/* The attempt or stream is over: report, and set the retry timer as the policy says. */
static void end_stream(mesos_client *c, mesos_attempt_outcome outcome, const char *reason)
{
    bool was_subscribed = c->phase == PHASE_SUBSCRIBED;
    cleanup_free char *origin = mesos_url_origin(c->sub_url ? c->sub_url : "");
    cleanup_free char *why = mk_xstrdup(reason); /* `reason` may point into what we release */
    release_stream(c);
    c->redirects = 0;
    replace_str(&c->sub_url, NULL);
    c->phase = PHASE_WAITING;
    int from = c->rotation.current;
    double delay = mesos_rotation_next(&c->rotation, outcome, &c->backoff, unit_random(c));
    c->retry_at = mk_now_monotonic() + delay;
    if (was_subscribed)
        log_warn(COMPONENT, "disconnected from %s: %s", origin, why);
    else
        log_warn(COMPONENT, "subscribing to %s failed: %s", origin, why);
    if (c->cfg->n_masters > 1 && c->rotation.current != from) {
        const config_endpoint *m = &c->cfg->masters[c->rotation.current];
        log_info(COMPONENT, "next master to try: %s:%d (in %.2f s)", m->host, m->port, delay);
    } else if (delay > 0) {
        log_info(COMPONENT, "re-subscribing in %.2f s", delay);
    }
    if (was_subscribed && c->h.on_disconnected)
        c->h.on_disconnected(c->ud, why);
}

static void start_attempt(mesos_client *c)
{
    if (!c->sub_url)
        c->sub_url = master_url(c, c->rotation.current);
    json_t *call = mesos_call_subscribe(c->cfg, c->framework_id);
    c->sub_body = json_dumps(call, JSON_COMPACT);
    json_decref(call);
    c->sub_headers = curl_slist_append(NULL, "Content-Type: application/json");
    c->sub_headers = curl_slist_append(c->sub_headers, "Accept: application/json");
    c->sub_headers = curl_slist_append(c->sub_headers, "Expect:");
    c->sub = curl_easy_init();
    if (!c->sub || !c->sub_body || !c->sub_headers) {
        end_stream(c, MESOS_ATTEMPT_UNAVAILABLE, "out of memory preparing SUBSCRIBE");
        return;
    }
    mesos_http_setup(c->sub, c->cfg, c->sub_url, c->sub_body, c->sub_headers, c->sub_errbuf);
    /* Mesos wants every subscription on a connection of its own, and a pooled one may be dead. */
    curl_easy_setopt(c->sub, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(c->sub, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c->sub, CURLOPT_HEADERFUNCTION, sub_header_cb);
    curl_easy_setopt(c->sub, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(c->sub, CURLOPT_WRITEFUNCTION, sub_write_cb);
    curl_easy_setopt(c->sub, CURLOPT_WRITEDATA, c);
    c->phase = PHASE_CONNECTING;
    c->last_byte_at = mk_now_monotonic();
    CURLMcode mrc = curl_multi_add_handle(c->multi, c->sub);
    if (mrc != CURLM_OK) {
        end_stream(c, MESOS_ATTEMPT_UNAVAILABLE, curl_multi_strerror(mrc));
        return;
    }
    if (c->framework_id)
        log_info(COMPONENT, "subscribing to %s as framework %s", c->sub_url, c->framework_id);
    else
        log_info(COMPONENT, "subscribing to %s as a new framework", c->sub_url);
}

static void follow_redirect(mesos_client *c)
{
    mk_err err = {{0}};
    char *next = mesos_url_resolve_location(c->sub_url, c->sub_location, &err);
    if (!next) {
        end_stream(c, MESOS_ATTEMPT_UNREACHABLE, err.msg);
        return;
    }
    if (++c->redirects > MESOS_MAX_REDIRECTS) {
        free(next);
        cleanup_free char *why = mk_xasprintf("more than %d redirects (a loop, or no master leads)",
                                              MESOS_MAX_REDIRECTS);
        end_stream(c, MESOS_ATTEMPT_UNREACHABLE, why);
        return;
    }
    int redirects = c->redirects;
    cleanup_free char *from = mesos_url_origin(c->sub_url);
    log_info(COMPONENT, "%s is not the leading master; redirected to %s", from, next);
    release_stream(c);
    free(c->sub_url);
    c->sub_url = next;
    c->redirects = redirects;
    start_attempt(c);
}

/* The SUBSCRIBE transfer ended: decide from the curl result and the HTTP status. */
static void sub_done(mesos_client *c, CURLcode rc)
{
    cleanup_free char *origin = mesos_url_origin(c->sub_url);
    if (c->abort_reason) {
        end_stream(c, MESOS_ATTEMPT_STREAM_ENDED, c->abort_reason);
        return;
    }
    cleanup_free char *curl_text =
        rc == CURLE_OK ? NULL : mesos_http_error_text(rc, c->sub_errbuf, c->cfg->mesos_ssl);
    if (rc == CURLE_SSL_CACERT_BADFILE) {
        cleanup_free char *why = mk_xasprintf(
            "MESOS_CA_CERT %s cannot be used to verify the master's certificate: %s; it must be "
            "the PEM certificate of the CA that signed it",
            c->cfg->mesos_ca_cert ? c->cfg->mesos_ca_cert : "(system CAs)", curl_text);
        stop_fatal(c, why);
        return;
    }
    if (rc != CURLE_OK && mesos_http_is_certificate_error(rc)) {
        cleanup_free char *why = mk_xasprintf(
            "the certificate of %s could not be verified: %s; set MESOS_CA_CERT to the CA that "
            "signed it, or MESOS_SSL_VERIFY=false to skip verification (insecure)",
            origin, curl_text);
        stop_fatal(c, why);
        return;
    }
    if (c->sub_streaming) {
        const char *cut = recordio_pending(c->rio) > 0 ? " in the middle of an event" : "";
        cleanup_free char *why = rc == CURLE_OK
                                     ? mk_xasprintf("the master closed the event stream%s", cut)
                                     : mk_xasprintf("the event stream broke%s: %s", cut, curl_text);
        end_stream(c, MESOS_ATTEMPT_STREAM_ENDED, why);
        return;
    }
    if (rc != CURLE_OK) {
        end_stream(c, MESOS_ATTEMPT_UNREACHABLE, curl_text);
        return;
    }
    long status = c->sub_status;
    const char *user = c->cfg->mesos_username;
    const char *body = mesos_http_body_text(&c->sub_answer);
    cleanup_free char *why = NULL;
    switch (mesos_subscribe_answer(status)) {
    case MESOS_ANSWER_STREAM:
        end_stream(c, MESOS_ATTEMPT_STREAM_ENDED, "the master closed the event stream at once");
        return;
    case MESOS_ANSWER_REDIRECT:
        follow_redirect(c);
        return;
    case MESOS_ANSWER_FATAL_AUTH:
        why = user ? mk_xasprintf("the Mesos master at %s rejected the credentials of "
                                  "MESOS_USERNAME '%s' (401)",
                                  origin, user)
                   : mk_xasprintf("the Mesos master at %s requires credentials (401): set "
                                  "MESOS_USERNAME and MESOS_PASSWORD",
                                  origin);
        stop_fatal(c, why);
        return;
    case MESOS_ANSWER_FATAL_FORBIDDEN:
        why = mk_xasprintf("the Mesos master at %s refused MESOS_USERNAME '%s' (403)%s%s", origin,
                           user ? user : "", *body ? ": " : "", body);
        stop_fatal(c, why);
        return;
    case MESOS_ANSWER_FATAL_INVALID:
        why = mk_xasprintf("the Mesos master at %s refused the SUBSCRIBE call (%ld): %s", origin,
                           status, *body ? body : "(no message)");
        stop_fatal(c, why);
        return;
    case MESOS_ANSWER_RETRY_LATER:
        why =
            mk_xasprintf("the master is not available (%ld%s%s)", status, *body ? ": " : "", body);
        end_stream(c, MESOS_ATTEMPT_UNAVAILABLE, why);
        return;
    case MESOS_ANSWER_NEXT_MASTER:
    default:
        why = mk_xasprintf("unexpected answer %ld%s%s", status, *body ? ": " : "", body);
        end_stream(c, MESOS_ATTEMPT_UNREACHABLE, why);
        return;
    }
}

/* ---- events ---------------------------------------------------------------------------------- */

static void on_subscribed(mesos_client *c, const mesos_event *ev)
{
    c->got_subscribed = true;
    c->phase = PHASE_SUBSCRIBED;
    replace_str(&c->framework_id, ev->u.subscribed.framework_id);
    replace_str(&c->stream_url, c->sub_url);
    double hb = ev->u.subscribed.heartbeat_interval_s;
    c->heartbeat_s = hb > 0 ? hb : DEFAULT_HEARTBEAT_S;
    const char *mid = ev->u.subscribed.master_id;
    if (mid && c->master_id && strcmp(mid, c->master_id) != 0)
        log_warn(COMPONENT, "master failover: the leading master is now %s (was %s)", mid,
                 c->master_id);
    if (mid)
        replace_str(&c->master_id, mid);
    mesos_backoff_reset(&c->backoff);
    mesos_rotation_succeeded(&c->rotation);
    cleanup_free char *origin = mesos_url_origin(c->sub_url);
    log_info(COMPONENT,
             "subscribed as framework %s to master %s at %s (stream %s, heartbeat every %.1f s)",
             c->framework_id ? c->framework_id : "?", mid ? mid : "?", origin, c->sub_stream_id,
             c->heartbeat_s);
}

/* Returns false when the client stopped (no more events may be handed out). */
static bool handle_event(mesos_client *c, const mesos_event *ev)
{
    switch (ev->type) {
    case MESOS_EVENT_SUBSCRIBED:
        on_subscribed(c, ev);
        break;
    case MESOS_EVENT_HEARTBEAT:
        log_debug(COMPONENT, "heartbeat");
        break;
    case MESOS_EVENT_ERROR: {
        const char *msg = ev->u.error.message ? ev->u.error.message : "";
        mesos_error_kind kind = mesos_error_classify(msg, c->framework_id);
        log_error(COMPONENT, "the master sent ERROR: %s", msg);
        if (kind == MESOS_ERROR_FRAMEWORK_REMOVED && c->framework_id) {
            log_warn(COMPONENT,
                     "framework %s is no longer valid; the next SUBSCRIBE registers a new "
                     "framework",
                     c->framework_id);
            replace_str(&c->framework_id, NULL);
        }
        if (c->h.on_event)
            c->h.on_event(c->ud, ev);
        if (kind == MESOS_ERROR_FAILED_OVER) {
            cleanup_free char *why =
                mk_xasprintf("framework %s failed over to another scheduler instance (the "
                             "master said: %s); this instance stops",
                             c->framework_id ? c->framework_id : "?", msg);
            stop_fatal(c, why);
        } else if (kind == MESOS_ERROR_OTHER && !c->got_subscribed) {
            cleanup_free char *why =
                mk_xasprintf("the Mesos master refused the subscription: %s", msg);
            stop_fatal(c, why);
        }
        return c->phase != PHASE_STOPPED;
    }
    default:
        break;
    }
    if (c->h.on_event)
        c->h.on_event(c->ud, ev);
    return c->phase != PHASE_STOPPED;
}

static void dispatch_events(mesos_client *c)
{
    if (c->pending.n == 0)
        return;
    event_list batch = c->pending;
    memset(&c->pending, 0, sizeof(c->pending));
    unsigned gen = c->generation;
    size_t i = 0;
    /* A handler may end the stream (fatal ERROR); what followed on that stream is dropped. */
    for (; i < batch.n && c->generation == gen; i++) {
        handle_event(c, &batch.items[i]);
    }
    clear_pending(&batch);
}

/* ---- the loop -------------------------------------------------------------------------------- */

static void process_transfers(mesos_client *c)
{
    int running = 0;
    curl_multi_perform(c->multi, &running);
    dispatch_events(c);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        CURLcode rc = m->data.result;
        if (easy == c->sub)
            sub_done(c, rc);
        else if (c->call_in_flight && easy == c->calls->easy)
            call_done(c, rc);
    }
}

/* Seconds until the heartbeat watchdog fires for the open attempt or stream. */
static double watchdog_limit(const mesos_client *c)
{
    return c->cfg->mesos_heartbeat_misses * c->heartbeat_s;
}

static void run_timers(mesos_client *c)
{
    double now = mk_now_monotonic();
    if (c->phase == PHASE_WAITING && now >= c->retry_at) {
        start_attempt(c);
        return;
    }
    if ((c->phase == PHASE_CONNECTING || c->phase == PHASE_SUBSCRIBED) && c->sub &&
        now - c->last_byte_at >= watchdog_limit(c)) {
        cleanup_free char *why = NULL;
        if (c->phase == PHASE_SUBSCRIBED)
            why =
                mk_xasprintf("no heartbeat for %.1f s (%d missed heartbeats of %.1f s)",
                             now - c->last_byte_at, c->cfg->mesos_heartbeat_misses, c->heartbeat_s);
        else
            why = mk_xasprintf("no answer for %.1f s", now - c->last_byte_at);
        end_stream(c,
                   c->phase == PHASE_SUBSCRIBED ? MESOS_ATTEMPT_STREAM_ENDED
                                                : MESOS_ATTEMPT_UNREACHABLE,
                   why);
    }
}

static int poll_timeout_ms(mesos_client *c, int timeout_ms)
{
    double wait_s = timeout_ms < 0 ? 3600.0 : timeout_ms / 1000.0;
    double now = mk_now_monotonic();
    if (c->phase == PHASE_WAITING && c->retry_at - now < wait_s)
        wait_s = c->retry_at - now;
    if (c->sub) {
        double left = c->last_byte_at + watchdog_limit(c) - now;
        if (left < wait_s)
            wait_s = left;
    }
    long curl_ms = -1;
    curl_multi_timeout(c->multi, &curl_ms);
    if (curl_ms >= 0 && curl_ms / 1000.0 < wait_s)
        wait_s = curl_ms / 1000.0;
    if (wait_s < 0)
        wait_s = 0;
    return (int)(wait_s * 1000.0 + 0.999); /* round up: waking early would spin */
}

int mesos_client_run(mesos_client *c, int timeout_ms)
{
    if (c->phase == PHASE_STOPPED)
        return -1;
    process_transfers(c);
    run_timers(c);
    if (c->phase == PHASE_STOPPED)
        return -1;
    curl_multi_poll(c->multi, NULL, 0, poll_timeout_ms(c, timeout_ms), NULL);
    process_transfers(c);
    run_timers(c);
    return c->phase == PHASE_STOPPED ? -1 : 0;
}

void mesos_client_wakeup(mesos_client *c)
{
    curl_multi_wakeup(c->multi);
}

/* ---- life cycle ------------------------------------------------------------------------------ */

mesos_client *mesos_client_new(const config *cfg, const mesos_client_handlers *h, void *ud,
                               mk_err *err)
{
    if (cfg->n_masters < 1) {
        mk_err_set(err, "MESOS_MASTER names no master");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        mk_err_set(err, "libcurl could not be initialised");
        return NULL;
    }
    mesos_client *c = mk_xcalloc(1, sizeof(*c));
    c->cfg = cfg;
    c->h = *h;
    c->ud = ud;
    c->multi = curl_multi_init();
    c->rio = recordio_reader_new(MAX_EVENT_BYTES, on_record, c);
    if (!c->multi || !c->rio) {
        mesos_client_free(c);
        mk_err_set(err, "libcurl could not create a multi handle");
        return NULL;
    }
    if (mk_random_bytes(&c->rng, sizeof(c->rng)) < 0 || c->rng == 0)
        c->rng = (uint64_t)(mk_now_wall() * 1e6) | 1;
    c->heartbeat_s = DEFAULT_HEARTBEAT_S;
    mesos_backoff_init(&c->backoff, MESOS_BACKOFF_INITIAL_S, cfg->mesos_reconnect_max_s);
    mesos_rotation_init(&c->rotation, cfg->n_masters);
    if (cfg->mesos_ssl && !cfg->mesos_ssl_verify)
        log_warn(COMPONENT, "MESOS_SSL_VERIFY=false: the master's certificate and host name are "
                            "not verified");
    return c;
}

void mesos_client_free(mesos_client *c)
{
    if (!c)
        return;
    if (c->multi)
        release_stream(c);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    recordio_reader_free(c->rio);
    free(c->framework_id);
    free(c->master_id);
    free(c->sub_url);
    free(c->stream_url);
    free(c);
    curl_global_cleanup();
}

void mesos_client_set_framework_id(mesos_client *c, const char *framework_id)
{
    replace_str(&c->framework_id, framework_id && *framework_id ? framework_id : NULL);
}

const char *mesos_client_framework_id(const mesos_client *c)
{
    return c->framework_id;
}

bool mesos_client_is_subscribed(const mesos_client *c)
{
    return c->phase == PHASE_SUBSCRIBED;
}

void mesos_client_start(mesos_client *c)
{
    if (c->phase == PHASE_IDLE)
        start_attempt(c);
}
