/*
 * mesos_client: the connection to the Mesos master's v1 scheduler API, driven from the core thread.
 *
 * All I/O runs through one libcurl multi handle polled by mesos_client_run() on the thread that
 * owns the scheduler state; nothing here blocks and nothing here starts threads. Other threads may
 * call only mesos_client_wakeup().
 *
 * The client owns the subscription: it SUBSCRIBEs (with the stored framework id, if any), reads the
 * RecordIO event stream, keeps the Mesos-Stream-Id, follows 307 redirects to the leader (keeping
 * the scheme), tries each master of MESOS_MASTER in turn, waits and retries on 503 or an
 * unreachable master, and treats a closed stream, a malformed stream, or no event for
 * `heartbeat_misses` heartbeat intervals as a lost connection: it reports the disconnection, then
 * re-subscribes with exponential backoff and jitter (0.5 s doubling up to
 * MESOS_RECONNECT_MAX_DELAY). 401/403 on SUBSCRIBE and a certificate that does not verify are
 * fatal: the handler is told why, and the client stops.
 *
 * Calls (mesos_client_send) go out with the current stream id on a pooled keep-alive connection
 * (not the stream's), one at a time and in the order they were made; a call made while not
 * subscribed is dropped (the scheduler reconciles after re-subscribing). A call that the master
 * answers with anything but 202 is reported through on_call_failed.
 */
#ifndef MK_MESOS_CLIENT_H
#define MK_MESOS_CLIENT_H

#include <jansson.h>

#include "config.h"
#include "mesos_event.h"

typedef struct mesos_client mesos_client;

typedef struct {
    /* Every parsed event, SUBSCRIBED and HEARTBEAT included, in stream order. */
    void (*on_event)(void *ud, const mesos_event *ev);
    /* The stream is gone (reason says why); offers are void. A re-subscribe follows by itself. */
    void (*on_disconnected)(void *ud, const char *reason);
    /* A call answered with something other than 202 (status 0: transport error). */
    void (*on_call_failed)(void *ud, const char *call_type, long http_status, const char *body);
    /* Unrecoverable (bad credentials, certificate not verified, framework failed over elsewhere):
     * the scheduler should log it and exit non-zero. */
    void (*on_fatal)(void *ud, const char *reason);
} mesos_client_handlers;

mesos_client *mesos_client_new(const config *cfg, const mesos_client_handlers *h, void *ud,
                               mk_err *err);
void mesos_client_free(mesos_client *c);

/* The framework id to subscribe with (NULL: subscribe as a new framework). Copied. */
void mesos_client_set_framework_id(mesos_client *c, const char *framework_id);
const char *mesos_client_framework_id(const mesos_client *c);
bool mesos_client_is_subscribed(const mesos_client *c);

/* Starts subscribing (the first time); later reconnections happen by themselves. */
void mesos_client_start(mesos_client *c);

/* Queues a call (steals `call`); returns 0 if queued, -1 if dropped (not subscribed). */
int mesos_client_send(mesos_client *c, json_t *call);

/* Runs I/O and timers for at most `timeout_ms` (returns earlier on activity or wakeup). */
int mesos_client_run(mesos_client *c, int timeout_ms);
/* Thread-safe: makes a blocked mesos_client_run() return. */
void mesos_client_wakeup(mesos_client *c);

#endif
