/*
 * mesos_call: v1 scheduler Calls as jansson objects, spelled as scheduler.proto spells them.
 *
 * Builders only assemble; they never validate. The simulator's strict schema (sim/schema.c) is what
 * proves in tests that every call built here is one the master reads without dropping a field.
 */
#include "mesos_call.h"

#include <string.h>

static json_t *id_value(const char *value)
{
    return json_pack("{s:s}", "value", value);
}

/* A call skeleton: {"type": T, "framework_id": {"value": F}} (framework id omitted if NULL). */
static json_t *call_base(const char *type, const char *framework_id)
{
    json_t *call = json_pack("{s:s}", "type", type);
    if (framework_id)
        json_object_set_new(call, "framework_id", id_value(framework_id));
    return call;
}

static json_t *offer_id_array(const char *const *offer_ids, size_t n)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, id_value(offer_ids[i]));
    return ids;
}

static json_t *role_list(const char *role)
{
    json_t *o = json_object();
    if (role)
        json_object_set_new(o, "roles", json_pack("[s]", role));
    return o;
}

json_t *mesos_framework_info(const config *cfg, const char *framework_id)
{
    json_t *fi = json_pack("{s:s, s:s, s:[s], s:f, s:b, s:s}", "user", cfg->framework_user,
                           "name", cfg->framework_name, "roles", cfg->framework_role,
                           "failover_timeout", cfg->failover_timeout_s, "checkpoint", 1,
                           "hostname", cfg->framework_hostname);
    if (framework_id)
        json_object_set_new(fi, "id", id_value(framework_id));
    if (cfg->mesos_principal)
        json_object_set_new(fi, "principal", json_string(cfg->mesos_principal));
    if (cfg->framework_webui_url)
        json_object_set_new(fi, "webui_url", json_string(cfg->framework_webui_url));
    /* Capabilities we really use: roles (MULTI_ROLE), partition-aware task states for agents that
     * come back, and TASK_KILLING so a broker's controlled shutdown is visible while it runs. */
    json_object_set_new(fi, "capabilities",
                        json_pack("[{s:s},{s:s},{s:s}]", "type", "MULTI_ROLE", "type",
                                  "PARTITION_AWARE", "type", "TASK_KILLING_STATE"));
    return fi;
}

json_t *mesos_call_subscribe(const config *cfg, const char *framework_id)
{
    json_t *call = call_base("SUBSCRIBE", framework_id);
    json_object_set_new(call, "subscribe",
                        json_pack("{s:o}", "framework_info", mesos_framework_info(cfg, framework_id)));
    return call;
}

json_t *mesos_call_teardown(const char *framework_id)
{
    return call_base("TEARDOWN", framework_id);
}

static json_t *with_filters(json_t *body, double refuse_seconds)
{
    if (refuse_seconds >= 0)
        json_object_set_new(body, "filters", json_pack("{s:f}", "refuse_seconds", refuse_seconds));
    return body;
}

json_t *mesos_call_accept(const char *framework_id, const char *const *offer_ids, size_t n_offers,
                          json_t *operations, double refuse_seconds)
{
    json_t *call = call_base("ACCEPT", framework_id);
    json_t *body = json_pack("{s:o, s:o}", "offer_ids", offer_id_array(offer_ids, n_offers),
                             "operations", operations ? operations : json_array());
    json_object_set_new(call, "accept", with_filters(body, refuse_seconds));
    return call;
}

json_t *mesos_call_decline(const char *framework_id, const char *const *offer_ids, size_t n_offers,
                           double refuse_seconds)
{
    json_t *call = call_base("DECLINE", framework_id);
    json_t *body = json_pack("{s:o}", "offer_ids", offer_id_array(offer_ids, n_offers));
    json_object_set_new(call, "decline", with_filters(body, refuse_seconds));
    return call;
}

json_t *mesos_call_acknowledge(const char *framework_id, const char *agent_id, const char *task_id,
                               const char *uuid_base64)
{
    json_t *call = call_base("ACKNOWLEDGE", framework_id);
    json_object_set_new(call, "acknowledge",
                        json_pack("{s:o, s:o, s:s}", "agent_id", id_value(agent_id), "task_id",
                                  id_value(task_id), "uuid", uuid_base64));
    return call;
}

json_t *mesos_call_kill(const char *framework_id, const char *task_id, const char *agent_id,
                        long long grace_period_ns)
{
    json_t *call = call_base("KILL", framework_id);
    json_t *kill = json_pack("{s:o}", "task_id", id_value(task_id));
    if (agent_id)
        json_object_set_new(kill, "agent_id", id_value(agent_id));
    if (grace_period_ns >= 0)
        json_object_set_new(kill, "kill_policy",
                            json_pack("{s:{s:I}}", "grace_period", "nanoseconds",
                                      (json_int_t)grace_period_ns));
    json_object_set_new(call, "kill", kill);
    return call;
}

json_t *mesos_call_reconcile(const char *framework_id, const mesos_reconcile_task *tasks, size_t n)
{
    json_t *call = call_base("RECONCILE", framework_id);
    json_t *body = json_object();
    if (n > 0) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *t = json_pack("{s:o}", "task_id", id_value(tasks[i].task_id));
            if (tasks[i].agent_id)
                json_object_set_new(t, "agent_id", id_value(tasks[i].agent_id));
            json_array_append_new(list, t);
        }
        json_object_set_new(body, "tasks", list);
    }
    json_object_set_new(call, "reconcile", body);
    return call;
}

json_t *mesos_call_revive(const char *framework_id, const char *role)
{
    json_t *call = call_base("REVIVE", framework_id);
    json_object_set_new(call, "revive", role_list(role));
    return call;
}

json_t *mesos_call_suppress(const char *framework_id, const char *role)
{
    json_t *call = call_base("SUPPRESS", framework_id);
    json_object_set_new(call, "suppress", role_list(role));
    return call;
}

const char *mesos_call_type(const json_t *call)
{
    const char *t = json_string_value(json_object_get(call, "type"));
    return t ? t : "?";
}
