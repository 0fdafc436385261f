/*
 * RecordIO: a stream of records gives the same records whatever the read boundaries (every split
 * point, byte by byte); malformed lengths fail the stream with a message and stay failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "recordio.h"

typedef struct {
    char *records[16];
    size_t lens[16];
    size_t n;
    size_t stop_after; /* 0 = never */
} collected;

static int collect(void *ud, const char *data, size_t len)
{
    collected *c = ud;
    assert_true(c->n < 16);
    assert_int_equal(data[len], '\0');
    c->records[c->n] = mk_xstrndup(data, len);
    c->lens[c->n] = len;
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static void collected_free(collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->records[i]);
    memset(c, 0, sizeof(*c));
}

static const char *const records[] = {
    "{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"f-0000\"}}}",
    "{\"type\":\"HEARTBEAT\"}",
    "x",
    "{\"type\":\"ERROR\",\"error\":{\"message\":\"caf\xc3\xa9\"}}", /* multi-byte UTF-8 */
};

static char *framed_stream(size_t *len)
{
    char *stream = NULL;
    *len = 0;
    for (size_t i = 0; i < MK_ARRAY_LEN(records); i++) {
        size_t n;
        char *one = recordio_encode(records[i], strlen(records[i]), &n);
        stream = mk_xrealloc(stream, *len + n);
        memcpy(stream + *len, one, n);
        *len += n;
        free(one);
    }
    return stream;
}

static void assert_all_records(const collected *c)
{
    assert_int_equal(c->n, MK_ARRAY_LEN(records));
    for (size_t i = 0; i < c->n; i++) {
        assert_int_equal(c->lens[i], strlen(records[i]));
        assert_memory_equal(c->records[i], records[i], c->lens[i]);
    }
}

static void test_one_feed_many_records(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    mk_err err;
    assert_int_equal(recordio_feed(r, stream, len, &err), 0);
    assert_all_records(&c);
    assert_int_equal(recordio_pending(r), 0);
    collected_free(&c);
    recordio_reader_free(r);
    free(stream);
}

static void test_every_split_point(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    for (size_t split = 0; split <= len; split++) {
        collected c = {0};
        recordio_reader *r = recordio_reader_new(1024, collect, &c);
        mk_err err;
        assert_int_equal(recordio_feed(r, stream, split, &err), 0);
        assert_int_equal(recordio_feed(r, stream + split, len - split, &err), 0);
        assert_all_records(&c);
        collected_free(&c);
        recordio_reader_free(r);
    }
    free(stream);
}

static void test_every_pair_of_split_points(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            collected c = {0};
            recordio_reader *r = recordio_reader_new(1024, collect, &c);
            mk_err err;
            assert_int_equal(recordio_feed(r, stream, a, &err), 0);
            assert_int_equal(recordio_feed(r, stream + a, b - a, &err), 0);
            assert_int_equal(recordio_feed(r, stream + b, len - b, &err), 0);
            assert_all_records(&c);
            collected_free(&c);
            recordio_reader_free(r);
        }
    }
    free(stream);
}

static void test_byte_by_byte(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    mk_err err;
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(recordio_feed(r, stream + i, 1, &err), 0);
        if (i + 1 < len && c.n < MK_ARRAY_LEN(records))
            assert_true(recordio_pending(r) > 0 || c.n > 0);
    }
    assert_all_records(&c);
    assert_int_equal(recordio_pending(r), 0);
    collected_free(&c);
    recordio_reader_free(r);
    free(stream);
}

static void test_cut_stream_is_pending(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    mk_err err;
    assert_int_equal(recordio_feed(r, "20\n{\"type\":", 11, &err), 0);
    assert_int_equal(c.n, 0);
    assert_true(recordio_pending(r) > 0);
    recordio_reader_reset(r);
    assert_int_equal(recordio_pending(r), 0);
    assert_int_equal(recordio_feed(r, "1\nz", 3, &err), 0);
    assert_int_equal(c.n, 1);
    collected_free(&c);
    recordio_reader_free(r);
}

static void test_callback_can_stop(void **state)
{
    collected c = {.stop_after = 1};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    mk_err err;
    assert_int_equal(recordio_feed(r, "1\na1\nb", 6, &err), 1);
    assert_int_equal(c.n, 1);
    collected_free(&c);
    recordio_reader_free(r);
}

static void test_malformed_lengths(void **state)
{
    static const struct {
        const char *input;
        const char *message_part;
    } cases[] = {
        {"\n{}", "empty record length"},
        {"0\n", "never empty"},
        {"x\n", "unexpected byte 0x78"},
        {"+5\nhello", "unexpected byte 0x2b"},
        {"-5\nhello", "unexpected byte 0x2d"},
        {" 5\nhello", "unexpected byte 0x20"},
        {"5 \nhello", "unexpected byte 0x20"},
        {"5\r\nhello", "unexpected byte 0x0d"},
        {"123456789012345678901\n", "longer than 20 digits"},
        {"99999999999999999999\n", "overflows"},
        {"2000\n", "exceeds the limit of 1024"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        collected c = {0};
        recordio_reader *r = recordio_reader_new(1024, collect, &c);
        mk_err err = {{0}};
        assert_int_equal(recordio_feed(r, cases[i].input, strlen(cases[i].input), &err), -1);
        if (!strstr(err.msg, cases[i].message_part))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].message_part);
        /* Failed for good: a later, valid feed fails too. */
        assert_int_equal(recordio_feed(r, "1\na", 3, &err), -1);
        assert_int_equal(c.n, 0);
        collected_free(&c);
        recordio_reader_free(r);
    }
}

static void test_large_record_in_small_pieces(void **state)
{
    const size_t size = 1 << 20;
    char *body = mk_xmalloc(size);
    for (size_t i = 0; i < size; i++)
        body[i] = (char)('a' + i % 26);
    size_t len;
    char *framed = recordio_encode(body, size, &len);
    collected c = {0};
    recordio_reader *r = recordio_reader_new(size, collect, &c);
    mk_err err;
    for (size_t off = 0; off < len; off += 4096) {
        size_t n = len - off < 4096 ? len - off : 4096;
        assert_int_equal(recordio_feed(r, framed + off, n, &err), 0);
    }
    assert_int_equal(c.n, 1);
    assert_int_equal(c.lens[0], size);
    assert_memory_equal(c.records[0], body, size);
    collected_free(&c);
    recordio_reader_free(r);
    free(framed);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_feed_many_records),
        cmocka_unit_test(test_every_split_point),
        cmocka_unit_test(test_every_pair_of_split_points),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_cut_stream_is_pending),
        cmocka_unit_test(test_callback_can_stop),
        cmocka_unit_test(test_malformed_lengths),
        cmocka_unit_test(test_large_record_in_small_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
