/*
 * The outcome of a run, read back from its run directory, checked against
 * expect.json; and that check as the end of `run` and `watch` does it.
 */
#include "harness/judge/scenario_check.h"

#include "common/err.h"
#include "harness/exitcode.h"
#include "harness/judge/capture.h"
#include "harness/judge/events.h"
#include "harness/judge/expect.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of dir (not . or ..); NULL-terminated, malloc'd; NULL when dir is missing. */
static char **list_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return NULL;
	char **names = calloc(1, sizeof(*names));
	size_t n = 0;
	struct dirent *de;
	while (names != NULL && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char **nn = realloc(names, (n + 2) * sizeof(*nn));
		if (nn == NULL)
			break;
		names = nn;
		names[n] = strdup(de->d_name);
		if (names[n] == NULL)
			break;
		names[++n] = NULL;
	}
	closedir(d);
	if (names != NULL)
		qsort(names, n, sizeof(*names), name_cmp);
	return names;
}

static void free_list(char **names)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++)
		free(names[i]);
	free(names);
}

/* state/data/<doctype>/<id>.json → {"<doctype>": [docs]}. */
static json_t *load_documents(const char *run_dir, char *err)
{
	char *base = NULL;
	if (asprintf(&base, "%s/state/data", run_dir) < 0)
		return NULL;
	json_t *all = json_object();
	char **types = list_dir(base);
	for (size_t i = 0; types != NULL && types[i] != NULL && all != NULL; i++) {
		char *tdir = NULL;
		if (asprintf(&tdir, "%s/%s", base, types[i]) < 0)
			break;
		json_t *docs = json_array();
		char **ids = list_dir(tdir);
		for (size_t k = 0; ids != NULL && ids[k] != NULL; k++) {
			char *p = NULL;
			if (asprintf(&p, "%s/%s", tdir, ids[k]) < 0)
				break;
			json_error_t je;
			json_t *doc = json_load_file(p, 0, &je);
			if (doc == NULL) {
				err_set(err, "%s:%d:%d: %s", p, je.line, je.column, je.text);
				free(p);
				free_list(ids);
				free(tdir);
				free_list(types);
				free(base);
				json_decref(docs);
				json_decref(all);
				return NULL;
			}
			json_array_append_new(docs, doc);
			free(p);
		}
		free_list(ids);
		json_object_set_new(all, types[i], docs);
		free(tdir);
	}
	free_list(types);
	free(base);
	return all;
}

/* state/files.json → [{path, size, mime}] for the files not in the trash. */
static json_t *load_files(const char *run_dir, char *err)
{
	char *p = NULL;
	if (asprintf(&p, "%s/state/files.json", run_dir) < 0)
		return NULL;
	json_t *out = json_array();
	struct stat st;
	if (stat(p, &st) < 0) {
		free(p);
		return out;
	}
	json_error_t je;
	json_t *all = json_load_file(p, 0, &je);
	if (all == NULL) {
		err_set(err, "%s:%d:%d: %s", p, je.line, je.column, je.text);
		free(p);
		json_decref(out);
		return NULL;
	}
	free(p);
	size_t i;
	json_t *f;
	json_array_foreach (all, i, f) {
		const char *type = json_string_value(json_object_get(f, "type"));
		if (type == NULL || strcmp(type, "file") != 0 || json_is_true(json_object_get(f, "trashed")))
			continue;
		json_t *one = json_object();
		const char *keys[] = {"path", "size", "mime"};
		for (size_t k = 0; k < 3; k++) {
			json_t *v = json_object_get(f, keys[k]);
			if (v != NULL)
				json_object_set(one, keys[k], v);
		}
		json_array_append_new(out, one);
	}
	json_decref(all);
	return out;
}

/*
 * events.jsonl (the capture records of events.h) → [{line, type, message}]:
 * the lines the stack takes as events, read as it reads them; lines it
 * ignores are left out, and nothing after a too-long line counts.
 */
static json_t *load_events(const char *run_dir, char *err)
{
	char *p = NULL;
	if (asprintf(&p, "%s/" CAPTURE_FILE, run_dir) < 0)
		return NULL;
	json_t *out = json_array();
	FILE *f = fopen(p, "r");
	if (f == NULL) {
		free(p);
		return out;
	}
	char *line = NULL, cerr[ERR_MAX];
	size_t cap = 0, lineno = 0;
	ssize_t n;
	while (out != NULL && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		unsigned long no;
		char *raw = NULL;
		size_t raw_len;
		int too_long;
		if (capture_parse(line, (size_t)n, &no, &raw, &raw_len, &too_long, cerr) < 0) {
			err_set(err, "%s:%zu: %s", p, lineno, cerr);
			json_decref(out);
			out = NULL;
			break;
		}
		if (too_long) {
			free(raw);
			break;
		}
		if (raw_len > 0 && raw[raw_len - 1] == '\r')
			raw_len--; /* bufio.ScanLines drops it */
		struct event ev;
		if (event_parse(raw, raw_len, &ev, NULL, 0, NULL) == EVENT_OK) {
			json_t *one = json_object();
			json_object_set_new(one, "line", json_integer((json_int_t)no));
			json_object_set_new(one, "type", json_stringn(ev.type, ev.type_len));
			json_object_set_new(one, "message", json_stringn(ev.message, ev.message_len));
			json_array_append_new(out, one);
		}
		event_clear(&ev);
		free(raw);
	}
	free(line);
	fclose(f);
	free(p);
	return out;
}

int scenario_check_load(const char *run_dir, json_t **documents, json_t **files, json_t **events, char *err)
{
	*documents = load_documents(run_dir, err);
	*files = *documents ? load_files(run_dir, err) : NULL;
	*events = *files ? load_events(run_dir, err) : NULL;
	if (*events == NULL) {
		json_decref(*documents);
		json_decref(*files);
		*documents = *files = NULL;
		if (err != NULL && err[0] == '\0')
			err_set(err, "%s: cannot read the run directory", run_dir);
		return -1;
	}
	return 0;
}

int scenario_check_rundir(const char *fixtures_dir, const char *run_dir, const json_t *journal, const char *state,
			  const char *error, const json_t *lint_rules, const json_t *vendor, json_t **results,
			  size_t *failed, char *err)
{
	*results = NULL;
	*failed = 0;
	if (fixtures_dir == NULL)
		return 0;
	char *path = NULL;
	if (asprintf(&path, "%s/expect.json", fixtures_dir) < 0)
		return err_set(err, "out of memory");
	struct stat st;
	if (stat(path, &st) < 0) {
		free(path);
		return 0;
	}
	json_t *expect = expect_load(path, err);
	free(path);
	if (expect == NULL)
		return -1;
	json_t *documents, *files, *events;
	if (err != NULL)
		err[0] = '\0';
	if (scenario_check_load(run_dir, &documents, &files, &events, err) < 0) {
		json_decref(expect);
		return -1;
	}
	struct expect_outcome out = {state, error, documents, files, journal, events, lint_rules, vendor};
	struct expect_results res;
	int rc = expect_check(expect, &out, &res, err);
	if (rc == 0) {
		*results = expect_results_json(&res);
		*failed = res.failed;
		expect_results_clear(&res);
	}
	json_decref(expect);
	json_decref(documents);
	json_decref(files);
	json_decref(events);
	return rc;
}

int scenario_check_preflight(const char *fixtures_dir, char *err)
{
	char *path = NULL;
	struct stat sb;
	if (fixtures_dir == NULL)
		return 0;
	if (asprintf(&path, "%s/expect.json", fixtures_dir) < 0)
		return err_set(err, "out of memory");
	if (stat(path, &sb) < 0) {
		free(path);
		return 0;
	}
	json_t *e = expect_load(path, err);
	free(path);
	json_decref(e);
	return e != NULL ? 0 : -1;
}

int scenario_check_has_verdict(const char *fixtures_dir)
{
	char *path = NULL;
	if (fixtures_dir == NULL || asprintf(&path, "%s/expect.json", fixtures_dir) < 0)
		return 0;
	json_t *e = json_load_file(path, 0, NULL);
	free(path);
	int has = json_object_get(e, "verdict") != NULL;
	json_decref(e);
	return has;
}

void scenario_check_print(const json_t *results, FILE *f)
{
	size_t i, failed = 0;
	json_t *r;
	json_array_foreach (results, i, r) {
		int passed = json_is_true(json_object_get(r, "passed"));
		failed += !passed;
		fprintf(f, "  %s %s", passed ? "PASS" : "FAIL", json_string_value(json_object_get(r, "name")));
		if (!passed)
			fprintf(f, ": %s", json_string_value(json_object_get(r, "message")));
		fputc('\n', f);
	}
	fprintf(f, "expectations: %zu passed, %zu failed\n", json_array_size(results) - failed, failed);
}

/* A bad expect.json is one failed expectation; see scenario_check.h. */
void scenario_check_end(const char *fixtures, const char *scenario, const json_t *lint_rules, struct session_end *e)
{
	char err[ERR_MAX] = "";
	json_t *results = NULL;
	size_t failed = 0;
	int done = e->verdict->done;
	if (scenario != NULL)
		json_object_set_new(e->report, "scenario", json_string(scenario));
	if (scenario_check_rundir(fixtures, e->run_dir, e->journal, done ? "done" : "errored", e->verdict->error,
				  lint_rules, e->vendor, &results, &failed, err) < 0) {
		/* a bad expect.json fails the scenario, as one expectation saying why */
		results = json_pack("[{s:s, s:b, s:s, s:s, s:s}]", "name", "expect.json", "passed", 0, "expected",
				    "a valid expect.json", "actual", err, "message", err);
		failed = 1;
	}
	if (results == NULL)
		return;
	json_object_set_new(e->report, "expectations", results);
	/* the expectations decide; an errored job passes only when the file expects a verdict */
	e->exit_status = failed == 0 && (done || scenario_check_has_verdict(fixtures)) ? EXIT_DONE : EXIT_ERRORED;
}

const json_t *scenario_check_results(const json_t *report)
{
	return json_object_get(report, "expectations");
}
