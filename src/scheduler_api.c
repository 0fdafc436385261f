/*
 * scheduler_api: the core's side of the HTTP API. http_api.c has already checked auth, method,
 * route and argument syntax; here the requests meet the cluster state: what exists, what may
 * change, and what a change would put at risk.
 *
 * A Kafka scale-down must not remove a broker that still holds partition replicas. The check needs
 * a ZooKeeper read made after the request (a topic created a second ago counts), so the reply waits
 * for the next snapshot of zk_watch with the request's sequence number.
 */
#include "scheduler_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_ops.h"
#include "broker_settings.h"
#include "log.h"
#include "taskinfo.h"
#include "util.h"

#define COMPONENT "api"

void scheduler_reply(core_msg *m, int status, json_t *body)
{
    if (m->reply)
        core_reply_post(m->reply, status, body);
    else
        json_decref(body);
}

static void wait_for_fresh_read(scheduler *s, core_msg *m, pending_what what, int count,
                                bool force);
json_t *scheduler_error_body(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return json_pack("{s:s}", "error", buf);
}

static const char *goal_state(const member *m)
{
    if (m->goal == GOAL_REMOVE)
        return "removing";
    if (m->goal == GOAL_STOP)
        return member_task_live(m) ? "stopping" : "stopped";
    if (m->gave_up)
        return "failed";
    if (!member_task_live(m))
        return m->failures > 0 ? "restarting" : "waiting";
    switch (m->task_state) {
    case TASK_STAGING:
    case TASK_STARTING:
        return "starting";
    case TASK_RUNNING:
        if (m->kind == KIND_KAFKA && !m->registered)
            return "registering";
        return m->healthy == 0 ? "unhealthy" : "running";
    case TASK_KILLING:
        return "stopping";
    case TASK_UNREACHABLE:
        return "unreachable";
    default:
        return "unknown";
    }
}

json_t *scheduler_member_json(const scheduler *s, const member *m)
{
    char name[64];
    member_name(m, name, sizeof(name));
    double now = mk_now_wall();
    cleanup_free char *address = taskinfo_service_address(s->cfg, m);
    json_t *j = json_pack(
        "{s:s, s:i, s:s, s:s, s:s?, s:s?, s:o, s:s?, s:s?, s:s?, s:s?, s:i, s:o, s:s?, s:o}",
        "kind", member_kind_name(m->kind), "id", m->id, "name", name, "state", goal_state(m),
        "task_id", m->task_id, "task_state",
        m->task_id ? mesos_task_state_name(m->task_state) : NULL, "healthy",
        m->healthy < 0 ? json_null() : json_boolean(m->healthy), "agent_id", m->agent_id,
        "hostname", m->hostname, "address", m->agent_id ? address : NULL, "container_ip",
        m->container_ip, "failures", m->failures, "next_launch_in_s",
        (!member_task_live(m) && m->goal == GOAL_RUN && !m->gave_up)
            ? json_real(m->restart_at > now ? m->restart_at - now : 0)
            : json_null(),
        "message", m->message, "registered",
        m->kind == KIND_KAFKA ? json_boolean(m->registered) : json_null());
    json_t *ports = json_array();
    for (int i = 0; i < m->n_ports; i++)
        json_array_append_new(ports, json_integer(m->ports[i]));
    json_object_set_new(j, "ports", ports);
    const char *fact =
        m->kind == KIND_ZOOKEEPER ? scheduler_zk_mode(s, m) : scheduler_broker_cluster_id(s, m);
    json_object_set_new(j, m->kind == KIND_ZOOKEEPER ? "zk_mode" : "cluster_id",
                        fact ? json_string(fact) : json_null());
    if (m->settings) /* a broker's own settings (GET /v1/brokers has the effective ones) */
        json_object_set_new(j, "settings", broker_settings_to_json(m->settings));
    return j;
}

static json_t *status_document(const scheduler *s)
{
    json_t *members = json_array();
    int registered = 0;
    for (size_t i = 0; i < s->n_members; i++) {
        json_array_append_new(members, scheduler_member_json(s, s->members[i]));
        registered += s->members[i]->kind == KIND_KAFKA && s->members[i]->registered;
    }
    cleanup_free char *connect = scheduler_zk_connect(s, false);
    cleanup_free char *bootstrap = scheduler_bootstrap(s);
    cleanup_free char *chrooted =
        *connect ? mk_xasprintf("%s/%s", connect, s->cfg->framework_name) : NULL;
    const zk_ensemble_eval *e = &s->zk_eval;
    json_t *ensemble =
        json_pack("{s:b, s:o, s:i, s:i, s:s?}", "complete", e->complete, "leader",
                  e->leader >= 0 ? json_integer(e->leader) : json_null(), "followers", e->followers,
                  "expected", e->expected, "problem", e->problem[0] ? e->problem : NULL);
    const char *cluster_id = scheduler_cluster_id(s);
    json_t *agree = s->kafka_ids == CLUSTER_IDS_UNKNOWN
                        ? json_null()
                        : json_boolean(s->kafka_ids == CLUSTER_IDS_AGREE);
    return json_pack(
        "{s:{s:s?, s:s, s:b}, s:{s:i, s:b, s:b, s:s?, s:o}, s:{s:i, s:i, s:s?, s:s?, s:o}, s:o, "
        "s:O, s:o}",
        "framework", "id", s->framework_id, "name", s->cfg->framework_name, "subscribed",
        mesos_client_is_subscribed(s->client), "zookeeper", "desired", s->desired[KIND_ZOOKEEPER],
        "quorum", s->zk_quorum, "settled", scheduler_zk_settled(s), "connect", chrooted, "ensemble",
        ensemble, "kafka", "desired", s->desired[KIND_KAFKA], "registered", registered, "bootstrap",
        *bootstrap ? bootstrap : NULL, "cluster_id", cluster_id, "cluster_ids_agree", agree,
        "members", members, "recent_failures", s->recent_failures, "restart",
        scheduler_plan_json(s));
}

/* ---- operations ------------------------------------------------------------------------------ */

/* The member whose current task the request names, or NULL after answering 404. */
static member *requested_task(scheduler *s, core_msg *m, const char **task_id)
{
    *task_id = json_string_value(json_object_get(m->body, "task_id"));
    member *mb = *task_id ? scheduler_find_task(s, *task_id) : NULL;
    if (!mb)
        scheduler_reply(
            m, 404,
            scheduler_error_body("no task '%s' (GET /v0/status lists the current tasks)",
                                 *task_id ? *task_id : ""));
    return mb;
}

static void do_container(scheduler *s, core_msg *m)
{
    const char *task_id;
    member *mb = requested_task(s, m, &task_id);
    if (mb)
        scheduler_reply(m, 200, scheduler_member_json(s, mb));
}

/* A reflate that finds nothing to change (no member stopped, given up or backing off) answers
 * "unchanged": true and leaves the state file alone; the members waiting for an offer are still
 * listed as scheduled, and offers revived for them. */
static void do_reflate(scheduler *s, core_msg *m)
{
    member_kind kind;
    if (member_kind_parse(json_string_value(json_object_get(m->body, "kind")), &kind) < 0) {
        scheduler_reply(m, 404, scheduler_error_body("unknown kind: use kafka or zookeeper"));
        return;
    }
    scheduler_apply_desired(s);
    json_t *scheduled = json_array();
    bool changed = false;
    for (size_t i = 0; i < s->n_members; i++) {
        member *mb = s->members[i];
        if (mb->kind != kind || mb->goal == GOAL_REMOVE || member_task_live(mb))
            continue;
        char name[64];
        member_name(mb, name, sizeof(name));
        if (mb->goal != GOAL_RUN || mb->gave_up || mb->restart_at != 0) {
            mb->goal = GOAL_RUN;
            mb->gave_up = false;
            mb->restart_at = 0;
            s->dirty = true;
            changed = true;
        }
        json_array_append_new(scheduled, json_string(name));
    }
    log_write(changed ? LOG_INFO : LOG_DEBUG, COMPONENT, "reflate %s: %zu member(s) scheduled%s",
              member_kind_name(kind), json_array_size(scheduled), changed ? "" : ", unchanged");
    scheduler_update_offer_interest(s, json_array_size(scheduled) > 0);
    scheduler_reply(m, 200,
                    json_pack("{s:s, s:o, s:b}", "kind", member_kind_name(kind), "scheduled",
                              scheduled, "unchanged", !changed));
}

static json_t *names_where(const scheduler *s, member_kind kind, member_goal goal)
{
    json_t *out = json_array();
    for (size_t i = 0; i < s->n_members; i++) {
        const member *mb = s->members[i];
        if (mb->kind == kind && mb->goal == goal) {
            char name[64];
            member_name(mb, name, sizeof(name));
            json_array_append_new(out, json_string(name));
        }
    }
    return out;
}

/* A scale to the count already desired changes nothing: "unchanged": true, no log line at INFO and
 * no write of the state file (members still being removed are listed as before). */
static void apply_scale(scheduler *s, core_msg *m, member_kind kind, int count)
{
    int previous = s->desired[kind];
    bool unchanged = count == previous;
    if (unchanged) {
        log_debug(COMPONENT, "scale %s: %d already, unchanged", member_kind_name(kind), count);
    } else {
        s->desired[kind] = count;
        scheduler_apply_desired(s);
        s->dirty = true;
        log_info(COMPONENT, "scale %s: %d -> %d", member_kind_name(kind), previous, count);
        scheduler_update_offer_interest(s, count > previous);
    }
    json_t *body = json_pack("{s:s, s:i, s:i, s:o, s:b}", "kind", member_kind_name(kind),
                             "previous", previous, "count", count, "removing",
                             names_where(s, kind, GOAL_REMOVE), "unchanged", unchanged);
    if (m)
        scheduler_reply(m, 200, body);
    else
        json_decref(body);
}

/* Whether scaling Kafka to `count` removes broker `id`: the highest ids go. */
static bool removed_by_scale(const scheduler *s, int count, json_int_t id)
{
    const member *m =
        id >= 0 && id <= 1000000 ? scheduler_find_member(s, KIND_KAFKA, (int)id) : NULL;
    if (!m || m->goal == GOAL_REMOVE)
        return false;
    int below = 0;
    for (size_t i = 0; i < s->n_members; i++)
        below += s->members[i]->kind == KIND_KAFKA && s->members[i]->goal != GOAL_REMOVE &&
                 s->members[i]->id < m->id;
    return below >= count;
}

json_t *scheduler_partitions_on(const scheduler *s, scheduler_broker_pick pick, const void *ud)
{
    json_t *found = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(s->zk_state, "partitions"), i, p)
    {
        size_t k;
        json_t *r;
        json_t *on = json_array();
        json_array_foreach(json_object_get(p, "replicas"), k, r)
        {
            if (pick(s, ud, json_integer_value(r)))
                json_array_append(on, r);
        }
        if (json_array_size(on) > 0)
            json_array_append_new(found, json_pack("{s:O, s:O, s:o}", "topic",
                                                   json_object_get(p, "topic"), "partition",
                                                   json_object_get(p, "partition"), "brokers", on));
        else
            json_decref(on);
    }
    return found;
}

static bool scaled_away(const scheduler *s, const void *count, json_int_t id)
{
    return removed_by_scale(s, *(const int *)count, id);
}

/* Partitions with a replica on a broker that a scale to `count` removes (from the last
 * snapshot). */
static json_t *partitions_at_risk(const scheduler *s, int count)
{
    return scheduler_partitions_on(s, scaled_away, &count);
}

static void decide_kafka_scale_down(scheduler *s, core_reply *r, int count)
{
    core_msg m = {.reply = r};
    if (!json_is_true(json_object_get(s->zk_state, "quorum"))) {
        scheduler_reply(
            &m, 409,
            scheduler_error_body("cannot check which partitions the brokers to remove hold: "
                                 "ZooKeeper does not answer; retry later, or add force=true to "
                                 "remove them anyway"));
        return;
    }
    json_t *risk = partitions_at_risk(s, count);
    if (json_array_size(risk) > 0) {
        json_t *body =
            scheduler_error_body("brokers to remove still hold replicas of %zu partition(s); "
                                 "move them first (kafka-reassign-partitions), or add "
                                 "force=true to remove the brokers anyway",
                                 json_array_size(risk));
        json_object_set_new(body, "partitions", risk);
        scheduler_reply(&m, 409, body);
        return;
    }
    json_decref(risk);
    apply_scale(s, &m, KIND_KAFKA, count);
}

void scheduler_answer_pending_reads(scheduler *s)
{
    pending_read **pp = &s->pending_reads;
    while (*pp) {
        pending_read *p = *pp;
        if (p->seq > s->zk_seq) {
            pp = &p->next;
            continue;
        }
        *pp = p->next;
        if (p->what == PENDING_OP)
            broker_ops_after_read(s, &(core_msg){.type = CORE_MSG_REQUEST,
                                                 .name = p->op,
                                                 .body = p->body,
                                                 .reply = p->reply});
        else if (p->what == PENDING_RESTART)
            scheduler_start_restart(s, p->reply, p->count, p->force);
        else if (p->count < s->desired[KIND_KAFKA])
            decide_kafka_scale_down(s, p->reply, p->count);
        else
            apply_scale(s, &(core_msg){.reply = p->reply}, KIND_KAFKA, p->count);
        core_reply_unref(p->reply);
        free(p->op);
        json_decref(p->body);
        free(p);
    }
}

void scheduler_after_fresh_read(scheduler *s, core_msg *m)
{
    wait_for_fresh_read(s, m, PENDING_OP, -1, false);
    if (m->reply) {
        s->pending_reads->op = mk_xstrdup(m->name);
        s->pending_reads->body = json_incref(m->body);
    }
}

/* Answers `m` once zk_watch has read ZooKeeper after now (scheduler_answer_pending_reads). */
static void wait_for_fresh_read(scheduler *s, core_msg *m, pending_what what, int count, bool force)
{
    if (!m->reply)
        return;
    pending_read *p = mk_xcalloc(1, sizeof(*p));
    p->what = what;
    p->reply = core_reply_ref(m->reply);
    p->count = count;
    p->force = force;
    p->seq = ++s->zk_seq_next;
    p->next = s->pending_reads;
    s->pending_reads = p;
    zk_watch_refresh(s->zk, p->seq);
}

static void do_scale(scheduler *s, core_msg *m)
{
    member_kind kind;
    const json_t *count_j = json_object_get(m->body, "count");
    bool force = json_is_true(json_object_get(m->body, "force"));
    if (member_kind_parse(json_string_value(json_object_get(m->body, "kind")), &kind) < 0) {
        scheduler_reply(m, 404, scheduler_error_body("unknown kind: use kafka or zookeeper"));
        return;
    }
    int limit = kind == KIND_ZOOKEEPER ? 99 : 1000;
    if (!json_is_integer(count_j) || json_integer_value(count_j) < 0 ||
        json_integer_value(count_j) > limit) {
        scheduler_reply(m, 400,
                        scheduler_error_body("count: must be a whole number from 0 to %d", limit));
        return;
    }
    int count = (int)json_integer_value(count_j);
    if (kind == KIND_ZOOKEEPER) {
        if (count == 0 && s->desired[KIND_KAFKA] > 0) {
            scheduler_reply(
                m, 409,
                scheduler_error_body("count: the Kafka brokers need ZooKeeper; scale Kafka to 0 "
                                     "first"));
            return;
        }
        if (count > 0 && count % 2 == 0) {
            scheduler_reply(
                m, 400,
                scheduler_error_body("count: a ZooKeeper ensemble needs an odd number of "
                                     "members (a majority of an even one tolerates no more "
                                     "failures than one member fewer)"));
            return;
        }
        apply_scale(s, m, kind, count);
        return;
    }
    if (count >= s->desired[KIND_KAFKA] || force) {
        if (force && count < s->desired[KIND_KAFKA])
            log_warn(COMPONENT, "kafka scale-down to %d forced: partition replicas are not checked",
                     count);
        apply_scale(s, m, kind, count);
        return;
    }
    wait_for_fresh_read(s, m, PENDING_SCALE, count, force);
}

static void do_kill(scheduler *s, core_msg *m)
{
    const char *task_id;
    member *mb = requested_task(s, m, &task_id);
    if (!mb)
        return;
    char name[64];
    member_name(mb, name, sizeof(name));
    if (!member_task_live(mb)) {
        scheduler_reply(m, 409,
                        scheduler_error_body("task %s of %s is not running (%s)", task_id, name,
                                             mesos_task_state_name(mb->task_state)));
        return;
    }
    if (mb->goal == GOAL_RUN)
        mb->goal = GOAL_STOP; /* stays down until a reflate */
    scheduler_kill_task(s, mb, mb->goal == GOAL_REMOVE ? KILL_REMOVE : KILL_OPERATOR);
    log_info(COMPONENT, "kill %s (%s): it stays down until /v0/%s/reflate", task_id, name,
             member_kind_name(mb->kind));
    scheduler_reply(
        m, 200,
        json_pack("{s:s, s:s, s:s}", "killed", task_id, "member", name, "reflate",
                  mb->kind == KIND_KAFKA ? "/v0/kafka/reflate" : "/v0/zookeeper/reflate"));
}

/* ---- /v1: connection, brokers, restarts ------------------------------------------------------ */

static void do_connection(scheduler *s, core_msg *m)
{
    json_t *brokers = json_array();
    for (size_t i = 0; i < s->n_members; i++) {
        const member *mb = s->members[i];
        if (mb->kind != KIND_KAFKA || !mb->registered)
            continue;
        char *address = taskinfo_service_address(s->cfg, mb);
        if (address)
            json_array_append_new(brokers, json_string(address));
        free(address);
    }
    cleanup_free char *bootstrap = mk_xstrdup("");
    size_t i;
    json_t *b;
    json_array_foreach(brokers, i, b)
    {
        char *next = mk_xasprintf("%s%s%s", bootstrap, i ? "," : "", json_string_value(b));
        free(bootstrap);
        bootstrap = next;
    }
    cleanup_free char *connect = scheduler_zk_connect(s, false);
    cleanup_free char *chrooted =
        *connect ? mk_xasprintf("%s/%s", connect, s->cfg->framework_name) : NULL;
    scheduler_reply(m, 200,
                    json_pack("{s:o, s:s, s:s?, s:i}", "brokers", brokers, "bootstrap", bootstrap,
                              "zookeeper", chrooted, "registered", (int)json_array_size(brokers)));
}

json_t *scheduler_broker_summary(const scheduler *s, const member *mb)
{
    cleanup_free char *address = taskinfo_service_address(s->cfg, mb);
    json_t *j =
        json_pack("{s:i, s:s, s:b, s:s?, s:s?, s:s?}", "id", mb->id, "state", goal_state(mb),
                  "registered", mb->registered, "address", mb->agent_id ? address : NULL, "task_id",
                  mb->task_id, "hostname", mb->agent_id ? mb->hostname : NULL);
    broker_ops_describe(s, mb, j);
    return j;
}

static void do_brokers(scheduler *s, core_msg *m)
{
    json_t *list = json_array();
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->kind == KIND_KAFKA)
            json_array_append_new(list, scheduler_broker_summary(s, s->members[i]));
    json_t *controller = json_object_get(s->zk_state, "controller");
    scheduler_reply(m, 200,
                    json_pack("{s:o, s:O}", "brokers", list, "controller",
                              controller ? controller : json_null()));
}

/* The "id" argument as a broker id, or -1 after answering. */
static int requested_broker(scheduler *s, core_msg *m, member **out)
{
    const json_t *id = json_object_get(m->body, "id");
    if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > 1000000) {
        scheduler_reply(m, 400,
                        scheduler_error_body("id: must be a broker id (a whole number from 0)"));
        return -1;
    }
    *out = scheduler_find_member(s, KIND_KAFKA, (int)json_integer_value(id));
    if (!*out) {
        scheduler_reply(m, 404,
                        scheduler_error_body("no broker %" JSON_INTEGER_FORMAT
                                             " (GET /v1/brokers lists them)",
                                             json_integer_value(id)));
        return -1;
    }
    return 0;
}

static void do_broker(scheduler *s, core_msg *m)
{
    member *mb;
    if (requested_broker(s, m, &mb) < 0)
        return;
    char id[16];
    snprintf(id, sizeof(id), "%d", mb->id);
    json_t *reg =
        mb->registered ? json_object_get(json_object_get(s->zk_state, "brokers"), id) : NULL;
    json_t *body = scheduler_broker_summary(s, mb);
    json_object_set_new(body, "registration", reg ? json_deep_copy(reg) : json_null());
    json_object_set_new(body, "task", scheduler_member_json(s, mb));
    scheduler_reply(m, 200, body);
}

/* Restarts wait for a ZooKeeper read made after the request, like Kafka scale-downs. */
static void do_restart(scheduler *s, core_msg *m)
{
    int broker = -1;
    if (json_object_get(m->body, "id")) {
        member *mb;
        if (requested_broker(s, m, &mb) < 0)
            return;
        broker = mb->id;
    }
    wait_for_fresh_read(s, m, PENDING_RESTART, broker,
                        json_is_true(json_object_get(m->body, "force")));
}

static void do_health(scheduler *s, core_msg *m)
{
    scheduler_reply(m, 200,
                    json_pack("{s:s, s:b, s:b}", "status", "ok", "subscribed",
                              mesos_client_is_subscribed(s->client), "zookeeper_quorum",
                              s->zk_quorum));
}

static void do_status(scheduler *s, core_msg *m)
{
    scheduler_reply(m, 200, status_document(s));
}

static void do_plan(scheduler *s, core_msg *m)
{
    scheduler_reply(m, 200, json_pack("{s:o}", "plan", scheduler_plan_json(s)));
}

void scheduler_handle_request(scheduler *s, core_msg *m)
{
    const char *name = m->name ? m->name : "";
    if (m->type != CORE_MSG_REQUEST || s->stopping) {
        scheduler_reply(m, 503, scheduler_error_body("the scheduler is stopping"));
        return;
    }
    if (broker_ops_handle(s, m))
        return;
    static const struct {
        const char *name;
        void (*handle)(scheduler *, core_msg *);
    } requests[] = {
        {"health", do_health},         {"status", do_status},   {"container", do_container},
        {"reflate", do_reflate},       {"scale", do_scale},     {"kill", do_kill},
        {"connection", do_connection}, {"brokers", do_brokers}, {"broker", do_broker},
        {"restart", do_restart},       {"plan", do_plan},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(requests); i++) {
        if (strcmp(name, requests[i].name) == 0) {
            requests[i].handle(s, m);
            return;
        }
    }
    scheduler_reply(m, 404, scheduler_error_body("unknown request '%s'", name));
}
