# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# populate-lib.sh: the shell functions that populate and its modes share.
# POSIX sh.  The sourcing script sets prog (the name in its messages),
# libdir (the folder of this file and populate-config.jq), optspec (its
# options, as its help shows them) and usage (a function printing its
# usage line).  Names starting with _ are scratch.
# shellcheck disable=SC2015,SC2034,SC2154	# A && B || C on purpose; set
# here, used there, and back

# populate verify's usage, after "populate verify"
VERIFY_SYNOPSIS='[-hv] [--sample n | --all] [--since date] [--log-path dir] [--profile name] [--state file] [--ttl-days n] [--ttl-from etl | now] [--s3-jobs n] [--ddb-jobs n] [--rate n] enriched-archive storage-config [resolver]'
RUNID='[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]'

# say LINE: LINE on stderr, after clearing a live progress line (shown=1)
say() {
	if [ "${shown:-0}" -eq 1 ]; then
		printf '\r\033[K' >&2
		shown=0
	fi
	printf '%s\n' "$1" >&2
}

# note MESSAGE...: one line on stderr, "prog: MESSAGE"
note() {
	say "$prog: $*"
}

# fail STATUS MESSAGE...: note MESSAGE, then exit STATUS
fail() {
	_st=$1
	shift
	note "$@"
	exit "$_st"
}

# badusage MESSAGE...: a usage error: the message, the usage, exit 2
badusage() {
	note "$@"
	usage >&2
	exit 2
}

# needarg OPTION ARGC: the option's value follows it (ARGC: $# at OPTION)
needarg() {
	[ "$2" -ge 2 ] || badusage "$1: needs a value"
}

# opt OPTION [VALUE...]: OPTION as optspec shows it, "  --name value  what"
# or "  --name  what": its value, or 1, into the variable named after it
# (--log-path: log_path); optn is how many arguments it took
opt() {
	case $optspec in
	*"  $1 "[a-z]*) needarg "$1" $# && _v=$2 optn=2 ;;
	*" $1  "*) _v=1 optn=1 ;;
	*) badusage "$1: unknown option" ;;
	esac
	_n=${1#--}
	while :; do
		case $_n in
		*-*) _n=${_n%%-*}_${_n#*-} ;;
		*) break ;;
		esac
	done
	eval "$_n=\$_v"
}

# whole OPTION VALUE MIN MAX: VALUE is a whole number from MIN to MAX, or
# exit 2 (leading zeros and length checked first: no octal, no overflow)
whole() {
	case $2 in
	'' | *[!0-9]*) _v=x ;;
	*) _v=${2#"${2%%[!0]*}"} && _v=${_v:-0} ;;
	esac
	[ "$_v" != x ] && [ "${#_v}" -le 10 ] && [ "$_v" -ge "$3" ] &&
		[ "$_v" -le "$4" ] || fail 2 "$1: $2: not a number from $3 to $4"
}

# mkfolder CONTEXT DIR...: mkdir -p, or exit 2 with mkdir's words
mkfolder() {
	_c=$1
	shift
	_e=$(mkdir -p -- "$@" 2>&1) || fail 2 "$_c: ${_e#mkdir: }"
}

# config_check KIND NAME FILE: FILE is a valid storage (KIND storage) or
# resolver config, or one line per problem and exit 2
config_check() {
	[ ! -d "$3" ] || fail 2 "$2 $3: is a directory, not a file"
	[ -e "$3" ] || fail 2 "$2 $3: no such file"
	[ -r "$3" ] || fail 2 "$2 $3: cannot read it (permission denied)"
	_p=$(jq -r --arg kind "$1" -f "$libdir/populate-config.jq" <"$3" 2>&1) ||
		case $_p in
		"parse error: "*) fail 2 "$2 $3: not JSON: ${_p#parse error: }" ;;
		*) fail 2 "$2 $3: cannot check it: $_p" ;;
		esac
	[ -z "$_p" ] || {
		printf '%s\n' "$_p" | while IFS= read -r _l; do
			note "$2 $3: $_l"
		done
		exit 2
	}
}

# config_read FILE: a checked storage config's values into cfg_table,
# cfg_region, cfg_auth (static or chain), cfg_akid and cfg_secret; the
# keys come through a pipe into variables, never onto a command line
config_read() {
	eval "$(jq -r --arg want fields -f "$libdir/populate-config.jq" <"$1")"
}

# summary PREFIX FILE KEY...: the numbers KEY of a stage's -S summary (a
# flat JSON object on one line) into PREFIX_KEY, 0 when missing.  Read by
# the shell itself: a jq each run would cost tens of ms, times thousands.
summary() {
	_pf=$1 _l=
	[ -r "$2" ] && IFS= read -r _l <"$2" || :
	shift 2
	for _k; do
		case $_l in
		*"\"$_k\":"[0-9]*) _v=${_l#*\""$_k"\":} && _v=${_v%%[!0-9]*} ;;
		*) _v=0 ;;
		esac
		eval "${_pf}_$_k=\$_v"
	done
}

# runsecs ID: the epoch second of run ID (YYYY-MM-dd-HH-mm-ss, UTC) in
# secs, by integer arithmetic (days from the civil date): date(1) reads
# "2026-11-01 10:00:00 + 180 days" as a zone offset
runsecs() {
	_ifs=$IFS
	IFS=-
	# shellcheck disable=SC2086	# split on purpose
	set -- $1
	IFS=$_ifs
	_y=$((1$1 - 10000)) _m=$((1$2 - 100)) _d=$((1$3 - 100))
	_y=$((_y - (_m <= 2)))
	_era=$(((_y >= 0 ? _y : _y - 399) / 400))
	_yoe=$((_y - _era * 400))
	_doy=$(((153 * (_m + (_m > 2 ? -3 : 9)) + 2) / 5 + _d - 1))
	_doe=$((_yoe * 365 + _yoe / 4 - _yoe / 100 + _doy))
	secs=$(((_era * 146097 + _doe - 719468) * 86400 +
		(1$4 - 100) * 3600 + (1$5 - 100) * 60 + 1$6 - 100))
}

# state_read FILE JOB TTL: the runs a state file records as finished, one
# id a line on stdout.  Its first line must be "JOB TTL": a file of another
# job, lifespan or version
# is refused (exit 2); a line that is no finished run (cut short by a kill
# while it was written) is said, and its run is not taken as done: then
# state_bad is 1 and the file needs writing anew (state_write).
state_read() {
	_n=1 state_bad=0
	{
		IFS= read -r _l || :
		case $_l in
		"$2 $3") ;;
		"$2 "*) fail 2 "state file $1: its runs were written with ${_l#"$2 "}, not $3: give those, or --restart to write every run again" ;;
		"${2%%: *}: "*) fail 2 "state file $1: the state of another job (${_l#*: }); give another --state" ;;
		"# populate state"*) fail 2 "state file $1: written by another version of populate; --restart starts it again" ;;
		*) fail 2 "state file $1: not a populate state; give another --state" ;;
		esac
		while _n=$((_n + 1)) && _l='' && { IFS= read -r _l || [ -n "$_l" ]; }; do
			# shellcheck disable=SC2254	# RUNID is a pattern
			case $_l in
			run=$RUNID) echo "${_l#run=}" && continue ;;
			esac
			note "state file $1: line $_n is not a finished run ($(printf %.40s "$_l")): that run is read again"
			state_bad=1
		done
	} <"$1"
}

# state_write FILE HEADER: FILE anew (a temporary file renamed over it):
# HEADER, then run=ID for each id on stdin, sorted
state_write() {
	{ echo "$2" && sort | sed 's/^/run=/'; } 2>/dev/null >"$1.new" &&
		mv -f -- "$1.new" "$1" 2>/dev/null || fail 2 "state file $1: cannot write it"
}

# dynaput_cfg ARG...: dynaput on the storage config's table, exec'd (call
# it in a subshell or a pipeline).  The config's keys go in its
# environment, never on a command line; with auth null, the default
# credential chain and $profile.
dynaput_cfg() {
	if [ "$cfg_auth" = static ]; then
		unset AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_PROFILE \
			AWS_DEFAULT_PROFILE
		export AWS_ACCESS_KEY_ID="$cfg_akid" AWS_SECRET_ACCESS_KEY="$cfg_secret"
		exec dynaput -t "$cfg_table" -r "$cfg_region" "$@"
	fi
	exec dynaput -t "$cfg_table" -r "$cfg_region" ${profile:+-p "$profile"} "$@"
}

# archive_norm: $archive as the stages take it: s3:// (for s3a:// and
# s3n:// too) or a local folder, ending in a slash; or exit 2
archive_norm() {
	case $archive in
	s3a://* | s3n://*) archive=s3://${archive#s3?://} ;;
	s3://*) ;;
	*://*) fail 2 "$archive: not an s3:// URL or a local folder" ;;
	*) [ -d "$archive" ] || fail 2 "$archive: no such folder" ;;
	esac
	archive=${archive%/}/
}

# job_name LOGPATH: the job (the archive into the table) of $archive,
# $table, $region and the DynamoDB endpoint of the environment: its name
# in logs, LOGPATH/TABLE.HASH (HASH from cksum of the four: its state is
# LOGPATH/TABLE.HASH.state, its logs in LOGPATH/TABLE.HASH/), and the
# first line of its state in stamp
job_name() {
	_ep=${AWS_ENDPOINT_URL_DYNAMODB:-${AWS_ENDPOINT_URL:-default}}
	_s=$(printf '%s\n' "$archive" "$table" "$region" "$_ep" | cksum)
	logs=$1/$table.$(printf %08x "${_s%% *}")
	stamp="# populate state 2: archive=$archive table=$table region=$region endpoint=$_ep"
}

# state_check FILE: a state file that is there can be read, or exit 2
state_check() {
	[ ! -d "$1" ] || fail 2 "state file $1: is a directory"
	[ ! -e "$1" ] || [ -r "$1" ] ||
		fail 2 "state file $1: cannot read it (permission denied)"
}

# The jobs.  A step that runs stages is a job of its own (set -m: a
# process group), started in the background and waited for with await;
# onsignal, the INT and TERM trap, passes a signal on: the first to the
# job's leader (the stage that reads), so that the rest finishes what it
# has; a second to the whole group.  These two need bash (wait -n -p).

# onsignal STATUS SIGNAL: interrupted=STATUS, and the job ($pg) told
onsignal() {
	interrupted=$1 nsig=$((${nsig:-0} + 1))
	[ -n "${pg:-}" ] || return 0
	if [ "$nsig" -eq 1 ]; then
		kill -s "$2" "$pg" 2>/dev/null || :
	else
		kill -s "$2" -- "-$pg" 2>/dev/null || :
	fi
}

# await [TICK]: the job just started, to its end: its status in rc, its
# process group in pg meanwhile.  TICK runs every second meanwhile when
# tty is 1.  $w is a folder of the caller's.
await() {
	_job=$! _t=''
	jobs -p %% >"$w/pg" && read -r pg <"$w/pg"
	while :; do
		[ "$tty" -eq 0 ] || [ -z "${1:-}" ] || [ -n "$_t" ] ||
			{ sleep 1 & _t=$!; }
		# shellcheck disable=SC3045	# bash: see above
		_p='' && wait -n -p _p "$_job" $_t && rc=0 || rc=$?
		case ${_p:-} in
		'') ;;
		"$_job") break ;;
		*) _t='' && { "$1" || :; } ;;
		esac
	done
	pg=''
	[ -z "$_t" ] || kill "$_t" 2>/dev/null || :
}

# replay FILE: the stages' messages in FILE, on stderr, but dynaput's
# summary line (its -S file has the counts) and its table lines: "created"
# sets created=1, and the credentials' source is said (when tty or
# verbose is 1) as the storage config has it
replay() {
	while IFS= read -r _l; do
		case $_l in
		"dynaput: "*" read, "*" written, "*" already present, "*) ;;
		"dynaput: "*" read, "*" found, "*" missing, "*) ;;
		"dynaput: table $table: created")
			created=1 && note "table $table: created" ;;
		"dynaput: table $table ("*", credentials from "*)
			_l=${_l#dynaput: }
			[ "$cfg_auth" = chain ] ||
				_l="${_l%environment}the storage config"
			[ "$tty$verbose" = 00 ] || note "$_l" ;;
		*) say "$_l" ;;
		esac
	done <"$1"
}

# The runs (bash: arrays).
# shellcheck disable=SC3024,SC3030

# runs_list: lists $archive into $w/listing (a live count of its objects
# on a terminal), then takes its run folders right below it at or after
# $since: runs (their ids, oldest first) and nobj (their objects), and
# folders and kinds for walk; the objects elsewhere go to $w/outside,
# their count to nout.  A listing that fails or is interrupted ends it.
runs_list() {
	set -m
	s3cat -l ${profile:+-p "$profile"} -- "$archive" </dev/null >"$w/listing" 2>"$w/err" &
	set +m
	await _runs_tick
	replay "$w/err"
	[ "$interrupted" -eq 0 ] || fail "$interrupted" "$archive: interrupted while listing it"
	[ "$rc" -eq 0 ] || fail "$rc" "$archive: cannot list it"
	sincefilter -r -R -s "${since:-0000-01-01}" -x "$w/outside" <"$w/listing" >"$w/folders"
	runs=() folders=() kinds=() nobj=()
	while IFS= read -r _l; do
		folders+=("$_l")
		# shellcheck disable=SC2254	# RUNID is a pattern
		case $_l in
		"$archive"run=$RUNID/) _l=${_l%/} && kinds+=(${#runs[@]}) runs+=("${_l##*=}") nobj+=(0) ;;
		*) kinds+=(-) ;;
		esac
	done <"$w/folders"
	walk _runs_count
	nout=$(wc -l <"$w/outside")
}
_runs_tick() {
	shown=1 && printf '\r\033[K%s: listing %s: %d objects' "$prog" "$archive" "$(wc -l <"$w/listing")" >&2
}
_runs_count() {
	if [ "$1" = - ]; then echo "$2" >>"$w/outside"; else nobj[$1]=$((nobj[$1] + 1)); fi
}

# walk FN: the listing, in step with the folders (in its order): FN I
# OBJECT for an object of runs[I], FN - OBJECT for one in another folder
# shellcheck disable=SC3003,SC3043,SC3054
walk() {
	local l k=0 nl=$'\n'
	while IFS= read -r l; do
		case $l in
		"${folders[k]-$nl}"*) ;;
		"${folders[k + 1]-$nl}"*) k=$((k + 1)) ;;
		*) continue ;;
		esac
		"$1" "${kinds[k]}" "$l"
	done <"$w/listing"
}
