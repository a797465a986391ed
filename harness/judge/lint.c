/*
 * The lint rules (ids, severities and messages in lint_rules[] below). Every
 * message says what the stack will do with the line or the run, and how to fix
 * it. The stack behaviours come from worker/exec/konnector.go (ScanOutput,
 * Error), worker/exec/common.go (scanner, stderr) and pkg/consts/token.go;
 * no-folder-to-save and upload-never-sent catch cozy-konnector-libs 5.13.0
 * traps seen against the real libs (src/libs/saveFiles.js, BaseKonnector.js).
 * Over 600 lines on purpose: a rule's id, message and check are read
 * together here, and lint_rules[] is the one list of them.
 */
#include "harness/judge/lint.h"

#include "harness/judge/linescan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct lint_rule lint_rules[] = {
	{"not-json", SEV_WARNING, "a stdout line that is not JSON: the stack ignores it"},
	{"bad-shape", SEV_WARNING, "valid JSON the stack cannot decode into {type, message, no_retry}: ignored"},
	{"unknown-type", SEV_WARNING, "an event type the stack does not act on"},
	{"line-too-long", SEV_ERROR, "a line over the stack's 64 KiB scanner limit: stdout is no longer read"},
	{"message-truncated", SEV_WARNING, "a message over 4000 bytes: the stack keeps the first 4000"},
	{"secret-leak", SEV_ERROR, "a dev-config field value (password, token, login…) printed on stdout or stderr"},
	{"unknown-error-code", SEV_WARNING, "an error/critical message that starts with no known error keyword"},
	{"error-fails-job", SEV_WARNING, "an error line in a run that exited 0 without critical: the job errors"},
	{"exit-without-reason", SEV_WARNING, "a failed run without any critical/error line"},
	{"skips-next-runs", SEV_INFO, "the final error makes the stack skip later automatic runs"},
	{"stderr-truncated", SEV_INFO, "stderr over the 256 KiB the stack keeps"},
	{"token-expired", SEV_WARNING, "a run longer than the konnector token's 30 minutes"},
	{"permission-missing", SEV_WARNING, "a request the real stack would refuse with 403"},
	{"empty-error-message", SEV_WARNING, "an error/critical line without a message: the job error is empty"},
	{"no-retry-ignored", SEV_INFO, "no_retry on a line that is not critical: the stack ignores it"},
	{"no-folder-to-save", SEV_WARNING,
	 "saveFiles failed for lack of folder_to_save: the manifest asks for no folder"},
	{"upload-never-sent", SEV_ERROR, "a file upload announced by /files/upload/metadata never came: the run hung"},
	{"vendor-unrecorded", SEV_ERROR,
	 "a vendor request the replayed HAR has no answer for: the konnector got a 502"},
	{"vendor-not-proxied", SEV_ERROR,
	 "a failed recording run that sent nothing through the proxy (HTTPS_PROXY ignored)"},
	{"not-emulated", SEV_WARNING, "a request the harness could not answer as the real stack would"},
	{"folder-home-only", SEV_WARNING,
	 "only the legacy fields.advancedFields.folderPath asks for a folder: Home's triggers carry one, the stack's "
	 "do not"},
};
const size_t lint_rules_len = sizeof(lint_rules) / sizeof(lint_rules[0]);

/* Findings kept per rule; the rest are only counted, so memory does not grow with the input. */
#define LINT_KEEP_PER_RULE 200

/*
 * Error keywords: konnectors/libs src/helpers/errors.js (all of them, dotted
 * variants included by prefix) and the ones the library produces itself (its
 * signin, solveCaptcha, waitForTwoFaCode and saveFiles helpers); the stack
 * only knows LOGIN_FAILED and USER_ACTION_NEEDED (worker/exec/konnector.go).
 */
static const char *const error_keywords[] = {
	"LOGIN_FAILED",        "USER_ACTION_NEEDED",     "NOT_EXISTING_DIRECTORY", "FILE_DOWNLOAD_FAILED",
	"SAVE_FILE_FAILED",    "DISK_QUOTA_EXCEEDED",    "CHALLENGE_ASKED",        "CAPTCHA_RESOLUTION_FAILED",
	"MAINTENANCE",         "TERMS_VERSION_MISMATCH", "UNKNOWN_ERROR",          "VENDOR_DOWN",
	"CANNOT_FIND_ACCOUNT", "TOS_NOT_ACCEPTED",       "INVALID_FORM",           "UNKNOWN_PARSING_STRATEGY",
};

struct secret {
	char *name;
	char *value;
	size_t len;
	char *escaped; /* as JSON.stringify writes it inside a string, NULL when the same */
	size_t escaped_len;
	int reported_stdout, reported_stderr;
};

struct lint {
	char *file;
	char *stderr_file;
	char *journal_file;
	struct secret *secrets;
	size_t n_secrets;
	struct judge judge;
	struct finding *findings;
	size_t n, cap;
	size_t per_rule_total[sizeof(lint_rules) / sizeof(lint_rules[0])];
	unsigned long last_error_line, last_critical_line, last_stdout_line;
	int stopped;
	/* stderr: the first LINT_STDERR_MAX bytes, scanned line by line as they come */
	size_t stderr_total;
	unsigned long stderr_line;
	char *stderr_partial;
	size_t stderr_partial_len;
	int finished;
	char *vendor_silent; /* a recording the konnector sent nothing through: its HAR's name, for lint_finish */
	/* no-folder-to-save: the first SAVE_FILE_FAILED warn line, how many, and the signs of a missing folder */
	unsigned long save_failed_line;
	size_t save_failed_count;
	int saw_path_undefined, saw_no_folder;
	/* upload-never-sent: journal line (1-based) of the first metadata never followed by its upload, 0 none */
	unsigned long upload_lost_line;
	size_t upload_lost_count;
};

const char *lint_severity_name(enum severity s)
{
	return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "info";
}

const struct lint_rule *lint_rule_find(const char *id)
{
	for (size_t i = 0; i < lint_rules_len; i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return &lint_rules[i];
	return NULL;
}

static size_t rule_index(const char *id)
{
	for (size_t i = 0; i < lint_rules_len; i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return i;
	abort(); /* a rule id missing from the table is a programming error */
}

/* Add a finding (severity sev, or the rule's when sev < 0). */
__attribute__((format(printf, 6, 7))) static void add(struct lint *l, const char *rule, int sev, const char *file,
						      unsigned long line, const char *fmt, ...)
{
	size_t ri = rule_index(rule);
	l->per_rule_total[ri]++;
	if (l->per_rule_total[ri] > LINT_KEEP_PER_RULE)
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct finding *nf = realloc(l->findings, nc * sizeof(*nf));
		if (nf == NULL)
			return;
		l->findings = nf;
		l->cap = nc;
	}
	struct finding *f = &l->findings[l->n];
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&f->message, fmt, ap) < 0)
		f->message = NULL;
	va_end(ap);
	f->file = strdup(file);
	if (f->message == NULL || f->file == NULL) {
		free(f->message);
		free(f->file);
		return;
	}
	f->rule = lint_rules[ri].id;
	f->severity = sev < 0 ? lint_rules[ri].severity : (enum severity)sev;
	f->line = line;
	l->n++;
}

/* The secret as JSON.stringify escapes it inside a string (", \, control characters). */
static char *json_escaped(const char *s, size_t n, size_t *out_len)
{
	char *o = malloc(n * 6 + 1);
	size_t w = 0;
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;
		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		default:
			break;
		}
		if (e) {
			memcpy(o + w, e, strlen(e));
			w += strlen(e);
		} else if (c < 0x20) {
			w += (size_t)sprintf(o + w, "\\u%04x", c);
		} else {
			o[w++] = (char)c;
		}
	}
	o[w] = '\0';
	*out_len = w;
	return o;
}

/* Dev-config keys whose values are not secrets (paths shown in the Cozy UI). */
static const char *const not_secret[] = {"folderPath", "namePath", "folder_to_save", "timezone"};

struct secret_list {
	struct lint_secret *v;
	size_t n, cap;
	int nomem;
};

/* Every string value under j (nested included), named by its key. */
static void collect_secrets(const json_t *j, const char *name, struct secret_list *s)
{
	if (json_is_string(j)) {
		for (size_t i = 0; i < sizeof(not_secret) / sizeof(not_secret[0]); i++)
			if (strcmp(name, not_secret[i]) == 0)
				return;
		if (s->n == s->cap) {
			size_t nc = s->cap ? s->cap * 2 : 8;
			struct lint_secret *nv = realloc(s->v, nc * sizeof(*nv));
			if (nv == NULL) {
				s->nomem = 1;
				return;
			}
			s->v = nv;
			s->cap = nc;
		}
		s->v[s->n].name = name;
		s->v[s->n].value = json_string_value(j);
		s->n++;
	} else if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach ((json_t *)j, k, v)
			collect_secrets(v, k, s);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach (j, i, v)
			collect_secrets(v, name, s);
	}
}

int lint_secrets_from_fields(const json_t *fields, struct lint_secret **out, size_t *n)
{
	struct secret_list s = {0};
	collect_secrets(fields, "", &s);
	if (s.nomem) {
		free(s.v);
		s.v = NULL;
		s.n = 0;
	}
	*out = s.v;
	*n = s.n;
	return s.nomem ? -1 : 0;
}

struct lint *lint_new(const struct lint_options *o)
{
	struct lint *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	judge_init(&l->judge);
	l->file = strdup(o && o->file ? o->file : "stdout");
	l->stderr_file = strdup(o && o->stderr_file ? o->stderr_file : "stderr");
	l->journal_file = strdup(o && o->journal_file ? o->journal_file : "journal");
	if (o && o->n_secrets)
		l->secrets = calloc(o->n_secrets, sizeof(*l->secrets));
	if (l->file == NULL || l->stderr_file == NULL || l->journal_file == NULL ||
	    (o && o->n_secrets && l->secrets == NULL)) {
		lint_free(l);
		return NULL;
	}
	for (size_t i = 0; o && i < o->n_secrets; i++) {
		const char *v = o->secrets[i].value;
		if (v == NULL || strlen(v) < LINT_SECRET_MIN)
			continue;
		struct secret *s = &l->secrets[l->n_secrets];
		s->name = strdup(o->secrets[i].name ? o->secrets[i].name : "?");
		s->value = strdup(v);
		s->len = strlen(v);
		s->escaped = json_escaped(v, s->len, &s->escaped_len);
		l->n_secrets++;
		if (s->name == NULL || s->value == NULL || s->escaped == NULL) {
			lint_free(l);
			return NULL;
		}
		if (s->escaped_len == s->len) {
			free(s->escaped);
			s->escaped = NULL;
		}
	}
	return l;
}

void lint_free(struct lint *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->findings[i].file);
		free(l->findings[i].message);
	}
	free(l->findings);
	for (size_t i = 0; i < l->n_secrets; i++) {
		free(l->secrets[i].name);
		free(l->secrets[i].value);
		free(l->secrets[i].escaped);
	}
	free(l->secrets);
	judge_clear(&l->judge);
	free(l->file);
	free(l->stderr_file);
	free(l->journal_file);
	free(l->stderr_partial);
	free(l->vendor_silent);
	free(l);
}

/* Check one chunk of output for secret values. */
static void check_secrets(struct lint *l, const char *data, size_t len, int is_stderr, const char *file,
			  unsigned long line)
{
	for (size_t i = 0; i < l->n_secrets; i++) {
		struct secret *s = &l->secrets[i];
		int hit = memmem(data, len, s->value, s->len) != NULL ||
			  (s->escaped && memmem(data, len, s->escaped, s->escaped_len) != NULL);
		if (!hit)
			continue;
		add(l, "secret-leak", -1, file, line,
		    "the value of the dev-config field \"%s\" appears on %s: the stack writes %s to its logs%s; never "
		    "log credentials (nor the login), log a masked form or nothing",
		    s->name, is_stderr ? "stderr" : "stdout", is_stderr ? "stderr (first 256 KiB)" : "events",
		    is_stderr ? "" : " and publishes every event on the realtime hub");
	}
}

/* Printable, short copy of s for messages: control bytes as \xNN, cut at 60 bytes. */
static void quote_short(const char *s, size_t n, char *out, size_t cap)
{
	size_t w = 0;
	for (size_t i = 0; i < n && w + 8 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == 60) {
			w += (size_t)snprintf(out + w, cap - w, "…");
			break;
		}
		if (c < 0x20 || c == '"' || c == 0x7f)
			w += (size_t)snprintf(out + w, cap - w, "\\x%02x", c);
		else
			out[w++] = (char)c;
	}
	out[w] = '\0';
}

static int has_known_keyword(const char *m, size_t n)
{
	for (size_t i = 0; i < sizeof(error_keywords) / sizeof(error_keywords[0]); i++) {
		size_t k = strlen(error_keywords[i]);
		if (n >= k && memcmp(m, error_keywords[i], k) == 0)
			return 1;
	}
	return 0;
}

static const char *const known_types[] = {"debug", "info", "warning", "warn", "error", "critical"};

/*
 * Signs that saveFiles had no folder: libs' saveFiles.js logs warn
 * SAVE_FILE_FAILED then warn <err.message>, which is Node's path error when
 * fields.folderPath is undefined; BaseKonnector.initAttributes logs info "No
 * folder_to_save available in the trigger" when COZY_FIELDS has none.
 */
static void check_save_files(struct lint *l, const struct event *ev, unsigned long line)
{
	static const char sff[] = "SAVE_FILE_FAILED";
	static const char path_undef[] = "The \"path\" argument must be of type string";
	static const char no_folder[] = "No folder_to_save available in the trigger";
	if ((event_type_is(ev, "warn") || event_type_is(ev, "warning")) && ev->message_len >= sizeof(sff) - 1 &&
	    memcmp(ev->message, sff, sizeof(sff) - 1) == 0) {
		if (l->save_failed_count++ == 0)
			l->save_failed_line = line;
	}
	if (memmem(ev->message, ev->message_len, path_undef, sizeof(path_undef) - 1) != NULL)
		l->saw_path_undefined = 1;
	if (memmem(ev->message, ev->message_len, no_folder, sizeof(no_folder) - 1) != NULL)
		l->saw_no_folder = 1;
}

/* Type-specific checks of one decoded event. */
static void check_event(struct lint *l, const struct event *ev, unsigned long line)
{
	char q[128];
	int known = 0;
	for (size_t i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
		known |= event_type_is(ev, known_types[i]);
	if (!known) {
		quote_short(ev->type, ev->type_len, q, sizeof(q));
		if (event_type_is(ev, "ok"))
			add(l, "unknown-type", SEV_INFO, l->file, line,
			    "type \"ok\" (cozy-logger's ok level) means nothing to the stack: the event is published "
			    "but neither logged nor counted; use info if it matters");
		else if (ev->type_len == 0)
			add(l, "unknown-type", -1, l->file, line,
			    "event without a type: the stack publishes it and does nothing else; add \"type\" "
			    "(debug, info, warn, error or critical)");
		else {
			const char *hint = "";
			for (size_t i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++)
				if (strcasecmp(ev->type, known_types[i]) == 0 && ev->type_len == strlen(known_types[i]))
					hint = known_types[i];
			add(l, "unknown-type", -1, l->file, line,
			    "type \"%s\" is not one the stack acts on (types are case-sensitive): the event is "
			    "published "
			    "but not logged and never fails the job; use %s%s",
			    q, *hint ? hint : "debug, info, warn, error or critical", *hint ? " in lower case" : "");
		}
	}
	if (ev->message_full_len > EVENT_MESSAGE_MAX)
		add(l, "message-truncated", -1, l->file, line,
		    "message is %zu bytes: the stack keeps only its first %d bytes (in logs, events and the job "
		    "error); shorten it or log the details in several lines",
		    ev->message_full_len, EVENT_MESSAGE_MAX);
	check_save_files(l, ev, line);
	int is_err = event_type_is(ev, "error"), is_crit = event_type_is(ev, "critical");
	if (ev->no_retry && !is_crit)
		add(l, "no-retry-ignored", -1, l->file, line,
		    "no_retry is only honoured on critical lines: the stack ignores it here; set it on the critical "
		    "that ends the run");
	if (!is_err && !is_crit)
		return;
	if (is_err)
		l->last_error_line = line;
	else
		l->last_critical_line = line;
	if (ev->message_len == 0) {
		add(l, "empty-error-message", -1, l->file, line,
		    "%s line without a message: the job error would be the empty string and users see no reason; "
		    "put an error keyword in \"message\"",
		    is_err ? "error" : "critical");
		return;
	}
	if (!has_known_keyword(ev->message, ev->message_len)) {
		quote_short(ev->message, ev->message_len, q, sizeof(q));
		add(l, "unknown-error-code", -1, l->file, line,
		    "%s message \"%s\" starts with no known error keyword: if it becomes the job error users get a "
		    "generic failure; use one of cozy-konnector-libs' errors (LOGIN_FAILED, VENDOR_DOWN, "
		    "USER_ACTION_NEEDED…)",
		    is_err ? "error" : "critical", q);
	}
}

void lint_stdout_line(struct lint *l, const char *line, size_t len, unsigned long lineno)
{
	if (l->stopped)
		return;
	l->last_stdout_line = lineno;
	check_secrets(l, line, len, 0, l->file, lineno);
	struct event ev;
	char why[128];
	size_t col = 0;
	enum event_status st = event_parse(line, len, &ev, why, sizeof(why), &col);
	if (st == EVENT_NOT_JSON) {
		add(l, "not-json", -1, l->file, lineno,
		    "not JSON (%s at column %zu): the stack ignores this line (logged only at debug level); print "
		    "events as one JSON object per line (cozy-konnector-libs log()) and send other output to stderr",
		    why, col);
		return;
	}
	if (st == EVENT_BAD_SHAPE) {
		add(l, "bad-shape", -1, l->file, lineno,
		    "valid JSON the stack cannot decode into {type, message: string, no_retry: bool} (%s at column "
		    "%zu): the whole line is ignored; send one object with string type/message and boolean no_retry",
		    why, col);
		return;
	}
	judge_event(&l->judge, &ev);
	check_event(l, &ev, lineno);
	event_clear(&ev);
}

void lint_stdout_too_long(struct lint *l, unsigned long lineno)
{
	if (l->stopped)
		return;
	l->stopped = 1;
	judge_line_too_long(&l->judge);
	add(l, "line-too-long", -1, l->file, lineno,
	    "line is over the stack's 64 KiB scanner limit (at most %d bytes before the newline): the stack stops "
	    "reading stdout here, every later event is lost and a konnector that keeps writing blocks until the "
	    "timeout kill; keep event lines short (the message is cut at %d bytes anyway)",
	    LINESCAN_LINE_MAX - 1, EVENT_MESSAGE_MAX);
}

/* Scan complete stderr lines for secrets (within the part the stack keeps). */
static void stderr_lines(struct lint *l, const char *data, size_t len, int final)
{
	size_t start = 0;
	for (;;) {
		const char *nl = memchr(data + start, '\n', len - start);
		if (nl == NULL)
			break;
		size_t n = (size_t)(nl - (data + start));
		l->stderr_line++;
		check_secrets(l, data + start, n, 1, l->stderr_file, l->stderr_line);
		start += n + 1;
	}
	if (final && start < len) {
		l->stderr_line++;
		check_secrets(l, data + start, len - start, 1, l->stderr_file, l->stderr_line);
		start = len;
	}
	char *rest = NULL;
	if (start < len) {
		rest = malloc(len - start);
		if (rest == NULL)
			return;
		memcpy(rest, data + start, len - start);
	}
	free(l->stderr_partial);
	l->stderr_partial = rest;
	l->stderr_partial_len = len - start;
}

void lint_stderr(struct lint *l, const char *data, size_t len)
{
	size_t kept = l->stderr_total < LINT_STDERR_MAX ? LINT_STDERR_MAX - l->stderr_total : 0;
	l->stderr_total += len;
	if (kept == 0)
		return;
	if (len > kept)
		len = kept;
	/* join with the partial line held from the previous chunk */
	size_t n = l->stderr_partial_len + len;
	char *joined = malloc(n ? n : 1);
	if (joined == NULL)
		return;
	if (l->stderr_partial_len)
		memcpy(joined, l->stderr_partial, l->stderr_partial_len);
	memcpy(joined + l->stderr_partial_len, data, len);
	stderr_lines(l, joined, n, 0);
	free(joined);
}

static int entry_is(const json_t *e, const char *method, const char *path_prefix)
{
	const char *m = json_string_value(json_object_get(e, "method"));
	const char *p = json_string_value(json_object_get(e, "path"));
	return m && p && (method == NULL || strcmp(m, method) == 0) &&
	       strncmp(p, path_prefix, strlen(path_prefix)) == 0;
}

static int entry_is_upload_metadata(const json_t *e)
{
	const char *p = json_string_value(json_object_get(e, "path"));
	return entry_is(e, "POST", "/files/upload/metadata") &&
	       (strcmp(p, "/files/upload/metadata") == 0 || strcmp(p, "/files/upload/metadata/") == 0);
}

/* The data.id of a journalled /files/upload/metadata answer (malloc'd), or NULL when not recoverable. */
static char *metadata_answer_id(const json_t *e)
{
	const char *body = json_string_value(json_object_get(e, "response_body"));
	json_t *j = body ? json_loads(body, JSON_DECODE_ANY, NULL) : NULL;
	const char *id = json_string_value(json_object_get(json_object_get(j, "data"), "id"));
	char *out = id && *id ? strdup(id) : NULL;
	json_decref(j);
	return out;
}

/*
 * upload-never-sent: libs' saveFiles POSTs /files/upload/metadata, then sends
 * the upload (POST/PUT /files/… with MetadataID=<data.id>). Note the first
 * metadata whose id no later upload names; an answer whose id cannot be read
 * counts only when no /files request follows it. Judged in lint_finish, which
 * knows whether the run hung.
 */
static void journal_uploads(struct lint *l, const json_t *journal)
{
	json_t *used = json_object(); /* MetadataID -> index of its last upload */
	size_t i, last_files = 0;
	int any_files = 0;
	json_t *e;
	if (used == NULL)
		return;
	json_array_foreach (journal, i, e) {
		if (!entry_is(e, NULL, "/files/"))
			continue;
		any_files = 1;
		last_files = i;
		const char *mid = json_string_value(json_object_get(json_object_get(e, "query"), "MetadataID"));
		if (mid && (entry_is(e, "POST", "/files/") || entry_is(e, "PUT", "/files/")))
			json_object_set_new(used, mid, json_integer((json_int_t)i));
	}
	json_array_foreach (journal, i, e) {
		if (!entry_is_upload_metadata(e) || json_integer_value(json_object_get(e, "status")) != 201)
			continue;
		char *id = metadata_answer_id(e);
		int lost;
		if (id != NULL) {
			json_t *at = json_object_get(used, id);
			lost = at == NULL || (size_t)json_integer_value(at) < i;
		} else {
			lost = any_files && last_files == i;
		}
		free(id);
		if (!lost)
			continue;
		if (l->upload_lost_count++ == 0)
			l->upload_lost_line = (unsigned long)i + 1;
	}
	json_decref(used);
}

void lint_journal(struct lint *l, const json_t *journal)
{
	size_t i;
	json_t *e;
	journal_uploads(l, journal);
	json_array_foreach (journal, i, e) {
		const char *why = json_string_value(json_object_get(e, "forbidden"));
		const char *differs = json_string_value(json_object_get(e, "differs"));
		const char *m = json_string_value(json_object_get(e, "method"));
		const char *p = json_string_value(json_object_get(e, "path"));
		if (why != NULL)
			add(l, "permission-missing", -1, l->journal_file, (unsigned long)i + 1,
			    "%s %s: the real stack would answer 403 Forbidden (%s); add the permission to the "
			    "\"permissions\" of manifest.konnector",
			    m ? m : "?", p ? p : "?", why);
		if (differs != NULL)
			add(l, "not-emulated", -1, l->journal_file, (unsigned long)i + 1,
			    "%s %s: this answer cannot be the real stack's: %s; do not rely on this part of the run",
			    m ? m : "?", p ? p : "?", differs);
	}
}

void lint_vendor(struct lint *l, const json_t *vendor)
{
	const char *har = json_string_value(json_object_get(vendor, "har"));
	const char *mode = json_string_value(json_object_get(vendor, "mode"));
	if (har == NULL || mode == NULL)
		return;
	size_t i;
	json_t *u;
	json_array_foreach (json_object_get(vendor, "unrecorded"), i, u) {
		const char *m = json_string_value(json_object_get(u, "method"));
		const char *url = json_string_value(json_object_get(u, "url"));
		add(l, "vendor-unrecorded", -1, har, 0,
		    "%s %s has no recorded answer: the konnector got 502 Bad Gateway instead of the vendor's page; if "
		    "it "
		    "asks for this now, record the scenario again (run --record)",
		    m ? m : "?", url ? url : "?");
	}
	if (strcmp(mode, "record") == 0 && json_integer_value(json_object_get(vendor, "exchanges")) == 0) {
		free(l->vendor_silent);
		l->vendor_silent = strdup(har);
	}
}

void lint_folder_home_only(struct lint *l, const char *manifest_file)
{
	add(l, "folder-home-only", -1, manifest_file, 0,
	    "the manifest asks for a folder only through the legacy fields.advancedFields.folderPath: a trigger "
	    "Home creates carries a folder_to_save (this run had one, as Home's would), but a trigger the stack "
	    "builds itself (model/app/konnector.go BuildTrigger, which reads `folders` or "
	    "fields.advanced_fields.folderPath) carries none, and saveFiles then fails; declare \"folders\": "
	    "[{\"defaultDir\": \"$administrative/$konnector/$account\"}] in manifest.konnector");
}

void lint_finish(struct lint *l, enum process_end end, int code, long long duration_ms, struct verdict *out)
{
	if (!l->finished && l->stderr_partial_len) {
		char *p = l->stderr_partial;
		size_t n = l->stderr_partial_len;
		l->stderr_partial = NULL;
		l->stderr_partial_len = 0;
		stderr_lines(l, p, n, 1);
		free(p);
	}
	l->finished = 1;
	const struct judge *j = &l->judge;
	judge_finish(j, end, code, out);
	char q[128], endstr[64];
	verdict_end_string(end, code, endstr, sizeof(endstr));
	if (end == END_EXITED && code == 0 && j->last_critical == NULL && j->last_error != NULL) {
		quote_short(j->last_error, j->last_error_len, q, sizeof(q));
		add(l, "error-fails-job", -1, l->file, l->last_error_line,
		    "the konnector exited 0 but printed %zu error line(s) and no critical: the stack marks the job "
		    "errored with the last one (\"%s\"); log diagnostics with warn, or end with a critical if the run "
		    "really failed",
		    j->count_error, q);
	}
	if (j->last_critical == NULL && j->last_error == NULL && endstr[0] != '\0')
		add(l, "exit-without-reason", -1, l->file, 0,
		    "the run ended with \"%s\" and no critical or error line: the job error is \"%s\", all users will "
		    "see; print a critical with an error keyword before exiting",
		    endstr, endstr);
	if (out->skips_next_runs) {
		quote_short(out->error, out->error_len, q, sizeof(q));
		add(l, "skips-next-runs", -1, l->file, j->last_critical ? l->last_critical_line : l->last_error_line,
		    "the job error \"%s\" makes the stack skip later automatic runs of this trigger until a manual run "
		    "(only exactly USER_ACTION_NEEDED.CGU_FORM is exempt); make sure the user really has to act",
		    q);
	}
	if (l->save_failed_count > 0 && (l->saw_path_undefined || l->saw_no_folder))
		add(l, "no-folder-to-save", -1, l->file, l->save_failed_line,
		    "%zu file(s) failed with SAVE_FILE_FAILED because the job has no folder_to_save (%s), and the job "
		    "still ends done: a trigger carries a folder_to_save only when the manifest asks for one (the "
		    "stack's own triggers read \"folders\" or fields.advanced_fields.folderPath, Home's \"folders\" or "
		    "the legacy fields.advancedFields.folderPath), or when COZY_FIELDS sets one; add \"folders\": "
		    "[{\"defaultDir\": \"$administrative/$konnector/$account\"}] to manifest.konnector",
		    l->save_failed_count,
		    l->saw_path_undefined
			    ? "fields.folderPath is undefined: The \"path\" argument must be of type string"
			    : "\"No folder_to_save available in the trigger\"");
	/* a hang: the real stack SIGKILLs the konnector at its time limit (300 s) */
	if (l->upload_lost_count > 0 && (end == END_TIMEOUT || end == END_SIGNALED))
		add(l, "upload-never-sent", -1, l->journal_file, l->upload_lost_line,
		    "%zu upload(s) after POST /files/upload/metadata never sent and the run was %s: "
		    "cozy-konnector-libs' "
		    "saveFiles lost a race with a fast vendor (request#887: the download cannot be piped after its "
		    "data "
		    "was emitted, nothing catches it) and the konnector hung until the kill; give saveFiles a "
		    "requestInstance whose downloads stay paused until piped (see examples/libs-bills/index.js), or "
		    "use "
		    "fetchFile",
		    l->upload_lost_count, end == END_TIMEOUT ? "killed at the time limit" : "killed by a signal");
	if (l->stderr_total > LINT_STDERR_MAX)
		add(l, "stderr-truncated", -1, l->stderr_file, 0,
		    "stderr is %zu bytes: the stack keeps and logs only its first %d KiB; the rest is lost, log less "
		    "on stderr",
		    l->stderr_total, LINT_STDERR_MAX / 1024);
	if (l->vendor_silent != NULL && !out->done)
		add(l, "vendor-not-proxied", -1, l->vendor_silent, 0,
		    "the run was recording and failed, yet the konnector sent nothing through the proxy: its HTTP "
		    "client "
		    "ignores HTTPS_PROXY (node's https module or fetch without a proxy agent, a browser, raw sockets), "
		    "so "
		    "nothing can be recorded; give it a proxy-aware agent (see docs/VENDOR.md, \"Which HTTP clients go "
		    "through the proxy\")");
	if (duration_ms > LINT_TOKEN_VALIDITY_MS)
		add(l, "token-expired", -1, l->file, 0,
		    "the run took %lld min: the konnector token (COZY_CREDENTIALS) is valid 30 minutes from its "
		    "issue, later requests get 401; finish sooner or split the work across runs",
		    duration_ms / 60000);
}

const struct finding *lint_findings(const struct lint *l, size_t *n)
{
	*n = l->n;
	return l->findings;
}

size_t lint_count(const struct lint *l, enum severity min)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->findings[i].severity >= min)
			c++;
	/* findings over the per-rule cap carry the rule's severity */
	for (size_t r = 0; r < lint_rules_len; r++)
		if (l->per_rule_total[r] > LINT_KEEP_PER_RULE && lint_rules[r].severity >= min)
			c += l->per_rule_total[r] - LINT_KEEP_PER_RULE;
	return c;
}

size_t lint_dropped(const struct lint *l, const char *rule)
{
	size_t r = rule_index(rule);
	return l->per_rule_total[r] > LINT_KEEP_PER_RULE ? l->per_rule_total[r] - LINT_KEEP_PER_RULE : 0;
}

const struct judge *lint_judge(const struct lint *l)
{
	return &l->judge;
}
