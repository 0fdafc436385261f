/*
 * Unit tests for sim/creds.c: mesos-sim's Basic-auth pairs from --credentials and from a
 * --credentials-file (one PRINCIPAL:SECRET a line), and errors that never show a secret.
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

#include "creds.h"
#include "util.h"

static void test_one_pair_from_the_command_line(void **state)
{
    sim_creds c = {0};
    mk_err err = {{0}};
    assert_int_equal(sim_creds_add(&c, "kafka:s3:cret", &err), 0);
    assert_true(sim_creds_match(&c, "kafka", "s3:cret"));
    assert_false(sim_creds_match(&c, "kafka", "s3"));
    assert_false(sim_creds_match(&c, "kafk", "s3:cret"));
    assert_false(sim_creds_match(&c, NULL, NULL));
    sim_creds_free(&c);
}

static const struct {
    const char *text;
    int n;           /* pairs kept, or -1 for an error */
    const char *msg; /* the error, exactly */
} files[] = {
    {"kafka:one\n", 1, NULL},
    {"kafka:one", 1, NULL},
    {"# principal:secret\n\nkafka:one\r\nother:two\n", 2, NULL},
    {"", 0, NULL},
    {"kafka:one\nno-colon-secret\n", -1, "F line 2: takes PRINCIPAL:SECRET, both non-empty"},
    {":secret\n", -1, "F line 1: takes PRINCIPAL:SECRET, both non-empty"},
    {"kafka:\n", -1, "F line 1: takes PRINCIPAL:SECRET, both non-empty"},
};

static void test_lines_table(void **state)
{
    for (size_t i = 0; i < MK_ARRAY_LEN(files); i++) {
        sim_creds c = {0};
        mk_err err = {{0}};
        int rc = sim_creds_add_lines(&c, files[i].text, "F", &err);
        if (files[i].n < 0) {
            assert_int_equal(rc, -1);
            assert_string_equal(err.msg, files[i].msg);
            assert_int_equal(c.n, 0); /* nothing of a bad file is kept */
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(c.n, files[i].n);
        }
        sim_creds_free(&c);
    }
    sim_creds c = {0};
    mk_err err = {{0}};
    assert_int_equal(sim_creds_add_lines(&c, "a:1\r\nb:2\n", "F", &err), 0);
    assert_true(sim_creds_match(&c, "a", "1"));
    assert_true(sim_creds_match(&c, "b", "2"));
    assert_false(sim_creds_match(&c, "a", "1\r"));
    sim_creds_free(&c);
}

static void test_too_many_pairs(void **state)
{
    sim_creds c = {0};
    mk_err err = {{0}};
    for (int i = 0; i < SIM_MAX_CREDS; i++)
        assert_int_equal(sim_creds_add(&c, "u:p", &err), 0);
    assert_int_equal(sim_creds_add(&c, "u:p", &err), -1);
    assert_non_null(strstr(err.msg, "more than 16"));
    sim_creds_free(&c);
}

static void test_file_and_its_errors(void **state)
{
    char path[] = "/tmp/test-sim-creds.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "kafka:file-secret\nbroken-line-secret\n";
    assert_int_equal(write(fd, text, 18), 18); /* the first line only */
    close(fd);
    sim_creds c = {0};
    mk_err err = {{0}};
    assert_int_equal(sim_creds_load_file(&c, path, &err), 0);
    assert_true(sim_creds_match(&c, "kafka", "file-secret"));
    sim_creds_free(&c);

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(sim_creds_load_file(&c, path, &err), -1);
    assert_non_null(strstr(err.msg, "--credentials-file "));
    assert_non_null(strstr(err.msg, " line 2: "));
    assert_null(strstr(err.msg, "secret")); /* neither line's secret is shown */
    assert_int_equal(c.n, 0);

    unlink(path);
    assert_int_equal(sim_creds_load_file(&c, path, &err), -1);
    assert_non_null(strstr(err.msg, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_pair_from_the_command_line),
        cmocka_unit_test(test_lines_table),
        cmocka_unit_test(test_too_many_pairs),
        cmocka_unit_test(test_file_and_its_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
