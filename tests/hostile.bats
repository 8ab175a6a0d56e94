#!/usr/bin/env bats
# Hostile servers and hostile input (issue 14): s3cat and dynaput keep
# their memory flat, never hang, and tell what happened, whatever a
# server sends.  tests/servers/hostile.js stands between them and
# s3rver or dynalite and misbehaves by rules; each case checks the exit
# status, the message, the peak RSS, and that what is good around the bad
# thing still comes out whole.  Times are bounds for a loaded 2-core
# machine, never exact.

load helper

setup_file() {
	servers_up
	F=$BATS_FILE_TMPDIR/f
	mkdir -p "$F"
	cd "$F" || return 1
	printf 'good a 1\ngood a 2\n' >ga
	printf 'good b 1\ngood b 2\n' | gzip >gb.gz
	seq 1 200000 >mid
	head -c 6000 /dev/urandom | base64 >small
	printf 'bad object\n' >bad
	# a gzip bomb: 1 GiB of zeros in 1024 members of 1 MiB, about 1 MB
	# (one member of 1 GiB takes gzip -1 ten seconds here; the decoder
	# streams either alike)
	head -c 1048576 /dev/zero | gzip -9 >zero.gz
	for _ in $(seq 1024); do cat zero.gz; done >bomb.gz
	s3_mb hbk
	for f in ga gb.gz mid small bad bomb.gz; do s3_put "hbk/$f" "$f"; done
	for i in $(seq -w 1 30); do s3_put "hbk/many/key-with-a-long-name-$i" ga; done
	# a CA of the test's own and a certificate for 127.0.0.1 it signed
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
		-days 2 -subj /CN=hostile-test-ca 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
		-subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null
}

teardown_file() {
	servers_down
}

setup() {
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
		AWS_REGION=us-east-1
	F=$BATS_FILE_TMPDIR/f
	T=hostile-$BATS_TEST_NUMBER-$$
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	hostile_down
}

# s3up: the hostile server in front of s3rver
s3up() { hostile_up --upstream "$S3_ENDPOINT" "$@"; }
# ddbup: in front of dynalite, dynaput's credentials, the manifest's table
ddbup() {
	hostile_up --upstream "$DDB_ENDPOINT" "$@"
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
}
# items N: N manifest items, item i with eventId 0000000i-...
items() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"eventId\":\"%08d-f570-4414-b91a-b0db8f39cc2e\",\"fingerprint\":\"bed9a39a0917874d2ff072033a6413d9\",\"etlTime\":1480236400,\"ttl\":1495788400}\n", i }'
}
# stored TABLE: how many items the table holds
stored() { ddb_scan "$1" | wc -l; }
# want FILE...: what s3cat must write for these objects of $F
want() {
	local f
	for f in "$@"; do
		case $f in
		*.gz) gzip -dc "$F/$f" ;;
		*) cat "$F/$f" ;;
		esac
	done
}
# requests REGEX: how many requests for a URL matching REGEX came
requests() { hostile_log | jq -r 'select(.on == "port") | .url' | grep -c -- "$1"; }
# lowfd N CMD [ARG ...]: CMD under ulimit -n N, with only 0, 1 and 2 open
# (what bats keeps open would count)
lowfd() {
	bash -c 'for fd in /proc/$$/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		ulimit -n "$0" && exec "$@"' "$@"
}
# ms_since START: milliseconds since START ($(date +%s%N))
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

@test "a response header of 20 MB, in lines or in one: refused at 64 KiB, not retried, the objects around it whole" {
	s3up
	for line in false true; do
		hostile_rules '[{"match":{"path":"/hbk/bad"},"action":"bighdr","line":'$line'}]'
		run -1 --separate-stderr rss s3cat -j 3 -e "$HOSTILE" s3://hbk/ga s3://hbk/bad s3://hbk/gb.gz
		assert_equal "$stderr" "s3cat: s3://hbk/bad: response header too large (more than 65536 bytes)"
		assert_equal "$output" "$(want ga gb.gz)"
		sanitized s3cat || [ "$(rss_kb)" -lt 40000 ]
	done
	# once each time: no retry
	[ "$(requests /hbk/bad)" -eq 2 ]
}

@test "dynaput: a 20 MB response header rejects that item alone, once; the others are written" {
	ddbup
	items 20 >in
	hostile_rules '[{"match":{"target":"PutItem","body":"00000007-"},"action":"bighdr"}]'
	run -1 --separate-stderr rss dynaput -j 4 -e "$HOSTILE" -t "$T" in
	assert_equal "$stderr" "dynaput: in:7: response header too large (more than 65536 bytes)
dynaput: 20 read, 19 written, 0 already present, 1 rejected, 0 retries"
	[ "$(stored "$T")" -eq 19 ]
	sanitized dynaput || [ "$(rss_kb)" -lt 40000 ]
}

@test "a body longer than its Content-Length is cut at it: byte-exact, and the next object too" {
	s3up
	hostile_rules '[{"match":{"path":"/hbk/mid"},"action":"overlong","extra":1000000}]'
	rss s3cat -j 2 -e "$HOSTILE" s3://hbk/mid s3://hbk/ga s3://hbk/mid >out
	want mid ga mid | cmp - out
	sanitized s3cat || [ "$(rss_kb)" -lt 40000 ]
}

@test "a slow-loris body (2 bytes a second) ends as a retry, then as an error; the objects around it whole" {
	s3up
	export POPULATOR_SPEED_TIME=1
	# once: the retry resumes where it stopped
	hostile_rules '[{"match":{"path":"/hbk/mid"},"action":"slow","bps":2,"times":1}]'
	run -0 --separate-stderr s3cat -v -e "$HOSTILE" s3://hbk/ga s3://hbk/mid s3://hbk/gb.gz
	assert_equal "$output" "$(want ga mid gb.gz)"
	[[ ${stderr_lines[0]} =~ ^"s3cat: s3://hbk/mid: resume from byte "[0-9]+", retry 2 in "[0-9]+" ms: Operation too slow. Less than 1024 bytes/sec transferred the last 1 seconds"$ ]]
	# always: eight attempts, then an error, in seconds, not hours
	hostile_rules '[{"match":{"path":"/hbk/mid"},"action":"slow","bps":2}]'
	start=$(date +%s%N)
	run -1 --separate-stderr rss s3cat -e "$HOSTILE" s3://hbk/ga s3://hbk/mid s3://hbk/gb.gz
	ms=$(ms_since "$start")
	echo "# slow-loris to the end: $ms ms" >&3
	[ "$ms" -lt 60000 ]
	[[ $stderr =~ ^"s3cat: s3://hbk/mid: Operation too slow. Less than 1024 bytes/sec transferred the last 1 seconds (gave up after 8 attempts)"("; its last "[0-9]+" byte"s?", an unfinished line, not written")?$ ]]
	# what came of it, whole lines, between the whole neighbours
	assert_equal "${lines[0]}" "good a 1"
	assert_equal "${lines[1]}" "good a 2"
	assert_equal "${lines[-2]}" "good b 1"
	assert_equal "${lines[-1]}" "good b 2"
	# 2 attempts above, 8 here
	[ "$(requests /hbk/mid)" -eq 10 ]
	sanitized s3cat || [ "$(rss_kb)" -lt 40000 ]
}

@test "the total time: a listing page that never ends is cut and retried; an object that keeps moving is not cut" {
	s3up
	export POPULATOR_TIMEOUT=1
	# 30 keys' page, about 8 KB, at 2 KB a second: faster than the speed
	# limit, slower than the total time
	hostile_rules '[{"match":{"path":"list-type"},"action":"slow","bps":2000,"times":2},
		{"match":{"path":"/hbk/small"},"action":"slow","bps":2000}]'
	run -0 --separate-stderr s3cat -v -l -e "$HOSTILE" s3://hbk/many/
	[ "${#lines[@]}" -eq 30 ]
	[[ ${stderr_lines[0]} =~ ^"s3cat: s3://hbk/many/: retry 2 in "[0-9]+" ms: Operation timed out after "[0-9]+" milliseconds with "[0-9]+" out of "[0-9]+" bytes received"$ ]]
	# 8 KB at 2 KB a second: four times the total time, and whole
	start=$(date +%s%N)
	s3cat -e "$HOSTILE" s3://hbk/small >out
	cmp "$F/small" out
	[ "$(ms_since "$start")" -ge 2000 ]
}

@test "dynaput: a slow-loris answer is retried, and the item written" {
	ddbup
	export POPULATOR_SPEED_TIME=1
	items 10 >in
	# "{}" a byte each 5 s
	hostile_rules '[{"match":{"target":"PutItem","body":"00000003-"},"action":"slow","bps":0.2,"times":1}]'
	start=$(date +%s%N)
	run -0 dynaput -e "$HOSTILE" -t "$T" in
	assert_output "dynaput: 10 read, 10 written, 0 already present, 0 rejected, 1 retries"
	[ "$(ms_since "$start")" -lt 20000 ]
	[ "$(stored "$T")" -eq 10 ]
}

@test "an error body of 100 MB is kept to 16 KiB and shown cut; memory stays flat" {
	s3up
	hostile_rules '[{"match":{"path":"/hbk/bad"},"action":"bigerr","status":404},
		{"match":{"path":"/hbk/mid"},"action":"bigerr","status":500,"kind":"xml","times":1}]'
	run -1 --separate-stderr rss s3cat -j 3 -e "$HOSTILE" s3://hbk/ga s3://hbk/bad s3://hbk/mid s3://hbk/gb.gz
	assert_equal "$stderr" "s3cat: s3://hbk/bad: HTTP 404: <html><head><title>500 Internal Server Error</title></head><body><pre>the server is having a very long day. the server is having a very long day. the server is having a very long day. the server is ha... (a body of more than 16384 bytes, not read)"
	assert_equal "$output" "$(want ga mid gb.gz)"
	sanitized s3cat || [ "$(rss_kb)" -lt 40000 ]
}

@test "dynaput: 100 MB error bodies at -j 4 are read to 16 KiB each: every item says why, RSS stays flat" {
	ddbup
	items 12 >in
	hostile_rules '[{"match":{"target":"PutItem","body":"0000001[0-2]-"},"action":"bigerr","status":500,"kind":"json","times":3},
		{"match":{"target":"PutItem"},"action":"bigerr","status":400,"kind":"json"}]'
	run -1 --separate-stderr rss dynaput -j 4 -e "$HOSTILE" -t "$T" -x bad in
	assert_equal "$stderr" "dynaput: 12 read, 0 written, 0 already present, 12 rejected, 3 retries"
	jq -r '.errors[0].message' bad | sort -u >why
	assert_equal "$(cat why)" 'HTTP 400: {"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"the server is having a very long day. the server is having a very long day. the server is having a very long day. the server... (a body of more than 16384 bytes, not read)'
	sanitized dynaput || [ "$(rss_kb)" -lt 30000 ]
	echo "# dynaput -j 4 against 100 MB error bodies: $(rss_kb) kB" >&3
}

@test "dynaput: a DynamoDB answer over 16 MiB is refused, not retried" {
	ddbup
	hostile_rules '[{"match":{"target":"DescribeTable"},"action":"bigerr","status":200,"kind":"json","bytes":40000000}]'
	run -3 --separate-stderr rss dynaput -e "$HOSTILE" -t "$T" </dev/null
	assert_equal "$stderr" "dynaput: $HOSTILE/: response body too large (more than 16777216 bytes)"
	[ "$(requests /)" -eq 1 ]
	sanitized dynaput || [ "$(rss_kb)" -lt 60000 ]
}

@test "a listing that gives its own continuation token again ends after that page, with an error" {
	s3up
	hostile_rules '[{"match":{"path":"list-type"},"action":"listing","keys":3}]'
	start=$(date +%s%N)
	run -1 --separate-stderr s3cat -l -e "$HOSTILE" s3://hbk/loop/
	[ "$(ms_since "$start")" -lt 10000 ]
	assert_equal "$stderr" "s3cat: s3://hbk/loop/: the listing repeats itself: a page gave its own continuation token as the next"
	assert_equal "$output" "s3://hbk/loop/k0
s3://hbk/loop/k1
s3://hbk/loop/k2"
	[ "$(requests list-type)" -eq 2 ]
}

@test "a truncated listing fails cleanly: cut mid-body (retried), or cut XML (at once)" {
	s3up
	hostile_rules '[{"match":{"path":"list-type"},"action":"listing","cut":300}]'
	run -1 --separate-stderr s3cat -l -e "$HOSTILE" s3://hbk/p/ s3://hbk/ga
	[[ $stderr =~ ^"s3cat: s3://hbk/p/: transfer closed with "[0-9]+" bytes remaining to read (gave up after 8 attempts)"$ ]]
	assert_output "s3://hbk/ga"
	hostile_rules '[{"match":{"path":"list-type"},"action":"status","status":200,
		"body":"<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key>"}]'
	run -1 --separate-stderr s3cat -l -e "$HOSTILE" s3://hbk/q/ s3://hbk/ga
	assert_equal "$stderr" "s3cat: s3://hbk/q/: malformed listing: no element found (line 1)"
	assert_output "s3://hbk/ga"
	[ "$(requests /hbk?.*prefix=q)" -eq 1 ]
}

@test "a listing page of 100 MB is refused at 16 MiB; memory stays flat" {
	s3up
	hostile_rules '[{"match":{"path":"list-type"},"action":"listing","truncated":false,"pad":100000000}]'
	run -1 --separate-stderr rss s3cat -l -e "$HOSTILE" s3://hbk/big/ s3://hbk/ga
	assert_equal "$stderr" "s3cat: s3://hbk/big/: a listing page of more than 16777216 bytes"
	assert_output "s3://hbk/ga"
	sanitized s3cat || [ "$(rss_kb)" -lt 40000 ]
}

@test "a redirect is never followed: no request, signed or not, reaches the other host" {
	s3up
	hostile_rules '[{"match":{"path":"/hbk/bad"},"action":"redirect"}]'
	run -3 --separate-stderr s3cat -e "$HOSTILE" s3://hbk/ga s3://hbk/bad s3://hbk/gb.gz
	assert_equal "$stderr" "s3cat: s3://hbk/bad: HTTP 307 from $HOSTILE (region us-east-1): a redirect to $ELSEWHERE/hbk/bad, not followed"
	assert_output "$(want ga)"
	hostile_rules '[{"match":{"path":"/hbk/bad"},"action":"redirect","status":301}]'
	run -3 --separate-stderr s3cat -e "$HOSTILE" s3://hbk/bad
	assert_equal "$stderr" "s3cat: s3://hbk/bad: HTTP 301 from $HOSTILE (region us-east-1): a redirect to $ELSEWHERE/hbk/bad, not followed"
	# 302, 303 and 308 alike: refused at the first, the rest not asked
	for st in 302 303 308; do
		hostile_rules "[{\"match\":{\"path\":\"/hbk/bad\"},\"action\":\"redirect\",\"status\":$st}]"
		run -3 --separate-stderr s3cat -j 1 -e "$HOSTILE" s3://hbk/ga s3://hbk/bad s3://hbk/gb.gz
		assert_equal "$stderr" "s3cat: s3://hbk/bad: HTTP $st from $HOSTILE (region us-east-1): a redirect to $ELSEWHERE/hbk/bad, not followed"
		assert_output "$(want ga)"
	done
	[ "$(hostile_log | jq -c 'select(.on == "elsewhere")' | wc -l)" -eq 0 ]
}

@test "a listing whose continuation tokens go round (A, B, A) ends with an error; so does a longer round" {
	s3up
	hostile_rules '[{"match":{"path":"continuation-token=tokA"},"action":"listing","keys":1,"token":"tokB"},
		{"match":{"path":"continuation-token=tokB"},"action":"listing","keys":1,"token":"tokA"},
		{"match":{"path":"list-type"},"action":"listing","keys":1,"token":"tokA"}]'
	start=$(date +%s%N)
	run -1 --separate-stderr s3cat -l -e "$HOSTILE" s3://hbk/ab/ s3://hbk/ga
	[ "$(ms_since "$start")" -lt 10000 ]
	assert_equal "$stderr" "s3cat: s3://hbk/ab/: the listing repeats itself: a continuation token came again, 2 pages after it came"
	# the keys of the pages before the one that came round again
	assert_output "s3://hbk/ab/k0
s3://hbk/ab/k0
s3://hbk/ga"
	[ "$(requests list-type)" -eq 3 ]
	# t1 .. t7, then t3 again: found within a few rounds, memory flat
	rules='[' sep=''
	for i in 1 2 3 4 5 6 7; do
		next=$((i + 1)) && [ "$i" -lt 7 ] || next=3
		rules+="$sep{\"match\":{\"path\":\"continuation-token=t$i(&|$)\"},\"action\":\"listing\",\"keys\":1,\"token\":\"t$next\"}"
		sep=,
	done
	rules+=',{"match":{"path":"list-type"},"action":"listing","keys":1,"token":"t1"}]'
	hostile_rules "$rules"
	run -1 --separate-stderr s3cat -l -e "$HOSTILE" s3://hbk/long/
	[[ $stderr =~ ^"s3cat: s3://hbk/long/: the listing repeats itself: a continuation token came again, 5 pages after it came"$ ]]
	[ "${#lines[@]}" -lt 30 ]
}

@test "dynaput: a redirect from the endpoint ends the run once, naming the endpoint and region" {
	ddbup
	items 50 >in
	# from the first request
	hostile_rules '[{"action":"redirect","status":301}]'
	run -3 --separate-stderr dynaput -j 4 -e "$HOSTILE" -t "$T" in
	assert_equal "$stderr" "dynaput: table $T: HTTP 301 from $HOSTILE (region us-east-1): a redirect to $ELSEWHERE/, not followed"
	# from the writes on: told once, no item written, every one accounted
	hostile_rules '[{"match":{"target":"PutItem"},"action":"redirect"}]'
	run -3 --separate-stderr dynaput -j 4 -e "$HOSTILE" -t "$T" -x bad in
	assert_equal "${stderr_lines[0]}" "dynaput: table $T: HTTP 307 from $HOSTILE (region us-east-1): a redirect to $ELSEWHERE/, not followed"
	assert_equal "${stderr_lines[1]}" "dynaput: 50 read, 0 written, 0 already present, 50 rejected, 0 retries"
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "$(wc -l <bad)" -eq 50 ]
	# what was in flight, at most: none sent after
	[ "$(hostile_log | jq -c 'select(.action == "redirect")' | wc -l)" -le 5 ]
	[ "$(hostile_log | jq -c 'select(.on == "elsewhere")' | wc -l)" -eq 0 ]
}

@test "SIGTERM mid slow-loris: s3cat ends at once with 143" {
	s3up
	hostile_rules '[{"match":{"path":"/hbk/mid"},"action":"slow","bps":2}]'
	s3cat -e "$HOSTILE" s3://hbk/ga s3://hbk/mid >out 2>err &
	pid=$!
	sleep 1
	start=$(date +%s%N)
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(ms_since "$start")" -lt 2000 ]
}

@test "SIGTERM while DescribeTable trickles in: dynaput ends within 2 s with 143" {
	ddbup
	hostile_rules '[{"match":{"target":"DescribeTable"},"action":"slow","bps":2}]'
	dynaput -e "$HOSTILE" -t "$T" </dev/null >out 2>err &
	pid=$!
	sleep 1.5
	start=$(date +%s%N)
	kill -TERM "$pid"
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	[ "$(ms_since "$start")" -lt 2500 ]
	[ "$rc" -eq 143 ]
}

@test "few descriptors: ulimit -n 32 with -j 64 writes every item on fewer connections; ulimit -n 12 is refused at the start" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	items 5000 >in
	run -0 --separate-stderr lowfd 32 dynaput -v -j 64 -e "$DDB_ENDPOINT" -t "$T" in
	[[ ${stderr_lines[1]} =~ ^"dynaput: -j 64: "[0-9]+" connections at once (ulimit -n 32)"$ ]]
	assert_equal "${stderr_lines[2]}" "dynaput: 5000 read, 5000 written, 0 already present, 0 rejected, 0 retries"
	[ "$(stored "$T")" -eq 5000 ]
	run -2 --separate-stderr lowfd 12 dynaput -j 64 -e "$DDB_ENDPOINT" -t "$T" in
	[[ $stderr =~ ^"dynaput: too few file descriptors: "[0-9]+" of 12 (ulimit -n) free, a connection needs 4"$ ]]
	# s3cat: fewer at once, the same bytes
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	run -0 --separate-stderr lowfd 16 s3cat -v -j 64 -e "$S3_ENDPOINT" s3://hbk/many/
	[[ ${stderr_lines[0]} =~ ^"s3cat: -j 64 lowered to "[0-9]+" (ulimit -n 16)"$ ]]
	[ "${#lines[@]}" -eq 60 ]
}

@test "descriptors run out mid-run (prlimit): connections wait for one; no item is retried or rejected" {
	export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
	ddb_mk "$T"
	items 3000 >in
	mkfifo fifo
	dynaput -j 64 -e "$DDB_ENDPOINT" -t "$T" <fifo >out 2>err &
	pid=$!
	exec 5>fifo
	# its shards run once every descriptor they hold is open
	for _ in $(seq 100); do
		[ "$(ls "/proc/$pid/task" | wc -l)" -ge 2 ] && break
		sleep 0.05
	done
	# what is open now, and 3 more
	prlimit --nofile=$(($(ls "/proc/$pid/fd" | wc -l) + 3)) --pid "$pid"
	cat in >&5
	exec 5>&-
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	assert_equal "$(cat err)" "dynaput: 3000 read, 3000 written, 0 already present, 0 rejected, 0 retries"
	[ "$(stored "$T")" -eq 3000 ]
}

@test "TLS is verified: a self-signed server is refused, and trusted with AWS_CA_BUNDLE or --ca-bundle" {
	s3up --tls-cert "$F/srv.pem" --tls-key "$F/srv.key"
	# no object of it can be read: one refusal ends the run (exit 3)
	run -3 --separate-stderr s3cat -j 1 -e "$HOSTILE" s3://hbk/ga s3://hbk/gb.gz
	assert_equal "$stderr" "s3cat: s3://hbk/ga: SSL certificate problem: unable to get local issuer certificate"
	assert_output ""
	run -3 --separate-stderr s3cat -j 4 -e "$HOSTILE" s3://hbk/ga s3://hbk/gb.gz s3://hbk/small
	assert_equal "$stderr" "s3cat: s3://hbk/ga: SSL certificate problem: unable to get local issuer certificate"
	AWS_CA_BUNDLE=$F/ca.pem run -0 s3cat -e "$HOSTILE" s3://hbk/ga s3://hbk/gb.gz
	assert_output "$(want ga gb.gz)"
	run -0 s3cat --ca-bundle "$F/ca.pem" -e "$HOSTILE" s3://hbk/ga
	assert_output "$(want ga)"
	hostile_down
	ddbup --tls-cert "$F/srv.pem" --tls-key "$F/srv.key"
	items 3 >in
	run -3 --separate-stderr dynaput -e "$HOSTILE" -t "$T" in
	assert_equal "$stderr" "dynaput: $HOSTILE/: SSL certificate problem: unable to get local issuer certificate"
	run -0 --separate-stderr dynaput --ca-bundle "$F/ca.pem" -e "$HOSTILE" -t "$T" in
	AWS_CA_BUNDLE=$F/ca.pem run -0 --separate-stderr dynaput -e "$HOSTILE" -t "$T" in
	assert_equal "$stderr" "dynaput: 3 read, 3 written, 0 already present, 0 rejected, 0 retries"
}

@test "proxies as libcurl reads them: HTTPS_PROXY tunnels, NO_PROXY bypasses, http_proxy carries http" {
	s3up --tls-cert "$F/srv.pem" --tls-key "$F/srv.key"
	export AWS_CA_BUNDLE=$F/ca.pem
	HTTPS_PROXY=$HPROXY run -0 s3cat -e "$HOSTILE" s3://hbk/ga
	assert_output "$(want ga)"
	HTTPS_PROXY=$HPROXY NO_PROXY=127.0.0.1 run -0 s3cat -e "$HOSTILE" s3://hbk/gb.gz
	assert_output "$(want gb.gz)"
	http_proxy=$HPROXY run -0 s3cat -e "$S3_ENDPOINT" s3://hbk/ga
	assert_output "$(want ga)"
	assert_equal "$(hostile_log | jq -r 'select(.on == "proxy") | "\(.method) \(.url)"')" "CONNECT ${HOSTILE#https://}
GET $S3_ENDPOINT/hbk/ga"
	# the tunnelled request and the bypassing one both reached the server
	[ "$(requests /hbk/ga)" -eq 1 ]
	[ "$(requests /hbk/gb.gz)" -eq 1 ]
}

@test "--max-ratio and --max-size: a bomb fails alone, named, exit 1; the objects around it come out whole" {
	run -1 --separate-stderr bash -c 's3cat -e "$1" --max-ratio 100 s3://hbk/ga s3://hbk/bomb.gz s3://hbk/gb.gz >out' - "$S3_ENDPOINT"
	[[ $stderr =~ ^"s3cat: s3://hbk/bomb.gz: gzip: over 100 times as many bytes decoded as read (the limit); its last "[0-9]+" bytes, an unfinished line, not written"$ ]]
	# zeros hold no newline: nothing of the bomb is written
	cmp out <(cat "$F/ga"; want gb.gz)
	run -1 --separate-stderr s3cat --max-size 1M "$F/mid" "$F/ga" "$F/bomb.gz"
	[[ ${stderr_lines[0]} =~ ^"s3cat: $F/mid: over 1048576 bytes decoded (the limit); its last "[0-9]+" bytes, an unfinished line, not written"$ ]]
	[[ ${stderr_lines[1]} =~ ^"s3cat: $F/bomb.gz: gzip: over 1048576 bytes decoded (the limit)" ]]
	assert_equal "${#lines[@]}" "$(($(head -c 1048576 "$F/mid" | wc -l) + 2))"
	# under the limits, the same bytes as without them
	run -0 s3cat -e "$S3_ENDPOINT" --max-ratio 20 --max-size 2M s3://hbk/mid s3://hbk/gb.gz
	assert_equal "$output" "$(cat "$F/mid"; want gb.gz)"
	run -2 --separate-stderr s3cat --max-ratio 1 "$F/ga"
	assert_equal "$stderr" "s3cat: --max-ratio: 1: not a number from 2 to 1000000"
}

@test "a gzip bomb (1 GiB of zeros in 1 MB) streams with flat memory; | head -1 ends it with 141" {
	rss s3cat -e "$S3_ENDPOINT" s3://hbk/ga s3://hbk/bomb.gz s3://hbk/gb.gz >out
	[ "$(stat -c %s out)" -eq $((18 + 1073741824 + 1 + 18)) ]
	head -c 18 out | cmp - "$F/ga"
	tail -c 18 out | cmp - <(want gb.gz)
	rm out
	sanitized s3cat || [ "$(rss_kb)" -lt 40000 ]
	echo "# s3cat, a 1 GiB gzip bomb: $(rss_kb) kB" >&3
	run -0 --separate-stderr bash -c 's3cat -e "$1" s3://hbk/mid s3://hbk/bomb.gz | head -1; echo "${PIPESTATUS[0]}" >&2' - "$S3_ENDPOINT"
	assert_equal "$stderr" 141
	assert_output 1
	run -1 --separate-stderr bash -c 's3cat -e "$1" s3://hbk/bomb.gz >/dev/full' - "$S3_ENDPOINT"
	assert_equal "$stderr" "s3cat: stdout: write error: No space left on device"
}
