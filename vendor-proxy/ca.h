/*
 * The konnector's own certificate authority, for terminating its HTTPS
 * through the proxy: created once under a directory (ca.pem, and ca.key
 * with mode 0600 in a 0700 directory), trusted by the konnector alone
 * through NODE_EXTRA_CA_CERTS, and minting a leaf certificate per host on
 * demand (ECDSA P-256, one leaf key, cached for the proxy's life).
 */
#ifndef VENDOR_PROXY_CA_H
#define VENDOR_PROXY_CA_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

struct ca;

/* Load dir/ca.pem and dir/ca.key, or create them (and dir) when absent or expired. */
struct ca *ca_open(const char *dir, char *err);
void ca_free(struct ca *ca);
/* The CA certificate's PEM path (NODE_EXTRA_CA_CERTS). */
const char *ca_cert_path(const struct ca *ca);
/* The CA certificate (borrowed). */
X509 *ca_cert(const struct ca *ca);

/* A new leaf certificate for host (a DNS name or an IP address), signed by the CA. */
X509 *ca_mint_leaf(struct ca *ca, const char *host, char *err);
/* A TLS server context presenting host's leaf (minted on first use, then cached). Borrowed. */
SSL_CTX *ca_server_ctx(struct ca *ca, const char *host, char *err);

#endif
