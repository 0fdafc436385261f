/*
 * Unit tests for src/json_scan.c, and for large OFFERS events parsed one offer at a time
 * (src/mesos_event.c uses the scanner above 64 KiB): the same offers as a whole parse, and the same
 * refusals for malformed input.
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

#include "json_scan.h"
#include "mesos_event.h"
#include "util.h"

static int collect(const char *text, json_span sp, void *ud)
{
    char *out = ud;
    strncat(out, text + sp.begin, sp.end - sp.begin);
    strcat(out, "|");
    return 0;
}

static void test_nested_array_and_elements(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *elements; /* NULL: no array found / malformed */
    } cases[] = {
        {"{\"offers\":{\"offers\":[1, \"a]\" ,{\"x\":[2]}]}}", "1|\"a]\"|{\"x\":[2]}|"},
        {" { \"type\" : \"OFFERS\" , \"offers\" : { \"offers\" : [ ] } } ", ""},
        {"{\"a\":{\"offers\":[1]},\"offers\":{\"b\":\"\\\"}\",\"offers\":[true,null]}}",
         "true|null|"},
        {"{\"offers\":{\"offers\":{}}}", NULL},
        {"{\"offers\":[1]}", NULL},
        {"{\"offers\":{\"offers\":[1,]}}", NULL},
        {"{\"offers\":{\"offers\":[1 2]}}", NULL},
        {"{\"offers\":{\"offers\":[\"unterminated]}}", NULL},
        {"[]", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        json_span sp;
        char got[256] = "";
        int found =
            json_scan_nested_array(cases[i].text, strlen(cases[i].text), "offers", "offers", &sp);
        long n = found == 0 ? json_scan_elements(cases[i].text, sp, collect, got) : -1;
        if (!cases[i].elements) {
            assert_true(n < 0);
            continue;
        }
        assert_true(n >= 0);
        assert_string_equal(got, cases[i].elements);
    }
}

/* Every prefix of a document, in a buffer of exactly that size (no NUL after it, so ASan sees any
 * read past the end): the scanner finds nothing in a cut document and never reads beyond it. */
static void test_truncated_text_is_never_read_past(void **state)
{
    (void)state;
    static const char doc[] = "{\"offers\": {\"offers\": [1, \"a\\\"]\", {\"x\": [2]}]}}";
    size_t full = strlen(doc);
    for (size_t len = 0; len <= full; len++) {
        char *cut = mk_xmalloc(len ? len : 1);
        memcpy(cut, doc, len);
        json_span sp;
        char got[256] = "";
        int found = json_scan_nested_array(cut, len, "offers", "offers", &sp);
        long n = found == 0 ? json_scan_elements(cut, sp, collect, got) : -1;
        /* The array closes 2 bytes before the end: from then on it is found whole. */
        if (len >= full - 2)
            assert_int_equal(n, 3);
        else
            assert_true(n < 0);
        free(cut);
    }
}

/* An OFFERS event of `n` offers, large enough to be parsed offer by offer. */
static char *big_event(int n, const char *extra_offer)
{
    size_t cap = (size_t)n * 400 + 1024, len = 0;
    char *out = mk_xmalloc(cap);
    len += (size_t)snprintf(out, cap, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(
            out + len, cap - len,
            "%s{\"id\":{\"value\":\"O%d\"},\"framework_id\":{\"value\":\"F\"},"
            "\"agent_id\":{\"value\":\"S%d\"},\"hostname\":\"agent%d\",\"resources\":["
            "{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":%d}},"
            "{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":[{\"begin\":31000,"
            "\"end\":32000}]}}]}",
            i ? "," : "", i, i, i, i % 7 + 1);
    if (extra_offer)
        len += (size_t)snprintf(out + len, cap - len, ",%s", extra_offer);
    snprintf(out + len, cap - len, "]}}");
    return out;
}

static void test_large_offers_event_parses_offer_by_offer(void **state)
{
    (void)state;
    cleanup_free char *json = big_event(500, NULL);
    assert_true(strlen(json) > 65536);
    mesos_event ev;
    mk_err err = {{0}};
    assert_int_equal(mesos_event_parse(json, strlen(json), &ev, &err), 0);
    assert_int_equal(ev.type, MESOS_EVENT_OFFERS);
    assert_int_equal(ev.u.offers.n_offers, 500);
    assert_string_equal(ev.u.offers.offers[499].id, "O499");
    assert_string_equal(ev.u.offers.offers[123].hostname, "agent123");
    assert_true(mesos_offer_scalar(&ev.u.offers.offers[6], "cpus", NULL) == 7);
    assert_int_equal(ev.u.offers.offers[0].resources[1].ranges[0].end, 32000);
    mesos_event_clear(&ev);
}

static void test_large_offers_event_refuses_what_a_whole_parse_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *extra;
        const char *error;
    } cases[] = {
        {"{\"id\":{\"value\":\"X\"},\"agent_id\":{\"value\":\"S\"}}",
         "OFFERS event: offers.offers[500].hostname is missing"},
        {"{\"id\":{\"value\":\"X\"},\"id\":{\"value\":\"Y\"}}", "OFFERS event: offers.offers[500]"},
        {"nope", "OFFERS event: offers.offers[500] is not JSON"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        cleanup_free char *json = big_event(500, cases[i].extra);
        mesos_event ev;
        mk_err err = {{0}};
        assert_int_equal(mesos_event_parse(json, strlen(json), &ev, &err), -1);
        assert_non_null(strstr(err.msg, cases[i].error));
    }
    /* Broken outside the offers: the whole parse reports it. */
    cleanup_free char *json = big_event(500, NULL);
    json[strlen(json) - 1] = ',';
    mesos_event ev;
    mk_err err = {{0}};
    assert_int_equal(mesos_event_parse(json, strlen(json), &ev, &err), -1);
    assert_non_null(strstr(err.msg, "event is not JSON"));
    /* Another event type with a nested offers.offers array is not taken for OFFERS. */
    cleanup_free char *other = big_event(500, NULL);
    memcpy(other + 9, "OFFERZ", 6); /* an unknown type of the same length */
    assert_int_equal(mesos_event_parse(other, strlen(other), &ev, &err), -1);
    assert_non_null(strstr(err.msg, "unknown event type"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_array_and_elements),
        cmocka_unit_test(test_truncated_text_is_never_read_past),
        cmocka_unit_test(test_large_offers_event_parses_offer_by_offer),
        cmocka_unit_test(test_large_offers_event_refuses_what_a_whole_parse_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
