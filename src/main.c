/*
 * main: the `mesos-kafka` command.
 *
 * With no arguments it runs the scheduler, configured only by environment variables. Its own
 * commands read the same configuration table: `--help`, `config` (the effective configuration,
 * secrets masked), `env-example`, `--version`. Everything else that cli_handles() recognises (the
 * operator's nouns such as `status`, `kafka scale 5`, `topic list`, and `help`) goes to the
 * command-line client in cli.c, which talks to a running scheduler's HTTP API and chooses its own
 * exit status (0 done, 1 refused or failed, 2 usage, 3 the scheduler could not be reached).
 *
 * Exit statuses of the scheduler: 0 success (or a clean stop on SIGTERM/SIGINT), 1 a fatal error
 * while running (credentials, certificate, failed over, state file), 2 a usage or configuration
 * error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "config.h"
#include "http_api.h"
#include "log.h"
#include "scheduler.h"
#include "util.h"

#ifndef MK_VERSION
#define MK_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2

static const char *env_get(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

static int load_config(config *cfg)
{
    int problems = config_load(cfg, env_get, NULL, stderr);
    if (problems != 0) {
        fprintf(stderr,
                "mesos-kafka: %d configuration problem%s (see `mesos-kafka --help` for every "
                "variable)\n",
                problems, problems == 1 ? "" : "s");
        return -1;
    }
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: mesos-kafka                 run the scheduler (configured by environment "
                 "variables)\n"
                 "       mesos-kafka config          print the effective configuration\n"
                 "       mesos-kafka env-example     print a documented environment file\n"
                 "       mesos-kafka --help | --version\n"
                 "       mesos-kafka <noun> <verb>   operate a running scheduler (status, kafka, "
                 "broker, topic, ...;\n"
                 "                                   `mesos-kafka help` lists them)\n");
}

/* The key facts of the configuration, for the first lines of the log. Never a secret. */
static void log_configuration(const config *cfg)
{
    char masters[1024] = "";
    size_t used = 0;
    for (int i = 0; i < cfg->n_masters && used < sizeof(masters); i++) {
        int n = snprintf(masters + used, sizeof(masters) - used, "%s%s:%d", i ? "," : "",
                         cfg->masters[i].host, cfg->masters[i].port);
        if (n > 0)
            used += (size_t)n;
    }
    const char *tls = !cfg->mesos_ssl          ? "plain HTTP"
                      : !cfg->mesos_ssl_verify ? "HTTPS, certificate NOT verified"
                      : cfg->mesos_ca_cert     ? "HTTPS, certificate verified against MESOS_CA_CERT"
                                           : "HTTPS, certificate verified against the system CAs";
    log_info("main", "mesos-kafka %s starting: framework '%s' (user %s, role %s)", MK_VERSION,
             cfg->framework_name, cfg->framework_user, cfg->framework_role);
    log_info("main", "Mesos masters %s (%s), %s", masters, tls,
             cfg->mesos_username ? "HTTP Basic auth as MESOS_USERNAME" : "no HTTP auth");
    if (cfg->mesos_username)
        log_info("main", "MESOS_USERNAME '%s', MESOS_PRINCIPAL '%s'", cfg->mesos_username,
                 cfg->mesos_principal ? cfg->mesos_principal : cfg->mesos_username);
    log_info("main", "state file %s; API on port %d (%s); %d ZooKeeper and %d Kafka; network %s",
             cfg->statefile_path, cfg->framework_port,
             cfg->framework_tls_cert ? "HTTPS" : "plain HTTP", cfg->zookeeper_count,
             cfg->kafka_count, network_mode_name(cfg->network));
    log_info("main",
             "failover timeout %.0f s; reconnect backoff up to %.1f s; %d missed heartbeats "
             "mean a lost stream; declined offers refused for %.0f s",
             cfg->failover_timeout_s, cfg->mesos_reconnect_max_s, cfg->mesos_heartbeat_misses,
             cfg->offer_refuse_s);
}

static void warn_insecure(const config *cfg)
{
    if (cfg->mesos_ssl && !cfg->mesos_ssl_verify)
        log_warn("main", "MESOS_SSL_VERIFY=false: the Mesos master's certificate is not verified, "
                         "so anyone on the network path can pose as the master and receive the "
                         "credentials; set MESOS_CA_CERT to its CA instead");
    if (!cfg->mesos_ssl && cfg->mesos_username)
        log_warn("main", "MESOS_SSL=false: the credentials of MESOS_USERNAME travel to the master "
                         "unencrypted");
    if (!cfg->auth_username || !cfg->auth_password)
        log_warn("main", "AUTH_USERNAME/AUTH_PASSWORD are not set: the API endpoints that change "
                         "the cluster will refuse to run");
}

/* The API keeps thousands of idle connections at no cost but their sockets: the soft limit on
 * open files (often 1024) would be the first thing an attacker exhausts, so raise it to what the
 * hard limit allows, up to 65536. */
static void raise_open_files_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("main",
                     "cannot raise the open files limit to %llu: the API will accept "
                     "fewer connections",
                     (unsigned long long)want);
    }
}

static int run_scheduler(void)
{
    config cfg;
    if (load_config(&cfg) < 0)
        return EXIT_USAGE;
    mk_err err = {{0}};
    if (http_api_check_tls(&cfg, &err) < 0) {
        fprintf(stderr, "%s\nmesos-kafka: 1 configuration problem\n", err.msg);
        config_free(&cfg);
        return EXIT_USAGE;
    }
    log_set_level(cfg.loglevel);
    log_configuration(&cfg);
    warn_insecure(&cfg);
    raise_open_files_limit();
    int status = scheduler_run(&cfg);
    config_free(&cfg);
    return status;
}

static int print_config(void)
{
    config cfg;
    if (load_config(&cfg) < 0)
        return EXIT_USAGE;
    config_print_effective(&cfg, stdout);
    config_free(&cfg);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return run_scheduler();
    const char *cmd = argv[1];
    if (cli_handles(cmd))
        return cli_main(argc, argv);
    bool help = strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0;
    if (argc > 2 && !help) {
        fprintf(stderr, "mesos-kafka: unexpected argument '%s' after '%s'\n", argv[2], cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (help) {
        config_print_help(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("mesos-kafka %s\n", MK_VERSION);
        return 0;
    }
    if (strcmp(cmd, "config") == 0)
        return print_config();
    if (strcmp(cmd, "env-example") == 0) {
        config_print_env_example(stdout);
        return 0;
    }
    fprintf(stderr, "mesos-kafka: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
