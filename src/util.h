/*
 * util: the project's error convention and small helpers shared by every module.
 *
 * Errors are values: a function that can fail returns 0 on success and -1 on failure, and fills the
 * caller's `mk_err` with one human-readable sentence (no trailing newline, never a secret).
 * Callers pass the error up unchanged or add context with mk_err_prefix().
 *
 * Ownership is made explicit with cleanup attributes, so early returns free what they own:
 *     cleanup_free char *s = strdup(x);
 *     cleanup_json json_t *doc = json_loads(...);
 */
#ifndef MK_UTIL_H
#define MK_UTIL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

typedef struct mk_err {
    char msg[512];
} mk_err;

/* Sets the message (printf-style) and returns -1, so `return mk_err_set(err, ...)` reads well.
 * `err` may be NULL. */
int mk_err_set(mk_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepends "<context>: " to the message already in `err`; returns -1. */
int mk_err_prefix(mk_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void mk_freep(void *p);
void mk_json_decrefp(json_t **p);
void mk_closep(int *fd);
#define cleanup_free  __attribute__((cleanup(mk_freep)))
#define cleanup_json  __attribute__((cleanup(mk_json_decrefp)))
#define cleanup_close __attribute__((cleanup(mk_closep)))

/* Allocation that aborts on out-of-memory: a scheduler that cannot allocate a few bytes cannot do
 * anything safe, and checking every small allocation hides the real logic. */
void *mk_xmalloc(size_t n);
void *mk_xcalloc(size_t n, size_t size);
void *mk_xrealloc(void *p, size_t n);
char *mk_xstrdup(const char *s);
char *mk_xstrndup(const char *s, size_t n);
char *mk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic and wall clock, in seconds. */
double mk_now_monotonic(void);
double mk_now_wall(void);
/* `at` (seconds on the monotonic clock) as a timespec, for a condition variable that waits on
 * CLOCK_MONOTONIC. */
struct timespec;
void mk_monotonic_timespec(struct timespec *ts, double at);
/* Initialises a condition variable whose timed waits use CLOCK_MONOTONIC. */
void mk_cond_init_monotonic(pthread_cond_t *cond);

/* A random RFC 4122 version-4 UUID in its 36-character text form, from the kernel's CSPRNG. */
void mk_uuid4(char out[37]);
/* 16 random bytes. Returns -1 only if the kernel refuses randomness. */
int mk_random_bytes(void *buf, size_t n);

/* Base64 (standard alphabet, padded). Decode accepts missing padding, rejects other alphabets;
 * returns the decoded length or -1. `out` must hold at least 3*len/4+3 bytes. */
char *mk_base64_encode(const void *data, size_t len);
long mk_base64_decode(const char *in, size_t len, unsigned char *out);

/* Reads the whole regular file at `path` (at most `max` bytes) into *out, NUL-terminated, its
 * length in *len (may be NULL); the caller frees. On failure *out is NULL and `err` says why
 * without naming the path ("cannot read the file: No such file or directory", "is not a regular
 * file", "is larger than N bytes"), so the caller can name the variable and the path its own way.
 */
int mk_read_file(const char *path, size_t max, char **out, size_t *len, mk_err *err);
/* A secret kept in a file (NAME_FILE, as container images give them): the file's text with one
 * trailing newline ("\n" or "\r\n") dropped. Refused, with the reason in `err`: unreadable, larger
 * than 64 KiB, empty, or holding a NUL byte. The caller wipes (explicit_bzero) and frees *out. */
int mk_read_secret_file(const char *path, char **out, mk_err *err);

/* Constant-time comparison of two byte strings (length leaks, content does not). */
int mk_consttime_equal(const void *a, size_t alen, const void *b, size_t blen);

#define MK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
