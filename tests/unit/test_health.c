/*
 * Task health checks (sim/health.c): the spec as TaskInfo.health_check gives it (defaults, numbers
 * as strings, every validation message), Mesos's policy as a table, and the runner against real
 * things: shell and argv commands (exit status, timeout with the process group killed and reaped,
 * sandbox and environment), TCP against a listening and a closed port, HTTP against a small server
 * thread, and stopping: no report after health_stop even while the callback is blocked on the
 * caller's lock, and health_shutdown_all ending sleeping and running checks at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "health.h"
#include "util.h"

static char tmpdir[64];

static void pause_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* JSON with single quotes for readability. */
static json_t *J(const char *text)
{
    cleanup_free char *s = mk_xstrdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, e.text);
    return j;
}

static void parse_ok(const char *text, health_spec *s)
{
    cleanup_json json_t *j = J(text);
    char err[256] = "";
    if (health_spec_parse(j, s, err, sizeof(err)) != 0)
        fail_msg("%s: %s", text, err);
}

/* ---- the spec -------------------------------------------------------------------------------- */

static void test_spec_defaults(void **state)
{
    (void)state;
    health_spec s;
    parse_ok("{'type': 'TCP', 'tcp': {'port': 2181}}", &s);
    assert_int_equal(s.type, HEALTH_TCP);
    assert_int_equal(s.port, 2181);
    assert_true(s.delay_s == 15 && s.interval_s == 10 && s.timeout_s == 20 && s.grace_s == 10);
    assert_int_equal(s.consecutive_failures, 3);
    assert_null(s.path);
    health_spec_free(&s);

    parse_ok("{'type': 'HTTP', 'http': {'port': 8080}}", &s);
    assert_int_equal(s.type, HEALTH_HTTP);
    assert_string_equal(s.path, "/");
    assert_string_equal(s.scheme, "http");
    health_spec_free(&s);

    parse_ok("{'type': 'HTTP', 'http': {'port': 443, 'scheme': 'https', 'path': '/ready?x=1'}}",
             &s);
    assert_string_equal(s.scheme, "https");
    assert_string_equal(s.path, "/ready?x=1");
    health_spec_free(&s);

    parse_ok("{'type': 'COMMAND', 'command': {'value': 'test -f ready'}}", &s);
    assert_int_equal(s.type, HEALTH_COMMAND);
    assert_true(s.shell);
    assert_string_equal(s.command, "test -f ready");
    assert_true(s.env == NULL || s.env[0] == NULL);
    health_spec_free(&s);
    /* Freeing twice (or a zeroed spec) is harmless: the agent frees on every path. */
    health_spec_free(&s);
}

static void test_spec_numbers_as_strings_and_command_forms(void **state)
{
    (void)state;
    health_spec s;
    parse_ok("{'type': 'TCP', 'tcp': {'port': '9092'}, 'delay_seconds': '0.5',"
             " 'interval_seconds': 2, 'timeout_seconds': '0', 'grace_period_seconds': '1e1',"
             " 'consecutive_failures': '7'}",
             &s);
    assert_int_equal(s.port, 9092);
    assert_true(s.delay_s == 0.5 && s.interval_s == 2 && s.timeout_s == 0 && s.grace_s == 10);
    assert_int_equal(s.consecutive_failures, 7);
    health_spec_free(&s);

    parse_ok("{'type': 'COMMAND', 'command': {'shell': false, 'value': '/bin/test',"
             " 'arguments': ['test', '-d', '/'],"
             " 'environment': {'variables': [{'name': 'A', 'value': '1'},"
             "                               {'name': 'EMPTY', 'value': ''}]}}}",
             &s);
    assert_false(s.shell);
    assert_string_equal(s.command, "/bin/test");
    assert_non_null(s.argv);
    assert_string_equal(s.argv[0], "test");
    assert_string_equal(s.argv[1], "-d");
    assert_string_equal(s.argv[2], "/");
    assert_null(s.argv[3]);
    assert_non_null(s.env);
    assert_string_equal(s.env[0], "A=1");
    assert_string_equal(s.env[1], "EMPTY=");
    assert_null(s.env[2]);
    health_spec_free(&s);
}

static void test_spec_refusals(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"{'tcp': {'port': 1}}", "HealthCheck must specify 'type'"},
        {"{'type': 'UNKNOWN', 'tcp': {'port': 1}}", "'UNKNOWN' is not a valid health check type"},
        {"{'type': 'TCP', 'http': {'port': 80}}", "Expecting 'tcp' to be set for TCP health check"},
        {"{'type': 'HTTP', 'tcp': {'port': 80}}",
         "Expecting 'http' to be set for HTTP health check"},
        {"{'type': 'COMMAND', 'tcp': {'port': 80}}",
         "Expecting 'command' to be set for COMMAND health check"},
        {"{'type': 'COMMAND', 'command': {'shell': true}}",
         "Command health check must contain 'shell command'"},
        {"{'type': 'COMMAND', 'command': {'shell': false, 'arguments': ['x']}}",
         "Command health check must contain 'executable path'"},
        {"{'type': 'TCP', 'tcp': {'port': 0}}", "mesos-sim: health check port 0 is not from 1"},
        {"{'type': 'HTTP', 'http': {'port': 65536}}", "health check port 65536 is not from 1"},
        {"{'type': 'HTTP', 'http': {'port': 80, 'path': 'health'}}",
         "The path 'health' of HTTP health check must start with '/'"},
        {"{'type': 'HTTP', 'http': {'port': 80, 'path': ''}}", "The path '' of HTTP"},
        {"{'type': 'HTTP', 'http': {'port': 80, 'scheme': 'ftp'}}",
         "Unsupported HTTP health check scheme: 'ftp'"},
        {"{'type': 'TCP', 'tcp': {'port': 1}, 'delay_seconds': -1}",
         "Expecting 'delay_seconds' to be non-negative"},
        {"{'type': 'TCP', 'tcp': {'port': 1}, 'interval_seconds': '-0.5'}",
         "Expecting 'interval_seconds' to be non-negative"},
        {"{'type': 'TCP', 'tcp': {'port': 1}, 'timeout_seconds': -1}",
         "Expecting 'timeout_seconds' to be non-negative"},
        {"{'type': 'TCP', 'tcp': {'port': 1}, 'grace_period_seconds': -1}",
         "Expecting 'grace_period_seconds' to be non-negative"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        cleanup_json json_t *j = J(bad[i][0]);
        health_spec s;
        char err[256] = "";
        if (health_spec_parse(j, &s, err, sizeof(err)) != -1)
            fail_msg("%s: accepted", bad[i][0]);
        if (!strstr(err, bad[i][1]))
            fail_msg("%s: got '%s', expected '%s'", bad[i][0], err, bad[i][1]);
        /* Nothing to free after a refusal, and freeing anyway is harmless. */
        assert_null(s.command);
        assert_null(s.argv);
        assert_null(s.env);
        assert_null(s.path);
        health_spec_free(&s);
    }
}

/* ---- the policy ------------------------------------------------------------------------------ */

typedef struct {
    bool ok;
    double now;
    bool report, healthy, kill;
    unsigned failures;
} policy_step;

static void run_policy(const health_spec *spec, double started, const policy_step *steps, size_t n)
{
    health_state st = {.started = started};
    for (size_t i = 0; i < n; i++) {
        const policy_step *p = &steps[i];
        health_verdict v = health_policy(&st, spec, p->ok, p->now);
        if (v.report != p->report || (v.report && v.healthy != p->healthy) || v.kill != p->kill ||
            st.failures != p->failures)
            fail_msg("step %zu (%s at %g): report %d healthy %d kill %d failures %u", i,
                     p->ok ? "success" : "failure", p->now, v.report, v.healthy, v.kill,
                     st.failures);
    }
}

static void test_policy_table(void **state)
{
    (void)state;
    health_spec spec = {.grace_s = 10, .consecutive_failures = 3};
    /* ok, now, report, healthy, kill, failures afterwards */
    static const policy_step grace_then_count[] = {
        {false, 101, false, false, false, 0}, /* in the grace period, never healthy: ignored */
        {false, 109, false, false, false, 0},
        {false, 111, true, false, false, 1}, /* grace over: counted and reported */
        {false, 112, true, false, false, 2},
        {false, 113, true, false, true, 3}, /* third in a row: kill */
        {false, 114, true, false, true, 4}, /* and every one after */
    };
    run_policy(&spec, 100, grace_then_count, MK_ARRAY_LEN(grace_then_count));

    static const policy_step changes_only[] = {
        {true, 101, true, true, false, 0},   /* first success ever: reported */
        {true, 102, false, true, false, 0},  /* unchanged: silent */
        {false, 103, true, false, false, 1}, /* healthy once: grace no longer applies */
        {false, 104, true, false, false, 2},
        {true, 105, true, true, false, 0}, /* success after failures: reported, count reset */
        {true, 106, false, true, false, 0},
        {false, 107, true, false, false, 1}, /* counting starts again from zero */
        {false, 108, true, false, false, 2},
        {false, 109, true, false, true, 3},
    };
    run_policy(&spec, 100, changes_only, MK_ARRAY_LEN(changes_only));

    health_spec one = {.grace_s = 0, .consecutive_failures = 1};
    static const policy_step kill_at_once[] = {
        {false, 100, true, false, true, 1}, /* no grace: the first failure counts */
    };
    run_policy(&one, 100, kill_at_once, MK_ARRAY_LEN(kill_at_once));

    health_spec never = {.grace_s = 0, .consecutive_failures = 0};
    static const policy_step never_kill[] = {
        {false, 100, true, false, false, 1}, /* 0 consecutive failures: never kill */
        {false, 101, true, false, false, 2},
        {false, 102, true, false, false, 3},
    };
    run_policy(&never, 100, never_kill, MK_ARRAY_LEN(never_kill));
}

/* ---- a callback that records what it is told ------------------------------------------------- */

#define MAX_REPORTS 64

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int n, unasked;
    health_verdict v[MAX_REPORTS];
    char detail[MAX_REPORTS][256];
    double at[MAX_REPORTS];
    uint64_t ids[MAX_REPORTS];
    pthread_mutex_t *gate; /* taken around each report, as the agent takes its own mutex */
    atomic_bool in_callback;
} reports;

static void reports_init(reports *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cond, NULL);
    atomic_init(&r->in_callback, false);
}

static void reports_destroy(reports *r)
{
    assert_int_equal(r->unasked, 0);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cond);
}

static void on_report(void *ctx, uint64_t id, health_verdict v, const char *detail)
{
    reports *r = ctx;
    atomic_store(&r->in_callback, true);
    if (r->gate)
        pthread_mutex_lock(r->gate);
    pthread_mutex_lock(&r->mu);
    if (!v.report)
        r->unasked++; /* checked by the test thread: cmocka asserts only there */
    if (r->n < MAX_REPORTS) {
        r->v[r->n] = v;
        snprintf(r->detail[r->n], sizeof(r->detail[0]), "%s", detail ? detail : "");
        r->at[r->n] = mk_now_monotonic();
        r->ids[r->n] = id;
        r->n++;
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    if (r->gate)
        pthread_mutex_unlock(r->gate);
    atomic_store(&r->in_callback, false);
}

static int count(reports *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* Waits for at least n reports; false on timeout. */
static bool wait_reports(reports *r, int n, double timeout_s)
{
    double deadline = mk_now_monotonic() + timeout_s;
    pthread_mutex_lock(&r->mu);
    while (r->n < n && mk_now_monotonic() < deadline) {
        pthread_mutex_unlock(&r->mu);
        pause_s(0.005);
        pthread_mutex_lock(&r->mu);
    }
    bool ok = r->n >= n;
    pthread_mutex_unlock(&r->mu);
    return ok;
}

static void assert_no_children(void)
{
    errno = 0;
    pid_t p = waitpid(-1, NULL, WNOHANG);
    if (p != -1 || errno != ECHILD)
        fail_msg("a child process is left: waitpid(-1) = %d (%s)", (int)p, strerror(errno));
}

/* A check spec built in code: the runner copies it, so a literal is fine. */
static health_spec cmd_spec(const char *command, double timeout_s, unsigned failures)
{
    health_spec s = {.type = HEALTH_COMMAND,
                     .delay_s = 0,
                     .interval_s = 0.05,
                     .timeout_s = timeout_s,
                     .grace_s = 0,
                     .consecutive_failures = failures,
                     .shell = true};
    s.command = (char *)command;
    return s;
}

/* ---- COMMAND --------------------------------------------------------------------------------- */

static void test_command_healthy_reported_once(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    health_spec s = cmd_spec("true", 1, 3);
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 42);
    assert_non_null(h);
    assert_true(wait_reports(&r, 1, 3));
    pause_s(0.3); /* several more successful checks: no change, no report */
    health_stop(h);
    health_shutdown_all();
    assert_int_equal(r.n, 1);
    assert_true(r.v[0].healthy && !r.v[0].kill);
    assert_int_equal(r.ids[0], 42);
    assert_no_children();
    reports_destroy(&r);
}

static void test_command_failure_counts_to_kill(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    health_spec s = cmd_spec("exit 3", 1, 2);
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 7);
    assert_true(wait_reports(&r, 2, 3));
    health_stop(h);
    health_shutdown_all();
    assert_false(r.v[0].healthy);
    assert_false(r.v[0].kill);
    assert_string_equal(r.detail[0], "command exited with status 3");
    assert_false(r.v[1].healthy);
    assert_true(r.v[1].kill);
    /* Measured from the start of one check to the start of the next. */
    assert_true(r.at[1] - r.at[0] >= 0.04);
    assert_no_children();
    reports_destroy(&r);
}

/* Reads /proc/<pid>/stat's state letter; 0 if the process is gone. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

static pid_t read_pid(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "r");
    int pid = 0;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    unlink(path);
    return pid;
}

static void test_command_timeout_kills_the_group(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    /* The shell waits for a background sleep: both must die, the shell reaped by the checker. */
    health_spec s = cmd_spec("sleep 5 & echo $! > grandchild.pid; wait", 0.2, 3);
    s.interval_s = 10;
    double t0 = mk_now_monotonic();
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 1);
    assert_true(wait_reports(&r, 1, 3));
    double took = r.at[0] - t0;
    assert_true(took >= 0.2 && took < 1.5);
    assert_string_equal(r.detail[0], "command timed out after 0.2s");
    assert_false(r.v[0].healthy);
    assert_no_children();
    pid_t grandchild = read_pid("grandchild.pid");
    assert_true(grandchild > 0);
    /* Killed with its group; init may take a moment to reap it. */
    char st = proc_state(grandchild);
    for (int i = 0; i < 100 && st != 0 && st != 'Z'; i++) {
        pause_s(0.01);
        st = proc_state(grandchild);
    }
    if (st != 0 && st != 'Z')
        fail_msg("the command's child %d survived the timeout (state %c)", (int)grandchild, st);
    health_stop(h);
    health_shutdown_all();
    reports_destroy(&r);
}

static void test_command_argv_sandbox_and_environment(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    /* argv form: value is the program, arguments the whole argv. */
    health_spec s;
    parse_ok("{'type': 'COMMAND', 'command': {'shell': false, 'value': 'sh',"
             " 'arguments': ['sh', '-c', 'exit 4']}}",
             &s);
    s.delay_s = 0;
    s.grace_s = 0;
    s.interval_s = 10;
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 1);
    health_spec_free(&s);
    assert_true(wait_reports(&r, 1, 3));
    assert_string_equal(r.detail[0], "command exited with status 4");
    health_stop(h);

    /* Shell form: runs in the sandbox, sees the task's and the check's variables. */
    cleanup_json json_t *hc = json_pack(
        "{s:s, s:{s:s, s:{s:[{s:s, s:s}]}}}", "type", "COMMAND", "command", "value",
        "test \"$(pwd)\" = \"$WANT_DIR\" && test \"$FROM_TASK\" = t && test \"$FROM_CHECK\" = c",
        "environment", "variables", "name", "FROM_CHECK", "value", "c");
    char err[256] = "";
    if (health_spec_parse(hc, &s, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    s.delay_s = 0;
    s.grace_s = 0;
    s.interval_s = 10;
    char want_dir[128];
    snprintf(want_dir, sizeof(want_dir), "WANT_DIR=%s", tmpdir);
    char *const task_env[] = {"PATH=/usr/bin:/bin", "FROM_TASK=t", want_dir, NULL};
    h = health_start(&s, "127.0.0.1", tmpdir, task_env, on_report, &r, 2);
    health_spec_free(&s);
    assert_true(wait_reports(&r, 2, 3));
    if (!r.v[1].healthy)
        fail_msg("sandbox/environment check failed: %s", r.detail[1]);
    health_stop(h);
    health_shutdown_all();
    assert_no_children();
    reports_destroy(&r);
}

static void test_command_missing_program(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    health_spec s = {.type = HEALTH_COMMAND, .interval_s = 10, .timeout_s = 1, .shell = false};
    char *argv[] = {"no-such-program-mk", NULL};
    s.command = argv[0];
    s.argv = argv;
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 1);
    assert_true(wait_reports(&r, 1, 3));
    assert_false(r.v[0].healthy);
    assert_string_equal(r.detail[0], "command exited with status 127");
    health_stop(h);
    health_shutdown_all();
    assert_no_children();
    reports_destroy(&r);
}

/* ---- TCP ------------------------------------------------------------------------------------- */

/* A listening socket on 127.0.0.1 with a kernel-chosen port. */
static int listen_local(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_tcp(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    int port;
    int fd = listen_local(&port);
    health_spec s = {.type = HEALTH_TCP, .interval_s = 10, .timeout_s = 1, .port = port};
    health_checker *h = health_start(&s, "127.0.0.1", NULL, NULL, on_report, &r, 1);
    assert_true(wait_reports(&r, 1, 3));
    assert_true(r.v[0].healthy);
    health_stop(h);

    close(fd); /* the port is now closed */
    h = health_start(&s, "127.0.0.1", NULL, NULL, on_report, &r, 2);
    assert_true(wait_reports(&r, 2, 3));
    assert_false(r.v[1].healthy);
    char want[128];
    snprintf(want, sizeof(want), "TCP connect to 127.0.0.1:%d failed: Connection refused", port);
    assert_string_equal(r.detail[1], want);
    health_stop(h);
    health_shutdown_all();
    reports_destroy(&r);
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

typedef struct {
    int fd, port;
    int status;     /* answered to every request; 0 = accept and never answer */
    char path[128]; /* of the last request */
    atomic_int hits;
    atomic_bool stop;
    pthread_t thread;
} http_server;

static void *serve(void *arg)
{
    http_server *srv = arg;
    while (!atomic_load(&srv->stop)) {
        struct pollfd p = {.fd = srv->fd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int c = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        char req[2048];
        size_t n = 0;
        while (n < sizeof(req) - 1 && !memmem(req, n, "\r\n\r\n", 4)) {
            ssize_t k = read(c, req + n, sizeof(req) - 1 - n);
            if (k <= 0)
                break;
            n += (size_t)k;
        }
        req[n] = '\0';
        sscanf(req, "GET %127s", srv->path);
        atomic_fetch_add(&srv->hits, 1);
        if (srv->status == 0) {
            /* Silent: hold the connection until the client gives up. */
            struct pollfd q = {.fd = c, .events = POLLIN};
            poll(&q, 1, 3000);
        } else {
            char resp[128];
            int len = snprintf(resp, sizeof(resp),
                               "HTTP/1.0 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                               srv->status);
            if (write(c, resp, (size_t)len) != len)
                break;
        }
        close(c);
    }
    return NULL;
}

static void server_start(http_server *srv, int status)
{
    memset(srv, 0, sizeof(*srv));
    srv->status = status;
    srv->fd = listen_local(&srv->port);
    assert_int_equal(pthread_create(&srv->thread, NULL, serve, srv), 0);
}

static void server_stop(http_server *srv)
{
    atomic_store(&srv->stop, true);
    pthread_join(srv->thread, NULL);
    close(srv->fd);
}

static health_spec http_spec(int port, const char *path)
{
    health_spec s = {.type = HEALTH_HTTP, .interval_s = 10, .timeout_s = 1, .port = port};
    s.path = (char *)path;
    s.scheme = "http";
    return s;
}

static void test_http(void **state)
{
    (void)state;
    /* The checker must not go through a proxy, whatever the environment says. */
    setenv("http_proxy", "http://127.0.0.1:9/", 1);
    reports r;
    reports_init(&r);

    static const struct {
        int status;
        bool healthy;
    } answers[] = {{200, true},  {204, true},  {302, true}, {399, true},
                   {400, false}, {404, false}, {503, false}};
    for (size_t i = 0; i < MK_ARRAY_LEN(answers); i++) {
        http_server srv;
        server_start(&srv, answers[i].status);
        health_spec s = http_spec(srv.port, "/health?deep=1");
        health_checker *h = health_start(&s, "127.0.0.1", NULL, NULL, on_report, &r, i);
        assert_true(wait_reports(&r, (int)i + 1, 3));
        health_stop(h);
        server_stop(&srv);
        assert_string_equal(srv.path, "/health?deep=1");
        if (r.v[i].healthy != answers[i].healthy)
            fail_msg("status %d: healthy %d (%s)", answers[i].status, r.v[i].healthy, r.detail[i]);
        if (!answers[i].healthy) {
            char want[160];
            snprintf(want, sizeof(want), "HTTP GET http://127.0.0.1:%d/health?deep=1 answered %d",
                     srv.port, answers[i].status);
            assert_string_equal(r.detail[i], want);
        }
    }
    unsetenv("http_proxy");
    health_shutdown_all();
    reports_destroy(&r);
}

static void test_http_refused_and_timeout(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    int port;
    close(listen_local(&port));
    health_spec s = http_spec(port, "/");
    health_checker *h = health_start(&s, "127.0.0.1", NULL, NULL, on_report, &r, 1);
    assert_true(wait_reports(&r, 1, 3));
    assert_false(r.v[0].healthy);
    char want[128];
    snprintf(want, sizeof(want), "HTTP GET http://127.0.0.1:%d/ failed: ", port);
    assert_non_null(strstr(r.detail[0], want));
    health_stop(h);

    http_server srv;
    server_start(&srv, 0);
    s = http_spec(srv.port, "/");
    s.timeout_s = 0.2;
    double t0 = mk_now_monotonic();
    h = health_start(&s, "127.0.0.1", NULL, NULL, on_report, &r, 2);
    assert_true(wait_reports(&r, 2, 3));
    assert_true(r.at[1] - t0 < 1.5);
    assert_false(r.v[1].healthy);
    assert_non_null(strstr(r.detail[1], "failed: "));
    health_stop(h);
    health_shutdown_all();
    server_stop(&srv);
    reports_destroy(&r);
}

/* ---- stopping -------------------------------------------------------------------------------- */

static void test_delay_is_honoured(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    health_spec s = cmd_spec("true", 1, 3);
    s.delay_s = 0.3;
    double t0 = mk_now_monotonic();
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 1);
    assert_true(wait_reports(&r, 1, 3));
    assert_true(r.at[0] - t0 >= 0.3);
    health_stop(h);
    health_shutdown_all();
    reports_destroy(&r);
}

static void test_no_report_after_stop(void **state)
{
    (void)state;
    reports r;
    reports_init(&r);
    health_spec s = cmd_spec("false", 1, 1000);
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 1);
    assert_true(wait_reports(&r, 2, 3));
    health_stop(h);
    /* A check already past its stop test may still report once; nothing after that. */
    int at_stop = count(&r);
    pause_s(0.1);
    int settled = count(&r);
    assert_true(settled <= at_stop + 1);
    pause_s(0.3);
    assert_int_equal(count(&r), settled);
    health_shutdown_all();
    assert_no_children();
    reports_destroy(&r);
}

/* The agent calls health_stop while holding the mutex its callback is blocked on. */
static void test_stop_while_callback_blocked(void **state)
{
    (void)state;
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    reports r;
    reports_init(&r);
    r.gate = &gate;
    pthread_mutex_lock(&gate);
    health_spec s = cmd_spec("false", 1, 1000);
    health_checker *h = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 9);
    double deadline = mk_now_monotonic() + 3;
    while (!atomic_load(&r.in_callback) && mk_now_monotonic() < deadline)
        pause_s(0.005);
    assert_true(atomic_load(&r.in_callback));
    double t0 = mk_now_monotonic();
    health_stop(h); /* must return at once, not wait for the blocked callback */
    assert_true(mk_now_monotonic() - t0 < 0.1);
    pthread_mutex_unlock(&gate);
    health_shutdown_all();
    assert_int_equal(r.n, 1); /* the one in progress, then nothing */
    assert_int_equal(r.ids[0], 9);
    reports_destroy(&r);
}

static void test_shutdown_all_is_prompt(void **state)
{
    (void)state;
    double t0 = mk_now_monotonic();
    health_shutdown_all(); /* nothing running */
    assert_true(mk_now_monotonic() - t0 < 0.1);

    reports r;
    reports_init(&r);
    /* One sleeping through a long delay, one inside a command with no timeout. */
    health_spec sleeping = cmd_spec("true", 1, 3);
    sleeping.delay_s = 100;
    health_spec running = cmd_spec("sleep 30", 0, 3);
    health_checker *a = health_start(&sleeping, "127.0.0.1", tmpdir, NULL, on_report, &r, 1);
    health_checker *b = health_start(&running, "127.0.0.1", tmpdir, NULL, on_report, &r, 2);
    assert_non_null(a);
    assert_non_null(b);
    pause_s(0.2);
    t0 = mk_now_monotonic();
    health_shutdown_all();
    double took = mk_now_monotonic() - t0;
    if (took > 1)
        fail_msg("health_shutdown_all took %.2f s", took);
    assert_int_equal(r.n, 0);
    assert_no_children();

    /* Checkers started after a shutdown run normally. */
    health_spec s = cmd_spec("true", 1, 3);
    health_checker *c = health_start(&s, "127.0.0.1", tmpdir, NULL, on_report, &r, 3);
    assert_true(wait_reports(&r, 1, 3));
    health_stop(c);
    health_shutdown_all();
    reports_destroy(&r);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-health.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_defaults),
        cmocka_unit_test(test_spec_numbers_as_strings_and_command_forms),
        cmocka_unit_test(test_spec_refusals),
        cmocka_unit_test(test_policy_table),
        cmocka_unit_test(test_command_healthy_reported_once),
        cmocka_unit_test(test_command_failure_counts_to_kill),
        cmocka_unit_test(test_command_timeout_kills_the_group),
        cmocka_unit_test(test_command_argv_sandbox_and_environment),
        cmocka_unit_test(test_command_missing_program),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_http_refused_and_timeout),
        cmocka_unit_test(test_delay_is_honoured),
        cmocka_unit_test(test_no_report_after_stop),
        cmocka_unit_test(test_stop_while_callback_blocked),
        cmocka_unit_test(test_shutdown_all_is_prompt),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
