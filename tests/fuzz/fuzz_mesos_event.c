/*
 * Fuzz the event parser. Any bytes must give either an event that honours the header's promises
 * (required fields set, counts matching arrays, scalars finite and non-negative, ranges ordered,
 * a task state consistent with its name) or an error with a message and an untouched event; parsing
 * is deterministic, and parsing offers one by one (as events past 64 KiB are) gives the same
 * outcome; clearing leaves an all-zero event. No crash, leak or undefined behaviour.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "mesos_event.h"

#include "fuzz_check.h"

/* Every byte zero (the parser and mesos_event_clear memset the whole struct, padding included). */
static bool is_zero(const mesos_event *ev)
{
    const unsigned char *bytes = (const unsigned char *)ev;
    for (size_t i = 0; i < sizeof(*ev); i++)
        if (bytes[i])
            return false;
    return true;
}

static void check_offer(const mesos_offer *o)
{
    CHECK(o->id && o->agent_id && o->hostname);
    CHECK(o->n_resources == 0 || o->resources);
    for (size_t i = 0; i < o->n_resources; i++) {
        const mesos_resource *r = &o->resources[i];
        CHECK(r->name);
        CHECK(isfinite(r->scalar) && r->scalar >= 0);
        CHECK(r->n_ranges == 0 || r->ranges);
        for (size_t k = 0; k < r->n_ranges; k++)
            CHECK(r->ranges[k].begin <= r->ranges[k].end);
        for (size_t k = 0; k < r->n_set_items; k++)
            CHECK(r->set_items[k]);
        CHECK(!r->role == !r->reservation_json); /* reserved <=> the reservation is kept */
    }
    for (size_t i = 0; i < o->n_attributes; i++)
        CHECK(o->attributes[i].name && o->attributes[i].value);
    double cpus = mesos_offer_scalar(o, "cpus", "kafka");
    CHECK(!isnan(cpus) && cpus >= 0);
}

static void check_event(const mesos_event *ev)
{
    switch (ev->type) {
    case MESOS_EVENT_SUBSCRIBED:
        CHECK(ev->u.subscribed.framework_id);
        CHECK(ev->u.subscribed.heartbeat_interval_s > 0);
        break;
    case MESOS_EVENT_OFFERS:
        for (size_t i = 0; i < ev->u.offers.n_offers; i++)
            check_offer(&ev->u.offers.offers[i]);
        break;
    case MESOS_EVENT_INVERSE_OFFERS:
        for (size_t i = 0; i < ev->u.inverse_offers.n; i++)
            CHECK(ev->u.inverse_offers.ids[i]);
        break;
    case MESOS_EVENT_RESCIND:
        CHECK(ev->u.rescind.offer_id);
        break;
    case MESOS_EVENT_RESCIND_INVERSE_OFFER:
        CHECK(ev->u.rescind_inverse_offer.inverse_offer_id);
        break;
    case MESOS_EVENT_UPDATE: {
        const mesos_task_status *s = &ev->u.update;
        mesos_task_state parsed;
        CHECK(s->task_id && s->state_name);
        if (mesos_task_state_parse(s->state_name, &parsed) == 0)
            CHECK(parsed == s->state);
        else
            CHECK(s->state == TASK_STATE_UNKNOWN_ENUM);
        CHECK(s->healthy >= -1 && s->healthy <= 1);
        for (size_t i = 0; i < s->n_ip_addresses; i++)
            CHECK(s->ip_addresses[i]);
        (void)mesos_task_state_is_terminal(s->state);
        (void)mesos_task_state_name(s->state);
        break;
    }
    case MESOS_EVENT_UPDATE_OPERATION_STATUS:
        CHECK(ev->u.operation_status.state);
        break;
    case MESOS_EVENT_MESSAGE:
        CHECK(ev->u.message.agent_id && ev->u.message.executor_id);
        CHECK(ev->u.message.data);
        break;
    case MESOS_EVENT_ERROR:
        CHECK(ev->u.error.message);
        break;
    case MESOS_EVENT_FAILURE:
    case MESOS_EVENT_HEARTBEAT:
        break;
    case MESOS_EVENT_UNKNOWN:
    default:
        CHECK(0); /* a parsed event always has a known type */
    }
    CHECK(strcmp(mesos_event_type_name(ev->type), "UNKNOWN") != 0);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    mesos_event ev, again;
    mk_err err = {{0}}, err_again = {{0}};
    int rc = mesos_event_parse((const char *)data, size, &ev, &err);
    int rc_again = mesos_event_parse_streamed((const char *)data, size, &again, &err_again);
    CHECK(rc == rc_again);
    if (rc == 0) {
        CHECK(ev.type == again.type);
        if (ev.type == MESOS_EVENT_OFFERS)
            CHECK(ev.u.offers.n_offers == again.u.offers.n_offers);
        check_event(&ev);
        mesos_event_clear(&ev);
        mesos_event_clear(&again);
        CHECK(is_zero(&ev));
    } else {
        CHECK(rc == -1);
        CHECK(err.msg[0] != '\0'); /* every rejection says why */
        CHECK(is_zero(&ev) && is_zero(&again));
    }
    return 0;
}
