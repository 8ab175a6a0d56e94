#!/usr/bin/env bats
# The sharded populate (plan, shard, status, -P) end to end: archives on
# the local S3, the manifest on the local DynamoDB.  Whatever the order,
# the concurrency, the kills and the reruns of its shards, the table is
# the one the sequential populate writes, item for item.

load helper

# The archive of every test but the plans': tools/mkarchive's runs (a few
# events of each come back in the next, enriched later), and
# - a duplicate within a run: lines of one object again in another;
# - the smallest run, the oldest: two events of the fourth run, enriched
#   earlier, so their earliest etl_tstamp sits there;
# - the newest run, enriched half an hour after its run began, as
#   EmrEtlRunner's runs were, holding an event of the first run again.
# Uploaded once to s3://$S/enriched/archive/ ($S of this run of the
# file), with the table the sequential populate makes of it in
# $BATS_FILE_TMPDIR/want.
setup_file() {
	servers_up
	cd "$BATS_FILE_TMPDIR"
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	"$TOP/tools/mkarchive" archive 4 40 >/dev/null
	local r1=archive/run=2017-03-01-10-00-00 r3=archive/run=2017-03-03-12-00-00
	local r4=archive/run=2017-03-04-13-00-00 l
	head -n 3 "$r3/part-00001" >"$r3/part-00002"
	mkdir archive/run=2017-02-28-09-00-00 archive/run=2017-03-10-00-00-00
	for l in 1 2; do
		set -- $(sed -n "${l}p" "$r4/part-00001" | cut -f7,130)
		ev 3="2017-02-28_09:05:0$l.000" 7="$1" 130="$2"
	done >archive/run=2017-02-28-09-00-00/part-00000
	set -- $(sed -n 5p "$r1/part-00001" | cut -f7,130)
	{ ev 3=2017-03-10_00:30:00.000 7="$1" 130="$2"; ev 3=2017-03-10_00:30:00.000; } \
		>archive/run=2017-03-10-00-00-00/part-00000
	S=sh$(printf %s "$BATS_FILE_TMPDIR" | md5sum | cut -c1-8)
	s3_mb "$S"
	s3_put_dir archive "$S/enriched/archive"
	cfg "$S-seq" >seq.json
	populate --log-path seq-logs "s3://$S/enriched/archive/" seq.json 2>/dev/null
	ddb_scan "$S-seq" >want
	# the archive is what this file says
	grep -q '"etlTime":1488272701' want
	grep -q '"etlTime":1489105800' want
	[ "$(wc -l <want)" -ge 100 ]
}

teardown_file() {
	servers_down
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT
	S=sh$(printf %s "$BATS_FILE_TMPDIR" | md5sum | cut -c1-8)
	A=s3://$S/enriched/archive/
	# a table of the test's own
	T=$S-$(printf '%s' "$BATS_TEST_NAME" | md5sum | cut -c1-10)
}

teardown() {
	proxy_down
}

# cfg TABLE: the 1-0-1 storage config (keys in it) of TABLE
cfg() {
	jq --arg t "$1" '.data.dynamodbTable = $t | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json"
}
# mkplan K NAME [plan options]: a plan of K shards of $A in ./NAME, into
# the table $T-NAME (made now); the config in NAME.json
mkplan() {
	local k=$1 n=$2
	shift 2
	cfg "$T-$n" >"$n.json"
	populate plan --shards "$k" --plan "$n" "$@" "$A" "$n.json" 2>"$n.plan.err" ||
		{ cat "$n.plan.err"; return 1; }
}
# shard PLAN INDEX [options]: one worker, quiet, with the config's keys
shard() { populate shard -q --storage-config "$1.json" "${@:3}" "$1" "$2"; }
# same NAME: the table of plan NAME is the sequential populate's
same() {
	diff "$BATS_FILE_TMPDIR/want" <(ddb_scan "$T-$1") || { echo "plan $1: the tables differ"; return 1; }
}
# shards K: the indexes 0 to K-1
shards() { seq 0 $(($1 - 1)); }

@test "K = 1, 3, 8: in order, in reverse (the first again at the end), all at once: the sequential populate's table" {
	for k in 1 3 8; do
		mkplan "$k" "in$k"
		for i in $(shards "$k"); do shard "in$k" "$i"; done
		same "in$k"
		mkplan "$k" "rev$k"
		for i in $(shards "$k" | tac); do shard "rev$k" "$i"; done
		# the first run twice: again after all the others
		shard "rev$k" $((k - 1)) --force
		same "rev$k"
		mkplan "$k" "all$k"
		pids=()
		for i in $(shards "$k"); do shard "all$k" "$i" 3>&- & pids+=($!); done
		for p in "${pids[@]}"; do wait "$p"; done
		same "all$k"
		run -0 populate status "all$k"
		assert_line "done: $k ($([ "$k" -eq 1 ] && echo 0 || echo "0-$((k - 1))"))"
	done
}

@test "K = 1, 3, 8: a worker killed with SIGKILL half way and run again; a shard run twice, one after the other and at once" {
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 40}]'
	for k in 1 3 8; do
		mkplan "$k" "kill$k"
		# the shard of a plain object of 21 events
		victim=$(grep -l run=2017-03-02-11-00-00/part-00001 "kill$k"/shards/*.txt)
		victim=${victim##*/} victim=${victim%.txt}
		for i in $(shards "$k"); do [ "$i" -eq "$victim" ] || shard "kill$k" "$i"; done
		before=$(proxy_stats | jq '.faults.delay // 0')
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY setsid populate shard --storage-config "kill$k.json" \
			--ddb-jobs 1 "kill$k" "$victim" 2>err 3>&- &
		pid=$!
		until [ "$(proxy_stats | jq '.faults.delay // 0')" -ge $((before + 4)) ]; do sleep 0.02; done
		kill -9 -- -"$pid"
		wait "$pid" || true
		# killed: no marker, and the shard is left
		[ ! -e "kill$k/logs/shard-$victim/done.json" ]
		run -1 populate status "kill$k"
		assert_line "left: 1 ($victim)"
		shard "kill$k" "$victim"
		same "kill$k"
		# done: not run again unless forced; forced, one after the other
		run -0 --separate-stderr populate shard --storage-config "kill$k.json" "kill$k" 0
		[[ $stderr == "populate: shard 0 of $k: done before ("*" events; kill$k/logs/shard-0/done.json): --force runs it again" ]]
		shard "kill$k" 0 --force
		same "kill$k"
		# and twice at once, through the slow proxy
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY shard "kill$k" "$victim" --force 3>&- &
		p1=$!
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY shard "kill$k" "$victim" --force 3>&- &
		p2=$!
		wait "$p1"
		wait "$p2"
		same "kill$k"
	done
}

@test "-P 2, -P 3: the sequential table; a rerun runs nothing; one progress line and one summary" {
	for k in 2 3; do
		cfg "$T-p$k" >"p$k.json"
		run -0 --separate-stderr populate -P "$k" "$A" "p$k.json"
		diff "$BATS_FILE_TMPDIR/want" <(ddb_scan "$T-p$k")
		P=$(echo populate-logs/"$T-p$k".*/plan)
		[[ $stderr == *"populate: $k of $k shards run; plan $P"* ]] || { echo "$stderr"; false; }
		[[ $stderr == *"populate: plan $P: $k shards, $(s3cat -l "$A" | wc -l) objects, "* ]] || { echo "$stderr"; false; }
		[ "$(grep -c ' events: ' <<<"$stderr")" -eq 1 ]
		run -0 --separate-stderr populate --workers="$k" "$A" "p$k.json"
		[[ $stderr == *"populate: 0 of $k shards run, $k done before; plan $P"* ]] || { echo "$stderr"; false; }
		run -0 populate status "$P"
		assert_line "left: 0"
	done
}

@test "-P: SIGTERM stops every worker, and a rerun finishes the job with the same table" {
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 30}]'
	cfg "$T" >c.json
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY populate -P 3 --ddb-jobs 1 "$A" c.json 2>err 3>&- &
	pid=$!
	until [ "$(proxy_stats | jq '.faults.delay // 0')" -ge 10 ]; do sleep 0.05; done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ] || { cat err; false; }
	! pgrep -f -- "-t $T( |\$)" >/dev/null
	grep -q "^populate: 0 of 3 shards run, 3 failed (populate status .*), interrupted (a rerun runs the shards not done); plan " err ||
		{ cat err; false; }
	P=$(echo populate-logs/"$T".*/plan)
	run -1 populate status "$P"
	assert_line "done: 0"
	# each failed, with its exit status; or left, when the signal came
	# before its shell started (a loaded machine)
	assert_line --regexp '^failed: [1-3] '
	assert_line --regexp '^  shard [0-2]: exit 143, '
	proxy_rules '[]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -0 --separate-stderr populate -P 3 "$A" c.json
	[[ $stderr == *"populate: 3 of 3 shards run; plan $P"* ]] || { echo "$stderr"; false; }
	diff "$BATS_FILE_TMPDIR/want" <(ddb_scan "$T")
	run -0 populate status "$P"
	assert_line "done: 3 (0-2)"
}

@test "the plan: its files, its fields, no secret, and the version of the Makefile" {
	mkplan 3 p
	run -0 find p -type f
	assert_equal "$(sort <<<"$output")" "p/job.json
p/shards/0.txt
p/shards/1.txt
p/shards/2.txt"
	run -0 jq -r 'keys_unsorted | join(" ")' p/job.json
	assert_output "plan version made archive since runs oldest_run newest_run objects bytes outside table region dynamodb_endpoint s3_endpoint credentials condition newest ttl_days ttl_from ttl_base rate worker_rate s3_jobs ddb_jobs shards"
	run -0 jq -c '[.archive, .table, .region, .credentials, .condition, .shards, .objects, .runs]' p/job.json
	assert_output "[\"$A\",\"$T-p\",\"us-east-1\",\"storage-config\",\"attribute_not_exists(eventId) OR (etlTime >= :tst AND etlTime <= :newest)\",3,$(s3cat -l "$A" | wc -l),6]"
	assert_equal "$(jq -r .version p/job.json)" "$(sed -n 's/^VERSION = //p' "$TOP/Makefile")"
	# every object of the archive in one shard, once
	assert_equal "$(cut -f1 p/shards/*.txt | sort)" "$(s3cat -l "$A" | sort)"
	# newest: the end of the listing, after every etl_tstamp in it
	now=$(date +%s)
	[ "$(jq .newest p/job.json)" -le "$now" ] && [ "$(jq .newest p/job.json)" -ge $((now - 60)) ]
	# the rate shared out, and --ttl-from now fixed at the plan's time
	mkplan 3 q --rate 100 --ttl-from now --ttl-days 30
	run -0 jq -c '[.rate, .worker_rate, .ttl_from, .ttl_days, (.ttl_base - .newest)]' q/job.json
	assert_output '[100,34,"now",30,0]'
	# the storage config's keys are in no file of the plan, nor its logs
	for i in 0 1 2; do shard p "$i"; done
	! grep -r -e secret-1-0-1-do-not-print -e AKIDTEST101 p q
}

@test "the plan's credentials: a config with keys is given to the worker, or the worker's own are used; with auth null, the chain" {
	mkplan 2 k
	# no --storage-config: this worker's own credentials (the environment's)
	run -0 --separate-stderr populate shard -v k 0
	[[ $stderr == *"populate: table $T-k (eventId HASH, fingerprint RANGE) at $DDB_ENDPOINT/, credentials from environment"* ]] || { echo "$stderr"; false; }
	run -0 --separate-stderr populate shard -v --storage-config k.json k 1
	[[ $stderr == *", credentials from the storage config"* ]] || { echo "$stderr"; false; }
	# none at all: refused, and told where the keys are
	mkplan 1 none
	run --separate-stderr env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		AWS_ENDPOINT_URL_S3=$S3_ENDPOINT populate shard none 0
	[ "$status" -ne 0 ] || { echo "$stderr"; false; }
	[[ $stderr == *"populate: the plan's storage config has keys, which a plan does not hold: give it with --storage-config, or give this worker credentials of its own"* ]] || { echo "$stderr"; false; }
	# another table's config is refused
	cfg other >other.json
	run -2 --separate-stderr populate shard --storage-config other.json k 0
	assert_equal "$stderr" "populate: storage config other.json: table other in us-east-1, not the plan's $T-k in us-east-1"
	# auth null: the plan says chain
	jq --arg t "$T-chain" '.data.dynamodbTable = $t' "$DATA/configs/dynamodb-2-0-0-chain.json" >chain.json
	populate plan --shards 1 --plan chain "$A" chain.json 2>/dev/null
	assert_equal "$(jq -r .credentials chain/job.json)" chain
}

@test "the index: an operand, AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX, or none when K is 1" {
	mkplan 3 p
	AWS_BATCH_JOB_ARRAY_INDEX=1 populate shard -q --storage-config p.json p
	[ -e p/logs/shard-1/done.json ]
	JOB_COMPLETION_INDEX=2 populate shard -q --storage-config p.json p
	[ -e p/logs/shard-2/done.json ]
	run -2 --separate-stderr populate shard p
	assert_equal "${stderr_lines[0]}" "populate: missing index (nor AWS_BATCH_JOB_ARRAY_INDEX or JOB_COMPLETION_INDEX set)"
	run -2 --separate-stderr populate shard p 3
	assert_equal "$stderr" "populate: index: 3: not a number from 0 to 2"
	mkplan 1 one
	populate shard -q --storage-config one.json one
	[ -e one/logs/shard-0/done.json ]
}

@test "under Hadoop Streaming (mapreduce_task_id) or --reporter: reporter:status lines on stderr, and counters" {
	mkplan 2 p
	mapreduce_task_id=task_1_m_000000 run -0 --separate-stderr shard p 0
	[[ ${stderr_lines[0]} == "reporter:status:populate: shard 0 of 2: "*" objects, "*" bytes, "*s ]] || { echo "$stderr"; false; }
	assert_equal "$(grep -c '^reporter:counter:populate,' <<<"$stderr")" 5
	[[ $stderr == *"reporter:status:populate: shard 0 of 2: done, "*" events"* ]]
	run -0 --separate-stderr shard p 1 --reporter
	[[ ${stderr_lines[0]} == "reporter:status:populate: shard 1 of 2: "* ]]
	run -0 --separate-stderr shard p 1 --force
	[[ $stderr != *reporter:* ]]
	# every interval while it runs (30 s; here 1 s, the writes slowed)
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 200}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY POPULATE_REPORTER_SECONDS=1 run -0 --separate-stderr \
		shard p 1 --force --reporter --ddb-jobs 4
	[ "$(grep -c '^reporter:status:populate: shard 1 of 2: [0-9]* objects, ' <<<"$stderr")" -ge 3 ] || { echo "$stderr"; false; }
}

@test "a worker's logs: bad rows and the items it could not write next to the plan, a marker with its counts" {
	mkplan 1 p
	run -0 --separate-stderr populate shard --storage-config p.json p 0
	assert_equal "$(cat p/logs/shard-0/bad-rows.jsonl | wc -l)" 8
	[ ! -s p/logs/shard-0/failed.jsonl ]
	run -0 jq -c '[.shard, .status, .objects, .events, .bad, .notwritten, .written + .present + .bad + .notwritten == .events]' p/logs/shard-0/done.json
	assert_output "[0,0,$(s3cat -l "$A" | wc -l),$(jq .events p/logs/shard-0/done.json),8,0,true]"
	[[ $stderr == *"populate: shard 0 of 1: $(s3cat -l "$A" | wc -l) objects, "*" bytes, in "*" s; done (p/logs/shard-0/done.json)"* ]]
	[[ $stderr == *" bad rows (in p/logs/shard-0/bad-rows.jsonl), 0 not written"* ]]
	assert_equal "$(stat -c %a p p/logs/shard-0 | sort -u)" 700
	assert_equal "$(stat -c %a p/job.json p/logs/shard-0/* | sort -u)" 600
	# refused writes: failed.json, with the exit status, and the items to write again
	mkplan 1 f
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "status", "status": 400, "skip": 20,
		"body": "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\",\"message\":\"no\"}"}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -1 --separate-stderr shard f 0
	[[ $stderr == *"populate: shard 0 of 1: not finished (exit 1): f/logs/shard-0/failed.json; a rerun runs it again"* ]] || { echo "$stderr"; false; }
	[ -s f/logs/shard-0/failed.jsonl ]
	assert_equal "$(jq .notwritten f/logs/shard-0/failed.json)" "$(wc -l <f/logs/shard-0/failed.jsonl)"
	run -1 populate status f
	assert_line "failed: 1 (0)"
	proxy_rules '[]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY shard f 0
	run -0 populate status f
	assert_line "done: 1 (0)"
	same f
}

@test "status: the shards done, failed and left, and the totals of their markers" {
	mkplan 8 p
	for i in 0 1 2 5; do shard p "$i"; done
	run -1 populate status p
	assert_line -n 0 "plan p: $A into table $T-p in us-east-1, 8 shards, $(s3cat -l "$A" | wc -l) objects, $(jq .bytes p/job.json) bytes (made $(jq -r .made p/job.json) by populate $(jq -r .version p/job.json))"
	assert_line -n 1 "done: 4 (0-2 5)"
	assert_line -n 2 "failed: 0"
	assert_line -n 3 "left: 4 (3-4 6-7)"
	ev=$(cat p/logs/shard-*/done.json | jq -s 'map(.events) | add')
	[[ ${lines[4]} == "$ev events: "*" (in the shards done and failed)" ]]
	run -2 --separate-stderr populate status nothing
	assert_equal "$stderr" "populate: plan nothing: no such plan (no nothing/job.json)"
}

@test "plans balance bytes: the largest shard within a third above the mean, a huge object alone" {
	line=$(sed -n 1p "$DATA/enriched-samples.tsv")
	for r in 1 2 3 4; do
		mkdir -p "a/run=2017-01-0$r-00-00-00"
		for o in $(seq 1 12); do
			for _ in $(seq $(((r * 7 + o * 13) % 20 + 1))); do printf '%s\n' "$line"; done \
				>"a/run=2017-01-0$r-00-00-00/part-$o"
		done
	done
	total=$(cat a/*/* | wc -c)
	cfg "$T" >c.json
	for k in 2 3 5 8; do
		populate plan --shards "$k" --plan "b$k" a c.json 2>/dev/null
		sizes=$(for i in $(shards "$k"); do awk -F '\t' '{ b += $2 } END { print b + 0 }' "b$k/shards/$i.txt"; done)
		max=$(sort -n <<<"$sizes" | tail -n 1)
		[ $((max * k * 3)) -le $((total * 4)) ] || { echo "K=$k: largest $max, mean $((total / k))"; false; }
		assert_equal "$(cat b$k/shards/*.txt | wc -l)" 48
	done
	# one object larger than a shard's share: alone in its shard
	for _ in $(seq 400); do printf '%s\n' "$line"; done >a/run=2017-01-01-00-00-00/huge
	populate plan --shards 4 --plan h a c.json 2>/dev/null
	assert_equal "$(grep -l /huge h/shards/*.txt | xargs cat | wc -l)" 1
	# sizes equal: by count
	mkdir -p e/run=2017-01-01-00-00-00
	for o in $(seq 10); do printf '%s\n' "$line" >"e/run=2017-01-01-00-00-00/p$o"; done
	populate plan --shards 3 --plan eq e c.json 2>/dev/null
	assert_equal "$(wc -l eq/shards/*.txt | head -n 3 | awk '{ print $1 }' | tr '\n' ' ')" "4 3 3 "
}

@test "plans are deterministic: the same listing, the same shards" {
	mkplan 5 p1
	mkplan 5 p2
	diff -r p1/shards p2/shards
	assert_equal "$(jq -c 'del(.made, .newest, .table)' p1/job.json)" "$(jq -c 'del(.made, .newest, .table)' p2/job.json)"
	# a local copy: the same shards, by its own path
	mkdir local && (cd "$BATS_FILE_TMPDIR" && tar cf - archive) | tar xf - -C local
	cfg "$T" >c.json
	populate plan --shards 5 --plan l1 local/archive c.json 2>/dev/null
	populate plan --shards 5 --plan l2 local/archive/ c.json 2>/dev/null
	diff -r l1/shards l2/shards
	assert_equal "$(jq -r .archive l1/job.json)" "$PWD/local/archive/"
}

@test "plans and --since: the runs at or after it, the boundary included; the sequential table" {
	mkplan 3 s --since 2017-03-03-12-00-00
	assert_equal "$(jq -c '[.since, .runs, .oldest_run, .objects]' s/job.json)" '["2017-03-03-12-00-00",3,"2017-03-03-12-00-00",6]'
	! grep -h run=2017-03-0[12] s/shards/*.txt
	for i in 2 0 1; do shard s "$i"; done
	cfg "$T-seq" >seq.json
	populate --since 2017-03-03-12-00-00 "$A" seq.json 2>/dev/null
	diff <(ddb_scan "$T-seq") <(ddb_scan "$T-s")
	run -1 --separate-stderr populate plan --shards 2 --plan none --since 2030-01-01 "$A" seq.json
	assert_equal "${stderr_lines[-1]}" "populate: no run folder (run=YYYY-MM-dd-HH-mm-ss) right below $A at or after 2030-01-01: nothing to read"
	[ ! -e none ]
}

@test "--newest: an item after it, a live pipeline's, is never touched; one before it is lowered to the earliest" {
	mkplan 2 p --newest 2017-03-11
	want=$BATS_FILE_TMPDIR/want
	put() { ddb PutItem "$(jq -c --arg t "$T-p" --argjson e "$2" '{TableName: $t, Item: {eventId: {S: .eventId},
		fingerprint: {S: .fingerprint}, etlTime: {N: ($e | tostring)}, ttl: {N: "1"}}}' <<<"$1")" >/dev/null; }
	live=$(sed -n 1p "$want") low=$(jq -c 'select(.etlTime < 1488800000)' "$want" | sed -n 2p)
	put "$live" 1700000000
	put "$low" 1488900000
	for i in 0 1; do shard p "$i"; done
	run -0 jq -c 'select(.etlTime == 1700000000)' <(ddb_scan "$T-p")
	assert_output "$(jq -c '.etlTime = 1700000000 | .ttl = 1' <<<"$live")"
	diff <(grep -vF "$(jq -r .eventId <<<"$live")" "$want") <(ddb_scan "$T-p" | grep -vF "$(jq -r .eventId <<<"$live")")
	# before the newest run: said
	run -0 --separate-stderr populate plan -n --shards 2 --plan x --newest 2017-03-05 "$A" p.json
	[[ $stderr == *"populate: --newest: before the newest run, run=2017-03-10-00-00-00: an item of a run after it may keep the etl_tstamp written first, not the earliest"* ]]
}

@test "usage errors, a plan already there, and a plan in a bucket that is not there (exit 3)" {
	cfg "$T" >c.json
	run -2 --separate-stderr populate plan --plan p "$A" c.json
	assert_equal "${stderr_lines[0]}" "populate: missing --shards"
	run -2 --separate-stderr populate plan --shards 0 --plan p "$A" c.json
	assert_equal "$stderr" "populate: --shards: 0: not a number from 1 to 100000"
	N=s3://nobucket-$S/plans/p1
	for m in "plan --shards 2 --plan $N $A c.json" "shard $N 0" "status $N"; do
		run -3 --separate-stderr populate $m
		assert_equal "$stderr" "s3cat: $N/job.json: NoSuchBucket: The specified bucket does not exist
populate: $N/job.json: cannot read it"
	done
	populate plan --shards 2 --plan p "$A" c.json 2>/dev/null
	run -2 --separate-stderr populate plan --shards 2 --plan p "$A" c.json
	assert_equal "$stderr" "populate: plan p: holds a plan already; give another --plan, or remove it"
	run -2 --separate-stderr populate -P 0 "$A" c.json
	assert_equal "$stderr" "populate: --workers: 0: not a number from 1 to 1024"
	run -2 --separate-stderr populate -P 2 --state x "$A" c.json
	assert_equal "$stderr" "populate: --state: not with -P: the plan's done markers are the job's state"
	run -0 populate plan -h
	assert_line -n 0 --partial "usage: populate plan --shards k --plan dir "
	run -0 populate shard -h
	assert_line -n 0 --partial "usage: populate shard "
	run -0 --separate-stderr populate plan -n --shards 3 --plan dry "$A" c.json
	assert_line -n 1 --regexp '^shard 0: [0-9]+ objects, [0-9]+ bytes$'
	[ ! -e dry ]
}

@test "-P with another lifespan than its plan's is refused; --restart plans again" {
	cfg "$T" >c.json
	populate -P 2 "$A" c.json 2>/dev/null
	run -2 --separate-stderr populate -P 2 --ttl-days 30 "$A" c.json
	[[ $stderr == "populate: plan populate-logs/$T."*"/plan: made with since=- ttl-days=180 ttl-from=etl, not since=- ttl-days=30 ttl-from=etl: give those, or --restart to plan again" ]] || { echo "$stderr"; false; }
	run -0 --separate-stderr populate -P 3 --restart --ttl-days 30 "$A" c.json
	[[ $stderr == *"populate: 3 of 3 shards run; plan "* ]] || { echo "$stderr"; false; }
	assert_equal "$(ddb_scan "$T" | jq -s 'map(.ttl - .etlTime) | unique')" "[
  2592000
]"
}

# s3shard PLAN INDEX [options]: one worker of the plan in S3 (s3://$S/plans/$T-PLAN),
# quiet, with the config's keys (PLAN.json)
s3shard() { populate shard -q --storage-config "$1.json" "${@:3}" "s3://$S/plans/$T-$1" "$2"; }
# s3same NAME: the table $T-NAME is the sequential populate's
s3same() { diff "$BATS_FILE_TMPDIR/want" <(ddb_scan "$T-$1") || { echo "$1: the tables differ"; return 1; }; }

@test "a plan in S3: its files there, shards in any order, status, a done shard not run again, the sequential table" {
	P=s3://$S/plans/$T-s
	mkplan 3 s-local
	cfg "$T-s" >s.json
	run -0 --separate-stderr populate plan --shards 3 --plan "$P/" "$A" s.json
	[[ $stderr == *"populate: plan $P: 3 shards, $(s3cat -l "$A" | wc -l) objects, "* ]] || { echo "$stderr"; false; }
	# the same files as a plan here, byte for byte but the time and table
	run -0 s3cat -l "$P/"
	assert_output "$P/job.json
$P/shards/0.txt
$P/shards/1.txt
$P/shards/2.txt"
	for i in 0 1 2; do diff <(s3cat "$P/shards/$i.txt") "s-local/shards/$i.txt"; done
	assert_equal "$(s3cat "$P/job.json" | jq -c 'del(.made, .newest, .table)')" "$(jq -c 'del(.made, .newest, .table)' s-local/job.json)"
	# nothing secret
	! s3cat -l "$P/" | s3cat | grep -e secret-1-0-1-do-not-print -e AKIDTEST101
	# a plan there already
	run -2 --separate-stderr populate plan --shards 3 --plan "$P" "$A" s.json
	assert_equal "$stderr" "populate: plan $P: holds a plan already; give another --plan, or remove it"
	run -1 populate status "$P"
	assert_line -n 1 "done: 0"
	assert_line -n 3 "left: 3 (0-2)"
	# in any order; s3a:// is s3://
	s3shard s 2
	run -1 populate status "s3a://${P#s3://}/"
	assert_line -n 1 "done: 1 (2)"
	assert_line -n 3 "left: 2 (0-1)"
	s3shard s 0
	s3shard s 1
	s3same s
	run -0 populate status "$P"
	assert_line -n 0 "plan $P: $A into table $T-s in us-east-1, 3 shards, $(s3cat -l "$A" | wc -l) objects, $(s3cat "$P/job.json" | jq .bytes) bytes (made $(s3cat "$P/job.json" | jq -r .made) by populate $(s3cat "$P/job.json" | jq -r .version))"
	assert_line -n 1 "done: 3 (0-2)"
	assert_line -n 2 "failed: 0"
	assert_line -n 3 "left: 0"
	# the totals are the markers', and the bad rows are in S3
	ev=$(s3cat "$P"/logs/shard-{0,1,2}/done.json | jq -s 'map(.events) | add')
	bad=$(s3cat "$P"/logs/shard-{0,1,2}/done.json | jq -s 'map(.bad) | add')
	[ "$bad" -gt 0 ]
	assert_equal "$(s3cat "$P"/logs/shard-{0,1,2}/bad-rows.jsonl | wc -l)" "$bad"
	[[ ${lines[4]} == "$ev events: "*", $bad bad rows, 0 not written (in the shards done and failed)" ]]
	run -0 s3cat -l "$P/logs/shard-1/"
	assert_output "$P/logs/shard-1/bad-rows.jsonl
$P/logs/shard-1/done.json
$P/logs/shard-1/failed.jsonl"
	# done: run again, it does nothing (its marker is the same)
	before=$(s3cat "$P/logs/shard-1/done.json")
	run -0 --separate-stderr populate shard --storage-config s.json "$P" 1
	assert_equal "$stderr" "populate: shard 1 of 3: done before ($(jq .events <<<"$before") events; $P/logs/shard-1/done.json): --force runs it again"
	assert_equal "$(s3cat "$P/logs/shard-1/done.json")" "$before"
	# forced, it runs: a new marker, the same table
	sleep 1
	s3shard s 1 --force
	[ "$(s3cat "$P/logs/shard-1/done.json")" != "$before" ]
	s3same s
	# a worker elsewhere: the plan's endpoints, its index from the environment
	AWS_BATCH_JOB_ARRAY_INDEX=0 run -0 --separate-stderr populate shard "$P"
	[[ $stderr == *"populate: shard 0 of 3: done before ("* ]]
}

@test "a plan in S3: a failed shard leaves failed.json and its items there; killed with SIGKILL, it is left; a rerun finishes the job" {
	P=s3://$S/plans/$T-f
	cfg "$T-f" >f.json
	populate plan --shards 2 --plan "$P" "$A" f.json 2>/dev/null
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "status", "status": 400, "skip": 20,
		"body": "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ValidationException\",\"message\":\"no\"}"}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -1 --separate-stderr populate shard --storage-config f.json "$P" 0
	[[ $stderr == *"populate: shard 0 of 2: not finished (exit 1): $P/logs/shard-0/failed.json; a rerun runs it again"* ]] || { echo "$stderr"; false; }
	n=$(s3cat "$P/logs/shard-0/failed.json" | jq .notwritten)
	[ "$n" -gt 0 ]
	assert_equal "$(s3cat "$P/logs/shard-0/failed.jsonl" | wc -l)" "$n"
	# the other killed half way: no marker
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 40}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY setsid populate shard --storage-config f.json --ddb-jobs 1 "$P" 1 2>err 3>&- &
	pid=$!
	until [ "$(proxy_stats | jq '.faults.delay // 0')" -ge 4 ]; do sleep 0.02; done
	kill -9 -- -"$pid"
	wait "$pid" || true
	run -1 populate status "$P"
	assert_line -n 1 "done: 0"
	assert_line -n 2 "failed: 1 (0)"
	assert_line -n 3 "  shard 0: exit 1, $n not written, at $(s3cat "$P/logs/shard-0/failed.json" | jq -r .finished) on $(uname -n)"
	assert_line -n 4 "left: 1 (1)"
	# both again: done; done.json wins over the failed.json that stays
	proxy_down
	populate shard -q --storage-config f.json "$P" 1
	populate shard -q --storage-config f.json "$P" 0
	run -0 populate status "$P"
	assert_line -n 1 "done: 2 (0-1)"
	assert_line -n 2 "failed: 0"
	s3same f
}

@test "-P K --plan s3://…, and -P with --log-path s3://…: the sequential table; a rerun runs nothing; --restart asks for the plan to be removed" {
	P=s3://$S/plans/$T-p
	cfg "$T-p" >p.json
	run -0 --separate-stderr populate -P 3 --plan "$P" "$A" p.json
	[[ $stderr == *"populate: 3 of 3 shards run; plan $P"* ]] || { echo "$stderr"; false; }
	s3same p
	run -0 --separate-stderr populate -P 3 --plan "$P/" "$A" p.json
	[[ $stderr == *"populate: 0 of 3 shards run, 3 done before; plan $P"* ]] || { echo "$stderr"; false; }
	run -0 populate status "$P"
	assert_line "left: 0"
	# the plan's files here: none, nor a log path
	[ ! -e populate-logs ]
	run -2 --separate-stderr populate -P 3 --restart --plan "$P" "$A" p.json
	assert_equal "$stderr" "populate: plan $P: to plan again (--restart), remove it first (aws s3 rm --recursive $P/), or give another --plan"
	# another job's plan is refused
	cfg "$T-other" >o.json
	run -2 --separate-stderr populate -P 3 --plan "$P" "$A" o.json
	assert_equal "$stderr" "populate: plan $P: of $A into table $T-p in us-east-1, not of this job: give another --plan"
	# --log-path s3://: the plan in the job's folder there
	L=s3://$S/logs-$T
	cfg "$T-l" >l.json
	run -0 --separate-stderr populate -P 2 --log-path "$L" "$A" l.json
	s3same l
	J=$(s3cat -l "$L/" | sed -n 's|/plan/job\.json$||p')
	[[ $J == "$L/$T-l."???????? ]] || { s3cat -l "$L/"; false; }
	[[ $stderr == *"populate: 2 of 2 shards run; plan $J/plan"* ]] || { echo "$stderr"; false; }
	run -0 --separate-stderr populate -P 2 --log-path "$L" "$A" l.json
	[[ $stderr == *"populate: 0 of 2 shards run, 2 done before; plan $J/plan"* ]] || { echo "$stderr"; false; }
	[ ! -e populate-logs ]
}

@test "workers killed with SIGKILL leave no temporary folder behind: the next start clears it, a live one's stays" {
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir "$TMPDIR"
	mkplan 2 k
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 40}]'
	for _ in 1 2 3; do
		AWS_ENDPOINT_URL_DYNAMODB=$PROXY setsid populate shard --storage-config k.json --ddb-jobs 1 k 0 2>err 3>&- &
		pid=$!
		until compgen -G "$TMPDIR/populate.$(uname -n).$pid.*/urls" >/dev/null; do sleep 0.02; done
		sleep 0.2
		kill -9 -- -"$pid"
		wait "$pid" || true
	done
	# each start cleared the one before
	assert_equal "$(ls "$TMPDIR" | grep -c '^populate\.')" 1
	# a live process's folder stays
	sleep 60 3>&- &
	live=$!
	mkdir "$TMPDIR/populate.$(uname -n).$live.abcdef"
	proxy_down
	shard k 0
	shard k 1
	populate status k >/dev/null
	assert_equal "$(ls "$TMPDIR")" "populate.$(uname -n).$live.abcdef"
	kill "$live"
	same k
}
