#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A stand-in for AWS STS on 127.0.0.1, for tests/creds.bats: the Query
// API's AssumeRole (whose SigV4 signature it checks, with the source's
// secret) and AssumeRoleWithWebIdentity (unsigned; it checks the token).
// The credentials it hands out expire in --expires seconds, so that a
// test can watch them refreshed, and it knows them again when they sign
// the next AssumeRole of a chain.  Node's standard library only.
//
//   node sts.js --ready FILE [--log FILE] [option ...]
//
// It listens on a free port and writes the port to FILE when ready.
// Each request is logged as one line, never with a secret or a token:
//   AssumeRole role=ARN session=NAME signer=AKID sig=ok|bad|none
//       scope=REGION/sts token=ok|none|bad ext=set|- duration=N|-
//   AssumeRoleWithWebIdentity role=ARN session=NAME token=N|bad|none
//       signed=no|yes
// (token=N: the N-th --web-token-file's token, from 1).
//
//   --key AKID:SECRET     a source key it knows (default below; repeatable)
//   --role ARN            a role it lets be assumed (repeatable; default:
//                         any arn:aws:iam::ACCOUNT:role/NAME)
//   --session NAME        the RoleSessionName it requires (default: any
//                         that STS takes)
//   --web-token-file F    a file holding a token it accepts (repeatable)
//   --expires SECS        the credentials' lifetime (default 3600)
//   --status N            answer every request with HTTP N (an error)
//   --fail-first N        answer the first N requests with HTTP 500
//   --tls DIR             serve https with DIR/key.pem and DIR/cert.pem
//   --hang                read requests and never answer
//   --issue AKID:SECRET   hand out this key (with a fresh session token)
//                         rather than a new one: s3rver knows only its own
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');
const crypto = require('crypto');

const opt = {
	key: [], role: [], 'web-token-file': [], session: null,
	expires: '3600', status: null, 'fail-first': '0', tls: null, issue: null,
	hang: false,
	ready: null, log: null,
};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const k = argv[i].replace(/^--/, '');
	if (!(k in opt)) {
		console.error(`sts.js: unknown option ${argv[i]}`);
		process.exit(2);
	}
	if (Array.isArray(opt[k]))
		opt[k].push(argv[++i]);
	else if (typeof opt[k] === 'boolean')
		opt[k] = true;
	else
		opt[k] = argv[++i];
}

// akid -> { secret, token, expires (ms; 0: never) }
const keys = new Map();
if (opt.key.length === 0)
	opt.key.push('AKIABASE:base/s3kr1tKEY+EXAMPLE');
for (const k of opt.key) {
	const c = k.indexOf(':');
	keys.set(k.slice(0, c), { secret: k.slice(c + 1), token: null, expires: 0 });
}
const webTokens = opt['web-token-file'].map(
	(f) => fs.readFileSync(f, 'utf8').replace(/\s+$/, ''));

let seen = 0, issued = 0;

function log(line) {
	if (opt.log)
		fs.appendFileSync(opt.log, line + '\n');
}

function iso(ms) {
	return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function error(res, status, code, message) {
	res.writeHead(status, { 'Content-Type': 'text/xml' });
	res.end(`<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>Sender</Type>\n` +
		`    <Code>${code}</Code>\n    <Message>${message}</Message>\n` +
		`  </Error>\n  <RequestId>0000</RequestId>\n</ErrorResponse>\n`);
}

function credentials(res, action, role, session) {
	issued++;
	let akid = 'ASIASTS' + String(issued).padStart(9, '0');
	let secret = 'sts/s3kr1t' + crypto.randomBytes(12).toString('base64');
	if (opt.issue) {
		const c = opt.issue.indexOf(':');
		akid = opt.issue.slice(0, c);
		secret = opt.issue.slice(c + 1);
	}
	const token = 'sts/s3kr1tTOKEN' + crypto.randomBytes(24).toString('base64');
	const expires = Date.now() + Number(opt.expires) * 1000;
	keys.set(akid, { secret, token, expires });
	const arn = role.replace(/:iam::/, ':sts::').replace(/:role\//, ':assumed-role/');
	res.writeHead(200, { 'Content-Type': 'text/xml' });
	res.end(`<${action}Response xmlns="${NS}">\n  <${action}Result>\n` +
		`    <AssumedRoleUser>\n      <Arn>${arn}/${session}</Arn>\n` +
		`      <AssumedRoleId>AROAEXAMPLE:${session}</AssumedRoleId>\n` +
		`    </AssumedRoleUser>\n    <Credentials>\n` +
		`      <AccessKeyId>${akid}</AccessKeyId>\n` +
		`      <SecretAccessKey>${secret}</SecretAccessKey>\n` +
		`      <SessionToken>${token}</SessionToken>\n` +
		`      <Expiration>${iso(expires)}</Expiration>\n` +
		`    </Credentials>\n  </${action}Result>\n  <ResponseMetadata>\n` +
		`    <RequestId>0000</RequestId>\n  </ResponseMetadata>\n` +
		`</${action}Response>\n`);
}

function sha256(s) {
	return crypto.createHash('sha256').update(s).digest('hex');
}

function hmac(key, s) {
	return crypto.createHmac('sha256', key).update(s).digest();
}

// The SigV4 check: 'none', 'ok', or why not; sets v.signer, v.scope.
function verify(req, body, v) {
	const a = req.headers.authorization;
	if (a === undefined)
		return 'none';
	const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(a);
	if (!m)
		return 'malformed';
	const [, akid, date, region, service, signed, sig] = m;
	v.signer = akid;
	v.scope = `${region}/${service}`;
	const k = keys.get(akid);
	if (!k)
		return 'unknown-key';
	const amzdate = req.headers['x-amz-date'] || '';
	if (!amzdate.startsWith(date))
		return 'bad-date';
	const t = Date.parse(amzdate.replace(
		/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
	if (!(Math.abs(Date.now() - t) < 15 * 60 * 1000))
		return 'clock-skew';
	const names = signed.split(';');
	for (const need of ['host', 'x-amz-date', 'content-type'])
		if (!names.includes(need))
			return 'unsigned-' + need;
	if (k.token !== null) {
		if (req.headers['x-amz-security-token'] !== k.token ||
		    !names.includes('x-amz-security-token'))
			return 'bad-token';
		if (k.expires <= Date.now())
			return 'expired';
	}
	const creq = [req.method, req.url.split('?')[0], '',
		...names.map((n) => n + ':' +
			String(req.headers[n] || '').trim().replace(/\s+/g, ' ')),
		'', signed, sha256(body)].join('\n');
	const sts = ['AWS4-HMAC-SHA256', amzdate,
		`${date}/${region}/${service}/aws4_request`, sha256(creq)].join('\n');
	let key = hmac('AWS4' + k.secret, date);
	key = hmac(key, region);
	key = hmac(key, service);
	key = hmac(key, 'aws4_request');
	return crypto.createHmac('sha256', key).update(sts).digest('hex') === sig ?
		'ok' : 'mismatch';
}

function roleok(arn) {
	if (opt.role.length)
		return opt.role.includes(arn);
	return /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(arn);
}

function sessionok(name) {
	return opt.session !== null ? name === opt.session :
		/^[\w+=,.@-]{2,64}$/.test(name);
}

function serve(handler) {
	if (!opt.tls)
		return http.createServer(handler);
	return https.createServer({
		key: fs.readFileSync(opt.tls + '/key.pem'),
		cert: fs.readFileSync(opt.tls + '/cert.pem'),
	}, handler);
}

const server = serve((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const body = Buffer.concat(chunks).toString('utf8');
		const p = new URLSearchParams(body);
		const action = p.get('Action') || '-';
		const role = p.get('RoleArn') || '-';
		const session = p.get('RoleSessionName') || '-';
		if (opt.hang)
			return log(`${action} hangs`);
		const v = { signer: '-', scope: '-' };
		const sig = verify(req, body, v);
		seen++;
		if (action === 'AssumeRoleWithWebIdentity') {
			const t = p.get('WebIdentityToken');
			const n = t === null ? 'none' : webTokens.indexOf(t) + 1 || 'bad';
			log(`${action} role=${role} session=${session} token=${n} ` +
				`signed=${sig === 'none' ? 'no' : 'yes'}`);
			if (req.method !== 'POST' || p.get('Version') !== '2011-06-15')
				return error(res, 400, 'InvalidAction', 'bad request');
			if (seen <= Number(opt['fail-first']))
				return error(res, 500, 'InternalFailure', 'try again');
			if (opt.status)
				return error(res, Number(opt.status), 'ServiceUnavailable', 'no');
			if (typeof n !== 'number')
				return error(res, 400, 'InvalidIdentityToken',
					'The web identity token is not valid');
			if (!roleok(role) || !sessionok(session))
				return error(res, 403, 'AccessDenied',
					`Not authorized to perform sts:AssumeRoleWithWebIdentity`);
			return credentials(res, action, role, session);
		}
		const tok = req.headers['x-amz-security-token'];
		log(`${action} role=${role} session=${session} signer=${v.signer} ` +
			`sig=${sig === 'ok' || sig === 'none' ? sig : 'bad'} ` +
			`scope=${v.scope} token=${tok === undefined ? 'none' :
				sig === 'bad-token' ? 'bad' : 'ok'} ` +
			`ext=${p.get('ExternalId') === null ? '-' : 'set'} ` +
			`duration=${p.get('DurationSeconds') || '-'}`);
		if (req.method !== 'POST' || action !== 'AssumeRole' ||
		    p.get('Version') !== '2011-06-15')
			return error(res, 400, 'InvalidAction', 'bad request');
		if (seen <= Number(opt['fail-first']))
			return error(res, 500, 'InternalFailure', 'try again');
		if (opt.status)
			return error(res, Number(opt.status), 'ServiceUnavailable', 'no');
		if (sig === 'none')
			return error(res, 403, 'MissingAuthenticationToken',
				'Request is missing Authentication Token');
		if (sig === 'unknown-key')
			return error(res, 403, 'InvalidClientTokenId',
				'The security token included in the request is invalid.');
		if (sig === 'expired')
			return error(res, 400, 'ExpiredToken',
				'The security token included in the request is expired');
		if (sig !== 'ok')
			return error(res, 403, 'SignatureDoesNotMatch',
				`The request signature we calculated does not match (${sig})`);
		if (!roleok(role) || !sessionok(session))
			return error(res, 403, 'AccessDenied', `User: ${v.signer} is ` +
				`not authorized to perform: sts:AssumeRole on resource: ${role}`);
		return credentials(res, 'AssumeRole', role, session);
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
