/*
 * taskinfo: the Mesos TaskInfo of a member's launch, and the addresses members are reached at.
 *
 * Every task is a Docker container (IMAGE_ZOOKEEPER / IMAGE_KAFKA) configured only through its
 * environment, in the variables of the images in containers/ (ZOO_* and KAFKA_*), with a TCP
 * health check on its service port and, when VOLUME_* is set, a data volume at the sandbox-relative
 * path "data" (a Docker volume named <VOLUME_x>-<id>, or <VOLUME_x>/<kind>-<id> for a host path).
 *
 * Addresses by network mode:
 *   HOST    services listen on host ports from the offer; reached at <agent hostname>:<port>.
 *   BRIDGE  services listen on fixed container ports (2181/2888/3888, 9092) mapped to host ports
 *           from the offer; reached at <agent hostname>:<host port>.
 *   USER    the container has its own address and DNS name <kind>-<id>.<domain> on NETWORK_NAME;
 *           reached at that name and the fixed container ports; no host ports are used.
 *
 * The ZooKeeper server list on a USER network. A container's address is known only once it runs
 * (TASK_RUNNING's network_infos) and changes with every launch, so a list of addresses would be
 * stale after any restart and would force every other member to be relaunched each time one
 * moves. The list names each member by its stable DNS name instead (ContainerInfo.hostname,
 * which the network's DNS, weaveDNS for example, serves while the container runs), as an operator
 * of such a network would write it: server.N=zookeeper-N.<domain>:2888:3888;2181 for every
 * member, in it from the moment it is placed. The member's own entry is 0.0.0.0 (it listens on
 * every address of its container), as on BRIDGE. Only the scheduler, which is outside the
 * network's DNS, uses the reported container addresses (to reach the client ports).
 */
#ifndef MK_TASKINFO_H
#define MK_TASKINFO_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"
#include "member.h"

#define ZK_CLIENT_PORT   2181
#define ZK_QUORUM_PORT   2888
#define ZK_ELECTION_PORT 3888
#define KAFKA_PORT       9092

/* Host ports a member of `kind` needs from an offer in the configured network mode. */
int taskinfo_ports_needed(const config *cfg, member_kind kind);

/* "host:port" where other tasks reach the member's service (ZooKeeper client port, Kafka
 * listener), or NULL if it has no home yet. Caller frees. */
char *taskinfo_service_address(const config *cfg, const member *m);

/* Whether ZooKeeper member `m` has an address for the server list: on HOST and BRIDGE its agent
 * and three host ports (placed at least once); on USER its DNS name, once placed. */
bool taskinfo_has_server_address(const config *cfg, const member *m);

/* The ZooKeeper members (of `members`, any kinds) that are in the server list, in their order,
 * written to `out` (room for n); returns how many. In the list: with an address (a member waiting
 * for a new home keeps its last one), and not removed (a member being removed stays until its
 * task has ended). */
size_t taskinfo_zoo_ensemble(const config *cfg, member *const *members, size_t n, member **out);

/* The ZOO_SERVERS value for ZooKeeper member `self` among `members` (taskinfo_zoo_ensemble's). */
char *taskinfo_zoo_servers(const config *cfg, member *const *members, size_t n, const member *self);

/* The TaskInfo JSON. `resources` is stolen. `zk_servers` (ZooKeeper) or `zk_connect` (Kafka:
 * host:port list with the chroot) says where the ensemble is. */
json_t *taskinfo_build(const config *cfg, const member *m, const char *task_id, json_t *resources,
                       const char *zk_servers, const char *zk_connect);

#endif
