/*
 * scheduler: the core loop, the subscription, and the state file.
 *
 * Loop: mesos_client_run() (I/O, timers, Mesos events through the handlers below), then the core
 * queue (API requests, ZooKeeper snapshots, stop messages), then the timers of the cluster
 * (scheduler_tick), until a stop message or a fatal error. SIGTERM and SIGINT are taken by a small
 * thread with sigwait() and turned into CORE_MSG_STOP messages, so a signal is handled like any
 * other request on the core thread, and no signal handler has to touch curl. (SIGUSR1 is blocked
 * too: the core sends it to end that thread at exit.)
 *
 * The state file holds the framework id, the desired counts and every member (its home, its
 * current task, its failures). It is written before anything depends on it: the framework id
 * before the first call after SUBSCRIBED, a launch's task id before the ACCEPT that starts it, a
 * status before its ACKNOWLEDGE. After each SUBSCRIBED the core reconciles explicitly for the tasks
 * it knows, then implicitly.
 */
#include "scheduler.h"
#include "scheduler_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mesos_call.h"
#include "statefile.h"
#include "util.h"

#define COMPONENT        "scheduler"
#define STATE            "state"
#define LOOP_TIMEOUT_MS  1000
#define ZK_POLL_INTERVAL 2.0

/* ---- persistence ----------------------------------------------------------------------------- */

json_t *scheduler_state_document(const scheduler *s)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *members = json_array();
    for (size_t i = 0; i < s->n_members; i++)
        json_array_append_new(members, member_to_json(s->members[i]));
    json_t *doomed = json_array();
    for (size_t i = 0; i < s->n_doomed; i++)
        json_array_append_new(doomed, json_string(s->doomed[i]));
    json_t *doc = json_pack("{s:i, s:o, s:s, s:s, s:{s:i, s:i}, s:o, s:o}", "schema_version",
                            STATEFILE_SCHEMA_VERSION, "framework_id",
                            s->framework_id ? json_string(s->framework_id) : json_null(),
                            "framework_name", s->cfg->framework_name, "updated_at", when, "desired",
                            "zookeeper", s->desired[KIND_ZOOKEEPER], "kafka",
                            s->desired[KIND_KAFKA], "members", members, "doomed_tasks", doomed);
    json_t *plan = scheduler_plan_state(s);
    if (doc && plan)
        json_object_set_new(doc, "restart_plan", plan);
    else
        json_decref(plan);
    return doc;
}

int scheduler_persist(scheduler *s, mk_err *err)
{
    cleanup_json json_t *doc = scheduler_state_document(s);
    if (!doc)
        return mk_err_set(err, "cannot build the state document");
    if (statefile_write(s->cfg->statefile_path, doc, err) < 0)
        return -1;
    s->dirty = false;
    log_debug(STATE, "wrote %s", s->cfg->statefile_path);
    return 0;
}

/* Stops the core with exit status 1 (the caller logged nothing yet). */
void scheduler_fail(scheduler *s, const char *reason)
{
    log_error(COMPONENT, "stopping: %s", reason);
    s->stopping = true;
    s->exit_status = SCHEDULER_EXIT_FATAL;
}

static int load_desired(scheduler *s, const json_t *doc, const char *path, mk_err *err)
{
    const json_t *desired = json_object_get(doc, "desired");
    if (!desired)
        return 0; /* a file from before members existed: the environment decides */
    static const int limits[N_KINDS] = {99, 1000};
    for (int k = 0; k < N_KINDS; k++) {
        const json_t *v = json_object_get(desired, member_kind_name((member_kind)k));
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > limits[k])
            return mk_err_set(err,
                              "state file %s: desired.%s is not a count from 0 to %d; it was not "
                              "replaced. Fix or move it away (running tasks would be orphaned)",
                              path, member_kind_name((member_kind)k), limits[k]);
        int n = (int)json_integer_value(v);
        int env = k == KIND_ZOOKEEPER ? s->cfg->zookeeper_count : s->cfg->kafka_count;
        if (n != env)
            log_warn(STATE,
                     "%s keeps %d %s member(s) (set through the API); %s_COUNT=%d is "
                     "ignored while the state file exists",
                     path, n, member_kind_name((member_kind)k),
                     k == KIND_ZOOKEEPER ? "ZOOKEEPER" : "KAFKA", env);
        s->desired[k] = n;
    }
    return 0;
}

static int load_members(scheduler *s, const json_t *doc, const char *path, mk_err *err)
{
    const json_t *members = json_object_get(doc, "members");
    if (members && !json_is_array(members))
        return mk_err_set(err, "state file %s: members is not an array; it was not replaced", path);
    size_t i;
    const json_t *mj;
    json_array_foreach(members, i, mj)
    {
        mk_err merr = {{0}};
        member *m = member_from_json(mj, &merr);
        if (!m || scheduler_find_member(s, m->kind, m->id)) {
            if (m)
                mk_err_set(&merr, "a second member %s-%d", member_kind_name(m->kind), m->id);
            member_free(m);
            return mk_err_set(err,
                              "state file %s: members[%zu]: %s; it was not replaced. Fix or move "
                              "it away (running tasks would be orphaned)",
                              path, i, merr.msg);
        }
        s->members = mk_xrealloc(s->members, (s->n_members + 1) * sizeof(member *));
        s->members[s->n_members++] = m;
    }
    const json_t *doomed = json_object_get(doc, "doomed_tasks");
    json_array_foreach(doomed, i, mj)
    {
        if (!json_is_string(mj))
            return mk_err_set(err, "state file %s: doomed_tasks[%zu] is not a string", path, i);
        s->doomed = mk_xrealloc(s->doomed, (s->n_doomed + 1) * sizeof(char *));
        s->doomed[s->n_doomed++] = mk_xstrdup(json_string_value(mj));
    }
    return 0;
}

static int load_state(scheduler *s, mk_err *err)
{
    const char *path = s->cfg->statefile_path;
    s->desired[KIND_ZOOKEEPER] = s->cfg->zookeeper_count;
    s->desired[KIND_KAFKA] = s->cfg->kafka_count;
    cleanup_json json_t *doc = NULL;
    if (statefile_read(path, &doc, err) < 0)
        return -1;
    if (!doc) {
        /* Writing at once proves the state can be kept before a framework exists that would
         * depend on it. */
        log_info(STATE, "no state file at %s: a new framework will be registered", path);
        scheduler_apply_desired(s);
        if (scheduler_persist(s, err) < 0)
            return -1;
        log_info(STATE, "created %s", path);
        return 0;
    }
    return scheduler_load_document(s, doc, err);
}

int scheduler_load_document(scheduler *s, const json_t *doc, mk_err *err)
{
    const char *path = s->cfg->statefile_path;
    json_t *fid = json_object_get(doc, "framework_id");
    if (fid && !json_is_null(fid) && !(json_is_string(fid) && json_string_length(fid) > 0))
        return mk_err_set(err,
                          "state file %s: framework_id is neither a non-empty string nor null; it "
                          "was not replaced. Fix or move it away to start a new framework (running "
                          "tasks of the old framework id would be orphaned)",
                          path);
    const char *name = json_string_value(json_object_get(doc, "framework_name"));
    if (name && strcmp(name, s->cfg->framework_name) != 0)
        log_warn(STATE, "%s was written for framework name '%s'; FRAMEWORK_NAME is now '%s'", path,
                 name, s->cfg->framework_name);
    if (load_desired(s, doc, path, err) < 0 || load_members(s, doc, path, err) < 0)
        return -1;
    const json_t *plan = json_object_get(doc, "restart_plan");
    mk_err why = {{0}};
    if (plan && !json_is_null(plan) && scheduler_load_plan(s, plan, &why) < 0)
        return mk_err_set(err,
                          "state file %s: restart_plan: %s; it was not replaced. Fix it, or "
                          "remove the restart_plan key to drop the unfinished restart",
                          path, why.msg);
    s->framework_id = json_is_string(fid) ? mk_xstrdup(json_string_value(fid)) : NULL;
    scheduler_apply_desired(s);
    size_t live = 0;
    for (size_t i = 0; i < s->n_members; i++)
        live += member_task_live(s->members[i]);
    log_info(STATE, "loaded %s: framework id %s, %zu member(s), %zu task(s) to reconcile", path,
             s->framework_id ? s->framework_id : "(none yet)", s->n_members, live);
    return 0;
}

/* ---- subscription ---------------------------------------------------------------------------- */

static void handle_subscribed(scheduler *s, const mesos_event *ev)
{
    const char *fid = ev->u.subscribed.framework_id;
    if (!fid)
        return;
    if (!s->framework_id || strcmp(s->framework_id, fid) != 0) {
        char *old = s->framework_id;
        s->framework_id = mk_xstrdup(fid);
        mk_err err = {{0}};
        if (scheduler_persist(s, &err) < 0) {
            cleanup_free char *why = mk_xasprintf(
                "framework id %s cannot be persisted (%s); without it a restart would orphan the "
                "framework's tasks",
                fid, err.msg);
            free(old);
            scheduler_fail(s, why);
            return;
        }
        if (old)
            log_warn(STATE, "framework id %s replaces %s in %s", fid, old, s->cfg->statefile_path);
        else
            log_info(STATE, "framework id %s persisted in %s", fid, s->cfg->statefile_path);
        free(old);
    }
    /* A re-subscribe without suppressed_roles un-suppresses, and old offers are void. */
    s->suppressed = false;
    s->n_wanting = 0;
    scheduler_reconcile(s);
}

static void handle_error(scheduler *s, const mesos_event *ev)
{
    /* The client forgets an id the master no longer knows; the state file must follow, or a
     * restart would try it again. */
    if (s->framework_id && !mesos_client_framework_id(s->client)) {
        cleanup_free char *old = s->framework_id;
        s->framework_id = NULL;
        mk_err err = {{0}};
        if (scheduler_persist(s, &err) < 0) {
            scheduler_fail(s, err.msg);
            return;
        }
        log_warn(STATE,
                 "framework %s was removed by the master; cleared it from %s (a new framework "
                 "will be registered; tasks of the old one are orphaned)",
                 old, s->cfg->statefile_path);
    }
}

static void handle_update(scheduler *s, const mesos_task_status *st)
{
    if (scheduler_apply_task_status(s, st) || s->dirty) {
        mk_err err = {{0}};
        if (scheduler_persist(s, &err) < 0) {
            /* Unacknowledged, the update comes again; acknowledged, it would be lost. */
            log_error(STATE, "not acknowledging the status of task %s: %s", st->task_id, err.msg);
            return;
        }
    }
    if (!st->uuid)
        return; /* master-generated (reconciliation, invalid offers): never acknowledged */
    const char *fid = mesos_client_framework_id(s->client);
    if (!st->agent_id || !fid) {
        log_warn(COMPONENT, "cannot acknowledge the status of task %s: no agent id", st->task_id);
        return;
    }
    mesos_client_send(s->client, mesos_call_acknowledge(fid, st->agent_id, st->task_id, st->uuid));
}

/* ---- mesos client handlers ------------------------------------------------------------------- */

static void on_event(void *ud, const mesos_event *ev)
{
    scheduler *s = ud;
    if (s->stopping)
        return;
    switch (ev->type) {
    case MESOS_EVENT_SUBSCRIBED:
        handle_subscribed(s, ev);
        break;
    case MESOS_EVENT_OFFERS:
        scheduler_handle_offers(s, ev);
        break;
    case MESOS_EVENT_RESCIND:
        /* Offers are answered as they arrive, none is held: nothing to forget. */
        log_debug(COMPONENT, "offer %s rescinded", ev->u.rescind.offer_id);
        break;
    case MESOS_EVENT_UPDATE:
        handle_update(s, &ev->u.update);
        break;
    case MESOS_EVENT_ERROR:
        handle_error(s, ev);
        break;
    case MESOS_EVENT_FAILURE:
        if (ev->u.failure.executor_id)
            log_info(COMPONENT, "executor %s on agent %s exited", ev->u.failure.executor_id,
                     ev->u.failure.agent_id);
        else
            log_info(COMPONENT, "agent %s was removed", ev->u.failure.agent_id);
        break;
    case MESOS_EVENT_INVERSE_OFFERS:
        log_info(COMPONENT, "ignoring %zu inverse offer(s) (maintenance is not handled yet)",
                 ev->u.inverse_offers.n);
        break;
    case MESOS_EVENT_UPDATE_OPERATION_STATUS:
        log_warn(COMPONENT, "unexpected operation status %s (no operation asked for feedback)",
                 ev->u.operation_status.state ? ev->u.operation_status.state : "?");
        break;
    case MESOS_EVENT_HEARTBEAT: /* the client keeps the watchdog */
        break;
    default:
        log_debug(COMPONENT, "ignoring %s event", mesos_event_type_name(ev->type));
        break;
    }
}

static void on_disconnected(void *ud, const char *reason)
{
    (void)ud;
    log_debug(COMPONENT, "stream lost (%s): offers of it are void", reason);
}

static void on_call_failed(void *ud, const char *call_type, long http_status, const char *body)
{
    scheduler *s = ud;
    /* The client logged the failure; keep our idea of suppression true to the master's. */
    if (strcmp(call_type, "SUPPRESS") == 0)
        s->suppressed = false;
    else if (strcmp(call_type, "REVIVE") == 0)
        s->suppressed = true;
}

static void on_fatal(void *ud, const char *reason)
{
    scheduler_fail(ud, reason);
}

/* ---- signals and the core queue -------------------------------------------------------------- */

static void wake_core(void *ud)
{
    scheduler *s = ud;
    if (s->client)
        mesos_client_wakeup(s->client);
}

static void *signal_main(void *arg)
{
    scheduler *s = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&s->signals, &sig) != 0)
            continue;
        if (atomic_load(&s->quitting))
            return NULL;
        if (sig == SIGUSR1)
            continue; /* only the core's "quit" wake-up means anything */
        core_queue_push(s->queue, core_msg_new(CORE_MSG_STOP, sig == SIGINT ? "SIGINT" : "SIGTERM",
                                               NULL, NULL));
    }
}

static void drain_queue(scheduler *s)
{
    core_msg *m = core_queue_take_all(s->queue);
    while (m) {
        core_msg *next = m->next;
        switch (m->type) {
        case CORE_MSG_STOP:
            if (!s->stopping)
                log_info(COMPONENT,
                         "received %s: stopping; the framework stays registered so its "
                         "tasks keep running",
                         m->name ? m->name : "a signal");
            s->stopping = true;
            break;
        case CORE_MSG_ZK_STATE:
            scheduler_handle_zk_state(s, m->body);
            m->body = NULL;
            break;
        case CORE_MSG_REQUEST:
        default:
            scheduler_handle_request(s, m);
            break;
        }
        core_msg_free(m);
        m = next;
    }
}

/* ---- run ------------------------------------------------------------------------------------- */

static void scheduler_cleanup(scheduler *s)
{
    s->stopping = true;    /* requests still queued get 503 */
    http_api_stop(s->api); /* first: its threads may be waiting on the queue */
    s->api = NULL;
    zk_watch_stop(s->zk);
    s->zk = NULL;
    if (s->signal_thread_started) {
        atomic_store(&s->quitting, true);
        core_queue_close(s->queue);
        pthread_kill(s->signal_thread, SIGUSR1); /* wakes its sigwait(); it sees `quitting` */
        pthread_join(s->signal_thread, NULL);
    }
    if (s->queue) {
        core_queue_close(s->queue);
        drain_queue(s); /* answers requests still queued, frees snapshots */
    }
    for (pending_read *p = s->pending_reads, *n; p; p = n) {
        n = p->next;
        core_reply_post(p->reply, 503, json_pack("{s:s}", "error", "the scheduler is stopping"));
        core_reply_unref(p->reply);
        free(p->op);
        json_decref(p->body);
        free(p);
    }
    s->pending_reads = NULL;
    mesos_client_free(s->client);
    s->client = NULL;
    core_queue_free(s->queue);
    scheduler_free_members(s);
    scheduler_free_plan(s);
    json_decref(s->zk_state);
    json_decref(s->recent_failures);
    free(s->framework_id);
    pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
}

static int start_threads(scheduler *s, mk_err *err)
{
    s->queue = core_queue_new(wake_core, s);
    if (pthread_create(&s->signal_thread, NULL, signal_main, s) != 0)
        return mk_err_set(err, "cannot start the signal thread");
    s->signal_thread_started = true;
    cleanup_free char *chroot = mk_xasprintf("/%s", s->cfg->framework_name);
    s->zk = zk_watch_start(s->queue, chroot, ZK_POLL_INTERVAL);
    if (!s->zk)
        return mk_err_set(err, "cannot start the ZooKeeper thread");
    cleanup_free char *connect = scheduler_zk_connect(s, true);
    zk_watch_set_connect(s->zk, connect);
    s->api = http_api_start(s->cfg, s->queue, err);
    return s->api ? 0 : -1;
}

int scheduler_run(const config *cfg)
{
    scheduler s = {.cfg = cfg};
    atomic_init(&s.quitting, false);
    s.recent_failures = json_array();
    /* Blocked before any thread exists (libcurl's resolver threads included), so only the signal
     * thread ever receives them. */
    sigemptyset(&s.signals);
    sigaddset(&s.signals, SIGTERM);
    sigaddset(&s.signals, SIGINT);
    sigaddset(&s.signals, SIGUSR1); /* how the core wakes the signal thread to end it */
    pthread_sigmask(SIG_BLOCK, &s.signals, &s.old_mask);
    signal(SIGPIPE, SIG_IGN);

    mk_err err = {{0}};
    if (load_state(&s, &err) < 0) {
        log_error(STATE, "%s", err.msg);
        scheduler_cleanup(&s);
        return SCHEDULER_EXIT_FATAL;
    }
    mesos_client_handlers h = {
        .on_event = on_event,
        .on_disconnected = on_disconnected,
        .on_call_failed = on_call_failed,
        .on_fatal = on_fatal,
    };
    s.client = mesos_client_new(cfg, &h, &s, &err);
    if (!s.client || start_threads(&s, &err) < 0) {
        log_error(COMPONENT, "%s", err.msg);
        scheduler_cleanup(&s);
        return SCHEDULER_EXIT_FATAL;
    }
    mesos_client_set_framework_id(s.client, s.framework_id);

    mesos_client_start(s.client);
    while (!s.stopping) {
        mesos_client_run(s.client, LOOP_TIMEOUT_MS);
        drain_queue(&s);
        if (!s.stopping)
            scheduler_tick(&s);
        if (s.dirty) {
            if (scheduler_persist(&s, &err) < 0)
                log_error(STATE, "cannot write the state file: %s", err.msg);
        }
    }
    int status = s.exit_status;
    scheduler_cleanup(&s);
    log_info(COMPONENT, "stopped (exit status %d)", status);
    return status;
}
