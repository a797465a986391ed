# serve --permissions: enforce answers 403 like the stack; warn serves and journals "forbidden"; off skips.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"

mkdir -p k/fixtures/data/io.cozy.bills k/fixtures/data/io.cozy.secret
cat >k/manifest.konnector <<'J'
{"slug":"tpl","permissions":{"bills":{"type":"io.cozy.bills","verbs":["GET"]},
 "one":{"type":"io.cozy.contacts","values":["c1"]}}}
J
echo '{"amount":12}' >k/fixtures/data/io.cozy.bills/b1.json
echo '{"s":1}' >k/fixtures/data/io.cozy.secret/s1.json

serve_start k --permissions enforce
req GET /data/io.cozy.bills/b1
expect 200
req POST /data/io.cozy.bills/ -d '{"a":1}'
expect 403 '{"error":"code=403, message=Forbidden"}'
req GET /data/io.cozy.secret/s1
expect 403 'Forbidden'
# unreadable reserved doctype, invalid doctype name
req GET /data/io.cozy.permissions/x
expect 403 'reserved doctype io.cozy.permissions unreadable'
req POST /data/io.cozy.jobs/ -d '{}'
expect 403 'reserved doctype io.cozy.jobs unwritable'
req GET /data/Bad..Type/x
expect 403 'is not a valid doctype name'
# values: one id allowed, whole-type refused
req PUT /data/io.cozy.contacts/c1 -d '{"n":1}'
expect 200
req PUT /data/io.cozy.contacts/c2 -d '{"n":1}'
expect 403
req POST /data/io.cozy.contacts/_find -d '{"selector":{}}'
expect 403
# the app token has whole access
body=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $APP" -X POST -d '{"a":1}' "${URL}data/io.cozy.bills/")
expect_contains "$body" '201'
serve_stop

serve_start k --out run2
req POST /data/io.cozy.bills/ -d '{"a":1}'
expect 201
serve_stop
grep '"method":"POST"' run2/journal.jsonl | grep -q '"forbidden":"Forbidden: no permission of tpl allows POST on io.cozy.bills' ||
	fail "warn mode did not journal the refusal: $(cat run2/journal.jsonl)"
if grep '"method":"GET"' run2/journal.jsonl | grep -q forbidden; then fail "allowed request marked forbidden"; fi

serve_start k --permissions off --out run3
req GET /data/io.cozy.secret/s1
expect 200
serve_stop
if grep -q forbidden run3/journal.jsonl; then fail "off mode journaled a refusal"; fi
