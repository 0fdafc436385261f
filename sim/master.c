/*
 * master: frameworks, streams, agents, offers and tasks of the simulated Mesos master.
 *
 * Everything here follows ../shared/MESOS-API.md: ids shaped as the master makes them
 * (<masterId>-NNNN, -O<n>, -S<n>), SUBSCRIBED then an immediate HEARTBEAT, one offer per agent
 * holding all its free resources for one framework at a time, DECLINE/ACCEPT filters, SUPPRESS and
 * REVIVE, reconciliation answers, failover ("Framework failed over"), and removal after
 * failover_timeout. Where the real master answers an ACCEPT it cannot honour with TASK_LOST/DROPPED
 * updates, the simulator answers 400 and changes nothing, so a scheduler bug fails a test at once.
 */
#include "master.h"
#include "master_internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "attrs.h"
#include "log.h"
#include "recordio.h"
#include "util.h"

#define COMPONENT "master"

master_state M = {.mu = PTHREAD_MUTEX_INITIALIZER, .data = PTHREAD_COND_INITIALIZER};

/* An absolute CLOCK_REALTIME deadline, as pthread_cond_timedwait wants. */
static struct timespec deadline_in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += ms * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* ---- streams ----------------------------------------------------------------------------------
 */

static void stream_unref(stream *s)
{
    if (--s->refs == 0) {
        free(s->buf);
        free(s);
    }
}

void stream_push(stream *s, json_t *event)
{
    char *text = json_dumps(event, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(event);
    size_t n;
    char *framed = recordio_encode(text, strlen(text), &n);
    free(text);
    s->buf = mk_xrealloc(s->buf, s->len + n);
    memcpy(s->buf + s->len, framed, n);
    s->len += n;
    free(framed);
    pthread_cond_broadcast(&M.data);
}

void stream_end(stream *s)
{
    s->ended = true;
    pthread_cond_broadcast(&M.data);
}

long stream_read(stream *s, char *buf, size_t max)
{
    pthread_mutex_lock(&M.mu);
    if (s->len == 0 && !s->ended && !M.stop) {
        struct timespec ts = deadline_in_ms(200);
        pthread_cond_timedwait(&M.data, &M.mu, &ts);
    }
    long n = 0;
    if (s->len > 0) {
        size_t take = s->len < max ? s->len : max;
        memcpy(buf, s->buf, take);
        memmove(s->buf, s->buf + take, s->len - take);
        s->len -= take;
        n = (long)take;
    } else if (s->ended || M.stop) {
        n = -1;
    }
    pthread_mutex_unlock(&M.mu);
    return n;
}

void withdraw_offers(framework *fw)
{
    for (offer **p = &M.offers; *p;) {
        offer *o = *p;
        if (o->fw == fw) {
            *p = o->next;
            M.agents[o->agent].offered = NULL;
            free(o->id);
            free(o);
        } else {
            p = &o->next;
        }
    }
}

/* The framework loses its stream: disconnected, offers withdrawn, failover timer started. */
void detach_stream(framework *fw)
{
    stream *s = fw->stream;
    if (!s)
        return;
    fw->stream = NULL;
    fw->disconnected_at = mk_now_monotonic();
    s->fw = NULL;
    stream_end(s);
    stream_unref(s);
    withdraw_offers(fw);
    log_info(COMPONENT, "framework %s disconnected", fw->id);
}

void stream_release(stream *s)
{
    pthread_mutex_lock(&M.mu);
    if (s->fw)
        detach_stream(s->fw);
    stream_unref(s);
    pthread_mutex_unlock(&M.mu);
}

/* ---- events -----------------------------------------------------------------------------------
 */

json_t *id_json(const char *v)
{
    return json_pack("{s:s}", "value", v);
}

json_t *heartbeat_event(void)
{
    return json_pack("{s:s}", "type", "HEARTBEAT");
}

json_t *error_event(const char *message)
{
    return json_pack("{s:s, s:{s:s}}", "type", "ERROR", "error", "message", message);
}

static uint32_t ip_network_order(const char *ip)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
    return (uint32_t)(a | (b << 8) | (c << 16) | (d << 24));
}

/* master_info as a 1.11 master writes it; its capabilities are MASTER_CAPABILITIES()
 * (src/master/constants.cpp). */
json_t *subscribed_event(const framework *fw)
{
    char pid[300];
    snprintf(pid, sizeof(pid), "master@%s:%d", "127.0.0.1", M.opt.port);
    json_t *mi =
        json_pack("{s:s, s:I, s:i, s:s, s:s, s:s, s:{s:s, s:s, s:i}, s:[{s:s},{s:s},{s:s}]}", "id",
                  M.master_id, "ip", (json_int_t)ip_network_order("127.0.0.1"), "port", M.opt.port,
                  "pid", pid, "hostname", M.opt.hostname, "version", "1.11.0", "address",
                  "hostname", M.opt.hostname, "ip", "127.0.0.1", "port", M.opt.port, "capabilities",
                  "type", "AGENT_UPDATE", "type", "AGENT_DRAINING", "type", "QUOTA_V2");
    return json_pack("{s:s, s:{s:o, s:f, s:o}}", "type", "SUBSCRIBED", "subscribed", "framework_id",
                     id_json(fw->id), "heartbeat_interval_seconds", M.opt.heartbeat_s,
                     "master_info", mi);
}

/* A master-generated task update: no uuid, never to be acknowledged. */
json_t *master_update(const framework *fw, const char *task_id, int agent_index, const char *state,
                      const char *reason, const char *message)
{
    json_t *st = json_pack("{s:o, s:s, s:s, s:s, s:s}", "task_id", id_json(task_id), "state", state,
                           "message", message, "source", "SOURCE_MASTER", "reason", reason);
    if (agent_index >= 0) /* fields in the proto's order */
        json_object_set_new(st, "agent_id", id_json(M.agents[agent_index].id));
    json_object_set_new(st, "timestamp", json_real(mk_now_wall()));
    (void)fw;
    return json_pack("{s:s, s:{s:o}}", "type", "UPDATE", "update", "status", st);
}

void push_to(framework *fw, json_t *event)
{
    if (fw->stream)
        stream_push(fw->stream, event);
    else
        json_decref(event);
}

/* ---- resources --------------------------------------------------------------------------------
 */

static json_t *scalar_json(const framework *fw, const char *name, double v)
{
    json_t *r =
        json_pack("{s:s, s:s, s:{s:f}}", "name", name, "type", "SCALAR", "scalar", "value", v);
    if (!fw->refinement)
        json_object_set_new(r, "role", json_string("*"));
    json_object_set_new(r, "allocation_info", json_pack("{s:s}", "role", fw->role));
    return r;
}

static json_t *ports_json(const framework *fw, const unsigned char *ports)
{
    json_t *ranges = json_array();
    for (unsigned long p = 0; p < 65536; p++) {
        if (!bit_get(ports, p))
            continue;
        unsigned long end = p;
        while (end + 1 < 65536 && bit_get(ports, end + 1))
            end++;
        json_array_append_new(
            ranges, json_pack("{s:I, s:I}", "begin", (json_int_t)p, "end", (json_int_t)end));
        p = end;
    }
    if (json_array_size(ranges) == 0) {
        json_decref(ranges);
        return NULL;
    }
    json_t *r = json_pack("{s:s, s:s, s:{s:o}}", "name", "ports", "type", "RANGES", "ranges",
                          "range", ranges);
    if (!fw->refinement)
        json_object_set_new(r, "role", json_string("*"));
    json_object_set_new(r, "allocation_info", json_pack("{s:s}", "role", fw->role));
    return r;
}

/* What is free on an agent: its total less its live tasks. */
static void agent_free(int a, resources *out)
{
    *out = M.agents[a].total;
    for (framework *fw = M.fws; fw; fw = fw->next) {
        for (task *t = fw->tasks; t; t = t->next) {
            if (t->agent != a || task_is_terminal(t) || t->unreachable_time > 0)
                continue;
            out->cpus -= t->res.cpus;
            out->mem -= t->res.mem;
            out->disk -= t->res.disk;
            for (size_t i = 0; i < sizeof(out->ports); i++)
                out->ports[i] &= (unsigned char)~t->res.ports[i];
        }
    }
}

/* ---- allocation -------------------------------------------------------------------------------
 */

static json_t *offer_json(const offer *o)
{
    const agent *ag = &M.agents[o->agent];
    json_t *res = json_array();
    /* Mesos never offers an empty resource. */
    if (o->res.cpus > EPSILON)
        json_array_append_new(res, scalar_json(o->fw, "cpus", o->res.cpus));
    if (o->res.mem > EPSILON)
        json_array_append_new(res, scalar_json(o->fw, "mem", o->res.mem));
    if (o->res.disk > EPSILON)
        json_array_append_new(res, scalar_json(o->fw, "disk", o->res.disk));
    json_t *ports = ports_json(o->fw, o->res.ports);
    if (ports)
        json_array_append_new(res, ports);
    json_t *j = json_pack("{s:o, s:o, s:o, s:s, s:{s:s, s:{s:s, s:s, s:i}, s:s}, s:o, s:{s:s}}",
                          "id", id_json(o->id), "framework_id", id_json(o->fw->id), "agent_id",
                          id_json(ag->id), "hostname", ag->hostname, "url", "scheme", "http",
                          "address", "hostname", ag->hostname, "ip", ag->ip, "port", 5051, "path",
                          "/slave(1)", "resources", res, "allocation_info", "role", o->fw->role);
    /* As Mesos writes a repeated field: absent when empty. */
    if (json_array_size(ag->attributes) > 0)
        json_object_set_new(j, "attributes", json_deep_copy(ag->attributes));
    return j;
}

static void allocate(double now)
{
    for (framework *fw = M.fws; fw; fw = fw->next) {
        if (!fw->stream || fw->suppressed || fw->removed || fw->forgotten)
            continue;
        json_t *list = json_array();
        for (int a = 0; a < M.n_agents; a++) {
            if (M.agents[a].offered || M.agents[a].lost || fw->filter_until[a] > now)
                continue;
            resources free_res;
            agent_free(a, &free_res);
            if (free_res.cpus < 0.01 && free_res.mem < 32)
                continue;
            offer *o = mk_xcalloc(1, sizeof(*o));
            o->id = mk_xasprintf("%s-O%lu", M.master_id, M.next_offer++);
            o->fw = fw;
            o->agent = a;
            o->res = free_res;
            o->created = now;
            o->next = M.offers;
            M.offers = o;
            M.agents[a].offered = o;
            json_array_append_new(list, offer_json(o));
            M.counters_offers++;
        }
        if (json_array_size(list) > 0)
            stream_push(fw->stream,
                        json_pack("{s:s, s:{s:o}}", "type", "OFFERS", "offers", "offers", list));
        else
            json_decref(list);
    }
}

void remove_offer(offer *o)
{
    for (offer **p = &M.offers; *p; p = &(*p)->next) {
        if (*p == o) {
            *p = o->next;
            break;
        }
    }
    M.agents[o->agent].offered = NULL;
    free(o->id);
    free(o);
}

offer *find_offer(const char *id)
{
    for (offer *o = M.offers; o; o = o->next)
        if (strcmp(o->id, id) == 0)
            return o;
    return NULL;
}

void rescind(offer *o)
{
    push_to(o->fw,
            json_pack("{s:s, s:{s:o}}", "type", "RESCIND", "rescind", "offer_id", id_json(o->id)));
    remove_offer(o);
}

static void free_tasks(framework *fw)
{
    while (fw->tasks) {
        task *t = fw->tasks;
        fw->tasks = t->next;
        agent_release_task(t);
        free(t->id);
        free(t->name);
        free(t);
    }
}

static void free_framework(framework *fw)
{
    free_tasks(fw);
    free(fw->id);
    free(fw->name);
    free(fw->principal);
    free(fw->role);
    free(fw);
}

void remove_framework(framework *fw, const char *why)
{
    withdraw_offers(fw);
    if (fw->stream) {
        stream_push(fw->stream, error_event("Framework has been removed"));
        detach_stream(fw);
    }
    fw->removed = true;
    /* Mesos kills a removed framework's tasks; the agents' resources come back. */
    free_tasks(fw);
    log_info(COMPONENT, "framework %s removed: %s", fw->id, why);
}

static void *ticker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&M.mu);
    while (!M.stop) {
        double now = mk_now_monotonic();
        for (framework *fw = M.fws; fw; fw = fw->next) {
            if (fw->stream && now - fw->stream->last_heartbeat >= M.opt.heartbeat_s) {
                fw->stream->last_heartbeat = now;
                stream_push(fw->stream, heartbeat_event());
            }
            if (!fw->stream && !fw->removed && !fw->forgotten) {
                double timeout = fw->failover_timeout;
                if (M.opt.failover_cap_s > 0 && timeout > M.opt.failover_cap_s)
                    timeout = M.opt.failover_cap_s;
                if (now - fw->disconnected_at >= timeout)
                    remove_framework(fw, "failover timeout elapsed");
            }
        }
        if (M.opt.offer_timeout_s > 0) {
            for (offer *o = M.offers, *next; o; o = next) {
                next = o->next;
                if (now - o->created >= M.opt.offer_timeout_s)
                    rescind(o);
            }
        }
        agent_tick(now);
        if (M.mode == MODE_LEADER && now - M.last_allocation >= M.opt.allocation_s) {
            M.last_allocation = now;
            allocate(now);
        }
        struct timespec ts = deadline_in_ms(50);
        pthread_cond_timedwait(&M.data, &M.mu, &ts);
    }
    pthread_mutex_unlock(&M.mu);
    return NULL;
}

/* ---- set-up -----------------------------------------------------------------------------------
 */

/* Agent addresses: 127.0.1.1 ... 127.0.1.250, then 127.0.2.1 ... (containers use a block of
 * their own, sim/addrblock.h). */
static void agent_address(int a, char out[16])
{
    snprintf(out, 16, "127.0.%u.%u", 1u + (unsigned)a / 250u % 250u, 1u + (unsigned)a % 250u);
}

int master_init(const master_options *opt, mk_err *err)
{
    M.opt = *opt;
    mk_uuid4(M.master_id);
    M.mode = MODE_LEADER;
    M.n_agents = opt->agents < MAX_AGENTS ? opt->agents : MAX_AGENTS;
    json_t *attrs[MAX_AGENTS];
    if (sim_attrs_for_agents(opt->agent_attributes, opt->agent_attributes_of,
                             opt->n_agent_attributes_of, M.n_agents, attrs, err) < 0) {
        M.n_agents = 0;
        return -1;
    }
    for (int a = 0; a < M.n_agents; a++) {
        agent *ag = &M.agents[a];
        ag->attributes = attrs[a];
        snprintf(ag->id, sizeof(ag->id), "%s-S%d", M.master_id, a);
        snprintf(ag->hostname, sizeof(ag->hostname), "agent%d", a + 1);
        agent_address(a, ag->ip);
        ag->total.cpus = opt->agent_cpus;
        ag->total.mem = opt->agent_mem;
        ag->total.disk = opt->agent_disk;
        for (unsigned long p = opt->agent_port_begin; p <= opt->agent_port_end && p < 65536; p++)
            bit_set(ag->total.ports, p, true);
    }
    agent_options ao = {.work_dir = opt->work_dir,
                        .image_map = opt->image_map,
                        .update_retry_s = opt->update_retry_s,
                        .container_block = opt->container_block};
    if (agents_setup(&ao, err) < 0)
        return -1;
    if (pthread_create(&M.ticker, NULL, ticker_main, NULL) != 0)
        return mk_err_set(err, "cannot start the ticker thread");
    return 0;
}

void master_shutdown(void)
{
    pthread_mutex_lock(&M.mu);
    M.stop = true;
    for (framework *fw = M.fws; fw; fw = fw->next)
        detach_stream(fw);
    pthread_cond_broadcast(&M.data);
    pthread_mutex_unlock(&M.mu);
    pthread_join(M.ticker, NULL);
    agents_teardown();
}

void master_free(void)
{
    while (M.offers)
        remove_offer(M.offers);
    while (M.fws) {
        framework *fw = M.fws;
        M.fws = fw->next;
        free_framework(fw);
    }
    for (int a = 0; a < M.n_agents; a++) {
        json_decref(M.agents[a].attributes);
        M.agents[a].attributes = NULL;
    }
    agents_free();
}

master_mode master_get_mode(char *leader, size_t leader_len)
{
    pthread_mutex_lock(&M.mu);
    master_mode m = M.mode;
    if (leader)
        snprintf(leader, leader_len, "%s", M.leader);
    pthread_mutex_unlock(&M.mu);
    return m;
}

void master_set_mode(master_mode mode, const char *leader)
{
    pthread_mutex_lock(&M.mu);
    M.mode = mode;
    snprintf(M.leader, sizeof(M.leader), "%s", leader ? leader : "");
    if (mode != MODE_LEADER) /* a master that stops leading drops its frameworks' streams */
        for (framework *fw = M.fws; fw; fw = fw->next)
            detach_stream(fw);
    pthread_mutex_unlock(&M.mu);
}

/* ---- fault control ----------------------------------------------------------------------------
 */

json_t *master_state_json(void)
{
    static const char *const modes[] = {"leader", "redirect", "no-leader", "recovering"};
    pthread_mutex_lock(&M.mu);
    json_t *fws = json_array();
    for (framework *fw = M.fws; fw; fw = fw->next) {
        json_t *tasks = json_array();
        for (task *t = fw->tasks; t; t = t->next)
            json_array_append_new(tasks, agent_task_json(t));
        int n_offers = 0, n_filters = 0;
        for (offer *o = M.offers; o; o = o->next)
            n_offers += o->fw == fw;
        double now = mk_now_monotonic();
        for (int a = 0; a < M.n_agents; a++)
            n_filters += fw->filter_until[a] > now;
        json_array_append_new(
            fws,
            json_pack("{s:s, s:s?, s:s?, s:b, s:s?, s:b, s:b, s:s?, s:i, s:i, s:o}", "id", fw->id,
                      "name", fw->name, "role", fw->role, "connected", fw->stream != NULL,
                      "stream_id", fw->stream ? fw->stream->id : NULL, "suppressed", fw->suppressed,
                      "removed", fw->removed, "principal", fw->principal, "outstanding_offers",
                      n_offers, "active_filters", n_filters, "tasks", tasks));
    }
    json_t *agents = json_array();
    for (int a = 0; a < M.n_agents; a++)
        json_array_append_new(agents, agent_json(a));
    json_t *state = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:{s:I, s:I, s:I}}", "mode", modes[M.mode], "leader",
        M.leader, "master_id", M.master_id, "container_address_block", agent_container_block(),
        "frameworks", fws, "agents", agents, "counters", "offers", (json_int_t)M.counters_offers,
        "declined", (json_int_t)M.counters_declined, "launched", (json_int_t)M.counters_launched);
    pthread_mutex_unlock(&M.mu);
    return state;
}

int master_drop_streams(void)
{
    int n = 0;
    pthread_mutex_lock(&M.mu);
    for (framework *fw = M.fws; fw; fw = fw->next)
        if (fw->stream) {
            detach_stream(fw);
            n++;
        }
    pthread_mutex_unlock(&M.mu);
    return n;
}

void master_restart(void)
{
    pthread_mutex_lock(&M.mu);
    for (framework *fw = M.fws; fw; fw = fw->next) {
        detach_stream(fw);
        fw->forgotten = true; /* a new master knows a framework only once it re-subscribes */
        memset(fw->filter_until, 0, sizeof(fw->filter_until));
    }
    while (M.offers)
        remove_offer(M.offers);
    mk_uuid4(M.master_id);
    M.next_fw = 0;
    for (int a = 0; a < M.n_agents; a++) {
        /* Agent ids stay: the agents re-register with the ids they had. */
        M.agents[a].offered = NULL;
    }
    log_info(COMPONENT, "master restarted as %s", M.master_id);
    pthread_mutex_unlock(&M.mu);
}

int master_rescind(const char *offer_id)
{
    int n = 0;
    pthread_mutex_lock(&M.mu);
    for (offer *o = M.offers, *next; o; o = next) {
        next = o->next;
        if (!offer_id || strcmp(o->id, offer_id) == 0) {
            rescind(o);
            n++;
        }
    }
    pthread_mutex_unlock(&M.mu);
    return n;
}

int master_send_error(const char *framework_id, const char *message)
{
    pthread_mutex_lock(&M.mu);
    framework *fw = find_framework(framework_id);
    int ok = fw && fw->stream;
    if (ok) {
        stream_push(fw->stream, error_event(message));
        detach_stream(fw);
    }
    pthread_mutex_unlock(&M.mu);
    return ok ? 0 : -1;
}

int master_remove_framework(const char *framework_id)
{
    pthread_mutex_lock(&M.mu);
    framework *fw = find_framework(framework_id);
    int ok = fw && !fw->removed;
    if (ok)
        remove_framework(fw, "removed through fault control");
    pthread_mutex_unlock(&M.mu);
    return ok ? 0 : -1;
}

static int with_agent(const char *name, int (*fn)(int))
{
    pthread_mutex_lock(&M.mu);
    int a = agent_index(name);
    int r = a < 0 ? -1 : fn(a);
    pthread_mutex_unlock(&M.mu);
    return r;
}

int master_lose_agent(const char *agent_name)
{
    return with_agent(agent_name, agent_lose);
}

int master_return_agent(const char *agent_name)
{
    return with_agent(agent_name, agent_return);
}

int master_partition_agent(const char *agent_name)
{
    return with_agent(agent_name, agent_partition);
}

int master_heal_agent(const char *agent_name)
{
    return with_agent(agent_name, agent_heal);
}

int master_signal_task(const char *task_id, int sig)
{
    pthread_mutex_lock(&M.mu);
    int r = agent_signal_task(task_id, sig);
    pthread_mutex_unlock(&M.mu);
    return r;
}
