/*
 * placement: fitting tasks into offers.
 *
 * An offer_space is what is left of one offer while the core plans launches on it: every resource
 * the framework may use (unreserved, or reserved for its role; never a disk with disk info), with
 * the amounts and port ranges still free. Taking a need out of it yields the exact Resource JSON of
 * the task, each piece copied from the offer's own resource with its allocation_info and
 * reservation, so a launch never names a resource (or a port) the offer did not contain.
 *
 * Pure and allocation-light: deciding 10,000 offers is a benchmark target (make bench).
 */
#ifndef MK_PLACEMENT_H
#define MK_PLACEMENT_H

#include <jansson.h>
#include <stdbool.h>

#include "mesos_event.h"

typedef struct {
    double cpus, mem_mb, disk_mb;
    int n_ports;            /* host ports needed (0 on a USER network) */
    const int *fixed_ports; /* the member's ports from an earlier launch, or NULL for any */
    int port_lo, port_hi;   /* otherwise the ports come from this range (0, 0: any) */
} placement_need;

typedef struct offer_space offer_space;

/* Builds the free space of `offer` for `role`. */
offer_space *offer_space_new(const mesos_offer *offer, const char *role);
void offer_space_free(offer_space *s);
const mesos_offer *offer_space_offer(const offer_space *s);

/* Whether `need` fits in what is left. */
bool offer_space_fits(const offer_space *s, const placement_need *need);

/* Takes `need` out of the space: returns the task's resources (a new JSON array) and writes the
 * chosen host ports to `ports` (need->n_ports of them). NULL if it does not fit (nothing taken). */
json_t *offer_space_take(offer_space *s, const placement_need *need, int *ports);

#endif
