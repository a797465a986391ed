/*
 * inotify(7) on the loop: directories watched recursively, a burst reduced to one callback.
 * Slightly over 600 lines: the watch table, the quiet window and the rename/overflow
 * handling share one state and are only right together.
 */
#include "harness/watch/watch.h"

#include "common/atomic_file.h"
#include "common/err.h"
#include "harness/watch/changeset.h"
#include "harness/watch/gitignore.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

/* Never IN_MODIFY: one save is many writes but a single close. */
#define WATCH_MASK                                                                                                     \
	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |        \
	 IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)
/* How long a created file still open for writing may hold the quiet window (a slow copy, an fsync). */
#define WATCH_HOLD_MAX_MS 2000
#define WATCH_HOLD_STEP_MS 10

static const char *const watch_droppings[] = {"*.swp", "*.swx", "*~", "4913", ".#*"};
static const char *const watch_default_dirs[] = {"node_modules/", ".git/", "/data/"};

enum wdir_kind {
	WDIR_TREE,       /* inside DIR: every rule applies */
	WDIR_OUTSIDE,    /* the fixtures folder when outside DIR */
	WDIR_FILES_ONLY, /* parent of an explicitly named file: only that name counts */
};

struct wdir {
	char *rel; /* display path: relative to DIR ("" for DIR), or as given outside it; NULL: free slot */
	char *abs; /* a path to open */
	enum wdir_kind kind;
};

struct watch {
	struct loop *loop;
	int fd;
	struct watch_options opt;
	char *dir;
	char *fixtures_rel; /* display path of the fixtures folder; NULL: none */
	char *fixtures_abs;
	int fixtures_inside;
	char **files; /* display paths of the explicit files */
	size_t nfiles;
	struct gitignore *droppings, *user, *defaults, *git;
	struct wdir *dirs; /* indexed by watch descriptor */
	size_t cap_dirs, ndirs;
	struct changeset cs;
	int overflow;
	long long timer;
	long long batch_start;
};

void watch_enospc_message(char *err, const char *path)
{
	char cur[64] = "?";
	size_t len = 0;
	char *s = file_read_all("/proc/sys/fs/inotify/max_user_watches", &len, NULL);
	if (s != NULL) {
		snprintf(cur, sizeof(cur), "%.*s", (int)strcspn(s, "\n"), s);
		free(s);
	}
	err_set(err,
		"cannot watch %s: the inotify watch limit is reached (fs.inotify.max_user_watches = %s); raise it "
		"with: "
		"sudo sysctl fs.inotify.max_user_watches=524288 (and add that line to /etc/sysctl.conf to keep it), "
		"or --ignore the large directories",
		path, cur);
}

static char *path_join(const char *a, const char *b)
{
	char *s = NULL;
	if (*a == '\0')
		return strdup(b);
	if (asprintf(&s, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return s;
}

/* 1 when path is prefix itself or below it. */
static int path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 0)
		return 1;
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* path relative to DIR when it lies inside it (resolving symlinks; a missing last component is fine), else NULL. */
static char *watch_rel_of(const char *dir, const char *path)
{
	char dreal[PATH_MAX], preal[PATH_MAX];
	if (realpath(dir, dreal) == NULL)
		return NULL;
	if (realpath(path, preal) == NULL) {
		char *copy = strdup(path), *copy2 = strdup(path);
		char *r = NULL;
		if (copy != NULL && copy2 != NULL && realpath(dirname(copy), preal) != NULL) {
			size_t n = strlen(preal);
			snprintf(preal + n, sizeof(preal) - n, "/%s", basename(copy2));
			r = preal;
		}
		free(copy);
		free(copy2);
		if (r == NULL)
			return NULL;
	}
	size_t n = strlen(dreal);
	if (strcmp(preal, dreal) == 0)
		return strdup("");
	if (strcmp(dreal, "/") == 0)
		return strdup(preal + 1);
	if (strncmp(preal, dreal, n) == 0 && preal[n] == '/')
		return strdup(preal + n + 1);
	return NULL;
}

static int watch_is_explicit(const struct watch *w, const char *path)
{
	for (size_t i = 0; i < w->nfiles; i++)
		if (strcmp(w->files[i], path) == 0)
			return 1;
	return 0;
}

static int watch_is_fixture(const struct watch *w, const char *path)
{
	return w->fixtures_rel != NULL && path_under(path, w->fixtures_rel);
}

/* Whether an event on path (a display path) in a directory of this kind counts. */
static int watch_accepts(const struct watch *w, enum wdir_kind kind, const char *path, int is_dir)
{
	if (watch_is_explicit(w, path))
		return 1;
	if (kind == WDIR_FILES_ONLY)
		return 0;
	if (gitignore_ignored(w->droppings, path, is_dir) || gitignore_ignored(w->user, path, is_dir))
		return 0;
	if (kind == WDIR_OUTSIDE || watch_is_fixture(w, path))
		return 1;
	return !gitignore_ignored(w->defaults, path, is_dir) && !gitignore_ignored(w->git, path, is_dir);
}

__attribute__((format(printf, 2, 3))) static void watch_warn(struct watch *w, const char *fmt, ...)
{
	if (w->opt.on_warning == NULL)
		return;
	char msg[ERR_MAX * 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->opt.on_warning(w, msg, w->opt.arg);
}

/* Remember what wd watches; a directory watched already (fixtures inside DIR) keeps its widest kind. */
static int watch_register(struct watch *w, int wd, const char *abs, const char *rel, enum wdir_kind kind, char *err)
{
	if ((size_t)wd >= w->cap_dirs) {
		size_t cap = w->cap_dirs ? w->cap_dirs : 64;
		while (cap <= (size_t)wd)
			cap *= 2;
		struct wdir *v = realloc(w->dirs, cap * sizeof(*v));
		if (v == NULL)
			return err_set(err, "out of memory");
		memset(v + w->cap_dirs, 0, (cap - w->cap_dirs) * sizeof(*v));
		w->dirs = v;
		w->cap_dirs = cap;
	}
	struct wdir *d = &w->dirs[wd];
	if (d->rel != NULL) {
		if (kind == WDIR_FILES_ONLY || (d->kind == kind && strcmp(d->rel, rel) == 0))
			return 0;
		free(d->rel);
		free(d->abs);
		w->ndirs--;
	}
	d->rel = strdup(rel);
	d->abs = strdup(abs);
	d->kind = kind;
	w->ndirs++;
	if (d->rel == NULL || d->abs == NULL)
		return err_set(err, "out of memory");
	return 0;
}

static void watch_unregister(struct watch *w, int wd)
{
	if (wd < 0 || (size_t)wd >= w->cap_dirs || w->dirs[wd].rel == NULL)
		return;
	free(w->dirs[wd].rel);
	free(w->dirs[wd].abs);
	w->dirs[wd] = (struct wdir){0};
	w->ndirs--;
}

/* (Re)read the .gitignore of directory rel, if any. */
static void watch_load_gitignore(struct watch *w, const char *abs, const char *rel)
{
	char *path = path_join(abs, ".gitignore");
	if (path == NULL)
		return;
	gitignore_drop_base(w->git, rel);
	size_t len;
	char err[ERR_MAX];
	char *text = file_read_all(path, &len, NULL);
	if (text != NULL && gitignore_add_text(w->git, rel, text, len, err) < 0)
		watch_warn(w, "%s: %s", path, err);
	free(text);
	free(path);
}

static int watch_add_one(struct watch *w, const char *abs, const char *rel, enum wdir_kind kind, char *err)
{
	int wd =
		w->opt.add_watch ? w->opt.add_watch(w->fd, abs, WATCH_MASK) : inotify_add_watch(w->fd, abs, WATCH_MASK);
	if (wd < 0) {
		if (errno == ENOSPC) {
			watch_enospc_message(err, abs);
			return -1;
		}
		if (errno == ENOENT || errno == ENOTDIR)
			return 1; /* gone already; its parent's event says so */
		if (errno == EACCES) {
			watch_warn(w, "cannot watch %s: %s", abs, strerror(errno));
			return 1;
		}
		return err_set(err, "inotify_add_watch %s: %s", abs, strerror(errno));
	}
	return watch_register(w, wd, abs, rel, kind, err);
}

/*
 * Watch abs (display path rel) and every directory below it that counts. With
 * report, the files found are recorded as created: they may have been written
 * before the new directory's watch existed.
 */
static int watch_tree(struct watch *w, const char *abs, const char *rel, enum wdir_kind kind, int report, char *err)
{
	int rc = watch_add_one(w, abs, rel, kind, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (kind == WDIR_TREE)
		watch_load_gitignore(w, abs, rel);
	DIR *dh = opendir(abs);
	if (dh == NULL)
		return 0; /* vanished meanwhile */
	struct dirent *de;
	rc = 0;
	while (rc == 0 && (de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *cabs = path_join(abs, de->d_name);
		char *crel = path_join(rel, de->d_name);
		if (cabs == NULL || crel == NULL) {
			rc = err_set(err, "out of memory");
		} else {
			int is_dir = de->d_type == DT_DIR;
			struct stat st;
			if (de->d_type == DT_UNKNOWN && lstat(cabs, &st) == 0)
				is_dir = S_ISDIR(st.st_mode);
			if (!watch_accepts(w, kind, crel, is_dir))
				;
			else if (report && changeset_note(&w->cs, crel, CHANGE_CREATED, 0,
							  watch_is_fixture(w, crel) || kind == WDIR_OUTSIDE, err) < 0)
				rc = -1;
			else if (is_dir)
				rc = watch_tree(w, cabs, crel, kind, report, err);
		}
		free(cabs);
		free(crel);
	}
	closedir(dh);
	return rc;
}

/* Stop watching rel and everything below it (a directory moved away). */
static void watch_forget(struct watch *w, const char *rel)
{
	for (size_t wd = 0; wd < w->cap_dirs; wd++) {
		if (w->dirs[wd].rel != NULL && w->dirs[wd].kind != WDIR_FILES_ONLY &&
		    path_under(w->dirs[wd].rel, rel)) {
			inotify_rm_watch(w->fd, (int)wd);
			watch_unregister(w, (int)wd);
		}
	}
}

/* Walk every tree again (after lost events or a .gitignore change): adds what is missing. */
static int watch_rescan(struct watch *w, char *err)
{
	if (watch_tree(w, w->dir, "", WDIR_TREE, 0, err) < 0)
		return -1;
	if (w->fixtures_abs != NULL)
		return watch_tree(w, w->fixtures_abs, w->fixtures_rel, w->fixtures_inside ? WDIR_TREE : WDIR_OUTSIDE, 0,
				  err);
	return 0;
}

static void watch_on_quiet(struct loop *loop, void *arg)
{
	struct watch *w = arg;
	w->timer = 0;
	long long now = loop_now_ms();
	if (changeset_open_count(&w->cs) > 0 && now - w->batch_start < WATCH_HOLD_MAX_MS) {
		long long step = w->opt.debounce_ms > WATCH_HOLD_STEP_MS ? w->opt.debounce_ms : WATCH_HOLD_STEP_MS;
		w->timer = loop_add_timer(loop, step, watch_on_quiet, w);
		return;
	}
	w->batch_start = 0;
	struct watch_change ch = {.overflow = w->overflow};
	ch.paths = changeset_take(&w->cs, &ch.npaths, &ch.fixtures_changed);
	w->overflow = 0;
	if (ch.paths == NULL) {
		watch_warn(w, "out of memory: a change was dropped");
		return;
	}
	if (ch.overflow)
		ch.fixtures_changed = w->fixtures_rel != NULL;
	if (ch.npaths > 0 || ch.overflow)
		w->opt.on_change(w, &ch, w->opt.arg); /* may call watch_stop: w is not touched after */
	changeset_paths_free(ch.paths);
}

/* (Re)start the quiet window. */
static void watch_arm(struct watch *w)
{
	if (w->timer > 0)
		loop_del_timer(w->loop, w->timer);
	if (w->batch_start == 0)
		w->batch_start = loop_now_ms();
	w->timer = loop_add_timer(w->loop, w->opt.debounce_ms, watch_on_quiet, w);
	if (w->timer < 0)
		w->timer = 0;
}

/* A regular file just created with a single link: expect its IN_CLOSE_WRITE. */
static int watch_created_open(const char *abs)
{
	struct stat st;
	return lstat(abs, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1;
}

static void watch_on_event(struct watch *w, const struct inotify_event *ev)
{
	char err[ERR_MAX];
	if (ev->mask & IN_Q_OVERFLOW) {
		w->overflow = 1;
		if (watch_rescan(w, err) < 0)
			watch_warn(w, "%s", err);
		watch_arm(w);
		return;
	}
	if (ev->wd < 0 || (size_t)ev->wd >= w->cap_dirs || w->dirs[ev->wd].rel == NULL)
		return; /* forgotten already */
	if (ev->mask & IN_IGNORED) {
		watch_unregister(w, ev->wd);
		return;
	}
	if (ev->len == 0)
		return; /* IN_DELETE_SELF, IN_MOVE_SELF: the parent's event tells, IN_IGNORED follows */
	const struct wdir *d = &w->dirs[ev->wd];
	enum wdir_kind kind = d->kind;
	int is_dir = (ev->mask & IN_ISDIR) != 0;
	char *rel = path_join(d->rel, ev->name);
	char *abs = path_join(d->abs, ev->name);
	char *dir_rel = strdup(d->rel), *dir_abs = strdup(d->abs); /* d may move when watches are added */
	if (rel == NULL || abs == NULL || dir_rel == NULL || dir_abs == NULL || !watch_accepts(w, kind, rel, is_dir))
		goto out;
	enum change_kind ck = (ev->mask & (IN_CREATE | IN_MOVED_TO)) ? CHANGE_CREATED
			      : (ev->mask & IN_CLOSE_WRITE)          ? CHANGE_WRITTEN
								     : CHANGE_REMOVED;
	int open = (ev->mask & IN_CREATE) && !is_dir && watch_created_open(abs);
	int fixture = kind == WDIR_OUTSIDE || watch_is_fixture(w, rel);
	if (changeset_note(&w->cs, rel, ck, open, fixture, err) < 0)
		watch_warn(w, "%s", err);
	if (is_dir && kind != WDIR_FILES_ONLY) {
		if (ev->mask & IN_MOVED_FROM)
			watch_forget(w, rel);
		else if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && watch_tree(w, abs, rel, kind, 1, err) < 0)
			watch_warn(w, "%s", err);
	}
	if (!is_dir && kind == WDIR_TREE && strcmp(ev->name, ".gitignore") == 0) {
		watch_load_gitignore(w, dir_abs, dir_rel);
		if (watch_rescan(w, err) < 0)
			watch_warn(w, "%s", err);
	}
	watch_arm(w);
out:
	free(rel);
	free(abs);
	free(dir_rel);
	free(dir_abs);
}

static void watch_on_readable(struct loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)events;
	struct watch *w = arg;
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return; /* EAGAIN: drained */
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			watch_on_event(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
}

static int watch_add_ignores(struct gitignore *gi, const char *const *pats, size_t n, char *err)
{
	for (size_t i = 0; i < n; i++)
		if (gitignore_add_pattern(gi, "", pats[i], err) < 0)
			return -1;
	return 0;
}

/* Strip trailing slashes (but keep "/"). */
static char *path_clean(const char *p)
{
	char *s = strdup(p);
	if (s == NULL)
		return NULL;
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static int watch_setup_fixtures(struct watch *w, char *err)
{
	struct stat st;
	if (w->opt.fixtures_dir == NULL)
		return 0;
	if (stat(w->opt.fixtures_dir, &st) < 0)
		return err_set(err, "fixtures folder %s: %s", w->opt.fixtures_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(err, "fixtures folder %s: not a directory", w->opt.fixtures_dir);
	char *rel = watch_rel_of(w->dir, w->opt.fixtures_dir);
	w->fixtures_inside = rel != NULL;
	w->fixtures_rel = rel != NULL ? rel : path_clean(w->opt.fixtures_dir);
	w->fixtures_abs = rel != NULL ? path_join(w->dir, rel) : path_clean(w->opt.fixtures_dir);
	if (w->fixtures_rel == NULL || w->fixtures_abs == NULL)
		return err_set(err, "out of memory");
	if (*w->fixtures_rel == '\0') {
		free(w->fixtures_abs);
		w->fixtures_abs = NULL; /* DIR itself: the main walk covers it */
		return 0;
	}
	return watch_tree(w, w->fixtures_abs, w->fixtures_rel, w->fixtures_inside ? WDIR_TREE : WDIR_OUTSIDE, 0, err);
}

/* Explicit files: always count; their directory is watched for them alone when the trees do not cover it. */
static int watch_setup_files(struct watch *w, char *err)
{
	w->files = calloc(w->opt.nfiles + 1, sizeof(*w->files));
	if (w->files == NULL)
		return err_set(err, "out of memory");
	for (size_t i = 0; i < w->opt.nfiles; i++) {
		char *c1 = strdup(w->opt.files[i]), *c2 = strdup(w->opt.files[i]);
		char *rel = watch_rel_of(w->dir, w->opt.files[i]);
		char *prel = NULL, *pabs = NULL;
		int rc = -1;
		if (c1 == NULL || c2 == NULL)
			goto next;
		if (rel != NULL) {
			char *slash = strrchr(rel, '/');
			prel = slash ? strndup(rel, (size_t)(slash - rel)) : strdup("");
			pabs = prel ? path_join(w->dir, prel) : NULL;
		} else {
			prel = strdup(dirname(c1));
			pabs = prel ? strdup(prel) : NULL;
		}
		if (prel == NULL || pabs == NULL)
			goto next;
		w->files[w->nfiles] = rel != NULL ? strdup(rel) : path_join(prel, basename(c2));
		if (w->files[w->nfiles] == NULL)
			goto next;
		w->nfiles++;
		rc = 0;
		if (rel == NULL || !watch_accepts(w, WDIR_TREE, prel, 1) ||
		    (*prel && gitignore_ignored(w->git, prel, 1)))
			rc = watch_add_one(w, pabs, prel, WDIR_FILES_ONLY, err) < 0 ? -2 : 0;
	next:
		if (rc == -1)
			err_set(err, "out of memory");
		free(c1);
		free(c2);
		free(rel);
		free(prel);
		free(pabs);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int watch_setup_ignores(struct watch *w, char *err)
{
	w->droppings = gitignore_new();
	w->user = gitignore_new();
	w->defaults = gitignore_new();
	w->git = gitignore_new();
	if (w->droppings == NULL || w->user == NULL || w->defaults == NULL || w->git == NULL)
		return err_set(err, "out of memory");
	if (watch_add_ignores(w->droppings, watch_droppings, sizeof(watch_droppings) / sizeof(watch_droppings[0]),
			      err) < 0 ||
	    watch_add_ignores(w->defaults, watch_default_dirs,
			      sizeof(watch_default_dirs) / sizeof(watch_default_dirs[0]), err) < 0 ||
	    watch_add_ignores(w->user, w->opt.ignores, w->opt.nignores, err) < 0)
		return -1;
	char *run_rel = w->opt.run_dir ? watch_rel_of(w->dir, w->opt.run_dir) : strdup(".harness");
	if (run_rel != NULL && *run_rel != '\0') {
		char *pat = NULL;
		int rc = asprintf(&pat, "/%s/", run_rel) < 0 ? -1 : gitignore_add_pattern(w->defaults, "", pat, err);
		free(pat);
		free(run_rel);
		return rc < 0 ? err_set(err, "out of memory") : 0;
	}
	free(run_rel);
	return 0;
}

struct watch *watch_start(struct loop *loop, const struct watch_options *opt, char *err)
{
	struct stat st;
	if (opt->dir == NULL || stat(opt->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(err, "%s: not a directory", opt->dir ? opt->dir : "(none)");
		return NULL;
	}
	struct watch *w = calloc(1, sizeof(*w));
	if (w == NULL) {
		err_set(err, "out of memory");
		return NULL;
	}
	w->loop = loop;
	w->opt = *opt;
	if (w->opt.debounce_ms < 0)
		w->opt.debounce_ms = 0;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		err_set(err, "inotify_init1: %s%s", strerror(errno),
			errno == EMFILE ? " (raise it with: sudo sysctl fs.inotify.max_user_instances=1024)" : "");
		free(w);
		return NULL;
	}
	w->dir = path_clean(opt->dir);
	if (w->dir == NULL) {
		err_set(err, "out of memory");
		goto fail;
	}
	if (watch_setup_ignores(w, err) < 0 || watch_tree(w, w->dir, "", WDIR_TREE, 0, err) < 0 ||
	    watch_setup_fixtures(w, err) < 0 || watch_setup_files(w, err) < 0)
		goto fail;
	if (loop_add_fd(loop, w->fd, EPOLLIN, watch_on_readable, w, err) < 0)
		goto fail;
	return w;
fail:
	watch_stop(w);
	return NULL;
}

void watch_stop(struct watch *w)
{
	if (w == NULL)
		return;
	if (w->timer > 0)
		loop_del_timer(w->loop, w->timer);
	loop_del_fd(w->loop, w->fd);
	close(w->fd);
	for (size_t i = 0; i < w->cap_dirs; i++) {
		free(w->dirs[i].rel);
		free(w->dirs[i].abs);
	}
	free(w->dirs);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	gitignore_free(w->droppings);
	gitignore_free(w->user);
	gitignore_free(w->defaults);
	gitignore_free(w->git);
	changeset_clear(&w->cs);
	free(w->dir);
	free(w->fixtures_rel);
	free(w->fixtures_abs);
	free(w);
}

size_t watch_dir_count(const struct watch *w)
{
	return w->ndirs;
}
