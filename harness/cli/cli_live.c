/* The live display of run and watch; see cli_live.h. */
#include "harness/cli/cli_live.h"

#include "common/atomic_file.h"
#include "common/buf.h"
#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/job/devconfig.h"
#include "harness/judge/expect_sink.h"
#include "harness/judge/run_lint.h"
#include "harness/judge/scenario_check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_live_init(struct cli_live *lv, const struct run_options *o)
{
	/* the live display follows stdout unless stdout carries the JSON verdict or CI test cases */
	lv->out = o->json || expect_sink_wants(o->format) ? stderr : stdout;
	lv->raw = o->raw;
	lv->level = o->level;
	lv->scenario = o->scenario;
	const char *nc = getenv("NO_COLOR");
	lv->color = !o->raw && !o->no_color && !(nc != NULL && nc[0] != '\0') && isatty(fileno(lv->out));
}

const char *cli_live_c(const struct cli_live *lv, const char *code)
{
	return lv->color ? code : "";
}

/* Colour of an event type. */
static const char *type_color(const char *t)
{
	if (strcmp(t, "critical") == 0)
		return C_BRED;
	if (strcmp(t, "error") == 0)
		return C_RED;
	if (strcmp(t, "warning") == 0 || strcmp(t, "warn") == 0)
		return C_YELLOW;
	if (strcmp(t, "info") == 0)
		return C_CYAN;
	if (strcmp(t, "ok") == 0)
		return C_GREEN;
	return C_DIM;
}

/* Print bytes with control characters made visible. */
static void put_visible(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
}

/* The level of a stdout line for --level: lines that are no event (the stack ignores them) count as info. */
static enum run_level line_level(const struct session_line *l)
{
	if (l->status != EVENT_OK)
		return RUN_LEVEL_INFO;
	const char *t = l->event->type;
	if (strcmp(t, "debug") == 0)
		return RUN_LEVEL_DEBUG;
	if (strcmp(t, "warning") == 0 || strcmp(t, "warn") == 0 || strcmp(t, "error") == 0 ||
	    strcmp(t, "critical") == 0)
		return RUN_LEVEL_WARNING;
	return RUN_LEVEL_INFO;
}

static void cli_live_line(struct cli_live *lv, const struct session_line *l)
{
	FILE *f = lv->out;
	if (line_level(l) < lv->level)
		return; /* the run directory has it all the same */
	if (lv->raw) {
		fwrite(l->text, 1, l->len, f);
		fputc('\n', f);
		return;
	}
	if (l->status == EVENT_OK) {
		const struct event *ev = l->event;
		const char *t = ev->type[0] ? ev->type : "(none)";
		fprintf(f, "%s%-8s%s ", cli_live_c(lv, type_color(ev->type)), t, cli_live_c(lv, C_RESET));
		put_visible(f, ev->message, ev->message_len);
		if (ev->no_retry)
			fprintf(f, " %s[no_retry]%s", cli_live_c(lv, C_BOLD), cli_live_c(lv, C_RESET));
		fputc('\n', f);
	} else {
		size_t len = l->len;
		fprintf(f, "%s%-8s ", cli_live_c(lv, C_DIM), l->status == EVENT_NOT_JSON ? "not-json" : "ignored");
		put_visible(f, l->text, len > 300 ? 300 : len);
		fprintf(f, "%s  (%s; the stack ignores this line)%s\n", len > 300 ? "…" : "", l->why,
			cli_live_c(lv, C_RESET));
	}
	fflush(f);
}

static void cli_live_too_long(struct cli_live *lv, const char *warning)
{
	fprintf(lv->out, "%s%-8s %s%s\n", cli_live_c(lv, C_YELLOW), "harness", warning, cli_live_c(lv, C_RESET));
	fflush(lv->out);
}

static void cli_live_stderr(struct cli_live *lv, const char *data, size_t len)
{
	if (lv->raw) {
		fwrite(data, 1, len, stderr);
		return;
	}
	/* stderr is never parsed by the stack (stack: worker/exec/common.go only logs it): shown dimmed, as it comes */
	fprintf(stderr, "%s", cli_live_c(lv, C_DIM));
	fwrite(data, 1, len, stderr);
	fprintf(stderr, "%s", cli_live_c(lv, C_RESET));
	fflush(stderr);
}

/* ---- the session hooks of a live run ---- */

static void cli_live_on_line(void *arg, const struct session_line *l)
{
	struct cli_live *lv = arg;
	cli_live_line(lv, l);
	if (lv->lint != NULL)
		run_lint_line(lv->lint, l);
}

static void cli_live_on_too_long(void *arg, size_t lineno, const char *warning)
{
	struct cli_live *lv = arg;
	cli_live_too_long(lv, warning);
	if (lv->lint != NULL)
		run_lint_too_long(lv->lint, lineno);
}

static void cli_live_on_err(void *arg, const char *data, size_t len)
{
	struct cli_live *lv = arg;
	cli_live_stderr(lv, data, len);
	if (lv->lint != NULL)
		run_lint_stderr(lv->lint, data, len);
}

/* One exchange through the vendor proxy: dim when recorded or replayed, red when the konnector got a 502 of ours. */
static void cli_live_on_vendor(void *arg, const struct proxy_exchange *x)
{
	struct cli_live *lv = arg;
	if (lv->raw)
		return;
	FILE *f = lv->out;
	int bad = x->outcome == PROXY_UNRECORDED || x->outcome == PROXY_FAILED;
	fprintf(f, "%s%-8s %s %s %d %s", cli_live_c(lv, bad ? C_RED : C_DIM), "vendor", x->method, x->url, x->status,
		proxy_outcome_name(x->outcome));
	if (x->outcome == PROXY_UNRECORDED)
		fprintf(f, " (not in the HAR: the konnector got a 502)");
	else if (x->error != NULL)
		fprintf(f, " (%s)", x->error);
	else
		fprintf(f, " (%lld bytes, %lld ms)", x->bytes, x->duration_ms);
	fprintf(f, "%s\n", cli_live_c(lv, C_RESET));
	fflush(f);
}

/* Lint first: expect.json's "lint" expectations read its findings. */
static void cli_live_on_check(void *arg, struct session_end *e)
{
	struct cli_live *lv = arg;
	json_t *rules = NULL;
	if (lv->lint != NULL) {
		run_lint_check(lv->lint, e);
		rules = run_lint_rule_ids(lv->lint);
	}
	scenario_check_end(session_fixtures_dir(lv->s), lv->scenario, rules, e);
	json_decref(rules);
}

static void cli_live_on_end(void *arg, const struct session_end *e)
{
	struct cli_live *lv = arg;
	if (lv->end != NULL)
		lv->end(lv->end_arg, e);
}

struct session_hooks cli_live_hooks(struct cli_live *lv, const struct session *s,
				    void (*end)(void *arg, const struct session_end *e), void *end_arg)
{
	lv->s = s;
	lv->end = end;
	lv->end_arg = end_arg;
	return (struct session_hooks){.line = cli_live_on_line,
				      .too_long = cli_live_on_too_long,
				      .err = cli_live_on_err,
				      .vendor = cli_live_on_vendor,
				      .check = cli_live_on_check,
				      .end = cli_live_on_end,
				      .arg = lv};
}

/* The short text verdict. */
void cli_live_verdict(const struct cli_live *lv, const json_t *report, int interrupted_signo, FILE *f)
{
	const json_t *rep = report;
	const char *state = json_string_value(json_object_get(rep, "state"));
	int done = strcmp(state, "done") == 0;
	const char *slug = json_string_value(json_object_get(rep, "slug"));
	long long ms = (long long)json_integer_value(json_object_get(rep, "duration_ms"));
	int skipped = strcmp(state, "skipped") == 0;
	fprintf(f, "\n%s%s%s %s in %lld.%03lld s%s\n", cli_live_c(lv, C_BOLD), slug,
		cli_live_c(lv, done ? C_GREEN : C_RED),
		done      ? "done"
		: skipped ? "skipped (the stack would not run it)"
			  : "errored",
		ms / 1000, ms % 1000, cli_live_c(lv, C_RESET));
	if (!done)
		fprintf(f, "  error    %s%s%s   (the job's error as the stack stores it)\n", cli_live_c(lv, C_RED),
			json_string_value(json_object_get(rep, "error")), cli_live_c(lv, C_RESET));
	json_t *proc = json_object_get(rep, "process");
	const char *end = json_string_value(json_object_get(proc, "end"));
	if (strcmp(end, "exited") == 0)
		fprintf(f, "  process  exit status %lld\n",
			(long long)json_integer_value(json_object_get(proc, "code")));
	else if (strcmp(end, "signaled") == 0)
		fprintf(f, "  process  killed by signal %lld\n",
			(long long)json_integer_value(json_object_get(proc, "signal")));
	else if (strcmp(end, "timeout") == 0)
		fprintf(f, "  process  killed at the time limit (SIGKILL to its process group)\n");
	else if (skipped)
		fprintf(f, "  process  not started: the stack creates no job\n");
	else
		fprintf(f, "  process  could not be started\n");
	if (interrupted_signo)
		fprintf(f, "  note     interrupted (%s): the konnector's process group was killed\n",
			strsignal(interrupted_signo));
	json_t *ev = json_object_get(rep, "events");
	fprintf(f, "  events  ");
	const char *k;
	json_t *v;
	int any = 0;
	json_object_foreach (ev, k, v) {
		if (json_integer_value(v) == 0)
			continue;
		fprintf(f, "%s %lld %s", any ? "," : "", (long long)json_integer_value(v),
			strcmp(k, "not_json") == 0    ? "not JSON (ignored)"
			: strcmp(k, "bad_shape") == 0 ? "bad shape (ignored)"
						      : k);
		any = 1;
	}
	fprintf(f, "%s\n", any ? "" : " none");
	json_t *ch = json_object_get(rep, "changes");
	if (json_object_size(ch) == 0)
		fprintf(f, "  data     nothing created, updated or deleted\n");
	json_object_foreach (ch, k, v) {
		/* design documents (Mango indexes) are no document the konnector saved: shown apart */
		long long idx = (long long)json_integer_value(json_object_get(v, "indexes"));
		fprintf(f, "  data     %s: %lld created, %lld updated, %lld deleted", k,
			(long long)json_integer_value(json_object_get(v, "created")),
			(long long)json_integer_value(json_object_get(v, "updated")),
			(long long)json_integer_value(json_object_get(v, "deleted")));
		if (idx > 0)
			fprintf(f, " (and %lld index%s written)", idx, idx == 1 ? "" : "es");
		fputc('\n', f);
	}
	json_t *next = json_object_get(rep, "next");
	if (done)
		fprintf(f, "  next     nothing: the job is done\n");
	else {
		int retry = json_is_true(json_object_get(next, "retry"));
		int skip = json_is_true(json_object_get(next, "skip_automatic_runs"));
		fprintf(f, "  next     %s; %s\n",
			retry ? "the stack would run it once more within the same job" : "no retry",
			skip ? "later automatic runs of the trigger are skipped until a manual run"
			     : "later automatic runs go ahead");
	}
	size_t i;
	/* --save-tokens: what went back into the dev config, masked */
	json_array_foreach (json_object_get(rep, "saved_tokens"), i, v) {
		const char *a = json_string_value(json_object_get(v, "access_token"));
		const char *r = json_string_value(json_object_get(v, "refresh_token"));
		fprintf(f, "  tokens   saved to %s:%s%s%s%s%s\n", json_string_value(json_object_get(v, "file")),
			a ? " access_token " : "", a ? a : "", a && r ? "," : "", r ? " refresh_token " : "",
			r ? r : "");
	}
	/* the vendor proxy: what was recorded, or replayed */
	json_t *vendor = json_object_get(rep, "vendor");
	if (vendor != NULL) {
		const char *har = json_string_value(json_object_get(vendor, "har"));
		size_t unrec = json_array_size(json_object_get(vendor, "unrecorded"));
		size_t failed = json_array_size(json_object_get(vendor, "failed"));
		if (strcmp(json_string_value(json_object_get(vendor, "mode")), "record") == 0)
			fprintf(f, "  vendor   recorded %lld exchange(s)%s %s",
				(long long)json_integer_value(json_object_get(vendor, "entries")),
				json_is_true(json_object_get(vendor, "saved")) ? " into" : ", nothing written to", har);
		else
			fprintf(f,
				"  vendor   replayed %lld request(s) from %s (%zu of its %lld exchanges never asked "
				"for)",
				(long long)json_integer_value(json_object_get(vendor, "replayed")), har,
				json_array_size(json_object_get(vendor, "unused")),
				(long long)json_integer_value(json_object_get(vendor, "recorded_entries")));
		if (unrec > 0)
			fprintf(f, ", %s%zu unrecorded%s", cli_live_c(lv, C_RED), unrec, cli_live_c(lv, C_RESET));
		if (failed > 0)
			fprintf(f, ", %s%zu failed%s", cli_live_c(lv, C_RED), failed, cli_live_c(lv, C_RESET));
		fputc('\n', f);
	}
	json_array_foreach (json_object_get(rep, "warnings"), i, v) {
		fprintf(f, "  %swarning%s  %s\n", cli_live_c(lv, C_YELLOW), cli_live_c(lv, C_RESET),
			json_string_value(v));
	}
	fprintf(f, "  run dir  %s\n", json_string_value(json_object_get(rep, "run_dir")));
}

/* The dev config is missing: name the fields, offer (or with --write-config, write) a template. */
int cli_live_missing_config(const char *prog, const struct run_options *o, const struct manifest *m, const char *path)
{
	char *tmpl = devconfig_template(m);
	if (tmpl == NULL)
		return EXIT_SOFTWARE;
	json_t *names = manifest_field_names(m);
	struct buf list = {0};
	size_t i;
	json_t *n;
	json_array_foreach (names, i, n)
		buf_printf(&list, "%s%s", i ? ", " : "", json_string_value(n));
	json_decref(names);
	int rc;
	if (o->write_config) {
		char err[ERR_MAX];
		if (atomic_write(path, tmpl, strlen(tmpl), err) < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			rc = EXIT_SOFTWARE;
		} else {
			printf("wrote %s with the fields the manifest asks for (%s):\n%s\nfill them in, then run "
			       "again.\n",
			       path, list.data ? list.data : "none", tmpl);
			rc = EXIT_DONE;
		}
	} else {
		fprintf(stderr,
			"%s: %s is missing.\n"
			"The manifest asks for these account fields: %s.\n"
			"Create it with the credentials to use (comments allowed), for example:\n\n%s\n"
			"or run again with --write-config to write this template.\n",
			prog, path, list.data ? list.data : "none", tmpl);
		rc = EXIT_DATAERR;
	}
	buf_free(&list);
	free(tmpl);
	return rc;
}
