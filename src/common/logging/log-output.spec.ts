import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LogOutput } from './log-output';
import { logOptions } from './root-logger';

describe(LogOutput.name, () => {
  let dir: string;
  let file: string;
  let fd: number;
  let sut: LogOutput;
  const written = () => readFileSync(file, 'utf8');
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-output-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    sut.stop();
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds a short line in its buffer, then the flush timer writes it without any further line', async () => {
    sut = new LogOutput('json', fd, 50);
    pino(logOptions('info'), sut).info('quiet gateway');
    expect(written()).toBe('');
    await until(() => written().includes('quiet gateway'));
    expect(JSON.parse(written())).toMatchObject({ level: 'info', msg: 'quiet gateway', service: 'merecharge-gateway' });
  });

  it('writes everything buffered at once on flushSync (shutdown, fatal errors)', () => {
    sut = new LogOutput('json', fd, 60_000);
    const logger = pino(logOptions('info'), sut);
    for (let i = 0; i < 5; i++) logger.info({ i }, 'line');
    expect(written()).toBe('');
    sut.flushSync();
    expect(written().trim().split('\n')).toHaveLength(5);
  });

  it('writes text for a person with LOG_FORMAT=pretty: time, level name, context, message, fields', () => {
    sut = new LogOutput('pretty', fd, 60_000);
    pino(logOptions('info'), sut).warn({ context: 'Bootstrap', port: 3000 }, 'Listening');
    sut.flushSync();
    expect(written()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  \[Bootstrap\] Listening \{"port":3000\}\n$/);
  });
});
