/*
 * mesos_policy: the Mesos client's decisions that need no I/O, so they can be tested as tables.
 *
 *  - backoff: how long to wait before the next SUBSCRIBE: 0.5 s doubling up to a maximum, each
 *    delay a random point between 50% and 100% of the step, so schedulers do not retry in step;
 *  - rotation: which master of MESOS_MASTER to try next: an unreachable master hands over to the
 *    next at once; only a full round of failures, a 503 or a lost stream waits for the backoff;
 *  - what an HTTP answer to SUBSCRIBE means, and what an ERROR event means.
 * The client owns one backoff and one rotation; nothing here is shared.
 */
#ifndef MK_MESOS_POLICY_H
#define MK_MESOS_POLICY_H

#define MESOS_BACKOFF_INITIAL_S 0.5
/* Redirects followed from one master before the attempt counts as failed (a loop, or a chain of
 * masters that all point elsewhere). */
#define MESOS_MAX_REDIRECTS 4

typedef struct {
    double initial_s;
    double max_s;
    double step_s; /* the step the next delay is drawn from */
} mesos_backoff;

void mesos_backoff_init(mesos_backoff *b, double initial_s, double max_s);
/* After a successful SUBSCRIBED. */
void mesos_backoff_reset(mesos_backoff *b);
/* The next delay, step * (0.5 + 0.5 * unit_random) with unit_random in [0, 1]; then the step
 * doubles (up to max_s). */
double mesos_backoff_next(mesos_backoff *b, double unit_random);

/* How one SUBSCRIBE attempt ended, as far as choosing the next one goes. */
typedef enum {
    MESOS_ATTEMPT_UNREACHABLE, /* no usable answer: refused, timed out, TLS broken, bad redirects */
    MESOS_ATTEMPT_UNAVAILABLE, /* the master answered but cannot serve us now (503, 5xx) */
    MESOS_ATTEMPT_STREAM_ENDED, /* a 200 stream closed, was cut, or went silent */
} mesos_attempt_outcome;

typedef struct {
    int n_masters;
    int current;        /* index of the master the next attempt starts from */
    int failed_in_turn; /* unreachable masters since the last wait */
} mesos_rotation;

void mesos_rotation_init(mesos_rotation *r, int n_masters);
/* After a successful SUBSCRIBED: the current master is the good one. */
void mesos_rotation_succeeded(mesos_rotation *r);
/* Decides after a failed or ended attempt: moves `current` as the outcome calls for and returns
 * the delay before the next attempt (0 = at once):
 *   UNREACHABLE  -> next master at once; after a whole round of them, wait for the backoff;
 *   UNAVAILABLE  -> wait for the backoff, then the next master;
 *   STREAM_ENDED -> wait for the backoff, then the same master (it was the leader a moment ago,
 *                   and if it no longer is it redirects or refuses, which moves us on). */
double mesos_rotation_next(mesos_rotation *r, mesos_attempt_outcome outcome, mesos_backoff *b,
                           double unit_random);

/* What an HTTP status answering SUBSCRIBE asks the client to do. */
typedef enum {
    MESOS_ANSWER_STREAM,          /* 200: read the event stream */
    MESOS_ANSWER_REDIRECT,        /* 307 (and 301/302/303/308): ask the master in Location */
    MESOS_ANSWER_FATAL_AUTH,      /* 401: credentials refused */
    MESOS_ANSWER_FATAL_FORBIDDEN, /* 403 */
    MESOS_ANSWER_FATAL_INVALID,   /* 400, 406, 415: the master says our request is wrong; it
                                      would say so again */
    MESOS_ANSWER_RETRY_LATER,     /* 503 (no leader, recovering) and other 5xx */
    MESOS_ANSWER_NEXT_MASTER,     /* anything else (404, 405...): this is not a usable master */
} mesos_answer;

mesos_answer mesos_subscribe_answer(long http_status);

/* What an ERROR event says about the framework. */
typedef enum {
    MESOS_ERROR_OTHER,             /* log it; the master closes the stream */
    MESOS_ERROR_FAILED_OVER,       /* another scheduler instance subscribed with our id */
    MESOS_ERROR_FRAMEWORK_REMOVED, /* our framework id is no longer valid */
} mesos_error_kind;

/* `framework_id` (may be NULL) is the id we subscribed with: an error naming it is about it. */
mesos_error_kind mesos_error_classify(const char *message, const char *framework_id);

#endif
