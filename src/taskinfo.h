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
 */
#ifndef MK_TASKINFO_H
#define MK_TASKINFO_H

#include <jansson.h>

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

/* The ZOO_SERVERS value for ZooKeeper member `self` among `members` (all placed). */
char *taskinfo_zoo_servers(const config *cfg, member *const *members, size_t n, const member *self);

/* The TaskInfo JSON. `resources` is stolen. `zk_servers` (ZooKeeper) or `zk_connect` (Kafka:
 * host:port list with the chroot) says where the ensemble is. */
json_t *taskinfo_build(const config *cfg, const member *m, const char *task_id, json_t *resources,
                       const char *zk_servers, const char *zk_connect);

#endif
