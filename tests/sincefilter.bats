#!/usr/bin/env bats
# sincefilter: lines whose time is in [since, until), from run= folders
# (-r) or a JSON field (etlTime, or -k).

load helper

USAGE="usage: sincefilter [-Rrv] [-s since] [-u until] [-k field] [-S summary] [-x rejects] [file ...]"

setup() {
	cd "$BATS_TEST_TMPDIR"
	S=$DATA/enriched-samples.tsv
	# an archive listing as s3cat -l writes it, runs out of order
	cat >list <<-'EOF'
	s3://b/enriched/archive/run=2016-12-31-23-59-59/part-00000.gz
	s3://b/enriched/archive/run=2017-01-01-00-00-00/part-00000.gz
	s3://b/enriched/archive/run=2017-01-01-00-00-00/part-00001.gz
	s3://b/enriched/archive/run=2017-03-10-12-00-00/part-00000.gz
	s3://b/enriched/archive/run=2016-06-01-08-30-00/part-00000.gz
	s3://b/enriched/archive/run=2017-01-01-00-00-01/part-00000.gz
	EOF
	# items around 2017-01-01T00:00:00Z = 1483228800
	for t in 1483228799 1483228800 1483228801 1483315200 1483315199; do
		printf '{"eventId":"e%s","etlTime":%s}\n' "$t" "$t"
	done >items
}

# items with etlTime in [since, until) as jq reads them
jqwindow() {
	jq -c --argjson s "$1" --argjson u "$2" \
		'select(.etlTime >= $s and .etlTime < $u)' "$3"
}

@test "-s keeps times at or after since: a time equal to since is kept" {
	run -0 sincefilter -s 2017-01-01 items
	assert_output "$(grep -v 1483228799 items)"
}

@test "-u keeps times before until: a time equal to until is dropped" {
	run -0 sincefilter -u 2017-01-02 items
	assert_output "$(grep -v 1483315200 items)"
	run -0 sincefilter -s 2017-01-01 -u 2017-01-01-00-00-01 items
	assert_output '{"eventId":"e1483228800","etlTime":1483228800}'
}

@test "since in every form: date, run-folder time, ISO 8601 with zone or fraction" {
	want=$(sincefilter -s 2017-01-01 items)
	[ "$(echo "$want" | wc -l)" -eq 4 ]
	for s in 2017-01-01-00-00-00 2017-01-01T00:00:00Z 2017-01-01T00:00:00 \
	    2017-01-01T01:00:00+01:00 2016-12-31T19:00:00-0500 \
	    2017-01-01T00:00:00.999Z "2017-01-01 00:00:00"; do
		run -0 sincefilter -s "$s" items
		assert_output "$want"
	done
	run -0 sincefilter -u 2017-01-01-00-00-01 items
	assert_output "$(printf '%s\n' '{"eventId":"e1483228799","etlTime":1483228799}' \
		'{"eventId":"e1483228800","etlTime":1483228800}')"
}

@test "a bad since or until is a usage error naming the formats" {
	run -2 sincefilter -s 2017-13-01 items
	assert_output "sincefilter: -s: 2017-13-01: not a date (YYYY-MM-dd, YYYY-MM-dd-HH-mm-ss or ISO 8601)"
	run -2 sincefilter -u yesterday items
	assert_output "sincefilter: -u: yesterday: not a date (YYYY-MM-dd, YYYY-MM-dd-HH-mm-ss or ISO 8601)"
	for bad in '' 2017 2017-02-29 2017-01-01-24-00-00 2017-1-1 \
	    2017-01-01T00:00:00+25:00 '2017-01-01 ' 1483228800 -2017-01-01; do
		run -2 sincefilter -s "$bad" items
		assert_output "sincefilter: -s: $bad: not a date (YYYY-MM-dd, YYYY-MM-dd-HH-mm-ss or ISO 8601)"
	done
}

@test "since must be before until; one of them is needed; -r and -k exclude each other" {
	run -2 sincefilter -s 2017-01-02 -u 2017-01-01 items
	assert_output "sincefilter: -s 2017-01-02 is not before -u 2017-01-01: nothing would be kept"
	run -2 sincefilter -s 2017-01-01 -u 2017-01-01T00:00:00Z items
	assert_output "sincefilter: -s 2017-01-01 is not before -u 2017-01-01T00:00:00Z: nothing would be kept"
	run -2 sincefilter items
	assert_output "sincefilter: -s since or -u until is needed"
	run -2 sincefilter -v -x rej items
	run -2 sincefilter -r -k etlTime -s 2017-01-01 list
	assert_output "sincefilter: -r and -k exclude each other: -r reads run= folders, -k names a JSON field"
}

@test "-r keeps run folders at or after since, a run equal to since included" {
	run -0 sincefilter -r -s 2017-01-01 list
	assert_output "$(grep -e run=2017 list)"
	run -0 sincefilter -r -s 2017-01-01-00-00-01 list
	assert_output "$(grep -e 2017-01-01-00-00-01 -e 2017-03 list)"
	run -0 sincefilter -r -s 2017-01-01 -u 2017-01-01-00-00-01 list
	assert_output "$(grep -e run=2017-01-01-00-00-00/ list)"
	run -0 sincefilter -r -u 2017-01-01 list
	assert_output "$(grep -e run=2016 list)"
}

@test "-r: local paths and run folders at the start of a line work" {
	printf '%s\n' archive/run=2017-02-01-00-00-00/part-0 \
		run=2017-02-02-00-00-00/part-0 ./run=2017-02-03-00-00-00 \
		/data/run=2017-02-04-00-00-00/ run=2016-02-05-00-00-00 >paths
	run -0 sincefilter -r -s 2017-01-01 paths
	assert_output "$(head -n 4 paths)"
}

@test "-r: lines without a run= path segment are dropped, counted and kept by -x" {
	cat >odd <<-'EOF'
	s3://b/enriched/archive/
	s3://b/enriched/archive/_SUCCESS
	s3://b/archive/xrun=2017-02-01-00-00-00/part-0
	s3://b/archive/run=2017-02-01-00-00-00x/part-0
	s3://b/archive/run=2017-02-01-00-00-00.gz
	s3://b/archive/run=2017-02-01-00-00-00_$folder$
	s3://b/archive/part-0?run=2017-02-01-00-00-00
	s3://b/archive/run=/part-0
	s3://b/archive/RUN=2017-02-01-00-00-00/part-0

	EOF
	cat list odd >in
	run -0 --separate-stderr sincefilter -r -s 2016-01-01 in
	assert_output "$(cat list)"
	assert_equal "$stderr" "sincefilter: 10 of 16 lines dropped without a readable time (-x FILE keeps them, -v counts them)"
	run -0 --separate-stderr sincefilter -r -v -s 2017-01-01 -x rej in
	assert_equal "$stderr" "sincefilter: 16 lines, 4 kept, 2 outside the window, 10 without a readable time"
	cmp rej odd
	run -0 --separate-stderr sincefilter -r -s 2017-01-01 -x rej in
	assert_equal "$stderr" ""
}

@test "-r: a run name must be a valid YYYY-MM-dd-HH-mm-ss" {
	for name in 2017-13-01-00-00-00 2017-02-30-00-00-00 2017-01-01 \
	    2017-01-01-24-00-00 2017-01-01-00-60-00 2017-01-01T00:00:00Z \
	    "2017-01-01 00:00:00" 2017-01-01-00-00-0 17-01-01-00-00-00; do
		echo "s3://b/archive/run=$name/part-0"
	done >bad
	run -0 --separate-stderr sincefilter -r -v -s 2000-01-01 -x rej bad
	assert_output ""
	assert_equal "$stderr" "sincefilter: 9 lines, 0 kept, 0 outside the window, 9 without a readable time"
	cmp rej bad
}

@test "-r: the first valid run= segment of a line gives its time" {
	printf '%s\n' s3://b/run=2016-01-01-00-00-00/run=2018-01-01-00-00-00/p \
		s3://b/run=2018-01-01-00-00-00/run=2016-01-01-00-00-00/p \
		s3://b/run=junk/run=2018-01-01-00-00-00/p >nested
	run -0 sincefilter -r -s 2017-01-01 nested
	assert_output "$(sed -n '2,3p' nested)"
}

@test "etlTime as an integer, a real (floored), a timestamp string or a digit string" {
	cat >kinds <<-'EOF'
	{"etlTime":1483228800}
	{"etlTime":1483228800.0}
	{"etlTime":1483228800.999}
	{"etlTime":1483228799.999}
	{"etlTime":1.4832288e9}
	{"etlTime":"2017-01-01 00:00:00.000"}
	{"etlTime":"2016-12-31 23:59:59.999999999"}
	{"etlTime":"2017-01-01T00:00:00Z"}
	{"etlTime":"2017-01-01-00-00-00"}
	{"etlTime":"2017-01-01"}
	{"etlTime":"1483228800"}
	{"etlTime":"1483228799"}
	{"etlTime":-0.5}
	{"x":[1,{"etlTime":1}],"etlTime":1483228800,"y":null}
	EOF
	run -0 --separate-stderr sincefilter -v -s 2017-01-01 kinds
	assert_output "$(grep -v -e 1483228799 -e 59 -e -0.5 kinds)"
	assert_equal "$stderr" "sincefilter: 14 lines, 10 kept, 4 outside the window, 0 without a readable time"
	run -0 sincefilter -u 1970-01-01 kinds
	assert_output '{"etlTime":-0.5}'
}

@test "a line without a readable time is dropped, counted and kept as it was by -x" {
	cat >bad <<-'EOF'
	{"eventId":"a"}
	{"etlTime":null}
	{"etlTime":true}
	{"etlTime":[1483228800]}
	{"etlTime":{"t":1483228800}}
	{"etlTime":""}
	{"etlTime":"yesterday"}
	{"etlTime":"2017-13-01 00:00:00"}
	{"etlTime":"-1483228800"}
	{"etlTime":" 1483228800"}
	{"etlTime":"99999999999999999999"}
	{"etlTime":99999999999999999999}
	{"etlTime":1e300}
	{"ETLTIME":1483228800}
	{"etlTime":1483228800} trailing
	{"etlTime":1483228800
	[{"etlTime":1483228800}]
	"etlTime"
	1483228800
	etlTime=1483228800

	EOF
	cat items bad >in
	run -0 --separate-stderr sincefilter -s 2017-01-01 in
	assert_output "$(sincefilter -s 2017-01-01 items)"
	assert_equal "$stderr" "sincefilter: 21 of 26 lines dropped without a readable time (-x FILE keeps them, -v counts them)"
	run -0 --separate-stderr sincefilter -v -u 2017-01-01 -x rej in
	assert_equal "$stderr" "sincefilter: 26 lines, 1 kept, 4 outside the window, 21 without a readable time"
	cmp rej bad
}

@test "-k names the field that holds the time" {
	printf '%s\n' '{"etlTime":1,"t":1483228800}' '{"etlTime":1483228800,"t":1}' \
		'{"t":"2017-06-01"}' '{"etl time":1483228800}' >k
	run -0 --separate-stderr sincefilter -v -k t -s 2017-01-01 k
	assert_output "$(sed -n '1p;3p' k)"
	assert_equal "$stderr" "sincefilter: 4 lines, 2 kept, 1 outside the window, 1 without a readable time"
	run -0 --separate-stderr sincefilter -k 'etl time' -s 2017-01-01 k
	assert_output '{"etl time":1483228800}'
}

@test "files in order, - for stdin; a missing file is reported and the rest done" {
	head -n 2 items >a
	tail -n 3 items >b
	run -1 --separate-stderr sincefilter -u 3000-01-01 a nope - <b
	assert_equal "$stderr" "sincefilter: nope: No such file or directory"
	assert_output "$(cat items)"
	run -1 --separate-stderr sincefilter -u 3000-01-01 "$BATS_TEST_TMPDIR"
	assert_equal "$stderr" "sincefilter: $BATS_TEST_TMPDIR: read error: Is a directory"
}

@test "empty input, a missing final newline, CRLF" {
	run -0 --separate-stderr sincefilter -v -s 2017-01-01 </dev/null
	assert_output ""
	assert_equal "$stderr" "sincefilter: 0 lines, 0 kept, 0 outside the window, 0 without a readable time"
	printf '%s' "$(cat items)" >nonl
	run -0 sincefilter -s 2017-01-01 nonl
	assert_output "$(sincefilter -s 2017-01-01 items)"
	sed 's/$/\r/' items >crlf
	sincefilter -s 2017-01-01 crlf >out
	cmp out <(sincefilter -s 2017-01-01 items)
	sed 's/$/\r/' list >crlf
	sincefilter -r -s 2017-01-01 crlf >out
	cmp out <(sincefilter -r -s 2017-01-01 list)
}

@test "1 MB lines are read whole" {
	big=$(head -c 1048576 /dev/zero | tr '\0' x)
	printf '{"pad":"%s","etlTime":1483228800}\n{"etlTime":1,"pad":"%s"}\n' \
		"$big" "$big" >in
	sincefilter -s 2017-01-01 in >out
	[ "$(wc -l <out)" -eq 1 ]
	cmp out <(head -n 1 in)
	printf 's3://b/%s/run=2017-01-01-00-00-00/p\ns3://b/%s\n' "$big" "$big" >in
	sincefilter -r -s 2017-01-01 -x rej in >out
	cmp out <(head -n 1 in)
	cmp rej <(tail -n 1 in)
}

@test "binary junk is dropped and kept byte for byte by -x, never a crash" {
	{ head -c 300000 /dev/urandom | tr -d '\r'; printf 'a\0b\n\377\376\n'; } >junk
	n=$(wc -l <junk)
	for r in "" -r; do
		run -0 --separate-stderr sincefilter $r -v -s 2000-01-01 -x rej junk
		assert_output ""
		assert_equal "$stderr" "sincefilter: $n lines, 0 kept, 0 outside the window, $n without a readable time"
		cmp rej junk
	done
}

@test "a write error fails with a message" {
	run -1 bash -c 'sincefilter -s 2017-01-01 items >/dev/full'
	assert_output "sincefilter: stdout: write error: No space left on device"
	yes "$(head -n 2 items | tail -n 1)" | head -n 100000 >many
	run -1 bash -c 'sincefilter -s 2017-01-01 many >/dev/full'
	assert_output "sincefilter: stdout: write error: No space left on device"
	run -1 --separate-stderr sincefilter -r -s 2017-01-01 -x /dev/full <(echo nothing)
	assert_equal "$stderr" "sincefilter: /dev/full: write error: No space left on device"
}

@test "a closed pipe ends quietly" {
	yes "$(head -n 2 items | tail -n 1)" | head -n 200000 >many
	run -0 --separate-stderr bash -c 'sincefilter -s 2017-01-01 many | head -n 1'
	assert_output '{"eventId":"e1483228800","etlTime":1483228800}'
	assert_equal "$stderr" ""
	yes "$(line 2 list)" | head -n 200000 >many
	run -0 --separate-stderr bash -c 'sincefilter -r -s 2017-01-01 many | head -n 1'
	assert_output "$(line 2 list)"
	assert_equal "$stderr" ""
}

@test "pipelines that should agree give the same bytes" {
	for i in $(seq 0 400); do
		printf '{"etlTime":%d,"n":%d}\n' $((1483228800 - 86400 * 100 + i * 43200 + i % 7)) "$i"
	done >many
	diff <(sincefilter -s 2017-01-01 many | sincefilter -u 2017-03-01) \
	     <(sincefilter -s 2017-01-01 -u 2017-03-01 many)
	diff <(sincefilter -u 2017-03-01 many | sincefilter -s 2017-01-01) \
	     <(sincefilter -s 2017-01-01 -u 2017-03-01 many)
	diff <(sincefilter -s 2017-01-01 -u 2017-03-01 many) \
	     <(jqwindow "$(epoch 2017-01-01)" "$(epoch 2017-03-01)" many)
	# eventcut's items; the samples' own etl_tstamp read through -k
	eventcut "$S" >ev 2>/dev/null
	diff <(sincefilter -s 2016-11-27T08:46:40Z -u 2021-10-15T05:00:00Z ev) \
	     <(jqwindow 1480236400 "$(epoch '2021-10-15 05:00:00')" ev)
	[ "$(sincefilter -s 2016-11-27T08:46:40Z -u 2021-10-15T05:00:00Z ev | wc -l)" -eq 2 ]
	diff <(eventcut -f etl_tstamp,event_id "$S" 2>/dev/null |
		sincefilter -k etl_tstamp -s 2021-10-14 -u 2021-10-16 2>/dev/null |
		jq -r .event_id) \
	     <(sincefilter -s 2021-10-14 -u 2021-10-16 ev | jq -r .eventId)
	[ "$(sincefilter -s 2021-10-14 -u 2021-10-16 ev | wc -l)" -eq 2 ]
}

@test "-R: each run folder once, with its slash, in the order first seen; -S counts" {
	cat >urls <<-EOF
	s3://b/archive/run=2017-01-01-00-00-00/part-0
	s3://b/archive/run=2017-01-01-00-00-00/part-1
	s3://b/archive/run=2016-12-31-00-00-00/part-0
	s3://b/archive/run=2017-02-01-00-00-00/x/part-0
	s3://b/other/run=2017-01-01-00-00-00/part-0
	s3://b/archive/run=2017-01-01-00-00-00/part-2
	s3://b/archive/notarun/part-0
	EOF
	run -0 --separate-stderr sincefilter -R -r -s 2017-01-01 -S sum.json urls
	assert_output "s3://b/archive/run=2017-01-01-00-00-00/
s3://b/archive/run=2017-02-01-00-00-00/
s3://b/other/run=2017-01-01-00-00-00/"
	assert_equal "$(cat sum.json)" '{"prog":"sincefilter","lines":7,"kept":5,"outside":1,"unreadable":1,"runs":3}'
	run -2 sincefilter -R -s 2017-01-01 urls
	assert_output "sincefilter: -R needs -r: it writes run folders"
}

@test "-x to an unwritable place is a usage error" {
	run -2 sincefilter -s 2017-01-01 -x /nonexistent/rej items
	assert_output "sincefilter: /nonexistent/rej: No such file or directory"
}

@test "-h prints usage on stdout; a bad flag prints it on stderr" {
	run -0 --separate-stderr sincefilter -h
	assert_equal "${lines[0]}" "$USAGE"
	assert_equal "${#lines[@]}" 9
	assert_line "  -R          with -r: each run folder once, not its lines"
	assert_equal "$stderr" ""
	run -0 --separate-stderr sincefilter --help
	assert_equal "${lines[0]}" "$USAGE"
	run -2 --separate-stderr sincefilter -Q
	assert_equal "${stderr_lines[1]}" "$USAGE"
	run -2 --separate-stderr sincefilter -s
	assert_equal "${stderr_lines[1]}" "$USAGE"
}

@test "with no operands and a terminal on stdin it prints usage, not waits" {
	command -v script >/dev/null || skip "no script(1)"
	run -2 script -qec 'sincefilter -s 2017-01-01' /dev/null </dev/null
	assert_output "$USAGE"$'\r'
}
