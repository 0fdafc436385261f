/*
 * mesos_policy: backoff, master rotation, and the meaning of SUBSCRIBE answers and ERROR events.
 *
 * Kept apart from mesos_client.c so every rule is a pure function with a table test. The rules
 * follow Mesos's own guidance (docs/high-availability-framework-guide.md and the master code in
 * ../shared/MESOS-API.md §1, §11): re-subscribe with exponential backoff, move on from a master
 * that cannot be reached, wait while there is no leader, stop on credentials the master refuses.
 */
#include "mesos_policy.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* ---- backoff --------------------------------------------------------------------------------- */

void mesos_backoff_init(mesos_backoff *b, double initial_s, double max_s)
{
    b->initial_s = initial_s > 0 ? initial_s : MESOS_BACKOFF_INITIAL_S;
    b->max_s = max_s > 0 ? max_s : b->initial_s;
    mesos_backoff_reset(b);
}

void mesos_backoff_reset(mesos_backoff *b)
{
    b->step_s = b->initial_s < b->max_s ? b->initial_s : b->max_s;
}

double mesos_backoff_next(mesos_backoff *b, double unit_random)
{
    if (!(unit_random >= 0.0)) /* also catches NaN */
        unit_random = 0.0;
    if (unit_random > 1.0)
        unit_random = 1.0;
    double delay = b->step_s * (0.5 + 0.5 * unit_random);
    b->step_s *= 2.0;
    if (b->step_s > b->max_s)
        b->step_s = b->max_s;
    return delay;
}

/* ---- master rotation ------------------------------------------------------------------------- */

void mesos_rotation_init(mesos_rotation *r, int n_masters)
{
    r->n_masters = n_masters > 0 ? n_masters : 1;
    r->current = 0;
    r->failed_in_turn = 0;
}

void mesos_rotation_succeeded(mesos_rotation *r)
{
    r->failed_in_turn = 0;
}

double mesos_rotation_next(mesos_rotation *r, mesos_attempt_outcome outcome, mesos_backoff *b,
                           double unit_random)
{
    switch (outcome) {
    case MESOS_ATTEMPT_UNREACHABLE:
        r->current = (r->current + 1) % r->n_masters;
        if (++r->failed_in_turn < r->n_masters)
            return 0.0;
        r->failed_in_turn = 0;
        return mesos_backoff_next(b, unit_random);
    case MESOS_ATTEMPT_UNAVAILABLE:
        r->current = (r->current + 1) % r->n_masters;
        r->failed_in_turn = 0;
        return mesos_backoff_next(b, unit_random);
    case MESOS_ATTEMPT_STREAM_ENDED:
    default:
        r->failed_in_turn = 0;
        return mesos_backoff_next(b, unit_random);
    }
}

/* ---- answers and errors ---------------------------------------------------------------------- */

mesos_answer mesos_subscribe_answer(long http_status)
{
    switch (http_status) {
    case 200:
        return MESOS_ANSWER_STREAM;
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
        return MESOS_ANSWER_REDIRECT;
    case 401:
        return MESOS_ANSWER_FATAL_AUTH;
    case 403:
        return MESOS_ANSWER_FATAL_FORBIDDEN;
    case 400:
    case 406:
    case 415:
        return MESOS_ANSWER_FATAL_INVALID;
    default:
        return http_status >= 500 && http_status <= 599 ? MESOS_ANSWER_RETRY_LATER
                                                        : MESOS_ANSWER_NEXT_MASTER;
    }
}

static bool contains(const char *haystack, const char *needle)
{
    return strcasestr(haystack, needle) != NULL;
}

mesos_error_kind mesos_error_classify(const char *message, const char *framework_id)
{
    if (!message)
        return MESOS_ERROR_OTHER;
    if (contains(message, "failed over"))
        return MESOS_ERROR_FAILED_OVER;
    /* "Framework has been removed" is what the master says (master.cpp); the other spellings guard
     * against rewordings of the same fact. */
    if (contains(message, "framework") &&
        (contains(message, "removed") || contains(message, "cannot be found") ||
         contains(message, "not found") || contains(message, "unknown framework")))
        return MESOS_ERROR_FRAMEWORK_REMOVED;
    if (contains(message, "framework id") || contains(message, "framework_id") ||
        contains(message, "frameworkid"))
        return MESOS_ERROR_FRAMEWORK_REMOVED;
    if (framework_id && *framework_id && strstr(message, framework_id))
        return MESOS_ERROR_FRAMEWORK_REMOVED;
    return MESOS_ERROR_OTHER;
}
