/*
 * scheduler: the core. It alone owns the cluster state (framework id, offers held, and from the
 * next issue on the ZooKeeper and Kafka tasks), on the thread that calls scheduler_run().
 *
 * Everything else reaches it as events or messages: Mesos events through the mesos_client handlers,
 * other threads (signals now, the HTTP API next) through a core_queue whose pushes wake the
 * client's poll. State is persisted before anything depends on it: the framework id before the
 * first call after SUBSCRIBED, a task's new status before its ACKNOWLEDGE.
 *
 * On SIGTERM/SIGINT it stops without TEARDOWN: the framework stays registered and its tasks keep
 * running until failover_timeout, so a restarted scheduler re-subscribes with the same id.
 */
#ifndef MK_SCHEDULER_H
#define MK_SCHEDULER_H

#include "config.h"

/* Exit statuses of scheduler_run (and so of `mesos-kafka`). */
#define SCHEDULER_EXIT_OK    0 /* stopped by SIGTERM/SIGINT */
#define SCHEDULER_EXIT_FATAL 1 /* credentials, certificate, failed over, state file problems */

/* Runs the scheduler until a signal or a fatal error; returns the process exit status. */
int scheduler_run(const config *cfg);

#endif
