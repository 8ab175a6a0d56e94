# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# populate-engine.sh: what the launchers (populate emr, batch, k8s) share,
# sourced after populate-lib.sh: the plan in S3 read, the AWS CLI found
# and run (or its command lines shown, under --dry-run), names and
# numbers checked before anything is sent.  bash: arrays.
# shellcheck disable=SC2015,SC2034,SC2154	# A && B || C on purpose; set
# here, used there, and back

# shq WORD: WORD quoted for sh, when it needs it
shq() {
	case $1 in
	'') printf "''" ;;
	*[!A-Za-z0-9_./:=@%+,-]*) printf "'%s'" "${1//\'/\'\\\'\'}" ;;
	*) printf %s "$1" ;;
	esac
}

# cmdline WORD...: the words as one sh command line, on stdout
cmdline() {
	local s='' a
	for a; do s+="${s:+ }$(shq "$a")"; done
	printf '%s\n' "$s"
}

# aws_find: the AWS CLI into awscli: AWS_CLI, else aws on PATH; or exit 2
aws_find() {
	awscli=${AWS_CLI:-$(command -v aws 2>/dev/null || :)}
	[ -n "$awscli" ] || fail 2 "the AWS CLI (aws) is not on PATH, nor named by AWS_CLI: install it (Debian: apt-get install awscli)"
	[ -x "$awscli" ] || awscli=$(command -v -- "$awscli" 2>/dev/null) ||
		fail 2 "AWS_CLI: ${AWS_CLI:-aws}: not an executable"
}

# aws_run ARG...: aws ARG... (with --region and --profile when given), its
# answer (JSON) in $w/answer; under --dry-run the command line, on
# stdout, and nothing sent.  A refusal is said whole and ends it (exit 3).
aws_run() {
	local a=("$@" --output json)
	[ -z "$aws_region" ] || a+=(--region "$aws_region")
	[ -z "$profile" ] || a+=(--profile "$profile")
	if [ "$dry_run" -eq 1 ]; then
		cmdline aws "${a[@]}"
		return 0
	fi
	local rc=0
	"$awscli" "${a[@]}" </dev/null >"$w/answer" 2>"$w/err" || rc=$?
	[ "$rc" -eq 0 ] || {
		sed '/^$/d; s/^/aws: /' "$w/err" >&2
		fail 3 "aws $1 $2: failed (exit $rc): nothing more sent"
	}
}

# eng_plan PLAN: PLAN (s3://BUCKET/PREFIX, where workers elsewhere can
# read it) into plan, its job.json read (plan_read: j_shards, j_rate,
# j_wrate, j_table, ...); or exit 2 (3: S3 refused)
eng_plan() {
	plan_norm "$1"
	case $plan in
	s3://?*/?*) ;;
	s3://*) fail 2 "plan $1: give a folder in a bucket (s3://bucket/folder), not a bucket" ;;
	*://*) fail 2 "plan $1: not an s3:// URL" ;;
	*) fail 2 "plan $1: a local folder, which workers elsewhere cannot read: make the plan in S3 (populate plan --plan s3://bucket/folder), or copy it there" ;;
	esac
	case $plan in
	*[!A-Za-z0-9_./:=@%+,-]*) fail 2 "plan $plan: use letters, digits and _ . / : = @ % + , - only (the URL goes into commands that split on spaces)" ;;
	esac
	[ "${#plan}" -le 1024 ] || fail 2 "plan $plan: longer than 1024 characters"
	plan_read "$plan"
	[ "$j_creds" = chain ] ||
		note "plan $plan: its storage config has keys, which the plan does not hold: the workers write with their own role's credentials (give it DynamoDB's PutItem on table $j_table)"
}

# eng_parallel: the shards to run at once, into par: --parallel, else
# every shard; at most what the plan's rate allows (its rate over each
# worker's share, so that the workers at once keep to it)
eng_parallel() {
	par=$j_shards
	[ -z "$parallel" ] || { whole --parallel "$parallel" 1 "$j_shards" && par=$((10#$parallel)); }
	[ -z "$j_wrate" ] || [ "$par" -le $((j_rate / j_wrate)) ] || par=$((j_rate / j_wrate))
	[ "$par" -ge 1 ] || par=1
}

# eng_retries: --retries (the tries of each shard, the first included)
# checked: 1 to 10
eng_retries() {
	whole --retries "$retries" 1 10
	retries=$((10#$retries))
}

# eng_name WHAT NAME MAX PATTERN RULE: NAME fits PATTERN (a grep -E
# pattern, whole) and MAX characters, or exit 2 saying RULE
eng_name() {
	[ -n "$2" ] && [ "${#2}" -le "$3" ] && printf '%s\n' "$2" | grep -Eqx -- "$4" ||
		fail 2 "$1: $2: not a name of $3 characters at most, $5"
}

# eng_jobname PREFIX TABLE MAX: a job's default name, PREFIX-TABLE, in
# lowercase letters, digits and hyphens, at most MAX characters
eng_jobname() {
	local n
	n=$(printf '%s-%s' "$1" "$2" | tr 'A-Z_.' 'a-z--' | tr -cd 'a-z0-9-' | cut -c "1-$3")
	printf '%s\n' "${n%%-}"
}
