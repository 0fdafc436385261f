/*
 * http_request: the routes of /v0, /health, `/` and /v1 as tables of matches, and the arguments of
 * each, checked without the server (see http_request.h).
 *
 * Nothing here allocates but the arguments' JSON: a request that fails a check costs one formatted
 * message in the struct. libmicrohttpd has already decoded the path and the query (with
 * http_unescape, below); the path is split here (on the decoded text, so an escaped '/' inside a
 * topic name is a separator, as it is for the server, which never sees the escape) and each
 * argument is checked for its own rules.
 *
 * Both API versions share one model of methods: a route lists the methods it answers and those of
 * them that change something; HEAD is listed only beside a GET that changes nothing, and is then
 * matched as that GET. The Allow header of a 405 is that list. Every number in a path goes through
 * http_parse_number, so no route can take " 7", "+7" or "%0a7" for 7.
 */
#include "http_request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MAX_TASK_ID     255
#define MAX_KAFKA_COUNT 1000 /* /v0 scale counts, as the scheduler takes them */
#define MAX_ZK_COUNT    99
#define V0_MAX_SEGS     5
#define V1_MAX_SEGS     6

/* The methods a route answers, as bits. HEAD is a GET without the body: allowed only where GET
 * changes nothing. */
typedef enum { M_GET = 1, M_POST = 2, M_PUT = 4, M_DELETE = 8, M_HEAD = 16 } method_bit;
#define M_READ (M_GET | M_HEAD)

/* ---- shared helpers ---------------------------------------------------------------------------
 */

/* A client's text quoted back in an error: at most `size`-1 printable ASCII bytes, others as '?',
 * so the message is always valid UTF-8 (jansson refuses anything else) and has no control bytes. */
const char *http_printable(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; s[n] && n + 1 < size; n++)
        out[n] = s[n] >= 0x20 && s[n] < 0x7f ? s[n] : '?';
    out[n] = '\0';
    return out;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t http_unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? hex_digit(r[1]) : -1;
        int lo = hi >= 0 ? hex_digit(r[2]) : -1; /* r[2] is read only when r[1] was a digit */
        if (lo < 0) {
            *w++ = *r++;
            continue;
        }
        int c = hi * 16 + lo;
        *w++ = c == 0 ? 0x7f : (char)c;
        r += 3;
    }
    *w = '\0';
    return (size_t)(w - s);
}

static bool is_control(char c)
{
    return (unsigned char)c < 0x20 || c == 0x7f;
}

int http_parse_number(const char *s, long min, long max, long *value, const char **why)
{
    size_t n = strspn(s, "0123456789"); /* not isdigit: no locale's other digits */
    if (n == 0 || s[n] != '\0') {
        *why = "must be a whole number written with digits only";
        return -1;
    }
    while (n > 1 && *s == '0') /* leading zeros do not make a number large */
        s++, n--;
    if (n > HTTP_MAX_DIGITS) {
        *why = "is too large";
        return -1;
    }
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0'); /* at most 9 digits: no overflow */
    if (v < min || v > max) {
        *why = v < min ? "is too small" : "is too large";
        return -1;
    }
    *value = v;
    return 0;
}

static bool refuse(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool refuse(char *why, size_t size, const char *fmt, ...)
{
    if (size == 0)
        return true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return true;
}

bool http_cross_site(const char *sec_fetch_site, const char *origin, const char *host, bool tls,
                     char *why, size_t why_size)
{
    char quoted[80], own[80];
    /* Only browsers send Sec-Fetch-Site, and only these four values: anything else is refused. */
    if (sec_fetch_site && strcasecmp(sec_fetch_site, "same-origin") != 0 &&
        strcasecmp(sec_fetch_site, "none") != 0)
        return refuse(why, why_size, "the browser sent it from another site (Sec-Fetch-Site: %s)",
                      http_printable(sec_fetch_site, quoted, 24));
    if (!origin)
        return false;
    if (strcasecmp(origin, "null") == 0)
        return refuse(why, why_size, "it comes from an opaque origin (Origin: null)");
    if (!host || !*host)
        return refuse(why, why_size, "it has an Origin header but no Host header");
    const char *scheme = tls ? "https://" : "http://";
    size_t len = strlen(scheme);
    if (strncasecmp(origin, scheme, len) == 0 && strcasecmp(origin + len, host) == 0)
        return false;
    return refuse(why, why_size, "it comes from another origin (Origin: %s, this API is %s%s)",
                  http_printable(origin, quoted, sizeof(quoted)), scheme,
                  http_printable(host, own, sizeof(own)));
}

int http_parse_force(const char *v, bool *force)
{
    *force = v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
    if (v && !*force && strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
        return -1;
    return 0;
}

int http_split_path(char *path, char **seg, int max)
{
    int n = 0;
    size_t len = strlen(path);
    if (len > 1 && path[len - 1] == '/')
        path[len - 1] = '\0';
    if (path[0] != '/')
        return -1;
    if (path[1] == '\0')
        return 0;
    char *p = path + 1;
    while (p) {
        if (n == max)
            return -1;
        char *slash = strchr(p, '/');
        if (slash)
            *slash = '\0';
        if (!*p)
            return -1;
        seg[n++] = p;
        p = slash ? slash + 1 : NULL;
    }
    return n;
}

static int fail(http_request *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(http_request *r, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof(r->error), fmt, ap);
    va_end(ap);
    r->status = status;
    json_decref(r->args);
    r->args = NULL;
    return -1;
}

/* The path copied and split, or -1 after a 404 (too long, empty segments, too many). */
static int split_url(http_request *r, const char *url, char *path, char **seg, int max)
{
    size_t len = strlen(url);
    if (len >= HTTP_MAX_PATH)
        return fail(r, 404, "no such route");
    memcpy(path, url, len + 1);
    return http_split_path(path, seg, max);
}

static int no_route(http_request *r, const char *url)
{
    char quoted[80];
    return fail(r, 404, "no such route: %s", http_printable(url, quoted, sizeof(quoted)));
}

/* 400 for the first control byte of `text` (`what` names it), before the route is looked up. */
static int control_characters(http_request *r, const char *what, const char *text)
{
    if (!text)
        return 0;
    for (size_t i = 0; text[i]; i++) {
        if (!is_control(text[i]))
            continue;
        unsigned char c = (unsigned char)text[i];
        return fail(r, 400,
                    "%s holds a control character (%%%02X%s at byte %zu): an escaped byte "
                    "%%00-%%1F or %%7F is refused",
                    what, c, c == 0x7f ? " or %00" : "", i + 1);
    }
    return 0;
}

/* 405 unless `m` is among `methods`. */
static int check_method(http_request *r, unsigned m, unsigned methods)
{
    static const char *const allow[32] = {
        [M_READ] = "GET, HEAD",
        [M_GET | M_POST] = "GET, POST", /* /v0's change routes: GET changes too, so no HEAD */
        [M_READ | M_PUT | M_POST] = "GET, HEAD, PUT, POST",
        [M_READ | M_POST] = "GET, HEAD, POST",
        [M_READ | M_DELETE] = "GET, HEAD, DELETE",
        [M_POST] = "POST",
        [M_PUT | M_POST] = "PUT, POST",
        [M_DELETE] = "DELETE",
    };
    if (m & methods)
        return 0;
    r->allow = allow[methods & 31] ? allow[methods & 31] : "GET, HEAD";
    return fail(r, 405, "method not allowed");
}

static unsigned method_of(const char *m)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"GET", M_GET}, {"HEAD", M_HEAD}, {"POST", M_POST}, {"PUT", M_PUT}, {"DELETE", M_DELETE}};
    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++)
        if (strcmp(m, names[i].name) == 0)
            return names[i].bit;
    return 0;
}

/* A number of the path (`name` the argument's, `text` as sent) into *value, or -1 after a 400
 * that names the argument and its range; `range_note` follows the range (" for kafka"). */
static int number_argument(http_request *r, const char *name, const char *text, long min, long max,
                           const char *range_note, long *value)
{
    const char *why = "is invalid";
    if (http_parse_number(text, min, max, value, &why) == 0)
        return 0;
    char quoted[24];
    return fail(r, 400, "%s: %s (a whole number from %ld to %ld%s, got '%s')", name, why, min, max,
                range_note, http_printable(text, quoted, sizeof(quoted)));
}

/* ---- /v0, /health and the page ----------------------------------------------------------------
 */

typedef struct {
    bool changing;                          /* GET and POST, both changing; else GET and HEAD */
    const char *request;                    /* the core request's name; NULL for the HTML page */
    const char *task, *member_kind, *count; /* path arguments, NULL when the route has none */
} v0_route;

/* Matches the path's segments to a route; false if none. */
static bool match_v0(char **seg, int n, v0_route *r)
{
    bool v0 = n >= 2 && strcmp(seg[0], "v0") == 0;
    *r = (v0_route){0};
    if (n == 0)
        return true; /* the page */
    if (n == 1 && strcmp(seg[0], "health") == 0)
        r->request = "health";
    else if (v0 && n == 2 && strcmp(seg[1], "status") == 0)
        r->request = "status";
    else if (v0 && n == 3 && strcmp(seg[1], "container") == 0)
        r->request = "container", r->task = seg[2];
    else if (v0 && n == 4 && strcmp(seg[1], "task") == 0 && strcmp(seg[2], "kill") == 0)
        r->request = "kill", r->changing = true, r->task = seg[3];
    else if (v0 && n == 3 && strcmp(seg[2], "reflate") == 0)
        r->request = "reflate", r->changing = true, r->member_kind = seg[1];
    else if (v0 && n == 4 && strcmp(seg[2], "scale") == 0)
        r->request = "scale", r->changing = true, r->member_kind = seg[1], r->count = seg[3];
    else
        return false;
    return true;
}

static bool valid_task_id(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
    return n > 0 && n <= MAX_TASK_ID && s[n] == '\0';
}

static int parse_v0(http_request *out, const char *method, const char *url, const char *force_text)
{
    char path[HTTP_MAX_PATH], quoted[80];
    char *seg[V0_MAX_SEGS] = {0};
    v0_route r;
    int n = split_url(out, url, path, seg, (int)MK_ARRAY_LEN(seg));
    if (n < 0)
        return out->status ? -1 : no_route(out, url);
    if (!match_v0(seg, n, &r))
        return no_route(out, url);
    if (check_method(out, method_of(method), r.changing ? M_GET | M_POST : M_READ) < 0)
        return -1;
    out->routed = true;
    out->open = r.request && strcmp(r.request, "health") == 0;
    out->changing = r.changing;

    const char *mk = r.member_kind;
    if (mk && strcmp(mk, "kafka") != 0 && strcmp(mk, "zookeeper") != 0)
        return fail(out, 404, "unknown kind '%s': use kafka or zookeeper",
                    http_printable(mk, quoted, sizeof(quoted)));
    if (r.task && !valid_task_id(r.task))
        return fail(out, 400, "task id: must be 1 to %d letters, digits, '.', '_' or '-'",
                    MAX_TASK_ID);
    long count = 0;
    bool force = false;
    if (r.count) {
        bool kafka = strcmp(mk, "kafka") == 0;
        if (number_argument(out, "count", r.count, 0, kafka ? MAX_KAFKA_COUNT : MAX_ZK_COUNT,
                            kafka ? " for kafka" : " for zookeeper", &count) < 0)
            return -1;
        if (http_parse_force(force_text, &force) < 0)
            return fail(out, 400, "force: must be true, false, 1 or 0");
    }
    if (!r.request) {
        out->page = true;
        return 0;
    }
    out->core = r.request;
    out->args = json_object();
    if (r.task)
        json_object_set_new(out->args, "task_id", json_string(r.task));
    if (mk)
        json_object_set_new(out->args, "kind", json_string(mk));
    if (r.count) {
        json_object_set_new(out->args, "count", json_integer(count));
        json_object_set_new(out->args, "force", json_boolean(force));
    }
    return 0;
}

/* ---- /v1 --------------------------------------------------------------------------------------
 */

typedef struct {
    unsigned methods;   /* allowed (M_READ where GET is: no /v1 GET changes anything) */
    unsigned changing;  /* those of `methods` that change something (need credentials) */
    const char *core;   /* the core request answering it, or NULL */
    const char *admin;  /* the kafka_admin operation, or NULL */
    const char *topic;  /* path arguments */
    const char *broker; /* "<id>" */
    const char *expr;   /* a broker id expression (broker_ops.h) */
    const char *key;    /* a config key */
    bool body;          /* the body is the operation's arguments */
} v1_route;

/* The core request of a broker verb (broker_ops.h), or NULL. */
static const char *broker_verb(const char *verb)
{
    static const char *const verbs[][2] = {
        {"add", "broker_add"},     {"clone", "broker_clone"}, {"update", "broker_update"},
        {"start", "broker_start"}, {"stop", "broker_stop"},   {"remove", "broker_remove"},
        {"list", "broker_list"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(verbs); i++)
        if (strcmp(verb, verbs[i][0]) == 0)
            return verbs[i][1];
    return NULL;
}

/* The route for `method`'s path segments after "v1"; false if no route has that path. The
 * operation may depend on the method (GET/DELETE on a topic), so `method` narrows it; HEAD is
 * matched as GET. */
static bool match_v1(char **seg, int n, unsigned method, v1_route *r)
{
    *r = (v1_route){0};
    const char *a = n > 0 ? seg[0] : "";
    if (n == 1 && strcmp(a, "connection") == 0) {
        *r = (v1_route){.methods = M_READ, .core = "connection"};
    } else if (n == 1 && strcmp(a, "plan") == 0) {
        *r = (v1_route){.methods = M_READ, .core = "plan"};
    } else if (n == 1 && strcmp(a, "brokers") == 0) {
        *r = (v1_route){.methods = M_READ | M_PUT | M_POST, .changing = M_PUT | M_POST};
        r->core = method & M_READ ? "brokers" : "restart";
    } else if (n == 2 && strcmp(a, "brokers") == 0) {
        *r = (v1_route){
            .methods = M_READ | M_PUT | M_POST, .changing = M_PUT | M_POST, .broker = seg[1]};
        r->core = method & M_READ ? "broker" : "restart";
    } else if (n == 3 && strcmp(a, "brokers") == 0 && strcmp(seg[2], "config") == 0) {
        *r = (v1_route){.methods = M_READ, .admin = "broker_config", .broker = seg[1]};
    } else if (n == 3 && strcmp(a, "brokers") == 0 && broker_verb(seg[2])) {
        const char *verb = broker_verb(seg[2]);
        bool settings =
            !strcmp(seg[2], "add") || !strcmp(seg[2], "update") || !strcmp(seg[2], "clone");
        bool list = strcmp(seg[2], "list") == 0;
        *r = (v1_route){.methods = list ? M_READ : M_POST,
                        .changing = list ? 0 : M_POST,
                        .core = verb,
                        .expr = seg[1],
                        .body = settings};
    } else if (n == 1 && strcmp(a, "topics") == 0) {
        *r = (v1_route){.methods = M_READ | M_POST, .changing = M_POST};
        r->admin = method & M_READ ? "topics" : "topic_create";
        r->body = method == M_POST;
    } else if (n == 2 && strcmp(a, "topics") == 0) {
        *r = (v1_route){.methods = M_READ | M_DELETE, .changing = M_DELETE, .topic = seg[1]};
        r->admin = method == M_DELETE ? "topic_delete" : "topic_describe";
    } else if (n == 3 && strcmp(a, "topics") == 0 && strcmp(seg[2], "offsets") == 0) {
        *r = (v1_route){.methods = M_READ, .admin = "topic_offsets", .topic = seg[1]};
    } else if (n == 3 && strcmp(a, "topics") == 0 && strcmp(seg[2], "partitions") == 0) {
        *r = (v1_route){.methods = M_PUT | M_POST,
                        .changing = M_PUT | M_POST,
                        .admin = "topic_partitions",
                        .topic = seg[1],
                        .body = true};
    } else if (n == 3 && strcmp(a, "topics") == 0 && strcmp(seg[2], "config") == 0) {
        *r = (v1_route){.methods = M_PUT | M_POST,
                        .changing = M_PUT | M_POST,
                        .admin = "topic_config_set",
                        .topic = seg[1],
                        .body = true};
    } else if (n == 4 && strcmp(a, "topics") == 0 && strcmp(seg[2], "config") == 0) {
        *r = (v1_route){.methods = M_DELETE,
                        .changing = M_DELETE,
                        .admin = "topic_config_unset",
                        .topic = seg[1],
                        .key = seg[3]};
    } else if (n == 3 && strcmp(a, "topics") == 0 && strcmp(seg[2], "producer-test") == 0) {
        *r = (v1_route){.methods = M_POST,
                        .changing = M_POST,
                        .admin = "producer_test",
                        .topic = seg[1],
                        .body = true};
    } else if (n == 2 && strcmp(a, "partitions") == 0 && strcmp(seg[1], "under-replicated") == 0) {
        *r = (v1_route){.methods = M_READ, .admin = "under_replicated"};
    } else if (n == 2 && strcmp(a, "partitions") == 0 && strcmp(seg[1], "unavailable") == 0) {
        *r = (v1_route){.methods = M_READ, .admin = "unavailable"};
    } else {
        return false;
    }
    return true;
}

/* The body as a JSON object of arguments into out->args (an empty body is {}); -1 after 400/413.
 */
static int body_arguments(http_request *out, const char *body, size_t len, bool too_large)
{
    if (too_large)
        return fail(out, 413, "body: larger than %zu bytes", HTTP_MAX_BODY);
    if (len == 0) {
        out->args = json_object();
        return 0;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        char quoted[160];
        return fail(out, 400, "body: not valid JSON (%s, line %d column %d)",
                    http_printable(jerr.text, quoted, sizeof(quoted)), jerr.line, jerr.column);
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return fail(out, 400, "body: must be a JSON object");
    }
    out->args = doc;
    return 0;
}

static int parse_v1(http_request *out, const char *method, const char *url, const char *force_text,
                    const char *body, size_t body_len, bool too_large)
{
    char path[HTTP_MAX_PATH];
    char *seg[V1_MAX_SEGS + 1] = {0}; /* "v1" and the route's own */
    v1_route r;
    unsigned m = method_of(method);
    int n = split_url(out, url, path, seg, (int)MK_ARRAY_LEN(seg));
    if (n < 0)
        return out->status ? -1 : no_route(out, url);
    if (n < 1 || strcmp(seg[0], "v1") != 0 || !match_v1(seg + 1, n - 1, m, &r))
        return no_route(out, url);
    if (check_method(out, m, r.methods) < 0)
        return -1;
    out->routed = true;
    out->changing = (m & r.changing) != 0;

    bool force = false;
    if (http_parse_force(force_text, &force) < 0)
        return fail(out, 400, "force: must be true, false, 1 or 0");
    if (!r.body)
        out->args = json_object();
    else if (body_arguments(out, body, body_len, too_large) < 0)
        return -1;
    char name[300], key[300]; /* longer than any valid name: kafka_admin says what is wrong */
    if (r.topic)
        json_object_set_new(out->args, "name",
                            json_string(http_printable(r.topic, name, sizeof(name))));
    if (r.key)
        json_object_set_new(out->args, "key", json_string(http_printable(r.key, key, sizeof(key))));
    if (r.broker) {
        long id = 0;
        if (number_argument(out, "broker id", r.broker, 0, HTTP_MAX_BROKER_ID, "", &id) < 0)
            return -1;
        json_object_set_new(out->args, "id", json_integer(id));
    }
    if (r.core && strcmp(r.core, "restart") == 0)
        json_object_set_new(out->args, "force", json_boolean(force));
    if (r.expr) {
        json_t *settings = out->args;
        out->args = json_pack("{s:s, s:b}", "expr", r.expr, "force", force);
        if (r.body)
            json_object_set_new(out->args, "settings", settings);
        else
            json_decref(settings);
    }
    out->core = r.core;
    out->admin = r.admin;
    return 0;
}

/* ---- the request ------------------------------------------------------------------------------
 */

int http_request_parse(const char *method, const char *url, const char *force, const char *body,
                       size_t body_len, bool too_large, http_request *out)
{
    memset(out, 0, sizeof(*out));
    if (control_characters(out, "the path", url) < 0 ||
        control_characters(out, "force: the value", force) < 0)
        return -1;
    if (strncmp(url, "/v1/", 4) == 0 || strcmp(url, "/v1") == 0)
        return parse_v1(out, method, url, force, body, body_len, too_large);
    return parse_v0(out, method, url, force);
}

/* ---- /api/broker: the earlier framework's form ------------------------------------------------
 */

/* GET or POST /api/broker/<verb>?broker=<expr>&<setting>=<value>...: every query argument but
 * broker, force and timeout is a setting of add or update (broker_settings.h, seed 000's names
 * too). */
static int parse_seed(http_request *out, const char *method, const char *url, const json_t *query)
{
    char path[HTTP_MAX_PATH];
    char *seg[4] = {0};
    int n = split_url(out, url, path, seg, (int)MK_ARRAY_LEN(seg));
    if (n < 0)
        return out->status ? -1 : no_route(out, url);
    const char *core =
        n == 3 && !strcmp(seg[0], "api") && !strcmp(seg[1], "broker") ? broker_verb(seg[2]) : NULL;
    if (!core)
        return no_route(out, url);
    bool list = strcmp(seg[2], "list") == 0;
    if (check_method(out, method_of(method), list ? M_READ : M_GET | M_POST) < 0)
        return -1;
    out->routed = true;
    out->changing = !list;
    bool settings = !strcmp(seg[2], "add") || !strcmp(seg[2], "update") || !strcmp(seg[2], "clone");
    out->args = json_object();
    json_t *changes = json_object();
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)query, key, value)
    {
        char quoted[80];
        const char *text = json_string_value(value);
        if (control_characters(out, key, text) < 0 ||
            control_characters(out, "an argument", key) < 0)
            break;
        if (strcmp(key, "broker") == 0) {
            json_object_set_new(out->args, "expr", json_string(text));
        } else if (strcmp(key, "force") == 0) {
            bool force = false;
            if (http_parse_force(text, &force) < 0) {
                fail(out, 400, "force: must be true, false, 1 or 0");
                break;
            }
            json_object_set_new(out->args, "force", json_boolean(force));
        } else if (strcmp(key, "restart") == 0 && strcmp(seg[2], "update") == 0) {
            continue; /* read below, as /v1's */
        } else if (strcmp(key, "timeout") == 0) {
            continue; /* the earlier framework's wait: the CLI waits, the server answers at once */
        } else if (settings) {
            json_object_set_new(changes, key, json_string(text));
        } else {
            fail(out, 400, "%s: not an argument of %s", http_printable(key, quoted, sizeof(quoted)),
                 seg[2]);
            break;
        }
    }
    if (out->status) {
        json_decref(changes);
        return -1;
    }
    if (settings)
        json_object_set_new(out->args, "settings", changes);
    else
        json_decref(changes);
    out->core = core;
    return 0;
}

int http_request_parse_query(const char *method, const char *url, const json_t *query,
                             const char *body, size_t body_len, bool too_large, http_request *out)
{
    int rc;
    if (strncmp(url, "/api/", 5) != 0) {
        rc = http_request_parse(method, url, json_string_value(json_object_get(query, "force")),
                                body, body_len, too_large, out);
    } else {
        memset(out, 0, sizeof(*out));
        rc =
            control_characters(out, "the path", url) < 0 ? -1 : parse_seed(out, method, url, query);
    }
    /* An update rolls the brokers it changes unless ?restart=false. */
    const char *restart = json_string_value(json_object_get(query, "restart"));
    if (rc == 0 && restart && out->core && strcmp(out->core, "broker_update") == 0) {
        bool yes = true;
        if (control_characters(out, "restart: the value", restart) < 0)
            return -1;
        if (http_parse_force(restart, &yes) < 0)
            return fail(out, 400, "restart: must be true, false, 1 or 0");
        json_object_set_new(out->args, "restart", json_boolean(yes));
    }
    return rc;
}

void http_request_clear(http_request *r)
{
    json_decref(r->args);
    memset(r, 0, sizeof(*r));
}
