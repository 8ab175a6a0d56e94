#!/usr/bin/env bats
# eventcut: enriched TSV to manifest items, bad lines to bad rows.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	S=$DATA/enriched-samples.tsv
}

@test "the populator's own test line becomes its manifest item" {
	run -0 eventcut <(line 1 "$S")
	assert_output '{"eventId":"1799a90f-f570-4414-b91a-b0db8f39cc2e","fingerprint":"bed9a39a0917874d2ff072033a6413d9","etlTime":1480236400,"ttl":1495788400}'
}

@test "the reference samples: five items, etlTime as GNU date reads etl_tstamp" {
	eventcut "$S" >out 2>err
	[ "$(wc -l <out)" -eq 5 ]
	# every item agrees with an independent reading of its source line
	while IFS=$'\t' read -r etl id fp; do
		t=$(epoch "${etl%.*}")
		grep -qxF "{\"eventId\":\"$id\",\"fingerprint\":\"$fp\",\"etlTime\":$t,\"ttl\":$((t + 15552000))}" out
	done < <(eventcut -T -f etl_tstamp,event_id,event_fingerprint "$S" 2>/dev/null |
		awk -F'\t' '$3 != "" && $1 !~ /^-/')
	assert_equal "$(cat err)" "eventcut: 7 of 12 lines rejected (-x FILE keeps them, -v counts them)"
}

@test "-v counts lines, items and rejects by reason" {
	run -0 --separate-stderr eventcut -v "$S"
	assert_equal "$stderr" "eventcut: 12 lines, 5 items, 7 rejected (fields 5, event_id 0, event_fingerprint 1, etl_tstamp 1, length 0)"
}

@test "-x writes each rejected line as a Snowplow bad row, the line intact" {
	run -0 eventcut -x bad.jsonl "$S"
	[ "$(wc -l <bad.jsonl)" -eq 7 ]
	for n in 2 3 4 5 6 8 10; do
		grep -qxF -- "$(line $n "$S")" <(jq -r .line bad.jsonl)
	done
	jq -e 'select((.errors | length) < 1 or .errors[0].level != "error"
		or (.failure_tstamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$") | not))' \
		bad.jsonl && false
	run jq -r '.errors[].message' bad.jsonl
	assert_line "line has 108 tab-separated fields, an enriched event has 130 or 131"
	assert_line "event_fingerprint is empty"
	assert_line "etl_tstamp [-2006-10-15 09:06:35.493256951] is not a timestamp (yyyy-MM-dd HH:mm:ss[.SSSSSSSSS])"
}

@test "an event_id that is not a UUID is rejected" {
	ev 7=not-a-uuid >in
	ev 7=1799A90F-F570-4414-B91A-B0DB8F39CC2E >>in
	ev 7=1799a90f-f570-4414-b91a-b0db8f39cc2 >>in
	ev 7=1799a90ff570-4414-b91a-b0db8f39cc2e0 >>in
	run -0 eventcut -x bad in
	assert_output --partial '"eventId":"1799A90F-F570-4414-B91A-B0DB8F39CC2E"'
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r '.errors[0].message' bad | grep -c 'is not a UUID')" -eq 3 ]
}

@test "an empty event_id or fingerprint, an unreadable etl_tstamp are rejected" {
	{ ev 7=; ev 130=; ev 3=; ev 3=2016-13-01_00:00:00; ev 3=2016-02-30_00:00:00
	  ev 3=2016-11-27_08:46:40.0000000000; ev 3=2016-11-27_08:46:40.000junk; } >in
	run -0 --separate-stderr eventcut -v -x bad in
	assert_output ""
	assert_equal "$stderr" "eventcut: 7 lines, 0 items, 7 rejected (fields 0, event_id 1, event_fingerprint 1, etl_tstamp 5, length 0)"
	run jq -r '.errors[0].message' bad
	assert_line "event_id [] is not a UUID"
	assert_line "etl_tstamp is empty"
	assert_line "etl_tstamp [2016-02-30 00:00:00] is not a timestamp (yyyy-MM-dd HH:mm:ss[.SSSSSSSSS])"
}

@test "every problem of a line is listed in its bad row" {
	ev 7=x 130= 3=yesterday >in
	eventcut -x bad in
	run jq -c '[.errors[].message | split(" ")[0]]' bad
	assert_output '["event_id","event_fingerprint","etl_tstamp"]'
}

@test "130 fields (no true_tstamp) is a valid event; 129 is not" {
	ev 131=DEL >in
	ev 131=DEL 130=DEL >>in
	run -0 --separate-stderr eventcut -v in
	assert_output '{"eventId":"1799a90f-f570-4414-b91a-b0db8f39cc2e","fingerprint":"bed9a39a0917874d2ff072033a6413d9","etlTime":1480236400,"ttl":1495788400}'
	assert_equal "$stderr" "eventcut: 2 lines, 1 items, 1 rejected (fields 1, event_id 0, event_fingerprint 0, etl_tstamp 0, length 0)"
}

@test "0 to 9 fraction digits, the fraction dropped" {
	for f in "" .1 .12 .123 .1234 .12345 .123456 .1234567 .12345678 .999999999; do
		ev "3=2016-11-27_08:46:40$f"
	done >in
	run -0 jq -s '[.[].etlTime] | unique' <(eventcut in)
	assert_output "$(printf '[\n  1480236400\n]')"
	[ "$(eventcut in | wc -l)" -eq 10 ]
}

@test "-t sets the lifespan in days; -t 0 leaves ttl out" {
	run -0 eventcut -t 30 <(ev)
	assert_output --partial "\"ttl\":$((1480236400 + 30 * 86400))}"
	run -0 eventcut -t 0 <(ev)
	assert_output '{"eventId":"1799a90f-f570-4414-b91a-b0db8f39cc2e","fingerprint":"bed9a39a0917874d2ff072033a6413d9","etlTime":1480236400}'
	run -2 eventcut -t -1 <(ev)
	assert_output "eventcut: -t: -1: not a number from 0 to 3650000"
	run -2 eventcut -t 12x <(ev)
	run -2 eventcut -t '' <(ev)
}

@test "-b counts the lifespan from now, a timestamp or epoch seconds" {
	run -0 jq .ttl <(eventcut -t 90 -b 2027-01-01 <(ev))
	assert_output "$(( $(epoch 2027-01-01) + 90 * 86400 ))"
	run -0 jq .ttl <(eventcut -t 1 -b 1700000000 <(ev))
	assert_output "$((1700000000 + 86400))"
	before=$(date +%s)
	t=$(eventcut -t 2 -b now <(ev) | jq .ttl)
	after=$(date +%s)
	[ "$t" -ge $((before + 172800)) ] && [ "$t" -le $((after + 172800)) ]
	run -0 jq .etlTime <(eventcut -b now <(ev))
	assert_output 1480236400
	run -2 eventcut -b yesterday <(ev)
	assert_output "eventcut: -b: yesterday: not now, a timestamp or epoch seconds"
	run -0 eventcut -t 0 -b now <(ev)
	refute_output --partial ttl
}

@test "-f emits named fields as JSON, empty fields as null" {
	run -0 eventcut -f app_id,event_id,true_tstamp,etl_tstamp <(ev)
	assert_output '{"app_id":"blog","event_id":"1799a90f-f570-4414-b91a-b0db8f39cc2e","true_tstamp":null,"etl_tstamp":"2016-11-27 08:46:40.000"}'
	run -0 jq -r .refr_dvce_tstamp <(eventcut -f refr_device_tstamp <(ev))
	assert_output null
}

@test "-f takes numbers from 1 and ranges, as cut does; -T writes TSV" {
	run -0 --separate-stderr eventcut -T -f 3,7,130 "$S"
	assert_output "$(cut -f3,7,130 "$S" | awk -F'\t' 'NR != 2 && NR != 3 && NR != 4 && NR != 5 && NR != 6')"
	run -0 eventcut -T -f 1-3 <(ev)
	assert_output "$(printf 'blog\tweb\t2016-11-27 08:46:40.000')"
	run -0 eventcut -T -f 130,1 <(ev)
	assert_output "$(printf 'bed9a39a0917874d2ff072033a6413d9\tblog')"
}

@test "-f refuses unknown fields; -T needs -f" {
	run -2 eventcut -f app_id,nope <(ev)
	assert_output "eventcut: -f: nope: not an enriched field name, number (1-131) or range"
	run -2 eventcut -f 132 <(ev)
	run -2 eventcut -f 0 <(ev)
	run -2 eventcut -f 3-1 <(ev)
	run -2 eventcut -f '' <(ev)
	run -2 eventcut -T <(ev)
	assert_output "eventcut: -T needs -f fields"
}

@test "files in order, - for stdin; a missing file is reported and the rest done" {
	ev >a
	ev 7=2b1b25a4-c0df-4859-8201-cf21492ad61b >b
	run -1 --separate-stderr eventcut a nope - <b
	assert_equal "$stderr" "eventcut: nope: No such file or directory"
	assert_equal "${#lines[@]}" 2
	assert_line -n 1 --partial 2b1b25a4-c0df-4859-8201-cf21492ad61b
	run -1 eventcut "$BATS_TEST_TMPDIR"
	assert_output --partial "Is a directory"
}

@test "empty input, a missing final newline, CRLF" {
	run -0 eventcut </dev/null
	assert_output ""
	printf '%s' "$(ev)" >nonl
	printf '%s\r\n' "$(ev)" "$(ev)" >crlf
	run -0 eventcut nonl
	assert_output "$(eventcut <(ev))"
	run -0 --separate-stderr eventcut -v crlf
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" "$(eventcut <(ev))"
	assert_equal "$stderr" "eventcut: 2 lines, 2 items, 0 rejected (fields 0, event_id 0, event_fingerprint 0, etl_tstamp 0, length 0)"
}

@test "a 1 MB line is read whole" {
	head -c 1048576 /dev/zero | tr '\0' x >big
	ev | awk -F'\t' -v OFS='\t' 'BEGIN { getline b <"big" } { $53 = b; print }' >in
	[ "$(wc -c <in)" -gt 1048576 ]
	run -0 eventcut in
	assert_output "$(eventcut <(ev))"
	ev | awk -F'\t' -v OFS='\t' 'BEGIN { getline b <"big" } { $7 = b; print }' >in
	eventcut -x bad in 2>/dev/null
	[ "$(jq -r .line bad | wc -c)" -gt 1048576 ]
}

@test "binary junk is rejected as valid JSON bad rows, never a crash" {
	head -c 200000 /dev/urandom >junk
	printf 'a\0b\tc\n\377\376\n' >>junk
	run -0 --separate-stderr eventcut -v -x bad junk
	assert_output ""
	n=$(wc -l <bad)
	[ "$n" -ge 2 ]
	[ "$(jq -c . bad | wc -l)" -eq "$n" ]
	assert_equal "$stderr" "$(printf 'eventcut: %d lines, 0 items, %d rejected (fields %d, event_id 0, event_fingerprint 0, etl_tstamp 0, length 0)' "$n" "$n" "$n")"
}

@test "invalid UTF-8 in a bad row is kept byte by byte as \\u00XX" {
	printf 'caf\303\251 \377\n' >in
	eventcut -x bad in 2>/dev/null
	run jq -r .line bad
	assert_output "$(printf 'caf\303\251 \303\277')"
}

@test "a fingerprint must be a hex digest: MD5, SHA-1, SHA-256, SHA-384 or SHA-512" {
	h=0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef
	for n in 32 40 64 96 128; do
		ev 7="$(cat /proc/sys/kernel/random/uuid)" 130="$(printf '%s%s' "$h" "$h" | cut -c1-"$n")"
	done >good
	run -0 --separate-stderr eventcut -v good
	assert_equal "${#lines[@]}" 5
	assert_equal "$(jq -r '.fingerprint | length' <<<"$output" | tr '\n' ' ')" "32 40 64 96 128 "
	# cut short (a truncated object's last line), too long, not hex,
	# 1,100 bytes (more than DynamoDB's 1,024 for a range key), not UTF-8
	ev 130=bed9a39a0917874d2ff072 >bad
	ev 130="${h}0" >>bad
	ev 130=bed9a39a0917874d2ff072033a6413dg >>bad
	ev 130="$(head -c 1100 /dev/zero | tr '\0' a)" >>bad
	ev 130="$(printf 'ab\377')" >>bad
	run -0 --separate-stderr eventcut -v -x bad.jsonl bad
	assert_output ""
	assert_equal "$stderr" "eventcut: 5 lines, 0 items, 5 rejected (fields 0, event_id 0, event_fingerprint 5, etl_tstamp 0, length 0)"
	run jq -r '.errors[0].message' bad.jsonl
	assert_output "event_fingerprint [bed9a39a0917874d2ff072] (22 bytes) is not a hex digest (32, 40, 64, 96 or 128 hex digits)
event_fingerprint [${h}...] (65 bytes) is not a hex digest (32, 40, 64, 96 or 128 hex digits)
event_fingerprint [bed9a39a0917874d2ff072033a6413dg] (32 bytes) is not a hex digest (32, 40, 64, 96 or 128 hex digits)
event_fingerprint [$(head -c 64 /dev/zero | tr '\0' a)...] (1100 bytes) is not a hex digest (32, 40, 64, 96 or 128 hex digits)
event_fingerprint (3 bytes) is not a hex digest (32, 40, 64, 96 or 128 hex digits), nor UTF-8"
}

@test "an event_id with a letter outside a-f is not a UUID" {
	ev 7=1799a90g-f570-4414-b91a-b0db8f39cc2e >in
	ev 7=1799A90F-F570-4414-B91A-B0DB8F39CC2E >>in
	run -0 --separate-stderr eventcut -v -x bad.jsonl in
	assert_output '{"eventId":"1799A90F-F570-4414-B91A-B0DB8F39CC2E","fingerprint":"bed9a39a0917874d2ff072033a6413d9","etlTime":1480236400,"ttl":1495788400}'
	run jq -r '.errors[0].message' bad.jsonl
	assert_output "event_id [1799a90g-f570-4414-b91a-b0db8f39cc2e] is not a UUID"
}

@test "lines end at LF, CR LF or a bare CR, as Hadoop's LineReader ends them" {
	a=$(ev) b=$(ev 7=0f8b3c50-6d6c-4b2b-9d43-6a3fd3e1c0a1)
	printf '%s\r%s\r\n%s\n%s\r' "$a" "$b" "$a" "$b" >in
	run -0 --separate-stderr eventcut -v in
	assert_equal "$stderr" "eventcut: 4 lines, 4 items, 0 rejected (fields 0, event_id 0, event_fingerprint 0, etl_tstamp 0, length 0)"
	assert_equal "$(jq -r .eventId <<<"$output" | tr '\n' ' ')" "1799a90f-f570-4414-b91a-b0db8f39cc2e 0f8b3c50-6d6c-4b2b-9d43-6a3fd3e1c0a1 1799a90f-f570-4414-b91a-b0db8f39cc2e 0f8b3c50-6d6c-4b2b-9d43-6a3fd3e1c0a1 "
	diff <(eventcut in) <(tr '\r' '\n' <in | grep -v '^$' | eventcut)
}

@test "a line longer than 16 MiB is a bad row cut to 64 KiB, and memory stays flat" {
	{ head -c 40000000 /dev/zero | tr '\0' x; echo; ev; } >in
	run -0 --separate-stderr /usr/bin/time -f '%M' eventcut -v -x bad.jsonl in
	assert_equal "$(jq -r .eventId <<<"$output")" 1799a90f-f570-4414-b91a-b0db8f39cc2e
	assert_equal "${stderr_lines[0]}" "eventcut: 2 lines, 1 items, 1 rejected (fields 0, event_id 0, event_fingerprint 0, etl_tstamp 0, length 1)"
	[ "${stderr_lines[1]}" -lt 30000 ] # KB: the 16 MiB it may hold, not 40 MB
	run jq -r '.errors[0].message, (.line | length)' bad.jsonl
	assert_output "line is 40000000 bytes, more than the 16777216 an enriched event may have: its first 65536 bytes are kept here
65536"
}

@test "a write error fails with a message" {
	run -1 bash -c 'eventcut "$1" >/dev/full' _ "$S"
	assert_output --partial "eventcut: stdout: write error: No space left on device"
	yes "$(ev)" | head -n 100000 >many
	run -1 bash -c 'eventcut many >/dev/full'
	assert_output "eventcut: stdout: write error: No space left on device"
	run -1 eventcut -x /dev/full "$S"
	assert_output --partial "eventcut: /dev/full: write error"
}

@test "a closed pipe ends quietly" {
	yes "$(ev)" | head -n 200000 >many
	run -0 --separate-stderr bash -c 'eventcut many | head -n 1'
	assert_output "$(eventcut <(ev))"
	assert_equal "$stderr" ""
}

@test "pipelines that should agree give the same bytes" {
	yes "$(ev)" | head -n 50 >many
	cat "$S" >>many
	diff <(eventcut many) <(cat many | eventcut)
	diff <(eventcut "$S" many) <(cat "$S" many | eventcut -)
	for i in 1 2 3; do
		ev 7="$(cat /proc/sys/kernel/random/uuid)" 130="$(echo "$i" | md5sum | cut -c1-32)"
	done >valid
	diff <(eventcut -T -f event_id,event_fingerprint,etl_tstamp valid | cut -f1,2) \
	     <(eventcut valid | jq -r '[.eventId, .fingerprint] | @tsv')
}

@test "-x to an unwritable place is a usage error" {
	run -2 eventcut -x /nonexistent/bad "$S"
	assert_output "eventcut: /nonexistent/bad: No such file or directory"
}

@test "-h and --help print usage and a line per option on stdout; a bad flag prints usage on stderr" {
	u="usage: eventcut [-Tv] [-b base] [-f fields] [-L maxline] [-S summary] [-t days] [-x rejects] [file ...]"
	run -0 --separate-stderr eventcut -h
	assert_equal "${lines[0]}" "$u"
	assert_equal "${#lines[@]}" 9
	assert_line --regexp '^  -L maxline  '
	run -0 --separate-stderr eventcut --help
	assert_equal "${lines[0]}" "$u"
	run -2 --separate-stderr eventcut -Q
	assert_equal "${stderr_lines[1]}" "$u"
	assert_equal "${#stderr_lines[@]}" 2
}

@test "-S writes the counts as one JSON object, expired items counted" {
	now=$(date +%s)
	ev 3="$(date -u -d @$((now - 10 * 86400)) '+%Y-%m-%d_%H:%M:%S')" >in
	ev 3="$(date -u -d @$((now - 1)) '+%Y-%m-%d_%H:%M:%S')" >>in
	cat "$S" >>in
	run -0 --separate-stderr eventcut -t 5 -S sum.json in
	assert_equal "$(cat sum.json)" '{"prog":"eventcut","lines":14,"items":7,"rejected":7,"fields":5,"event_id":0,"event_fingerprint":1,"etl_tstamp":1,"length":0,"expired":6}'
	[ "$(stat -c %a sum.json)" = 600 ]
	run -0 --separate-stderr eventcut -f event_id -S sum.json in
	assert_equal "$(jq -c '[.records, .rejected, has("expired")]' sum.json)" '[9,5,false]'
	run -1 --separate-stderr eventcut -S /nonexistent/sum.json in
	[[ ${stderr_lines[-1]} == "eventcut: /nonexistent/sum.json."*".tmp: No such file or directory" ]]
}

@test "-L sets the longest line; a longer one is a bad row" {
	{ head -c 5000 /dev/zero | tr '\0' x; echo; ev; } >in
	run -0 --separate-stderr eventcut -v -L 4K -x bad.jsonl in
	assert_equal "${stderr_lines[0]}" "eventcut: 2 lines, 1 items, 1 rejected (fields 0, event_id 0, event_fingerprint 0, etl_tstamp 0, length 1)"
	assert_equal "$(jq -r '.errors[0].message' bad.jsonl)" "line is 5000 bytes, more than the 4096 an enriched event may have: its first 4096 bytes are kept here"
	run -2 eventcut -L 1x in
	assert_output "eventcut: -L: 1x: not a size in bytes from 1024 to 1073741824"
}
