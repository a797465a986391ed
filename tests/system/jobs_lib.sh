# Helpers for the test_jobs_*.sh tests (sourced after lib.sh and serve_lib.sh).

# api METHOD PATH [curl args...]: an app-token request (what cozy-client sends); body in $body,
# status in $status, the answer's content type in $ctype.
api() {
	m=$1
	p=$2
	shift 2
	body=$(curl -sS -X "$m" -H "Authorization: Bearer $APP" -H 'Content-Type: application/json' \
		-w '\n%{http_code} %{content_type}' "$@" "$URL${p#/}")
	tail=$(printf '%s' "$body" | tail -n 1)
	status=${tail%% *}
	ctype=${tail#* }
	body=$(printf '%s' "$body" | sed '$d')
}

# jq_ EXPR: evaluate EXPR over the last body (as `j`).
jq_() {
	printf '%s' "$body" | json_get - "$1"
}

# new_account LOGIN: create an io.cozy.accounts doc through /data; sets ACC.
new_account() {
	api POST /data/io.cozy.accounts/ -d "{\"account_type\":\"jobstest\",\"auth\":{\"login\":\"$1\"}}"
	expect 201
	ACC=$(jq_ j.id)
}

# new_trigger TYPE ARGUMENTS [EXTRA-ATTRIBUTES-JSON]: a konnector trigger for $ACC; sets TID.
new_trigger() {
	api POST /jobs/triggers -d "{\"data\":{\"attributes\":{\"type\":\"$1\",\"arguments\":\"$2\",\"worker\":\"konnector\",\
\"message\":{\"account\":\"$ACC\",\"konnector\":\"jobstest\"}${3:+,$3}}}}"
	expect 201 '"type":"io.cozy.triggers"'
	TID=$(jq_ j.data.id)
}

# launch: POST /jobs/triggers/$TID/launch; sets JID.
launch() {
	api POST "/jobs/triggers/$TID/launch"
	expect 201 '"state":"queued"'
	JID=$(jq_ j.data.id)
}

# wait_job ID: poll GET /jobs/ID until it is done or errored, for at most ${JOB_WAIT:-600} tenths
# of a second; the job's JSON:API document is then in $body, its state in $state.
wait_job() {
	n=0
	while :; do
		api GET "/jobs/$1"
		[ "$status" = 200 ] || fail "GET /jobs/$1: $status $body"
		state=$(jq_ j.data.attributes.state)
		case $state in done | errored) return 0 ;; esac
		n=$((n + 1))
		[ "$n" -lt "${JOB_WAIT:-600}" ] || fail "job $1 is still $state"
		# Bounded poll of the job's state, as an app polls it; not a synchronisation by sleeping.
		sleep 0.1 # poll interval
	done
}

# wait_jobs_of TID N: poll GET /jobs/triggers/TID/jobs until N jobs are there and all ended; body: the list.
wait_jobs_of() {
	n=0
	while :; do
		api GET "/jobs/triggers/$1/jobs"
		got=$(jq_ 'j.data.filter(x => x.attributes.state === "done" || x.attributes.state === "errored").length')
		[ "$got" -ge "$2" ] && return 0
		n=$((n + 1))
		[ "$n" -lt "${JOB_WAIT:-600}" ] || fail "trigger $1 has $got ended jobs of $2: $body"
		sleep 0.1 # poll interval
	done
}

# runs [LOGIN]: the konnector's records (com.example.jobstest.runs), as a JSON array in $runs.
runs() {
	api POST /data/com.example.jobstest.runs/_find -d "{\"selector\":{${1:+\"login\":\"$1\"}}}"
	runs=$(jq_ 'j.docs')
}
