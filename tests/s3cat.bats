#!/usr/bin/env bats
# s3cat: lists and streams S3 objects (decoded) and local files, in
# order, byte for byte, against the SigV4-verifying s3rver fork; faults
# come from our proxy in front of it.  Objects are put with plain curl
# (s3rver takes anonymous PUTs), so the fixtures owe nothing to s3cat.

load helper

# enc KEY: KEY's path segments %-encoded, for curl
enc() { jq -rn --arg k "$1" '$k | split("/") | map(@uri) | join("/")'; }
mkbucket() { curl -sf -X PUT "$S3_ENDPOINT/$1" -o /dev/null; }
# put BUCKET KEY FILE
put() {
	curl -sf -X PUT --data-binary "@$3" "$S3_ENDPOINT/$1/$(enc "$2")" \
		-o /dev/null
}
# putmany BUCKET FILE KEY...: one body under many keys, 16 at a time
putmany() {
	local b=$1 f=$2 k
	shift 2
	for k in "$@"; do
		printf 'upload-file = "%s"\nurl = "%s/%s/%s"\noutput = "/dev/null"\n' \
			"$f" "$S3_ENDPOINT" "$b" "$(enc "$k")"
	done >"$BATS_FILE_TMPDIR/putmany.cfg"
	curl -sf --no-progress-meter --parallel --parallel-max 16 -K "$BATS_FILE_TMPDIR/putmany.cfg"
}
# decoded FILE...: what s3cat must write for these objects, made without
# it: gzip, bzip2 and zstd decoded by their own tools, a newline added
# when one is missing
decoded() {
	local f
	for f in "$@"; do
		case $(head -c 4 "$f" | od -An -tx1 | tr -d ' ') in
		1f8b*) gzip -dc "$f" ;;
		425a68*) bzip2 -dc "$f" ;;
		28b52ffd | [5][0-9a-f]2a4d18) zstd -dcq "$f" ;;
		*) cat "$f" ;;
		esac >"$BATS_TEST_TMPDIR/want.one"
		cat "$BATS_TEST_TMPDIR/want.one"
		if [ -s "$BATS_TEST_TMPDIR/want.one" ] &&
			[ "$(tail -c 1 "$BATS_TEST_TMPDIR/want.one" | od -An -c | tr -d ' ')" != '\n' ]; then
			echo
		fi
	done
}

setup_file() {
	servers_up
	F=$BATS_FILE_TMPDIR/f
	mkdir -p "$F"
	cd "$F" || return 1
	# formats: named and not named for what they are
	printf 'plain 1\nplain 2\n' >plain.txt
	printf 'gz 1\ngz 2\n' | gzip >a.gz
	{ printf 'member 1\n' | gzip; printf 'member 2\n' | gzip
	  printf 'member 3\n' | gzip; } >multi.gz
	printf 'old archive\n' | gzip >part-00000.gzip
	printf 'gzip named .txt\n' | gzip >sneaky.txt
	printf 'not gzip at all\n' >fake.gz
	: >empty
	printf 'no final newline' >nonl
	printf 'gz no final newline' | gzip >nonl.gz
	printf '\x1f' >lone1f
	# bzip2 and zstd, many streams and frames; xz and lz4, not read
	{ printf 'bz 1\nbz 2\n' | bzip2; printf 'bz 3\n' | bzip2; } >two.bz2
	printf 'zs 1\n' | zstd -q >two.zst
	# a skippable frame between two frames
	printf '\x50\x2a\x4d\x18\x03\x00\x00\x00abc' >>two.zst
	printf 'zs 2\nzs 3' | zstd -q --no-check >>two.zst
	printf 'xz 1\n' | xz >one.xz
	printf 'lz 1\n' | lz4 -q >one.lz4
	printf 'truncated gzip data\n%.0s' $(seq 200) | gzip | head -c 60 >trunc.gz
	{ printf 'a\n' | gzip; printf 'trailing junk'; } >junk.gz
	# sizes far apart, for -j
	head -c 6000000 /dev/urandom | base64 -w 100 >big1
	head -c 2500000 /dev/urandom | base64 -w 0 | gzip -1 >big2.gz
	head -c 700000 /dev/urandom | base64 -w 76 >mid
	printf 'x' >tiny
	# many streams and frames of a larger body
	pbzip2 -p2 -b1 -c mid >mid.bz2
	zstd -q -c -B100000 mid >mid.zst
	zstd -q -c -1 big1 >big1.zst
	# cut short inside a line: the last line goes on in a next member or
	# stream that is cut before any decoder can give a byte of it, so
	# what comes out is the same whatever decodes it
	printf 'cut %05d 0123456789abcdef0123456789abcdef\n' $(seq 3000) >cut
	{ head -c 4010 cut | gzip; tail -c +4011 cut | gzip | head -c 10; } >cut.gz
	{ head -c 100050 big1 | gzip -1
	  tail -c +100051 big1 | gzip -1 | head -c 10; } >cutbig.gz
	head -c 100050 big1 | bzip2 >cutbig.bz2
	tail -c +100051 big1 | head -c 500000 | bzip2 | head -c 20000 >>cutbig.bz2
	# and one member cut in its middle (how much of it a decoder gives
	# out differs from one to another)
	gzip -1 -c cut | head -c 4000 >cutmid.gz
	mkbucket fmt
	for f in plain.txt a.gz multi.gz part-00000.gzip sneaky.txt fake.gz \
		empty nonl nonl.gz lone1f big1 big2.gz mid tiny; do
		put fmt "in/$f" "$f"
	done
	for f in two.bz2 two.zst one.xz one.lz4 mid.bz2 mid.zst big1.zst; do
		put fmt "z/$f" "$f"
	done
	for f in cut.gz cutbig.gz cutbig.bz2 cutmid.gz; do
		put fmt "bad/$f" "$f"
	done
	curl -sf -X PUT -H 'Content-Encoding: gzip' --data-binary @a.gz \
		"$S3_ENDPOINT/fmt/enc/a" -o /dev/null
	put fmt bad/trunc.gz trunc.gz
	put fmt bad/junk.gz junk.gz
	printf 'ok' >ok
	put fmt in/_SUCCESS ok
	put fmt in/.hidden ok
	put fmt in/sub/.crc ok
	put fmt in/folder/ empty
	put fmt in/sub/x ok
	# a listing longer than a page
	mkbucket many
	printf 'k\n' >k
	putmany many k $(seq -f 'p/k%05g' 1 1203) p/_SUCCESS
	# odd keys (s3rver escapes & and ' twice in listings, so those are
	# fetched by name only, below; its router refuses "//" in a key)
	mkbucket odd
	for k in "o/a b" "o/a+b" "o/c=d" "o/t~x" "o/p%20q" "o/(1)" \
		"o/über" "o/a;b,c:d@e\$f"; do
		printf '%s\n' "$k" >key
		put odd "$k" key
	done
}

teardown_file() {
	servers_down
}

setup() {
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT
	F=$BATS_FILE_TMPDIR/f
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	proxy_down
	unserve
}

@test "-h prints the usage and one line per option on stdout; a bad option or -j is a usage error" {
	run -0 s3cat -h
	assert_line --index 0 "usage: s3cat [-lsv] [-j N] [-S summary] [--max-size size] [--max-ratio n] [--no-sign-request] [--request-payer] [-e endpoint] [-p profile] [-r region] [--ca-bundle file] [url ...]"
	for o in -j -l -S -s -v --max-size --max-ratio --no-sign-request \
		--request-payer -e -p -r --ca-bundle; do
		assert_line --regexp "^  $o[ ,]"
	done
	[ "${#lines[@]}" -eq 14 ]
	run -0 s3cat --help
	assert_line --index 0 --partial "usage: s3cat [-lsv]"
	run -2 --separate-stderr s3cat -s s3://a/b
	assert_equal "$stderr" "s3cat: -s needs -l"
	run -2 s3cat -x
	assert_line --index 1 --partial "usage: s3cat"
	run -2 s3cat -j 0 s3://a/b
	assert_output "s3cat: -j: 0: not a number from 1 to 64"
	run -2 s3cat -j 65 s3://a/b
}

@test "a prefix lists every page in key order, skipping _ and . names and folders" {
	run -0 s3cat -l s3://many/p/
	[ "${#lines[@]}" -eq 1203 ]
	assert_line --index 0 s3://many/p/k00001
	assert_line --index 1202 s3://many/p/k01203
	s3cat -l s3://many/p/ >got
	seq -f 's3://many/p/k%05g' 1 1203 | cmp - got
	run -0 s3cat -l s3://fmt/in/
	refute_line --partial _SUCCESS
	refute_line --partial .hidden
	refute_line --partial .crc
	refute_line s3://fmt/in/folder/
	assert_line s3://fmt/in/sub/x
}

@test "s3a:// and s3n:// are s3://; s3://bucket and s3://bucket/ list the bucket" {
	run -0 s3cat -l s3a://odd/o/ s3n://odd/o/t~x
	assert_line --index 0 "s3://odd/o/(1)"
	assert_line "s3://odd/o/t~x"
	s3cat -l s3://many >a
	s3cat -l s3://many/ >b
	cmp a b
	[ "$(wc -l <a)" -eq 1203 ]
}

@test "every format comes out decoded, each object ending in one newline" {
	for f in plain.txt a.gz multi.gz part-00000.gzip sneaky.txt fake.gz \
		empty nonl nonl.gz lone1f; do
		s3cat "s3://fmt/in/$f" >got
		decoded "$F/$f" | cmp - got
	done
	# stored with Content-Encoding: gzip: decoded once, by us
	curl -sI "$S3_ENDPOINT/fmt/enc/a" | grep -qi '^content-encoding: gzip'
	run -0 s3cat s3://fmt/enc/a
	assert_output "gz 1
gz 2"
	run -0 s3cat s3://fmt/in/multi.gz s3://fmt/in/empty s3://fmt/in/nonl s3://fmt/in/nonl.gz
	assert_output "member 1
member 2
member 3
no final newline
gz no final newline"
}

@test "a corrupt or truncated gzip object fails alone (exit 1); the others are written" {
	run -1 --separate-stderr s3cat s3://fmt/in/a.gz s3://fmt/bad/trunc.gz s3://fmt/bad/junk.gz s3://fmt/in/plain.txt
	assert_line --index 0 "gz 1"
	assert_line --index 1 "gz 2"
	assert_line "plain 1"
	[ "${lines[-1]}" = "plain 2" ]
	assert_equal "$stderr" "s3cat: s3://fmt/bad/trunc.gz: gzip: unexpected end of data (truncated)
s3cat: s3://fmt/bad/junk.gz: gzip: trailing garbage after the compressed data"
}

# togot CMD...: CMD with its output in ./got (run keeps its stderr)
togot() { "$@" >got; }

# whole FILE: what FILE has up to its last newline, and that many bytes
# fewer in HELD: a cut-short object's complete lines
whole() {
	perl -0777 -pe 's/[^\n]*\z//' "$1"
	HELD=$(($(wc -c <"$1") - $(perl -0777 -pe 's/[^\n]*\z//' "$1" | wc -c)))
}

# cutwant DIR: the output and messages of the objects in DIR below
cutwant() {
	{ gzip -dc "$F/cut.gz" || :; } >cut.all 2>/dev/null
	{ gzip -dc "$F/cutbig.gz" || :; } >cutbig.all 2>/dev/null
	{ bzip2 -dc "$F/cutbig.bz2" || :; } >cutbig.bz.all 2>/dev/null
	{
		decoded "$F/a.gz"
		whole cut.all
		decoded "$F/nonl" "$F/plain.txt"
		whole cutbig.all
		whole cutbig.bz.all
		decoded "$F/tiny"
	} >want
	whole cut.all >/dev/null
	[ "$HELD" -gt 0 ]
	printf 's3cat: %s/cut.gz: gzip: unexpected end of data (truncated); its last %d bytes, an unfinished line, not written\n' "$1" "$HELD" >want.err
	whole cutbig.all >/dev/null
	[ "$HELD" -gt 0 ]
	printf 's3cat: %s/cutbig.gz: gzip: unexpected end of data (truncated); its last %d bytes, an unfinished line, not written\n' "$1" "$HELD" >>want.err
	whole cutbig.bz.all >/dev/null
	[ "$HELD" -gt 0 ]
	printf 's3cat: %s/cutbig.bz2: bzip2: unexpected end of data (truncated); its last %d bytes, an unfinished line, not written\n' "$1" "$HELD" >>want.err
}

@test "an object cut short writes its complete lines only, never its unfinished last one (S3)" {
	cutwant s3://fmt/bad
	for j in 1 4; do
		run -1 --separate-stderr togot s3cat -j "$j" \
			s3://fmt/in/a.gz s3://fmt/bad/cut.gz s3://fmt/in/nonl \
			s3://fmt/in/plain.txt s3://fmt/bad/cutbig.gz \
			s3://fmt/bad/cutbig.bz2 s3://fmt/in/tiny
		cmp want got
		assert_equal "$stderr" "$(cat want.err)"
	done
}

@test "a local file cut short writes its complete lines only, never its unfinished last one" {
	cutwant "$F"
	for j in 1 4; do
		run -1 --separate-stderr togot s3cat -j "$j" \
			"$F/a.gz" "$F/cut.gz" "$F/nonl" "$F/plain.txt" \
			"$F/cutbig.gz" "$F/cutbig.bz2" "$F/tiny"
		cmp want got
		assert_equal "$stderr" "$(cat want.err)"
	done
}

@test "a gzip member cut in its middle: only whole lines of it are written, S3 and local" {
	for u in s3://fmt/bad/cutmid.gz "$F/cutmid.gz"; do
		for j in 1 4; do
			run -1 --separate-stderr togot s3cat -j "$j" \
				"$F/a.gz" "$u" "$F/tiny"
			# gz 1, gz 2, then whole lines of cut, then x
			[ "$(head -n 2 got)" = "$(printf 'gz 1\ngz 2')" ]
			[ "$(tail -n 1 got)" = x ]
			sed '1,2d;$d' got >mid
			[ -s mid ]
			cmp mid <(head -c "$(wc -c <mid)" "$F/cut")
			[[ $stderr =~ ^"s3cat: $u: gzip: unexpected end of data (truncated); its last "([0-9]+)" bytes, an unfinished line, not written"$ ]]
			# a part of the line after them, never a whole one
			n=${BASH_REMATCH[1]}
			[ "$n" -gt 0 ] && [ "$n" -lt 43 ]
		done
	done
}

@test "bzip2 and zstd objects decode byte-exact (streams, frames); xz and lz4 fail, named" {
	for f in two.bz2 two.zst mid.bz2 mid.zst big1.zst; do
		s3cat "s3://fmt/z/$f" >got
		decoded "$F/$f" | cmp - got
		s3cat "$F/$f" | cmp - got
	done
	run -0 s3cat s3://fmt/z/two.bz2 s3://fmt/z/two.zst
	assert_output "bz 1
bz 2
bz 3
zs 1
zs 2
zs 3"
	decoded "$F/a.gz" "$F/two.bz2" "$F/mid.zst" "$F/plain.txt" "$F/mid.bz2" \
		"$F/big1.zst" >want
	for j in 1 4; do
		run -1 --separate-stderr togot s3cat -j "$j" \
			s3://fmt/in/a.gz s3://fmt/z/two.bz2 s3://fmt/z/one.xz \
			s3://fmt/z/mid.zst s3://fmt/in/plain.txt s3://fmt/z/one.lz4 \
			s3://fmt/z/mid.bz2 s3://fmt/z/big1.zst
		cmp want got
		assert_equal "$stderr" "s3cat: s3://fmt/z/one.xz: xz-compressed data: not read (gzip, bzip2 and zstd are)
s3cat: s3://fmt/z/one.lz4: lz4-compressed data: not read (gzip, bzip2 and zstd are)"
		run -1 --separate-stderr togot s3cat -j "$j" \
			"$F/a.gz" "$F/two.bz2" "$F/one.xz" "$F/mid.zst" \
			"$F/plain.txt" "$F/one.lz4" "$F/mid.bz2" "$F/big1.zst"
		cmp want got
		assert_equal "$stderr" "s3cat: $F/one.xz: xz-compressed data: not read (gzip, bzip2 and zstd are)
s3cat: $F/one.lz4: lz4-compressed data: not read (gzip, bzip2 and zstd are)"
	done
}

@test "a whole prefix: its objects in listing order, -j 1 and -j 8 alike" {
	s3cat -l s3://fmt/in/ | sed 's,^s3://fmt/in/,,' >names
	assert_equal "$(tr '\n' ' ' <names)" "a.gz big1 big2.gz empty fake.gz lone1f mid multi.gz nonl nonl.gz part-00000.gzip plain.txt sneaky.txt sub/x tiny "
	while read -r n; do
		decoded "$F/${n/sub\/x/ok}"
	done <names >want
	for j in 1 8; do
		s3cat -j $j s3://fmt/in/ >got
		cmp want got
	done
}

@test "-j writes objects of very different sizes whole and in order" {
	set -- big1 tiny big2.gz empty mid nonl big1 multi.gz tiny big2.gz
	decoded "${@/#/$F/}" >want
	for j in 1 3 8 64; do
		s3cat -j "$j" "${@/#/s3://fmt/in/}" >got
		cmp want got
	done
}

@test "odd keys are listed and fetched (space + = ~ % ( ) ü ; , : @ \$ & ')" {
	run -0 s3cat -l s3://odd/o/
	assert_output "s3://odd/o/(1)
s3://odd/o/a b
s3://odd/o/a+b
s3://odd/o/a;b,c:d@e\$f
s3://odd/o/c=d
s3://odd/o/p%20q
s3://odd/o/t~x
s3://odd/o/über"
	s3cat s3://odd/o/ >got
	sed 's,^s3://odd/,,' <<<"$output" | cmp - got
	# and by name, each on its own
	while read -r u; do
		[ "$(s3cat "$u")" = "${u#s3://odd/}" ]
	done <<<"$output"
	printf 'amp\n' >amp
	curl -sf -X PUT --data-binary @amp "$S3_ENDPOINT/odd/$(enc "o2/a&b'c")"
	run -0 s3cat "s3://odd/o2/a&b'c"
	assert_output amp
}

@test "URLs from stdin: blank lines and CRs ignored, prefixes and objects mixed" {
	printf 's3://fmt/in/a.gz\r\n\n   \ns3://odd/o/t~x\ns3://fmt/in/sub/' >in
	run -0 s3cat <in
	assert_output "gz 1
gz 2
o/t~x
ok"
	s3cat -l s3://many/p/ | s3cat -j 8 >got
	[ "$(wc -l <got)" -eq 1203 ]
	[ "$(sort -u got)" = k ]
}

@test "-l prints local paths and S3 URLs in order; a missing file fails alone" {
	mkdir -p d/sub d/a-b d/.git
	printf 'x\n' >d/sub/f
	printf 'x\n' >d/a-b/f
	printf 'x\n' >d/zz
	printf 'x\n' >d/_SUCCESS
	printf 'x\n' >d/.hidden
	printf 'x\n' >d/.git/config
	run -1 --separate-stderr s3cat -l d s3://odd/o/t~x nope d/sub/
	assert_output "d/a-b/f
d/sub/f
d/zz
s3://odd/o/t~x
d/sub/f"
	assert_equal "$stderr" "s3cat: nope: No such file or directory"
}

@test "a local copy of a prefix lists and streams as the prefix does" {
	mkdir -p copy/in/sub copy/in/folder
	for f in plain.txt a.gz multi.gz part-00000.gzip sneaky.txt fake.gz \
		empty nonl nonl.gz lone1f big1 big2.gz mid tiny; do
		cp "$F/$f" copy/in/
	done
	cp "$F/ok" copy/in/sub/x
	cp "$F/ok" copy/in/_SUCCESS
	cp "$F/ok" copy/in/.hidden
	cp "$F/ok" copy/in/sub/.crc
	s3cat -l copy/in | sed 's,^copy/in/,,' >local
	s3cat -l s3://fmt/in/ | sed 's,^s3://fmt/in/,,' >remote
	cmp local remote
	s3cat -j 4 s3://fmt/in/ >a
	s3cat -j 4 copy/in >b
	cmp a b
	s3cat copy/in/ >c
	cmp a c
	s3cat copy/in/big2.gz copy/in/mid >d
	decoded "$F/big2.gz" "$F/mid" | cmp - d
}

@test "a dangling link or a fifo in a folder fails alone, first, middle or last; the files beside it are read" {
	mkdir -p a/run=X/sub
	ln -s nowhere a/run=X/part-0
	printf 'one\n' >a/run=X/part-1
	ln -s nowhere a/run=X/part-2
	printf 'three\n' | gzip >a/run=X/part-3
	mkfifo a/run=X/part-4
	printf 'five\n' >a/run=X/sub/f
	ln -s ../nowhere a/run=X/sub/g
	ln -s nowhere a/run=X/zz
	run -1 --separate-stderr s3cat -l a
	assert_output "a/run=X/part-1
a/run=X/part-3
a/run=X/sub/f"
	assert_equal "$stderr" "s3cat: a/run=X/part-0: No such file or directory
s3cat: a/run=X/part-2: No such file or directory
s3cat: a/run=X/part-4: not a regular file
s3cat: a/run=X/sub/g: No such file or directory
s3cat: a/run=X/zz: No such file or directory"
	for j in 1 4; do
		run -1 --separate-stderr s3cat -j "$j" a/run=X/
		assert_output "one
three
five"
		assert_equal "$stderr" "s3cat: a/run=X/part-0: No such file or directory
s3cat: a/run=X/part-2: No such file or directory
s3cat: a/run=X/part-4: not a regular file
s3cat: a/run=X/sub/g: No such file or directory
s3cat: a/run=X/zz: No such file or directory"
	done
	# only the last one
	mkdir b
	printf 'one\n' >b/f
	ln -s nowhere b/g
	run -1 --separate-stderr s3cat b
	assert_output one
	assert_equal "$stderr" "s3cat: b/g: No such file or directory"
}

@test "hidden folders and files below the prefix are skipped (_temporary, .spark-staging, _SUCCESS), in S3 and on disk" {
	r=arch/run=2017-01-01-00-00-00
	mkdir -p "h/$r/_temporary/0/_temporary/attempt_1" "h/$r/.spark-staging" \
		"h/$r/sub" "h/arch/_logs"
	printf 'p0\n' >"h/$r/part-00000"
	printf 'p2\n' | gzip >"h/$r/part-00002.gz"
	printf 'ok\n' >"h/$r/_SUCCESS"
	printf 'tmp\n' >"h/$r/_temporary/0/_temporary/attempt_1/part-00000"
	printf 'tmp9\n' >"h/$r/_temporary/0/part-00009"
	printf 'staged\n' >"h/$r/.spark-staging/part-00001"
	printf 'crc\n' >"h/$r/sub/.part-00003.crc"
	printf 'p3\n' >"h/$r/sub/part-00003"
	printf 'log\n' >"h/arch/_logs/history"
	mkbucket hid
	s3_put_dir h hid
	# on disk, not even entered: a dangling link there would fail
	ln -s nowhere "h/$r/.spark-staging/broken"
	ln -s nowhere "h/$r/.#lock"
	want="$r/part-00000
$r/part-00002.gz
$r/sub/part-00003"
	run -0 s3cat -l s3://hid/arch/
	assert_output "${want//arch\//s3://hid/arch/}"
	run -0 s3cat -l h/arch
	assert_output "${want//arch\//h/arch/}"
	run -0 s3cat -l "h/$r/"
	assert_output "${want//arch\//h/arch/}"
	run -0 s3cat s3://hid/arch/
	assert_output "p0
p2
p3"
	run -0 s3cat h/arch
	assert_output "p0
p2
p3"
	# a hidden folder named on purpose is read, but not the hidden below it
	run -0 s3cat -l "s3://hid/$r/_temporary/"
	assert_output "s3://hid/$r/_temporary/0/part-00009"
	run -0 s3cat -l "h/$r/_temporary"
	assert_output "h/$r/_temporary/0/part-00009"
	run -0 s3cat -l s3://hid/arch/_logs/ h/arch/_logs
	assert_output "s3://hid/arch/_logs/history
h/arch/_logs/history"
}

@test "a missing key fails alone (exit 1, S3's code and message); others are written" {
	run -1 --separate-stderr s3cat s3://fmt/in/a.gz s3://fmt/in/nokey s3://fmt/in/plain.txt
	assert_output "gz 1
gz 2
plain 1
plain 2"
	assert_equal "$stderr" "s3cat: s3://fmt/in/nokey: NoSuchKey: The specified key does not exist."
}

@test "a missing bucket: the remote refused us (exit 3)" {
	run -3 --separate-stderr s3cat s3://no-such-bucket/k
	assert_equal "$stderr" "s3cat: s3://no-such-bucket/k: NoSuchBucket: The specified bucket does not exist"
	run -3 --separate-stderr s3cat -l s3://no-such-bucket/
	assert_equal "$stderr" "s3cat: s3://no-such-bucket/: NoSuchBucket: The specified bucket does not exist"
}

@test "a wrong secret: SignatureDoesNotMatch, exit 3, nothing written" {
	export AWS_SECRET_ACCESS_KEY=not-the-secret
	run -3 --separate-stderr s3cat s3://fmt/in/a.gz s3://fmt/in/plain.txt
	assert_output ""
	assert_equal "$stderr" "s3cat: s3://fmt/in/a.gz: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method."
	run -3 --separate-stderr s3cat -l s3://fmt/in/
	assert_output --partial ""
	assert_equal "${stderr%%:*}" "s3cat"
	[[ $stderr == *SignatureDoesNotMatch* ]]
	export AWS_ACCESS_KEY_ID=AKIDUNKNOWN
	run -3 --separate-stderr s3cat s3://fmt/in/a.gz
	[[ $stderr == *InvalidAccessKeyId* ]]
}

@test "no credentials at all: exit 3 and says so; --no-sign-request goes anonymous" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	run -3 --separate-stderr s3cat s3://fmt/in/a.gz
	assert_output ""
	[[ $stderr == "s3cat: "*credentials* ]]
	run -0 s3cat --no-sign-request s3://fmt/in/a.gz
	assert_output "gz 1
gz 2"
	# local inputs need none
	run -0 s3cat "$F/a.gz"
	assert_output "gz 1
gz 2"
}

@test "an endpoint from -e wins over the environment's" {
	export AWS_ENDPOINT_URL_S3=http://127.0.0.1:9/
	run -0 s3cat -e "$S3_ENDPOINT" s3://fmt/in/a.gz
	assert_output "gz 1
gz 2"
	unset AWS_ENDPOINT_URL_S3
	export AWS_ENDPOINT_URL=$S3_ENDPOINT
	run -0 s3cat s3://fmt/in/a.gz
	run -2 --separate-stderr s3cat -e ftp://x s3://fmt/in/a.gz
	assert_equal "$stderr" "s3cat: endpoint URL 'ftp://x' (from the command line): the scheme must be http:// or https://"
}

@test "throttling (503 SlowDown) and 500 are retried, shown by -v, output exact" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"a.gz"},"action":"status","status":503,"times":3,
		"body":"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"},
		{"match":{"path":"plain"},"action":"status","status":500,"times":1,
		"body":"<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"},
		{"match":{"path":"many"},"action":"status","status":503,"times":1}]'
	run -0 --separate-stderr s3cat -v -e "$PROXY" s3://fmt/in/a.gz s3://fmt/in/plain.txt
	assert_output "gz 1
gz 2
plain 1
plain 2"
	[[ $stderr =~ "s3cat: s3://fmt/in/a.gz: retry 2 in "[0-9]+" ms: HTTP 503 SlowDown" ]]
	[[ $stderr =~ "s3cat: s3://fmt/in/a.gz: retry 4 in "[0-9]+" ms: HTTP 503 SlowDown" ]]
	[[ $stderr =~ "s3cat: s3://fmt/in/plain.txt: retry 2 in "[0-9]+" ms: HTTP 500 InternalError" ]]
	[[ $stderr =~ "s3cat: 2 objects, "[0-9]+" bytes in, 26 bytes out, 4 retries, 0 failed"$ ]]
	# a listing page too
	run -0 s3cat -l -e "$PROXY" s3://many/p/
	[ "${#lines[@]}" -eq 1203 ]
}

@test "a body cut mid-way resumes with Range and If-Match: output byte-exact" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"big1"},"action":"cut","bytes":1000000,"times":3},
		{"match":{"path":"big2"},"action":"cut","bytes":300000,"times":1},
		{"match":{"path":"mid"},"action":"reset","times":1}]'
	decoded "$F/big1" "$F/big2.gz" "$F/mid" >want
	run -0 --separate-stderr s3cat -v -j 3 -e "$PROXY" s3://fmt/in/big1 s3://fmt/in/big2.gz s3://fmt/in/mid
	s3cat -e "$S3_ENDPOINT" s3://fmt/in/big1 s3://fmt/in/big2.gz s3://fmt/in/mid | cmp - want
	printf '%s\n' "$output" | cmp - want
	[[ $stderr =~ "s3cat: s3://fmt/in/big1: resume from byte 1000000, retry 2 in "[0-9]+" ms: " ]]
	[[ $stderr =~ "s3cat: s3://fmt/in/big1: resume from byte 3000000, retry 2 in "[0-9]+" ms: " ]]
	[[ $stderr =~ "s3cat: s3://fmt/in/big2.gz: resume from byte 300000, " ]]
	[[ $stderr =~ "s3cat: s3://fmt/in/mid: retry 2 in " ]]
	etag=$(curl -sI "$S3_ENDPOINT/fmt/in/big1" | tr -d '\r' | sed -n 's/^ETag: //Ip')
	proxy_stats | jq -r '.log[] | select(.url == "/fmt/in/big1") | "\(.range) \(.ifMatch)"' >log
	assert_equal "$(cat log)" "null null
bytes=1000000- $etag
bytes=2000000- $etag
bytes=3000000- $etag"
}

@test "a slow or stalled body is waited for, output exact" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"mid"},"action":"stall","bytes":100000,"ms":1500,"times":1},
		{"match":{"path":"a.gz"},"action":"delay","ms":800,"times":1}]'
	decoded "$F/mid" "$F/a.gz" "$F/tiny" >want
	s3cat -j 3 -e "$PROXY" s3://fmt/in/mid s3://fmt/in/a.gz s3://fmt/in/tiny >got
	cmp want got
}

@test "an object replaced between attempts: 412, a failure for it alone" {
	proxy_up "$S3_ENDPOINT"
	cp "$F/big1" v1
	put fmt chg/obj v1
	proxy_rules '[{"match":{"path":"chg/obj","header":{"range":"."}},"action":"delay","ms":1000,"times":1},
		{"match":{"path":"chg/obj"},"action":"cut","bytes":500000,"times":1}]'
	s3cat -v -e "$PROXY" s3://fmt/chg/obj s3://fmt/in/a.gz >out 2>err &
	pid=$!
	for _ in $(seq 100); do
		proxy_stats | jq -e '.log[] | select(.range != null)' >/dev/null && break
		sleep 0.05
	done
	cp "$F/big1" v2
	printf 'changed\n' >>v2
	put fmt chg/obj v2
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	# what came before the change, its whole lines only, then the next
	# object
	head -c 500000 v1 >before
	whole before >want
	printf 'gz 1\ngz 2\n' >>want
	cmp want out
	grep -qxF "s3cat: s3://fmt/chg/obj: PreconditionFailed: At least one of the pre-conditions you specified did not hold (the object changed during the transfer); its last $HELD bytes, an unfinished line, not written" err
}

@test "--request-payer sends x-amz-request-payer: requester" {
	proxy_up "$S3_ENDPOINT"
	run -0 s3cat --request-payer -e "$PROXY" s3://fmt/in/a.gz
	run -0 s3cat -e "$PROXY" s3://fmt/in/plain.txt
	assert_equal "$(proxy_stats | jq -r '.log[].payer')" "requester
null"
}

@test "a full disk is a write error (exit 1); a closed pipe ends quietly" {
	run -1 --separate-stderr bash -c 's3cat s3://fmt/in/big1 >/dev/full'
	assert_equal "$stderr" "s3cat: stdout: write error: No space left on device"
	run -1 --separate-stderr bash -c 's3cat "$1" >/dev/full' - "$F/a.gz"
	assert_equal "$stderr" "s3cat: stdout: write error: No space left on device"
	run -0 --separate-stderr bash -c 'set -o pipefail; s3cat -j 4 s3://fmt/in/big1 s3://fmt/in/mid | head -1; echo "${PIPESTATUS[0]}" >&2'
	assert_equal "$stderr" 141
	assert_equal "${#lines[@]}" 1
}

@test "SIGTERM and SIGINT stop a transfer at once (exit 143, 130)" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"mid"},"action":"stall","bytes":1000,"ms":30000}]'
	s3cat -e "$PROXY" s3://fmt/in/mid >/dev/null 2>err &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	s3cat -e "$PROXY" s3://fmt/in/mid >/dev/null 2>err &
	pid=$!
	sleep 0.5
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	assert_equal "$(cat err)" ""
}

@test "-j 8 over large objects holds a bounded share of each: RSS stays flat" {
	if nm "$TOP/bin/s3cat" 2>/dev/null | grep -q __asan_init; then
		skip "a sanitizer build: its RSS says nothing"
	fi
	head -c 12000000 /dev/urandom >r
	putmany fmt r $(seq -f 'large/%g' 1 10)
	/usr/bin/time -f %M -o rss s3cat -j 8 s3://fmt/large/ >/dev/null
	/usr/bin/time -f %M -o rss1 s3cat -j 8 s3://fmt/large/1 >/dev/null
	# 10 x 12 MB read 8 at a time; 4 MB held for each object not yet due
	[ "$(cat rss)" -lt 60000 ]
	echo "peak RSS -j 8: $(cat rss) kB; one object: $(cat rss1) kB" >&3
}

# serve NAME [option ...]: a credentials responder, tests/servers/NAME.js,
# on a free port of 127.0.0.1; sets PORT; its log is NAME.log here
serve() {
	local name=$1 ready=$BATS_TEST_TMPDIR/$1.port
	shift
	node "$TOP/tests/servers/$name.js" --ready "$ready" \
		--log "$BATS_TEST_TMPDIR/$name.log" "$@" 3>&- &
	SERVED+=($!)
	for _ in $(seq 100); do
		[ -s "$ready" ] && break
		sleep 0.05
	done
	PORT=$(cat "$ready")
}
unserve() {
	local p
	for p in "${SERVED[@]:-}"; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}
# nocreds: no credentials in the environment; files from a fake HOME
nocreds() {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE \
		AWS_SHARED_CREDENTIALS_FILE
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME/.aws"
	SERVED=()
}

@test "credentials from the environment, a session token included" {
	export AWS_SESSION_TOKEN=session-token-s3rver-ignores
	run -0 s3cat s3://fmt/in/a.gz
	assert_output "gz 1
gz 2"
}

@test "credentials from shared files: [default], -p, AWS_PROFILE, [profile x], a bad -p" {
	nocreds
	printf '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = wrong\n[good]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' >"$HOME/.aws/credentials"
	printf '[profile cfg]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\nregion = eu-west-1\n[profile ep]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\nendpoint_url = %s\n' "$S3_ENDPOINT" >"$HOME/.aws/config"
	run -3 --separate-stderr s3cat s3://fmt/in/a.gz
	[[ $stderr == *SignatureDoesNotMatch* ]]
	run -0 s3cat -p good s3://fmt/in/a.gz
	assert_output "gz 1
gz 2"
	AWS_PROFILE=good run -0 s3cat s3://fmt/in/plain.txt
	assert_output "plain 1
plain 2"
	run -0 s3cat --profile cfg s3://fmt/in/plain.txt
	# the endpoint from the profile
	unset AWS_ENDPOINT_URL_S3
	run -0 s3cat -p ep s3://fmt/in/plain.txt
	assert_output "plain 1
plain 2"
	run -2 --separate-stderr s3cat -p nosuch s3://fmt/in/plain.txt
	[[ $stderr == "s3cat: "*nosuch* ]]
}

@test "credentials from a credential_process" {
	nocreds
	cat >"$HOME/proc" <<'EOT'
#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER"}'
EOT
	chmod +x "$HOME/proc"
	printf '[profile p]\ncredential_process = %s\n' "$HOME/proc" >"$HOME/.aws/config"
	run -0 s3cat -p p s3://fmt/in/a.gz
	assert_output "gz 1
gz 2"
}

@test "temporary credentials are fetched again before they expire, mid-run" {
	nocreds
	# each call counts itself and hands out keys that expire in 6 s,
	# so they go stale half way, 3 s after they came
	cat >"$HOME/proc" <<EOT
#!/bin/sh
echo call >>"$BATS_TEST_TMPDIR/calls"
printf '{"Version": 1, "AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER", "Expiration": "%s"}\n' \
	"\$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)"
EOT
	chmod +x "$HOME/proc"
	printf '[profile p]\ncredential_process = %s\n' "$HOME/proc" >"$HOME/.aws/config"
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match": {"method": "GET"}, "action": "delay", "ms": 1500}]'
	AWS_ENDPOINT_URL_S3=$PROXY run -0 s3cat -j 1 -p p s3://fmt/in/a.gz \
		s3://fmt/in/plain.txt s3://fmt/in/a.gz s3://fmt/in/plain.txt
	assert_output "gz 1
gz 2
plain 1
plain 2
gz 1
gz 2
plain 1
plain 2"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/calls")" -ge 2 ]
}

@test "credentials from a container endpoint and from IMDSv2; none asked for local files" {
	nocreds
	serve container --akid S3RVER --secret S3RVER
	export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$PORT/v2/credentials/task
	run -0 s3cat "$F/a.gz"
	[ ! -s container.log ]
	run -0 s3cat s3://fmt/in/a.gz s3://fmt/in/plain.txt
	assert_output "gz 1
gz 2
plain 1
plain 2"
	assert_equal "$(cat container.log)" "GET /v2/credentials/task auth=none"
	unset AWS_CONTAINER_CREDENTIALS_FULL_URI
	serve imds --akid S3RVER --secret S3RVER
	export AWS_EC2_METADATA_DISABLED=false
	export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$PORT
	run -0 s3cat -l s3://many/p/
	[ "${#lines[@]}" -eq 1203 ]
	run grep -c 'token=ok' imds.log
	[ "$output" -ge 2 ]
	grep -q '^PUT /latest/api/token' imds.log
}

@test "a resumed Range answered with 200 and the whole object: no byte twice, none lost" {
	# 33,000 bytes cut at 10,000; the server then ignores the Range (it
	# is asked anonymously, as Range is signed) and sends it all again
	head -c 24750 /dev/urandom | base64 -w 76 | head -c 33000 >obj
	put fmt r200/obj obj
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"r200/obj","header":{"range":"."}},"action":"pass","drop":["range","authorization"]},
		{"match":{"path":"r200/obj"},"action":"cut","bytes":10000,"times":1}]'
	for j in 1 4; do
		run -0 --separate-stderr togot s3cat -j "$j" -e "$PROXY" \
			s3://fmt/r200/obj s3://fmt/in/a.gz
		decoded obj "$F/a.gz" | cmp - got
		assert_equal "$(proxy_stats | jq -r '.log[] | select(.url == "/fmt/r200/obj") | .range')" "null
bytes=10000-"
		curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
		proxy_rules '[{"match":{"path":"r200/obj","header":{"range":"."}},"action":"pass","drop":["range","authorization"]},
			{"match":{"path":"r200/obj"},"action":"cut","bytes":10000,"times":1}]'
	done
}

# sumkeys FILE: the summary's keys, in order
sumkeys() { jq -r 'keys_unsorted | join(" ")' "$1"; }

@test "-S: one JSON object at the end, its keys in order, private to its owner" {
	run -1 --separate-stderr togot s3cat -S sum s3://fmt/in/a.gz s3://fmt/in/nokey "$F/plain.txt"
	assert_equal "$(sumkeys sum)" "prog listed objects failed bytes_in bytes_out retries"
	assert_equal "$(cat sum)" "{\"prog\":\"s3cat\",\"listed\":0,\"objects\":2,\"failed\":1,\"bytes_in\":$(($(wc -c <"$F/a.gz") + $(wc -c <"$F/plain.txt"))),\"bytes_out\":$(wc -c <got),\"retries\":0}"
	assert_equal "$(stat -c %a sum)" 600
	[ "$(wc -l <sum)" -eq 1 ]
	run -0 s3cat -l -S sum s3://many/p/
	assert_equal "$(jq -c '[.listed, .objects, .failed]' sum)" "[1203,0,0]"
	# retries counted
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"a.gz"},"action":"status","status":503,"times":2}]'
	run -0 s3cat -S sum -e "$PROXY" s3://fmt/in/a.gz
	assert_equal "$(jq -c '[.objects, .retries]' sum)" "[1,2]"
}

@test "-S is written however s3cat ends: a refusal, a configuration error, SIGTERM" {
	run -3 s3cat -S sum s3://fmt/in/a.gz s3://no-such-bucket/k s3://fmt/in/plain.txt
	assert_equal "$(jq -c '[.objects, .failed]' sum)" "[1,1]"
	rm sum
	# at the first S3 request, before the file ahead of it is written
	run -2 s3cat -S sum -p nosuch "$F/a.gz" s3://fmt/in/a.gz
	assert_equal "$(jq -c '[.objects, .failed]' sum)" "[0,0]"
	rm sum
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"mid"},"action":"stall","bytes":1000,"ms":30000}]'
	s3cat -S sum -e "$PROXY" s3://fmt/in/a.gz s3://fmt/in/mid >/dev/null 2>err &
	pid=$!
	sleep 0.5
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	assert_equal "$(sumkeys sum)" "prog listed objects failed bytes_in bytes_out retries"
	assert_equal "$(jq -c '[.objects, .failed]' sum)" "[1,0]"
}

@test "-l -s: each name, a tab, its size in bytes; stdin reads the names back" {
	run -0 s3cat -l -s s3://fmt/in/
	assert_line "s3://fmt/in/big1	$(wc -c <"$F/big1")"
	assert_line "s3://fmt/in/empty	0"
	assert_line "s3://fmt/in/sub/x	$(wc -c <"$F/ok")"
	[ "${#lines[@]}" -eq 15 ]
	s3cat -l s3://fmt/in/ | paste - <(cut -f 2 <<<"$output") | cmp - <(printf '%s\n' "$output")
	# what a planner does with them, and s3cat reading them back
	s3cat -l -s s3://fmt/in/ | s3cat -j 4 >got
	s3cat -j 4 s3://fmt/in/ | cmp - got
	# a local folder, and files named: st_size
	mkdir -p d/sub
	printf 'abc\n' >d/sub/f
	: >d/e
	run -0 s3cat -l -s d "$F/big1"
	assert_output "d/e	0
d/sub/f	4
$F/big1	$(wc -c <"$F/big1")"
	s3cat -l -s d | s3cat >got
	printf 'abc\n' | cmp - got
	# an object named by its URL is looked for; a missing one fails alone
	run -1 --separate-stderr s3cat -l -s s3://fmt/in/mid s3://fmt/in/nokey s3://fmt/in/mi "$F/tiny"
	assert_output "s3://fmt/in/mid	$(wc -c <"$F/mid")
$F/tiny	1"
	assert_equal "$stderr" "s3cat: s3://fmt/in/nokey: no such key
s3cat: s3://fmt/in/mi: no such key"
}

@test "stdin: a tab and what follows it are not the URL's" {
	printf 's3://fmt/in/a.gz\t123\ns3://fmt/in/plain.txt\tanything at all\r\n\t\n%s\t9\n' "$F/tiny" >in
	run -0 s3cat <in
	assert_output "gz 1
gz 2
plain 1
plain 2
x"
}

@test "a listed key holding a NUL byte (%00) fails alone; the others are listed" {
	proxy_up "$S3_ENDPOINT"
	proxy_rules '[{"match":{"path":"list-type"},"action":"status","status":200,
		"headers":{"content-type":"application/xml"},
		"body":"<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>p/a%00b</Key><Size>3</Size></Contents><Contents><Key>p/c</Key><Size>4</Size></Contents></ListBucketResult>"}]'
	run -1 --separate-stderr s3cat -l -s -e "$PROXY" s3://fmt/p/
	assert_output "s3://fmt/p/c	4"
	assert_equal "$stderr" "s3cat: s3://fmt/p/a: a NUL byte in the key"
}

# regions: three buckets "in eu-west-1" behind the proxy, which answers
# a request signed for another region as S3 does, one form a bucket
region_rules() {
	proxy_rules '[{"match":{"path":"^/rega","header":{"authorization":"/us-east-1/"}},"action":"status","status":301,
		"headers":{"x-amz-bucket-region":"eu-west-1","content-type":"application/xml"},
		"body":"<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.</Message><Endpoint>rega.s3.eu-west-1.amazonaws.com</Endpoint><Bucket>rega</Bucket></Error>"},
		{"match":{"path":"^/regb","header":{"authorization":"/us-east-1/"}},"action":"status","status":400,
		"headers":{"content-type":"application/xml"},
		"body":"<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region '\''us-east-1'\'' is wrong; expecting '\''eu-west-1'\''</Message><Region>eu-west-1</Region></Error>"},
		{"match":{"path":"^/regc","header":{"authorization":"/us-east-1/"}},"action":"status","status":403,
		"headers":{"x-amz-bucket-region":"eu-west-1"}}]'
}
# perbucket: requests the proxy saw for each bucket, "BUCKET N" lines
perbucket() { proxy_stats | jq -r '.log[].url' | cut -d/ -f2 | cut -d'?' -f1 | sort | uniq -c | awk '{ print $2, $1 }'; }

@test "a bucket in another region is found from S3's answer (301, AuthorizationHeaderMalformed, x-amz-bucket-region): one request more a bucket" {
	for b in rega regb regc; do
		mkbucket "$b"
		for k in 1 2 3 4 5; do put "$b" "p/$k" "$F/mid"; done
	done
	proxy_up "$S3_ENDPOINT"
	region_rules
	decoded "$F/mid" "$F/mid" "$F/mid" "$F/mid" "$F/mid" >want5
	for b in rega regb regc; do
		# a prefix, then the same objects by name, 4 at once
		run -0 --separate-stderr togot s3cat -j 4 -e "$PROXY" "s3://$b/p/"
		cmp want5 got
		assert_equal "$stderr" ""
		run -0 togot s3cat -j 4 -e "$PROXY" s3://$b/p/{1,2,3,4,5}
		cmp want5 got
	done
	# each run found it once: a listing and 5 objects, and 5 objects
	assert_equal "$(perbucket)" "rega 13
regb 13
regc 13"
	[ "$(proxy_stats | jq '[.log[] | select(.fault != null)] | length')" -eq 6 ]
	# every other request was signed for the bucket's region
	assert_equal "$(proxy_stats | jq -r '.log[] | select(.fault == null) | .region' | sort -u)" eu-west-1
	# -r is the user's word: refused, saying where the bucket is
	run -3 --separate-stderr s3cat -r us-east-1 -e "$PROXY" s3://rega/p/1
	assert_equal "$stderr" "s3cat: s3://rega/p/1: PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint. (the bucket is in eu-west-1, not us-east-1: see -r)"
	run -0 s3cat -r eu-west-1 -e "$PROXY" s3://regb/p/1
	# s3put alike
	run -0 --separate-stderr s3put -e "$PROXY" s3://regb/new <"$F/mid"
	s3cat s3://regb/new | cmp - "$F/mid"
}

@test "a resume past the last byte (416) ends the object when every byte of its size came; else it fails" {
	n=$(wc -c <"$F/mid")
	proxy_up "$S3_ENDPOINT"
	# every byte, then the connection drops before the chunked body's end
	proxy_rules "[{\"match\":{\"path\":\"in/mid\",\"header\":{\"range\":\"^\$\"}},\"action\":\"cut\",\"bytes\":$n,\"chunked\":true,\"times\":1}]"
	run -0 --separate-stderr togot s3cat -v -e "$PROXY" s3://fmt/in/mid s3://fmt/in/a.gz
	decoded "$F/mid" "$F/a.gz" | cmp - got
	assert_equal "$(proxy_stats | jq -r '.log[] | select(.url == "/fmt/in/mid") | .range')" "null
bytes=$n-"
	# a Content-Length one byte over what came: not whole
	curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
	proxy_rules "[{\"match\":{\"path\":\"in/mid\",\"header\":{\"range\":\"^\$\"}},\"action\":\"cut\",\"bytes\":$n,\"chunked\":true,\"times\":1,\"set\":{\"content-length\":\"$((n + 1))\"}}]"
	run -1 --separate-stderr togot s3cat -e "$PROXY" s3://fmt/in/mid s3://fmt/in/a.gz
	assert_equal "$stderr" "s3cat: s3://fmt/in/mid: HTTP 416 to a resume at byte $n, of an object of $((n + 1)) bytes"
}

@test "a clock 20 minutes off (faketime): S3's RequestTimeTooSkewed is believed once, said once, every later request signed at its time" {
	command -v faketime >/dev/null || skip "no faketime (tools/deps installs it)"
	export FAKETIME_DONT_FAKE_MONOTONIC=1
	proxy_up "$S3_ENDPOINT"
	set -- s3://fmt/in/a.gz s3://fmt/in/plain.txt s3://fmt/in/mid s3://fmt/in/tiny
	decoded "$F/a.gz" "$F/plain.txt" "$F/mid" "$F/tiny" >want
	for off in -20m +20m; do
		curl -sf -X POST "$PROXY/__fault/reset" >/dev/null
		run -0 --separate-stderr togot faketime -f "$off" s3cat -j 4 -e "$PROXY" "$@"
		cmp want got
		[[ $stderr =~ ^"s3cat: the clock here is "1(19[89]|20[01])" s "(behind|ahead of)" the server's: requests are signed at the server's time"$ ]]
		# one request more in all, not one an object
		[ "$(proxy_stats | jq .requests)" -eq 5 ]
	done
	# without the proxy, a listing, and s3put
	run -0 --separate-stderr faketime -f -20m s3cat -l s3://many/p/
	[ "${#lines[@]}" -eq 1203 ]
	printf 'skewed\n' >sk
	run -0 --separate-stderr faketime -f +20m s3put s3://fmt/skewed <sk
	[[ $stderr == "s3put: the clock here is "*" s ahead of the server's: requests are signed at the server's time" ]]
	s3cat s3://fmt/skewed | cmp - sk
}

@test "ExpiredToken: the credentials are fetched again and the request tried once more; the same ones again are a refusal" {
	nocreds
	cat >"$HOME/proc" <<EOT
#!/bin/sh
echo call >>"$BATS_TEST_TMPDIR/calls"
printf '{"Version": 1, "AccessKeyId": "S3RVER", "SecretAccessKey": "S3RVER", "SessionToken": "t%s"}\n' "\$(wc -l <"$BATS_TEST_TMPDIR/calls")"
EOT
	chmod +x "$HOME/proc"
	printf '[profile p]\ncredential_process = %s\n' "$HOME/proc" >"$HOME/.aws/config"
	proxy_up "$S3_ENDPOINT"
	expired='[{"match":{"path":"a.gz"},"action":"status","status":400,"times":1,
		"body":"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>"}]'
	proxy_rules "$expired"
	run -0 s3cat -p p -e "$PROXY" s3://fmt/in/a.gz s3://fmt/in/plain.txt
	assert_output "gz 1
gz 2
plain 1
plain 2"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/calls")" -eq 2 ]
	# keys from the environment stay the same: expired is expired
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_SESSION_TOKEN=old
	proxy_rules "$expired"
	run -3 --separate-stderr s3cat -e "$PROXY" s3://fmt/in/a.gz
	assert_equal "$stderr" "s3cat: s3://fmt/in/a.gz: ExpiredToken: The provided token has expired."
}
