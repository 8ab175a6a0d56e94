# SPDX-License-Identifier: MIT
# Loaded by every suite: bin/ first in PATH, the C locale, the assert
# libraries, and the local servers' endpoints (started by tests/run, or
# by the suite itself when it runs alone).
bats_require_minimum_version 1.7.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
DATA=$TOP/tests/data
PATH=$TOP/bin:$PATH
export LC_ALL=C TZ=UTC
# no stray credentials or config from the machine running the tests
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_REGION AWS_DEFAULT_REGION \
	AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_DYNAMODB \
	AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
	AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CA_BUNDLE
export AWS_CONFIG_FILE=/nonexistent/config
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials
export AWS_EC2_METADATA_DISABLED=true
# script(1) runs its command with $SHELL -c: a dash there (CI's /bin/sh,
# or no SHELL at all) dies of a terminal's ^C at once, where bash waits
# for the program that caught it and goes on
export SHELL=/bin/bash

# servers_up: in setup_file of a suite that needs S3 or DynamoDB
servers_up() {
	if [ -z "${S3_ENDPOINT:-}" ]; then
		"$TOP/tests/servers/ctl" start "$BATS_FILE_TMPDIR/servers" >&3
		# shellcheck disable=SC1091
		. "$BATS_FILE_TMPDIR/servers/env"
		export OWN_SERVERS=1
	fi
}

# servers_down: in teardown_file, after servers_up
servers_down() {
	if [ -n "${OWN_SERVERS:-}" ]; then
		"$TOP/tests/servers/ctl" stop "$BATS_FILE_TMPDIR/servers"
	fi
}

# line N FILE: line N of FILE
line() { sed -n "$1p" "$2"; }

# ev [N=VALUE ...]: the populator's own test event (131 fields), with
# field N (from 1, as cut counts) set to VALUE; N=DEL drops the field.
ev() {
	awk -F'\t' -v OFS='\t' -v sets="$*" 'NR == 1 {
		n = split(sets, kv, " ")
		for (i = 1; i <= n; i++) {
			eq = index(kv[i], "=")
			k = substr(kv[i], 1, eq - 1); v = substr(kv[i], eq + 1)
			gsub(/_/, " ", v)
			if (v == "DEL") { del[k] = 1 } else { $k = v }
		}
		out = ""; first = 1
		for (i = 1; i <= NF; i++) {
			if (i in del) continue
			out = first ? $i : out OFS $i; first = 0
		}
		print out
	}' "$DATA/enriched-samples.tsv"
}

# epoch "YYYY-MM-DD HH:MM:SS": what GNU date makes of it, in UTC
epoch() { date -u -d "$1" +%s; }

# proxy_up UPSTREAM_URL: starts our fault-injecting proxy in front of a
# server; sets PROXY (its URL).  proxy_down stops it; proxy_rules JSON
# sets its rules; proxy_stats prints its counters and request log.
proxy_up() {
	local port
	port=$(node "$TOP/tests/servers/freeport.js")
	# fd 3 closed: bats waits on it, and would wait on a stray proxy
	node "$TOP/tests/servers/faultproxy.js" "$port" "$1" \
		>"$BATS_TEST_TMPDIR/proxy.log" 2>&1 3>&- &
	PROXY_PID=$!
	PROXY=http://127.0.0.1:$port
	local i=0
	until curl -s -o /dev/null "$PROXY/__fault/stats"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || { cat "$BATS_TEST_TMPDIR/proxy.log" >&2; return 1; }
		sleep 0.05
	done
}
proxy_down() {
	[ -n "${PROXY_PID:-}" ] || return 0
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null || true
	PROXY_PID=
}
proxy_rules() { curl -sf -X PUT --data "$1" "$PROXY/__fault/rules" >/dev/null; }
proxy_stats() { curl -sf "$PROXY/__fault/stats"; }

# sink_up [ddbsink options]: starts our DynamoDB-like sink (build/ddbsink,
# from bench/ddbsink.c) on a free port; sets SINK (its URL).  sink_down
# stops it (its last counters stay in $BATS_TEST_TMPDIR/sink.out);
# sink_stats prints its counters, sink_items its items (sorted).
sink_up() {
	local out=$BATS_TEST_TMPDIR/sink.out i=0
	# fd 3 closed: bats waits on it, and would wait on a stray sink
	"$TOP/build/ddbsink" "$@" >"$out" 2>"$BATS_TEST_TMPDIR/sink.err" 3>&- &
	SINK_PID=$!
	until grep -q '^[0-9][0-9]*$' "$out" 2>/dev/null; do
		i=$((i + 1))
		if ! kill -0 "$SINK_PID" 2>/dev/null || [ "$i" -gt 100 ]; then
			cat "$BATS_TEST_TMPDIR/sink.err" >&2
			return 1
		fi
		sleep 0.05
	done
	SINK=http://127.0.0.1:$(head -n 1 "$out")
}
sink_down() {
	[ -n "${SINK_PID:-}" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null || true
	SINK_PID=
}
sink_stats() { curl -sf "$SINK/__sink/stats"; }
sink_items() { curl -sf "${SINK}/__sink/items${1:+?table=$1}" | sort; }

# The local servers' own API, through libcurl's SigV4 (the keys go in a
# curl config file, never on a command line).  s3rver's keys are fixed;
# dynalite takes any.
_curlrc() {
	local f=$BATS_TEST_TMPDIR/.curlrc-$1
	[ -e "$f" ] || printf 'user = "%s"\n' "$2" >"$f"
	echo "$f"
}
# s3api METHOD PATH [curl args...]: a signed request to S3_ENDPOINT
s3api() {
	local m=$1 p=$2
	shift 2
	curl -sS -K "$(_curlrc s3 S3RVER:S3RVER)" \
		--aws-sigv4 "aws:amz:us-east-1:s3" \
		-H "x-amz-content-sha256: UNSIGNED-PAYLOAD" -X "$m" "$@" \
		"$S3_ENDPOINT/$p"
}
# s3_mb BUCKET
s3_mb() { s3api PUT "$1" -f -o /dev/null; }
# s3_put BUCKET/KEY FILE (KEY URL-encoded by the caller where needed)
s3_put() { s3api PUT "$1" -f -o /dev/null --data-binary "@$2"; }
# s3_key KEY: KEY with each path segment URI-encoded (curl signs the
# path as given, and AWS's canonical form has "=" as %3D)
s3_key() { jq -rn --arg k "$1" '$k | split("/") | map(@uri) | join("/")'; }
# s3_put_dir DIR BUCKET/PREFIX: every file under DIR, at its relative path
s3_put_dir() {
	local f
	(cd "$1" && find . -type f | sort) | while read -r f; do
		s3_put "$2/$(s3_key "${f#./}")" "$1/$f"
	done
}
# ddb TARGET JSON: one DynamoDB call to DDB_ENDPOINT; prints the reply
ddb() {
	curl -sS -K "$(_curlrc ddb test:test)" \
		--aws-sigv4 "aws:amz:us-east-1:dynamodb" \
		-H 'Content-Type: application/x-amz-json-1.0' \
		-H "X-Amz-Target: DynamoDB_20120810.$1" --data "$2" \
		"$DDB_ENDPOINT/"
}
# ddb_scan TABLE: every item as a plain JSON line (S as string, N as
# number), sorted, every page
ddb_scan() {
	local start='' out
	while :; do
		out=$(ddb Scan "$(jq -cn --arg t "$1" --argjson s "${start:-null}" \
			'{TableName: $t} + (if $s then {ExclusiveStartKey: $s} else {} end)')")
		jq -c '.Items[] | map_values(if has("S") then .S elif has("N") then (.N | tonumber) else . end)' <<<"$out"
		start=$(jq -c '.LastEvaluatedKey // empty' <<<"$out")
		[ -n "$start" ] || break
	done | sort
}
# ddb_mk TABLE: the manifest's table (eventId HASH, fingerprint RANGE)
ddb_mk() {
	ddb CreateTable "$(jq -cn --arg t "$1" '{TableName: $t,
		AttributeDefinitions: [{AttributeName: "eventId", AttributeType: "S"},
			{AttributeName: "fingerprint", AttributeType: "S"}],
		KeySchema: [{AttributeName: "eventId", KeyType: "HASH"},
			{AttributeName: "fingerprint", KeyType: "RANGE"}],
		BillingMode: "PAY_PER_REQUEST"}')" >/dev/null
}

# hostile_up [hostile.js options]: starts our hostile server (see
# tests/servers/hostile.js) on free ports; sets HOSTILE (its URL),
# ELSEWHERE (the URL of the host its redirects point to) and HPROXY (its
# forward proxy).  hostile_down stops it; hostile_rules JSON sets its
# rules; hostile_log prints what it saw, one JSON object a line.
hostile_up() {
	local ready=$BATS_TEST_TMPDIR/hostile.ports i=0 scheme=http a
	rm -f "$ready"
	for a in "$@"; do [ "$a" = --tls-cert ] && scheme=https; done
	# fd 3 closed: bats waits on it, and would wait on a stray server
	node "$TOP/tests/servers/hostile.js" --ready "$ready" "$@" \
		>"$BATS_TEST_TMPDIR/hostile.out" 2>&1 3>&- &
	HOSTILE_PID=$!
	until [ -s "$ready" ]; do
		i=$((i + 1))
		if ! kill -0 "$HOSTILE_PID" 2>/dev/null || [ "$i" -gt 200 ]; then
			cat "$BATS_TEST_TMPDIR/hostile.out" >&2
			return 1
		fi
		sleep 0.05
	done
	HOSTILE=$scheme://127.0.0.1:$(jq .port "$ready")
	ELSEWHERE=http://127.0.0.1:$(jq .elsewhere "$ready")
	HPROXY=http://127.0.0.1:$(jq .proxy "$ready")
}
hostile_down() {
	[ -n "${HOSTILE_PID:-}" ] || return 0
	kill "$HOSTILE_PID" 2>/dev/null
	wait "$HOSTILE_PID" 2>/dev/null || true
	HOSTILE_PID=
}
hostile_rules() { curl -sf -X PUT --data "$1" "$ELSEWHERE/__hostile/rules" >/dev/null; }
hostile_log() { curl -sf "$ELSEWHERE/__hostile/log" | jq -c '.[]'; }

# rss CMD [ARG ...]: runs CMD under GNU time, with CMD's status; rss_kb
# then prints its peak RSS in kB (time puts a line on a failed status
# before it)
rss() { /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$@"; }
rss_kb() { tail -n 1 "$BATS_TEST_TMPDIR/rss"; }

# sanitized PROG: true when PROG is built with a sanitizer (its RSS then
# says nothing)
sanitized() {
	nm "$(command -v "$1")" 2>/dev/null | grep -q __asan_init ||
		ldd "$(command -v "$1")" 2>/dev/null | grep -q -e libasan -e libtsan
}
