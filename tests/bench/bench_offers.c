/*
 * bench_offers: how long the scheduler core takes to decide one OFFERS event, and its peak memory.
 *
 *   build/bench/bench_offers N [ROUNDS]
 *
 * Builds an OFFERS event of N offers (one per agent, each with cpus, mem, disk and a port range,
 * as mesos-sim and Mesos send them), and a cluster of 3 ZooKeeper servers running on homes of
 * their own plus 3 Kafka brokers waiting to restart on the last three agents of the event (so every
 * decision scans the whole event). Each round parses the event's JSON and decides it through the
 * core's own offer handler (scheduler_handle_offers); the Mesos calls it makes are dropped, since
 * no master is connected, but the state file is written before each launch as in production. It
 * prints the median and the worst round, and the process's peak resident memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "mesos_event.h"
#include "scheduler_internal.h"
#include "util.h"

static const char *bench_env(const char *name, void *ctx)
{
    static const char *const vars[][2] = {
        {"MESOS_SSL", "false"},          {"ZOOKEEPER_COUNT", "3"}, {"KAFKA_COUNT", "3"},
        {"FRAMEWORK_HOSTNAME", "bench"}, {"ZOOKEEPER_MEM", "512"}, {"KAFKA_MEM", "2048"},
        {"LOGLEVEL", "ERROR"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(vars); i++)
        if (strcmp(vars[i][0], name) == 0)
            return vars[i][1];
    if (strcmp(name, "FRAMEWORK_STATEFILE_PATH") == 0)
        return ctx;
    return NULL;
}

static char *offers_json(int n, int round)
{
    size_t cap = (size_t)n * 700 + 64, len = 0;
    char *out = mk_xmalloc(cap);
    len += (size_t)snprintf(out, cap, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(
            out + len, cap - len,
            "%s{\"id\":{\"value\":\"M-O%d-%d\"},\"framework_id\":{\"value\":\"F\"},"
            "\"agent_id\":{\"value\":\"M-S%d\"},\"hostname\":\"agent%d\","
            "\"allocation_info\":{\"role\":\"kafka\"},\"resources\":["
            "{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":4},"
            "\"allocation_info\":{\"role\":\"kafka\"}},"
            "{\"name\":\"mem\",\"type\":\"SCALAR\",\"scalar\":{\"value\":8192},"
            "\"allocation_info\":{\"role\":\"kafka\"}},"
            "{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":100000},"
            "\"allocation_info\":{\"role\":\"kafka\"}},"
            "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":[{\"begin\":31000,"
            "\"end\":32000}]},\"allocation_info\":{\"role\":\"kafka\"}}]}",
            i ? "," : "", round, i, i, i);
    snprintf(out + len, cap - len, "]}}");
    return out;
}

static member *homed(member_kind kind, int id, int agent, bool running)
{
    member *m = member_new(kind, id);
    m->agent_id = mk_xasprintf("M-S%d", agent);
    m->hostname = mk_xasprintf("agent%d", agent);
    m->n_ports = kind == KIND_ZOOKEEPER ? 3 : 1;
    for (int i = 0; i < m->n_ports; i++)
        m->ports[i] = 31000 + i;
    if (running) {
        m->task_id = mk_xasprintf("%s-%d.bench", member_kind_name(kind), id);
        m->task_state = TASK_RUNNING;
    }
    return m;
}

static void reset_cluster(scheduler *s, int n)
{
    scheduler_free_members(s);
    s->members = mk_xcalloc(6, sizeof(member *));
    for (int i = 0; i < 3; i++)
        s->members[s->n_members++] = homed(KIND_ZOOKEEPER, i + 1, i, true);
    for (int i = 0; i < 3; i++)
        s->members[s->n_members++] = homed(KIND_KAFKA, i, n - 3 + i, false);
    for (size_t i = 0; i < s->n_members; i++) {
        free(s->members[i]->servers);
        s->members[i]->servers = NULL;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    if (n < 3 || rounds < 1) {
        fprintf(stderr, "usage: bench_offers N(>=3) [ROUNDS]\n");
        return 2;
    }
    char dir[] = "/tmp/mk-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    config cfg;
    if (config_load(&cfg, bench_env, dir, stderr) != 0)
        return 1;
    log_set_level(LOG_ERROR);
    /* The ensemble answers as complete (one leader, two followers of three): brokers may launch. */
    scheduler s = {.cfg = &cfg,
                   .zk_quorum = true,
                   .zk_eval = {.expected = 3,
                               .leader = 1,
                               .leaders = 1,
                               .followers = 2,
                               .quorum = true,
                               .complete = true},
                   .suppressed = true};
    s.desired[KIND_ZOOKEEPER] = s.desired[KIND_KAFKA] = 3;
    s.recent_failures = json_array();
    mesos_client_handlers h = {0};
    mk_err err = {{0}};
    s.client = mesos_client_new(&cfg, &h, &s, &err);
    if (!s.client) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    mesos_client_set_framework_id(s.client, "F");
    double *took = mk_xcalloc((size_t)rounds, sizeof(double));
    double *parsed = mk_xcalloc((size_t)rounds, sizeof(double));
    size_t launched = 0, json_len = 0;
    for (int r = 0; r < rounds; r++) {
        reset_cluster(&s, n);
        char *json = offers_json(n, r);
        json_len = strlen(json);
        double t0 = mk_now_monotonic();
        mesos_event ev;
        if (mesos_event_parse(json, strlen(json), &ev, &err) < 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        double t1 = mk_now_monotonic();
        scheduler_handle_offers(&s, &ev);
        took[r] = mk_now_monotonic() - t1;
        parsed[r] = t1 - t0;
        mesos_event_clear(&ev);
        free(json);
        for (size_t i = 0; i < s.n_members; i++)
            launched += s.members[i]->kind == KIND_KAFKA && s.members[i]->task_id != NULL;
    }
    qsort(took, (size_t)rounds, sizeof(double), cmp_double);
    qsort(parsed, (size_t)rounds, sizeof(double), cmp_double);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("parse one OFFERS event of %d offers (%.1f MB of JSON): median %.1f ms, worst %.1f ms\n",
           n, json_len / 1e6, parsed[rounds / 2] * 1e3, parsed[rounds - 1] * 1e3);
    printf("decide one OFFERS event of %d offers: median %.1f ms, worst %.1f ms over %d rounds "
           "(placement, the state file written, the ACCEPTs and the DECLINE built; %zu broker "
           "launches decided)\n",
           n, took[rounds / 2] * 1e3, took[rounds - 1] * 1e3, rounds, launched);
    printf("peak resident memory while deciding %d offers: %.1f MB\n", n, ru.ru_maxrss / 1024.0);
    if (launched != (size_t)rounds * 3) {
        fprintf(stderr, "bench_offers: expected 3 launches per round\n");
        return 1;
    }
    free(took);
    free(parsed);
    scheduler_free_members(&s);
    json_decref(s.recent_failures);
    mesos_client_free(s.client);
    config_free(&cfg);
    cleanup_free char *state = mk_xasprintf("%s/mesos-kafka.state.json", dir);
    unlink(state);
    rmdir(dir);
    return 0;
}
