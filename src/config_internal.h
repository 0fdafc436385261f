/*
 * config_internal: the configuration table, shared by config.c (parsing and validation) and
 * config_print.c (--help, `mesos-kafka config`, env.example, the Markdown table). Not for other
 * modules: they see only the typed `config` of config.h.
 */
#ifndef MK_CONFIG_INTERNAL_H
#define MK_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

typedef enum {
    VT_SECTION,  /* not a variable: a heading for the rows after it */
    VT_STRING,   /* any text (char *) */
    VT_NONEMPTY, /* text that must not be empty (char *) */
    VT_FILE,     /* path of an existing, readable regular file (char *) */
    VT_INT,      /* int within [min, max] */
    VT_PORT,     /* int 1..65535 */
    VT_DOUBLE,   /* finite double within limits */
    VT_DURATION, /* double seconds within limits */
    VT_BOOL,     /* bool */
    VT_LOGLEVEL, /* log_level */
    VT_NETWORK,  /* network_mode */
    VT_MASTERS,  /* config_endpoint array plus n_masters */
} var_type;

enum {
    VF_SECRET = 1u << 0,    /* never echoed; masked in `mesos-kafka config`; NAME_FILE too */
    VF_ABOVE_MIN = 1u << 1, /* the minimum itself is excluded (cpus > 0) */
};

/* A rule beyond the type: NULL when the value is acceptable, else the reason (a constant, or
 * written into `why`, n bytes). For a VT_FILE the file is known to be readable by then. */
typedef const char *(*var_rule)(const char *value, char *why, size_t n);

typedef struct {
    const char *name;
    const char *default_value; /* parsed when unset; NULL makes the variable optional */
    const char *derived;       /* optional variables: what applies when unset, for the docs */
    const char *doc;
    double min, max;
    size_t offset; /* of the value in struct config */
    var_rule rule;
    var_type type;
    unsigned flags;
} config_var;

#define AT(field) offsetof(config, field)

extern const config_var config_vars[];
extern const int config_n_vars;

/* What the docs say of NAME_FILE, the file form every secret NAME also has. */
void config_describe_secret_file(const config_var *v, char *buf, size_t n);

/* The short type hint of --help and the Markdown table ("integer, between 0 and 99"). */
void config_describe_type(const config_var *v, char *buf, size_t n);
/* Writes text with control characters as \xNN, at most `max` bytes of it. */
void config_put_escaped(FILE *out, const char *s, size_t max);

#endif
