/*
 * kafka_props: one rule for Kafka and log4j property lists, and their merge (see kafka_props.h).
 */
#include "kafka_props.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool kafka_props_owned(const char *key, size_t len)
{
    static const char *const owned[] = {
        "broker.id", "zookeeper.connect", "listeners",     "advertised.listeners",
        "log.dirs",  "log.dir",           "process.roles", "node.id"};
    for (size_t i = 0; i < MK_ARRAY_LEN(owned); i++)
        if (strlen(owned[i]) == len && !strncmp(key, owned[i], len))
            return true;
    return false;
}

static bool key_char(char c, kafka_props_kind kind)
{
    if (kind == KAFKA_PROPS_LOG4J && isupper((unsigned char)c))
        return true;
    return islower((unsigned char)c) || isdigit((unsigned char)c) || strchr("._-", c);
}

const char *kafka_props_check(const char *text, kafka_props_kind kind)
{
    const char *p = text;
    if (!*p)
        return "must not be empty";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p || eq == p + len - 1)
            return kind == KAFKA_PROPS_LOG4J ? "must be key=value pairs separated by ',' "
                                               "(log4j.logger.kafka.controller=WARN)"
                                             : "must be key=value pairs separated by ',' "
                                               "(num.partitions=3,log.retention.hours=24)";
        for (const char *k = p; k < eq; k++)
            if (!key_char(*k, kind))
                return kind == KAFKA_PROPS_LOG4J
                           ? "keys may hold only letters, digits, '.', '_' and '-'"
                           : "keys may hold only lower-case letters, digits, '.', '_' and '-'";
        for (const char *v = eq + 1; v < p + len; v++)
            if ((unsigned char)*v < ' ' || *v == 0x7f)
                return "values must not contain control characters";
        if (kind == KAFKA_PROPS_BROKER && kafka_props_owned(p, (size_t)(eq - p)))
            return "must not set broker.id, zookeeper.connect, listeners, "
                   "advertised.listeners, "
                   "log.dirs or KRaft settings (the scheduler sets them per broker)";
        if (!end)
            break;
        p = end + 1;
        if (!*p)
            return "must not end with ','";
    }
    return NULL;
}

typedef struct {
    const char *key, *value; /* into the lists, not NUL-terminated */
    size_t key_len, value_len;
} prop;

typedef struct {
    prop *v;
    size_t n, cap;
} props;

/* Adds each entry of `text`, replacing an earlier entry of the same key in place. */
static void add_all(props *ps, const char *text)
{
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq) { /* always, in a checked list */
            prop e = {p, eq + 1, (size_t)(eq - p), (size_t)(p + len - eq - 1)};
            size_t i = 0;
            while (i < ps->n &&
                   !(ps->v[i].key_len == e.key_len && !memcmp(ps->v[i].key, e.key, e.key_len)))
                i++;
            if (i == ps->n) {
                if (ps->n == ps->cap) {
                    ps->cap = ps->cap ? 2 * ps->cap : 8;
                    ps->v = mk_xrealloc(ps->v, ps->cap * sizeof(*ps->v));
                }
                ps->n++;
            }
            ps->v[i] = e;
        }
        if (!end)
            break;
        p = end + 1;
    }
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

char *kafka_props_merge(const char *base, const char *over, int broker_id)
{
    props ps = {0};
    add_all(&ps, base);
    add_all(&ps, over);
    char id[16];
    snprintf(id, sizeof(id), "%d", broker_id);
    size_t cap = 1;
    for (size_t i = 0; i < ps.n; i++) /* "$id" (3 bytes) never grows to more than 11 */
        cap += ps.v[i].key_len + 2 + ps.v[i].value_len * 4;
    char *out = mk_xmalloc(cap), *w = out;
    for (size_t i = 0; i < ps.n; i++) {
        if (i)
            *w++ = ',';
        memcpy(w, ps.v[i].key, ps.v[i].key_len);
        w += ps.v[i].key_len;
        *w++ = '=';
        const char *v = ps.v[i].value, *v_end = v + ps.v[i].value_len;
        while (v < v_end) {
            if (broker_id >= 0 && v_end - v >= 3 && !memcmp(v, "$id", 3) &&
                (v + 3 == v_end || !ident_char(v[3]))) {
                w = stpcpy(w, id);
                v += 3;
            } else
                *w++ = *v++;
        }
    }
    *w = '\0';
    free(ps.v);
    return out;
}

char *kafka_props_get(const char *text, const char *key)
{
    props ps = {0};
    add_all(&ps, text);
    char *found = NULL;
    for (size_t i = 0; i < ps.n && !found; i++)
        if (ps.v[i].key_len == strlen(key) && !memcmp(ps.v[i].key, key, ps.v[i].key_len))
            found = mk_xstrndup(ps.v[i].value, ps.v[i].value_len);
    free(ps.v);
    return found;
}
