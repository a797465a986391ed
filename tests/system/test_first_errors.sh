# Errors found before the run, said where they are: a malformed expect.json stops the run before the
# konnector starts (65); trailing commas, missing commas and unterminated comments in the dev config
# and the manifest are named at their real position; a manifest member of the wrong type is refused
# (65, file:line:col); an undeclared dev-config field or an unknown top-level key is only a warning.
. "$KH_ROOT/tests/system/lib.sh"

fresh() {
	rm -rf k
	cp -R "$KH_ROOT/examples/hello" k
	rm -rf k/.harness
	# the konnector leaves a mark when it starts: nothing must start when the input is bad
	sed -i "1a require('fs').writeFileSync(__dirname + '/started', '')" k/index.js
}

# expect.json is checked before the run
fresh
printf '{\n  "verdict": "done",\n  "documents": {"io.cozy.hello.greetings": {"count": 2}}\n  "lint": {}\n}\n' \
	>k/fixtures/default/expect.json
expect_status 65 "$KH" run k
expect_contains "$out" "k/fixtures/default/expect.json:3:57: missing comma"
[ ! -e k/started ] || fail "the konnector ran although expect.json is malformed"
printf '{"verdict": "done", "documents": {"io.cozy.hello.greetings": {"cuont": 2}}}\n' >k/fixtures/default/expect.json
expect_status 65 "$KH" run k
expect_contains "$out" "cuont"
[ ! -e k/started ] || fail "the konnector ran although expect.json is invalid"
expect_status 65 "$KH" run k --all-scenarios
expect_contains "$out" "expect.json"
expect_status 65 "$KH" watch k
expect_contains "$out" "expect.json"
[ ! -e k/started ] || fail "watch ran the konnector although expect.json is invalid"

# the dev config: a trailing comma (refused, as cozy-konnector-dev's JSON.parse refuses it)
fresh
printf '{\n  "fields": {\n    "login": "alice",\n    "password": "s3cret",\n  }\n}\n' >k/konnector-dev-config.json
expect_status 65 "$KH" run k
expect_contains "$out" "k/konnector-dev-config.json:4:25: trailing comma"
expect_contains "$out" "JSON.parse"
# a missing comma is blamed on the line that lacks it, not on the next one
printf '{\n  "fields": {\n    "login": "alice"\n    "password": "s3cret"\n  }\n}\n' >k/konnector-dev-config.json
expect_status 65 "$KH" run k
expect_contains "$out" "k/konnector-dev-config.json:3:21: missing comma"
# an unterminated comment is named where it opens, not at column 0 of the end
printf '{\n  "fields": {"login": "alice", "password": "s3cret"}\n  /* a note\n}\n' >k/konnector-dev-config.json
expect_status 65 "$KH" run k
expect_contains "$out" "k/konnector-dev-config.json:3:3: unterminated comment"
[ ! -e k/started ] || fail "the konnector ran with a malformed dev config"

# the manifest: the same mistakes, and known members of the wrong type
fresh
sed -i 's/"password": { "type": "password" }/"password": { "type": "password" },/' k/manifest.konnector
expect_status 65 "$KH" run k
expect_contains "$out" "k/manifest.konnector:10:39: trailing comma"
fresh
sed -i 's/^  "fields": {$/  "fields": "oops", "x": {/' k/manifest.konnector
expect_status 65 "$KH" run k
expect_contains "$out" "k/manifest.konnector:8:13: \"fields\" must be an object, not a string"
fresh
sed -i 's/"slug": "hello",/"slug": "hello", \/\/ the slug/' k/manifest.konnector
expect_status 65 "$KH" run k
expect_contains "$out" "k/manifest.konnector:6:20: a comment"
expect_status 65 "$KH" serve k
expect_contains "$out" "k/manifest.konnector:6:20: a comment"
[ ! -e k/started ] || fail "the konnector ran with a malformed manifest"

# warnings, not failures: a field the manifest does not declare, an unknown top-level key
fresh
printf '{\n  "fields": {"login": "alice", "pasword": "s3cret"},\n  "COZY_PARAMTERS": {}\n}\n' >k/konnector-dev-config.json
expect_status 0 "$KH" run k --no-color
expect_contains "$out" "warning: k/konnector-dev-config.json:2:32: fields.pasword is not a field of the manifest (a typo for \"password\"?)"
expect_contains "$out" "warning: k/konnector-dev-config.json:3:3: unknown key \"COZY_PARAMTERS\""
[ -e k/started ] || fail "a warning stopped the run"
json_get k/.harness/runs/latest/report.json 'j.warnings.join("\n")' >warnings.txt
grep -q 'pasword' warnings.txt || fail "report.json lacks the dev config warning: $(cat warnings.txt)"
echo ok
