/*
 * taskinfo: TaskInfo JSON for ZooKeeper and Kafka launches, field names as mesos.proto spells them.
 *
 * The container sees only environment variables; the scheduler computes every per-member value
 * (ids, server list, listeners, data directory) so a task definition alone says how it runs.
 */
#include "taskinfo.h"

#include "broker_settings.h"
#include "kafka_props.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Health checks: TCP on the service port. The grace period covers a JVM's start (a broker
 * recovering a large log takes a while); three misses at 10 s intervals then mean a dead server. */
#define HEALTH_GRACE_S    300.0
#define HEALTH_DELAY_S    5.0
#define HEALTH_INTERVAL_S 10.0
#define HEALTH_TIMEOUT_S  10.0
#define HEALTH_FAILURES   3

/* The task's KILL grace: a broker's controlled shutdown moves leadership away first. */
#define KILL_GRACE_NS 60000000000LL

int taskinfo_ports_needed(const config *cfg, member_kind kind)
{
    if (cfg->network == NETWORK_USER)
        return 0;
    return kind == KIND_ZOOKEEPER ? 3 : 1;
}

static const char *domain_of(const config *cfg, member_kind kind)
{
    const char *d =
        kind == KIND_ZOOKEEPER ? cfg->zookeeper_custom_domain : cfg->kafka_custom_domain;
    return d ? d : cfg->domain;
}

/* USER network: the container's DNS name. */
static char *dns_name(const config *cfg, const member *m)
{
    char name[64];
    member_name(m, name, sizeof(name));
    const char *domain = domain_of(cfg, m->kind);
    return domain ? mk_xasprintf("%s.%s", name, domain) : mk_xstrdup(name);
}

char *taskinfo_service_address(const config *cfg, const member *m)
{
    int port = m->kind == KIND_ZOOKEEPER ? ZK_CLIENT_PORT : KAFKA_PORT;
    if (cfg->network == NETWORK_USER) {
        cleanup_free char *name = dns_name(cfg, m);
        return mk_xasprintf("%s:%d", name, port);
    }
    if (!m->hostname || m->n_ports < 1)
        return NULL;
    return mk_xasprintf("%s:%d", m->hostname, m->ports[0]);
}

bool taskinfo_has_server_address(const config *cfg, const member *m)
{
    if (!m->hostname)
        return false;
    return cfg->network == NETWORK_USER || m->n_ports >= 3;
}

size_t taskinfo_zoo_ensemble(const config *cfg, member *const *members, size_t n, member **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        member *m = members[i];
        if (m->kind == KIND_ZOOKEEPER && taskinfo_has_server_address(cfg, m) &&
            (m->goal != GOAL_REMOVE || member_task_live(m)))
            out[k++] = m;
    }
    return k;
}

char *taskinfo_zoo_servers(const config *cfg, member *const *members, size_t n, const member *self)
{
    size_t cap = 64 + n * 160, len = 0;
    char *out = mk_xmalloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const member *m = members[i];
        char entry[512];
        if (cfg->network != NETWORK_HOST && m == self) {
            /* Inside its own container a member binds the container ports on every address. */
            snprintf(entry, sizeof(entry), "server.%d=0.0.0.0:%d:%d;%d", m->id, ZK_QUORUM_PORT,
                     ZK_ELECTION_PORT, ZK_CLIENT_PORT);
        } else if (cfg->network == NETWORK_USER) {
            cleanup_free char *name = dns_name(cfg, m);
            snprintf(entry, sizeof(entry), "server.%d=%s:%d:%d;%d", m->id, name, ZK_QUORUM_PORT,
                     ZK_ELECTION_PORT, ZK_CLIENT_PORT);
        } else {
            snprintf(entry, sizeof(entry), "server.%d=%s:%d:%d;%d", m->id,
                     m->hostname ? m->hostname : "?", m->n_ports > 1 ? m->ports[1] : 0,
                     m->n_ports > 2 ? m->ports[2] : 0, m->n_ports > 0 ? m->ports[0] : 0);
        }
        size_t el = strlen(entry);
        if (len + el + 2 > cap) {
            cap = (len + el + 2) * 2;
            out = mk_xrealloc(out, cap);
        }
        if (len)
            out[len++] = ' ';
        memcpy(out + len, entry, el + 1);
        len += el;
    }
    return out;
}

/* ---- building ----------------------------------------------------------------------------------
 */

static void env_add(json_t *vars, const char *name, const char *value)
{
    json_array_append_new(vars, json_pack("{s:s, s:s}", "name", name, "value", value));
}

static void env_addf(json_t *vars, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void env_addf(json_t *vars, const char *name, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    env_add(vars, name, buf);
}

/* KAFKA_OPTIONS "a.b-c=1,..." as the images' variables: KAFKA_A_B__C=1 (see containers/README). */
static void add_kafka_options(json_t *vars, const char *options)
{
    const char *p = options;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq) {
            char name[512] = "KAFKA_";
            size_t n = strlen(name);
            for (const char *k = p; k < eq && n + 4 < sizeof(name); k++) {
                if (*k == '.')
                    name[n++] = '_';
                else if (*k == '-')
                    name[n++] = '_', name[n++] = '_';
                else if (*k == '_')
                    name[n++] = '_', name[n++] = '_', name[n++] = '_';
                else
                    name[n++] = (char)toupper((unsigned char)*k);
            }
            name[n] = '\0';
            cleanup_free char *value = mk_xstrndup(eq + 1, (size_t)(p + len - eq - 1));
            env_add(vars, name, value);
        }
        p = end ? end + 1 : NULL;
    }
}

static json_t *volume_of(const config *cfg, const member *m)
{
    const char *base = m->kind == KIND_ZOOKEEPER ? cfg->volume_zookeeper : cfg->volume_kafka;
    if (!base)
        return NULL;
    char name[64];
    member_name(m, name, sizeof(name));
    if (base[0] == '/') {
        cleanup_free char *path = mk_xasprintf("%s/%s", base, name);
        return json_pack("{s:s, s:s, s:s}", "container_path", "data", "host_path", path, "mode",
                         "RW");
    }
    cleanup_free char *vol = mk_xasprintf("%s-%d", base, m->id);
    return json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s}}}", "container_path", "data", "mode", "RW",
                     "source", "type", "DOCKER_VOLUME", "docker_volume", "driver",
                     cfg->volume_driver, "name", vol);
}

static json_t *container_of(const config *cfg, const member *m)
{
    const char *image =
        m->kind == KIND_ZOOKEEPER ? cfg->image_zookeeper : broker_settings_image(m->settings, cfg);
    json_t *docker = json_pack("{s:s, s:s, s:b}", "image", image, "network",
                               network_mode_name(cfg->network), "force_pull_image", 0);
    json_t *c = json_pack("{s:s, s:o}", "type", "DOCKER", "docker", docker);
    if (cfg->network == NETWORK_BRIDGE) {
        static const int zk_ports[] = {ZK_CLIENT_PORT, ZK_QUORUM_PORT, ZK_ELECTION_PORT};
        json_t *maps = json_array();
        for (int i = 0; i < m->n_ports; i++)
            json_array_append_new(
                maps,
                json_pack("{s:i, s:i, s:s}", "host_port", m->ports[i], "container_port",
                          m->kind == KIND_ZOOKEEPER ? zk_ports[i] : KAFKA_PORT, "protocol", "tcp"));
        json_object_set_new(docker, "port_mappings", maps);
    } else if (cfg->network == NETWORK_USER) {
        cleanup_free char *name = dns_name(cfg, m);
        json_object_set_new(c, "hostname", json_string(name));
        json_object_set_new(c, "network_infos", json_pack("[{s:s}]", "name", cfg->network_name));
    }
    json_t *vol = volume_of(cfg, m);
    if (vol)
        json_object_set_new(c, "volumes", json_pack("[o]", vol));
    return c;
}

static json_t *environment_of(const config *cfg, const member *m, const char *zk_servers,
                              const char *zk_connect)
{
    json_t *vars = json_array();
    if (m->kind == KIND_ZOOKEEPER) {
        env_addf(vars, "ZOO_MY_ID", "%d", m->id);
        env_add(vars, "ZOO_SERVERS", zk_servers);
        env_add(vars, "ZOO_DATA_DIR", "data");
        env_addf(vars, "ZK_SERVER_HEAP", "%d", cfg->zookeeper_res.heap_mb);
        return vars;
    }
    cleanup_free char *advertised = taskinfo_service_address(cfg, m);
    int port = cfg->network == NETWORK_HOST ? m->ports[0] : KAFKA_PORT;
    cleanup_free char *options = broker_settings_kafka_options(m->settings, cfg, m->id);
    add_kafka_options(vars, options);
    /* The rack of the agent it runs on, unless the broker's options name one. */
    const char *rack =
        cfg->kafka_rack_attribute ? member_agent_attribute(m, cfg->kafka_rack_attribute) : NULL;
    cleanup_free char *own_rack = kafka_props_get(options, "broker.rack");
    if (rack && !own_rack)
        env_add(vars, "KAFKA_BROKER_RACK", rack);
    env_addf(vars, "KAFKA_BROKER_ID", "%d", m->id);
    env_add(vars, "KAFKA_ZOOKEEPER_CONNECT", zk_connect);
    env_addf(vars, "KAFKA_LISTENERS", "PLAINTEXT://0.0.0.0:%d", port);
    env_addf(vars, "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://%s", advertised ? advertised : "?");
    env_add(vars, "KAFKA_LOG_DIRS", "data");
    env_addf(vars, "HEAP_MB", "%d", broker_settings_heap(m->settings, cfg));
    const char *jvm = broker_settings_jvm_options(m->settings);
    if (jvm)
        env_add(vars, "KAFKA_OPTS", jvm);
    return vars;
}

json_t *taskinfo_build(const config *cfg, const member *m, const char *task_id, json_t *resources,
                       const char *zk_servers, const char *zk_connect)
{
    char name[64];
    member_name(m, name, sizeof(name));
    /* Mesos runs a Docker TCP check inside the container's network: the container port. */
    int health_port = cfg->network == NETWORK_HOST ? m->ports[0]
                      : m->kind == KIND_ZOOKEEPER  ? ZK_CLIENT_PORT
                                                   : KAFKA_PORT;
    json_t *command = json_pack("{s:b, s:{s:o}}", "shell", 0, "environment", "variables",
                                environment_of(cfg, m, zk_servers, zk_connect));
    json_t *health =
        json_pack("{s:s, s:{s:i}, s:f, s:f, s:f, s:i, s:f}", "type", "TCP", "tcp", "port",
                  health_port, "delay_seconds", HEALTH_DELAY_S, "interval_seconds",
                  HEALTH_INTERVAL_S, "timeout_seconds", HEALTH_TIMEOUT_S, "consecutive_failures",
                  HEALTH_FAILURES, "grace_period_seconds", HEALTH_GRACE_S);
    return json_pack("{s:s, s:{s:s}, s:{s:s}, s:o, s:o, s:o, s:o, s:{s:{s:I}}}", "name", name,
                     "task_id", "value", task_id, "agent_id", "value", m->agent_id, "resources",
                     resources, "command", command, "container", container_of(cfg, m),
                     "health_check", health, "kill_policy", "grace_period", "nanoseconds",
                     (json_int_t)KILL_GRACE_NS);
}
