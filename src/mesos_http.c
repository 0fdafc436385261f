/*
 * mesos_http: easy-handle options, capped answer bodies, header lines, error texts.
 *
 * Split from mesos_client.c so that the client reads as the protocol (subscribe, stream, calls,
 * reconnect) and the parsing of what libcurl hands over can be tested without a network.
 */
#include "mesos_http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define CONNECT_TIMEOUT_S 10L /* TCP and TLS handshake */

void mesos_http_setup(CURL *e, const config *cfg, const char *url, const char *body,
                      struct curl_slist *headers, char *errbuf)
{
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, cfg->mesos_ssl ? "https" : "http");
    /* libprocess speaks HTTP/1.1; HTTP/2 would also multiplex the stream and the calls. */
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "mesos-kafka");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
    /* Keep-alive probes notice a peer that vanished without a FIN long before heartbeats would
     * on calls' pooled connections; the stream has its own watchdog. */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 10L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    errbuf[0] = '\0';
    if (cfg->mesos_username) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, cfg->mesos_username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, cfg->mesos_password ? cfg->mesos_password : "");
    }
    if (cfg->mesos_ssl) {
        long verify = cfg->mesos_ssl_verify ? 1L : 0L;
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
        if (cfg->mesos_ca_cert)
            curl_easy_setopt(e, CURLOPT_CAINFO, cfg->mesos_ca_cert);
    }
}

void mesos_http_body_append(mesos_http_body *b, const char *data, size_t len)
{
    if (b->len >= MESOS_HTTP_MAX_BODY)
        return;
    if (len > MESOS_HTTP_MAX_BODY - b->len)
        len = MESOS_HTTP_MAX_BODY - b->len;
    b->data = mk_xrealloc(b->data, b->len + len + 1);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

const char *mesos_http_body_text(mesos_http_body *b)
{
    if (!b->data)
        return "";
    while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]))
        b->data[--b->len] = '\0';
    return b->data;
}

void mesos_http_body_reset(mesos_http_body *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

long mesos_http_status_line(const char *line, size_t len)
{
    if (len < 12 || strncmp(line, "HTTP/", 5) != 0)
        return -1;
    const char *sp = memchr(line, ' ', len);
    if (!sp || (size_t)(sp - line) + 4 > len)
        return -1;
    long status = 0;
    for (int i = 1; i <= 3; i++) {
        if (sp[i] < '0' || sp[i] > '9')
            return -1;
        status = status * 10 + (sp[i] - '0');
    }
    return status;
}

char *mesos_http_header_value(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return NULL;
    const char *v = line + n + 1, *end = line + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && strchr(" \t\r\n", end[-1]))
        end--;
    return mk_xstrndup(v, (size_t)(end - v));
}

char *mesos_http_error_text(CURLcode rc, const char *errbuf, bool ssl)
{
    const char *msg = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(rc);
    const char *hint = "";
    if (ssl && rc == CURLE_SSL_CONNECT_ERROR && strstr(msg, "wrong version number"))
        hint = " (does this master serve plain HTTP? then set MESOS_SSL=false)";
    else if (!ssl &&
             (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_WEIRD_SERVER_REPLY))
        hint = " (does this master serve HTTPS? then set MESOS_SSL=true)";
    return mk_xasprintf("%s%s", msg, hint);
}

bool mesos_http_is_certificate_error(CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
           rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}
