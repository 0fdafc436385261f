/*
 * http_api: the framework's HTTP server (libmicrohttpd) on FRAMEWORK_PORT: the /v0 API, /health and
 * the HTML status page at `/` that FrameworkInfo.webui_url points to.
 *
 * The server never touches cluster state. Each request is checked here (auth, method, path,
 * arguments, and for a change a browser's cross-site marks) and then becomes one CORE_MSG_REQUEST
 * on the core queue, named after the operation, with its arguments as a JSON object; its
 * connection is suspended (no thread waits) until the core's reply, written as JSON with the
 * status the core chose. A request that fails the checks never reaches the core. Hostile clients
 * are bounded (http_api.c, http_guard.h): a request must arrive within 10 s of the accept, at most
 * 128 connections per source address, bodies read only after the checks on the headers pass.
 *
 * Requests the core receives (name: body -> reply):
 *   "status":    {}                                    -> 200 the status document (below)
 *   "health":    {}                                    -> 200 {"status": "ok", ...}; the server
 * adds "api": {"connections_open", "connections_accepted", "connections_cut_off",
 *                        "malformed_or_refused"} (counts since the start)
 *   "container": {"task_id": s}                        -> 200 task document | 404
 *   "reflate":   {"kind": "kafka"|"zookeeper"}         -> 200 {"scheduled": [...]} (mutating)
 *   "scale":     {"kind": k, "count": n, "force": b}   -> 200 | 400 | 409 (mutating)
 *   "kill":      {"task_id": s}                        -> 200 | 404 | 409 (mutating)
 *   "connection": {}                                   -> 200 {"brokers", "bootstrap", "zookeeper",
 *                                                              "registered"}
 *   "brokers":   {}                                    -> 200 {"brokers": [...]}
 *   "broker":    {"id": n}                             -> 200 | 404
 *   "restart":   {"id": n (absent: all), "force": b}   -> 202 | 404 | 409 (mutating)
 *   "plan":      {}                                    -> 200 {"plan": ... | null}
 * The /v1 routes (http_api_v1.c, docs/api-v1.md) use these; their topic operations ask the core for
 * "connection" and then run kafka_admin on the connection's own thread.
 *
 * Routes (GET and HEAD on reads; GET and POST on changes, POST the documented way, HEAD 405):
 *   GET /health, GET /v0/status, GET /v0/container/<taskId>, /v0/<kind>/reflate,
 *   /v0/<kind>/scale/<count>[?force=true], /v0/task/kill/<taskId>, GET / (HTML).
 * Auth: when AUTH_USERNAME/AUTH_PASSWORD are set, every route but /health needs HTTP Basic auth,
 * compared in constant time (401 with WWW-Authenticate otherwise). When they are not set, reads are
 * open and the mutating routes answer 403 (start-up warns about it).
 * Errors are JSON {"error": "..."}: 400 bad argument (naming it), 401, 403, 404 unknown route or
 * task, 405 wrong method (with Allow), 413 body too large, 503 when the core does not answer in
 * time or too many Kafka operations wait. The exception: what libmicrohttpd refuses before a
 * request is complete (400 malformed, 414 path or 431 headers too long, 505 version) carries its
 * own short HTML body, which it offers no way to replace.
 *
 * The status document ("status" reply), also what `/` renders:
 *   {"framework": {"id", "name", "subscribed"},
 *    "zookeeper": {"desired", "quorum", "settled", "connect"}, "kafka": {"desired", "registered",
 * "bootstrap"}, "members": [{"kind", "id", "name", "state", "task_id", "task_state", "healthy",
 * "agent_id", "hostname", "address", "failures", "next_launch_in_s", "message", "registered"}],
 *    "recent_failures": [{"time", "member", "task_id", "state", "message"}],
 *    "restart": the last broker restart plan (docs/api-v1.md) or null}
 * Values may be null where unknown.
 */
#ifndef MK_HTTP_API_H
#define MK_HTTP_API_H

#include "config.h"
#include "core_queue.h"
#include "util.h"

/* How long a request waits for the core before answering 503. */
#define HTTP_API_CORE_TIMEOUT_S 10.0

typedef struct http_api http_api;

/* Whether HTTPS can be served as configured: with FRAMEWORK_TLS_CERT set, libmicrohttpd must have
 * been built with TLS (GnuTLS). Returns -1 with the reason otherwise; main() asks before starting
 * anything, so the answer is a configuration error. */
int http_api_check_tls(const config *cfg, mk_err *err);

/* Starts serving on cfg->framework_port (of cfg->framework_bind, or every address): HTTPS only when
 * cfg->framework_tls_cert and _key are set (read here, kept in memory until the stop), else plain
 * HTTP. The queue must outlive the server. */
http_api *http_api_start(const config *cfg, core_queue *queue, mk_err *err);
/* Stops accepting, waits for requests in flight, frees. NULL is fine. */
void http_api_stop(http_api *api);
/* For tests: how long a request waits for the core (default HTTP_API_CORE_TIMEOUT_S). */
void http_api_set_core_timeout(http_api *api, double seconds);

#endif
