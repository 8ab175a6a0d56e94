#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A stand-in for the IAM Identity Center (SSO) portal on 127.0.0.1, for
// tests/creds.bats: GetRoleCredentials, which checks the bearer token,
// the account and the role.  Node's standard library only.
//
//   node sso.js --ready FILE [--log FILE] [option ...]
//
// It listens on a free port and writes the port to FILE when ready.
// Each request is logged as "METHOD PATH role=R account=A token=ok|bad|
// none", never with the token's value.
//
//   --token-file F     the file holding the access token it accepts
//   --account ID       the account it serves (default 123456789012)
//   --role NAME        the role it serves (default ReadOnly)
//   --expires SECS     the credentials' lifetime (default 3600)
//   --status N         answer with HTTP N
'use strict';
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');

const opt = {
	'token-file': null, account: '123456789012', role: 'ReadOnly',
	expires: '3600', status: null, ready: null, log: null,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const k = argv[i].replace(/^--/, '');
	if (!(k in opt)) {
		console.error(`sso.js: unknown option ${argv[i]}`);
		process.exit(2);
	}
	opt[k] = argv[++i];
}
const TOKEN = opt['token-file'] ?
	fs.readFileSync(opt['token-file'], 'utf8').replace(/\s+$/, '') : null;

function log(line) {
	if (opt.log)
		fs.appendFileSync(opt.log, line + '\n');
}

function send(res, status, type, doc) {
	const h = { 'Content-Type': 'application/json' };
	if (type)
		h['x-amzn-ErrorType'] = type;
	res.writeHead(status, h);
	res.end(JSON.stringify(doc));
}

const server = http.createServer((req, res) => {
	const u = new URL(req.url, 'http://localhost');
	const t = req.headers['x-amz-sso_bearer_token'];
	const tok = t === undefined ? 'none' : t === TOKEN ? 'ok' : 'bad';
	const role = u.searchParams.get('role_name');
	const account = u.searchParams.get('account_id');
	log(`${req.method} ${u.pathname} role=${role} account=${account} token=${tok}`);
	req.resume();
	if (req.method !== 'GET' || u.pathname !== '/federation/credentials')
		return send(res, 404, 'ResourceNotFoundException', { message: 'no' });
	if (opt.status)
		return send(res, Number(opt.status), 'TooManyRequestsException',
			{ message: 'slow down' });
	if (tok !== 'ok')
		return send(res, 401, 'UnauthorizedException',
			{ message: 'Session token not found or invalid' });
	if (role !== opt.role || account !== opt.account)
		return send(res, 403, 'ForbiddenException', { message: 'No access' });
	send(res, 200, null, {
		roleCredentials: {
			accessKeyId: 'ASIASSOEXAMPLE',
			secretAccessKey: 'sso/s3kr1t' + crypto.randomBytes(12).toString('base64'),
			sessionToken: 'sso/s3kr1tTOKEN' + crypto.randomBytes(24).toString('base64'),
			expiration: Date.now() + Number(opt.expires) * 1000,
		},
	});
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
