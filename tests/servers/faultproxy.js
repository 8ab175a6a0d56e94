#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// A small fault-injecting HTTP proxy of ours, for the tests: it sits
// between a client and a real server (s3rver, dynalite) and, by rules,
// answers for the server (throttling, 5xx), resets connections, cuts
// bodies half way, delays, or returns part of a DynamoDB BatchWriteItem
// as UnprocessedItems (of a BatchGetItem, as UnprocessedKeys).  The Host header is passed on unchanged, so a
// SigV4 signature made for the proxy's address still verifies upstream.
//
//   node faultproxy.js PORT UPSTREAM_URL [RULES.json]
//
// Like S3, and unlike s3rver, the proxy honours If-Match on a GET: when
// the object's ETag upstream differs, the answer is 412 PreconditionFailed.
//
// Control, on the proxy's own port:
//   PUT  /__fault/rules   body: a JSON array of rules (replaces them)
//   GET  /__fault/stats   {"requests":N,"faults":{"kind":N,...},"log":[...]}
//                         (a DynamoDB request's log entry has its body)
//   POST /__fault/reset   clears rules, counters and the log
//
// A rule: {"match": {"method": "GET", "path": "regex", "target": "PutItem",
//                    "header": {"range": "regex"}},
//          "action": "status" | "reset" | "cut" | "delay" | "stall" | "unprocessed"
//                    | "pass" | "cutreq",
//          "skip": N (let the first N matches through), "times": N (then
//          apply to N matches; default all), "every": K (only every K-th),
//          "status": 503, "body": "...", "headers": {...},   // status
//          "chunked": true,          // cut: a chunked body, Content-Length kept
//          "bytes": N,               // cut: body bytes sent before the reset;
//                                    // cutreq: request body bytes taken before
//                                    // the connection is reset (an upload cut
//                                    // mid-body)
//          "ms": N,                  // delay (before forwarding) / stall (mid-body)
//          "fraction": 0.5,          // unprocessed: share returned unprocessed
//          "drop": ["range"],        // pass, cut, stall: request headers not
//                                    // forwarded (a server that ignores Range)
//          "set": {"etag": "..."}}   // pass, cut, stall: answer headers replaced
//                                    // (an ETag that changed, a Content-Range
//                                    // that lies)
'use strict';
const http = require('http');
const { URL } = require('url');

const [port, upstreamArg, rulesFile] = process.argv.slice(2);
if (!port || !upstreamArg) {
	console.error('usage: faultproxy.js PORT UPSTREAM_URL [RULES.json]');
	process.exit(2);
}
const upstream = new URL(upstreamArg);
let rules = rulesFile ? JSON.parse(require('fs').readFileSync(rulesFile)) : [];
let stats = { requests: 0, faults: {}, log: [] };
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function resetRules(r) {
	rules = r.map((x) => Object.assign({ seen: 0, applied: 0 }, x));
}
resetRules(rules);

function matches(rule, req) {
	const m = rule.match || {};
	if (m.method && m.method !== req.method) return false;
	if (m.path && !new RegExp(m.path).test(decodeURIComponent(req.url))) return false;
	if (m.target && !(req.headers['x-amz-target'] || '').includes(m.target)) return false;
	for (const [h, re] of Object.entries(m.header || {}))
		if (!new RegExp(re).test(req.headers[h.toLowerCase()] || '')) return false;
	return true;
}

// The rule to apply to this request, if any (counts every match);
// early: only the rules that act before the request's body has come.
function pick(req, early) {
	for (const rule of rules) {
		if ((rule.action === 'cutreq') !== !!early) continue;
		if (!matches(rule, req)) continue;
		rule.seen++;
		if (rule.skip && rule.seen <= rule.skip) continue;
		if (rule.times !== undefined && rule.applied >= rule.times) continue;
		if (rule.every && (rule.seen - (rule.skip || 0)) % rule.every !== 0) continue;
		rule.applied++;
		return rule;
	}
	return null;
}

function count(kind) {
	stats.faults[kind] = (stats.faults[kind] || 0) + 1;
}

function control(req, res, body) {
	const send = (code, obj) => {
		res.writeHead(code, { 'content-type': 'application/json' });
		res.end(JSON.stringify(obj));
	};
	if (req.method === 'PUT' && req.url === '/__fault/rules') {
		try { resetRules(JSON.parse(body.toString() || '[]')); }
		catch (e) { return send(400, { error: String(e) }); }
		return send(200, { rules: rules.length });
	}
	if (req.method === 'GET' && req.url === '/__fault/stats')
		return send(200, stats);
	if (req.method === 'POST' && req.url === '/__fault/reset') {
		resetRules([]);
		stats = { requests: 0, faults: {}, log: [] };
		return send(200, {});
	}
	send(404, { error: 'no such control' });
}

// Forwards req (with body) upstream, without the headers rule drops;
// calls back with the upstream response.
function forward(req, body, cb, rule) {
	const headers = Object.assign({}, req.headers);
	for (const h of (rule && rule.drop) || []) delete headers[h.toLowerCase()];
	headers['content-length'] = Buffer.byteLength(body);
	delete headers['transfer-encoding'];
	delete headers['expect'];
	const up = http.request({
		host: upstream.hostname, port: upstream.port, method: req.method,
		path: req.url, headers, agent,
	}, cb);
	up.on('error', (e) => cb(null, e));
	up.end(body);
}

// S3's conditional GET, which s3rver lacks: true when If-Match fails.
function preconditionFailed(req, ures) {
	const want = req.headers['if-match'];
	if (req.method !== 'GET' || !want || ures.statusCode >= 300) return false;
	return want !== '*' && want !== ures.headers.etag;
}

function send412(res) {
	const out = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
		'<Code>PreconditionFailed</Code><Message>At least one of the ' +
		'pre-conditions you specified did not hold</Message>' +
		'<Condition>If-Match</Condition></Error>');
	res.writeHead(412, { 'content-type': 'application/xml', 'content-length': out.length });
	res.end(out);
}

// The upstream answer's headers, with those rule sets.
function answerHeaders(ures, rule) {
	return Object.assign({}, ures.headers, (rule && rule.set) || {});
}

function relay(res, ures, ubody, rule) {
	const headers = answerHeaders(ures, rule);
	headers['content-length'] = ubody.length;
	delete headers['transfer-encoding'];
	res.writeHead(ures.statusCode, headers);
	res.end(ubody);
}

function collect(stream, cb) {
	const parts = [];
	stream.on('data', (c) => parts.push(c));
	stream.on('end', () => cb(Buffer.concat(parts)));
}

// BatchWriteItem: forward part, return the rest as UnprocessedItems.
// BatchGetItem (a table's entry is {Keys: [...], ...}): the same with its
// keys, returned as UnprocessedKeys.
function unprocessed(rule, req, res, body) {
	let doc;
	try { doc = JSON.parse(body.toString()); } catch (e) { doc = null; }
	if (!doc || !doc.RequestItems) return pass(req, res, body);
	const keep = {}, back = {};
	let nback = 0, get = false;
	const part = (entry, list) => Array.isArray(entry) ? list : Object.assign({}, entry, { Keys: list });
	for (const [table, entry] of Object.entries(doc.RequestItems)) {
		const reqs = Array.isArray(entry) ? entry : (get = true, entry.Keys || []);
		const n = Math.floor(reqs.length * (rule.fraction ?? 0.5));
		const cut = reqs.length - Math.max(n, reqs.length > 0 ? 1 : 0);
		if (cut > 0) keep[table] = part(entry, reqs.slice(0, cut));
		if (reqs.length - cut > 0) { back[table] = part(entry, reqs.slice(cut)); nback += reqs.length - cut; }
	}
	const kind = get ? 'unprocessed_keys' : 'unprocessed_items';
	stats.faults[kind] = (stats.faults[kind] || 0) + nback;
	const reply = (obj) => {
		const out = Buffer.from(JSON.stringify(obj));
		res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0',
			'content-length': out.length, 'x-amzn-requestid': 'faultproxy' });
		res.end(out);
	};
	if (Object.keys(keep).length === 0)
		return reply(get ? { Responses: {}, UnprocessedKeys: back } : { UnprocessedItems: back });
	doc.RequestItems = keep;
	forward(req, Buffer.from(JSON.stringify(doc)), (ures, err) => {
		if (err) { res.destroy(); return; }
		collect(ures, (ubody) => {
			if (ures.statusCode !== 200) return relay(res, ures, ubody);
			let r = {};
			try { r = JSON.parse(ubody.toString()); } catch (e) { /* keep {} */ }
			const name = get ? 'UnprocessedKeys' : 'UnprocessedItems';
			const u = r[name] || {};
			for (const [t, entry] of Object.entries(back))
				u[t] = get ? Object.assign({}, entry, { Keys: ((u[t] || {}).Keys || []).concat(entry.Keys) })
					: (u[t] || []).concat(entry);
			r[name] = u;
			reply(r);
		});
	});
}

function pass(req, res, body, after, rule) {
	forward(req, body, (ures, err) => {
		if (err) { res.destroy(); return; }
		collect(ures, (ubody) => {
			if (preconditionFailed(req, ures)) return send412(res);
			return after ? after(ures, ubody) : relay(res, ures, ubody, rule);
		});
	}, rule);
}

function logreq(req, rule, body) {
	stats.log.push({ method: req.method, url: req.url,
		range: req.headers.range, ifMatch: req.headers['if-match'],
		payer: req.headers['x-amz-request-payer'],
		target: req.headers['x-amz-target'], fault: rule ? rule.action : null,
		md5: req.headers['content-md5'], date: req.headers['x-amz-date'],
		// the region the request was signed for
		region: ((req.headers.authorization || '').match(/Credential=[^/]*\/\d+\/([^/]+)\//) || [])[1],
		length: req.headers['content-length'],
		// a DynamoDB request's JSON, for tests that check what was sent
		body: req.headers['x-amz-target'] && body ? body.toString().slice(0, 65536) : undefined });
	if (stats.log.length > 5000) stats.log.shift();
}

// A request whose body is cut: the connection reset once "bytes" of it
// have come.
function cutreq(req, rule) {
	stats.requests++;
	logreq(req, rule, null);
	count(rule.action);
	let got = 0;
	const n = rule.bytes || 0;
	if (n === 0) return req.socket.destroy();
	req.on('data', (c) => {
		got += c.length;
		if (got >= n) req.socket.destroy();
	});
}

function handle(req, res, body) {
	if (req.url.startsWith('/__fault/')) return control(req, res, body);
	stats.requests++;
	const rule = pick(req);
	logreq(req, rule, body);
	if (!rule) return pass(req, res, body);
	count(rule.action);
	switch (rule.action) {
	case 'status': {
		const out = Buffer.from(rule.body || '');
		res.writeHead(rule.status || 503, Object.assign(
			{ 'content-length': out.length }, rule.headers || {}));
		return res.end(out);
	}
	case 'reset':
		return req.socket.destroy();
	case 'delay':
		return setTimeout(() => pass(req, res, body), rule.ms || 1000);
	case 'cut':
	case 'stall':
		return pass(req, res, body, (ures, ubody) => {
			const headers = answerHeaders(ures, rule);
			headers['content-length'] = ubody.length;
			delete headers['transfer-encoding'];
			// a Content-Length that lies, and a chunked body (whose
			// end never comes: every byte may come, and still it is
			// cut short)
			if (rule.set && rule.set['content-length'] !== undefined)
				headers['content-length'] = rule.set['content-length'];
			if (rule.chunked) headers['transfer-encoding'] = 'chunked';
			res.writeHead(ures.statusCode, headers);
			const n = Math.min(rule.bytes ?? Math.floor(ubody.length / 2), ubody.length);
			res.write(ubody.subarray(0, n));
			if (rule.action === 'cut') {
				// flush what was written, then drop the connection
				setTimeout(() => req.socket.destroy(), 50);
			} else {
				setTimeout(() => res.end(ubody.subarray(n)), rule.ms || 1000);
			}
		}, rule);
	case 'unprocessed':
		return unprocessed(rule, req, res, body);
	case 'pass':
		return pass(req, res, body, null, rule);
	default:
		return pass(req, res, body);
	}
}

const server = http.createServer((req, res) => {
	const early = req.url.startsWith('/__fault/') ? null : pick(req, true);
	if (early) return cutreq(req, early);
	collect(req, (body) => handle(req, res, body));
});
server.keepAliveTimeout = 60000;
server.listen(Number(port), '127.0.0.1', () => {
	console.log(`faultproxy listening on 127.0.0.1:${port} -> ${upstream.origin}`);
});
process.on('SIGTERM', () => process.exit(0));
// a proxy whose test died without stopping it ends by itself
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();
