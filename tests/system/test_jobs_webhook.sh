# Webhook triggers: POST /jobs/webhooks/:id without a token, the body in COZY_PAYLOAD (a file over
# 100 kB), the debounce gathering payloads (web/jobs/jobs.go fireWebhook, model/job/mem_scheduler.go).
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"
. "$KH_ROOT/tests/system/jobs_lib.sh"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 0; }
cp -R "$KH_ROOT/tests/system/konnectors/jobs" k
serve_start k
new_account ok
new_trigger @webhook ''
[ "$(jq_ j.data.links.webhook)" = "${URL}jobs/webhooks/$TID" ] || fail "links.webhook: $body"

code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "${URL}jobs/webhooks/$TID" -d '{"hello":"world"}')
[ "$code" = 204 ] || fail "webhook: $code"
wait_jobs_of "$TID" 1
[ "$(jq_ 'j.data[0].attributes.state + " " + (j.data[0].attributes.manual_execution || false) + " " + (j.data[0].attributes.payload || "cleared")')" = \
	"done false cleared" ] || fail "webhook job: $body"
runs ok
[ "$(printf '%s' "$runs" | json_get - 'j[0].payload_head')" = '{"hello":"world"}' ] || fail "COZY_PAYLOAD: $runs"

# over 100 kB: @cozy_payload.json in the konnector's working directory
node -e 'process.stdout.write(JSON.stringify({big: "x".repeat(150000)}))' >big.json
curl -sS -o /dev/null -X POST "${URL}jobs/webhooks/$TID" --data-binary @big.json
wait_jobs_of "$TID" 2
runs ok
[ "$(printf '%s' "$runs" | json_get - 'j.map(r => r.payload_length).sort((a, b) => a - b).join(",")')" = 17,150010 ] ||
	fail "big payload: $runs"
[ ! -e k/cozy_payload.json ] || fail "the payload file outlived the run"

# not a webhook, unknown trigger
new_trigger @cron '0 0 0 1 1 *'
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "${URL}jobs/webhooks/$TID" -d '{}')
[ "$code" = 422 ] || fail "not a webhook: $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "${URL}jobs/webhooks/nope" -d '{}')
[ "$code" = 404 ] || fail "unknown webhook: $code"

# debounce: calls within it make one job with {"payloads":[…]}
new_trigger @webhook '' '"debounce":"2s"'
curl -sS -o /dev/null -X POST "${URL}jobs/webhooks/$TID" -d '{"n":1}'
curl -sS -o /dev/null -X POST "${URL}jobs/webhooks/$TID" -d '{"n":2}'
wait_jobs_of "$TID" 1
[ "$(jq_ j.data.length)" = 1 ] || fail "debounced calls made several jobs: $body"
runs ok
printf '%s' "$runs" | json_get - 'j.map(r => r.payload_head).join(" ")' | grep -qF '{"payloads":[{"n":1},{"n":2}]}' ||
	fail "debounced payloads: $runs"
serve_stop
