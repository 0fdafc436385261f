/*
 * tls_pem: PEM certificates and keys parsed with OpenSSL (see tls_pem.h).
 *
 * The files are read whole into memory (at most TLS_PEM_MAX_BYTES) and parsed from there, so the
 * read error, if any, is ours and says why (strerror), and OpenSSL only ever sees bytes. A key's
 * buffer is wiped before it is freed. OpenSSL's error queue is cleared after a failed parse, so
 * a later libcurl error on the same thread is not mistaken for this one.
 */
#include "tls_pem.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct {
    char *text;
    size_t len;
} pem_file;

static const char *read_pem(const char *path, pem_file *f, char *why, size_t n)
{
    mk_err err = {{0}};
    if (mk_read_file(path, TLS_PEM_MAX_BYTES, &f->text, &f->len, &err) < 0) {
        snprintf(why, n, "%s", err.msg);
        return why;
    }
    return NULL;
}

static void pem_file_free(pem_file *f)
{
    if (f->text) {
        explicit_bzero(f->text, f->len);
        free(f->text);
    }
    f->text = NULL;
}

/* Refuses to prompt: an encrypted key is reported instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    return -1;
}

static X509 *parse_certificate(const pem_file *f)
{
    BIO *bio = BIO_new_mem_buf(f->text, (int)f->len);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    return cert;
}

static EVP_PKEY *parse_key(const pem_file *f)
{
    BIO *bio = BIO_new_mem_buf(f->text, (int)f->len);
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    return key;
}

const char *tls_pem_check_certificate(const char *path, char *why, size_t n)
{
    pem_file f = {0};
    const char *problem = read_pem(path, &f, why, n);
    if (problem)
        return problem;
    X509 *cert = parse_certificate(&f);
    pem_file_free(&f);
    if (!cert)
        return "is not a PEM certificate (no valid -----BEGIN CERTIFICATE----- block)";
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
        problem = "holds a certificate that has expired";
    X509_free(cert);
    return problem;
}

const char *tls_pem_check_key(const char *path, char *why, size_t n)
{
    pem_file f = {0};
    const char *problem = read_pem(path, &f, why, n);
    if (problem)
        return problem;
    EVP_PKEY *key = parse_key(&f);
    if (!key)
        problem = strstr(f.text, "ENCRYPTED")
                      ? "is an encrypted private key; give it unencrypted (protect it with the "
                        "file's mode instead)"
                      : "is not a PEM private key (no valid -----BEGIN PRIVATE KEY----- block)";
    pem_file_free(&f);
    EVP_PKEY_free(key);
    return problem;
}

const char *tls_pem_check_pair(const char *cert_path, const char *key_path, char *why, size_t n)
{
    pem_file cf = {0}, kf = {0};
    const char *problem = read_pem(cert_path, &cf, why, n);
    if (!problem)
        problem = read_pem(key_path, &kf, why, n);
    X509 *cert = problem ? NULL : parse_certificate(&cf);
    EVP_PKEY *key = problem ? NULL : parse_key(&kf);
    pem_file_free(&cf);
    pem_file_free(&kf);
    if (!problem && (!cert || !key))
        problem = "cannot be parsed any more (did the file change?)";
    if (!problem && X509_check_private_key(cert, key) != 1)
        problem = "does not belong to the certificate in FRAMEWORK_TLS_CERT";
    ERR_clear_error();
    X509_free(cert);
    EVP_PKEY_free(key);
    return problem;
}
