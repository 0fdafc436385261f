/*
 * Fuzz the configuration loader (config_load) with environments made from the input.
 *
 * Input: NUL-separated entries, each one byte naming a variable of the configuration table (its
 * index, modulo the table's size) followed by the value; a later entry for the same variable wins.
 * Only the table's variables are ever set, so every input is an environment the loader could meet.
 *
 * Invariants: a load that succeeds gives values within the table's limits and honours the rules
 * between variables (heap below memory, FAILOVER_MAX_DELAY >= FAILOVER_DELAY, credentials in
 * pairs, a network name for USER); a load that fails reports exactly one line per problem, each
 * naming a variable, and leaves the config zeroed. A secret's value never shows: the errors (and
 * `mesos-kafka config` on success) read the same with the secrets replaced by other text of the
 * same length. Everything is freed (LeakSanitizer). No crash or undefined behaviour.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"

#include "fuzz_check.h"

#define MAX_VARS 128

typedef struct {
    const char *values[MAX_VARS]; /* by index in config_vars; NULL: unset */
} environment;

static const char *lookup(const char *name, void *ctx)
{
    const environment *env = ctx;
    /* The loader asks with the table's own name pointers: no string comparisons (libFuzzer hooks
     * every strcmp, which would make them most of a run's time). */
    for (int i = 0; i < config_n_vars; i++)
        if (config_vars[i].name == name)
            return env->values[i];
    /* Besides the table's variables, only a secret's <NAME>_FILE is read: left unset here, so
     * that no run reads files (the file path has its own unit tests). */
    size_t n = strlen(name);
    CHECK(n > 5 && memcmp(name + n - 5, "_FILE", 5) == 0);
    return NULL;
}

static bool is_zero(const config *cfg)
{
    const unsigned char *b = (const unsigned char *)cfg;
    for (size_t i = 0; i < sizeof(*cfg); i++)
        if (b[i])
            return false;
    return true;
}

static const void *slot(const config *cfg, const config_var *v)
{
    return (const char *)cfg + v->offset;
}

static void check_value(const config *cfg, const config_var *v)
{
    double x;
    switch (v->type) {
    case VT_INT:
    case VT_PORT:
        x = *(const int *)slot(cfg, v);
        break;
    case VT_DOUBLE:
    case VT_DURATION:
        x = *(const double *)slot(cfg, v);
        break;
    case VT_NONEMPTY: {
        const char *s = *(char *const *)slot(cfg, v);
        CHECK(!s || *s); /* unset only where optional */
        CHECK(s || !v->default_value);
        return;
    }
    default:
        return;
    }
    CHECK(x == x && x <= v->max);
    CHECK((v->flags & VF_ABOVE_MIN) ? x > v->min : x >= v->min);
}

static void check_loaded(const config *cfg)
{
    for (int i = 0; i < config_n_vars; i++)
        check_value(cfg, &config_vars[i]);
    CHECK(cfg->n_masters >= 1 && cfg->masters);
    for (int i = 0; i < cfg->n_masters; i++)
        CHECK(cfg->masters[i].host && cfg->masters[i].host[0]);
    CHECK(cfg->statefile_path && cfg->framework_hostname && cfg->framework_webui_url);
    CHECK(cfg->zookeeper_res.heap_mb < cfg->zookeeper_res.mem_mb);
    CHECK(cfg->kafka_res.heap_mb < cfg->kafka_res.mem_mb);
    CHECK(cfg->failover_max_delay_s >= cfg->failover_delay_s);
    CHECK(!cfg->mesos_username || cfg->mesos_password);
    CHECK(!!cfg->auth_username == !!cfg->auth_password);
    CHECK(cfg->network != NETWORK_USER || cfg->network_name);
}

/* Loads `env`; returns the problems and, in *text, the errors or (on success) `config`'s output. */
static int load(environment *env, char **text)
{
    size_t len;
    FILE *out = open_memstream(text, &len);
    CHECK(out);
    config cfg;
    int problems = config_load(&cfg, lookup, env, out);
    CHECK(problems >= 0);
    if (problems == 0) {
        check_loaded(&cfg);
        config_print_effective(&cfg, out);
        config_free(&cfg);
    }
    CHECK(is_zero(&cfg));
    fclose(out);
    return problems;
}

static void check_errors(const char *text, int problems)
{
    int lines = 0;
    for (const char *line = text; *line; lines++) {
        const char *end = strchr(line, '\n');
        CHECK(end); /* every line is ended */
        const char *colon = memchr(line, ':', (size_t)(end - line));
        CHECK(colon && colon[1] == ' ');
        bool named = false;
        for (int i = 0; i < config_n_vars && !named; i++)
            named = config_vars[i].type != VT_SECTION &&
                    strlen(config_vars[i].name) == (size_t)(colon - line) &&
                    memcmp(config_vars[i].name, line, (size_t)(colon - line)) == 0;
        CHECK(named);
        for (const char *p = line; p < end; p++)
            CHECK((unsigned char)*p >= ' ' && *p != 0x7f); /* no control bytes, escaped */
        line = end + 1;
    }
    CHECK(lines == problems);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    environment env = {{0}};
    CHECK(config_n_vars <= MAX_VARS);
    for (size_t i = 0; i < size;) {
        size_t len = strlen(copy + i);
        if (len > 0) {
            int var = (unsigned char)copy[i] % config_n_vars;
            if (config_vars[var].type != VT_SECTION)
                env.values[var] = copy + i + 1;
        }
        i += len + 1;
    }

    char *text = NULL;
    int problems = load(&env, &text);
    if (problems > 0)
        check_errors(text, problems);

    /* The same environment with every secret replaced: the same text. */
    environment masked = env;
    char *replaced[MAX_VARS] = {0};
    bool any = false;
    for (int i = 0; i < config_n_vars; i++) {
        if (!(config_vars[i].flags & VF_SECRET) || !env.values[i] || !env.values[i][0])
            continue;
        size_t n = strlen(env.values[i]);
        replaced[i] = malloc(n + 1);
        memset(replaced[i], env.values[i][0] == 'Z' ? 'Y' : 'Z', n);
        replaced[i][n] = '\0';
        masked.values[i] = replaced[i];
        any = true;
    }
    if (any) {
        char *other = NULL;
        CHECK(load(&masked, &other) == problems);
        CHECK(strcmp(text, other) == 0);
        free(other);
    }
    for (int i = 0; i < MAX_VARS; i++)
        free(replaced[i]);
    free(text);
    free(copy);
    return 0;
}
