/*
 * fake-stack/stack_worker.c and files/files_perm.c through stack.h and HTTP:
 * ensureFolderToSave's steps, ensurePermissions, and the walk up the tree
 * that lets a konnector write below its folder (stack: worker/exec/konnector.go,
 * model/vfs/permissions.go).
 */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
#include "fake-stack/files/files_perm.h"
#include "fake-stack/files/vfs.h"
#include "fake-stack/http/perm.h"
#include "fake-stack/stack.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char dir[] = "/tmp/kh-sw-XXXXXX";
static struct loop *loop;
static struct stack *st;
static const char *ktok;

static void setup(void)
{
	char err[ERR_MAX], p[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/data", dir);
	cr_assert_eq(mkdir_p(p, err), 0, "%s", err);
	snprintf(p, sizeof(p), "%s/data/io.cozy.accounts.json", dir);
	const char *fx =
		"[{\"_id\":\"a1\",\"account_type\":\"k\",\"name\":\"Homer S. <h@x>\",\"label\":\"mine\","
		"\"auth\":{\"login\":\"h@x\",\"credentials_encrypted\":\"c\",\"secret_encrypted\":\"s\"}},"
		"{\"_id\":\"a2\",\"account_type\":\"k\",\"cozyMetadata\":{\"sourceAccountIdentifier\":\"bart\"}}]";
	cr_assert_eq(atomic_write(p, fx, strlen(fx), err), 0, "%s", err);
	loop = loop_new(err);
	cr_assert_not_null(loop, "%s", err);
	struct stack_options o = {.fixtures_dir = dir, .perm_mode = STACK_PERM_ENFORCE};
	st = stack_start(loop, &o, err);
	cr_assert_not_null(st, "%s", err);
	cr_assert_eq(stack_add_konnector(st, "k", NULL, err), 0, "%s", err);
	ktok = stack_mint_konnector_token(st, "k", err);
	cr_assert_not_null(ktok);
}

static void teardown(void)
{
	stack_stop(st);
	loop_free(loop);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(stack_worker, .init = setup, .fini = teardown);

/* One request on the stack's loop; the status, *out the JSON body (new ref) when asked. */
static int req(const char *method, const char *path, const char *body, json_t **out)
{
	char err[ERR_MAX];
	unsigned port = 0;
	cr_assert_eq(sscanf(stack_domain(st), "127.0.0.1:%u", &port), 1);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "%s", strerror(errno));
	char rq[4096];
	int n = snprintf(rq, sizeof(rq),
			 "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 method, path, stack_domain(st), ktok, body ? strlen(body) : 0, body ? body : "");
	cr_assert_eq(write(fd, rq, (size_t)n), n);
	static char resp[65536];
	size_t got = 0;
	long long deadline = loop_now_ms() + 10000;
	for (;;) {
		ssize_t r = recv(fd, resp + got, sizeof(resp) - 1 - got, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "%s", strerror(errno));
		cr_assert_lt(loop_now_ms(), deadline, "no answer from the stack");
		cr_assert_eq(loop_run_once(loop, 50, err), 0, "%s", err);
	}
	close(fd);
	resp[got] = '\0';
	int status = 0;
	cr_assert_eq(sscanf(resp, "HTTP/1.1 %d", &status), 1, "%s", resp);
	const char *b = strstr(resp, "\r\n\r\n");
	if (out != NULL)
		*out = b ? json_loads(b + 4, JSON_DECODE_ANY, NULL) : NULL;
	return status;
}

static char *ensure(const char *account, const char *folder_to_save, json_t *notes)
{
	char err[ERR_MAX] = "", *id = NULL;
	cr_assert_eq(stack_ensure_folder_to_save(st, "k", "my konnector", account, folder_to_save, &id, notes, err), 0,
		     "%s", err);
	return id;
}

static const char *dstr(const json_t *d, const char *k)
{
	return json_string_value(json_object_get(d, k));
}

Test(stack_worker, creates_marks_and_saves_the_account_through_the_struct)
{
	json_t *notes = json_array();
	char *id = ensure("a1", "yes", notes);
	cr_assert_not_null(id);
	json_t *d = NULL;
	char path[256];
	snprintf(path, sizeof(path), "/files/%s", id);
	/* the konnector can read it now that ensurePermissions ran */
	char err[ERR_MAX];
	cr_assert_eq(stack_ensure_konnector_permissions(st, "k", err), 0, "%s", err);
	cr_assert_eq(req("GET", path, NULL, &d), 200);
	json_t *attrs = json_object_get(json_object_get(d, "data"), "attributes");
	/* stack: computeFolderPath: title-cased name, the account name with & / \ # , + ( ) $ @ ~ % . ' " : * ? < > { }
	 * as _ */
	cr_assert_str_eq(dstr(attrs, "path"), "/Administrative/My Konnector/Homer S_ _h_x_");
	json_t *cm = json_object_get(attrs, "cozyMetadata");
	cr_assert_str_eq(dstr(cm, "createdByApp"), "k");
	cr_assert_str_eq(dstr(cm, "sourceAccount"), "a1");
	cr_assert_str_eq(dstr(cm, "doctypeVersion"), "1");
	cr_assert_null(json_object_get(cm, "uploadedAt"), "a directory has no upload metadata");
	json_t *refs = json_object_get(attrs, "referenced_by");
	cr_assert_eq(json_array_size(refs), 1);
	cr_assert_str_eq(dstr(json_array_get(refs, 0), "id"), "io.cozy.konnectors/k");
	json_decref(d);
	/* the account: defaultFolderPath, and what the Go struct does not know is gone */
	json_t *acc = stack_doc_get(st, "io.cozy.accounts", "a1");
	cr_assert_str_eq(dstr(acc, "defaultFolderPath"), "/Administrative/My Konnector/Homer S_ _h_x_");
	cr_assert_null(json_object_get(acc, "label"));
	cr_assert_null(json_object_get(json_object_get(acc, "auth"), "secret_encrypted"));
	cr_assert_str_eq(dstr(json_object_get(acc, "auth"), "credentials_encrypted"), "c");
	json_decref(acc);
	char *all = json_dumps(notes, 0);
	cr_assert_not_null(strstr(all, "label"), "%s", all);
	cr_assert_not_null(strstr(all, "auth.secret_encrypted"), "%s", all);
	free(all);

	/* a second job: "yes" again (the job message is the trigger's), the referenced folder is found */
	char *again = ensure("a1", "yes", notes);
	cr_assert_str_eq(again, id);
	free(again);
	/* a message that names the folder keeps it */
	again = ensure("a1", id, notes);
	cr_assert_str_eq(again, id);
	free(again);
	free(id);
	json_decref(notes);
}

Test(stack_worker, nothing_without_a_value_or_an_account)
{
	json_t *notes = json_array();
	cr_assert_null(ensure("a1", NULL, notes));
	cr_assert_null(ensure("a1", "", notes));
	cr_assert_null(ensure(NULL, "yes", notes), "no account, no referenced folder: no folder");
	json_t *all = stack_doc_get(st, "io.cozy.accounts", "a1");
	cr_assert_null(json_object_get(all, "defaultFolderPath"));
	json_decref(all);
	json_decref(notes);
}

/* A dev config's folder_to_save text is a message value: not a directory id, so the stack makes its folder. */
Test(stack_worker, a_path_is_not_an_id)
{
	json_t *notes = json_array();
	char *id = ensure("a1", "/Administrative/whatever", notes);
	cr_assert_not_null(id);
	cr_assert_str_neq(id, "/Administrative/whatever");
	json_t *d = stack_mkdir_p(st, "/Administrative/My Konnector/Homer S_ _h_x_", NULL);
	cr_assert_str_eq(dstr(d, "_id"), id);
	json_decref(d);
	free(id);
	json_decref(notes);
}

/* Step 2 skips trashed folders and those of another sourceAccountIdentifier, and wants exactly one. */
Test(stack_worker, referenced_folder_rules)
{
	char err[ERR_MAX];
	json_t *notes = json_array();
	json_t *x = stack_mkdir_p(st, "/x", err), *y = stack_mkdir_p(st, "/y", err);
	cr_assert(x && y);
	cr_assert_eq(stack_add_reference(st, dstr(x, "_id"), "io.cozy.konnectors", "io.cozy.konnectors/k", err), 0);
	cr_assert_eq(stack_add_reference(st, dstr(x, "_id"), "io.cozy.accounts.sourceAccountIdentifier", "lisa", err),
		     0);
	cr_assert_eq(stack_add_reference(st, dstr(y, "_id"), "io.cozy.konnectors", "io.cozy.konnectors/k", err), 0);
	/* a1 has no sourceAccountIdentifier: both count, two is not one: a new folder */
	char *id = ensure("a1", "yes", notes);
	cr_assert_str_neq(id, dstr(x, "_id"));
	cr_assert_str_neq(id, dstr(y, "_id"));
	free(id);
	json_decref(notes);
	json_decref(x);
	json_decref(y);
}

Test(stack_worker, referenced_folder_for_the_identifier)
{
	char err[ERR_MAX];
	json_t *notes = json_array();
	json_t *x = stack_mkdir_p(st, "/x", err), *y = stack_mkdir_p(st, "/y", err);
	cr_assert_eq(stack_add_reference(st, dstr(x, "_id"), "io.cozy.konnectors", "io.cozy.konnectors/k", err), 0);
	cr_assert_eq(stack_add_reference(st, dstr(x, "_id"), "io.cozy.accounts.sourceAccountIdentifier", "lisa", err),
		     0);
	cr_assert_eq(stack_add_reference(st, dstr(y, "_id"), "io.cozy.konnectors", "io.cozy.konnectors/k", err), 0);
	/* a2 is bart's: x belongs to lisa, y to nobody in particular: y is the one */
	char *id = ensure("a2", "yes", notes);
	cr_assert_str_eq(id, dstr(y, "_id"));
	free(id);
	json_decref(notes);
	json_decref(x);
	json_decref(y);
}

/* ensurePermissions and the walk up: below its folder a konnector may create and upload (enforce mode). */
Test(stack_worker, walk_up_lets_the_konnector_write_below_its_folder)
{
	json_t *notes = json_array();
	char *id = ensure("a1", "yes", notes);
	char path[512];
	snprintf(path, sizeof(path), "/files/%s?Type=directory&Name=sub", id);
	cr_assert_eq(req("POST", path, NULL, NULL), 403, "no rule yet: refused");
	char err[ERR_MAX];
	cr_assert_eq(stack_ensure_konnector_permissions(st, "k", err), 0, "%s", err);
	json_t *ans = NULL;
	cr_assert_eq(req("POST", path, NULL, &ans), 201);
	const char *sub = dstr(json_object_get(ans, "data"), "id");
	cr_assert_not_null(sub);
	snprintf(path, sizeof(path), "/files/%s?Type=directory&Name=deeper", sub);
	json_t *ans2 = NULL;
	cr_assert_eq(req("POST", path, NULL, &ans2), 201);
	snprintf(path, sizeof(path), "/files/%s?Type=file&Name=a.txt", dstr(json_object_get(ans2, "data"), "id"));
	cr_assert_eq(req("POST", path, "hello", NULL), 201, "an upload two levels below the folder");
	/* outside the folder: still refused */
	cr_assert_eq(req("POST", "/files/io.cozy.files.root-dir?Type=directory&Name=out", NULL, NULL), 403);
	json_decref(ans2);
	json_decref(ans);
	free(id);
	json_decref(notes);
}

/* files_perm_allows on a vfs of its own: ancestors by id, selectors on the file itself, the stack's alternating walk.
 */
Test(files_perm, rules)
{
	char err[ERR_MAX];
	struct vfs *v = vfs_new_temp(err);
	cr_assert_not_null(v, "%s", err);
	const json_t *a, *c, *x;
	cr_assert_eq(vfs_mkdir_p(v, "/a/b/c", NULL, &c, err), VFS_OK, "%s", err);
	char cid[64];
	snprintf(cid, sizeof(cid), "%s", dstr(c, "_id"));
	cr_assert_eq(vfs_mkdir_p(v, "/x", NULL, &x, err), VFS_OK, "%s", err);
	char xid[64];
	snprintf(xid, sizeof(xid), "%s", dstr(x, "_id"));
	a = vfs_get_by_path(v, "/a");
	char aid[64];
	snprintf(aid, sizeof(aid), "%s", dstr(a, "_id"));
	json_t *refs = json_pack("[{s:s,s:s}]", "type", "io.cozy.photos.albums", "id", "album1");
	cr_assert_eq(vfs_add_refs(v, aid, refs, NULL, err), VFS_OK);
	json_decref(refs);
	json_t *tags = json_pack("[s]", "bills");
	json_t *in_c = files_perm_new_doc("file", "f.pdf", cid, tags, "application/pdf");
	json_t *in_x = files_perm_new_doc("file", "f.pdf", xid, NULL, NULL);

	static const struct {
		const char *rules; /* a manifest permissions object; %s is /a's id */
		int in_c, in_x;
	} cases[] = {
		/* an ancestor by id */
		{"{\"p\":{\"type\":\"io.cozy.files\",\"values\":[\"%s\"]}}", 1, 0},
		/* the whole type; a wildcard type */
		{"{\"p\":{\"type\":\"io.cozy.*\",\"verbs\":[\"POST\"]}}%.0s", 1, 1},
		/* another verb only */
		{"{\"p\":{\"type\":\"io.cozy.files\",\"verbs\":[\"GET\"]}}%.0s", 0, 0},
		/* the file's own tags and mime */
		{"{\"p\":{\"type\":\"io.cozy.files\",\"selector\":\"tags\",\"values\":[\"bills\"]}}%.0s", 1, 0},
		{"{\"p\":{\"type\":\"io.cozy.files\",\"selector\":\"mime\",\"values\":[\"application/pdf\"]}}%.0s", 1,
		 1},
		/* an ancestor's referenced_by: a directory gives only the id, not doctype/id */
		{"{\"p\":{\"type\":\"io.cozy.files\",\"selector\":\"referenced_by\",\"values\":[\"album1\"]}}%.0s", 1,
		 0},
		{"{\"p\":{\"type\":\"io.cozy.files\",\"selector\":\"referenced_by\",\"values\":"
		 "[\"io.cozy.photos.albums/album1\"]}}%.0s",
		 0, 0},
		/* two rules for ancestors take turns going up (the stack's loop): /a is checked by the id rule only */
		{"{\"p\":{\"type\":\"io.cozy.files\",\"values\":[\"elsewhere\"]},\"q\":{\"type\":\"io.cozy.files\","
		 "\"selector\":\"referenced_by\",\"values\":[\"album1\"]}}%.0s",
		 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		snprintf(text, sizeof(text), cases[i].rules, aid);
		json_t *perms = json_loads(text, 0, NULL);
		cr_assert_not_null(perms, "%s", text);
		struct perm_set *set = perm_parse(perms, err);
		cr_assert_not_null(set, "%s", err);
		cr_assert_eq(files_perm_allows(set, v, PERM_POST, in_c), cases[i].in_c, "%s", text);
		cr_assert_eq(files_perm_allows(set, v, PERM_POST, in_x), cases[i].in_x, "%s", text);
		perm_set_free(set);
		json_decref(perms);
	}
	json_decref(in_c);
	json_decref(in_x);
	json_decref(tags);
	vfs_free(v);
}
