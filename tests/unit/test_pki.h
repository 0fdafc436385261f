/*
 * test_pki: throwaway PEM files for the unit tests of TLS, made with OpenSSL in a temporary
 * directory: a CA, a server certificate it signed for 127.0.0.1 and localhost with its key, a
 * second CA nobody trusts, an expired certificate, an encrypted key, and a file that is no PEM.
 * EC P-256 keys, so making them takes milliseconds. (cmocka's assertions must be included before
 * this header.)
 */
#ifndef MK_TEST_PKI_H
#define MK_TEST_PKI_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char dir[64];
    char ca_cert[128], server_cert[128], server_key[128];
    char rogue_ca[128], expired_cert[128], encrypted_key[128], not_pem[128];
} test_pki;

static inline void test_pki_write_key(const char *path, EVP_PKEY *key, const char *passphrase)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    const EVP_CIPHER *cipher = passphrase ? EVP_aes_256_cbc() : NULL;
    assert_int_equal(PEM_write_PKCS8PrivateKey(f, key, cipher, (char *)passphrase,
                                               passphrase ? (int)strlen(passphrase) : 0, NULL,
                                               NULL),
                     1);
    fclose(f);
}

static inline void test_pki_write_cert(const char *path, X509 *cert)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_X509(f, cert), 1);
    fclose(f);
}

/* A certificate for `cn` valid from `from_s` to `to_s` seconds from now, signed by `issuer_key`
 * (and named after `issuer`, NULL for self-signed). */
static inline X509 *test_pki_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                                  long from_s, long to_s, bool is_ca)
{
    static long serial = 1;
    X509 *cert = X509_new();
    assert_non_null(cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), from_s);
    X509_gmtime_adj(X509_getm_notAfter(cert), to_s);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    const char *ext[][2] = {
        {"basicConstraints", is_ca ? "critical,CA:TRUE" : "CA:FALSE"},
        {"keyUsage", is_ca ? "critical,keyCertSign,cRLSign" : "digitalSignature"},
        {"subjectAltName", is_ca ? NULL : "IP:127.0.0.1,DNS:localhost"},
        {"extendedKeyUsage", is_ca ? NULL : "serverAuth"},
    };
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        if (!ext[i][1])
            continue;
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, ext[i][0], ext[i][1]);
        assert_non_null(e);
        X509_add_ext(cert, e, -1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(cert, issuer_key, EVP_sha256()) > 0);
    return cert;
}

static inline void test_pki_make(test_pki *p)
{
    snprintf(p->dir, sizeof(p->dir), "/tmp/test_pki_XXXXXX");
    assert_non_null(mkdtemp(p->dir));
#define PKI_PATH(field, file) snprintf(p->field, sizeof(p->field), "%s/" file, p->dir)
    PKI_PATH(ca_cert, "ca.pem");
    PKI_PATH(server_cert, "server.pem");
    PKI_PATH(server_key, "server.key");
    PKI_PATH(rogue_ca, "rogue-ca.pem");
    PKI_PATH(expired_cert, "expired.pem");
    PKI_PATH(encrypted_key, "encrypted.key");
    PKI_PATH(not_pem, "not.pem");
#undef PKI_PATH
    EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *server_key = EVP_EC_gen("P-256");
    EVP_PKEY *rogue_key = EVP_EC_gen("P-256");
    assert_true(ca_key && server_key && rogue_key);
    X509 *ca = test_pki_cert("test-ca", ca_key, NULL, ca_key, -60, 86400, true);
    X509 *server = test_pki_cert("127.0.0.1", server_key, ca, ca_key, -60, 86400, false);
    X509 *rogue = test_pki_cert("rogue-ca", rogue_key, NULL, rogue_key, -60, 86400, true);
    X509 *expired = test_pki_cert("127.0.0.1", server_key, ca, ca_key, -7200, -3600, false);
    test_pki_write_cert(p->ca_cert, ca);
    test_pki_write_cert(p->server_cert, server);
    test_pki_write_cert(p->rogue_ca, rogue);
    test_pki_write_cert(p->expired_cert, expired);
    test_pki_write_key(p->server_key, server_key, NULL);
    test_pki_write_key(p->encrypted_key, server_key, "passphrase");
    FILE *f = fopen(p->not_pem, "w");
    assert_non_null(f);
    fputs("this is not a PEM file\n", f);
    fclose(f);
    X509_free(ca);
    X509_free(server);
    X509_free(rogue);
    X509_free(expired);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(server_key);
    EVP_PKEY_free(rogue_key);
}

static inline void test_pki_remove(test_pki *p)
{
    const char *files[] = {p->ca_cert,      p->server_cert,   p->server_key, p->rogue_ca,
                           p->expired_cert, p->encrypted_key, p->not_pem};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(files[i]);
    rmdir(p->dir);
}

#endif
