# serve as an app's stack: create an account and a konnector trigger, launch it, poll the job
# until it is done; the konnector really ran, with the job's environment (web/jobs/jobs.go).
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"
. "$KH_ROOT/tests/system/jobs_lib.sh"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 0; }
# cron times are local: the expected next runs below are in UTC
export TZ=UTC
cp -R "$KH_ROOT/tests/system/konnectors/jobs" k
serve_start k --permissions enforce
new_account ok

# POST /jobs/triggers: 201, the stack's shape, JSON:API content type
new_trigger @cron '0 0 0 1 1 *'
[ "$ctype" = application/vnd.api+json ] || fail "content type $ctype"
[ "$(jq_ 'Object.keys(j.data.attributes).join(",")')" = \
	_id,_rev,domain,type,worker,arguments,debounce,options,message,cozyMetadata ] || fail "trigger attributes: $body"
[ "$(jq_ 'JSON.stringify(j.data.meta) + " " + j.data.links.self')" = "{} /jobs/triggers/$TID" ] || fail "meta/links: $body"
[ "$(jq_ 'j.data.attributes.cozyMetadata.createdByApp + "/" + j.data.attributes.cozyMetadata.doctypeVersion')" = \
	harness/1 ] || fail "cozyMetadata: $body"
grep -q "trigger $TID (@cron 0 0 0 1 1 \*): next run 2[0-9-]*-01-01T00:00:00" serve.err || fail "no next run: $(cat serve.err)"
# visible through /data, but read-only there
api GET "/data/io.cozy.triggers/$TID"
expect 200 '"worker":"konnector"'

# launch: 201 with the job queued (it never ends inside the request)
launch
[ "$(jq_ 'j.data.attributes.manual_execution + "/" + j.data.attributes.trigger_id + "/" + j.data.attributes.started_at')" = \
	"true/$TID/0001-01-01T00:00:00Z" ] || fail "launched job: $body"
[ "$(jq_ 'j.data.links.self + " " + j.data.meta.rev.slice(0, 2)')" = "/jobs/konnector/$JID 1-" ] || fail "job links: $body"
[ "$(jq_ 'j.data.attributes.message.account')" = "$ACC" ] || fail "job message: $body"
wait_job "$JID"
[ "$state" = done ] || fail "job $state: $body"
[ "$(jq_ 'j.data.attributes.started_at !== "0001-01-01T00:00:00Z" && j.data.attributes.finished_at !== "0001-01-01T00:00:00Z"')" = \
	true ] || fail "times: $body"

# the konnector ran once, with the job's environment
runs ok
[ "$(printf '%s' "$runs" | json_get - 'j.length + " " + j[0].job_id + " " + j[0].trigger_id + " " + j[0].manual')" = \
	"1 konnector/0/$JID $TID true" ] || fail "runs: $runs"

# the trigger's state and its jobs
api GET "/jobs/triggers/$TID"
expect 200
[ "$(jq_ 'j.data.attributes.current_state.status + " " + j.data.attributes.current_state.last_successful_job_id + " " + j.data.attributes.current_state.last_manual_job_id')" = \
	"done $JID $JID" ] || fail "current_state: $body"
api GET "/jobs/triggers?Worker=konnector"
expect 200
[ "$(jq_ 'j.meta.count + " " + j.data[0].id + " " + j.data[0].attributes.current_state.status')" = "1 $TID done" ] ||
	fail "list: $body"
api GET "/jobs/triggers?Worker=service"
[ "$(jq_ j.meta.count)" = 0 ] || fail "Worker filter: $body"
api GET "/jobs/triggers?Type=@webhook"
[ "$(jq_ j.meta.count)" = 0 ] || fail "Type filter: $body"
api GET "/jobs/triggers/$TID/jobs"
[ "$(jq_ 'j.data.length + " " + j.data[0].id')" = "1 $JID" ] || fail "trigger jobs: $body"

# a job without a trigger: POST /jobs/queue/konnector (202)
api POST /jobs/queue/konnector -d "{\"data\":{\"attributes\":{\"arguments\":{\"account\":\"$ACC\",\"konnector\":\"jobstest\"}}}}"
expect 202 '"state":"queued"'
QID=$(jq_ j.data.id)
wait_job "$QID"
[ "$state" = done ] || fail "queued job: $body"
runs ok
[ "$(printf '%s' "$runs" | json_get - 'j.filter(r => r.job_id === "konnector/0/'"$QID"'")[0].trigger_id + "/" + j.length')" = null/2 ] ||
	fail "no COZY_TRIGGER_ID without a trigger: $runs"

# an unknown job is the stack's 500; an unknown trigger a 404
api GET /jobs/nope
expect 500 'jobs: not found'
api POST /jobs/triggers/nope/launch
expect 404 'Trigger with specified ID does not exist'

# the konnector token may not create triggers (no io.cozy.triggers rule), the app token may
req POST /jobs/triggers -d "{\"data\":{\"attributes\":{\"type\":\"@cron\",\"arguments\":\"0 0 0 1 1 *\",\"worker\":\"konnector\",\"message\":{\"konnector\":\"jobstest\"}}}}"
expect 403
# bad arguments and types, in the stack's words
api POST /jobs/triggers -d '{"data":{"attributes":{"type":"@cron","arguments":"0 0 0 1 1","worker":"konnector"}}}'
expect 400 'Trigger unparsable'
api POST /jobs/triggers -d '{"data":{"attributes":{"type":"@sometimes","worker":"konnector"}}}'
expect 422 '/data/attributes/Type'
api POST /jobs/triggers -d '{"data":{"attributes":{"type":"@webhook","worker":"thumbnail"}}}'
expect 403
api POST /jobs/triggers -d '{"attributes":{}}'
expect 400 'JSON input is malformed'

# PATCH: a @cron's arguments (parsed again, rescheduled) and the message
api PATCH "/jobs/triggers/$TID" -d '{"data":{"attributes":{"arguments":"0 30 12 * * *"}}}'
expect 200 '"arguments":"0 30 12 * * *"'
wait_for grep -q "trigger $TID (@cron 0 30 12 \* \* \*): next run .*T12:30:00Z" serve.err
api PATCH "/jobs/triggers/$TID" -d '{"data":{"attributes":{"arguments":"every noon"}}}'
expect 400 'Trigger unparsable'
api PATCH "/jobs/triggers/$TID" -d '{"data":{"attributes":{}}}'
expect 400 'Only arguments and message can be patched'
api GET /jobs/queue/konnector
expect 200 '"count":0'

# DELETE
api DELETE "/jobs/triggers/$TID"
expect 204
api GET "/jobs/triggers/$TID"
expect 404
serve_stop

# each execution has its run directory, as run writes it
rep=$(ls k/.harness/runs/*/jobs/*/report.json | head -n 1)
[ -n "$rep" ] || fail "no run directory for the job: $(find k/.harness -maxdepth 4)"
[ "$(json_get "$rep" j.state)" = done ] || fail "report: $(cat "$rep")"
