# serve: the /data API with curl, status codes and bodies as the stack answers them (web/data/data.go, docs/STACK.md).
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"

mkdir -p k/fixtures/data/io.cozy.bills k/fixtures/data
cat >k/manifest.konnector <<'J'
{"slug":"tpl","permissions":{"bills":{"type":"io.cozy.bills"},"ops":{"type":"io.cozy.bank.operations"},
 "accounts":{"type":"io.cozy.accounts"},"konn":{"type":"io.cozy.konnectors"}}}
J
echo '{"amount":12,"vendor":"x"}' >k/fixtures/data/io.cozy.bills/b1.json
echo '[{"_id":"acc1","account_type":"tpl","auth":{"login":"homer","password":"doh"}}]' >k/fixtures/data/io.cozy.accounts.json
cp -R k/fixtures fixtures.orig
serve_start k

# get, with _type added
req GET /data/io.cozy.bills/b1
expect 200 '"_type":"io.cozy.bills"'
expect_contains "$body" '"_id":"b1"'
rev1=$(printf '%s' "$body" | json_get - 'j._rev')
expect_contains "$rev1" "1-"

# 404 reasons: missing, wrong_doctype, deleted; bad id
req GET /data/io.cozy.bills/nope
expect 404 '{"ok":false,"status":"404","error":"not_found","reason":"missing"}'
req GET /data/io.cozy.nothing/x
expect 404 '"reason":"wrong_doctype"'
req GET /data/io.cozy.bills/_foo
expect 400 '{"ok":false,"status":"400","error":"bad_id","reason":"Unsuported couchdb operation _foo"}'

# create (201) with {ok,id,rev,type,data}, defined_id refused
req POST /data/io.cozy.bills/ -H 'Content-Type: application/json' -d '{"amount":3}'
expect 201 '"ok":true'
expect_contains "$body" '"type":"io.cozy.bills"'
id=$(printf '%s' "$body" | json_get - 'j.id')
[ "$(printf '%s' "$body" | json_get - 'j.data._id')" = "$id" ] || fail "data._id differs: $body"
printf '%s' "$id" | grep -qE '^[0-9a-f]{32}$' || fail "id is not 32 hex: $id"
req POST /data/io.cozy.bills/ -d '{"_id":"x","amount":3}'
expect 400 '"error":"defined_id","reason":"document _id should be empty"'

# PUT create with a fixed id is 200; again is 409
req PUT /data/io.cozy.bills/fixed -d '{"amount":4}'
expect 200 '"id":"fixed"'
frev=$(printf '%s' "$body" | json_get - 'j.rev')
req PUT /data/io.cozy.bills/fixed -d '{"amount":4}'
expect 409 '{"ok":false,"status":"409","error":"conflict","reason":"Document update conflict."}'

# update: _type accepted in the body, rev bumped; stale rev 409; _id mismatch 400; half 400; missing 404
req PUT /data/io.cozy.bills/fixed -d "{\"_id\":\"fixed\",\"_rev\":\"$frev\",\"_type\":\"io.cozy.bills\",\"amount\":5}"
expect 200 '"rev":"2-'
req PUT /data/io.cozy.bills/fixed -d "{\"_id\":\"fixed\",\"_rev\":\"$frev\",\"amount\":6}"
expect 409 '"error":"conflict"'
req PUT /data/io.cozy.bills/fixed -d "{\"_id\":\"other\",\"_rev\":\"$frev\"}"
expect 400 'document _id doesnt match url'
req PUT /data/io.cozy.bills/fixed -d '{"_id":"fixed"}'
expect 400 'You must either provide an _id and _rev'
req PUT /data/io.cozy.bills/gone -d '{"_id":"gone","_rev":"1-abc"}'
expect 404 '"reason":"missing"'

# delete: revision required, mismatch, ok, then deleted
req DELETE /data/io.cozy.bills/b1
expect 400 '{"error":"Bad Request(400): delete without revision"}'
req DELETE "/data/io.cozy.bills/b1?rev=1-x" -H 'If-Match: 1-y'
expect 400 'If-Match Header and rev query parameters mismatch'
req DELETE "/data/io.cozy.bills/b1?rev=1-0000"
expect 409 '"error":"conflict"'
req DELETE "/data/io.cozy.bills/b1?rev=$rev1"
expect 200 '"deleted":true'
req GET /data/io.cozy.bills/b1
expect 404 '"reason":"deleted"'

# _index, _find (limit forced to 100, next, bookmark), no_index for a missing use_index
req POST /data/io.cozy.bills/_index -d '{"index":{"fields":["amount"]}}'
expect 200 '"result":"created"'
ddoc=$(printf '%s' "$body" | json_get - 'j.id')
req POST /data/io.cozy.bills/_index -d '{"index":{"fields":["amount"]}}'
expect 200 '"result":"exists"'
req POST /data/io.cozy.bills/_find -d "{\"use_index\":\"$ddoc\",\"selector\":{\"amount\":{\"\$gt\":3}},\"sort\":[\"amount\"],\"limit\":5000}"
expect 200 '"limit":100'
expect_contains "$body" '"next":false'
[ "$(printf '%s' "$body" | json_get - 'j.docs.map(d=>d.amount).join(",")')" = "5" ] || fail "_find docs: $body"
req POST /data/io.cozy.bills/_find -d '{"use_index":"_design/nope","selector":{"amount":1}}'
expect 400 '{"ok":false,"status":"400","error":"no_index","reason":"no matching index found, create an index"}'
req POST /data/io.cozy.nothing/_find -d '{"selector":{}}'
expect 404 'Database does not exist.'

# _all_docs (design docs included, docs with include_docs), keys; missing DB raw CouchDB 404
req POST '/data/io.cozy.bills/_all_docs?include_docs=true' -d '{}'
expect 200 '"offset":0'
expect_contains "$body" '"doc":{'
expect_contains "$body" '"id":"_design/'
req POST /data/io.cozy.bills/_all_docs -d '{"keys":["fixed","nope"]}'
expect 200 '{"key":"nope","error":"not_found"}'
req POST '/data/io.cozy.bank.operations/_all_docs?include_docs=true' -d '{}'
expect 404 '{"error":"not_found","reason":"Database does not exist."}'
req POST /data/io.cozy.bank.operations/_bulk_docs -d '{"docs":[]}'
expect 201 '[]'
req POST /data/io.cozy.bank.operations/_bulk_docs -d '{"docs":[{"_id":"op1","label":"x"}]}'
expect 201 '"id":"op1"'

# _normal_docs (no design docs), db info, welcome
req GET /data/io.cozy.bills/_normal_docs
expect 200 '"total_rows":2'
case "$body" in *_design*) fail "_normal_docs lists design docs: $body" ;; esac
req GET /data/io.cozy.bills/
expect 200 '"doc_count":'
req GET /data/
expect 200 '{"message":"welcome to a cozy API"}'

# accounts: 404 before auth, credentials as stored for the konnector, soft delete ?rev=
body=$(curl -s -w '\n%{http_code}' "${URL}data/io.cozy.accounts/nope")
expect_contains "$body" '"reason":"missing"'
req GET /data/io.cozy.accounts/acc1
expect 200 '"password":"doh"'
arev=$(printf '%s' "$body" | json_get - 'j._rev')
req DELETE "/data/io.cozy.accounts/acc1?rev=$arev"
expect 200
req GET "/data/io.cozy.accounts/acc1?rev=$arev"
expect 200 '"soft_deleted_rev"'

# auth errors in the /data family
body=$(curl -s -w '\n%{http_code}' "${URL}data/io.cozy.bills/fixed")
expect_contains "$body" '{"error":"code=401, message=No token in request"}'
hdrs=$(curl -s -i -H 'Authorization: Bearer forged' "${URL}data/io.cozy.bills/fixed")
expect_contains "$hdrs" '{"error":"code=400, message=Invalid JWT token"}'
expect_contains "$hdrs" 'WWW-Authenticate: Bearer error="invalid_token"'
# Basic password and bearer_token= work too
body=$(curl -s -u "x:$TOKEN" "${URL}data/io.cozy.bills/fixed")
expect_contains "$body" '"_id":"fixed"'
body=$(curl -s "${URL}data/io.cozy.bills/fixed?bearer_token=$TOKEN")
expect_contains "$body" '"_id":"fixed"'

# bad input: malformed JSON, 413, unknown route; the server keeps serving; percent-decoded segments
req POST /data/io.cozy.bills/ -d '{bad'
expect 400 '{"error":"Bad Request(400): '
head -c 9000000 /dev/zero >big.bin
req POST /data/io.cozy.bills/ --data-binary @big.bin
expect 413 '"error":"document_too_large"'
req POST /data/io.cozy.bills/ -H 'Transfer-Encoding: chunked' --data-binary @big.bin
expect 413
req GET /nothing/here
expect 404 '{"error":"Not Found"}'
req PUT /data/io.cozy.bills/a%2Fb -d '{"x":1}'
expect 200 '"id":"a/b"'
req GET /data/io.cozy.bills/a%2Fb -H 'Date: '
expect 200 '"_id":"a/b"'
req POST /data/io.cozy.bills/ -H 'Expect: 100-continue' -d '{"k":1}'
expect 201

serve_stop
run=k/.harness/runs/latest
[ -f "$run/state/data/io.cozy.bills/fixed.json" ] || fail "state not written: $(ls -R k/.harness)"
[ ! -e "$run/state/data/io.cozy.bills/b1.json" ] || fail "deleted doc in state"
grep -q '"path":"/data/io.cozy.bills/fixed"' "$run/journal.jsonl" || fail "journal lacks requests"
if grep -q "$TOKEN" "$run/journal.jsonl"; then fail "journal holds a token"; fi
diff -r k/fixtures fixtures.orig || fail "fixtures were changed"
