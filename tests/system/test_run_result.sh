# konnector-harness run: how the result is decided (worker/exec/konnector.go ScanOutput, Error). Needs the fake stack.
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/tests/system/konnectors/shell" k
J() { printf '{"type":"%s","message":"%s"}\n' "$1" "$2"; }
verdict() { json_get k/.harness/runs/latest/report.json "$1"; }

# exit 0, no error line: done
expect_status 0 "$KH" run k --cmd 'echo "{\"type\":\"info\",\"message\":\"hi\"}"'
[ "$(verdict j.state)" = done ] || fail "done"
# an error line fails a job that exited 0
expect_status 1 "$KH" run k --cmd 'echo "{\"type\":\"error\",\"message\":\"E1\"}"; echo "{\"type\":\"error\",\"message\":\"E2\"}"; exit 0'
[ "$(verdict j.error)" = E2 ] || fail "last error wins: $(verdict j.error)"
# critical beats error, the last critical wins, whatever the order
expect_status 1 "$KH" run k --cmd 'echo "{\"type\":\"critical\",\"message\":\"C1\"}"; echo "{\"type\":\"critical\",\"message\":\"C2\"}"; echo "{\"type\":\"error\",\"message\":\"E\"}"'
[ "$(verdict j.error)" = C2 ] || fail "critical beats error: $(verdict j.error)"
[ "$(verdict j.next.retry)" = true ] || fail "an ordinary error is retried"
# no_retry on a critical line
expect_status 1 "$KH" run k --cmd 'echo "{\"type\":\"critical\",\"message\":\"X\",\"no_retry\":true}"'
[ "$(verdict j.next.retry)" = false ] || fail "no_retry"
# exit status N
expect_status 1 "$KH" run k --cmd 'exit 3'
[ "$(verdict j.error)" = "exit status 3" ] || fail "exit status: $(verdict j.error)"
# killed by a signal
expect_status 1 "$KH" run k --cmd 'kill -KILL $$'
[ "$(verdict j.error)" = "signal: killed" ] || fail "signal: $(verdict j.error)"
# LOGIN_FAILED: no retry, later automatic runs skipped; CGU_FORM exactly: not skipped
expect_status 1 "$KH" run k --cmd 'echo "{\"type\":\"critical\",\"message\":\"LOGIN_FAILED.TOO_MANY_ATTEMPTS\"}"; exit 1'
[ "$(verdict 'j.next.retry + "/" + j.next.skip_automatic_runs')" = false/true ] || fail "LOGIN_FAILED next"
expect_contains "$out" "later automatic runs of the trigger are skipped"
expect_status 1 "$KH" run k --cmd 'echo "{\"type\":\"critical\",\"message\":\"USER_ACTION_NEEDED.CGU_FORM\"}"'
[ "$(verdict 'j.next.retry + "/" + j.next.skip_automatic_runs')" = false/false ] || fail "CGU_FORM next"
# non-JSON lines, bad shapes and stderr never count
expect_status 0 "$KH" run k --cmd 'echo "not json"; echo "[1]"; echo "{\"type\":\"error\",\"message\":42}"; echo "{\"type\":\"error\"" ; echo "error" >&2'
[ "$(verdict j.events.not_json)" -ge 2 ] || fail "not_json count"
grep -q '^error$' k/.harness/runs/latest/stderr.log || fail "stderr.log"
grep -q '^not json$' k/.harness/runs/latest/stdout.log || fail "stdout.log"
# events.jsonl: the capture format of harness/judge/events.h, one record per stdout line, the raw line ('\r' kept)
expect_status 1 "$KH" run k --cmd 'echo junk; printf "{\"type\":\"error\",\"message\":\"E\"}\r\n"'
[ "$(sed -n 1p k/.harness/runs/latest/events.jsonl | json_get - 'j.line + "|" + j.raw')" = "1|junk" ] || fail "events.jsonl 1"
[ "$(sed -n 2p k/.harness/runs/latest/events.jsonl | json_get - 'JSON.stringify([j.line, j.raw])')" = \
	'[2,"{\"type\":\"error\",\"message\":\"E\"}\r"]' ] || fail "events.jsonl 2: $(sed -n 2p k/.harness/runs/latest/events.jsonl)"
sed -n 1p k/.harness/runs/latest/events.jsonl | json_get - 'j.time' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$' ||
	fail "events.jsonl time"
# a line over 64 KiB stops the reading: a later critical is never seen; the job is done but
# lint's line-too-long is an error (exit 2); events.jsonl records the line once, cut, and nothing after
expect_status 2 "$KH" run k --cmd 'node -e "console.log(\"x\".repeat(70000)); console.log(JSON.stringify({type:\"critical\",message:\"unseen\"}))"'
expect_contains "$out" "stops reading stdout"
expect_contains "$out" "stdout.log:1: error line-too-long"
[ "$(wc -l <k/.harness/runs/latest/events.jsonl)" -eq 1 ] || fail "records after the too-long line"
[ "$(json_get k/.harness/runs/latest/events.jsonl 'j.too_long + "/" + j.line + "/" + (j.length >= 65536) + "/" + j.raw.length')" = \
	true/1/true/65536 ] || fail "too-long record: $(cut -c1-100 k/.harness/runs/latest/events.jsonl)"
# a line of exactly 65535 bytes plus its newline is still read
expect_status 1 "$KH" run k --cmd 'node -e "const m=\"m\".repeat(65535-32);const l=JSON.stringify({type:\"critical\",message:m});if(l.length!==65535)process.exit(9);console.log(l)"'
[ "$(verdict j.error.length)" = 4000 ] || fail "a 65535-byte line is an event; its message is cut to 4000 bytes"
# the command cannot start: the exec error is the job's error
expect_status 1 "$KH" run k --entry nope.js --cmd '/nonexistent/konnector'
# --format json prints the report on stdout
set +e
"$KH" run k --cmd 'true' --format json > rep.json 2>/dev/null
set -e
[ "$(json_get rep.json 'j.state + "/" + j.slug')" = done/shelltest ] || fail "--format json"
