/*
 * scheduler_api: requests of the HTTP API handed to the core as the HTTP thread would (a core_msg
 * with a core_reply), on a scheduler that has its members but never connected to Mesos.
 *
 *   - a scale to the count already desired answers 200 with "unchanged": true, and neither marks
 *     the state for writing (s->dirty, which the loop turns into a write of the state file) nor
 *     logs a change; a real scale answers "unchanged": false and does both;
 *   - a reflate that changes no member answers "unchanged": true and leaves the state alone; one
 *     that brings a stopped member back does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "core_queue.h"
#include "log.h"
#include "scheduler_internal.h"
#include "test_capture.h"
#include "util.h"

typedef struct {
    config cfg;
    scheduler s;
    char dir[64];
} fixture;

static const char *env(const char *name, void *ctx)
{
    fixture *f = ctx;
    if (strcmp(name, "MESOS_MASTER") == 0)
        return "127.0.0.1:5050";
    if (strcmp(name, "FRAMEWORK_STATEFILE_PATH") == 0)
        return f->dir;
    if (strcmp(name, "KAFKA_COUNT") == 0 || strcmp(name, "ZOOKEEPER_COUNT") == 0)
        return "3";
    return NULL;
}

static void on_event(void *ud, const mesos_event *ev) {}

static int setup(void **state)
{
    fixture *f = mk_xcalloc(1, sizeof(*f));
    strcpy(f->dir, "/tmp/test_scheduler_api.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(config_load(&f->cfg, env, f, stderr), 0);
    f->s.cfg = &f->cfg;
    mk_err err = {{0}};
    mesos_client_handlers h = {.on_event = on_event};
    f->s.client = mesos_client_new(&f->cfg, &h, &f->s, &err);
    assert_non_null(f->s.client);
    f->s.desired[KIND_ZOOKEEPER] = 3;
    f->s.desired[KIND_KAFKA] = 3;
    scheduler_apply_desired(&f->s);
    assert_int_equal(f->s.n_members, 6);
    f->s.dirty = false;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    scheduler_free_members(&f->s);
    mesos_client_free(f->s.client);
    config_free(&f->cfg);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Sends request `name` with `body` (stolen); returns the reply's body, *status its status, and in
 * log what the core logged meanwhile. */
static json_t *request(fixture *f, const char *name, json_t *body, int *status, char *log,
                       size_t cap)
{
    core_reply *r = core_reply_new();
    core_msg *m = core_msg_new(CORE_MSG_REQUEST, name, body, r);
    test_capture c;
    capture_begin(&c);
    scheduler_handle_request(&f->s, m);
    capture_end(&c, log, cap);
    core_msg_free(m);
    json_t *out = NULL;
    assert_int_equal(core_reply_wait(r, 0, status, &out), 0);
    core_reply_unref(r);
    assert_non_null(out);
    return out;
}

static json_t *scale(fixture *f, const char *kind, int count, int *status, char *log, size_t cap)
{
    return request(f, "scale", json_pack("{s:s, s:i}", "kind", kind, "count", count), status, log,
                   cap);
}

static json_t *reflate(fixture *f, const char *kind, int *status, char *log, size_t cap)
{
    return request(f, "reflate", json_pack("{s:s}", "kind", kind), status, log, cap);
}

static void test_scale_to_the_current_count_changes_nothing(void **state)
{
    fixture *f = *state;
    static const char *const kinds[] = {"kafka", "zookeeper"};
    for (size_t i = 0; i < MK_ARRAY_LEN(kinds); i++) {
        int status;
        char log[4096];
        json_t *body = scale(f, kinds[i], 3, &status, log, sizeof(log));
        assert_int_equal(status, 200);
        assert_true(json_is_true(json_object_get(body, "unchanged")));
        assert_int_equal(json_integer_value(json_object_get(body, "previous")), 3);
        assert_int_equal(json_integer_value(json_object_get(body, "count")), 3);
        assert_int_equal(json_array_size(json_object_get(body, "removing")), 0);
        json_decref(body);
        assert_false(f->s.dirty);
        assert_null(strstr(log, "scale"));
        assert_int_equal(f->s.n_members, 6);
    }
}

static void test_scale_to_another_count_is_a_change(void **state)
{
    fixture *f = *state;
    int status;
    char log[4096];
    json_t *body = scale(f, "kafka", 4, &status, log, sizeof(log));
    assert_int_equal(status, 200);
    assert_true(json_is_false(json_object_get(body, "unchanged")));
    assert_int_equal(json_integer_value(json_object_get(body, "previous")), 3);
    json_decref(body);
    assert_true(f->s.dirty);
    assert_non_null(strstr(log, "scale kafka: 3 -> 4"));
    assert_int_equal(f->s.desired[KIND_KAFKA], 4);
    assert_int_equal(f->s.n_members, 7);
}

static void test_reflate_of_nothing_changes_nothing(void **state)
{
    fixture *f = *state;
    int status;
    char log[4096];
    /* Members that never ran and wait for an offer: listed, but nothing about them changes. */
    json_t *body = reflate(f, "kafka", &status, log, sizeof(log));
    assert_int_equal(status, 200);
    assert_true(json_is_true(json_object_get(body, "unchanged")));
    assert_int_equal(json_array_size(json_object_get(body, "scheduled")), 3);
    json_decref(body);
    assert_false(f->s.dirty);
    assert_null(strstr(log, "reflate"));
}

static void test_reflate_of_a_stopped_member_is_a_change(void **state)
{
    fixture *f = *state;
    member *mb = scheduler_find_member(&f->s, KIND_KAFKA, 1);
    assert_non_null(mb);
    mb->goal = GOAL_STOP;
    int status;
    char log[4096];
    json_t *body = reflate(f, "kafka", &status, log, sizeof(log));
    assert_int_equal(status, 200);
    assert_true(json_is_false(json_object_get(body, "unchanged")));
    json_decref(body);
    assert_true(f->s.dirty);
    assert_int_equal(mb->goal, GOAL_RUN);
    assert_non_null(strstr(log, "reflate kafka: 3 member(s) scheduled"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scale_to_the_current_count_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_scale_to_another_count_is_a_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reflate_of_nothing_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reflate_of_a_stopped_member_is_a_change, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
