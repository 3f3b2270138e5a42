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
    const gone = settledOf(sut.wait(spec('a', 1000), 0, { onGone: (l) => ((leave = l), () => undefined) }));
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

  describe('promised work', () => {
    const work = (id?: string): WorkItem => ({ ...recharge, ...(id && { transactionId: id }) });
    const promisedIds = (ids: string[]) => ids.filter((id) => sut.promised.has(id));

    it('promises the named items of a wake-up to the woken poll until it releases them; unnamed items promise nothing', async () => {
      const a = sut.wait(spec('a', 1000, null, 3), 0);
      expect(sut.offer([work('t1'), work(), work('t2')])).toBe(1);
      const wake = await a;
      expect(wake).toMatchObject({ reason: 'work', reservation: { ids: ['t1', 't2'] } });
      expect(sut.promised.size).toBe(2);
      expect(promisedIds(['t1', 't2', 't3'])).toEqual(['t1', 't2']);
      sut.release(wake.reason === 'work' ? wake.reservation : undefined);
      expect(sut.promised.size).toBe(0);
    });

    it('another replica\'s work (no ids) and work that woke nobody are promised to no one', async () => {
      const a = sut.wait(spec('a', 1000), 0);
      sut.offer([work()]);
      expect(await a).toEqual({ reason: 'work', items: [work()], tried: new Set(['a']) });
      expect(sut.offer([work('t1')])).toBe(0);
      expect(sut.promised.size).toBe(0);
    });

    it('work handed on is promised to the next poll: the first poll releasing afterwards does not take it back', async () => {
      const a = sut.wait(spec('a', 1000), 0);
      const b = sut.wait(spec('b', 1000), 0);
      sut.offer([work('t1')]);
      const first = await a;
      if (first.reason !== 'work') throw new Error('a was not woken');
      // a handed t1 on (claimed other work), then finished.
      sut.offer(first.items!, first.tried);
      sut.release(first.reservation);
      const second = await b;
      expect(second).toMatchObject({ reason: 'work', reservation: { ids: ['t1'] } });
      expect(promisedIds(['t1'])).toEqual(['t1']);
      sut.release(second.reason === 'work' ? second.reservation : undefined);
      expect(sut.promised.size).toBe(0);
    });

    it('work handed on past MAX_OFFER_HOPS is promised to no one, and a poll that ran meanwhile polls again', async () => {
      const since = sut.currentVersion;
      expect(sut.offer([work('t1')], new Set(Array.from({ length: MAX_OFFER_HOPS }, (_, i) => `t${i}`)))).toBe(0);
      expect(sut.promised.size).toBe(0);
      expect(await sut.wait(spec('a', 1000), since)).toEqual({ reason: 'work' });
    });
  });
});

describe(handOn.name, () => {
  const three: WorkItem[] = [recharge, { ...recharge, operator: 'orange' }, { ...recharge, operator: null }];
  const none = new Set<string>();
  const named = (id: string): WorkItem => ({ ...recharge, transactionId: id });

  it('passes nothing on when the claim found no work left for the box: another box took it', () => {
    expect(handOn(three, { claimed: 0, exhausted: true }, none)).toEqual([]);
    expect(handOn(three, { claimed: 1, exhausted: true }, none)).toEqual([]);
    expect(handOn([named('t1'), named('t2')], { claimed: 1, exhausted: true }, new Set(['t0']))).toEqual([]);
  });

  it("passes on what the box's own limits kept it from claiming (items without an id: counted)", () => {
    expect(handOn(three, { claimed: 0, exhausted: false }, none)).toEqual(three);
    expect(handOn(three, { claimed: 2, exhausted: false }, none)).toEqual(three.slice(2));
    expect(handOn(three, { claimed: 3, exhausted: false }, none)).toEqual([]);
  });

  it('passes on a named item its answer does not hold, though it claimed as many as it was woken for (older work first)', () => {
    expect(handOn([named('t5')], { claimed: 1, exhausted: false }, new Set(['t1']))).toEqual([named('t5')]);
    expect(handOn([named('t5'), named('t6')], { claimed: 2, exhausted: false }, new Set(['t1', 't5']))).toEqual([named('t6')]);
    expect(handOn([named('t5'), named('t6')], { claimed: 2, exhausted: false }, new Set(['t6', 't5']))).toEqual([]);
  });

  it('counts against the items without an id only the claims no named item accounts for', () => {
    const unnamed = { ...recharge, operator: null };
    // Claimed t5 and one other: that other may be the unnamed item, which is then not passed on.
    expect(handOn([named('t5'), unnamed], { claimed: 2, exhausted: false }, new Set(['t5', 't1']))).toEqual([]);
    // Claimed t1 only (older work): t5 is passed on, and the unnamed item is counted as claimed.
    expect(handOn([named('t5'), unnamed], { claimed: 1, exhausted: false }, new Set(['t1']))).toEqual([named('t5')]);
    // Claimed t5 only: the unnamed item is passed on.
    expect(handOn([named('t5'), unnamed], { claimed: 1, exhausted: false }, new Set(['t5']))).toEqual([unnamed]);
  });

  it('passes nothing on for a wake-up that named no work (deadline, dispatcher)', () => {
    expect(handOn(undefined, { claimed: 0, exhausted: false }, none)).toEqual([]);
  });
});
