/*
 * http_page: a small growable buffer and the page's sections, written straight from the status
 * document's JSON so the page shows exactly what GET /v0/status says.
 */
#include "http_page.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The only style of the page: HTTP_PAGE_CSP allows exactly this text, by its SHA-256. */
#define PAGE_STYLE                                                                                 \
    "body{font-family:sans-serif;margin:1.5em}"                                                    \
    "table{border-collapse:collapse;margin-bottom:1.5em}"                                          \
    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:90%}"                \
    "th{background:#eee}"

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static void put(buffer *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = mk_xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_raw(buffer *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putf(buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buffer *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void put_escaped(buffer *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            puts_raw(b, "&amp;");
            break;
        case '<':
            puts_raw(b, "&lt;");
            break;
        case '>':
            puts_raw(b, "&gt;");
            break;
        case '"':
            puts_raw(b, "&quot;");
            break;
        case '\'':
            puts_raw(b, "&#39;");
            break;
        default:
            put(b, s, 1);
            break;
        }
    }
}

/* A JSON value as text: strings as they are, numbers and booleans printed, null as "-". */
static void put_value(buffer *b, const json_t *v)
{
    if (json_is_string(v))
        put_escaped(b, json_string_value(v));
    else if (json_is_integer(v))
        putf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        putf(b, "%.1f", json_real_value(v));
    else if (json_is_true(v))
        puts_raw(b, "yes");
    else if (json_is_false(v))
        puts_raw(b, "no");
    else
        puts_raw(b, "-");
}

static void put_cell(buffer *b, const json_t *obj, const char *key)
{
    puts_raw(b, "<td>");
    put_value(b, json_object_get(obj, key));
    puts_raw(b, "</td>");
}

static void put_table(buffer *b, const json_t *rows, const char *const *keys,
                      const char *const *heads, size_t n)
{
    puts_raw(b, "<table><tr>");
    for (size_t i = 0; i < n; i++)
        putf(b, "<th>%s</th>", heads[i]);
    puts_raw(b, "</tr>\n");
    size_t i;
    const json_t *row;
    json_array_foreach(rows, i, row)
    {
        puts_raw(b, "<tr>");
        for (size_t k = 0; k < n; k++)
            put_cell(b, row, keys[k]);
        puts_raw(b, "</tr>\n");
    }
    if (json_array_size(rows) == 0)
        putf(b, "<tr><td colspan=\"%zu\">none</td></tr>\n", n);
    puts_raw(b, "</table>\n");
}

char *http_page_render(const json_t *status)
{
    buffer b = {0};
    const json_t *fw = json_object_get(status, "framework");
    const json_t *zk = json_object_get(status, "zookeeper");
    const json_t *kafka = json_object_get(status, "kafka");
    puts_raw(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                 "<meta http-equiv=\"refresh\" content=\"5\"><title>");
    put_value(&b, json_object_get(fw, "name"));
    puts_raw(&b, "</title><style>" PAGE_STYLE "</style></head><body>\n<h1>");
    put_value(&b, json_object_get(fw, "name"));
    puts_raw(&b, "</h1>\n<p>Framework id ");
    put_value(&b, json_object_get(fw, "id"));
    puts_raw(&b, "; subscribed to Mesos: ");
    put_value(&b, json_object_get(fw, "subscribed"));
    puts_raw(&b, "</p>\n<p>ZooKeeper: ");
    put_value(&b, json_object_get(zk, "desired"));
    puts_raw(&b, " wanted, quorum: ");
    put_value(&b, json_object_get(zk, "quorum"));
    puts_raw(&b, ", connect <code>");
    put_value(&b, json_object_get(zk, "connect"));
    puts_raw(&b, "</code></p>\n<p>Kafka: ");
    put_value(&b, json_object_get(kafka, "registered"));
    puts_raw(&b, " of ");
    put_value(&b, json_object_get(kafka, "desired"));
    puts_raw(&b, " brokers registered, bootstrap <code>");
    put_value(&b, json_object_get(kafka, "bootstrap"));
    puts_raw(&b, "</code></p>\n<h2>Members</h2>\n");
    static const char *const mkeys[] = {
        "name",     "state",   "task_id",  "task_state",       "healthy",
        "hostname", "address", "failures", "next_launch_in_s", "message"};
    static const char *const mheads[] = {"member",          "state",       "task",    "task state",
                                         "healthy",         "agent",       "address", "failures",
                                         "next launch (s)", "last message"};
    put_table(&b, json_object_get(status, "members"), mkeys, mheads, MK_ARRAY_LEN(mkeys));
    puts_raw(&b, "<h2>Recent failures</h2>\n");
    static const char *const fkeys[] = {"time", "member", "task_id", "state", "message"};
    static const char *const fheads[] = {"time (UTC)", "member", "task", "state", "message"};
    put_table(&b, json_object_get(status, "recent_failures"), fkeys, fheads, MK_ARRAY_LEN(fkeys));
    const json_t *plan = json_object_get(status, "restart");
    if (json_is_object(plan)) {
        puts_raw(&b, "<h2>Broker restart</h2>\n<p>");
        put_value(&b, json_object_get(plan, "state"));
        puts_raw(&b, ": ");
        put_value(&b, json_object_get(plan, "message"));
        puts_raw(&b, "</p>\n");
        static const char *const skeys[] = {"broker", "state", "task_id", "message"};
        static const char *const sheads[] = {"broker", "step", "new task", "message"};
        put_table(&b, json_object_get(plan, "steps"), skeys, sheads, MK_ARRAY_LEN(skeys));
    }
    puts_raw(&b, "</body></html>\n");
    return b.data;
}
