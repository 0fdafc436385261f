/*
 * cluster_check: whether the ZooKeeper ensemble and the Kafka cluster are what they should be,
 * from what the servers themselves answer. Pure: the answers come in, a verdict goes out.
 *
 * A ZooKeeper session that opens proves little: a server that runs standalone (an empty or wrong
 * server list) accepts sessions too, and three such servers make three "quorums" and then, under
 * Kafka, as many Kafka clusters. So the ensemble is judged by each server's four-letter words:
 * `srvr` says its mode (leader, follower, standalone, ...), `conf` the members of the ensemble it
 * was configured with. The ensemble is *complete* when exactly one server leads, the expected
 * number minus one follow, and every one of them counts the expected number of voting members:
 * the state the first Kafka broker waits for. It has a *quorum* when exactly one server leads,
 * nobody runs standalone (unless one server is all there is), and the leader with its followers
 * are a majority of the expected members: enough for brokers to work, as while one member is
 * restarted or the membership changes one server at a time.
 *
 * The Kafka cluster is one cluster when every broker answers with the cluster id that the
 * ensemble holds in <chroot>/cluster/id.
 */
#ifndef MK_CLUSTER_CHECK_H
#define MK_CLUSTER_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* One ZooKeeper server as its four-letter words describe it. */
typedef struct {
    int id;           /* the member's server id */
    const char *mode; /* srvr's "Mode:" (leader, follower, standalone, observer...); NULL: silent */
    int voters;       /* voting members in its conf's membership; -1 unknown */
} zk_server_view;

typedef struct {
    int expected;      /* members the ensemble should have */
    int leader;        /* the server id of the one leader; -1 when none or several */
    int leaders;       /* servers that say "leader" */
    int followers;     /* servers that say "follower" */
    int silent;        /* servers that gave no mode */
    bool quorum;       /* one leader, no standalone server, leader and followers a majority */
    bool complete;     /* one leader, expected - 1 followers, each counting `expected` voters */
    char problem[256]; /* why not complete; "" when complete */
} zk_ensemble_eval;

/* Judges the ensemble from the views of its `n` servers (one per member of the server list) when
 * it should have `expected` members. */
void zk_ensemble_evaluate(const zk_server_view *servers, size_t n, int expected,
                          zk_ensemble_eval *out);

/* The "Mode: " line of a `srvr` answer (a new string), or NULL when there is none (a server that
 * is not serving answers "This ZooKeeper instance is not currently serving requests"). */
char *zk_parse_srvr_mode(const char *answer);
/* The voting members (server.N lines that are not observers) after "membership:" in a `conf`
 * answer, or -1 when it has no membership (standalone, or not an answer). */
int zk_parse_conf_voters(const char *answer);

typedef enum {
    CLUSTER_IDS_UNKNOWN, /* not every broker has answered (or no cluster id in ZooKeeper yet) */
    CLUSTER_IDS_AGREE,   /* every broker answers the ensemble's cluster id */
    CLUSTER_IDS_DIFFER,  /* some broker answers another id: more than one Kafka cluster */
} cluster_ids_verdict;

/* Compares the brokers' answers `ids` (NULL: no answer) with `zk_id` (NULL: none yet). Any answer
 * that differs from zk_id or from another answer is DIFFER, even while others are missing. */
cluster_ids_verdict kafka_cluster_ids_evaluate(const char *zk_id, const char *const *ids, size_t n);

#endif
