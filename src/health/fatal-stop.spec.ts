import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitProcess } from './fatal-stop';

/**
 * A child process whose worker thread is stuck in a syscall (opening a FIFO no one writes to, as a
 * thread blocked in an fsync on a failing disk) is stopped through ExitProcess; `process.exit(1)`
 * waits for that thread for ever.
 */
const childSource = (fifo: string) => `
const { Worker } = require('node:worker_threads');
const { ExitProcess } = require(${JSON.stringify(join(__dirname, 'fatal-stop'))});
const stuck = new Worker('require("node:fs").openSync(${JSON.stringify(fifo)}, "r")', { eval: true });
stuck.on('online', () => setTimeout(() => new ExitProcess().stop('the WAL flush failed (spec)', { reason: 'spec' }), 300));
`;

function runChild(fifo: string): Promise<{ signal: NodeJS.Signals | null; code: number | null; stuck: boolean; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', childSource(fifo)], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let stuck = false;
    const guard = setTimeout(() => {
      stuck = true;
      child.kill('SIGKILL');
    }, 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stuck, stdout });
    });
  });
}

describe(ExitProcess.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fatal-stop-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends the process even while a worker thread is stuck in a syscall, after writing the fatal line', async () => {
    const fifo = join(dir, 'never-written');
    execFileSync('mkfifo', [fifo]);
    const outcome = await runChild(fifo);
    expect(outcome.stuck).toBe(false);
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.stdout).toContain('the WAL flush failed (spec)');
  }, 30_000);
});
