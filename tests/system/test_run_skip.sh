# run --auto after a run that ended with LOGIN_FAILED or USER_ACTION_NEEDED… (not exactly …CGU_FORM) is
# skipped with the stack's message (worker/exec/konnector.go beforeHookKonnector); a manual run goes.
. "$KH_ROOT/tests/system/lib.sh"

mkdir k
printf '{"slug":"sk","name":"sk","fields":{"login":{}}}\n' >k/manifest.konnector
printf '{"fields":{"login":"x"}}\n' >k/konnector-dev-config.json
fail_with() { printf 'echo "{\\"type\\":\\"critical\\",\\"message\\":\\"%s\\"}"; exit 1' "$1"; }

expect_status 1 "$KH" run k --no-color --cmd "$(fail_with LOGIN_FAILED.WRONG)"
expect_status 1 "$KH" run k --no-color --auto --cmd 'touch ran; true'
[ ! -e k/ran ] || fail "the skipped run started the konnector"
[ "$(json_get k/.harness/runs/latest/report.json 'j.state')" = skipped ] || fail "not skipped: $out"
[ "$(json_get k/.harness/runs/latest/report.json 'j.error')" = LOGIN_FAILED.WRONG ] || fail "error: $out"
printf '%s' "$out" | grep -q 'Konnector ignore: LOGIN_FAILED.WRONG' || fail "no stack message: $out"
# still skipped: the trigger's state is unchanged
expect_status 1 "$KH" run k --no-color --auto --cmd 'touch ran; true'
[ ! -e k/ran ] || fail "the second skipped run started the konnector"
# a manual run goes, and clears the state
expect_status 0 "$KH" run k --no-color --cmd 'true'
expect_status 0 "$KH" run k --no-color --auto --cmd 'touch ran; true'
[ -e k/ran ] || fail "the automatic run after a done one did not start"
rm -f k/ran
# CGU_FORM exactly is exempt, other USER_ACTION_NEEDED errors are not
expect_status 1 "$KH" run k --no-color --cmd "$(fail_with USER_ACTION_NEEDED.CGU_FORM)"
expect_status 0 "$KH" run k --no-color --auto --cmd 'touch ran; true'
[ -e k/ran ] || fail "skipped after USER_ACTION_NEEDED.CGU_FORM"
rm -f k/ran
expect_status 1 "$KH" run k --no-color --cmd "$(fail_with USER_ACTION_NEEDED.TWOFA)"
expect_status 1 "$KH" run k --no-color --auto --cmd 'touch ran; true'
[ ! -e k/ran ] || fail "not skipped after USER_ACTION_NEEDED.TWOFA"
# other errors, and runs without a trigger, go ahead
expect_status 0 "$KH" run k --no-color --auto --no-trigger --cmd 'touch ran; true'
[ -e k/ran ] || fail "a job without a trigger was skipped"
rm -f k/ran
expect_status 1 "$KH" run k --no-color --cmd "$(fail_with VENDOR_DOWN)"
expect_status 0 "$KH" run k --no-color --auto --cmd 'touch ran; true'
[ -e k/ran ] || fail "skipped after VENDOR_DOWN"
echo ok
