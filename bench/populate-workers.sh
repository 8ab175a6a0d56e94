#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# populate on one machine and sharded (-P 1, 2, 4) side by side, on the
# DynamoDB-like sink (build/ddbsink: 5 ms +- 1 a write, no capacity
# limit): events a second and CPU an event.
#
#   BENCH_MB=400 BENCH_JOBS="- 16" bench/populate-workers.sh
#
# The archive: BENCH_MB of bench/genevents' enriched events (1 to 6 KB a
# line) cut into 8 runs of 6 plain objects of varied sizes, on disk (the
# page cache: S3 is not what is measured).  Each job writes into a table
# of its own on the sink; the sink's keys are checked against the
# archive's.  Wall clock and the CPU of populate and every process under
# it (GNU time); the sink's own CPU apart.  BENCH_JOBS: the --ddb-jobs
# of each series (the most writes in flight a worker; - for dynaput's
# own window, up to 512).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C
mb=${BENCH_MB:-400}
jobs=${BENCH_JOBS:--  16}
out=bench/out
PATH=$top/bin:$PATH
mkdir -p "$out"
for t in populate build/ddbsink jq curl /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "populate-workers.sh: no $t" >&2; exit 1; }
done

gen=$out/genevents
if [ ! -x "$gen" ] || [ bench/genevents.c -nt "$gen" ]; then
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra \
		-o "$gen" bench/genevents.c
fi
arch=$out/archive-${mb}M
if [ ! -e "$arch/.made" ]; then
	rm -rf "$arch"
	"$gen" -s 3 $((mb * 1000000)) tests/data/enriched-samples.tsv | awk -v d="$arch" '
		BEGIN { srand(3) }
		{ l[NR] = $0 }
		END {
			# 48 objects, sizes from 1 to 3 shares, in 8 runs
			for (i = 0; i < 48; i++) { w[i] = 1 + (i * 7 % 11) / 5; t += w[i] }
			n = 1
			for (i = 0; i < 48; i++) {
				r = int(i / 6); o = i % 6
				dir = sprintf("%s/run=2021-01-%02d-10-00-00", d, r + 1)
				system("mkdir -p " dir)
				f = sprintf("%s/part-%05d", dir, o)
				m = (i == 47) ? NR : n + int(NR * w[i] / t) - 1
				for (; n <= m; n++) print l[n] > f
				close(f)
			}
		}'
	: >"$arch/.made"
fi
bytes=$(cat "$arch"/run=*/part-* | wc -c)
events=$(cat "$arch"/run=*/part-* | wc -l)

work=$(mktemp -d "${TMPDIR:-/tmp}/populate-bench.XXXXXX")
sink_pid=''
cleanup() {
	[ -z "$sink_pid" ] || kill "$sink_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
build/ddbsink -l 5 -J 1 >"$work/sink.out" 2>"$work/sink.err" &
sink_pid=$!
for _ in $(seq 100); do
	grep -q '^[0-9][0-9]*$' "$work/sink.out" 2>/dev/null && break
	sleep 0.05
done
sink=http://127.0.0.1:$(head -n 1 "$work/sink.out")

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ENDPOINT_URL_DYNAMODB=$sink
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE

# the keys the archive holds, for the check
eventcut "$arch"/run=*/part-* 2>/dev/null | jq -r '.eventId + " " + .fingerprint' | sort -u >"$work/keys"
nkeys=$(wc -l <"$work/keys")

n=0
# job LABEL POPULATE-ARGS...: one job into a fresh table; prints its line
job() {
	local label=$1 t s e u
	shift
	n=$((n + 1)) t=bench-$n
	jq -n --arg t "$t" '{schema: "iglu:com.snowplowanalytics.snowplow.storage/amazon_dynamodb_config/jsonschema/2-0-0",
		data: {name: "bench", auth: null, awsRegion: "us-east-1", dynamodbTable: $t,
		id: "ce8dcb2a-87e2-4bd6-a3d4-2ba5c5a8c3a8", purpose: "EVENTS_MANIFEST"}}' >"$work/$t.json"
	curl -sf -X POST "$sink/__sink/reset" >/dev/null
	s=$(curl -sf "$sink/__sink/stats" | jq .cpu_s)
	/usr/bin/time -f '%e %U %S' -o "$work/time" \
		populate --log-path "$work/logs" --ttl-days 0 "$@" "$arch" "$work/$t.json" 2>"$work/err" ||
		{ cat "$work/err" >&2; return 1; }
	e=$(curl -sf "$sink/__sink/stats" | jq .cpu_s)
	curl -sf "$sink/__sink/items?table=$t" | jq -r '.eventId + " " + .fingerprint' | sort >"$work/got"
	cmp -s "$work/got" "$work/keys" || { echo "$label: the table is not the archive's keys" >&2; return 1; }
	read -r wall u s2 <"$work/time"
	awk -v l="$label" -v ev="$events" -v w="$wall" -v u="$u" -v s2="$s2" -v e="$e" -v s="$s" 'BEGIN {
		c = u + s2; sc = e - s
		printf "%-34s %6.1f s %9.0f events/s %6.1f us CPU/event %5.0f%% CPU  sink %4.1f us/event\n",
			l, w, ev / w, c * 1e6 / ev, 100 * c / w, sc * 1e6 / ev }'
}

echo "archive: $arch, $bytes bytes, $events events ($nkeys keys), 8 runs, 48 objects; $(nproc) cores"
echo "sink: build/ddbsink -l 5 -J 1 (5 ms +- 1 a write, no capacity limit)"
for j in $jobs; do
	o=(--ddb-jobs "$j") && [ "$j" != - ] || o=()
	l="dynaput's window (--ddb-jobs unset)" && [ "$j" = - ] || l="--ddb-jobs $j"
	echo "$l:"
	job "populate (one machine)" "${o[@]}"
	for k in 1 2 4; do
		job "populate -P $k" -P "$k" "${o[@]}"
	done
done
