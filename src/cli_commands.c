/*
 * cli_commands: the command-line client's table of commands and the help made from it (types in
 * cli_internal.h).
 *
 * Adding a command is adding a row: the parser (cli_parse.c) and `help` read nothing else. The
 * hooks below only add what a path template cannot express, and report a usage problem by
 * returning -1 with the sentence in `err`; they never print and never touch the network.
 */
#include "cli_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_http.h"

/* ---- hooks -------------------------------------------------------------------------------- */

int cli_parse_whole(const char *text, long long *out)
{
    if (!text || !*text)
        return -1;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    *out = strtoll(text, NULL, 10);
    return errno == ERANGE ? -1 : 0;
}

/* The value of a numeric option, checked, into body[key]; absent options add nothing. */
static int put_number_option(json_t *body, const char *key, const char *option, const char *text,
                             mk_err *err)
{
    if (!text)
        return 0;
    long long n;
    if (cli_parse_whole(text, &n) < 0)
        return mk_err_set(err, "--%s: '%s' is not a whole number", option, text);
    json_object_set_new(body, key, json_integer(n));
    return 0;
}

static void append_query(cli_call *call, const char *query)
{
    char *path = mk_xasprintf("%s%c%s", call->path, strchr(call->path, '?') ? '&' : '?', query);
    free(call->path);
    call->path = path;
}

static int complete_force(const cli_args *a, const char *const *args, int n_args,
                          cli_invocation *inv, mk_err *err)
{
    if (a->given & CLI_OPT_FORCE)
        append_query(&inv->calls[0], "force=true");
    return 0;
}

static int complete_reflate(const cli_args *a, const char *const *args, int n_args,
                            cli_invocation *inv, mk_err *err)
{
    static const char *const kinds[] = {"kafka", "zookeeper"};
    for (size_t k = 0; k < MK_ARRAY_LEN(kinds); k++) {
        if (n_args > 0 && strcmp(args[0], kinds[k]) != 0)
            continue;
        cli_call *call = &inv->calls[inv->n_calls++];
        call->method = "POST";
        call->path = mk_xasprintf("/v0/%s/reflate", kinds[k]);
    }
    if (inv->n_calls == 0)
        return mk_err_set(err, "KIND: '%s' is neither kafka nor zookeeper", args[0]);
    return 0;
}

static int complete_restart(const cli_args *a, const char *const *args, int n_args,
                            cli_invocation *inv, mk_err *err)
{
    bool all = a->given & CLI_OPT_ALL;
    if (all == (n_args > 0))
        return mk_err_set(err, all ? "give either ID or --all, not both"
                                   : "missing ID (or --all for a rolling restart of every broker)");
    cli_call *call = &inv->calls[inv->n_calls++];
    call->method = "PUT";
    if (all) {
        call->path = mk_xstrdup("/v1/brokers");
    } else {
        cleanup_free char *id = cli_path_escape(args[0]);
        call->path = mk_xasprintf("/v1/brokers/%s", id);
    }
    if (a->given & CLI_OPT_FORCE)
        append_query(call, "force=true");
    inv->follow_plan = !(a->given & CLI_OPT_NO_WAIT);
    return 0;
}

/* The broker settings given as options, as the JSON body of add and update ("--jvm-options"
 * is the setting jvm_options); the server judges the values. */
static int complete_broker_settings(const cli_args *a, const char *const *args, int n_args,
                                    cli_invocation *inv, mk_err *err)
{
    json_t *body = json_object();
    inv->calls[0].body = body;
    for (int i = 0; i < a->n_settings; i++) {
        char name[64];
        snprintf(name, sizeof(name), "%s", a->setting_names[i]);
        for (char *c = name; *c; c++)
            if (*c == '-')
                *c = '_';
        json_t *value = json_string(a->setting_values[i]);
        if (!value)
            return mk_err_set(err, "--%s: is not valid UTF-8", a->setting_names[i]);
        if (json_object_get(body, name)) {
            json_decref(value);
            return mk_err_set(err, "--%s: given twice", a->setting_names[i]);
        }
        json_object_set_new(body, name, value);
    }
    if (strcmp(inv->command->verb, "update") != 0)
        return 0;
    if (json_object_size(body) == 0)
        return mk_err_set(err, "give at least one setting to change (\"\" unsets one)");
    if (a->given & CLI_OPT_NO_RESTART)
        append_query(&inv->calls[0], "restart=false");
    if (a->given & CLI_OPT_FORCE)
        append_query(&inv->calls[0], "force=true");
    inv->follow_plan = !(a->given & CLI_OPT_NO_WAIT);
    return 0;
}

static int complete_broker_clone(const cli_args *a, const char *const *args, int n_args,
                                 cli_invocation *inv, mk_err *err)
{
    if (!a->source)
        return mk_err_set(err, "missing --source ID (the broker whose settings to copy)");
    json_t *source = json_string(a->source);
    if (!source)
        return mk_err_set(err, "--source: is not valid UTF-8");
    inv->calls[0].body = json_pack("{s:o}", "source", source);
    return 0;
}

static int complete_broker_force(const cli_args *a, const char *const *args, int n_args,
                                 cli_invocation *inv, mk_err *err)
{
    if (a->given & CLI_OPT_FORCE)
        append_query(&inv->calls[0], "force=true");
    return 0;
}

static int complete_topic_create(const cli_args *a, const char *const *args, int n_args,
                                 cli_invocation *inv, mk_err *err)
{
    json_t *body = json_pack("{s:s}", "name", args[0]); /* NAME is UTF-8: checked already */
    if (!body)
        return mk_err_set(err, "NAME: is not valid UTF-8");
    inv->calls[0].body = body;
    if (put_number_option(body, "partitions", "partitions", a->partitions, err) < 0 ||
        put_number_option(body, "replication", "replication", a->replication, err) < 0)
        return -1;
    if (a->n_configs == 0)
        return 0;
    json_t *configs = json_object();
    json_object_set_new(body, "configs", configs);
    for (int i = 0; i < a->n_configs; i++) {
        const char *eq = strchr(a->configs[i], '=');
        if (!eq || eq == a->configs[i])
            return mk_err_set(err, "--config: '%s' is not KEY=VALUE", a->configs[i]);
        cleanup_free char *key = mk_xstrndup(a->configs[i], (size_t)(eq - a->configs[i]));
        if (json_object_set_new(configs, key, json_string(eq + 1)) < 0)
            return mk_err_set(err, "--config: '%s' is not valid UTF-8", a->configs[i]);
    }
    return 0;
}

static int complete_topic_partitions(const cli_args *a, const char *const *args, int n_args,
                                     cli_invocation *inv, mk_err *err)
{
    long long count;
    cli_parse_whole(args[1], &count); /* checked as an CLI_ARG_NUMBER already */
    inv->calls[0].body = json_pack("{s:I}", "count", (json_int_t)count);
    return 0;
}

static int complete_topic_config(const cli_args *a, const char *const *args, int n_args,
                                 cli_invocation *inv, mk_err *err)
{
    inv->calls[0].body = json_pack("{s:s, s:s}", "key", args[1], "value", args[2]);
    return 0;
}

static int complete_producer_test(const cli_args *a, const char *const *args, int n_args,
                                  cli_invocation *inv, mk_err *err)
{
    long long messages = CLI_DEFAULT_TEST_MESSAGES;
    if (n_args > 1)
        cli_parse_whole(args[1], &messages);
    json_t *body = json_pack("{s:I}", "messages", (json_int_t)messages);
    inv->calls[0].body = body;
    return put_number_option(body, "size", "size", a->size, err);
}

#define CLI_NAME_ARG                                                                               \
    {                                                                                              \
        "NAME", CLI_ARG_TEXT                                                                       \
    }
#define CLI_COUNT_ARG                                                                              \
    {                                                                                              \
        "COUNT", CLI_ARG_NUMBER                                                                    \
    }

const cli_command cli_commands[] = {
    {.noun = "status",
     .method = "GET",
     .path = "/v0/status",
     .show = cli_show_status,
     .summary = "every ZooKeeper and Kafka member: state, task, health, address, failures",
     .example = "mesos-kafka status"},
    {.noun = "plan",
     .method = "GET",
     .path = "/v1/plan",
     .show = cli_show_plan,
     .summary = "the last restart plan and each broker's step in it",
     .example = "mesos-kafka plan"},
    {.noun = "connection",
     .method = "GET",
     .path = "/v1/connection",
     .show = cli_show_fields,
     .summary = "the addresses Kafka clients and tools need (brokers, bootstrap, ZooKeeper)",
     .example = "mesos-kafka connection"},
    {.noun = "kafka",
     .verb = "scale",
     .args = {CLI_COUNT_ARG},
     .required = 1,
     .options = CLI_OPT_FORCE,
     .method = "POST",
     .path = "/v0/kafka/scale/{0}",
     .complete = complete_force,
     .show = cli_show_scale,
     .synopsis = "COUNT [--force]",
     .summary = "run COUNT brokers; fewer is refused while the brokers to remove hold "
                "partitions, unless --force",
     .example = "mesos-kafka kafka scale 5"},
    {.noun = "kafka",
     .verb = "reflate",
     .method = "POST",
     .path = "/v0/kafka/reflate",
     .show = cli_show_reflate,
     .summary = "start again the brokers that were killed or gave up",
     .example = "mesos-kafka kafka reflate"},
    {.noun = "zookeeper",
     .verb = "scale",
     .args = {CLI_COUNT_ARG},
     .required = 1,
     .method = "POST",
     .path = "/v0/zookeeper/scale/{0}",
     .show = cli_show_scale,
     .synopsis = "COUNT",
     .summary = "run COUNT ZooKeeper servers (an odd number)",
     .example = "mesos-kafka zookeeper scale 5"},
    {.noun = "zookeeper",
     .verb = "reflate",
     .method = "POST",
     .path = "/v0/zookeeper/reflate",
     .show = cli_show_reflate,
     .summary = "start again the ZooKeeper servers that were killed or gave up",
     .example = "mesos-kafka zookeeper reflate"},
    {.noun = "reflate",
     .args = {{"KIND", CLI_ARG_TEXT}},
     .complete = complete_reflate,
     .show = cli_show_reflate,
     .synopsis = "[kafka|zookeeper]",
     .summary = "start again the members that were killed or gave up (both kinds by default)",
     .example = "mesos-kafka reflate"},
    {.noun = "kill",
     .args = {{"TASK", CLI_ARG_TEXT}},
     .required = 1,
     .method = "POST",
     .path = "/v0/task/kill/{0}",
     .show = cli_show_kill,
     .synopsis = "TASK",
     .summary = "kill a task; its member stays down until a reflate",
     .example = "mesos-kafka kill kafka-2.3f0c6a52-9d1e-4c55-8d0e-2b8f3c1d7a10"},
    {.noun = "container",
     .args = {{"TASK", CLI_ARG_TEXT}},
     .required = 1,
     .method = "GET",
     .path = "/v0/container/{0}",
     .show = cli_show_fields,
     .synopsis = "TASK",
     .summary = "everything the scheduler knows about one task",
     .example = "mesos-kafka container zookeeper-1.8a1d2f3e-5b6c-4d7e-9f80-1a2b3c4d5e6f"},
    {.noun = "broker",
     .verb = "list",
     .method = "GET",
     .path = "/v1/brokers",
     .show = cli_show_broker_list,
     .summary = "the brokers and whether each is registered",
     .example = "mesos-kafka broker list"},
    {.noun = "broker",
     .verb = "add",
     .args = {{"EXPR", CLI_ARG_TEXT}},
     .required = 1,
     .options = CLI_OPT_SETTING,
     .method = "POST",
     .path = "/v1/brokers/{0}/add",
     .complete = complete_broker_settings,
     .show = cli_show_fields,
     .synopsis = "IDS [--cpus N] [--mem MB] [--heap MB] [--disk MB] [--port P|A..B] "
                 "[--options K=V,..] [--jvm-options TEXT] [--log4j-options K=V,..] "
                 "[--constraints ATTR=OP[:VALUE],..] [--failover-delay D] "
                 "[--failover-max-delay D] [--failover-max-tries N] [--stickiness-period D] "
                 "[--image IMAGE]",
     .summary = "add brokers (ids such as 3 or 3..4), stopped until started; each setting not "
                "given follows the environment's (KAFKA_CPU, KAFKA_OPTIONS, ...)",
     .example = "mesos-kafka broker add 3..4 --cpus 0.5 --mem 768 --heap 256 "
                "--options num.io.threads=4 --constraints rack=like:r2"},
    {.noun = "broker",
     .verb = "clone",
     .args = {{"IDS", CLI_ARG_TEXT}},
     .required = 1,
     .options = CLI_OPT_SOURCE,
     .method = "POST",
     .path = "/v1/brokers/{0}/clone",
     .complete = complete_broker_clone,
     .show = cli_show_fields,
     .synopsis = "IDS --source ID",
     .summary = "add brokers with every setting of broker ID, stopped until started",
     .example = "mesos-kafka broker clone 5 --source 0"},
    {.noun = "broker",
     .verb = "update",
     .args = {{"EXPR", CLI_ARG_TEXT}},
     .required = 1,
     .options = CLI_OPT_SETTING | CLI_OPT_NO_RESTART | CLI_OPT_FORCE | CLI_OPT_NO_WAIT,
     .method = "POST",
     .path = "/v1/brokers/{0}/update",
     .complete = complete_broker_settings,
     .show = cli_show_broker_update,
     .synopsis = "EXPR [the settings of add; \"\" unsets one] [--no-restart] [--force] "
                 "[--no-wait]",
     .summary = "change the settings of the brokers EXPR names (0, 0..2, *, *[rack=r1]); the "
                "running ones the change needs restarting are restarted one at a time, as "
                "`broker restart` does, unless --no-restart",
     .example = "mesos-kafka broker update 0..2 --options log.retention.hours=48"},
    {.noun = "broker",
     .verb = "start",
     .args = {{"EXPR", CLI_ARG_TEXT}},
     .required = 1,
     .method = "POST",
     .path = "/v1/brokers/{0}/start",
     .show = cli_show_fields,
     .synopsis = "EXPR",
     .summary = "run stopped brokers (added, stopped, or given up after failures)",
     .example = "mesos-kafka broker start 3..4"},
    {.noun = "broker",
     .verb = "stop",
     .args = {{"EXPR", CLI_ARG_TEXT}},
     .required = 1,
     .options = CLI_OPT_FORCE,
     .method = "POST",
     .path = "/v1/brokers/{0}/stop",
     .complete = complete_broker_force,
     .show = cli_show_fields,
     .synopsis = "EXPR [--force]",
     .summary = "stop brokers until started; refused while a partition would fall below its "
                "min.insync.replicas, unless --force",
     .example = "mesos-kafka broker stop 1"},
    {.noun = "broker",
     .verb = "remove",
     .args = {{"EXPR", CLI_ARG_TEXT}},
     .required = 1,
     .options = CLI_OPT_FORCE,
     .method = "POST",
     .path = "/v1/brokers/{0}/remove",
     .complete = complete_broker_force,
     .show = cli_show_fields,
     .synopsis = "EXPR [--force]",
     .summary = "remove brokers for good; refused while they hold partition replicas, unless "
                "--force",
     .example = "mesos-kafka broker remove 5"},
    {.noun = "broker",
     .verb = "describe",
     .args = {{"ID", CLI_ARG_NUMBER}},
     .required = 1,
     .method = "GET",
     .path = "/v1/brokers/{0}",
     .show = cli_show_fields,
     .synopsis = "ID",
     .summary = "one broker: its task and its registration in ZooKeeper",
     .example = "mesos-kafka broker describe 0"},
    {.noun = "broker",
     .verb = "restart",
     .args = {{"ID", CLI_ARG_NUMBER}},
     .options = CLI_OPT_FORCE | CLI_OPT_NO_WAIT | CLI_OPT_ALL,
     .complete = complete_restart,
     .show = cli_show_restart,
     .synopsis = "ID | --all  [--force] [--no-wait]",
     .summary = "restart one broker, or all one at a time, waiting until each is back and in "
                "sync; refused while a partition would lose its in-sync replicas, unless "
                "--force; --no-wait returns once the restart has started",
     .example = "mesos-kafka broker restart --all"},
    {.noun = "topic",
     .verb = "list",
     .method = "GET",
     .path = "/v1/topics",
     .show = cli_show_topic_list,
     .summary = "every topic, internal ones included",
     .example = "mesos-kafka topic list"},
    {.noun = "topic",
     .verb = "create",
     .args = {CLI_NAME_ARG},
     .required = 1,
     .options = CLI_OPT_PARTITIONS | CLI_OPT_REPLICATION | CLI_OPT_CONFIG,
     .method = "POST",
     .path = "/v1/topics",
     .complete = complete_topic_create,
     .show = cli_show_topic_created,
     .synopsis = "NAME [--partitions N] [--replication N] [--config KEY=VALUE]...",
     .summary = "create a topic (1 partition and min(3, brokers) replicas by default)",
     .example = "mesos-kafka topic create orders --partitions 6 --replication 3 "
                "--config retention.ms=86400000"},
    {.noun = "topic",
     .verb = "describe",
     .args = {CLI_NAME_ARG},
     .required = 1,
     .method = "GET",
     .path = "/v1/topics/{0}",
     .show = cli_show_topic_describe,
     .synopsis = "NAME",
     .summary = "partitions with leader, replicas and in-sync replicas, and the topic's configs",
     .example = "mesos-kafka topic describe orders"},
    {.noun = "topic",
     .verb = "offsets",
     .args = {CLI_NAME_ARG},
     .required = 1,
     .method = "GET",
     .path = "/v1/topics/{0}/offsets",
     .show = cli_show_topic_offsets,
     .synopsis = "NAME",
     .summary = "the earliest and latest offset of each partition",
     .example = "mesos-kafka topic offsets orders"},
    {.noun = "topic",
     .verb = "partitions",
     .args = {CLI_NAME_ARG, CLI_COUNT_ARG},
     .required = 2,
     .method = "PUT",
     .path = "/v1/topics/{0}/partitions",
     .complete = complete_topic_partitions,
     .show = cli_show_topic_partitions,
     .synopsis = "NAME COUNT",
     .summary = "raise the topic's partition count to COUNT (keyed messages may change partition)",
     .example = "mesos-kafka topic partitions orders 12"},
    {.noun = "topic",
     .verb = "config",
     .args = {CLI_NAME_ARG, {"KEY", CLI_ARG_TEXT}, {"VALUE", CLI_ARG_TEXT}},
     .required = 3,
     .method = "PUT",
     .path = "/v1/topics/{0}/config",
     .complete = complete_topic_config,
     .show = cli_show_topic_configs,
     .synopsis = "NAME KEY VALUE",
     .summary = "set one config of the topic",
     .example = "mesos-kafka topic config orders cleanup.policy compact"},
    {.noun = "topic",
     .verb = "delete-config",
     .args = {CLI_NAME_ARG, {"KEY", CLI_ARG_TEXT}},
     .required = 2,
     .method = "DELETE",
     .path = "/v1/topics/{0}/config/{1}",
     .show = cli_show_topic_configs,
     .synopsis = "NAME KEY",
     .summary = "remove a config from the topic (the broker's default applies again)",
     .example = "mesos-kafka topic delete-config orders cleanup.policy"},
    {.noun = "topic",
     .verb = "delete",
     .args = {CLI_NAME_ARG},
     .required = 1,
     .method = "DELETE",
     .path = "/v1/topics/{0}",
     .show = cli_show_topic_deleted,
     .synopsis = "NAME",
     .summary = "delete the topic and its data",
     .example = "mesos-kafka topic delete orders"},
    {.noun = "topic",
     .verb = "producer-test",
     .args = {CLI_NAME_ARG, {"MESSAGES", CLI_ARG_NUMBER}},
     .required = 1,
     .options = CLI_OPT_SIZE,
     .method = "POST",
     .path = "/v1/topics/{0}/producer-test",
     .complete = complete_producer_test,
     .show = cli_show_producer_test,
     .synopsis = "NAME [MESSAGES] [--size BYTES]",
     .summary = "write MESSAGES records (default 1000, 100 bytes each) with acks=all and show "
                "throughput and latency",
     .example = "mesos-kafka topic producer-test orders 100000 --size 512 --timeout 120"},
    {.noun = "topic",
     .verb = "under-replicated",
     .method = "GET",
     .path = "/v1/partitions/under-replicated",
     .show = cli_show_under_replicated,
     .summary = "partitions with fewer in-sync replicas than replicas",
     .example = "mesos-kafka topic under-replicated"},
    {.noun = "topic",
     .verb = "unavailable",
     .method = "GET",
     .path = "/v1/partitions/unavailable",
     .show = cli_show_unavailable,
     .summary = "partitions without a leader",
     .example = "mesos-kafka topic unavailable"},
};

const cli_option cli_command_options[] = {
    {"force", CLI_OPT_FORCE, false},
    {"no-wait", CLI_OPT_NO_WAIT, false},
    {"all", CLI_OPT_ALL, false},
    {"partitions", CLI_OPT_PARTITIONS, true},
    {"replication", CLI_OPT_REPLICATION, true},
    {"config", CLI_OPT_CONFIG, true},
    {"size", CLI_OPT_SIZE, true},
    {"no-restart", CLI_OPT_NO_RESTART, false},
    {"source", CLI_OPT_SOURCE, true},
    {"cpus", CLI_OPT_SETTING, true},
    {"mem", CLI_OPT_SETTING, true},
    {"heap", CLI_OPT_SETTING, true},
    {"disk", CLI_OPT_SETTING, true},
    {"port", CLI_OPT_SETTING, true},
    {"options", CLI_OPT_SETTING, true},
    {"jvm-options", CLI_OPT_SETTING, true},
    {"log4j-options", CLI_OPT_SETTING, true},
    {"constraints", CLI_OPT_SETTING, true},
    {"failover-delay", CLI_OPT_SETTING, true},
    {"failover-max-delay", CLI_OPT_SETTING, true},
    {"failover-max-tries", CLI_OPT_SETTING, true},
    {"stickiness-period", CLI_OPT_SETTING, true},
    {"image", CLI_OPT_SETTING, true},
};

const size_t cli_n_commands = MK_ARRAY_LEN(cli_commands);
const size_t cli_n_command_options = MK_ARRAY_LEN(cli_command_options);

/* ---- help --------------------------------------------------------------------------------- */

#define HELP_WIDTH 100

/* `text` indented, its words wrapped before HELP_WIDTH. */
static void print_wrapped(const char *indent, const char *text, FILE *out)
{
    size_t column = 0, indent_len = strlen(indent);
    for (const char *p = text; *p;) {
        size_t word = strcspn(p, " ");
        if (column == 0) {
            fputs(indent, out);
            column = indent_len;
        } else if (column + 1 + word > HELP_WIDTH) {
            fprintf(out, "\n%s", indent);
            column = indent_len;
        } else {
            fputc(' ', out);
            column++;
        }
        fprintf(out, "%.*s", (int)word, p);
        column += word;
        p += word;
        p += strspn(p, " ");
    }
    fputc('\n', out);
}

static void print_command_usage(const cli_command *c, bool with_example, FILE *out)
{
    fprintf(out, "  mesos-kafka %s%s%s%s%s\n", c->noun, c->verb ? " " : "", c->verb ? c->verb : "",
            c->synopsis ? " " : "", c->synopsis ? c->synopsis : "");
    print_wrapped("      ", c->summary, out);
    if (with_example)
        fprintf(out, "      example: %s\n", c->example);
}

static void print_options_help(FILE *out)
{
    fprintf(out,
            "Options (anywhere on the line):\n"
            "  --api URL     the scheduler's API (default: $MESOS_KAFKA_API, else\n"
            "                http://127.0.0.1:$FRAMEWORK_PORT, port %d when that is unset)\n"
            "  --user NAME   the name for HTTP Basic auth (default: $AUTH_USERNAME); the password\n"
            "                is read from $AUTH_PASSWORD (or the file $AUTH_PASSWORD_FILE) only,\n"
            "                never from the command line\n"
            "An https:// URL is verified against the CA certificates in $MESOS_KAFKA_CA_CERT\n"
            "(a PEM file; default: the system's).\n"
            "  --json        print the server's JSON reply instead of tables\n"
            "  --timeout S   seconds to wait for each request (default %.0f)\n",
            CLI_DEFAULT_PORT, CLI_DEFAULT_TIMEOUT_S);
}

/* The whole list (noun NULL), or one noun's commands with examples, or one command. */
char *cli_help_text(const char *noun, const cli_command *only)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        abort();
    if (only) {
        fprintf(out, "usage:\n");
        print_command_usage(only, true, out);
    } else if (noun) {
        fprintf(out, "usage:\n");
        for (size_t i = 0; i < cli_n_commands; i++)
            if (strcmp(cli_commands[i].noun, noun) == 0)
                print_command_usage(&cli_commands[i], true, out);
    } else {
        fprintf(out, "usage: mesos-kafka <command> [arguments] [options]\n\n"
                     "Commands, sent to a running scheduler's HTTP API:\n");
        for (size_t i = 0; i < cli_n_commands; i++)
            print_command_usage(&cli_commands[i], false, out);
        fprintf(out, "  mesos-kafka help [NOUN]\n      this text, or one noun's commands "
                     "with examples\n\n");
        print_options_help(out);
        fprintf(out, "\nExit status: 0 done, 1 the scheduler refused or the operation failed,\n"
                     "2 a wrong command line, 3 the scheduler could not be reached.\n"
                     "`mesos-kafka --help` lists the scheduler's own environment variables.\n");
    }
    fclose(out);
    return text;
}
