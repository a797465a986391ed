# Helpers for tests that run examples/libs-bills with the real cozy-konnector-libs (sourced after lib.sh).

# libs_install EXAMPLE_DIR: make $cache/node_modules match the example's package-lock.json.
# Prints SKIP and returns 1 when npm cannot install (registry unreachable and nothing in ~/.npm).
libs_install() {
	ex=$1
	# node_modules lives under build/ (gone after `make clean`); the tarballs come from npm's own cache
	# (~/.npm) with --prefer-offline, so a reinstall is ~10 s and needs the registry only the first time.
	cache="$KH_ROOT/build/npm-cache/libs-bills"
	if [ ! -f "$cache/node_modules/cozy-konnector-libs/package.json" ] || ! cmp -s "$ex/package.json" "$cache/package.json" ||
		! cmp -s "$ex/package-lock.json" "$cache/package-lock.json"; then
		# Installed aside then renamed, so two test runs at once never see a half-installed tree.
		tmp="$cache.tmp.$$"
		rm -rf "$tmp"
		mkdir -p "$tmp"
		cp "$ex/package.json" "$ex/package-lock.json" "$tmp/"
		if ! (cd "$tmp" && timeout 300 npm ci --legacy-peer-deps --ignore-scripts --no-audit --no-fund --prefer-offline \
			>npm.log 2>&1); then
			echo "SKIP: npm ci of cozy-konnector-libs failed (registry unreachable and not in ~/.npm?): $(tail -n 3 "$tmp/npm.log")"
			rm -rf "$tmp"
			return 1
		fi
		rm -rf "$cache"
		mv "$tmp" "$cache"
	fi
}

# libs_konnector DIR: a copy of examples/libs-bills in DIR, with the cached node_modules linked in.
libs_konnector() {
	mkdir "$1"
	cp -R "$ex/index.js" "$ex/manifest.konnector" "$ex/vendor" "$ex/fixtures" "$1/"
	ln -s "$cache/node_modules" "$1/node_modules"
}
