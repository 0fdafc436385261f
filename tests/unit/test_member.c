/*
 * Unit tests for the core's pure decisions: src/member.c (task ids, backoff, the end of a task,
 * the persisted form), src/placement.c (fitting tasks into offers) and src/taskinfo.c (TaskInfo
 * and addresses per network mode).
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
#include "member.h"
#include "mesos_event.h"
#include "placement.h"
#include "taskinfo.h"
#include "util.h"

static config test_config(void)
{
    config c = {0};
    c.failover_delay_s = 10;
    c.failover_max_delay_s = 60;
    c.failover_max_tries = 0;
    c.failover_reset_s = 600;
    c.framework_name = "mk";
    c.image_zookeeper = "mesos-kafka-zookeeper:3.8.7";
    c.image_kafka = "mesos-kafka-kafka:3.9.2";
    c.volume_driver = "local";
    c.network = NETWORK_HOST;
    c.zookeeper_res =
        (config_resources){.cpus = 0.5, .mem_mb = 512, .disk_mb = 100, .heap_mb = 256};
    c.kafka_res = (config_resources){.cpus = 1, .mem_mb = 2048, .disk_mb = 1000, .heap_mb = 1024};
    return c;
}

/* ---- member ------------------------------------------------------------------------------------
 */

static void test_task_ids_name_their_member(void **state)
{
    (void)state;
    member *m = member_new(KIND_KAFKA, 12);
    cleanup_free char *id = member_new_task_id(m);
    assert_int_equal(strlen(id), strlen("kafka-12.") + 36);
    assert_memory_equal(id, "kafka-12.", 9);
    member_kind k;
    int n;
    assert_int_equal(member_parse_task_id(id, &k, &n), 0);
    assert_int_equal(k, KIND_KAFKA);
    assert_int_equal(n, 12);
    assert_int_equal(member_parse_task_id("zookeeper-3.x", &k, &n), 0);
    assert_int_equal(k, KIND_ZOOKEEPER);
    assert_int_equal(n, 3);
    static const char *const bad[] = {"kafka-1",    "kafka-.x",   "kafka-01.x", "kafka--1.x",
                                      "broker-1.x", "kafka-1x.y", "",           "kafka-99999999.x"};
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++)
        assert_int_equal(member_parse_task_id(bad[i], &k, &n), -1);
    member_free(m);
}

static void test_backoff_doubles_to_the_maximum(void **state)
{
    (void)state;
    config c = test_config();
    double want[] = {0, 10, 20, 40, 60, 60, 60};
    for (int f = 0; f < 7; f++)
        assert_true(member_backoff(&c, f) == want[f]);
    assert_true(member_backoff(&c, 100000) == 60);
}

static void test_failures_count_and_reset_after_a_healthy_run(void **state)
{
    (void)state;
    config c = test_config();
    member *m = member_new(KIND_KAFKA, 0);
    m->task_id = mk_xstrdup("kafka-0.a");
    m->task_state = TASK_FAILED;
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 1000), ENDED_RELAUNCH);
    assert_int_equal(m->failures, 1);
    assert_true(m->restart_at == 1010);
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 2000), ENDED_RELAUNCH);
    assert_true(m->restart_at == 2020);
    /* Healthy for longer than FAILOVER_RESET_AFTER: the next failure is the first again. */
    m->healthy_since = 3000;
    assert_int_equal(member_task_ended(m, &c, TASK_KILLED, 3000 + 601), ENDED_RELAUNCH);
    assert_int_equal(m->failures, 1);
    /* Healthy, but not for long enough: it counts on. */
    m->healthy_since = 5000;
    member_task_ended(m, &c, TASK_FAILED, 5100);
    assert_int_equal(m->failures, 2);
    member_free(m);

    /* A broker's own failover settings win over the environment's. */
    m = member_new(KIND_KAFKA, 1);
    mk_err err = {{0}};
    assert_int_equal(broker_settings_set(m->settings, "failover_delay", "3s", &err), 0);
    assert_int_equal(broker_settings_set(m->settings, "failover_max_delay", "4s", &err), 0);
    assert_int_equal(broker_settings_set(m->settings, "failover_max_tries", "3", &err), 0);
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 1000), ENDED_RELAUNCH);
    assert_true(m->restart_at == 1003);
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 2000), ENDED_RELAUNCH);
    assert_true(m->restart_at == 2004); /* 6 s, capped at its own 4 s */
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 3000), ENDED_GAVE_UP);
    /* Its home is kept for its stickiness period after the task ended, then given up. */
    m->agent_id = mk_xstrdup("S1");
    m->hostname = mk_xstrdup("agent1");
    assert_false(member_home_expired(m, 1e9)); /* no stickiness_period: kept for good */
    assert_int_equal(broker_settings_set(m->settings, "stickiness_period", "10m", &err), 0);
    assert_false(member_home_expired(m, 3000 + 600));
    assert_true(member_home_expired(m, 3000 + 601));
    member *zk = member_new(KIND_ZOOKEEPER, 1);
    zk->agent_id = mk_xstrdup("S1");
    zk->ended_at = 1;
    assert_false(member_home_expired(zk, 1e9));
    member_free(zk);
    member_free(m);
}

/* An agent comes back after being unreachable: its task is reported gone in one of two shapes
 * (mesos-sim's agent_return, Mesos's Slave::recover and Master::reconcile). Either way the member
 * is relaunched; only TASK_GONE sends it away from its agent. */
static void test_a_task_gone_with_its_agent_is_relaunched(void **state)
{
    (void)state;
    config c = test_config();
    member *m = member_new(KIND_KAFKA, 0);
    m->task_id = mk_xstrdup("kafka-0.a");
    m->agent_id = mk_xstrdup("S1");
    m->task_state = TASK_UNREACHABLE;
    assert_true(member_task_live(m));
    /* Checkpointed: the agent recovers it and reports TASK_FAILED (REASON_EXECUTOR_TERMINATED). */
    m->task_state = TASK_FAILED;
    assert_false(member_task_live(m));
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 100), ENDED_RELAUNCH);
    assert_string_equal(m->agent_id, "S1");
    /* Not recovered: explicit reconciliation answers TASK_GONE. */
    m->task_state = TASK_GONE;
    assert_false(member_task_live(m));
    assert_int_equal(member_task_ended(m, &c, TASK_GONE, 200), ENDED_RELAUNCH);
    assert_null(m->agent_id);
    member_free(m);
}

static void test_ends_the_core_caused_are_not_failures(void **state)
{
    (void)state;
    config c = test_config();
    c.failover_max_tries = 2;
    member *m = member_new(KIND_ZOOKEEPER, 1);
    m->agent_id = mk_xstrdup("S1");
    m->hostname = mk_xstrdup("agent1");
    m->kill = KILL_RECONFIGURE;
    assert_int_equal(member_task_ended(m, &c, TASK_KILLED, 100), ENDED_RELAUNCH);
    assert_int_equal(m->failures, 0);
    assert_true(m->restart_at == 100);
    assert_non_null(m->agent_id); /* same home */
    /* A launch the master never saw. */
    assert_int_equal(member_task_ended(m, &c, TASK_UNKNOWN, 200), ENDED_RELAUNCH);
    assert_int_equal(m->failures, 0);
    /* The operator's kill keeps it down; a removal forgets it. */
    m->goal = GOAL_STOP;
    m->kill = KILL_OPERATOR;
    assert_int_equal(member_task_ended(m, &c, TASK_KILLED, 300), ENDED_STOPPED);
    m->goal = GOAL_REMOVE;
    assert_int_equal(member_task_ended(m, &c, TASK_KILLED, 300), ENDED_REMOVED);
    /* Too many failures in a row: given up. */
    m->goal = GOAL_RUN;
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 400), ENDED_RELAUNCH);
    assert_int_equal(member_task_ended(m, &c, TASK_FAILED, 500), ENDED_GAVE_UP);
    assert_true(m->gave_up);
    /* A gone agent takes the home with it; the last address stays. */
    assert_int_equal(member_task_ended(m, &c, TASK_GONE, 600), ENDED_GAVE_UP);
    assert_null(m->agent_id);
    assert_string_equal(m->hostname, "agent1");
    member_free(m);
}

static void test_persisted_form_round_trips_and_is_checked(void **state)
{
    (void)state;
    member *m = member_new(KIND_ZOOKEEPER, 2);
    m->agent_id = mk_xstrdup("S2");
    m->hostname = mk_xstrdup("agent2");
    m->ports[0] = 31000, m->ports[1] = 31001, m->ports[2] = 31002, m->n_ports = 3;
    m->task_id = mk_xstrdup("zookeeper-2.abc");
    m->task_state = TASK_RUNNING;
    m->servers = mk_xstrdup("server.2=agent2:31001:31002;31000");
    m->failures = 3;
    m->restart_at = 12.5;
    m->agent_attributes = json_pack("{s:s, s:s}", "rack", "r2", "cores", "8");
    json_t *j = member_to_json(m);
    mk_err err = {{0}};
    member *back = member_from_json(j, &err);
    assert_non_null(back);
    json_t *again = member_to_json(back);
    assert_true(json_equal(j, again));
    assert_string_equal(member_agent_attribute(back, "rack"), "r2");
    assert_string_equal(member_agent_attribute(back, "hostname"), "agent2");
    assert_null(member_agent_attribute(back, "zone"));
    member_leave_home(back); /* no home: nothing to compare with */
    assert_null(member_agent_attribute(back, "rack"));
    json_decref(again);
    member_free(back);

    static const struct {
        const char *field;
        const char *value; /* JSON */
        const char *message;
    } bad[] = {
        {"kind", "\"broker\"", "kind is not zookeeper or kafka"},
        {"id", "-1", "id is not an integer from 0 to 1000000"},
        {"goal", "\"fly\"", "goal is not run, stop or remove"},
        {"ports", "[0]", "ports[0] is not a port number"},
        {"ports", "[1,2,3,4]", "ports is not an array of at most 3 ports"},
        {"task_id", "\"kafka-2.x\"", "task_id 'kafka-2.x' is not a task of this member"},
        {"task_state", "\"TASK_SLEEPING\"", "task_state is not a task state"},
        {"hostname", "null", "agent_id is set without a hostname"},
        {"failures", "\"3\"", "failures is not a count"},
        {"restart_at", "\"soon\"", "restart_at is not a time"},
        {"agent_attributes", "[]", "agent_attributes is not an object of at most 64 attributes"},
        {"agent_attributes", "{\"rack\": 1}",
         "agent_attributes.rack is not a text of at most "
         "1024 bytes"},
        {"agent_attributes", "{\"rack\": \"a\\u0000b\"}",
         "agent_attributes.rack is not a "
         "text of at most 1024 bytes"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        json_t *copy = json_deep_copy(j);
        json_object_set_new(copy, bad[i].field,
                            json_loads(bad[i].value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL));
        assert_null(member_from_json(copy, &err));
        assert_string_equal(err.msg, bad[i].message);
        json_decref(copy);
    }
    json_decref(j);
    member_free(m);
}

/* ---- placement ---------------------------------------------------------------------------------
 */

static mesos_offer *parse_offer(mesos_event *ev, const char *resources)
{
    cleanup_free char *json = mk_xasprintf(
        "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[{\"id\":{\"value\":\"O1\"},"
        "\"framework_id\":{\"value\":\"F\"},\"agent_id\":{\"value\":\"S1\"},"
        "\"hostname\":\"agent1\",\"allocation_info\":{\"role\":\"kafka\"},\"resources\":[%s]}]}}",
        resources);
    mk_err err = {{0}};
    assert_int_equal(mesos_event_parse(json, strlen(json), ev, &err), 0);
    return &ev->u.offers.offers[0];
}

#define SCALAR(n, v) "{\"name\":\"" n "\",\"type\":\"SCALAR\",\"scalar\":{\"value\":" #v "}}"
#define PORTS(r)     "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":[" r "]}}"

static void test_placement_takes_only_what_the_offer_has(void **state)
{
    (void)state;
    mesos_event ev;
    mesos_offer *o =
        parse_offer(&ev, SCALAR("cpus", 2) "," SCALAR("mem", 4096) "," SCALAR(
                             "disk", 5000) "," PORTS("{\"begin\":31000,\"end\":31001},"
                                                     "{\"begin\":31005,\"end\":31010}"));
    offer_space *s = offer_space_new(o, "kafka");
    placement_need zk = {.cpus = 0.5, .mem_mb = 1024, .disk_mb = 100, .n_ports = 3};
    int ports[3];
    json_t *res = offer_space_take(s, &zk, ports);
    assert_non_null(res);
    assert_int_equal(ports[0], 31000);
    assert_int_equal(ports[1], 31001);
    assert_int_equal(ports[2], 31005);
    cleanup_free char *text = json_dumps(res, JSON_COMPACT);
    assert_non_null(strstr(text, "\"allocation_info\":{\"role\":\"kafka\"}"));
    assert_non_null(strstr(text, "{\"begin\":31005,\"end\":31005}"));
    json_decref(res);
    /* What is left: 1.5 cpus, 3072 mem, ports 31006-31010. */
    placement_need too_big = {.cpus = 1.6, .mem_mb = 1};
    assert_false(offer_space_fits(s, &too_big));
    placement_need fixed = {
        .cpus = 1, .mem_mb = 3072, .n_ports = 2, .fixed_ports = (int[]){31010, 31006}};
    assert_true(offer_space_fits(s, &fixed));
    placement_need taken = {.cpus = 0.1, .mem_mb = 1, .n_ports = 1, .fixed_ports = (int[]){31000}};
    assert_false(offer_space_fits(s, &taken));
    res = offer_space_take(s, &fixed, ports);
    assert_non_null(res);
    assert_int_equal(ports[0], 31010);
    json_decref(res);
    placement_need more_ports = {.cpus = 0, .mem_mb = 0, .n_ports = 4};
    assert_false(offer_space_fits(s, &more_ports));
    assert_null(offer_space_take(s, &too_big, ports));
    /* A broker's own port range: the lowest free port inside it, or no fit. Left: 31007-31009. */
    placement_need ranged = {.n_ports = 1, .port_lo = 31008, .port_hi = 31100};
    res = offer_space_take(s, &ranged, ports);
    assert_non_null(res);
    assert_int_equal(ports[0], 31008);
    json_decref(res);
    placement_need outside = {.n_ports = 1, .port_lo = 9092, .port_hi = 9099};
    assert_false(offer_space_fits(s, &outside));
    placement_need single = {.n_ports = 1, .port_lo = 31007, .port_hi = 31007};
    assert_true(offer_space_fits(s, &single));
    offer_space_free(s);
    mesos_event_clear(&ev);
}

static void test_placement_respects_reservations_and_splits(void **state)
{
    (void)state;
    mesos_event ev;
    mesos_offer *o = parse_offer(
        &ev,
        SCALAR("cpus", 0.5) ",{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":1},"
                            "\"reservations\":[{\"type\":\"STATIC\",\"role\":\"kafka\"}]},"
                            "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":900},"
                            "\"reservations\":[{\"type\":\"STATIC\",\"role\":\"other\"}]}," SCALAR(
                                "mem", 100));
    offer_space *s = offer_space_new(o, "kafka");
    placement_need need = {.cpus = 1.2, .mem_mb = 100};
    assert_true(offer_space_fits(s, &need));
    placement_need mem = {.cpus = 0.1, .mem_mb = 101}; /* the 900 belong to another role */
    assert_false(offer_space_fits(s, &mem));
    int ports[1];
    json_t *res = offer_space_take(s, &need, ports);
    assert_int_equal(json_array_size(res), 3); /* 0.5 unreserved + 0.7 reserved, then mem */
    assert_true(json_real_value(json_object_get(json_object_get(json_array_get(res, 1), "scalar"),
                                                "value")) == 0.7);
    assert_non_null(json_object_get(json_array_get(res, 1), "reservations"));
    json_decref(res);
    offer_space_free(s);
    mesos_event_clear(&ev);
}

/* ---- taskinfo ----------------------------------------------------------------------------------
 */

static member *placed(member_kind kind, int id, const char *host, int p0, int p1, int p2)
{
    member *m = member_new(kind, id);
    m->agent_id = mk_xasprintf("S-%s", host);
    m->hostname = mk_xstrdup(host);
    m->ports[0] = p0, m->ports[1] = p1, m->ports[2] = p2;
    m->n_ports = kind == KIND_ZOOKEEPER ? 3 : 1;
    return m;
}

static const char *env_value(json_t *ti, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(
        json_object_get(json_object_get(json_object_get(ti, "command"), "environment"),
                        "variables"),
        i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
            return json_string_value(json_object_get(v, "value"));
    }
    return NULL;
}

static void test_zookeeper_server_lists_per_network(void **state)
{
    (void)state;
    config c = test_config();
    member *zk[2] = {placed(KIND_ZOOKEEPER, 1, "a1", 31000, 31001, 31002),
                     placed(KIND_ZOOKEEPER, 2, "a2", 31100, 31101, 31102)};
    cleanup_free char *host = taskinfo_zoo_servers(&c, zk, 2, zk[0]);
    assert_string_equal(host, "server.1=a1:31001:31002;31000 server.2=a2:31101:31102;31100");
    c.network = NETWORK_BRIDGE;
    cleanup_free char *bridge = taskinfo_zoo_servers(&c, zk, 2, zk[1]);
    assert_string_equal(bridge, "server.1=a1:31001:31002;31000 server.2=0.0.0.0:2888:3888;2181");
    c.network = NETWORK_USER;
    c.domain = "weave.local";
    cleanup_free char *user = taskinfo_zoo_servers(&c, zk, 2, zk[0]);
    assert_string_equal(user, "server.1=0.0.0.0:2888:3888;2181 "
                              "server.2=zookeeper-2.weave.local:2888:3888;2181");
    assert_int_equal(taskinfo_ports_needed(&c, KIND_ZOOKEEPER), 0);
    member_free(zk[0]);
    member_free(zk[1]);
}

/* A member as an offer round leaves it in `mode`: on USER with no host ports (issue 18: those
 * were left out of the server list, so every server ran standalone). */
static member *placed_in(network_mode mode, member_kind kind, int id, const char *host, int port)
{
    member *m = placed(kind, id, host, port, port + 1, port + 2);
    if (mode == NETWORK_USER)
        m->n_ports = 0;
    return m;
}

static void test_zookeeper_ensemble_on_every_network(void **state)
{
    (void)state;
    static const struct {
        network_mode mode;
        const char *domain;
        const char *for_2; /* ZOO_SERVERS of zookeeper-2 */
    } cases[] = {
        {NETWORK_HOST, NULL,
         "server.1=a1:31001:31002;31000 server.2=a2:31101:31102;31100 "
         "server.3=a3:31201:31202;31200"},
        {NETWORK_BRIDGE, NULL,
         "server.1=a1:31001:31002;31000 server.2=0.0.0.0:2888:3888;2181 "
         "server.3=a3:31201:31202;31200"},
        {NETWORK_USER, "weave.local",
         "server.1=zookeeper-1.weave.local:2888:3888;2181 server.2=0.0.0.0:2888:3888;2181 "
         "server.3=zookeeper-3.weave.local:2888:3888;2181"},
        {NETWORK_USER, NULL,
         "server.1=zookeeper-1:2888:3888;2181 server.2=0.0.0.0:2888:3888;2181 "
         "server.3=zookeeper-3:2888:3888;2181"},
    };
    for (size_t k = 0; k < MK_ARRAY_LEN(cases); k++) {
        config c = test_config();
        c.network = cases[k].mode;
        c.domain = (char *)cases[k].domain;
        member *all[6] = {
            placed_in(c.network, KIND_ZOOKEEPER, 1, "a1", 31000),
            placed_in(c.network, KIND_ZOOKEEPER, 2, "a2", 31100),
            placed_in(c.network, KIND_ZOOKEEPER, 3, "a3", 31200),
            placed_in(c.network, KIND_KAFKA, 0, "a1", 31300), /* not a ZooKeeper member */
            member_new(KIND_ZOOKEEPER, 4),                    /* never placed: no address */
            placed_in(c.network, KIND_ZOOKEEPER, 5, "a4", 31400),
        };
        all[5]->goal = GOAL_REMOVE; /* removed, and its task has ended */
        member *list[6];
        size_t n = taskinfo_zoo_ensemble(&c, all, 6, list);
        assert_int_equal(n, 3);
        assert_ptr_equal(list[0], all[0]);
        assert_ptr_equal(list[2], all[2]);
        cleanup_free char *servers = taskinfo_zoo_servers(&c, list, n, all[1]);
        assert_string_equal(servers, cases[k].for_2);
        /* A member being removed stays in the list while its task runs. */
        all[5]->task_id = mk_xstrdup("zookeeper-5.x");
        all[5]->task_state = TASK_RUNNING;
        assert_int_equal(taskinfo_zoo_ensemble(&c, all, 6, list), 4);
        /* A member that lost its home keeps its last address in the list. */
        free(all[0]->agent_id);
        all[0]->agent_id = NULL;
        assert_int_equal(taskinfo_zoo_ensemble(&c, all, 6, list), 4);
        for (size_t i = 0; i < 6; i++)
            member_free(all[i]);
    }
}

static void test_kafka_task_info(void **state)
{
    (void)state;
    config c = test_config();
    c.volume_kafka = "kdata";
    c.kafka_options = "num.partitions=3,log.retention-ms_x=5";
    member *k = placed(KIND_KAFKA, 4, "agent2", 31007, 0, 0);
    json_t *ti = taskinfo_build(&c, k, "kafka-4.u", json_array(), NULL, "a1:1,a2:2/mk");
    assert_string_equal(json_string_value(json_object_get(ti, "name")), "kafka-4");
    assert_string_equal(env_value(ti, "KAFKA_BROKER_ID"), "4");
    assert_string_equal(env_value(ti, "KAFKA_ZOOKEEPER_CONNECT"), "a1:1,a2:2/mk");
    assert_string_equal(env_value(ti, "KAFKA_ADVERTISED_LISTENERS"), "PLAINTEXT://agent2:31007");
    assert_string_equal(env_value(ti, "KAFKA_LISTENERS"), "PLAINTEXT://0.0.0.0:31007");
    assert_string_equal(env_value(ti, "KAFKA_NUM_PARTITIONS"), "3");
    assert_string_equal(env_value(ti, "KAFKA_LOG_RETENTION__MS___X"), "5");
    assert_string_equal(env_value(ti, "KAFKA_LOG_DIRS"), "data");
    json_t *container = json_object_get(ti, "container");
    json_t *vol = json_array_get(json_object_get(container, "volumes"), 0);
    assert_string_equal(json_string_value(json_object_get(vol, "container_path")), "data");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(vol, "source"), "docker_volume"), "name")),
        "kdata-4");
    json_t *hc = json_object_get(ti, "health_check");
    assert_string_equal(json_string_value(json_object_get(hc, "type")), "TCP");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(hc, "tcp"), "port")),
                     31007);
    json_decref(ti);

    /* BRIDGE: the container port, mapped from the offer's port; USER: a DNS name. */
    c.network = NETWORK_BRIDGE;
    c.volume_kafka = "/srv/kafka";
    ti = taskinfo_build(&c, k, "kafka-4.v", json_array(), NULL, "z/mk");
    assert_string_equal(env_value(ti, "KAFKA_LISTENERS"), "PLAINTEXT://0.0.0.0:9092");
    assert_string_equal(env_value(ti, "KAFKA_ADVERTISED_LISTENERS"), "PLAINTEXT://agent2:31007");
    container = json_object_get(ti, "container");
    json_t *map =
        json_array_get(json_object_get(json_object_get(container, "docker"), "port_mappings"), 0);
    assert_int_equal(json_integer_value(json_object_get(map, "host_port")), 31007);
    assert_int_equal(json_integer_value(json_object_get(map, "container_port")), 9092);
    vol = json_array_get(json_object_get(container, "volumes"), 0);
    assert_string_equal(json_string_value(json_object_get(vol, "host_path")), "/srv/kafka/kafka-4");
    json_decref(ti);
    c.network = NETWORK_USER;
    c.network_name = "weave";
    c.kafka_custom_domain = "kafka.weave.local";
    ti = taskinfo_build(&c, k, "kafka-4.w", json_array(), NULL, "z/mk");
    assert_string_equal(env_value(ti, "KAFKA_ADVERTISED_LISTENERS"),
                        "PLAINTEXT://kafka-4.kafka.weave.local:9092");
    container = json_object_get(ti, "container");
    assert_string_equal(json_string_value(json_object_get(container, "hostname")),
                        "kafka-4.kafka.weave.local");
    json_decref(ti);
    member_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_ids_name_their_member),
        cmocka_unit_test(test_backoff_doubles_to_the_maximum),
        cmocka_unit_test(test_failures_count_and_reset_after_a_healthy_run),
        cmocka_unit_test(test_ends_the_core_caused_are_not_failures),
        cmocka_unit_test(test_a_task_gone_with_its_agent_is_relaunched),
        cmocka_unit_test(test_persisted_form_round_trips_and_is_checked),
        cmocka_unit_test(test_placement_takes_only_what_the_offer_has),
        cmocka_unit_test(test_placement_respects_reservations_and_splits),
        cmocka_unit_test(test_zookeeper_server_lists_per_network),
        cmocka_unit_test(test_zookeeper_ensemble_on_every_network),
        cmocka_unit_test(test_kafka_task_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
