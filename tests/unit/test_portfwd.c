/*
 * Port forwarder: bytes go both ways unchanged (small messages, 8 MiB each way through one
 * connection, hundreds of connections at once), half-close travels in both directions, a target
 * that is not listening ends the client's connection at once, a port in use is an error naming
 * the address, stopping closes every connection and frees the port, and idle or back-pressured
 * connections cost no CPU.
 *
 * Every test runs against its own echo server on 127.0.0.1 and a forwarder listening on
 * 127.0.0.2, as an agent address forwards to a container address in the simulator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "portfwd.h"
#include "util.h"

#define TARGET_IP "127.0.0.1"
#define LISTEN_IP "127.0.0.2"

/* ---- sockets ----------------------------------------------------------------------------------
 */

static struct sockaddr_in addr_of(const char *ip, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return a;
}

/* A bound (not yet listening) socket; port 0 picks an ephemeral one. Returns -1 if bind fails. */
static int bound_socket(const char *ip, int port, int reuse)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int one = 1;
    if (reuse)
        assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
    struct sockaddr_in a = addr_of(ip, port);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    return ntohs(a.sin_port);
}

/* A port nobody listens on: bind port 0, read it back, let it go. */
static int free_port(const char *ip)
{
    int fd = bound_socket(ip, 0, 0);
    assert_true(fd >= 0);
    int port = port_of(fd);
    close(fd);
    return port;
}

/* A blocking client whose reads give up after 5 s, so a broken forwarder fails a test, not hangs.
 */
static int connect_to(const char *ip, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 5};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    struct sockaddr_in a = addr_of(ip, port);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

/* Reads until `len` bytes or EOF; returns how many arrived. */
static size_t recv_upto(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = recv(fd, (char *)buf + got, len - got, 0);
        assert_true(n >= 0); /* -1 here is a timeout or a reset: the forwarder lost the bytes */
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static void round_trip(int fd, const char *msg)
{
    char buf[256];
    size_t len = strlen(msg);
    send_all(fd, msg, len);
    assert_int_equal(recv_upto(fd, buf, len), len);
    assert_memory_equal(buf, msg, len);
}

/* The client end of a connection the forwarder has given up: EOF or a reset, well within 5 s. */
static void assert_closed_soon(int fd, double within_s)
{
    double t0 = mk_now_monotonic();
    char c;
    ssize_t n = recv(fd, &c, 1, 0);
    assert_true(n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE)));
    assert_true(mk_now_monotonic() - t0 < within_s);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Process CPU spent over `ms` of wall time in which the test itself only sleeps. */
static double cpu_while_sleeping(long ms)
{
    double c0 = cpu_seconds();
    sleep_ms(ms);
    return cpu_seconds() - c0;
}

/* ---- an echo server: one thread accepting, one blocking thread per connection -----------------
 */

#define MAX_ECHO_CONNS 512

typedef struct {
    int listener, port;
    atomic_bool stop;
    pthread_t acceptor;
    pthread_t conns[MAX_ECHO_CONNS];
    size_t n_conns;
} echo_server;

/* Echoes until EOF, then closes: a client's half-close comes back as EOF after the tail. */
static void *echo_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[16384];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = send(fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);
            if (w <= 0)
                goto done;
            off += w;
        }
    }
done:
    close(fd);
    return NULL;
}

static void *echo_accept(void *arg)
{
    echo_server *e = arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024); /* hundreds of connections in one test */
    while (!atomic_load(&e->stop)) {
        struct pollfd pfd = {.fd = e->listener, .events = POLLIN};
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        int c = accept4(e->listener, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
            continue;
        if (e->n_conns == MAX_ECHO_CONNS ||
            pthread_create(&e->conns[e->n_conns], &attr, echo_conn, (void *)(intptr_t)c) != 0) {
            close(c);
            continue;
        }
        e->n_conns++;
    }
    pthread_attr_destroy(&attr);
    return NULL;
}

static void echo_start(echo_server *e)
{
    memset(e, 0, sizeof(*e));
    e->listener = bound_socket(TARGET_IP, 0, 1);
    assert_true(e->listener >= 0);
    assert_int_equal(listen(e->listener, 512), 0);
    e->port = port_of(e->listener);
    assert_int_equal(pthread_create(&e->acceptor, NULL, echo_accept, e), 0);
}

/* Call after the forwarder is stopped: its closes end every connection thread. */
static void echo_stop(echo_server *e)
{
    atomic_store(&e->stop, true);
    pthread_join(e->acceptor, NULL);
    for (size_t i = 0; i < e->n_conns; i++)
        pthread_join(e->conns[i], NULL);
    close(e->listener);
}

/* ---- fixture: an echo server and a forwarder to it --------------------------------------------
 */

typedef struct {
    echo_server echo;
    portfwd *fwd;
    int port; /* the forwarder's, on LISTEN_IP */
} fixture;

static int setup(void **state)
{
    fixture *f = mk_xcalloc(1, sizeof(*f));
    echo_start(&f->echo);
    char err[256] = "";
    f->port = free_port(LISTEN_IP);
    f->fwd = portfwd_start(LISTEN_IP, f->port, TARGET_IP, f->echo.port, err, sizeof(err));
    if (!f->fwd)
        print_error("portfwd_start: %s\n", err);
    assert_non_null(f->fwd);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    portfwd_stop(f->fwd);
    echo_stop(&f->echo);
    free(f);
    return 0;
}

/* Accepting is asynchronous: wait for the count to settle. */
static unsigned long connections_after(const portfwd *p, unsigned long want)
{
    for (int i = 0; i < 200 && portfwd_connections(p) < want; i++)
        sleep_ms(5);
    return portfwd_connections(p);
}

/* ---- bytes ------------------------------------------------------------------------------------
 */

static void test_small_messages_round_trip(void **state)
{
    fixture *f = *state;
    int c = connect_to(LISTEN_IP, f->port);
    round_trip(c, "x");
    round_trip(c, "hello, container");
    char zeros[100] = {0};
    send_all(c, zeros, sizeof(zeros));
    char back[100];
    assert_int_equal(recv_upto(c, back, sizeof(back)), sizeof(back));
    assert_memory_equal(back, zeros, sizeof(back));
    close(c);
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 131u) ^ (i >> 11) ^ (i >> 19));
}

#define BIG (8u * 1024 * 1024)

typedef struct {
    int fd;
} writer_arg;

/* Sends BIG pattern bytes in odd-sized pieces, then half-closes. */
static void *big_writer(void *arg)
{
    int fd = ((writer_arg *)arg)->fd;
    unsigned char chunk[50021];
    for (size_t sent = 0; sent < BIG;) {
        size_t n = BIG - sent < sizeof(chunk) ? BIG - sent : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern(sent + i);
        send_all(fd, chunk, n);
        sent += n;
    }
    shutdown(fd, SHUT_WR);
    return NULL;
}

static void test_eight_mebibytes_each_way(void **state)
{
    fixture *f = *state;
    writer_arg w = {.fd = connect_to(LISTEN_IP, f->port)};
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, big_writer, &w), 0);
    size_t got = 0;
    unsigned char buf[65536];
    for (;;) {
        ssize_t n = recv(w.fd, buf, sizeof(buf), 0);
        assert_true(n >= 0);
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern(got + (size_t)i))
                fail_msg("byte %zu differs", got + (size_t)i);
        got += (size_t)n;
        assert_true(got <= BIG);
    }
    assert_int_equal(got, BIG); /* every byte, then EOF: the half-close came back */
    pthread_join(writer, NULL);
    close(w.fd);
}

static void test_fifty_concurrent_connections(void **state)
{
    fixture *f = *state;
    enum { N = 50 };
    int c[N];
    char msg[64];
    for (int i = 0; i < N; i++)
        c[i] = connect_to(LISTEN_IP, f->port);
    /* All open at once; send on every one before reading any, in reverse order. */
    for (int i = N - 1; i >= 0; i--) {
        snprintf(msg, sizeof(msg), "connection %d of %d", i, N);
        send_all(c[i], msg, strlen(msg));
    }
    for (int i = 0; i < N; i++) {
        char back[64];
        snprintf(msg, sizeof(msg), "connection %d of %d", i, N);
        assert_int_equal(recv_upto(c[i], back, strlen(msg)), strlen(msg));
        assert_memory_equal(back, msg, strlen(msg));
        round_trip(c[i], "again");
    }
    for (int i = 0; i < N; i++)
        close(c[i]);
    assert_int_equal(connections_after(f->fwd, N), N);
}

static void test_three_hundred_connections_open_together(void **state)
{
    fixture *f = *state;
    enum { N = 300 };
    int *c = mk_xcalloc(N, sizeof(*c));
    for (int i = 0; i < N; i++) {
        c[i] = connect_to(LISTEN_IP, f->port);
        round_trip(c[i], "up");
    }
    for (int i = 0; i < N; i++)
        round_trip(c[i], "still up");
    for (int i = 0; i < N; i++)
        close(c[i]);
    free(c);
    assert_int_equal(connections_after(f->fwd, N), N);
}

/* ---- half-close -------------------------------------------------------------------------------
 */

static void test_client_half_close_gets_tail_then_eof(void **state)
{
    fixture *f = *state;
    int c = connect_to(LISTEN_IP, f->port);
    round_trip(c, "head ");
    send_all(c, "and tail", 8);
    assert_int_equal(shutdown(c, SHUT_WR), 0);
    char buf[64];
    assert_int_equal(recv_upto(c, buf, sizeof(buf)), 8); /* stops at EOF, not at the timeout */
    assert_memory_equal(buf, "and tail", 8);
    close(c);
}

/* A server that says "bye", half-closes, then keeps reading what the client still sends. */
typedef struct {
    int listener;
    char got[64];
    size_t n_got;
} closing_server;

static void *closing_serve(void *arg)
{
    closing_server *s = arg;
    int c = accept4(s->listener, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return NULL;
    send(c, "bye", 3, MSG_NOSIGNAL);
    shutdown(c, SHUT_WR);
    s->n_got = recv_upto(c, s->got, sizeof(s->got));
    close(c);
    return NULL;
}

static void test_target_half_close_leaves_client_writing(void **state)
{
    (void)state;
    closing_server s = {.listener = bound_socket(TARGET_IP, 0, 1)};
    assert_true(s.listener >= 0);
    assert_int_equal(listen(s.listener, 8), 0);
    pthread_t server;
    assert_int_equal(pthread_create(&server, NULL, closing_serve, &s), 0);
    char err[256] = "";
    int port = free_port(LISTEN_IP);
    portfwd *p = portfwd_start(LISTEN_IP, port, TARGET_IP, port_of(s.listener), err, sizeof(err));
    assert_non_null(p);

    int c = connect_to(LISTEN_IP, port);
    char buf[16];
    assert_int_equal(recv_upto(c, buf, sizeof(buf)), 3); /* "bye", then EOF */
    assert_memory_equal(buf, "bye", 3);
    send_all(c, "still here", 10); /* the client's half is still open */
    shutdown(c, SHUT_WR);
    pthread_join(server, NULL);
    assert_int_equal(s.n_got, 10);
    assert_memory_equal(s.got, "still here", 10);

    close(c);
    portfwd_stop(p);
    close(s.listener);
}

/* ---- failures ---------------------------------------------------------------------------------
 */

static void test_target_not_listening_closes_client_quickly(void **state)
{
    (void)state;
    char err[256] = "";
    int port = free_port(LISTEN_IP);
    portfwd *p = portfwd_start(LISTEN_IP, port, TARGET_IP, free_port(TARGET_IP), err, sizeof(err));
    assert_non_null(p);
    for (int i = 0; i < 3; i++) {
        int c = connect_to(LISTEN_IP, port); /* the forwarder accepts; the target refuses */
        send(c, "hello?", 6, MSG_NOSIGNAL);
        assert_closed_soon(c, 1.0);
        close(c);
    }
    assert_int_equal(connections_after(p, 3), 3);
    portfwd_stop(p);
}

static void test_port_in_use_is_an_error_naming_the_address(void **state)
{
    (void)state;
    int blocker = bound_socket(LISTEN_IP, 0, 0);
    assert_true(blocker >= 0);
    assert_int_equal(listen(blocker, 8), 0);
    int port = port_of(blocker);
    char err[256] = "";
    portfwd *p = portfwd_start(LISTEN_IP, port, TARGET_IP, 9, err, sizeof(err));
    assert_null(p);
    char want[64];
    snprintf(want, sizeof(want), "%s:%d", LISTEN_IP, port);
    assert_non_null(strstr(err, want));
    assert_non_null(strstr(err, strerror(EADDRINUSE)));
    close(blocker);
}

static void test_bad_address_is_an_error(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(portfwd_start("not-an-ip", 31000, TARGET_IP, 9, err, sizeof(err)));
    assert_true(err[0] != '\0');
    err[0] = '\0';
    assert_null(portfwd_start(LISTEN_IP, 31000, "::1", 9, err, sizeof(err)));
    assert_true(err[0] != '\0');
}

/* ---- stopping ---------------------------------------------------------------------------------
 */

static void test_stop_closes_clients_and_frees_the_port(void **state)
{
    fixture *f = *state;
    int idle = connect_to(LISTEN_IP, f->port);
    int busy = connect_to(LISTEN_IP, f->port);
    round_trip(idle, "idle");
    round_trip(busy, "busy");
    send_all(busy, "unanswered?", 11); /* may still be in flight when the forwarder stops */
    assert_int_equal(connections_after(f->fwd, 2), 2);

    double t0 = mk_now_monotonic();
    portfwd_stop(f->fwd);
    f->fwd = NULL;
    assert_true(mk_now_monotonic() - t0 < 0.25);

    assert_closed_soon(idle, 1.0);
    char buf[16];
    ssize_t n;
    while ((n = recv(busy, buf, sizeof(buf), 0)) > 0)
        ; /* the echo may or may not have made it; then EOF or reset */
    assert_true(n == 0 || errno == ECONNRESET);
    close(idle);
    close(busy);

    /* Nothing listens any more, and the port can be bound and forwarded again. */
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = addr_of(LISTEN_IP, f->port);
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), -1);
    assert_int_equal(errno, ECONNREFUSED);
    close(c);
    int again = bound_socket(LISTEN_IP, f->port, 1);
    assert_true(again >= 0);
    assert_int_equal(listen(again, 8), 0);
    close(again);
    char err[256] = "";
    f->fwd = portfwd_start(LISTEN_IP, f->port, TARGET_IP, f->echo.port, err, sizeof(err));
    assert_non_null(f->fwd);
    c = connect_to(LISTEN_IP, f->port);
    round_trip(c, "back");
    close(c);
    assert_int_equal(connections_after(f->fwd, 1), 1); /* a new forwarder counts afresh */
}

static void test_stop_null_is_a_no_op(void **state)
{
    (void)state;
    portfwd_stop(NULL);
}

static void test_connections_counts_accepted(void **state)
{
    fixture *f = *state;
    assert_int_equal(portfwd_connections(f->fwd), 0);
    for (unsigned long i = 1; i <= 3; i++) {
        int c = connect_to(LISTEN_IP, f->port);
        round_trip(c, "count me");
        close(c);
        assert_int_equal(connections_after(f->fwd, i), i);
    }
    sleep_ms(20);
    assert_int_equal(portfwd_connections(f->fwd), 3); /* closing does not count */
}

/* ---- no busy looping --------------------------------------------------------------------------
 */

static void test_idle_connections_cost_no_cpu(void **state)
{
    fixture *f = *state;
    int c[4];
    for (int i = 0; i < 4; i++) {
        c[i] = connect_to(LISTEN_IP, f->port);
        round_trip(c[i], "ping");
    }
    sleep_ms(50);
    double cpu = cpu_while_sleeping(300);
    for (int i = 0; i < 4; i++)
        close(c[i]);
    assert_true(cpu < 0.06);
}

/* A client that writes and never reads fills every buffer on the way: the echo server's send,
 * the forwarder's both directions, the client's own socket. The forwarder must then wait, not
 * spin, and lose nothing once the client reads. */
static void test_back_pressure_waits_without_spinning(void **state)
{
    fixture *f = *state;
    int c = connect_to(LISTEN_IP, f->port);
    static unsigned char chunk[1 << 20];
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = pattern(i);
    size_t sent = 0;
    for (int settled = 0; settled < 5;) {
        size_t off = sent % sizeof(chunk);
        ssize_t n = send(c, chunk + off, sizeof(chunk) - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += (size_t)n;
            settled = 0;
        } else {
            assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
            settled++;
            sleep_ms(20);
        }
        assert_true(sent < 256u << 20); /* something is dropping bytes */
    }
    double cpu = cpu_while_sleeping(300);
    shutdown(c, SHUT_WR);
    size_t got = 0;
    unsigned char buf[65536];
    ssize_t n;
    while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] != pattern((got + (size_t)i) % sizeof(chunk)))
                fail_msg("byte %zu differs", got + (size_t)i);
        got += (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(got, sent);
    close(c);
    assert_true(cpu < 0.06);
}

/* A client that half-closes and then resets while the target stays silent, and one that resets
 * while its buffer is full, leave sockets with nothing to do: they must not wake the forwarder. */
static void test_reset_clients_of_a_silent_target_cost_no_cpu(void **state)
{
    (void)state;
    int silent = bound_socket(TARGET_IP, 0, 1);
    assert_true(silent >= 0);
    assert_int_equal(listen(silent, 8), 0);
    char err[256] = "";
    int port = free_port(LISTEN_IP);
    portfwd *p = portfwd_start(LISTEN_IP, port, TARGET_IP, port_of(silent), err, sizeof(err));
    assert_non_null(p);
    int targets[2];
    for (int mode = 0; mode < 2; mode++) {
        int c = connect_to(LISTEN_IP, port);
        targets[mode] = accept4(silent, NULL, NULL, SOCK_CLOEXEC); /* never reads or writes */
        assert_true(targets[mode] >= 0);
        if (mode == 0) {
            shutdown(c, SHUT_WR);
        } else {
            static unsigned char chunk[1 << 20];
            for (int i = 0; i < 20; i++) {
                send(c, chunk, sizeof(chunk), MSG_NOSIGNAL | MSG_DONTWAIT);
                sleep_ms(5);
            }
        }
        sleep_ms(50);
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(c); /* RST */
        sleep_ms(50);
        double cpu = cpu_while_sleeping(300);
        if (cpu >= 0.06)
            fail_msg("case %d: %.3f s of CPU in 0.3 s", mode, cpu);
    }
    portfwd_stop(p);
    close(targets[0]);
    close(targets[1]);
    close(silent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_small_messages_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eight_mebibytes_each_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifty_concurrent_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_three_hundred_connections_open_together, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_client_half_close_gets_tail_then_eof, setup, teardown),
        cmocka_unit_test(test_target_half_close_leaves_client_writing),
        cmocka_unit_test(test_target_not_listening_closes_client_quickly),
        cmocka_unit_test(test_port_in_use_is_an_error_naming_the_address),
        cmocka_unit_test(test_bad_address_is_an_error),
        cmocka_unit_test_setup_teardown(test_stop_closes_clients_and_frees_the_port, setup,
                                        teardown),
        cmocka_unit_test(test_stop_null_is_a_no_op),
        cmocka_unit_test_setup_teardown(test_connections_counts_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_connections_cost_no_cpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_back_pressure_waits_without_spinning, setup, teardown),
        cmocka_unit_test(test_reset_clients_of_a_silent_target_cost_no_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
