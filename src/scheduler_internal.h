/*
 * scheduler_internal: the core's state, shared by the files of the scheduler module only
 * (scheduler.c: loop, subscription, persistence; scheduler_cluster.c: members, statuses, restarts,
 * timers; scheduler_offers.c: offers; scheduler_ensemble.c: ZooKeeper membership and snapshots;
 * scheduler_api.c: the requests of the HTTP API; scheduler_restart.c: broker restarts). Everything
 * here is touched
 * by the core thread alone.
 */
#ifndef MK_SCHEDULER_INTERNAL_H
#define MK_SCHEDULER_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "cluster_check.h"
#include "config.h"
#include "core_queue.h"
#include "http_api.h"
#include "member.h"
#include "mesos_client.h"
#include "zk_watch.h"

#define MAX_RECENT_FAILURES 20

/* A restart of brokers, one at a time (scheduler_restart.c). */
typedef enum { STEP_PENDING, STEP_RESTARTING, STEP_WAITING, STEP_DONE, STEP_FAILED } step_state;
typedef struct {
    int broker;
    step_state state;
    char *old_task_id;    /* the task it was running when the step began */
    char *old_registered; /* its registration's timestamp then: a new one must replace it */
    double running_at;    /* wall clock the new task was seen running */
    char *message;
} restart_step;
typedef enum { PLAN_RUNNING, PLAN_BLOCKED, PLAN_DONE, PLAN_FAILED } plan_state;
typedef struct {
    restart_step *steps;
    size_t n_steps;
    bool force;
    plan_state state;
    double started_at, finished_at;
    char *message;
} restart_plan;

/* A Kafka scale-down or a broker restart waiting for a ZooKeeper read made after it was asked. */
typedef enum { PENDING_SCALE, PENDING_RESTART, PENDING_OP } pending_what;
typedef struct pending_read {
    pending_what what;
    core_reply *reply;
    char *op; /* PENDING_OP: the request's name and arguments, answered by broker_ops */
    json_t *body;
    int count; /* scale: the new count; restart: the broker id, -1 for all */
    bool force;
    unsigned long seq;
    struct pending_read *next;
} pending_read;

typedef struct scheduler {
    const config *cfg;
    mesos_client *client;
    core_queue *queue;
    zk_watch *zk;
    http_api *api;

    char *framework_id; /* as persisted in the state file; NULL = none yet */
    bool suppressed;    /* we told the master to stop offers since the last SUBSCRIBED */
    int n_wanting;      /* members that wanted a launch at the last check (for REVIVE) */

    /* Members, ZooKeeper first, each kind by id. */
    member **members;
    size_t n_members;
    int desired[N_KINDS];

    /* ZooKeeper as the scheduler's client last saw it. zk_quorum: a session works and the servers'
     * own answers show one leader with a majority (zk_eval, cluster_check.h); zk_eval.complete:
     * the whole ensemble, which the first broker waits for. */
    bool zk_quorum;
    zk_ensemble_eval zk_eval;
    cluster_ids_verdict kafka_ids; /* whether every broker reports the ensemble's cluster id */
    double zk_quorum_lost_at;      /* wall clock of the last loss of quorum (0: never lost) */
    json_t *zk_state;              /* last CORE_MSG_ZK_STATE body, or NULL */
    unsigned long zk_seq;          /* highest refresh sequence a snapshot answered */
    unsigned long zk_seq_next;     /* last refresh sequence asked */
    pending_read *pending_reads;
    restart_plan *plan; /* the last restart (kept when finished, for GET /v1/plan) */

    char **doomed; /* task ids to kill whenever they show up (replaced members' old tasks) */
    size_t n_doomed;
    double reconciled_at;        /* wall clock of the last full reconciliation */
    double doomed_reconciled_at; /* ... and of the last one asking about doomed tasks */
    json_t *recent_failures;     /* newest last, at most MAX_RECENT_FAILURES */

    bool dirty; /* members changed since the last write of the state file */
    bool stopping;
    int exit_status;

    sigset_t signals;
    sigset_t old_mask;
    pthread_t signal_thread;
    bool signal_thread_started;
    atomic_bool quitting;
} scheduler;

/* scheduler.c */
int scheduler_persist(scheduler *s, mk_err *err);
/* The state file's document for what `s` holds now (what scheduler_persist writes). */
json_t *scheduler_state_document(const scheduler *s);
/* Takes the state file's document (statefile_read's): framework id, desired counts, members,
 * doomed tasks and the restart plan, into `s`, whose desired counts are the environment's. -1
 * with the reason when any part is not what this version writes; `s` then holds what was loaded
 * before the problem (the caller frees it). */
int scheduler_load_document(scheduler *s, const json_t *doc, mk_err *err);
void scheduler_fail(scheduler *s, const char *reason);

/* scheduler_offers.c */
void scheduler_handle_offers(scheduler *s, const mesos_event *ev);
void scheduler_update_offer_interest(scheduler *s, bool force_revive);
/* A member that should be launched now (its backoff over; a broker only while a quorum answers). */
bool scheduler_wants_launch(const scheduler *s, const member *m, double now);

/* scheduler_ensemble.c */
/* host:port,... of the ensemble as tasks reach it ("" when none is placed); caller frees. */
char *scheduler_zk_connect(const scheduler *s, bool for_scheduler);
char *scheduler_bootstrap(const scheduler *s);
/* Points the ZooKeeper thread at the ensemble's current addresses. */
void scheduler_update_zk_connect(scheduler *s);
/* The ZOO_SERVERS a ZooKeeper member is (re)launched with now. */
char *scheduler_servers_for(const scheduler *s, const member *m);
/* Every placed member runs the current list and serves (or had its time to join): the moment to
 * change the membership by one. */
bool scheduler_ensemble_settled(const scheduler *s);
/* No ZooKeeper membership change under way: every member placed, running, in the quorum, with
 * the current server list. */
bool scheduler_zk_settled(const scheduler *s);
/* One step of a membership change, if one is due: a relaunch with the new list, or a removal. */
void scheduler_roll_ensemble(scheduler *s, double now);
void scheduler_handle_zk_state(scheduler *s, json_t *state);
/* A ZooKeeper member's mode as its `srvr` last said it (NULL: unknown, or not serving). */
const char *scheduler_zk_mode(const scheduler *s, const member *m);
/* The Kafka cluster id in ZooKeeper, and what broker `m` reports (NULL: not known). */
const char *scheduler_cluster_id(const scheduler *s);
const char *scheduler_broker_cluster_id(const scheduler *s, const member *m);
/* Whether brokers may be launched now: a quorum answers and, before the first broker has written
 * the cluster id, the whole ensemble is up (a broker started against a partial or split ensemble
 * could found a cluster of its own). */
bool scheduler_kafka_may_start(const scheduler *s);
/* Remembers whose registration of the broker's id exists as a new task is launched: an earlier
 * task's, which the new task's registration must replace before it counts. */
void scheduler_note_launch_owner(scheduler *s, member *m);

/* scheduler_cluster.c */
member *scheduler_find_member(const scheduler *s, member_kind kind, int id);
member *scheduler_find_task(const scheduler *s, const char *task_id);
/* Adds members up to the desired counts and marks those above for removal. */
void scheduler_apply_desired(scheduler *s);
/* A new member (not placed, goal RUN) at the end; scheduler_sort_members puts it in order. */
member *scheduler_add_member(scheduler *s, member_kind kind, int id);
/* ZooKeeper first, each kind by id (the order every loop over members relies on). */
void scheduler_sort_members(scheduler *s);
/* Members of `kind` that are not being removed. */
int scheduler_kept_count(const scheduler *s, member_kind kind);
/* Returns true if persistent state changed. */
bool scheduler_apply_task_status(scheduler *s, const mesos_task_status *st);
/* Timers: restarts due, unreachable members, ZooKeeper reconfiguration; then offer interest. */
void scheduler_tick(scheduler *s);
void scheduler_kill_task(scheduler *s, member *m, member_kill why);
void scheduler_reconcile(scheduler *s);
void scheduler_free_members(scheduler *s);

/* scheduler_restart.c */
/* Starts a restart of `broker` (-1: all, one at a time) after the data-safety check; answers. */
void scheduler_start_restart(scheduler *s, core_reply *reply, int broker, bool force);
/* The same for the brokers of `only` (n_only; every broker when NULL), controller last: the
 * status (202 started, 404, 409 refused) and its body in *body. */
int scheduler_restart_brokers(scheduler *s, const int *only, size_t n_only, bool force,
                              json_t **body);
/* Moves the running plan on (after a status, a ZooKeeper read, a tick). */
void scheduler_advance_plan(scheduler *s);
json_t *scheduler_plan_json(const scheduler *s);
/* The unfinished plan as the state file keeps it (NULL: none), and back. */
json_t *scheduler_plan_state(const scheduler *s);
int scheduler_load_plan(scheduler *s, const json_t *j, mk_err *err);
void scheduler_free_plan(scheduler *s);

/* scheduler_api.c */
void scheduler_handle_request(scheduler *s, core_msg *m);
/* Posts the answer to `m` (`body` taken), or drops it when no answer is expected. */
void scheduler_reply(core_msg *m, int status, json_t *body);
/* Partitions with a replica on a broker `pick` chooses (from the last ZooKeeper read): a new array
 * of {"topic", "partition", "brokers": [the chosen ones among its replicas]}. */
typedef bool (*scheduler_broker_pick)(const scheduler *s, const void *ud, json_int_t id);
json_t *scheduler_partitions_on(const scheduler *s, scheduler_broker_pick pick, const void *ud);
/* {"error": <the message>}. */
json_t *scheduler_error_body(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Keeps request `m` until zk_watch has read ZooKeeper after now, then gives it to
 * broker_ops_after_read: a decision about data that a read from before the request could miss (a
 * topic just created). */
void scheduler_after_fresh_read(scheduler *s, core_msg *m);
/* Answers Kafka scale-downs whose ZooKeeper read has arrived. */
void scheduler_answer_pending_reads(scheduler *s);
json_t *scheduler_member_json(const scheduler *s, const member *m);
/* A broker's entry in /v1/brokers: id, state, address, task, and broker_ops_describe's. */
json_t *scheduler_broker_summary(const scheduler *s, const member *mb);

#endif
