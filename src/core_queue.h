/*
 * core_queue: how other threads talk to the scheduler core, which owns all cluster state.
 *
 * Any thread may push a message; only the core thread pops. A push wakes the core through the
 * callback given at creation (the scheduler passes one that calls mesos_client_wakeup(), so a core
 * blocked in curl_multi_poll() returns at once). The queue never looks inside a message.
 *
 * A message that needs an answer (an HTTP API request) carries a
 * core_reply: the requesting thread waits on it with a timeout, the core posts the answer. Both
 * hold a reference, so whichever side finishes last frees it, and a requester that gave up never
 * leaves the core writing into freed memory.
 */
#ifndef MK_CORE_QUEUE_H
#define MK_CORE_QUEUE_H

#include <jansson.h>
#include <stdbool.h>

typedef enum {
    CORE_MSG_STOP = 1, /* SIGTERM/SIGINT: stop cleanly, leaving the framework registered */
    CORE_MSG_REQUEST,  /* an API request: `name` says which, `body` its arguments; needs a reply */
    CORE_MSG_ZK_STATE, /* zk_watch: what the ensemble and the brokers look like now (`body`) */
} core_msg_type;

typedef struct core_reply core_reply;

typedef struct core_msg {
    core_msg_type type;
    char *name;        /* owned; may be NULL */
    json_t *body;      /* owned reference; may be NULL */
    core_reply *reply; /* one reference owned; NULL when no answer is expected */
    struct core_msg *next;
} core_msg;

/* A new message; `name` is copied, `body` is stolen, `reply` gets a reference of its own. */
core_msg *core_msg_new(core_msg_type type, const char *name, json_t *body, core_reply *reply);
void core_msg_free(core_msg *m);

typedef struct core_queue core_queue;
typedef void (*core_queue_wakeup_fn)(void *ud);

core_queue *core_queue_new(core_queue_wakeup_fn wakeup, void *ud);
/* Frees every message still queued. No other thread may push any more. */
void core_queue_free(core_queue *q);

/* Thread-safe. Appends `m` (taking it) and wakes the core. Returns -1 (and frees `m`) once the
 * queue is closed. */
int core_queue_push(core_queue *q, core_msg *m);
/* Core thread: takes every queued message, oldest first, as a list linked by `next` (NULL if
 * none). The caller frees each with core_msg_free. */
core_msg *core_queue_take_all(core_queue *q);
/* Refuses later pushes (the core is shutting down); messages already queued stay for take_all. */
void core_queue_close(core_queue *q);

/* Replies. */
core_reply *core_reply_new(void);
core_reply *core_reply_ref(core_reply *r);
void core_reply_unref(core_reply *r);
/* Core thread: posts the answer (steals `body`); later posts are ignored. */
void core_reply_post(core_reply *r, int status, json_t *body);
/* Requesting thread, instead of waiting: `fn(ud)` is called exactly once, as soon as the answer
 * is posted (on the posting thread; at once, on this one, if it is already), or when the reply is
 * freed unanswered (the core stopped first). At most one per reply. */
typedef void (*core_reply_fn)(void *ud);
void core_reply_on_post(core_reply *r, core_reply_fn fn, void *ud);
/* Takes the callback back: true when it had not been called (and now never will be). */
bool core_reply_forget(core_reply *r);
/* Requesting thread: waits up to `timeout_s` for the answer. Returns 0 with *status and *body (a
 * new reference, may be NULL), or -1 on timeout. */
int core_reply_wait(core_reply *r, double timeout_s, int *status, json_t **body);

#endif
