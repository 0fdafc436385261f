/*
 * Fuzz the RecordIO reader two ways with one input: as a raw stream fed in pieces whose sizes come
 * from the input (must never crash or read out of bounds), and as a list of records that are framed
 * with recordio_encode and fed back split at input-chosen points (must yield exactly those records).
 */
#include <stdlib.h>
#include <string.h>

#include "recordio.h"

typedef struct {
    const unsigned char *expect;
    size_t expect_len;
    size_t offset; /* how much of `expect` the records delivered so far covered */
    size_t count;
} check_state;

static int ignore(void *ud, const char *data, size_t len)
{
    (void)ud;
    (void)data;
    (void)len;
    return 0;
}

static int compare(void *ud, const char *data, size_t len)
{
    check_state *c = ud;
    if (c->offset + len > c->expect_len || memcmp(c->expect + c->offset, data, len) != 0)
        abort();
    c->offset += len;
    c->count++;
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 2)
        return 0;
    /* 1: raw stream, piece sizes from the first byte. */
    recordio_reader *r = recordio_reader_new(4096, ignore, NULL);
    size_t step = (size_t)data[0] % 17 + 1;
    mk_err err;
    for (size_t off = 1; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        if (recordio_feed(r, (const char *)data + off, n, &err) < 0)
            break;
    }
    recordio_reader_free(r);

    /* 2: the input cut into non-empty records at each 0xff byte, framed, re-fed in pieces. */
    size_t total = 0, framed_cap = size * 24 + 64;
    char *framed = malloc(framed_cap);
    unsigned char *bodies = malloc(size);
    size_t bodies_len = 0, n_records = 0, start = 1;
    for (size_t i = 1; i <= size; i++) {
        if (i == size || data[i] == 0xff) {
            size_t len = i - start;
            if (len > 0) {
                size_t flen;
                char *one = recordio_encode((const char *)data + start, len, &flen);
                memcpy(framed + total, one, flen);
                total += flen;
                free(one);
                memcpy(bodies + bodies_len, data + start, len);
                bodies_len += len;
                n_records++;
            }
            start = i + 1;
        }
    }
    check_state c = {bodies, bodies_len, 0, 0};
    r = recordio_reader_new(size + 1, compare, &c);
    size_t piece = (size_t)data[0] % 7 + 1;
    for (size_t off = 0; off < total; off += piece) {
        size_t n = total - off < piece ? total - off : piece;
        if (recordio_feed(r, framed + off, n, &err) != 0)
            abort();
    }
    if (c.count != n_records || c.offset != bodies_len || recordio_pending(r) != 0)
        abort();
    recordio_reader_free(r);
    free(framed);
    free(bodies);
    return 0;
}
