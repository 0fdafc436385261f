/*
 * mesos_event: parses one v1 scheduler Event (the JSON of one RecordIO record) into plain C
 * structs.
 *
 * Field names and enum spellings are those of include/mesos/v1/scheduler/scheduler.proto and
 * include/mesos/v1/mesos.proto. Unknown fields are ignored (newer masters add fields); an event
 * that is not valid JSON, has no or an unknown `type`, or lacks a field the type requires is an
 * error: the caller logs it and skips the event. The parsed event owns all its memory (no jansson
 * objects survive parsing, so a 10,000-offer event costs only what its C structs need).
 */
#ifndef MK_MESOS_EVENT_H
#define MK_MESOS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum {
    MESOS_EVENT_UNKNOWN = 0,
    MESOS_EVENT_SUBSCRIBED,
    MESOS_EVENT_OFFERS,
    MESOS_EVENT_INVERSE_OFFERS,
    MESOS_EVENT_RESCIND,
    MESOS_EVENT_RESCIND_INVERSE_OFFER,
    MESOS_EVENT_UPDATE,
    MESOS_EVENT_UPDATE_OPERATION_STATUS,
    MESOS_EVENT_MESSAGE,
    MESOS_EVENT_FAILURE,
    MESOS_EVENT_ERROR,
    MESOS_EVENT_HEARTBEAT,
} mesos_event_type;

const char *mesos_event_type_name(mesos_event_type t); /* "SUBSCRIBED", ... */

typedef enum {
    TASK_STATE_UNKNOWN_ENUM = -1, /* a state name this build does not know */
    TASK_STAGING = 0,
    TASK_STARTING,
    TASK_RUNNING,
    TASK_KILLING,
    TASK_FINISHED,
    TASK_FAILED,
    TASK_KILLED,
    TASK_ERROR,
    TASK_LOST,
    TASK_DROPPED,
    TASK_UNREACHABLE,
    TASK_GONE,
    TASK_GONE_BY_OPERATOR,
    TASK_UNKNOWN,
} mesos_task_state;

const char *mesos_task_state_name(mesos_task_state s); /* "TASK_RUNNING", ... */
int mesos_task_state_parse(const char *s, mesos_task_state *out);
/* Terminal as the master sees it (src/common/protobuf_utils.cpp isTerminalState). */
bool mesos_task_state_is_terminal(mesos_task_state s);

typedef struct {
    uint64_t begin, end; /* inclusive */
} mesos_range;

/* One resource of an offer. `role` is NULL for unreserved resources (legacy "*" or an empty
 * refinement stack), else the role it is reserved for; `reservation_json` keeps the exact
 * reservation fields (serialized JSON object with "role"/"reservation"/"reservations" as sent) so a
 * LAUNCH can echo them; NULL when unreserved. */
typedef struct {
    char *name;
    enum { RESOURCE_SCALAR, RESOURCE_RANGES, RESOURCE_SET } type;
    double scalar;
    mesos_range *ranges;
    size_t n_ranges;
    char **set_items;
    size_t n_set_items;
    char *role;
    char *reservation_json;
    bool has_disk_info; /* persistent volume or disk source: never used as plain disk */
} mesos_resource;

typedef struct {
    char *name;
    char *value; /* TEXT as is; SCALAR printed with %g; RANGES "[a-b,c-d]"; SET "{a,b}" */
} mesos_attribute;

typedef struct {
    char *id;
    char *agent_id;
    char *hostname;
    char *allocation_role; /* allocation_info.role, NULL if absent */
    mesos_resource *resources;
    size_t n_resources;
    mesos_attribute *attributes;
    size_t n_attributes;
} mesos_offer;

typedef struct {
    char *task_id;
    mesos_task_state state;
    char *state_name; /* as received, also when the enum is unknown */
    char *message;    /* NULL if absent */
    char *source;     /* "SOURCE_MASTER", ... or NULL */
    char *reason;     /* "REASON_...", or NULL */
    char *agent_id;   /* NULL if absent */
    char *executor_id;
    double timestamp;
    char *uuid;  /* base64 text as received; NULL = master-generated, must not be acknowledged */
    int healthy; /* -1 absent, 0 false, 1 true */
    char **ip_addresses; /* container_status.network_infos[].ip_addresses[].ip_address */
    size_t n_ip_addresses;
    char *container_id;
    int64_t unreachable_time_ns; /* -1 absent */
} mesos_task_status;

typedef struct {
    mesos_event_type type;
    union {
        struct {
            char *framework_id;
            double heartbeat_interval_s; /* 15.0 if absent */
            char *master_id;             /* master_info.id, NULL if absent */
            char *master_hostname;
        } subscribed;
        struct {
            mesos_offer *offers;
            size_t n_offers;
        } offers;
        struct {
            char **ids; /* inverse offer ids */
            char **agent_ids;
            size_t n;
        } inverse_offers;
        struct {
            char *offer_id;
        } rescind;
        struct {
            char *inverse_offer_id;
        } rescind_inverse_offer;
        mesos_task_status update;
        struct {
            char *operation_id; /* NULL if absent */
            char *state;
            char *message;
            char *uuid;     /* status.uuid.value */
            char *agent_id; /* NULL if absent */
        } operation_status;
        struct {
            char *agent_id;
            char *executor_id;
            unsigned char *data;
            size_t data_len;
        } message;
        struct {
            char *agent_id;
            char *executor_id; /* NULL: the agent was removed */
            bool has_status;
            int status;
        } failure;
        struct {
            char *message;
        } error;
    } u;
} mesos_event;

/* Parses `len` bytes of JSON. On error returns -1 with a message and leaves `out` empty. Text
 * with a NUL byte is refused (JSON has none; jansson would silently skip one between tokens). */
int mesos_event_parse(const char *json, size_t len, mesos_event *out, mk_err *err);
/* For tests and the fuzzers: mesos_event_parse with the offers of an OFFERS event parsed one by
 * one whatever the event's size (mesos_event_parse does so only above 64 KiB). */
int mesos_event_parse_streamed(const char *json, size_t len, mesos_event *out, mk_err *err);
void mesos_event_clear(mesos_event *ev);

/* Helpers over a parsed offer. Sum of unreserved scalar resources plus those reserved for `role`
 * (resources with disk info excluded). */
double mesos_offer_scalar(const mesos_offer *o, const char *name, const char *role);

#endif
