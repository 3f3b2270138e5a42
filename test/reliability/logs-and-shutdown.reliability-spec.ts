import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDir, createApp, freePort, RELIABILITY_CALLBOX_TOKEN, startGatewayOnSimulator, stopAll } from './support/processes';

/**
 * The gateway's own output, as the on-call engineer reads it: `node dist/src/main.js` started by
 * this process (so not PID 1, like `npm start`, systemd, tini or `docker run --init`), stdout a pipe.
 */
const IDLE_LINE_DEADLINE_MS = 2_000;

class Stdout {
  readonly lines: Array<{ at: number; text: string }> = [];
  private partial = '';

  constructor(child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (this.partial + chunk.toString('utf8')).split('\n');
      this.partial = parts.pop()!;
      for (const text of parts) if (text.trim()) this.lines.push({ at: Date.now(), text });
    });
  }

  json(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line.text) as Record<string, unknown>);
  }

  /** Resolves with the first line matching, or null once `deadlineMs` passed without one. */
  async waitFor(match: (entry: Record<string, unknown>) => boolean, deadlineMs: number): Promise<Record<string, unknown> | null> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = this.json().find(match);
      if (found) return found;
      if (Date.now() > deadline) return null;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode, at: Date.now() });
    else child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });

describe('Logs and shutdown of the real process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'merecharge-logs-'));
  });
  afterAll(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the access line of a single request on an idle gateway to stdout within 2 s', async () => {
    const app = await createApp({ name: 'idle-gateway', databaseUrl: `sqlite:${join(dir, 'idle.sqlite')}`, env: { LOG_LEVEL: 'info' } });
    await app.start();
    const stdout = new Stdout(app.child!);
    const requestId = `idle-${Date.now()}`;
    const res = await fetch(`${app.url}/api/call-box/stats`, { headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(401);
    const line = await stdout.waitFor((entry) => entry.requestId === requestId, IDLE_LINE_DEADLINE_MS);
    expect(line).toMatchObject({ level: 'info', msg: 'request completed', route: '/api/call-box/stats', statusCode: 401 });
    await app.stop();
  });

  it('on SIGTERM with requests in flight, answers them, writes every line, logs the shutdown and exits 0', async () => {
    const { simulator, app } = await startGatewayOnSimulator(`sqlite:${join(dir, 'drain.sqlite')}`, { LOG_LEVEL: 'info' });
    const stdout = new Stdout(app.child!);
    // Fast answers first: their lines wait in the buffer.
    const quick = Array.from({ length: 10 }, (_, i) => `quick-${i}-${Date.now()}`);
    for (const id of quick) expect((await fetch(`${app.url}/api/call-box/stats`, { headers: { 'x-request-id': id } })).status).toBe(401);
    // Then TopUp queries the operator takes 1.5 s to answer: in flight when SIGTERM comes.
    await fetch(`${simulator.url}/__simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 1500 }) });
    const slow = Array.from({ length: 5 }, (_, i) => `slow-${i}-${Date.now()}`);
    const answers = slow.map((id) =>
      fetch(`${app.url}/api/topup/status`, { method: 'POST', headers: { 'x-request-id': id, 'content-type': 'application/json' }, body: JSON.stringify({ isdn: '21123456' }) }),
    );
    // SIGTERM once the operator has all five: they are in flight at the gateway.
    for (;;) {
      const state = (await (await fetch(`${simulator.url}/__simulator/state`)).json()) as { calls: Record<string, number> };
      if ((state.calls.getStatusForRecharge ?? 0) >= slow.length) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const exited = exitOf(app.child!);
    app.child!.kill('SIGTERM');
    expect((await Promise.all(answers)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await expect(exited).resolves.toMatchObject({ code: 0, signal: null });
    await new Promise((resolve) => setImmediate(resolve));

    const entries = stdout.json();
    const answered = new Set(entries.filter((e) => e.msg === 'request completed').map((e) => e.requestId));
    expect([...quick, ...slow].filter((id) => !answered.has(id))).toEqual([]);
    expect(entries.find((e) => e.signal === 'SIGTERM' && e.inFlight === 5)).toMatchObject({ level: 'info' });
    expect(entries.at(-1)).toMatchObject({ level: 'info', signal: 'SIGTERM', inFlightAtSignal: 5, answeredDuringDrain: 5, stillInFlight: 0 });
    expect(entries.at(-1)!.msg).toMatch(/^Shutdown complete in \d+ ms/);
    // Well inside the compose file's 75 s grace: a keep-alive connection left open held it 72 s.
    expect(entries.at(-1)!.durationMs).toBeLessThan(30_000);
    await app.stop();
    await simulator.stop();
  });

  it('on SIGTERM, answers every held long poll empty at once and exits 0, long before their deadline', async () => {
    const app = await createApp({ name: 'long-polls', databaseUrl: `sqlite:${join(dir, 'long-polls.sqlite')}`, env: { LOG_LEVEL: 'info' } });
    await app.start();
    const stdout = new Stdout(app.child!);
    const auth = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}`, 'content-type': 'application/json' };
    const boxes = ['callbox_001', 'callbox_002', 'callbox_003'];
    for (const callboxId of boxes) {
      const body = JSON.stringify({ callboxId, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } });
      expect((await fetch(`${app.url}/api/call-box/register`, { method: 'POST', headers: auth, body })).status).toBe(200);
    }
    const waitMs = 20_000;
    const held = boxes.map((callboxId) =>
      fetch(`${app.url}/api/call-box/transactions/pending?callboxId=${callboxId}&waitMs=${waitMs}`, { headers: auth }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
        at: Date.now(),
      })),
    );
    // Held once the gateway counts them in flight: a probe sent after them is answered while they wait.
    for (;;) {
      await fetch(`${app.url}/api/call-box/config`, { headers: auth });
      const line = stdout.json().filter((e) => e.msg === 'request completed').length;
      if (line >= boxes.length + 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const exited = exitOf(app.child!);
    const signalledAt = Date.now();
    app.child!.kill('SIGTERM');
    const answers = await Promise.all(held);
    await expect(exited).resolves.toMatchObject({ code: 0, signal: null });
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 200, body: { success: true, transactions: [], count: 0 } });
      expect(answer.at - signalledAt).toBeLessThan(waitMs);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(stdout.json().find((e) => e.signal === 'SIGTERM' && e.inFlight === boxes.length)).toBeDefined();
    await app.stop();
  });

  it.each([
    ['an uncaught exception', "setTimeout(() => { throw new Error('boom') }, 10)", 1],
    ['an unhandled rejection', "setTimeout(() => { Promise.reject(new Error('boom')) }, 10)", 1],
    ['process.exit', 'process.exit(0)', 0],
  ])('writes every buffered line before the process ends by %s', async (_case, ending, code) => {
    const dist = join(buildDir(), 'dist', 'src');
    const script = [
      `const { rootLogger } = require(${JSON.stringify(join(dist, 'common', 'logging', 'root-logger'))});`,
      `const { exitOnFatalErrors } = require(${JSON.stringify(join(dist, 'health', 'graceful-shutdown'))});`,
      'const logger = rootLogger();',
      'exitOnFatalErrors(logger);',
      "for (let i = 0; i < 5; i++) logger.info({ i }, 'buffered');",
      ending,
    ].join('\n');
    const child = spawn(process.execPath, ['-e', script], { cwd: buildDir(), stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = new Stdout(child);
    await expect(exitOf(child)).resolves.toMatchObject({ code });
    await new Promise((resolve) => setImmediate(resolve));
    const entries = stdout.json();
    expect(entries.filter((e) => e.msg === 'buffered').map((e) => e.i)).toEqual([0, 1, 2, 3, 4]);
    if (code === 1) expect(entries.at(-1)).toMatchObject({ level: 'fatal', err: { message: 'boom' } });
  });

  it('with the database unreachable at boot, says so in JSON at once, retries on a visible schedule, then exits 1', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(buildDir(), 'dist', 'src', 'main.js')], {
      cwd: buildDir(),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        NODE_ENV: 'test',
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        DATABASE_URL: `postgres://merecharge:never-in-a-log@127.0.0.1:${port}/merecharge`,
        DATABASE_CONNECT_ATTEMPTS: '3',
        DATABASE_CONNECT_RETRY_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const stdout = new Stdout(child);
    const exit = await exitOf(child);

    expect(exit.code).toBe(1);
    expect(stderr).toBe('');
    // Every line is JSON, from the first: no buffered silence, no coloured framework text.
    const entries = stdout.json();
    const firstFailure = stdout.lines[entries.findIndex((e) => e.attempt === 1)];
    // Written while the process still waited 1 + 2 s to retry, not at its exit.
    expect(exit.at - firstFailure.at).toBeGreaterThan(1000);
    expect(entries.filter((e) => e.level === 'warn').map((e) => [e.attempt, e.retryInMs])).toEqual([
      [1, 1000],
      [2, 2000],
    ]);
    expect(entries.find((e) => e.attempt === 1)).toMatchObject({
      scheduleMs: [1000, 2000],
      database: { host: '127.0.0.1', port, database: 'merecharge', user: 'merecharge' },
      error: { code: 'ECONNREFUSED' },
    });
    expect(entries.at(-1)).toMatchObject({ level: 'fatal', attempt: 3, attempts: 3 });
    expect(entries.at(-1)!.msg).toMatch(new RegExp(`^PostgreSQL at 127\\.0\\.0\\.1:${port}/merecharge unreachable after 3 attempt\\(s\\)`));
    expect(stdout.lines.map((line) => line.text).join('\n')).not.toContain('never-in-a-log');
  });
});
