/*
 * recordio: incremental reader for "<decimal length>\n<bytes>" framing.
 *
 * The reader is a two-state machine: reading the length line (digits accumulated into a number as
 * they arrive, so a length split over reads needs no buffer) and reading the body. A body that lies
 * wholly inside the caller's buffer is delivered in place; only a body split across feeds is copied,
 * into a buffer sized once from the announced length, so a large record arriving in small pieces is
 * copied exactly once.
 */
#include "recordio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LENGTH_DIGITS 20

struct recordio_reader {
    size_t max_record;
    recordio_record_fn fn;
    void *ud;
    int failed;
    char failure[256];
    /* Length line in progress. */
    uint64_t length;
    int digits;
    /* Body in progress (only when split over feeds). */
    int in_body;
    char *body;
    size_t body_have;
};

recordio_reader *recordio_reader_new(size_t max_record, recordio_record_fn fn, void *ud)
{
    recordio_reader *r = mk_xcalloc(1, sizeof(*r));
    r->max_record = max_record;
    r->fn = fn;
    r->ud = ud;
    return r;
}

void recordio_reader_free(recordio_reader *r)
{
    if (!r)
        return;
    free(r->body);
    free(r);
}

void recordio_reader_reset(recordio_reader *r)
{
    free(r->body);
    r->body = NULL;
    r->body_have = 0;
    r->in_body = 0;
    r->length = 0;
    r->digits = 0;
    r->failed = 0;
    r->failure[0] = '\0';
}

static int fail(recordio_reader *r, mk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The stream cannot be resynchronised after a bad length: remember why, refuse every later feed. */
static int fail(recordio_reader *r, mk_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
    va_end(ap);
    r->failed = 1;
    return mk_err_set(err, "malformed RecordIO stream: %s", r->failure);
}

size_t recordio_pending(const recordio_reader *r)
{
    return (size_t)r->digits + (r->in_body ? r->body_have + 1 : 0);
}

/* Delivers a body held in `data` (len bytes, data[len] writable or a copy) NUL-terminated. */
static int deliver(recordio_reader *r, const char *data, size_t len)
{
    return r->fn(r->ud, data, len);
}

int recordio_feed(recordio_reader *r, const char *data, size_t len, mk_err *err)
{
    if (r->failed)
        return mk_err_set(err, "malformed RecordIO stream: %s", r->failure);
    size_t i = 0;
    while (i < len) {
        if (!r->in_body) {
            char c = data[i++];
            if (c == '\n') {
                if (r->digits == 0)
                    return fail(r, err, "empty record length");
                if (r->length == 0)
                    return fail(r, err, "record length 0 (records are never empty)");
                if (r->length > r->max_record)
                    return fail(r, err, "record length %llu exceeds the limit of %zu bytes",
                                (unsigned long long)r->length, r->max_record);
                r->in_body = 1;
                r->body_have = 0;
                continue;
            }
            if (c < '0' || c > '9')
                return fail(r, err, "unexpected byte 0x%02x in a record length", (unsigned char)c);
            if (++r->digits > MAX_LENGTH_DIGITS)
                return fail(r, err, "record length longer than %d digits", MAX_LENGTH_DIGITS);
            uint64_t d = (uint64_t)(c - '0');
            if (r->length > (UINT64_MAX - d) / 10)
                return fail(r, err, "record length overflows 64 bits");
            r->length = r->length * 10 + d;
            continue;
        }
        size_t need = (size_t)r->length - r->body_have;
        size_t avail = len - i;
        int stop;
        if (r->body_have == 0 && avail >= need) {
            /* Whole body inside this feed: hand it out without copying. The callback may rely on
             * a NUL after it, which the caller's buffer cannot promise, so copy only then. */
            if (i + need < len && data[i + need] == '\0') {
                stop = deliver(r, data + i, need);
            } else {
                char *copy = mk_xmalloc(need + 1);
                memcpy(copy, data + i, need);
                copy[need] = '\0';
                stop = deliver(r, copy, need);
                free(copy);
            }
            i += need;
        } else {
            if (!r->body)
                r->body = mk_xmalloc((size_t)r->length + 1);
            size_t take = avail < need ? avail : need;
            memcpy(r->body + r->body_have, data + i, take);
            r->body_have += take;
            i += take;
            if (r->body_have < r->length)
                break;
            r->body[r->length] = '\0';
            stop = deliver(r, r->body, (size_t)r->length);
            free(r->body);
            r->body = NULL;
        }
        r->in_body = 0;
        r->body_have = 0;
        r->length = 0;
        r->digits = 0;
        if (stop)
            return 1;
    }
    return 0;
}

char *recordio_encode(const char *data, size_t len, size_t *out_len)
{
    char head[32];
    int n = snprintf(head, sizeof(head), "%zu\n", len);
    char *out = mk_xmalloc((size_t)n + len + 1);
    memcpy(out, head, (size_t)n);
    memcpy(out + n, data, len);
    out[(size_t)n + len] = '\0';
    *out_len = (size_t)n + len;
    return out;
}
