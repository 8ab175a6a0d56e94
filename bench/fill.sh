#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Filling a table that behaves like DynamoDB (issue 8): build/ddbsink
# answering each write after 5 ms (+-1), throttling past a write
# capacity per 1,000-WCU partition (-P), with no burst credit to start
# with (-Z, as a new table; unused capacity then banks up, as DynamoDB's
# does).  In one run:
#
# 1. populate over an archive of BENCH_EVENTS events (BENCH_RUNS run
#    folders of plain files on local disk, from bench/genevents), at a
#    capacity of 40,000 WCU, then 5,000 (over a third of the events):
#    the table's writes and throttled items each second, the share of
#    requests throttled, dynaput's window (DYNAPUT_TRACE), the CPU of
#    the whole pipeline and of the sink a item.
# 2. populate --rate 1000 at both capacities, over a twentieth.
# 3. 1. again through tests/servers/faultproxy.js resetting 10% of the
#    requests (half before the write, half after it: the answer lost),
#    over a twentieth: the proxy (Node) is the limit there.
# 4. dynaput alone over the same items, capacity 40,000: its own CPU a
#    item.
# 5. Latency 0 (nginx answering {} at once, as in bench/dynaput.sh):
#    dynaput's default (the adaptive window) against -j 64, the fixed
#    window this bench measured 40,000 items/s with before.
# 6. HTTPS against HTTP: the same nginx with a self-signed certificate
#    trusted through AWS_CA_BUNDLE, at the same --rate: CPU a item.
#
# Every table is compared with the archive's items (sorted, whole).
# The plots: bench/out/fill-40000.png and fill-5000.png (bench/fill.gp).
#
#   BENCH_EVENTS=400000 BENCH_RUNS=4 BENCH_REPS=3 bench/fill.sh
#
# populate runs with its defaults (POPULATE_ARGS adds options).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C
events=${BENCH_EVENTS:-400000}
nruns=${BENCH_RUNS:-4}
reps=${BENCH_REPS:-3}
read -r -a popargs <<<"${POPULATE_ARGS:-}"
out=bench/out
PATH=$top/bin:$PATH
mkdir -p "$out"

for t in populate dynaput eventcut nginx jq node curl openssl gnuplot \
	/usr/bin/time build/ddbsink; do
	command -v "$t" >/dev/null || { echo "fill.sh: no $t" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/fill-bench.XXXXXX")
SINK_PID='' PROXY_PID=''
cleanup() {
	[ -z "$SINK_PID" ] || kill "$SINK_PID" 2>/dev/null || true
	[ -z "$PROXY_PID" ] || kill "$PROXY_PID" 2>/dev/null || true
	[ ! -e "$work/nginx.pid" ] || kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_CA_BUNDLE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB DYNAPUT_TRACE

# --- the archives: runs of two plain part files each ---

gen=$out/genevents
if [ ! -x "$gen" ] || [ bench/genevents.c -nt "$gen" ]; then
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra \
		-o "$gen" bench/genevents.c
fi
# archive DIR EVENTS RUNS SEED: made once, kept in bench/out
archive() {
	local dir=$1 n=$2 runs=$3 seed=$4 r per id
	[ -s "$dir/.done" ] && return 0
	rm -rf "$dir"
	per=$((n / runs))
	for ((r = 0; r < runs; r++)); do
		id=$(date -u -d "2017-03-01 10:00:00 UTC + $r hours" +%Y-%m-%d-%H-%M-%S)
		mkdir -p "$dir/run=$id"
		# 4,205 bytes a line on average: enough bytes, then the lines
		"$gen" -s $((seed * 100 + r)) $((per * 4400)) tests/data/enriched-samples.tsv |
			head -n "$per" >"$dir/run=$id/events"
		split -n l/2 -d -a 5 "$dir/run=$id/events" "$dir/run=$id/part-"
		rm "$dir/run=$id/events"
		: >"$dir/run=$id/_SUCCESS"
	done
	cat "$dir"/run=*/part-* | eventcut 2>/dev/null | sort >"$dir.items"
	echo "$n" >"$dir/.done"
}
big=$out/fill-archive-$events
mid=$out/fill-archive-$((events * 3 / 8))
small=$out/fill-archive-$((events / 20))
archive "$big" "$events" "$nruns" 1
archive "$mid" $((events * 3 / 8)) "$nruns" 2
archive "$small" $((events / 20)) 2 3

jq '.data.dynamodbTable = "snowplow-manifest" | .data.awsRegion = "us-east-1"' \
	tests/data/configs/dynamodb-1-0-1.json >"$work/cfg.json"

# --- the sink and the proxy ---

sink_start() {
	"$top/build/ddbsink" "$@" >"$work/sink.out" 2>"$work/sink.err" &
	SINK_PID=$!
	for _ in $(seq 100); do
		grep -q '^[0-9][0-9]*$' "$work/sink.out" 2>/dev/null && break
		sleep 0.05
	done
	SINK=http://127.0.0.1:$(head -n 1 "$work/sink.out")
}
sink_stop() {
	kill "$SINK_PID"
	wait "$SINK_PID" 2>/dev/null || true
	SINK_PID=''
}
proxy_start() {
	local port
	port=$(node tests/servers/freeport.js)
	node tests/servers/faultproxy.js "$port" "$SINK" >"$work/proxy.log" 2>&1 &
	PROXY_PID=$!
	PROXY=http://127.0.0.1:$port
	for _ in $(seq 100); do
		curl -s -o /dev/null "$PROXY/__fault/stats" && break
		sleep 0.05
	done
	# 10% of the requests: one in 20 reset before it is passed on, one
	# in 19 of the others passed on and its answer cut off
	curl -sf -X PUT --data '[{"match":{"target":"PutItem"},"action":"reset","every":20},
		{"match":{"target":"PutItem"},"action":"cut","bytes":0,"every":19}]' \
		"$PROXY/__fault/rules" >/dev/null
}
proxy_stop() {
	kill "$PROXY_PID"
	wait "$PROXY_PID" 2>/dev/null || true
	PROXY_PID=''
}

cpu() { awk '{ print $1 + $2 }' "$1"; }

# fill NAME ARCHIVE CAPACITY [populate options]: populate from ARCHIVE
# into a fresh sink (through the proxy when $via is set); one line of
# results; the per-second series in bench/out/fill-NAME.dat
fill() {
	local name=$1 arch=$2 cap=$3 url t0 t1 n
	shift 3
	sink_start -l 5 -J 1 -P -Z -c "$cap"
	url=$SINK
	if [ -n "${via:-}" ]; then
		proxy_start
		url=$PROXY
	fi
	rm -rf "$work/logs"
	: >"$work/trace"
	n=$(wc -l <"$arch.items")
	t0=$EPOCHREALTIME
	DYNAPUT_TRACE=$work/trace AWS_ENDPOINT_URL_DYNAMODB=$url \
		/usr/bin/time -f '%U %S' -o "$work/time" \
		populate --log-path "$work/logs" "$@" "$arch" "$work/cfg.json" \
		2>"$work/populate.err" ||
		{ cat "$work/populate.err" >&2; return 1; }
	t1=$EPOCHREALTIME
	curl -sf "$SINK/__sink/stats" >"$out/fill-$name.stats.json"
	echo "$EPOCHREALTIME" >"$work/statstime"
	curl -sf "$SINK/__sink/items" | sort >"$work/items"
	if ! cmp -s "$work/items" "$arch.items"; then
		echo "fill.sh: $name: the table is not the archive's items" \
			"($(wc -l <"$work/items") of $n)" >&2
		return 1
	fi
	[ -z "${via:-}" ] || { curl -sf "$PROXY/__fault/stats" |
		jq -c '.faults' >"$work/faults"; proxy_stop; }
	sink_stop
	# the series: seconds from the first write, written/s, throttled
	# items/s, dynaput's window (the trace line of that second)
	jq -r '.uptime_s as $u | .series | .start_s as $s |
		[range(.items_written | length) as $i |
		 "\($s + $i) \(.items_written[$i]) \(.throttled_items[$i])"] | .[]' \
		"$out/fill-$name.stats.json" >"$work/series"
	awk -v now="$(cat "$work/statstime")" \
	    -v up="$(jq .uptime_s "$out/fill-$name.stats.json")" '
		FILENAME == ARGV[1] { if ($1 !~ /^#/) win[int($1 - (now - up))] = $4; next }
		{ s[$1] = $2 " " $3; if (first == "" && $2 > 0) first = $1; last = $1 }
		END {
			print "# seconds written/s throttled/s window"
			for (i = first; i <= last; i++)
				print i - first, (i in s ? s[i] : "0 0"), (i in win ? win[i] : "?")
		}' "$work/trace" "$work/series" >"$out/fill-$name.dat"
	# steady state: from the 4th second with writes to the last whole one
	awk -v n="$n" -v wall="$(echo "$t1 $t0" | awk '{ print $1 - $2 }')" \
	    -v cpu="$(cpu "$work/time")" -v name="$name" -v cap="$cap" \
	    -v st="$(jq -c '[.requests, .by_op.PutItem, .throttled_requests, .cpu_s]' "$out/fill-$name.stats.json")" \
	    -v faults="$(cat "$work/faults" 2>/dev/null || echo -)" '
		!/^#/ { w[k++] = $2 }
		END {
			split(substr(st, 2, length(st) - 2), a, ",")
			lo = 1e18; hi = 0; sum = 0; m = 0
			for (i = 3; i < k - 1; i++) {
				sum += w[i]; m++
				if (w[i] < lo) lo = w[i]
				if (w[i] > hi) hi = w[i]
			}
			if (m) {
				mean = sum / m
				osc = (hi - mean > mean - lo ? hi - mean : mean - lo) / mean * 100
				steady = sprintf("%6.0f/s steady (%.0f%% of %d; %.0f to %.0f a second, +-%.0f%%)",
					mean, mean / cap * 100, cap, lo, hi, osc)
			} else {
				steady = "(too short for a steady state)"
			}
			printf "%-15s %6d items %5.1f s %6.0f/s overall %s, throttled %.2f%% of %d PutItem; CPU/item: populate %.1f us, sink %.1f us%s\n",
				name, n, wall, n / wall, steady,
				a[3] / a[2] * 100, a[2], cpu * 1e6 / n, a[4] * 1e6 / n,
				faults == "-" ? "" : "; faults " faults
		}' "$out/fill-$name.dat"
	rm -f "$work/faults"
}

echo "1-3. populate ${popargs[*]} into ddbsink -l 5 -J 1 -P -Z (5 ms +-1, per-partition capacity, no burst credit at first), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
fill 40000 "$big" 40000 "${popargs[@]}"
fill 5000 "$mid" 5000 "${popargs[@]}"
fill rate1000-40000 "$small" 40000 "${popargs[@]}" --rate 1000
fill rate1000-5000 "$small" 5000 "${popargs[@]}" --rate 1000
via=1 fill resets-40000 "$small" 40000 "${popargs[@]}"
via=1 fill resets-5000 "$small" 5000 "${popargs[@]}"

for c in 40000 5000; do
	gnuplot -e "dat='$out/fill-$c.dat'; png='$out/fill-$c.png'; cap=$c" \
		bench/fill.gp
done
echo "plots: $out/fill-40000.png $out/fill-5000.png"

# --- 4. dynaput alone ---

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# put URL FILE [dynaput options]: one run; prints items/s and CPU us/item
put() {
	local url=$1 f=$2 n t0 t1
	shift 2
	n=$(wc -l <"$f")
	t0=$EPOCHREALTIME
	/usr/bin/time -f '%U %S' -o "$work/time" \
		dynaput -e "$url" -t snowplow-manifest --manifest "$@" "$f" \
		2>"$work/dynaput.err" || { cat "$work/dynaput.err" >&2; return 1; }
	t1=$EPOCHREALTIME
	echo "$n $t0 $t1 $(cpu "$work/time")" |
		awk '{ printf "%.0f %.1f\n", $1 / ($3 - $2), $4 * 1e6 / $1 }'
}

echo
echo "4. dynaput alone, capacity 40000 (the items of 1.), $(cut -d' ' -f1-3 /proc/loadavg)"
sink_start -l 5 -J 1 -P -Z -c 40000
read -r r c < <(put "$SINK" "$big.items")
sink_stop
printf '%-44s %8s items/s  %6s us CPU/item\n' "dynaput --manifest (defaults)" "$r" "$c"

# --- 5. and 6. nginx: latency 0, HTTP and HTTPS ---

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" \
	-out "$work/cert.pem" -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 2>/dev/null
port=$(node tests/servers/freeport.js)
tport=$(node tests/servers/freeport.js)
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
	ssl_certificate $work/cert.pem;
	ssl_certificate_key $work/key.pem;
	ssl_protocols TLSv1.2 TLSv1.3;
	ssl_session_cache shared:SSL:10m;
	server {
		listen 127.0.0.1:$port;
		listen 127.0.0.1:$tport ssl;
		location / {
			default_type application/x-amz-json-1.0;
			if (\$http_x_amz_target = "DynamoDB_20120810.DescribeTable") {
				return 200 '{"Table":{"TableName":"snowplow-manifest","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"eventId","KeyType":"HASH"},{"AttributeName":"fingerprint","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"eventId","AttributeType":"S"},{"AttributeName":"fingerprint","AttributeType":"S"}]}}';
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
head -n 200000 "$big.items" >"$work/200k"
head -n 50000 "$big.items" >"$work/50k"

# side NAME URL FILE [options] ...: reps runs of each, interleaved;
# medians of items/s and CPU us/item
side() {
	local i
	for ((i = 0; i < reps; i++)); do
		"$@"
	done
}
declare -A R C
run() {	# run KEY URL FILE [dynaput options]
	local key=$1 r c
	shift
	read -r r c < <(put "$@")
	R[$key]+="$r"$'\n'
	C[$key]+="$c"$'\n'
}
med() { printf '%s' "$1" | median; }

echo
echo "5. latency 0: nginx (one worker) answering {} at once, 200000 items, median of $reps, $(cut -d' ' -f1-3 /proc/loadavg)"
lat0() {
	run adaptive "http://127.0.0.1:$port" "$work/200k"
	run j64 "http://127.0.0.1:$port" "$work/200k" -j 64
}
side lat0
printf '%-44s %8s items/s  %6s us CPU/item\n' \
	"dynaput --manifest (defaults: adaptive)" "$(med "${R[adaptive]}")" "$(med "${C[adaptive]}")" \
	"dynaput --manifest -j 64" "$(med "${R[j64]}")" "$(med "${C[j64]}")"

echo
echo "6. HTTPS against HTTP, the same nginx, 50000 items, median of $reps, $(cut -d' ' -f1-3 /proc/loadavg)"
tls() {
	run http "http://127.0.0.1:$port" "$work/50k" --rate 5000
	AWS_CA_BUNDLE=$work/cert.pem run https "https://127.0.0.1:$tport" "$work/50k" --rate 5000
	run httpfull "http://127.0.0.1:$port" "$work/50k"
	AWS_CA_BUNDLE=$work/cert.pem run httpsfull "https://127.0.0.1:$tport" "$work/50k"
}
side tls
printf '%-44s %8s items/s  %6s us CPU/item\n' \
	"HTTP, --rate 5000" "$(med "${R[http]}")" "$(med "${C[http]}")" \
	"HTTPS, --rate 5000" "$(med "${R[https]}")" "$(med "${C[https]}")" \
	"HTTP, as fast as it goes" "$(med "${R[httpfull]}")" "$(med "${C[httpfull]}")" \
	"HTTPS, as fast as it goes" "$(med "${R[httpsfull]}")" "$(med "${C[httpsfull]}")"
awk -v a="$(med "${C[http]}")" -v b="$(med "${C[https]}")" \
    -v c="$(med "${C[httpfull]}")" -v d="$(med "${C[httpsfull]}")" 'BEGIN {
	printf "HTTPS/HTTP CPU a item: %.2f at 5000/s, %.2f as fast as it goes (target <= 1.33)\n", b / a, d / c }'
