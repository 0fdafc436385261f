/*
 * Unit tests for src/cluster_check.c: the verdict on a ZooKeeper ensemble from its servers'
 * four-letter answers, the parsing of those answers, and the verdict on the brokers' cluster ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cluster_check.h"
#include "util.h"

/* ---- the ensemble ------------------------------------------------------------------------------
 */

#define L "leader"
#define F "follower"
#define S "standalone"
#define O "observer"

static const struct {
    const char *what;
    int expected;
    size_t n;
    zk_server_view servers[5];
    bool quorum, complete;
    int leader;
    const char *problem; /* a part of it; NULL when complete */
} ensembles[] = {
    {"three in one ensemble", 3, 3, {{1, F, 3}, {2, L, 3}, {3, F, 3}}, true, true, 2, NULL},
    /* Issue 18: empty server lists, every server alone. Sessions open; nothing is right. */
    {"three standalone servers",
     3,
     3,
     {{1, S, -1}, {2, S, -1}, {3, S, -1}},
     false,
     false,
     -1,
     "zookeeper-1 runs standalone"},
    {"one standalone beside a pair",
     3,
     3,
     {{1, L, 3}, {2, F, 3}, {3, S, -1}},
     false,
     false,
     1,
     "zookeeper-3 runs standalone"},
    {"one member restarting",
     3,
     3,
     {{1, L, 3}, {2, NULL, -1}, {3, F, 3}},
     true,
     false,
     1,
     "zookeeper-2 does not answer"},
    {"two of three silent",
     3,
     3,
     {{1, L, 3}, {2, NULL, -1}, {3, NULL, -1}},
     false,
     false,
     1,
     "zookeeper-2 does not answer"},
    {"no leader yet",
     3,
     3,
     {{1, NULL, -1}, {2, NULL, -1}, {3, NULL, -1}},
     false,
     false,
     -1,
     "no server leads (0 of 3 answer)"},
    {"two leaders",
     3,
     3,
     {{1, L, 3}, {2, L, 3}, {3, F, 3}},
     false,
     false,
     -1,
     "2 servers say they lead"},
    {"servers that count another size",
     3,
     3,
     {{1, L, 2}, {2, F, 2}, {3, F, 3}},
     true,
     false,
     1,
     "zookeeper-1 counts 2 voting members, not 3"},
    {"a member missing from the list",
     3,
     2,
     {{1, L, 3}, {2, F, 3}},
     true,
     false,
     1,
     "2 of 3 members are in the server list"},
    {"an observer is not a follower",
     3,
     3,
     {{1, L, 3}, {2, F, 3}, {3, O, 3}},
     false,
     false,
     1,
     "zookeeper-3 is observer"},
    /* Growing from 3 to 5 one member at a time: the old three keep their quorum. */
    {"a new member waiting to join",
     5,
     4,
     {{1, L, 3}, {2, F, 3}, {3, F, 3}, {4, NULL, -1}},
     true,
     false,
     1,
     "zookeeper-4 does not answer"},
    {"five in one ensemble",
     5,
     5,
     {{1, F, 5}, {2, F, 5}, {3, F, 5}, {4, L, 5}, {5, F, 5}},
     true,
     true,
     4,
     NULL},
    {"a single server", 1, 1, {{1, S, -1}}, true, true, 1, NULL},
    {"a single server that is silent", 1, 1, {{1, NULL, -1}}, false, false, -1, "no server leads"},
    {"nothing placed", 3, 0, {{0}}, false, false, -1, "no server leads (0 of 3 answer)"},
};

static void test_ensemble_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(ensembles); i++) {
        zk_ensemble_eval e;
        zk_ensemble_evaluate(ensembles[i].servers, ensembles[i].n, ensembles[i].expected, &e);
        if (e.quorum != ensembles[i].quorum || e.complete != ensembles[i].complete ||
            e.leader != ensembles[i].leader)
            fail_msg("%s: quorum %d complete %d leader %d (%s)", ensembles[i].what, e.quorum,
                     e.complete, e.leader, e.problem);
        assert_int_equal(e.expected, ensembles[i].expected);
        if (!ensembles[i].problem) {
            assert_string_equal(e.problem, "");
        } else if (!strstr(e.problem, ensembles[i].problem)) {
            fail_msg("%s: problem \"%s\", expected \"%s\"", ensembles[i].what, e.problem,
                     ensembles[i].problem);
        }
    }
}

static void test_ensemble_counts(void **state)
{
    (void)state;
    const zk_server_view v[] = {{1, F, 3}, {2, L, 3}, {3, NULL, -1}};
    zk_ensemble_eval e;
    zk_ensemble_evaluate(v, 3, 3, &e);
    assert_int_equal(e.leaders, 1);
    assert_int_equal(e.followers, 1);
    assert_int_equal(e.silent, 1);
}

/* ---- the answers ----------------------------------------------------------------------------- */

/* As ZooKeeper 3.8 writes them. */
static const char SRVR_FOLLOWER[] =
    "Zookeeper version: 3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25\n"
    "Latency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\nOutstanding: 0\n"
    "Zxid: 0x100000000\nMode: follower\nNode count: 5\n";
static const char CONF_THREE[] = "clientPort=2181\nclientPortAddress=127.2.0.1\n"
                                 "dataDir=/x/data/version-2\ninitLimit=5\nsyncLimit=2\n"
                                 "electionAlg=3\nelectionPort=3888\nquorumPort=2888\n"
                                 "peerType=0\nmembership: \n"
                                 "server.1=zookeeper-1:2888:3888:participant;0.0.0.0:2181\n"
                                 "server.2=0.0.0.0:2888:3888:participant;0.0.0.0:2181\n"
                                 "server.3=zookeeper-3:2888:3888:participant;0.0.0.0:2181\n"
                                 "server.4=zookeeper-4:2888:3888:observer;0.0.0.0:2181\n"
                                 "version=0\n";
static const char CONF_STANDALONE[] = "clientPort=2181\ndataDir=/x/data/version-2\n"
                                      "maxClientCnxns=60\n";

static void test_srvr_mode(void **state)
{
    (void)state;
    cleanup_free char *mode = zk_parse_srvr_mode(SRVR_FOLLOWER);
    assert_string_equal(mode, "follower");
    cleanup_free char *crlf = zk_parse_srvr_mode("Zxid: 0x1\r\nMode: leader\r\nNode count: 4\r\n");
    assert_string_equal(crlf, "leader");
    assert_null(zk_parse_srvr_mode("This ZooKeeper instance is not currently serving requests\n"));
    assert_null(zk_parse_srvr_mode("srvr is not executed because it is not in the whitelist.\n"));
    assert_null(zk_parse_srvr_mode("Latency: 0 Mode: follower\n")); /* not a line of its own */
    assert_null(zk_parse_srvr_mode("Mode: \n"));
    assert_null(zk_parse_srvr_mode(""));
    assert_null(zk_parse_srvr_mode(NULL));
}

static void test_conf_voters(void **state)
{
    (void)state;
    assert_int_equal(zk_parse_conf_voters(CONF_THREE), 3);
    assert_int_equal(zk_parse_conf_voters(CONF_STANDALONE), -1);
    assert_int_equal(zk_parse_conf_voters("membership: \nversion=0\n"), 0);
    assert_int_equal(zk_parse_conf_voters("membership: \r\nserver.1=a:1:2:participant\r\n"), 1);
    assert_int_equal(zk_parse_conf_voters("conf is not executed because it is not in the "
                                          "whitelist.\n"),
                     -1);
    assert_int_equal(zk_parse_conf_voters(""), -1);
    assert_int_equal(zk_parse_conf_voters(NULL), -1);
}

/* ---- the cluster ids ------------------------------------------------------------------------- */

static void test_cluster_id_verdicts(void **state)
{
    (void)state;
    static const struct {
        const char *zk;
        const char *ids[3];
        size_t n;
        cluster_ids_verdict want;
    } cases[] = {
        {"A", {"A", "A", "A"}, 3, CLUSTER_IDS_AGREE},
        {"A", {"A", NULL, "A"}, 3, CLUSTER_IDS_UNKNOWN}, /* one has not answered yet */
        {"A", {"A", "B", "A"}, 3, CLUSTER_IDS_DIFFER},
        {"A", {NULL, "B", NULL}, 3, CLUSTER_IDS_DIFFER}, /* differs from ZooKeeper's */
        {NULL, {"A", "B", NULL}, 3, CLUSTER_IDS_DIFFER}, /* two clusters, neither in our chroot */
        {NULL, {"A", "A", "A"}, 3, CLUSTER_IDS_UNKNOWN},
        {"A", {NULL}, 0, CLUSTER_IDS_UNKNOWN}, /* no broker */
        {NULL, {NULL}, 0, CLUSTER_IDS_UNKNOWN},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++)
        if (kafka_cluster_ids_evaluate(cases[i].zk, cases[i].ids, cases[i].n) != cases[i].want)
            fail_msg("case %zu", i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ensemble_verdicts),   cmocka_unit_test(test_ensemble_counts),
        cmocka_unit_test(test_srvr_mode),           cmocka_unit_test(test_conf_voters),
        cmocka_unit_test(test_cluster_id_verdicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
