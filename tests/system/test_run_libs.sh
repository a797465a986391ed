# `konnector-harness run` on the real cozy-konnector-libs 5.13.0 konnector of examples/libs-bills:
# the stack's folder_to_save is created from the manifest's `folders`, files and bills are saved,
# and a second run from the first one's state (--state .harness/runs/latest) saves no file again.
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/libs_lib.sh"

ex="$KH_ROOT/examples/libs-bills"
libs_install "$ex" || exit 0

libs_konnector k
cat >k/konnector-dev-config.json <<'J'
{
  // what a developer types: the vendor credentials
  "fields": {"login": "homer@example.com", "password": "doh"}
}
J

expect_status 0 "$KH" run k --no-color
[ "$(json_get k/.harness/runs/latest/report.json 'j.state')" = done ] || fail "run 1 not done: $out"
grep -q 'saveFiles created 2 files' k/.harness/runs/latest/stdout.log || fail "run 1 saved no bill file: $(cat k/.harness/runs/latest/stdout.log)"
if grep -q SAVE_FILE_FAILED k/.harness/runs/latest/stdout.log; then fail "run 1 had SAVE_FILE_FAILED"; fi
fields=$(sed -n 's/^COZY_FIELDS=//p' k/.harness/runs/latest/env)
folder=$(printf '%s' "$fields" | json_get - 'j.folder_to_save')
[ -n "$folder" ] || fail "no folder_to_save in COZY_FIELDS: $fields"
ls k/.harness/runs/latest/state/files/Administrative/Libsbills/*/2024-01-15_libsbills_12.50EUR.pdf >/dev/null ||
	fail "bill PDF not under /Administrative/Libsbills/<account>/ in the state"

expect_status 0 "$KH" run k --no-color --state k/.harness/runs/latest
grep -q 'saveFiles created 0 files for 2 entries' k/.harness/runs/latest/stdout.log ||
	fail "run 2 saved files again: $(grep saveFiles k/.harness/runs/latest/stdout.log)"
fields2=$(sed -n 's/^COZY_FIELDS=//p' k/.harness/runs/latest/env)
[ "$(printf '%s' "$fields2" | json_get - 'j.folder_to_save')" = "$folder" ] || fail "run 2 got another folder: $fields2"
