import { printSummary } from './support/audit';
import { createSqliteDatabase, ScenarioDatabase, snapshotTables } from './support/databases';
import { documentedRoutes, HttpClient, HttpResult } from './support/http';
import { createApp, ManagedProcess, RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, stopAll } from './support/processes';

/**
 * Item 6: every protected route (all the OpenAPI document marks with a security requirement,
 * plus /metrics behind METRICS_TOKEN) with no credential, a wrong token, a wrong API key, the
 * other family's credential, and another box's bound token: always 401 or 403 in the CallBox
 * error body, never a 2xx, and nothing written. The requests are otherwise valid: the same ones
 * with the right credential pass authentication (the control column, run last).
 */
const NAME = 'auth-matrix';
const BOX_A = 'rel_auth_box_a';
const BOX_B = 'rel_auth_box_b';
const TOKEN_A = 'reliability-bound-token-box-a-0001';
const TOKEN_B = 'reliability-bound-token-box-b-0001';
const METRICS_TOKEN = 'reliability-metrics-token-000001';

type Audience = 'callbox' | 'admin' | 'callbox-or-admin' | 'metrics';

interface Route {
  method: string;
  /** As the OpenAPI document writes it. */
  route: string;
  path: string;
  audience: Audience;
  body?: unknown;
  /** Acts for one box (named in the body or query): another box's bound token must be refused. */
  actsForBox: boolean;
}

type Headers = Record<string, string>;

const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const apiKey = (key: string): Headers => ({ 'x-api-key': key });

/** Column -> credentials that must be refused on a route of this audience (several variants each). */
function refusedCredentials(route: Route): Record<string, Headers[]> {
  const wrongBearer = [bearer('wrong-token-0000000000000000'), bearer(`${RELIABILITY_CALLBOX_TOKEN}x`), { authorization: `Basic ${Buffer.from(`u:${TOKEN_A}`).toString('base64')}` }, { authorization: RELIABILITY_CALLBOX_TOKEN }];
  const wrongKey = [apiKey('wrong-api-key-00000000000000'), apiKey(`${RELIABILITY_API_KEY}x`), { ...bearer(RELIABILITY_CALLBOX_TOKEN), ...apiKey('wrong-api-key-00000000000000') }];
  const otherFamily: Record<Audience, Headers[]> = {
    callbox: [apiKey(RELIABILITY_API_KEY), bearer(METRICS_TOKEN), apiKey(METRICS_TOKEN)],
    admin: [bearer(RELIABILITY_CALLBOX_TOKEN), bearer(TOKEN_A), bearer(METRICS_TOKEN), apiKey(METRICS_TOKEN), apiKey(RELIABILITY_CALLBOX_TOKEN)],
    'callbox-or-admin': [bearer(METRICS_TOKEN), apiKey(METRICS_TOKEN), apiKey(RELIABILITY_CALLBOX_TOKEN), bearer(RELIABILITY_API_KEY)],
    metrics: [bearer(RELIABILITY_CALLBOX_TOKEN), bearer(TOKEN_A), apiKey(RELIABILITY_API_KEY), bearer(RELIABILITY_API_KEY)],
  };
  const columns: Record<string, Headers[]> = {
    none: [{}],
    'wrong token': wrongBearer,
    'wrong key': route.audience === 'metrics' ? [apiKey('wrong-api-key-00000000000000')] : wrongKey,
    'other family': otherFamily[route.audience],
  };
  // A box-bound token of B on a route acting for A; on admin routes and /metrics a bound token is
  // simply not the right kind. Routes acting for no box (submit, stats) accept any box's token.
  if (route.actsForBox || route.audience === 'admin' || route.audience === 'metrics') columns["other box's token"] = [bearer(TOKEN_B)];
  return columns;
}

/** The credential each route is meant for (box A's own bound token for box routes). */
function rightCredential(route: Route): Headers {
  if (route.audience === 'admin') return apiKey(RELIABILITY_API_KEY);
  if (route.audience === 'metrics') return bearer(METRICS_TOKEN);
  return bearer(TOKEN_A);
}

describe('Reliability: authentication matrix of every protected route', () => {
  let db: ScenarioDatabase;
  let app: ManagedProcess;
  beforeAll(async () => {
    db = createSqliteDatabase();
    app = await createApp({
      name: 'gateway',
      databaseUrl: db.url,
      env: { CALLBOX_TOKENS: `${BOX_A}:${TOKEN_A},${BOX_B}:${TOKEN_B}`, METRICS_TOKEN, SYNC_AUTOSTART_DELAY_MS: '3600000' },
    });
    await app.start();
  }, 60_000);
  afterAll(async () => {
    await stopAll();
    await db?.drop();
  }, 30_000);

  it('answers 401 or 403 to every wrong credential, never a 2xx, and writes nothing', async () => {
    const began = Date.now();
    const client = new HttpClient(8);
    const call = (method: string, path: string, headers: Headers, body?: unknown): Promise<HttpResult> =>
      client.request(app.url, method, path, { headers, ...(body !== undefined && { json: body }) });
    const registration = (id: string) => ({ callboxId: id, capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] } });
    const submission = { type: 'recharge', phoneNumber: '+237677123456', amount: 1000, payItemId: 'AUTH_MATRIX' };

    // Box A holds a transaction; box B exists.
    expect((await call('POST', '/api/call-box/register', bearer(TOKEN_A), registration(BOX_A))).status).toBe(200);
    expect((await call('POST', '/api/call-box/register', bearer(TOKEN_B), registration(BOX_B))).status).toBe(200);
    expect((await call('POST', '/api/call-box/transactions/submit', bearer(RELIABILITY_CALLBOX_TOKEN), submission)).status).toBe(200);
    const poll = await call('GET', `/api/call-box/transactions/pending?callboxId=${BOX_A}&limit=1`, bearer(TOKEN_A));
    const tx: string = poll.body.transactions[0].id;

    const routes: Route[] = [
      { method: 'POST', route: '/api/call-box/register', path: '/api/call-box/register', audience: 'callbox', body: registration(BOX_A), actsForBox: true },
      { method: 'POST', route: '/api/call-box/heartbeat', path: '/api/call-box/heartbeat', audience: 'callbox', body: { callboxId: BOX_A, status: 'active' }, actsForBox: true },
      { method: 'GET', route: '/api/call-box/transactions/pending', path: `/api/call-box/transactions/pending?callboxId=${BOX_A}&limit=5`, audience: 'callbox', actsForBox: true },
      { method: 'POST', route: '/api/call-box/transactions/submit', path: '/api/call-box/transactions/submit', audience: 'callbox', body: submission, actsForBox: false },
      { method: 'PUT', route: '/api/call-box/transactions/{transactionId}/status', path: `/api/call-box/transactions/${tx}/status`, audience: 'callbox', body: { status: 'processing', callboxId: BOX_A }, actsForBox: true },
      { method: 'GET', route: '/api/call-box/transactions/{transactionId}', path: `/api/call-box/transactions/${tx}?callboxId=${BOX_A}`, audience: 'callbox-or-admin', actsForBox: true },
      { method: 'POST', route: '/api/call-box/transactions/{transactionId}/resolve', path: `/api/call-box/transactions/${tx}/resolve`, audience: 'admin', body: { outcome: 'failed', note: 'auth matrix' }, actsForBox: false },
      { method: 'GET', route: '/api/call-box/config', path: `/api/call-box/config?callboxId=${BOX_A}`, audience: 'callbox-or-admin', actsForBox: true },
      { method: 'PUT', route: '/api/call-box/config', path: '/api/call-box/config', audience: 'admin', body: { callboxId: BOX_A, batchSize: 3 }, actsForBox: false },
      { method: 'GET', route: '/api/call-box/stats', path: '/api/call-box/stats', audience: 'callbox-or-admin', actsForBox: false },
      { method: 'POST', route: '/api/transaction/to-callbox', path: '/api/transaction/to-callbox', audience: 'admin', body: submission, actsForBox: false },
      { method: 'GET', route: '/api/sync/status', path: '/api/sync/status', audience: 'admin', actsForBox: false },
      { method: 'POST', route: '/api/sync/start', path: '/api/sync/start', audience: 'admin', actsForBox: false },
      { method: 'POST', route: '/api/sync/stop', path: '/api/sync/stop', audience: 'admin', actsForBox: false },
      { method: 'POST', route: '/api/sync/force', path: '/api/sync/force', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/api/admin/pin-locks', path: '/api/admin/pin-locks', audience: 'admin', actsForBox: false },
      { method: 'DELETE', route: '/api/admin/pin-locks/{msisdn}', path: '/api/admin/pin-locks/77123456', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/api/admin/transactions', path: '/api/admin/transactions?status=pending', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/api/admin/transactions/export', path: '/api/admin/transactions/export', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/api/admin/review-queue', path: '/api/admin/review-queue', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/api/admin/overview', path: '/api/admin/overview', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/api/admin/boxes', path: '/api/admin/boxes', audience: 'admin', actsForBox: false },
      { method: 'GET', route: '/metrics', path: '/metrics', audience: 'metrics', actsForBox: false },
    ];
    // Box B's own token, naming itself, on A's transaction: still not B's to touch.
    const crossBox = [
      { route: routes[4], path: `/api/call-box/transactions/${tx}/status`, body: { status: 'processing', callboxId: BOX_B } },
      { route: routes[5], path: `/api/call-box/transactions/${tx}?callboxId=${BOX_B}`, body: undefined },
    ];

    // The matrix covers every route the OpenAPI document marks as protected.
    const documented = await documentedRoutes(client, app.url, true);
    expect(documented.filter((r) => !routes.some((route) => `${route.method} ${route.route}` === r))).toEqual([]);

    const probe = db.probe();
    const before = await snapshotTables(probe);
    const cells: Array<{ route: string; column: string; status: number; body: any }> = [];
    for (const route of routes) {
      for (const [column, variants] of Object.entries(refusedCredentials(route))) {
        for (const headers of variants) {
          const res = await call(route.method, route.path, headers, route.body);
          cells.push({ route: `${route.method} ${route.route}`, column, status: res.status, body: res.body });
        }
      }
    }
    for (const cross of crossBox) {
      const res = await call(cross.route.method, cross.path, bearer(TOKEN_B), cross.body);
      cells.push({ route: `${cross.route.method} ${cross.route.route}`, column: "own token, another box's transaction", status: res.status, body: res.body });
    }
    const after = await snapshotTables(probe);

    // The control column: the same requests with the right credential get past authentication.
    const control: Array<{ route: string; status: number }> = [];
    for (const route of routes) {
      const res = await call(route.method, route.path, rightCredential(route), route.body);
      control.push({ route: `${route.method} ${route.route}`, status: res.status });
    }
    client.close();

    const count = (predicate: (s: number) => boolean) => cells.filter((c) => predicate(c.status)).length;
    const matrix = routes.map((route) => {
      const own = cells.filter((c) => c.route === `${route.method} ${route.route}`);
      const byColumn = [...new Set(own.map((c) => c.column))].map((column) => `${column}:${own.filter((c) => c.column === column).map((c) => c.status).join('/')}`);
      return `${route.method} ${route.route} [${byColumn.join(' ')}]`;
    });
    process.stdout.write(`[reliability] ${NAME} matrix:\n${matrix.map((line) => `    ${line}`).join('\n')}\n`);
    printSummary(NAME, {
      requests: client.sent,
      transactions: before.find((t) => t.table === 'transactions')!.rows,
      lost: 0,
      duplicated: 0,
      '5xx': client.serverErrors,
      routes: routes.length,
      cells: cells.length,
      http401: count((s) => s === 401),
      http403: count((s) => s === 403),
      '2xx': count((s) => s >= 200 && s < 300),
      seconds: ((Date.now() - began) / 1000).toFixed(1),
    });

    const wrong = cells.filter((c) => c.status !== 401 && c.status !== 403).map((c) => `${c.route} / ${c.column}: ${c.status}`);
    expect(wrong).toEqual([]);
    for (const cell of cells) {
      expect(Object.keys(cell.body).filter((key) => key !== 'context').sort()).toEqual(['code', 'details', 'error', 'success']);
      expect(typeof cell.body.details).toBe('string');
      expect(cell.body).toMatchObject({ success: false, code: expect.stringMatching(/^AUTH\.|^TRANSACTION\.NOT_ASSIGNED/) });
    }
    expect(after).toEqual(before);
    expect(control.filter((c) => c.status === 401 || c.status === 403 || c.status >= 500)).toEqual([]);
  }, 60_000);
});
