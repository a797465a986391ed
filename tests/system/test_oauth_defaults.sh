# oauth without guesswork: `oauth DIR` takes the konnector's own account type (the one init --oauth
# writes under fixtures/default/account_types/) when --account-type is not given; the account type
# must have auth_endpoint and token_endpoint before anything is opened, and the message names the
# missing one; a provider error never reads `Post "": unsupported protocol scheme ""`.
. "$KH_ROOT/tests/system/lib.sh"

expect_status 0 "$KH" init o --oauth --slug demo
at=o/fixtures/default/account_types/demo.json
# init's account type has no token_endpoint: named, before any listener or URL
expect_status 65 "$KH" oauth o --no-open --timeout 5
expect_contains "$out" "using the account type $at"
expect_contains "$out" "$at has no token_endpoint"
case "$out" in *"Open this URL"* | *"unsupported protocol scheme"*) fail "oauth went on: $out" ;; esac
# no auth_endpoint: named too
node -e 'const f=process.argv[1],fs=require("fs");const j=JSON.parse(fs.readFileSync(f));delete j.auth_endpoint;j.token_endpoint="http://127.0.0.1:9/token";fs.writeFileSync(f,JSON.stringify(j))' "$at"
expect_status 65 "$KH" oauth o --no-open --timeout 5
expect_contains "$out" "$at has no auth_endpoint"
# an endpoint that is no http(s) URL
node -e 'const f=process.argv[1],fs=require("fs");const j=JSON.parse(fs.readFileSync(f));j.auth_endpoint="http://127.0.0.1:9/auth";j.token_endpoint="ftp://x/token";fs.writeFileSync(f,JSON.stringify(j))' "$at"
expect_status 65 "$KH" oauth o --no-open --timeout 5
expect_contains "$out" "token_endpoint \"ftp://x/token\" is not an http(s) URL"

# both endpoints there: the flow starts from the default account type (and waits for the browser)
node -e 'const f=process.argv[1],fs=require("fs");const j=JSON.parse(fs.readFileSync(f));j.token_endpoint="http://127.0.0.1:9/token";fs.writeFileSync(f,JSON.stringify(j))' "$at"
"$KH" oauth o --no-open --timeout 1 >flow.out 2>flow.err && fail "oauth without a redirect succeeded"
grep -q '^http://127.0.0.1:9/auth?' flow.out || fail "no authorization URL from the default account type: $(cat flow.out flow.err)"

# not in fixtures/default/: another scenario's, in name order
rm -r o/fixtures/default/account_types
expect_status 65 "$KH" oauth o --no-open --timeout 5
expect_contains "$out" "using the account type o/fixtures/login-failed/account_types/demo.json"
# no account type anywhere: the message says where it looked
rm -r o/fixtures/*/account_types
expect_status 64 "$KH" oauth o --no-open
expect_contains "$out" "--account-type FILE is required: no fixtures/*/account_types/demo.json in o"
expect_contains "$out" "see \`konnector-harness oauth --help\`"
echo ok
