/*
 * Unit tests for src/broker_expr.c: the id forms, ranges, duplicates and order, the canonical text
 * and its round trip, the filter glob, matching and selecting with agent attributes, and every
 * refusal with the part its message names.
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

#include "broker_expr.h"
#include "util.h"

static broker_expr *parse_ok(const char *text)
{
    broker_expr *e = NULL;
    mk_err err = {{0}};
    if (broker_expr_parse(text, &e, &err) != 0)
        fail_msg("\"%s\" refused: %s", text, err.msg);
    assert_non_null(e);
    return e;
}

/* Parses `text` and checks its ids are exactly `want` (n of them). */
static void check_ids(const char *text, const int *want, size_t n)
{
    broker_expr *e = parse_ok(text);
    const int *ids;
    size_t got = broker_expr_ids(e, &ids);
    if (got != n)
        fail_msg("\"%s\": %zu ids, want %zu", text, got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], want[i]);
    assert_false(broker_expr_is_any(e));
    broker_expr_free(e);
}

/* The canonical text of `text` is `want`, and parsing it again gives an equal expression with the
 * same text. */
static void check_text(const char *text, const char *want)
{
    broker_expr *e = parse_ok(text);
    cleanup_free char *t = broker_expr_text(e);
    if (strcmp(t, want) != 0)
        fail_msg("\"%s\" prints as \"%s\", want \"%s\"", text, t, want);
    broker_expr *again = parse_ok(t);
    assert_true(broker_expr_equal(e, again));
    cleanup_free char *t2 = broker_expr_text(again);
    assert_string_equal(t, t2);
    broker_expr_free(again);
    broker_expr_free(e);
}

static void test_the_documented_forms(void **state)
{
    (void)state;
    check_ids("0", (int[]){0}, 1);
    check_ids("0,1", (int[]){0, 1}, 2);
    check_ids("0..2", (int[]){0, 1, 2}, 3);
    check_ids("0,1..2", (int[]){0, 1, 2}, 3);
    check_ids("1000000", (int[]){1000000}, 1);
    check_ids("7..7", (int[]){7}, 1);
    check_ids("999998..1000000", (int[]){999998, 999999, 1000000}, 3);

    broker_expr *any = parse_ok("*");
    const int *ids;
    assert_true(broker_expr_is_any(any));
    assert_false(broker_expr_has_filter(any));
    assert_int_equal(broker_expr_ids(any, &ids), 0);
    assert_true(broker_expr_matches(any, 0, NULL, NULL));
    assert_true(broker_expr_matches(any, 1000000, NULL, NULL));
    broker_expr_free(any);

    static const char *const filtered[] = {"*[rack=r1]", "0..5[hostname=node-2*]",
                                           "*[rack=r1,zone=z*]"};
    for (size_t i = 0; i < MK_ARRAY_LEN(filtered); i++) {
        broker_expr *e = parse_ok(filtered[i]);
        assert_true(broker_expr_has_filter(e));
        assert_int_equal(broker_expr_is_any(e), filtered[i][0] == '*');
        broker_expr_free(e);
    }
    check_ids("0..5[hostname=node-2*]", (int[]){0, 1, 2, 3, 4, 5}, 6);
}

static void test_duplicates_collapse_and_ids_ascend(void **state)
{
    (void)state;
    check_ids("5,3,3,1..4,2", (int[]){1, 2, 3, 4, 5}, 5);
    check_ids("9,7,8,7", (int[]){7, 8, 9}, 3);
    check_ids("4..6,0..2,5..9", (int[]){0, 1, 2, 4, 5, 6, 7, 8, 9}, 9);
    /* the bound is on distinct ids: overlapping ranges are counted once */
    broker_expr *e = parse_ok("0..9999,0..9999,5000..9999");
    const int *ids;
    assert_int_equal(broker_expr_ids(e, &ids), BROKER_EXPR_MAX_IDS);
    for (int i = 0; i < BROKER_EXPR_MAX_IDS; i++)
        assert_int_equal(ids[i], i);
    broker_expr_free(e);
    e = parse_ok("990000..999999");
    assert_int_equal(broker_expr_ids(e, &ids), BROKER_EXPR_MAX_IDS);
    broker_expr_free(e);
}

static void test_canonical_text_round_trips(void **state)
{
    (void)state;
    check_text("0", "0");
    check_text("*", "*");
    check_text("0,1", "0,1");
    check_text("2,1", "1,2");
    check_text("0,1,2", "0..2");
    check_text("0,1..2", "0..2");
    check_text("0..1", "0,1");
    check_text("3..3", "3");
    check_text("5,0..2,2,1", "0..2,5");
    check_text("0..2,4..6,8", "0..2,4..6,8");
    check_text("0..2,3..5", "0..5");
    check_text("0..2,5[rack=r1]", "0..2,5[rack=r1]");
    check_text("*[zone=z*,rack=r1]", "*[rack=r1,zone=z*]");
    check_text("*[rack=r1,rack=r1]", "*[rack=r1]");
    check_text("*[rack=r2,rack=r1]", "*[rack=r1,rack=r2]");
    check_text("0..5[hostname=node-2*]", "0..5[hostname=node-2*]");
    check_text("1[a.b_c-D9=x*y:z/w]", "1[a.b_c-D9=x*y:z/w]");
    check_text("0..9999", "0..9999");

    broker_expr *a = parse_ok("0..2"), *b = parse_ok("0,1"), *c = parse_ok("0..2[rack=r1]");
    broker_expr *any = parse_ok("*"), *anyf = parse_ok("*[rack=r1]");
    assert_false(broker_expr_equal(a, b));
    assert_false(broker_expr_equal(a, c));
    assert_false(broker_expr_equal(any, anyf));
    assert_false(broker_expr_equal(any, a));
    broker_expr_free(a);
    broker_expr_free(b);
    broker_expr_free(c);
    broker_expr_free(any);
    broker_expr_free(anyf);
}

static void test_glob(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *s;
        bool match;
    } cases[] = {
        {"node-2", "node-2", true},
        {"node-2", "node-22", false},
        {"node-2", "Node-2", false},
        {"node-2*", "node-2", true},
        {"node-2*", "node-23", true},
        {"node-2*", "node-3", false},
        {"*-2", "node-2", true},
        {"*-2", "node-22", false},
        {"*-2", "-2", true},
        {"n*2", "node-2", true},
        {"n*2", "n2", true},
        {"n*2", "node-3", false},
        {"*", "", true},
        {"*", "anything", true},
        {"a*b*c", "axxbyyc", true},
        {"a*b*c", "acb", false},
        {"**", "x", true},
        {"a*", "", false},
        {"*a*", "bab", true},
        {"*ab", "aab", true},
        {"a*ab", "aaab", true},
        {"r1", "", false},
        {"", "", true},
        {"", "x", false},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++)
        if (broker_expr_glob(cases[i].pattern, cases[i].s) != cases[i].match)
            fail_msg("glob \"%s\" on \"%s\": want %d", cases[i].pattern, cases[i].s,
                     cases[i].match);

    /* many stars against a long near-miss: quadratic at worst, never exponential */
    char pattern[2001], s[4001];
    for (int i = 0; i < 1000; i++) {
        pattern[2 * i] = 'a';
        pattern[2 * i + 1] = '*';
    }
    pattern[1999] = 'b';
    pattern[2000] = '\0';
    memset(s, 'a', 4000);
    s[4000] = '\0';
    assert_false(broker_expr_glob(pattern, s));
    s[3999] = 'b';
    assert_true(broker_expr_glob(pattern, s));
}

/* Where brokers 0..3 run: 3 is not placed. */
static const char *agent_attr(void *ud, int id, const char *name)
{
    static const char *const host[] = {"node-1", "node-2", "node-22", NULL};
    static const char *const rack[] = {"r1", "r1", "r2", NULL};
    static const char *const zone[] = {"z1", "z2", NULL, NULL};
    int *calls = ud;
    (*calls)++;
    if (id < 0 || id > 3)
        return NULL;
    if (strcmp(name, "hostname") == 0)
        return host[id];
    if (strcmp(name, "rack") == 0)
        return rack[id];
    if (strcmp(name, "zone") == 0)
        return zone[id];
    return NULL;
}

/* Broker 1's attributes, for broker_expr_matches. */
static const char *broker1_attr(void *ud, const char *name)
{
    return agent_attr(ud, 1, name);
}

static void check_select(const char *text, const int *want, size_t n)
{
    static const int known[] = {3, 0, 2, 1, 2, 9};
    broker_expr *e = parse_ok(text);
    int calls = 0;
    size_t got;
    cleanup_free int *sel =
        broker_expr_select(e, known, MK_ARRAY_LEN(known), agent_attr, &calls, &got);
    assert_non_null(sel);
    if (got != n)
        fail_msg("\"%s\" selects %zu brokers, want %zu", text, got, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sel[i], want[i]);
    broker_expr_free(e);
}

static void test_filters_match_the_agent(void **state)
{
    (void)state;
    check_select("*", (int[]){0, 1, 2, 3, 9}, 5);
    check_select("1..5", (int[]){1, 2, 3}, 3);
    check_select("4..8", NULL, 0);
    check_select("*[rack=r1]", (int[]){0, 1}, 2);
    check_select("0..5[hostname=node-2*]", (int[]){1, 2}, 2); /* wildcard at the end */
    check_select("*[hostname=*-22]", (int[]){2}, 1);          /* at the start */
    check_select("*[hostname=n*2]", (int[]){1, 2}, 2);        /* in the middle */
    check_select("*[rack=r1,zone=z*]", (int[]){0, 1}, 2);     /* all must match */
    check_select("*[rack=r1,zone=z2]", (int[]){1}, 1);
    check_select("*[rack=r2,zone=*]", NULL, 0);     /* broker 2's agent has no zone */
    check_select("*[rack=*]", (int[]){0, 1, 2}, 3); /* 3 and 9 are not placed */
    check_select("*[dc=eu]", NULL, 0);              /* no agent has that attribute */
    check_select("2,1[hostname=node-2]", (int[]){1}, 1);

    broker_expr *e = parse_ok("1[rack=r1]");
    int calls = 0;
    assert_true(broker_expr_matches(e, 1, broker1_attr, &calls));
    assert_false(broker_expr_matches(e, 2, broker1_attr, &calls)); /* not in the ids */
    assert_false(broker_expr_matches(e, 1, NULL, NULL));           /* nothing known */
    broker_expr_free(e);

    /* an empty known set gives an empty, freeable array */
    e = parse_ok("*");
    size_t n = 1;
    cleanup_free int *none = broker_expr_select(e, NULL, 0, NULL, NULL, &n);
    assert_non_null(none);
    assert_int_equal(n, 0);
    broker_expr_free(e);
}

static void check_refused(const char *text, const char *want)
{
    static int sentinel;
    broker_expr *e = (broker_expr *)&sentinel; /* the parse must set it to NULL */
    mk_err err = {{0}};
    if (broker_expr_parse(text, &e, &err) != -1)
        fail_msg("\"%s\" was accepted", text);
    assert_null(e);
    if (!strstr(err.msg, want))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.msg, want);
    assert_null(strchr(err.msg, '\n'));
}

static void test_bad_input_is_refused_naming_the_part(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", "the broker id expression is empty"},
        {"0,", "position 2: the expression ends with a comma"},
        {",1", "position 1: expected a broker id, found ','"},
        {"1,,2", "position 3: expected a broker id, found ','"},
        {"..", "position 1: the range has no start id"},
        {"..3", "position 1: the range has no start id"},
        {"1..", "position 1: the range \"1..\" has no end id"},
        {"0,1..[rack=r1]", "position 3: the range \"1..\" has no end id"},
        {"1..x", "position 4: expected the range's end id, found 'x'"},
        {"1...2", "position 4: expected the range's end id, found '.'"},
        {"1.2", "position 2: a single '.'"},
        {"1..2..3", "position 5: expected ',', '..', '[' or the end after an id, found '.'"},
        {"1x", "position 2: expected ',', '..', '[' or the end after an id, found 'x'"},
        {"-1", "position 1: expected a broker id, found '-'"},
        {"+1", "position 1: expected a broker id, found '+'"},
        {"0x10", "position 2: expected ',', '..', '[' or the end after an id, found 'x'"},
        {"01", "position 1: the id \"01\" has a leading zero"},
        {"1000001", "position 1: the id \"1000001\" is above 1000000"},
        {"3,99999999999999999999999", "position 3: the id \"9999999999999999...\" is above"},
        {"5..2", "position 1: the range \"5..2\" ends before it starts"},
        {"1,0..10000", "position 3: the range \"0..10000\" holds 10001 ids, more than 10000"},
        {"0..999999", "the range \"0..999999\" holds 1000000 ids"},
        {"0..9999,10000", "the expression names 10001 distinct ids, more than 10000"},
        {"*,1", "position 1: * stands alone"},
        {"*1", "position 1: * stands alone"},
        {"1,*", "position 3: * stands alone"},
        {"*x", "position 2: expected '[' or the end after *, found 'x'"},
        {"**", "position 2: expected '[' or the end after *, found '*'"},
        {"[rack=r1]", "position 1: a filter needs ids before it"},
        {"0,[rack=r1]", "position 2: a comma before the filter"},
        {"*[rack=r1", "position 2: the filter \"[rack=r1\" has no closing ']'"},
        {"*[", "position 2: the filter \"[\" has no closing ']'"},
        {"*[]", "position 2: the filter [] is empty"},
        {"*[rack=r1,]", "position 11: an empty filter"},
        {"*[,rack=r1]", "position 3: an empty filter"},
        {"*[rack]", "position 3: the filter \"rack\" has no '='"},
        {"*[rack=r1,zone]", "position 11: the filter \"zone\" has no '='"},
        {"*[rack:r1]", "position 7: the attribute name has ':'"},
        {"*[ra*ck=r1]", "position 5: the attribute name has '*'"},
        {"*[=r1]", "position 3: the filter has no attribute name"},
        {"*[rack=]", "position 3: the filter \"rack=\" has no value"},
        {"*[rack=r[1]", "position 9: '[' is not allowed in the value of \"rack\""},
        {"*[rack=a=b]", "position 9: '=' is not allowed in the value of \"rack\""},
        {"*[rack=r1]x", "position 11: text after the filter's closing ']': \"x\""},
        {"*[rack=r1]]", "position 11: text after the filter's closing ']'"},
        {"*[rack=r1][zone=z1]", "position 11: text after the filter's closing ']'"},
        {"0 ,1", "position 2: a space is not allowed"},
        {" 0", "position 1: a space is not allowed"},
        {"*[rack=r 1]", "position 9: a space is not allowed"},
        {"0\t", "position 2: byte 0x09 is not a printable character"},
        {"0\n", "position 2: byte 0x0a is not a printable character"},
        {"*[rack=\x7f]", "position 8: byte 0x7f is not a printable character"},
        {"*[host=n\xc3\xa9]", "position 9: byte 0xc3 is not a printable character"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++)
        check_refused(cases[i].text, cases[i].want);

    /* attribute names: 128 characters at most */
    char text[300];
    snprintf(text, sizeof(text), "*[%0128d=x]", 0);
    broker_expr_free(parse_ok(text));
    snprintf(text, sizeof(text), "*[%0129d=x]", 0);
    check_refused(text, "position 3: the attribute name \"00000000000000000000...\" is longer "
                        "than 128 characters");

    /* the whole text: BROKER_EXPR_MAX_TEXT bytes at most */
    char *big = mk_xmalloc(BROKER_EXPR_MAX_TEXT + 2);
    memset(big, '1', BROKER_EXPR_MAX_TEXT + 1);
    for (int i = 1; i < BROKER_EXPR_MAX_TEXT + 1; i += 2)
        big[i] = ',';
    big[BROKER_EXPR_MAX_TEXT + 1] = '\0';
    check_refused(big, "the broker id expression is longer than 4096 bytes");
    big[BROKER_EXPR_MAX_TEXT] = '\0';
    big[BROKER_EXPR_MAX_TEXT - 1] = '1';
    broker_expr_free(parse_ok(big)); /* 4096 bytes: "1,1,...,1,11" */
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_documented_forms),
        cmocka_unit_test(test_duplicates_collapse_and_ids_ascend),
        cmocka_unit_test(test_canonical_text_round_trips),
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_filters_match_the_agent),
        cmocka_unit_test(test_bad_input_is_refused_naming_the_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
