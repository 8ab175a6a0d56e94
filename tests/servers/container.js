#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A stand-in for the ECS / EKS Pod Identity credential endpoint on
// 127.0.0.1, for tests/creds.bats.  Node's standard library only.
//
//   node container.js --ready FILE [--log FILE] [option ...]
//
// It listens on a free port and writes the port to FILE when ready.  It
// answers any path.  Each request is logged as "METHOD PATH auth=ok|bad|
// none", never with the token's value.
//
//   --auth TOKEN         require "Authorization: TOKEN" (401 otherwise)
//   --status N           answer with HTTP N and no body
//   --body ok|badjson|nosecret|notoken|expired|array|hang   what to send
//   --fail-first N       answer the first N requests with HTTP 500
//   --secret S           the SecretAccessKey served (default below)
//   --akid ID            the AccessKeyId served (s3cat's tests use s3rver's)
'use strict';
const http = require('http');
const fs = require('fs');

const opt = {
	auth: null, status: '200', body: 'ok', 'fail-first': '0',
	ready: null, log: null,
	akid: 'ASIACONTAINEREXAMPLE',
	secret: 'container/s3kr1tKEY+EXAMPLE0123456789abcdefg',
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const k = argv[i].replace(/^--/, '');
	if (!(k in opt)) {
		console.error(`container.js: unknown option ${argv[i]}`);
		process.exit(2);
	}
	opt[k] = argv[++i];
}

let seen = 0;

function iso(ms) {
	return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function log(line) {
	if (opt.log)
		fs.appendFileSync(opt.log, line + '\n');
}

function send(res, status, body) {
	res.writeHead(status, { 'Content-Type': 'application/json' });
	res.end(body);
}

const server = http.createServer((req, res) => {
	const a = req.headers.authorization;
	const auth = a === undefined ? 'none' :
		opt.auth !== null && a === opt.auth ? 'ok' : 'bad';
	log(`${req.method} ${req.url} auth=${auth}`);
	req.resume();
	seen++;
	if (seen <= Number(opt['fail-first']))
		return send(res, 500, '');
	if (opt.auth !== null && auth !== 'ok')
		return send(res, 401, '{"message":"unauthorized"}');
	if (opt.status !== '200')
		return send(res, Number(opt.status), '');
	const doc = {
		AccessKeyId: opt.akid,
		SecretAccessKey: opt.secret,
		Token: 'container/s3kr1tSESSION+EXAMPLEabcdefghijklmnop',
		Expiration: iso(Date.now() + 6 * 3600 * 1000),
		RoleArn: 'arn:aws:iam::123456789012:role/task',
	};
	switch (opt.body) {
	case 'hang':
		return;
	case 'badjson':
		return send(res, 200, '{"AccessKeyId":"ASIA","SecretAccessKey":"' +
			opt.secret + '"');
	case 'array':
		return send(res, 200, '[]');
	case 'nosecret':
		delete doc.SecretAccessKey;
		break;
	case 'notoken':
		delete doc.Token;
		delete doc.Expiration;
		break;
	case 'expired':
		doc.Expiration = iso(Date.now() - 60 * 1000);
		break;
	}
	send(res, 200, JSON.stringify(doc));
});

server.listen(0, '127.0.0.1', () => {
	const port = String(server.address().port);
	if (opt.ready) {
		fs.writeFileSync(opt.ready + '.tmp', port + '\n');
		fs.renameSync(opt.ready + '.tmp', opt.ready);
	} else {
		console.log(port);
	}
});
process.on('SIGTERM', () => process.exit(0));
