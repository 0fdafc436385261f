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
/* A master-generated task update: no uuid, never to be acknowledged. */
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
