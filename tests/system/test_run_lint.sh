# Lint inside run: the rules over stdout, stderr, the run's journal and its end; findings after
# the verdict, in report.json and lint.txt; exit 2 when the job is done but lint fails (--strict: warnings
# too), 1 stays 1; --no-lint. And the run directory's events.jsonl read back by `konnector-harness lint`
# reaches the run's verdict.
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/tests/system/konnectors/shell" k
R=k/.harness/runs/latest
J() { printf '{"type":"%s","message":"%s"}\n' "$1" "$2"; }
verdict_of() { sed -n 's/^[^ ]*: verdict: \(judging the events alone (no exit status known): \)\{0,1\}//p' "$1"; }

# 1. clean run: exit 0, no finding, lint.txt says so, report.json has the lint block
NO_COLOR=1 expect_status 0 "$KH" run k --cmd 'echo "{\"type\":\"info\",\"message\":\"hi\"}"'
expect_contains "$out" "0 errors, 0 warnings, 0 info"
[ "$(json_get $R/report.json 'j.lint.errors + "/" + j.lint.warnings + "/" + j.lint.files[0].file')" = 0/0/stdout.log ] ||
	fail "report.json lint: $(cat $R/report.json)"
grep -q '^stdout.log: verdict: job done$' $R/lint.txt || fail "lint.txt: $(cat $R/lint.txt)"

# 2. warnings only: 0, or 2 with --strict
NO_COLOR=1 expect_status 0 "$KH" run k --cmd 'echo hello'
expect_contains "$out" "stdout.log:1: warning not-json:"
NO_COLOR=1 expect_status 2 "$KH" run k --cmd 'echo hello' --strict
[ "$(json_get $R/report.json 'j.state + "/" + j.lint.strict')" = done/true ] || fail "--strict report"

# 3. the dev config's password on stderr, a refused request (journal), a done job: exit 2; findings name
# the run directory's files and their lines, after the verdict
cat >k/req.js <<'JS'
const h = { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS };
(async () => {
  await fetch(process.env.COZY_URL + 'data/io.cozy.accounts/_all_docs', { headers: h });
  await fetch(process.env.COZY_URL + 'data/io.cozy.bills/_all_docs', { headers: h });
  console.log(JSON.stringify({ type: 'info', message: 'asked' }));
  console.error('debug: logging in with hunter22');
})();
JS
node -e '
const fs=require("fs");fs.writeFileSync("k/konnector-dev-config.json","// c\n"+JSON.stringify({fields:{login:"bob",password:"hunter22"}}))'
NO_COLOR=1 expect_status 2 "$KH" run k --entry req.js
expect_contains "$out" "stderr.log:1: error secret-leak: the value of the dev-config field \"password\" appears on stderr"
expect_contains "$out" "journal.jsonl:2: warning permission-missing: GET /data/io.cozy.bills/_all_docs"
case "$out" in *"shelltest done"*"lint (files of the run directory):"*"secret-leak"*) ;; *) fail "findings not after the verdict: $out" ;; esac
sed -n 2p $R/journal.jsonl | grep -q 'io.cozy.bills' || fail "journal.jsonl line 2 is not the refused request: $(cat $R/journal.jsonl)"
grep -q 'journal.jsonl:2: warning permission-missing' $R/lint.txt || fail "lint.txt: $(cat $R/lint.txt)"
[ "$(json_get $R/report.json 'j.lint.files[0].findings.map(f => f.rule).sort().join()')" = permission-missing,secret-leak ] ||
	fail "report.json findings: $(cat $R/report.json)"
# --format json: the same report on stdout, lint included
set +e
"$KH" run k --entry req.js --format json >rep.json 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--format json exit $rc"
[ "$(json_get rep.json 'j.state + "/" + j.lint.errors')" = done/1 ] || fail "--format json lint: $(cat rep.json)"
# --no-lint: the stack's verdict alone
NO_COLOR=1 expect_status 0 "$KH" run k --entry req.js --no-lint
case "$out" in *secret-leak* | *"lint ("*) fail "--no-lint: $out" ;; esac

# 4. an errored job stays 1 whatever lint finds
NO_COLOR=1 expect_status 1 "$KH" run k --cmd 'echo hunter22; exit 3'
expect_contains "$out" "stdout.log:1: error secret-leak"
expect_contains "$out" "warning exit-without-reason"

# 5. the run directory's events.jsonl read back by `konnector-harness lint`: the same verdict and stdout
# findings as the run's (here a LOGIN_FAILED critical between two errors, a '\r', a non-JSON line)
cat >k/events.sh <<'SH'
echo junk
printf '{"type":"info","message":"x"}\r\n'
echo '{"type":"error","message":"E1"}'
echo '{"type":"critical","message":"LOGIN_FAILED.WRONG_TWOFA"}'
echo '{"type":"error","message":"E2"}'
echo '{"type":"ok","message":"done"}'
SH
NO_COLOR=1 expect_status 1 "$KH" run k --cmd 'sh events.sh'
expect_contains "$out" 'stdout.log: verdict: job errored: "LOGIN_FAILED.WRONG_TWOFA" (no retry; later automatic runs are skipped)'
run_verdict=$(verdict_of $R/lint.txt)
[ -n "$run_verdict" ] || fail "no verdict in lint.txt: $(cat $R/lint.txt)"
# exactly: konnector-harness lint DIR/.harness/runs/latest/events.jsonl
set +e
"$KH" lint k/.harness/runs/latest/events.jsonl >lint.out 2>&1
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "lint of events.jsonl exited $rc: $(cat lint.out)"
[ "$(verdict_of lint.out)" = "$run_verdict" ] || fail "verdicts differ: run '$run_verdict', lint: $(cat lint.out)"
# the same stdout findings at the same lines (the run's end-of-run findings need the exit status)
grep '^stdout.log:[0-9]' $R/lint.txt | sed 's/^stdout.log//' | grep -v 'error-fails-job\|exit-without-reason' >run.findings
grep '^k/.harness/runs/latest/events.jsonl:[0-9]' lint.out | sed 's/^k\/.harness\/runs\/latest\/events.jsonl//' >lint.findings
[ -s run.findings ] || fail "no stdout finding in the run"
diff run.findings lint.findings || fail "findings differ"
# with the run's exit status, stderr and journal the whole verdict line matches too
code=$(json_get $R/report.json 'j.process.code')
expect_status 0 "$KH" lint --exit-code "$code" --fields k/konnector-dev-config.json --stderr $R/stderr.log \
	--journal $R/journal.jsonl k/.harness/runs/latest/events.jsonl
[ "$(printf '%s\n' "$out" | sed -n 's/^[^ ]*: verdict: //p')" = "$run_verdict" ] || fail "verdict with --exit-code: $out"
[ "$(json_get $R/report.json 'j.error')" = LOGIN_FAILED.WRONG_TWOFA ] || fail "the run's own verdict"
