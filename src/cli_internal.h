/*
 * cli_internal: what the command-line client's own files share and nothing else includes: the
 * command table (cli_commands.c), the scanned command line (cli_parse.c) and help.
 *
 * A command is one row of cli_commands[]: its words, its positional arguments (and which are
 * whole numbers), the options it takes, the request it sends (a method and a path template such
 * as "/v1/topics/{0}/offsets", {N} being the Nth argument, escaped), a hook for what a template
 * cannot say (a JSON body, ?force=true, two requests), how its reply is shown, and the usage,
 * summary and example that `help` prints.
 */
#ifndef MK_CLI_INTERNAL_H
#define MK_CLI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "cli_show.h"
#include "util.h"

#define CLI_DEFAULT_PORT          10000 /* FRAMEWORK_PORT's default */
#define CLI_DEFAULT_TIMEOUT_S     30.0
#define CLI_DEFAULT_TEST_MESSAGES 1000
#define CLI_MAX_WORDS             8
#define CLI_MAX_CONFIGS           64

enum {
    CLI_OPT_FORCE = 1u << 0,
    CLI_OPT_NO_WAIT = 1u << 1,
    CLI_OPT_ALL = 1u << 2,
    CLI_OPT_PARTITIONS = 1u << 3,
    CLI_OPT_REPLICATION = 1u << 4,
    CLI_OPT_CONFIG = 1u << 5,
    CLI_OPT_SIZE = 1u << 6,
    CLI_OPT_SETTING = 1u << 7, /* a broker setting (--cpus, --mem, ...: broker_settings.h) */
    CLI_OPT_NO_RESTART = 1u << 8,
    CLI_OPT_SOURCE = 1u << 9,
};

#define CLI_MAX_SETTINGS 32

typedef enum { CLI_ARG_TEXT, CLI_ARG_NUMBER } cli_arg_kind;

typedef struct {
    const char *name;  /* as in the usage: NAME, COUNT */
    cli_arg_kind kind; /* CLI_ARG_NUMBER: a whole number, 0 or more */
} cli_arg_spec;

/* What the scan of argv found. */
typedef struct {
    const char *words[CLI_MAX_WORDS]; /* noun, verb, arguments */
    int n_words;
    const char *api, *user, *timeout;
    bool json, help;
    unsigned given; /* CLI_OPT_* */
    const char *partitions, *replication, *size, *source;
    const char *configs[CLI_MAX_CONFIGS];
    int n_configs;
    /* Broker settings as given: the option's name (cli_command_options's) and its value. */
    const char *setting_names[CLI_MAX_SETTINGS];
    const char *setting_values[CLI_MAX_SETTINGS];
    int n_settings;
} cli_args;

typedef struct cli_command {
    const char *noun;
    const char *verb; /* NULL: the noun alone is the command */
    cli_arg_spec args[3];
    int required; /* how many of args must be given */
    unsigned options;
    const char *method;
    const char *path; /* {0}, {1}: the escaped arguments; NULL: `complete` builds the calls */
    /* Adds what the template cannot (body, query, more calls); returns -1 with a usage problem. */
    int (*complete)(const cli_args *a, const char *const *args, int n_args, cli_invocation *inv,
                    mk_err *err);
    cli_show_fn *show;
    const char *synopsis; /* the arguments and options, after the words */
    const char *summary;
    const char *example;
} cli_command;

typedef struct {
    const char *name; /* without the leading "--" */
    unsigned bit;     /* CLI_OPT_* */
    bool takes_value;
} cli_option;

extern const cli_command cli_commands[];
extern const size_t cli_n_commands;
/* The options some commands take; --api, --user, --timeout, --json and --help go with any. */
extern const cli_option cli_command_options[];
extern const size_t cli_n_command_options;

/* A whole number, 0 or more, digits only. Returns -1 for anything else or an overflow. */
int cli_parse_whole(const char *text, long long *out);

/* Help (caller frees): every command (noun and only NULL), one noun's commands with examples,
 * or one command with its example. */
char *cli_help_text(const char *noun, const cli_command *only);

#endif
