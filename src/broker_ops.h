/*
 * broker_ops: the broker-management requests of the API (docs/api-v1.md, "Brokers one by one"),
 * answered on the core's thread: add, update, start, stop, remove and list brokers chosen by an id
 * expression (broker_expr.h), each broker with its own settings (broker_settings.h).
 *
 * Requests (core request name, arguments):
 *   "broker_add"    {expr, settings?}  ids only (no `*`, no filter); none may exist yet. The new
 *                   brokers are stopped until "broker_start", as in the earlier framework.
 *   "broker_clone"  {expr, settings: {source}}  the same, each new broker with every setting of
 *                   broker `source`.
 *   "broker_update" {expr, settings, restart?, force?}  the settings of every chosen broker
 *                   change, all or nothing (each broker's combination is checked); running brokers
 *                   whose change needs a restart are named in "needs_restart" and, unless restart
 *                   is false, restarted one at a time behind the data-safety rule (202 with the
 *                   plan; a refused restart is a 409 whose error says the settings did change).
 *   "broker_start"  {expr}             stopped (or given up) brokers run again.
 *   "broker_stop"   {expr, force?}     refused (409) while stopping one would leave a partition
 *                   below its min.insync.replicas, unless force.
 *   "broker_remove" {expr, force?}     refused (409) while a chosen broker holds a replica, naming
 *                   the partitions, unless force; the broker count goes down by the removed ones.
 *                   Stop and remove are decided on a ZooKeeper read made after the request (so a
 *                   topic created just before counts), like a Kafka scale-down.
 *   "broker_list"   {expr?}            the chosen brokers (all without expr) with their settings.
 * `settings` is a JSON object of setting name to string, number or null (broker_settings.h), as
 * the /v1 body gives it and the seed-000 query strings are turned into. Every refusal is a 400,
 * 404 (a named broker does not exist) or 409 with {"error"} naming the argument, and changes
 * nothing. Every answer lists the brokers it touched by id.
 */
#ifndef MK_BROKER_OPS_H
#define MK_BROKER_OPS_H

#include <jansson.h>
#include <stdbool.h>

#include "core_queue.h"

struct scheduler;
struct member;

/* Answers `m` if its name is one of the requests above; false (nothing done) otherwise. */
bool broker_ops_handle(struct scheduler *s, core_msg *m);

/* Answers a "broker_stop" or "broker_remove" kept until ZooKeeper was read after it
 * (scheduler_after_fresh_read). */
void broker_ops_after_read(struct scheduler *s, core_msg *m);

/* What a broker's entry in lists adds to its summary: "goal", "settings" (effective, with their
 * source), "needs_restart" (the names of settings changed since its task was launched that need a
 * restart), "pending" (why no offer was taken, or null) and "attributes" (of its agent). */
void broker_ops_describe(const struct scheduler *s, const struct member *b, json_t *into);

/* The effective values of broker `b`'s settings, {name: value}: what its task is launched with
 * (member.launched_with). */
json_t *broker_ops_effective(const struct scheduler *s, const struct member *b);

#endif
