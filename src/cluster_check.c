/*
 * cluster_check: the verdicts on the ensemble and on the Kafka cluster id (see cluster_check.h).
 *
 * The problem text names the first thing wrong, in the order an operator would look: servers in
 * the wrong mode (standalone first: the server list is broken), then leaders, then silent
 * servers, then servers that count another ensemble size.
 */
#include "cluster_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Keeps the first problem found. */
#define problem(out, ...)                                                                          \
    do {                                                                                           \
        if (!(out)->problem[0])                                                                    \
            snprintf((out)->problem, sizeof((out)->problem), __VA_ARGS__);                         \
    } while (0)

void zk_ensemble_evaluate(const zk_server_view *servers, size_t n, int expected,
                          zk_ensemble_eval *out)
{
    memset(out, 0, sizeof(*out));
    out->expected = expected;
    out->leader = -1;
    int standalone = 0, other = 0, wrong_size = 0, last_leader = -1;
    for (size_t i = 0; i < n; i++) {
        const zk_server_view *v = &servers[i];
        if (!v->mode) {
            out->silent++;
        } else if (strcmp(v->mode, "leader") == 0) {
            out->leaders++;
            last_leader = v->id;
        } else if (strcmp(v->mode, "follower") == 0) {
            out->followers++;
        } else if (strcmp(v->mode, "standalone") == 0) {
            standalone++;
        } else {
            other++;
        }
        if (v->mode && v->voters != expected)
            wrong_size++;
    }
    if (out->leaders == 1)
        out->leader = last_leader;
    bool alone_ok = expected == 1 && n == 1 && standalone == 1;
    /* A single server configured alone runs standalone: it is its own quorum. */
    if (alone_ok) {
        out->leader = servers[0].id;
        out->quorum = true;
        out->complete = servers[0].voters == 1 || servers[0].voters == -1;
        if (!out->complete)
            problem(out, "zookeeper-%d counts %d voting members, not 1", servers[0].id,
                    servers[0].voters);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (servers[i].mode && strcmp(servers[i].mode, "standalone") == 0)
            problem(out, "zookeeper-%d runs standalone (its server list names no other member)",
                    servers[i].id);
    for (size_t i = 0; i < n; i++)
        if (servers[i].mode && strcmp(servers[i].mode, "leader") != 0 &&
            strcmp(servers[i].mode, "follower") != 0 && strcmp(servers[i].mode, "standalone") != 0)
            problem(out, "zookeeper-%d is %s, neither leader nor follower", servers[i].id,
                    servers[i].mode);
    if (out->leaders > 1)
        problem(out, "%d servers say they lead (a split ensemble)", out->leaders);
    else if (out->leaders == 0)
        problem(out, "no server leads (%d of %d answer)", (int)n - out->silent, expected);
    for (size_t i = 0; i < n; i++)
        if (!servers[i].mode)
            problem(out, "zookeeper-%d does not answer (or serves no clients)", servers[i].id);
    for (size_t i = 0; i < n; i++)
        if (servers[i].mode && servers[i].voters != expected)
            problem(out, "zookeeper-%d counts %d voting members, not %d", servers[i].id,
                    servers[i].voters, expected);
    if ((int)n != expected)
        problem(out, "%d of %d members are in the server list", (int)n, expected);
    out->quorum = out->leaders == 1 && standalone == 0 && other == 0 &&
                  1 + out->followers >= expected / 2 + 1;
    out->complete = out->quorum && (int)n == expected && out->followers == expected - 1 &&
                    wrong_size == 0 && out->silent == 0;
    if (out->complete)
        out->problem[0] = '\0';
}

char *zk_parse_srvr_mode(const char *answer)
{
    const char *mode = answer ? strstr(answer, "Mode: ") : NULL;
    /* At the start of a line only ("Mode: " inside another line is not the mode). */
    while (mode && mode != answer && mode[-1] != '\n')
        mode = strstr(mode + 1, "Mode: ");
    if (!mode)
        return NULL;
    mode += 6;
    size_t len = strcspn(mode, "\r\n");
    return len ? mk_xstrndup(mode, len) : NULL;
}

int zk_parse_conf_voters(const char *answer)
{
    const char *p = answer ? strstr(answer, "membership: ") : NULL;
    if (!p)
        return -1;
    int voters = 0;
    for (p = strchr(p, '\n'); p; p = strchr(p, '\n')) {
        p++;
        size_t len = strcspn(p, "\r\n");
        if (len > 7 && strncmp(p, "server.", 7) == 0) {
            /* server.N=host:quorum:election:participant|observer[;client] */
            size_t head = strcspn(p, ";\r\n");
            bool observer = head >= 9 && strncmp(p + head - 9, ":observer", 9) == 0;
            voters += !observer;
        }
    }
    return voters;
}

cluster_ids_verdict kafka_cluster_ids_evaluate(const char *zk_id, const char *const *ids, size_t n)
{
    const char *first = zk_id;
    size_t known = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ids[i])
            continue;
        known++;
        if (!first)
            first = ids[i];
        else if (strcmp(first, ids[i]) != 0)
            return CLUSTER_IDS_DIFFER;
    }
    return zk_id && n > 0 && known == n ? CLUSTER_IDS_AGREE : CLUSTER_IDS_UNKNOWN;
}
