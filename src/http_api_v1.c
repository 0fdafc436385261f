/*
 * http_api_v1: the /v1 topic operations (docs/api-v1.md), which run here, on the connection's
 * thread, with librdkafka (kafka_admin.h). The other /v1 routes (connection, brokers, restarts,
 * the plan) are answered by the core like /v0's; every route, its methods and arguments are
 * checked first by http_request.c, in the same order as /v0: route and method (404/405), auth
 * (401/403), body and arguments (400/413), then the work.
 *
 * A topic operation first asks the core where the registered brokers are, then talks to them: the
 * core is never blocked by Kafka, and the core's state is never touched outside its thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_api_internal.h"
#include "kafka_admin.h"
#include "log.h"
#include "util.h"

#define COMPONENT "api"

enum MHD_Result http_api_v1_run_admin(http_api *api, struct MHD_Connection *c, const char *op,
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
