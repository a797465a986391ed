# Scheduled triggers: a fixture's @in trigger fires by itself; serve prints when each trigger fires
# next; --fire-now fires time-based triggers at once (model/job/trigger_at.go, trigger_cron.go).
. "$KH_ROOT/tests/system/lib.sh"
. "$KH_ROOT/tests/system/serve_lib.sh"
. "$KH_ROOT/tests/system/jobs_lib.sh"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 0; }
cp -R "$KH_ROOT/tests/system/konnectors/jobs" k
mkdir -p k/fixtures/data/io.cozy.accounts k/fixtures/data/io.cozy.triggers
echo '{"account_type":"jobstest","auth":{"login":"ok"}}' >k/fixtures/data/io.cozy.accounts/acc1.json
echo '{"type":"@in","arguments":"1s","worker":"konnector","message":{"account":"acc1","konnector":"jobstest"}}' \
	>k/fixtures/data/io.cozy.triggers/soon.json
echo '{"type":"@every","arguments":"1h","worker":"konnector","message":{"account":"acc1","konnector":"jobstest"}}' \
	>k/fixtures/data/io.cozy.triggers/hourly.json
serve_start k
grep -q 'trigger soon (@in 1s): next run ' serve.err || fail "no next run for soon: $(cat serve.err)"
grep -q 'trigger hourly (@every 1h): next run ' serve.err || fail "no next run for hourly: $(cat serve.err)"
wait_jobs_of soon 1
[ "$(jq_ 'j.data[0].attributes.state + " " + (j.data[0].attributes.manual_execution || false)')" = "done false" ] ||
	fail "the @in job: $body"
api GET /jobs/triggers/hourly/jobs
[ "$(jq_ j.data.length)" = 0 ] || fail "@every 1h fired early: $body"
serve_stop

# --fire-now: every time-based trigger fires as soon as it is scheduled, then follows its schedule
serve_start k --fire-now
wait_jobs_of hourly 1
ACC=acc1
new_trigger @cron '0 0 0 1 1 *'
wait_jobs_of "$TID" 1
serve_stop
