#!/usr/bin/env bats
# Does the table hold the archive: populate verify, on the local S3 and
# DynamoDB, and its lookup stage, dynaput --get; and whether a table
# holds any item, dynaput --describe, which populate's state trusts.

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
	T=verify-$B
	jq --arg t "$T" '.data.dynamodbTable = $t' "$DATA/configs/dynamodb-1-0-1.json" |
		jq '.data.awsRegion = "us-east-1"' >cfg.json
	A=s3://$B/enriched/archive/
}

teardown() {
	proxy_down
}

# archive [RUNS [EVENTS]]: a fresh local archive in ./archive, uploaded to
# $A; RUN1, RUN2, RUN3 the first runs' ids
archive() {
	"$TOP/tools/mkarchive" archive "${1:-3}" "${2:-10}" >runs.txt
	s3_mb "$B"
	s3_put_dir archive "$B/enriched/archive"
	RUN1=$(sed -n 1p runs.txt | cut -f1) RUN2=$(sed -n 2p runs.txt | cut -f1)
	RUN3=$(sed -n 3p runs.txt | cut -f1)
}

# items RUN: the manifest items of a run of ./archive, as eventcut makes
# them for a job of --ttl-days 0 (no item expires)
items() {
	local f
	for f in archive/"$1"/part-*; do
		case $f in *.gz*) gzip -dc "$f" ;; *) cat "$f" ;; esac
	done | eventcut -t 0 2>/dev/null
}

table() { ddb_scan "$T"; }
job() { echo populate-logs/"$T".????????; }

# del: deletes from $T the items of the JSON lines on stdin (their keys)
del() {
	local l
	while IFS= read -r l; do
		ddb DeleteItem "$(jq -c --arg t "$T" '{TableName: $t,
			Key: {eventId: {S: .eventId}, fingerprint: {S: .fingerprint}}}' <<<"$l")" >/dev/null
	done
}

# verify LINE...: the lines populate verify prints for the three runs
# of archive 3 10, each "E S A L M" (events, present with the run's
# etlTime, with an earlier one, a later one, missing), then the total
lines() {
	local i=0 r e s a l m
	for r; do
		read -r e s a l m <<<"$r"
		i=$((i + 1))
		case $i in
		1) echo -n "$RUN1: " ;; 2) echo -n "$RUN2: " ;; 3) echo -n "$RUN3: " ;;
		*) echo -n "3 runs, " ;;
		esac
		echo "$e events: $s present with the run's etlTime, $a with an earlier one, $l with a later one, $m missing"
	done
}

@test "a complete table: every event present, exit 0, nothing written" {
	archive 3 10
	populate --ttl-days 0 "$A" cfg.json 2>/dev/null
	want=$(table)
	run -0 --separate-stderr populate verify "$A" cfg.json
	# the 6 events of the first run that come back in each later run
	# are present with the first run's etlTime
	assert_equal "$output" "$(lines "10 10 0 0 0" "10 4 6 0 0" "10 4 6 0 0" "30 18 12 0 0")"
	assert_equal "$stderr" ""
	J=$(job)
	[ ! -e "$J/missing.jsonl" ] && [ ! -e "$J/later.jsonl" ]
	assert_equal "$(table)" "$want"
	# a local copy of the archive is the same archive; -v names the table
	run -0 --separate-stderr populate verify -v archive cfg.json
	assert_equal "${lines[3]}" "${output##*$'\n'}"
	assert_equal "$stderr" "populate: table $T (eventId HASH, fingerprint RANGE) at $DDB_ENDPOINT/, credentials from the storage config"
}

@test "a few items deleted: found missing, in every run they are in, and the missing file fixes them" {
	archive 3 10
	populate --ttl-days 0 "$A" cfg.json 2>/dev/null
	want=$(table)
	# an event of the first run alone, and one that comes back in each run
	items "$RUN1" | sed -n '1p;9p' >gone
	[ "$(grep -cF "$(jq -r .eventId <(sed -n 1p gone))" <(items "$RUN3"))" -eq 1 ]
	del <gone
	run -1 --separate-stderr populate verify "$A" cfg.json
	assert_equal "$output" "$(lines "10 8 0 0 2" "10 4 5 0 1" "10 4 5 0 1" "30 16 10 0 4")"
	J=$(job)
	assert_equal "$stderr" "populate: the missing items are in $J/missing.jsonl: dynaput -t $T --manifest writes them"
	[ "$(stat -c %a "$J/missing.jsonl")" = 600 ]
	# eventcut's items, in run order: the earliest etlTime written first
	assert_equal "$(wc -l <"$J/missing.jsonl")" 4
	assert_equal "$(sort "$J/missing.jsonl")" "$({ items "$RUN1"; items "$RUN2"; items "$RUN3"; } |
		grep -F -e "$(sed -n 1p gone | jq -r .eventId)" -e "$(sed -n 2p gone | jq -r .eventId)" | sort)"
	run -0 dynaput -t "$T" --manifest "$J/missing.jsonl"
	assert_equal "$(table)" "$want"
	run -0 populate verify "$A" cfg.json
	[ ! -e "$J/missing.jsonl" ]
}

@test "a run's items deleted: its events are missing, and one pipeline writes them back" {
	archive 3 10
	populate --ttl-days 0 "$A" cfg.json 2>/dev/null
	want=$(table)
	# the items the second run wrote: its events the first did not have
	comm -12 <(table) <(items "$RUN2" | sort) >gone
	[ "$(wc -l <gone)" -eq 4 ]
	del <gone
	run -1 --separate-stderr populate verify "$A" cfg.json
	assert_equal "$output" "$(lines "10 10 0 0 0" "10 0 6 0 4" "10 4 6 0 0" "30 14 12 0 4")"
	J=$(job)
	assert_equal "$(sort "$J/missing.jsonl")" "$(sort gone)"
	jq -c . "$J/missing.jsonl" | dynaput -t "$T" --manifest
	assert_equal "$(table)" "$want"
}

@test "a run missed, a later one written: present with a later etlTime, listed, and fixed with --newest" {
	archive 3 10
	populate --ttl-days 0 --since "${RUN2#run=}" "$A" cfg.json 2>/dev/null
	run -1 --separate-stderr populate verify "$A" cfg.json
	# the first run's events that come back later hold the second's
	# etlTime: the first run was missed
	assert_equal "$output" "$(lines "10 0 0 6 4" "10 10 0 0 0" "10 4 6 0 0" "30 14 6 6 4")"
	J=$(job)
	assert_equal "$stderr" "populate: the missing items are in $J/missing.jsonl: dynaput -t $T --manifest writes them
populate: the items present with a later etlTime are in $J/later.jsonl: dynaput -t $T --manifest --newest NOW writes their earlier one"
	assert_equal "$(cat "$J/missing.jsonl" "$J/later.jsonl" | sort)" "$(items "$RUN1" | sort)"
	dynaput -t "$T" --manifest "$J/missing.jsonl"
	dynaput -t "$T" --manifest --newest "$(date +%s)" "$J/later.jsonl"
	run -0 populate verify "$A" cfg.json
	assert_equal "${lines[3]}" "3 runs, 30 events: 18 present with the run's etlTime, 12 with an earlier one, 0 with a later one, 0 missing"
}

@test "--sample N: N events, the first of each object, spread evenly over the objects; the same each time" {
	archive 3 10
	populate --ttl-days 0 "$A" cfg.json 2>/dev/null
	# 5 of 6 objects: 0, 1 | 1, 1 | 1, 1 events
	run -0 --separate-stderr populate verify --sample 5 "$A" cfg.json
	assert_equal "$output" "$RUN1: 1 events: 1 present with the run's etlTime, 0 with an earlier one, 0 with a later one, 0 missing
$RUN2: 2 events: 0 present with the run's etlTime, 2 with an earlier one, 0 with a later one, 0 missing
$RUN3: 2 events: 0 present with the run's etlTime, 2 with an earlier one, 0 with a later one, 0 missing
3 runs (--sample 5), 5 events: 1 present with the run's etlTime, 4 with an earlier one, 0 with a later one, 0 missing"
	first=$output
	# the one event drawn from the first run: the first of its second
	# object (one that comes back in each run, and is drawn there too)
	eventcut -t 0 archive/"$RUN1"/part-00001 2>/dev/null | head -n 1 >gone
	del <gone
	run -1 --separate-stderr populate verify --sample 5 "$A" cfg.json
	assert_line -n 0 "$RUN1: 1 events: 0 present with the run's etlTime, 0 with an earlier one, 0 with a later one, 1 missing"
	assert_line -n 3 "3 runs (--sample 5), 5 events: 0 present with the run's etlTime, 2 with an earlier one, 0 with a later one, 3 missing"
	assert_equal "$(head -n 1 "$(job)"/missing.jsonl)" "$(cat gone)"
	assert_equal "$(jq -r .eventId "$(job)"/missing.jsonl | uniq)" "$(jq -r .eventId gone)"
	dynaput -t "$T" --manifest "$(job)"/missing.jsonl
	run -0 populate verify --sample 5 "$A" cfg.json
	assert_equal "$output" "$first"
	# more than there are: every event, as --all
	run -0 populate verify --sample 1000 "$A" cfg.json
	assert_equal "$(sed '$d' <<<"$output")" "$(lines "10 10 0 0 0" "10 4 6 0 0" "10 4 6 0 0")"
	assert_line -n 3 "3 runs (--sample 1000), 30 events: 18 present with the run's etlTime, 12 with an earlier one, 0 with a later one, 0 missing"
}

@test "verify's usage errors and what it refuses: exit 2; a missing table: exit 3" {
	archive 2 4
	run -2 populate verify --sample 5 --all "$A" cfg.json
	assert_line -n 0 "populate: --sample, --all: one or the other"
	assert_line -n 1 "usage: populate verify $(sed -n "s/^VERIFY_SYNOPSIS='\(.*\)'$/\1/p" "$TOP/pipelines/populate-lib.sh")"
	run -2 populate verify --sample 0 "$A" cfg.json
	assert_output "populate: --sample: 0: not a number from 1 to 1000000000"
	run -2 populate verify --ttl-from later "$A" cfg.json
	assert_output "populate: --ttl-from: later: must be etl or now"
	run -0 populate verify -h
	assert_line -n 0 "usage: populate verify $(sed -n "s/^VERIFY_SYNOPSIS='\(.*\)'$/\1/p" "$TOP/pipelines/populate-lib.sh")"
	# populate's own usage names it
	run -0 populate -h
	assert_line -n 1 "       populate verify $(sed -n "s/^VERIFY_SYNOPSIS='\(.*\)'$/\1/p" "$TOP/pipelines/populate-lib.sh")"
	# verify never makes the table
	run -3 --separate-stderr populate verify "$A" cfg.json
	assert_equal "${stderr_lines[1]}" "populate: table $T in us-east-1: cannot read it"
	run -0 ddb DescribeTable "{\"TableName\":\"$T\"}"
	assert_output --partial ResourceNotFoundException
}

@test "verify: the missing items get the job's lifespan, from its state" {
	archive 2 4
	populate --ttl-from now --ttl-days 7 "$A" cfg.json 2>/dev/null
	items "$RUN1" | del
	run -1 populate verify "$A" cfg.json
	jq -s -e --argjson now "$(date +%s)" \
		'all(.[]; .ttl - $now | . > 7 * 86400 - 60 and . <= 7 * 86400)' "$(job)"/missing.jsonl
}

@test "verify --log-path s3://: the job's state read from S3, the missing items written there, replaced once fixed" {
	archive 2 4
	L=s3://$B/ops/logs
	populate --ttl-from now --ttl-days 7 --log-path "$L" "$A" cfg.json 2>/dev/null
	items "$RUN1" | del
	mkdir tmp
	run -1 --separate-stderr env TMPDIR="$PWD/tmp" populate verify --log-path "$L/" "$A" cfg.json
	J=$(s3cat -l "$L/" | grep '/missing\.jsonl$')
	assert_equal "$stderr" "populate: the missing items are in $J: dynaput -t $T --manifest writes them"
	[[ $J == "$L/$T".????????/missing.jsonl ]]
	# the lifespan is the job's, from its state in S3
	s3cat "$J" >missing
	m=$(sed -n '$s/.* \([0-9]*\) missing$/\1/p' <<<"$output")
	[ "$m" -ge 4 ]
	assert_equal "$(wc -l <missing)" "$m"
	jq -s -e --argjson now "$(date +%s)" \
		'all(.[]; .ttl - $now | . > 7 * 86400 - 60 and . <= 7 * 86400)' missing
	# nothing here: no log folder, the temporary folder gone
	[ ! -e populate-logs ]
	assert_equal "$(ls -A tmp)" ""
	dynaput -t "$T" --manifest missing
	run -0 --separate-stderr env TMPDIR="$PWD/tmp" populate verify --log-path "$L" "$A" cfg.json
	assert_equal "$stderr" ""
	# the earlier check's file is replaced: nothing is missing now
	run -0 s3cat "$J"
	assert_output ""
}

@test "SIGTERM mid-verify: the runs checked are reported, exit 143" {
	archive 3 10
	populate "$A" cfg.json 2>/dev/null
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "BatchGetItem"}, "action": "delay", "ms": 3000}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY populate verify "$A" cfg.json >out 2>err &
	pid=$!
	until grep -q BatchGetItem <<<"$(proxy_stats)"; do sleep 0.1; done
	kill -TERM "$pid"
	rc=0 && wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	assert_equal "$(cat out)" "0 of 3 runs, 0 events: 0 present with the run's etlTime, 0 with an earlier one, 0 with a later one, 0 missing"
	assert_equal "$(tail -n 1 err)" "populate: interrupted at run=${RUN1#run=}"
}

@test "verify: an item missing whose ttl has passed is expired, not missing (DynamoDB deletes those)" {
	archive 2 4
	# the archive's events are of 2017: past the 180-day lifespan
	populate "$A" cfg.json 2>/dev/null
	items "$RUN1" | del
	run -0 --separate-stderr populate verify "$A" cfg.json
	assert_line -n 0 "$RUN1: 4 events: 0 present with the run's etlTime, 0 with an earlier one, 0 with a later one, 0 missing, 4 expired"
	assert_line -n 2 "2 runs, 8 events: 0 present with the run's etlTime, 0 with an earlier one, 0 with a later one, 0 missing, 8 expired"
	[ ! -e "$(job)/missing.jsonl" ]
	# under another lifespan, they are missing
	run -1 --separate-stderr populate verify --ttl-from now "$A" cfg.json
	assert_line -n 2 "2 runs, 8 events: 0 present with the run's etlTime, 0 with an earlier one, 0 with a later one, 8 missing"
}

# --- the state is a cache of the table ---

@test "the state: a table emptied of every item gets every run again, and ends as a first run left it" {
	archive 3 10
	run -0 populate "$A" cfg.json
	want=$(table)
	J=$(job)
	table | del
	assert_equal "$(table)" ""
	run -0 --separate-stderr populate "$A" cfg.json
	assert_equal "$stderr" "populate: state file $J.state: 3 runs recorded as done, but table $T holds no item: the state starts again and every run is read
populate: runs to read older than the 180-day lifespan, whose items expire at once: 3 of 3 (--ttl-from now keeps them)
populate: 3 of 3 runs read; state $J.state
populate: 36 events: 18 written, 12 already present, 6 bad rows (in $J/bad-rows), 0 not written
populate: items past the 180-day lifespan, which expire at once: 30 (--ttl-from now keeps them)"
	assert_equal "$(table)" "$want"
	# a table that holds an item keeps the state: nothing to read
	run -0 --separate-stderr populate "$A" cfg.json
	assert_equal "${stderr_lines[0]}" "populate: 0 of 3 runs read, 3 done before; state $J.state"
	# --dry-run says it too
	table | del
	run -0 --separate-stderr populate -n "$A" cfg.json
	assert_equal "${stderr_lines[0]}" "populate: state file $J.state: 3 runs recorded as done, but table $T holds no item: the state starts again and every run is read"
	assert_line -n 0 "table $T in us-east-1 (keys from the storage config): ready"
	assert_line -n 1 "$RUN1: 2 objects, to read"
}

# --- dynaput --describe ---

@test "dynaput --describe: the key, the status and whether the table holds an item, as JSON" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	run -0 --separate-stderr dynaput -t "$T" --describe --manifest
	assert_output "{\"table\":\"$T\",\"status\":\"ACTIVE\",\"hash\":\"eventId\",\"hashType\":\"S\",\"range\":\"fingerprint\",\"rangeType\":\"S\",\"empty\":true}"
	assert_equal "$stderr" ""
	echo '{"eventId":"e","fingerprint":"f","etlTime":1}' | dynaput -t "$T" 2>/dev/null
	run -0 dynaput -t "$T" --describe
	assert_output --partial '"empty":false}'
	# one Scan of Limit 1, counting
	proxy_up "$DDB_ENDPOINT"
	run -0 dynaput -t "$T" --describe -e "$PROXY"
	run -0 jq -c '[.log[] | {target, body: (.body | fromjson)}]' <<<"$(proxy_stats)"
	assert_output "[{\"target\":\"DynamoDB_20120810.DescribeTable\",\"body\":{\"TableName\":\"$T\"}},{\"target\":\"DynamoDB_20120810.Scan\",\"body\":{\"TableName\":\"$T\",\"Limit\":1,\"Select\":\"COUNT\"}}]"
	# a key of one number; a table made now; missing; a name refused
	ddb CreateTable "{\"TableName\":\"$T-n\",\"BillingMode\":\"PAY_PER_REQUEST\",
		\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":\"N\"}],
		\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]}" >/dev/null
	run -0 dynaput -t "$T-n" --describe
	assert_output "{\"table\":\"$T-n\",\"status\":\"ACTIVE\",\"hash\":\"id\",\"hashType\":\"N\",\"empty\":true}"
	run -2 dynaput -t "$T-n" --describe --manifest
	assert_output --partial "--manifest needs (eventId HASH, fingerprint RANGE)"
	run -3 --separate-stderr dynaput -t "$T-x" --describe
	assert_output ""
	assert_equal "$stderr" "dynaput: table $T-x: ResourceNotFoundException: Requested resource not found: Table: $T-x not found"
	run -0 --separate-stderr dynaput -t "$T-x" --describe --create --manifest
	assert_output --partial '"empty":true}'
	assert_equal "${stderr_lines[0]}" "dynaput: table $T-x: created"
	run -2 dynaput -t 'a b' --describe
	assert_output --partial ValidationException
	run -2 dynaput -t "$T" --describe -x rejects
	assert_output "dynaput: --describe: -x: it reads no line"
	run -2 dynaput -t "$T" --describe --get
	assert_output "dynaput: --get, --describe: one or the other"
}

# --- dynaput --get ---

@test "dynaput --get: the items found, as plain JSON; the missing ones counted; rejects as in the other modes" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	eventcut "$DATA/enriched-samples.tsv" 2>/dev/null >items.json
	head -n 3 items.json | dynaput -t "$T" --manifest 2>/dev/null
	{ cat items.json; echo '{"eventId":"nope","fingerprint":"f"}'; } >keys.json
	run -0 --separate-stderr dynaput -t "$T" --get --manifest -S sum.json keys.json
	assert_equal "$(sort <<<"$output")" "$(head -n 3 items.json | sort)"
	assert_equal "$stderr" "dynaput: 6 read, 3 found, 3 missing, 0 rejected, 0 retries"
	assert_equal "$(cat sum.json)" '{"prog":"dynaput","read":6,"found":3,"missing":3,"rejected":0,"retries":0,"throttled":0}'
	[ "$(stat -c %a sum.json)" = 600 ]
	# only the key matters; without --manifest, the whole item
	echo '{"eventId":"e","fingerprint":"f","etlTime":1,"more":[1,"x",{"y":null}],"ok":true}' |
		dynaput -t "$T" 2>/dev/null
	run -0 --separate-stderr dynaput -t "$T" --get <<<'{"fingerprint":"f","eventId":"e","etlTime":"other"}'
	assert_output '{"eventId":"e","fingerprint":"f","etlTime":1,"more":[1,"x",{"y":null}],"ok":true}'
	# DynamoDB JSON in, DynamoDB JSON out
	run -0 --separate-stderr dynaput -t "$T" --get --typed <<<'{"eventId":{"S":"e"},"fingerprint":{"S":"f"}}'
	assert_equal "$(jq -cS . <<<"$output")" '{"etlTime":{"N":"1"},"eventId":{"S":"e"},"fingerprint":{"S":"f"},"more":{"L":[{"N":"1"},{"S":"x"},{"M":{"y":{"NULL":true}}}]},"ok":{"BOOL":true}}'
	# a line without the key, of another type, empty, or no JSON: rejects
	printf '%s\n' '{"eventId":"e"}' '{"eventId":1,"fingerprint":"f"}' \
		'{"eventId":"","fingerprint":"f"}' 'no' '{"eventId":"e","fingerprint":"f"}' >bad.json
	run -1 --separate-stderr dynaput -t "$T" --get bad.json
	assert_output '{"eventId":"e","fingerprint":"f","etlTime":1,"more":[1,"x",{"y":null}],"ok":true}'
	assert_equal "$stderr" "dynaput: bad.json:1: the item has no fingerprint (of the key)
dynaput: bad.json:2: eventId must be a string (S), as the table's key is
dynaput: bad.json:3: eventId: an empty value, which no key has
dynaput: bad.json:4: invalid JSON: '[' or '{' expected near 'no' (column 2)
dynaput: 5 read, 1 found, 0 missing, 4 rejected, 0 retries"
	run -1 dynaput -t "$T" --get -x rejects.json bad.json
	assert_equal "$(jq -r .line rejects.json)" "$(head -n 4 bad.json)"
	# a closed pipe ends it quietly
	run -0 bash -c "yes '{\"eventId\":\"e\",\"fingerprint\":\"f\"}' | head -n 5000 | dynaput -t '$T' --get 2>/dev/null | head -n 1"
	assert_output --partial '"eventId":"e"'
	run -2 dynaput -t "$T" --get --create
	assert_output "dynaput: --get: no --create: a new table holds no item to look up"
	run -2 dynaput -t "$T" --get -b
	assert_output "dynaput: --get: -b is for writes"
}

@test "dynaput --get: 100 keys a request, each key once in one, strongly consistent, the key and etlTime and ttl read" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	seq 250 | awk '{ printf "{\"eventId\":\"e%d\",\"fingerprint\":\"f\",\"etlTime\":%d,\"ttl\":9}\n", $1, $1 }' >keys.json
	dynaput -t "$T" --manifest keys.json 2>/dev/null
	proxy_up "$DDB_ENDPOINT"
	run -0 --separate-stderr dynaput -t "$T" --get --manifest -j 1 -e "$PROXY" keys.json
	assert_equal "$stderr" "dynaput: 250 read, 250 found, 0 missing, 0 rejected, 0 retries"
	assert_equal "$(sort <<<"$output")" "$(sort keys.json)"
	requests() {
		jq -c "[.log[] | select(.target | endswith(\"BatchGetItem\")) | .body | fromjson |
			.RequestItems[\"$T\"] | $1]" <<<"$(proxy_stats)"
	}
	assert_equal "$(requests '.Keys | length')" "[100,100,50]"
	assert_equal "$(requests 'del(.Keys)' | jq -c 'unique')" '[{"ConsistentRead":true,"ProjectionExpression":"#p0,#p1,#p2,#p3","ExpressionAttributeNames":{"#p0":"eventId","#p1":"fingerprint","#p2":"etlTime","#p3":"ttl"}}]'
	# 250 lines of 60 keys: each key once, in one request; each line
	# found gets the table's item
	curl -sf -X POST "$PROXY/__fault/reset"
	seq 250 | awk '{ printf "{\"eventId\":\"e%d\",\"fingerprint\":\"f\"}\n", $1 % 60 + 1 }' >dup.json
	run -0 --separate-stderr dynaput -t "$T" --get --manifest -j 1 -e "$PROXY" dup.json
	assert_equal "$stderr" "dynaput: 250 read, 250 found, 0 missing, 0 rejected, 0 retries"
	assert_equal "$(requests '.Keys | length')" "[60]"
	assert_equal "$(sort <<<"$output" | uniq -c | awk '{ print $1 }' | sort | uniq -c | awk '{ print $1, $2 }')" "50 4
10 5"
	# without --manifest, the whole item
	assert_equal "$(requests 'has("ProjectionExpression")')" "[true]"
	curl -sf -X POST "$PROXY/__fault/reset"
	dynaput -t "$T" --get -e "$PROXY" dup.json >/dev/null 2>&1
	assert_equal "$(requests 'del(.Keys)')" '[{"ConsistentRead":true}]'
}

@test "dynaput --get: UnprocessedKeys and throttling are sent again, a refused key alone is rejected" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	seq 300 | awk '{ printf "{\"eventId\":\"e%d\",\"fingerprint\":\"f\",\"etlTime\":%d}\n", $1, $1 }' >keys.json
	dynaput -t "$T" -b keys.json 2>/dev/null
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "BatchGetItem"}, "action": "unprocessed", "fraction": 0.5, "times": 4},
		{"match": {"target": "BatchGetItem"}, "action": "status", "status": 400, "times": 2,
		 "body": "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"slow down\"}"}]'
	run -0 --separate-stderr dynaput -t "$T" --get -e "$PROXY" -S sum.json keys.json
	assert_equal "$(sort <<<"$output")" "$(sort keys.json)"
	run -0 jq -c '{read, found, missing, rejected, retries: (.retries >= 6), throttled: (.throttled >= 6)}' sum.json
	assert_output '{"read":300,"found":300,"missing":0,"rejected":0,"retries":true,"throttled":true}'
	[ "$(jq '.faults.unprocessed_keys' <<<"$(proxy_stats)")" -gt 0 ]
	# a key DynamoDB refuses (over 2048 bytes) spoils its request: the
	# keys are then sent one by one, and only it is a reject
	proxy_rules '[]'
	{ head -n 50 keys.json
	  jq -cn '{eventId: ("x" * 3000), fingerprint: "f"}'
	  sed -n '51,60p' keys.json; } >some.json
	run -1 --separate-stderr dynaput -t "$T" --get -e "$PROXY" -x rejects.json some.json
	assert_equal "$(sort <<<"$output")" "$(head -n 60 keys.json | sort)"
	assert_equal "$(jq -r '.line | fromjson | .eventId | length' rejects.json)" 3000
	assert_equal "$(jq -r '.errors[0].message' rejects.json | cut -c1-20)" "ValidationException:"
}

@test "dynaput --get: SIGTERM or SIGINT cancels the lookups in flight at once: rejects, the summary, 143 or 130" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	seq 300 | awk '{ printf "{\"eventId\":\"e%d\",\"fingerprint\":\"f\"}\n", $1 }' >keys.json
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "BatchGetItem"}, "action": "delay", "ms": 10000}]'
	mkfifo in
	for sig in TERM INT; do
		curl -sf -X POST "$PROXY/__fault/reset"
		proxy_rules '[{"match": {"target": "BatchGetItem"}, "action": "delay", "ms": 10000}]'
		# a pipe that stays open: the 300 keys are read, then it waits
		dynaput -t "$T" --get -e "$PROXY" -x rejects.json <in 2>err 3>&- &
		pid=$!
		exec 5>in
		cat keys.json >&5
		until [ "$(proxy_stats | jq '[.log[] | select(.target | endswith("BatchGetItem"))] | length')" -ge 3 ]; do
			sleep 0.1
		done
		start=$(date +%s%N)
		kill -"$sig" "$pid"
		rc=0 && wait "$pid" || rc=$?
		ms=$((($(date +%s%N) - start) / 1000000))
		exec 5>&-
		[ "$ms" -lt 1000 ] || fail "$sig: ended in $ms ms"
		[ "$rc" -eq "$([ "$sig" = TERM ] && echo 143 || echo 130)" ] || fail "$sig: exit $rc"
		assert_equal "$(cat err)" "dynaput: 300 read, 0 found, 0 missing, 300 rejected, 0 retries"
		assert_equal "$(jq -r '.errors[0].message' rejects.json | sort -u)" "interrupted: not looked up"
	done
}

@test "dynaput --get: --rate caps the keys a second; a table gone stops it, exit 3" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	seq 300 | awk '{ printf "{\"eventId\":\"e%d\",\"fingerprint\":\"f\"}\n", $1 }' >keys.json
	start=$(date +%s%N)
	run -0 --separate-stderr dynaput -t "$T" --get --rate 100 keys.json
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_equal "$stderr" "dynaput: 300 read, 0 found, 300 missing, 0 rejected, 0 retries"
	# 300 keys at 100 a second: two seconds at least after the first 100
	[ "$ms" -ge 1900 ] || fail "300 keys in $ms ms"
	# the table deleted under it: every line not looked up is a reject
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "BatchGetItem"}, "action": "status", "status": 400,
		"body": "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\",\"message\":\"Requested resource not found\"}"}]'
	run -3 --separate-stderr dynaput -t "$T" --get -e "$PROXY" -x rejects.json keys.json
	assert_equal "${stderr_lines[0]}" "dynaput: table $T: ResourceNotFoundException: Requested resource not found"
	assert_equal "${stderr_lines[1]}" "dynaput: 300 read, 0 found, 0 missing, 300 rejected, 0 retries"
	assert_equal "$(wc -l <rejects.json)" 300
}
