# konnector-harness lint: exit statuses, formats, stdin, --fields with comments, events.jsonl.
. "$KH_ROOT/tests/system/lib.sh"

printf '%s\n' '{"type":"info","message":"hello"}' '{"type":"critical","message":"LOGIN_FAILED"}' >clean.log
expect_status 0 "$KH" lint clean.log
expect_contains "$out" "info skips-next-runs"
expect_contains "$out" "judging the events alone"
expect_contains "$out" 'job errored: "LOGIN_FAILED"'

# warnings pass, --strict makes them fail
printf '%s\n' 'not json' '{"type":"info"}' >warn.log
expect_status 0 "$KH" lint warn.log
expect_contains "$out" "warn.log:1: warning not-json:"
expect_status 1 "$KH" lint --strict warn.log

# stdin, and an exit status given
expect_status 0 sh -c "printf '{\"type\":\"error\",\"message\":\"VENDOR_DOWN\"}\n' | \"$KH\" lint --exit-code 0 -"
expect_contains "$out" "stdin:1: warning error-fails-job"
expect_contains "$out" 'job errored: "VENDOR_DOWN" (the stack retries it once)'

# --fields: a dev config with comments; the secret is an error
cat >dev.json <<'JSON'
{
  // the dev config may hold comments
  "COZY_URL": "http://cozy.localhost:8080", /* and block ones */
  "fields": {"login": "bob@example.com", "password": "s3cret-pass"}
}
JSON
printf '%s\n' '{"type":"debug","message":"using s3cret-pass"}' >leak.log
expect_status 1 "$KH" lint --fields dev.json leak.log
expect_contains "$out" 'error secret-leak: the value of the dev-config field "password"'

# a broken fields file: 65 with file:line:column
printf '{\n  "fields": {,}\n}\n' >bad.json
expect_status 65 "$KH" lint --fields bad.json leak.log
expect_contains "$out" "bad.json:2:"

# usage errors and unreadable input
expect_status 64 "$KH" lint --format xml clean.log
expect_status 64 "$KH" lint --exit-code x clean.log
expect_status 64 "$KH" lint --exit-code 1 --timed-out clean.log
expect_status 65 "$KH" lint missing.log

# the formats
expect_status 0 "$KH" lint --format json --exit-code 1 clean.log
[ "$(echo "$out" | json_get - 'j.files[0].verdict.error')" = "LOGIN_FAILED" ] || fail "json verdict: $out"
[ "$(echo "$out" | json_get - 'j.files[0].findings[0].rule')" = "skips-next-runs" ] || fail "json rule: $out"
expect_status 1 "$KH" lint --format junit --fields dev.json leak.log
expect_contains "$out" '<testcase classname="konnector-harness.lint" name="secret-leak">'
expect_contains "$out" '<failure message="1 finding'
expect_status 0 "$KH" lint --format tap warn.log
expect_contains "$out" "TAP version 13"
expect_contains "$out" "ok 1 - not-json # 1 warning finding"

# github: at most 10 annotations per level, then a summary line
i=0
: >many.log
while [ $i -lt 15 ]; do echo "plain $i" >>many.log; i=$((i + 1)); done
expect_status 0 "$KH" lint --format github many.log
[ "$(echo "$out" | grep -c '^::warning file=many.log,line=')" -eq 10 ] || fail "github annotations: $out"
expect_contains "$out" "5 more warning findings not annotated"

# events.jsonl of a run directory, a too-long line recorded there
mkdir -p run
printf '%s\n' '{"time":"2026-11-23T07:09:49.635Z","line":1,"raw":"{\"type\":\"critical\",\"message\":\"VENDOR_DOWN\"}"}' \
	'{"time":"2026-11-23T07:09:49.700Z","line":2,"too_long":true,"length":70000,"raw":"{"}' >run/events.jsonl
expect_status 1 "$KH" lint --exit-code 1 run/events.jsonl
expect_contains "$out" "run/events.jsonl:2: error line-too-long"
expect_contains "$out" 'job errored: "VENDOR_DOWN"'

# a raw line over 64 KiB stops the scan: the critical after it is lost
node -e 'console.log(JSON.stringify({type:"info",message:"a".repeat(70000)})); console.log(JSON.stringify({type:"critical",message:"LOGIN_FAILED"}))' >long.log
expect_status 1 "$KH" lint --exit-code 0 long.log
expect_contains "$out" "long.log:1: error line-too-long"
expect_contains "$out" "verdict: job done"
