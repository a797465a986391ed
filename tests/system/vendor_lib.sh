# Helpers for the vendor record/replay tests (sourced after lib.sh): the fake vendor site of
# examples/vendor-bills/vendor over HTTPS with a self-signed certificate made here.

# vendor_cert DIR: DIR/vendor.pem and DIR/vendor.key, valid for bills.example.com and 127.0.0.1.
vendor_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=bills.example.com \
		-addext "subjectAltName=DNS:bills.example.com,IP:127.0.0.1" -days 2 \
		-keyout "$1/vendor.key" -out "$1/vendor.pem" 2>/dev/null || fail "openssl could not make the vendor's certificate"
}

# vendor_start PASSWORD: start the vendor (its connections counted in $KH_WORK/vendor.conns); sets
# vendor_port and vendor_pid, and kills it when the test ends.
vendor_start() {
	rm -f "$KH_WORK/vendor.port"
	echo 0 >"$KH_WORK/vendor.conns"
	node "$KH_ROOT/examples/vendor-bills/vendor/server.js" --cert "$KH_WORK/vendor.pem" --key "$KH_WORK/vendor.key" \
		--password "$1" --conns "$KH_WORK/vendor.conns" >"$KH_WORK/vendor.port" &
	vendor_pid=$!
	trap 'kill $vendor_pid 2>/dev/null || true' EXIT
	wait_for test -s "$KH_WORK/vendor.port"
	vendor_port=$(cat "$KH_WORK/vendor.port")
}

vendor_stop() {
	kill "$vendor_pid" 2>/dev/null || true
	wait "$vendor_pid" 2>/dev/null || true
}

# vendor_conns: how many connections the vendor accepted so far.
vendor_conns() {
	cat "$KH_WORK/vendor.conns"
}
