# The real npm cozy-client (pinned in tests/system/cozy-client/package-lock.json) drives serve's
# konnector as an app does: TriggerCollection create + launch, JobCollection waitFor.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"
command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node or npm is not installed"; exit 0; }
src="$KH_ROOT/tests/system/cozy-client"
# node_modules lives under build/ (outside the sources), installed aside then renamed, as libs_lib.sh does.
cache="$KH_ROOT/build/npm-cache/cozy-client"
if [ ! -f "$cache/node_modules/cozy-client/package.json" ] || ! cmp -s "$src/package-lock.json" "$cache/package-lock.json"; then
	tmp="$cache.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	cp "$src/package.json" "$src/package-lock.json" "$tmp/"
	if ! (cd "$tmp" && timeout 300 npm ci --legacy-peer-deps --ignore-scripts --no-audit --no-fund --prefer-offline \
		>npm.log 2>&1); then
		echo "SKIP: npm ci of cozy-client failed (registry unreachable and not in ~/.npm?): $(tail -n 3 "$tmp/npm.log")"
		rm -rf "$tmp"
		exit 0
	fi
	rm -rf "$cache"
	mv "$tmp" "$cache"
fi
mkdir app
cp "$src/drive.js" app/
ln -s "$cache/node_modules" app/node_modules

cp -R "$KH_ROOT/tests/system/konnectors/jobs" k
serve_start k
res=$(COZY_URL=$URL COZY_APP_TOKEN=$APP timeout 120 node app/drive.js ok) || fail "cozy-client: $res"
[ "$(printf '%s' "$res" | json_get - 'j.launched + " " + j.state + " " + j.status')" = "queued done done" ] ||
	fail "cozy-client saw: $res"
res=$(COZY_URL=$URL COZY_APP_TOKEN=$APP timeout 120 node app/drive.js badlogin) || fail "cozy-client: $res"
[ "$(printf '%s' "$res" | json_get - 'j.state + " " + j.error + " " + j.status')" = "errored LOGIN_FAILED errored" ] ||
	fail "cozy-client saw: $res"
serve_stop
