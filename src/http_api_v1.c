/*
 * http_api_v1: the /v1 routes (docs/api-v1.md): connection, brokers and restarts, which the core
 * answers from its own state, and topic operations, which run here, on the connection's thread,
 * with librdkafka (kafka_admin.h).
 *
 * A topic operation first asks the core where the registered brokers are, then talks to them: the
 * core is never blocked by Kafka, and the core's state is never touched outside its thread. Checks
 * run in the same order as /v0: route and method (404/405), auth (401/403), body and arguments
 * (400/413), then the work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_api_internal.h"
#include "kafka_admin.h"
#include "log.h"
#include "util.h"

#define COMPONENT "api"
#define MAX_SEGS  6

typedef enum { M_GET = 1, M_POST = 2, M_PUT = 4, M_DELETE = 8 } method_bit;

typedef struct {
    unsigned methods;   /* allowed */
    unsigned changing;  /* those of `methods` that change something (need credentials) */
    const char *core;   /* the core request answering it, or NULL */
    const char *admin;  /* the kafka_admin operation, or NULL */
    const char *topic;  /* path arguments */
    const char *broker; /* "<id>" */
    const char *key;    /* a config key */
    bool body;          /* the body is the operation's arguments */
} v1_route;

static unsigned method_of(const char *m)
{
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return M_GET;
    if (strcmp(m, "POST") == 0)
        return M_POST;
    if (strcmp(m, "PUT") == 0)
        return M_PUT;
    if (strcmp(m, "DELETE") == 0)
        return M_DELETE;
    return 0;
}

static const char *allow_header(unsigned methods)
{
    static const char *const texts[16] = {
        [M_GET] = "GET, HEAD",
        [M_GET | M_PUT | M_POST] = "GET, HEAD, PUT, POST",
        [M_POST] = "POST",
        [M_GET | M_POST] = "GET, HEAD, POST",
        [M_GET | M_DELETE] = "GET, HEAD, DELETE",
        [M_PUT | M_POST] = "PUT, POST",
        [M_DELETE] = "DELETE",
    };
    return texts[methods & 15] ? texts[methods & 15] : "GET";
}

/* The route for `method`'s path segments after "v1"; false if no route has that path. The
 * operation may depend on the method (GET/DELETE on a topic), so `method` narrows it. */
static bool match(char **seg, int n, unsigned method, v1_route *r)
{
    *r = (v1_route){0};
    const char *a = n > 0 ? seg[0] : "";
    if (n == 1 && strcmp(a, "connection") == 0) {
        *r = (v1_route){.methods = M_GET, .core = "connection"};
    } else if (n == 1 && strcmp(a, "plan") == 0) {
        *r = (v1_route){.methods = M_GET, .core = "plan"};
    } else if (n == 1 && strcmp(a, "brokers") == 0) {
        *r = (v1_route){.methods = M_GET | M_PUT | M_POST, .changing = M_PUT | M_POST};
        r->core = method == M_GET ? "brokers" : "restart";
    } else if (n == 2 && strcmp(a, "brokers") == 0) {
        *r = (v1_route){
            .methods = M_GET | M_PUT | M_POST, .changing = M_PUT | M_POST, .broker = seg[1]};
        r->core = method == M_GET ? "broker" : "restart";
    } else if (n == 1 && strcmp(a, "topics") == 0) {
        *r = (v1_route){.methods = M_GET | M_POST, .changing = M_POST};
        r->admin = method == M_GET ? "topics" : "topic_create";
        r->body = method == M_POST;
    } else if (n == 2 && strcmp(a, "topics") == 0) {
        *r = (v1_route){.methods = M_GET | M_DELETE, .changing = M_DELETE, .topic = seg[1]};
        r->admin = method == M_DELETE ? "topic_delete" : "topic_describe";
    } else if (n == 3 && strcmp(a, "topics") == 0 && strcmp(seg[2], "offsets") == 0) {
        *r = (v1_route){.methods = M_GET, .admin = "topic_offsets", .topic = seg[1]};
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
        *r = (v1_route){.methods = M_GET, .admin = "under_replicated"};
    } else if (n == 2 && strcmp(a, "partitions") == 0 && strcmp(seg[1], "unavailable") == 0) {
        *r = (v1_route){.methods = M_GET, .admin = "unavailable"};
    } else {
        return false;
    }
    return true;
}

/* The body as a JSON object of arguments (an empty body is {}); NULL after answering 400/413. */
static json_t *body_arguments(struct MHD_Connection *c, const http_body *body,
                              enum MHD_Result *sent)
{
    if (body->too_large) {
        *sent = http_send_error(c, 413, "body: larger than %zu bytes", HTTP_MAX_BODY);
        return NULL;
    }
    if (body->len == 0)
        return json_object();
    json_error_t jerr;
    json_t *doc = json_loadb(body->data, body->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        char quoted[160];
        *sent = http_send_error(c, 400, "body: not valid JSON (%s, line %d column %d)",
                                http_printable(jerr.text, quoted, sizeof(quoted)), jerr.line,
                                jerr.column);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        *sent = http_send_error(c, 400, "body: must be a JSON object");
        return NULL;
    }
    return doc;
}

static enum MHD_Result run_admin(http_api *api, struct MHD_Connection *c, const char *op,
                                 json_t *args)
{
    json_t *conn = NULL;
    unsigned status = http_ask_core(api, "connection", json_object(), &conn);
    if (status != 200) {
        enum MHD_Result r = http_send_json(c, status, conn);
        json_decref(conn);
        json_decref(args);
        return r;
    }
    const char *bootstrap = json_string_value(json_object_get(conn, "bootstrap"));
    int registered = (int)json_integer_value(json_object_get(conn, "registered"));
    json_t *out = NULL;
    int code = kafka_admin_run(bootstrap, registered, op, args, &out);
    if (code >= 400)
        log_info(COMPONENT, "%s: %d %s", op, code,
                 json_string_value(json_object_get(out, "error")));
    enum MHD_Result r = http_send_json(c, (unsigned)code, out);
    json_decref(out);
    json_decref(conn);
    json_decref(args);
    return r;
}

enum MHD_Result http_api_v1_route(http_api *api, struct MHD_Connection *c, const char *url,
                                  const char *method, const http_body *body)
{
    char path[1024], quoted[80];
    char *seg[MAX_SEGS + 1]; /* "v1" and the route's own */
    v1_route r;
    size_t len = strlen(url);
    unsigned m = method_of(method);
    if (len >= sizeof(path))
        return http_send_error(c, 404, "no such route");
    memcpy(path, url, len + 1);
    int n = http_split_path(path, seg, (int)MK_ARRAY_LEN(seg));
    if (n < 1 || strcmp(seg[0], "v1") != 0 || !match(seg + 1, n - 1, m, &r))
        return http_send_error(c, 404, "no such route: %s",
                               http_printable(url, quoted, sizeof(quoted)));
    if (!(m & r.methods))
        return http_send_error_with(c, 405, "method not allowed", allow_header(r.methods), NULL);
    if (api->auth && !http_authorized(api, c))
        return http_send_error_with(c, 401, "authentication required", NULL, api->challenge);
    if (!api->auth && (m & r.changing))
        return http_send_error(c, 403,
                               "changes are disabled: set AUTH_USERNAME and AUTH_PASSWORD on "
                               "the scheduler to enable them");

    bool force = false;
    if (http_parse_force(c, &force) < 0)
        return http_send_error(c, 400, "force: must be true, false, 1 or 0");
    enum MHD_Result sent = MHD_NO;
    json_t *args = r.body ? body_arguments(c, body, &sent) : json_object();
    if (!args)
        return sent;
    char name[300], key[300]; /* longer than any valid name: kafka_admin says what is wrong */
    if (r.topic)
        json_object_set_new(args, "name", json_string(http_printable(r.topic, name, sizeof(name))));
    if (r.key)
        json_object_set_new(args, "key", json_string(http_printable(r.key, key, sizeof(key))));
    if (r.broker) {
        char *end = NULL;
        long id = strtol(r.broker, &end, 10);
        if (!*r.broker || *end || r.broker[0] == '-' || r.broker[0] == '+' || id > 1000000) {
            json_decref(args);
            return http_send_error(c, 400, "broker id: must be a whole number from 0, got '%s'",
                                   http_printable(r.broker, quoted, 24));
        }
        json_object_set_new(args, "id", json_integer(id));
    }
    if (r.core) {
        if (strcmp(r.core, "restart") == 0)
            json_object_set_new(args, "force", json_boolean(force));
        json_t *out = NULL;
        unsigned status = http_ask_core(api, r.core, args, &out);
        enum MHD_Result res = http_send_json(c, status, out);
        json_decref(out);
        return res;
    }
    return run_admin(api, c, r.admin, args);
}
