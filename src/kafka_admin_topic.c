/*
 * kafka_admin_topic: the ops that are admin requests (CreateTopics, CreatePartitions, DeleteTopics,
 * DescribeConfigs of a topic or a broker, AlterConfigs). Each one sends its request on a queue of
 * its own and waits for the result there, within what is left of the call's time budget.
 */
#include "kafka_admin_internal.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* The broker's own wait (for a topic to be created or deleted everywhere) ends this much before the
 * client's, so its REQUEST_TIMED_OUT answer arrives instead of a local timeout without one. */
#define BROKER_MARGIN_MS 2000

static rd_kafka_AdminOptions_t *admin_options(ka_client *c, rd_kafka_admin_op_t op)
{
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(c->rk, op);
    char errstr[256];
    int ms = ka_remaining_ms(c);
    /* Cannot fail: the values are in range and the options belong to the op. */
    rd_kafka_AdminOptions_set_request_timeout(o, ms, errstr, sizeof(errstr));
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
        op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS)
        rd_kafka_AdminOptions_set_operation_timeout(
            o, ms > 2 * BROKER_MARGIN_MS ? ms - BROKER_MARGIN_MS : ms / 2, errstr, sizeof(errstr));
    return o;
}

/* Waits for the result of the request sent on `q`. Returns the event (destroy it), or NULL with a
 * status in *status and *reply set (the request as a whole failed or nothing came in time). */
static rd_kafka_event_t *admin_wait(ka_client *c, rd_kafka_queue_t *q, const char *what,
                                    const char *name, int *status, json_t **reply)
{
    /* The request times out by itself at the deadline; the extra second only guards against a
     * result that never comes. */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ka_remaining_ms(c) + 1000);
    rd_kafka_poll(c->rk, 0); /* serve error callbacks: was any broker reachable? */
    if (!ev) {
        *status = ka_kafka_error(reply, c, RD_KAFKA_RESP_ERR__TIMED_OUT, NULL, "cannot %s \"%s\"",
                                 what, name);
        return NULL;
    }
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    if (err) {
        *status = ka_kafka_error(reply, c, err, rd_kafka_event_error_string(ev), "cannot %s \"%s\"",
                                 what, name);
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    ka_reachable(c);
    return ev;
}

/* The one topic result of CreateTopics, CreatePartitions or DeleteTopics: 0, or a status. */
static int topic_result(ka_client *c, const rd_kafka_topic_result_t **res, size_t n,
                        const char *what, const char *name, json_t **reply)
{
    if (n != 1)
        return ka_error(reply, 502, "cannot %s \"%s\": Kafka answered for %zu topics", what, name,
                        n);
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(res[0]);
    if (err)
        return ka_kafka_error(reply, c, err, rd_kafka_topic_result_error_string(res[0]),
                              "cannot %s \"%s\"", what, name);
    return 0;
}

typedef enum { RESULT_CREATE, RESULT_DELETE, RESULT_PARTITIONS } topic_call;

/* Waits for the one topic's result of a CreateTopics, DeleteTopics or CreatePartitions call on
 * `q` (destroyed here): 0, or a status with *reply set. */
static int await_topic_result(ka_client *c, rd_kafka_queue_t *q, topic_call call, const char *what,
                              const char *name, json_t **reply)
{
    int status = 0;
    rd_kafka_event_t *ev = admin_wait(c, q, what, name, &status, reply);
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **res =
            call == RESULT_CREATE
                ? rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n)
            : call == RESULT_DELETE
                ? rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n)
                : rd_kafka_CreatePartitions_result_topics(
                      rd_kafka_event_CreatePartitions_result(ev), &n);
        status = topic_result(c, res, n, what, name, reply);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    return status;
}

int ka_topic_create(ka_client *c, const char *name, int partitions, int replication,
                    const json_t *configs, json_t **reply)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(name, partitions, replication, errstr, sizeof(errstr));
    if (!nt)
        return ka_error(reply, 400, "cannot create topic \"%s\": %s", name, errstr);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)configs, k, v)
    {
        rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(nt, k, json_string_value(v));
        if (err) {
            rd_kafka_NewTopic_destroy(nt);
            return ka_kafka_error(reply, c, err, NULL, "configs.%s", k);
        }
    }
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_CreateTopics(c->rk, &nt, 1, o, q);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_AdminOptions_destroy(o);

    int status = await_topic_result(c, q, RESULT_CREATE, "create topic", name, reply);
    if (status)
        return status;
    *reply = json_pack("{s:s, s:i, s:i}", "topic", name, "partitions", partitions, "replication",
                       replication);
    return 201;
}

int ka_topic_delete(ka_client *c, const char *name, json_t **reply)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(name);
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_DeleteTopics(c->rk, &dt, 1, o, q);
    rd_kafka_DeleteTopic_destroy(dt);
    rd_kafka_AdminOptions_destroy(o);

    int status = await_topic_result(c, q, RESULT_DELETE, "delete topic", name, reply);
    if (status)
        return status;
    *reply = json_pack("{s:s}", "deleted", name);
    return 200;
}

int ka_topic_partitions(ka_client *c, const char *name, int count, json_t **reply)
{
    char errstr[512];
    rd_kafka_NewPartitions_t *np =
        rd_kafka_NewPartitions_new(name, (size_t)count, errstr, sizeof(errstr));
    if (!np)
        return ka_error(reply, 400, "count: %s", errstr);
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_CreatePartitions(c->rk, &np, 1, o, q);
    rd_kafka_NewPartitions_destroy(np);
    rd_kafka_AdminOptions_destroy(o);

    int status =
        await_topic_result(c, q, RESULT_PARTITIONS, "add partitions to topic", name, reply);
    if (status)
        return status;
    *reply = json_pack("{s:s, s:i}", "topic", name, "partitions", count);
    return 200;
}

/* The one resource of a DescribeConfigs or AlterConfigs result: 0, or a status. */
static int resource_result(ka_client *c, const rd_kafka_ConfigResource_t **res, size_t n,
                           const char *what, const char *name, json_t **reply)
{
    if (n != 1)
        return ka_error(reply, 502, "cannot %s \"%s\": Kafka answered for %zu resources", what,
                        name, n);
    rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(res[0]);
    if (err)
        return ka_kafka_error(reply, c, err, rd_kafka_ConfigResource_error_string(res[0]),
                              "cannot %s \"%s\"", what, name);
    return 0;
}

/* The configs of one resource as {k: v} (sensitive values null): a topic's own (source
 * DYNAMIC_TOPIC_CONFIG), or a broker's that differ from Kafka's defaults. */
static int describe_configs(ka_client *c, rd_kafka_ResourceType_t type, const char *name,
                            const char *what, json_t **configs, json_t **reply)
{
    *configs = NULL;
    rd_kafka_ConfigResource_t *r = rd_kafka_ConfigResource_new(type, name);
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_DescribeConfigs(c->rk, &r, 1, o, q);
    rd_kafka_ConfigResource_destroy(r);
    rd_kafka_AdminOptions_destroy(o);

    int status = 0;
    rd_kafka_event_t *ev = admin_wait(c, q, what, name, &status, reply);
    if (ev) {
        size_t n;
        const rd_kafka_ConfigResource_t **res = rd_kafka_DescribeConfigs_result_resources(
            rd_kafka_event_DescribeConfigs_result(ev), &n);
        status = resource_result(c, res, n, what, name, reply);
        if (!status) {
            *configs = json_object();
            size_t cnt;
            const rd_kafka_ConfigEntry_t **e = rd_kafka_ConfigResource_configs(res[0], &cnt);
            for (size_t i = 0; i < cnt; i++) {
                rd_kafka_ConfigSource_t source = rd_kafka_ConfigEntry_source(e[i]);
                if (type == RD_KAFKA_RESOURCE_TOPIC
                        ? source != RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG
                        : source == RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG)
                    continue;
                const char *value = rd_kafka_ConfigEntry_value(e[i]); /* NULL if sensitive */
                json_object_set_new(*configs, rd_kafka_ConfigEntry_name(e[i]),
                                    value ? json_string(value) : json_null());
            }
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    return status;
}

int ka_topic_configs(ka_client *c, const char *name, json_t **configs, json_t **reply)
{
    return describe_configs(c, RD_KAFKA_RESOURCE_TOPIC, name, "read the configs of topic", configs,
                            reply);
}

int ka_broker_configs(ka_client *c, int id, json_t **reply)
{
    char name[16];
    snprintf(name, sizeof(name), "%d", id);
    json_t *configs;
    int status = describe_configs(c, RD_KAFKA_RESOURCE_BROKER, name, "read the configs of broker",
                                  &configs, reply);
    if (status)
        return status;
    *reply = json_pack("{s:i, s:o}", "broker", id, "configs", configs);
    return 200;
}

int ka_topic_config_change(ka_client *c, const char *name, const char *key, const char *value,
                           json_t **reply)
{
    cleanup_json json_t *configs = NULL;
    int status = ka_topic_configs(c, name, &configs, reply);
    if (status)
        return status;
    if (!value && !json_object_get(configs, key)) {
        /* Not set: nothing to write, and writing would only race with other writers. */
        *reply = json_pack("{s:s, s:O}", "topic", name, "configs", configs);
        return 200;
    }
    if (value)
        json_object_set_new(configs, key, json_string(value));
    else
        json_object_del(configs, key);

    /* AlterConfigs replaces the whole set: every config set on the topic goes back with it. */
    rd_kafka_ConfigResource_t *r = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name);
    const char *k;
    json_t *v;
    json_object_foreach(configs, k, v)
    {
        if (!json_is_string(v)) {
            rd_kafka_ConfigResource_destroy(r);
            return ka_error(reply, 409,
                            "cannot change the configs of topic \"%s\": the value of %s is "
                            "sensitive and Kafka does not show it, so it cannot be kept",
                            name, k);
        }
        rd_kafka_ConfigResource_set_config(r, k, json_string_value(v));
    }
    rd_kafka_AdminOptions_t *o = admin_options(c, RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
    rd_kafka_queue_t *q = rd_kafka_queue_new(c->rk);
    rd_kafka_AlterConfigs(c->rk, &r, 1, o, q);
    rd_kafka_ConfigResource_destroy(r);
    rd_kafka_AdminOptions_destroy(o);

    rd_kafka_event_t *ev = admin_wait(c, q, "change the configs of topic", name, &status, reply);
    if (ev) {
        size_t n;
        const rd_kafka_ConfigResource_t **res =
            rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
        status = resource_result(c, res, n, "change the configs of topic", name, reply);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (status)
        return status;
    /* What Kafka now holds: AlterConfigs stored exactly this set, in one write. */
    *reply = json_pack("{s:s, s:O}", "topic", name, "configs", configs);
    return 200;
}
