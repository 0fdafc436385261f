/*
 * scheduler_cluster: the core's members and what happens to their tasks: the desired counts, task
 * statuses (failures counted and restarted with backoff, ends the core caused, strays killed,
 * launches lost in a crash adopted), reconciliation, and the timers (unreachable members replaced
 * after UNREACHABLE_TIMEOUT, members without room on their agent moved, brokers removed).
 *
 * Restarts stay on the member's home agent with its ports (its volume, its address in the server
 * list or advertised listener); a member moves only when its agent is gone (TASK_GONE), has been
 * unreachable for UNREACHABLE_TIMEOUT, or has offered no room for as long.
 */
#include "scheduler_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mesos_call.h"
#include "placement.h"
#include "taskinfo.h"
#include "util.h"

#define COMPONENT "scheduler"

/* ---- members --------------------------------------------------------------------------------- */

static int member_order(const void *a, const void *b)
{
    const member *x = *(member *const *)a, *y = *(member *const *)b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return x->id - y->id;
}

member *scheduler_find_member(const scheduler *s, member_kind kind, int id)
{
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->kind == kind && s->members[i]->id == id)
            return s->members[i];
    return NULL;
}

member *scheduler_find_task(const scheduler *s, const char *task_id)
{
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i]->task_id && strcmp(s->members[i]->task_id, task_id) == 0)
            return s->members[i];
    return NULL;
}

static void remove_member(scheduler *s, member *m)
{
    for (size_t i = 0; i < s->n_members; i++)
        if (s->members[i] == m) {
            memmove(&s->members[i], &s->members[i + 1], (s->n_members - i - 1) * sizeof(member *));
            s->n_members--;
            break;
        }
    member_free(m);
    s->dirty = true;
}

void scheduler_free_members(scheduler *s)
{
    for (size_t i = 0; i < s->n_members; i++)
        member_free(s->members[i]);
    free(s->members);
    s->members = NULL;
    s->n_members = 0;
    for (size_t i = 0; i < s->n_doomed; i++)
        free(s->doomed[i]);
    free(s->doomed);
    s->doomed = NULL;
    s->n_doomed = 0;
}

void scheduler_sort_members(scheduler *s)
{
    if (s->n_members > 1)
        qsort(s->members, s->n_members, sizeof(member *), member_order);
}

member *scheduler_add_member(scheduler *s, member_kind kind, int id)
{
    member *m = member_new(kind, id);
    s->members = mk_xrealloc(s->members, (s->n_members + 1) * sizeof(member *));
    s->members[s->n_members++] = m;
    s->dirty = true;
    return m;
}

int scheduler_kept_count(const scheduler *s, member_kind kind)
{
    int n = 0;
    for (size_t i = 0; i < s->n_members; i++)
        n += s->members[i]->kind == kind && s->members[i]->goal != GOAL_REMOVE;
    return n;
}

/* The member of `kind` with the highest id that is not being removed, or NULL. */
static member *highest_kept(const scheduler *s, member_kind kind)
{
    member *top = NULL;
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind == kind && m->goal != GOAL_REMOVE && (!top || m->id > top->id))
            top = m;
    }
    return top;
}

/* Brokers: the count is what matters, not the ids (`broker add 5` may leave gaps). Up: members
 * being removed come back first (lowest id first), then the lowest free ids. Down: the highest
 * ids go. With ids 0..n-1 this is the same as ZooKeeper's rule. */
static void apply_desired_kafka(scheduler *s)
{
    while (scheduler_kept_count(s, KIND_KAFKA) < s->desired[KIND_KAFKA]) {
        member *back = NULL;
        for (size_t i = 0; i < s->n_members; i++) {
            member *m = s->members[i];
            if (m->kind == KIND_KAFKA && m->goal == GOAL_REMOVE && (!back || m->id < back->id))
                back = m;
        }
        if (back) {
            back->goal = GOAL_RUN; /* scaled back up before it was gone */
            s->dirty = true;
            continue;
        }
        int id = 0;
        while (scheduler_find_member(s, KIND_KAFKA, id))
            id++;
        scheduler_add_member(s, KIND_KAFKA, id);
    }
    while (scheduler_kept_count(s, KIND_KAFKA) > s->desired[KIND_KAFKA]) {
        highest_kept(s, KIND_KAFKA)->goal = GOAL_REMOVE;
        s->dirty = true;
    }
}

void scheduler_apply_desired(scheduler *s)
{
    int last = s->desired[KIND_ZOOKEEPER];
    for (int id = 1; id <= last; id++) {
        member *m = scheduler_find_member(s, KIND_ZOOKEEPER, id);
        if (!m) {
            scheduler_add_member(s, KIND_ZOOKEEPER, id);
        } else if (m->goal == GOAL_REMOVE) {
            m->goal = GOAL_RUN; /* scaled back up before it was gone */
            s->dirty = true;
        }
    }
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind == KIND_ZOOKEEPER && m->id > last && m->goal != GOAL_REMOVE) {
            m->goal = GOAL_REMOVE;
            s->dirty = true;
        }
    }
    apply_desired_kafka(s);
    scheduler_sort_members(s);
    /* Members to remove that never ran go at once. */
    for (size_t i = 0; i < s->n_members;) {
        member *m = s->members[i];
        if (m->goal == GOAL_REMOVE && !member_task_live(m))
            remove_member(s, m);
        else
            i++;
    }
}

/* ---- task status ----------------------------------------------------------------------------- */

void scheduler_kill_task(scheduler *s, member *m, member_kill why)
{
    const char *fid = mesos_client_framework_id(s->client);
    if (!m->task_id || !fid)
        return;
    m->kill = why;
    s->dirty = true;
    mesos_client_send(s->client, mesos_call_kill(fid, m->task_id, m->agent_id, -1));
}

static void kill_stray(scheduler *s, const mesos_task_status *st, const char *why)
{
    const char *fid = mesos_client_framework_id(s->client);
    log_warn(COMPONENT, "killing task %s (%s): %s", st->task_id, st->state_name, why);
    if (fid)
        mesos_client_send(s->client, mesos_call_kill(fid, st->task_id, st->agent_id, -1));
}

static void forget_doomed(scheduler *s, const char *task_id)
{
    for (size_t i = 0; i < s->n_doomed; i++)
        if (strcmp(s->doomed[i], task_id) == 0) {
            free(s->doomed[i]);
            s->doomed[i] = s->doomed[--s->n_doomed];
            s->dirty = true;
            return;
        }
}

static bool is_doomed(const scheduler *s, const char *task_id)
{
    for (size_t i = 0; i < s->n_doomed; i++)
        if (strcmp(s->doomed[i], task_id) == 0)
            return true;
    return false;
}

/* A status for a task that is no member's current one. */
static bool apply_foreign_status(scheduler *s, const mesos_task_status *st)
{
    bool terminal = mesos_task_state_is_terminal(st->state) || st->state == TASK_UNKNOWN;
    if (terminal) {
        log_debug(COMPONENT, "task %s (no longer current) is %s", st->task_id, st->state_name);
        if (is_doomed(s, st->task_id))
            forget_doomed(s, st->task_id);
        return s->dirty;
    }
    if (is_doomed(s, st->task_id)) {
        if (st->state == TASK_UNREACHABLE) /* still cut off: a kill would not arrive */
            log_debug(COMPONENT, "replaced task %s is still unreachable", st->task_id);
        else
            kill_stray(s, st, "its member was replaced on another agent");
        return false;
    }
    member_kind kind;
    int id;
    if (member_parse_task_id(st->task_id, &kind, &id) < 0) {
        kill_stray(s, st, "not a task this framework makes");
        return false;
    }
    member *m = scheduler_find_member(s, kind, id);
    if (m && m->goal != GOAL_REMOVE && !member_task_live(m) && m->agent_id && st->agent_id &&
        strcmp(m->agent_id, st->agent_id) == 0) {
        /* Launched just before a crash that lost the state file's last write: take it back. */
        log_warn(COMPONENT, "adopting running task %s as %s-%d", st->task_id,
                 member_kind_name(kind), id);
        free(m->task_id);
        m->task_id = mk_xstrdup(st->task_id);
        m->task_state = st->state;
        s->dirty = true;
        return true;
    }
    kill_stray(s, st, m ? "its member runs another task" : "no such member");
    return false;
}

static void record_failure(scheduler *s, const member *m, const mesos_task_status *st)
{
    char name[64], when[32];
    member_name(m, name, sizeof(name));
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_array_append_new(s->recent_failures,
                          json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "time", when, "member",
                                    name, "task_id", st->task_id, "state", st->state_name, "reason",
                                    st->reason, "message", st->message));
    while (json_array_size(s->recent_failures) > MAX_RECENT_FAILURES)
        json_array_remove(s->recent_failures, 0);
}

/* A broker whose process is known to have ended (its agent says so) may leave its ZooKeeper
 * registration behind until its session expires; have it removed so the next launch registers. A
 * lost or unreachable task may still run: its registration stays. */
static void forget_dead_broker(scheduler *s, member *m, mesos_task_state state)
{
    bool ended = state == TASK_FAILED || state == TASK_KILLED || state == TASK_FINISHED ||
                 state == TASK_ERROR;
    if (m->kind != KIND_KAFKA || !m->zk_owner) {
        return;
    } else if (ended) {
        zk_watch_remove_session_nodes(s->zk, m->zk_owner);
        free(m->dead_owner);
        m->dead_owner = m->zk_owner;
    } else {
        free(m->zk_owner);
    }
    m->zk_owner = NULL;
}

static void apply_end(scheduler *s, member *m, const mesos_task_status *st, double now)
{
    char name[64];
    member_name(m, name, sizeof(name));
    member_kill kill = m->kill;
    forget_dead_broker(s, m, st->state);
    member_end end = member_task_ended(m, s->cfg, st->state, now);
    switch (end) {
    case ENDED_REMOVED:
        log_info(COMPONENT, "%s removed (task %s %s)", name, st->task_id, st->state_name);
        remove_member(s, m);
        scheduler_update_zk_connect(s);
        return;
    case ENDED_STOPPED:
        log_info(COMPONENT, "%s stopped (task %s %s); it stays down until a reflate", name,
                 st->task_id, st->state_name);
        return;
    case ENDED_GAVE_UP:
        record_failure(s, m, st);
        log_error(COMPONENT,
                  "%s failed %d times in a row (last: task %s %s%s%s); not restarting it "
                  "(FAILOVER_MAX_TRIES); a reflate brings it back",
                  name, m->failures, st->task_id, st->state_name, st->message ? ": " : "",
                  st->message ? st->message : "");
        return;
    case ENDED_RELAUNCH:
        break;
    }
    if (kill == KILL_NONE && st->state != TASK_UNKNOWN) {
        record_failure(s, m, st);
        log_warn(COMPONENT, "%s: task %s %s%s%s%s%s; failure %d in a row, restarting in %.1f s",
                 name, st->task_id, st->state_name, st->reason ? " " : "",
                 st->reason ? st->reason : "", st->message ? ": " : "",
                 st->message ? st->message : "", m->failures, m->restart_at - now);
    } else {
        log_info(COMPONENT, "%s: task %s %s; relaunching%s", name, st->task_id, st->state_name,
                 m->agent_id ? " on the same agent" : " on another agent");
    }
    if (!m->agent_id)
        scheduler_update_zk_connect(s);
}

bool scheduler_apply_task_status(scheduler *s, const mesos_task_status *st)
{
    member *m = scheduler_find_task(s, st->task_id);
    if (!m)
        return apply_foreign_status(s, st);
    double now = mk_now_wall();
    bool was_live = member_task_live(m);
    m->task_state = st->state;
    if (st->healthy >= 0)
        m->healthy = st->healthy;
    if (st->message) {
        free(m->message);
        m->message = mk_xstrdup(st->message);
    }
    if (st->n_ip_addresses > 0) {
        free(m->container_ip);
        m->container_ip = mk_xstrdup(st->ip_addresses[0]);
    }
    switch (st->state) {
    case TASK_RUNNING:
        m->unreachable_since = 0;
        if (m->healthy == 1 && m->healthy_since == 0)
            m->healthy_since = now;
        else if (m->healthy == 0)
            m->healthy_since = 0;
        if (m->kind == KIND_ZOOKEEPER && s->cfg->network == NETWORK_USER)
            scheduler_update_zk_connect(s);
        break;
    case TASK_UNREACHABLE:
        if (m->unreachable_since == 0)
            m->unreachable_since =
                st->unreachable_time_ns > 0 ? (double)st->unreachable_time_ns / 1e9 : now;
        log_warn(COMPONENT, "task %s is unreachable (%s); waiting up to %.0f s for its agent",
                 st->task_id, st->reason ? st->reason : "no reason", s->cfg->unreachable_timeout_s);
        break;
    default:
        break;
    }
    if (was_live && !member_task_live(m))
        apply_end(s, m, st, now);
    s->dirty = true;
    scheduler_update_offer_interest(s, false);
    return true;
}

void scheduler_reconcile(scheduler *s)
{
    const char *fid = mesos_client_framework_id(s->client);
    mesos_reconcile_task *tasks = mk_xcalloc(s->n_members + s->n_doomed + 1, sizeof(*tasks));
    size_t n = 0;
    for (size_t i = 0; i < s->n_members; i++)
        if (member_task_live(s->members[i])) {
            tasks[n].task_id = s->members[i]->task_id;
            tasks[n++].agent_id = s->members[i]->agent_id;
        }
    for (size_t i = 0; i < s->n_doomed; i++)
        tasks[n++].task_id = s->doomed[i];
    if (n > 0)
        mesos_client_send(s->client, mesos_call_reconcile(fid, tasks, n));
    /* Then implicitly: also reveals tasks the state file does not know. */
    mesos_client_send(s->client, mesos_call_reconcile(fid, NULL, 0));
    log_info(COMPONENT, "reconciling (%zu known task(s), then implicitly)", n);
    free(tasks);
    s->reconciled_at = s->doomed_reconciled_at = mk_now_wall();
}

/* Reconciliation is repeated, not only done after each SUBSCRIBED: a partitioned agent that
 * re-registers brings its tasks back without any update to a partition-aware framework, so a
 * replaced member's old task (doomed) is asked about until it is known dead, and everything
 * now and then. */
#define RECONCILE_DOOMED_EVERY_S 10.0
#define RECONCILE_ALL_EVERY_S    600.0

static void reconcile_periodically(scheduler *s, double now)
{
    if (now - s->reconciled_at >= RECONCILE_ALL_EVERY_S) {
        scheduler_reconcile(s);
        return;
    }
    if (s->n_doomed == 0 || now - s->doomed_reconciled_at < RECONCILE_DOOMED_EVERY_S)
        return;
    mesos_reconcile_task *tasks = mk_xcalloc(s->n_doomed, sizeof(*tasks));
    for (size_t i = 0; i < s->n_doomed; i++)
        tasks[i].task_id = s->doomed[i];
    mesos_client_send(
        s->client, mesos_call_reconcile(mesos_client_framework_id(s->client), tasks, s->n_doomed));
    log_debug(COMPONENT, "reconciling %zu replaced task(s)", s->n_doomed);
    free(tasks);
    s->doomed_reconciled_at = now;
}

/* ---- timers ---------------------------------------------------------------------------------- */

static void replace_unreachable(scheduler *s, double now)
{
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (!member_task_live(m) || m->task_state != TASK_UNREACHABLE ||
            m->unreachable_since == 0 || now - m->unreachable_since < s->cfg->unreachable_timeout_s)
            continue;
        char name[64];
        member_name(m, name, sizeof(name));
        log_warn(COMPONENT, "%s: agent %s unreachable for %.0f s: replacing the member elsewhere",
                 name, m->hostname ? m->hostname : "?", now - m->unreachable_since);
        /* Killed when (if) the agent comes back; the member starts afresh elsewhere. */
        scheduler_kill_task(s, m, KILL_REPLACE);
        s->doomed = mk_xrealloc(s->doomed, (s->n_doomed + 1) * sizeof(char *));
        s->doomed[s->n_doomed++] = m->task_id;
        m->task_id = NULL;
        m->kill = KILL_REPLACE;
        forget_dead_broker(s, m, TASK_LOST); /* it may still run, cut off: its nodes stay */
        member_task_ended(m, s->cfg, TASK_LOST, now);
        s->dirty = true;
        scheduler_update_zk_connect(s);
    }
}

static void remove_brokers(scheduler *s)
{
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind == KIND_KAFKA && m->goal == GOAL_REMOVE && member_task_live(m) &&
            m->kill == KILL_NONE) {
            log_info(COMPONENT, "kafka-%d: removing it (scale-down)", m->id);
            scheduler_kill_task(s, m, KILL_REMOVE);
        }
    }
}

/* A member that has waited for room on its home agent as long as an unreachable one would be
 * awaited is placed elsewhere (the agent may be gone without Mesos saying so, or full). */
static void leave_silent_homes(scheduler *s, double now)
{
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (!scheduler_wants_launch(s, m, now)) {
            m->waiting_since = 0;
            continue;
        }
        if (m->waiting_since == 0)
            m->waiting_since = now;
        if (!m->agent_id || now - m->waiting_since < s->cfg->unreachable_timeout_s)
            continue;
        char name[64];
        member_name(m, name, sizeof(name));
        log_warn(COMPONENT, "%s: no room on its agent %s for %.0f s: placing it elsewhere", name,
                 m->hostname, now - m->waiting_since);
        member_leave_home(m);
        m->waiting_since = now;
        s->dirty = true;
        scheduler_update_zk_connect(s);
    }
}

void scheduler_tick(scheduler *s)
{
    if (!mesos_client_is_subscribed(s->client))
        return;
    double now = mk_now_wall();
    reconcile_periodically(s, now);
    replace_unreachable(s, now);
    leave_silent_homes(s, now);
    scheduler_roll_ensemble(s, now);
    remove_brokers(s);
    scheduler_advance_plan(s);
    scheduler_update_offer_interest(s, false);
}
