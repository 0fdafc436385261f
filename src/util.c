/*
 * util: error values, cleanup helpers, allocation, clocks, UUIDs and base64.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int mk_err_set(mk_err *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -1;
}

int mk_err_prefix(mk_err *err, const char *fmt, ...)
{
    if (!err)
        return -1;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    size_t plen = strnlen(prefix, sizeof(prefix) - 3);
    memcpy(prefix + plen, ": ", 3);
    plen += 2;
    /* Shift the old message right; too long a result is cut at the end, never overflowed. */
    size_t olen = strnlen(err->msg, sizeof(err->msg) - 1);
    if (plen + olen > sizeof(err->msg) - 1)
        olen = sizeof(err->msg) - 1 - plen;
    memmove(err->msg + plen, err->msg, olen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen + olen] = '\0';
    return -1;
}

void mk_freep(void *p)
{
    free(*(void **)p);
}

void mk_json_decrefp(json_t **p)
{
    if (*p)
        json_decref(*p);
}

void mk_closep(int *fd)
{
    if (*fd >= 0)
        close(*fd);
}

static void out_of_memory(size_t n)
{
    fprintf(stderr, "mesos-kafka: out of memory allocating %zu bytes\n", n);
    abort();
}

void *mk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *mk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *mk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *mk_xstrdup(const char *s)
{
    return mk_xstrndup(s, strlen(s));
}

char *mk_xstrndup(const char *s, size_t n)
{
    char *p = mk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mk_xasprintf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        out_of_memory(0);
    char *p = mk_xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

double mk_now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mk_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
}

void mk_monotonic_timespec(struct timespec *ts, double at)
{
    if (at < 0)
        at = 0;
    ts->tv_sec = (time_t)at;
    ts->tv_nsec = (long)((at - (double)ts->tv_sec) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

double mk_now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mk_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

void mk_uuid4(char out[37])
{
    unsigned char b[16];
    if (mk_random_bytes(b, sizeof(b)) < 0) {
        fprintf(stderr, "mesos-kafka: the kernel refused random bytes\n");
        abort();
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *mk_base64_encode(const void *data, size_t len)
{
    const unsigned char *in = data;
    char *out = mk_xmalloc(4 * ((len + 2) / 3) + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = b64_alphabet[(v >> 18) & 63];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64_alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64_alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long mk_base64_decode(const char *in, size_t len, unsigned char *out)
{
    uint32_t acc = 0;
    int bits = 0;
    long o = 0;
    size_t pad = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad)
            return -1; /* data after padding */
        int v = b64_value(c);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    if (pad > 2 || bits >= 6)
        return -1;
    return o;
}

int mk_read_file(const char *path, size_t max, char **out, size_t *len, mk_err *err)
{
    *out = NULL;
    cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return mk_err_set(err, "cannot read the file: %s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return mk_err_set(err, "is not a regular file");
    if ((unsigned long long)st.st_size > max)
        return mk_err_set(err, "is larger than %zu bytes", max);
    char *text = mk_xmalloc(max + 1);
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, text + used, max + 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            explicit_bzero(text, used);
            free(text);
            return mk_err_set(err, "cannot read the file: %s", strerror(e));
        }
        if (n == 0)
            break;
        used += (size_t)n;
        if (used > max) { /* it grew since fstat */
            explicit_bzero(text, used);
            free(text);
            return mk_err_set(err, "is larger than %zu bytes", max);
        }
    }
    text[used] = '\0';
    *out = text;
    if (len)
        *len = used;
    return 0;
}

#define MAX_SECRET_FILE ((size_t)64 * 1024)

int mk_read_secret_file(const char *path, char **out, mk_err *err)
{
    size_t len = 0;
    if (mk_read_file(path, MAX_SECRET_FILE, out, &len, err) < 0 || !*out)
        return -1;
    char *text = *out;
    const char *problem = NULL;
    if (strlen(text) != len)
        problem = "holds a NUL byte";
    if (len > 0 && text[len - 1] == '\n') {
        text[--len] = '\0';
        if (len > 0 && text[len - 1] == '\r')
            text[--len] = '\0';
    }
    if (!problem && len == 0)
        problem = "is empty";
    if (problem) {
        explicit_bzero(text, len);
        free(text);
        *out = NULL;
        return mk_err_set(err, "%s", problem);
    }
    return 0;
}

int mk_consttime_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    const unsigned char *x = a, *y = b;
    size_t n = alen > blen ? alen : blen;
    unsigned char diff = (unsigned char)(alen != blen);
    for (size_t i = 0; i < n; i++) {
        unsigned char cx = i < alen ? x[i] : 0;
        unsigned char cy = i < blen ? y[i] : 0;
        diff |= (unsigned char)(cx ^ cy);
    }
    return diff == 0;
}
