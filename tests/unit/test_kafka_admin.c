/*
 * kafka_admin: every bad argument is a 400 that names its field, found before Kafka is contacted
 * (the bootstrap is 127.0.0.1:1, where nothing listens: a call that tried would take the whole
 * 10 s budget, so each bad call must come back at once and without a kafka_error); unknown ops;
 * 503 while no broker is registered (which also shows that the boundary values pass the checks);
 * and the status each Kafka error maps to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_admin.h"
#include "kafka_admin_internal.h"
#include "log.h"
#include "util.h"

#define NOWHERE "127.0.0.1:1"

/* Runs `op` with `args` (JSON text, NULL for none); checks the status, that the error names
 * `needle`, and that it came back without trying Kafka. */
static void expect(const char *bootstrap, int registered, const char *op, const char *args,
                   int status, const char *needle)
{
    json_error_t jerr;
    json_t *a = args ? json_loads(args, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr) : NULL;
    if (args && !a)
        fail_msg("bad test JSON %s: %s", args, jerr.text);
    json_t *reply = NULL;
    double t0 = mk_now_monotonic();
    kafka_admin *ka = kafka_admin_new();
    int got = kafka_admin_run(ka, bootstrap, registered, op, a, &reply);
    kafka_admin_free(ka);
    double took = mk_now_monotonic() - t0;
    char *text = json_dumps(reply, JSON_COMPACT);
    if (got != status || !json_is_object(reply))
        fail_msg("%s %s: status %d, want %d: %s", op ? op : "(null)", args ? args : "(none)", got,
                 status, text ? text : "(no reply)");
    const char *error = json_string_value(json_object_get(reply, "error"));
    if (!error || !strstr(error, needle))
        fail_msg("%s %s: error does not name \"%s\": %s", op ? op : "(null)",
                 args ? args : "(none)", needle, text);
    if (json_object_get(reply, "kafka_error"))
        fail_msg("%s %s: refused by us, not by Kafka: %s", op, args, text);
    if (took > 1.0)
        fail_msg("%s %s: took %.1f s, so it tried to reach Kafka", op, args, took);
    free(text);
    json_decref(reply);
    json_decref(a);
}

static const struct {
    const char *op;
    const char *args;
    const char *needle; /* the field the error must name */
} bad[] = {
    /* names */
    {"topic_create", "{}", "name: is missing"},
    {"topic_create", "{\"name\": null}", "name: is missing"},
    {"topic_create", "{\"name\": \"\"}", "name: must be 1 to 249 characters"},
    {"topic_create", "{\"name\": \".\"}", "name: must be"},
    {"topic_create", "{\"name\": \"..\"}", "name: must be"},
    {"topic_create", "{\"name\": \"a b\"}", "name: must be"},
    {"topic_create", "{\"name\": \"a/b\"}", "name: must be"},
    {"topic_create", "{\"name\": \"t\\u00e9\"}", "name: must be"},
    {"topic_create", "{\"name\": \"a\\u0000b\"}", "name: must be"},
    {"topic_create", "{\"name\": 5}", "name: must be"},
    {"topic_describe", "{\"name\": [\"t\"]}", "name: must be"},
    {"topic_delete", "{}", "name: is missing"},
    {"topic_offsets", "{\"name\": \"x%2F\"}", "name: must be"},
    {"producer_test", "{\"name\": \"a:b\", \"messages\": 1}", "name: must be"},
    /* counts */
    {"topic_create", "{\"name\": \"t\", \"partitions\": 0}",
     "partitions: must be an integer from 1 to 10000"},
    {"topic_create", "{\"name\": \"t\", \"partitions\": 10001}", "partitions: must be"},
    {"topic_create", "{\"name\": \"t\", \"partitions\": -1}", "partitions: must be"},
    {"topic_create", "{\"name\": \"t\", \"partitions\": \"3\"}", "partitions: must be"},
    {"topic_create", "{\"name\": \"t\", \"partitions\": 3.0}", "partitions: must be"},
    {"topic_create", "{\"name\": \"t\", \"partitions\": true}", "partitions: must be"},
    {"topic_create", "{\"name\": \"t\", \"replication\": 0}",
     "replication: must be an integer from 1 to 32767"},
    {"topic_create", "{\"name\": \"t\", \"replication\": 32768}", "replication: must be"},
    {"topic_create", "{\"name\": \"t\", \"replication\": 9223372036854775807}",
     "replication: must be"},
    {"topic_partitions", "{\"name\": \"t\"}", "count: is missing"},
    {"topic_partitions", "{\"name\": \"t\", \"count\": 0}",
     "count: must be an integer from 1 to 10000"},
    {"topic_partitions", "{\"name\": \"t\", \"count\": \"5\"}", "count: must be"},
    {"producer_test", "{\"name\": \"t\"}", "messages: is missing"},
    {"producer_test", "{\"name\": \"t\", \"messages\": 0}",
     "messages: must be an integer from 1 to 1000000"},
    {"producer_test", "{\"name\": \"t\", \"messages\": 1000001}", "messages: must be"},
    {"producer_test", "{\"name\": \"t\", \"messages\": 1, \"size\": 0}",
     "size: must be an integer from 1 to 1048576"},
    {"producer_test", "{\"name\": \"t\", \"messages\": 1, \"size\": 1048577}", "size: must be"},
    /* configs */
    {"topic_create", "{\"name\": \"t\", \"configs\": []}", "configs: must be an object"},
    {"topic_create", "{\"name\": \"t\", \"configs\": \"retention.ms=1\"}", "configs: must be"},
    {"topic_create", "{\"name\": \"t\", \"configs\": {\"retention.ms\": 5}}",
     "configs.retention.ms: must be a string"},
    {"topic_create", "{\"name\": \"t\", \"configs\": {\"retention.ms\": null}}",
     "configs.retention.ms: must be a string"},
    {"topic_create", "{\"name\": \"t\", \"configs\": {\"a\": \"x\\u0000y\"}}",
     "configs.a: must be a string"},
    {"topic_create", "{\"name\": \"t\", \"configs\": {\"bad key\": \"1\"}}",
     "configs: \"bad key\" is not a config name"},
    {"topic_create", "{\"name\": \"t\", \"configs\": {\"\": \"1\"}}", "is not a config name"},
    {"topic_config_set", "{\"name\": \"t\", \"value\": \"1\"}", "key: is missing"},
    {"topic_config_set", "{\"name\": \"t\", \"key\": \"\", \"value\": \"1\"}", "key: must be"},
    {"topic_config_set", "{\"name\": \"t\", \"key\": \"a=b\", \"value\": \"1\"}", "key: must be"},
    {"topic_config_set", "{\"name\": \"t\", \"key\": 7, \"value\": \"1\"}", "key: must be"},
    {"topic_config_set", "{\"name\": \"t\", \"key\": \"retention.ms\"}", "value: is missing"},
    {"topic_config_set", "{\"name\": \"t\", \"key\": \"retention.ms\", \"value\": 1}",
     "value: must be a string"},
    {"topic_config_unset", "{\"name\": \"t\"}", "key: is missing"},
    {"topic_config_unset", "{\"name\": \"t\", \"key\": \"a b\"}", "key: must be"},
    /* fields an op does not take: a misspelt optional field must not fall back to its default */
    {"topic_create", "{\"name\": \"t\", \"replicaton\": 3}", "replicaton: unknown argument"},
    {"topic_config_unset", "{\"name\": \"t\", \"key\": \"k\", \"value\": \"v\"}",
     "value: unknown argument"},
    {"topics", "{\"name\": \"t\"}", "name: unknown argument"},
    {"under_replicated", "{\"all\": true}", "all: unknown argument"},
    {"topic_describe", "{\"name\": \"t\", \"partitions\": 1}", "partitions: unknown argument"},
    /* the arguments themselves */
    {"topics", "[]", "arguments: must be a JSON object"},
    {"topic_describe", "\"t\"", "arguments: must be a JSON object"},
    /* ops */
    {"nope", "{}", "unknown topic operation \"nope\""},
    {"", "{}", "unknown topic operation"},
    {"TOPICS", "{}", "unknown topic operation"},
};

static void test_bad_arguments_are_400_naming_the_field(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++)
        expect(NOWHERE, 3, bad[i].op, bad[i].args, 400, bad[i].needle);
}

static void test_null_op_is_400(void **state)
{
    expect(NOWHERE, 3, NULL, "{}", 400, "unknown topic operation");
}

/* Checked before the registration: bad input stays bad while no broker is there. */
static void test_bad_arguments_win_over_503(void **state)
{
    expect(NULL, 0, "topic_create", "{\"name\": \"..\"}", 400, "name:");
    expect(NULL, 0, "nope", NULL, 400, "unknown topic operation");
}

/* Valid arguments, boundary values included, get as far as the registration check. */
static const struct {
    const char *op;
    const char *args;
} good[] = {
    {"topics", NULL},
    {"topics", "{}"},
    {"under_replicated", "{}"},
    {"unavailable", "{}"},
    {"topic_create", "{\"name\": \"t\"}"},
    {"topic_create", "{\"name\": \"a.B_c-9\", \"partitions\": 10000, \"replication\": 32767, "
                     "\"configs\": {\"retention.ms\": \"1\", \"cleanup.policy\": \"\"}}"},
    {"topic_create", "{\"name\": \"t\", \"partitions\": null, \"replication\": null, "
                     "\"configs\": null}"},
    {"topic_create", "{\"name\": \"...\"}"},
    {"topic_create", "{\"name\": \".hidden\"}"},
    {"topic_describe", "{\"name\": \"__consumer_offsets\"}"},
    {"topic_offsets", "{\"name\": \"t\"}"},
    {"topic_partitions", "{\"name\": \"t\", \"count\": 1}"},
    {"topic_config_set", "{\"name\": \"t\", \"key\": \"retention.ms\", \"value\": \"\"}"},
    {"topic_config_unset", "{\"name\": \"t\", \"key\": \"no.such.key\"}"},
    {"topic_delete", "{\"name\": \"t\"}"},
    {"producer_test", "{\"name\": \"t\", \"messages\": 1}"},
    {"producer_test", "{\"name\": \"t\", \"messages\": 1000000, \"size\": 1048576}"},
};

static void test_no_registered_broker_is_503(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(good); i++) {
        expect(NOWHERE, 0, good[i].op, good[i].args, 503, "no Kafka broker is registered yet");
        expect(NULL, 3, good[i].op, good[i].args, 503, "no Kafka broker is registered yet");
        expect("", 3, good[i].op, good[i].args, 503, "no Kafka broker is registered yet");
    }
}

static void test_name_length_limit(void **state)
{
    char name[251];
    memset(name, 'n', 250);
    name[250] = '\0';
    char *args = mk_xasprintf("{\"name\": \"%s\"}", name);
    expect(NOWHERE, 3, "topic_describe", args, 400, "name: must be 1 to 249 characters");
    free(args);
    name[249] = '\0';
    args = mk_xasprintf("{\"name\": \"%s\"}", name);
    expect(NOWHERE, 0, "topic_describe", args, 503, "no Kafka broker");
    free(args);

    char key[257];
    memset(key, 'k', 256);
    key[256] = '\0';
    args = mk_xasprintf("{\"name\": \"t\", \"key\": \"%s\"}", key);
    expect(NOWHERE, 3, "topic_config_unset", args, 400, "key: must be 1 to 255 characters");
    free(args);

    /* A value is a Kafka STRING: at most 32767 bytes. */
    char *value = mk_xmalloc(32769);
    memset(value, 'v', 32768);
    value[32768] = '\0';
    args = mk_xasprintf("{\"name\": \"t\", \"key\": \"k\", \"value\": \"%s\"}", value);
    expect(NOWHERE, 3, "topic_config_set", args, 400, "value: must be a string of at most 32767");
    free(args);
    value[32767] = '\0';
    args = mk_xasprintf("{\"name\": \"t\", \"key\": \"k\", \"value\": \"%s\"}", value);
    expect(NOWHERE, 0, "topic_config_set", args, 503, "no Kafka broker");
    free(args);
    free(value);
}

static void test_kafka_errors_map_to_statuses(void **state)
{
    static const struct {
        rd_kafka_resp_err_t err;
        int status;
    } map[] = {
        {RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, 409},
        {RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, 404},
        {RD_KAFKA_RESP_ERR_INVALID_PARTITIONS, 400},
        {RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, 400},
        {RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT, 400},
        {RD_KAFKA_RESP_ERR_INVALID_CONFIG, 400},
        {RD_KAFKA_RESP_ERR_INVALID_REQUEST, 400},
        {RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, 400}, /* Kafka's INVALID_TOPIC_EXCEPTION */
        {RD_KAFKA_RESP_ERR_TOPIC_DELETION_DISABLED, 409},
        {RD_KAFKA_RESP_ERR_POLICY_VIOLATION, 400},
        {RD_KAFKA_RESP_ERR__TRANSPORT, 503},
        {RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, 503},
        {RD_KAFKA_RESP_ERR__TIMED_OUT, 504},
        {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 504},
        {RD_KAFKA_RESP_ERR_NOT_CONTROLLER, 502},
        {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 502},
        {RD_KAFKA_RESP_ERR__INVALID_TYPE, 502}, /* local errors are not Kafka's INVALID_* */
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(map); i++) {
        if (ka_status_for(map[i].err) != map[i].status)
            fail_msg("%s: %d, want %d", rd_kafka_err2name(map[i].err), ka_status_for(map[i].err),
                     map[i].status);
    }
}

static void test_kafka_error_reply(void **state)
{
    json_t *reply = NULL;
    int status = ka_kafka_error(&reply, NULL, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS,
                                "Topic 't' already exists.", "cannot create topic \"%s\"", "t");
    assert_int_equal(status, 409);
    assert_string_equal(json_string_value(json_object_get(reply, "error")),
                        "cannot create topic \"t\": Topic 't' already exists.");
    assert_string_equal(json_string_value(json_object_get(reply, "kafka_error")),
                        "TOPIC_ALREADY_EXISTS");
    json_decref(reply);

    /* Without Kafka's own message, librdkafka's text for the code. */
    status = ka_kafka_error(&reply, NULL, RD_KAFKA_RESP_ERR__TIMED_OUT, NULL, "x");
    assert_int_equal(status, 504);
    assert_string_equal(json_string_value(json_object_get(reply, "error")), "x: Local: Timed out");
    json_decref(reply);

    /* A timeout while no broker could be reached at all is 503. */
    ka_client c = {.bootstrap = "h:1", .all_down = true};
    status = ka_kafka_error(&reply, &c, RD_KAFKA_RESP_ERR__TIMED_OUT, NULL, "x");
    assert_int_equal(status, 503);
    assert_non_null(strstr(json_string_value(json_object_get(reply, "error")),
                           "no Kafka broker answered at h:1"));
    assert_string_equal(json_string_value(json_object_get(reply, "kafka_error")),
                        "_ALL_BROKERS_DOWN");
    json_decref(reply);
}

int main(void)
{
    log_set_level(LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments_are_400_naming_the_field),
        cmocka_unit_test(test_null_op_is_400),
        cmocka_unit_test(test_bad_arguments_win_over_503),
        cmocka_unit_test(test_no_registered_broker_is_503),
        cmocka_unit_test(test_name_length_limit),
        cmocka_unit_test(test_kafka_errors_map_to_statuses),
        cmocka_unit_test(test_kafka_error_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
