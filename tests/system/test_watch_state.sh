# watch keeps one fake stack across runs: the hello example (node, the default
# command, talking to the stack) starts each run from the fixtures again; a
# konnector that counts the greetings it finds, then saves one, shows that
# --keep-state lets a run see the previous run's document and that a fixture
# change reloads the state from the fixtures.
. "$KH_ROOT/tests/system/lib.sh"

# stop_watch PID: SIGINT, and watch must exit 0
stop_watch() {
	kill -INT "$1"
	set +e
	wait "$1"
	rc=$?
	set -e
	[ "$rc" -eq 0 ] || fail "watch exited $rc"
}
has_line() { grep -q "$2" "$1"; }

# 1. the example as is: node index.js found by run's entry resolution, two greetings saved per run
cp -R "$KH_ROOT/examples/hello" hello
rm -rf hello/.harness
NO_COLOR=1 "$KH" watch hello >hello.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
wait_for has_line hello.log '^\[watch\] run 1 · start · done · .* · 2 documents, 0 files saved · '
cp hello/index.js index.js.copy && cp index.js.copy hello/index.js
wait_for has_line hello.log '^\[watch\] run 2 · index.js · done · .* · 2 documents, 0 files saved · '
stop_watch $pid
# run 2 started from the fixtures again: the fixture's greeting and its own two, not run 1's
n=$(ls hello/.harness/runs/2/state/data/io.cozy.hello.greetings | wc -l)
[ "$n" -eq 3 ] || fail "run 2 saw $n greetings in its state, wanted 3 (1 fixture + 2)"
grep -q "Saved 2 greetings" hello.log || fail "no live events: $(cat hello.log)"

# 2. a counting konnector (kept outside DIR: writing into DIR would be a change)
cat >count.js <<'JS'
'use strict'
const http = require('http')
const fs = require('fs')
const u = new URL(process.env.COZY_URL)
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = http.request({ hostname: u.hostname, port: u.port, path, method,
    headers: { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS, 'Content-Type': 'application/json' } }, res => {
    let d = ''
    res.on('data', c => { d += c })
    res.on('end', () => res.statusCode < 400 ? resolve(JSON.parse(d)) : reject(new Error(res.statusCode + ' ' + d)))
  })
  req.on('error', reject)
  if (body) req.write(JSON.stringify(body))
  req.end()
})
call('GET', '/data/io.cozy.hello.greetings/_normal_docs').then(all => {
  fs.appendFileSync(process.argv[2], all.rows.length + '\n')
  return call('POST', '/data/io.cozy.hello.greetings/', { text: 'counted' })
}).then(() => console.log(JSON.stringify({ type: 'info', message: 'counted' })), e => {
  console.log(JSON.stringify({ type: 'critical', message: e.message }))
  process.exit(1)
})
JS
counts_are() { [ "$(tr '\n' ' ' <"$1")" = "$2" ]; }
expect_counts() {
	wait_for counts_are "$1" "$2" || true
	counts_are "$1" "$2" || fail "$1: counts '$(tr '\n' ' ' <"$1")', wanted '$2': $(cat "$3")"
}

# without --keep-state every run counts the one fixture greeting
cp -R "$KH_ROOT/examples/hello" fresh
rm -rf fresh/.harness
: >fresh.counts
"$KH" watch fresh --cmd "node ../count.js ../fresh.counts" >fresh.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
expect_counts fresh.counts "1 " fresh.log
echo '// edit' >>fresh/index.js
expect_counts fresh.counts "1 1 " fresh.log
stop_watch $pid

# --keep-state: the second run sees the first run's document; a fixture change resets to the fixtures
cp -R "$KH_ROOT/examples/hello" kept
rm -rf kept/.harness
: >kept.counts
"$KH" watch kept --keep-state --cmd "node ../count.js ../kept.counts" >kept.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
expect_counts kept.counts "1 " kept.log
echo '// edit' >>kept/index.js
expect_counts kept.counts "1 2 " kept.log
echo '{"text":"new fixture"}' >kept/fixtures/default/data/io.cozy.hello.greetings/second.json
expect_counts kept.counts "1 2 2 " kept.log
wait_for has_line kept.log '^\[watch\] run 3 · fixtures/default/data/io.cozy.hello.greetings/second.json · done · '
echo '// edit' >>kept/index.js
expect_counts kept.counts "1 2 2 3 " kept.log
stop_watch $pid
trap - EXIT
# the fixtures are never written
[ "$(ls kept/fixtures/default/data/io.cozy.hello.greetings | wc -l)" -eq 2 ] || fail "the fixtures were written"
