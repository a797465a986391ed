# serve's konnector jobs that fail: LOGIN_FAILED is not retried, another error is retried once in
# the same job, later automatic runs are skipped after LOGIN_FAILED, and a missing account deletes
# the trigger (model/job/worker.go, worker/exec/konnector.go).
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"
. "$KH_ROOT/tests/system/jobs_lib.sh"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 0; }
cp -R "$KH_ROOT/tests/system/konnectors/jobs" k
serve_start k

# LOGIN_FAILED: errored, one execution
new_account badlogin
new_trigger @webhook ''
BAD=$TID
launch
wait_job "$JID"
[ "$state/$(jq_ j.data.attributes.error)" = errored/LOGIN_FAILED ] || fail "LOGIN_FAILED job: $body"
runs badlogin
[ "$(printf '%s' "$runs" | json_get - j.length)" = 1 ] || fail "LOGIN_FAILED was retried: $runs"
api GET "/jobs/triggers/$BAD/state"
expect 200 '"type":"io.cozy.triggers.state"'
[ "$(jq_ 'j.data.attributes.status + " " + j.data.attributes.last_error + " " + j.data.attributes.last_failed_job_id')" = \
	"errored LOGIN_FAILED $JID" ] || fail "state: $body"
# an automatic run (a webhook call without Manual=true) is now skipped: no new job
curl -sS -o /dev/null -X POST "${URL}jobs/webhooks/$BAD" -d '{}'
api GET "/jobs/triggers/$BAD/jobs"
[ "$(jq_ j.data.length)" = 1 ] || fail "the automatic run was not skipped: $body"
# a manual one runs
curl -sS -o /dev/null -X POST "${URL}jobs/webhooks/$BAD?Manual=true" -d '{}'
wait_jobs_of "$BAD" 2

# another error: retried once, in the same job (two runs with the same job id), then errored
new_account flaky
new_trigger @webhook ''
launch
wait_job "$JID"
[ "$state/$(jq_ j.data.attributes.error)" = errored/VENDOR_DOWN ] || fail "flaky job: $body"
runs flaky
[ "$(printf '%s' "$runs" | json_get - 'j.length + " " + j.every(r => r.job_id === "konnector/0/'"$JID"'")')" = "2 true" ] ||
	fail "not retried once in the same job: $runs"
ls -d k/.harness/runs/*/jobs/"$JID" k/.harness/runs/*/jobs/"$JID"-2 >/dev/null || fail "a run directory per execution"

# the account is gone: the stack's BadTriggerError, no retry, and the trigger is deleted
new_account ok
new_trigger @webhook ''
api DELETE "/data/io.cozy.accounts/$ACC?rev=$(curl -sS -H "Authorization: Bearer $APP" "${URL}data/io.cozy.accounts/$ACC" | json_get - j._rev)"
expect 200
launch
wait_job "$JID"
[ "$state/$(jq_ j.data.attributes.error)" = "errored/CouchDB(not_found): deleted" ] || fail "missing account: $body"
api GET "/jobs/triggers/$TID"
expect 404

# a trigger for a konnector that is not served
api POST /jobs/triggers -d '{"data":{"attributes":{"type":"@webhook","worker":"konnector","message":{"konnector":"other"}}}}'
expect 201
TID=$(jq_ j.data.id)
launch
wait_job "$JID"
[ "$state/$(jq_ j.data.attributes.error)" = "errored/Application is not installed" ] || fail "not installed: $body"
serve_stop
