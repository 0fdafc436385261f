/*
 * scheduler: the core loop and the state it owns.
 *
 * Loop: mesos_client_run() (I/O, timers, Mesos events through the handlers below), then the core
 * queue (messages from other threads), until a stop message or a fatal error. SIGTERM and SIGINT
 * are taken by a small thread with sigwait() and turned into CORE_MSG_STOP messages, so a signal
 * is handled like any other request on the core thread, and no signal handler has to touch curl.
 * (SIGUSR1 is blocked too: the core sends it to end that thread at exit.)
 *
 * What this issue decides: the framework id is loaded from the state file, persisted when a
 * SUBSCRIBED brings a new one (before any call goes out) and cleared when the master says the
 * framework was removed. After each SUBSCRIBED the core reconciles (explicitly for the tasks it
 * knows, then implicitly). It wants no resources yet, so every offer is declined with
 * filters.refuse_seconds = OFFER_REFUSE_SECONDS and offers are suppressed once; the placement of
 * the next issue plugs in at want_offers() / place_offer(), and update_offer_interest() revives
 * when it wants something.
 */
#include "scheduler.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_queue.h"
#include "log.h"
#include "mesos_call.h"
#include "mesos_client.h"
#include "statefile.h"
#include "util.h"

#define COMPONENT       "scheduler"
#define STATE           "state"
#define LOOP_TIMEOUT_MS 1000

typedef struct {
    const config *cfg;
    mesos_client *client;
    core_queue *queue;

    char *framework_id; /* as persisted in the state file; NULL = none yet */
    bool suppressed;    /* we told the master to stop offers since the last SUBSCRIBED */
    char **offers;      /* ids of offers held (the next issue's placement keeps some) */
    size_t n_offers;

    bool stopping;
    int exit_status;

    sigset_t signals;
    sigset_t old_mask;
    pthread_t signal_thread;
    bool signal_thread_started;
    atomic_bool quitting;
} scheduler;

/* ---- persistence ----------------------------------------------------------------------------- */

static json_t *state_document(const scheduler *s)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack("{s:i, s:o, s:s, s:s}", "schema_version", STATEFILE_SCHEMA_VERSION,
                     "framework_id", s->framework_id ? json_string(s->framework_id) : json_null(),
                     "framework_name", s->cfg->framework_name, "updated_at", when);
}

static int persist(scheduler *s, mk_err *err)
{
    cleanup_json json_t *doc = state_document(s);
    if (!doc)
        return mk_err_set(err, "cannot build the state document");
    if (statefile_write(s->cfg->statefile_path, doc, err) < 0)
        return -1;
    log_debug(STATE, "wrote %s", s->cfg->statefile_path);
    return 0;
}

/* Stops the core with exit status 1 (the caller logged nothing yet). */
static void fail(scheduler *s, const char *reason)
{
    log_error(COMPONENT, "stopping: %s", reason);
    s->stopping = true;
    s->exit_status = SCHEDULER_EXIT_FATAL;
}

static int load_state(scheduler *s, mk_err *err)
{
    const char *path = s->cfg->statefile_path;
    cleanup_json json_t *doc = NULL;
    if (statefile_read(path, &doc, err) < 0)
        return -1;
    if (!doc) {
        /* Writing at once proves the state can be kept before a framework exists that would
         * depend on it. */
        log_info(STATE, "no state file at %s: a new framework will be registered", path);
        if (persist(s, err) < 0)
            return -1;
        log_info(STATE, "created %s", path);
        return 0;
    }
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
    s->framework_id = json_is_string(fid) ? mk_xstrdup(json_string_value(fid)) : NULL;
    if (s->framework_id)
        log_info(STATE, "loaded %s: framework id %s", path, s->framework_id);
    else
        log_info(STATE, "loaded %s: no framework id yet", path);
    return 0;
}

/* ---- offers ---------------------------------------------------------------------------------- */

static bool forget_offer(scheduler *s, const char *id)
{
    for (size_t i = 0; i < s->n_offers; i++) {
        if (strcmp(s->offers[i], id) == 0) {
            free(s->offers[i]);
            s->offers[i] = s->offers[--s->n_offers];
            return true;
        }
    }
    return false;
}

static void forget_all_offers(scheduler *s)
{
    for (size_t i = 0; i < s->n_offers; i++)
        free(s->offers[i]);
    s->n_offers = 0;
}

/* Whether anything waits for resources (a member to launch or restart). Nothing yet: the next
 * issue answers from the desired and actual ZooKeeper/Kafka members. */
static bool want_offers(const scheduler *s)
{
    (void)s;
    return false;
}

/* Tries to use `offer` for what is wanted; returns true if it was kept (accepted or held for a
 * later ACCEPT). The next issue's placement goes here. */
static bool place_offer(scheduler *s, const mesos_offer *offer)
{
    (void)s;
    (void)offer;
    return false;
}

/* Asks for offers when something is wanted, stops them when nothing is. Called after offers were
 * answered and whenever the wanted state changes. */
static void update_offer_interest(scheduler *s)
{
    const char *fid = mesos_client_framework_id(s->client);
    if (!fid || !mesos_client_is_subscribed(s->client))
        return;
    bool want = want_offers(s);
    if (want && s->suppressed) {
        if (mesos_client_send(s->client, mesos_call_revive(fid, s->cfg->framework_role)) == 0) {
            s->suppressed = false;
            log_info(COMPONENT, "reviving offers for role %s", s->cfg->framework_role);
        }
    } else if (!want && !s->suppressed) {
        if (mesos_client_send(s->client, mesos_call_suppress(fid, s->cfg->framework_role)) == 0) {
            s->suppressed = true;
            log_info(COMPONENT, "nothing to launch: suppressing offers for role %s",
                     s->cfg->framework_role);
        }
    }
}

static void handle_offers(scheduler *s, const mesos_event *ev)
{
    const char *fid = mesos_client_framework_id(s->client);
    size_t n = ev->u.offers.n_offers;
    const char **decline = mk_xcalloc(n ? n : 1, sizeof(char *));
    size_t n_decline = 0;
    for (size_t i = 0; i < n; i++) {
        const mesos_offer *o = &ev->u.offers.offers[i];
        if (want_offers(s) && place_offer(s, o))
            continue;
        decline[n_decline++] = o->id;
    }
    if (n_decline > 0 && fid) {
        json_t *call = mesos_call_decline(fid, decline, n_decline, s->cfg->offer_refuse_s);
        if (mesos_client_send(s->client, call) == 0)
            log_info(COMPONENT, "declined %zu offer(s) for %.0f s: nothing to launch", n_decline,
                     s->cfg->offer_refuse_s);
    }
    free(decline);
    update_offer_interest(s);
}

/* ---- task status ----------------------------------------------------------------------------- */

/* Applies a status to the tasks the core knows; returns true if persistent state changed. No
 * tasks are launched yet, so every status is about a task this scheduler does not know. */
static bool apply_task_status(scheduler *s, const mesos_task_status *st)
{
    (void)s;
    log_info(COMPONENT, "task %s (unknown to this scheduler) is %s%s%s%s%s", st->task_id,
             st->state_name ? st->state_name : "?", st->reason ? " " : "",
             st->reason ? st->reason : "", st->message ? ": " : "", st->message ? st->message : "");
    return false;
}

static void handle_update(scheduler *s, const mesos_task_status *st)
{
    if (apply_task_status(s, st)) {
        mk_err err = {{0}};
        if (persist(s, &err) < 0) {
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

/* ---- subscription ---------------------------------------------------------------------------- */

static void reconcile(scheduler *s)
{
    const char *fid = mesos_client_framework_id(s->client);
    /* Explicit reconciliation of the non-terminal tasks of the state file comes with tasks (next
     * issue); then the implicit one, which also reveals tasks we do not know. */
    mesos_client_send(s->client, mesos_call_reconcile(fid, NULL, 0));
    log_info(COMPONENT, "reconciling (0 known tasks, then implicitly)");
}

static void handle_subscribed(scheduler *s, const mesos_event *ev)
{
    const char *fid = ev->u.subscribed.framework_id;
    if (!fid)
        return;
    if (!s->framework_id || strcmp(s->framework_id, fid) != 0) {
        char *old = s->framework_id;
        s->framework_id = mk_xstrdup(fid);
        mk_err err = {{0}};
        if (persist(s, &err) < 0) {
            cleanup_free char *why = mk_xasprintf(
                "framework id %s cannot be persisted (%s); without it a restart would orphan the "
                "framework's tasks",
                fid, err.msg);
            free(old);
            fail(s, why);
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
    forget_all_offers(s);
    reconcile(s);
}

static void handle_error(scheduler *s, const mesos_event *ev)
{
    /* The client forgets an id the master no longer knows; the state file must follow, or a
     * restart would try it again. */
    if (s->framework_id && !mesos_client_framework_id(s->client)) {
        cleanup_free char *old = s->framework_id;
        s->framework_id = NULL;
        mk_err err = {{0}};
        if (persist(s, &err) < 0) {
            fail(s, err.msg);
            return;
        }
        log_warn(STATE,
                 "framework %s was removed by the master; cleared it from %s (a new framework "
                 "will be registered; tasks of the old one are orphaned)",
                 old, s->cfg->statefile_path);
    }
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
        handle_offers(s, ev);
        break;
    case MESOS_EVENT_RESCIND:
        if (forget_offer(s, ev->u.rescind.offer_id))
            log_info(COMPONENT, "offer %s rescinded", ev->u.rescind.offer_id);
        else
            log_debug(COMPONENT, "offer %s rescinded (not held)", ev->u.rescind.offer_id);
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
    scheduler *s = ud;
    if (s->n_offers)
        log_info(COMPONENT, "forgetting %zu offer(s) of the lost stream", s->n_offers);
    forget_all_offers(s);
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
    fail(ud, reason);
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
        case CORE_MSG_REQUEST:
        default:
            if (m->reply)
                core_reply_post(m->reply, 501, json_pack("{s:s}", "error", "not implemented"));
            break;
        }
        core_msg_free(m);
        m = next;
    }
}

/* ---- run ------------------------------------------------------------------------------------- */

static void scheduler_cleanup(scheduler *s)
{
    if (s->signal_thread_started) {
        atomic_store(&s->quitting, true);
        core_queue_close(s->queue);
        pthread_kill(s->signal_thread, SIGUSR1); /* wakes its sigwait(); it sees `quitting` */
        pthread_join(s->signal_thread, NULL);
    }
    mesos_client_free(s->client);
    s->client = NULL;
    core_queue_free(s->queue);
    forget_all_offers(s);
    free(s->offers);
    free(s->framework_id);
    pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
}

int scheduler_run(const config *cfg)
{
    scheduler s = {.cfg = cfg};
    atomic_init(&s.quitting, false);
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
    if (!s.client) {
        log_error(COMPONENT, "%s", err.msg);
        scheduler_cleanup(&s);
        return SCHEDULER_EXIT_FATAL;
    }
    mesos_client_set_framework_id(s.client, s.framework_id);
    s.queue = core_queue_new(wake_core, &s);
    if (pthread_create(&s.signal_thread, NULL, signal_main, &s) != 0) {
        log_error(COMPONENT, "cannot start the signal thread");
        scheduler_cleanup(&s);
        return SCHEDULER_EXIT_FATAL;
    }
    s.signal_thread_started = true;

    mesos_client_start(s.client);
    while (!s.stopping) {
        mesos_client_run(s.client, LOOP_TIMEOUT_MS);
        drain_queue(&s);
    }
    int status = s.exit_status;
    scheduler_cleanup(&s);
    log_info(COMPONENT, "stopped (exit status %d)", status);
    return status;
}
