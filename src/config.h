/*
 * config: every environment variable the scheduler reads, parsed once into a typed struct.
 *
 * One table in config.c (name, type, default, limits, documentation, secret flag) drives parsing,
 * `mesos-kafka --help`, `mesos-kafka config` and the generated env.example, so the four never
 * drift. Parsing reports every problem at once, one line per variable naming it and the reason; the
 * rest of the program only ever sees a validated `config`.
 */
#ifndef MK_CONFIG_H
#define MK_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "log.h"

typedef enum { NETWORK_HOST = 0, NETWORK_BRIDGE, NETWORK_USER } network_mode;

typedef struct {
    char *host; /* as written: a name, an IPv4 address, or an IPv6 address in brackets ("[::1]") */
    int port;
} config_endpoint;

typedef struct {
    double cpus;
    double mem_mb;
    double disk_mb;
    int heap_mb; /* JVM heap given to the server in the container */
} config_resources;

typedef struct config {
    /* Framework identity, as shown in the Mesos UI. */
    char *framework_user;      /* FRAMEWORK_USER */
    char *framework_name;      /* FRAMEWORK_NAME */
    char *framework_role;      /* FRAMEWORK_ROLE */
    char *framework_hostname;  /* FRAMEWORK_HOSTNAME (default: this host's name) */
    int framework_port;        /* FRAMEWORK_PORT: the HTTP API */
    char *framework_bind;      /* FRAMEWORK_BIND: the API's address; NULL: every address */
    char *framework_tls_cert;  /* FRAMEWORK_TLS_CERT: PEM path; with the key, HTTPS only */
    char *framework_tls_key;   /* FRAMEWORK_TLS_KEY: PEM path of its private key */
    char *framework_webui_url; /* FRAMEWORK_WEBUI_URL (default http[s]://<hostname>:<port>/) */
    double failover_timeout_s; /* FRAMEWORK_FAILOVER_TIMEOUT */
    char *statefile_dir;       /* FRAMEWORK_STATEFILE_PATH (a directory) */
    char *statefile_path;      /* derived: <dir>/<name>.state.json */

    /* Mesos master connection. */
    config_endpoint *masters; /* MESOS_MASTER: host:port[,host:port...] */
    int n_masters;
    bool mesos_ssl;               /* MESOS_SSL */
    bool mesos_ssl_verify;        /* MESOS_SSL_VERIFY */
    char *mesos_ca_cert;          /* MESOS_CA_CERT (NULL = system CAs) */
    char *mesos_principal;        /* MESOS_PRINCIPAL (default: MESOS_USERNAME) */
    char *mesos_username;         /* MESOS_USERNAME (NULL = no HTTP auth) */
    char *mesos_password;         /* MESOS_PASSWORD: secret */
    double mesos_reconnect_max_s; /* MESOS_RECONNECT_MAX_DELAY */
    int mesos_heartbeat_misses;   /* MESOS_HEARTBEAT_MISSES */
    double offer_refuse_s;        /* OFFER_REFUSE_SECONDS: filter on declined offers */

    log_level loglevel; /* LOGLEVEL */

    /* HTTP API auth. */
    char *auth_username; /* AUTH_USERNAME */
    char *auth_password; /* AUTH_PASSWORD: secret */

    /* Cluster shape. */
    int zookeeper_count; /* ZOOKEEPER_COUNT */
    int kafka_count;     /* KAFKA_COUNT */
    double res_cpus;     /* RES_CPU: the default of ZOOKEEPER_CPU and KAFKA_CPU */
    double res_mem_mb;   /* RES_MEM: the default of ZOOKEEPER_MEM and KAFKA_MEM */
    config_resources
        zookeeper_res;          /* ZOOKEEPER_CPU/_MEM/_DISK/_HEAP (fall back to RES_CPU/RES_MEM) */
    config_resources kafka_res; /* KAFKA_CPU/_MEM/_DISK/_HEAP (fall back to RES_CPU/RES_MEM) */
    char *image_zookeeper;      /* IMAGE_ZOOKEEPER */
    char *image_kafka;          /* IMAGE_KAFKA */

    /* Networking and storage. */
    network_mode network;          /* NETWORK_MODE: HOST | BRIDGE | USER */
    char *network_name;            /* NETWORK_NAME: the named network for USER (e.g. weave) */
    char *domain;                  /* DOMAIN: DNS domain of the USER network (e.g. weave.local) */
    char *zookeeper_custom_domain; /* ZOOKEEPER_CUSTOM_DOMAIN */
    char *kafka_custom_domain;     /* KAFKA_CUSTOM_DOMAIN */
    char *volume_driver;           /* VOLUME_DRIVER (e.g. local, rexray) */
    char *volume_kafka;            /* VOLUME_KAFKA: volume name or host path prefix */
    char *volume_zookeeper;        /* VOLUME_ZOOKEEPER */

    /* Failure handling (as in the earlier frameworks: delay doubles up to a maximum). */
    double failover_delay_s;      /* FAILOVER_DELAY (e.g. 10s) */
    double failover_max_delay_s;  /* FAILOVER_MAX_DELAY (e.g. 60s) */
    int failover_max_tries;       /* FAILOVER_MAX_TRIES (0 = unlimited) */
    double failover_reset_s;      /* FAILOVER_RESET_AFTER: healthy this long clears the count */
    double unreachable_timeout_s; /* UNREACHABLE_TIMEOUT: then a member is replaced elsewhere */
    char *kafka_options;          /* KAFKA_OPTIONS: key=value[,key=value...] broker settings */
    char *kafka_rack_attribute;   /* KAFKA_RACK_ATTRIBUTE: agent attribute for broker.rack */
} config;

/*
 * Reads every variable through `getenv_fn` (getenv in production; a table in tests), validates them
 * all, and fills `out`. On failure returns the number of problems (> 0) and writes one line per
 * problem to `errors` (may be NULL), "NAME: reason (got 'value')", never with a secret's value;
 * `out` is then left freed (all zero). Returns 0 on success; release with config_free().
 * An empty value counts as unset for variables without a literal default. A secret NAME may
 * instead be given as NAME_FILE, the path of a file holding it (read here; one trailing newline
 * dropped); both at once is a problem.
 */
typedef const char *(*config_getenv_fn)(const char *name, void *ctx);
int config_load(config *out, config_getenv_fn getenv_fn, void *ctx, FILE *errors);
void config_free(config *cfg);

/* `mesos-kafka --help`: usage and every variable with type, default and meaning. */
void config_print_help(FILE *out);
/* `mesos-kafka config`: the effective configuration, secrets shown as "********" when set. */
void config_print_effective(const config *cfg, FILE *out);
/* The text of env.example (every variable, documented, with its default). */
void config_print_env_example(FILE *out);
/* docs/configuration.md: one Markdown table of every variable (name, default, meaning). */
void config_print_markdown(FILE *out);

/* Durations as the variables spell them: "250ms", "10s", "5m", "3h", "1d", "1w", or bare seconds
 * ("30"); a decimal fraction is allowed ("1.5h"). Returns -1 for anything else (negative, empty,
 * exponent, nan, trailing text). */
int config_parse_duration(const char *text, double *seconds);
/* The shortest exact form of `seconds` in the largest whole unit ("1w", "90s", "250ms"). */
void config_format_duration(double seconds, char *buf, size_t size);

const char *network_mode_name(network_mode m);

#endif
