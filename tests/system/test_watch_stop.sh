# watch: a konnector that ignores SIGTERM and leaves a grandchild is SIGKILLed
# with its whole group after --stop-timeout, and the rerun happens; SIGINT
# stops the run, writes its run directory and exits 0, with no process of the
# run left.
. "$KH_ROOT/tests/system/lib.sh"

cp -R "$KH_ROOT/tests/system/konnectors/shell" k && cd k
# the konnector's own files live outside DIR: writing into DIR would be a change
cat >k.sh <<'SH'
if [ -e ../hang ]; then
	trap '' TERM
	sh -c 'echo $$ >>../pids; while :; do sleep 0.1; done' & # a grandchild that must be killed
	echo $$ >>../pids
	while :; do sleep 0.1; done # a konnector that ignores TERM: only KILL ends it
fi
echo '{"type":"info","message":"done"}'
SH
echo v1 >index.js
touch ../hang

"$KH" watch --cmd 'exec sh k.sh' --stop-timeout 0.3 . >../out.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT

has_line() { grep -q "$1" ../out.log; }
two_pids() { [ "$(wc -l <../pids)" -ge "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# run 1 hangs, ignoring SIGTERM, with a grandchild
wait_for two_pids 2
old=$(cat ../pids)
: >../pids
rm ../hang
echo v2 >index.js
wait_for has_line '^\[watch\] run 1 · start · stopped by KILL (restarting)'
wait_for has_line '^\[watch\] run 2 · index.js · done · '
for p in $old; do wait_for gone "$p"; done

# SIGINT during a run that ignores SIGTERM
touch ../hang
: >../pids
echo v3 >index.js
wait_for two_pids 2
old=$(cat ../pids)
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
trap - EXIT
[ "$rc" -eq 0 ] || fail "watch exited $rc on SIGINT: $(cat ../out.log)"
for p in $old; do gone "$p" || fail "process $p of the interrupted run is left"; done
has_line '^\[watch\] run 3 · index.js · stopped by KILL · ' || fail "no status for the interrupted run: $(cat ../out.log)"
# the interrupted run's directory is written, as run writes it after Ctrl-C
[ "$(json_get .harness/runs/3/report.json j.interrupted)" = true ] || fail "run 3's report.json: $(cat .harness/runs/3/report.json)"
[ "$(json_get .harness/runs/3/report.json j.error)" = "context canceled" ] || fail "run 3's error"
[ -f .harness/runs/3/journal.jsonl ] || fail "run 3's journal.jsonl"
[ -d .harness/runs/3/state ] || fail "run 3's state/"
