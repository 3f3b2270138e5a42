import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';

/** The compiled app: the private copy made by global-setup.js, else the project's own dist. */
export function buildDir(): string {
  return process.env.RELIABILITY_BUILD_DIR ?? join(__dirname, '..', '..', '..');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port the OS says is free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const RELIABILITY_CALLBOX_TOKEN = 'reliability-callbox-token-000001';
export const RELIABILITY_API_KEY = 'reliability-admin-api-key-000001';

/**
 * Where each process writes its whole output: `<RELIABILITY_LOG_DIR>/<spec file>/<process>.log`.
 * The failure reporter (failure-logs-reporter.js) prints the error lines of a failed spec's
 * processes and keeps the folder when CI is set.
 */
function logFileFor(name: string, port: number): string | null {
  const root = process.env.RELIABILITY_LOG_DIR;
  const spec = expect.getState().testPath;
  if (!root || !spec) return null;
  const dir = join(root, basename(spec));
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name.replace(/[^\w.-]+/g, '_')}-${port}.log`);
}

/** Every process a spec started, so afterAll (and, at worst, the exit of jest) can end them. */
const running = new Set<ManagedProcess>();
process.once('exit', () => {
  for (const proc of running) proc.child?.kill('SIGKILL');
});

/**
 * A real node process on loopback (the app, or the standalone SOAP simulator): started with its
 * own environment, ready once its health URL answers 200, stopped with SIGTERM or killed with
 * SIGKILL. Keeps the tail of its output for failure messages.
 */
export class ManagedProcess {
  child: ChildProcess | null = null;
  private readonly tail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private log: WriteStream | null = null;
  starts = 0;

  constructor(
    readonly name: string,
    private readonly script: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly readyPath: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [join(buildDir(), 'dist', this.script)], {
      cwd: buildDir(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts += 1;
    running.add(this);
    const file = this.log ? null : logFileFor(this.name, this.port);
    if (file) this.log = createWriteStream(file, { flags: 'a' });
    this.log?.write(`--- start #${this.starts} at ${new Date().toISOString()}\n`);
    const keep = (chunk: Buffer) => {
      this.log?.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.tail.push(line.slice(0, 2000));
      if (this.tail.length > 200) this.tail.splice(0, this.tail.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited while starting (${child.exitCode ?? child.signalCode}):\n${this.output()}`);
      }
      if (await this.answers()) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.output()}`);
      await sleep(100);
    }
  }

  /** kill -9: no shutdown hook runs, sockets and database connections are cut as they are. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child!.kill('SIGKILL');
    await this.exited;
    this.log?.write(`--- killed (SIGKILL) at ${new Date().toISOString()}\n`);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.alive) {
      this.child!.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    running.delete(this);
    this.log?.end();
    this.log = null;
  }

  output(lines = 40): string {
    return this.tail.slice(-lines).join('\n');
  }

  private async answers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}${this.readyPath}`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }
}

export interface AppOptions {
  name: string;
  databaseUrl: string;
  port?: number;
  env?: Record<string, string>;
}

/** One gateway process (`node dist/src/main.js`), limits lifted, logs at warn. */
export async function createApp(options: AppOptions): Promise<ManagedProcess> {
  const port = options.port ?? (await freePort());
  return new ManagedProcess(
    options.name,
    'src/main.js',
    port,
    {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      CALLBOX_TOKEN: RELIABILITY_CALLBOX_TOKEN,
      API_KEY: RELIABILITY_API_KEY,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000',
      MAIN_RATE_LIMIT_PER_MINUTE: '10000000',
      TOPUP_RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_FAILURE_LIMIT_PER_MINUTE: '1000000',
      ...options.env,
    },
    '/health/ready',
  );
}

export const SIMULATOR_USERNAME = 'reliability-soap-user';
export const SIMULATOR_PASSWORD = 'reliability-soap-password-0001';

/** The standalone SOAP simulator (`dist/src/simulator/soap/main.js`) with its control endpoint. */
export async function createSimulator(): Promise<ManagedProcess & { soapUrl: string }> {
  const port = await freePort();
  const proc = new ManagedProcess(
    'soap-simulator',
    'src/simulator/soap/main.js',
    port,
    { SIMULATOR_PORT: String(port), SIMULATOR_HOST: '127.0.0.1', TOPUP_SOAP_USERNAME: SIMULATOR_USERNAME, TOPUP_SOAP_PASSWORD: SIMULATOR_PASSWORD },
    '/__simulator/state',
  );
  return Object.assign(proc, { soapUrl: `http://127.0.0.1:${port}/soap/queueSoapService` });
}

/** A started standalone simulator and a started gateway that calls it, on `databaseUrl`. */
export async function startGatewayOnSimulator(
  databaseUrl: string,
  env: Record<string, string>,
): Promise<{ simulator: ManagedProcess & { soapUrl: string }; app: ManagedProcess }> {
  const simulator = await createSimulator();
  await simulator.start();
  const app = await createApp({
    name: 'gateway',
    databaseUrl,
    env: {
      TOPUP_SOAP_URL: simulator.soapUrl,
      TOPUP_SOAP_USERNAME: SIMULATOR_USERNAME,
      TOPUP_SOAP_PASSWORD: SIMULATOR_PASSWORD,
      ...env,
    },
  });
  await app.start();
  return { simulator, app };
}

/** Ends every process still running (afterAll calls it whatever happened). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop()));
}
