/*
 * master_calls: what each scheduler call does to the simulated master (MESOS-API.md §5, §10).
 *
 * Calls arrive here already read strictly (sim/schema.c) and with the HTTP-level checks done
 * (sim/main.c); this file applies the master's stateful rules: framework and stream identity, offer
 * ownership, resource containment for LAUNCH, filters, suppression, reconciliation and kill
 * answers.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "health.h"
#include "log.h"
#include "master_internal.h"
#include "schema.h"
#include "util.h"

#define COMPONENT "master"

framework *find_framework(const char *id)
{
    for (framework *fw = M.fws; fw; fw = fw->next)
        if (strcmp(fw->id, id) == 0)
            return fw;
    return NULL;
}

static int error_status(char **body, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int error_status(char **body, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    *body = mk_xstrdup(msg);
    return status;
}

static bool has_capability(const json_t *fi, const char *cap)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(fi, "capabilities"), i, c)
    {
        const char *t = json_string_value(json_object_get(c, "type"));
        if (t && strcmp(t, cap) == 0)
            return true;
    }
    return false;
}

/* roles::validate (src/common/roles.cpp); NULL when the role is valid. */
static const char *role_problem(const char *role, char *buf, size_t n)
{
    if (strcmp(role, "*") == 0)
        return NULL;
    size_t len = strlen(role);
    if (role[0] == '/')
        snprintf(buf, n, "Role '%s' cannot start with a slash", role);
    else if (len > 0 && role[len - 1] == '/')
        snprintf(buf, n, "Role '%s' cannot end with a slash", role);
    else if (strstr(role, "//"))
        snprintf(buf, n, "Role '%s' cannot contain two adjacent slashes", role);
    else if (len == 0)
        snprintf(buf, n, "Role names cannot be the empty string");
    else
        buf[0] = '\0';
    cleanup_free char *copy = mk_xstrdup(role);
    char *save = NULL;
    for (char *c = strtok_r(copy, "/", &save); c && !buf[0]; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0 || strcmp(c, "*") == 0)
            snprintf(buf, n, "Role '%s' cannot include '%s' as a component", role, c);
        else if (c[0] == '-')
            snprintf(buf, n, "Role component '%s' is invalid because it starts with a dash", c);
        else if (strpbrk(c, "\t\n\v\f\r \x7f"))
            snprintf(buf, n,
                     "Role component '%s' is invalid because it contains backspace or whitespace",
                     c);
    }
    return buf[0] ? buf : NULL;
}

/* framework::internal::validateRoles (src/master/validation.cpp), then mesos-sim's own limit of
 * one role; NULL when the roles are acceptable. */
static const char *roles_problem(const json_t *fi, char *buf, size_t n)
{
    const json_t *roles = json_object_get(fi, "roles");
    const char *role = json_string_value(json_object_get(fi, "role"));
    bool multi = has_capability(fi, "MULTI_ROLE");
    if (multi && role)
        return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
    if (!multi && json_array_size(roles) > 0)
        return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE "
               "capable";
    char why[300];
    if (!multi)
        return role_problem(role ? role : "*", why, sizeof(why))
                   ? (snprintf(buf, n, "'FrameworkInfo.role' is not a valid role: %s", why), buf)
                   : NULL;
    size_t i, j;
    const json_t *r;
    json_array_foreach(roles, i, r)
    {
        for (j = 0; j < i; j++)
            if (json_equal(r, json_array_get(roles, j))) {
                snprintf(buf, n, "'FrameworkInfo.roles' contains duplicate items: { %s }",
                         json_string_value(r));
                return buf;
            }
    }
    json_array_foreach(roles, i, r)
    {
        if (role_problem(json_string_value(r), why, sizeof(why))) {
            snprintf(buf, n, "'FrameworkInfo.roles' contains invalid role: %s", why);
            return buf;
        }
    }
    if (json_array_size(roles) != 1)
        return "mesos-sim supports exactly one role per framework";
    return NULL;
}

static stream *new_stream(framework *fw)
{
    stream *s = mk_xcalloc(1, sizeof(*s));
    s->refs = 2;
    mk_uuid4(s->id);
    s->fw = fw;
    s->last_heartbeat = mk_now_monotonic();
    return s;
}

/* A refused SUBSCRIBE is still 200: the stream carries one ERROR and ends. */
static stream *refusal_stream(const char *message)
{
    stream *s = new_stream(NULL);
    s->refs = 1;
    stream_push(s, error_event(message));
    stream_end(s);
    return s;
}

static int subscribe(const json_t *call, const char *principal, stream **out, const char **out_id)
{
    const json_t *fi = json_object_get(json_object_get(call, "subscribe"), "framework_info");
    const char *fid =
        json_string_value(json_object_get(json_object_get(call, "framework_id"), "value"));
    const json_t *roles = json_object_get(fi, "roles");
    const char *role = json_string_value(json_object_get(fi, "role"));
    const char *fi_principal = json_string_value(json_object_get(fi, "principal"));
    if (!fi_principal)
        fi_principal = principal;

    char why[400];
    const char *refusal = roles_problem(fi, why, sizeof(why));
    if (has_capability(fi, "MULTI_ROLE") && !refusal)
        role = json_string_value(json_array_get(roles, 0));
    if (!role)
        role = "*";

    framework *fw = fid ? find_framework(fid) : NULL;
    if (!refusal && fw && fw->removed)
        refusal = "Framework has been removed";
    if (!refusal && fw && (fw->principal || fi_principal) &&
        (!fw->principal || !fi_principal || strcmp(fw->principal, fi_principal) != 0))
        refusal = "Changing framework's principal is not allowed.";
    if (refusal) {
        log_info(COMPONENT, "SUBSCRIBE refused: %s", refusal);
        *out = refusal_stream(refusal);
        *out_id = (*out)->id;
        return 200;
    }

    if (!fw) {
        fw = mk_xcalloc(1, sizeof(*fw));
        fw->id = fid ? mk_xstrdup(fid) : mk_xasprintf("%s-%04lu", M.master_id, M.next_fw++);
        fw->principal = fi_principal ? mk_xstrdup(fi_principal) : NULL;
        fw->next = M.fws;
        M.fws = fw;
        log_info(COMPONENT, "framework %s registered", fw->id);
    } else if (fw->stream) {
        stream_push(fw->stream, error_event("Framework failed over"));
        detach_stream(fw);
        log_info(COMPONENT, "framework %s failed over to a new stream", fw->id);
    }
    free(fw->name);
    fw->name = mk_xstrdup(json_string_value(json_object_get(fi, "name")));
    free(fw->role);
    fw->role = mk_xstrdup(role);
    fw->partition_aware = has_capability(fi, "PARTITION_AWARE");
    fw->refinement = has_capability(fi, "RESERVATION_REFINEMENT");
    fw->killing_state = has_capability(fi, "TASK_KILLING_STATE");
    fw->checkpoint = json_is_true(json_object_get(fi, "checkpoint"));
    const json_t *ft = json_object_get(fi, "failover_timeout");
    fw->failover_timeout = schema_number(ft, 0);
    fw->forgotten = false;
    fw->suppressed = false;
    const json_t *suppressed =
        json_object_get(json_object_get(call, "subscribe"), "suppressed_roles");
    if (json_array_size(suppressed) > 0)
        fw->suppressed = true;
    fw->stream = new_stream(fw);
    stream_push(fw->stream, subscribed_event(fw));
    stream_push(fw->stream, heartbeat_event());
    *out = fw->stream;
    *out_id = fw->stream->id;
    log_info(COMPONENT, "framework %s (%s) subscribed, stream %s", fw->id, fw->name,
             fw->stream->id);
    return 200;
}

static double refuse_seconds(const json_t *filters)
{
    double d = schema_number(json_object_get(filters, "refuse_seconds"), DEFAULT_REFUSE);
    if (d < 0)
        return DEFAULT_REFUSE;
    return d > MAX_REFUSE ? MAX_REFUSE : d;
}

static void decline(framework *fw, const json_t *body)
{
    double refuse = refuse_seconds(json_object_get(body, "filters"));
    size_t i;
    const json_t *id;
    json_array_foreach(json_object_get(body, "offer_ids"), i, id)
    {
        offer *o = find_offer(json_string_value(json_object_get(id, "value")));
        if (!o || o->fw != fw)
            continue; /* unknown ids are ignored, as by the master */
        fw->filter_until[o->agent] = mk_now_monotonic() + refuse;
        remove_offer(o);
        M.counters_declined++;
    }
}

/* A task's resources: only unreserved cpus, mem, disk and ports are ever offered here. */
static int task_resources(const json_t *list, resources *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    size_t i, j;
    const json_t *r, *range;
    json_array_foreach(list, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        const char *role = json_string_value(json_object_get(r, "role"));
        if ((role && strcmp(role, "*") != 0) ||
            json_array_size(json_object_get(r, "reservations")) || json_object_get(r, "disk")) {
            snprintf(why, why_len, "resource '%s' is reserved or a volume, none was offered", name);
            return -1;
        }
        double v = schema_number(json_object_get(json_object_get(r, "scalar"), "value"), 0);
        if (strcmp(name, "cpus") == 0)
            out->cpus += v;
        else if (strcmp(name, "mem") == 0)
            out->mem += v;
        else if (strcmp(name, "disk") == 0)
            out->disk += v;
        else if (strcmp(name, "ports") == 0) {
            json_array_foreach(json_object_get(json_object_get(r, "ranges"), "range"), j, range)
            {
                /* Canonical (schema_canonical_call): a uint64 too big for jansson is a real. */
                const json_t *bj = json_object_get(range, "begin"),
                             *ej = json_object_get(range, "end");
                json_int_t b = json_is_integer(bj) ? json_integer_value(bj) : -1;
                json_int_t e = json_is_integer(ej) ? json_integer_value(ej) : 65536;
                if (b < 0 || e > 65535 || b > e) {
                    snprintf(why, why_len, "ports range %lld-%lld is invalid", (long long)b,
                             (long long)e);
                    return -1;
                }
                for (json_int_t p = b; p <= e; p++) {
                    if (bit_get(out->ports, (unsigned long)p)) {
                        snprintf(why, why_len, "port %lld is used twice", (long long)p);
                        return -1;
                    }
                    bit_set(out->ports, (unsigned long)p, true);
                }
            }
        } else {
            snprintf(why, why_len, "resource '%s' was not offered", name);
            return -1;
        }
    }
    return 0;
}

/* Resources as Mesos's operator<< writes them: "cpus(allocated: r):1; ports(allocated:
 * r):[31000-31001]" (scalars with 15 significant digits, empty ones left out). */
static void resources_text(const resources *r, const char *role, char *buf, size_t n)
{
    size_t used = 0;
    const struct {
        const char *name;
        double v;
    } scalars[] = {{"cpus", r->cpus}, {"mem", r->mem}, {"disk", r->disk}};
    buf[0] = '\0';
    for (size_t i = 0; i < MK_ARRAY_LEN(scalars); i++)
        if (scalars[i].v > EPSILON && used < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s(allocated: %s):%.15g",
                                     used ? "; " : "", scalars[i].name, role, scalars[i].v);
    char ranges[120] = "";
    size_t rn = 0;
    for (unsigned long p = 0; p < 65536 && rn < sizeof(ranges); p++) {
        if (!bit_get(r->ports, p))
            continue;
        unsigned long end = p;
        while (end + 1 < 65536 && bit_get(r->ports, end + 1))
            end++;
        rn +=
            (size_t)snprintf(ranges + rn, sizeof(ranges) - rn, "%s%lu-%lu", rn ? ", " : "", p, end);
        p = end;
    }
    if (rn > 0 && used < n)
        snprintf(buf + used, n - used, "%sports(allocated: %s):[%s]", used ? "; " : "", role,
                 ranges);
}

static bool task_id_exists(const char *id)
{
    for (framework *fw = M.fws; fw; fw = fw->next)
        for (task *t = fw->tasks; t; t = t->next)
            if (strcmp(t->id, id) == 0 && t->state)
                return true;
    return false;
}

/* common::validation::validateID (src/common/validation.cpp). */
static int task_id_problem(const char *id, char *why, size_t why_len)
{
    bool bad_char = strpbrk(id, "/\\") != NULL;
    for (const char *c = id; *c; c++)
        bad_char |= iscntrl((unsigned char)*c) != 0;
    if (!*id)
        snprintf(why, why_len, "ID must not be empty");
    else if (strlen(id) > 255)
        snprintf(why, why_len, "ID must not be greater than 255 characters");
    else if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        snprintf(why, why_len, "'%s' is disallowed", id);
    else if (bad_char)
        snprintf(why, why_len, "'%s' contains invalid characters", id);
    else
        return 0;
    return -1;
}

/* Validates every LAUNCH against the pooled offers; only if all pass are the tasks recorded. */
static int accept(framework *fw, const json_t *body, char **err_body)
{
    offer *offers[64] = {0};
    size_t n_offers = 0;
    size_t i;
    const json_t *id;
    json_array_foreach(json_object_get(body, "offer_ids"), i, id)
    {
        const char *oid = json_string_value(json_object_get(id, "value"));
        offer *o = find_offer(oid);
        if (!o || o->fw != fw)
            return error_status(err_body, 400, "Invalid ACCEPT: offer %s is no longer valid", oid);
        for (size_t k = 0; k < n_offers; k++)
            if (offers[k] == o)
                return error_status(err_body, 400, "Invalid ACCEPT: offer %s appears twice", oid);
        if (n_offers > 0 && o->agent != offers[0]->agent)
            return error_status(err_body, 400, "Invalid ACCEPT: offers are from different agents");
        if (n_offers == MK_ARRAY_LEN(offers))
            return error_status(err_body, 400, "Invalid ACCEPT: too many offers");
        offers[n_offers++] = o;
    }
    if (n_offers == 0)
        return error_status(err_body, 400, "Invalid ACCEPT: no offer ids");
    int a = offers[0]->agent;
    resources pool = offers[0]->res; /* one offer per agent at a time here */

    /* First pass: validate everything; nothing changes unless all of it is valid. */
    char why[512];
    const json_t *op, *ti;
    size_t j;
    json_t *seen = json_object();
    json_array_foreach(json_object_get(body, "operations"), i, op)
    {
        const char *type = json_string_value(json_object_get(op, "type"));
        if (strcmp(type, "LAUNCH") != 0) {
            json_decref(seen);
            return error_status(err_body, 400, "Invalid ACCEPT: mesos-sim does not support %s yet",
                                type);
        }
        json_array_foreach(json_object_get(json_object_get(op, "launch"), "task_infos"), j, ti)
        {
            const char *tid =
                json_string_value(json_object_get(json_object_get(ti, "task_id"), "value"));
            const char *aid =
                json_string_value(json_object_get(json_object_get(ti, "agent_id"), "value"));
            resources need = {0};
            int bad = task_id_problem(tid, why, sizeof(why));
            if (!bad && (task_id_exists(tid) || json_object_get(seen, tid)))
                bad = snprintf(why, sizeof(why), "Task has duplicate ID: %s", tid) > 0;
            if (!bad && strcmp(aid, M.agents[a].id) != 0)
                bad = snprintf(why, sizeof(why),
                               "Task uses invalid agent %s while agent %s is expected", aid,
                               M.agents[a].id) > 0;
            if (!bad && !json_object_get(ti, "command") == !json_object_get(ti, "executor"))
                bad = snprintf(why, sizeof(why),
                               "Task should have at least one (but not both) of "
                               "CommandInfo or ExecutorInfo present") > 0;
            if (!bad && json_array_size(json_object_get(ti, "resources")) == 0)
                bad = snprintf(why, sizeof(why), "Task uses no resources") > 0;
            const json_t *params = json_object_get(
                json_object_get(json_object_get(ti, "container"), "docker"), "parameters");
            size_t k;
            const json_t *p;
            json_array_foreach(params, k, p)
            {
                const char *key = json_string_value(json_object_get(p, "key"));
                if (!bad && key && strcmp(key, "name") == 0)
                    bad = snprintf(why, sizeof(why), "Parameter in DockerInfo must not be 'name'") >
                          0;
            }
            if (!bad &&
                task_resources(json_object_get(ti, "resources"), &need, why, sizeof(why)) < 0)
                bad = 1;
            bool fits = bad || (need.cpus <= pool.cpus + EPSILON &&
                                need.mem <= pool.mem + EPSILON && need.disk <= pool.disk + EPSILON);
            for (size_t b = 0; fits && b < sizeof(need.ports); b++)
                fits = (need.ports[b] & ~pool.ports[b]) == 0;
            if (!bad && !fits) {
                char total[200], offered[200];
                resources_text(&need, fw->role, total, sizeof(total));
                resources_text(&pool, fw->role, offered, sizeof(offered));
                bad = snprintf(why, sizeof(why),
                               "Total resources %s required by task and its executor is more "
                               "than available %s",
                               total, offered) > 0;
            }
            if (bad) {
                json_decref(seen);
                return error_status(err_body, 400, "Invalid ACCEPT: task %s: %s", tid ? tid : "?",
                                    why);
            }
            pool.cpus -= need.cpus;
            pool.mem -= need.mem;
            pool.disk -= need.disk;
            for (size_t b = 0; b < sizeof(pool.ports); b++)
                pool.ports[b] &= (unsigned char)~need.ports[b];
            json_object_set_new(seen, tid, json_true());
        }
    }
    json_decref(seen);

    /* Second pass: record the tasks (TASK_STAGING) and consume the offers. */
    json_array_foreach(json_object_get(body, "operations"), i, op)
    {
        json_array_foreach(json_object_get(json_object_get(op, "launch"), "task_infos"), j, ti)
        {
            /* Mesos's task validation: an invalid health check makes the task TASK_ERROR. */
            const json_t *hc = json_object_get(ti, "health_check");
            health_spec spec;
            if (hc && health_spec_parse(hc, &spec, why, sizeof(why)) < 0) {
                char msg[600];
                snprintf(msg, sizeof(msg), "Task uses invalid health check: %s", why);
                push_to(fw, master_update(fw,
                                          json_string_value(json_object_get(
                                              json_object_get(ti, "task_id"), "value")),
                                          a, "TASK_ERROR", "REASON_TASK_INVALID", msg));
                continue;
            }
            if (hc)
                health_spec_free(&spec);
            task *t = mk_xcalloc(1, sizeof(*t));
            t->id = mk_xstrdup(
                json_string_value(json_object_get(json_object_get(ti, "task_id"), "value")));
            t->name = mk_xstrdup(json_string_value(json_object_get(ti, "name")));
            t->agent = a;
            task_resources(json_object_get(ti, "resources"), &t->res, why, sizeof(why));
            t->info = json_deep_copy(ti);
            t->next = fw->tasks;
            fw->tasks = t;
            agent_launch(fw, t);
            M.counters_launched++;
            log_info(COMPONENT, "task %s of %s staged on %s", t->id, fw->id, M.agents[a].hostname);
        }
    }
    fw->filter_until[a] = mk_now_monotonic() + refuse_seconds(json_object_get(body, "filters"));
    for (size_t k = 0; k < n_offers; k++)
        remove_offer(offers[k]);
    return 202;
}

static task *find_task(framework *fw, const char *id)
{
    for (task *t = fw->tasks; t; t = t->next)
        if (strcmp(t->id, id) == 0)
            return t;
    return NULL;
}

/* Explicit reconciliation of a task the master does not know (Master::reconcile, cases 3, 4 and 6;
 * agents here are never "recovered" nor gone): what the answer says depends on its agent. */
static void answer_unknown_task(framework *fw, const char *task_id, const char *agent_id)
{
    int a = agent_id ? agent_index(agent_id) : -1;
    if (a >= 0 && strcmp(M.agents[a].id, agent_id) != 0)
        a = -1; /* agent_index also takes names; an AgentID is an id */
    json_t *ev;
    if (a >= 0 && !M.agents[a].lost) {
        ev = master_update(fw, task_id, a, fw->partition_aware ? "TASK_GONE" : "TASK_LOST",
                           "REASON_RECONCILIATION", "Reconciliation: Task is unknown to the agent");
    } else if (a >= 0) {
        ev = master_update(fw, task_id, a, fw->partition_aware ? "TASK_UNREACHABLE" : "TASK_LOST",
                           "REASON_RECONCILIATION", "Reconciliation: Task is unreachable");
        json_object_set_new(
            json_object_get(json_object_get(ev, "update"), "status"), "unreachable_time",
            json_pack("{s:I}", "nanoseconds", (json_int_t)(M.agents[a].lost_at * 1e9)));
    } else {
        ev = master_update(fw, task_id, -1, fw->partition_aware ? "TASK_UNKNOWN" : "TASK_LOST",
                           "REASON_RECONCILIATION", "Reconciliation: Task is unknown");
        json_t *st = json_object_get(json_object_get(ev, "update"), "status");
        if (agent_id) { /* an agent the master never knew: its id is still in the answer */
            json_t *ts = json_incref(json_object_get(st, "timestamp"));
            json_object_del(st, "timestamp"); /* agent_id goes before it */
            json_object_set_new(st, "agent_id", id_json(agent_id));
            json_object_set_new(st, "timestamp", ts);
        }
    }
    push_to(fw, ev);
}

static const char *agent_id_of(const json_t *obj)
{
    return json_string_value(json_object_get(json_object_get(obj, "agent_id"), "value"));
}

static void reconcile(framework *fw, const json_t *body)
{
    const json_t *tasks = json_object_get(body, "tasks");
    if (json_array_size(tasks) == 0) {
        for (task *t = fw->tasks; t; t = t->next)
            push_to(fw, agent_reconcile_update(fw, t));
        return;
    }
    size_t i;
    const json_t *rt;
    json_array_foreach(tasks, i, rt)
    {
        const char *tid =
            json_string_value(json_object_get(json_object_get(rt, "task_id"), "value"));
        task *t = find_task(fw, tid);
        if (t)
            push_to(fw, agent_reconcile_update(fw, t));
        else
            answer_unknown_task(fw, tid, agent_id_of(rt));
    }
}

static void kill_task(framework *fw, const json_t *body)
{
    const char *tid = json_string_value(json_object_get(json_object_get(body, "task_id"), "value"));
    task *t = find_task(fw, tid);
    if (!t) { /* Master::kill: an unknown task is reconciled */
        answer_unknown_task(fw, tid, agent_id_of(body));
        return;
    }
    const json_t *ns = json_object_get(
        json_object_get(json_object_get(body, "kill_policy"), "grace_period"), "nanoseconds");
    double grace = ns ? (double)json_integer_value(ns) / 1e9 : -1;
    agent_kill(fw, t, grace);
}

static void acknowledge(framework *fw, const json_t *body)
{
    const char *tid = json_string_value(json_object_get(json_object_get(body, "task_id"), "value"));
    const char *uuid = json_string_value(json_object_get(body, "uuid"));
    agent_acknowledge(fw, tid, uuid);
}

static void roles_flag(framework *fw, bool suppress)
{
    fw->suppressed = suppress;
    if (!suppress)
        memset(fw->filter_until, 0, sizeof(fw->filter_until));
}

int master_handle_call(const json_t *call, const char *principal, const char *stream_id,
                       stream **out_stream, const char **out_stream_id, char **body)
{
    const char *type = json_string_value(json_object_get(call, "type"));
    int status;
    pthread_mutex_lock(&M.mu);
    if (strcmp(type, "SUBSCRIBE") == 0) {
        status = subscribe(call, principal, out_stream, out_stream_id);
        pthread_mutex_unlock(&M.mu);
        return status;
    }
    const char *fid =
        json_string_value(json_object_get(json_object_get(call, "framework_id"), "value"));
    framework *fw = find_framework(fid);
    if (!fw || fw->removed || fw->forgotten)
        status = error_status(body, 400, "Framework cannot be found");
    else if (M.opt.auth && principal && fw->principal && strcmp(principal, fw->principal) != 0)
        status = error_status(body, 400,
                              "Authenticated principal '%s' does not match principal "
                              "'%s' set in `FrameworkInfo`",
                              principal, fw->principal);
    else if (!fw->stream)
        status = error_status(body, 403, "Framework is not subscribed");
    else if (!stream_id)
        status = error_status(body, 400,
                              "All non-subscribe calls should include the "
                              "'Mesos-Stream-Id' header");
    else if (strcmp(stream_id, fw->stream->id) != 0)
        status = error_status(body, 400,
                              "The stream ID '%s' included in this request didn't match "
                              "the stream ID currently associated with framework ID %s",
                              stream_id, fw->id);
    else {
        status = 202;
        if (strcmp(type, "DECLINE") == 0)
            decline(fw, json_object_get(call, "decline"));
        else if (strcmp(type, "ACCEPT") == 0)
            status = accept(fw, json_object_get(call, "accept"), body);
        else if (strcmp(type, "RECONCILE") == 0)
            reconcile(fw, json_object_get(call, "reconcile"));
        else if (strcmp(type, "ACKNOWLEDGE") == 0)
            acknowledge(fw, json_object_get(call, "acknowledge"));
        else if (strcmp(type, "KILL") == 0)
            kill_task(fw, json_object_get(call, "kill"));
        else if (strcmp(type, "SUPPRESS") == 0)
            roles_flag(fw, true);
        else if (strcmp(type, "REVIVE") == 0)
            roles_flag(fw, false);
        else if (strcmp(type, "TEARDOWN") == 0)
            remove_framework(fw, "TEARDOWN");
        else if (strcmp(type, "UPDATE_FRAMEWORK") == 0)
            status = 200;
        else if (strcmp(type, "UNKNOWN") == 0)
            status = 501; /* NotImplemented(), no body */
        /* MESSAGE, REQUEST, SHUTDOWN and the inverse-offer and operation calls are accepted and
         * have nothing to change here. */
    }
    pthread_mutex_unlock(&M.mu);
    return status;
}
