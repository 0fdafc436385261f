/*
 * statefile: atomic JSON state on disk.
 *
 * Writing: the document goes to "<path>.tmp-<random>" created with O_EXCL (never following a link
 * or reusing a file someone else left) and mode 0600, is written completely, fsynced, renamed over
 * <path>, and then the directory is fsynced so the rename itself survives a power cut. A failure at
 * any step removes the temp file and leaves the old state untouched.
 *
 * Reading refuses anything it cannot fully trust, and says so with the path and what to do: the
 * state holds the framework id, and starting empty over a damaged file would register a new
 * framework and orphan every running task of the old one.
 */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ORPHAN_ADVICE                                                                              \
    "it was not replaced. Fix or move it away to start a new framework (running tasks of the old " \
    "framework id would be orphaned)"

/* mkdir -p with mode 0700 for what it creates (chmod'ed, so a umask cannot widen or narrow it). */
static int make_dirs(const char *dir, mk_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return mk_err_set(err, "%s exists and is not a directory", dir);
        return 0;
    }
    if (errno != ENOENT)
        return mk_err_set(err, "cannot use directory %s: %s", dir, strerror(errno));
    cleanup_free char *copy = mk_xstrdup(dir);
    char *parent = dirname(copy);
    if (strcmp(parent, dir) != 0 && make_dirs(parent, err) < 0)
        return -1;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return mk_err_set(err, "cannot create directory %s: %s", dir, strerror(errno));
    if (chmod(dir, 0700) < 0)
        return mk_err_set(err, "cannot set the mode of directory %s: %s", dir, strerror(errno));
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fsync_dir(const char *dir, mk_err *err)
{
    cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return mk_err_set(err, "cannot open directory %s: %s", dir, strerror(errno));
    /* Some file systems cannot fsync a directory (EINVAL); the rename is as durable as they get. */
    if (fsync(fd) < 0 && errno != EINVAL)
        return mk_err_set(err, "cannot fsync directory %s: %s", dir, strerror(errno));
    return 0;
}

int statefile_write(const char *path, const json_t *doc, mk_err *err)
{
    cleanup_free char *path_copy = mk_xstrdup(path);
    const char *dir = dirname(path_copy);
    if (make_dirs(dir, err) < 0)
        return mk_err_prefix(err, "cannot write state file %s", path);

    cleanup_free char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return mk_err_set(err, "cannot write state file %s: the document cannot be serialized",
                          path);

    unsigned char rnd[6];
    if (mk_random_bytes(rnd, sizeof(rnd)) < 0)
        return mk_err_set(err, "cannot write state file %s: no randomness for a temp name", path);
    cleanup_free char *tmp = mk_xasprintf("%s.tmp-%02x%02x%02x%02x%02x%02x", path, rnd[0], rnd[1],
                                          rnd[2], rnd[3], rnd[4], rnd[5]);

    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return mk_err_set(err, "cannot create %s: %s", tmp, strerror(errno));
    const char *step = NULL;
    if (fchmod(fd, 0600) < 0)
        step = "set the mode of";
    else if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0)
        step = "write";
    else if (fsync(fd) < 0)
        step = "fsync";
    if (step) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return mk_err_set(err, "cannot %s %s: %s", step, tmp, strerror(e));
    }
    if (close(fd) < 0) {
        int e = errno;
        unlink(tmp);
        return mk_err_set(err, "cannot close %s: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return mk_err_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(e));
    }
    return fsync_dir(dir, err);
}

/* The whole file (NUL-terminated, *len bytes), or NULL with errno set. */
static char *read_whole(FILE *f, size_t *len)
{
    size_t cap = (size_t)64 * 1024, n = 0;
    char *buf = mk_xmalloc(cap);
    for (;;) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (ferror(f)) {
            free(buf);
            errno = EIO;
            return NULL;
        }
        if (feof(f))
            break;
        cap *= 2;
        buf = mk_xrealloc(buf, cap);
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int statefile_read(const char *path, json_t **doc, mk_err *err)
{
    *doc = NULL;
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return mk_err_set(err, "state file %s cannot be read: %s; " ORPHAN_ADVICE, path,
                          strerror(errno));
    }
    size_t len = 0;
    char *text = read_whole(f, &len);
    fclose(f);
    if (!text)
        return mk_err_set(err, "state file %s cannot be read: I/O error; " ORPHAN_ADVICE, path);
    int rc = statefile_parse(path, text, len, doc, err);
    free(text);
    return rc;
}

int statefile_parse(const char *path, const char *text, size_t len, json_t **doc, mk_err *err)
{
    *doc = NULL;
    json_error_t jerr;
    json_t *d = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!d)
        return mk_err_set(err, "state file %s does not parse (line %d: %s); " ORPHAN_ADVICE, path,
                          jerr.line, jerr.text);
    if (!json_is_object(d)) {
        json_decref(d);
        return mk_err_set(
            err, "state file %s does not parse (line 1: not a JSON object); " ORPHAN_ADVICE, path);
    }
    json_t *v = json_object_get(d, "schema_version");
    if (!json_is_integer(v)) {
        json_decref(d);
        return mk_err_set(err, "state file %s has no integer schema_version; " ORPHAN_ADVICE, path);
    }
    json_int_t version = json_integer_value(v);
    if (version != STATEFILE_SCHEMA_VERSION) {
        json_decref(d);
        return mk_err_set(err,
                          "state file %s has schema_version %lld, which this mesos-kafka does not "
                          "know (it writes %d)%s; " ORPHAN_ADVICE,
                          path, (long long)version, STATEFILE_SCHEMA_VERSION,
                          version > STATEFILE_SCHEMA_VERSION
                              ? ": it was written by a newer version, run that one"
                              : "");
    }
    *doc = d;
    return 0;
}
