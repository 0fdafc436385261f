/*
 * broker_settings_internal: the table of settings and the parsing of one value, shared by
 * broker_settings.c (values, effective values) and broker_settings_json.c (batches, the persisted
 * form, describe). Not for other modules: they see broker_settings.h.
 */
#ifndef MK_BROKER_SETTINGS_INTERNAL_H
#define MK_BROKER_SETTINGS_INTERNAL_H

#include "broker_settings.h"

typedef enum {
    BS_CPUS = 0,
    BS_MEM,
    BS_HEAP,
    BS_DISK,
    BS_PORT,
    BS_OPTIONS,
    BS_JVM_OPTIONS,
    BS_LOG4J_OPTIONS,
    BS_CONSTRAINTS,
    BS_FAILOVER_DELAY,
    BS_FAILOVER_MAX_DELAY,
    BS_FAILOVER_MAX_TRIES,
    BS_STICKINESS,
    BS_IMAGE,
} bs_id;

typedef enum {
    BK_NUMBER,      /* num within [min, max] (min excluded with above_min), whole when asked */
    BK_PORT,        /* lo..hi */
    BK_PROPS,       /* text: a kafka_props list of `props` kind */
    BK_TEXT,        /* text without control characters */
    BK_CONSTRAINTS, /* text: the canonical form of a constraint set */
    BK_DURATION,    /* num: seconds within [min, max] */
    BK_IMAGE,       /* text: printable ASCII, no whitespace */
} bs_kind;

typedef struct {
    const char *name;     /* API and CLI */
    const char *alt_name; /* seed 000's camelCase, or NULL */
    bs_kind kind;
    double min, max;
    bool above_min, whole;
    int props; /* kafka_props_kind of a BK_PROPS */
    size_t max_len;
    bool restart; /* a running broker must restart for a change to apply */
} bs_setting;

extern const bs_setting bs_table[BROKER_SETTINGS_N];

typedef struct {
    bool set;
    double num;
    int lo, hi;
    char *text;
} bs_slot;

struct broker_settings {
    bs_slot s[BROKER_SETTINGS_N];
};

/* The index of a setting by either name, or -1. */
int bs_lookup(const char *name);
/* Refuses an unknown name: "unknown setting '<name>' (known: ...)". Returns -1. */
int bs_unknown(const char *name, mk_err *err);
/* Parses a value of setting i, given by the caller as `name`, into a fresh *out (unset for "");
 * errors "<name>: <reason> (got '<value>')". */
int bs_parse_text(int i, const char *name, const char *value, bs_slot *out, mk_err *err);
/* The same for a value that arrived as a number (a JSON number). */
int bs_parse_number(int i, const char *name, double value, bs_slot *out, mk_err *err);
/* Frees what the slot owns and leaves it unset. */
void bs_slot_clear(bs_slot *s);
/* Moves *from into setting i of b (the old value freed); *from is left unset. */
void bs_slot_move(broker_settings *b, int i, bs_slot *from);
/* Swaps every setting of a and b. */
void bs_swap(broker_settings *a, broker_settings *b);

#endif
