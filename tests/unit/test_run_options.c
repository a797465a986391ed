/* harness/job/run_options.c: run's options, and a caller's extra ones in the same pass. */
#include "common/err.h"
#include "harness/job/run_options.h"

#include <criterion/criterion.h>
#include <string.h>

#define ARGC(a) ((int)(sizeof(a) / sizeof(a[0])) - 1)

Test(run_options, defaults_and_values)
{
	char *argv[] = {"run",   "--cmd", "true",   "--timeout", "7",    "--env", "A=1",
			"--env", "B=2",   "--auto", "--format",  "json", "/",     NULL};
	struct run_options o;
	char err[ERR_MAX];
	cr_assert_eq(run_options_parse(ARGC(argv), argv, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_str_eq(o.dir, "/");
	cr_assert_str_eq(o.cmd, "true");
	cr_assert_eq(o.timeout_s, 7);
	cr_assert_eq(o.n_extra, 2);
	cr_assert_str_eq(o.extra_env[1], "B=2");
	cr_assert_eq(o.manual, 0);
	cr_assert_eq(o.json, 1);
	char path[256];
	run_options_config_path(&o, path, sizeof(path));
	cr_assert_str_eq(path, "//konnector-dev-config.json");
	run_options_free(&o);

	char *argv2[] = {"run", NULL};
	cr_assert_eq(run_options_parse(ARGC(argv2), argv2, &o, err), RUN_OPTIONS_OK);
	cr_assert_str_eq(o.dir, ".");
	cr_assert_eq(o.timeout_s, RUN_OPTIONS_DEFAULT_TIMEOUT_S);
	cr_assert_eq(o.manual, 1);
	run_options_free(&o);
}

Test(run_options, usage_errors)
{
	struct run_options o;
	char err[ERR_MAX];
	char *a1[] = {"run", "--timeout", "0", NULL};
	cr_assert_eq(run_options_parse(ARGC(a1), a1, &o, err), RUN_OPTIONS_USAGE);
	cr_assert(strstr(err, "--timeout") != NULL);
	run_options_free(&o);
	char *a2[] = {"run", "--format", "xml", NULL};
	cr_assert_eq(run_options_parse(ARGC(a2), a2, &o, err), RUN_OPTIONS_USAGE);
	run_options_free(&o);
	char *a3[] = {"run", "--env", "=x", NULL};
	cr_assert_eq(run_options_parse(ARGC(a3), a3, &o, err), RUN_OPTIONS_USAGE);
	run_options_free(&o);
	char *a4[] = {"run", "--frob", NULL};
	cr_assert_eq(run_options_parse(ARGC(a4), a4, &o, err), RUN_OPTIONS_UNKNOWN);
	cr_assert(strstr(err, "--frob") != NULL);
	run_options_free(&o);
	char *a5[] = {"run", "/nonexistent-kh", NULL};
	cr_assert_eq(run_options_parse(ARGC(a5), a5, &o, err), RUN_OPTIONS_USAGE);
	run_options_free(&o);
	char *a6[] = {"run", "/", "/", NULL};
	cr_assert_eq(run_options_parse(ARGC(a6), a6, &o, err), RUN_OPTIONS_USAGE);
	run_options_free(&o);
	char *a7[] = {"run", "-h", NULL};
	cr_assert_eq(run_options_parse(ARGC(a7), a7, &o, err), RUN_OPTIONS_HELP);
	run_options_free(&o);
}

struct seen_extra {
	int flag;
	const char *value;
};

static int on_extra(void *arg, int val, const char *optarg, char *err)
{
	struct seen_extra *s = arg;
	if (val == RUN_OPTIONS_EXTRA_BASE)
		s->flag = 1;
	else if (strcmp(optarg, "bad") == 0)
		return err_set(err, "bad --val");
	else
		s->value = optarg;
	return 0;
}

Test(run_options, extra_options_in_the_same_pass)
{
	static const struct option extra_opts[] = {
		{"flag", no_argument, NULL, RUN_OPTIONS_EXTRA_BASE},
		{"val", required_argument, NULL, RUN_OPTIONS_EXTRA_BASE + 1},
		{NULL, 0, NULL, 0},
	};
	struct seen_extra s = {0};
	struct run_options_extra ex = {extra_opts, on_extra, &s};
	struct run_options o;
	char err[ERR_MAX];
	char *argv[] = {"watch", "--flag", "--cmd", "x", "--val", "v", NULL};
	cr_assert_eq(run_options_parse_ext(ARGC(argv), argv, &o, &ex, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(s.flag, 1);
	cr_assert_str_eq(s.value, "v");
	cr_assert_str_eq(o.cmd, "x");
	run_options_free(&o);
	char *bad[] = {"watch", "--val", "bad", NULL};
	cr_assert_eq(run_options_parse_ext(ARGC(bad), bad, &o, &ex, err), RUN_OPTIONS_USAGE);
	cr_assert_str_eq(err, "bad --val");
	run_options_free(&o);
	char *nope[] = {"run", "--flag", NULL};
	cr_assert_eq(run_options_parse(ARGC(nope), nope, &o, err), RUN_OPTIONS_UNKNOWN);
	run_options_free(&o);
}

Test(run_options, lint_and_token_flags)
{
	struct run_options o;
	char err[ERR_MAX];
	char *argv[] = {"run", NULL};
	cr_assert_eq(run_options_parse(ARGC(argv), argv, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.no_lint + o.strict + o.save_tokens, 0, "lint on, not strict, no token saving by default");
	run_options_free(&o);
	char *argv2[] = {"run", "--no-lint", "--strict", "--save-tokens", NULL};
	cr_assert_eq(run_options_parse(ARGC(argv2), argv2, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.no_lint, 1);
	cr_assert_eq(o.strict, 1);
	cr_assert_eq(o.save_tokens, 1);
	run_options_free(&o);
	cr_assert(strstr(run_options_help, "--save-tokens") != NULL && strstr(run_options_help, "--no-lint") != NULL &&
		  strstr(run_options_help, "--strict") != NULL);
}

Test(run_options, scenarios_and_ci_formats)
{
	struct run_options o;
	char err[ERR_MAX];
	char *argv[] = {"run", "--all-scenarios", "--format", "github", NULL};
	cr_assert_eq(run_options_parse(ARGC(argv), argv, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.all_scenarios, 1);
	cr_assert_eq(o.format, REPORT_GITHUB);
	cr_assert_eq(o.json, 0, "github is not the JSON report");
	run_options_free(&o);
	char *argv2[] = {"run", "--format", "tap", "--format", "json", NULL};
	cr_assert_eq(run_options_parse(ARGC(argv2), argv2, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.format, REPORT_JSON, "the last --format wins");
	cr_assert_eq(o.json, 1);
	cr_assert_eq(o.all_scenarios, 0);
	run_options_free(&o);
	char *argv3[] = {"run", "--format", "junitx", NULL};
	cr_assert_eq(run_options_parse(ARGC(argv3), argv3, &o, err), RUN_OPTIONS_USAGE);
	cr_assert(strstr(err, "junit") != NULL, "%s", err);
	run_options_free(&o);
}

Test(run_options, vendor_record_and_replay)
{
	struct run_options o;
	char err[ERR_MAX];
	char *a1[] = {"run",
		      "--record",
		      "--vendor-ca",
		      "v.pem",
		      "--vendor-connect-to",
		      "bills.example.com:443:127.0.0.1:8443",
		      "--vendor-connect-to",
		      "a:80:b:81",
		      "/",
		      NULL};
	cr_assert_eq(run_options_parse(ARGC(a1), a1, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.record, 1);
	cr_assert_str_eq(o.vendor_ca, "v.pem");
	cr_assert_eq(o.n_connect_to, 2);
	cr_assert_str_eq(o.vendor_connect_to[0], "bills.example.com:443:127.0.0.1:8443");
	cr_assert_null(o.vendor_connect_to[2]);
	run_options_free(&o);
	char *a2[] = {"run", "--replay", "/", NULL};
	cr_assert_eq(run_options_parse(ARGC(a2), a2, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.replay, 1);
	cr_assert_eq(o.record + o.no_replay, 0);
	run_options_free(&o);
	char *a3[] = {"run", "--no-replay", "/", NULL};
	cr_assert_eq(run_options_parse(ARGC(a3), a3, &o, err), RUN_OPTIONS_OK, "%s", err);
	cr_assert_eq(o.no_replay, 1);
	run_options_free(&o);
	/* one mode at most; the vendor's trust and address only mean something when recording */
	char *b1[] = {"run", "--record", "--no-replay", "/", NULL};
	cr_assert_eq(run_options_parse(ARGC(b1), b1, &o, err), RUN_OPTIONS_USAGE);
	cr_assert(strstr(err, "one at most") != NULL, "%s", err);
	run_options_free(&o);
	char *b2[] = {"run", "--vendor-ca", "v.pem", "/", NULL};
	cr_assert_eq(run_options_parse(ARGC(b2), b2, &o, err), RUN_OPTIONS_USAGE);
	cr_assert(strstr(err, "--record") != NULL, "%s", err);
	run_options_free(&o);
	char *b3[] = {"run", "--record", "--vendor-connect-to", "bills.example.com:127.0.0.1:8443", "/", NULL};
	cr_assert_eq(run_options_parse(ARGC(b3), b3, &o, err), RUN_OPTIONS_USAGE);
	cr_assert(strstr(err, "HOST:PORT:HOST2:PORT2") != NULL, "%s", err);
	run_options_free(&o);
}
