# --help, --version, unknown commands and the exit-status table.
. "$KH_ROOT/tests/system/lib.sh"

expect_status 0 "$KH" --help
for cmd in run watch serve lint oauth init; do
	expect_contains "$out" "$cmd"
done
for code in 0 1 2 64 65 69 70; do
	echo "$out" | grep -qE "^ +$code +" || fail "--help lacks exit status $code"
done
expect_status 0 "$KH" --version
expect_contains "$out" "konnector-harness 0."
expect_status 64 "$KH" frobnicate
expect_contains "$out" "unknown command 'frobnicate'"
expect_status 64 "$KH"
