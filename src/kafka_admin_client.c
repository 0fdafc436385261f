/*
 * kafka_admin_client: the librdkafka clients of kafka_admin. The admin and metadata ops share one
 * long-lived client per bootstrap list (a new list retires the old client once its last call is
 * done; an unused client is closed after KAFKA_ADMIN_IDLE_S), and calls that want the cluster's
 * metadata at the same moment share one request for it. The producer test and the cluster-id
 * question open a client of their own, for one call.
 */
#include "kafka_admin_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

/* One shared librdkafka client. `users`, `retired` and `idle_since` are under kafka_admin.lock;
 * the metadata fields under md_lock. */
struct ka_handle {
    kafka_admin *owner;
    rd_kafka_t *rk;
    char *bootstrap;
    int users;         /* calls that hold it */
    bool retired;      /* no longer current: destroyed by its last user */
    double idle_since; /* monotonic, when `users` last fell to 0 */
    atomic_bool all_down;

    pthread_mutex_t md_lock;
    pthread_cond_t md_done;
    bool fetching;
    unsigned long started, finished; /* metadata requests begun and ended on this client */
    ka_md *latest;                   /* the result of request `finished` */
};

struct kafka_admin {
    pthread_mutex_t lock;
    ka_handle *current;
    unsigned long created;
};

/* ---- callbacks ------------------------------------------------------------------------------- */

/* librdkafka's warnings and errors at info, the rest at debug: a broker that is briefly away is
 * normal here and must not fill stderr. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    log_write(level <= 4 ? LOG_INFO : LOG_DEBUG, "kafka", "%s: %s", fac, buf);
}

static void call_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    ka_client *c = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        c->all_down = true;
    log_debug("kafka", "%s: %s", rd_kafka_err2name(err), reason);
}

static void shared_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    ka_handle *h = opaque;
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        atomic_store(&h->all_down, true);
    log_debug("kafka", "%s: %s", rd_kafka_err2name(err), reason);
}

bool ka_all_down(const ka_client *c)
{
    return c->handle ? atomic_load(&c->handle->all_down) : c->all_down;
}

void ka_reachable(ka_client *c)
{
    if (c->handle)
        atomic_store(&c->handle->all_down, false);
}

int ka_remaining_ms(const ka_client *c)
{
    double left = (c->deadline - mk_now_monotonic()) * 1000.0;
    return left < 1.0 ? 1 : (int)left;
}

/* ---- configuration --------------------------------------------------------------------------- */

/* A configuration for `type` with the settings every client has, then `props` (NULL or key, value
 * pairs ending with NULL). NULL with *reply set when a setting is refused. */
static rd_kafka_conf_t *client_conf(rd_kafka_type_t type, const char *bootstrap,
                                    const char *const *props, json_t **reply)
{
    char timeout[24];
    snprintf(timeout, sizeof(timeout), "%d", KAFKA_ADMIN_TIMEOUT_MS);
    const char *const common[] = {
        "bootstrap.servers", bootstrap, "client.id", "mesos-kafka", "socket.timeout.ms", timeout,
        /* Never create a topic by asking for its metadata or producing to it. */
        "allow.auto.create.topics", "false",
        /* Idle connections closed by the broker are normal, not worth a line. */
        "log.connection.close", "false", NULL};
    const char *const consumer[] = {"isolation.level", "read_uncommitted", NULL};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[512];
    const char *const *lists[] = {common, type == RD_KAFKA_CONSUMER ? consumer : NULL, props};
    for (size_t l = 0; l < MK_ARRAY_LEN(lists); l++) {
        for (const char *const *p = lists[l]; p && p[0]; p += 2) {
            if (rd_kafka_conf_set(conf, p[0], p[1], errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
                rd_kafka_conf_destroy(conf);
                ka_error(reply, 500, "cannot configure the Kafka client (%s): %s", p[0], errstr);
                return NULL;
            }
        }
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    return conf;
}

static rd_kafka_t *client_new(rd_kafka_type_t type, rd_kafka_conf_t *conf, json_t **reply)
{
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
    if (!rk) {
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns conf only when it succeeds */
        ka_error(reply, 500, "cannot create the Kafka client: %s", errstr);
    }
    return rk;
}

/* ---- the client of one call ------------------------------------------------------------------ */

int ka_client_open(ka_client *c, rd_kafka_type_t type, const char *bootstrap,
                   const char *const *props,
                   void (*dr_msg_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                   json_t **reply)
{
    *c = (ka_client){.bootstrap = bootstrap, .produce = c->produce};
    c->deadline = mk_now_monotonic() + KAFKA_ADMIN_TIMEOUT_MS / 1000.0;
    rd_kafka_conf_t *conf = client_conf(type, bootstrap, props, reply);
    if (!conf)
        return 500;
    rd_kafka_conf_set_error_cb(conf, call_error_cb);
    if (dr_msg_cb)
        rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
    rd_kafka_conf_set_opaque(conf, c);
    c->rk = client_new(type, conf, reply);
    return c->rk ? 0 : 500;
}

void ka_client_close(ka_client *c)
{
    if (c->rk) {
        rd_kafka_poll(c->rk, 0); /* serve pending error callbacks before the client goes */
        rd_kafka_destroy(c->rk);
        c->rk = NULL;
    }
}

char *kafka_admin_cluster_id(const char *address, int timeout_ms)
{
    ka_client c = {0};
    cleanup_json json_t *reply = NULL;
    /* One broker, one try: do not wander to the others the metadata names. */
    const char *const props[] = {"reconnect.backoff.ms", "100", NULL};
    if (!address || ka_client_open(&c, RD_KAFKA_CONSUMER, address, props, NULL, &reply) != 0)
        return NULL;
    char *id = rd_kafka_clusterid(c.rk, timeout_ms);
    char *out = id ? mk_xstrdup(id) : NULL;
    if (id)
        rd_kafka_mem_free(c.rk, id);
    ka_client_close(&c);
    return out;
}

/* ---- the shared client ----------------------------------------------------------------------- */

kafka_admin *kafka_admin_new(void)
{
    kafka_admin *ka = mk_xcalloc(1, sizeof(*ka));
    pthread_mutex_init(&ka->lock, NULL);
    return ka;
}

static void md_free(ka_md *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        if (m->md)
            rd_kafka_metadata_destroy(m->md);
        free(m);
    }
}

void ka_md_release(ka_md *m)
{
    md_free(m);
}

static void handle_destroy(ka_handle *h)
{
    if (!h)
        return;
    rd_kafka_poll(h->rk, 0);
    rd_kafka_destroy(h->rk);
    md_free(h->latest);
    pthread_cond_destroy(&h->md_done);
    pthread_mutex_destroy(&h->md_lock);
    free(h->bootstrap);
    free(h);
}

/* A new shared client for `bootstrap`; NULL with *reply set. Called under ka->lock. */
static ka_handle *handle_new(kafka_admin *ka, const char *bootstrap, json_t **reply)
{
    rd_kafka_conf_t *conf = client_conf(RD_KAFKA_CONSUMER, bootstrap, NULL, reply);
    if (!conf)
        return NULL;
    ka_handle *h = mk_xcalloc(1, sizeof(*h));
    h->owner = ka;
    h->bootstrap = mk_xstrdup(bootstrap);
    atomic_init(&h->all_down, false);
    pthread_mutex_init(&h->md_lock, NULL);
    mk_cond_init_monotonic(&h->md_done);
    rd_kafka_conf_set_error_cb(conf, shared_error_cb);
    rd_kafka_conf_set_opaque(conf, h);
    h->rk = client_new(RD_KAFKA_CONSUMER, conf, reply);
    if (!h->rk) {
        pthread_cond_destroy(&h->md_done);
        pthread_mutex_destroy(&h->md_lock);
        free(h->bootstrap);
        free(h);
        return NULL;
    }
    ka->created++;
    log_info("kafka", "admin client opened for %s", bootstrap);
    return h;
}

int ka_client_acquire(kafka_admin *ka, ka_client *c, const char *bootstrap, json_t **reply)
{
    *c = (ka_client){.bootstrap = bootstrap};
    c->deadline = mk_now_monotonic() + KAFKA_ADMIN_TIMEOUT_MS / 1000.0;
    ka_handle *old = NULL;
    pthread_mutex_lock(&ka->lock);
    ka_handle *h = ka->current;
    if (h && strcmp(h->bootstrap, bootstrap) != 0) {
        /* The brokers moved: the old client's connections lead to the old addresses. */
        h->retired = true;
        if (h->users == 0)
            old = h;
        ka->current = h = NULL;
    }
    if (!h)
        h = ka->current = handle_new(ka, bootstrap, reply);
    if (h)
        h->users++;
    pthread_mutex_unlock(&ka->lock);
    handle_destroy(old);
    if (!h)
        return 500;
    c->handle = h;
    c->rk = h->rk;
    return 0;
}

void ka_client_release(ka_client *c)
{
    ka_handle *h = c->handle;
    if (!h)
        return;
    kafka_admin *ka = h->owner;
    bool last = false;
    rd_kafka_poll(h->rk, 0); /* error events queue up on the client until someone serves them */
    pthread_mutex_lock(&ka->lock);
    if (--h->users == 0) {
        h->idle_since = mk_now_monotonic();
        last = h->retired;
    }
    pthread_mutex_unlock(&ka->lock);
    if (last)
        handle_destroy(h);
    c->handle = NULL;
    c->rk = NULL;
}

void kafka_admin_close_idle(kafka_admin *ka, double idle_s)
{
    ka_handle *old = NULL;
    pthread_mutex_lock(&ka->lock);
    ka_handle *h = ka->current;
    if (h && h->users == 0 && mk_now_monotonic() - h->idle_since >= idle_s) {
        old = h;
        ka->current = NULL;
    }
    pthread_mutex_unlock(&ka->lock);
    if (old)
        log_info("kafka", "admin client for %s closed after %.0f s unused", old->bootstrap, idle_s);
    handle_destroy(old);
}

kafka_admin_stats kafka_admin_stats_get(kafka_admin *ka)
{
    pthread_mutex_lock(&ka->lock);
    kafka_admin_stats st = {.clients_created = ka->created, .client_open = ka->current != NULL};
    pthread_mutex_unlock(&ka->lock);
    return st;
}

void kafka_admin_free(kafka_admin *ka)
{
    if (!ka)
        return;
    /* Every call has returned by now (the callers are joined first). */
    handle_destroy(ka->current);
    pthread_mutex_destroy(&ka->lock);
    free(ka);
}

/* ---- metadata -------------------------------------------------------------------------------- */

/* One metadata request on `rk` within `timeout_ms`: all topics, because a request naming one
 * topic may create it on brokers that auto-create. */
static ka_md *fetch_metadata(rd_kafka_t *rk, int timeout_ms)
{
    ka_md *m = mk_xcalloc(1, sizeof(*m));
    atomic_init(&m->refs, 1);
    m->err = rd_kafka_metadata(rk, 1, NULL, &m->md, timeout_ms);
    if (!m->err && !m->md) /* not seen: librdkafka sets the metadata when it succeeds */
        m->err = RD_KAFKA_RESP_ERR__FAIL;
    return m;
}

/* The result of a metadata request that began after this call did: the call's own, or the one a
 * concurrent call began in the meantime. NULL when neither ended before the call's deadline. */
static ka_md *shared_metadata(ka_client *c)
{
    ka_handle *h = c->handle;
    ka_md *m = NULL;
    pthread_mutex_lock(&h->md_lock);
    /* A request already under way may have been sent before what the caller wants to see. */
    unsigned long wanted = h->started + 1;
    while (h->finished < wanted) {
        if (!h->fetching) {
            h->fetching = true;
            unsigned long mine = ++h->started;
            pthread_mutex_unlock(&h->md_lock);
            ka_md *got = fetch_metadata(h->rk, ka_remaining_ms(c));
            pthread_mutex_lock(&h->md_lock);
            md_free(h->latest);
            h->latest = got;
            h->finished = mine;
            h->fetching = false;
            pthread_cond_broadcast(&h->md_done);
            continue;
        }
        struct timespec until;
        mk_monotonic_timespec(&until, c->deadline);
        if (pthread_cond_timedwait(&h->md_done, &h->md_lock, &until) != 0 &&
            mk_now_monotonic() >= c->deadline)
            break;
    }
    if (h->finished >= wanted) {
        m = h->latest;
        atomic_fetch_add(&m->refs, 1);
    }
    pthread_mutex_unlock(&h->md_lock);
    return m;
}

ka_md *ka_metadata(ka_client *c, int *status, json_t **reply)
{
    ka_md *m = c->handle ? shared_metadata(c) : fetch_metadata(c->rk, ka_remaining_ms(c));
    rd_kafka_resp_err_t err = m ? m->err : RD_KAFKA_RESP_ERR__TIMED_OUT;
    if (!err) {
        ka_reachable(c);
        return m;
    }
    md_free(m);
    rd_kafka_poll(c->rk, 0); /* let the error callback say whether any broker was reachable */
    /* No broker became usable in time, though some could be reached: they are slow (a connection
     * dropped early stays _TRANSPORT). */
    if (err == RD_KAFKA_RESP_ERR__TRANSPORT && !ka_all_down(c) && ka_remaining_ms(c) < 100)
        err = RD_KAFKA_RESP_ERR__TIMED_OUT;
    *status = ka_kafka_error(reply, c, err, NULL, "cannot read Kafka's metadata");
    return NULL;
}
