/*
 * kafka_admin_produce: the producer test. `messages` records of `size` bytes go to an existing
 * topic as fast as the producer takes them, with acks=all and idempotence; each record's latency is
 * the time from its produce() to its delivery report.
 *
 * Every record carries the same payload buffer, not copied (librdkafka only references it), so
 * memory is one buffer plus 8 bytes a record. Delivery reports are served on this thread after
 * each produce(), so a report waits at most one produce() call to be seen.
 */
#include "kafka_admin_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define FLUSH_SLICE_MS 100

struct ka_produce {
    /* Per record: minus its produce() time until its report (monotonic time is positive), then its
     * latency in ms, or NAN if it failed. */
    double *t;
    long acked, failed;
    json_t *errors; /* {NAME: count} of the failures */
    double last_dr; /* monotonic time of the last delivery report */
};

static void count_error(struct ka_produce *p, rd_kafka_resp_err_t err)
{
    const char *name = rd_kafka_err2name(err);
    json_t *n = json_object_get(p->errors, name);
    json_object_set_new(p->errors, name, json_integer(n ? json_integer_value(n) + 1 : 1));
    p->failed++;
}

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct ka_produce *p = ((ka_client *)opaque)->produce;
    double now = mk_now_monotonic();
    double *slot = m->_private; /* the record's entry in p->t */
    p->last_dr = now;
    if (m->err) {
        *slot = NAN;
        count_error(p, m->err);
        return;
    }
    *slot = (now + *slot) * 1000.0;
    p->acked++;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest latency that `q` of the records did not exceed. */
static double percentile(const double *sorted, long n, double q)
{
    long rank = (long)ceil(q * (double)n);
    return sorted[rank < 1 ? 0 : rank - 1];
}

static json_t *latency_json(double *t, long n)
{
    long k = 0;
    double sum = 0;
    for (long i = 0; i < n; i++) {
        if (!isnan(t[i])) {
            sum += t[i];
            t[k++] = t[i];
        }
    }
    if (k == 0)
        return json_null();
    qsort(t, (size_t)k, sizeof(*t), cmp_double);
    return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "avg", sum / (double)k, "p50",
                     percentile(t, k, 0.50), "p95", percentile(t, k, 0.95), "p99",
                     percentile(t, k, 0.99), "p999", percentile(t, k, 0.999), "max", t[k - 1]);
}

/* Produces record `i`, waiting for room in the queue. Returns 0, or the error the record failed
 * with (it is then counted as failed). */
static rd_kafka_resp_err_t produce_one(ka_client *c, const char *name, const char *payload,
                                       long size, long i)
{
    for (;;) {
        c->produce->t[i] = -mk_now_monotonic();
        rd_kafka_resp_err_t err = rd_kafka_producev(
            c->rk, RD_KAFKA_V_TOPIC(name), RD_KAFKA_V_VALUE((void *)payload, (size_t)size),
            RD_KAFKA_V_MSGFLAGS(0), RD_KAFKA_V_OPAQUE(&c->produce->t[i]), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return err;
        rd_kafka_poll(c->rk, 10); /* deliveries make room */
    }
}

int ka_producer_test(const char *bootstrap, const char *name, long messages, long size,
                     json_t **reply)
{
    char timeout[24], max_bytes[24];
    snprintf(timeout, sizeof(timeout), "%d", KAFKA_ADMIN_MESSAGE_TIMEOUT_MS);
    /* Room for one record of `size` and its framing in a request; the broker and the topic's
     * max.message.bytes still decide, and their refusal is a failed record. */
    snprintf(max_bytes, sizeof(max_bytes), "%ld", size + 65536 > 1000000 ? size + 65536 : 1000000);
    const char *const props[] = {"acks", "all", "enable.idempotence", "true", "message.timeout.ms",
                                 timeout, "message.max.bytes", max_bytes,
                                 /* A refusal shows as itself, not as a timeout 30 s later. */
                                 "message.send.max.retries", "3",
                                 /* 32 MiB in flight, as the Java producer's buffer.memory: with
                                  * librdkafka's 1 GiB, latency would mostly be time queued here. */
                                 "queue.buffering.max.kbytes", "32768", NULL};
    struct ka_produce p = {.errors = json_object()};
    ka_client c = {.produce = &p};
    int status = ka_client_open(&c, RD_KAFKA_PRODUCER, bootstrap, props, dr_msg_cb, reply);
    if (status) {
        json_decref(p.errors);
        return status;
    }
    ka_md *m = ka_metadata(&c, &status, reply);
    if (m) {
        if (!ka_find_topic(m->md, name))
            status = ka_unknown_topic(reply, name);
        ka_md_release(m);
    }
    if (status) {
        ka_client_close(&c);
        json_decref(p.errors);
        return status;
    }

    p.t = mk_xcalloc((size_t)messages, sizeof(*p.t));
    char *payload = mk_xmalloc((size_t)size);
    for (long i = 0; i < size; i++)
        payload[i] = (char)('a' + i % 26);
    double start = mk_now_monotonic();
    rd_kafka_resp_err_t fatal = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (long i = 0; i < messages; i++) {
        rd_kafka_resp_err_t err = fatal ? fatal : produce_one(&c, name, payload, size, i);
        if (err) {
            p.t[i] = NAN;
            count_error(&p, err);
            if (err == RD_KAFKA_RESP_ERR__FATAL) /* the producer cannot go on: fail the rest */
                fatal = err;
        }
        rd_kafka_poll(c.rk, 0);
    }
    /* Every record ends, acked or failed, within message.timeout.ms of its produce(). */
    double flush_deadline = mk_now_monotonic() + KAFKA_ADMIN_MESSAGE_TIMEOUT_MS / 1000.0 + 5;
    while (rd_kafka_outq_len(c.rk) > 0 && mk_now_monotonic() < flush_deadline)
        rd_kafka_flush(c.rk, FLUSH_SLICE_MS);
    double end = p.last_dr > start ? p.last_dr : mk_now_monotonic();
    if (fatal) {
        char errstr[256];
        rd_kafka_fatal_error(c.rk, errstr, sizeof(errstr));
        log_warn("kafka", "producer test on %s stopped: %s", name, errstr);
    }
    /* Destroyed before the arrays: no delivery report may come after them. */
    ka_client_close(&c);
    free(payload);
    long unreported = messages - p.acked - p.failed;
    for (long i = 0; i < unreported; i++)
        count_error(&p, RD_KAFKA_RESP_ERR__TIMED_OUT);
    for (long i = 0; i < messages; i++)
        if (p.t[i] < 0)
            p.t[i] = NAN;

    double seconds = end - start;
    double rate = seconds > 0 ? (double)p.acked / seconds : 0;
    json_t *latency = latency_json(p.t, messages);
    free(p.t);
    *reply = json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:o}", "topic", name, "messages",
                       (json_int_t)messages, "size", (json_int_t)size, "acked", (json_int_t)p.acked,
                       "failed", (json_int_t)p.failed, "seconds", seconds, "records_per_s", rate,
                       "mb_per_s", rate * (double)size / 1048576.0, "latency_ms", latency);
    if (p.failed)
        json_object_set_new(*reply, "errors", p.errors);
    else
        json_decref(p.errors);
    return 200;
}
