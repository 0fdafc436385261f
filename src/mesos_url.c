/*
 * mesos_url: building the scheduler endpoint URL of a master and resolving the Location of a 307.
 *
 * Mesos writes Location protocol-relative because libprocess does not know whether the client came
 * over TLS; the client therefore supplies the scheme. We go further and keep our scheme even when a
 * Location is absolute: whether credentials travel encrypted is the operator's decision
 * (MESOS_SSL), not something a redirect may change.
 */
#include "mesos_url.h"

#include <string.h>

static bool is_https(const char *url)
{
    return strncmp(url, "https://", 8) == 0;
}

char *mesos_url_for_master(const char *host, int port, bool ssl)
{
    bool v6 = strchr(host, ':') != NULL && host[0] != '[';
    return mk_xasprintf("%s://%s%s%s:%d%s", ssl ? "https" : "http", v6 ? "[" : "", host,
                        v6 ? "]" : "", port, MESOS_SCHEDULER_PATH);
}

/* Length of "scheme://authority" in `url`, 0 if it has none. */
static size_t origin_len(const char *url)
{
    const char *sep = strstr(url, "://");
    if (!sep)
        return 0;
    const char *auth = sep + 3;
    return (size_t)(auth - url) + strcspn(auth, "/?#");
}

char *mesos_url_origin(const char *url)
{
    size_t n = origin_len(url);
    return n ? mk_xstrndup(url, n) : mk_xstrdup(url);
}

static bool has_bad_chars(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return true;
    return false;
}

char *mesos_url_resolve_location(const char *base, const char *location, mk_err *err)
{
    if (!location || !*location) {
        mk_err_set(err, "the redirect has no Location");
        return NULL;
    }
    if (strlen(location) > 2048 || has_bad_chars(location)) {
        mk_err_set(err, "the redirect's Location is not a usable URL");
        return NULL;
    }
    const char *scheme = is_https(base) ? "https" : "http";
    const char *authority; /* "host:port/path..." */
    if (strncmp(location, "//", 2) == 0) {
        authority = location + 2;
    } else if (strncmp(location, "http://", 7) == 0) {
        authority = location + 7;
    } else if (strncmp(location, "https://", 8) == 0) {
        authority = location + 8;
    } else if (location[0] == '/') {
        size_t n = origin_len(base);
        if (n == 0) {
            mk_err_set(err, "cannot resolve Location '%s' against '%s'", location, base);
            return NULL;
        }
        return mk_xasprintf("%.*s%s", (int)n, base, location);
    } else {
        mk_err_set(err, "the redirect's Location '%s' is neither absolute nor protocol-relative",
                   location);
        return NULL;
    }
    size_t host_len = strcspn(authority, "/?#");
    if (host_len == 0) {
        mk_err_set(err, "the redirect's Location '%s' names no host", location);
        return NULL;
    }
    const char *rest = authority + host_len;
    return mk_xasprintf("%s://%.*s%s", scheme, (int)host_len, authority,
                        *rest == '/' ? rest : MESOS_SCHEDULER_PATH);
}
