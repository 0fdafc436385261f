/*
 * attrs: the --attributes format of a mesos-agent, read into v1 Attribute JSON (attrs.h).
 */
#include "attrs.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* jansson integers are signed 64-bit: a range bound past that could not be offered. */
#define MAX_BOUND ((uint64_t)INT64_MAX)

typedef struct {
    uint64_t begin, end;
} range;

/* strings::checkBracketsMatching: never more closed than opened, all closed at the end. */
static int brackets_match(const char *s, char open, char close)
{
    int depth = 0;
    for (; *s; s++) {
        depth += (*s == open) - (*s == close);
        if (depth < 0)
            return 0;
    }
    return depth == 0;
}

static int by_begin(const void *a, const void *b)
{
    const range *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* "[1-5,10-20]": tokens split on any of "[]-,", taken two by two, as values::parse reads them
 * (so "[1-5-7-9]" is 1-5 and 7-9); overlapping and adjacent ranges merged, as coalesce() does. */
static json_t *ranges_value(const char *text, const char *pair, mk_err *err)
{
    cleanup_free char *copy = mk_xstrdup(text);
    /* At most one bound per character of the text. */
    cleanup_free range *r = mk_xcalloc(strlen(text) / 2 + 1, sizeof(*r));
    char *save = NULL;
    size_t n = 0; /* bounds read */
    for (char *tok = strtok_r(copy, "[]-,\n", &save); tok; tok = strtok_r(NULL, "[]-,\n", &save)) {
        errno = 0;
        char *end;
        unsigned long long v = strtoull(tok, &end, 10);
        if (!isdigit((unsigned char)tok[0]) || *end || errno || v > MAX_BOUND) {
            mk_err_set(err, "'%.100s': Expecting non-negative integers in '%.40s'", pair, tok);
            return NULL;
        }
        if (n % 2 == 0)
            r[n / 2].begin = v;
        else
            r[n / 2].end = v;
        n++;
    }
    if (n % 2) {
        mk_err_set(err, "'%.100s': Expecting one or more \"ranges\"", pair);
        return NULL;
    }
    if (n == 0) {
        mk_err_set(err, "'%.100s': no range between the brackets", pair);
        return NULL;
    }
    size_t nr = n / 2;
    for (size_t i = 0; i < nr; i++)
        if (r[i].begin > r[i].end) {
            mk_err_set(err, "'%.100s': range %llu-%llu ends before it begins", pair,
                       (unsigned long long)r[i].begin, (unsigned long long)r[i].end);
            return NULL;
        }
    qsort(r, nr, sizeof(*r), by_begin);
    json_t *list = json_array();
    for (size_t i = 0; i < nr;) {
        range cur = r[i++];
        while (i < nr && r[i].begin <= cur.end + 1) {
            if (r[i].end > cur.end)
                cur.end = r[i].end;
            i++;
        }
        json_array_append_new(list, json_pack("{s:I, s:I}", "begin", (json_int_t)cur.begin, "end",
                                              (json_int_t)cur.end));
    }
    return json_pack("{s:o}", "range", list);
}

/* What numify<double> takes: a whole decimal number (hexadecimal is TEXT to Mesos). */
static int decimal_number(const char *text, double *out)
{
    if (isspace((unsigned char)text[0]) || strpbrk(text, "xX"))
        return 0;
    char *end;
    *out = strtod(text, &end);
    return end != text && *end == '\0';
}

static int parse_pair(const char *pair, json_t *out, mk_err *err)
{
    const char *colon = strchr(pair, ':');
    if (!colon || colon == pair || colon[1] == '\0')
        return mk_err_set(err, "'%.100s': Invalid attribute key:value pair (NAME:VALUE)", pair);
    cleanup_free char *name = mk_xstrndup(pair, (size_t)(colon - pair));
    /* values::parse removes every space from the value (not from the name). */
    cleanup_free char *value = mk_xmalloc(strlen(colon));
    size_t len = 0;
    for (const char *c = colon + 1; *c; c++)
        if (*c != ' ')
            value[len++] = *c;
    value[len] = '\0';
    if (len == 0)
        return mk_err_set(err, "'%.100s': Expecting non-empty string", pair);
    if (!brackets_match(value, '{', '}') || !brackets_match(value, '[', ']') ||
        !brackets_match(value, '(', ')'))
        return mk_err_set(err, "'%.100s': Mismatched brackets", pair);
    json_t *attr;
    char *square = strchr(value, '['), *curly = strchr(value, '{');
    double number;
    if (square && square != value) {
        return mk_err_set(err, "'%.100s': Unexpected '[' found", pair);
    } else if (square) {
        json_t *ranges = ranges_value(value, pair, err);
        if (!ranges)
            return -1;
        attr = json_pack("{s:s, s:s, s:o}", "name", name, "type", "RANGES", "ranges", ranges);
    } else if (curly == value) {
        return mk_err_set(err,
                          "'%.100s': Bad type for attribute %.40s: SET (an agent takes TEXT, "
                          "SCALAR and RANGES attributes only)",
                          pair, name);
    } else if (curly) {
        return mk_err_set(err, "'%.100s': Unexpected '{' found", pair);
    } else if (decimal_number(value, &number)) {
        if (!isfinite(number))
            return mk_err_set(err, "'%.100s': not a finite number", pair);
        attr = json_pack("{s:s, s:s, s:{s:f}}", "name", name, "type", "SCALAR", "scalar", "value",
                         number);
    } else {
        attr =
            json_pack("{s:s, s:s, s:{s:s}}", "name", name, "type", "TEXT", "text", "value", value);
    }
    json_array_append_new(out, attr);
    return 0;
}

int sim_attrs_parse(const char *spec, json_t *out, mk_err *err)
{
    cleanup_free char *copy = mk_xstrdup(spec);
    char *save = NULL;
    for (char *pair = strtok_r(copy, ";\n", &save); pair; pair = strtok_r(NULL, ";\n", &save))
        if (parse_pair(pair, out, err) < 0)
            return -1;
    return 0;
}

static const char *name_of(const json_t *attr)
{
    return json_string_value(json_object_get(attr, "name"));
}

void sim_attrs_override(json_t *base, const json_t *over)
{
    size_t i;
    const json_t *o;
    json_array_foreach(over, i, o)
    {
        for (size_t b = json_array_size(base); b-- > 0;)
            if (strcmp(name_of(json_array_get(base, b)), name_of(o)) == 0)
                json_array_remove(base, b);
    }
    json_array_extend(base, (json_t *)over);
}

/* "N=SPEC": N the agent's number, 1..n_agents. */
static int per_agent_spec(const char *arg, int n_agents, int *agent, const char **spec, mk_err *err)
{
    const char *eq = strchr(arg, '=');
    char *end;
    long n = eq ? strtol(arg, &end, 10) : 0;
    if (!eq || !isdigit((unsigned char)arg[0]) || end != eq)
        return mk_err_set(err, "--agent-attributes-of '%.100s': takes N=SPEC (N: 1 for agent1)",
                          arg);
    if (n < 1 || n > n_agents)
        return mk_err_set(err, "--agent-attributes-of '%.100s': there is no agent%ld (%d agents)",
                          arg, n, n_agents);
    *agent = (int)n;
    *spec = eq + 1;
    return 0;
}

int sim_attrs_for_agents(const char *common, const char *const *per_agent, size_t n_per_agent,
                         int n_agents, json_t **out, mk_err *err)
{
    cleanup_json json_t *base = json_array();
    if (common && sim_attrs_parse(common, base, err) < 0)
        return mk_err_prefix(err, "--agent-attributes (every agent)");
    for (int a = 0; a < n_agents; a++)
        out[a] = json_deep_copy(base);
    for (size_t i = 0; i < n_per_agent; i++) {
        int agent = 0;
        const char *spec = NULL;
        cleanup_json json_t *own = json_array();
        int rc = per_agent_spec(per_agent[i], n_agents, &agent, &spec, err);
        if (rc == 0 && (rc = sim_attrs_parse(spec, own, err)) < 0)
            mk_err_prefix(err, "--agent-attributes-of %d (agent%d)", agent, agent);
        if (rc < 0) {
            for (int a = 0; a < n_agents; a++) {
                json_decref(out[a]);
                out[a] = NULL;
            }
            return -1;
        }
        sim_attrs_override(out[agent - 1], own);
    }
    return 0;
}
