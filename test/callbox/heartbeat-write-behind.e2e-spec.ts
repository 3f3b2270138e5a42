import { DataSource } from 'typeorm';
import { HEARTBEAT_FLUSH_MS } from '../../src/callbox/registry/heartbeat-buffer';
import { DatabaseSettings } from '../../src/config/app-config';
import { typeOrmOptions } from '../../src/database/typeorm-options';
import { heartbeat } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { syncStatus, tick } from '../sync/sync-api';
import { expectStatus, iso, paths, registerBox, stats } from './callbox-api';

const A = 'callbox_001';
const B = 'callbox_002';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Holds the heartbeat flusher's timer (the one interval of HEARTBEAT_FLUSH_MS the app starts) while
 * the app is created, so that the spec decides when "the flush interval" passes and a heartbeat
 * cannot be written behind its back. Every other timer is the real one.
 */
function holdFlushInterval() {
  const held: Array<() => void> = [];
  const realSetInterval = global.setInterval as (handler: () => void, ms?: number, ...rest: unknown[]) => NodeJS.Timeout;
  const spy = jest.spyOn(global, 'setInterval').mockImplementation(((handler: () => void, ms?: number, ...rest: unknown[]) => {
    if (ms !== HEARTBEAT_FLUSH_MS) return realSetInterval(handler, ms, ...rest);
    held.push(handler);
    return realSetInterval(() => undefined, 2 ** 31 - 1);
  }) as unknown as typeof setInterval);
  return {
    held,
    /** What the interval would do when it fires. */
    fire: () => held.forEach((handler) => handler()),
    stopHolding: () => spy.mockRestore(),
  };
}

async function createAppHoldingFlush(options: Parameters<typeof createTestApp>[0] = {}) {
  const flusher = holdFlushInterval();
  try {
    const app = await createTestApp({ fakeClock: true, ...options });
    return { app, flusher };
  } finally {
    flusher.stopHolding();
  }
}

/** The box's row as stored, read with SQL (no overlay of what the app holds in memory). */
async function storedBox(dataSource: DataSource, id: string) {
  const placeholder = dataSource.options.type === 'postgres' ? '$1' : '?';
  const rows: Array<Record<string, unknown>> = await dataSource.query(
    `SELECT reported_status, queue_size, metrics, connection, last_heartbeat_at FROM callboxes WHERE id = ${placeholder}`,
    [id],
  );
  expect(rows).toHaveLength(1);
  const [row] = rows;
  return {
    reportedStatus: row.reported_status,
    queueSize: Number(row.queue_size),
    metrics: typeof row.metrics === 'string' ? JSON.parse(row.metrics) : null,
    connection: row.connection,
    lastHeartbeatAt: Number(row.last_heartbeat_at),
  };
}

async function eventsOf(dataSource: DataSource, id: string): Promise<string[]> {
  const placeholder = dataSource.options.type === 'postgres' ? '$1' : '?';
  const rows: Array<{ event: string }> = await dataSource.query(
    `SELECT event FROM callbox_events WHERE callbox_id = ${placeholder} ORDER BY id`,
    [id],
  );
  return rows.map((row) => row.event);
}

/** Polls the stored row until `done`, or the deadline; returns the last row read. */
async function storedBoxOnceWritten(dataSource: DataSource, id: string, done: (row: Awaited<ReturnType<typeof storedBox>>) => boolean, deadlineMs: number) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const row = await storedBox(dataSource, id);
    if (done(row) || Date.now() > until) return row;
    await sleep(20);
  }
}

/** A fresh connection to the database, for after the app has gone. */
async function openDatabase(settings: DatabaseSettings): Promise<DataSource> {
  const dataSource = new DataSource({ ...typeOrmOptions(settings), migrations: [], migrationsRun: false });
  return dataSource.initialize();
}

const busyBeat = { ...heartbeat(A), status: 'busy', queueSize: 7 };

describe('CallBox heartbeats written behind', () => {
  let t: TestApp;
  let flusher: ReturnType<typeof holdFlushInterval>;
  let dataSource: DataSource;
  let registeredAt: number;
  let heartbeatTimeout: number;

  beforeEach(async () => {
    ({ app: t, flusher } = await createAppHoldingFlush());
    dataSource = t.app.get(DataSource);
    heartbeatTimeout = t.config.heartbeatTimeoutMs;
    registeredAt = t.clock!.now();
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());

  const instance = async (id: string) => (await stats(t.api)).instances.find((i: { id: string }) => i.id === id);

  it('shows a heartbeat through the API at once, before it is written', async () => {
    t.clock!.advance(12_000);
    expectStatus(await t.api.post(paths.heartbeat, busyBeat), 200);

    expect(await instance(A)).toMatchObject({ status: 'busy', queueSize: 7, lastHeartbeat: iso(t.clock!.now()) });
    expect(await storedBox(dataSource, A)).toMatchObject({ reportedStatus: 'active', queueSize: 0, lastHeartbeatAt: registeredAt });
  });

  it('writes it when the flush interval passes', async () => {
    expect(flusher.held).toHaveLength(1);
    t.clock!.advance(12_000);
    const beatAt = t.clock!.now();
    expectStatus(await t.api.post(paths.heartbeat, busyBeat), 200);
    expect((await storedBox(dataSource, A)).lastHeartbeatAt).toBe(registeredAt);

    flusher.fire();
    const row = await storedBoxOnceWritten(dataSource, A, (r) => r.lastHeartbeatAt !== registeredAt, 5_000);
    expect(row).toEqual({
      reportedStatus: busyBeat.status,
      queueSize: busyBeat.queueSize,
      // Stamped with the heartbeat that carried them (the stats show it as reported.metricsAt).
      metrics: { ...busyBeat.metrics, at: beatAt },
      connection: 'connected',
      lastHeartbeatAt: beatAt,
    });
    // Written, and still what the API shows.
    expect(await instance(A)).toMatchObject({ status: 'busy', queueSize: 7, lastHeartbeat: iso(beatAt) });
  });

  it('keeps only the latest of several heartbeats of one box', async () => {
    t.clock!.advance(5_000);
    expectStatus(await t.api.post(paths.heartbeat, { ...busyBeat, queueSize: 1 }), 200);
    t.clock!.advance(5_000);
    const lastAt = t.clock!.now();
    expectStatus(await t.api.post(paths.heartbeat, { ...busyBeat, status: 'idle', queueSize: 2 }), 200);
    expect(await instance(A)).toMatchObject({ status: 'idle', queueSize: 2, lastHeartbeat: iso(lastAt) });

    flusher.fire();
    const row = await storedBoxOnceWritten(dataSource, A, (r) => r.lastHeartbeatAt !== registeredAt, 5_000);
    expect(row).toMatchObject({ reportedStatus: 'idle', queueSize: 2, lastHeartbeatAt: lastAt });
  });

  it('writes a heartbeat from a box marked disconnected at once, reconnecting it', async () => {
    t.clock!.advance(heartbeatTimeout + 1);
    expect((await tick(t.api)).disconnected).toBe(1);
    expect(await storedBox(dataSource, A)).toMatchObject({ connection: 'disconnected', lastHeartbeatAt: registeredAt });
    expect((await syncStatus(t.api)).connectedInstances).toBe(0);

    t.clock!.advance(1_000);
    const beatAt = t.clock!.now();
    expectStatus(await t.api.post(paths.heartbeat, busyBeat), 200);

    // No flush has run: the row says so by itself.
    expect(await storedBox(dataSource, A)).toEqual({
      reportedStatus: busyBeat.status,
      queueSize: busyBeat.queueSize,
      // Stamped with the heartbeat that carried them (the stats show it as reported.metricsAt).
      metrics: { ...busyBeat.metrics, at: beatAt },
      connection: 'connected',
      lastHeartbeatAt: beatAt,
    });
    expect(await eventsOf(dataSource, A)).toEqual(['registered', 'disconnected', 'connected']);
    expect((await syncStatus(t.api)).connectedInstances).toBe(1);
    expect(await instance(A)).toMatchObject({ status: 'busy', lastHeartbeat: iso(beatAt) });
    expect((await tick(t.api)).disconnected).toBe(0);
  });

  it('does not disconnect a box whose only recent heartbeat is still in memory', async () => {
    // B registers with A and never beats again: the control that the sweep runs and judges by the table.
    await registerBox(t.api, B);
    t.clock!.advance(heartbeatTimeout / 2);
    const beatAt = t.clock!.now();
    expectStatus(await t.api.post(paths.heartbeat, heartbeat(A)), 200);
    expect((await storedBox(dataSource, A)).lastHeartbeatAt).toBe(registeredAt);

    // Silent for longer than the timeout by the table, not since the heartbeat in memory.
    t.clock!.advance(heartbeatTimeout / 2 + 1_000);
    expect(t.clock!.now() - registeredAt).toBeGreaterThan(heartbeatTimeout);
    expect(t.clock!.now() - beatAt).toBeLessThan(heartbeatTimeout);

    expect((await tick(t.api)).disconnected).toBe(1);
    expect(await storedBox(dataSource, A)).toMatchObject({ connection: 'connected', lastHeartbeatAt: beatAt });
    expect(await storedBox(dataSource, B)).toMatchObject({ connection: 'disconnected', lastHeartbeatAt: registeredAt });
    expect((await syncStatus(t.api)).connectedInstances).toBe(1);
    expect((await instance(A)).status).toBe('active');
    expect((await instance(B)).status).toBe('disconnected');
  });
});

describe('CallBox heartbeats written behind, across shutdown', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => db.drop());

  it('are written when the app closes', async () => {
    const { app: t, flusher } = await createAppHoldingFlush({ env: { DATABASE_URL: db.url } });
    let closed = false;
    try {
      const registeredAt = t.clock!.now();
      await registerBox(t.api, A);
      t.clock!.advance(12_000);
      const beatAt = t.clock!.now();
      expectStatus(await t.api.post(paths.heartbeat, busyBeat), 200);
      expect((await storedBox(t.app.get(DataSource), A)).lastHeartbeatAt).toBe(registeredAt);
      expect(flusher.held).toHaveLength(1);

      await t.close();
      closed = true;
      const fresh = await openDatabase(t.config.database);
      try {
        expect(await storedBox(fresh, A)).toEqual({
          reportedStatus: busyBeat.status,
          queueSize: busyBeat.queueSize,
          // Stamped with the heartbeat that carried them (the stats show it as reported.metricsAt).
          metrics: { ...busyBeat.metrics, at: beatAt },
          connection: 'connected',
          lastHeartbeatAt: beatAt,
        });
      } finally {
        await fresh.destroy();
      }
    } finally {
      if (!closed) await t.close();
    }
  });
});

describe('CallBox heartbeats written behind, on the real timer', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ fakeClock: true });
    await registerBox(t.api, A);
  });
  afterEach(async () => t.close());

  it('are written within a few flush intervals without anything else happening', async () => {
    const registeredAt = t.clock!.now();
    t.clock!.advance(12_000);
    const beatAt = t.clock!.now();
    expectStatus(await t.api.post(paths.heartbeat, busyBeat), 200);

    const row = await storedBoxOnceWritten(t.app.get(DataSource), A, (r) => r.lastHeartbeatAt !== registeredAt, 5 * HEARTBEAT_FLUSH_MS);
    expect(row).toMatchObject({ reportedStatus: busyBeat.status, queueSize: busyBeat.queueSize, lastHeartbeatAt: beatAt });
  });
});
