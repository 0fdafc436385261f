/*
 * scheduler_offers: deciding each round of offers, and asking for offers only when they are wanted.
 *
 * Members with a home go first, on their own agent with their own ports (and ports of homes whose
 * restart waits in backoff are kept from others). A first ZooKeeper ensemble is placed all at once
 * (every member must know every other's address), so its members either all fit in one round or
 * none is placed. Later ZooKeeper members come one at a time (see scheduler_ensemble.c). Kafka
 * brokers are launched only while a quorum answers, the first only once the ensemble is complete
 * (scheduler_kafka_may_start). Every
 * used offer gets one ACCEPT with all its launches, every other offer is declined with a filter.
 */
#include "scheduler_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker_ops.h"
#include "broker_settings.h"
#include "constraint.h"
#include "log.h"
#include "mesos_call.h"
#include "placement.h"
#include "taskinfo.h"
#include "util.h"

#define COMPONENT "scheduler"
/* Offers declined while a first ensemble waits for enough agents come back soon. */
#define ENSEMBLE_RETRY_REFUSE_S 2.0

/* ---- launching ------------------------------------------------------------------------------- */

bool scheduler_wants_launch(const scheduler *s, const member *m, double now)
{
    if (m->goal != GOAL_RUN || m->gave_up || member_task_live(m) || now < m->restart_at)
        return false;
    return m->kind == KIND_ZOOKEEPER || scheduler_kafka_may_start(s);
}

static placement_need need_of(const scheduler *s, const member *m)
{
    const config_resources *r = &s->cfg->zookeeper_res;
    placement_need need = {.cpus = r->cpus,
                           .mem_mb = r->mem_mb,
                           .disk_mb = r->disk_mb,
                           .n_ports = taskinfo_ports_needed(s->cfg, m->kind)};
    if (m->kind == KIND_KAFKA) {
        need.cpus = broker_settings_cpus(m->settings, s->cfg);
        need.mem_mb = broker_settings_mem(m->settings, s->cfg);
        need.disk_mb = broker_settings_disk(m->settings, s->cfg);
        broker_settings_port(m->settings, &need.port_lo, &need.port_hi);
    }
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
    json_decref(m->agent_attributes);
    m->agent_attributes = json_object();
    for (size_t i = 0; i < o->n_attributes && i < MEMBER_MAX_ATTRIBUTES; i++)
        if (strlen(o->attributes[i].value) <= MEMBER_MAX_ATTRIBUTE_LEN &&
            strlen(o->attributes[i].name) <= MEMBER_MAX_ATTRIBUTE_LEN)
            json_object_set_new(m->agent_attributes, o->attributes[i].name,
                                json_string(o->attributes[i].value));
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

static const char *member_attr(const void *ud, const char *name)
{
    return member_agent_attribute(ud, name);
}

/* The broker's constraints (NULL: none), parsed from the canonical text its settings keep. */
static constraint_set *constraints_of(const member *m)
{
    const char *text = m->settings ? broker_settings_constraints(m->settings) : NULL;
    constraint_set *cs = NULL;
    mk_err err = {{0}};
    if (text && constraint_set_parse(text, &cs, &err) < 0) /* checked when set: not seen */
        log_error(COMPONENT, "kafka-%d: constraints '%s' no longer parse: %s", m->id, text,
                  err.msg);
    return cs;
}

/* Whether broker `m`'s constraints let it go to the agent of offer `o`, given where the other
 * brokers are; a refusal is noted on the broker (why it stays pending). */
static bool constraints_accept(const scheduler *s, member *m, const constraint_set *cs,
                               const mesos_offer *o)
{
    if (!cs)
        return true;
    constraint_agent *others = mk_xcalloc(s->n_members + 1, sizeof(*others));
    size_t n_others = 0;
    for (size_t i = 0; i < s->n_members; i++) {
        const member *other = s->members[i];
        if (other != m && other->kind == KIND_KAFKA && other->agent_id &&
            other->goal != GOAL_REMOVE)
            others[n_others++] = (constraint_agent){member_attr, other};
    }
    char why[256];
    bool ok = constraint_set_accepts(cs, (constraint_agent){constraint_offer_attr, o}, others,
                                     n_others, why, sizeof(why));
    free(others);
    if (!ok)
        constraint_refusals_note(&m->refused, why);
    return ok;
}

/* Index of the offer on member m's home agent that fits it, or of any allowed offer for a member
 * without a home (a broker's constraints allow); -1 if none. */
static long find_offer(const scheduler *s, offer_plan *plans, size_t n, member *m,
                       const bool *excluded)
{
    placement_need need = need_of(s, m);
    constraint_set *cs = m->agent_id ? NULL : constraints_of(m);
    long found = -1;
    for (size_t i = 0; i < n && found < 0; i++) {
        const mesos_offer *o = offer_space_offer(plans[i].space);
        if (excluded && excluded[i])
            continue;
        if (m->agent_id ? strcmp(o->agent_id, m->agent_id) != 0 : agent_taken(s, m, o->agent_id))
            continue;
        if (offer_space_fits(plans[i].space, &need) && constraints_accept(s, m, cs, o))
            found = (long)i;
    }
    constraint_set_free(cs);
    if (found >= 0)
        m->refused = (constraint_refusals){0};
    return found;
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
        if (m->kind != KIND_ZOOKEEPER || m->agent_id || !scheduler_wants_launch(s, m, now))
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
        char *servers = scheduler_servers_for(s, m);
        ti = taskinfo_build(s->cfg, m, task_id, resources, servers, NULL);
        free(m->servers);
        m->servers = servers;
    } else {
        json_decref(m->launched_with);
        m->launched_with = broker_ops_effective(s, m);
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
    scheduler_note_launch_owner(s, m);
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
        any_unplaced |= m->agent_id == NULL && scheduler_wants_launch(s, m, now);
    }
    bool may_add = any_unplaced && any_home && scheduler_ensemble_settled(s);
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (member_home_expired(m, now) && scheduler_wants_launch(s, m, now)) {
            log_info(COMPONENT,
                     "kafka-%d: away from %s longer than its stickiness period: placed "
                     "anew",
                     m->id, m->hostname);
            member_leave_home(m);
            s->dirty = true;
        }
        if (m->agent_id && scheduler_wants_launch(s, m, now))
            place(s, plans, n, m, placed, resources, &n_placed);
    }
    keep_waiting_homes(s, plans, n);
    /* A member that ran before (it has a server list) and lost its home is a replacement: the
     * membership stays the same, so it need not wait for a settled ensemble (it may be what the
     * quorum needs). A new member waits, and comes alone. */
    for (size_t i = 0; i < s->n_members; i++) {
        member *m = s->members[i];
        if (m->kind != KIND_ZOOKEEPER || m->agent_id || !scheduler_wants_launch(s, m, now))
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
        if (m->kind == KIND_KAFKA && !m->agent_id && scheduler_wants_launch(s, m, now))
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
        still_waiting += scheduler_wants_launch(s, s->members[i], now);
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
        scheduler_update_zk_connect(s);
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
        wanting += scheduler_wants_launch(s, s->members[i], now);
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
