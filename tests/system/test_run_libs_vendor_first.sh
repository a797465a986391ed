# examples/libs-bills through `run` when the vendor's whole file arrives before the stack has answered
# POST /files/upload/metadata (a loaded machine: 4 of 12 parallel runs did that and hung). The konnector
# must still upload its three files and finish; before the example held its downloads until the upload
# pipes them, cozy-konnector-libs' upload waited forever without sending a byte.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/libs_lib.sh"

ex="$KH_ROOT/examples/libs-bills"
libs_install "$ex" || exit 0

mkdir k
cp -R "$ex/manifest.konnector" "$ex/vendor" "$ex/fixtures" k/
cp "$KH_ROOT/tests/system/vendor_first.js" k/
{
	echo "require('./vendor_first.js')"
	cat "$ex/index.js"
} >k/index.js
ln -s "$cache/node_modules" k/node_modules
printf '{"fields": {"login": "homer@example.com", "password": "doh"}}\n' >k/konnector-dev-config.json

# Bounded: a hung upload ends with the run killed (exit 124), not a stuck test.
set +e
timeout -k 5 40 "$KH" run k --no-color >run.out 2>&1
code=$?
set -e
[ "$code" -eq 0 ] || fail "run exited $code: $(tail -n 15 run.out)"
log=k/.harness/runs/latest/stdout.log
[ "$(json_get k/.harness/runs/latest/report.json 'j.state')" = done ] || fail "run not done: $(cat run.out)"
grep -q 'saveFiles created 2 files' "$log" || fail "bills not saved: $(grep saveFiles "$log")"
grep -q 'saveFiles created 1 files' "$log" || fail "contract not saved: $(grep saveFiles "$log")"
uploads=$(grep -c '"method":"POST","path":"/files/[0-9a-f]*","query":{[^}]*"Type":"file"' k/.harness/runs/latest/journal.jsonl || true)
[ "$uploads" = 3 ] || fail "expected 3 uploads, journal has $uploads"
