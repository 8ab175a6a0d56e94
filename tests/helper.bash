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
	node "$TOP/tests/servers/faultproxy.js" "$port" "$1" \
		>"$BATS_TEST_TMPDIR/proxy.log" 2>&1 &
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
