# The first hour of a new user: the binary is not on PATH yet (a fresh clone), so init's "Next:"
# lines name it by its full path and work from where the user stands, and say how to put it on PATH
# (make install PREFIX=$HOME/.local, no root); an installed copy off PATH prints its own path; the
# README still starts with make example and make test.
. "$KH_ROOT/tests/system/lib.sh"

# a PATH without konnector-harness (node and the usual tools stay)
node_dir=$(dirname "$(command -v node)")
clean_path="$node_dir:/usr/local/bin:/usr/bin:/bin"
[ "$(PATH=$clean_path command -v konnector-harness || true)" != "$KH" ] || fail "KH_BIN is on the clean PATH"

# next_lines FILE: the indented lines after "Next:", without npm install
next_lines() { sed -n '/^Next:/,/^$/p' "$1" | sed -n 's/^  //p' | grep -v '^npm install'; }

# run the printed lines in a shell that has only the clean PATH; the run itself may fail
# (no node_modules without the npm cache) but its command must be found
try_next() { # WORKDIR INITOUT
	next_lines "$2" >next.sh
	grep -q ' run$' next.sh || fail "no run line in Next: $(cat "$2")"
	cache="$KH_ROOT/build/npm-cache/init-template/node_modules"
	set +e
	(cd "$1" && env -i HOME="$HOME" PATH="$clean_path" sh -c "
		set -e
		$(sed -n 1p next.sh)
		[ ! -d '$cache' ] || ln -s '$cache' node_modules
		$(grep ' run$' next.sh) --no-color
	") >try.out 2>&1
	st=$?
	set -e
	[ "$st" -ne 127 ] || fail "a Next: line is not a command here: $(cat next.sh): $(cat try.out)"
	grep -q 'konnector-harness: not found\|command not found' try.out && fail "command not found: $(cat try.out)"
	grep -q 'run dir ' try.out || fail "the run did not happen: $(cat try.out)"
}

# 1. the binary of a fresh build, off PATH
env PATH="$clean_path" "$KH" init demo >init.out 2>&1 || fail "init: $(cat init.out)"
grep -q "^  $KH run\$" init.out || fail "Next: does not name the binary by its path: $(cat init.out)"
expect_contains "$(cat init.out)" "konnector-harness is not on your PATH"
expect_contains "$(cat init.out)" 'install PREFIX=$HOME/.local'
try_next . init.out

# 2. on PATH: the short name, and no note
mkdir bin
ln -s "$KH" bin/konnector-harness
env PATH="$KH_WORK/bin:$clean_path" "$KH" init demo2 >init2.out 2>&1 || fail "init: $(cat init2.out)"
grep -q '^  konnector-harness run$' init2.out || fail "on PATH, Next: should say konnector-harness: $(cat init2.out)"
case "$(cat init2.out)" in *"not on your PATH"*) fail "a note although it is on PATH" ;; esac

# 3. another konnector-harness first on PATH: this one's path, and a note
mkdir other
printf '#!/bin/sh\necho other\n' >other/konnector-harness
chmod +x other/konnector-harness
env PATH="$KH_WORK/other:$clean_path" "$KH" init demo3 >init3.out 2>&1 || fail "init: $(cat init3.out)"
grep -q "^  $KH run\$" init3.out || fail "another binary on PATH: Next: should name this one: $(cat init3.out)"
expect_contains "$(cat init3.out)" "konnector-harness on your PATH is $KH_WORK/other/konnector-harness"

# 4. make install PREFIX=... without root, off PATH: the hint, and the installed copy works on its own
if [ -z "${KH_ASAN:-}" ] && make -s -q -C "$KH_ROOT" konnector-harness 2>/dev/null; then
	make -s -C "$KH_ROOT" install PREFIX="$KH_WORK/prefix" >install.out 2>&1 || fail "make install: $(cat install.out)"
	expect_contains "$(cat install.out)" "$KH_WORK/prefix/bin is not on your PATH"
	env PATH="$clean_path" "$KH_WORK/prefix/bin/konnector-harness" init demo4 >init4.out 2>&1 ||
		fail "installed init: $(cat init4.out)"
	grep -q "^  $KH_WORK/prefix/bin/konnector-harness run\$" init4.out || fail "installed copy: $(cat init4.out)"
	try_next . init4.out
fi

# 5. the README's first commands are still the two
first=$(sed -n '/^```sh$/,/^```$/p' "$KH_ROOT/README.md" | sed -n '2,3p' | cut -d' ' -f1-2)
[ "$first" = "make example
make test" ] || fail "the README's first lines: $first"
echo ok
