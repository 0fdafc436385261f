/*
 * addrblock: the block of loopback addresses a simulator gives its containers (BRIDGE, USER and
 * NONE networks each get an address of their own).
 *
 * Several simulators may run on one machine, so a block is claimed before use: each /16 of
 * 127.0.0.0/8 has a lock file, <lock_dir>/127.N.lock, held with flock(2) for as long as the
 * simulator runs (the kernel drops it when the process dies, however it dies). A block of a /16 or
 * smaller claims the /16 it lies in, so two simulators never share one, even in disjoint halves.
 * Without a block asked for, the first free /16 from 127.2.0.0/16 on is taken. 127.0.0.0/16 holds
 * the master and the agents and is never a container block.
 */
#ifndef SIM_ADDRBLOCK_H
#define SIM_ADDRBLOCK_H

#include <stdint.h>

#include "util.h"

#define ADDRBLOCK_LOCK_DIR "/tmp/mesos-sim-address-blocks"

typedef struct {
    uint32_t base;   /* host order: 127.2.0.0 is 0x7f020000 */
    unsigned prefix; /* 16 to 24 */
    int lock_fd;     /* -1 when nothing is claimed */
    unsigned long next;
    char text[24]; /* "127.2.0.0/16" */
} addrblock;

/* Claims `spec` ("127.3.0.0/16"), or with spec NULL the first free /16 from 127.2.0.0/16 on.
 * lock_dir NULL means ADDRBLOCK_LOCK_DIR. Returns -1 with a message for a malformed block, one
 * outside 127.0.0.0/8 or in 127.0.0.0/16, or one another simulator holds. */
int addrblock_claim(addrblock *b, const char *spec, const char *lock_dir, mk_err *err);
/* The next address of the block, round-robin, never one ending in .0 or .255. */
void addrblock_next(addrblock *b, char out[16]);
void addrblock_release(addrblock *b);

#endif
