import { Auth } from '../support/api-client';
import { createTestApp, TestApp } from '../support/test-app';
import { expectError, expectInvalidField, expectStatus, paths, registerBox, submit } from '../callbox/callbox-api';
import { syncPaths } from './sync-api';

const A = 'callbox_001';
const B = 'callbox_002';
const TOKEN_A = 'bound-token-callbox-001-abcdef';
const TOKEN_B = 'bound-token-callbox-002-abcdef';
const UNKNOWN = 'tx_1768471200_unknown000';

describe('Transaction detail and history (GET /api/call-box/transactions/{id})', () => {
  let t: TestApp;
  let id: string;
  /** When each step happened on the fake clock, in order. */
  let at: string[];

  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true, env: { CALLBOX_TOKENS: `${A}:${TOKEN_A},${B}:${TOKEN_B}` } });
    // Each box with its own token: the shared token may not act for a box that has one.
    const asA = { auth: { bearer: TOKEN_A } };
    await registerBox(t.api, A, {}, asA);
    await registerBox(t.api, B, {}, { auth: { bearer: TOKEN_B } });
    const stamp = () => at.push(new Date(t.clock!.now()).toISOString());
    at = [];
    id = (await submit(t.api)).id;
    stamp();
    t.clock!.advance(1_000);
    expectStatus(await t.api.get(paths.pending(A), asA), 200);
    stamp();
    t.clock!.advance(1_000);
    expectStatus(await t.api.put(paths.status(id), { status: 'processing', callboxId: A }, asA), 200);
    stamp();
    t.clock!.advance(2_500);
    const completed = { status: 'completed', callboxId: A, result: { success: true, transactionRef: 'MTN123456789', balance: 2500 } };
    expectStatus(await t.api.put(paths.status(id), completed, asA), 200);
    stamp();
  });
  afterEach(async () => t.close());

  const read = (callboxId: string | undefined, auth: Auth) =>
    t.api.get(syncPaths.detail(id, callboxId), { auth });

  it('gives the admin every transaction field and its events in order', async () => {
    const submitted = await submit(t.api, { payItemId: 'ONLY_FOR_KEYS' });
    const res = await read(undefined, 'admin');
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual(['success', 'transaction']);
    const { events, ...fields } = res.body.transaction;
    expect(Object.keys(fields).sort()).toEqual(Object.keys(submitted).sort());
    expect(fields).toMatchObject({
      id,
      status: 'completed',
      assignedTo: A,
      createdAt: at[0],
      assignedAt: at[1],
      startedAt: at[2],
      completedAt: at[3],
      result: { success: true, transactionRef: 'MTN123456789', balance: 2500 },
    });
    expect(events).toEqual([
      { from: null, to: 'pending', actor: 'callbox', at: at[0], details: { source: 'callbox' } },
      { from: 'pending', to: 'assigned', actor: `callbox:${A}`, at: at[1], details: { via: 'poll' } },
      { from: 'assigned', to: 'processing', actor: `callbox:${A}`, at: at[2], details: { reportedStatus: 'processing', attempt: 1 } },
      { from: 'processing', to: 'completed', actor: `callbox:${A}`, at: at[3], details: { reportedStatus: 'completed', attempt: 1 } },
    ]);
  });

  it('gives the box that holds it the same answer, with its own callboxId', async () => {
    const admin = await read(undefined, 'admin');
    const holder = await read(A, { bearer: TOKEN_A });
    expectStatus(holder, 200);
    expect(holder.body).toEqual(admin.body);
    // The shared token may not speak for a box that has a token of its own.
    expectError(await read(A, 'callbox'), 403, 'AUTH.CALLBOX_MISMATCH');
  });

  it('refuses another box with 403', async () => {
    expectError(await read(B, { bearer: TOKEN_B }), 403, 'TRANSACTION.NOT_ASSIGNED_TO_CALLBOX');
    expectError(await read(B, 'callbox'), 403, 'AUTH.CALLBOX_MISMATCH');
    // A box-bound token cannot claim to be the holder.
    expectError(await read(A, { bearer: TOKEN_B }), 403, 'AUTH.CALLBOX_MISMATCH');
  });

  it('refuses a CallBox token without callboxId, or with a malformed one, with 400', async () => {
    expectInvalidField(await read(undefined, { bearer: TOKEN_A }), 'callboxId');
    expectInvalidField(await read('bad id!', 'callbox'), 'callboxId');
  });

  it('answers 404 for an unknown transaction, to the admin and to a box', async () => {
    expectError(await t.api.get(syncPaths.detail(UNKNOWN), { auth: 'admin' }), 404, 'TRANSACTION.NOT_FOUND');
    expectError(await t.api.get(syncPaths.detail(UNKNOWN, A), { auth: { bearer: TOKEN_A } }), 404, 'TRANSACTION.NOT_FOUND');
  });

  it('refuses a caller without credentials with 401', async () => {
    expectStatus(await read(undefined, 'none'), 401);
  });
});
