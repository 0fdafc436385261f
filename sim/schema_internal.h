/*
 * schema_internal: the shape of the hand-written proto tables (schema_tables.c) that the JSON
 * walker (schema.c) reads. Private to the simulator's schema module and its unit test.
 *
 * A message is a list of fields in .proto declaration order (protobuf reports missing required
 * fields in that order). Each field carries its proto name and number, its label, its JSON kind,
 * and for enums the allowed value names, for messages the nested table. Maps are a label of their
 * own: their keys are always strings in the messages reachable from a Call, and their values are
 * described by the field's kind (and message, when the value is a message).
 */
#ifndef SIM_SCHEMA_INTERNAL_H
#define SIM_SCHEMA_INTERNAL_H

#include <stddef.h>

typedef enum {
    SCHEMA_STRING,
    SCHEMA_BYTES,
    SCHEMA_BOOL,
    SCHEMA_INT32,
    SCHEMA_UINT32,
    SCHEMA_INT64,
    SCHEMA_UINT64,
    SCHEMA_DOUBLE,
    SCHEMA_ENUM,
    SCHEMA_MESSAGE,
} schema_kind;

typedef enum {
    SCHEMA_OPTIONAL,
    SCHEMA_REQUIRED,
    SCHEMA_REPEATED,
    SCHEMA_MAP, /* map<string, kind>: a JSON object */
} schema_label;

typedef struct schema_enum {
    const char *full_name; /* "mesos.v1.ContainerInfo.DockerInfo.Network" */
    const char *const *names;
    size_t n_names;
} schema_enum;

typedef struct schema_message schema_message;

typedef struct schema_field {
    const char *name; /* the proto field name, snake_case */
    unsigned number;
    schema_kind kind; /* for a map, the kind of its values */
    schema_label label;
    const char *oneof;              /* name of the oneof the field belongs to, or NULL */
    const schema_enum *enumeration; /* SCHEMA_ENUM only */
    const schema_message *message;  /* SCHEMA_MESSAGE only */
} schema_field;

struct schema_message {
    const char *full_name;      /* "mesos.v1.TaskInfo" */
    const schema_field *fields; /* declaration order */
    size_t n_fields;
};

/* Messages never have more fields than this; the walker keeps per-field state in arrays this size.
 */
#define SCHEMA_MAX_FIELDS 32

/* mesos.v1.scheduler.Call, the root of every check. */
extern const schema_message schema_call;

/* Every message and enum in the tables, for the tables' own consistency test. */
extern const schema_message *const schema_all_messages[];
extern const size_t schema_n_all_messages;
extern const schema_enum *const schema_all_enums[];
extern const size_t schema_n_all_enums;

#endif
