/*
 * Unit tests of the simulated agents' decision code: the image map, the container plan (Docker
 * options, networks, volumes, environment) and the health-check policy and spec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"
#include "health.h"
#include "imagemap.h"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-sim-agent.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static imagemap *map_from(const char *text, mk_err *err)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/images.map", tmpdir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return imagemap_load(path, err);
}

/* ---- image map --------------------------------------------------------------------------------
 */

static void test_imagemap_matches_short_names(void **state)
{
    (void)state;
    mk_err err = {{0}};
    imagemap *m = map_from("# comment\nzookeeper /bin/sh\nzookeeper:*  /bin/sh # tagged\n"
                           "apache/kafka:* /usr/bin/env\n",
                           &err);
    assert_non_null(m);
    assert_int_equal(imagemap_rules(m), 3);
    assert_string_equal(imagemap_lookup(m, "zookeeper"), "/bin/sh");
    assert_string_equal(imagemap_lookup(m, "docker.io/library/zookeeper:3.8"), "/bin/sh");
    assert_string_equal(imagemap_lookup(m, "docker.io/apache/kafka:3.9.2"), "/usr/bin/env");
    assert_null(imagemap_lookup(m, "apache/kafka"));
    assert_null(imagemap_lookup(m, "example.com/zookeeper:3.8"));
    imagemap_free(m);
}

static void test_imagemap_rejects_bad_lines(void **state)
{
    (void)state;
    mk_err err = {{0}};
    assert_null(map_from("zookeeper\n", &err));
    assert_non_null(strstr(err.msg, "line 1: expected '<image pattern> <launcher>'"));
    assert_null(map_from("ok /bin/sh\nzookeeper ./missing.sh\n", &err));
    assert_non_null(strstr(err.msg, "line 2: launcher"));
    assert_non_null(strstr(err.msg, "is not an executable file"));
    assert_null(imagemap_load("/nonexistent/images.map", &err));
    assert_non_null(strstr(err.msg, "/nonexistent/images.map"));
}

/* ---- container plans --------------------------------------------------------------------------
 */

static unsigned char ports[65536 / 8];

static container_context context(const imagemap *m, char *sandbox)
{
    static int n;
    snprintf(sandbox, 128, "%s/sandbox-%d", tmpdir, n++);
    memset(ports, 0, sizeof(ports));
    ports[31000 / 8] |= (unsigned char)(1u << (31000 % 8));
    return (container_context){.agent_hostname = "agent1",
                               .agent_ip = "127.0.1.1",
                               .agent_dir = tmpdir,
                               .sandbox = sandbox,
                               .framework_id = "fw",
                               .agent_id = "S0",
                               .role = "*",
                               .container_id = "c1",
                               .container_ip = "127.2.0.9",
                               .images = m,
                               .hosts_file = "/tmp/hosts",
                               .task_ports = ports};
}

static plan_result plan(const char *task_json, container_plan *p, char *why)
{
    mk_err err = {{0}};
    imagemap *m = map_from("busybox /usr/bin/env\n", &err);
    char sandbox[128];
    container_context ctx = context(m, sandbox);
    json_t *ti = json_loads(task_json, 0, NULL);
    assert_non_null(ti);
    plan_result r = container_plan_build(ti, &ctx, p, why, 512);
    json_decref(ti);
    imagemap_free(m);
    return r;
}

static const char *env_of(const container_plan *p, const char *name)
{
    size_t len = strlen(name);
    for (char **e = p->env; e && *e; e++)
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
            return *e + len + 1;
    return NULL;
}

static void test_plan_host_network_docker(void **state)
{
    (void)state;
    container_plan p;
    char why[512];
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t1\"},\"command\":{\"shell\":false,"
                          "\"arguments\":[\"a\",\"b\"],\"environment\":{\"variables\":[{\"name\":"
                          "\"FOO\",\"value\":\"bar\"}]}},\"container\":{\"type\":\"DOCKER\","
                          "\"docker\":{\"image\":\"busybox\"}}}",
                          &p, why),
                     PLAN_OK);
    assert_int_equal(p.net, NET_HOST);
    assert_string_equal(p.ip, "127.0.1.1");
    assert_string_equal(p.argv[0], "/usr/bin/env"); /* the image's entrypoint, then the CMD */
    assert_string_equal(p.argv[1], "a");
    assert_string_equal(p.argv[2], "b");
    assert_null(p.argv[3]);
    assert_string_equal(env_of(&p, "FOO"), "bar");
    assert_string_equal(env_of(&p, "MESOS_TASK_ID"), "t1");
    assert_string_equal(env_of(&p, "MESOS_CONTAINER_NAME"), "mesos-c1");
    assert_string_equal(env_of(&p, "MK_BIND_ADDRESS"), "127.0.1.1");
    assert_string_equal(env_of(&p, "HOSTNAME"), "agent1");
    assert_true(p.kill_grace_s == 3.0);
    container_plan_free(&p);
}

static void test_plan_bridge_and_user(void **state)
{
    (void)state;
    container_plan p;
    char why[512];
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t2\"},\"command\":{\"value\":\"sleep 1\"},"
                          "\"kill_policy\":{\"grace_period\":{\"nanoseconds\":1500000000}},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\","
                          "\"network\":\"BRIDGE\",\"port_mappings\":[{\"host_port\":31000,"
                          "\"container_port\":9092}]}}}",
                          &p, why),
                     PLAN_OK);
    assert_int_equal(p.net, NET_BRIDGE);
    assert_string_equal(p.ip, "127.2.0.9");
    assert_int_equal(p.n_ports, 1);
    assert_int_equal(p.ports[0].host_port, 31000);
    assert_int_equal(p.ports[0].container_port, 9092);
    assert_string_equal(p.argv[0], "/bin/sh"); /* shell: the entrypoint is overridden */
    assert_string_equal(p.argv[2], "sleep 1");
    assert_true(p.kill_grace_s == 1.5);
    container_plan_free(&p);

    assert_int_equal(plan("{\"task_id\":{\"value\":\"t3\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"hostname\":\"k0.weave.local\","
                          "\"docker\":{\"image\":\"busybox\",\"network\":\"USER\"},"
                          "\"network_infos\":[{\"name\":\"weave\"}]}}",
                          &p, why),
                     PLAN_OK);
    assert_int_equal(p.net, NET_USER);
    assert_string_equal(p.network_name, "weave");
    assert_string_equal(p.hostname, "k0.weave.local");
    assert_string_equal(env_of(&p, "HOSTNAME"), "k0.weave.local");
    container_plan_free(&p);
}

static void test_plan_refusals(void **state)
{
    (void)state;
    container_plan p;
    char why[512];
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"nginx\"}}}",
                          &p, why),
                     PLAN_PULL_FAILED);
    assert_non_null(strstr(why, "pull nginx"));
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\","
                          "\"port_mappings\":[{\"host_port\":31000,\"container_port\":80}]}}}",
                          &p, why),
                     PLAN_INVALID);
    assert_non_null(strstr(why, "Port mappings are only supported for bridge"));
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\","
                          "\"network\":\"BRIDGE\",\"port_mappings\":[{\"host_port\":31001,"
                          "\"container_port\":80}]}}}",
                          &p, why),
                     PLAN_INVALID);
    assert_non_null(strstr(why, "Port [31001] not included in resources"));
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"hostname\":\"x\","
                          "\"docker\":{\"image\":\"busybox\"}}}",
                          &p, why),
                     PLAN_INVALID);
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t\"},\"command\":{\"shell\":true},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\"}}}",
                          &p, why),
                     PLAN_INVALID);
    assert_non_null(strstr(why, "Shell specified but no command value provided"));
    assert_int_equal(plan("{\"task_id\":{\"value\":\"t\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\"},"
                          "\"volumes\":[{\"container_path\":\"/var/lib/x\",\"mode\":\"RW\","
                          "\"host_path\":\"/data\"}]}}",
                          &p, why),
                     PLAN_INVALID);
    assert_non_null(strstr(why, "relative to the sandbox"));
}

static void test_plan_volumes_link_agent_directories(void **state)
{
    (void)state;
    container_plan p;
    char why[512];
    assert_int_equal(plan("{\"task_id\":{\"value\":\"v\"},\"command\":{\"value\":\"true\"},"
                          "\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"busybox\"},"
                          "\"volumes\":[{\"container_path\":\"data\",\"mode\":\"RW\",\"source\":"
                          "{\"type\":\"DOCKER_VOLUME\",\"docker_volume\":{\"name\":\"vol1\"}}},"
                          "{\"container_path\":\"logs/app\",\"mode\":\"RW\",\"host_path\":"
                          "\"/srv/logs\"}]}}",
                          &p, why),
                     PLAN_OK);
    char path[256];
    struct stat st;
    snprintf(path, sizeof(path), "%s/docker-volumes/vol1", tmpdir);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof(path), "%s/root/srv/logs", tmpdir);
    assert_int_equal(stat(path, &st), 0);
    char link[256];
    snprintf(path, sizeof(path), "%s/data", env_of(&p, "MESOS_SANDBOX"));
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    assert_true(n > 0);
    link[n] = '\0';
    assert_non_null(strstr(link, "docker-volumes/vol1"));
    container_plan_free(&p);
}

/* ---- health -----------------------------------------------------------------------------------
 */

static void test_health_policy(void **state)
{
    (void)state;
    health_spec spec = {.grace_s = 10, .consecutive_failures = 3};
    health_state st = {.started = 100};
    health_verdict v = health_policy(&st, &spec, false, 105); /* in the grace period */
    assert_false(v.report);
    v = health_policy(&st, &spec, true, 106);
    assert_true(v.report && v.healthy);
    v = health_policy(&st, &spec, true, 107); /* unchanged: not reported */
    assert_false(v.report);
    v = health_policy(&st, &spec, false, 108); /* after a success, grace no longer applies */
    assert_true(v.report && !v.healthy && !v.kill);
    v = health_policy(&st, &spec, false, 109);
    assert_true(v.report && !v.kill);
    v = health_policy(&st, &spec, false, 110);
    assert_true(v.report && v.kill);
    v = health_policy(&st, &spec, true, 111);
    assert_true(v.report && v.healthy);
    assert_int_equal(st.failures, 0);

    health_state fresh = {.started = 0};
    v = health_policy(&fresh, &spec, false, 20); /* grace over without a success */
    assert_true(v.report && !v.healthy);
}

static void test_health_spec(void **state)
{
    (void)state;
    health_spec s;
    char err[256];
    json_t *j = json_loads("{\"type\":\"HTTP\",\"http\":{\"port\":8080,\"path\":\"/health\"},"
                           "\"interval_seconds\":\"2.5\"}",
                           0, NULL);
    assert_int_equal(health_spec_parse(j, &s, err, sizeof(err)), 0);
    assert_int_equal(s.type, HEALTH_HTTP);
    assert_int_equal(s.port, 8080);
    assert_string_equal(s.path, "/health");
    assert_string_equal(s.scheme, "http");
    assert_true(s.interval_s == 2.5 && s.delay_s == 15 && s.timeout_s == 20 && s.grace_s == 10);
    assert_int_equal(s.consecutive_failures, 3);
    health_spec_free(&s);
    json_decref(j);

    static const char *const bad[][2] = {
        {"{\"type\":\"HTTP\",\"http\":{\"port\":80,\"path\":\"health\"}}", "must start with '/'"},
        {"{\"type\":\"TCP\",\"tcp\":{\"port\":0}}", "health check port 0"},
        {"{\"type\":\"TCP\"}", "Expecting 'tcp' to be set for TCP health check"},
        {"{\"type\":\"COMMAND\",\"command\":{\"shell\":true}}", "must contain 'shell command'"},
        {"{\"tcp\":{\"port\":1}}", "HealthCheck must specify 'type'"},
        {"{\"type\":\"TCP\",\"tcp\":{\"port\":1},\"delay_seconds\":-1}",
         "Expecting 'delay_seconds' to be non-negative"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        j = json_loads(bad[i][0], 0, NULL);
        assert_int_equal(health_spec_parse(j, &s, err, sizeof(err)), -1);
        if (!strstr(err, bad[i][1]))
            fail_msg("%s: got '%s'", bad[i][0], err);
        json_decref(j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imagemap_matches_short_names),
        cmocka_unit_test(test_imagemap_rejects_bad_lines),
        cmocka_unit_test(test_plan_host_network_docker),
        cmocka_unit_test(test_plan_bridge_and_user),
        cmocka_unit_test(test_plan_refusals),
        cmocka_unit_test(test_plan_volumes_link_agent_directories),
        cmocka_unit_test(test_health_policy),
        cmocka_unit_test(test_health_spec),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
