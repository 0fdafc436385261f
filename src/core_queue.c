/*
 * core_queue: a mutex-protected FIFO of messages into the scheduler core, plus one-shot replies.
 *
 * The queue is deliberately simple: a singly-linked list with a tail pointer under one mutex. The
 * core drains it whole (take_all) after every wakeup, so the lock is held only for pointer swaps
 * and never while a message is handled. The wakeup callback runs after the lock is released, so it
 * may take locks of its own (curl_multi_wakeup writes to a socket pair).
 */
#include "core_queue.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "util.h"

struct core_queue {
    pthread_mutex_t lock;
    core_msg *head, *tail;
    bool closed;
    core_queue_wakeup_fn wakeup;
    void *ud;
};

struct core_reply {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs;
    bool posted;
    int status;
    json_t *body;
    core_reply_fn on_post; /* cleared once called */
    void *on_post_ud;
};

/* ---- messages -------------------------------------------------------------------------------- */

core_msg *core_msg_new(core_msg_type type, const char *name, json_t *body, core_reply *reply)
{
    core_msg *m = mk_xcalloc(1, sizeof(*m));
    m->type = type;
    m->name = name ? mk_xstrdup(name) : NULL;
    m->body = body;
    m->reply = reply ? core_reply_ref(reply) : NULL;
    return m;
}

void core_msg_free(core_msg *m)
{
    if (!m)
        return;
    free(m->name);
    if (m->body)
        json_decref(m->body);
    if (m->reply)
        core_reply_unref(m->reply);
    free(m);
}

/* ---- queue ----------------------------------------------------------------------------------- */

core_queue *core_queue_new(core_queue_wakeup_fn wakeup, void *ud)
{
    core_queue *q = mk_xcalloc(1, sizeof(*q));
    pthread_mutex_init(&q->lock, NULL);
    q->wakeup = wakeup;
    q->ud = ud;
    return q;
}

static void free_list(core_msg *m)
{
    while (m) {
        core_msg *next = m->next;
        core_msg_free(m);
        m = next;
    }
}

void core_queue_free(core_queue *q)
{
    if (!q)
        return;
    free_list(q->head);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

int core_queue_push(core_queue *q, core_msg *m)
{
    m->next = NULL;
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        core_msg_free(m);
        return -1;
    }
    if (q->tail)
        q->tail->next = m;
    else
        q->head = m;
    q->tail = m;
    pthread_mutex_unlock(&q->lock);
    if (q->wakeup)
        q->wakeup(q->ud);
    return 0;
}

core_msg *core_queue_take_all(core_queue *q)
{
    pthread_mutex_lock(&q->lock);
    core_msg *all = q->head;
    q->head = q->tail = NULL;
    pthread_mutex_unlock(&q->lock);
    return all;
}

void core_queue_close(core_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_mutex_unlock(&q->lock);
}

/* ---- replies --------------------------------------------------------------------------------- */

core_reply *core_reply_new(void)
{
    core_reply *r = mk_xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    /* Waits measure a timeout, which the wall clock would stretch or shrink when it is set. */
    mk_cond_init_monotonic(&r->cond);
    r->refs = 1;
    return r;
}

core_reply *core_reply_ref(core_reply *r)
{
    pthread_mutex_lock(&r->lock);
    r->refs++;
    pthread_mutex_unlock(&r->lock);
    return r;
}

void core_reply_unref(core_reply *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    int left = --r->refs;
    pthread_mutex_unlock(&r->lock);
    if (left > 0)
        return;
    if (r->on_post) /* never answered: the waiter still hears of it */
        r->on_post(r->on_post_ud);
    if (r->body)
        json_decref(r->body);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

void core_reply_post(core_reply *r, int status, json_t *body)
{
    pthread_mutex_lock(&r->lock);
    if (r->posted) {
        pthread_mutex_unlock(&r->lock);
        if (body)
            json_decref(body);
        return;
    }
    r->posted = true;
    r->status = status;
    r->body = body;
    core_reply_fn fn = r->on_post;
    r->on_post = NULL;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    if (fn) /* outside the lock: the waiter reads the answer */
        fn(r->on_post_ud);
}

bool core_reply_forget(core_reply *r)
{
    pthread_mutex_lock(&r->lock);
    bool pending = r->on_post != NULL;
    r->on_post = NULL;
    pthread_mutex_unlock(&r->lock);
    return pending;
}

void core_reply_on_post(core_reply *r, core_reply_fn fn, void *ud)
{
    pthread_mutex_lock(&r->lock);
    bool now = r->posted;
    if (!now) {
        r->on_post = fn;
        r->on_post_ud = ud;
    }
    pthread_mutex_unlock(&r->lock);
    if (now)
        fn(ud);
}

int core_reply_wait(core_reply *r, double timeout_s, int *status, json_t **body)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_s < 0)
        timeout_s = 0;
    double whole = floor(timeout_s);
    deadline.tv_sec += (time_t)whole;
    deadline.tv_nsec += (long)((timeout_s - whole) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->lock);
    while (!r->posted) {
        int rc = pthread_cond_timedwait(&r->cond, &r->lock, &deadline);
        if (rc == ETIMEDOUT)
            break;
    }
    bool posted = r->posted;
    if (posted) {
        *status = r->status;
        *body = r->body ? json_incref(r->body) : NULL;
    }
    pthread_mutex_unlock(&r->lock);
    return posted ? 0 : -1;
}
