# The /files API through `serve` with curl (docs/STACK.md, web/files/files.go): reads, dirs, uploads (length
# and chunked), Content-MD5, conflicts, safety, overwrite, PATCH, trash, _find pages, upload metadata,
# downloads, references both ways.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/files_lib.sh"

mkdir -p k/fixtures/files/Docs
echo '{"slug":"filestest","name":"Files","permissions":{"files":{"type":"io.cozy.files"},"bills":{"type":"io.cozy.bills"}}}' \
	>k/manifest.konnector
printf 'fixture' >k/fixtures/files/Docs/old.txt
start_serve k k/fixtures --permissions enforce

# ---- reads ----
api GET /files/io.cozy.files.root-dir
expect_http 200
grep -qi '^content-type: application/vnd.api+json' resp.head || fail "root content type: $(cat resp.head)"
[ "$(jget 'j.data.attributes.path')" = / ] || fail "root path: $body"
[ "$(jget 'j.data.type')" = io.cozy.files ] || fail "root type: $body"
[ "$(jget 'j.data.attributes.type')" = directory ] || fail "root attributes.type: $body"
[ "$(jget 'j.data.links.self')" = /files/io.cozy.files.root-dir ] || fail "root self link: $body"

api GET '/files/metadata?Path=%2FDocs%2Fold.txt'
expect_http 200
[ "$(jget 'j.data.attributes.size')" = 7 ] || fail "fixture size: $body"
[ "$(jget 'typeof j.data.attributes.size')" = string ] || fail "size must be a string: $body"
[ "$(jget 'j.data.attributes.mime')" = text/plain ] || fail "fixture mime: $body"
[ "$(jget 'j.data.attributes.class')" = text ] || fail "fixture class: $body"
[ "$(jget 'j.data.meta.rev.startsWith("1-")')" = true ] || fail "fixture rev: $body"
old=$(jget 'j.data.id')
api GET '/files/metadata?Path=%2FDocs'
expect_http 200
[ "$(jget 'j.data.relationships.contents.data[0].id')" = "$old" ] || fail "dir contents: $body"
[ "$(jget 'j.included[0].attributes.name')" = old.txt ] || fail "dir included: $body"
api GET '/files/metadata?Path=%2FDocs%2Fnone.txt'
expect_jsonapi_error 404
api GET /files/nope
expect_jsonapi_error 404

# no token: echo error, plain text for a vnd.api+json client (web/errors/errors.go HTMLErrorHandler)
status=$(curl -s -o resp.body -w '%{http_code}' -H 'Accept: application/vnd.api+json' "$URL/files/$old")
[ "$status" = 401 ] || fail "no token: $status"
[ "$(cat resp.body)" = 'No token in request' ] || fail "no token body: $(cat resp.body)"

# ---- directories ----
api POST '/files/?Type=directory&Path=%2FA%2FB&Recursive=true'
expect_http 201
dir=$(jget 'j.data.id')
[ "$(jget 'j.data.attributes.path')" = /A/B ] || fail "mkdir -p path: $body"
api POST '/files/?Type=directory&Path=%2FA%2FB&Recursive=true'
expect_http 201
[ "$(jget 'j.data.id')" = "$dir" ] || fail "mkdir -p of an existing dir must return it: $body"
# the empty Date header and Content-Length: 0 cozy-client sends
api POST "/files/io.cozy.files.root-dir?Type=directory&Name=A" -H 'Date;' -H 'Content-Length: 0'
expect_jsonapi_error 409
api POST "/files/nope?Type=directory&Name=X"
expect_jsonapi_error 404
api POST "/files/$dir?Type=directory&Name=C&Tags=t1,t2"
expect_http 201
subdir=$(jget 'j.data.id')
[ "$(jget 'j.data.attributes.tags.join()')" = t1,t2 ] || fail "dir tags: $body"
[ "$(jget 'j.data.attributes.dir_id')" = "$dir" ] || fail "dir parent: $body"

# ---- uploads ----
head -c 100000 /dev/urandom >blob.pdf
md5=$(openssl md5 -binary blob.pdf | base64)
# Content-Length upload (curl sends the length), octet-stream → mime from the extension
api POST "/files/$dir?Type=file&Name=blob.pdf&SourceAccount=acc1&SourceAccountIdentifier=me" --data-binary @blob.pdf \
	-H 'Content-Type: application/octet-stream' -H "Content-MD5: $md5"
expect_http 201
fid=$(jget 'j.data.id')
[ "$(jget 'j.data.attributes.type')" = file ] || fail "type: $body"
[ "$(jget 'j.data.attributes.mime')" = application/pdf ] || fail "mime: $body"
[ "$(jget 'j.data.attributes.class')" = pdf ] || fail "class: $body"
[ "$(jget 'j.data.attributes.size')" = 100000 ] || fail "size: $body"
[ "$(jget 'j.data.attributes.md5sum')" = "$md5" ] || fail "md5sum: $body"
[ "$(jget 'j.data.attributes.trashed')" = false ] || fail "trashed: $body"
[ "$(jget 'j.data.attributes.cozyMetadata.createdByApp')" = filestest ] || fail "createdByApp: $body"
[ "$(jget 'j.data.attributes.cozyMetadata.sourceAccount')" = acc1 ] || fail "sourceAccount: $body"
[ "$(jget 'j.data.attributes.cozyMetadata.sourceAccountIdentifier')" = me ] || fail "sourceAccountIdentifier: $body"
[ "$(jget 'j.data.attributes.cozyMetadata.uploadedOn')" = "$URL/" ] || fail "uploadedOn: $body"
[ "$(jget 'j.data.relationships.parent.data.id')" = "$dir" ] || fail "parent: $body"
[ "$(jget '"path" in j.data.attributes')" = false ] || fail "a file answer has no path: $body"
cmp -s run/files/A/B/blob.pdf blob.pdf || fail "the upload is not on disk in the run dir"

# chunked, no length; Size= is what the client declares then
api POST "/files/$dir?Type=file&Name=chunked.bin" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/octet-stream' \
	--data-binary @blob.pdf
expect_http 201
[ "$(jget 'j.data.attributes.size')" = 100000 ] || fail "chunked size: $body"
[ "$(jget 'j.data.attributes.mime')" = application/octet-stream ] || fail "chunked mime: $body"
cmp -s run/files/A/B/chunked.bin blob.pdf || fail "chunked upload differs on disk"
api POST "/files/$dir?Type=file&Name=short.bin&Size=5" -H 'Transfer-Encoding: chunked' --data-binary abc
expect_jsonapi_error 412
[ "$(jget 'j.errors[0].source.parameter')" = Content-Length ] || fail "size error: $body"

api POST "/files/$dir?Type=file&Name=blob.pdf" --data-binary @blob.pdf
expect_jsonapi_error 409
[ "$(jget 'j.errors[0].title')" = Conflict ] || fail "409 title: $body"
api POST "/files/$dir?Type=file&Name=bad.bin" --data-binary @blob.pdf -H 'Content-MD5: AAAAAAAAAAAAAAAAAAAAAA=='
expect_jsonapi_error 412
[ "$(jget 'j.errors[0].source.parameter')" = Content-MD5 ] || fail "md5 error: $body"
api POST "/files/$dir?Type=file&Name=bad2.bin" --data-binary x -H 'Content-MD5: nope'
expect_jsonapi_error 422
[ "$(jget 'j.errors[0].source.parameter')" = Content-MD5 ] || fail "bad md5 header: $body"
api GET '/files/metadata?Path=%2FA%2FB%2Fbad.bin'
expect_jsonapi_error 404

# ---- safety: nothing escapes the run dir ----
for n in '..' '.' 'a%2Fb' '..%2F..%2Fescaped' 'x%00y' '' 'a%0Ab' 'a%0Db'; do
	api POST "/files/$dir?Type=file&Name=$n" --data-binary x
	expect_jsonapi_error 422
	[ "$(jget 'j.errors[0].source.parameter')" = name ] || fail "bad name $n: $body"
	api POST "/files/$dir?Type=directory&Name=$n"
	expect_jsonapi_error 422
done
for p in '%2FA%2F..%2F..%2Fescaped' '%2FA%2F.%2Fx' '%2Fx%00y'; do
	api POST "/files/?Type=directory&Path=$p&Recursive=true"
	[ "$status" -ge 400 ] && [ "$status" -lt 500 ] || fail "bad path $p: $status $body"
done
api PATCH "/files/$subdir" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.files","id":"'"$subdir"'","attributes":{"name":"../../escaped"}}}'
expect_jsonapi_error 422
api POST "/files/nope?Type=file&Name=x" --data-binary x
expect_jsonapi_error 404
api POST "/files/$dir?Type=weird&Name=x" --data-binary x
expect_jsonapi_error 422
[ "$(jget 'j.errors[0].source.pointer')" = /data/attributes/type ] || fail "bad type: $body"
[ -z "$(find "$KH_WORK" -name 'escaped*' -o -name 'x?y' | head -n1)" ] || fail "something escaped"

# ---- download ----
curl -s -D dl.head -o got.pdf -H "Authorization: Bearer $TOKEN" "$URL/files/download/$fid"
cmp -s got.pdf blob.pdf || fail "download differs"
grep -qi '^content-type: application/pdf' dl.head || fail "download content type: $(cat dl.head)"
grep -qi '^content-disposition: inline; filename="blob.pdf"' dl.head || fail "download disposition: $(cat dl.head)"
api GET /files/download/nope
expect_jsonapi_error 404
api GET "/files/download/$dir"
expect_jsonapi_error 404

# ---- overwrite (If-Match), keeps references ----
api POST "/files/$fid/relationships/referenced_by" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":[{"type":"io.cozy.bills","id":"bill9"}]}'
expect_http 200
[ "$(jget 'j.meta.count')" = 1 ] || fail "referenced_by count: $body"
[ "$(jget 'j.data[0].id')" = bill9 ] || fail "referenced_by data: $body"
api PUT "/files/$fid" -H 'If-Match: 1-nope' --data-binary abc
expect_jsonapi_error 412
api GET "/files/$fid"
rev=$(jget 'j.data.meta.rev')
api PUT "/files/$fid" -H "If-Match: $rev" --data-binary abc
expect_http 200
[ "$(jget 'j.data.attributes.size')" = 3 ] || fail "overwrite: $body"
[ "$(jget 'j.data.attributes.name')" = blob.pdf ] || fail "overwrite keeps the name: $body"
[ "$(jget 'j.data.relationships.referenced_by.data[0].id')" = bill9 ] || fail "overwrite keeps refs: $body"
api DELETE "/files/$fid/relationships/referenced_by" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.bills","id":"bill9"}}'
expect_http 200
[ "$(jget 'j.meta.count')" = 0 ] || fail "referenced_by removal: $body"

# ---- PATCH: rename, move, tags, metadata ----
api PATCH "/files/$fid" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.files","id":"'"$fid"'","attributes":{"name":"renamed.pdf","tags":["x"],"metadata":{"k":"v"}}}}'
expect_http 200
[ "$(jget 'j.data.attributes.tags.join()')" = x ] || fail "patch tags: $body"
[ "$(jget 'j.data.attributes.metadata.k')" = v ] || fail "patch metadata: $body"
api GET '/files/metadata?Path=%2FA%2FB%2Frenamed.pdf'
expect_http 200
api PATCH "/files/$fid" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.files","id":"'"$fid"'","attributes":{"dir_id":"'"$subdir"'"}}}'
expect_http 200
api GET '/files/metadata?Path=%2FA%2FB%2FC%2Frenamed.pdf'
expect_http 200
[ -f run/files/A/B/C/renamed.pdf ] || fail "move not on disk"
api PATCH "/files/$fid" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.files","id":"'"$fid"'","attributes":{"dir_id":"nope"}}}'
[ "$status" -ge 400 ] || fail "move into a missing dir: $status $body"

# ---- trash and permanent delete ----
api DELETE "/files/$fid" -H 'If-Match: 9-nope'
expect_jsonapi_error 412
api DELETE "/files/$fid"
expect_http 200
[ "$(jget 'j.data.attributes.trashed')" = true ] || fail "trash: $body"
[ "$(jget 'j.data.attributes.dir_id')" = io.cozy.files.trash-dir ] || fail "trash dir: $body"
api GET '/files/metadata?Path=%2FA%2FB%2FC%2Frenamed.pdf'
expect_jsonapi_error 404
api GET "/files/$fid"
expect_http 200
api POST "/files/$dir?Type=file&Name=gone.txt" --data-binary gone
gone=$(jget 'j.data.id')
api PATCH "/files/$gone" -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.files","id":"'"$gone"'","attributes":{"permanent_delete":true}}}'
expect_http 200
[ "$(jget 'j.data.id')" = "$gone" ] || fail "permanent_delete answers the deleted file: $body"
api GET "/files/$gone"
expect_jsonapi_error 404
[ ! -e run/files/A/B/gone.txt ] || fail "permanent_delete left the content"

# ---- upload metadata + MetadataID ----
api POST /files/upload/metadata -H 'Content-Type: application/vnd.api+json' \
	--data '{"data":{"type":"io.cozy.files.metadata","attributes":{"fileIdAttributes":"B001","datetime":"2024-01-15"}}}'
expect_http 201
secret=$(jget 'j.data.id')
[ -n "$secret" ] || fail "no metadata id: $body"
api POST "/files/$dir?Type=file&Name=m.pdf&MetadataID=$secret" --data-binary m
expect_http 201
[ "$(jget 'j.data.attributes.metadata.fileIdAttributes')" = B001 ] || fail "MetadataID: $body"
api POST "/files/$dir?Type=file&Name=m2.pdf&MetadataID=nope" --data-binary m
expect_jsonapi_error 422

# ---- _find: Mango over file docs, meta.count and links.next ----
for i in 1 2 3 4 5; do
	api POST "/files/$subdir?Type=file&Name=f$i.txt" --data-binary "$i"
	expect_http 201
done
api POST /files/_find -H 'Content-Type: application/json' --data '{"selector":{"dir_id":"'"$subdir"'"},"limit":2}'
expect_http 200
[ "$(jget 'j.data.length')" = 2 ] || fail "_find page 1: $body"
[ "$(jget 'j.meta.count')" = 2147483646 ] || fail "_find count of a full page: $body"
[ "$(jget 'j.data[0].attributes.path.startsWith("/A/B/C/f")')" = true ] || fail "_find file path: $body"
next=$(jget 'j.links.next')
case "$next" in /files/_find\?page\[cursor\]=?*) ;; *) fail "_find next: $body" ;; esac
seen=$(jget 'j.data.map(d => d.attributes.name).join()')
while [ -n "$next" ]; do
	api POST "$(printf '%s' "$next" | sed 's/\[/%5B/; s/\]/%5D/')" -H 'Content-Type: application/json' \
		--data '{"selector":{"dir_id":"'"$subdir"'"},"limit":2}'
	expect_http 200
	seen="$seen,$(jget 'j.data.map(d => d.attributes.name).join()')"
	next=$(jget 'j.links.next || ""')
done
[ "$(printf '%s' "$seen" | tr ',' '\n' | grep -c .)" = 5 ] || fail "_find pages gave: $seen"
[ "$(printf '%s' "$seen" | tr ',' '\n' | sort -u | grep -c .)" = 5 ] || fail "_find pages repeat: $seen"
api POST '/files/_find?page%5Bskip%5D=3' -H 'Content-Type: application/json' --data '{"selector":{"dir_id":"'"$subdir"'"}}'
[ "$(jget 'j.data.length')" = 2 ] || fail "_find skip: $body"
[ "$(jget 'j.meta.count')" = 5 ] || fail "_find count of a short page: $body"
api POST /files/_find -H 'Content-Type: application/json' \
	--data '{"selector":{"cozyMetadata.createdByApp":"filestest","name":{"$regex":"^f[12]"}},"sort":[{"name":"desc"}]}'
expect_http 200
[ "$(jget 'j.data.map(d => d.attributes.name).join()')" = f2.txt,f1.txt ] || fail "_find sort/regex: $body"
api POST /files/_find -H 'Content-Type: application/json' --data '{"selector":{"name":{"$bad":1}}}'
expect_jsonapi_error 400
api POST /files/_find -H 'Content-Type: application/json' --data 'nope'
expect_http 400

# ---- _all_docs: docs by id in key order, JSON:API list with meta.count, no links ----
api POST /files/_all_docs -H 'Content-Type: application/json' \
	--data '{"keys":["'"$old"'","nope","io.cozy.files.trash-dir","io.cozy.files.root-dir","'"$subdir"'"]}'
expect_http 200
grep -qi '^content-type: application/vnd.api+json' resp.head || fail "_all_docs content type: $(cat resp.head)"
[ "$(jget 'j.data.map(d => d.id).join()')" = "$old,io.cozy.files.root-dir,$subdir" ] || fail "_all_docs keys: $body"
[ "$(jget 'j.meta.count')" = 3 ] || fail "_all_docs count: $body"
[ "$(jget '"links" in j')" = false ] || fail "_all_docs links: $body"
[ "$(jget 'j.data[0].type')" = io.cozy.files ] || fail "_all_docs type: $body"
[ "$(jget 'j.data[0].attributes.path')" = /Docs/old.txt ] || fail "_all_docs file path: $body"
[ "$(jget 'j.data[0].attributes.size')" = 7 ] || fail "_all_docs file size: $body"
[ "$(jget 'j.data[0].meta.rev.startsWith("1-")')" = true ] || fail "_all_docs rev: $body"
[ "$(jget 'j.data[1].attributes.path')" = / ] || fail "_all_docs root path: $body"
[ "$(jget 'j.data[2].attributes.path')" = /A/B/C ] || fail "_all_docs dir path: $body"
api POST /files/_all_docs -H 'Content-Type: application/json' --data '{"keys":["nope"]}'
expect_http 200
[ "$(jget 'j.data.length + "/" + j.meta.count')" = 0/0 ] || fail "_all_docs unknown key: $body"
# no keys: every file and dir but the trash, in _id order
api POST /files/_all_docs -H 'Content-Type: application/json' --data '{}'
expect_http 200
[ "$(jget 'j.data.length')" = "$(jget 'j.meta.count')" ] || fail "_all_docs all count: $body"
[ "$(jget 'j.data.length > 10')" = true ] || fail "_all_docs all: $body"
[ "$(jget 'j.data.some(d => d.id === "io.cozy.files.trash-dir")')" = false ] || fail "_all_docs all has the trash: $body"
[ "$(jget 'j.data.some(d => d.id === "'"$old"'")')" = true ] || fail "_all_docs all misses a file: $body"
ids=$(jget 'j.data.map(d => d.id).join("\n")')
[ "$ids" = "$(printf '%s\n' "$ids" | LC_ALL=C sort)" ] || fail "_all_docs all not in _id order: $ids"
api POST /files/_all_docs -H 'Content-Type: application/json' --data '{"keys":"x"}'
expect_jsonapi_error 400
[ "$(jget 'j.errors[0].detail')" = 'json: cannot unmarshal string into Go struct field .keys of type []string' ] ||
	fail "_all_docs bad keys: $body"
api POST /files/_all_docs
expect_http 400
[ "$(jget 'j.errors[0].detail')" = EOF ] || fail "_all_docs empty body: $body"
api GET /files/_all_docs
expect_jsonapi_error 404

# ---- references from a doc ----
api POST "/data/io.cozy.bills/bill1/relationships/references" -H 'Content-Type: application/json' \
	--data '{"data":[{"type":"io.cozy.files","id":"'"$dir"'"},{"type":"io.cozy.files","id":"'"$old"'"}]}'
expect_http 204
[ -z "$body" ] || fail "204 with a body: $body"
api GET "/data/io.cozy.bills/bill1/relationships/references?include=files&sort=datetime"
expect_http 200
[ "$(jget 'j.meta.count')" = 2 ] || fail "references count: $body"
[ "$(jget 'j.data.map(d => d.id).sort().join()')" = "$(printf '%s\n%s\n' "$dir" "$old" | sort | paste -sd,)" ] ||
	fail "references: $body"
[ "$(jget 'j.included.find(x => x.id === "'"$dir"'").attributes.referenced_by[0].id')" = bill1 ] ||
	fail "included dir: $body"
api GET "/files/$old"
[ "$(jget 'j.data.relationships.referenced_by.data[0].id')" = bill1 ] || fail "file side of the reference: $body"
api DELETE "/data/io.cozy.bills/bill1/relationships/references" -H 'Content-Type: application/json' \
	--data '{"data":[{"type":"io.cozy.files","id":"'"$old"'"}]}'
expect_http 204
api GET "/data/io.cozy.bills/bill1/relationships/references"
[ "$(jget 'j.meta.count')" = 1 ] || fail "references after delete: $body"
# the konnector's own folder references (libs' saveFiles start): whole-type files permission suffices
api GET "/data/io.cozy.konnectors/io.cozy.konnectors%2Ffilestest/relationships/references?include=files&sort=datetime"
expect_http 200
[ "$(jget 'j.meta.count')" = 0 ] || fail "konnector references: $body"

# a konnector without the files permission is refused (enforce mode)
stop_serve
if grep -q '"status":5' run/journal.jsonl; then fail "server errors: $(grep '"status":5' run/journal.jsonl)"; fi
rm -rf run
echo '{"slug":"filestest","name":"Files","permissions":{"bills":{"type":"io.cozy.bills"}}}' >k/manifest.konnector
start_serve k k/fixtures --permissions enforce
api GET /files/io.cozy.files.root-dir
expect_http 403
api POST "/files/?Type=file&Name=x.txt" --data-binary x
expect_http 403
api POST /files/_all_docs -H 'Content-Type: application/json' --data '{"keys":["io.cozy.files.root-dir"]}'
expect_http 403
[ ! -e run/files/x.txt ] || fail "a refused upload was written"
stop_serve
if grep -q '"status":5' run/journal.jsonl; then fail "server errors: $(grep '"status":5' run/journal.jsonl)"; fi

# a symlink in the fixtures' files/ could point anywhere: serve refuses to start (data error)
ln -s /etc/passwd k/fixtures/files/Docs/pw
expect_status 65 "$KH" serve k --fixtures k/fixtures --port 0 --out "$KH_WORK/run3"
expect_contains "$out" "symbolic links are not allowed"
echo ok
