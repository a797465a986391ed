# run against a konnector that misbehaves on stdout or dies: the harness stays bounded in memory,
# reports what the stack would (worker/exec/konnector.go reads stdout with a 64 KiB bufio.Scanner and
# stops at a longer line; the job ends when the process is reaped or the time limit kills it) and
# leaves no process behind.
. "$KH_ROOT/tests/system/lib.sh"

mkdir k
printf '{"slug":"ft","name":"ft","fields":{"login":{}}}\n' >k/manifest.konnector
printf '{"fields":{"login":"x"}}\n' >k/konnector-dev-config.json
report() { json_get k/.harness/runs/latest/report.json "$1"; }
# rss_ok LIMIT_KB: the last `time -f %M` figure of out.time is under the limit (no check without /usr/bin/time)
timed() {
	if [ -x /usr/bin/time ]; then
		set +e
		/usr/bin/time -o out.time -f '%M' "$@" >out.log 2>&1
		st=$?
		set -e
	else
		set +e
		"$@" >out.log 2>&1
		st=$?
		set -e
		echo 0 >out.time
	fi
}
rss_ok() { [ "$(tail -n1 out.time)" -lt "$1" ] || fail "max RSS $(tail -n1 out.time) KB over $1 KB"; }

# a million event lines: every one counted, memory flat
timed "$KH" run k --no-color --level warning --cmd \
	'yes "{\"type\":\"debug\",\"message\":\"x\"}" | head -n 1000000; echo "{\"type\":\"info\",\"message\":\"end\"}"'
[ "$st" = 0 ] || fail "1M lines: exit $st: $(tail -n 20 out.log)"
[ "$(report j.events.debug)" = 1000000 ] || fail "debug count: $(report j.events.debug)"
[ "$(report j.events.info)" = 1 ] || fail "info count"
rss_ok 65536

# 100 MB without a newline: the stack stops reading, the konnector blocks until the time limit kills
# its group; the harness neither buffers the flood nor leaves the writer behind
cat >k/flood-ft.sh <<'SH'
head -c 100000000 /dev/zero | tr '\0' a
echo
echo '{"type":"critical","message":"after the flood"}'
SH
timed "$KH" run k --no-color --timeout 4 --cmd 'sh flood-ft.sh'
[ "$st" = 1 ] || fail "flood: exit $st"
[ "$(report j.error)" = "context deadline exceeded" ] || fail "flood error: $(report j.error)"
grep -q 'longer than 65535 bytes' out.log || fail "no line-too-long warning: $(tail -n 20 out.log)"
[ "$(report j.events.critical)" = 0 ] || fail "an event after the too-long line counted"
rss_ok 65536
! pgrep -f flood-ft.sh >/dev/null || fail "the flooding konnector outlived the run"

# stdout closed, the process still running: the job waits for it, then the time limit
timed "$KH" run k --no-color --timeout 2 --cmd 'exec >&-; exec sleep 3011'
[ "$st" = 1 ] || fail "closed stdout: exit $st"
[ "$(report j.error)" = "context deadline exceeded" ] || fail "closed stdout error: $(report j.error)"
! pgrep -f 'sleep 3011' >/dev/null || fail "the konnector outlived the run"

# death by a signal: Go's ExitError words
timed "$KH" run k --no-color --cmd 'kill -SEGV $$'
[ "$st" = 1 ] || fail "signal: exit $st"
[ "$(report j.error)" = "signal: segmentation fault" ] || fail "signal error: $(report j.error)"
[ "$(report j.process.signal)" = 11 ] || fail "signal number: $(cat k/.harness/runs/latest/report.json)"
echo ok
