#!/usr/bin/env node
// Entry of `hatch`: runs the built bundle (npm install builds it through "prepare").
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  console.error('hatch: the build is missing (' + bundle + '). Run "npm run build" first.');
  process.exit(1);
}
require(bundle);
