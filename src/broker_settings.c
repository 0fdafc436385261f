/*
 * broker_settings: the table of a broker's own settings, parsing one value, and the effective
 * values with the environment's defaults (see broker_settings.h). Batches, the persisted form and
 * describe are in broker_settings_json.c.
 */
#include "broker_settings.h"
#include "broker_settings_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constraint.h"
#include "kafka_props.h"

#define DAY       86400.0
#define MAX_IMAGE 512 /* bytes of an image reference */

/* The limits follow the environment's own (config.c), so a broker can have what the fleet can. */
/* clang-format off */
const bs_setting bs_table[BROKER_SETTINGS_N] = {
    [BS_CPUS] = {.name = "cpus", .kind = BK_NUMBER, .min = 0, .max = 1024, .above_min = true,
                 .restart = true},
    [BS_MEM] = {.name = "mem", .kind = BK_NUMBER, .min = 0, .max = 16777216, .above_min = true,
                .whole = true, .restart = true},
    [BS_HEAP] = {.name = "heap", .kind = BK_NUMBER, .min = 16, .max = 1048576, .whole = true,
                 .restart = true},
    [BS_DISK] = {.name = "disk", .kind = BK_NUMBER, .min = 0, .max = 1e9, .above_min = true,
                 .restart = true},
    [BS_PORT] = {.name = "port", .kind = BK_PORT, .restart = true},
    [BS_OPTIONS] = {.name = "options", .kind = BK_PROPS, .props = KAFKA_PROPS_BROKER,
                    .max_len = BROKER_SETTINGS_MAX_TEXT, .restart = true},
    [BS_JVM_OPTIONS] = {.name = "jvm_options", .alt_name = "jvmOptions", .kind = BK_TEXT,
                        .max_len = BROKER_SETTINGS_MAX_TEXT, .restart = true},
    [BS_LOG4J_OPTIONS] = {.name = "log4j_options", .alt_name = "log4jOptions", .kind = BK_PROPS,
                          .props = KAFKA_PROPS_LOG4J, .max_len = BROKER_SETTINGS_MAX_TEXT,
                          .restart = true},
    [BS_CONSTRAINTS] = {.name = "constraints", .kind = BK_CONSTRAINTS,
                        .max_len = BROKER_SETTINGS_MAX_TEXT},
    [BS_FAILOVER_DELAY] = {.name = "failover_delay", .alt_name = "failoverDelay",
                           .kind = BK_DURATION, .min = 0.1, .max = DAY},
    [BS_FAILOVER_MAX_DELAY] = {.name = "failover_max_delay", .alt_name = "failoverMaxDelay",
                               .kind = BK_DURATION, .min = 0.1, .max = DAY},
    [BS_FAILOVER_MAX_TRIES] = {.name = "failover_max_tries", .alt_name = "failoverMaxTries",
                               .kind = BK_NUMBER, .min = 0, .max = 1000000, .whole = true},
    [BS_STICKINESS] = {.name = "stickiness_period", .alt_name = "stickinessPeriod",
                       .kind = BK_DURATION, .min = 0, .max = 30 * DAY},
    [BS_IMAGE] = {.name = "image", .kind = BK_IMAGE, .max_len = MAX_IMAGE, .restart = true},
};
/* clang-format on */

const char *broker_settings_name(int i)
{
    return i >= 0 && i < BROKER_SETTINGS_N ? bs_table[i].name : NULL;
}

int bs_lookup(const char *name)
{
    for (int i = 0; i < BROKER_SETTINGS_N; i++)
        if (!strcmp(name, bs_table[i].name) ||
            (bs_table[i].alt_name && !strcmp(name, bs_table[i].alt_name)))
            return i;
    return -1;
}

bool broker_settings_needs_restart(const char *name)
{
    int i = bs_lookup(name);
    return i < 0 || bs_table[i].restart;
}

broker_settings *broker_settings_new(void)
{
    return mk_xcalloc(1, sizeof(broker_settings));
}

void bs_slot_clear(bs_slot *s)
{
    free(s->text);
    *s = (bs_slot){0};
}

void bs_slot_move(broker_settings *b, int i, bs_slot *from)
{
    bs_slot_clear(&b->s[i]);
    b->s[i] = *from;
    *from = (bs_slot){0};
}

void bs_swap(broker_settings *a, broker_settings *b)
{
    broker_settings t = *a;
    *a = *b;
    *b = t;
}

void broker_settings_free(broker_settings *b)
{
    if (!b)
        return;
    for (int i = 0; i < BROKER_SETTINGS_N; i++)
        bs_slot_clear(&b->s[i]);
    free(b);
}

broker_settings *broker_settings_copy(const broker_settings *b)
{
    broker_settings *c = broker_settings_new();
    for (int i = 0; i < BROKER_SETTINGS_N; i++) {
        c->s[i] = b->s[i];
        if (b->s[i].text)
            c->s[i].text = mk_xstrdup(b->s[i].text);
    }
    return c;
}

/* The value as the error echoes it: at most 60 bytes, anything but printable ASCII as \xNN, so
 * the message stays one line of valid UTF-8 whatever came in. */
static void echo(const char *value, char *buf, size_t n)
{
    size_t w = 0, i = 0;
    for (; i < 60 && value[i] && w + 5 < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c >= ' ' && c < 0x7f && c != '\\')
            buf[w++] = (char)c;
        else
            w += (size_t)snprintf(buf + w, n - w, "\\x%02x", c);
    }
    if (value[i] && w + 4 < n)
        w += (size_t)snprintf(buf + w, n - w, "...");
    buf[w] = '\0';
}

static int refuse(const char *name, const char *value, mk_err *err, const char *reason)
{
    char got[320];
    echo(value, got, sizeof(got));
    return mk_err_set(err, "%s: %s (got '%s')", name, reason, got);
}

/* -?D+(.D+)? as a whole, like the environment's numbers (no exponent, hex, inf or nan). */
static bool parse_decimal(const char *s, double *out)
{
    size_t i = s[0] == '-', start = i;
    while (s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == start)
        return false;
    if (s[i] == '.') {
        size_t frac = ++i;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == frac)
            return false;
    }
    if (s[i] || i > 40)
        return false;
    *out = strtod(s, NULL);
    return true;
}

static void describe_range(const bs_setting *t, char *buf, size_t n)
{
    if (t->kind == BK_DURATION) {
        char lo[32], hi[32];
        config_format_duration(t->min, lo, sizeof(lo));
        config_format_duration(t->max, hi, sizeof(hi));
        snprintf(buf, n, "must be a duration such as 10s, 5m or 3h, from %s to %s", lo, hi);
    } else if (t->above_min)
        snprintf(buf, n, "must be a %snumber above %.15g and at most %.15g",
                 t->whole ? "whole " : "", t->min, t->max);
    else
        snprintf(buf, n, "must be a %snumber from %.15g to %.15g", t->whole ? "whole " : "", t->min,
                 t->max);
}

static bool in_range(const bs_setting *t, double v)
{
    return isfinite(v) && (t->above_min ? v > t->min : v >= t->min) && v <= t->max &&
           (!t->whole || v == floor(v));
}

static bool parse_port(const char *s, int *out)
{
    double d;
    if (!s[0] || s[0] == '-' || strchr(s, '.') || !parse_decimal(s, &d) || d < 1 || d > 65535)
        return false;
    *out = (int)d;
    return true;
}

static int parse_port_spec(const char *name, const char *value, bs_slot *out, mk_err *err)
{
    const char *dots = strstr(value, "..");
    char lo[48], hi[48];
    size_t len = strlen(value);
    if (len >= sizeof(lo))
        return refuse(name, value, err, "must be a port 1..65535 or a range a..b of them");
    if (dots) {
        snprintf(lo, sizeof(lo), "%.*s", (int)(dots - value), value);
        snprintf(hi, sizeof(hi), "%s", dots + 2);
    } else {
        snprintf(lo, sizeof(lo), "%s", value);
        snprintf(hi, sizeof(hi), "%s", value);
    }
    if (!parse_port(lo, &out->lo) || !parse_port(hi, &out->hi))
        return refuse(name, value, err, "must be a port 1..65535 or a range a..b of them");
    if (out->hi < out->lo)
        return refuse(name, value, err, "must not be a range that ends below its start");
    out->set = true;
    return 0;
}

/* Text that can be kept in JSON: valid UTF-8 without NUL (jansson refuses the rest). */
static bool utf8(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

/* Kept as the canonical text, so equal sets compare equal. A refusal leaves *canonical NULL and
 * the parser's own sentence in `err`; a set that parses to nothing gives "" (then unset). */
static const char *check_constraints(const char *text, char **canonical, mk_err *err)
{
    constraint_set *cs = NULL;
    if (constraint_set_parse(text, &cs, err) != 0)
        return NULL;
    *canonical = constraint_set_text(cs);
    constraint_set_free(cs);
    return NULL;
}

static const char *check_text(const bs_setting *t, const char *v, char **keep, char *why, size_t n,
                              mk_err *err)
{
    size_t len = strlen(v);
    if (len > t->max_len) {
        snprintf(why, n, "must be at most %zu bytes", t->max_len);
        return why;
    }
    if (!utf8(v))
        return "must be UTF-8 text";
    const char *reason = NULL;
    switch (t->kind) {
    case BK_PROPS:
        reason = kafka_props_check(v, (kafka_props_kind)t->props);
        break;
    case BK_TEXT:
        for (const char *p = v; *p && !reason; p++)
            if ((unsigned char)*p < ' ' || *p == 0x7f)
                reason = "must not contain control characters";
        break;
    case BK_IMAGE:
        for (const char *p = v; *p && !reason; p++)
            if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
                reason = "must be a Docker image name: printable ASCII without whitespace";
        break;
    case BK_CONSTRAINTS:
        return check_constraints(v, keep, err);
    default:
        reason = "is not text";
    }
    if (!reason)
        *keep = mk_xstrdup(v);
    return reason;
}

int bs_parse_text(int i, const char *name, const char *value, bs_slot *out, mk_err *err)
{
    const bs_setting *t = &bs_table[i];
    char why[160];
    *out = (bs_slot){0};
    if (!value[0])
        return 0;
    switch (t->kind) {
    case BK_NUMBER: {
        double d;
        if (!parse_decimal(value, &d) || !in_range(t, d)) {
            describe_range(t, why, sizeof(why));
            return refuse(name, value, err, why);
        }
        return bs_parse_number(i, name, d, out, err);
    }
    case BK_DURATION: {
        double d;
        if (config_parse_duration(value, &d) != 0 || !in_range(t, d)) {
            describe_range(t, why, sizeof(why));
            return refuse(name, value, err, why);
        }
        return bs_parse_number(i, name, d, out, err);
    }
    case BK_PORT:
        return parse_port_spec(name, value, out, err);
    default: {
        mk_err inner = {{0}};
        const char *reason = check_text(t, value, &out->text, why, sizeof(why), &inner);
        if (reason)
            return refuse(name, value, err, reason);
        if (!out->text) /* the constraint parser's own sentence */
            return mk_err_set(err, "%s: %s", name, inner.msg);
        if (!out->text[0]) { /* constraints that are no constraint */
            bs_slot_clear(out);
            return 0;
        }
        out->set = true;
        return 0;
    }
    }
}

int bs_parse_number(int i, const char *name, double value, bs_slot *out, mk_err *err)
{
    const bs_setting *t = &bs_table[i];
    char why[160], got[64];
    *out = (bs_slot){0};
    snprintf(got, sizeof(got), "%.17g", value);
    if (t->kind == BK_PORT) {
        if (!(value >= 1 && value <= 65535 && value == floor(value)))
            return refuse(name, got, err, "must be a port 1..65535 or a range a..b of them");
        out->lo = out->hi = (int)value;
    } else if (t->kind == BK_NUMBER || t->kind == BK_DURATION) {
        if (!in_range(t, value)) {
            describe_range(t, why, sizeof(why));
            return refuse(name, got, err, why);
        }
        out->num = value;
    } else
        return refuse(name, got, err, "must be a string");
    out->set = true;
    return 0;
}

int bs_unknown(const char *name, mk_err *err)
{
    char got[320];
    echo(name, got, sizeof(got));
    return mk_err_set(err,
                      "unknown setting '%s' (known: cpus, mem, heap, disk, port, options, "
                      "jvm_options, log4j_options, constraints, failover_delay, "
                      "failover_max_delay, failover_max_tries, stickiness_period, image)",
                      got);
}

int broker_settings_set(broker_settings *b, const char *name, const char *value, mk_err *err)
{
    int i = bs_lookup(name);
    if (i < 0)
        return bs_unknown(name, err);
    bs_slot s;
    if (bs_parse_text(i, name, value, &s, err) != 0)
        return -1;
    bs_slot_move(b, i, &s);
    return 0;
}

static double num_or(const broker_settings *b, bs_id i, double dflt)
{
    return b->s[i].set ? b->s[i].num : dflt;
}

double broker_settings_cpus(const broker_settings *b, const config *cfg)
{
    return num_or(b, BS_CPUS, cfg->kafka_res.cpus);
}

double broker_settings_mem(const broker_settings *b, const config *cfg)
{
    return num_or(b, BS_MEM, cfg->kafka_res.mem_mb);
}

int broker_settings_heap(const broker_settings *b, const config *cfg)
{
    return b->s[BS_HEAP].set ? (int)b->s[BS_HEAP].num : cfg->kafka_res.heap_mb;
}

double broker_settings_disk(const broker_settings *b, const config *cfg)
{
    return num_or(b, BS_DISK, cfg->kafka_res.disk_mb);
}

const char *broker_settings_image(const broker_settings *b, const config *cfg)
{
    return b->s[BS_IMAGE].set ? b->s[BS_IMAGE].text : cfg->image_kafka;
}

double broker_settings_failover_delay(const broker_settings *b, const config *cfg)
{
    return num_or(b, BS_FAILOVER_DELAY, cfg->failover_delay_s);
}

double broker_settings_failover_max_delay(const broker_settings *b, const config *cfg)
{
    return num_or(b, BS_FAILOVER_MAX_DELAY, cfg->failover_max_delay_s);
}

int broker_settings_failover_max_tries(const broker_settings *b, const config *cfg)
{
    return b->s[BS_FAILOVER_MAX_TRIES].set ? (int)b->s[BS_FAILOVER_MAX_TRIES].num
                                           : cfg->failover_max_tries;
}

double broker_settings_stickiness(const broker_settings *b)
{
    return num_or(b, BS_STICKINESS, -1);
}

bool broker_settings_port(const broker_settings *b, int *lo, int *hi)
{
    if (!b->s[BS_PORT].set)
        return false;
    *lo = b->s[BS_PORT].lo;
    *hi = b->s[BS_PORT].hi;
    return true;
}

const char *broker_settings_jvm_options(const broker_settings *b)
{
    return b->s[BS_JVM_OPTIONS].text;
}

const char *broker_settings_log4j_options(const broker_settings *b)
{
    return b->s[BS_LOG4J_OPTIONS].text;
}

const char *broker_settings_constraints(const broker_settings *b)
{
    return b->s[BS_CONSTRAINTS].text;
}

const char *broker_settings_own_options(const broker_settings *b)
{
    return b->s[BS_OPTIONS].text;
}

char *broker_settings_kafka_options(const broker_settings *b, const config *cfg, int broker_id)
{
    return kafka_props_merge(cfg->kafka_options, b->s[BS_OPTIONS].text, broker_id);
}

int broker_settings_check(const broker_settings *b, const config *cfg, mk_err *err)
{
    double mem = broker_settings_mem(b, cfg);
    int heap = broker_settings_heap(b, cfg);
    if (heap >= mem) {
        /* Name the setting the operator changed: the own one, heap when both are. */
        if (b->s[BS_HEAP].set)
            return mk_err_set(err,
                              "heap: must be less than mem (%.15g MB%s), which also holds the "
                              "JVM's other memory (got '%d')",
                              mem, b->s[BS_MEM].set ? "" : ", the default KAFKA_MEM", heap);
        return mk_err_set(err,
                          "mem: must be more than heap (%d MB, the default KAFKA_HEAP), which it "
                          "holds with the JVM's other memory (got '%.15g')",
                          heap, mem);
    }
    double delay = broker_settings_failover_delay(b, cfg);
    double max_delay = broker_settings_failover_max_delay(b, cfg);
    if (max_delay < delay) {
        char d[32], m[32];
        config_format_duration(delay, d, sizeof(d));
        config_format_duration(max_delay, m, sizeof(m));
        if (b->s[BS_FAILOVER_MAX_DELAY].set)
            return mk_err_set(err,
                              "failover_max_delay: must be at least failover_delay (%s%s) "
                              "(got '%s')",
                              d, b->s[BS_FAILOVER_DELAY].set ? "" : ", the default FAILOVER_DELAY",
                              m);
        return mk_err_set(err,
                          "failover_delay: must be at most failover_max_delay (%s, the default "
                          "FAILOVER_MAX_DELAY) (got '%s')",
                          m, d);
    }
    return 0;
}
