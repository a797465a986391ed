# The command line: a usage error is one line with the command's prefix and where its help is, never
# the whole help; --help lists --version and ends with examples for every command; watch --help only
# what watch takes; run --all-scenarios ends with a total line; --level filters the live display
# (the run directory keeps all); watch says when a run starts and why; old run directories are pruned
# (--keep-runs N), never the one --state reads.
. "$KH_ROOT/tests/system/lib.sh"

# usage errors: two lines, the same shape for every command
for cmd in run watch serve lint oauth init; do
	expect_status 64 "$KH" $cmd --frobnicate
	[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "$cmd: a usage error should be 2 lines, got: $out"
	printf '%s\n' "$out" | sed -n 1p | grep -q "^konnector-harness $cmd: .*--frobnicate" || fail "$cmd: first line: $out"
	[ "$(printf '%s\n' "$out" | sed -n 2p)" = "see \`konnector-harness $cmd --help\`" ] || fail "$cmd: second line: $out"
done
expect_status 64 "$KH" run . --timeout 0
[ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "run --timeout 0: $out"
expect_status 64 "$KH" frobnicate
[ "$out" = "konnector-harness: unknown command 'frobnicate' (run, watch, serve, lint, oauth or init)
see \`konnector-harness --help\`" ] || fail "unknown command: $out"

# --help: --version listed; every command's help ends with examples
expect_status 0 "$KH" --help
expect_contains "$out" "--version"
for cmd in "" run watch serve lint oauth init; do
	expect_status 0 "$KH" $cmd --help
	tail=$(printf '%s\n' "$out" | sed -n '/^Examples:$/,$p')
	n=$(printf '%s\n' "$tail" | grep -c '^  konnector-harness ' || true)
	[ "$n" -ge 2 ] && [ "$n" -le 3 ] || fail "'$cmd --help' does not end with 2-3 examples: $out"
	[ "$(printf '%s\n' "$out" | tail -n 1 | cut -c1-20)" = "  konnector-harness " ] || fail "'$cmd --help' ends otherwise"
	case "$out" in *"§"*) fail "'$cmd --help' cites a section: $out" ;; esac
done
expect_status 0 "$KH" watch --help
for notwatch in all-scenarios junit "(run)"; do
	case "$out" in *"$notwatch"*) fail "watch --help mentions $notwatch" ;; esac
done

cp -R "$KH_ROOT/examples/hello" k
rm -rf k/.harness

# --level: the live display leaves debug (and info) out; events.jsonl keeps everything
expect_status 0 "$KH" run k --no-color --level warning
case "$out" in *"Preparing konnector"* | *"Saved 2 greetings"*) fail "--level warning shows lower events: $out" ;; esac
grep -q 'Preparing konnector' k/.harness/runs/latest/events.jsonl || fail "the run directory lost events"
expect_status 0 "$KH" run k --no-color --level info
expect_contains "$out" "Saved 2 greetings"
case "$out" in *"Preparing konnector"*) fail "--level info shows debug events" ;; esac
expect_status 64 "$KH" run k --level loud

# --all-scenarios: one total line at the end
mkdir -p k/fixtures/bad
cp k/wrong-password.json k/fixtures/bad/konnector-dev-config.json
expect_status 1 "$KH" run k --all-scenarios --no-color
[ "$(printf '%s\n' "$out" | tail -n 1)" = "scenarios: 1 passed, 1 failed" ] || fail "no total line: $out"

# pruning: the newest N stay, and the run directory --state reads from
rm -rf k/.harness k/fixtures/bad
expect_status 0 "$KH" run k
for i in 2 3 4 5; do expect_status 0 "$KH" run k --keep-runs 3 --state k/.harness/runs/1; done
[ "$(cd k/.harness/runs && ls -d [0-9]* | sort -n | tr '\n' ' ')" = "1 3 4 5 " ] ||
	fail "after 5 runs with --keep-runs 3 and --state 1: $(ls k/.harness/runs)"
[ "$(readlink k/.harness/runs/latest)" = 5 ] || fail "latest moved"
expect_status 0 "$KH" run k --keep-runs 2
[ "$(cd k/.harness/runs && ls -d [0-9]* | sort -n | tr '\n' ' ')" = "5 6 " ] || fail "--keep-runs 2: $(ls k/.harness/runs)"

# watch: a line when each run starts, saying what changed
NO_COLOR=1 "$KH" watch k >watch.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
wait_for grep -q '^\[watch\] run 1 · start · done' watch.log
grep -q '^\[watch\] starting run 1 · first run$' watch.log || fail "no start line for run 1: $(cat watch.log)"
cp k/index.js index.js.copy && cp index.js.copy k/index.js
wait_for grep -q '^\[watch\] run 2 · index.js · done' watch.log
start2=$(grep -n '^\[watch\] starting run 2 · index.js changed$' watch.log | cut -d: -f1)
end2=$(grep -n '^\[watch\] run 2 · ' watch.log | cut -d: -f1)
[ -n "$start2" ] && [ "$start2" -lt "$end2" ] || fail "no start line before run 2: $(cat watch.log)"
kill -INT $pid
wait $pid || fail "watch did not exit 0"
echo ok
