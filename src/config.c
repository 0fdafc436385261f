/*
 * config: the environment, read once, checked completely, and turned into a typed struct.
 *
 * Every variable is one row of `config_vars` below: name, type, default, limits, one line of
 * documentation, whether it is a secret, and where its value lives in `struct config`. Parsing,
 * `--help`, `mesos-kafka config`, env.example and docs/configuration.md all walk that table and
 * nothing else lists the variables, so adding one means adding a row and a struct field.
 *
 * Loading runs in three passes so that every problem is reported in one go:
 *   1. each row is parsed on its own: type, limits, and an optional rule (the role syntax);
 *   2. defaults that depend on other variables are resolved (ZOOKEEPER_CPU from RES_CPU,
 *      MESOS_PRINCIPAL from MESOS_USERNAME, the web UI URL from host name and port, the state file
 *      from its directory and the framework name);
 *   3. rules that tie variables together are checked (heap below memory, credentials in pairs),
 *      only between variables that parsed, so one typo gives one line rather than a cascade.
 * A problem is one line, "NAME: reason (got 'value')". A secret's value is never written; other
 * values are escaped, so a stray newline in the environment cannot split or forge a line.
 *
 * "Unset" means absent, or empty for a variable without a literal default: env files and
 * orchestrators often write `NAME=` to mean "nothing". An empty value where a default exists (an
 * empty KAFKA_COUNT) is an error, because it can only be a mistake.
 */
#include "config.h"
#include "config_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kafka_props.h"
#include "tls_pem.h"
#include "util.h"

/* ---------------------------------------------------------------------------------------------- */
/* The table. */

static const char *rule_role(const char *role, char *why, size_t n);
static const char *rule_framework_name(const char *name, char *why, size_t n);
static const char *rule_url(const char *url, char *why, size_t n);
/* As an agent attribute is named (constraint.h's rule). */
static const char *rule_attribute_name(const char *name, char *why, size_t n)
{
    if (strlen(name) > 128)
        return "must be at most 128 characters";
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
            return "may hold only letters, digits, '.', '_' and '-' (an agent attribute's name)";
    return NULL;
}

static const char *rule_ip_literal(const char *addr, char *why, size_t n);
static const char *rule_username(const char *user, char *why, size_t n);
static const char *rule_kafka_options(const char *options, char *why, size_t n);
static const char *rule_attribute_name(const char *name, char *why, size_t n);

#define SECTION(title)                                                                             \
    {                                                                                              \
        .name = title, .type = VT_SECTION                                                          \
    }

/* Limits that catch typos (a missing decimal point, a value in bytes), not to police sizing. */
#define MAX_CPUS    1024.0
#define MAX_MEM_MB  16777216.0 /* 16 TiB */
#define MAX_DISK_MB 1e9
#define DAY         86400.0

/* One variable per row reads better than one field per line. */
/* clang-format off */
const config_var config_vars[] = {
    SECTION("Framework"),
    {.name = "FRAMEWORK_USER", .type = VT_NONEMPTY, .default_value = "root",
     .offset = AT(framework_user),
     .doc = "Unix user the ZooKeeper and Kafka tasks run as on the agents."},
    {.name = "FRAMEWORK_NAME", .type = VT_NONEMPTY, .default_value = "mesos-kafka",
     .offset = AT(framework_name), .rule = rule_framework_name,
     .doc = "Framework name shown in the Mesos UI; it also names the state file."},
    {.name = "FRAMEWORK_ROLE", .type = VT_NONEMPTY, .default_value = "kafka",
     .offset = AT(framework_role), .rule = rule_role,
     .doc = "Mesos role the framework receives offers for: `*` or a path such as kafka/prod."},
    {.name = "FRAMEWORK_HOSTNAME", .type = VT_NONEMPTY, .derived = "this host's name",
     .offset = AT(framework_hostname),
     .doc = "Host name the framework reports to Mesos (and uses in the web UI link)."},
    {.name = "FRAMEWORK_PORT", .type = VT_PORT, .default_value = "10000", .min = 1, .max = 65535,
     .offset = AT(framework_port), .doc = "TCP port of the framework's HTTP API and status page."},
    {.name = "FRAMEWORK_BIND", .type = VT_NONEMPTY, .derived = "every address (IPv6 and IPv4)",
     .offset = AT(framework_bind), .rule = rule_ip_literal,
     .doc = "The one address the API listens on, an IPv4 or IPv6 literal such as 127.0.0.1 "
            "(no host names, no brackets)."},
    {.name = "FRAMEWORK_TLS_CERT", .type = VT_FILE, .derived = "the API is plain HTTP",
     .offset = AT(framework_tls_cert), .rule = tls_pem_check_certificate,
     .doc = "PEM file of the API's certificate (its chain may follow); with FRAMEWORK_TLS_KEY the "
            "API serves HTTPS only."},
    {.name = "FRAMEWORK_TLS_KEY", .type = VT_FILE, .derived = "required with FRAMEWORK_TLS_CERT",
     .offset = AT(framework_tls_key), .rule = tls_pem_check_key,
     .doc = "PEM file of the unencrypted private key of FRAMEWORK_TLS_CERT; set both or neither."},
    {.name = "FRAMEWORK_WEBUI_URL", .type = VT_NONEMPTY,
     .derived = "http://<FRAMEWORK_HOSTNAME>:<FRAMEWORK_PORT>/ (https:// with FRAMEWORK_TLS_CERT)",
     .offset = AT(framework_webui_url),
     .rule = rule_url, .doc = "Link to the framework's status page shown in the Mesos UI."},
    {.name = "FRAMEWORK_FAILOVER_TIMEOUT", .type = VT_DURATION, .default_value = "1w", .min = 0,
     .max = 365 * DAY, .offset = AT(failover_timeout_s),
     .doc = "How long Mesos keeps the tasks running while the scheduler is away."},
    {.name = "FRAMEWORK_STATEFILE_PATH", .type = VT_NONEMPTY,
     .default_value = "/var/lib/mesos-kafka", .offset = AT(statefile_dir),
     .doc = "Directory of the state file, <FRAMEWORK_NAME>.state.json."},

    SECTION("Mesos master"),
    {.name = "MESOS_MASTER", .type = VT_MASTERS, .default_value = "127.0.0.1:5050",
     .offset = AT(masters),
     .doc = "Masters, host:port[,host:port...], tried in turn until the leader answers."},
    {.name = "MESOS_SSL", .type = VT_BOOL, .default_value = "true", .offset = AT(mesos_ssl),
     .doc = "Talk to the masters over HTTPS."},
    {.name = "MESOS_SSL_VERIFY", .type = VT_BOOL, .default_value = "true",
     .offset = AT(mesos_ssl_verify),
     .doc = "Verify the masters' certificates and host names (turn off for testing only)."},
    {.name = "MESOS_CA_CERT", .type = VT_FILE, .derived = "the system's CA certificates",
     .offset = AT(mesos_ca_cert),
     .doc = "PEM file of the CA certificates that signed the masters'."},
    {.name = "MESOS_USERNAME", .type = VT_STRING,
     .derived = "no authentication to the master", .offset = AT(mesos_username),
     .rule = rule_username, .doc = "User for HTTP Basic authentication to the master."},
    {.name = "MESOS_PASSWORD", .type = VT_STRING, .flags = VF_SECRET, .offset = AT(mesos_password),
     .doc = "Password of MESOS_USERNAME; required when it is set."},
    {.name = "MESOS_PRINCIPAL", .type = VT_STRING, .derived = "the value of MESOS_USERNAME",
     .offset = AT(mesos_principal),
     .doc = "Principal in the FrameworkInfo; Mesos requires it to equal the authenticated user."},
    {.name = "MESOS_RECONNECT_MAX_DELAY", .type = VT_DURATION, .default_value = "15s", .min = 0.5,
     .max = 3600, .offset = AT(mesos_reconnect_max_s),
     .doc = "Longest wait between attempts to reach a master (starts at 0.5s, doubles)."},
    {.name = "MESOS_HEARTBEAT_MISSES", .type = VT_INT, .default_value = "5", .min = 1, .max = 100,
     .offset = AT(mesos_heartbeat_misses),
     .doc = "Heartbeats missed in a row after which the master's event stream is reopened."},
    {.name = "OFFER_REFUSE_SECONDS", .type = VT_DURATION, .default_value = "120s", .min = 0,
     .max = DAY, .offset = AT(offer_refuse_s),
     .doc = "How long Mesos holds back resources the framework declined."},

    SECTION("Logging and API access"),
    {.name = "LOGLEVEL", .type = VT_LOGLEVEL, .default_value = "INFO", .offset = AT(loglevel),
     .doc = "Least severe level that is logged."},
    {.name = "AUTH_USERNAME", .type = VT_STRING,
     .derived = "the API is read-only",
     .offset = AT(auth_username), .rule = rule_username,
     .doc = "User for HTTP Basic authentication on the framework's own API."},
    {.name = "AUTH_PASSWORD", .type = VT_STRING, .flags = VF_SECRET, .offset = AT(auth_password),
     .doc = "Password of AUTH_USERNAME; set both or neither."},

    SECTION("Cluster size and resources"),
    {.name = "ZOOKEEPER_COUNT", .type = VT_INT, .default_value = "3", .min = 0, .max = 99,
     .offset = AT(zookeeper_count),
     .doc = "Number of ZooKeeper servers; an odd number is recommended (a quorum is a majority)."},
    {.name = "KAFKA_COUNT", .type = VT_INT, .default_value = "3", .min = 0, .max = 1000,
     .offset = AT(kafka_count), .doc = "Number of Kafka brokers."},
    {.name = "RES_CPU", .type = VT_DOUBLE, .default_value = "1.0", .min = 0, .max = MAX_CPUS,
     .flags = VF_ABOVE_MIN, .offset = AT(res_cpus),
     .doc = "CPUs of every task unless ZOOKEEPER_CPU or KAFKA_CPU is set."},
    {.name = "RES_MEM", .type = VT_DOUBLE, .default_value = "2048", .min = 0, .max = MAX_MEM_MB,
     .flags = VF_ABOVE_MIN, .offset = AT(res_mem_mb),
     .doc = "Memory of every task in MB unless ZOOKEEPER_MEM or KAFKA_MEM is set."},
    {.name = "ZOOKEEPER_CPU", .type = VT_DOUBLE, .derived = "the value of RES_CPU", .min = 0,
     .max = MAX_CPUS, .flags = VF_ABOVE_MIN, .offset = AT(zookeeper_res.cpus),
     .doc = "CPUs of each ZooKeeper task."},
    {.name = "ZOOKEEPER_MEM", .type = VT_DOUBLE, .derived = "the value of RES_MEM", .min = 0,
     .max = MAX_MEM_MB, .flags = VF_ABOVE_MIN, .offset = AT(zookeeper_res.mem_mb),
     .doc = "Memory of each ZooKeeper task in MB."},
    {.name = "ZOOKEEPER_DISK", .type = VT_DOUBLE, .default_value = "1024", .min = 0,
     .max = MAX_DISK_MB, .flags = VF_ABOVE_MIN, .offset = AT(zookeeper_res.disk_mb),
     .doc = "Disk of each ZooKeeper task in MB."},
    {.name = "ZOOKEEPER_HEAP", .type = VT_INT, .default_value = "256", .min = 16, .max = 1048576,
     .offset = AT(zookeeper_res.heap_mb),
     .doc = "JVM heap of each ZooKeeper server in MB; must be less than ZOOKEEPER_MEM."},
    {.name = "KAFKA_CPU", .type = VT_DOUBLE, .derived = "the value of RES_CPU", .min = 0,
     .max = MAX_CPUS, .flags = VF_ABOVE_MIN, .offset = AT(kafka_res.cpus),
     .doc = "CPUs of each Kafka broker task."},
    {.name = "KAFKA_MEM", .type = VT_DOUBLE, .derived = "the value of RES_MEM", .min = 0,
     .max = MAX_MEM_MB, .flags = VF_ABOVE_MIN, .offset = AT(kafka_res.mem_mb),
     .doc = "Memory of each Kafka broker task in MB."},
    {.name = "KAFKA_DISK", .type = VT_DOUBLE, .default_value = "10240", .min = 0,
     .max = MAX_DISK_MB, .flags = VF_ABOVE_MIN, .offset = AT(kafka_res.disk_mb),
     .doc = "Disk of each Kafka broker task in MB."},
    {.name = "KAFKA_HEAP", .type = VT_INT, .default_value = "1024", .min = 16, .max = 1048576,
     .offset = AT(kafka_res.heap_mb),
     .doc = "JVM heap of each Kafka broker in MB; must be less than KAFKA_MEM."},

    SECTION("Images"),
    {.name = "IMAGE_ZOOKEEPER", .type = VT_NONEMPTY, .default_value = "mesos-kafka-zookeeper:3.8.7",
     .offset = AT(image_zookeeper), .doc = "Docker image of the ZooKeeper servers."},
    {.name = "IMAGE_KAFKA", .type = VT_NONEMPTY, .default_value = "mesos-kafka-kafka:3.9.2",
     .offset = AT(image_kafka),
     .doc = "Docker image of the Kafka brokers (built from containers/)."},

    SECTION("Networking"),
    {.name = "NETWORK_MODE", .type = VT_NETWORK, .default_value = "HOST", .offset = AT(network),
     .doc = "Docker network of the tasks: HOST, BRIDGE (mapped ports) or USER (a named network)."},
    {.name = "NETWORK_NAME", .type = VT_STRING, .offset = AT(network_name),
     .doc = "Name of the Docker network for NETWORK_MODE=USER (for example weave); required then."},
    {.name = "DOMAIN", .type = VT_STRING, .offset = AT(domain),
     .doc = "DNS domain of the containers on the USER network (for example weave.local)."},
    {.name = "ZOOKEEPER_CUSTOM_DOMAIN", .type = VT_STRING, .derived = "the value of DOMAIN",
     .offset = AT(zookeeper_custom_domain),
     .doc = "DNS domain of the ZooKeeper containers, when it differs from DOMAIN."},
    {.name = "KAFKA_CUSTOM_DOMAIN", .type = VT_STRING, .derived = "the value of DOMAIN",
     .offset = AT(kafka_custom_domain),
     .doc = "DNS domain of the Kafka containers, when it differs from DOMAIN."},

    SECTION("Volumes"),
    {.name = "VOLUME_DRIVER", .type = VT_NONEMPTY, .default_value = "local",
     .offset = AT(volume_driver),
     .doc = "Docker volume driver of the data volumes (local, rexray, ...)."},
    {.name = "VOLUME_KAFKA", .type = VT_STRING,
     .derived = "the data stays in the task sandbox", .offset = AT(volume_kafka),
     .doc = "Volume name or host path prefix for the Kafka data."},
    {.name = "VOLUME_ZOOKEEPER", .type = VT_STRING,
     .derived = "the data stays in the task sandbox", .offset = AT(volume_zookeeper),
     .doc = "Volume name or host path prefix for the ZooKeeper data."},

    SECTION("Failure handling"),
    {.name = "FAILOVER_DELAY", .type = VT_DURATION, .default_value = "10s", .min = 0.1, .max = DAY,
     .offset = AT(failover_delay_s),
     .doc = "Wait before restarting a failed task; it doubles with each failure in a row."},
    {.name = "FAILOVER_MAX_DELAY", .type = VT_DURATION, .default_value = "60s", .min = 0.1,
     .max = DAY, .offset = AT(failover_max_delay_s),
     .doc = "Longest wait before a restart; at least FAILOVER_DELAY."},
    {.name = "FAILOVER_MAX_TRIES", .type = VT_INT, .default_value = "0", .min = 0, .max = 1000000,
     .offset = AT(failover_max_tries),
     .doc = "Failures in a row after which a task is no longer restarted; 0 means never give up."},
    {.name = "FAILOVER_RESET_AFTER", .type = VT_DURATION, .default_value = "10m", .min = 0,
     .max = 30 * DAY, .offset = AT(failover_reset_s),
     .doc = "A task healthy this long has its count of failures in a row reset."},
    {.name = "UNREACHABLE_TIMEOUT", .type = VT_DURATION, .default_value = "5m", .min = 0,
     .max = 30 * DAY, .offset = AT(unreachable_timeout_s),
     .doc = "How long a member on an unreachable agent is awaited before it is replaced elsewhere."},

    SECTION("Broker settings"),
    {.name = "KAFKA_OPTIONS", .type = VT_STRING, .derived = "Kafka's defaults",
     .offset = AT(kafka_options), .rule = rule_kafka_options,
     .doc = "Broker settings for every broker, key=value[,key=value...] (num.partitions=3)."},
    {.name = "KAFKA_RACK_ATTRIBUTE", .type = VT_STRING, .derived = "no broker.rack",
     .offset = AT(kafka_rack_attribute), .rule = rule_attribute_name,
     .doc = "Agent attribute whose value becomes each broker's broker.rack (rack), so Kafka "
            "spreads replicas across racks; a broker's own broker.rack option wins."},
};
/* clang-format on */

enum { N_VARS = MK_ARRAY_LEN(config_vars) };
const int config_n_vars = N_VARS;

static void *slot_of(config *cfg, const config_var *v)
{
    return (char *)cfg + v->offset;
}

static bool holds_text(const config_var *v)
{
    return v->type == VT_STRING || v->type == VT_NONEMPTY || v->type == VT_FILE;
}

static bool is_optional(const config_var *v)
{
    return v->default_value == NULL;
}

static int var_index(const char *name)
{
    for (int i = 0; i < N_VARS; i++)
        if (config_vars[i].type != VT_SECTION && strcmp(config_vars[i].name, name) == 0)
            return i;
    abort(); /* a misspelt name in this file: fail loudly in every test */
}

/* ---------------------------------------------------------------------------------------------- */
/* Value parsers. They accept the whole text or nothing: no leading or trailing blanks, no
 * exponents, no "inf" or "nan", because strtod and strtol would each accept some of those. */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* -?D+ */
static bool parse_integer(const char *s, long long *out)
{
    const char *p = s + (*s == '-');
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (!is_digit(*q))
            return false;
    *out = strtoll(s, NULL, 10); /* clamps on overflow, which the range check then rejects */
    return true;
}

/* -?D+(.D+)? ; the length of the numeric prefix goes to *len when len is non-NULL, else the whole
 * text must be the number. */
static bool parse_decimal(const char *s, double *out, size_t *len)
{
    size_t i = (s[0] == '-');
    size_t start = i;
    while (is_digit(s[i]))
        i++;
    if (i == start)
        return false;
    if (s[i] == '.') {
        size_t frac = ++i;
        while (is_digit(s[i]))
            i++;
        if (i == frac)
            return false;
    }
    if (len)
        *len = i;
    else if (s[i])
        return false;
    char buf[64];
    if (i >= sizeof(buf))
        *out = s[0] == '-' ? -HUGE_VAL : HUGE_VAL; /* absurdly long: out of any range */
    else {
        memcpy(buf, s, i);
        buf[i] = '\0';
        *out = strtod(buf, NULL);
    }
    return true;
}

int config_parse_duration(const char *text, double *seconds)
{
    static const struct {
        const char *unit;
        double factor;
    } units[] = {{"", 1},     {"ms", 0.001}, {"s", 1},      {"m", 60},
                 {"h", 3600}, {"d", DAY},    {"w", 7 * DAY}};
    size_t len;
    double value;
    if (!text || text[0] == '-' || !parse_decimal(text, &value, &len))
        return -1;
    for (size_t i = 0; i < MK_ARRAY_LEN(units); i++) {
        if (strcmp(text + len, units[i].unit) == 0) {
            double s = value * units[i].factor;
            if (!isfinite(s))
                return -1;
            *seconds = s;
            return 0;
        }
    }
    return -1;
}

void config_format_duration(double seconds, char *buf, size_t size)
{
    static const struct {
        const char *unit;
        double factor;
    } units[] = {{"w", 7 * DAY}, {"d", DAY}, {"h", 3600}, {"m", 60}, {"s", 1}};
    if (seconds == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(units); i++) {
        double n = seconds / units[i].factor;
        if (n >= 1 && n == floor(n)) {
            snprintf(buf, size, "%.0f%s", n, units[i].unit);
            return;
        }
    }
    double ms = seconds * 1000;
    if (fabs(ms - round(ms)) < 1e-6)
        snprintf(buf, size, "%.0fms", round(ms));
    else
        snprintf(buf, size, "%gs", seconds);
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
    for (size_t i = 0; i < MK_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
            *out = strcasecmp(s, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

static const char *const network_names[] = {"HOST", "BRIDGE", "USER"};

const char *network_mode_name(network_mode m)
{
    return m >= NETWORK_HOST && m <= NETWORK_USER ? network_names[m] : "?";
}

static bool parse_network(const char *s, network_mode *out)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(network_names); i++) {
        if (strcasecmp(s, network_names[i]) == 0) {
            *out = (network_mode)i;
            return true;
        }
    }
    return false;
}

static bool host_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-' || c == '_';
}

static bool ipv6_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* One "host:port" (or "[v6]:port") of `len` bytes. The host is kept as written, brackets
 * included, so that "%s:%d" makes a valid URL authority. */
static const char *parse_endpoint(const char *e, size_t len, config_endpoint *out, char *why,
                                  size_t n)
{
    const char *colon;
    if (e[0] == '[') {
        const char *close = memchr(e, ']', len);
        if (!close || close == e + 1)
            return snprintf(why, n, "'%.*s' is not a bracketed IPv6 address", (int)len, e), why;
        for (const char *p = e + 1; p < close; p++)
            if (!ipv6_char(*p))
                return snprintf(why, n, "'%.*s' has an invalid IPv6 address", (int)len, e), why;
        if (close + 1 == e + len || close[1] != ':')
            return snprintf(why, n, "'%.*s' has no port", (int)len, e), why;
        colon = close + 1;
    } else {
        int colons = 0;
        colon = NULL;
        for (const char *p = e; p < e + len; p++) {
            if (*p == ':') {
                colon = p;
                colons++;
            }
        }
        if (!colon)
            return snprintf(why, n, "'%.*s' has no port", (int)len, e), why;
        if (colon == e)
            return snprintf(why, n, "'%.*s' has no host", (int)len, e), why;
        if (colons > 1)
            return snprintf(why, n, "'%.*s': write an IPv6 address in brackets, [addr]:port",
                            (int)len, e),
                   why;
        for (const char *p = e; p < colon; p++)
            if (!host_char(*p))
                return snprintf(why, n, "'%.*s' has an invalid host name", (int)len, e), why;
    }
    const char *port = colon + 1;
    size_t port_len = (size_t)(e + len - port);
    long value = port_len > 0 && port_len <= 5 ? 0 : -1;
    for (size_t i = 0; i < port_len && value >= 0; i++)
        value = is_digit(port[i]) ? value * 10 + (port[i] - '0') : -1;
    if (value < 1 || value > 65535)
        return snprintf(why, n, "'%.*s' has an invalid port (1-65535)", (int)len, e), why;
    out->host = mk_xstrndup(e, (size_t)(colon - e));
    out->port = (int)value;
    return NULL;
}

static const char *parse_masters(const char *text, config *cfg, char *why, size_t n)
{
    if (!*text)
        return "must not be empty";
    if (strncasecmp(text, "zk://", 5) == 0)
        return "ZooKeeper master detection (zk://) is not supported; list the masters as "
               "host:port[,host:port...]";
    if (strstr(text, "://"))
        return "give host:port without a scheme (MESOS_SSL chooses https)";
    int count = 1;
    for (const char *p = text; *p; p++)
        count += (*p == ',');
    config_endpoint *list = mk_xcalloc((size_t)count, sizeof(*list));
    const char *problem = NULL;
    const char *rest = text;
    for (int i = 0; i < count && !problem; i++) {
        size_t span = strcspn(rest, ",");
        const char *first = rest, *last = rest + span; /* [first, last) is one entry */
        rest = *last ? last + 1 : last;
        while (first < last && (*first == ' ' || *first == '\t')) /* tolerate "a:1, b:2" */
            first++;
        while (last > first && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        if (first == last)
            problem = "has an empty entry; expected host:port[,host:port...]";
        else
            problem = parse_endpoint(first, (size_t)(last - first), &list[i], why, n);
    }
    if (problem) {
        for (int i = 0; i < count; i++)
            free(list[i].host);
        free(list);
        return problem;
    }
    cfg->masters = list;
    cfg->n_masters = count;
    return NULL;
}

static const char *check_readable_file(const char *path, char *why, size_t n)
{
    /* Never blocks (a FIFO) and never takes a terminal: only a regular file passes. */
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    struct stat st;
    if (fd < 0)
        return snprintf(why, n, "cannot read the file: %s", strerror(errno)), why;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return "is not a regular file";
    return NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* Rules for single variables. */

/* Mesos's role rules: "*" alone, or '/'-separated components, none of which is ".", ".." or "*"
 * or starts with '-', with no whitespace or control characters anywhere. */
static const char *rule_role(const char *role, char *why, size_t n)
{
    if (strcmp(role, "*") == 0)
        return NULL;
    size_t len = strlen(role);
    if (role[0] == '/' || role[len - 1] == '/')
        return "must not start or end with '/'";
    if (strstr(role, "//"))
        return "must not contain '//'";
    for (const char *p = role; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return "must not contain whitespace or control characters";
    const char *part = role;
    for (;;) {
        size_t plen = strcspn(part, "/");
        if ((plen == 1 && part[0] == '.') || (plen == 2 && strncmp(part, "..", 2) == 0))
            return "no part of a role may be '.' or '..'";
        if (plen == 1 && part[0] == '*')
            return "'*' is only valid as the whole role";
        if (part[0] == '-')
            return "no part of a role may start with '-'";
        if (!part[plen])
            return NULL;
        part += plen + 1;
    }
}

static const char *rule_framework_name(const char *name, char *why, size_t n)
{
    /* It names the state file and the ZooKeeper chroot, so it must be safe as both. */
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return "must not be '.' or '..' (it names the state file)";
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
            return "may hold only letters, digits, '.', '_' and '-' (it names the state file and "
                   "the ZooKeeper chroot)";
    return NULL;
}

/* The one rule of Kafka property lists (kafka_props), which a broker's own options share. */
static const char *rule_kafka_options(const char *options, char *why, size_t n)
{
    return *options ? kafka_props_check(options, KAFKA_PROPS_BROKER) : NULL;
}

static const char *rule_ip_literal(const char *addr, char *why, size_t n)
{
    unsigned char buf[16];
    if (inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1)
        return NULL;
    return "must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1 (no host name, no brackets)";
}

static const char *rule_url(const char *url, char *why, size_t n)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return "must start with http:// or https://";
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return "must not contain whitespace or control characters";
    return NULL;
}

static const char *rule_username(const char *user, char *why, size_t n)
{
    return strchr(user, ':') ? "must not contain ':' (HTTP Basic authentication cannot carry it)"
                             : NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* Describing limits, in errors and in the help. */

static void format_limit(const config_var *v, double x, char *buf, size_t n)
{
    if (v->type == VT_DURATION)
        config_format_duration(x, buf, n);
    else
        snprintf(buf, n, "%.15g", x);
}

static void describe_range(const config_var *v, char *buf, size_t n)
{
    char lo[32], hi[32];
    format_limit(v, v->min, lo, sizeof(lo));
    format_limit(v, v->max, hi, sizeof(hi));
    if (v->flags & VF_ABOVE_MIN)
        snprintf(buf, n, "greater than %s and at most %s", lo, hi);
    else
        snprintf(buf, n, "between %s and %s", lo, hi);
}

static bool in_range(const config_var *v, double x)
{
    bool low_ok = (v->flags & VF_ABOVE_MIN) ? x > v->min : x >= v->min;
    return low_ok && x <= v->max;
}

void config_describe_secret_file(const config_var *v, char *buf, size_t n)
{
    snprintf(
        buf, n,
        "Path of a file holding %s (one trailing newline is dropped), as container secrets are "
        "given; set this or %s, not both.",
        v->name, v->name);
}

/* The short type hint of --help and the Markdown table ("integer, between 0 and 99"). */
void config_describe_type(const config_var *v, char *buf, size_t n)
{
    /* clang-format off */
    static const char *const hints[] = {
        [VT_SECTION] = "", [VT_STRING] = "text", [VT_NONEMPTY] = "text", [VT_FILE] = "file",
        [VT_INT] = "integer", [VT_PORT] = "port", [VT_DOUBLE] = "number",
        [VT_DURATION] = "duration", [VT_BOOL] = "true or false",
        [VT_LOGLEVEL] = "DEBUG, INFO, WARN or ERROR", [VT_NETWORK] = "HOST, BRIDGE or USER",
        [VT_MASTERS] = "host:port list",
    };
    /* clang-format on */
    bool ranged = v->type == VT_INT || v->type == VT_DOUBLE || v->type == VT_DURATION;
    char range[96] = "";
    if (ranged)
        describe_range(v, range, sizeof(range));
    snprintf(buf, n, "%s%s%s%s", hints[v->type], ranged ? ", " : "", range,
             (v->flags & VF_SECRET) ? ", secret" : "");
}

/* ---------------------------------------------------------------------------------------------- */
/* Loading. */

typedef struct {
    config *cfg;
    FILE *errors;
    const char *given[N_VARS]; /* the environment's value; NULL when unset */
    char *from_file[N_VARS];   /* a secret read from NAME_FILE (given[] points here); wiped */
    bool ok[N_VARS];           /* parsed (or resolved) without a problem */
    int problems;
} loader;

/* Writes text with control characters as \xNN, at most `max` bytes of it. */
void config_put_escaped(FILE *out, const char *s, size_t max)
{
    size_t i = 0;
    for (; i < max && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < ' ' || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    if (s[i])
        fputs("...", out);
}

/* One problem, one line: "NAME: reason (got 'value')", `name` being the variable or its _FILE
 * form and `shown` the value to quote (NULL: none). */
static void vreport_as(loader *L, int i, const char *name, const char *shown, bool given,
                       const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
static void vreport_as(loader *L, int i, const char *name, const char *shown, bool given,
                       const char *fmt, va_list ap)
{
    L->problems++;
    L->ok[i] = false;
    if (!L->errors)
        return;
    char reason[512];
    vsnprintf(reason, sizeof(reason), fmt, ap);
    fprintf(L->errors, "%s: ", name);
    config_put_escaped(L->errors, reason, sizeof(reason));
    if (shown) {
        fputs(given ? " (got '" : " (default '", L->errors);
        config_put_escaped(L->errors, shown, 200);
        fputs("')", L->errors);
    }
    fputc('\n', L->errors);
}

/* A problem of variable i. The value shown is the one from the environment, or the default when
 * the variable was unset; never a secret's. */
static void report(loader *L, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(loader *L, int i, const char *fmt, ...)
{
    const config_var *v = &config_vars[i];
    const char *shown = (v->flags & VF_SECRET) ? NULL
                        : L->given[i]          ? L->given[i]
                                               : v->default_value;
    va_list ap;
    va_start(ap, fmt);
    vreport_as(L, i, v->name, shown, L->given[i] != NULL, fmt, ap);
    va_end(ap);
}

/* A problem of the NAME_FILE form of secret i, quoting its path (a path is no secret). */
static void report_file(loader *L, int i, const char *file_var, const char *path, const char *fmt,
                        ...) __attribute__((format(printf, 5, 6)));
static void report_file(loader *L, int i, const char *file_var, const char *path, const char *fmt,
                        ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport_as(L, i, file_var, path, true, fmt, ap);
    va_end(ap);
}

static const char *out_of_range(const config_var *v, char *why, size_t n)
{
    char range[96];
    describe_range(v, range, sizeof(range));
    snprintf(why, n, "must be %s", range);
    return why;
}

/* Parses `text` into the variable's slot; returns NULL or the reason it cannot. */
static const char *parse_value(loader *L, const config_var *v, const char *text, char *why,
                               size_t n)
{
    void *slot = slot_of(L->cfg, v);
    long long i;
    double d;
    switch (v->type) {
    case VT_STRING:
    case VT_NONEMPTY:
    case VT_FILE: {
        if (v->type != VT_STRING && !*text)
            return "must not be empty";
        const char *why_not = v->type == VT_FILE ? check_readable_file(text, why, n) : NULL;
        if (!why_not && v->rule)
            why_not = v->rule(text, why, n);
        if (why_not)
            return why_not;
        *(char **)slot = mk_xstrdup(text);
        return NULL;
    }
    case VT_INT:
    case VT_PORT:
        if (!parse_integer(text, &i))
            return "must be a whole number";
        if (!in_range(v, (double)i))
            return out_of_range(v, why, n);
        *(int *)slot = (int)i;
        return NULL;
    case VT_DOUBLE:
        if (!parse_decimal(text, &d, NULL))
            return "must be a number such as 2 or 0.5";
        if (!in_range(v, d))
            return out_of_range(v, why, n);
        *(double *)slot = d;
        return NULL;
    case VT_DURATION:
        if (config_parse_duration(text, &d) != 0)
            return "must be a duration such as 250ms, 30s, 5m, 3h, 1d or 1w (a bare number is "
                   "seconds)";
        if (!in_range(v, d))
            return out_of_range(v, why, n);
        *(double *)slot = d;
        return NULL;
    case VT_BOOL:
        return parse_bool(text, (bool *)slot) ? NULL : "must be true or false (or 1/0, yes/no)";
    case VT_LOGLEVEL:
        return log_level_parse(text, (log_level *)slot) == 0
                   ? NULL
                   : "must be one of DEBUG, INFO, WARN, ERROR";
    case VT_NETWORK:
        return parse_network(text, (network_mode *)slot) ? NULL
                                                         : "must be one of HOST, BRIDGE, USER";
    case VT_MASTERS:
        return parse_masters(text, L->cfg, why, n);
    case VT_SECTION:
        break;
    }
    return NULL;
}

/* A secret NAME may come from NAME_FILE instead: *value becomes the file's text. Returns -1 after
 * reporting when both are set or the file cannot be used. */
static int secret_from_file(loader *L, int i, const char **value, config_getenv_fn getenv_fn,
                            void *ctx)
{
    const char *name = config_vars[i].name;
    char file_var[128];
    snprintf(file_var, sizeof(file_var), "%s_FILE", name);
    const char *path = getenv_fn(file_var, ctx);
    if (!path || !*path)
        return 0;
    if (*value) {
        report(L, i, "set either %s or %s, not both", name, file_var);
        return -1;
    }
    mk_err err = {{0}};
    if (mk_read_secret_file(path, &L->from_file[i], &err) < 0) {
        report_file(L, i, file_var, path, "%s", err.msg);
        return -1;
    }
    *value = L->from_file[i];
    return 0;
}

static void parse_every_variable(loader *L, config_getenv_fn getenv_fn, void *ctx)
{
    for (int i = 0; i < N_VARS; i++) {
        const config_var *v = &config_vars[i];
        L->ok[i] = true;
        if (v->type == VT_SECTION)
            continue;
        const char *value = getenv_fn(v->name, ctx);
        if (value && !*value && is_optional(v))
            value = NULL;
        if ((v->flags & VF_SECRET) && secret_from_file(L, i, &value, getenv_fn, ctx) < 0)
            continue;
        L->given[i] = value;
        const char *text = value ? value : v->default_value;
        if (!text)
            continue; /* unset optional: NULL or resolved in the next pass */
        char why[256];
        const char *reason = parse_value(L, v, text, why, sizeof(why));
        if (reason)
            report(L, i, "%s", reason);
    }
}

static bool ok(const loader *L, const char *name)
{
    return L->ok[var_index(name)];
}

static bool unset(const loader *L, const char *name)
{
    int i = var_index(name);
    return !L->given[i] && !config_vars[i].default_value;
}

/* A per-kind CPU or memory value left unset takes the shared RES_ value. */
static void inherit(loader *L, const char *name, const char *from)
{
    if (!unset(L, name))
        return;
    const config_var *v = &config_vars[var_index(name)];
    *(double *)slot_of(L->cfg, v) = *(double *)slot_of(L->cfg, &config_vars[var_index(from)]);
    L->ok[var_index(name)] = ok(L, from);
}

static void resolve_derived_defaults(loader *L)
{
    config *cfg = L->cfg;
    if (unset(L, "FRAMEWORK_HOSTNAME")) {
        char host[256] = "";
        if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
            report(L, var_index("FRAMEWORK_HOSTNAME"),
                   "this host's name could not be determined; set it explicitly");
        else
            cfg->framework_hostname = mk_xstrdup(host);
    }
    if (unset(L, "FRAMEWORK_WEBUI_URL")) {
        if (ok(L, "FRAMEWORK_HOSTNAME") && ok(L, "FRAMEWORK_PORT"))
            cfg->framework_webui_url =
                mk_xasprintf("%s://%s:%d/", cfg->framework_tls_cert ? "https" : "http",
                             cfg->framework_hostname, cfg->framework_port);
        else
            L->ok[var_index("FRAMEWORK_WEBUI_URL")] = false;
    }
    if (unset(L, "MESOS_PRINCIPAL") && cfg->mesos_username)
        cfg->mesos_principal = mk_xstrdup(cfg->mesos_username);
    if (unset(L, "ZOOKEEPER_CUSTOM_DOMAIN") && cfg->domain)
        cfg->zookeeper_custom_domain = mk_xstrdup(cfg->domain);
    if (unset(L, "KAFKA_CUSTOM_DOMAIN") && cfg->domain)
        cfg->kafka_custom_domain = mk_xstrdup(cfg->domain);
    inherit(L, "ZOOKEEPER_CPU", "RES_CPU");
    inherit(L, "ZOOKEEPER_MEM", "RES_MEM");
    inherit(L, "KAFKA_CPU", "RES_CPU");
    inherit(L, "KAFKA_MEM", "RES_MEM");
    if (ok(L, "FRAMEWORK_STATEFILE_PATH") && ok(L, "FRAMEWORK_NAME")) {
        size_t len = strlen(cfg->statefile_dir);
        while (len > 1 && cfg->statefile_dir[len - 1] == '/') /* "/tmp/" names the same dir */
            len--;
        cfg->statefile_path =
            mk_xasprintf("%.*s%s%s.state.json", (int)len, cfg->statefile_dir,
                         cfg->statefile_dir[len - 1] == '/' ? "" : "/", cfg->framework_name);
    }
}

static void check_heap_below_memory(loader *L, const char *heap, const char *mem,
                                    const config_resources *res)
{
    if (ok(L, heap) && ok(L, mem) && res->heap_mb >= res->mem_mb)
        report(L, var_index(heap),
               "must be less than %s (%.15g MB), which also holds the JVM's "
               "other memory",
               mem, res->mem_mb);
}

/* The API's certificate and key come together, and belong together. */
static void check_tls_files(loader *L)
{
    const config *cfg = L->cfg;
    bool cert_ok = ok(L, "FRAMEWORK_TLS_CERT"), key_ok = ok(L, "FRAMEWORK_TLS_KEY");
    if (cert_ok && key_ok && cfg->framework_tls_cert && !cfg->framework_tls_key)
        report(L, var_index("FRAMEWORK_TLS_KEY"), "is required when FRAMEWORK_TLS_CERT is set");
    else if (cert_ok && key_ok && !cfg->framework_tls_cert && cfg->framework_tls_key)
        report(L, var_index("FRAMEWORK_TLS_CERT"), "is required when FRAMEWORK_TLS_KEY is set");
    else if (cfg->framework_tls_cert && cfg->framework_tls_key) {
        char why[256];
        const char *problem =
            tls_pem_check_pair(cfg->framework_tls_cert, cfg->framework_tls_key, why, sizeof(why));
        if (problem)
            report(L, var_index("FRAMEWORK_TLS_KEY"), "%s", problem);
    }
}

static void check_cross_variable_rules(loader *L)
{
    const config *cfg = L->cfg;
    if (cfg->mesos_username && L->given[var_index("MESOS_PRINCIPAL")] && cfg->mesos_principal &&
        strcmp(cfg->mesos_principal, cfg->mesos_username) != 0)
        report(L, var_index("MESOS_PRINCIPAL"),
               "differs from MESOS_USERNAME '%s'; Mesos rejects a principal other than the "
               "authenticated one",
               cfg->mesos_username);
    /* A password that failed on its own (MESOS_PASSWORD_FILE unreadable) is not also missing. */
    if (ok(L, "MESOS_USERNAME") && ok(L, "MESOS_PASSWORD") && cfg->mesos_username &&
        !cfg->mesos_password)
        report(L, var_index("MESOS_PASSWORD"), "is required when MESOS_USERNAME is set");
    if (cfg->mesos_password && unset(L, "MESOS_USERNAME"))
        report(L, var_index("MESOS_PASSWORD"), "is set but MESOS_USERNAME is not");
    if (ok(L, "AUTH_USERNAME") && ok(L, "AUTH_PASSWORD") && cfg->auth_username &&
        !cfg->auth_password)
        report(L, var_index("AUTH_PASSWORD"), "is required when AUTH_USERNAME is set");
    if (cfg->auth_password && unset(L, "AUTH_USERNAME"))
        report(L, var_index("AUTH_USERNAME"), "is required when AUTH_PASSWORD is set");
    check_tls_files(L);
    check_heap_below_memory(L, "ZOOKEEPER_HEAP", "ZOOKEEPER_MEM", &cfg->zookeeper_res);
    check_heap_below_memory(L, "KAFKA_HEAP", "KAFKA_MEM", &cfg->kafka_res);
    if (ok(L, "NETWORK_MODE") && cfg->network == NETWORK_USER && !cfg->network_name)
        report(L, var_index("NETWORK_NAME"), "is required when NETWORK_MODE is USER");
    if (ok(L, "FAILOVER_DELAY") && ok(L, "FAILOVER_MAX_DELAY") &&
        cfg->failover_max_delay_s < cfg->failover_delay_s) {
        char d[32];
        config_format_duration(cfg->failover_delay_s, d, sizeof(d));
        report(L, var_index("FAILOVER_MAX_DELAY"), "must be at least FAILOVER_DELAY (%s)", d);
    }
}

int config_load(config *out, config_getenv_fn getenv_fn, void *ctx, FILE *errors)
{
    memset(out, 0, sizeof(*out));
    loader L = {.cfg = out, .errors = errors};
    parse_every_variable(&L, getenv_fn, ctx);
    resolve_derived_defaults(&L);
    check_cross_variable_rules(&L);
    for (int i = 0; i < N_VARS; i++) {
        if (L.from_file[i]) {
            explicit_bzero(L.from_file[i], strlen(L.from_file[i]));
            free(L.from_file[i]);
        }
    }
    if (errors)
        fflush(errors);
    if (L.problems > 0)
        config_free(out);
    return L.problems;
}

void config_free(config *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < N_VARS; i++) {
        const config_var *v = &config_vars[i];
        if (!holds_text(v))
            continue;
        char **text = slot_of(cfg, v);
        if (*text && (v->flags & VF_SECRET))
            explicit_bzero(*text, strlen(*text)); /* do not leave passwords in freed memory */
        free(*text);
    }
    for (int i = 0; i < cfg->n_masters; i++)
        free(cfg->masters[i].host);
    free(cfg->masters);
    free(cfg->statefile_path);
    memset(cfg, 0, sizeof(*cfg));
}
