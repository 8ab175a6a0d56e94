#!/usr/bin/env bats
# The sharded populate on the engines (populate emr, batch, k8s), offline:
# the AWS CLI sends the launches to a recorder on 127.0.0.1
# (tests/servers/recorder.js, through `aws --endpoint-url` in a wrapper
# named by AWS_CLI), and the tests read what it kept: the step's
# arguments in their order, the archive and the mapper, the array size,
# the tries, the environment, and no secret.  Then the workers run here
# as each engine would run them (a Hadoop Streaming map task, a Batch
# child, a pod of an Indexed Job), on the local S3 and DynamoDB, and the
# table is the one the sequential populate writes.

load helper

setup_file() {
	servers_up
	cd "$BATS_FILE_TMPDIR"
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	"$TOP/tools/mkarchive" archive 3 30 >/dev/null
	S=en$(printf %s "$BATS_FILE_TMPDIR" | md5sum | cut -c1-8)
	s3_mb "$S"
	s3_put_dir archive "$S/enriched/archive"
	jq --arg t "$S-seq" '.data.dynamodbTable = $t | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json" >seq.json
	populate --log-path seq-logs "s3://$S/enriched/archive/" seq.json 2>/dev/null
	ddb_scan "$S-seq" >want
	[ "$(wc -l <want)" -ge 50 ]
	# the dist tarball, as the step ships it
	make -C "$TOP" -s dist >dist.path
	# the AWS CLI: AWS_CLI, else Debian's, else the first aws on PATH
	# that runs
	local c
	for c in ${AWS_CLI:-} /usr/bin/aws $(type -ap aws); do
		"$c" --version >/dev/null 2>&1 && break
		c=''
	done
	[ -n "$c" ] || { echo "no AWS CLI that runs (tools/deps installs Debian's)" >&3; return 1; }
	echo "$c" >aws.path
	# the recorder, for the whole file
	node "$TOP/tests/servers/recorder.js" --ready rec.ready >rec.log 2>&1 3>&- &
	echo $! >rec.pid
	local i=0
	until [ -s rec.ready ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { cat rec.log >&3; return 1; }
		sleep 0.05
	done
	# the launchers' aws: the real one, sent to the recorder, with keys
	# of its own (the secret must never reach a request)
	cat >aws-rec <<-EOF
	#!/bin/sh
	AWS_ACCESS_KEY_ID=AKIDENGINESTEST AWS_SECRET_ACCESS_KEY=engines/s3kr1t+KEY
	AWS_DEFAULT_REGION=us-east-1
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_DEFAULT_REGION
	exec '$c' --endpoint-url http://127.0.0.1:$(jq .port rec.ready) "\$@"
	EOF
	chmod 0755 aws-rec
}

teardown_file() {
	[ ! -e "$BATS_FILE_TMPDIR/rec.pid" ] || kill "$(cat "$BATS_FILE_TMPDIR/rec.pid")" 2>/dev/null || :
	servers_down
}

setup() {
	cd "$BATS_TEST_TMPDIR"
	export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
	export AWS_ENDPOINT_URL_S3=$S3_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB=$DDB_ENDPOINT
	export AWS_CLI=$BATS_FILE_TMPDIR/aws-rec
	S=en$(printf %s "$BATS_FILE_TMPDIR" | md5sum | cut -c1-8)
	A=s3://$S/enriched/archive/
	T=$S-$(printf '%s' "$BATS_TEST_NAME" | md5sum | cut -c1-10)
	REC=http://127.0.0.1:$(jq .port "$BATS_FILE_TMPDIR/rec.ready")
	DIST=$(cat "$BATS_FILE_TMPDIR/dist.path")
	TNAME=$(basename "$DIST" .tar.gz)
	curl -sf -X DELETE "$REC/__rec/log" >/dev/null
}

teardown() {
	proxy_down
}

# rec: what the recorder kept, a JSON array
rec() { curl -sf "$REC/__rec/log"; }
# rec_ops: the operations it was asked, one a line
rec_ops() { rec | jq -r '.[] | .target // .path'; }

# mkplan K NAME [plan options]: a plan of K shards of $A into the table
# $T-NAME, made in S3: $P
mkplan() {
	local k=$1 n=$2
	shift 2
	jq --arg t "$T-$n" '.data.dynamodbTable = $t | .data.awsRegion = "us-east-1"' \
		"$DATA/configs/dynamodb-1-0-1.json" >"$n.json"
	P=s3://$S/plans/$T-$n
	populate plan --shards "$k" --plan "$P" "$@" "$A" "$n.json" 2>"$n.plan.err" ||
		{ cat "$n.plan.err"; return 1; }
}
# same NAME: the table of plan NAME is the sequential populate's
same() {
	diff "$BATS_FILE_TMPDIR/want" <(ddb_scan "$T-$1") || { echo "plan $1: the tables differ"; return 1; }
}
# nosecret: no request the recorder kept holds a secret
nosecret() {
	local s
	rec >rec.json
	for s in engines/s3kr1t+KEY engines%2Fs3kr1t "$(jq -r .data.secretAccessKey "$DATA/configs/dynamodb-1-0-1.json")"; do
		! grep -qF -- "$s" rec.json || { echo "secret $s sent"; return 1; }
	done
}
# stepargs N: the Args of the step of the recorder's request N (from 0)
stepargs() { rec | jq -c ".[$1].body.Steps[0].HadoopJarStep.Args"; }
# wantargs JAR PLAN K PAR TRIES: the step's arguments, as they must be
# (the output folder's time masked as T)
wantargs() {
	jq -cn --arg jar "$1" --arg p "$2" --arg name "populate $T-${2##*-} ($3 shards)" \
		--arg par "$4" --arg tries "$5" --arg t "$TNAME" '["hadoop-streaming",
		"-D", "mapreduce.job.name=\($name)", "-D", "mapreduce.job.reduces=0",
		"-D", "mapreduce.map.speculative=false", "-D", "mapreduce.map.maxattempts=\($tries)",
		"-D", "mapreduce.job.running.map.limit=\($par)",
		"-D", "mapreduce.input.lineinputformat.linespermap=1",
		"-archives", "\($jar)#p",
		"-inputformat", "org.apache.hadoop.mapred.lib.NLineInputFormat",
		"-input", "\($p)/emr/index.txt", "-output", "\($p)/emr/output/T",
		"-mapper", "p/\($t)/bin/populate worker \($p)", "-numReduceTasks", "0"]'
}
masked() { jq -c 'map(sub("/emr/output/[0-9]{8}T[0-9]{6}Z$"; "/emr/output/T"))'; }

@test "emr --cluster-id: DescribeCluster, then one step: its arguments in order, the tarball uploaded once, the index file, no secret" {
	mkplan 3 e
	run -0 --separate-stderr populate emr --cluster-id j-2AXXXXXXGAPLF --dist "$DIST" --retries 4 "$P"
	[[ $stderr == *"populate: dist tarball uploaded: $P/dist/$TNAME.tar.gz"* ]] || { echo "$stderr"; false; }
	[[ $stderr == *"populate: step s-"*" on cluster j-2AXXXXXXGAPLF: 3 shards, at most 3 at once, 4 tries each; plan $P"* ]]
	assert_equal "$(rec_ops | tr '\n' ' ')" "ElasticMapReduce.DescribeCluster ElasticMapReduce.AddJobFlowSteps "
	rec | jq -e '.[1].body | .JobFlowId == "j-2AXXXXXXGAPLF" and (.Steps | length) == 1
		and .Steps[0].ActionOnFailure == "CONTINUE"
		and .Steps[0].HadoopJarStep.Jar == "command-runner.jar"' >/dev/null
	assert_equal "$(stepargs 1 | masked)" "$(wantargs "$P/dist/$TNAME.tar.gz" "$P" 3 3 4)"
	# what the step reads: the tarball, whole, and a line a shard
	s3api GET "$S/plans/$T-e/dist/$TNAME.tar.gz" -f -o got.tar.gz
	cmp got.tar.gz "$DIST"
	assert_equal "$(s3cat "$P/emr/index.txt")" "$(printf '0\n1\n2')"
	nosecret
	# again: the tarball is there, not sent again; a step of its own
	run -0 --separate-stderr populate emr --cluster-id j-2AXXXXXXGAPLF --dist "$DIST" "$P"
	[[ $stderr != *uploaded* ]]
	assert_equal "$(rec_ops | grep -c AddJobFlowSteps)" 2
}

@test "emr --dry-run: the exact commands, nothing sent; the aws line run sends that step" {
	mkplan 2 d
	run -0 --separate-stderr populate emr -n --cluster-id j-1K48XXXXXXHCB --dist "$DIST" "$P"
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[0]}" "s3put $P/dist/$TNAME.tar.gz <$DIST"
	assert_equal "${lines[1]}" "seq 0 1 | s3put $P/emr/index.txt"
	[[ ${lines[2]} == "aws emr add-steps --cluster-id j-1K48XXXXXXHCB --steps '["* ]]
	assert_equal "$(rec)" "[]"
	line=${lines[2]}
	run -1 s3cat "$P/emr/index.txt"
	# the line, run: the step it shows is the one sent
	eval "\"\$AWS_CLI\"${line#aws}" >/dev/null
	assert_equal "$(stepargs 1 | masked)" "$(wantargs "$P/dist/$TNAME.tar.gz" "$P" 2 2 3)"
}

@test "emr --create: RunJobFlow with the key, the subnet, the nodes and the release; --jar as is; --auto-terminate" {
	mkplan 2 c
	jar=s3://$S/artifacts/$TNAME.tar.gz
	run -0 --separate-stderr populate emr --create --ec2-keyname ops-key --subnet subnet-0123abcd \
		--instance-type r5.2xlarge --instance-count 5 --release-label emr-7.1.0 --auto-terminate \
		--jar "$jar" "$P"
	[[ $stderr == *"populate: cluster j-"*" started, with the step: 2 shards"* ]] || { echo "$stderr"; false; }
	assert_equal "$(rec_ops)" ElasticMapReduce.RunJobFlow
	rec | jq -e --arg p "$P" '.[0].body | .ReleaseLabel == "emr-7.1.0" and .LogUri == "\($p)/emr/logs/"
		and .Instances.Ec2KeyName == "ops-key" and .Instances.Ec2SubnetId == "subnet-0123abcd"
		and .Instances.KeepJobFlowAliveWhenNoSteps == false
		and ([.Instances.InstanceGroups[] | "\(.InstanceRole) \(.InstanceType) \(.InstanceCount)"]
			== ["MASTER r5.2xlarge 1", "CORE r5.2xlarge 4"])
		and .Applications == [{Name: "Hadoop"}]
		and .ServiceRole == "EMR_DefaultRole" and .JobFlowRole == "EMR_EC2_DefaultRole"' >/dev/null
	assert_equal "$(stepargs 0 | masked)" "$(wantargs "$jar" "$P" 2 2 3)"
	# --jar is used as it is: nothing uploaded
	run -0 s3cat -l "$P/"
	[[ $output != *"/dist/"* ]]
	nosecret
	# without --auto-terminate the cluster waits for more steps
	populate emr --create --jar "$jar" "$P" 2>/dev/null
	rec | jq -e '.[1].body.Instances.KeepJobFlowAliveWhenNoSteps == true and (.[1].body.Instances | has("Ec2KeyName") | not)' >/dev/null
}

@test "emr, batch, k8s: invalid inputs are refused with a clear message, and never reach the recorder" {
	# the launchers read only a plan's job.json: plans of 2 shards and of
	# 10001 (Batch's limit), and a local folder with one
	mkdir v
	jq -n --arg t "$T" '{plan: 1, version: "1.1.0", shards: 2, table: $t, region: "us-east-1",
		credentials: "chain", rate: null, worker_rate: null}' >v/job.json
	s3_put "$S/plans/$T-v/job.json" v/job.json
	P=s3://$S/plans/$T-v
	jq '.shards = 10001' v/job.json >big.json
	s3_put "$S/plans/$T-big/job.json" big.json
	big=s3://$S/plans/$T-big
	role=arn:aws:iam::123456789012:role/populate
	while IFS='|' read -r args msg; do
		[ -n "$args" ] || continue
		eval "set -- $args"
		run -2 --separate-stderr populate "$@"
		[[ $stderr == *"$msg"* ]] || { echo "populate $args: [$stderr], not [$msg]"; false; }
	done <<-EOF
	emr "$P"|give --cluster-id (a running cluster) or --create (a new one)
	emr --cluster-id j-1 --create "$P"|--cluster-id and --create: give one
	emr --cluster-id j-abc "$P"|--cluster-id: j-abc: not a cluster id
	emr --cluster-id j-1 --subnet subnet-01234567 "$P"|--subnet: only with --create
	emr --cluster-id j-1 --auto-terminate "$P"|--auto-terminate: only with --create
	emr --cluster-id j-1 --instance-type m5.large "$P"|--instance-type: only with --create
	emr --cluster-id j-1 --retries 0 "$P"|--retries: 0: not a number from 1 to 10
	emr --cluster-id j-1 --retries 11 "$P"|--retries: 11: not a number from 1 to 10
	emr --cluster-id j-1 --parallel 3 "$P"|--parallel: 3: not a number from 1 to 2
	emr --create --instance-count 0 "$P"|--instance-count: 0: not a number from 1 to 500
	emr --create --release-label 6.15 "$P"|--release-label: 6.15: not a release (emr-X.Y.Z)
	emr --create --release-label emr-4.9.0 "$P"|before emr-5.0.0
	emr --create --subnet sn-1 "$P"|--subnet: sn-1: not a name
	emr --create --instance-type 'm5 xlarge' "$P"|--instance-type: m5 xlarge: not a name
	emr --cluster-id j-1 --jar /tmp/x.tar.gz "$P"|--jar: /tmp/x.tar.gz: not an s3:// URL
	emr --cluster-id j-1 --jar s3://b/x.jar "$P"|not a dist tarball
	emr --cluster-id j-1 --dist /nonexistent.tar.gz "$P"|--dist: /nonexistent.tar.gz: no such file
	emr --cluster-id j-1 --jar s3://b/x.tgz v|plan v: a local folder, which workers elsewhere cannot read
	emr --cluster-id j-1 --jar s3://b/x.tgz s3://$S/plans/none|no such plan
	emr --cluster-id j-1 "$P"|no dist tarball: give --jar
	emr --cluster-id j-1 --jar s3://b/x.tgz "$P" "$P"|too many operands
	batch --job-queue q --job-definition d v|plan v: a local folder
	batch --job-definition d "$P"|missing --job-queue
	batch --job-queue q "$P"|missing --job-definition
	batch --job-queue 'q 1' --job-definition d "$P"|--job-queue: q 1: not a name
	batch --job-queue q --job-definition d:0 "$P"|--job-definition: d:0: not a name
	batch --job-queue q --job-definition d --retries 11 "$P"|--retries: 11: not a number from 1 to 10
	batch --job-queue q --job-definition d --name -x "$P"|--name: -x: not a name
	batch --job-queue q --job-definition d --name 'a b' "$P"|--name: a b: not a name
	batch --job-queue q --job-definition d "$big"|10001 shards, and a Batch array job holds 10000 at most
	batch --register-job-definition --role $role|missing --image
	batch --register-job-definition --image img:1|missing --role
	batch --register-job-definition --image img:1 --role nobody|--role: nobody: not a role ARN
	batch --register-job-definition --image img:1 --role $role|missing --execution-role
	batch --register-job-definition --image img:1 --role $role --platform ec2 --memory 100|--memory: 100: not a number from 512 to 122880
	batch --register-job-definition --image img:1 --role $role --platform lambda|--platform: lambda: must be fargate or ec2
	k8s "$P"|missing --image
	k8s --image img:1 v|plan v: a local folder
	k8s --image img:1 --name Populate "$P"|--name: Populate: not a name of 63 characters at most
	k8s --image img:1 --service-account 'a b' "$P"|--service-account: a b: not a name
	k8s --image img:1 --retries 0 "$P"|--retries: 0: not a number from 1 to 10
	EOF
	assert_equal "$(rec)" "[]"
	# a plan S3 does not give: its words, and S3's status
	run -3 --separate-stderr populate k8s --image img:1 "s3://$S-none/plan"
	[[ $stderr == *"s3cat: s3://$S-none/plan/job.json: NoSuchBucket"* ]]
	[[ $stderr == *"populate: s3://$S-none/plan/job.json: cannot read it" ]]
	# no AWS CLI: said before anything is sent, and nothing uploaded
	AWS_CLI=/nonexistent/aws run -2 --separate-stderr populate batch --job-queue q --job-definition d "$P"
	[[ $stderr == *"populate: AWS_CLI: /nonexistent/aws: not an executable" ]]
	# a PATH with every command but aws
	mkdir noaws
	ln -s /usr/bin/* noaws/ 2>/dev/null || :
	rm -f noaws/aws
	(unset AWS_CLI && PATH=$TOP/bin:$PWD/noaws run -2 --separate-stderr populate emr \
		--cluster-id j-1 --dist "$DIST" "$P" &&
		[[ $stderr == *"populate: the AWS CLI (aws) is not on PATH, nor named by AWS_CLI: install it (Debian: apt-get install awscli)"* ]])
	run -1 s3cat "$P/emr/index.txt"
	# the AWS CLI's own refusal: said whole, exit 3
	printf '#!/bin/sh\necho "An error occurred (AccessDeniedException) when calling the SubmitJob operation: no" >&2\nexit 254\n' >deny
	chmod +x deny
	AWS_CLI=$PWD/deny run -3 --separate-stderr populate batch --job-queue q --job-definition d "$P"
	[[ $stderr == *"aws: An error occurred (AccessDeniedException) when calling the SubmitJob operation: no"* ]]
	[[ $stderr == *"populate: aws batch submit-job: failed (exit 254): nothing more sent"* ]]
}

# task DIR INDEX OFFSET MAPPER...: a Hadoop Streaming map task in DIR:
# the archive unpacked and linked as p, the job's configuration in the
# environment as Streaming exports it (dots as underscores), the
# NLineInputFormat record on stdin, the mapper run without a shell; its
# stdout in DIR/out, its stderr (each line after the time it came) in
# DIR/err; its status
task() {
	local d=$PWD/$1 i=$2 off=$3
	shift 3
	mkdir -p "$d/cache"
	[ -e "$d/cache/$TNAME" ] || tar -C "$d/cache" -xzf "$DIST"
	ln -sfn cache "$d/p"
	(cd "$d" && printf '%s\t%s\n' "$off" "$i" | env -i PATH=/usr/bin:/bin HOME="$d" \
		AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
		AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL_S3" AWS_ENDPOINT_URL_DYNAMODB="$AWS_ENDPOINT_URL_DYNAMODB" \
		AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true \
		${POPULATE_REPORTER_SECONDS:+POPULATE_REPORTER_SECONDS=$POPULATE_REPORTER_SECONDS} \
		mapreduce_job_id=job_1700000000000_0001 mapreduce_task_id="task_1700000000000_0001_m_00000$i" \
		mapreduce_task_attempt_id="attempt_1700000000000_0001_m_00000${i}_0" \
		mapreduce_task_partition="$i" mapreduce_task_ismap=true \
		mapreduce_map_input_file="$P/emr/index.txt" mapreduce_map_input_start=0 \
		mapreduce_job_reduces=0 mapreduce_input_lineinputformat_linespermap=1 \
		"$@" 2>&1 >out | while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >err
		exit "${PIPESTATUS[1]}")
}

@test "the mapper under Hadoop Streaming: a record on stdin, a task's folder and environment; reporter lines; every index gives the sequential table" {
	mkplan 3 m
	populate emr --cluster-id j-1 --dist "$DIST" "$P" 2>/dev/null
	mapper=$(stepargs 1 | jq -r '.[index("-mapper") + 1]')
	assert_equal "$mapper" "p/$TNAME/bin/populate worker $P"
	# the words of -mapper, as Streaming splits them
	read -r -a argv <<<"$mapper"
	off=0
	# (not i: bats's run sets it)
	while IFS= read -r ix; do
		run -0 task "t$ix" "$ix" "$off" "${argv[@]}" || { cat "t$ix/err"; false; }
		assert_equal "$(cat "t$ix/out")" "$(printf '%s\tdone\t0' "$ix")"
		grep -q "^[0-9.]* reporter:status:populate: shard $ix of 3: " "t$ix/err" || { cat "t$ix/err"; false; }
		assert_equal "$(grep -c ' reporter:counter:populate,[a-z-]*,[0-9]*$' "t$ix/err")" 5
		off=$((off + ${#ix} + 1))
	done < <(s3cat "$P/emr/index.txt")
	same m
	# a second attempt of a task: the shard is done, at once
	run -0 task t1b 1 2 "${argv[@]}"
	grep -q 'shard 1 of 3: done before' t1b/err
}

@test "the mapper: heartbeats at the promised interval during a slow shard; a failed shard exits non-zero; bad records" {
	mkplan 2 h --ddb-jobs 1
	populate emr --cluster-id j-1 --dist "$DIST" "$P" 2>/dev/null
	read -r -a argv <<<"$(stepargs 1 | jq -r '.[index("-mapper") + 1]')"
	proxy_up "$DDB_ENDPOINT"
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "delay", "ms": 150}]'
	# the interval is 30 s (Hadoop kills a task silent for 10 minutes);
	# here 1 s
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY POPULATE_REPORTER_SECONDS=1 run -0 task t0 0 0 "${argv[@]}" || { cat t0/err; false; }
	grep ' reporter:status:' t0/err | awk '
		{ t[NR] = $1 } END {
			if (NR < 4) { print "only " NR " status lines"; exit 1 }
			for (i = 2; i <= NR; i++) if (t[i] - t[i - 1] > 3.5) { print "a gap of " t[i] - t[i - 1] " s"; exit 1 }
		}' || { cat t0/err; false; }
	# a shard whose writes are refused: non-zero, so that Hadoop tries it again
	proxy_rules '[{"match": {"target": "PutItem"}, "action": "status", "status": 400,
		"body": "{\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\",\"message\":\"denied\"}"}]'
	AWS_ENDPOINT_URL_DYNAMODB=$PROXY run -3 task t1 1 2 "${argv[@]}"
	assert_equal "$(cat t1/out)" "$(printf '1\tfailed\t3')"
	grep -q 'reporter:status:populate: shard 1 of 2: failed' t1/err
	# records that are not the index file's
	run -2 task t2 'x' 0 "${argv[@]}"
	grep -q "populate: worker: record 1 on stdin: 0"$'\t'"x: not OFFSET TAB INDEX" t2/err
	(cd t2 && mapreduce_task_id=t run -2 --separate-stderr "${argv[@]}" </dev/null &&
		[[ $stderr == "populate: worker: no record on stdin (the plan's index file, by NLineInputFormat): no shard to run" ]])
}

@test "batch: one array job of K children, the tries, the plan in the environment, no secret; K = 1 a plain job; every child run here gives the sequential table" {
	mkplan 3 b
	run -0 --separate-stderr populate batch --job-queue populate-q --job-definition populate:2 --retries 5 "$P"
	[[ $stderr == *"populate: array job rec-job-"*" (populate-${T,,}-b): 3 children, 5 tries each; plan $P"* ]] || { echo "$stderr"; false; }
	assert_equal "$(rec_ops)" /v1/submitjob
	rec | jq -e --arg p "$P" '.[0].body | .jobQueue == "populate-q" and .jobDefinition == "populate:2"
		and .arrayProperties == {size: 3} and .retryStrategy == {attempts: 5}
		and .containerOverrides.command == ["populate", "worker"]
		and .containerOverrides.environment == [{name: "POPULATE_PLAN", value: $p}]' >/dev/null
	nosecret
	# each child, as Batch runs it: the command, the environment, its index
	rec | jq -r '.[0].body.containerOverrides.command | @sh' >cmd
	eval "set -- $(cat cmd)"
	for i in 0 1 2; do
		POPULATE_PLAN=$P AWS_BATCH_JOB_ARRAY_INDEX=$i "$@" -q
	done
	same b
	# K = 1: a plain job; its one child needs no index
	mkplan 1 one
	curl -sf -X DELETE "$REC/__rec/log" >/dev/null
	populate batch --job-queue populate-q --job-definition populate "$P" 2>/dev/null
	rec | jq -e '.[0].body | has("arrayProperties") | not' >/dev/null
	POPULATE_PLAN=$P "$@" -q
	same one
	# --dry-run: the exact command, nothing sent
	curl -sf -X DELETE "$REC/__rec/log" >/dev/null
	run -0 --separate-stderr populate batch -n --job-queue q --job-definition d "$P"
	assert_output "aws batch submit-job --job-name populate-${T,,}-one --job-queue q --job-definition d --retry-strategy '{\"attempts\":3}' --container-overrides '{\"command\":[\"populate\",\"worker\"],\"environment\":[{\"name\":\"POPULATE_PLAN\",\"value\":\"$P\"}]}' --output json"
	assert_equal "$(rec)" "[]"
}

@test "batch --register-job-definition: the image, its command, the roles, room for one worker; Fargate or EC2" {
	role=arn:aws:iam::123456789012:role/populate-worker
	exec=arn:aws:iam::123456789012:role/ecsTaskExecutionRole
	run -0 --separate-stderr populate batch --register-job-definition --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/manifest-populator:1.1.0 \
		--role "$role" --execution-role "$exec" --retries 2
	assert_equal "$stderr" "populate: job definition populate:1 written: arn:aws:batch:us-east-1:123456789012:job-definition/populate:1"
	rec | jq -e --arg role "$role" --arg exec "$exec" '.[0] | .path == "/v1/registerjobdefinition" and (.body |
		.jobDefinitionName == "populate" and .type == "container" and .platformCapabilities == ["FARGATE"]
		and .retryStrategy == {attempts: 2}
		and .containerProperties.image == "123456789012.dkr.ecr.us-east-1.amazonaws.com/manifest-populator:1.1.0"
		and .containerProperties.command == ["populate", "worker"]
		and .containerProperties.jobRoleArn == $role and .containerProperties.executionRoleArn == $exec
		and .containerProperties.resourceRequirements == [{type: "VCPU", value: "1"}, {type: "MEMORY", value: "2048"}])' >/dev/null
	populate batch --register-job-definition --job-definition pop-ec2 --platform ec2 --image reg/mp:1 \
		--role "$role" --vcpus 2 --memory 4096 2>/dev/null
	rec | jq -e '.[1].body | .jobDefinitionName == "pop-ec2" and .platformCapabilities == ["EC2"]
		and (.containerProperties | has("executionRoleArn") | not)
		and .containerProperties.resourceRequirements == [{type: "VCPU", value: "2"}, {type: "MEMORY", value: "4096"}]' >/dev/null
	nosecret
}

@test "k8s: a batch/v1 Indexed Job (python3-yaml): completions, parallelism from the rate, backoffLimitPerIndex, service account, plan; every index run here gives the sequential table" {
	py=python3 && [ ! -x /usr/bin/python3 ] || py=/usr/bin/python3
	"$py" -c 'import yaml' 2>/dev/null || skip "no python3-yaml (tools/deps installs it)"
	mkplan 4 k --rate 10
	run -0 --separate-stderr populate k8s --image reg.example/manifest-populator:1.1.0 --service-account writer --retries 4 "$P"
	printf '%s\n' "$output" >job.yaml
	"$py" -c 'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' job.yaml >job.json
	# 10 writes/s over 4 shards: 3 each, so 3 at once keep to 10
	jq -e --arg p "$P" --arg t "$T-k" '.apiVersion == "batch/v1" and .kind == "Job"
		and .spec.completionMode == "Indexed" and .spec.completions == 4 and .spec.parallelism == 3
		and .spec.backoffLimitPerIndex == 3
		and .spec.template.spec.restartPolicy == "Never"
		and .spec.template.spec.serviceAccountName == "writer"
		and (.spec.template.spec.containers | length) == 1
		and .spec.template.spec.containers[0].image == "reg.example/manifest-populator:1.1.0"
		and .spec.template.spec.containers[0].command == ["populate", "worker"]
		and .spec.template.spec.containers[0].env == [{name: "POPULATE_PLAN", value: $p}]
		and (.metadata.name | test("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")) and (.metadata.name | length) <= 63' job.json >/dev/null
	# --json: the same Job
	populate k8s --json --image reg.example/manifest-populator:1.1.0 --service-account writer --retries 4 "$P" 2>/dev/null >job2.json
	assert_equal "$(jq -S . job2.json)" "$(jq -S . job.json)"
	# --parallel lowers it; nothing reaches an AWS control plane
	populate k8s --image i:1 --parallel 2 "$P" 2>/dev/null | grep -qx '  parallelism: 2'
	assert_equal "$(rec)" "[]"
	# each pod, as Kubernetes runs it: the command, the env, its index
	jq -r '.spec.template.spec.containers[0].command | @sh' job.json >cmd
	eval "set -- $(cat cmd)"
	for i in 3 1 0 2; do
		POPULATE_PLAN=$P JOB_COMPLETION_INDEX=$i "$@" -q
	done
	same k
	run -0 populate status "$P"
	assert_line "done: 4 (0-3)"
}

@test "the image: the Dockerfile installs what the programs link, runs populate worker; make image needs buildah" {
	local need p
	for p in eventcut sincefilter s3cat s3put dynaput; do
		readelf -d "$TOP/bin/$p" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
	done | sort -u >needed
	[ -s needed ]
	# the runtime stage's packages, a word a line
	sed -n '/^FROM debian:12-slim$/,$p' "$TOP/Dockerfile" | tr -s ' \t\\' '\n\n\n' >runtime
	while read -r lib; do
		need=$(dpkg -S "*/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
		[ -n "$need" ] || { echo "$lib: in no package"; false; }
		[ "$need" = libc6 ] || grep -qxF "$need" runtime ||
			{ echo "$lib ($need): not installed by the Dockerfile"; false; }
	done <needed
	grep -qxF jq runtime
	grep -qx 'FROM debian:12-slim' "$TOP/Dockerfile"
	grep -q 'make install PREFIX=/usr/local' "$TOP/Dockerfile"
	grep -qx 'CMD \["populate", "worker"\]' "$TOP/Dockerfile"
	if ! command -v buildah >/dev/null; then
		run -2 make -s -C "$TOP" image
		[[ $output == *"make image: needs buildah (apt-get install buildah)"* ]]
	fi
}
