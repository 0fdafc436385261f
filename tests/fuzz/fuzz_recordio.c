/*
 * Fuzz the RecordIO reader. One input drives two checks:
 *
 * 1. Raw stream against a reference. The input's tail is fed as a stream, in pieces of random sizes
 *    (empty pieces included), to the incremental reader; a ten-line whole-buffer parser of the same
 *    rules says which records must come out and whether the stream is malformed. The reader must
 *    agree exactly, whatever the piece sizes, and never report more pending bytes than it was fed.
 *
 * 2. Round trip. The tail is also cut into records (lengths taken from the input), each framed with
 *    recordio_encode; the concatenation, fed in random pieces, must give back exactly those
 * records, never fail, leave nothing pending, and hand out in place every record whose body lies
 * inside one piece (the no-copy promise).
 *
 * The first eight bytes seed the piece sizes and choose the record limit and when the callback asks
 * to stop, so the fuzzer explores those too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recordio.h"

#include "fuzz_check.h"

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Piece sizes: mostly small (the interesting splits), sometimes large, sometimes zero. */
static size_t piece_size(uint64_t *rng, size_t left)
{
    uint64_t r = next_random(rng);
    size_t n = (r & 3) == 0 ? (size_t)(r >> 8) % 4096 : (size_t)(r >> 8) % 9;
    return n < left ? n : left;
}

typedef struct {
    size_t offset, len; /* within the stream fed */
} span;

/* ---- reference parser: the same rules, over the whole buffer at once --------------------------
 */

/* Fills `out` with the records of `s`; returns true if the stream is malformed at some point. */
static bool reference_parse(const unsigned char *s, size_t n, size_t max, span *out, size_t *count)
{
    size_t i = 0;
    *count = 0;
    while (i < n) {
        uint64_t len = 0;
        size_t digits = 0;
        for (; i < n && s[i] != '\n'; i++) {
            if (s[i] < '0' || s[i] > '9' || ++digits > 20 || len > (UINT64_MAX - (s[i] - '0')) / 10)
                return true;
            if (len > max) /* already over the limit and still growing */
                return true;
            len = len * 10 + (s[i] - '0');
        }
        if (i == n)
            return false; /* a length cut short: pending, not malformed */
        if (digits == 0 || len == 0 || len > max)
            return true;
        i++; /* the newline */
        if (n - i < len)
            return false; /* a body cut short */
        out[(*count)++] = (span){i, (size_t)len};
        i += (size_t)len;
    }
    return false;
}

/* ---- the harness's callback -------------------------------------------------------------------
 */

typedef struct {
    const unsigned char *stream;
    const span *expect;
    size_t n_expect, got;
    size_t stop_after;                   /* 0 = never */
    const char *piece_start, *piece_end; /* the feed in progress */
    bool check_in_place;
} harness;

static int on_record(void *ud, const char *data, size_t len)
{
    harness *h = ud;
    CHECK(h->got < h->n_expect);
    const span *want = &h->expect[h->got];
    CHECK(len == want->len);
    CHECK(memcmp(data, h->stream + want->offset, len) == 0);
    /* A body wholly inside the current piece must be handed out in place (its length line may
     * have come in earlier pieces). */
    const char *body = (const char *)h->stream + want->offset;
    if (h->check_in_place && body >= h->piece_start && body + len <= h->piece_end)
        CHECK(data == body);
    h->got++;
    return h->stop_after && h->got >= h->stop_after;
}

/* Feeds `n` bytes in random pieces. Returns the last feed's result (0, 1 stop, -1 failed). */
static int feed_in_pieces(recordio_reader *r, harness *h, const unsigned char *s, size_t n,
                          uint64_t *rng)
{
    size_t off = 0;
    int rc = 0;
    while (rc == 0 && off < n) {
        size_t len = piece_size(rng, n - off);
        h->piece_start = (const char *)s + off;
        h->piece_end = (const char *)s + off + len;
        mk_err err = {{0}};
        rc = recordio_feed(r, (const char *)s + off, len, &err);
        CHECK(rc != -1 || err.msg[0] != '\0'); /* every failure says why */
        off += len;
        if (rc == 0)
            CHECK(recordio_pending(r) <= off);
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 8)
        return 0;
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < 8; i++)
        rng = (rng ^ data[i]) * 0x100000001b3ULL;
    rng |= 1;
    size_t max_record = data[0] & 1 ? (size_t)data[1] % 64 + 1 : 4096;
    size_t stop_after = data[2] % 8 == 0 ? (size_t)data[3] % 4 + 1 : 0;
    const unsigned char *tail = data + 8;
    size_t n = size - 8;

    /* 1: raw stream against the reference. */
    span *expect = malloc((n / 2 + 1) * sizeof(span)); /* a record takes at least 3 bytes */
    size_t n_expect;
    bool malformed = reference_parse(tail, n, max_record, expect, &n_expect);
    harness h = {tail, expect, n_expect, 0, stop_after, NULL, NULL, false};
    recordio_reader *r = recordio_reader_new(max_record, on_record, &h);
    int rc = feed_in_pieces(r, &h, tail, n, &rng);
    if (rc == 1) {
        CHECK(h.got == stop_after); /* stopped exactly when asked */
    } else {
        CHECK(h.got == n_expect);
        CHECK((rc == -1) == malformed);
    }
    recordio_reader_free(r);
    free(expect);

    /* 2: round trip of records cut from the tail (each length from one byte, at least 1). */
    size_t cap = n * 8 + 64, total = 0, n_records = 0;
    unsigned char *framed = malloc(cap);
    span *records = malloc((n + 1) * sizeof(span));
    for (size_t off = 0; off < n;) {
        size_t len = (size_t)tail[off] % 32 + 1;
        if (len > n - off)
            len = n - off;
        size_t flen;
        char *one = recordio_encode((const char *)tail + off, len, &flen);
        CHECK(flen <= cap - total);
        memcpy(framed + total, one, flen);
        records[n_records++] = (span){total + flen - len, len};
        total += flen;
        free(one);
        off += len;
    }
    harness rt = {framed, records, n_records, 0, 0, NULL, NULL, true};
    r = recordio_reader_new(32, on_record, &rt);
    CHECK(feed_in_pieces(r, &rt, framed, total, &rng) == 0);
    CHECK(rt.got == n_records);
    CHECK(recordio_pending(r) == 0);
    recordio_reader_free(r);
    free(records);
    free(framed);
    return 0;
}
