#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# s3cat side by side with the AWS CLI and rclone on the local S3 server
# (the SigV4-verifying s3rver fork, tests/servers), and with gzip and
# pigz on decoding; then its peak RSS with -j over large objects.
#
#   BENCH_OBJECTS=200 BENCH_REPS=5 bench/s3cat.sh
#
# 1. Many objects: BENCH_OBJECTS plain objects cut from the eventcut
#    bench's 100 MB of enriched events, read whole to /dev/null by
#    s3cat -j 8 (and -j 1) on their prefix, by rclone cat on the same
#    prefix, and by a loop of "aws s3 cp s3://... -", one object each
#    (run once: it is slow).  The outputs are compared first.
# 2. Decoding: those 100 MB gzipped (gzip -6), a local file, decoded to
#    /dev/null by s3cat, gzip -dc and pigz -dc; MB/s of decoded output.
#    Then the same 100 MB as bzip2 (-9) and zstd (-3): s3cat against
#    bzip2 -dc and zstd -dc, the same libraries.
# 3. Memory: peak RSS of s3cat over 12 objects of 25 MB, -j 1 and -j 8,
#    and over one of them.
# Times are medians of BENCH_REPS runs (wall clock).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export LC_ALL=C
nobj=${BENCH_OBJECTS:-200}
reps=${BENCH_REPS:-5}
out=bench/out
PATH=$top/bin:$PATH
AWS=/usr/bin/aws
mkdir -p "$out"

for t in s3cat "$AWS" rclone gzip pigz bzip2 zstd node curl /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "s3cat.sh: no $t" >&2; exit 1; }
done

gen=$out/genevents
if [ ! -x "$gen" ] || [ bench/genevents.c -nt "$gen" ]; then
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra \
		-o "$gen" bench/genevents.c
fi
events=$out/events-100M.tsv
[ -s "$events" ] || "$gen" -s 1 100000000 tests/data/enriched-samples.tsv >"$events"
if ! [ "$events.gz" -nt "$events" ]; then
	gzip -6 -c "$events" >"$events.gz"
fi
if ! [ "$events.bz2" -nt "$events" ]; then
	bzip2 -9 -c "$events" >"$events.bz2"
fi
if ! [ "$events.zst" -nt "$events" ]; then
	zstd -q -3 -c "$events" >"$events.zst"
fi

srv=$out/s3cat-servers
rm -rf "$srv"
tests/servers/ctl start "$srv"
work=$(mktemp -d "${TMPDIR:-/tmp}/s3cat-bench.XXXXXX")
trap 'tests/servers/ctl stop "$srv"; rm -rf "$work" "$srv"' EXIT
# shellcheck disable=SC1091
. "$srv/env"

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER=''
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT
# plain http here; and rclone 1.60 cannot take a CA bundle from the env
unset AWS_CA_BUNDLE
# rclone, configured by its environment only
export RCLONE_CONFIG=$work/rclone.conf
: >"$RCLONE_CONFIG"
export RCLONE_CONFIG_LOCALS3_TYPE=s3 RCLONE_CONFIG_LOCALS3_PROVIDER=Other
export RCLONE_CONFIG_LOCALS3_ENDPOINT=$S3_ENDPOINT
export RCLONE_CONFIG_LOCALS3_ACCESS_KEY_ID=S3RVER
export RCLONE_CONFIG_LOCALS3_SECRET_ACCESS_KEY=S3RVER
export RCLONE_CONFIG_LOCALS3_REGION=us-east-1
export RCLONE_CONFIG_LOCALS3_FORCE_PATH_STYLE=true

# putdir DIR PREFIX: DIR's files as PREFIX/NAME, 16 PUTs at a time
putdir() {
	local f
	for f in "$1"/*; do
		printf 'upload-file = "%s"\nurl = "%s/bench/%s/%s"\noutput = "/dev/null"\n' \
			"$f" "$S3_ENDPOINT" "$2" "${f##*/}"
	done >"$work/put.cfg"
	curl -sf --no-progress-meter --parallel --parallel-max 16 -K "$work/put.cfg"
}

curl -sf -X PUT "$S3_ENDPOINT/bench" -o /dev/null
mkdir "$work/many" "$work/large"
(cd "$work/many" && split -d -a 5 -n "l/$nobj" "$top/$events" part-)
putdir "$work/many" many
(cd "$work/large" && split -d -a 2 -n l/4 "$top/$events" chunk- &&
	for i in 0 1 2; do for c in chunk-*; do cp "$c" "$i$c"; done; done &&
	rm chunk-*)
putdir "$work/large" large
curl -sf -X PUT --data-binary "@$events.gz" "$S3_ENDPOINT/bench/events.gz" \
	-o /dev/null
bytes=$(wc -c <"$events")
gzbytes=$(wc -c <"$events.gz")

# run1 CMD...: one run's wall seconds, output to /dev/null
run1() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null
	t1=$EPOCHREALTIME
	echo "$t1 $t0" | awk '{ printf "%.6f\n", $1 - $2 }'
}
# med N CMD...: the median of N runs
med() {
	local n=$1 i
	shift
	for ((i = 0; i < n; i++)); do
		run1 "$@"
	done | sort -g | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'
}
awsloop() {
	local u
	while read -r u; do
		"$AWS" --endpoint-url "$S3_ENDPOINT" s3 cp "$u" - || return 1
	done <"$work/urls"
}

# the tools must agree before their times mean anything
s3cat -l s3://bench/many/ >"$work/urls"
[ "$(wc -l <"$work/urls")" -eq "$nobj" ]
s3cat -j 8 s3://bench/many/ >"$work/a"
cmp "$events" "$work/a"
rclone cat locals3:bench/many/ >"$work/b"
cmp "$events" "$work/b"
s3cat "$events.gz" | cmp "$events" -
s3cat s3://bench/events.gz | cmp "$events" -
rm -f "$work/a" "$work/b"

echo "many objects: $nobj plain objects, $bytes bytes in all, on s3rver (127.0.0.1)"
t_j8=$(med "$reps" s3cat -j 8 s3://bench/many/)
t_j1=$(med "$reps" s3cat -j 1 s3://bench/many/)
t_rc=$(med "$reps" rclone cat locals3:bench/many/)
awsloop >"$work/c"
cmp "$events" "$work/c"
rm -f "$work/c"
t_aws=$(run1 awsloop)
awk -v n="$nobj" -v b="$bytes" -v j8="$t_j8" -v j1="$t_j1" -v rc="$t_rc" \
    -v aws="$t_aws" 'BEGIN {
	printf "%-34s %7.2f s %7.1f objects/s %6.1f MB/s\n", "s3cat -j 8", j8, n / j8, b / 1e6 / j8
	printf "%-34s %7.2f s %7.1f objects/s %6.1f MB/s\n", "s3cat -j 1", j1, n / j1, b / 1e6 / j1
	printf "%-34s %7.2f s %7.1f objects/s %6.1f MB/s\n", "rclone cat (prefix)", rc, n / rc, b / 1e6 / rc
	printf "%-34s %7.2f s %7.1f objects/s %6.1f MB/s\n", "aws s3 cp s3://... - (a loop)", aws, n / aws, b / 1e6 / aws
	printf "aws/s3cat -j 8 %.1fx   rclone/s3cat -j 8 %.1fx   (target: aws/s3cat >= 3)\n", aws / j8, rc / j8
}'

echo
echo "decoding: $gzbytes bytes of gzip (gzip -6) to $bytes bytes, a local file, to /dev/null"
t_s3=$(med "$reps" s3cat "$events.gz")
t_s3r=$(med "$reps" s3cat s3://bench/events.gz)
t_gz=$(med "$reps" gzip -dc "$events.gz")
t_pz=$(med "$reps" pigz -dc "$events.gz")
awk -v b="$bytes" -v s3="$t_s3" -v s3r="$t_s3r" -v gz="$t_gz" -v pz="$t_pz" 'BEGIN {
	printf "%-34s %7.3f s %7.1f MB/s\n", "s3cat FILE.gz", s3, b / 1e6 / s3
	printf "%-34s %7.3f s %7.1f MB/s\n", "s3cat s3://.../events.gz", s3r, b / 1e6 / s3r
	printf "%-34s %7.3f s %7.1f MB/s\n", "gzip -dc", gz, b / 1e6 / gz
	printf "%-34s %7.3f s %7.1f MB/s\n", "pigz -dc", pz, b / 1e6 / pz
	printf "gzip/s3cat %.1fx   pigz/s3cat %.1fx   (target: gzip/s3cat >= 2)\n", gz / s3, pz / s3
}'

echo
echo "decoding: the same $bytes bytes as bzip2 -9 ($(wc -c <"$events.bz2") bytes) and zstd -3 ($(wc -c <"$events.zst") bytes)"
s3cat "$events.bz2" | cmp "$events" -
s3cat "$events.zst" | cmp "$events" -
t_sb=$(med "$reps" s3cat "$events.bz2")
t_bz=$(med "$reps" bzip2 -dc "$events.bz2")
t_sz=$(med "$reps" s3cat "$events.zst")
t_zs=$(med "$reps" zstd -dcq "$events.zst")
awk -v b="$bytes" -v sb="$t_sb" -v bz="$t_bz" -v sz="$t_sz" -v zs="$t_zs" 'BEGIN {
	printf "%-34s %7.3f s %7.1f MB/s\n", "s3cat FILE.bz2", sb, b / 1e6 / sb
	printf "%-34s %7.3f s %7.1f MB/s\n", "bzip2 -dc", bz, b / 1e6 / bz
	printf "%-34s %7.3f s %7.1f MB/s\n", "s3cat FILE.zst", sz, b / 1e6 / sz
	printf "%-34s %7.3f s %7.1f MB/s\n", "zstd -dc", zs, b / 1e6 / zs
	printf "bzip2/s3cat %.2fx   zstd/s3cat %.2fx   (target: >= 0.9, the same libraries)\n", bz / sb, zs / sz
}'

echo
echo "memory: 12 objects of $((bytes / 4)) bytes, peak RSS"
for j in 1 8; do
	/usr/bin/time -f %M -o "$work/rss" s3cat -j "$j" s3://bench/large/ >/dev/null
	echo "s3cat -j $j, 12 objects: $(cat "$work/rss") KB"
done
/usr/bin/time -f %M -o "$work/rss" s3cat -j 8 s3://bench/large/0chunk-00 >/dev/null
echo "s3cat -j 8, 1 object:   $(cat "$work/rss") KB"
s3cat -l s3://bench/large/ | head -3 >"$work/three"
/usr/bin/time -f %M -o "$work/rss" s3cat -j 8 <"$work/three" >/dev/null
echo "s3cat -j 8, 3 objects:  $(cat "$work/rss") KB"
