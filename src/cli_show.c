/*
 * cli_show: the scheduler's replies as tables and lines for a person (see cli_show.h).
 *
 * Sections: small readers of JSON fields; the /v0 replies; brokers and the restart plan; topics;
 * refusals. Each function reads the document it knows and ignores what it does not, so a field
 * added to the API later changes nothing here.
 */
#include "cli_show.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "cli_table.h"
#include "util.h"

/* ---- readers ------------------------------------------------------------------------------ */

static const json_t *field(const json_t *obj, const char *key)
{
    return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

static const char *text_field(const json_t *obj, const char *key, const char *fallback)
{
    const char *s = json_string_value(field(obj, key));
    return s ? s : fallback;
}

static double number_field(const json_t *obj, const char *key, double fallback)
{
    const json_t *v = field(obj, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

/* A whole number without decimals, anything else with one ("10", "12.5"), "-" when unknown. */
static void put_number(FILE *out, double v)
{
    if (!isfinite(v))
        fputc('-', out);
    else if (v == floor(v) && fabs(v) < 1e15)
        fprintf(out, "%.0f", v);
    else
        fprintf(out, "%.1f", v);
}

/* With a fixed number of decimals, "-" when unknown. */
static void put_fixed(FILE *out, int decimals, double v)
{
    if (isfinite(v))
        fprintf(out, "%.*f", decimals, v);
    else
        fputc('-', out);
}

static const json_t *array_field(const json_t *obj, const char *key)
{
    const json_t *v = field(obj, key);
    return json_is_array(v) ? v : NULL;
}

/* Local time of a Unix timestamp, "2025-11-30 06:40:00", or "-". */
static void format_time(const json_t *t, char out[32])
{
    if (!json_is_number(t)) {
        snprintf(out, 32, "-");
        return;
    }
    time_t seconds = (time_t)json_number_value(t);
    struct tm tm;
    if (!localtime_r(&seconds, &tm) || strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, 32, "-");
}

/* One table row per array item, each column the item's field of that name. */
static void print_rows(const json_t *items, size_t n_columns, const char *const *headers,
                       const char *const *keys, FILE *out)
{
    cleanup_table cli_table *t = cli_table_new(n_columns, headers);
    size_t i;
    const json_t *item;
    json_array_foreach(items, i, item)
    {
        const json_t *values[n_columns];
        for (size_t c = 0; c < n_columns; c++)
            values[c] = field(item, keys[c]);
        cli_table_add_json(t, values);
    }
    cli_table_print(t, out);
}

/* ---- /v0 ---------------------------------------------------------------------------------- */

static const char *health_text(const json_t *healthy)
{
    if (json_is_true(healthy))
        return "healthy";
    if (json_is_false(healthy))
        return "unhealthy";
    return "-";
}

void cli_show_status(const json_t *reply, FILE *out)
{
    const char *headers[] = {"NAME",    "STATE",    "TASK-STATE", "HEALTH",
                             "ADDRESS", "FAILURES", "TASK-ID"};
    cleanup_table cli_table *t = cli_table_new(MK_ARRAY_LEN(headers), headers);
    const json_t *members = array_field(reply, "members");
    size_t i;
    const json_t *m;
    json_array_foreach(members, i, m)
    {
        cleanup_free char *failures = cli_cell_text(field(m, "failures"));
        const char *cells[] = {text_field(m, "name", "-"),       text_field(m, "state", "-"),
                               text_field(m, "task_state", "-"), health_text(field(m, "healthy")),
                               text_field(m, "address", "-"),    failures,
                               text_field(m, "task_id", "-")};
        cli_table_add(t, cells);
    }
    cli_table_print(t, out);
    json_array_foreach(members, i, m)
    {
        const char *message = json_string_value(field(m, "message"));
        if (message && *message)
            fprintf(out, "  %s: %s\n", text_field(m, "name", "?"), message);
    }

    const json_t *zk = field(reply, "zookeeper");
    const json_t *kafka = field(reply, "kafka");
    const json_t *quorum = field(zk, "quorum");
    fprintf(out,
            "zookeeper quorum: %s (%.0f desired) | kafka registered: %.0f of %.0f | "
            "bootstrap: %s\n",
            json_is_true(quorum)    ? "yes"
            : json_is_false(quorum) ? "no"
                                    : "-",
            number_field(zk, "desired", 0), number_field(kafka, "registered", 0),
            number_field(kafka, "desired", 0), text_field(kafka, "bootstrap", "-"));
    const json_t *framework = field(reply, "framework");
    if (json_is_false(field(framework, "subscribed")))
        fprintf(out, "the scheduler is not subscribed to Mesos at the moment\n");
}

void cli_show_scale(const json_t *reply, FILE *out)
{
    fprintf(out, "%s: ", text_field(reply, "kind", "?"));
    if (json_is_true(field(reply, "unchanged"))) {
        put_number(out, number_field(reply, "count", NAN));
        fputs(" members already, unchanged\n", out);
    } else {
        put_number(out, number_field(reply, "previous", NAN));
        fputs(" -> ", out);
        put_number(out, number_field(reply, "count", NAN));
        fputs(" members\n", out);
    }
    const json_t *removing = array_field(reply, "removing");
    if (json_array_size(removing) > 0) {
        cleanup_free char *names = cli_cell_text(removing);
        fprintf(out, "removing: %s\n", names);
    }
}

void cli_show_reflate(const json_t *reply, FILE *out)
{
    const json_t *scheduled = array_field(reply, "scheduled");
    const char *kind = text_field(reply, "kind", "?");
    if (json_array_size(scheduled) == 0) {
        fprintf(out, "%s: nothing to reflate, every member has a live task\n", kind);
        return;
    }
    cleanup_free char *names = cli_cell_text(scheduled);
    fprintf(out, "%s: scheduled to start again: %s\n", kind, names);
}

void cli_show_kill(const json_t *reply, FILE *out)
{
    const char *member = text_field(reply, "member", "?");
    fprintf(out, "killed task %s of %s; it stays down until `mesos-kafka %.*s reflate`\n",
            text_field(reply, "killed", "?"), member, (int)strcspn(member, "-"), member);
}

void cli_show_fields(const json_t *reply, FILE *out)
{
    cli_print_object(reply, "KEY", "VALUE", out);
}

/* ---- brokers and the restart plan --------------------------------------------------------- */

void cli_show_broker_list(const json_t *reply, FILE *out)
{
    const char *headers[] = {"ID", "STATE", "REGISTERED", "ADDRESS", "TASK-ID"};
    const char *keys[] = {"id", "state", "registered", "address", "task_id"};
    print_rows(array_field(reply, "brokers"), MK_ARRAY_LEN(headers), headers, keys, out);
    const json_t *controller = field(reply, "controller");
    if (json_is_integer(controller))
        fprintf(out, "controller: broker %" JSON_INTEGER_FORMAT "\n",
                json_integer_value(controller));
}

static void print_plan(const json_t *plan, FILE *out)
{
    char started[32], finished[32];
    format_time(field(plan, "started_at"), started);
    format_time(field(plan, "finished_at"), finished);
    fprintf(out, "%s: %s (started %s, finished %s%s)\n", text_field(plan, "kind", "plan"),
            text_field(plan, "state", "?"), started, finished,
            json_is_true(field(plan, "force")) ? ", forced" : "");
    const char *message = json_string_value(field(plan, "message"));
    if (message && *message)
        fprintf(out, "%s\n", message);
    const char *headers[] = {"BROKER", "STATE", "OLD-TASK-ID", "TASK-ID", "MESSAGE"};
    const char *keys[] = {"broker", "state", "old_task_id", "task_id", "message"};
    print_rows(array_field(plan, "steps"), MK_ARRAY_LEN(headers), headers, keys, out);
}

void cli_show_plan(const json_t *reply, FILE *out)
{
    const json_t *plan = field(reply, "plan");
    if (!json_is_object(plan)) {
        fprintf(out, "no plan has run since the scheduler started\n");
        return;
    }
    print_plan(plan, out);
}

void cli_show_restart(const json_t *reply, FILE *out)
{
    cleanup_free char *ids = cli_cell_text(field(reply, "restarting"));
    fprintf(out, "restarting broker(s) %s; follow it with `mesos-kafka plan`\n", ids);
}

void cli_show_broker_update(const json_t *reply, FILE *out)
{
    cleanup_free char *ids = cli_cell_text(field(reply, "updated"));
    cleanup_free char *restart = cli_cell_text(field(reply, "needs_restart"));
    fprintf(out, "updated broker(s) %s; the change needs a restart of %s\n", ids,
            json_array_size(field(reply, "needs_restart")) ? restart : "none");
    if (field(reply, "restarting"))
        cli_show_restart(reply, out);
}

static void print_step_change(const json_t *step, FILE *out)
{
    char name[32];
    snprintf(name, sizeof(name), "kafka-%.0f", number_field(step, "broker", -1));
    const char *state = text_field(step, "state", "?");
    const char *message = json_string_value(field(step, "message"));
    const char *task = text_field(step, "task_id", text_field(step, "old_task_id", NULL));
    if (strcmp(state, "pending") == 0)
        return;
    if (strcmp(state, "restarting") == 0 && task)
        fprintf(out, "%s: restarting (task %s)\n", name, task);
    else if (strcmp(state, "restarting") == 0)
        fprintf(out, "%s: restarting (it had no task; waiting for a new one)\n", name);
    else if (strcmp(state, "waiting") == 0 && message)
        fprintf(out, "%s: waiting: %s\n", name, message);
    else if (strcmp(state, "waiting") == 0)
        fprintf(out,
                "%s: started (task %s), waiting for it to register and for its partitions "
                "to be in sync\n",
                name, task ? task : "-");
    else if (strcmp(state, "done") == 0)
        fprintf(out, "%s: registered again, no under-replicated partitions\n", name);
    else if (strcmp(state, "failed") == 0)
        fprintf(out, "%s: failed: %s\n", name, message ? message : "no reason given");
    else
        fprintf(out, "%s: %s%s%s\n", name, state, message ? ": " : "", message ? message : "");
}

static bool same_text(const json_t *a, const json_t *b)
{
    const char *x = json_string_value(a), *y = json_string_value(b);
    return (!x && !y) || (x && y && strcmp(x, y) == 0);
}

void cli_show_plan_changes(const json_t *before, const json_t *after, FILE *out)
{
    const json_t *old_steps = array_field(before, "steps");
    size_t i;
    const json_t *step;
    json_array_foreach(array_field(after, "steps"), i, step)
    {
        const json_t *old = json_array_get(old_steps, i);
        bool changed = !old || !same_text(field(old, "state"), field(step, "state")) ||
                       !same_text(field(old, "task_id"), field(step, "task_id")) ||
                       !same_text(field(old, "message"), field(step, "message"));
        if (changed)
            print_step_change(step, out);
    }
    const char *state = text_field(after, "state", "?");
    bool was_blocked = strcmp(text_field(before, "state", ""), "blocked") == 0;
    bool blocked = strcmp(state, "blocked") == 0;
    if (blocked && (!was_blocked || !same_text(field(before, "message"), field(after, "message"))))
        fprintf(out, "blocked: %s\n", text_field(after, "message", "no reason given"));
    else if (was_blocked && strcmp(state, "running") == 0)
        fprintf(out, "no longer blocked, going on\n");
}

/* ---- topics ------------------------------------------------------------------------------- */

void cli_show_topic_list(const json_t *reply, FILE *out)
{
    const char *headers[] = {"TOPIC"};
    cleanup_table cli_table *t = cli_table_new(1, headers);
    size_t i;
    const json_t *name;
    json_array_foreach(array_field(reply, "topics"), i, name)
    {
        const json_t *values[] = {name};
        cli_table_add_json(t, values);
    }
    cli_table_print(t, out);
}

void cli_show_topic_created(const json_t *reply, FILE *out)
{
    fprintf(out, "created topic %s: ", text_field(reply, "topic", "?"));
    put_number(out, number_field(reply, "partitions", NAN));
    fputs(" partition(s), replication ", out);
    put_number(out, number_field(reply, "replication", NAN));
    fputc('\n', out);
}

static void print_configs(const json_t *configs, FILE *out)
{
    if (json_object_size(configs) == 0) {
        fprintf(out, "no configs set on the topic (the brokers' defaults apply)\n");
        return;
    }
    cli_print_object(configs, "KEY", "VALUE", out);
}

void cli_show_topic_describe(const json_t *reply, FILE *out)
{
    const char *headers[] = {"PARTITION", "LEADER", "REPLICAS", "ISR"};
    const char *keys[] = {"partition", "leader", "replicas", "isr"};
    print_rows(array_field(reply, "partitions"), MK_ARRAY_LEN(headers), headers, keys, out);
    fputc('\n', out);
    print_configs(field(reply, "configs"), out);
}

void cli_show_topic_offsets(const json_t *reply, FILE *out)
{
    const char *headers[] = {"PARTITION", "EARLIEST", "LATEST", "ERROR"};
    const char *keys[] = {"partition", "earliest", "latest", "error"};
    const json_t *partitions = array_field(reply, "partitions");
    bool any_error = false; /* a partition without a leader has no offsets, but a reason */
    size_t i;
    const json_t *p;
    json_array_foreach(partitions, i, p) any_error |= field(p, "error") != NULL;
    print_rows(partitions, MK_ARRAY_LEN(headers) - (any_error ? 0 : 1), headers, keys, out);
}

void cli_show_topic_partitions(const json_t *reply, FILE *out)
{
    fprintf(out, "topic %s now has ", text_field(reply, "topic", "?"));
    put_number(out, number_field(reply, "partitions", NAN));
    fputs(" partitions\n", out);
}

void cli_show_topic_configs(const json_t *reply, FILE *out)
{
    print_configs(field(reply, "configs"), out);
}

void cli_show_topic_deleted(const json_t *reply, FILE *out)
{
    fprintf(out, "deleted topic %s\n", text_field(reply, "deleted", "?"));
}

void cli_show_producer_test(const json_t *reply, FILE *out)
{
    const json_t *latency = field(reply, "latency_ms");
    put_number(out, number_field(reply, "acked", NAN));
    fputs(" records", out);
    double failed = number_field(reply, "failed", 0);
    if (failed > 0) {
        fputs(" (", out);
        put_number(out, failed);
        fputs(" failed)", out);
    }
    fputs(", ", out);
    put_fixed(out, 0, number_field(reply, "records_per_s", NAN));
    fputs(" records/s, ", out);
    put_fixed(out, 2, number_field(reply, "mb_per_s", NAN));
    fputs(" MB/s, latency avg ", out);
    put_fixed(out, 1, number_field(latency, "avg", NAN));
    fputs(" ms", out);
    static const struct {
        const char *key, *label;
    } percentiles[] = {
        {"p50", "p50"}, {"p95", "p95"}, {"p99", "p99"}, {"p999", "p99.9"}, {"max", "max"}};
    for (size_t i = 0; i < MK_ARRAY_LEN(percentiles); i++) {
        fprintf(out, " %s ", percentiles[i].label);
        put_number(out, number_field(latency, percentiles[i].key, NAN));
    }
    fputs(" ms\n", out);
    const json_t *errors = field(reply, "errors"); /* {"KAFKA_ERROR": count} */
    if (json_object_size(errors) > 0) {
        cleanup_free char *text = cli_cell_text(errors);
        fprintf(out, "errors: %s\n", text);
    }
}

static void show_partition_list(const json_t *reply, const char *none, FILE *out)
{
    const json_t *partitions = array_field(reply, "partitions");
    if (json_array_size(partitions) == 0) {
        fprintf(out, "%s\n", none);
        return;
    }
    const char *headers[] = {"TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR"};
    const char *keys[] = {"topic", "partition", "leader", "replicas", "isr"};
    print_rows(partitions, MK_ARRAY_LEN(headers), headers, keys, out);
}

void cli_show_under_replicated(const json_t *reply, FILE *out)
{
    show_partition_list(reply, "no under-replicated partitions", out);
}

void cli_show_unavailable(const json_t *reply, FILE *out)
{
    show_partition_list(reply, "no unavailable partitions (every partition has a leader)", out);
}

/* ---- refusals ----------------------------------------------------------------------------- */

/* The partitions a refusal names. A scale-down lists the brokers to remove that hold each one
 * ("brokers"); a restart lists replicas, ISR and min.insync.replicas, and for a rolling restart
 * the broker whose restart puts the partition at risk ("broker"). */
static void print_refused_partitions(const json_t *partitions, FILE *err)
{
    bool by_brokers = false, per_broker = false;
    size_t i;
    const json_t *p;
    json_array_foreach(partitions, i, p)
    {
        by_brokers |= field(p, "brokers") != NULL;
        per_broker |= field(p, "broker") != NULL;
    }
    if (by_brokers) {
        const char *headers[] = {"TOPIC", "PARTITION", "ON-BROKERS"};
        const char *keys[] = {"topic", "partition", "brokers"};
        print_rows(partitions, MK_ARRAY_LEN(headers), headers, keys, err);
        return;
    }
    const char *headers[] = {"BROKER", "TOPIC", "PARTITION", "REPLICAS", "ISR", "MIN-INSYNC"};
    const char *keys[] = {"broker", "topic", "partition", "replicas", "isr", "min_insync"};
    size_t skip = per_broker ? 0 : 1;
    print_rows(partitions, MK_ARRAY_LEN(headers) - skip, headers + skip, keys + skip, err);
}

void cli_show_refusal(const cli_reply *reply, const char *method, const char *path,
                      const char *username, FILE *err)
{
    const char *error = json_string_value(field(reply->json, "error"));
    const char *kafka_error = json_string_value(field(reply->json, "kafka_error"));
    if (error) {
        fprintf(err, "mesos-kafka: %s", error);
        if (kafka_error)
            fprintf(err, " (Kafka: %s)", kafka_error);
        fputc('\n', err);
    } else {
        /* Not one of the API's errors: a proxy, or not the scheduler at all. Show its start. */
        const char *text = reply->text ? reply->text : "";
        int shown = (int)strcspn(text, "\r\n");
        fprintf(err, "mesos-kafka: %s %s answered HTTP %ld%s%.*s%s\n", method, path, reply->status,
                shown ? ": " : "", shown > 200 ? 200 : shown, text, shown > 200 ? "..." : "");
    }
    const json_t *partitions = array_field(reply->json, "partitions");
    if (json_array_size(partitions) > 0)
        print_refused_partitions(partitions, err);
    if (reply->status == 401) {
        if (username)
            fprintf(err,
                    "mesos-kafka: the scheduler did not accept user '%s' and the password "
                    "in AUTH_PASSWORD (or AUTH_PASSWORD_FILE)\n",
                    username);
        fprintf(err, "mesos-kafka: set AUTH_USERNAME and AUTH_PASSWORD to the scheduler's "
                     "credentials (--user overrides the name)\n");
    }
}
