# konnector-harness run: the COZY_* environment, one check per variable (docs/STACK.md). Needs the fake stack.
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/tests/system/konnectors/shell" k
# /proc/$$/environ of the shell the harness starts: the environment exactly as execve got it, in order
D='tr "\\000" "\\n" < /proc/$$/environ > env.out; printf "%s" "$COZY_FIELDS" > fields.out'

FOO=bar NODE_ENV=development HOME=/home/x expect_status 0 "$KH" run k --cmd "$D"
[ -f k/env.out ] || fail "the konnector did not run: $out"
names=$(sed 's/=.*//' k/env.out | grep -v '^PWD$' | tr '\n' ' ')
[ "$names" = "COZY_URL COZY_CREDENTIALS COZY_FIELDS COZY_PARAMETERS COZY_PAYLOAD COZY_LANGUAGE COZY_LOCALE COZY_TIME_LIMIT COZY_JOB_ID COZY_JOB_MANUAL_EXECUTION COZY_TRIGGER_ID PATH " ] || fail "environment names/order: $names"
get() { grep "^$1=" k/env.out | sed "s/^$1=//"; }
# COZY_URL: the stack's URL with its trailing slash
get COZY_URL | grep -qE '^http://127\.0\.0\.1:[0-9]+/$' || fail "COZY_URL: $(get COZY_URL)"
# COZY_CREDENTIALS: a JWT (three base64url parts), aud konn, sub the slug
tok=$(get COZY_CREDENTIALS)
echo "$tok" | grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' || fail "COZY_CREDENTIALS is not a JWT: $tok"
claims=$(node -e 'const p=process.argv[1].split(".")[1];console.log(Buffer.from(p,"base64url").toString())' "$tok")
expect_contains "$claims" '"sub":"shelltest"'
expect_contains "$claims" 'konn'
# COZY_FIELDS: the job message, keys sorted as a Go map: account, konnector; no credentials in it
f=$(cat k/fields.out)
echo "$f" | grep -qE '^\{"account":"[0-9a-f]{32}","konnector":"shelltest"\}$' || fail "COZY_FIELDS: $f"
[ "$(get COZY_PARAMETERS)" = null ] || fail "COZY_PARAMETERS without parameters must be null"
[ "$(get COZY_PAYLOAD)" = "" ] || fail "COZY_PAYLOAD without payload must be empty"
[ "$(get COZY_LANGUAGE)" = node ] || fail "COZY_LANGUAGE"
[ "$(get COZY_LOCALE)" = en ] || fail "COZY_LOCALE"
[ "$(get COZY_TIME_LIMIT)" = 305 ] || fail "COZY_TIME_LIMIT default: $(get COZY_TIME_LIMIT)"
get COZY_JOB_ID | grep -qE '^konnector/0/[0-9a-f]{32}$' || fail "COZY_JOB_ID: $(get COZY_JOB_ID)"
[ "$(get COZY_JOB_MANUAL_EXECUTION)" = true ] || fail "COZY_JOB_MANUAL_EXECUTION default"
get COZY_TRIGGER_ID | grep -qE '^[0-9a-f]{32}$' || fail "COZY_TRIGGER_ID"
# the run directory's env file has the same list, the token redacted
grep -q '^COZY_CREDENTIALS=<redacted>$' k/.harness/runs/latest/env || fail "env file not redacted"
grep -q "$tok" k/.harness/runs/latest/env && fail "the token leaked into the env file"

# options: --timeout, --locale, --auto, --no-trigger, --trigger-id, --env, --fields-in-env
rm k/env.out
expect_status 0 "$KH" run k --cmd "$D" --timeout 7 --locale fr --auto --trigger-id trig1 --env NODE_ENV=production --fields-in-env
[ "$(get COZY_TIME_LIMIT)" = 12 ] || fail "COZY_TIME_LIMIT with --timeout 7: $(get COZY_TIME_LIMIT)"
[ "$(get COZY_LOCALE)" = fr ] || fail "--locale fr"
[ "$(get COZY_JOB_MANUAL_EXECUTION)" = false ] || fail "--auto"
[ "$(get COZY_TRIGGER_ID)" = trig1 ] || fail "--trigger-id"
[ "$(get NODE_ENV)" = production ] || fail "--env"
expect_contains "$(cat k/fields.out)" '"login":"bob"'
expect_status 0 "$KH" run k --cmd "$D" --no-trigger
grep -q '^COZY_TRIGGER_ID=' k/env.out && fail "--no-trigger still sets COZY_TRIGGER_ID"
FOO=bar expect_status 0 "$KH" run k --cmd "$D" --inherit-env
[ "$(get FOO)" = bar ] || fail "--inherit-env"
[ "$(get COZY_TIME_LIMIT)" = 305 ] || fail "inherited variables must not override COZY_*"

# COZY_PARAMETERS: manifest parameters, dev-config COZY_PARAMETERS, the account type's secret; keys sorted
node -e '
const fs=require("fs");const m=JSON.parse(fs.readFileSync("k/manifest.konnector"));m.parameters={zeta:1,alpha:"<a>"};
fs.writeFileSync("k/manifest.konnector",JSON.stringify(m))'
mkdir -p k/fixtures/default/account_types
echo '{"_id":"shelltest","slug":"shelltest","grant_mode":"secret","secret":"s3cr3t"}' > k/fixtures/default/account_types/shelltest.json
expect_status 0 "$KH" run k --cmd "$D"
[ "$(get COZY_PARAMETERS)" = '{"alpha":"\u003ca\u003e","secret":"s3cr3t","zeta":1}' ] || fail "COZY_PARAMETERS: $(get COZY_PARAMETERS)"
grep -q s3cr3t k/.harness/runs/latest/env && fail "the secret leaked into the env file"
# the secret needs exactly one account type with that slug and a secret grant mode (worker/exec/konnector.go)
echo '{"slug":"shelltest","grant_mode":"authorization_code+secret","secret":{"k":[1]}}' > k/fixtures/default/account_types/shelltest.json
expect_status 0 "$KH" run k --cmd "$D"
[ "$(get COZY_PARAMETERS)" = '{"alpha":"\u003ca\u003e","secret":{"k":[1]},"zeta":1}' ] || fail "JSON secret: $(get COZY_PARAMETERS)"
echo '{"slug":"shelltest","grant_mode":"secret"}' > k/fixtures/default/account_types/shelltest.json
expect_status 0 "$KH" run k --cmd "$D"
[ "$(get COZY_PARAMETERS)" = '{"alpha":"\u003ca\u003e","secret":null,"zeta":1}' ] || fail "secret grant without a secret (Go: null): $(get COZY_PARAMETERS)"
echo '{"slug":"shelltest","grant_mode":"secret","secret":"two"}' > k/fixtures/default/account_types/other.json
expect_status 0 "$KH" run k --cmd "$D"
[ "$(get COZY_PARAMETERS)" = '{"alpha":"\u003ca\u003e","zeta":1}' ] || fail "two account types by slug: $(get COZY_PARAMETERS)"
rm k/fixtures/default/account_types/other.json
echo '{"slug":"shelltest","grant_mode":"authorization_code","secret":"x"}' > k/fixtures/default/account_types/shelltest.json
expect_status 0 "$KH" run k --cmd "$D"
[ "$(get COZY_PARAMETERS)" = '{"alpha":"\u003ca\u003e","zeta":1}' ] || fail "no secret grant: $(get COZY_PARAMETERS)"

# COZY_PAYLOAD: a JSON object re-encoded with sorted keys; anything else empty; big → @cozy_payload.json
echo '{"b":1,"a":"x"}' > p.json
expect_status 0 "$KH" run k --cmd "$D" --payload p.json
[ "$(get COZY_PAYLOAD)" = '{"a":"x","b":1}' ] || fail "COZY_PAYLOAD: $(get COZY_PAYLOAD)"
echo '[1,2]' > arr.json
expect_status 0 "$KH" run k --cmd "$D" --payload arr.json
[ "$(get COZY_PAYLOAD)" = '' ] || fail "COZY_PAYLOAD of an array must be empty"
node -e 'console.log(JSON.stringify({big:"x".repeat(100001)}))' > big.json
node -e 'process.stdout.write(JSON.stringify({big:"x".repeat(100001)}))' > big.compact
expect_status 0 "$KH" run k --cmd 'test "$COZY_PAYLOAD" = @cozy_payload.json && cmp -s cozy_payload.json ../big.compact && echo ok > payload.ok' --payload big.json
[ -f k/payload.ok ] || fail "big payload not passed as @cozy_payload.json"
[ -f k/cozy_payload.json ] && fail "cozy_payload.json left behind after the run"

# the account document: fields → auth, OAuth keys → oauth, account_type = slug (node konnector reads it);
# dump.js prints it, access_token included: the job is done but lint's secret-leak makes it exit 2
expect_status 2 "$KH" run k --entry dump.js
expect_contains "$out" 'stdout.log:3: error secret-leak: the value of the dev-config field "access_token"'
[ "$(json_get k/.harness/runs/latest/report.json 'j.state + "/" + j.lint.errors')" = done/1 ] ||
	fail "report.json lint: $(cat k/.harness/runs/latest/report.json)"
grep -q 'secret-leak' k/.harness/runs/latest/lint.txt || fail "lint.txt"
acc=$(cat k/account.out)
[ "$(echo "$acc" | json_get - 'j.account_type')" = shelltest ] || fail "account_type: $acc"
[ "$(echo "$acc" | json_get - 'j.auth.login + "/" + j.auth.password')" = bob/pw ] || fail "auth: $acc"
[ "$(echo "$acc" | json_get - 'j.oauth.access_token + "/" + j.oauth.scope')" = tok-123/s ] || fail "oauth: $acc"
[ "$(echo "$acc" | json_get - '"access_token" in j.auth')" = false ] || fail "access_token must not be in auth"
# node: the preload gives the konnector the manifest a webpack build bakes in
expect_status 0 "$KH" run k --entry dump.js --raw --no-lint
case "$out" in *secret-leak*) fail "--no-lint still lints: $out" ;; esac
[ "$(json_get k/.harness/runs/latest/report.json '"lint" in j')" = false ] || fail "--no-lint: lint in report.json"
[ -f k/.harness/runs/latest/lint.txt ] && fail "--no-lint: lint.txt written"
expect_contains "$out" '"message":"ENV '
expect_contains "$out" '"message":"SLUG shelltest"'
grep -q __WEBPACK_PROVIDED_MANIFEST__ k/.harness/runs/latest/preload.js || fail "no preload.js"
grep -q '"slug":"shelltest"' k/.harness/runs/latest/preload.js || fail "preload.js lacks the manifest"
expect_status 0 "$KH" run k --entry dump.js --raw --no-preload --no-lint
expect_contains "$out" '"message":"SLUG undefined"'
