/*
 * vendor-proxy/: record through the proxy against a local node vendor (HTTPS
 * with its own self-signed certificate, and plain HTTP), with the curl
 * command as the konnector; then replay with the vendor gone: same bytes,
 * repeated requests in recorded order, secrets matched by placeholder, an
 * unrecorded request answered 502.
 */
#include "common/atomic_file.h"
#include "common/err.h"
#include "common/loop.h"
#include "vendor-proxy/proxy.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *vendor_js =
	"const fs=require('fs'),https=require('https'),http=require('http'),zlib=require('zlib');"
	"let count=0,conns=0;"
	"function bytes(n){const b=Buffer.alloc(n);for(let i=0;i<n;i++)b[i]=(i*7+3)%251;return b;}"
	"function h(q,r){let body=[];q.on('data',d=>body.push(d));q.on('end',()=>{"
	" body=Buffer.concat(body).toString();const u=new URL(q.url,'http://x');"
	" if(u.pathname==='/hello'){r.writeHead(200,{'content-type':'text/plain'});return r.end('hello '+q.url);}"
	" if(u.pathname==='/pdf'){const b=bytes(+u.searchParams.get('n'));"
	"  r.writeHead(200,{'content-type':'application/pdf','content-length':b.length});return r.end(b);}"
	" if(u.pathname==='/chunked'){const "
	"b=bytes(+u.searchParams.get('n'));r.writeHead(200,{'content-type':'application/octet-stream'});"
	"  for(let i=0;i<b.length;i+=10000)r.write(b.subarray(i,i+10000));return r.end();}"
	" if(u.pathname==='/count'){count++;r.writeHead(200,{'content-type':'text/plain'});return r.end('n='+count);}"
	" if(u.pathname==='/login'){const f=new URLSearchParams(body);"
	"  r.writeHead(200,{'content-type':'text/html','set-cookie':'sid=abc123SECRET; Path=/; HttpOnly'});"
	"  return r.end('<p>welcome '+f.get('login')+'</p>');}"
	" if(u.pathname==='/gzip'){r.writeHead(200,{'content-type':'application/json','content-encoding':'gzip'});"
	"  return r.end(zlib.gzipSync(JSON.stringify({ok:true,pad:'x'.repeat(1000)})));}"
	" r.writeHead(404);r.end('no');});}"
	"const s=https.createServer({cert:fs.readFileSync(process.argv[1]),key:fs.readFileSync(process.argv[2])},h);"
	"const p=http.createServer(h);"
	"s.on('connection',()=>{conns++;});p.on('connection',()=>{conns++;});"
	"s.listen(0,'127.0.0.1',()=>p.listen(0,'127.0.0.1',()=>console.log(s.address().port+' '+p.address().port)));";

static char dir[] = "/tmp/kh-proxy-test-XXXXXX";
static pid_t vendor_pid;
static int https_port, http_port;

/* Run a command and fail the test unless it exits 0. */
static void sh(const char *cmd)
{
	int rc = system(cmd);
	cr_assert_eq(rc, 0, "command failed: %s", cmd);
}

static void vendor_start(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 -days 2 -keyout %s/vendor.key -out %s/vendor.pem 2>/dev/null",
		 dir, dir);
	sh(cmd);
	int p[2];
	cr_assert_eq(pipe(p), 0);
	vendor_pid = fork();
	cr_assert_geq(vendor_pid, 0);
	if (vendor_pid == 0) {
		char cert[512], key[512];
		snprintf(cert, sizeof(cert), "%s/vendor.pem", dir);
		snprintf(key, sizeof(key), "%s/vendor.key", dir);
		dup2(p[1], 1);
		close(p[0]);
		execlp("node", "node", "-e", vendor_js, cert, key, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	cr_assert_eq(fscanf(f, "%d %d", &https_port, &http_port), 2, "the node vendor did not start");
	fclose(f);
}

static void vendor_stop(void)
{
	if (vendor_pid > 0) {
		kill(vendor_pid, SIGTERM);
		waitpid(vendor_pid, NULL, 0);
		vendor_pid = 0;
	}
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	vendor_start();
}

static void teardown(void)
{
	vendor_stop();
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	system(cmd);
}

/* curl through the proxy as the konnector would (only the proxy variables it is given). Returns curl's status. */
static int curl_via(struct loop *loop, struct proxy *p, const char *out, const char *const *args)
{
	char err[ERR_MAX];
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *argv[32] = {"curl", "-sS", "-x", proxy_url(p), "--cacert", proxy_ca_path(p), "-o", out};
		size_t n = 8;
		for (size_t i = 0; args[i] != NULL && n < 30; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		char *envp[] = {"PATH=/usr/bin:/bin", NULL};
		execve("/usr/bin/curl", (char **)argv, envp);
		_exit(127);
	}
	long long deadline = loop_now_ms() + 20000;
	int status = 0;
	while (loop_now_ms() < deadline) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		cr_assert_eq(loop_run_once(loop, 20, err), 0, "%s", err);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	cr_assert_fail("curl did not finish in time");
	return -1;
}

static char *slurp(const char *path, size_t *len)
{
	char err[ERR_MAX];
	char *d = file_read_all(path, len, err);
	cr_assert_not_null(d, "%s", err);
	return d;
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* One request per call: name of the output file, then curl's arguments. */
struct req {
	const char *out;
	const char *args[8];
};

static void url_of(char *buf, size_t n, int https, const char *path)
{
	snprintf(buf, n, "%s://127.0.0.1:%d%s", https ? "https" : "http", https ? https_port : http_port, path);
}

TestSuite(proxy, .init = setup, .fini = teardown, .timeout = 120);

Test(proxy, records_then_replays_without_the_vendor)
{
	char err[ERR_MAX], har[512], cadir[512], vca[512];
	path_of(har, sizeof(har), "vendor.har");
	path_of(cadir, sizeof(cadir), "ca");
	path_of(vca, sizeof(vca), "vendor.pem");
	struct proxy_secret secrets[] = {{"login", "homer@example.com"}, {"password", "hunter2 secret"}};
	struct proxy_options o = {.mode = PROXY_RECORD,
				  .har_path = har,
				  .ca_dir = cadir,
				  .vendor_ca = vca,
				  .secrets = secrets,
				  .n_secrets = 2};
	struct loop *loop = loop_new(err);
	struct proxy *p = proxy_start(loop, &o, err);
	cr_assert_not_null(p, "%s", err);
	struct stat st;
	char key[600];
	snprintf(key, sizeof(key), "%s/ca.key", cadir);
	cr_assert_eq(stat(key, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "the CA key is private");
	cr_assert_eq(stat(cadir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);

	char u_hello[256], u_pdf[256], u_chunk[256], u_count[256], u_login[256], u_gzip[256], u_plain[256];
	url_of(u_hello, sizeof(u_hello), 1, "/hello?b=2&a=1");
	url_of(u_pdf, sizeof(u_pdf), 1, "/pdf?n=300000");
	url_of(u_chunk, sizeof(u_chunk), 1, "/chunked?n=70000");
	url_of(u_count, sizeof(u_count), 1, "/count");
	url_of(u_login, sizeof(u_login), 1, "/login");
	url_of(u_gzip, sizeof(u_gzip), 1, "/gzip");
	url_of(u_plain, sizeof(u_plain), 0, "/hello?x=1");
	char out[16][512];
	const char *names[] = {"hello", "pdf", "chunk", "count1", "count2", "login", "gzip", "plain", "head"};
	for (size_t i = 0; i < 9; i++)
		path_of(out[i], sizeof(out[i]), names[i]);
	struct req reqs[] = {
		{out[0], {u_hello, NULL}},
		{out[1], {u_pdf, NULL}},
		{out[2], {u_chunk, NULL}},
		{out[3], {u_count, NULL}},
		{out[4], {u_count, NULL}},
		{out[5], {"--data", "login=homer%40example.com&password=hunter2+secret", u_login, NULL}},
		{out[6], {"--compressed", u_gzip, NULL}},
		{out[7], {u_plain, NULL}},
		{out[8], {"-I", u_pdf, NULL}},
	};
	for (size_t i = 0; i < 9; i++)
		cr_assert_eq(curl_via(loop, p, reqs[i].out, reqs[i].args), 0, "recording %s failed", names[i]);
	size_t n;
	char *d = slurp(out[3], &n);
	cr_assert_str_eq(d, "n=1");
	free(d);
	d = slurp(out[1], &n);
	cr_assert_eq(n, 300000);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq((unsigned char)d[i], (i * 7 + 3) % 251, "byte %zu", i);
	free(d);
	d = slurp(out[5], &n);
	cr_assert_str_eq(d, "<p>welcome homer@example.com</p>");
	free(d);

	json_t *rep = proxy_report(p);
	cr_assert_eq(json_integer_value(json_object_get(rep, "recorded")), 9, "%s", json_dumps(rep, 0));
	json_decref(rep);
	cr_assert_eq(proxy_save(p, err), 0, "%s", err);
	proxy_stop(p);

	/* What was saved keeps no secret, and is JSON any tool reads. */
	char *text = slurp(har, &n);
	cr_assert_null(strstr(text, "hunter2"), "the password is in the HAR");
	cr_assert_null(strstr(text, "homer%40example.com"), "the encoded login is in the HAR");
	cr_assert_null(strstr(text, "homer@example.com"), "the login is in the HAR");
	cr_assert_null(strstr(text, "abc123SECRET"), "the session cookie is in the HAR");
	cr_assert_not_null(strstr(text, "{{kh:password}}"));
	cr_assert_not_null(strstr(text, "\"encoding\": \"base64\""));
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	cr_assert_not_null(root, "%s at %d:%d", je.text, je.line, je.column);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(root, "log"), "version")), "1.2");
	cr_assert_eq(json_array_size(json_object_get(json_object_get(root, "log"), "entries")), 9);
	json_decref(root);
	free(text);

	/* Replay with the vendor gone, the password changed. */
	vendor_stop();
	struct proxy_secret now[] = {{"login", "homer@example.com"}, {"password", "an0ther pass"}};
	o.mode = PROXY_REPLAY;
	o.secrets = now;
	p = proxy_start(loop, &o, err);
	cr_assert_not_null(p, "%s", err);
	url_of(u_hello, sizeof(u_hello), 1, "/hello?a=1&b=2");
	char rout[16][512];
	const char *rnames[] = {"r-hello", "r-pdf",   "r-chunk",  "r-count1", "r-count2", "r-login",
				"r-gzip",  "r-plain", "r-count3", "r-nope",   "r-head"};
	for (size_t i = 0; i < 11; i++)
		path_of(rout[i], sizeof(rout[i]), rnames[i]);
	char u_nope[256];
	url_of(u_nope, sizeof(u_nope), 1, "/nope");
	struct req rreqs[] = {
		{rout[0], {u_hello, NULL}},
		{rout[1], {u_pdf, NULL}},
		{rout[2], {u_chunk, NULL}},
		{rout[3], {u_count, NULL}},
		{rout[4], {u_count, NULL}},
		{rout[5], {"--data", "password=an0ther+pass&login=homer%40example.com", u_login, NULL}},
		{rout[6], {"--compressed", u_gzip, NULL}},
		{rout[7], {u_plain, NULL}},
		{rout[8], {u_count, NULL}},
		{rout[9], {u_nope, NULL}},
		{rout[10], {"-I", u_pdf, NULL}},
	};
	for (size_t i = 0; i < 11; i++)
		cr_assert_eq(curl_via(loop, p, rreqs[i].out, rreqs[i].args), 0, "replaying %s failed", rnames[i]);
	for (size_t i = 0; i < 8; i++) {
		size_t a, b;
		char *x = slurp(out[i], &a), *y = slurp(rout[i], &b);
		if (i == 0) {
			/* The vendor echoed the URL it got: the recorded one, whatever the query order now. */
			cr_assert_not_null(strstr(y, "/hello?b=2&a=1"), "%s", y);
		} else if (i == 5) {
			/* The placeholder for the login goes back to the current value. */
			cr_assert_str_eq(y, "<p>welcome homer@example.com</p>");
		} else {
			cr_assert_eq(a, b, "%s: %zu bytes recorded, %zu replayed", names[i], a, b);
			cr_assert_eq(memcmp(x, y, a), 0, "%s differs", names[i]);
		}
		free(x);
		free(y);
	}
	d = slurp(rout[4], &n);
	cr_assert_str_eq(d, "n=2", "identical requests are answered in recorded order");
	free(d);
	d = slurp(rout[8], &n);
	cr_assert_str_eq(d, "n=2", "past the recorded ones, the last answers again");
	free(d);
	d = slurp(rout[10], &n);
	cr_assert_not_null(strcasestr(d, "content-length: 300000"), "HEAD keeps its length: %s", d);
	cr_assert_not_null(strstr(d, "HTTP/1.1 200"), "%s", d);
	free(d);
	d = slurp(rout[9], &n);
	cr_assert_not_null(strstr(d, "no recorded answer for GET https://127.0.0.1:"), "%s", d);
	cr_assert_not_null(strstr(d, "vendor.har"), "%s", d);
	free(d);
	rep = proxy_report(p);
	cr_assert_eq(json_array_size(json_object_get(rep, "unrecorded")), 1, "%s", json_dumps(rep, 0));
	cr_assert_eq(json_array_size(json_object_get(rep, "unused")), 0, "%s", json_dumps(rep, 0));
	cr_assert_eq(json_integer_value(json_object_get(rep, "replayed")), 10);
	json_decref(rep);
	proxy_stop(p);
	loop_free(loop);
}
