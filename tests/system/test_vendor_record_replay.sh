# run --record / --replay with a plain-Node konnector (examples/vendor-bills: https.request through a
# CONNECT agent, no npm): record the fake vendor on 127.0.0.1 (its self-signed certificate trusted with
# --vendor-ca for the recording side only), then replay: the same documents and file bytes, verdict
# done, no connection to the vendor; the password and cookies are not in the HAR and a changed password
# still matches; an unrecorded request is shown and fails lint (vendor-unrecorded); expect.json's
# vendor.all_used; --no-replay goes live.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/vendor_lib.sh"
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl command to make the vendor's certificate"; exit 0; }

vendor_cert "$KH_WORK"
vendor_start 'hunter2 real'
mkdir k
cp "$KH_ROOT/examples/vendor-bills/index.js" "$KH_ROOT/examples/vendor-bills/manifest.konnector" k/
cat >k/konnector-dev-config.json <<'J'
{ "fields": { "login": "homer@example.com", "password": "hunter2 real" } }
J
V="VENDOR_URL=https://127.0.0.1:$vendor_port"
R=k/.harness/runs/latest
HAR=k/fixtures/default/vendor.har

# 1. record: done, two bills saved, every vendor exchange kept
NO_COLOR=1 expect_status 0 "$KH" run k --record --vendor-ca vendor.pem --env "$V"
expect_contains "$out" "Saved 2 bills"
expect_contains "$out" "recorded"
[ -f "$HAR" ] || fail "no $HAR after --record: $out"
[ "$(json_get $R/report.json 'j.vendor.mode + "/" + j.vendor.recorded')" = record/5 ] ||
	fail "report.json vendor: $(json_get $R/report.json 'JSON.stringify(j.vendor)')"
[ "$(json_get $HAR 'j.log.entries.map(e => e.request.method + " " + new URL(e.request.url).pathname).join()')" = \
	"GET /login,POST /login,GET /bills,GET /bills/B001.pdf,GET /bills/B002.pdf" ] || fail "HAR entries: $(head -c 2000 $HAR)"
[ "$(json_get $HAR 'j.log.entries[3].response.content.encoding')" = base64 ] || fail "the PDF is not base64 in the HAR"
# the stack is not proxied: NO_PROXY names its exact port, and no entry is for it
stack_port=$(sed -n 's|^COZY_URL=http://127.0.0.1:\([0-9]*\)/$|\1|p' $R/env)
grep -q "^NO_PROXY=127.0.0.1:$stack_port,localhost:$stack_port\$" $R/env || fail "NO_PROXY: $(grep -i proxy $R/env)"
grep -q "^HTTPS_PROXY=http://127.0.0.1:" $R/env || fail "no HTTPS_PROXY: $(cat $R/env)"
grep -q "^NODE_EXTRA_CA_CERTS=.*/k/.harness/ca/ca.pem\$" $R/env || fail "NODE_EXTRA_CA_CERTS: $(cat $R/env)"
if grep -q "127.0.0.1:$stack_port" $HAR; then fail "a request to the stack went through the proxy"; fi
[ "$(stat -c %a k/.harness/ca/ca.key)" = 600 ] || fail "the CA key is not private"
# secrets: neither the password nor the login nor the session cookie is in the HAR
if grep -q -e 'hunter2' -e 'homer' -e 'homer%40example.com' $HAR; then fail "a secret is in the HAR"; fi
if grep -Eq 'session=[0-9a-f]{24}' $HAR; then fail "the session cookie is in the HAR"; fi
grep -q 'password={{kh:password}}' $HAR || fail "no password placeholder in the form"
grep -q 'session={{kh:redacted}}' $HAR || fail "no cookie placeholder"
mkdir rec
cp $R/state/files/Administrative/Vendorbills/*/*.pdf rec/
[ "$(ls rec | wc -l)" -eq 2 ] || fail "recording saved $(ls rec)"
[ "$(json_get $R/report.json 'Object.keys(j.vendor).length > 0')" = true ]

# 2. replay (the default: the scenario has vendor.har), the vendor still up: it sees no connection
before=$(vendor_conns)
NO_COLOR=1 expect_status 0 "$KH" run k --env "$V"
expect_contains "$out" "Saved 2 bills"
[ "$(vendor_conns)" = "$before" ] || fail "the vendor got $(($(vendor_conns) - before)) connections during the replay"
[ "$(json_get $R/report.json 'j.vendor.mode + "/" + j.vendor.replayed + "/" + j.vendor.unrecorded.length')" = replay/5/0 ] ||
	fail "replay report: $(json_get $R/report.json 'JSON.stringify(j.vendor)')"
for f in rec/*.pdf; do
	cmp "$f" $R/state/files/Administrative/Vendorbills/*/"$(basename "$f")" || fail "replayed $(basename "$f") differs"
done
[ "$(json_get $R/report.json 'j.state')" = done ] || fail "replay not done"
[ "$(ls $R/state/data/io.cozy.bills/ | wc -l)" -eq 2 ] || fail "bill documents after the replay: $(ls $R/state/data)"

# 3. the vendor gone and another password in the dev config: the placeholders still match
vendor_stop
cat >k/konnector-dev-config.json <<'J'
{ "fields": { "login": "homer@example.com", "password": "a CI dummy" } }
J
NO_COLOR=1 expect_status 0 "$KH" run k --env "$V" --replay
expect_contains "$out" "Saved 2 bills"

# 4. a request the HAR does not have: shown live, 502 to the konnector, lint error vendor-unrecorded (exit 2)
NO_COLOR=1 expect_status 2 "$KH" run k --env "$V" --env EXTRA_PAGE=1
expect_contains "$out" "GET https://127.0.0.1:$vendor_port/bills?page=2"
expect_contains "$out" "unrecorded"
expect_contains "$out" "error vendor-unrecorded"
grep -q "vendor-unrecorded" $R/lint.txt || fail "lint.txt: $(cat $R/lint.txt)"
grep -q 'GET /bills?page=2: 502' $R/stdout.log || fail "the konnector did not get a 502: $(cat $R/stdout.log)"

# 5. expect.json vendor.all_used: holds when everything was replayed, fails when a recorded exchange was not
echo '{ "verdict": "done", "vendor": { "all_used": true } }' >k/fixtures/default/expect.json
NO_COLOR=1 expect_status 0 "$KH" run k --env "$V" --scenario default
expect_contains "$out" "PASS"
# a konnector that asks the vendor nothing leaves all five unused
NO_COLOR=1 expect_status 1 "$KH" run k --env "$V" --scenario default --cmd true
expect_contains "$out" "FAIL"
rm k/fixtures/default/expect.json

# 6. --no-replay goes live: the vendor is down, so the konnector says so
NO_COLOR=1 expect_status 1 "$KH" run k --env "$V" --no-replay
expect_contains "$out" "VENDOR_DOWN"
if grep -q PROXY $R/env; then fail "--no-replay still gave proxy variables: $(grep PROXY $R/env)"; fi

# 7. --replay without a HAR is a usage error
mv "$HAR" k/saved.har
NO_COLOR=1 expect_status 64 "$KH" run k --env "$V" --replay
expect_contains "$out" "vendor.har"
