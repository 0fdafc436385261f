/*
 * Fuzz the parsers of the ZooKeeper nodes the scheduler reads (zk_watch.h): broker registrations,
 * topic partition assignments, partition states (leader, ISR), topic configs and the controller.
 *
 * Input: one byte choosing the node (and the topic name or session owner tried), then the node's
 * bytes. Invariants: whatever the bytes, each parser gives exactly the shape zk_watch.h promises
 * (types, ranges: partitions 0..2^31-1, broker ids >= 0, min.insync.replicas 1..999), a topic
 * document that is refused appends nothing, every result serialises as JSON (it goes to the core
 * and out through the API), and parsing twice gives equal results. No crash, leak or undefined
 * behaviour.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zk_watch.h"

#include "fuzz_check.h"

static void check_serialises(const json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    CHECK(text);
    free(text);
}

static bool broker_id_list(const json_t *v)
{
    size_t i;
    const json_t *id;
    if (!json_is_array(v))
        return false;
    json_array_foreach(v, i, id)
    {
        if (!json_is_integer(id) || json_integer_value(id) < 0)
            return false;
    }
    return true;
}

static void check_topic(const char *topic, const char *data, size_t len)
{
    json_t *out = json_array(), *again = json_array();
    json_array_append_new(out, json_string("already there"));
    json_array_append_new(again, json_string("already there"));
    int rc = zk_watch_parse_topic(topic, data, len, out);
    CHECK(rc == 0 || rc == -1);
    CHECK(zk_watch_parse_topic(topic, data, len, again) == rc && json_equal(out, again));
    if (rc < 0)
        CHECK(json_array_size(out) == 1); /* nothing appended */
    for (size_t i = 1; i < json_array_size(out); i++) {
        const json_t *p = json_array_get(out, i);
        CHECK(json_object_size(p) == 3);
        CHECK(strcmp(json_string_value(json_object_get(p, "topic")), topic) == 0);
        const json_t *part = json_object_get(p, "partition");
        CHECK(json_is_integer(part) && json_integer_value(part) >= 0 &&
              json_integer_value(part) <= INT32_MAX);
        CHECK(broker_id_list(json_object_get(p, "replicas")));
    }
    check_serialises(out);
    json_decref(out);
    json_decref(again);
}

static void check_broker(const char *data, size_t len, int64_t owner)
{
    json_t *b = zk_watch_parse_broker(data, len, owner);
    json_t *again = zk_watch_parse_broker(data, len, owner);
    CHECK(b && json_is_object(b) && json_equal(b, again));
    const char *key;
    json_t *v;
    json_object_foreach(b, key, v)
    {
        if (strcmp(key, "host") == 0 || strcmp(key, "rack") == 0 || strcmp(key, "timestamp") == 0 ||
            strcmp(key, "owner") == 0) {
            CHECK(json_is_string(v));
        } else if (strcmp(key, "port") == 0 || strcmp(key, "jmx_port") == 0 ||
                   strcmp(key, "version") == 0) {
            CHECK(json_is_integer(v));
        } else if (strcmp(key, "endpoints") == 0) {
            size_t i;
            json_t *e;
            CHECK(json_is_array(v));
            json_array_foreach(v, i, e) CHECK(json_is_string(e));
        } else {
            CHECK(false); /* nothing else is passed on */
        }
    }
    CHECK((owner != 0) == (json_object_get(b, "owner") != NULL));
    check_serialises(b);
    json_decref(b);
    json_decref(again);
}

static void check_partition_state(const char *data, size_t len)
{
    json_t *p = json_pack("{s:s, s:i}", "topic", "t", "partition", 0);
    zk_watch_parse_partition_state(data, len, p);
    const json_t *leader = json_object_get(p, "leader"), *isr = json_object_get(p, "isr");
    CHECK(json_is_integer(leader) || json_is_null(leader));
    CHECK(json_is_null(isr) || broker_id_list(isr));
    CHECK(json_object_size(p) == 4);
    check_serialises(p);
    json_decref(p);
}

static void check_min_insync(const char *data, size_t len)
{
    json_t *v = zk_watch_parse_min_insync(data, len);
    CHECK(json_is_null(v) ||
          (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 999));
    json_decref(v);
}

static void check_controller(const char *data, size_t len)
{
    json_t *v = zk_watch_parse_controller(data, len);
    CHECK(json_is_null(v) || json_is_integer(v));
    json_decref(v);
}

int LLVMFuzzerTestOneInput(const unsigned char *bytes, size_t size)
{
    if (size < 1)
        return 0;
    static const char *const topics[] = {"orders", "__consumer_offsets", "a.b-c_d", "x"};
    unsigned choice = bytes[0];
    /* The node's bytes in a buffer of their own, so reading past them is caught. */
    size_t len = size - 1;
    char *data = malloc(len ? len : 1);
    memcpy(data, bytes + 1, len);
    switch (choice % 5) {
    case 0:
        check_broker(data, len, (choice >> 3) ? (int64_t)0x100000000ULL * (choice >> 3) + 7 : 0);
        break;
    case 1:
        check_topic(topics[(choice >> 3) & 3], data, len);
        break;
    case 2:
        check_partition_state((choice >> 3) & 1 ? data : NULL, len);
        break;
    case 3:
        check_min_insync(data, len);
        break;
    default:
        check_controller(data, len);
        break;
    }
    free(data);
    return 0;
}
