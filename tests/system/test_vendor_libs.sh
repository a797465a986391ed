# run --record / --replay with the real cozy-konnector-libs 5.13.0 (requestFactory + cheerio + saveBills):
# request honours HTTPS_PROXY and NO_PROXY by itself. The vendor and the fake stack both live on
# 127.0.0.1: NO_PROXY names the stack's exact port, so the vendor is recorded and the stack is not.
# Then the replay, the vendor gone: the same bills and PDF bytes, verdict done.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/libs_lib.sh"
. "$KH_ROOT/tests/system/vendor_lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl command to make the vendor's certificate"; exit 0; }
ex="$KH_ROOT/examples/libs-bills"
libs_install "$ex" || exit 0

vendor_cert "$KH_WORK"
vendor_start doh-doh-doh
mkdir k
cp "$KH_ROOT/tests/system/konnectors/vendor-libs/index.js" "$KH_ROOT/tests/system/konnectors/vendor-libs/manifest.konnector" k/
ln -s "$cache/node_modules" k/node_modules
cat >k/konnector-dev-config.json <<'J'
{ "fields": { "login": "homer@example.com", "password": "doh-doh-doh" } }
J
V="VENDOR_URL=https://127.0.0.1:$vendor_port"
R=k/.harness/runs/latest
HAR=k/fixtures/default/vendor.har

NO_COLOR=1 expect_status 0 "$KH" run k --record --vendor-ca vendor.pem --env "$V"
grep -q 'saveFiles created 2 files' $R/stdout.log || fail "recording saved no file: $(cat $R/stdout.log)"
stack_port=$(sed -n 's|^COZY_URL=http://127.0.0.1:\([0-9]*\)/$|\1|p' $R/env)
[ "$(json_get $HAR "j.log.entries.every(e => new URL(e.request.url).port === '$vendor_port')")" = true ] ||
	fail "an entry is not for the vendor: $(json_get $HAR 'j.log.entries.map(e => e.request.url).join()')"
[ "$(json_get $HAR 'j.log.entries.length >= 5')" = true ] || fail "few entries: $(json_get $HAR 'j.log.entries.length')"
if grep -q -e "127.0.0.1:$stack_port" -e 'doh-doh-doh' $HAR; then fail "the stack or the password is in the HAR"; fi
mkdir rec
cp $R/state/files/Administrative/Vendorlibs/*/*.pdf rec/
[ "$(ls rec | wc -l)" -eq 2 ] || fail "recorded files: $(ls rec)"

before=$(vendor_conns)
vendor_stop
NO_COLOR=1 expect_status 0 "$KH" run k --env "$V"
[ "$(vendor_conns)" = "$before" ] || fail "the vendor was reached during the replay"
grep -q 'saveFiles created 2 files' $R/stdout.log || fail "replay saved no file: $(cat $R/stdout.log)"
[ "$(json_get $R/report.json 'j.state + "/" + j.vendor.unrecorded.length')" = done/0 ] ||
	fail "replay: $(json_get $R/report.json 'JSON.stringify(j.vendor)')"
for f in rec/*.pdf; do
	cmp "$f" $R/state/files/Administrative/Vendorlibs/*/"$(basename "$f")" || fail "replayed $(basename "$f") differs"
done
[ "$(ls $R/state/data/io.cozy.bills | grep -vc _design)" -eq 2 ] || fail "bills after the replay: $(ls $R/state/data/io.cozy.bills)"
