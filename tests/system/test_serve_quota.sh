# serve --disk-quota: uploads past the quota answer 413 as a full Cozy does (stack: model/vfs/errors.go
# ErrFileTooBig, web/files/files.go), whether the length is declared or the body is chunked; none by default.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/files_lib.sh"

mkdir -p k/fixtures/files
echo '{"slug":"quotatest","name":"Quota","permissions":{"files":{"type":"io.cozy.files"}}}' >k/manifest.konnector
printf 'fixture' >k/fixtures/files/old.txt # 7 bytes, counted in the quota
root=io.cozy.files.root-dir

# a value that is not a number of bytes is a usage error
expect_status 64 "$KH" serve k --disk-quota lots
expect_contains "$out" "--disk-quota wants a number of bytes"
expect_status 64 "$KH" serve k --disk-quota -1

start_serve k k/fixtures --disk-quota 10
api POST "/files/$root?Type=file&Name=fits.txt" --data-binary abc
expect_http 201
api POST "/files/$root?Type=file&Name=over.txt" --data-binary x
expect_jsonapi_error 413
expect_contains "$body" "exceeds the disk quota"
api POST "/files/$root?Type=file&Name=chunked.txt" -H 'Transfer-Encoding: chunked' --data-binary xy
expect_jsonapi_error 413
expect_contains "$body" "exceeds the disk quota"
stop_serve
[ -e run/files/fits.txt ] || fail "the upload within the quota is not on disk"
[ ! -e run/files/over.txt ] || fail "an upload past the quota was written"
[ ! -e run/files/chunked.txt ] || fail "a chunked upload past the quota was written"

# without the option there is no quota
rm -rf run
start_serve k k/fixtures
head -c 100000 /dev/zero >big.bin
api POST "/files/$root?Type=file&Name=big.bin" --data-binary @big.bin
expect_http 201
stop_serve
