/*
 * Unit tests for src/http_guard.c: the HTTP API's request deadline and its log of complaints.
 *
 *   - a connection whose request does not arrive in time is shut down, however busy the client
 *     keeps it; one whose request is complete is left alone until its answer has gone, and then
 *     gets a new deadline;
 *   - the server's complaints are all counted, only a few of them logged;
 *   - the tick runs on the guard's thread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_guard.h"
#include "util.h"

/* Whether the peer of `fd` sees its end shut down within `seconds` (reads EOF). */
static bool shut_within(int fd, double seconds)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, (int)(seconds * 1000)) != 1)
        return false;
    char c;
    return read(fd, &c, 1) == 0;
}

static void tick(void *ud, double now)
{
    atomic_fetch_add((atomic_int *)ud, 1);
}

static void test_a_late_request_is_cut_off_a_complete_one_is_not(void **state)
{
    atomic_int ticks = 0;
    http_guard *g = http_guard_start(0.5, tick, &ticks);
    assert_non_null(g);
    int late[2], done[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, late), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, done), 0);
    http_guard_conn *cl = http_guard_track(g, late[0]);
    http_guard_conn *cd = http_guard_track(g, done[0]);
    http_guard_request_complete(g, cd);
    /* Busy is not enough: the late one sends all along and is cut off anyway. */
    double until = mk_now_monotonic() + 0.3;
    while (mk_now_monotonic() < until) {
        assert_int_equal(write(late[1], "x", 1), 1);
        usleep(20000);
    }
    assert_true(shut_within(late[1], 2.0));
    assert_false(shut_within(done[1], 1.0));
    /* Once answered, the next request has its own deadline. */
    http_guard_answered(g, cd);
    assert_true(shut_within(done[1], 2.0));
    http_guard_stats st;
    http_guard_get_stats(g, &st);
    assert_int_equal(st.accepted, 2);
    assert_int_equal(st.open, 2);
    assert_int_equal(st.cut_off, 2);
    http_guard_untrack(g, cl);
    http_guard_untrack(g, cd);
    http_guard_get_stats(g, &st);
    assert_int_equal(st.open, 0);
    assert_true(atomic_load(&ticks) > 3);
    http_guard_stop(g);
    for (int i = 0; i < 2; i++) {
        close(late[i]);
        close(done[i]);
    }
}

static void test_complaints_are_counted_and_a_few_logged(void **state)
{
    http_guard *g = http_guard_start(10, NULL, NULL);
    for (int i = 0; i < 1000; i++)
        http_guard_server_message(g, "Error: a malformed request");
    http_guard_stats st;
    http_guard_get_stats(g, &st);
    assert_int_equal(st.server_messages, 1000);
    assert_int_equal(st.messages_suppressed, 1000 - HTTP_GUARD_LOG_BURST);
    http_guard_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_late_request_is_cut_off_a_complete_one_is_not),
        cmocka_unit_test(test_complaints_are_counted_and_a_few_logged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
