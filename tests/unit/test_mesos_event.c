/*
 * Event parsing: one real-shaped example of every event type, both resource formats, numbers given as
 * strings, unknown fields ignored, and a table of malformed events each rejected without a leak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "mesos_event.h"

static void parse_ok(const char *json, mesos_event *ev)
{
    mk_err err = {{0}};
    if (mesos_event_parse(json, strlen(json), ev, &err) < 0)
        fail_msg("rejected: %s", err.msg);
}

static void test_subscribed(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"m1-0000\"},"
             "\"heartbeat_interval_seconds\":15.0,\"master_info\":{\"id\":\"m1\",\"ip\":16777343,"
             "\"port\":5050,\"hostname\":\"master1\",\"version\":\"1.11.0\","
             "\"some_future_field\":[1,2]}}}",
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_SUBSCRIBED);
    assert_string_equal(ev.u.subscribed.framework_id, "m1-0000");
    assert_true(ev.u.subscribed.heartbeat_interval_s == 15.0);
    assert_string_equal(ev.u.subscribed.master_id, "m1");
    assert_string_equal(ev.u.subscribed.master_hostname, "master1");
    mesos_event_clear(&ev);
    assert_int_equal(ev.type, MESOS_EVENT_UNKNOWN);
}

static void test_heartbeat(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"HEARTBEAT\"}", &ev);
    assert_int_equal(ev.type, MESOS_EVENT_HEARTBEAT);
    mesos_event_clear(&ev);
}

static const char legacy_offer[] =
    "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{\"id\":{\"value\":\"m1-O7\"},"
    "\"framework_id\":{\"value\":\"m1-0000\"},\"agent_id\":{\"value\":\"m1-S0\"},"
    "\"hostname\":\"agent1\",\"url\":{\"scheme\":\"http\",\"address\":{\"hostname\":\"agent1\","
    "\"ip\":\"10.0.0.11\",\"port\":5051},\"path\":\"/slave(1)\"},"
    "\"resources\":["
    "{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":4.0},\"role\":\"*\","
    "\"allocation_info\":{\"role\":\"kafka\"}},"
    "{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":\"2.5\"},\"role\":\"kafka\","
    "\"reservation\":{\"principal\":\"kafka\"},\"allocation_info\":{\"role\":\"kafka\"}},"
    "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":15360.0},\"role\":\"*\"},"
    "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1000.0},\"role\":\"kafka\","
    "\"disk\":{\"persistence\":{\"id\":\"v1\"},\"volume\":{\"container_path\":\"data\",\"mode\":\"RW\"}}},"
    "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":[{\"begin\":31000,\"end\":31005},"
    "{\"begin\":\"32000\",\"end\":\"32000\"}]},\"role\":\"*\"}],"
    "\"attributes\":[{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r1\"}},"
    "{\"name\":\"ssd\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1.0}},"
    "{\"name\":\"zones\",\"type\":\"SET\",\"set\":{\"item\":[\"a\",\"b\"]}}],"
    "\"allocation_info\":{\"role\":\"kafka\"}}]}}";

static void test_offers_legacy_format(void **state)
{
    mesos_event ev;
    parse_ok(legacy_offer, &ev);
    assert_int_equal(ev.type, MESOS_EVENT_OFFERS);
    assert_int_equal(ev.u.offers.n_offers, 1);
    const mesos_offer *o = &ev.u.offers.offers[0];
    assert_string_equal(o->id, "m1-O7");
    assert_string_equal(o->agent_id, "m1-S0");
    assert_string_equal(o->hostname, "agent1");
    assert_string_equal(o->allocation_role, "kafka");
    assert_int_equal(o->n_resources, 5);
    assert_null(o->resources[0].role);
    assert_string_equal(o->resources[1].role, "kafka");
    assert_non_null(strstr(o->resources[1].reservation_json, "\"principal\""));
    assert_true(o->resources[3].has_disk_info);
    assert_int_equal(o->resources[4].type, RESOURCE_RANGES);
    assert_int_equal(o->resources[4].n_ranges, 2);
    assert_int_equal(o->resources[4].ranges[1].begin, 32000);
    assert_true(mesos_offer_scalar(o, "cpus", "kafka") == 6.5);
    assert_true(mesos_offer_scalar(o, "cpus", NULL) == 4.0);
    assert_true(mesos_offer_scalar(o, "disk", "kafka") == 0.0); /* a volume is not plain disk */
    assert_int_equal(o->n_attributes, 3);
    assert_string_equal(o->attributes[0].value, "r1");
    assert_string_equal(o->attributes[1].value, "1");
    assert_string_equal(o->attributes[2].value, "{a,b}");
    mesos_event_clear(&ev);
}

static void test_offers_refinement_format(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{\"id\":{\"value\":\"O1\"},"
             "\"agent_id\":{\"value\":\"S1\"},\"hostname\":\"a\",\"resources\":["
             "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":100}},"
             "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":50},"
             "\"reservations\":[{\"type\":\"STATIC\",\"role\":\"kafka\"},"
             "{\"type\":\"DYNAMIC\",\"role\":\"kafka/prod\",\"principal\":\"p\"}]}]}]}}",
             &ev);
    const mesos_offer *o = &ev.u.offers.offers[0];
    assert_null(o->resources[0].role);
    assert_string_equal(o->resources[1].role, "kafka/prod");
    assert_true(mesos_offer_scalar(o, "mem", "kafka/prod") == 150.0);
    assert_true(mesos_offer_scalar(o, "mem", "kafka") == 100.0);
    mesos_event_clear(&ev);
}

static void test_update_from_executor(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"kafka-0.x\"},"
             "\"state\":\"TASK_RUNNING\",\"source\":\"SOURCE_EXECUTOR\",\"data\":\"W10=\","
             "\"agent_id\":{\"value\":\"S0\"},\"executor_id\":{\"value\":\"kafka-0.x\"},"
             "\"timestamp\":1732291201.53,\"uuid\":\"fB16sW1VSg6b1mz24qOo+Q==\",\"healthy\":true,"
             "\"container_status\":{\"container_id\":{\"value\":\"c1\"},\"network_infos\":[{"
             "\"ip_addresses\":[{\"protocol\":\"IPv4\",\"ip_address\":\"172.17.0.2\"}]}],"
             "\"executor_pid\":4242}}}}",
             &ev);
    const mesos_task_status *s = &ev.u.update;
    assert_string_equal(s->task_id, "kafka-0.x");
    assert_int_equal(s->state, TASK_RUNNING);
    assert_string_equal(s->uuid, "fB16sW1VSg6b1mz24qOo+Q==");
    assert_int_equal(s->healthy, 1);
    assert_int_equal(s->n_ip_addresses, 1);
    assert_string_equal(s->ip_addresses[0], "172.17.0.2");
    assert_string_equal(s->container_id, "c1");
    assert_int_equal(s->unreachable_time_ns, -1);
    mesos_event_clear(&ev);
}

static void test_update_from_master_has_no_uuid(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"b-9\"},"
             "\"state\":\"TASK_UNREACHABLE\",\"message\":\"Reconciliation: Task is unknown\","
             "\"source\":\"SOURCE_MASTER\",\"reason\":\"REASON_RECONCILIATION\","
             "\"timestamp\":\"1732291300.0\",\"unreachable_time\":{\"nanoseconds\":5}}}}",
             &ev);
    assert_null(ev.u.update.uuid);
    assert_int_equal(ev.u.update.healthy, -1);
    assert_int_equal(ev.u.update.state, TASK_UNREACHABLE);
    assert_false(mesos_task_state_is_terminal(ev.u.update.state));
    assert_string_equal(ev.u.update.reason, "REASON_RECONCILIATION");
    assert_int_equal(ev.u.update.unreachable_time_ns, 5);
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"b\"},"
             "\"state\":\"TASK_FUTURE_STATE\"}}}",
             &ev);
    assert_int_equal(ev.u.update.state, TASK_STATE_UNKNOWN_ENUM);
    assert_string_equal(ev.u.update.state_name, "TASK_FUTURE_STATE");
    mesos_event_clear(&ev);
}

static void test_other_event_types(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"RESCIND\",\"rescind\":{\"offer_id\":{\"value\":\"O7\"}}}", &ev);
    assert_string_equal(ev.u.rescind.offer_id, "O7");
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"INVERSE_OFFERS\",\"inverse_offers\":{\"inverse_offers\":[{"
             "\"id\":{\"value\":\"O9\"},\"framework_id\":{\"value\":\"F\"},"
             "\"agent_id\":{\"value\":\"S0\"},\"unavailability\":{\"start\":{\"nanoseconds\":1}}}]}}",
             &ev);
    assert_int_equal(ev.u.inverse_offers.n, 1);
    assert_string_equal(ev.u.inverse_offers.ids[0], "O9");
    assert_string_equal(ev.u.inverse_offers.agent_ids[0], "S0");
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"RESCIND_INVERSE_OFFER\",\"rescind_inverse_offer\":{"
             "\"inverse_offer_id\":{\"value\":\"O9\"}}}",
             &ev);
    assert_string_equal(ev.u.rescind_inverse_offer.inverse_offer_id, "O9");
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"UPDATE_OPERATION_STATUS\",\"update_operation_status\":{\"status\":{"
             "\"operation_id\":{\"value\":\"r0\"},\"state\":\"OPERATION_FINISHED\","
             "\"uuid\":{\"value\":\"fB16sW1VSg6b1mz24qOo+Q==\"},\"agent_id\":{\"value\":\"S0\"}}}}",
             &ev);
    assert_string_equal(ev.u.operation_status.operation_id, "r0");
    assert_string_equal(ev.u.operation_status.uuid, "fB16sW1VSg6b1mz24qOo+Q==");
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"MESSAGE\",\"message\":{\"agent_id\":{\"value\":\"S0\"},"
             "\"executor_id\":{\"value\":\"e\"},\"data\":\"aGVsbG8=\"}}",
             &ev);
    assert_int_equal(ev.u.message.data_len, 5);
    assert_memory_equal(ev.u.message.data, "hello", 5);
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"FAILURE\",\"failure\":{\"agent_id\":{\"value\":\"S0\"},"
             "\"executor_id\":{\"value\":\"e\"},\"status\":256}}",
             &ev);
    assert_true(ev.u.failure.has_status);
    assert_int_equal(ev.u.failure.status, 256);
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"FAILURE\",\"failure\":{\"agent_id\":{\"value\":\"S0\"}}}", &ev);
    assert_null(ev.u.failure.executor_id);
    assert_false(ev.u.failure.has_status);
    mesos_event_clear(&ev);

    parse_ok("{\"type\":\"ERROR\",\"error\":{\"message\":\"Framework failed over\"}}", &ev);
    assert_string_equal(ev.u.error.message, "Framework failed over");
    mesos_event_clear(&ev);
}

static void test_malformed_events(void **state)
{
    static const struct {
        const char *json;
        const char *message_part;
    } cases[] = {
        {"", "not JSON"},
        {"{\"type\":", "not JSON"},
        {"[1,2]", "not a JSON object"},
        {"{}", "no type"},
        {"{\"type\":5}", "not a string"},
        {"{\"type\":\"PING\"}", "unknown event type 'PING'"},
        {"{\"type\":\"SUBSCRIBED\"}", "subscribed is missing"},
        {"{\"type\":\"SUBSCRIBED\",\"subscribed\":{}}", "framework_id is missing"},
        {"{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":\"x\"}}", "not an object"},
        {"{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"f\"},"
         "\"heartbeat_interval_seconds\":-1}}",
         "positive"},
        {"{\"type\":\"OFFERS\",\"offers\":{}}", "offers.offers is missing"},
        {"{\"type\":\"OFFERS\",\"offers\":{\"offers\":5}}", "not an array"},
        {"{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{\"id\":{\"value\":\"O\"}}]}}",
         "agent_id is missing"},
        {"{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{\"id\":{\"value\":\"O\"},\"agent_id\":{"
         "\"value\":\"S\"},\"hostname\":\"h\",\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\"}]}]}}",
         "no valid scalar.value"},
        {"{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{\"id\":{\"value\":\"O\"},\"agent_id\":{"
         "\"value\":\"S\"},\"hostname\":\"h\",\"resources\":[{\"name\":\"ports\",\"type\":\"RANGES\","
         "\"ranges\":{\"range\":[{\"begin\":5,\"end\":1}]}}]}]}}",
         "not a valid {begin, end} range"},
        {"{\"type\":\"UPDATE\",\"update\":{}}", "update.status is missing"},
        {"{\"type\":\"UPDATE\",\"update\":{\"status\":{\"state\":\"TASK_RUNNING\"}}}",
         "task_id is missing"},
        {"{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"}}}}",
         "state is missing"},
        {"{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":{\"value\":\"t\"},"
         "\"state\":\"TASK_RUNNING\",\"healthy\":\"yes\"}}}",
         "not a boolean"},
        {"{\"type\":\"RESCIND\",\"rescind\":{}}", "offer_id is missing"},
        {"{\"type\":\"MESSAGE\",\"message\":{\"agent_id\":{\"value\":\"S\"},\"executor_id\":{"
         "\"value\":\"e\"},\"data\":\"a-b_\"}}",
         "not valid base64"},
        {"{\"type\":\"ERROR\",\"error\":{}}", "message is missing"},
        {"{\"type\":\"ERROR\",\"message\":\"old doc format\"}", "error is missing"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        mesos_event ev;
        mk_err err = {{0}};
        if (mesos_event_parse(cases[i].json, strlen(cases[i].json), &ev, &err) != -1)
            fail_msg("case %zu accepted: %s", i, cases[i].json);
        if (!strstr(err.msg, cases[i].message_part))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].message_part);
        assert_int_equal(ev.type, MESOS_EVENT_UNKNOWN);
    }
}

static void test_names(void **state)
{
    assert_string_equal(mesos_event_type_name(MESOS_EVENT_UPDATE_OPERATION_STATUS),
                        "UPDATE_OPERATION_STATUS");
    mesos_task_state s;
    assert_int_equal(mesos_task_state_parse("TASK_GONE_BY_OPERATOR", &s), 0);
    assert_int_equal(s, TASK_GONE_BY_OPERATOR);
    assert_true(mesos_task_state_is_terminal(s));
    assert_int_equal(mesos_task_state_parse("RUNNING", &s), -1);
    assert_string_equal(mesos_task_state_name(TASK_KILLING), "TASK_KILLING");
    assert_false(mesos_task_state_is_terminal(TASK_KILLING));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subscribed),
        cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_offers_legacy_format),
        cmocka_unit_test(test_offers_refinement_format),
        cmocka_unit_test(test_update_from_executor),
        cmocka_unit_test(test_update_from_master_has_no_uuid),
        cmocka_unit_test(test_other_event_types),
        cmocka_unit_test(test_malformed_events),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
