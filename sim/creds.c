/*
 * creds: mesos-sim's Basic-auth pairs, from the command line or from a file (creds.h).
 */
#include "creds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_pair(sim_creds *c, const char *spec, size_t len, const char *where, mk_err *err)
{
    const char *colon = memchr(spec, ':', len);
    if (!colon || colon == spec || colon + 1 == spec + len)
        return mk_err_set(err, "%s: takes PRINCIPAL:SECRET, both non-empty", where);
    if (c->n == SIM_MAX_CREDS)
        return mk_err_set(err, "%s: more than %d credentials", where, SIM_MAX_CREDS);
    c->user[c->n] = mk_xstrndup(spec, (size_t)(colon - spec));
    c->pass[c->n] = mk_xstrndup(colon + 1, len - (size_t)(colon - spec) - 1);
    c->n++;
    return 0;
}

int sim_creds_add(sim_creds *c, const char *spec, mk_err *err)
{
    return add_pair(c, spec, strlen(spec), "--credentials", err);
}

int sim_creds_add_lines(sim_creds *c, const char *text, const char *origin, mk_err *err)
{
    int kept = c->n;
    int line = 0;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        line++;
        size_t l = len;
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0 && p[0] != '#') {
            char where[512];
            snprintf(where, sizeof(where), "%s line %d", origin, line);
            if (add_pair(c, p, l, where, err) < 0) {
                while (c->n > kept) {
                    c->n--;
                    free(c->user[c->n]);
                    free(c->pass[c->n]);
                }
                return -1;
            }
        }
        p += len + (end ? 1 : 0);
    }
    return 0;
}

int sim_creds_load_file(sim_creds *c, const char *path, mk_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return mk_err_set(err, "--credentials-file %s: %s", path, strerror(errno));
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    char buf[4096];
    size_t n;
    while (mem && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, mem);
    bool failed = ferror(f) || !mem;
    fclose(f);
    if (mem)
        fclose(mem);
    if (failed || memchr(text, '\0', size)) {
        free(text);
        return mk_err_set(err, "--credentials-file %s: %s", path,
                          failed ? "cannot be read" : "holds a NUL byte");
    }
    char origin[512];
    snprintf(origin, sizeof(origin), "--credentials-file %s", path);
    int rc = sim_creds_add_lines(c, text, origin, err);
    explicit_bzero(text, size);
    free(text);
    return rc;
}

bool sim_creds_match(const sim_creds *c, const char *user, const char *pass)
{
    bool ok = false;
    for (int i = 0; user && pass && i < c->n; i++) {
        if (mk_consttime_equal(user, strlen(user), c->user[i], strlen(c->user[i])) &&
            mk_consttime_equal(pass, strlen(pass), c->pass[i], strlen(c->pass[i])))
            ok = true;
    }
    return ok;
}

void sim_creds_free(sim_creds *c)
{
    for (int i = 0; i < c->n; i++) {
        free(c->user[i]);
        free(c->pass[i]);
    }
    c->n = 0;
}
