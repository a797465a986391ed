# POST /accounts/:type/:id/refresh against `serve` and the fake OAuth provider (stack: web/accounts/oauth.go):
# the JSON:API answer, the saved account, the 401/404/500 bodies, canned refresh/<type>.json,
# the token call's timeout, and no token ever in the journal.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"

PROVIDER_LOG=$KH_WORK/provider.log node "$KH_ROOT/tests/system/fake_oauth_provider.js" >provider.port &
provider=$!
trap 'kill $provider 2>/dev/null || true; [ -z "${SERVE_PID:-}" ] || kill $SERVE_PID 2>/dev/null || true' EXIT
wait_for test -s provider.port
port=$(cat provider.port)
P="http://127.0.0.1:$port"

mkdir -p k/fixtures/account_types k/fixtures/refresh k/fixtures/data
cat >k/manifest.konnector <<'J'
{"slug":"svc","permissions":{"accounts":{"type":"io.cozy.accounts"}}}
J
cat >k/fixtures/account_types/svc.json <<J
{"grant_mode":"authorization_code","client_id":"CID","client_secret":"CSECRET","token_endpoint":"$P/token"}
J
# No account_types/offline.json: refresh/offline.json answers instead of a provider.
echo '{"access_token":"AT-canned","expires_in":60}' >k/fixtures/refresh/offline.json
echo '{"error":"invalid_grant","error_description":"expired"}' >k/fixtures/refresh/gone.json
cat >k/fixtures/data/io.cozy.accounts.json <<'J'
[{"_id":"a1","account_type":"svc","label":"drop me","status":"OK","auth":{"login":"me","secret_encrypted":"x"},
  "oauth":{"access_token":"AT-0","refresh_token":"RT-0","token_type":"Bearer"}},
 {"_id":"revoked","account_type":"svc","oauth":{"access_token":"AT-0","refresh_token":"RT-revoked"}},
 {"_id":"down","account_type":"svc","oauth":{"refresh_token":"RT-500"}},
 {"_id":"slow","account_type":"svc","oauth":{"refresh_token":"RT-slow"}},
 {"_id":"garbage","account_type":"svc","oauth":{"refresh_token":"RT-garbage"}},
 {"_id":"cut","account_type":"svc","oauth":{"refresh_token":"RT-cut"}},
 {"_id":"canned","account_type":"offline","name":"n","oauth":{"access_token":"old","refresh_token":"R"}},
 {"_id":"canned-err","account_type":"gone","oauth":{"refresh_token":"R"}},
 {"_id":"nooauth","account_type":"svc","auth":{"login":"me"}},
 {"_id":"nort","account_type":"svc","oauth":{"access_token":"AT-0"}},
 {"_id":"notype","account_type":"nosuchtype","oauth":{"refresh_token":"R"}}]
J
cp -R k/fixtures fixtures.orig
curl -sS -X POST "$P/revoke?token=RT-revoked" >/dev/null

# The provider's slow answer must end in the stack's 500 within a short bound (this run only).
KONNECTOR_HARNESS_OAUTH_TIMEOUT_MS=300 serve_start k --out run

# 1. 200: the JSON:API document, expires_at, the new _rev, unknown fields dropped.
req POST /accounts/ignored-type/a1/refresh
expect 200 '"type":"io.cozy.accounts"'
a=$(printf '%s' "$body" | json_get - 'JSON.stringify(Object.keys(j.data).concat(Object.keys(j.data.attributes)))')
[ "$a" = '["type","id","attributes","meta","links","account_type","name","auth","oauth"]' ] ||
	fail "keys of the refresh answer: $a -- $body"
[ "$(printf '%s' "$body" | json_get - 'j.data.id')" = a1 ] || fail "id: $body"
[ "$(printf '%s' "$body" | json_get - 'j.data.links.self')" = /data/io.cozy.accounts/a1 ] || fail "links: $body"
o=$(printf '%s' "$body" | json_get - 'j.data.attributes.oauth')
[ "$(printf '%s' "$o" | json_get - 'j.access_token')" = AT-1 ] || fail "access_token: $o"
[ "$(printf '%s' "$o" | json_get - 'j.refresh_token')" = RT-1 ] || fail "refresh_token: $o"
[ "$(printf '%s' "$o" | json_get - 'j.token_type')" = Bearer ] || fail "token_type: $o"
# expires_at = now + 3600 s, RFC 3339 with nanoseconds (Go's RFC3339Nano drops trailing zeros).
printf '%s' "$o" | json_get - 'j.expires_at' |
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$' ||
	fail "expires_at: $o"
d=$(printf '%s' "$o" | json_get - '(Date.parse(j.expires_at) - Date.now()) / 1000')
node -e 'process.exit(Math.abs(process.argv[1] - 3600) < 120 ? 0 : 1)' "$d" || fail "expires_at is not now + 3600 s: $o"
[ "$(printf '%s' "$body" | json_get - 'JSON.stringify(j.data.attributes.auth)')" = '{"login":"me"}' ] ||
	fail "auth keys unknown to the stack must go: $body"
rev=$(printf '%s' "$body" | json_get - 'j.data.meta.rev')
case "$rev" in 2-*) ;; *) fail "meta.rev should be the saved doc's second rev: $rev" ;; esac
# The stored doc: the same _rev, label/status gone.
req GET /data/io.cozy.accounts/a1
expect 200 '"access_token":"AT-1"'
[ "$(printf '%s' "$body" | json_get - 'j._rev')" = "$rev" ] || fail "stored _rev differs from meta.rev: $body"
case "$body" in *label* | *'"status"'* | *secret_encrypted*) fail "unknown fields kept: $body" ;; esac
# The provider got the stack's form refresh: all four params, no Accept header.
line=$(grep '"refresh_token":"RT-0"' provider.log)
[ "$(echo "$line" | json_get - 'JSON.stringify(j.params)')" = \
	'{"client_id":"CID","client_secret":"CSECRET","grant_type":"refresh_token","refresh_token":"RT-0"}' ] ||
	fail "refresh request: $line"
[ "$(echo "$line" | json_get - 'j.headers.accept || "none"')" = none ] || fail "form refresh sends no Accept: $line"
# Again: the rotated refresh token is the one used.
req POST /accounts/svc/a1/refresh
expect 200 '"access_token":"AT-2"'
grep -q '"refresh_token":"RT-1"' provider.log || fail "second refresh did not use RT-1"

# A konnector started by hand with serve's environment: its token is stale, it asks the stack to
# refresh its account (as cozy-konnector-libs does) and uses the new token at the provider.
cat >konnector.js <<'JS'
const base = process.env.COZY_URL, auth = { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS };
(async () => {
  const stale = await fetch(process.env.PROVIDER + '/me', { headers: { Authorization: 'Bearer AT-0' } });
  if (stale.status !== 401) throw new Error('stale token accepted');
  const r = await fetch(base + 'accounts/svc/a1/refresh', { method: 'POST', headers: auth });
  if (r.status !== 200) throw new Error('refresh: ' + r.status + ' ' + (await r.text()));
  const token = (await r.json()).data.attributes.oauth.access_token;
  const me = await fetch(process.env.PROVIDER + '/me', { headers: { Authorization: 'Bearer ' + token } });
  console.log(me.status, token);
})().catch((e) => { console.error(e.message); process.exit(1); });
JS
out=$(COZY_URL=$URL COZY_CREDENTIALS=$TOKEN PROVIDER=$P node konnector.js) || fail "konnector: $out"
[ "$out" = "200 AT-3" ] || fail "the konnector could not use its refreshed token: $out"

# 2. provider 400 invalid_grant → 401 oauth_refresh_invalid_token, exact body; account untouched.
req POST /accounts/svc/revoked/refresh
expect 401
[ "$body" = '{"errors":[{"status":"401","title":"Unauthorized","code":"oauth_refresh_invalid_token","detail":"OAuth refresh token is invalid or expired; reconnect account.","source":{}}]}' ] ||
	fail "invalid_grant body: $body"
req GET /data/io.cozy.accounts/revoked
expect 200 '"_rev":"1-'

# 3. provider 500 (HTML) → 500 Unqualified error with the status.
req POST /accounts/svc/down/refresh
expect 500
[ "$body" = '{"errors":[{"status":"500","title":"Unqualified error","detail":"oauth service responded with status 500","source":{}}]}' ] ||
	fail "provider 500 body: $body"

# 4. a provider that never answers: 500 with Go's client timeout words.
req POST /accounts/svc/slow/refresh
expect 500 '"title":"Unqualified error"'
expect_contains "$body" "Post \\\"$P/token\\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"

# 4b. a provider answering garbage, or closing mid-answer: the stack's 500 with Go's decoder words,
# the account unchanged (model/account/type.go RefreshAccount decodes the body with encoding/json).
req POST /accounts/svc/garbage/refresh
expect 500 '"title":"Unqualified error"'
req POST /accounts/svc/cut/refresh
expect 500 '"title":"Unqualified error"'
[ "$body" = '{"errors":[{"status":"500","title":"Unqualified error","detail":"unexpected EOF","source":{}}]}' ] ||
	fail "a provider closing mid-answer: $body"
req GET /data/io.cozy.accounts/cut
expect 200 '"_rev":"1-'

# 5. canned refresh/<type>.json: success and error.
req POST /accounts/x/canned/refresh
expect 200 '"access_token":"AT-canned"'
expect_contains "$body" '"refresh_token":"R"'
expect_contains "$body" '"expires_at":"'
req POST /accounts/x/canned-err/refresh
expect 401 '"code":"oauth_refresh_invalid_token"'

# 6. no oauth → 500; no refresh token → the client credentials handed out, no provider call.
req POST /accounts/svc/nooauth/refresh
expect 500
[ "$body" = '{"errors":[{"status":"500","title":"Unqualified error","detail":"this account can not be refreshed","source":{}}]}' ] ||
	fail "no oauth body: $body"
before=$(wc -l <provider.log)
req POST /accounts/svc/nort/refresh
expect 200 '"client_id":"CID"'
expect_contains "$body" '"client_secret":"CSECRET"'
expect_contains "$body" '"expires_at":"0001-01-01T00:00:00Z"'
[ "$(wc -l <provider.log)" -eq "$before" ] || fail "no refresh token must mean no provider call"

# 7. missing account → 404 CouchDB not_found/missing; unknown account type → the same 404.
req POST /accounts/svc/nope/refresh
expect 404
[ "$body" = '{"errors":[{"status":"404","title":"not_found","detail":"missing","source":{}}]}' ] || fail "missing: $body"
req POST /accounts/svc/notype/refresh
expect 404 '"detail":"missing"'

# 8. no token → 401 (echo error: by Accept); a token we never minted → 400.
status=$(curl -sS -o notoken.out -X POST -H 'Accept: application/json' -w '%{http_code}' "${URL}accounts/svc/a1/refresh")
[ "$status" = 401 ] || fail "no token: $status"
[ "$(json_get notoken.out 'JSON.stringify(j)')" = '{"error":"No token in request"}' ] || fail "no token: $(cat notoken.out)"
status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Authorization: Bearer forged' "${URL}accounts/svc/a1/refresh")
[ "$status" = 400 ] || fail "forged token: $status"
# Other methods and paths under /accounts.
req GET /accounts/svc/a1/refresh
expect 405
req POST /accounts/svc/a1/start
expect 404

# 9. the journal never holds a token; the fixtures are untouched.
serve_stop
SERVE_PID=
grep -q '"path":"/accounts/ignored-type/a1/refresh"' run/journal.jsonl || fail "refresh not journaled"
for s in AT-1 RT-1 AT-2 RT-2 AT-3 RT-3 AT-canned CSECRET "$TOKEN"; do
	if grep -q -- "$s" run/journal.jsonl; then fail "journal holds $s: $(grep -- "$s" run/journal.jsonl)"; fi
done
grep -q '<redacted>' run/journal.jsonl || fail "journal shows no redaction"
diff -r fixtures.orig k/fixtures || fail "fixtures were written"
[ "$(json_get run/state/data/io.cozy.accounts/a1.json 'j.oauth.access_token')" = AT-3 ] || fail "state lacks the refreshed account"

# 10. stopping while a refresh is parked on the provider: the client gets an answer, serve exits 0 (ASan: no leak).
serve_start k --out run-stop
slow_before=$(grep -c RT-slow provider.log)
curl -sS -o parked.out -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" "${URL}accounts/svc/slow/refresh" \
	>parked.status &
parked=$!
wait_for sh -c "[ \$(grep -c RT-slow provider.log) -gt $slow_before ]"
serve_stop
SERVE_PID=
wait $parked || fail "the parked client got no answer"
[ "$(cat parked.status)" = 503 ] || fail "parked refresh at shutdown: $(cat parked.status) $(cat parked.out)"

# 11. enforce mode: a konnector without a rule on io.cozy.accounts is refused (403 by Accept), before any provider call.
mkdir -p noperm
echo '{"slug":"other","permissions":{"b":{"type":"io.cozy.bills"}}}' >noperm/manifest.konnector
serve_start noperm --fixtures k/fixtures --permissions enforce --out run-noperm
before=$(wc -l <provider.log)
req POST /accounts/svc/a1/refresh
expect 403
[ "$(printf '%s' "$body" | json_get - 'JSON.stringify(j)')" = '{"error":"Forbidden"}' ] || fail "403 body: $body"
req POST /accounts/svc/nope/refresh
expect 404 '"detail":"missing"'
[ "$(wc -l <provider.log)" -eq "$before" ] || fail "a refused refresh must not call the provider"
serve_stop
SERVE_PID=

# 12. token_mode basic and get against a provider in that mode.
for mode in basic get; do
	MODE=$mode node "$KH_ROOT/tests/system/fake_oauth_provider.js" >p-$mode.port &
	mp=$!
	wait_for test -s p-$mode.port
	mport=$(cat p-$mode.port)
	mkdir -p m-$mode/fixtures/account_types m-$mode/fixtures/data
	echo '{"slug":"svc","permissions":{"a":{"type":"io.cozy.accounts"}}}' >m-$mode/manifest.konnector
	echo "{\"client_id\":\"CID\",\"client_secret\":\"CSECRET\",\"token_mode\":\"$mode\",\"token_endpoint\":\"http://127.0.0.1:$mport/token\"}" \
		>m-$mode/fixtures/account_types/svc.json
	echo '[{"_id":"a1","account_type":"svc","oauth":{"refresh_token":"RT-0"}}]' >m-$mode/fixtures/data/io.cozy.accounts.json
	serve_start m-$mode --out run-$mode
	req POST /accounts/svc/a1/refresh
	kill $mp
	expect 200 '"access_token":"AT-1"'
	serve_stop
	SERVE_PID=
done
