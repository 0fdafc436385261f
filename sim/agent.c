/*
 * agent: simulated agents running tasks as local processes (see agent.h).
 *
 * Updates follow the Docker executor (src/docker/executor.cpp) and the agent's status update
 * manager: TASK_STARTING, then TASK_RUNNING (with container_status, and network_infos when the
 * container has an address of its own, and `data`: the container's `docker inspect`), health
 * changes as TASK_RUNNING with `healthy` and REASON_TASK_HEALTH_CHECK_STATUS_UPDATED (`healthy`
 * appears on no other update but the terminal one of a task its health check killed), TASK_KILLING
 * on KILL when the framework has the capability, and exactly one terminal update. Each carries a
 * uuid; the next is not forwarded before the previous is acknowledged, and the one in flight is
 * resent with a doubling interval.
 */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addrblock.h"
#include "health.h"
#include "imagemap.h"
#include "log.h"
#include "portfwd.h"

#define COMPONENT        "agent"
#define MAX_RESEND       600.0 /* Mesos: STATUS_UPDATE_RETRY_INTERVAL_MAX */
#define TEARDOWN_GRACE_S 5.0

static struct {
    char *work_dir, *hosts_file;
    imagemap *images;
    double retry_s;
    addrblock block;
} A = {.block = {.lock_fd = -1}};

/* ---- set-up -----------------------------------------------------------------------------------
 */

static int mkdir_one(const char *p)
{
    return mkdir(p, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* The names of agents and of containers that have a hostname, for the tasks' JVMs
 * (-Djdk.net.hosts.file, see containers/README.md). Rewritten whole, atomically. */
static void write_hosts_file(void)
{
    cleanup_free char *tmp = mk_xasprintf("%s.tmp", A.hosts_file);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        log_warn(COMPONENT, "cannot write %s: %s", tmp, strerror(errno));
        return;
    }
    char self[256] = "localhost";
    gethostname(self, sizeof(self) - 1);
    fprintf(f, "127.0.0.1 localhost %s\n", self);
    for (int a = 0; a < M.n_agents; a++)
        fprintf(f, "%s %s\n", M.agents[a].ip, M.agents[a].hostname);
    for (framework *fw = M.fws; fw; fw = fw->next)
        for (task *t = fw->tasks; t; t = t->next)
            if (t->pid > 0 && t->plan.hostname && t->plan.net != NET_HOST)
                fprintf(f, "%s %s\n", t->plan.ip, t->plan.hostname);
    if (fclose(f) != 0 || rename(tmp, A.hosts_file) != 0)
        log_warn(COMPONENT, "cannot write %s: %s", A.hosts_file, strerror(errno));
}

int agents_setup(const agent_options *opt, mk_err *err)
{
    A.retry_s = opt->update_retry_s > 0 ? opt->update_retry_s : 10;
    A.work_dir = mk_xstrdup(opt->work_dir);
    if (mkdir_one(A.work_dir) < 0)
        return mk_err_set(err, "--work-dir %s: %s", A.work_dir, strerror(errno));
    if (opt->image_map) {
        A.images = imagemap_load(opt->image_map, err);
        if (!A.images)
            return -1;
    } else {
        log_warn(COMPONENT, "no --image-map: every Docker task fails as an image that cannot be "
                            "pulled");
    }
    for (int a = 0; a < M.n_agents; a++) {
        M.agents[a].dir = mk_xasprintf("%s/%s", A.work_dir, M.agents[a].hostname);
        if (mkdir_one(M.agents[a].dir) < 0)
            return mk_err_set(err, "cannot create %s: %s", M.agents[a].dir, strerror(errno));
    }
    A.hosts_file = mk_xasprintf("%s/hosts", A.work_dir);
    write_hosts_file();
    if (addrblock_claim(&A.block, opt->container_block, NULL, err) < 0)
        return -1;
    log_info(COMPONENT, "containers get addresses from %s", A.block.text);
    return 0;
}

/* ---- updates ----------------------------------------------------------------------------------
 */

bool task_is_terminal(const task *t)
{
    static const char *const terminal[] = {
        "TASK_FINISHED", "TASK_FAILED",  "TASK_KILLED", "TASK_ERROR",
        "TASK_LOST",     "TASK_DROPPED", "TASK_GONE",   "TASK_GONE_BY_OPERATOR"};
    for (size_t i = 0; i < MK_ARRAY_LEN(terminal); i++)
        if (strcmp(t->state, terminal[i]) == 0)
            return true;
    return false;
}

static json_t *container_status(const task *t)
{
    json_t *cs = json_pack("{s:{s:s}}", "container_id", "value", t->container_id);
    if (t->network_infos)
        json_object_set(cs, "network_infos", t->network_infos);
    if (t->pid > 0)
        json_object_set_new(cs, "executor_pid", json_integer(t->pid));
    return cs;
}

/* A status as the agent's status update manager forwards it (fields in the proto's order). */
static json_t *agent_status(const task *t, const char *state, const char *source,
                            const char *reason, const char *message)
{
    json_t *st = json_pack("{s:{s:s}, s:s}", "task_id", "value", t->id, "state", state);
    if (message)
        json_object_set_new(st, "message", json_string(message));
    json_object_set_new(st, "source", json_string(source));
    if (reason)
        json_object_set_new(st, "reason", json_string(reason));
    json_object_set_new(st, "agent_id", id_json(M.agents[t->agent].id));
    json_object_set_new(st, "executor_id", id_json(t->id)); /* the Docker executor's id */
    json_object_set_new(st, "timestamp", json_real(mk_now_wall()));
    unsigned char raw[16];
    mk_random_bytes(raw, sizeof(raw));
    raw[6] = (unsigned char)((raw[6] & 0x0f) | 0x40); /* a version-4 UUID, as id::UUID::random() */
    raw[8] = (unsigned char)((raw[8] & 0x3f) | 0x80);
    char *uuid = mk_base64_encode(raw, sizeof(raw));
    json_object_set_new(st, "uuid", json_string(uuid));
    free(uuid);
    if (t->container_id[0])
        json_object_set_new(st, "container_status", container_status(t));
    return st;
}

/* TaskStatus fields in the proto's declaration order, as the master writes them; a caller may have
 * added `data` or `healthy` after the rest. */
static json_t *in_proto_order(json_t *status)
{
    static const char *const order[] = {
        "task_id",   "state",        "message",     "source",           "reason",
        "data",      "agent_id",     "executor_id", "timestamp",        "uuid",
        "healthy",   "check_status", "labels",      "container_status", "unreachable_time",
        "limitation"};
    json_t *out = json_object();
    for (size_t i = 0; i < MK_ARRAY_LEN(order); i++) {
        json_t *v = json_object_get(status, order[i]);
        if (v)
            json_object_set(out, order[i], v);
    }
    json_decref(status);
    return out;
}

static void forward(framework *fw, const json_t *status)
{
    push_to(fw, json_pack("{s:s, s:{s:O}}", "type", "UPDATE", "update", "status", status));
}

/* Queues the update; the master's view of the task changes at once (its "latest state"). */
static void send_update(framework *fw, task *t, json_t *status)
{
    status = in_proto_order(status);
    const json_t *healthy = json_object_get(status, "healthy");
    t->status_healthy = healthy ? json_is_true(healthy) : -1;
    t->state = json_string_value(json_object_get(status, "state"));
    /* t->state must outlive the status: point at a static name instead. */
    static const char *const names[] = {"TASK_STAGING",          "TASK_STARTING",    "TASK_RUNNING",
                                        "TASK_KILLING",          "TASK_FINISHED",    "TASK_FAILED",
                                        "TASK_KILLED",           "TASK_ERROR",       "TASK_LOST",
                                        "TASK_DROPPED",          "TASK_UNREACHABLE", "TASK_GONE",
                                        "TASK_GONE_BY_OPERATOR", "TASK_UNKNOWN"};
    for (size_t i = 0; i < MK_ARRAY_LEN(names); i++)
        if (strcmp(t->state, names[i]) == 0)
            t->state = names[i];
    if (!t->pending)
        t->pending = json_array();
    json_array_append_new(t->pending, status);
    log_info(COMPONENT, "task %s: %s%s%s", t->id, t->state,
             json_object_get(status, "message") ? ": " : "",
             json_object_get(status, "message")
                 ? json_string_value(json_object_get(status, "message"))
                 : "");
    if (json_array_size(t->pending) == 1) {
        forward(fw, status);
        t->resend_interval = A.retry_s;
        t->resend_at = mk_now_monotonic() + t->resend_interval;
    }
}

static void remove_task(framework *fw, task *t)
{
    for (task **p = &fw->tasks; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    agent_release_task(t);
    free(t->id);
    free(t->name);
    free(t);
}

void agent_acknowledge(framework *fw, const char *task_id, const char *uuid)
{
    for (task *t = fw->tasks; t; t = t->next) {
        if (strcmp(t->id, task_id) != 0)
            continue;
        json_t *head = json_array_get(t->pending, 0);
        const char *u = json_string_value(json_object_get(head, "uuid"));
        if (!u || strcmp(u, uuid) != 0) {
            log_info(COMPONENT, "task %s: acknowledgement of an update not in flight ignored",
                     t->id);
            return;
        }
        json_array_remove(t->pending, 0);
        if (json_array_size(t->pending) > 0) {
            forward(fw, json_array_get(t->pending, 0));
            t->resend_interval = A.retry_s;
            t->resend_at = mk_now_monotonic() + t->resend_interval;
        } else if (task_is_terminal(t) && t->pid == 0) {
            /* The terminal update is acknowledged: the task becomes a completed one. */
            log_debug(COMPONENT, "task %s completed", t->id);
            remove_task(fw, t);
        }
        return;
    }
    log_info(COMPONENT, "acknowledgement for unknown task %s ignored", task_id);
}

/* ---- starting ---------------------------------------------------------------------------------
 */

static void close_inherited_fds(void)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    for (int fd = 3; fd < 4096; fd++)
        close(fd);
}

/* Only async-signal-safe calls between fork and exec: the simulator is multi-threaded. */
static int spawn(task *t, char *why, size_t why_len)
{
    cleanup_free char *out_path = mk_xasprintf("%s/stdout", t->sandbox);
    cleanup_free char *err_path = mk_xasprintf("%s/stderr", t->sandbox);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "Failed to run docker container: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setsid();
        /* The container dies with the simulator, as with its agent. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(137);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in < 0 || out < 0 || err < 0 || chdir(t->sandbox) != 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        close_inherited_fds();
        execvpe(t->plan.argv[0], t->plan.argv, t->plan.env);
        static const char msg[] = "mesos-sim: cannot execute the container's command\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        _exit(127);
    }
    t->pid = pid;
    return 0;
}

static void health_report(void *ctx, uint64_t id, health_verdict v, const char *detail);

static void start_health(task *t)
{
    const json_t *hc = json_object_get(t->info, "health_check");
    if (!hc)
        return;
    health_spec spec;
    char why[256];
    if (health_spec_parse(hc, &spec, why, sizeof(why)) < 0) {
        log_warn(COMPONENT, "task %s: health check not run: %s", t->id, why);
        return;
    }
    static uint64_t next_id = 1;
    t->health_id = next_id++;
    t->health =
        health_start(&spec, t->plan.ip, t->sandbox, t->plan.env, health_report, NULL, t->health_id);
    health_spec_free(&spec);
}

static void start_container(framework *fw, task *t)
{
    agent *ag = &M.agents[t->agent];
    t->to_start = false;
    mk_uuid4(t->container_id);
    t->sandbox = mk_xasprintf("%s/frameworks/%s/executors/%s/runs/%s", ag->dir, fw->id, t->id,
                              t->container_id);
    char ip[16];
    addrblock_next(&A.block, ip);
    container_context ctx = {.agent_hostname = ag->hostname,
                             .agent_ip = ag->ip,
                             .agent_dir = ag->dir,
                             .sandbox = t->sandbox,
                             .framework_id = fw->id,
                             .agent_id = ag->id,
                             .role = fw->role,
                             .container_id = t->container_id,
                             .container_ip = ip,
                             .images = A.images,
                             .hosts_file = A.hosts_file,
                             .task_ports = t->res.ports};
    char why[1024];
    plan_result r = container_plan_build(t->info, &ctx, &t->plan, why, sizeof(why));
    if (r == PLAN_PULL_FAILED) {
        /* The containerizer fails before any executor runs: the agent reports it. */
        t->container_id[0] = '\0';
        send_update(
            fw, t,
            agent_status(t, "TASK_FAILED", "SOURCE_AGENT", "REASON_CONTAINER_LAUNCH_FAILED", why));
        return;
    }
    send_update(fw, t, agent_status(t, "TASK_STARTING", "SOURCE_EXECUTOR", NULL, NULL));
    if (r != PLAN_OK) {
        send_update(fw, t, agent_status(t, "TASK_FAILED", "SOURCE_EXECUTOR", NULL, why));
        return;
    }
    for (size_t i = 0; i < t->plan.n_ports; i++) {
        portfwd *p = portfwd_start(ag->ip, t->plan.ports[i].host_port, t->plan.ip,
                                   t->plan.ports[i].container_port, why, sizeof(why));
        if (!p) {
            char msg[1200];
            snprintf(msg, sizeof(msg), "Failed to run docker container: %s", why);
            send_update(fw, t, agent_status(t, "TASK_FAILED", "SOURCE_EXECUTOR", NULL, msg));
            return;
        }
        t->fwds = mk_xrealloc(t->fwds, (t->n_fwds + 1) * sizeof(*t->fwds));
        t->fwds[t->n_fwds++] = p;
    }
    if (spawn(t, why, sizeof(why)) < 0) {
        send_update(fw, t, agent_status(t, "TASK_FAILED", "SOURCE_EXECUTOR", NULL, why));
        return;
    }
    if (t->plan.net != NET_HOST) {
        json_t *ni = json_pack("{s:[{s:s, s:s}]}", "ip_addresses", "protocol", "IPv4", "ip_address",
                               t->plan.ip);
        if (t->plan.network_name)
            json_object_set_new(ni, "name", json_string(t->plan.network_name));
        t->network_infos = json_pack("[o]", ni);
    }
    log_info(COMPONENT, "task %s started on %s as pid %d (%s network, address %s)", t->id,
             ag->hostname, t->pid, net_mode_name(t->plan.net), t->plan.ip);
    if (t->plan.hostname)
        write_hosts_file();
    json_t *running = agent_status(t, "TASK_RUNNING", "SOURCE_EXECUTOR", NULL, NULL);
    if (t->plan.image) { /* the Docker executor sends `docker inspect`'s output along */
        cleanup_free char *inspect = container_inspect_data(&t->plan, t->container_id, t->pid);
        json_object_set_new(running, "data", json_string(inspect));
    }
    send_update(fw, t, running);
    start_health(t);
}

void agent_launch(framework *fw, task *t)
{
    (void)fw;
    t->state = "TASK_STAGING";
    t->healthy = -1;
    t->status_healthy = -1;
    t->to_start = true;
}

/* ---- stopping ---------------------------------------------------------------------------------
 */

static void stop_helpers(task *t)
{
    if (t->health) {
        health_stop(t->health);
        t->health = NULL;
    }
    for (size_t i = 0; i < t->n_fwds; i++)
        portfwd_stop(t->fwds[i]);
    free(t->fwds);
    t->fwds = NULL;
    t->n_fwds = 0;
}

void agent_kill(framework *fw, task *t, double grace_s)
{
    if (t->unreachable_time > 0)
        return; /* the agent is out of reach: the kill never arrives */
    if (t->to_start) {
        t->to_start = false;
        send_update(fw, t,
                    agent_status(t, "TASK_KILLED", "SOURCE_AGENT",
                                 "REASON_TASK_KILLED_DURING_LAUNCH",
                                 "Killed before delivery to the executor"));
        return;
    }
    if (t->pid <= 0 || t->unreachable_time > 0)
        return; /* already ended, or on a lost agent: nothing to signal */
    if (!t->kill_requested) {
        t->kill_requested = true;
        if (t->health) {
            health_stop(t->health);
            t->health = NULL;
        }
        if (fw->killing_state)
            send_update(fw, t, agent_status(t, "TASK_KILLING", "SOURCE_EXECUTOR", NULL, NULL));
    }
    double grace = grace_s >= 0 ? grace_s : t->plan.kill_grace_s;
    kill(-t->pid, SIGTERM);
    t->sigkill_at = mk_now_monotonic() + grace;
    log_info(COMPONENT, "task %s: SIGTERM sent, SIGKILL in %.1f s", t->id, grace);
}

/* The process is gone: one terminal update, worded as the executor words it. The Docker executor
 * reports `docker run`'s exit status (128+N for a signal); the command executor reports the wait
 * status as WSTRINGIFY (src/common/status_utils.hpp) writes it. */
static void container_exited(framework *fw, task *t, int wstatus)
{
    int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    t->pid = 0;
    stop_helpers(t);
    if (t->plan.hostname)
        write_hosts_file();
    char msg[96];
    if (t->plan.image)
        snprintf(msg, sizeof(msg), "Container exited with status %d", code);
    else if (WIFEXITED(wstatus))
        snprintf(msg, sizeof(msg), "Command exited with status %d", code);
    else
        snprintf(msg, sizeof(msg), "Command terminated with signal %s%s",
                 strsignal(WTERMSIG(wstatus)), WCOREDUMP(wstatus) ? " (core dumped)" : "");
    const char *state = t->kill_requested ? "TASK_KILLED"
                        : code == 0       ? "TASK_FINISHED"
                                          : "TASK_FAILED";
    json_t *st = agent_status(t, state, "SOURCE_EXECUTOR", NULL, msg);
    if (t->kill_requested && t->killed_by_health) { /* only here, as both executors do */
        t->healthy = 0;
        json_object_set_new(st, "healthy", json_false());
    }
    send_update(fw, t, st);
}

void agent_release_task(task *t)
{
    if (t->pid > 0) {
        kill(-t->pid, SIGKILL);
        waitpid(t->pid, NULL, 0);
        t->pid = 0;
    }
    stop_helpers(t);
    container_plan_free(&t->plan);
    json_decref(t->info);
    json_decref(t->pending);
    json_decref(t->network_infos);
    free(t->sandbox);
    t->info = t->pending = t->network_infos = NULL;
    t->sandbox = NULL;
}

/* ---- health -----------------------------------------------------------------------------------
 */

static void health_report(void *ctx, uint64_t id, health_verdict v, const char *detail)
{
    (void)ctx;
    pthread_mutex_lock(&M.mu);
    for (framework *fw = M.fws; fw; fw = fw->next) {
        for (task *t = fw->tasks; t; t = t->next) {
            if (t->health_id != id || !t->health || t->pid <= 0 || t->kill_requested ||
                M.agents[t->agent].partitioned)
                continue; /* a cut-off agent's verdicts reach no one; the next after the heal */
            t->healthy = v.healthy;
            log_info(COMPONENT, "task %s %s: %s", t->id, v.healthy ? "healthy" : "unhealthy",
                     detail ? detail : "");
            json_t *st = agent_status(t, "TASK_RUNNING", "SOURCE_EXECUTOR",
                                      "REASON_TASK_HEALTH_CHECK_STATUS_UPDATED", NULL);
            json_object_set_new(st, "healthy", json_boolean(v.healthy));
            send_update(fw, t, st);
            if (v.kill) {
                t->killed_by_health = true;
                agent_kill(fw, t, -1);
            }
            goto done;
        }
    }
done:
    pthread_mutex_unlock(&M.mu);
}

/* ---- the tick ---------------------------------------------------------------------------------
 */

void agent_tick(double now)
{
    for (framework *fw = M.fws; fw; fw = fw->next) {
        for (task *t = fw->tasks, *next; t; t = next) {
            next = t->next;
            if (M.agents[t->agent].partitioned)
                continue; /* cut off: what happens there reaches the master after the heal */
            if (t->to_start && !M.agents[t->agent].lost)
                start_container(fw, t);
            if (t->pid > 0) {
                int ws;
                pid_t r = waitpid(t->pid, &ws, WNOHANG);
                if (r == t->pid)
                    container_exited(fw, t, ws);
                else if (t->sigkill_at > 0 && now >= t->sigkill_at) {
                    kill(-t->pid, SIGKILL);
                    t->sigkill_at = 0;
                }
            }
            if (json_array_size(t->pending) > 0 && now >= t->resend_at) {
                forward(fw, json_array_get(t->pending, 0));
                t->resend_interval =
                    t->resend_interval * 2 > MAX_RESEND ? MAX_RESEND : t->resend_interval * 2;
                t->resend_at = now + t->resend_interval;
                log_debug(COMPONENT, "task %s: update resent, next in %.0f s", t->id,
                          t->resend_interval);
            }
        }
    }
}

/* ---- reconciliation and state -----------------------------------------------------------------
 */

json_t *agent_reconcile_update(const framework *fw, const task *t)
{
    bool unreachable = t->unreachable_time > 0;
    json_t *ev = master_update(fw, t->id, t->agent, t->state, "REASON_RECONCILIATION",
                               unreachable ? "Reconciliation: Task is unreachable"
                                           : "Reconciliation: Latest task state");
    json_t *st = json_object_get(json_object_get(ev, "update"), "status");
    /* protobuf::getTaskHealth: the `healthy` of the latest status, if it has one. */
    if (t->status_healthy >= 0)
        json_object_set_new(st, "healthy", json_boolean(t->status_healthy));
    if (t->container_id[0] && !unreachable)
        json_object_set_new(st, "container_status", container_status(t));
    if (unreachable)
        json_object_set_new(
            st, "unreachable_time",
            json_pack("{s:I}", "nanoseconds", (json_int_t)(t->unreachable_time * 1e9)));
    return ev;
}

json_t *agent_task_json(const task *t)
{
    json_t *j = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:i, s:i, s:b}", "id", t->id, "name", t->name,
                          "state", t->state, "agent_id", M.agents[t->agent].id, "hostname",
                          M.agents[t->agent].hostname, "pid", t->pid, "unacknowledged",
                          (int)json_array_size(t->pending), "unreachable", t->unreachable_time > 0);
    if (t->healthy >= 0)
        json_object_set_new(j, "healthy", json_boolean(t->healthy));
    if (t->sandbox) {
        json_object_set_new(j, "sandbox", json_string(t->sandbox));
        json_object_set_new(j, "network", json_string(net_mode_name(t->plan.net)));
        json_object_set_new(j, "ip", json_string(t->plan.ip));
    }
    return j;
}

const char *agent_container_block(void)
{
    return A.block.text;
}

json_t *agent_json(int a)
{
    const agent *ag = &M.agents[a];
    return json_pack("{s:s, s:s, s:s, s:s?, s:b, s:b, s:o}", "id", ag->id, "hostname", ag->hostname,
                     "ip", ag->ip, "dir", ag->dir, "lost", ag->lost, "partitioned", ag->partitioned,
                     "attributes", json_deep_copy(ag->attributes));
}

/* ---- fault control ----------------------------------------------------------------------------
 */

int agent_index(const char *name)
{
    for (int a = 0; a < M.n_agents; a++)
        if (strcmp(M.agents[a].id, name) == 0 || strcmp(M.agents[a].hostname, name) == 0 ||
            strcmp(M.agents[a].ip, name) == 0)
            return a;
    return -1;
}

/* The master marks the agent unreachable as in Master::markUnreachable, without waiting out the
 * ping timeouts: its offers are rescinded, its tasks reported TASK_UNREACHABLE (TASK_LOST), and a
 * FAILURE follows. When the machine died (`partition` false) its processes died with it. */
static int mark_unreachable(int a, bool partition)
{
    agent *ag = &M.agents[a];
    if (ag->lost)
        return -1;
    ag->lost = true;
    ag->partitioned = partition;
    double now = mk_now_wall();
    ag->lost_at = now;
    for (offer *o = M.offers, *next; o; o = next) {
        next = o->next;
        if (o->agent == a)
            rescind(o);
    }
    for (framework *fw = M.fws; fw; fw = fw->next) {
        for (task *t = fw->tasks, *next; t; t = next) {
            next = t->next;
            if (t->agent != a)
                continue;
            bool was_terminal = task_is_terminal(t);
            if (was_terminal && !partition) {
                agent_release_task(t);
                remove_task(fw, t);
                continue;
            }
            if (was_terminal)
                continue; /* its update waits, unacknowledged, on the cut-off agent */
            if (partition) {
                t->agent_state = t->state;
            } else {
                agent_release_task(t);
                t->to_start = false;
            }
            t->unreachable_time = now;
            t->state = fw->partition_aware ? "TASK_UNREACHABLE" : "TASK_LOST";
            json_t *ev = master_update(fw, t->id, a, t->state, "REASON_AGENT_REMOVED",
                                       "health check timed out");
            json_object_set_new(json_object_get(json_object_get(ev, "update"), "status"),
                                "unreachable_time",
                                json_pack("{s:I}", "nanoseconds", (json_int_t)(now * 1e9)));
            push_to(fw, ev);
        }
        push_to(fw, json_pack("{s:s, s:{s:o}}", "type", "FAILURE", "failure", "agent_id",
                              id_json(ag->id)));
    }
    if (!partition)
        write_hosts_file();
    log_info(COMPONENT, "agent %s (%s) %s: marked unreachable", ag->hostname, ag->id,
             partition ? "cut off from the master" : "lost");
    return 0;
}

/* The agent stops answering the master's pings: its machine died, with its processes. */
int agent_lose(int a)
{
    return mark_unreachable(a, false);
}

int agent_partition(int a)
{
    return mark_unreachable(a, true);
}

/* The partition ends and the agent re-registers with its tasks (Master::_reregisterSlave). A
 * partition-aware framework's running tasks are the master's again, silently: it learns of them
 * by reconciliation. Other frameworks' tasks were reported TASK_LOST, and the master has the agent
 * shut them down. Updates the agent kept while cut off are sent now (the tick resends them). */
int agent_heal(int a)
{
    agent *ag = &M.agents[a];
    if (!ag->partitioned)
        return -1;
    ag->lost = ag->partitioned = false;
    ag->lost_at = 0;
    for (framework *fw = M.fws; fw; fw = fw->next) {
        for (task *t = fw->tasks, *next; t; t = next) {
            next = t->next;
            if (t->agent != a || t->unreachable_time == 0)
                continue;
            if (!fw->partition_aware) {
                agent_release_task(t);
                remove_task(fw, t);
                continue;
            }
            t->unreachable_time = 0;
            t->state = t->agent_state;
            t->agent_state = NULL;
        }
    }
    log_info(COMPONENT, "agent %s (%s) reconnected to the master", ag->hostname, ag->id);
    return 0;
}

/* The agent comes back, restarted on the same machine with its id and work directory (volumes
 * kept) but none of its containers. Only tasks of checkpointing frameworks are recovered
 * (Slave::recover): their containers are found dead, so the agent sends each one's terminal
 * update (executorTerminated: TASK_FAILED, REASON_EXECUTOR_TERMINATED, the Docker containerizer's
 * "Container terminated"), with a uuid and resent until acknowledged. The agent reports them
 * when it re-registers, and the master first forwards that state itself (Master::_reregisterSlave:
 * "Unreachable agent re-reregistered", REASON_AGENT_REREGISTERED, no uuid). Other frameworks'
 * tasks the agent never knew again: the master forgets them, and only reconciliation tells
 * (TASK_GONE, "Reconciliation: Task is unknown to the agent"). */
int agent_return(int a)
{
    agent *ag = &M.agents[a];
    if (!ag->lost)
        return -1;
    if (ag->partitioned) { /* restarted while cut off: its containers are gone */
        ag->partitioned = false;
        for (framework *fw = M.fws; fw; fw = fw->next)
            for (task *t = fw->tasks; t; t = t->next)
                if (t->agent == a) {
                    if (t->pid > 0) {
                        kill(-t->pid, SIGKILL);
                        waitpid(t->pid, NULL, 0);
                        t->pid = 0;
                    }
                    t->to_start = false;
                }
    }
    ag->lost = false;
    ag->lost_at = 0;
    for (framework *fw = M.fws; fw; fw = fw->next) {
        for (task *t = fw->tasks, *next; t; t = next) {
            next = t->next;
            if (t->agent != a)
                continue;
            if (!fw->checkpoint || !t->container_id[0]) {
                remove_task(fw, t);
                continue;
            }
            t->unreachable_time = 0;
            json_t *st = agent_status(t, "TASK_FAILED", "SOURCE_AGENT",
                                      "REASON_EXECUTOR_TERMINATED", "Container terminated");
            json_t *ev = master_update(fw, t->id, a, "TASK_FAILED", "REASON_AGENT_REREGISTERED",
                                       "Unreachable agent re-reregistered");
            push_to(fw, ev);
            send_update(fw, t, st);
        }
    }
    log_info(COMPONENT, "agent %s (%s) is back", ag->hostname, ag->id);
    return 0;
}

int agent_signal_task(const char *task_id, int sig)
{
    for (framework *fw = M.fws; fw; fw = fw->next)
        for (task *t = fw->tasks; t; t = t->next)
            if (strcmp(t->id, task_id) == 0 && t->pid > 0) {
                kill(-t->pid, sig);
                log_info(COMPONENT, "task %s: signal %d sent by fault control", t->id, sig);
                return 0;
            }
    return -1;
}

/* ---- teardown ---------------------------------------------------------------------------------
 */

static int live_containers(int sig)
{
    int n = 0;
    for (framework *fw = M.fws; fw; fw = fw->next)
        for (task *t = fw->tasks; t; t = t->next) {
            if (t->pid <= 0)
                continue;
            if (waitpid(t->pid, NULL, WNOHANG) == t->pid) {
                t->pid = 0;
                continue;
            }
            if (sig)
                kill(-t->pid, sig);
            n++;
        }
    return n;
}

void agents_teardown(void)
{
    pthread_mutex_lock(&M.mu);
    int n = live_containers(SIGTERM);
    pthread_mutex_unlock(&M.mu);
    double deadline = mk_now_monotonic() + TEARDOWN_GRACE_S;
    while (n > 0 && mk_now_monotonic() < deadline) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&M.mu);
        n = live_containers(0);
        pthread_mutex_unlock(&M.mu);
    }
    pthread_mutex_lock(&M.mu);
    for (framework *fw = M.fws; fw; fw = fw->next)
        for (task *t = fw->tasks; t; t = t->next)
            stop_helpers(t);
    live_containers(SIGKILL);
    pthread_mutex_unlock(&M.mu);
    health_shutdown_all();
}

void agents_free(void)
{
    addrblock_release(&A.block);
    imagemap_free(A.images);
    free(A.work_dir);
    free(A.hosts_file);
    for (int a = 0; a < M.n_agents; a++)
        free(M.agents[a].dir);
    memset(&A, 0, sizeof(A));
    A.block.lock_fd = -1;
}
