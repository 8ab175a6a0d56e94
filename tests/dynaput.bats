#!/usr/bin/env bats
# dynaput: JSON Lines items into DynamoDB, against dynalite (correct
# condition semantics and limits); faults come from our proxy in front of
# it.  Tables are made and read back with plain curl (helper.bash's ddb),
# so the checks owe nothing to dynaput.  The same condition, table and
# TTL cases against AWS DynamoDB Local are in dynaput-ddblocal.bats.

load helper

setup_file() {
	servers_up
}

teardown_file() {
	servers_down
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	export AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT AWS_REGION=us-east-1 \
		AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	T=dp-$BATS_TEST_NUMBER-$$
}

teardown() {
	proxy_down
}

# mk TABLE [KEYS]: a table whose key is eventId, fingerprint (or KEYS,
# "name:type[,name:type]" for HASH[, RANGE])
mk() {
	local spec=${2:-eventId:S,fingerprint:S}
	ddb CreateTable "$(jq -cn --arg t "$1" --arg k "$spec" '
		($k | split(",") | map(split(":"))) as $ks |
		{TableName: $t, BillingMode: "PAY_PER_REQUEST",
		 AttributeDefinitions: [$ks[] | {AttributeName: .[0], AttributeType: .[1]}],
		 KeySchema: [$ks | to_entries[] |
			{AttributeName: .value[0], KeyType: (if .key == 0 then "HASH" else "RANGE" end)}]}')" \
		>/dev/null
}

# scan TABLE: every item as DynamoDB JSON, keys sorted, items sorted
scan() {
	local start='' out
	while :; do
		out=$(ddb Scan "$(jq -cn --arg t "$1" --argjson s "${start:-null}" \
			'{TableName: $t} + (if $s then {ExclusiveStartKey: $s} else {} end)')")
		jq -S -c '.Items[]' <<<"$out"
		start=$(jq -c '.LastEvaluatedKey // empty' <<<"$out")
		[ -n "$start" ] || break
	done | sort
}

# count TABLE: items, every page
count() {
	local start='' out n=0
	while :; do
		out=$(ddb Scan "$(jq -cn --arg t "$1" --argjson s "${start:-null}" \
			'{TableName: $t, Select: "COUNT"} + (if $s then {ExclusiveStartKey: $s} else {} end)')")
		n=$((n + $(jq .Count <<<"$out")))
		start=$(jq -c '.LastEvaluatedKey // empty' <<<"$out")
		[ -n "$start" ] || break
	done
	echo "$n"
}

# manifest items: item ID FP ETL -> {"eventId":...}
item() { printf '{"eventId":"%s","fingerprint":"%s","etlTime":%s,"ttl":%s}\n' \
	"$1" "$2" "$3" "$(($3 + 15552000))"; }

# items N [FROM]: N manifest items with distinct keys
items() {
	awk -v n="$1" -v from="${2:-0}" 'BEGIN { for (i = from; i < from + n; i++)
		printf "{\"eventId\":\"%08d-f570-4414-b91a-b0db8f39cc2e\",\"fingerprint\":\"bed9a39a0917874d2ff072033a6413d9\",\"etlTime\":1480236400,\"ttl\":1495788400}\n", i }'
}

# typed FILE: the plain items of FILE as scan prints them (strings and
# integers only: jq keeps integers of these sizes exactly)
typed() {
	jq -S -c 'map_values(if type == "string" then {S: .} else {N: tostring} end)' "$1" | sort
}

summary() { tail -n 1 <<<"$output"; }

@test "usage: -h and --help, a line per option; each misuse exits 2 with a reason" {
	u="usage: dynaput -t table [-bv] [-j N] [-c expr] [-S summary] [-N #name=attribute] [-V :name=attribute] [-x rejects] [--manifest] [--newest time] [--typed] [--create] [--on-demand] [--rate N] [-e endpoint] [-p profile] [-r region] [--ca-bundle file] [file ...]"
	run -0 --separate-stderr dynaput -h
	assert_equal "${lines[0]}" "$u"
	assert_equal "${#lines[@]}" 24
	for o in '-t, --table table' -b '-j N' '-c expr' '-S summary' \
		'-V :name=attribute' -v '-x rejects' --manifest --typed --create \
		--on-demand '--rate N' '-e, --endpoint-url url' \
		'-p, --profile name' '-r, --region name' '--ca-bundle file'; do
		assert_line --regexp "^  ${o//./\\.}  +[a-z]"
	done
	run -0 --separate-stderr dynaput --help
	assert_equal "${lines[0]}" "$u"
	run -2 --separate-stderr dynaput </dev/null
	assert_equal "${stderr_lines[0]}" "$u"
	run -2 dynaput -t x --manifest -c 'attribute_not_exists(a)' </dev/null
	assert_output 'dynaput: -c: no condition with --manifest (it has its own)'
	run -2 dynaput -t x -b -c 'attribute_not_exists(a)' </dev/null
	assert_output 'dynaput: -c: no condition with -b (BatchWriteItem has none)'
	run -2 dynaput -t x -b --manifest </dev/null
	assert_output 'dynaput: -b: BatchWriteItem has no condition: --manifest writes with PutItem'
	run -2 dynaput -t x -V :a=b </dev/null
	assert_output 'dynaput: -V: values only go with a condition (-c)'
	run -2 dynaput -t x -c c -V a=b </dev/null
	assert_output 'dynaput: -V a=b: not :name=attribute'
	run -2 dynaput -t x --on-demand </dev/null
	assert_output 'dynaput: --on-demand: only with --create'
	run -2 dynaput -t x -j 0 </dev/null
	assert_output 'dynaput: -j: 0: not a number from 1 to 1024'
	run -2 dynaput -t x -j 16x </dev/null
	assert_output 'dynaput: -j: 16x: not a number from 1 to 1024'
	run -2 dynaput -t x --rate fast </dev/null
	assert_output 'dynaput: --rate: fast: not a number of writes a second'
	run -2 dynaput -t x --nope </dev/null
	assert_line --index 0 --partial 'unrecognized option'
}

@test "a missing table: exit 3 with the table's name and DynamoDB's reason" {
	run -3 --separate-stderr dynaput -t nosuch-table </dev/null
	assert_equal "$stderr" "dynaput: table nosuch-table: ResourceNotFoundException: Requested resource not found: Table: nosuch-table not found"
	assert_output ''
}

@test "the table is checked before the first item: a bad name is a usage error, a key of the wrong type is refused at once" {
	run -2 --separate-stderr dynaput -t a </dev/null
	assert_equal "$stderr" "dynaput: table a: ValidationException: TableName must be at least 3 characters long and at most 255 characters long"
	run -2 --separate-stderr dynaput -t 'a b' </dev/null
	assert_equal "$stderr" "dynaput: table a b: ValidationException: 1 validation error detected: Value 'a b' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	mk "$T-n" eventId:S,fingerprint:N
	mk "$T-b" eventId:B,fingerprint:S
	item e f 1 >in
	run -2 --separate-stderr dynaput -t "$T-n" --manifest -x bad in
	assert_equal "$stderr" "dynaput: table $T-n: its key fingerprint is a number (N), --manifest needs strings (S), as the Shred step writes them"
	[ ! -s bad ]
	run -2 --separate-stderr dynaput -t "$T-b" --manifest in
	assert_equal "$stderr" "dynaput: table $T-b: its key eventId is binary (B), --manifest needs strings (S), as the Shred step writes them"
	run count "$T-n"
	assert_output 0
}

@test "nothing listening: retried, then one line that says how often and for how long, exit 3; SIGTERM ends the wait at once" {
	run -3 --separate-stderr dynaput -e http://127.0.0.1:9 -t "$T" </dev/null
	assert_output ''
	assert_regex "$stderr" '^dynaput: http://127\.0\.0\.1:9/: Couldn'"'"'t connect to server \(retried 10 times over [0-9]+ s\)$'
	dynaput -e http://127.0.0.1:9 -t "$T" </dev/null 2>err &
	pid=$!
	sleep 1
	start=$(date +%s%N)
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$rc" -eq 143 ]
	[ "$ms" -lt 1000 ]
}

@test "--create: the manifest's table (eventId HASH, fingerprint RANGE, 100/100), TTL warned about on dynalite" {
	item a b 1480236400 >in
	run -0 dynaput -t "$T" --manifest --create in
	assert_equal "$output" "dynaput: table $T: created
dynaput: warning: table $T: TTL on ttl not enabled: UnknownOperationException
dynaput: 1 read, 1 written, 0 already present, 0 rejected, 0 retries"
	run -0 ddb DescribeTable "{\"TableName\":\"$T\"}"
	assert_equal "$(jq -c '[.Table.TableStatus, .Table.KeySchema, .Table.ProvisionedThroughput.WriteCapacityUnits, .Table.ProvisionedThroughput.ReadCapacityUnits]' <<<"$output")" \
		'["ACTIVE",[{"AttributeName":"eventId","KeyType":"HASH"},{"AttributeName":"fingerprint","KeyType":"RANGE"}],100,100]'
	# a table that is there is left as it is
	run -0 dynaput -t "$T" --manifest --create in
	assert_equal "$output" "dynaput: 1 read, 1 written, 0 already present, 0 rejected, 0 retries"
	run -0 dynaput -t "$T-od" --create --on-demand </dev/null
	run -0 ddb DescribeTable "{\"TableName\":\"$T-od\"}"
	assert_equal "$(jq -r .Table.BillingModeSummary.BillingMode <<<"$output")" PAY_PER_REQUEST
}

@test "--manifest: a new key is written, the same etlTime overwrites, another etlTime is already present" {
	mk "$T"
	item e1 f1 1480236400 >in
	run -0 dynaput -t "$T" --manifest in
	assert_equal "$(summary)" "dynaput: 1 read, 1 written, 0 already present, 0 rejected, 0 retries"
	{
		# same batch re-processed: overwritten (its ttl changes here)
		echo '{"eventId":"e1","fingerprint":"f1","etlTime":1480236400,"ttl":7}'
		# another batch: present, the stored item is kept
		item e1 f1 1480239999
		# same event id, another fingerprint: a new key
		item e1 f2 1480239999
	} >in2
	run -0 dynaput -t "$T" --manifest in2
	assert_equal "$(summary)" "dynaput: 3 read, 2 written, 1 already present, 0 rejected, 0 retries"
	run scan "$T"
	assert_output '{"etlTime":{"N":"1480236400"},"eventId":{"S":"e1"},"fingerprint":{"S":"f1"},"ttl":{"N":"7"}}
{"etlTime":{"N":"1480239999"},"eventId":{"S":"e1"},"fingerprint":{"S":"f2"},"ttl":{"N":"1495791999"}}'
}

@test "--manifest: a stored item with a LATER etlTime is kept as it is: present, unchanged (etlTime = :tst, not >=)" {
	mk "$T"
	echo '{"eventId":"e1","fingerprint":"f1","etlTime":1480239999,"ttl":5}' >stored
	run -0 dynaput -t "$T" --manifest stored
	item e1 f1 1480236400 >earlier
	run -0 dynaput -t "$T" --manifest earlier
	assert_equal "$(summary)" "dynaput: 1 read, 0 written, 1 already present, 0 rejected, 0 retries"
	run scan "$T"
	assert_output '{"etlTime":{"N":"1480239999"},"eventId":{"S":"e1"},"fingerprint":{"S":"f1"},"ttl":{"N":"5"}}'
}

@test "-S: the counts as one JSON line, private; written + present + rejected = read" {
	mk "$T"
	item a 1 1480236400 >stored
	run -0 dynaput -t "$T" --manifest stored
	{
		item a 1 1480239999
		item b 1 1
		echo 'not json'
		item c 1 1
	} >in
	run -1 --separate-stderr dynaput -t "$T" --manifest -S sum.json -x bad in
	assert_equal "$(cat sum.json)" '{"prog":"dynaput","read":4,"written":2,"present":1,"rejected":1,"unsent":0,"retries":0,"throttled":0}'
	[ "$(stat -c %a sum.json)" = 600 ]
	# nothing read: zeros, still written
	run -0 --separate-stderr dynaput -t "$T" -S sum.json </dev/null
	assert_equal "$(cat sum.json)" '{"prog":"dynaput","read":0,"written":0,"present":0,"rejected":0,"unsent":0,"retries":0,"throttled":0}'
	run -1 --separate-stderr dynaput -t "$T" -S /nonexistent/sum.json </dev/null
	[[ ${stderr_lines[-1]} == "dynaput: /nonexistent/sum.json."*".tmp: No such file or directory" ]]
}

@test "the original's exact PutItem: condition and :tst as DynamoDB receives them" {
	mk "$T"
	item x y 1480236400 >in
	proxy_up "$DDB_ENDPOINT"
	run -0 dynaput -e "$PROXY" -t "$T" --manifest in
	run -0 jq -c '.log[] | select(.target == "DynamoDB_20120810.PutItem") | .body | fromjson' <<<"$(proxy_stats)"
	assert_output "{\"TableName\":\"$T\",\"Item\":{\"eventId\":{\"S\":\"x\"},\"fingerprint\":{\"S\":\"y\"},\"etlTime\":{\"N\":\"1480236400\"},\"ttl\":{\"N\":\"1495788400\"}},\"ConditionExpression\":\"(attribute_not_exists(eventId) AND attribute_not_exists(fingerprint)) OR etlTime = :tst\",\"ExpressionAttributeValues\":{\":tst\":{\"N\":\"1480236400\"}}}"
	# an item stored without an etlTime fails the condition: present
	ddb PutItem "{\"TableName\":\"$T\",\"Item\":{\"eventId\":{\"S\":\"x\"},\"fingerprint\":{\"S\":\"z\"}}}" >/dev/null
	item x z 5 >in
	run -0 dynaput -t "$T" --manifest in
	assert_equal "$(summary)" "dynaput: 1 read, 0 written, 1 already present, 0 rejected, 0 retries"
}

@test "--manifest: an item without eventId, fingerprint or etlTime is a reject, with -x keeping the line" {
	mk "$T"
	{
		echo '{"fingerprint":"f","etlTime":1}'
		echo '{"eventId":"e","etlTime":1}'
		echo '{"eventId":"e","fingerprint":"f"}'
		item ok ok 1
	} >in
	run -1 dynaput -t "$T" --manifest -x bad.jsonl in
	assert_equal "$output" "dynaput: 4 read, 1 written, 0 already present, 3 rejected, 0 retries"
	run jq -r '.errors[0].message' bad.jsonl
	assert_output "--manifest: the item has no eventId
--manifest: the item has no fingerprint
--manifest: the item has no etlTime"
	run jq -r .line bad.jsonl
	assert_output "$(head -n 3 in)"
	jq -e '.failure_tstamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")' bad.jsonl >/dev/null
}

@test "--manifest: eventId and fingerprint must be strings, etlTime and ttl numbers, else a reject" {
	mk "$T"
	{
		echo '{"eventId":"e","fingerprint":"f","etlTime":"1"}'
		echo '{"eventId":"e","fingerprint":"f","etlTime":1,"ttl":"9"}'
		echo '{"eventId":7,"fingerprint":"f","etlTime":1}'
		echo '{"eventId":"e","fingerprint":["f"],"etlTime":1}'
		echo '{"eventId":"e","fingerprint":"f","etlTime":null}'
		item ok ok 1
	} >in
	run -1 dynaput -t "$T" --manifest -x bad.jsonl in
	assert_equal "$output" "dynaput: 6 read, 1 written, 0 already present, 5 rejected, 0 retries"
	run jq -r '.errors[0].message' bad.jsonl
	assert_output "--manifest: etlTime must be a number, as the Shred step writes it
--manifest: ttl must be a number, as the Shred step writes it
--manifest: eventId must be a string, as the Shred step writes it
--manifest: fingerprint must be a string, as the Shred step writes it
--manifest: etlTime must be a number, as the Shred step writes it"
	run scan "$T"
	assert_output '{"etlTime":{"N":"1"},"eventId":{"S":"ok"},"fingerprint":{"S":"ok"},"ttl":{"N":"15552001"}}'
}

@test "every JSON type becomes its DynamoDB type, numbers as written" {
	mk "$T"
	cat >in <<-'EOF'
	{"eventId":"types","fingerprint":"1","s":"caf\u00e9 \"q\"\n","t":true,"f":false,"z":null,"l":[1,"a",[],{}],"m":{"b":{"c":0.1}},"e":""}
	{"eventId":"nums","fingerprint":"1","big":12345678901234567890123456789012345678,"neg":-7,"frac":0.1,"exp":1.5e3,"tiny":1E-130,"huge":9.9999999999999999999999999999999999999E+125}
	EOF
	run -0 dynaput -t "$T" in
	run scan "$T"
	assert_line '{"big":{"N":"12345678901234567890123456789012345678"},"eventId":{"S":"nums"},"exp":{"N":"1500"},"fingerprint":{"S":"1"},"frac":{"N":"0.1"},"huge":{"N":"999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"},"neg":{"N":"-7"},"tiny":{"N":"0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001"}}'
	assert_line '{"e":{"S":""},"eventId":{"S":"types"},"f":{"BOOL":false},"fingerprint":{"S":"1"},"l":{"L":[{"N":"1"},{"S":"a"},{"L":[]},{"M":{}}]},"m":{"M":{"b":{"M":{"c":{"N":"0.1"}}}}},"s":{"S":"café \"q\"\n"},"t":{"BOOL":true},"z":{"NULL":true}}'
}

@test "a number DynamoDB cannot hold is refused before it is sent, saying why" {
	mk "$T"
	cat >in <<-'EOF'
	{"eventId":"a","fingerprint":"1","n":1e400}
	{"eventId":"b","fingerprint":"1","n":1E-131}
	{"eventId":"c","fingerprint":"1","n":123456789012345678901234567890123456789}
	{"eventId":"d","fingerprint":"1","n":[1,2,1e126]}
	{"eventId":"e","fingerprint":"1","n":1000000000000000000000000000000000000000000}
	EOF
	run -1 dynaput -t "$T" in
	assert_equal "$output" "dynaput: in:1: number 1e400: Number overflow. Attempting to store a number with magnitude larger than supported range
dynaput: in:2: n: number 1E-131: Number underflow. Attempting to store a number with magnitude smaller than supported range
dynaput: in:3: n: number 123456789012345678901234567890123456789: Attempting to store more than 38 significant digits in a Number
dynaput: in:4: n: number 1e126: Number overflow. Attempting to store a number with magnitude larger than supported range
dynaput: 5 read, 1 written, 0 already present, 4 rejected, 0 retries"
	run count "$T"
	assert_output 1
}

@test "malformed lines and DynamoDB's refusals are rejects; blank lines are skipped" {
	mk "$T"
	{
		echo 'not json'
		echo '[1,2]'
		echo '{"eventId":"a","fingerprint":"1","x":1,"x":2}'
		echo ''
		echo '   '
		echo '{"eventId":"","fingerprint":"1"}'
		echo '{"eventId":1,"fingerprint":"1"}'
		echo '{"fingerprint":"1"}'
		printf '{"eventId":"big","fingerprint":"1","p":"%s"}\n' "$(head -c 420000 /dev/zero | tr '\0' x)"
		echo '{"eventId":"ok","fingerprint":"1"}'
	} >in
	run -1 dynaput -t "$T" in
	assert_equal "$(summary)" "dynaput: 8 read, 1 written, 0 already present, 7 rejected, 0 retries"
	assert_line --index 0 "dynaput: in:1: invalid JSON: '[' or '{' expected near 'not' (column 3)"
	assert_line --index 1 'dynaput: in:2: not a JSON object: an item is one object of attributes'
	assert_line --index 2 --partial 'dynaput: in:3: invalid JSON: duplicate object key'
	# the server's answers come in any order
	assert_line 'dynaput: in:6: ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: eventId'
	assert_line --partial 'dynaput: in:7: ValidationException: One or more parameter values were invalid: Type mismatch for key'
	assert_line --partial 'dynaput: in:8: ValidationException: One or more parameter values were invalid: Missing the key eventId'
	assert_line 'dynaput: in:9: ValidationException: Item size has exceeded the maximum allowed size'
}

@test "a line longer than any item is a reject, kept cut, and memory stays bounded" {
	mk "$T"
	{ head -c 20000000 /dev/zero | tr '\0' x; echo; item ok 1 1; } >in
	/usr/bin/time -f %M -o rss dynaput -t "$T" -x bad in 2>err || rc=$?
	[ "${rc:-0}" -eq 1 ]
	assert_equal "$(cat err)" "dynaput: 2 read, 1 written, 0 already present, 1 rejected, 0 retries"
	run jq -r '.errors[0].message, (.line | length)' bad
	assert_output "a line of more than 8388608 bytes (kept cut to them): no DynamoDB item is that long
8388608"
	echo "# peak RSS: $(tail -n 1 rss) kB for a 20 MB line" >&3
	[ "$(tail -n 1 rss)" -lt 80000 ]
}

@test "without -x, reasons go to stderr one line each, the first 20, then a count" {
	mk "$T"
	for i in $(seq 25); do echo "bad $i"; done >in
	run -1 dynaput -t "$T" in
	[ "$(grep -c 'invalid JSON' <<<"$output")" -eq 20 ]
	assert_equal "$(sed -n 21p <<<"$output")" "dynaput: 5 more rejected lines not shown (-x FILE keeps them)"
	assert_equal "$(summary)" "dynaput: 25 read, 0 written, 0 already present, 25 rejected, 0 retries"
}

@test "--typed: DynamoDB JSON and S3 export lines, every type; bad types refused" {
	mk "$T"
	cat >in <<-'EOF'
	{"eventId":{"S":"t1"},"fingerprint":{"S":"f"},"n":{"N":"1480236400"},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AAE="]},"b":{"B":"AAE="},"m":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false}]}}}}
	{"Item":{"eventId":{"S":"t2"},"fingerprint":{"S":"f"},"x":{"N":"7"}}}
	{"eventId":{"S":"t3"},"fingerprint":{"S":"f"},"x":{"N":5}}
	{"eventId":{"S":"t4"},"fingerprint":{"S":"f"},"x":"plain"}
	{"Item":{"eventId":{"S":"t5"},"fingerprint":{"S":"f"},"x":{"Q":"1"}}}
	EOF
	run -1 dynaput -t "$T" --typed in
	assert_line --index 0 'dynaput: in:3: x: an N value is not a string'
	assert_line --index 1 'dynaput: in:4: x: not a DynamoDB attribute value (an object with one of S, N, B, BOOL, NULL, M, L, SS, NS, BS)'
	assert_line --index 2 'dynaput: in:5: x: unknown DynamoDB type "Q"'
	assert_equal "$(summary)" "dynaput: 5 read, 2 written, 0 already present, 3 rejected, 0 retries"
	run scan "$T"
	assert_output '{"b":{"B":"AAE="},"bs":{"BS":["AAE="]},"eventId":{"S":"t1"},"fingerprint":{"S":"f"},"m":{"M":{"l":{"L":[{"NULL":true},{"BOOL":false}]}}},"n":{"N":"1480236400"},"ns":{"NS":["1","2.5"]},"ss":{"SS":["a","b"]}}
{"eventId":{"S":"t2"},"fingerprint":{"S":"f"},"x":{"N":"7"}}'
	# a table read back as --typed lines writes the same table again
	scan "$T" >copy.jsonl
	mk "$T-copy"
	run -0 dynaput -t "$T-copy" --typed copy.jsonl
	assert_equal "$(scan "$T-copy")" "$(cat copy.jsonl)"
}

@test "-c and -V: any condition on any table" {
	mk "$T" pk:S
	printf '%s\n' '{"pk":"a","v":5}' '{"pk":"b","v":1}' >in
	run -0 dynaput -t "$T" in
	printf '%s\n' '{"pk":"a","v":7}' '{"pk":"b","v":0}' '{"pk":"c","v":1}' >in2
	run -0 dynaput -t "$T" -c 'attribute_not_exists(pk) OR v < :v' -V :v=v in2
	assert_equal "$(summary)" "dynaput: 3 read, 2 written, 1 already present, 0 rejected, 0 retries"
	run scan "$T"
	assert_output '{"pk":{"S":"a"},"v":{"N":"7"}}
{"pk":{"S":"b"},"v":{"N":"1"}}
{"pk":{"S":"c"},"v":{"N":"1"}}'
	# a condition without values
	printf '%s\n' '{"pk":"a","v":0}' '{"pk":"z","v":0}' >in4
	run -0 dynaput -t "$T" -c 'attribute_not_exists(pk)' in4
	assert_equal "$(summary)" "dynaput: 2 read, 1 written, 1 already present, 0 rejected, 0 retries"
	echo '{"pk":"d"}' >in3
	run -1 dynaput -t "$T" -c 'v < :v' -V :v=v in3
	assert_line --index 0 'dynaput: in3:1: the item has no v (for :v)'
	# the table's key need not be eventId: --manifest says so
	run -2 dynaput -t "$T" --manifest in3
	assert_equal "$output" "dynaput: table $T: its key is (pk HASH), --manifest needs (eventId HASH, fingerprint RANGE)"
}

@test "-N: a condition can name ttl, a reserved word, through a placeholder" {
	mk "$T" pk:S
	printf '%s\n' '{"pk":"a","ttl":5}' '{"pk":"b","ttl":9}' >in
	run -0 dynaput -t "$T" in
	printf '%s\n' '{"pk":"a","ttl":7}' '{"pk":"b","ttl":8}' >in2
	# without the placeholder DynamoDB refuses the reserved word
	run -1 --separate-stderr dynaput -t "$T" -c 'attribute_not_exists(pk) OR ttl < :t' -V :t=ttl in2
	[[ $stderr == *"reserved keyword"* ]] || fail "$stderr"
	run -0 --separate-stderr dynaput -t "$T" -c 'attribute_not_exists(pk) OR #t < :t' -N '#t=ttl' -V :t=ttl in2
	assert_equal "${stderr_lines[-1]}" "dynaput: 2 read, 1 written, 1 already present, 0 rejected, 0 retries"
	run scan "$T"
	assert_output '{"pk":{"S":"a"},"ttl":{"N":"7"}}
{"pk":{"S":"b"},"ttl":{"N":"9"}}'
	run -2 dynaput -t "$T" -N '#t=ttl' in2
	assert_output "dynaput: -N: names only go with a condition (-c)"
	run -2 dynaput -t "$T" -c 'x' -N 't=ttl' in2
	assert_output "dynaput: -N t=ttl: not #name=attribute"
}

@test "--manifest --newest: runs in any order leave the earliest etlTime; a later item is never touched" {
	mk "$T"
	# four runs of one key set, in reverse order, then shuffled
	for t in 400 300 200 100; do
		item e1 f1 $t; item e2 f2 $((t + 1)); item e3 f3 $((t + 2))
	done >reverse
	run -0 --separate-stderr dynaput -t "$T" --manifest --newest 500 reverse
	assert_equal "${stderr_lines[-1]}" "dynaput: 12 read, 12 written, 0 already present, 0 rejected, 0 retries"
	run -0 jq -c '[.eventId.S, .etlTime.N]' <(scan "$T")
	assert_output '["e1","100"]
["e2","101"]
["e3","102"]'
	# written again in another order: stored values only go down
	for t in 300 100 400 200; do item e1 f1 $t; done >again
	run -0 --separate-stderr dynaput -t "$T" --manifest --newest 500 again
	assert_equal "${stderr_lines[-1]}" "dynaput: 4 read, 1 written, 3 already present, 0 rejected, 0 retries"
	# a live pipeline's item, later than the plan's newest run: untouched
	ddb PutItem "{\"TableName\":\"$T\",\"Item\":{\"eventId\":{\"S\":\"e9\"},\"fingerprint\":{\"S\":\"f9\"},\"etlTime\":{\"N\":\"900\"}}}" >/dev/null
	item e9 f9 50 >live
	run -0 --separate-stderr dynaput -t "$T" --manifest --newest 500 live
	assert_equal "${stderr_lines[-1]}" "dynaput: 1 read, 0 written, 1 already present, 0 rejected, 0 retries"
	run -0 jq -c 'select(.eventId.S == "e9") | .etlTime.N' <(scan "$T")
	assert_output '"900"'
	# the condition as DynamoDB receives it
	proxy_up "$DDB_ENDPOINT"
	item x y 7 >one
	run -0 dynaput -e "$PROXY" -t "$T" --manifest --newest '1970-01-01 00:08:20' one
	run -0 jq -c '.log[] | select(.target == "DynamoDB_20120810.PutItem") | .body | fromjson | [.ConditionExpression, .ExpressionAttributeValues]' <<<"$(proxy_stats)"
	assert_output '["attribute_not_exists(eventId) OR (etlTime >= :tst AND etlTime <= :newest)",{":tst":{"N":"7"},":newest":{"N":"500"}}]'
	run -2 dynaput -t "$T" --newest 5 one
	assert_output "dynaput: --newest: only with --manifest"
}

@test "-b: BatchWriteItem, 25 a request; a key twice in the input is written in input order" {
	mk "$T"
	items 1000 >in
	# every 7th item comes back later with new values: the later wins
	awk 'NR % 7 == 0 { sub(/"ttl":1495788400/, "\"ttl\":" NR); print }' in >again
	cat again >>in
	proxy_up "$DDB_ENDPOINT"
	run -0 dynaput -e "$PROXY" -t "$T" -b in
	assert_equal "$(summary)" "dynaput: 1142 read, 1142 written, 0 already present, 0 rejected, 0 retries"
	awk 'NR > 1000 || NR % 7 != 0' in >want
	assert_equal "$(scan "$T")" "$(typed want)"
	# no request held more than 25 items, or a key twice
	proxy_stats | jq -c '.log[] | select(.target | endswith("BatchWriteItem")) |
		.body | fromjson | .RequestItems[] | map(.PutRequest.Item | [.eventId.S, .fingerprint.S])' >batches
	[ "$(wc -l <batches)" -ge 46 ]
	run jq -c 'select(length > 25 or (unique | length) != length)' batches
	assert_output ''
	[ "$(jq -s 'map(length) | add' batches)" -eq 1142 ]
}

@test "-b: a key twice in a row, and one bad item, leave the rest of the batch written" {
	mk "$T"
	{
		item a 1 1
		item a 1 2
		item b 1 3
		echo '{"eventId":"","fingerprint":"1","etlTime":4}'
		item c 1 5
	} >in
	run -1 dynaput -t "$T" -b -j 1 in
	assert_equal "$output" "dynaput: in:4: ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: eventId
dynaput: 5 read, 4 written, 0 already present, 1 rejected, 0 retries"
	run scan "$T"
	assert_output "$(printf '%s\n' "$(item a 1 2)" "$(item b 1 3)" "$(item c 1 5)" >want; typed want)"
}

@test "-j 1 and -j 64, PutItem and -b: the same table, read back with the AWS CLI too" {
	mk "$T-1"
	mk "$T-64"
	mk "$T-b"
	items 600 >in
	run -0 dynaput -t "$T-1" -j 1 in
	run -0 dynaput -t "$T-64" -j 64 in
	run -0 dynaput -t "$T-b" -j 64 -b in
	typed in >want
	assert_equal "$(scan "$T-1")" "$(cat want)"
	assert_equal "$(scan "$T-64")" "$(cat want)"
	assert_equal "$(scan "$T-b")" "$(cat want)"
	/usr/bin/aws --endpoint-url "$DDB_ENDPOINT" dynamodb scan --table-name "$T-64" \
		--output json | jq -S -c '.Items[]' | sort >cli
	assert_equal "$(cat cli)" "$(cat want)"
}

@test "file operands and -: read in order, rejects name the file and line" {
	mk "$T"
	item a 1 1 >f1
	printf '%s\nbad\n' "$(item b 1 1)" >f2
	item c 1 1 >f3
	run -1 dynaput -t "$T" f1 - f2 /nonexistent <f3
	assert_equal "$output" "dynaput: f2:2: invalid JSON: '[' or '{' expected near 'bad' (column 3)
dynaput: /nonexistent: No such file or directory
dynaput: 4 read, 3 written, 0 already present, 1 rejected, 0 retries"
	run count "$T"
	assert_output 3
}

@test "stdin streams: each item is written as it comes, -b too, before the input ends" {
	mk "$T"
	mk "$T-b"
	mkfifo fifo fifob
	dynaput -t "$T" <fifo 2>err &
	pid=$!
	dynaput -t "$T-b" -b <fifob 2>errb &
	pidb=$!
	exec 5>fifo 6>fifob
	item a 1 1 >&5
	item a 1 1 >&6
	for _ in $(seq 50); do
		[ "$(count "$T")" = 1 ] && [ "$(count "$T-b")" = 1 ] && break
		sleep 0.1
	done
	assert_equal "$(count "$T") $(count "$T-b")" "1 1"
	item b 1 1 >&5
	item b 1 1 >&6
	exec 5>&- 6>&-
	wait "$pid"
	wait "$pidb"
	assert_equal "$(count "$T") $(count "$T-b")" "2 2"
}

@test "throttling as DynamoDB sends it, 500 and 503: retried, counted, the table equals the input" {
	mk "$T"
	items 300 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[
	 {"match":{"target":"PutItem"},"action":"status","status":400,"every":5,"times":30,
	  "headers":{"content-type":"application/x-amz-json-1.0"},
	  "body":"{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.\"}"},
	 {"match":{"target":"PutItem"},"action":"status","status":400,"every":7,"times":10,
	  "body":"{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":\"Rate of requests exceeds the allowed throughput.\"}"},
	 {"match":{"target":"PutItem"},"action":"status","status":500,"every":11,"times":5,
	  "body":"{\"__type\":\"com.amazonaws.dynamodb.v20120810#InternalServerError\",\"message\":\"Internal server error\"}"},
	 {"match":{"target":"PutItem"},"action":"status","status":503,"every":13,"times":5,"body":""}]'
	run -0 dynaput -e "$PROXY" -t "$T" --manifest -S sum.json in
	faults=$(proxy_stats | jq '[.faults[]] | add')
	[ "$faults" -gt 20 ]
	assert_equal "$(summary)" "dynaput: 300 read, 300 written, 0 already present, 0 rejected, $faults retries"
	assert_equal "$(scan "$T")" "$(typed in)"
	# the 30 + 10 400s throttled; the 500s and 503s are no throttling
	assert_equal "$(jq -c . sum.json)" "{\"prog\":\"dynaput\",\"read\":300,\"written\":300,\"present\":0,\"rejected\":0,\"unsent\":0,\"retries\":$faults,\"throttled\":40}"
}

@test "-b: UnprocessedItems are sent again, throttling too; the table equals the input" {
	mk "$T"
	items 500 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[
	 {"match":{"target":"BatchWriteItem"},"action":"unprocessed","fraction":0.5,"every":2,"times":20},
	 {"match":{"target":"BatchWriteItem"},"action":"status","status":400,"every":3,"times":5,
	  "body":"{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"slow down\"}"}]'
	run -0 dynaput -e "$PROXY" -t "$T" -b -j 4 in
	[ "$(proxy_stats | jq .faults.unprocessed_items)" -gt 100 ]
	retries=$(sed -n 's/.* \([0-9]*\) retries$/\1/p' <<<"$output")
	[ "$retries" -ge 25 ]
	assert_equal "$(scan "$T")" "$(typed in)"
}

@test "dropped connections, cut answers and latency: retried, exit 0, the table equals the input" {
	mk "$T"
	items 200 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[
	 {"match":{"target":"PutItem"},"action":"reset","every":9,"times":8},
	 {"match":{"target":"PutItem"},"action":"cut","bytes":1,"every":10,"times":5},
	 {"match":{"target":"PutItem"},"action":"delay","ms":300,"every":4,"times":20}]'
	run -0 dynaput -e "$PROXY" -t "$T" --manifest -j 8 in
	# a PutItem cut after DynamoDB wrote it is written again: with the
	# manifest's condition (same etlTime) that is a success too.  (A
	# reset kept-alive connection is retried by libcurl itself, unseen.)
	assert_output --regexp '^dynaput: 200 read, 200 written, 0 already present, 0 rejected, ([5-9]|1[0-3]) retries$'
	assert_equal "$(proxy_stats | jq -S -c .faults)" '{"cut":5,"delay":20,"reset":8}'
	assert_equal "$(scan "$T")" "$(typed in)"
}

@test "retries run out: the item is a reject that says so, exit 1" {
	mk "$T"
	item a 1 1 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match":{"target":"PutItem"},"action":"status","status":400,
	  "body":"{\"__type\":\"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException\",\"message\":\"busy\"}"}]'
	run -1 dynaput -e "$PROXY" -t "$T" -x bad in
	assert_equal "$output" "dynaput: 1 read, 0 written, 0 already present, 1 rejected, 10 retries"
	run jq -r '.errors[0].message' bad
	assert_output 'ProvisionedThroughputExceededException: busy (gave up after 11 attempts)'
}

@test "bad credentials or signature: exit 3, at the start or in the middle" {
	mk "$T"
	items 20 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match":{"target":"DescribeTable"},"action":"status","status":400,
	  "body":"{\"__type\":\"com.amazonaws.dynamodb.v20120810#UnrecognizedClientException\",\"message\":\"The security token included in the request is invalid.\"}"}]'
	run -3 dynaput -e "$PROXY" -t "$T" in
	assert_equal "$output" "dynaput: table $T: UnrecognizedClientException: The security token included in the request is invalid."
	proxy_rules '[{"match":{"target":"PutItem"},"action":"status","status":400,"skip":5,
	  "body":"{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\",\"Message\":\"The request signature we calculated does not match the signature you provided.\"}"}]'
	run -3 dynaput -e "$PROXY" -t "$T" -j 1 -x bad -S sum.json in
	assert_line --index 0 "dynaput: table $T: InvalidSignatureException: The request signature we calculated does not match the signature you provided."
	assert_equal "$(summary)" "dynaput: 20 read, 5 written, 0 already present, 15 rejected, 0 retries"
	[ "$(wc -l <bad)" -eq 15 ]
	# the one refused, the rest never sent
	assert_equal "$(jq -c '[.read, .written, .present, .rejected, .unsent]' sum.json)" '[20,5,0,15,14]'
	assert_equal "$(jq -r .errors[0].message bad | sort | uniq -c | sed 's/^ *//')" "1 InvalidSignatureException: The request signature we calculated does not match the signature you provided.
14 not written: stopped by an error that stops every write"
	# no credentials at all
	run -3 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY dynaput -t "$T" in
	assert_output --partial 'dynaput: '
	assert_output --partial 'credentials'
}

@test "SIGTERM and SIGINT: reading stops, writes in flight end, the rest is reported, exit 143 and 130" {
	mk "$T"
	items 50 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match":{"target":"PutItem"},"action":"delay","ms":1500}]'
	for sig in TERM INT; do
		rm -f fifo
		mkfifo fifo
		dynaput -e "$PROXY" -t "$T" -j 4 -x "bad-$sig" -S "sum-$sig" <fifo 2>"err-$sig" &
		pid=$!
		exec 5>fifo
		cat in >&5
		sleep 0.7
		start=$(date +%s%N)
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		exec 5>&-
		ms=$((($(date +%s%N) - start) / 1000000))
		echo "# SIG$sig: ended in $ms ms" >&3
		[ "$ms" -lt 5000 ]
		case $sig in TERM) [ "$rc" -eq 143 ] ;; INT) [ "$rc" -eq 130 ] ;; esac
		run cat "err-$sig"
		assert_output "dynaput: 50 read, 4 written, 0 already present, 46 rejected, 0 retries"
		run jq -r '.errors[0].message' "bad-$sig"
		[ "$(grep -c '^interrupted: not sent$' <<<"$output")" -eq 46 ]
		assert_equal "$(jq -c . "sum-$sig")" '{"prog":"dynaput","read":50,"written":4,"present":0,"rejected":46,"unsent":46,"retries":0,"throttled":0}'
	done
}

@test "stopped with lines still coming: what is in the pipe is read and set aside as not sent, so every line is counted" {
	mk "$T"
	items 20000 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match":{"target":"PutItem"},"action":"delay","ms":1000}]'
	# a pipe far fuller than dynaput ever reads ahead
	{ cat in; } | dynaput -e "$PROXY" -t "$T" -j 4 -x bad -S sum 2>err &
	pid=$!
	sleep 0.7
	kill -TERM "$pid"
	sleep 0.2
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ] || { cat err; false; }
	# every line that went in is written, present or set aside
	assert_equal "$(jq '.read' sum)" 20000
	assert_equal "$(jq '.written + .present + .rejected' sum)" 20000
	assert_equal "$(wc -l <bad)" "$(jq .rejected sum)"
	[ "$(jq -r '.errors[0].message' bad | grep -c '^interrupted: not sent$')" -gt 15000 ]
}

@test "a second SIGTERM: writes in flight are not waited for, reported as not confirmed; the counts still add up" {
	mk "$T"
	items 30 >in
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match":{"target":"BatchWriteItem"},"action":"delay","ms":5000}]'
	mkfifo fifo
	dynaput -e "$PROXY" -t "$T" -b -j 2 -x bad -S sum.json <fifo 2>err &
	pid=$!
	exec 5>fifo
	cat in >&5
	sleep 0.7
	start=$(date +%s%N)
	kill -TERM "$pid"
	sleep 0.2
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec 5>&-
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$rc" -eq 143 ]
	[ "$ms" -lt 2000 ]
	assert_equal "$(jq -c '[.read, .written + .present + .rejected, .written]' sum.json)" '[30,30,0]'
	assert_equal "$(cat err)" "dynaput: 30 read, 0 written, 0 already present, 30 rejected, 0 retries"
	unsent=$(jq .unsent sum.json)
	[ "$(jq -r '.errors[0].message' bad | grep -c '^interrupted: not sent$')" -eq "$unsent" ]
	[ "$(jq -r '.errors[0].message' bad | grep -c '^interrupted: the write was not confirmed$')" -eq $((30 - unsent)) ]
	[ "$unsent" -lt 30 ]
}

@test "--rate caps writes a second" {
	mk "$T"
	items 60 >in
	start=$(date +%s%N)
	run -0 dynaput -t "$T" --rate 40 in
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -ge 1200 ] && [ "$ms" -lt 5000 ]
	run count "$T"
	assert_output 60
}

@test "memory stays flat: 40,000 items take no more than 4,000" {
	if ldd "$(command -v dynaput)" | grep -q -e libasan -e libtsan; then
		skip "a sanitizer build keeps freed memory: RSS says nothing"
	fi
	mk "$T"
	items 4000 >small
	items 40000 >big
	/usr/bin/time -f %M -o rss-small dynaput -t "$T" -b small 2>/dev/null
	/usr/bin/time -f %M -o rss-big dynaput -t "$T" -b big 2>/dev/null
	echo "# RSS: 4,000 items $(cat rss-small) kB, 40,000 items $(cat rss-big) kB" >&3
	[ "$(cat rss-big)" -lt $(($(cat rss-small) * 5 / 4 + 2048)) ]
	run count "$T"
	assert_output 40000
}

@test "a rejects file that cannot be written is an error, and stdout stays empty" {
	mk "$T"
	echo bad >in
	run -1 --separate-stderr dynaput -t "$T" -x /dev/full in
	assert_equal "$stderr" "dynaput: /dev/full: write error: No space left on device
dynaput: 1 read, 0 written, 0 already present, 1 rejected, 0 retries"
	assert_output ''
}

@test "-e wins over AWS_ENDPOINT_URL_DYNAMODB; -v names the table, endpoint and credentials" {
	mk "$T"
	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9 run -0 \
		dynaput -v -e "$DDB_ENDPOINT" -t "$T" </dev/null
	assert_equal "$output" "dynaput: table $T (eventId HASH, fingerprint RANGE) at $DDB_ENDPOINT/, credentials from environment
dynaput: 0 read, 0 written, 0 already present, 0 rejected, 0 retries"
}

# ddberr TYPE MESSAGE [HEADERS]: a rule's answer of DynamoDB's error
ddberr() {
	jq -cn --arg t "$1" --arg m "$2" --argjson h "${3:-{\}}" '{status: 400,
		headers: ({"content-type": "application/x-amz-json-1.0"} + $h),
		body: ({__type: ("com.amazon.coral.service#" + $t), message: $m} | tojson)}'
}
# amzepoch: the epoch seconds of each x-amz-date the proxy saw for PutItem
amzepoch() {
	proxy_stats | jq -r '.log[] | select(.target | endswith("PutItem")) | .date' |
		while read -r d; do
			date -u -d "$(sed 's/^\(....\)\(..\)\(..\)T\(..\)\(..\)\(..\)Z$/\1-\2-\3 \4:\5:\6/' <<<"$d")" +%s
		done
}

@test "a clock minutes off: DynamoDB's 'Signature expired' is believed once, said once, later requests signed at its time" {
	mk "$T"
	items 20 >in
	proxy_up "$DDB_ENDPOINT"
	ahead=$(date -u -d '+20 minutes' '+%a, %d %b %Y %H:%M:%S GMT')
	e=$(ddberr InvalidSignatureException "Signature expired: 20261201T070000Z is now earlier than 20261201T071500Z (20261201T072000Z - 5 min.)" \
		"$(jq -cn --arg d "$ahead" '{date: $d}')")
	proxy_rules "[$(jq -c '{match: {target: "PutItem"}, action: "status", times: 1} + .' <<<"$e")]"
	now=$(date +%s)
	run -0 --separate-stderr dynaput -e "$PROXY" -t "$T" -j 4 --manifest in
	[[ ${stderr_lines[0]} =~ ^"dynaput: the clock here is "1(19[89]|20[01])" s behind the server's: requests are signed at the server's time"$ ]]
	[ "${#stderr_lines[@]}" -eq 2 ]
	assert_equal "$(scan "$T")" "$(typed in)"
	# the first PutItem at our time, the last 20 minutes on
	amzepoch >dates
	[ $(($(head -n 1 dates) - now)) -lt 60 ]
	[ $(($(tail -n 1 dates) - now)) -ge 1150 ]
	# the clocks agree, and still 'Signature expired': a refusal
	proxy_rules "[$(jq -c '{match: {target: "PutItem"}, action: "status"} + (.headers |= del(.date))' <<<"$e")]"
	run -3 --separate-stderr dynaput -e "$PROXY" -t "$T" -j 1 -x bad in
	assert_equal "${stderr_lines[0]}" "dynaput: table $T: InvalidSignatureException: Signature expired: 20261201T070000Z is now earlier than 20261201T071500Z (20261201T072000Z - 5 min.)"
}

@test "ExpiredTokenException: the credentials are fetched again and the item written; the same ones again are a refusal" {
	mk "$T"
	items 5 >in
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	cat >proc <<EOT
#!/bin/sh
echo call >>"$BATS_TEST_TMPDIR/calls"
printf '{"Version": 1, "AccessKeyId": "test", "SecretAccessKey": "test", "SessionToken": "t%s"}\n' "\$(wc -l <"$BATS_TEST_TMPDIR/calls")"
EOT
	chmod +x proc
	printf '[default]\ncredential_process = %s\n' "$PWD/proc" >config
	export AWS_CONFIG_FILE=$PWD/config
	proxy_up "$DDB_ENDPOINT"
	e=$(ddberr ExpiredTokenException "The security token included in the request is expired")
	proxy_rules "[$(jq -c '{match: {target: "PutItem"}, action: "status", times: 1} + .' <<<"$e")]"
	run -0 --separate-stderr dynaput -e "$PROXY" -t "$T" -j 1 in
	assert_equal "$(scan "$T")" "$(typed in)"
	[ "$(wc -l <calls)" -eq 2 ]
	# keys that stay the same: expired is expired
	unset AWS_CONFIG_FILE
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN=old
	proxy_rules "[$(jq -c '{match: {target: "PutItem"}, action: "status", times: 1} + .' <<<"$e")]"
	run -3 --separate-stderr dynaput -e "$PROXY" -t "$T" -j 1 -x bad in
	assert_equal "${stderr_lines[0]}" "dynaput: table $T: ExpiredTokenException: The security token included in the request is expired"
}
