/*
 * Call building: each builder's JSON equals the expected document, and passes the simulator's strict
 * schema and the master's stateless validation (so no field would be dropped by a real master).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mesos_call.h"
#include "schema.h"

#define FID "5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000"

static config test_config(void)
{
    config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.framework_user = "root";
    cfg.framework_name = "mesos-kafka";
    cfg.framework_role = "kafka";
    cfg.framework_hostname = "sched1.example";
    cfg.framework_webui_url = "http://sched1.example:10000/";
    cfg.failover_timeout_s = 604800.0;
    cfg.mesos_principal = "kafka";
    return cfg;
}

/* Asserts the built call equals `expected_json` and is accepted by the strict schema. */
static void check_call(json_t *call, const char *expected_json)
{
    json_error_t jerr;
    json_t *expected = json_loads(expected_json, 0, &jerr);
    if (!expected)
        fail_msg("expected JSON does not parse: %s", jerr.text);
    if (!json_equal(call, expected)) {
        char *got = json_dumps(call, JSON_SORT_KEYS);
        char *want = json_dumps(expected, JSON_SORT_KEYS);
        print_error("got:  %s\nwant: %s\n", got, want);
        free(got);
        free(want);
        fail();
    }
    mk_err err = {{0}};
    if (schema_check_call(call, &err) < 0)
        fail_msg("schema rejects the call: %s", err.msg);
    if (schema_validate_call(call, &err) < 0)
        fail_msg("validation rejects the call: %s", err.msg);
    json_decref(expected);
    json_decref(call);
}

static void test_first_subscribe(void **state)
{
    config cfg = test_config();
    json_t *call = mesos_call_subscribe(&cfg, NULL);
    assert_string_equal(mesos_call_type(call), "SUBSCRIBE");
    check_call(call, "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{"
                     "\"user\":\"root\",\"name\":\"mesos-kafka\",\"roles\":[\"kafka\"],"
                     "\"failover_timeout\":604800.0,\"checkpoint\":true,"
                     "\"hostname\":\"sched1.example\",\"principal\":\"kafka\","
                     "\"webui_url\":\"http://sched1.example:10000/\",\"capabilities\":["
                     "{\"type\":\"MULTI_ROLE\"},{\"type\":\"PARTITION_AWARE\"},"
                     "{\"type\":\"TASK_KILLING_STATE\"}]}}}");
}

static void test_resubscribe_sets_both_ids(void **state)
{
    config cfg = test_config();
    cfg.mesos_principal = NULL;
    json_t *call = mesos_call_subscribe(&cfg, FID);
    check_call(call, "{\"type\":\"SUBSCRIBE\",\"framework_id\":{\"value\":\"" FID "\"},"
                     "\"subscribe\":{\"framework_info\":{\"id\":{\"value\":\"" FID "\"},"
                     "\"user\":\"root\",\"name\":\"mesos-kafka\",\"roles\":[\"kafka\"],"
                     "\"failover_timeout\":604800.0,\"checkpoint\":true,"
                     "\"hostname\":\"sched1.example\","
                     "\"webui_url\":\"http://sched1.example:10000/\",\"capabilities\":["
                     "{\"type\":\"MULTI_ROLE\"},{\"type\":\"PARTITION_AWARE\"},"
                     "{\"type\":\"TASK_KILLING_STATE\"}]}}}");
}

static void test_decline_with_filter(void **state)
{
    const char *ids[] = {"m-O1", "m-O2"};
    check_call(mesos_call_decline(FID, ids, 2, 120.0),
               "{\"type\":\"DECLINE\",\"framework_id\":{\"value\":\"" FID "\"},\"decline\":{"
               "\"offer_ids\":[{\"value\":\"m-O1\"},{\"value\":\"m-O2\"}],"
               "\"filters\":{\"refuse_seconds\":120.0}}}");
    check_call(mesos_call_decline(FID, ids, 1, -1),
               "{\"type\":\"DECLINE\",\"framework_id\":{\"value\":\"" FID "\"},\"decline\":{"
               "\"offer_ids\":[{\"value\":\"m-O1\"}]}}");
}

static void test_accept_with_launch(void **state)
{
    const char *ids[] = {"m-O7"};
    json_t *ops = json_loads(
        "[{\"type\":\"LAUNCH\",\"launch\":{\"task_infos\":[{\"name\":\"kafka-0\","
        "\"task_id\":{\"value\":\"kafka-0.x\"},\"agent_id\":{\"value\":\"m-S0\"},"
        "\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1.0}}],"
        "\"command\":{\"shell\":false},\"container\":{\"type\":\"DOCKER\","
        "\"docker\":{\"image\":\"apache/kafka:3.9.2\",\"network\":\"HOST\"}}}]}}]",
        0, NULL);
    assert_non_null(ops);
    json_t *call = mesos_call_accept(FID, ids, 1, ops, 5.0);
    json_t *launch = json_object_get(json_array_get(json_object_get(json_object_get(call, "accept"),
                                                                    "operations"),
                                                    0),
                                     "launch");
    assert_non_null(launch);
    mk_err err = {{0}};
    assert_int_equal(schema_check_call(call, &err), 0);
    assert_int_equal(schema_validate_call(call, &err), 0);
    assert_string_equal(mesos_call_type(call), "ACCEPT");
    json_decref(call);
}

static void test_acknowledge_copies_uuid(void **state)
{
    check_call(mesos_call_acknowledge(FID, "m-S0", "kafka-0.x", "fB16sW1VSg6b1mz24qOo+Q=="),
               "{\"type\":\"ACKNOWLEDGE\",\"framework_id\":{\"value\":\"" FID "\"},"
               "\"acknowledge\":{\"agent_id\":{\"value\":\"m-S0\"},"
               "\"task_id\":{\"value\":\"kafka-0.x\"},\"uuid\":\"fB16sW1VSg6b1mz24qOo+Q==\"}}");
}

static void test_kill_with_and_without_policy(void **state)
{
    check_call(mesos_call_kill(FID, "kafka-0.x", "m-S0", 10000000000LL),
               "{\"type\":\"KILL\",\"framework_id\":{\"value\":\"" FID "\"},\"kill\":{"
               "\"task_id\":{\"value\":\"kafka-0.x\"},\"agent_id\":{\"value\":\"m-S0\"},"
               "\"kill_policy\":{\"grace_period\":{\"nanoseconds\":10000000000}}}}");
    check_call(mesos_call_kill(FID, "kafka-0.x", NULL, -1),
               "{\"type\":\"KILL\",\"framework_id\":{\"value\":\"" FID "\"},\"kill\":{"
               "\"task_id\":{\"value\":\"kafka-0.x\"}}}");
}

static void test_reconcile_explicit_and_implicit(void **state)
{
    mesos_reconcile_task tasks[] = {{"kafka-0.x", "m-S0"}, {"zookeeper-1.y", NULL}};
    check_call(mesos_call_reconcile(FID, tasks, 2),
               "{\"type\":\"RECONCILE\",\"framework_id\":{\"value\":\"" FID "\"},\"reconcile\":{"
               "\"tasks\":[{\"task_id\":{\"value\":\"kafka-0.x\"},\"agent_id\":{\"value\":\"m-S0\"}},"
               "{\"task_id\":{\"value\":\"zookeeper-1.y\"}}]}}");
    check_call(mesos_call_reconcile(FID, NULL, 0),
               "{\"type\":\"RECONCILE\",\"framework_id\":{\"value\":\"" FID "\"},\"reconcile\":{}}");
}

static void test_revive_suppress_teardown(void **state)
{
    check_call(mesos_call_revive(FID, "kafka"),
               "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"" FID "\"},"
               "\"revive\":{\"roles\":[\"kafka\"]}}");
    check_call(mesos_call_suppress(FID, "kafka"),
               "{\"type\":\"SUPPRESS\",\"framework_id\":{\"value\":\"" FID "\"},"
               "\"suppress\":{\"roles\":[\"kafka\"]}}");
    check_call(mesos_call_suppress(FID, NULL),
               "{\"type\":\"SUPPRESS\",\"framework_id\":{\"value\":\"" FID "\"},\"suppress\":{}}");
    check_call(mesos_call_teardown(FID),
               "{\"type\":\"TEARDOWN\",\"framework_id\":{\"value\":\"" FID "\"}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_subscribe),
        cmocka_unit_test(test_resubscribe_sets_both_ids),
        cmocka_unit_test(test_decline_with_filter),
        cmocka_unit_test(test_accept_with_launch),
        cmocka_unit_test(test_acknowledge_copies_uuid),
        cmocka_unit_test(test_kill_with_and_without_policy),
        cmocka_unit_test(test_reconcile_explicit_and_implicit),
        cmocka_unit_test(test_revive_suppress_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
