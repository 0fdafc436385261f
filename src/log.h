/*
 * log: one line per event on stderr, "<UTC time> <LEVEL> <component>: <message>".
 *
 * The level comes from LOGLEVEL (set once at start-up by config). Lines are written with a single
 * write(2), so lines from different threads never interleave. Every control byte of the message
 * (below 0x20, 0x7f, UTF-8 U+0080..U+009F; CR and LF too) is written as \xNN, so text from a
 * client can neither drive the operator's terminal nor forge a line; a trailing newline is dropped.
 * Never pass a secret (password, Authorization header) to these functions: nothing here can tell a
 * secret from other text.
 */
#ifndef MK_LOG_H
#define MK_LOG_H

typedef enum { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 } log_level;

void log_set_level(log_level level);
log_level log_get_level(void);
/* Parses DEBUG, INFO, WARN (or WARNING), ERROR, case-insensitively. Returns -1 if unknown. */
int log_level_parse(const char *s, log_level *out);
const char *log_level_name(log_level level);

void log_write(log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(comp, ...) log_write(LOG_DEBUG, comp, __VA_ARGS__)
#define log_info(comp, ...)  log_write(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...)  log_write(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...) log_write(LOG_ERROR, comp, __VA_ARGS__)

#endif
