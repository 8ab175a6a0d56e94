#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dynaput side by side with the AWS CLI on dynalite, and with wrk on a
# sink that answers every request at once.
#
#   BENCH_ITEMS=20000 BENCH_SINK_ITEMS=200000 BENCH_REPS=3 bench/dynaput.sh
#
# 1. dynalite (tests/servers, one Node process on 127.0.0.1): BENCH_ITEMS
#    manifest items written by dynaput -b (BatchWriteItem), dynaput
#    --manifest (the conditional PutItem) and plain PutItem, each into a
#    fresh table; and by a loop of "aws dynamodb batch-write-item", 25
#    items a call, over a tenth of them (it is slow).  Every table is
#    counted after.
# 2. A sink: nginx on a free loopback port answering {} to every request
#    (and a table description to DescribeTable).  dynaput --manifest -j 64
#    and -b -j 64 over BENCH_SINK_ITEMS items, against wrk -c 64 posting
#    the same PutItem request (same headers, same size) for 5 s, with 1
#    and 2 threads.  Then dynaput's peak RSS for a tenth of the items and
#    for all of them.
# Rates are medians of BENCH_REPS runs (wall clock).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C
nitems=${BENCH_ITEMS:-20000}
nsink=${BENCH_SINK_ITEMS:-200000}
reps=${BENCH_REPS:-3}
out=bench/out
PATH=$top/bin:$PATH
AWS=/usr/bin/aws
mkdir -p "$out"

for t in dynaput "$AWS" nginx wrk jq node curl /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "dynaput.sh: no $t" >&2; exit 1; }
done

srv=$out/dynaput-servers
rm -rf "$srv"
work=$(mktemp -d "${TMPDIR:-/tmp}/dynaput-bench.XXXXXX")
cleanup() {
	[ ! -e "$work/nginx.pid" ] || kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	tests/servers/ctl stop "$srv"
	rm -rf "$work" "$srv"
}
trap cleanup EXIT
tests/servers/ctl start "$srv"
# shellcheck disable=SC1091
. "$srv/env"

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=''
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_CA_BUNDLE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB

# items N: N manifest items with distinct keys, as eventcut writes them
items() {
	awk -v n="$1" 'BEGIN { srand(1); for (i = 0; i < n; i++)
		printf "{\"eventId\":\"%08x-%04x-4%03x-b91a-%012x\",\"fingerprint\":\"%032x\",\"etlTime\":%d,\"ttl\":%d}\n",
			i, int(rand() * 65536), int(rand() * 4096), int(rand() * 2^40), i * 7919,
			1480236400 + i, 1480236400 + i + 15552000 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# rate N CMD...: sets R to the items a second of CMD over N items, the
# median of reps runs (no subshell: CMD may set variables)
rate() {
	local n=$1 i s e all=''
	shift
	for ((i = 0; i < reps; i++)); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
		e=$(date +%s%N)
		all+="$(echo "$n $s $e" | awk '{ printf "%.0f", $1 / (($3 - $2) / 1e9) }')"$'\n'
	done
	R=$(printf '%s' "$all" | median)
}

ddb() {
	"$AWS" --endpoint-url "$DDB_ENDPOINT" dynamodb "$@"
}
mktable() {
	ddb create-table --table-name "$1" --billing-mode PAY_PER_REQUEST \
		--attribute-definitions AttributeName=eventId,AttributeType=S \
		AttributeName=fingerprint,AttributeType=S \
		--key-schema AttributeName=eventId,KeyType=HASH \
		AttributeName=fingerprint,KeyType=RANGE >/dev/null
	ddb wait table-exists --table-name "$1"
}
count() {
	ddb scan --table-name "$1" --select COUNT --output json | jq .Count
}

# a fresh table for each run, made before the clock starts
tno=0
for ((i = 1; i <= 3 * reps + 1; i++)); do
	mktable "bench-$i"
done
fresh() { tno=$((tno + 1)); T=bench-$tno; }

items "$nitems" >"$work/items.jsonl"
echo "1. dynalite on 127.0.0.1, $nitems manifest items ($(wc -c <"$work/items.jsonl") bytes), median of $reps"

put_b() { fresh; dynaput -e "$DDB_ENDPOINT" -t "$T" -b -j 8 "$work/items.jsonl"; }
put_m() { fresh; dynaput -e "$DDB_ENDPOINT" -t "$T" --manifest -j 16 "$work/items.jsonl"; }
put_p() { fresh; dynaput -e "$DDB_ENDPOINT" -t "$T" -j 16 "$work/items.jsonl"; }
rate "$nitems" put_b
rb=$R
[ "$(count "$T")" -eq "$nitems" ] || { echo "dynaput -b: table $T is short" >&2; exit 1; }
rate "$nitems" put_m
rm_=$R
[ "$(count "$T")" -eq "$nitems" ] || { echo "dynaput --manifest: table $T is short" >&2; exit 1; }
rate "$nitems" put_p
rp=$R
[ "$(count "$T")" -eq "$nitems" ] || { echo "dynaput: table $T is short" >&2; exit 1; }

# the AWS CLI: one batch-write-item per 25 items, from files made first
ncli=$((nitems / 10 / 25 * 25))
fresh
head -n "$ncli" "$work/items.jsonl" |
	jq -c --arg t "$T" '{PutRequest: {Item: map_values(if type == "string" then {S: .} else {N: tostring} end)}}' |
	split -l 25 - "$work/batch."
for f in "$work"/batch.*; do
	jq -s -c --arg t "$T" '{($t): .}' "$f" >"$f.json"
done
cli() {
	local f
	for f in "$work"/batch.*.json; do
		ddb batch-write-item --request-items "file://$f" --output json |
			jq -e '.UnprocessedItems == {}' >/dev/null
	done
}
s=$(date +%s%N)
cli
e=$(date +%s%N)
rcli=$(echo "$ncli $s $e" | awk '{ printf "%.0f\n", $1 / (($3 - $2) / 1e9) }')
[ "$(count "$T")" -eq "$ncli" ] || { echo "aws: table $T is short" >&2; exit 1; }
printf '%-44s %8s items/s\n' "dynaput -b -j 8 (BatchWriteItem)" "$rb" \
	"dynaput --manifest -j 16 (conditional PutItem)" "$rm_" \
	"dynaput -j 16 (PutItem)" "$rp" \
	"aws dynamodb batch-write-item loop ($ncli)" "$rcli"
awk -v b="$rb" -v m="$rm_" -v c="$rcli" 'BEGIN {
	printf "dynaput -b / aws loop %.0fx   dynaput --manifest / aws loop %.0fx  (target 50x)\n", b / c, m / c }'

# 2. the sink
port=$(node tests/servers/freeport.js)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	keepalive_requests 10000000;
	keepalive_timeout 300s;
	server {
		listen 127.0.0.1:$port;
		location / {
			default_type application/x-amz-json-1.0;
			if (\$http_x_amz_target = "DynamoDB_20120810.DescribeTable") {
				return 200 '{"Table":{"TableName":"sink","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"eventId","KeyType":"HASH"},{"AttributeName":"fingerprint","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"eventId","AttributeType":"S"},{"AttributeName":"fingerprint","AttributeType":"S"}]}}';
			}
			return 200 '{}';
		}
	}
}
EOF
nginx -c "$work/nginx.conf" -p "$work/nginx" >"$work/nginx/out.log" 2>&1 &
for _ in $(seq 100); do
	curl -s -o /dev/null -X POST "http://127.0.0.1:$port/" && break
	sleep 0.05
done
sink=http://127.0.0.1:$port

items "$nsink" >"$work/sink.jsonl"
head -n $((nsink / 10)) "$work/sink.jsonl" >"$work/sink-small.jsonl"
# the request wrk sends: one of dynaput's, headers and all
line=$(head -n 1 "$work/sink.jsonl")
body=$(jq -c '{TableName: "sink", Item: map_values(if type == "string" then {S: .} else {N: tostring} end),
	ConditionExpression: "(attribute_not_exists(eventId) AND attribute_not_exists(fingerprint)) OR etlTime = :tst",
	ExpressionAttributeValues: {":tst": {N: (.etlTime | tostring)}}}' <<<"$line")
cat >"$work/put.lua" <<EOF
wrk.method = "POST"
wrk.body = [[$body]]
wrk.headers["User-Agent"] = "dynaput"
wrk.headers["Accept"] = "*/*"
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
wrk.headers["x-amz-date"] = "20261125T100000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/20261125/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
EOF
wrkrate() {
	local i
	for ((i = 0; i < reps; i++)); do
		wrk -t "$1" -c 64 -d 5s -s "$work/put.lua" "$sink/" |
			awk '/^Requests\/sec/ { printf "%.0f\n", $2 }'
	done | median
}

echo
echo "2. a sink (nginx, one worker, {} to every request) on 127.0.0.1, $nsink items, median of $reps"
sink_m() { dynaput -e "$sink" -t sink --manifest -j 64 "$work/sink.jsonl"; }
sink_b() { dynaput -e "$sink" -t sink -b -j 64 "$work/sink.jsonl"; }
rate "$nsink" sink_m
sm=$R
rate "$nsink" sink_b
sb=$R
w1=$(wrkrate 1)
w2=$(wrkrate 2)
printf '%-44s %8s items/s\n' "dynaput --manifest -j 64 (PutItem)" "$sm" \
	"dynaput -b -j 64 (BatchWriteItem)" "$sb"
printf '%-44s %8s requests/s\n' "wrk -t 1 -c 64, the same PutItem" "$w1" \
	"wrk -t 2 -c 64, the same PutItem" "$w2"
awk -v m="$sm" -v a="$w1" -v b="$w2" 'BEGIN {
	w = a > b ? a : b
	printf "dynaput PutItem / wrk (its best) %.2f  (target >= 0.5; and >= 40000 items/s)\n", m / w }'
/usr/bin/time -f %M -o "$work/rss-small" dynaput -e "$sink" -t sink --manifest -j 64 "$work/sink-small.jsonl" 2>/dev/null
/usr/bin/time -f %M -o "$work/rss-big" dynaput -e "$sink" -t sink --manifest -j 64 "$work/sink.jsonl" 2>/dev/null
echo "dynaput peak RSS: $(cat "$work/rss-small") KB for $((nsink / 10)) items, $(cat "$work/rss-big") KB for $nsink"
