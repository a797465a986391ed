# watch --record: each run records the vendor again and rewrites the scenario's vendor.har, and that
# write starts no run of its own (the next run is the one a real change starts); plain watch then replays it.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/vendor_lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl command to make the vendor's certificate"; exit 0; }

vendor_cert "$KH_WORK"
vendor_start 'hunter2 real'
mkdir k
cp "$KH_ROOT/examples/vendor-bills/index.js" "$KH_ROOT/examples/vendor-bills/manifest.konnector" k/
echo '{ "fields": { "login": "homer@example.com", "password": "hunter2 real" } }' >k/konnector-dev-config.json
mkdir -p k/fixtures/default
HAR=k/fixtures/default/vendor.har

"$KH" watch k --record --vendor-ca vendor.pem --env "VENDOR_URL=https://127.0.0.1:$vendor_port" --no-color >out.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true; kill $vendor_pid 2>/dev/null || true' EXIT
runs() { grep -c '^\[watch\] run ' out.log || true; }
has_run() { grep -q "^\[watch\] run $1 · $2 · done · " out.log; }
next_run() {
	wait_for has_run "$1" "$2" || true
	has_run "$1" "$2" || fail "run $1 was not started by $2: $(cat out.log out2.log 2>/dev/null)"
}

next_run 1 start
wait_for test -f $HAR
[ "$(json_get $HAR 'j.log.entries.length')" = 5 ] || fail "run 1 recorded: $(json_get $HAR 'j.log.entries.length')"
# a change: run 2 records again; then the sentinel's run must come next (the HAR writes started none)
echo '// v2' >>k/index.js
next_run 2 index.js
echo 1 >k/sentinel.txt
next_run 3 sentinel.txt
[ "$(runs)" -eq 3 ] || fail "vendor.har writes started runs: $(cat out.log)"
kill -INT $pid
wait $pid || true

# plain watch replays: the vendor sees no new connection (a new log: the shell truncates a reused one only
# once the background job has started, after a check may have read the old one)
before=$(vendor_conns)
"$KH" watch k --env "VENDOR_URL=https://127.0.0.1:$vendor_port" --no-color >out2.log 2>&1 &
pid=$!
has_run() { grep -q "^\[watch\] run $1 · $2 · done · " out2.log; }
next_run 1 start
grep -q 'replayed' out2.log || fail "watch did not replay: $(cat out2.log)"
[ "$(vendor_conns)" = "$before" ] || fail "the vendor was reached during the replay"
kill -INT $pid
wait $pid || true
