/*
 * Fuzz the command line client's parsing (cli_parse): nouns, verbs, topic names, broker ids,
 * counts, options and their values as they arrive from a shell.
 *
 * Input: one byte choosing the environment (MESOS_KAFKA_API, FRAMEWORK_PORT, credentials), then
 * the arguments after the program's name, NUL-separated.
 *
 * Invariants: a usage error says something; help comes alone; otherwise the invocation has one or
 * two calls, each with a known method, a path of '/'-separated unreserved or %XX-escaped text and
 * a body that is a JSON object or none, an http(s) URL, a timeout above 0, and a password only
 * with a user. And what the client sends is what the server routes: each call, decoded as
 * libmicrohttpd decodes it, passes the server's route and method checks (http_request_parse), so
 * no argument can turn one request into another (paths of HTTP_MAX_PATH bytes or more, which the
 * server refuses whole, aside). Everything is freed. No crash or undefined
 * behaviour.
 */
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "http_request.h"

#include "fuzz_check.h"

#define MAX_ARGS 64

typedef struct {
    const char *api, *port, *user, *password;
} environment;

static const char *lookup(const char *name, void *ctx)
{
    const environment *env = ctx;
    if (strcmp(name, "MESOS_KAFKA_API") == 0)
        return env->api;
    if (strcmp(name, "FRAMEWORK_PORT") == 0)
        return env->port;
    if (strcmp(name, "AUTH_USERNAME") == 0)
        return env->user;
    if (strcmp(name, "AUTH_PASSWORD") == 0)
        return env->password;
    return NULL;
}

static bool path_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           strchr("-._~/%", c);
}

static bool hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* The call as the server sees it: routed, with an allowed method. */
static void check_server_routes(const cli_call *call)
{
    char *path = strdup(call->path);
    char *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    for (const char *p = path; *p; p++) {
        CHECK(path_char(*p));
        if (*p == '%')
            CHECK(hex(p[1]) && hex(p[2]));
    }
    /* The client's own queries are fixed words: force=true is the only one. */
    CHECK(!query || strcmp(query, "force=true") == 0);
    if (strlen(path) >= HTTP_MAX_PATH) { /* refused whole by the server (404), never routed */
        free(path);
        return;
    }
    http_unescape(path); /* as the server decodes it */
    bool control =
        false; /* the server refuses these before routing (400); the CLI passes them on */
    for (const char *p = path; *p; p++)
        control |= (unsigned char)*p < 0x20 || *p == 0x7f;
    char *body = call->body ? json_dumps(call->body, JSON_COMPACT) : NULL;
    CHECK(!call->body || body);
    http_request r;
    http_request_parse(call->method, path, query ? "true" : NULL, body, body ? strlen(body) : 0,
                       false, &r);
    CHECK(r.routed || (control && r.status == 400));
    CHECK(r.status != 404 || r.core); /* a v0 unknown kind is the only routed 404 */
    http_request_clear(&r);
    free(body);
    free(path);
}

static void check_invocation(const cli_invocation *inv)
{
    if (inv->help_only) {
        CHECK(inv->help_text && inv->help_text[0] && inv->n_calls == 0);
        return;
    }
    CHECK(inv->command && !inv->help_text);
    CHECK(inv->n_calls >= 1 && inv->n_calls <= CLI_MAX_CALLS);
    for (int i = 0; i < inv->n_calls; i++) {
        const cli_call *c = &inv->calls[i];
        CHECK(c->method && c->path && c->path[0] == '/');
        CHECK(strcmp(c->method, "GET") == 0 || strcmp(c->method, "POST") == 0 ||
              strcmp(c->method, "PUT") == 0 || strcmp(c->method, "DELETE") == 0);
        CHECK(!c->body || json_is_object(c->body));
        check_server_routes(c);
    }
    CHECK(inv->api_url &&
          (strncmp(inv->api_url, "http://", 7) == 0 || strncmp(inv->api_url, "https://", 8) == 0));
    CHECK(isfinite(inv->timeout_s) && inv->timeout_s > 0);
    CHECK(!inv->password || inv->username);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (size < 1)
        return 0;
    static const char *const apis[] = {NULL, "scheduler.example:10000", "https://[::1]:8443/",
                                       "ftp://x"};
    static const char *const ports[] = {NULL, "10001", "0", "x"};
    unsigned e = data[0];
    environment env = {apis[e & 3], ports[(e >> 2) & 3], (e & 16) ? "admin" : NULL,
                       (e & 32) ? "secret" : NULL};

    char *copy = malloc(size);
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    char *argv[MAX_ARGS + 2] = {"mesos-kafka"};
    int argc = 1;
    for (size_t i = 0; i < size - 1 && argc <= MAX_ARGS; i += strlen(copy + i) + 1)
        argv[argc++] = copy + i;
    if (size > 1 && data[size - 1] == '\0' && argc <= MAX_ARGS)
        argv[argc++] = copy + size - 1; /* a trailing NUL: a last, empty argument */
    argv[argc] = NULL;

    cli_env cenv = {.getenv = lookup, .getenv_ctx = &env, .out = sink, .err = sink};
    cli_invocation inv;
    int rc = cli_parse(argc, argv, &cenv, &inv);
    CHECK(rc == CLI_EXIT_OK || rc == CLI_EXIT_USAGE);
    if (rc == CLI_EXIT_OK) {
        check_invocation(&inv);
        cli_invocation_clear(&inv);
    }
    free(copy);
    return 0;
}
