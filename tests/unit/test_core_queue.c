/*
 * Unit tests for src/core_queue.c: the scheduler core's inbox.
 *
 *   - messages come out in the order they went in, each push wakes the core once;
 *   - many producer threads lose nothing and keep each producer's order;
 *   - a closed queue refuses (and frees) new messages, keeps the queued ones;
 *   - replies: posted before or after the wait, a wait that times out, a requester that gave up
 *     before the core answered (no leak, no use after free: ASan checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core_queue.h"
#include "util.h"

static void count_wakeup(void *ud)
{
    atomic_fetch_add((atomic_int *)ud, 1);
}

static void test_fifo_and_wakeups(void **state)
{
    atomic_int wakeups = 0;
    core_queue *q = core_queue_new(count_wakeup, &wakeups);
    assert_null(core_queue_take_all(q));
    for (int i = 0; i < 5; i++) {
        cleanup_free char *name = mk_xasprintf("m%d", i);
        assert_int_equal(
            core_queue_push(q, core_msg_new(CORE_MSG_REQUEST, name, json_integer(i), NULL)), 0);
    }
    assert_int_equal(atomic_load(&wakeups), 5);
    core_msg *m = core_queue_take_all(q);
    for (int i = 0; i < 5; i++) {
        assert_non_null(m);
        cleanup_free char *name = mk_xasprintf("m%d", i);
        assert_string_equal(m->name, name);
        assert_int_equal(json_integer_value(m->body), i);
        core_msg *next = m->next;
        core_msg_free(m);
        m = next;
    }
    assert_null(m);
    assert_null(core_queue_take_all(q));
    core_queue_free(q);
}

#define PRODUCERS    8
#define PER_PRODUCER 2000

typedef struct {
    core_queue *q;
    int id;
} producer_arg;

static void *producer(void *arg)
{
    producer_arg *p = arg;
    for (int i = 0; i < PER_PRODUCER; i++)
        core_queue_push(p->q, core_msg_new(CORE_MSG_REQUEST, NULL,
                                           json_pack("{s:i, s:i}", "p", p->id, "i", i), NULL));
    return NULL;
}

static void test_many_producers(void **state)
{
    atomic_int wakeups = 0;
    core_queue *q = core_queue_new(count_wakeup, &wakeups);
    pthread_t threads[PRODUCERS];
    producer_arg args[PRODUCERS];
    for (int i = 0; i < PRODUCERS; i++) {
        args[i] = (producer_arg){q, i};
        pthread_create(&threads[i], NULL, producer, &args[i]);
    }
    int next[PRODUCERS] = {0};
    int total = 0;
    while (total < PRODUCERS * PER_PRODUCER) {
        core_msg *m = core_queue_take_all(q);
        while (m) {
            int p = (int)json_integer_value(json_object_get(m->body, "p"));
            int i = (int)json_integer_value(json_object_get(m->body, "i"));
            assert_int_equal(i, next[p]); /* each producer's order is kept */
            next[p]++;
            total++;
            core_msg *n = m->next;
            core_msg_free(m);
            m = n;
        }
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(threads[i], NULL);
    assert_null(core_queue_take_all(q));
    assert_int_equal(atomic_load(&wakeups), PRODUCERS * PER_PRODUCER);
    core_queue_free(q);
}

static void test_closed_queue_refuses(void **state)
{
    core_queue *q = core_queue_new(NULL, NULL);
    assert_int_equal(core_queue_push(q, core_msg_new(CORE_MSG_STOP, "SIGTERM", NULL, NULL)), 0);
    core_queue_close(q);
    core_reply *r = core_reply_new();
    /* Refused: the message (and its reference to the reply) is freed at once. */
    assert_int_equal(core_queue_push(q, core_msg_new(CORE_MSG_REQUEST, "x", json_true(), r)), -1);
    core_reply_unref(r);
    core_msg *m = core_queue_take_all(q);
    assert_non_null(m);
    assert_int_equal(m->type, CORE_MSG_STOP);
    assert_null(m->next);
    core_msg_free(m);
    core_queue_free(q);
    /* Messages left in the queue are freed with it. */
    core_queue *q2 = core_queue_new(NULL, NULL);
    core_queue_push(q2, core_msg_new(CORE_MSG_REQUEST, "left", json_string("behind"), NULL));
    core_queue_free(q2);
}

static void test_reply_posted_before_wait(void **state)
{
    core_reply *r = core_reply_new();
    core_reply_post(r, 200, json_pack("{s:s}", "ok", "yes"));
    core_reply_post(r, 500, json_string("ignored")); /* only the first post counts */
    int status = 0;
    json_t *body = NULL;
    assert_int_equal(core_reply_wait(r, 1.0, &status, &body), 0);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(body, "ok")), "yes");
    json_decref(body);
    core_reply_unref(r);
}

static void test_reply_times_out(void **state)
{
    core_reply *r = core_reply_new();
    int status = -7;
    json_t *body = NULL;
    double t0 = mk_now_monotonic();
    assert_int_equal(core_reply_wait(r, 0.05, &status, &body), -1);
    double waited = mk_now_monotonic() - t0;
    assert_true(waited >= 0.04 && waited < 2.0);
    assert_int_equal(status, -7);
    assert_null(body);
    core_reply_unref(r);
}

/* The core thread: takes the request, waits a little, answers. */
static void *core_thread(void *arg)
{
    core_queue *q = arg;
    core_msg *m = NULL;
    while (!(m = core_queue_take_all(q)))
        usleep(1000);
    usleep(20000);
    core_reply_post(m->reply, 202, json_string(m->name));
    core_msg_free(m);
    return NULL;
}

static void test_reply_across_threads(void **state)
{
    core_queue *q = core_queue_new(NULL, NULL);
    pthread_t t;
    pthread_create(&t, NULL, core_thread, q);
    core_reply *r = core_reply_new();
    core_queue_push(q, core_msg_new(CORE_MSG_REQUEST, "scale", NULL, r));
    int status = 0;
    json_t *body = NULL;
    assert_int_equal(core_reply_wait(r, 5.0, &status, &body), 0);
    assert_int_equal(status, 202);
    assert_string_equal(json_string_value(body), "scale");
    json_decref(body);
    core_reply_unref(r);
    pthread_join(t, NULL);
    core_queue_free(q);
}

static void test_requester_gave_up(void **state)
{
    core_queue *q = core_queue_new(NULL, NULL);
    core_reply *r = core_reply_new();
    core_queue_push(q, core_msg_new(CORE_MSG_REQUEST, "slow", NULL, r));
    int status;
    json_t *body;
    assert_int_equal(core_reply_wait(r, 0.01, &status, &body), -1);
    core_reply_unref(r); /* the requester leaves */
    core_msg *m = core_queue_take_all(q);
    core_reply_post(m->reply, 200, json_string("late")); /* the core still may answer */
    core_msg_free(m);
    core_queue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_wakeups),
        cmocka_unit_test(test_many_producers),
        cmocka_unit_test(test_closed_queue_refuses),
        cmocka_unit_test(test_reply_posted_before_wait),
        cmocka_unit_test(test_reply_times_out),
        cmocka_unit_test(test_reply_across_threads),
        cmocka_unit_test(test_requester_gave_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
