#!/usr/bin/env bats
# lib/aws/s3_get (the resumable GET) and lib/aws/s3_pages (a listing's
# pages), driven by build/s3probe (tests/s3probe.c, built under ASan and
# UBSan by make unit) against s3rver through the fault proxy: every
# check a resumed answer must pass, each caught by a case here.

load helper

setup_file() {
	servers_up
	F=$BATS_FILE_TMPDIR/f
	mkdir -p "$F"
	# 33,000 bytes: resumes at 10,000 and 20,000 fall inside lines
	head -c 24750 /dev/urandom | base64 -w 76 | head -c 33000 >"$F/obj"
	[ "$(wc -c <"$F/obj")" -eq 33000 ]
	curl -sf -X PUT "$S3_ENDPOINT/get" -o /dev/null
	curl -sf -X PUT --data-binary "@$F/obj" "$S3_ENDPOINT/get/obj" \
		-o /dev/null
	printf 'a\n' >"$F/a"
	for k in p/1 p/2 p/3 p/4 p/5; do
		curl -sf -X PUT --data-binary "@$F/a" "$S3_ENDPOINT/get/$k" \
			-o /dev/null
	done
	curl -sf -X PUT --data-binary "@$F/obj" "$S3_ENDPOINT/get/p/6" \
		-o /dev/null
}

teardown_file() {
	servers_down
}

setup() {
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	F=$BATS_FILE_TMPDIR/f
	cd "$BATS_TEST_TMPDIR" || return 1
	proxy_up "$S3_ENDPOINT"
	export AWS_ENDPOINT_URL_S3=$PROXY
	ETAG=$(curl -sI "$S3_ENDPOINT/get/obj" | tr -d '\r' | sed -n 's/^ETag: //Ip')
	[ -n "$ETAG" ]
}

teardown() {
	proxy_down
}

probe() { "$TOP/build/s3probe" "$@"; }
# log: each request to the object, its Range and If-Match
log() {
	proxy_stats | jq -r '.log[] | select(.url == "/get/obj") | "\(.range) \(.ifMatch)"'
}
# togot CMD...: CMD with its output in ./got (run keeps its stderr)
togot() { "$@" >got; }

@test "an object whole, in one request; a paused reader gets it whole too" {
	run -0 togot probe s3://get/obj
	cmp "$F/obj" got
	assert_equal "$(log)" "null null"
	run -0 togot probe -P s3://get/obj
	cmp "$F/obj" got
}

@test "a body cut three times resumes with Range and If-Match: every byte once" {
	for p in "" -P; do
		proxy_rules '[{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":3}]'
		run -0 --separate-stderr togot probe -v $p s3://get/obj
		cmp "$F/obj" got
		[[ $stderr =~ "retry 2 in "[0-9]+" ms from byte 10000: " ]]
		[[ $stderr =~ "retry 2 in "[0-9]+" ms from byte 30000: " ]]
		assert_equal "$(log)" "null null
bytes=10000- $ETAG
bytes=20000- $ETAG
bytes=30000- $ETAG"
		curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	done
}

@test "a resumed Range answered with 200 and the whole object: what was given is skipped" {
	# a server that ignores Range (asked anonymously: Range is signed),
	# and cuts the whole object again
	for p in "" -P; do
		proxy_rules '[{"match":{"path":"obj","header":{"range":"."}},"action":"cut","bytes":20000,"times":1,"drop":["range","authorization"]},
			{"match":{"path":"obj","header":{"range":"."}},"action":"pass","drop":["range","authorization"]},
			{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":1}]'
		run -0 togot probe $p s3://get/obj
		cmp "$F/obj" got
		assert_equal "$(log)" "null null
bytes=10000- $ETAG
bytes=20000- $ETAG"
		assert_equal "$(proxy_stats | jq -c .faults)" '{"cut":2,"pass":1}'
		curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	done
}

@test "a 200 shorter than what was given fails, nothing written twice" {
	proxy_rules "[{\"match\":{\"path\":\"obj\",\"header\":{\"range\":\".\"}},\"action\":\"status\",\"status\":200,\"body\":\"short\",\"headers\":{\"etag\":$(jq -n --arg e "$ETAG" '$e')}},
		{\"match\":{\"path\":\"obj\"},\"action\":\"cut\",\"bytes\":10000,\"times\":1}]"
	run -1 --separate-stderr togot probe s3://get/obj
	cmp got <(head -c 10000 "$F/obj")
	assert_equal "$stderr" "s3probe: failed: the object ends at byte 5, before byte 10000 it had reached"
}

@test "an ETag changed mid-transfer fails, at the bytes it had" {
	proxy_rules '[{"match":{"path":"obj","header":{"range":"."}},"action":"pass","set":{"etag":"\"0123456789abcdef\""}},
		{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":1}]'
	run -1 --separate-stderr togot probe s3://get/obj
	cmp got <(head -c 10000 "$F/obj")
	assert_equal "$stderr" "s3probe: failed: the object changed during the transfer (ETag \"0123456789abcdef\", was $ETAG)"
}

@test "a 206 whose Content-Range does not start where asked fails; so does one without it" {
	proxy_rules '[{"match":{"path":"obj","header":{"range":"."}},"action":"pass","set":{"content-range":"bytes 0-22999/33000"}},
		{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":1}]'
	run -1 --separate-stderr togot probe s3://get/obj
	cmp got <(head -c 10000 "$F/obj")
	assert_equal "$stderr" 's3probe: failed: asked for bytes from 10000, got "bytes 0-22999/33000"'
	curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	proxy_rules '[{"match":{"path":"obj","header":{"range":"."}},"action":"pass","set":{"content-range":""}},
		{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":1}]'
	run -1 --separate-stderr togot probe s3://get/obj
	cmp got <(head -c 10000 "$F/obj")
	assert_equal "$stderr" 's3probe: failed: asked for bytes from 10000, got ""'
}

@test "a resume refused by If-Match (412): the object changed" {
	proxy_rules '[{"match":{"path":"obj","header":{"range":"."}},"action":"status","status":412,
		"body":"<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>"},
		{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":1}]'
	run -1 --separate-stderr togot probe s3://get/obj
	cmp got <(head -c 10000 "$F/obj")
	assert_equal "$stderr" "s3probe: failed: PreconditionFailed: At least one of the pre-conditions you specified did not hold (the object changed during the transfer)"
}

@test "throttling is retried until the attempts run out; a resume that got bytes starts the count again" {
	proxy_rules '[{"match":{"path":"obj"},"action":"status","status":503,
		"body":"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"}]'
	run -1 --separate-stderr togot probe -v -a 3 s3://get/obj
	assert_equal "$(cat got)" ""
	assert_equal "$(sed 's/in [0-9]* ms/in X ms/' <<<"$stderr")" \
		"s3probe: retry 2 in X ms from byte 0: HTTP 503 SlowDown
s3probe: retry 3 in X ms from byte 0: HTTP 503 SlowDown
s3probe: failed: SlowDown: Please reduce your request rate. (gave up after 3 attempts)
s3probe: 0 bytes taken, 2 retries"
	curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	# 3 attempts at most, but each of 4 cuts got bytes
	proxy_rules '[{"match":{"path":"obj"},"action":"cut","bytes":5000,"times":4}]'
	run -0 togot probe -a 3 s3://get/obj
	cmp "$F/obj" got
}

@test "a missing key fails (1); a missing bucket is a refusal (3)" {
	run -1 --separate-stderr probe s3://get/nokey
	assert_equal "$stderr" "s3probe: failed: NoSuchKey: The specified key does not exist."
	run -3 --separate-stderr probe s3://nobucket/k
	assert_equal "$stderr" "s3probe: refused: NoSuchBucket: The specified bucket does not exist"
}

@test "the reader stopped from on_bytes or from outside ends, failed, at the bytes taken" {
	# from on_bytes, at the delivery after the first (of 16 KiB at most)
	run -1 --separate-stderr togot probe -x 1 s3://get/obj
	assert_equal "$stderr" "s3probe: failed: stopped"
	n=$(wc -c <got)
	[ "$n" -ge 1 ] && [ "$n" -lt 33000 ]
	cmp got <(head -c "$n" "$F/obj")
	# from outside: while its transfer runs (paused at every delivery),
	# and while it waits for its next attempt
	run -1 --separate-stderr togot probe -P -X 1 s3://get/obj
	assert_equal "$stderr" "s3probe: failed: stopped"
	n=$(wc -c <got)
	[ "$n" -ge 1 ] && [ "$n" -lt 33000 ]
	cmp got <(head -c "$n" "$F/obj")
	curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	proxy_rules '[{"match":{"path":"obj"},"action":"cut","bytes":10000,"times":1}]'
	run -1 --separate-stderr togot probe -R s3://get/obj
	assert_equal "$stderr" "s3probe: failed: stopped"
	cmp got <(head -c 10000 "$F/obj")
	assert_equal "$(log)" "null null"
}

@test "a listing page after page, each key with its size; a page's retry" {
	proxy_rules '[{"match":{"path":"continuation-token"},"action":"status","status":500,"times":1,
		"body":"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"}]'
	run -0 --separate-stderr probe -v -l -m 2 s3://get/p/
	assert_output "p/1	2
p/2	2
page
p/3	2
p/4	2
page
p/5	2
p/6	33000
page"
	[[ $stderr =~ ^"s3probe: retry 2 in "[0-9]+" ms from byte 0: HTTP 500 InternalError"$ ]]
	run -3 --separate-stderr probe -l s3://nobucket/
	assert_equal "$stderr" "s3probe: refused: NoSuchBucket: The specified bucket does not exist"
}
