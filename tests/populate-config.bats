#!/usr/bin/env bats
# populate: its arguments, and the storage and resolver configs it refuses.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	C=$DATA/configs
	mkdir -p archive
}

# mutate SRC JQ: a copy of config SRC changed by the jq filter, as cfg.json
mutate() { jq "$2" "$C/$1" >cfg.json; }

# refused SRC JQ MESSAGE: populate exits 2 naming the problem
refused() {
	mutate "$1" "$2"
	run -2 populate archive cfg.json
	assert_output --partial "populate: storage config cfg.json: "
	assert_output --partial "$3"
	refute_output --partial do-not-print
}

@test "a storage config that breaks its schema is refused with the reason" {
	refused dynamodb-1-0-0.json 'del(.data.purpose)' "data.purpose: is missing"
	refused dynamodb-1-0-0.json '.data.awsRegion = 5' "data.awsRegion: must be string, not number"
	refused dynamodb-1-0-0.json '.data.purpose = "EVENTS_MANIFEST"' 'data.purpose: must be "DUPLICATE_TRACKING", not "EVENTS_MANIFEST"'
	refused dynamodb-1-0-0.json '.data.extra = true' "data.extra: is not allowed"
	refused dynamodb-1-0-0.json '.data.id = "56799a26-980c-4148-8bd9-c021b988c669"' "data.id: is not allowed"
	refused dynamodb-1-0-0.json '.data = {}' "data.accessKeyId: is missing"
	refused dynamodb-1-0-0.json '.data.secretAccessKey = null' "data.secretAccessKey: must be string, not null"
	refused dynamodb-1-0-1.json '.data.id = "nope"' 'data.id: "nope" is not a UUID'
	refused dynamodb-2-0-0.json '.data.purpose = "DUPLICATE_TRACKING"' 'data.purpose: must be "EVENTS_MANIFEST"'
	refused dynamodb-2-0-0.json 'del(.data.auth.secretAccessKey)' "data.auth.secretAccessKey: is missing"
	refused dynamodb-2-0-0.json '.data.auth = "iam"' "data.auth: must be an object or null, not string"
	refused dynamodb-2-0-0.json 'del(.data.auth)' "data.auth: is missing"
	refused dynamodb-2-0-0.json 'del(.data.id)' "data.id: is missing"
	refused dynamodb-2-0-0.json '.data.accessKeyId = "x"' "data.accessKeyId: is not allowed"
}

@test "an unknown schema, or not a self-describing document, is refused" {
	refused dynamodb-1-0-0.json '.schema |= sub("1-0-0"; "3-0-0")' "version not supported (1-0-0, 1-0-1, 2-0-0)"
	refused dynamodb-1-0-0.json '.schema = "iglu:com.acme/amazon_dynamodb_config/jsonschema/1-0-0"' "is not iglu:com.snowplowanalytics.snowplow.storage/amazon_dynamodb_config/jsonschema/*"
	refused dynamodb-1-0-0.json '.data' "is not allowed"
	refused dynamodb-1-0-0.json 'del(.schema)' "schema: is missing"
	refused dynamodb-1-0-0.json '[.]' "must be a self-describing JSON object, not array"
}

@test "every problem is listed, one line each, and no secret" {
	mutate dynamodb-1-0-1.json '.data.purpose = "X" | .data.id = "y" | .data.z = 1 | .data.secretAccessKey = 3'
	run -2 populate archive cfg.json
	[ "${#lines[@]}" -eq 4 ]
	refute_output --partial do-not-print
}

@test "a config that is not JSON, or not there, is refused" {
	echo '{"schema":' >cfg.json
	run -2 populate archive cfg.json
	assert_output "populate: storage config cfg.json: not JSON: Unfinished JSON term at EOF at line 2, column 0"
	printf '{"schema": "x",\n "data": {,}}\n' >cfg.json
	run -2 populate archive cfg.json
	assert_output "populate: storage config cfg.json: not JSON: Expected value before ',' at line 2, column 11"
	run -2 populate archive nope.json
	assert_output "populate: storage config nope.json: no such file"
	mkdir dir.json
	run -2 populate archive dir.json
	assert_output "populate: storage config dir.json: is a directory, not a file"
}

@test "a resolver is checked against its schema version" {
	for v in 1-0-0 1-0-1 1-0-2 1-0-3; do
		run -0 jq -e . "$C/resolver-$v.json"
	done
	jq '.data.cacheTtl = 5' "$C/resolver-1-0-0.json" >res.json
	run -2 populate archive "$C/dynamodb-1-0-0.json" res.json
	assert_output "populate: resolver res.json: data.cacheTtl: is not allowed (no such field in the schema)"
	jq '.data.repositories[0].connection.http.apikey = "k"' "$C/resolver-1-0-0.json" >res.json
	run -2 populate archive "$C/dynamodb-1-0-0.json" res.json
	assert_output --partial "connection.http.apikey: is not allowed"
	jq '.data.cacheTtl = 0' "$C/resolver-1-0-2.json" >res.json
	run -2 populate archive "$C/dynamodb-1-0-0.json" res.json
	assert_output "populate: resolver res.json: data.cacheTtl: must be at least 1"
	jq 'del(.data.repositories)' "$C/resolver-1-0-3.json" >res.json
	run -2 populate archive "$C/dynamodb-1-0-0.json" res.json
	assert_output "populate: resolver res.json: data.repositories: is missing"
	jq '.data.repositories[1].connection.http = {"uri": "x:y"}' "$C/resolver-1-0-3.json" >res.json
	run -2 populate --resolver res.json archive "$C/dynamodb-1-0-0.json"
	assert_output --partial "data.repositories[1].connection: must have exactly one of embedded or http"
	jq '.schema |= sub("1-0-3"; "1-0-4")' "$C/resolver-1-0-3.json" >res.json
	run -2 populate archive "$C/dynamodb-1-0-0.json" res.json
	assert_output --partial "version not supported"
}

@test "usage: operands, options, bad values" {
	run -2 populate
	assert_line -n 0 "populate: missing enriched-archive"
	assert_line -n 1 --partial "usage: populate"
	run -2 populate archive
	assert_line -n 0 "populate: missing storage-config"
	run -2 populate a b c d
	assert_output --partial "d: too many operands"
	run -2 populate --bogus archive "$C/dynamodb-1-0-0.json"
	assert_output --partial "populate: --bogus: unknown option"
	run -2 populate --jar s3://x/y.jar archive "$C/dynamodb-1-0-0.json"
	assert_output --partial "EMR option"
	run -2 populate --ttl-from later archive "$C/dynamodb-1-0-0.json"
	assert_output "populate: --ttl-from: later: must be etl or now"
	run -2 populate --ttl-days -3 archive "$C/dynamodb-1-0-0.json"
	run -2 populate --since archive
	run -2 populate --log-path s3:// archive "$C/dynamodb-1-0-0.json"
	assert_output "populate: --log-path: s3://: no bucket"
	run -2 populate --plan p archive "$C/dynamodb-1-0-0.json"
	assert_line -n 0 "populate: --plan: with -P only (populate plan writes a plan of its own)"
	run -2 populate nowhere "$C/dynamodb-1-0-0.json"
	assert_output "populate: nowhere: no such folder"
	run -2 populate ftp://x/y "$C/dynamodb-1-0-0.json"
	run -0 populate -h
	assert_output --partial "usage: populate"
}

@test "--since takes real dates only, in sincefilter's forms" {
	for s in 2017-13-01 2017-02-30 17-01-01 2017-01-01-10 2017-01-01-25-00-00; do
		run -2 populate --since "$s" archive "$C/dynamodb-1-0-0.json"
		assert_output "populate: --since: $s: not a date (YYYY-MM-dd, YYYY-MM-dd-HH-mm-ss or ISO 8601)"
	done
	# the original's two forms and ISO 8601 pass (then: no run found)
	for s in 2017-01-01 2017-01-01-10-00-00 2017-01-01T10:00:00Z; do
		run -1 populate --since "$s" --dry-run archive "$C/dynamodb-1-0-0.json"
		assert_output "populate: no run folder (run=YYYY-MM-dd-HH-mm-ss) right below archive/ at or after $s: nothing to read"
	done
}

@test "options may be given as --opt=value and the operands as options" {
	run -2 populate --storage-config="$C/dynamodb-1-0-0.json" --enriched-archive=nowhere
	assert_output "populate: nowhere: no such folder"
}

@test "numbers out of range, an empty region or table, a log path that is a file: exit 2 before anything is made" {
	cp "$C/dynamodb-1-0-0.json" cfg.json
	while IFS=: read -r opt msg; do
		# shellcheck disable=SC2086	# OPTION VALUE
		run -2 populate $opt archive cfg.json
		assert_output "populate: $msg"
	done <<-'EOF'
	--s3-jobs 0:--s3-jobs: 0: not a number from 1 to 64
	--s3-jobs 65:--s3-jobs: 65: not a number from 1 to 64
	--ddb-jobs 0:--ddb-jobs: 0: not a number from 1 to 1024
	--ddb-jobs 1025:--ddb-jobs: 1025: not a number from 1 to 1024
	--rate 0:--rate: 0: not a number from 1 to 1000000000
	--rate 1.5:--rate: 1.5: not a number from 1 to 1000000000
	--ttl-days 3650001:--ttl-days: 3650001: not a number from 0 to 3650000
	--ttl-days 99999999999999999999:--ttl-days: 99999999999999999999: not a number from 0 to 3650000
	--ttl-days -3:--ttl-days: -3: not a number from 0 to 3650000
	EOF
	mutate dynamodb-1-0-1.json '.data.awsRegion = ""'
	run -2 populate archive cfg.json
	assert_output "populate: storage config cfg.json: data.awsRegion: must not be empty"
	mutate dynamodb-2-0-0.json '.data.dynamodbTable = ""'
	run -2 populate archive cfg.json
	assert_output "populate: storage config cfg.json: data.dynamodbTable: must not be empty"
	touch logs
	run -2 populate --log-path logs archive "$C/dynamodb-1-0-0.json"
	assert_output "populate: --log-path: logs: not a folder"
	[ ! -e populate-logs ]
}

@test "--help: the usage, then one line for each option; short options bundle; operands are named" {
	run -0 populate --help
	assert_line -n 0 "$(populate -h | head -n 1)"
	for o in --since --log-path --profile --state --ttl-days --ttl-from --no-create \
		--restart --skip-failed --s3-jobs --ddb-jobs --rate --enriched-archive \
		--storage-config --resolver --dry-run --verbose --help; do
		assert_line --regexp "^  (-[a-z], )?$o( |$)"
	done
	# every option the usage names is in the help
	for o in $(populate -h | head -n 1 | grep -o -- '--[a-z0-9-]*'); do
		assert_line --regexp "^  (-[a-z], )?$o( |$)"
	done
	# -nv is -n -v: here it gets to the listing, and finds no run
	run -1 populate -nv archive "$C/dynamodb-1-0-0.json"
	assert_output "populate: no run folder (run=YYYY-MM-dd-HH-mm-ss) right below archive/: nothing to read"
	run -2 populate -nx archive "$C/dynamodb-1-0-0.json"
	assert_line -n 0 "populate: -x: unknown option"
	# an archive named -a follows --
	mkdir -- -a
	run -1 populate -n -- -a "$C/dynamodb-1-0-0.json"
	assert_output "populate: no run folder (run=YYYY-MM-dd-HH-mm-ss) right below -a/: nothing to read"
	run -2 populate --storage-config "$C/dynamodb-1-0-0.json" archive "$C/dynamodb-1-0-0.json"
	assert_line -n 0 "populate: $C/dynamodb-1-0-0.json: a second storage-config (--storage-config gives one)"
}

@test "the config checker alone: jq -f pipelines/populate-config.jq" {
	jqf=$TOP/pipelines/populate-config.jq
	for f in "$C"/dynamodb-*.json; do
		run -0 jq -r -f "$jqf" "$f"
		assert_output ''
	done
	for f in "$C"/resolver-*.json; do
		run -0 jq -r --arg kind resolver -f "$jqf" "$f"
		assert_output ''
	done
	mutate dynamodb-1-0-1.json '.data.purpose = "X" | .data.z = 1 | .data.awsRegion = ""'
	run -0 jq -r -f "$jqf" cfg.json
	assert_output "data.z: is not allowed (no such field in the schema)
data.purpose: must be \"DUPLICATE_TRACKING\", not \"X\"
data.awsRegion: must not be empty"
	# the values, as sh assignments: the secret into a variable, not a command line
	run -0 sh -c 'eval "$(jq -r --arg want fields -f "$1" "$2")"; echo "$cfg_table $cfg_region $cfg_auth $cfg_akid ${#cfg_secret}"' sh "$jqf" "$C/dynamodb-2-0-0.json"
	assert_output "manifest-200 us-west-2 static AKIDTEST200 25"
	run -0 jq -r --arg want fields -f "$jqf" "$C/dynamodb-2-0-0-chain.json"
	assert_output "cfg_table='manifest-chain' cfg_region='us-east-1' cfg_auth=chain cfg_akid='' cfg_secret=''"
}

@test "make install: populate finds its checker and functions in share/manifest-populator" {
	make -s -C "$TOP" install PREFIX="$BATS_TEST_TMPDIR/usr" >/dev/null
	[ -f usr/share/manifest-populator/populate-config.jq ]
	[ -f usr/share/manifest-populator/populate-lib.sh ]
	mutate dynamodb-1-0-0.json '.data.extra = 1'
	run -2 usr/bin/populate archive cfg.json
	assert_output "populate: storage config cfg.json: data.extra: is not allowed (no such field in the schema)"
	make -s -C "$TOP" uninstall PREFIX="$BATS_TEST_TMPDIR/usr" >/dev/null
	[ ! -e usr/share/manifest-populator ]
	[ ! -e usr/bin/populate ]
}
