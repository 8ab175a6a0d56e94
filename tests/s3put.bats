#!/usr/bin/env bats
# s3put: standard input to one S3 object, against the SigV4-verifying
# s3rver fork; faults come from our proxy in front of it.  What was
# written is read back with plain curl (s3rver takes anonymous GETs) and
# with s3cat, byte for byte.

load helper

setup_file() {
	servers_up
	F=$BATS_FILE_TMPDIR/f
	mkdir -p "$F"
	# 21 MiB of text: five parts of 5 MiB and one of 1 MiB
	head -c 16515072 /dev/urandom | base64 -w 100 >"$F/r21"
	[ "$(wc -c <"$F/r21")" -gt 22020096 ]
	head -c 22020096 "$F/r21" >"$F/t" && mv "$F/t" "$F/r21"
	printf '\n' >>"$F/r21"
	curl -sf -X PUT "$S3_ENDPOINT/put" -o /dev/null
}

teardown_file() {
	servers_down
}

setup() {
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT
	F=$BATS_FILE_TMPDIR/f
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	proxy_down
	exec 5>&- 2>/dev/null || :
}

# get KEY: the object's bytes, unsigned, straight from s3rver
get() { curl -sf "$S3_ENDPOINT/put/$1"; }
# status KEY: the HTTP status of a GET of the object
status() { curl -s -o /dev/null -w '%{http_code}' "$S3_ENDPOINT/put/$1"; }
# requests: each request the proxy saw, "METHOD PATH?QUERY", in order
requests() { proxy_stats | jq -r '.log[] | "\(.method) \(.url)"'; }
# mpetag FILE PART: the ETag S3 gives FILE uploaded in parts of PART
# bytes: the MD5 of the parts' MD5s, a dash, how many
mpetag() {
	perl -MDigest::MD5=md5,md5_hex -e 'local $/ = \$ARGV[0]; my ($c, $n) = ("", 0);
		while (<STDIN>) { $c .= md5($_); $n++ } print "\"", md5_hex($c), "-$n\"\n"' "$2" <"$1"
}

@test "-h prints the usage and one line per option; bad options, URLs and sizes are usage errors (2)" {
	run -0 s3put -h
	assert_line --index 0 "usage: s3put [-v] [-S summary] [--part-size size] [-j N] [-e endpoint] [-p profile] [-r region] [--ca-bundle file] url"
	for o in -j -S -v --part-size -e -p -r --ca-bundle; do
		assert_line --regexp "^  $o[ ,]"
	done
	[ "${#lines[@]}" -eq 9 ]
	run -2 s3put
	assert_output --partial "usage: s3put"
	run -2 s3put s3://put/a s3://put/b
	run -2 --separate-stderr s3put s3://put/dir/ </dev/null
	assert_equal "$stderr" "s3put: s3://put/dir/: names a prefix, not an object (s3://bucket/key)"
	run -2 --separate-stderr s3put local/file </dev/null
	assert_equal "$stderr" "s3put: local/file: not an S3 URL (s3://bucket/key)"
	run -2 --separate-stderr s3put gs://b/k </dev/null
	assert_equal "$stderr" "s3put: gs://b/k: unsupported URL scheme gs:// (s3://bucket/key, or a local path)"
	run -2 --separate-stderr s3put --part-size 4M s3://put/k </dev/null
	assert_equal "$stderr" "s3put: --part-size: 4M: not a size in bytes from 5242880 to 5368709120"
	run -2 --separate-stderr s3put -j 0 s3://put/k </dev/null
	assert_equal "$stderr" "s3put: -j: 0: not a number from 1 to 64"
}

@test "an empty input is an empty object; a small one is one PutObject" {
	proxy_up "$S3_ENDPOINT"
	run -0 --separate-stderr s3put -e "$PROXY" -S sum s3://put/empty </dev/null
	assert_equal "$stderr" ""
	[ "$(status empty)" = 200 ]
	[ "$(get empty | wc -c)" -eq 0 ]
	assert_equal "$(cat sum)" '{"prog":"s3put","bytes":0,"parts":1,"retries":0}'
	printf 'one line\n' >one
	run -0 s3put -e "$PROXY" s3://put/dir/one <one
	get dir/one | cmp - one
	assert_equal "$(s3cat s3://put/dir/one)" "one line"
	# one request each, with Content-MD5: the MD5 of the body in base64
	assert_equal "$(requests)" "PUT /put/empty
PUT /put/dir/one"
	assert_equal "$(proxy_stats | jq -r '.log[1].md5')" "$(openssl md5 -binary one | base64)"
}

@test "an input of exactly one part is one PutObject; one byte more is a multipart upload" {
	head -c 5242880 "$F/r21" >five
	proxy_up "$S3_ENDPOINT"
	run -0 s3put -e "$PROXY" --part-size 5M s3://put/five <five
	get five | cmp - five
	assert_equal "$(requests)" "PUT /put/five"
	head -c 5242881 "$F/r21" >fivep
	curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	run -0 s3put -e "$PROXY" --part-size 5M -S sum s3://put/fivep <fivep
	get fivep | cmp - fivep
	assert_equal "$(jq -c '[.bytes, .parts]' sum)" "[5242881,2]"
	# (the parts in the order their bodies came whole)
	assert_equal "$(requests | sed 's/uploadId=[^&]*/uploadId=ID/' | sed '2,3s/partNumber=[12]/partNumber=N/')" "POST /put/fivep?uploads=
PUT /put/fivep?partNumber=N&uploadId=ID
PUT /put/fivep?partNumber=N&uploadId=ID
POST /put/fivep?uploadId=ID"
	assert_equal "$(requests | grep -c 'partNumber=1&')$(requests | grep -c 'partNumber=2&')" 11
}

@test "21 MiB at --part-size 5M: five parts, each with its MD5, byte-exact (curl and s3cat), from a pipe and from a file" {
	proxy_up "$S3_ENDPOINT"
	run -0 --separate-stderr bash -c 'cat "$1" | s3put -v -j 3 --part-size 5M -S sum -e "$2" s3://put/big' - "$F/r21" "$PROXY"
	assert_equal "$stderr" "s3put: s3://put/big: $(wc -c <"$F/r21") bytes in 5 parts, 0 retries"
	get big | cmp - "$F/r21"
	s3cat s3://put/big | cmp - "$F/r21"
	assert_equal "$(cat sum)" "{\"prog\":\"s3put\",\"bytes\":$(wc -c <"$F/r21"),\"parts\":5,\"retries\":0}"
	# every part's Content-MD5 is its own, in base64
	proxy_stats | jq -r '.log[] | select(.url | test("partNumber")) |
		"\(.url | capture("partNumber=(?<n>[0-9]+)").n) \(.md5)"' |
		sort -n | cut -d' ' -f2 >md5s
	split -b 5M "$F/r21" part.
	for p in part.*; do openssl md5 -binary "$p" | base64; done | cmp - md5s
	assert_equal "$(requests | sed 's/uploadId=[^&]*/uploadId=ID/; s/partNumber=[0-9]/partNumber=N/' | uniq -c | awk '{ print $1, $2 }')" "1 POST
5 PUT
1 POST"
	run -0 s3put --part-size 5M s3://put/big2 <"$F/r21"
	get big2 | cmp - "$F/r21"
}

@test "a connection reset mid-part sends that part again: byte-exact, the retry counted" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"method":"PUT","path":"partNumber=3&"},"action":"cutreq","bytes":1000000,"times":1}]'
	run -0 --separate-stderr s3put -v --part-size 5M -S sum -e "$PROXY" s3://put/reset <"$F/r21"
	get reset | cmp - "$F/r21"
	assert_equal "$(jq -c '[.parts, .retries]' sum)" "[5,1]"
	[[ $stderr =~ "s3put: s3://put/reset: part 3: retry 2 in "[0-9]+" ms: " ]]
	[ "$(requests | grep -c 'partNumber=3&')" -eq 2 ]
	[ "$(proxy_stats | jq .faults.cutreq)" -eq 1 ]
	# a PutObject too, and throttling
	printf 'small\n' >small
	proxy_rules '[{"match":{"method":"PUT"},"action":"reset","times":1},
		{"match":{"method":"PUT"},"action":"status","status":503,"times":1,
		"body":"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"}]'
	run -0 s3put -e "$PROXY" -S sum s3://put/small <small
	get small | cmp - small
	assert_equal "$(jq -c '[.parts, .retries]' sum)" "[1,2]"
}

@test "a 200 to CompleteMultipartUpload that holds an <Error> is that error: InternalError is tried again" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"method":"POST","path":"uploadId="},"action":"status","status":200,"times":1,
		"body":"<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>"}]'
	run -0 --separate-stderr s3put -v --part-size 5M -S sum -e "$PROXY" s3://put/late <"$F/r21"
	get late | cmp - "$F/r21"
	[[ $stderr =~ "s3put: s3://put/late: CompleteMultipartUpload: retry 2 in "[0-9]+" ms: InternalError: We encountered an internal error. Please try again." ]]
	assert_equal "$(jq .retries sum)" 1
	proxy_rules '[{"match":{"method":"POST","path":"uploadId="},"action":"status","status":200,
		"body":"<Error><Code>InvalidPart</Code><Message>One or more of the specified parts could not be found.</Message></Error>"},
		{"match":{"method":"DELETE"},"action":"status","status":204}]'
	run -1 --separate-stderr s3put --part-size 5M -e "$PROXY" s3://put/late2 <"$F/r21"
	assert_equal "$stderr" "s3put: s3://put/late2: InvalidPart: One or more of the specified parts could not be found."
	[ "$(status late2)" = 404 ]
	requests | grep -q '^DELETE /put/late2?uploadId='
}

@test "a CompleteMultipartUpload whose answer was lost finds the upload gone: the object's ETag says it was written" {
	proxy_up "$S3_ENDPOINT"
	etag=$(mpetag "$F/r21" 5242880)
	# the first try completes upstream and its answer is cut; the second
	# finds no upload (as S3 answers); HEAD shows S3's ETag for the parts
	proxy_rules "[{\"match\":{\"method\":\"POST\",\"path\":\"uploadId=\"},\"action\":\"cut\",\"bytes\":0,\"times\":1},
		{\"match\":{\"method\":\"POST\",\"path\":\"uploadId=\"},\"action\":\"status\",\"status\":404,
		\"body\":\"<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>\"},
		{\"match\":{\"method\":\"HEAD\"},\"action\":\"pass\",\"set\":{\"etag\":$(jq -n --arg e "$etag" '$e')}}]"
	run -0 --separate-stderr s3put --part-size 5M -e "$PROXY" s3://put/lost <"$F/r21"
	get lost | cmp - "$F/r21"
	assert_equal "$(requests | tail -n 3 | sed 's/uploadId=[^&]*/uploadId=ID/')" "POST /put/lost?uploadId=ID
POST /put/lost?uploadId=ID
HEAD /put/lost"
	# an ETag of other parts: it is not ours, a failure
	proxy_rules '[{"match":{"method":"POST","path":"uploadId="},"action":"cut","bytes":0,"times":1},
		{"match":{"method":"POST","path":"uploadId="},"action":"status","status":404,
		"body":"<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>"},
		{"match":{"method":"HEAD"},"action":"pass","set":{"etag":"\"0123456789abcdef0123456789abcdef-5\""}}]'
	run -1 --separate-stderr s3put --part-size 5M -e "$PROXY" s3://put/lost2 <"$F/r21"
	assert_equal "$stderr" "s3put: s3://put/lost2: CompleteMultipartUpload: the upload was gone when it was tried again, and the object's ETag is \"0123456789abcdef0123456789abcdef-5\", not $etag"
}

@test "a missing bucket or a wrong secret: the remote refused us (exit 3), one line" {
	run -3 --separate-stderr s3put s3://no-such-bucket/k <"$F/r21"
	assert_equal "$stderr" "s3put: s3://no-such-bucket/k: CreateMultipartUpload: NoSuchBucket: The specified bucket does not exist"
	printf 'x\n' >x
	run -3 --separate-stderr s3put s3://no-such-bucket/k <x
	assert_equal "$stderr" "s3put: s3://no-such-bucket/k: NoSuchBucket: The specified bucket does not exist"
	AWS_SECRET_ACCESS_KEY=wrong run -3 --separate-stderr s3put s3://put/k <x
	[[ $stderr == "s3put: s3://put/k: SignatureDoesNotMatch: "* ]]
	[ "$(status k)" = 404 ]
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	run -3 --separate-stderr s3put s3://put/k <x
	[[ $stderr == "s3put: "*credentials* ]]
}

@test "a part refused mid-upload: exit 3, the upload aborted, no object" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"method":"PUT","path":"partNumber=2&"},"action":"status","status":403,
		"body":"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"},
		{"match":{"method":"DELETE"},"action":"status","status":204}]'
	run -3 --separate-stderr s3put -v --part-size 5M -e "$PROXY" s3://put/refused <"$F/r21"
	assert_equal "$stderr" "s3put: s3://put/refused: part 2: AccessDenied: Access Denied
s3put: s3://put/refused: upload aborted: no object written"
	[ "$(status refused)" = 404 ]
	id=$(requests | sed -n 's/^PUT .*uploadId=//p' | head -n 1)
	[ -n "$id" ]
	# (a part cancelled may come whole to the proxy after the DELETE)
	assert_equal "$(requests | grep -c "^DELETE /put/refused?uploadId=$id$")" 1
}

# fed KEY ARGS...: s3put ARGS... s3://put/KEY in the background, its
# stdin the fifo ./in held open on fd 5; PID is its pid
fed() {
	local key=$1
	shift
	mkfifo in
	s3put "$@" "s3://put/$key" <in >out 2>err 3>&- &
	PID=$!
	exec 5>in
}

@test "SIGTERM or SIGINT mid-upload: the upload is aborted at once (143, 130), no object" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"method":"DELETE"},"action":"status","status":204}]'
	for sig in TERM INT; do
		rm -f in
		fed "intr$sig" --part-size 5M -e "$PROXY"
		head -c 12000000 "$F/r21" >&5
		# parts 1 and 2 sent, 3 filling while the input waits
		for _ in $(seq 100); do
			[ "$(requests | grep -c "^PUT /put/intr$sig?partNumber")" -ge 2 ] && break
			sleep 0.05
		done
		start=$(date +%s%N)
		kill -"$sig" "$PID"
		rc=0
		wait "$PID" || rc=$?
		[ $((($(date +%s%N) - start) / 1000000)) -lt 2500 ]
		exec 5>&-
		[ "$rc" -eq "$([ $sig = TERM ] && echo 143 || echo 130)" ]
		assert_equal "$(cat err)" ""
		[ "$(status "intr$sig")" = 404 ]
		id=$(requests | sed -n "s/^PUT \/put\/intr$sig?partNumber=1&uploadId=//p")
		[ -n "$id" ]
		assert_equal "$(requests | tail -n 1)" "DELETE /put/intr$sig?uploadId=$id"
	done
	# an abort that fails is said, with how to do it by hand
	proxy_rules '[{"match":{"method":"DELETE"},"action":"status","status":500}]'
	rm -f in
	fed left --part-size 5M -e "$PROXY"
	head -c 12000000 "$F/r21" >&5
	for _ in $(seq 100); do
		[ "$(requests | grep -c '^PUT /put/left?partNumber')" -ge 2 ] && break
		sleep 0.05
	done
	kill -TERM "$PID"
	rc=0
	wait "$PID" || rc=$?
	[ "$rc" -eq 143 ]
	id=$(requests | sed -n 's/^PUT \/put\/left?partNumber=1&uploadId=//p')
	assert_equal "$(cat err)" "s3put: s3://put/left: upload $id not aborted: HTTP 500; it is kept (and paid for) until it is: aws s3api abort-multipart-upload --bucket put --key 'left' --upload-id $id"
}

@test "a read error on the standard input fails (exit 1), no object" {
	run -1 --separate-stderr s3put s3://put/fromdir <.
	assert_equal "$stderr" "s3put: s3://put/fromdir: stdin: Is a directory"
	[ "$(status fromdir)" = 404 ]
}

@test "-S is written however s3put ends: refused, a configuration error" {
	run -3 s3put -S sum s3://no-such-bucket/k </dev/null
	assert_equal "$(cat sum)" '{"prog":"s3put","bytes":0,"parts":0,"retries":0}'
	assert_equal "$(stat -c %a sum)" 600
	rm sum
	run -2 s3put -S sum -p nosuch s3://put/k </dev/null
	assert_equal "$(jq -c . sum)" '{"prog":"s3put","bytes":0,"parts":0,"retries":0}'
}

@test "200 MB through a pipe at -j 4: memory stays near (j + 1) parts, the object byte-exact" {
	head -c 150000000 /dev/urandom | base64 -w 200 >r200
	run -0 rss s3put -j 4 s3://put/r200 < <(cat r200)
	get r200 | cmp - r200
	kb=$(rss_kb)
	echo "# peak RSS, 200 MB at -j 4 (parts of 8 MiB): $kb kB" >&3
	# 5 parts of 8 MiB, and what the program is without them
	sanitized s3put || [ "$kb" -lt 60000 ]
}
