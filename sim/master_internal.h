/*
 * master_internal: the simulated master's state, shared by master.c (streams, events, allocation,
 * timers, fault control) and master_calls.c (what each scheduler call does). Everything here is
 * guarded by M.mu; no function declared here takes the lock itself.
 */
#ifndef SIM_MASTER_INTERNAL_H
#define SIM_MASTER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "container.h"
#include "master.h"

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

/* A task as the master knows it, with its agent-side container (sim/agent.c). */
typedef struct task {
    struct task *next;
    char *id, *name;
    int agent;
    const char *state; /* the latest state, as the master's reconciliation reports it */
    resources res;
    json_t *info; /* the TaskInfo as launched */
    /* The container. */
    bool to_start; /* accepted; the agent starts it at its next tick */
    char container_id[37];
    char *sandbox;
    container_plan plan;
    int pid;             /* process group of the running container; 0 when none */
    bool kill_requested; /* KILL or a failed health check: the end is TASK_KILLED */
    bool killed_by_health;
    double sigkill_at; /* when SIGTERM was sent: the grace period's end */
    struct portfwd **fwds;
    size_t n_fwds;
    struct health_checker *health;
    uint64_t health_id;
    int healthy;        /* the health checker's latest verdict; -1 unknown */
    int status_healthy; /* `healthy` of the latest status (what reconciliation repeats); -1 unset */
    json_t *network_infos; /* what TASK_RUNNING reported, for reconciliation */
    /* Status updates not yet acknowledged; [0] is the one in flight. */
    json_t *pending;
    double resend_at, resend_interval;
    double unreachable_time; /* wall time the agent was lost, 0 if not */
    const char *agent_state; /* while partitioned: the state the cut-off agent still knows */
} task;

typedef struct framework {
    struct framework *next;
    char *id, *name, *principal, *role;
    bool partition_aware, refinement, killing_state, removed, forgotten, suppressed;
    bool checkpoint; /* its tasks survive an agent restart (the agent recovers them) */
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
    char *dir;        /* the agent's work directory: sandboxes and volumes */
    bool lost;        /* unreachable: no offers, its tasks gone (or cut off, when partitioned) */
    bool partitioned; /* lost by a network partition: its processes go on, out of reach */
    double lost_at;   /* wall time it was marked unreachable */
    resources total;
    offer *offered;
    json_t *attributes; /* the v1 Attribute array its offers carry (sim/attrs.h) */
} agent;

typedef struct {
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
} master_state;

extern master_state M;

static inline bool bit_get(const unsigned char *b, unsigned long i)
{
    return (b[i / 8] >> (i % 8)) & 1;
}

static inline void bit_set(unsigned char *b, unsigned long i, bool v)
{
    if (v)
        b[i / 8] = (unsigned char)(b[i / 8] | (1u << (i % 8)));
    else
        b[i / 8] = (unsigned char)(b[i / 8] & ~(1u << (i % 8)));
}

json_t *id_json(const char *v);
json_t *heartbeat_event(void);
json_t *error_event(const char *message);
json_t *subscribed_event(const framework *fw);
/* A master-generated task update: no uuid, never to be acknowledged. agent_index < 0: no agent_id.
 */
json_t *master_update(const framework *fw, const char *task_id, int agent_index, const char *state,
                      const char *reason, const char *message);

void stream_push(stream *s, json_t *event); /* steals event */
void stream_end(stream *s);
void push_to(framework *fw, json_t *event); /* steals event; dropped if disconnected */
void detach_stream(framework *fw);
void withdraw_offers(framework *fw);
void remove_offer(offer *o);
offer *find_offer(const char *id);
framework *find_framework(const char *id);
void rescind(offer *o);
void remove_framework(framework *fw, const char *why);

#endif
