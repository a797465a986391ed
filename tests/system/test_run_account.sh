# The account `run` creates, as production has it (web/data/accounts.go, model/account/credentials.go,
# worker/exec/konnector.go): the konnector's own GET sees its password, _find never does; the state holds
# the sealed form; the name is the login, and folder_to_save is /Administrative/<Name>/<login>.
. "$KH_ROOT/tests/system/lib.sh"

mkdir k
cat >k/manifest.konnector <<'J'
{"slug":"acct","name":"my bank","fields":{"login":{},"password":{"type":"password"}},"folders":[{"defaultDir":"$administrative/$konnector/$account"}],
 "permissions":{"accounts":{"type":"io.cozy.accounts"}}}
J
printf '{"fields":{"login":"homer.s@example.com","password":"d0h-s3cret"}}\n' >k/konnector-dev-config.json
cat >k/index.js <<'J'
const url = process.env.COZY_URL, fields = JSON.parse(process.env.COZY_FIELDS);
const auth = { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS, 'Content-Type': 'application/json' };
const say = (m) => console.log(JSON.stringify({ type: 'info', message: m }));
(async () => {
  const acc = await (await fetch(url + 'data/io.cozy.accounts/' + fields.account, { headers: auth })).json();
  say('get:' + (acc.auth && acc.auth.password === 'd0h-s3cret' ? 'password' : 'no password'));
  const found = await (await fetch(url + 'data/io.cozy.accounts/_find', { method: 'POST', headers: auth,
    body: JSON.stringify({ selector: { _id: fields.account } }) })).json();
  say('find:' + (found.docs[0].auth.password === undefined ? 'none' : 'password'));
})().catch((e) => { console.log(JSON.stringify({ type: 'critical', message: String(e) })); process.exit(1); });
J

expect_status 0 "$KH" run k --no-color
grep -q '"get:password"' k/.harness/runs/latest/stdout.log || fail "the konnector's GET lacks its password: $out"
grep -q '"find:none"' k/.harness/runs/latest/stdout.log || fail "_find showed the password: $out"
acc=$(ls k/.harness/runs/latest/state/data/io.cozy.accounts/*.json)
if grep -q 'd0h-s3cret' $acc; then fail "the state holds the password in clear: $(cat $acc)"; fi
grep -q 'kh-not-the-stack-cipher:' $acc || fail "no sealed credentials in the state: $(cat $acc)"
[ "$(json_get $acc 'j.name')" = homer.s@example.com ] || fail "name: $(cat $acc)"
[ "$(json_get $acc 'j.defaultFolderPath')" = "/Administrative/My Bank/homer_s_example_com" ] || fail "defaultFolderPath: $(cat $acc)"
[ -d "k/.harness/runs/latest/state/files/Administrative/My Bank/homer_s_example_com" ] || fail "no folder in the state"
if grep -rq 'd0h-s3cret' k/.harness/runs/latest/journal.jsonl; then fail "the journal shows the password"; fi
echo ok
