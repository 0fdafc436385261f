/*
 * http_guard: request deadlines by sweeping, and the server's log lines by interval (see
 * http_guard.h).
 *
 * The connections are a list under one lock; a sweep walks it every SWEEP_S. With thousands of
 * connections that is a few microseconds of work a sweep, cheaper than a timer per connection,
 * and a deadline overshoots by at most SWEEP_S, which no client can stretch.
 */
#include "http_guard.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "util.h"

#define COMPONENT "api"
#define SWEEP_S   0.2

struct http_guard_conn {
    int fd;
    double deadline; /* monotonic; 0 while a complete request is being answered */
    bool cut;        /* shut down already */
    http_guard_conn *prev, *next;
};

struct http_guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
    double deadline_s;
    http_guard_tick_fn tick;
    void *tick_ud;
    http_guard_conn *conns;
    http_guard_stats stats;
    double window_start;        /* of the current log interval */
    unsigned window_logged;     /* server messages logged in it */
    uint64_t window_suppressed; /* and left out */
};

static void cut_off_late(http_guard *g, double now)
{
    for (http_guard_conn *c = g->conns; c; c = c->next) {
        if (c->cut || c->deadline == 0 || now < c->deadline)
            continue;
        /* The fd is still open: untrack (under this lock) comes before the server closes it. */
        shutdown(c->fd, SHUT_RDWR);
        c->cut = true;
        g->stats.cut_off++;
    }
}

/* The summary of the interval that ended, if anything was left out of the log. */
static void end_log_window(http_guard *g, double now)
{
    if (now - g->window_start < HTTP_GUARD_LOG_INTERVAL_S)
        return;
    if (g->window_suppressed > 0)
        log_warn(COMPONENT,
                 "http server: %llu more complaints (malformed requests, refused connections) in "
                 "the last %.0f s were not logged",
                 (unsigned long long)g->window_suppressed, now - g->window_start);
    g->window_start = now;
    g->window_logged = 0;
    g->window_suppressed = 0;
}

static void *guard_main(void *ud)
{
    http_guard *g = ud;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        double now = mk_now_monotonic();
        cut_off_late(g, now);
        end_log_window(g, now);
        pthread_mutex_unlock(&g->lock);
        if (g->tick)
            g->tick(g->tick_ud, now);
        pthread_mutex_lock(&g->lock);
        if (g->stopping)
            break;
        struct timespec until;
        mk_monotonic_timespec(&until, mk_now_monotonic() + SWEEP_S);
        pthread_cond_timedwait(&g->wake, &g->lock, &until);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

http_guard *http_guard_start(double deadline_s, http_guard_tick_fn tick, void *ud)
{
    http_guard *g = mk_xcalloc(1, sizeof(*g));
    pthread_mutex_init(&g->lock, NULL);
    mk_cond_init_monotonic(&g->wake);
    g->deadline_s = deadline_s;
    g->tick = tick;
    g->tick_ud = ud;
    g->window_start = mk_now_monotonic();
    if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void http_guard_stop(http_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    end_log_window(g, mk_now_monotonic() + HTTP_GUARD_LOG_INTERVAL_S);
    while (g->conns) { /* a server that stopped without closing them all: forget, never touch */
        http_guard_conn *c = g->conns;
        g->conns = c->next;
        free(c);
    }
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

http_guard_conn *http_guard_track(http_guard *g, int fd)
{
    http_guard_conn *c = mk_xcalloc(1, sizeof(*c));
    c->fd = fd;
    pthread_mutex_lock(&g->lock);
    c->deadline = mk_now_monotonic() + g->deadline_s;
    c->next = g->conns;
    if (g->conns)
        g->conns->prev = c;
    g->conns = c;
    g->stats.accepted++;
    g->stats.open++;
    pthread_mutex_unlock(&g->lock);
    return c;
}

void http_guard_untrack(http_guard *g, http_guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        g->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    g->stats.open--;
    pthread_mutex_unlock(&g->lock);
    free(c);
}

void http_guard_request_complete(http_guard *g, http_guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    c->deadline = 0;
    pthread_mutex_unlock(&g->lock);
}

void http_guard_answered(http_guard *g, http_guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    c->deadline = mk_now_monotonic() + g->deadline_s;
    pthread_mutex_unlock(&g->lock);
}

void http_guard_server_message(http_guard *g, const char *text)
{
    pthread_mutex_lock(&g->lock);
    g->stats.server_messages++;
    bool log_it = g->window_logged < HTTP_GUARD_LOG_BURST;
    bool last = false;
    if (log_it)
        last = ++g->window_logged == HTTP_GUARD_LOG_BURST;
    else {
        g->window_suppressed++;
        g->stats.messages_suppressed++;
    }
    pthread_mutex_unlock(&g->lock);
    if (log_it)
        log_warn(COMPONENT, "http server: %s%s", text,
                 last ? " (more this minute are counted)" : "");
}

void http_guard_get_stats(http_guard *g, http_guard_stats *out)
{
    pthread_mutex_lock(&g->lock);
    *out = g->stats;
    pthread_mutex_unlock(&g->lock);
}
