/*
 * recordio: incremental reader for Mesos's "<decimal length>\n<bytes>" framing.
 *
 * The reader is a small state machine with three states: reading the length line, reading a body,
 * and failed. The length line is never buffered: each digit is folded into a 64-bit number as it
 * arrives, so a length split across feeds (even one byte per feed) costs nothing, and every bad
 * length is caught at the byte that makes it bad.
 *
 * Bodies are delivered without copying whenever they lie wholly inside the caller's buffer (the
 * common case: many small events per network read). Only a body that spans feeds is copied, into
 * a buffer allocated once from the announced length (the kernel commits large allocations lazily,
 * so a bogus but allowed length costs address space, not memory). Every byte of the stream is thus
 * copied at most once: a 10 MB event arriving in 4 KB reads is never moved around.
 *
 * A malformed length cannot be skipped over (RecordIO has no resynchronisation marker), so the
 * reader fails for good and remembers why; the caller reconnects and calls recordio_reader_reset()
 * for the new stream.
 */
#include "recordio.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UINT64_MAX has 20 digits; more digits can only be leading zeros or an overflow. */
#define MAX_LENGTH_DIGITS 20

typedef enum { READING_LENGTH, READING_BODY, FAILED } reader_state;

struct recordio_reader {
    size_t max_record;
    recordio_record_fn on_record;
    void *ud;
    reader_state state;

    /* Length line so far (READING_LENGTH), then the announced body length (READING_BODY). */
    uint64_t length;
    unsigned digits;

    /* A body that spans feeds: `length + 1` bytes once the first piece arrives, NULL otherwise. */
    char *body;
    size_t body_have;

    char failure[200];
};

recordio_reader *recordio_reader_new(size_t max_record, recordio_record_fn fn, void *ud)
{
    recordio_reader *r = mk_xcalloc(1, sizeof(*r));
    r->max_record = max_record;
    r->on_record = fn;
    r->ud = ud;
    r->state = READING_LENGTH;
    return r;
}

void recordio_reader_free(recordio_reader *r)
{
    if (!r)
        return;
    free(r->body);
    free(r);
}

/* Back to "expecting a length line", dropping any partial body. */
static void start_next_record(recordio_reader *r)
{
    free(r->body);
    r->body = NULL;
    r->body_have = 0;
    r->length = 0;
    r->digits = 0;
    r->state = READING_LENGTH;
}

void recordio_reader_reset(recordio_reader *r)
{
    start_next_record(r);
    r->failure[0] = '\0';
}

size_t recordio_pending(const recordio_reader *r)
{
    switch (r->state) {
    case READING_LENGTH:
        return r->digits;
    case READING_BODY:
        return r->digits + 1 + r->body_have; /* the digits, the newline, the body so far */
    case FAILED:
        break;
    }
    return 0;
}

/* ---- failures -------------------------------------------------------------------------------- */

static int fail(recordio_reader *r, mk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(recordio_reader *r, mk_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
    va_end(ap);
    free(r->body);
    r->body = NULL;
    r->body_have = 0;
    r->state = FAILED;
    return mk_err_set(err, "malformed RecordIO stream: %s", r->failure);
}

/* A byte as a log can show it: 'x' when printable, else its hex value. */
static void describe_byte(unsigned char c, char out[8])
{
    if (isprint(c) && c != '\'')
        snprintf(out, 8, "'%c'", c);
    else
        snprintf(out, 8, "0x%02x", c);
}

/* Explains why `c` cannot be part of a length line, naming the usual culprits. */
static int fail_on_byte(recordio_reader *r, unsigned char c, mk_err *err)
{
    char shown[8];
    describe_byte(c, shown);
    if (r->digits == 0) {
        if (c == '+' || c == '-')
            return fail(r, err, "record length has a sign (%s); only digits are allowed", shown);
        if (c == ' ' || c == '\t' || c == '\r')
            return fail(r, err, "record length starts with whitespace (%s)", shown);
        return fail(r, err, "record length starts with %s, not a digit (not RecordIO?)", shown);
    }
    return fail(r, err, "byte %s after the digits '%llu' of a record length", shown,
                (unsigned long long)r->length);
}

/* ---- reading --------------------------------------------------------------------------------- */

/* Consumes length-line bytes from data[*pos..len). Returns 1 when the line is complete (the state
 * is then READING_BODY), 0 when the input ran out first, -1 on a malformed length. */
static int read_length(recordio_reader *r, const char *data, size_t len, size_t *pos, mk_err *err)
{
    size_t i = *pos;
    while (i < len) {
        unsigned char c = (unsigned char)data[i++];
        if (c == '\n') {
            *pos = i;
            if (r->digits == 0)
                return fail(r, err, "empty record length (a newline where digits were expected)");
            if (r->length == 0)
                return fail(r, err, "record length is 0 (RecordIO records are never empty)");
            if (r->length > (uint64_t)r->max_record)
                return fail(r, err, "record length %llu exceeds the limit of %zu bytes",
                            (unsigned long long)r->length, r->max_record);
            r->state = READING_BODY;
            return 1;
        }
        if (c < '0' || c > '9')
            return fail_on_byte(r, c, err);
        if (++r->digits > MAX_LENGTH_DIGITS)
            return fail(r, err, "record length has more than %d digits", MAX_LENGTH_DIGITS);
        uint64_t digit = (uint64_t)(c - '0');
        if (r->length > (UINT64_MAX - digit) / 10)
            return fail(r, err, "record length overflows a 64-bit number");
        /* An over-limit length is caught at its newline, or as soon as a further digit makes
         * it even larger: a garbage stream of digits may never send a newline. */
        bool over_limit = r->length > (uint64_t)r->max_record;
        r->length = r->length * 10 + digit;
        if (over_limit)
            return fail(r, err, "record length of at least %llu exceeds the limit of %zu bytes",
                        (unsigned long long)r->length, r->max_record);
    }
    *pos = i;
    return 0;
}

/* Consumes body bytes from data[*pos..len). Returns the callback's verdict (0 go on, non-zero stop)
 * once a record is complete, 0 with the state unchanged when the input ran out first. */
static int read_body(recordio_reader *r, const char *data, size_t len, size_t *pos)
{
    size_t need = (size_t)r->length - r->body_have;
    size_t avail = len - *pos;
    if (r->body_have == 0 && avail >= need) {
        /* Fully inside the caller's buffer: hand it out in place. */
        const char *record = data + *pos;
        *pos += need;
        start_next_record(r);
        return r->on_record(r->ud, record, need);
    }
    if (!r->body)
        r->body = mk_xmalloc((size_t)r->length + 1);
    size_t take = avail < need ? avail : need;
    memcpy(r->body + r->body_have, data + *pos, take);
    r->body_have += take;
    *pos += take;
    if (r->body_have < r->length)
        return 0;
    /* Take ownership before calling out, so the callback may reset the reader safely. */
    char *record = r->body;
    size_t record_len = r->body_have;
    record[record_len] = '\0';
    r->body = NULL;
    start_next_record(r);
    int stop = r->on_record(r->ud, record, record_len);
    free(record);
    return stop;
}

int recordio_feed(recordio_reader *r, const char *data, size_t len, mk_err *err)
{
    if (r->state == FAILED)
        return mk_err_set(err, "malformed RecordIO stream: %s", r->failure);
    size_t pos = 0;
    while (pos < len) {
        if (r->state == READING_LENGTH) {
            int got = read_length(r, data, len, &pos, err);
            if (got < 0)
                return -1;
            if (got == 0)
                break;
        }
        if (pos < len && r->state == READING_BODY && read_body(r, data, len, &pos) != 0)
            return 1;
    }
    return 0;
}

char *recordio_encode(const char *data, size_t len, size_t *out_len)
{
    char head[24];
    int n = snprintf(head, sizeof(head), "%zu\n", len);
    char *out = mk_xmalloc((size_t)n + len + 1);
    memcpy(out, head, (size_t)n);
    if (len)
        memcpy(out + n, data, len);
    out[(size_t)n + len] = '\0';
    *out_len = (size_t)n + len;
    return out;
}
