#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A stand-in for the control planes that populate's engines talk to, on
// 127.0.0.1, for tests/engines.bats: EMR (the JSON 1.1 protocol:
// DescribeCluster, AddJobFlowSteps, RunJobFlow, ListSteps) and AWS Batch
// (REST JSON: SubmitJob, RegisterJobDefinition, DescribeJobs).  It keeps
// every request whole (method, path, headers, body) and answers as the
// services do, with made-up ids.  Signatures are not checked: the CLI
// signs, and what matters here is what it sends.  Node's standard
// library only.
//
//   node recorder.js --ready FILE [--release-label emr-X.Y.Z]
//                    [--state WAITING] [--status N]
//
// It listens on a free port and writes the port to FILE when ready.
//   GET /__rec/log       every request so far, a JSON array, in order
//   DELETE /__rec/log    forget them
//   --release-label L    the ReleaseLabel DescribeCluster answers
//   --state S            the cluster's state DescribeCluster answers
//   --status N           answer every request with HTTP N (an error)
'use strict';
const http = require('http');
const fs = require('fs');

const opt = { ready: null, 'release-label': 'emr-6.15.0', state: 'WAITING', status: null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const k = argv[i].replace(/^--/, '');
	if (!(k in opt)) {
		console.error(`recorder.js: unknown option ${argv[i]}`);
		process.exit(2);
	}
	opt[k] = argv[++i];
}

let log = [];
let n = 0;

function json(res, code, body, type) {
	const b = JSON.stringify(body);
	res.writeHead(code, {
		'Content-Type': type || 'application/json',
		'Content-Length': Buffer.byteLength(b),
		'x-amzn-RequestId': `rec-${n}`,
	});
	res.end(b);
}

// EMR: the JSON 1.1 protocol, the operation in X-Amz-Target
function emr(op, body, res) {
	const t = 'application/x-amz-json-1.1';
	switch (op) {
	case 'DescribeCluster':
		return json(res, 200, { Cluster: {
			Id: body.ClusterId, Name: 'recorded', ReleaseLabel: opt['release-label'],
			Status: { State: opt.state }, Applications: [{ Name: 'Hadoop', Version: '3.3.6' }],
			ClusterArn: `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/${body.ClusterId}`,
		} }, t);
	case 'AddJobFlowSteps':
		return json(res, 200, { StepIds: (body.Steps || []).map((_, i) => `s-REC${n}X${i}`) }, t);
	case 'RunJobFlow':
		return json(res, 200, { JobFlowId: `j-REC${n}`,
			ClusterArn: `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/j-REC${n}` }, t);
	case 'ListSteps':
		return json(res, 200, { Steps: [] }, t);
	default:
		return json(res, 400, { __type: 'UnknownOperationException', message: op }, t);
	}
}

// Batch: REST JSON, the operation in the path
function batch(path, body, res) {
	switch (path) {
	case '/v1/submitjob':
		return json(res, 200, { jobName: body.jobName, jobId: `rec-job-${n}`,
			jobArn: `arn:aws:batch:us-east-1:123456789012:job/rec-job-${n}` });
	case '/v1/registerjobdefinition':
		return json(res, 200, { jobDefinitionName: body.jobDefinitionName, revision: 1,
			jobDefinitionArn: `arn:aws:batch:us-east-1:123456789012:job-definition/${body.jobDefinitionName}:1` });
	case '/v1/describejobs':
		return json(res, 200, { jobs: [] });
	default:
		return json(res, 404, { message: `recorder: no such operation ${path}` });
	}
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const raw = Buffer.concat(chunks).toString('utf8');
		if (req.url === '/__rec/log') {
			if (req.method === 'DELETE')
				log = [];
			return json(res, 200, req.method === 'DELETE' ? {} : log);
		}
		n++;
		let body = {};
		try {
			body = raw ? JSON.parse(raw) : {};
		} catch (e) {
			body = { unparsed: raw };
		}
		const target = req.headers['x-amz-target'] || null;
		log.push({ method: req.method, path: req.url, target, headers: req.headers, raw, body });
		if (opt.status)
			return json(res, Number(opt.status), { __type: 'InternalFailure', message: 'recorder --status' });
		if (target && target.startsWith('ElasticMapReduce.'))
			return emr(target.slice('ElasticMapReduce.'.length), body, res);
		return batch(req.url.replace(/\?.*$/, ''), body, res);
	});
});
server.listen(0, '127.0.0.1', () => {
	if (opt.ready)
		fs.writeFileSync(opt.ready, JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
