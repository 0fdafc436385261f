/*
 * portfwd: TCP forwarding for BRIDGE port mappings (see portfwd.h).
 */
#include "portfwd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

#define BUF_SIZE (64 * 1024)

/* One direction of a pair: bytes read from `from`, waiting to be written to the other side. */
typedef struct {
    char buf[BUF_SIZE];
    size_t len;
    bool eof;  /* `from` has no more to give */
    bool shut; /* the other side's write half is shut */
} direction;

typedef struct {
    int fd[2];        /* 0: client, 1: target */
    bool connecting;  /* target connect in progress */
    direction dir[2]; /* dir[i]: from fd[i] to fd[1 - i] */
} pair;

struct portfwd {
    int listener, wake[2];
    struct sockaddr_in target;
    pthread_t thread;
    pair **pairs;
    size_t n_pairs;
    atomic_ulong accepted;
};

static void close_pair(pair *p)
{
    close(p->fd[0]);
    close(p->fd[1]);
    free(p);
}

static void accept_all(portfwd *f)
{
    for (;;) {
        int c = accept4(f->listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0)
            return; /* EAGAIN, or a transient error: the next poll tells */
        f->accepted++;
        int t = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (t < 0) {
            close(c);
            continue;
        }
        int r = connect(t, (const struct sockaddr *)&f->target, sizeof(f->target));
        if (r < 0 && errno != EINPROGRESS) {
            close(c);
            close(t);
            continue;
        }
        pair *p = mk_xcalloc(1, sizeof(*p));
        p->fd[0] = c;
        p->fd[1] = t;
        p->connecting = r < 0;
        f->pairs = mk_xrealloc(f->pairs, (f->n_pairs + 1) * sizeof(*f->pairs));
        f->pairs[f->n_pairs++] = p;
    }
}

/* Moves bytes for one pair after poll; returns false when the pair is finished. */
static bool service(pair *p, const struct pollfd *pf)
{
    if (p->connecting) {
        if (!(pf[1].revents & (POLLOUT | POLLERR | POLLHUP)))
            return !(pf[0].revents & (POLLERR | POLLHUP));
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(p->fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0)
            return false; /* the container is not listening: the client sees the connection end */
        p->connecting = false;
    }
    for (int i = 0; i < 2; i++) {
        direction *d = &p->dir[i];
        int from = p->fd[i], to = p->fd[1 - i];
        if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) && !d->eof && d->len < BUF_SIZE) {
            ssize_t n = recv(from, d->buf + d->len, BUF_SIZE - d->len, 0);
            if (n > 0)
                d->len += (size_t)n;
            else if (n == 0)
                d->eof = true;
            else if (errno != EAGAIN && errno != EINTR)
                return false;
        }
        if (d->len > 0) {
            ssize_t n = send(to, d->buf, d->len, MSG_NOSIGNAL);
            if (n > 0) {
                memmove(d->buf, d->buf + n, d->len - (size_t)n);
                d->len -= (size_t)n;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                return false;
            }
        }
        if (d->eof && d->len == 0 && !d->shut) {
            shutdown(to, SHUT_WR);
            d->shut = true;
        }
    }
    return !(p->dir[0].shut && p->dir[1].shut);
}

static void *run(void *arg)
{
    portfwd *f = arg;
    struct pollfd *pfds = NULL;
    for (;;) {
        size_t n = 2 + 2 * f->n_pairs;
        pfds = mk_xrealloc(pfds, n * sizeof(*pfds));
        pfds[0] = (struct pollfd){.fd = f->wake[0], .events = POLLIN};
        pfds[1] = (struct pollfd){.fd = f->listener, .events = POLLIN};
        for (size_t i = 0; i < f->n_pairs; i++) {
            pair *p = f->pairs[i];
            for (int s = 0; s < 2; s++) {
                short ev = 0;
                if (!p->dir[s].eof && p->dir[s].len < BUF_SIZE && !p->connecting)
                    ev |= POLLIN;
                if (p->dir[1 - s].len > 0 || (s == 1 && p->connecting))
                    ev |= POLLOUT;
                /* poll reports POLLHUP/POLLERR even when nothing is asked for: a side we cannot
                 * act on (at EOF or buffer full, nothing to write) would wake us forever, so it
                 * is left out until we want it again; its error shows at the next recv/send. */
                pfds[2 + 2 * i + (size_t)s] =
                    (struct pollfd){.fd = ev ? p->fd[s] : -1, .events = ev};
            }
        }
        if (poll(pfds, n, -1) < 0 && errno != EINTR)
            break;
        if (pfds[0].revents)
            break; /* portfwd_stop */
        size_t kept = 0;
        size_t before = f->n_pairs;
        for (size_t i = 0; i < before; i++) {
            if (service(f->pairs[i], &pfds[2 + 2 * i]))
                f->pairs[kept++] = f->pairs[i];
            else
                close_pair(f->pairs[i]);
        }
        f->n_pairs = kept;
        if (pfds[1].revents & POLLIN)
            accept_all(f);
    }
    free(pfds);
    return NULL;
}

portfwd *portfwd_start(const char *listen_ip, int listen_port, const char *target_ip,
                       int target_port, char *err, size_t errlen)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)listen_port)};
    portfwd *f = mk_xcalloc(1, sizeof(*f));
    f->target =
        (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)target_port)};
    f->wake[0] = f->wake[1] = -1;
    if (inet_pton(AF_INET, listen_ip, &addr.sin_addr) != 1 ||
        inet_pton(AF_INET, target_ip, &f->target.sin_addr) != 1) {
        snprintf(err, errlen, "cannot forward %s:%d to %s:%d: not IPv4 addresses", listen_ip,
                 listen_port, target_ip, target_port);
        free(f);
        return NULL;
    }
    int one = 1;
    f->listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (f->listener < 0 ||
        setsockopt(f->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(f->listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(f->listener, 128) != 0 || pipe2(f->wake, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", listen_ip, listen_port,
                 strerror(errno));
        goto fail;
    }
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        snprintf(err, errlen, "cannot start the forwarder thread for %s:%d", listen_ip,
                 listen_port);
        goto fail;
    }
    return f;
fail:
    if (f->listener >= 0)
        close(f->listener);
    if (f->wake[0] >= 0) {
        close(f->wake[0]);
        close(f->wake[1]);
    }
    free(f);
    return NULL;
}

void portfwd_stop(portfwd *f)
{
    if (!f)
        return;
    (void)!write(f->wake[1], "x", 1);
    pthread_join(f->thread, NULL);
    for (size_t i = 0; i < f->n_pairs; i++)
        close_pair(f->pairs[i]);
    free(f->pairs);
    close(f->listener);
    close(f->wake[0]);
    close(f->wake[1]);
    free(f);
}

unsigned long portfwd_connections(const portfwd *f)
{
    return f ? f->accepted : 0;
}
