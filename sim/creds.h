/*
 * creds: the principals and secrets mesos-sim accepts for Basic auth.
 *
 * They come from --credentials PRINCIPAL:SECRET (kept for callers that have nothing else, but the
 * secret is then on the command line, which `ps` shows every user) or from --credentials-file
 * PATH, a file of one PRINCIPAL:SECRET per line, the way the demo and the tests pass them. None
 * given: auth is off. Error messages name the origin and line, never a secret.
 */
#ifndef SIM_CREDS_H
#define SIM_CREDS_H

#include <stdbool.h>

#include "util.h"

#define SIM_MAX_CREDS 16

typedef struct {
    char *user[SIM_MAX_CREDS], *pass[SIM_MAX_CREDS];
    int n;
} sim_creds;

/* Adds one PRINCIPAL:SECRET (copied; the first ':' splits, so a secret may hold more). -1 when
 * there is no ':', either side is empty, or SIM_MAX_CREDS are held already. */
int sim_creds_add(sim_creds *c, const char *spec, mk_err *err);
/* Adds every line of `text`: one PRINCIPAL:SECRET each, a trailing CR dropped, blank lines and
 * lines starting with '#' skipped. `origin` names the text in errors ("FILE line N: ..."). On -1
 * nothing of `text` is kept. */
int sim_creds_add_lines(sim_creds *c, const char *text, const char *origin, mk_err *err);
/* sim_creds_add_lines of the file at `path`. */
int sim_creds_load_file(sim_creds *c, const char *path, mk_err *err);
/* Whether user:pass is one of the pairs held (each comparison in constant time). */
bool sim_creds_match(const sim_creds *c, const char *user, const char *pass);
void sim_creds_free(sim_creds *c);

#endif
