#!/usr/bin/env bats
# populate end to end: archives on the local S3, the manifest on the
# local DynamoDB, through the programs a user runs.

load helper

setup_file() {
	servers_up
}

teardown_file() {
	servers_down
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT
	# a bucket and a table of the test's own
	B=b$(printf '%s' "$BATS_TEST_NAME" | md5sum | cut -c1-12)
	T=manifest-$B
	jq --arg t "$T" '.data.dynamodbTable = $t' "$DATA/configs/dynamodb-1-0-1.json" |
		jq '.data.awsRegion = "us-east-1"' >cfg.json
}

# archive [RUNS [EVENTS]]: a fresh local archive in ./archive, uploaded to
# s3://$B/enriched/archive/
archive() {
	"$TOP/tools/mkarchive" archive "${1:-3}" "${2:-10}" >runs.txt
	s3_mb "$B"
	s3_put_dir archive "$B/enriched/archive"
}

# expected [SINCE]: the manifest an archive should leave, computed from
# the files: each key with the etlTime of the first run it is in
expected() {
	local run
	for run in archive/run=*; do
		[[ ${run#archive/run=} < ${1:-0} ]] && continue
		for f in "$run"/part-*; do
			case $f in *.gz*) gzip -dc "$f" ;; *) cat "$f" ;; esac
		done | eventcut 2>/dev/null
	done | jq -sc 'reduce .[] as $i ({}; .[$i.eventId + " " + $i.fingerprint] //= $i) | .[]' | sort
}

table() { ddb_scan "$T"; }

# job [ARCHIVE-GLOB]: the job's folder in populate-logs (table $T)
job() { echo populate-logs/"$T".????????; }
# done_runs: the runs the job's state records
done_runs() { cat populate-logs/"$T".*.state 2>/dev/null | grep -c '^run=' || true; }
# created: the two lines that say the table was made (dynalite has no TTL)
created() {
	echo "populate: table $T: created"
	echo "dynaput: warning: table $T: TTL on ttl not enabled: UnknownOperationException"
}

@test "an archive on S3 fills the manifest: earliest etl_tstamp of a duplicate kept" {
	archive 3 10
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$(table)" "$(expected)"
	# the run after the first repeats events of the one before
	[ "$(expected | wc -l)" -eq 18 ]
	J=$(job)
	assert_equal "$stderr" "$(created)
populate: runs to read older than the 180-day lifespan, whose items expire at once: 3 of 3 (--ttl-from now keeps them)
populate: 3 of 3 runs read; state $J.state
populate: 36 events: 18 written, 12 already present, 6 bad rows (in $J/bad-rows), 0 not written
populate: items past the 180-day lifespan, which expire at once: 30 (--ttl-from now keeps them)"
	[ "$(cat "$J"/bad-rows/*.jsonl | wc -l)" -eq 6 ]
}

@test "s3a://, s3n://, no final slash and a local folder are the same archive" {
	archive 2 6
	populate s3a://$B/enriched/archive cfg.json 2>/dev/null
	assert_equal "$(table)" "$(expected)"
	for a in "s3n://$B/enriched/archive/" "s3://$B/enriched/archive" archive; do
		rm -rf populate-logs
		run -0 --separate-stderr populate "$a" cfg.json
		assert_equal "$(table)" "$(expected)"
		# the first run's items are written again as they were (same
		# etlTime); the second run repeats all six of them
		[[ $stderr == *"populate: 2 of 2 runs read; state"* ]] || { echo "$stderr"; false; }
		[[ $stderr == *"populate: 16 events: 6 written, 6 already present,"* ]] || { echo "$stderr"; false; }
	done
}

@test "every object in a run folder is read, whatever its name, but _ and . ones" {
	archive 1 6
	r=$(ls -d archive/run=*)
	cp "$r/part-00001" "$r/stream-enrich-output.tsv"
	sed -n 1p "$DATA/enriched-samples.tsv" >"$r/_SUCCESS"
	sed -n 1p "$DATA/enriched-samples.tsv" >"$r/.hidden"
	s3_put_dir archive "$B/enriched/archive"
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 1 of 1 runs read;"* ]]
	[[ $stderr == *"populate: 12 events: 9 written,"* ]]
	refute [ "$(table | grep -c 1799a90f-f570-4414-b91a-b0db8f39cc2e)" -gt 0 ]
}

@test "--since keeps the runs at or after it, the boundary included" {
	archive 3 6
	second=$(sed -n 2p runs.txt | cut -f1)
	second=${second#run=}
	run -0 --separate-stderr populate --since "$second" s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 2 of 2 runs read;"* ]]
	assert_equal "$(table)" "$(expected "$second")"
	run -0 --separate-stderr populate --since "${second:0:10}" --state s2 s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 2 of 2 runs read;"* ]]
	run -1 --separate-stderr populate --since 2030-01-01 --state s3 s3://$B/enriched/archive/ cfg.json
	assert_equal "${stderr_lines[-1]}" "populate: no run folder (run=YYYY-MM-dd-HH-mm-ss) right below s3://$B/enriched/archive/ at or after 2030-01-01: nothing to read"
	[ ! -e s3 ]
}

@test "a mistyped prefix or a bucket root: no run found, exit 1, no table made, no state written" {
	archive 2 4
	run -1 --separate-stderr populate s3://$B/enriched/archve/ cfg.json
	assert_equal "$stderr" "populate: no run folder (run=YYYY-MM-dd-HH-mm-ss) right below s3://$B/enriched/archve/: nothing to read"
	# the bucket's root: run folders two levels down are not its own
	s3_put_dir archive "$B/shredded/archive"
	run -1 --separate-stderr populate s3://$B/ cfg.json
	J=$(job)
	assert_equal "${stderr_lines[0]}" "populate: $(($(find archive -type f ! -name '_*' | wc -l) * 2)) objects are not in run= folders right below s3://$B/ at or after the first run: not read (listed in $J/outside-runs.txt)"
	grep -qx "s3://$B/shredded/archive/run=2017-03-01-10-00-00/part-00000.gz" "$J/outside-runs.txt"
	[ ! -e "$J.state" ]
	run ddb DescribeTable "{\"TableName\":\"$T\"}"
	assert_output --partial ResourceNotFoundException
	# and then the right path works at once
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$(table)" "$(expected)"
}

@test "one run id in two folders: the archive's own run is read whole, the other is set aside, none is lost" {
	"$TOP/tools/mkarchive" archive 2 6 >runs.txt
	r=$(ls archive | head -n 1)
	mkdir -p archive/copy
	cp -r "archive/$r" archive/copy/
	# one more object in the run, after the copy in listing order
	cp "archive/$r/part-00001" "archive/$r/zz-part"
	run -0 --separate-stderr populate --dry-run archive cfg.json
	assert_line "$r: 3 objects, to read"
	assert_line "  archive/$r/zz-part"
	assert_line "  archive/$r/part-00001"
	assert_line "  archive/copy/$r/part-00001"
	run -0 --separate-stderr populate archive cfg.json
	[[ $stderr == *"objects are not in run= folders right below archive/"* ]]
	assert_equal "$(grep -c "^archive/copy/$r/" "$(job)"/outside-runs.txt)" "$(ls "archive/copy/$r" | grep -vc '^_')"
	rm -rf archive/copy
	assert_equal "$(table)" "$(expected)"
	[[ $stderr == *"populate: 2 of 2 runs read;"* ]]
}

@test "items already in the table are kept; a rerun changes nothing" {
	archive 2 6
	ddb_mk "$T"
	id=$(eventcut archive/run=*/part-00001 2>/dev/null | head -n 1)
	ddb PutItem "$(jq -c --arg t "$T" '{TableName: $t, Item: {eventId: {S: .eventId},
		fingerprint: {S: .fingerprint}, etlTime: {N: "1000"}, ttl: {N: "2000"}}}' <<<"$id")" >/dev/null
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	# one item was there with another etlTime; the second run repeats
	# all six of the first
	[[ $stderr == *"16 events: 5 written, 7 already present"* ]] || { echo "$stderr"; false; }
	k=$(jq -r '.eventId' <<<"$id")
	run -0 jq -c 'select(.etlTime == 1000)' <(table)
	assert_output --partial "$k"
	before=$(table)
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 0 of 2 runs read, 2 done before; state $(job).state"* ]]
	assert_equal "$(table)" "$before"
	# without the state: every item is written again as it was, or present
	run -0 --separate-stderr populate --state other.state s3://$B/enriched/archive/ cfg.json
	assert_equal "$(table)" "$before"
}

@test "killed with -9 in the middle, a rerun resumes and ends with the same table" {
	archive 6 40
	# the uninterrupted result, in a table of its own
	jq '.data.dynamodbTable += "-whole"' cfg.json >whole.json
	populate --state whole.state s3://$B/enriched/archive/ whole.json 2>/dev/null
	T0=$T-whole
	want=$(ddb_scan "$T0")
	# slow the writes down so the kill lands mid-way
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 20}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY setsid populate s3://$B/enriched/archive/ cfg.json 2>err 3>&- &
	pid=$!
	for _ in $(seq 200); do
		[ "$(done_runs)" -ge 2 ] && break
		sleep 0.05
	done
	kill -9 -- -"$pid"
	wait "$pid" || true
	n=$(done_runs)
	[ "$n" -ge 2 ] && [ "$n" -lt 6 ]
	# the same job: the endpoint is part of it
	proxy_rules '[]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	proxy_down
	[[ $stderr == *", $n done before;"* ]] || { echo "$stderr"; cat populate-logs/*.state; false; }
	assert_equal "$(table)" "$want"
}

@test "SIGTERM or SIGINT mid-run: the summary, exit 143 or 130, and a rerun finishes the job" {
	archive 4 40
	jq '.data.dynamodbTable += "-whole"' cfg.json >whole.json
	populate --state whole.state s3://$B/enriched/archive/ whole.json 2>/dev/null
	want=$(ddb_scan "$T-whole")
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 20}]'
	for sig in TERM INT; do
		rm -rf populate-logs
		# perl: a background job starts with SIGINT ignored, as a
		# terminal's Ctrl-C would not find it; --ddb-jobs 4: a run of 40
		# takes 200 ms or more (dynaput's own window writes it at once)
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
			populate --ddb-jobs 4 s3://$B/enriched/archive/ cfg.json 2>err 3>&- &
		pid=$!
		for _ in $(seq 200); do
			[ "$(done_runs)" -ge 1 ] && break
			sleep 0.05
		done
		sleep 0.2
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		if [ "$sig" = TERM ]; then want_rc=143; else want_rc=130; fi
		[ "$rc" -eq "$want_rc" ] || { cat err; false; }
		grep -q "^populate: [0-9] of 4 runs read" err
		[ "$(done_runs)" -lt 4 ]
	done
	proxy_down
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$(table)" "$want"
}

@test "a missing table: created, or exit 3 with --no-create" {
	archive 1 4
	run -3 --separate-stderr populate --no-create s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"$T"* ]]
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[ -n "$(table)" ]
}

@test "--dry-run names the table, the runs and the objects, and writes nothing" {
	archive 2 4
	run -0 --separate-stderr populate --dry-run s3://$B/enriched/archive/ cfg.json
	assert_line "table $T in us-east-1 (keys from the storage config): missing, populate would create it"
	assert_line "run=2017-03-01-10-00-00: 2 objects, to read"
	assert_line "  s3://$B/enriched/archive/run=2017-03-01-10-00-00/part-00000.gz"
	refute_output --partial _SUCCESS
	[ ! -e populate-logs ]
	run ddb DescribeTable "{\"TableName\":\"$T\"}"
	assert_output --partial ResourceNotFoundException
}

@test "--ttl-from now keeps old events for the lifespan from today" {
	archive 1 4
	now=$(date +%s)
	run -0 --separate-stderr populate --ttl-days 30 --ttl-from now s3://$B/enriched/archive/ cfg.json
	run -0 jq -s 'map(.ttl) | min' <(table)
	[ "$output" -ge $((now + 30 * 86400)) ]
	[ "$output" -le $((now + 30 * 86400 + 120)) ]
}

@test "old runs with the original's ttl rule get a warning" {
	archive 1 4
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "${stderr_lines[2]}" "populate: runs to read older than the 180-day lifespan, whose items expire at once: 1 of 1 (--ttl-from now keeps them)"
	assert_equal "${stderr_lines[-1]}" "populate: items past the 180-day lifespan, which expire at once: 4 (--ttl-from now keeps them)"
}

@test "a 2-0-0 config with auth null writes with the default credential chain" {
	archive 1 4
	jq --arg t "$T" '.data.dynamodbTable = $t' "$DATA/configs/dynamodb-2-0-0-chain.json" >chain.json
	run -0 --separate-stderr populate s3://$B/enriched/archive/ chain.json
	assert_equal "$(table)" "$(expected)"
}

@test "the storage config's secret never shows, on a command line or in a message" {
	archive 2 20
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 30}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY populate s3://$B/enriched/archive/ cfg.json >out 2>err &
	pid=$!
	seen=0
	while kill -0 "$pid" 2>/dev/null; do
		! grep -qs 'secret-1-0-1-do-not-[p]rint' /proc/[0-9]*/cmdline || seen=1
		sleep 0.05
	done
	wait "$pid"
	proxy_down
	[ "$seen" -eq 0 ]
	! grep -r secret-1-0-1-do-not-print out err populate-logs
}

@test "credentials from the environment, the files, credential_process or a container: no secret or token in any output or log" {
	"$TOP/tools/mkarchive" archive 2 10 >/dev/null
	# bad rows hold whole events: a bad one in each run's log
	for r in archive/run=*; do printf 'not an event\n' >>"$r/part-00000"; done
	jq --arg t "$T" '.data.dynamodbTable = $t' "$DATA/configs/dynamodb-2-0-0-chain.json" >chain.json
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/.aws"
	for src in environment files process container; do
		rm -rf populate-logs "$HOME/.aws"/*
		case $src in
		environment)
			env=(AWS_ACCESS_KEY_ID=ASIAENVEXAMPLE AWS_SECRET_ACCESS_KEY=env/s3kr1tKEY
				AWS_SESSION_TOKEN=env/s3kr1tTOKEN) ;;
		files)
			env=()
			printf '[default]\naws_access_key_id = ASIAFILEEXAMPLE\naws_secret_access_key = file/s3kr1tKEY\naws_session_token = file/s3kr1tTOKEN\n' \
				>"$HOME/.aws/credentials" ;;
		process)
			env=(AWS_CONFIG_FILE=$HOME/.aws/config)
			printf '[default]\ncredential_process = %s/good.sh\n' "$DATA/creds" >"$HOME/.aws/config" ;;
		container)
			node "$TOP/tests/servers/container.js" --ready port --log container.log 3>&- &
			cpid=$!
			for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
			env=(AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$(cat port)/v2/credentials/task) ;;
		esac
		run -0 --separate-stderr env AWS_SHARED_CREDENTIALS_FILE="$HOME/.aws/credentials" "${env[@]}" \
			populate -v archive chain.json
		[ -z "${cpid:-}" ] || { kill "$cpid"; wait "$cpid" || :; }
		case $src in files) src="credentials file" ;; process) src=credential_process ;; esac
		[[ $stderr == *"credentials from $src"* ]] || fail "$src: $stderr"
		[ "$(ls "$(job)"/bad-rows | wc -l)" -eq 2 ]
		! grep -r s3kr1t - populate-logs <<<"$output$stderr" || fail "$src: a secret written"
	done
}

@test "an unreachable endpoint fails with a clear message, without hanging" {
	archive 1 4
	port=$(node "$TOP/tests/servers/freeport.js")
	SECONDS=0
	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$port run --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[ "$status" -ne 0 ]
	[ "$SECONDS" -lt 60 ]
	[[ $stderr == *"http://127.0.0.1:$port/: Couldn't connect to server (retried 10 times over "* ]]
	AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port run --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[ "$status" -ne 0 ]
	assert_equal "${stderr_lines[-1]}" "populate: s3://$B/enriched/archive/: cannot list it"
}

@test "a missing bucket exits 3" {
	run -3 --separate-stderr populate s3://nobucket-$B/enriched/archive/ cfg.json
	[[ $stderr == *NoSuchBucket* ]]
}

# adds_up STDERR: the summary's events are its written, already present,
# bad rows and not written, added up
adds_up() {
	local re='populate: ([0-9]+) events: ([0-9]+) written, ([0-9]+) already present, ([0-9]+) bad rows[^,]*, ([0-9]+) not written'
	[[ $1 =~ $re ]] || { echo "no summary in: $1"; return 1; }
	[ "${BASH_REMATCH[1]}" -eq $((BASH_REMATCH[2] + BASH_REMATCH[3] + BASH_REMATCH[4] + BASH_REMATCH[5])) ] ||
		{ echo "does not add up: ${BASH_REMATCH[0]}"; return 1; }
}
# written STDERR: the summary's items written
written() { [[ $1 =~ events:\ ([0-9]+)\ written ]] && echo "${BASH_REMATCH[1]}"; }
# ours_only STDERR: every line is a program's message, prog: context: reason
ours_only() {
	! grep -vE '^(populate|s3cat|eventcut|dynaput|sincefilter): ' <<<"$1"
}
# no_stage_left: no stage of this test's table still runs
no_stage_left() { ! pgrep -f -- "-t $T( |$)" >/dev/null; }
# denied N: PutItem refused as AccessDenied after the first N
denied() {
	proxy_rules "[{\"match\": {\"target\": \"PutItem\"}, \"action\": \"status\", \"status\": 400, \"skip\": $1,
		\"body\": \"{\\\"__type\\\":\\\"com.amazon.coral.service#AccessDeniedException\\\",\\\"message\\\":\\\"denied\\\"}\"}]"
}

@test "dynaput refused while s3cat still streams: exit 3, dynaput's status, never s3cat's SIGPIPE" {
	"$TOP/tools/mkarchive" src 1 20 >/dev/null
	r=$(ls src)
	mkdir -p "archive/$r"
	for _ in $(seq 2000); do cat "src/$r/part-00001"; done >"archive/$r/part-00001"
	proxy_up "$DDB_ENDPOINT"
	denied 50
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -3 --separate-stderr populate archive cfg.json
	proxy_down
	[[ $stderr == *"dynaput: table $T: AccessDeniedException: denied"* ]]
	# a configuration error or a refusal: no "a rerun resumes here"
	assert_equal "$(grep '^populate: run=' <<<"$stderr")" "populate: $r: not finished (exit 3)"
	assert_equal "$(grep ' runs read' <<<"$stderr")" "populate: 0 of 1 runs read; state $(job).state"
	adds_up "$stderr"
	ours_only "$stderr"
	[ "$(done_runs)" -eq 0 ]
}

@test "the table's key is checked before the first run, and by --dry-run: exit 2, nothing read or written" {
	archive 1 4
	ddb CreateTable "$(jq -cn --arg t "$T" '{TableName: $t, BillingMode: "PAY_PER_REQUEST",
		AttributeDefinitions: [{AttributeName: "id", AttributeType: "S"}],
		KeySchema: [{AttributeName: "id", KeyType: "HASH"}]}')" >/dev/null
	want="dynaput: table $T: its key is (id HASH), --manifest needs (eventId HASH, fingerprint RANGE)
populate: table $T in us-east-1: cannot write to it"
	run -2 --separate-stderr populate --dry-run s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "$want"
	assert_output ''
	run -2 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "$want"
	[ ! -e populate-logs ]
}

@test "the table's key types are checked before the first run, and by --dry-run" {
	archive 1 4
	ddb CreateTable "$(jq -cn --arg t "$T" '{TableName: $t, BillingMode: "PAY_PER_REQUEST",
		AttributeDefinitions: [{AttributeName: "eventId", AttributeType: "N"},
			{AttributeName: "fingerprint", AttributeType: "S"}],
		KeySchema: [{AttributeName: "eventId", KeyType: "HASH"},
			{AttributeName: "fingerprint", KeyType: "RANGE"}]}')" >/dev/null
	want="dynaput: table $T: its key eventId is a number (N), --manifest needs strings (S), as the Shred step writes them
populate: table $T in us-east-1: cannot write to it"
	run -2 --separate-stderr populate --dry-run s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "$want"
	run -2 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "$want"
	[ ! -e populate-logs ]
}

@test "a failed run: a rerun resumes there, or --skip-failed lists it and goes on (exit 1)" {
	"$TOP/tools/mkarchive" archive 3 6 >runs.txt
	r2=$(sed -n 2p runs.txt | cut -f1)
	# an object that is not valid gzip blocks its run, every time
	printf '\037\213garbage' >"archive/$r2/part-00002.gz"
	run -1 --separate-stderr populate archive cfg.json
	J=$(job)
	[[ $stderr == *"s3cat: archive/$r2/part-00002.gz: gzip: unknown compression method"* ]]
	assert_equal "$(grep '^populate: run=' <<<"$stderr")" "populate: $r2: not finished (exit 1); a rerun resumes here (--skip-failed passes over it)"
	assert_equal "$(grep ' runs read' <<<"$stderr")" "populate: 1 of 3 runs read; state $J.state"
	adds_up "$stderr"
	run -1 --separate-stderr populate --skip-failed archive cfg.json
	assert_equal "$(grep '^populate: run=' <<<"$stderr")" "populate: $r2: not finished (exit 1): passed over (--skip-failed), listed in $J/failed-runs.txt"
	assert_equal "$(grep ' runs read' <<<"$stderr")" "populate: 1 of 3 runs read, 1 done before, 1 failed (listed in $J/failed-runs.txt); state $J.state"
	adds_up "$stderr"
	assert_equal "$(cat "$J/failed-runs.txt")" "$r2"
	[ "$(done_runs)" -eq 2 ]
	# mended, the failed run is read by the next populate: it is not in the state
	rm "archive/$r2/part-00002.gz"
	run -0 --separate-stderr populate archive cfg.json
	assert_equal "$(grep ' runs read' <<<"$stderr")" "populate: 1 of 3 runs read, 2 done before; state $J.state"
	[ "$(done_runs)" -eq 3 ]
}

@test "SIGTERM and SIGINT: populate waits for dynaput, the numbers add up, the runs read are the runs finished" {
	archive 4 300
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 20}]'
	for sig in TERM INT; do
		jq --arg s "$sig" '.data.dynamodbTable += "-" + $s' cfg.json >"$sig.json"
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
			populate s3://$B/enriched/archive/ "$sig.json" 2>err 3>&- &
		pid=$!
		for _ in $(seq 400); do
			[ "$(cat populate-logs/"$T-$sig".*.state 2>/dev/null | grep -c '^run=')" -ge 1 ] && break
			sleep 0.05
		done
		sleep 0.3
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		want=143 && [ "$sig" = TERM ] || want=130
		[ "$rc" -eq "$want" ] || { cat err; false; }
		stderr=$(cat err)
		! pgrep -f -- "-t $T-$sig( |$)" >/dev/null
		adds_up "$stderr"
		ours_only "$stderr"
		n=$(grep -c '^run=' populate-logs/"$T-$sig".*.state)
		[ "$n" -lt 4 ]
		[[ $stderr == *"populate: $n of 4 runs read, interrupted at run="* ]] || { echo "$stderr"; false; }
		# every item it says it wrote is in the table, and no more
		assert_equal "$(ddb_scan "$T-$sig" | wc -l)" "$(written "$stderr")"
	done
	proxy_down
}

@test "on a terminal: one live progress line, the table's credentials, and Ctrl-C stops it after what was read is written" {
	archive 4 300
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 20}]'
	mkfifo keys
	# perl: bats runs a test with SIGINT ignored, which a terminal's
	# Ctrl-C would then not reach
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
		script -qec "populate s3://$B/enriched/archive/ cfg.json; echo rc=\$?" \
		/dev/null <keys >tty.out 3>&- &
	pid=$!
	exec 4>keys
	for _ in $(seq 400); do
		grep -q 'populate: 1 of 4 runs, ' tty.out && break
		sleep 0.05
	done
	printf '\003' >&4
	wait "$pid" || { tr -d '\r' <tty.out; false; }
	exec 4>&-
	proxy_down
	out=$(tr -d '\r' <tty.out)
	[[ $out == *"populate: table $T (eventId HASH, fingerprint RANGE) at $PROXY/, credentials from the storage config"* ]] || { echo "$out"; false; }
	[[ $out == *$'\e[Kpopulate: 1 of 4 runs, 302 events, '*' items/s, ETA '* ]] || { echo "$out"; false; }
	[[ $out != *"run 1 of"* ]]
	[[ $out == *"rc=130" ]] || { echo "$out"; false; }
	no_stage_left
	adds_up "$out"
	assert_equal "$(table | wc -l)" "$(written "$out")"
}

@test "on a terminal, a slow listing shows its progress" {
	archive 2 4
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match": {"method": "GET", "path": "list-type"}, "action": "delay", "ms": 1500}]'
	AWS_ENDPOINT_URL_S3=$PROXY script -qec "populate -n s3://$B/enriched/archive/ cfg.json" /dev/null >tty.out </dev/null 3>&-
	proxy_down
	grep -q "populate: listing s3://$B/enriched/archive/: [0-9]* objects" tty.out
}

@test "two tables from one archive share a log folder: each job its own state, bad rows and failed items" {
	archive 2 6
	jq '.data.dynamodbTable += "-b"' cfg.json >b.json
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	run -0 --separate-stderr populate s3://$B/enriched/archive/ b.json
	[[ $stderr == *"populate: 2 of 2 runs read; state populate-logs/$T-b."*".state"* ]]
	for t in "$T" "$T-b"; do
		assert_equal "$(ls populate-logs/"$t".*/bad-rows | wc -l)" 2
		assert_equal "$(cat populate-logs/"$t".*/bad-rows/*.jsonl | wc -l)" 4
		assert_equal "$(grep -c '^run=' populate-logs/"$t".*.state)" 2
	done
	assert_equal "$(ddb_scan "$T-b")" "$(table)"
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 0 of 2 runs read, 2 done before; state $(job).state"* ]]
	# the files are their owner's alone
	assert_equal "$(stat -c %a populate-logs "$(job)" "$(job)/bad-rows")" "$(printf '700\n700\n700')"
	assert_equal "$(stat -c %a "$(job).state" "$(job)"/bad-rows/* | sort -u)" 600
}

@test "the lifespan: runs whose items would expire at once are said before anything is written, and by --dry-run" {
	now=$(date +%s)
	id=$(date -u -d "@$((now - 10 * 86400))" +%Y-%m-%d-%H-%M-%S)
	mkdir -p "archive/run=$id"
	ev 3="$(date -u -d "@$((now - 10 * 86400))" +%Y-%m-%d_%H:%M:%S.000)" >"archive/run=$id/part-00000"
	run -0 --separate-stderr populate --dry-run --ttl-days 20 archive cfg.json
	assert_equal "$stderr" ''
	run -0 --separate-stderr populate --dry-run --ttl-days 5 archive cfg.json
	assert_equal "$stderr" "populate: runs to read older than the 5-day lifespan, whose items expire at once: 1 of 1 (--ttl-from now keeps them)"
	# said before the first write, even when that fails
	proxy_up "$DDB_ENDPOINT"
	denied 0
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -3 --separate-stderr populate --ttl-days 5 archive cfg.json
	[[ $stderr == *"populate: runs to read older than the 5-day lifespan, whose items expire at once: 1 of 1 (--ttl-from now keeps them)"* ]]
	# and eventcut's count confirms it after the run
	proxy_rules '[]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -0 --separate-stderr populate --ttl-days 5 archive cfg.json
	proxy_down
	assert_equal "${stderr_lines[-1]}" "populate: items past the 5-day lifespan, which expire at once: 1 (--ttl-from now keeps them)"
}

@test "a run costs three processes: s3cat, eventcut, dynaput" {
	command -v strace >/dev/null || skip "no strace"
	line=$(sed -n 1p "$DATA/enriched-samples.tsv")
	for n in 4 12; do
		for i in $(seq "$n"); do
			mkdir -p "a$n/run=2017-01-01-00-00-$((10 + i))"
			printf '%s\n' "$line" >"a$n/run=2017-01-01-00-00-$((10 + i))/p"
		done
		populate --ttl-days 0 "a$n" cfg.json 2>/dev/null
		rm -rf populate-logs
		strace -f -qq -e trace=execve -e status=successful -o "trace$n" populate --ttl-days 0 "a$n" cfg.json 2>/dev/null
	done
	assert_equal $(($(grep -c execve trace12) - $(grep -c execve trace4))) $((3 * 8))
}

@test "the state is a cache of the table: a table deleted and made anew gets every run again" {
	archive 3 10
	run -0 populate s3://$B/enriched/archive/ cfg.json
	want=$(table)
	J=$(job)
	ddb DeleteTable "{\"TableName\":\"$T\"}" >/dev/null
	until ddb DescribeTable "{\"TableName\":\"$T\"}" | grep -q ResourceNotFoundException; do sleep 0.1; done
	# --dry-run says it, and does not make the table
	run -0 --separate-stderr populate --dry-run s3://$B/enriched/archive/ cfg.json
	assert_line -n 0 "table $T in us-east-1 (keys from the storage config): missing, populate would create it"
	assert_line -n 1 "run=2017-03-01-10-00-00: 2 objects, to read"
	assert_equal "${stderr_lines[0]}" "populate: state file $J.state: 3 runs recorded as done, but table $T is new: the state starts again and every run is read"
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "$(created)
populate: state file $J.state: 3 runs recorded as done, but table $T is new: the state starts again and every run is read
populate: runs to read older than the 180-day lifespan, whose items expire at once: 3 of 3 (--ttl-from now keeps them)
populate: 3 of 3 runs read; state $J.state
populate: 36 events: 18 written, 12 already present, 6 bad rows (in $J/bad-rows), 0 not written
populate: items past the 180-day lifespan, which expire at once: 30 (--ttl-from now keeps them)"
	assert_equal "$(table)" "$want"
}

@test "the state: --dry-run shows what it skips; a line cut short, another version, job or lifespan are each said" {
	archive 3 4
	second=$(sed -n 2p runs.txt | cut -f1)
	run -0 populate --since "${second#run=}" s3://$B/enriched/archive/ cfg.json
	J=$(job) S=$(job).state
	run -0 --separate-stderr populate --dry-run s3://$B/enriched/archive/ cfg.json
	assert_line "run=2017-03-01-10-00-00: 2 objects, to read"
	assert_line "run=2017-03-02-11-00-00: 2 objects, done (in the state): skipped"
	assert_line "run=2017-03-03-12-00-00: 2 objects, done (in the state): skipped"
	assert_line "1 of 3 runs to read, 2 objects; 2 done before (state $S)"
	refute_line "  s3://$B/enriched/archive/run=2017-03-02-11-00-00/part-00001"
	# the last line cut short, as a crash in the middle of a write leaves it
	head -c -6 "$S" >cut && cat cut >"$S"
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "${stderr_lines[0]}" "populate: state file $S: line 3 is not a finished run (run=2017-03-03-12-): that run is read again"
	[[ $stderr == *"populate: 2 of 3 runs read, 1 done before; state $S"* ]]
	run -0 grep -vc "^run=[0-9-]*$" "$S"
	assert_output 1
	# another lifespan, another job, another version, not a state
	run -2 --separate-stderr populate --ttl-from now s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "populate: state file $S: its runs were written with ttl-days=180 ttl-from=etl, not ttl-days=180 ttl-from=now: give those, or --restart to write every run again"
	jq '.data.dynamodbTable += "-b"' cfg.json >b.json
	run -2 --separate-stderr populate --state "$S" s3://$B/enriched/archive/ b.json
	assert_equal "$stderr" "populate: state file $S: the state of another job ($(sed -n '1s/^# populate state 2: //p' "$S")); give another --state"
	printf '# populate state: archive=s3://%s/enriched/archive/ table=%s region=us-east-1\nrun=2017-03-01-10-00-00\n' "$B" "$T" >v1.state
	run -2 --separate-stderr populate --state v1.state s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "populate: state file v1.state: written by another version of populate; --restart starts it again"
	echo hello >x.state
	run -2 --separate-stderr populate --state x.state s3://$B/enriched/archive/ cfg.json
	assert_equal "$stderr" "populate: state file x.state: not a populate state; give another --state"
	[ "$(cat x.state)" = hello ]
	# --restart forgets it on purpose
	run -0 --separate-stderr populate --restart --ttl-from now s3://$B/enriched/archive/ cfg.json
	assert_equal "${stderr_lines[0]}" "populate: state file $S: forgotten (--restart): every run is read"
	[[ $stderr == *"populate: 3 of 3 runs read; state $S"* ]]
	assert_equal "$(head -n 1 "$S")" "# populate state 2: archive=s3://$B/enriched/archive/ table=$T region=us-east-1 endpoint=$DDB_ENDPOINT ttl-days=180 ttl-from=now"
}

@test "kill -9 at any moment leaves a state a rerun can trust" {
	for i in $(seq 30); do
		mkdir -p "archive/run=2017-01-01-00-00-$((10 + i))"
		ev 7="$(printf '%08d-0000-4000-8000-000000000000' "$i")" >"archive/run=2017-01-01-00-00-$((10 + i))/p"
	done
	jq '.data.dynamodbTable += "-whole"' cfg.json >whole.json
	populate --ttl-days 0 --state whole.state archive whole.json 2>/dev/null
	want=$(ddb_scan "$T-whole")
	for d in 0.3 0.6 0.9 1.2 1.5 1.8; do
		setsid populate --ttl-days 0 archive cfg.json 2>/dev/null 3>&- &
		pid=$!
		sleep "$d"
		kill -9 -- -"$pid" 2>/dev/null || true
		wait "$pid" || true
		# every line whole: the header, then run=ID lines
		[ ! -e "$(job).state" ] || ! grep -vxE '# populate state 2: .*|run=[0-9-]{19}' "$(job).state"
	done
	run -0 --separate-stderr populate --ttl-days 0 archive cfg.json
	assert_equal "$(table)" "$want"
	assert_equal "$(grep -c '^run=' "$(job).state")" 30
}

@test "an archive path that starts with - reaches s3cat after --" {
	"$TOP/tools/mkarchive" ./-arch 1 4 >/dev/null
	run -0 --separate-stderr populate -- -arch cfg.json
	[[ $stderr == *"populate: 1 of 1 runs read;"* ]]
	assert_equal "$(table | wc -l)" 4
}

@test "a second signal stops the writes too: what was read and not sent is listed in failed/, and the numbers add up" {
	"$TOP/tools/mkarchive" archive 1 3000 >/dev/null
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 50}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY populate archive cfg.json 2>err 3>&- &
	pid=$!
	until [ "$(proxy_stats | jq '.faults.delay // 0')" -ge 50 ]; do sleep 0.05; done
	kill -TERM "$pid"
	sleep 0.3
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	proxy_down
	[ "$rc" -eq 143 ] || { cat err; false; }
	stderr=$(cat err)
	no_stage_left
	adds_up "$stderr"
	ours_only "$stderr"
	[[ $stderr == *"populate: 0 of 1 runs read, interrupted at run=2017-03-01-10-00-00 (a rerun resumes there); state $(job).state"* ]]
	# the items not written are there to write again
	nw=$([[ $stderr =~ ([0-9]+)\ not\ written ]] && echo "${BASH_REMATCH[1]}")
	[ "$nw" -gt 0 ]
	# not sent, or cut off in flight by the second signal
	jq -r '.errors[0].message' "$(job)"/failed/*.jsonl >why
	assert_equal "$(wc -l <why)" "$nw"
	assert_equal "$(grep -cvx 'interrupted: not sent\|interrupted: the write was not confirmed' why)" 0
	grep -qx 'interrupted: not sent' why
	# a write cut off in flight may or may not have reached the table
	n=$(table | wc -l) w=$(written "$stderr")
	[ "$n" -ge "$w" ] && [ "$n" -le $((w + $(grep -c 'not confirmed' why || true))) ]
}

@test "-v: the table and where its credentials come from, and a line for each run" {
	archive 2 4
	run -0 --separate-stderr populate -v s3://$B/enriched/archive/ cfg.json
	assert_equal "${stderr_lines[2]}" "populate: table $T (eventId HASH, fingerprint RANGE) at $DDB_ENDPOINT/, credentials from the storage config"
	assert_equal "$(grep '^populate: run=' <<<"$stderr")" "populate: run=2017-03-01-10-00-00: 6 events: 4 written, 0 already present, 2 bad rows, 0 not written
populate: run=2017-03-02-11-00-00: 6 events: 0 written, 4 already present, 2 bad rows, 0 not written"
	# a file named like a run, right below the archive, is not a run
	cp -r archive plain
	printf 'x\n' >plain/run=2017-03-09-10-00-00
	run -0 --separate-stderr populate --dry-run plain cfg.json
	refute_line --partial "run=2017-03-09-10-00-00:"
	assert_line "outside the runs, not read:"
	assert_line "  plain/run=2017-03-09-10-00-00"
}

@test "the archive is read in its bucket's region, the table written in the storage config's awsRegion" {
	archive 2 4
	# the bucket answers as S3 does from eu-west-1; the table is in
	# eu-central-1 (dynalite takes any region)
	jq '.data.awsRegion = "eu-central-1"' cfg.json >cfg-eu.json
	proxy_up "$S3_ENDPOINT"
	proxy_rules "[{\"match\":{\"path\":\"^/$B\",\"header\":{\"authorization\":\"/(us-east-1|eu-central-1)/\"}},
		\"action\":\"status\",\"status\":301,\"headers\":{\"x-amz-bucket-region\":\"eu-west-1\"},
		\"body\":\"<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>\"}]"
	AWS_ENDPOINT_URL_S3=$PROXY run -0 --separate-stderr populate --dry-run s3://$B/enriched/archive/ cfg-eu.json
	assert_line "table $T in eu-central-1 (keys from the storage config): missing, populate would create it"
	assert_line "run=2017-03-01-10-00-00: 2 objects, to read"
	AWS_ENDPOINT_URL_S3=$PROXY run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg-eu.json
	assert_equal "$(table)" "$(expected)"
	# no S3 request was signed for the table's region; each s3cat found
	# the bucket's once
	proxy_stats | jq -r '.log[] | "\(.region) \(.fault)"' | sort | uniq -c | awk '{ print $2, $3, $1 }' >regions
	# (the dry run's listing; the run's listing and its two runs)
	assert_equal "$(grep -v '^eu-west-1 null ' regions)" "us-east-1 status 4"
	proxy_down
}

# s3job: the job's folder under s3://$B/logs (its state is that, .state)
s3job() { s3cat -l "s3://$B/logs/" | sed -n 's|\.state$||p'; }

@test "--log-path s3://: the state and each run's bad rows in S3, nothing here; a rerun skips the runs done" {
	archive 3 10
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir "$TMPDIR"
	run -0 --separate-stderr populate --log-path "s3://$B/logs/" s3://$B/enriched/archive/ cfg.json
	assert_equal "$(table)" "$(expected)"
	J=$(s3job)
	[[ $J == "s3://$B/logs/$T."???????? ]] || { s3cat -l "s3://$B/logs/"; false; }
	[[ $stderr == *"populate: 3 of 3 runs read; state $J.state"* ]] || { echo "$stderr"; false; }
	adds_up "$stderr"
	bad=$(sed -n 's/.* already present, \([0-9]*\) bad rows .*/\1/p' <<<"$stderr")
	[ "$bad" -gt 0 ]
	[[ $stderr == *" $bad bad rows (in $J/bad-rows), 0 not written"* ]] || { echo "$stderr"; false; }
	# the state: the job, then the runs; the bad rows, a file for each
	# run that has some, and no empty one
	run -0 s3cat "$J.state"
	assert_line -n 0 --partial "# populate state 2: archive=s3://$B/enriched/archive/ table=$T "
	assert_equal "$(grep -c '^run=' <<<"$output")" 3
	run -0 s3cat -l -s "s3://$B/logs/"
	refute_output --regexp $'\t0$'
	[ "$(grep -c "^$J/bad-rows/run=" <<<"$output")" -ge 1 ]
	refute_output --partial "$J/failed/"
	assert_equal "$(s3cat -l "$J/bad-rows/" | s3cat | wc -l)" "$bad"
	s3cat -l "$J/bad-rows/" | s3cat | jq -e .errors >/dev/null
	# nothing here: no log folder, no temporary folder
	[ ! -e populate-logs ]
	assert_equal "$(ls "$TMPDIR")" ''
	run -0 --separate-stderr populate --log-path "s3a://$B/logs" s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 0 of 3 runs read, 3 done before; state $J.state"* ]] || { echo "$stderr"; false; }
	# --dry-run reads the state there
	run -0 --separate-stderr populate -n --log-path "s3://$B/logs" s3://$B/enriched/archive/ cfg.json
	assert_line "0 of 3 runs to read, 0 objects; 3 done before (state $J.state)"
	# --state s3://… with a local log path
	run -0 --separate-stderr populate --state "s3://$B/other.state" s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 3 of 3 runs read; state s3://$B/other.state"* ]] || { echo "$stderr"; false; }
	[ -d "$(job)/bad-rows" ]
	assert_equal "$(s3cat "s3://$B/other.state" | grep -c '^run=')" 3
	[ ! -e "$(job).state" ]
}

@test "--log-path s3://: killed with -9 mid-way, a rerun resumes from the state there; items not written land there, and a rerun that writes them empties them" {
	archive 6 40
	jq '.data.dynamodbTable += "-whole"' cfg.json >whole.json
	populate --log-path whole-logs s3://$B/enriched/archive/ whole.json 2>/dev/null
	want=$(ddb_scan "$T-whole")
	L=s3://$B/logs
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 20}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY setsid populate --log-path "$L" s3://$B/enriched/archive/ cfg.json 2>err 3>&- &
	pid=$!
	for _ in $(seq 400); do
		J=$(s3job 2>/dev/null) && [ -n "$J" ] && [ "$(s3cat "$J.state" 2>/dev/null | grep -c '^run=')" -ge 2 ] && break
		sleep 0.05
	done
	kill -9 -- -"$pid"
	wait "$pid" || true
	n=$(s3cat "$J.state" | grep -c '^run=')
	[ "$n" -ge 2 ] && [ "$n" -lt 6 ] || { cat err; false; }
	# refused writes in the next run: its items there
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "status", "status": 400, "skip": 5,
		"body": "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\",\"message\":\"no\"}"}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -1 --separate-stderr populate --log-path "$L" s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: 0 of 6 runs read, $n done before; state $J.state"* ]] || { echo "$stderr"; false; }
	r=$(sed -n 's/^populate: run=\([^:]*\): not finished (exit 1).*/\1/p' <<<"$stderr")
	[ -n "$r" ] || { echo "$stderr"; false; }
	nw=$(sed -n 's/.*, \([0-9]*\) not written (in .*/\1/p' <<<"$stderr")
	[ "$nw" -gt 0 ]
	[[ $stderr == *", $nw not written (in $J/failed)"* ]] || { echo "$stderr"; false; }
	assert_equal "$(s3cat "$J/failed/run=$r.jsonl" | wc -l)" "$nw"
	# mended: the rest is written, the run's failed items emptied
	proxy_rules '[]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -0 --separate-stderr populate --log-path "$L" s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"populate: $((6 - n)) of 6 runs read, $n done before; state $J.state"* ]] || { echo "$stderr"; false; }
	assert_equal "$(s3cat -l -s "$J/failed/")" "$J/failed/run=$r.jsonl	0"
	assert_equal "$(table)" "$want"
	[ ! -e populate-logs ]
}

@test "killed with -9 again and again: its temporary folder, in the log path (or TMPDIR for an S3 one), is cleared at the next start" {
	archive 6 40
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir "$TMPDIR"
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 20}]'
	for lp in populate-logs "s3://$B/logs"; do
		where=$TMPDIR && is_s3=1 && [[ $lp == s3://* ]] || { where=$lp && is_s3=0; }
		for _ in 1 2 3; do
			AWS_ENDPOINT_URL_DYNAMODB=$PROXY setsid populate --ddb-jobs 1 --log-path "$lp" \
				--restart s3://$B/enriched/archive/ cfg.json 2>err 3>&- &
			pid=$!
			until compgen -G "$where/populate.$(uname -n).$pid.*/err" >/dev/null; do sleep 0.02; done
			sleep 0.3
			kill -9 -- -"$pid"
			wait "$pid" || true
		done
		# one left, the last: each start cleared the one before
		assert_equal "$(ls "$where" | grep -c '^populate\.')" 1
		assert_equal "$(ls "$TMPDIR" | grep -c '^populate\.')" "$is_s3"
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -0 --separate-stderr populate --log-path "$lp" s3://$B/enriched/archive/ cfg.json
		[ "$(ls "$where" | grep -c '^populate\.')" -eq 0 ]
		assert_equal "$(ls "$TMPDIR")" ''
	done
	assert_equal "$(ls populate-logs)" "$(basename "$(job)")
$(basename "$(job)").state"
	# a log path made for a run that stops before it writes: not left
	jq '.data.dynamodbTable = "x"' cfg.json >bad.json
	run -2 --separate-stderr populate --log-path new/logs s3://$B/enriched/archive/ bad.json
	[ ! -e new ]
}
