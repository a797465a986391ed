# serve: a request whose body is still arriving does not stall other connections.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"

mkdir -p k
serve_start k --permissions off
mkfifo slow
# A chunked POST whose body we hold open.
curl -s -o slow.out -w '%{http_code}' -X POST -H "Authorization: Bearer $APP" -H 'Transfer-Encoding: chunked' \
	--data-binary @slow "${URL}data/io.cozy.slow/" >slow.code &
CURL_PID=$!
exec 3>slow
printf '{"part":' >&3
# Meanwhile, another connection is served at once.
req PUT /data/io.cozy.fast/f1 -d '{"x":1}'
expect 200
req GET /data/io.cozy.fast/f1
expect 200 '"x":1'
printf '"done"}' >&3
exec 3>&-
wait "$CURL_PID"
[ "$(cat slow.code)" = 201 ] || fail "slow POST: $(cat slow.code) $(cat slow.out)"
expect_contains "$(cat slow.out)" '"part":"done"'
serve_stop
