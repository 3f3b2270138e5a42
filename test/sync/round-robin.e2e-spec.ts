import { createTestApp, TestApp } from '../support/test-app';
import { claim, expectStatus, paths, registerWith, report, submit } from '../callbox/callbox-api';
import { configure, counts, detail, tick, whereAre } from './sync-api';

const ALL_TYPES = ['recharge', 'voucher', 'deposit', 'withdraw'];

describe('Dispatcher: round-robin assignment', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterEach(async () => t.close());

  /** Submits in a known queue order (one millisecond apart); returns the ids in that order. */
  const submitMany = async (overrides: Array<Record<string, unknown>>) => {
    const ids: string[] = [];
    for (const [i, o] of overrides.entries()) {
      ids.push((await submit(t.api, { payItemId: `RR_${ids.length}_${i}`, ...o })).id);
      t.clock!.advance(1);
    }
    return ids;
  };
  const holders = async (ids: string[]) => {
    const where = await whereAre(t.api, ids);
    return ids.map((id) => where.get(id)!.assignedTo);
  };

  it('deals 30 transactions to 3 boxes in turn, 10 each', async () => {
    const boxes = ['callbox_001', 'callbox_002', 'callbox_003'];
    for (const box of boxes) await registerWith(t.api, box, { maxConcurrentTransactions: 10 });
    await configure(t.api, { batchSize: 10 });
    const ids = await submitMany(Array.from({ length: 30 }, () => ({})));

    expect(await tick(t.api)).toEqual(counts({ assigned: 30 }));

    const held = new Map<string, string[]>();
    for (const box of boxes) {
      const polled = await claim(t.api, box, 10);
      expect(polled.transactions.every((tx) => tx.status === 'assigned' && tx.assignedTo === box)).toBe(true);
      held.set(box, polled.transactions.map((tx) => tx.id));
    }
    for (const box of boxes) expect(held.get(box)).toHaveLength(10);
    expect([...held.values()].flat().sort()).toEqual([...ids].sort());

    // In queue order, each box in turn: every three consecutive transactions go to three different boxes.
    const order = await holders(ids);
    for (let i = 0; i + 3 <= order.length; i++) expect(new Set(order.slice(i, i + 3)).size).toBe(3);
  });

  it('carries the rotation over from one tick to the next', async () => {
    for (const box of ['callbox_001', 'callbox_002', 'callbox_003']) await registerWith(t.api, box, {});
    const firstIds = await submitMany([{}, {}, {}, {}]);
    expect(await tick(t.api)).toEqual(counts({ assigned: 4 }));
    const first = await holders(firstIds);
    const cycle = first.slice(0, 3);
    expect(new Set(cycle).size).toBe(3);
    expect(first[3]).toBe(cycle[0]);

    const secondIds = await submitMany([{}, {}]);
    expect(await tick(t.api)).toEqual(counts({ assigned: 2 }));
    expect(await holders(secondIds)).toEqual([cycle[1], cycle[2]]);
  });

  it('never hands a deposit to a box that supports only recharge', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 10, supportedTypes: ['recharge'] });
    await registerWith(t.api, 'callbox_002', { maxConcurrentTransactions: 10, supportedTypes: ALL_TYPES });
    await configure(t.api, { batchSize: 10 });
    const types = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 'deposit' : 'recharge'));
    const ids = await submitMany(types.map((type) => ({ type })));

    expect(await tick(t.api)).toEqual(counts({ assigned: 12 }));
    const order = await holders(ids);
    const heldBy = (box: string) => types.filter((_, i) => order[i] === box);
    expect(heldBy('callbox_001').length).toBeGreaterThan(0);
    expect(new Set(heldBy('callbox_001'))).toEqual(new Set(['recharge']));
    expect(types.filter((type, i) => type === 'deposit' && order[i] !== 'callbox_002')).toEqual([]);
  });

  it('leaves a deposit pending while only recharge boxes are live', async () => {
    await registerWith(t.api, 'callbox_001', { supportedTypes: ['recharge'] });
    const [deposit, recharge] = await submitMany([{ type: 'deposit' }, { type: 'recharge' }]);

    expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
    expect(await tick(t.api)).toEqual(counts());
    expect(await detail(t.api, deposit)).toMatchObject({ status: 'pending', assignedTo: null });
    expect(await detail(t.api, recharge)).toMatchObject({ status: 'assigned', assignedTo: 'callbox_001' });

    await registerWith(t.api, 'callbox_002', { supportedTypes: ['deposit'] });
    expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
    expect(await detail(t.api, deposit)).toMatchObject({ status: 'assigned', assignedTo: 'callbox_002' });
  });

  it('gives a box that declared operators only their transactions (any case)', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 10, operators: ['MTN'] });
    await configure(t.api, { batchSize: 10 });
    const operators = ['MTN', 'Orange', 'mtn', undefined, 'Moov', 'MTN'];
    const ids = await submitMany(
      operators.map((operator) => (operator ? { customerInfo: { name: 'Client', operator } } : { customerInfo: undefined })),
    );
    const isMtn = operators.map((o) => o?.toLowerCase() === 'mtn');

    expect(await tick(t.api)).toEqual(counts({ assigned: isMtn.filter(Boolean).length }));
    expect(await holders(ids)).toEqual(isMtn.map((mtn) => (mtn ? 'callbox_001' : null)));

    // A box without an operator list takes the rest.
    await registerWith(t.api, 'callbox_002', { maxConcurrentTransactions: 10 });
    expect(await tick(t.api)).toEqual(counts({ assigned: isMtn.filter((m) => !m).length }));
    expect(await holders(ids)).toEqual(isMtn.map((mtn) => (mtn ? 'callbox_001' : 'callbox_002')));
  });

  it('never fills a box past maxConcurrentTransactions, counting the work it already holds', async () => {
    await registerWith(t.api, 'callbox_001', { maxConcurrentTransactions: 3 });
    await configure(t.api, { batchSize: 10 });
    const held = await submitMany([{}, {}]);
    expect((await claim(t.api, 'callbox_001')).count).toBe(held.length);
    expectStatus(await report(t.api, held[0], 'callbox_001', 'processing'), 200);
    const queued = await submitMany([{}, {}, {}, {}]);

    // Two in flight (one assigned, one processing) out of three: room for one.
    expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
    expect(await tick(t.api)).toEqual(counts());
    expectStatus(await report(t.api, held[0], 'callbox_001', 'completed'), 200);
    expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
    expect((await holders(queued)).filter((box) => box === 'callbox_001')).toHaveLength(2);
  });

  it('deals high before normal before low, oldest first within a priority', async () => {
    await registerWith(t.api, 'callbox_001', {});
    // One transaction per tick for this box.
    expectStatus(await t.api.put(paths.config(), { callboxId: 'callbox_001', batchSize: 1 }, { auth: 'admin' }), 200);
    const priorities = ['low', 'normal', 'high', 'normal'];
    const ids = await submitMany(priorities.map((priority) => ({ priority })));

    const dealt: string[] = [];
    for (let round = 0; round < priorities.length; round++) {
      expect(await tick(t.api)).toEqual(counts({ assigned: 1 }));
      const where = await whereAre(t.api, ids);
      const newly = ids.filter((id) => where.get(id)!.status === 'assigned' && !dealt.includes(id));
      expect(newly).toHaveLength(1);
      dealt.push(newly[0]);
    }
    expect(dealt).toEqual([ids[2], ids[1], ids[3], ids[0]]);
  });
});
