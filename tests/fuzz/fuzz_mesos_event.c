/*
 * Fuzz the event parser: any bytes must give either an event (which clears without leaks) or an error
 * with a message, never a crash, a leak or undefined behaviour.
 */
#include <string.h>

#include "mesos_event.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    mesos_event ev;
    mk_err err = {{0}};
    if (mesos_event_parse((const char *)data, size, &ev, &err) == 0) {
        if (ev.type == MESOS_EVENT_OFFERS)
            for (size_t i = 0; i < ev.u.offers.n_offers; i++)
                (void)mesos_offer_scalar(&ev.u.offers.offers[i], "cpus", "kafka");
        (void)mesos_event_type_name(ev.type);
        mesos_event_clear(&ev);
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* every rejection says why */
    }
    return 0;
}
