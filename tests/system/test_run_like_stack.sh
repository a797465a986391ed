# run --like-stack: an errored job runs once more as the stack's worker runs it (model/job/worker.go:
# one retry, none after LOGIN_FAILED / USER_ACTION_NEEDED or a critical no_retry), with the same job
# id, trigger, account and state, in RUNDIR/retry; the retry's verdict is the job's. Without the flag
# a run is one execution.
. "$KH_ROOT/tests/system/lib.sh"

mkdir k
printf '{"slug":"ls","name":"ls","fields":{"login":{}},"permissions":{"n":{"type":"io.cozy.notes"}}}\n' \
	>k/manifest.konnector
printf '{"fields":{"login":"x"}}\n' >k/konnector-dev-config.json
# say TYPE MESSAGE [no_retry]: one event line
cat >k/say.sh <<'SH'
printf '{"type":"%s","message":"%s"%s}\n' "$1" "$2" "${3:+,\"no_retry\":true}"
SH
# the first execution saves a note and fails with $1; a second one counts the notes it sees and ends done
first_fails() {
	printf '%s' "echo \"\$COZY_JOB_ID \$COZY_TRIGGER_ID \$COZY_FIELDS\" >>seen
if [ -e once ]; then
	n=\$(curl -s -H \"Authorization: Bearer \$COZY_CREDENTIALS\" \"\${COZY_URL%/}/data/io.cozy.notes/_all_docs\" | grep -o 'total_rows.:[0-9]*' | tr -dc 0-9)
	sh say.sh info \"notes \$n\"; exit 0
fi
touch once
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -H \"Authorization: Bearer \$COZY_CREDENTIALS\" -d '{\"t\":1}' \"\${COZY_URL%/}/data/io.cozy.notes/\"
sh say.sh critical $1 ${2:-}; exit 1"
}
again() { rm -rf k/.harness k/seen k/once; }

# an error the stack retries: two executions of one job, the second sees the first's note
expect_status 0 "$KH" run k --no-color --like-stack --cmd "$(first_fails VENDOR_DOWN)"
[ "$(wc -l <k/seen)" -eq 2 ] || fail "not two executions: $(cat k/seen)"
[ "$(sed -n 1p k/seen)" = "$(sed -n 2p k/seen)" ] || fail "the retry is not the same job: $(cat k/seen)"
[ "$(json_get k/.harness/runs/1/report.json 'j.state')" = errored ] || fail "first: $(cat k/.harness/runs/1/report.json)"
[ "$(json_get k/.harness/runs/1/retry/report.json 'j.state')" = done ] || fail "retry not done"
[ "$(json_get k/.harness/runs/1/retry/report.json 'j.execution')" = 2 ] || fail "retry not marked"
grep -q 'notes 1' k/.harness/runs/1/retry/events.jsonl ||
	fail "the retry did not see the first execution's note: $(cat k/.harness/runs/1/retry/events.jsonl)"
printf '%s' "$out" | grep -q 'runs this job once more' || fail "no retry line: $out"
# both executions fail: the job is errored
again
expect_status 1 "$KH" run k --no-color --like-stack --cmd 'echo x >>seen; sh say.sh critical VENDOR_DOWN; exit 1'
[ "$(wc -l <k/seen)" -eq 2 ] || fail "not two executions"
[ "$(json_get k/.harness/runs/1/retry/report.json 'j.error')" = VENDOR_DOWN ] || fail "retry error"
# errors the stack does not retry
for e in LOGIN_FAILED USER_ACTION_NEEDED.TWOFA; do
	again
	expect_status 1 "$KH" run k --no-color --like-stack --cmd "$(first_fails "$e")"
	[ "$(wc -l <k/seen)" -eq 1 ] || fail "$e was retried"
	[ ! -e k/.harness/runs/1/retry ] || fail "$e: a retry directory"
done
again
expect_status 1 "$KH" run k --no-color --like-stack --cmd "$(first_fails VENDOR_DOWN no_retry)"
[ "$(wc -l <k/seen)" -eq 1 ] || fail "no_retry was retried"
# without the flag: one execution, the verdict says what the stack would do
again
expect_status 1 "$KH" run k --no-color --cmd "$(first_fails VENDOR_DOWN)"
[ "$(wc -l <k/seen)" -eq 1 ] || fail "retried without --like-stack"
printf '%s' "$out" | grep -q 'the stack would run it once more' || fail "verdict: $out"
# --format json: one report, the job's (the retry's)
again
expect_status 0 "$KH" run k --format json --like-stack --cmd "$(first_fails VENDOR_DOWN)"
[ "$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s.slice(s.indexOf("{\n")));console.log(j.state+" "+j.execution)})')" = "done 2" ] ||
	fail "json: $out"
expect_status 64 "$KH" watch k --like-stack
echo ok
