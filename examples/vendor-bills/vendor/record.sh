#!/bin/sh
# Record fixtures/default/vendor.har again, from the fake vendor (server.js) on 127.0.0.1 with a
# fresh self-signed certificate, reached as https://bills.example.com through --vendor-connect-to.
#   examples/vendor-bills/vendor/record.sh [KONNECTOR_HARNESS]   (default: the repo's ./konnector-harness)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$(dirname "$here")
kh=${1:-$ex/../../konnector-harness}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vendor-bills-XXXXXX")
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bills.example.com \
	-addext "subjectAltName=DNS:bills.example.com" -days 2 -keyout "$tmp/vendor.key" -out "$tmp/vendor.pem" 2>/dev/null
# The dev config's password: the HAR only ever has {{kh:password}} in its place.
node "$here/server.js" --cert "$tmp/vendor.pem" --key "$tmp/vendor.key" --password d0h-d0h >"$tmp/port" &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "record.sh: the vendor did not start" >&2; exit 1; }
	sleep 0.1 # poll interval
done
"$kh" run "$ex" --scenario default --record --vendor-ca "$tmp/vendor.pem" \
	--vendor-connect-to "bills.example.com:443:127.0.0.1:$(cat "$tmp/port")"
