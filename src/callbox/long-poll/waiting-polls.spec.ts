import { handOn, MAX_OFFER_HOPS, WaitingPolls, WorkItem } from './waiting-polls';

const recharge: WorkItem = { type: 'recharge', operator: 'mtn' };
const spec = (callboxId: string, deadline: number, operators: string[] | null = null, room?: number) => ({ callboxId, types: ['recharge' as const], operators, deadline, room });

describe(WaitingPolls.name, () => {
  let now: number;
  let sut: WaitingPolls;
  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    sut = new WaitingPolls(() => now);
  });
  afterEach(() => jest.useRealTimers());

  const settledOf = (promise: Promise<unknown>) => {
    let result: unknown = 'pending';
    void promise.then((value) => (result = value));
    return async () => {
      await Promise.resolve();
      return result;
    };
  };

  it('one item wakes one waiter, the one that waited longest, and never the same box twice for one offer', async () => {
    const a = settledOf(sut.wait(spec('a', 1000), 0));
    const b = settledOf(sut.wait(spec('b', 1000), 0));
    expect(sut.offer([recharge])).toBe(1);
    expect(await a()).toMatchObject({ reason: 'work', items: [recharge] });
    expect(await b()).toBe('pending');
    expect(sut.size).toBe(1);
  });

  it('skips boxes that may not take the item (operators), and those already tried; stops after MAX_OFFER_HOPS', async () => {
    const orange = settledOf(sut.wait(spec('orange', 1000, ['orange']), 0));
    const mtn = settledOf(sut.wait(spec('mtn', 1000, ['mtn']), 0));
    expect(sut.offer([recharge], new Set(['x']))).toBe(1);
    expect(await orange()).toBe('pending');
    expect(await mtn()).toMatchObject({ reason: 'work' });
    const other = settledOf(sut.wait(spec('other', 1000), sut.currentVersion));
    expect(sut.offer([recharge], new Set(Array.from({ length: MAX_OFFER_HOPS }, (_, i) => `t${i}`)))).toBe(0);
    expect(await other()).toBe('pending');
  });

  it('one timer answers every deadline in order, however many waiters', async () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    const late = settledOf(sut.wait(spec('late', 500), 0));
    const waiters = Array.from({ length: 50 }, (_, i) => settledOf(sut.wait(spec(`w${i}`, 600 + i), 0)));
    const early = settledOf(sut.wait(spec('early', 100), 0));
    // Armed for 500, then once more for the earlier 100: not one per waiter.
    expect(setTimeoutSpy.mock.calls.length).toBeLessThanOrEqual(2);
    now = 100;
    jest.advanceTimersByTime(100);
    expect(await early()).toEqual({ reason: 'deadline' });
    expect(await late()).toBe('pending');
    now = 700;
    jest.advanceTimersByTime(600);
    expect(await late()).toEqual({ reason: 'deadline' });
    for (const waiter of waiters) expect(await waiter()).toEqual({ reason: 'deadline' });
    expect(sut.size).toBe(0);
  });

  it('a wait ends at once if work woke nobody while its poll ran (pending, or assigned to its box), not if it woke another', async () => {
    const before = sut.currentVersion;
    const other = sut.wait(spec('other', 1000), before);
    sut.offer([recharge]);
    await other;
    const held = settledOf(sut.wait(spec('a', 1000), before));
    expect(await held()).toBe('pending');
    sut.close();
    sut = new WaitingPolls(() => now);
    const since = sut.currentVersion;
    sut.offer([recharge]);
    expect(await sut.wait(spec('a', 1000), since)).toEqual({ reason: 'work' });
    const since2 = sut.currentVersion;
    sut.wakeBoxes(['b']);
    expect(await sut.wait(spec('b', 1000), since2)).toEqual({ reason: 'work' });
    const c = settledOf(sut.wait(spec('c', 1000), since2));
    expect(await c()).toBe('pending');
  });

  it('close answers every held poll, and every later wait', async () => {
    const held = settledOf(sut.wait(spec('b', 1000), sut.currentVersion));
    sut.close();
    expect(await held()).toEqual({ reason: 'shutdown' });
    expect(await sut.wait(spec('c', 1000), sut.currentVersion)).toEqual({ reason: 'shutdown' });
  });

  it('a client that leaves ends its wait, and is woken no more', async () => {
    let leave: () => void = () => undefined;
    const gone = settledOf(sut.wait(spec('a', 1000), 0, (l) => ((leave = l), () => undefined)));
    leave();
    expect(await gone()).toEqual({ reason: 'gone' });
    expect(sut.offer([recharge])).toBe(0);
  });

  it('wakes as few boxes as the work needs: each woken box is given up to its room, the next box the rest', async () => {
    const a = settledOf(sut.wait(spec('a', 1000, null, 2), 0));
    const b = settledOf(sut.wait(spec('b', 1000, null, 2), 0));
    const c = settledOf(sut.wait(spec('c', 1000, null, 2), 0));
    const d = settledOf(sut.wait(spec('d', 1000, null, 2), 0));
    const five = Array.from({ length: 5 }, () => ({ ...recharge }));
    expect(sut.offer(five)).toBe(3);
    expect(await a()).toMatchObject({ reason: 'work', items: five.slice(0, 2) });
    expect(await b()).toMatchObject({ reason: 'work', items: five.slice(2, 4) });
    expect(await c()).toMatchObject({ reason: 'work', items: five.slice(4) });
    expect(await d()).toBe('pending');
  });

  it("an item the chosen box may not take goes to the next eligible box, whatever the first one's room", async () => {
    const orange = settledOf(sut.wait(spec('orange', 1000, ['orange'], 5), 0));
    const any = settledOf(sut.wait(spec('any', 1000, null, 5), 0));
    const orangeWork: WorkItem = { type: 'recharge', operator: 'orange' };
    expect(sut.offer([orangeWork, recharge, orangeWork])).toBe(2);
    expect(await orange()).toMatchObject({ items: [orangeWork, orangeWork] });
    expect(await any()).toMatchObject({ items: [recharge] });
  });

  it('a box that says no room is woken for one item at a time, as before', async () => {
    const a = settledOf(sut.wait(spec('a', 1000), 0));
    const b = settledOf(sut.wait(spec('b', 1000), 0));
    expect(sut.offer([recharge, recharge])).toBe(2);
    expect(await a()).toMatchObject({ items: [recharge] });
    expect(await b()).toMatchObject({ items: [recharge] });
  });
});

describe(handOn.name, () => {
  const three: WorkItem[] = [recharge, { ...recharge, operator: 'orange' }, { ...recharge, operator: null }];

  it('passes nothing on when the claim found no work left for the box: another box took it', () => {
    expect(handOn(three, { claimed: 0, exhausted: true })).toEqual([]);
    expect(handOn(three, { claimed: 1, exhausted: true })).toEqual([]);
  });

  it("passes on what the box's own limits kept it from claiming", () => {
    expect(handOn(three, { claimed: 0, exhausted: false })).toEqual(three);
    expect(handOn(three, { claimed: 2, exhausted: false })).toEqual(three.slice(2));
    expect(handOn(three, { claimed: 3, exhausted: false })).toEqual([]);
  });

  it('passes nothing on for a wake-up that named no work (deadline, dispatcher)', () => {
    expect(handOn(undefined, { claimed: 0, exhausted: false })).toEqual([]);
  });
});
