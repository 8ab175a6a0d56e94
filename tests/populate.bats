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

@test "an archive on S3 fills the manifest: earliest etl_tstamp of a duplicate kept" {
	archive 3 10
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	assert_equal "$(table)" "$(expected)"
	# the run after the first repeats events of the one before
	[ "$(expected | wc -l)" -lt 30 ]
	[[ $stderr == *"3 of 3 runs read, 36 events:"* ]]
	[[ $stderr == *"6 bad rows (in populate-logs/bad-rows)"* ]]
	[ "$(cat populate-logs/bad-rows/*.jsonl | wc -l)" -eq 6 ]
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
		[[ $stderr == *"2 of 2 runs read, 16 events: 6 written, 6 already present"* ]] || { echo "$stderr"; false; }
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
	[[ $stderr == *"1 of 1 runs read, 12 events: 9 written,"* ]]
	refute [ "$(table | grep -c 1799a90f-f570-4414-b91a-b0db8f39cc2e)" -gt 0 ]
}

@test "--since keeps the runs at or after it, the boundary included" {
	archive 3 6
	second=$(sed -n 2p runs.txt | cut -f1)
	second=${second#run=}
	run -0 --separate-stderr populate --since "$second" s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"2 of 2 runs read"* ]]
	assert_equal "$(table)" "$(expected "$second")"
	run -0 --separate-stderr populate --since "${second:0:10}" --state s2 s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"2 of 2 runs read"* ]]
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
	assert_equal "${stderr_lines[0]}" "populate: $(($(find archive -type f ! -name '_*' | wc -l) * 2)) objects are not in run= folders right below s3://$B/ at or after the first run: not read (listed in populate-logs/outside-runs.txt)"
	grep -qx "s3://$B/shredded/archive/run=2017-03-01-10-00-00/part-00000.gz" populate-logs/outside-runs.txt
	[ ! -e populate-logs/populate.state ]
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
	assert_line "run=${r#run=}"
	assert_line "  archive/$r/zz-part"
	assert_line "  archive/$r/part-00001"
	run -0 --separate-stderr populate archive cfg.json
	[[ $stderr == *"objects are not in run= folders right below archive/"* ]]
	assert_equal "$(grep -c "^archive/copy/$r/" populate-logs/outside-runs.txt)" "$(ls "archive/copy/$r" | grep -vc '^_')"
	rm -rf archive/copy
	assert_equal "$(table)" "$(expected)"
	[[ $stderr == *"2 of 2 runs read"* ]]
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
	[[ $stderr == *"0 of 2 runs read (2 done before)"* ]]
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
		n=$(grep -c '^run=' populate-logs/populate.state 2>/dev/null || true)
		[ "${n:-0}" -ge 2 ] && break
		sleep 0.05
	done
	kill -9 -- -"$pid"
	wait "$pid" || true
	proxy_down
	done_runs=$(grep -c '^run=' populate-logs/populate.state)
	[ "$done_runs" -ge 2 ] && [ "$done_runs" -lt 6 ]
	run -0 --separate-stderr populate s3://$B/enriched/archive/ cfg.json
	[[ $stderr == *"($done_runs done before)"* ]]
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
		# terminal's Ctrl-C would not find it
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
			populate s3://$B/enriched/archive/ cfg.json 2>err 3>&- &
		pid=$!
		for _ in $(seq 200); do
			n=$(grep -c '^run=' populate-logs/populate.state 2>/dev/null || true)
			[ "${n:-0}" -ge 1 ] && break
			sleep 0.05
		done
		sleep 0.2
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		if [ "$sig" = TERM ]; then want_rc=143; else want_rc=130; fi
		[ "$rc" -eq "$want_rc" ] || { cat err; false; }
		grep -q "^populate: [0-9] of 4 runs read" err
		[ "$(grep -c '^run=' populate-logs/populate.state)" -lt 4 ]
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
	assert_line "table $T in us-east-1 (keys from the storage config)"
	assert_line --regexp '^run=2017-03-01-10-00-00$'
	assert_line "  s3://$B/enriched/archive/run=2017-03-01-10-00-00/part-00000.gz"
	refute_output --partial _SUCCESS
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
	[[ $stderr == *"1 run(s) past the 180-day lifespan: their items expire at once (--ttl-from now keeps them)"* ]]
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
	[[ $stderr == *"cannot list s3://$B/enriched/archive/"* ]]
}

@test "a missing bucket exits 3" {
	run -3 --separate-stderr populate s3://nobucket-$B/enriched/archive/ cfg.json
	[[ $stderr == *NoSuchBucket* ]]
}
