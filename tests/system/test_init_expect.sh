# run --scenario checks fixtures/<scenario>/expect.json (one passing and one failing case per kind of
# expectation, through the real binary), a scenario's own dev config, --all-scenarios, a bad expect.json.
. "$KH_ROOT/tests/system/lib.sh"

set +e
"$KH" run --help >run-help.txt 2>&1
set -e
grep -q -- '--all-scenarios' run-help.txt || { echo "SKIP: this run has no --all-scenarios"; exit 0; }

mkdir -p k/fixtures/pass/data/io.cozy.notes k/fixtures/fail/data/io.cozy.notes k/fixtures/own-config
cat >k/manifest.konnector <<'JSON'
{"slug": "shk", "name": "Shk", "type": "konnector", "language": "node",
 "fields": {"login": {"type": "text"}},
 "permissions": {"notes": {"type": "io.cozy.notes"}, "accounts": {"type": "io.cozy.accounts"}}}
JSON
echo '{"fields": {"login": "homer"}}' >k/konnector-dev-config.json
# A konnector in sh: one request to the stack, two events, then the verdict it is told to give.
cat >k/k.sh <<'SH'
curl -s -o /dev/null -H "Authorization: Bearer $COZY_CREDENTIALS" "${COZY_URL}data/io.cozy.notes/n1"
echo '{"type":"info","message":"hello from sh"}'
if [ -n "${FAIL_WITH:-}" ]; then echo "{\"type\":\"critical\",\"message\":\"$FAIL_WITH\"}"; exit 1; fi
SH
for s in pass fail; do echo '{"_id": "n1", "title": "first"}' >k/fixtures/$s/data/io.cozy.notes/n1.json; done
cat >k/fixtures/pass/expect.json <<'JSON'
{
  "description": "everything here holds",
  "verdict": "done",
  "documents": {"io.cozy.notes": {"count": 1, "match": [{"title": "first"}]},
                "io.cozy.accounts": {"count": 1, "match": [{"auth": {"login": "homer"}}]}},
  "requests": [{"method": "GET", "path": "/data/io.cozy.notes/*", "status": 200, "count": 1}],
  "events": {"contain": [{"type": "info", "message": "hello"}], "not_contain": [{"type": "critical"}]},
  "lint": {"must_not_fire": ["secret-leak"]}
}
JSON
cat >k/fixtures/fail/expect.json <<'JSON'
{
  "verdict": {"state": "errored", "error": "LOGIN_FAILED"},
  "documents": {"io.cozy.notes": {"count": 2}},
  "files": [{"path": "*/bill.pdf"}],
  "requests": [{"method": "POST", "path": "/accounts/*/refresh", "count": 1}],
  "events": {"contain": [{"type": "warn"}], "not_contain": [{"message": "hello"}]}
}
JSON
# This scenario brings its own dev config: the account gets its fields.
echo '{"fields": {"login": "marge"}}' >k/fixtures/own-config/konnector-dev-config.json
echo '{"documents": {"io.cozy.accounts": {"match": [{"auth": {"login": "marge"}}]}}}' >k/fixtures/own-config/expect.json

expect_status 0 "$KH" run k --scenario pass --cmd 'sh k.sh' --no-color
expect_contains "$out" "expectations: 9 passed, 0 failed"
expect_contains "$out" "PASS requests GET /data/io.cozy.notes/* (status 200) count 1"

expect_status 1 "$KH" run k --scenario fail --cmd 'sh k.sh' --no-color
expect_contains "$out" "expectations: 0 passed, 6 failed"
expect_contains "$out" 'FAIL verdict: expected errored with an error starting with "LOGIN_FAILED", got done'
expect_contains "$out" "FAIL documents io.cozy.notes count 2: expected == 2 io.cozy.notes documents, got 1"
expect_contains "$out" "FAIL files */bill.pdf: expected a file */bill.pdf, got no file matches"
expect_contains "$out" "FAIL requests POST /accounts/*/refresh count 1: expected POST /accounts/*/refresh == 1 time(s), got 0 time(s)"
expect_contains "$out" 'FAIL events contain event (type warn)'
expect_contains "$out" 'FAIL events not_contain event (message containing "hello")'

# The verdict itself can be the expectation: an errored run that was expected to err exits 0.
echo '{"verdict": {"state": "errored", "error": "LOGIN_FAILED"}}' >k/fixtures/fail/expect.json
expect_status 0 "$KH" run k --scenario fail --cmd 'sh k.sh' --env FAIL_WITH=LOGIN_FAILED.TOO_MANY_ATTEMPTS
expect_status 1 "$KH" run k --scenario fail --cmd 'sh k.sh' --env FAIL_WITH=VENDOR_DOWN
# Without a verdict expectation an errored run still fails, even when every other expectation holds.
echo '{"events": {"contain": [{"type": "critical"}]}}' >k/fixtures/fail/expect.json
expect_status 1 "$KH" run k --scenario fail --cmd 'sh k.sh' --env FAIL_WITH=VENDOR_DOWN
expect_contains "$out" "expectations: 1 passed, 0 failed"

"$KH" run k --scenario own-config --cmd 'sh k.sh' --format json >rep.json 2>live.txt || fail "own-config: $(cat rep.json live.txt)"
[ "$(json_get rep.json 'j.expectations.length')" = 1 ] || fail "json report lacks expectations: $(cat rep.json)"
[ "$(json_get rep.json 'j.expectations[0].passed')" = true ] || fail "own-config dev config not used: $(cat rep.json)"
[ "$(json_get rep.json 'j.scenario')" = own-config ] || fail "json report lacks the scenario"
[ "$(json_get k/.harness/runs/latest/report.json 'j.expectations.length')" = 1 ] || fail "report.json lacks expectations"

# Every scenario, in name order; one failing scenario fails the whole.
echo '{"documents": {"io.cozy.notes": {"count": 5}}}' >k/fixtures/fail/expect.json
expect_status 1 "$KH" run k --all-scenarios --cmd 'sh k.sh' --no-color
expect_contains "$out" "== scenario fail"
expect_contains "$out" "== scenario own-config"
expect_contains "$out" "== scenario pass"
# The same as CI test cases: junit (a testsuite per scenario), github annotations, tap.
"$KH" run k --all-scenarios --cmd 'sh k.sh' --format junit >junit.xml 2>live.txt && fail "junit: a failing scenario exited 0"
[ "$(head -n 2 junit.xml | tail -n 1)" = "<testsuites>" ] || fail "junit: $(cat junit.xml)"
[ "$(tail -n 1 junit.xml)" = "</testsuites>" ] || fail "junit end: $(cat junit.xml)"
grep -q '<testsuite name="fail" tests="1" failures="1" errors="0">' junit.xml || fail "junit fail suite: $(cat junit.xml)"
grep -q '<testsuite name="pass" tests="9" failures="0" errors="0">' junit.xml || fail "junit pass suite: $(cat junit.xml)"
grep -q '<failure type="expectation" message="expected == 5 io.cozy.notes documents, got 1">' junit.xml || fail "junit failure"
grep -q 'shk done' live.txt || fail "junit: the verdict goes to stderr: $(cat live.txt)"
"$KH" run k --all-scenarios --cmd 'sh k.sh' --format github >gh.txt 2>/dev/null && fail "github: exited 0"
grep -qx '::error file=k/fixtures/fail/expect.json,title=fail%3A documents io.cozy.notes count 5::expected == 5 io.cozy.notes documents, got 1' gh.txt ||
	fail "github annotation: $(cat gh.txt)"
grep -qx 'konnector-harness: scenario pass: 9 passed, 0 failed' gh.txt || fail "github summary: $(cat gh.txt)"
[ "$(grep -c '^::' gh.txt)" = 1 ] || fail "github: passing expectations annotated: $(cat gh.txt)"
"$KH" run k --all-scenarios --cmd 'sh k.sh' --format tap >tap.txt 2>/dev/null && fail "tap: exited 0"
[ "$(head -n 1 tap.txt)" = "TAP version 13" ] || fail "tap: $(cat tap.txt)"
[ "$(tail -n 1 tap.txt)" = "1..11" ] || fail "tap plan: $(cat tap.txt)"
grep -qx 'not ok 1 - fail: documents io.cozy.notes count 5' tap.txt || fail "tap failure: $(cat tap.txt)"
grep -qx 'ok 3 - pass: verdict' tap.txt || fail "tap pass: $(cat tap.txt)"
# A scenario without expect.json is one case: the verdict must be done.
expect_status 0 "$KH" run k --scenario own-config --cmd 'sh k.sh' --format tap --env FAIL_WITH=
rm k/fixtures/own-config/expect.json
expect_status 1 "$KH" run k --scenario own-config --cmd 'sh k.sh' --format junit --env FAIL_WITH=VENDOR_DOWN
expect_contains "$out" '<failure type="expectation" message="expected done, got errored with error &quot;VENDOR_DOWN&quot;">'
expect_status 64 "$KH" run k --format xml
rm k/fixtures/fail/expect.json
expect_status 0 "$KH" run k --all-scenarios --cmd 'sh k.sh'
expect_status 64 "$KH" run k --all-scenarios --scenario pass

# A malformed expect.json stops the run before it starts (65) with file:line:column.
printf '{\n  "verdict": "done",\n  "events": [,]\n}\n' >k/fixtures/pass/expect.json
expect_status 65 "$KH" run k --scenario pass --cmd 'sh k.sh'
expect_contains "$out" "fixtures/pass/expect.json:3:"
echo '{"verdcit": "done"}' >k/fixtures/pass/expect.json
expect_status 65 "$KH" run k --scenario pass --cmd 'sh k.sh'
expect_contains "$out" 'unknown key "verdcit"'
echo ok
