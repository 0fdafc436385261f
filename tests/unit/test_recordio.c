/*
 * RecordIO reader: the same records come out whatever the read boundaries (every split point,
 * every pair of split points, byte by byte), whole records are handed out in place, a large record
 * in small pieces is copied once, and every malformed length fails the stream with a message
 * naming the problem, however the bad line is split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "recordio.h"

/* ---- a callback that keeps what it is given -------------------------------------------------- */

#define MAX_COLLECTED 16

typedef struct {
    char *records[MAX_COLLECTED];
    size_t lens[MAX_COLLECTED];
    int in_place[MAX_COLLECTED]; /* pointed into the buffer of the current feed */
    size_t n;
    size_t stop_after; /* 0 = never ask to stop */
    const char *feed_start, *feed_end;
    recordio_reader *reset_me; /* reset the reader from inside the callback */
} collected;

static int collect(void *ud, const char *data, size_t len)
{
    collected *c = ud;
    assert_true(c->n < MAX_COLLECTED);
    c->records[c->n] = mk_xmalloc(len ? len : 1);
    memcpy(c->records[c->n], data, len);
    c->lens[c->n] = len;
    c->in_place[c->n] = data >= c->feed_start && data + len <= c->feed_end;
    c->n++;
    if (c->reset_me)
        recordio_reader_reset(c->reset_me);
    return c->stop_after && c->n >= c->stop_after;
}

static void collected_free(collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->records[i]);
    memset(c, 0, sizeof(*c));
}

/* Feeds through the collector, telling it where the caller's buffer lies. */
static int feed(recordio_reader *r, collected *c, const char *data, size_t len, mk_err *err)
{
    c->feed_start = data;
    c->feed_end = data + len;
    return recordio_feed(r, data, len, err);
}

/* ---- the stream every split test uses -------------------------------------------------------- */

typedef struct {
    const char *data;
    size_t len;
} record;

static char long_record[1234]; /* a four-digit length line */

static record stream_records[] = {
    {"{\"type\":\"SUBSCRIBED\",\"subscribed\":{\"framework_id\":{\"value\":\"f-0000\"}}}", 0},
    {"{\"type\":\"HEARTBEAT\"}", 0},
    {"x", 1},         /* one byte, one-digit length */
    {"a\nb\0c\n", 6}, /* newlines and a NUL inside a body */
    {"12\n", 3},      /* a body that looks like a length line */
    {long_record, sizeof(long_record)},
    {"{\"type\":\"ERROR\",\"error\":{\"message\":\"caf\xc3\xa9\"}}", 0}, /* UTF-8 */
};

static void prepare_records(void)
{
    for (size_t i = 0; i < sizeof(long_record); i++)
        long_record[i] = (char)('a' + i % 26);
    for (size_t i = 0; i < MK_ARRAY_LEN(stream_records); i++)
        if (stream_records[i].len == 0)
            stream_records[i].len = strlen(stream_records[i].data);
}

static char *framed_stream(size_t *len)
{
    prepare_records();
    char *stream = NULL;
    *len = 0;
    for (size_t i = 0; i < MK_ARRAY_LEN(stream_records); i++) {
        size_t n;
        char *one = recordio_encode(stream_records[i].data, stream_records[i].len, &n);
        stream = mk_xrealloc(stream, *len + n);
        memcpy(stream + *len, one, n);
        *len += n;
        free(one);
    }
    return stream;
}

static void assert_all_records(const collected *c)
{
    assert_int_equal(c->n, MK_ARRAY_LEN(stream_records));
    for (size_t i = 0; i < c->n; i++) {
        assert_int_equal(c->lens[i], stream_records[i].len);
        assert_memory_equal(c->records[i], stream_records[i].data, c->lens[i]);
    }
}

/* Feeds `stream` cut at the given (sorted) offsets; every feed must consume everything. */
static void feed_cut_at(const char *stream, size_t len, const size_t *cuts, size_t n_cuts)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(4096, collect, &c);
    mk_err err = {{0}};
    size_t from = 0;
    for (size_t k = 0; k <= n_cuts; k++) {
        size_t to = k < n_cuts ? cuts[k] : len;
        if (feed(r, &c, stream + from, to - from, &err) != 0)
            fail_msg("feed [%zu, %zu) failed: %s", from, to, err.msg);
        from = to;
    }
    assert_all_records(&c);
    assert_int_equal(recordio_pending(r), 0);
    collected_free(&c);
    recordio_reader_free(r);
}

/* ---- splitting ------------------------------------------------------------------------------- */

static void test_one_feed_delivers_every_record_in_place(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    collected c = {0};
    recordio_reader *r = recordio_reader_new(4096, collect, &c);
    mk_err err = {{0}};
    assert_int_equal(feed(r, &c, stream, len, &err), 0);
    assert_all_records(&c);
    for (size_t i = 0; i < c.n; i++)
        assert_true(c.in_place[i]);
    assert_int_equal(recordio_pending(r), 0);
    collected_free(&c);
    recordio_reader_free(r);
    free(stream);
}

static void test_every_split_point(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    for (size_t cut = 0; cut <= len; cut++)
        feed_cut_at(stream, len, &cut, 1);
    free(stream);
}

static void test_every_pair_of_split_points(void **state)
{
    /* Pairs over the short records only (the long one would make this quadratic in 1,234). */
    size_t len;
    char *stream = framed_stream(&len);
    size_t short_len = 0;
    for (size_t i = 0; i < 5; i++) {
        char head[24];
        short_len += (size_t)snprintf(head, sizeof(head), "%zu\n", stream_records[i].len) +
                     stream_records[i].len;
    }
    for (size_t a = 0; a <= short_len; a++)
        for (size_t b = a; b <= short_len; b++) {
            size_t cuts[] = {a, b};
            feed_cut_at(stream, len, cuts, 2);
        }
    free(stream);
}

static void test_byte_by_byte(void **state)
{
    size_t len;
    char *stream = framed_stream(&len);
    collected c = {0};
    recordio_reader *r = recordio_reader_new(4096, collect, &c);
    mk_err err = {{0}};
    size_t before = 0;
    for (size_t i = 0; i < len; i++) {
        assert_int_equal(feed(r, &c, stream + i, 1, &err), 0);
        /* Bytes of an unfinished record are pending; a finished record leaves nothing behind. */
        if (c.n > before)
            assert_int_equal(recordio_pending(r), 0);
        else
            assert_true(recordio_pending(r) > 0);
        before = c.n;
    }
    assert_all_records(&c);
    collected_free(&c);
    recordio_reader_free(r);
    free(stream);
}

static void test_empty_feed_changes_nothing(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(64, collect, &c);
    mk_err err = {{0}};
    assert_int_equal(feed(r, &c, "", 0, &err), 0);
    assert_int_equal(feed(r, &c, "3\nab", 4, &err), 0);
    assert_int_equal(feed(r, &c, "", 0, &err), 0);
    assert_int_equal(recordio_pending(r), 4);
    assert_int_equal(feed(r, &c, "c", 1, &err), 0);
    assert_int_equal(c.n, 1);
    assert_memory_equal(c.records[0], "abc", 3);
    assert_false(c.in_place[0]); /* it spanned feeds, so it was copied */
    collected_free(&c);
    recordio_reader_free(r);
}

static void test_pending_counts_the_unfinished_frame(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    mk_err err = {{0}};
    assert_int_equal(recordio_pending(r), 0);
    assert_int_equal(feed(r, &c, "1", 1, &err), 0);
    assert_int_equal(recordio_pending(r), 1);
    assert_int_equal(feed(r, &c, "0\n", 2, &err), 0);
    assert_int_equal(recordio_pending(r), 3);
    assert_int_equal(feed(r, &c, "0123", 4, &err), 0);
    assert_int_equal(recordio_pending(r), 7);
    assert_int_equal(feed(r, &c, "456789", 6, &err), 0);
    assert_int_equal(recordio_pending(r), 0);
    assert_int_equal(c.n, 1);
    collected_free(&c);
    recordio_reader_free(r);
}

static void test_leading_zeros_and_exact_limit(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(5, collect, &c);
    mk_err err = {{0}};
    assert_int_equal(feed(r, &c, "005\nhello5\nworld", 16, &err), 0);
    assert_int_equal(c.n, 2);
    assert_memory_equal(c.records[1], "world", 5);
    collected_free(&c);
    recordio_reader_free(r);
}

/* ---- the callback ---------------------------------------------------------------------------- */

static void test_callback_can_stop(void **state)
{
    /* Once in place, once from a copied body: both stop, and the rest of the feed is dropped. */
    static const struct {
        const char *first, *second;
    } cases[] = {
        {"1\na1\nb", NULL},
        {"3\nab", "c1\nb"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        collected c = {.stop_after = 1};
        recordio_reader *r = recordio_reader_new(1024, collect, &c);
        mk_err err = {{0}};
        const char *last = cases[i].second ? cases[i].second : cases[i].first;
        if (cases[i].second)
            assert_int_equal(feed(r, &c, cases[i].first, strlen(cases[i].first), &err), 0);
        assert_int_equal(feed(r, &c, last, strlen(last), &err), 1);
        assert_int_equal(c.n, 1);
        assert_int_equal(recordio_pending(r), 0);
        /* The reader is between records: a new stream can follow. */
        c.stop_after = 0;
        assert_int_equal(feed(r, &c, "2\nok", 4, &err), 0);
        assert_int_equal(c.n, 2);
        assert_memory_equal(c.records[1], "ok", 2);
        collected_free(&c);
        recordio_reader_free(r);
    }
}

static void test_callback_may_reset_the_reader(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    c.reset_me = r;
    mk_err err = {{0}};
    assert_int_equal(feed(r, &c, "2\nab", 4, &err), 0);
    assert_int_equal(feed(r, &c, "3\nxy", 4, &err), 0);
    assert_int_equal(feed(r, &c, "z1\nq", 4, &err), 0);
    assert_int_equal(c.n, 3);
    assert_memory_equal(c.records[1], "xyz", 3);
    collected_free(&c);
    recordio_reader_free(r);
}

/* ---- malformed lengths ----------------------------------------------------------------------- */

static const struct {
    const char *input;
    size_t max_record;
    const char *message_part;
} malformed[] = {
    {"\n{}", 1024, "empty record length"},
    {"0\n", 1024, "record length is 0"},
    {"000\n", 1024, "record length is 0"},
    {"x\n", 1024, "starts with 'x', not a digit"},
    {"{\"type\":\"HEARTBEAT\"}", 1024, "starts with '{', not a digit"},
    {"+5\nhello", 1024, "has a sign ('+')"},
    {"-5\nhello", 1024, "has a sign ('-')"},
    {" 5\nhello", 1024, "starts with whitespace (' ')"},
    {"\t5\nhello", 1024, "starts with whitespace (0x09)"},
    {"5 \nhello", 1024, "byte ' ' after the digits '5'"},
    {"12\r\nhello", 1024, "byte 0x0d after the digits '12'"},
    {"1a\n", 1024, "byte 'a' after the digits '1'"},
    {"0000000000000000000001\n", SIZE_MAX, "more than 20 digits"},
    {"18446744073709551616\n", SIZE_MAX, "overflows"}, /* UINT64_MAX + 1 */
    {"99999999999999999999\n", SIZE_MAX, "overflows"},
    {"1025\n", 1024, "record length 1025 exceeds the limit of 1024 bytes"},
    {"2000000", 1024, "record length of at least 20000 exceeds the limit of 1024 bytes"},
};

/* Feeds a bad input in pieces of `piece` bytes; the failure must come with the same message. */
static void check_malformed(size_t i, size_t piece)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(malformed[i].max_record, collect, &c);
    mk_err err = {{0}};
    const char *in = malformed[i].input;
    size_t len = strlen(in);
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        rc = feed(r, &c, in + off, n, &err);
    }
    if (rc != -1)
        fail_msg("case %zu (%s) in %zu-byte pieces: rc %d", i, in, piece, rc);
    if (!strstr(err.msg, malformed[i].message_part) || !strstr(err.msg, "malformed RecordIO"))
        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, malformed[i].message_part);
    assert_int_equal(c.n, 0);
    /* Failed for good: a later, valid feed fails with the same reason. */
    mk_err again = {{0}};
    assert_int_equal(feed(r, &c, "1\na", 3, &again), -1);
    assert_string_equal(again.msg, err.msg);
    assert_int_equal(c.n, 0);
    /* Until reset. */
    recordio_reader_reset(r);
    assert_int_equal(feed(r, &c, "1\na", 3, &again), 0);
    assert_int_equal(c.n, 1);
    collected_free(&c);
    recordio_reader_free(r);
}

static void test_malformed_lengths(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(malformed); i++) {
        check_malformed(i, strlen(malformed[i].input)); /* one feed */
        check_malformed(i, 1);                          /* byte by byte */
        check_malformed(i, 2);
    }
}

static void test_records_before_a_bad_length_are_delivered(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    mk_err err = {{0}};
    assert_int_equal(feed(r, &c, "2\nok3\nyes-1\n", 13, &err), -1);
    assert_int_equal(c.n, 2);
    assert_memory_equal(c.records[1], "yes", 3);
    assert_non_null(strstr(err.msg, "sign"));
    collected_free(&c);
    recordio_reader_free(r);
}

static void test_null_err_is_allowed(void **state)
{
    collected c = {0};
    recordio_reader *r = recordio_reader_new(1024, collect, &c);
    assert_int_equal(feed(r, &c, "x", 1, NULL), -1);
    assert_int_equal(feed(r, &c, "1\na", 3, NULL), -1);
    recordio_reader_free(r);
    recordio_reader_free(NULL);
}

/* ---- size ------------------------------------------------------------------------------------ */

static void test_ten_megabytes_in_4k_pieces(void **state)
{
    const size_t size = 10u << 20;
    char *body = mk_xmalloc(size);
    for (size_t i = 0; i < size; i++)
        body[i] = (char)('a' + i % 26);
    size_t len;
    char *framed = recordio_encode(body, size, &len);
    collected c = {0};
    recordio_reader *r = recordio_reader_new(size, collect, &c);
    mk_err err = {{0}};
    /* Copying the whole buffer on every piece would move ~13 GB here and take many seconds. */
    double start = mk_now_monotonic();
    for (size_t off = 0; off < len; off += 4096) {
        size_t n = len - off < 4096 ? len - off : 4096;
        assert_int_equal(feed(r, &c, framed + off, n, &err), 0);
    }
    double took = mk_now_monotonic() - start;
    assert_true(took < 2.0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.lens[0], size);
    assert_memory_equal(c.records[0], body, size);
    collected_free(&c);
    recordio_reader_free(r);
    free(framed);
    free(body);
}

/* ---- encoding -------------------------------------------------------------------------------- */

static void test_encode(void **state)
{
    static const struct {
        const char *data;
        size_t len;
        const char *framed;
        size_t framed_len;
    } cases[] = {
        {"hello", 5, "5\nhello", 7},
        {"", 0, "0\n", 2},
        {"a\0b", 3, "3\na\0b", 5},
        {"0123456789", 10, "10\n0123456789", 13},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(cases); i++) {
        size_t n;
        char *out = recordio_encode(cases[i].data, cases[i].len, &n);
        assert_int_equal(n, cases[i].framed_len);
        assert_memory_equal(out, cases[i].framed, n);
        assert_int_equal(out[n], '\0');
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_feed_delivers_every_record_in_place),
        cmocka_unit_test(test_every_split_point),
        cmocka_unit_test(test_every_pair_of_split_points),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_empty_feed_changes_nothing),
        cmocka_unit_test(test_pending_counts_the_unfinished_frame),
        cmocka_unit_test(test_leading_zeros_and_exact_limit),
        cmocka_unit_test(test_callback_can_stop),
        cmocka_unit_test(test_callback_may_reset_the_reader),
        cmocka_unit_test(test_malformed_lengths),
        cmocka_unit_test(test_records_before_a_bad_length_are_delivered),
        cmocka_unit_test(test_null_err_is_allowed),
        cmocka_unit_test(test_ten_megabytes_in_4k_pieces),
        cmocka_unit_test(test_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
