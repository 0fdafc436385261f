/*
 * kafka_admin: argument checks, error mapping, and the ops that only read metadata (topics,
 * describe, offsets, under-replicated and unavailable partitions). The clients are in
 * kafka_admin_client.c, the admin requests in kafka_admin_topic.c, the producer test in
 * kafka_admin_produce.c.
 */
#include "kafka_admin_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define MAX_PARTITIONS  10000
#define MAX_REPLICATION 32767 /* an INT16 on the wire */
#define MAX_MESSAGES    1000000
#define MAX_SIZE        1048576
#define MAX_KEY_LEN     255
#define MAX_VALUE_LEN   32767 /* a Kafka STRING */
#define MAX_NAME_LEN    249
#define MAX_BROKER_ID   1000000

/* ---- replies and errors ---------------------------------------------------------------------- */

int ka_error(json_t **reply, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    *reply = json_pack("{s:s}", "error", msg);
    return status;
}

int ka_status_for(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
    case RD_KAFKA_RESP_ERR_TOPIC_DELETION_DISABLED: /* the brokers keep data on purpose */
        return 409;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        return 404;
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION: /* Kafka's INVALID_TOPIC_EXCEPTION: a name collision */
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
        return 400;
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
        return 503;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        return 504;
    default:
        break;
    }
    /* Kafka's INVALID_CONFIG, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REQUEST... */
    if (err > 0 && strncmp(rd_kafka_err2name(err), "INVALID_", 8) == 0)
        return 400;
    return 502;
}

int ka_kafka_error(json_t **reply, const ka_client *c, rd_kafka_resp_err_t err,
                   const char *kafka_msg, const char *fmt, ...)
{
    char context[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(context, sizeof(context), fmt, ap);
    va_end(ap);
    if (!kafka_msg || !*kafka_msg)
        kafka_msg = rd_kafka_err2str(err);
    /* A timeout while librdkafka could reach no broker at all is "no broker", not "slow broker". */
    if (c && ka_all_down(c) &&
        (err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT)) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s: no Kafka broker answered at %s within %d s", context,
                 c->bootstrap, KAFKA_ADMIN_TIMEOUT_MS / 1000);
        *reply = json_pack("{s:s, s:s}", "error", msg, "kafka_error",
                           rd_kafka_err2name(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN));
        return 503;
    }
    *reply = json_pack("{s:s++, s:s}", "error", context, ": ", kafka_msg, "kafka_error",
                       rd_kafka_err2name(err));
    return ka_status_for(err);
}

const rd_kafka_metadata_topic_t *ka_find_topic(const rd_kafka_metadata_t *md, const char *name)
{
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (strcmp(t->topic, name) == 0)
            return t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? NULL : t;
    }
    return NULL;
}

int ka_unknown_topic(json_t **reply, const char *name)
{
    *reply = json_pack("{s:s++, s:s}", "error", "unknown topic \"", name, "\"", "kafka_error",
                       rd_kafka_err2name(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
    return 404;
}

/* Sorting happens on these references: the metadata itself is librdkafka's and read-only. */
typedef struct {
    const rd_kafka_metadata_topic_t *t;
} topic_ref;
typedef struct {
    const rd_kafka_metadata_partition_t *p;
} partition_ref;

static int cmp_topic_ref(const void *a, const void *b)
{
    return strcmp(((const topic_ref *)a)->t->topic, ((const topic_ref *)b)->t->topic);
}

static int cmp_partition_ref(const void *a, const void *b)
{
    int32_t x = ((const partition_ref *)a)->p->id, y = ((const partition_ref *)b)->p->id;
    return (x > y) - (x < y);
}

/* The known topics of `md` sorted by name; *n is their count. Free the array. */
static topic_ref *sorted_topics(const rd_kafka_metadata_t *md, size_t *n)
{
    topic_ref *v = mk_xcalloc((size_t)md->topic_cnt + 1, sizeof(*v));
    *n = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (md->topics[i].err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            v[(*n)++].t = &md->topics[i];
    qsort(v, *n, sizeof(*v), cmp_topic_ref);
    return v;
}

/* The topic's partitions sorted by id (Kafka lists them in no promised order). Free the array. */
static partition_ref *sorted_partitions(const rd_kafka_metadata_topic_t *t)
{
    partition_ref *v = mk_xcalloc((size_t)t->partition_cnt + 1, sizeof(*v));
    for (int i = 0; i < t->partition_cnt; i++)
        v[i].p = &t->partitions[i];
    qsort(v, (size_t)t->partition_cnt, sizeof(*v), cmp_partition_ref);
    return v;
}

static json_t *int_array(const int32_t *ids, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

/* {"partition", "leader", "replicas", "isr"}, with "topic" first when `topic` is not NULL. */
static json_t *partition_json(const char *topic, const rd_kafka_metadata_partition_t *p)
{
    json_t *o = json_object();
    if (topic)
        json_object_set_new(o, "topic", json_string(topic));
    json_object_set_new(o, "partition", json_integer(p->id));
    json_object_set_new(o, "leader", json_integer(p->leader));
    json_object_set_new(o, "replicas", int_array(p->replicas, p->replica_cnt));
    json_object_set_new(o, "isr", int_array(p->isrs, p->isr_cnt));
    return o;
}

static int op_topics(ka_client *c, json_t **reply)
{
    int status;
    ka_md *m = ka_metadata(c, &status, reply);
    if (!m)
        return status;
    const rd_kafka_metadata_t *md = m->md;
    size_t n;
    cleanup_free topic_ref *topics = sorted_topics(md, &n);
    json_t *names = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(names, json_string(topics[i].t->topic));
    ka_md_release(m);
    *reply = json_pack("{s:o}", "topics", names);
    return 200;
}

/* The cluster's metadata and the named topic in it; NULL with *status and *reply set when it cannot
 * be read or the topic does not exist (404). */
static ka_md *metadata_with_topic(ka_client *c, const char *name,
                                  const rd_kafka_metadata_topic_t **t, int *status, json_t **reply)
{
    ka_md *m = ka_metadata(c, status, reply);
    if (!m)
        return NULL;
    *t = ka_find_topic(m->md, name);
    if (!*t) {
        ka_md_release(m);
        *status = ka_unknown_topic(reply, name);
        return NULL;
    }
    return m;
}

static int op_topic_describe(ka_client *c, const char *name, json_t **reply)
{
    int status;
    const rd_kafka_metadata_topic_t *t;
    ka_md *m = metadata_with_topic(c, name, &t, &status, reply);
    if (!m)
        return status;
    json_t *partitions = json_array();
    cleanup_free partition_ref *ps = sorted_partitions(t);
    for (int i = 0; i < t->partition_cnt; i++)
        json_array_append_new(partitions, partition_json(NULL, ps[i].p));
    ka_md_release(m);

    json_t *configs;
    status = ka_topic_configs(c, name, &configs, reply);
    if (status) {
        json_decref(partitions);
        return status;
    }
    *reply =
        json_pack("{s:s, s:o, s:o}", "topic", name, "partitions", partitions, "configs", configs);
    return 200;
}

static int op_topic_offsets(ka_client *c, const char *name, json_t **reply)
{
    int status;
    const rd_kafka_metadata_topic_t *t;
    ka_md *m = metadata_with_topic(c, name, &t, &status, reply);
    if (!m)
        return status;
    cleanup_json json_t *partitions = json_array();
    cleanup_free partition_ref *ps = sorted_partitions(t);
    for (int i = 0; i < t->partition_cnt; i++) {
        json_t *o = json_pack("{s:i}", "partition", (int)ps[i].p->id);
        json_array_append_new(partitions, o);
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
        int64_t lo = -1, hi = -1;
        /* Without a leader the query would only wait for one: report it and go on. */
        if (ps[i].p->leader >= 0)
            err = rd_kafka_query_watermark_offsets(c->rk, name, ps[i].p->id, &lo, &hi,
                                                   ka_remaining_ms(c));
        if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
            ka_md_release(m);
            rd_kafka_poll(c->rk, 0);
            return ka_kafka_error(reply, c, err, NULL, "cannot read the offsets of %s[%d]", name,
                                  ps[i].p->id);
        }
        json_object_set_new(o, "earliest", err ? json_null() : json_integer(lo));
        json_object_set_new(o, "latest", err ? json_null() : json_integer(hi));
        if (err)
            json_object_set_new(o, "error", json_string(rd_kafka_err2name(err)));
    }
    ka_md_release(m);
    *reply = json_pack("{s:s, s:O}", "topic", name, "partitions", partitions);
    return 200;
}

/* "under_replicated" (`unavailable` false) and "unavailable" (true). */
static int op_partition_health(ka_client *c, bool unavailable, json_t **reply)
{
    int status;
    ka_md *m = ka_metadata(c, &status, reply);
    if (!m)
        return status;
    const rd_kafka_metadata_t *md = m->md;
    json_t *list = json_array();
    size_t n;
    cleanup_free topic_ref *topics = sorted_topics(md, &n);
    for (size_t i = 0; i < n; i++) {
        cleanup_free partition_ref *ps = sorted_partitions(topics[i].t);
        for (int j = 0; j < topics[i].t->partition_cnt; j++) {
            const rd_kafka_metadata_partition_t *p = ps[j].p;
            /* REPLICA_NOT_AVAILABLE only says a follower is away; the partition still serves. */
            bool match = unavailable
                             ? p->leader < 0 || (p->err != RD_KAFKA_RESP_ERR_NO_ERROR &&
                                                 p->err != RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE)
                             : p->isr_cnt < p->replica_cnt;
            if (match)
                json_array_append_new(list, partition_json(topics[i].t->topic, p));
        }
    }
    ka_md_release(m);
    *reply = json_pack("{s:o}", "partitions", list);
    return 200;
}

/* ---- argument checks ------------------------------------------------------------------------- */

typedef enum {
    OP_TOPICS,
    OP_CREATE,
    OP_DESCRIBE,
    OP_OFFSETS,
    OP_PARTITIONS,
    OP_CONFIG_SET,
    OP_CONFIG_UNSET,
    OP_DELETE,
    OP_PRODUCER_TEST,
    OP_UNDER_REPLICATED,
    OP_UNAVAILABLE,
    OP_BROKER_CONFIG,
} admin_op;

static const struct {
    const char *name;
    const char *fields[5]; /* the arguments it takes */
} ops[] = {
    [OP_TOPICS] = {"topics", {NULL}},
    [OP_CREATE] = {"topic_create", {"name", "partitions", "replication", "configs", NULL}},
    [OP_DESCRIBE] = {"topic_describe", {"name", NULL}},
    [OP_OFFSETS] = {"topic_offsets", {"name", NULL}},
    [OP_PARTITIONS] = {"topic_partitions", {"name", "count", NULL}},
    [OP_CONFIG_SET] = {"topic_config_set", {"name", "key", "value", NULL}},
    [OP_CONFIG_UNSET] = {"topic_config_unset", {"name", "key", NULL}},
    [OP_DELETE] = {"topic_delete", {"name", NULL}},
    [OP_PRODUCER_TEST] = {"producer_test", {"name", "messages", "size", NULL}},
    [OP_UNDER_REPLICATED] = {"under_replicated", {NULL}},
    [OP_UNAVAILABLE] = {"unavailable", {NULL}},
    [OP_BROKER_CONFIG] = {"broker_config", {"id", NULL}},
};

/* The validated arguments of any op. */
typedef struct ka_args {
    const char *name, *key, *value;
    const json_t *configs;
    long partitions, replication, count, messages, size, id;
} ka_args;

static bool name_chars_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

/* `v` is a string of 1..max characters of [A-Za-z0-9._-] (jansson strings may hold NUL). */
static bool name_ok(const json_t *v, size_t max)
{
    if (!json_is_string(v))
        return false;
    size_t len = json_string_length(v);
    return len >= 1 && len <= max && name_chars_ok(json_string_value(v), len);
}

/* Absent and JSON null are the same. */
static const json_t *arg(const json_t *args, const char *field)
{
    const json_t *v = json_object_get(args, field);
    return json_is_null(v) ? NULL : v;
}

static int check_topic_name(const json_t *args, const char **out, json_t **reply)
{
    const json_t *v = arg(args, "name");
    if (!v)
        return ka_error(reply, 400, "name: is missing");
    if (!name_ok(v, MAX_NAME_LEN) || strcmp(json_string_value(v), ".") == 0 ||
        strcmp(json_string_value(v), "..") == 0)
        return ka_error(reply, 400,
                        "name: must be 1 to %d characters of A-Z a-z 0-9 . _ - (not \".\" or "
                        "\"..\")",
                        MAX_NAME_LEN);
    *out = json_string_value(v);
    return 0;
}

static int check_int(const json_t *args, const char *field, bool required, long lo, long hi,
                     long *out, json_t **reply)
{
    const json_t *v = arg(args, field);
    if (!v) {
        if (required)
            return ka_error(reply, 400, "%s: is missing", field);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return ka_error(reply, 400, "%s: must be an integer from %ld to %ld", field, lo, hi);
    *out = (long)json_integer_value(v);
    return 0;
}

static int check_key(const json_t *args, const char **out, json_t **reply)
{
    const json_t *v = arg(args, "key");
    if (!v)
        return ka_error(reply, 400, "key: is missing");
    if (!name_ok(v, MAX_KEY_LEN))
        return ka_error(reply, 400, "key: must be 1 to %d characters of A-Z a-z 0-9 . _ -",
                        MAX_KEY_LEN);
    *out = json_string_value(v);
    return 0;
}

static bool value_ok(const json_t *v)
{
    return json_is_string(v) && json_string_length(v) <= MAX_VALUE_LEN &&
           strlen(json_string_value(v)) == json_string_length(v);
}

static int check_configs(const json_t *args, const json_t **out, json_t **reply)
{
    const json_t *v = arg(args, "configs");
    if (!v)
        return 0;
    if (!json_is_object(v))
        return ka_error(reply, 400, "configs: must be an object of config names to strings");
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val)
    {
        json_t *key = json_string(k); /* object keys are NUL-free */
        bool ok = name_ok(key, MAX_KEY_LEN);
        json_decref(key);
        if (!ok)
            return ka_error(reply, 400,
                            "configs: \"%.64s\" is not a config name (1 to %d characters of A-Z "
                            "a-z 0-9 . _ -)",
                            k, MAX_KEY_LEN);
        if (!value_ok(val))
            return ka_error(reply, 400,
                            "configs.%s: must be a string of at most %d bytes without NUL", k,
                            MAX_VALUE_LEN);
    }
    *out = v;
    return 0;
}

/* Refuses fields the op does not take, then checks each one it does. */
static int check_args(int op, const json_t *args, int registered, ka_args *a, json_t **reply)
{
    const char *field;
    json_t *v;
    json_object_foreach((json_t *)args, field, v)
    {
        bool known = false;
        for (const char *const *f = ops[op].fields; *f && !known; f++)
            known = strcmp(*f, field) == 0;
        if (!known)
            return ka_error(reply, 400, "%.64s: unknown argument for %s", field, ops[op].name);
    }
    *a = (ka_args){.partitions = 1, .replication = registered < 3 ? registered : 3, .size = 100};
    if (a->replication < 1)
        a->replication = 1;
    int status = 0;
    if (ops[op].fields[0] && strcmp(ops[op].fields[0], "name") == 0)
        status = check_topic_name(args, &a->name, reply);
    if (status)
        return status;
    switch (op) {
    case OP_CREATE:
        if ((status =
                 check_int(args, "partitions", false, 1, MAX_PARTITIONS, &a->partitions, reply)) ||
            (status =
                 check_int(args, "replication", false, 1, MAX_REPLICATION, &a->replication, reply)))
            return status;
        return check_configs(args, &a->configs, reply);
    case OP_PARTITIONS:
        return check_int(args, "count", true, 1, MAX_PARTITIONS, &a->count, reply);
    case OP_CONFIG_SET:
        if ((status = check_key(args, &a->key, reply)))
            return status;
        if (!arg(args, "value"))
            return ka_error(reply, 400, "value: is missing");
        if (!value_ok(arg(args, "value")))
            return ka_error(reply, 400, "value: must be a string of at most %d bytes without NUL",
                            MAX_VALUE_LEN);
        a->value = json_string_value(arg(args, "value"));
        return 0;
    case OP_CONFIG_UNSET:
        return check_key(args, &a->key, reply);
    case OP_PRODUCER_TEST:
        if ((status = check_int(args, "messages", true, 1, MAX_MESSAGES, &a->messages, reply)))
            return status;
        return check_int(args, "size", false, 1, MAX_SIZE, &a->size, reply);
    case OP_BROKER_CONFIG:
        return check_int(args, "id", true, 0, MAX_BROKER_ID, &a->id, reply);
    default:
        return 0;
    }
}

/* ---- entry point ----------------------------------------------------------------------------- */

int kafka_admin_run(kafka_admin *ka, const char *bootstrap, int registered, const char *op_name,
                    const json_t *args, json_t **reply)
{
    *reply = NULL;
    int op = -1;
    for (size_t i = 0; op_name && i < MK_ARRAY_LEN(ops); i++)
        if (strcmp(ops[i].name, op_name) == 0)
            op = (int)i;
    if (op < 0)
        return ka_error(reply, 400, "unknown topic operation \"%.64s\"", op_name ? op_name : "");
    cleanup_json json_t *empty = json_object();
    if (!args)
        args = empty;
    if (!json_is_object(args))
        return ka_error(reply, 400, "arguments: must be a JSON object");
    ka_args a;
    int status = check_args(op, args, registered, &a, reply);
    if (status)
        return status;
    if (!bootstrap || !*bootstrap || registered <= 0)
        return ka_error(reply, 503, "no Kafka broker is registered yet");

    log_debug("kafka", "%s%s%s", ops[op].name, a.name ? " " : "", a.name ? a.name : "");
    if (op == OP_PRODUCER_TEST)
        return ka_producer_test(bootstrap, a.name, a.messages, a.size, reply);

    ka_client c;
    status = ka_client_acquire(ka, &c, bootstrap, reply);
    if (status)
        return status;
    switch ((admin_op)op) {
    case OP_TOPICS:
        status = op_topics(&c, reply);
        break;
    case OP_CREATE:
        status =
            ka_topic_create(&c, a.name, (int)a.partitions, (int)a.replication, a.configs, reply);
        break;
    case OP_DESCRIBE:
        status = op_topic_describe(&c, a.name, reply);
        break;
    case OP_OFFSETS:
        status = op_topic_offsets(&c, a.name, reply);
        break;
    case OP_PARTITIONS:
        status = ka_topic_partitions(&c, a.name, (int)a.count, reply);
        break;
    case OP_CONFIG_SET:
        status = ka_topic_config_change(&c, a.name, a.key, a.value, reply);
        break;
    case OP_CONFIG_UNSET:
        status = ka_topic_config_change(&c, a.name, a.key, NULL, reply);
        break;
    case OP_DELETE:
        status = ka_topic_delete(&c, a.name, reply);
        break;
    case OP_UNDER_REPLICATED:
        status = op_partition_health(&c, false, reply);
        break;
    case OP_UNAVAILABLE:
        status = op_partition_health(&c, true, reply);
        break;
    case OP_BROKER_CONFIG:
        status = ka_broker_configs(&c, (int)a.id, reply);
        break;
    case OP_PRODUCER_TEST: /* answered above: it needs a producer, not an admin client */
        break;
    }
    ka_client_release(&c);
    return status;
}
