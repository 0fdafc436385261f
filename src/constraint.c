/*
 * constraint: parsing the constraint text, writing it back, and judging an agent.
 *
 * Each constraint keeps its canonical text, so refusal reasons and constraint_set_text say it the
 * same way. Regexes pass regex_screen (src/regex_screen.h) before regcomp sees them.
 */
#include "constraint.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mesos_event.h"
#include "regex_screen.h"

typedef enum { OP_LIKE, OP_UNLIKE, OP_UNIQUE, OP_CLUSTER, OP_GROUP_BY } constraint_op;

static const char *const op_names[] = {"like", "unlike", "unique", "cluster", "groupBy"};

typedef struct {
    char *attr;
    constraint_op op;
    char *value;     /* regex of like/unlike, value of cluster:<v>; NULL if none */
    unsigned groups; /* n of groupBy:<n>; 0 for a plain groupBy */
    bool has_re;
    regex_t re;
    char *text; /* canonical */
} constraint;

struct constraint_set {
    constraint *c;
    size_t n;
};

/* ---- parsing ------------------------------------------------------------------------- */

/* Names the item in a message: quoted, cut at 60 bytes (the message has room for the reason). */
__attribute__((format(printf, 3, 4))) static int refuse(mk_err *err, const char *item,
                                                        const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    size_t n = strlen(item);
    return mk_err_set(err, "constraint \"%.*s%s\": %s", (int)(n > 60 ? 57 : n), item,
                      n > 60 ? "..." : "", reason);
}

static int compile_regex(constraint *c, const char *item, mk_err *err)
{
    const char *why = NULL;
    if (strlen(c->value) > CONSTRAINT_MAX_VALUE)
        return refuse(err, item, "the regex is longer than %d bytes", CONSTRAINT_MAX_VALUE);
    if (regex_screen(c->value, &why) != 0)
        return refuse(err, item, "the regex is refused: %s", why);
    cleanup_free char *anchored = mk_xasprintf("^(%s)$", c->value);
    int rc = regcomp(&c->re, anchored, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[128];
        regerror(rc, &c->re, msg, sizeof(msg));
        return refuse(err, item, "the regex for %s does not compile: %s", c->attr, msg);
    }
    c->has_re = true;
    return 0;
}

static bool valid_attr_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
}

/* Parses one item (spaces already trimmed) into `c`. */
static int parse_one(const char *item, constraint *c, mk_err *err)
{
    const char *eq = strchr(item, '=');
    if (!eq)
        return refuse(err, item,
                      "no '=' (write <attribute>=<operator>[:<value>], e.g. "
                      "rack=like:r1)");
    size_t attr_len = (size_t)(eq - item);
    if (attr_len == 0)
        return refuse(err, item, "no attribute name before '='");
    if (attr_len > CONSTRAINT_MAX_ATTR)
        return refuse(err, item, "the attribute name is longer than %d bytes", CONSTRAINT_MAX_ATTR);
    for (size_t i = 0; i < attr_len; i++)
        if (!valid_attr_char(item[i]))
            return refuse(err, item,
                          "the attribute name may hold only letters, digits, '.', '_' and '-'");
    const char *op = eq + 1, *colon = strchr(op, ':');
    size_t op_len = colon ? (size_t)(colon - op) : strlen(op);
    size_t k = 0;
    while (k < MK_ARRAY_LEN(op_names) &&
           !(strlen(op_names[k]) == op_len && strncasecmp(op, op_names[k], op_len) == 0))
        k++;
    if (k == MK_ARRAY_LEN(op_names))
        return refuse(err, item,
                      "unknown operator \"%.*s\" (like, unlike, unique, cluster or groupBy)",
                      (int)(op_len > 40 ? 40 : op_len), op);
    c->attr = mk_xstrndup(item, attr_len);
    c->op = (constraint_op)k;
    const char *value = colon ? colon + 1 : NULL;
    if (value && strlen(value) > CONSTRAINT_MAX_VALUE)
        return refuse(err, item, "the value is longer than %d bytes", CONSTRAINT_MAX_VALUE);
    switch (c->op) {
    case OP_LIKE:
    case OP_UNLIKE:
        if (!value || !*value)
            return refuse(err, item, "%s needs a regex (%s:<regex>)", op_names[k], op_names[k]);
        c->value = mk_xstrdup(value);
        if (compile_regex(c, item, err) != 0)
            return -1;
        break;
    case OP_UNIQUE:
        if (value)
            return refuse(err, item, "unique takes no value");
        break;
    case OP_CLUSTER:
        if (value && !*value)
            return refuse(err, item, "empty value after ':' (write cluster or cluster:<value>)");
        c->value = value ? mk_xstrdup(value) : NULL;
        break;
    case OP_GROUP_BY:
        if (value) {
            const char *digits = value + strspn(value, "0"); /* leading zeros are fine */
            size_t n = strspn(digits, "0123456789");
            long groups = *value && n <= 4 && !digits[n] ? strtol(digits, NULL, 10) : 0;
            if (groups < 1 || groups > CONSTRAINT_MAX_GROUP)
                return refuse(err, item, "the group count must be a whole number from 1 to %d",
                              CONSTRAINT_MAX_GROUP);
            c->groups = (unsigned)groups;
        }
        break;
    }
    if (c->groups)
        c->text = mk_xasprintf("%s=%s:%u", c->attr, op_names[k], c->groups);
    else
        c->text = mk_xasprintf("%s=%s%s%s", c->attr, op_names[k], c->value ? ":" : "",
                               c->value ? c->value : "");
    return 0;
}

static void constraint_clear(constraint *c)
{
    free(c->attr);
    free(c->value);
    free(c->text);
    if (c->has_re)
        regfree(&c->re);
}

/* The comma that ends the item at `p` (or the end of the text). A comma inside a repetition
 * count ("{1,3}") belongs to the regex: no attribute name can start with digits and a '}'. */
static const char *item_end(const char *text, const char *p)
{
    for (;; p++) {
        p += strcspn(p, ",");
        if (!*p)
            return p;
        const char *back = p, *fwd = p + 1;
        while (back > text && back[-1] >= '0' && back[-1] <= '9')
            back--;
        fwd += strspn(fwd, "0123456789");
        if (!(back > text && back[-1] == '{' && *fwd == '}'))
            return p;
    }
}

int constraint_set_parse(const char *text, constraint_set **out, mk_err *err)
{
    *out = NULL;
    size_t len = strlen(text);
    if (len > CONSTRAINT_MAX_TEXT)
        return mk_err_set(err, "the constraints are longer than %d bytes", CONSTRAINT_MAX_TEXT);
    constraint_set *cs = mk_xcalloc(1, sizeof(*cs));
    if (len == 0) {
        *out = cs;
        return 0;
    }
    size_t n_items = 1;
    for (const char *p = text; *p; p++)
        n_items += *p == ',';
    cs->c = mk_xcalloc(n_items, sizeof(constraint));
    for (const char *p = text, *end;; p = end + 1) {
        end = item_end(text, p);
        size_t i = cs->n; /* the items before this one all parsed */
        const char *start = p + strspn(p, " ");
        size_t n = start < end ? (size_t)(end - start) : 0;
        while (n && start[n - 1] == ' ')
            n--;
        cleanup_free char *item = mk_xstrndup(start, n);
        for (size_t j = 0; j < n; j++)
            if ((unsigned char)item[j] < 0x20 || item[j] == 0x7f) {
                mk_err_set(err, "constraint %zu holds a control character (byte 0x%02x)", i + 1,
                           (unsigned char)item[j]);
                goto fail;
            }
        if (n == 0) {
            mk_err_set(err, "constraint %zu is empty (a stray comma?)", i + 1);
            goto fail;
        }
        constraint *c = &cs->c[cs->n++];
        if (parse_one(item, c, err) != 0)
            goto fail;
        for (size_t j = 0; j + 1 < cs->n; j++)
            if (cs->c[j].op == c->op && strcmp(cs->c[j].attr, c->attr) == 0) {
                refuse(err, item, "%s=%s is given twice (one per attribute and operator)", c->attr,
                       op_names[c->op]);
                goto fail;
            }
        if (!*end)
            break;
    }
    *out = cs;
    return 0;
fail:
    constraint_set_free(cs);
    return -1;
}

void constraint_set_free(constraint_set *cs)
{
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++)
        constraint_clear(&cs->c[i]);
    free(cs->c);
    free(cs);
}

size_t constraint_set_count(const constraint_set *cs)
{
    return cs ? cs->n : 0;
}

char *constraint_set_text(const constraint_set *cs)
{
    size_t len = 1;
    for (size_t i = 0; i < constraint_set_count(cs); i++)
        len += strlen(cs->c[i].text) + 1;
    char *out = mk_xmalloc(len), *w = out;
    for (size_t i = 0; i < constraint_set_count(cs); i++)
        w += sprintf(w, "%s%s", i ? "," : "", cs->c[i].text);
    *w = '\0';
    return out;
}

/* ---- judging ------------------------------------------------------------------------- */

static bool full_match(const constraint *c, const char *value)
{
    return value && regexec(&c->re, value, 0, NULL, 0) == 0;
}

/* Counts the other brokers whose value of `attr` is `value`. */
static size_t count_value(const char *attr, const char *value, const constraint_agent *others,
                          size_t n_others)
{
    size_t count = 0;
    for (size_t i = 0; i < n_others; i++) {
        const char *v = others[i].attr(others[i].ud, attr);
        count += v && strcmp(v, value) == 0;
    }
    return count;
}

/* groupBy: whether `value` (counted `mine` times among the others) may take one more broker. */
static bool group_accepts(const constraint *c, size_t mine, const constraint_agent *others,
                          size_t n_others, size_t *distinct, size_t *smallest)
{
    *distinct = 0;
    *smallest = 0;
    for (size_t i = 0; i < n_others; i++) {
        const char *v = others[i].attr(others[i].ud, c->attr);
        bool first = v != NULL;
        for (size_t j = 0; first && j < i; j++) {
            const char *w = others[j].attr(others[j].ud, c->attr);
            first = !(w && strcmp(v, w) == 0);
        }
        if (!first)
            continue;
        size_t count = count_value(c->attr, v, others + i, n_others - i);
        if (*distinct == 0 || count < *smallest)
            *smallest = count;
        ++*distinct;
    }
    if (*distinct < c->groups) /* the unseen values count 0 */
        return mine == 0;
    if (mine == 0)
        return c->groups == 0;
    return mine == *smallest;
}

/* Writes a refusal's reason and returns false, so a refusal is one statement. */
__attribute__((format(printf, 3, 4))) static bool refused(char *why, size_t len, const char *fmt,
                                                          ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return false;
}

/* Judges one constraint for an agent whose value is `v` (NULL: none); on refusal writes the
 * reason's tail (what follows "<constraint>: "). */
static bool one_accepts(const constraint *c, const char *host, const char *v,
                        const constraint_agent *others, size_t n_others, char *why, size_t len)
{
    if (c->op == OP_UNLIKE)
        return !full_match(c, v) || refused(why, len, "%s has %s=%s", host, c->attr, v);
    if (!v)
        return refused(why, len, "%s has no %s attribute", host, c->attr);
    size_t mine, distinct, smallest;
    switch (c->op) {
    case OP_LIKE:
        return full_match(c, v) || refused(why, len, "%s has %s=%s", host, c->attr, v);
    case OP_UNIQUE:
        return count_value(c->attr, v, others, n_others) == 0 ||
               refused(why, len, "another broker is on %s=%s", c->attr, v);
    case OP_CLUSTER:
        if (c->value)
            return strcmp(v, c->value) == 0 || refused(why, len, "%s has %s=%s", host, c->attr, v);
        for (size_t i = 0; i < n_others; i++) {
            const char *w = others[i].attr(others[i].ud, c->attr);
            if (w && strcmp(w, v) != 0)
                return refused(why, len, "the other brokers are on %s=%s, %s has %s=%s", c->attr, w,
                               host, c->attr, v);
        }
        return true;
    case OP_GROUP_BY:
        mine = count_value(c->attr, v, others, n_others);
        if (group_accepts(c, mine, others, n_others, &distinct, &smallest))
            return true;
        if (mine == 0)
            return refused(why, len, "the brokers already use %zu values of %s, %s=%s is not one",
                           distinct, c->attr, c->attr, v);
        if (distinct < c->groups)
            return refused(why, len,
                           "%s=%s already has %zu broker(s) while fewer than %u values are in use",
                           c->attr, v, mine, c->groups);
        return refused(why, len, "%s=%s has %zu broker(s), another value only %zu", c->attr, v,
                       mine, smallest);
    case OP_UNLIKE:
        break;
    }
    return true;
}

bool constraint_set_accepts(const constraint_set *cs, constraint_agent agent,
                            const constraint_agent *others, size_t n_others, char *why,
                            size_t why_len)
{
    if (why && why_len)
        why[0] = '\0';
    if (constraint_set_count(cs) == 0)
        return true;
    const char *host = agent.attr(agent.ud, "hostname");
    if (!host || !*host)
        host = "the agent";
    for (size_t i = 0; i < cs->n; i++) {
        const constraint *c = &cs->c[i];
        char tail[400];
        if (one_accepts(c, host, agent.attr(agent.ud, c->attr), others, n_others, tail,
                        sizeof(tail)))
            continue;
        if (why && why_len) {
            snprintf(why, why_len, "%s: %s", c->text, tail);
            for (char *w = why; *w; w++) /* an agent's value may hold any byte; a log line not */
                if ((unsigned char)*w < 0x20 || *w == 0x7f)
                    *w = '?';
        }
        return false;
    }
    return true;
}

const char *constraint_offer_attr(const void *offer, const char *name)
{
    const mesos_offer *o = offer;
    if (strcmp(name, "hostname") == 0)
        return o->hostname;
    for (size_t i = 0; i < o->n_attributes; i++)
        if (o->attributes[i].name && strcmp(o->attributes[i].name, name) == 0)
            return o->attributes[i].value;
    return NULL;
}

/* ---- pending reasons ----------------------------------------------------------------- */

void constraint_refusals_note(constraint_refusals *r, const char *why)
{
    r->refused++;
    snprintf(r->last, sizeof(r->last), "%s", why ? why : "");
}

void constraint_refusals_text(const constraint_refusals *r, char *out, size_t len)
{
    if (!len)
        return;
    if (r->refused == 0)
        out[0] = '\0';
    else
        snprintf(out, len, "the constraints refused %lu offer%s, the last because %s", r->refused,
                 r->refused == 1 ? "" : "s", r->last);
}
