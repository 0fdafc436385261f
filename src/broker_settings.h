/*
 * broker_settings: what one Kafka broker may have of its own, each setting optional; an unset
 * setting falls back to the environment's default (`config`: KAFKA_CPU, KAFKA_OPTIONS, ...).
 *
 * Settings, by the names of the API and CLI (seed 000's camelCase names are accepted as well:
 * failoverDelay, failoverMaxDelay, failoverMaxTries, jvmOptions, log4jOptions, stickinessPeriod),
 * each with what applies when it is unset:
 *
 *   cpus                above 0, at most 1024; KAFKA_CPU
 *   mem                 MB, a whole number above 0, at most 16777216; KAFKA_MEM
 *   heap                MB, a whole number 16..1048576, below the effective mem; KAFKA_HEAP
 *   disk                MB, above 0, at most 1e9; KAFKA_DISK
 *   port                a port 1..65535 or a range "a..b" the offer must have one of; any port
 *   options             Kafka properties k=v,k=v (kafka_props: owned keys refused), merged over
 *                       KAFKA_OPTIONS; "$id" becomes the broker id at launch; KAFKA_OPTIONS
 *   jvm_options         text for the JVM ("-XX:+UseG1GC"), no control characters; none
 *   log4j_options       log4j properties k=v,k=v; none
 *   constraints         placement constraints (constraint.h), kept as their canonical text; none
 *   failover_delay      a duration (config_parse_duration: "10s", "5m"), 100ms..1d;
 *                       FAILOVER_DELAY
 *   failover_max_delay  a duration 100ms..1d, at least the effective failover_delay;
 *                       FAILOVER_MAX_DELAY
 *   failover_max_tries  a whole number 0..1000000 (0: never give up); FAILOVER_MAX_TRIES
 *   stickiness_period   a duration 0..30d, how long a stopped broker keeps its home; forever
 *   image               Docker image: printable ASCII, no whitespace, at most 512 bytes;
 *                       IMAGE_KAFKA
 *
 * Text settings hold at most BROKER_SETTINGS_MAX_TEXT bytes of UTF-8. A value "" (or JSON null)
 * unsets. The combination is checked against the defaults by broker_settings_check (the effective
 * heap below the effective mem, the effective failover_max_delay not below the failover_delay);
 * the batch operations do it for their caller. Errors are one sentence that begins with the
 * setting's name as the caller gave it: "heap: must be less than mem (2048 MB, the default
 * KAFKA_MEM), which also holds the JVM's other memory (got '2048')".
 *
 * Pure: no globals, no I/O. A settings object is not shared between threads while it changes.
 */
#ifndef MK_BROKER_SETTINGS_H
#define MK_BROKER_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

#define BROKER_SETTINGS_MAX_TEXT 4096 /* bytes of options, jvm_options, log4j, constraints */
#define BROKER_SETTINGS_N        14   /* number of settings */

typedef struct broker_settings broker_settings;

broker_settings *broker_settings_new(void); /* nothing set */
void broker_settings_free(broker_settings *b);
broker_settings *broker_settings_copy(const broker_settings *b);

/* The API name of each setting in the order above, i = 0..BROKER_SETTINGS_N-1. */
const char *broker_settings_name(int i);
/* Whether a running broker must be restarted for a change of setting `name` to take effect
 * (false for the failover settings, stickiness_period and constraints, which only steer what the
 * scheduler does next). Unknown names: true. */
bool broker_settings_needs_restart(const char *name);

/* Sets (or, with value "", unsets) one setting by either name. Refused: an unknown name ("unknown
 * setting 'x' (known: cpus, ...)") or a bad value, naming the setting and the reason; `b` is then
 * unchanged. Checks the value alone, not the combination (see broker_settings_check). */
int broker_settings_set(broker_settings *b, const char *name, const char *value, mk_err *err);

/* The combination with `cfg`'s defaults: 0, or -1 naming the setting to change. */
int broker_settings_check(const broker_settings *b, const config *cfg, mk_err *err);

/* Applies a batch of changes, all or nothing, then broker_settings_check. `changes` is a JSON
 * object of name -> string | number | null (null or "" unsets; a number is the value itself, for
 * durations in seconds). A name given twice (under either spelling) is refused. */
int broker_settings_apply_json(broker_settings *b, const json_t *changes, const config *cfg,
                               mk_err *err);
/* The same from n name/value pairs (a query string, CLI options). */
int broker_settings_apply_pairs(broker_settings *b, const char *const *names,
                                const char *const *values, size_t n, const config *cfg,
                                mk_err *err);

/* Effective values: the broker's own, else the default from `cfg`. */
double broker_settings_cpus(const broker_settings *b, const config *cfg);
double broker_settings_mem(const broker_settings *b, const config *cfg);
int broker_settings_heap(const broker_settings *b, const config *cfg);
double broker_settings_disk(const broker_settings *b, const config *cfg);
const char *broker_settings_image(const broker_settings *b, const config *cfg);
double broker_settings_failover_delay(const broker_settings *b, const config *cfg);
double broker_settings_failover_max_delay(const broker_settings *b, const config *cfg);
int broker_settings_failover_max_tries(const broker_settings *b, const config *cfg);
/* Seconds a stopped broker keeps its home; -1 when unset (kept for good, as before). */
double broker_settings_stickiness(const broker_settings *b);
/* The port range offers must hold a port of: false when any port will do. */
bool broker_settings_port(const broker_settings *b, int *lo, int *hi);
/* The broker's own text settings, NULL when unset (no environment default). */
const char *broker_settings_jvm_options(const broker_settings *b);
const char *broker_settings_log4j_options(const broker_settings *b);
const char *broker_settings_constraints(const broker_settings *b);
const char *broker_settings_own_options(const broker_settings *b);

/* The Kafka properties to launch broker `broker_id` with: KAFKA_OPTIONS, then the broker's own
 * (own wins per key), "$id" substituted (kafka_props_merge). A new string; "" when there are none.
 */
char *broker_settings_kafka_options(const broker_settings *b, const config *cfg, int broker_id);

/* Persisted form: only what is set, by API name, {"cpus": 0.5, "mem": 2048, "port": 9092,
 * "failover_delay": "10s", ...}: cpus and disk as numbers, mem, heap, failover_max_tries and a
 * single port as integers, a port range as "a..b", durations as their shortest exact text (or
 * seconds as a number when no text is exact), the rest as strings. */
json_t *broker_settings_to_json(const broker_settings *b);
/* Back from the persisted form (outside input: every field validated as broker_settings_set does;
 * unknown names, null, booleans, own heap not below own mem are refused, naming the field).
 * On failure *out is NULL. */
int broker_settings_from_json(const json_t *j, broker_settings **out, mk_err *err);

/* The effective settings for `broker list`: {"cpus": {"value": 0.5, "source": "own"}, "mem":
 * {"value": 2048, "source": "default"}, ...}, every setting; value null where nothing applies
 * (port: any; jvm_options: none; stickiness_period: forever); durations as text ("10s"). options'
 * value is KAFKA_OPTIONS merged with the own ones, "$id" left as written; its source is "own" when
 * the broker has any. */
json_t *broker_settings_describe(const broker_settings *b, const config *cfg);

/* The API names of the settings whose effective value differs between `a` and `b` (in the order
 * above) into names[], returning how many. */
size_t broker_settings_changed(const broker_settings *a, const broker_settings *b,
                               const config *cfg, const char *names[BROKER_SETTINGS_N]);

#endif
