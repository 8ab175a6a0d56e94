#!/usr/bin/env bats
# lib/aws/aws_conf and lib/aws/aws_creds through build/credprobe, with a fake HOME,
# credential_process scripts (tests/data/creds) and the container, IMDS,
# STS and SSO portal responders (tests/servers/container.js, imds.js,
# sts.js, sso.js) on 127.0.0.1.
# Every secret in the fixtures holds "s3kr1t": no output may.

load helper

setup_file() { servers_up; }
teardown_file() { servers_down; }

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

# sts [option ...]: the STS responder, AWS_ENDPOINT_URL_STS at it; sets
# STS (its URL)
sts() {
	serve sts "$@"
	STS=http://127.0.0.1:$PORT
	export AWS_ENDPOINT_URL_STS=$STS
}

# sso [option ...]: the SSO portal responder, AWS_ENDPOINT_URL_SSO at it;
# sets SSO (its URL)
sso() {
	serve sso "$@"
	SSO=http://127.0.0.1:$PORT
	export AWS_ENDPOINT_URL_SSO=$SSO
}

# the source key sts.js knows by default
BASEKEY='[base]
aws_access_key_id = AKIABASE
aws_secret_access_key = base/s3kr1tKEY+EXAMPLE'
ROLE=arn:aws:iam::123456789012:role/reader

# ssotoken KEY EXPIRES: the token aws sso login would have cached for
# KEY (a session name or a start URL), in sso-token; EXPIRES as date -d
ssotoken() {
	local f
	f=$HOME/.aws/sso/cache/$(printf %s "$1" | sha1sum | cut -c1-40).json
	mkdir -p "$HOME/.aws/sso/cache"
	printf 'aoa/s3kr1tSSOACCESS+%s\n' "$RANDOM" >sso-token
	jq -n --arg t "$(cat sso-token)" --arg u "$1" \
		--arg e "$(date -u -d "$2" +%Y-%m-%dT%H:%M:%SZ)" \
		'{startUrl: $u, region: "eu-west-1", accessToken: $t, expiresAt: $e,
		  clientId: "c", clientSecret: "s3kr1tCLIENT",
		  refreshToken: "s3kr1tREFRESH"}' >"$f"
}

# webtoken FILE N: a web identity token (a JWT's shape) into FILE
webtoken() { printf 'eyJhbGciOiJSUzI1NiJ9.eyJuIjoi%s.s3kr1tSIG\n' "$2" >"$1"; }

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


@test "assume role: a source profile's keys sign AssumeRole, as STS checks" {
	sts
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[profile r]\nrole_arn = %s\nsource_profile = base\nrole_session_name = nightly\nexternal_id = ext-s3kr1t\nduration_seconds = 900\n' \
		"$ROLE" >"$HOME/.aws/config"
	run -0 --separate-stderr probe -p r
	assert_line "source assume role"
	assert_line "akid ASIASTS000000001"
	assert_line "secret yes"
	assert_line "token yes"
	[ "$(field expires)" \> "$(date -u -d '+50 minutes' +%Y-%m-%dT%H:%M:%SZ)" ]
	assert_equal "$(cat sts.log)" "AssumeRole role=$ROLE session=nightly signer=AKIABASE sig=ok scope=us-east-1/sts token=none ext=set duration=900"
	assert_equal "$stderr" ""
	no_secret
}

@test "assume role: the default session name is botocore's" {
	sts
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\nregion = eu-central-1\n' \
		"$ROLE" >"$HOME/.aws/config"
	t=$(date +%s)
	run -0 probe
	assert_regex "$(cat sts.log)" "^AssumeRole role=$ROLE session=botocore-session-[0-9]{10} signer=AKIABASE sig=ok scope=eu-central-1/sts "
	n=$(sed 's/.*botocore-session-\([0-9]*\).*/\1/' sts.log)
	[ "$n" -ge "$t" ] && [ "$n" -le $((t + 5)) ]
}

@test "assume role: role -> role: the inner role's credentials sign the outer" {
	sts
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	cat >"$HOME/.aws/config" <<-EOF
	[profile outer]
	role_arn = arn:aws:iam::123456789012:role/outer
	source_profile = inner
	role_session_name = out
	[profile inner]
	role_arn = arn:aws:iam::123456789012:role/inner
	source_profile = base
	role_session_name = in
	EOF
	run -0 --separate-stderr probe -v -p outer
	assert_line "source assume role"
	assert_line "akid ASIASTS000000002"
	assert_line "request POST $STS/ AssumeRole RoleArn=arn:aws:iam::123456789012:role/inner RoleSessionName=in (signed for sts in us-east-1 by AKIABASE)"
	assert_line "request POST $STS/ AssumeRole RoleArn=arn:aws:iam::123456789012:role/outer RoleSessionName=out (signed for sts in us-east-1 by ASIASTS000000001)"
	assert_equal "$(cat sts.log)" "AssumeRole role=arn:aws:iam::123456789012:role/inner session=in signer=AKIABASE sig=ok scope=us-east-1/sts token=none ext=- duration=-
AssumeRole role=arn:aws:iam::123456789012:role/outer session=out signer=ASIASTS000000001 sig=ok scope=us-east-1/sts token=ok ext=- duration=-"
	no_secret
}

@test "assume role: credential_source Environment, with -p as with the CLI's --profile" {
	sts --key AKIAENVIRONMENT:env/s3kr1t
	printf '[profile r]\nrole_arn = %s\ncredential_source = Environment\n' "$ROLE" \
		>"$HOME/.aws/config"
	export AWS_ACCESS_KEY_ID=AKIAENVIRONMENT AWS_SECRET_ACCESS_KEY=env/s3kr1t
	run -0 --separate-stderr probe -p r
	assert_line "source assume role"
	assert_regex "$(cat sts.log)" "^AssumeRole role=$ROLE session=botocore-session-[0-9]+ signer=AKIAENVIRONMENT sig=ok "
	# without -p the environment's keys come first, as in the CLI
	AWS_PROFILE=r run -0 probe
	assert_line "source environment"
	[ "$(wc -l <sts.log)" -eq 1 ]
	no_secret
}

@test "assume role: credential_source Ec2InstanceMetadata; a refresh runs the whole step again" {
	imds
	sts --key ASIAIMDSEXAMPLE:imds/s3kr1tKEY+EXAMPLE0123456789abcdefghij --expires 4
	printf '[profile r]\nrole_arn = %s\ncredential_source = Ec2InstanceMetadata\n' "$ROLE" \
		>"$HOME/.aws/config"
	run -0 --separate-stderr probe -p r -L 2
	assert_line "source assume role"
	assert_line "akid ASIASTS000000001"
	assert_line --regexp "^reload 2 akid ASIASTS000000002 expires "
	# the source credentials were fetched again for the second AssumeRole
	assert_equal "$(grep -c 'PUT /latest/api/token' imds.log)" 2
	assert_equal "$(grep -c 'signer=ASIAIMDSEXAMPLE sig=ok scope=us-east-1/sts token=ok' sts.log)" 2
	no_secret
}

@test "assume role: STS's refusal is named, exit 3" {
	sts --role arn:aws:iam::123456789012:role/other
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[profile r]\nrole_arn = %s\nsource_profile = base\n' "$ROLE" >"$HOME/.aws/config"
	run -3 --separate-stderr probe -p r
	assert_equal "$stderr" "credprobe: profile r: assume role $ROLE: HTTP 403 AccessDenied: User: AKIABASE is not authorized to perform: sts:AssumeRole on resource: $ROLE"
	assert_output --partial "profile r"
	refute_line --partial "source"
	printf '[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = wrong/s3kr1t\n' \
		>"$HOME/.aws/credentials"
	run -3 --separate-stderr probe -p r
	assert_equal "$stderr" "credprobe: profile r: assume role $ROLE: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match (mismatch)"
	no_secret
}

@test "STS: a 5xx is tried 3 times; a passing blip is ridden out" {
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\n' "$ROLE" >"$HOME/.aws/config"
	sts --fail-first 2
	run -0 probe
	assert_line "source assume role"
	[ "$(wc -l <sts.log)" -eq 3 ]
	teardown
	PIDS=()
	rm sts.log
	sts --status 503
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: profile default: assume role $ROLE: HTTP 503 ServiceUnavailable: no"
	[ "$(wc -l <sts.log)" -eq 3 ]
}

@test "STS: nothing listening is exit 3, naming the endpoint's failure" {
	port=$(node "$TOP/tests/servers/freeport.js")
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\n' "$ROLE" >"$HOME/.aws/config"
	AWS_ENDPOINT_URL=http://127.0.0.1:$port run -3 --separate-stderr probe
	assert_regex "$stderr" "^credprobe: profile default: assume role $ROLE: Failed to connect to 127.0.0.1 port $port"
}

@test "STS: a signal ends the wait at once (the cancel hook)" {
	sts --hang
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\n' "$ROLE" >"$HOME/.aws/config"
	"$PROBE" >out 2>err &
	pid=$!
	for _ in $(seq 100); do
		[ -s sts.log ] && break
		sleep 0.05
	done
	t=$(ms)
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	t=$(($(ms) - t))
	[ "$rc" -eq 143 ] || fail "exit $rc: $(cat err)"
	[ "$t" -lt 1000 ] || fail "took $t ms"
	assert_equal "$(cat err)" "credprobe: profile default: assume role $ROLE: interrupted"
}

@test "STS: a signal ends s3cat's, s3put's and dynaput's wait for it at once, 143" {
	sts --hang
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\n' "$ROLE" >"$HOME/.aws/config"
	export AWS_ENDPOINT_URL_S3=http://127.0.0.1:9 AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9
	for cmd in "s3cat s3://b/k" "s3put s3://b/k" "dynaput -t t"; do
		: >sts.log
		# shellcheck disable=SC2086
		$cmd </dev/null >out 2>err &
		pid=$!
		for _ in $(seq 100); do
			[ -s sts.log ] && break
			sleep 0.05
		done
		[ -s sts.log ] || fail "$cmd: STS never asked: $(cat err)"
		t=$(ms)
		kill -TERM "$pid"
		rc=0
		wait "$pid" || rc=$?
		t=$(($(ms) - t))
		[ "$rc" -eq 143 ] || fail "$cmd: exit $rc: $(cat err)"
		[ "$t" -lt 1500 ] || fail "$cmd: took $t ms"
		grep -q "assume role $ROLE: interrupted" err || fail "$cmd: $(cat err)"
	done
}

@test "STS over https: TLS is verified, AWS_CA_BUNDLE is honoured" {
	mkdir tls
	openssl req -x509 -newkey rsa:2048 -nodes -keyout tls/key.pem \
		-out tls/cert.pem -days 1 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null
	serve sts --tls "$PWD/tls"
	export AWS_ENDPOINT_URL_STS=https://127.0.0.1:$PORT
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\n' "$ROLE" >"$HOME/.aws/config"
	run -3 --separate-stderr probe
	assert_regex "$stderr" "^credprobe: profile default: assume role $ROLE: SSL certificate problem: self.signed certificate"
	[ ! -e sts.log ]
	AWS_CA_BUNDLE=$PWD/tls/cert.pem run -0 probe
	assert_line "source assume role"
	assert_line "ca_bundle $PWD/tls/cert.pem"
}

@test "assume role: a loop of source profiles is named, nothing is asked" {
	sts
	cat >"$HOME/.aws/config" <<-EOF
	[profile a]
	role_arn = $ROLE
	source_profile = b
	[profile b]
	role_arn = $ROLE
	source_profile = a
	EOF
	run -2 --separate-stderr probe -p a
	assert_equal "$stderr" "credprobe: profile b: source_profile a makes a loop: a -> b -> a"
	[ ! -e sts.log ]
}

@test "assume role: mfa_serial is refused, nothing is asked" {
	sts
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[profile r]\nrole_arn = %s\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n' \
		"$ROLE" >"$HOME/.aws/config"
	run -2 --separate-stderr probe -p r </dev/null
	assert_equal "$stderr" "credprobe: profile r: mfa_serial is set, and a pipeline cannot prompt for an MFA code: use a role without MFA, or credential_process"
	[ ! -e sts.log ]
}

@test "sts_regional_endpoints: regional or legacy picks the host (a dry run)" {
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[default]\nrole_arn = %s\nsource_profile = base\nrole_session_name = s\n' \
		"$ROLE" >"$HOME/.aws/config"
	line="AssumeRole RoleArn=$ROLE RoleSessionName=s (signed for sts in"
	run -3 --separate-stderr probe -n -r eu-west-1
	assert_line "request POST https://sts.eu-west-1.amazonaws.com/ $line eu-west-1 by AKIABASE)"
	assert_equal "$stderr" "credprobe: profile default: assume role $ROLE: not sent (dry run)"
	AWS_STS_REGIONAL_ENDPOINTS=legacy run -3 probe -n -r eu-west-1
	assert_line "request POST https://sts.amazonaws.com/ $line us-east-1 by AKIABASE)"
	AWS_STS_REGIONAL_ENDPOINTS=legacy run -3 probe -n -r ap-east-1
	assert_line "request POST https://sts.ap-east-1.amazonaws.com/ $line ap-east-1 by AKIABASE)"
	# the default is regional, us-east-1 included
	run -3 probe -n
	assert_line "request POST https://sts.us-east-1.amazonaws.com/ $line us-east-1 by AKIABASE)"
	printf 'sts_regional_endpoints = legacy\n' >>"$HOME/.aws/config"
	run -3 probe -n
	assert_line "request POST https://sts.amazonaws.com/ $line us-east-1 by AKIABASE)"
	AWS_STS_REGIONAL_ENDPOINTS=regional run -3 probe -n
	assert_line "request POST https://sts.us-east-1.amazonaws.com/ $line us-east-1 by AKIABASE)"
	AWS_STS_REGIONAL_ENDPOINTS=global run -2 --separate-stderr probe -n
	assert_equal "$stderr" "credprobe: STS: AWS_STS_REGIONAL_ENDPOINTS 'global': not legacy or regional"
	no_secret
}

@test "web identity from the environment: unsigned, the token checked" {
	webtoken token 1
	webtoken other 2
	sts --web-token-file "$PWD/token" --web-token-file "$PWD/other"
	export AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/token AWS_ROLE_ARN=$ROLE \
		AWS_ROLE_SESSION_NAME=pod-1
	run -0 --separate-stderr probe -v
	assert_line "source web identity"
	assert_line "akid ASIASTS000000001"
	assert_line "token yes"
	assert_line "request POST $STS/ AssumeRoleWithWebIdentity RoleArn=$ROLE RoleSessionName=pod-1 (unsigned)"
	assert_equal "$(cat sts.log)" "AssumeRoleWithWebIdentity role=$ROLE session=pod-1 token=1 signed=no"
	webtoken token 3
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: web identity (AWS_WEB_IDENTITY_TOKEN_FILE) $ROLE: HTTP 400 InvalidIdentityToken: The web identity token is not valid"
	no_secret
}

@test "web identity from a profile: the token file is read again at each refresh" {
	webtoken token 1
	webtoken next 2
	sts --web-token-file "$PWD/token" --web-token-file "$PWD/next" --expires 4
	printf '[profile k8s]\nrole_arn = %s\nweb_identity_token_file = %s\nrole_session_name = job\n' \
		"$ROLE" "$PWD/token" >"$HOME/.aws/config"
	cp token first
	run -0 --separate-stderr probe -p k8s -L 2 -X "cp '$PWD/next' '$PWD/token'"
	assert_line "source web identity"
	assert_line "akid ASIASTS000000001"
	assert_line --regexp "^reload 2 akid ASIASTS000000002 expires "
	assert_equal "$(cat sts.log)" "AssumeRoleWithWebIdentity role=$ROLE session=job token=1 signed=no
AssumeRoleWithWebIdentity role=$ROLE session=job token=2 signed=no"
	no_secret
}

@test "SSO: the sso-session form, its token from aws sso login's cache" {
	ssotoken my-sso '+1 hour'
	sso --token-file "$PWD/sso-token"
	cat >"$HOME/.aws/config" <<-EOF
	[profile dev]
	sso_session = my-sso
	sso_account_id = 123456789012
	sso_role_name = ReadOnly
	[sso-session my-sso]
	sso_start_url = https://my-sso-portal.awsapps.com/start
	sso_region = eu-west-1
	sso_registration_scopes = sso:account:access
	EOF
	run -0 --separate-stderr probe -v -p dev
	assert_line "source SSO"
	assert_line "akid ASIASSOEXAMPLE"
	assert_line "token yes"
	assert_line "request GET $SSO/federation/credentials?role_name=ReadOnly&account_id=123456789012 (the SSO token in x-amz-sso_bearer_token)"
	assert_equal "$(cat sso.log)" "GET /federation/credentials role=ReadOnly account=123456789012 token=ok"
	[ "$(field expires)" \> "$(date -u -d '+50 minutes' +%Y-%m-%dT%H:%M:%SZ)" ]
	assert_equal "$stderr" ""
	no_secret
}

@test "SSO: the legacy form, the cache named by the start URL" {
	ssotoken https://my-sso-portal.awsapps.com/start '+1 hour'
	sso --token-file "$PWD/sso-token" --account 210987654321 --role Admin
	cat >"$HOME/.aws/config" <<-EOF
	[default]
	sso_start_url = https://my-sso-portal.awsapps.com/start
	sso_region = eu-west-1
	sso_account_id = 210987654321
	sso_role_name = Admin
	EOF
	run -0 --separate-stderr probe
	assert_line "source SSO"
	assert_equal "$(cat sso.log)" "GET /federation/credentials role=Admin account=210987654321 token=ok"
	no_secret
}

@test "SSO: the portal's own host by default (a dry run)" {
	ssotoken my-sso '+1 hour'
	printf '[default]\nsso_session = my-sso\nsso_account_id = 1\nsso_role_name = R\n[sso-session my-sso]\nsso_start_url = https://x/start\nsso_region = ap-southeast-2\n' \
		>"$HOME/.aws/config"
	run -3 --separate-stderr probe -n
	assert_line "request GET https://portal.sso.ap-southeast-2.amazonaws.com/federation/credentials?role_name=R&account_id=1 (the SSO token in x-amz-sso_bearer_token)"
	assert_equal "$stderr" "credprobe: profile default: SSO session my-sso: not sent (dry run)"
}

@test "SSO: an expired or missing token: run aws sso login, exit 3" {
	sso --token-file /dev/null
	cat >"$HOME/.aws/config" <<-EOF
	[profile dev]
	sso_session = my-sso
	sso_account_id = 123456789012
	sso_role_name = ReadOnly
	[sso-session my-sso]
	sso_start_url = https://my-sso-portal.awsapps.com/start
	sso_region = eu-west-1
	EOF
	run -3 --separate-stderr probe -p dev
	assert_equal "$stderr" "credprobe: profile dev: SSO session my-sso: no SSO token ($HOME/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json): run aws sso login --profile dev"
	ssotoken my-sso '-1 minute'
	run -3 --separate-stderr probe -p dev
	assert_equal "$stderr" "credprobe: profile dev: SSO session my-sso: the SSO token has expired: run aws sso login --profile dev"
	[ ! -e sso.log ]
	# a token the portal no longer takes is expired too
	ssotoken my-sso '+1 hour'
	run -3 --separate-stderr probe -p dev
	assert_equal "$stderr" "credprobe: profile dev: SSO session my-sso: the SSO token has expired: run aws sso login --profile dev"
	assert_equal "$(cat sso.log)" "GET /federation/credentials role=ReadOnly account=123456789012 token=bad"
	no_secret
}

@test "SSO: the portal's refusal is named" {
	ssotoken my-sso '+1 hour'
	sso --token-file "$PWD/sso-token" --role Other
	printf '[default]\nsso_session = my-sso\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n[sso-session my-sso]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n' \
		>"$HOME/.aws/config"
	run -3 --separate-stderr probe
	assert_equal "$stderr" "credprobe: profile default: SSO session my-sso: HTTP 403: No access"
	no_secret
}

@test "order: environment, assume role, web identity, SSO, the files" {
	webtoken token 1
	sts --web-token-file "$PWD/token"
	ssotoken my-sso '+1 hour'
	sso --token-file "$PWD/sso-token"
	printf '%s\n[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f/s3kr1t\n' \
		"$BASEKEY" >"$HOME/.aws/credentials"
	cat >"$HOME/.aws/config" <<-EOF
	[default]
	role_arn = $ROLE
	source_profile = base
	sso_session = my-sso
	sso_account_id = 123456789012
	sso_role_name = ReadOnly
	[sso-session my-sso]
	sso_start_url = https://x/start
	sso_region = eu-west-1
	EOF
	export AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/token AWS_ROLE_ARN=$ROLE
	AWS_ACCESS_KEY_ID=AKIAENV AWS_SECRET_ACCESS_KEY=e/s3kr1t run -0 probe
	assert_line "source environment"
	run -0 probe
	assert_line "source assume role"
	sed -i '/^role_arn\|^source_profile/d' "$HOME/.aws/config"
	run -0 probe
	assert_line "source web identity"
	unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN
	run -0 probe
	assert_line "source SSO"
	sed -i '/^sso_account_id\|^sso_role_name/d' "$HOME/.aws/config"
	run -0 probe
	assert_line "source credentials file"
	no_secret
}

@test "s3cat and dynaput get a role's credentials, and change nothing for it" {
	# s3rver knows only its own key: STS hands that out
	sts --issue S3RVER:S3RVER
	printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
	printf '[profile r]\nrole_arn = %s\nsource_profile = base\nrole_session_name = etl\n' \
		"$ROLE" >"$HOME/.aws/config"
	b=creds-role-$RANDOM
	curl -sf -X PUT "$S3_ENDPOINT/$b" -o /dev/null
	printf 'one\ntwo\n' | curl -sf -X PUT --data-binary @- "$S3_ENDPOINT/$b/k" -o /dev/null
	AWS_ENDPOINT_URL_S3=$S3_ENDPOINT run -0 --separate-stderr s3cat -p r "s3://$b/k"
	assert_output "one
two"
	t=creds-role-$RANDOM
	printf '{"eventId":"e","fingerprint":"f","etlTime":1}\n' >item
	AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT run -0 --separate-stderr \
		dynaput -p r -r us-east-1 -t "$t" --create item
	assert_equal "$(grep -c "^AssumeRole role=$ROLE session=etl signer=AKIABASE sig=ok" sts.log)" 2
	no_secret
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
		unset AWS_CONTAINER_CREDENTIALS_FULL_URI
		printf '%s\n' "$BASEKEY" >"$HOME/.aws/credentials"
		printf '[default]\nrole_arn = %s\nsource_profile = base\nexternal_id = s3kr1t\n' \
			"$ROLE" >"$HOME/.aws/config"
		sts --status 500
		probe -v
		probe -n
		webtoken token 1
		AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/token AWS_ROLE_ARN=$ROLE probe -v
		AWS_WEB_IDENTITY_TOKEN_FILE=$PWD/token AWS_ROLE_ARN=$ROLE probe -n
		ssotoken my-sso '+1 hour'
		sso --token-file /dev/null
		printf '[default]\nsso_session = my-sso\nsso_account_id = 1\nsso_role_name = R\n[sso-session my-sso]\nsso_start_url = https://x/start\nsso_region = eu-west-1\n' \
			>"$HOME/.aws/config"
		probe -v
		probe -n
	} >all 2>&1 || true
	[ "$(wc -l <all)" -gt 20 ]
	[ -s sts.log ] && [ -s sso.log ]
	run grep -c s3kr1t sts.log sso.log
	assert_output "sts.log:0
sso.log:0"
	run grep -c s3kr1t all
	assert_output 0
}
