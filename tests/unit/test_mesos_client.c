/*
 * Unit tests for the Mesos client's pure decisions: src/mesos_url.c and src/mesos_policy.c.
 *
 *   - the scheduler URL of a master, and the resolution of 307 Locations (protocol-relative,
 *     absolute, path-only, without path; the scheme never changes; garbage refused);
 *   - the backoff sequence: 0.5 s doubling to the maximum, jitter within [50%, 100%] of the step,
 *     reset after success;
 *   - master rotation: unreachable masters hand over at once, a full round waits, 503 waits and
 *     moves on, a lost stream waits and stays;
 *   - what each HTTP status answering SUBSCRIBE means, and what ERROR messages mean;
 *   - the reading of header lines and answer bodies libcurl hands over, and error texts.
 * The I/O around them is covered by the integration tests against mesos-sim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mesos_http.h"
#include "mesos_policy.h"
#include "mesos_url.h"
#include "util.h"

/* ---- URLs ------------------------------------------------------------------------------------ */

static void test_url_for_master(void **state)
{
    static const struct {
        const char *host;
        int port;
        bool ssl;
        const char *expect;
    } cases[] = {
        {"m1.example", 5050, true, "https://m1.example:5050/api/v1/scheduler"},
        {"127.0.0.1", 5050, false, "http://127.0.0.1:5050/api/v1/scheduler"},
        {"::1", 5050, true, "https://[::1]:5050/api/v1/scheduler"},
        {"[fe80::1]", 80, false, "http://[fe80::1]:80/api/v1/scheduler"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        cleanup_free char *url = mesos_url_for_master(cases[i].host, cases[i].port, cases[i].ssl);
        assert_string_equal(url, cases[i].expect);
    }
}

static void test_resolve_location(void **state)
{
    static const struct {
        const char *base;
        const char *location;
        const char *expect; /* NULL: refused */
    } cases[] = {
        /* What Mesos sends: protocol-relative, with the /master prefix. */
        {"https://m1:5050/api/v1/scheduler", "//m2:5050/master/api/v1/scheduler",
         "https://m2:5050/master/api/v1/scheduler"},
        {"http://m1:5050/api/v1/scheduler", "//m2:5050/master/api/v1/scheduler",
         "http://m2:5050/master/api/v1/scheduler"},
        /* /redirect style: no path, so the scheduler path is added. */
        {"https://m1:5050/api/v1/scheduler", "//m2:5051", "https://m2:5051/api/v1/scheduler"},
        /* Absolute URLs: host and path taken, our scheme kept (no downgrade, no upgrade). */
        {"https://m1:5050/api/v1/scheduler", "http://m2:5050/api/v1/scheduler",
         "https://m2:5050/api/v1/scheduler"},
        {"http://m1:5050/api/v1/scheduler", "https://m2:5050/x", "http://m2:5050/x"},
        /* Path-only: same origin. */
        {"https://m1:5050/api/v1/scheduler", "/master/api/v1/scheduler",
         "https://m1:5050/master/api/v1/scheduler"},
        {"https://[::1]:5050/api/v1/scheduler", "//[::2]:5050/master/api/v1/scheduler",
         "https://[::2]:5050/master/api/v1/scheduler"},
        /* Refused. */
        {"https://m1:5050/api/v1/scheduler", "", NULL},
        {"https://m1:5050/api/v1/scheduler", NULL, NULL},
        {"https://m1:5050/api/v1/scheduler", "m2:5050", NULL},
        {"https://m1:5050/api/v1/scheduler", "ftp://m2/x", NULL},
        {"https://m1:5050/api/v1/scheduler", "///path", NULL},
        {"https://m1:5050/api/v1/scheduler", "//m2:5050/a b", NULL},
        {"https://m1:5050/api/v1/scheduler", "//m2:5050/\r\nX-Evil: 1", NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        mk_err err = {{0}};
        char *got = mesos_url_resolve_location(cases[i].base, cases[i].location, &err);
        if (cases[i].expect) {
            if (!got)
                fail_msg("case %zu (%s): refused: %s", i, cases[i].location, err.msg);
            assert_string_equal(got, cases[i].expect);
        } else {
            if (got)
                fail_msg("case %zu (%s): accepted as %s", i, cases[i].location, got);
            assert_true(err.msg[0] != '\0');
        }
        free(got);
    }
}

static void test_origin(void **state)
{
    cleanup_free char *a = mesos_url_origin("https://m1:5050/master/api/v1/scheduler");
    assert_string_equal(a, "https://m1:5050");
    cleanup_free char *b = mesos_url_origin("http://m1:5050");
    assert_string_equal(b, "http://m1:5050");
    cleanup_free char *c = mesos_url_origin("no-scheme");
    assert_string_equal(c, "no-scheme");
}

/* ---- backoff --------------------------------------------------------------------------------- */

static void test_backoff_doubles_to_the_maximum(void **state)
{
    mesos_backoff b;
    mesos_backoff_init(&b, MESOS_BACKOFF_INITIAL_S, 15.0);
    /* unit_random 1.0 gives the full step. */
    static const double full[] = {0.5, 1, 2, 4, 8, 15, 15, 15};
    for (size_t i = 0; i < MK_ARRAY_LEN(full); i++)
        assert_float_equal(mesos_backoff_next(&b, 1.0), full[i], 1e-9);
    mesos_backoff_reset(&b);
    assert_float_equal(mesos_backoff_next(&b, 1.0), 0.5, 1e-9);
    /* unit_random 0 gives half the step. */
    assert_float_equal(mesos_backoff_next(&b, 0.0), 0.5, 1e-9);
    assert_float_equal(mesos_backoff_next(&b, 0.0), 1.0, 1e-9);
}

static void test_backoff_jitter_stays_within_half_and_full(void **state)
{
    mesos_backoff b;
    mesos_backoff_init(&b, 0.5, 8.0);
    double step = 0.5;
    srand(7);
    for (int i = 0; i < 200; i++) {
        double r = (double)rand() / RAND_MAX;
        double d = mesos_backoff_next(&b, r);
        assert_true(d >= 0.5 * step - 1e-12 && d <= step + 1e-12);
        step = fmin(step * 2, 8.0);
    }
    /* Out-of-range randomness is clamped rather than trusted. */
    mesos_backoff_reset(&b);
    assert_float_equal(mesos_backoff_next(&b, 7.0), 0.5, 1e-9);
    assert_float_equal(mesos_backoff_next(&b, -1.0), 0.5, 1e-9);
    assert_float_equal(mesos_backoff_next(&b, NAN), 1.0, 1e-9);
}

static void test_backoff_small_maximum(void **state)
{
    mesos_backoff b;
    mesos_backoff_init(&b, 0.5, 0.2); /* MESOS_RECONNECT_MAX_DELAY below the first step */
    assert_float_equal(mesos_backoff_next(&b, 1.0), 0.2, 1e-9);
    assert_float_equal(mesos_backoff_next(&b, 1.0), 0.2, 1e-9);
}

/* ---- rotation -------------------------------------------------------------------------------- */

static void test_rotation_unreachable_masters(void **state)
{
    mesos_backoff b;
    mesos_backoff_init(&b, 0.5, 10.0);
    mesos_rotation r;
    mesos_rotation_init(&r, 3);
    /* Masters 0 and 1 unreachable: the next is tried at once. */
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 0.0, 0);
    assert_int_equal(r.current, 1);
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 0.0, 0);
    assert_int_equal(r.current, 2);
    /* The third completes the round: wait, then start again from the first. */
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 0.5, 1e-9);
    assert_int_equal(r.current, 0);
    /* The next round's wait is longer. */
    mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0);
    mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0);
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 1.0, 1e-9);
}

static void test_rotation_single_master_always_waits(void **state)
{
    mesos_backoff b;
    mesos_backoff_init(&b, 0.5, 10.0);
    mesos_rotation r;
    mesos_rotation_init(&r, 1);
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 0.5, 1e-9);
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 1.0, 1e-9);
    assert_int_equal(r.current, 0);
}

static void test_rotation_unavailable_and_stream_loss(void **state)
{
    mesos_backoff b;
    mesos_backoff_init(&b, 0.5, 10.0);
    mesos_rotation r;
    mesos_rotation_init(&r, 2);
    /* 503: wait, then the other master. */
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNAVAILABLE, &b, 1.0), 0.5, 1e-9);
    assert_int_equal(r.current, 1);
    /* Subscribed to master 1, then the stream ends: wait (reset backoff), same master. */
    mesos_backoff_reset(&b);
    mesos_rotation_succeeded(&r);
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_STREAM_ENDED, &b, 1.0), 0.5, 1e-9);
    assert_int_equal(r.current, 1);
    /* An unreachable master after a wait starts a new round: the other one at once. */
    assert_float_equal(mesos_rotation_next(&r, MESOS_ATTEMPT_UNREACHABLE, &b, 1.0), 0.0, 0);
    assert_int_equal(r.current, 0);
}

/* ---- answers and errors ---------------------------------------------------------------------- */

static void test_subscribe_answers(void **state)
{
    static const struct {
        long status;
        mesos_answer expect;
    } cases[] = {
        {200, MESOS_ANSWER_STREAM},          {307, MESOS_ANSWER_REDIRECT},
        {302, MESOS_ANSWER_REDIRECT},        {401, MESOS_ANSWER_FATAL_AUTH},
        {403, MESOS_ANSWER_FATAL_FORBIDDEN}, {400, MESOS_ANSWER_FATAL_INVALID},
        {415, MESOS_ANSWER_FATAL_INVALID},   {406, MESOS_ANSWER_FATAL_INVALID},
        {503, MESOS_ANSWER_RETRY_LATER},     {500, MESOS_ANSWER_RETRY_LATER},
        {404, MESOS_ANSWER_NEXT_MASTER},     {405, MESOS_ANSWER_NEXT_MASTER},
        {202, MESOS_ANSWER_NEXT_MASTER},     {0, MESOS_ANSWER_NEXT_MASTER},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++)
        if (mesos_subscribe_answer(cases[i].status) != cases[i].expect)
            fail_msg("status %ld: got %d, expected %d", cases[i].status,
                     mesos_subscribe_answer(cases[i].status), cases[i].expect);
}

static void test_error_classification(void **state)
{
    static const char *fid = "5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000";
    static const struct {
        const char *message;
        mesos_error_kind expect;
    } cases[] = {
        {"Framework failed over", MESOS_ERROR_FAILED_OVER},
        {"framework FAILED OVER", MESOS_ERROR_FAILED_OVER},
        {"Framework has been removed", MESOS_ERROR_FRAMEWORK_REMOVED},
        {"Framework cannot be found", MESOS_ERROR_FRAMEWORK_REMOVED},
        {"Unknown framework id", MESOS_ERROR_FRAMEWORK_REMOVED},
        {"Framework 5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000 is completed",
         MESOS_ERROR_FRAMEWORK_REMOVED},
        {"Role 'a b' is not a valid role", MESOS_ERROR_OTHER},
        {"Changing framework's principal is not allowed.", MESOS_ERROR_OTHER},
        {"Framework is not authorized", MESOS_ERROR_OTHER},
        {"", MESOS_ERROR_OTHER},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++)
        if (mesos_error_classify(cases[i].message, fid) != cases[i].expect)
            fail_msg("'%s': got %d, expected %d", cases[i].message,
                     mesos_error_classify(cases[i].message, fid), cases[i].expect);
    assert_int_equal(mesos_error_classify(NULL, fid), MESOS_ERROR_OTHER);
    assert_int_equal(mesos_error_classify("some error", NULL), MESOS_ERROR_OTHER);
}

/* ---- HTTP plumbing --------------------------------------------------------------------------- */

static void test_status_lines(void **state)
{
    static const struct {
        const char *line;
        long expect;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\n", 200},
        {"HTTP/1.1 307 Temporary Redirect\r\n", 307},
        {"HTTP/1.0 503 Service Unavailable\r\n", 503},
        {"HTTP/1.1 100 Continue\r\n", 100},
        {"HTTP/2 401 \r\n", 401},
        {"Mesos-Stream-Id: x\r\n", -1},
        {"HTTP/1.1 2x0 OK\r\n", -1},
        {"HTTP/1.1\r\n", -1},
        {"\r\n", -1},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++)
        if (mesos_http_status_line(cases[i].line, strlen(cases[i].line)) != cases[i].expect)
            fail_msg("'%s': got %ld", cases[i].line,
                     mesos_http_status_line(cases[i].line, strlen(cases[i].line)));
}

static void test_header_values(void **state)
{
    static const struct {
        const char *line;
        const char *name;
        const char *expect; /* NULL: not that header */
    } cases[] = {
        {"Mesos-Stream-Id: 4a5c4b8e-8c1f\r\n", "Mesos-Stream-Id", "4a5c4b8e-8c1f"},
        {"mesos-stream-id:\t abc \r\n", "Mesos-Stream-Id", "abc"},
        {"Location: //m2:5050/master/api/v1/scheduler\r\n", "Location",
         "//m2:5050/master/api/v1/scheduler"},
        {"Location:\r\n", "Location", ""},
        {"Locations: x\r\n", "Location", NULL},
        {"X-Location: x\r\n", "Location", NULL},
        {"Location\r\n", "Location", NULL},
        {"Content-Type: application/json\r\n", "Location", NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        char *v = mesos_http_header_value(cases[i].line, strlen(cases[i].line), cases[i].name);
        if (cases[i].expect) {
            if (!v)
                fail_msg("'%s': not read as %s", cases[i].line, cases[i].name);
            assert_string_equal(v, cases[i].expect);
        } else if (v) {
            fail_msg("'%s': read as %s = '%s'", cases[i].line, cases[i].name, v);
        }
        free(v);
    }
}

static void test_body_is_capped_and_trimmed(void **state)
{
    mesos_http_body b = {0};
    assert_string_equal(mesos_http_body_text(&b), "");
    mesos_http_body_append(&b, "No leader elected\r\n", 19);
    assert_string_equal(mesos_http_body_text(&b), "No leader elected");
    mesos_http_body_reset(&b);
    char chunk[1000];
    memset(chunk, 'x', sizeof(chunk));
    for (int i = 0; i < 10; i++)
        mesos_http_body_append(&b, chunk, sizeof(chunk));
    assert_int_equal(strlen(mesos_http_body_text(&b)), MESOS_HTTP_MAX_BODY);
    mesos_http_body_reset(&b);
    assert_null(b.data);
}

static void test_error_texts(void **state)
{
    cleanup_free char *a = mesos_http_error_text(
        CURLE_SSL_CONNECT_ERROR, "error:0A00010B:SSL routines::wrong version number", true);
    assert_non_null(strstr(a, "MESOS_SSL=false"));
    cleanup_free char *b = mesos_http_error_text(CURLE_GOT_NOTHING, "", false);
    assert_non_null(strstr(b, "MESOS_SSL=true"));
    cleanup_free char *c = mesos_http_error_text(CURLE_COULDNT_CONNECT, "Failed to connect", true);
    assert_string_equal(c, "Failed to connect");
    assert_true(mesos_http_is_certificate_error(CURLE_PEER_FAILED_VERIFICATION));
    assert_true(mesos_http_is_certificate_error(CURLE_SSL_CACERT_BADFILE));
    assert_false(mesos_http_is_certificate_error(CURLE_COULDNT_CONNECT));
    assert_false(mesos_http_is_certificate_error(CURLE_SSL_CONNECT_ERROR));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_for_master),
        cmocka_unit_test(test_resolve_location),
        cmocka_unit_test(test_origin),
        cmocka_unit_test(test_backoff_doubles_to_the_maximum),
        cmocka_unit_test(test_backoff_jitter_stays_within_half_and_full),
        cmocka_unit_test(test_backoff_small_maximum),
        cmocka_unit_test(test_rotation_unreachable_masters),
        cmocka_unit_test(test_rotation_single_master_always_waits),
        cmocka_unit_test(test_rotation_unavailable_and_stream_loss),
        cmocka_unit_test(test_subscribe_answers),
        cmocka_unit_test(test_error_classification),
        cmocka_unit_test(test_status_lines),
        cmocka_unit_test(test_header_values),
        cmocka_unit_test(test_body_is_capped_and_trimmed),
        cmocka_unit_test(test_error_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
