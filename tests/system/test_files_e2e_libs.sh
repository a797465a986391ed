# End to end with the real library: examples/libs-bills (cozy-konnector-libs 5.13.0) saves two bills with
# their PDFs and one more file through `serve`; a second run against the same state uploads nothing.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/files_lib.sh"
. "$KH_ROOT/tests/system/libs_lib.sh"

ex="$KH_ROOT/examples/libs-bills"
libs_install "$ex" || exit 0

libs_konnector k
start_serve k k/fixtures

api GET '/files/metadata?Path=%2FAdministrative%2FLibsbills'
expect_http 200
folder=$(jget 'j.data.id')

# The environment the stack gives a konnector (worker/exec/konnector.go PrepareCmdEnv), built by hand from serve's lines.
run_konnector() {
	(cd k && env -i PATH="$PATH" HOME="$KH_WORK" COZY_URL="$URL/" COZY_CREDENTIALS="$TOKEN" \
		COZY_FIELDS='{"account":"acc1","folder_to_save":"'"$folder"'","konnector":"libsbills"}' \
		COZY_PARAMETERS=null COZY_PAYLOAD= COZY_LANGUAGE=node COZY_LOCALE=en COZY_TIME_LIMIT=300 \
		COZY_JOB_ID=job1 COZY_JOB_MANUAL_EXECUTION=true node index.js) >"$1" 2>"$1.err"
}

run_konnector run1.out || fail "run 1 exited $?: $(tail -n 20 run1.out run1.err)"
if grep -q '"type":"critical"' run1.out; then fail "run 1 critical: $(grep critical run1.out)"; fi
grep -q 'saveFiles created 2 files' run1.out || fail "run 1 did not save 2 bill files: $(grep saveFiles run1.out)"
grep -q 'saveFiles created 1 files' run1.out || fail "run 1 did not save the contract: $(grep saveFiles run1.out)"

api GET '/files/metadata?Path=%2FAdministrative%2FLibsbills'
expect_http 200
cp resp.body folder.json
for f in 2024-01-15_libsbills_12.50EUR.pdf:B001 2024-02-15_libsbills_20.00EUR.pdf:B002 contract.pdf:contract; do
	name=${f%%:*}
	src="$ex/vendor/${f##*:}.pdf"
	sel="j.included.find(x => x.attributes.name === '$name')"
	n=$(json_get folder.json "j.included.filter(x => x.attributes.name === '$name').length")
	[ "$n" = 1 ] || fail "$name not in the folder: $(cat folder.json)"
	[ "$(json_get folder.json "$sel.attributes.size")" = "$(wc -c <"$src" | tr -d ' ')" ] || fail "$name size"
	[ "$(json_get folder.json "$sel.attributes.mime")" = application/pdf ] || fail "$name mime"
	[ "$(json_get folder.json "$sel.attributes.class")" = pdf ] || fail "$name class"
	[ "$(json_get folder.json "$sel.attributes.cozyMetadata.createdByApp")" = libsbills ] || fail "$name createdByApp"
	[ "$(json_get folder.json "$sel.attributes.cozyMetadata.sourceAccount")" = acc1 ] || fail "$name sourceAccount"
	id=$(json_get folder.json "$sel.id")
	curl -s -o got.pdf -H "Authorization: Bearer $TOKEN" "$URL/files/download/$id"
	cmp -s got.pdf "$src" || fail "$name is not byte-identical"
	# the PDF on disk in the run directory, byte-identical too
	cmp -s "run/files/Administrative/Libsbills/$name" "$src" || fail "$name differs on disk in the run dir"
done

# bills: two, each pointing at its own file
bills() {
	curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data '{}' \
		"$URL/data/io.cozy.bills/_all_docs?include_docs=true" >bills.json
	json_get bills.json "$1"
}
[ "$(bills 'j.rows.filter(r => !r.id.startsWith("_design/")).length')" = 2 ] || fail "expected 2 bills: $(cat bills.json)"
b1=$(json_get folder.json "j.included.find(x => x.attributes.name === '2024-01-15_libsbills_12.50EUR.pdf').id")
[ "$(bills 'j.rows.find(r => r.doc.vendorRef === "B001").doc.invoice')" = "io.cozy.files:$b1" ] ||
	fail "bill B001 invoice: $(cat bills.json)"

run_konnector run2.out || fail "run 2 exited $?: $(tail -n 20 run2.out run2.err)"
if grep -q '"type":"critical"' run2.out; then fail "run 2 critical: $(grep critical run2.out)"; fi
n0=$(grep -c 'saveFiles created 0 files' run2.out || true)
[ "$n0" = 2 ] || fail "run 2 uploaded again: $(grep 'saveFiles created' run2.out)"
[ "$(bills 'j.rows.filter(r => !r.id.startsWith("_design/")).length')" = 2 ] || fail "run 2 duplicated bills"
[ "$(bills 'j.rows.filter(r => r.doc.vendorRef === "B001").length')" = 1 ] || fail "run 2 duplicated B001"

# The journal: nothing the real stack would have refused, no server error, and run 2 uploaded no file.
stop_serve
[ -s run/journal.jsonl ] || fail "no journal"
if grep -q '"forbidden"' run/journal.jsonl; then fail "refused by the real stack: $(grep '"forbidden"' run/journal.jsonl)"; fi
if grep -q '"status":5' run/journal.jsonl; then fail "server errors: $(grep '"status":5' run/journal.jsonl)"; fi
uploads=$(grep -c '"method":"POST","path":"/files/[0-9a-f]*","query":{[^}]*"Type":"file"' run/journal.jsonl || true)
[ "$uploads" = 3 ] || fail "expected 3 uploads in all, journal has $uploads"
echo ok
