#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# eventcut against GNU cut and mawk cutting the same three fields
# (etl_tstamp, event_id, event_fingerprint) from the same file, in one
# run, with the file in the page cache.  eventcut does more: it checks
# every line (field count, UUID, fingerprint, timestamp) and writes a
# JSON item.  Also its peak RSS on inputs ten times apart, which should
# be the same.
#
#   BENCH_MB=100 BENCH_REPS=9 bench/eventcut.sh
#
# Throughput is input MB (10^6 bytes) over wall time, the median of
# BENCH_REPS runs (the best is shown too); output goes to /dev/null.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C
mb=${BENCH_MB:-100}
reps=${BENCH_REPS:-9}
out=bench/out
PATH=$top/bin:$PATH
mkdir -p "$out"

for t in eventcut cut mawk; do
	command -v "$t" >/dev/null || { echo "eventcut.sh: no $t" >&2; exit 1; }
done
cut --version 2>/dev/null | grep -q GNU ||
	{ echo "eventcut.sh: cut is not GNU cut" >&2; exit 1; }

gen=$out/genevents
if [ ! -x "$gen" ] || [ bench/genevents.c -nt "$gen" ]; then
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra \
		-o "$gen" bench/genevents.c
fi
big=$out/events-${mb}M.tsv
small=$out/events-$((mb / 10))M.tsv
models=tests/data/enriched-samples.tsv
[ -s "$big" ] || "$gen" -s 1 $((mb * 1000000)) "$models" >"$big"
[ -s "$small" ] || "$gen" -s 2 $((mb * 100000)) "$models" >"$small"
bytes=$(wc -c <"$big")
nlines=$(wc -l <"$big")

# the tools must agree before their times mean anything
eventcut -T -f 3,7,130 "$big" >"$out/a.tsv"
cut -f3,7,130 "$big" >"$out/b.tsv"
mawk -F'\t' -v OFS='\t' '{print $3,$7,$130}' "$big" >"$out/c.tsv"
cmp "$out/a.tsv" "$out/b.tsv"
cmp "$out/b.tsv" "$out/c.tsv"
items=$(eventcut "$big" | wc -l)
[ "$items" -eq "$nlines" ] ||
	{ echo "eventcut.sh: $items items from $nlines lines" >&2; exit 1; }
rm -f "$out/a.tsv" "$out/b.tsv" "$out/c.tsv"

# time CMD...: one run's wall seconds
time1() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null
	t1=$EPOCHREALTIME
	echo "$t1 $t0" | awk '{ printf "%.6f\n", $1 - $2 }'
}

# bench NAME CMD...: prints "NAME median best" in MB/s
bench() {
	local name=$1 i
	shift
	for ((i = 0; i < reps; i++)); do
		time1 "$@"
	done | sort -g | awk -v n="$name" -v b="$bytes" -v r="$reps" '
		{ t[NR] = $1 }
		END { printf "%s %.1f %.1f\n", n, b / 1e6 / t[int((r + 1) / 2)],
		      b / 1e6 / t[1] }'
}

cat "$big" >/dev/null
cat "$big" >/dev/null
{
	bench eventcut eventcut "$big"
	bench "eventcut -T -f 3,7,130" eventcut -T -f 3,7,130 "$big"
	bench "cut -f3,7,130" cut -f3,7,130 "$big"
	# shellcheck disable=SC2016
	bench "mawk" mawk -F'\t' -v OFS='\t' '{print $3,$7,$130}' "$big"
} >"$out/eventcut.times"

rss() {
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
}

avg=$(awk -v b="$bytes" -v n="$nlines" 'BEGIN { printf "%.0f", b / n }')
echo "input: $big, $bytes bytes, $nlines lines ($avg bytes a line)," \
	"$reps runs each"
awk '{ name = $0; sub(/ [^ ]+ [^ ]+$/, "", name)
	printf "%-24s %8.1f MB/s median %8.1f MB/s best\n", name, $(NF-1), $NF }' \
	"$out/eventcut.times"
awk 'NR == 1 { e = $(NF-1) } /^cut/ { c = $(NF-1) } /^mawk/ { m = $(NF-1) }
	END { printf "eventcut/cut  %.2fx   eventcut/mawk %.2fx  (medians; " \
	      "target: eventcut/cut >= 1.5)\n", e / c, e / m }' \
	"$out/eventcut.times"
if [ -x /usr/bin/time ]; then
	echo "eventcut peak RSS: $(rss eventcut "$big") KB on $bytes bytes," \
		"$(rss eventcut "$small") KB on $(wc -c <"$small") bytes" \
		"(target < 8192 KB)"
else
	echo "eventcut peak RSS: no /usr/bin/time (tools/deps bench installs it)"
fi
