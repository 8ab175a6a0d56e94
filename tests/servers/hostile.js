#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A hostile server on 127.0.0.1, for tests/hostile.bats: by rules, it
// answers as no honest S3 or DynamoDB would (headers of many megabytes,
// a body longer than its Content-Length, a body a byte a second, an error
// body of 100 MB, a listing that never ends, a redirect to another host),
// and passes every other request on to a real server (s3rver, dynalite),
// its Host header unchanged, as faultproxy.js does.  Node's standard
// library only.
//
//   node hostile.js --ready FILE [--log FILE] [--upstream URL]
//                   [--tls-cert FILE --tls-key FILE]
//
// It listens on three free ports and, when ready, writes them to FILE as
// {"port":N,"elsewhere":N,"proxy":N}:
//   port        the hostile server (HTTPS with --tls-cert and --tls-key)
//   elsewhere   another host, where redirects point: it only logs what
//               comes (whether an Authorization header came) and says 404
//   proxy       a forward proxy: CONNECT host:port (HTTPS_PROXY) is
//               tunnelled, a request for an absolute URL (http_proxy) is
//               passed on; both are logged
// Control, on the elsewhere port (plain HTTP whatever the main one is):
//   PUT  /__hostile/rules   body: a JSON array of rules (replaces them)
//   GET  /__hostile/log     [{"on":"port|elsewhere|proxy","method":...,
//                            "url":...,"target":...,"auth":true|false,
//                            "action":...},...]
//
// A rule: {"match": {"method": "GET", "path": "regex" (on the decoded
//          URL, query included), "target": "PutItem", "body": "regex"},
//          "times": N (apply to the first N matches; default all),
//          "action": one of
//   "bighdr"    200 with header lines adding up to "bytes" (default 20 MB),
//               one line of that size with "line": true
//   "overlong"  the real answer, then "extra" bytes (default 65536) past
//               its Content-Length
//   "slow"      the real answer's status and headers, then its body "bps"
//               bytes a second (default 2)
//   "bigerr"    HTTP "status" (default 500) with a body of "bytes"
//               (default 100 MB) of "kind" text: "html" (default), "xml",
//               "json" (an error document whose message is that long)
//   "redirect"  HTTP "status" (default 307) to the same path on the
//               elsewhere port (or "to", a URL)
//   "listing"   a ListObjectsV2 page of "keys" keys (default 3) under the
//               request's prefix, IsTruncated true and the continuation
//               token "token" (default the same one again), or "truncated":
//               false; "pad" bytes of filler make it that much bigger;
//               "cut" sends only that many bytes of it, then resets
//   "status"    HTTP "status" with "body" and "headers"
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const net = require('net');
const { URL } = require('url');

const opt = { ready: null, log: null, upstream: null, 'tls-cert': null, 'tls-key': null };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
	const k = argv[i].replace(/^--/, '');
	if (!(k in opt) || i + 1 >= argv.length) {
		console.error('usage: hostile.js --ready FILE [--log FILE] [--upstream URL] ' +
			'[--tls-cert FILE --tls-key FILE]');
		process.exit(2);
	}
	opt[k] = argv[++i];
}
if (!opt.ready) {
	console.error('hostile.js: --ready FILE is needed');
	process.exit(2);
}
const upstream = opt.upstream ? new URL(opt.upstream) : null;
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let rules = [];
const log = [];
const ports = {};

function note(entry) {
	log.push(entry);
	if (log.length > 5000) log.shift();
	if (opt.log) fs.appendFileSync(opt.log, JSON.stringify(entry) + '\n');
}

function matches(rule, req, body) {
	const m = rule.match || {};
	if (m.method && m.method !== req.method) return false;
	if (m.path && !new RegExp(m.path).test(decodeURIComponent(req.url))) return false;
	if (m.target && !(req.headers['x-amz-target'] || '').endsWith('.' + m.target)) return false;
	if (m.body && !new RegExp(m.body).test(body.toString())) return false;
	return true;
}

function pick(req, body) {
	for (const rule of rules) {
		if (!matches(rule, req, body)) continue;
		rule.seen = (rule.seen || 0) + 1;
		if (rule.times !== undefined && rule.seen > rule.times) continue;
		return rule;
	}
	return null;
}

function collect(stream, cb) {
	const parts = [];
	stream.on('data', (c) => parts.push(c));
	stream.on('end', () => cb(Buffer.concat(parts)));
	stream.on('error', () => cb(Buffer.concat(parts)));
}

// The real server's answer to req: cb(status, headers, body), or cb(null).
function upstreamAnswer(req, body, cb) {
	if (!upstream) return cb(404, { 'content-type': 'text/plain' }, Buffer.from('no upstream\n'));
	const headers = Object.assign({}, req.headers);
	headers['content-length'] = body.length;
	delete headers['transfer-encoding'];
	delete headers.expect;
	const up = http.request({
		host: upstream.hostname, port: upstream.port, method: req.method,
		path: req.url, headers, agent,
	}, (ures) => collect(ures, (ubody) => {
		const h = Object.assign({}, ures.headers);
		delete h['transfer-encoding'];
		delete h.connection;
		delete h['keep-alive'];
		h['content-length'] = ubody.length;
		cb(ures.statusCode, h, ubody);
	}));
	up.on('error', () => cb(null));
	up.end(body);
}

// Raw HTTP/1.1 on the socket, which the server's own writer would refuse;
// the connection is closed after it (node would take a next request on
// it for one waiting behind an unfinished response).
function head(status, headers) {
	let s = `HTTP/1.1 ${status} ${http.STATUS_CODES[status] || 'Status'}\r\n`;
	for (const [k, v] of Object.entries(Object.assign({ connection: 'close' }, headers)))
		s += `${k}: ${v}\r\n`;
	return s;
}

// Writes what gen() gives (Buffers, then null) as fast as the peer reads.
function pump(sock, gen, done) {
	const more = () => {
		for (;;) {
			if (sock.destroyed) return;
			const b = gen();
			if (b === null) return done && done();
			if (!sock.write(b)) return sock.once('drain', more);
		}
	};
	sock.on('error', () => {});
	more();
}

function bighdr(rule, req, res) {
	const sock = res.socket;
	const total = rule.bytes ?? 20e6;
	let sent = 0, i = 0;
	const line = 'x-junk-%d: ' + 'j'.repeat(100) + '\r\n';
	sock.write(head(200, { 'content-type': 'application/octet-stream' }));
	if (rule.line) sock.write('x-big: ');
	pump(sock, () => {
		if (sent >= total) return null;
		let b;
		if (rule.line) b = Buffer.alloc(Math.min(65536, total - sent), 'b');
		else b = Buffer.from(line.replace('%d', i++));
		sent += b.length;
		return b;
	}, () => sock.end(rule.line ? '\r\ncontent-length: 0\r\n\r\n' : 'content-length: 0\r\n\r\n'));
}

function overlong(rule, req, res, body) {
	upstreamAnswer(req, body, (status, headers, ubody) => {
		if (status === null) return res.destroy();
		const sock = res.socket;
		sock.on('error', () => {});
		sock.write(head(status, headers) + '\r\n');
		sock.write(ubody);
		sock.write(Buffer.alloc(rule.extra ?? 65536, 'EXTRA BYTES\n'));
		setTimeout(() => sock.end(), 200);
	});
}

function slow(rule, req, res, body) {
	upstreamAnswer(req, body, (status, headers, ubody) => {
		if (status === null) return res.destroy();
		const sock = res.socket;
		const bps = rule.bps ?? 2;
		const every = Math.max(1000 / bps, 100);	// ms
		const chunk = Math.max(1, Math.round(bps * every / 1000));
		let off = 0;
		sock.on('error', () => {});
		sock.write(head(status, headers) + '\r\n');
		const timer = setInterval(() => {
			if (sock.destroyed || off >= ubody.length) {
				clearInterval(timer);
				if (!sock.destroyed) sock.end();
				return;
			}
			sock.write(ubody.subarray(off, off + chunk));
			off += chunk;
		}, every);
		sock.on('close', () => clearInterval(timer));
	});
}

function bigerr(rule, req, res) {
	const total = rule.bytes ?? 100e6;
	const kind = rule.kind || 'html';
	const pre = { html: '<html><head><title>500 Internal Server Error</title></head><body><pre>',
		xml: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>',
		json: '{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"' }[kind];
	const post = { html: '</pre></body></html>\n', xml: '</Message></Error>\n', json: '"}\n' }[kind];
	const filler = Buffer.alloc(65536, 'the server is having a very long day. ');
	const sock = res.socket;
	let left = total - pre.length - post.length;
	sock.write(head(rule.status || 500, {
		'content-type': kind === 'json' ? 'application/x-amz-json-1.0' :
			kind === 'xml' ? 'application/xml' : 'text/html',
		'content-length': total }) + '\r\n' + pre);
	pump(sock, () => {
		if (left <= 0) return null;
		const b = filler.subarray(0, Math.min(filler.length, left));
		left -= b.length;
		return b;
	}, () => sock.end(post));
}

function redirect(rule, req, res) {
	const to = rule.to || `http://127.0.0.1:${ports.elsewhere}${req.url}`;
	res.writeHead(rule.status || 307, { location: to, 'content-length': 0 });
	res.end();
}

function esc(s) {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function listing(rule, req, res) {
	const q = new URL(req.url, 'http://x').searchParams;
	const prefix = q.get('prefix') || '';
	const n = rule.keys ?? 3;
	let xml = '<?xml version="1.0" encoding="UTF-8"?>\n' +
		'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
		`<Name>b</Name><Prefix>${esc(prefix)}</Prefix><KeyCount>${n}</KeyCount>` +
		`<MaxKeys>1000</MaxKeys><IsTruncated>${rule.truncated === false ? 'false' : 'true'}</IsTruncated>`;
	for (let i = 0; i < n; i++)
		xml += `<Contents><Key>${esc(prefix)}k${i}</Key><Size>1</Size></Contents>`;
	if (rule.truncated !== false)
		xml += `<NextContinuationToken>${esc(rule.token || 'again-and-again')}</NextContinuationToken>`;
	const xmlbuf = Buffer.from(xml);
	const tail = Buffer.from('</ListBucketResult>\n');
	const filler = Buffer.from('<Filler>' + ' '.repeat(65519) + '</Filler>');
	const total = xmlbuf.length + (rule.pad ?? 0) + tail.length;
	const limit = rule.cut ?? Infinity;
	const sock = res.socket;
	let padleft = rule.pad ?? 0, stage = 0, sent = 0;
	sock.write(head(200, { 'content-type': 'application/xml', 'content-length': total }) + '\r\n');
	pump(sock, () => {
		let b;
		if (stage === 0) {
			b = xmlbuf;
			stage = 1;
		} else if (stage === 1 && padleft > 0) {
			b = padleft >= filler.length ? filler : Buffer.alloc(padleft, ' ');
			padleft -= b.length;
		} else if (stage === 1) {
			b = tail;
			stage = 2;
		} else {
			return null;
		}
		if (sent >= limit) return null;
		if (sent + b.length > limit) b = b.subarray(0, limit - sent);
		sent += b.length;
		return b;
	}, () => {
		if (sent < total) setTimeout(() => sock.destroy(), 50);
		else sock.end();
	});
}

function handle(req, res, body) {
	const rule = pick(req, body);
	note({ on: 'port', method: req.method, url: req.url,
		target: req.headers['x-amz-target'], auth: !!req.headers.authorization,
		action: rule ? rule.action : null });
	if (!rule) return upstreamAnswer(req, body, (status, headers, ubody) => {
		if (status === null) return res.destroy();
		res.writeHead(status, headers);
		res.end(ubody);
	});
	switch (rule.action) {
	case 'bighdr': return bighdr(rule, req, res);
	case 'overlong': return overlong(rule, req, res, body);
	case 'slow': return slow(rule, req, res, body);
	case 'bigerr': return bigerr(rule, req, res);
	case 'redirect': return redirect(rule, req, res);
	case 'listing': return listing(rule, req, res);
	case 'status': {
		const out = Buffer.from(rule.body || '');
		res.writeHead(rule.status || 500, Object.assign({ 'content-length': out.length },
			rule.headers || {}));
		return res.end(out);
	}
	default:
		res.writeHead(500, { 'content-length': 0 });
		return res.end();
	}
}

function control(req, res, body) {
	const send = (code, obj) => {
		res.writeHead(code, { 'content-type': 'application/json' });
		res.end(JSON.stringify(obj));
	};
	if (req.method === 'PUT' && req.url === '/__hostile/rules') {
		try { rules = JSON.parse(body.toString() || '[]'); }
		catch (e) { return send(400, { error: String(e) }); }
		return send(200, { rules: rules.length });
	}
	if (req.method === 'GET' && req.url === '/__hostile/log') return send(200, log);
	send(404, { error: 'no such control' });
}

// the other host: it logs what came, and whether it was signed
function elsewhere(req, res, body) {
	if (req.url.startsWith('/__hostile/')) return control(req, res, body);
	note({ on: 'elsewhere', method: req.method, url: req.url,
		target: req.headers['x-amz-target'], auth: !!req.headers.authorization });
	res.writeHead(404, { 'content-length': 0 });
	res.end();
}

// a forward proxy: plain requests for absolute URLs, and CONNECT tunnels
function proxied(req, res, body) {
	note({ on: 'proxy', method: req.method, url: req.url });
	let u;
	try { u = new URL(req.url); } catch (e) { res.writeHead(400); return res.end(); }
	const headers = Object.assign({}, req.headers);
	delete headers['proxy-connection'];
	headers['content-length'] = body.length;
	const up = http.request({ host: u.hostname, port: u.port, method: req.method,
		path: u.pathname + u.search, headers }, (ures) => {
		res.writeHead(ures.statusCode, ures.headers);
		ures.pipe(res);
	});
	up.on('error', () => res.destroy());
	up.end(body);
}

function tunnel(req, sock, first) {
	note({ on: 'proxy', method: 'CONNECT', url: req.url });
	const [host, port] = req.url.split(':');
	const up = net.connect(Number(port), host, () => {
		sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (first && first.length) up.write(first);
		up.pipe(sock);
		sock.pipe(up);
	});
	up.on('error', () => sock.destroy());
	sock.on('error', () => up.destroy());
}

const tls = opt['tls-cert'] && opt['tls-key'];
const main = tls ?
	https.createServer({ cert: fs.readFileSync(opt['tls-cert']), key: fs.readFileSync(opt['tls-key']) },
		(req, res) => collect(req, (body) => handle(req, res, body))) :
	http.createServer((req, res) => collect(req, (body) => handle(req, res, body)));
main.on('tlsClientError', () => {});
main.keepAliveTimeout = 60000;
const other = http.createServer((req, res) => collect(req, (body) => elsewhere(req, res, body)));
const proxy = http.createServer((req, res) => collect(req, (body) => proxied(req, res, body)));
proxy.on('connect', tunnel);

let up = 0;
function listening(name, server) {
	return () => {
		ports[name] = server.address().port;
		if (++up < 3) return;
		const tmp = opt.ready + '.tmp';
		fs.writeFileSync(tmp, JSON.stringify(ports) + '\n');
		fs.renameSync(tmp, opt.ready);
	};
}
main.listen(0, '127.0.0.1', listening('port', main));
other.listen(0, '127.0.0.1', listening('elsewhere', other));
proxy.listen(0, '127.0.0.1', listening('proxy', proxy));
process.on('SIGTERM', () => process.exit(0));
// a server whose test died without stopping it ends by itself
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();
