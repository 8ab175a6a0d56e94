#!/usr/bin/env bats
# lib/aws/aws_conf and lib/aws/aws_creds through build/credprobe, with a fake HOME,
# credential_process scripts (tests/data/creds) and the container and
# IMDS responders (tests/servers/container.js, imds.js) on 127.0.0.1.
# Every secret in the fixtures holds "s3kr1t": no output may.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	PROBE=$TOP/build/credprobe
	[ -x "$PROBE" ] || fail "build/credprobe is missing: run make unit"
	CR=$DATA/creds
	# nothing from the machine, and the files come from the fake HOME
	# shellcheck disable=SC2046
	unset $(compgen -e | grep '^AWS_')
	export AWS_EC2_METADATA_DISABLED=true
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/.aws"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}

# serve NAME [option ...]: tests/servers/NAME.js on a free port of
# 127.0.0.1 (it picks one and writes it down); sets PORT.  Its log is
# NAME.log here.
serve() {
	local name=$1 ready=$BATS_TEST_TMPDIR/$1.port
	shift
	rm -f "$ready"
	node "$TOP/tests/servers/$name.js" --ready "$ready" \
		--log "$BATS_TEST_TMPDIR/$name.log" "$@" 3>&- &
	PIDS+=($!)
	for _ in $(seq 100); do
		[ -s "$ready" ] && break
		kill -0 "$!" 2>/dev/null || fail "$name.js exited at start"
		sleep 0.05
	done
	PORT=$(cat "$ready")
}

# imds [option ...]: the IMDS responder, and IMDS on and pointed at it
imds() {
	serve imds "$@"
	export AWS_EC2_METADATA_DISABLED=false
	export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$PORT
}

# container [option ...]: the container responder, FULL_URI at it
container() {
	serve container "$@"
	export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$PORT/v2/credentials/task
}

probe() { "$PROBE" "$@"; }

# no_secret: nothing that run captured holds a secret
no_secret() {
	if [[ "$output$stderr" == *s3kr1t* ]]; then
		fail "a secret in the output: $output $stderr"
	fi
}

# field NAME: the value credprobe printed for NAME
field() { printf '%s\n' "$output" | sed -n "s/^$1 //p"; }

# ms: milliseconds since the epoch
ms() { echo $(($(date +%s%N) / 1000000)); }

keys() {
	printf '[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
		"$1" "$2" "$3"
}

@test "no credentials anywhere: exit 3, saying what was tried" {
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: no credentials: tried environment, shared files (profile default), container, EC2 instance metadata (disabled by AWS_EC2_METADATA_DISABLED)"
	assert_line "region us-east-1"
	assert_line "endpoint https://s3.us-east-1.amazonaws.com (default)"
}

@test "~/.aws/credentials [default] under a fake HOME" {
	keys default AKIAHOMEDEFAULT home/s3kr1t >"$HOME/.aws/credentials"
	run -0 --separate-stderr probe
	assert_line "profile default"
	assert_line "source credentials file"
	assert_line "akid AKIAHOMEDEFAULT"
	assert_line "secret yes"
	assert_line "token no"
	assert_line "expires never"
	assert_equal "$stderr" ""
	no_secret
}

@test "[profile x] in config and [x] in credentials; AWS_PROFILE selects" {
	cat >"$HOME/.aws/config" <<-EOF
	[default]
	region = eu-west-1
	[profile dev]
	region = us-west-2
	[profile ops]
	region = ap-southeast-2
	aws_access_key_id = AKIAOPSCONFIG
	aws_secret_access_key = ops/s3kr1t
	EOF
	{ keys default AKIADEFAULT d/s3kr1t; keys dev AKIADEV dev/s3kr1t; } \
		>"$HOME/.aws/credentials"
	run -0 probe
	assert_line "akid AKIADEFAULT"
	assert_line "region eu-west-1"
	AWS_PROFILE=dev run -0 probe
	assert_line "profile dev"
	assert_line "akid AKIADEV"
	assert_line "region us-west-2"
	AWS_PROFILE=ops run -0 probe
	assert_line "source config file"
	assert_line "akid AKIAOPSCONFIG"
	assert_line "region ap-southeast-2"
	no_secret
}

@test "-p beats AWS_PROFILE" {
	{ keys dev AKIADEV dev/s3kr1t; keys ops AKIAOPS ops/s3kr1t; } \
		>"$HOME/.aws/credentials"
	AWS_PROFILE=ops run -0 probe -p dev
	assert_line "profile dev"
	assert_line "akid AKIADEV"
	AWS_PROFILE=ops run -0 probe
	assert_line "akid AKIAOPS"
}

@test "a named profile that exists in neither file: exit 2 naming it" {
	keys default AKIADEFAULT d/s3kr1t >"$HOME/.aws/credentials"
	printf '[dev]\nregion = us-west-2\n' >"$HOME/.aws/config"
	run -2 --separate-stderr probe -p nope
	assert_equal "$stderr" "credprobe: profile nope: not found in $HOME/.aws/config or $HOME/.aws/credentials"
	assert_output ""
	AWS_PROFILE=dev run -2 --separate-stderr probe
	assert_equal "$stderr" "credprobe: profile dev: not found in $HOME/.aws/config or $HOME/.aws/credentials (the config file names it [profile dev], not [dev])"
}

@test "AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE override HOME" {
	keys default AKIAHOME h/s3kr1t >"$HOME/.aws/credentials"
	keys default AKIAELSEWHERE e/s3kr1t >elsewhere-creds
	printf '[default]\nregion = eu-north-1\n' >elsewhere-config
	AWS_SHARED_CREDENTIALS_FILE=$PWD/elsewhere-creds \
		AWS_CONFIG_FILE=$PWD/elsewhere-config run -0 probe
	assert_line "akid AKIAELSEWHERE"
	assert_line "region eu-north-1"
}

@test "a config file that cannot be read is an error naming it" {
	mkdir "$HOME/.aws/config"
	run -2 --separate-stderr probe
	assert_equal "$stderr" "credprobe: config file $HOME/.aws/config: Is a directory"
	rmdir "$HOME/.aws/config"
	keys default AKIA x/s3kr1t >"$HOME/.aws/credentials"
	chmod 000 "$HOME/.aws/credentials"
	if [ "$(id -u)" -ne 0 ]; then
		run -2 --separate-stderr probe
		assert_equal "$stderr" "credprobe: credentials file $HOME/.aws/credentials: Permission denied"
	fi
}

@test "a malformed file: the file and the line, and no secret" {
	printf '[default]\naws_secret_access_key = x/s3kr1t\nthis line is wrong\n' \
		>"$HOME/.aws/credentials"
	run -2 --separate-stderr probe
	assert_equal "$stderr" "credprobe: credentials file $HOME/.aws/credentials:3: expected 'key = value'"
	no_secret
}

@test "region: -r, AWS_REGION, AWS_DEFAULT_REGION, the profile, us-east-1" {
	printf '[default]\nregion = eu-west-1\n' >"$HOME/.aws/config"
	AWS_REGION=eu-west-2 AWS_DEFAULT_REGION=eu-west-3 \
		run -0 probe -C -r ap-east-1
	assert_line "region ap-east-1"
	AWS_REGION=eu-west-2 AWS_DEFAULT_REGION=eu-west-3 run -0 probe -C
	assert_line "region eu-west-2"
	AWS_DEFAULT_REGION=eu-west-3 run -0 probe -C
	assert_line "region eu-west-3"
	run -0 probe -C
	assert_line "region eu-west-1"
	rm "$HOME/.aws/config"
	run -0 probe -C
	assert_line "region us-east-1"
	run -2 --separate-stderr probe -C -r 'eu west 1'
	assert_equal "$stderr" "credprobe: region 'eu west 1': not a region name"
}

@test "endpoint: -e, AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, services, profile" {
	cat >"$HOME/.aws/config" <<-EOF
	[default]
	endpoint_url = http://profile.test:1
	services = local
	[services local]
	dynamodb =
	  endpoint_url = http://svc-ddb.test:2
	EOF
	export AWS_ENDPOINT_URL_S3=http://env-s3.test:3
	export AWS_ENDPOINT_URL_DYNAMODB=http://env-ddb.test:4
	export AWS_ENDPOINT_URL=http://env.test:5
	run -0 probe -C -e http://flag.test:6
	assert_line "endpoint http://flag.test:6 (custom)"
	run -0 probe -C
	assert_line "endpoint http://env-s3.test:3 (custom)"
	run -0 probe -C -s dynamodb
	assert_line "endpoint http://env-ddb.test:4 (custom)"
	unset AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_DYNAMODB
	run -0 probe -C -s dynamodb
	assert_line "endpoint http://env.test:5 (custom)"
	unset AWS_ENDPOINT_URL
	run -0 probe -C -s dynamodb
	assert_line "endpoint http://svc-ddb.test:2 (custom)"
	run -0 probe -C -s s3
	assert_line "endpoint http://profile.test:1 (custom)"
	AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true run -0 probe -C -s dynamodb
	assert_line "endpoint https://dynamodb.us-east-1.amazonaws.com (default)"
	AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true run -0 probe -C -e http://flag.test:6
	assert_line "endpoint http://flag.test:6 (custom)"
}

@test "endpoint: AWS's own by default, .com.cn in China, the normal form" {
	run -0 probe -C -r eu-central-1
	assert_line "endpoint https://s3.eu-central-1.amazonaws.com (default)"
	run -0 probe -C -s dynamodb -r cn-north-1
	assert_line "endpoint https://dynamodb.cn-north-1.amazonaws.com.cn (default)"
	AWS_ENDPOINT_URL=HTTP://127.0.0.1:80/ run -0 probe -C
	assert_line "endpoint http://127.0.0.1 (custom)"
}

@test "endpoint: a URL that is not http(s)://host[:port] is refused" {
	AWS_ENDPOINT_URL_S3=s3.example.com run -2 --separate-stderr probe -C
	assert_equal "$stderr" "credprobe: endpoint URL 's3.example.com' (from AWS_ENDPOINT_URL_S3): the scheme must be http:// or https://"
	run -2 --separate-stderr probe -C -e 'http://h:9000/bucket'
	assert_equal "$stderr" "credprobe: endpoint URL 'http://h:9000/bucket' (from the command line): a path is not supported"
	run -2 --separate-stderr probe -C -e 'http://h:9000?x'
	assert_equal "$stderr" "credprobe: endpoint URL 'http://h:9000?x' (from the command line): a query or fragment is not allowed"
	run -2 --separate-stderr probe -C -e 'http://h:99999'
	assert_equal "$stderr" "credprobe: endpoint URL 'http://h:99999' (from the command line): the port must be a number 1 to 65535"
}

@test "CA bundle: -c, AWS_CA_BUNDLE, the profile, the system store" {
	touch flag.pem env.pem profile.pem
	printf '[default]\nca_bundle = %s\n' "$PWD/profile.pem" >"$HOME/.aws/config"
	AWS_CA_BUNDLE=$PWD/env.pem run -0 probe -C -c "$PWD/flag.pem"
	assert_line "ca_bundle $PWD/flag.pem"
	AWS_CA_BUNDLE=$PWD/env.pem run -0 probe -C
	assert_line "ca_bundle $PWD/env.pem"
	run -0 probe -C
	assert_line "ca_bundle $PWD/profile.pem"
	rm "$HOME/.aws/config"
	run -0 probe -C
	# the first system bundle found where distributions keep one, else
	# libcurl's own
	assert_line --regexp '^ca_bundle (system|/etc/(ssl|pki)/.*)$'
	if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
		assert_line "ca_bundle /etc/ssl/certs/ca-certificates.crt"
	fi
	AWS_CA_BUNDLE=$PWD/missing.pem run -2 --separate-stderr probe -C
	assert_equal "$stderr" "credprobe: CA bundle $PWD/missing.pem (from AWS_CA_BUNDLE): No such file or directory"
}

@test "environment: a pair, a token, and it beats the files" {
	keys default AKIAFILE f/s3kr1t >"$HOME/.aws/credentials"
	export AWS_ACCESS_KEY_ID=ASIAENVIRONMENT
	export AWS_SECRET_ACCESS_KEY=env/s3kr1t
	export AWS_SESSION_TOKEN=envTok/s3kr1t
	run -0 --separate-stderr probe
	assert_line "source environment"
	assert_line "akid ASIAENVIRONMENT"
	assert_line "secret yes"
	assert_line "token yes"
	no_secret
}

@test "environment: one of the pair without the other names the missing one" {
	AWS_ACCESS_KEY_ID=AKIAENV run -2 --separate-stderr probe
	assert_equal "$stderr" "credprobe: environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
	AWS_SECRET_ACCESS_KEY=env/s3kr1t run -2 --separate-stderr probe
	assert_equal "$stderr" "credprobe: environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
	no_secret
}

@test "credential_process: temporary credentials, and when they go stale" {
	printf '[profile p]\ncredential_process = %s/good.sh\n' "$CR" >"$HOME/.aws/config"
	run -0 --separate-stderr probe -p p
	assert_line "source credential_process"
	assert_line "akid ASIAPROCESSEXAMPLE"
	assert_line "token yes"
	assert_line "expires 2030-01-01T00:00:00Z"
	assert_line "stale no"
	no_secret
	# an hour's credentials go stale 10 minutes before they expire
	soon=$(date -u -d '+60 minutes' +%Y-%m-%dT%H:%M:%SZ)
	printf '[profile p]\ncredential_process = %s/expiresat.sh %s\n' "$CR" "$soon" \
		>"$HOME/.aws/config"
	run -0 probe -p p -S 2940
	assert_line "expires $soon"
	assert_line "stale no"
	assert_line "stale in 2940 s no"
	run -0 probe -p p -S 3010
	assert_line "stale in 3010 s yes"
	# 4-minute ones at half their life
	soon=$(date -u -d '+240 seconds' +%Y-%m-%dT%H:%M:%SZ)
	printf '[profile p]\ncredential_process = %s/expiresat.sh %s\n' "$CR" "$soon" \
		>"$HOME/.aws/config"
	run -0 probe -p p -S 100
	assert_line "stale in 100 s no"
	run -0 probe -p p -S 125
	assert_line "stale in 125 s yes"
}

@test "credential_process: its stderr passes through; exit 1 is named" {
	printf '[default]\ncredential_process = %s/exit1.sh\n' "$CR" >"$HOME/.aws/config"
	run -2 --separate-stderr probe
	assert_equal "$stderr" "exit1.sh: the vault is sealed
credprobe: credential_process: exited 1"
}

@test "credential_process: bad JSON, Version 2, expired, no secret" {
	for s in badjson:"the answer is not JSON (line 1, column 122)" \
		version2:"Version 2 is not supported (only 1)" \
		expired:"the credentials expired at 2020-01-01T00:00:00Z" \
		nosecret:"SecretAccessKey is missing"; do
		printf '[default]\ncredential_process = %s/%s.sh\n' "$CR" "${s%%:*}" \
			>"$HOME/.aws/config"
		run -2 --separate-stderr probe
		assert_equal "$stderr" "credprobe: credential_process: ${s#*:}"
		no_secret
	done
}

@test "credential_process: never reads the caller's stdin" {
	printf '[default]\ncredential_process = %s/stdin.sh\n' "$CR" >"$HOME/.aws/config"
	run -0 bash -c 'printf "s3://b/k\n" | "$0"' "$PROBE"
	assert_line "akid AKIAPROCESSLONGTERM"
}

@test "the profile's sources the CLI has and we do not are refused clearly" {
	printf '[profile r]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\n' \
		>"$HOME/.aws/config"
	keys default AKIADEFAULT d/s3kr1t >"$HOME/.aws/credentials"
	run -2 --separate-stderr probe -p r
	assert_equal "$stderr" "credprobe: profile r: role_arn (assume role) is not supported; a profile with credential_process = aws configure export-credentials --profile r --format process can stand in for it"
}

@test "container: credentials from AWS_CONTAINER_CREDENTIALS_FULL_URI" {
	container
	run -0 --separate-stderr probe
	assert_line "source container"
	assert_line "akid ASIACONTAINEREXAMPLE"
	assert_line "token yes"
	assert_line "stale no"
	[ "$(field expires)" \> "$(date -u -d '+5 hours' +%Y-%m-%dT%H:%M:%SZ)" ]
	assert_equal "$(cat container.log)" "GET /v2/credentials/task auth=none"
	no_secret
}

@test "container: the Authorization header, from the variable or the file" {
	container --auth "Bearer tok/s3kr1t"
	AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer tok/s3kr1t" run -0 --separate-stderr probe
	assert_line "source container"
	printf 'Bearer tok/s3kr1t\n' >token
	# the file wins over the variable, and its final newline is dropped
	AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$PWD/token \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong run -0 --separate-stderr probe
	assert_line "source container"
	AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer other/s3kr1t" run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: container credentials: http://127.0.0.1:$PORT/v2/credentials/task: HTTP 401"
	no_secret
	assert_equal "$(cut -d' ' -f3 container.log | tr '\n' ' ')" "auth=ok auth=ok auth=bad "
}

@test "container: HTTP 500 is tried 3 times; a passing blip is ridden out" {
	container --status 500
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: container credentials: http://127.0.0.1:$PORT/v2/credentials/task: HTTP 500"
	[ "$(wc -l <container.log)" -eq 3 ]
	teardown
	PIDS=()
	rm container.log
	container --fail-first 2
	run -0 probe
	assert_line "source container"
	[ "$(wc -l <container.log)" -eq 3 ]
}

@test "container: no answer times out in about 2 s" {
	container --body hang
	t=$(ms)
	run -3 --separate-stderr probe
	t=$(($(ms) - t))
	assert_regex "$stderr" "^credprobe: container credentials: http://127.0.0.1:$PORT/v2/credentials/task: Operation timed out after 20[0-9][0-9] milliseconds"
	[ "$t" -lt 4000 ] || fail "took $t ms"
	[ "$(wc -l <container.log)" -eq 1 ]
}

@test "container: bad JSON and missing keys are named, the secret is not" {
	container --body badjson
	run -3 --separate-stderr probe
	assert_regex "$stderr" "^credprobe: container credentials: http://127.0.0.1:$PORT/v2/credentials/task: the answer is not JSON \(line 1, column [0-9]+\)$"
	no_secret
	teardown
	PIDS=()
	container --body nosecret
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: container credentials: http://127.0.0.1:$PORT/v2/credentials/task: SecretAccessKey is missing"
	teardown
	PIDS=()
	container --body expired
	run -3 --separate-stderr probe
	assert_regex "$stderr" ": the credentials expired at [0-9T:-]+Z$"
}

@test "container: http only to loopback and the agents' addresses" {
	AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds run -2 --separate-stderr probe
	assert_equal "$stderr" "credprobe: container credentials: http://192.0.2.1/creds: http is allowed only to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23; use https"
	serve container
	AWS_CONTAINER_CREDENTIALS_FULL_URI=http://localhost:$PORT/creds run -0 probe
	assert_line "source container"
}

@test "order: environment, files, credential_process, container, IMDS" {
	imds
	container
	run -0 probe
	assert_line "source container"
	[ ! -e imds.log ]
	printf '[default]\ncredential_process = %s/longterm.sh\n' "$CR" >"$HOME/.aws/config"
	run -0 probe
	assert_line "source credential_process"
	keys default AKIAFILE f/s3kr1t >"$HOME/.aws/credentials"
	run -0 probe
	assert_line "source credentials file"
	AWS_ACCESS_KEY_ID=AKIAENV AWS_SECRET_ACCESS_KEY=e/s3kr1t run -0 probe
	assert_line "source environment"
	[ "$(wc -l <container.log)" -eq 1 ]
	[ ! -e imds.log ]
	unset AWS_CONTAINER_CREDENTIALS_FULL_URI
	rm "$HOME/.aws/config" "$HOME/.aws/credentials"
	run -0 probe
	assert_line "source EC2 instance metadata"
}

@test "IMDSv2: a token first, then the role and its keys with the token" {
	imds
	run -0 --separate-stderr probe
	assert_line "source EC2 instance metadata"
	assert_line "akid ASIAIMDSEXAMPLE"
	assert_line "token yes"
	assert_equal "$(cat imds.log)" "PUT /latest/api/token ttl=21600 token=none
GET /latest/meta-data/iam/security-credentials/ ttl=- token=ok
GET /latest/meta-data/iam/security-credentials/test-role ttl=- token=ok"
	no_secret
}

@test "IMDSv1 where the CLI falls back: the token refused with 403, 404, 405" {
	for s in 403 404 405; do
		imds --token $s
		run -0 probe
		assert_line "source EC2 instance metadata"
		assert_equal "$(grep -c 'GET .* token=none' imds.log)" 2
		teardown
		PIDS=()
		rm imds.log
	done
}

@test "no IMDSv1 with AWS_EC2_METADATA_V1_DISABLED=true" {
	imds --token 403
	AWS_EC2_METADATA_V1_DISABLED=true run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: EC2 instance metadata: http://127.0.0.1:$PORT/latest/api/token: HTTP 403, and IMDSv1 is disabled"
	[ "$(wc -l <imds.log)" -eq 1 ]
}

@test "IMDS: a 400 on the token is an error, not a fallback" {
	imds --token 400
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: EC2 instance metadata: http://127.0.0.1:$PORT/latest/api/token: HTTP 400"
	[ "$(wc -l <imds.log)" -eq 1 ]
}

@test "IMDS: a token it then refuses is an error" {
	imds --reject-token
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: EC2 instance metadata: http://127.0.0.1:$PORT/latest/meta-data/iam/security-credentials/: HTTP 401"
	no_secret
}

@test "IMDS: IMDSv2 required and the token refused: no credentials" {
	imds --token 403 --v1 deny
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: no credentials: tried environment, shared files (profile default), container, EC2 instance metadata (http://127.0.0.1:$PORT: token: HTTP 403; IMDSv1: answered HTTP 401)"
}

@test "IMDS: no role on the instance is no credentials" {
	imds --role 404
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: no credentials: tried environment, shared files (profile default), container, EC2 instance metadata (no IAM role at http://127.0.0.1:$PORT/latest/meta-data/iam/security-credentials/)"
}

@test "IMDS: the keys' errors are named, never their secret" {
	imds --creds 500
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: EC2 instance metadata: http://127.0.0.1:$PORT/latest/meta-data/iam/security-credentials/test-role: HTTP 500"
	for c in badjson nosecret expired failed; do
		teardown
		PIDS=()
		imds --creds $c
		run -3 --separate-stderr probe
		assert_regex "$stderr" "^credprobe: EC2 instance metadata: http://127.0.0.1:$PORT/latest/meta-data/iam/security-credentials/test-role: (the answer is not JSON|SecretAccessKey is missing|the credentials expired|Code is 'AssumeRoleUnauthorizedAccess', not Success)"
		no_secret
	done
}

@test "IMDS: a token request with no answer falls back to IMDSv1 after 2 s" {
	imds --token hang
	t=$(ms)
	run -0 probe
	t=$(($(ms) - t))
	assert_line "source EC2 instance metadata"
	[ "$t" -ge 1900 ] && [ "$t" -lt 4000 ] || fail "took $t ms"
	assert_equal "$(grep -c 'GET .* token=none' imds.log)" 2
}

@test "IMDS: AWS_METADATA_SERVICE_TIMEOUT shortens the wait" {
	imds --token hang
	t=$(ms)
	AWS_METADATA_SERVICE_TIMEOUT=0.25 run -0 probe
	t=$(($(ms) - t))
	assert_line "source EC2 instance metadata"
	[ "$t" -lt 1900 ] || fail "took $t ms"
}

@test "IMDS: nothing answering anything never hangs: no credentials in ~4 s" {
	imds --token hang --role hang
	t=$(ms)
	run -3 --separate-stderr probe
	t=$(($(ms) - t))
	assert_regex "$stderr" "\(http://127.0.0.1:$PORT: token: Operation timed out after 2[0-9]{3} milliseconds with 0 bytes received; IMDSv1: Operation timed out after 2[0-9]{3} milliseconds with 0 bytes received\)$"
	[ "$t" -lt 6000 ] || fail "took $t ms"
}

@test "IMDS: the keys with no answer time out" {
	imds --creds hang
	run -3 --separate-stderr probe
	assert_regex "$stderr" "test-role: Operation timed out after 2[0-9]{3} milliseconds"
}

@test "IMDS: nothing listening is no credentials, at once" {
	port=$(node "$TOP/tests/servers/freeport.js")
	t=$(ms)
	AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$port \
		run -3 --separate-stderr probe
	t=$(($(ms) - t))
	assert_regex "$stderr" "EC2 instance metadata \(http://127.0.0.1:$port: Failed to connect"
	[ "$t" -lt 1900 ] || fail "took $t ms"
}

@test "IMDS: AWS_EC2_METADATA_DISABLED=true never asks" {
	imds
	AWS_EC2_METADATA_DISABLED=true run -3 probe
	[ ! -e imds.log ]
}

@test "no secret in any output, whatever happened" {
	printf '[default]\ncredential_process = %s/badjson.sh\n' "$CR" >"$HOME/.aws/config"
	imds --creds badjson
	container --body badjson
	{
		for p in good badjson version2 expired nosecret exit1; do
			printf '[default]\ncredential_process = %s/%s.sh\n' "$CR" $p \
				>"$HOME/.aws/config"
			probe
		done
		rm "$HOME/.aws/config"
		probe
		AWS_CONTAINER_AUTHORIZATION_TOKEN=s3kr1t probe
		unset AWS_CONTAINER_CREDENTIALS_FULL_URI
		probe
		AWS_ACCESS_KEY_ID=AKIA AWS_SECRET_ACCESS_KEY='s3kr1t x' probe
		AWS_SECRET_ACCESS_KEY=s3kr1t probe
	} >all 2>&1 || true
	[ "$(wc -l <all)" -gt 10 ]
	run grep -c s3kr1t all
	assert_output 0
}
