# Helpers for system tests (sourced). Each test runs in its own $KH_WORK dir.
set -eu
KH="$KH_BIN"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect_status WANT CMD...: run CMD, fail unless it exits WANT; output in $out.
expect_status() {
	want=$1
	shift
	set +e
	out=$("$@" 2>&1)
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "expected exit $want, got $got from: $* -- output: $out"
}

# expect_contains TEXT NEEDLE
expect_contains() {
	case "$1" in
	*"$2"*) ;;
	*) fail "expected to find '$2' in: $1" ;;
	esac
}

# wait_for CMD...: retry CMD until it succeeds, for at most $WAIT_MAX tenths of a second (default 100 = 10 s).
wait_for() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt "${WAIT_MAX:-100}" ] || fail "timed out waiting for: $*"
		# Bounded poll of a condition, not synchronisation by sleeping.
		sleep 0.1 # poll interval
	done
}

# json_get FILE_OR_- EXPR: evaluate a JS expression over the parsed JSON (as `j`).
json_get() {
	node -e '
const fs = require("fs");
const src = process.argv[1] === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(process.argv[1], "utf8");
const j = JSON.parse(src);
const v = eval(process.argv[2]);
process.stdout.write(typeof v === "string" ? v : JSON.stringify(v));
' "$1" "$2"
}
