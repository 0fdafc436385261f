/*
 * Unit tests for src/constraint.c: every operator accepting and refusing, on hostname and on
 * agent attributes; brokers spread by groupBy as offers come in; the canonical text; every
 * refused text, with the message naming the constraint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "constraint.h"
#include "mesos_event.h"
#include "regex_screen.h"
#include "util.h"

/* An agent as an offer: hostname plus up to two attributes. */
typedef struct {
    mesos_attribute attrs[2];
    mesos_offer offer;
} fake_agent;

static void fake(fake_agent *a, const char *host, const char *rack, const char *zone)
{
    memset(a, 0, sizeof(*a));
    a->offer.hostname = (char *)host;
    if (rack)
        a->attrs[a->offer.n_attributes++] = (mesos_attribute){"rack", (char *)rack};
    if (zone)
        a->attrs[a->offer.n_attributes++] = (mesos_attribute){"zone", (char *)zone};
    a->offer.attributes = a->attrs;
}

static constraint_agent agent_of(const fake_agent *a)
{
    return (constraint_agent){constraint_offer_attr, &a->offer};
}

static constraint_set *parse_ok(const char *text)
{
    constraint_set *cs = NULL;
    mk_err err = {{0}};
    int rc = constraint_set_parse(text, &cs, &err);
    if (rc != 0)
        fail_msg("%s: %s", text, err.msg);
    assert_non_null(cs);
    return cs;
}

/* Whether `text` accepts `a` with `others` placed; the reason goes to `why`. */
static bool judge(const char *text, const fake_agent *a, const fake_agent *others, size_t n,
                  char *why, size_t why_len)
{
    constraint_set *cs = parse_ok(text);
    constraint_agent list[16];
    for (size_t i = 0; i < n; i++)
        list[i] = agent_of(&others[i]);
    bool ok = constraint_set_accepts(cs, agent_of(a), list, n, why, why_len);
    constraint_set_free(cs);
    return ok;
}

static void test_like_and_unlike_match_the_whole_value(void **state)
{
    (void)state;
    fake_agent r2, r22, bare, slave;
    fake(&r2, "node-1", "r2", NULL);
    fake(&r22, "node-2", "r22", NULL);
    fake(&bare, "node-3", NULL, NULL);
    fake(&slave, "slave-7", NULL, NULL);
    char why[256];
    assert_true(judge("rack=like:r2", &r2, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "");
    assert_false(judge("rack=like:r2", &r22, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=like:r2: node-2 has rack=r22");
    assert_false(judge("rack=like:r2", &bare, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=like:r2: node-3 has no rack attribute");
    assert_true(judge("rack=like:r2|r3", &r2, NULL, 0, why, sizeof(why)));
    assert_true(judge("rack=like:r[0-9]+", &r22, NULL, 0, why, sizeof(why)));
    assert_false(judge("rack=like:2", &r22, NULL, 0, why, sizeof(why))); /* not a substring */
    assert_true(judge("hostname=like:slave.*", &slave, NULL, 0, why, sizeof(why)));
    assert_false(judge("hostname=like:slave.*", &r2, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "hostname=like:slave.*: node-1 has hostname=node-1");
    assert_false(judge("hostname=like:lave-7", &slave, NULL, 0, why, sizeof(why)));

    assert_false(judge("rack=unlike:r2", &r2, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=unlike:r2: node-1 has rack=r2");
    assert_true(judge("rack=unlike:r2", &r22, NULL, 0, why, sizeof(why)));
    assert_true(judge("rack=unlike:r2", &bare, NULL, 0, why, sizeof(why))); /* no attribute */
    assert_false(judge("hostname=unlike:node-.*", &r2, NULL, 0, why, sizeof(why)));
    assert_true(judge("hostname=unlike:node", &r2, NULL, 0, why, sizeof(why)));
    fake_agent odd;
    fake(&odd, "node-4", "r\n2", NULL); /* an agent's value may hold any byte; a reason not */
    assert_false(judge("rack=like:r2", &odd, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=like:r2: node-4 has rack=r?2");
}

static void test_unique_across_brokers(void **state)
{
    (void)state;
    fake_agent placed[2], same_host, other_host, no_rack;
    fake(&placed[0], "node-1", "r1", NULL);
    fake(&placed[1], "node-2", NULL, NULL); /* placed before racks were set */
    fake(&same_host, "node-1", "r2", NULL);
    fake(&other_host, "node-3", "r1", NULL);
    fake(&no_rack, "node-4", NULL, NULL);
    char why[256];
    assert_true(judge("hostname=unique", &same_host, NULL, 0, why, sizeof(why)));
    assert_false(judge("hostname=unique", &same_host, placed, 2, why, sizeof(why)));
    assert_string_equal(why, "hostname=unique: another broker is on hostname=node-1");
    assert_true(judge("hostname=unique", &other_host, placed, 2, why, sizeof(why)));
    assert_false(judge("rack=unique", &other_host, placed, 2, why, sizeof(why)));
    assert_string_equal(why, "rack=unique: another broker is on rack=r1");
    assert_true(judge("rack=unique", &same_host, placed, 2, why, sizeof(why)));
    assert_false(judge("rack=unique", &no_rack, placed, 2, why, sizeof(why)));
    assert_string_equal(why, "rack=unique: node-4 has no rack attribute");
    /* The first refusal in order is the one reported. */
    assert_false(judge("rack=unique,hostname=unique", &same_host, placed, 2, why, sizeof(why)));
    assert_string_equal(why, "hostname=unique: another broker is on hostname=node-1");
}

static void test_cluster_with_and_without_value(void **state)
{
    (void)state;
    fake_agent placed[2], r1, r2, bare;
    fake(&placed[0], "node-1", NULL, NULL);
    fake(&placed[1], "node-2", "r1", NULL);
    fake(&r1, "node-3", "r1", NULL);
    fake(&r2, "node-4", "r2", NULL);
    fake(&bare, "node-5", NULL, NULL);
    char why[256];
    assert_true(judge("rack=cluster", &r2, NULL, 0, why, sizeof(why)));   /* first one chooses */
    assert_true(judge("rack=cluster", &r2, placed, 1, why, sizeof(why))); /* none has a rack */
    assert_true(judge("rack=cluster", &r1, placed, 2, why, sizeof(why)));
    assert_false(judge("rack=cluster", &r2, placed, 2, why, sizeof(why)));
    assert_string_equal(why, "rack=cluster: the other brokers are on rack=r1, node-4 has rack=r2");
    assert_false(judge("rack=cluster", &bare, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=cluster: node-5 has no rack attribute");

    assert_true(judge("rack=cluster:r2", &r2, placed, 2, why, sizeof(why)));
    assert_false(judge("rack=cluster:r2", &r1, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=cluster:r2: node-3 has rack=r1");
    assert_false(judge("rack=cluster:r", &r1, NULL, 0, why, sizeof(why))); /* no regex */
    assert_false(judge("rack=cluster:r.", &r1, NULL, 0, why, sizeof(why)));
    assert_true(judge("hostname=cluster:node-3", &r1, NULL, 0, why, sizeof(why)));
}

/* Places `n` brokers one by one, each offer taken from `offers` in turn (round and round) until
 * one is accepted; returns how many landed on r1. */
static size_t place_brokers(const char *text, const fake_agent *offers, size_t n_offers, size_t n,
                            fake_agent *placed)
{
    constraint_set *cs = parse_ok(text);
    size_t next = 0, on_r1 = 0;
    for (size_t b = 0; b < n; b++) {
        constraint_agent others[16];
        for (size_t i = 0; i < b; i++)
            others[i] = agent_of(&placed[i]);
        size_t tries = 0;
        while (
            !constraint_set_accepts(cs, agent_of(&offers[next % n_offers]), others, b, NULL, 0)) {
            next++;
            if (++tries > n_offers)
                fail_msg("broker %zu: no offer accepted", b);
        }
        placed[b] = offers[next % n_offers];
        placed[b].offer.attributes = placed[b].attrs;
        on_r1 += strcmp(placed[b].attrs[0].value, "r1") == 0;
        next++;
    }
    constraint_set_free(cs);
    return on_r1;
}

static void test_group_by_spreads_four_brokers_two_and_two(void **state)
{
    (void)state;
    fake_agent alternating[2], skewed[4], placed[4];
    fake(&alternating[0], "node-1", "r1", NULL);
    fake(&alternating[1], "node-2", "r2", NULL);
    assert_int_equal(place_brokers("rack=groupBy", alternating, 2, 4, placed), 2);
    assert_int_equal(place_brokers("rack=groupBy:2", alternating, 2, 4, placed), 2);
    /* r1 offers three times as often: groupBy:2 still ends 2/2. */
    for (int i = 0; i < 3; i++)
        fake(&skewed[i], "node-1", "r1", NULL);
    fake(&skewed[3], "node-2", "r2", NULL);
    assert_int_equal(place_brokers("rack=groupBy:2", skewed, 4, 4, placed), 2);

    char why[256];
    fake_agent r1, r3;
    fake(&r1, "node-5", "r1", NULL);
    fake(&r3, "node-6", "r3", NULL);
    assert_false(judge("rack=groupBy:2", &r1, placed, 1, why, sizeof(why)));
    assert_string_equal(why, "rack=groupBy:2: rack=r1 already has 1 broker(s) while fewer than 2 "
                             "values are in use");
    assert_false(judge("rack=groupBy:2", &r3, placed, 4, why, sizeof(why)));
    assert_string_equal(
        why, "rack=groupBy:2: the brokers already use 2 values of rack, rack=r3 is not one");
    assert_false(judge("rack=groupBy:2", &r1, placed, 3, why, sizeof(why))); /* r1:2, r2:1 */
    assert_string_equal(why, "rack=groupBy:2: rack=r1 has 2 broker(s), another value only 1");
    /* A plain groupBy takes a new value whenever one comes. */
    assert_true(judge("rack=groupBy", &r3, placed, 4, why, sizeof(why)));
    assert_false(judge("rack=groupBy", &r1, placed, 3, why, sizeof(why)));
    assert_true(judge("rack=groupBy:3", &r3, placed, 4, why, sizeof(why)));
    fake_agent bare;
    fake(&bare, "node-7", NULL, NULL);
    assert_false(judge("rack=groupBy", &bare, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "rack=groupBy: node-7 has no rack attribute");
    /* groupBy:1 keeps every broker on the first value. */
    assert_true(judge("rack=groupBy:1", &r3, NULL, 0, why, sizeof(why)));
    assert_false(judge("rack=groupBy:1", &r3, placed, 1, why, sizeof(why)));
}

static void test_several_constraints_and_the_empty_set(void **state)
{
    (void)state;
    fake_agent a, b;
    fake(&a, "node-1", "r2", "z1");
    fake(&b, "node-2", "r2", "z2");
    char why[256] = "x";
    assert_true(judge("", &a, NULL, 0, why, sizeof(why)));
    assert_string_equal(why, "");
    assert_true(constraint_set_accepts(NULL, agent_of(&a), NULL, 0, NULL, 0));
    assert_true(constraint_set_accepts(NULL, (constraint_agent){0}, NULL, 0, NULL, 0));
    assert_true(judge("hostname=unique, rack=like:r2 ,zone=unlike:z2", &a, &b, 1, why, 8));
    assert_false(judge("hostname=unique,rack=like:r2,zone=unlike:z2", &b, &a, 1, why, 8));
    assert_string_equal(why, "zone=un"); /* cut to the buffer */
}

static void test_canonical_text_round_trips(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", ""},
        {"hostname=unique", "hostname=unique"},
        {" hostname=UNIQUE , rack=Like:r2 ", "hostname=unique,rack=like:r2"},
        {"rack=groupby:007,zone=GROUPBY", "rack=groupBy:7,zone=groupBy"},
        {"rack=cluster,zone=cluster:z 1", "rack=cluster,zone=cluster:z 1"},
        {"hostname=like:slave.*,hostname=unlike:slave-0[0-9]:x=y",
         "hostname=like:slave.*,hostname=unlike:slave-0[0-9]:x=y"},
        {"my.attr_1-x=unique", "my.attr_1-x=unique"},
        /* A comma inside a repetition count belongs to the regex. */
        {"rack=like:r[0-9]{1,3},zone=like:z{2,}, hostname=unique",
         "rack=like:r[0-9]{1,3},zone=like:z{2,},hostname=unique"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        constraint_set *cs = parse_ok(cases[i][0]);
        cleanup_free char *text = constraint_set_text(cs);
        assert_string_equal(text, cases[i][1]);
        constraint_set *again = parse_ok(text);
        cleanup_free char *text2 = constraint_set_text(again);
        assert_string_equal(text2, text);
        assert_int_equal(constraint_set_count(again), constraint_set_count(cs));
        constraint_set_free(again);
        constraint_set_free(cs);
    }
}

static void test_bad_text_is_refused_naming_the_constraint(void **state)
{
    (void)state;
    char long_attr[200], long_value[300], long_text[5000];
    memset(long_attr, 'a', 129);
    strcpy(long_attr + 129, "=unique");
    strcpy(long_value, "rack=like:");
    memset(long_value + 10, 'r', 257);
    long_value[267] = '\0';
    memset(long_text, 'a', 4097);
    long_text[4097] = '\0';
    static const char *const unmatched = "constraint \"rack=like:a)|b\": the regex is refused: it "
                                         "has a ')' without its '(' (write \\) for a literal one)";
    const char *cases[][2] = {
        {" ", "constraint 1 is empty (a stray comma?)"},
        {"rack=unique,", "constraint 2 is empty (a stray comma?)"},
        {"rack", "constraint \"rack\": no '=' (write <attribute>=<operator>[:<value>], e.g. "
                 "rack=like:r1)"},
        {"=unique", "constraint \"=unique\": no attribute name before '='"},
        {"ra ck=unique", "constraint \"ra ck=unique\": the attribute name may hold only letters, "
                         "digits, '.', '_' and '-'"},
        {long_attr, "constraint \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\": "
                    "the attribute name is longer than 128 bytes"},
        {"rack=near:r1", "constraint \"rack=near:r1\": unknown operator \"near\" (like, unlike, "
                         "unique, cluster or groupBy)"},
        {"rack=", "constraint \"rack=\": unknown operator \"\" (like, unlike, unique, cluster or "
                  "groupBy)"},
        {"rack=like", "constraint \"rack=like\": like needs a regex (like:<regex>)"},
        {"rack=unlike:", "constraint \"rack=unlike:\": unlike needs a regex (unlike:<regex>)"},
        {"rack=unique:r1", "constraint \"rack=unique:r1\": unique takes no value"},
        {"rack=cluster:", "constraint \"rack=cluster:\": empty value after ':' (write cluster or "
                          "cluster:<value>)"},
        {"rack=groupBy:0", "constraint \"rack=groupBy:0\": the group count must be a whole number "
                           "from 1 to 1000"},
        {"rack=groupBy:1001", "constraint \"rack=groupBy:1001\": the group count must be a whole "
                              "number from 1 to 1000"},
        {"rack=groupBy:+2", "constraint \"rack=groupBy:+2\": the group count must be a whole "
                            "number from 1 to 1000"},
        {"rack=groupBy:", "constraint \"rack=groupBy:\": the group count must be a whole number "
                          "from 1 to 1000"},
        {"rack=like:a,rack=LIKE:b", "constraint \"rack=LIKE:b\": rack=like is given twice (one per "
                                    "attribute and operator)"},
        {"rack=unique,zone=like:a\tb", "constraint 2 holds a control character (byte 0x09)"},
        {"rack=like:(", "constraint \"rack=like:(\": the regex for rack does not compile: "},
        {"rack=like:a)|b", unmatched},
        {"rack=like:(a)\\1", "constraint \"rack=like:(a)\\1\": the regex is refused: it uses a "
                             "back-reference (\\1 to \\9)"},
        {"rack=like:(a?){0,33}", "constraint \"rack=like:(a?){0,33}\": the regex is refused: it "
                                 "repeats something more than 32 times"},
        {"rack=like:((a?){0,8}){0,17}", "constraint \"rack=like:((a?){0,8}){0,17}\": the regex is "
                                        "refused: it expands to more than 128 atoms once its "
                                        "repetitions are multiplied out"},
        {"rack=like:(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*",
         "constraint \"rack=like:(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a*)*(a...\": the regex "
         "is "
         "refused: it has more than 24 repetitions once its counts are multiplied out"},
        {"rack=like:a**", "constraint \"rack=like:a**\": the regex is refused: it repeats a "
                          "repetition (as in a** or a+{2}; group the inner one)"},
        {long_value, "constraint \"rack=like:rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr...\": "
                     "the value is longer than 256 bytes"},
        {long_text, "the constraints are longer than 4096 bytes"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        constraint_set *cs = (constraint_set *)1;
        mk_err err = {{0}};
        assert_int_equal(constraint_set_parse(cases[i][0], &cs, &err), -1);
        assert_null(cs);
        if (strncmp(err.msg, cases[i][1], strlen(cases[i][1])) != 0)
            fail_msg("%s:\n got  %s\n want %s", cases[i][0], err.msg, cases[i][1]);
    }
}

static void test_regex_screen_keeps_ordinary_patterns(void **state)
{
    (void)state;
    static const char *const fine[] = {
        "rack=like:r[0-9]{1,3}",
        "hostname=like:[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "hostname=like:([a-z0-9-]{1,30}\\.)+example\\.com",
        "rack=like:[[:alpha:]]+[])]",
        "rack=like:\\(r1\\)",
        "rack=like:^r1$",
        "rack=like:(a?){0,16}",
        "rack=like:(a*)*(b*)*",
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(fine); i++)
        constraint_set_free(parse_ok(fine[i]));
    fake_agent a;
    fake(&a, "node-1", "a)", NULL);
    assert_true(judge("rack=like:[]a)]+", &a, NULL, 0, NULL, 0));
    fake(&a, "node-1", "r123", NULL);
    assert_true(judge("rack=like:r[0-9]{1,3},hostname=unique", &a, NULL, 0, NULL, 0));
    assert_false(judge("rack=like:r[0-9]{1,2}", &a, NULL, 0, NULL, 0));
    fake(&a, "node-1", "(r1)", NULL);
    assert_true(judge("rack=like:\\(r1\\)", &a, NULL, 0, NULL, 0));
}

static void test_regex_screen_table(void **state)
{
    (void)state;
    static const char *const fine[] = {
        "[)]",        "\\)",  "[[.).]]",    "[^]]+",      "x{0}", "(a|b)+c?", "[[:digit:]]{32}",
        "a{1,}b{,2}", "a{x}", "((((a))))*", "(a*)*(b*)*",
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(fine); i++) {
        const char *why = NULL;
        if (regex_screen(fine[i], &why) != 0)
            fail_msg("%s: %s", fine[i], why);
    }
    static const char *const refused[] = {
        "a)",
        "[)])",
        "\\(a))",
        "a{33}",
        "(a{2}){2}{2}",
        "a+*",
        "a?{2}",
        "(x)\\2",
        "a{1,99999999999}",
        "(((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))",
        "(((a+)+)+)+(((a+)+)+)+(((a+)+)+)+",
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(refused); i++) {
        const char *why = NULL;
        if (regex_screen(refused[i], &why) == 0)
            fail_msg("%s: not refused", refused[i]);
        assert_non_null(why);
    }
    /* ^(a|b)$, not ^a|b$: both alternatives are anchored. */
    fake_agent a;
    fake(&a, "node-1", "ab", NULL);
    assert_false(judge("rack=like:a|b", &a, NULL, 0, NULL, 0));
    assert_true(judge("rack=like:a|ab", &a, NULL, 0, NULL, 0));
}

static void test_refusals_say_why_a_broker_stays_pending(void **state)
{
    (void)state;
    constraint_refusals r = {0};
    char text[512];
    constraint_refusals_text(&r, text, sizeof(text));
    assert_string_equal(text, "");
    constraint_refusals_note(&r, "rack=like:r2: node-3 has rack=r1");
    constraint_refusals_text(&r, text, sizeof(text));
    assert_string_equal(text,
                        "the constraints refused 1 offer, the last because rack=like:r2: node-3 "
                        "has rack=r1");
    constraint_refusals_note(&r, "hostname=unique: another broker is on hostname=node-1");
    constraint_refusals_text(&r, text, sizeof(text));
    assert_string_equal(text, "the constraints refused 2 offers, the last because "
                              "hostname=unique: another broker is on hostname=node-1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_and_unlike_match_the_whole_value),
        cmocka_unit_test(test_unique_across_brokers),
        cmocka_unit_test(test_cluster_with_and_without_value),
        cmocka_unit_test(test_group_by_spreads_four_brokers_two_and_two),
        cmocka_unit_test(test_several_constraints_and_the_empty_set),
        cmocka_unit_test(test_canonical_text_round_trips),
        cmocka_unit_test(test_bad_text_is_refused_naming_the_constraint),
        cmocka_unit_test(test_regex_screen_keeps_ordinary_patterns),
        cmocka_unit_test(test_regex_screen_table),
        cmocka_unit_test(test_refusals_say_why_a_broker_stays_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
