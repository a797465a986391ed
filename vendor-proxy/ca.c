/* A local CA and leaf certificates with OpenSSL (see ca.h). */
#include "vendor-proxy/ca.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CA_DAYS 3650
#define LEAF_DAYS 365
#define CA_NAME "konnector-harness local CA"

struct leaf {
	char *host;
	SSL_CTX *ctx;
};

struct ca {
	char *cert_path, *key_path;
	X509 *cert;
	EVP_PKEY *key;
	EVP_PKEY *leaf_key;
	struct leaf *leaves;
	size_t n_leaves;
};

/* OpenSSL's last error as text. */
static const char *ssl_error(void)
{
	static char buf[256];
	unsigned long e = ERR_get_error();
	if (e == 0)
		return "unknown OpenSSL error";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

/* A random positive 127-bit serial number (RFC 5280 4.1.2.2: at most 20 octets, unique). */
static int set_serial(X509 *x)
{
	unsigned char r[16];
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[0] &= 0x7f;
	BIGNUM *bn = BN_bin2bn(r, sizeof(r), NULL);
	ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	int ok = ai != NULL && X509_set_serialNumber(x, ai) == 1;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok ? 0 : -1;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* A certificate body: serial, validity (a day back, for clocks a little behind), subject CN. */
static X509 *cert_base(const char *cn, long days, EVP_PKEY *key)
{
	X509 *x = X509_new();
	if (x == NULL || X509_set_version(x, 2) != 1 || set_serial(x) < 0 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -24L * 3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), days * 24L * 3600) == NULL || X509_set_pubkey(x, key) != 1) {
		X509_free(x);
		return NULL;
	}
	X509_NAME *name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"konnector-harness", -1, -1,
				       0) != 1) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Write a PEM file atomically with mode (the key: 0600 from its first byte on disk). */
static int write_pem(const char *path, int is_key, void *obj, mode_t mode, char *err)
{
	BIO *mem = BIO_new(BIO_s_mem());
	int ok = mem != NULL && (is_key ? PEM_write_bio_PrivateKey(mem, obj, NULL, NULL, 0, NULL, NULL)
					: PEM_write_bio_X509(mem, obj)) == 1;
	char *data = NULL;
	long len = ok ? BIO_get_mem_data(mem, &data) : 0;
	if (!ok) {
		BIO_free(mem);
		return err_set(err, "%s: %s", path, ssl_error());
	}
	/* atomic_write keeps an existing file's mode: create it empty with the right one first. */
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
	if (fd >= 0) {
		fchmod(fd, mode);
		close(fd);
	}
	int rc = atomic_write(path, data, (size_t)len, err);
	BIO_free(mem);
	return rc;
}

/* Create the CA in memory and on disk. */
static int ca_create(struct ca *ca, char *err)
{
	ca->key = new_key();
	if (ca->key == NULL)
		return err_set(err, "cannot make the CA key: %s", ssl_error());
	char cn[128], host[64] = "";
	gethostname(host, sizeof(host) - 1);
	snprintf(cn, sizeof(cn), CA_NAME " (%s)", host);
	ca->cert = cert_base(cn, CA_DAYS, ca->key);
	if (ca->cert == NULL || X509_set_issuer_name(ca->cert, X509_get_subject_name(ca->cert)) != 1 ||
	    add_ext(ca->cert, ca->cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") < 0 ||
	    add_ext(ca->cert, ca->cert, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature") < 0 ||
	    add_ext(ca->cert, ca->cert, NID_subject_key_identifier, "hash") < 0 ||
	    X509_sign(ca->cert, ca->key, EVP_sha256()) <= 0)
		return err_set(err, "cannot make the CA certificate: %s", ssl_error());
	if (write_pem(ca->key_path, 1, ca->key, 0600, err) < 0 || write_pem(ca->cert_path, 0, ca->cert, 0644, err) < 0)
		return -1;
	return 0;
}

/* Load an existing CA; 1 when there is none (or it expires within a day), -1 on a bad file. */
static int ca_load(struct ca *ca, char *err)
{
	FILE *fc = fopen(ca->cert_path, "r");
	FILE *fk = fopen(ca->key_path, "r");
	if (fc == NULL || fk == NULL) {
		if (fc)
			fclose(fc);
		if (fk)
			fclose(fk);
		return 1;
	}
	struct stat st;
	if (fstat(fileno(fk), &st) == 0 && (st.st_mode & 077) != 0)
		fchmod(fileno(fk), 0600); /* a key others can read is no longer a private key */
	ca->cert = PEM_read_X509(fc, NULL, NULL, NULL);
	ca->key = PEM_read_PrivateKey(fk, NULL, NULL, NULL);
	fclose(fc);
	fclose(fk);
	if (ca->cert == NULL || ca->key == NULL || X509_check_private_key(ca->cert, ca->key) != 1)
		return err_set(err, "%s: a CA that does not load (delete the folder to get a new one): %s",
			       ca->cert_path, ssl_error());
	time_t soon = time(NULL) + 24 * 3600;
	if (X509_cmp_time(X509_get0_notAfter(ca->cert), &soon) <= 0) {
		X509_free(ca->cert);
		EVP_PKEY_free(ca->key);
		ca->cert = NULL;
		ca->key = NULL;
		return 1;
	}
	return 0;
}

struct ca *ca_open(const char *dir, char *err)
{
	struct ca *ca = calloc(1, sizeof(*ca));
	if (ca == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	struct buf c = {0}, k = {0};
	buf_printf(&c, "%s/ca.pem", dir);
	buf_printf(&k, "%s/ca.key", dir);
	ca->cert_path = buf_steal(&c);
	ca->key_path = buf_steal(&k);
	if (ca->cert_path == NULL || ca->key_path == NULL) {
		ca_free(ca);
		err_set(err, "out of memory");
		return NULL;
	}
	if (mkdir_p(dir, err) < 0 || (chmod(dir, 0700) < 0 && err_set(err, "%s: %s", dir, strerror(errno)))) {
		ca_free(ca);
		return NULL;
	}
	int rc = ca_load(ca, err);
	if (rc == 1)
		rc = ca_create(ca, err);
	if (rc == 0 && (ca->leaf_key = new_key()) == NULL)
		rc = err_set(err, "cannot make the leaf key: %s", ssl_error());
	if (rc < 0) {
		ca_free(ca);
		return NULL;
	}
	return ca;
}

void ca_free(struct ca *ca)
{
	if (ca == NULL)
		return;
	for (size_t i = 0; i < ca->n_leaves; i++) {
		free(ca->leaves[i].host);
		SSL_CTX_free(ca->leaves[i].ctx);
	}
	free(ca->leaves);
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	EVP_PKEY_free(ca->leaf_key);
	free(ca->cert_path);
	free(ca->key_path);
	free(ca);
}

const char *ca_cert_path(const struct ca *ca)
{
	return ca->cert_path;
}

X509 *ca_cert(const struct ca *ca)
{
	return ca->cert;
}

X509 *ca_mint_leaf(struct ca *ca, const char *host, char *err)
{
	if (host[0] == '\0' || strlen(host) > 253 || strpbrk(host, ", \t\r\n") != NULL) {
		err_set(err, "cannot make a certificate for host \"%s\"", host);
		return NULL;
	}
	unsigned char ip[16];
	int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
	char cn[65];
	snprintf(cn, sizeof(cn), "%s", host); /* a CN is at most 64 characters; the SAN is what counts */
	struct buf san = {0};
	buf_printf(&san, "%s:%s", is_ip ? "IP" : "DNS", host);
	X509 *x = cert_base(cn, LEAF_DAYS, ca->leaf_key);
	if (x == NULL || X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1 ||
	    add_ext(x, ca->cert, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, ca->cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") < 0 ||
	    add_ext(x, ca->cert, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_ext(x, ca->cert, NID_subject_alt_name, san.data) < 0 ||
	    add_ext(x, ca->cert, NID_authority_key_identifier, "keyid:always") < 0 ||
	    X509_sign(x, ca->key, EVP_sha256()) <= 0) {
		err_set(err, "cannot make a certificate for %s: %s", host, ssl_error());
		X509_free(x);
		buf_free(&san);
		return NULL;
	}
	buf_free(&san);
	return x;
}

SSL_CTX *ca_server_ctx(struct ca *ca, const char *host, char *err)
{
	for (size_t i = 0; i < ca->n_leaves; i++)
		if (strcmp(ca->leaves[i].host, host) == 0)
			return ca->leaves[i].ctx;
	struct leaf *l = realloc(ca->leaves, (ca->n_leaves + 1) * sizeof(*l));
	if (l == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	ca->leaves = l;
	X509 *x = ca_mint_leaf(ca, host, err);
	if (x == NULL)
		return NULL;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_add1_chain_cert(ctx, ca->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, ca->leaf_key) != 1) {
		err_set(err, "TLS context for %s: %s", host, ssl_error());
		SSL_CTX_free(ctx);
		X509_free(x);
		return NULL;
	}
	X509_free(x);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	l[ca->n_leaves].host = strdup(host);
	l[ca->n_leaves].ctx = ctx;
	if (l[ca->n_leaves].host == NULL) {
		SSL_CTX_free(ctx);
		err_set(err, "out of memory");
		return NULL;
	}
	ca->n_leaves++;
	return ctx;
}
