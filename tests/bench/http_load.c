/*
 * http_load: requests per second of one GET over many keep-alive connections.
 *
 *   build/bench/http_load HOST PORT PATH CONNECTIONS SECONDS [USER:PASSWORD] [options]
 *     --from ADDR        the load connections' source address (default: the kernel's choice)
 *     --idle N           also hold N idle connections open beside the load
 *     --idle-from ADDR   the first of their source addresses (default 127.0.0.2)
 *     --idle-per M       M idle connections per source address, then the next address (default 50)
 *     --threads-of PID   report the most threads process PID had during the run
 *
 * Each connection sends the request, reads one response (headers, then Content-Length bytes) and
 * sends it again, on one epoll loop. A minimal client, so the figure measures the server, not the
 * client library: every response must be 200, or the run fails. Prints requests per second and the
 * latency percentiles (from sending a request to its whole response).
 *
 * Idle connections are what slow or stuck clients look like to the server: TCP connected and
 * nothing sent (even ones), or one partial header line and nothing more (odd ones). They are spread
 * over consecutive source addresses (127.0.0.2, 127.0.0.3, ...: Linux routes all of 127/8 to lo)
 * so that a per-address connection limit does not refuse them. They are all connected before the
 * load starts; one that the server closes (a header deadline, a limit) is opened again after
 * RECONNECT_DELAY_S, and the reconnects are counted, as is the fewest that were open at once
 * during the load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define RECONNECT_DELAY_S 0.05 /* after the server closed an idle connection */
#define CONNECT_WAIT_S    10.0 /* for every idle connection to be open before the load starts */
#define PARTIAL_LINE      "X-Slow-Client: "

typedef struct {
    int fd;
    char buf[65536];
    size_t have;
    double sent_at;
} conn;

typedef enum { IDLE_WAITING, IDLE_CONNECTING, IDLE_OPEN } idle_state;

/* One idle connection: fd -1 while it waits to be opened again. */
typedef struct {
    int fd;
    idle_state state;
    struct in_addr from;
    bool partial; /* sends one partial header line once connected */
    double retry_at;
} idle_conn;

/* What an epoll event is about: the tag tells the two kinds of connection apart. */
typedef struct {
    bool idle;
    void *c;
} tag;

/* Every latency, in seconds: a run of a minute at 10,000 requests/s is under 5 MB. */
typedef struct {
    double *v;
    size_t n, cap;
} samples;

static void samples_add(samples *s, double x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->v = realloc(s->v, s->cap * sizeof(double));
        if (!s->v) {
            perror("realloc");
            exit(1);
        }
    }
    s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const samples *s, double p)
{
    if (s->n == 0)
        return 0;
    size_t i = (size_t)(p / 100.0 * (double)(s->n - 1) + 0.5);
    return s->v[i < s->n ? i : s->n - 1];
}

static void parse_addr(const char *text, struct in_addr *out)
{
    if (inet_pton(AF_INET, text, out) != 1) {
        fprintf(stderr, "http_load: not an IPv4 address: %s\n", text);
        exit(2);
    }
}

/* A TCP socket to host:port from `from` (INADDR_ANY: the kernel's choice). Blocking connects fail
 * the run; a non-blocking one returns at once (-1 only if even the socket cannot be made). */
static int connect_to(struct in_addr host, int port, struct in_addr from, bool nonblocking)
{
    int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    if (from.s_addr != htonl(INADDR_ANY)) {
        struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr = from};
        if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
            perror("bind");
            exit(1);
        }
    }
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = host};
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
        !(nonblocking && errno == EINPROGRESS)) {
        if (nonblocking) {
            close(fd);
            return -1;
        }
        perror("connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void send_all(int fd, const char *req, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, req, len);
        if (n <= 0) {
            perror("write");
            exit(1);
        }
        req += n;
        len -= (size_t)n;
    }
}

/* Length of one complete response at the start of c->buf, 0 if incomplete. */
static size_t complete_response(conn *c)
{
    c->buf[c->have] = '\0';
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end)
        return 0;
    if (strncmp(c->buf, "HTTP/1.1 200", 12) != 0) {
        fprintf(stderr, "http_load: unexpected response: %.80s\n", c->buf);
        exit(1);
    }
    char *cl = strcasestr(c->buf, "\r\nContent-Length:");
    if (!cl || cl > end) {
        fprintf(stderr, "http_load: response without Content-Length\n");
        exit(1);
    }
    size_t body = strtoul(cl + 17, NULL, 10);
    size_t total = (size_t)(end + 4 - c->buf) + body;
    return c->have >= total ? total : 0;
}

/* ---- idle connections ------------------------------------------------------------------------ */

typedef struct {
    int ep;
    struct in_addr host;
    int port;
    idle_conn *v;
    tag *tags;
    int n, open, fewest_open;
    unsigned long reconnects;
    bool counting; /* the load runs: closes are counted as reconnects, `fewest_open` tracked */
} idle_set;

static void idle_open(idle_set *s, int i)
{
    idle_conn *c = &s->v[i];
    c->fd = connect_to(s->host, s->port, c->from, true);
    if (c->fd < 0) {
        c->state = IDLE_WAITING;
        c->retry_at = mk_now_monotonic() + RECONNECT_DELAY_S;
        return;
    }
    c->state = IDLE_CONNECTING;
    struct epoll_event e = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = &s->tags[i]};
    epoll_ctl(s->ep, EPOLL_CTL_ADD, c->fd, &e);
}

/* The server closed it, or it could not connect: open it again shortly. */
static void idle_lost(idle_set *s, idle_conn *c)
{
    if (c->state == IDLE_OPEN)
        s->open--;
    if (s->counting) {
        s->reconnects++;
        if (s->open < s->fewest_open)
            s->fewest_open = s->open;
    }
    epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->state = IDLE_WAITING;
    c->retry_at = mk_now_monotonic() + RECONNECT_DELAY_S;
}

static void idle_event(idle_set *s, idle_conn *c, uint32_t events)
{
    if (c->state == IDLE_CONNECTING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            idle_lost(s, c);
            return;
        }
        c->state = IDLE_OPEN;
        s->open++;
        struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = &s->tags[c - s->v]};
        epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e);
        if (c->partial && write(c->fd, PARTIAL_LINE, strlen(PARTIAL_LINE)) < 0) {
            idle_lost(s, c);
            return;
        }
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        char junk[4096]; /* whatever the server says before it closes (a 408, say) */
        ssize_t r = read(c->fd, junk, sizeof(junk));
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            idle_lost(s, c);
    }
}

/* Opens again the connections whose delay has passed; returns the epoll timeout (ms) that serves
 * the next one in time. */
static int idle_retry(idle_set *s)
{
    double now = mk_now_monotonic(), next = now + 0.1;
    for (int i = 0; i < s->n; i++) {
        if (s->v[i].state != IDLE_WAITING)
            continue;
        if (s->v[i].retry_at <= now)
            idle_open(s, i);
        else if (s->v[i].retry_at < next)
            next = s->v[i].retry_at;
    }
    int ms = (int)((next - now) * 1000.0) + 1;
    return ms < 1 ? 1 : ms;
}

/* ---- the run --------------------------------------------------------------------------------- */

/* Most threads of /proc/<pid>, as its status says now; 0 if it cannot be read. */
static int threads_of(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    int n = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    if (f)
        fclose(f);
    return n;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: http_load HOST PORT PATH CONNECTIONS SECONDS [USER:PASSWORD] [--from ADDR] "
            "[--idle N] [--idle-from ADDR] [--idle-per M] [--threads-of PID]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 6)
        usage();
    const char *host_text = argv[1], *path = argv[3];
    int port = atoi(argv[2]), n = atoi(argv[4]);
    double seconds = atof(argv[5]);
    char auth[512] = "";
    struct in_addr host, from = {htonl(INADDR_ANY)}, idle_from;
    parse_addr(host_text, &host);
    parse_addr("127.0.0.2", &idle_from);
    int n_idle = 0, idle_per = 50, watch_pid = 0;
    int a = 6;
    if (argc > a && strncmp(argv[a], "--", 2) != 0) {
        cleanup_free char *token = mk_base64_encode(argv[a], strlen(argv[a]));
        snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", token);
        a++;
    }
    for (; a < argc; a += 2) {
        if (a + 1 >= argc)
            usage();
        if (strcmp(argv[a], "--from") == 0)
            parse_addr(argv[a + 1], &from);
        else if (strcmp(argv[a], "--idle") == 0)
            n_idle = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "--idle-from") == 0)
            parse_addr(argv[a + 1], &idle_from);
        else if (strcmp(argv[a], "--idle-per") == 0)
            idle_per = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "--threads-of") == 0)
            watch_pid = atoi(argv[a + 1]);
        else
            usage();
    }
    if (n < 1 || n_idle < 0 || idle_per < 1)
        usage();
    char req[2048];
    int req_len =
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host_text, auth);
    int ep = epoll_create1(0);
    struct epoll_event events[256];

    /* The idle connections first, all open before the load starts. */
    idle_set idle = {.ep = ep, .host = host, .port = port, .n = n_idle};
    idle.v = mk_xcalloc((size_t)n_idle + 1, sizeof(*idle.v));
    idle.tags = mk_xcalloc((size_t)n_idle + 1, sizeof(*idle.tags));
    for (int i = 0; i < n_idle; i++) {
        idle.v[i] = (idle_conn){.fd = -1, .partial = i % 2 == 1};
        idle.v[i].from.s_addr = htonl(ntohl(idle_from.s_addr) + (uint32_t)(i / idle_per));
        idle.tags[i] = (tag){.idle = true, .c = &idle.v[i]};
        idle_open(&idle, i);
    }
    double connect_until = mk_now_monotonic() + CONNECT_WAIT_S;
    while (idle.open < n_idle && mk_now_monotonic() < connect_until) {
        int k = epoll_wait(ep, events, 256, idle_retry(&idle));
        for (int i = 0; i < k; i++)
            idle_event(&idle, ((tag *)events[i].data.ptr)->c, events[i].events);
    }
    int idle_at_start = idle.open;
    idle.counting = true;
    idle.fewest_open = idle.open;

    conn *conns = mk_xcalloc((size_t)n, sizeof(conn));
    tag *load_tags = mk_xcalloc((size_t)n, sizeof(tag));
    for (int i = 0; i < n; i++) {
        conns[i].fd = connect_to(host, port, from, false);
        load_tags[i] = (tag){.idle = false, .c = &conns[i]};
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &load_tags[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e);
        conns[i].sent_at = mk_now_monotonic();
        send_all(conns[i].fd, req, (size_t)req_len);
    }
    samples lat = {0};
    unsigned long done = 0;
    int most_threads = watch_pid ? threads_of(watch_pid) : 0;
    double start = mk_now_monotonic(), until = start + seconds, next_sample = start;
    while (mk_now_monotonic() < until) {
        int k = epoll_wait(ep, events, 256, n_idle ? idle_retry(&idle) : 100);
        for (int i = 0; i < k; i++) {
            tag *t = events[i].data.ptr;
            if (t->idle) {
                idle_event(&idle, t->c, events[i].events);
                continue;
            }
            conn *c = t->c;
            ssize_t r = read(c->fd, c->buf + c->have, sizeof(c->buf) - 1 - c->have);
            if (r <= 0) {
                fprintf(stderr, "http_load: connection closed by the server\n");
                return 1;
            }
            c->have += (size_t)r;
            size_t len;
            while ((len = complete_response(c)) > 0) {
                memmove(c->buf, c->buf + len, c->have - len);
                c->have -= len;
                done++;
                double now = mk_now_monotonic();
                samples_add(&lat, now - c->sent_at);
                c->sent_at = now;
                send_all(c->fd, req, (size_t)req_len);
            }
        }
        if (watch_pid && mk_now_monotonic() >= next_sample) {
            int t = threads_of(watch_pid);
            most_threads = t > most_threads ? t : most_threads;
            next_sample = mk_now_monotonic() + 0.05;
        }
    }
    double took = mk_now_monotonic() - start;
    qsort(lat.v, lat.n, sizeof(double), cmp_double);
    printf("GET %s with %d keep-alive connections: %.0f requests/s (%lu in %.1f s); latency "
           "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           path, n, (double)done / took, done, took, 1e3 * percentile(&lat, 50),
           1e3 * percentile(&lat, 99), 1e3 * percentile(&lat, 100));
    if (n_idle) {
        char first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN];
        struct in_addr end = {htonl(ntohl(idle_from.s_addr) + (uint32_t)((n_idle - 1) / idle_per))};
        inet_ntop(AF_INET, &idle_from, first, sizeof(first));
        inet_ntop(AF_INET, &end, last, sizeof(last));
        printf("  beside %d idle connections (from %s-%s, %d each; half silent, half one partial "
               "header line): %d open at the start, at least %d during the load, %lu reconnects\n",
               n_idle, first, last, idle_per, idle_at_start, idle.fewest_open, idle.reconnects);
    }
    if (watch_pid)
        printf("  the server's threads: up to %d\n", most_threads);
    free(lat.v);
    for (int i = 0; i < n; i++)
        close(conns[i].fd);
    for (int i = 0; i < n_idle; i++)
        if (idle.v[i].fd >= 0)
            close(idle.v[i].fd);
    free(conns);
    free(load_tags);
    free(idle.v);
    free(idle.tags);
    close(ep);
    return 0;
}
