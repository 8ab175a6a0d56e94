#!/usr/bin/env bats
# dynaput against AWS DynamoDB Local 3.3.1, the official implementation:
# the manifest's condition, CreateTable (provisioned and on demand) and
# UpdateTimeToLive, its validation messages, --typed sets, -b.  It runs
# in a private network namespace (tests/servers/ddblocal), bridged to
# 127.0.0.1; the suite skips, saying why, only where no namespace can be
# made.  Tables are read back with plain curl (helper.bash's ddb).

load helper

setup_file() {
	local rc=0
	"$TOP/tests/servers/ddblocal" start "$BATS_FILE_TMPDIR/ddblocal" \
		2>"$BATS_FILE_TMPDIR/ddblocal.err" || rc=$?
	if [ "$rc" -eq 77 ]; then
		export DDBLOCAL_SKIP
		DDBLOCAL_SKIP=$(cat "$BATS_FILE_TMPDIR/ddblocal.err")
		return 0
	fi
	[ "$rc" -eq 0 ] || { cat "$BATS_FILE_TMPDIR/ddblocal.err" >&2; return 1; }
	# shellcheck disable=SC1091
	. "$BATS_FILE_TMPDIR/ddblocal/env"
	export DDBLOCAL_ENDPOINT
}

teardown_file() {
	"$TOP/tests/servers/ddblocal" stop "$BATS_FILE_TMPDIR/ddblocal"
}

setup() {
	[ -z "${DDBLOCAL_SKIP:-}" ] || skip "$DDBLOCAL_SKIP"
	cd "$BATS_TEST_TMPDIR"
	# helper.bash's ddb and dynaput both talk to DynamoDB Local, with
	# the same key id and region: it keeps tables per (key id, region)
	export DDB_ENDPOINT=$DDBLOCAL_ENDPOINT
	export AWS_ENDPOINT_URL_DYNAMODB=$DDBLOCAL_ENDPOINT AWS_REGION=us-east-1 \
		AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	T=dpl-$BATS_TEST_NUMBER-$$
}

item() { printf '{"eventId":"%s","fingerprint":"%s","etlTime":%s,"ttl":%s}\n' \
	"$1" "$2" "$3" "$(($3 + 15552000))"; }

scan() { ddb Scan "{\"TableName\":\"$1\"}" | jq -S -c '.Items[]' | sort; }

summary() { tail -n 1 <<<"$output"; }

@test "DynamoDB Local: --create makes the manifest's table, 100/100, and TTL on ttl is enabled, no warning" {
	run -0 dynaput -t "$T" --manifest --create </dev/null
	assert_output "dynaput: table $T: created
dynaput: 0 read, 0 written, 0 already present, 0 rejected, 0 retries"
	run -0 ddb DescribeTable "{\"TableName\":\"$T\"}"
	assert_equal "$(jq -c '[.Table.TableStatus, .Table.KeySchema, .Table.AttributeDefinitions, .Table.ProvisionedThroughput.ReadCapacityUnits, .Table.ProvisionedThroughput.WriteCapacityUnits]' <<<"$output")" \
		'["ACTIVE",[{"AttributeName":"eventId","KeyType":"HASH"},{"AttributeName":"fingerprint","KeyType":"RANGE"}],[{"AttributeName":"eventId","AttributeType":"S"},{"AttributeName":"fingerprint","AttributeType":"S"}],100,100]'
	run -0 ddb DescribeTimeToLive "{\"TableName\":\"$T\"}"
	assert_equal "$(jq -c .TimeToLiveDescription <<<"$output")" '{"TimeToLiveStatus":"ENABLED","AttributeName":"ttl"}'
	run -0 dynaput -t "$T-od" --create --on-demand </dev/null
	run -0 ddb DescribeTable "{\"TableName\":\"$T-od\"}"
	assert_equal "$(jq -r .Table.BillingModeSummary.BillingMode <<<"$output")" PAY_PER_REQUEST
}

@test "DynamoDB Local: a missing table exits 3 with its reason (a \"Message\" body)" {
	run -3 dynaput -t "$T" </dev/null
	assert_output "dynaput: table $T: ResourceNotFoundException: Cannot do operations on a non-existent table"
}

@test "DynamoDB Local: the manifest's condition, every case" {
	run -0 dynaput -t "$T" --manifest --create </dev/null
	ddb PutItem "{\"TableName\":\"$T\",\"Item\":{\"eventId\":{\"S\":\"old\"},\"fingerprint\":{\"S\":\"f\"}}}" >/dev/null
	ddb PutItem "{\"TableName\":\"$T\",\"Item\":{\"eventId\":{\"S\":\"later\"},\"fingerprint\":{\"S\":\"f\"},\"etlTime\":{\"N\":\"1480239999\"},\"ttl\":{\"N\":\"5\"}}}" >/dev/null
	{
		item e1 f1 1480236400
		echo '{"eventId":"e1","fingerprint":"f1","etlTime":1480236400,"ttl":7}'
		item e1 f1 1480239999
		item e1 f2 1480239999
		item old f 1
		# stored with a later etlTime: kept as it is (= :tst, not >=)
		item later f 1480236400
	} >in
	# -j 1: one write after the other, as the lines come
	run -0 dynaput -t "$T" --manifest -j 1 in
	assert_equal "$(summary)" "dynaput: 6 read, 3 written, 3 already present, 0 rejected, 0 retries"
	run scan "$T"
	assert_output '{"etlTime":{"N":"1480236400"},"eventId":{"S":"e1"},"fingerprint":{"S":"f1"},"ttl":{"N":"7"}}
{"etlTime":{"N":"1480239999"},"eventId":{"S":"e1"},"fingerprint":{"S":"f2"},"ttl":{"N":"1495791999"}}
{"etlTime":{"N":"1480239999"},"eventId":{"S":"later"},"fingerprint":{"S":"f"},"ttl":{"N":"5"}}
{"eventId":{"S":"old"},"fingerprint":{"S":"f"}}'
}

@test "DynamoDB Local: its refusals are rejects in its own words; numbers as written" {
	run -0 dynaput -t "$T" --create </dev/null
	cat >in <<-'EOF'
	{"eventId":"","fingerprint":"1"}
	{"eventId":"n","fingerprint":"1","big":12345678901234567890123456789012345678,"f":0.1,"e":-1.5e-3}
	{"eventId":"x","fingerprint":"1","n":123456789012345678901234567890123456789}
	{"eventId":"y","fingerprint":1}
	EOF
	run -1 dynaput -t "$T" -j 1 in
	# refused here, or by the server: in any order
	assert_line 'dynaput: in:1: ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: eventId'
	assert_line 'dynaput: in:3: n: number 123456789012345678901234567890123456789: Attempting to store more than 38 significant digits in a Number'
	assert_line --partial 'dynaput: in:4: ValidationException: One or more parameter values were invalid: Type mismatch for key'
	assert_equal "$(summary)" "dynaput: 4 read, 1 written, 0 already present, 3 rejected, 0 retries"
	run scan "$T"
	assert_output '{"big":{"N":"12345678901234567890123456789012345678"},"e":{"N":"-0.0015"},"eventId":{"S":"n"},"f":{"N":"0.1"},"fingerprint":{"S":"1"}}'
}

@test "DynamoDB Local: --typed sets and export lines; -b with a key twice" {
	run -0 dynaput -t "$T" --create </dev/null
	cat >in <<-'EOF'
	{"Item":{"eventId":{"S":"s"},"fingerprint":{"S":"1"},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AAE="]},"m":{"M":{"l":{"L":[{"NULL":true}]}}}}}
	{"eventId":{"S":"d"},"fingerprint":{"S":"1"},"v":{"N":"1"}}
	{"eventId":{"S":"d"},"fingerprint":{"S":"1"},"v":{"N":"2"}}
	{"eventId":{"S":"e"},"fingerprint":{"S":"1"},"ss":{"SS":["a","a"]}}
	EOF
	run -1 dynaput -t "$T" --typed -b -j 1 in
	assert_line --index 0 --partial 'dynaput: in:4: ValidationException: One or more parameter values were invalid: Input collection [a, a] contains duplicates'
	assert_equal "$(summary)" "dynaput: 4 read, 3 written, 0 already present, 1 rejected, 0 retries"
	run scan "$T"
	assert_output '{"bs":{"BS":["AAE="]},"eventId":{"S":"s"},"fingerprint":{"S":"1"},"m":{"M":{"l":{"L":[{"NULL":true}]}}},"ns":{"NS":["1","2.5"]},"ss":{"SS":["a","b"]}}
{"eventId":{"S":"d"},"fingerprint":{"S":"1"},"v":{"N":"2"}}'
}
