# init then run, end to end with the real cozy-konnector-libs 5.13.0 from npm (cached under build/npm-cache/):
# the default scenario succeeds with every expectation of its expect.json, login-failed gives LOGIN_FAILED.
. "$KH_ROOT/tests/system/lib.sh"

expect_status 0 "$KH" init demo
set +e
"$KH" run --help >run-help.txt 2>&1
set -e
if grep -qi 'not built' run-help.txt; then
	echo "SKIP: konnector-harness run is not built in this tree"
	exit 0
fi

# One npm install per package.json content; reruns reuse it.
cache="$KH_ROOT/build/npm-cache/init-template"
if [ ! -f "$cache/node_modules/cozy-konnector-libs/package.json" ] || ! cmp -s demo/package.json "$cache/package.json"; then
	mkdir -p "$cache"
	cp demo/package.json "$cache/package.json"
	if ! (cd "$cache" && timeout 300 npm install --legacy-peer-deps --ignore-scripts --no-audit --no-fund >npm.log 2>&1); then
		echo "SKIP: npm install of cozy-konnector-libs failed (registry unreachable?): $(tail -n 3 "$cache/npm.log")"
		exit 0
	fi
fi
ln -s "$cache/node_modules" demo/node_modules

set +e
"$KH" run demo --scenario default --no-color >default.txt 2>&1
st=$?
set -e
if grep -q 'files API not built' default.txt; then
	echo "SKIP: this tree's fake stack has no /files API yet: $(grep -m1 'files API' default.txt)"
	exit 0
fi
out=$(cat default.txt)
[ "$st" = 0 ] || fail "default scenario exited $st: $out"
expect_contains "$out" ' passed, 0 failed'
expect_contains "$out" 'saveFiles created 2 files'

expect_status 0 "$KH" run demo --scenario login-failed --format json
expect_contains "$out" 'LOGIN_FAILED'

# The OAuth variant: the expired token is refreshed once through the stack's refresh route (canned
# refresh/<slug>.json answer); a revoked refresh token gives USER_ACTION_NEEDED.OAUTH_OUTDATED. Both as expected.
expect_status 0 "$KH" init oa --oauth --slug demo
ln -s "$cache/node_modules" oa/node_modules
"$KH" run oa --all-scenarios --format tap >oa.tap 2>oa.err || fail "oauth scenarios: $(cat oa.tap; tail -n 30 oa.err)"
grep -qx 'ok [0-9]* - default: requests POST /accounts/\*/refresh (status 200) count 1' oa.tap || fail "oauth refresh: $(cat oa.tap)"
grep -qx 'ok [0-9]* - login-failed: verdict' oa.tap || fail "oauth login-failed: $(cat oa.tap)"
grep -q 'critical USER_ACTION_NEEDED.OAUTH_OUTDATED' oa.err || fail "oauth login-failed verdict: $(cat oa.err)"

# A failing expectation fails the run and shows expected and actual.
sed 's/"count": 2,/"count": 3,/' demo/fixtures/default/expect.json >e.json && mv e.json demo/fixtures/default/expect.json
expect_status 1 "$KH" run demo --scenario default
expect_contains "$out" "documents io.cozy.bills count 3"
expect_contains "$out" "expected == 3 io.cozy.bills documents, got 2"
echo ok
