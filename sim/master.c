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

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "recordio.h"
#include "util.h"

#define COMPONENT      "master"
#define MAX_AGENTS     256
#define DEFAULT_REFUSE 5.0
#define MAX_REFUSE     31536000.0
#define EPSILON        1e-6

struct stream {
    int refs; /* the framework's hold and the HTTP response's hold */
    bool ended;
    char *buf;
    size_t len;
    char id[37];
    struct framework *fw; /* NULL once detached */
    double last_heartbeat;
};

typedef struct {
    double cpus, mem, disk;
    unsigned char ports[65536 / 8]; /* bitmap */
} resources;

typedef struct task {
    struct task *next;
    char *id;
    int agent;
    const char *state;
    resources res;
} task;

typedef struct framework {
    struct framework *next;
    char *id, *name, *principal, *role;
    bool partition_aware, refinement, removed, forgotten, suppressed;
    double failover_timeout, disconnected_at;
    stream *stream;
    double filter_until[MAX_AGENTS];
    task *tasks;
} framework;

typedef struct offer {
    struct offer *next;
    char *id;
    framework *fw;
    int agent;
    resources res;
    double created;
} offer;

typedef struct {
    char id[64], hostname[32], ip[16];
    resources total;
    offer *offered;
} agent;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t data; /* streams got bytes or ended */
    pthread_t ticker;
    bool stop;
    master_options opt;
    char master_id[37];
    master_mode mode;
    char leader[256];
    framework *fws;
    offer *offers;
    agent agents[MAX_AGENTS];
    int n_agents;
    unsigned long next_fw, next_offer;
    double last_allocation;
    unsigned long counters_offers, counters_declined, counters_launched;
} M = {.mu = PTHREAD_MUTEX_INITIALIZER, .data = PTHREAD_COND_INITIALIZER};

static bool bit_get(const unsigned char *b, unsigned long i)
{
    return (b[i / 8] >> (i % 8)) & 1;
}

static void bit_set(unsigned char *b, unsigned long i, bool v)
{
    if (v)
        b[i / 8] = (unsigned char)(b[i / 8] | (1u << (i % 8)));
    else
        b[i / 8] = (unsigned char)(b[i / 8] & ~(1u << (i % 8)));
}

/* ---- streams ---------------------------------------------------------------------------------- */

static void stream_unref(stream *s)
{
    if (--s->refs == 0) {
        free(s->buf);
        free(s);
    }
}

static void stream_push(stream *s, json_t *event)
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

static void stream_end(stream *s)
{
    s->ended = true;
    pthread_cond_broadcast(&M.data);
}

long stream_read(stream *s, char *buf, size_t max)
{
    pthread_mutex_lock(&M.mu);
    if (s->len == 0 && !s->ended && !M.stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
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

static void withdraw_offers(framework *fw)
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
static void detach_stream(framework *fw)
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

/* ---- events ----------------------------------------------------------------------------------- */

static json_t *id_json(const char *v)
{
    return json_pack("{s:s}", "value", v);
}

static json_t *heartbeat_event(void)
{
    return json_pack("{s:s}", "type", "HEARTBEAT");
}

static json_t *error_event(const char *message)
{
    return json_pack("{s:s, s:{s:s}}", "type", "ERROR", "error", "message", message);
}

static uint32_t ip_network_order(const char *ip)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
    return (uint32_t)(a | (b << 8) | (c << 16) | (d << 24));
}

static json_t *subscribed_event(const framework *fw)
{
    char pid[300];
    snprintf(pid, sizeof(pid), "master@%s:%d", "127.0.0.1", M.opt.port);
    json_t *mi = json_pack("{s:s, s:I, s:i, s:s, s:s, s:s, s:{s:s, s:s, s:i}, s:[{s:s},{s:s}]}",
                           "id", M.master_id, "ip", (json_int_t)ip_network_order("127.0.0.1"),
                           "port", M.opt.port, "pid", pid, "hostname", M.opt.hostname, "version",
                           "1.11.0", "address", "hostname", M.opt.hostname, "ip", "127.0.0.1",
                           "port", M.opt.port, "capabilities", "type", "AGENT_UPDATE", "type",
                           "AGENT_DRAINING");
    return json_pack("{s:s, s:{s:o, s:f, s:o}}", "type", "SUBSCRIBED", "subscribed", "framework_id",
                     id_json(fw->id), "heartbeat_interval_seconds", M.opt.heartbeat_s,
                     "master_info", mi);
}

/* A master-generated task update: no uuid, never to be acknowledged. */
static json_t *master_update(const framework *fw, const char *task_id, int agent_index, const char *state,
                             const char *reason, const char *message)
{
    json_t *st = json_pack("{s:o, s:s, s:s, s:s, s:s, s:f}", "task_id", id_json(task_id), "state",
                           state, "message", message, "source", "SOURCE_MASTER", "reason", reason,
                           "timestamp", mk_now_wall());
    if (agent_index >= 0)
        json_object_set_new(st, "agent_id", id_json(M.agents[agent_index].id));
    (void)fw;
    return json_pack("{s:s, s:{s:o}}", "type", "UPDATE", "update", "status", st);
}

static void push_to(framework *fw, json_t *event)
{
    if (fw->stream)
        stream_push(fw->stream, event);
    else
        json_decref(event);
}

/* ---- resources -------------------------------------------------------------------------------- */

static json_t *scalar_json(const framework *fw, const char *name, double v)
{
    json_t *r = json_pack("{s:s, s:s, s:{s:f}}", "name", name, "type", "SCALAR", "scalar", "value",
                          v);
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
        json_array_append_new(ranges, json_pack("{s:I, s:I}", "begin", (json_int_t)p, "end",
                                                 (json_int_t)end));
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
            if (t->agent != a)
                continue;
            out->cpus -= t->res.cpus;
            out->mem -= t->res.mem;
            out->disk -= t->res.disk;
            for (size_t i = 0; i < sizeof(out->ports); i++)
                out->ports[i] &= (unsigned char)~t->res.ports[i];
        }
    }
}

/* ---- allocation ------------------------------------------------------------------------------- */

static json_t *offer_json(const offer *o)
{
    const agent *ag = &M.agents[o->agent];
    json_t *res = json_array();
    json_array_append_new(res, scalar_json(o->fw, "cpus", o->res.cpus));
    json_array_append_new(res, scalar_json(o->fw, "mem", o->res.mem));
    json_array_append_new(res, scalar_json(o->fw, "disk", o->res.disk));
    json_t *ports = ports_json(o->fw, o->res.ports);
    if (ports)
        json_array_append_new(res, ports);
    json_t *attrs = json_array();
    char *spec = mk_xstrdup(M.opt.agent_attributes ? M.opt.agent_attributes : "");
    char *save = NULL;
    for (char *kv = strtok_r(spec, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(kv, ':');
        if (!colon)
            continue;
        *colon = '\0';
        json_array_append_new(attrs, json_pack("{s:s, s:s, s:{s:s}}", "name", kv, "type", "TEXT",
                                               "text", "value", colon + 1));
    }
    free(spec);
    json_t *j = json_pack("{s:o, s:o, s:o, s:s, s:{s:s, s:{s:s, s:s, s:i}, s:s}, s:o, s:{s:s}}",
                          "id", id_json(o->id), "framework_id", id_json(o->fw->id), "agent_id",
                          id_json(ag->id), "hostname", ag->hostname, "url", "scheme", "http",
                          "address", "hostname", ag->hostname, "ip", ag->ip, "port", 5051, "path",
                          "/slave(1)", "resources", res, "allocation_info", "role", o->fw->role);
    if (json_array_size(attrs) > 0)
        json_object_set_new(j, "attributes", attrs);
    else
        json_decref(attrs);
    return j;
}

static void allocate(double now)
{
    for (framework *fw = M.fws; fw; fw = fw->next) {
        if (!fw->stream || fw->suppressed || fw->removed || fw->forgotten)
            continue;
        json_t *list = json_array();
        for (int a = 0; a < M.n_agents; a++) {
            if (M.agents[a].offered || fw->filter_until[a] > now)
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
            stream_push(fw->stream, json_pack("{s:s, s:{s:o}}", "type", "OFFERS", "offers",
                                              "offers", list));
        else
            json_decref(list);
    }
}

static void remove_offer(offer *o)
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

static offer *find_offer(const char *id)
{
    for (offer *o = M.offers; o; o = o->next)
        if (strcmp(o->id, id) == 0)
            return o;
    return NULL;
}

static void rescind(offer *o)
{
    push_to(o->fw, json_pack("{s:s, s:{s:o}}", "type", "RESCIND", "rescind", "offer_id",
                             id_json(o->id)));
    remove_offer(o);
}

static void free_framework(framework *fw)
{
    while (fw->tasks) {
        task *t = fw->tasks;
        fw->tasks = t->next;
        free(t->id);
        free(t);
    }
    free(fw->id);
    free(fw->name);
    free(fw->principal);
    free(fw->role);
    free(fw);
}

static void remove_framework(framework *fw, const char *why)
{
    withdraw_offers(fw);
    if (fw->stream) {
        stream_push(fw->stream, error_event("Framework has been removed"));
        detach_stream(fw);
    }
    fw->removed = true;
    /* Mesos kills a removed framework's tasks; the agents' resources come back. */
    while (fw->tasks) {
        task *t = fw->tasks;
        fw->tasks = t->next;
        free(t->id);
        free(t);
    }
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
        if (M.mode == MODE_LEADER && now - M.last_allocation >= M.opt.allocation_s) {
            M.last_allocation = now;
            allocate(now);
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&M.data, &M.mu, &ts);
    }
    pthread_mutex_unlock(&M.mu);
    return NULL;
}

/* ---- set-up ----------------------------------------------------------------------------------- */

int master_init(const master_options *opt)
{
    M.opt = *opt;
    mk_uuid4(M.master_id);
    M.mode = MODE_LEADER;
    M.n_agents = opt->agents < MAX_AGENTS ? opt->agents : MAX_AGENTS;
    for (int a = 0; a < M.n_agents; a++) {
        agent *ag = &M.agents[a];
        snprintf(ag->id, sizeof(ag->id), "%s-S%d", M.master_id, a);
        snprintf(ag->hostname, sizeof(ag->hostname), "agent%d", a + 1);
        snprintf(ag->ip, sizeof(ag->ip), "127.0.1.%d", a + 1);
        ag->total.cpus = opt->agent_cpus;
        ag->total.mem = opt->agent_mem;
        ag->total.disk = opt->agent_disk;
        for (unsigned long p = opt->agent_port_begin; p <= opt->agent_port_end && p < 65536; p++)
            bit_set(ag->total.ports, p, true);
    }
    if (pthread_create(&M.ticker, NULL, ticker_main, NULL) != 0)
        return -1;
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

/* ---- calls ------------------------------------------------------------------------------------ */

static framework *find_framework(const char *id)
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
    const char *fid = json_string_value(json_object_get(json_object_get(call, "framework_id"), "value"));
    const json_t *roles = json_object_get(fi, "roles");
    const char *role = json_string_value(json_object_get(fi, "role"));
    const char *fi_principal = json_string_value(json_object_get(fi, "principal"));
    if (!fi_principal)
        fi_principal = principal;

    const char *refusal = NULL;
    if (roles && role)
        refusal = "Only one of 'role' or 'roles' may be set in FrameworkInfo";
    else if (roles && !has_capability(fi, "MULTI_ROLE"))
        refusal = "'roles' requires the MULTI_ROLE capability";
    else if (roles && json_array_size(roles) != 1)
        refusal = "mesos-sim supports exactly one role per framework";
    if (roles && !refusal)
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
    const json_t *ft = json_object_get(fi, "failover_timeout");
    fw->failover_timeout = ft ? json_number_value(ft) : 0;
    if (json_is_string(ft))
        fw->failover_timeout = strtod(json_string_value(ft), NULL);
    fw->forgotten = false;
    fw->suppressed = false;
    const json_t *suppressed = json_object_get(json_object_get(call, "subscribe"), "suppressed_roles");
    if (json_array_size(suppressed) > 0)
        fw->suppressed = true;
    fw->stream = new_stream(fw);
    stream_push(fw->stream, subscribed_event(fw));
    stream_push(fw->stream, heartbeat_event());
    *out = fw->stream;
    *out_id = fw->stream->id;
    log_info(COMPONENT, "framework %s (%s) subscribed, stream %s", fw->id, fw->name, fw->stream->id);
    return 200;
}

static double refuse_seconds(const json_t *filters)
{
    const json_t *v = json_object_get(filters, "refuse_seconds");
    if (!v)
        return DEFAULT_REFUSE;
    double d = json_is_string(v) ? strtod(json_string_value(v), NULL) : json_number_value(v);
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
        if ((role && strcmp(role, "*") != 0) || json_array_size(json_object_get(r, "reservations")) ||
            json_object_get(r, "disk")) {
            snprintf(why, why_len, "resource '%s' is reserved or a volume, none was offered", name);
            return -1;
        }
        const json_t *scalar = json_object_get(json_object_get(r, "scalar"), "value");
        double v = json_is_string(scalar) ? strtod(json_string_value(scalar), NULL)
                                          : json_number_value(scalar);
        if (strcmp(name, "cpus") == 0)
            out->cpus += v;
        else if (strcmp(name, "mem") == 0)
            out->mem += v;
        else if (strcmp(name, "disk") == 0)
            out->disk += v;
        else if (strcmp(name, "ports") == 0) {
            json_array_foreach(json_object_get(json_object_get(r, "ranges"), "range"), j, range)
            {
                json_int_t b = json_integer_value(json_object_get(range, "begin"));
                json_int_t e = json_integer_value(json_object_get(range, "end"));
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

static bool task_id_exists(const char *id)
{
    for (framework *fw = M.fws; fw; fw = fw->next)
        for (task *t = fw->tasks; t; t = t->next)
            if (strcmp(t->id, id) == 0 && t->state)
                return true;
    return false;
}

static int task_id_problem(const char *id, char *why, size_t why_len)
{
    if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 255 ||
        strpbrk(id, "/\\")) {
        snprintf(why, why_len, "Task ID '%s' is invalid", id);
        return -1;
    }
    for (const char *c = id; *c; c++)
        if ((unsigned char)*c < 0x20) {
            snprintf(why, why_len, "Task ID contains a control character");
            return -1;
        }
    return 0;
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
            const char *tid = json_string_value(json_object_get(json_object_get(ti, "task_id"), "value"));
            const char *aid = json_string_value(json_object_get(json_object_get(ti, "agent_id"), "value"));
            resources need;
            int bad = task_id_problem(tid, why, sizeof(why));
            if (!bad && (task_id_exists(tid) || json_object_get(seen, tid)))
                bad = snprintf(why, sizeof(why), "Task has duplicate ID: %s", tid) > 0;
            if (!bad && strcmp(aid, M.agents[a].id) != 0)
                bad = snprintf(why, sizeof(why), "Task uses agent %s but the offer is on %s", aid,
                               M.agents[a].id) > 0;
            if (!bad && !json_object_get(ti, "command") == !json_object_get(ti, "executor"))
                bad = snprintf(why, sizeof(why), "Task should have at least one (but not both) of "
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
                    bad = snprintf(why, sizeof(why), "Parameter in DockerInfo must not be 'name'") > 0;
            }
            if (!bad && task_resources(json_object_get(ti, "resources"), &need, why, sizeof(why)) < 0)
                bad = 1;
            if (!bad && (need.cpus > pool.cpus + EPSILON || need.mem > pool.mem + EPSILON ||
                         need.disk > pool.disk + EPSILON))
                bad = snprintf(why, sizeof(why),
                               "Task uses more resources (cpus %g, mem %g, disk %g) than available "
                               "(cpus %g, mem %g, disk %g)",
                               need.cpus, need.mem, need.disk, pool.cpus, pool.mem, pool.disk) > 0;
            for (unsigned long port = 0; !bad && port < 65536; port++)
                if (bit_get(need.ports, port) && !bit_get(pool.ports, port))
                    bad = snprintf(why, sizeof(why), "Task uses port %lu, which the offer does not "
                                                     "hold (or an earlier task took)", port) > 0;
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
            task *t = mk_xcalloc(1, sizeof(*t));
            t->id = mk_xstrdup(json_string_value(json_object_get(json_object_get(ti, "task_id"), "value")));
            t->agent = a;
            t->state = "TASK_STAGING";
            task_resources(json_object_get(ti, "resources"), &t->res, why, sizeof(why));
            t->next = fw->tasks;
            fw->tasks = t;
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

static void answer_unknown_task(framework *fw, const char *task_id)
{
    push_to(fw, master_update(fw, task_id, -1, fw->partition_aware ? "TASK_UNKNOWN" : "TASK_LOST",
                              "REASON_RECONCILIATION", "Reconciliation: Task is unknown"));
}

static void reconcile(framework *fw, const json_t *body)
{
    const json_t *tasks = json_object_get(body, "tasks");
    if (json_array_size(tasks) == 0) {
        for (task *t = fw->tasks; t; t = t->next)
            push_to(fw, master_update(fw, t->id, t->agent, t->state, "REASON_RECONCILIATION",
                                      "Reconciliation: Latest task state"));
        return;
    }
    size_t i;
    const json_t *rt;
    json_array_foreach(tasks, i, rt)
    {
        const char *tid = json_string_value(json_object_get(json_object_get(rt, "task_id"), "value"));
        task *t = find_task(fw, tid);
        if (t)
            push_to(fw, master_update(fw, t->id, t->agent, t->state, "REASON_RECONCILIATION",
                                      "Reconciliation: Latest task state"));
        else
            answer_unknown_task(fw, tid);
    }
}

static void kill_task(framework *fw, const json_t *body)
{
    const char *tid = json_string_value(json_object_get(json_object_get(body, "task_id"), "value"));
    for (task **p = &fw->tasks; *p; p = &(*p)->next) {
        task *t = *p;
        if (strcmp(t->id, tid) != 0)
            continue;
        /* A task the agents have not started yet ends at once; its resources come back. */
        push_to(fw, master_update(fw, t->id, t->agent, "TASK_KILLED", "REASON_TASK_KILLED_DURING_LAUNCH",
                                  "Killed before delivery to the agent"));
        *p = t->next;
        free(t->id);
        free(t);
        return;
    }
    answer_unknown_task(fw, tid);
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
    const char *fid = json_string_value(json_object_get(json_object_get(call, "framework_id"), "value"));
    framework *fw = find_framework(fid);
    if (!fw || fw->removed || fw->forgotten)
        status = error_status(body, 400, "Framework cannot be found");
    else if (M.opt.auth && principal && fw->principal && strcmp(principal, fw->principal) != 0)
        status = error_status(body, 400, "Authenticated principal '%s' does not match principal "
                                         "'%s' set in FrameworkInfo", principal, fw->principal);
    else if (!fw->stream)
        status = error_status(body, 403, "Framework is not subscribed");
    else if (!stream_id)
        status = error_status(body, 400, "All non-subscribe calls should include the "
                                         "'Mesos-Stream-Id' header");
    else if (strcmp(stream_id, fw->stream->id) != 0)
        status = error_status(body, 400, "The stream ID '%s' included in this request didn't match "
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
            status = error_status(body, 501, "Unknown call type");
        /* ACKNOWLEDGE (no agent updates yet), MESSAGE, REQUEST, SHUTDOWN and the inverse-offer and
         * operation calls are accepted and have nothing to change here. */
    }
    pthread_mutex_unlock(&M.mu);
    return status;
}

/* ---- fault control ---------------------------------------------------------------------------- */

json_t *master_state_json(void)
{
    static const char *const modes[] = {"leader", "redirect", "no-leader", "recovering"};
    pthread_mutex_lock(&M.mu);
    json_t *fws = json_array();
    for (framework *fw = M.fws; fw; fw = fw->next) {
        json_t *tasks = json_array();
        for (task *t = fw->tasks; t; t = t->next)
            json_array_append_new(tasks, json_pack("{s:s, s:s, s:s}", "id", t->id, "state",
                                                   t->state, "agent_id", M.agents[t->agent].id));
        int n_offers = 0, n_filters = 0;
        for (offer *o = M.offers; o; o = o->next)
            n_offers += o->fw == fw;
        double now = mk_now_monotonic();
        for (int a = 0; a < M.n_agents; a++)
            n_filters += fw->filter_until[a] > now;
        json_array_append_new(
            fws, json_pack("{s:s, s:s?, s:s?, s:b, s:s?, s:b, s:b, s:s?, s:i, s:i, s:o}", "id",
                           fw->id, "name", fw->name, "role", fw->role, "connected",
                           fw->stream != NULL, "stream_id", fw->stream ? fw->stream->id : NULL,
                           "suppressed", fw->suppressed, "removed", fw->removed, "principal",
                           fw->principal, "outstanding_offers", n_offers, "active_filters",
                           n_filters, "tasks", tasks));
    }
    json_t *agents = json_array();
    for (int a = 0; a < M.n_agents; a++)
        json_array_append_new(agents, json_pack("{s:s, s:s, s:s}", "id", M.agents[a].id, "hostname",
                                                M.agents[a].hostname, "ip", M.agents[a].ip));
    json_t *state = json_pack("{s:s, s:s, s:s, s:o, s:o, s:{s:I, s:I, s:I}}", "mode",
                              modes[M.mode], "leader", M.leader, "master_id", M.master_id,
                              "frameworks", fws, "agents", agents, "counters", "offers",
                              (json_int_t)M.counters_offers, "declined",
                              (json_int_t)M.counters_declined, "launched",
                              (json_int_t)M.counters_launched);
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
