/*
 * Fuzz the HTTP API's request checks (http_request_parse): routes of /v0, /health, `/` and /v1,
 * methods, path arguments, the `force` query argument and /v1 JSON bodies.
 *
 * Input: one byte choosing the method (and whether the body was cut at HTTP_MAX_BODY), then the
 * request target ("/path?query") up to the first NUL, then the body. The target is decoded as
 * libmicrohttpd decodes it before the server sees it, with the server's unescape callback
 * (http_unescape): the path unescaped, the query split on '&' and '=', '+' as space, each part
 * unescaped, the first `force` taken.
 *
 * Invariants: http_unescape decodes as MHD_http_unescape does unless a NUL is escaped, and never
 * leaves a NUL inside. A failure has a status of 400, 404, 405 or 413 with a printable message,
 * an Allow header exactly with 405 (never listing HEAD where GET changes something), and nothing
 * to ask; a control character in the path or `force` is a 400 before auth, otherwise a 404/405
 * comes before auth and a 400/413 after. A success has neither control characters nor HEAD on a
 * change, asks exactly one thing (the page, a core request or a kafka_admin operation) of a known
 * method, with an object of arguments that serialises (the core and kafka_admin get valid JSON)
 * and whose values are within the ranges the checks promise. The same request parses the same way
 * twice. No crash, leak or undefined behaviour.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "http_request.h"

#include "fuzz_check.h"

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "get", ""};

static bool printable(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s >= 0x7f)
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* http_unescape of `s` in place, checked against libmicrohttpd's own decoding. */
static void unescape(char *s)
{
    size_t len = strlen(s);
    char *theirs = malloc(len + 1);
    memcpy(theirs, s, len + 1);
    size_t their_len = MHD_http_unescape(theirs);
    bool escaped_nul = strstr(s, "%00") != NULL;
    size_t n = http_unescape(s);
    CHECK(n <= len && strlen(s) == n); /* no NUL inside */
    if (!escaped_nul)
        CHECK(n == their_len && memcmp(s, theirs, n + 1) == 0);
    free(theirs);
}

/* The value of the first `force` argument of `query` (changed in place), as MHD would give it. */
static const char *force_argument(char *query)
{
    for (char *part = query; part;) {
        char *amp = strchr(part, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(part, '=');
        if (eq)
            *eq = '\0';
        for (char *p = part; *p; p++)
            if (*p == '+')
                *p = ' ';
        unescape(part);
        if (strcmp(part, "force") == 0) {
            if (!eq)
                return "";
            char *value = eq + 1;
            for (char *p = value; *p; p++)
                if (*p == '+')
                    *p = ' ';
            unescape(value);
            return value;
        }
        part = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static json_int_t integer_arg(const json_t *args, const char *key)
{
    const json_t *v = json_object_get(args, key);
    CHECK(json_is_integer(v));
    return json_integer_value(v);
}

static void check_success(const http_request *r, const char *method, bool v1)
{
    CHECK(r->status == 0 && r->routed && r->allow == NULL);
    CHECK(strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
          strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
          strcmp(method, "DELETE") == 0);
    CHECK(r->page + (r->core != NULL) + (r->admin != NULL) == 1);
    if (r->page) {
        CHECK(!r->args && !v1 && !r->changing);
        CHECK(strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
        return;
    }
    CHECK(json_is_object(r->args));
    char *text = json_dumps(r->args, JSON_COMPACT);
    CHECK(text);
    free(text);
    if (r->open)
        CHECK(r->core && strcmp(r->core, "health") == 0 && !r->changing);
    const char *core = r->core ? r->core : "";
    if (strcmp(core, "scale") == 0) {
        const char *kind = json_string_value(json_object_get(r->args, "kind"));
        CHECK(kind && (strcmp(kind, "kafka") == 0 || strcmp(kind, "zookeeper") == 0));
        json_int_t count = integer_arg(r->args, "count");
        CHECK(count >= 0 && count <= (strcmp(kind, "kafka") == 0 ? 1000 : 99));
        CHECK(json_is_boolean(json_object_get(r->args, "force")));
    }
    if (strcmp(core, "kill") == 0 || strcmp(core, "container") == 0) {
        const char *task = json_string_value(json_object_get(r->args, "task_id"));
        CHECK(task && *task && strlen(task) <= 255 && printable(task) && !strchr(task, '/'));
    }
    if (strcmp(core, "broker") == 0 || (strcmp(core, "restart") == 0 && v1)) {
        if (strcmp(core, "broker") == 0 || json_object_get(r->args, "id")) {
            json_int_t id = integer_arg(r->args, "id");
            CHECK(id >= 0 && id <= 1000000);
        }
    }
    if (strcmp(core, "restart") == 0)
        CHECK(r->changing && json_is_boolean(json_object_get(r->args, "force")));
    if (r->admin) {
        CHECK(v1);
        const json_t *name = json_object_get(r->args, "name");
        if (strcmp(r->admin, "topics") != 0 && strcmp(r->admin, "topic_create") != 0 &&
            strcmp(r->admin, "under_replicated") != 0 && strcmp(r->admin, "unavailable") != 0)
            CHECK(json_is_string(name) && printable(json_string_value(name)));
    }
    if (r->changing)
        CHECK((strcmp(method, "GET") != 0 || !v1) && strcmp(method, "HEAD") != 0);
}

static void check_failure(const http_request *r, bool control)
{
    CHECK(r->status == 400 || r->status == 404 || r->status == 405 || r->status == 413);
    CHECK(r->error[0] && printable(r->error));
    CHECK((r->status == 405) == (r->allow != NULL));
    CHECK(!r->args && !r->page && !r->core && !r->admin);
    if (control) {
        CHECK(r->status == 400 && !r->routed && strstr(r->error, "control character"));
        return;
    }
    if (r->status == 405)
        CHECK(!r->routed && (!strstr(r->allow, "HEAD") || strstr(r->allow, "GET, HEAD")));
    if (r->status == 400 || r->status == 413)
        CHECK(r->routed);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *method = methods[data[0] & 7];
    bool too_large = (data[0] & 0x80) != 0;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    const char *nul = memchr(rest, '\0', n);
    size_t target_len = nul ? (size_t)(nul - rest) : n;
    const char *body = nul ? nul + 1 : NULL;
    size_t body_len = nul ? n - target_len - 1 : 0;

    char *target = malloc(target_len + 1);
    memcpy(target, rest, target_len);
    target[target_len] = '\0';
    char *query = strchr(target, '?');
    if (query)
        *query++ = '\0';
    const char *force = query ? force_argument(query) : NULL;
    unescape(target); /* the path as the server's handler receives it */
    bool control = has_control(target) || has_control(force);

    http_request r, again;
    int rc = http_request_parse(method, target, force, body, body_len, too_large, &r);
    int rc_again = http_request_parse(method, target, force, body, body_len, too_large, &again);
    CHECK(rc == rc_again && r.status == again.status && strcmp(r.error, again.error) == 0);
    CHECK(json_equal(r.args, again.args) || (!r.args && !again.args));
    CHECK((rc == 0) == (r.status == 0));
    bool v1 = strncmp(target, "/v1/", 4) == 0 || strcmp(target, "/v1") == 0;
    if (rc == 0) {
        CHECK(!control);
        check_success(&r, method, v1);
    } else {
        check_failure(&r, control);
    }
    http_request_clear(&r);
    http_request_clear(&again);
    CHECK(!r.args && !r.status);
    free(target);
    return 0;
}
