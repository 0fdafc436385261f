/*
 * tls_pem: the PEM files of TLS, checked before anything uses them.
 *
 * The API's certificate and key (FRAMEWORK_TLS_CERT, FRAMEWORK_TLS_KEY) and the CLI's CA file
 * (MESOS_KAFKA_CA_CERT) are read at start-up and parsed with OpenSSL, so a wrong path, a file of
 * another kind, an encrypted key or a key of another certificate is one clear line naming the
 * variable, instead of a TLS handshake that fails later with a library's message.
 *
 * Each check returns NULL when the file is fine, else the reason as a phrase that follows the
 * variable's name ("is not a PEM certificate ..."); the reason is a constant or written into
 * `why` (n bytes). No message contains the file's content.
 */
#ifndef MK_TLS_PEM_H
#define MK_TLS_PEM_H

#include <stddef.h>

/* PEM files larger than this are refused: a certificate chain is a few kilobytes. */
#define TLS_PEM_MAX_BYTES ((size_t)1024 * 1024)

/* A PEM certificate (more may follow: a chain, or a CA bundle) that has not expired. */
const char *tls_pem_check_certificate(const char *path, char *why, size_t n);
/* An unencrypted PEM private key (PKCS#8, RSA or EC). */
const char *tls_pem_check_key(const char *path, char *why, size_t n);
/* The key belongs to the first certificate of `cert_path`. Both files must already have passed
 * their own checks. */
const char *tls_pem_check_pair(const char *cert_path, const char *key_path, char *why, size_t n);

#endif
