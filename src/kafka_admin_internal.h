/*
 * kafka_admin_internal: what the kafka_admin*.c files share: the clients (kafka_admin_client.c),
 * the error replies and the status each Kafka error maps to. Not for other modules.
 */
#ifndef MK_KAFKA_ADMIN_INTERNAL_H
#define MK_KAFKA_ADMIN_INTERNAL_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "kafka_admin.h"

struct ka_produce;
typedef struct ka_handle ka_handle;

/* What one call uses of a librdkafka client: the shared one (`handle` set) or one of its own.
 * Lives on the caller's stack: librdkafka's callbacks get the address of a client of its own as
 * their opaque. */
typedef struct ka_client {
    rd_kafka_t *rk;
    ka_handle *handle; /* the shared client, or NULL */
    const char *bootstrap;
    double deadline;            /* monotonic: the end of the call's time budget */
    bool all_down;              /* a client of its own: _ALL_BROKERS_DOWN was reported */
    struct ka_produce *produce; /* producer_test's state, for its delivery reports */
} ka_client;

/* The shared client for `bootstrap` (type RD_KAFKA_CONSUMER: no group, so it never joins one, and
 * its ListOffsets reads uncommitted offsets too), opened when there is none for that list, and a
 * new time budget. Returns 0, or a status with *reply set. Give it back with ka_client_release. */
int ka_client_acquire(kafka_admin *ka, ka_client *c, const char *bootstrap, json_t **reply);
void ka_client_release(ka_client *c);
/* A client of the call's own. `props` is NULL or key, value pairs ending with NULL; `dr_msg_cb` is
 * set when not NULL. Returns 0, or a status with *reply set. Close it with ka_client_close. */
int ka_client_open(ka_client *c, rd_kafka_type_t type, const char *bootstrap,
                   const char *const *props,
                   void (*dr_msg_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                   json_t **reply);
void ka_client_close(ka_client *c);
/* Milliseconds left of the call's budget (at least 1). */
int ka_remaining_ms(const ka_client *c);
/* Whether librdkafka has said that no broker can be reached (and no answer has come since). */
bool ka_all_down(const ka_client *c);
/* An answer came from Kafka: a later timeout means a slow broker, not an absent one. */
void ka_reachable(ka_client *c);

/* {"error": message}; returns `status`. */
int ka_error(json_t **reply, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* {"error": "<context>: <Kafka's message or err2str>", "kafka_error": NAME}; returns the status
 * `err` maps to. `kafka_msg` may be NULL or empty. */
int ka_kafka_error(json_t **reply, const ka_client *c, rd_kafka_resp_err_t err,
                   const char *kafka_msg, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int ka_status_for(rd_kafka_resp_err_t err);

/* A metadata answer, shared by the calls that waited for the same request. Read-only. */
typedef struct ka_md {
    const rd_kafka_metadata_t *md;
    rd_kafka_resp_err_t err;
    atomic_int refs;
} ka_md;

/* Metadata of all topics (never auto-creates one) from a request sent after this call began, or
 * NULL with a status in *status and *reply set. Give it back with ka_md_release. */
ka_md *ka_metadata(ka_client *c, int *status, json_t **reply);
void ka_md_release(ka_md *m);
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
/* 200 {"broker", "configs": {the broker's configs that are not Kafka's defaults}}. */
int ka_broker_configs(ka_client *c, int id, json_t **reply);
/* `value` NULL: unset. */
int ka_topic_config_change(ka_client *c, const char *name, const char *key, const char *value,
                           json_t **reply);

/* kafka_admin_produce.c: opens its own producer client. */
int ka_producer_test(const char *bootstrap, const char *name, long messages, long size,
                     json_t **reply);

#endif
