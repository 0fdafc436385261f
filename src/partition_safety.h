/*
 * partition_safety: the data-safety rule of the framework, decided from the partition states the
 * scheduler read from ZooKeeper (zk_watch's "partitions": topic, partition, replicas, leader, isr,
 * min_insync).
 *
 * A broker may be taken down (restarted) only if every partition it holds keeps, without it, at
 * least its min.insync.replicas in sync and at least one in-sync replica to lead. A partition
 * whose state is not known (no state node yet) counts as at risk: not knowing is not safe.
 *
 * Pure functions, no I/O: the rule is unit-tested on its own.
 */
#ifndef MK_PARTITION_SAFETY_H
#define MK_PARTITION_SAFETY_H

#include <jansson.h>

/* The cluster-wide min.insync.replicas that applies where a topic sets none: the value in
 * KAFKA_OPTIONS ("k=v,k=v"), else Kafka's default of 1. */
int safety_default_min_insync(const char *kafka_options);

/* Partitions that taking `broker` down would leave below min.insync.replicas or without an in-sync
 * replica: a new array of {"topic", "partition", "replicas", "isr", "min_insync", "reason"}. */
json_t *safety_restart_risks(const json_t *partitions, int broker, int default_min_insync);

/* Partitions with fewer in-sync replicas than replicas (or no known ISR): a new array of
 * {"topic", "partition", "leader", "replicas", "isr"}. */
json_t *safety_under_replicated(const json_t *partitions);

/* One line naming up to `max` partitions of a risks or under-replicated array ("t-0, t-1 and 3
 * more"); caller frees. */
char *safety_describe(const json_t *partitions, size_t max);

#endif
