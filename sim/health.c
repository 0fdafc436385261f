/*
 * health: Mesos-style task health checks (see health.h).
 */
#include "health.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
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

#include "util.h"

/* ---- the spec ---------------------------------------------------------------------------------
 */

static double num(const json_t *v, double dflt)
{
    if (!v)
        return dflt;
    return json_is_string(v) ? strtod(json_string_value(v), NULL) : json_number_value(v);
}

static char **strings(const json_t *arr, const char *first)
{
    size_t n = json_array_size(arr);
    char **v = mk_xcalloc(n + 2, sizeof(char *));
    size_t k = 0;
    if (first)
        v[k++] = mk_xstrdup(first);
    size_t i;
    const json_t *s;
    json_array_foreach(arr, i, s)
    {
        v[k++] = mk_xstrdup(json_string_value(s));
    }
    return v;
}

static void free_strings(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* The rules and messages of Mesos's validateHealthCheck (src/common/validation.cpp), in its order;
 * the port range is the simulator's own rule. */
int health_spec_parse(const json_t *hc, health_spec *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const char *type = json_string_value(json_object_get(hc, "type"));
    const json_t *cmd = json_object_get(hc, "command");
    const json_t *http = json_object_get(hc, "http");
    const json_t *tcp = json_object_get(hc, "tcp");
    if (!type) {
        snprintf(err, errlen, "HealthCheck must specify 'type'");
        return -1;
    }
    if (strcmp(type, "COMMAND") != 0 && strcmp(type, "HTTP") != 0 && strcmp(type, "TCP") != 0) {
        snprintf(err, errlen, "'%s' is not a valid health check type", type);
        return -1;
    }
    const json_t *sub = strcmp(type, "COMMAND") == 0 ? cmd : strcmp(type, "HTTP") == 0 ? http : tcp;
    if (!sub) {
        snprintf(err, errlen, "Expecting '%s' to be set for %s health check",
                 strcmp(type, "COMMAND") == 0 ? "command"
                 : strcmp(type, "HTTP") == 0  ? "http"
                                              : "tcp",
                 type);
        return -1;
    }
    const char *value = json_string_value(json_object_get(cmd, "value"));
    const json_t *shell = json_object_get(cmd, "shell");
    out->shell = !shell || json_is_true(shell);
    if (sub == cmd && !value) {
        snprintf(err, errlen, "Command health check must contain %s",
                 out->shell ? "'shell command'" : "'executable path'");
        return -1;
    }
    const char *path = json_string_value(json_object_get(http, "path"));
    const char *scheme = json_string_value(json_object_get(http, "scheme"));
    if (sub == http && scheme && strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        snprintf(err, errlen, "Unsupported HTTP health check scheme: '%s'", scheme);
        return -1;
    }
    if (sub == http && path && path[0] != '/') {
        snprintf(err, errlen, "The path '%s' of HTTP health check must start with '/'", path);
        return -1;
    }
    static const char *const timings[] = {"delay_seconds", "grace_period_seconds",
                                          "interval_seconds", "timeout_seconds"};
    for (size_t i = 0; i < MK_ARRAY_LEN(timings); i++) {
        if (num(json_object_get(hc, timings[i]), 0) < 0) {
            snprintf(err, errlen, "Expecting '%s' to be non-negative", timings[i]);
            return -1;
        }
    }
    out->delay_s = num(json_object_get(hc, "delay_seconds"), 15);
    out->interval_s = num(json_object_get(hc, "interval_seconds"), 10);
    out->timeout_s = num(json_object_get(hc, "timeout_seconds"), 20);
    out->grace_s = num(json_object_get(hc, "grace_period_seconds"), 10);
    out->consecutive_failures = (unsigned)num(json_object_get(hc, "consecutive_failures"), 3);
    if (sub == cmd) {
        out->type = HEALTH_COMMAND;
        out->command = mk_xstrdup(value);
        if (!out->shell)
            out->argv = strings(json_object_get(cmd, "arguments"), NULL);
        size_t i;
        const json_t *var;
        json_array_foreach(json_object_get(json_object_get(cmd, "environment"), "variables"), i,
                           var)
        {
            size_t n = 0;
            while (out->env && out->env[n])
                n++;
            out->env = mk_xrealloc(out->env, (n + 2) * sizeof(char *));
            out->env[n] = mk_xasprintf("%s=%s", json_string_value(json_object_get(var, "name")),
                                       json_string_value(json_object_get(var, "value"))
                                           ? json_string_value(json_object_get(var, "value"))
                                           : "");
            out->env[n + 1] = NULL;
        }
        return 0;
    }
    out->type = sub == http ? HEALTH_HTTP : HEALTH_TCP;
    double port = num(json_object_get(sub, "port"), 0);
    if (port < 1 || port > 65535) {
        snprintf(err, errlen, "mesos-sim: health check port %g is not from 1 to 65535", port);
        return -1;
    }
    out->port = (int)port;
    if (out->type == HEALTH_HTTP) {
        out->path = mk_xstrdup(path ? path : "/");
        out->scheme = mk_xstrdup(scheme ? scheme : "http");
    }
    return 0;
}

void health_spec_free(health_spec *s)
{
    free(s->command);
    free_strings(s->argv);
    free_strings(s->env);
    free(s->path);
    free(s->scheme);
    memset(s, 0, sizeof(*s));
}

static void spec_copy(health_spec *dst, const health_spec *src)
{
    *dst = *src;
    dst->command = src->command ? mk_xstrdup(src->command) : NULL;
    dst->path = src->path ? mk_xstrdup(src->path) : NULL;
    dst->scheme = src->scheme ? mk_xstrdup(src->scheme) : NULL;
    dst->argv = dst->env = NULL;
    for (int which = 0; which < 2; which++) {
        char **from = which ? src->env : src->argv;
        size_t n = 0;
        while (from && from[n])
            n++;
        if (!from)
            continue;
        char **to = mk_xcalloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
            to[i] = mk_xstrdup(from[i]);
        if (which)
            dst->env = to;
        else
            dst->argv = to;
    }
}

/* ---- the policy -------------------------------------------------------------------------------
 */

health_verdict health_policy(health_state *st, const health_spec *spec, bool ok, double now)
{
    health_verdict v = {0};
    if (ok) {
        v.report = !st->ever_healthy || st->failures > 0;
        v.healthy = true;
        st->ever_healthy = true;
        st->failures = 0;
        return v;
    }
    if (!st->ever_healthy && now - st->started < spec->grace_s)
        return v; /* still starting up */
    st->failures++;
    v.report = true;
    v.kill = spec->consecutive_failures > 0 && st->failures >= spec->consecutive_failures;
    return v;
}

/* ---- running checks ---------------------------------------------------------------------------
 */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int live;
    atomic_bool stopping;
} G = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};

struct health_checker {
    health_spec spec;
    char *target, *sandbox;
    char **env; /* complete environment for COMMAND checks */
    health_report_fn fn;
    void *ctx;
    uint64_t id;
    atomic_bool stop;
};

static bool stopped(health_checker *h)
{
    return atomic_load(&h->stop) || atomic_load(&G.stopping);
}

/* Sleeps until `until` (monotonic) unless the checker is stopped first. */
static bool sleep_until(health_checker *h, double until)
{
    pthread_mutex_lock(&G.mu);
    while (!stopped(h) && mk_now_monotonic() < until) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&G.cond, &G.mu, &ts);
    }
    bool go_on = !stopped(h);
    pthread_mutex_unlock(&G.mu);
    return go_on;
}

static bool check_command(health_checker *h, char *detail, size_t n)
{
    const health_spec *s = &h->spec;
    char *sh_argv[] = {"/bin/sh", "-c", s->command, NULL};
    char *const *argv = s->shell ? sh_argv : s->argv;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(detail, n, "cannot fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        if (h->sandbox && chdir(h->sandbox) != 0)
            _exit(126);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        execvpe(s->shell ? "/bin/sh" : s->command, argv, h->env);
        _exit(127);
    }
    setpgid(pid, pid); /* also here, so a kill right after fork finds the group */
    double deadline = s->timeout_s > 0 ? mk_now_monotonic() + s->timeout_s : 0;
    int ws = 0;
    for (;;) {
        pid_t r = waitpid(pid, &ws, WNOHANG);
        if (r == pid)
            break;
        if ((deadline > 0 && mk_now_monotonic() >= deadline) || atomic_load(&G.stopping)) {
            kill(-pid, SIGKILL);
            waitpid(pid, &ws, 0);
            snprintf(detail, n, "command timed out after %gs", s->timeout_s);
            return false;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        return true;
    snprintf(detail, n, "command exited with status %d",
             WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
    return false;
}

static bool check_tcp(health_checker *h, char *detail, size_t n)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)h->spec.port)};
    inet_pton(AF_INET, h->target, &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(detail, n, "socket: %s", strerror(errno));
        return false;
    }
    int err = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int ms = h->spec.timeout_s > 0 ? (int)(h->spec.timeout_s * 1000) : -1;
            int r = poll(&p, 1, ms);
            socklen_t len = sizeof(err);
            if (r == 0)
                err = ETIMEDOUT;
            else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                err = errno;
        }
    }
    close(fd);
    if (err)
        snprintf(detail, n, "TCP connect to %s:%d failed: %s", h->target, h->spec.port,
                 strerror(err));
    return err == 0;
}

static size_t discard(char *p, size_t size, size_t nmemb, void *u)
{
    (void)p;
    (void)u;
    return size * nmemb;
}

static bool check_http(health_checker *h, char *detail, size_t n)
{
    cleanup_free char *url =
        mk_xasprintf("%s://%s:%d%s", h->spec.scheme, h->target, h->spec.port, h->spec.path);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(detail, n, "cannot create an HTTP client");
        return false;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L); /* as Mesos's checker: curl -k */
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    if (h->spec.timeout_s > 0)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->spec.timeout_s * 1000));
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(detail, n, "HTTP GET %s failed: %s", url, curl_easy_strerror(rc));
        return false;
    }
    if (status < 200 || status >= 400) {
        snprintf(detail, n, "HTTP GET %s answered %ld", url, status);
        return false;
    }
    return true;
}

static void free_checker(health_checker *h)
{
    health_spec_free(&h->spec);
    free(h->target);
    free(h->sandbox);
    free_strings(h->env);
    free(h);
}

static void *run(void *arg)
{
    health_checker *h = arg;
    health_state st = {.started = mk_now_monotonic()};
    double next = st.started + h->spec.delay_s;
    while (sleep_until(h, next)) {
        double began = mk_now_monotonic();
        char detail[512] = "";
        bool ok = h->spec.type == HEALTH_COMMAND ? check_command(h, detail, sizeof(detail))
                  : h->spec.type == HEALTH_TCP   ? check_tcp(h, detail, sizeof(detail))
                                                 : check_http(h, detail, sizeof(detail));
        health_verdict v = health_policy(&st, &h->spec, ok, mk_now_monotonic());
        if (v.report && !stopped(h))
            h->fn(h->ctx, h->id, v, ok ? "check passed" : detail);
        next = began + h->spec.interval_s;
    }
    free_checker(h);
    pthread_mutex_lock(&G.mu);
    G.live--;
    pthread_cond_broadcast(&G.cond);
    pthread_mutex_unlock(&G.mu);
    return NULL;
}

health_checker *health_start(const health_spec *spec, const char *target_ip, const char *sandbox,
                             char *const *task_env, health_report_fn fn, void *ctx, uint64_t id)
{
    health_checker *h = mk_xcalloc(1, sizeof(*h));
    spec_copy(&h->spec, spec);
    h->target = mk_xstrdup(target_ip);
    h->sandbox = sandbox ? mk_xstrdup(sandbox) : NULL;
    h->fn = fn;
    h->ctx = ctx;
    h->id = id;
    atomic_init(&h->stop, false);
    size_t n = 0, m = 0;
    while (task_env && task_env[n])
        n++;
    while (spec->env && spec->env[m])
        m++;
    h->env = mk_xcalloc(n + m + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        h->env[i] = mk_xstrdup(task_env[i]);
    for (size_t i = 0; i < m; i++)
        h->env[n + i] = mk_xstrdup(spec->env[i]);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    pthread_mutex_lock(&G.mu);
    G.live++;
    pthread_mutex_unlock(&G.mu);
    if (pthread_create(&t, &attr, run, h) != 0) {
        pthread_mutex_lock(&G.mu);
        G.live--;
        pthread_mutex_unlock(&G.mu);
        free_checker(h);
        h = NULL;
    }
    pthread_attr_destroy(&attr);
    return h;
}

void health_stop(health_checker *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, true);
    pthread_mutex_lock(&G.mu);
    pthread_cond_broadcast(&G.cond);
    pthread_mutex_unlock(&G.mu);
}

void health_shutdown_all(void)
{
    pthread_mutex_lock(&G.mu);
    atomic_store(&G.stopping, true);
    pthread_cond_broadcast(&G.cond);
    while (G.live > 0)
        pthread_cond_wait(&G.cond, &G.mu);
    atomic_store(&G.stopping, false);
    pthread_mutex_unlock(&G.mu);
}
