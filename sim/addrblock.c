/*
 * addrblock: container address blocks claimed with one lock file per /16 (see addrblock.h).
 */
#include "addrblock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIRST_AUTO_16 2 /* 127.2.0.0/16, the block simulators always used */

static int parse_block(const char *spec, uint32_t *base, unsigned *prefix)
{
    unsigned a, b, c, d, p;
    char tail;
    if (sscanf(spec, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &p, &tail) != 5 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return -1;
    *base = (uint32_t)(a << 24 | b << 16 | c << 8 | d);
    *prefix = p;
    return 0;
}

/* Takes the lock of the /16 numbered `n` (127.n.0.0/16): 1 if taken, 0 if another holds it. */
static int lock_16(addrblock *b, const char *dir, unsigned n, mk_err *err)
{
    if (mkdir(dir, 01777) == 0)
        chmod(dir, 01777); /* past the umask: every user's simulators share it */
    else if (errno != EEXIST)
        return mk_err_set(err, "cannot create %s: %s", dir, strerror(errno));
    cleanup_free char *path = mk_xasprintf("%s/127.%u.lock", dir, n);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return mk_err_set(err, "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return 0;
        return mk_err_set(err, "cannot lock %s: %s", path, strerror(e));
    }
    b->lock_fd = fd;
    return 1;
}

int addrblock_claim(addrblock *b, const char *spec, const char *lock_dir, mk_err *err)
{
    memset(b, 0, sizeof(*b));
    b->lock_fd = -1;
    const char *dir = lock_dir ? lock_dir : ADDRBLOCK_LOCK_DIR;
    if (!spec) {
        for (unsigned n = FIRST_AUTO_16; n <= 255; n++) {
            int r = lock_16(b, dir, n, err);
            if (r < 0)
                return -1;
            if (r == 1) {
                b->base = 0x7f000000u | n << 16;
                b->prefix = 16;
                snprintf(b->text, sizeof(b->text), "127.%u.0.0/16", n);
                return 0;
            }
        }
        return mk_err_set(err, "every container address block (127.2.0.0/16 to 127.255.0.0/16) "
                               "is in use by another mesos-sim");
    }
    uint32_t base;
    unsigned prefix;
    if (parse_block(spec, &base, &prefix) < 0)
        return mk_err_set(err, "--container-address-block takes A.B.C.D/PREFIX, not '%s'", spec);
    if (prefix < 16 || prefix > 24)
        return mk_err_set(err, "--container-address-block %s: the prefix must be from 16 to 24",
                          spec);
    uint32_t mask = ~0u << (32 - prefix);
    if ((base & ~mask) != 0)
        return mk_err_set(err, "--container-address-block %s: host bits are set", spec);
    unsigned n16 = base >> 16 & 0xff;
    if (base >> 24 != 127 || n16 == 0)
        return mk_err_set(err,
                          "--container-address-block %s must lie in 127.0.0.0/8 outside "
                          "127.0.0.0/16 (the master and the agents)",
                          spec);
    int r = lock_16(b, dir, n16, err);
    if (r < 0)
        return -1;
    if (r == 0)
        return mk_err_set(err,
                          "--container-address-block %s: 127.%u.0.0/16 is in use by another "
                          "mesos-sim",
                          spec, n16);
    b->base = base;
    b->prefix = prefix;
    snprintf(b->text, sizeof(b->text), "%s", spec);
    return 0;
}

void addrblock_next(addrblock *b, char out[16])
{
    uint32_t size = 1u << (32 - b->prefix);
    uint32_t addr;
    do
        addr = b->base + 1 + (uint32_t)(b->next++ % (size - 2));
    while ((addr & 0xff) == 0 || (addr & 0xff) == 0xff);
    snprintf(out, 16, "%u.%u.%u.%u", addr >> 24, addr >> 16 & 0xff, addr >> 8 & 0xff, addr & 0xff);
}

void addrblock_release(addrblock *b)
{
    if (b->lock_fd >= 0)
        close(b->lock_fd);
    b->lock_fd = -1;
}
