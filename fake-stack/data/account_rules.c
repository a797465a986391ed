/* The stack's rules for io.cozy.accounts documents in /data; see account_rules.h. */
#include "fake-stack/data/account_rules.h"

#include "common/b64.h"
#include "common/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* stack: model/account/credentials.go encryptMap: the auth keys sealed as data (the password goes with the login) */
static const char *const data_keys[] = {"secret",       "dob",           "code",      "answer",
					"access_token", "refresh_token", "appSecret", "session"};

#define SUFFIX "_encrypted"

static int ends_with_suffix(const char *k)
{
	size_t n = strlen(k), s = strlen(SUFFIX);
	return n >= s && strcmp(k + n - s, SUFFIX) == 0;
}

static int is_data_key(const char *k)
{
	for (size_t i = 0; i < sizeof(data_keys) / sizeof(data_keys[0]); i++)
		if (strcmp(data_keys[i], k) == 0)
			return 1;
	return 0;
}

/* Our marked encoding of bytes: the prefix, then standard base64. New ref. */
static json_t *seal(const void *data, size_t len)
{
	struct buf b = {0};
	buf_puts(&b, ACCOUNT_RULES_PREFIX);
	b64_encode(&b, data, len, B64_STD);
	json_t *s = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return s;
}

/* The bytes of one of our values (malloc'd), or NULL when it is not ours. */
static unsigned char *unseal(const char *s, size_t *len)
{
	size_t p = strlen(ACCOUNT_RULES_PREFIX);
	if (strncmp(s, ACCOUNT_RULES_PREFIX, p) != 0)
		return NULL;
	return (unsigned char *)b64_decode(s + p, strlen(s + p), len);
}

/* stack: EncryptCredentialsWithKey seals [login length, 4 bytes big-endian][login][password]. */
static json_t *seal_credentials(const char *login, const char *password)
{
	size_t ll = strlen(login), pl = strlen(password);
	unsigned char *plain = malloc(4 + ll + pl + 1);
	if (plain == NULL)
		return NULL;
	plain[0] = (unsigned char)(ll >> 24);
	plain[1] = (unsigned char)(ll >> 16);
	plain[2] = (unsigned char)(ll >> 8);
	plain[3] = (unsigned char)ll;
	memcpy(plain + 4, login, ll);
	memcpy(plain + 4 + ll, password, pl);
	json_t *s = seal(plain, 4 + ll + pl);
	free(plain);
	return s;
}

/* stack: EncryptCredentialsData seals the JSON of the value. */
static json_t *seal_data(const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text == NULL)
		return NULL;
	json_t *s = seal(text, strlen(text));
	free(text);
	return s;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object with its keys sorted, as Go writes a map. New ref. */
static json_t *sorted_copy(const json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	const char **keys = malloc((n + 1) * sizeof(*keys));
	json_t *out = json_object();
	if (keys == NULL)
		return out;
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)o, k, v)
		keys[i++] = k;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(o, keys[i]));
	free(keys);
	return out;
}

/* encryptMap on one object holding "auth" (the doc, or its "data"). */
static int encrypt_map(json_t *m)
{
	json_t *auth = json_object_get(m, "auth");
	if (!json_is_object(auth))
		return 0;
	int encrypted = 0;
	const char *login = json_string_value(json_object_get(auth, "login"));
	json_t *cloned = json_object();
	const char *k;
	json_t *v;
	json_object_foreach (auth, k, v) {
		if (strcmp(k, "password") == 0) {
			/* stack: a password that is not a string is sealed as "" */
			const char *pw = json_string_value(v);
			json_object_set_new(cloned, "credentials_encrypted",
					    seal_credentials(login ? login : "", pw ? pw : ""));
			encrypted = 1;
		} else if (is_data_key(k)) {
			char key[256];
			snprintf(key, sizeof(key), "%s" SUFFIX, k);
			json_object_set_new(cloned, key, seal_data(v));
			encrypted = 1;
		} else if (!ends_with_suffix(k)) {
			json_object_set(cloned, k, v);
		}
	}
	/* an older *_encrypted value stays unless this write sealed a new one */
	json_object_foreach (auth, k, v) {
		if (ends_with_suffix(k) && json_object_get(cloned, k) == NULL)
			json_object_set(cloned, k, v);
	}
	json_object_set_new(m, "auth", sorted_copy(cloned));
	json_decref(cloned);
	json_t *data = json_object_get(m, "data");
	if (json_is_object(data) && encrypt_map(data))
		encrypted = 1;
	return encrypted;
}

int account_rules_encrypt(json_t *doc)
{
	return json_is_object(doc) ? encrypt_map(doc) : 0;
}

/* decryptMap on one object holding "auth". */
static int decrypt_map(json_t *m, int *foreign)
{
	json_t *auth = json_object_get(m, "auth");
	if (!json_is_object(auth))
		return 0;
	int decrypted = 0;
	json_t *cloned = json_object();
	const char *k;
	json_t *v;
	json_object_foreach (auth, k, v) {
		if (!ends_with_suffix(k)) {
			/* a clear login gives way to the sealed one (Go's map order makes it either) */
			if (strcmp(k, "login") != 0 || json_object_get(cloned, "login") == NULL)
				json_object_set(cloned, k, v);
			continue;
		}
		char key[256];
		snprintf(key, sizeof(key), "%.*s", (int)(strlen(k) - strlen(SUFFIX)), k);
		const char *s = json_string_value(v);
		if (s == NULL) {
			json_object_set(cloned, key, v);
			continue;
		}
		size_t len = 0;
		unsigned char *plain = unseal(s, &len);
		if (strcmp(key, "credentials") == 0) {
			uint32_t ll = 0;
			if (plain != NULL && len >= 4)
				ll = (uint32_t)plain[0] << 24 | (uint32_t)plain[1] << 16 | (uint32_t)plain[2] << 8 |
				     plain[3];
			if (plain != NULL && len >= 4 && ll <= len - 4) {
				json_object_set_new(cloned, "login", json_stringn((const char *)plain + 4, ll));
				json_object_set_new(cloned, "password",
						    json_stringn((const char *)plain + 4 + ll, len - 4 - ll));
				decrypted = 1;
			} else {
				/* stack: DecryptCredentials fails: login and password are "" */
				*foreign = 1;
				json_object_set_new(cloned, "password", json_string(""));
				if (json_object_get(cloned, "login") == NULL)
					json_object_set_new(cloned, "login", json_string(""));
			}
		} else {
			json_t *val = plain ? json_loadb((const char *)plain, len, JSON_DECODE_ANY, NULL) : NULL;
			if (val != NULL)
				decrypted = 1;
			else
				*foreign = 1;
			/* stack: DecryptCredentialsData fails: the value is nil */
			json_object_set_new(cloned, key, val ? val : json_null());
		}
		free(plain);
	}
	json_object_set_new(m, "auth", sorted_copy(cloned));
	json_decref(cloned);
	json_t *data = json_object_get(m, "data");
	if (json_is_object(data) && decrypt_map(data, foreign))
		decrypted = 1;
	return decrypted;
}

int account_rules_decrypt(json_t *doc, int *foreign)
{
	int dummy = 0;
	if (foreign == NULL)
		foreign = &dummy;
	return json_is_object(doc) ? decrypt_map(doc, foreign) : 0;
}

void account_rules_compute_name(json_t *doc)
{
	json_t *auth = json_object_get(doc, "auth");
	if (!json_is_object(auth))
		return;
	const char *identifier = json_string_value(json_object_get(doc, "identifier"));
	const char *name;
	if (identifier == NULL || identifier[0] == '\0')
		name = json_string_value(json_object_get(auth, "login"));
	else
		name = json_string_value(json_object_get(auth, identifier));
	if (name != NULL)
		json_object_set_new(doc, "name", json_string(name));
}

json_t *account_rules_metadata(const char *slug, const char *now)
{
	json_t *m = json_pack("{s:s,s:i,s:s}", "doctypeVersion", "", "metadataVersion", 1, "createdAt", now);
	if (slug != NULL && slug[0] != '\0')
		json_object_set_new(m, "createdByApp", json_string(slug));
	json_object_set_new(m, "updatedAt", json_string(now));
	if (slug != NULL && slug[0] != '\0')
		json_object_set_new(m, "updatedByApps", json_pack("[{s:s,s:s}]", "slug", slug, "date", now));
	return m;
}
