/*
 * cli_parse: a command line becomes a cli_invocation (requests and settings) without anything
 * sent (see cli.h); the table of commands it matches against is in cli_commands.c.
 *
 * Options may appear anywhere on the line (`mesos-kafka --json topic list` and
 * `mesos-kafka topic list --json` are the same), as `--name value` or `--name=value`; `--` ends
 * them. A problem found while scanning is only reported once the command is known, so the usage
 * shown is that command's.
 *
 * Only what is obviously wrong is checked here (a missing argument, a count that is not a whole
 * number, `--config` without '='); ranges and names are the server's to judge, so the client never
 * refuses something a newer server would accept.
 */
#include "cli_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_http.h"
#include "tls_pem.h"

static const char *const global_options[] = {"api", "user", "timeout", "json"};

static const char *env_value(const cli_env *env, const char *name)
{
    const char *v = env->getenv ? env->getenv(name, env->getenv_ctx) : getenv(name);
    return v && *v ? v : NULL;
}

static bool is_noun(const char *word)
{
    for (size_t i = 0; i < cli_n_commands; i++)
        if (strcmp(cli_commands[i].noun, word) == 0)
            return true;
    return false;
}

static bool is_global_option(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return false;
    size_t len = strcspn(arg + 2, "=");
    for (size_t i = 0; i < MK_ARRAY_LEN(global_options); i++)
        if (strlen(global_options[i]) == len && strncmp(arg + 2, global_options[i], len) == 0)
            return true;
    return false;
}

bool cli_handles(const char *arg)
{
    return arg && (strcmp(arg, "help") == 0 || is_noun(arg) || is_global_option(arg));
}

/* The scan of argv keeps its first problem only, reported once the command is known. */
typedef struct {
    cli_args args;
    mk_err problem;
    bool has_problem;
} scan;

static void note_problem(scan *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_problem(scan *sc, const char *fmt, ...)
{
    if (sc->has_problem)
        return;
    sc->has_problem = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sc->problem.msg, sizeof(sc->problem.msg), fmt, ap);
    va_end(ap);
}

static void store_option(cli_args *a, scan *sc, const char *option, unsigned bit, const char *value)
{
    if (strcmp(option, "api") == 0)
        a->api = value;
    else if (strcmp(option, "user") == 0)
        a->user = value;
    else if (strcmp(option, "timeout") == 0)
        a->timeout = value;
    else if (strcmp(option, "json") == 0)
        a->json = true;
    a->given |= bit;
    if (bit == CLI_OPT_PARTITIONS)
        a->partitions = value;
    else if (bit == CLI_OPT_REPLICATION)
        a->replication = value;
    else if (bit == CLI_OPT_SIZE)
        a->size = value;
    else if (bit == CLI_OPT_SOURCE)
        a->source = value;
    else if (bit == CLI_OPT_CONFIG && a->n_configs < CLI_MAX_CONFIGS)
        a->configs[a->n_configs++] = value;
    else if (bit == CLI_OPT_CONFIG)
        note_problem(sc, "more than %d --config options", CLI_MAX_CONFIGS);
    else if (bit == CLI_OPT_SETTING && a->n_settings < CLI_MAX_SETTINGS) {
        for (size_t k = 0; k < cli_n_command_options; k++)
            if (strcmp(option, cli_command_options[k].name) == 0)
                a->setting_names[a->n_settings] = cli_command_options[k].name;
        a->setting_values[a->n_settings++] = value;
    } else if (bit == CLI_OPT_SETTING)
        note_problem(sc, "more than %d broker settings", CLI_MAX_SETTINGS);
}

/* One option at argv[*i]; may consume the next argument as its value. */
static void scan_option(int argc, char **argv, int *i, scan *sc)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
        sc->args.help = true;
        return;
    }
    const char *name = arg + 2;
    size_t name_len = strcspn(name, "=");
    const char *value = name[name_len] == '=' ? name + name_len + 1 : NULL;
    cleanup_free char *option = mk_xstrndup(name, name_len);
    bool global = is_global_option(arg);
    bool takes_value = global && strcmp(option, "json") != 0;
    unsigned bit = 0;
    for (size_t k = 0; k < cli_n_command_options && !global; k++)
        if (strcmp(option, cli_command_options[k].name) == 0) {
            bit = cli_command_options[k].bit;
            takes_value = cli_command_options[k].takes_value;
        }
    if (!global && bit == 0) {
        note_problem(sc, "unknown option '%s'", arg);
    } else if (takes_value && !value && *i + 1 >= argc) {
        note_problem(sc, "option --%s needs a value", option);
    } else if (!takes_value && value) {
        note_problem(sc, "option --%s takes no value", option);
    } else {
        if (takes_value && !value)
            value = argv[++*i];
        store_option(&sc->args, sc, option, bit, value);
    }
}

static void scan_argv(int argc, char **argv, scan *sc)
{
    bool options_ended = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool looks_like_option =
            !options_ended && (strncmp(arg, "--", 2) == 0 || strcmp(arg, "-h") == 0);
        if (looks_like_option && strcmp(arg, "--") == 0)
            options_ended = true;
        else if (looks_like_option)
            scan_option(argc, argv, &i, sc);
        else if (sc->args.n_words < CLI_MAX_WORDS)
            sc->args.words[sc->args.n_words++] = arg;
        else
            note_problem(sc, "unexpected argument '%s'", arg);
    }
}

/* The command the words name; NULL with `noun_known` telling whether the noun alone was right. */
static const cli_command *find_command(const cli_args *a, bool *noun_known, int *n_used)
{
    *noun_known = false;
    *n_used = 0;
    if (a->n_words == 0)
        return NULL;
    const char *noun = a->words[0];
    const char *verb = a->n_words > 1 ? a->words[1] : NULL;
    for (size_t i = 0; i < cli_n_commands; i++) {
        const cli_command *c = &cli_commands[i];
        if (strcmp(c->noun, noun) != 0)
            continue;
        *noun_known = true;
        if (!c->verb) {
            *n_used = 1;
            return c;
        }
        if (verb && strcmp(c->verb, verb) == 0) {
            *n_used = 2;
            return c;
        }
    }
    return NULL;
}

static void usage_error(const cli_env *env, const char *noun, const cli_command *c, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));
static void usage_error(const cli_env *env, const char *noun, const cli_command *c, const char *fmt,
                        ...)
{
    char problem[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    fprintf(env->err, "mesos-kafka: %s\n", problem);
    if (!noun && !c) {
        fputs("run `mesos-kafka help` for the list of commands\n", env->err);
        return;
    }
    cleanup_free char *text = cli_help_text(noun, c);
    fputs(text, env->err);
}

static const char *verbs_of(const char *noun, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cli_n_commands && used < size; i++)
        if (strcmp(cli_commands[i].noun, noun) == 0 && cli_commands[i].verb) {
            int n =
                snprintf(buf + used, size - used, "%s%s", used ? ", " : "", cli_commands[i].verb);
            if (n > 0)
                used += (size_t)n;
        }
    return buf;
}

/* Fills {0}, {1} of the command's path with its escaped arguments. */
static char *expand_path(const char *template, const char *const *args, int n_args)
{
    char *path = mk_xstrdup("");
    for (const char *p = template; *p;) {
        const char *open = strchr(p, '{');
        size_t literal = open ? (size_t)(open - p) : strlen(p);
        cleanup_free char *piece = NULL;
        if (open && open[1] >= '0' && open[1] <= '9' && open[2] == '}' && open[1] - '0' < n_args)
            piece = cli_path_escape(args[open[1] - '0']);
        char *next = mk_xasprintf("%s%.*s%s", path, (int)literal, p, piece ? piece : "");
        free(path);
        path = next;
        p += literal + (open ? 3 : 0);
    }
    return path;
}

/* Why text argument `i` of `c` cannot be sent, or NULL. One that fills a segment of the path must
 * be one segment still once the server has decoded it: not empty, no '/' (or it would name another
 * route); any other goes in a JSON body, which holds only UTF-8. */
static const char *text_problem(const cli_command *c, int i, const char *arg)
{
    char placeholder[4] = {'{', (char)('0' + i), '}', '\0'};
    bool in_path = c->path && strstr(c->path, placeholder);
    if (in_path && !*arg)
        return "must not be empty";
    if (in_path && strchr(arg, '/'))
        return "must not contain '/'";
    json_t *as_json = json_string(arg); /* NULL unless valid UTF-8 */
    json_decref(as_json);
    return as_json ? NULL : "is not valid UTF-8";
}

static int check_arguments(const cli_env *env, const cli_command *c, const cli_args *a,
                           const char *const *args, int n_args)
{
    int n_spec = 0;
    while (n_spec < (int)MK_ARRAY_LEN(c->args) && c->args[n_spec].name)
        n_spec++;
    if (n_args < c->required) {
        usage_error(env, NULL, c, "missing %s", c->args[n_args].name);
        return -1;
    }
    if (n_args > n_spec) {
        usage_error(env, NULL, c, "unexpected argument '%s'", args[n_spec]);
        return -1;
    }
    for (int i = 0; i < n_args; i++) {
        long long n;
        const char *why = text_problem(c, i, args[i]);
        if (c->args[i].kind == CLI_ARG_TEXT && why) {
            usage_error(env, NULL, c, "%s: %s", c->args[i].name, why);
            return -1;
        }
        if (c->args[i].kind == CLI_ARG_NUMBER && cli_parse_whole(args[i], &n) < 0) {
            usage_error(env, NULL, c, "%s: '%s' is not a whole number (0 or more)", c->args[i].name,
                        args[i]);
            return -1;
        }
    }
    for (size_t k = 0; k < cli_n_command_options; k++)
        if ((a->given & cli_command_options[k].bit) && !(c->options & cli_command_options[k].bit)) {
            /* The settings share one bit: name the one given. */
            const char *name = cli_command_options[k].bit == CLI_OPT_SETTING && a->n_settings > 0
                                   ? a->setting_names[0]
                                   : cli_command_options[k].name;
            usage_error(env, NULL, c, "%s%s%s does not take --%s", c->noun, c->verb ? " " : "",
                        c->verb ? c->verb : "", name);
            return -1;
        }
    return 0;
}

/* AUTH_PASSWORD, or the file AUTH_PASSWORD_FILE names (as the scheduler reads them). */
static int resolve_password(const cli_env *env, cli_invocation *inv)
{
    const char *password = env_value(env, "AUTH_PASSWORD");
    const char *file = env_value(env, "AUTH_PASSWORD_FILE");
    if (password && file) {
        usage_error(env, NULL, NULL,
                    "AUTH_PASSWORD: set either AUTH_PASSWORD or AUTH_PASSWORD_FILE, not both");
        return -1;
    }
    if (!file) {
        inv->password = password ? mk_xstrdup(password) : NULL;
        return 0;
    }
    mk_err err = {{0}};
    if (mk_read_secret_file(file, &inv->password, &err) < 0) {
        usage_error(env, NULL, NULL, "AUTH_PASSWORD_FILE: %s (got '%s')", err.msg, file);
        return -1;
    }
    return 0;
}

/* --api, MESOS_KAFKA_API, or the local default; "host:port" gets http:// in front. */
static int resolve_settings(const cli_env *env, const cli_args *a, cli_invocation *inv)
{
    const char *api = a->api ? a->api : env_value(env, "MESOS_KAFKA_API");
    if (api) {
        const char *scheme_end = strstr(api, "://");
        if (!scheme_end)
            inv->api_url = mk_xasprintf("http://%s", api);
        else if (strncmp(api, "http://", 7) == 0 || strncmp(api, "https://", 8) == 0)
            inv->api_url = mk_xstrdup(api);
        else {
            usage_error(env, NULL, NULL, "%s: '%s' is not an http:// or https:// URL",
                        a->api ? "--api" : "MESOS_KAFKA_API", api);
            return -1;
        }
    } else {
        const char *port_text = env_value(env, "FRAMEWORK_PORT");
        long long port = CLI_DEFAULT_PORT;
        if (port_text && (cli_parse_whole(port_text, &port) < 0 || port < 1 || port > 65535)) {
            usage_error(env, NULL, NULL, "FRAMEWORK_PORT: '%s' is not a port number", port_text);
            return -1;
        }
        inv->api_url = mk_xasprintf("http://127.0.0.1:%lld", port);
    }
    inv->timeout_s = CLI_DEFAULT_TIMEOUT_S;
    if (a->timeout) {
        char *end = NULL;
        double t = strtod(a->timeout, &end);
        if (!end || *end || !isfinite(t) || t <= 0) {
            usage_error(env, NULL, NULL, "--timeout: '%s' is not a number of seconds above 0",
                        a->timeout);
            return -1;
        }
        inv->timeout_s = t;
    }
    const char *ca = env_value(env, "MESOS_KAFKA_CA_CERT");
    if (ca) {
        char why[256];
        const char *problem = tls_pem_check_certificate(ca, why, sizeof(why));
        if (problem) {
            usage_error(env, NULL, NULL, "MESOS_KAFKA_CA_CERT: %s (got '%s')", problem, ca);
            return -1;
        }
        inv->ca_cert = mk_xstrdup(ca);
    }
    const char *user = a->user ? a->user : env_value(env, "AUTH_USERNAME");
    inv->username = user ? mk_xstrdup(user) : NULL;
    inv->json = a->json;
    return user ? resolve_password(env, inv) : 0;
}

int cli_parse(int argc, char **argv, const cli_env *env, cli_invocation *inv)
{
    memset(inv, 0, sizeof(*inv));
    scan sc = {0};
    scan_argv(argc, argv, &sc);
    const cli_args a = sc.args;
    bool has_problem = sc.has_problem;
    const mk_err problem = sc.problem;

    bool help_word = a.n_words > 0 && strcmp(a.words[0], "help") == 0;
    if (help_word || (a.help && a.n_words == 0)) {
        const char *noun = help_word && a.n_words > 1 ? a.words[1] : NULL;
        if (noun && !is_noun(noun)) {
            usage_error(env, NULL, NULL, "no command '%s'", noun);
            return CLI_EXIT_USAGE;
        }
        inv->help_only = true;
        inv->help_text = cli_help_text(noun, NULL);
        return CLI_EXIT_OK;
    }
    if (a.n_words == 0) {
        usage_error(env, NULL, NULL, "%s", has_problem ? problem.msg : "no command given");
        return CLI_EXIT_USAGE;
    }

    bool noun_known;
    int n_used;
    const cli_command *c = find_command(&a, &noun_known, &n_used);
    if (!c && !noun_known) {
        usage_error(env, NULL, NULL, "unknown command '%s'", a.words[0]);
        return CLI_EXIT_USAGE;
    }
    if (!c) {
        if (a.help) {
            inv->help_only = true;
            inv->help_text = cli_help_text(a.words[0], NULL);
            return CLI_EXIT_OK;
        }
        char verbs[256];
        verbs_of(a.words[0], verbs, sizeof(verbs));
        if (a.n_words < 2)
            usage_error(env, a.words[0], NULL, "%s: missing what to do (%s)", a.words[0], verbs);
        else
            usage_error(env, a.words[0], NULL, "%s: unknown command '%s' (use %s)", a.words[0],
                        a.words[1], verbs);
        return CLI_EXIT_USAGE;
    }
    if (a.help) {
        inv->help_only = true;
        inv->help_text = cli_help_text(NULL, c);
        return CLI_EXIT_OK;
    }
    if (has_problem) {
        usage_error(env, NULL, c, "%s", problem.msg);
        return CLI_EXIT_USAGE;
    }
    const char *const *args = a.words + n_used;
    int n_args = a.n_words - n_used;
    if (check_arguments(env, c, &a, args, n_args) < 0)
        return CLI_EXIT_USAGE;

    inv->command = c;
    if (c->path) {
        inv->calls[0].method = c->method;
        inv->calls[0].path = expand_path(c->path, args, n_args);
        inv->n_calls = 1;
    }
    mk_err err = {{0}};
    if (c->complete && c->complete(&a, args, n_args, inv, &err) < 0) {
        usage_error(env, NULL, c, "%s", err.msg);
        cli_invocation_clear(inv);
        return CLI_EXIT_USAGE;
    }
    if (resolve_settings(env, &a, inv) < 0) {
        cli_invocation_clear(inv);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

void cli_invocation_clear(cli_invocation *inv)
{
    for (int i = 0; i < CLI_MAX_CALLS; i++) {
        free(inv->calls[i].path);
        json_decref(inv->calls[i].body);
    }
    free(inv->help_text);
    free(inv->api_url);
    free(inv->username);
    free(inv->ca_cert);
    if (inv->password) {
        explicit_bzero(inv->password, strlen(inv->password));
        free(inv->password);
    }
    memset(inv, 0, sizeof(*inv));
}
