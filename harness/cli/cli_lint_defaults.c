/* lint's defaults from where it runs and from the run directory it reads; see cli_lint.h. */
#include "harness/cli/cli_lint.h"

#include "harness/judge/capture.h"

#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The run directory of a path named events.jsonl (malloc'd), or NULL. */
static char *cli_lint_defaults_rundir(const char *path)
{
	const char *b = strrchr(path, '/');
	if (strcmp(b != NULL ? b + 1 : path, CAPTURE_FILE) != 0)
		return NULL;
	char *copy = strdup(path);
	if (copy == NULL)
		return NULL;
	char *dir = realpath(dirname(copy), NULL);
	free(copy);
	return dir;
}

/* The report.json beside events_path (new ref), or NULL. */
static json_t *cli_lint_defaults_report(const char *events_path, char **rundir)
{
	*rundir = cli_lint_defaults_rundir(events_path);
	if (*rundir == NULL)
		return NULL;
	char p[PATH_MAX + 16];
	snprintf(p, sizeof(p), "%s/report.json", *rundir);
	json_t *rep = json_load_file(p, 0, NULL);
	if (!json_is_object(rep)) {
		json_decref(rep);
		return NULL;
	}
	return rep;
}

int cli_lint_defaults_end(const char *events_path, enum process_end *end, int *code, long long *duration_ms)
{
	char *rundir = NULL;
	json_t *rep = cli_lint_defaults_report(events_path, &rundir);
	free(rundir);
	const json_t *proc = json_object_get(rep, "process");
	const char *how = json_string_value(json_object_get(proc, "end"));
	int found = 1;
	if (how != NULL && strcmp(how, "exited") == 0) {
		*end = END_EXITED;
		*code = (int)json_integer_value(json_object_get(proc, "code"));
	} else if (how != NULL && strcmp(how, "signaled") == 0) {
		*end = END_SIGNALED;
		*code = (int)json_integer_value(json_object_get(proc, "signal"));
	} else if (how != NULL && strcmp(how, "timeout") == 0) {
		*end = END_TIMEOUT;
		*code = 0;
	} else {
		found = 0; /* no report, or the konnector never started: the events alone */
	}
	const json_t *d = json_object_get(rep, "duration_ms");
	if (found)
		*duration_ms = json_is_integer(d) ? (long long)json_integer_value(d) : -1;
	json_decref(rep);
	return found;
}

char *cli_lint_defaults_fields(char *const *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *rundir = NULL;
		json_t *rep = cli_lint_defaults_report(files[i], &rundir);
		if (rundir == NULL)
			continue;
		const char *named = json_string_value(json_object_get(rep, "dev_config"));
		char *path = NULL;
		if (named != NULL && access(named, R_OK) == 0) {
			path = strdup(named);
		} else {
			/* DIR/.harness/runs/<n>/: the konnector's own dev config */
			char p[PATH_MAX + 64];
			snprintf(p, sizeof(p), "%s/../../../konnector-dev-config.json", rundir);
			path = realpath(p, NULL);
		}
		json_decref(rep);
		free(rundir);
		if (path != NULL)
			return path;
	}
	return access("konnector-dev-config.json", R_OK) == 0 ? strdup("konnector-dev-config.json") : NULL;
}
