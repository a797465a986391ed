/*
 * The vendor's side of a run (docs/VENDOR.md): --record goes to the vendor
 * through the proxy and saves every exchange into the scenario's vendor.har;
 * a scenario with a vendor.har is replayed from it (--replay insists, and
 * --no-replay runs with no proxy at all). The proxy lives for one run, with
 * the dev config's secrets to hide; its variables join the job's environment.
 */
#include "harness/job/session_internal.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/judge/lint.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VENDOR_HAR "vendor.har"

/* The scenario's HAR: <fixtures>/vendor.har; without fixtures, where a recording starts them (fixtures/default/). */
static char *session_vendor_har_path(const struct session *s)
{
	struct buf b = {0};
	if (s->fixtures != NULL)
		buf_printf(&b, "%s/" VENDOR_HAR, s->fixtures);
	else
		buf_printf(&b, "%s/fixtures/default/" VENDOR_HAR, s->o->dir);
	return buf_steal(&b);
}

static void session_vendor_on_exchange(void *arg, const struct proxy_exchange *x)
{
	struct session_run *r = arg;
	if (r->hooks.vendor != NULL)
		r->hooks.vendor(r->hooks.arg, x);
}

int session_vendor_start(struct session *s, struct session_run *r, char *err)
{
	const struct run_options *o = s->o;
	if (o->no_replay)
		return EXIT_DONE;
	char *har = session_vendor_har_path(s);
	if (har == NULL) {
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	struct stat st;
	int have = stat(har, &st) == 0 && S_ISREG(st.st_mode);
	if (!o->record && !have) {
		if (o->replay)
			err_set(err, "--replay: no %s to replay (record one with --record)", har);
		free(har);
		return o->replay ? EXIT_USAGE : EXIT_DONE;
	}
	struct lint_secret *ls = NULL;
	size_t n = 0;
	if (lint_secrets_from_fields(s->dc.fields, &ls, &n) < 0) {
		free(har);
		err_set(err, "out of memory");
		return EXIT_SOFTWARE;
	}
	struct proxy_secret *ps = calloc(n + 1, sizeof(*ps));
	for (size_t i = 0; ps != NULL && i < n; i++)
		ps[i] = (struct proxy_secret){ls[i].name, ls[i].value};
	/* absolute: NODE_EXTRA_CA_CERTS is read from the konnector's working directory, DIR */
	char *dir = realpath(o->dir, NULL);
	struct buf ca = {0}, spool = {0};
	buf_printf(&ca, "%s/.harness/ca", dir ? dir : o->dir);
	buf_printf(&spool, "%s/.harness", dir ? dir : o->dir);
	free(dir);
	struct proxy_options po = {.mode = o->record ? PROXY_RECORD : PROXY_REPLAY,
				   .har_path = har,
				   .ca_dir = ca.data,
				   .vendor_ca = o->vendor_ca,
				   .connect_to = (const char *const *)o->vendor_connect_to,
				   .secrets = ps,
				   .n_secrets = ps != NULL ? n : 0,
				   .spool_dir = spool.data};
	int rc = EXIT_DONE;
	if (ps == NULL || ca.data == NULL || spool.data == NULL) {
		rc = EXIT_SOFTWARE;
		err_set(err, "out of memory");
	} else if ((r->proxy = proxy_start(s->loop, &po, err)) == NULL) {
		/* a HAR that does not read is bad input data; the rest (no CA, no socket) the machine's */
		rc = o->record ? EXIT_SOFTWARE : EXIT_DATAERR;
	} else {
		proxy_on_exchange(r->proxy, session_vendor_on_exchange, r);
		r->proxy_env = proxy_env(r->proxy, stack_url(s->stack));
		if (r->proxy_env == NULL) {
			rc = EXIT_SOFTWARE;
			err_set(err, "out of memory");
		}
	}
	buf_free(&ca);
	buf_free(&spool);
	free(ps);
	free(ls);
	if (rc == EXIT_DONE)
		r->vendor_har = har;
	else
		free(har);
	return rc;
}

char **session_vendor_env(const struct session_run *r, char *const *extra)
{
	size_t a = 0, b = 0;
	while (r->proxy_env != NULL && r->proxy_env[a] != NULL)
		a++;
	while (extra != NULL && extra[b] != NULL)
		b++;
	char **env = calloc(a + b + 1, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (size_t i = 0; i < a; i++)
		env[i] = r->proxy_env[i];
	for (size_t i = 0; i < b; i++)
		env[a + i] = extra[i];
	return env;
}

/* A problem of the vendor's side into the report's warnings. */
static void session_vendor_warn(json_t *report, const char *fmt, const char *what)
{
	struct buf b = {0};
	buf_printf(&b, fmt, what);
	if (b.data != NULL)
		json_array_append_new(json_object_get(report, "warnings"), json_string(b.data));
	buf_free(&b);
}

void session_vendor_finish(struct session_run *r, json_t *report)
{
	if (r->proxy == NULL)
		return;
	char err[ERR_MAX];
	json_t *rep = proxy_report(r->proxy);
	if (rep != NULL && strcmp(json_string_value(json_object_get(rep, "mode")), "record") == 0) {
		int saved = 0;
		if (json_integer_value(json_object_get(rep, "entries")) == 0) {
			session_vendor_warn(
				report, "--record: the konnector sent nothing through the proxy; %s is left as it was",
				r->vendor_har);
		} else {
			char *dir = strdup(r->vendor_har);
			if (dir == NULL || mkdir_p(dirname(dir), err) < 0 || proxy_save(r->proxy, err) < 0)
				session_vendor_warn(report, "--record: the HAR was not saved: %s",
						    dir ? err : "out of memory");
			else
				saved = 1;
			free(dir);
		}
		json_object_set_new(rep, "saved", json_boolean(saved));
	}
	if (rep != NULL) {
		json_object_set_new(report, "vendor", rep);
		r->vendor = rep;
	}
	proxy_stop(r->proxy);
	r->proxy = NULL;
}

void session_vendor_free(struct session_run *r)
{
	proxy_stop(r->proxy);
	r->proxy = NULL;
	proxy_env_free(r->proxy_env);
	r->proxy_env = NULL;
	free(r->vendor_har);
	r->vendor_har = NULL;
}
