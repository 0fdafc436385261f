/*
 * health: task health checks as a Mesos agent's health checker runs them
 * (src/checks/health_checker.cpp; fields in MESOS-API.md §7.6).
 *
 * health_spec_parse reads TaskInfo.health_check; health_policy is Mesos's decision rule (grace
 * period, consecutive failures, report on change), pure so it can be unit-tested; health_start runs
 * the checks on a thread of their own and reports each verdict to a callback.
 */
#ifndef SIM_HEALTH_H
#define SIM_HEALTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { HEALTH_COMMAND, HEALTH_TCP, HEALTH_HTTP } health_type;

typedef struct {
    health_type type;
    double delay_s, interval_s, timeout_s,
        grace_s;                   /* Mesos defaults 15, 10, 20, 10; timeout 0 = none */
    unsigned consecutive_failures; /* default 3 */
    bool shell;                    /* COMMAND: `sh -c command`, else argv */
    char *command;
    char **argv, **env; /* NULL-terminated; env holds "NAME=value" from command.environment */
    int port;           /* TCP and HTTP */
    char *path, *scheme;
} health_spec;

/* Reads and validates TaskInfo.health_check (already schema-checked for names and types).
 * Returns 0, or -1 with a message naming the field in err. */
int health_spec_parse(const json_t *hc, health_spec *out, char *err, size_t errlen);
void health_spec_free(health_spec *s);

typedef struct {
    double started;
    bool ever_healthy;
    unsigned failures;
} health_state;

typedef struct {
    bool report, healthy, kill;
} health_verdict;

/* One check result at `now`. Failures inside the grace period before the first success are
 * ignored; otherwise each failure is reported, and the task is to be killed once
 * consecutive_failures are reached. A success is reported only when it changes the health. */
health_verdict health_policy(health_state *st, const health_spec *spec, bool ok, double now);

typedef struct health_checker health_checker;

/* Called on the checker's thread with no lock of this module held. `id` is health_start's: the
 * caller finds its task by it, and must tolerate a call that races with health_stop. */
typedef void (*health_report_fn)(void *ctx, uint64_t id, health_verdict v, const char *detail);

/* Starts checking target_ip (the container's address); COMMAND checks run in `sandbox` with
 * task_env. The spec is copied. */
health_checker *health_start(const health_spec *spec, const char *target_ip, const char *sandbox,
                             char *const *task_env, health_report_fn fn, void *ctx, uint64_t id);
/* Asks the checker to stop and returns at once; its thread frees itself. */
void health_stop(health_checker *h);
/* Stops every checker and waits for their threads (at exit, with no caller lock held). */
void health_shutdown_all(void);

#endif
