/*
 * util: base64 against the RFC 4648 test vectors and the master's leniencies (missing padding,
 * whitespace) and strictness (URL-safe alphabet, data after padding), the decode buffer bound the
 * header promises, random v4 UUIDs, constant-time comparison, and the error convention.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- base64 -----------------------------------------------------------------------------------
 */

static const struct {
    const char *plain;
    const char *encoded;
} rfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

/* Decodes into a heap buffer of exactly the size util.h asks for, so ASan catches any overrun. */
static long decode(const char *in, unsigned char **out)
{
    size_t len = strlen(in);
    *out = mk_xmalloc(3 * len / 4 + 3);
    return mk_base64_decode(in, len, *out);
}

static void test_base64_rfc4648_vectors(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(rfc4648); i++) {
        char *enc = mk_base64_encode(rfc4648[i].plain, strlen(rfc4648[i].plain));
        assert_string_equal(enc, rfc4648[i].encoded);
        free(enc);
        unsigned char *dec;
        long n = decode(rfc4648[i].encoded, &dec);
        assert_int_equal(n, strlen(rfc4648[i].plain));
        assert_memory_equal(dec, rfc4648[i].plain, (size_t)n);
        free(dec);
    }
}

static void test_base64_decode_table(void **state)
{
    static const struct {
        const char *in;
        long len; /* -1: rejected */
        const char *out;
    } cases[] = {
        {"Zg", 1, "f"}, /* padding is optional, as for the master */
        {"Zm8", 2, "fo"},
        {"Zg=", 1, "f"},
        {"Zm9v\nYmFy", 6, "foobar"}, /* whitespace is ignored */
        {" Zm 9v\tYm\r\nFy ", 6, "foobar"},
        {"fB16sW1VSg6b1mz24qOo+Q==", 16,
         "\x7c\x1d\x7a\xb1\x6d\x55\x4a\x0e\x9b\xd6\x6c\xf6\xe2\xa3\xa8\xf9"},
        {"+/+/", 3, "\xfb\xff\xbf"},
        {"-_-_", -1, NULL}, /* URL-safe alphabet: the master rejects it too */
        {"Zm9v!", -1, NULL},
        {"Zg==Zg==", -1, NULL}, /* data after padding */
        {"Zg===", -1, NULL},    /* too much padding */
        {"Z", -1, NULL},        /* six bits cannot make a byte */
        {"Zm9vY", -1, NULL},
        {"Zm9v\x80", -1, NULL},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        unsigned char *dec;
        long n = decode(cases[i].in, &dec);
        if (n != cases[i].len)
            fail_msg("case %zu ('%s'): got %ld, want %ld", i, cases[i].in, n, cases[i].len);
        if (n > 0)
            assert_memory_equal(dec, cases[i].out, (size_t)n);
        free(dec);
    }
}

static void test_base64_round_trips_every_length(void **state)
{
    unsigned char data[300];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + 3); /* every byte value appears */
    for (size_t len = 0; len <= sizeof(data); len++) {
        char *enc = mk_base64_encode(data, len);
        assert_int_equal(strlen(enc), 4 * ((len + 2) / 3));
        unsigned char *dec;
        long n = decode(enc, &dec);
        assert_int_equal(n, len);
        assert_memory_equal(dec, data, len);
        free(dec);
        free(enc);
    }
}

/* ---- randomness and UUIDs ---------------------------------------------------------------------
 */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_uuid4_format_and_uniqueness(void **state)
{
    enum { N = 2000 };
    char *uuids[N];
    for (size_t i = 0; i < N; i++) {
        char u[37];
        memset(u, 'x', sizeof(u));
        mk_uuid4(u);
        assert_int_equal(strlen(u), 36);
        for (size_t k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                assert_int_equal(u[k], '-');
            else
                assert_non_null(strchr("0123456789abcdef", u[k]));
        }
        assert_int_equal(u[14], '4');           /* version 4 */
        assert_non_null(strchr("89ab", u[19])); /* RFC 4122 variant */
        uuids[i] = mk_xstrdup(u);
    }
    qsort(uuids, N, sizeof(uuids[0]), compare_strings);
    for (size_t i = 1; i < N; i++)
        assert_string_not_equal(uuids[i - 1], uuids[i]);
    for (size_t i = 0; i < N; i++)
        free(uuids[i]);
}

static void test_random_bytes(void **state)
{
    unsigned char a[64] = {0}, b[64] = {0};
    assert_int_equal(mk_random_bytes(a, sizeof(a)), 0);
    assert_int_equal(mk_random_bytes(b, sizeof(b)), 0);
    assert_memory_not_equal(a, b, sizeof(a)); /* 2^-512 to fail by chance */
    assert_int_equal(mk_random_bytes(a, 0), 0);
}

/* ---- constant-time comparison -----------------------------------------------------------------
 */

static void test_consttime_equal(void **state)
{
    static const struct {
        const char *a, *b;
        int equal;
    } cases[] = {
        {"", "", 1},
        {"secret", "secret", 1},
        {"secret", "secreT", 0},
        {"secret", "Secret", 0},
        {"secret", "secret2", 0}, /* a prefix is not equal */
        {"secret2", "secret", 0},
        {"", "x", 0},
        {"x", "", 0},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        int got =
            mk_consttime_equal(cases[i].a, strlen(cases[i].a), cases[i].b, strlen(cases[i].b));
        if (got != cases[i].equal)
            fail_msg("case %zu ('%s' vs '%s'): got %d", i, cases[i].a, cases[i].b, got);
    }
    /* Bytes after a NUL count: lengths are explicit. */
    assert_false(mk_consttime_equal("a\0b", 3, "a\0c", 3));
    assert_true(mk_consttime_equal("a\0b", 3, "a\0b", 3));
    assert_true(mk_consttime_equal(NULL, 0, NULL, 0));
}

/* ---- errors -----------------------------------------------------------------------------------
 */

static void test_error_convention(void **state)
{
    mk_err err = {{0}};
    assert_int_equal(mk_err_set(&err, "bad %s %d", "thing", 3), -1);
    assert_string_equal(err.msg, "bad thing 3");
    assert_int_equal(mk_err_prefix(&err, "loading %s", "x.json"), -1);
    assert_string_equal(err.msg, "loading x.json: bad thing 3");
    assert_int_equal(mk_err_set(NULL, "ignored"), -1);
    assert_int_equal(mk_err_prefix(NULL, "ignored"), -1);
    /* A long message is cut, never overflowed. */
    char big[2000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    mk_err_set(&err, "%s", big);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
    mk_err_prefix(&err, "ctx");
    assert_true(strncmp(err.msg, "ctx: ", 5) == 0);
    assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648_vectors),
        cmocka_unit_test(test_base64_decode_table),
        cmocka_unit_test(test_base64_round_trips_every_length),
        cmocka_unit_test(test_uuid4_format_and_uniqueness),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_consttime_equal),
        cmocka_unit_test(test_error_convention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
