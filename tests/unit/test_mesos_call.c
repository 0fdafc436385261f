/*
 * Call building: every builder's JSON equals the expected document of MESOS-API.md §2 and §5 (the
 * documents are typed here, single-quoted), passes the simulator's strict schema and the master's
 * stateless validation (so a real master would drop no field), and reports its type.
 *
 * q() turns single quotes into double quotes (no test value needs a literal single quote).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mesos_call.h"
#include "schema.h"

#define FID   "5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000"
#define AGENT "5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0"
#define F     "'framework_id': {'value': '" FID "'}"

static char *quoted;

static const char *q(const char *text)
{
    free(quoted);
    quoted = mk_xstrdup(text);
    for (char *p = quoted; *p; p++)
        if (*p == '\'')
            *p = '"';
    return quoted;
}

static config test_config(void)
{
    config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.framework_user = "root";
    cfg.framework_name = "mesos-kafka";
    cfg.framework_role = "kafka";
    cfg.framework_hostname = "sched1.example";
    cfg.framework_webui_url = "http://sched1.example:7000/";
    cfg.failover_timeout_s = 604800.0;
    cfg.mesos_principal = "kafka";
    return cfg;
}

static void assert_json_equal(const json_t *got, const char *expected_single_quoted)
{
    json_error_t jerr;
    json_t *expected = json_loads(q(expected_single_quoted), 0, &jerr);
    if (!expected)
        fail_msg("expected JSON does not parse: %s", jerr.text);
    if (!json_equal(got, expected)) {
        char *g = json_dumps(got, JSON_SORT_KEYS);
        char *w = json_dumps(expected, JSON_SORT_KEYS);
        print_error("got:  %s\nwant: %s\n", g, w);
        free(g);
        free(w);
        json_decref(expected);
        fail();
    }
    json_decref(expected);
}

/* The call equals the expected document, has the expected type, and a strict master reads it. */
static void check_call(json_t *call, const char *type, const char *expected)
{
    assert_non_null(call);
    assert_json_equal(call, expected);
    assert_string_equal(mesos_call_type(call), type);
    mk_err err = {{0}};
    if (schema_check_call(call, &err) < 0)
        fail_msg("schema rejects the %s call: %s", type, err.msg);
    if (schema_validate_call(call, &err) < 0)
        fail_msg("validation rejects the %s call: %s", type, err.msg);
    json_decref(call);
}

/* ---- SUBSCRIBE --------------------------------------------------------------------------------
 */

#define CAPABILITIES                                                                               \
    "'capabilities': [{'type': 'MULTI_ROLE'}, {'type': 'PARTITION_AWARE'},"                        \
    "                 {'type': 'TASK_KILLING_STATE'}]"

static void test_first_subscribe(void **state)
{
    config cfg = test_config();
    check_call(mesos_call_subscribe(&cfg, NULL), "SUBSCRIBE",
               "{'type': 'SUBSCRIBE', 'subscribe': {'framework_info': {"
               "'user': 'root', 'name': 'mesos-kafka', 'failover_timeout': 604800.0,"
               "'checkpoint': true, 'roles': ['kafka'], 'hostname': 'sched1.example',"
               "'principal': 'kafka', 'webui_url': 'http://sched1.example:7000/'," CAPABILITIES
               "}}}");
}

static void test_resubscribe_sets_both_ids(void **state)
{
    config cfg = test_config();
    cfg.mesos_principal = NULL; /* no principal: the field is left out, the master fills it */
    check_call(
        mesos_call_subscribe(&cfg, FID), "SUBSCRIBE",
        "{'type': 'SUBSCRIBE', " F ", 'subscribe': {'framework_info': {"
        "'user': 'root', 'name': 'mesos-kafka', 'id': {'value': '" FID "'},"
        "'failover_timeout': 604800.0, 'checkpoint': true, 'roles': ['kafka'],"
        "'hostname': 'sched1.example', 'webui_url': 'http://sched1.example:7000/'," CAPABILITIES
        "}}}");
}

static void test_framework_info_alone(void **state)
{
    config cfg = test_config();
    cfg.framework_hostname = NULL;
    cfg.framework_webui_url = NULL;
    cfg.failover_timeout_s = 0;
    cfg.framework_role = "kafka/prod";
    json_t *fi = mesos_framework_info(&cfg, NULL);
    assert_json_equal(
        fi, "{'user': 'root', 'name': 'mesos-kafka', 'failover_timeout': 0.0,"
            "'checkpoint': true, 'roles': ['kafka/prod'], 'principal': 'kafka'," CAPABILITIES "}");
    /* Declaration order of FrameworkInfo in mesos.proto, so logs read like the proto. */
    char *dumped = json_dumps(fi, JSON_COMPACT);
    assert_string_equal(dumped,
                        "{\"user\":\"root\",\"name\":\"mesos-kafka\","
                        "\"failover_timeout\":0.0,\"checkpoint\":true,"
                        "\"roles\":[\"kafka/prod\"],\"principal\":\"kafka\","
                        "\"capabilities\":[{\"type\":\"MULTI_ROLE\"},"
                        "{\"type\":\"PARTITION_AWARE\"},{\"type\":\"TASK_KILLING_STATE\"}]}");
    free(dumped);
    json_decref(fi);

    fi = mesos_framework_info(&cfg, FID);
    assert_json_equal(json_object_get(fi, "id"), "{'value': '" FID "'}");
    assert_true(json_is_real(json_object_get(fi, "failover_timeout")));
    json_decref(fi);
}

/* ---- the calls of §5 --------------------------------------------------------------------------
 */

static void test_teardown(void **state)
{
    check_call(mesos_call_teardown(FID), "TEARDOWN", "{" F ", 'type': 'TEARDOWN'}");
}

static void test_accept(void **state)
{
    const char *ids[] = {"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O7"};
    json_t *ops =
        json_loads(q("[{'type': 'LAUNCH', 'launch': {'task_infos': [{'name': 'broker-0',"
                     "'task_id': {'value': 'broker-0.7f3a'}, 'agent_id': {'value': '" AGENT "'},"
                     "'resources': [{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1.0},"
                     "               'allocation_info': {'role': 'kafka'}}],"
                     "'command': {'shell': false}, 'container': {'type': 'DOCKER',"
                     "'docker': {'image': 'apache/kafka:3.9.0', 'network': 'BRIDGE'}}}]}}]"),
                   0, NULL);
    assert_non_null(ops);
    json_t *ops_copy = json_deep_copy(ops);
    json_t *call = mesos_call_accept(FID, ids, 1, ops, 5.0);
    json_t *expected = json_pack("{s:s, s:{s:s}, s:{s:[{s:s}], s:o, s:{s:f}}}", "type", "ACCEPT",
                                 "framework_id", "value", FID, "accept", "offer_ids", "value",
                                 ids[0], "operations", ops_copy, "filters", "refuse_seconds", 5.0);
    assert_true(json_equal(call, expected));
    json_decref(expected);
    check_call(call, "ACCEPT",
               "{'type': 'ACCEPT', " F ", 'accept': {"
               "'offer_ids': [{'value': '5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O7'}],"
               "'operations': [{'type': 'LAUNCH', 'launch': {'task_infos': [{'name': 'broker-0',"
               "'task_id': {'value': 'broker-0.7f3a'}, 'agent_id': {'value': '" AGENT "'},"
               "'resources': [{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1.0},"
               "               'allocation_info': {'role': 'kafka'}}],"
               "'command': {'shell': false}, 'container': {'type': 'DOCKER',"
               "'docker': {'image': 'apache/kafka:3.9.0', 'network': 'BRIDGE'}}}]}}],"
               "'filters': {'refuse_seconds': 5.0}}}");

    /* No operations (a plain "use nothing") and no filters. */
    check_call(mesos_call_accept(FID, ids, 1, NULL, -1), "ACCEPT",
               "{'type': 'ACCEPT', " F ", 'accept': {"
               "'offer_ids': [{'value': '5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O7'}],"
               "'operations': []}}");
}

static void test_decline(void **state)
{
    const char *ids[] = {"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O8", "m-O9"};
    check_call(mesos_call_decline(FID, ids, 1, 120.0), "DECLINE",
               "{" F ", 'type': 'DECLINE',"
               " 'decline': {'offer_ids': [{'value': '5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O8'}],"
               "             'filters': {'refuse_seconds': 120.0}}}");
    check_call(mesos_call_decline(FID, ids, 2, -1), "DECLINE",
               "{" F ", 'type': 'DECLINE', 'decline': {'offer_ids': ["
               "{'value': '5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O8'}, {'value': 'm-O9'}]}}");
    /* refuse_seconds: 0 is kept, NaN means "default", huge values are the master's one-year cap. */
    static const struct {
        double refuse;
        const char *filters; /* NULL: no filters */
    } cases[] = {
        {0.0, "{'refuse_seconds': 0.0}"},
        {NAN, NULL},
        {-5.0, NULL},
        {1e12, "{'refuse_seconds': 31536000.0}"},
        {INFINITY, "{'refuse_seconds': 31536000.0}"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        json_t *call = mesos_call_decline(FID, ids, 1, cases[i].refuse);
        json_t *filters = json_object_get(json_object_get(call, "decline"), "filters");
        if (cases[i].filters)
            assert_json_equal(filters, cases[i].filters);
        else
            assert_null(filters);
        json_decref(call);
    }
}

static void test_acknowledge_copies_uuid(void **state)
{
    check_call(mesos_call_acknowledge(FID, AGENT, "broker-0.7f3a", "fB16sW1VSg6b1mz24qOo+Q=="),
               "ACKNOWLEDGE",
               "{" F ", 'type': 'ACKNOWLEDGE',"
               " 'acknowledge': {'agent_id': {'value': '" AGENT "'},"
               "                 'task_id': {'value': 'broker-0.7f3a'},"
               "                 'uuid': 'fB16sW1VSg6b1mz24qOo+Q=='}}");
}

static void test_kill(void **state)
{
    check_call(mesos_call_kill(FID, "broker-0.7f3a", AGENT, 10000000000LL), "KILL",
               "{" F ", 'type': 'KILL',"
               " 'kill': {'task_id': {'value': 'broker-0.7f3a'}, 'agent_id': {'value': '" AGENT
               "'},"
               "          'kill_policy': {'grace_period': {'nanoseconds': 10000000000}}}}");
    check_call(mesos_call_kill(FID, "broker-0.7f3a", NULL, -1), "KILL",
               "{" F ", 'type': 'KILL', 'kill': {'task_id': {'value': 'broker-0.7f3a'}}}");
    check_call(mesos_call_kill(FID, "t", NULL, 0), "KILL",
               "{" F ", 'type': 'KILL', 'kill': {'task_id': {'value': 't'},"
               " 'kill_policy': {'grace_period': {'nanoseconds': 0}}}}");
}

static void test_reconcile_explicit_and_implicit(void **state)
{
    mesos_reconcile_task tasks[] = {{"broker-0.7f3a", AGENT}, {"zookeeper-1.y", NULL}};
    check_call(mesos_call_reconcile(FID, tasks, 2), "RECONCILE",
               "{" F ", 'type': 'RECONCILE',"
               " 'reconcile': {'tasks': [{'task_id': {'value': 'broker-0.7f3a'},"
               "                          'agent_id': {'value': '" AGENT "'}},"
               "                         {'task_id': {'value': 'zookeeper-1.y'}}]}}");
    check_call(mesos_call_reconcile(FID, NULL, 0), "RECONCILE",
               "{" F ", 'type': 'RECONCILE', 'reconcile': {}}");
}

static void test_revive_and_suppress(void **state)
{
    check_call(mesos_call_revive(FID, "kafka"), "REVIVE",
               "{" F ", 'type': 'REVIVE', 'revive': {'roles': ['kafka']}}");
    check_call(mesos_call_suppress(FID, "kafka"), "SUPPRESS",
               "{" F ", 'type': 'SUPPRESS', 'suppress': {'roles': ['kafka']}}");
    check_call(mesos_call_revive(FID, NULL), "REVIVE", "{" F ", 'type': 'REVIVE', 'revive': {}}");
    check_call(mesos_call_suppress(FID, NULL), "SUPPRESS",
               "{" F ", 'type': 'SUPPRESS', 'suppress': {}}");
}

/* ---- robustness -------------------------------------------------------------------------------
 */

/* jansson refuses NULL and non-UTF-8 strings; the builders must still produce the field. */
static void test_bad_strings_still_give_the_field(void **state)
{
    json_t *call = mesos_call_kill(FID, NULL, "S\xff\xfe", -1);
    assert_json_equal(call, "{" F ", 'type': 'KILL', 'kill': {'task_id': {'value': ''},"
                            " 'agent_id': {'value': 'S?\?'}}}");
    json_decref(call);
}

static void test_call_type_of_anything(void **state)
{
    json_t *not_a_call = json_pack("{s:i}", "type", 5);
    assert_string_equal(mesos_call_type(not_a_call), "?");
    assert_string_equal(mesos_call_type(NULL), "?");
    json_decref(not_a_call);
}

/* The exact bytes on the wire for the smallest calls (key order and number forms). */
static void test_wire_bytes(void **state)
{
    json_t *call = mesos_call_revive("F1", "kafka");
    char *text = json_dumps(call, JSON_COMPACT);
    assert_string_equal(text, "{\"type\":\"REVIVE\",\"framework_id\":{\"value\":\"F1\"},"
                              "\"revive\":{\"roles\":[\"kafka\"]}}");
    free(text);
    json_decref(call);
    const char *ids[] = {"O1"};
    call = mesos_call_decline("F1", ids, 1, 5);
    text = json_dumps(call, JSON_COMPACT);
    assert_string_equal(text, "{\"type\":\"DECLINE\",\"framework_id\":{\"value\":\"F1\"},"
                              "\"decline\":{\"offer_ids\":[{\"value\":\"O1\"}],"
                              "\"filters\":{\"refuse_seconds\":5.0}}}");
    free(text);
    json_decref(call);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_subscribe),
        cmocka_unit_test(test_resubscribe_sets_both_ids),
        cmocka_unit_test(test_framework_info_alone),
        cmocka_unit_test(test_teardown),
        cmocka_unit_test(test_accept),
        cmocka_unit_test(test_decline),
        cmocka_unit_test(test_acknowledge_copies_uuid),
        cmocka_unit_test(test_kill),
        cmocka_unit_test(test_reconcile_explicit_and_implicit),
        cmocka_unit_test(test_revive_and_suppress),
        cmocka_unit_test(test_bad_strings_still_give_the_field),
        cmocka_unit_test(test_call_type_of_anything),
        cmocka_unit_test(test_wire_bytes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(quoted);
    return failed;
}
