#!/usr/bin/env node
// Prints a TCP port on 127.0.0.1 that was free a moment ago.
const s = require('net').createServer();
s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });
