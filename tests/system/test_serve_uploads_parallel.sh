# serve: several chunked uploads at once, each body arriving slowly in pieces (some with
# Expect: 100-continue, some after POST /files/upload/metadata on the same keep-alive connection,
# pieces up to 64 KiB so MHD's read buffer fills): every one is answered 201 with the right size
# and md5sum, the files are on disk in the run directory, the journal holds every upload.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/files_lib.sh"

mkdir -p k/fixtures
start_serve k k/fixtures --permissions off
n=8
# Bounded: slow_upload.js gives up on an upload not answered within DEADLINE_MS.
DEADLINE_MS=20000 node "$KH_ROOT/tests/system/slow_upload.js" "$URL/" "$APP" "$n" >uploads.out 2>&1 ||
	fail "uploads: $(cat uploads.out)"
[ "$(grep -c ': ok ' uploads.out)" = "$n" ] || fail "not all uploads ok: $(cat uploads.out)"
stop_serve
for i in $(seq 0 $((n - 1))); do
	[ -f "run/files/slow-$i.bin" ] || fail "slow-$i.bin not in the run dir: $(ls run/files)"
done
uploads=$(grep -c '"method":"POST","path":"/files/","query":{[^}]*"Type":"file"' run/journal.jsonl || true)
[ "$uploads" = "$n" ] || fail "expected $n uploads in the journal, got $uploads"
