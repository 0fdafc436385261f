/*
 * kafka_props: the `key=value[,key=value...]` property lists operators write for Kafka
 * (KAFKA_OPTIONS, a broker's own options) and for its log4j, checked by one rule, and merged for a
 * broker's launch.
 *
 * Keys of Kafka properties are server.properties keys: lower-case letters, digits, '.', '_' and
 * '-'. Those the scheduler sets per broker (broker.id, zookeeper.connect, listeners,
 * advertised.listeners, log.dirs, log.dir, process.roles, node.id) are refused: another value would
 * break the broker. log4j keys may also hold upper-case letters
 * (log4j.logger.kafka.controller=WARN). A value is any text without control characters; it may hold
 * '=' but not ',' (the separator). Pure: no globals, no I/O.
 */
#ifndef MK_KAFKA_PROPS_H
#define MK_KAFKA_PROPS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    KAFKA_PROPS_BROKER = 0, /* Kafka broker properties, owned keys refused */
    KAFKA_PROPS_LOG4J,      /* log4j properties: keys of either case, none owned */
} kafka_props_kind;

/* NULL when `text` is a non-empty, well-formed list of its kind, else the reason (a constant
 * sentence fragment: "must be key=value pairs separated by ',' (...)"). */
const char *kafka_props_check(const char *text, kafka_props_kind kind);

/* Whether the scheduler sets the Kafka property `key` (len bytes) per broker. */
bool kafka_props_owned(const char *key, size_t len);

/* `base` then `over` (either may be NULL or ""; both already checked), one entry per key: a key
 * of `over` replaces the value of the same key of `base` where it stood, a new one is appended, and
 * within one list the last of a key wins. In every value "$id" (not followed by a letter, digit or
 * '_') becomes `broker_id` when broker_id >= 0. Returns a new string, "" when both are empty. */
char *kafka_props_merge(const char *base, const char *over, int broker_id);

/* The value of `key` in the checked list `text` (the last one given), as a new string, or NULL. */
char *kafka_props_get(const char *text, const char *key);

#endif
