# The /files API through `serve` with curl: uploads (length and chunked), errors, dirs, moves, trash, downloads.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/files_lib.sh"

mkdir -p k/fixtures/files/Docs
echo '{"slug":"filestest","name":"Files","permissions":{"files":{"type":"io.cozy.files"}}}' >k/manifest.konnector
printf 'fixture' >k/fixtures/files/Docs/old.txt
start_serve k k/fixtures

api GET /files/io.cozy.files.root-dir
expect_http 200
[ "$(json_get - 'j.data.attributes.path' <resp.body)" = / ] || fail "root path: $body"
expect_contains "$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/files/io.cozy.files.root-dir")" "application/vnd.api+json"

api GET '/files/metadata?Path=%2FDocs%2Fold.txt'
expect_http 200
[ "$(json_get - 'j.data.attributes.size' <resp.body)" = 7 ] || fail "fixture size: $body"
api GET '/files/metadata?Path=%2FDocs%2Fnone.txt'
expect_http 404
[ "$(json_get - 'j.errors[0].status' <resp.body)" = 404 ] || fail "404 body: $body"

api POST '/files/?Type=directory&Path=%2FA%2FB&Recursive=true'
expect_http 201
dir=$(json_get - 'j.data.id' <resp.body)
api POST "/files/io.cozy.files.root-dir?Type=directory&Name=A" -H 'Date: ' -H 'Content-Length: 0'
expect_http 409

head -c 100000 /dev/urandom >blob.pdf
api POST "/files/$dir?Type=file&Name=blob.pdf&SourceAccount=acc1&SourceAccountIdentifier=me" --data-binary @blob.pdf -H 'Content-Type: application/octet-stream'
expect_http 201
fid=$(json_get - 'j.data.id' <resp.body)
[ "$(json_get - 'j.data.attributes.mime' <resp.body)" = application/pdf ] || fail "mime: $body"
[ "$(json_get - 'j.data.attributes.size' <resp.body)" = 100000 ] || fail "size: $body"
[ "$(json_get - 'j.data.attributes.cozyMetadata.sourceAccountIdentifier' <resp.body)" = me ] || fail "cozyMetadata: $body"
md5=$(openssl md5 -binary blob.pdf | base64)
[ "$(json_get - 'j.data.attributes.md5sum' <resp.body)" = "$md5" ] || fail "md5sum: $body"

# chunked, no length
api POST "/files/$dir?Type=file&Name=chunked.bin" -H 'Transfer-Encoding: chunked' --data-binary @blob.pdf
expect_http 201
[ "$(json_get - 'j.data.attributes.size' <resp.body)" = 100000 ] || fail "chunked size: $body"

api POST "/files/$dir?Type=file&Name=blob.pdf" --data-binary @blob.pdf
expect_http 409
api POST "/files/$dir?Type=file&Name=bad.bin" --data-binary @blob.pdf -H 'Content-MD5: AAAAAAAAAAAAAAAAAAAAAA=='
expect_http 412
[ "$(json_get - 'j.errors[0].source.parameter' <resp.body)" = Content-MD5 ] || fail "md5 error: $body"
for n in '..' 'a%2Fb' 'x%00y' '' 'a%0Ab'; do
	api POST "/files/$dir?Type=file&Name=$n" --data-binary x
	expect_http 422
done
api POST "/files/nope?Type=file&Name=x" --data-binary x
expect_http 404
api POST "/files/$dir?Type=weird&Name=x" --data-binary x
expect_http 422
[ ! -e "../etc" ] && [ ! -e "a" ] || fail "something escaped"

# download is byte-identical
curl -s -o got.pdf -H "Authorization: Bearer $TOKEN" "$URL/files/download/$fid"
cmp -s got.pdf blob.pdf || fail "download differs"

# overwrite with a wrong rev, then right
api PUT "/files/$fid" -H 'If-Match: 1-nope' --data-binary abc
expect_http 412
rev=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/files/$fid" | json_get - 'j.data.meta.rev')
api PUT "/files/$fid" -H "If-Match: $rev" --data-binary abc
expect_http 200
[ "$(json_get - 'j.data.attributes.size' <resp.body)" = 3 ] || fail "overwrite: $body"

# rename, then trash
api PATCH "/files/$fid" -H 'Content-Type: application/vnd.api+json' --data '{"data":{"type":"io.cozy.files","id":"'"$fid"'","attributes":{"name":"renamed.pdf"}}}'
expect_http 200
api GET '/files/metadata?Path=%2FA%2FB%2Frenamed.pdf'
expect_http 200
api DELETE "/files/$fid"
expect_http 200
[ "$(json_get - 'j.data.attributes.trashed' <resp.body)" = true ] || fail "trash: $body"

# references from a doc
api POST "/data/io.cozy.bills/bill1/relationships/references" -H 'Content-Type: application/json' --data '{"data":[{"type":"io.cozy.files","id":"'"$dir"'"}]}'
expect_http 204
api GET "/data/io.cozy.bills/bill1/relationships/references?include=files&sort=datetime"
expect_http 200
[ "$(json_get - 'j.data[0].id' <resp.body)" = "$dir" ] || fail "references: $body"
echo ok
