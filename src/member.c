/*
 * member: identity, backoff, the end of a task, and the persisted form of one member.
 *
 * The failure rules follow the earlier frameworks: the first restart waits FAILOVER_DELAY, each
 * further failure in a row doubles the wait up to FAILOVER_MAX_DELAY, and FAILOVER_MAX_TRIES (when
 * set) stops the restarts. A member whose task was healthy for FAILOVER_RESET_AFTER starts again
 * from the first delay, so one failure a week never grows into the maximum.
 */
#include "member.h"

#include "broker_settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const kind_names[N_KINDS] = {"zookeeper", "kafka"};
static const char *const goal_names[] = {"run", "stop", "remove"};
static const char *const kill_names[] = {"none",        "operator", "remove",
                                         "reconfigure", "replace",  "restart"};

const char *member_kind_name(member_kind k)
{
    return (unsigned)k < N_KINDS ? kind_names[k] : "?";
}

int member_kind_parse(const char *s, member_kind *out)
{
    for (int k = 0; k < N_KINDS; k++)
        if (s && strcmp(s, kind_names[k]) == 0) {
            *out = (member_kind)k;
            return 0;
        }
    return -1;
}

member *member_new(member_kind kind, int id)
{
    member *m = mk_xcalloc(1, sizeof(*m));
    m->kind = kind;
    m->id = id;
    m->goal = GOAL_RUN;
    m->healthy = -1;
    m->task_state = TASK_STATE_UNKNOWN_ENUM;
    if (kind == KIND_KAFKA)
        m->settings = broker_settings_new();
    return m;
}

void member_free(member *m)
{
    if (!m)
        return;
    free(m->agent_id);
    free(m->hostname);
    json_decref(m->agent_attributes);
    broker_settings_free(m->settings);
    json_decref(m->launched_with);
    free(m->task_id);
    free(m->message);
    free(m->container_ip);
    free(m->servers);
    free(m->zk_owner);
    free(m->launch_owner);
    free(m->dead_owner);
    free(m);
}

const char *member_agent_attribute(const member *m, const char *name)
{
    if (!m->agent_id)
        return NULL;
    if (strcmp(name, "hostname") == 0)
        return m->hostname;
    return json_string_value(json_object_get(m->agent_attributes, name));
}

void member_name(const member *m, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%d", member_kind_name(m->kind), m->id);
}

char *member_new_task_id(const member *m)
{
    char name[64], uuid[37];
    member_name(m, name, sizeof(name));
    mk_uuid4(uuid);
    return mk_xasprintf("%s.%s", name, uuid);
}

int member_parse_task_id(const char *task_id, member_kind *kind, int *id)
{
    for (int k = 0; k < N_KINDS; k++) {
        size_t n = strlen(kind_names[k]);
        if (strncmp(task_id, kind_names[k], n) != 0 || task_id[n] != '-')
            continue;
        const char *p = task_id + n + 1;
        char *end = NULL;
        if (*p < '0' || *p > '9')
            return -1;
        long v = strtol(p, &end, 10);
        if (*end != '.' || v < 0 || v > 1000000 || (p[0] == '0' && end - p > 1))
            return -1;
        *kind = (member_kind)k;
        *id = (int)v;
        return 0;
    }
    return -1;
}

void member_leave_home(member *m)
{
    /* The host name and ports stay as its last address: a ZooKeeper member keeps its place in
     * the others' server list until it has a new home. */
    free(m->agent_id);
    m->agent_id = NULL;
}

bool member_task_live(const member *m)
{
    if (!m->task_id)
        return false;
    /* UNKNOWN (the master does not know the task) and the terminal states mean nothing runs. */
    return m->task_state != TASK_UNKNOWN && !mesos_task_state_is_terminal(m->task_state);
}

static double backoff(double delay_s, double max_s, int failures)
{
    if (failures <= 0)
        return 0;
    double delay = delay_s * ldexp(1.0, failures > 60 ? 60 : failures - 1);
    return delay < max_s ? delay : max_s;
}

double member_backoff(const config *cfg, int failures)
{
    return backoff(cfg->failover_delay_s, cfg->failover_max_delay_s, failures);
}

/* A broker's own failover settings, else the environment's. */
static double member_backoff_of(const member *m, const config *cfg, int failures)
{
    if (!m->settings)
        return member_backoff(cfg, failures);
    return backoff(broker_settings_failover_delay(m->settings, cfg),
                   broker_settings_failover_max_delay(m->settings, cfg), failures);
}

bool member_home_expired(const member *m, double now)
{
    if (!m->settings || !m->agent_id || member_task_live(m) || m->ended_at <= 0)
        return false;
    double sticky = broker_settings_stickiness(m->settings);
    return sticky >= 0 && now - m->ended_at > sticky;
}

member_end member_task_ended(member *m, const config *cfg, mesos_task_state state, double now)
{
    member_kill kill = m->kill;
    m->ended_at = now;
    bool healthy_long = m->healthy_since > 0 && now - m->healthy_since >= cfg->failover_reset_s;
    m->kill = KILL_NONE;
    m->healthy_since = 0;
    m->unreachable_since = 0;
    if (state == TASK_GONE || state == TASK_GONE_BY_OPERATOR || kill == KILL_REPLACE)
        member_leave_home(m);
    if (m->goal == GOAL_REMOVE)
        return ENDED_REMOVED;
    if (m->goal == GOAL_STOP)
        return ENDED_STOPPED;
    if (kill == KILL_RECONFIGURE || kill == KILL_REPLACE || kill == KILL_RESTART ||
        state == TASK_UNKNOWN) {
        /* Ended on purpose, or never ran (a launch the master never saw): no failure. */
        m->restart_at = now;
        return ENDED_RELAUNCH;
    }
    if (healthy_long)
        m->failures = 0;
    m->failures++;
    m->last_failure_at = now;
    int max_tries = m->settings ? broker_settings_failover_max_tries(m->settings, cfg)
                                : cfg->failover_max_tries;
    if (max_tries > 0 && m->failures >= max_tries) {
        m->gave_up = true;
        return ENDED_GAVE_UP;
    }
    m->restart_at = now + member_backoff_of(m, cfg, m->failures);
    return ENDED_RELAUNCH;
}

/* ---- persisted form ----------------------------------------------------------------------------
 */

json_t *member_to_json(const member *m)
{
    json_t *ports = json_array();
    for (int i = 0; i < m->n_ports; i++)
        json_array_append_new(ports, json_integer(m->ports[i]));
    json_t *j = json_pack(
        "{s:s, s:i, s:s, s:b, s:s?, s:s?, s:o, s:s?, s:s?, s:s, s:s?, s:s?, "
        "s:i, s:f, s:f, s:f, s:f, s:f, s:f}",
        "kind", member_kind_name(m->kind), "id", m->id, "goal", goal_names[m->goal], "gave_up",
        m->gave_up, "agent_id", m->agent_id, "hostname", m->hostname, "ports", ports, "task_id",
        m->task_id, "task_state", m->task_id ? mesos_task_state_name(m->task_state) : NULL, "kill",
        kill_names[m->kill], "servers", m->servers, "message", m->message, "failures", m->failures,
        "restart_at", m->restart_at, "last_failure_at", m->last_failure_at, "launched_at",
        m->launched_at, "healthy_since", m->healthy_since, "unreachable_since",
        m->unreachable_since, "ended_at", m->ended_at);
    if (m->agent_attributes && json_object_size(m->agent_attributes) > 0)
        json_object_set(j, "agent_attributes", m->agent_attributes);
    if (m->settings) {
        json_t *own = broker_settings_to_json(m->settings);
        if (json_object_size(own) > 0)
            json_object_set_new(j, "settings", own);
        else
            json_decref(own);
    }
    if (m->launched_with)
        json_object_set(j, "launched_with", m->launched_with);
    return j;
}

static int pick_name(const char *const *names, size_t n, const char *s, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    return -1;
}

static int opt_string(const json_t *j, const char *field, char **out, mk_err *err)
{
    const json_t *v = json_object_get(j, field);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return mk_err_set(err, "%s is not a non-empty string", field);
    *out = mk_xstrdup(json_string_value(v));
    return 0;
}

static int opt_time(const json_t *j, const char *field, double *out, mk_err *err)
{
    const json_t *v = json_object_get(j, field);
    if (!v)
        return 0;
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
        return mk_err_set(err, "%s is not a time", field);
    *out = json_number_value(v);
    return 0;
}

/* {name: text} as member_to_json writes it: the limits of what an agent offers. */
static int opt_attributes(const json_t *j, json_t **out, mk_err *err)
{
    const json_t *v = json_object_get(j, "agent_attributes");
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v) || json_object_size(v) > MEMBER_MAX_ATTRIBUTES)
        return mk_err_set(err, "agent_attributes is not an object of at most %d attributes",
                          MEMBER_MAX_ATTRIBUTES);
    const char *name;
    const json_t *value;
    json_object_foreach((json_t *)v, name, value)
    {
        size_t len = json_string_length(value);
        if (!*name || strlen(name) > MEMBER_MAX_ATTRIBUTE_LEN || !json_is_string(value) ||
            len > MEMBER_MAX_ATTRIBUTE_LEN || strlen(json_string_value(value)) != len)
            return mk_err_set(err, "agent_attributes.%.64s is not a text of at most %d bytes", name,
                              MEMBER_MAX_ATTRIBUTE_LEN);
    }
    *out = json_deep_copy(v);
    return 0;
}

/* A broker's own settings and what it was launched with (a ZooKeeper member has neither). */
static int opt_settings(const json_t *j, member *m, mk_err *err)
{
    const json_t *own = json_object_get(j, "settings");
    const json_t *launched = json_object_get(j, "launched_with");
    if (m->kind != KIND_KAFKA) {
        if (own || launched)
            return mk_err_set(err, "settings are for Kafka brokers only");
        return 0;
    }
    if (own && !json_is_null(own)) {
        broker_settings *b = NULL;
        if (broker_settings_from_json(own, &b, err) < 0)
            return mk_err_prefix(err, "settings");
        broker_settings_free(m->settings);
        m->settings = b;
    }
    if (launched && !json_is_null(launched)) {
        if (!json_is_object(launched) || json_object_size(launched) > BROKER_SETTINGS_N)
            return mk_err_set(err, "launched_with is not an object of at most %d settings",
                              BROKER_SETTINGS_N);
        m->launched_with = json_deep_copy(launched);
    }
    return 0;
}

member *member_from_json(const json_t *j, mk_err *err)
{
    if (!json_is_object(j)) {
        mk_err_set(err, "a member is not an object");
        return NULL;
    }
    member_kind kind;
    const json_t *id = json_object_get(j, "id");
    if (member_kind_parse(json_string_value(json_object_get(j, "kind")), &kind) < 0) {
        mk_err_set(err, "kind is not zookeeper or kafka");
        return NULL;
    }
    if (!json_is_integer(id) || json_integer_value(id) < 0 || json_integer_value(id) > 1000000) {
        mk_err_set(err, "id is not an integer from 0 to 1000000");
        return NULL;
    }
    member *m = member_new(kind, (int)json_integer_value(id));
    int goal = 0, kill = 0;
    const json_t *ports = json_object_get(j, "ports");
    const char *state = json_string_value(json_object_get(j, "task_state"));
    if (pick_name(goal_names, MK_ARRAY_LEN(goal_names),
                  json_string_value(json_object_get(j, "goal")), &goal) < 0) {
        mk_err_set(err, "goal is not run, stop or remove");
        goto bad;
    }
    if (pick_name(kill_names, MK_ARRAY_LEN(kill_names),
                  json_string_value(json_object_get(j, "kill")), &kill) < 0) {
        mk_err_set(err, "kill is not one of none, operator, remove, reconfigure, replace, restart");
        goto bad;
    }
    m->goal = (member_goal)goal;
    m->kill = (member_kill)kill;
    m->gave_up = json_is_true(json_object_get(j, "gave_up"));
    if (opt_string(j, "agent_id", &m->agent_id, err) < 0 ||
        opt_string(j, "hostname", &m->hostname, err) < 0 ||
        opt_string(j, "task_id", &m->task_id, err) < 0 ||
        opt_string(j, "servers", &m->servers, err) < 0 ||
        opt_string(j, "message", &m->message, err) < 0 ||
        opt_time(j, "restart_at", &m->restart_at, err) < 0 ||
        opt_time(j, "last_failure_at", &m->last_failure_at, err) < 0 ||
        opt_time(j, "launched_at", &m->launched_at, err) < 0 ||
        opt_time(j, "healthy_since", &m->healthy_since, err) < 0 ||
        opt_time(j, "unreachable_since", &m->unreachable_since, err) < 0 ||
        opt_time(j, "ended_at", &m->ended_at, err) < 0 ||
        opt_attributes(j, &m->agent_attributes, err) < 0 || opt_settings(j, m, err) < 0)
        goto bad;
    if (m->agent_id && !m->hostname) {
        mk_err_set(err, "agent_id is set without a hostname");
        goto bad;
    }
    if (!json_is_array(ports) || json_array_size(ports) > MEMBER_MAX_PORTS) {
        mk_err_set(err, "ports is not an array of at most %d ports", MEMBER_MAX_PORTS);
        goto bad;
    }
    for (size_t i = 0; i < json_array_size(ports); i++) {
        const json_t *p = json_array_get(ports, i);
        if (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 65535) {
            mk_err_set(err, "ports[%zu] is not a port number", i);
            goto bad;
        }
        m->ports[m->n_ports++] = (int)json_integer_value(p);
    }
    const json_t *failures = json_object_get(j, "failures");
    if (!json_is_integer(failures) || json_integer_value(failures) < 0 ||
        json_integer_value(failures) > 1000000) {
        mk_err_set(err, "failures is not a count");
        goto bad;
    }
    m->failures = (int)json_integer_value(failures);
    if (m->task_id) {
        member_kind k;
        int tid;
        if (member_parse_task_id(m->task_id, &k, &tid) < 0 || k != m->kind || tid != m->id) {
            mk_err_set(err, "task_id '%s' is not a task of this member", m->task_id);
            goto bad;
        }
        if (!state || mesos_task_state_parse(state, &m->task_state) < 0) {
            mk_err_set(err, "task_state is not a task state");
            goto bad;
        }
    }
    return m;
bad:
    member_free(m);
    return NULL;
}
