/*
 * broker_ops: add, update, start, stop, remove and list brokers by id expression, on the core's
 * thread (broker_ops.h). Every request is checked whole before anything changes.
 */
#include "broker_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_expr.h"
#include "broker_settings.h"
#include "log.h"
#include "partition_safety.h"
#include "scheduler_internal.h"
#include "util.h"

#define COMPONENT "broker"

/* An error answer naming what is wrong; nothing has changed. */
static void refuse(core_msg *m, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse(core_msg *m, int status, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    scheduler_reply(m, status, json_pack("{s:s}", "error", buf));
}

static json_t *id_array(member *const *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(list[i]->id));
    return a;
}

/* ---- describing ------------------------------------------------------------------------------ */

json_t *broker_ops_effective(const scheduler *s, const member *b)
{
    cleanup_json json_t *described = broker_settings_describe(b->settings, s->cfg);
    json_t *out = json_object();
    const char *name;
    json_t *entry;
    json_object_foreach(described, name, entry)
    {
        json_object_set(out, name, json_object_get(entry, "value"));
    }
    return out;
}

/* The settings changed since the task was launched that only a restart applies. */
static json_t *needs_restart(const scheduler *s, const member *b)
{
    json_t *names = json_array();
    if (!b->launched_with || !b->task_id)
        return names;
    cleanup_json json_t *now = broker_ops_effective(s, b);
    const char *name;
    json_t *value;
    json_object_foreach(now, name, value)
    {
        json_t *then = json_object_get(b->launched_with, name);
        if (broker_settings_needs_restart(name) && (!then || !json_equal(then, value)))
            json_array_append_new(names, json_string(name));
    }
    return names;
}

void broker_ops_describe(const scheduler *s, const member *b, json_t *into)
{
    static const char *const goals[] = {"run", "stop", "remove"};
    json_object_set_new(into, "goal", json_string(goals[b->goal]));
    json_object_set_new(into, "settings", broker_settings_describe(b->settings, s->cfg));
    json_object_set_new(into, "needs_restart", needs_restart(s, b));
    char why[400];
    constraint_refusals_text(&b->refused, why, sizeof(why));
    bool pending = b->goal == GOAL_RUN && !member_task_live(b) && *why;
    json_object_set_new(into, "pending", pending ? json_string(why) : json_null());
    json_object_set_new(into, "attributes",
                        b->agent_id && b->agent_attributes ? json_deep_copy(b->agent_attributes)
                                                           : json_object());
}

/* ---- choosing brokers ------------------------------------------------------------------------ */

static const char *broker_attr(void *ud, int id, const char *name)
{
    const member *b = scheduler_find_member(ud, KIND_KAFKA, id);
    return b ? member_agent_attribute(b, name) : NULL;
}

/* The brokers `expr` names, in id order, into a new array (*n of them); NULL after answering:
 * a bad expression (400) or an id that is not a broker (404). An empty choice is fine. */
static member **choose(scheduler *s, core_msg *m, size_t *n)
{
    const char *text = json_string_value(json_object_get(m->body, "expr"));
    if (!text) {
        refuse(m, 400, "broker: is missing (an id expression such as 0, 0..2 or *)");
        return NULL;
    }
    broker_expr *e = NULL;
    mk_err err = {{0}};
    if (broker_expr_parse(text, &e, &err) < 0) {
        refuse(m, 400, "broker: %s", err.msg);
        return NULL;
    }
    const int *ids;
    size_t n_ids = broker_expr_ids(e, &ids);
    for (size_t i = 0; i < n_ids; i++)
        if (!scheduler_find_member(s, KIND_KAFKA, ids[i])) {
            refuse(m, 404, "broker: there is no broker %d (GET /v1/brokers lists them)", ids[i]);
            broker_expr_free(e);
            return NULL;
        }
    int *known = mk_xcalloc(s->n_members + 1, sizeof(int));
    size_t n_known = 0;
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->kind == KIND_KAFKA)
            known[n_known++] = s->members[i]->id;
    size_t n_sel = 0;
    int *sel = broker_expr_select(e, known, n_known, broker_attr, s, &n_sel);
    member **out = mk_xcalloc(n_sel + 1, sizeof(member *));
    for (size_t i = 0; i < n_sel; i++)
        out[i] = scheduler_find_member(s, KIND_KAFKA, sel[i]);
    *n = n_sel;
    free(sel);
    free(known);
    broker_expr_free(e);
    return out;
}

static const json_t *settings_arg(const core_msg *m)
{
    const json_t *v = json_object_get(m->body, "settings");
    return json_is_null(v) ? NULL : v;
}

/* ---- the requests ---------------------------------------------------------------------------- */

/* The broker "clone" copies: its settings say {"source": id} and nothing else. -1 after
 * answering. */
static int clone_source(scheduler *s, core_msg *m, const member **out)
{
    const json_t *args = settings_arg(m);
    const json_t *v = json_object_get(args, "source");
    const char *key;
    json_t *other;
    json_object_foreach((json_t *)args, key, other)
    {
        if (strcmp(key, "source") != 0) {
            refuse(m, 400, "%.64s: not an argument of clone (it copies every setting of source)",
                   key);
            return -1;
        }
    }
    long long id = -1;
    if (json_is_integer(v))
        id = json_integer_value(v);
    else if (json_is_string(v) &&
             strspn(json_string_value(v), "0123456789") == strlen(json_string_value(v)) &&
             json_string_length(v) > 0 && json_string_length(v) <= 7)
        id = atoll(json_string_value(v));
    if (id < 0 || id > 1000000) {
        refuse(m, 400, "source: must be the id of the broker to copy (a whole number)");
        return -1;
    }
    *out = scheduler_find_member(s, KIND_KAFKA, (int)id);
    if (!*out) {
        refuse(m, 404, "source: there is no broker %lld (GET /v1/brokers lists them)", id);
        return -1;
    }
    return 0;
}

/* "broker_add", and "broker_clone" (`clone`): the new brokers get the settings given, or those of
 * the source broker. */
static void add_brokers(scheduler *s, core_msg *m, bool clone)
{
    const char *text = json_string_value(json_object_get(m->body, "expr"));
    broker_expr *e = NULL;
    mk_err err = {{0}};
    if (!text) {
        refuse(m, 400, "broker: is missing (the ids to add, such as 3 or 3..4)");
        return;
    }
    if (broker_expr_parse(text, &e, &err) < 0) {
        refuse(m, 400, "broker: %s", err.msg);
        return;
    }
    const int *ids;
    size_t n = broker_expr_ids(e, &ids);
    int taken = -1;
    for (size_t i = 0; i < n && taken < 0; i++)
        if (scheduler_find_member(s, KIND_KAFKA, ids[i]))
            taken = ids[i];
    if (broker_expr_is_any(e) || broker_expr_has_filter(e)) {
        refuse(m, 400, "broker: %s needs the new brokers' ids (such as 3 or 3..4), not '%s'",
               clone ? "clone" : "add", text);
    } else if (taken >= 0) {
        refuse(m, 400, "broker: broker %d exists already (update changes its settings)", taken);
    } else if (scheduler_kept_count(s, KIND_KAFKA) + (int)n > 1000) {
        refuse(m, 400, "broker: at most 1000 brokers (%d exist)",
               scheduler_kept_count(s, KIND_KAFKA));
    } else {
        const member *source = NULL;
        broker_settings *b = clone ? NULL : broker_settings_new();
        const json_t *changes = settings_arg(m);
        if (clone && clone_source(s, m, &source) < 0) {
            /* answered */
        } else if (clone) {
            b = broker_settings_copy(source->settings);
        }
        if (!b) {
            /* answered */
        } else if (!clone && changes && broker_settings_apply_json(b, changes, s->cfg, &err) < 0) {
            refuse(m, 400, "%s", err.msg);
        } else if (broker_settings_check(b, s->cfg, &err) < 0) {
            refuse(m, 400, "%s", err.msg);
        } else {
            member **added = mk_xcalloc(n + 1, sizeof(member *));
            for (size_t i = 0; i < n; i++) {
                member *mb = scheduler_add_member(s, KIND_KAFKA, ids[i]);
                broker_settings_free(mb->settings);
                mb->settings = broker_settings_copy(b);
                mb->goal = GOAL_STOP; /* until started */
                added[i] = mb;
            }
            scheduler_sort_members(s);
            s->desired[KIND_KAFKA] = scheduler_kept_count(s, KIND_KAFKA);
            s->dirty = true;
            cleanup_free char *canon = broker_expr_text(e);
            if (source)
                log_info(COMPONENT,
                         "added broker(s) %s with the settings of broker %d, stopped "
                         "until started",
                         canon, source->id);
            else
                log_info(COMPONENT, "added broker(s) %s, stopped until started", canon);
            scheduler_reply(m, 200, json_pack("{s:o}", "added", id_array(added, n)));
            free(added);
        }
        broker_settings_free(b);
    }
    broker_expr_free(e);
}

static void do_add(scheduler *s, core_msg *m)
{
    add_brokers(s, m, false);
}

static void do_clone(scheduler *s, core_msg *m)
{
    add_brokers(s, m, true);
}

static void do_update(scheduler *s, core_msg *m)
{
    const json_t *changes = settings_arg(m);
    if (!json_is_object(changes) || json_object_size(changes) == 0) {
        refuse(m, 400, "settings: give at least one setting to change (\"\" unsets one)");
        return;
    }
    size_t n;
    member **chosen = choose(s, m, &n);
    if (!chosen)
        return;
    broker_settings **next = mk_xcalloc(n + 1, sizeof(*next));
    mk_err err = {{0}};
    size_t ok = 0;
    for (; ok < n; ok++) {
        next[ok] = broker_settings_copy(chosen[ok]->settings);
        if (broker_settings_apply_json(next[ok], changes, s->cfg, &err) < 0) {
            refuse(m, 400, "%s (broker %d)", err.msg, chosen[ok]->id);
            break;
        }
    }
    if (ok == n) {
        json_t *restart = json_array();
        for (size_t i = 0; i < n; i++) {
            broker_settings_free(chosen[i]->settings);
            chosen[i]->settings = next[i];
            next[i] = NULL;
            chosen[i]->refused = (constraint_refusals){0};
            cleanup_json json_t *names = needs_restart(s, chosen[i]);
            if (json_array_size(names) > 0)
                json_array_append_new(restart, json_integer(chosen[i]->id));
        }
        s->dirty = true;
        log_info(COMPONENT, "updated the settings of %zu broker(s); %zu need a restart", n,
                 json_array_size(restart));
        scheduler_update_offer_interest(s, true);
        json_t *updated = id_array(chosen, n);
        bool roll = !json_is_false(json_object_get(m->body, "restart"));
        if (roll && json_array_size(restart) > 0) {
            /* Rolled like a restart: decided on a fresh ZooKeeper read, one broker at a time. */
            json_t *args =
                json_pack("{s:o, s:o, s:b}", "updated", updated, "needs_restart", restart, "force",
                          json_is_true(json_object_get(m->body, "force")));
            core_msg roll_msg = {
                .type = CORE_MSG_REQUEST, .name = "broker_roll", .body = args, .reply = m->reply};
            scheduler_after_fresh_read(s, &roll_msg);
            json_decref(args);
        } else {
            scheduler_reply(m, 200,
                            json_pack("{s:o, s:o}", "updated", updated, "needs_restart", restart));
        }
    }
    for (size_t i = 0; i < n; i++)
        broker_settings_free(next[i]);
    free(next);
    free(chosen);
}

static void do_start(scheduler *s, core_msg *m)
{
    size_t n;
    member **chosen = choose(s, m, &n);
    if (!chosen)
        return;
    member **started = mk_xcalloc(n + 1, sizeof(member *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        member *b = chosen[i];
        if (b->goal == GOAL_REMOVE || (b->goal == GOAL_RUN && !b->gave_up))
            continue;
        b->goal = GOAL_RUN;
        b->gave_up = false;
        b->failures = 0;
        b->restart_at = 0;
        started[k++] = b;
    }
    if (k > 0) {
        s->dirty = true;
        log_info(COMPONENT, "started %zu broker(s)", k);
        scheduler_update_offer_interest(s, true);
    }
    scheduler_reply(m, 200, json_pack("{s:o}", "started", id_array(started, k)));
    free(started);
    free(chosen);
}

/* Partitions the chosen live brokers' going down together would leave below min.insync.replicas
 * (or without an in-sync replica): each broker alone, and any partition with two of them in its
 * ISR. NULL with an answer when ZooKeeper's view is not there to check. */
static json_t *stop_risks(scheduler *s, core_msg *m, member **chosen, size_t n)
{
    const json_t *partitions = json_object_get(s->zk_state, "partitions");
    if (!s->zk_quorum || !json_is_array(partitions)) {
        refuse(m, 409,
               "cannot check what stopping the brokers does to their partitions: ZooKeeper does "
               "not answer; retry later, or add force=true");
        return NULL;
    }
    int min_insync = safety_default_min_insync(s->cfg->kafka_options);
    json_t *risks = json_array();
    size_t live = 0;
    for (size_t i = 0; i < n; i++) {
        if (!member_task_live(chosen[i]))
            continue;
        live++;
        json_t *one = safety_restart_risks(partitions, chosen[i]->id, min_insync);
        json_array_extend(risks, one);
        json_decref(one);
    }
    if (live < 2)
        return risks;
    size_t i;
    const json_t *p;
    json_array_foreach(partitions, i, p)
    {
        size_t in_isr = 0, k;
        const json_t *r;
        json_array_foreach(json_object_get(p, "isr"), k, r)
        {
            for (size_t c = 0; c < n; c++)
                in_isr += member_task_live(chosen[c]) && json_integer_value(r) == chosen[c]->id;
        }
        if (in_isr >= 2)
            json_array_append_new(
                risks, json_pack("{s:O, s:O, s:O, s:s}", "topic", json_object_get(p, "topic"),
                                 "partition", json_object_get(p, "partition"), "isr",
                                 json_object_get(p, "isr"), "reason",
                                 "two of the brokers to stop are in its ISR: stop them one at a "
                                 "time"));
    }
    return risks;
}

static void do_stop(scheduler *s, core_msg *m)
{
    size_t n;
    member **chosen = choose(s, m, &n);
    if (!chosen)
        return;
    bool force = json_is_true(json_object_get(m->body, "force"));
    json_t *risks = force ? json_array() : stop_risks(s, m, chosen, n);
    if (risks && json_array_size(risks) > 0) {
        json_t *body =
            json_pack("{s:s, s:o}", "error",
                      "stopping would leave partitions below min.insync.replicas; wait until "
                      "they are in sync, or add force=true",
                      "partitions", risks);
        scheduler_reply(m, 409, body);
    } else if (risks) {
        json_decref(risks);
        member **stopped = mk_xcalloc(n + 1, sizeof(member *));
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (chosen[i]->goal != GOAL_RUN)
                continue;
            chosen[i]->goal = GOAL_STOP;
            if (member_task_live(chosen[i]))
                scheduler_kill_task(s, chosen[i], KILL_OPERATOR);
            stopped[k++] = chosen[i];
        }
        s->dirty = s->dirty || k > 0;
        if (k > 0)
            log_info(COMPONENT, "stopping %zu broker(s)%s", k, force ? " (forced)" : "");
        scheduler_reply(m, 200, json_pack("{s:o}", "stopped", id_array(stopped, k)));
        free(stopped);
    }
    free(chosen);
}

typedef struct {
    member **chosen;
    size_t n;
} choice;

static bool chosen_broker(const scheduler *s, const void *ud, json_int_t id)
{
    (void)s;
    const choice *c = ud;
    for (size_t i = 0; i < c->n; i++)
        if (c->chosen[i]->id == id)
            return true;
    return false;
}

static void do_remove(scheduler *s, core_msg *m)
{
    size_t n;
    member **chosen = choose(s, m, &n);
    if (!chosen)
        return;
    bool force = json_is_true(json_object_get(m->body, "force"));
    json_t *held = scheduler_partitions_on(s, chosen_broker, &(choice){chosen, n});
    if (!force && !s->zk_quorum) {
        refuse(m, 409,
               "cannot check which partitions the brokers hold: ZooKeeper does not answer; "
               "retry later, or add force=true");
        json_decref(held);
    } else if (!force && json_array_size(held) > 0) {
        json_t *body = json_pack("{s:s, s:o}", "error",
                                 "the brokers hold partition replicas; move them first "
                                 "(kafka-reassign-partitions), or add force=true",
                                 "partitions", held);
        scheduler_reply(m, 409, body);
    } else {
        json_decref(held);
        json_t *removed = id_array(chosen, n);
        for (size_t i = 0; i < n; i++) {
            chosen[i]->goal = GOAL_REMOVE;
            if (member_task_live(chosen[i]))
                scheduler_kill_task(s, chosen[i], KILL_REMOVE);
        }
        s->desired[KIND_KAFKA] = scheduler_kept_count(s, KIND_KAFKA);
        scheduler_apply_desired(s); /* those that never ran go at once */
        s->dirty = true;
        log_info(COMPONENT, "removing %zu broker(s)%s", n, force ? " (forced)" : "");
        scheduler_reply(m, 200, json_pack("{s:o}", "removed", removed));
    }
    free(chosen);
}

static void do_list(scheduler *s, core_msg *m)
{
    size_t n = 0;
    member **chosen = NULL;
    if (json_object_get(m->body, "expr")) {
        chosen = choose(s, m, &n);
        if (!chosen)
            return;
    } else {
        chosen = mk_xcalloc(s->n_members + 1, sizeof(member *));
        for (size_t i = 0; i < s->n_members; i++)
            if (s->members[i]->kind == KIND_KAFKA)
                chosen[n++] = s->members[i];
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, scheduler_broker_summary(s, chosen[i]));
    free(chosen);
    scheduler_reply(m, 200, json_pack("{s:o}", "brokers", list));
}

/* Stop and remove decide on what the brokers hold: checked now for what can be refused at once
 * (the expression, the brokers named), decided after a fresh ZooKeeper read. */
static void after_read(scheduler *s, core_msg *m)
{
    size_t n;
    member **chosen = choose(s, m, &n);
    if (!chosen)
        return;
    free(chosen);
    scheduler_after_fresh_read(s, m);
}

/* The restart of the brokers an update changed (their ids in "needs_restart"). */
static void do_roll(scheduler *s, core_msg *m)
{
    const json_t *ids = json_object_get(m->body, "needs_restart");
    int list[1024];
    size_t n = 0, i;
    const json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (n < MK_ARRAY_LEN(list))
            list[n++] = (int)json_integer_value(id);
    }
    json_t *body = NULL;
    int status = scheduler_restart_brokers(s, list, n,
                                           json_is_true(json_object_get(m->body, "force")), &body);
    if (status != 202) {
        const char *why = json_string_value(json_object_get(body, "error"));
        cleanup_free char *error = mk_xasprintf(
            "the settings are changed, but the brokers were not restarted: %s", why ? why : "?");
        json_object_set_new(body, "error", json_string(error));
    }
    json_object_set(body, "updated", json_object_get(m->body, "updated"));
    json_object_set(body, "needs_restart", (json_t *)ids);
    scheduler_reply(m, status, body);
}

void broker_ops_after_read(scheduler *s, core_msg *m)
{
    if (strcmp(m->name, "broker_stop") == 0)
        do_stop(s, m);
    else if (strcmp(m->name, "broker_remove") == 0)
        do_remove(s, m);
    else if (strcmp(m->name, "broker_roll") == 0)
        do_roll(s, m);
}

bool broker_ops_handle(scheduler *s, core_msg *m)
{
    static const struct {
        const char *name;
        void (*handle)(scheduler *, core_msg *);
    } ops[] = {
        {"broker_add", do_add},     {"broker_clone", do_clone},  {"broker_update", do_update},
        {"broker_start", do_start}, {"broker_stop", after_read}, {"broker_remove", after_read},
        {"broker_list", do_list},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(ops); i++)
        if (m->name && strcmp(m->name, ops[i].name) == 0) {
            ops[i].handle(s, m);
            return true;
        }
    return false;
}
