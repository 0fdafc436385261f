/*
 * Unit tests of the simulated agents' attributes: the mesos-agent --attributes format read into v1
 * Attribute JSON (sim/attrs.c), per-agent overrides, and offers from the simulated master read back
 * by the scheduler's own event parser (src/mesos_event.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrs.h"
#include "master.h"
#include "mesos_event.h"
#include "recordio.h"

static void assert_json(const json_t *got, const char *expected)
{
    json_t *want = json_loads(expected, 0, NULL);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *text = json_dumps(got, JSON_COMPACT);
        fail_msg("got %s\nwant %s", text, expected);
    }
    json_decref(want);
}

/* ---- the spec format --------------------------------------------------------------------------
 */

static const struct {
    const char *spec, *json;
} good[] = {
    {"", "[]"},
    {";;\n", "[]"},
    {"rack:r1", "[{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r1\"}}]"},
    {"rack:r1;zone:z1\n", "[{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r1\"}},"
                          "{\"name\":\"zone\",\"type\":\"TEXT\",\"text\":{\"value\":\"z1\"}}]"},
    {"cores:8", "[{\"name\":\"cores\",\"type\":\"SCALAR\",\"scalar\":{\"value\":8.0}}]"},
    {"ssd:1;w:-2.5e1", "[{\"name\":\"ssd\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1.0}},"
                       "{\"name\":\"w\",\"type\":\"SCALAR\",\"scalar\":{\"value\":-25.0}}]"},
    {"ports:[1-5,10-20]", "[{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":["
                          "{\"begin\":1,\"end\":5},{\"begin\":10,\"end\":20}]}}]"},
    /* Sorted and coalesced (overlapping and adjacent), spaces dropped, as values::parse does. */
    {"p:[ 10-20, 1-5, 3-8, 21-21 ]", "[{\"name\":\"p\",\"type\":\"RANGES\",\"ranges\":{\"range\":["
                                     "{\"begin\":1,\"end\":8},{\"begin\":10,\"end\":21}]}}]"},
    /* Hexadecimal is not a number to Mesos's numify<double>; spaces go from values only. */
    {"id:0x10;my rack:row 7", "[{\"name\":\"id\",\"type\":\"TEXT\",\"text\":{\"value\":\"0x10\"}},"
                              "{\"name\":\"my rack\",\"type\":\"TEXT\",\"text\":{\"value\":"
                              "\"row7\"}}]"},
    /* Only the first ':' splits. */
    {"url:http://a:1",
     "[{\"name\":\"url\",\"type\":\"TEXT\",\"text\":{\"value\":\"http://a:1\"}}]"},
};

static void test_spec_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(good); i++) {
        mk_err err = {{0}};
        json_t *out = json_array();
        if (sim_attrs_parse(good[i].spec, out, &err) < 0)
            fail_msg("'%s': %s", good[i].spec, err.msg);
        assert_json(out, good[i].json);
        json_decref(out);
    }
}

static const struct {
    const char *spec, *error;
} bad[] = {
    {"rack", "'rack': Invalid attribute key:value pair"},
    {"rack:r1;:x", "':x': Invalid attribute key:value pair"},
    {"rack:", "'rack:': Invalid attribute key:value pair"},
    {"rack:  ", "'rack:  ': Expecting non-empty string"},
    {"p:[1-5", "'p:[1-5': Mismatched brackets"},
    {"t:a(b", "'t:a(b': Mismatched brackets"},
    {"p:[1-5,7]", "'p:[1-5,7]': Expecting one or more \"ranges\""},
    {"p:[1-x]", "'p:[1-x]': Expecting non-negative integers in 'x'"},
    {"p:[1-99999999999999999999]", "Expecting non-negative integers in '99999999999999999999'"},
    {"p:[]", "'p:[]': no range between the brackets"},
    {"p:[9-3]", "'p:[9-3]': range 9-3 ends before it begins"},
    {"t:a[1-2]", "'t:a[1-2]': Unexpected '[' found"},
    {"t:a{b}", "'t:a{b}': Unexpected '{' found"},
    {"colors:{a,b}", "'colors:{a,b}': Bad type for attribute colors: SET"},
    {"n:inf", "'n:inf': not a finite number"},
    {"n:1e999", "'n:1e999': not a finite number"},
};

static void test_spec_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        mk_err err = {{0}};
        json_t *out = json_array();
        if (sim_attrs_parse(bad[i].spec, out, &err) == 0)
            fail_msg("'%s' was taken", bad[i].spec);
        if (!strstr(err.msg, bad[i].error))
            fail_msg("'%s': got \"%s\", want \"%s\"", bad[i].spec, err.msg, bad[i].error);
        json_decref(out);
    }
}

/* ---- per agent --------------------------------------------------------------------------------
 */

static void test_per_agent_overrides_the_common_ones(void **state)
{
    (void)state;
    mk_err err = {{0}};
    json_t *out[3];
    const char *of[] = {"2=rack:r2;cores:16", "3=ssd:1", "2=rack:r9"};
    assert_int_equal(sim_attrs_for_agents("rack:r1;cores:8", of, 3, 3, out, &err), 0);
    assert_json(out[0], "[{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r1\"}},"
                        "{\"name\":\"cores\",\"type\":\"SCALAR\",\"scalar\":{\"value\":8.0}}]");
    /* Later options win; the agent's own come after the common ones it kept. */
    assert_json(out[1], "[{\"name\":\"cores\",\"type\":\"SCALAR\",\"scalar\":{\"value\":16.0}},"
                        "{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r9\"}}]");
    assert_json(out[2], "[{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r1\"}},"
                        "{\"name\":\"cores\",\"type\":\"SCALAR\",\"scalar\":{\"value\":8.0}},"
                        "{\"name\":\"ssd\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1.0}}]");
    for (int a = 0; a < 3; a++)
        json_decref(out[a]);

    /* No common ones, no per-agent ones: empty arrays, never NULL. */
    assert_int_equal(sim_attrs_for_agents(NULL, NULL, 0, 2, out, &err), 0);
    assert_json(out[0], "[]");
    assert_json(out[1], "[]");
    json_decref(out[0]);
    json_decref(out[1]);
}

static void test_per_agent_errors_name_the_agent_and_the_part(void **state)
{
    (void)state;
    static const struct {
        const char *common, *of, *error;
    } cases[] = {
        {"rack:r1;cores", "1=a:b", "--agent-attributes (every agent): 'cores': Invalid attribute"},
        {NULL, "2=ports:[1-x]",
         "--agent-attributes-of 2 (agent2): 'ports:[1-x]': Expecting non-negative integers in 'x'"},
        {NULL, "4=rack:r4", "--agent-attributes-of '4=rack:r4': there is no agent4 (3 agents)"},
        {NULL, "0=rack:r0", "there is no agent0"},
        {NULL, "rack:r1", "--agent-attributes-of 'rack:r1': takes N=SPEC"},
        {NULL, "agent2=rack:r1", "takes N=SPEC"},
        {NULL, "=rack:r1", "takes N=SPEC"},
        {NULL, "1=colors:{a,b}", "--agent-attributes-of 1 (agent1): 'colors:{a,b}': Bad type"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        mk_err err = {{0}};
        json_t *out[3] = {NULL, NULL, NULL};
        const char *of[] = {"1=ok:1", cases[i].of};
        if (sim_attrs_for_agents(cases[i].common, of, 2, 3, out, &err) == 0)
            fail_msg("'%s' was taken", cases[i].of);
        if (!strstr(err.msg, cases[i].error))
            fail_msg("got \"%s\", want \"%s\"", err.msg, cases[i].error);
        for (int a = 0; a < 3; a++)
            assert_null(out[a]);
    }
}

/* ---- offers read back by the scheduler ------------------------------------------------------
 */

typedef struct {
    mesos_offer offers[3]; /* by agent: agent_id ends in -S<n> */
    bool seen[3];
    mk_err err;
    bool failed;
} offers_seen;

static void copy_offer(mesos_offer *to, mesos_offer *from)
{
    *to = *from;
    memset(from, 0, sizeof(*from)); /* ownership moves */
}

static int on_record(void *ud, const char *data, size_t len)
{
    offers_seen *s = ud;
    mesos_event ev;
    if (mesos_event_parse(data, len, &ev, &s->err) < 0) {
        s->failed = true;
        return 1;
    }
    if (ev.type == MESOS_EVENT_OFFERS)
        for (size_t i = 0; i < ev.u.offers.n_offers; i++) {
            mesos_offer *o = &ev.u.offers.offers[i];
            int a = o->agent_id[strlen(o->agent_id) - 1] - '0';
            if (a >= 0 && a < 3 && !s->seen[a]) {
                copy_offer(&s->offers[a], o);
                s->seen[a] = true;
            }
        }
    mesos_event_clear(&ev);
    return 0;
}

static const char *attr(const mesos_offer *o, const char *name)
{
    for (size_t i = 0; i < o->n_attributes; i++)
        if (strcmp(o->attributes[i].name, name) == 0)
            return o->attributes[i].value;
    return NULL;
}

static void test_offers_carry_each_agents_attributes(void **state)
{
    (void)state;
    char dir[] = "/tmp/test-sim-attrs.XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *of[] = {"2=rack:r2;ports:[1-5,10-20]", "3=rack:r3;cores:16"};
    master_options opt = {.hostname = "127.0.0.1",
                          .port = 5050,
                          .agents = 3,
                          .agent_cpus = 1,
                          .agent_mem = 1024,
                          .agent_disk = 1000,
                          .agent_port_begin = 31000,
                          .agent_port_end = 31001,
                          .agent_attributes = "rack:r1;cores:8",
                          .agent_attributes_of = of,
                          .n_agent_attributes_of = 2,
                          .heartbeat_s = 15,
                          .allocation_s = 0.05,
                          .work_dir = dir,
                          .update_retry_s = 10};
    mk_err err = {{0}};
    if (master_init(&opt, &err) < 0)
        fail_msg("%s", err.msg);

    json_t *call = json_loads("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":"
                              "\"root\",\"name\":\"t\",\"roles\":[\"kafka\"],\"capabilities\":[{"
                              "\"type\":\"MULTI_ROLE\"}]}}}",
                              0, NULL);
    stream *s = NULL;
    const char *sid = NULL;
    char *body = NULL;
    assert_int_equal(master_handle_call(call, NULL, NULL, &s, &sid, &body), 200);
    json_decref(call);
    offers_seen seen = {0};
    recordio_reader *r = recordio_reader_new(1 << 20, on_record, &seen);
    char buf[8192];
    for (int tries = 0; tries < 50 && !(seen.seen[0] && seen.seen[1] && seen.seen[2]); tries++) {
        long n = stream_read(s, buf, sizeof(buf));
        assert_true(n >= 0);
        assert_int_equal(recordio_feed(r, buf, (size_t)n, &err), 0);
    }
    recordio_reader_free(r);
    if (seen.failed)
        fail_msg("the scheduler refused the event: %s", seen.err.msg);
    for (int a = 0; a < 3; a++)
        assert_true(seen.seen[a]);

    assert_int_equal(seen.offers[0].n_attributes, 2);
    assert_string_equal(attr(&seen.offers[0], "rack"), "r1");
    assert_string_equal(attr(&seen.offers[0], "cores"), "8");
    assert_int_equal(seen.offers[1].n_attributes, 3);
    assert_string_equal(attr(&seen.offers[1], "rack"), "r2");
    assert_string_equal(attr(&seen.offers[1], "cores"), "8");
    assert_string_equal(attr(&seen.offers[1], "ports"), "[1-5,10-20]");
    assert_int_equal(seen.offers[2].n_attributes, 2);
    assert_string_equal(attr(&seen.offers[2], "rack"), "r3");
    assert_string_equal(attr(&seen.offers[2], "cores"), "16");
    /* Distinct hostnames, for hostname constraints. */
    assert_string_equal(seen.offers[0].hostname, "agent1");
    assert_string_equal(seen.offers[1].hostname, "agent2");
    assert_string_equal(seen.offers[2].hostname, "agent3");

    /* /control/state shows the same attributes. */
    json_t *st = master_state_json();
    assert_json(json_object_get(json_array_get(json_object_get(st, "agents"), 2), "attributes"),
                "[{\"name\":\"rack\",\"type\":\"TEXT\",\"text\":{\"value\":\"r3\"}},"
                "{\"name\":\"cores\",\"type\":\"SCALAR\",\"scalar\":{\"value\":16.0}}]");
    json_decref(st);

    /* What the scheduler kept is freed as an OFFERS event would free it. */
    mesos_event ev = {.type = MESOS_EVENT_OFFERS};
    ev.u.offers.offers = mk_xcalloc(3, sizeof(mesos_offer));
    ev.u.offers.n_offers = 3;
    for (int a = 0; a < 3; a++)
        copy_offer(&ev.u.offers.offers[a], &seen.offers[a]);
    mesos_event_clear(&ev);

    master_shutdown();
    stream_release(s);
    master_free();
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_good),
        cmocka_unit_test(test_spec_bad),
        cmocka_unit_test(test_per_agent_overrides_the_common_ones),
        cmocka_unit_test(test_per_agent_errors_name_the_agent_and_the_part),
        cmocka_unit_test(test_offers_carry_each_agents_attributes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
