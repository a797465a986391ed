# serve DIR for a konnector started by hand: the job prepared as `run` prepares it (the account from
# the dev config, folder_to_save, job and trigger ids), every COZY_* variable printed (sh: export
# lines to eval), a command line on stderr that starts the konnector with them; without a manifest
# it says it serves fixtures only (65 when --env-format asks for a konnector); warn mode shows each
# forbidden verb and doctype once on the console.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"

cp -R "$KH_ROOT/examples/hello" k
rm -rf k/.harness
# a konnector that wants a folder: folder_to_save is prepared too
sed -i 's/^  "fields": {$/  "folders": [{"defaultDir": "$administrative\/$konnector\/$account"}],\n  "fields": {/' k/manifest.konnector

# serve_start for the sh format: export lines
rm -f serve.out serve.err
"$KH" serve k --env-format sh >serve.out 2>serve.err &
SERVE_PID=$!
wait_for grep -q "^export COZY_APP_TOKEN=" serve.out
cp serve.out env.sh
URL=$(sh -c '. ./env.sh && printf %s "$COZY_URL"')
for v in COZY_URL COZY_CREDENTIALS COZY_FIELDS COZY_PARAMETERS COZY_PAYLOAD COZY_LANGUAGE COZY_LOCALE \
	COZY_TIME_LIMIT COZY_JOB_ID COZY_JOB_MANUAL_EXECUTION COZY_TRIGGER_ID COZY_APP_TOKEN; do
	grep -q "^export $v='" env.sh || fail "serve --env-format sh lacks $v: $(cat env.sh)"
done
# what the konnector gets is what `run` gives it: the same variables, the same kind of COZY_FIELDS
fields=$(sh -c '. ./env.sh && printf %s "$COZY_FIELDS"')
account=$(printf '%s' "$fields" | json_get - 'j.account')
folder=$(printf '%s' "$fields" | json_get - 'j.folder_to_save')
[ -n "$account" ] && [ -n "$folder" ] || fail "COZY_FIELDS lacks the account or folder_to_save: $fields"
expect_contains "$(sh -c '. ./env.sh && printf %s "$COZY_JOB_ID"')" "konnector/0/"
# the account exists, made from the dev config
APP=$(sh -c '. ./env.sh && printf %s "$COZY_APP_TOKEN"')
acc=$(curl -s -H "Authorization: Bearer $APP" "${URL}data/io.cozy.accounts/$account")
expect_contains "$acc" '"login":"alice"'
dir=$(curl -s -H "Authorization: Bearer $APP" "${URL}files/$folder")
expect_contains "$dir" '"type":"directory"'

# the example line on stderr starts the konnector: it reads the account and saves its greetings
line=$(sed -n '/start it by hand with:/{n;p;}' serve.err)
[ -n "$line" ] || fail "no command line to start the konnector: $(cat serve.err)"
(cd / && env -i PATH="$PATH" sh -c "$line") >konnector.out 2>&1 || fail "the printed line failed: $line: $(cat konnector.out)"
expect_contains "$(cat konnector.out)" 'Saved 2 greetings'
docs=$(curl -s -H "Authorization: Bearer $APP" "${URL}data/io.cozy.hello.greetings/_all_docs?include_docs=true")
expect_contains "$docs" '"login":"alice"'
# eval'd in a shell, the variables start it too
(eval "$(cat env.sh)" && cd k && node index.js) >eval.out 2>&1 || fail "eval of the sh output: $(cat eval.out)"

# warn mode: a verb and doctype the manifest does not grant, shown once each on the console
TOKEN=$(sh -c '. ./env.sh && printf %s "$COZY_CREDENTIALS"')
req POST /data/io.cozy.bills/ -H 'Content-Type: application/json' -d '{"amount":1}'
req POST /data/io.cozy.bills/ -H 'Content-Type: application/json' -d '{"amount":2}'
req GET /data/io.cozy.bills/_all_docs
serve_stop
[ "$(grep -c 'POST on io.cozy.bills' serve.err)" = 1 ] || fail "POST io.cozy.bills not shown once: $(cat serve.err)"
[ "$(grep -c 'GET on io.cozy.bills' serve.err)" = 1 ] || fail "GET io.cozy.bills not shown once: $(cat serve.err)"

# the same variables as run's env file, and plain NAME=value lines by default
expect_status 0 "$KH" run k
run_vars=$(sed -n 's/^\(COZY_[A-Z_]*\)=.*/\1/p' k/.harness/runs/latest/env | sort | tr '\n' ' ')
serve_start k
serve_vars=$(sed -n 's/^\(COZY_[A-Z_]*\)=.*/\1/p' serve.out | grep -v COZY_APP_TOKEN | sort | tr '\n' ' ')
serve_stop
[ "$run_vars" = "$serve_vars" ] || fail "serve gives $serve_vars, run gives $run_vars"

# no manifest: the fixtures only, said so; asking for a konnector's environment is an error as in run
mkdir -p plain/fixtures/data/io.cozy.notes
echo '{"t":1}' >plain/fixtures/data/io.cozy.notes/n1.json
serve_start plain
serve_stop
expect_contains "$(cat serve.err)" "serving the fixtures only"
expect_status 65 "$KH" serve plain --env-format sh
expect_contains "$out" "plain/manifest.konnector"
expect_status 64 "$KH" serve k --env-format csv
echo ok
