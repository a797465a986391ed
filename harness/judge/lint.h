/*
 * Lint: the stack's reading of one konnector execution, rule by rule. The same
 * object serves `konnector-harness lint` (captured stdout, maybe no end known)
 * and `run` (live: stdout lines as they come, stderr, the fake stack's
 * journal, the process end). Each finding names a stable rule id.
 */
#ifndef HARNESS_LINT_H
#define HARNESS_LINT_H

#include "harness/judge/judge.h"

#include <jansson.h>
#include <stddef.h>

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

/* The rules; ids are stable once shipped (they are what CI configs and junit reports name). */
struct lint_rule {
	const char *id;
	enum severity severity;
	const char *summary;
};
extern const struct lint_rule lint_rules[];
extern const size_t lint_rules_len;
const struct lint_rule *lint_rule_find(const char *id);
const char *lint_severity_name(enum severity s);

struct finding {
	const char *rule;       /* a lint_rules[].id */
	enum severity severity; /* usually the rule's; `unknown-type` gives info for cozy-logger's `ok` */
	char *file;             /* the file (or "stdout", "stderr", "journal") */
	unsigned long line;     /* 1-based; 0 when the finding is about the whole run */
	char *message;          /* what the stack will do and how to fix it */
};

/* A secret whose value must never reach stdout or stderr. */
struct lint_secret {
	const char *name; /* the dev-config field name, shown in findings (never the value) */
	const char *value;
};

struct lint_options {
	const char *file;                  /* name for stdout findings (default "stdout") */
	const char *stderr_file;           /* name for stderr findings (default "stderr") */
	const char *journal_file;          /* name for journal findings (default "journal") */
	const struct lint_secret *secrets; /* values shorter than LINT_SECRET_MIN are ignored */
	size_t n_secrets;
};
#define LINT_SECRET_MIN 4
/* stack: worker/exec/common.go keeps the first 256 KiB of stderr */
#define LINT_STDERR_MAX (256 * 1024)
/* stack: pkg/consts/token.go KonnectorTokenValidityDuration, 30 min */
#define LINT_TOKEN_VALIDITY_MS (30LL * 60 * 1000)

/*
 * The secrets of a dev config's `fields` object: every string value, nested
 * ones included, named by its key, except keys that are not secrets (folder
 * paths, timezone). *out is malloc'd (free it); names and values are borrowed
 * from fields. Returns 0, or -1 when out of memory.
 */
int lint_secrets_from_fields(const json_t *fields, struct lint_secret **out, size_t *n);

struct lint;
struct lint *lint_new(const struct lint_options *o);
void lint_free(struct lint *l);

/* One stdout line as the stack's scanner delivers it (no '\n', the '\r' dropped). */
void lint_stdout_line(struct lint *l, const char *line, size_t len, unsigned long lineno);
/* The scanner stopped at line lineno (over 65535 bytes before its '\n'); nothing after counts. */
void lint_stdout_too_long(struct lint *l, unsigned long lineno);
/* Stderr bytes as they come. */
void lint_stderr(struct lint *l, const char *data, size_t len);
/* The fake stack's journal (array of entries); entries with "forbidden" give permission-missing, "differs"
 * not-emulated. */
void lint_journal(struct lint *l, const json_t *journal);
/* The manifest asks for a folder only the legacy way (Home gives one, the stack's triggers do not): folder-home-only.
 */
void lint_folder_home_only(struct lint *l, const char *manifest_file);
/*
 * The vendor proxy's report of the run (vendor-proxy/proxy.h proxy_report):
 * each unrecorded request is a vendor-unrecorded finding; a recording that
 * saw no request at all gives vendor-not-proxied if the run fails. Before
 * lint_finish.
 */
void lint_vendor(struct lint *l, const json_t *vendor);
/*
 * The end of the run: judge it as the stack would and add the run-level
 * findings. end END_UNKNOWN: only the events are judged. duration_ms < 0:
 * unknown. Fills out (verdict_clear it). Call once.
 */
void lint_finish(struct lint *l, enum process_end end, int code, long long duration_ms, struct verdict *out);

const struct finding *lint_findings(const struct lint *l, size_t *n);
/* How many findings have severity >= min. */
size_t lint_count(const struct lint *l, enum severity min);
/* Findings of rule beyond the ones kept (200 per rule are kept, the rest only counted). */
size_t lint_dropped(const struct lint *l, const char *rule);
/* The judge fed so far (counts by type, last error/critical). */
const struct judge *lint_judge(const struct lint *l);

#endif
