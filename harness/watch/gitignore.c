/* gitignore(5) patterns, the subset the watcher needs; fnmatch(3) per path segment. */
#include "harness/watch/gitignore.h"

#include "common/err.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

struct rule {
	char *base; /* directory of the .gitignore, "" for the top */
	size_t base_len;
	unsigned depth; /* path segments in base: deeper files are consulted later */
	char *pat;
	int negate;
	int dir_only;
	int anchored; /* had a '/' before its end: matched against the whole path below base */
};

struct gitignore {
	struct rule *v;
	size_t n, cap;
};

struct gitignore *gitignore_new(void)
{
	return calloc(1, sizeof(struct gitignore));
}

static void rule_clear(struct rule *r)
{
	free(r->base);
	free(r->pat);
}

void gitignore_free(struct gitignore *gi)
{
	if (gi == NULL)
		return;
	for (size_t i = 0; i < gi->n; i++)
		rule_clear(&gi->v[i]);
	free(gi->v);
	free(gi);
}

size_t gitignore_count(const struct gitignore *gi)
{
	return gi->n;
}

static unsigned base_depth(const char *base)
{
	if (*base == '\0')
		return 0;
	unsigned d = 1;
	for (const char *p = base; *p; p++)
		d += *p == '/';
	return d;
}

/* Insert after every rule of the same or a shallower depth, keeping file order. */
static int rules_insert(struct gitignore *gi, struct rule *r)
{
	if (gi->n == gi->cap) {
		size_t cap = gi->cap ? gi->cap * 2 : 16;
		struct rule *v = realloc(gi->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		gi->v = v;
		gi->cap = cap;
	}
	size_t at = gi->n;
	while (at > 0 && gi->v[at - 1].depth > r->depth)
		at--;
	memmove(&gi->v[at + 1], &gi->v[at], (gi->n - at) * sizeof(*gi->v));
	gi->v[at] = *r;
	gi->n++;
	return 0;
}

int gitignore_add_pattern(struct gitignore *gi, const char *base, const char *pattern, char *err)
{
	size_t len = strlen(pattern);
	/* trailing spaces are dropped unless escaped with a backslash */
	while (len > 0 && pattern[len - 1] == ' ' && !(len > 1 && pattern[len - 2] == '\\'))
		len--;
	if (len == 0 || pattern[0] == '#')
		return 0;
	struct rule r = {0};
	const char *p = pattern;
	if (*p == '!') {
		r.negate = 1;
		p++;
		len--;
	} else if (*p == '\\' && (p[1] == '#' || p[1] == '!')) {
		p++;
		len--;
	}
	while (len > 0 && p[len - 1] == '/') {
		r.dir_only = 1;
		len--;
	}
	if (len > 0 && *p == '/') {
		r.anchored = 1;
		p++;
		len--;
	}
	if (len == 0)
		return 0;
	if (memchr(p, '/', len) != NULL)
		r.anchored = 1;
	r.pat = strndup(p, len);
	r.base = strdup(base);
	if (r.pat == NULL || r.base == NULL)
		goto oom;
	r.base_len = strlen(base);
	r.depth = base_depth(base);
	if (rules_insert(gi, &r) < 0)
		goto oom;
	return 0;
oom:
	rule_clear(&r);
	return err_set(err, "out of memory");
}

int gitignore_add_text(struct gitignore *gi, const char *base, const char *text, size_t len, char *err)
{
	const char *end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = (size_t)((nl ? nl : end) - text);
		if (n > 0 && text[n - 1] == '\r')
			n--;
		char *line = strndup(text, n);
		if (line == NULL)
			return err_set(err, "out of memory");
		int rc = gitignore_add_pattern(gi, base, line, err);
		free(line);
		if (rc < 0)
			return -1;
		text = nl ? nl + 1 : end;
	}
	return 0;
}

void gitignore_drop_base(struct gitignore *gi, const char *base)
{
	size_t k = 0;
	for (size_t i = 0; i < gi->n; i++) {
		if (strcmp(gi->v[i].base, base) == 0)
			rule_clear(&gi->v[i]);
		else
			gi->v[k++] = gi->v[i];
	}
	gi->n = k;
}

/* fnmatch one segment of p (up to '/' or the end) against one of s. */
static int segment_match(const char *p, size_t plen, const char *s, size_t slen)
{
	char pb[256], sb[256];
	if (plen >= sizeof(pb) || slen >= sizeof(sb))
		return 0;
	memcpy(pb, p, plen);
	pb[plen] = '\0';
	memcpy(sb, s, slen);
	sb[slen] = '\0';
	return fnmatch(pb, sb, 0) == 0;
}

/* Match '/'-separated pattern p against path s, a "**" segment standing for any number of segments. */
static int path_match(const char *p, const char *s)
{
	if (p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0')) {
		if (p[2] == '\0')
			return 1; /* trailing "**": everything inside */
		const char *rest = p + 3;
		for (const char *t = s;;) {
			if (path_match(rest, t))
				return 1;
			t = strchr(t, '/');
			if (t == NULL)
				return 0;
			t++;
		}
	}
	size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
	if (!segment_match(p, plen, s, slen))
		return 0;
	if (p[plen] == '\0')
		return s[slen] == '\0';
	if (s[slen] == '\0')
		return 0;
	return path_match(p + plen + 1, s + slen + 1);
}

static int rule_matches(const struct rule *r, const char *path, int is_dir)
{
	if (r->dir_only && !is_dir)
		return 0;
	const char *sub = path;
	if (r->base_len > 0) {
		if (strncmp(path, r->base, r->base_len) != 0 || path[r->base_len] != '/')
			return 0;
		sub = path + r->base_len + 1;
	}
	if (r->anchored)
		return path_match(r->pat, sub);
	const char *name = strrchr(sub, '/');
	name = name ? name + 1 : sub;
	return fnmatch(r->pat, name, 0) == 0;
}

/* The verdict of the last matching rule for exactly this path. */
static int ignored_here(const struct gitignore *gi, const char *path, int is_dir)
{
	for (size_t i = gi->n; i-- > 0;)
		if (rule_matches(&gi->v[i], path, is_dir))
			return !gi->v[i].negate;
	return 0;
}

int gitignore_ignored(const struct gitignore *gi, const char *path, int is_dir)
{
	if (gi->n == 0 || *path == '\0')
		return 0;
	char buf[4096];
	size_t len = strlen(path);
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, path, len + 1);
	/* a parent directory excluded excludes everything below it, whatever comes later */
	for (char *slash = strchr(buf, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		int hit = ignored_here(gi, buf, 1);
		*slash = '/';
		if (hit)
			return 1;
	}
	return ignored_here(gi, buf, is_dir);
}
