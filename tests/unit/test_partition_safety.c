/*
 * Unit tests for src/partition_safety.c: which partitions a broker restart would put at risk, which
 * are under-replicated, and the cluster default of min.insync.replicas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "partition_safety.h"
#include "util.h"

/* One partition as zk_watch reports it; isr NULL: no state node; min 0: topic sets none. */
static json_t *partition(const char *topic, int p, const char *replicas, const char *isr, int min)
{
    json_t *j = json_pack("{s:s, s:i, s:o, s:i}", "topic", topic, "partition", p, "replicas",
                          json_loads(replicas, 0, NULL), "leader", 0);
    json_object_set_new(j, "isr", isr ? json_loads(isr, 0, NULL) : json_null());
    json_object_set_new(j, "min_insync", min ? json_integer(min) : json_null());
    return j;
}

static void restart_risks_follow_isr_and_min_insync(void **state)
{
    (void)state;
    static const struct {
        const char *replicas, *isr;
        int topic_min, default_min, broker;
        const char *reason; /* NULL: safe */
    } cases[] = {
        {"[0,1,2]", "[0,1,2]", 2, 1, 0, NULL},               /* 2 left >= 2 */
        {"[0,1,2]", "[0,1]", 2, 1, 0, "below min.insync"},   /* 1 left < 2 */
        {"[0,1,2]", "[0,1]", 2, 1, 2, NULL},                 /* 2 not in ISR: 2 stay */
        {"[0,1,2]", "[0,1,2]", 0, 3, 1, "below min.insync"}, /* cluster default 3 */
        {"[0]", "[0]", 0, 1, 0, "no in-sync replica"},       /* RF=1 */
        {"[0,1]", "[0]", 0, 1, 0, "no in-sync replica"},     /* last in-sync one */
        {"[0,1]", "[1]", 0, 1, 0, NULL},                     /* 0 out of sync: 1 stays */
        {"[1,2]", "[1]", 0, 1, 0, NULL},                     /* not on broker 0 */
        {"[0,1,2]", NULL, 0, 1, 0, "not known"},             /* no state yet */
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        json_t *parts = json_array();
        json_array_append_new(
            parts, partition("t", (int)i, cases[i].replicas, cases[i].isr, cases[i].topic_min));
        json_t *risks = safety_restart_risks(parts, cases[i].broker, cases[i].default_min);
        if (!cases[i].reason) {
            assert_int_equal(json_array_size(risks), 0);
        } else {
            assert_int_equal(json_array_size(risks), 1);
            const char *reason =
                json_string_value(json_object_get(json_array_get(risks, 0), "reason"));
            assert_non_null(strstr(reason, cases[i].reason));
            assert_int_equal(
                json_integer_value(json_object_get(json_array_get(risks, 0), "partition")), i);
        }
        json_decref(risks);
        json_decref(parts);
    }
}

static void under_replicated_lists_short_or_unknown_isr(void **state)
{
    (void)state;
    json_t *parts = json_array();
    json_array_append_new(parts, partition("a", 0, "[0,1,2]", "[0,1,2]", 0));
    json_array_append_new(parts, partition("a", 1, "[0,1,2]", "[2,0]", 0));
    json_array_append_new(parts, partition("b", 0, "[1]", NULL, 0));
    json_t *behind = safety_under_replicated(parts);
    assert_int_equal(json_array_size(behind), 2);
    char *text = safety_describe(behind, 5);
    assert_string_equal(text, "a-1 and b-0");
    free(text);
    json_decref(behind);
    json_t *many = json_array();
    for (int i = 0; i < 7; i++)
        json_array_append_new(many, partition("c", i, "[0]", "[0]", 0));
    text = safety_describe(many, 3);
    assert_string_equal(text, "c-0, c-1, c-2 and 4 more");
    free(text);
    json_decref(many);
    json_decref(parts);
}

static void default_min_insync_from_kafka_options(void **state)
{
    (void)state;
    assert_int_equal(safety_default_min_insync(NULL), 1);
    assert_int_equal(safety_default_min_insync(""), 1);
    assert_int_equal(safety_default_min_insync("num.partitions=3,min.insync.replicas=2"), 2);
    assert_int_equal(safety_default_min_insync("min.insync.replicas=x"), 1);
    assert_int_equal(safety_default_min_insync("xmin.insync.replicas=3"), 1);
    assert_int_equal(safety_default_min_insync("min.insync.replicas=0"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(restart_risks_follow_isr_and_min_insync),
        cmocka_unit_test(under_replicated_lists_short_or_unknown_isr),
        cmocka_unit_test(default_min_insync_from_kafka_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
