/*
 * mesos_call: v1 scheduler Calls as jansson objects, spelled exactly as scheduler.proto spells
 * them.
 *
 * The master reads JSON leniently (MESOS-API.md §4): a misspelled or camelCase key is silently
 * dropped, an enum must be its name, and proto2 `required` fields are checked only after the drop.
 * So these builders only ever emit snake_case proto field names, enum names as strings, id
 * messages as {"value": ...}, and nothing optional that the caller did not ask for. Fields go in
 * .proto declaration order, which makes logged calls easy to compare with the proto.
 *
 * Builders cannot fail: every one returns a new object the caller owns. jansson refuses NULL and
 * non-UTF-8 strings, so text() turns those into something printable instead of silently dropping
 * the field; the master then rejects such a call with a reason the client logs. The simulator's
 * strict schema (sim/schema.c) is what proves, in the unit tests, that every call built here is
 * read by a master without losing a field.
 */
#include "mesos_call.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The master caps filters.refuse_seconds at one year (MESOS-API.md §5); larger values, infinity
 * included, mean the same, and jansson cannot encode infinity. */
#define MAX_REFUSE_SECONDS 31536000.0

/* ---- values -----------------------------------------------------------------------------------
 */

static json_t *text(const char *s)
{
    json_t *v = json_string(s ? s : "");
    if (v)
        return v;
    char *copy = mk_xstrdup(s); /* not UTF-8: keep the ASCII, mark the rest */
    for (char *p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

/* An id message (FrameworkID, OfferID, AgentID, TaskID): {"value": "..."}. */
static json_t *id_message(const char *value)
{
    json_t *id = json_object();
    json_object_set_new(id, "value", text(value));
    return id;
}

/* {"roles": [role]}, or {} (every role of the framework) when role is NULL. */
static json_t *roles_message(const char *role)
{
    json_t *body = json_object();
    if (role)
        json_object_set_new(body, "roles", json_pack("[o]", text(role)));
    return body;
}

static json_t *offer_id_list(const char *const *offer_ids, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, id_message(offer_ids[i]));
    return list;
}

/* Adds Filters{refuse_seconds} unless refuse_seconds is negative (or NaN): then the master's
 * default of 5 s applies. */
static void add_filters(json_t *body, double refuse_seconds)
{
    if (!(refuse_seconds >= 0))
        return;
    double seconds = refuse_seconds > MAX_REFUSE_SECONDS ? MAX_REFUSE_SECONDS : refuse_seconds;
    json_object_set_new(body, "filters", json_pack("{s:f}", "refuse_seconds", seconds));
}

/* {"type": T, "framework_id": {"value": F}, "<sub_key>": body}; no framework_id when it is NULL
 * (a first SUBSCRIBE), no sub-message when body is NULL (TEARDOWN). Steals body. */
static json_t *call(const char *type, const char *framework_id, const char *sub_key, json_t *body)
{
    json_t *c = json_object();
    json_object_set_new(c, "type", json_string(type));
    if (framework_id)
        json_object_set_new(c, "framework_id", id_message(framework_id));
    if (body)
        json_object_set_new(c, sub_key, body);
    return c;
}

/* ---- SUBSCRIBE --------------------------------------------------------------------------------
 */

json_t *mesos_framework_info(const config *cfg, const char *framework_id)
{
    json_t *fi = json_object();
    json_object_set_new(fi, "user", text(cfg->framework_user));
    json_object_set_new(fi, "name", text(cfg->framework_name));
    if (framework_id)
        json_object_set_new(fi, "id", id_message(framework_id));
    /* A finite timeout always: jansson cannot encode anything else, and config never allows it. */
    double failover = isfinite(cfg->failover_timeout_s) ? cfg->failover_timeout_s : 0;
    json_object_set_new(fi, "failover_timeout", json_real(failover));
    /* Checkpointing lets brokers and ZooKeeper survive an agent restart. */
    json_object_set_new(fi, "checkpoint", json_true());
    json_object_set_new(fi, "roles", json_pack("[o]", text(cfg->framework_role)));
    if (cfg->framework_hostname)
        json_object_set_new(fi, "hostname", text(cfg->framework_hostname));
    if (cfg->mesos_principal)
        json_object_set_new(fi, "principal", text(cfg->mesos_principal));
    if (cfg->framework_webui_url)
        json_object_set_new(fi, "webui_url", text(cfg->framework_webui_url));
    /* MULTI_ROLE because we send `roles` (without it the master refuses them); PARTITION_AWARE
     * to tell an unreachable agent (TASK_UNREACHABLE, may come back) from a dead task; and
     * TASK_KILLING_STATE so a broker's controlled shutdown shows while it runs. */
    json_object_set_new(fi, "capabilities",
                        json_pack("[{s:s}, {s:s}, {s:s}]", "type", "MULTI_ROLE", "type",
                                  "PARTITION_AWARE", "type", "TASK_KILLING_STATE"));
    return fi;
}

json_t *mesos_call_subscribe(const config *cfg, const char *framework_id)
{
    json_t *subscribe = json_object();
    json_object_set_new(subscribe, "framework_info", mesos_framework_info(cfg, framework_id));
    return call("SUBSCRIBE", framework_id, "subscribe", subscribe);
}

/* ---- other calls ------------------------------------------------------------------------------
 */

json_t *mesos_call_teardown(const char *framework_id)
{
    return call("TEARDOWN", framework_id, NULL, NULL);
}

json_t *mesos_call_accept(const char *framework_id, const char *const *offer_ids, size_t n_offers,
                          json_t *operations, double refuse_seconds)
{
    json_t *accept = json_object();
    json_object_set_new(accept, "offer_ids", offer_id_list(offer_ids, n_offers));
    json_object_set_new(accept, "operations", operations ? operations : json_array());
    add_filters(accept, refuse_seconds);
    return call("ACCEPT", framework_id, "accept", accept);
}

json_t *mesos_call_decline(const char *framework_id, const char *const *offer_ids, size_t n_offers,
                           double refuse_seconds)
{
    json_t *decline = json_object();
    json_object_set_new(decline, "offer_ids", offer_id_list(offer_ids, n_offers));
    add_filters(decline, refuse_seconds);
    return call("DECLINE", framework_id, "decline", decline);
}

/* The uuid is echoed exactly as the UPDATE carried it (base64 of 16 bytes); re-encoding it could
 * only make it differ. */
json_t *mesos_call_acknowledge(const char *framework_id, const char *agent_id, const char *task_id,
                               const char *uuid_base64)
{
    json_t *ack = json_object();
    json_object_set_new(ack, "agent_id", id_message(agent_id));
    json_object_set_new(ack, "task_id", id_message(task_id));
    json_object_set_new(ack, "uuid", text(uuid_base64));
    return call("ACKNOWLEDGE", framework_id, "acknowledge", ack);
}

json_t *mesos_call_kill(const char *framework_id, const char *task_id, const char *agent_id,
                        long long grace_period_ns)
{
    json_t *kill = json_object();
    json_object_set_new(kill, "task_id", id_message(task_id));
    if (agent_id)
        json_object_set_new(kill, "agent_id", id_message(agent_id));
    if (grace_period_ns >= 0)
        json_object_set_new(
            kill, "kill_policy",
            json_pack("{s:{s:I}}", "grace_period", "nanoseconds", (json_int_t)grace_period_ns));
    return call("KILL", framework_id, "kill", kill);
}

json_t *mesos_call_reconcile(const char *framework_id, const mesos_reconcile_task *tasks, size_t n)
{
    /* Implicit reconciliation is an empty sub-message: "reconcile": {}. */
    json_t *reconcile = json_object();
    if (n > 0) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *task = json_object();
            json_object_set_new(task, "task_id", id_message(tasks[i].task_id));
            if (tasks[i].agent_id)
                json_object_set_new(task, "agent_id", id_message(tasks[i].agent_id));
            json_array_append_new(list, task);
        }
        json_object_set_new(reconcile, "tasks", list);
    }
    return call("RECONCILE", framework_id, "reconcile", reconcile);
}

json_t *mesos_call_revive(const char *framework_id, const char *role)
{
    return call("REVIVE", framework_id, "revive", roles_message(role));
}

json_t *mesos_call_suppress(const char *framework_id, const char *role)
{
    return call("SUPPRESS", framework_id, "suppress", roles_message(role));
}

const char *mesos_call_type(const json_t *c)
{
    const char *type = json_string_value(json_object_get(c, "type"));
    return type ? type : "?";
}
