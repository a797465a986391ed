# A konnector whose HTTP client ignores HTTPS_PROXY: a recording run that recorded nothing and ended
# in error gets lint's vendor-not-proxied; a done one, or a replay, does not.
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/tests/system/konnectors/shell" k
R=k/.harness/runs/latest
down='echo "{\"type\":\"critical\",\"message\":\"VENDOR_DOWN\"}"; exit 1'
NO_COLOR=1 expect_status 1 "$KH" run k --record --cmd "$down"
expect_contains "$out" "vendor-not-proxied"
grep -q vendor-not-proxied $R/lint.txt || fail "lint.txt: $(cat $R/lint.txt)"
[ ! -f k/fixtures/default/vendor.har ] || fail "an empty recording replaced the HAR"
NO_COLOR=1 expect_status 0 "$KH" run k --record --cmd 'echo "{\"type\":\"info\",\"message\":\"nothing to fetch\"}"'
case "$out" in *vendor-not-proxied*) fail "a done run got vendor-not-proxied: $out" ;; esac
