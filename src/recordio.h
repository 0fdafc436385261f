/*
 * recordio: incremental reader for Mesos's RecordIO framing, "<decimal length>\n<length bytes>".
 *
 * Bytes arrive in arbitrary pieces (a record split over many reads, many records in one read, the
 * length line itself split). The reader buffers what it needs and hands out each complete record.
 * A length line that is not a decimal number, is empty, is zero, has a leading '+'/'-'/space, is
 * longer than 20 digits, or announces more than `max_record` bytes puts the reader into a failed
 * state with a message: the stream cannot be resynchronised and the caller must reconnect.
 */
#ifndef MK_RECORDIO_H
#define MK_RECORDIO_H

#include <stddef.h>

#include "util.h"

typedef struct recordio_reader recordio_reader;

/* Called once per complete record; `data` is valid only during the call and is NOT NUL-terminated
 * (a record wholly inside one feed is handed out in place, pointing into the caller's buffer). Use
 * `len`; the record itself may contain NULs. Return 0 to go on, non-zero to
 * abandon the stream: recordio_feed then returns 1 and drops the bytes after that record. */
typedef int (*recordio_record_fn)(void *ud, const char *data, size_t len);

recordio_reader *recordio_reader_new(size_t max_record, recordio_record_fn fn, void *ud);
void recordio_reader_free(recordio_reader *r);
/* Forget everything buffered and any failure (for a new stream). */
void recordio_reader_reset(recordio_reader *r);

/* Feeds bytes. Returns 0 when all bytes were consumed, 1 if the callback asked to stop, -1 when the
 * stream is malformed (err says why; every later feed fails too until reset). */
int recordio_feed(recordio_reader *r, const char *data, size_t len, mk_err *err);

/* Bytes held for an incomplete record (0 between records): a stream that ends with this > 0 was
 * cut. */
size_t recordio_pending(const recordio_reader *r);

/* Frames one record: returns a malloc'd "<len>\n<data>" and its size in *out_len. */
char *recordio_encode(const char *data, size_t len, size_t *out_len);

#endif
