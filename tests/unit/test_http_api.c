/*
 * Unit tests for src/http_api.c: the HTTP server in front of the scheduler core.
 *
 * Each test starts the server on a free port with a hand-made config, and a fake core thread that
 * takes the queue's messages, records them and answers canned replies. Requests go through libcurl.
 *
 *   - every route reaches the core as the right request name with the right arguments, by GET and
 *     (on the mutating routes) POST, trailing slash tolerated, the core's status and body passed
 * on;
 *   - 404 unknown route and kind, 405 with Allow, 400 for bad counts, force and task ids: none of
 *     them reaches the core;
 *   - Basic auth: missing or wrong credentials 401 with WWW-Authenticate, right ones pass, /health
 *     is open; without configured credentials reads pass and changes answer 403;
 *   - a core that does not answer gives 503; keep-alive connections are reused, POST bodies eaten;
 *   - the HTML page escapes what it shows and shows "-" for nulls;
 *   - with FRAMEWORK_TLS_CERT/_KEY: HTTPS only (plain HTTP gets no answer), verified against
 *     the CA that signed it and refused against another; certificate files gone since start-up
 *     are an error naming the variable;
 *   - /v1: broker routes become core requests, topic routes ask the core for the brokers first;
 *     bad ids, methods, credentials and bodies (malformed, not an object, too large) never reach
 * it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_net.h"
#include "test_pki.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "core_queue.h"
#include "http_api.h"
#include "util.h"

/* ---- the fake core -----------------------------------------------------------------------------
 */

#define MAX_SEEN 64

typedef struct {
    core_queue *queue;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken, stop;
    int n_seen;
    char *seen_name[MAX_SEEN];
    char *seen_body[MAX_SEEN]; /* compact JSON */
    int ignore;                /* this many next requests get no answer */
    json_t *status_doc;        /* the "status" answer */
} fake_core;

static void core_wakeup(void *ud)
{
    fake_core *fc = ud;
    pthread_mutex_lock(&fc->lock);
    fc->woken = true;
    pthread_cond_signal(&fc->cond);
    pthread_mutex_unlock(&fc->lock);
}

/* Canned answers: "status" the status document, "container" of task "missing" a 404, "kill" no
 * body at all, anything else {"answered": name}. */
static void core_answer(fake_core *fc, core_msg *m)
{
    pthread_mutex_lock(&fc->lock);
    if (fc->n_seen < MAX_SEEN) {
        fc->seen_name[fc->n_seen] = mk_xstrdup(m->name);
        fc->seen_body[fc->n_seen] = json_dumps(m->body, JSON_COMPACT | JSON_SORT_KEYS);
        fc->n_seen++;
    }
    bool ignore = fc->ignore > 0;
    if (ignore)
        fc->ignore--;
    json_t *doc = fc->status_doc ? json_incref(fc->status_doc) : json_object();
    pthread_mutex_unlock(&fc->lock);
    const char *task = json_string_value(json_object_get(m->body, "task_id"));
    if (ignore)
        json_decref(doc); /* the requester gives up; the message's reply reference goes with it */
    else if (strcmp(m->name, "status") == 0)
        core_reply_post(m->reply, 200, doc);
    else {
        json_decref(doc);
        if (strcmp(m->name, "container") == 0 && task && strcmp(task, "missing") == 0)
            core_reply_post(m->reply, 404, json_pack("{s:s}", "error", "no such task"));
        else if (strcmp(m->name, "kill") == 0)
            core_reply_post(m->reply, 200, NULL);
        else
            core_reply_post(m->reply, 200, json_pack("{s:s}", "answered", m->name));
    }
}

static void *core_main(void *ud)
{
    fake_core *fc = ud;
    for (;;) {
        pthread_mutex_lock(&fc->lock);
        while (!fc->woken && !fc->stop)
            pthread_cond_wait(&fc->cond, &fc->lock);
        bool stop = fc->stop;
        fc->woken = false;
        pthread_mutex_unlock(&fc->lock);
        core_msg *m = core_queue_take_all(fc->queue);
        while (m) {
            core_msg *next = m->next;
            core_answer(fc, m);
            core_msg_free(m);
            m = next;
        }
        if (stop)
            return NULL;
    }
}

/* ---- the server under test ---------------------------------------------------------------------
 */

typedef struct {
    fake_core core;
    config cfg;
    http_api *api;
    char base[64];
    const char *ca; /* the CA requests verify the server against; NULL: plain HTTP */
} env;

/* With `pki`, the server has its certificate and key and serves HTTPS only. */
static env *env_start_with(bool with_auth, const test_pki *pki)
{
    env *e = mk_xcalloc(1, sizeof(*e));
    pthread_mutex_init(&e->core.lock, NULL);
    pthread_cond_init(&e->core.cond, NULL);
    e->core.queue = core_queue_new(core_wakeup, &e->core);
    assert_int_equal(pthread_create(&e->core.thread, NULL, core_main, &e->core), 0);
    e->cfg.framework_port = test_free_port();
    e->cfg.framework_name = "test \"fw\"";
    if (with_auth) {
        e->cfg.auth_username = "admin";
        e->cfg.auth_password = "s3cret";
    }
    if (pki) {
        e->cfg.framework_tls_cert = (char *)pki->server_cert;
        e->cfg.framework_tls_key = (char *)pki->server_key;
        e->ca = pki->ca_cert;
    }
    mk_err err = {{0}};
    e->api = http_api_start(&e->cfg, e->core.queue, &err);
    if (!e->api)
        fail_msg("http_api_start: %s", err.msg);
    snprintf(e->base, sizeof(e->base), "%s://127.0.0.1:%d", pki ? "https" : "http",
             e->cfg.framework_port);
    return e;
}

static env *env_start(bool with_auth)
{
    return env_start_with(with_auth, NULL);
}

static void env_stop(env *e)
{
    http_api_stop(e->api);
    pthread_mutex_lock(&e->core.lock);
    e->core.stop = true;
    pthread_cond_signal(&e->core.cond);
    pthread_mutex_unlock(&e->core.lock);
    pthread_join(e->core.thread, NULL);
    core_queue_free(e->core.queue);
    for (int i = 0; i < e->core.n_seen; i++) {
        free(e->core.seen_name[i]);
        free(e->core.seen_body[i]);
    }
    json_decref(e->core.status_doc);
    pthread_cond_destroy(&e->core.cond);
    pthread_mutex_destroy(&e->core.lock);
    free(e);
}

static int seen_count(env *e)
{
    pthread_mutex_lock(&e->core.lock);
    int n = e->core.n_seen;
    pthread_mutex_unlock(&e->core.lock);
    return n;
}

/* ---- requests ----------------------------------------------------------------------------------
 */

typedef struct {
    long status;
    char body[16384];
    size_t body_len;
    char headers[4096];
    size_t headers_len;
} answer;

static size_t collect(char *buf, size_t cap, size_t *len, const char *data, size_t n)
{
    size_t room = cap - 1 - *len;
    size_t k = n < room ? n : room;
    memcpy(buf + *len, data, k);
    *len += k;
    buf[*len] = '\0';
    return n;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    return collect(a->body, sizeof(a->body), &a->body_len, data, size * n);
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    answer *a = ud;
    return collect(a->headers, sizeof(a->headers), &a->headers_len, data, size * n);
}

/* What every request sets: the URL, where the answer goes, a timeout, the credentials. */
static void prepare(CURL *curl, env *e, const char *path, const char *userpwd, answer *a)
{
    memset(a, 0, sizeof(*a));
    char url[1024];
    snprintf(url, sizeof(url), "%s%s", e->base, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, userpwd ? CURLAUTH_BASIC : CURLAUTH_NONE);
    if (e->ca)
        curl_easy_setopt(curl, CURLOPT_CAINFO, e->ca);
}

/* One request on `curl` (reused for keep-alive when given, else a fresh handle); `userpwd` is
 * "user:password" or NULL for no Authorization header. */
static void request_on(CURL *curl, env *e, const char *method, const char *path,
                       const char *userpwd, answer *a)
{
    prepare(curl, e, path, userpwd, a);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, NULL);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "this body is ignored by the server");
    } else {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
        if (strcmp(method, "GET") != 0)
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
}

static void request(env *e, const char *method, const char *path, const char *userpwd, answer *a)
{
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    request_on(curl, e, method, path, userpwd, a);
    curl_easy_cleanup(curl);
}

/* Whether a header line starts with `line` (every header follows the status line's CRLF). */
static bool has_header(const answer *a, const char *line)
{
    cleanup_free char *needle = mk_xasprintf("\r\n%s", line);
    return strcasestr(a->headers, needle) != NULL;
}

static void assert_json_body(const answer *a, const char *expected)
{
    cleanup_json json_t *got = json_loads(a->body, 0, NULL);
    cleanup_json json_t *want = json_loads(expected, 0, NULL);
    assert_non_null(got);
    assert_non_null(want);
    /* /health carries the server's own counts beside the core's answer */
    if (json_is_object(json_object_get(got, "api")) && !json_object_get(want, "api"))
        json_object_del(got, "api");
    if (!json_equal(got, want))
        fail_msg("body %s, expected %s", a->body, expected);
}

static void assert_error_contains(const answer *a, const char *text)
{
    cleanup_json json_t *got = json_loads(a->body, 0, NULL);
    const char *msg = json_string_value(json_object_get(got, "error"));
    if (!msg || !strstr(msg, text))
        fail_msg("error %s does not contain '%s'", a->body, text);
}

#define ADMIN "admin:s3cret"

/* ---- tests -------------------------------------------------------------------------------------
 */

static void test_routes_reach_core(void **state)
{
    static const struct {
        const char *method, *path, *name, *body, *reply;
    } cases[] = {
        {"GET", "/health", "health", "{}", "{\"answered\":\"health\"}"},
        {"GET", "/v0/status", "status", "{}", "{}"},
        {"GET", "/v0/status/", "status", "{}", "{}"},
        {"HEAD", "/v0/status", "status", "{}", ""},
        {"GET", "/v0/container/kafka-1.a_b-2", "container", "{\"task_id\":\"kafka-1.a_b-2\"}",
         "{\"answered\":\"container\"}"},
        {"GET", "/v0/kafka/reflate", "reflate", "{\"kind\":\"kafka\"}",
         "{\"answered\":\"reflate\"}"},
        {"POST", "/v0/zookeeper/reflate/", "reflate", "{\"kind\":\"zookeeper\"}",
         "{\"answered\":\"reflate\"}"},
        {"GET", "/v0/kafka/scale/1000", "scale",
         "{\"count\":1000,\"force\":false,\"kind\":\"kafka\"}", "{\"answered\":\"scale\"}"},
        {"POST", "/v0/zookeeper/scale/99?force=true", "scale",
         "{\"count\":99,\"force\":true,\"kind\":\"zookeeper\"}", "{\"answered\":\"scale\"}"},
        {"GET", "/v0/zookeeper/scale/0?force=1", "scale",
         "{\"count\":0,\"force\":true,\"kind\":\"zookeeper\"}", "{\"answered\":\"scale\"}"},
        {"GET", "/v0/kafka/scale/007?force=false", "scale",
         "{\"count\":7,\"force\":false,\"kind\":\"kafka\"}", "{\"answered\":\"scale\"}"},
        {"POST", "/v0/kafka/scale/3?force=0", "scale",
         "{\"count\":3,\"force\":false,\"kind\":\"kafka\"}", "{\"answered\":\"scale\"}"},
        {"GET", "/v0/task/kill/zookeeper-2.x", "kill", "{\"task_id\":\"zookeeper-2.x\"}", "{}"},
        {"POST", "/v0/task/kill/t", "kill", "{\"task_id\":\"t\"}", "{}"},
    };
    env *e = env_start(true);
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        answer a;
        request(e, cases[i].method, cases[i].path, ADMIN, &a);
        if (a.status != 200)
            fail_msg("%s %s: status %ld, body %s", cases[i].method, cases[i].path, a.status,
                     a.body);
        assert_int_equal(seen_count(e), (int)i + 1);
        assert_string_equal(e->core.seen_name[i], cases[i].name);
        assert_string_equal(e->core.seen_body[i], cases[i].body);
        if (*cases[i].reply)
            assert_json_body(&a, cases[i].reply);
        else
            assert_int_equal(a.body_len, 0);
        assert_true(has_header(&a, "Content-Type: application/json\r\n"));
        assert_true(has_header(&a, "Cache-Control: no-store\r\n"));
    }
    env_stop(e);
}

static void test_core_status_passed_on(void **state)
{
    env *e = env_start(true);
    answer a;
    request(e, "GET", "/v0/container/missing", ADMIN, &a);
    assert_int_equal(a.status, 404);
    assert_json_body(&a, "{\"error\":\"no such task\"}");
    assert_int_equal(seen_count(e), 1);
    env_stop(e);
}

static void test_rejections_never_reach_core(void **state)
{
    static const struct {
        const char *method, *path;
        long status;
        const char *error, *allow;
    } cases[] = {
        {"GET", "/nope", 404, "no such route", NULL},
        {"GET", "/v0", 404, "no such route", NULL},
        {"GET", "/v0/", 404, "no such route", NULL},
        {"GET", "/v0/status/x", 404, "no such route", NULL},
        {"GET", "/v0//status", 404, "no such route", NULL},
        {"GET", "/v0/container", 404, "no such route", NULL},
        {"GET", "/v0/kafka/scale", 404, "no such route", NULL},
        {"GET", "/v1/status", 404, "no such route", NULL},
        {"GET", "/v0/%ff%fe/status/q", 404, "no such route", NULL},
        {"GET", "/v0/redis/reflate", 404, "unknown kind 'redis': use kafka or zookeeper", NULL},
        {"POST", "/v0/Kafka/scale/3", 404, "unknown kind 'Kafka'", NULL},
        {"DELETE", "/v0/status", 405, "method not allowed", "Allow: GET, HEAD\r\n"},
        {"POST", "/v0/status", 405, "method not allowed", "Allow: GET, HEAD\r\n"},
        {"POST", "/health", 405, "method not allowed", "Allow: GET, HEAD\r\n"},
        {"POST", "/", 405, "method not allowed", "Allow: GET, HEAD\r\n"},
        {"PUT", "/v0/kafka/reflate", 405, "method not allowed", "Allow: GET, POST\r\n"},
        {"DELETE", "/v0/task/kill/t1", 405, "method not allowed", "Allow: GET, POST\r\n"},
        {"GET", "/v0/kafka/scale/abc", 400, "count: must be a whole number", NULL},
        {"GET", "/v0/kafka/scale/-1", 400, "count: must be a whole number", NULL},
        {"GET", "/v0/kafka/scale/+3", 400, "count: must be a whole number", NULL},
        {"GET", "/v0/kafka/scale/%2B3", 400, "count: must be a whole number", NULL},
        {"GET", "/v0/kafka/scale/3%20", 400, "count: must be a whole number", NULL},
        {"GET", "/v0/kafka/scale/1.5", 400, "count: must be a whole number", NULL},
        {"GET", "/v0/kafka/scale/1001", 400, "count: is too large", NULL},
        {"GET", "/v0/kafka/scale/99999999999999999999", 400, "count: is too large", NULL},
        {"GET", "/v0/zookeeper/scale/100", 400, "count: is too large (a whole number from 0 to 99",
         NULL},
        {"POST", "/v0/kafka/scale/3?force=yes", 400, "force", NULL},
        {"GET", "/v0/kafka/scale/3?force=", 400, "force", NULL},
        {"GET", "/v0/kafka/scale/3?force=TRUE", 400, "force", NULL},
        {"GET", "/v0/container/a%20b", 400, "task id", NULL},
        {"GET", "/v0/container/a%3Cb", 400, "task id", NULL},
        {"POST", "/v0/task/kill/x%2Cy", 400, "task id", NULL},
        {"POST", "/v0/task/kill/x%2Fy", 404, "no such route", NULL}, /* MHD decodes %2F */
        {"GET",
         "/v0/container/"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         400, "task id", NULL},
    };
    env *e = env_start(true);
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        answer a;
        request(e, cases[i].method, cases[i].path, ADMIN, &a);
        if (a.status != cases[i].status)
            fail_msg("%s %s: status %ld, expected %ld (body %s)", cases[i].method, cases[i].path,
                     a.status, cases[i].status, a.body);
        assert_error_contains(&a, cases[i].error);
        assert_true(has_header(&a, "Content-Type: application/json\r\n"));
        assert_true(has_header(&a, "Cache-Control: no-store\r\n"));
        if (cases[i].allow)
            assert_true(has_header(&a, cases[i].allow));
    }
    assert_int_equal(seen_count(e), 0);
    /* The longest valid task id (255) still passes. */
    char path[300] = "/v0/container/";
    memset(path + strlen(path), 'b', 255);
    answer a;
    request(e, "GET", path, ADMIN, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(seen_count(e), 1);
    env_stop(e);
}

static void test_basic_auth(void **state)
{
    static const char *const denied[] = {
        NULL,           "admin:wrong", "admin:s3cre", "admin:s3cret2",
        "Admin:s3cret", ":",           "admin",       "root:s3cret"};
    env *e = env_start(true);
    for (size_t i = 0; i < MK_ARRAY_LEN(denied); i++) {
        answer a;
        request(e, "GET", "/v0/status", denied[i], &a);
        if (a.status != 401)
            fail_msg("credentials %zu: status %ld", i, a.status);
        assert_true(has_header(&a, "WWW-Authenticate: Basic realm=\"test _fw_\""));
        assert_true(has_header(&a, "Cache-Control: no-store\r\n"));
        assert_error_contains(&a, "authentication required");
        request(e, "POST", "/v0/kafka/reflate", denied[i], &a);
        assert_int_equal(a.status, 401);
        request(e, "GET", "/", denied[i], &a);
        assert_int_equal(a.status, 401);
    }
    /* A malformed header, sent by hand. */
    CURL *curl = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Authorization: Basic !!!not-base64");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    answer a;
    request_on(curl, e, "GET", "/v0/status", NULL, &a);
    assert_int_equal(a.status, 401);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    assert_int_equal(seen_count(e), 0);

    request(e, "GET", "/health", NULL, &a); /* open to probes */
    assert_int_equal(a.status, 200);
    request(e, "GET", "/v0/status", ADMIN, &a);
    assert_int_equal(a.status, 200);
    request(e, "POST", "/v0/kafka/reflate", ADMIN, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(seen_count(e), 3);
    env_stop(e);
}

static void test_no_credentials_read_only(void **state)
{
    env *e = env_start(false);
    answer a;
    request(e, "GET", "/v0/status", NULL, &a);
    assert_int_equal(a.status, 200);
    request(e, "GET", "/v0/container/t1", "any:thing", &a);
    assert_int_equal(a.status, 200);
    request(e, "GET", "/health", NULL, &a);
    assert_int_equal(a.status, 200);
    assert_int_equal(seen_count(e), 3);
    static const char *const changes[] = {"/v0/kafka/reflate", "/v0/zookeeper/scale/3",
                                          "/v0/task/kill/t1"};
    for (size_t i = 0; i < MK_ARRAY_LEN(changes); i++) {
        request(e, "POST", changes[i], NULL, &a);
        assert_int_equal(a.status, 403);
        assert_error_contains(&a, "AUTH_USERNAME");
        request(e, "GET", changes[i], "admin:s3cret", &a);
        assert_int_equal(a.status, 403);
    }
    assert_int_equal(seen_count(e), 3);
    env_stop(e);
}

static void test_core_timeout_503(void **state)
{
    env *e = env_start(true);
    http_api_set_core_timeout(e->api, 0.2);
    pthread_mutex_lock(&e->core.lock);
    e->core.ignore = 2;
    pthread_mutex_unlock(&e->core.lock);
    answer a;
    request(e, "GET", "/health", NULL, &a);
    assert_int_equal(a.status, 503);
    assert_error_contains(&a, "did not answer in time");
    request(e, "GET", "/", ADMIN, &a);
    assert_int_equal(a.status, 503);
    request(e, "GET", "/health", NULL, &a); /* the core answers again */
    assert_int_equal(a.status, 200);
    assert_int_equal(seen_count(e), 3);
    env_stop(e);
}

static void test_keepalive_and_post_bodies(void **state)
{
    env *e = env_start(true);
    CURL *curl = curl_easy_init();
    answer a;
    for (int i = 0; i < 6; i++) {
        /* Alternate methods and outcomes (including rejections and POST bodies) on one connection.
         */
        static const char *const methods[] = {"GET", "POST", "GET", "POST", "DELETE", "POST"};
        static const char *const paths[] = {"/v0/status", "/v0/kafka/reflate",
                                            "/nope",      "/v0/kafka/scale/x",
                                            "/v0/status", "/v0/task/kill/a"};
        request_on(curl, e, methods[i], paths[i], ADMIN, &a);
        long connects = -1;
        curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
        if (i > 0 && connects != 0)
            fail_msg("request %d opened a new connection", i);
    }
    assert_int_equal(a.status, 200);
    curl_easy_cleanup(curl);
    assert_int_equal(seen_count(e), 3);
    env_stop(e);
}

static void test_html_page(void **state)
{
    env *e = env_start(true);
    e->core.status_doc = json_loads(
        "{\"framework\":{\"id\":\"fw-1\",\"name\":\"kafka & co\",\"subscribed\":true},"
        "\"zookeeper\":{\"desired\":3,\"quorum\":true,\"connect\":\"a:2181,b:2181\"},"
        "\"kafka\":{\"desired\":3,\"registered\":2,\"bootstrap\":null},"
        "\"members\":[{\"kind\":\"kafka\",\"id\":1,\"name\":\"kafka-1\",\"state\":\"running\","
        "\"task_id\":\"kafka-1.abc\",\"task_state\":\"TASK_RUNNING\",\"healthy\":true,"
        "\"agent_id\":\"S1\",\"hostname\":null,\"address\":\"10.0.0.1:9092\",\"failures\":2,"
        "\"next_launch_in_s\":null,\"message\":\"<script>alert('x')</script>\","
        "\"registered\":true}],"
        "\"recent_failures\":[{\"time\":\"2024-01-01T00:00:00Z\",\"member\":\"zookeeper-2\","
        "\"task_id\":\"zookeeper-2.x\",\"state\":\"TASK_FAILED\",\"message\":\"exit \\\"1\\\"\"}]}",
        0, NULL);
    assert_non_null(e->core.status_doc);
    answer a;
    request(e, "GET", "/", ADMIN, &a);
    assert_int_equal(a.status, 200);
    assert_true(has_header(&a, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_true(has_header(&a, "Cache-Control: no-store\r\n"));
    assert_string_equal(e->core.seen_name[0], "status");
    assert_non_null(strstr(a.body, "<meta http-equiv=\"refresh\" content=\"5\">"));
    assert_null(strstr(a.body, "<script"));
    assert_non_null(strstr(a.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(a.body, "kafka &amp; co"));
    assert_non_null(strstr(a.body, "exit &quot;1&quot;"));
    assert_non_null(strstr(a.body, "<td>-</td>"));
    assert_non_null(strstr(a.body, "10.0.0.1:9092"));
    assert_non_null(strstr(a.body, "kafka-1.abc"));
    assert_non_null(strstr(a.body, "TASK_FAILED"));
    assert_null(strstr(a.body, "null"));
    request(e, "GET", "/?x=1", ADMIN, &a); /* query strings do not change the route */
    assert_int_equal(a.status, 200);
    env_stop(e);
}

/* One request with a body (NULL: none) and a method of any kind. */
static void request_with_body(env *e, const char *method, const char *path, const char *userpwd,
                              const char *body, answer *a)
{
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    prepare(curl, e, path, userpwd, a);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    assert_int_equal(curl_easy_perform(curl), CURLE_OK);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_cleanup(curl);
}

/* /v1: broker routes become core requests; topic routes ask the core where the brokers are, then
 * run kafka_admin (which, with the fake core's answer, finds no broker: 503). */
static void test_v1_routes(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path, *name, *body;
        long status;
    } cases[] = {
        {"GET", "/v1/connection", "connection", "{}", 200},
        {"GET", "/v1/plan/", "plan", "{}", 200},
        {"GET", "/v1/brokers", "brokers", "{}", 200},
        {"PUT", "/v1/brokers?force=true", "restart", "{\"force\":true}", 200},
        {"GET", "/v1/brokers/2", "broker", "{\"id\":2}", 200},
        {"POST", "/v1/brokers/2", "restart", "{\"force\":false,\"id\":2}", 200},
        {"GET", "/v1/topics", "connection", "{}", 503},
        {"DELETE", "/v1/topics/orders", "connection", "{}", 503},
        {"GET", "/v1/partitions/unavailable", "connection", "{}", 503},
    };
    env *e = env_start(true);
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        answer a;
        int before = seen_count(e);
        request_with_body(e, cases[i].method, cases[i].path, ADMIN, NULL, &a);
        if (a.status != cases[i].status)
            fail_msg("%s %s: %ld %s", cases[i].method, cases[i].path, a.status, a.body);
        assert_int_equal(seen_count(e), before + 1);
        assert_string_equal(e->core.seen_name[before], cases[i].name);
        assert_string_equal(e->core.seen_body[before], cases[i].body);
    }
    answer a;
    request_with_body(e, "GET", "/v1/topics", ADMIN, NULL, &a);
    assert_error_contains(&a, "no Kafka broker is registered yet");
    env_stop(e);
}

static void test_v1_rejections_never_reach_core(void **state)
{
    (void)state;
    char *big = mk_xmalloc(70000);
    memset(big, ' ', 69999);
    big[0] = '{';
    big[69998] = '}';
    big[69999] = '\0';
    const struct {
        const char *method, *path, *userpwd, *body;
        long status;
        const char *error;
    } cases[] = {
        {"GET", "/v1/nothing", ADMIN, NULL, 404, "no such route"},
        {"GET", "/v1", ADMIN, NULL, 404, "no such route"},
        {"GET", "/v1/topics/a/b/c/d/e/f", ADMIN, NULL, 404, "no such route"},
        {"DELETE", "/v1/brokers", ADMIN, NULL, 405, "method not allowed"},
        {"GET", "/v1/topics/t/partitions", ADMIN, NULL, 405, "method not allowed"},
        {"PUT", "/v1/brokers/1", NULL, NULL, 401, "authentication required"},
        {"GET", "/v1/brokers", "admin:wrong", NULL, 401, "authentication required"},
        {"GET", "/v1/brokers/abc", ADMIN, NULL, 400, "broker id"},
        {"GET", "/v1/brokers/-1", ADMIN, NULL, 400, "broker id"},
        {"GET", "/v1/brokers/%207", ADMIN, NULL, 400, "broker id"}, /* strtol took " 7" */
        {"GET", "/v1/brokers/+7", ADMIN, NULL, 400, "broker id"},
        {"PUT", "/v1/brokers?force=maybe", ADMIN, NULL, 400, "force"},
        {"POST", "/v1/topics", ADMIN, "{\"name\": ", 400, "body: not valid JSON"},
        {"POST", "/v1/topics", ADMIN, "[1]", 400, "body: must be a JSON object"},
        {"POST", "/v1/topics", ADMIN, "{\"a\":1,\"a\":2}", 400, "body: not valid JSON"},
        {"PUT", "/v1/topics/t/config", ADMIN, big, 413, "body: larger than"},
    };
    env *e = env_start(true);
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        answer a;
        request_with_body(e, cases[i].method, cases[i].path, cases[i].userpwd, cases[i].body, &a);
        if (a.status != cases[i].status)
            fail_msg("%s %s: %ld %s", cases[i].method, cases[i].path, a.status, a.body);
        assert_error_contains(&a, cases[i].error);
    }
    assert_int_equal(seen_count(e), 0);
    env_stop(e);
    /* Without credentials configured, changes are refused and reads pass. */
    e = env_start(false);
    answer a;
    request_with_body(e, "PUT", "/v1/brokers/1", NULL, NULL, &a);
    assert_int_equal(a.status, 403);
    request_with_body(e, "POST", "/v1/topics", NULL, "{\"name\":\"t\"}", &a);
    assert_int_equal(a.status, 403);
    assert_int_equal(seen_count(e), 0);
    request_with_body(e, "GET", "/v1/brokers", NULL, NULL, &a);
    assert_int_equal(a.status, 200);
    env_stop(e);
    free(big);
}

static void test_port_in_use(void **state)
{
    env *e = env_start(false);
    config cfg = {.framework_port = e->cfg.framework_port, .framework_name = "x"};
    mk_err err = {{0}};
    assert_null(http_api_start(&cfg, e->core.queue, &err));
    assert_non_null(strstr(err.msg, "FRAMEWORK_PORT"));
    http_api_stop(NULL);
    env_stop(e);
}

/* A GET of `url` verified against `ca`; returns libcurl's result, the status in *status. */
static CURLcode fetch_with_ca(const char *url, const char *ca, long *status)
{
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    answer a;
    memset(&a, 0, sizeof(a));
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    if (ca)
        curl_easy_setopt(curl, CURLOPT_CAINFO, ca);
    CURLcode rc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    return rc;
}

static void test_tls_serves_https_only(void **state)
{
    test_pki pki = {0};
    test_pki_make(&pki);
    mk_err err = {{0}};
    config probe = {.framework_tls_cert = pki.server_cert};
    assert_int_equal(http_api_check_tls(&probe, &err), 0); /* Debian's MHD has GnuTLS */

    env *e = env_start_with(true, &pki);
    answer a;
    request(e, "GET", "/health", NULL, &a);
    assert_int_equal(a.status, 200);
    request(e, "GET", "/v0/status", ADMIN, &a); /* Basic auth inside TLS */
    assert_int_equal(a.status, 200);
    request(e, "GET", "/v0/status", NULL, &a);
    assert_int_equal(a.status, 401);

    char url[96];
    long status = 0;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/health", e->cfg.framework_port);
    assert_int_not_equal(fetch_with_ca(url, NULL, &status), CURLE_OK); /* no plain HTTP */
    assert_true(status == 0);
    snprintf(url, sizeof(url), "https://127.0.0.1:%d/health", e->cfg.framework_port);
    assert_int_equal(fetch_with_ca(url, pki.rogue_ca, &status), CURLE_PEER_FAILED_VERIFICATION);
    assert_int_equal(fetch_with_ca(url, pki.ca_cert, &status), CURLE_OK);
    assert_int_equal(status, 200);
    int seen = seen_count(e);
    env_stop(e);
    assert_int_equal(seen, 3); /* health, status, health: the refused ones never reached it */
    test_pki_remove(&pki);
}

static void test_tls_files_that_vanished(void **state)
{
    /* The config checked them at start-up; a file gone since is still an error, named. */
    test_pki pki = {0};
    test_pki_make(&pki);
    core_queue *queue = core_queue_new(NULL, NULL);
    config cfg = {.framework_port = test_free_port(),
                  .framework_name = "x",
                  .framework_tls_cert = "/nonexistent/cert.pem",
                  .framework_tls_key = pki.server_key};
    mk_err err = {{0}};
    assert_null(http_api_start(&cfg, queue, &err));
    assert_string_equal(err.msg, "FRAMEWORK_TLS_CERT: cannot read the file: No such file or "
                                 "directory (/nonexistent/cert.pem)");
    cfg.framework_tls_cert = pki.server_cert;
    cfg.framework_tls_key = "/nonexistent/key.pem";
    assert_null(http_api_start(&cfg, queue, &err));
    assert_string_equal(err.msg, "FRAMEWORK_TLS_KEY: cannot read the file: No such file or "
                                 "directory (/nonexistent/key.pem)");
    core_queue_free(queue);
    test_pki_remove(&pki);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    log_set_level(LOG_ERROR); /* the 503 test warns on purpose */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_reach_core),
        cmocka_unit_test(test_core_status_passed_on),
        cmocka_unit_test(test_rejections_never_reach_core),
        cmocka_unit_test(test_basic_auth),
        cmocka_unit_test(test_no_credentials_read_only),
        cmocka_unit_test(test_core_timeout_503),
        cmocka_unit_test(test_keepalive_and_post_bodies),
        cmocka_unit_test(test_html_page),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_v1_routes),
        cmocka_unit_test(test_v1_rejections_never_reach_core),
        cmocka_unit_test(test_tls_serves_https_only),
        cmocka_unit_test(test_tls_files_that_vanished),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
