# run with scenarios on the session design (expect.json inside run/watch): lint expectations see the
# run's real lint findings, events come from events.jsonl as the stack reads them, the exit status with
# lint and expect.json, a scenario's own dev config vs --save-tokens, --all-scenarios as one JSON array,
# a scenario that cannot start as a failed CI case, and watch (expectations on its status line, the
# run-only options refused).
. "$KH_ROOT/tests/system/lib.sh"

mkdir -p k/fixtures/a/data/io.cozy.notes k/fixtures/b/data/io.cozy.notes
cat >k/manifest.konnector <<'JSON'
{"slug": "scn", "name": "Scn", "type": "konnector", "language": "node",
 "fields": {"login": {"type": "text"}, "password": {"type": "password"}},
 "permissions": {"notes": {"type": "io.cozy.notes"}, "accounts": {"type": "io.cozy.accounts"}}}
JSON
echo '{"fields": {"login": "homer", "password": "d0nuts-d0nuts"}}' >k/konnector-dev-config.json
# Not JSON mentioning "hello", an event ending in \r, and (LEAK=1) the password on stdout.
cat >k/k.sh <<'SH'
echo 'hello, not an event'
printf '{"type":"info","message":"saved"}\r\n'
if [ -n "${LEAK:-}" ]; then echo "{\"type\":\"debug\",\"message\":\"pw d0nuts-d0nuts\"}"; fi
SH
for s in a b; do echo '{"_id": "n1", "title": "first"}' >k/fixtures/$s/data/io.cozy.notes/n1.json; done
cat >k/fixtures/a/expect.json <<'JSON'
{"verdict": "done",
 "events": {"contain": [{"type": "info", "message": "saved"}], "not_contain": [{"message": "hello"}]},
 "lint": {"must_not_fire": ["secret-leak"]}}
JSON
echo '{"lint": {"must_not_fire": ["not-json"]}}' >k/fixtures/b/expect.json

# 1. the lint expectations get the run's findings: not-json fired in b, no secret-leak in a
expect_status 0 "$KH" run k --scenario a --cmd 'sh k.sh' --no-color
expect_contains "$out" "PASS events not_contain event (message containing \"hello\")"
expect_contains "$out" "PASS events contain event (type info, message containing \"saved\")"
expect_contains "$out" "PASS lint secret-leak does not fire"
expect_status 1 "$KH" run k --scenario b --cmd 'sh k.sh' --no-color
expect_contains "$out" "FAIL lint not-json does not fire"
# --no-lint: nothing fired, and the expectation says lint did not run
expect_status 0 "$KH" run k --scenario b --cmd 'sh k.sh' --no-lint --format json
expect_contains "$out" "lint did not run"

# 2. exit status: lint errors alone give 2; with an expect.json the expectations decide
expect_status 1 "$KH" run k --scenario a --cmd 'sh k.sh' --env LEAK=1 --no-color
expect_contains "$out" "FAIL lint secret-leak does not fire"
echo '{"verdict": "done"}' >k/fixtures/a/expect.json
expect_status 0 "$KH" run k --scenario a --cmd 'sh k.sh' --env LEAK=1 --no-color
expect_contains "$out" "secret-leak"
rm k/fixtures/a/expect.json
expect_status 2 "$KH" run k --scenario a --cmd 'sh k.sh' --env LEAK=1 --no-color

# 3. a scenario's own dev config: the account gets it; --save-tokens would write into fixtures, so no
echo '{"fields": {"login": "marge", "password": "pretzels"}}' >k/fixtures/b/konnector-dev-config.json
echo '{"documents": {"io.cozy.accounts": {"count": 1, "match": [{"auth": {"login": "marge"}}]}}}' >k/fixtures/b/expect.json
expect_status 0 "$KH" run k --scenario b --cmd 'sh k.sh'
expect_status 64 "$KH" run k --scenario b --cmd 'sh k.sh' --save-tokens
expect_contains "$out" "fixtures are never written"
# --config still wins over the scenario's
expect_status 1 "$KH" run k --scenario b --cmd 'sh k.sh' --config k/konnector-dev-config.json
expect_contains "$out" "FAIL documents io.cozy.accounts match[0]"

# 4. --all-scenarios --format json: one array, a report per scenario, in name order
"$KH" run k --all-scenarios --cmd 'sh k.sh' --format json >all.json 2>live.txt || fail "all json: $(cat all.json live.txt)"
[ "$(json_get all.json 'j.map(r => r.scenario).join(",")')" = "a,b" ] || fail "all json: $(cat all.json)"
[ "$(json_get all.json 'j[0].expectations === undefined && j[1].expectations.length')" = 2 ] || fail "all json: $(cat all.json)"

# 5. a scenario that cannot start is one failed case; the others still run
mkdir -p k/fixtures/c/data/io.cozy.notes
echo '{"_id": ' >k/fixtures/c/data/io.cozy.notes/bad.json
"$KH" run k --all-scenarios --cmd 'sh k.sh' --format junit >junit.xml 2>live.txt && fail "junit: a broken scenario exited 0"
grep -q '<testsuite name="c" tests="1" failures="1" errors="0">' junit.xml || fail "junit broken scenario: $(cat junit.xml)"
grep -q '<testsuite name="b" tests="2" failures="0" errors="0">' junit.xml || fail "junit b: $(cat junit.xml)"
grep -q 'bad.json' junit.xml || fail "junit: the failure names the bad file: $(cat junit.xml)"
rm -r k/fixtures/c

# 6. watch: the run-only options are refused; expectations on the status line
expect_status 64 "$KH" watch k --all-scenarios
expect_contains "$out" "--all-scenarios is for"
expect_status 64 "$KH" watch k --format github
expect_status 64 "$KH" run k --format junitx
NO_COLOR=1 "$KH" watch k --scenario b --cmd 'sh k.sh' >watch.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
has_line() { grep -q "$2" "$1"; }
wait_for has_line watch.log '^\[watch\] run 1 · start · done · .* · expectations 2/2 passed · '
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "watch exited $rc: $(cat watch.log)"
grep -q "expectations: 2 passed, 0 failed" watch.log || fail "watch: no expectation lines: $(cat watch.log)"
echo ok
