/*
 * Unit tests for src/broker_settings.c, src/broker_settings_json.c and src/kafka_props.c: every
 * setting accepted and refused (the message names the setting and the reason), "" unsets, seed
 * 000's camelCase names, the combination with the environment's defaults (heap below mem, own or
 * default), batches all or nothing, the persisted form round trip and its refusals, the Kafka
 * options merge with "$id", describe, and what changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_settings.h"
#include "kafka_props.h"
#include "util.h"

static char kafka_options[] = "num.partitions=3,log.retention.hours=24";
static char image[] = "mesos-kafka-kafka:3.9.2";

/* The environment's defaults, as config_load would give them. */
static config test_cfg(void)
{
    config c = {0};
    c.kafka_res = (config_resources){.cpus = 1, .mem_mb = 2048, .disk_mb = 10240, .heap_mb = 1024};
    c.image_kafka = image;
    c.failover_delay_s = 10;
    c.failover_max_delay_s = 60;
    c.failover_max_tries = 0;
    c.kafka_options = kafka_options;
    return c;
}

static void set_ok(broker_settings *b, const char *name, const char *value)
{
    mk_err err = {{0}};
    if (broker_settings_set(b, name, value, &err) != 0)
        fail_msg("%s=%s refused: %s", name, value, err.msg);
}

/* Refused with exactly `want`, and b unchanged. */
static void set_bad(const char *name, const char *value, const char *want)
{
    broker_settings *b = broker_settings_new();
    set_ok(b, "cpus", "2");
    cleanup_json json_t *before = broker_settings_to_json(b);
    mk_err err = {{0}};
    if (broker_settings_set(b, name, value, &err) == 0)
        fail_msg("%s=%s accepted", name, value);
    if (strcmp(err.msg, want) != 0)
        fail_msg("%s=%s:\n got  %s\n want %s", name, value, err.msg, want);
    cleanup_json json_t *after = broker_settings_to_json(b);
    assert_true(json_equal(before, after));
    broker_settings_free(b);
}

static char *persisted(const broker_settings *b)
{
    cleanup_json json_t *j = broker_settings_to_json(b);
    return json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
}

static void test_each_setting_accepted(void **state)
{
    broker_settings *b = broker_settings_new();
    config cfg = test_cfg();
    set_ok(b, "cpus", "0.5");
    set_ok(b, "mem", "4096");
    set_ok(b, "heap", "2048");
    set_ok(b, "disk", "20480.5");
    set_ok(b, "port", "31000..31010");
    set_ok(b, "options", "num.io.threads=16,log.dirs.x=/d/$id");
    set_ok(b, "jvm_options", "-XX:+UseG1GC -Dfoo=bär");
    set_ok(b, "log4j_options", "log4j.logger.kafka.controller=WARN");
    set_ok(b, "constraints", "hostname=unique");
    set_ok(b, "failover_delay", "30s");
    set_ok(b, "failover_max_delay", "5m");
    set_ok(b, "failover_max_tries", "3");
    set_ok(b, "stickiness_period", "1.5h");
    set_ok(b, "image", "registry.example:5000/kafka@sha256:abc");
    assert_true(broker_settings_cpus(b, &cfg) == 0.5);
    assert_true(broker_settings_mem(b, &cfg) == 4096);
    assert_int_equal(broker_settings_heap(b, &cfg), 2048);
    assert_true(broker_settings_disk(b, &cfg) == 20480.5);
    int lo, hi;
    assert_true(broker_settings_port(b, &lo, &hi));
    assert_int_equal(lo, 31000);
    assert_int_equal(hi, 31010);
    assert_string_equal(broker_settings_jvm_options(b), "-XX:+UseG1GC -Dfoo=bär");
    assert_string_equal(broker_settings_log4j_options(b), "log4j.logger.kafka.controller=WARN");
    assert_string_equal(broker_settings_constraints(b), "hostname=unique");
    assert_true(broker_settings_failover_delay(b, &cfg) == 30);
    assert_true(broker_settings_failover_max_delay(b, &cfg) == 300);
    assert_int_equal(broker_settings_failover_max_tries(b, &cfg), 3);
    assert_true(broker_settings_stickiness(b) == 5400);
    assert_string_equal(broker_settings_image(b, &cfg), "registry.example:5000/kafka@sha256:abc");
    mk_err err = {{0}};
    assert_int_equal(broker_settings_check(b, &cfg, &err), 0);
    set_ok(b, "port", "9092");
    assert_true(broker_settings_port(b, &lo, &hi));
    assert_int_equal(lo, 9092);
    assert_int_equal(hi, 9092);
    broker_settings_free(b);
}

static void test_defaults_apply_when_unset(void **state)
{
    broker_settings *b = broker_settings_new();
    config cfg = test_cfg();
    assert_true(broker_settings_cpus(b, &cfg) == 1);
    assert_true(broker_settings_mem(b, &cfg) == 2048);
    assert_int_equal(broker_settings_heap(b, &cfg), 1024);
    assert_true(broker_settings_disk(b, &cfg) == 10240);
    assert_string_equal(broker_settings_image(b, &cfg), image);
    assert_true(broker_settings_failover_delay(b, &cfg) == 10);
    assert_true(broker_settings_failover_max_delay(b, &cfg) == 60);
    assert_int_equal(broker_settings_failover_max_tries(b, &cfg), 0);
    assert_true(broker_settings_stickiness(b) == -1);
    int lo, hi;
    assert_false(broker_settings_port(b, &lo, &hi));
    assert_null(broker_settings_jvm_options(b));
    assert_null(broker_settings_constraints(b));
    cleanup_free char *j = persisted(b);
    assert_string_equal(j, "{}");
    broker_settings_free(b);
}

static void test_bad_values_name_the_setting_and_reason(void **state)
{
    set_bad("cpus", "-1", "cpus: must be a number above 0 and at most 1024 (got '-1')");
    set_bad("cpus", "abc", "cpus: must be a number above 0 and at most 1024 (got 'abc')");
    set_bad("cpus", "0", "cpus: must be a number above 0 and at most 1024 (got '0')");
    set_bad("cpus", "1025", "cpus: must be a number above 0 and at most 1024 (got '1025')");
    set_bad("cpus", "1e2", "cpus: must be a number above 0 and at most 1024 (got '1e2')");
    set_bad("cpus", "nan", "cpus: must be a number above 0 and at most 1024 (got 'nan')");
    set_bad("cpus", " 1", "cpus: must be a number above 0 and at most 1024 (got ' 1')");
    set_bad("mem", "1.5", "mem: must be a whole number above 0 and at most 16777216 (got '1.5')");
    set_bad("mem", "0", "mem: must be a whole number above 0 and at most 16777216 (got '0')");
    set_bad("heap", "8", "heap: must be a whole number from 16 to 1048576 (got '8')");
    set_bad("disk", "-5", "disk: must be a number above 0 and at most 1000000000 (got '-5')");
    set_bad("port", "0", "port: must be a port 1..65535 or a range a..b of them (got '0')");
    set_bad("port", "65536", "port: must be a port 1..65535 or a range a..b of them (got '65536')");
    set_bad("port", "10..", "port: must be a port 1..65535 or a range a..b of them (got '10..')");
    set_bad("port", "a..b", "port: must be a port 1..65535 or a range a..b of them (got 'a..b')");
    set_bad("port", "1.5", "port: must be a port 1..65535 or a range a..b of them (got '1.5')");
    set_bad("port", "9000..8000",
            "port: must not be a range that ends below its start (got '9000..8000')");
    set_bad("options", "log.dirs=/data/$id",
            "options: must not set broker.id, zookeeper.connect, listeners, advertised.listeners, "
            "log.dirs or KRaft settings (the scheduler sets them per broker) "
            "(got 'log.dirs=/data/$id')");
    set_bad("options", "num.partitions",
            "options: must be key=value pairs separated by ',' "
            "(num.partitions=3,log.retention.hours=24) (got 'num.partitions')");
    set_bad("options", "A=1",
            "options: keys may hold only lower-case letters, digits, '.', '_' and '-' (got 'A=1')");
    set_bad("log4j_options", "log4j.rootLogger",
            "log4j_options: must be key=value pairs separated by ',' "
            "(log4j.logger.kafka.controller=WARN) (got 'log4j.rootLogger')");
    set_bad("jvm_options", "-Xss1m\n-Xmx1g",
            "jvm_options: must not contain control characters (got '-Xss1m\\x0a-Xmx1g')");
    set_bad("jvm_options", "\xff", "jvm_options: must be UTF-8 text (got '\\xff')");
    set_bad("failover_delay", "10x",
            "failover_delay: must be a duration such as 10s, 5m or 3h, from 100ms to 1d "
            "(got '10x')");
    set_bad("failover_delay", "0s",
            "failover_delay: must be a duration such as 10s, 5m or 3h, from 100ms to 1d "
            "(got '0s')");
    set_bad("failoverMaxDelay", "2d",
            "failoverMaxDelay: must be a duration such as 10s, 5m or 3h, from 100ms to 1d "
            "(got '2d')");
    set_bad("failover_max_tries", "-1",
            "failover_max_tries: must be a whole number from 0 to 1000000 (got '-1')");
    set_bad("stickiness_period", "31d",
            "stickiness_period: must be a duration such as 10s, 5m or 3h, from 0s to 30d "
            "(got '31d')");
    set_bad("image", "kafka latest",
            "image: must be a Docker image name: printable ASCII without whitespace "
            "(got 'kafka latest')");
    set_bad("nosuch", "1",
            "unknown setting 'nosuch' (known: cpus, mem, heap, disk, port, options, jvm_options, "
            "log4j_options, constraints, failover_delay, failover_max_delay, failover_max_tries, "
            "stickiness_period, image)");
    char longer[BROKER_SETTINGS_MAX_TEXT + 2];
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    broker_settings *b = broker_settings_new();
    mk_err err = {{0}};
    assert_int_equal(broker_settings_set(b, "jvm_options", longer, &err), -1);
    assert_non_null(strstr(err.msg, "jvm_options: must be at most 4096 bytes (got 'xxx"));
    assert_non_null(strstr(err.msg, "...')"));
    longer[BROKER_SETTINGS_MAX_TEXT] = '\0';
    set_ok(b, "jvm_options", longer);
    broker_settings_free(b);
}

static void test_empty_unsets_and_camel_case_names(void **state)
{
    broker_settings *b = broker_settings_new();
    config cfg = test_cfg();
    set_ok(b, "failoverDelay", "20s");
    set_ok(b, "failoverMaxDelay", "2m");
    set_ok(b, "failoverMaxTries", "5");
    set_ok(b, "jvmOptions", "-Xss1m");
    set_ok(b, "log4jOptions", "log4j.rootLogger=INFO");
    set_ok(b, "stickinessPeriod", "10m");
    set_ok(b, "cpus", "3");
    cleanup_free char *j = persisted(b);
    assert_string_equal(j, "{\"cpus\":3.0,\"failover_delay\":\"20s\",\"failover_max_delay\":\"2m\","
                           "\"failover_max_tries\":5,\"jvm_options\":\"-Xss1m\","
                           "\"log4j_options\":\"log4j.rootLogger=INFO\","
                           "\"stickiness_period\":\"10m\"}");
    const char *names[] = {"failoverDelay", "failover_max_delay", "failoverMaxTries",
                           "jvm_options",   "log4jOptions",       "stickiness_period",
                           "cpus"};
    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++)
        set_ok(b, names[i], "");
    cleanup_free char *empty = persisted(b);
    assert_string_equal(empty, "{}");
    assert_true(broker_settings_cpus(b, &cfg) == 1);
    set_ok(b, "port", "");
    broker_settings_free(b);
}

static void test_heap_below_mem_with_defaults(void **state)
{
    config cfg = test_cfg();
    struct {
        const char *heap, *mem, *want;
    } cases[] = {
        {"2048", NULL,
         "heap: must be less than mem (2048 MB, the default KAFKA_MEM), which also holds the "
         "JVM's other memory (got '2048')"},
        {NULL, "1024",
         "mem: must be more than heap (1024 MB, the default KAFKA_HEAP), which it holds with the "
         "JVM's other memory (got '1024')"},
        {"4096", "4096",
         "heap: must be less than mem (4096 MB), which also holds the JVM's other memory "
         "(got '4096')"},
        {"512", "1024", NULL},
        {NULL, "1025", NULL},
        {"2047", NULL, NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        broker_settings *b = broker_settings_new();
        json_t *changes = json_object();
        if (cases[i].heap)
            json_object_set_new(changes, "heap", json_string(cases[i].heap));
        if (cases[i].mem)
            json_object_set_new(changes, "mem", json_string(cases[i].mem));
        mk_err err = {{0}};
        int rc = broker_settings_apply_json(b, changes, &cfg, &err);
        if (cases[i].want) {
            assert_int_equal(rc, -1);
            assert_string_equal(err.msg, cases[i].want);
            cleanup_free char *j = persisted(b);
            assert_string_equal(j, "{}");
        } else if (rc != 0)
            fail_msg("case %zu refused: %s", i, err.msg);
        json_decref(changes);
        broker_settings_free(b);
    }
    /* The failover delays too: the own maximum below the default delay. */
    broker_settings *b = broker_settings_new();
    const char *names[] = {"failover_max_delay"}, *values[] = {"5s"};
    mk_err err = {{0}};
    assert_int_equal(broker_settings_apply_pairs(b, names, values, 1, &cfg, &err), -1);
    assert_string_equal(err.msg, "failover_max_delay: must be at least failover_delay (10s, the "
                                 "default FAILOVER_DELAY) (got '5s')");
    const char *names2[] = {"failoverDelay"}, *values2[] = {"2m"};
    assert_int_equal(broker_settings_apply_pairs(b, names2, values2, 1, &cfg, &err), -1);
    assert_string_equal(err.msg, "failover_delay: must be at most failover_max_delay (1m, the "
                                 "default FAILOVER_MAX_DELAY) (got '2m')");
    broker_settings_free(b);
}

static void test_batch_is_all_or_nothing(void **state)
{
    config cfg = test_cfg();
    broker_settings *b = broker_settings_new();
    set_ok(b, "cpus", "2");
    set_ok(b, "options", "num.io.threads=8");
    cleanup_free char *before = persisted(b);
    const char *bad[] = {
        "{\"mem\": 4096, \"heap\": 2048, \"cpus\": -1}",
        "{\"mem\": 4096, \"nosuch\": 1}",
        "{\"cpus\": 1, \"options\": \"broker.id=4\"}",
        "{\"failover_delay\": \"10s\", \"failoverDelay\": \"20s\"}",
        "{\"cpus\": true}",
        "{\"image\": 5}",
        "{\"mem\": 4096, \"heap\": \"4096\"}",
        "[1]",
        "{\"options\": \"a=\\u0000b\"}",
    };
    const char *want[] = {
        "cpus: must be a number above 0 and at most 1024 (got '-1')",
        "unknown setting 'nosuch'",
        "options: must not set broker.id",
        "failoverDelay: given twice (also as failover_delay)",
        "cpus: must be a string, a number or null (got a boolean)",
        "image: must be a string (got '5')",
        "heap: must be less than mem (4096 MB)",
        "the settings must be a JSON object",
        "options: must not contain NUL characters",
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        json_error_t jerr;
        json_t *changes = json_loads(bad[i], JSON_ALLOW_NUL, &jerr);
        assert_non_null(changes);
        mk_err err = {{0}};
        assert_int_equal(broker_settings_apply_json(b, changes, &cfg, &err), -1);
        if (strncmp(err.msg, want[i], strlen(want[i])) != 0)
            fail_msg("%s:\n got  %s\n want %s...", bad[i], err.msg, want[i]);
        cleanup_free char *after = persisted(b);
        assert_string_equal(before, after);
        json_decref(changes);
    }
    /* A good batch: null and "" unset, numbers are values, durations in seconds. */
    json_t *good = json_loads("{\"cpus\": null, \"options\": \"\", \"mem\": 4096, \"heap\": 3000, "
                              "\"failover_delay\": 90, \"port\": 9093, \"failoverMaxDelay\": "
                              "\"1h\"}",
                              0, NULL);
    mk_err err = {{0}};
    if (broker_settings_apply_json(b, good, &cfg, &err) != 0)
        fail_msg("refused: %s", err.msg);
    cleanup_free char *now = persisted(b);
    assert_string_equal(now, "{\"failover_delay\":\"90s\",\"failover_max_delay\":\"1h\","
                             "\"heap\":3000,\"mem\":4096,\"port\":9093}");
    json_decref(good);
    broker_settings_free(b);
}

static void test_persisted_round_trip(void **state)
{
    broker_settings *b = broker_settings_new();
    set_ok(b, "cpus", "0.1");
    set_ok(b, "mem", "3000");
    set_ok(b, "heap", "1000");
    set_ok(b, "disk", "1.25");
    set_ok(b, "port", "31000..31099");
    set_ok(b, "options", "num.io.threads=16");
    set_ok(b, "jvm_options", "-XX:+UseG1GC");
    set_ok(b, "log4j_options", "log4j.rootLogger=WARN");
    set_ok(b, "constraints", "rack=like:r1");
    set_ok(b, "failover_delay", "0.1234567s"); /* no exact text: kept as seconds */
    set_ok(b, "failover_max_delay", "1.5h");
    set_ok(b, "failover_max_tries", "0");
    set_ok(b, "stickiness_period", "0s");
    set_ok(b, "image", "kafka:4");
    cleanup_json json_t *j = broker_settings_to_json(b);
    assert_int_equal(json_object_size(j), BROKER_SETTINGS_N);
    assert_true(json_is_real(json_object_get(j, "failover_delay")));
    assert_string_equal(json_string_value(json_object_get(j, "failover_max_delay")), "90m");
    cleanup_free char *text = json_dumps(j, JSON_SORT_KEYS);
    cleanup_json json_t *again = json_loads(text, 0, NULL);
    broker_settings *c = NULL;
    mk_err err = {{0}};
    if (broker_settings_from_json(again, &c, &err) != 0)
        fail_msg("refused its own form: %s", err.msg);
    cleanup_json json_t *j2 = broker_settings_to_json(c);
    assert_true(json_equal(j, j2));
    config cfg = test_cfg();
    const char *names[BROKER_SETTINGS_N];
    assert_int_equal(broker_settings_changed(b, c, &cfg, names), 0);
    broker_settings *d = broker_settings_copy(c);
    cleanup_json json_t *j3 = broker_settings_to_json(d);
    assert_true(json_equal(j, j3));
    broker_settings_free(d);
    broker_settings_free(c);
    broker_settings_free(b);
}

static void test_persisted_refusals_name_the_field(void **state)
{
    struct {
        const char *doc, *want;
    } cases[] = {
        {"{\"cpus\": \"x\"}", "cpus: must be a number above 0"},
        {"{\"mem\": 2.5}", "mem: must be a whole number"},
        {"{\"heap\": null}", "heap: must be a string or a number (got null)"},
        {"{\"port\": 70000}", "port: must be a port"},
        {"{\"port\": \"\"}", "port: must not be empty"},
        {"{\"options\": \"node.id=1\"}", "options: must not set broker.id"},
        {"{\"failover_delay\": -1}", "failover_delay: must be a duration"},
        {"{\"failover_max_tries\": 1.5}", "failover_max_tries: must be a whole number"},
        {"{\"image\": [\"x\"]}", "image: must be a string or a number (got an array)"},
        {"{\"colour\": \"red\"}", "unknown setting 'colour'"},
        {"{\"mem\": 100, \"heap\": 100}", "heap: must be less than mem (100 MB) (got '100')"},
        {"{\"failover_delay\": \"2m\", \"failover_max_delay\": \"1m\"}",
         "failover_max_delay: must be at least failover_delay"},
        {"\"cpus\"", "the settings must be a JSON object (got a string)"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        cleanup_json json_t *j = json_loads(cases[i].doc, JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        broker_settings *b = (broker_settings *)&cases; /* must be reset to NULL */
        mk_err err = {{0}};
        assert_int_equal(broker_settings_from_json(j, &b, &err), -1);
        assert_null(b);
        if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("%s:\n got  %s\n want %s...", cases[i].doc, err.msg, cases[i].want);
    }
}

static void test_kafka_options_merge(void **state)
{
    config cfg = test_cfg();
    broker_settings *b = broker_settings_new();
    cleanup_free char *plain = broker_settings_kafka_options(b, &cfg, 3);
    assert_string_equal(plain, "num.partitions=3,log.retention.hours=24");
    set_ok(b, "options",
           "log.retention.hours=48,broker.rack=r$id,x=$idle,y=$id$id,num.partitions=1,z=a=b");
    cleanup_free char *merged = broker_settings_kafka_options(b, &cfg, 7);
    assert_string_equal(merged, "num.partitions=1,log.retention.hours=48,broker.rack=r7,"
                                "x=$idle,y=77,z=a=b");
    cfg.kafka_options = NULL;
    cleanup_free char *own = broker_settings_kafka_options(b, &cfg, 0);
    assert_string_equal(own, "log.retention.hours=48,broker.rack=r0,x=$idle,y=00,"
                             "num.partitions=1,z=a=b");
    broker_settings *empty = broker_settings_new();
    cleanup_free char *none = broker_settings_kafka_options(empty, &cfg, 0);
    assert_string_equal(none, "");
    broker_settings_free(empty);
    broker_settings_free(b);

    /* The shared rule itself, as KAFKA_OPTIONS uses it. */
    assert_null(kafka_props_check("a=1,b.c-d_e=x y", KAFKA_PROPS_BROKER));
    assert_non_null(kafka_props_check("a=1,", KAFKA_PROPS_BROKER));
    assert_non_null(kafka_props_check("a=1,,b=2", KAFKA_PROPS_BROKER));
    assert_non_null(kafka_props_check("=1", KAFKA_PROPS_BROKER));
    assert_non_null(kafka_props_check("process.roles=broker", KAFKA_PROPS_BROKER));
    assert_null(kafka_props_check("log.dirs.extra=1", KAFKA_PROPS_BROKER));
    assert_null(kafka_props_check("log4j.logger.Foo=DEBUG", KAFKA_PROPS_LOG4J));
    assert_null(kafka_props_check("broker.id=1", KAFKA_PROPS_LOG4J));
    cleanup_free char *v = kafka_props_get("a=1,b=2,a=3", "a");
    assert_string_equal(v, "3");
    assert_null(kafka_props_get("a=1", "b"));
}

static void test_constraints_kept_canonical(void **state)
{
    broker_settings *b = broker_settings_new();
    set_ok(b, "constraints", " hostname=UNIQUE, rack=Like:r1 ,zone=groupBy:003");
    assert_string_equal(broker_settings_constraints(b),
                        "hostname=unique,rack=like:r1,zone=groupBy:3");
    mk_err err = {{0}};
    const char *bad[] = {"rack=near:r1",
                         "rack",
                         "rack=like:r1,,zone=unique",
                         "rack=like:(a",
                         "rack=unique,rack=unique",
                         " "};
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        assert_int_equal(broker_settings_set(b, "constraints", bad[i], &err), -1);
        if (strncmp(err.msg, "constraints: constraint ", 24) != 0)
            fail_msg("'%s': %s", bad[i], err.msg);
        assert_string_equal(broker_settings_constraints(b),
                            "hostname=unique,rack=like:r1,zone=groupBy:3");
    }
    assert_int_equal(broker_settings_set(b, "constraints", "rack=near:r1", &err), -1);
    assert_string_equal(err.msg, "constraints: constraint \"rack=near:r1\": unknown operator "
                                 "\"near\" (like, unlike, unique, cluster or groupBy)");
    broker_settings_free(b);
}

static void test_describe(void **state)
{
    config cfg = test_cfg();
    broker_settings *b = broker_settings_new();
    set_ok(b, "cpus", "0.5");
    set_ok(b, "port", "9000..9010");
    set_ok(b, "options", "num.partitions=6");
    set_ok(b, "failover_max_delay", "2m");
    cleanup_json json_t *d = broker_settings_describe(b, &cfg);
    assert_int_equal(json_object_size(d), BROKER_SETTINGS_N);
    cleanup_free char *text = json_dumps(d, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(text,
                        "{\"constraints\":{\"source\":\"default\",\"value\":null},"
                        "\"cpus\":{\"source\":\"own\",\"value\":0.5},"
                        "\"disk\":{\"source\":\"default\",\"value\":10240},"
                        "\"failover_delay\":{\"source\":\"default\",\"value\":\"10s\"},"
                        "\"failover_max_delay\":{\"source\":\"own\",\"value\":\"2m\"},"
                        "\"failover_max_tries\":{\"source\":\"default\",\"value\":0},"
                        "\"heap\":{\"source\":\"default\",\"value\":1024},"
                        "\"image\":{\"source\":\"default\",\"value\":\"mesos-kafka-kafka:3.9.2\"},"
                        "\"jvm_options\":{\"source\":\"default\",\"value\":null},"
                        "\"log4j_options\":{\"source\":\"default\",\"value\":null},"
                        "\"mem\":{\"source\":\"default\",\"value\":2048},"
                        "\"options\":{\"source\":\"own\",\"value\":\"num.partitions=6,"
                        "log.retention.hours=24\"},"
                        "\"port\":{\"source\":\"own\",\"value\":\"9000..9010\"},"
                        "\"stickiness_period\":{\"source\":\"default\",\"value\":null}}");
    broker_settings_free(b);
}

static void test_changed(void **state)
{
    config cfg = test_cfg();
    broker_settings *a = broker_settings_new(), *b = broker_settings_new();
    const char *names[BROKER_SETTINGS_N];
    set_ok(b, "cpus", "1"); /* the default's value: no change in effect */
    set_ok(b, "options", "num.partitions=3");
    assert_int_equal(broker_settings_changed(a, b, &cfg, names), 0);
    set_ok(b, "mem", "4096");
    set_ok(b, "constraints", "rack=unique");
    set_ok(b, "failoverMaxTries", "2");
    set_ok(b, "options", "num.partitions=4");
    assert_int_equal(broker_settings_changed(a, b, &cfg, names), 4);
    assert_string_equal(names[0], "mem");
    assert_string_equal(names[1], "options");
    assert_string_equal(names[2], "constraints");
    assert_string_equal(names[3], "failover_max_tries");
    assert_true(broker_settings_needs_restart("mem"));
    assert_true(broker_settings_needs_restart("options"));
    assert_false(broker_settings_needs_restart("constraints"));
    assert_false(broker_settings_needs_restart("failoverMaxTries"));
    for (int i = 0; i < BROKER_SETTINGS_N; i++)
        assert_non_null(broker_settings_name(i));
    assert_null(broker_settings_name(BROKER_SETTINGS_N));
    broker_settings_free(a);
    broker_settings_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_setting_accepted),
        cmocka_unit_test(test_defaults_apply_when_unset),
        cmocka_unit_test(test_bad_values_name_the_setting_and_reason),
        cmocka_unit_test(test_empty_unsets_and_camel_case_names),
        cmocka_unit_test(test_heap_below_mem_with_defaults),
        cmocka_unit_test(test_batch_is_all_or_nothing),
        cmocka_unit_test(test_persisted_round_trip),
        cmocka_unit_test(test_persisted_refusals_name_the_field),
        cmocka_unit_test(test_kafka_options_merge),
        cmocka_unit_test(test_constraints_kept_canonical),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
