import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../support/test-app';
import { claim, registerBox, registerWith, submit } from './callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';

/**
 * The registry serves a device request's box from a cache kept BOX_CACHE_MS (on the app's clock,
 * which this spec holds still): a write it did not make itself (another replica's, here SQL behind
 * the app's back) does not show in it. Work must still never reach a box that may no longer take
 * it: the claim reads the box again under its lock.
 */
describe('A poll answered from a cached box', () => {
  let t: TestApp;
  let dataSource: DataSource;

  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    dataSource = t.app.get(DataSource);
    await registerBox(t.api, A);
    await registerBox(t.api, B);
    // Each box's row is now cached, as it is between a fleet's requests.
    expect((await claim(t.api, A)).transactions).toEqual([]);
    expect((await claim(t.api, B)).transactions).toEqual([]);
  });
  afterEach(async () => t.close());

  /** A write another replica made (nothing of it reaches this app's cache). */
  async function elsewhere(sql: string, params: unknown[]) {
    const pg = dataSource.options.type === 'postgres';
    let n = 0;
    await dataSource.query(pg ? sql.replace(/\?/g, () => `$${++n}`) : sql, params);
  }

  it('gives a box degraded elsewhere nothing on its next poll, and the work stays for another box', async () => {
    await elsewhere('UPDATE callboxes SET degraded_until = ?, degraded_reason = ? WHERE id = ?', [t.clock!.now() + 60_000, 'too_many_failures', A]);
    const tx = await submit(t.api);

    const polled = await claim(t.api, A);
    expect(polled.transactions).toEqual([]);
    expect(polled.status).toBe('degraded');
    expect((await claim(t.api, B)).transactions.map((x) => x.id)).toEqual([tx.id]);
  });

  it('gives a box that said `maintenance` on another replica nothing new', async () => {
    await elsewhere('UPDATE callboxes SET reported_status = ? WHERE id = ?', ['maintenance', A]);
    await submit(t.api);

    const polled = await claim(t.api, A);
    expect(polled.transactions).toEqual([]);
    expect(polled.status).toBe('maintenance');
  });

  it('gives a box marked disconnected elsewhere nothing new', async () => {
    await elsewhere("UPDATE callboxes SET connection = 'disconnected' WHERE id = ?", [A]);
    await submit(t.api);

    const polled = await claim(t.api, A);
    expect(polled.transactions).toEqual([]);
    expect(polled.status).toBe('disconnected');
  });

  it('gives a box re-registered elsewhere without a type no work of that type', async () => {
    await elsewhere('UPDATE callboxes SET supported_types = ? WHERE id = ?', ['voucher', A]);
    await submit(t.api, { type: 'recharge' });

    expect((await claim(t.api, A)).transactions).toEqual([]);
  });

  it('sees at once a registration through this app (its write drops the cached box)', async () => {
    await registerWith(t.api, A, { supportedTypes: ['voucher'] });
    await submit(t.api, { type: 'recharge' });

    expect((await claim(t.api, A)).transactions).toEqual([]);
    expect((await claim(t.api, B)).transactions).toHaveLength(1);
  });
});
