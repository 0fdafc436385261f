/*
 * master: the simulated Mesos master's state and its answers to scheduler calls.
 *
 * One mutex (inside) guards everything; the HTTP layer calls in from its connection threads, and a
 * ticker thread drives allocation, heartbeats, offer timeouts and failover timers. Events for a
 * framework are appended, RecordIO-framed, to its stream's byte queue; the HTTP layer drains the
 * queue into the chunked response. Launched tasks are recorded (TASK_STAGING) and handed to
 * agent_launch(), the seam where simulated agents will run them.
 */
#ifndef SIM_MASTER_H
#define SIM_MASTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct {
    const char *hostname; /* the master's advertised hostname */
    int port;
    int agents;
    double agent_cpus, agent_mem, agent_disk;
    unsigned long agent_port_begin, agent_port_end;
    /* Attributes in the mesos-agent --attributes format (sim/attrs.h): `agent_attributes` for
     * every agent (NULL: none), then each "N=SPEC" of `agent_attributes_of` for agentN. */
    const char *agent_attributes;
    const char *const *agent_attributes_of;
    size_t n_agent_attributes_of;
    double heartbeat_s, allocation_s, offer_timeout_s, failover_cap_s;
    bool auth;                   /* Basic auth on: principals are checked */
    const char *work_dir;        /* the agents' sandboxes and volumes */
    const char *image_map;       /* Docker image -> launcher (sim/imagemap.h); NULL: none */
    double update_retry_s;       /* first resend of an unacknowledged status update */
    const char *container_block; /* container addresses; NULL: the first free block */
} master_options;

typedef enum { MODE_LEADER, MODE_REDIRECT, MODE_NO_LEADER, MODE_RECOVERING } master_mode;

/* A subscription stream: bytes waiting to be sent, shared by the master and the HTTP response. */
typedef struct stream stream;
/* Copies up to `max` queued bytes into buf, waiting up to ~200 ms for some. Returns the count, 0 if
 * none yet, -1 when the stream has ended and everything was sent. */
long stream_read(stream *s, char *buf, size_t max);
/* The HTTP response is gone (client closed or finished): the framework becomes disconnected. */
void stream_release(stream *s);

/* Returns -1 with a message in err (bad image map, work directory...). */
int master_init(const master_options *opt, mk_err *err);
void master_shutdown(void); /* ends every stream and stops the ticker */
void master_free(void);

master_mode master_get_mode(char *leader, size_t leader_len);
void master_set_mode(master_mode mode, const char *leader);

/* Answers a validated call (schema and stateless rules already passed).
 * `principal` is the authenticated principal or NULL; `stream_id` the Mesos-Stream-Id header or
 * NULL. For SUBSCRIBE, on status 200 *out_stream is the new stream and *out_stream_id its id
 * (static storage in the stream, valid until stream_release). Returns the HTTP status; *body gets a
 * message (malloc'd) for error statuses. */
int master_handle_call(const json_t *call, const char *principal, const char *stream_id,
                       stream **out_stream, const char **out_stream_id, char **body);

/* Fault control. */
json_t *master_state_json(void);
int master_drop_streams(void);
void master_restart(void);
int master_rescind(const char *offer_id); /* NULL = all; returns how many */
int master_send_error(const char *framework_id, const char *message);
int master_remove_framework(const char *framework_id);
/* Agent and task faults: return 0, or -1 if unknown or not applicable. */
int master_lose_agent(const char *agent);
int master_return_agent(const char *agent);
int master_partition_agent(const char *agent); /* cut off from the master, processes go on */
int master_heal_agent(const char *agent);
int master_signal_task(const char *task_id, int sig);

#endif
