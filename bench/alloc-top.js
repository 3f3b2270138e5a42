'use strict';
/**
 * Summarises an allocation profile from bench/alloc-prof.js: megabytes allocated per second over its
 * window, and the functions that allocated most (self, with file and line).
 * Usage: node bench/alloc-top.js <file.heapprofile> [rows=40] [requests per second, for KB/request]
 */
const { readFileSync } = require('node:fs');

const [file, rowsArg, rpsArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const bytesByNode = new Map();
for (const sample of profile.samples ?? []) bytesByNode.set(sample.nodeId, (bytesByNode.get(sample.nodeId) ?? 0) + sample.size);
const bySite = new Map();
let total = 0;
const visit = (node) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
  const bytes = bytesByNode.get(node.id) ?? 0;
  total += bytes;
  bySite.set(where, (bySite.get(where) ?? 0) + bytes);
  for (const child of node.children ?? []) visit(child);
};
visit(profile.head);
const seconds = (profile.windowMs ?? 30_000) / 1000;
const perSecond = total / seconds;
const rps = Number(rpsArg);
console.log(`${(perSecond / 1e6).toFixed(1)} MB/s allocated over ${seconds} s` + (rps > 0 ? `, ${(perSecond / rps / 1024).toFixed(1)} KB per request at ${rps} requests/s` : ''));
for (const [where, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg) || 40)) {
  console.log(`${((100 * bytes) / total).toFixed(2).padStart(6)} %  ${(bytes / seconds / 1e6).toFixed(2).padStart(6)} MB/s  ${where}`);
}
