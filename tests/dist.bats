#!/usr/bin/env bats
# make dist: the tarball runs on a machine without the build's libraries
# (EMR's Amazon Linux, a slim container).  Inside a private mount
# namespace, /dev/null is bound over the libraries the build linked, so
# the system's own copies cannot be found; the unpacked programs must
# still work, from an empty folder and a bare environment.

load helper

# what the build links and a target may lack; bash, coreutils, awk, sed
# and grep need none of them
HIDE="libcurl.so.4 libjansson.so.4 libexpat.so.1 libssl.so.3
libcrypto.so.3 libz.so.1 libjq.so.1 libonig.so.5 libnghttp2.so.14
libbz2.so.1.0 libzstd.so.1"

setup_file() {
	servers_up
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || return 0
	make -C "$TOP" -s dist >"$BATS_FILE_TMPDIR/dist.path"
}

teardown_file() {
	servers_down
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a private mount namespace"
	command -v unshare >/dev/null || skip "no unshare(1)"
	cd "$BATS_TEST_TMPDIR"
	mkdir unpacked
	tar -C unpacked -xzf "$(cat "$BATS_FILE_TMPDIR/dist.path")"
	D=$(echo "$PWD"/unpacked/manifest-populator-*)
}

# hidden CMD...: CMD with the build's libraries hidden and nothing in
# the environment but PATH, HOME and what ENV (a file of VAR=value
# lines) holds
hidden() {
	unshare --mount bash -c '
		for l in $HIDE; do
			for d in /usr/lib/x86_64-linux-gnu /usr/lib64; do
				[ -e "$d/$l" ] && mount --bind /dev/null "$d/$l"
			done
		done
		env=()
		[ -e ./ENV ] && mapfile -t env <./ENV
		exec env -i PATH=/usr/bin:/bin HOME=/nonexistent "${env[@]}" "$@"
	' hidden "$@"
}
export HIDE

@test "the build's own programs cannot run there: the hiding works" {
	run -127 hidden "$TOP/bin/s3cat" -h
	[[ $output == *"error while loading shared libraries"* ]]
}

@test "every program and jq runs from the tarball" {
	for p in s3cat s3put eventcut sincefilter dynaput; do
		run -0 hidden "$D/bin/$p" -h
		[[ ${lines[0]} == "usage: $p "* ]] || fail "$p: $output"
	done
	run -0 hidden "$D/bin/jq" -n '1 + 1'
	assert_output 2
	run -0 hidden "$D/bin/populate" -h
	[[ ${lines[0]} == "usage: populate "* ]]
	# s3cat's decoders came along
	printf 'bz\n' | bzip2 >a.bz2
	printf 'zs\n' | zstd -q >a.zst
	run -0 hidden "$D/bin/s3cat" a.bz2 a.zst
	assert_output "bz
zs"
}

@test "the pipeline from the tarball fills the table as the build's does" {
	"$TOP/tools/mkarchive" archive 3 10 >/dev/null
	T=dist-$$
	jq --arg t "$T" '.data.dynamodbTable = $t | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json" >cfg.json
	printf '%s\n' "AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT" >ENV
	run -0 --separate-stderr hidden "$D/bin/populate" archive cfg.json
	[[ $stderr == *"3 of 3 runs read"* ]] || fail "$stderr"
	got=$(ddb_scan "$T" | jq -Sc 'del(.ttl)' | sort)
	want=$(for r in archive/run=*; do
		for f in "$r"/part-*; do
			case $f in *.gz*) gzip -dc "$f" ;; *) cat "$f" ;; esac
		done | eventcut 2>/dev/null
	done | jq -sc 'reduce .[] as $i ({}; .[$i.eventId + " " + $i.fingerprint] //= $i) | .[] | del(.ttl)' | jq -Sc . | sort)
	diff <(echo "$got") <(echo "$want") || fail "the tables differ"
	[ -n "$got" ]
}

@test "populate -P 2 from the tarball on the demo's archive gives the table the build's populate writes" {
	"$TOP/tools/mkarchive" archive 4 60 >/dev/null
	B=dist-demo-$$
	s3_mb "$B"
	s3_put_dir archive "$B/enriched/archive"
	jq --arg t "$B" '.data.dynamodbTable = $t | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json" >cfg.json
	jq '.data.dynamodbTable += "-seq"' cfg.json >seq.json
	printf '%s\n' "AWS_ENDPOINT_URL_S3=$S3_ENDPOINT" "AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT" \
		AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
		AWS_EC2_METADATA_DISABLED=true >ENV
	run -0 --separate-stderr hidden "$D/bin/populate" -P 2 "s3://$B/enriched/archive/" cfg.json
	[[ $stderr == *"populate: 2 of 2 shards run; plan populate-logs/$B."*"/plan"* ]] || fail "$stderr"
	AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT \
		AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
		populate --log-path seq "s3://$B/enriched/archive/" seq.json 2>/dev/null
	got=$(ddb_scan "$B")
	[ "$(wc -l <<<"$got")" -gt 100 ]
	diff <(echo "$got") <(ddb_scan "$B-seq") || fail "the tables differ"
}
