# End to end with the real library: examples/libs-bills (cozy-konnector-libs 5.13.0) saves two bills with
# their PDFs and one more file through `serve`; a second run against the same state uploads nothing.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/files_lib.sh"

ex="$KH_ROOT/examples/libs-bills"
cache="$KH_ROOT/build/npm-cache/libs-bills"
if [ ! -f "$cache/node_modules/cozy-konnector-libs/package.json" ] || ! cmp -s "$ex/package.json" "$cache/package.json"; then
	mkdir -p "$cache"
	cp "$ex/package.json" "$cache/package.json"
	if ! (cd "$cache" && timeout 300 npm install --legacy-peer-deps --ignore-scripts --no-audit --no-fund >npm.log 2>&1); then
		echo "SKIP: npm install of cozy-konnector-libs failed (registry unreachable?): $(tail -n 3 "$cache/npm.log")"
		exit 0
	fi
fi

mkdir k
cp -R "$ex/index.js" "$ex/manifest.konnector" "$ex/vendor" "$ex/fixtures" k/
ln -s "$cache/node_modules" k/node_modules
start_serve k k/fixtures

api GET '/files/metadata?Path=%2FAdministrative%2FLibsbills'
expect_http 200
folder=$(json_get - 'j.data.id' <resp.body)

# The environment the stack gives a konnector (stack.md §1.3), built by hand from serve's lines.
run_konnector() {
	(cd k && env -i PATH="$PATH" HOME="$KH_WORK" COZY_URL="$URL/" COZY_CREDENTIALS="$TOKEN" \
		COZY_FIELDS='{"account":"acc1","folder_to_save":"'"$folder"'","konnector":"libsbills"}' \
		COZY_PARAMETERS=null COZY_PAYLOAD= COZY_LANGUAGE=node COZY_LOCALE=en COZY_TIME_LIMIT=300 \
		COZY_JOB_ID=job1 COZY_JOB_MANUAL_EXECUTION=true node index.js) >"$1" 2>"$1.err"
}

run_konnector run1.out || fail "run 1 exited $?: $(tail -n 20 run1.out run1.err)"
if grep -q '"type":"critical"' run1.out; then fail "run 1 critical: $(grep critical run1.out)"; fi
grep -q 'saveFiles created 2 files' run1.out || fail "run 1 did not save 2 files: $(grep saveFiles run1.out)"

api GET '/files/metadata?Path=%2FAdministrative%2FLibsbills'
expect_http 200
for f in 2024-01-15_libsbills_12.50EUR.pdf:B001 2024-02-15_libsbills_20.00EUR.pdf:B002 contract.pdf:contract; do
	name=${f%%:*}
	src="$ex/vendor/${f##*:}.pdf"
	n=$(json_get resp.body "j.included.filter(x => x.attributes.name === '$name').length")
	[ "$n" = 1 ] || fail "$name not in the folder: $body"
	size=$(json_get resp.body "j.included.find(x => x.attributes.name === '$name').attributes.size")
	[ "$size" = "$(wc -c <"$src" | tr -d ' ')" ] || fail "$name size $size"
	mime=$(json_get resp.body "j.included.find(x => x.attributes.name === '$name').attributes.mime")
	[ "$mime" = application/pdf ] || fail "$name mime $mime"
	app=$(json_get resp.body "j.included.find(x => x.attributes.name === '$name').attributes.cozyMetadata.createdByApp")
	[ "$app" = libsbills ] || fail "$name createdByApp $app"
	id=$(json_get resp.body "j.included.find(x => x.attributes.name === '$name').id")
	curl -s -o got.pdf -H "Authorization: Bearer $TOKEN" "$URL/files/download/$id"
	cmp -s got.pdf "$src" || fail "$name is not byte-identical"
done

count_bills() {
	curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data '{}' \
		"$URL/data/io.cozy.bills/_all_docs?include_docs=true" |
		json_get - 'j.rows.filter(r => !r.id.startsWith("_design/")).length'
}
[ "$(count_bills)" = 2 ] || fail "expected 2 bills after run 1, got $(count_bills)"

run_konnector run2.out || fail "run 2 exited $?: $(tail -n 20 run2.out run2.err)"
if grep -q '"type":"critical"' run2.out; then fail "run 2 critical: $(grep critical run2.out)"; fi
n0=$(grep -c 'saveFiles created 0 files' run2.out || true)
[ "$n0" = 2 ] || fail "run 2 uploaded again: $(grep 'saveFiles created' run2.out)"
[ "$(count_bills)" = 2 ] || fail "run 2 duplicated bills: $(count_bills)"
echo ok
