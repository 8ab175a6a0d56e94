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
# (--log-path: log_path); optn is how many arguments it took.  A short
# option shown as "  -x, --name ..." is its --name.
opt() {
	case $optspec in
	*"  $1 "[a-z]* | *", $1 "[a-z]*) needarg "$1" $# && _v=$2 optn=2 ;;
	*" $1  "*) _v=1 optn=1 ;;
	*"  $1, --"[a-z]*)	# -x, --name: as --name
		_s=${optspec#*"  $1, "} && _s=${_s%% *} && shift
		opt "$_s" "$@"
		return ;;
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

# state_read FILE JOB TTL [NAME]: the runs a state file records as
# finished, one id a line on stdout.  Its first line must be "JOB TTL": a
# file of another job, lifespan or version is refused (exit 2); a line
# that is no finished run (cut short by a kill while it was written) is
# said, and its run is not taken as done: then state_bad is 1 and the
# file needs writing anew (state_write).  The messages call it NAME (the
# state's URL, FILE being its copy here), else FILE.
state_read() {
	_n=1 state_bad=0
	set -- "${4:-$1}" "$2" "$3" "$1"
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
	} <"$4"
}

# state_copy: sfile, the state file to read: $state (s3a:// and s3n://
# made s3://), or for one in S3 a copy of it in $w (empty when S3 has
# none); a local one that is there must be readable
state_copy() {
	case $state in s3a://* | s3n://*) state=s3://${state#s3?://} ;; esac
	sfile=$state
	if is_s3 "$state"; then
		sfile=$w/state
		plan_get "$state" >"$sfile" || :
	else
		state_check "$state"
	fi
}

# logs_put NAME...: the logs NAME (under the job's log folder $logs) to
# S3, when the log path is there and they were written here ($llogs):
# each one that has lines, or that S3 holds from before (listed in
# $w/s3logs; now emptied); then the copies here of a run's go
logs_put() {
	[ "$llogs" != "$logs" ] || return 0
	for _f; do
		[ -e "$llogs/$_f" ] || : >"$llogs/$_f"
		[ ! -s "$llogs/$_f" ] && ! grep -qxF "$logs/$_f" "$w/s3logs" ||
			plan_put "$logs/$_f" <"$llogs/$_f"
		case $_f in */*) rm -f -- "$llogs/$_f" ;; esac
	done
}

# state_write FILE HEADER [NAME]: FILE anew (a temporary file renamed
# over it): HEADER, then run=ID for each id on stdin, sorted; messages
# call it NAME, else FILE
state_write() {
	{ echo "$2" && sort | sed 's/^/run=/'; } 2>/dev/null >"$1.new" &&
		mv -f -- "$1.new" "$1" 2>/dev/null || fail 2 "state file ${3:-$1}: cannot write it"
}

# tmp_make ROOT: this process's temporary folder, private, into w:
# ROOT/populate.HOST.PID.XXXXXX.  First the folders of ROOT so named
# whose process is gone (killed with SIGKILL: no trap ran) are removed,
# those of this host and this user only; a live one's are left.
tmp_make() {
	_h=$(uname -n 2>/dev/null) || _h=host
	for _d in "$1/populate.$_h."*; do
		[ -d "$_d" ] && [ -O "$_d" ] || continue
		_p=${_d#"$1/populate.$_h."} && _p=${_p%%.*}
		case $_p in '' | *[!0-9]*) continue ;; esac
		[ "$_p" != "$$" ] || continue
		kill -0 "$_p" 2>/dev/null || [ -d "/proc/$_p" ] || rm -rf -- "$_d" 2>/dev/null || :
	done
	w=$(mktemp -d "$1/populate.$_h.$$.XXXXXX" 2>/dev/null) ||
		fail 2 "$1: cannot make a temporary folder"
}

# logpath_tmp: the temporary folder w of populate (and -P): in the
# local log path, made now (lp_clear removes what of it was made, if it
# is left empty); in TMPDIR for an S3 log path or under --dry-run, which
# writes nothing in the log path.  Either way the next start clears one
# that a SIGKILL left (tmp_make).
logpath_tmp() {
	lpmade=''
	if is_s3 "$logpath" || [ "$dry_run" -eq 1 ]; then
		tmp_make "${TMPDIR:-/tmp}"
		return
	fi
	_l=${logpath%/}
	while [ -n "$_l" ] && [ ! -e "$_l" ]; do
		lpmade=$_l
		case $_l in */*) _l=${_l%/*} ;; *) _l='' ;; esac
	done
	mkfolder --log-path "$logpath"
	tmp_make "$logpath"
}

# lp_clear: the folders of the log path that logpath_tmp made, removed
# when they are empty, deepest first
lp_clear() {
	_l=${logpath%/}
	[ -n "${lpmade:-}" ] || return 0
	while rmdir -- "$_l" 2>/dev/null && [ "$_l" != "$lpmade" ]; do
		_l=${_l%/*}
	done
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
# tty (or ticks) is 1.  $w is a folder of the caller's.
await() {
	_job=$! _t=''
	jobs -p %% >"$w/pg" && read -r pg <"$w/pg"
	while :; do
		{ [ "$tty" -eq 0 ] && [ "${ticks:-0}" -eq 0 ]; } ||
			[ -z "${1:-}" ] || [ -n "$_t" ] || { sleep 1 & _t=$!; }
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

# The modes' common ground: populate's options, its job checked, and the
# plan's two operations.  bash, as await: an array, ${!v}, printf -v.

POPULATE_VERSION=1.1.0

# populate_defaults: every option of populate and its modes, unset
populate_defaults() {
	enriched_archive='' storage_config='' resolver='' since='' log_path=populate-logs
	profile='' state='' ttl_days=180 ttl_from=etl no_create=0 restart=0 skip_failed=0
	s3_jobs=8 ddb_jobs='' rate='' dry_run=0 verbose=0 workers='' shards='' plan=''
	newest='' force=0 quiet=0 reporter=0
}

# args_parse ARG...: the options optspec shows into their variables (opt)
# and the operands, in order, into the array ops.  -h prints the usage
# and optspec, and exits 0; -xy is -x -y, and -kVALUE is -k VALUE.
# shellcheck disable=SC3024,SC3030	# bash: see above
args_parse() {
	ops=()
	while [ $# -gt 0 ]; do
		case $1 in
		--) shift && break ;;
		--*=*) _a=$1 && shift && set -- "${_a%%=*}" "${_a#*=}" "$@" && continue ;;
		-[!-]?*)
			_a=${1#-?} && _b=${1%"$_a"} && shift && _s=''
			case $optspec in
			*"  $_b, --"*) _s=${optspec#*"  $_b, "} && _s=${_s#"${_s%% *}"} ;;
			esac
			case $_s in
			" "[a-z]*) set -- "$_b" "$_a" "$@" ;;
			*) set -- "$_b" "-$_a" "$@" ;;
			esac
			continue ;;
		-h | --help) usage && echo "$optspec" && exit 0 ;;
		--jar | --ec2-keyname)	# the original's EMR options: populate emr's
			case $optspec in *"  $1 "*) opt "$@" && shift "$optn" && continue ;; esac
			fail 2 "$1: an EMR option of the original; populate runs here, without a cluster (populate emr takes it)" ;;
		-?*) opt "$@" && shift "$optn" && continue ;;
		*) ops+=("$1") ;;
		esac
		shift
	done
	ops+=("$@")
}

# populate_args: populate's operands (ops) and options checked, the
# storage config read (config_read), the archive normalised: archive,
# config, logpath, table and region set; or exit 2
# shellcheck disable=SC3045,SC3053,SC3054,SC3060	# bash: see above
populate_args() {
	set -- ${ops[@]+"${ops[@]}"}
	[ $# -le 3 ] || badusage "$4: too many operands"
	for _v in enriched_archive storage_config resolver; do
		[ $# -gt 0 ] || break
		[ -z "${!_v}" ] || badusage "$1: a second ${_v/_/-} (--${_v/_/-} gives one)"
		printf -v "$_v" %s "$1" && shift
	done
	archive=$enriched_archive config=$storage_config logpath=$log_path
	[ -n "$archive" ] || badusage "missing enriched-archive"
	[ -n "$config" ] || badusage "missing storage-config"
	whole --ttl-days "$ttl_days" 0 3650000
	whole --s3-jobs "$s3_jobs" 1 64
	[ -z "$ddb_jobs" ] || whole --ddb-jobs "$ddb_jobs" 1 1024
	[ -z "$rate" ] || whole --rate "$rate" 1 1000000000
	case $ttl_from in etl | now) ;; *) fail 2 "--ttl-from: $ttl_from: must be etl or now" ;; esac
	[ -z "$since" ] || sincefilter -r -s "$since" </dev/null 2>/dev/null ||
		fail 2 "--since: $since: not a date (YYYY-MM-dd, YYYY-MM-dd-HH-mm-ss or ISO 8601)"
	case $logpath in s3a://* | s3n://*) logpath=s3://${logpath#s3?://} ;; esac
	case $logpath in
	s3://*[!/]*) logpath=${logpath%/} ;;
	s3://*) fail 2 "--log-path: $log_path: no bucket" ;;
	esac
	config_check storage "storage config" "$config"
	[ -z "$resolver" ] || config_check resolver resolver "$resolver"
	config_read "$config"
	table=$cfg_table region=$cfg_region
	archive_norm
}

# A plan is a folder of files, each written whole by plan_put and read
# whole by plan_get, so that it lives in S3 as well as here: s3put URL
# <FILE and s3cat URL do it there.  populate's state and logs in an S3
# log path go through them too.

# is_s3 PATH: whether PATH is an S3 URL (s3://, s3a:// or s3n://)
is_s3() {
	case $1 in s3://* | s3a://* | s3n://*) return 0 ;; esac
	return 1
}

# plan_put FILE: stdin into FILE of a plan, whole: here written aside,
# then renamed (two workers at once leave one whole file), private; in
# S3 one s3put (the object appears whole or not at all); or exit 2 (S3:
# s3put's status, its message said)
plan_put() {
	if is_s3 "$1"; then
		_e=$(s3put ${profile:+-p "$profile"} -- "$1" 2>&1) && return 0 || _st=$?
		[ -z "$_e" ] || say "$_e"
		fail "$_st" "$1: cannot write it"
	fi
	case $1 in */*) mkfolder "plan" "${1%/*}" ;; esac
	_t=$(mktemp "$1.XXXXXX" 2>/dev/null) && cat >"$_t" && mv -f -- "$_t" "$1" ||
		{ rm -f -- "${_t:-}"; fail 2 "$1: cannot write it"; }
}

# plan_get FILE: FILE of a plan on stdout; status 1, quietly, when it is
# not there (S3: NoSuchKey); exit 2 when it cannot be read (S3: s3cat's
# status, its message said)
plan_get() {
	if is_s3 "$1"; then
		{ _e=$(s3cat ${profile:+-p "$profile"} -- "$1" 2>&1 >&3 3>&-); } 3>&1 && return 0 || _st=$?
		case $_st:$_e in 1:*": NoSuchKey: "*) return 1 ;; esac
		[ -z "$_e" ] || say "$_e"
		fail "$_st" "$1: cannot read it"
	fi
	[ -e "$1" ] || return 1
	cat -- "$1" 2>/dev/null || fail 2 "$1: cannot read it"
}

# plan_list DIR: the files under DIR of a plan (S3: the objects under
# DIR/), one a line, in S3's order; none when DIR is not there; exit as
# s3cat when it cannot be listed
plan_list() {
	is_s3 "$1" || [ -d "$1" ] || return 0
	{ _e=$(s3cat -l ${profile:+-p "$profile"} -- "$1/" 2>&1 >&3 3>&-); } 3>&1 && return 0 || _st=$?
	[ -z "$_e" ] || say "$_e"
	fail "$_st" "$1/: cannot list it"
}

# plan_cat: the files of a plan named on stdin (one a line), one after
# the other, on stdout, 16 at a time (s3cat -j); exit as s3cat when one
# cannot be read
plan_cat() {
	{ _e=$(s3cat -j 16 ${profile:+-p "$profile"} 2>&1 >&3 3>&-); } 3>&1 && return 0 || _st=$?
	[ -z "$_e" ] || say "$_e"
	fail "$_st" "cannot read the plan's files"
}

# plan_norm PLAN: PLAN into plan, without its final slash, s3a:// and
# s3n:// as s3://
plan_norm() {
	plan=$1
	case $plan in s3a://* | s3n://*) plan=s3://${plan#s3?://} ;; esac
	case $plan in */) plan=${plan%/} ;; esac
}

# plan_read PLAN: the plan's job.json into j_* variables (the fields of
# populate.1's FILES); exit 2 when PLAN holds no plan of this format
plan_read() {
	_j=$(plan_get "$1/job.json") || { _st=$? && [ "$_st" -eq 1 ] || exit "$_st"; fail 2 "plan $1: no such plan (no $1/job.json)"; }
	_j=$(printf '%s\n' "$_j" | jq -r 'select(.plan == 1) | @sh "j_version=\(.version)
		j_made=\(.made) j_archive=\(.archive) j_since=\(.since // "")
		j_objects=\(.objects) j_bytes=\(.bytes) j_table=\(.table) j_region=\(.region)
		j_ddb_ep=\(.dynamodb_endpoint // "") j_s3_ep=\(.s3_endpoint // "")
		j_creds=\(.credentials) j_newest=\(.newest) j_ttl_days=\(.ttl_days)
		j_ttl_from=\(.ttl_from) j_ttl_base=\(.ttl_base // "") j_rate=\(.rate // "")
		j_wrate=\(.worker_rate // "") j_s3_jobs=\(.s3_jobs) j_ddb_jobs=\(.ddb_jobs // "")
		j_shards=\(.shards)"' 2>/dev/null) && [ -n "$_j" ] ||
		fail 2 "plan $1: $1/job.json is not a plan of this populate ($POPULATE_VERSION)"
	eval "$_j"
}

# list_sized URL: URL's listing, each object's size in bytes after a tab
# (s3cat -l -s), exec'd (call it in a subshell or a job)
list_sized() {
	exec s3cat -l -s ${profile:+-p "$profile"} -- "$1"
}

# shard_marks PLAN K: the shards of PLAN by their markers: done (a
# done.json), failed (a failed.json, no done.json) and left (neither),
# as lists of indexes in m_done, m_failed and m_left (a space before
# each), and the counts of those markers added up into t_KEY.  One
# listing of PLAN/logs and one read of the markers (S3: two requests and
# one a marker, 16 at once), whatever K.  The markers, one a line in
# the order of their shards, stay in $w/marks.
shard_marks() {
	plan_list "$1/logs" >"$w/marks.ls"
	awk -v p="$1/logs/shard-" -v k="$2" -v urls="$w/marks.urls" '
		index($0, p) == 1 {
			r = substr($0, length(p) + 1)
			if (r ~ /^[0-9]+\/done\.json$/) d[r + 0] = 1
			else if (r ~ /^[0-9]+\/failed\.json$/) f[r + 0] = 1
		}
		END {
			for (i = 0; i < k; i++) {
				m = (i in d) ? "done" : (i in f) ? "failed" : ""
				if (m == "") { print "left", i; continue }
				print m, i; print p i "/" m ".json" > urls
			}
			close(urls)
		}' "$w/marks.ls" >"$w/marks.which"
	m_done='' m_failed='' m_left=''
	while read -r _m _i; do
		eval "m_$_m=\"\$m_$_m \$_i\""
	done <"$w/marks.which"
	: >"$w/marks"
	[ ! -s "$w/marks.urls" ] || plan_cat <"$w/marks.urls" >"$w/marks"
	for _k in events written present bad notwritten expired objects bytes; do
		eval "t_$_k=0"
	done
	marks_add "$w/marks"
}

# marks_add FILE: the counts of the shards' markers in FILE (one a
# line) added to t_KEY
marks_add() {
	_s=$(jq -r '[.events, .written, .present, .bad, .notwritten, .expired,
		.objects, .bytes] | map(. // 0) | @tsv' <"$1" |
		awk -F '\t' '{ for (i = 1; i <= NF; i++) s[i] += $i }
			END { for (i = 1; i <= 8; i++) printf "%.0f ", s[i] }') ||
		fail 2 "$1: not the markers of shards"
	# shellcheck disable=SC2086	# split on purpose
	set -- $_s
	for _k in events written present bad notwritten expired objects bytes; do
		eval "t_$_k=\$((t_$_k + $1))"
		shift
	done
}

# ranges LIST: a list of whole numbers, ascending, as ranges: "0-3 5 7-8"
ranges() {
	# shellcheck disable=SC2086	# split on purpose
	printf '%s\n' $1 | awk 'NR > 1 && $1 == b + 1 { b = $1; next }
		NR > 1 { printf "%s%s", s, (a == b ? a : a "-" b); s = " " }
		{ a = b = $1 } END { if (NR) printf "%s%s", s, (a == b ? a : a "-" b); print "" }'
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
