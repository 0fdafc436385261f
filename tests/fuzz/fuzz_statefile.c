/*
 * Fuzz the state file loader: arbitrary bytes as the file's contents go through statefile_parse
 * (what statefile_read does once it has read the file) and, when that accepts them, through
 * scheduler_load_document (framework id, desired counts, members, doomed tasks, the restart plan)
 * into a scheduler with the default configuration.
 *
 * Invariants: every refusal says why; a loaded state has desired counts within their limits and
 * members unique by kind and id, each within its kind's ids; and the state round-trips: the
 * document the scheduler would write for it loads again into a state that writes the same
 * document. A load that fails part-way leaves nothing that is not freed. No crash, leak or
 * undefined behaviour.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "scheduler_internal.h"
#include "statefile.h"

#include "fuzz_check.h"

static const char *no_environment(const char *name, void *ctx)
{
    return NULL;
}

static const config *default_config(void)
{
    static config cfg;
    static bool loaded;
    if (!loaded) {
        CHECK(config_load(&cfg, no_environment, NULL, NULL) == 0);
        log_set_level(LOG_ERROR); /* the loader's warnings are expected here */
        loaded = true;
    }
    return &cfg;
}

static void scheduler_init(scheduler *s, const config *cfg)
{
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->desired[KIND_ZOOKEEPER] = cfg->zookeeper_count;
    s->desired[KIND_KAFKA] = cfg->kafka_count;
}

static void scheduler_release(scheduler *s)
{
    scheduler_free_members(s);
    scheduler_free_plan(s);
    free(s->framework_id);
    memset(s, 0, sizeof(*s));
}

static void check_loaded(const scheduler *s)
{
    CHECK(s->desired[KIND_ZOOKEEPER] >= 0 && s->desired[KIND_ZOOKEEPER] <= 99);
    CHECK(s->desired[KIND_KAFKA] >= 0 && s->desired[KIND_KAFKA] <= 1000);
    for (size_t i = 0; i < s->n_members; i++) {
        const member *m = s->members[i];
        CHECK(m && (m->kind == KIND_ZOOKEEPER || m->kind == KIND_KAFKA));
        CHECK(scheduler_find_member(s, m->kind, m->id) == m); /* unique */
    }
    for (size_t i = 0; i < s->n_doomed; i++)
        CHECK(s->doomed[i]);
    CHECK(!s->framework_id || *s->framework_id);
}

/* The document the scheduler writes for `s`, without the time it was written. */
static json_t *written(const scheduler *s)
{
    json_t *doc = scheduler_state_document(s);
    CHECK(doc);
    json_object_del(doc, "updated_at");
    return doc;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const config *cfg = default_config();
    json_t *doc = NULL;
    mk_err err = {{0}};
    if (statefile_parse("fuzz.state.json", (const char *)data, size, &doc, &err) < 0) {
        CHECK(!doc && err.msg[0]);
        return 0;
    }
    CHECK(json_is_object(doc));

    scheduler s;
    scheduler_init(&s, cfg);
    if (scheduler_load_document(&s, doc, &err) < 0) {
        CHECK(err.msg[0]);
        scheduler_release(&s);
        json_decref(doc);
        return 0;
    }
    json_decref(doc);
    check_loaded(&s);

    /* Round trip: write, read back as text, load, write again. */
    json_t *first = written(&s);
    char *text = json_dumps(first, JSON_COMPACT);
    CHECK(text);
    json_t *reread = NULL;
    mk_err err2 = {{0}};
    CHECK(statefile_parse("fuzz.state.json", text, strlen(text), &reread, &err2) == 0);
    scheduler again;
    scheduler_init(&again, cfg);
    CHECK(scheduler_load_document(&again, reread, &err2) == 0);
    check_loaded(&again);
    json_t *second = written(&again);
    CHECK(json_equal(first, second));

    json_decref(second);
    json_decref(reread);
    free(text);
    json_decref(first);
    scheduler_release(&again);
    scheduler_release(&s);
    return 0;
}
