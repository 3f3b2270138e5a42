'use strict';
// Bytes a held long poll keeps, its connection left out: N boxes with N keep-alive sockets open, the live heap
// (after two full GCs) idle, then with N polls held. Usage: node bench/held-poll-bytes.js <dist dir> <port> [N=4000]
// (ulimit -n above N; SNAP=<prefix> also writes both heap snapshots).
const { fork } = require('node:child_process');
const http = require('node:http');
const [dist, port, n] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 4000)];
const TOKEN = 'bench-callbox-token-0123456789';
const db = `${require('node:os').tmpdir()}/held-poll-bytes-${process.pid}.sqlite`;
const child = fork(`${dist}/src/main.js`, [], {
  execArgv: ['--max-old-space-size=256', '--expose-gc', '--require', `${__dirname}/heap-probe.js`],
  env: { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${db}`, CALLBOX_TOKEN: TOKEN, API_KEY: 'bench-admin-api-key-0123456789', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', MAIN_RATE_LIMIT_PER_MINUTE: '10000000', SYNC_AUTOSTART_DELAY_MS: '3600000' },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const agent = new http.Agent({ keepAlive: true, maxSockets: n + 10, maxFreeSockets: n + 10 });
const call = (method, path, body) => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization: `Bearer ${TOKEN}`, ...(body && { 'content-type': 'application/json' }) } }, (res) => {
    let text = ''; res.setEncoding('utf8'); res.on('data', (c) => (text += c)); res.on('end', () => resolve({ status: res.statusCode, text }));
  });
  req.on('error', reject); req.end(body && JSON.stringify(body));
});
const heap = (tag) => new Promise((resolve) => { child.once('message', (m) => resolve(m.heapUsed)); child.send(process.env.SNAP ? `snap:${process.env.SNAP}-${tag}.heapsnapshot` : 'heap'); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ids = Array.from({ length: n }, (_, i) => `callbox_${String(i).padStart(5, '0')}`);
(async () => {
  for (let up = false; !up; ) { await sleep(300); up = await call('GET', '/health/live').then(() => true, () => false); }
  for (let i = 0; i < n; i += 50) await Promise.all(ids.slice(i, i + 50).map((id) => call('POST', '/api/call-box/register', { callboxId: id, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] }, version: '1.0.0', location: 'x' })));
  // N sockets open at once (plain polls), kept alive: the connection is not what is measured.
  await Promise.all(ids.map((id) => call('GET', `/api/call-box/transactions/pending?callboxId=${id}`)));
  await Promise.all(ids.map((id) => call('GET', `/api/call-box/transactions/pending?callboxId=${id}`)));
  await sleep(1000);
  const idle = await heap('idle');
  const held = ids.map((id) => call('GET', `/api/call-box/transactions/pending?callboxId=${id}&waitMs=25000`));
  await sleep(6000);
  const holding = await heap('held');
  const sockets = Object.values(agent.sockets).reduce((a, s) => a + s.length, 0);
  console.log(JSON.stringify({ dist, n, sockets, idleMb: +(idle / 2 ** 20).toFixed(1), heldMb: +(holding / 2 ** 20).toFixed(1), bytesPerHeldPoll: Math.round((holding - idle) / n) }));
  child.kill('SIGTERM');
  await Promise.allSettled(held);
  process.exit(0);
})().catch((e) => { console.error(e); child.kill('SIGKILL'); process.exit(1); });
