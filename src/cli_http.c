/*
 * cli_http: libcurl requests to the scheduler's API for the command-line client (see cli_http.h).
 *
 * The body of a reply is collected in memory up to MAX_REPLY_BYTES (the largest real reply, a
 * topic list or a status document, is a few hundred kilobytes); beyond that the transfer is
 * aborted rather than letting a wrong URL stream a file into memory.
 */
#include "cli_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPLY_BYTES (64L * 1024 * 1024)

struct cli_http {
    CURL *curl;
    char *base_url;
    char *username;
    char *password;
    char *ca_cert;
    long timeout_ms;
};

typedef struct {
    char *data;
    size_t len, cap;
} buffer;

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    buffer *b = ud;
    size_t add = size * n;
    if (b->len + add > (size_t)MAX_REPLY_BYTES)
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    if (b->len + add + 1 > b->cap) {
        b->cap = (b->len + add + 1) * 2;
        b->data = mk_xrealloc(b->data, b->cap);
    }
    memcpy(b->data + b->len, data, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

cli_http *cli_http_new(const char *base_url, const char *username, const char *password,
                       double timeout_s)
{
    cli_http *c = mk_xcalloc(1, sizeof(*c));
    c->base_url = mk_xstrdup(base_url);
    size_t len = strlen(c->base_url);
    while (len > 0 && c->base_url[len - 1] == '/')
        c->base_url[--len] = '\0';
    c->username = username ? mk_xstrdup(username) : NULL;
    c->password = password ? mk_xstrdup(password) : NULL;
    c->timeout_ms = timeout_s > 0 ? (long)(timeout_s * 1000.0 + 0.5) : 30000;
    c->curl = curl_easy_init();
    if (!c->curl) {
        fprintf(stderr, "mesos-kafka: libcurl could not be initialised\n");
        abort();
    }
    return c;
}

void cli_http_free(cli_http *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    if (c->password) {
        explicit_bzero(c->password, strlen(c->password));
        free(c->password);
    }
    free(c->username);
    free(c->ca_cert);
    free(c->base_url);
    free(c);
}

void cli_http_freep(cli_http **c)
{
    cli_http_free(*c);
}

void cli_http_set_ca_cert(cli_http *c, const char *ca_file)
{
    free(c->ca_cert);
    c->ca_cert = ca_file ? mk_xstrdup(ca_file) : NULL;
}

/* The failures that mean "no trustworthy TLS session", told apart from "nobody answered". */
static bool is_tls_failure(CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
           rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CERTPROBLEM ||
           rc == CURLE_SSL_ISSUER_ERROR;
}

static int tls_failure(const cli_http *c, CURLcode rc, const char *reason, mk_err *err)
{
    const char *against = c->ca_cert ? "MESOS_KAFKA_CA_CERT " : "the system's CA certificates";
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_ISSUER_ERROR)
        mk_err_set(err, "the scheduler at %s: its TLS certificate did not verify against %s%s (%s)",
                   c->base_url, against, c->ca_cert ? c->ca_cert : "", reason);
    else
        mk_err_set(err, "the scheduler at %s: no TLS session (%s); is its API served over HTTPS?",
                   c->base_url, reason);
    return CLI_HTTP_TLS_FAILED;
}

const char *cli_http_base(const cli_http *c)
{
    return c->base_url;
}

void cli_reply_clear(cli_reply *r)
{
    json_decref(r->json);
    free(r->text);
    memset(r, 0, sizeof(*r));
}

static void set_method(CURL *curl, const char *method, const char *payload)
{
    bool sends_body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;
    if (sends_body) {
        /* POST mode for both, so the body goes out with a Content-Length; PUT then renames it. */
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload ? payload : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)(payload ? strlen(payload) : 0));
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST,
                     strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0 ? NULL : method);
}

int cli_http_call(cli_http *c, const char *method, const char *path, const json_t *body,
                  cli_reply *reply, mk_err *err)
{
    memset(reply, 0, sizeof(*reply));
    cleanup_free char *url = mk_xasprintf("%s%s", c->base_url, path);
    cleanup_free char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    buffer received = {0};
    char curl_reason[CURL_ERROR_SIZE] = "";

    CURL *curl = c->curl;
    curl_easy_reset(curl);
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    if (payload)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_reason);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L); /* "topic describe .." must not become /v1/ */
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "mesos-kafka-cli");
    if (c->ca_cert)
        curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_cert);
    if (c->username) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    set_method(curl, method, payload);

    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        free(received.data);
        const char *reason = curl_reason[0] ? curl_reason : curl_easy_strerror(rc);
        if (is_tls_failure(rc))
            return tls_failure(c, rc, reason, err);
        mk_err_set(err, "%s %s: %s", method, url, reason);
        return CLI_HTTP_UNREACHABLE;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    reply->text = received.data ? received.data : mk_xstrdup("");
    reply->json = json_loads(reply->text, JSON_DECODE_ANY, NULL);
    return 0;
}

char *cli_path_escape(const char *segment)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(segment);
    char *out = mk_xmalloc(len * 3 + 1);
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)segment; *p; p++) {
        bool unreserved = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                          (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' ||
                          *p == '~';
        if (unreserved) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}
