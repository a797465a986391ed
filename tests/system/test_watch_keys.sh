# watch on a terminal: Enter reruns at once, q quits with status 0. script(1) (util-linux,
# always in Debian) gives watch a pty; keys are typed through a fifo.
. "$KH_ROOT/tests/system/lib.sh"

mkdir k
echo '{"type":"info","message":"ran"}' >k/out.json
echo 'cat out.json' >k/k.sh
echo '{"slug":"keys","name":"keys"}' >k/manifest.konnector
echo '{"fields":{}}' >k/konnector-dev-config.json
mkfifo keys.fifo
cmd="'$KH' watch k --cmd 'sh k.sh' --no-color"
(script -qfec "$cmd" /dev/null <keys.fifo >out.txt 2>&1; echo "exit=$?" >>out.txt) &
exec 3>keys.fifo

# run 1's status line (its end), not the line that says it starts
wait_for grep -q '\] run 1 · ' out.txt
grep -q 'Enter reruns, q quits' out.txt || fail "no key help on a terminal: $(cat out.txt)"
printf '\r' >&3
wait_for grep -q '\] run 2 · Enter · ' out.txt
printf 'q' >&3
wait_for grep -q '^exit=' out.txt
exec 3>&-
grep -q '^exit=0' out.txt || fail "q did not exit 0: $(cat out.txt)"
[ "$(grep -c 'info *ran' out.txt)" -eq 2 ] || fail "expected exactly two runs: $(cat out.txt)"
