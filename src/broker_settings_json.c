/*
 * broker_settings_json: batches of changes (all or nothing), the persisted form, describe and
 * what changed (see broker_settings.h).
 */
#include "broker_settings.h"
#include "broker_settings_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_field.h"
#include "kafka_props.h"

/* Changes collect into a copy, which replaces the original only once all of them and the
 * combination are accepted. */
typedef struct {
    broker_settings *tmp;
    const char *given[BROKER_SETTINGS_N]; /* the name each setting was given by */
} batch;

static int batch_index(batch *bt, const char *name, mk_err *err)
{
    int i = bs_lookup(name);
    if (i < 0)
        return bs_unknown(name, err);
    if (bt->given[i])
        return mk_err_set(err, "%s: given twice (also as %s)", name, bt->given[i]);
    bt->given[i] = name;
    return i;
}

/* One change from JSON; null unsets unless `persisted` (the state file never writes null). */
static int batch_json(batch *bt, const char *name, const json_t *v, bool persisted, mk_err *err)
{
    int i = batch_index(bt, name, err);
    if (i < 0)
        return -1;
    bs_slot s;
    if (json_is_string(v)) {
        if (strlen(json_string_value(v)) != json_string_length(v))
            return mk_err_set(err, "%s: must not contain NUL characters", name);
        if (persisted && !json_string_length(v))
            return mk_err_set(err, "%s: must not be empty", name);
        if (bs_parse_text(i, name, json_string_value(v), &s, err) != 0)
            return -1;
    } else if (json_is_number(v)) {
        if (bs_parse_number(i, name, json_number_value(v), &s, err) != 0)
            return -1;
    } else if (json_is_null(v) && !persisted)
        s = (bs_slot){0};
    else
        return mk_err_set(err, "%s: must be %s (got %s)", name,
                          persisted ? "a string or a number" : "a string, a number or null",
                          jf_kind(v));
    bs_slot_move(bt->tmp, i, &s);
    return 0;
}

static int batch_end(batch *bt, broker_settings *b, int rc)
{
    if (rc == 0)
        bs_swap(b, bt->tmp);
    broker_settings_free(bt->tmp);
    return rc;
}

int broker_settings_apply_json(broker_settings *b, const json_t *changes, const config *cfg,
                               mk_err *err)
{
    if (!json_is_object(changes))
        return mk_err_set(err, "the settings must be a JSON object of name: value");
    batch bt = {.tmp = broker_settings_copy(b)};
    const char *name;
    const json_t *v;
    int rc = 0;
    json_object_foreach((json_t *)changes, name, v)
    {
        if ((rc = batch_json(&bt, name, v, false, err)) != 0)
            break;
    }
    if (rc == 0)
        rc = broker_settings_check(bt.tmp, cfg, err);
    return batch_end(&bt, b, rc);
}

int broker_settings_apply_pairs(broker_settings *b, const char *const *names,
                                const char *const *values, size_t n, const config *cfg, mk_err *err)
{
    batch bt = {.tmp = broker_settings_copy(b)};
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        int i = batch_index(&bt, names[k], err);
        bs_slot s;
        rc = i < 0 ? -1 : bs_parse_text(i, names[k], values[k], &s, err);
        if (rc == 0)
            bs_slot_move(bt.tmp, i, &s);
    }
    if (rc == 0)
        rc = broker_settings_check(bt.tmp, cfg, err);
    return batch_end(&bt, b, rc);
}

static json_t *port_json(const bs_slot *s)
{
    if (s->lo == s->hi)
        return json_integer(s->lo);
    char buf[16];
    snprintf(buf, sizeof(buf), "%d..%d", s->lo, s->hi);
    return json_string(buf);
}

/* The shortest text when it reads back as the same seconds, else the seconds themselves. */
static json_t *duration_json(double seconds, bool exact)
{
    char buf[64];
    double back;
    config_format_duration(seconds, buf, sizeof(buf));
    if (!exact || (config_parse_duration(buf, &back) == 0 && back == seconds))
        return json_string(buf);
    return json_real(seconds);
}

static json_t *number_json(double v)
{
    return v == floor(v) && fabs(v) < 1e15 ? json_integer((json_int_t)v) : json_real(v);
}

static json_t *slot_json(int i, const bs_slot *s)
{
    switch (bs_table[i].kind) {
    case BK_NUMBER:
        return bs_table[i].whole ? json_integer((json_int_t)s->num) : json_real(s->num);
    case BK_DURATION:
        return duration_json(s->num, true);
    case BK_PORT:
        return port_json(s);
    default:
        return json_string(s->text);
    }
}

json_t *broker_settings_to_json(const broker_settings *b)
{
    json_t *j = json_object();
    for (int i = 0; i < BROKER_SETTINGS_N; i++)
        if (b->s[i].set)
            json_object_set_new(j, bs_table[i].name, slot_json(i, &b->s[i]));
    return j;
}

int broker_settings_from_json(const json_t *j, broker_settings **out, mk_err *err)
{
    *out = NULL;
    if (!json_is_object(j))
        return mk_err_set(err, "the settings must be a JSON object (got %s)",
                          j ? jf_kind(j) : "nothing");
    broker_settings *b = broker_settings_new();
    batch bt = {.tmp = broker_settings_new()};
    const char *name;
    const json_t *v;
    int rc = 0;
    json_object_foreach((json_t *)j, name, v)
    {
        if ((rc = batch_json(&bt, name, v, true, err)) != 0)
            break;
    }
    /* Without the environment only the broker's own values can be checked together. */
    const bs_slot *s = bt.tmp->s;
    if (rc == 0 && s[BS_HEAP].set && s[BS_MEM].set && s[BS_HEAP].num >= s[BS_MEM].num)
        rc = mk_err_set(err, "heap: must be less than mem (%.15g MB) (got '%.15g')", s[BS_MEM].num,
                        s[BS_HEAP].num);
    if (rc == 0 && s[BS_FAILOVER_DELAY].set && s[BS_FAILOVER_MAX_DELAY].set &&
        s[BS_FAILOVER_MAX_DELAY].num < s[BS_FAILOVER_DELAY].num)
        rc = mk_err_set(err, "failover_max_delay: must be at least failover_delay");
    if (batch_end(&bt, b, rc) != 0) {
        broker_settings_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

static void put(json_t *d, int i, json_t *value, bool own)
{
    json_t *e = json_object();
    json_object_set_new(e, "value", value ? value : json_null());
    json_object_set_new(e, "source", json_string(own ? "own" : "default"));
    json_object_set_new(d, bs_table[i].name, e);
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *broker_settings_describe(const broker_settings *b, const config *cfg)
{
    json_t *d = json_object();
    const bs_slot *s = b->s;
    put(d, BS_CPUS, json_real(broker_settings_cpus(b, cfg)), s[BS_CPUS].set);
    put(d, BS_MEM, number_json(broker_settings_mem(b, cfg)), s[BS_MEM].set);
    put(d, BS_HEAP, json_integer(broker_settings_heap(b, cfg)), s[BS_HEAP].set);
    put(d, BS_DISK, number_json(broker_settings_disk(b, cfg)), s[BS_DISK].set);
    put(d, BS_PORT, s[BS_PORT].set ? port_json(&s[BS_PORT]) : NULL, s[BS_PORT].set);
    char *options = broker_settings_kafka_options(b, cfg, -1);
    put(d, BS_OPTIONS, text_or_null(options), s[BS_OPTIONS].set);
    free(options);
    put(d, BS_JVM_OPTIONS, text_or_null(s[BS_JVM_OPTIONS].text), s[BS_JVM_OPTIONS].set);
    put(d, BS_LOG4J_OPTIONS, text_or_null(s[BS_LOG4J_OPTIONS].text), s[BS_LOG4J_OPTIONS].set);
    put(d, BS_CONSTRAINTS, text_or_null(s[BS_CONSTRAINTS].text), s[BS_CONSTRAINTS].set);
    put(d, BS_FAILOVER_DELAY, duration_json(broker_settings_failover_delay(b, cfg), false),
        s[BS_FAILOVER_DELAY].set);
    put(d, BS_FAILOVER_MAX_DELAY, duration_json(broker_settings_failover_max_delay(b, cfg), false),
        s[BS_FAILOVER_MAX_DELAY].set);
    put(d, BS_FAILOVER_MAX_TRIES, json_integer(broker_settings_failover_max_tries(b, cfg)),
        s[BS_FAILOVER_MAX_TRIES].set);
    put(d, BS_STICKINESS, s[BS_STICKINESS].set ? duration_json(s[BS_STICKINESS].num, false) : NULL,
        s[BS_STICKINESS].set);
    put(d, BS_IMAGE, text_or_null(broker_settings_image(b, cfg)), s[BS_IMAGE].set);
    return d;
}

static bool same_text(const char *x, const char *y)
{
    return (!x && !y) || (x && y && !strcmp(x, y));
}

static bool same(int i, const broker_settings *a, const broker_settings *b, const config *cfg)
{
    const bs_slot *x = &a->s[i], *y = &b->s[i];
    switch (i) {
    case BS_CPUS:
        return broker_settings_cpus(a, cfg) == broker_settings_cpus(b, cfg);
    case BS_MEM:
        return broker_settings_mem(a, cfg) == broker_settings_mem(b, cfg);
    case BS_HEAP:
        return broker_settings_heap(a, cfg) == broker_settings_heap(b, cfg);
    case BS_DISK:
        return broker_settings_disk(a, cfg) == broker_settings_disk(b, cfg);
    case BS_FAILOVER_DELAY:
        return broker_settings_failover_delay(a, cfg) == broker_settings_failover_delay(b, cfg);
    case BS_FAILOVER_MAX_DELAY:
        return broker_settings_failover_max_delay(a, cfg) ==
               broker_settings_failover_max_delay(b, cfg);
    case BS_FAILOVER_MAX_TRIES:
        return broker_settings_failover_max_tries(a, cfg) ==
               broker_settings_failover_max_tries(b, cfg);
    case BS_IMAGE:
        return same_text(broker_settings_image(a, cfg), broker_settings_image(b, cfg));
    case BS_OPTIONS: {
        char *oa = broker_settings_kafka_options(a, cfg, -1);
        char *ob = broker_settings_kafka_options(b, cfg, -1);
        bool eq = !strcmp(oa, ob);
        free(oa);
        free(ob);
        return eq;
    }
    case BS_PORT:
        return x->set == y->set && (!x->set || (x->lo == y->lo && x->hi == y->hi));
    case BS_STICKINESS:
        return x->set == y->set && (!x->set || x->num == y->num);
    default: /* text with no environment default */
        return same_text(x->text, y->text);
    }
}

size_t broker_settings_changed(const broker_settings *a, const broker_settings *b,
                               const config *cfg, const char *names[BROKER_SETTINGS_N])
{
    size_t n = 0;
    for (int i = 0; i < BROKER_SETTINGS_N; i++)
        if (!same(i, a, b, cfg))
            names[n++] = bs_table[i].name;
    return n;
}
