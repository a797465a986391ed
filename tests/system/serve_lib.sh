# Helpers for the test_serve_*.sh tests (sourced after lib.sh).

# serve_start ARGS...: start `serve` in the background, wait for its COZY_* lines; sets
# SERVE_PID, URL, TOKEN (konnector), APP (app token).
serve_start() {
	# A previous serve's lines must not be read while the new one has yet to truncate the file.
	rm -f serve.out serve.err
	"$KH" serve "$@" >serve.out 2>serve.err &
	SERVE_PID=$!
	wait_for grep -q '^COZY_APP_TOKEN=' serve.out
	URL=$(sed -n 's/^COZY_URL=//p' serve.out)
	TOKEN=$(sed -n 's/^COZY_CREDENTIALS=//p' serve.out)
	APP=$(sed -n 's/^COZY_APP_TOKEN=//p' serve.out)
}

# serve_stop: SIGTERM, then wait for a clean exit 0.
serve_stop() {
	kill -TERM "$SERVE_PID"
	set +e
	wait "$SERVE_PID"
	code=$?
	set -e
	[ "$code" -eq 0 ] || fail "serve exited $code: $(cat serve.err)"
}

# req METHOD PATH [curl args...]: konnector-token request; body in $body, status in $status.
req() {
	m=$1
	p=$2
	shift 2
	body=$(curl -sS -X "$m" -H "Authorization: Bearer $TOKEN" -H 'Accept: application/json' \
		-w '\n%{http_code}' "$@" "$URL${p#/}")
	status=$(printf '%s' "$body" | tail -n 1)
	body=$(printf '%s' "$body" | sed '$d')
}

# expect STATUS BODY-NEEDLE: check the last req.
expect() {
	[ "$status" = "$1" ] || fail "expected status $1, got $status: $body"
	[ -z "${2:-}" ] || expect_contains "$body" "$2"
}
