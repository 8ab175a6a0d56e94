#!/usr/bin/env node
// @20minutes/s3rver 4.0.4 names bin/s3rver.js in its package.json but does
// not ship it; its commander CLI is lib/cli.js.
require('@20minutes/s3rver/lib/cli').parseAsync(process.argv);
