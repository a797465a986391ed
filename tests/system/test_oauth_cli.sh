# konnector-harness oauth: the authorization-code flow end to end against a fake provider,
# a scripted browser (curl following the redirect), tokens written into a commented dev config.
. "$KH_ROOT/tests/system/lib.sh"

PROVIDER_LOG=$KH_WORK/provider.log node "$KH_ROOT/tests/system/fake_oauth_provider.js" >provider.port &
provider=$!
trap 'kill $provider 2>/dev/null || true' EXIT
wait_for test -s provider.port
port=$(cat provider.port)

mkdir konn
cat >konn/manifest.konnector <<JSON
{"slug":"svc","oauth":{"scope":["read","write"]}}
JSON
cat >konn/konnector-dev-config.json <<'JSON'
// my dev config
{
  "COZY_URL": "http://cozy.localhost:8080", /* kept */
  "fields": {
    "login": "me",
    "access_token": "old" // to be replaced
  }
}
JSON
cat >at.json <<JSON
{"grant_mode":"authorization_code","client_id":"CID","client_secret":"CSECRET",
 "auth_endpoint":"http://127.0.0.1:$port/authorize","token_endpoint":"http://127.0.0.1:$port/token",
 "extras":{"access_type":"offline"}}
JSON

# start_flow: run the command in the background; $url is the printed authorization URL.
start_flow() {
	rm -f flow.out flow.err
	"$KH" oauth konn --account-type at.json --no-open --timeout 30 >flow.out 2>flow.err &
	flow=$!
	wait_for grep -q "^http://127.0.0.1:$port/authorize" flow.out
	url=$(grep "^http://127.0.0.1:$port/authorize" flow.out)
	redirect=$(node -e 'console.log(new URL(process.argv[1]).searchParams.get("redirect_uri"))' "$url")
	state=$(node -e 'console.log(new URL(process.argv[1]).searchParams.get("state"))' "$url")
}
finish_flow() {
	set +e
	wait $flow
	status=$?
	set -e
}

# 1. the happy path: the browser follows the provider's redirect back to us.
chmod 600 konn/konnector-dev-config.json
inode_before=$(stat -c %i konn/konnector-dev-config.json)
start_flow
expect_contains "$url" "scope=read+write"
expect_contains "$url" "response_type=code"
expect_contains "$url" "access_type=offline"
expect_contains "$url" "client_id=CID"
[ ${#state} -eq 32 ] || fail "state should be 32 hex chars: $state"
page=$(curl -sS -L "$url")
expect_contains "$page" "authorization received"
finish_flow
[ "$status" -eq 0 ] || fail "oauth exited $status: $(cat flow.err)"
out=$(cat flow.out)
expect_contains "$out" "fields.access_token"
case "$out" in *AT-from-code-0123456789*) fail "the token was printed unmasked" ;; esac
cat >want.json <<'JSON'
// my dev config
{
  "COZY_URL": "http://cozy.localhost:8080", /* kept */
  "fields": {
    "login": "me",
    "access_token": "AT-from-code-0123456789",
    "refresh_token": "RT-first" // to be replaced
  }
}
JSON
cmp want.json konn/konnector-dev-config.json || fail "dev config: $(cat konn/konnector-dev-config.json)"
# Atomically: a new file renamed over the old one (new inode), same mode, no temp file left.
[ "$(stat -c %i konn/konnector-dev-config.json)" != "$inode_before" ] || fail "dev config rewritten in place"
[ "$(stat -c %a konn/konnector-dev-config.json)" = 600 ] || fail "dev config mode changed"
[ "$(ls konn)" = "$(printf 'konnector-dev-config.json\nmanifest.konnector')" ] || fail "left over: $(ls konn)"
# The code exchange as the stack sends it (form mode: all params in the body).
line=$(grep authorization_code provider.log)
[ "$(echo "$line" | json_get - 'j.params.state')" = "$state" ] || fail "state not sent: $line"
[ "$(echo "$line" | json_get - 'j.params.redirect_uri')" = "$redirect" ] || fail "redirect_uri: $line"
[ "$(echo "$line" | json_get - 'j.headers.accept')" = "application/json" ] || fail "accept: $line"

# 2. a state mismatch: no exchange, clear error.
start_flow
curl -sS "$redirect?code=CODE123&state=forged" >/dev/null
finish_flow
[ "$status" -eq 1 ] || fail "state mismatch should exit 1, got $status"
expect_contains "$(cat flow.err)" "state mismatch"

# 3. consent denied at the provider.
start_flow
curl -sS "$redirect?error=access_denied&error_description=user+said+no&state=$state" >/dev/null
finish_flow
[ "$status" -eq 1 ] || fail "denied should exit 1"
expect_contains "$(cat flow.err)" "error=access_denied: user said no"

# 4. the provider refuses the code: its error body is shown.
start_flow
curl -sS "$redirect?code=WRONG&state=$state" >/dev/null
finish_flow
[ "$status" -eq 1 ] || fail "refused code should exit 1"
expect_contains "$(cat flow.err)" "oauth services responded with non-200 res"
expect_contains "$(cat flow.err)" "invalid_grant"
cmp want.json konn/konnector-dev-config.json || fail "a failed flow must not touch the dev config"

# 5. nobody comes back: the wait is bounded by --timeout.
"$KH" oauth konn --account-type at.json --no-open --timeout 1 >flow.out 2>flow.err &
flow=$!
finish_flow
[ "$status" -eq 1 ] || fail "timeout should exit 1, got $status"
expect_contains "$(cat flow.err)" "no redirect from the provider in time"
cmp want.json konn/konnector-dev-config.json || fail "a timed-out flow must not touch the dev config"

# 6. usage errors.
expect_status 64 "$KH" oauth konn
echo '{"client_id": 42}' >bad.json
expect_status 65 "$KH" oauth konn --account-type bad.json
expect_contains "$out" "bad.json:1:15: client_id must be a string"
