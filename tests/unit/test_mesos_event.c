/*
 * Event parsing: a real-shaped example of every event type (after MESOS-API.md §6, written for
 * these tests), both resource formats, numbers given as strings, unknown fields ignored, null as
 * absent, and a table of malformed events each rejected with a message and without a leak (ASan's
 * leak checker runs when the binary exits).
 *
 * Test JSON is written with single quotes for readability; q() turns them into double quotes (no
 * test value needs a literal single quote).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesos_event.h"

#define M "5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44"

/* Single quotes to double quotes, in one of a few rotating buffers (enough for nested calls). */
static char *quoted[4];

static const char *q(const char *text)
{
    static size_t next;
    char **buf = &quoted[next++ % MK_ARRAY_LEN(quoted)];
    free(*buf);
    *buf = mk_xstrdup(text);
    for (char *p = *buf; *p; p++)
        if (*p == '\'')
            *p = '"';
    return *buf;
}

static void parse_ok(const char *json, mesos_event *ev)
{
    mk_err err = {{0}};
    if (mesos_event_parse(json, strlen(json), ev, &err) < 0)
        fail_msg("rejected: %s\n  %s", err.msg, json);
}

/* Parses, expects a failure whose message contains `part`, and an untouched (zero) event. */
static void parse_fails(const char *json, const char *part)
{
    mesos_event ev;
    mk_err err = {{0}};
    if (mesos_event_parse(json, strlen(json), &ev, &err) != -1)
        fail_msg("accepted: %s", json);
    if (!strstr(err.msg, part))
        fail_msg("message '%s' lacks '%s'\n  for %s", err.msg, part, json);
    static const mesos_event zero;
    assert_memory_equal(&ev, &zero, sizeof(ev));
}

/* ---- one valid example of every type ----------------------------------------------------------
 */

static void test_subscribed(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'SUBSCRIBED', 'subscribed': {"
               "'framework_id': {'value': '" M "-0000'}, 'heartbeat_interval_seconds': 15.0,"
               "'master_info': {'id': '" M "', 'ip': 16777343, 'port': 5050,"
               "  'pid': 'master@127.0.0.1:5050', 'hostname': 'm1', 'version': '1.11.0',"
               "  'address': {'hostname': 'm1', 'ip': '127.0.0.1', 'port': 5050},"
               "  'capabilities': [{'type': 'AGENT_UPDATE'}, {'type': 'QUOTA_V2'}]}}}"),
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_SUBSCRIBED);
    assert_string_equal(ev.u.subscribed.framework_id, M "-0000");
    assert_true(ev.u.subscribed.heartbeat_interval_s == 15.0);
    assert_string_equal(ev.u.subscribed.master_id, M);
    assert_string_equal(ev.u.subscribed.master_hostname, "m1");
    mesos_event_clear(&ev);
    assert_int_equal(ev.type, MESOS_EVENT_UNKNOWN);

    /* Defaults: no interval means the master's 15 s; the host name may come from address. */
    parse_ok(
        q("{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'},"
          "'master_info': {'id': 'm', 'ip': 1, 'port': 5050, 'address': {'hostname': 'm2'}}}}"),
        &ev);
    assert_true(ev.u.subscribed.heartbeat_interval_s == 15.0);
    assert_string_equal(ev.u.subscribed.master_hostname, "m2");
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'}}}"), &ev);
    assert_null(ev.u.subscribed.master_id);
    assert_null(ev.u.subscribed.master_hostname);
    mesos_event_clear(&ev);
}

static void test_heartbeat(void **state)
{
    mesos_event ev;
    parse_ok("{\"type\":\"HEARTBEAT\"}", &ev);
    assert_int_equal(ev.type, MESOS_EVENT_HEARTBEAT);
    mesos_event_clear(&ev);
}

/* The §6 offer (legacy format, as a framework without RESERVATION_REFINEMENT sees it), plus a
 * dynamically reserved cpus, a persistent volume, a SET resource and every attribute type. */
static const char legacy_offers[] =
    "{'type': 'OFFERS', 'offers': {'offers': [{"
    "'id': {'value': '" M "-O7'}, 'framework_id': {'value': '" M "-0000'},"
    "'agent_id': {'value': '" M "-S0'}, 'hostname': 'agent1.example',"
    "'url': {'scheme': 'http', 'address': {'hostname': 'agent1.example', 'ip': '10.0.0.11',"
    "        'port': 5051}, 'path': '/slave(1)'},"
    "'resources': ["
    " {'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 4.0}, 'role': '*',"
    "  'allocation_info': {'role': 'kafka'}},"
    " {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': 15360.0}, 'role': '*',"
    "  'allocation_info': {'role': 'kafka'}},"
    " {'name': 'disk', 'type': 'SCALAR', 'scalar': {'value': 100000.0}, 'role': '*',"
    "  'allocation_info': {'role': 'kafka'}},"
    " {'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [{'begin': 31000, 'end': 32000}]},"
    "  'role': '*', 'allocation_info': {'role': 'kafka'}},"
    " {'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 2.5}, 'role': 'kafka',"
    "  'reservation': {'principal': 'kafka'}, 'allocation_info': {'role': 'kafka'}},"
    " {'name': 'disk', 'type': 'SCALAR', 'scalar': {'value': 20480.0}, 'role': 'kafka',"
    "  'reservation': {'principal': 'kafka'}, 'allocation_info': {'role': 'kafka'},"
    "  'disk': {'persistence': {'id': 'broker-0-data', 'principal': 'kafka'},"
    "           'volume': {'container_path': 'data', 'mode': 'RW'}}},"
    " {'name': 'gpus_model', 'type': 'SET', 'set': {'item': ['a100', 'h100']}, 'role': '*'}],"
    "'attributes': [{'name': 'rack', 'type': 'TEXT', 'text': {'value': 'r1'}},"
    "               {'name': 'ssd', 'type': 'SCALAR', 'scalar': {'value': 1.0}},"
    "               {'name': 'slots', 'type': 'RANGES',"
    "                'ranges': {'range': [{'begin': 1, 'end': 4}, {'begin': 8, 'end': 8}]}},"
    "               {'name': 'zones', 'type': 'SET', 'set': {'item': ['a', 'b']}}],"
    "'allocation_info': {'role': 'kafka'}}]}}";

static void test_offers_legacy_format(void **state)
{
    mesos_event ev;
    parse_ok(q(legacy_offers), &ev);
    assert_int_equal(ev.type, MESOS_EVENT_OFFERS);
    assert_int_equal(ev.u.offers.n_offers, 1);
    const mesos_offer *o = &ev.u.offers.offers[0];
    assert_string_equal(o->id, M "-O7");
    assert_string_equal(o->agent_id, M "-S0");
    assert_string_equal(o->hostname, "agent1.example");
    assert_string_equal(o->allocation_role, "kafka");
    assert_int_equal(o->n_resources, 7);
    for (size_t i = 0; i < 4; i++) {
        assert_null(o->resources[i].role); /* "*" is unreserved */
        assert_null(o->resources[i].reservation_json);
    }
    assert_int_equal(o->resources[0].type, RESOURCE_SCALAR);
    assert_true(o->resources[0].scalar == 4.0);
    assert_int_equal(o->resources[3].type, RESOURCE_RANGES);
    assert_int_equal(o->resources[3].n_ranges, 1);
    assert_int_equal(o->resources[3].ranges[0].begin, 31000);
    assert_int_equal(o->resources[3].ranges[0].end, 32000);
    assert_string_equal(o->resources[4].role, "kafka");
    assert_string_equal(o->resources[4].reservation_json,
                        "{\"reservation\":{\"principal\":\"kafka\"},\"role\":\"kafka\"}");
    assert_false(o->resources[4].has_disk_info);
    assert_true(o->resources[5].has_disk_info);
    assert_int_equal(o->resources[6].type, RESOURCE_SET);
    assert_int_equal(o->resources[6].n_set_items, 2);
    assert_string_equal(o->resources[6].set_items[1], "h100");

    assert_true(mesos_offer_scalar(o, "cpus", "kafka") == 6.5);
    assert_true(mesos_offer_scalar(o, "cpus", NULL) == 4.0);
    assert_true(mesos_offer_scalar(o, "cpus", "other") == 4.0);
    assert_true(mesos_offer_scalar(o, "disk", "kafka") ==
                100000.0); /* a volume is not plain disk */
    assert_true(mesos_offer_scalar(o, "gpus", "kafka") == 0.0);

    static const char *const attributes[][2] = {
        {"rack", "r1"}, {"ssd", "1"}, {"slots", "[1-4,8-8]"}, {"zones", "{a,b}"}};
    assert_int_equal(o->n_attributes, MK_ARRAY_LEN(attributes));
    for (size_t i = 0; i < MK_ARRAY_LEN(attributes); i++) {
        assert_string_equal(o->attributes[i].name, attributes[i][0]);
        assert_string_equal(o->attributes[i].value, attributes[i][1]);
    }
    mesos_event_clear(&ev);
}

/* RESERVATION_REFINEMENT format: unreserved resources carry neither role nor reservations. */
static void test_offers_refinement_format(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'OFFERS', 'offers': {'offers': [{'id': {'value': 'O1'},"
               "'framework_id': {'value': 'F'}, 'agent_id': {'value': 'S1'}, 'hostname': 'a',"
               "'resources': ["
               " {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': 100},"
               "  'allocation_info': {'role': 'kafka/prod'}},"
               " {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': 50}, 'reservations': []},"
               " {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': 25},"
               "  'reservations': [{'type': 'STATIC', 'role': 'kafka'},"
               "                   {'type': 'DYNAMIC', 'role': 'kafka/prod', 'principal': 'p'}]},"
               " {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': 12},"
               "  'reservations': [{'type': 'STATIC', 'role': 'kafka'}]}],"
               "'allocation_info': {'role': 'kafka/prod'}}]}}"),
             &ev);
    const mesos_offer *o = &ev.u.offers.offers[0];
    assert_null(o->resources[0].role);
    assert_null(o->resources[1].role);
    assert_string_equal(o->resources[2].role, "kafka/prod"); /* the top of the stack */
    assert_string_equal(o->resources[3].role, "kafka");
    assert_non_null(strstr(o->resources[2].reservation_json, "\"reservations\":[{"));
    assert_true(mesos_offer_scalar(o, "mem", "kafka/prod") == 175.0);
    assert_true(mesos_offer_scalar(o, "mem", "kafka") == 162.0);
    assert_true(mesos_offer_scalar(o, "mem", NULL) == 150.0);
    mesos_event_clear(&ev);

    /* An OFFERS event may carry no offers at all. */
    parse_ok(q("{'type': 'OFFERS', 'offers': {'offers': []}}"), &ev);
    assert_int_equal(ev.u.offers.n_offers, 0);
    mesos_event_clear(&ev);
}

static void test_inverse_offers(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'INVERSE_OFFERS', 'inverse_offers': {'inverse_offers': [{"
               "'id': {'value': '" M "-O9'}, 'framework_id': {'value': '" M "-0000'},"
               "'agent_id': {'value': '" M "-S0'},"
               "'unavailability': {'start': {'nanoseconds': 1732300000000000000},"
               "                   'duration': {'nanoseconds': 3600000000000}}},"
               "{'id': {'value': 'O10'}, 'framework_id': {'value': 'F'},"
               " 'unavailability': {'start': {'nanoseconds': 1}}}]}}"),
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_INVERSE_OFFERS);
    assert_int_equal(ev.u.inverse_offers.n, 2);
    assert_string_equal(ev.u.inverse_offers.ids[0], M "-O9");
    assert_string_equal(ev.u.inverse_offers.agent_ids[0], M "-S0");
    assert_null(ev.u.inverse_offers.agent_ids[1]);
    mesos_event_clear(&ev);
}

static void test_rescinds(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'RESCIND', 'rescind': {'offer_id': {'value': '" M "-O7'}}}"), &ev);
    assert_int_equal(ev.type, MESOS_EVENT_RESCIND);
    assert_string_equal(ev.u.rescind.offer_id, M "-O7");
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'RESCIND_INVERSE_OFFER', 'rescind_inverse_offer': {"
               "'inverse_offer_id': {'value': '" M "-O9'}}}"),
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_RESCIND_INVERSE_OFFER);
    assert_string_equal(ev.u.rescind_inverse_offer.inverse_offer_id, M "-O9");
    mesos_event_clear(&ev);
}

static void test_update_from_executor(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'UPDATE', 'update': {'status': {"
               "'task_id': {'value': 'broker-0.7f3a'}, 'state': 'TASK_RUNNING',"
               "'source': 'SOURCE_EXECUTOR', 'reason': 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',"
               "'data': 'W3siSWQiOiAiYWJjIn1d', 'agent_id': {'value': '" M "-S0'},"
               "'executor_id': {'value': 'broker-0.7f3a'}, 'timestamp': 1732291201.53,"
               "'uuid': 'fB16sW1VSg6b1mz24qOo+Q==', 'healthy': true,"
               "'container_status': {'container_id': {'value': '0d5c7f4e'},"
               "  'network_infos': [{'ip_addresses': [{'protocol': 'IPv4',"
               "                                       'ip_address': '172.17.0.2'}]},"
               "                    {'ip_addresses': [{'protocol': 'IPv6'},"
               "                                      {'ip_address': 'fd00::2'}]}],"
               "  'executor_pid': 4242}}}}"),
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_UPDATE);
    const mesos_task_status *s = &ev.u.update;
    assert_string_equal(s->task_id, "broker-0.7f3a");
    assert_int_equal(s->state, TASK_RUNNING);
    assert_string_equal(s->state_name, "TASK_RUNNING");
    assert_string_equal(s->source, "SOURCE_EXECUTOR");
    assert_string_equal(s->reason, "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED");
    assert_string_equal(s->agent_id, M "-S0");
    assert_string_equal(s->executor_id, "broker-0.7f3a");
    assert_true(s->timestamp == 1732291201.53);
    assert_string_equal(s->uuid, "fB16sW1VSg6b1mz24qOo+Q==");
    assert_int_equal(s->healthy, 1);
    assert_int_equal(s->n_ip_addresses, 2);
    assert_string_equal(s->ip_addresses[0], "172.17.0.2");
    assert_string_equal(s->ip_addresses[1], "fd00::2");
    assert_string_equal(s->container_id, "0d5c7f4e");
    assert_int_equal(s->unreachable_time_ns, -1);
    assert_null(s->message);
    mesos_event_clear(&ev);
}

static void test_update_from_master(void **state)
{
    mesos_event ev;
    /* Master-generated: no uuid (must not be acknowledged), no executor, no health. */
    parse_ok(q("{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 'broker-9.x'},"
               "'state': 'TASK_LOST', 'message': 'Reconciliation: Task is unknown',"
               "'source': 'SOURCE_MASTER', 'reason': 'REASON_RECONCILIATION',"
               "'timestamp': 1732291300.0}}}"),
             &ev);
    const mesos_task_status *s = &ev.u.update;
    assert_null(s->uuid);
    assert_null(s->agent_id);
    assert_null(s->executor_id);
    assert_int_equal(s->healthy, -1);
    assert_int_equal(s->state, TASK_LOST);
    assert_true(mesos_task_state_is_terminal(s->state));
    assert_string_equal(s->message, "Reconciliation: Task is unknown");
    assert_int_equal(s->n_ip_addresses, 0);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 'b'},"
               "'state': 'TASK_UNREACHABLE', 'healthy': false,"
               "'unreachable_time': {'nanoseconds': 1732291300000000000}}}}"),
             &ev);
    assert_int_equal(ev.u.update.state, TASK_UNREACHABLE);
    assert_false(mesos_task_state_is_terminal(ev.u.update.state));
    assert_int_equal(ev.u.update.healthy, 0);
    assert_true(ev.u.update.unreachable_time_ns == 1732291300000000000LL);
    mesos_event_clear(&ev);

    /* A state this build does not know is kept by name. */
    parse_ok(q("{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 'b'},"
               "'state': 'TASK_FUTURE_STATE'}}}"),
             &ev);
    assert_int_equal(ev.u.update.state, TASK_STATE_UNKNOWN_ENUM);
    assert_string_equal(ev.u.update.state_name, "TASK_FUTURE_STATE");
    assert_false(mesos_task_state_is_terminal(ev.u.update.state));
    mesos_event_clear(&ev);
}

static void test_update_operation_status(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'UPDATE_OPERATION_STATUS', 'update_operation_status': {'status': {"
               "'operation_id': {'value': 'reserve-broker-0'}, 'state': 'OPERATION_FINISHED',"
               "'uuid': {'value': 'fB16sW1VSg6b1mz24qOo+Q=='},"
               "'agent_id': {'value': '" M "-S0'}}}}"),
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_UPDATE_OPERATION_STATUS);
    assert_string_equal(ev.u.operation_status.operation_id, "reserve-broker-0");
    assert_string_equal(ev.u.operation_status.state, "OPERATION_FINISHED");
    assert_string_equal(ev.u.operation_status.uuid, "fB16sW1VSg6b1mz24qOo+Q==");
    assert_string_equal(ev.u.operation_status.agent_id, M "-S0");
    assert_null(ev.u.operation_status.message);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'UPDATE_OPERATION_STATUS', 'update_operation_status': {'status': {"
               "'state': 'OPERATION_FAILED', 'message': 'no'}}}"),
             &ev);
    assert_null(ev.u.operation_status.operation_id);
    assert_null(ev.u.operation_status.uuid);
    assert_string_equal(ev.u.operation_status.message, "no");
    mesos_event_clear(&ev);
}

static void test_message(void **state)
{
    static const struct {
        const char *b64;
        const char *bytes;
        size_t len;
    } cases[] = {
        {"aGVsbG8=", "hello", 5},
        {"aGVsbG8", "hello", 5}, /* padding is optional */
        {"AAEC/w==", "\x00\x01\x02\xff", 4},
        {"", "", 0},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        char json[256];
        snprintf(json, sizeof(json),
                 "{\"type\": \"MESSAGE\", \"message\": {\"agent_id\": {\"value\": \"" M "-S0\"},"
                 "\"executor_id\": {\"value\": \"my-executor\"}, \"data\": \"%s\"}}",
                 cases[i].b64);
        mesos_event ev;
        parse_ok(json, &ev);
        assert_int_equal(ev.type, MESOS_EVENT_MESSAGE);
        assert_string_equal(ev.u.message.agent_id, M "-S0");
        assert_string_equal(ev.u.message.executor_id, "my-executor");
        assert_int_equal(ev.u.message.data_len, cases[i].len);
        assert_memory_equal(ev.u.message.data, cases[i].bytes, cases[i].len);
        mesos_event_clear(&ev);
    }
}

static void test_failure(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'FAILURE', 'failure': {'agent_id': {'value': '" M "-S0'},"
               "'executor_id': {'value': 'broker-0.7f3a'}, 'status': 256}}"),
             &ev);
    assert_int_equal(ev.type, MESOS_EVENT_FAILURE);
    assert_string_equal(ev.u.failure.agent_id, M "-S0");
    assert_string_equal(ev.u.failure.executor_id, "broker-0.7f3a");
    assert_true(ev.u.failure.has_status);
    assert_int_equal(ev.u.failure.status, 256);
    mesos_event_clear(&ev);

    /* Agent removed: only the agent id. */
    parse_ok(q("{'type': 'FAILURE', 'failure': {'agent_id': {'value': '" M "-S0'}}}"), &ev);
    assert_null(ev.u.failure.executor_id);
    assert_false(ev.u.failure.has_status);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'FAILURE', 'failure': {'executor_id': {'value': 'e'}, 'status': -1}}"),
             &ev);
    assert_int_equal(ev.u.failure.status, -1);
    mesos_event_clear(&ev);
}

static void test_error(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'ERROR', 'error': {'message': 'Framework failed over'}}"), &ev);
    assert_int_equal(ev.type, MESOS_EVENT_ERROR);
    assert_string_equal(ev.u.error.message, "Framework failed over");
    mesos_event_clear(&ev);
}

/* ---- leniencies -------------------------------------------------------------------------------
 */

/* stout reads numbers given as strings, so a tolerant client reads them too. */
static void test_numbers_as_strings(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'OFFERS', 'offers': {'offers': [{'id': {'value': 'O'},"
               "'agent_id': {'value': 'S'}, 'hostname': 'h', 'resources': ["
               " {'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': '2.5'}},"
               " {'name': 'mem', 'type': 'SCALAR', 'scalar': {'value': '1e3'}},"
               " {'name': 'ports', 'type': 'RANGES', 'ranges': {'range': ["
               "   {'begin': '31000', 'end': '31005'},"
               "   {'begin': 32000.0, 'end': '3.2001e4'},"
               "   {'begin': '18446744073709551614', 'end': '18446744073709551615'}]}}],"
               "'attributes': [{'name': 'gen', 'type': 'SCALAR', 'scalar': {'value': '3'}}]}]}}"),
             &ev);
    const mesos_offer *o = &ev.u.offers.offers[0];
    assert_true(mesos_offer_scalar(o, "cpus", NULL) == 2.5);
    assert_true(mesos_offer_scalar(o, "mem", NULL) == 1000.0);
    assert_int_equal(o->resources[2].n_ranges, 3);
    assert_int_equal(o->resources[2].ranges[0].begin, 31000);
    assert_int_equal(o->resources[2].ranges[1].begin, 32000);
    assert_int_equal(o->resources[2].ranges[1].end, 32001);
    assert_true(o->resources[2].ranges[2].end == UINT64_MAX); /* exact, not via a double */
    assert_true(o->resources[2].ranges[2].begin == UINT64_MAX - 1);
    assert_string_equal(o->attributes[0].value, "3");
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 't'},"
               "'state': 'TASK_RUNNING', 'timestamp': '1732291300.5', 'healthy': 'true',"
               "'unreachable_time': {'nanoseconds': '-5'}}}}"),
             &ev);
    assert_true(ev.u.update.timestamp == 1732291300.5);
    assert_int_equal(ev.u.update.healthy, 1);
    assert_true(ev.u.update.unreachable_time_ns == -5);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'FAILURE', 'failure': {'status': '256'}}"), &ev);
    assert_int_equal(ev.u.failure.status, 256);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'},"
               "'heartbeat_interval_seconds': '30'}}"),
             &ev);
    assert_true(ev.u.subscribed.heartbeat_interval_s == 30.0);
    mesos_event_clear(&ev);
}

/* A newer master adds fields anywhere: all are ignored; null reads as absent. */
static void test_unknown_fields_and_null(void **state)
{
    mesos_event ev;
    parse_ok(q("{'type': 'OFFERS', 'future': [1, {'x': null}], 'offers': {'shiny': true,"
               "'offers': [{'id': {'value': 'O', 'extra': 1}, 'agent_id': {'value': 'S'},"
               "'hostname': 'h', 'domain': {'fault_domain': {'region': {'name': 'eu'}}},"
               "'executor_ids': [{'value': 'e'}], 'unavailability': null, 'attributes': null,"
               "'resources': [{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1},"
               "  'provider_id': {'value': 'p'}, 'revocable': null, 'role': null,"
               "  'new_thing': {'deep': [1, 2, 3]}}]}]}}"),
             &ev);
    assert_int_equal(ev.u.offers.offers[0].n_resources, 1);
    assert_int_equal(ev.u.offers.offers[0].n_attributes, 0);
    assert_null(ev.u.offers.offers[0].resources[0].role);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'HEARTBEAT', 'heartbeat': {'whatever': 1}}"), &ev);
    assert_int_equal(ev.type, MESOS_EVENT_HEARTBEAT);
    mesos_event_clear(&ev);

    parse_ok(q("{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 't'},"
               "'state': 'TASK_KILLED', 'message': null, 'uuid': null, 'check_status': {},"
               "'labels': {'labels': []}, 'limitation': {'resources': []}}}}"),
             &ev);
    assert_null(ev.u.update.message);
    assert_null(ev.u.update.uuid);
    mesos_event_clear(&ev);
}

/* ---- malformed events -------------------------------------------------------------------------
 */

#define OFFER_WITH(extra)                                                                          \
    "{'type': 'OFFERS', 'offers': {'offers': [{'id': {'value': 'O'}, 'agent_id': {'value': 'S'},"  \
    "'hostname': 'h', " extra "}]}}"
#define RESOURCE(r)  OFFER_WITH("'resources': [" r "]")
#define ATTRIBUTE(a) OFFER_WITH("'attributes': [" a "]")
#define STATUS_WITH(extra)                                                                         \
    "{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 't'}, 'state': "                \
    "'TASK_RUNNING'," extra "}}}"

static const struct {
    const char *json; /* single-quoted */
    const char *message_part;
} malformed[] = {
    /* Not an event at all. */
    {"", "event is not JSON"},
    {"{'type':", "event is not JSON"},
    {"{'type': 'HEARTBEAT'} trailing", "event is not JSON"},
    {"{'type': 'HEARTBEAT', 'type': 'ERROR'}", "event is not JSON"}, /* duplicate key */
    {"[1, 2]", "event is an array, not a JSON object"},
    {"'HEARTBEAT'", "not JSON"}, /* jansson refuses a bare string without JSON_DECODE_ANY */
    {"{}", "event has no type"},
    {"{'type': null}", "event has no type"},
    {"{'type': 5}", "event type is a number, not a string"},
    {"{'type': 'PING'}", "unknown event type 'PING'"},
    {"{'type': 'UNKNOWN'}", "unknown event type 'UNKNOWN'"},
    {"{'type': 'heartbeat'}", "unknown event type 'heartbeat'"},
    {"{'type': 'A\\nB'}", "unknown event type 'A?B'"},
    {"{'type': 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'}",
     "unknown event type 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX...'"},
    /* SUBSCRIBED */
    {"{'type': 'SUBSCRIBED'}", "SUBSCRIBED event: subscribed is missing"},
    {"{'type': 'SUBSCRIBED', 'subscribed': []}", "subscribed is an array, not an object"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {}}", "subscribed.framework_id is missing"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': 'x'}}",
     "subscribed.framework_id is a string, not an object"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {}}}",
     "subscribed.framework_id.value is missing"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 7}}}",
     "subscribed.framework_id.value is a number, not a string"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'},"
     "'heartbeat_interval_seconds': -1}}",
     "heartbeat_interval_seconds is not positive"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'},"
     "'heartbeat_interval_seconds': 'soon'}}",
     "heartbeat_interval_seconds is a string that is not a number"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'}, 'master_info': 1}}",
     "subscribed.master_info is a number, not an object"},
    {"{'type': 'SUBSCRIBED', 'subscribed': {'framework_id': {'value': 'f'},"
     "'master_info': {'id': 1}}}",
     "subscribed.master_info.id is a number, not a string"},
    /* OFFERS */
    {"{'type': 'OFFERS'}", "OFFERS event: offers is missing"},
    {"{'type': 'OFFERS', 'offers': {}}", "offers.offers is missing"},
    {"{'type': 'OFFERS', 'offers': {'offers': 5}}", "offers.offers is a number, not an array"},
    {"{'type': 'OFFERS', 'offers': {'offers': [7]}}",
     "offers.offers[0] is a number, not an object"},
    {"{'type': 'OFFERS', 'offers': {'offers': [{'agent_id': {'value': 'S'}, 'hostname': 'h'}]}}",
     "offers.offers[0].id is missing"},
    {"{'type': 'OFFERS', 'offers': {'offers': [{'id': {'value': 'O'}, 'hostname': 'h'}]}}",
     "offers.offers[0].agent_id is missing"},
    {"{'type': 'OFFERS', 'offers': {'offers': [{'id': {'value': 'O'},"
     "'agent_id': {'value': 'S'}}]}}",
     "offers.offers[0].hostname is missing"},
    {OFFER_WITH("'allocation_info': {'role': 5}"),
     "offers.offers[0].allocation_info.role is a number, not a string"},
    {OFFER_WITH("'resources': {}"), "offers.offers[0].resources is an object, not an array"},
    {OFFER_WITH("'attributes': 'rack=r1'"),
     "offers.offers[0].attributes is a string, not an array"},
    {RESOURCE("'cpus'"), "offers.offers[0].resources[0] is a string, not an object"},
    {RESOURCE("{'type': 'SCALAR', 'scalar': {'value': 1}}"), "resources[0].name is missing"},
    {RESOURCE("{'name': 'cpus', 'scalar': {'value': 1}}"), "resources[0].type is missing"},
    {RESOURCE("{'name': 'cpus', 'type': 'TEXT'}"), "resources[0].type 'TEXT' is not SCALAR"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR'}"), "resources[0].scalar is missing"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {}}"),
     "resources[0].scalar.value is missing"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': -1}}"),
     "resources[0].scalar.value is negative"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 'nan'}}"),
     "scalar.value is a string that is not a number"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 'Infinity'}}"),
     "scalar.value is a string that is not a number"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': '0x10'}}"),
     "scalar.value is a string that is not a number"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': ' 1'}}"),
     "scalar.value is a string that is not a number"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': '1e999'}}"),
     "scalar.value is a string that is not a number"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': true}}"),
     "scalar.value is a boolean, not a number"},
    {RESOURCE("{'name': 'ports', 'type': 'RANGES'}"), "resources[0].ranges is missing"},
    {RESOURCE("{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': {}}}"),
     "resources[0].ranges.range is an object, not an array"},
    {RESOURCE("{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [5]}}"),
     "resources[0].ranges.range[0] is a number, not an object"},
    {RESOURCE("{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [{'begin': 5}]}}"),
     "ranges.range[0].end is missing"},
    {RESOURCE("{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [{'begin': 5, 'end': 1}]}}"),
     "ranges.range[0] has begin 5 after end 1"},
    {RESOURCE(
         "{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [{'begin': -1, 'end': 1}]}}"),
     "ranges.range[0].begin is not a whole number"},
    {RESOURCE(
         "{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [{'begin': 1.5, 'end': 2}]}}"),
     "ranges.range[0].begin is not a whole number"},
    {RESOURCE("{'name': 'ports', 'type': 'RANGES', 'ranges': {'range': [{'begin': 1,"
              "'end': '18446744073709551616'}]}}"),
     "ranges.range[0].end is not a whole number"},
    {RESOURCE("{'name': 'z', 'type': 'SET'}"), "resources[0].set is missing"},
    {RESOURCE("{'name': 'z', 'type': 'SET', 'set': {'item': ['a', 1]}}"),
     "resources[0].set.item[1] is a number, not a string"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1}, 'role': 5}"),
     "resources[0].role is a number, not a string"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1}, 'reservations': {}}"),
     "resources[0].reservations is an object, not an array"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1}, 'reservations': [1]}"),
     "resources[0].reservations[0] is a number, not an object"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1},"
              "'reservations': [{'type': 'STATIC'}]}"),
     "resources[0].reservations[0].role is missing"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1}, 'role': 'kafka',"
              "'reservation': 'p'}"),
     "resources[0].reservation is a string, not an object"},
    {RESOURCE("{'name': 'disk', 'type': 'SCALAR', 'scalar': {'value': 1}, 'disk': []}"),
     "resources[0].disk is an array, not an object"},
    {RESOURCE("{'name': 'cpus', 'type': 'SCALAR', 'scalar': {'value': 1}}, 3"),
     "offers.offers[0].resources[1] is a number"}, /* a later item fails after one succeeded */
    {ATTRIBUTE("{'type': 'TEXT', 'text': {'value': 'r1'}}"), "attributes[0].name is missing"},
    {ATTRIBUTE("{'name': 'rack', 'text': {'value': 'r1'}}"), "attributes[0].type is missing"},
    {ATTRIBUTE("{'name': 'rack', 'type': 'BLOB'}"), "attributes[0].type 'BLOB' is not TEXT"},
    {ATTRIBUTE("{'name': 'rack', 'type': 'TEXT'}"), "attributes[0].text is missing"},
    {ATTRIBUTE("{'name': 'rack', 'type': 'TEXT', 'text': {'value': 1}}"),
     "attributes[0].text.value is a number, not a string"},
    {ATTRIBUTE("{'name': 'ssd', 'type': 'SCALAR', 'scalar': {}}"),
     "attributes[0].scalar.value is missing"},
    {ATTRIBUTE("{'name': 's', 'type': 'RANGES', 'ranges': {'range': [{'begin': 2, 'end': 1}]}}"),
     "attributes[0].ranges.range[0] has begin 2 after end 1"},
    {ATTRIBUTE("{'name': 'z', 'type': 'SET', 'set': {'item': [null]}}"),
     "attributes[0].set.item[0] is null, not a string"},
    /* INVERSE_OFFERS, RESCIND, RESCIND_INVERSE_OFFER */
    {"{'type': 'INVERSE_OFFERS', 'inverse_offers': {}}",
     "inverse_offers.inverse_offers is missing"},
    {"{'type': 'INVERSE_OFFERS', 'inverse_offers': {'inverse_offers': [{}]}}",
     "inverse_offers.inverse_offers[0].id is missing"},
    {"{'type': 'INVERSE_OFFERS', 'inverse_offers': {'inverse_offers': ['x']}}",
     "inverse_offers.inverse_offers[0] is a string, not an object"},
    {"{'type': 'RESCIND', 'rescind': {}}", "RESCIND event: rescind.offer_id is missing"},
    {"{'type': 'RESCIND', 'rescind': {'offer_id': ['O']}}", "rescind.offer_id is an array"},
    {"{'type': 'RESCIND_INVERSE_OFFER', 'rescind_inverse_offer': {}}",
     "rescind_inverse_offer.inverse_offer_id is missing"},
    /* UPDATE */
    {"{'type': 'UPDATE', 'update': {}}", "UPDATE event: update.status is missing"},
    {"{'type': 'UPDATE', 'update': {'status': 'RUNNING'}}",
     "update.status is a string, not an object"},
    {"{'type': 'UPDATE', 'update': {'status': {'state': 'TASK_RUNNING'}}}",
     "update.status.task_id is missing"},
    {"{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 't'}}}}",
     "update.status.state is missing"},
    {"{'type': 'UPDATE', 'update': {'status': {'task_id': {'value': 't'}, 'state': 1}}}",
     "update.status.state is a number, not a string"},
    {STATUS_WITH("'healthy': 'yes'"), "update.status.healthy is a string, not a boolean"},
    {STATUS_WITH("'uuid': {'value': 'x'}"), "update.status.uuid is an object, not a string"},
    {STATUS_WITH("'timestamp': [1]"), "update.status.timestamp is an array, not a number"},
    {STATUS_WITH("'message': 5"), "update.status.message is a number, not a string"},
    {STATUS_WITH("'agent_id': 'S0'"), "update.status.agent_id is a string, not an object"},
    {STATUS_WITH("'container_status': {'network_infos': {}}"),
     "update.status.container_status.network_infos is an object, not an array"},
    {STATUS_WITH("'container_status': {'network_infos': [{'ip_addresses': ['1.2.3.4']}]}"),
     "container_status.network_infos[0].ip_addresses[0] is a string, not an object"},
    {STATUS_WITH("'unreachable_time': {}"),
     "update.status.unreachable_time.nanoseconds is missing"},
    {STATUS_WITH("'unreachable_time': {'nanoseconds': 1e300}"),
     "unreachable_time.nanoseconds is not a whole number"},
    /* UPDATE_OPERATION_STATUS */
    {"{'type': 'UPDATE_OPERATION_STATUS', 'update_operation_status': {}}",
     "update_operation_status.status is missing"},
    {"{'type': 'UPDATE_OPERATION_STATUS', 'update_operation_status': {'status': {}}}",
     "update_operation_status.status.state is missing"},
    {"{'type': 'UPDATE_OPERATION_STATUS', 'update_operation_status': {'status': {"
     "'state': 'OPERATION_FINISHED', 'uuid': 'fB16sW1VSg6b1mz24qOo+Q=='}}}",
     "update_operation_status.status.uuid is a string, not an object"},
    /* MESSAGE */
    {"{'type': 'MESSAGE', 'message': {'executor_id': {'value': 'e'}, 'data': ''}}",
     "message.agent_id is missing"},
    {"{'type': 'MESSAGE', 'message': {'agent_id': {'value': 'S'}, 'data': ''}}",
     "message.executor_id is missing"},
    {"{'type': 'MESSAGE', 'message': {'agent_id': {'value': 'S'}, 'executor_id': {'value': 'e'}}}",
     "message.data is missing"},
    {"{'type': 'MESSAGE', 'message': {'agent_id': {'value': 'S'}, 'executor_id': {'value': 'e'},"
     "'data': 'a-b_'}}",
     "message.data is not valid base64"},
    {"{'type': 'MESSAGE', 'message': {'agent_id': {'value': 'S'}, 'executor_id': {'value': 'e'},"
     "'data': [104]}}",
     "message.data is an array, not a string"},
    /* FAILURE, ERROR */
    {"{'type': 'FAILURE'}", "FAILURE event: failure is missing"},
    {"{'type': 'FAILURE', 'failure': {'status': 1.5}}", "failure.status is not a whole number"},
    {"{'type': 'FAILURE', 'failure': {'status': 4294967296}}",
     "failure.status is not a whole number"},
    {"{'type': 'FAILURE', 'failure': {'agent_id': 'S'}}", "failure.agent_id is a string"},
    {"{'type': 'ERROR', 'error': {}}", "ERROR event: error.message is missing"},
    {"{'type': 'ERROR', 'message': 'the old doc format'}", "ERROR event: error is missing"},
    {"{'type': 'ERROR', 'error': {'message': {'text': 'x'}}}", "error.message is an object"},
};

static void test_malformed_events(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(malformed); i++)
        parse_fails(q(malformed[i].json), malformed[i].message_part);
}

static void test_embedded_nul_and_binary(void **state)
{
    static const char with_nul[] = "{\"type\":\"HEARTBEAT\"}\0garbage";
    mesos_event ev;
    mk_err err = {{0}};
    /* The length given is what counts: the NUL and what follows make it invalid JSON. */
    assert_int_equal(mesos_event_parse(with_nul, sizeof(with_nul) - 1, &ev, &err), -1);
    assert_non_null(strstr(err.msg, "not JSON"));
    /* ... while the same bytes cut before the NUL are fine, without any terminator. */
    char exact[20];
    memcpy(exact, with_nul, sizeof(exact));
    assert_int_equal(mesos_event_parse(exact, sizeof(exact), &ev, &err), 0);
    mesos_event_clear(&ev);
    parse_fails("{\"type\":\"ERROR\",\"error\":{\"message\":\"a\\u0000b\"}}", "not JSON");
    parse_fails("\xff\xfe{}", "not JSON");
    /* A NUL between tokens, which jansson alone would skip: refused by both ways of reading
     * offers, so the one-by-one parse of a large event never disagrees with the whole parse
     * (found by fuzz_json_scan). */
    static const char between[] = "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{}\0,{}]}}";
    assert_int_equal(mesos_event_parse(between, sizeof(between) - 1, &ev, &err), -1);
    assert_non_null(strstr(err.msg, "NUL byte"));
    assert_int_equal(mesos_event_parse_streamed(between, sizeof(between) - 1, &ev, &err), -1);
    assert_non_null(strstr(err.msg, "NUL byte"));
}

/* ---- names, states, helpers -------------------------------------------------------------------
 */

static void test_event_type_names(void **state)
{
    static const char *const names[] = {
        "UNKNOWN", "SUBSCRIBED",
        "OFFERS",  "INVERSE_OFFERS",
        "RESCIND", "RESCIND_INVERSE_OFFER",
        "UPDATE",  "UPDATE_OPERATION_STATUS",
        "MESSAGE", "FAILURE",
        "ERROR",   "HEARTBEAT",
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++)
        assert_string_equal(mesos_event_type_name((mesos_event_type)i), names[i]);
    assert_string_equal(mesos_event_type_name((mesos_event_type)99), "UNKNOWN");
    assert_string_equal(mesos_event_type_name((mesos_event_type)-1), "UNKNOWN");
}

static void test_task_states(void **state)
{
    static const struct {
        const char *name;
        mesos_task_state state;
        bool terminal;
    } states[] = {
        {"TASK_STAGING", TASK_STAGING, false},
        {"TASK_STARTING", TASK_STARTING, false},
        {"TASK_RUNNING", TASK_RUNNING, false},
        {"TASK_KILLING", TASK_KILLING, false},
        {"TASK_FINISHED", TASK_FINISHED, true},
        {"TASK_FAILED", TASK_FAILED, true},
        {"TASK_KILLED", TASK_KILLED, true},
        {"TASK_ERROR", TASK_ERROR, true},
        {"TASK_LOST", TASK_LOST, true},
        {"TASK_DROPPED", TASK_DROPPED, true},
        {"TASK_UNREACHABLE", TASK_UNREACHABLE, false},
        {"TASK_GONE", TASK_GONE, true},
        {"TASK_GONE_BY_OPERATOR", TASK_GONE_BY_OPERATOR, true},
        {"TASK_UNKNOWN", TASK_UNKNOWN, false},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(states); i++) {
        mesos_task_state parsed = TASK_STATE_UNKNOWN_ENUM;
        assert_string_equal(mesos_task_state_name(states[i].state), states[i].name);
        assert_int_equal(mesos_task_state_parse(states[i].name, &parsed), 0);
        assert_int_equal(parsed, states[i].state);
        assert_int_equal(mesos_task_state_is_terminal(states[i].state), states[i].terminal);
    }
    static const char *const not_states[] = {"RUNNING", "task_running", "TASK_RUNNING ", "",
                                             "TASK"};
    for (size_t i = 0; i < MK_ARRAY_LEN(not_states); i++) {
        mesos_task_state parsed = TASK_RUNNING;
        assert_int_equal(mesos_task_state_parse(not_states[i], &parsed), -1);
        assert_int_equal(parsed, TASK_RUNNING);
    }
    assert_false(mesos_task_state_is_terminal(TASK_STATE_UNKNOWN_ENUM));
    assert_string_equal(mesos_task_state_name(TASK_STATE_UNKNOWN_ENUM), "TASK_STATE_UNRECOGNIZED");
}

static void test_clear_is_safe_on_empty_events(void **state)
{
    mesos_event ev;
    memset(&ev, 0, sizeof(ev));
    mesos_event_clear(&ev);
    mesos_event_clear(&ev);
    assert_int_equal(ev.type, MESOS_EVENT_UNKNOWN);
}

/* Many offers in one event (a large cluster after a master failover): all parsed, nothing kept
 * from the JSON tree. */
static void test_ten_thousand_offers(void **state)
{
    const size_t n = 10000;
    size_t cap = n * 400 + 100, len = 0;
    char *json = mk_xmalloc(cap);
    len += (size_t)snprintf(json + len, cap - len, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(
            json + len, cap - len,
            "%s{\"id\":{\"value\":\"O%zu\"},\"agent_id\":{\"value\":\"S%zu\"},\"hostname\":\"a%"
            "zu\","
            "\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":%zu},"
            "\"role\":\"*\"},{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":"
            "[{\"begin\":31000,\"end\":32000}]},\"role\":\"*\"}]}",
            i ? "," : "", i, i, i, i % 16 + 1);
    len += (size_t)snprintf(json + len, cap - len, "]}}");
    assert_true(len < cap);
    mesos_event ev;
    parse_ok(json, &ev);
    assert_int_equal(ev.u.offers.n_offers, n);
    assert_string_equal(ev.u.offers.offers[n - 1].hostname, "a9999");
    assert_true(mesos_offer_scalar(&ev.u.offers.offers[n - 1], "cpus", "kafka") == 9999 % 16 + 1);
    mesos_event_clear(&ev);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subscribed),
        cmocka_unit_test(test_heartbeat),
        cmocka_unit_test(test_offers_legacy_format),
        cmocka_unit_test(test_offers_refinement_format),
        cmocka_unit_test(test_inverse_offers),
        cmocka_unit_test(test_rescinds),
        cmocka_unit_test(test_update_from_executor),
        cmocka_unit_test(test_update_from_master),
        cmocka_unit_test(test_update_operation_status),
        cmocka_unit_test(test_message),
        cmocka_unit_test(test_failure),
        cmocka_unit_test(test_error),
        cmocka_unit_test(test_numbers_as_strings),
        cmocka_unit_test(test_unknown_fields_and_null),
        cmocka_unit_test(test_malformed_events),
        cmocka_unit_test(test_embedded_nul_and_binary),
        cmocka_unit_test(test_event_type_names),
        cmocka_unit_test(test_task_states),
        cmocka_unit_test(test_clear_is_safe_on_empty_events),
        cmocka_unit_test(test_ten_thousand_offers),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < MK_ARRAY_LEN(quoted); i++)
        free(quoted[i]); /* so that the leak checker sees a clean exit */
    return failed;
}
