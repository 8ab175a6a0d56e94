#!/usr/bin/env bats
# ddbsink (bench/ddbsink.c): the DynamoDB-like sink the benchmarks use
# for DynamoDB's latency and capacity.  Checked with plain curl for what
# DynamoDB answers, and with dynaput against it.  Every sink is started
# by the test itself (helper.bash's sink_up), on a free port.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test \
		AWS_SECRET_ACCESS_KEY=test
}

teardown() {
	sink_down
}

MANIFEST='(attribute_not_exists(eventId) AND attribute_not_exists(fingerprint)) OR etlTime = :tst'
SHARDED='attribute_not_exists(eventId) OR (etlTime >= :tst AND etlTime <= :newest)'
CCF='{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}'
PTE='{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}'

# call OP JSON: one DynamoDB call to the sink (unsigned: it checks no
# signature); prints the HTTP status, a space and the body
call() {
	local code
	code=$(curl -sS -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' \
		-H 'Content-Type: application/x-amz-json-1.0' \
		-H "X-Amz-Target: DynamoDB_20120810.$1" \
		--data-binary "$2" "$SINK/")
	printf '%s %s\n' "$code" "$(cat "$BATS_TEST_TMPDIR/body")"
}

# put ID ETL [COND [NEWEST]]: a PutItem of a manifest item to table man;
# COND "manifest" or "sharded" adds that condition with :tst = ETL
put() {
	local body
	body=$(jq -cn --arg id "$1" --arg e "$2" --arg c "${3:-}" \
		--arg n "${4:-}" --arg m "$MANIFEST" --arg s "$SHARDED" '
		{TableName: "man", Item: {eventId: {S: $id},
			fingerprint: {S: "bed9a39a0917874d2ff072033a6413d9"},
			etlTime: {N: $e}, ttl: {N: (($e | tonumber) + 15552000 | tostring)}}}
		+ if $c == "manifest" then {ConditionExpression: $m,
			ExpressionAttributeValues: {":tst": {N: $e}}}
		elif $c == "sharded" then {ConditionExpression: $s,
			ExpressionAttributeValues: {":tst": {N: $e}, ":newest": {N: $n}}}
		else {} end')
	call PutItem "$body"
}

# etl ID: the etlTime the sink holds for ID
etl() { sink_items | jq -r --arg id "$1" 'select(.eventId == $id) | .etlTime'; }

# items N: N manifest items with distinct keys, as eventcut writes them
items() {
	awk -v n="$1" -v d="${2:-0}" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"eventId\":\"%08d-f570-4414-b91a-b0db8f39cc2e\",\"fingerprint\":\"bed9a39a0917874d2ff072033a6413d9\",\"etlTime\":%d,\"ttl\":%d}\n",
			i, 1480236400 + d + i, 1495788400 + d + i }'
}

# batch N [BYTES]: a BatchWriteItem of N items to table man, all of one
# eventId, each with a pad attribute of BYTES bytes
batch() {
	jq -cn --argjson n "$1" --argjson b "${2:-0}" '{RequestItems: {man: [
		range($n) as $i | {PutRequest: {Item: ({eventId: {S: "e"},
			fingerprint: {S: "f\($i)"}, etlTime: {N: "1480236400"}}
			+ if $b > 0 then {pad: {S: ("x" * $b)}} else {} end)}}]}}'
}

stat() { sink_stats | jq -r "$1"; }

@test "ddbsink: usage on -h (status 0) and on a bad option (status 2)" {
	run -0 "$TOP/build/ddbsink" -h
	assert_output --regexp '^usage: ddbsink \[-PZ\] .*\[-t table \.\.\.\]$'
	run -2 "$TOP/build/ddbsink" -c nope
	assert_output 'ddbsink: -c: nope: not a number from 0 to 1e+09'
}

@test "ddbsink: DescribeTable answers the manifest's key schema, ACTIVE, for -t's table only" {
	sink_up -t snowplow-manifest
	run -0 call DescribeTable '{"TableName":"snowplow-manifest"}'
	assert_output --partial '200 {"Table":{'
	run -0 jq -c '.Table | [.TableName, .TableStatus, .KeySchema, .AttributeDefinitions]' <<<"${output#* }"
	assert_output '["snowplow-manifest","ACTIVE",[{"AttributeName":"eventId","KeyType":"HASH"},{"AttributeName":"fingerprint","KeyType":"RANGE"}],[{"AttributeName":"eventId","AttributeType":"S"},{"AttributeName":"fingerprint","AttributeType":"S"}]]'
	run -0 call DescribeTable '{"TableName":"another"}'
	assert_output '400 {"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found: Table: another not found"}'
	run -0 call PutItem '{"TableName":"another","Item":{"eventId":{"S":"a"},"fingerprint":{"S":"b"}}}'
	assert_output '400 {"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}'
}

@test "ddbsink: without -t every table exists; capacity shows in DescribeTable" {
	sink_up -c 40000
	run -0 call DescribeTable '{"TableName":"any.name_1"}'
	run -0 jq -c '.Table | [.TableName, .TableStatus, .ProvisionedThroughput.WriteCapacityUnits]' <<<"${output#* }"
	assert_output '["any.name_1","ACTIVE",40000]'
}

@test "ddbsink: dynaput --create makes a missing table, waits for it and enables TTL" {
	sink_up -t other
	items 3 >in.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t fresh --create --manifest in.jsonl
	assert_equal "${stderr_lines[0]}" 'dynaput: table fresh: created'
	assert_equal "${stderr_lines[1]}" 'dynaput: 3 read, 3 written, 0 already present, 0 rejected, 0 retries'
	run -0 call DescribeTimeToLive '{"TableName":"fresh"}'
	assert_output '200 {"TimeToLiveDescription":{"AttributeName":"ttl","TimeToLiveStatus":"ENABLED"}}'
	run -0 call CreateTable '{"TableName":"fresh"}'
	assert_output '400 {"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"Table already exists: fresh"}'
	run -0 stat '.by_op | [.CreateTable, .UpdateTimeToLive] | @tsv'
	assert_output "2	1"
	assert_equal "$(sink_items fresh)" "$(sort in.jsonl)"
}

@test "ddbsink: a PutItem is written, counted and listed" {
	sink_up
	run -0 put 0b1c8d5a-f570-4414-b91a-b0db8f39cc2e 1480236400
	assert_output '200 {}'
	run -0 stat '[.requests, .items_written, .distinct_keys] | @tsv'
	assert_output "1	1	1"
	run -0 sink_items
	assert_output '{"eventId":"0b1c8d5a-f570-4414-b91a-b0db8f39cc2e","fingerprint":"bed9a39a0917874d2ff072033a6413d9","etlTime":1480236400,"ttl":1495788400}'
}

@test "ddbsink: the manifest's condition fails for another etlTime, holds for an equal one" {
	sink_up
	run -0 put e1 1480236400 manifest
	assert_output '200 {}'
	run -0 put e1 1480240000 manifest
	assert_output "400 $CCF"
	run -0 put e1 1480236400 manifest
	assert_output '200 {}'
	run -0 put e2 1480240000 manifest
	assert_output '200 {}'
	run -0 stat '[.items_written, .conditional_failures, .distinct_keys] | @tsv'
	assert_output "3	1	2"
	assert_equal "$(etl e1)" 1480236400
}

@test "ddbsink: the sharded condition lowers etlTime only, and never past :newest" {
	sink_up
	run -0 put s1 200 sharded 300
	assert_output '200 {}'
	run -0 put s1 250 sharded 300
	assert_output "400 $CCF"
	assert_equal "$(etl s1)" 200
	run -0 put s1 150 sharded 300
	assert_output '200 {}'
	assert_equal "$(etl s1)" 150
	# the stored item is newer than this plan's newest: left alone
	run -0 put s1 100 sharded 120
	assert_output "400 $CCF"
	assert_equal "$(etl s1)" 150
	# the one-sided form
	run -0 call PutItem '{"TableName":"man","Item":{"eventId":{"S":"s1"},"fingerprint":{"S":"bed9a39a0917874d2ff072033a6413d9"},"etlTime":{"N":"160"}},"ConditionExpression":"attribute_not_exists(eventId) OR etlTime >= :tst","ExpressionAttributeValues":{":tst":{"N":"160"}}}'
	assert_output "400 $CCF"
	run -0 call PutItem '{"TableName":"man","Item":{"eventId":{"S":"s1"},"fingerprint":{"S":"bed9a39a0917874d2ff072033a6413d9"},"etlTime":{"N":"140"}},"ConditionExpression":"attribute_not_exists(eventId) OR etlTime >= :tst","ExpressionAttributeValues":{":tst":{"N":"140"}}}'
	assert_output '200 {}'
	assert_equal "$(etl s1)" 140
	run -0 stat '.conditional_failures'
	assert_output 3
}

@test "ddbsink: an unknown condition holds; an undefined value is refused as DynamoDB does" {
	sink_up
	run -0 put u1 100
	run -0 call PutItem '{"TableName":"man","Item":{"eventId":{"S":"u1"},"fingerprint":{"S":"bed9a39a0917874d2ff072033a6413d9"},"etlTime":{"N":"50"}},"ConditionExpression":"begins_with(other, :p)","ExpressionAttributeValues":{":p":{"S":"x"}}}'
	assert_output '200 {}'
	assert_equal "$(etl u1)" 50
	run -0 call PutItem '{"TableName":"man","Item":{"eventId":{"S":"u1"},"fingerprint":{"S":"f"}},"ConditionExpression":"etlTime = :nope"}'
	assert_output '400 {"__type":"com.amazon.coral.validate#ValidationException","message":"Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"}'
}

@test "ddbsink: malformed requests get DynamoDB's errors" {
	sink_up
	run -0 call PutItem '{"TableName":"man",'
	assert_output '400 {"__type":"com.amazon.coral.service#SerializationException"}'
	run -0 call PutItem '{"TableName":"man","Item":{"eventId":{"S":"a"}}}'
	assert_output '400 {"__type":"com.amazon.coral.validate#ValidationException","message":"One or more parameter values were invalid: Missing the key fingerprint in the item"}'
	run -0 call PutItem '{"TableName":"man","Item":{"eventId":{"N":"1"},"fingerprint":{"S":"b"}}}'
	assert_output '400 {"__type":"com.amazon.coral.validate#ValidationException","message":"One or more parameter values were invalid: Type mismatch for key eventId expected: S actual: N"}'
	run -0 call GetItem '{"TableName":"man"}'
	assert_output '400 {"__type":"com.amazon.coral.service#UnknownOperationException"}'
	run -0 stat '[.requests, .items_written, .errors] | @tsv'
	assert_output "4	0	4"
}

@test "ddbsink: throttling begins when the burst credit is spent" {
	# 0.01 WCU a second: its 300 s of burst are 3 writes
	sink_up -c 0.01
	run -0 put b1 100
	assert_output '200 {}'
	run -0 put b2 100
	run -0 put b3 100
	assert_output '200 {}'
	run -0 put b4 100
	assert_output "400 $PTE"
	run -0 stat '[.items_written, .throttled_requests, .throttled_items] | @tsv'
	assert_output "3	1	1"
	run -0 sink_items
	assert_equal "${#lines[@]}" 3
}

@test "ddbsink: -Z starts with no credit: the first write is throttled" {
	sink_up -c 1000 -Z
	run -0 put z1 100
	assert_output "400 $PTE"
}

@test "ddbsink: a write costs one WCU a KB, rounded up" {
	# 3 WCU of burst: a 2.5 KB item takes all of it
	sink_up -c 0.01
	run -0 call PutItem "$(jq -cn '{TableName: "man", Item: {eventId: {S: "w1"},
		fingerprint: {S: "f"}, pad: {S: ("x" * 2500)}}}')"
	assert_output '200 {}'
	run -0 put w2 100
	assert_output "400 $PTE"
}

@test "ddbsink: BatchWriteItem over capacity returns the rest in UnprocessedItems, then a 400" {
	sink_up -c 0.01
	batch 5 >b.json
	run -0 call BatchWriteItem "@b.json"
	assert_output --partial '200 {"UnprocessedItems":{"man":['
	# the last two, as they were sent
	run -0 jq -c '.UnprocessedItems' <<<"${output#* }"
	assert_output "$(jq -c '{man: .RequestItems.man[3:]}' b.json)"
	run -0 call BatchWriteItem "@b.json"
	assert_output "400 $PTE"
	run -0 stat '[.items_written, .unprocessed_items, .throttled_requests, .throttled_items] | @tsv'
	assert_output "3	2	1	7"
	run -0 sink_items
	assert_equal "${#lines[@]}" 3
}

@test "ddbsink: -P gives each partition 1,000 WCU of the capacity, by eventId" {
	# 9 items of 201 WCU (205 KB), one eventId: 1,809 WCU; the table has
	# 2,000 (-b 1: one second's worth), each of its 2 partitions 1,000
	batch 9 205000 >b.json
	sink_up -c 2000 -b 1
	run -0 call BatchWriteItem "@b.json"
	assert_output '200 {"UnprocessedItems":{}}'
	sink_down
	sink_up -c 2000 -b 1 -P
	run -0 call BatchWriteItem "@b.json"
	run -0 jq '.UnprocessedItems.man | length' <<<"${output#* }"
	assert_output 5
}

@test "ddbsink: dynaput retries throttling until the table equals its input" {
	sink_up -c 300 -Z
	items 600 >in.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest -j 8 in.jsonl
	assert_equal "${stderr_lines[-1]%, * retries}" 'dynaput: 600 read, 600 written, 0 already present, 0 rejected'
	run -0 stat '.throttled_requests > 0'
	assert_output true
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	# BatchWriteItem: throttled items come back as UnprocessedItems
	run -0 curl -sf -X POST "$SINK/__sink/reset"
	items 600 7 >in2.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t man -b -j 4 in2.jsonl
	run -0 stat '.throttled_items > 0 and .items_written == 600'
	assert_output true
	assert_equal "$(sink_items)" "$(sort in2.jsonl)"
}

@test "ddbsink: dynaput --manifest fills it, then finds every item present" {
	sink_up
	items 500 >in.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest -j 16 in.jsonl
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	# a later etl of the same events: the manifest keeps the first
	items 500 3600 >later.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest -j 16 later.jsonl
	assert_equal "${stderr_lines[-1]}" 'dynaput: 500 read, 0 written, 500 already present, 0 rejected, 0 retries'
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	run -0 stat '[.items_written, .conditional_failures, .distinct_keys, .peak_connections > 1] | @tsv'
	assert_output "500	500	500	true"
}

@test "ddbsink: -l applies the latency before each answer" {
	sink_up -l 200
	run -0 curl -sS -o /dev/null -w '%{time_total}' \
		-H 'X-Amz-Target: DynamoDB_20120810.DescribeTable' \
		--data '{"TableName":"man"}' "$SINK/"
	run -0 awk -v t="$output" 'BEGIN { print (t >= 0.2) ? "late enough" : "early: " t }'
	assert_output 'late enough'
}

@test "ddbsink: stats: every counter, a per-second series, and on SIGTERM" {
	sink_up -s 5
	run -0 put st1 100
	run -0 put st1 101 manifest
	run -0 stat 'keys_unsorted | join(",")'
	assert_output 'requests,by_op,items_written,items_deleted,conditional_failures,throttled_requests,throttled_items,unprocessed_items,errors,distinct_keys,tables,connections,peak_connections,connections_accepted,uptime_s,cpu_s,series'
	run -0 stat '[.requests, .items_written, .conditional_failures, .by_op.PutItem, (.series.items_written | add), (.series.items_written | length <= 5)] | @tsv'
	assert_output "2	1	1	2	1	true"
	local rc=0
	kill -TERM "$SINK_PID"
	wait "$SINK_PID" || rc=$?
	SINK_PID=
	assert_equal "$rc" 143
	run -0 sed -n 2p "$BATS_TEST_TMPDIR/sink.out"
	run -0 jq -c '[.requests, .items_written]' <<<"$output"
	assert_output '[2,1]'
}

@test "ddbsink: /__sink/reset forgets items and counters" {
	sink_up
	run -0 put r1 100
	run -0 curl -sf -X POST "$SINK/__sink/reset"
	run -0 stat '[.requests, .items_written, .distinct_keys] | @tsv'
	assert_output "0	0	0"
	run -0 sink_items
	assert_output ''
}
