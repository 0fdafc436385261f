/*
 * Unit tests for the command-line client: src/cli.c (parsing and running), src/cli_show.c (what a
 * person sees), src/cli_table.c (tables) and src/cli_http.c (requests).
 *
 *   - parsing, table-driven: each command line becomes the right method, path and JSON body, or
 *     a usage error (exit 2) before any request; where the client connects and with which
 *     credentials;
 *   - tables: alignment, cell text of JSON values, control characters, UTF-8 widths; the shown
 *     form of the status, a topic, offsets, a producer test, refusals and plan changes;
 *   - end to end against a small libmicrohttpd server started here that answers canned replies:
 *     a table on 200, the JSON body and credentials that arrive, a 409 with partitions (exit 1
 *     and the refusal on stderr), a 401, an unreachable port (exit 3), and a restart followed
 *     through the plan to done and to failed.
 *   - over HTTPS: verified against MESOS_KAFKA_CA_CERT (a wrong CA, the system CAs and a plain
 *     server each give one line and exit 3); the CA file and AUTH_PASSWORD_FILE are checked first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_net.h"
#include "test_pki.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"
#include "cli_http.h"
#include "cli_show.h"
#include "cli_table.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------------------------ */

#define MAX_ARGS 24

/* "topic create orders" -> argv with argv[0] = "mesos-kafka"; words split on single spaces. */
typedef struct {
    char *copy;
    char *argv[MAX_ARGS];
    int argc;
} command_line;

static void split_line(command_line *cl, const char *line)
{
    cl->copy = mk_xstrdup(line);
    cl->argc = 0;
    cl->argv[cl->argc++] = "mesos-kafka";
    char *save = NULL;
    for (char *w = strtok_r(cl->copy, " ", &save); w && cl->argc < MAX_ARGS - 1;
         w = strtok_r(NULL, " ", &save))
        cl->argv[cl->argc++] = w;
    cl->argv[cl->argc] = NULL;
}

/* A fake environment: "NAME=value" strings. */
typedef struct {
    const char *vars[8];
} fake_env;

static const char *fake_getenv(const char *name, void *ctx)
{
    const fake_env *e = ctx;
    size_t len = strlen(name);
    for (size_t i = 0; i < MK_ARRAY_LEN(e->vars) && e->vars[i]; i++)
        if (strncmp(e->vars[i], name, len) == 0 && e->vars[i][len] == '=')
            return e->vars[i] + len + 1;
    return NULL;
}

/* stdout and stderr of one run, in memory. */
typedef struct {
    char *out, *err;
    size_t out_len, err_len;
    FILE *out_f, *err_f;
} captured;

static void capture_start(captured *c)
{
    memset(c, 0, sizeof(*c));
    c->out_f = open_memstream(&c->out, &c->out_len);
    c->err_f = open_memstream(&c->err, &c->err_len);
    assert_non_null(c->out_f);
    assert_non_null(c->err_f);
}

static void capture_stop(captured *c)
{
    fclose(c->out_f);
    fclose(c->err_f);
    c->out_f = c->err_f = NULL;
}

static void capture_free(captured *c)
{
    free(c->out);
    free(c->err);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find\n  %s\nin\n%s", needle, haystack);
}

/* ---- parsing ------------------------------------------------------------------------------ */

typedef struct {
    const char *line;
    int status;         /* CLI_EXIT_OK or CLI_EXIT_USAGE */
    const char *method; /* first call */
    const char *path;
    const char *body; /* compact, sorted keys; NULL: no body */
    const char *path2;
    bool follow;
    const char *error; /* text expected on stderr with a usage error */
} parse_case;

static const parse_case parse_cases[] = {
    {.line = "status", .status = 0, .method = "GET", .path = "/v0/status"},
    {.line = "plan", .status = 0, .method = "GET", .path = "/v1/plan"},
    {.line = "connection", .status = 0, .method = "GET", .path = "/v1/connection"},
    {.line = "kafka scale 5", .status = 0, .method = "POST", .path = "/v0/kafka/scale/5"},
    {.line = "kafka scale 0", .status = 0, .method = "POST", .path = "/v0/kafka/scale/0"},
    {.line = "kafka scale 2 --force",
     .status = 0,
     .method = "POST",
     .path = "/v0/kafka/scale/2?force=true"},
    {.line = "--force kafka scale 2",
     .status = 0,
     .method = "POST",
     .path = "/v0/kafka/scale/2?force=true"},
    {.line = "kafka scale", .status = 2, .error = "missing COUNT"},
    {.line = "kafka scale -1", .status = 2, .error = "COUNT: '-1' is not a whole number"},
    {.line = "kafka scale five", .status = 2, .error = "COUNT: 'five'"},
    {.line = "kafka scale 3 4", .status = 2, .error = "unexpected argument '4'"},
    {.line = "zookeeper scale 3", .status = 0, .method = "POST", .path = "/v0/zookeeper/scale/3"},
    {.line = "zookeeper scale 3 --force",
     .status = 2,
     .error = "zookeeper scale does not take --force"},
    {.line = "kafka reflate", .status = 0, .method = "POST", .path = "/v0/kafka/reflate"},
    {.line = "zookeeper reflate", .status = 0, .method = "POST", .path = "/v0/zookeeper/reflate"},
    {.line = "reflate",
     .status = 0,
     .method = "POST",
     .path = "/v0/kafka/reflate",
     .path2 = "/v0/zookeeper/reflate"},
    {.line = "reflate zookeeper", .status = 0, .method = "POST", .path = "/v0/zookeeper/reflate"},
    {.line = "reflate mesos", .status = 2, .error = "KIND: 'mesos' is neither kafka nor zookeeper"},
    {.line = "kafka", .status = 2, .error = "kafka: missing what to do (scale, reflate)"},
    {.line = "kafka grow 3", .status = 2, .error = "unknown command 'grow'"},
    {.line = "kill kafka-1.a1b2",
     .status = 0,
     .method = "POST",
     .path = "/v0/task/kill/kafka-1.a1b2"},
    {.line = "kill", .status = 2, .error = "missing TASK"},
    {.line = "container zookeeper-2.c3d4",
     .status = 0,
     .method = "GET",
     .path = "/v0/container/zookeeper-2.c3d4"},
    {.line = "broker list", .status = 0, .method = "GET", .path = "/v1/brokers"},
    {.line = "broker describe 2", .status = 0, .method = "GET", .path = "/v1/brokers/2"},
    {.line = "broker describe two", .status = 2, .error = "ID: 'two' is not a whole number"},
    {.line = "broker restart 1",
     .status = 0,
     .method = "PUT",
     .path = "/v1/brokers/1",
     .follow = true},
    {.line = "broker restart 1 --force --no-wait",
     .status = 0,
     .method = "PUT",
     .path = "/v1/brokers/1?force=true"},
    {.line = "broker restart --all",
     .status = 0,
     .method = "PUT",
     .path = "/v1/brokers",
     .follow = true},
    {.line = "broker restart --all --force",
     .status = 0,
     .method = "PUT",
     .path = "/v1/brokers?force=true",
     .follow = true},
    {.line = "broker restart", .status = 2, .error = "missing ID (or --all"},
    {.line = "broker restart 1 --all", .status = 2, .error = "either ID or --all, not both"},
    {.line = "broker restart 1 --all=yes", .status = 2, .error = "option --all takes no value"},
    {.line = "topic list", .status = 0, .method = "GET", .path = "/v1/topics"},
    {.line = "topic list extra", .status = 2, .error = "unexpected argument 'extra'"},
    {.line = "topic list --force", .status = 2, .error = "topic list does not take --force"},
    {.line = "topic list --bogus", .status = 2, .error = "unknown option '--bogus'"},
    {.line = "topic create orders",
     .status = 0,
     .method = "POST",
     .path = "/v1/topics",
     .body = "{\"name\":\"orders\"}"},
    {.line =
         "topic create orders --partitions 6 --replication=3 --config retention.ms=100 --config "
         "cleanup.policy=compact",
     .status = 0,
     .method = "POST",
     .path = "/v1/topics",
     .body = "{\"configs\":{\"cleanup.policy\":\"compact\",\"retention.ms\":\"100\"},\"name\":"
             "\"orders\","
             "\"partitions\":6,\"replication\":3}"},
    {.line = "topic create orders --config x.y=",
     .status = 0,
     .method = "POST",
     .path = "/v1/topics",
     .body = "{\"configs\":{\"x.y\":\"\"},\"name\":\"orders\"}"},
    {.line = "topic create orders --config retention.ms",
     .status = 2,
     .error = "'retention.ms' is not KEY=VALUE"},
    {.line = "topic create orders --config =1", .status = 2, .error = "'=1' is not KEY=VALUE"},
    {.line = "topic create orders --partitions six", .status = 2, .error = "--partitions: 'six'"},
    {.line = "topic create orders --partitions",
     .status = 2,
     .error = "option --partitions needs a value"},
    {.line = "topic create", .status = 2, .error = "missing NAME"},
    {.line = "topic describe orders", .status = 0, .method = "GET", .path = "/v1/topics/orders"},
    {.line = "topic describe a#b?c%",
     .status = 0,
     .method = "GET",
     .path = "/v1/topics/a%23b%3Fc%25"},
    {.line = "topic describe -- --odd", .status = 0, .method = "GET", .path = "/v1/topics/--odd"},
    {.line = "topic offsets orders",
     .status = 0,
     .method = "GET",
     .path = "/v1/topics/orders/offsets"},
    {.line = "topic partitions orders 12",
     .status = 0,
     .method = "PUT",
     .path = "/v1/topics/orders/partitions",
     .body = "{\"count\":12}"},
    {.line = "topic partitions orders many",
     .status = 2,
     .error = "COUNT: 'many' is not a whole number"},
    {.line = "topic partitions orders", .status = 2, .error = "missing COUNT"},
    {.line = "topic config orders cleanup.policy compact",
     .status = 0,
     .method = "PUT",
     .path = "/v1/topics/orders/config",
     .body = "{\"key\":\"cleanup.policy\",\"value\":\"compact\"}"},
    {.line = "topic config orders cleanup.policy", .status = 2, .error = "missing VALUE"},
    {.line = "topic delete-config orders cleanup.policy",
     .status = 0,
     .method = "DELETE",
     .path = "/v1/topics/orders/config/cleanup.policy"},
    {.line = "topic delete orders", .status = 0, .method = "DELETE", .path = "/v1/topics/orders"},
    {.line = "topic producer-test orders",
     .status = 0,
     .method = "POST",
     .path = "/v1/topics/orders/producer-test",
     .body = "{\"messages\":1000}"},
    {.line = "topic producer-test orders 50 --size 512",
     .status = 0,
     .method = "POST",
     .path = "/v1/topics/orders/producer-test",
     .body = "{\"messages\":50,\"size\":512}"},
    {.line = "topic producer-test orders 50 --size big", .status = 2, .error = "--size: 'big'"},
    {.line = "topic under-replicated",
     .status = 0,
     .method = "GET",
     .path = "/v1/partitions/under-replicated"},
    {.line = "topic unavailable",
     .status = 0,
     .method = "GET",
     .path = "/v1/partitions/unavailable"},
    {.line = "topic frobnicate", .status = 2, .error = "topic: unknown command 'frobnicate'"},
    {.line = "topic", .status = 2, .error = "topic: missing what to do"},
    {.line = "frobnicate", .status = 2, .error = "unknown command 'frobnicate'"},
    {.line = "--json", .status = 2, .error = "no command given"},
    {.line = "status --timeout", .status = 2, .error = "option --timeout needs a value"},
    {.line = "status --timeout 0", .status = 2, .error = "--timeout: '0'"},
    {.line = "status --timeout soon", .status = 2, .error = "--timeout: 'soon'"},
    {.line = "status --api ftp://x",
     .status = 2,
     .error = "--api: 'ftp://x' is not an http:// or https:// URL"},
    {.line = "help nosuch", .status = 2, .error = "no command 'nosuch'"},
    /* Arguments that cannot be sent as they are (found by fuzz_cli_parse): a '/' in a path
     * segment would name another route once decoded, JSON holds only UTF-8. */
    {.line = "topic describe a/b", .status = 2, .error = "NAME: must not contain '/'"},
    {.line = "topic create \xff", .status = 2, .error = "NAME: is not valid UTF-8"},
    {.line = "topic create orders --config k=\xff", .status = 2, .error = "is not valid UTF-8"},
    {.line = "topic config orders compression.type a/b",
     .status = 0,
     .method = "PUT",
     .path = "/v1/topics/orders/config",
     .body = "{\"key\":\"compression.type\",\"value\":\"a/b\"}"},
    /* Broker management: settings as options, the server judges them. */
    {.line = "broker add 3..4 --cpus 0.5 --jvm-options -Xss1m --constraints rack=like:r2",
     .status = 0,
     .method = "POST",
     .path = "/v1/brokers/3..4/add",
     .body = "{\"constraints\":\"rack=like:r2\",\"cpus\":\"0.5\",\"jvm_options\":\"-Xss1m\"}"},
    {.line = "broker update 0 --options=",
     .status = 0,
     .method = "POST",
     .path = "/v1/brokers/0/update",
     .body = "{\"options\":\"\"}",
     .follow = true},
    {.line = "broker update 0 --mem 900 --no-restart --no-wait",
     .status = 0,
     .method = "POST",
     .path = "/v1/brokers/0/update?restart=false",
     .body = "{\"mem\":\"900\"}"},
    {.line = "broker update 0", .status = 2, .error = "give at least one setting"},
    {.line = "broker update 0 --mem 1 --mem 2", .status = 2, .error = "--mem: given twice"},
    {.line = "broker stop 1 --force",
     .status = 0,
     .method = "POST",
     .path = "/v1/brokers/1/stop?force=true"},
    {.line = "broker start 1 --mem 1", .status = 2, .error = "broker start does not take --mem"},
    {.line = "broker remove", .status = 2, .error = "missing EXPR"},
    {.line = "broker clone 5 --source 0",
     .status = 0,
     .method = "POST",
     .path = "/v1/brokers/5/clone",
     .body = "{\"source\":\"0\"}"},
    {.line = "broker clone 5", .status = 2, .error = "missing --source ID"},
};

static void test_parse_table(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(parse_cases); i++) {
        const parse_case *pc = &parse_cases[i];
        command_line cl;
        split_line(&cl, pc->line);
        captured cap;
        capture_start(&cap);
        fake_env fe = {{NULL}};
        cli_env env = {
            .getenv = fake_getenv, .getenv_ctx = &fe, .out = cap.out_f, .err = cap.err_f};
        cli_invocation inv;
        int status = cli_parse(cl.argc, cl.argv, &env, &inv);
        capture_stop(&cap);
        if (status != pc->status)
            fail_msg("'%s': status %d, expected %d; stderr:\n%s", pc->line, status, pc->status,
                     cap.err);
        if (pc->status == CLI_EXIT_USAGE) {
            if (!strstr(cap.err, pc->error))
                fail_msg("'%s': expected '%s' in\n%s", pc->line, pc->error, cap.err);
            assert_true(strncmp(cap.err, "mesos-kafka: ", 13) == 0);
        } else {
            assert_string_equal(cap.err, "");
            assert_false(inv.help_only);
            assert_string_equal(inv.calls[0].method, pc->method);
            if (strcmp(inv.calls[0].path, pc->path) != 0)
                fail_msg("'%s': path %s, expected %s", pc->line, inv.calls[0].path, pc->path);
            cleanup_free char *body =
                inv.calls[0].body ? json_dumps(inv.calls[0].body, JSON_COMPACT | JSON_SORT_KEYS)
                                  : NULL;
            if (pc->body || body) {
                if (!pc->body || !body || strcmp(body, pc->body) != 0)
                    fail_msg("'%s': body %s, expected %s", pc->line, body ? body : "(none)",
                             pc->body ? pc->body : "(none)");
            }
            assert_int_equal(inv.n_calls, pc->path2 ? 2 : 1);
            if (pc->path2)
                assert_string_equal(inv.calls[1].path, pc->path2);
            assert_int_equal(inv.follow_plan, pc->follow);
        }
        cli_invocation_clear(&inv);
        capture_free(&cap);
        free(cl.copy);
    }
}

/* Usage errors show the usage of the command, or of the noun, and never the list of everything. */
static void test_usage_error_shows_that_commands_usage(void **state)
{
    command_line cl;
    split_line(&cl, "topic partitions orders many");
    captured cap;
    capture_start(&cap);
    cli_env env = {.out = cap.out_f, .err = cap.err_f};
    assert_int_equal(cli_run(cl.argc, cl.argv, &env), CLI_EXIT_USAGE);
    capture_stop(&cap);
    assert_contains(cap.err, "mesos-kafka topic partitions NAME COUNT");
    assert_contains(cap.err, "example: mesos-kafka topic partitions orders 12");
    assert_null(strstr(cap.err, "topic create"));
    assert_string_equal(cap.out, "");
    capture_free(&cap);
    free(cl.copy);

    split_line(&cl, "broker frob");
    capture_start(&cap);
    env = (cli_env){.out = cap.out_f, .err = cap.err_f};
    assert_int_equal(cli_run(cl.argc, cl.argv, &env), CLI_EXIT_USAGE);
    capture_stop(&cap);
    assert_contains(cap.err, "mesos-kafka broker restart ID | --all");
    assert_contains(cap.err, "mesos-kafka broker list");
    assert_null(strstr(cap.err, "topic"));
    capture_free(&cap);
    free(cl.copy);
}

static void test_help(void **state)
{
    static const struct {
        const char *line;
        const char *has, *lacks;
    } cases[] = {
        {"help", "mesos-kafka topic producer-test NAME [MESSAGES] [--size BYTES]", "example:"},
        {"help", "--api URL", NULL},
        {"help topic", "example: mesos-kafka topic create orders", "broker list"},
        {"topic --help", "mesos-kafka topic delete-config NAME KEY", "kafka scale"},
        {"topic create --help", "example: mesos-kafka topic create", "topic delete"},
        {"--json -h", "Exit status: 0 done", NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        command_line cl;
        split_line(&cl, cases[i].line);
        captured cap;
        capture_start(&cap);
        cli_env env = {.out = cap.out_f, .err = cap.err_f};
        assert_int_equal(cli_run(cl.argc, cl.argv, &env), CLI_EXIT_OK);
        capture_stop(&cap);
        assert_contains(cap.out, cases[i].has);
        if (cases[i].lacks && strstr(cap.out, cases[i].lacks))
            fail_msg("'%s': did not expect '%s' in\n%s", cases[i].line, cases[i].lacks, cap.out);
        assert_string_equal(cap.err, "");
        capture_free(&cap);
        free(cl.copy);
    }
}

static void test_main_dispatch(void **state)
{
    assert_true(cli_handles("status"));
    assert_true(cli_handles("topic"));
    assert_true(cli_handles("help"));
    assert_true(cli_handles("--json"));
    assert_true(cli_handles("--api=http://x:1"));
    assert_false(cli_handles("--help"));
    assert_false(cli_handles("--version"));
    assert_false(cli_handles("config"));
    assert_false(cli_handles("env-example"));
    assert_false(cli_handles("--jsonx"));
}

/* cli_parse of `cl` in the environment `fe`, its output captured. */
static int parse_in(command_line *cl, const fake_env *fe, captured *cap, cli_invocation *inv)
{
    capture_start(cap);
    cli_env env = {
        .getenv = fake_getenv, .getenv_ctx = (void *)fe, .out = cap->out_f, .err = cap->err_f};
    int status = cli_parse(cl->argc, cl->argv, &env, inv);
    capture_stop(cap);
    return status;
}

/* Where requests go and with which credentials. */
static void test_settings(void **state)
{
    static const struct {
        const char *line;
        fake_env env;
        const char *url, *user, *password;
        double timeout;
        int status;
    } cases[] = {
        {"status", {{NULL}}, "http://127.0.0.1:10000", NULL, NULL, 30, 0},
        {"status", {{"FRAMEWORK_PORT=12345"}}, "http://127.0.0.1:12345", NULL, NULL, 30, 0},
        {"status", {{"FRAMEWORK_PORT=99999"}}, NULL, NULL, NULL, 0, 2},
        {"status",
         {{"MESOS_KAFKA_API=sched:9000", "FRAMEWORK_PORT=1"}},
         "http://sched:9000",
         NULL,
         NULL,
         30,
         0},
        {"status", {{"MESOS_KAFKA_API=https://s/kafka/"}}, "https://s/kafka/", NULL, NULL, 30, 0},
        {"status --api http://a:1",
         {{"MESOS_KAFKA_API=http://b:2"}},
         "http://a:1",
         NULL,
         NULL,
         30,
         0},
        {"status --api=http://a:1", {{NULL}}, "http://a:1", NULL, NULL, 30, 0},
        {"status", {{"AUTH_USERNAME=admin", "AUTH_PASSWORD=pw"}}, NULL, "admin", "pw", 30, 0},
        {"status --user ops",
         {{"AUTH_USERNAME=admin", "AUTH_PASSWORD=pw"}},
         NULL,
         "ops",
         "pw",
         30,
         0},
        {"status", {{"AUTH_PASSWORD=pw"}}, NULL, NULL, NULL, 30, 0},
        {"status", {{"AUTH_USERNAME="}}, NULL, NULL, NULL, 30, 0},
        {"status --timeout 2.5", {{NULL}}, NULL, NULL, NULL, 2.5, 0},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        command_line cl;
        split_line(&cl, cases[i].line);
        captured cap;
        cli_invocation inv;
        int status = parse_in(&cl, &cases[i].env, &cap, &inv);
        assert_int_equal(status, cases[i].status);
        if (status == CLI_EXIT_OK) {
            if (cases[i].url)
                assert_string_equal(inv.api_url, cases[i].url);
            if (cases[i].user)
                assert_string_equal(inv.username, cases[i].user);
            else
                assert_null(inv.username);
            if (cases[i].password)
                assert_string_equal(inv.password, cases[i].password);
            else
                assert_null(inv.password);
            if (cases[i].timeout > 0)
                assert_true(inv.timeout_s == cases[i].timeout);
        } else {
            assert_contains(cap.err, "FRAMEWORK_PORT: '99999' is not a port number");
        }
        cli_invocation_clear(&inv);
        capture_free(&cap);
        free(cl.copy);
    }
}

/* ---- tables and shown replies ------------------------------------------------------------- */

static char *shown(cli_show_fn *show, const char *reply_json)
{
    json_error_t jerr;
    cleanup_json json_t *reply = json_loads(reply_json, 0, &jerr);
    if (!reply)
        fail_msg("bad test JSON: %s", jerr.text);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    show(reply, f);
    fclose(f);
    return text;
}

static void test_table_alignment(void **state)
{
    const char *headers[] = {"ID", "NAME", "LAST"};
    cleanup_table cli_table *t = cli_table_new(3, headers);
    cli_table_add(t, (const char *[]){"1", "zookeeper-1", "x"});
    cli_table_add(t, (const char *[]){"10", NULL, "a longer cell"});
    cli_table_add(t, (const char *[]){"2", "k\x1b[31m\n", "\xc3\xa9t\xc3\xa9"});
    cli_table_add(t, (const char *[]){"3", "\xc3\xa9t\xc3\xa9", ""});
    assert_int_equal(cli_table_rows(t), 4);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_table_print(t, f);
    fclose(f);
    assert_string_equal(text, "ID  NAME         LAST\n"
                              "1   zookeeper-1  x\n"
                              "10  -            a longer cell\n"
                              "2   k?[31m?      \xc3\xa9t\xc3\xa9\n"
                              "3   \xc3\xa9t\xc3\xa9\n");
    free(text);

    /* Many rows: the storage grows. */
    cleanup_table cli_table *big = cli_table_new(1, headers);
    for (int i = 0; i < 100; i++)
        cli_table_add(big, (const char *[]){"x"});
    assert_int_equal(cli_table_rows(big), 100);
}

static void test_cell_text(void **state)
{
    static const struct {
        const char *json, *text;
    } cases[] = {
        {"\"abc\"", "abc"},
        {"\"\"", "\"\""},
        {"42", "42"},
        {"-7", "-7"},
        {"2.0", "2"},
        {"0.25", "0.25"},
        {"true", "yes"},
        {"false", "no"},
        {"null", "-"},
        {"[]", "-"},
        {"[0,1,2]", "0,1,2"},
        {"[\"a\",null]", "a,-"},
        {"{\"k\":1}", "{\"k\":1}"},
        {"[[1],{\"a\":2}]", "[1],{\"a\":2}"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        cleanup_json json_t *v = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        cleanup_free char *text = cli_cell_text(v);
        assert_string_equal(text, cases[i].text);
    }
    cleanup_free char *absent = cli_cell_text(NULL);
    assert_string_equal(absent, "-");
}

static void test_show_status(void **state)
{
    cleanup_free char *text = shown(
        cli_show_status,
        "{\"framework\": {\"id\": \"f1\", \"name\": \"mk\", \"subscribed\": true},"
        " \"zookeeper\": {\"desired\": 3, \"quorum\": true, \"settled\": true, \"connect\": \"z\"},"
        " \"kafka\": {\"desired\": 3, \"registered\": 2, \"bootstrap\": \"h1:9092,h2:9092\"},"
        " \"members\": ["
        "  {\"kind\": \"zookeeper\", \"id\": 1, \"name\": \"zookeeper-1\", \"state\": \"running\","
        "   \"task_id\": \"zookeeper-1.aa\", \"task_state\": \"TASK_RUNNING\", \"healthy\": true,"
        "   \"address\": \"h1:2181\", \"failures\": 0, \"message\": null},"
        "  {\"kind\": \"kafka\", \"id\": 0, \"name\": \"kafka-0\", \"state\": \"restarting\","
        "   \"task_id\": null, \"task_state\": null, \"healthy\": null, \"address\": null,"
        "   \"failures\": 2, \"message\": \"exited with status 1\"}],"
        " \"recent_failures\": []}");
    assert_string_equal(
        text, "NAME         STATE       TASK-STATE    HEALTH   ADDRESS  FAILURES  TASK-ID\n"
              "zookeeper-1  running     TASK_RUNNING  healthy  h1:2181  0         "
              "zookeeper-1.aa\n"
              "kafka-0      restarting  -             -        -        2         -\n"
              "  kafka-0: exited with status 1\n"
              "zookeeper quorum: yes (3 desired) | kafka registered: 2 of 3 | "
              "bootstrap: h1:9092,h2:9092\n");
}

static void test_show_topics(void **state)
{
    cleanup_free char *describe =
        shown(cli_show_topic_describe,
              "{\"topic\": \"orders\", \"partitions\": ["
              " {\"partition\": 0, \"leader\": 1, \"replicas\": [1,2,0], \"isr\": [1,2,0]},"
              " {\"partition\": 1, \"leader\": -1, \"replicas\": [2,0,1], \"isr\": []}],"
              " \"configs\": {\"retention.ms\": \"3600000\", \"cleanup.policy\": \"compact\"}}");
    assert_string_equal(describe, "PARTITION  LEADER  REPLICAS  ISR\n"
                                  "0          1       1,2,0     1,2,0\n"
                                  "1          -1      2,0,1     -\n"
                                  "\n"
                                  "KEY             VALUE\n"
                                  "retention.ms    3600000\n"
                                  "cleanup.policy  compact\n");
    cleanup_free char *no_configs =
        shown(cli_show_topic_describe, "{\"topic\": \"t\", \"partitions\": [], \"configs\": {}}");
    assert_contains(no_configs, "no configs set on the topic");

    cleanup_free char *offsets =
        shown(cli_show_topic_offsets,
              "{\"topic\": \"orders\", \"partitions\": [{\"partition\": 0, \"earliest\": 0,"
              " \"latest\": 1200}, {\"partition\": 1, \"earliest\": 15, \"latest\": 16}]}");
    assert_string_equal(offsets, "PARTITION  EARLIEST  LATEST\n"
                                 "0          0         1200\n"
                                 "1          15        16\n");

    cleanup_free char *test = shown(
        cli_show_producer_test,
        "{\"topic\": \"orders\", \"messages\": 1000, \"size\": 100, \"acked\": 1000, \"failed\": 0,"
        " \"seconds\": 0.41, \"records_per_s\": 2400.4, \"mb_per_s\": 0.229,"
        " \"latency_ms\": {\"avg\": 12.08, \"p50\": 10, \"p95\": 20.0, \"p99\": 30, \"p999\": 40,"
        " \"max\": 41.5}}");
    assert_string_equal(test, "1000 records, 2400 records/s, 0.23 MB/s, latency avg 12.1 ms p50 10 "
                              "p95 20 p99 30 p99.9 40 max 41.5 ms\n");
    cleanup_free char *failed =
        shown(cli_show_producer_test, "{\"acked\": 7, \"failed\": 3, \"records_per_s\": 1,"
                                      " \"mb_per_s\": 0, \"latency_ms\": {}}");
    assert_contains(failed, "7 records (3 failed), 1 records/s");
    cleanup_free char *no_latency =
        shown(cli_show_producer_test,
              "{\"acked\": 0, \"failed\": 5, \"records_per_s\": 0, \"mb_per_s\": 0,"
              " \"latency_ms\": null, \"errors\": {\"MSG_SIZE_TOO_LARGE\": 5}}");
    assert_string_equal(no_latency,
                        "0 records (5 failed), 0 records/s, 0.00 MB/s, latency avg - ms "
                        "p50 - p95 - p99 - p99.9 - max - ms\n"
                        "errors: {\"MSG_SIZE_TOO_LARGE\":5}\n");
    cleanup_free char *offsets_error =
        shown(cli_show_topic_offsets,
              "{\"partitions\": [{\"partition\": 0, \"earliest\": 0, \"latest\": 3},"
              " {\"partition\": 1, \"earliest\": null, \"latest\": null,"
              " \"error\": \"LEADER_NOT_AVAILABLE\"}]}");
    assert_string_equal(offsets_error, "PARTITION  EARLIEST  LATEST  ERROR\n"
                                       "0          0         3       -\n"
                                       "1          -         -       LEADER_NOT_AVAILABLE\n");

    cleanup_free char *none = shown(cli_show_under_replicated, "{\"partitions\": []}");
    assert_string_equal(none, "no under-replicated partitions\n");
    cleanup_free char *some =
        shown(cli_show_unavailable, "{\"partitions\": [{\"topic\": \"solo\", \"partition\": 0,"
                                    " \"leader\": -1, \"replicas\": [2], \"isr\": []}]}");
    assert_string_equal(some, "TOPIC  PARTITION  LEADER  REPLICAS  ISR\n"
                              "solo   0          -1      2         -\n");
    cleanup_free char *list = shown(cli_show_topic_list, "{\"topics\": [\"a\", \"orders\"]}");
    assert_string_equal(list, "TOPIC\na\norders\n");
    cleanup_free char *created = shown(
        cli_show_topic_created, "{\"topic\": \"orders\", \"partitions\": 3, \"replication\": 3}");
    assert_string_equal(created, "created topic orders: 3 partition(s), replication 3\n");
}

static void test_show_v0_and_brokers(void **state)
{
    cleanup_free char *scale =
        shown(cli_show_scale, "{\"kind\": \"kafka\", \"previous\": 5, \"count\": 3,"
                              " \"removing\": [\"kafka-3\", \"kafka-4\"]}");
    assert_string_equal(scale, "kafka: 5 -> 3 members\nremoving: kafka-3,kafka-4\n");
    cleanup_free char *same = shown(cli_show_scale, "{\"kind\": \"kafka\", \"previous\": 3, "
                                                    "\"count\": 3, \"removing\": [], "
                                                    "\"unchanged\": true}");
    assert_string_equal(same, "kafka: 3 members already, unchanged\n");
    cleanup_free char *reflate =
        shown(cli_show_reflate, "{\"kind\": \"zookeeper\", \"scheduled\": []}");
    assert_contains(reflate, "zookeeper: nothing to reflate");
    cleanup_free char *kill =
        shown(cli_show_kill, "{\"killed\": \"zookeeper-2.x\", \"member\": \"zookeeper-2\","
                             " \"reflate\": \"/v0/zookeeper/reflate\"}");
    assert_contains(kill, "killed task zookeeper-2.x of zookeeper-2; it stays down until "
                          "`mesos-kafka zookeeper reflate`");
    cleanup_free char *brokers =
        shown(cli_show_broker_list,
              "{\"brokers\": [{\"id\": 0, \"state\": \"running\", \"registered\": true,"
              " \"address\": \"h:9092\", \"task_id\": \"kafka-0.u\"}]}");
    assert_string_equal(brokers, "ID  STATE    REGISTERED  ADDRESS  TASK-ID\n"
                                 "0   running  yes         h:9092   kafka-0.u\n");
    cleanup_free char *fields =
        shown(cli_show_fields, "{\"id\": 1, \"registration\": {\"host\": \"h\", \"endpoints\":"
                               " [\"PLAINTEXT://h:9092\"]}, \"task\": null}");
    assert_string_equal(fields, "KEY                     VALUE\n"
                                "id                      1\n"
                                "registration.host       h\n"
                                "registration.endpoints  PLAINTEXT://h:9092\n"
                                "task                    -\n");
    cleanup_free char *no_plan = shown(cli_show_plan, "{\"plan\": null}");
    assert_contains(no_plan, "no plan has run");
    cleanup_free char *plan = shown(
        cli_show_plan, "{\"plan\": {\"kind\": \"restart\", \"state\": \"blocked\","
                       " \"started_at\": 1764480000.0, \"finished_at\": null, \"message\": \"m\","
                       " \"force\": false, \"steps\": [{\"broker\": 0, \"state\": \"done\","
                       " \"old_task_id\": \"kafka-0.a\", \"task_id\": \"kafka-0.b\","
                       " \"message\": null}]}}");
    assert_contains(plan, "restart: blocked (started ");
    assert_contains(plan, "finished -)\nm\n");
    assert_contains(plan, "BROKER  STATE  OLD-TASK-ID  TASK-ID    MESSAGE\n"
                          "0       done   kafka-0.a    kafka-0.b  -\n");
}

static char *changes(const char *before, const char *after)
{
    cleanup_json json_t *b = before ? json_loads(before, 0, NULL) : NULL;
    cleanup_json json_t *a = json_loads(after, 0, NULL);
    assert_non_null(a);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_show_plan_changes(b, a, f);
    fclose(f);
    return text;
}

#define STEP(b, s, old, new, msg)                                                                  \
    "{\"broker\": " #b ", \"state\": \"" s "\", \"old_task_id\": " old                             \
    ", \"task_id\": " new ", \"message\": " msg "}"

static void test_plan_changes(void **state)
{
    const char *start = "{\"state\": \"running\", \"message\": null, \"steps\": [" STEP(
        0, "restarting", "\"kafka-0.a\"", "null", "null") ", " STEP(1, "pending", "null", "null",
                                                                    "null") "]}";
    const char *waiting = "{\"state\": \"running\", \"message\": \"x\", \"steps\": [" STEP(
        0, "waiting", "\"kafka-0.a\"", "\"kafka-0.b\"", "null") ", " STEP(1, "pending", "null",
                                                                          "null", "null") "]}";
    const char *blocked =
        "{\"state\": \"blocked\", \"message\": \"kafka-1 waits: t-0\", \"steps\": "
        "[" STEP(0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"",
                 "null") ", " STEP(1, "pending", "null", "null", "null") "]}";
    const char *blocked2 =
        "{\"state\": \"blocked\", \"message\": \"kafka-1 waits: t-1\", "
        "\"steps\": [" STEP(0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"",
                            "null") ", " STEP(1, "pending", "null", "null", "null") "]}";
    const char *resumed = "{\"state\": \"running\", \"message\": null, \"steps\": [" STEP(
        0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"",
        "null") ", " STEP(1, "failed", "\"kafka-1.c\"", "null", "\"kafka-1 was stopped\"") "]}";

    cleanup_free char *no_task = changes(NULL, "{\"state\": \"running\", \"steps\": [" STEP(
                                                   2, "restarting", "null", "null", "null") "]}");
    assert_string_equal(no_task, "kafka-2: restarting (it had no task; waiting for a new one)\n");
    cleanup_free char *first = changes(NULL, start);
    assert_string_equal(first, "kafka-0: restarting (task kafka-0.a)\n");
    cleanup_free char *same = changes(start, start);
    assert_string_equal(same, "");
    cleanup_free char *w = changes(start, waiting);
    assert_string_equal(w, "kafka-0: started (task kafka-0.b), waiting for it to register and "
                           "for its partitions to be in sync\n");
    cleanup_free char *b = changes(waiting, blocked);
    assert_string_equal(b, "kafka-0: registered again, no under-replicated partitions\n"
                           "blocked: kafka-1 waits: t-0\n");
    cleanup_free char *b_same = changes(blocked, blocked);
    assert_string_equal(b_same, "");
    cleanup_free char *b2 = changes(blocked, blocked2);
    assert_string_equal(b2, "blocked: kafka-1 waits: t-1\n");
    cleanup_free char *r = changes(blocked2, resumed);
    assert_string_equal(r, "kafka-1: failed: kafka-1 was stopped\nno longer blocked, going on\n");
}

static void test_show_refusal(void **state)
{
    cli_reply reply = {.status = 409};
    reply.json =
        json_loads("{\"error\": \"restarting would leave solo-0 below min.insync.replicas\","
                   " \"partitions\": [{\"topic\": \"solo\", \"partition\": 0, \"replicas\": [1],"
                   " \"isr\": [1], \"min_insync\": 1}]}",
                   0, NULL);
    reply.text = mk_xstrdup("");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cli_show_refusal(&reply, "PUT", "/v1/brokers/1", "admin", f);
    fclose(f);
    assert_string_equal(text, "mesos-kafka: restarting would leave solo-0 below "
                              "min.insync.replicas\n"
                              "TOPIC  PARTITION  REPLICAS  ISR  MIN-INSYNC\n"
                              "solo   0          1         1    1\n");
    free(text);
    cli_reply_clear(&reply);

    /* Not JSON: the status and the first line of what came back. */
    reply = (cli_reply){.status = 502, .text = mk_xstrdup("<html>Bad gateway\n<body>")};
    text = NULL;
    f = open_memstream(&text, &len);
    cli_show_refusal(&reply, "GET", "/v0/status", NULL, f);
    fclose(f);
    assert_string_equal(text, "mesos-kafka: GET /v0/status answered HTTP 502: <html>Bad gateway\n");
    free(text);
    cli_reply_clear(&reply);
}

/* ---- against a canned server -------------------------------------------------------------- */

#define MAX_ROUTES   16
#define MAX_RECORDED 64

#define DROP_CONNECTION "drop"

typedef struct {
    const char *method, *path; /* path without the query */
    int status;
    const char *body;
} route;

typedef struct {
    struct MHD_Daemon *daemon;
    int port;
    char base[64];
    pthread_mutex_t lock;
    route routes[MAX_ROUTES];
    int n_routes;
    const char *const *plans; /* GET /v1/plan answers, in turn; the last repeats */
    int n_plans, plan_reads;
    int n_recorded;
    char *recorded[MAX_RECORDED]; /* "METHOD URI BODY AUTH" */
} canned_server;

typedef struct {
    char *uri;
    char *body;
    size_t len;
    bool headers_seen; /* the first call brings the headers only */
} request_state;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    request_state *r = mk_xcalloc(1, sizeof(*r));
    r->uri = mk_xstrdup(uri);
    r->body = mk_xstrdup("");
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_state *r = *con_cls;
    if (r) {
        free(r->uri);
        free(r->body);
        free(r);
    }
    *con_cls = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    canned_server *s = cls;
    request_state *r = *con_cls;
    if (!r->headers_seen) {
        r->headers_seen = true;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        r->body = mk_xrealloc(r->body, r->len + *upload_size + 1);
        memcpy(r->body + r->len, upload, *upload_size);
        r->len += *upload_size;
        r->body[r->len] = '\0';
        *upload_size = 0;
        return MHD_YES;
    }
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    pthread_mutex_lock(&s->lock);
    if (s->n_recorded < MAX_RECORDED)
        s->recorded[s->n_recorded++] =
            mk_xasprintf("%s %s %s %s", method, r->uri, r->body, auth ? auth : "-");
    int status = 404;
    const char *body = "{\"error\": \"no such route in the test\"}";
    if (strcmp(method, "GET") == 0 && strcmp(url, "/v1/plan") == 0 && s->n_plans > 0) {
        int i = s->plan_reads < s->n_plans ? s->plan_reads : s->n_plans - 1;
        s->plan_reads++;
        status = 200;
        body = s->plans[i];
        if (strcmp(body, DROP_CONNECTION) == 0) {
            pthread_mutex_unlock(&s->lock);
            return MHD_NO; /* closed without an answer: the client sees a transport error */
        }
    } else {
        for (int i = 0; i < s->n_routes; i++)
            if (strcmp(s->routes[i].method, method) == 0 && strcmp(s->routes[i].path, url) == 0) {
                status = s->routes[i].status;
                body = s->routes[i].body;
                break;
            }
    }
    pthread_mutex_unlock(&s->lock);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* With `pem` (the server's certificate and key as PEM text), HTTPS only. */
static canned_server *server_start_with(const char *cert_pem, const char *key_pem)
{
    canned_server *s = mk_xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    s->daemon = MHD_start_daemon(flags | (cert_pem ? MHD_USE_TLS : 0), 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_ARRAY,
                                 cert_pem ? tls : tls + 2, MHD_OPTION_END);
    assert_non_null(s->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    s->port = info->port;
    snprintf(s->base, sizeof(s->base), "MESOS_KAFKA_API=%s://127.0.0.1:%d",
             cert_pem ? "https" : "http", s->port);
    return s;
}

static canned_server *server_start(void)
{
    return server_start_with(NULL, NULL);
}

static void server_stop(canned_server *s)
{
    MHD_stop_daemon(s->daemon);
    for (int i = 0; i < s->n_recorded; i++)
        free(s->recorded[i]);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void server_route(canned_server *s, const char *method, const char *path, int status,
                         const char *body)
{
    assert_true(s->n_routes < MAX_ROUTES);
    s->routes[s->n_routes++] = (route){method, path, status, body};
}

/* "admin:s3cret" in Basic form. */
#define BASIC_AUTH "Basic YWRtaW46czNjcmV0"

typedef struct {
    int status;
    captured cap;
} cli_result;

/* One command line against `s`, with one more variable ("NAME=value") when `extra` is given. */
static cli_result run_against_with(canned_server *s, const char *line, const char *extra)
{
    command_line cl;
    split_line(&cl, line);
    fake_env fe = {{s->base, "AUTH_USERNAME=admin", "AUTH_PASSWORD=s3cret", extra}};
    cli_result r;
    capture_start(&r.cap);
    cli_env env = {.getenv = fake_getenv,
                   .getenv_ctx = &fe,
                   .out = r.cap.out_f,
                   .err = r.cap.err_f,
                   .poll_interval_s = 0.01};
    r.status = cli_run(cl.argc, cl.argv, &env);
    capture_stop(&r.cap);
    free(cl.copy);
    assert_null(strstr(r.cap.out, "s3cret"));
    assert_null(strstr(r.cap.err, "s3cret"));
    return r;
}

static cli_result run_against(canned_server *s, const char *line)
{
    return run_against_with(s, line, NULL);
}

static void test_http_table_on_200(void **state)
{
    canned_server *s = server_start();
    server_route(s, "GET", "/v1/topics/orders", 200,
                 "{\"topic\": \"orders\", \"partitions\": [{\"partition\": 0, \"leader\": 2,"
                 " \"replicas\": [2], \"isr\": [2]}], \"configs\": {}}");
    cli_result r = run_against(s, "topic describe orders");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_string_equal(r.cap.out, "PARTITION  LEADER  REPLICAS  ISR\n"
                                   "0          2       2         2\n"
                                   "\n"
                                   "no configs set on the topic (the brokers' defaults apply)\n");
    assert_string_equal(r.cap.err, "");
    assert_int_equal(s->n_recorded, 1);
    assert_string_equal(s->recorded[0], "GET /v1/topics/orders  " BASIC_AUTH);
    capture_free(&r.cap);

    /* --json: the server's document, pretty. */
    r = run_against(s, "--json topic describe orders");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_contains(r.cap.out, "{\n  \"topic\": \"orders\",\n  \"partitions\": [\n");
    cleanup_json json_t *doc = json_loads(r.cap.out, 0, NULL);
    assert_non_null(doc);
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_bodies_and_two_calls(void **state)
{
    canned_server *s = server_start();
    server_route(s, "POST", "/v1/topics", 201,
                 "{\"topic\": \"orders\", \"partitions\": 3, \"replication\": 2}");
    server_route(s, "POST", "/v0/kafka/reflate", 200, "{\"kind\": \"kafka\", \"scheduled\": []}");
    server_route(s, "POST", "/v0/zookeeper/reflate", 200,
                 "{\"kind\": \"zookeeper\", \"scheduled\": [\"zookeeper-2\"]}");
    server_route(
        s, "POST", "/v0/kafka/scale/2", 200,
        "{\"kind\": \"kafka\", \"previous\": 3, \"count\": 2, \"removing\": [\"kafka-2\"]}");
    cli_result r = run_against(s, "topic create orders --partitions 3 --config a.b=c");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_string_equal(r.cap.out, "created topic orders: 3 partition(s), replication 2\n");
    assert_string_equal(s->recorded[0], "POST /v1/topics {\"name\":\"orders\",\"partitions\":3,"
                                        "\"configs\":{\"a.b\":\"c\"}} " BASIC_AUTH);
    capture_free(&r.cap);

    r = run_against(s, "reflate");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_string_equal(r.cap.out, "kafka: nothing to reflate, every member has a live task\n"
                                   "zookeeper: scheduled to start again: zookeeper-2\n");
    assert_int_equal(s->n_recorded, 3);
    assert_string_equal(s->recorded[1], "POST /v0/kafka/reflate  " BASIC_AUTH);
    assert_string_equal(s->recorded[2], "POST /v0/zookeeper/reflate  " BASIC_AUTH);
    capture_free(&r.cap);

    r = run_against(s, "kafka scale 2 --force");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_string_equal(s->recorded[3], "POST /v0/kafka/scale/2?force=true  " BASIC_AUTH);
    assert_string_equal(r.cap.out, "kafka: 3 -> 2 members\nremoving: kafka-2\n");
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_409_with_partitions(void **state)
{
    canned_server *s = server_start();
    server_route(s, "PUT", "/v1/brokers/1", 409,
                 "{\"error\": \"restarting would leave solo-0 below min.insync.replicas\","
                 " \"partitions\": [{\"topic\": \"solo\", \"partition\": 0, \"replicas\": [1],"
                 " \"isr\": [1], \"min_insync\": 1, \"broker\": 1}]}");
    server_route(
        s, "POST", "/v1/topics", 409,
        "{\"error\": \"topic 'orders' exists\", \"kafka_error\": \"TOPIC_ALREADY_EXISTS\"}");
    cli_result r = run_against(s, "broker restart 1");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_string_equal(r.cap.out, "");
    assert_string_equal(r.cap.err, "mesos-kafka: restarting would leave solo-0 below "
                                   "min.insync.replicas\n"
                                   "BROKER  TOPIC  PARTITION  REPLICAS  ISR  MIN-INSYNC\n"
                                   "1       solo   0          1         1    1\n");
    assert_int_equal(s->n_recorded, 1); /* no plan read after a refusal */
    capture_free(&r.cap);

    r = run_against(s, "topic create orders");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_string_equal(r.cap.err,
                        "mesos-kafka: topic 'orders' exists (Kafka: TOPIC_ALREADY_EXISTS)\n");
    capture_free(&r.cap);

    /* --json: the error document on stdout as well. */
    r = run_against(s, "topic create orders --json");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_contains(r.cap.out, "\"kafka_error\": \"TOPIC_ALREADY_EXISTS\"");
    assert_contains(r.cap.err, "mesos-kafka: topic 'orders' exists");
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_401(void **state)
{
    canned_server *s = server_start();
    server_route(s, "GET", "/v0/status", 401, "{\"error\": \"authentication required\"}");
    cli_result r = run_against(s, "status");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_contains(r.cap.err, "mesos-kafka: authentication required\n");
    assert_contains(r.cap.err, "did not accept user 'admin'");
    assert_contains(r.cap.err, "set AUTH_USERNAME and AUTH_PASSWORD");
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_not_json(void **state)
{
    canned_server *s = server_start();
    server_route(s, "GET", "/v0/status", 200, "<html>hello</html>");
    cli_result r = run_against(s, "status");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_contains(r.cap.err, "without a JSON body; is that the scheduler's API?");
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_unreachable(void **state)
{
    char api[64];
    snprintf(api, sizeof(api), "http://127.0.0.1:%d", test_free_port());
    char line[128];
    snprintf(line, sizeof(line), "topic list --api %s", api);
    command_line cl;
    split_line(&cl, line);
    captured cap;
    capture_start(&cap);
    cli_env env = {.out = cap.out_f, .err = cap.err_f};
    assert_int_equal(cli_run(cl.argc, cl.argv, &env), CLI_EXIT_UNREACHABLE);
    capture_stop(&cap);
    assert_contains(cap.err, "mesos-kafka: cannot reach the scheduler: GET ");
    assert_contains(cap.err, api);
    assert_contains(cap.err, "MESOS_KAFKA_API or --api");
    assert_string_equal(cap.out, "");
    capture_free(&cap);
    free(cl.copy);
}

static char *read_text(const char *path)
{
    char *text = NULL;
    mk_err err = {{0}};
    if (mk_read_file(path, 1 << 20, &text, NULL, &err) < 0)
        fail_msg("%s: %s", path, err.msg);
    return text;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* https:// verified against MESOS_KAFKA_CA_CERT: its CA passes, another CA or none (the system's,
 * which never signed a test certificate) fails in one line with exit 3, and so does a plain
 * server spoken to with https://. */
static void test_https_verified_against_the_ca(void **state)
{
    test_pki pki = {0};
    test_pki_make(&pki);
    cleanup_free char *cert = read_text(pki.server_cert);
    cleanup_free char *key = read_text(pki.server_key);
    canned_server *s = server_start_with(cert, key);
    server_route(s, "GET", "/v1/topics", 200, "{\"topics\": []}");
    cleanup_free char *ca = mk_xasprintf("MESOS_KAFKA_CA_CERT=%s", pki.ca_cert);
    cleanup_free char *rogue = mk_xasprintf("MESOS_KAFKA_CA_CERT=%s", pki.rogue_ca);

    cli_result r = run_against_with(s, "topic list --json", ca);
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_contains(r.cap.out, "\"topics\": []");
    assert_int_equal(s->n_recorded, 1);
    assert_string_equal(s->recorded[0], "GET /v1/topics  " BASIC_AUTH);
    capture_free(&r.cap);

    r = run_against_with(s, "topic list", rogue);
    assert_int_equal(r.status, CLI_EXIT_UNREACHABLE);
    assert_int_equal(count_lines(r.cap.err), 1);
    assert_contains(r.cap.err, "its TLS certificate did not verify against MESOS_KAFKA_CA_CERT ");
    assert_contains(r.cap.err, pki.rogue_ca);
    capture_free(&r.cap);

    r = run_against(s, "topic list");
    assert_int_equal(r.status, CLI_EXIT_UNREACHABLE);
    assert_int_equal(count_lines(r.cap.err), 1);
    assert_contains(r.cap.err, "did not verify against the system's CA certificates");
    capture_free(&r.cap);
    assert_int_equal(s->n_recorded, 1); /* no request went out unverified */
    server_stop(s);

    canned_server *plain = server_start();
    cleanup_free char *https_base =
        mk_xasprintf("MESOS_KAFKA_API=https://127.0.0.1:%d", plain->port);
    snprintf(plain->base, sizeof(plain->base), "%s", https_base);
    r = run_against_with(plain, "topic list", ca);
    assert_int_equal(r.status, CLI_EXIT_UNREACHABLE);
    assert_int_equal(count_lines(r.cap.err), 1);
    assert_contains(r.cap.err, "no TLS session");
    capture_free(&r.cap);
    server_stop(plain);
    test_pki_remove(&pki);
}

/* MESOS_KAFKA_CA_CERT must be a readable PEM certificate; AUTH_PASSWORD_FILE replaces
 * AUTH_PASSWORD as it does for the scheduler. */
static void test_ca_and_password_file_settings(void **state)
{
    test_pki pki = {0};
    test_pki_make(&pki);
    cleanup_free char *pw_path = mk_xasprintf("%s/password", pki.dir);
    FILE *f = fopen(pw_path, "w");
    assert_non_null(f);
    fputs("from-a-file\n", f);
    fclose(f);
    cleanup_free char *ca = mk_xasprintf("MESOS_KAFKA_CA_CERT=%s", pki.ca_cert);
    cleanup_free char *not_pem = mk_xasprintf("MESOS_KAFKA_CA_CERT=%s", pki.not_pem);
    cleanup_free char *pw_file = mk_xasprintf("AUTH_PASSWORD_FILE=%s", pw_path);
    const struct {
        fake_env env;
        int status;
        const char *ca, *password, *error;
    } cases[] = {
        {{{ca}}, CLI_EXIT_OK, pki.ca_cert, NULL, NULL},
        {{{"MESOS_KAFKA_CA_CERT="}}, CLI_EXIT_OK, NULL, NULL, NULL},
        {{{"MESOS_KAFKA_CA_CERT=/nonexistent/ca.pem"}},
         CLI_EXIT_USAGE,
         NULL,
         NULL,
         "mesos-kafka: MESOS_KAFKA_CA_CERT: cannot read the file: No such file or directory (got "
         "'/nonexistent/ca.pem')\n"},
        {{{not_pem}},
         CLI_EXIT_USAGE,
         NULL,
         NULL,
         "mesos-kafka: MESOS_KAFKA_CA_CERT: is not a PEM certificate (no valid -----BEGIN "
         "CERTIFICATE----- block)"},
        {{{"AUTH_USERNAME=admin", pw_file}}, CLI_EXIT_OK, NULL, "from-a-file", NULL},
        {{{"AUTH_USERNAME=admin", pw_file, "AUTH_PASSWORD="}},
         CLI_EXIT_OK,
         NULL,
         "from-a-file",
         NULL},
        {{{"AUTH_USERNAME=admin", pw_file, "AUTH_PASSWORD=direct"}},
         CLI_EXIT_USAGE,
         NULL,
         NULL,
         "mesos-kafka: AUTH_PASSWORD: set either AUTH_PASSWORD or AUTH_PASSWORD_FILE, not both\n"},
        {{{"AUTH_USERNAME=admin", "AUTH_PASSWORD_FILE=/nonexistent/pw"}},
         CLI_EXIT_USAGE,
         NULL,
         NULL,
         "mesos-kafka: AUTH_PASSWORD_FILE: cannot read the file: No such file or directory (got "
         "'/nonexistent/pw')\n"},
        {{{pw_file}}, CLI_EXIT_OK, NULL, NULL, NULL}, /* no user: no credentials at all */
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        command_line cl;
        split_line(&cl, "status");
        captured cap;
        cli_invocation inv;
        int status = parse_in(&cl, &cases[i].env, &cap, &inv);
        if (status != cases[i].status)
            fail_msg("case %zu: exit %d, expected %d: %s", i, status, cases[i].status, cap.err);
        if (status == CLI_EXIT_OK) {
            if (cases[i].ca)
                assert_string_equal(inv.ca_cert, cases[i].ca);
            else
                assert_null(inv.ca_cert);
            if (cases[i].password)
                assert_string_equal(inv.password, cases[i].password);
            else
                assert_null(inv.password);
        } else {
            assert_contains(cap.err, cases[i].error);
            assert_null(strstr(cap.err, "from-a-file"));
        }
        cli_invocation_clear(&inv);
        capture_free(&cap);
        free(cl.copy);
    }
    unlink(pw_path);
    test_pki_remove(&pki);
}

#define PLAN(state, message, steps)                                                                \
    "{\"kind\": \"restart\", \"state\": \"" state "\", \"started_at\": 1764480000.5,"              \
    " \"finished_at\": null, \"message\": " message ", \"force\": false, \"steps\": [" steps "]}"

static void test_http_restart_followed_to_done(void **state)
{
    canned_server *s = server_start();
    server_route(s, "PUT", "/v1/brokers", 202,
                 "{\"restarting\": [0, 1], \"plan\": " PLAN(
                     "running", "null",
                     STEP(0, "restarting", "\"kafka-0.a\"", "null",
                          "null") ", " STEP(1, "pending", "null", "null", "null")) "}");
    static const char *const plans[] = {
        "{\"plan\": " PLAN("running", "null",
                           STEP(0, "restarting", "\"kafka-0.a\"", "null",
                                "null") ", " STEP(1, "pending", "null", "null", "null")) "}",
        "{\"plan\": " PLAN("running", "null",
                           STEP(0, "waiting", "\"kafka-0.a\"", "\"kafka-0.b\"",
                                "null") ", " STEP(1, "pending", "null", "null", "null")) "}",
        "{\"plan\": " PLAN("blocked", "\"kafka-1 waits: orders-2\"",
                           STEP(0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"",
                                "null") ", " STEP(1, "pending", "null", "null", "null")) "}",
        "{\"plan\": " PLAN("blocked", "\"kafka-1 waits: orders-2\"",
                           STEP(0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"",
                                "null") ", " STEP(1, "pending", "null", "null", "null")) "}",
        "{\"plan\": " PLAN("running", "null",
                           STEP(0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"", "null") ", " STEP(
                               1, "restarting", "\"kafka-1.c\"", "null", "null")) "}",
        "{\"plan\": " PLAN("done", "\"2 broker(s) restarted\"",
                           STEP(0, "done", "\"kafka-0.a\"", "\"kafka-0.b\"", "null") ", " STEP(
                               1, "done", "\"kafka-1.c\"", "\"kafka-1.d\"", "null")) "}",
    };
    s->plans = plans;
    s->n_plans = MK_ARRAY_LEN(plans);
    cli_result r = run_against(s, "broker restart --all");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_string_equal(
        r.cap.out,
        "restarting kafka-0, kafka-1 one at a time; following the plan (Ctrl-C stops watching, "
        "not the restart)\n"
        "kafka-0: restarting (task kafka-0.a)\n"
        "kafka-0: started (task kafka-0.b), waiting for it to register and for its partitions to "
        "be in sync\n"
        "kafka-0: registered again, no under-replicated partitions\n"
        "blocked: kafka-1 waits: orders-2\n"
        "kafka-1: restarting (task kafka-1.c)\n"
        "no longer blocked, going on\n"
        "kafka-1: registered again, no under-replicated partitions\n"
        "restart done: 2 broker(s) restarted\n");
    assert_string_equal(r.cap.err, "");
    assert_int_equal(s->plan_reads, 6);
    assert_string_equal(s->recorded[0], "PUT /v1/brokers  " BASIC_AUTH);
    assert_string_equal(s->recorded[1], "GET /v1/plan  " BASIC_AUTH);
    capture_free(&r.cap);

    /* --no-wait: the 202 and nothing more. */
    r = run_against(s, "broker restart --all --no-wait");
    assert_int_equal(r.status, CLI_EXIT_OK);
    assert_string_equal(r.cap.out, "restarting broker(s) 0,1; follow it with `mesos-kafka plan`\n");
    assert_int_equal(s->plan_reads, 6);
    capture_free(&r.cap);

    /* --json: one document, the 202's with the plan as it ended. */
    s->plan_reads = 0;
    r = run_against(s, "broker restart --all --json");
    assert_int_equal(r.status, CLI_EXIT_OK);
    cleanup_json json_t *doc = json_loads(r.cap.out, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "restarting")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "plan"), "state")),
                        "done");
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_restart_followed_to_failed(void **state)
{
    canned_server *s = server_start();
    server_route(
        s, "PUT", "/v1/brokers/2", 202,
        "{\"restarting\": [2], \"plan\": " PLAN(
            "running", "null", STEP(2, "restarting", "\"kafka-2.a\"", "null", "null")) "}");
    static const char *const plans[] = {
        "{\"plan\": " PLAN("failed", "\"kafka-2 was stopped during its restart\"",
                           STEP(2, "failed", "\"kafka-2.a\"", "null",
                                "\"kafka-2 was stopped during its restart\"")) "}",
    };
    s->plans = plans;
    s->n_plans = 1;
    cli_result r = run_against(s, "broker restart 2");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_string_equal(r.cap.out,
                        "restarting kafka-2; following the plan (Ctrl-C stops watching, not the "
                        "restart)\n"
                        "kafka-2: restarting (task kafka-2.a)\n"
                        "kafka-2: failed: kafka-2 was stopped during its restart\n");
    assert_string_equal(
        r.cap.err, "mesos-kafka: the restart failed: kafka-2 was stopped during its restart\n");
    capture_free(&r.cap);
    server_stop(s);

    /* A plan that is replaced by another one while followed. */
    s = server_start();
    server_route(
        s, "PUT", "/v1/brokers/2", 202,
        "{\"restarting\": [2], \"plan\": " PLAN(
            "running", "null", STEP(2, "restarting", "\"kafka-2.a\"", "null", "null")) "}");
    static const char *const other[] = {"{\"plan\": null}"};
    s->plans = other;
    s->n_plans = 1;
    r = run_against(s, "broker restart 2");
    assert_int_equal(r.status, CLI_EXIT_FAILED);
    assert_contains(r.cap.err, "no longer has the plan");
    capture_free(&r.cap);
    server_stop(s);
}

static void test_http_restart_loses_the_scheduler(void **state)
{
    canned_server *s = server_start();
    server_route(
        s, "PUT", "/v1/brokers/0", 202,
        "{\"restarting\": [0], \"plan\": " PLAN(
            "running", "null", STEP(0, "restarting", "\"kafka-0.a\"", "null", "null")) "}");
    static const char *const plans[] = {DROP_CONNECTION};
    s->plans = plans;
    s->n_plans = 1;
    cli_result r = run_against(s, "broker restart 0 --timeout 0.2");
    assert_int_equal(r.status, CLI_EXIT_UNREACHABLE);
    assert_contains(r.cap.err, "mesos-kafka: lost the scheduler (GET http://127.0.0.1:");
    assert_contains(r.cap.err, "retrying for 0.2 s");
    assert_contains(r.cap.err, "mesos-kafka: cannot reach the scheduler: GET ");
    assert_true(s->plan_reads >= 2);
    capture_free(&r.cap);
    server_stop(s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_usage_error_shows_that_commands_usage),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_main_dispatch),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_ca_and_password_file_settings),
        cmocka_unit_test(test_table_alignment),
        cmocka_unit_test(test_cell_text),
        cmocka_unit_test(test_show_status),
        cmocka_unit_test(test_show_topics),
        cmocka_unit_test(test_show_v0_and_brokers),
        cmocka_unit_test(test_plan_changes),
        cmocka_unit_test(test_show_refusal),
        cmocka_unit_test(test_http_table_on_200),
        cmocka_unit_test(test_http_bodies_and_two_calls),
        cmocka_unit_test(test_http_409_with_partitions),
        cmocka_unit_test(test_http_401),
        cmocka_unit_test(test_http_not_json),
        cmocka_unit_test(test_http_unreachable),
        cmocka_unit_test(test_https_verified_against_the_ca),
        cmocka_unit_test(test_http_restart_followed_to_done),
        cmocka_unit_test(test_http_restart_followed_to_failed),
        cmocka_unit_test(test_http_restart_loses_the_scheduler),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
