// Preloaded (node -r) into a client process by bench/_echo-trace.ts: its user-space time per key,
// stdin data → socket write and socket data → terminal write; appended to TRACE_OUT at exit.
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node -r) for plain node processes */
const net = require('node:net');
const tty = require('node:tty');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const inT = [], outT = [];
let tIn = 0, tSock = 0;
const origEmit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (ev, ...a) {
  if (ev === 'data') {
    if (this === process.stdin) tIn = performance.now();
    else if (!(this instanceof tty.WriteStream) && !(this instanceof tty.ReadStream)) tSock = performance.now();
  }
  return origEmit.call(this, ev, ...a);
};
const origWG = net.Socket.prototype._writeGeneric;
net.Socket.prototype._writeGeneric = function (...a) {
  if (!(this instanceof tty.WriteStream) && tIn) { inT.push(performance.now() - tIn); tIn = 0; }
  return origWG.apply(this, a);
};
const origW = process.stdout.write;
process.stdout.write = function (...a) {
  if (tSock) { outT.push(performance.now() - tSock); tSock = 0; }
  return origW.apply(this, a);
};
let dumped=false;
const dump = () => { if (dumped) return; dumped=true;
  const pct = (xs, p) => { const s = [...xs].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))].toFixed(3) : '-'; };
  fs.appendFileSync(process.env.TRACE_OUT || '/tmp/hatch-echo-trace.txt', `${process.pid} ${process.argv[1]} in n=${inT.length} p50 ${pct(inT,50)} p90 ${pct(inT,90)} | out n=${outT.length} p50 ${pct(outT,50)} p90 ${pct(outT,90)}\n`);
};
process.on('exit', dump);
for (const sig of ['SIGHUP','SIGTERM']) process.on(sig, () => { dump(); process.exit(0); });
