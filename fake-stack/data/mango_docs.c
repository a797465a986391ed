/*
 * The docs a _find reads: trees lent as a mango_docs (mango_docs_array), and
 * the row of one doc while it is matched, whose members come from the
 * mango_docs' field() and whose whole doc is loaded only when needed.
 */
#include "fake-stack/data/mango_int.h"

const json_t *mango_docs_whole(struct mango_row *r)
{
	if (r->whole == NULL)
		r->whole = r->docs->doc(r->docs->ctx, r->i);
	return r->whole;
}

enum mango_lookup mango_docs_field(struct mango_row *r, const struct mango_path *p, size_t slot, const json_t **out)
{
	if (p->n == 0) {
		*out = mango_docs_whole(r);
		return *out != NULL ? MANGO_FOUND : MANGO_MISSING;
	}
	return r->docs->field(r->docs->ctx, r->i, slot, out);
}

/* ---- mango_docs_array: trees lent as mango_docs (paths read straight from the trees) ---- */

static const char *array_id(void *ctx, size_t i)
{
	const struct mango_array *a = ctx;
	return json_string_value(json_object_get(a->docs[i], "_id"));
}

static int array_want(void *ctx, const struct mango_path *paths, size_t npaths)
{
	struct mango_array *a = ctx;
	(void)npaths;
	a->paths = paths;
	return 0;
}

static enum mango_lookup array_field(void *ctx, size_t i, size_t k, const json_t **out)
{
	const struct mango_array *a = ctx;
	return mango_path_get(a->docs[i], &a->paths[k], out);
}

static json_t *array_doc(void *ctx, size_t i)
{
	const struct mango_array *a = ctx;
	return json_incref(a->docs[i]);
}

void mango_docs_array(struct mango_docs *docs, struct mango_array *arr, json_t *const *trees, size_t n)
{
	arr->docs = trees;
	arr->paths = NULL;
	*docs = (struct mango_docs){n, arr, array_id, array_want, array_field, array_doc};
}
