#!/usr/bin/env bats
# The whole job on archives with something wrong in them: a wrong item
# must never reach the table, and no object may be skipped while the run
# says done.  Each case goes through populate, s3rver and dynalite, and
# compares the table with what the archive's good lines make.

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
	B=i$(printf '%s' "$BATS_TEST_NAME" | md5sum | cut -c1-12)
	T=manifest-$B
	jq --arg t "$T" '.data.dynamodbTable = $t | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json" >cfg.json
	"$TOP/tools/mkarchive" archive 2 8 >runs.txt
	R1=$(sed -n 1p runs.txt | cut -f1)
	R2=$(sed -n 2p runs.txt | cut -f1)
}

# upload: the local archive to s3://$B/archive/
upload() {
	s3_mb "$B"
	s3_put_dir archive "$B/archive"
}

# items FILE...: the manifest items of the lines, decoded by name
items() {
	local f
	for f in "$@"; do
		case $f in
		*.gz*) gzip -dc "$f" ;;
		*.bz2) bzip2 -dc "$f" ;;
		*.zst) zstd -qdc "$f" ;;
		*) cat "$f" ;;
		esac
	done | eventcut 2>/dev/null
}

# expected: the table the good lines of both runs make (earliest first)
expected() {
	{ items archive/"$R1"/part-*; items archive/"$R2"/part-*; } |
		jq -sc 'reduce .[] as $i ({}; .[$i.eventId + " " + $i.fingerprint] //= $i) | .[]' |
		jq -Sc . | sort
}

table() { ddb_scan "$T" | jq -Sc . | sort; }

@test "an object cut short mid-line: its partial last line never reaches the table, the run is not done" {
	# the last line of the object stops inside its fingerprint
	f=archive/$R2/part-00001
	head -c -20 "$f" >cut
	cp cut "$f"
	gzip -c cut | head -c -8 >"archive/$R2/part-00001.gz"
	rm "$f"
	upload
	run -1 --separate-stderr populate "s3://$B/archive/" cfg.json
	[[ $stderr == *"s3://$B/archive/$R2/part-00001.gz: gzip: unexpected end of data"* ]] || fail "$stderr"
	# nothing with a cut fingerprint
	run -0 jq -r 'select(.fingerprint | length != 32) | .fingerprint' <(table)
	assert_output ""
	grep -qx "run=${R1#run=}" populate-logs/*state* 2>/dev/null
	! grep -qx "run=${R2#run=}" populate-logs/*state* 2>/dev/null
}

@test "a fingerprint DynamoDB would refuse (1,100 bytes) is a bad row; the next run is read" {
	f=archive/$R1/part-00001
	ev 130="$(head -c 1100 /dev/zero | tr '\0' a)" >>"$f"
	upload
	run -0 --separate-stderr populate "s3://$B/archive/" cfg.json
	assert_equal "$(table)" "$(expected)"
	[ -n "$(table)" ]
	grep -rq '"event_fingerprint \[aaaa' populate-logs/
}

@test "bzip2 and zstd objects are read whole; an xz one fails its run, named" {
	bzip2 -c "archive/$R1/part-00001" >"archive/$R1/part-00001.bz2"
	zstd -qc "archive/$R2/part-00001" >"archive/$R2/part-00001.zst"
	rm "archive/$R1/part-00001" "archive/$R2/part-00001"
	upload
	run -0 --separate-stderr populate "s3://$B/archive/" cfg.json
	assert_equal "$(table)" "$(expected)"
	xz -c "archive/$R2/part-00001.zst" >"archive/$R2/part-00002.xz"
	s3_put "$B/archive/$(s3_key "$R2/part-00002.xz")" "archive/$R2/part-00002.xz"
	run -1 --separate-stderr populate --state other "s3://$B/archive/" cfg.json
	[[ $stderr == *"s3://$B/archive/$R2/part-00002.xz: xz"* ]] || fail "$stderr"
}

@test "events separated by bare carriage returns are each read" {
	f=archive/$R1/part-00001
	tr '\n' '\r' <"$f" >cr
	cp cr "$f"
	upload
	run -0 --separate-stderr populate "s3://$B/archive/" cfg.json
	assert_equal "$(table)" "$(expected)"
	[ "$(items "$f" | wc -l)" -gt 1 ]
}

@test "a failed task's leftovers (_temporary, .spark-staging) are not read" {
	mkdir -p "archive/$R1/_temporary/0/_temporary/attempt_1" "archive/$R1/.spark-staging"
	ev 7=11111111-1111-4111-8111-111111111111 >"archive/$R1/_temporary/0/_temporary/attempt_1/part-00000"
	ev 7=22222222-2222-4222-8222-222222222222 >"archive/$R1/.spark-staging/part-00001"
	upload
	run -0 --separate-stderr populate "s3://$B/archive/" cfg.json
	assert_equal "$(table)" "$(expected)"
	! grep -q 11111111-1111 <(table)
	! grep -q 22222222-2222 <(table)
	rm -rf populate-logs
	run -0 --separate-stderr populate archive cfg.json
	assert_equal "$(table)" "$(expected)"
}

@test "a dangling link in a local run: named, the run not done, the files beside it still read" {
	ln -s /nonexistent/part "archive/$R1/part-00000x"
	run -1 --separate-stderr populate archive cfg.json
	[[ $stderr == *"archive/$R1/part-00000x: No such file or directory"* ]] || fail "$stderr"
	! grep -qsx "run=${R1#run=}" populate-logs/*state*
	rm "archive/$R1/part-00000x"
	run -0 --separate-stderr populate archive cfg.json
	assert_equal "$(table)" "$(expected)"
}
