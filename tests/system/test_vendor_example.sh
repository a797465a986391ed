# examples/vendor-bills replays its committed fixtures/default/vendor.har (recorded from
# examples/vendor-bills/vendor): offline, done, its expect.json holds (every recorded exchange used).
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/examples/vendor-bills" k
rm -rf k/.harness
NO_COLOR=1 expect_status 0 "$KH" run k --scenario default
expect_contains "$out" "Saved 2 bills"
expect_contains "$out" "PASS"
[ "$(json_get k/.harness/runs/latest/report.json 'j.vendor.mode + "/" + j.vendor.replayed + "/" + j.vendor.unused.length')" = replay/5/0 ] ||
	fail "report: $(json_get k/.harness/runs/latest/report.json 'JSON.stringify(j.vendor)')"
