/*
 * kafka_admin_internal: what the kafka_admin*.c files share: the per-call client, the error
 * replies and the status each Kafka error maps to. Not for other modules.
 */
#ifndef MK_KAFKA_ADMIN_INTERNAL_H
#define MK_KAFKA_ADMIN_INTERNAL_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>

#include "kafka_admin.h"

struct ka_produce;

/* One librdkafka client, for one call. Lives on the caller's stack: librdkafka's callbacks get its
 * address as their opaque. */
typedef struct ka_client {
    rd_kafka_t *rk;
    const char *bootstrap;
    double deadline;            /* monotonic: the end of the call's time budget */
    bool all_down;              /* error_cb reported _ALL_BROKERS_DOWN */
    struct ka_produce *produce; /* producer_test's state, for its delivery reports */
} ka_client;

/* Creates the client (type RD_KAFKA_CONSUMER for admin and metadata: no group, so it never joins
 * one, and its ListOffsets reads uncommitted offsets too). `props` is NULL or key, value pairs
 * ending with NULL; `dr_msg_cb` is set when not NULL. Returns 0, or a status with *reply set. */
int ka_client_open(ka_client *c, rd_kafka_type_t type, const char *bootstrap,
                   const char *const *props,
                   void (*dr_msg_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                   json_t **reply);
void ka_client_close(ka_client *c);
/* Milliseconds left of the call's budget (at least 1). */
int ka_remaining_ms(const ka_client *c);

/* {"error": message}; returns `status`. */
int ka_error(json_t **reply, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* {"error": "<context>: <Kafka's message or err2str>", "kafka_error": NAME}; returns the status
 * `err` maps to. `kafka_msg` may be NULL or empty. */
int ka_kafka_error(json_t **reply, const ka_client *c, rd_kafka_resp_err_t err,
                   const char *kafka_msg, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int ka_status_for(rd_kafka_resp_err_t err);

/* Metadata of all topics (never auto-creates one), or NULL with a status in *status and *reply
 * set. */
const rd_kafka_metadata_t *ka_metadata(ka_client *c, int *status, json_t **reply);
/* The topic in `md`, or NULL when Kafka does not know it. */
const rd_kafka_metadata_topic_t *ka_find_topic(const rd_kafka_metadata_t *md, const char *name);

/* 404 {"error": "unknown topic ...", "kafka_error": "UNKNOWN_TOPIC_OR_PART"}. */
int ka_unknown_topic(json_t **reply, const char *name);

/* The ops of kafka_admin_topic.c (validated arguments). */
int ka_topic_create(ka_client *c, const char *name, int partitions, int replication,
                    const json_t *configs, json_t **reply);
int ka_topic_delete(ka_client *c, const char *name, json_t **reply);
int ka_topic_partitions(ka_client *c, const char *name, int count, json_t **reply);
/* The configs set on the topic (source DYNAMIC_TOPIC_CONFIG) as {k: v}; sensitive values are null.
 */
int ka_topic_configs(ka_client *c, const char *name, json_t **configs, json_t **reply);
/* `value` NULL: unset. */
int ka_topic_config_change(ka_client *c, const char *name, const char *key, const char *value,
                           json_t **reply);

/* kafka_admin_produce.c: opens its own producer client. */
int ka_producer_test(const char *bootstrap, const char *name, long messages, long size,
                     json_t **reply);

#endif
