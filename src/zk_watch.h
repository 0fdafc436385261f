/*
 * zk_watch: the scheduler's own view of the ZooKeeper ensemble it runs, through the ZooKeeper C
 * client, on a thread of its own (every client call blocks).
 *
 * The core tells it where the ensemble is (zk_watch_set_connect) whenever the members' addresses
 * change. The thread keeps one session to that connect string and, every poll interval and on
 * request, reads under the framework's chroot the registered brokers (`<chroot>/brokers/ids/<id>`),
 * every topic's partition assignment (`<chroot>/brokers/topics/<topic>`), each partition's leader
 * and in-sync replicas as the controller wrote them (`.../partitions/<p>/state`) and the topic's
 * min.insync.replicas (`<chroot>/config/topics/<topic>`): what the data-safety rule needs. It posts
 * what it saw to the core as a CORE_MSG_ZK_STATE message when something changed or a refresh was
 * asked for:
 *
 *   {"seq": n,              the highest refresh sequence asked before this read (0: none)
 *    "connect": "h:p,...",  the connect string read (without chroot)
 *    "quorum": bool,        a session is established and a read succeeded: a quorum answers
 *    "error": "..." | null, why not, when quorum is false
 *    "modes": {"h:p": "leader" | "follower" | ... | null},  each server's `srvr` answer: a server
 *                           that serves clients (in a quorum, or standalone) says its mode,
 *                           others null
 *    "voters": {"h:p": n | null},  the voting members of the ensemble each server was configured
 *                           with (its `conf` answer's membership); null: no answer, standalone
 *    "read_at": t,          wall-clock time the modes were read from
 *    "brokers": {"<id>": {"host": s, "port": n, "endpoints": [s...], "timestamp": s,
 *                         "rack": s, "jmx_port": n, "version": n,   (those present)
 *                         "owner": "hex"}},   the ZooKeeper session holding the registration
 *    "partitions": [{"topic": s, "partition": n, "replicas": [n...],
 *                    "leader": n | null, "isr": [n...] | null,   from the partition's state node
 *                    "min_insync": n | null}],                   the topic's own setting
 *    "controller": n | null,  the broker id in <chroot>/controller
 *    "cluster_id": s | null,  the Kafka cluster id in <chroot>/cluster/id
 *    "broker_cluster_ids": {"<id>": s | null}}  the cluster id each registered broker of the
 *                           zk_watch_set_brokers list reports itself (its metadata)
 *
 * "quorum" here only says that a session works. A server that runs standalone accepts sessions
 * too, so whether the ensemble is whole is judged from "modes" and "voters" (cluster_check.h),
 * and whether Kafka is one cluster from "cluster_id" and "broker_cluster_ids".
 */
#ifndef MK_ZK_WATCH_H
#define MK_ZK_WATCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core_queue.h"

typedef struct zk_watch zk_watch;

/* Starts the thread. `chroot` is the framework's ("/mesos-kafka"); `poll_s` the read interval. */
zk_watch *zk_watch_start(core_queue *queue, const char *chroot, double poll_s);
/* Stops the thread (closing the session) and frees. NULL is fine. */
void zk_watch_stop(zk_watch *w);

/* Thread-safe. The ensemble's connect string without chroot; NULL or "" closes the session. */
void zk_watch_set_connect(zk_watch *w, const char *connect);
/* Thread-safe. The brokers to ask their cluster id, "id=host:port,..." as the scheduler reaches
 * them; NULL or "" for none. Each is asked once per registration. */
void zk_watch_set_brokers(zk_watch *w, const char *brokers);
/* Thread-safe. Asks for a read now; its message carries a "seq" of at least `seq`. */
void zk_watch_refresh(zk_watch *w, unsigned long seq);

/* Thread-safe. The broker whose ZooKeeper session is `owner` (hex, as in "owner" of "brokers") is
 * known to be dead: before its next read the thread removes the nodes that session still holds
 * (its registration, /controller), so a new broker with that id can register at once. */
void zk_watch_remove_session_nodes(zk_watch *w, const char *owner);

/* ---- the contents of the nodes read (pure functions, for the thread, the tests and the fuzzer)
 * `data` is the node's bytes, `len` of them, not necessarily NUL-terminated, never trusted. */

/* A /brokers/topics/<topic> document's partitions appended to `out` (an array) as
 * {"topic", "partition": 0..2^31-1, "replicas": [id >= 0...]} objects. Returns -1, appending
 * nothing, if the document is not one. */
int zk_watch_parse_topic(const char *topic, const char *data, size_t len, json_t *out);
/* A /brokers/ids/<id> registration as the "brokers" entry above: only the fields present with
 * their expected type (host, rack, timestamp strings; port, jmx_port, version integers; endpoints
 * the strings of its array), plus "owner" when `owner` is not 0. Never NULL. */
json_t *zk_watch_parse_broker(const char *data, size_t len, int64_t owner);
/* A /config/topics/<topic> document's min.insync.replicas as an integer 1..999, else null. */
json_t *zk_watch_parse_min_insync(const char *data, size_t len);
/* A partition's state node into `part`: "leader" (an integer or null) and "isr" (an array of
 * broker ids or null). `data` NULL: no state node yet, both null. */
void zk_watch_parse_partition_state(const char *data, size_t len, json_t *part);
/* The /controller node's "brokerid" (an integer) or null. */
json_t *zk_watch_parse_controller(const char *data, size_t len);

#endif
