# Helpers for the /files system tests (sourced after lib.sh): start `serve`, talk to it with curl.

# start_serve KONNECTOR_DIR FIXTURES_DIR: serve in the background; sets URL, TOKEN, SERVE_PID.
# Prints SKIP and exits 0 when this build has no working `serve` yet.
start_serve() {
	"$KH" serve "$1" --fixtures "$2" --port 0 >serve.out 2>serve.err &
	SERVE_PID=$!
	trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
	i=0
	while ! grep -q '^COZY_CREDENTIALS=' serve.out 2>/dev/null; do
		if ! kill -0 "$SERVE_PID" 2>/dev/null; then
			if grep -qi 'not built' serve.out serve.err 2>/dev/null; then
				echo "SKIP: konnector-harness serve is not built in this tree"
				exit 0
			fi
			fail "serve exited: $(cat serve.out serve.err)"
		fi
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "serve printed no COZY_CREDENTIALS line"
		sleep 0.1 # poll interval
	done
	URL=$(sed -n 's/^COZY_URL=//p' serve.out | head -n1 | tr -d "'\"")
	TOKEN=$(sed -n 's/^COZY_CREDENTIALS=//p' serve.out | head -n1 | tr -d "'\"")
	URL=${URL%/}
}

# api METHOD PATH [curl args…]: body in $body, status in $status.
api() {
	m=$1
	p=$2
	shift 2
	status=$(curl -s -o resp.body -w '%{http_code}' -X "$m" -H "Authorization: Bearer $TOKEN" "$@" "$URL$p")
	body=$(cat resp.body)
}

expect_http() {
	[ "$status" = "$1" ] || fail "expected HTTP $1, got $status: $body"
}
