# run/watch --save-tokens: a node konnector asks the fake stack to refresh its account
# (POST /accounts/<type>/<id>/refresh, as cozy-konnector-libs does) against the fake OAuth provider;
# with --save-tokens the new tokens go back into the commented dev config, every other byte kept;
# without it the file is byte-identical. A fixture account's refresh never touches the dev config.
. "$KH_ROOT/tests/system/lib.sh"

PROVIDER_LOG=$KH_WORK/provider.log node "$KH_ROOT/tests/system/fake_oauth_provider.js" >provider.port &
provider=$!
pid=
trap 'kill $provider 2>/dev/null || true; [ -z "$pid" ] || kill -KILL $pid 2>/dev/null || true' EXIT
wait_for test -s provider.port
P="http://127.0.0.1:$(cat provider.port)"

mkdir -p k/fixtures/account_types k/fixtures/data
cat >k/manifest.konnector <<'J'
{"slug":"svc","name":"Svc","language":"node","permissions":{"accounts":{"type":"io.cozy.accounts"}}}
J
cat >k/fixtures/account_types/svc.json <<J
{"grant_mode":"authorization_code","client_id":"CID","client_secret":"CSECRET","token_endpoint":"$P/token"}
J
echo '[{"_id":"fixture-acc","account_type":"svc","oauth":{"access_token":"AT-f","refresh_token":"RT-f"}}]' \
	>k/fixtures/data/io.cozy.accounts.json
cat >k/konnector-dev-config.json <<'J'
{
  // tokens obtained by hand; --save-tokens keeps them fresh
  "fields": {
    "refresh_token": "RT-0", /* from the provider's console */
    "access_token":   "AT-0",
    "extra": "kept"
  },
  "COZY_PARAMETERS": {"a": 1}
}
J
cp k/konnector-dev-config.json config.orig
# Refreshes the fixture account, then its own; prints statuses only (never a token: lint would say so).
cat >k/index.js <<'JS'
const base = process.env.COZY_URL, auth = { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS };
const log = (type, message) => console.log(JSON.stringify({ type, message }));
const refresh = (id) => fetch(base + 'accounts/svc/' + id + '/refresh', { method: 'POST', headers: auth });
(async () => {
  const f = await refresh('fixture-acc');
  const r = await refresh(JSON.parse(process.env.COZY_FIELDS).account);
  log('info', 'refresh ' + f.status + ' ' + r.status);
})().catch((e) => { log('critical', 'VENDOR_DOWN ' + e.message); process.exit(1); });
JS

# 1. without the flag: the refresh works, the dev config is byte-identical, no tokens line
NO_COLOR=1 expect_status 0 "$KH" run k
expect_contains "$out" "refresh 200 200"
cmp -s config.orig k/konnector-dev-config.json || fail "the dev config changed without --save-tokens: $(cat k/konnector-dev-config.json)"
case "$out" in *"tokens "*) fail "tokens shown without --save-tokens: $out" ;; esac
[ "$(json_get k/.harness/runs/latest/report.json '"saved_tokens" in j')" = false ] || fail "saved_tokens without the flag"

# 2. with it: the dev config's account's new tokens (not the fixture account's), the rest intact
n0=$(grep -c '"grant_type":"refresh_token"' provider.log)
NO_COLOR=1 expect_status 0 "$KH" run k --save-tokens
expect_contains "$out" "refresh 200 200"
# the provider numbers its tokens: the fixture account got n0+1, ours n0+2
want_at="AT-$((n0 + 2))" want_rt="RT-$((n0 + 2))"
grep -q "\"refresh_token\":\"RT-0\"" provider.log || fail "the dev config's refresh token was not used"
sed -e "s/\"RT-0\"/\"$want_rt\"/" -e "s/\"AT-0\"/\"$want_at\"/" config.orig >config.want
cmp -s config.want k/konnector-dev-config.json ||
	fail "dev config after --save-tokens: $(diff config.want k/konnector-dev-config.json)"
expect_contains "$out" "tokens   saved to k/konnector-dev-config.json: access_token **** (4 chars), refresh_token **** (4 chars)"
case "$out" in *"$want_at"* | *"$want_rt"*) fail "a token in clear on the terminal: $out" ;; esac
[ "$(json_get k/.harness/runs/latest/report.json 'j.saved_tokens[0].access_token')" = "**** (4 chars)" ] ||
	fail "report.json saved_tokens: $(cat k/.harness/runs/latest/report.json)"
grep -rq -- "$want_at" k/.harness/runs/latest/report.json k/.harness/runs/latest/journal.jsonl k/.harness/runs/latest/env &&
	fail "a new token in the run directory"

# 3. watch --save-tokens: each run saves; our own write of the dev config starts no run, stops none
cp config.orig k/konnector-dev-config.json
NO_COLOR=1 "$KH" watch k --save-tokens >watch.log 2>&1 &
pid=$!
has_line() { grep -q "$2" "$1"; }
wait_for has_line watch.log '^\[watch\] run 1 · start · done · .* · tokens saved (access_token \*\*\*\* (4 chars)) · '
wait_for sh -c '! cmp -s config.orig k/konnector-dev-config.json'
echo '// a change' >k/a.js
wait_for has_line watch.log '^\[watch\] run 2 · a.js'
kill -INT $pid
set +e
wait $pid
rc=$?
set -e
pid=
[ "$rc" -eq 0 ] || fail "watch exited $rc: $(cat watch.log)"
grep -q 'run 2 · konnector-dev-config' watch.log && fail "our own save started a run: $(cat watch.log)"
grep -q 'stopped' watch.log && fail "our own save stopped a run: $(cat watch.log)"
grep -q '^\[watch\] run 3' watch.log && fail "a third run: $(cat watch.log)"
# run 2 started from the tokens run 1 saved, and saved its own
[ "$(json_get k/.harness/runs/latest/report.json 'j.saved_tokens.length')" = 1 ] || fail "watch run 2 saved nothing"
grep -q '"refresh_token":  *"RT-0"' k/konnector-dev-config.json && fail "watch did not save"
grep -q '// tokens obtained by hand' k/konnector-dev-config.json || fail "comments lost"
