#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A stand-in for the EC2 instance metadata service on 127.0.0.1, for
// tests/creds.bats: IMDSv2 tokens, the role list, the role's keys, and
// every way they can go wrong.  Node's standard library only.
//
//   node imds.js --ready FILE [--log FILE] [option ...]
//
// It listens on a free port and writes the port to FILE when ready.
// Each request is logged as "METHOD PATH ttl=N token=ok|bad|none", never
// with a token's value.
//
//   --token ok|400|403|404|405|500|hang|empty   the PUT /latest/api/token
//   --v1 allow|deny      a GET with no token: served, or 401 (the default:
//                        allow, as an instance with HttpTokens optional)
//   --role NAME|404|500|hang|empty     the role list
//   --creds ok|500|badjson|nosecret|expired|failed|hang    the role's keys
//   --reject-token       issue tokens, then refuse them (401)
//   --secret S           the SecretAccessKey served (default below)
//   --akid ID            the AccessKeyId served (s3cat's tests use s3rver's)
'use strict';
const http = require('http');
const fs = require('fs');

const opt = {
	token: 'ok', v1: 'allow', role: 'test-role', creds: 'ok',
	'reject-token': false, ready: null, log: null,
	akid: 'ASIAIMDSEXAMPLE',
	secret: 'imds/s3kr1tKEY+EXAMPLE0123456789abcdefghij',
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const k = argv[i].replace(/^--/, '');
	if (!(k in opt)) {
		console.error(`imds.js: unknown option ${argv[i]}`);
		process.exit(2);
	}
	if (typeof opt[k] === 'boolean')
		opt[k] = true;
	else
		opt[k] = argv[++i];
}

const TOKEN = 'AQAE/s3kr1tIMDSv2TOKEN0123456789==';
const PREFIX = '/latest/meta-data/iam/security-credentials/';

function iso(ms) {
	return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function log(line) {
	if (opt.log)
		fs.appendFileSync(opt.log, line + '\n');
}

function send(res, status, body, type) {
	res.writeHead(status, { 'Content-Type': type || 'text/plain' });
	res.end(body);
}

function keys() {
	const doc = {
		Code: 'Success',
		LastUpdated: iso(Date.now()),
		Type: 'AWS-HMAC',
		AccessKeyId: opt.akid,
		SecretAccessKey: opt.secret,
		Token: 'imds/s3kr1tSESSION+EXAMPLEabcdefghijklmnopqrstuvwxyz',
		Expiration: iso(Date.now() + 6 * 3600 * 1000),
	};
	if (opt.creds === 'nosecret')
		delete doc.SecretAccessKey;
	if (opt.creds === 'expired')
		doc.Expiration = iso(Date.now() - 3600 * 1000);
	if (opt.creds === 'failed')
		doc.Code = 'AssumeRoleUnauthorizedAccess';
	return JSON.stringify(doc, null, 2);
}

const server = http.createServer((req, res) => {
	const ttl = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
	const tok = req.headers['x-aws-ec2-metadata-token'];
	const tokstate = tok === undefined ? 'none' :
		tok === TOKEN && !opt['reject-token'] ? 'ok' : 'bad';
	log(`${req.method} ${req.url} ttl=${ttl || '-'} token=${tokstate}`);
	req.resume();

	if (req.url === '/latest/api/token') {
		if (req.method !== 'PUT')
			return send(res, 405, '');
		if (opt.token === 'hang')
			return;
		if (opt.token === 'empty')
			return send(res, 200, '');
		if (opt.token !== 'ok')
			return send(res, Number(opt.token), '');
		if (!ttl)
			return send(res, 400, 'missing ttl');
		return send(res, 200, TOKEN);
	}
	if (req.method !== 'GET')
		return send(res, 405, '');
	if (tokstate === 'bad' || (tokstate === 'none' && opt.v1 === 'deny'))
		return send(res, 401, '');
	if (req.url === PREFIX) {
		switch (opt.role) {
		case 'hang': return;
		case 'empty': return send(res, 200, '');
		case '404': return send(res, 404, '');
		case '500': return send(res, 500, '');
		default: return send(res, 200, opt.role);
		}
	}
	if (req.url === PREFIX + opt.role) {
		switch (opt.creds) {
		case 'hang': return;
		case '500': return send(res, 500, '');
		case 'badjson':
			return send(res, 200, '{"AccessKeyId": "ASIA", "Secret' +
				'AccessKey": "' + opt.secret + '",');
		default: return send(res, 200, keys());
		}
	}
	send(res, 404, '');
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
