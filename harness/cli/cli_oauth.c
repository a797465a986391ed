/*
 * konnector-harness oauth [DIR] [--account-type FILE] [--port N] [--no-open] [--timeout S]
 *
 * The authorization-code flow done for the developer: a loopback redirect
 * listener (the fake stack's, on our loop), the provider's authorization URL
 * printed (and opened when there is a display), the state checked on return,
 * the code exchanged as the stack exchanges it, and the tokens written into
 * DIR/konnector-dev-config.json (text edit, comments kept, atomic).
 */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
#include "fake-stack/stack.h"
#include "harness/cli/cli.h"
#include "harness/exitcode.h"
#include "harness/job/devconfig_tokens.h"
#include "harness/job/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

struct flow {
	struct loop *loop;
	struct stack_oauth_listener *listener;
	json_t *account_type;
	const char *config_path;
	char state[33];
	char redirect_uri[256];
	char redirect_path[128];
	struct stack_oauth_exchange *exchange;
	int exit_code; /* -1 while waiting */
	char message[ERR_MAX];
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: konnector-harness oauth [DIR] [--account-type FILE] [--port N] [--no-open] [--timeout "
		     "SECONDS]\n\n"
		     "Get an access token from a real OAuth provider (authorization code flow) and store it\n"
		     "in DIR/konnector-dev-config.json (fields.access_token, fields.refresh_token).\n\n"
		     "  --account-type FILE  the io.cozy.account_types document (auth_endpoint, token_endpoint,\n"
		     "                       client_id, client_secret, token_mode, redirect_uri, extras); default:\n"
		     "                       the konnector's own, DIR/fixtures/[<scenario>/]account_types/<slug>.json\n"
		     "                       (fixtures/default/ first, as init --oauth writes it)\n"
		     "  --port N             port of the loopback redirect listener (default: the redirect_uri's, else "
		     "any)\n"
		     "  --no-open            only print the URL, do not run xdg-open\n"
		     "  --timeout SECONDS    give up waiting for the provider's redirect (default 600)\n"
		     "  -h, --help           this help\n\n"
		     "auth_endpoint and token_endpoint are checked before anything is opened.\n\n"
		     "Examples:\n"
		     "  konnector-harness oauth .\n"
		     "  konnector-harness oauth . --account-type my-provider.json --port 8899\n"
		     "  konnector-harness oauth . --no-open --timeout 120\n");
}

static void on_tokens(const struct stack_oauth_tokens *t, const char *error, void *arg)
{
	struct flow *f = arg;
	if (t == NULL) {
		snprintf(f->message, sizeof(f->message), "exchanging the code at %s failed: %s",
			 json_string_value(json_object_get(f->account_type, "token_endpoint")), error);
		f->exit_code = EXIT_ERRORED;
		loop_stop(f->loop);
		return;
	}
	char err[ERR_MAX];
	if (access(f->config_path, F_OK) != 0) {
		const char *init = "{\n  \"fields\": {}\n}\n";
		if (atomic_write(f->config_path, init, strlen(init), err) < 0) {
			snprintf(f->message, sizeof(f->message), "%s", err);
			f->exit_code = EXIT_SOFTWARE;
			loop_stop(f->loop);
			return;
		}
	}
	if (devconfig_tokens_save(f->config_path, t->access_token, t->refresh_token, err) < 0) {
		snprintf(f->message, sizeof(f->message), "%s", err);
		f->exit_code = EXIT_DATAERR;
		loop_stop(f->loop);
		return;
	}
	char a[64], r[64];
	snprintf(f->message, sizeof(f->message),
		 "stored in %s:\n  fields.access_token  %s\n  fields.refresh_token %s%s\n  expires_in %lld s, "
		 "token_type %s",
		 f->config_path, devconfig_tokens_mask(t->access_token, a, sizeof(a)),
		 t->refresh_token ? devconfig_tokens_mask(t->refresh_token, r, sizeof(r))
				  : "(none returned, left as it was)",
		 "", t->expires_in, t->token_type ? t->token_type : "(none)");
	f->exit_code = EXIT_DONE;
	loop_stop(f->loop);
}

/* The provider's redirect (?code=…&state=… or ?error=…): judge it, start the exchange, say what the browser shows. */
static unsigned on_redirect(const struct stack_oauth_redirect *r, const char **page, void *arg)
{
	struct flow *f = arg;
	if (f->exit_code >= 0 || f->exchange != NULL) {
		*page = "this authorization was already handled; see the terminal\n";
		return 409;
	}
	const char *error = r->error, *desc = r->error_description, *state = r->state, *code = r->code;
	if (error != NULL) {
		snprintf(f->message, sizeof(f->message), "the provider answered error=%s%s%s (consent denied?)", error,
			 desc ? ": " : "", desc ? desc : "");
		f->exit_code = EXIT_ERRORED;
		loop_stop(f->loop);
		*page = "authorization failed; see the terminal\n";
		return 400;
	}
	if (state == NULL || strcmp(state, f->state) != 0) {
		snprintf(f->message, sizeof(f->message),
			 "state mismatch: the redirect carried %s%s%s, not the state this run sent; not exchanging the "
			 "code",
			 state ? "\"" : "no state", state ? state : "", state ? "\"" : "");
		f->exit_code = EXIT_ERRORED;
		loop_stop(f->loop);
		*page = "state mismatch; see the terminal\n";
		return 400;
	}
	if (code == NULL || code[0] == '\0') {
		snprintf(f->message, sizeof(f->message), "the redirect carried no code");
		f->exit_code = EXIT_ERRORED;
		loop_stop(f->loop);
		*page = "no code; see the terminal\n";
		return 400;
	}
	char err[ERR_MAX];
	f->exchange =
		stack_oauth_exchange_code(f->loop, f->account_type, code, state, f->redirect_uri, on_tokens, f, err);
	if (f->exchange == NULL) {
		snprintf(f->message, sizeof(f->message), "%s", err);
		f->exit_code = EXIT_SOFTWARE;
		loop_stop(f->loop);
	}
	*page = "authorization received; the token exchange goes on in the terminal. You can close this tab.\n";
	return 200;
}

static void on_signal(struct loop *loop, const struct signalfd_siginfo *si, void *arg)
{
	struct flow *f = arg;
	if (si->ssi_signo == SIGCHLD) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		return;
	}
	snprintf(f->message, sizeof(f->message), "interrupted");
	f->exit_code = EXIT_ERRORED;
	loop_stop(loop);
}

static void on_timeout(struct loop *loop, void *arg)
{
	struct flow *f = arg;
	snprintf(f->message, sizeof(f->message), "no redirect from the provider in time");
	f->exit_code = EXIT_ERRORED;
	loop_stop(loop);
}

/* DIR/manifest.konnector when there is one (*has), its errors in err (-1). */
static int oauth_manifest(const char *dir, struct manifest *m, int *has, char *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/manifest.konnector", dir);
	memset(m, 0, sizeof(*m));
	*has = access(path, F_OK) == 0;
	return *has ? manifest_load(path, m, err) : 0;
}

/* The manifest's oauth.scope: a string, or an array of strings joined by spaces ("" without). */
static char *manifest_scope(const struct manifest *m)
{
	const json_t *scope = json_object_get(json_object_get(m->root, "oauth"), "scope");
	char out[2048] = "";
	if (json_is_string(scope)) {
		snprintf(out, sizeof(out), "%s", json_string_value(scope));
	} else if (json_is_array(scope)) {
		size_t i;
		const json_t *s;
		json_array_foreach (scope, i, s) {
			size_t l = strlen(out);
			snprintf(out + l, sizeof(out) - l, "%s%s", i ? " " : "",
				 json_string_value(s) ? json_string_value(s) : "");
		}
	}
	return strdup(out);
}

/*
 * The konnector's own account type when --account-type is not given:
 * fixtures/account_types/<slug>.json, fixtures/default/account_types/<slug>.json
 * (what init --oauth writes), then the other scenarios' in name order.
 * 1 with the path in out, else 0.
 */
static int oauth_default_account_type(const char *dir, const char *slug, char *out, size_t len)
{
	snprintf(out, len, "%s/fixtures/account_types/%s.json", dir, slug);
	if (access(out, R_OK) == 0)
		return 1;
	snprintf(out, len, "%s/fixtures/default/account_types/%s.json", dir, slug);
	if (access(out, R_OK) == 0)
		return 1;
	char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s/fixtures", dir);
	struct dirent **names = NULL;
	int n = scandir(base, &names, NULL, alphasort), found = 0;
	for (int i = 0; i < n; i++) {
		if (!found && names[i]->d_name[0] != '.') {
			int w = snprintf(out, len, "%s/%s/account_types/%s.json", base, names[i]->d_name, slug);
			found = w > 0 && (size_t)w < len && access(out, R_OK) == 0;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* An endpoint the flow needs, checked before anything is opened: present and an http(s) URL. */
static int oauth_check_endpoint(const json_t *at, const char *key, const char *file, char *err)
{
	const char *v = json_string_value(json_object_get(at, key));
	if (v == NULL || v[0] == '\0')
		return err_set(err, "%s has no %s: the provider's %s URL is needed before anything is opened", file,
			       key, strcmp(key, "auth_endpoint") == 0 ? "authorization" : "token");
	if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
		return err_set(err, "%s: %s \"%s\" is not an http(s) URL", file, key, v);
	return 0;
}

/* The port and path of a loopback redirect_uri ("http://127.0.0.1:8899/cb"), or 0. */
static unsigned loopback_port(const char *uri, char *path, size_t pathlen)
{
	const char *prefixes[] = {"http://127.0.0.1:", "http://localhost:"};
	for (int i = 0; i < 2; i++) {
		size_t l = strlen(prefixes[i]);
		if (strncmp(uri, prefixes[i], l) != 0)
			continue;
		char *end;
		unsigned long port = strtoul(uri + l, &end, 10);
		if (port == 0 || port > 65535)
			return 0;
		snprintf(path, pathlen, "%s", *end == '/' ? end : "/");
		return (unsigned)port;
	}
	return 0;
}

/* Start xdg-open in the background (double fork: nothing to reap). */
static void open_browser(const char *url)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (fork() == 0) {
			int null = open("/dev/null", O_RDWR);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			execlp("xdg-open", "xdg-open", url, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
}

int cli_oauth(int argc, char **argv)
{
	const char *dir = ".", *type_file = NULL;
	long port = -1, timeout_s = 600;
	int no_open = 0, dir_given = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_value = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_DONE;
		} else if (strcmp(a, "--account-type") == 0 || strcmp(a, "--port") == 0 ||
			   strcmp(a, "--timeout") == 0) {
			if (!has_value)
				return cli_usage_error("oauth", "%s needs a value", a);
			const char *v = argv[++i];
			char *end;
			long n = strtol(v, &end, 10);
			if (a[2] == 'a')
				type_file = v;
			else if (a[2] == 'p' && (*end != '\0' || end == v || n < 0 || n > 65535))
				return cli_usage_error("oauth", "--port wants 0..65535, not '%s'", v);
			else if (a[2] == 't' && (*end != '\0' || end == v || n < 1 || n > 86400))
				return cli_usage_error("oauth", "--timeout wants seconds (1..86400), not '%s'", v);
			else if (a[2] == 'p')
				port = n;
			else if (a[2] == 't')
				timeout_s = n;
		} else if (strcmp(a, "--no-open") == 0) {
			no_open = 1;
		} else if (a[0] == '-') {
			return cli_usage_error("oauth", "unknown option '%s'", a);
		} else if (dir_given) {
			return cli_usage_error("oauth", "one DIR only ('%s' and '%s')", dir, a);
		} else {
			dir = a;
			dir_given = 1;
		}
	}
	char err[ERR_MAX];
	struct manifest m;
	int has_manifest;
	if (oauth_manifest(dir, &m, &has_manifest, err) < 0) {
		fprintf(stderr, "konnector-harness oauth: %s\n", err);
		return EXIT_DATAERR;
	}
	char found[PATH_MAX + 128];
	if (type_file == NULL) {
		/* the konnector's own account type, as init --oauth writes it */
		if (!has_manifest || !oauth_default_account_type(dir, m.slug, found, sizeof(found))) {
			if (has_manifest)
				fprintf(stderr,
					"konnector-harness oauth: --account-type FILE is required: no "
					"fixtures/*/account_types/%s.json in %s\n",
					m.slug, dir);
			else
				fprintf(stderr,
					"konnector-harness oauth: --account-type FILE is required: no "
					"manifest.konnector in %s to find its account type by\n",
					dir);
			fprintf(stderr, "see `konnector-harness oauth --help`\n");
			manifest_free(&m);
			return EXIT_USAGE;
		}
		type_file = found;
		fprintf(stderr, "konnector-harness oauth: using the account type %s\n", type_file);
	}
	char *scope = manifest_scope(&m);
	manifest_free(&m);
	size_t len;
	char *text = file_read_all(type_file, &len, err);
	if (text == NULL) {
		fprintf(stderr, "konnector-harness oauth: %s\n", err);
		free(scope);
		return EXIT_DATAERR;
	}
	json_error_t je;
	struct flow f = {0};
	f.exit_code = -1;
	f.account_type = json_loadb(text, len, 0, &je);
	if (f.account_type == NULL || stack_account_type_check(f.account_type, type_file, text, err) < 0 ||
	    oauth_check_endpoint(f.account_type, "auth_endpoint", type_file, err) < 0 ||
	    oauth_check_endpoint(f.account_type, "token_endpoint", type_file, err) < 0) {
		if (f.account_type == NULL)
			err_set(err, "%s:%d:%d: %s", type_file, je.line, je.column, je.text);
		fprintf(stderr, "konnector-harness oauth: %s\n", err);
		free(text);
		free(scope);
		json_decref(f.account_type);
		return EXIT_DATAERR;
	}
	free(text);
	if (scope == NULL) {
		fprintf(stderr, "konnector-harness oauth: out of memory\n");
		json_decref(f.account_type);
		return EXIT_SOFTWARE;
	}
	char config_path[4096];
	snprintf(config_path, sizeof(config_path), "%s/konnector-dev-config.json", dir);
	f.config_path = config_path;

	/* The redirect: the account type's registered loopback redirect_uri, else ours. */
	const char *registered = json_string_value(json_object_get(f.account_type, "redirect_uri"));
	unsigned reg_port = registered ? loopback_port(registered, f.redirect_path, sizeof(f.redirect_path)) : 0;
	if (registered != NULL && registered[0] != '\0' && reg_port == 0)
		fprintf(stderr,
			"konnector-harness oauth: warning: redirect_uri %s is not a loopback http URL; using our own\n",
			registered);
	if (reg_port == 0)
		snprintf(f.redirect_path, sizeof(f.redirect_path), "/redirect");
	unsigned listen_port = port >= 0 ? (unsigned)port : reg_port;

	unsigned char rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		fprintf(stderr, "konnector-harness oauth: getrandom: %s\n", strerror(errno));
		return EXIT_SOFTWARE;
	}
	for (int i = 0; i < 16; i++)
		snprintf(f.state + 2 * i, 3, "%02x", rnd[i]);

	int rc = EXIT_SOFTWARE;
	char *url = NULL;
	f.loop = loop_new(err);
	if (f.loop == NULL)
		goto out;
	f.listener = stack_oauth_listen(f.loop, (unsigned short)listen_port, f.redirect_path, on_redirect, &f, err);
	if (f.listener == NULL) {
		rc = EXIT_UNAVAILABLE;
		goto out;
	}
	unsigned bound = stack_oauth_listener_port(f.listener);
	if (loop_watch_signals(f.loop, on_signal, &f, err) < 0)
		goto out;
	if (reg_port != 0 && bound == reg_port)
		snprintf(f.redirect_uri, sizeof(f.redirect_uri), "%s", registered);
	else
		snprintf(f.redirect_uri, sizeof(f.redirect_uri), "http://127.0.0.1:%u%s", bound, f.redirect_path);
	url = stack_oauth_start_url(f.account_type, f.redirect_uri, f.state, scope, err);
	if (url == NULL) {
		rc = EXIT_DATAERR;
		goto out;
	}
	printf("Waiting for the provider's redirect on %s\nOpen this URL in a browser and authorize:\n\n%s\n\n",
	       f.redirect_uri, url);
	fflush(stdout);
	if (!no_open && (getenv("DISPLAY") != NULL || getenv("WAYLAND_DISPLAY") != NULL))
		open_browser(url);
	loop_add_timer(f.loop, timeout_s * 1000, on_timeout, &f);
	if (loop_run(f.loop, err) < 0)
		goto out;
	/* Let the listener send the last page to the browser before closing. */
	for (int i = 0; i < 5; i++)
		loop_run_once(f.loop, 10, NULL);
	if (f.exit_code == EXIT_DONE) {
		printf("%s\n", f.message);
	} else {
		fprintf(stderr, "konnector-harness oauth: %s\n", f.message);
	}
	rc = f.exit_code;
	err[0] = '\0';
out:
	if (rc != f.exit_code && err[0] != '\0')
		fprintf(stderr, "konnector-harness oauth: %s\n", err);
	stack_oauth_exchange_free(f.exchange);
	stack_oauth_listener_free(f.listener);
	loop_free(f.loop);
	free(url);
	free(scope);
	json_decref(f.account_type);
	return rc;
}
