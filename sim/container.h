/*
 * container: what a simulated agent makes of a TaskInfo before it runs it, as the Docker
 * containerizer would (MESOS-API.md §8): the argv and environment, the network mode and address,
 * the port mappings, the volumes and the sandbox.
 *
 * There are no namespaces here. Every container binds a loopback address of its own (given to it in
 * MK_BIND_ADDRESS, which the entrypoints use in place of "all addresses"); a HOST-network container
 * binds its agent's address. Volumes are directories of the agent that outlive the task, linked
 * into the sandbox at their (sandbox-relative) container path.
 */
#ifndef SIM_CONTAINER_H
#define SIM_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>

#include "imagemap.h"

typedef enum { NET_HOST, NET_BRIDGE, NET_USER, NET_NONE } net_mode;

typedef struct {
    int host_port, container_port;
} port_map;

typedef struct {
    const char *agent_hostname, *agent_ip;
    const char *agent_dir; /* the agent's work directory (volumes live under it) */
    const char *sandbox;   /* created by container_plan_build */
    const char *framework_id, *agent_id, *role, *container_id;
    const char *container_ip; /* the address for a non-HOST container */
    const imagemap *images;
    const char *hosts_file;          /* names of agents and containers, for the tasks' JVMs */
    const unsigned char *task_ports; /* bit set of the ports in the task's resources */
} container_context;

typedef struct {
    char **argv, **env; /* NULL-terminated */
    char *image;        /* the Docker image; NULL for a command task (the command executor's) */
    net_mode net;
    char *network_name; /* USER */
    char *hostname;     /* ContainerInfo.hostname, or NULL */
    char ip[16];        /* where the container's servers listen */
    port_map *ports;
    size_t n_ports;
    double kill_grace_s;
} container_plan;

typedef enum { PLAN_OK, PLAN_PULL_FAILED, PLAN_INVALID } plan_result;

/* Builds the plan, creating the sandbox and the volume directories. The TaskInfo is in the
 * canonical form of schema_canonical_call (integers as JSON integers, bools as bools). On failure
 * *why holds the message of the TASK_FAILED update (the Docker executor's wording where it has
 * one). */
plan_result container_plan_build(const json_t *task_info, const container_context *ctx,
                                 container_plan *out, char *why, size_t why_len);
void container_plan_free(container_plan *p);

const char *net_mode_name(net_mode m);

/* What `docker inspect` prints for the running container (a JSON array of one object with the
 * fields Mesos's Docker::Container::create reads: Id, Name, State, HostConfig.NetworkMode,
 * NetworkSettings), base64-encoded as the Docker executor puts it in TASK_RUNNING's `data`.
 * malloc'd. */
char *container_inspect_data(const container_plan *p, const char *container_id, int pid);

#endif
