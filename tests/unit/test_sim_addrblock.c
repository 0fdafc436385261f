/*
 * Unit tests for sim/addrblock.c: container address blocks, claimed with a lock file per /16 so
 * that two simulators never hand out the same address.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addrblock.h"
#include "util.h"

static char lock_dir[] = "/tmp/test-addrblock.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(lock_dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", lock_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_two_claims_never_share_a_block(void **state)
{
    (void)state;
    mk_err err = {{0}};
    addrblock a, b, c;
    assert_int_equal(addrblock_claim(&a, NULL, lock_dir, &err), 0);
    assert_string_equal(a.text, "127.2.0.0/16");
    assert_int_equal(addrblock_claim(&b, NULL, lock_dir, &err), 0);
    assert_string_equal(b.text, "127.3.0.0/16");
    /* Asked for by name: taken if free, refused if another simulator holds it. */
    assert_int_equal(addrblock_claim(&c, "127.3.5.0/24", lock_dir, &err), -1);
    assert_non_null(strstr(err.msg, "127.3.0.0/16 is in use by another mesos-sim"));
    addrblock_release(&b);
    assert_int_equal(addrblock_claim(&c, "127.3.5.0/24", lock_dir, &err), 0);
    char ip[16];
    addrblock_next(&c, ip);
    assert_string_equal(ip, "127.3.5.1");
    /* Once a simulator is gone, its block is free again. */
    addrblock_release(&a);
    assert_int_equal(addrblock_claim(&a, NULL, lock_dir, &err), 0);
    assert_string_equal(a.text, "127.2.0.0/16");
    addrblock_release(&a);
    addrblock_release(&c);
}

static void test_addresses_skip_network_and_broadcast_octets(void **state)
{
    (void)state;
    mk_err err = {{0}};
    addrblock b;
    assert_int_equal(addrblock_claim(&b, "127.9.0.0/16", lock_dir, &err), 0);
    char ip[16];
    addrblock_next(&b, ip);
    assert_string_equal(ip, "127.9.0.1");
    for (int i = 0; i < 253; i++)
        addrblock_next(&b, ip);
    assert_string_equal(ip, "127.9.0.254");
    addrblock_next(&b, ip);
    assert_string_equal(ip, "127.9.1.1"); /* 127.9.0.255 and 127.9.1.0 skipped */
    addrblock_release(&b);

    assert_int_equal(addrblock_claim(&b, "127.9.7.0/24", lock_dir, &err), 0);
    for (int i = 0; i < 254; i++)
        addrblock_next(&b, ip);
    assert_string_equal(ip, "127.9.7.254");
    addrblock_next(&b, ip);
    assert_string_equal(ip, "127.9.7.1"); /* round-robin */
    addrblock_release(&b);
}

static void test_bad_blocks_are_refused(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"127.3.0.0", "takes A.B.C.D/PREFIX"},
        {"127.3.0.0/16x", "takes A.B.C.D/PREFIX"},
        {"127.3.0.300/24", "takes A.B.C.D/PREFIX"},
        {"127.0.0.0/16", "outside 127.0.0.0/16"},
        {"10.3.0.0/16", "must lie in 127.0.0.0/8"},
        {"127.0.0.0/8", "the prefix must be from 16 to 24"},
        {"127.3.0.0/30", "the prefix must be from 16 to 24"},
        {"127.3.0.1/16", "host bits are set"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(bad); i++) {
        mk_err err = {{0}};
        addrblock b;
        assert_int_equal(addrblock_claim(&b, bad[i][0], lock_dir, &err), -1);
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("%s: got '%s', expected '%s'", bad[i][0], err.msg, bad[i][1]);
        assert_int_equal(b.lock_fd, -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_claims_never_share_a_block),
        cmocka_unit_test(test_addresses_skip_network_and_broadcast_octets),
        cmocka_unit_test(test_bad_blocks_are_refused),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
