/*
 * zk_watch: one thread, one ZooKeeper session, a snapshot posted to the core when it changes.
 *
 * Polling rather than ZooKeeper watches: the snapshot is small (broker registrations and partition
 * assignments), a read every poll interval is cheap, and polling needs no re-arming logic across
 * session expiry. What matters for safety is freshness on demand: a scale-down asks for a refresh
 * and decides on a read made after its request (the "seq" of the message).
 *
 * The C client's own log goes to our log at debug level: while the ensemble starts, the client
 * reports every refused connection, which is expected and not worth a warning each time.
 */
#include "zk_watch.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
/* The synchronous calls exist only in the multi-threaded client (libzookeeper_mt). */
#define THREADED 1
#include <zookeeper/zookeeper.h>

#include "cluster_check.h"
#include "kafka_admin.h"
#include "log.h"
#include "util.h"

#define COMPONENT          "zookeeper"
#define SESSION_TIMEOUT_MS 10000
#define CONNECT_WAIT_S     5.0
#define MAX_NODE_BYTES     (1 << 20)
/* How long a broker is given to say its cluster id. */
#define BROKER_ASK_MS 2000

struct zk_watch {
    core_queue *queue;
    char *chroot;
    double poll_s;

    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* under lock */
    char *connect;          /* wanted connect string; NULL = none */
    char *brokers;          /* brokers to ask their cluster id: "id=host:port,..."; NULL = none */
    bool connect_changed;   /* the thread must reopen its session */
    unsigned long want_seq; /* highest refresh asked */
    bool stop;
    bool session_event;     /* the client's watcher saw a state change */
    int64_t *dead_sessions; /* whose ephemeral nodes to remove before the next read */
    size_t n_dead_sessions;
    bool read_now;

    /* thread only */
    zhandle_t *zh;
    char *session_connect;
    json_t *last_posted;
    json_t *cluster_ids; /* {"<broker id>": {"owner", "address", "cluster_id"}}: answers kept */
    unsigned long posted_seq;
};

static void zk_log(const char *message)
{
    log_debug(COMPONENT, "client: %s", message);
}

static void session_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
    (void)zh;
    (void)type;
    (void)state;
    (void)path;
    zk_watch *w = ctx;
    pthread_mutex_lock(&w->lock);
    w->session_event = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* ---- reading -----------------------------------------------------------------------------------
 */

/* Whether `v` is an array of broker ids; an ISR that is not one counts as unknown (at risk). */
static bool broker_ids(const json_t *v)
{
    size_t i;
    const json_t *id;
    if (!json_is_array(v))
        return false;
    json_array_foreach(v, i, id)
    {
        if (!json_is_integer(id) || json_integer_value(id) < 0)
            return false;
    }
    return true;
}

/* ---- node contents ----------------------------------------------------------------------------
 * What the nodes hold is written by Kafka, but read here as untrusted text: anything that does not
 * have the expected shape is left out (or makes the whole node unreadable), never passed on.
 */

int zk_watch_parse_topic(const char *topic, const char *data, size_t len, json_t *out)
{
    cleanup_json json_t *doc = json_loadb(data, len, 0, NULL);
    json_t *parts = json_object_get(doc, "partitions");
    if (!json_is_object(parts))
        return -1;
    cleanup_json json_t *found = json_array(); /* appended to `out` only once all are read */
    const char *key;
    json_t *replicas;
    json_object_foreach(parts, key, replicas)
    {
        char *end = NULL;
        long p = strtol(key, &end, 10);
        if (!*key || *end || p < 0 || p > INT32_MAX || !broker_ids(replicas))
            return -1;
        json_t *part = json_pack("{s:s, s:I, s:O}", "topic", topic, "partition", (json_int_t)p,
                                 "replicas", replicas);
        if (!part)
            return -1;
        json_array_append_new(found, part);
    }
    json_array_extend(out, found);
    return 0;
}

json_t *zk_watch_parse_broker(const char *data, size_t len, int64_t owner)
{
    cleanup_json json_t *reg = json_loadb(data, len, 0, NULL);
    json_t *entry = json_object();
    static const struct {
        const char *key;
        json_type type;
    } fields[] = {{"host", JSON_STRING},    {"port", JSON_INTEGER},     {"endpoints", JSON_ARRAY},
                  {"rack", JSON_STRING},    {"timestamp", JSON_STRING}, {"jmx_port", JSON_INTEGER},
                  {"version", JSON_INTEGER}};
    for (size_t k = 0; k < MK_ARRAY_LEN(fields); k++) {
        json_t *v = json_object_get(reg, fields[k].key);
        if (!v || json_typeof(v) != fields[k].type)
            continue;
        if (fields[k].type == JSON_ARRAY) {
            json_t *texts = json_array();
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
            {
                if (json_is_string(e))
                    json_array_append(texts, e);
            }
            json_object_set_new(entry, fields[k].key, texts);
        } else {
            json_object_set(entry, fields[k].key, v);
        }
    }
    if (owner != 0) {
        char hex[24];
        snprintf(hex, sizeof(hex), "%" PRIx64, (uint64_t)owner);
        json_object_set_new(entry, "owner", json_string(hex));
    }
    return entry;
}

json_t *zk_watch_parse_min_insync(const char *data, size_t len)
{
    cleanup_json json_t *doc = json_loadb(data, len, 0, NULL);
    const char *v =
        json_string_value(json_object_get(json_object_get(doc, "config"), "min.insync.replicas"));
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 && n < 1000 ? json_integer(n) : json_null();
}

void zk_watch_parse_partition_state(const char *data, size_t len, json_t *part)
{
    cleanup_json json_t *doc = data ? json_loadb(data, len, 0, NULL) : NULL;
    json_t *leader = json_object_get(doc, "leader"), *isr = json_object_get(doc, "isr");
    json_object_set_new(part, "leader",
                        json_is_integer(leader) ? json_incref(leader) : json_null());
    json_object_set_new(part, "isr", broker_ids(isr) ? json_incref(isr) : json_null());
}

json_t *zk_watch_parse_controller(const char *data, size_t len)
{
    cleanup_json json_t *doc = json_loadb(data, len, 0, NULL);
    json_t *id = json_object_get(doc, "brokerid");
    return json_is_integer(id) ? json_incref(id) : json_null();
}

/* Data of `path` (NUL-terminated copy) or NULL; *rc gets the client's code. */
static char *read_node(zhandle_t *zh, const char *path, int *len, int *rc, struct Stat *stat)
{
    char *buf = mk_xmalloc(MAX_NODE_BYTES + 1);
    *len = MAX_NODE_BYTES;
    *rc = zoo_get(zh, path, 0, buf, len, stat);
    if (*rc != ZOK || *len < 0) {
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

/* Children of `path`; a missing node is an empty list (nothing registered yet). */
static int read_children(zhandle_t *zh, const char *path, struct String_vector *out)
{
    memset(out, 0, sizeof(*out));
    int rc = zoo_get_children(zh, path, 0, out);
    return rc == ZNONODE ? ZOK : rc;
}

/* Calls `each` with the data and the owning session (0: not ephemeral) of every child of
 * `<chroot>/<dir>`. A child gone between the two reads is skipped; any other failure stops the
 * walk and is returned. */
typedef void (*child_fn)(const char *name, const char *data, int len, int64_t owner, void *ud);
static int for_each_child(zk_watch *w, const char *dir, child_fn each, void *ud)
{
    cleanup_free char *parent = mk_xasprintf("%s/%s", w->chroot, dir);
    struct String_vector names;
    int rc = read_children(w->zh, parent, &names);
    for (int i = 0; rc == ZOK && i < names.count; i++) {
        cleanup_free char *path = mk_xasprintf("%s/%s", parent, names.data[i]);
        int len = 0, node_rc = ZOK;
        struct Stat stat = {0};
        cleanup_free char *data = read_node(w->zh, path, &len, &node_rc, &stat);
        if (data)
            each(names.data[i], data, len, stat.ephemeralOwner, ud);
        else if (node_rc != ZNONODE)
            rc = node_rc;
    }
    deallocate_String_vector(&names);
    return rc;
}

static void add_broker(const char *id, const char *data, int len, int64_t owner, void *ud)
{
    json_object_set_new(ud, id, zk_watch_parse_broker(data, (size_t)len, owner));
}

/* The leader and ISR the controller wrote for one partition, and the topic's own
 * min.insync.replicas, added to each of `parts[from..]`. A partition without a state node yet (a
 * topic being created) keeps null leader and isr. */
static int add_partition_states(zk_watch *w, const char *topic, json_t *parts, size_t from)
{
    cleanup_free char *config_path = mk_xasprintf("%s/config/topics/%s", w->chroot, topic);
    int len = 0, rc = ZOK;
    json_t *min_insync = json_null();
    cleanup_free char *config = read_node(w->zh, config_path, &len, &rc, NULL);
    if (config)
        min_insync = zk_watch_parse_min_insync(config, (size_t)len);
    else if (rc != ZNONODE)
        return rc;
    for (size_t i = from; i < json_array_size(parts); i++) {
        json_t *p = json_array_get(parts, i);
        json_object_set(p, "min_insync", min_insync);
        cleanup_free char *path =
            mk_xasprintf("%s/brokers/topics/%s/partitions/%" JSON_INTEGER_FORMAT "/state",
                         w->chroot, topic, json_integer_value(json_object_get(p, "partition")));
        cleanup_free char *state = read_node(w->zh, path, &len, &rc, NULL);
        if (!state && rc != ZNONODE) {
            json_decref(min_insync);
            return rc;
        }
        zk_watch_parse_partition_state(state, (size_t)len, p);
    }
    json_decref(min_insync);
    return ZOK;
}

typedef struct {
    zk_watch *w;
    json_t *parts;
    int rc;
} topic_walk;

static void add_topic(const char *topic, const char *data, int len, int64_t owner, void *ud)
{
    (void)owner;
    topic_walk *walk = ud;
    size_t from = json_array_size(walk->parts);
    if (zk_watch_parse_topic(topic, data, (size_t)len, walk->parts) < 0) {
        log_warn(COMPONENT, "topic %s has no readable partition assignment; ignored", topic);
        return;
    }
    int rc = add_partition_states(walk->w, topic, walk->parts, from);
    if (rc != ZOK && walk->rc == ZOK)
        walk->rc = rc;
}

/* The id of the broker that is the controller (`<chroot>/controller`), or null. */
static json_t *read_controller(zk_watch *w)
{
    cleanup_free char *path = mk_xasprintf("%s/controller", w->chroot);
    int len = 0, rc = ZOK;
    cleanup_free char *data = read_node(w->zh, path, &len, &rc, NULL);
    return data ? zk_watch_parse_controller(data, (size_t)len) : json_null();
}

/* ---- what a dead broker left behind ---------------------------------------------------------- */

/* Deletes `path` if the session `owner` holds it (at the version read, so nothing newer goes). */
static void delete_if_owned(zk_watch *w, const char *path, int64_t owner)
{
    struct Stat st = {0};
    int rc = zoo_exists(w->zh, path, 0, &st);
    if (rc != ZOK || st.ephemeralOwner != owner)
        return;
    rc = zoo_delete(w->zh, path, st.version);
    if (rc == ZOK)
        log_info(COMPONENT,
                 "removed %s: its broker is gone, its session (0x%" PRIx64 ") has not expired yet",
                 path, (uint64_t)owner);
    else if (rc != ZNONODE)
        log_warn(COMPONENT, "cannot remove %s left by a broker that is gone: %s", path, zerror(rc));
}

/* A broker killed without its controlled shutdown keeps its registration (and /controller, if it
 * was the controller) until its session expires, 18 s by default: a new broker with that id then
 * fails to start (NodeExists) and the controller does not react to the death until then.
 * Removing them at once is what the expiry would do, done earlier; only nodes still owned by
 * that very session are touched. Called without the lock. */
static void remove_dead_sessions(zk_watch *w, const int64_t *owners, size_t n)
{
    cleanup_free char *ids = mk_xasprintf("%s/brokers/ids", w->chroot);
    cleanup_free char *controller = mk_xasprintf("%s/controller", w->chroot);
    struct String_vector names;
    if (read_children(w->zh, ids, &names) != ZOK)
        return;
    for (size_t k = 0; k < n; k++) {
        for (int i = 0; i < names.count; i++) {
            cleanup_free char *path = mk_xasprintf("%s/%s", ids, names.data[i]);
            delete_if_owned(w, path, owners[k]);
        }
        delete_if_owned(w, controller, owners[k]);
    }
    deallocate_String_vector(&names);
}

/* ---- each server's own view
 * ---------------------------------------------------------------------- */

/* A server's answer to the four-letter word `word` (a new string; "" when it answered nothing),
 * or NULL when it cannot be reached. One second for each step. */
static char *four_letter(const char *hostport, const char *word)
{
    const char *colon = strrchr(hostport, ':');
    if (!colon)
        return NULL;
    cleanup_free char *host = mk_xstrndup(hostport, (size_t)(colon - hostport));
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        return NULL;
    int fd = socket(res->ai_family, res->ai_socktype, 0);
    struct timeval tv = {.tv_sec = 1};
    char *buf = NULL;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, res->ai_addr, res->ai_addrlen) == 0 && write(fd, word, 4) == 4) {
            size_t have = 0, cap = 8192;
            buf = mk_xmalloc(cap);
            ssize_t n;
            while (have < cap - 1 && (n = read(fd, buf + have, cap - 1 - have)) > 0)
                have += (size_t)n;
            buf[have] = '\0';
        }
        close(fd);
    }
    freeaddrinfo(res);
    return buf;
}

/* For every server of the connect string, into `modes` {"host:port": "leader" | ... | null} its
 * `srvr` mode (a server that serves clients, being in a quorum or standalone, says its mode;
 * others null) and into `voters` {"host:port": n | null} the voting members of its `conf`. */
static void read_servers(const char *connect, json_t *modes, json_t *voters)
{
    cleanup_free char *list = mk_xstrdup(connect ? connect : "");
    char *save = NULL;
    for (char *hp = strtok_r(list, ",", &save); hp; hp = strtok_r(NULL, ",", &save)) {
        cleanup_free char *srvr = four_letter(hp, "srvr");
        cleanup_free char *mode = zk_parse_srvr_mode(srvr);
        json_object_set_new(modes, hp, mode ? json_string(mode) : json_null());
        cleanup_free char *conf = mode ? four_letter(hp, "conf") : NULL;
        int n = zk_parse_conf_voters(conf);
        json_object_set_new(voters, hp, n >= 0 ? json_integer(n) : json_null());
    }
}

/* The id in <chroot>/cluster/id ({"version":"1","id":"..."}), which the first broker writes;
 * null when there is none yet. */
static json_t *read_cluster_id(zk_watch *w)
{
    cleanup_free char *path = mk_xasprintf("%s/cluster/id", w->chroot);
    int len = 0, rc = ZOK;
    cleanup_free char *data = read_node(w->zh, path, &len, &rc, NULL);
    cleanup_json json_t *doc = data ? json_loadb(data, (size_t)len, 0, NULL) : NULL;
    const char *id = json_string_value(json_object_get(doc, "id"));
    return id ? json_string(id) : json_null();
}

/* ---- what each broker says ------------------------------------------------------------------- */

/* {"<id>": cluster id | null} for each broker of `list` ("id=host:port,...") that is registered
 * (in `brokers`). A broker is asked once per registration (its ZooKeeper session) and address:
 * its cluster id cannot change without a restart, which makes a new session. Called without the
 * lock (it blocks up to a second or two per broker asked). */
static json_t *read_broker_cluster_ids(zk_watch *w, const char *list, const json_t *brokers)
{
    json_t *out = json_object();
    cleanup_free char *copy = mk_xstrdup(list ? list : "");
    char *save = NULL;
    for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(e, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *id = e, *address = eq + 1;
        const char *owner =
            json_string_value(json_object_get(json_object_get(brokers, id), "owner"));
        if (!owner)
            continue; /* not registered: nothing to ask yet */
        const json_t *cached = json_object_get(w->cluster_ids, id);
        const char *cid = json_string_value(json_object_get(cached, "cluster_id"));
        const char *was_owner = json_string_value(json_object_get(cached, "owner"));
        const char *was_address = json_string_value(json_object_get(cached, "address"));
        if (cid && was_owner && was_address && strcmp(was_owner, owner) == 0 &&
            strcmp(was_address, address) == 0) {
            json_object_set_new(out, id, json_string(cid));
            continue;
        }
        cleanup_free char *answer = kafka_admin_cluster_id(address, BROKER_ASK_MS);
        json_object_set_new(w->cluster_ids, id,
                            json_pack("{s:s, s:s, s:s?}", "owner", owner, "address", address,
                                      "cluster_id", answer));
        json_object_set_new(out, id, answer ? json_string(answer) : json_null());
    }
    return out;
}

/* ---- the session -------------------------------------------------------------------------------
 */

static void close_session(zk_watch *w)
{
    if (w->zh) {
        zookeeper_close(w->zh);
        w->zh = NULL;
    }
    free(w->session_connect);
    w->session_connect = NULL;
}

/* Waits (lock held) until the session is connected, `deadline` passes or the thread must stop. */
static bool wait_connected(zk_watch *w, double deadline)
{
    while (!w->stop && !w->connect_changed && zoo_state(w->zh) != ZOO_CONNECTED_STATE) {
        double left = deadline - mk_now_monotonic();
        if (left <= 0)
            return false;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + (left < 0.2 ? left : 0.2);
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&w->cond, &w->lock, &ts);
        w->session_event = false;
    }
    return zoo_state(w->zh) == ZOO_CONNECTED_STATE;
}

/* One read of the ensemble; returns the snapshot (without seq). Called with the lock held; drops
 * it around the client's blocking calls. */
static json_t *read_snapshot(zk_watch *w)
{
    json_t *snap =
        json_pack("{s:s?, s:b, s:n}", "connect", w->session_connect, "quorum", 0, "error");
    if (w->session_connect) {
        json_object_set_new(snap, "read_at", json_real(mk_now_wall()));
        cleanup_free char *connect = mk_xstrdup(w->session_connect);
        json_t *modes = json_object(), *voters = json_object();
        pthread_mutex_unlock(&w->lock);
        read_servers(connect, modes, voters);
        pthread_mutex_lock(&w->lock);
        json_object_set_new(snap, "modes", modes);
        json_object_set_new(snap, "voters", voters);
    }
    if (!w->zh) {
        json_object_set_new(snap, "error", json_string("no ZooKeeper member has an address yet"));
        return snap;
    }
    if (!wait_connected(w, mk_now_monotonic() + CONNECT_WAIT_S)) {
        json_object_set_new(snap, "error",
                            json_string("no ZooKeeper server accepts a session "
                                        "(no quorum, or none reachable)"));
        return snap;
    }
    int64_t *dead = w->dead_sessions;
    size_t n_dead = w->n_dead_sessions;
    w->dead_sessions = NULL;
    w->n_dead_sessions = 0;
    cleanup_free char *ask = w->brokers ? mk_xstrdup(w->brokers) : NULL;
    pthread_mutex_unlock(&w->lock);
    if (n_dead > 0)
        remove_dead_sessions(w, dead, n_dead);
    free(dead);
    int rc = ZOK, rc2 = ZOK;
    struct Stat st;
    rc = zoo_exists(w->zh, "/", 0, &st);
    json_t *brokers = json_object(), *parts = json_array();
    if (rc == ZOK)
        rc = for_each_child(w, "brokers/ids", add_broker, brokers);
    topic_walk walk = {.w = w, .parts = parts, .rc = ZOK};
    if (rc == ZOK)
        rc2 = for_each_child(w, "brokers/topics", add_topic, &walk);
    if (rc2 == ZOK)
        rc2 = walk.rc;
    json_t *cluster_id = rc == ZOK && rc2 == ZOK ? read_cluster_id(w) : NULL;
    json_t *broker_ids = cluster_id ? read_broker_cluster_ids(w, ask, brokers) : NULL;
    pthread_mutex_lock(&w->lock);
    if (rc != ZOK || rc2 != ZOK) {
        json_decref(brokers);
        json_decref(parts);
        json_decref(cluster_id);
        json_decref(broker_ids);
        json_object_set_new(
            snap, "error",
            json_sprintf("reading ZooKeeper failed: %s", zerror(rc != ZOK ? rc : rc2)));
        return snap;
    }
    json_object_set_new(snap, "quorum", json_true());
    json_object_set_new(snap, "brokers", brokers);
    json_object_set_new(snap, "partitions", parts);
    json_object_set_new(snap, "controller", read_controller(w));
    json_object_set_new(snap, "cluster_id", cluster_id);
    json_object_set_new(snap, "broker_cluster_ids", broker_ids);
    return snap;
}

static void open_session(zk_watch *w)
{
    close_session(w);
    if (!w->connect)
        return;
    w->session_connect = mk_xstrdup(w->connect);
    w->zh = zookeeper_init2(w->session_connect, session_watcher, SESSION_TIMEOUT_MS, NULL, w, 0,
                            zk_log);
    if (!w->zh)
        log_warn(COMPONENT, "cannot create a ZooKeeper client for %s", w->session_connect);
    else
        log_info(COMPONENT, "connecting to the ensemble at %s", w->session_connect);
}

static void post(zk_watch *w, json_t *snap, unsigned long seq)
{
    bool changed = !w->last_posted || !json_equal(w->last_posted, snap);
    if (!changed && seq <= w->posted_seq) {
        json_decref(snap);
        return;
    }
    if (changed) {
        bool had = w->last_posted && json_is_true(json_object_get(w->last_posted, "quorum"));
        bool has = json_is_true(json_object_get(snap, "quorum"));
        if (had != has)
            log_info(COMPONENT, "%s", has ? "a quorum answers" : "no quorum answers");
    }
    json_decref(w->last_posted);
    w->last_posted = json_incref(snap);
    w->posted_seq = seq;
    json_object_set_new(snap, "seq", json_integer((json_int_t)seq));
    core_queue_push(w->queue, core_msg_new(CORE_MSG_ZK_STATE, "zk", snap, NULL));
}

static void *watch_main(void *arg)
{
    zk_watch *w = arg;
    pthread_mutex_lock(&w->lock);
    double next_read = 0;
    while (!w->stop) {
        if (w->connect_changed) {
            w->connect_changed = false;
            open_session(w);
            next_read = 0;
        }
        double now = mk_now_monotonic();
        if (now >= next_read || w->want_seq > w->posted_seq || w->read_now) {
            unsigned long seq = w->want_seq;
            w->read_now = false;
            json_t *snap = read_snapshot(w);
            if (w->stop || w->connect_changed) {
                json_decref(snap);
                continue;
            }
            post(w, snap, seq);
            next_read = mk_now_monotonic() + w->poll_s;
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + (next_read - now);
        ts.tv_sec = (time_t)t;
        ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&w->cond, &w->lock, &ts);
    }
    close_session(w);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- interface ---------------------------------------------------------------------------------
 */

zk_watch *zk_watch_start(core_queue *queue, const char *chroot, double poll_s)
{
    zk_watch *w = mk_xcalloc(1, sizeof(*w));
    w->queue = queue;
    w->chroot = mk_xstrdup(chroot);
    w->poll_s = poll_s;
    w->cluster_ids = json_object();
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    zoo_set_debug_level(log_get_level() == LOG_DEBUG ? ZOO_LOG_LEVEL_INFO : ZOO_LOG_LEVEL_WARN);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        log_error(COMPONENT, "cannot start the ZooKeeper thread");
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        json_decref(w->cluster_ids);
        free(w->chroot);
        free(w);
        return NULL;
    }
    return w;
}

void zk_watch_stop(zk_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    json_decref(w->last_posted);
    json_decref(w->cluster_ids);
    free(w->dead_sessions);
    free(w->connect);
    free(w->brokers);
    free(w->chroot);
    free(w);
}

void zk_watch_set_connect(zk_watch *w, const char *connect)
{
    if (connect && !*connect)
        connect = NULL;
    pthread_mutex_lock(&w->lock);
    bool same =
        (!connect && !w->connect) || (connect && w->connect && !strcmp(connect, w->connect));
    if (!same) {
        free(w->connect);
        w->connect = connect ? mk_xstrdup(connect) : NULL;
        w->connect_changed = true;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
}

void zk_watch_set_brokers(zk_watch *w, const char *brokers)
{
    if (brokers && !*brokers)
        brokers = NULL;
    pthread_mutex_lock(&w->lock);
    free(w->brokers);
    w->brokers = brokers ? mk_xstrdup(brokers) : NULL;
    pthread_mutex_unlock(&w->lock);
}

void zk_watch_refresh(zk_watch *w, unsigned long seq)
{
    pthread_mutex_lock(&w->lock);
    if (seq > w->want_seq)
        w->want_seq = seq;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void zk_watch_remove_session_nodes(zk_watch *w, const char *owner)
{
    char *end = NULL;
    unsigned long long v = owner ? strtoull(owner, &end, 16) : 0;
    if (!w || !owner || !*owner || *end || v == 0)
        return;
    pthread_mutex_lock(&w->lock);
    w->dead_sessions =
        mk_xrealloc(w->dead_sessions, (w->n_dead_sessions + 1) * sizeof(*w->dead_sessions));
    w->dead_sessions[w->n_dead_sessions++] = (int64_t)v;
    w->read_now = true; /* clean up (and read) now rather than at the next poll */
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}
