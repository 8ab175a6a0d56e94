#!/usr/bin/env bats
# dynaput's rate against a table that behaves like DynamoDB (ddbsink:
# latency, capacity): the window of writes in flight grows to fill a
# slow table, shrinks to a small capacity, stays under -j; --rate holds;
# and the table always ends equal to the input.  Shortened cases of
# bench/fill.sh (issue 8).  Every sink is the test's own (sink_up).

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test \
		AWS_SECRET_ACCESS_KEY=test
}

teardown() {
	proxy_down
	sink_down
}

# items N [SEED]: N manifest items with distinct keys, random eventIds
# (spread over the sink's partitions), as eventcut writes them
items() {
	awk -v n="$1" -v s="${2:-1}" 'BEGIN { srand(s); for (i = 0; i < n; i++)
		printf "{\"eventId\":\"%08x-%04x-4%03x-b91a-%012x\",\"fingerprint\":\"%032x\",\"etlTime\":%d,\"ttl\":%d}\n",
			int(rand() * 2^32), i % 65536, int(rand() * 4096), i, i * 7919,
			1480236400 + i, 1495788400 + i }'
}

stat() { sink_stats | jq -r "$1"; }

# written FROM TO: the items the sink wrote each second, from the
# FROM-th second with writes to the TO-th from the end, one a line
written() {
	sink_stats | jq -r --argjson f "$1" --argjson t "$2" '
		.series.items_written | map(select(. > 0)) | .[$f:length - $t][]'
}

# window: the largest and the last window of the trace, "MAX LAST"
window() {
	awk '!/^#/ { if ($4 > m) m = $4; l = $4 } END { print m + 0, l + 0 }' trace
}

@test "the window grows to fill a table 20 ms away, far past the 16 of a fixed window" {
	# 20 ms: a loaded machine's own delays stay small beside it
	sink_up -l 20 -J 1
	items 30000 >in.jsonl
	local t0 t1
	t0=$EPOCHREALTIME
	DYNAPUT_TRACE=trace run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest in.jsonl
	t1=$EPOCHREALTIME
	assert_equal "${stderr_lines[-1]}" 'dynaput: 30000 read, 30000 written, 0 already present, 0 rejected, 0 retries'
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	read -r max last < <(window)
	local peak
	peak=$(stat .peak_connections)
	echo "# window: $max at most; $peak connections at most; $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 30000 / (b - a) }') items/s" >&3
	# 16 in flight 20 ms away cannot write more than 800 a second
	[ "$max" -ge 64 ]
	[ "$peak" -ge 64 ]
	[ "$peak" -le 513 ]
}

@test "-j is a ceiling: the window never passes it" {
	sink_up -l 5
	items 3000 >in.jsonl
	DYNAPUT_TRACE=trace run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest -j 6 in.jsonl
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	read -r max last < <(window)
	[ "$max" -le 6 ]
	# one more for DescribeTable's connection
	[ "$(stat .peak_connections)" -le 7 ]
}

@test "the window shrinks to a small capacity and the rate settles near it" {
	# 2 s of burst credit: the window grows at first, as on an empty
	# table; once the credit is spent it has to come down
	sink_up -l 5 -J 1 -b 2 -c 1500
	items 13500 >in.jsonl
	DYNAPUT_TRACE=trace run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest -S sum.json in.jsonl
	assert_equal "${stderr_lines[-1]%, * retries}" 'dynaput: 13500 read, 13500 written, 0 already present, 0 rejected'
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	read -r max last < <(window)
	local secs
	secs=$(written 0 0 | paste -sd' ')
	echo "# $(stat .peak_connections) connections at most (the window's peak: the trace's first line comes after it), window $last at the end; written a second: $secs; $(stat .throttled_requests) of $(stat .requests) requests throttled" >&3
	[ "$(stat .peak_connections)" -ge 64 ]
	# 1,500 a second 5 ms away: about 8 in flight, and some waiting
	# out their retry's backoff
	[ "$last" -le 32 ]
	# once the credit is spent, every whole second within 20% of it,
	# but the last two: the input has run out, the last items wait out
	# their backoff
	run -0 awk '$1 < 1200 || $1 > 1800 { print "off: " $1; bad = 1 } END { exit bad }' < <(written 2 2)
	[ "$(written 2 2 | wc -l)" -ge 3 ]
	run -0 jq '.throttled > 0' sum.json
	assert_output true
}

@test "--rate holds whatever the capacity" {
	sink_up -l 5 -J 1 -c 40000
	items 4000 >in.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest --rate 1000 in.jsonl
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
	echo "# written a second: $(written 0 0 | paste -sd' ')" >&3
	run -0 awk '$1 < 950 || $1 > 1050 { print "off: " $1; bad = 1 } END { exit bad }' < <(written 1 1)
	[ "$(written 1 1 | wc -l)" -ge 2 ]
	# under a capacity below it, the capacity wins
	sink_down
	sink_up -l 5 -J 1 -Z -b 1 -c 500
	items 2000 2 >in2.jsonl
	run -0 --separate-stderr dynaput -e "$SINK" -t man --manifest --rate 1000 in2.jsonl
	assert_equal "$(sink_items)" "$(sort in2.jsonl)"
	run -0 awk '$1 > 600 { print "off: " $1; bad = 1 } END { exit bad }' < <(written 1 1)
}

@test "10% of the connections reset, before or after the write: the table equals the input" {
	sink_up -l 5 -J 1 -P -Z -c 5000
	proxy_up "$SINK"
	proxy_rules '[{"match":{"target":"PutItem"},"action":"reset","every":20},
		{"match":{"target":"PutItem"},"action":"cut","bytes":0,"every":19}]'
	items 3000 >in.jsonl
	run -0 --separate-stderr dynaput -e "$PROXY" -t man --manifest -x bad in.jsonl
	assert_equal "${stderr_lines[-1]%, * retries}" 'dynaput: 3000 read, 3000 written, 0 already present, 0 rejected'
	[ ! -s bad ]
	run -0 jq -r '.faults | [.reset, .cut] | @tsv' < <(proxy_stats)
	echo "# reset, cut: $output" >&3
	assert_equal "$(sink_items)" "$(sort in.jsonl)"
}

@test "DYNAPUT_TRACE: a line a second, appended to: time, rate, throttling, window, latency" {
	sink_up -l 5
	items 100 >in.jsonl
	echo '# kept' >trace
	DYNAPUT_TRACE=trace run -0 --separate-stderr dynaput -e "$SINK" -t man in.jsonl
	run -0 sed -n '1,2p' trace
	assert_output "# kept
# epoch	items/s	throttled/s	window	latency_ms"
	# a fast run may end before its first second: feed it slowly
	(for i in 1 2 3; do items 10 "$i"; sleep 0.7; done) |
		DYNAPUT_TRACE=trace dynaput -e "$SINK" -t man 2>/dev/null
	run -0 awk -F'\t' '!/^#/ { n++; if (NF != 5 || $1 !~ /^[0-9]+\.[0-9]+$/ || $4 < 1) bad = 1 }
		END { print (n > 0 && !bad) }' trace
	assert_output 1
	run -2 --separate-stderr env DYNAPUT_TRACE=/nonexistent/trace dynaput -e "$SINK" -t man in.jsonl
	assert_equal "$stderr" 'dynaput: DYNAPUT_TRACE: /nonexistent/trace: No such file or directory'
}
