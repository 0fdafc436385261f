/*
 * Fuzz a broker's own settings (broker_settings): the changes operators send and the persisted
 * form the state file gives back.
 *
 * Input: a first byte choosing the mode, then
 *   0: name NUL value NUL name NUL value ... applied one by one (broker_settings_set), then as one
 *      batch of pairs (broker_settings_apply_pairs) to a fresh settings object;
 *   1: a JSON document of changes (broker_settings_apply_json) to settings that already hold some;
 *   2: a JSON document as the state file would hold it (broker_settings_from_json).
 *
 * Invariants: a refusal is one line that names the setting ("<name>: ...", or "unknown setting",
 * "the settings", for a batch also "<name>: given twice") and leaves the settings exactly as they
 * were; an accepted batch passes broker_settings_check. Whatever is held persists and reads back
 * to the same persisted form (when its combination is sound); describe has every setting; the
 * merged Kafka options pass the shared rule; nothing differs from a copy. Everything is freed.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_settings.h"
#include "kafka_props.h"

#include "fuzz_check.h"

#define MAX_INPUT 8192
#define MAX_PAIRS 32

static char kafka_options[] = "num.partitions=3,min.insync.replicas=2";
static char image[] = "mesos-kafka-kafka:3.9.2";

static config fuzz_cfg(void)
{
    config c = {0};
    c.kafka_res = (config_resources){.cpus = 1, .mem_mb = 2048, .disk_mb = 10240, .heap_mb = 1024};
    c.image_kafka = image;
    c.failover_delay_s = 10;
    c.failover_max_delay_s = 60;
    c.kafka_options = kafka_options;
    return c;
}

/* One line, not cut short, beginning with a known setting's name (either spelling) or saying
 * the name or the document is wrong. */
static void check_message(const mk_err *err)
{
    size_t len = strlen(err->msg);
    CHECK(len > 0 && len < sizeof(err->msg) - 1);
    CHECK(!strchr(err->msg, '\n'));
    if (!strncmp(err->msg, "unknown setting '", 17) || !strncmp(err->msg, "the settings ", 13))
        return;
    const char *colon = strchr(err->msg, ':');
    CHECK(colon && colon - err->msg < 32);
    char name[32];
    snprintf(name, sizeof(name), "%.*s", (int)(colon - err->msg), err->msg);
    broker_settings *probe = broker_settings_new();
    mk_err ignored = {{0}};
    CHECK(broker_settings_set(probe, name, "", &ignored) == 0); /* only known names unset */
    broker_settings_free(probe);
}

static bool same_json(const broker_settings *b, const json_t *before)
{
    json_t *now = broker_settings_to_json(b);
    bool eq = json_equal(now, before);
    json_decref(now);
    return eq;
}

/* What every held state must keep. */
static void check_held(const broker_settings *b, const config *cfg)
{
    json_t *j = broker_settings_to_json(b);
    mk_err err = {{0}};
    broker_settings *back = NULL;
    int rc = broker_settings_from_json(j, &back, &err);
    if (broker_settings_check(b, cfg, &err) == 0)
        CHECK(rc == 0);
    if (rc == 0) {
        CHECK(same_json(back, j));
        const char *names[BROKER_SETTINGS_N];
        CHECK(broker_settings_changed(b, back, cfg, names) == 0);
        broker_settings_free(back);
    } else
        CHECK(!back);
    json_decref(j);

    json_t *d = broker_settings_describe(b, cfg);
    CHECK(json_object_size(d) == BROKER_SETTINGS_N);
    json_decref(d);
    char *opts = broker_settings_kafka_options(b, cfg, 42);
    CHECK(opts && (!*opts || !kafka_props_check(opts, KAFKA_PROPS_BROKER)));
    for (const char *p = strstr(opts, "$id"); p; p = strstr(p + 1, "$id")) /* only "$idle" etc. */
        CHECK(isalnum((unsigned char)p[3]) || p[3] == '_');
    free(opts);
    broker_settings *c = broker_settings_copy(b);
    const char *names[BROKER_SETTINGS_N];
    CHECK(broker_settings_changed(b, c, cfg, names) == 0);
    broker_settings_free(c);
}

static void fuzz_pairs(const char *data, size_t size, const config *cfg)
{
    const char *names[MAX_PAIRS], *values[MAX_PAIRS];
    size_t n = 0;
    for (size_t at = 0; at < size && n < MAX_PAIRS;) {
        names[n] = data + at;
        at += strlen(data + at) + 1;
        if (at >= size)
            break;
        values[n] = data + at;
        at += strlen(data + at) + 1;
        n++;
    }
    broker_settings *b = broker_settings_new();
    for (size_t i = 0; i < n; i++) {
        json_t *before = broker_settings_to_json(b);
        mk_err err = {{0}};
        if (broker_settings_set(b, names[i], values[i], &err) != 0) {
            check_message(&err);
            CHECK(same_json(b, before));
        }
        json_decref(before);
    }
    check_held(b, cfg);
    broker_settings_free(b);

    b = broker_settings_new();
    mk_err err = {{0}};
    if (broker_settings_apply_pairs(b, names, values, n, cfg, &err) == 0)
        CHECK(broker_settings_check(b, cfg, &err) == 0);
    else {
        check_message(&err);
        json_t *empty = json_object();
        CHECK(same_json(b, empty));
        json_decref(empty);
    }
    check_held(b, cfg);
    broker_settings_free(b);
}

static void fuzz_apply_json(const json_t *changes, const config *cfg)
{
    broker_settings *b = broker_settings_new();
    mk_err err = {{0}};
    CHECK(broker_settings_set(b, "cpus", "2", &err) == 0);
    CHECK(broker_settings_set(b, "options", "num.io.threads=8", &err) == 0);
    CHECK(broker_settings_set(b, "mem", "4096", &err) == 0);
    json_t *before = broker_settings_to_json(b);
    if (broker_settings_apply_json(b, changes, cfg, &err) == 0)
        CHECK(broker_settings_check(b, cfg, &err) == 0);
    else {
        check_message(&err);
        CHECK(same_json(b, before));
    }
    json_decref(before);
    check_held(b, cfg);
    broker_settings_free(b);
}

static void fuzz_from_json(const json_t *j, const config *cfg)
{
    broker_settings *b = NULL;
    mk_err err = {{0}};
    if (broker_settings_from_json(j, &b, &err) != 0) {
        CHECK(!b);
        check_message(&err);
        return;
    }
    check_held(b, cfg);
    broker_settings_free(b);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return 0;
    config cfg = fuzz_cfg();
    char *copy = malloc(size);
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    if (data[0] % 3 == 0)
        fuzz_pairs(copy, size - 1, &cfg);
    else {
        json_t *j = json_loadb(copy, size - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (j) {
            if (data[0] % 3 == 1)
                fuzz_apply_json(j, &cfg);
            else
                fuzz_from_json(j, &cfg);
            json_decref(j);
        }
    }
    free(copy);
    return 0;
}
