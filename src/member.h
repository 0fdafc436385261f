/*
 * member: one ZooKeeper server or Kafka broker the framework runs, as the core keeps it.
 *
 * A member has a stable identity (kind and id: zookeeper-1.., kafka-0..) and, once placed, a stable
 * home: the agent and ports it was first launched with, so a restart finds its volume and the
 * ensemble's addresses stay valid. Each launch is a new task (`kafka-0.<uuid>`). The member's goal
 * says what the core works towards; its current task's last status says where it is.
 *
 * This module is pure: no I/O, no clock (callers pass `now`), so every decision is unit-tested.
 */
#ifndef MK_MEMBER_H
#define MK_MEMBER_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "constraint.h"
#include "mesos_event.h"

typedef enum { KIND_ZOOKEEPER = 0, KIND_KAFKA = 1 } member_kind;
#define N_KINDS 2

const char *member_kind_name(member_kind k); /* "zookeeper", "kafka" */
int member_kind_parse(const char *s, member_kind *out);

typedef enum {
    GOAL_RUN = 0, /* keep a task running; restart it when it ends */
    GOAL_STOP,    /* killed by the operator: not restarted until a reflate */
    GOAL_REMOVE,  /* scaled away: kill its task, then forget the member */
} member_goal;

/* Why the core killed the current task, so its end is not taken for a failure. */
typedef enum {
    KILL_NONE = 0,
    KILL_OPERATOR,    /* /v0/task/kill */
    KILL_REMOVE,      /* scale-down */
    KILL_RECONFIGURE, /* ZooKeeper member relaunched with a new server list */
    KILL_REPLACE,     /* unreachable too long: replaced on another agent */
    KILL_RESTART,     /* /v1/brokers restart: launched again at once, at home */
} member_kill;

#define MEMBER_MAX_PORTS         3  /* ZooKeeper: client, quorum, election; Kafka: the listener */
#define MEMBER_MAX_ATTRIBUTES    64 /* of an agent, as remembered */
#define MEMBER_MAX_ATTRIBUTE_LEN 1024

typedef struct member {
    member_kind kind;
    int id;
    member_goal goal;
    bool gave_up; /* FAILOVER_MAX_TRIES reached: reported, not restarted until reflate */

    /* Home: where it was placed (NULL agent_id: not placed yet, or its home is gone; hostname and
     * ports then keep its last address, if any). */
    char *agent_id;
    char *hostname;
    int ports[MEMBER_MAX_PORTS]; /* host ports (HOST, BRIDGE); unused on USER */
    int n_ports;
    /* Kafka: the broker's own settings (never NULL for a broker; NULL for ZooKeeper), and the
     * effective values ({name: value}, broker_settings_describe's) its current task was launched
     * with, NULL when unknown (launched by an earlier version, or never). */
    struct broker_settings *settings;
    json_t *launched_with;
    constraint_refusals refused; /* Kafka: offers its constraints refused (not persisted) */
    /* The home agent's attributes as its offer gave them ({name: text}; NULL: none known), which
     * placement constraints of other brokers compare against. */
    json_t *agent_attributes;

    /* Current task (NULL task_id: none). */
    char *task_id;
    mesos_task_state task_state; /* last known; TASK_STAGING right after the launch */
    int healthy;                 /* -1 unknown, 0, 1 */
    char *message;               /* last status message, may be NULL */
    char *container_ip;          /* from the last status's network_infos, may be NULL */
    char *servers;               /* ZooKeeper: the ZOO_SERVERS it was launched with */
    member_kill kill;            /* a KILL the core sent for this task */
    double launched_at;          /* wall clock */
    double healthy_since;        /* 0: not healthy (or not running) now */
    double unreachable_since;    /* 0: reachable */
    double waiting_since;        /* wanted a launch since (not persisted; 0: not waiting) */

    /* Failures in a row, and when the next launch may happen. */
    int failures;
    double restart_at;
    double last_failure_at;
    double ended_at; /* wall clock the last task ended (0: never ended, or runs) */

    bool registered; /* Kafka: present under <chroot>/brokers/ids (not persisted) */
    /* Kafka, not persisted: the ZooKeeper session of the current task's registration; that of the
     * registration present when the task was launched (an earlier task's, never the new one's);
     * and that of a task known dead whose leftovers were asked to be removed. */
    char *zk_owner;
    char *launch_owner;
    char *dead_owner;
} member;

member *member_new(member_kind kind, int id);
void member_free(member *m);

/* "zookeeper-1", "kafka-0": the task name in the Mesos UI. */
void member_name(const member *m, char *buf, size_t size);
/* A new task id for the next launch: "<name>.<uuid>". */
char *member_new_task_id(const member *m);
/* Parses "<kind>-<id>.<anything>" (the task ids this framework makes). */
int member_parse_task_id(const char *task_id, member_kind *kind, int *id);

/* The value of attribute `name` of the member's home agent ("hostname" is its host name), or NULL
 * when it has no home or the agent has no such attribute. */
const char *member_agent_attribute(const member *m, const char *name);

/* Whether a broker that has not run since `ended_at` has been away from its home longer than its
 * stickiness_period: it is then placed anew (by its constraints) rather than waiting for its old
 * agent. Never for ZooKeeper or without the setting. */
bool member_home_expired(const member *m, double now);

/* Gives up the home agent (gone, or unreachable too long); the next launch finds a new one. */
void member_leave_home(member *m);

/* Whether the current task still runs or may run (not terminal, not absent). */
bool member_task_live(const member *m);

/* The wait before restart number `failures` (1 = first failure): FAILOVER_DELAY doubling up to
 * FAILOVER_MAX_DELAY. */
double member_backoff(const config *cfg, int failures);

/* What the core should do after a terminal status of the current task. */
typedef enum {
    ENDED_RELAUNCH, /* launch again at restart_at */
    ENDED_STOPPED,  /* goal STOP: stay down */
    ENDED_REMOVED,  /* goal REMOVE: forget the member */
    ENDED_GAVE_UP,  /* too many failures in a row */
} member_end;

/* Applies the end of the current task (terminal `state`) at `now`: counts a failure unless the core
 * killed it on purpose, resets the count when the task had been healthy for FAILOVER_RESET_AFTER,
 * sets restart_at, and leaves the home when the agent is gone for good (TASK_GONE*). A broker's
 * own failover_delay, failover_max_delay and failover_max_tries apply over the environment's. */
member_end member_task_ended(member *m, const config *cfg, mesos_task_state state, double now);

/* Persisted form (no secrets, nothing derived). */
json_t *member_to_json(const member *m);
/* Rebuilds a member from its persisted form; -1 with a message naming the field. */
member *member_from_json(const json_t *j, mk_err *err);

#endif
