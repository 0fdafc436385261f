/*
 * Unit tests for src/config.c: the environment variables, parsed and checked.
 *
 *   - an empty environment gives every documented default;
 *   - a table of bad environments, each with the exact one line it must produce
 *     ("NAME: reason (got 'value')"), covering every kind of error;
 *   - several problems at once give one line each, and no cascade;
 *   - no secret ever reaches the error output or `mesos-kafka config`;
 *   - tables for the small parsers: master lists, durations, booleans, roles;
 *   - derived defaults (per-kind resources, principal, web UI URL, state file);
 *   - the API's TLS certificate and key (both or neither, PEM, unexpired, unencrypted, a pair),
 *     and secrets read from NAME_FILE (newline dropped, never shown, errors naming NAME_FILE);
 *   - the printers: every variable appears in --help, `config`, env.example and the Markdown,
 *     env.example read back as an environment gives the defaults, and the committed env.example
 *     and docs/configuration.md are exactly what the table prints.
 *
 * The environment of a test is a NULL-terminated list of "NAME=value" strings, read through the
 * getenv_fn hook; values such as "@CA", "@CERT" or "@SECRET" stand for files made for the run
 * (test_pki.h makes the certificates).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "test_pki.h"
#include "util.h"

#define MAX_ENV 16

static char ca_path[64];
static test_pki pki;
/* Secret files in pki.dir: the secret with a newline, with CRLF, two newlines, empty, a NUL byte,
 * too large. */
static char secret_path[128], crlf_path[128], two_newlines_path[128], empty_path[128],
    nul_path[128], big_path[128];

/* "@NAME" values and expected texts stand for the files made for the run. */
static const struct {
    const char *token;
    const char *path;
} placeholders[] = {
    {"@CA", ca_path},
    {"@CERT", pki.server_cert},
    {"@KEY", pki.server_key},
    {"@ROGUE", pki.rogue_ca},
    {"@EXPIRED", pki.expired_cert},
    {"@ENCKEY", pki.encrypted_key},
    {"@NOTPEM", pki.not_pem},
    {"@SECRET", secret_path},
    {"@CRLF", crlf_path},
    {"@TWONL", two_newlines_path},
    {"@EMPTY", empty_path},
    {"@NUL", nul_path},
    {"@BIG", big_path},
};

static const char *placeholder(const char *value, size_t len)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(placeholders); i++)
        if (strlen(placeholders[i].token) == len && strncmp(value, placeholders[i].token, len) == 0)
            return placeholders[i].path;
    return NULL;
}

/* `text` with every @TOKEN replaced by its path (caller frees). */
static char *expand(const char *text)
{
    char *out = NULL;
    size_t size;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    while (*text) {
        size_t len = *text == '@' ? 1 + strspn(text + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") : 0;
        const char *path = len > 1 ? placeholder(text, len) : NULL;
        if (path) {
            fputs(path, f);
            text += len;
        } else {
            fputc(*text++, f);
        }
    }
    fclose(f);
    return out;
}

/* Every variable, in table order: the set the printers must show. */
static const char *const all_names[] = {
    "FRAMEWORK_USER",
    "FRAMEWORK_NAME",
    "FRAMEWORK_ROLE",
    "FRAMEWORK_HOSTNAME",
    "FRAMEWORK_PORT",
    "FRAMEWORK_WEBUI_URL",
    "FRAMEWORK_FAILOVER_TIMEOUT",
    "FRAMEWORK_STATEFILE_PATH",
    "MESOS_MASTER",
    "MESOS_SSL",
    "MESOS_SSL_VERIFY",
    "MESOS_CA_CERT",
    "MESOS_USERNAME",
    "MESOS_PASSWORD",
    "MESOS_PRINCIPAL",
    "MESOS_RECONNECT_MAX_DELAY",
    "MESOS_HEARTBEAT_MISSES",
    "OFFER_REFUSE_SECONDS",
    "LOGLEVEL",
    "AUTH_USERNAME",
    "AUTH_PASSWORD",
    "ZOOKEEPER_COUNT",
    "KAFKA_COUNT",
    "RES_CPU",
    "RES_MEM",
    "ZOOKEEPER_CPU",
    "ZOOKEEPER_MEM",
    "ZOOKEEPER_DISK",
    "ZOOKEEPER_HEAP",
    "KAFKA_CPU",
    "KAFKA_MEM",
    "KAFKA_DISK",
    "KAFKA_HEAP",
    "IMAGE_ZOOKEEPER",
    "IMAGE_KAFKA",
    "NETWORK_MODE",
    "NETWORK_NAME",
    "DOMAIN",
    "ZOOKEEPER_CUSTOM_DOMAIN",
    "KAFKA_CUSTOM_DOMAIN",
    "VOLUME_DRIVER",
    "VOLUME_KAFKA",
    "VOLUME_ZOOKEEPER",
    "FAILOVER_DELAY",
    "FAILOVER_MAX_DELAY",
    "FAILOVER_MAX_TRIES",
    "FRAMEWORK_TLS_CERT",
    "FRAMEWORK_TLS_KEY",
};

/* The file forms of the secrets: in --help, env.example and the Markdown, not in `config`. */
static const char *const secret_file_names[] = {"MESOS_PASSWORD_FILE", "AUTH_PASSWORD_FILE"};

/* ---------------------------------------------------------------------------------------------- */
/* Helpers. */

static const char *table_getenv(const char *name, void *ctx)
{
    size_t len = strlen(name);
    for (const char *const *pair = ctx; *pair; pair++) {
        if (strncmp(*pair, name, len) == 0 && (*pair)[len] == '=') {
            const char *value = *pair + len + 1;
            const char *path = value[0] == '@' ? placeholder(value, strlen(value)) : NULL;
            return path ? path : value;
        }
    }
    return NULL;
}

/* Loads `env`; the error output goes to *errors (caller frees). Returns config_load's result. */
static int load(config *cfg, const char *const *env, char **errors)
{
    size_t size;
    FILE *out = open_memstream(errors, &size);
    assert_non_null(out);
    int problems = config_load(cfg, table_getenv, (void *)env, out);
    fclose(out);
    return problems;
}

static void load_ok(config *cfg, const char *const *env)
{
    cleanup_free char *errors = NULL;
    int problems = load(cfg, env, &errors);
    if (problems != 0)
        fail_msg("expected no problem, got %d:\n%s", problems, errors);
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += (*text == '\n');
    return n;
}

/* What a printer writes, as a string the caller frees. */
static char *printed(void (*print)(FILE *))
{
    char *text = NULL;
    size_t size;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    print(out);
    fclose(out);
    return text;
}

static char *printed_effective(const config *cfg)
{
    char *text = NULL;
    size_t size;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    config_print_effective(cfg, out);
    fclose(out);
    return text;
}

static bool all_zero(const config *cfg)
{
    static const config zero;
    return memcmp(cfg, &zero, sizeof(zero)) == 0;
}

static void write_file(char *path, size_t size, const char *name, const void *data, size_t len)
{
    snprintf(path, size, "%s/%s", pki.dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static int setup_files(void **state)
{
    snprintf(ca_path, sizeof(ca_path), "/tmp/test_config_ca_XXXXXX");
    int fd = mkstemp(ca_path);
    if (fd < 0)
        return -1;
    const char pem[] = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";
    ssize_t n = write(fd, pem, sizeof(pem) - 1);
    close(fd);
    test_pki_make(&pki);
    write_file(secret_path, sizeof(secret_path), "secret", "pw-7c1f-never-logged\n", 21);
    write_file(crlf_path, sizeof(crlf_path), "crlf", "api-9d2e-never-logged\r\n", 23);
    write_file(two_newlines_path, sizeof(two_newlines_path), "two-newlines", "pw\n\n", 4);
    write_file(empty_path, sizeof(empty_path), "empty", "", 0);
    write_file(nul_path, sizeof(nul_path), "nul", "pw\0x\n", 5);
    cleanup_free char *big = mk_xcalloc(1, 64 * 1024 + 1);
    memset(big, 'x', 64 * 1024 + 1);
    write_file(big_path, sizeof(big_path), "big", big, 64 * 1024 + 1);
    return n == (ssize_t)sizeof(pem) - 1 ? 0 : -1;
}

static int remove_files(void **state)
{
    unlink(ca_path);
    const char *paths[] = {secret_path, crlf_path, two_newlines_path,
                           empty_path,  nul_path,  big_path};
    for (size_t i = 0; i < MK_ARRAY_LEN(paths); i++)
        unlink(paths[i]);
    test_pki_remove(&pki);
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Defaults. */

static void test_empty_environment_gives_the_defaults(void **state)
{
    const char *env[] = {NULL};
    config cfg;
    load_ok(&cfg, env);

    char host[256] = "";
    assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
    cleanup_free char *webui = mk_xasprintf("http://%s:10000/", host);

    assert_string_equal(cfg.framework_user, "root");
    assert_string_equal(cfg.framework_name, "mesos-kafka");
    assert_string_equal(cfg.framework_role, "kafka");
    assert_string_equal(cfg.framework_hostname, host);
    assert_int_equal(cfg.framework_port, 10000);
    assert_string_equal(cfg.framework_webui_url, webui);
    assert_true(cfg.failover_timeout_s == 604800);
    assert_string_equal(cfg.statefile_dir, "/var/lib/mesos-kafka");
    assert_string_equal(cfg.statefile_path, "/var/lib/mesos-kafka/mesos-kafka.state.json");

    assert_int_equal(cfg.n_masters, 1);
    assert_string_equal(cfg.masters[0].host, "127.0.0.1");
    assert_int_equal(cfg.masters[0].port, 5050);
    assert_true(cfg.mesos_ssl);
    assert_true(cfg.mesos_ssl_verify);
    assert_null(cfg.mesos_ca_cert);
    assert_null(cfg.mesos_principal);
    assert_null(cfg.mesos_username);
    assert_null(cfg.mesos_password);
    assert_true(cfg.mesos_reconnect_max_s == 15);
    assert_int_equal(cfg.mesos_heartbeat_misses, 5);
    assert_true(cfg.offer_refuse_s == 120);
    assert_int_equal(cfg.loglevel, LOG_INFO);
    assert_null(cfg.auth_username);
    assert_null(cfg.auth_password);

    assert_int_equal(cfg.zookeeper_count, 3);
    assert_int_equal(cfg.kafka_count, 3);
    assert_true(cfg.res_cpus == 1.0 && cfg.res_mem_mb == 2048);
    assert_true(cfg.zookeeper_res.cpus == 1.0 && cfg.zookeeper_res.mem_mb == 2048);
    assert_true(cfg.zookeeper_res.disk_mb == 1024 && cfg.zookeeper_res.heap_mb == 256);
    assert_true(cfg.kafka_res.cpus == 1.0 && cfg.kafka_res.mem_mb == 2048);
    assert_true(cfg.kafka_res.disk_mb == 10240 && cfg.kafka_res.heap_mb == 1024);
    assert_string_equal(cfg.image_zookeeper, "mesos-kafka-zookeeper:3.8.7");
    assert_string_equal(cfg.image_kafka, "mesos-kafka-kafka:3.9.2");

    assert_int_equal(cfg.network, NETWORK_HOST);
    assert_null(cfg.network_name);
    assert_null(cfg.domain);
    assert_null(cfg.zookeeper_custom_domain);
    assert_null(cfg.kafka_custom_domain);
    assert_string_equal(cfg.volume_driver, "local");
    assert_null(cfg.volume_kafka);
    assert_null(cfg.volume_zookeeper);

    assert_true(cfg.failover_delay_s == 10);
    assert_true(cfg.failover_max_delay_s == 60);
    assert_int_equal(cfg.failover_max_tries, 0);
    assert_true(cfg.failover_reset_s == 600);
    assert_true(cfg.unreachable_timeout_s == 300);
    assert_null(cfg.kafka_options);

    config_free(&cfg);
    assert_true(all_zero(&cfg));
    config_free(&cfg); /* freeing twice is harmless */
}

/* ---------------------------------------------------------------------------------------------- */
/* One bad variable, one exact line. */

typedef struct {
    const char *env[MAX_ENV];
    const char *line; /* the whole expected output, without its newline */
} error_case;

static const error_case error_cases[] = {
    /* Counts and other integers. */
    {{"KAFKA_COUNT=three"}, "KAFKA_COUNT: must be a whole number (got 'three')"},
    {{"KAFKA_COUNT=3x"}, "KAFKA_COUNT: must be a whole number (got '3x')"},
    {{"KAFKA_COUNT="}, "KAFKA_COUNT: must be a whole number (got '')"},
    {{"KAFKA_COUNT= 3"}, "KAFKA_COUNT: must be a whole number (got ' 3')"},
    {{"KAFKA_COUNT=3.0"}, "KAFKA_COUNT: must be a whole number (got '3.0')"},
    {{"KAFKA_COUNT=1001"}, "KAFKA_COUNT: must be between 0 and 1000 (got '1001')"},
    {{"KAFKA_COUNT=99999999999999999999999"},
     "KAFKA_COUNT: must be between 0 and 1000 (got '99999999999999999999999')"},
    {{"ZOOKEEPER_COUNT=-1"}, "ZOOKEEPER_COUNT: must be between 0 and 99 (got '-1')"},
    {{"ZOOKEEPER_COUNT=100"}, "ZOOKEEPER_COUNT: must be between 0 and 99 (got '100')"},
    {{"MESOS_HEARTBEAT_MISSES=0"}, "MESOS_HEARTBEAT_MISSES: must be between 1 and 100 (got '0')"},
    {{"FAILOVER_MAX_TRIES=-1"}, "FAILOVER_MAX_TRIES: must be between 0 and 1000000 (got '-1')"},
    {{"ZOOKEEPER_HEAP=8"}, "ZOOKEEPER_HEAP: must be between 16 and 1048576 (got '8')"},
    {{"FRAMEWORK_PORT=0"}, "FRAMEWORK_PORT: must be between 1 and 65535 (got '0')"},
    {{"FRAMEWORK_PORT=65536"}, "FRAMEWORK_PORT: must be between 1 and 65535 (got '65536')"},
    {{"FRAMEWORK_PORT=http"}, "FRAMEWORK_PORT: must be a whole number (got 'http')"},
    /* Decimal numbers. */
    {{"RES_CPU=abc"}, "RES_CPU: must be a number such as 2 or 0.5 (got 'abc')"},
    {{"RES_CPU=1e999"}, "RES_CPU: must be a number such as 2 or 0.5 (got '1e999')"},
    {{"RES_CPU=nan"}, "RES_CPU: must be a number such as 2 or 0.5 (got 'nan')"},
    {{"RES_CPU=inf"}, "RES_CPU: must be a number such as 2 or 0.5 (got 'inf')"},
    {{"RES_CPU=.5"}, "RES_CPU: must be a number such as 2 or 0.5 (got '.5')"},
    {{"RES_CPU="}, "RES_CPU: must be a number such as 2 or 0.5 (got '')"},
    {{"RES_CPU=0"}, "RES_CPU: must be greater than 0 and at most 1024 (got '0')"},
    {{"RES_MEM=-5"}, "RES_MEM: must be greater than 0 and at most 16777216 (got '-5')"},
    {{"KAFKA_CPU=abc"}, "KAFKA_CPU: must be a number such as 2 or 0.5 (got 'abc')"},
    {{"ZOOKEEPER_DISK=0"},
     "ZOOKEEPER_DISK: must be greater than 0 and at most 1000000000 (got '0')"},
    /* Enumerations and booleans. */
    {{"LOGLEVEL=LOUD"}, "LOGLEVEL: must be one of DEBUG, INFO, WARN, ERROR (got 'LOUD')"},
    {{"LOGLEVEL="}, "LOGLEVEL: must be one of DEBUG, INFO, WARN, ERROR (got '')"},
    {{"NETWORK_MODE=overlay"}, "NETWORK_MODE: must be one of HOST, BRIDGE, USER (got 'overlay')"},
    {{"MESOS_SSL=maybe"}, "MESOS_SSL: must be true or false (or 1/0, yes/no) (got 'maybe')"},
    {{"MESOS_SSL_VERIFY=on"},
     "MESOS_SSL_VERIFY: must be true or false (or 1/0, yes/no) (got 'on')"},
    {{"MESOS_SSL="}, "MESOS_SSL: must be true or false (or 1/0, yes/no) (got '')"},
    /* Durations. */
    {{"FAILOVER_DELAY=10 s"},
     "FAILOVER_DELAY: must be a duration such as 250ms, 30s, 5m, 3h, 1d or 1w (a bare number is "
     "seconds) (got '10 s')"},
    {{"OFFER_REFUSE_SECONDS=-5s"},
     "OFFER_REFUSE_SECONDS: must be a duration such as 250ms, 30s, 5m, 3h, 1d or 1w (a bare "
     "number is seconds) (got '-5s')"},
    {{"OFFER_REFUSE_SECONDS=2d"}, "OFFER_REFUSE_SECONDS: must be between 0s and 1d (got '2d')"},
    {{"MESOS_RECONNECT_MAX_DELAY=100ms"},
     "MESOS_RECONNECT_MAX_DELAY: must be between 500ms and 1h (got '100ms')"},
    {{"FRAMEWORK_FAILOVER_TIMEOUT=1y"},
     "FRAMEWORK_FAILOVER_TIMEOUT: must be a duration such as 250ms, 30s, 5m, 3h, 1d or 1w (a bare "
     "number is seconds) (got '1y')"},
    {{"FAILOVER_MAX_DELAY=5s"},
     "FAILOVER_MAX_DELAY: must be at least FAILOVER_DELAY (10s) (got '5s')"},
    {{"FAILOVER_DELAY=2m"},
     "FAILOVER_MAX_DELAY: must be at least FAILOVER_DELAY (2m) (default '60s')"},
    /* The master list. */
    {{"MESOS_MASTER=m1"}, "MESOS_MASTER: 'm1' has no port (got 'm1')"},
    {{"MESOS_MASTER=m1:"}, "MESOS_MASTER: 'm1:' has an invalid port (1-65535) (got 'm1:')"},
    {{"MESOS_MASTER=m1:0"}, "MESOS_MASTER: 'm1:0' has an invalid port (1-65535) (got 'm1:0')"},
    {{"MESOS_MASTER=m1:70000"},
     "MESOS_MASTER: 'm1:70000' has an invalid port (1-65535) (got 'm1:70000')"},
    {{"MESOS_MASTER=m1:50a0"},
     "MESOS_MASTER: 'm1:50a0' has an invalid port (1-65535) (got 'm1:50a0')"},
    {{"MESOS_MASTER=:5050"}, "MESOS_MASTER: ':5050' has no host (got ':5050')"},
    {{"MESOS_MASTER=m1:5050,,m2:5050"},
     "MESOS_MASTER: has an empty entry; expected host:port[,host:port...] (got "
     "'m1:5050,,m2:5050')"},
    {{"MESOS_MASTER=m1:5050,m2"}, "MESOS_MASTER: 'm2' has no port (got 'm1:5050,m2')"},
    {{"MESOS_MASTER=m_1/x:5050"},
     "MESOS_MASTER: 'm_1/x:5050' has an invalid host name (got 'm_1/x:5050')"},
    {{"MESOS_MASTER=::1:5050"},
     "MESOS_MASTER: '::1:5050': write an IPv6 address in brackets, [addr]:port (got '::1:5050')"},
    {{"MESOS_MASTER=[::1]"}, "MESOS_MASTER: '[::1]' has no port (got '[::1]')"},
    {{"MESOS_MASTER=http://m1:5050"},
     "MESOS_MASTER: give host:port without a scheme (MESOS_SSL chooses https) (got "
     "'http://m1:5050')"},
    {{"MESOS_MASTER=zk://zk1:2181,zk2:2181/mesos"},
     "MESOS_MASTER: ZooKeeper master detection (zk://) is not supported; list the masters as "
     "host:port[,host:port...] (got 'zk://zk1:2181,zk2:2181/mesos')"},
    {{"MESOS_MASTER="}, "MESOS_MASTER: must not be empty (got '')"},
    /* Files. */
    {{"MESOS_CA_CERT=/nonexistent/ca.pem"},
     "MESOS_CA_CERT: cannot read the file: No such file or directory (got '/nonexistent/ca.pem')"},
    {{"MESOS_CA_CERT=/"}, "MESOS_CA_CERT: is not a regular file (got '/')"},
    /* The API's certificate and key. */
    {{"FRAMEWORK_TLS_CERT=@CERT"}, "FRAMEWORK_TLS_KEY: is required when FRAMEWORK_TLS_CERT is set"},
    {{"FRAMEWORK_TLS_KEY=@KEY"}, "FRAMEWORK_TLS_CERT: is required when FRAMEWORK_TLS_KEY is set"},
    {{"FRAMEWORK_TLS_CERT=/nonexistent/cert.pem", "FRAMEWORK_TLS_KEY=@KEY"},
     "FRAMEWORK_TLS_CERT: cannot read the file: No such file or directory (got "
     "'/nonexistent/cert.pem')"},
    {{"FRAMEWORK_TLS_CERT=@CERT", "FRAMEWORK_TLS_KEY=/nonexistent/key.pem"},
     "FRAMEWORK_TLS_KEY: cannot read the file: No such file or directory (got "
     "'/nonexistent/key.pem')"},
    {{"FRAMEWORK_TLS_CERT=/", "FRAMEWORK_TLS_KEY=@KEY"},
     "FRAMEWORK_TLS_CERT: is not a regular file (got '/')"},
    {{"FRAMEWORK_TLS_CERT=@NOTPEM", "FRAMEWORK_TLS_KEY=@KEY"},
     "FRAMEWORK_TLS_CERT: is not a PEM certificate (no valid -----BEGIN CERTIFICATE----- block) "
     "(got '@NOTPEM')"},
    {{"FRAMEWORK_TLS_CERT=@KEY", "FRAMEWORK_TLS_KEY=@KEY"},
     "FRAMEWORK_TLS_CERT: is not a PEM certificate (no valid -----BEGIN CERTIFICATE----- block) "
     "(got '@KEY')"},
    {{"FRAMEWORK_TLS_CERT=@CERT", "FRAMEWORK_TLS_KEY=@CERT"},
     "FRAMEWORK_TLS_KEY: is not a PEM private key (no valid -----BEGIN PRIVATE KEY----- block) "
     "(got '@CERT')"},
    {{"FRAMEWORK_TLS_CERT=@CERT", "FRAMEWORK_TLS_KEY=@NOTPEM"},
     "FRAMEWORK_TLS_KEY: is not a PEM private key (no valid -----BEGIN PRIVATE KEY----- block) "
     "(got '@NOTPEM')"},
    {{"FRAMEWORK_TLS_CERT=@CERT", "FRAMEWORK_TLS_KEY=@ENCKEY"},
     "FRAMEWORK_TLS_KEY: is an encrypted private key; give it unencrypted (protect it with the "
     "file's mode instead) (got '@ENCKEY')"},
    {{"FRAMEWORK_TLS_CERT=@EXPIRED", "FRAMEWORK_TLS_KEY=@KEY"},
     "FRAMEWORK_TLS_CERT: holds a certificate that has expired (got '@EXPIRED')"},
    {{"FRAMEWORK_TLS_CERT=@ROGUE", "FRAMEWORK_TLS_KEY=@KEY"},
     "FRAMEWORK_TLS_KEY: does not belong to the certificate in FRAMEWORK_TLS_CERT (got '@KEY')"},
    /* Secrets from files. */
    {{"MESOS_USERNAME=kafka", "MESOS_PASSWORD_FILE=/nonexistent/pw"},
     "MESOS_PASSWORD_FILE: cannot read the file: No such file or directory (got "
     "'/nonexistent/pw')"},
    {{"MESOS_USERNAME=kafka", "MESOS_PASSWORD_FILE=/"},
     "MESOS_PASSWORD_FILE: is not a regular file (got '/')"},
    {{"AUTH_USERNAME=admin", "AUTH_PASSWORD_FILE=@EMPTY"},
     "AUTH_PASSWORD_FILE: is empty (got '@EMPTY')"},
    {{"AUTH_USERNAME=admin", "AUTH_PASSWORD_FILE=@NUL"},
     "AUTH_PASSWORD_FILE: holds a NUL byte (got '@NUL')"},
    {{"AUTH_USERNAME=admin", "AUTH_PASSWORD_FILE=@BIG"},
     "AUTH_PASSWORD_FILE: is larger than 65536 bytes (got '@BIG')"},
    {{"AUTH_USERNAME=admin", "AUTH_PASSWORD=api-9d2e-never-logged", "AUTH_PASSWORD_FILE=@SECRET"},
     "AUTH_PASSWORD: set either AUTH_PASSWORD or AUTH_PASSWORD_FILE, not both"},
    {{"MESOS_USERNAME=kafka", "MESOS_PASSWORD=x", "MESOS_PASSWORD_FILE=@SECRET"},
     "MESOS_PASSWORD: set either MESOS_PASSWORD or MESOS_PASSWORD_FILE, not both"},
    {{"AUTH_PASSWORD_FILE=@SECRET"}, "AUTH_USERNAME: is required when AUTH_PASSWORD is set"},
    {{"MESOS_PASSWORD_FILE=@SECRET"}, "MESOS_PASSWORD: is set but MESOS_USERNAME is not"},
    /* Credentials. */
    {{"AUTH_USERNAME=admin"}, "AUTH_PASSWORD: is required when AUTH_USERNAME is set"},
    {{"AUTH_PASSWORD=api-secret"}, "AUTH_USERNAME: is required when AUTH_PASSWORD is set"},
    {{"MESOS_USERNAME=kafka"}, "MESOS_PASSWORD: is required when MESOS_USERNAME is set"},
    {{"MESOS_PASSWORD=pw-secret"}, "MESOS_PASSWORD: is set but MESOS_USERNAME is not"},
    {{"MESOS_USERNAME=ka:fka", "MESOS_PASSWORD=pw-secret"},
     "MESOS_USERNAME: must not contain ':' (HTTP Basic authentication cannot carry it) (got "
     "'ka:fka')"},
    {{"MESOS_USERNAME=kafka", "MESOS_PASSWORD=pw-secret", "MESOS_PRINCIPAL=other"},
     "MESOS_PRINCIPAL: differs from MESOS_USERNAME 'kafka'; Mesos rejects a principal other than "
     "the authenticated one (got 'other')"},
    /* Roles. */
    {{"FRAMEWORK_ROLE="}, "FRAMEWORK_ROLE: must not be empty (got '')"},
    {{"FRAMEWORK_BIND=localhost"},
     "FRAMEWORK_BIND: must be an IPv4 or IPv6 address such as "
     "127.0.0.1 or ::1 (no host name, no brackets) (got 'localhost')"},
    {{"KAFKA_RACK_ATTRIBUTE=rack zone"},
     "KAFKA_RACK_ATTRIBUTE: may hold only letters, digits, '.', '_' and '-' (an agent "
     "attribute's name) (got 'rack zone')"},
    {{"FRAMEWORK_BIND=[::1]"},
     "FRAMEWORK_BIND: must be an IPv4 or IPv6 address such as "
     "127.0.0.1 or ::1 (no host name, no brackets) (got '[::1]')"},
    {{"FRAMEWORK_ROLE=/kafka"}, "FRAMEWORK_ROLE: must not start or end with '/' (got '/kafka')"},
    {{"FRAMEWORK_ROLE=kafka/"}, "FRAMEWORK_ROLE: must not start or end with '/' (got 'kafka/')"},
    {{"FRAMEWORK_ROLE=a//b"}, "FRAMEWORK_ROLE: must not contain '//' (got 'a//b')"},
    {{"FRAMEWORK_ROLE=."}, "FRAMEWORK_ROLE: no part of a role may be '.' or '..' (got '.')"},
    {{"FRAMEWORK_ROLE=a/../b"},
     "FRAMEWORK_ROLE: no part of a role may be '.' or '..' (got 'a/../b')"},
    {{"FRAMEWORK_ROLE=a/*"}, "FRAMEWORK_ROLE: '*' is only valid as the whole role (got 'a/*')"},
    {{"FRAMEWORK_ROLE=-kafka"},
     "FRAMEWORK_ROLE: no part of a role may start with '-' (got '-kafka')"},
    {{"FRAMEWORK_ROLE=a/-b"}, "FRAMEWORK_ROLE: no part of a role may start with '-' (got 'a/-b')"},
    {{"FRAMEWORK_ROLE=ka fka"},
     "FRAMEWORK_ROLE: must not contain whitespace or control characters (got 'ka fka')"},
    /* Other strings. */
    {{"FRAMEWORK_NAME="}, "FRAMEWORK_NAME: must not be empty (got '')"},
    {{"FRAMEWORK_NAME=a/b"},
     "FRAMEWORK_NAME: may hold only letters, digits, '.', '_' and '-' (it names the state file "
     "and the ZooKeeper chroot) (got 'a/b')"},
    {{"FRAMEWORK_NAME=.."},
     "FRAMEWORK_NAME: must not be '.' or '..' (it names the state file) (got '..')"},
    {{"KAFKA_OPTIONS=num.partitions"},
     "KAFKA_OPTIONS: must be key=value pairs separated by ',' "
     "(num.partitions=3,log.retention.hours=24) "
     "(got 'num.partitions')"},
    {{"KAFKA_OPTIONS=a=1,broker.id=3"},
     "KAFKA_OPTIONS: must not set broker.id, zookeeper.connect, listeners, advertised.listeners, "
     "log.dirs or KRaft settings (the scheduler sets them per broker) (got 'a=1,broker.id=3')"},
    {{"KAFKA_OPTIONS=Num.partitions=1"},
     "KAFKA_OPTIONS: keys may hold only lower-case letters, digits, '.', '_' and '-' "
     "(got 'Num.partitions=1')"},
    {{"KAFKA_OPTIONS=a=1,"}, "KAFKA_OPTIONS: must not end with ',' (got 'a=1,')"},
    {{"FRAMEWORK_STATEFILE_PATH="}, "FRAMEWORK_STATEFILE_PATH: must not be empty (got '')"},
    {{"FRAMEWORK_WEBUI_URL=ftp://x/"},
     "FRAMEWORK_WEBUI_URL: must start with http:// or https:// (got 'ftp://x/')"},
    {{"IMAGE_KAFKA="}, "IMAGE_KAFKA: must not be empty (got '')"},
    /* Rules across variables. */
    {{"ZOOKEEPER_HEAP=2048"},
     "ZOOKEEPER_HEAP: must be less than ZOOKEEPER_MEM (2048 MB), which also holds the JVM's other "
     "memory (got '2048')"},
    {{"KAFKA_MEM=512"},
     "KAFKA_HEAP: must be less than KAFKA_MEM (512 MB), which also holds the JVM's other memory "
     "(default '1024')"},
    {{"NETWORK_MODE=USER"}, "NETWORK_NAME: is required when NETWORK_MODE is USER"},
    {{"NETWORK_MODE=user", "NETWORK_NAME="}, "NETWORK_NAME: is required when NETWORK_MODE is USER"},
    /* A value cannot split the line or forge another one. */
    {{"KAFKA_COUNT=3\nFAKE: injected"},
     "KAFKA_COUNT: must be a whole number (got '3\\x0aFAKE: injected')"},
};

static void test_each_bad_variable_gives_its_one_line(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(error_cases); i++) {
        const error_case *c = &error_cases[i];
        config cfg;
        cleanup_free char *errors = NULL;
        int problems = load(&cfg, c->env, &errors);
        cleanup_free char *line = expand(c->line);
        cleanup_free char *expected = mk_xasprintf("%s\n", line);
        if (problems != 1 || strcmp(errors, expected) != 0)
            fail_msg("case %zu (%s): %d problem(s)\n got: %s\nwant: %s", i, c->env[0], problems,
                     errors, expected);
        assert_true(all_zero(&cfg)); /* everything partial was freed */
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Many problems at once, and secrets. */

static void test_every_problem_is_reported_at_once(void **state)
{
    const char *env[] = {"KAFKA_COUNT=three",
                         "ZOOKEEPER_COUNT=-1",
                         "RES_CPU=abc",
                         "LOGLEVEL=LOUD",
                         "MESOS_MASTER=http://m1",
                         "MESOS_CA_CERT=/missing.pem",
                         "MESOS_USERNAME=kafka",
                         "MESOS_PASSWORD=pw-7c1f-never-logged",
                         NULL};
    const char *order[] = {"MESOS_MASTER: ",    "MESOS_CA_CERT: ", "LOGLEVEL: ",
                           "ZOOKEEPER_COUNT: ", "KAFKA_COUNT: ",   "RES_CPU: "};
    config cfg;
    cleanup_free char *errors = NULL;
    int problems = load(&cfg, env, &errors);
    /* RES_CPU is wrong once: ZOOKEEPER_CPU and KAFKA_CPU, which inherit it, add no line. */
    assert_int_equal(problems, 6);
    assert_int_equal(count_lines(errors), 6);
    const char *line = errors;
    for (size_t i = 0; i < MK_ARRAY_LEN(order); i++) {
        if (strncmp(line, order[i], strlen(order[i])) != 0)
            fail_msg("line %zu should start with %s:\n%s", i + 1, order[i], errors);
        line = strchr(line, '\n') + 1;
    }
    assert_null(strstr(errors, "pw-7c1f"));
    assert_true(all_zero(&cfg));
}

static void test_heap_rules_follow_the_shared_memory(void **state)
{
    const char *env[] = {"RES_MEM=200", NULL};
    config cfg;
    cleanup_free char *errors = NULL;
    assert_int_equal(load(&cfg, env, &errors), 2);
    assert_non_null(strstr(errors, "ZOOKEEPER_HEAP: must be less than ZOOKEEPER_MEM (200 MB)"));
    assert_non_null(strstr(errors, "KAFKA_HEAP: must be less than KAFKA_MEM (200 MB)"));

    const char *fine[] = {"RES_MEM=200", "ZOOKEEPER_HEAP=128", "KAFKA_MEM=4096", NULL};
    load_ok(&cfg, fine);
    assert_true(cfg.zookeeper_res.mem_mb == 200 && cfg.kafka_res.mem_mb == 4096);
    config_free(&cfg);
}

static const char *const secrets[] = {"pw-7c1f-never-logged", "api-9d2e-never-logged"};

static void assert_no_secret(const char *text)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(secrets); i++)
        if (strstr(text, secrets[i]))
            fail_msg("a secret reached the output:\n%s", text);
}

static void test_secrets_never_reach_the_error_output(void **state)
{
    /* Each environment makes the secret variables themselves (or their partners) a problem. */
    const char *envs[][6] = {
        {"MESOS_PASSWORD=pw-7c1f-never-logged", "AUTH_PASSWORD=api-9d2e-never-logged", NULL},
        {"MESOS_USERNAME=a:b", "MESOS_PASSWORD=pw-7c1f-never-logged", "AUTH_USERNAME=c:d",
         "AUTH_PASSWORD=api-9d2e-never-logged", NULL},
        {"MESOS_USERNAME=kafka", "MESOS_PASSWORD=pw-7c1f-never-logged", "MESOS_PRINCIPAL=x",
         "KAFKA_COUNT=x", "AUTH_PASSWORD=api-9d2e-never-logged", NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(envs); i++) {
        config cfg;
        cleanup_free char *errors = NULL;
        int problems = load(&cfg, envs[i], &errors);
        assert_true(problems >= 2);
        assert_int_equal(count_lines(errors), problems);
        assert_no_secret(errors);
    }
}

static void test_effective_configuration_masks_secrets(void **state)
{
    const char *env[] = {"MESOS_USERNAME=kafka", "MESOS_PASSWORD=pw-7c1f-never-logged",
                         "AUTH_USERNAME=admin", "AUTH_PASSWORD=api-9d2e-never-logged", NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_string_equal(cfg.mesos_password, "pw-7c1f-never-logged");
    cleanup_free char *text = printed_effective(&cfg);
    assert_no_secret(text);
    assert_non_null(strstr(text, "\nMESOS_PASSWORD              ********\n"));
    assert_non_null(strstr(text, "\nAUTH_PASSWORD               ********\n"));
    assert_non_null(strstr(text, "\nMESOS_USERNAME              kafka\n"));
    config_free(&cfg);

    const char *none[] = {NULL};
    load_ok(&cfg, none);
    cleanup_free char *unset = printed_effective(&cfg);
    assert_non_null(strstr(unset, "\nMESOS_PASSWORD              (unset)\n"));
    assert_non_null(strstr(unset, "\nAUTH_PASSWORD               (unset)\n"));
    config_free(&cfg);
}

/* ---------------------------------------------------------------------------------------------- */
/* The small parsers. */

static void test_master_lists(void **state)
{
    static const struct {
        const char *value;
        const char *hosts[3];
        int ports[3];
        int n;
    } cases[] = {
        {"leader.mesos:5050", {"leader.mesos"}, {5050}, 1},
        {"m1.example:5050,m2.example:5051, 10.0.0.3:1",
         {"m1.example", "m2.example", "10.0.0.3"},
         {5050, 5051, 1},
         3},
        {"[::1]:5050,[fe80::1]:65535", {"[::1]", "[fe80::1]"}, {5050, 65535}, 2},
        {"m_1:5050", {"m_1"}, {5050}, 1},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        cleanup_free char *pair = mk_xasprintf("MESOS_MASTER=%s", cases[i].value);
        const char *env[] = {pair, NULL};
        config cfg;
        load_ok(&cfg, env);
        assert_int_equal(cfg.n_masters, cases[i].n);
        for (int m = 0; m < cases[i].n; m++) {
            assert_string_equal(cfg.masters[m].host, cases[i].hosts[m]);
            assert_int_equal(cfg.masters[m].port, cases[i].ports[m]);
        }
        config_free(&cfg);
    }
}

static void test_durations(void **state)
{
    static const struct {
        const char *text;
        double seconds;
        const char *canonical;
    } good[] = {
        {"250ms", 0.25, "250ms"},  {"10s", 10, "10s"},   {"5m", 300, "5m"},     {"3h", 10800, "3h"},
        {"1d", 86400, "1d"},       {"1w", 604800, "1w"}, {"30", 30, "30s"},     {"90", 90, "90s"},
        {"1.5h", 5400, "90m"},     {"0", 0, "0s"},       {"0.5", 0.5, "500ms"}, {"120s", 120, "2m"},
        {"1500ms", 1.5, "1500ms"},
    };
    static const char *const bad[] = {"",    "-1s",   "10 s", " 10s", "10s ", "1e3",
                                      "nan", "inf",   "5x",   "s",    ".5s",  "5.s",
                                      "10S", "1h30m", "0x10", "+5s",  "ms"};
    for (size_t i = 0; i < MK_ARRAY_LEN(good); i++) {
        double s = -1;
        char text[32];
        if (config_parse_duration(good[i].text, &s) != 0 || fabs(s - good[i].seconds) > 1e-9)
            fail_msg("'%s' should be %g seconds, got %g", good[i].text, good[i].seconds, s);
        config_format_duration(s, text, sizeof(text));
        assert_string_equal(text, good[i].canonical);
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        double s = 0;
        if (config_parse_duration(bad[i], &s) == 0)
            fail_msg("'%s' should not parse as a duration", bad[i]);
    }

    const char *env[] = {"FRAMEWORK_FAILOVER_TIMEOUT=3h", "OFFER_REFUSE_SECONDS=30",
                         "FAILOVER_DELAY=250ms", "FAILOVER_MAX_DELAY=250ms", NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_true(cfg.failover_timeout_s == 10800 && cfg.offer_refuse_s == 30);
    assert_true(cfg.failover_delay_s == 0.25 && cfg.failover_max_delay_s == 0.25);
    config_free(&cfg);
}

static void test_booleans(void **state)
{
    static const struct {
        const char *text;
        bool value;
    } good[] = {{"true", true},   {"TRUE", true},   {"1", true},  {"yes", true}, {"Yes", true},
                {"false", false}, {"False", false}, {"0", false}, {"no", false}, {"NO", false}};
    static const char *const bad[] = {"y", "on", "off", "2", "truee", " true", "-1"};
    for (size_t i = 0; i < MK_ARRAY_LEN(good); i++) {
        cleanup_free char *pair = mk_xasprintf("MESOS_SSL_VERIFY=%s", good[i].text);
        const char *env[] = {pair, NULL};
        config cfg;
        load_ok(&cfg, env);
        assert_int_equal(cfg.mesos_ssl_verify, good[i].value);
        config_free(&cfg);
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        cleanup_free char *pair = mk_xasprintf("MESOS_SSL=%s", bad[i]);
        const char *env[] = {pair, NULL};
        config cfg;
        cleanup_free char *errors = NULL;
        assert_int_equal(load(&cfg, env, &errors), 1);
        assert_non_null(strstr(errors, "MESOS_SSL: must be true or false"));
    }
}

static void test_valid_roles_and_enumerations(void **state)
{
    static const char *const roles[] = {"*", "kafka", "a/b/c", "eng.team", "a-b/c-d", "x..y", "_k"};
    for (size_t i = 0; i < MK_ARRAY_LEN(roles); i++) {
        cleanup_free char *pair = mk_xasprintf("FRAMEWORK_ROLE=%s", roles[i]);
        const char *env[] = {pair, NULL};
        config cfg;
        load_ok(&cfg, env);
        assert_string_equal(cfg.framework_role, roles[i]);
        config_free(&cfg);
    }
    static const char *const binds[] = {"127.0.0.1", "::1", "0.0.0.0", "fe80::1"};
    for (size_t i = 0; i < MK_ARRAY_LEN(binds); i++) {
        cleanup_free char *pair = mk_xasprintf("FRAMEWORK_BIND=%s", binds[i]);
        const char *benv[] = {pair, NULL};
        config cfg;
        load_ok(&cfg, benv);
        assert_string_equal(cfg.framework_bind, binds[i]);
        config_free(&cfg);
    }
    const char *env[] = {"LOGLEVEL=debug", "NETWORK_MODE=bridge", NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_int_equal(cfg.loglevel, LOG_DEBUG);
    assert_int_equal(cfg.network, NETWORK_BRIDGE);
    assert_string_equal(network_mode_name(cfg.network), "BRIDGE");
    assert_string_equal(network_mode_name(NETWORK_USER), "USER");
    config_free(&cfg);
}

/* ---------------------------------------------------------------------------------------------- */
/* Derived defaults and optional variables. */

static void test_derived_defaults(void **state)
{
    const char *env[] = {"RES_CPU=0.5",
                         "RES_MEM=4096",
                         "KAFKA_CPU=2",
                         "ZOOKEEPER_MEM=1024",
                         "MESOS_USERNAME=kafka",
                         "MESOS_PASSWORD=pw",
                         "FRAMEWORK_HOSTNAME=sched.example",
                         "FRAMEWORK_PORT=12345",
                         "FRAMEWORK_NAME=mk",
                         "FRAMEWORK_STATEFILE_PATH=/srv/state/",
                         "DOMAIN=weave.local",
                         "KAFKA_CUSTOM_DOMAIN=kafka.weave.local",
                         NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_true(cfg.zookeeper_res.cpus == 0.5 && cfg.zookeeper_res.mem_mb == 1024);
    assert_true(cfg.kafka_res.cpus == 2 && cfg.kafka_res.mem_mb == 4096);
    assert_string_equal(cfg.mesos_principal, "kafka");
    assert_string_equal(cfg.framework_webui_url, "http://sched.example:12345/");
    assert_string_equal(cfg.statefile_path, "/srv/state/mk.state.json");
    assert_string_equal(cfg.zookeeper_custom_domain, "weave.local");
    assert_string_equal(cfg.kafka_custom_domain, "kafka.weave.local");
    config_free(&cfg);

    const char *root[] = {"FRAMEWORK_STATEFILE_PATH=/", "FRAMEWORK_NAME=mk",
                          "MESOS_PRINCIPAL=kafka-principal", "FRAMEWORK_WEBUI_URL=https://ui/",
                          NULL};
    load_ok(&cfg, root);
    assert_string_equal(cfg.statefile_path, "/mk.state.json");
    assert_string_equal(cfg.mesos_principal, "kafka-principal"); /* no username: no conflict */
    assert_string_equal(cfg.framework_webui_url, "https://ui/");
    config_free(&cfg);
}

static void test_empty_optional_variables_count_as_unset(void **state)
{
    const char *env[] = {"MESOS_USERNAME=",
                         "MESOS_PASSWORD=",
                         "MESOS_PRINCIPAL=",
                         "MESOS_CA_CERT=",
                         "AUTH_USERNAME=",
                         "AUTH_PASSWORD=",
                         "NETWORK_NAME=",
                         "DOMAIN=",
                         "ZOOKEEPER_CPU=",
                         "KAFKA_MEM=",
                         "VOLUME_KAFKA=",
                         "FRAMEWORK_HOSTNAME=",
                         NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_null(cfg.mesos_username);
    assert_null(cfg.mesos_password);
    assert_null(cfg.mesos_principal);
    assert_null(cfg.mesos_ca_cert);
    assert_null(cfg.auth_username);
    assert_null(cfg.network_name);
    assert_null(cfg.volume_kafka);
    assert_true(cfg.zookeeper_res.cpus == 1.0 && cfg.kafka_res.mem_mb == 2048);
    assert_non_null(cfg.framework_hostname);
    config_free(&cfg);
}

static void test_a_complete_valid_environment(void **state)
{
    const char *env[] = {
        "MESOS_MASTER=m1:5050,m2:5050", "MESOS_SSL=true",    "MESOS_CA_CERT=@CA",
        "MESOS_USERNAME=kafka",         "MESOS_PASSWORD=pw", "MESOS_PRINCIPAL=kafka",
        "AUTH_USERNAME=admin",          "AUTH_PASSWORD=pw2", "NETWORK_MODE=USER",
        "NETWORK_NAME=weave",           "ZOOKEEPER_COUNT=0", "KAFKA_COUNT=1000",
        "FAILOVER_MAX_TRIES=5",         "LOGLEVEL=WARNING",  NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_string_equal(cfg.mesos_ca_cert, ca_path);
    assert_int_equal(cfg.network, NETWORK_USER);
    assert_string_equal(cfg.network_name, "weave");
    assert_int_equal(cfg.zookeeper_count, 0);
    assert_int_equal(cfg.kafka_count, 1000);
    assert_int_equal(cfg.failover_max_tries, 5);
    assert_int_equal(cfg.loglevel, LOG_WARN);
    config_free(&cfg);
}

/* ---------------------------------------------------------------------------------------------- */
/* TLS on the API, and secrets from files. */

static void test_tls_certificate_and_key(void **state)
{
    const char *env[] = {"FRAMEWORK_TLS_CERT=@CERT", "FRAMEWORK_TLS_KEY=@KEY",
                         "FRAMEWORK_HOSTNAME=sched.example", "FRAMEWORK_PORT=10443", NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_string_equal(cfg.framework_tls_cert, pki.server_cert);
    assert_string_equal(cfg.framework_tls_key, pki.server_key);
    assert_string_equal(cfg.framework_webui_url, "https://sched.example:10443/");
    config_free(&cfg);

    /* An explicit link is kept; without TLS the default stays http. */
    const char *explicit[] = {"FRAMEWORK_TLS_CERT=@CERT", "FRAMEWORK_TLS_KEY=@KEY",
                              "FRAMEWORK_WEBUI_URL=https://proxy.example/kafka/", NULL};
    load_ok(&cfg, explicit);
    assert_string_equal(cfg.framework_webui_url, "https://proxy.example/kafka/");
    config_free(&cfg);
    const char *empty[] = {
        "FRAMEWORK_TLS_CERT=", "FRAMEWORK_TLS_KEY=", "FRAMEWORK_HOSTNAME=sched.example", NULL};
    load_ok(&cfg, empty);
    assert_null(cfg.framework_tls_cert);
    assert_null(cfg.framework_tls_key);
    assert_string_equal(cfg.framework_webui_url, "http://sched.example:10000/");
    config_free(&cfg);
}

static void test_secrets_from_files(void **state)
{
    const char *env[] = {"MESOS_USERNAME=kafka", "MESOS_PASSWORD_FILE=@SECRET",
                         "AUTH_USERNAME=admin", "AUTH_PASSWORD_FILE=@CRLF", NULL};
    config cfg;
    load_ok(&cfg, env);
    assert_string_equal(cfg.mesos_password, "pw-7c1f-never-logged"); /* newline dropped */
    assert_string_equal(cfg.auth_password, "api-9d2e-never-logged"); /* CRLF dropped */
    cleanup_free char *text = printed_effective(&cfg);
    assert_no_secret(text);
    assert_non_null(strstr(text, "\nMESOS_PASSWORD              ********\n"));
    assert_non_null(strstr(text, "\nAUTH_PASSWORD               ********\n"));
    config_free(&cfg);

    /* Only one newline goes; an empty NAME_FILE is unset, so NAME applies. */
    const char *two[] = {"AUTH_USERNAME=admin",  "AUTH_PASSWORD_FILE=@TWONL",
                         "MESOS_USERNAME=kafka", "MESOS_PASSWORD=direct",
                         "MESOS_PASSWORD_FILE=", NULL};
    load_ok(&cfg, two);
    assert_string_equal(cfg.auth_password, "pw\n");
    assert_string_equal(cfg.mesos_password, "direct");
    config_free(&cfg);

    /* With other problems around, the file's secret is still never written. */
    const char *bad[] = {
        "MESOS_PASSWORD_FILE=@SECRET",         "AUTH_USERNAME=admin", "AUTH_PASSWORD_FILE=@CRLF",
        "AUTH_PASSWORD=api-9d2e-never-logged", "KAFKA_COUNT=x",       NULL};
    cleanup_free char *errors = NULL;
    assert_int_equal(load(&cfg, bad, &errors), 3);
    assert_no_secret(errors);
    assert_true(all_zero(&cfg));
}

/* ---------------------------------------------------------------------------------------------- */
/* The printers. */

static void test_every_variable_is_printed_everywhere(void **state)
{
    const char *none[] = {NULL};
    config cfg;
    load_ok(&cfg, none);
    cleanup_free char *help = printed(config_print_help);
    cleanup_free char *example = printed(config_print_env_example);
    cleanup_free char *markdown = printed(config_print_markdown);
    cleanup_free char *effective = printed_effective(&cfg);
    config_free(&cfg);

    for (size_t i = 0; i < MK_ARRAY_LEN(all_names); i++) {
        const char *name = all_names[i];
        cleanup_free char *help_entry = mk_xasprintf("\n  %s (", name);
        cleanup_free char *set_line = mk_xasprintf("\n%s=", name);
        cleanup_free char *unset_line = mk_xasprintf("\n# %s=\n", name);
        cleanup_free char *md_row = mk_xasprintf("\n| `%s` | ", name);
        cleanup_free char *eff_line = mk_xasprintf("\n%-27s ", name);
        if (!strstr(help, help_entry))
            fail_msg("--help lacks %s", name);
        if (!strstr(example, set_line) == !strstr(example, unset_line))
            fail_msg("env.example must have exactly one of %s= and # %s=", name, name);
        if (!strstr(markdown, md_row))
            fail_msg("the Markdown table lacks %s", name);
        if (!strstr(effective, eff_line))
            fail_msg("`mesos-kafka config` lacks %s", name);
    }
    for (size_t i = 0; i < MK_ARRAY_LEN(secret_file_names); i++) {
        const char *name = secret_file_names[i];
        cleanup_free char *help_entry = mk_xasprintf("\n  %s (file; optional)\n", name);
        cleanup_free char *unset_line = mk_xasprintf("\n# %s=\n", name);
        cleanup_free char *md_row =
            mk_xasprintf("\n| `%s` | unset | Path of a file holding ", name);
        if (!strstr(help, help_entry))
            fail_msg("--help lacks %s", name);
        if (!strstr(example, unset_line))
            fail_msg("env.example lacks # %s=", name);
        if (!strstr(markdown, md_row))
            fail_msg("the Markdown table lacks %s", name);
    }
    /* Help starts with the usage of the binary. */
    assert_non_null(strstr(help, "mesos-kafka env-example"));
    assert_non_null(strstr(help, "mesos-kafka --version"));
    assert_non_null(strstr(effective, "\nMESOS_MASTER                127.0.0.1:5050\n"));
    assert_non_null(strstr(effective, "\nFRAMEWORK_FAILOVER_TIMEOUT  1w\n"));
    assert_non_null(strstr(example, "\nFRAMEWORK_PORT=10000\n"));
    assert_non_null(strstr(example, "\n# MESOS_PASSWORD=\n"));
}

/* env.example, read back as an environment, is the defaults: its values all parse. */
static void test_env_example_reads_back_as_the_defaults(void **state)
{
    cleanup_free char *example = printed(config_print_env_example);
    const char *env[64] = {NULL};
    size_t n = 0;
    for (char *line = strtok(example, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        assert_non_null(strchr(line, '='));
        assert_true(n < MK_ARRAY_LEN(env) - 1);
        env[n++] = line;
    }
    assert_true(n > 20);
    config cfg;
    load_ok(&cfg, env);
    assert_int_equal(cfg.kafka_count, 3);
    assert_true(cfg.failover_timeout_s == 604800);
    config_free(&cfg);
}

static char *read_whole_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, out);
    fclose(f);
    fclose(out);
    return text;
}

/* The committed env.example and docs/configuration.md are what the table prints (the tests run
 * from the repository's root; elsewhere this test skips). */
static void test_committed_files_match_the_table(void **state)
{
    cleanup_free char *committed_example = read_whole_file("env.example");
    cleanup_free char *committed_doc = read_whole_file("docs/configuration.md");
    cleanup_free char *committed_readme = read_whole_file("README.md");
    if (!committed_example || !committed_doc || !committed_readme) {
        skip();
        return;
    }
    cleanup_free char *example = printed(config_print_env_example);
    cleanup_free char *table = printed(config_print_markdown);
    if (strcmp(committed_example, example) != 0)
        fail_msg("env.example is stale: regenerate it with `mesos-kafka env-example`");
    size_t doc_len = strlen(committed_doc), table_len = strlen(table);
    if (doc_len < table_len || strcmp(committed_doc + doc_len - table_len, table) != 0)
        fail_msg("docs/configuration.md does not end with the table config_print_markdown prints");
    if (!strstr(committed_readme, table))
        fail_msg("README.md's configuration table is not the one config_print_markdown prints");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_environment_gives_the_defaults),
        cmocka_unit_test(test_each_bad_variable_gives_its_one_line),
        cmocka_unit_test(test_every_problem_is_reported_at_once),
        cmocka_unit_test(test_heap_rules_follow_the_shared_memory),
        cmocka_unit_test(test_secrets_never_reach_the_error_output),
        cmocka_unit_test(test_effective_configuration_masks_secrets),
        cmocka_unit_test(test_master_lists),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_valid_roles_and_enumerations),
        cmocka_unit_test(test_derived_defaults),
        cmocka_unit_test(test_empty_optional_variables_count_as_unset),
        cmocka_unit_test(test_a_complete_valid_environment),
        cmocka_unit_test(test_tls_certificate_and_key),
        cmocka_unit_test(test_secrets_from_files),
        cmocka_unit_test(test_every_variable_is_printed_everywhere),
        cmocka_unit_test(test_env_example_reads_back_as_the_defaults),
        cmocka_unit_test(test_committed_files_match_the_table),
    };
    return cmocka_run_group_tests(tests, setup_files, remove_files);
}
