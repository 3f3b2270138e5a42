/**
 * Preloaded into the service by the bench when BENCH_STATEMENT_STATS=<dir> (`--require`): counts
 * every statement the drivers run (better-sqlite3's run/all/get/exec; node-postgres' queries, each
 * one round trip) and the time spent in it, and writes them to <dir>/statements-<pid>.json on
 * SIGUSR2 (the bench's window starts and ends) and when the process exits. Measurement only: the
 * service's own code is untouched.
 */
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const stats = new Map();
function note(text, ns) {
  const key = String(text).replace(/\s+/g, ' ').trim();
  const entry = stats.get(key) ?? { count: 0, ms: 0 };
  entry.count += 1;
  entry.ms += Number(ns) / 1e6;
  stats.set(key, entry);
}
function timed(text, call) {
  const began = process.hrtime.bigint();
  try {
    return call();
  } finally {
    note(text, process.hrtime.bigint() - began);
  }
}

try {
  const Sqlite = require('better-sqlite3');
  const probe = new Sqlite(':memory:');
  const Statement = Object.getPrototypeOf(probe.prepare('SELECT 1'));
  probe.close();
  for (const method of ['run', 'all', 'get']) {
    const original = Statement[method];
    Statement[method] = function (...args) {
      return timed(this.source, () => original.apply(this, args));
    };
  }
  const exec = Sqlite.prototype.exec;
  Sqlite.prototype.exec = function (sql) {
    return timed(sql, () => exec.call(this, sql));
  };
} catch {
  // not installed
}

try {
  const { Client } = require('pg');
  const query = Client.prototype.query;
  Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : config?.text;
    const began = process.hrtime.bigint();
    const result = query.call(this, config, ...rest);
    if (result && typeof result.then === 'function') {
      result.then(
        () => note(text, process.hrtime.bigint() - began),
        () => note(text, process.hrtime.bigint() - began),
      );
    } else note(text, process.hrtime.bigint() - began);
    return result;
  };
} catch {
  // not installed
}

/** Counts so far, dearest first. */
function snapshot() {
  return [...stats.entries()].map(([text, { count, ms }]) => ({ count, ms: Math.round(ms), text })).sort((a, b) => b.count - a.count);
}
const write = () => writeFileSync(join(process.env.BENCH_STATEMENT_STATS, `statements-${process.pid}.json`), JSON.stringify(snapshot(), null, 1));
process.on('SIGUSR2', write);
process.on('exit', write);
