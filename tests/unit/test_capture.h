/*
 * test_capture: stderr (where log.h writes) pointed at a pipe while a test runs code, and what was
 * written read back. Enough for a few log lines: the pipe's buffer (64 KiB) must hold them all.
 */
#ifndef MK_TEST_CAPTURE_H
#define MK_TEST_CAPTURE_H

#include <stddef.h>
#include <unistd.h>

typedef struct {
    int fds[2];
    int saved;
} test_capture;

static inline void capture_begin(test_capture *c)
{
    assert_int_equal(pipe(c->fds), 0);
    c->saved = dup(STDERR_FILENO);
    assert_true(c->saved >= 0);
    assert_true(dup2(c->fds[1], STDERR_FILENO) >= 0);
}

/* Restores stderr; returns what was written, NUL-terminated in out (at most cap - 1 bytes). */
static inline size_t capture_end(test_capture *c, char *out, size_t cap)
{
    assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
    close(c->saved);
    close(c->fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len < cap - 1 && (r = read(c->fds[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    close(c->fds[0]);
    out[len] = '\0';
    return len;
}

#endif
