/*
 * log: what reaches stderr. Every control byte of a message comes out as \xNN (an ESC from a client
 * must not colour the operator's terminal, a CR or LF must not forge a second line), printable
 * text and ordinary UTF-8 pass unchanged, a long message is cut without cutting an escape, and each
 * event is exactly one line. stderr is pointed at a pipe while a line is written
 * (test_capture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "test_capture.h"

/* Logs "%s" of msg at INFO under component "t"; the message part starts at out + 34. */
static size_t logged(const char *msg, char *out, size_t cap)
{
    test_capture c;
    capture_begin(&c);
    log_info("t", "%s", msg);
    size_t len = capture_end(&c, out, cap);
    /* "2024-01-01T00:00:00.000Z INFO  t: " is 34 bytes. */
    assert_true(len >= 34);
    assert_memory_equal(out + 24, " INFO  t: ", 10);
    return len;
}

static const struct {
    const char *msg;
    const char *want; /* the message part of the line, its '\n' included */
} cases[] = {
    {"plain text", "plain text\n"},
    {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m\n"},
    {"a\nb", "a\\x0ab\n"},
    {"a\r\nfake 2024 ERROR line", "a\\x0d\\x0afake 2024 ERROR line\n"},
    {"tab\there", "tab\\x09here\n"},
    {"bell\a del\x7f", "bell\\x07 del\\x7f\n"},
    {"\x01\x1f ~", "\\x01\\x1f ~\n"},
    {"trailing newline\n", "trailing newline\n"},
    {"trailing crlf\r\n\r\n", "trailing crlf\n"},
    {"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac\n"}, /* é, € unchanged */
    {"c1 csi \xc2\x9b"
     "31m",
     "c1 csi \\xc2\\x9b31m\n"},                 /* U+009B, a CSI */
    {"nbsp \xc2\xa0 ok", "nbsp \xc2\xa0 ok\n"}, /* U+00A0 printable */
    {"", "\n"},
};

static void test_control_bytes_are_escaped(void **state)
{
    char out[8192];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        logged(cases[i].msg, out, sizeof(out));
        assert_string_equal(out + 34, cases[i].want);
    }
}

/* A message of ESCs longer than a line: the line ends in whole escapes and a single '\n'. */
static void test_long_message_is_cut_between_escapes(void **state)
{
    char msg[6000];
    memset(msg, '\x1b', sizeof(msg) - 1);
    msg[sizeof(msg) - 1] = '\0';
    char out[16384];
    size_t len = logged(msg, out, sizeof(out));
    assert_true(len <= 4096);
    assert_int_equal(out[len - 1], '\n');
    assert_null(memchr(out, '\n', len - 1));
    size_t body = len - 1 - 34;
    assert_int_equal(body % 4, 0);
    for (size_t i = 0; i < body; i += 4)
        assert_memory_equal(out + 34 + i, "\\x1b", 4);
}

static void test_level_below_threshold_writes_nothing(void **state)
{
    test_capture c;
    capture_begin(&c);
    log_set_level(LOG_WARN);
    log_info("t", "hidden");
    log_warn("t", "shown");
    log_set_level(LOG_INFO);
    char out[256];
    capture_end(&c, out, sizeof(out));
    assert_null(strstr(out, "hidden"));
    assert_non_null(strstr(out, "WARN  t: shown\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_bytes_are_escaped),
        cmocka_unit_test(test_long_message_is_cut_between_escapes),
        cmocka_unit_test(test_level_below_threshold_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
