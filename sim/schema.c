/*
 * schema: checks a v1 scheduler Call (JSON) against the hand-written proto tables of
 * schema_tables.c, the way the master's JSON reader (stout's protobuf.hpp) would, only stricter.
 *
 * Design
 *   schema_check_call makes two walks over the JSON:
 *     1. structure: every key must name a field of its message, and every value must have a JSON
 *        kind the master converts for that field. Keys are visited in byte order, because stout
 *        reads JSON objects into a sorted map, so the first error reported is the one the master
 *        would report. The walk stops at the first error.
 *     2. required fields, collected the way protobuf's InitializationErrorString does: for each
 *        message, its own missing required fields in declaration order, then its sub-messages in
 *        field-number order, paths written "a.b[0].c". This walk only runs when the first passes.
 *   schema_validate_call then applies the stateless rules of scheduler::call::validate
 *   (src/master/validation.cpp) to a call that passed the check.
 *
 * Leniencies kept from the master: numbers, doubles ("Infinity", "-Infinity") and bools given as
 * strings, null as "unset" (also inside arrays), a bare value for a repeated field, whitespace and
 * missing padding in base64. Strictness added: unknown keys, unknown enum names in optional enums,
 * fractional or out-of-range integers, junk after base64 padding, two members of one oneof, arrays
 * nested in arrays (the master flattens them), arrays or nulls where a map or map value belongs.
 *
 * Both walks are linear in the size of the JSON; the recursion depth is bounded by the tables (no
 * message reachable from a Call contains itself), never by the input.
 */
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_internal.h"

#define PATH_CAP    400
#define MISSING_CAP 480

typedef struct {
    char path[PATH_CAP]; /* where the walk is, "accept.operations[3].launch" */
    size_t len;
    char missing[MISSING_CAP]; /* walk 2: "a.b, c.d" */
    size_t missing_len;
    bool missing_truncated;
    unsigned n_missing;
    mk_err *err;
} walker;

/* ---------------------------------------------------------------------------------------------- */
/* Paths. Each push returns the previous length, which pop restores. A path that no longer fits is
 * cut short rather than overflowing: it is only ever used in error messages. */

/* Appends raw text; this runs for every value visited, so it avoids printf. */
static void path_add(walker *w, const char *text, size_t n)
{
    size_t room = PATH_CAP - 1 - w->len;
    if (n > room)
        n = room;
    memcpy(w->path + w->len, text, n);
    w->len += n;
    w->path[w->len] = '\0';
}

static size_t path_push_field(walker *w, const char *name)
{
    size_t mark = w->len;
    if (w->len)
        path_add(w, ".", 1);
    path_add(w, name, strlen(name));
    return mark;
}

static size_t path_push_index(walker *w, size_t index)
{
    size_t mark = w->len;
    char digits[24];
    size_t n = sizeof(digits);
    digits[--n] = ']';
    do
        digits[--n] = (char)('0' + index % 10);
    while ((index /= 10) > 0);
    digits[--n] = '[';
    path_add(w, digits + n, sizeof(digits) - n);
    return mark;
}

static size_t path_push_key(walker *w, const char *key)
{
    size_t mark = w->len;
    size_t n = strlen(key);
    path_add(w, "[\"", 2);
    path_add(w, key, n < 64 ? n : 64);
    path_add(w, "\"]", 2);
    return mark;
}

static void path_pop(walker *w, size_t mark)
{
    w->len = mark;
    w->path[mark] = '\0';
}

static const char *path_or_top(const walker *w)
{
    return w->len ? w->path : "the top level";
}

/* ---------------------------------------------------------------------------------------------- */
/* Table look-ups. */

static const schema_field *find_field(const schema_message *msg, const char *name, size_t *index)
{
    for (size_t i = 0; i < msg->n_fields; i++) {
        if (msg->fields[i].name[0] == name[0] && strcmp(msg->fields[i].name, name) == 0) {
            if (index)
                *index = i;
            return &msg->fields[i];
        }
    }
    return NULL;
}

static bool enum_has(const schema_enum *e, const char *name, size_t len)
{
    for (size_t i = 0; i < e->n_names; i++)
        if (strlen(e->names[i]) == len && memcmp(e->names[i], name, len) == 0)
            return true;
    return false;
}

static const char *kind_name(schema_kind kind)
{
    switch (kind) {
    case SCHEMA_STRING:
        return "string";
    case SCHEMA_BYTES:
        return "bytes";
    case SCHEMA_BOOL:
        return "bool";
    case SCHEMA_INT32:
        return "int32";
    case SCHEMA_UINT32:
        return "uint32";
    case SCHEMA_INT64:
        return "int64";
    case SCHEMA_UINT64:
        return "uint64";
    case SCHEMA_DOUBLE:
        return "double";
    case SCHEMA_ENUM:
        return "enum";
    case SCHEMA_MESSAGE:
        return "message";
    }
    return "?";
}

static const char *json_kind_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

/* ---------------------------------------------------------------------------------------------- */
/* Object keys in byte order (the order stout's std::map visits them). Small objects sort on the
 * stack; only an object with very many keys needs the heap. */

typedef struct {
    const char *key;
    json_t *value;
} member;

static int member_cmp(const void *a, const void *b)
{
    return strcmp(((const member *)a)->key, ((const member *)b)->key);
}

typedef struct {
    member local[24];
    member *items;
    size_t n;
} members;

static void members_sorted(const json_t *obj, members *m)
{
    size_t n = json_object_size(obj);
    m->items = n <= MK_ARRAY_LEN(m->local) ? m->local : mk_xcalloc(n, sizeof(member));
    m->n = 0;
    const char *key;
    json_t *value;
    bool small = n <= MK_ARRAY_LEN(m->local);
    /* json_object_foreach wants a non-const object but does not modify it. */
    json_object_foreach((json_t *)obj, key, value)
    {
        /* Insertion sort for the usual handful of keys (often already in order); qsort beyond. */
        size_t j = m->n++;
        while (small && j > 0 && strcmp(m->items[j - 1].key, key) > 0) {
            m->items[j] = m->items[j - 1];
            j--;
        }
        m->items[j].key = key;
        m->items[j].value = value;
    }
    if (!small)
        qsort(m->items, m->n, sizeof(member), member_cmp);
}

static void members_free(members *m)
{
    if (m->items != m->local)
        free(m->items);
}

/* ---------------------------------------------------------------------------------------------- */
/* Scalars. */

/* A number given as a JSON string, read as the master's JSON parser (picojson) reads one: optional
 * surrounding whitespace, then a '-' or a digit, then only digits, signs, '.', 'e' and 'E'. */
typedef struct {
    enum { NUM_SIGNED, NUM_UNSIGNED, NUM_REAL } form;
    long long i;
    unsigned long long u;
    double d;
} number;

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Copies the string without surrounding JSON whitespace into buf (NUL-terminated); false if empty
 * or too long to be a number or a bool. */
static bool trimmed(const char *s, size_t len, char *buf, size_t cap)
{
    while (len > 0 && is_json_space(*s))
        s++, len--;
    while (len > 0 && is_json_space(s[len - 1]))
        len--;
    if (len == 0 || len >= cap || memchr(s, '\0', len))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

/* 0 on success; -1 for text that is not a number; -2 for a number beyond any double. */
static int parse_number_text(const char *s, size_t len, number *out)
{
    char buf[128];
    if (!trimmed(s, len, buf, sizeof(buf)))
        return -1;
    if (buf[0] != '-' && !isdigit((unsigned char)buf[0]))
        return -1;
    bool integral = true;
    for (const char *p = buf; *p; p++) {
        if (isdigit((unsigned char)*p) || *p == '-' || *p == '+')
            continue;
        if (*p == '.' || *p == 'e' || *p == 'E') {
            integral = false;
            continue;
        }
        return -1;
    }
    char *end;
    errno = 0;
    if (integral && buf[0] == '-') {
        long long v = strtoll(buf, &end, 10);
        if (*end == '\0' && errno == 0) {
            out->form = NUM_SIGNED;
            out->i = v;
            return 0;
        }
    } else if (integral) {
        unsigned long long v = strtoull(buf, &end, 10);
        if (*end == '\0' && errno == 0) {
            if (v <= (unsigned long long)LLONG_MAX) {
                out->form = NUM_SIGNED;
                out->i = (long long)v;
            } else {
                out->form = NUM_UNSIGNED;
                out->u = v;
            }
            return 0;
        }
    }
    /* Not an integer that fits 64 bits: the master falls back to a double, and so do we. */
    errno = 0;
    double d = strtod(buf, &end);
    if (*end != '\0')
        return -1;
    if (!isfinite(d))
        return -2;
    out->form = NUM_REAL;
    out->d = d;
    return 0;
}

static void describe_number(const number *n, char *buf, size_t cap)
{
    switch (n->form) {
    case NUM_SIGNED:
        snprintf(buf, cap, "%lld", n->i);
        break;
    case NUM_UNSIGNED:
        snprintf(buf, cap, "%llu", n->u);
        break;
    case NUM_REAL:
        snprintf(buf, cap, "%.17g", n->d);
        break;
    }
}

/* Whether an integer field of this kind can hold the number exactly. */
static int integer_fits(schema_kind kind, const number *n, bool *fractional)
{
    *fractional = false;
    switch (n->form) {
    case NUM_UNSIGNED:
        return kind == SCHEMA_UINT64;
    case NUM_SIGNED:
        switch (kind) {
        case SCHEMA_INT32:
            return n->i >= INT32_MIN && n->i <= INT32_MAX;
        case SCHEMA_UINT32:
            return n->i >= 0 && n->i <= (long long)UINT32_MAX;
        case SCHEMA_INT64:
            return 1;
        default:
            return n->i >= 0;
        }
    case NUM_REAL:
        if (n->d != floor(n->d)) {
            *fractional = true;
            return 0;
        }
        switch (kind) {
        case SCHEMA_INT32:
            return n->d >= -2147483648.0 && n->d <= 2147483647.0;
        case SCHEMA_UINT32:
            return n->d >= 0.0 && n->d <= 4294967295.0;
        case SCHEMA_INT64:
            return n->d >= -9223372036854775808.0 && n->d < 9223372036854775808.0;
        default:
            return n->d >= 0.0 && n->d < 18446744073709551616.0;
        }
    }
    return 0;
}

/* Standard base64 as the master reads it (whitespace skipped, padding optional), but rejecting
 * what it silently mangles: anything after the padding, or a dangling sixth of a byte. Returns the
 * decoded length (writing at most `cap` bytes to `out`, which may be NULL) or -1 with `why` set. */
static long base64_decode(const char *s, size_t len, unsigned char *out, size_t cap, char *why,
                          size_t why_cap)
{
    unsigned acc = 0;
    int bits = 0;
    size_t data = 0, pad = 0;
    long produced = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c))
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = -1;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        if (v < 0) {
            if (c == '-' || c == '_')
                snprintf(why, why_cap, "Invalid character '%c' (URL-safe base64 is not accepted)",
                         c);
            else if (isprint(c))
                snprintf(why, why_cap, "Invalid character '%c'", c);
            else
                snprintf(why, why_cap, "Invalid character 0x%02x", c);
            return -1;
        }
        if (pad) {
            snprintf(why, why_cap, "Data after padding");
            return -1;
        }
        data++;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (out && (size_t)produced < cap)
                out[produced] = (unsigned char)(acc >> bits);
            produced++;
        }
    }
    if (data % 4 == 1) {
        snprintf(why, why_cap, "Invalid length (%zu base64 characters)", data);
        return -1;
    }
    if (pad && ((data + pad) % 4 != 0 || pad > 2)) {
        snprintf(why, why_cap, "Invalid padding");
        return -1;
    }
    return produced;
}

/* ---------------------------------------------------------------------------------------------- */
/* Walk 1: structure. */

static int check_message(walker *w, const schema_message *msg, const json_t *obj);

static int not_expecting(walker *w, const schema_field *f, const json_t *v)
{
    return mk_err_set(w->err, "Not expecting a JSON %s for field '%s' at %s", json_kind_name(v),
                      f->name, path_or_top(w));
}

static int check_integer(walker *w, const schema_field *f, const json_t *v)
{
    number n = {.form = NUM_SIGNED};
    if (json_is_integer(v)) {
        n.form = NUM_SIGNED;
        n.i = json_integer_value(v);
    } else if (json_is_real(v)) {
        n.form = NUM_REAL;
        n.d = json_real_value(v);
    } else if (json_is_string(v)) {
        int rc = parse_number_text(json_string_value(v), json_string_length(v), &n);
        if (rc < 0)
            return mk_err_set(w->err,
                              "Failed to parse '%.64s' as a JSON number for field '%s' at %s%s",
                              json_string_value(v), f->name, path_or_top(w),
                              rc == -2 ? ": Value out of range" : "");
    } else {
        return not_expecting(w, f, v);
    }
    bool fractional;
    if (integer_fits(f->kind, &n, &fractional))
        return 0;
    char text[48];
    describe_number(&n, text, sizeof(text));
    if (fractional)
        return mk_err_set(w->err, "Value %s for %s field '%s' at %s is not an integer", text,
                          kind_name(f->kind), f->name, path_or_top(w));
    return mk_err_set(w->err, "Value %s is out of range for %s field '%s' at %s", text,
                      kind_name(f->kind), f->name, path_or_top(w));
}

static int check_double(walker *w, const schema_field *f, const json_t *v)
{
    if (json_is_number(v))
        return 0;
    if (!json_is_string(v))
        return not_expecting(w, f, v);
    const char *s = json_string_value(v);
    /* stout compares these two exactly, without trimming. */
    if (strcmp(s, "Infinity") == 0 || strcmp(s, "-Infinity") == 0)
        return 0;
    number n = {.form = NUM_SIGNED};
    int rc = parse_number_text(s, json_string_length(v), &n);
    if (rc < 0)
        return mk_err_set(w->err, "Failed to parse '%.64s' as a JSON number for field '%s' at %s%s",
                          s, f->name, path_or_top(w), rc == -2 ? ": Value out of range" : "");
    return 0;
}

static int check_bool(walker *w, const schema_field *f, const json_t *v)
{
    if (json_is_boolean(v))
        return 0;
    if (!json_is_string(v))
        return not_expecting(w, f, v);
    char buf[8];
    if (trimmed(json_string_value(v), json_string_length(v), buf, sizeof(buf)) &&
        (strcmp(buf, "true") == 0 || strcmp(buf, "false") == 0))
        return 0;
    return mk_err_set(w->err, "Failed to parse '%.64s' as a JSON boolean for field '%s' at %s",
                      json_string_value(v), f->name, path_or_top(w));
}

static int check_enum(walker *w, const schema_field *f, const json_t *v)
{
    if (!json_is_string(v))
        return not_expecting(w, f, v);
    if (enum_has(f->enumeration, json_string_value(v), json_string_length(v)))
        return 0;
    /* The allowed names, as many as leave room in the error for the rest of the message. */
    char allowed[200];
    size_t used = 0;
    allowed[0] = '\0';
    for (size_t i = 0; i < f->enumeration->n_names; i++) {
        const char *name = f->enumeration->names[i];
        if (used + strlen(name) + 7 >= sizeof(allowed)) {
            memcpy(allowed + used, ", ...", 6);
            break;
        }
        used +=
            (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "", name);
    }
    /* The master says only this (for required enums; it drops unknown names of optional ones). */
    return mk_err_set(
        w->err, "Failed to find enum for '%.64s' in field '%s' (%s) at %s; expected one of: %s",
        json_string_value(v), f->name, f->enumeration->full_name, path_or_top(w), allowed);
}

static int check_bytes(walker *w, const schema_field *f, const json_t *v)
{
    if (!json_is_string(v))
        return not_expecting(w, f, v);
    char why[96];
    if (base64_decode(json_string_value(v), json_string_length(v), NULL, 0, why, sizeof(why)) < 0)
        return mk_err_set(w->err, "Failed to base64 decode bytes field '%s' at %s: %s", f->name,
                          path_or_top(w), why);
    return 0;
}

/* One value of the field's kind (an element, for repeated fields and maps). */
static int check_single(walker *w, const schema_field *f, const json_t *v)
{
    switch (f->kind) {
    case SCHEMA_MESSAGE:
        if (!json_is_object(v))
            return not_expecting(w, f, v);
        return check_message(w, f->message, v);
    case SCHEMA_STRING:
        return json_is_string(v) ? 0 : not_expecting(w, f, v);
    case SCHEMA_BYTES:
        return check_bytes(w, f, v);
    case SCHEMA_ENUM:
        return check_enum(w, f, v);
    case SCHEMA_BOOL:
        return check_bool(w, f, v);
    case SCHEMA_DOUBLE:
        return check_double(w, f, v);
    case SCHEMA_INT32:
    case SCHEMA_UINT32:
    case SCHEMA_INT64:
    case SCHEMA_UINT64:
        return check_integer(w, f, v);
    }
    return not_expecting(w, f, v);
}

static int check_map(walker *w, const schema_field *f, const json_t *v)
{
    if (json_is_array(v))
        return mk_err_set(
            w->err,
            "Not expecting a JSON array for map field '%s' at %s (write the map as a JSON object)",
            f->name, path_or_top(w));
    if (!json_is_object(v))
        return not_expecting(w, f, v);
    members m;
    members_sorted(v, &m);
    int rc = 0;
    for (size_t i = 0; i < m.n && rc == 0; i++) {
        size_t mark = path_push_key(w, m.items[i].key);
        if (json_is_null(m.items[i].value))
            rc = mk_err_set(w->err,
                            "Not expecting a JSON null for the value of map field '%s' at %s",
                            f->name, w->path);
        else
            rc = check_single(w, f, m.items[i].value);
        path_pop(w, mark);
    }
    members_free(&m);
    return rc;
}

static int check_repeated(walker *w, const schema_field *f, const json_t *v)
{
    if (!json_is_array(v)) {
        size_t mark = path_push_index(w, 0);
        int rc = check_single(w, f, v);
        path_pop(w, mark);
        return rc;
    }
    size_t index = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (json_is_null(e))
            continue; /* adds no element, so it takes no index either */
        size_t mark = path_push_index(w, index++);
        int rc;
        if (json_is_array(e))
            rc = mk_err_set(w->err,
                            "Not expecting a JSON array inside the array of field '%s' at %s",
                            f->name, w->path);
        else
            rc = check_single(w, f, e);
        path_pop(w, mark);
        if (rc)
            return rc;
    }
    return 0;
}

/* "frameworkInfo" -> "framework_info", for a hint when a lowerCamel key is close to a field. */
static const schema_field *camel_match(const schema_message *msg, const char *key)
{
    char snake[96];
    size_t o = 0;
    bool had_upper = false;
    for (const char *p = key; *p && o + 2 < sizeof(snake); p++) {
        if (isupper((unsigned char)*p)) {
            had_upper = true;
            if (o > 0)
                snake[o++] = '_';
            snake[o++] = (char)tolower((unsigned char)*p);
        } else {
            snake[o++] = *p;
        }
    }
    snake[o] = '\0';
    return had_upper ? find_field(msg, snake, NULL) : NULL;
}

static int unknown_field(walker *w, const schema_message *msg, const char *key)
{
    const schema_field *hint = camel_match(msg, key);
    if (w->len == 0)
        return mk_err_set(w->err, "Unknown field '%.64s' in %s%s%s%s", key, msg->full_name,
                          hint ? " (did you mean '" : "", hint ? hint->name : "",
                          hint ? "'?)" : "");
    return mk_err_set(w->err, "Unknown field '%.64s' in %s at %s%s%s%s", key, msg->full_name,
                      w->path, hint ? " (did you mean '" : "", hint ? hint->name : "",
                      hint ? "'?)" : "");
}

static int check_message(walker *w, const schema_message *msg, const json_t *obj)
{
    members m;
    members_sorted(obj, &m);
    const schema_field *set_in_oneof[SCHEMA_MAX_FIELDS];
    size_t n_oneof = 0;
    int rc = 0;
    for (size_t i = 0; i < m.n && rc == 0; i++) {
        const schema_field *f = find_field(msg, m.items[i].key, NULL);
        if (!f) {
            rc = unknown_field(w, msg, m.items[i].key);
            break;
        }
        const json_t *v = m.items[i].value;
        if (json_is_null(v))
            continue; /* null means unset */
        size_t mark = path_push_field(w, f->name);
        if (f->label == SCHEMA_MAP)
            rc = check_map(w, f, v);
        else if (f->label == SCHEMA_REPEATED)
            rc = check_repeated(w, f, v);
        else if (json_is_array(v))
            rc = not_expecting(w, f, v);
        else
            rc = check_single(w, f, v);
        path_pop(w, mark);
        if (rc == 0 && f->oneof) {
            for (size_t j = 0; j < n_oneof && rc == 0; j++)
                if (strcmp(set_in_oneof[j]->oneof, f->oneof) == 0)
                    rc = mk_err_set(
                        w->err, "Fields '%s' and '%s' of oneof '%s' in %s at %s are both set",
                        set_in_oneof[j]->name, f->name, f->oneof, msg->full_name, path_or_top(w));
            if (n_oneof < SCHEMA_MAX_FIELDS)
                set_in_oneof[n_oneof++] = f;
        }
    }
    members_free(&m);
    return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* Walk 2: required fields. Only runs on JSON that passed walk 1, so kinds are known to be right. */

static void note_missing(walker *w, const char *name)
{
    w->n_missing++;
    if (w->missing_truncated)
        return;
    int n = snprintf(w->missing + w->missing_len, MISSING_CAP - w->missing_len, "%s%s%s%s",
                     w->missing_len ? ", " : "", w->path, w->len ? "." : "", name);
    if (n < 0 || (size_t)n >= MISSING_CAP - w->missing_len) {
        w->missing[w->missing_len] = '\0';
        w->missing_truncated = true;
    } else {
        w->missing_len += (size_t)n;
    }
}

static void find_missing(walker *w, const schema_message *msg, const json_t *obj);

static void find_missing_in_value(walker *w, const schema_field *f, const json_t *v)
{
    if (f->label == SCHEMA_MAP) {
        /* Map entries are messages {key, value}; protobuf names them field[i].value. */
        members m;
        members_sorted(v, &m);
        for (size_t i = 0; i < m.n; i++) {
            size_t mark = path_push_index(w, i);
            path_push_field(w, "value");
            find_missing(w, f->message, m.items[i].value);
            path_pop(w, mark);
        }
        members_free(&m);
    } else if (f->label == SCHEMA_REPEATED) {
        if (!json_is_array(v)) {
            size_t mark = path_push_index(w, 0);
            find_missing(w, f->message, v);
            path_pop(w, mark);
            return;
        }
        size_t index = 0;
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (json_is_null(e))
                continue;
            size_t mark = path_push_index(w, index++);
            find_missing(w, f->message, e);
            path_pop(w, mark);
        }
    } else {
        find_missing(w, f->message, v);
    }
}

static void find_missing(walker *w, const schema_message *msg, const json_t *obj)
{
    if (!json_is_object(obj))
        return;
    /* Which fields are set (non-null), by declaration index. */
    const json_t *value[SCHEMA_MAX_FIELDS] = {0};
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i;
        if (!json_is_null(v) && find_field(msg, key, &i))
            value[i] = v;
    }
    for (size_t i = 0; i < msg->n_fields; i++)
        if (msg->fields[i].label == SCHEMA_REQUIRED && !value[i])
            note_missing(w, msg->fields[i].name);

    /* Sub-messages that are set, visited by field number (protobuf's ListFields order). */
    size_t order[SCHEMA_MAX_FIELDS];
    size_t n = 0;
    for (size_t i = 0; i < msg->n_fields; i++) {
        if (msg->fields[i].kind != SCHEMA_MESSAGE || !value[i])
            continue;
        size_t j = n++;
        while (j > 0 && msg->fields[order[j - 1]].number > msg->fields[i].number) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t k = 0; k < n; k++) {
        const schema_field *f = &msg->fields[order[k]];
        size_t mark = path_push_field(w, f->name);
        find_missing_in_value(w, f, value[order[k]]);
        path_pop(w, mark);
    }
}

/* ---------------------------------------------------------------------------------------------- */

int schema_check_call(const json_t *call, mk_err *err)
{
    if (!json_is_object(call))
        return mk_err_set(err, "Expecting a JSON object");
    walker w = {.err = err};
    int rc = check_message(&w, &schema_call, call);
    if (rc == 0) {
        find_missing(&w, &schema_call, call);
        if (w.n_missing > 0)
            rc = mk_err_set(err, "Missing required fields: %s%s", w.missing,
                            w.missing_truncated ? ", ..." : "");
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* The canonical form: what the master's parser makes of the leniencies above, so that the code
 * reading a call sees one JSON kind per proto type. Only runs on JSON that passed walk 1. */

static json_t *canonical_message(const schema_message *msg, const json_t *obj);

static json_t *canonical_integer(const number *n)
{
    switch (n->form) {
    case NUM_SIGNED:
        return json_integer((json_int_t)n->i);
    case NUM_UNSIGNED: /* beyond json_int_t: the nearest double is the best jansson holds */
        return json_real((double)n->u);
    case NUM_REAL:
        if (n->d >= -9223372036854775808.0 && n->d < 9223372036854775808.0)
            return json_integer((json_int_t)n->d);
        return json_real(n->d);
    }
    return json_null();
}

static json_t *canonical_single(const schema_field *f, const json_t *v)
{
    number n = {.form = NUM_SIGNED};
    char buf[8];
    switch (f->kind) {
    case SCHEMA_MESSAGE:
        return canonical_message(f->message, v);
    case SCHEMA_INT32:
    case SCHEMA_UINT32:
    case SCHEMA_INT64:
    case SCHEMA_UINT64:
        if (json_is_integer(v))
            return json_incref((json_t *)v);
        if (json_is_real(v)) {
            n.form = NUM_REAL;
            n.d = json_real_value(v);
        } else if (parse_number_text(json_string_value(v), json_string_length(v), &n) < 0) {
            return json_incref((json_t *)v); /* not reached for checked JSON */
        }
        return canonical_integer(&n);
    case SCHEMA_DOUBLE:
        if (json_is_number(v))
            return json_real(json_number_value(v));
        if (strcmp(json_string_value(v), "Infinity") == 0 ||
            strcmp(json_string_value(v), "-Infinity") == 0 ||
            parse_number_text(json_string_value(v), json_string_length(v), &n) < 0)
            return json_incref((json_t *)v);
        return json_real(n.form == NUM_REAL       ? n.d
                         : n.form == NUM_UNSIGNED ? (double)n.u
                                                  : (double)n.i);
    case SCHEMA_BOOL:
        if (json_is_string(v) &&
            trimmed(json_string_value(v), json_string_length(v), buf, sizeof(buf)))
            return json_boolean(strcmp(buf, "true") == 0);
        return json_incref((json_t *)v);
    case SCHEMA_STRING:
    case SCHEMA_BYTES:
    case SCHEMA_ENUM:
        return json_incref((json_t *)v);
    }
    return json_incref((json_t *)v);
}

static json_t *canonical_message(const schema_message *msg, const json_t *obj)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const schema_field *f = find_field(msg, key, NULL);
        if (!f || json_is_null(v))
            continue;
        json_t *c;
        if (f->label == SCHEMA_MAP) {
            c = json_object();
            const char *k;
            json_t *e;
            json_object_foreach(v, k, e)
            {
                json_object_set_new(c, k, canonical_single(f, e));
            }
        } else if (f->label == SCHEMA_REPEATED) {
            c = json_array();
            if (!json_is_array(v)) {
                json_array_append_new(c, canonical_single(f, v));
            } else {
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e)
                {
                    if (!json_is_null(e))
                        json_array_append_new(c, canonical_single(f, e));
                }
            }
        } else {
            c = canonical_single(f, v);
        }
        json_object_set_new(out, key, c);
    }
    return out;
}

json_t *schema_canonical_call(const json_t *call)
{
    return json_is_object(call) ? canonical_message(&schema_call, call) : NULL;
}

double schema_number(const json_t *v, double dflt)
{
    if (!v)
        return dflt;
    if (json_is_string(v))
        return strcmp(json_string_value(v), "-Infinity") == 0  ? -INFINITY
               : strcmp(json_string_value(v), "Infinity") == 0 ? INFINITY
                                                               : dflt;
    return json_number_value(v);
}

/* ---------------------------------------------------------------------------------------------- */
/* Stateless semantic rules (validation.cpp, scheduler::call::validate). Written to be safe on any
 * JSON, but meaningful only for a call that passed schema_check_call. */

static bool is_set(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v);
}

/* The value of an optional FrameworkID field, "" when unset (protobuf's default). */
static const char *framework_id_value(const json_t *id)
{
    const char *s = json_string_value(json_object_get(id, "value"));
    return s ? s : "";
}

/* id::UUID::fromBytes: exactly 16 bytes, and a version nibble boost knows (1 to 5). */
static bool valid_uuid_bytes(const json_t *v)
{
    const char *s = json_string_value(v);
    unsigned char bytes[16];
    char why[96];
    long n =
        s ? base64_decode(s, json_string_length(v), bytes, sizeof(bytes), why, sizeof(why)) : 0;
    if (n != 16)
        return false;
    unsigned version = bytes[6] >> 4;
    return version >= 1 && version <= 5;
}

/* Which sub-message each call type needs; NULL where validation.cpp asks for none. */
static const struct {
    const char *type;
    const char *sub;
} call_parts[] = {
    {"UNKNOWN", NULL},
    {"SUBSCRIBE", "subscribe"},
    {"TEARDOWN", NULL},
    {"ACCEPT", "accept"},
    {"DECLINE", "decline"},
    {"ACCEPT_INVERSE_OFFERS", "accept_inverse_offers"},
    {"DECLINE_INVERSE_OFFERS", "decline_inverse_offers"},
    {"REVIVE", NULL},
    {"SUPPRESS", NULL},
    {"KILL", "kill"},
    {"SHUTDOWN", "shutdown"},
    {"ACKNOWLEDGE", "acknowledge"},
    {"ACKNOWLEDGE_OPERATION_STATUS", "acknowledge_operation_status"},
    {"RECONCILE", "reconcile"},
    {"RECONCILE_OPERATIONS", "reconcile_operations"},
    {"MESSAGE", "message"},
    {"REQUEST", "request"},
    {"UPDATE_FRAMEWORK", "update_framework"},
};

int schema_validate_call(const json_t *call, mk_err *err)
{
    if (!json_is_object(call))
        return mk_err_set(err, "Expecting a JSON object");

    /* An unknown name reads as "unset" in the master, so it fails here the same way. */
    const char *type = json_string_value(json_object_get(call, "type"));
    size_t part = MK_ARRAY_LEN(call_parts);
    for (size_t i = 0; type && i < MK_ARRAY_LEN(call_parts); i++)
        if (strcmp(call_parts[i].type, type) == 0)
            part = i;
    if (part == MK_ARRAY_LEN(call_parts))
        return mk_err_set(err, "Expecting 'type' to be present");

    if (strcmp(type, "SUBSCRIBE") == 0) {
        if (!is_set(call, "subscribe"))
            return mk_err_set(err, "Expecting 'subscribe' to be present");
        const json_t *info = json_object_get(json_object_get(call, "subscribe"), "framework_info");
        if (strcmp(framework_id_value(json_object_get(info, "id")),
                   framework_id_value(json_object_get(call, "framework_id"))) != 0)
            return mk_err_set(err, "'framework_id' differs from 'subscribe.framework_info.id'");
        /* The principal rule needs the authenticated principal: the HTTP layer applies it. */
        return 0;
    }

    if (!is_set(call, "framework_id"))
        return mk_err_set(err, "Expecting 'framework_id' to be present");

    const char *sub = call_parts[part].sub;
    if (sub && !is_set(call, sub))
        return mk_err_set(err, "Expecting '%s' to be present", sub);

    if (strcmp(type, "ACKNOWLEDGE") == 0) {
        if (!valid_uuid_bytes(json_object_get(json_object_get(call, sub), "uuid")))
            return mk_err_set(err, "Not a valid UUID");
    } else if (strcmp(type, "ACKNOWLEDGE_OPERATION_STATUS") == 0) {
        const json_t *ack = json_object_get(call, sub);
        if (!valid_uuid_bytes(json_object_get(ack, "uuid")))
            return mk_err_set(err, "Not a valid UUID");
        if (!is_set(ack, "agent_id"))
            return mk_err_set(err, "Expecting 'agent_id' to be present");
    } else if (strcmp(type, "UPDATE_FRAMEWORK") == 0) {
        const json_t *info = json_object_get(json_object_get(call, sub), "framework_info");
        if (strcmp(framework_id_value(json_object_get(info, "id")),
                   framework_id_value(json_object_get(call, "framework_id"))) != 0)
            return mk_err_set(err,
                              "'framework_id' differs from 'update_framework.framework_info.id'");
    }
    return 0;
}
