/*
 * mesos_event: one v1 scheduler Event (JSON) into plain C structs.
 *
 * jansson parses the record; each event type then has a small converter that copies what the
 * framework uses into owned C memory, and the JSON tree is dropped before returning. Converters are
 * strict about what a type requires (an OFFERS event without offers is an error, not an empty list)
 * and ignore what they do not know, as a client of a newer master must.
 *
 * Numbers: the master writes int64/uint64 as JSON numbers, but stout also reads numbers given as
 * strings, and a tolerant reader costs nothing, so scalars and range bounds accept both.
 */
#include "mesos_event.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------------------------------ */

static const char *const event_names[] = {
    [MESOS_EVENT_UNKNOWN] = "UNKNOWN",
    [MESOS_EVENT_SUBSCRIBED] = "SUBSCRIBED",
    [MESOS_EVENT_OFFERS] = "OFFERS",
    [MESOS_EVENT_INVERSE_OFFERS] = "INVERSE_OFFERS",
    [MESOS_EVENT_RESCIND] = "RESCIND",
    [MESOS_EVENT_RESCIND_INVERSE_OFFER] = "RESCIND_INVERSE_OFFER",
    [MESOS_EVENT_UPDATE] = "UPDATE",
    [MESOS_EVENT_UPDATE_OPERATION_STATUS] = "UPDATE_OPERATION_STATUS",
    [MESOS_EVENT_MESSAGE] = "MESSAGE",
    [MESOS_EVENT_FAILURE] = "FAILURE",
    [MESOS_EVENT_ERROR] = "ERROR",
    [MESOS_EVENT_HEARTBEAT] = "HEARTBEAT",
};

const char *mesos_event_type_name(mesos_event_type t)
{
    if ((int)t < 0 || (size_t)t >= MK_ARRAY_LEN(event_names))
        return "UNKNOWN";
    return event_names[t];
}

static const char *const state_names[] = {
    [TASK_STAGING] = "TASK_STAGING",
    [TASK_STARTING] = "TASK_STARTING",
    [TASK_RUNNING] = "TASK_RUNNING",
    [TASK_KILLING] = "TASK_KILLING",
    [TASK_FINISHED] = "TASK_FINISHED",
    [TASK_FAILED] = "TASK_FAILED",
    [TASK_KILLED] = "TASK_KILLED",
    [TASK_ERROR] = "TASK_ERROR",
    [TASK_LOST] = "TASK_LOST",
    [TASK_DROPPED] = "TASK_DROPPED",
    [TASK_UNREACHABLE] = "TASK_UNREACHABLE",
    [TASK_GONE] = "TASK_GONE",
    [TASK_GONE_BY_OPERATOR] = "TASK_GONE_BY_OPERATOR",
    [TASK_UNKNOWN] = "TASK_UNKNOWN",
};

const char *mesos_task_state_name(mesos_task_state s)
{
    if ((int)s < 0 || (size_t)s >= MK_ARRAY_LEN(state_names))
        return "TASK_STATE_UNRECOGNIZED";
    return state_names[s];
}

int mesos_task_state_parse(const char *s, mesos_task_state *out)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(state_names); i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *out = (mesos_task_state)i;
            return 0;
        }
    }
    return -1;
}

bool mesos_task_state_is_terminal(mesos_task_state s)
{
    switch (s) {
    case TASK_FINISHED:
    case TASK_FAILED:
    case TASK_KILLED:
    case TASK_ERROR:
    case TASK_LOST:
    case TASK_DROPPED:
    case TASK_GONE:
    case TASK_GONE_BY_OPERATOR:
        return true;
    default:
        return false;
    }
}

/* ---- JSON helpers ----------------------------------------------------------------------------- */

/* Optional string: NULL when absent; an error when present but not a string. */
static int opt_string(const json_t *obj, const char *key, char **out, const char *where,
                      mk_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return mk_err_set(err, "%s.%s is not a string", where, key);
    *out = mk_xstrndup(json_string_value(v), json_string_length(v));
    return 0;
}

static int req_string(const json_t *obj, const char *key, char **out, const char *where,
                      mk_err *err)
{
    if (opt_string(obj, key, out, where, err) < 0)
        return -1;
    if (!*out)
        return mk_err_set(err, "%s.%s is missing", where, key);
    return 0;
}

/* An id message {"value": "..."}. */
static int opt_id(const json_t *obj, const char *key, char **out, const char *where, mk_err *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return mk_err_set(err, "%s.%s is not an object", where, key);
    char sub[128];
    snprintf(sub, sizeof(sub), "%s.%s", where, key);
    return req_string(v, "value", out, sub, err);
}

static int req_id(const json_t *obj, const char *key, char **out, const char *where, mk_err *err)
{
    if (opt_id(obj, key, out, where, err) < 0)
        return -1;
    if (!*out)
        return mk_err_set(err, "%s.%s is missing", where, key);
    return 0;
}

/* A number given as a JSON number or as a numeric string (stout reads both). */
static int number_value(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (end == s || *end != '\0' || errno == ERANGE)
            return -1;
        *out = d;
        return 0;
    }
    return -1;
}

static int uint64_value(const json_t *v, uint64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return -1;
        *out = (uint64_t)i;
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (*s < '0' || *s > '9')
            return -1;
        errno = 0;
        unsigned long long u = strtoull(s, &end, 10);
        if (*end != '\0' || errno == ERANGE)
            return -1;
        *out = u;
        return 0;
    }
    return -1;
}

static const json_t *opt_array(const json_t *obj, const char *key, const char *where, mk_err *err,
                               int *bad)
{
    const json_t *v = json_object_get(obj, key);
    *bad = 0;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v)) {
        *bad = 1;
        mk_err_set(err, "%s.%s is not an array", where, key);
        return NULL;
    }
    return v;
}

static const json_t *req_object(const json_t *obj, const char *key, const char *where, mk_err *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        mk_err_set(err, "%s.%s is missing", where, key);
        return NULL;
    }
    if (!json_is_object(v)) {
        mk_err_set(err, "%s.%s is not an object", where, key);
        return NULL;
    }
    return v;
}

/* ---- resources and offers --------------------------------------------------------------------- */

static void resource_clear(mesos_resource *r)
{
    free(r->name);
    free(r->ranges);
    for (size_t i = 0; i < r->n_set_items; i++)
        free(r->set_items[i]);
    free(r->set_items);
    free(r->role);
    free(r->reservation_json);
    memset(r, 0, sizeof(*r));
}

static int parse_ranges(const json_t *ranges, mesos_range **out, size_t *n, const char *where,
                        mk_err *err)
{
    int bad;
    const json_t *list = opt_array(ranges, "range", where, err, &bad);
    *out = NULL;
    *n = 0;
    if (bad)
        return -1;
    if (!list)
        return 0;
    *out = mk_xcalloc(json_array_size(list), sizeof(**out));
    size_t i;
    const json_t *r;
    json_array_foreach(list, i, r)
    {
        uint64_t b, e;
        if (!json_is_object(r) || uint64_value(json_object_get(r, "begin"), &b) < 0 ||
            uint64_value(json_object_get(r, "end"), &e) < 0 || b > e) {
            free(*out);
            *out = NULL;
            return mk_err_set(err, "%s.range[%zu] is not a valid {begin, end} range", where, i);
        }
        (*out)[*n].begin = b;
        (*out)[*n].end = e;
        (*n)++;
    }
    return 0;
}

/* Where the resource is reserved: legacy `role` ("*" = unreserved) or the refinement stack, whose
 * last entry is the role now holding it. */
static int parse_reservation(const json_t *res, mesos_resource *out, mk_err *err)
{
    const json_t *role = json_object_get(res, "role");
    const json_t *stack = json_object_get(res, "reservations");
    const char *reserved_for = NULL;
    if (stack && json_is_array(stack) && json_array_size(stack) > 0) {
        const json_t *last = json_array_get(stack, json_array_size(stack) - 1);
        reserved_for = json_string_value(json_object_get(last, "role"));
        if (!reserved_for)
            return mk_err_set(err, "resource %s has a reservation without a role", out->name);
    } else if (role) {
        if (!json_is_string(role))
            return mk_err_set(err, "resource %s: role is not a string", out->name);
        if (strcmp(json_string_value(role), "*") != 0)
            reserved_for = json_string_value(role);
    }
    if (!reserved_for)
        return 0;
    out->role = mk_xstrdup(reserved_for);
    json_t *keep = json_object();
    static const char *const keys[] = {"role", "reservation", "reservations"};
    for (size_t i = 0; i < MK_ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(res, keys[i]);
        if (v)
            json_object_set(keep, keys[i], v);
    }
    out->reservation_json = json_dumps(keep, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(keep);
    return 0;
}

static int parse_resource(const json_t *res, mesos_resource *out, size_t index, mk_err *err)
{
    char where[64];
    snprintf(where, sizeof(where), "resources[%zu]", index);
    if (!json_is_object(res))
        return mk_err_set(err, "%s is not an object", where);
    if (req_string(res, "name", &out->name, where, err) < 0)
        return -1;
    const char *type = json_string_value(json_object_get(res, "type"));
    if (!type)
        return mk_err_set(err, "%s.type is missing", where);
    if (strcmp(type, "SCALAR") == 0) {
        out->type = RESOURCE_SCALAR;
        const json_t *scalar = json_object_get(res, "scalar");
        if (!json_is_object(scalar) ||
            number_value(json_object_get(scalar, "value"), &out->scalar) < 0 ||
            !isfinite(out->scalar) || out->scalar < 0)
            return mk_err_set(err, "%s (%s) has no valid scalar.value", where, out->name);
    } else if (strcmp(type, "RANGES") == 0) {
        out->type = RESOURCE_RANGES;
        const json_t *ranges = json_object_get(res, "ranges");
        if (ranges && !json_is_object(ranges))
            return mk_err_set(err, "%s.ranges is not an object", where);
        if (ranges && parse_ranges(ranges, &out->ranges, &out->n_ranges, where, err) < 0)
            return -1;
    } else if (strcmp(type, "SET") == 0) {
        out->type = RESOURCE_SET;
        const json_t *set = json_object_get(res, "set");
        const json_t *items = set ? json_object_get(set, "item") : NULL;
        if (items && !json_is_array(items))
            return mk_err_set(err, "%s.set.item is not an array", where);
        size_t n = items ? json_array_size(items) : 0;
        out->set_items = mk_xcalloc(n, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            const char *item = json_string_value(json_array_get(items, i));
            if (!item)
                return mk_err_set(err, "%s.set.item[%zu] is not a string", where, i);
            out->set_items[out->n_set_items++] = mk_xstrdup(item);
        }
    } else {
        return mk_err_set(err, "%s has unknown type '%s'", where, type);
    }
    out->has_disk_info = json_object_get(res, "disk") != NULL;
    return parse_reservation(res, out, err);
}

static void offer_clear(mesos_offer *o)
{
    free(o->id);
    free(o->agent_id);
    free(o->hostname);
    free(o->allocation_role);
    for (size_t i = 0; i < o->n_resources; i++)
        resource_clear(&o->resources[i]);
    free(o->resources);
    for (size_t i = 0; i < o->n_attributes; i++) {
        free(o->attributes[i].name);
        free(o->attributes[i].value);
    }
    free(o->attributes);
    memset(o, 0, sizeof(*o));
}

/* Attribute values as text, whatever their type, for placement constraints and display. */
static char *attribute_text(const json_t *a)
{
    const char *type = json_string_value(json_object_get(a, "type"));
    if (!type)
        return NULL;
    if (strcmp(type, "TEXT") == 0) {
        const char *v = json_string_value(json_object_get(json_object_get(a, "text"), "value"));
        return v ? mk_xstrdup(v) : NULL;
    }
    if (strcmp(type, "SCALAR") == 0) {
        double d;
        if (number_value(json_object_get(json_object_get(a, "scalar"), "value"), &d) < 0)
            return NULL;
        return mk_xasprintf("%g", d);
    }
    if (strcmp(type, "RANGES") == 0 || strcmp(type, "SET") == 0) {
        int ranges = type[0] == 'R';
        const json_t *list = ranges ? json_object_get(json_object_get(a, "ranges"), "range")
                                    : json_object_get(json_object_get(a, "set"), "item");
        size_t cap = 64, len = 0;
        char *out = mk_xmalloc(cap);
        out[len++] = ranges ? '[' : '{';
        size_t i;
        const json_t *v;
        json_array_foreach(list, i, v)
        {
            char piece[96];
            uint64_t b = 0, e = 0;
            if (ranges) {
                uint64_value(json_object_get(v, "begin"), &b);
                uint64_value(json_object_get(v, "end"), &e);
                snprintf(piece, sizeof(piece), "%s%llu-%llu", i ? "," : "", (unsigned long long)b,
                         (unsigned long long)e);
            } else {
                snprintf(piece, sizeof(piece), "%s%s", i ? "," : "",
                         json_string_value(v) ? json_string_value(v) : "");
            }
            size_t pl = strlen(piece);
            if (len + pl + 2 > cap) {
                cap = (len + pl + 2) * 2;
                out = mk_xrealloc(out, cap);
            }
            memcpy(out + len, piece, pl);
            len += pl;
        }
        out[len++] = ranges ? ']' : '}';
        out[len] = '\0';
        return out;
    }
    return NULL;
}

static int parse_offer(const json_t *o, mesos_offer *out, size_t index, mk_err *err)
{
    char where[48];
    snprintf(where, sizeof(where), "offers[%zu]", index);
    if (!json_is_object(o))
        return mk_err_set(err, "%s is not an object", where);
    if (req_id(o, "id", &out->id, where, err) < 0 ||
        req_id(o, "agent_id", &out->agent_id, where, err) < 0 ||
        req_string(o, "hostname", &out->hostname, where, err) < 0)
        return -1;
    const json_t *alloc = json_object_get(o, "allocation_info");
    const char *alloc_role = json_string_value(json_object_get(alloc, "role"));
    if (alloc_role)
        out->allocation_role = mk_xstrdup(alloc_role);

    int bad;
    const json_t *resources = opt_array(o, "resources", where, err, &bad);
    if (bad)
        return -1;
    if (resources) {
        out->resources = mk_xcalloc(json_array_size(resources), sizeof(mesos_resource));
        size_t i;
        const json_t *r;
        json_array_foreach(resources, i, r)
        {
            out->n_resources++;
            if (parse_resource(r, &out->resources[i], i, err) < 0)
                return mk_err_prefix(err, "%s", where);
        }
    }
    const json_t *attributes = opt_array(o, "attributes", where, err, &bad);
    if (bad)
        return -1;
    if (attributes) {
        out->attributes = mk_xcalloc(json_array_size(attributes), sizeof(mesos_attribute));
        size_t i;
        const json_t *a;
        json_array_foreach(attributes, i, a)
        {
            const char *name = json_string_value(json_object_get(a, "name"));
            char *value = json_is_object(a) ? attribute_text(a) : NULL;
            if (!name || !value) {
                free(value);
                return mk_err_set(err, "%s.attributes[%zu] is not a valid attribute", where, i);
            }
            out->attributes[out->n_attributes].name = mk_xstrdup(name);
            out->attributes[out->n_attributes].value = value;
            out->n_attributes++;
        }
    }
    return 0;
}

double mesos_offer_scalar(const mesos_offer *o, const char *name, const char *role)
{
    double sum = 0;
    for (size_t i = 0; i < o->n_resources; i++) {
        const mesos_resource *r = &o->resources[i];
        if (r->type != RESOURCE_SCALAR || r->has_disk_info || strcmp(r->name, name) != 0)
            continue;
        if (r->role && (!role || strcmp(r->role, role) != 0))
            continue;
        sum += r->scalar;
    }
    return sum;
}

/* ---- task status ------------------------------------------------------------------------------ */

static void status_clear(mesos_task_status *s)
{
    free(s->task_id);
    free(s->state_name);
    free(s->message);
    free(s->source);
    free(s->reason);
    free(s->agent_id);
    free(s->executor_id);
    free(s->uuid);
    for (size_t i = 0; i < s->n_ip_addresses; i++)
        free(s->ip_addresses[i]);
    free(s->ip_addresses);
    free(s->container_id);
    memset(s, 0, sizeof(*s));
}

static void collect_ips(const json_t *container_status, mesos_task_status *s)
{
    const json_t *infos = json_object_get(container_status, "network_infos");
    size_t i, j;
    const json_t *info, *addr;
    json_array_foreach(infos, i, info)
    {
        const json_t *addrs = json_object_get(info, "ip_addresses");
        json_array_foreach(addrs, j, addr)
        {
            const char *ip = json_string_value(json_object_get(addr, "ip_address"));
            if (!ip)
                continue;
            s->ip_addresses = mk_xrealloc(s->ip_addresses, (s->n_ip_addresses + 1) * sizeof(char *));
            s->ip_addresses[s->n_ip_addresses++] = mk_xstrdup(ip);
        }
    }
}

static int parse_status(const json_t *st, mesos_task_status *s, mk_err *err)
{
    const char *where = "update.status";
    s->healthy = -1;
    s->unreachable_time_ns = -1;
    if (req_id(st, "task_id", &s->task_id, where, err) < 0 ||
        req_string(st, "state", &s->state_name, where, err) < 0 ||
        opt_string(st, "message", &s->message, where, err) < 0 ||
        opt_string(st, "source", &s->source, where, err) < 0 ||
        opt_string(st, "reason", &s->reason, where, err) < 0 ||
        opt_id(st, "agent_id", &s->agent_id, where, err) < 0 ||
        opt_id(st, "executor_id", &s->executor_id, where, err) < 0 ||
        opt_string(st, "uuid", &s->uuid, where, err) < 0)
        return -1;
    if (mesos_task_state_parse(s->state_name, &s->state) < 0)
        s->state = TASK_STATE_UNKNOWN_ENUM;
    const json_t *ts = json_object_get(st, "timestamp");
    if (ts && number_value(ts, &s->timestamp) < 0)
        return mk_err_set(err, "%s.timestamp is not a number", where);
    const json_t *healthy = json_object_get(st, "healthy");
    if (healthy) {
        if (!json_is_boolean(healthy))
            return mk_err_set(err, "%s.healthy is not a boolean", where);
        s->healthy = json_is_true(healthy);
    }
    const json_t *cs = json_object_get(st, "container_status");
    if (cs) {
        if (!json_is_object(cs))
            return mk_err_set(err, "%s.container_status is not an object", where);
        if (opt_id(cs, "container_id", &s->container_id, where, err) < 0)
            return -1;
        collect_ips(cs, s);
    }
    const json_t *unreachable = json_object_get(st, "unreachable_time");
    if (unreachable) {
        double ns;
        if (number_value(json_object_get(unreachable, "nanoseconds"), &ns) < 0)
            return mk_err_set(err, "%s.unreachable_time.nanoseconds is not a number", where);
        s->unreachable_time_ns = (int64_t)ns;
    }
    return 0;
}

/* ---- events ----------------------------------------------------------------------------------- */

void mesos_event_clear(mesos_event *ev)
{
    switch (ev->type) {
    case MESOS_EVENT_SUBSCRIBED:
        free(ev->u.subscribed.framework_id);
        free(ev->u.subscribed.master_id);
        free(ev->u.subscribed.master_hostname);
        break;
    case MESOS_EVENT_OFFERS:
        for (size_t i = 0; i < ev->u.offers.n_offers; i++)
            offer_clear(&ev->u.offers.offers[i]);
        free(ev->u.offers.offers);
        break;
    case MESOS_EVENT_INVERSE_OFFERS:
        for (size_t i = 0; i < ev->u.inverse_offers.n; i++) {
            free(ev->u.inverse_offers.ids[i]);
            free(ev->u.inverse_offers.agent_ids[i]);
        }
        free(ev->u.inverse_offers.ids);
        free(ev->u.inverse_offers.agent_ids);
        break;
    case MESOS_EVENT_RESCIND:
        free(ev->u.rescind.offer_id);
        break;
    case MESOS_EVENT_RESCIND_INVERSE_OFFER:
        free(ev->u.rescind_inverse_offer.inverse_offer_id);
        break;
    case MESOS_EVENT_UPDATE:
        status_clear(&ev->u.update);
        break;
    case MESOS_EVENT_UPDATE_OPERATION_STATUS:
        free(ev->u.operation_status.operation_id);
        free(ev->u.operation_status.state);
        free(ev->u.operation_status.message);
        free(ev->u.operation_status.uuid);
        free(ev->u.operation_status.agent_id);
        break;
    case MESOS_EVENT_MESSAGE:
        free(ev->u.message.agent_id);
        free(ev->u.message.executor_id);
        free(ev->u.message.data);
        break;
    case MESOS_EVENT_FAILURE:
        free(ev->u.failure.agent_id);
        free(ev->u.failure.executor_id);
        break;
    case MESOS_EVENT_ERROR:
        free(ev->u.error.message);
        break;
    default:
        break;
    }
    memset(ev, 0, sizeof(*ev));
}

static int parse_subscribed(const json_t *body, mesos_event *ev, mk_err *err)
{
    const char *where = "subscribed";
    if (req_id(body, "framework_id", &ev->u.subscribed.framework_id, where, err) < 0)
        return -1;
    ev->u.subscribed.heartbeat_interval_s = 15.0;
    const json_t *hb = json_object_get(body, "heartbeat_interval_seconds");
    if (hb && (number_value(hb, &ev->u.subscribed.heartbeat_interval_s) < 0 ||
               !(ev->u.subscribed.heartbeat_interval_s > 0)))
        return mk_err_set(err, "subscribed.heartbeat_interval_seconds is not a positive number");
    const json_t *mi = json_object_get(body, "master_info");
    if (json_is_object(mi) &&
        (opt_string(mi, "id", &ev->u.subscribed.master_id, "master_info", err) < 0 ||
         opt_string(mi, "hostname", &ev->u.subscribed.master_hostname, "master_info", err) < 0))
        return -1;
    return 0;
}

static int parse_offers(const json_t *body, mesos_event *ev, mk_err *err)
{
    int bad;
    const json_t *list = opt_array(body, "offers", "offers", err, &bad);
    if (bad)
        return -1;
    if (!list)
        return mk_err_set(err, "offers.offers is missing");
    ev->u.offers.offers = mk_xcalloc(json_array_size(list), sizeof(mesos_offer));
    size_t i;
    const json_t *o;
    json_array_foreach(list, i, o)
    {
        ev->u.offers.n_offers++;
        if (parse_offer(o, &ev->u.offers.offers[i], i, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_inverse_offers(const json_t *body, mesos_event *ev, mk_err *err)
{
    int bad;
    const json_t *list = opt_array(body, "inverse_offers", "inverse_offers", err, &bad);
    if (bad)
        return -1;
    if (!list)
        return mk_err_set(err, "inverse_offers.inverse_offers is missing");
    size_t n = json_array_size(list);
    ev->u.inverse_offers.ids = mk_xcalloc(n, sizeof(char *));
    ev->u.inverse_offers.agent_ids = mk_xcalloc(n, sizeof(char *));
    size_t i;
    const json_t *o;
    json_array_foreach(list, i, o)
    {
        ev->u.inverse_offers.n++;
        if (!json_is_object(o) ||
            req_id(o, "id", &ev->u.inverse_offers.ids[i], "inverse_offers", err) < 0 ||
            opt_id(o, "agent_id", &ev->u.inverse_offers.agent_ids[i], "inverse_offers", err) < 0)
            return json_is_object(o) ? -1 : mk_err_set(err, "inverse_offers[%zu] is not an object", i);
    }
    return 0;
}

static int parse_operation_status(const json_t *body, mesos_event *ev, mk_err *err)
{
    const json_t *st = req_object(body, "status", "update_operation_status", err);
    if (!st)
        return -1;
    const char *where = "update_operation_status.status";
    if (opt_id(st, "operation_id", &ev->u.operation_status.operation_id, where, err) < 0 ||
        req_string(st, "state", &ev->u.operation_status.state, where, err) < 0 ||
        opt_string(st, "message", &ev->u.operation_status.message, where, err) < 0 ||
        opt_id(st, "uuid", &ev->u.operation_status.uuid, where, err) < 0 ||
        opt_id(st, "agent_id", &ev->u.operation_status.agent_id, where, err) < 0)
        return -1;
    return 0;
}

static int parse_message(const json_t *body, mesos_event *ev, mk_err *err)
{
    const char *where = "message";
    char *data = NULL;
    if (req_id(body, "agent_id", &ev->u.message.agent_id, where, err) < 0 ||
        req_id(body, "executor_id", &ev->u.message.executor_id, where, err) < 0 ||
        req_string(body, "data", &data, where, err) < 0)
        return -1;
    size_t len = strlen(data);
    ev->u.message.data = mk_xmalloc(len / 4 * 3 + 4);
    long n = mk_base64_decode(data, len, ev->u.message.data);
    free(data);
    if (n < 0)
        return mk_err_set(err, "message.data is not valid base64");
    ev->u.message.data_len = (size_t)n;
    return 0;
}

static int parse_failure(const json_t *body, mesos_event *ev, mk_err *err)
{
    const char *where = "failure";
    if (opt_id(body, "agent_id", &ev->u.failure.agent_id, where, err) < 0 ||
        opt_id(body, "executor_id", &ev->u.failure.executor_id, where, err) < 0)
        return -1;
    const json_t *status = json_object_get(body, "status");
    if (status) {
        double d;
        if (number_value(status, &d) < 0 || d != (int)d)
            return mk_err_set(err, "failure.status is not an integer");
        ev->u.failure.has_status = true;
        ev->u.failure.status = (int)d;
    }
    return 0;
}

typedef struct {
    mesos_event_type type;
    const char *body_key; /* the sub-message named after the type; NULL if none */
    int (*parse)(const json_t *body, mesos_event *ev, mk_err *err);
} event_kind;

static int parse_rescind(const json_t *body, mesos_event *ev, mk_err *err)
{
    return req_id(body, "offer_id", &ev->u.rescind.offer_id, "rescind", err);
}

static int parse_rescind_inverse(const json_t *body, mesos_event *ev, mk_err *err)
{
    return req_id(body, "inverse_offer_id", &ev->u.rescind_inverse_offer.inverse_offer_id,
                  "rescind_inverse_offer", err);
}

static int parse_update(const json_t *body, mesos_event *ev, mk_err *err)
{
    const json_t *st = req_object(body, "status", "update", err);
    return st ? parse_status(st, &ev->u.update, err) : -1;
}

static int parse_error(const json_t *body, mesos_event *ev, mk_err *err)
{
    return req_string(body, "message", &ev->u.error.message, "error", err);
}

static const event_kind kinds[] = {
    {MESOS_EVENT_SUBSCRIBED, "subscribed", parse_subscribed},
    {MESOS_EVENT_OFFERS, "offers", parse_offers},
    {MESOS_EVENT_INVERSE_OFFERS, "inverse_offers", parse_inverse_offers},
    {MESOS_EVENT_RESCIND, "rescind", parse_rescind},
    {MESOS_EVENT_RESCIND_INVERSE_OFFER, "rescind_inverse_offer", parse_rescind_inverse},
    {MESOS_EVENT_UPDATE, "update", parse_update},
    {MESOS_EVENT_UPDATE_OPERATION_STATUS, "update_operation_status", parse_operation_status},
    {MESOS_EVENT_MESSAGE, "message", parse_message},
    {MESOS_EVENT_FAILURE, "failure", parse_failure},
    {MESOS_EVENT_ERROR, "error", parse_error},
    {MESOS_EVENT_HEARTBEAT, NULL, NULL},
};

int mesos_event_parse(const char *json, size_t len, mesos_event *out, mk_err *err)
{
    memset(out, 0, sizeof(*out));
    json_error_t jerr;
    cleanup_json json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return mk_err_set(err, "event is not JSON (line %d: %s)", jerr.line, jerr.text);
    if (!json_is_object(doc))
        return mk_err_set(err, "event is not a JSON object");
    const json_t *type = json_object_get(doc, "type");
    if (!type)
        return mk_err_set(err, "event has no type");
    if (!json_is_string(type))
        return mk_err_set(err, "event type is not a string");
    const char *name = json_string_value(type);
    for (size_t i = 0; i < MK_ARRAY_LEN(kinds); i++) {
        if (strcmp(name, mesos_event_type_name(kinds[i].type)) != 0)
            continue;
        out->type = kinds[i].type;
        if (!kinds[i].parse)
            return 0;
        const json_t *body = req_object(doc, kinds[i].body_key, name, err);
        if (!body || kinds[i].parse(body, out, err) < 0) {
            mk_err_prefix(err, "%s event", name);
            mesos_event_clear(out);
            return -1;
        }
        return 0;
    }
    char shown[48];
    snprintf(shown, sizeof(shown), "%.40s", name);
    return mk_err_set(err, "unknown event type '%s'", shown);
}
