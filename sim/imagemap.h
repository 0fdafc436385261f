/*
 * imagemap: which local launcher stands for which Docker image.
 *
 * mesos-sim has no Docker engine; a task's image is looked up in a small text file, one rule per
 * line:
 *
 *     # image pattern (fnmatch)     launcher (absolute, or relative to this file)
 *     zookeeper                     ../containers/zookeeper/entrypoint.sh
 *     zookeeper:*                   ../containers/zookeeper/entrypoint.sh
 *
 * Images are compared in their short form: a leading "docker.io/" and "library/" are dropped, so
 * "docker.io/library/zookeeper:3.8" matches "zookeeper:*". The first matching rule wins. An image
 * no rule matches is one the simulated agents cannot pull.
 */
#ifndef SIM_IMAGEMAP_H
#define SIM_IMAGEMAP_H

#include "util.h"

typedef struct imagemap imagemap;

/* Reads the file; every line is checked (pattern, launcher that exists and is executable). */
imagemap *imagemap_load(const char *path, mk_err *err);
void imagemap_free(imagemap *m);
/* The launcher for an image, or NULL. The string belongs to the map. */
const char *imagemap_lookup(const imagemap *m, const char *image);
size_t imagemap_rules(const imagemap *m);

#endif
