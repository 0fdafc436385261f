/*
 * http_load: requests per second of one GET over many keep-alive connections.
 *
 *   build/bench/http_load HOST PORT PATH CONNECTIONS SECONDS [USER:PASSWORD]
 *
 * Each connection sends the request, reads one response (headers, then Content-Length bytes) and
 * sends it again, on one epoll loop. A minimal client, so the figure measures the server, not the
 * client library: every response must be 200, or the run fails. Prints requests per second and the
 * latency percentiles (from sending a request to its whole response).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

typedef struct {
    int fd;
    char buf[65536];
    size_t have;
    double sent_at;
} conn;

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

static int connect_to(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
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

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: http_load HOST PORT PATH CONNECTIONS SECONDS [USER:PASSWORD]\n");
        return 2;
    }
    const char *host = argv[1], *path = argv[3];
    int port = atoi(argv[2]), n = atoi(argv[4]);
    double seconds = atof(argv[5]);
    char auth[512] = "";
    if (argc > 6) {
        cleanup_free char *token = mk_base64_encode(argv[6], strlen(argv[6]));
        snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", token);
    }
    char req[2048];
    int req_len =
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", path, host, auth);
    int ep = epoll_create1(0);
    conn *conns = mk_xcalloc((size_t)n, sizeof(conn));
    for (int i = 0; i < n; i++) {
        conns[i].fd = connect_to(host, port);
        struct epoll_event e = {.events = EPOLLIN, .data.ptr = &conns[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &e);
        conns[i].sent_at = mk_now_monotonic();
        send_all(conns[i].fd, req, (size_t)req_len);
    }
    samples lat = {0};
    unsigned long done = 0;
    double start = mk_now_monotonic(), until = start + seconds;
    struct epoll_event events[256];
    while (mk_now_monotonic() < until) {
        int k = epoll_wait(ep, events, 256, 100);
        for (int i = 0; i < k; i++) {
            conn *c = events[i].data.ptr;
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
    }
    double took = mk_now_monotonic() - start;
    qsort(lat.v, lat.n, sizeof(double), cmp_double);
    printf("GET %s with %d keep-alive connections: %.0f requests/s (%lu in %.1f s); latency "
           "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           path, n, (double)done / took, done, took, 1e3 * percentile(&lat, 50),
           1e3 * percentile(&lat, 99), 1e3 * percentile(&lat, 100));
    free(lat.v);
    for (int i = 0; i < n; i++)
        close(conns[i].fd);
    free(conns);
    close(ep);
    return 0;
}
