/*
 * log: leveled, single-line, thread-safe logging to stderr.
 *
 * A line is built in two stack buffers (the formatted message, then the line with the message's
 * control bytes escaped) and written with one write(2): no allocation, no lock.
 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static _Atomic int current_level = LOG_INFO;

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_set_level(log_level level)
{
    atomic_store(&current_level, (int)level);
}

log_level log_get_level(void)
{
    return (log_level)atomic_load(&current_level);
}

int log_level_parse(const char *s, log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, level_names[i]) == 0) {
            *out = (log_level)i;
            return 0;
        }
    }
    if (strcasecmp(s, "WARNING") == 0) {
        *out = LOG_WARN;
        return 0;
    }
    return -1;
}

const char *log_level_name(log_level level)
{
    return level >= LOG_DEBUG && level <= LOG_ERROR ? level_names[level] : "?";
}

/*
 * Copies msg[0..len) to out (room for cap bytes), writing every control byte (below 0x20, 0x7f,
 * and the UTF-8 encodings of U+0080..U+009F, which terminals also obey) as \xNN, so that text from
 * a client can neither colour nor move the operator's terminal nor split one event into two lines.
 * A trailing CR/LF, a formatting habit rather than content, is dropped. An escape never gets cut
 * in half: the copy stops where the next one would not fit. Returns the bytes written.
 */
static size_t log_escape(char *out, size_t cap, const char *msg, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        len--;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        int c1 = c == 0xc2 && i + 1 < len && (unsigned char)msg[i + 1] >= 0x80 &&
                 (unsigned char)msg[i + 1] <= 0x9f;
        size_t nbytes = c1 ? 2 : (c < 0x20 || c == 0x7f) ? 1 : 0;
        if (nbytes == 0) {
            if (o + 1 > cap)
                break;
            out[o++] = (char)c;
            continue;
        }
        if (o + 4 * nbytes > cap)
            break;
        for (size_t k = 0; k < nbytes; k++) {
            unsigned char b = (unsigned char)msg[i + k];
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[b >> 4];
            out[o++] = hex[b & 0xf];
        }
        i += nbytes - 1;
    }
    return o;
}

void log_write(log_level level, const char *component, const char *fmt, ...)
{
    if ((int)level < atomic_load(&current_level))
        return;
    char msg[4096];
    char line[4096];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line),
                     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, log_level_name(level), component);
    if (n < 0)
        return;
    if ((size_t)n > sizeof(line) - 1)
        n = (int)sizeof(line) - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t mlen = m < 0 ? 0 : (size_t)m;
    if (mlen > sizeof(msg) - 1)
        mlen = sizeof(msg) - 1;
    /* One event, one line, with no control byte from the message: room is kept for the '\n'. */
    size_t len = (size_t)n + log_escape(line + n, sizeof(line) - (size_t)n - 1, msg, mlen);
    line[len++] = '\n';
    ssize_t unused = write(STDERR_FILENO, line, len);
    (void)unused;
}
