/*
 * http_api_v1: the /v1 topic operations (docs/api-v1.md), run with librdkafka (kafka_admin.h) on
 * a few worker threads of their own. The other /v1 routes (connection, brokers, restarts, the
 * plan) are answered by the core like /v0's; every route, its methods and arguments are checked
 * first by http_request.c, in the same order as /v0.
 *
 * A topic operation first asks the core where the registered brokers are, then talks to them: the
 * core is never blocked by Kafka, and the core's state is never touched outside its thread. The
 * workers are few (HTTP_ADMIN_WORKERS) so that a Kafka that answers slowly holds up only them,
 * never the server's event loop, and the brokers see a bounded number of operations at once;
 * requests beyond HTTP_ADMIN_QUEUE waiting are answered 503 at once rather than piling up. They
 * share one kafka_admin (one librdkafka client and its metadata), which a worker that has had
 * nothing to do for a while closes once it has been unused for KAFKA_ADMIN_IDLE_S.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "http_api_internal.h"
#include "kafka_admin.h"
#include "log.h"
#include "util.h"

#define COMPONENT    "api"
#define IDLE_CHECK_S 5.0 /* how often an idle worker looks for an unused Kafka client */

typedef struct admin_job {
    http_wait *wait;
    char *op;
    json_t *args;
    struct admin_job *next;
} admin_job;

struct http_admin_pool {
    http_api *api;
    kafka_admin *kafka;
    pthread_mutex_t lock;
    pthread_cond_t work;
    admin_job *head, *tail;
    size_t queued;
    bool stopping;
    pthread_t threads[HTTP_ADMIN_WORKERS];
    int n_threads;
};

static void job_free(admin_job *j)
{
    http_wait_unref(j->wait);
    json_decref(j->args);
    free(j->op);
    free(j);
}

static void run_job(http_admin_pool *p, admin_job *j)
{
    http_api *api = p->api;
    json_t *conn = NULL;
    unsigned status = http_ask_core(api, "connection", json_object(), &conn);
    if (status != 200) {
        http_wait_finish(j->wait, status, conn);
        return;
    }
    const char *bootstrap = json_string_value(json_object_get(conn, "bootstrap"));
    int registered = (int)json_integer_value(json_object_get(conn, "registered"));
    json_t *out = NULL;
    int code = kafka_admin_run(p->kafka, bootstrap, registered, j->op, j->args, &out);
    if (code >= 400)
        log_info(COMPONENT, "%s: %d %s", j->op, code,
                 json_string_value(json_object_get(out, "error")));
    json_decref(conn);
    http_wait_finish(j->wait, (unsigned)code, out);
}

static void *worker_main(void *ud)
{
    http_admin_pool *p = ud;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stopping) {
            struct timespec until;
            mk_monotonic_timespec(&until, mk_now_monotonic() + IDLE_CHECK_S);
            if (pthread_cond_timedwait(&p->work, &p->lock, &until) != 0 && !p->head) {
                pthread_mutex_unlock(&p->lock);
                kafka_admin_close_idle(p->kafka, KAFKA_ADMIN_IDLE_S);
                pthread_mutex_lock(&p->lock);
            }
        }
        if (!p->head)
            break; /* stopping, and nothing left that was taken before the stop */
        admin_job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        bool stopping = p->stopping;
        pthread_mutex_unlock(&p->lock);
        if (stopping)
            http_wait_finish(j->wait, 503,
                             json_pack("{s:s}", "error", "the scheduler is stopping"));
        else
            run_job(p, j);
        job_free(j);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

http_admin_pool *http_admin_pool_start(http_api *api)
{
    http_admin_pool *p = mk_xcalloc(1, sizeof(*p));
    p->api = api;
    p->kafka = kafka_admin_new();
    pthread_mutex_init(&p->lock, NULL);
    mk_cond_init_monotonic(&p->work);
    for (int i = 0; i < HTTP_ADMIN_WORKERS; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->n_threads++;
    }
    if (p->n_threads == 0) {
        http_admin_pool_stop(p);
        return NULL;
    }
    return p;
}

int http_admin_submit(http_admin_pool *p, http_wait *w, const char *op, json_t *args)
{
    pthread_mutex_lock(&p->lock);
    if (p->stopping || p->queued >= HTTP_ADMIN_QUEUE) {
        pthread_mutex_unlock(&p->lock);
        return -1;
    }
    admin_job *j = mk_xcalloc(1, sizeof(*j));
    j->wait = http_wait_ref(w);
    j->op = mk_xstrdup(op);
    j->args = args;
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->queued++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void http_admin_pool_stop(http_admin_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    while (p->head) { /* no worker could start: finish what waits */
        admin_job *j = p->head;
        p->head = j->next;
        http_wait_finish(j->wait, 503, json_pack("{s:s}", "error", "the scheduler is stopping"));
        job_free(j);
    }
    kafka_admin_free(p->kafka);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

unsigned long http_admin_clients_created(http_admin_pool *p)
{
    return p ? kafka_admin_stats_get(p->kafka).clients_created : 0;
}
