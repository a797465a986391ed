# init: the files it writes, placeholders filled, no overwrite without --force, --oauth, --config, bad input.
. "$KH_ROOT/tests/system/lib.sh"

expect_status 0 "$KH" init --help
expect_contains "$out" "--oauth"

expect_status 0 "$KH" init acme-bills
expect_contains "$out" "slug acme-bills"
for f in manifest.konnector package.json src/index.js src/demo-vendor.js konnector-dev-config.json .gitignore \
	.github/workflows/konnector-harness.yml fixtures/default/expect.json fixtures/login-failed/expect.json \
	fixtures/login-failed/konnector-dev-config.json; do
	[ -f "acme-bills/$f" ] || fail "init did not write $f"
done
left=$(grep -rn '{{' acme-bills | grep -v '\${{' || true)
[ -z "$left" ] || fail "placeholders left: $left"
[ "$(json_get acme-bills/manifest.konnector 'j.slug')" = acme-bills ] || fail "manifest slug"
[ "$(json_get acme-bills/manifest.konnector 'j.name')" = Acme-bills ] || fail "manifest name"
[ "$(json_get acme-bills/package.json 'j.dependencies["cozy-konnector-libs"]')" = 5.13.0 ] || fail "libs pin"
[ "$(json_get acme-bills/package.json 'j.overrides.geco')" = 0.11.1 ] || fail "geco override"
grep -q '^\.harness/$' acme-bills/.gitignore || fail ".gitignore lacks .harness/"
grep -q '^node_modules/$' acme-bills/.gitignore || fail ".gitignore lacks node_modules/"
grep -q 'run --all-scenarios --format github' acme-bills/.github/workflows/konnector-harness.yml || fail "workflow"
node --check acme-bills/src/index.js || fail "index.js does not parse"
node --check acme-bills/src/demo-vendor.js || fail "demo-vendor.js does not parse"

# Never overwrite: a second init writes nothing and names the files; --force replaces them.
echo "// mine" >acme-bills/src/index.js
expect_status 64 "$KH" init acme-bills
expect_contains "$out" "src/index.js"
expect_contains "$out" "--force"
[ "$(cat acme-bills/src/index.js)" = "// mine" ] || fail "init overwrote a file without --force"
expect_status 0 "$KH" init acme-bills --force
grep -q BaseKonnector acme-bills/src/index.js || fail "--force did not overwrite"

# --name and --slug, the OAuth variant.
expect_status 0 "$KH" init o --oauth --name "Acme Cloud" --slug acmecloud
[ "$(json_get o/manifest.konnector 'j.name')" = "Acme Cloud" ] || fail "--name"
[ "$(json_get o/manifest.konnector 'Object.keys(j.oauth).join()')" = scope ] || fail "oauth manifest"
for s in default login-failed; do
	[ "$(json_get o/fixtures/$s/account_types/acmecloud.json 'j._id')" = acmecloud ] || fail "$s account type"
	[ -f o/fixtures/$s/refresh/acmecloud.json ] || fail "$s refresh fixture"
done
grep -q '/accounts/${VENDOR}/${accountId}/refresh' o/src/index.js || fail "oauth index.js lacks the refresh call"
grep -q "const VENDOR = 'acmecloud'" o/src/index.js || fail "oauth slug"
node --check o/src/index.js || fail "oauth index.js does not parse"

# Templates are found where `make install` puts them (<prefix>/share/konnector-harness/templates), and
# their absence is a clear error.
mkdir -p inst/bin inst/share/konnector-harness
cp "$KH" inst/bin/konnector-harness
expect_status 69 inst/bin/konnector-harness init nowhere-yet
expect_contains "$out" "no templates found"
[ ! -e nowhere-yet ] || fail "init without templates created its directory"
cp -R "$KH_ROOT/templates" inst/share/konnector-harness/
expect_status 0 inst/bin/konnector-harness init installed
[ -f installed/src/index.js ] || fail "installed templates not used"

# Bad input.
expect_status 64 "$KH" init
expect_status 64 "$KH" init x --frobnicate
expect_status 64 "$KH" init x --slug "Bad Slug"
expect_contains "$out" "bad slug"
expect_status 64 "$KH" init x --name 'say "hi"'
[ ! -e x ] || fail "a refused init created its directory"

# --config: only the dev config, from the manifest's fields, empty strings with a comment each.
mkdir k
cat >k/manifest.konnector <<'JSON'
{"slug": "k", "fields": {"login": {"type": "email", "required": true}, "password": {"type": "password"},
 "branch": {"type": "dropdown", "label": "Your \"branch\"\ncode"}}}
JSON
expect_status 0 "$KH" init --config k
[ "$(ls k)" = "konnector-dev-config.json
manifest.konnector" ] || fail "--config wrote more than the dev config: $(ls k)"
grep -q '// login: email, required' k/konnector-dev-config.json || fail "no comment for login: $(cat k/konnector-dev-config.json)"
grep -q '// branch: dropdown, label Your "branch" code' k/konnector-dev-config.json || fail "label comment"
# Without its comments it is plain JSON with every field empty.
sed 's,^ *//.*,,' k/konnector-dev-config.json >plain.json
[ "$(json_get plain.json 'Object.entries(j.fields).map(([k, v]) => k + "=" + v).join()')" = "login=,password=,branch=" ] ||
	fail "fields: $(cat k/konnector-dev-config.json)"
expect_status 64 "$KH" init --config k
expect_contains "$out" "already exists"
expect_status 0 "$KH" init --config k --force
(cd k && expect_status 0 "$KH" init --config --force)
mkdir bad && echo '{"slug": "b",' >bad/manifest.konnector
expect_status 65 "$KH" init --config bad
expect_contains "$out" "bad/manifest.konnector:"
expect_status 64 "$KH" init --config nowhere
echo ok
