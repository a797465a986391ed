# Numbers that match what the konnector did: a konnector that creates a Mango index (a _design/
# document, as cozy-konnector-libs' queries do) and saves 2 greetings is told "2 created" by the
# verdict, report.json and watch's status line; the index is shown apart.
. "$KH_ROOT/tests/system/lib.sh"

cp -R "$KH_ROOT/examples/hello" k
rm -rf k/.harness
# before saving, define an index on the doctype as cozy-konnector-libs does (POST /data/:doctype/_index)
sed -i "s|^  for (const text of \['Hello', 'Bonjour'\]) {|  await stack('POST', '/data/io.cozy.hello.greetings/_index', { index: { fields: ['date'] } })\n&|" k/index.js
grep -q "_index" k/index.js || fail "the index request was not added"

expect_status 0 "$KH" run k --no-color
expect_contains "$out" "io.cozy.hello.greetings: 2 created, 0 updated, 0 deleted (and 1 index written)"
[ "$(json_get k/.harness/runs/latest/report.json 'j.changes["io.cozy.hello.greetings"].created')" = 2 ] ||
	fail "report.json counts the design document: $(cat k/.harness/runs/latest/report.json)"
[ "$(json_get k/.harness/runs/latest/report.json 'j.changes["io.cozy.hello.greetings"].indexes')" = 1 ] ||
	fail "report.json lacks the index apart"

NO_COLOR=1 "$KH" watch k >watch.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT
wait_for grep -q '^\[watch\] run 1 · start · done' watch.log
grep -q '^\[watch\] run 1 · start · done · .* · 2 documents, 0 files saved · ' watch.log ||
	fail "watch's status line counts the index: $(grep '^\[watch\] run 1' watch.log)"
kill -INT $pid
wait $pid || fail "watch did not exit 0"
echo ok
