/*
 * mesos_event: one v1 scheduler Event (the JSON of one RecordIO record) into owned C structs.
 *
 * jansson parses the record; a converter per event type (one table maps the `type` string to its
 * sub-message key and converter) copies what the framework uses into plain C memory, and the JSON
 * tree is released before returning, so a parsed event holds only its structs.
 *
 * Every value is read through a few getters that know three outcomes: present with the right JSON
 * type (copied), absent (an error only when the proto or the framework requires it), or present
 * with the wrong type (always an error, naming the full path, e.g.
 * "offers.offers[2].resources[0].scalar.value is a string that is not a number"). Unknown fields
 * are never looked at, as a client of a newer master must; JSON null counts as absent, as it does
 * for the master's own reader.
 *
 * Numbers: the master writes int64/uint64 as JSON numbers, but stout also reads numbers given as
 * strings, so scalars, range bounds, timestamps and the like accept both (strings are held to the
 * JSON number grammar: no hex, no "nan", no spaces).
 *
 * A converter that fails leaves whatever it filled in the event; the dispatcher then clears the
 * event, which frees exactly that: one cleanup path, and nothing leaks.
 */
#include "mesos_event.h"
#include "json_field.h"
#include "json_scan.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ----------------------------------------------------------------------------------- */

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
    for (size_t i = 0; s && i < MK_ARRAY_LEN(state_names); i++) {
        if (strcmp(s, state_names[i]) == 0) {
            *out = (mesos_task_state)i;
            return 0;
        }
    }
    return -1;
}

bool mesos_task_state_is_terminal(mesos_task_state s)
{
    /* The master's isTerminalState: LOST and GONE_BY_OPERATOR count although the task may come
     * back; the scheduler sees them as "relaunch unless it reappears". */
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

/* ---- values and resources -------------------------------------------------------------------- */

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void resource_clear(mesos_resource *r)
{
    free(r->name);
    free(r->ranges);
    free_strings(r->set_items, r->n_set_items);
    free(r->role);
    free(r->reservation_json);
    memset(r, 0, sizeof(*r));
}

/* Value.Ranges {"range": [{begin, end}...]}; an absent list is an empty one. */
static int read_ranges(const json_t *ranges, mesos_range **out, size_t *n, const char *where,
                       mk_err *err)
{
    const json_t *list, *range;
    size_t i;
    if (jf_get_array(ranges, "range", false, &list, where, err) < 0)
        return -1;
    if (json_array_size(list) > 0)
        *out = mk_xcalloc(json_array_size(list), sizeof(**out));
    json_array_foreach(list, i, range)
    {
        char path[JF_PATH_LEN];
        mesos_range *r = &(*out)[i];
        jf_subpath(path, where, "range", (long)i);
        if (jf_expect_object(range, path, err) < 0 ||
            jf_get_uint64(range, "begin", true, &r->begin, path, err) < 0 ||
            jf_get_uint64(range, "end", true, &r->end, path, err) < 0)
            return -1;
        if (r->begin > r->end)
            return mk_err_set(err, "%s has begin %llu after end %llu", path,
                              (unsigned long long)r->begin, (unsigned long long)r->end);
        (*n)++;
    }
    return 0;
}

/* Value.Set {"item": ["a", ...]}. */
static int read_set(const json_t *set, char ***out, size_t *n, const char *where, mk_err *err)
{
    const json_t *items, *item;
    size_t i;
    if (jf_get_array(set, "item", false, &items, where, err) < 0)
        return -1;
    if (json_array_size(items) > 0)
        *out = mk_xcalloc(json_array_size(items), sizeof(char *));
    json_array_foreach(items, i, item)
    {
        if (!json_is_string(item))
            return mk_err_set(err, "%s.item[%zu] is %s, not a string", where, i, jf_kind(item));
        (*out)[(*n)++] = mk_xstrdup(json_string_value(item));
    }
    return 0;
}

/* Where a resource is reserved, in either format (MESOS-API.md §7.2): the refinement stack
 * `reservations`, whose last entry is the role holding it now (empty = unreserved), or the legacy
 * `role`, where "*" (or no role at all) means unreserved. The reservation fields are kept verbatim
 * so a later operation can echo them exactly. */
static int read_reservation(const json_t *res, mesos_resource *out, const char *where, mk_err *err)
{
    const json_t *stack, *legacy_reservation;
    const char *legacy_role, *role = NULL;
    if (jf_get_array(res, "reservations", false, &stack, where, err) < 0 ||
        jf_get_text(res, "role", false, &legacy_role, where, err) < 0 ||
        jf_get_object(res, "reservation", false, &legacy_reservation, where, err) < 0)
        return -1;
    size_t depth = json_array_size(stack);
    if (depth > 0) {
        char path[JF_PATH_LEN];
        const json_t *top = json_array_get(stack, depth - 1);
        jf_subpath(path, where, "reservations", (long)depth - 1);
        if (jf_expect_object(top, path, err) < 0 ||
            jf_get_text(top, "role", true, &role, path, err) < 0)
            return -1;
    } else if (legacy_role && strcmp(legacy_role, "*") != 0) {
        role = legacy_role;
    }
    if (!role)
        return 0;
    out->role = mk_xstrdup(role);
    json_t *kept = json_object();
    static const char *const keys[] = {"role", "reservation", "reservations"};
    for (size_t i = 0; i < MK_ARRAY_LEN(keys); i++)
        if (jf_field(res, keys[i]))
            json_object_set(kept, keys[i], json_object_get(res, keys[i]));
    out->reservation_json = json_dumps(kept, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(kept);
    return out->reservation_json ? 0
                                 : mk_err_set(err, "%s: cannot serialise its reservation", where);
}

static int read_resource(const json_t *res, mesos_resource *out, const char *where, mk_err *err)
{
    const char *type;
    const json_t *value, *disk;
    char path[JF_PATH_LEN];
    if (jf_expect_object(res, where, err) < 0 ||
        jf_get_string(res, "name", true, &out->name, where, err) < 0 ||
        jf_get_text(res, "type", true, &type, where, err) < 0 || !type)
        return -1;
    if (strcmp(type, "SCALAR") == 0) {
        out->type = RESOURCE_SCALAR;
        if (jf_get_object(res, "scalar", true, &value, where, err) < 0 ||
            jf_get_number(value, "value", true, &out->scalar, jf_subpath(path, where, "scalar", -1),
                          err) < 0)
            return -1;
        if (out->scalar < 0)
            return mk_err_set(err, "%s.value is negative", path);
    } else if (strcmp(type, "RANGES") == 0) {
        out->type = RESOURCE_RANGES;
        if (jf_get_object(res, "ranges", true, &value, where, err) < 0 ||
            read_ranges(value, &out->ranges, &out->n_ranges, jf_subpath(path, where, "ranges", -1),
                        err) < 0)
            return -1;
    } else if (strcmp(type, "SET") == 0) {
        out->type = RESOURCE_SET;
        if (jf_get_object(res, "set", true, &value, where, err) < 0 ||
            read_set(value, &out->set_items, &out->n_set_items, jf_subpath(path, where, "set", -1),
                     err) < 0)
            return -1;
    } else {
        return mk_err_set(err, "%s.type '%.32s' is not SCALAR, RANGES or SET", where, type);
    }
    if (jf_get_object(res, "disk", false, &disk, where, err) < 0)
        return -1;
    out->has_disk_info = json_object_size(disk) > 0;
    return read_reservation(res, out, where, err);
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

/* ---- attributes ------------------------------------------------------------------------------ */

/* Ranges as "[a-b,c-d]" and set items as "{a,b}" (the header's text forms). */
static char *ranges_text(const mesos_range *list, size_t n)
{
    size_t cap = 2 + n * 42 + 1, len = 0;
    char *out = mk_xmalloc(cap);
    out[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%llu-%llu", i ? "," : "",
                                (unsigned long long)list[i].begin, (unsigned long long)list[i].end);
    memcpy(out + len, "]", 2);
    return out;
}

static char *set_text(char *const *items, size_t n)
{
    size_t cap = 3 + n, len = 0;
    for (size_t i = 0; i < n; i++)
        cap += strlen(items[i]);
    char *out = mk_xmalloc(cap);
    out[len++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            out[len++] = ',';
        memcpy(out + len, items[i], strlen(items[i]));
        len += strlen(items[i]);
    }
    memcpy(out + len, "}", 2);
    return out;
}

/* An attribute's value as text, whatever its type: TEXT as is, SCALAR with %g, RANGES and SET as
 * above (placement constraints and logs compare these). */
static int read_attribute(const json_t *attr, mesos_attribute *out, const char *where, mk_err *err)
{
    static const char *const types[] = {"TEXT", "SCALAR", "RANGES", "SET"};
    static const char *const keys[] = {"text", "scalar", "ranges", "set"};
    const char *type;
    const json_t *value;
    char path[JF_PATH_LEN];
    if (jf_expect_object(attr, where, err) < 0 ||
        jf_get_string(attr, "name", true, &out->name, where, err) < 0 ||
        jf_get_text(attr, "type", true, &type, where, err) < 0 || !type)
        return -1;
    size_t kind = 0;
    while (kind < MK_ARRAY_LEN(types) && strcmp(type, types[kind]) != 0)
        kind++;
    if (kind == MK_ARRAY_LEN(types))
        return mk_err_set(err, "%s.type '%.32s' is not TEXT, SCALAR, RANGES or SET", where, type);
    if (jf_get_object(attr, keys[kind], true, &value, where, err) < 0)
        return -1;
    jf_subpath(path, where, keys[kind], -1);
    double scalar = 0;
    mesos_range *ranges = NULL;
    char **items = NULL;
    size_t n = 0;
    int rc = 0;
    switch (kind) {
    case 0:
        return jf_get_string(value, "value", true, &out->value, path, err) < 0 ? -1 : 0;
    case 1:
        if (jf_get_number(value, "value", true, &scalar, path, err) < 0)
            return -1;
        out->value = mk_xasprintf("%g", scalar);
        return 0;
    case 2:
        if ((rc = read_ranges(value, &ranges, &n, path, err)) == 0)
            out->value = ranges_text(ranges, n);
        free(ranges);
        return rc;
    default:
        if ((rc = read_set(value, &items, &n, path, err)) == 0)
            out->value = set_text(items, n);
        free_strings(items, n);
        return rc;
    }
}

/* ---- offers ---------------------------------------------------------------------------------- */

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

static int read_offer(const json_t *o, mesos_offer *out, const char *where, mk_err *err)
{
    const json_t *alloc, *resources, *attributes, *item;
    char path[JF_PATH_LEN];
    size_t i;
    if (jf_expect_object(o, where, err) < 0 || jf_get_id(o, "id", true, &out->id, where, err) < 0 ||
        jf_get_id(o, "agent_id", true, &out->agent_id, where, err) < 0 ||
        jf_get_string(o, "hostname", true, &out->hostname, where, err) < 0 ||
        jf_get_object(o, "allocation_info", false, &alloc, where, err) < 0 ||
        jf_get_array(o, "resources", false, &resources, where, err) < 0 ||
        jf_get_array(o, "attributes", false, &attributes, where, err) < 0)
        return -1;
    if (alloc && jf_get_string(alloc, "role", false, &out->allocation_role,
                               jf_subpath(path, where, "allocation_info", -1), err) < 0)
        return -1;
    /* Each element is counted before it is filled, so a failure half-way is cleared too. */
    if (json_array_size(resources) > 0)
        out->resources = mk_xcalloc(json_array_size(resources), sizeof(mesos_resource));
    json_array_foreach(resources, i, item)
    {
        out->n_resources++;
        if (read_resource(item, &out->resources[i], jf_subpath(path, where, "resources", (long)i),
                          err) < 0)
            return -1;
    }
    if (json_array_size(attributes) > 0)
        out->attributes = mk_xcalloc(json_array_size(attributes), sizeof(mesos_attribute));
    json_array_foreach(attributes, i, item)
    {
        out->n_attributes++;
        if (read_attribute(item, &out->attributes[i],
                           jf_subpath(path, where, "attributes", (long)i), err) < 0)
            return -1;
    }
    return 0;
}

/* ---- task status ----------------------------------------------------------------------------- */

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
    free_strings(s->ip_addresses, s->n_ip_addresses);
    free(s->container_id);
    memset(s, 0, sizeof(*s));
}

/* container_status: the container id and every network_infos[].ip_addresses[].ip_address. */
static int read_container_status(const json_t *cs, mesos_task_status *s, const char *where,
                                 mk_err *err)
{
    const json_t *infos, *info, *addrs, *addr;
    size_t i, j;
    if (jf_get_id(cs, "container_id", false, &s->container_id, where, err) < 0 ||
        jf_get_array(cs, "network_infos", false, &infos, where, err) < 0)
        return -1;
    json_array_foreach(infos, i, info)
    {
        char path[JF_PATH_LEN], addr_path[JF_PATH_LEN];
        jf_subpath(path, where, "network_infos", (long)i);
        if (jf_expect_object(info, path, err) < 0 ||
            jf_get_array(info, "ip_addresses", false, &addrs, path, err) < 0)
            return -1;
        json_array_foreach(addrs, j, addr)
        {
            const char *ip;
            jf_subpath(addr_path, path, "ip_addresses", (long)j);
            if (jf_expect_object(addr, addr_path, err) < 0 ||
                jf_get_text(addr, "ip_address", false, &ip, addr_path, err) < 0)
                return -1;
            if (!ip)
                continue;
            s->ip_addresses =
                mk_xrealloc(s->ip_addresses, (s->n_ip_addresses + 1) * sizeof(char *));
            s->ip_addresses[s->n_ip_addresses++] = mk_xstrdup(ip);
        }
    }
    return 0;
}

static int read_task_status(const json_t *st, mesos_task_status *s, const char *where, mk_err *err)
{
    const json_t *cs, *unreachable;
    bool healthy = false;
    int got_healthy = 0;
    long double ns = -1;
    char path[JF_PATH_LEN];
    s->healthy = -1;
    s->unreachable_time_ns = -1;
    if (jf_get_id(st, "task_id", true, &s->task_id, where, err) < 0 ||
        jf_get_string(st, "state", true, &s->state_name, where, err) < 0 ||
        jf_get_string(st, "message", false, &s->message, where, err) < 0 ||
        jf_get_string(st, "source", false, &s->source, where, err) < 0 ||
        jf_get_string(st, "reason", false, &s->reason, where, err) < 0 ||
        jf_get_id(st, "agent_id", false, &s->agent_id, where, err) < 0 ||
        jf_get_id(st, "executor_id", false, &s->executor_id, where, err) < 0 ||
        jf_get_number(st, "timestamp", false, &s->timestamp, where, err) < 0 ||
        jf_get_string(st, "uuid", false, &s->uuid, where, err) < 0 ||
        (got_healthy = jf_get_bool(st, "healthy", &healthy, where, err)) < 0 ||
        jf_get_object(st, "container_status", false, &cs, where, err) < 0 ||
        jf_get_object(st, "unreachable_time", false, &unreachable, where, err) < 0)
        return -1;
    /* A state this build does not know is kept by name, not refused: a newer master may add one. */
    if (mesos_task_state_parse(s->state_name, &s->state) < 0)
        s->state = TASK_STATE_UNKNOWN_ENUM;
    if (got_healthy)
        s->healthy = healthy;
    if (cs &&
        read_container_status(cs, s, jf_subpath(path, where, "container_status", -1), err) < 0)
        return -1;
    if (unreachable && jf_get_whole(unreachable, "nanoseconds", true, -9223372036854775808.0L,
                                    9223372036854775807.0L, &ns,
                                    jf_subpath(path, where, "unreachable_time", -1), err) < 0)
        return -1;
    if (unreachable)
        s->unreachable_time_ns = (int64_t)ns;
    return 0;
}

/* ---- one converter per event type ------------------------------------------------------------ */

static int read_subscribed(const json_t *body, mesos_event *ev, mk_err *err)
{
    const char *where = "subscribed";
    const json_t *master;
    double *interval = &ev->u.subscribed.heartbeat_interval_s;
    *interval = 15.0; /* the master's fixed DEFAULT_HEARTBEAT_INTERVAL when it says nothing */
    if (jf_get_id(body, "framework_id", true, &ev->u.subscribed.framework_id, where, err) < 0 ||
        jf_get_number(body, "heartbeat_interval_seconds", false, interval, where, err) < 0 ||
        jf_get_object(body, "master_info", false, &master, where, err) < 0)
        return -1;
    if (!(*interval > 0))
        return mk_err_set(err, "subscribed.heartbeat_interval_seconds is not positive");
    if (!master)
        return 0;
    where = "subscribed.master_info";
    const json_t *address;
    if (jf_get_string(master, "id", false, &ev->u.subscribed.master_id, where, err) < 0 ||
        jf_get_string(master, "hostname", false, &ev->u.subscribed.master_hostname, where, err) <
            0 ||
        jf_get_object(master, "address", false, &address, where, err) < 0)
        return -1;
    /* hostname is optional in MasterInfo; address.hostname is the newer place for it. */
    if (!ev->u.subscribed.master_hostname && address &&
        jf_get_string(address, "hostname", false, &ev->u.subscribed.master_hostname,
                      "subscribed.master_info.address", err) < 0)
        return -1;
    return 0;
}

static int read_offers(const json_t *body, mesos_event *ev, mk_err *err)
{
    const json_t *list, *offer;
    char path[JF_PATH_LEN];
    size_t i;
    if (jf_get_array(body, "offers", true, &list, "offers", err) < 0)
        return -1;
    if (json_array_size(list) > 0)
        ev->u.offers.offers = mk_xcalloc(json_array_size(list), sizeof(mesos_offer));
    json_array_foreach(list, i, offer)
    {
        ev->u.offers.n_offers++;
        if (read_offer(offer, &ev->u.offers.offers[i],
                       jf_subpath(path, "offers", "offers", (long)i), err) < 0)
            return -1;
    }
    return 0;
}

static int read_inverse_offers(const json_t *body, mesos_event *ev, mk_err *err)
{
    const json_t *list, *offer;
    char path[JF_PATH_LEN];
    size_t i, n;
    if (jf_get_array(body, "inverse_offers", true, &list, "inverse_offers", err) < 0)
        return -1;
    if ((n = json_array_size(list)) > 0) {
        ev->u.inverse_offers.ids = mk_xcalloc(n, sizeof(char *));
        ev->u.inverse_offers.agent_ids = mk_xcalloc(n, sizeof(char *));
    }
    json_array_foreach(list, i, offer)
    {
        jf_subpath(path, "inverse_offers", "inverse_offers", (long)i);
        ev->u.inverse_offers.n++;
        if (jf_expect_object(offer, path, err) < 0 ||
            jf_get_id(offer, "id", true, &ev->u.inverse_offers.ids[i], path, err) < 0 ||
            jf_get_id(offer, "agent_id", false, &ev->u.inverse_offers.agent_ids[i], path, err) < 0)
            return -1;
    }
    return 0;
}

static int read_rescind(const json_t *body, mesos_event *ev, mk_err *err)
{
    return jf_get_id(body, "offer_id", true, &ev->u.rescind.offer_id, "rescind", err);
}

static int read_rescind_inverse_offer(const json_t *body, mesos_event *ev, mk_err *err)
{
    return jf_get_id(body, "inverse_offer_id", true, &ev->u.rescind_inverse_offer.inverse_offer_id,
                     "rescind_inverse_offer", err);
}

static int read_update(const json_t *body, mesos_event *ev, mk_err *err)
{
    const json_t *status;
    if (jf_get_object(body, "status", true, &status, "update", err) < 0)
        return -1;
    return read_task_status(status, &ev->u.update, "update.status", err);
}

/* Unlike TaskStatus, OperationStatus.uuid is a UUID message: {"value": base64}. */
static int read_operation_status(const json_t *body, mesos_event *ev, mk_err *err)
{
    const json_t *status;
    if (jf_get_object(body, "status", true, &status, "update_operation_status", err) < 0)
        return -1;
    const char *where = "update_operation_status.status";
    if (jf_get_id(status, "operation_id", false, &ev->u.operation_status.operation_id, where, err) <
            0 ||
        jf_get_string(status, "state", true, &ev->u.operation_status.state, where, err) < 0 ||
        jf_get_string(status, "message", false, &ev->u.operation_status.message, where, err) < 0 ||
        jf_get_id(status, "uuid", false, &ev->u.operation_status.uuid, where, err) < 0 ||
        jf_get_id(status, "agent_id", false, &ev->u.operation_status.agent_id, where, err) < 0)
        return -1;
    return 0;
}

/* MESSAGE data is bytes, i.e. base64 on the wire: decoded here. */
static int read_message(const json_t *body, mesos_event *ev, mk_err *err)
{
    const char *where = "message", *data;
    if (jf_get_id(body, "agent_id", true, &ev->u.message.agent_id, where, err) < 0 ||
        jf_get_id(body, "executor_id", true, &ev->u.message.executor_id, where, err) < 0 ||
        jf_get_text(body, "data", true, &data, where, err) < 0 || !data)
        return -1;
    size_t len = strlen(data);
    ev->u.message.data = mk_xmalloc(3 * len / 4 + 3); /* the room util.h asks for */
    long n = mk_base64_decode(data, len, ev->u.message.data);
    if (n < 0)
        return mk_err_set(err, "message.data is not valid base64");
    ev->u.message.data_len = (size_t)n;
    return 0;
}

/* Agent removed (agent_id only) or executor exited (with its raw wait status, an int32). */
static int read_failure(const json_t *body, mesos_event *ev, mk_err *err)
{
    const char *where = "failure";
    long double status = 0;
    int got = 0;
    if (jf_get_id(body, "agent_id", false, &ev->u.failure.agent_id, where, err) < 0 ||
        jf_get_id(body, "executor_id", false, &ev->u.failure.executor_id, where, err) < 0 ||
        (got = jf_get_whole(body, "status", false, INT32_MIN, INT32_MAX, &status, where, err)) < 0)
        return -1;
    ev->u.failure.has_status = got > 0;
    ev->u.failure.status = (int)status;
    return 0;
}

static int read_error(const json_t *body, mesos_event *ev, mk_err *err)
{
    return jf_get_string(body, "message", true, &ev->u.error.message, "error", err);
}

typedef struct {
    mesos_event_type type;
    const char *body_key; /* the sub-message named after the type; NULL when there is none */
    int (*read)(const json_t *body, mesos_event *ev, mk_err *err);
} event_kind;

static const event_kind event_kinds[] = {
    {MESOS_EVENT_SUBSCRIBED, "subscribed", read_subscribed},
    {MESOS_EVENT_OFFERS, "offers", read_offers},
    {MESOS_EVENT_INVERSE_OFFERS, "inverse_offers", read_inverse_offers},
    {MESOS_EVENT_RESCIND, "rescind", read_rescind},
    {MESOS_EVENT_RESCIND_INVERSE_OFFER, "rescind_inverse_offer", read_rescind_inverse_offer},
    {MESOS_EVENT_UPDATE, "update", read_update},
    {MESOS_EVENT_UPDATE_OPERATION_STATUS, "update_operation_status", read_operation_status},
    {MESOS_EVENT_MESSAGE, "message", read_message},
    {MESOS_EVENT_FAILURE, "failure", read_failure},
    {MESOS_EVENT_ERROR, "error", read_error},
    {MESOS_EVENT_HEARTBEAT, NULL, NULL},
};

/* ---- entry points ---------------------------------------------------------------------------- */

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
        free_strings(ev->u.inverse_offers.ids, ev->u.inverse_offers.n);
        free_strings(ev->u.inverse_offers.agent_ids, ev->u.inverse_offers.n);
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
    case MESOS_EVENT_UNKNOWN:
    case MESOS_EVENT_HEARTBEAT:
        break;
    }
    memset(ev, 0, sizeof(*ev));
}

/* The unknown type name as a log may show it: at most 40 characters, non-printables as '?'. */
static void printable_name(const char *name, size_t len, char out[48])
{
    size_t n = len < 40 ? len : 40;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    memcpy(out + n, len > 40 ? "..." : "", len > 40 ? 4 : 1);
}

/* ---- large OFFERS events, one offer at a time ---------------------------------------------------
 */

/* Below this size a whole parse costs little; above it, offers are parsed one by one. */
#define STREAM_OFFERS_BYTES 65536

typedef struct {
    mesos_event *ev;
    size_t i;
    mk_err *err;
} offer_walk;

static int count_element(const char *text, json_span element, void *ud)
{
    (void)text;
    (void)element;
    (*(size_t *)ud)++;
    return 0;
}

static int read_offer_text(const char *text, json_span sp, void *ud)
{
    offer_walk *w = ud;
    char path[JF_PATH_LEN];
    jf_subpath(path, "offers", "offers", (long)w->i);
    json_error_t jerr;
    json_t *o = json_loadb(text + sp.begin, sp.end - sp.begin, JSON_REJECT_DUPLICATES, &jerr);
    if (!o)
        return mk_err_set(w->err, "%s is not JSON (%s)", path, jerr.text);
    w->ev->u.offers.n_offers++;
    int rc = read_offer(o, &w->ev->u.offers.offers[w->i++], path, w->err);
    json_decref(o);
    return rc;
}

/* Parses an OFFERS event whose offers array is at `offers`: the event without the array first,
 * then each offer. Returns 0 or -1 as mesos_event_parse, or 1 if the text is not an OFFERS event
 * (the caller then parses it whole). */
static int parse_streamed_offers(const char *json, size_t len, json_span offers, mesos_event *out,
                                 mk_err *err)
{
    size_t rest = len - offers.end;
    cleanup_free char *skeleton = mk_xmalloc(offers.begin + 2 + rest);
    memcpy(skeleton, json, offers.begin);
    memcpy(skeleton + offers.begin, "[]", 2);
    memcpy(skeleton + offers.begin + 2, json + offers.end, rest);
    cleanup_json json_t *doc =
        json_loadb(skeleton, offers.begin + 2 + rest, JSON_REJECT_DUPLICATES, NULL);
    const char *type = json_string_value(jf_field(doc, "type"));
    const json_t *body = jf_field(doc, "offers");
    if (!type || strcmp(type, "OFFERS") != 0 || !json_is_object(body) ||
        !json_is_array(jf_field(body, "offers")))
        return 1;
    out->type = MESOS_EVENT_OFFERS;
    size_t n = 0;
    if (json_scan_elements(json, offers, count_element, &n) < 0)
        return 1; /* the whole parse will say what is wrong */
    if (n > 0)
        out->u.offers.offers = mk_xcalloc(n, sizeof(mesos_offer));
    offer_walk w = {.ev = out, .err = err};
    if (json_scan_elements(json, offers, read_offer_text, &w) < 0) {
        mk_err_prefix(err, "OFFERS event");
        mesos_event_clear(out);
        return -1;
    }
    return 0;
}

static int parse_event(const char *json, size_t len, bool streamed, mesos_event *out, mk_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *nul = memchr(json, '\0', len);
    if (nul)
        return mk_err_set(err, "event is not JSON (a NUL byte at offset %zu)",
                          (size_t)(nul - json));
    json_span offers;
    if (streamed && json_scan_nested_array(json, len, "offers", "offers", &offers) == 0) {
        int rc = parse_streamed_offers(json, len, offers, out, err);
        if (rc <= 0)
            return rc;
        mesos_event_clear(out);
        memset(out, 0, sizeof(*out));
    }
    json_error_t jerr;
    cleanup_json json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return mk_err_set(err, "event is not JSON (line %d, column %d: %s)", jerr.line, jerr.column,
                          jerr.text);
    if (!json_is_object(doc))
        return mk_err_set(err, "event is %s, not a JSON object", jf_kind(doc));
    const json_t *type = jf_field(doc, "type");
    if (!type)
        return mk_err_set(err, "event has no type");
    if (!json_is_string(type))
        return mk_err_set(err, "event type is %s, not a string", jf_kind(type));
    const char *name = json_string_value(type);
    const event_kind *kind = NULL;
    for (size_t i = 0; i < MK_ARRAY_LEN(event_kinds) && !kind; i++)
        if (strcmp(name, mesos_event_type_name(event_kinds[i].type)) == 0)
            kind = &event_kinds[i];
    if (!kind) {
        char shown[48];
        printable_name(name, json_string_length(type), shown);
        return mk_err_set(err, "unknown event type '%s'", shown);
    }
    out->type = kind->type;
    if (!kind->read)
        return 0;
    const json_t *body = jf_field(doc, kind->body_key);
    int rc = !body ? mk_err_set(err, "%s is missing", kind->body_key)
             : !json_is_object(body)
                 ? mk_err_set(err, "%s is %s, not an object", kind->body_key, jf_kind(body))
                 : kind->read(body, out, err);
    if (rc < 0) {
        mk_err_prefix(err, "%s event", name);
        mesos_event_clear(out);
        return -1;
    }
    return 0;
}

int mesos_event_parse(const char *json, size_t len, mesos_event *out, mk_err *err)
{
    return parse_event(json, len, len > STREAM_OFFERS_BYTES, out, err);
}

int mesos_event_parse_streamed(const char *json, size_t len, mesos_event *out, mk_err *err)
{
    return parse_event(json, len, true, out, err);
}
