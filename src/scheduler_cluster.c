/*
 * scheduler_cluster: the core's decisions about members: placing launches in offers, reading task
 * statuses, restarting with backoff, replacing unreachable members, and keeping the ZooKeeper
 * ensemble's server lists consistent.
 *
 * Ordering. ZooKeeper comes first: a first ensemble is placed all at once (every member must know
 * every other's address), so its members either all fit in one round of offers or none is placed.
 * Kafka brokers are launched only while the scheduler's own ZooKeeper client reaches a quorum.
 *
 * ZooKeeper membership changes one member at a time. The servers run with a static member list, so
 * adding two members at once would let the two new ones and one old one (new list) form a quorum
 * beside the two other old ones (old list): two leaders. Adding or removing one member keeps every
 * quorum of the old list and of the new list overlapping. So: place (or remove) one member, then
 * relaunch the others one by one with the new list, each only when every member runs and a quorum
 * answers, and only then the next member.
 *
 * Restarts stay on the member's home agent with its ports (its volume, its address in the server
 * list or advertised listener); a member moves only when its agent is gone (TASK_GONE) or has been
 * unreachable for UNREACHABLE_TIMEOUT.
 */
#include "scheduler_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mesos_call.h"
#include "placement.h"
#include "taskinfo.h"
#include "util.h"

#define COMPONENT "scheduler"
/* Offers declined while a first ensemble waits for enough agents come back soon. */
#define ENSEMBLE_RETRY_REFUSE_S 2.0
/* How long a relaunched ZooKeeper server that does not (yet) serve in a quorum is given before the
 * next membership step: a server restarted with a new list may only join once more peers have it.
 */
#define ZK_SETTLE_S 10.0
/* How long a lost quorum is awaited before a membership roll goes on regardless (see
 * roll_ensemble). */
#define ZK_STUCK_S 30.0

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

void scheduler_apply_desired(scheduler *s)
{
    for (int k = 0; k < N_KINDS; k++) {
        int first = k == KIND_ZOOKEEPER ? 1 : 0;
        int last = first + s->desired[k] - 1;
        for (int id = first; id <= last; id++) {
            member *m = scheduler_find_member(s, (member_kind)k, id);
            if (!m) {
                m = member_new((member_kind)k, id);
                s->members = mk_xrealloc(s->members, (s->n_members + 1) * sizeof(member *));
                s->members[s->n_members++] = m;
                s->dirty = true;
            } else if (m->goal == GOAL_REMOVE) {
                m->goal = GOAL_RUN; /* scaled back up before it was gone */
                s->dirty = true;
            }
        }
        for (size_t i = 0; i < s->n_members; i++) {
            member *m = s->members[i];
            if (m->kind == (member_kind)k && m->id > last && m->goal != GOAL_REMOVE) {
                m->goal = GOAL_REMOVE;
                s->dirty = true;
            }
        }
    }
    if (s->n_members > 1)
        qsort(s->members, s->n_members, sizeof(member *), member_order);
    /* Members to remove that never ran go at once. */
    for (size_t i = 0; i < s->n_members;) {
        member *m = s->members[i];
        if (m->goal == GOAL_REMOVE && !member_task_live(m))
            remove_member(s, m);
        else
            i++;
    }
}

/* ---- the ZooKeeper ensemble ------------------------------------------------------------------ */

/* Members in the server list: with an address (a member waiting for a new home keeps its last
 * one), and not removed (a member being removed stays in the list until its task has ended). */
static size_t ensemble(const scheduler *s, member **out)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind == KIND_ZOOKEEPER && m->hostname && m->n_ports > 0 &&
            (m->goal != GOAL_REMOVE || member_task_live(m)))
            out[n++] = m;
    }
    return n;
}

static char *servers_for(const scheduler *s, const member *m)
{
    member **list = mk_xcalloc(s->n_members + 1, sizeof(member *));
    size_t n = ensemble(s, list);
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

/* Whether the member's server says it serves in a quorum (leader, follower, ...), as a snapshot
 * read after its launch saw it with `srvr` (an older one may have seen its predecessor). */
static bool member_in_quorum(const scheduler *s, const member *m)
{
    double read_at = json_number_value(json_object_get(s->zk_state, "read_at"));
    if (read_at < m->launched_at + 1.0)
        return false;
    cleanup_free char *addr = scheduler_side_address(s, m);
    const json_t *mode = addr ? json_object_get(json_object_get(s->zk_state, "modes"), addr) : NULL;
    return json_is_string(mode);
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

static void update_zk_connect(scheduler *s)
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
static bool ensemble_settled(const scheduler *s)
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
        cleanup_free char *want = servers_for(s, m);
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
    return ensemble_settled(s);
}

/* ---- launching ------------------------------------------------------------------------------- */

static bool wants_launch(const scheduler *s, const member *m, double now)
{
    if (m->goal != GOAL_RUN || m->gave_up || member_task_live(m) || now < m->restart_at)
        return false;
    return m->kind == KIND_ZOOKEEPER || s->zk_quorum;
}

static placement_need need_of(const scheduler *s, const member *m)
{
    const config_resources *r =
        m->kind == KIND_ZOOKEEPER ? &s->cfg->zookeeper_res : &s->cfg->kafka_res;
    placement_need need = {.cpus = r->cpus,
                           .mem_mb = r->mem_mb,
                           .disk_mb = r->disk_mb,
                           .n_ports = taskinfo_ports_needed(s->cfg, m->kind)};
    if (m->agent_id && m->n_ports == need.n_ports && need.n_ports > 0)
        need.fixed_ports = m->ports;
    return need;
}

/* Whether another member of the same kind already lives on `agent_id`. */
static bool agent_taken(const scheduler *s, const member *self, const char *agent_id)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m != self && m->kind == self->kind && m->agent_id && !strcmp(m->agent_id, agent_id))
            return true;
    }
    return false;
}

typedef struct {
    offer_space *space;
    json_t *tasks; /* TaskInfos to launch on this offer */
    member **launched;
    size_t n_launched;
} offer_plan;

static void set_home(member *m, const mesos_offer *o, const int *ports, int n_ports)
{
    free(m->agent_id);
    free(m->hostname);
    m->agent_id = mk_xstrdup(o->agent_id);
    m->hostname = mk_xstrdup(o->hostname);
    m->n_ports = n_ports;
    for (int i = 0; i < n_ports; i++)
        m->ports[i] = ports[i];
}

/* Takes the member's resources from plan `p` (fit checked by the caller) and records the launch;
 * the TaskInfo is built later, once every home of this round is known. */
static void claim(offer_plan *p, member *m, const placement_need *need, json_t **resources)
{
    int ports[MEMBER_MAX_PORTS] = {0};
    *resources = offer_space_take(p->space, need, ports);
    if (need->n_ports > 0 || !m->agent_id)
        set_home(m, offer_space_offer(p->space), ports, need->n_ports);
    p->launched = mk_xrealloc(p->launched, (p->n_launched + 1) * sizeof(member *));
    p->launched[p->n_launched++] = m;
}

/* Index of the offer on member m's home agent that fits it, or of any allowed offer for a member
 * without a home; -1 if none. */
static long find_offer(const scheduler *s, offer_plan *plans, size_t n, const member *m,
                       const bool *excluded)
{
    placement_need need = need_of(s, m);
    for (size_t i = 0; i < n; i++) {
        const mesos_offer *o = offer_space_offer(plans[i].space);
        if (excluded && excluded[i])
            continue;
        if (m->agent_id ? strcmp(o->agent_id, m->agent_id) != 0 : agent_taken(s, m, o->agent_id))
            continue;
        if (offer_space_fits(plans[i].space, &need))
            return (long)i;
    }
    return -1;
}

/* A first ensemble: all unplaced members on distinct agents, or none. Returns false if it had to
 * wait for more offers. */
static bool place_first_ensemble(scheduler *s, offer_plan *plans, size_t n, double now,
                                 json_t **resources, member **placed, size_t *n_placed)
{
    bool *used = mk_xcalloc(n ? n : 1, sizeof(bool));
    long *pick = mk_xcalloc(s->n_members + 1, sizeof(long));
    size_t count = 0;
    bool ok = true;
    for (size_t i = 0; i < s->n_members && ok; i++) {
        member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER || m->agent_id || !wants_launch(s, m, now))
            continue;
        long at = find_offer(s, plans, n, m, used);
        if (at < 0)
            ok = false;
        else {
            used[at] = true;
            pick[count] = at;
            placed[count++] = m;
        }
    }
    if (ok)
        for (size_t i = 0; i < count; i++) {
            placement_need need = need_of(s, placed[i]);
            claim(&plans[pick[i]], placed[i], &need, &resources[i]);
        }
    *n_placed = ok ? count : 0;
    free(used);
    free(pick);
    return ok;
}

static void add_task(scheduler *s, offer_plan *p, member *m, json_t *resources, double now)
{
    char *task_id = member_new_task_id(m);
    json_t *ti;
    if (m->kind == KIND_ZOOKEEPER) {
        char *servers = servers_for(s, m);
        ti = taskinfo_build(s->cfg, m, task_id, resources, servers, NULL);
        free(m->servers);
        m->servers = servers;
    } else {
        cleanup_free char *hosts = scheduler_zk_connect(s, false);
        cleanup_free char *connect = mk_xasprintf("%s/%s", hosts, s->cfg->framework_name);
        ti = taskinfo_build(s->cfg, m, task_id, resources, NULL, connect);
    }
    json_array_append_new(p->tasks, ti);
    free(m->task_id);
    m->task_id = task_id;
    m->task_state = TASK_STAGING;
    m->healthy = -1;
    m->healthy_since = 0;
    m->unreachable_since = 0;
    m->kill = KILL_NONE;
    m->launched_at = now;
    free(m->message);
    m->message = NULL;
    free(m->container_ip);
    m->container_ip = NULL;
    s->dirty = true;
}

/* Decides every launch this round of offers allows; returns the number of launches. */
/* Places `m` in the first offer that fits it (its home's, if it has one); records it. */
static void place(scheduler *s, offer_plan *plans, size_t n, member *m, member **placed,
                  json_t **resources, size_t *n_placed)
{
    long at = find_offer(s, plans, n, m, NULL);
    if (at < 0)
        return;
    placement_need need = need_of(s, m);
    claim(&plans[at], m, &need, &resources[*n_placed]);
    placed[(*n_placed)++] = m;
}

/* Ports of members that wait on their home (a restart in backoff) stay theirs: nobody else may
 * take them from that agent's offer in the meantime. */
static void keep_waiting_homes(const scheduler *s, offer_plan *plans, size_t n)
{
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (!m->agent_id || member_task_live(m) || m->goal == GOAL_REMOVE || m->n_ports == 0)
            continue;
        placement_need ports = {.n_ports = m->n_ports, .fixed_ports = m->ports};
        for (size_t p = 0; p < n; p++) {
            if (strcmp(offer_space_offer(plans[p].space)->agent_id, m->agent_id) != 0)
                continue;
            int taken[MEMBER_MAX_PORTS];
            json_decref(offer_space_take(plans[p].space, &ports, taken));
        }
    }
}

/* Decides every launch this round of offers allows; returns the number of launches. Members with
 * a home go first (ZooKeeper always, Kafka while a quorum answers), then members without one: a
 * first ensemble all together, later ZooKeeper members one at a time (the lowest id, once the
 * ensemble settled), and brokers. TaskInfos are built once every home of the round is known. */
static size_t plan_launches(scheduler *s, offer_plan *plans, size_t n, double now,
                            bool *ensemble_waits)
{
    member **placed = mk_xcalloc(s->n_members + 1, sizeof(member *));
    json_t **resources = mk_xcalloc(s->n_members + 1, sizeof(json_t *));
    size_t n_placed = 0;
    bool any_home = false, any_unplaced = false;
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER || m->goal == GOAL_REMOVE)
            continue;
        any_home |= m->agent_id != NULL;
        any_unplaced |= m->agent_id == NULL && wants_launch(s, m, now);
    }
    bool may_add = any_unplaced && any_home && ensemble_settled(s);
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->agent_id && wants_launch(s, m, now))
            place(s, plans, n, m, placed, resources, &n_placed);
    }
    keep_waiting_homes(s, plans, n);
    /* A member that ran before (it has a server list) and lost its home is a replacement: the
     * membership stays the same, so it need not wait for a settled ensemble (it may be what the
     * quorum needs). A new member waits, and comes alone. */
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER || m->agent_id || !wants_launch(s, m, now))
            continue;
        if (m->servers) {
            place(s, plans, n, m, placed, resources, &n_placed);
        } else if (may_add) {
            place(s, plans, n, m, placed, resources, &n_placed);
            may_add = false;
        }
    }
    if (any_unplaced && !any_home) {
        size_t k = 0;
        if (!place_first_ensemble(s, plans, n, now, resources + n_placed, placed + n_placed, &k))
            *ensemble_waits = true;
        n_placed += k;
    }
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind == KIND_KAFKA && !m->agent_id && wants_launch(s, m, now))
            place(s, plans, n, m, placed, resources, &n_placed);
    }
    for (int kind = 0; kind < N_KINDS; kind++)
        for (size_t i = 0; i < n_placed; i++)
            for (size_t p = 0; p < n && placed[i]->kind == (member_kind)kind; p++)
                for (size_t j = 0; j < plans[p].n_launched; j++)
                    if (plans[p].launched[j] == placed[i])
                        add_task(s, &plans[p], placed[i], resources[i], now);
    free(placed);
    free(resources);
    return n_placed;
}

void scheduler_handle_offers(scheduler *s, const mesos_event *ev)
{
    const char *fid = mesos_client_framework_id(s->client);
    size_t n = ev->u.offers.n_offers;
    if (!fid || n == 0)
        return;
    double now = mk_now_wall();
    offer_plan *plans = mk_xcalloc(n, sizeof(offer_plan));
    for (size_t i = 0; i < n; i++) {
        plans[i].space = offer_space_new(&ev->u.offers.offers[i], s->cfg->framework_role);
        plans[i].tasks = json_array();
    }
    bool ensemble_waits = false;
    size_t launches = plan_launches(s, plans, n, now, &ensemble_waits);
    if (launches > 0) {
        /* The task ids are on disk before Mesos hears of them: after a crash the scheduler knows
         * what it may have launched and reconciles it, never launching a member twice. */
        mk_err err = {{0}};
        if (scheduler_persist(s, &err) < 0) {
            log_error(COMPONENT, "not launching %zu task(s): the state file cannot be written: %s",
                      launches, err.msg);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < plans[i].n_launched; j++) {
                    member *m = plans[i].launched[j];
                    free(m->task_id);
                    m->task_id = NULL;
                }
            for (size_t i = 0; i < n; i++)
                json_array_clear(plans[i].tasks);
            launches = 0;
        }
    }
    const char **decline = mk_xcalloc(n, sizeof(char *));
    size_t n_decline = 0;
    int still_waiting = 0;
    for (size_t i = 0; i < s->n_members; i++)
        still_waiting += wants_launch(s, s->members[i], now);
    for (size_t i = 0; i < n; i++) {
        const mesos_offer *o = offer_space_offer(plans[i].space);
        if (json_array_size(plans[i].tasks) == 0) {
            decline[n_decline++] = o->id;
            continue;
        }
        const char *ids[1] = {o->id};
        json_t *ops =
            json_pack("[{s:s, s:{s:O}}]", "type", "LAUNCH", "launch", "task_infos", plans[i].tasks);
        for (size_t k = 0; k < json_array_size(plans[i].tasks); k++) {
            const json_t *ti = json_array_get(plans[i].tasks, k);
            log_info(COMPONENT, "launching %s as task %s on %s",
                     json_string_value(json_object_get(ti, "name")),
                     json_string_value(json_object_get(json_object_get(ti, "task_id"), "value")),
                     o->hostname);
        }
        mesos_client_send(
            s->client,
            mesos_call_accept(fid, ids, 1, ops, still_waiting ? 1.0 : s->cfg->offer_refuse_s));
    }
    if (n_decline > 0) {
        double refuse = ensemble_waits ? ENSEMBLE_RETRY_REFUSE_S : s->cfg->offer_refuse_s;
        if (mesos_client_send(s->client, mesos_call_decline(fid, decline, n_decline, refuse)) == 0)
            log_debug(COMPONENT, "declined %zu offer(s) for %.0f s", n_decline, refuse);
        if (ensemble_waits)
            log_info(COMPONENT,
                     "the ZooKeeper ensemble needs %d agents at once; waiting for more "
                     "offers",
                     s->desired[KIND_ZOOKEEPER]);
    }
    free(decline);
    for (size_t i = 0; i < n; i++) {
        offer_space_free(plans[i].space);
        json_decref(plans[i].tasks);
        free(plans[i].launched);
    }
    free(plans);
    if (launches > 0)
        update_zk_connect(s);
    scheduler_update_offer_interest(s, false);
}

/* ---- offer interest -------------------------------------------------------------------------- */

void scheduler_update_offer_interest(scheduler *s, bool force_revive)
{
    const char *fid = mesos_client_framework_id(s->client);
    if (!fid || !mesos_client_is_subscribed(s->client))
        return;
    double now = mk_now_wall();
    int wanting = 0;
    for (size_t i = 0; i < s->n_members; i++)
        wanting += wants_launch(s, s->members[i], now);
    /* More members wanting than at the last look means new needs: declined offers are filtered,
     * and only a REVIVE clears the filters. */
    bool revive = wanting > 0 && (s->suppressed || wanting > s->n_wanting || force_revive);
    s->n_wanting = wanting;
    if (revive) {
        if (mesos_client_send(s->client, mesos_call_revive(fid, s->cfg->framework_role)) == 0) {
            s->suppressed = false;
            log_info(COMPONENT, "%d member(s) to launch: reviving offers for role %s", wanting,
                     s->cfg->framework_role);
        }
    } else if (wanting == 0 && !s->suppressed) {
        if (mesos_client_send(s->client, mesos_call_suppress(fid, s->cfg->framework_role)) == 0) {
            s->suppressed = true;
            log_info(COMPONENT, "nothing to launch: suppressing offers for role %s",
                     s->cfg->framework_role);
        }
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

static void apply_end(scheduler *s, member *m, const mesos_task_status *st, double now)
{
    char name[64];
    member_name(m, name, sizeof(name));
    member_kill kill = m->kill;
    member_end end = member_task_ended(m, s->cfg, st->state, now);
    switch (end) {
    case ENDED_REMOVED:
        log_info(COMPONENT, "%s removed (task %s %s)", name, st->task_id, st->state_name);
        remove_member(s, m);
        update_zk_connect(s);
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
        update_zk_connect(s);
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
            update_zk_connect(s);
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
        member_task_ended(m, s->cfg, TASK_LOST, now);
        s->dirty = true;
        update_zk_connect(s);
    }
}

/* Relaunches, one at a time, ZooKeeper members whose server list is out of date; removes
 * scaled-away members one at a time. */
static void roll_ensemble(scheduler *s, double now)
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
        cleanup_free char *want = servers_for(s, m);
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
        if (!wants_launch(s, m, now)) {
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
        update_zk_connect(s);
    }
}

void scheduler_tick(scheduler *s)
{
    if (!mesos_client_is_subscribed(s->client))
        return;
    double now = mk_now_wall();
    replace_unreachable(s, now);
    leave_silent_homes(s, now);
    roll_ensemble(s, now);
    remove_brokers(s);
    scheduler_update_offer_interest(s, false);
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

void scheduler_handle_zk_state(scheduler *s, json_t *state)
{
    bool quorum = json_is_true(json_object_get(state, "quorum"));
    json_decref(s->zk_state);
    s->zk_state = state;
    json_int_t seq = json_integer_value(json_object_get(state, "seq"));
    if (seq > 0 && (unsigned long)seq > s->zk_seq)
        s->zk_seq = (unsigned long)seq;
    if (quorum != s->zk_quorum) {
        const char *why = json_string_value(json_object_get(state, "error"));
        log_info(COMPONENT, "ZooKeeper quorum %s%s%s", quorum ? "answers" : "lost",
                 quorum ? "" : ": ",
                 quorum ? ""
                 : why  ? why
                        : "?");
    }
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
        bool registered = quorum && member_task_live(m) &&
                          registration_is_ours(s, m, json_object_get(brokers, id));
        if (registered != m->registered)
            log_info(COMPONENT, "kafka-%d %s", m->id,
                     registered ? "is registered in ZooKeeper" : "is no longer registered");
        m->registered = registered;
    }
    scheduler_answer_pending_scales(s);
    scheduler_update_offer_interest(s, false);
}
