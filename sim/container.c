/*
 * container: TaskInfo -> what the simulated agent runs (see container.h).
 *
 * The TaskInfo comes from a canonical call (schema_canonical_call): integers are JSON integers,
 * bools are JSON bools, whatever form the scheduler wrote them in.
 */
#include "container.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define DEFAULT_KILL_GRACE 3.0 /* the command and Docker executors' default */

extern char **environ;

const char *net_mode_name(net_mode m)
{
    static const char *const names[] = {"HOST", "BRIDGE", "USER", "NONE"};
    return names[m];
}

/* ---- small helpers ----------------------------------------------------------------------------
 */

typedef struct {
    char **v;
    size_t n;
} strvec;

static void sv_push(strvec *s, char *owned)
{
    s->v = mk_xrealloc(s->v, (s->n + 2) * sizeof(char *));
    s->v[s->n++] = owned;
    s->v[s->n] = NULL;
}

static void sv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/* Sets NAME=value, replacing an earlier NAME. */
static void env_set(strvec *env, const char *name, const char *value)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < env->n; i++) {
        if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=') {
            free(env->v[i]);
            env->v[i] = mk_xasprintf("%s=%s", name, value);
            return;
        }
    }
    sv_push(env, mk_xasprintf("%s=%s", name, value));
}

static int fail(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return -1;
}

static int mkdir_p(const char *path)
{
    cleanup_free char *copy = mk_xstrdup(path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(copy, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static bool port_in(const unsigned char *bits, long p)
{
    return bits && p >= 0 && p < 65536 && ((bits[p / 8] >> (p % 8)) & 1);
}

/* A path made of plain components: no "..", no empty start. */
static bool safe_relative(const char *p)
{
    if (!*p || p[0] == '/')
        return false;
    cleanup_free char *copy = mk_xstrdup(p);
    char *save = NULL;
    for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save))
        if (strcmp(c, "..") == 0)
            return false;
    return true;
}

/* ---- parts of the plan ------------------------------------------------------------------------
 */

static int read_network(const json_t *container, const container_context *ctx, container_plan *out,
                        char *why, size_t n)
{
    const json_t *docker = json_object_get(container, "docker");
    const char *net = json_string_value(json_object_get(docker, "network"));
    out->net = NET_HOST;
    if (net && strcmp(net, "BRIDGE") == 0)
        out->net = NET_BRIDGE;
    else if (net && strcmp(net, "USER") == 0)
        out->net = NET_USER;
    else if (net && strcmp(net, "NONE") == 0)
        out->net = NET_NONE;
    const json_t *infos = json_object_get(container, "network_infos");
    if (out->net == NET_USER) {
        const char *name = json_string_value(json_object_get(json_array_get(infos, 0), "name"));
        /* src/docker/docker.cpp, Docker::RunOptions::create */
        if (json_array_size(infos) == 0)
            return fail(why, n,
                        "Failed to create docker run options: No network info found in "
                        "container info");
        if (json_array_size(infos) > 1)
            return fail(why, n,
                        "Failed to create docker run options: Only a single network can be "
                        "defined in Docker run");
        if (!name)
            return fail(why, n,
                        "Failed to create docker run options: No network name found in "
                        "network info");
        out->network_name = mk_xstrdup(name);
    }
    const char *hostname = json_string_value(json_object_get(container, "hostname"));
    if (hostname && out->net == NET_HOST)
        return fail(why, n,
                    "Failed to create docker run options: Unable to set hostname with host "
                    "network mode");
    if (hostname)
        out->hostname = mk_xstrdup(hostname);
    snprintf(out->ip, sizeof(out->ip), "%s",
             out->net == NET_HOST ? ctx->agent_ip : ctx->container_ip);

    size_t i;
    const json_t *pm;
    const json_t *mappings = json_object_get(docker, "port_mappings");
    json_array_foreach(mappings, i, pm)
    {
        if (out->net != NET_BRIDGE && out->net != NET_USER)
            return fail(why, n,
                        "Failed to create docker run options: Port mappings are only "
                        "supported for bridge and user-defined networks");
        bool any_port = false;
        for (size_t b = 0; ctx->task_ports && b < 65536 / 8 && !any_port; b++)
            any_port = ctx->task_ports[b] != 0;
        if (!any_port)
            return fail(why, n,
                        "Failed to create docker run options: Port mappings require port "
                        "resources");
        const char *proto = json_string_value(json_object_get(pm, "protocol"));
        if (proto && strcmp(proto, "tcp") != 0)
            return fail(why, n, "mesos-sim forwards TCP only, not protocol '%s'", proto);
        long long hp = json_integer_value(json_object_get(pm, "host_port"));
        long long cp = json_integer_value(json_object_get(pm, "container_port"));
        if (!port_in(ctx->task_ports, (long)hp))
            return fail(why, n,
                        "Failed to create docker run options: Port [%lld] not included in "
                        "resources",
                        hp);
        if (cp < 1 || cp > 65535)
            return fail(why, n, "mesos-sim cannot forward to container port %lld", cp);
        out->ports = mk_xrealloc(out->ports, (out->n_ports + 1) * sizeof(*out->ports));
        out->ports[out->n_ports++] = (port_map){(int)hp, (int)cp};
    }
    return 0;
}

/* A volume: an agent directory (host path, named volume or sandbox path) linked into the sandbox.
 */
static int make_volume(const json_t *vol, const container_context *ctx, bool docker, char *why,
                       size_t n)
{
    const char *cpath = json_string_value(json_object_get(vol, "container_path"));
    const char *host_path = json_string_value(json_object_get(vol, "host_path"));
    const json_t *src = json_object_get(vol, "source");
    const char *type = json_string_value(json_object_get(src, "type"));
    if (docker) { /* what Docker::RunOptions::create makes of it */
        if (host_path && host_path[0] != '/' && cpath && cpath[0] != '/')
            return fail(why, n,
                        "Failed to create docker run options: Both host_path '%s' and "
                        "container_path '%s' of a volume are relative",
                        host_path, cpath);
        if (!host_path && !src)
            return fail(why, n,
                        "Failed to create docker run options: Host path or volume source is "
                        "required");
        if (!host_path && (!type || strcmp(type, "DOCKER_VOLUME") != 0))
            return 0; /* ignored: the Docker containerizer mounts only DOCKER_VOLUME sources */
    }
    if (!cpath || !safe_relative(cpath))
        return fail(why, n,
                    "mesos-sim cannot mount volume at '%s': without mount namespaces "
                    "only container paths relative to the sandbox are emulated",
                    cpath ? cpath : "");
    cleanup_free char *source = NULL;
    if (host_path) {
        source = host_path[0] == '/' ? mk_xasprintf("%s/root%s", ctx->agent_dir, host_path)
                                     : mk_xasprintf("%s/%s", ctx->sandbox, host_path);
    } else if (type && strcmp(type, "DOCKER_VOLUME") == 0) {
        const char *name =
            json_string_value(json_object_get(json_object_get(src, "docker_volume"), "name"));
        if (!name || !*name ||
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789_.-") != strlen(name) ||
            name[0] == '.')
            return fail(why, n, "mesos-sim: invalid Docker volume name '%s'", name ? name : "");
        source = mk_xasprintf("%s/docker-volumes/%s", ctx->agent_dir, name);
    } else if (type && strcmp(type, "HOST_PATH") == 0) {
        const char *p =
            json_string_value(json_object_get(json_object_get(src, "host_path"), "path"));
        if (!p || p[0] != '/')
            return fail(why, n, "mesos-sim: the volume's host path must be absolute");
        source = mk_xasprintf("%s/root%s", ctx->agent_dir, p);
    } else if (type && strcmp(type, "SANDBOX_PATH") == 0) {
        const char *p =
            json_string_value(json_object_get(json_object_get(src, "sandbox_path"), "path"));
        if (!p || !safe_relative(p))
            return fail(why, n, "mesos-sim: invalid sandbox path");
        source = mk_xasprintf("%s/%s", ctx->sandbox, p);
    } else {
        return fail(why, n, "mesos-sim does not emulate volumes of source type %s",
                    type ? type : "(none)");
    }
    cleanup_free char *target = mk_xasprintf("%s/%s", ctx->sandbox, cpath);
    if (strcmp(source, target) == 0)
        return mkdir_p(source) == 0 ? 0
                                    : fail(why, n, "cannot create %s: %s", source, strerror(errno));
    cleanup_free char *parent = mk_xstrdup(target);
    *strrchr(parent, '/') = '\0';
    if (mkdir_p(source) != 0 || mkdir_p(parent) != 0)
        return fail(why, n, "cannot create volume %s: %s", source, strerror(errno));
    unlink(target);
    if (symlink(source, target) != 0)
        return fail(why, n, "cannot link volume %s at %s: %s", source, target, strerror(errno));
    return 0;
}

static int read_command(const json_t *command, const char *launcher, strvec *argv, char *why,
                        size_t n)
{
    const json_t *shell_j = json_object_get(command, "shell");
    bool shell = !shell_j || json_is_true(shell_j);
    const char *value = json_string_value(json_object_get(command, "value"));
    size_t i;
    const json_t *arg;
    if (shell) {
        if (!value)
            return fail(why, n,
                        "Failed to create docker run options: Shell specified but no "
                        "command value provided");
        sv_push(argv, mk_xstrdup("/bin/sh"));
        sv_push(argv, mk_xstrdup("-c"));
        sv_push(argv, mk_xstrdup(value));
        return 0;
    }
    if (launcher) {
        /* Docker: the image's entrypoint, then value (if any) and the arguments as its CMD. */
        sv_push(argv, mk_xstrdup(launcher));
        if (value)
            sv_push(argv, mk_xstrdup(value));
        json_array_foreach(json_object_get(command, "arguments"), i, arg)
        {
            sv_push(argv, mk_xstrdup(json_string_value(arg)));
        }
        return 0;
    }
    /* A command task: execvp(value, arguments...). */
    if (!value)
        return fail(why, n, "mesos-sim: a command task with shell false needs a value");
    sv_push(argv, mk_xstrdup(value));
    json_array_foreach(json_object_get(command, "arguments"), i, arg)
    {
        if (i > 0)
            sv_push(argv, mk_xstrdup(json_string_value(arg)));
    }
    return 0;
}

static void base_environment(strvec *env)
{
    /* The launchers need to find their tools and the installed servers, nothing else of ours. */
    static const char *const passed[] = {"PATH", "MK_SERVERS_ENV", "LANG", "TZ"};
    for (size_t i = 0; i < MK_ARRAY_LEN(passed); i++) {
        const char *v = getenv(passed[i]);
        if (v)
            env_set(env, passed[i], v);
    }
    if (!getenv("PATH"))
        env_set(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
}

static int read_environment(const json_t *command, strvec *env, char *why, size_t n)
{
    size_t i;
    const json_t *var;
    json_array_foreach(json_object_get(json_object_get(command, "environment"), "variables"), i,
                       var)
    {
        const char *name = json_string_value(json_object_get(var, "name"));
        const char *type = json_string_value(json_object_get(var, "type"));
        const char *value = json_string_value(json_object_get(var, "value"));
        if (type && strcmp(type, "SECRET") == 0)
            return fail(why, n,
                        "mesos-sim has no secret store: environment variable %s is a "
                        "SECRET",
                        name);
        if (!*name || strchr(name, '='))
            return fail(why, n, "mesos-sim: invalid environment variable name '%s'", name);
        env_set(env, name, value ? value : "");
    }
    return 0;
}

/* ---- the plan ---------------------------------------------------------------------------------
 */

plan_result container_plan_build(const json_t *ti, const container_context *ctx,
                                 container_plan *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof(*out));
    strvec argv = {0}, env = {0};
    const json_t *container = json_object_get(ti, "container");
    const json_t *command = json_object_get(ti, "command");
    const char *type = json_string_value(json_object_get(container, "type"));
    const char *image =
        json_string_value(json_object_get(json_object_get(container, "docker"), "image"));
    const char *launcher = NULL;
    plan_result result = PLAN_INVALID;

    if (type && strcmp(type, "DOCKER") == 0) {
        if (!image) {
            fail(why, why_len, "mesos-sim: a DOCKER container needs DockerInfo");
            goto out;
        }
        out->image = mk_xstrdup(image);
        launcher = imagemap_lookup(ctx->images, image);
        if (!launcher) {
            /* What the Docker containerizer reports when `docker pull` fails. */
            fail(why, why_len,
                 "Failed to launch container: Failed to run 'docker -H "
                 "unix:///var/run/docker.sock pull %s': exited with status 1; "
                 "stderr='Error response from daemon: pull access denied for %s, "
                 "repository does not exist or may require 'docker login''",
                 image, image);
            result = PLAN_PULL_FAILED;
            goto out;
        }
    } else if (type && strcmp(type, "MESOS") == 0 && json_object_get(container, "mesos")) {
        fail(why, why_len, "mesos-sim runs Docker images and plain commands, not MESOS images");
        goto out;
    }
    if (container && read_network(container, ctx, out, why, why_len) < 0)
        goto out;
    if (!container)
        snprintf(out->ip, sizeof(out->ip), "%s", ctx->agent_ip);
    if (read_command(command, launcher, &argv, why, why_len) < 0)
        goto out;

    if (mkdir_p(ctx->sandbox) != 0) {
        fail(why, why_len, "cannot create sandbox %s: %s", ctx->sandbox, strerror(errno));
        goto out;
    }
    size_t i;
    const json_t *vol;
    json_array_foreach(json_object_get(container, "volumes"), i, vol)
    {
        if (make_volume(vol, ctx, launcher != NULL, why, why_len) < 0)
            goto out;
    }

    base_environment(&env);
    if (read_environment(command, &env, why, why_len) < 0)
        goto out;
    char *cname = mk_xasprintf("mesos-%s", ctx->container_id);
    env_set(&env, "MESOS_SANDBOX", ctx->sandbox);
    env_set(&env, "MESOS_CONTAINER_NAME", cname);
    free(cname);
    env_set(&env, "MESOS_TASK_ID",
            json_string_value(json_object_get(json_object_get(ti, "task_id"), "value")));
    env_set(&env, "MESOS_FRAMEWORK_ID", ctx->framework_id);
    env_set(&env, "MESOS_AGENT_ID", ctx->agent_id);
    env_set(&env, "MESOS_ALLOCATION_ROLE", ctx->role);
    env_set(&env, "HOSTNAME", out->hostname ? out->hostname : ctx->agent_hostname);
    /* Where "all addresses" means this container's own loopback address (containers/README.md). */
    env_set(&env, "MK_BIND_ADDRESS", out->ip);
    if (ctx->hosts_file)
        env_set(&env, "MK_HOSTS_FILE", ctx->hosts_file);

    const json_t *grace = json_object_get(
        json_object_get(json_object_get(ti, "kill_policy"), "grace_period"), "nanoseconds");
    out->kill_grace_s = grace ? (double)json_integer_value(grace) / 1e9 : DEFAULT_KILL_GRACE;
    out->argv = argv.v;
    out->env = env.v;
    return PLAN_OK;
out:
    sv_free(argv.v);
    sv_free(env.v);
    container_plan_free(out);
    return result;
}

void container_plan_free(container_plan *p)
{
    sv_free(p->argv);
    sv_free(p->env);
    free(p->image);
    free(p->network_name);
    free(p->hostname);
    free(p->ports);
    memset(p, 0, sizeof(*p));
}

char *container_inspect_data(const container_plan *p, const char *container_id, int pid)
{
    /* Docker ids are 64 hex digits: the container id's 32, twice. */
    char id[65];
    size_t n = 0;
    for (const char *c = container_id; *c && n < 32; c++)
        if (*c != '-')
            id[n++] = *c;
    while (n < 32)
        id[n++] = '0';
    memcpy(id + 32, id, 32);
    id[64] = '\0';
    char started[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *mode = p->net == NET_HOST     ? "host"
                       : p->net == NET_BRIDGE ? "bridge"
                       : p->net == NET_NONE   ? "none"
                                              : p->network_name;
    const char *ip = p->net == NET_HOST ? "" : p->ip;
    cleanup_free char *name = mk_xasprintf("/mesos-%s", container_id);
    json_t *networks = json_object();
    json_object_set_new(networks, mode, json_pack("{s:s}", "IPAddress", ip));
    json_t *inspect = json_pack(
        "[{s:s, s:s, s:{s:s, s:b, s:i, s:i, s:s}, s:s, s:{s:s}, s:{s:s?, s:s}, s:{s:s, s:o}}]",
        "Id", id, "Created", started, "State", "Status", "running", "Running", 1, "Pid", pid,
        "ExitCode", 0, "StartedAt", started, "Name", name, "HostConfig", "NetworkMode", mode,
        "Config", "Hostname", p->hostname, "Image", p->image ? p->image : "", "NetworkSettings",
        "IPAddress", ip, "Networks", networks);
    cleanup_free char *text = json_dumps(inspect, JSON_INDENT(4));
    json_decref(inspect);
    return mk_base64_encode((const unsigned char *)text, strlen(text));
}
