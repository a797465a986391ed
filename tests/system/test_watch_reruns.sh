# watch: real runs against the fake stack (a shell konnector through --cmd); editor saves, sed -i, a new subdirectory and a 30-file burst each give
# exactly one rerun; node_modules/ and .gitignore'd edits give none. "Exactly
# one" is checked by a later sentinel change that must be the very next run.
. "$KH_ROOT/tests/system/lib.sh"

cp -R "$KH_ROOT/tests/system/konnectors/shell" k && cd k
printf 'echo "{\\"type\\":\\"info\\",\\"message\\":\\"hi\\"}"\n' >k.sh
echo v1 >index.js
echo 'secret.txt' >.gitignore
mkdir node_modules

"$KH" watch --cmd 'sh k.sh' . >../out.log 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null || true' EXIT

runs() { grep -c '^\[watch\] run ' ../out.log || true; }
has_run() { grep -q "^\[watch\] run $1 · $2 · done · " ../out.log; }
# next_run N PATH: wait for run N, started by PATH
next_run() {
	wait_for has_run "$1" "$2" || true
	has_run "$1" "$2" || fail "run $1 was not started by $2: $(cat ../out.log)"
}
sentinel=0
# the next run must be the sentinel's: nothing else was left pending
expect_sentinel_next() {
	sentinel=$((sentinel + 1))
	want=$(($(runs) + 1))
	echo "$sentinel" >"sentinel$sentinel.txt"
	next_run "$want" "sentinel$sentinel.txt"
}

next_run 1 start

# save in place
echo v2 >index.js
next_run 2 index.js
expect_sentinel_next

# vim: probe with 4913, back up by rename, write anew, drop the backup
n=$(runs)
: >4913 && rm 4913
mv index.js index.js~
echo v3 >index.js
rm index.js~
next_run $((n + 1)) index.js
expect_sentinel_next

# sed -i: a temp file renamed over the original
n=$(runs)
sed -i 's/v3/v4/' index.js
next_run $((n + 1)) index.js
expect_sentinel_next

# a new subdirectory with a file in it
n=$(runs)
mkdir -p lib/deep && echo a >lib/deep/a.js
next_run $((n + 1)) 'lib/deep/a.js +2 more'
expect_sentinel_next

# 30 files at once, as a git checkout writes them
n=$(runs)
mkdir ../stage && for i in $(seq 10 39); do echo "$i" >"../stage/f$i.js"; done
mv ../stage/* .
next_run $((n + 1)) 'f10.js +29 more'
expect_sentinel_next

# ignored: node_modules/, .gitignore'd, editor droppings, .harness/
n=$(runs)
echo x >node_modules/dep.js
echo x >secret.txt
echo x >.index.js.swp
mkdir -p .harness/runs && echo '{}' >.harness/runs/x.json
expect_sentinel_next
[ "$(runs)" -eq $((n + 1)) ] || fail "ignored paths started runs: $(cat ../out.log)"

kill -INT $pid
set +e
wait $pid
rc=$?
set -e
trap - EXIT
[ "$rc" -eq 0 ] || fail "watch exited $rc on SIGINT"
