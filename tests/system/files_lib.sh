# Helpers for the /files system tests (sourced after lib.sh): start `serve`, talk to it with curl.

# start_serve KONNECTOR_DIR FIXTURES_DIR [serve options…]: serve in the background, its run dir in ./run;
# sets URL (no trailing slash), TOKEN (konnector token), APP (app token), SERVE_PID.
start_serve() {
	k=$1
	fx=$2
	shift 2
	"$KH" serve "$k" --fixtures "$fx" --port 0 --out "$KH_WORK/run" "$@" >serve.out 2>serve.err &
	SERVE_PID=$!
	trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
	wait_for grep -q '^COZY_APP_TOKEN=' serve.out
	URL=$(sed -n 's/^COZY_URL=//p' serve.out)
	TOKEN=$(sed -n 's/^COZY_CREDENTIALS=//p' serve.out)
	APP=$(sed -n 's/^COZY_APP_TOKEN=//p' serve.out)
	URL=${URL%/}
}

# stop_serve: SIGTERM, wait for exit 0; the journal is then in run/journal.jsonl.
stop_serve() {
	kill -TERM "$SERVE_PID"
	set +e
	wait "$SERVE_PID"
	code=$?
	set -e
	trap - EXIT
	[ "$code" -eq 0 ] || fail "serve exited $code: $(cat serve.err)"
}

# api METHOD PATH [curl args…]: konnector-token request; body in $body (and resp.body), status in $status,
# response headers in resp.head.
api() {
	m=$1
	p=$2
	shift 2
	status=$(curl -s -D resp.head -o resp.body -w '%{http_code}' -X "$m" -H "Authorization: Bearer $TOKEN" "$@" "$URL$p")
	body=$(cat resp.body)
}

expect_http() {
	[ "$status" = "$1" ] || fail "expected HTTP $1, got $status: $body"
}

# jget EXPR: json_get over the last answer.
jget() {
	json_get resp.body "$1"
}

# expect_jsonapi_error STATUS: the last answer is a JSON:API error document of that status.
expect_jsonapi_error() {
	expect_http "$1"
	grep -qi '^content-type: application/vnd.api+json' resp.head || fail "error not vnd.api+json: $(cat resp.head)"
	[ "$(jget 'j.errors[0].status')" = "$1" ] || fail "errors[0].status: $body"
	[ "$(jget 'typeof j.errors[0].source')" = object ] || fail "errors[0].source missing: $body"
}
