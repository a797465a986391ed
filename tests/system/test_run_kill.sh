# konnector-harness run: time limit and Ctrl-C kill the whole process group (worker/exec/cmd_unix.go). Needs the fake stack.
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/tests/system/konnectors/shell" k
alive() { kill -0 "$1" 2>/dev/null; }

# --timeout 1: a konnector that forks a grandchild and loops forever; both are SIGKILLed
expect_status 1 "$KH" run k --timeout 1 --cmd 'sleep 300 & echo $! > grandchild.pid; echo "{\"type\":\"info\",\"message\":\"looping\"}"; while :; do :; done' # the konnector forks a sleeping grandchild that the kill must reach; not a wait
verdict() { json_get k/.harness/runs/latest/report.json "$1"; }
[ "$(verdict j.error)" = "context deadline exceeded" ] || fail "timeout error: $(verdict j.error)"
[ "$(verdict j.process.end)" = timeout ] || fail "process end"
[ "$(verdict j.next.retry)" = true ] || fail "a timeout is retried by the stack"
gc=$(cat k/grandchild.pid)
WAIT_MAX=50 wait_for sh -c "! kill -0 $gc 2>/dev/null"
# an error line printed before the timeout wins over it
expect_status 1 "$KH" run k --timeout 1 --cmd 'echo "{\"type\":\"error\",\"message\":\"VENDOR_DOWN\"}"; read x; while :; do :; done'
[ "$(verdict j.error)" = VENDOR_DOWN ] || fail "error beats timeout"

# Ctrl-C: SIGINT to the harness stops the group and still writes the run directory
"$KH" run k --cmd 'sleep 300 & echo $! > gc2.pid; echo "{\"type\":\"info\",\"message\":\"started\"}"; while :; do :; done' > run.out 2>&1 & # a grandchild to be killed, not a wait
kh=$!
wait_for test -s k/gc2.pid
wait_for grep -q started run.out
kill -INT "$kh"
set +e
WAIT_MAX=100 wait_for sh -c "! kill -0 $kh 2>/dev/null"
wait "$kh"
st=$?
set -e
[ "$st" -eq 1 ] || fail "interrupted run: exit $st, wanted 1: $(cat run.out)"
gc2=$(cat k/gc2.pid)
WAIT_MAX=50 wait_for sh -c "! kill -0 $gc2 2>/dev/null"
[ "$(verdict j.interrupted)" = true ] || fail "report.json not written after Ctrl-C"
[ "$(verdict j.error)" = "context canceled" ] || fail "interrupted error: $(verdict j.error)"
grep -q started k/.harness/runs/latest/stdout.log || fail "stdout.log not written after Ctrl-C"
[ -f k/.harness/runs/latest/journal.jsonl ] || fail "journal not written after Ctrl-C"
# SIGTERM the same way
"$KH" run k --cmd 'echo "{\"type\":\"info\",\"message\":\"up\"}"; while :; do :; done' > run2.out 2>&1 &
kh=$!
wait_for grep -q up run2.out
kill -TERM "$kh"
WAIT_MAX=100 wait_for sh -c "! kill -0 $kh 2>/dev/null"
[ "$(verdict j.interrupted)" = true ] || fail "SIGTERM"
