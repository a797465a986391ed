/* vendor-proxy/ca.c: the CA on disk (private key 0600), kept across opens; leaves that verify for names and IPs. */
#include "common/err.h"
#include "vendor-proxy/ca.h"

#include <criterion/criterion.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/kh-ca-test-XXXXXX";
static char cadir[600];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cadir, sizeof(cadir), "%s/.harness/ca", dir);
}

static void teardown(void)
{
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
}

TestSuite(proxy_ca, .init = setup, .fini = teardown);

/* Does leaf verify against the CA alone, for host? */
static int verifies(X509 *cacert, X509 *leaf, const char *host)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_add_cert(store, cacert);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
	if (strchr(host, '.') != NULL && strspn(host, "0123456789.") == strlen(host))
		X509_VERIFY_PARAM_set1_ip_asc(p, host);
	else
		X509_VERIFY_PARAM_set1_host(p, host, 0);
	X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_SSL_SERVER);
	int ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

Test(proxy_ca, created_private_and_kept)
{
	char err[ERR_MAX], key[700];
	struct ca *ca = ca_open(cadir, err);
	cr_assert_not_null(ca, "%s", err);
	struct stat st;
	snprintf(key, sizeof(key), "%s/ca.key", cadir);
	cr_assert_eq(stat(key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(stat(cadir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	unsigned char *der1 = NULL, *der2 = NULL;
	int n1 = i2d_X509(ca_cert(ca), &der1);
	ca_free(ca);
	/* A key someone made readable is made private again. */
	chmod(key, 0644);
	ca = ca_open(cadir, err);
	cr_assert_not_null(ca, "%s", err);
	int n2 = i2d_X509(ca_cert(ca), &der2);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(der1, der2, (size_t)n1), 0, "the same CA on the second open");
	cr_assert_eq(stat(key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	OPENSSL_free(der1);
	OPENSSL_free(der2);
	ca_free(ca);
}

Test(proxy_ca, leaves_for_names_and_addresses)
{
	char err[ERR_MAX];
	struct ca *ca = ca_open(cadir, err);
	cr_assert_not_null(ca, "%s", err);
	X509 *leaf = ca_mint_leaf(ca, "vendor.example", err);
	cr_assert_not_null(leaf, "%s", err);
	cr_assert(verifies(ca_cert(ca), leaf, "vendor.example"));
	cr_assert_not(verifies(ca_cert(ca), leaf, "other.example"));
	X509_free(leaf);
	leaf = ca_mint_leaf(ca, "127.0.0.1", err);
	cr_assert_not_null(leaf, "%s", err);
	cr_assert(verifies(ca_cert(ca), leaf, "127.0.0.1"));
	X509_free(leaf);
	cr_assert_null(ca_mint_leaf(ca, "bad host", err));
	SSL_CTX *a = ca_server_ctx(ca, "vendor.example", err);
	cr_assert_not_null(a, "%s", err);
	cr_assert_eq(ca_server_ctx(ca, "vendor.example", err), a, "cached per host");
	cr_assert_neq(ca_server_ctx(ca, "127.0.0.1", err), a);
	ca_free(ca);
}

Test(proxy_ca, a_broken_ca_file_is_an_error_not_a_crash)
{
	char err[ERR_MAX], p[700];
	struct ca *ca = ca_open(cadir, err);
	cr_assert_not_null(ca, "%s", err);
	ca_free(ca);
	snprintf(p, sizeof(p), "%s/ca.pem", cadir);
	FILE *f = fopen(p, "w");
	fputs("not a certificate\n", f);
	fclose(f);
	cr_assert_null(ca_open(cadir, err));
	cr_assert_not_null(strstr(err, "ca.pem"), "%s", err);
}
