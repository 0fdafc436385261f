/*
 * scheduler_ensemble: the ZooKeeper ensemble: who is in the server list, where it is reached, when
 * it has settled, the rolling relaunch that changes its membership, and the snapshots of the
 * scheduler's own ZooKeeper client (quorum, broker registrations, each server's mode).
 *
 * ZooKeeper membership changes one member at a time. The servers run with a static member list, so
 * adding two members at once would let the two new ones and one old one (new list) form a quorum
 * beside the two other old ones (old list): two leaders. Adding or removing one member keeps every
 * quorum of the old list and of the new list overlapping. So: place (or remove) one member, then
 * relaunch the others one by one with the new list, each only when every member runs and serves
 * in the quorum, and only then the next member. Replacing a member (same id, new address) keeps
 * the membership, so it need not wait.
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
/* How long a relaunched ZooKeeper server that does not (yet) serve in a quorum is given before the
 * next membership step: a server restarted with a new list may only join once more peers have it.
 */
#define ZK_SETTLE_S 10.0
/* How long a lost quorum is awaited before a membership roll goes on regardless (see
 * scheduler_roll_ensemble). */
#define ZK_STUCK_S 30.0

/* ---- the ZooKeeper ensemble ------------------------------------------------------------------ */

char *scheduler_servers_for(const scheduler *s, const member *m)
{
    member **list = mk_xcalloc(s->n_members + 1, sizeof(member *));
    size_t n = taskinfo_zoo_ensemble(s->cfg, s->members, s->n_members, list);
    char *out = taskinfo_zoo_servers(s->cfg, list, n, m);
    free(list);
    return out;
}

/* Where the scheduler reaches a ZooKeeper member's client port (NULL if it cannot yet). */
static char *scheduler_side_address(const scheduler *s, const member *m)
{
    /* On a USER network the scheduler is outside the containers' DNS: it uses the address the
     * status reported. */
    if (s->cfg->network == NETWORK_USER)
        return m->container_ip ? mk_xasprintf("%s:%d", m->container_ip, ZK_CLIENT_PORT) : NULL;
    return taskinfo_service_address(s->cfg, m);
}

/* What the last snapshot says of the member's server under `key` ("modes", "voters"), if it was
 * read after the member's launch (an older read may have seen its predecessor). */
static const json_t *server_fact(const scheduler *s, const member *m, const char *key)
{
    double read_at = json_number_value(json_object_get(s->zk_state, "read_at"));
    if (!member_task_live(m) || read_at < m->launched_at + 1.0)
        return NULL;
    cleanup_free char *addr = scheduler_side_address(s, m);
    return addr ? json_object_get(json_object_get(s->zk_state, key), addr) : NULL;
}

const char *scheduler_zk_mode(const scheduler *s, const member *m)
{
    return json_string_value(server_fact(s, m, "modes"));
}

/* Whether the member's server says it serves in a quorum (leader, follower, ...). */
static bool member_in_quorum(const scheduler *s, const member *m)
{
    return scheduler_zk_mode(s, m) != NULL;
}

/* "host:port,..." of the placed members of `kind` that stay, as tasks (or the scheduler) reach
 * them. */
static char *join_addresses(const scheduler *s, member_kind kind, bool for_scheduler)
{
    size_t cap = 16 + s->n_members * 300, len = 0;
    char *out = mk_xmalloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind != kind || !m->agent_id || m->goal == GOAL_REMOVE)
            continue;
        cleanup_free char *addr =
            for_scheduler ? scheduler_side_address(s, m) : taskinfo_service_address(s->cfg, m);
        if (addr)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "," : "", addr);
    }
    return out;
}

char *scheduler_zk_connect(const scheduler *s, bool for_scheduler)
{
    return join_addresses(s, KIND_ZOOKEEPER, for_scheduler);
}

char *scheduler_bootstrap(const scheduler *s)
{
    return join_addresses(s, KIND_KAFKA, false);
}

void scheduler_update_zk_connect(scheduler *s)
{
    if (!s->zk)
        return;
    cleanup_free char *connect = scheduler_zk_connect(s, true);
    zk_watch_set_connect(s->zk, connect);
}

/* A running member has settled when its server says it serves in the quorum, or, for one that
 * cannot join yet (a new member whose peers still run the old list), after ZK_SETTLE_S. */
static bool member_settled(const scheduler *s, const member *m, double now)
{
    if (!member_task_live(m) || m->task_state != TASK_RUNNING || m->kill != KILL_NONE)
        return false;
    return member_in_quorum(s, m) || now - m->launched_at >= ZK_SETTLE_S;
}

/* Whether every ZooKeeper member that should run does, with the list it should have, and a quorum
 * answers: the moment to change the membership by one. */
bool scheduler_ensemble_settled(const scheduler *s)
{
    double now = mk_now_wall();
    if (!s->zk_quorum)
        return false;
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER || !m->agent_id || m->gave_up || m->goal == GOAL_STOP)
            continue;
        if (m->goal == GOAL_REMOVE)
            return false; /* a removal in progress */
        if (!member_settled(s, m, now))
            return false;
        cleanup_free char *want = scheduler_servers_for(s, m);
        if (!m->servers || strcmp(want, m->servers) != 0)
            return false;
    }
    return true;
}

bool scheduler_zk_settled(const scheduler *s)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind == KIND_ZOOKEEPER && (m->goal == GOAL_REMOVE || !m->agent_id))
            return false;
    }
    return scheduler_ensemble_settled(s);
}

/* Relaunches, one at a time, ZooKeeper members whose server list is out of date; removes
 * scaled-away members one at a time. */
void scheduler_roll_ensemble(scheduler *s, double now)
{
    /* Normally each step waits for the quorum. But a step interrupted (a member lost half-way)
     * can leave servers with different lists that cannot agree on a quorum until the roll goes
     * on: once the quorum has been gone ZK_STUCK_S while every member runs, the roll continues. */
    bool stuck =
        !s->zk_quorum && s->zk_quorum_lost_at > 0 && now - s->zk_quorum_lost_at >= ZK_STUCK_S;
    if (!s->zk_quorum && !stuck)
        return;
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER)
            continue;
        if (m->kill != KILL_NONE && member_task_live(m))
            return; /* one change at a time */
        bool runs = member_task_live(m) && m->task_state == TASK_RUNNING;
        if (m->goal == GOAL_RUN && !m->gave_up && m->agent_id &&
            (stuck ? !runs || now - m->launched_at < ZK_SETTLE_S : !member_settled(s, m, now)))
            return; /* the last change has not settled */
    }
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER || !member_task_live(m) || m->goal != GOAL_RUN)
            continue;
        cleanup_free char *want = scheduler_servers_for(s, m);
        if (m->servers && strcmp(want, m->servers) == 0)
            continue;
        log_info(COMPONENT, "zookeeper-%d: relaunching with the new server list %s", m->id, want);
        scheduler_kill_task(s, m, KILL_RECONFIGURE);
        return;
    }
    /* Every member up to date: remove the highest member that is to go. */
    for (size_t i = s->n_members; i-- > 0;) {
        member *m = s->members[i];
        if (m->kind == KIND_ZOOKEEPER && m->goal == GOAL_REMOVE && member_task_live(m) &&
            m->kill == KILL_NONE) {
            log_info(COMPONENT, "zookeeper-%d: removing it from the ensemble", m->id);
            scheduler_kill_task(s, m, KILL_REMOVE);
            return;
        }
    }
}

/* ---- whether the ensemble is whole, and Kafka one cluster ------------------------------------ */

/* Judges the members of the server list by their servers' own answers (cluster_check.h). */
static void judge_ensemble(const scheduler *s, zk_ensemble_eval *eval)
{
    member **list = mk_xcalloc(s->n_members + 1, sizeof(member *));
    size_t n = taskinfo_zoo_ensemble(s->cfg, s->members, s->n_members, list);
    zk_server_view *views = mk_xcalloc(n + 1, sizeof(*views));
    for (size_t i = 0; i < n; i++) {
        const json_t *voters = server_fact(s, list[i], "voters");
        views[i] = (zk_server_view){
            .id = list[i]->id,
            .mode = scheduler_zk_mode(s, list[i]),
            .voters = json_is_integer(voters) ? (int)json_integer_value(voters) : -1};
    }
    zk_ensemble_evaluate(views, n, s->desired[KIND_ZOOKEEPER], eval);
    free(views);
    free(list);
}

const char *scheduler_cluster_id(const scheduler *s)
{
    return json_string_value(json_object_get(s->zk_state, "cluster_id"));
}

const char *scheduler_broker_cluster_id(const scheduler *s, const member *m)
{
    char id[16];
    snprintf(id, sizeof(id), "%d", m->id);
    if (!m->registered)
        return NULL;
    return json_string_value(
        json_object_get(json_object_get(s->zk_state, "broker_cluster_ids"), id));
}

bool scheduler_kafka_may_start(const scheduler *s)
{
    return s->zk_quorum && (s->zk_eval.complete || scheduler_cluster_id(s) != NULL);
}

/* Whether every broker that should run reports the ensemble's cluster id. */
static cluster_ids_verdict judge_cluster_ids(const scheduler *s)
{
    const char **ids = mk_xcalloc(s->n_members + 1, sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind == KIND_KAFKA && m->goal == GOAL_RUN && !m->gave_up)
            ids[n++] = scheduler_broker_cluster_id(s, m);
    }
    cluster_ids_verdict v = kafka_cluster_ids_evaluate(scheduler_cluster_id(s), ids, n);
    free(ids);
    return v;
}

/* Where the scheduler reaches each broker ("id=host:port,..."), for the cluster id question. */
static void update_broker_addresses(const scheduler *s)
{
    size_t cap = 16 + s->n_members * 300, len = 0;
    cleanup_free char *out = mk_xmalloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind != KIND_KAFKA || !member_task_live(m))
            continue;
        cleanup_free char *addr =
            s->cfg->network == NETWORK_USER
                ? (m->container_ip ? mk_xasprintf("%s:%d", m->container_ip, KAFKA_PORT) : NULL)
                : taskinfo_service_address(s->cfg, m);
        if (addr)
            len += (size_t)snprintf(out + len, cap - len, "%s%d=%s", len ? "," : "", m->id, addr);
    }
    if (s->zk)
        zk_watch_set_brokers(s->zk, out);
}

/* Logs what changed in the verdicts. */
static void report_verdicts(const scheduler *s, const zk_ensemble_eval *was, bool had_quorum,
                            cluster_ids_verdict ids_were)
{
    const zk_ensemble_eval *e = &s->zk_eval;
    if (s->zk_quorum != had_quorum) {
        const char *why = json_string_value(json_object_get(s->zk_state, "error"));
        if (!why && !e->quorum)
            why = e->problem;
        log_info(COMPONENT, "ZooKeeper quorum %s%s%s", s->zk_quorum ? "answers" : "lost",
                 s->zk_quorum ? "" : ": ",
                 s->zk_quorum ? ""
                 : why        ? why
                              : "?");
    }
    if (e->complete != was->complete || (!e->complete && strcmp(e->problem, was->problem) != 0)) {
        if (e->complete)
            log_info(COMPONENT,
                     "ZooKeeper ensemble complete: zookeeper-%d leads, %d follow, each counts %d "
                     "voting members",
                     e->leader, e->followers, e->expected);
        else
            log_info(COMPONENT, "ZooKeeper ensemble incomplete: %s", e->problem);
    }
    if (s->kafka_ids != ids_were) {
        const char *cid = scheduler_cluster_id(s);
        if (s->kafka_ids == CLUSTER_IDS_AGREE)
            log_info(COMPONENT, "every broker reports the cluster id %s", cid);
        else if (s->kafka_ids == CLUSTER_IDS_DIFFER)
            log_error(COMPONENT,
                      "the brokers report different cluster ids (ZooKeeper holds %s): more than "
                      "one Kafka cluster runs; GET /v0/status shows each broker's",
                      cid ? cid : "none");
    }
}

/* ---- ZooKeeper snapshots --------------------------------------------------------------------- */

/* Whether a /brokers/ids registration is the member's current task's: it advertises the member's
 * address. (A broker lost with its agent stays registered until its ZooKeeper session expires.) */
static bool registration_is_ours(const scheduler *s, const member *m, const json_t *reg)
{
    cleanup_free char *addr = taskinfo_service_address(s->cfg, m);
    if (!reg || !addr)
        return false;
    size_t alen = strlen(addr), i;
    const json_t *ep;
    json_array_foreach(json_object_get(reg, "endpoints"), i, ep)
    {
        const char *text = json_string_value(ep);
        const char *host = text ? strstr(text, "://") : NULL;
        if (host && strlen(host + 3) == alen && strcmp(host + 3, addr) == 0)
            return true;
    }
    return false;
}

void scheduler_note_launch_owner(scheduler *s, member *m)
{
    free(m->launch_owner);
    m->launch_owner = NULL;
    free(m->zk_owner);
    m->zk_owner = NULL;
    if (m->kind != KIND_KAFKA)
        return;
    char id[16];
    snprintf(id, sizeof(id), "%d", m->id);
    const char *owner = json_string_value(
        json_object_get(json_object_get(json_object_get(s->zk_state, "brokers"), id), "owner"));
    m->launch_owner = owner ? mk_xstrdup(owner) : NULL;
}

void scheduler_handle_zk_state(scheduler *s, json_t *state)
{
    json_decref(s->zk_state);
    s->zk_state = state;
    json_int_t seq = json_integer_value(json_object_get(state, "seq"));
    if (seq > 0 && (unsigned long)seq > s->zk_seq)
        s->zk_seq = (unsigned long)seq;
    /* A session proves little (a standalone server accepts one too): the servers' answers say
     * whether there is a quorum. */
    zk_ensemble_eval was = s->zk_eval;
    bool had_quorum = s->zk_quorum;
    judge_ensemble(s, &s->zk_eval);
    bool quorum = json_is_true(json_object_get(state, "quorum")) && s->zk_eval.quorum;
    if (s->zk_quorum && !quorum)
        s->zk_quorum_lost_at = mk_now_wall();
    s->zk_quorum = quorum;
    const json_t *brokers = json_object_get(state, "brokers");
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind != KIND_KAFKA)
            continue;
        char id[16];
        snprintf(id, sizeof(id), "%d", m->id);
        const json_t *reg = json_object_get(brokers, id);
        const char *owner = json_string_value(json_object_get(reg, "owner"));
        bool stale = owner && ((m->dead_owner && strcmp(owner, m->dead_owner) == 0) ||
                               (m->launch_owner && strcmp(owner, m->launch_owner) == 0));
        bool registered =
            quorum && member_task_live(m) && !stale && registration_is_ours(s, m, reg);
        if (registered && owner && (!m->zk_owner || strcmp(m->zk_owner, owner) != 0)) {
            free(m->zk_owner);
            m->zk_owner = mk_xstrdup(owner);
        }
        if (registered != m->registered)
            log_info(COMPONENT, "kafka-%d %s", m->id,
                     registered ? "is registered in ZooKeeper" : "is no longer registered");
        m->registered = registered;
    }
    cluster_ids_verdict ids_were = s->kafka_ids;
    s->kafka_ids = judge_cluster_ids(s);
    report_verdicts(s, &was, had_quorum, ids_were);
    update_broker_addresses(s);
    scheduler_answer_pending_reads(s);
    scheduler_advance_plan(s);
    scheduler_update_offer_interest(s, false);
}
