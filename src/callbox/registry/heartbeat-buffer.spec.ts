import type { CallBox } from './callbox';
import { BufferedHeartbeat, HeartbeatBuffer, withHeartbeat } from './heartbeat-buffer';

/** A box as its stored row says: last heard from at `lastHeartbeatAt`. */
const stored = (id: string, lastHeartbeatAt = 1_000): CallBox => ({
  id,
  reportedStatus: 'active',
  connection: 'connected',
  maxConcurrent: 5,
  supportedTypes: ['recharge'],
  operators: null,
  version: '1.0.0',
  location: 'Douala',
  queueSize: 0,
  metrics: { uptime: 10 },
  lastHeartbeatAt,
  registeredAt: 500,
  recentOutcomes: '',
  consecutiveFailures: 0,
  degradedUntil: null,
  degradedReason: null,
});

const beat = (at: number, reportedStatus = 'busy', queueSize: number | null = 4): BufferedHeartbeat => ({
  reportedStatus,
  queueSize,
  metrics: { uptime: at },
  at,
});

/** A write the spec finishes by hand, to look at the buffer while it runs. */
function pendingWrite() {
  let succeed!: () => void;
  let fail!: (error: Error) => void;
  const batches: Array<Map<string, BufferedHeartbeat>> = [];
  const write = (batch: ReadonlyMap<string, BufferedHeartbeat>) => {
    batches.push(new Map(batch));
    return new Promise<void>((resolve, reject) => {
      succeed = resolve;
      fail = reject;
    });
  };
  return { write, batches, succeed: () => succeed(), fail: (error: Error) => fail(error) };
}

/** Drains with a write that succeeds, and returns what it was given (null when it was not called). */
async function drained(sut: HeartbeatBuffer): Promise<Map<string, BufferedHeartbeat> | null> {
  let given: Map<string, BufferedHeartbeat> | null = null;
  await sut.drain(async (batch) => {
    given = new Map(batch);
  });
  return given;
}

describe(HeartbeatBuffer.name, () => {
  let sut: HeartbeatBuffer;
  beforeEach(() => {
    sut = new HeartbeatBuffer();
  });

  it('keeps only the latest heartbeat of each box', async () => {
    sut.put('a', beat(2_000, 'busy', 1));
    sut.put('b', beat(2_100, 'active', 2));
    sut.put('a', beat(2_200, 'idle', 3));
    expect(sut.size).toBe(2);
    expect(await drained(sut)).toEqual(
      new Map([
        ['a', beat(2_200, 'idle', 3)],
        ['b', beat(2_100, 'active', 2)],
      ]),
    );
  });

  it('a heartbeat without queue size or metrics keeps those of the one it replaces, waiting or being written', async () => {
    sut.put('a', beat(2_000, 'active', 3));
    sut.put('a', { ...beat(2_100, 'active', null), metrics: null });
    expect((await drained(sut))?.get('a')).toEqual({ ...beat(2_100, 'active', 3), metrics: { uptime: 2_000 } });

    const held = pendingWrite();
    sut.put('b', beat(3_000, 'active', 5));
    const writing = sut.drain(held.write);
    sut.put('b', { ...beat(3_100, 'maintenance', null), metrics: null });
    held.fail(new Error('disk full'));
    await expect(writing).rejects.toThrow('disk full');
    expect((await drained(sut))?.get('b')).toEqual({ ...beat(3_100, 'maintenance', 5), metrics: { uptime: 3_000 } });
  });

  it('hands the waiting heartbeats to the write and empties itself', async () => {
    sut.put('a', beat(2_000));
    expect(await drained(sut)).toEqual(new Map([['a', beat(2_000)]]));
    expect(sut.size).toBe(0);
    expect(sut.overlay(stored('a'))).toEqual(stored('a'));
    // Nothing left: a second drain does not even call the write.
    expect(await drained(sut)).toBeNull();
  });

  it('puts the batch back when the write fails, and rethrows its error', async () => {
    sut.put('a', beat(2_000));
    sut.put('b', beat(2_100));
    const failure = new Error('database unavailable');
    await expect(sut.drain(() => Promise.reject(failure))).rejects.toBe(failure);
    expect(sut.size).toBe(2);
    expect(await drained(sut)).toEqual(
      new Map([
        ['a', beat(2_000)],
        ['b', beat(2_100)],
      ]),
    );
  });

  it('keeps a heartbeat that arrived during a failed write instead of the older one put back', async () => {
    sut.put('a', beat(2_000, 'busy'));
    sut.put('b', beat(2_100, 'busy'));
    const write = pendingWrite();
    const draining = sut.drain(write.write);
    sut.put('a', beat(3_000, 'idle'));
    write.fail(new Error('disk I/O error'));
    await expect(draining).rejects.toThrow('disk I/O error');

    expect(await drained(sut)).toEqual(
      new Map([
        ['a', beat(3_000, 'idle')],
        ['b', beat(2_100, 'busy')],
      ]),
    );
  });

  it('overlays a waiting heartbeat on the stored box', () => {
    sut.put('a', beat(2_000, 'busy', 7));
    expect(sut.overlay(stored('a'))).toEqual({
      ...stored('a'),
      reportedStatus: 'busy',
      queueSize: 7,
      metrics: { uptime: 2_000 },
      lastHeartbeatAt: 2_000,
    });
  });

  it('leaves a box with no heartbeat in memory as stored', () => {
    sut.put('a', beat(2_000));
    expect(sut.overlay(stored('b'))).toEqual(stored('b'));
  });

  it('overlays heartbeats being written until the write is done, the newest when one arrived meanwhile', async () => {
    sut.put('a', beat(2_000, 'busy'));
    sut.put('b', beat(2_100, 'busy'));
    const write = pendingWrite();
    const draining = sut.drain(write.write);
    expect(sut.size).toBe(0);
    expect(sut.overlay(stored('a'))).toMatchObject({ reportedStatus: 'busy', lastHeartbeatAt: 2_000 });

    sut.put('b', beat(2_500, 'idle'));
    expect(sut.overlay(stored('b'))).toMatchObject({ reportedStatus: 'idle', lastHeartbeatAt: 2_500 });

    write.succeed();
    await draining;
    // Written: the stored row is the truth again for a; b's newer heartbeat still waits.
    expect(sut.overlay(stored('a', 2_000))).toEqual(stored('a', 2_000));
    expect(sut.overlay(stored('b'))).toMatchObject({ reportedStatus: 'idle', lastHeartbeatAt: 2_500 });
  });

  it('overlays a heartbeat put back after a failed write', async () => {
    sut.put('a', beat(2_000, 'busy'));
    await expect(sut.drain(() => Promise.reject(new Error('locked')))).rejects.toThrow('locked');
    expect(sut.overlay(stored('a'))).toMatchObject({ reportedStatus: 'busy', lastHeartbeatAt: 2_000 });
  });

  it('never moves the last heartbeat backwards', () => {
    sut.put('a', beat(1_500));
    expect(sut.overlay(stored('a', 4_000)).lastHeartbeatAt).toBe(4_000);
  });

  it('forgets a box: no overlay, nothing to write', async () => {
    sut.put('a', beat(2_000));
    sut.put('b', beat(2_100));
    sut.forget('a');
    expect(sut.size).toBe(1);
    expect(sut.overlay(stored('a'))).toEqual(stored('a'));
    expect(await drained(sut)).toEqual(new Map([['b', beat(2_100)]]));
  });
  it('runs overlapping drains one after another, so a failed first write loses nothing', async () => {
    sut.put('a', beat(2_000));
    const first = pendingWrite();
    const firstDrain = sut.drain(first.write);
    sut.put('b', beat(2_100));
    const second = pendingWrite();
    const secondDrain = sut.drain(second.write);
    // The second waits for the first: b is not handed over while a is being written.
    await Promise.resolve();
    expect(second.batches).toHaveLength(0);
    expect(sut.overlay(stored('a'))).toMatchObject({ lastHeartbeatAt: 2_000 });

    first.fail(new Error('disk I/O error'));
    await expect(firstDrain).rejects.toThrow('disk I/O error');
    await new Promise((resolve) => setImmediate(resolve));
    expect([...second.batches[0].keys()].sort()).toEqual(['a', 'b']);
    second.succeed();
    await secondDrain;
    expect(sut.size).toBe(0);
  });
});

describe(withHeartbeat.name, () => {
  it("takes the heartbeat's status, queue size, metrics and time", () => {
    expect(withHeartbeat(stored('a', 1_000), beat(2_000, 'busy', 9))).toEqual({
      ...stored('a', 1_000),
      reportedStatus: 'busy',
      queueSize: 9,
      metrics: { uptime: 2_000 },
      lastHeartbeatAt: 2_000,
    });
  });

  it('keeps the stored queue size and metrics when the heartbeat has none', () => {
    const box = { ...stored('a'), queueSize: 3, metrics: { uptime: 42 } };
    const sut = withHeartbeat(box, { reportedStatus: 'idle', queueSize: null, metrics: null, at: 2_000 });
    expect(sut).toMatchObject({ reportedStatus: 'idle', queueSize: 3, metrics: { uptime: 42 }, lastHeartbeatAt: 2_000 });
  });

  it('keeps a later stored heartbeat time', () => {
    expect(withHeartbeat(stored('a', 9_000), beat(2_000)).lastHeartbeatAt).toBe(9_000);
  });

  it('leaves the box it is given unchanged', () => {
    const box = stored('a');
    withHeartbeat(box, beat(2_000));
    expect(box).toEqual(stored('a'));
  });
});

describe(`${HeartbeatBuffer.name}.putOver`, () => {
  /** The box a heartbeat answered before putOver: laid over the replaced heartbeat, then over the new one. */
  const twoCopies = (sut: HeartbeatBuffer, box: CallBox, heartbeat: BufferedHeartbeat) => {
    const known = sut.overlay(box);
    sut.put(box.id, heartbeat);
    return withHeartbeat(known, heartbeat);
  };
  const cases: Array<[string, BufferedHeartbeat[], BufferedHeartbeat]> = [
    ['nothing waiting', [], beat(2_000)],
    ['one waiting', [beat(2_000, 'busy', 7)], beat(3_000, 'active', null)],
    ['one waiting without metrics or queue size', [{ ...beat(2_000), metrics: null, queueSize: null }], beat(3_000)],
    ['a later one waiting (the clock set back)', [beat(9_000, 'busy', 7)], { ...beat(3_000, 'active', null), metrics: null }],
    ['a box heard later than both', [beat(2_000)], beat(3_000)],
  ];

  it.each(cases)('answers the box as overlay shows it after put (%s), with the same heartbeat waiting', (name, earlier, heartbeat) => {
    const box = stored('box-1', name === 'a box heard later than both' ? 50_000 : 1_000);
    const [sut, reference] = [new HeartbeatBuffer(), new HeartbeatBuffer()];
    for (const b of earlier) [sut, reference].forEach((buffer) => buffer.put(box.id, b));
    const expected = twoCopies(reference, box, heartbeat);
    expect(sut.putOver(box.id, box, heartbeat)).toEqual(expected);
    expect(sut.overlay(box)).toEqual(reference.overlay(box));
  });

  it('lays the heartbeat being written under the new one, as overlay does', async () => {
    const box = stored('box-1');
    const sut = new HeartbeatBuffer();
    sut.put(box.id, beat(8_000, 'busy', 7));
    let answered: CallBox | undefined;
    await sut.drain(async () => {
      answered = sut.putOver(box.id, box, { ...beat(3_000, 'active', null), metrics: null });
    });
    expect(answered).toMatchObject({ reportedStatus: 'active', queueSize: 7, metrics: { uptime: 8_000 }, lastHeartbeatAt: 8_000 });
  });
});
