/*
 * kafka_admin: the topic operations of the /v1 API (docs/api-v1.md), run with librdkafka's admin
 * API against the brokers the framework runs. Nothing shells out to Kafka's scripts.
 *
 * One call is one operation: the arguments are checked first (a bad one is a 400 naming the field,
 * and Kafka is never contacted), then it runs on the kafka_admin's one long-lived librdkafka
 * client, which every thread's calls share (its connections, threads and the brokers it knows;
 * librdkafka's handles are thread-safe). A new bootstrap list gets a new client; the old one goes
 * when its last call is done, and a client unused for KAFKA_ADMIN_IDLE_S is closed by
 * kafka_admin_close_idle. Calls that want the cluster's metadata while a request for it is on the
 * way wait for the next one, so many calls at once cost one or two requests, and no call sees
 * metadata asked for before it began (a topic just created is in it). "producer_test" opens a
 * producer of its own for the call. The call blocks: at most KAFKA_ADMIN_TIMEOUT_MS in total for
 * the admin and metadata operations (each step gets what is left of that budget), and for
 * "producer_test" as long as the messages take (each message is given up after
 * KAFKA_ADMIN_MESSAGE_TIMEOUT_MS). Run it off any thread that must stay responsive, on a bounded
 * number of threads: the client does not limit its callers.
 *
 * Ops, their arguments and their replies (`name` is the topic; an argument an op does not take is
 * refused, so a misspelt optional one cannot silently fall back to its default; JSON null reads as
 * absent):
 *   "topics" {}
 *       200 {"topics": [names, sorted, internal topics included]}
 *   "topic_create" {name, partitions?, replication?, configs? {"k": "v"}}
 *       201 {"topic", "partitions", "replication"}
 *   "topic_describe" {name}
 *       200 {"topic", "partitions": [{"partition", "leader", "replicas", "isr"}] by partition,
 *            "configs": {the configs set on the topic}}
 *   "topic_offsets" {name}
 *       200 {"topic", "partitions": [{"partition", "earliest", "latest"}]}; a partition without a
 *           leader has null offsets and "error": Kafka's error name
 *   "topic_partitions" {name, count}
 *       200 {"topic", "partitions": count}
 *   "topic_config_set" {name, key, value} and "topic_config_unset" {name, key}
 *       200 {"topic", "configs": {the configs set on the topic afterwards}}; unsetting a key that
 *           is not set is a 200 that writes nothing
 *   "topic_delete" {name}
 *       200 {"deleted": name}
 *   "producer_test" {name, messages, size?}
 *       200 {"topic", "messages", "size", "acked", "failed", "seconds", "records_per_s",
 *            "mb_per_s" (MiB/s, as kafka-producer-perf-test counts), "latency_ms": {"avg", "p50",
 *            "p95", "p99", "p999", "max"} or null when nothing was acked,
 *            "errors": {NAME: count} only when some failed}
 *   "under_replicated" {}
 *       200 {"partitions": [{"topic", "partition", "leader", "replicas", "isr"}]}: fewer in-sync
 *           replicas than replicas
 *   "unavailable" {}
 *       200 the same shape: partitions without a leader
 *   "broker_config" {id}
 *       200 {"broker", "configs": {k: v}}: the broker's configs as it runs with them, those not at
 *           Kafka's defaults (its server.properties and dynamic configs; sensitive values null)
 * Defaults: partitions 1, replication min(3, registered), size 100. Ranges: partitions and count
 * 1..10000, replication 1..32767 (whether enough brokers exist is Kafka's answer, so its own
 * message comes back), messages 1..1000000, size 1..1048576; config keys 1..255 of [A-Za-z0-9._-],
 * values strings of at most 32767 bytes without NUL.
 *
 * Config changes: librdkafka 2.0.2 has only the non-incremental AlterConfigs, which replaces the
 * topic's whole set of dynamic configs. So set/unset read that set (DescribeConfigs, source
 * DYNAMIC_TOPIC_CONFIG), change the one key and send the whole set back. Kafka validates the whole
 * set before it writes it in one piece, so a refused change (unknown key, bad value) changes
 * nothing; a concurrent change by another client between the read and the write can be lost.
 *
 * Producer test: acks=all with enable.idempotence=true, the setting of Kafka 3.x's own clients and
 * of kafka-producer-perf-test: a retried batch is never written twice, so "acked" counts records
 * written exactly once. Only 3 retries: a broker's refusal (NOT_ENOUGH_REPLICAS while the ISR is
 * below min.insync.replicas, NOT_LEADER_FOR_PARTITION during a restart) then comes back under its
 * own name in "errors" within a second, where librdkafka's default (retry until
 * message.timeout.ms) would report every record as _MSG_TIMED_OUT after 30 s. Latency is per
 * message, from produce() to its delivery report (monotonic clock), so it includes the time queued
 * in the producer, which holds at most 32 MiB (the Java producer's buffer.memory). Messages are
 * produced to existing topics only (checked first; auto-creation is off).
 *
 * Errors: {"error": "...", "kafka_error": rd_kafka_err2name()} when Kafka (or librdkafka) refused.
 * TOPIC_ALREADY_EXISTS, TOPIC_DELETION_DISABLED 409; UNKNOWN_TOPIC_OR_PART 404; INVALID_*,
 * TOPIC_EXCEPTION (Kafka's INVALID_TOPIC_EXCEPTION, e.g. "a.b" next to "a_b"), POLICY_VIOLATION
 * 400; _TRANSPORT, _ALL_BROKERS_DOWN, _RESOLVE, LEADER_NOT_AVAILABLE 503; _TIMED_OUT and Kafka's
 * REQUEST_TIMED_OUT 504 (503 instead when no broker could be reached at all); others 502.
 * Empty bootstrap or registered == 0: 503 {"error": "no Kafka broker is registered yet"}.
 * librdkafka's own log lines go to the logger (component "kafka") at info (its warnings and errors)
 * and debug (the rest).
 */
#ifndef MK_KAFKA_ADMIN_H
#define MK_KAFKA_ADMIN_H

#include <jansson.h>

#include <stdbool.h>

/* The time budget of one admin call, how long producer_test waits for each message, and how long
 * an unused shared client is kept. */
#define KAFKA_ADMIN_TIMEOUT_MS         10000
#define KAFKA_ADMIN_MESSAGE_TIMEOUT_MS 30000
#define KAFKA_ADMIN_IDLE_S             60.0

/* The shared client and what it knows. Thread-safe. */
typedef struct kafka_admin kafka_admin;

kafka_admin *kafka_admin_new(void);
/* Closes the client. No call may be running. */
void kafka_admin_free(kafka_admin *ka);

/* Runs one topic operation against the brokers at `bootstrap` ("h:p,h:p").
 * `registered` = number of brokers registered (for the default replication factor
 * min(3, registered)). `args` = JSON object of arguments (above; NULL reads as {}). Returns the
 * HTTP status (200/201/400/404/409/500/502/503/504) and sets *reply to a new JSON object, which
 * the caller owns: the reply body, or {"error": "...", "kafka_error": "NAME"}. */
int kafka_admin_run(kafka_admin *ka, const char *bootstrap, int registered, const char *op,
                    const json_t *args, json_t **reply);

/* Closes the shared client when no call has used it for `idle_s`: its connections and threads
 * are not kept for nothing, and a broker that went away is not retried forever. */
void kafka_admin_close_idle(kafka_admin *ka, double idle_s);

typedef struct {
    unsigned long clients_created; /* shared clients opened since start */
    bool client_open;
} kafka_admin_stats;
kafka_admin_stats kafka_admin_stats_get(kafka_admin *ka);

/* The cluster id the broker at `address` ("host:port", that broker only) reports in its metadata,
 * a new string, or NULL when it does not answer within `timeout_ms`. Blocks. The first metadata
 * of a client whose only bootstrap server is `address` comes from that broker, so the answer is
 * its own, even when the addresses it advertises cannot be resolved here. */
char *kafka_admin_cluster_id(const char *address, int timeout_ms);

#endif
