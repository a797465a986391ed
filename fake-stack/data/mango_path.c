/*
 * Field paths as CouchDB reads them: "a.b" split on dots with "\." a literal
 * dot (src/mango/src/mango_util.erl parse_field), looked up in a doc as
 * mango_doc.erl get_field does; and the numbered sets of them a _find reads.
 */
#include "fake-stack/data/mango_int.h"

#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

/* mango_util parse_field: split on '.', "\." is a literal dot. */
int mango_path_parse(const char *s, struct mango_path *p)
{
	p->segs = NULL;
	p->n = 0;
	if (*s == '\0')
		return 0;
	struct buf seg = {0};
	for (;; s++) {
		if (*s == '\\' && s[1] == '.') {
			buf_append(&seg, ".", 1);
			s++;
			continue;
		}
		if (*s == '.' || *s == '\0') {
			char **more = realloc(p->segs, (p->n + 1) * sizeof(*more));
			if (more == NULL) {
				buf_free(&seg);
				return -1;
			}
			p->segs = more;
			if (seg.data == NULL)
				buf_puts(&seg, "");
			p->segs[p->n++] = buf_steal(&seg);
			if (*s == '\0')
				break;
			continue;
		}
		buf_append(&seg, s, 1);
	}
	return 0;
}

void mango_path_free(struct mango_path *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->segs[i]);
	free(p->segs);
	p->segs = NULL;
	p->n = 0;
}

int mango_path_equal(const struct mango_path *a, const struct mango_path *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->segs[i], b->segs[i]) != 0)
			return 0;
	return 1;
}

int mango_path_copy(struct mango_path *dst, const struct mango_path *src)
{
	dst->n = 0;
	dst->segs = calloc(src->n + 1, sizeof(*dst->segs));
	if (dst->segs == NULL)
		return -1;
	for (; dst->n < src->n; dst->n++)
		if ((dst->segs[dst->n] = strdup(src->segs[dst->n])) == NULL) {
			mango_path_free(dst);
			return -1;
		}
	return 0;
}

/* mango_doc get_field: objects by key, arrays by a decimal index, anything else is a bad path. */
enum mango_lookup mango_path_get(const json_t *v, const struct mango_path *p, const json_t **out)
{
	for (size_t i = 0; i < p->n; i++) {
		if (json_is_object(v)) {
			v = json_object_get(v, p->segs[i]);
			if (v == NULL)
				return MANGO_MISSING;
		} else if (json_is_array(v)) {
			char *end;
			const char *s = p->segs[i];
			if (*s == '\0' || (*s == '-' && s[1] == '\0'))
				return MANGO_BAD_PATH;
			long pos = strtol(s, &end, 10);
			if (*end != '\0' || pos < 0 || (size_t)pos >= json_array_size(v))
				return MANGO_BAD_PATH;
			v = json_array_get(v, (size_t)pos);
		} else {
			return MANGO_BAD_PATH;
		}
	}
	*out = v;
	return MANGO_FOUND;
}

const json_t *mango_path_value(const json_t *doc, const char *path)
{
	struct mango_path p;
	if (mango_path_parse(path, &p) < 0)
		return NULL;
	const json_t *v = NULL;
	enum mango_lookup r = mango_path_get(doc, &p, &v);
	mango_path_free(&p);
	return r == MANGO_FOUND ? v : NULL;
}

/* The key number of a path (copied when new); -1 when out of memory. */
long mango_path_set_add(struct mango_path_set *ks, const struct mango_path *p)
{
	for (size_t i = 0; i < ks->n; i++)
		if (mango_path_equal(&ks->paths[i], p))
			return (long)i;
	struct mango_path *more = realloc(ks->paths, (ks->n + 1) * sizeof(*more));
	if (more == NULL)
		return -1;
	ks->paths = more;
	if (mango_path_copy(&ks->paths[ks->n], p) < 0)
		return -1;
	return (long)ks->n++;
}

void mango_path_set_free(struct mango_path_set *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		mango_path_free(&ks->paths[i]);
	free(ks->paths);
}
