/*
 * cli_show: how the command-line client shows the scheduler's replies to a person: one function
 * per kind of reply, each turning the JSON documents of docs/api-v1.md and src/http_api.h into
 * aligned tables (cli_table) or one summary line.
 *
 * Every function is tolerant: a field that is missing or of another type shows as "-" rather than
 * failing, so a client a little older or newer than the server still shows what it can (and
 * --json shows everything). Nothing here talks to the network, so the tests call these directly.
 */
#ifndef MK_CLI_SHOW_H
#define MK_CLI_SHOW_H

#include <jansson.h>
#include <stdio.h>

#include "cli_http.h"

typedef void cli_show_fn(const json_t *reply, FILE *out);

/* /v0 */
cli_show_fn cli_show_status;        /* members table and the quorum/registered/bootstrap line */
cli_show_fn cli_show_scale;         /* "kafka: 3 -> 5 members" */
cli_show_fn cli_show_reflate;       /* which members were scheduled again */
cli_show_fn cli_show_kill;          /* which task was killed and how to bring it back */
cli_show_fn cli_show_broker_update; /* updated brokers, those that need a restart, the restart */
cli_show_fn cli_show_fields;        /* any object as KEY VALUE (container, connection, broker) */
/* /v1 brokers and the plan */
cli_show_fn cli_show_plan;        /* {"plan": ...}: state line and steps table */
cli_show_fn cli_show_broker_list; /* ID STATE REGISTERED ADDRESS TASK-ID */
cli_show_fn cli_show_restart;     /* the 202 of a restart, when not following it */
/* /v1 topics */
cli_show_fn cli_show_topic_list;       /* TOPIC */
cli_show_fn cli_show_topic_created;    /* one line */
cli_show_fn cli_show_topic_describe;   /* PARTITION LEADER REPLICAS ISR, then KEY VALUE */
cli_show_fn cli_show_topic_offsets;    /* PARTITION EARLIEST LATEST */
cli_show_fn cli_show_topic_partitions; /* one line */
cli_show_fn cli_show_topic_configs;    /* KEY VALUE of the topic's configs after a change */
cli_show_fn cli_show_topic_deleted;    /* one line */
cli_show_fn cli_show_producer_test;    /* one summary line */
cli_show_fn cli_show_under_replicated; /* TOPIC PARTITION LEADER REPLICAS ISR */
cli_show_fn cli_show_unavailable;      /* same table */

/* The lines a running plan earns between two reads of it: one per step whose state changed
 * ("kafka-1: restarting (task ...)"), and the plan's message whenever it is blocked on something
 * new. `before` NULL: the first read, where every step past "pending" is news. */
void cli_show_plan_changes(const json_t *before, const json_t *after, FILE *out);

/* A refusal on stderr: "mesos-kafka: <error>" and Kafka's error name, a table of the partitions
 * a 409 names, a hint about credentials for a 401. `username`: what was sent, NULL if none. */
void cli_show_refusal(const cli_reply *reply, const char *method, const char *path,
                      const char *username, FILE *err);

#endif
