/*
 * agent: the simulated agents that run launched tasks as local processes.
 *
 * A task accepted by the master is started at the agent's next tick: its container plan
 * (sim/container.h) becomes a process group in its sandbox, with BRIDGE port mappings forwarded
 * (sim/portfwd.h) and health checks run (sim/health.h). The task's updates go out as the Docker
 * executor sends them (TASK_STARTING, TASK_RUNNING with the container's address, one terminal
 * update with "Container exited with status N"), each with a uuid, one in flight per task, resent
 * until acknowledged. Agents can be lost (their processes die with them) and brought back.
 *
 * Everything here runs with the master's mutex (M.mu) held, except agents_setup and
 * agents_teardown.
 */
#ifndef SIM_AGENT_H
#define SIM_AGENT_H

#include <jansson.h>

#include "master_internal.h"
#include "util.h"

typedef struct {
    const char *work_dir;        /* sandboxes, volumes and the hosts file live under it */
    const char *image_map;       /* NULL: no image can be pulled */
    double update_retry_s;       /* first resend of an unacknowledged update (Mesos: 10 s) */
    const char *container_block; /* "127.3.0.0/16"; NULL: the first free one (sim/addrblock.h) */
} agent_options;

int agents_setup(const agent_options *opt, mk_err *err);
/* Stops every container (SIGTERM, then SIGKILL after 5 s) and the health checkers. No lock held. */
void agents_teardown(void);
void agents_free(void);

void agent_launch(framework *fw, task *t);
/* KILL: grace_s < 0 means the task's own kill policy. */
void agent_kill(framework *fw, task *t, double grace_s);
void agent_acknowledge(framework *fw, const char *task_id, const char *uuid);
/* Starts accepted tasks, reaps exited ones, escalates kills, resends updates. */
void agent_tick(double now);
/* Stops the task's container at once (SIGKILL) and frees its agent-side state. */
void agent_release_task(task *t);
bool task_is_terminal(const task *t);

/* The reconciliation answer for a task the master knows. */
json_t *agent_reconcile_update(const framework *fw, const task *t);
json_t *agent_task_json(const task *t);
json_t *agent_json(int a);
/* The container address block claimed at set-up, "127.2.0.0/16". */
const char *agent_container_block(void);

/* Fault control. Return 0, or -1 if the agent or task is unknown (or in the wrong state). */
int agent_lose(int a);
int agent_return(int a);
/* A network partition between the agent and the master: marked unreachable as by agent_lose, but
 * its containers go on running and keep what they would report; agent_heal reconnects it. */
int agent_partition(int a);
int agent_heal(int a);
int agent_signal_task(const char *task_id, int sig);
int agent_index(const char *name_or_id);

#endif
