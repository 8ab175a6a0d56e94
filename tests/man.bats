#!/usr/bin/env bats
# The man pages tell the truth: each section 1 page's SYNOPSIS is its
# program's usage, and each page's EXAMPLES run and print what the page
# shows.  (mandoc -Tlint is in tests/run.)  Every man/*.[1-9] is checked;
# a new page needs no change here but a fixture function.
#
# How to write EXAMPLES so that they are run:
# - Put them in .Bd -literal blocks in the EXAMPLES section.  In a block,
#   a line that starts with "$ " is a command; a command line that ends
#   in a backslash goes on on the next line.  The lines after a command,
#   up to the next "$ " line or the end of the block, are what it prints:
#   its standard output followed by its standard error, byte for byte as
#   mandoc renders them (so \e in the source is a backslash, and a tab is
#   spaces).  A command with no lines after it must print nothing.  Every
#   command must exit 0.
# - A block without a "$ " line is shown, not run: use that for examples
#   that need S3 or DynamoDB, or an output that cannot be fixed.
# - The commands of a page run in order, with bash -o pipefail, in one
#   fresh folder that fixture_PAGE prepares (PAGE is the page's name
#   without its section, "-" made "_": fixture_eventcut for eventcut.1),
#   with bin/ first in PATH, LC_ALL=C and TZ=UTC.  A page that has no
#   fixture function here is skipped, and the skip names it.  A fixture
#   that writes a file .env (NAME=value lines) there has those variables
#   exported to each command (endpoints and credentials of the local
#   servers, say).

load helper

setup_file() {
	servers_up
}

teardown_file() {
	servers_down
}

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# fixture_PAGE: files the examples of man/PAGE.N use, in the current folder

fixture_eventcut() {
	line 1 "$DATA/enriched-samples.tsv" >enriched.tsv
	cp "$DATA/enriched-samples.tsv" archive.tsv
}

fixture_sincefilter() {
	local r
	for r in 2016-12-31-23-59-59/part-00000 2017-01-01-00-00-00/part-00000 \
	    2017-01-01-00-00-00/part-00001 2017-02-14-06-30-00/part-00000; do
		echo "s3://bucket/enriched/archive/run=$r.gz"
	done >listing.txt
	line 1 "$DATA/enriched-samples.tsv" >enriched.tsv
	eventcut "$DATA/enriched-samples.tsv" 2>/dev/null >items.json
	echo '{"eventId":"c0ff6a45-1826-479f-9efe-1ac1f10948d5","etlTime":null}' \
		>>items.json
}

# an archive on the local S3 (anonymous PUTs) and its copy on disk
fixture_s3cat() {
	local f k
	mkdir -p archive/run=2016-12-31-23-00-00 archive/run=2017-01-01-00-00-00
	line 1 "$DATA/enriched-samples.tsv" |
		gzip >archive/run=2016-12-31-23-00-00/part-00000.gz
	line 7 "$DATA/enriched-samples.tsv" |
		gzip >archive/run=2017-01-01-00-00-00/part-00000.gz
	line 9 "$DATA/enriched-samples.tsv" >archive/run=2017-01-01-00-00-00/part-00001
	: >archive/run=2016-12-31-23-00-00/_SUCCESS
	: >archive/run=2017-01-01-00-00-00/_SUCCESS
	curl -s -X PUT "$S3_ENDPOINT/acme-snowplow" -o /dev/null
	for f in archive/*/*; do
		k=$(jq -rn --arg k "enriched/$f" '$k | split("/") | map(@uri) | join("/")')
		curl -sf -X PUT --data-binary "@$f" "$S3_ENDPOINT/acme-snowplow/$k" \
			-o /dev/null || return 1
	done
	printf 'AWS_ENDPOINT_URL_S3=%s\nAWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\n' \
		"$S3_ENDPOINT" >.env
}

# an empty bucket on the local S3
fixture_s3put() {
	curl -s -X PUT "$S3_ENDPOINT/acme-snowplow" -o /dev/null
	printf 'AWS_ENDPOINT_URL_S3=%s\nAWS_ACCESS_KEY_ID=S3RVER\nAWS_SECRET_ACCESS_KEY=S3RVER\n' \
		"$S3_ENDPOINT" >.env
}

fixture_populate() {
	"$TOP/tools/mkarchive" archive 4 10 >/dev/null
	s3_mb acme-archive
	s3_put_dir archive acme-archive/enriched/archive
	jq '.data.dynamodbTable = "acme-event-manifest" | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json" >dynamodb.json
	cp "$DATA/configs/resolver-1-0-2.json" resolver.json
	ddb DeleteTable '{"TableName":"acme-event-manifest"}' >/dev/null
	ddb_mk acme-event-manifest
	# DynamoDB's endpoint from the profile, not the environment: the
	# job's name hashes an endpoint in the environment, and the local
	# server's port changes from run to run
	printf '[default]\nendpoint_url = %s\n' "$DDB_ENDPOINT" >aws-config
	printf '%s\n' "AWS_ENDPOINT_URL_S3=$S3_ENDPOINT" \
		"AWS_CONFIG_FILE=$PWD/aws-config" \
		AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
		AWS_REGION=us-east-1 >.env
}
# two tables on the local DynamoDB, made anew: the manifest's, and one
# keyed by "id"; items.json has a reject or two
fixture_dynaput() {
	line 1 "$DATA/enriched-samples.tsv" >enriched.tsv
	printf '%s\n' '{"eventId":"e1","etlTime":1480236400}' \
		'{"eventId":"e2","fingerprint":"f2","etlTime":1480236400}' \
		'{"eventId":"e3","fingerprint":"f3","etlTime":1e400}' >items.json
	ddb DeleteTable '{"TableName":"acme-manifest"}' >/dev/null
	ddb DeleteTable '{"TableName":"acme-counters"}' >/dev/null
	ddb_mk acme-manifest
	ddb CreateTable '{"TableName":"acme-counters","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}' >/dev/null
	printf '%s\n' "AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT" \
		AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
		AWS_REGION=us-east-1 >.env
}

fixture_manifest_populator() {
	sed -n '1p;7,12p' "$DATA/enriched-samples.tsv" >events.tsv
}

# plain: mandoc's terminal output without overstrike (bold, underline)
plain() { sed 's/.\x08//g'; }

# words: whitespace folded to single spaces, none at either end
words() { tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'; }

# pagename man/x-y.1 -> x-y
pagename() { basename "${1%.*}"; }

# synopsis PAGE: the rendered SYNOPSIS section, in words
synopsis() {
	mandoc -Tascii "$1" | plain |
		awk '/^[A-Z]/ { on = ($0 == "SYNOPSIS"); next } on' | words
}

# usage PROG: the program's -h output without "usage: ", in words: its
# first line, and the lines of its other forms after it (indented to line
# up with the first, as sbase's cut(1) prints one line a mode)
usage() {
	"$1" -h | awk 'NR == 1 || (go && /^       [^ ]/) { go = 1; print; next } { go = 0 }' |
		sed 's/^usage: //' | words
}

# literal FILE: the lines of FILE as mandoc renders them in a
# .Bd -literal block (escapes resolved, tabs expanded), as a reader sees
literal() {
	{ printf '.Dd November 25, 2026\n.Dt X 1\n.Os\n.Sh X\n.Bd -literal\n'
	  cat "$1"
	  printf '.Ed\n'; } | mandoc -Tascii | plain |
		sed '1,3d' | sed '$d' | sed '$d' | sed 's/^     //'
}

# examples PAGE DIR: writes DIR/N.cmd and DIR/N.out (the expected output)
# for the Nth command of PAGE's EXAMPLES; prints how many there are
examples() {
	local nb i
	nb=$(awk -v dir="$2" '
		/^\.Sh / { on = ($0 == ".Sh EXAMPLES"); next }
		!on { next }
		/^\.Bd -literal/ { b++; inb = 1; printf "" >(dir "/blk." b); next }
		/^\.Ed/ { inb = 0; next }
		inb { print >(dir "/blk." b) }
		END { print b + 0 }' "$1")
	for ((i = 1; i <= nb; i++)); do
		literal "$2/blk.$i"
		echo "# end of block"
	done | awk -v dir="$2" '
		/^# end of block$/ { cmd = 0; cont = 0; next }
		cont { print >(dir "/" n ".cmd"); cont = /\\$/; next }
		/^\$ / { n++; cmd = 1; sub(/^\$ /, "")
			print >(dir "/" n ".cmd"); cont = /\\$/
			printf "" >(dir "/" n ".out"); next }
		cmd { print >>(dir "/" n ".out") }
		END { print n + 0 }'
}

fixture() {
	local f
	f=fixture_$(pagename "$1" | tr '-' '_')
	declare -F "$f" >/dev/null && echo "$f"
}

@test "every man page is in mdoc and names itself" {
	for m in "$TOP"/man/*.[1-9]; do
		[ -e "$m" ] || skip "no man pages"
		grep -q '^\.Dd ' "$m" || fail "$m: not mdoc (no .Dd)"
		n=$(pagename "$m")
		grep -qx "\.Nm $n" "$m" || fail "$m: no .Nm $n"
	done
}

@test "each section 1 page's SYNOPSIS is its program's usage (-h)" {
	local bad=''
	for m in "$TOP"/man/*.1; do
		[ -e "$m" ] || skip "no section 1 pages"
		p=$(pagename "$m")
		if ! command -v "$p" >/dev/null; then
			bad+="$p.1: no program $p in bin/ or PATH"$'\n'
			continue
		fi
		want=$(usage "$p")
		got=$(synopsis "$m")
		[ "$got" = "$want" ] ||
			bad+="$p.1: SYNOPSIS [$got] is not usage [$want]"$'\n'
	done
	[ -z "$bad" ] || fail "$bad"
}

@test "the EXAMPLES of every page with a fixture run and print what they show" {
	local bad='' ran=0
	for m in "$TOP"/man/*.[1-9]; do
		[ -e "$m" ] || skip "no man pages"
		fx=$(fixture "$m") || continue
		page=$(basename "$m")
		ex=$BATS_TEST_TMPDIR/ex-$page dir=$BATS_TEST_TMPDIR/run-$page
		mkdir -p "$ex" "$dir"
		n=$(examples "$m" "$ex")
		[ "$n" -gt 0 ] || { bad+="$page: a fixture but no \$ examples"$'\n'; continue; }
		(cd "$dir" && "$fx") || { bad+="$page: $fx failed"$'\n'; continue; }
		for ((i = 1; i <= n; i++)); do
			cmd=$(cat "$ex/$i.cmd")
			(cd "$dir" && { [ ! -f .env ] || { set -a; . ./.env; }; } &&
				bash -o pipefail -c "$cmd") \
				>"$ex/$i.stdout" 2>"$ex/$i.stderr"
			rc=$?
			cat "$ex/$i.stdout" "$ex/$i.stderr" >"$ex/$i.got"
			if [ "$rc" -ne 0 ]; then
				bad+="$page: \$ $cmd: exit $rc: $(head -c 300 "$ex/$i.got")"$'\n'
			elif ! cmp -s "$ex/$i.got" "$ex/$i.out"; then
				bad+="$page: \$ $cmd: output differs:"$'\n'
				bad+="$(diff "$ex/$i.out" "$ex/$i.got" | head -n 20)"$'\n'
			fi
			ran=$((ran + 1))
		done
		echo "# $page: $n examples run" >&3
	done
	[ -z "$bad" ] || fail "$bad"
	[ "$ran" -gt 0 ] || skip "no page has a fixture"
}

@test "pages without a fixture (examples not run)" {
	local none=''
	for m in "$TOP"/man/*.[1-9]; do
		[ -e "$m" ] || continue
		fixture "$m" >/dev/null ||
			none+=" $(basename "$m") (no fixture_$(pagename "$m" | tr '-' '_'))"
	done
	[ -z "$none" ] || skip "examples not run:$none"
}

@test "the example runner itself: commands, continuations, output, shown-only blocks" {
	cat >t.1 <<-'EOF'
	.Dd November 25, 2026
	.Dt T 1
	.Os
	.Sh NAME
	.Nm t
	.Nd test
	.Sh SYNOPSIS
	.Nm
	.Sh EXAMPLES
	.Bd -literal -offset indent
	$ printf 'a\etb\en' \e
	    | cut -f2
	b
	$ true
	.Ed
	.Pp
	Not run:
	.Bd -literal -offset indent
	s3cat -l s3://bucket/
	.Ed
	.Bd -literal -offset indent
	$ echo "x  y" >&2; echo '$HOME'
	$HOME
	x  y
	.Ed
	EOF
	mkdir ex
	run -0 examples t.1 ex
	assert_output 3
	run cat ex/1.cmd
	assert_output "$(printf '%s\n' "printf 'a\\tb\\n' \\" "    | cut -f2")"
	assert_equal "$(cat ex/1.out)" b
	[ ! -s ex/2.out ]
	assert_equal "$(cat ex/3.out)" "$(printf '$HOME\nx  y')"
	run -0 bash -c "$(cat ex/1.cmd)"
	assert_output b
}
