/*
 * cli: `mesos-kafka <noun> <verb> [args]`, the operator's client of the scheduler's HTTP API (see
 * cli.h for the contract: where it connects, credentials, exit statuses).
 *
 * The client is four steps, each in its own file: the command line becomes requests
 * (cli_parse.c, against the table in cli_commands.c), the requests go out (cli_http.c), the
 * replies are shown (cli_show.c, cli_table.c) or the refusal explained, and, for a restart, the
 * plan is followed. This file runs those steps.
 *
 * A restart answers 202 with a plan; the client then reads GET /v1/plan every second and prints
 * what changed (cli_show_plan_changes) until the plan is done (exit 0) or failed (exit 1). While
 * it is blocked, the reason is printed each time it changes and the client keeps waiting. A lost
 * connection while following is retried for --timeout seconds before giving up with exit 3; a plan
 * that disappears or is replaced (a scheduler restart) ends the wait with exit 1. With --json the
 * progress lines are left out and one document is printed at the end: the 202 reply with the plan
 * as it ended.
 */
#include "cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_http.h"
#include "cli_internal.h"
#include "cli_show.h"
#include "util.h"

/* ---- running ------------------------------------------------------------------------------ */

static void print_json(const json_t *doc, FILE *out)
{
    json_dumpf(doc, out, JSON_INDENT(2));
    fputc('\n', out);
}

static void report_unreachable(const cli_env *env, const cli_invocation *inv, const mk_err *err)
{
    bool plain = strncmp(inv->api_url, "http://", 7) == 0;
    fprintf(env->err,
            "mesos-kafka: cannot reach the scheduler: %s\n"
            "mesos-kafka: is it running at %s? Set MESOS_KAFKA_API or --api to its API's URL%s\n",
            err->msg, inv->api_url,
            plain ? " (https://... if it serves HTTPS, with FRAMEWORK_TLS_CERT)" : "");
}

static void sleep_seconds(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

static double plan_started_at(const json_t *plan)
{
    const json_t *t = json_object_get(plan, "started_at");
    return json_is_number(t) ? json_number_value(t) : NAN;
}

/* After a restart's 202: reads the plan until it is done or failed, printing what changes. */
static int follow_plan(cli_http *http, const cli_invocation *inv, const cli_env *env,
                       const json_t *accepted)
{
    FILE *out = env->out;
    if (!inv->json) {
        const json_t *restarting = json_object_get(accepted, "restarting");
        fputs("restarting", out);
        size_t i;
        const json_t *id;
        json_array_foreach(restarting, i, id)
        {
            fprintf(out, "%s kafka-%" JSON_INTEGER_FORMAT, i ? "," : "", json_integer_value(id));
        }
        fprintf(out, "%s; following the plan (Ctrl-C stops watching, not the restart)\n",
                json_array_size(restarting) > 1 ? " one at a time" : "");
        fflush(out);
    }
    const json_t *first = json_object_get(accepted, "plan");
    cleanup_json json_t *current = json_is_object(first) ? json_incref((json_t *)first) : NULL;
    cleanup_json json_t *previous = NULL;
    double started_at = current ? plan_started_at(current) : NAN;
    double lost_since = -1;
    for (;;) {
        if (current) {
            const char *state = json_string_value(json_object_get(current, "state"));
            state = state ? state : "?";
            if (!inv->json)
                cli_show_plan_changes(previous, current, out);
            fflush(out);
            bool done = strcmp(state, "done") == 0, failed = strcmp(state, "failed") == 0;
            if (done || failed) {
                if (inv->json) { /* one document: the 202's, with the plan as it ended */
                    cleanup_json json_t *doc = json_deep_copy(accepted);
                    json_object_set(doc, "plan", current);
                    print_json(doc, out);
                } else if (done) {
                    const char *message = json_string_value(json_object_get(current, "message"));
                    fprintf(out, "restart done%s%s\n", message ? ": " : "", message ? message : "");
                }
                if (failed) {
                    const char *message = json_string_value(json_object_get(current, "message"));
                    fprintf(env->err, "mesos-kafka: the restart failed%s%s\n", message ? ": " : "",
                            message ? message : "");
                }
                return done ? CLI_EXIT_OK : CLI_EXIT_FAILED;
            }
            json_decref(previous);
            previous = current;
            current = NULL;
        }
        sleep_seconds(env->poll_interval_s);

        cli_reply reply;
        mk_err err = {{0}};
        if (cli_http_call(http, "GET", "/v1/plan", NULL, &reply, &err) < 0) {
            double now = mk_now_monotonic();
            if (lost_since < 0) {
                lost_since = now;
                fprintf(env->err, "mesos-kafka: lost the scheduler (%s); retrying for %g s\n",
                        err.msg, inv->timeout_s);
            }
            if (now - lost_since > inv->timeout_s) {
                report_unreachable(env, inv, &err);
                return CLI_EXIT_UNREACHABLE;
            }
            continue; /* `previous` stays, so nothing is printed twice once it answers */
        }
        lost_since = -1;
        if (reply.status < 200 || reply.status > 299) {
            cli_show_refusal(&reply, "GET", "/v1/plan", inv->username, env->err);
            cli_reply_clear(&reply);
            return CLI_EXIT_FAILED;
        }
        const json_t *plan = json_object_get(reply.json, "plan");
        if (!json_is_object(plan) || (!isnan(started_at) && plan_started_at(plan) != started_at)) {
            fprintf(env->err,
                    "mesos-kafka: the scheduler %s; `mesos-kafka plan` and "
                    "`mesos-kafka broker list` show where things stand\n",
                    json_is_object(plan) ? "now shows another plan" : "no longer has the plan");
            cli_reply_clear(&reply);
            return CLI_EXIT_FAILED;
        }
        if (isnan(started_at))
            started_at = plan_started_at(plan);
        current = json_incref((json_t *)plan);
        cli_reply_clear(&reply);
    }
}

/* One request: its reply shown, or the refusal; returns the exit status. */
static int run_call(cli_http *http, const cli_invocation *inv, const cli_call *call,
                    const cli_env *env)
{
    cli_reply reply;
    mk_err err = {{0}};
    int rc = cli_http_call(http, call->method, call->path, call->body, &reply, &err);
    if (rc == CLI_HTTP_TLS_FAILED) {
        fprintf(env->err, "mesos-kafka: %s\n", err.msg); /* one line: the URL is in it */
        return CLI_EXIT_UNREACHABLE;
    }
    if (rc < 0) {
        report_unreachable(env, inv, &err);
        return CLI_EXIT_UNREACHABLE;
    }
    int status = CLI_EXIT_OK;
    bool success = reply.status >= 200 && reply.status <= 299;
    if (!success) {
        if (inv->json && reply.json)
            print_json(reply.json, env->out);
        cli_show_refusal(&reply, call->method, call->path, inv->username, env->err);
        status = CLI_EXIT_FAILED;
    } else if (!reply.json) {
        fprintf(env->err,
                "mesos-kafka: %s %s%s answered %ld without a JSON body; is that the "
                "scheduler's API?\n",
                call->method, cli_http_base(http), call->path, reply.status);
        status = CLI_EXIT_FAILED;
    } else if (inv->follow_plan && reply.status == 202 && json_is_object(reply.json)) {
        status = follow_plan(http, inv, env, reply.json);
    } else if (inv->json) {
        print_json(reply.json, env->out);
    } else {
        inv->command->show(reply.json, env->out);
    }
    cli_reply_clear(&reply);
    return status;
}

int cli_run(int argc, char **argv, const cli_env *given)
{
    cli_env env = given ? *given : (cli_env){0};
    env.out = env.out ? env.out : stdout;
    env.err = env.err ? env.err : stderr;
    env.poll_interval_s = env.poll_interval_s > 0 ? env.poll_interval_s : 1.0;

    cli_invocation inv;
    int status = cli_parse(argc, argv, &env, &inv);
    if (status != CLI_EXIT_OK)
        return status;
    if (inv.help_only) {
        fputs(inv.help_text, env.out);
        cli_invocation_clear(&inv);
        return CLI_EXIT_OK;
    }
    cleanup_http cli_http *http =
        cli_http_new(inv.api_url, inv.username, inv.password, inv.timeout_s);
    cli_http_set_ca_cert(http, inv.ca_cert);
    for (int i = 0; i < inv.n_calls && status == CLI_EXIT_OK; i++)
        status = run_call(http, &inv, &inv.calls[i], &env);
    fflush(env.out);
    cli_invocation_clear(&inv);
    return status;
}

int cli_main(int argc, char **argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int status = cli_run(argc, argv, NULL);
    curl_global_cleanup();
    return status;
}
