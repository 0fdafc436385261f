/*
 * placement: the free space of an offer, and taking tasks out of it.
 *
 * Scalars are taken from the offer's resources in their order, splitting across several entries
 * of the same name (an unreserved and a reserved cpus, say) when one is not enough. Ports are taken
 * lowest first, or exactly the member's earlier ports when it has a home: a ZooKeeper member's
 * ports are written into every other member's server list, and a broker's into its advertised
 * listener, so they may not change on a restart.
 */
#include "placement.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define EPSILON 1e-9

typedef struct {
    const mesos_resource *res;
    double scalar_left;
    mesos_range *ranges; /* RANGES: what is still free */
    size_t n_ranges;
} space_resource;

struct offer_space {
    const mesos_offer *offer;
    space_resource *res;
    size_t n_res;
};

static bool usable(const mesos_resource *r, const char *role)
{
    if (r->has_disk_info)
        return false;
    return !r->role || (role && strcmp(r->role, role) == 0);
}

offer_space *offer_space_new(const mesos_offer *offer, const char *role)
{
    offer_space *s = mk_xcalloc(1, sizeof(*s));
    s->offer = offer;
    s->res = mk_xcalloc(offer->n_resources ? offer->n_resources : 1, sizeof(space_resource));
    for (size_t i = 0; i < offer->n_resources; i++) {
        const mesos_resource *r = &offer->resources[i];
        if (!usable(r, role) || r->type == RESOURCE_SET)
            continue;
        space_resource *sr = &s->res[s->n_res++];
        sr->res = r;
        sr->scalar_left = r->type == RESOURCE_SCALAR ? r->scalar : 0;
        if (r->type == RESOURCE_RANGES && r->n_ranges) {
            sr->ranges = mk_xmalloc(r->n_ranges * sizeof(mesos_range));
            memcpy(sr->ranges, r->ranges, r->n_ranges * sizeof(mesos_range));
            sr->n_ranges = r->n_ranges;
        }
    }
    return s;
}

void offer_space_free(offer_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_res; i++)
        free(s->res[i].ranges);
    free(s->res);
    free(s);
}

const mesos_offer *offer_space_offer(const offer_space *s)
{
    return s->offer;
}

static double scalar_left(const offer_space *s, const char *name)
{
    double sum = 0;
    for (size_t i = 0; i < s->n_res; i++)
        if (s->res[i].res->type == RESOURCE_SCALAR && strcmp(s->res[i].res->name, name) == 0)
            sum += s->res[i].scalar_left;
    return sum;
}

/* Where a free port is: the resource and range index, or -1. */
static int find_port(const offer_space *s, uint64_t port, size_t *ri, size_t *gi)
{
    for (size_t i = 0; i < s->n_res; i++) {
        const space_resource *sr = &s->res[i];
        if (sr->res->type != RESOURCE_RANGES || strcmp(sr->res->name, "ports") != 0)
            continue;
        for (size_t g = 0; g < sr->n_ranges; g++)
            if (sr->ranges[g].begin <= port && port <= sr->ranges[g].end) {
                *ri = i;
                *gi = g;
                return 0;
            }
    }
    return -1;
}

/* The lowest `n` free ports (distinct) within the need's range, or -1 if there are not that
 * many. */
static int lowest_ports(const offer_space *s, const placement_need *need, int *out)
{
    int n = need->n_ports, found = 0;
    uint64_t floor = need->port_lo > 0 ? (uint64_t)need->port_lo : 0;
    uint64_t ceiling = need->port_hi > 0 ? (uint64_t)need->port_hi : 65535;
    while (found < n) {
        uint64_t best = UINT64_MAX;
        for (size_t i = 0; i < s->n_res; i++) {
            const space_resource *sr = &s->res[i];
            if (sr->res->type != RESOURCE_RANGES || strcmp(sr->res->name, "ports") != 0)
                continue;
            for (size_t g = 0; g < sr->n_ranges; g++) {
                uint64_t lo = sr->ranges[g].begin > floor ? sr->ranges[g].begin : floor;
                if (lo <= sr->ranges[g].end && lo < best && lo >= 1 && lo <= 65535)
                    best = lo;
            }
        }
        if (best == UINT64_MAX || best > ceiling)
            return -1;
        out[found++] = (int)best;
        floor = best + 1;
    }
    return 0;
}

bool offer_space_fits(const offer_space *s, const placement_need *need)
{
    if (need->n_ports < 0 || need->n_ports > 8)
        return false; /* more than any member needs */
    if (scalar_left(s, "cpus") + EPSILON < need->cpus ||
        scalar_left(s, "mem") + EPSILON < need->mem_mb ||
        (need->disk_mb > 0 && scalar_left(s, "disk") + EPSILON < need->disk_mb))
        return false;
    if (need->n_ports == 0)
        return true;
    if (need->fixed_ports) {
        for (int i = 0; i < need->n_ports; i++) {
            size_t ri, gi;
            if (find_port(s, (uint64_t)need->fixed_ports[i], &ri, &gi) < 0)
                return false;
        }
        return true;
    }
    int ports[8];
    return lowest_ports(s, need, ports) == 0;
}

/* A Resource JSON like `r` (name, type, allocation_info, reservation) without its value. */
static json_t *resource_like(const mesos_resource *r, const mesos_offer *o)
{
    json_t *j = json_pack("{s:s, s:s}", "name", r->name, "type",
                          r->type == RESOURCE_SCALAR ? "SCALAR" : "RANGES");
    if (o->allocation_role)
        json_object_set_new(j, "allocation_info", json_pack("{s:s}", "role", o->allocation_role));
    if (r->reservation_json) {
        json_t *kept = json_loads(r->reservation_json, 0, NULL);
        json_object_update(j, kept);
        json_decref(kept);
    }
    return j;
}

static void take_scalar(offer_space *s, const char *name, double amount, json_t *out)
{
    for (size_t i = 0; i < s->n_res && amount > EPSILON; i++) {
        space_resource *sr = &s->res[i];
        if (sr->res->type != RESOURCE_SCALAR || strcmp(sr->res->name, name) != 0 ||
            sr->scalar_left <= EPSILON)
            continue;
        double take = amount < sr->scalar_left ? amount : sr->scalar_left;
        /* Mesos keeps scalars to three decimals; round so the sum matches what was asked. */
        take = (double)(long long)(take * 1000.0 + 0.5) / 1000.0;
        if (take <= 0)
            continue;
        sr->scalar_left -= take;
        amount -= take;
        json_t *j = resource_like(sr->res, s->offer);
        json_object_set_new(j, "scalar", json_pack("{s:f}", "value", take));
        json_array_append_new(out, j);
    }
}

/* Removes `port` from range `gi` of resource `ri`, splitting the range if needed. */
static void remove_port(space_resource *sr, size_t gi, uint64_t port)
{
    mesos_range r = sr->ranges[gi];
    if (r.begin == port && r.end == port) {
        sr->ranges[gi] = sr->ranges[--sr->n_ranges];
    } else if (r.begin == port) {
        sr->ranges[gi].begin++;
    } else if (r.end == port) {
        sr->ranges[gi].end--;
    } else {
        sr->ranges = mk_xrealloc(sr->ranges, (sr->n_ranges + 1) * sizeof(mesos_range));
        sr->ranges[gi].end = port - 1;
        sr->ranges[sr->n_ranges].begin = port + 1;
        sr->ranges[sr->n_ranges].end = r.end;
        sr->n_ranges++;
    }
}

json_t *offer_space_take(offer_space *s, const placement_need *need, int *ports)
{
    if (!offer_space_fits(s, need))
        return NULL;
    int chosen[8];
    if (need->n_ports > 0) {
        if (need->fixed_ports)
            memcpy(chosen, need->fixed_ports, (size_t)need->n_ports * sizeof(int));
        else if (lowest_ports(s, need, chosen) < 0)
            return NULL;
    }
    json_t *out = json_array();
    take_scalar(s, "cpus", need->cpus, out);
    take_scalar(s, "mem", need->mem_mb, out);
    if (need->disk_mb > 0)
        take_scalar(s, "disk", need->disk_mb, out);
    /* One ports resource per offer resource they came from, each port its own range. */
    size_t src[8];
    json_t *dst[8];
    int n_src = 0;
    for (int p = 0; p < need->n_ports; p++) {
        size_t ri, gi;
        if (find_port(s, (uint64_t)chosen[p], &ri, &gi) < 0)
            abort(); /* offer_space_fits said it was free */
        space_resource *sr = &s->res[ri];
        remove_port(sr, gi, (uint64_t)chosen[p]);
        int k = 0;
        while (k < n_src && src[k] != ri)
            k++;
        if (k == n_src) {
            src[k] = ri;
            dst[k] = resource_like(sr->res, s->offer);
            json_object_set_new(dst[k], "ranges", json_pack("{s:[]}", "range"));
            json_array_append_new(out, dst[k]);
            n_src++;
        }
        json_array_append_new(json_object_get(json_object_get(dst[k], "ranges"), "range"),
                              json_pack("{s:i, s:i}", "begin", chosen[p], "end", chosen[p]));
        ports[p] = chosen[p];
    }
    return out;
}
