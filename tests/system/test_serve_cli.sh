# serve's command line: --help, usage errors (64), a malformed fixture (65 with file:line:column),
# a taken port (69), scenarios, and a state written on SIGINT.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"

expect_status 0 "$KH" serve --help
expect_contains "$out" "--permissions"
expect_status 64 "$KH" serve --permissions maybe
expect_status 64 "$KH" serve --port 99999
expect_status 64 "$KH" serve --frobnicate
expect_status 64 "$KH" serve ./does-not-exist

mkdir -p bad/fixtures/data/io.cozy.bills
printf '{\n  "amount": 12,\n  oops\n}\n' >bad/fixtures/data/io.cozy.bills/b1.json
expect_status 65 "$KH" serve bad
expect_contains "$out" "b1.json:3:"

mkdir -p multi/fixtures/one/data/io.cozy.a multi/fixtures/two/data/io.cozy.b
echo '{"x":1}' >multi/fixtures/one/data/io.cozy.a/a1.json
echo '{"x":2}' >multi/fixtures/two/data/io.cozy.b/b1.json
expect_status 64 "$KH" serve multi
expect_contains "$out" "--scenario"

serve_start multi --scenario two
body=$(curl -s -H "Authorization: Bearer $APP" "${URL}data/io.cozy.b/b1")
expect_contains "$body" '"x":2'
port=${URL#http://127.0.0.1:}
port=${port%/}
expect_status 69 "$KH" serve multi --scenario one --port "$port"
expect_contains "$out" "in use"
kill -INT "$SERVE_PID"
wait "$SERVE_PID" || fail "serve did not exit 0 on SIGINT"
[ -f multi/.harness/runs/1/state/data/io.cozy.b/b1.json ] || fail "no state after SIGINT"
[ "$(readlink multi/.harness/runs/latest)" = 1 ] || fail "latest does not point at run 1"
