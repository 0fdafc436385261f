/*
 * imagemap: image name patterns to local launchers (see imagemap.h for the file format).
 */
#include "imagemap.h"

#include <errno.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char *pattern, *launcher;
} rule;

struct imagemap {
    rule *rules;
    size_t n;
};

void imagemap_free(imagemap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->rules[i].pattern);
        free(m->rules[i].launcher);
    }
    free(m->rules);
    free(m);
}

static char *resolve_launcher(const char *map_path, const char *launcher)
{
    if (launcher[0] == '/')
        return mk_xstrdup(launcher);
    cleanup_free char *copy = mk_xstrdup(map_path);
    const char *dir = dirname(copy);
    char *joined = mk_xasprintf("%s/%s", dir, launcher);
    char *real = realpath(joined, NULL);
    if (real) {
        free(joined);
        return real;
    }
    return joined;
}

imagemap *imagemap_load(const char *path, mk_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        mk_err_set(err, "image map %s: %s", path, strerror(errno));
        return NULL;
    }
    imagemap *m = mk_xcalloc(1, sizeof(*m));
    char line[2048];
    int lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *save = NULL;
        const char *pattern = strtok_r(line, " \t\r\n", &save);
        if (!pattern)
            continue;
        const char *launcher = strtok_r(NULL, " \t\r\n", &save);
        const char *extra = launcher ? strtok_r(NULL, " \t\r\n", &save) : NULL;
        if (!launcher || extra) {
            mk_err_set(err, "image map %s line %d: expected '<image pattern> <launcher>'", path,
                       lineno);
            goto fail;
        }
        char *resolved = resolve_launcher(path, launcher);
        if (access(resolved, X_OK) != 0) {
            mk_err_set(err, "image map %s line %d: launcher %s is not an executable file", path,
                       lineno, resolved);
            free(resolved);
            goto fail;
        }
        m->rules = mk_xrealloc(m->rules, (m->n + 1) * sizeof(*m->rules));
        m->rules[m->n].pattern = mk_xstrdup(pattern);
        m->rules[m->n].launcher = resolved;
        m->n++;
    }
    fclose(f);
    return m;
fail:
    fclose(f);
    imagemap_free(m);
    return NULL;
}

/* "docker.io/library/zookeeper:3.8" -> "zookeeper:3.8"; "docker.io/apache/kafka" -> "apache/kafka".
 */
static const char *short_name(const char *image)
{
    if (strncmp(image, "docker.io/", 10) == 0)
        image += 10;
    else if (strncmp(image, "index.docker.io/", 16) == 0)
        image += 16;
    if (strncmp(image, "library/", 8) == 0)
        image += 8;
    return image;
}

const char *imagemap_lookup(const imagemap *m, const char *image)
{
    if (!m || !image)
        return NULL;
    const char *name = short_name(image);
    for (size_t i = 0; i < m->n; i++)
        if (fnmatch(m->rules[i].pattern, name, 0) == 0)
            return m->rules[i].launcher;
    return NULL;
}

size_t imagemap_rules(const imagemap *m)
{
    return m ? m->n : 0;
}
