/*
 * cli: the operator's command-line client, `mesos-kafka <noun> <verb> [args]`, which talks to a
 * running scheduler's HTTP API (/v0 and /v1, docs/api-v1.md, src/http_api.h).
 *
 * One table of commands (cli.c) drives parsing, the local checks, the request each command sends
 * and `help`, so the usage text cannot drift from what is accepted. A command line becomes a
 * cli_invocation (method, path and JSON body of each request, plus the settings) before anything
 * goes on the wire; the tests check that step on its own. Replies are shown as aligned tables
 * (cli_show.c) or, with --json, as the server's JSON.
 *
 * Where the client sends its requests: --api URL, else MESOS_KAFKA_API, else
 * http://127.0.0.1:<FRAMEWORK_PORT, default 10000>. An https:// URL is verified against
 * MESOS_KAFKA_CA_CERT (a PEM file of CA certificates; default: the system's CAs); a certificate
 * that does not verify is one line on stderr and CLI_EXIT_UNREACHABLE. Credentials:
 * AUTH_USERNAME/AUTH_PASSWORD (or AUTH_PASSWORD_FILE), the scheduler's own variables; --user
 * overrides the name. The password is never a flag (it would show in `ps`) and never printed.
 *
 * Exit statuses: CLI_EXIT_OK; CLI_EXIT_FAILED when the server refused or the operation failed
 * (the server's error on stderr); CLI_EXIT_USAGE for a command line that is wrong before any
 * request; CLI_EXIT_UNREACHABLE when the scheduler could not be reached.
 */
#ifndef MK_CLI_H
#define MK_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#define CLI_EXIT_OK          0
#define CLI_EXIT_FAILED      1
#define CLI_EXIT_USAGE       2
#define CLI_EXIT_UNREACHABLE 3

/* What the client reads from its surroundings; tests substitute every field. */
typedef struct cli_env {
    const char *(*getenv)(const char *name, void *ctx); /* NULL: the process environment */
    void *getenv_ctx;
    FILE *out;              /* NULL: stdout */
    FILE *err;              /* NULL: stderr */
    double poll_interval_s; /* between plan reads while a restart runs; <= 0: 1 s */
} cli_env;

/* True when `arg` (argv[1]) starts a client command: a noun, `help`, or a client option such as
 * --api. main() uses it to choose between the client and its own commands. */
bool cli_handles(const char *arg);

/* The client with the process's environment, stdout and stderr; returns the exit status. argv[0]
 * is the program, argv[1] the noun (or a client option). */
int cli_main(int argc, char **argv);
int cli_run(int argc, char **argv, const cli_env *env);

/* ---- the parsed command line (for the tests) ---------------------------------------------------
 */

#define CLI_MAX_CALLS 2 /* `reflate` without a kind reflates both */

typedef struct cli_call {
    const char *method; /* "GET", "POST", "PUT", "DELETE" */
    char *path;         /* escaped, with any query ("/v0/kafka/scale/3?force=true") */
    json_t *body;       /* NULL: no body */
} cli_call;

struct cli_command;

typedef struct cli_invocation {
    const struct cli_command *command; /* NULL with help_only */
    bool help_only;                    /* print help_text and exit 0 */
    char *help_text;
    cli_call calls[CLI_MAX_CALLS];
    int n_calls;
    bool follow_plan; /* a restart: after the 202, follow GET /v1/plan to the end */
    bool json;        /* --json */
    char *api_url;
    char *username; /* NULL: no credentials */
    char *password; /* secret */
    char *ca_cert;  /* MESOS_KAFKA_CA_CERT; NULL: the system's CAs */
    double timeout_s;
} cli_invocation;

/* Turns argv into an invocation without sending anything. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE after printing what is wrong and the command's usage to env->err. */
int cli_parse(int argc, char **argv, const cli_env *env, cli_invocation *inv);
void cli_invocation_clear(cli_invocation *inv);

#endif
