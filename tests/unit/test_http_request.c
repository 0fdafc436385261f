/*
 * The HTTP API's request checks without a server (http_request.c): HEAD only where nothing
 * changes, the path decoded without being cut at %00 and refused with a control character, one
 * strict parser for every number in a path, the cross-site refusal of browser requests; and the
 * status page's headers (http_page.h): a Content-Security-Policy that allows exactly the page's
 * own style. Tables of inputs and expected answers, one per check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_page.h"
#include "http_request.h"
#include "util.h"

/* The request as the server will hand it over: the path decoded by http_unescape. */
static int parse(const char *method, const char *raw_path, const char *force, http_request *r)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s", raw_path);
    http_unescape(path);
    return http_request_parse(method, path, force, NULL, 0, false, r);
}

static void assert_error_contains(const http_request *r, const char *text)
{
    if (!strstr(r->error, text))
        fail_msg("error '%s' does not contain '%s'", r->error, text);
}

/* ---- HEAD -------------------------------------------------------------------------------------
 */

static void test_head_is_a_get_on_read_routes(void **state)
{
    static const struct {
        const char *path, *core, *admin;
        bool page;
    } cases[] = {
        {"/", NULL, NULL, true},
        {"/health", "health", NULL, false},
        {"/v0/status", "status", NULL, false},
        {"/v0/container/kafka-0.x", "container", NULL, false},
        {"/v1/connection", "connection", NULL, false},
        {"/v1/plan", "plan", NULL, false},
        {"/v1/brokers", "brokers", NULL, false},
        {"/v1/brokers/2", "broker", NULL, false},
        {"/v1/topics", NULL, "topics", false},
        {"/v1/topics/t", NULL, "topic_describe", false},
        {"/v1/topics/t/offsets", NULL, "topic_offsets", false},
        {"/v1/partitions/under-replicated", NULL, "under_replicated", false},
        {"/v1/partitions/unavailable", NULL, "unavailable", false},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        http_request get, head;
        assert_int_equal(parse("GET", cases[i].path, NULL, &get), 0);
        if (parse("HEAD", cases[i].path, NULL, &head) != 0)
            fail_msg("HEAD %s: %u %s", cases[i].path, head.status, head.error);
        assert_false(head.changing);
        assert_true(head.routed);
        assert_int_equal(head.page, cases[i].page);
        if (cases[i].core)
            assert_string_equal(head.core, cases[i].core);
        else
            assert_null(head.core);
        if (cases[i].admin)
            assert_string_equal(head.admin, cases[i].admin);
        else
            assert_null(head.admin);
        assert_true(json_equal(get.args, head.args) || (!get.args && !head.args));
        http_request_clear(&get);
        http_request_clear(&head);
    }
}

static void test_head_is_refused_on_change_routes(void **state)
{
    static const struct {
        const char *path, *allow;
    } cases[] = {
        {"/v0/kafka/reflate", "GET, POST"},
        {"/v0/zookeeper/reflate", "GET, POST"},
        {"/v0/kafka/scale/3", "GET, POST"},
        {"/v0/zookeeper/scale/3?force=true", "GET, POST"},
        {"/v0/task/kill/kafka-0.x", "GET, POST"},
        {"/v0/redis/reflate", "GET, POST"}, /* the method comes before the kind */
        {"/v1/topics/t/partitions", "PUT, POST"},
        {"/v1/topics/t/config", "PUT, POST"},
        {"/v1/topics/t/config/retention.ms", "DELETE"},
        {"/v1/topics/t/producer-test", "POST"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        http_request r;
        assert_int_equal(parse("HEAD", cases[i].path, NULL, &r), -1);
        if (r.status != 405)
            fail_msg("HEAD %s: %u %s", cases[i].path, r.status, r.error);
        assert_false(r.routed);
        assert_false(r.changing);
        assert_null(r.core);
        assert_null(r.admin);
        assert_null(r.args);
        assert_string_equal(r.allow, cases[i].allow);
        http_request_clear(&r);
    }
}

/* Every method on every route: HEAD never changes anything, an Allow header lists HEAD only
 * beside a GET that changes nothing, and every method it lists is taken. */
static void test_allow_headers_agree_with_the_routes(void **state)
{
    static const char *const paths[] = {
        "/",
        "/health",
        "/v0/status",
        "/v0/container/t",
        "/v0/kafka/reflate",
        "/v0/zookeeper/scale/3",
        "/v0/task/kill/t",
        "/v1/connection",
        "/v1/plan",
        "/v1/brokers",
        "/v1/brokers/1",
        "/v1/topics",
        "/v1/topics/t",
        "/v1/topics/t/offsets",
        "/v1/topics/t/partitions",
        "/v1/topics/t/config",
        "/v1/topics/t/config/k",
        "/v1/topics/t/producer-test",
        "/v1/partitions/unavailable",
    };
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
    for (size_t p = 0; p < MK_ARRAY_LEN(paths); p++) {
        const char *allow = NULL;
        bool get_changes = false;
        for (size_t m = 0; m < MK_ARRAY_LEN(methods); m++) {
            http_request r;
            parse(methods[m], paths[p], NULL, &r);
            if (r.status == 405)
                allow = r.allow;
            if (strcmp(methods[m], "HEAD") == 0)
                assert_false(r.changing);
            if (strcmp(methods[m], "GET") == 0 && r.routed)
                get_changes = r.changing;
            http_request_clear(&r);
        }
        assert_non_null(allow); /* PATCH is never taken */
        if (strstr(allow, "HEAD"))
            assert_false(get_changes);
        else if (strstr(allow, "GET"))
            assert_true(get_changes);
        char list[64];
        snprintf(list, sizeof(list), "%s", allow);
        for (char *save = NULL, *m = strtok_r(list, ", ", &save); m;
             m = strtok_r(NULL, ", ", &save)) {
            http_request r;
            parse(m, paths[p], NULL, &r);
            if (!r.routed)
                fail_msg("%s %s is in Allow '%s' but got %u", m, paths[p], allow, r.status);
            http_request_clear(&r);
        }
    }
}

/* ---- decoding the path ------------------------------------------------------------------------
 */

static void test_unescape(void **state)
{
    static const struct {
        const char *in, *out;
        size_t len;
    } cases[] = {
        {"", "", 0},
        {"/v0/status", "/v0/status", 10},
        {"%41%62c", "Abc", 3},
        {"%2f%2F", "//", 2},
        {"a+b", "a+b", 3}, /* '+' is itself in a path; MHD turns it into ' ' in queries first */
        {"%2B", "+", 1},
        {"%20", " ", 1},
        {"%zz", "%zz", 3},
        {"%4", "%4", 2},
        {"%", "%", 1},
        {"a%", "a%", 2},
        {"%%41", "%A", 2},
        {"%4%41", "%4A", 3},
        {"%g1", "%g1", 3},
        {"%0a1", "\n1", 2},
        {"%091", "\t1", 2},
        {"%7f", "\x7f", 1},
        {"%ff%FE", "\xff\xfe", 2},
        {"%00", "\x7f", 1}, /* never cut */
        {"abc%00def",
         "abc\x7f"
         "def",
         7}, /* not "abc" */
        {"%00%00", "\x7f\x7f", 2},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        char s[64];
        snprintf(s, sizeof(s), "%s", cases[i].in);
        size_t len = http_unescape(s);
        if (strcmp(s, cases[i].out) != 0 || len != cases[i].len)
            fail_msg("'%s': got '%s' (%zu), expected '%s' (%zu)", cases[i].in, s, len, cases[i].out,
                     cases[i].len);
        assert_int_equal(strlen(s), len);
        /* The same as libmicrohttpd's own decoding whenever no NUL is escaped. */
        if (!strstr(cases[i].in, "%00")) {
            char theirs[64];
            snprintf(theirs, sizeof(theirs), "%s", cases[i].in);
            size_t their_len = MHD_http_unescape(theirs);
            assert_string_equal(theirs, s);
            assert_int_equal(their_len, len);
        }
    }
}

static void test_control_characters_are_refused_before_the_route(void **state)
{
    static const struct {
        const char *method, *path, *force, *error;
    } cases[] = {
        {"POST", "/v0/task/kill/abc%00def", NULL, "the path holds a control character (%7F or %00"},
        {"GET", "/v0/container/abc%00", NULL, "(%7F or %00 at byte 18)"},
        {"GET", "/v0/container/a%0ab", NULL, "(%0A at byte 16)"},
        {"GET", "/v0/container/a%7fb", NULL, "control character"},
        {"GET", "/v0/container/a%1Fb", NULL, "(%1F at byte 16)"},
        {"GET", "/v0/container/%0d%0aX-Injected:%201", NULL, "(%0D at byte 15)"},
        {"POST", "/v0/kafka/scale/%0a1", NULL, "control character"},
        {"POST", "/v0/kafka/scale/%091", NULL, "control character"},
        {"POST", "/v0/kafka/scale/1%00", NULL, "control character"},
        {"PUT", "/v1/brokers/%0a1", NULL, "control character"},
        {"GET", "/v1/brokers/%091", NULL, "control character"},
        {"DELETE", "/v1/topics/t%00x", NULL, "control character"},
        {"DELETE", "/v1/topics/t/config/k%01", NULL, "control character"},
        {"GET", "/nope%00", NULL, "control character"},        /* not a 404 */
        {"PATCH", "/v0/status%0a", NULL, "control character"}, /* not a 405 */
        {"POST", "/v0/kafka/scale/3", "true\x7f", "force: the value holds a control character"},
        {"PUT", "/v1/brokers/1", "1\n", "force: the value holds a control character (%0A"},
        {"GET", "/v0/status", "\t", "force: the value holds"}, /* even where force is unused */
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        http_request r;
        assert_int_equal(parse(cases[i].method, cases[i].path, cases[i].force, &r), -1);
        if (r.status != 400)
            fail_msg("%s %s: %u %s", cases[i].method, cases[i].path, r.status, r.error);
        assert_error_contains(&r, cases[i].error);
        assert_error_contains(&r, "an escaped byte %00-%1F or %7F is refused");
        assert_false(r.routed);
        assert_false(r.changing);
        assert_null(r.allow);
        assert_null(r.core);
        assert_null(r.admin);
        assert_null(r.args);
        for (const char *c = r.error; *c; c++)
            assert_true(*c >= 0x20 && *c < 0x7f);
        http_request_clear(&r);
    }
    /* Past the longest path too: checked before the length. */
    char path[HTTP_MAX_PATH + 32] = "/v0/container/";
    size_t n = strlen(path);
    memset(path + n, 'a', HTTP_MAX_PATH);
    strcpy(path + n + HTTP_MAX_PATH, "%00");
    http_request r;
    assert_int_equal(parse("GET", path, NULL, &r), -1);
    assert_int_equal(r.status, 400);
    assert_error_contains(&r, "control character");
    /* Bytes from 0x80 up are not control characters: a task id refuses them after auth. */
    assert_int_equal(parse("GET", "/v0/container/a%c3%a9", NULL, &r), -1);
    assert_int_equal(r.status, 400);
    assert_true(r.routed);
    assert_error_contains(&r, "task id");
}

/* ---- numbers ----------------------------------------------------------------------------------
 */

static void test_parse_number(void **state)
{
    static const struct {
        const char *text;
        long min, max;
        int rc;
        long value;
        const char *why;
    } cases[] = {
        {"0", 0, 1000, 0, 0, NULL},
        {"7", 0, 1000, 0, 7, NULL},
        {"007", 0, 1000, 0, 7, NULL},
        {"1000", 0, 1000, 0, 1000, NULL},
        {"000000000000000000001000", 0, 1000, 0, 1000, NULL}, /* zeros add no digits */
        {"999999999", 0, 999999999, 0, 999999999, NULL},
        {"1001", 0, 1000, -1, 0, "is too large"},
        {"1000000000", 0, 999999999, -1, 0, "is too large"},
        {"99999999999999999999", 0, 1000, -1, 0, "is too large"},
        {"0", 1, 5, -1, 0, "is too small"},
        {"", 0, 9, -1, 0, "digits only"},
        {"+1", 0, 9, -1, 0, "digits only"},
        {"-1", 0, 9, -1, 0, "digits only"},
        {"-0", 0, 9, -1, 0, "digits only"},
        {" 1", 0, 9, -1, 0, "digits only"},
        {"\t1", 0, 9, -1, 0, "digits only"},
        {"\n1", 0, 9, -1, 0, "digits only"},
        {"\v1", 0, 9, -1, 0, "digits only"},
        {"1 ", 0, 9, -1, 0, "digits only"},
        {"1\n", 0, 9, -1, 0, "digits only"},
        {"1\x7f", 0, 9, -1, 0, "digits only"},
        {"0x1", 0, 9, -1, 0, "digits only"},
        {"1e0", 0, 9, -1, 0, "digits only"},
        {"1.0", 0, 9, -1, 0, "digits only"},
        {"1_0", 0, 99, -1, 0, "digits only"},
        {"\xef\xbc\x91", 0, 9, -1, 0, "digits only"}, /* a fullwidth 1 */
        {"\xd9\xa1", 0, 9, -1, 0, "digits only"},     /* an Arabic-Indic 1 */
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        long value = -42;
        const char *why = NULL;
        int rc = http_parse_number(cases[i].text, cases[i].min, cases[i].max, &value, &why);
        if (rc != cases[i].rc)
            fail_msg("'%s': rc %d, expected %d", cases[i].text, rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(value, cases[i].value);
        } else {
            assert_int_equal(value, -42); /* untouched */
            assert_non_null(why);
            if (!strstr(why, cases[i].why))
                fail_msg("'%s': why '%s', expected '%s'", cases[i].text, why, cases[i].why);
        }
    }
}

static void test_numbers_in_paths_are_digits_only(void **state)
{
    static const struct {
        const char *method, *path, *error;
    } cases[] = {
        {"GET", "/v1/brokers/%201", "broker id: must be a whole number written with digits only"},
        {"GET", "/v1/brokers/+1", "broker id: must be a whole number written with digits only"},
        {"GET", "/v1/brokers/%2B1", "(a whole number from 0 to 1000000, got '+1')"},
        {"PUT", "/v1/brokers/1%20", "broker id: must be a whole number"},
        {"PUT", "/v1/brokers/-0", "broker id: must be a whole number"},
        {"POST", "/v1/brokers/0x10", "broker id: must be a whole number"},
        {"GET", "/v1/brokers/1000001", "broker id: is too large (a whole number from 0 to 1000000"},
        {"GET", "/v1/brokers/99999999999999999999", "broker id: is too large"},
        {"POST", "/v0/kafka/scale/%201", "count: must be a whole number written with digits only"},
        {"POST", "/v0/kafka/scale/+1", "count: must be a whole number"},
        {"GET", "/v0/kafka/scale/1.0", "count: must be a whole number"},
        {"GET", "/v0/kafka/scale/1001",
         "count: is too large (a whole number from 0 to 1000 for "
         "kafka, got '1001')"},
        {"GET", "/v0/zookeeper/scale/100",
         "count: is too large (a whole number from 0 to 99 for "
         "zookeeper"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        http_request r;
        assert_int_equal(parse(cases[i].method, cases[i].path, NULL, &r), -1);
        if (r.status != 400)
            fail_msg("%s %s: %u %s", cases[i].method, cases[i].path, r.status, r.error);
        assert_true(r.routed); /* after auth */
        assert_null(r.args);
        assert_null(r.core);
        assert_error_contains(&r, cases[i].error);
        http_request_clear(&r);
    }
    static const struct {
        const char *method, *path, *key;
        long value;
    } good[] = {
        {"GET", "/v1/brokers/0", "id", 0},
        {"GET", "/v1/brokers/01", "id", 1},
        {"PUT", "/v1/brokers/1000000", "id", 1000000},
        {"POST", "/v0/kafka/scale/1000", "count", 1000},
        {"POST", "/v0/zookeeper/scale/0099", "count", 99},
        {"GET", "/v0/kafka/scale/0", "count", 0},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(good); i++) {
        http_request r;
        if (parse(good[i].method, good[i].path, NULL, &r) != 0)
            fail_msg("%s %s: %u %s", good[i].method, good[i].path, r.status, r.error);
        const json_t *v = json_object_get(r.args, good[i].key);
        assert_true(json_is_integer(v));
        assert_int_equal(json_integer_value(v), good[i].value);
        http_request_clear(&r);
    }
}

/* ---- cross-site requests ----------------------------------------------------------------------
 */

static void test_cross_site(void **state)
{
    static const struct {
        const char *fetch_site, *origin, *host;
        bool tls, refused;
        const char *why;
    } cases[] = {
        /* curl and scripts: neither header */
        {NULL, NULL, "sched:10000", false, false, NULL},
        {NULL, NULL, NULL, false, false, NULL},
        /* Sec-Fetch-Site */
        {"same-origin", NULL, "sched:10000", false, false, NULL},
        {"none", NULL, "sched:10000", false, false, NULL}, /* typed in the address bar */
        {"Same-Origin", NULL, "sched:10000", false, false, NULL},
        {"NONE", NULL, NULL, true, false, NULL},
        {"cross-site", NULL, "sched:10000", false, true, "Sec-Fetch-Site: cross-site"},
        {"Cross-Site", NULL, "sched:10000", false, true, "Sec-Fetch-Site: Cross-Site"},
        {"same-site", NULL, "sched:10000", false, true, "Sec-Fetch-Site: same-site"},
        {"cross-site", "http://sched:10000", "sched:10000", false, true, "Sec-Fetch-Site"},
        {"", NULL, "sched:10000", false, true, "Sec-Fetch-Site"},
        {"same-origin ", NULL, "sched:10000", false, true, "Sec-Fetch-Site"},
        {"bogus", NULL, "sched:10000", false, true, "Sec-Fetch-Site: bogus"},
        /* Origin: this API's own */
        {NULL, "http://sched:10000", "sched:10000", false, false, NULL},
        {"same-origin", "http://sched:10000", "sched:10000", false, false, NULL},
        {NULL, "HTTP://Sched:10000", "sched:10000", false, false, NULL},
        {NULL, "https://sched:10000", "SCHED:10000", true, false, NULL},
        {NULL, "http://sched", "sched", false, false, NULL},
        {NULL, "http://[::1]:10000", "[::1]:10000", false, false, NULL},
        /* Origin: anything else */
        {NULL, "http://evil.example", "sched:10000", false, true, "Origin: http://evil.example"},
        {NULL, "http://sched:10001", "sched:10000", false, true, "this API is http://sched:10000"},
        {NULL, "http://sched", "sched:10000", false, true, "another origin"},
        {NULL, "http://sched:10000", "sched", false, true, "another origin"},
        {NULL, "https://sched:10000", "sched:10000", false, true, "another origin"},
        {NULL, "http://sched:10000", "sched:10000", true, true, "this API is https://sched:10000"},
        {NULL, "http://sched:10000/", "sched:10000", false, true, "another origin"},
        {NULL, "http://sched:10000.evil.example", "sched:10000", false, true, "another origin"},
        {NULL, "http://x@sched:10000", "sched:10000", false, true, "another origin"},
        {NULL, "sched:10000", "sched:10000", false, true, "another origin"},
        {NULL, "", "sched:10000", false, true, "another origin"},
        {NULL, "http://", "", false, true, "no Host header"},
        {NULL, "null", "sched:10000", false, true, "Origin: null"},
        {NULL, "NULL", "sched:10000", false, true, "Origin: null"},
        {"same-origin", "null", "sched:10000", false, true, "Origin: null"},
        {NULL, "http://sched:10000", NULL, false, true, "no Host header"},
        {NULL, "http://sched:10000", "", false, true, "no Host header"},
        {NULL, "http://\x01\xff", "sched", false, true, "Origin: http://??"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        char why[128] = "untouched";
        bool refused = http_cross_site(cases[i].fetch_site, cases[i].origin, cases[i].host,
                                       cases[i].tls, why, sizeof(why));
        if (refused != cases[i].refused)
            fail_msg("case %zu (%s, %s, %s): refused %d (%s)", i, cases[i].fetch_site,
                     cases[i].origin, cases[i].host, refused, why);
        if (!refused) {
            assert_string_equal(why, "untouched");
            continue;
        }
        if (!strstr(why, cases[i].why))
            fail_msg("case %zu: why '%s' does not contain '%s'", i, why, cases[i].why);
        for (const char *c = why; *c; c++)
            assert_true(*c >= 0x20 && *c < 0x7f);
    }
    /* A short or absent `why` is fine. */
    char tiny[8];
    assert_true(http_cross_site("cross-site", NULL, NULL, false, tiny, sizeof(tiny)));
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    assert_true(http_cross_site("cross-site", NULL, NULL, false, NULL, 0));
    assert_false(http_cross_site(NULL, NULL, NULL, false, NULL, 0));
}

/* ---- the page's headers -----------------------------------------------------------------------
 */

static void test_page_csp_allows_exactly_its_style(void **state)
{
    json_t *status =
        json_pack("{s:{s:s, s:s, s:b}, s:[{s:s, s:s}], s:[]}", "framework", "name",
                  "<script>alert(1)</script>", "id", "fw-1", "subscribed", 1, "members", "name",
                  "kafka-0", "message", "<img src=x onerror=y>", "recent_failures");
    char *html = http_page_render(status);
    json_decref(status);
    /* One <style> element, no script, no style attribute, nothing loaded. */
    const char *open = strstr(html, "<style>");
    assert_non_null(open);
    const char *text = open + strlen("<style>");
    const char *close = strstr(text, "</style>");
    assert_non_null(close);
    assert_null(strstr(close, "<style"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, " style="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "<form"));
    assert_non_null(strstr(html, "<meta http-equiv=\"refresh\" content=\"5\">"));

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned md_len = 0;
    assert_int_equal(EVP_Digest(text, (size_t)(close - text), md, &md_len, EVP_sha256(), NULL), 1);
    unsigned char b64[80];
    EVP_EncodeBlock(b64, md, (int)md_len);
    char source[128];
    snprintf(source, sizeof(source), "style-src 'sha256-%s';", (const char *)b64);
    if (!strstr(HTTP_PAGE_CSP, source))
        fail_msg("HTTP_PAGE_CSP '%s' does not name the page's style: %s", HTTP_PAGE_CSP, source);
    free(html);

    static const char *const directives[] = {"default-src 'none'", "frame-ancestors 'none'",
                                             "base-uri 'none'", "form-action 'none'"};
    for (size_t i = 0; i < MK_ARRAY_LEN(directives); i++)
        assert_non_null(strstr(HTTP_PAGE_CSP, directives[i]));
    assert_null(strstr(HTTP_PAGE_CSP, "unsafe"));
    assert_null(strstr(HTTP_PAGE_CSP, "script-src"));
    assert_null(strstr(HTTP_PAGE_CSP, "*"));
    assert_string_equal(HTTP_PAGE_X_CONTENT_TYPE_OPTIONS, "nosniff");
    assert_string_equal(HTTP_PAGE_X_FRAME_OPTIONS, "DENY");
    for (const char *c = HTTP_PAGE_CSP; *c; c++) /* a valid header value */
        assert_true(*c >= 0x20 && *c < 0x7f);
}

/* ---- broker management ------------------------------------------------------------------------
 */

static void test_broker_verbs_carry_the_expression_and_settings(void **state)
{
    (void)state;
    http_request r;
    const char *body = "{\"cpus\": 0.5, \"constraints\": \"rack=like:r2\"}";
    assert_int_equal(
        http_request_parse("POST", "/v1/brokers/3..4/add", NULL, body, strlen(body), false, &r), 0);
    assert_string_equal(r.core, "broker_add");
    assert_true(r.changing);
    assert_string_equal(json_string_value(json_object_get(r.args, "expr")), "3..4");
    assert_true(json_real_value(json_object_get(json_object_get(r.args, "settings"), "cpus")) ==
                0.5);
    http_request_clear(&r);

    assert_int_equal(parse("POST", "/v1/brokers/%2A%5Brack%3Dr1%5D/stop", "true", &r), 0);
    assert_string_equal(r.core, "broker_stop");
    assert_string_equal(json_string_value(json_object_get(r.args, "expr")), "*[rack=r1]");
    assert_true(json_is_true(json_object_get(r.args, "force")));
    assert_null(json_object_get(r.args, "settings")); /* stop takes no body */
    http_request_clear(&r);

    json_t *q = json_pack("{s:s}", "restart", "false");
    assert_int_equal(
        http_request_parse_query("POST", "/v1/brokers/0/update", q, body, strlen(body), false, &r),
        0);
    assert_true(json_is_false(json_object_get(r.args, "restart")));
    http_request_clear(&r);
    json_object_set_new(q, "restart", json_string("later"));
    assert_int_equal(
        http_request_parse_query("POST", "/v1/brokers/0/update", q, body, strlen(body), false, &r),
        -1);
    assert_int_equal(r.status, 400);
    http_request_clear(&r);
    json_decref(q);

    assert_int_equal(parse("GET", "/v1/brokers/0..2/stop", NULL, &r), -1);
    assert_int_equal(r.status, 405);
    http_request_clear(&r);
    assert_int_equal(parse("GET", "/v1/brokers/*/list", NULL, &r), 0);
    assert_string_equal(r.core, "broker_list");
    assert_false(r.changing);
    http_request_clear(&r);
    assert_int_equal(parse("GET", "/v1/brokers/3/config", NULL, &r), 0);
    assert_string_equal(r.admin, "broker_config");
    assert_int_equal(json_integer_value(json_object_get(r.args, "id")), 3);
    http_request_clear(&r);
    assert_int_equal(parse("GET", "/v1/brokers/x/config", NULL, &r), -1);
    assert_int_equal(r.status, 400);
    http_request_clear(&r);
}

static void test_the_earlier_frameworks_query_form(void **state)
{
    (void)state;
    http_request r;
    json_t *q = json_pack("{s:s, s:s, s:s, s:s}", "broker", "0..2", "cpus", "1", "failoverDelay",
                          "10s", "timeout", "5m");
    assert_int_equal(http_request_parse_query("GET", "/api/broker/update", q, NULL, 0, false, &r),
                     0);
    assert_string_equal(r.core, "broker_update");
    assert_true(r.changing);
    json_t *settings = json_object_get(r.args, "settings");
    assert_string_equal(json_string_value(json_object_get(settings, "cpus")), "1");
    assert_string_equal(json_string_value(json_object_get(settings, "failoverDelay")), "10s");
    assert_null(json_object_get(settings, "timeout"));
    http_request_clear(&r);
    json_decref(q);

    q = json_pack("{s:s, s:s}", "broker", "0", "cpus", "1");
    assert_int_equal(http_request_parse_query("POST", "/api/broker/stop", q, NULL, 0, false, &r),
                     -1);
    assert_int_equal(r.status, 400);
    assert_error_contains(&r, "cpus: not an argument of stop");
    http_request_clear(&r);
    json_decref(q);

    q = json_pack("{s:s}", "broker", "0\n1");
    assert_int_equal(http_request_parse_query("GET", "/api/broker/start", q, NULL, 0, false, &r),
                     -1);
    assert_int_equal(r.status, 400);
    assert_error_contains(&r, "control character");
    http_request_clear(&r);
    json_decref(q);

    assert_int_equal(http_request_parse_query("HEAD", "/api/broker/add", NULL, NULL, 0, false, &r),
                     -1);
    assert_int_equal(r.status, 405);
    http_request_clear(&r);
    assert_int_equal(http_request_parse_query("GET", "/api/broker/list", NULL, NULL, 0, false, &r),
                     0);
    assert_false(r.changing);
    http_request_clear(&r);
    assert_int_equal(http_request_parse_query("GET", "/api/broker/fly", NULL, NULL, 0, false, &r),
                     -1);
    assert_int_equal(r.status, 404);
    http_request_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_verbs_carry_the_expression_and_settings),
        cmocka_unit_test(test_the_earlier_frameworks_query_form),
        cmocka_unit_test(test_head_is_a_get_on_read_routes),
        cmocka_unit_test(test_head_is_refused_on_change_routes),
        cmocka_unit_test(test_allow_headers_agree_with_the_routes),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_control_characters_are_refused_before_the_route),
        cmocka_unit_test(test_parse_number),
        cmocka_unit_test(test_numbers_in_paths_are_digits_only),
        cmocka_unit_test(test_cross_site),
        cmocka_unit_test(test_page_csp_allows_exactly_its_style),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
