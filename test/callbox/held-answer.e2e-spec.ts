import { IncomingHttpHeaders, request } from 'node:http';
import { CallBoxTransactionsController } from '../../src/callbox/transactions/callbox-transactions.controller';
import { CallBoxTransactionsService } from '../../src/callbox/transactions/callbox-transactions.service';
import { InFlightRequests } from '../../src/health/graceful-shutdown';
import { createTestApp, TEST_CALLBOX_TOKEN, TestApp } from '../support/test-app';
import { CALLBOX_ERROR_KEYS, paths, registerBox, submit } from './callbox-api';
import { longPollPath, untilHeld } from './long-poll-api';

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One GET on a connection of its own, every header of the answer kept. */
function rawGet(t: TestApp, path: string, requestId: string, method = 'GET'): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${t.api.baseUrl}${path}`, { method, agent: false, headers: { authorization: `Bearer ${TEST_CALLBOX_TOKEN}`, 'x-request-id': requestId } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** What an answer says, the values that differ between any two answers (date, request id) left out. */
const shapeOf = (answer: RawAnswer) => ({
  status: answer.status,
  headerNames: Object.keys(answer.headers).sort(),
  contentType: answer.headers['content-type'],
  lengthIsBodys: Number(answer.headers['content-length']) === Buffer.byteLength(answer.text),
  connection: answer.headers.connection,
  retryAfter: answer.headers['retry-after'],
  body: JSON.parse(answer.text.replaceAll(String(answer.headers['x-request-id']), '<request id>')) as unknown,
});

const databaseGone = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

/**
 * A held long poll is answered outside Fastify's and Nest's request frames (HeldReplies): its
 * answer must still be the one a poll answered at once gets, header for header, error bodies and
 * the shutdown's `Connection: close` included.
 */
describe('Long polling: a held poll is answered as any poll', () => {
  let t: TestApp;
  const inFlight = new InFlightRequests();

  beforeEach(async () => {
    inFlight.draining = false;
    t = await createTestApp({ inFlight });
    await registerBox(t.api, 'callbox_held');
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  it('answered at its deadline: the same status, headers and body as a poll answered at once, its own request id', async () => {
    const now = await rawGet(t, paths.pending('callbox_held'), 'probe-now');
    const held = await rawGet(t, longPollPath('callbox_held', 300), 'probe-held');

    expect(shapeOf(held)).toEqual(shapeOf(now));
    expect(shapeOf(held)).toMatchObject({ status: 200, contentType: 'application/json; charset=utf-8', body: { success: true, transactions: [], count: 0 } });
    expect(held.headers['x-request-id']).toBe('probe-held');
    expect(shapeOf(held).lengthIsBodys).toBe(true);
  });

  it('woken by a submit: answered with the work, as the poll that would have claimed it at once', async () => {
    const heldAnswer = rawGet(t, longPollPath('callbox_held', 20_000), 'probe-woken');
    await untilHeld(t, 1);
    const tx = await submit(t.api);
    const held = await heldAnswer;

    expect(held.status).toBe(200);
    expect(held.headers['x-request-id']).toBe('probe-woken');
    expect(JSON.parse(held.text)).toMatchObject({ success: true, count: 1, transactions: [{ id: tx.id, status: 'assigned' }] });
  });

  it("the route's frame ends when the poll is held, not when it is answered", async () => {
    await t.close();
    const original = CallBoxTransactionsController.prototype.pending;
    const route = jest.spyOn(CallBoxTransactionsController.prototype, 'pending');
    // The route's decorators are metadata on the method: the spy carries them, or Nest maps no route.
    for (const key of Reflect.getMetadataKeys(original)) Reflect.defineMetadata(key, Reflect.getMetadata(key, original), route);
    t = await createTestApp({ inFlight });
    await registerBox(t.api, 'callbox_held');

    const heldAnswer = rawGet(t, longPollPath('callbox_held', 20_000), 'probe-frame');
    await untilHeld(t, 1);
    expect(route).toHaveBeenCalledTimes(1);
    // Settled while the poll is still held: nothing of the route waits on the hold.
    await expect(route.mock.results[0].value).resolves.toBeUndefined();
    expect((await submit(t.api)).id).toBeDefined();
    expect((await heldAnswer).status).toBe(200);
  });

  it('a hold ending in an error answers with the CallBox error body, status and Retry-After of a poll failing at once', async () => {
    const service = t.app.get(CallBoxTransactionsService);
    const pending = service.pending.bind(service);
    let failNext = false;
    jest.spyOn(service, 'pending').mockImplementation(async (...args) => {
      if (failNext) throw databaseGone();
      return pending(...args);
    });

    const heldAnswer = rawGet(t, longPollPath('callbox_held', 20_000), 'probe-held-error');
    await untilHeld(t, 1);
    failNext = true;
    // The woken poll's claim fails: the submit itself is committed (it claims nothing of it).
    await submit(t.api);
    const held = await heldAnswer;
    const now = await rawGet(t, paths.pending('callbox_held'), 'probe-now-error');

    expect(shapeOf(held)).toEqual(shapeOf(now));
    expect(held.status).toBe(503);
    expect(held.headers['retry-after']).toBe('1');
    expect(Object.keys(JSON.parse(held.text)).sort()).toEqual(expect.arrayContaining(CALLBOX_ERROR_KEYS));
    expect(held.headers['x-request-id']).toBe('probe-held-error');
  });

  it('answered while draining for a shutdown: its connection is closed, as every answer then', async () => {
    const heldAnswer = rawGet(t, longPollPath('callbox_held', 20_000), 'probe-drain');
    await untilHeld(t, 1);
    inFlight.draining = true;
    await submit(t.api);
    const held = await heldAnswer;
    const now = await rawGet(t, paths.pending('callbox_held'), 'probe-drain-now');

    expect(held.status).toBe(200);
    expect(held.headers.connection).toBe('close');
    expect(shapeOf(held).headerNames).toEqual(shapeOf(now).headerNames);
    expect(now.headers.connection).toBe('close');
  });

  it('a HEAD poll is refused (405, Allow: GET) and claims nothing: it could not show what it claimed', async () => {
    const tx = await submit(t.api);
    for (const path of [paths.pending('callbox_held'), longPollPath('callbox_held', 20_000)]) {
      const head = await rawGet(t, path, 'probe-head', 'HEAD');
      expect(head.status).toBe(405);
      expect(head.headers.allow).toBe('GET');
    }
    const now = await rawGet(t, paths.pending('callbox_held'), 'probe-after-head');
    expect(JSON.parse(now.text)).toMatchObject({ count: 1, transactions: [{ id: tx.id }] });
  });
});
