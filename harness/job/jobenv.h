/*
 * The environment of one konnector job, exactly as cozy-stack builds it
 * (stack: worker/exec/konnector.go PrepareCmdEnv; docs/STACK.md).
 */
#ifndef HARNESS_JOBENV_H
#define HARNESS_JOBENV_H

#include <jansson.h>
#include <stddef.h>

/* stack: worker/exec/common.go MaxPayloadSizeInEnvVar */
#define JOBENV_PAYLOAD_MAX 100000
#define JOBENV_PAYLOAD_FILE "cozy_payload.json"

struct job {
	const char *url;         /* COZY_URL, with its trailing slash */
	const char *credentials; /* the konnector token */
	const char *fields;      /* COZY_FIELDS: the job message JSON */
	const char *parameters;  /* COZY_PARAMETERS JSON; NULL → "null" */
	const char *payload;     /* COZY_PAYLOAD; NULL → "" */
	const char *language;    /* NULL → "node" */
	const char *locale;      /* NULL → "en" */
	long long time_limit_s;  /* the execution's time limit; COZY_TIME_LIMIT is this + 5 */
	const char *job_id;      /* the bare job id; COZY_JOB_ID is konnector/0/<id> */
	int manual;              /* COZY_JOB_MANUAL_EXECUTION */
	const char *trigger_id;  /* COZY_TRIGGER_ID; NULL → absent */
	const char *path;        /* PATH=… appended after the COZY_* list; NULL → none */
	char *const *inherit;    /* --inherit-env: an envp whose other variables follow; NULL */
	char *const *extra;      /* --env KEY=VAL, replacing or appending; NULL-terminated or NULL */
};

/* The NULL-terminated envp of the job (free with jobenv_free). */
char **jobenv_build(const struct job *job, char *err);
void jobenv_free(char **env);

/* JSON as Go's encoding/json marshals a map: compact, keys sorted, <>& and U+2028/9 escaped. malloc'd. */
char *jobenv_go_json(const json_t *v);
/*
 * The job message (COZY_FIELDS) of a trigger the stack built (stack:
 * model/app/konnector.go BuildTrigger, a Go map, so keys come out sorted),
 * with extra's keys merged over it; account/folder may be NULL. malloc'd.
 */
char *jobenv_fields(const char *slug, const char *account, const char *folder_to_save, const json_t *extra);
/*
 * COZY_PARAMETERS: manifest parameters, dev-config COZY_PARAMETERS merged over
 * them, then `secret`; "null" when there is nothing at all. malloc'd.
 */
char *jobenv_parameters(const json_t *manifest_params, const json_t *dev_params, const json_t *secret);
/*
 * COZY_PAYLOAD from a payload body: decoded as a JSON object, re-encoded as Go
 * does; anything else → "". *big is set when the encoding exceeds
 * JOBENV_PAYLOAD_MAX: the caller writes *value to JOBENV_PAYLOAD_FILE in the
 * working directory and sets the variable to "@cozy_payload.json".
 */
char *jobenv_payload(const char *body, size_t len, int *big);
/* The value of name in envp, or NULL. */
const char *jobenv_get(char *const *envp, const char *name);

#endif
