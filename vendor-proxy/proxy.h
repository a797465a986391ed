/*
 * The vendor proxy, as a library with this one header: a forward HTTP(S)
 * proxy on 127.0.0.1 and the harness loop, between a konnector and the
 * vendor's website. Recording, it forwards every request to the vendor
 * (HTTPS CONNECT tunnels are terminated with a local CA the konnector alone
 * trusts) and keeps each exchange for a HAR 1.2 file, secrets hidden;
 * replaying, it answers from such a file with no network at all. Nothing
 * outside vendor-proxy/ includes any other vendor-proxy header.
 */
#ifndef VENDOR_PROXY_PROXY_H
#define VENDOR_PROXY_PROXY_H

#include "common/loop.h"

#include <jansson.h>
#include <stddef.h>

enum proxy_mode {
	PROXY_RECORD, /* forward to the vendor, keep every exchange */
	PROXY_REPLAY, /* answer from the HAR; unmatched requests get a 502 */
};

/* A value that must not reach the HAR, named by its dev-config field. */
struct proxy_secret {
	const char *name;
	const char *value;
};

struct proxy_options {
	enum proxy_mode mode;
	const char *har_path;  /* replay: the HAR read; record: the HAR proxy_save writes */
	const char *ca_dir;    /* the CA's folder (DIR/.harness/ca): created with 0700, key 0600 */
	const char *vendor_ca; /* record: trust only this PEM file for the vendor (NULL: the system's CAs) */
	const char *const
		*connect_to; /* record: curl CONNECT_TO "HOST:PORT:HOST2:PORT2" entries, NULL-terminated, or NULL */
	const struct proxy_secret *secrets;
	size_t n_secrets;      /* values shorter than 4 bytes are not hidden */
	const char *spool_dir; /* record: where long bodies wait (an unlinked file); NULL: $TMPDIR */
};

struct proxy;

/* Listen on 127.0.0.1 (any free port); replay reads the HAR first (err has file:line:column). */
struct proxy *proxy_start(struct loop *loop, const struct proxy_options *o, char *err);
/* Close every connection, abort what is in flight, free. NULL is fine. */
void proxy_stop(struct proxy *p);

/* "http://127.0.0.1:PORT" */
const char *proxy_url(const struct proxy *p);
/* The CA certificate the konnector must trust (NODE_EXTRA_CA_CERTS). */
const char *proxy_ca_path(const struct proxy *p);
/*
 * The konnector's environment for the proxy: HTTP_PROXY, HTTPS_PROXY and
 * their lower-case forms, NODE_EXTRA_CA_CERTS, and NO_PROXY/no_proxy naming
 * the fake stack's exact host:port (from stack_url, "http://127.0.0.1:P/"),
 * so a vendor on another port of 127.0.0.1 still goes through the proxy.
 * A NULL-terminated malloc'd array of malloc'd "KEY=VALUE" (proxy_env_free).
 */
char **proxy_env(const struct proxy *p, const char *stack_url);
void proxy_env_free(char **env);

enum proxy_outcome {
	PROXY_RECORDED,   /* forwarded to the vendor, its answer kept */
	PROXY_REPLAYED,   /* answered from the HAR */
	PROXY_REPEATED,   /* answered again by the last of identical recorded requests */
	PROXY_UNRECORDED, /* replay found no recorded answer: 502 */
	PROXY_FAILED,     /* the vendor could not be reached, or the konnector sent something unreadable */
};
const char *proxy_outcome_name(enum proxy_outcome o);

/* One finished exchange, for the live display. */
struct proxy_exchange {
	enum proxy_outcome outcome;
	const char *method;
	const char *url; /* secrets hidden */
	int status;      /* what the konnector got */
	long long bytes; /* answer body bytes */
	long long duration_ms;
	const char *error; /* FAILED: why */
};
typedef void (*proxy_exchange_cb)(void *arg, const struct proxy_exchange *x);
/* One hook, called after each exchange; NULL removes it. */
void proxy_on_exchange(struct proxy *p, proxy_exchange_cb cb, void *arg);

/* Record: write every complete exchange to the HAR (atomically, secrets hidden). */
int proxy_save(struct proxy *p, char *err);

/*
 * What happened, for report.json, lint and expect.json (new reference):
 * {"mode":"record"|"replay","har":path,"exchanges":N,"recorded":N,
 *  "replayed":N,"failed":[{method,url,error}],"unrecorded":[{method,url}],
 *  "entries":N (record: the exchanges proxy_save would write),
 *  "recorded_entries":N (replay: entries in the HAR),
 *  "unused":[{index,method,url}] (replay: entries never answered)}
 */
json_t *proxy_report(const struct proxy *p);

#endif
