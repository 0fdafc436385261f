/*
 * mesos_call: builds v1 scheduler Calls as JSON (jansson), exactly as scheduler.proto spells them.
 *
 * Every builder returns a new reference the caller owns. Field names are snake_case proto names and
 * enums are name strings; nothing the master would silently drop is ever added. `framework_id` is
 * required by every call except a first SUBSCRIBE.
 */
#ifndef MK_MESOS_CALL_H
#define MK_MESOS_CALL_H

#include <stddef.h>
#include <jansson.h>

#include "config.h"

/* FrameworkInfo from the configuration: user, name, roles [role], principal, hostname, webui_url,
 * checkpoint, failover_timeout, capabilities MULTI_ROLE, PARTITION_AWARE, TASK_KILLING_STATE;
 * `id` when framework_id is non-NULL. */
json_t *mesos_framework_info(const config *cfg, const char *framework_id);

/* SUBSCRIBE; with a framework_id both `framework_id` and `framework_info.id` are set (Mesos
 * requires them equal). */
json_t *mesos_call_subscribe(const config *cfg, const char *framework_id);
json_t *mesos_call_teardown(const char *framework_id);
/* ACCEPT: steals `operations` (a JSON array of Offer.Operation). refuse_seconds < 0 omits filters.
 */
json_t *mesos_call_accept(const char *framework_id, const char *const *offer_ids, size_t n_offers,
                          json_t *operations, double refuse_seconds);
json_t *mesos_call_decline(const char *framework_id, const char *const *offer_ids, size_t n_offers,
                           double refuse_seconds);
json_t *mesos_call_acknowledge(const char *framework_id, const char *agent_id, const char *task_id,
                               const char *uuid_base64);
/* KILL: agent_id may be NULL; grace_period_ns < 0 omits kill_policy. */
json_t *mesos_call_kill(const char *framework_id, const char *task_id, const char *agent_id,
                        long long grace_period_ns);

typedef struct {
    const char *task_id;
    const char *agent_id; /* may be NULL */
} mesos_reconcile_task;
/* RECONCILE: n == 0 is implicit reconciliation (`"reconcile": {}`). */
json_t *mesos_call_reconcile(const char *framework_id, const mesos_reconcile_task *tasks, size_t n);
/* REVIVE / SUPPRESS for one role (NULL = all the framework's roles). */
json_t *mesos_call_revive(const char *framework_id, const char *role);
json_t *mesos_call_suppress(const char *framework_id, const char *role);

/* The `type` of a built call, for logs ("ACCEPT"). */
const char *mesos_call_type(const json_t *call);

#endif
