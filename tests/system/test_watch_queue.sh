# watch --on-busy: every accepted value (restart is test_watch_stop's); queue
# lets the run finish, then runs once more; an unknown value is a usage error.
. "$KH_ROOT/tests/system/lib.sh"

expect_status 64 "$KH" watch --on-busy later .
expect_contains "$out" "on-busy"
expect_status 64 "$KH" watch --debounce soon .
expect_status 64 "$KH" watch --stop-timeout -1 .
expect_status 64 "$KH" watch --timeout 0 .
expect_contains "$out" "--timeout"
expect_status 0 "$KH" watch --help
expect_contains "$out" "--keep-state"
expect_contains "$out" "--inherit-env"

cp -R "$KH_ROOT/tests/system/konnectors/shell" k && cd k
cat >k.sh <<'SH'
echo started >>../starts
while [ -e ../slow ]; do sleep 0.05; done # the konnector under test stays busy while ../slow exists
echo '{"type":"info","message":"done"}'
SH
echo v1 >index.js
touch ../slow
"$KH" watch --cmd 'exec sh k.sh' --on-busy queue --stop-timeout 0.2 . >../out.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
has_line() { grep -q "$1" ../out.log; }
started() { [ -e ../starts ]; }
wait_for started
echo v2 >index.js
echo v3 >other.js
rm ../slow
wait_for has_line '^\[watch\] run 1 · start · done · '
wait_for has_line '^\[watch\] run 2 · .* · done · '
has_line 'stopped' && fail "queue stopped a run: $(cat ../out.log)"
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
trap - EXIT
[ "$rc" -eq 0 ] || fail "watch exited $rc"
