import fc from 'fast-check';
import { printSummary } from './support/audit';
import { badRequests, BadRequest, FuzzTargets } from './support/bad-requests';
import { createSqliteDatabase, describeSnapshot, ScenarioDatabase, snapshotTables } from './support/databases';
import { documentedRoutes, HttpClient, HttpResult } from './support/http';
import {
  ManagedProcess,
  RELIABILITY_API_KEY,
  RELIABILITY_CALLBOX_TOKEN,
  stopAll,
  startGatewayOnSimulator,
} from './support/processes';

/**
 * Item 5: a property-based pass (fast-check) of over 10 000 generated requests over every
 * endpoint, each wrong by construction (support/bad-requests.ts): malformed, oversized, wrongly
 * typed, unicode and injection-shaped input, bad credentials. Every answer is a 4xx in its
 * family's error body, never a 5xx; afterwards every table holds exactly what it held before
 * (row counts and content), and the SOAP simulator received nothing. SQLite, one process, 20
 * requests in flight over keep-alive connections. RELIABILITY_SEED replays a run.
 * Not fuzzed: /health/live, /health/ready and /metrics (public, read-only, no input; the auth
 * matrix covers /metrics with a token).
 */
const NAME = 'bad-input';

const BATCH = 20;
const RUNS = 1000;

function familyProblem(request: BadRequest, res: HttpResult): string | null {
  if (res.status < 400 || res.status >= 500) return `HTTP ${res.status}`;
  const body = res.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `HTTP ${res.status} without a JSON error body`;
  if (request.family === 'callbox') {
    // The spec's four fields; a 400's `fields` or a refusal's `context` beside them.
    const keys = Object.keys(body).filter((key) => key !== 'fields' && key !== 'context').sort().join(',');
    if (keys !== 'code,details,error,success') return `CallBox body with keys ${keys}`;
    if (typeof body.details !== 'string') return 'CallBox details not a string';
    if (body.success !== false || typeof body.error !== 'string' || body.error === '' || typeof body.code !== 'string') return 'CallBox body malformed';
    return null;
  }
  if ('success' in body) return 'TopUp error in the CallBox body';
  if (typeof body.erreur !== 'string' || body.erreur === '' || typeof body.message !== 'string') return 'TopUp body without erreur/message';
  if (typeof body.returnCode !== 'string' && (typeof body.errors !== 'object' || body.errors === null)) return 'TopUp body without returnCode or errors';
  return null;
}

describe('Reliability: bad input over every endpoint (fast-check, SQLite)', () => {
  let db: ScenarioDatabase;
  let simulator: ManagedProcess & { soapUrl: string };
  let app: ManagedProcess;
  beforeAll(async () => {
    db = createSqliteDatabase();
    ({ simulator, app } = await startGatewayOnSimulator(db.url, {
      // No dispatcher tick: nothing but the requests may write.
      SYNC_AUTOSTART_DELAY_MS: '3600000',
    }));
  }, 90_000);
  afterAll(async () => {
    await stopAll();
    await db?.drop();
  }, 30_000);

  /** Some of everything, so each table has rows whose content must not move. */
  async function seed(): Promise<FuzzTargets> {
    const c = new HttpClient(4);
    const box = 'rel_fuzz_box';
    const asBox = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}` };
    const asAdmin = { 'x-api-key': RELIABILITY_API_KEY };
    const ok = async (res: Promise<HttpResult>) => {
      const r = await res;
      if (r.status !== 200) throw new Error(`seed: ${r.status} ${r.text}`);
      return r;
    };
    await ok(c.request(app.url, 'POST', '/api/call-box/register', { headers: asBox, json: { callboxId: box, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } } }));
    for (let i = 0; i < 3; i++) {
      await ok(
        c.request(app.url, 'POST', '/api/call-box/transactions/submit', {
          headers: { ...asBox, 'idempotency-key': `fuzz-seed-${i}` },
          json: { type: 'recharge', phoneNumber: '+237677123456', amount: 1000 + i, payItemId: `SEED_${i}` },
        }),
      );
    }
    const poll = await ok(c.request(app.url, 'GET', `/api/call-box/transactions/pending?callboxId=${box}&limit=2`, { headers: asBox }));
    const ids: string[] = poll.body.transactions.map((tx: { id: string }) => tx.id);
    await ok(c.request(app.url, 'PUT', `/api/call-box/transactions/${ids[0]}/status`, { headers: asBox, json: { status: 'processing', callboxId: box } }));
    await ok(c.request(app.url, 'PUT', '/api/call-box/config', { headers: asAdmin, json: { callboxId: box, batchSize: 4 } }));
    await ok(c.request(app.url, 'POST', '/api/sync/stop', { headers: asAdmin }));
    await ok(
      c.request(app.url, 'POST', '/api/topup/recharge-account', {
        json: { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234', transaction_id: 'dtappfuzzseed1' },
      }),
    );
    const wrongPin = await c.request(app.url, 'POST', '/api/topup/recharge-account', {
      json: { msisdn: '77654321', isdn: '21123456', amount: 100, pincode: '9999' },
    });
    if (wrongPin.status !== 401) throw new Error(`seed: a wrong PIN answered ${wrongPin.status}`);
    c.close();
    return { callboxToken: RELIABILITY_CALLBOX_TOKEN, apiKey: RELIABILITY_API_KEY, boxId: box, transactionIds: ids };
  }

  it(`answers ${RUNS * BATCH}+ wrong requests with a 4xx in the family body, writes nothing, calls no operator`, async () => {
    const began = Date.now();
    const targets = await seed();
    const probe = db.probe();
    const control = new HttpClient(2);
    const soapCalls = async () => JSON.stringify((await control.request(simulator.url, 'GET', '/__simulator/state')).body.calls);
    const before = await snapshotTables(probe);
    const callsBefore = await soapCalls();

    const client = new HttpClient(BATCH + 4);
    const endpoints = new Map<string, number>();
    const send = async (request: BadRequest): Promise<string | null> => {
      endpoints.set(request.endpoint, (endpoints.get(request.endpoint) ?? 0) + 1);
      let res: HttpResult;
      try {
        res = await client.request(app.url, request.method, request.path, { headers: request.headers, raw: request.body, timeoutMs: 20_000 });
      } catch (error) {
        return `no answer: ${String(error)}`;
      }
      const problem = familyProblem(request, res);
      return problem && `${problem}: ${res.text.slice(0, 300)}`;
    };
    const seedValue = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    // The last problem seen is the smallest one fast-check shrank to.
    let smallest: string | null = null;
    let failure: string | null = null;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(badRequests(targets), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
          const problems = await Promise.all(batch.map(send));
          const first = problems.findIndex((p) => p !== null);
          if (first >= 0) {
            const r = batch[first];
            const shown = { ...r, body: r.body && r.body.length > 300 ? `${r.body.slice(0, 300)}... (${r.body.length} chars)` : r.body };
            smallest = `${problems[first]}\nrequest: ${JSON.stringify(shown)}`;
            throw new Error(smallest);
          }
        }),
        { numRuns: RUNS, seed: seedValue },
      );
    } catch (error) {
      failure = `${String(error).split('\n').slice(0, 2).join(' ')}\nsmallest failing request: ${smallest}\napp log:\n${app.output(15)}`;
    }
    const after = await snapshotTables(probe);
    const callsAfter = await soapCalls();
    const ready = await control.request(app.url, 'GET', '/health/ready');
    const documented = await documentedRoutes(control, app.url);
    control.close();
    client.close();

    const statuses = [...client.statuses].sort(([a], [b]) => a - b);
    printSummary(NAME, {
      requests: client.sent,
      transactions: before.find((t) => t.table === 'transactions')!.rows,
      lost: 0,
      duplicated: 0,
      '5xx': client.serverErrors,
      '4xx': client.count((s) => s >= 400 && s < 500),
      '2xx': client.count((s) => s >= 200 && s < 300),
      endpoints: endpoints.size,
      tablesChanged: after.filter((t, i) => t.digest !== before[i].digest).length,
      seed: seedValue,
      seconds: ((Date.now() - began) / 1000).toFixed(1),
    });
    process.stdout.write(`[reliability] ${NAME} statuses: ${statuses.map(([s, n]) => `${s}=${n}`).join(' ')}\n`);
    process.stdout.write(`[reliability] ${NAME} per endpoint: ${[...endpoints].map(([e, n]) => `${e}=${n}`).join(', ')}\n`);

    expect(failure).toBeNull();
    // Every route of the OpenAPI document got its share (health probes have no input).
    expect(documented.filter((route) => !route.includes(' /health/') && !endpoints.has(route))).toEqual([]);
    expect(client.sent).toBeGreaterThanOrEqual(10_000);
    expect(client.serverErrors).toBe(0);
    expect(client.count((s) => s < 400 || s >= 500)).toBe(0);
    // Nothing written: same rows, same content, in every table.
    expect(describeSnapshot(after)).toBe(describeSnapshot(before));
    expect(after).toEqual(before);
    // Nothing reached the operator.
    expect(callsAfter).toBe(callsBefore);
    expect(ready.status).toBe(200);
  }, 300_000);
});
