import Fastify, { FastifyInstance } from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { accessLogLevel, registerAccessLog } from './access-log';
import { logOptions } from './root-logger';

describe(registerAccessLog.name, () => {
  let output: string;
  let root: pino.Logger;
  let app: FastifyInstance;

  beforeEach(async () => {
    output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += chunk.toString();
        done();
      },
    });
    root = pino(logOptions('info'), sink);
    app = Fastify({ genReqId: (request) => String(request.headers['x-request-id'] ?? 'generated') });
    registerAccessLog(app, () => root);
    app.get('/api/topup/numbers/:msisdn', async () => ({ ok: true }));
    app.post('/api/call-box/heartbeat', async (request, reply) => reply.status((request.body as { fail?: boolean }).fail ? 500 : 200).send({}));
    await app.ready();
  });
  afterEach(async () => app.close());

  const lines = () =>
    output
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes one line of the route, never the URL, headers or body, with the fields it always had', async () => {
    await app.inject({
      method: 'GET',
      url: '/api/topup/numbers/77123456?pincode=4321',
      headers: { authorization: 'Bearer secret-token-123', 'x-api-key': 'secret-key-456', 'x-request-id': 'req-1' },
    });
    const [line, ...others] = lines();
    expect(others).toEqual([]);
    expect(Object.keys(line).sort()).toEqual(
      ['level', 'time', 'pid', 'service', 'requestId', 'method', 'route', 'remoteAddress', 'statusCode', 'responseTime', 'msg'].sort(),
    );
    expect(line).toMatchObject({ level: 'info', service: 'merecharge-gateway', requestId: 'req-1', method: 'GET', route: '/api/topup/numbers/:msisdn', statusCode: 200, msg: 'request completed' });
    expect(new Date(line.time as string).toISOString()).toBe(line.time);
    for (const secret of ['secret-token-123', 'secret-key-456', '77123456', '4321']) expect(output).not.toContain(secret);
  });

  it("leaves a box's routine calls at debug, and logs them when they fail", async () => {
    await app.inject({ method: 'POST', url: '/api/call-box/heartbeat', payload: { fail: false }, headers: { 'x-request-id': 'ok' } });
    await app.inject({ method: 'POST', url: '/api/call-box/heartbeat', payload: { fail: true }, headers: { 'x-request-id': 'failed' } });
    expect(lines().map((line) => [line.requestId, line.level])).toEqual([['failed', 'error']]);
    expect(accessLogLevel('/api/call-box/heartbeat', 200)).toBe('debug');
  });

  it("keeps the root logger's redaction for every other line", async () => {
    await app.inject({ method: 'GET', url: '/api/topup/numbers/77123456', headers: { 'x-request-id': 'req-2' } });
    root.info({ command: { pincode: '9876', token: 'secret-token-789' } }, 'a service line');
    expect(output).not.toContain('9876');
    expect(output).not.toContain('secret-token-789');
    expect(lines()).toHaveLength(2);
  });
});
