/*
 * partition_safety: see the header. The ISR written by the controller lags reality by at most
 * replica.lag.time.max.ms, so a decision made on it can be a few seconds optimistic about a
 * replica that is falling behind; the rolling restart makes up for that by waiting for a read that
 * shows no under-replicated partition before each broker.
 */
#include "partition_safety.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int safety_default_min_insync(const char *kafka_options)
{
    static const char key[] = "min.insync.replicas=";
    int value = 1;
    for (const char *p = kafka_options; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > sizeof(key) - 1 && strncmp(p, key, sizeof(key) - 1) == 0) {
            char buf[16];
            size_t n = len - (sizeof(key) - 1);
            if (n < sizeof(buf)) {
                memcpy(buf, p + sizeof(key) - 1, n);
                buf[n] = '\0';
                char *stop = NULL;
                long v = strtol(buf, &stop, 10);
                if (*buf && !*stop && v >= 1 && v < 1000)
                    value = (int)v;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return value;
}

static bool holds(const json_t *ids, int broker)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (json_integer_value(v) == broker)
            return true;
    }
    return false;
}

json_t *safety_restart_risks(const json_t *partitions, int broker, int default_min_insync)
{
    json_t *risks = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(partitions, i, p)
    {
        const json_t *replicas = json_object_get(p, "replicas");
        if (!holds(replicas, broker))
            continue;
        const json_t *isr = json_object_get(p, "isr");
        const json_t *own_min = json_object_get(p, "min_insync");
        int min_insync =
            json_is_integer(own_min) ? (int)json_integer_value(own_min) : default_min_insync;
        const char *reason = NULL;
        if (!json_is_array(isr)) {
            reason = "its state is not known yet";
        } else {
            size_t left = json_array_size(isr) - (holds(isr, broker) ? 1 : 0);
            if (left == 0)
                reason = "it would have no in-sync replica left (unavailable)";
            else if ((int)left < min_insync)
                reason = "it would fall below min.insync.replicas";
        }
        if (!reason)
            continue;
        json_array_append_new(
            risks, json_pack("{s:O, s:O, s:O, s:O, s:i, s:s}", "topic", json_object_get(p, "topic"),
                             "partition", json_object_get(p, "partition"), "replicas", replicas,
                             "isr", json_is_array(isr) ? isr : json_null(), "min_insync",
                             min_insync, "reason", reason));
    }
    return risks;
}

json_t *safety_under_replicated(const json_t *partitions)
{
    json_t *out = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(partitions, i, p)
    {
        const json_t *isr = json_object_get(p, "isr");
        const json_t *replicas = json_object_get(p, "replicas");
        if (json_is_array(isr) && json_array_size(isr) >= json_array_size(replicas))
            continue;
        json_t *leader = json_object_get(p, "leader");
        json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:O, s:O}", "topic",
                                             json_object_get(p, "topic"), "partition",
                                             json_object_get(p, "partition"), "leader",
                                             leader ? leader : json_null(), "replicas", replicas,
                                             "isr", isr ? isr : json_null()));
    }
    return out;
}

char *safety_describe(const json_t *partitions, size_t max)
{
    size_t n = json_array_size(partitions);
    char *out = mk_xstrdup("");
    for (size_t i = 0; i < n && i < max; i++) {
        const json_t *p = json_array_get(partitions, i);
        char *next = mk_xasprintf("%s%s%s-%" JSON_INTEGER_FORMAT, out,
                                  i == 0 ? "" : (i + 1 == n ? " and " : ", "),
                                  json_string_value(json_object_get(p, "topic")),
                                  json_integer_value(json_object_get(p, "partition")));
        free(out);
        out = next;
    }
    if (n > max) {
        char *next = mk_xasprintf("%s and %zu more", out, n - max);
        free(out);
        out = next;
    }
    return out;
}
