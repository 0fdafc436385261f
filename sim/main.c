/*
 * mesos-sim: a Mesos master for tests, serving /api/v1/scheduler as the real master does.
 *
 * This file is the HTTP face: libmicrohttpd (one thread per connection, so a subscription stream
 * may block in its reader while other calls are answered), TLS from PEM files, Basic auth with the
 * realm Mesos uses, and the checks of Master::Http::scheduler in their order (see
 * ../shared/MESOS-API.md §1). The strict reading of the body is sim/schema.c; what a call does is
 * sim/master.c. A second, plain-HTTP server on loopback is the fault-control endpoint, and every
 * request to the scheduler endpoint is written to the call log as one JSON line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "creds.h"
#include "log.h"
#include "master.h"
#include "schema.h"
#include "util.h"

#define COMPONENT "http"
#define MAX_BODY  (64u << 20)

static struct {
    const char *bind;
    int port, control_port;
    const char *hostname;
    char *tls_cert, *tls_key;
    sim_creds creds;
    FILE *call_log;
    pthread_mutex_t log_mu;
} S = {.bind = "127.0.0.1",
       .port = 5050,
       .hostname = "127.0.0.1",
       .log_mu = PTHREAD_MUTEX_INITIALIZER};

static volatile sig_atomic_t stopping;

/* ---- call log ---------------------------------------------------------------------------------
 */

static void log_call(int status, const json_t *call, const char *raw, const char *error)
{
    if (!S.call_log)
        return;
    json_t *line = json_pack("{s:f, s:i}", "time", mk_now_wall(), "status", status);
    const char *type = call ? json_string_value(json_object_get(call, "type")) : NULL;
    const char *fid =
        call ? json_string_value(json_object_get(json_object_get(call, "framework_id"), "value"))
             : NULL;
    json_object_set_new(line, "type", type ? json_string(type) : json_null());
    json_object_set_new(line, "framework_id", fid ? json_string(fid) : json_null());
    json_object_set_new(line, "error", error ? json_string(error) : json_null());
    if (call)
        json_object_set(line, "call", (json_t *)call);
    else
        json_object_set_new(line, "call", json_pack("{s:s}", "raw", raw ? raw : ""));
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    pthread_mutex_lock(&S.log_mu);
    fprintf(S.call_log, "%s\n", text);
    fflush(S.call_log);
    pthread_mutex_unlock(&S.log_mu);
    free(text);
}

/* ---- responses --------------------------------------------------------------------------------
 */

static enum MHD_Result respond_text(struct MHD_Connection *c, unsigned status, const char *text,
                                    const char *header, const char *value)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
    if (header)
        MHD_add_response_header(r, header, value);
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    long n = stream_read(cls, buf, max);
    if (n < 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return n;
}

static void stream_done(void *cls)
{
    stream_release(cls);
}

/* ---- the scheduler endpoint -------------------------------------------------------------------
 */

typedef struct {
    char *body;
    size_t len;
    bool too_large;
} request;

static bool authenticated(struct MHD_Connection *c, char **principal)
{
    *principal = NULL;
    if (S.creds.n == 0)
        return true;
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(c, &pass);
    bool ok = sim_creds_match(&S.creds, user, pass);
    if (ok)
        *principal = mk_xstrdup(user);
    if (user)
        MHD_free(user);
    if (pass)
        MHD_free(pass);
    return ok;
}

static bool accept_allows_json(const char *accept)
{
    if (!accept)
        return true;
    return strstr(accept, "application/json") || strstr(accept, "*/*") ||
           strstr(accept, "application/*") || strstr(accept, "application/x-protobuf");
}

static enum MHD_Result scheduler_call(struct MHD_Connection *c, const char *method, request *req)
{
    cleanup_free char *principal = NULL;
    if (!authenticated(c, &principal)) {
        log_call(401, NULL, "", "401 Unauthorized.");
        struct MHD_Response *r = MHD_create_response_from_buffer(
            strlen("401 Unauthorized."), (void *)"401 Unauthorized.", MHD_RESPMEM_PERSISTENT);
        enum MHD_Result ret = MHD_queue_basic_auth_fail_response(c, "mesos-master-scheduler", r);
        MHD_destroy_response(r);
        return ret;
    }
    char leader[256];
    master_mode mode = master_get_mode(leader, sizeof(leader));
    if (mode == MODE_REDIRECT) {
        char location[300];
        snprintf(location, sizeof(location), "//%s/master/api/v1/scheduler", leader);
        log_call(307, NULL, req->body, location);
        return respond_text(c, 307, "", "Location", location);
    }
    if (mode == MODE_NO_LEADER || mode == MODE_RECOVERING) {
        const char *why =
            mode == MODE_NO_LEADER ? "No leader elected" : "Master has not finished recovery";
        log_call(503, NULL, req->body, why);
        return respond_text(c, 503, why, NULL, NULL);
    }
    if (strcmp(method, "POST") != 0) {
        log_call(405, NULL, req->body, "method not allowed");
        return respond_text(c, 405, "", "Allow", "POST");
    }
    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!ctype) {
        log_call(400, NULL, req->body, "Expecting 'Content-Type' to be present");
        return respond_text(c, 400, "Expecting 'Content-Type' to be present", NULL, NULL);
    }
    if (strcmp(ctype, "application/json") != 0) {
        const char *why =
            strcmp(ctype, "application/x-protobuf") == 0
                ? "mesos-sim speaks only application/json"
                : "Expecting 'Content-Type' of application/json or application/x-protobuf";
        log_call(415, NULL, req->body, why);
        return respond_text(c, 415, why, NULL, NULL);
    }
    json_error_t jerr;
    cleanup_json json_t *call = json_loadb(req->body ? req->body : "", req->len, 0, &jerr);
    char msg[1200];
    if (!call) {
        snprintf(msg, sizeof(msg), "Failed to parse body into JSON: %s", jerr.text);
        log_call(400, NULL, req->body, msg);
        return respond_text(c, 400, msg, NULL, NULL);
    }
    mk_err err = {{0}};
    if (schema_check_call(call, &err) < 0) {
        snprintf(msg, sizeof(msg), "Failed to convert JSON into Call protobuf: %s", err.msg);
        log_call(400, call, NULL, msg);
        return respond_text(c, 400, msg, NULL, NULL);
    }
    if (schema_validate_call(call, &err) < 0) {
        snprintf(msg, sizeof(msg), "Failed to validate scheduler::Call: %s", err.msg);
        log_call(400, call, NULL, msg);
        return respond_text(c, 400, msg, NULL, NULL);
    }
    /* The master reads the call as parsed into protobuf: strings in number fields are numbers. */
    cleanup_json json_t *canon = schema_canonical_call(call);
    const char *type = json_string_value(json_object_get(canon, "type"));
    const char *stream_id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mesos-Stream-Id");
    if (strcmp(type, "SUBSCRIBE") == 0) {
        const char *fi_principal = json_string_value(json_object_get(
            json_object_get(json_object_get(canon, "subscribe"), "framework_info"), "principal"));
        if (principal && fi_principal && strcmp(principal, fi_principal) != 0) {
            snprintf(msg, sizeof(msg),
                     "Failed to validate scheduler::Call: Authenticated principal '%s' does not "
                     "match principal '%s' set in `FrameworkInfo`",
                     principal, fi_principal);
            log_call(400, call, NULL, msg);
            return respond_text(c, 400, msg, NULL, NULL);
        }
        if (!accept_allows_json(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"))) {
            log_call(406, call, NULL, "not acceptable");
            return respond_text(c, 406, "", NULL, NULL);
        }
        if (stream_id) {
            const char *why = "Subscribe calls should not include the 'Mesos-Stream-Id' header";
            log_call(400, call, NULL, why);
            return respond_text(c, 400, why, NULL, NULL);
        }
    }
    stream *s = NULL;
    const char *new_stream_id = NULL;
    char *answer = NULL;
    int status = master_handle_call(canon, principal, stream_id, &s, &new_stream_id, &answer);
    log_call(status, call, NULL, answer);
    if (s) {
        struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384,
                                                                   stream_reader, s, stream_done);
        MHD_add_response_header(r, "Content-Type", "application/json");
        MHD_add_response_header(r, "Mesos-Stream-Id", new_stream_id);
        enum MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    }
    enum MHD_Result ret;
    if (answer) {
        ret = respond_text(c, (unsigned)status, answer, NULL, NULL);
        free(answer);
    } else {
        ret = respond_text(c, (unsigned)status, "", NULL, NULL);
    }
    return ret;
}

static enum MHD_Result redirect_endpoint(struct MHD_Connection *c)
{
    char leader[256], location[300];
    master_mode mode = master_get_mode(leader, sizeof(leader));
    if (mode == MODE_NO_LEADER)
        return respond_text(c, 503, "No leader elected", NULL, NULL);
    snprintf(location, sizeof(location), "//%s", mode == MODE_REDIRECT ? leader : "");
    if (mode != MODE_REDIRECT)
        snprintf(location, sizeof(location), "//%s:%d", S.hostname, S.port);
    return respond_text(c, 307, "", "Location", location);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    request *req = *con_cls;
    if (!req) {
        *con_cls = mk_xcalloc(1, sizeof(request));
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (req->len + *upload_size > MAX_BODY) {
            req->too_large = true;
        } else {
            req->body = mk_xrealloc(req->body, req->len + *upload_size + 1);
            memcpy(req->body + req->len, upload, *upload_size);
            req->len += *upload_size;
            req->body[req->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->too_large)
        return respond_text(c, 413, "Request body too large", NULL, NULL);
    if (strcmp(url, "/api/v1/scheduler") == 0 || strcmp(url, "/master/api/v1/scheduler") == 0)
        return scheduler_call(c, method, req);
    if (strcmp(url, "/redirect") == 0 || strcmp(url, "/master/redirect") == 0)
        return redirect_endpoint(c);
    return respond_text(c, 404, "", NULL, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    request *req = *con_cls;
    if (req) {
        free(req->body);
        free(req);
        *con_cls = NULL;
    }
}

/* ---- fault control ----------------------------------------------------------------------------
 */

static enum MHD_Result respond_json(struct MHD_Connection *c, unsigned status, json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result on_control(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    (void)upload;
    if (!*con_cls) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "value");
    const char *fw = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "framework");
    if (strcmp(url, "/control/state") == 0)
        return respond_json(c, 200, master_state_json());
    if (strcmp(method, "POST") != 0)
        return respond_json(c, 405, json_pack("{s:s}", "error", "use POST"));
    if (strcmp(url, "/control/mode") == 0) {
        const char *leader = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "leader");
        if (value && strcmp(value, "leader") == 0)
            master_set_mode(MODE_LEADER, NULL);
        else if (value && strcmp(value, "redirect") == 0 && leader)
            master_set_mode(MODE_REDIRECT, leader);
        else if (value && strcmp(value, "no-leader") == 0)
            master_set_mode(MODE_NO_LEADER, NULL);
        else if (value && strcmp(value, "recovering") == 0)
            master_set_mode(MODE_RECOVERING, NULL);
        else
            return respond_json(c, 400,
                                json_pack("{s:s}", "error",
                                          "value must be leader, redirect (with leader), "
                                          "no-leader or recovering"));
        return respond_json(c, 200, json_pack("{s:s}", "mode", value));
    }
    if (strcmp(url, "/control/drop-stream") == 0)
        return respond_json(c, 200, json_pack("{s:i}", "dropped", master_drop_streams()));
    if (strcmp(url, "/control/restart") == 0) {
        master_restart();
        return respond_json(c, 200, json_pack("{s:b}", "restarted", 1));
    }
    if (strcmp(url, "/control/rescind") == 0) {
        const char *offer = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offer");
        return respond_json(c, 200, json_pack("{s:i}", "rescinded", master_rescind(offer)));
    }
    if (strcmp(url, "/control/error") == 0) {
        const char *message = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "message");
        if (!fw || !message || master_send_error(fw, message) < 0)
            return respond_json(c, 404,
                                json_pack("{s:s}", "error", "no connected framework with that id"));
        return respond_json(c, 200, json_pack("{s:b}", "sent", 1));
    }
    const char *agent = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "agent");
    if (strcmp(url, "/control/agent/lose") == 0 || strcmp(url, "/control/agent/return") == 0) {
        bool lose = strcmp(url, "/control/agent/lose") == 0;
        if (!agent || (lose ? master_lose_agent(agent) : master_return_agent(agent)) < 0)
            return respond_json(
                c, 404,
                json_pack("{s:s}", "error",
                          lose ? "no such agent, or already lost" : "no such agent, or not lost"));
        return respond_json(
            c, 200, json_pack("{s:s, s:s}", "agent", agent, "state", lose ? "lost" : "back"));
    }
    if (strcmp(url, "/control/agent/partition") == 0 || strcmp(url, "/control/agent/heal") == 0) {
        bool cut = strcmp(url, "/control/agent/partition") == 0;
        if (!agent || (cut ? master_partition_agent(agent) : master_heal_agent(agent)) < 0)
            return respond_json(c, 404,
                                json_pack("{s:s}", "error",
                                          cut ? "no such agent, or already lost"
                                              : "no such agent, or not cut off"));
        return respond_json(
            c, 200,
            json_pack("{s:s, s:s}", "agent", agent, "state", cut ? "partitioned" : "reconnected"));
    }
    if (strcmp(url, "/control/task/signal") == 0) {
        const char *task = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "task");
        const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "signal");
        int signo = !sig || strcmp(sig, "KILL") == 0 ? SIGKILL
                    : strcmp(sig, "TERM") == 0       ? SIGTERM
                    : strcmp(sig, "STOP") == 0       ? SIGSTOP
                    : strcmp(sig, "CONT") == 0       ? SIGCONT
                                                     : 0;
        if (!signo)
            return respond_json(
                c, 400, json_pack("{s:s}", "error", "signal must be KILL, TERM, STOP or CONT"));
        if (!task || master_signal_task(task, signo) < 0)
            return respond_json(c, 404,
                                json_pack("{s:s}", "error", "no running task with that id"));
        return respond_json(c, 200, json_pack("{s:s, s:i}", "task", task, "signal", signo));
    }
    if (strcmp(url, "/control/remove-framework") == 0) {
        if (!fw || master_remove_framework(fw) < 0)
            return respond_json(c, 404, json_pack("{s:s}", "error", "no such framework"));
        return respond_json(c, 200, json_pack("{s:b}", "removed", 1));
    }
    return respond_json(c, 404, json_pack("{s:s}", "error", "unknown control endpoint"));
}

/* ---- start-up ---------------------------------------------------------------------------------
 */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = (len + 4096 + 1) * 2;
            buf = mk_xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static void usage(FILE *out)
{
    fputs("usage: mesos-sim --port N [--bind ADDR] [--hostname NAME] [--tls-cert F --tls-key F]\n"
          "                 [--credentials-file F] [--credentials PRINCIPAL:SECRET]...\n"
          "                 [--agents N] [--agent-cpus N] [--agent-mem MB] [--agent-disk MB]\n"
          "                 [--agent-ports A-B]\n"
          "                 [--agent-attributes SPEC] [--agent-attributes-of N=SPEC]...\n"
          "                 [--heartbeat-interval S]\n"
          "                 [--allocation-interval S] [--offer-timeout S] [--failover-timeout-cap "
          "S]\n"
          "                 [--mode leader|redirect|no-leader] [--leader HOST:PORT]\n"
          "                 [--control-port N] [--call-log FILE]\n"
          "                 [--work-dir DIR] [--image-map FILE] [--update-retry-interval S]\n"
          "                 [--container-address-block 127.N.0.0/16]\n"
          "See sim/README.md.\n",
          out);
}

static double number_arg(const char *name, const char *v)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || d < 0) {
        fprintf(stderr, "mesos-sim: %s: '%s' is not a non-negative number\n", name, v);
        exit(2);
    }
    return d;
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static struct MHD_Daemon *start_daemon(int port, bool tls, MHD_AccessHandlerCallback handler,
                                       const char *key, const char *cert)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, S.bind, &addr.sin_addr) != 1) {
        fprintf(stderr, "mesos-sim: --bind '%s' is not an IPv4 address\n", S.bind);
        exit(2);
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0);
    if (tls)
        return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, NULL,
                                MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_HTTPS_MEM_KEY, key,
                                MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_NOTIFY_COMPLETED,
                                on_completed, NULL, MHD_OPTION_END);
    return MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR,
                            &addr, MHD_OPTION_NOTIFY_COMPLETED,
                            handler == on_request ? on_completed : NULL, NULL, MHD_OPTION_END);
}

int main(int argc, char **argv)
{
    master_options opt = {.hostname = "127.0.0.1",
                          .port = 5050,
                          .agents = 3,
                          .agent_cpus = 4,
                          .agent_mem = 8192,
                          .agent_disk = 100000,
                          .agent_port_begin = 31000,
                          .agent_port_end = 32000,
                          .heartbeat_s = 15.0,
                          .allocation_s = 1.0};
    const char *mode = "leader", *leader = NULL, *call_log = NULL;
    cleanup_free const char **attrs_of = NULL;
    size_t n_attrs_of = 0;
    enum {
        O_PORT = 1,
        O_BIND,
        O_HOST,
        O_CERT,
        O_KEY,
        O_CRED,
        O_CREDFILE,
        O_AGENTS,
        O_CPUS,
        O_MEM,
        O_DISK,
        O_PORTS,
        O_ATTRS,
        O_ATTRS_OF,
        O_HB,
        O_ALLOC,
        O_OFFER_TO,
        O_FO_CAP,
        O_MODE,
        O_LEADER,
        O_CONTROL,
        O_CALLLOG,
        O_WORKDIR,
        O_IMAGEMAP,
        O_RETRY,
        O_BLOCK,
        O_HELP
    };
    static const struct option longopts[] = {{"port", 1, 0, O_PORT},
                                             {"bind", 1, 0, O_BIND},
                                             {"hostname", 1, 0, O_HOST},
                                             {"tls-cert", 1, 0, O_CERT},
                                             {"tls-key", 1, 0, O_KEY},
                                             {"credentials", 1, 0, O_CRED},
                                             {"credentials-file", 1, 0, O_CREDFILE},
                                             {"agents", 1, 0, O_AGENTS},
                                             {"agent-cpus", 1, 0, O_CPUS},
                                             {"agent-mem", 1, 0, O_MEM},
                                             {"agent-disk", 1, 0, O_DISK},
                                             {"agent-ports", 1, 0, O_PORTS},
                                             {"agent-attributes", 1, 0, O_ATTRS},
                                             {"agent-attributes-of", 1, 0, O_ATTRS_OF},
                                             {"heartbeat-interval", 1, 0, O_HB},
                                             {"allocation-interval", 1, 0, O_ALLOC},
                                             {"offer-timeout", 1, 0, O_OFFER_TO},
                                             {"failover-timeout-cap", 1, 0, O_FO_CAP},
                                             {"mode", 1, 0, O_MODE},
                                             {"leader", 1, 0, O_LEADER},
                                             {"control-port", 1, 0, O_CONTROL},
                                             {"call-log", 1, 0, O_CALLLOG},
                                             {"help", 0, 0, O_HELP},
                                             {"work-dir", 1, 0, O_WORKDIR},
                                             {"image-map", 1, 0, O_IMAGEMAP},
                                             {"update-retry-interval", 1, 0, O_RETRY},
                                             {"container-address-block", 1, 0, O_BLOCK},
                                             {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (o) {
        case O_PORT:
            S.port = (int)number_arg("--port", optarg);
            break;
        case O_BIND:
            S.bind = optarg;
            break;
        case O_HOST:
            S.hostname = optarg;
            break;
        case O_CERT:
            S.tls_cert = read_file(optarg);
            if (!S.tls_cert) {
                perror(optarg);
                return 2;
            }
            break;
        case O_KEY:
            S.tls_key = read_file(optarg);
            if (!S.tls_key) {
                perror(optarg);
                return 2;
            }
            break;
        case O_CRED:
        case O_CREDFILE: {
            mk_err err = {{0}};
            if ((o == O_CRED ? sim_creds_add(&S.creds, optarg, &err)
                             : sim_creds_load_file(&S.creds, optarg, &err)) < 0) {
                fprintf(stderr, "mesos-sim: %s\n", err.msg);
                return 2;
            }
            break;
        }
        case O_AGENTS:
            opt.agents = (int)number_arg("--agents", optarg);
            break;
        case O_CPUS:
            opt.agent_cpus = number_arg("--agent-cpus", optarg);
            break;
        case O_MEM:
            opt.agent_mem = number_arg("--agent-mem", optarg);
            break;
        case O_DISK:
            opt.agent_disk = number_arg("--agent-disk", optarg);
            break;
        case O_PORTS:
            if (sscanf(optarg, "%lu-%lu", &opt.agent_port_begin, &opt.agent_port_end) != 2 ||
                opt.agent_port_begin > opt.agent_port_end || opt.agent_port_end > 65535) {
                fprintf(stderr, "mesos-sim: --agent-ports takes BEGIN-END\n");
                return 2;
            }
            break;
        case O_ATTRS:
            opt.agent_attributes = optarg;
            break;
        case O_ATTRS_OF:
            /* Checked in master_init, once --agents is known. */
            attrs_of = mk_xrealloc(attrs_of, (n_attrs_of + 1) * sizeof(*attrs_of));
            attrs_of[n_attrs_of++] = optarg;
            break;
        case O_HB:
            opt.heartbeat_s = number_arg("--heartbeat-interval", optarg);
            break;
        case O_ALLOC:
            opt.allocation_s = number_arg("--allocation-interval", optarg);
            break;
        case O_OFFER_TO:
            opt.offer_timeout_s = number_arg("--offer-timeout", optarg);
            break;
        case O_FO_CAP:
            opt.failover_cap_s = number_arg("--failover-timeout-cap", optarg);
            break;
        case O_MODE:
            mode = optarg;
            break;
        case O_LEADER:
            leader = optarg;
            break;
        case O_CONTROL:
            S.control_port = (int)number_arg("--control-port", optarg);
            break;
        case O_CALLLOG:
            call_log = optarg;
            break;
        case O_WORKDIR:
            opt.work_dir = optarg;
            break;
        case O_IMAGEMAP:
            opt.image_map = optarg;
            break;
        case O_RETRY:
            opt.update_retry_s = number_arg("--update-retry-interval", optarg);
            break;
        case O_BLOCK:
            opt.container_block = optarg;
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!S.tls_cert != !S.tls_key) {
        fprintf(stderr, "mesos-sim: --tls-cert and --tls-key go together\n");
        return 2;
    }
    if (call_log && !(S.call_log = fopen(call_log, "a"))) {
        perror(call_log);
        return 2;
    }
    opt.hostname = S.hostname;
    opt.agent_attributes_of = attrs_of;
    opt.n_agent_attributes_of = n_attrs_of;
    opt.port = S.port;
    opt.auth = S.creds.n > 0;
    if (opt.heartbeat_s <= 0)
        opt.heartbeat_s = 15.0;
    char tmp_dir[] = "/tmp/mesos-sim.XXXXXX";
    if (!opt.work_dir && !(opt.work_dir = mkdtemp(tmp_dir))) {
        perror("mesos-sim: mkdtemp");
        return 1;
    }
    mk_err err = {{0}};
    if (master_init(&opt, &err) < 0) {
        fprintf(stderr, "mesos-sim: %s\n", err.msg);
        master_free();
        if (opt.work_dir == tmp_dir)
            rmdir(tmp_dir); /* ours, and empty unless the agents were set up */
        return 2;
    }
    if (strcmp(mode, "redirect") == 0) {
        if (!leader) {
            fprintf(stderr, "mesos-sim: --mode redirect needs --leader HOST:PORT\n");
            return 2;
        }
        master_set_mode(MODE_REDIRECT, leader);
    } else if (strcmp(mode, "no-leader") == 0) {
        master_set_mode(MODE_NO_LEADER, NULL);
    } else if (strcmp(mode, "leader") != 0) {
        fprintf(stderr, "mesos-sim: --mode must be leader, redirect or no-leader\n");
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct MHD_Daemon *api =
        start_daemon(S.port, S.tls_cert != NULL, on_request, S.tls_key, S.tls_cert);
    struct MHD_Daemon *control = NULL;
    if (api && S.control_port)
        control = start_daemon(S.control_port, false, on_control, NULL, NULL);
    int rc = 0;
    if (!api || (S.control_port && !control)) {
        fprintf(stderr, "mesos-sim: cannot listen on %s:%d (control %d): %s\n", S.bind, S.port,
                S.control_port, strerror(errno));
        rc = 1;
    } else {
        log_info("sim", "serving %s://%s:%d/api/v1/scheduler, %d agents, auth %s",
                 S.tls_cert ? "https" : "http", S.bind, S.port, opt.agents,
                 S.creds.n ? "on" : "off");
        fprintf(stderr, "mesos-sim: ready\n");
        while (!stopping)
            pause();
        log_info("sim", "stopping");
    }
    master_shutdown();
    if (control)
        MHD_stop_daemon(control);
    if (api)
        MHD_stop_daemon(api);
    master_free();
    if (S.call_log)
        fclose(S.call_log);
    free(S.tls_cert);
    free(S.tls_key);
    sim_creds_free(&S.creds);
    return rc;
}
