# konnector-harness run: manifest and dev config errors, --write-config, the example. Needs the fake stack.
. "$KH_ROOT/tests/system/lib.sh"
cp -R "$KH_ROOT/tests/system/konnectors/shell" k
rm k/konnector-dev-config.json
# missing dev config: 65, naming the manifest's fields and offering --write-config
expect_status 65 "$KH" run k --cmd true
expect_contains "$out" "konnector-dev-config.json is missing"
expect_contains "$out" "login, password"
expect_contains "$out" "--write-config"
[ -e k/konnector-dev-config.json ] && fail "created the config without being asked"
expect_status 0 "$KH" run k --write-config
[ "$(json_get k/konnector-dev-config.json 'Object.keys(j.fields).join()')" = login,password ] || fail "template"
echo '{"fields":{"login":"me"}}' > k/konnector-dev-config.json
"$KH" run k --write-config --cmd true >/dev/null 2>&1 || true
[ "$(json_get k/konnector-dev-config.json 'j.fields.login')" = me ] || fail "--write-config overwrote a config"
# bad JSON in the dev config: file:line:column
printf '{\n  // c\n  "fields": {\n    "login": "x",\n  }\n}\n' > k/konnector-dev-config.json
expect_status 65 "$KH" run k --cmd true
# named where the comma is, not where the parser gave up
expect_contains "$out" "konnector-dev-config.json:4:17: trailing comma"
# bad manifest
echo '{"fields":{}}' > k/konnector-dev-config.json
printf '{\n "slug": "x",,\n}' > k/manifest.konnector
expect_status 65 "$KH" run k --cmd true
expect_contains "$out" "manifest.konnector:2:"
expect_status 64 "$KH" run nowhere
expect_status 64 "$KH" run k --timeout 0
expect_status 64 "$KH" run k --format xml
expect_status 0 "$KH" run --help

# the bundled example, offline: done with two documents; the wrong password gives LOGIN_FAILED
cp -R "$KH_ROOT/examples/hello" hello
rm -rf hello/.harness
NO_COLOR=1 expect_status 0 "$KH" run hello
expect_contains "$out" "hello done"
expect_contains "$out" "io.cozy.hello.greetings: 2 created"
expect_status 1 "$KH" run hello --config hello/wrong-password.json
expect_contains "$out" "LOGIN_FAILED"
expect_contains "$out" "later automatic runs of the trigger are skipped"
# --state: a second run starts from the first run's documents
expect_status 0 "$KH" run hello --state hello/.harness/runs/1
[ "$(ls hello/.harness/runs/3/state/data/io.cozy.hello.greetings | wc -l)" -ge 5 ] || fail "--state did not keep the first run's documents"
