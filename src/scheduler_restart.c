/*
 * scheduler_restart: restarting brokers without losing data (PUT /v1/brokers[/<id>]).
 *
 * A restart is a plan of steps, one broker each, run one at a time by the core:
 *   pending     check the data-safety rule (partition_safety.h) on the latest ZooKeeper read;
 *               if it fails the plan is "blocked" and the step waits for the partitions to
 *               catch up; otherwise KILL the task (the broker shuts down in a controlled way
 *               within the kill grace) and mark it KILL_RESTART, so it is launched again at
 *               once, at home, and not counted as a failure;
 *   restarting  until a new task of the member runs;
 *   waiting     until a ZooKeeper read made after that shows the broker registered and no
 *               under-replicated partition anywhere, so the next broker starts from a cluster
 *               that is whole again.
 * The request itself is answered only after a fresh ZooKeeper read, so a refusal (409) names the
 * partitions as they are now, not as they were two seconds ago.
 *
 * A plan that has not finished is part of the state file, so a scheduler restarted in the middle
 * of one (even SIGKILLed) carries on where it was: a step restarts its broker at most once.
 */
#include "scheduler_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "partition_safety.h"
#include "util.h"

#define COMPONENT "restart"

static const char *const step_names[] = {"pending", "restarting", "waiting", "done", "failed"};
static const char *const plan_names[] = {"running", "blocked", "done", "failed"};

static void set_message(char **slot, char *text)
{
    free(*slot);
    *slot = text;
}

void scheduler_free_plan(scheduler *s)
{
    restart_plan *p = s->plan;
    if (!p)
        return;
    for (size_t i = 0; i < p->n_steps; i++) {
        free(p->steps[i].old_task_id);
        free(p->steps[i].old_registered);
        free(p->steps[i].message);
    }
    free(p->steps);
    free(p->message);
    free(p);
    s->plan = NULL;
}

json_t *scheduler_plan_json(const scheduler *s)
{
    const restart_plan *p = s->plan;
    if (!p)
        return json_null();
    json_t *steps = json_array();
    for (size_t i = 0; i < p->n_steps; i++) {
        const restart_step *st = &p->steps[i];
        member *m = scheduler_find_member(s, KIND_KAFKA, st->broker);
        const char *task = m && st->state >= STEP_WAITING ? m->task_id : NULL;
        json_array_append_new(steps,
                              json_pack("{s:i, s:s, s:s?, s:s?, s:s?}", "broker", st->broker,
                                        "state", step_names[st->state], "old_task_id",
                                        st->old_task_id, "task_id", task, "message", st->message));
    }
    return json_pack("{s:s, s:s, s:f, s:o, s:s?, s:b, s:o}", "kind", "restart", "state",
                     plan_names[p->state], "started_at", p->started_at, "finished_at",
                     p->finished_at > 0 ? json_real(p->finished_at) : json_null(), "message",
                     p->message, "force", p->force, "steps", steps);
}

static bool plan_active(const scheduler *s)
{
    return s->plan && (s->plan->state == PLAN_RUNNING || s->plan->state == PLAN_BLOCKED);
}

static json_t *zk_partitions(const scheduler *s)
{
    return json_object_get(s->zk_state, "partitions");
}

/* The timestamp of the broker's registration in ZooKeeper (its session's), or NULL. */
static const char *registration_stamp(const scheduler *s, int broker)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", broker);
    return json_string_value(
        json_object_get(json_object_get(json_object_get(s->zk_state, "brokers"), id), "timestamp"));
}

static void finish(scheduler *s, plan_state state, char *message)
{
    restart_plan *p = s->plan;
    p->state = state;
    p->finished_at = mk_now_wall();
    s->dirty = true;
    set_message(&p->message, message);
    if (state == PLAN_DONE)
        log_info(COMPONENT, "restart of %zu broker(s) done in %.0f s", p->n_steps,
                 p->finished_at - p->started_at);
    else
        log_warn(COMPONENT, "restart failed: %s", p->message);
}

/* One step's pending phase: returns true if the broker was restarted (or is down already). */
static bool begin_step(scheduler *s, restart_step *st, member *m)
{
    restart_plan *p = s->plan;
    if (!p->force) {
        if (!s->zk_quorum) {
            p->state = PLAN_BLOCKED;
            set_message(&p->message, mk_xstrdup("waiting for ZooKeeper to answer before "
                                                "checking the partitions of the next broker"));
            return false;
        }
        cleanup_json json_t *risks = safety_restart_risks(
            zk_partitions(s), st->broker, safety_default_min_insync(s->cfg->kafka_options));
        if (json_array_size(risks) > 0) {
            cleanup_free char *names = safety_describe(risks, 5);
            if (p->state != PLAN_BLOCKED)
                log_info(COMPONENT, "kafka-%d waits: restarting it now would put %s at risk",
                         st->broker, names);
            p->state = PLAN_BLOCKED;
            set_message(&p->message,
                        mk_xasprintf("kafka-%d waits: restarting it now would leave %s below "
                                     "min.insync.replicas or without an in-sync replica",
                                     st->broker, names));
            return false;
        }
    }
    p->state = PLAN_RUNNING;
    st->state = STEP_RESTARTING;
    s->dirty = true;
    free(st->old_task_id);
    st->old_task_id = m->task_id ? mk_xstrdup(m->task_id) : NULL;
    /* A broker killed without its controlled shutdown leaves its registration until its session
     * expires, at the same address: only a new registration shows that the new task is up. */
    const char *stamp = registration_stamp(s, st->broker);
    free(st->old_registered);
    st->old_registered = stamp ? mk_xstrdup(stamp) : NULL;
    if (member_task_live(m) && m->task_state != TASK_KILLING) {
        /* The step and the kill's reason are written before the KILL goes out: a scheduler that
         * dies right after neither restarts the broker twice nor counts its end as a failure. */
        m->kill = KILL_RESTART;
        mk_err err = {{0}};
        if (scheduler_persist(s, &err) < 0) {
            log_error(COMPONENT, "not restarting kafka-%d: %s", st->broker, err.msg);
            m->kill = KILL_NONE;
            st->state = STEP_PENDING;
            return false;
        }
        log_info(COMPONENT, "restarting kafka-%d (task %s)", st->broker, m->task_id);
        scheduler_kill_task(s, m, KILL_RESTART);
        set_message(&p->message, mk_xasprintf("restarting kafka-%d", st->broker));
    } else {
        set_message(&p->message,
                    mk_xasprintf("kafka-%d is down; waiting for it to come back", st->broker));
    }
    return true;
}

void scheduler_advance_plan(scheduler *s)
{
    restart_plan *p = s->plan;
    if (!plan_active(s))
        return;
    for (size_t i = 0; i < p->n_steps; i++) {
        restart_step *st = &p->steps[i];
        if (st->state == STEP_DONE)
            continue;
        member *m = scheduler_find_member(s, KIND_KAFKA, st->broker);
        if (!m || m->goal != GOAL_RUN || m->gave_up) {
            st->state = STEP_FAILED;
            s->dirty = true;
            set_message(&st->message,
                        mk_xasprintf("kafka-%d was %s during its restart", st->broker,
                                     !m || m->goal == GOAL_REMOVE ? "removed"
                                     : m->goal == GOAL_STOP       ? "stopped"
                                                            : "given up (too many failures)"));
            finish(s, PLAN_FAILED, mk_xstrdup(st->message));
            return;
        }
        switch (st->state) {
        case STEP_PENDING:
            if (!begin_step(s, st, m))
                return;
            /* A member that was down may run a new task already. */
            /* fall through */
        case STEP_RESTARTING:
            if (!m->task_id || m->task_state != TASK_RUNNING ||
                (st->old_task_id && strcmp(m->task_id, st->old_task_id) == 0))
                return;
            st->state = STEP_WAITING;
            st->running_at = mk_now_wall();
            s->dirty = true;
            set_message(&p->message,
                        mk_xasprintf("kafka-%d runs again (task %s); waiting for it to register "
                                     "and for every partition to be in sync",
                                     st->broker, m->task_id));
            return; /* the next ZooKeeper read decides */
        case STEP_WAITING: {
            double read_at = json_number_value(json_object_get(s->zk_state, "read_at"));
            const char *stamp = registration_stamp(s, st->broker);
            if (!m->registered || read_at < st->running_at || !stamp ||
                (st->old_registered && strcmp(stamp, st->old_registered) == 0))
                return;
            cleanup_json json_t *behind = safety_under_replicated(zk_partitions(s));
            if (json_array_size(behind) > 0) {
                cleanup_free char *names = safety_describe(behind, 5);
                set_message(&p->message,
                            mk_xasprintf("kafka-%d is registered; waiting for %s to be in sync",
                                         st->broker, names));
                return;
            }
            st->state = STEP_DONE;
            s->dirty = true;
            log_info(COMPONENT, "kafka-%d restarted: registered, every partition in sync",
                     st->broker);
            continue;
        }
        case STEP_DONE:
        case STEP_FAILED:
            break;
        }
    }
    finish(s, PLAN_DONE, mk_xasprintf("%zu broker(s) restarted", p->n_steps));
}

/* The steps of a new plan: `broker`, or every broker that is meant to run, by id with the
 * controller last, so the controller moves once, to a broker already restarted. */
static bool in_list(const int *list, size_t n, int id)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == id)
            return true;
    return false;
}

/* The brokers to restart, by id with the controller last: those of `only` (n_only of them; every
 * broker when NULL) that are meant to run. */
static int plan_brokers(const scheduler *s, const int *only, size_t n_only, int *ids, int cap)
{
    const json_t *c = json_object_get(s->zk_state, "controller");
    int controller = json_is_integer(c) ? (int)json_integer_value(c) : -1;
    int n = 0;
    bool controller_planned = false;
    for (size_t i = 0; i < s->n_members && n < cap; i++) {
        const member *m = s->members[i];
        if (m->kind != KIND_KAFKA || m->goal != GOAL_RUN || (only && !in_list(only, n_only, m->id)))
            continue;
        if (m->id == controller)
            controller_planned = true;
        else
            ids[n++] = m->id;
    }
    if (controller_planned && n < cap)
        ids[n++] = controller;
    return n;
}

static void answer(core_reply *r, int status, json_t *body)
{
    if (r)
        core_reply_post(r, status, body);
    else
        json_decref(body);
}

int scheduler_restart_brokers(scheduler *s, const int *only, size_t n_only, bool force,
                              json_t **body)
{
    if (plan_active(s)) {
        *body = json_pack("{s:s, s:o}", "error",
                          "a restart is under way; wait for it (GET /v1/plan) before starting "
                          "another",
                          "plan", scheduler_plan_json(s));
        return 409;
    }
    int ids[1024];
    int n = plan_brokers(s, only, n_only, ids, (int)MK_ARRAY_LEN(ids));
    bool single = only && n_only == 1;
    if (n == 0) {
        *body = json_pack("{s:s}", "error",
                          single ? "no such broker, or it is stopped or being removed "
                                   "(GET /v1/brokers)"
                                 : "no broker is meant to run: nothing to restart");
        return single ? 404 : 409;
    }
    if (!force) {
        if (!s->zk_quorum) {
            *body = json_pack("{s:s}", "error",
                              "cannot check the partitions: ZooKeeper does not answer; retry "
                              "later, or add force=true");
            return 409;
        }
        json_t *risks = json_array();
        int min_insync = safety_default_min_insync(s->cfg->kafka_options);
        for (int i = 0; i < n; i++) {
            cleanup_json json_t *one = safety_restart_risks(zk_partitions(s), ids[i], min_insync);
            size_t k;
            json_t *r;
            json_array_foreach(one, k, r)
            {
                json_object_set_new(r, "broker", json_integer(ids[i]));
                json_array_append(risks, r);
            }
        }
        if (json_array_size(risks) > 0) {
            cleanup_free char *names = safety_describe(risks, 5);
            cleanup_free char *why =
                mk_xasprintf("restarting would leave %s below min.insync.replicas or without an "
                             "in-sync replica; wait until they are in sync, add replicas, or add "
                             "force=true",
                             names);
            *body = json_pack("{s:s, s:o}", "error", why, "partitions", risks);
            return 409;
        }
        json_decref(risks);
    }
    scheduler_free_plan(s);
    restart_plan *p = mk_xcalloc(1, sizeof(*p));
    p->steps = mk_xcalloc((size_t)n, sizeof(*p->steps));
    p->n_steps = (size_t)n;
    p->force = force;
    p->started_at = mk_now_wall();
    json_t *restarting = json_array();
    for (int i = 0; i < n; i++) {
        p->steps[i].broker = ids[i];
        json_array_append_new(restarting, json_integer(ids[i]));
    }
    s->plan = p;
    s->dirty = true;
    log_info(COMPONENT, "restart of %d broker(s) asked%s", n,
             force ? ", forced: the data-safety rule is not checked" : "");
    scheduler_advance_plan(s);
    *body = json_pack("{s:o, s:o}", "restarting", restarting, "plan", scheduler_plan_json(s));
    return 202;
}

void scheduler_start_restart(scheduler *s, core_reply *reply, int broker, bool force)
{
    json_t *body = NULL;
    int status = scheduler_restart_brokers(s, broker >= 0 ? &broker : NULL, broker >= 0 ? 1 : 0,
                                           force, &body);
    answer(reply, status, body);
}

/* ---- the state file ------------------------------------------------------------------------- */

json_t *scheduler_plan_state(const scheduler *s)
{
    if (!plan_active(s))
        return NULL;
    const restart_plan *p = s->plan;
    json_t *steps = json_array();
    for (size_t i = 0; i < p->n_steps; i++) {
        const restart_step *st = &p->steps[i];
        json_array_append_new(steps,
                              json_pack("{s:i, s:s, s:s?, s:s?}", "broker", st->broker, "state",
                                        step_names[st->state], "old_task_id", st->old_task_id,
                                        "old_registered", st->old_registered));
    }
    return json_pack("{s:b, s:f, s:o}", "force", p->force, "started_at", p->started_at, "steps",
                     steps);
}

static int optional_string(const json_t *step, const char *key, char **out, size_t i, mk_err *err)
{
    const json_t *v = json_object_get(step, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255)
        return mk_err_set(err, "steps[%zu].%s is not a string of 1 to 255 characters", i, key);
    *out = mk_xstrdup(json_string_value(v));
    return 0;
}

static int load_step(const json_t *j, size_t i, restart_step *st, mk_err *err)
{
    const json_t *broker = json_object_get(j, "broker");
    const char *state = json_string_value(json_object_get(j, "state"));
    if (!json_is_integer(broker) || json_integer_value(broker) < 0 ||
        json_integer_value(broker) > 1000000)
        return mk_err_set(err, "steps[%zu].broker is not a broker id", i);
    st->broker = (int)json_integer_value(broker);
    int found = -1;
    for (int k = STEP_PENDING; k <= STEP_DONE && state; k++)
        if (strcmp(state, step_names[k]) == 0)
            found = k;
    if (found < 0)
        return mk_err_set(err, "steps[%zu].state is not one of pending, restarting, waiting, done",
                          i);
    st->state = (step_state)found;
    if (optional_string(j, "old_task_id", &st->old_task_id, i, err) < 0 ||
        optional_string(j, "old_registered", &st->old_registered, i, err) < 0)
        return -1;
    return 0;
}

int scheduler_load_plan(scheduler *s, const json_t *j, mk_err *err)
{
    const json_t *steps = json_object_get(j, "steps");
    const json_t *started = json_object_get(j, "started_at");
    if (!json_is_object(j) || !json_is_array(steps) || json_array_size(steps) == 0 ||
        json_array_size(steps) > 1024 || !json_is_boolean(json_object_get(j, "force")) ||
        !json_is_number(started))
        return mk_err_set(err, "it needs force (a boolean), started_at (a time) and 1 to 1024 "
                               "steps");
    restart_plan *p = mk_xcalloc(1, sizeof(*p));
    p->n_steps = json_array_size(steps);
    p->steps = mk_xcalloc(p->n_steps, sizeof(*p->steps));
    p->force = json_is_true(json_object_get(j, "force"));
    p->started_at = json_number_value(started);
    scheduler_free_plan(s);
    s->plan = p; /* freed with the scheduler, loaded or not */
    for (size_t i = 0; i < p->n_steps; i++)
        if (load_step(json_array_get(steps, i), i, &p->steps[i], err) < 0)
            return -1;
    set_message(&p->message, mk_xstrdup("resumed after a restart of the scheduler"));
    log_info(COMPONENT, "resuming the restart of %zu broker(s) from the state file", p->n_steps);
    return 0;
}
