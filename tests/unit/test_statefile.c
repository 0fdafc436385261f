/*
 * Unit tests for src/statefile.c: atomic writes and refusing reads.
 *
 *   - a written document reads back equal, with mode 0600, in a directory created 0700;
 *   - a rewrite replaces the file and leaves no temp file behind;
 *   - a missing file is "first start" (0, NULL), not an error;
 *   - a file that does not parse, is not an object, or has an unknown schema_version is an error
 *     naming the path and the line, and the file is left exactly as it was;
 *   - a write that fails (read-only directory, a directory in the way of the file or of its
 *     directory) leaves the old state untouched and no temp file behind.
 * Each test works in its own mkdtemp directory, removed afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"
#include "util.h"

typedef struct {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = mk_xcalloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/mk-statefile-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            cleanup_free char *child = mk_xasprintf("%s/%s", path, e->d_name);
            remove_tree(child);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int teardown(void **state)
{
    fixture *f = *state;
    remove_tree(f->dir);
    free(f);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return mk_xstrdup(buf);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static json_t *sample(const char *framework_id)
{
    return json_pack("{s:i, s:s, s:s}", "schema_version", STATEFILE_SCHEMA_VERSION, "framework_id",
                     framework_id, "framework_name", "mk-test");
}

static void test_round_trip_mode_and_directory(void **state)
{
    fixture *f = *state;
    cleanup_free char *dir = mk_xasprintf("%s/a/b", f->dir);
    cleanup_free char *path = mk_xasprintf("%s/mk.state.json", dir);
    cleanup_json json_t *doc = sample("fw-0001");
    mk_err err = {{0}};
    mode_t old_umask = umask(0); /* the modes must not depend on the umask */
    int rc = statefile_write(path, doc, &err);
    umask(old_umask);
    assert_int_equal(rc, 0);

    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);

    cleanup_json json_t *back = NULL;
    assert_int_equal(statefile_read(path, &back, &err), 0);
    assert_non_null(back);
    assert_true(json_equal(doc, back));
}

static void test_rewrite_replaces_and_leaves_no_temp(void **state)
{
    fixture *f = *state;
    cleanup_free char *path = mk_xasprintf("%s/mk.state.json", f->dir);
    mk_err err = {{0}};
    for (int i = 0; i < 5; i++) {
        cleanup_free char *id = mk_xasprintf("fw-%04d", i);
        cleanup_json json_t *doc = sample(id);
        assert_int_equal(statefile_write(path, doc, &err), 0);
    }
    assert_int_equal(count_entries(f->dir), 1);
    cleanup_json json_t *back = NULL;
    assert_int_equal(statefile_read(path, &back, &err), 0);
    assert_string_equal(json_string_value(json_object_get(back, "framework_id")), "fw-0004");
    cleanup_free char *text = read_text(path);
    assert_true(text[strlen(text) - 1] == '\n');
}

static void test_missing_file_is_first_start(void **state)
{
    fixture *f = *state;
    cleanup_free char *path = mk_xasprintf("%s/nothing/here.json", f->dir);
    json_t *doc = (json_t *)1;
    mk_err err = {{0}};
    assert_int_equal(statefile_read(path, &doc, &err), 0);
    assert_null(doc);
}

/* A bad file: the error names the path and the reason, and the file is kept byte for byte. */
typedef struct {
    const char *name;
    const char *content;
    const char *expect; /* a fragment of the message */
} bad_case;

static const bad_case bad_cases[] = {
    {"truncated", "{\"schema_version\": 1, \"framework_id\": ", "does not parse (line 1:"},
    {"second line", "{\"schema_version\": 1,\n \"framework_id\": x}", "does not parse (line 2:"},
    {"empty", "", "does not parse (line"},
    {"array", "[1, 2]", "not a JSON object"},
    {"duplicate keys", "{\"schema_version\": 1, \"schema_version\": 1}", "does not parse"},
    {"no version", "{\"framework_id\": \"x\"}", "no integer schema_version"},
    {"string version", "{\"schema_version\": \"1\"}", "no integer schema_version"},
    {"newer version", "{\"schema_version\": 99}", "schema_version 99"},
    {"old version", "{\"schema_version\": 0}", "schema_version 0"},
};

static void test_bad_files_are_refused_and_kept(void **state)
{
    fixture *f = *state;
    for (size_t i = 0; i < MK_ARRAY_LEN(bad_cases); i++) {
        const bad_case *c = &bad_cases[i];
        cleanup_free char *path = mk_xasprintf("%s/bad-%zu.json", f->dir, i);
        write_text(path, c->content);
        json_t *doc = NULL;
        mk_err err = {{0}};
        if (statefile_read(path, &doc, &err) != -1)
            fail_msg("%s: accepted", c->name);
        assert_null(doc);
        if (!strstr(err.msg, c->expect))
            fail_msg("%s: message '%s' lacks '%s'", c->name, err.msg, c->expect);
        if (!strstr(err.msg, path) || !strstr(err.msg, "orphaned"))
            fail_msg("%s: message '%s' lacks the path or the advice", c->name, err.msg);
        cleanup_free char *after = read_text(path);
        assert_string_equal(after, c->content);
    }
}

static void test_failed_write_keeps_old_state(void **state)
{
    fixture *f = *state;
    if (geteuid() == 0)
        skip(); /* root writes into read-only directories */
    cleanup_free char *path = mk_xasprintf("%s/mk.state.json", f->dir);
    mk_err err = {{0}};
    cleanup_json json_t *first = sample("fw-old");
    assert_int_equal(statefile_write(path, first, &err), 0);
    assert_int_equal(chmod(f->dir, 0500), 0);
    cleanup_json json_t *second = sample("fw-new");
    assert_int_equal(statefile_write(path, second, &err), -1);
    assert_non_null(strstr(err.msg, "cannot create"));
    chmod(f->dir, 0700);
    cleanup_json json_t *back = NULL;
    assert_int_equal(statefile_read(path, &back, &err), 0);
    assert_string_equal(json_string_value(json_object_get(back, "framework_id")), "fw-old");
    assert_int_equal(count_entries(f->dir), 1);
}

static void test_directory_in_the_way(void **state)
{
    fixture *f = *state;
    cleanup_free char *blocker = mk_xasprintf("%s/file", f->dir);
    write_text(blocker, "x");
    cleanup_free char *path = mk_xasprintf("%s/file/mk.state.json", f->dir);
    cleanup_json json_t *doc = sample("fw");
    mk_err err = {{0}};
    assert_int_equal(statefile_write(path, doc, &err), -1);
    assert_non_null(strstr(err.msg, "not a directory"));
}

/* A rename that fails (a directory sits at the path) leaves no temp file behind; works as root. */
static void test_failed_rename_removes_temp(void **state)
{
    fixture *f = *state;
    cleanup_free char *path = mk_xasprintf("%s/mk.state.json", f->dir);
    cleanup_free char *inner = mk_xasprintf("%s/keep", path);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(mkdir(inner, 0700), 0);
    cleanup_json json_t *doc = sample("fw");
    mk_err err = {{0}};
    assert_int_equal(statefile_write(path, doc, &err), -1);
    assert_non_null(strstr(err.msg, "cannot rename"));
    assert_int_equal(count_entries(f->dir), 1);
    struct stat st;
    assert_int_equal(stat(inner, &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_mode_and_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewrite_replaces_and_leaves_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file_is_first_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_files_are_refused_and_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_keeps_old_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_in_the_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_rename_removes_temp, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
