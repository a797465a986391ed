/* manifest.konnector: what `run` needs from a konnector's manifest. */
#ifndef HARNESS_MANIFEST_H
#define HARNESS_MANIFEST_H

#include <jansson.h>

struct manifest {
	json_t *root;                  /* the whole document (owned) */
	const char *slug;              /* borrowed from root */
	const char *name;              /* manifest name, slug when absent */
	const char *language;          /* "node" when absent (stack: PrepareCmdEnv) */
	const char *on_delete_account; /* NULL when absent */
	json_t *fields;                /* borrowed; NULL when absent */
	json_t *permissions;           /* borrowed; NULL when absent */
	json_t *parameters;            /* borrowed; NULL when absent */
	int wants_folder;              /* the stack's triggers carry folder_to_save: `folders` array or
					  fields.advanced_fields.folderPath */
	int home_wants_folder;  /* Home gives one: a `folders` key or the legacy fields.advancedFields.folderPath */
	const char *identifier; /* the field Home names as the account's `identifier`; NULL when none (borrowed) */
};

/* Parse text (from path, for messages); bad JSON → err "path:line:col: …". */
int manifest_parse(const char *text, size_t len, const char *path, struct manifest *m, char *err);
int manifest_load(const char *path, struct manifest *m, char *err);
void manifest_free(struct manifest *m);
/* The field names the user must fill (fields minus advanced_fields), as a new JSON array. */
json_t *manifest_field_names(const struct manifest *m);

#endif
