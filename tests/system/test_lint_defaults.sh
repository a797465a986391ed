# lint checks secrets by default: without --fields it takes them from ./konnector-dev-config.json, or
# from the dev config of the run directory it reads; with neither it says in one info line that
# secret-leak was not checked. A run directory's events.jsonl is judged with the exit status its
# report.json records, not as "no exit status known".
. "$KH_ROOT/tests/system/lib.sh"

cp -R "$KH_ROOT/examples/hello" k
rm -rf k/.harness
# a konnector that logs its password (s3cret, from the dev config) and exits 3 without a critical
cat >k/index.js <<'JS'
console.log(JSON.stringify({ type: 'info', message: 'logging in with s3cret' }))
process.exit(3)
JS
expect_status 1 "$KH" run k --no-color

# the run directory, linted from elsewhere: its dev config's secrets, its exit status
expect_status 1 "$KH" lint k/.harness/runs/latest/events.jsonl
expect_contains "$out" 'events.jsonl:1: error secret-leak'
expect_contains "$out" 'verdict: job errored: "exit status 3"'
expect_contains "$out" 'warning exit-without-reason'
case "$out" in *"no exit status known"*) fail "the report's exit status was not read: $out" ;; esac
case "$out" in *"secret-leak not checked"*) fail "secrets were found, yet: $out" ;; esac
# an explicit end still wins over the report
expect_status 1 "$KH" lint --exit-code 0 k/.harness/runs/latest/events.jsonl
expect_contains "$out" 'verdict: job done'

# captured stdout in the konnector's folder: ./konnector-dev-config.json is the default
printf '%s\n' '{"type":"info","message":"password is s3cret"}' >k/leak.log
(cd k && "$KH" lint leak.log) >here.out 2>&1 && fail "lint in the konnector's folder missed the leak: $(cat here.out)"
grep -q 'leak.log:1: error secret-leak' here.out || fail "no secret-leak: $(cat here.out)"

# no dev config anywhere: one info line says secret-leak was not checked, and why
expect_status 0 "$KH" lint k/leak.log
[ "$(printf '%s\n' "$out" | grep -c 'secret-leak not checked')" = 1 ] || fail "no (single) info line: $out"
expect_contains "$out" 'no --fields FILE'
# the machine formats stay machine-readable
expect_status 0 "$KH" lint --format json k/leak.log
printf '%s' "$out" | json_get - 'j.files.length' >/dev/null || fail "json output is not JSON: $out"
echo ok
