/* harness/job/jobenv.c */
#include "common/err.h"
#include "harness/job/jobenv.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(jobenv, exact_list_in_order)
{
	struct job j = {.url = "http://127.0.0.1:1/",
			.credentials = "tok",
			.fields = "{\"konnector\":\"k\"}",
			.time_limit_s = 300,
			.job_id = "abc",
			.manual = 1,
			.path = "/usr/bin"};
	char err[ERR_MAX];
	char **env = jobenv_build(&j, err);
	cr_assert_not_null(env, "%s", err);
	const char *want[] = {"COZY_URL=http://127.0.0.1:1/",
			      "COZY_CREDENTIALS=tok",
			      "COZY_FIELDS={\"konnector\":\"k\"}",
			      "COZY_PARAMETERS=null",
			      "COZY_PAYLOAD=",
			      "COZY_LANGUAGE=node",
			      "COZY_LOCALE=en",
			      "COZY_TIME_LIMIT=305",
			      "COZY_JOB_ID=konnector/0/abc",
			      "COZY_JOB_MANUAL_EXECUTION=true",
			      "PATH=/usr/bin",
			      NULL};
	for (int i = 0; want[i]; i++)
		cr_assert_str_eq(env[i], want[i]);
	cr_assert_null(env[11]);
	cr_assert_null(jobenv_get(env, "COZY_TRIGGER_ID"));
	jobenv_free(env);
}

Test(jobenv, trigger_inherit_and_extra)
{
	char *inherit[] = {"HOME=/h", "COZY_URL=nope", "PATH=/inh", NULL};
	char *extra[] = {"NODE_ENV=development", "COZY_LOCALE=fr", NULL};
	struct job j = {.url = "u/",
			.job_id = "1",
			.trigger_id = "t1",
			.time_limit_s = 1,
			.path = "/p",
			.inherit = inherit,
			.extra = extra};
	char err[ERR_MAX];
	char **env = jobenv_build(&j, err);
	cr_assert_not_null(env);
	cr_assert_str_eq(env[10], "COZY_TRIGGER_ID=t1");
	cr_assert_str_eq(jobenv_get(env, "COZY_URL"), "u/");
	cr_assert_str_eq(jobenv_get(env, "PATH"), "/p");
	cr_assert_str_eq(jobenv_get(env, "HOME"), "/h");
	cr_assert_str_eq(jobenv_get(env, "NODE_ENV"), "development");
	cr_assert_str_eq(jobenv_get(env, "COZY_LOCALE"), "fr");
	cr_assert_str_eq(jobenv_get(env, "COZY_TIME_LIMIT"), "6");
	jobenv_free(env);
	char *bad[] = {"NOEQUALS", NULL};
	j.extra = bad;
	cr_assert_null(jobenv_build(&j, err));
	cr_assert(strstr(err, "NOEQUALS") != NULL);
}

Test(jobenv, fields_sorted_like_go_maps)
{
	char *s = jobenv_fields("hello", "acc1", "dir1", NULL);
	cr_assert_str_eq(s, "{\"account\":\"acc1\",\"folder_to_save\":\"dir1\",\"konnector\":\"hello\"}");
	free(s);
	json_t *extra = json_pack("{s:s}", "zz", "<&>");
	s = jobenv_fields("hello", NULL, NULL, extra);
	cr_assert_str_eq(s, "{\"konnector\":\"hello\",\"zz\":\"\\u003c\\u0026\\u003e\"}");
	free(s);
	json_decref(extra);
}

Test(jobenv, parameters_null_merge_and_secret)
{
	char *s = jobenv_parameters(NULL, NULL, NULL);
	cr_assert_str_eq(s, "null");
	free(s);
	json_t *mp = json_pack("{s:i,s:s}", "b", 1, "secret", "old");
	json_t *dp = json_pack("{s:i}", "a", 2);
	json_t *sec = json_string("s3cr3t");
	s = jobenv_parameters(mp, dp, sec);
	cr_assert_str_eq(s, "{\"a\":2,\"b\":1,\"secret\":\"s3cr3t\"}");
	free(s);
	s = jobenv_parameters(NULL, NULL, sec);
	cr_assert_str_eq(s, "{\"secret\":\"s3cr3t\"}");
	free(s);
	json_decref(mp), json_decref(dp), json_decref(sec);
}

Test(jobenv, payload_object_only_sorted_and_big)
{
	int big;
	char *s = jobenv_payload("{\"b\":1,\"a\":[1,2]}", 17, &big);
	cr_assert_str_eq(s, "{\"a\":[1,2],\"b\":1}");
	cr_assert_eq(big, 0);
	free(s);
	const char *notobj[] = {"", "[1]", "\"s\"", "{bad", "null"};
	for (size_t i = 0; i < 5; i++) {
		s = jobenv_payload(notobj[i], strlen(notobj[i]), &big);
		cr_assert_str_eq(s, "", "%s", notobj[i]);
		free(s);
	}
	size_t n = JOBENV_PAYLOAD_MAX + 10;
	char *body = malloc(n + 1);
	memset(body, 'x', n);
	memcpy(body, "{\"k\":\"", 6);
	memcpy(body + n - 2, "\"}", 2);
	body[n] = '\0';
	s = jobenv_payload(body, n, &big);
	cr_assert_eq(big, 1);
	cr_assert_eq(strlen(s), n);
	free(s);
	free(body);
}
