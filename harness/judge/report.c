/* The report formats (see report.h); one function per format. */
#include "harness/judge/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int report_format_parse(const char *s, enum report_format *out)
{
	static const struct {
		const char *name;
		enum report_format f;
	} names[] = {{"text", REPORT_TEXT},
		     {"json", REPORT_JSON},
		     {"junit", REPORT_JUNIT},
		     {"github", REPORT_GITHUB},
		     {"tap", REPORT_TAP}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].f;
			return 0;
		}
	return -1;
}

/* Printable copy of the job error for one-line output. */
static void error_short(const struct verdict *v, char *out, size_t cap)
{
	size_t w = 0;
	for (size_t i = 0; i < v->error_len && w + 6 < cap; i++) {
		unsigned char c = (unsigned char)v->error[i];
		if (i == 200) {
			w += (size_t)snprintf(out + w, cap - w, "…");
			break;
		}
		if (c < 0x20 || c == 0x7f)
			w += (size_t)snprintf(out + w, cap - w, "\\x%02x", c);
		else
			out[w++] = (char)c;
	}
	out[w] = '\0';
}

void report_verdict_text(const struct verdict *v, char *out, size_t len)
{
	const char *pre = v->from_events_only ? "judging the events alone (no exit status known): " : "";
	if (v->done) {
		snprintf(out, len, "%sjob done%s", pre, v->from_events_only ? " if the process exits 0" : "");
		return;
	}
	char e[300];
	error_short(v, e, sizeof(e));
	snprintf(out, len, "%sjob errored: \"%s\" (%s%s)", pre, e, v->retry ? "the stack retries it once" : "no retry",
		 v->skips_next_runs ? "; later automatic runs are skipped" : "");
}

static int counts_as_failure(enum severity s, int strict)
{
	return s == SEV_ERROR || (strict && s == SEV_WARNING);
}

static void totals(const struct report_item *items, size_t n, size_t *err, size_t *warn, size_t *info)
{
	*err = *warn = *info = 0;
	for (size_t i = 0; i < n; i++) {
		size_t e = lint_count(items[i].lint, SEV_ERROR), w = lint_count(items[i].lint, SEV_WARNING);
		*err += e;
		*warn += w - e;
		*info += lint_count(items[i].lint, SEV_INFO) - w;
	}
}

static void write_text(FILE *f, const struct report_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t nf;
		const struct finding *fs = lint_findings(items[i].lint, &nf);
		for (size_t k = 0; k < nf; k++) {
			if (fs[k].line)
				fprintf(f, "%s:%lu: %s %s: %s\n", fs[k].file, fs[k].line,
					lint_severity_name(fs[k].severity), fs[k].rule, fs[k].message);
			else
				fprintf(f, "%s: %s %s: %s\n", fs[k].file, lint_severity_name(fs[k].severity),
					fs[k].rule, fs[k].message);
		}
		for (size_t r = 0; r < lint_rules_len; r++) {
			size_t d = lint_dropped(items[i].lint, lint_rules[r].id);
			if (d)
				fprintf(f, "%s: … and %zu more %s findings\n", items[i].file, d, lint_rules[r].id);
		}
		char v[512];
		report_verdict_text(items[i].verdict, v, sizeof(v));
		fprintf(f, "%s: verdict: %s\n", items[i].file, v);
	}
	size_t e, w, in;
	totals(items, n, &e, &w, &in);
	fprintf(f, "%zu error%s, %zu warning%s, %zu info\n", e, e == 1 ? "" : "s", w, w == 1 ? "" : "s", in);
}

static json_t *finding_json(const struct finding *fd)
{
	json_t *o = json_object();
	json_object_set_new(o, "rule", json_string(fd->rule));
	json_object_set_new(o, "severity", json_string(lint_severity_name(fd->severity)));
	json_object_set_new(o, "file", json_string(fd->file));
	json_object_set_new(o, "line", json_integer((json_int_t)fd->line));
	json_object_set_new(o, "message", json_string(fd->message));
	return o;
}

static json_t *verdict_json(const struct verdict *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "state", json_string(v->done ? "done" : "errored"));
	json_object_set_new(o, "error", v->error ? json_stringn(v->error, v->error_len) : json_null());
	json_object_set_new(o, "retry", json_boolean(v->retry));
	json_object_set_new(o, "skips_next_runs", json_boolean(v->skips_next_runs));
	json_object_set_new(o, "events_only", json_boolean(v->from_events_only));
	return o;
}

static int write_json(FILE *f, const struct report_item *items, size_t n)
{
	json_t *root = json_object(), *files = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_object(), *arr = json_array(), *dropped = json_object();
		size_t nf;
		const struct finding *fs = lint_findings(items[i].lint, &nf);
		for (size_t k = 0; k < nf; k++)
			json_array_append_new(arr, finding_json(&fs[k]));
		for (size_t r = 0; r < lint_rules_len; r++) {
			size_t d = lint_dropped(items[i].lint, lint_rules[r].id);
			if (d)
				json_object_set_new(dropped, lint_rules[r].id, json_integer((json_int_t)d));
		}
		json_object_set_new(it, "file", json_string(items[i].file));
		json_object_set_new(it, "findings", arr);
		json_object_set_new(it, "not_shown", dropped);
		json_object_set_new(it, "verdict", verdict_json(items[i].verdict));
		json_array_append_new(files, it);
	}
	size_t e, w, in;
	totals(items, n, &e, &w, &in);
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "errors", json_integer((json_int_t)e));
	json_object_set_new(root, "warnings", json_integer((json_int_t)w));
	json_object_set_new(root, "infos", json_integer((json_int_t)in));
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	fputc('\n', f);
	json_decref(root);
	return rc;
}

void report_xml_escape(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(c < 0x20 && c != '\n' && c != '\t' ? '?' : c, f); /* XML 1.0 forbids the others */
		}
	}
}

/* Findings of one rule over all items, as "file:line: message" lines. */
static void rule_lines(FILE *f, const struct report_item *items, size_t n, const char *rule, int xml)
{
	for (size_t i = 0; i < n; i++) {
		size_t nf;
		const struct finding *fs = lint_findings(items[i].lint, &nf);
		for (size_t k = 0; k < nf; k++) {
			if (strcmp(fs[k].rule, rule) != 0)
				continue;
			char head[600];
			snprintf(head, sizeof(head), "%s:%lu: %s: ", fs[k].file, fs[k].line,
				 lint_severity_name(fs[k].severity));
			if (xml) {
				report_xml_escape(f, head);
				report_xml_escape(f, fs[k].message);
				fputc('\n', f);
			} else {
				fprintf(f, "    - \"%s", head);
				for (const char *p = fs[k].message; *p; p++)
					fprintf(f, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
				fputs("\"\n", f);
			}
		}
	}
}

/* Worst severity of a rule's findings over all items; -1 when none. */
static int rule_worst(const struct report_item *items, size_t n, const char *rule, size_t *count)
{
	int worst = -1;
	*count = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nf;
		const struct finding *fs = lint_findings(items[i].lint, &nf);
		for (size_t k = 0; k < nf; k++)
			if (strcmp(fs[k].rule, rule) == 0) {
				(*count)++;
				if ((int)fs[k].severity > worst)
					worst = (int)fs[k].severity;
			}
		*count += lint_dropped(items[i].lint, rule);
	}
	return worst;
}

static void write_junit(FILE *f, const struct report_item *items, size_t n, int strict)
{
	size_t failures = 0, count;
	for (size_t r = 0; r < lint_rules_len; r++) {
		int w = rule_worst(items, n, lint_rules[r].id, &count);
		failures += w >= 0 && counts_as_failure((enum severity)w, strict);
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(f, "  <testsuite name=\"konnector-harness lint\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n",
		lint_rules_len, failures);
	fprintf(f, "    <properties>\n");
	for (size_t i = 0; i < n; i++) {
		char v[512];
		report_verdict_text(items[i].verdict, v, sizeof(v));
		fprintf(f, "      <property name=\"verdict:");
		report_xml_escape(f, items[i].file);
		fprintf(f, "\" value=\"");
		report_xml_escape(f, v);
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "    </properties>\n");
	for (size_t r = 0; r < lint_rules_len; r++) {
		const struct lint_rule *rule = &lint_rules[r];
		int w = rule_worst(items, n, rule->id, &count);
		fprintf(f, "    <testcase classname=\"konnector-harness.lint\" name=\"%s\">\n", rule->id);
		if (w >= 0) {
			int fail = counts_as_failure((enum severity)w, strict);
			if (fail) {
				fprintf(f, "      <failure message=\"%zu finding%s: ", count, count == 1 ? "" : "s");
				report_xml_escape(f, rule->summary);
				fprintf(f, "\" type=\"%s\">", lint_severity_name((enum severity)w));
			} else {
				fprintf(f, "      <system-out>");
			}
			rule_lines(f, items, n, rule->id, 1);
			fprintf(f, fail ? "</failure>\n" : "</system-out>\n");
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
}

/* GitHub workflow command escaping: % \r \n always, and : , in properties. */
void report_github_escape(FILE *f, const char *s, int property)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '%':
			fputs("%25", f);
			break;
		case '\r':
			fputs("%0D", f);
			break;
		case '\n':
			fputs("%0A", f);
			break;
		case ':':
			fputs(property ? "%3A" : ":", f);
			break;
		case ',':
			fputs(property ? "%2C" : ",", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void write_github(FILE *f, const struct report_item *items, size_t n)
{
	static const char *const cmd[] = {"notice", "warning", "error"};
	size_t shown[3] = {0}, total[3] = {0};
	for (size_t i = 0; i < n; i++) {
		size_t nf;
		const struct finding *fs = lint_findings(items[i].lint, &nf);
		for (size_t k = 0; k < nf; k++) {
			enum severity s = fs[k].severity;
			total[s]++;
			if (shown[s] >= REPORT_GITHUB_MAX)
				continue;
			shown[s]++;
			fprintf(f, "::%s file=", cmd[s]);
			report_github_escape(f, fs[k].file, 1);
			if (fs[k].line)
				fprintf(f, ",line=%lu", fs[k].line);
			fprintf(f, ",title=%s::", fs[k].rule);
			report_github_escape(f, fs[k].message, 0);
			fputc('\n', f);
		}
		for (size_t r = 0; r < lint_rules_len; r++)
			total[lint_rules[r].severity] += lint_dropped(items[i].lint, lint_rules[r].id);
	}
	for (int s = 2; s >= 0; s--)
		if (total[s] > shown[s])
			fprintf(f,
				"konnector-harness lint: %zu more %s finding%s not annotated (GitHub shows at most %d "
				"per level); run with --format text to see them all\n",
				total[s] - shown[s], s == 0 ? "info" : cmd[s], total[s] - shown[s] == 1 ? "" : "s",
				REPORT_GITHUB_MAX);
	for (size_t i = 0; i < n; i++) {
		char v[512];
		report_verdict_text(items[i].verdict, v, sizeof(v));
		fprintf(f, "%s: verdict: %s\n", items[i].file, v);
	}
}

static void write_tap(FILE *f, const struct report_item *items, size_t n, int strict)
{
	fprintf(f, "TAP version 13\n1..%zu\n", lint_rules_len);
	for (size_t r = 0; r < lint_rules_len; r++) {
		size_t count;
		int w = rule_worst(items, n, lint_rules[r].id, &count);
		int fail = w >= 0 && counts_as_failure((enum severity)w, strict);
		fprintf(f, "%s %zu - %s", fail ? "not ok" : "ok", r + 1, lint_rules[r].id);
		if (w >= 0 && !fail)
			fprintf(f, " # %zu %s finding%s", count, lint_severity_name((enum severity)w),
				count == 1 ? "" : "s");
		fputc('\n', f);
		if (w >= 0) {
			fprintf(f, "  ---\n  severity: %s\n  count: %zu\n  findings:\n",
				lint_severity_name((enum severity)w), count);
			rule_lines(f, items, n, lint_rules[r].id, 0);
			fprintf(f, "  ...\n");
		}
	}
	for (size_t i = 0; i < n; i++) {
		char v[512];
		report_verdict_text(items[i].verdict, v, sizeof(v));
		fprintf(f, "# %s: verdict: %s\n", items[i].file, v);
	}
}

int report_write(FILE *f, enum report_format fmt, const struct report_item *items, size_t n, int strict)
{
	int rc = 0;
	switch (fmt) {
	case REPORT_TEXT:
		write_text(f, items, n);
		break;
	case REPORT_JSON:
		rc = write_json(f, items, n);
		break;
	case REPORT_JUNIT:
		write_junit(f, items, n, strict);
		break;
	case REPORT_GITHUB:
		write_github(f, items, n);
		break;
	case REPORT_TAP:
		write_tap(f, items, n, strict);
		break;
	}
	if (fflush(f) != 0 || ferror(f))
		rc = -1;
	return rc;
}
