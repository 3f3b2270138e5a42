import type { Transaction, TransactionEvent, TransactionStatus } from '../../transactions/transaction';
import { TransactionTransitions } from '../../transactions/transaction-transitions';
import { LongPollHub } from './long-poll-hub';
import { WorkBus } from './work-bus';
import type { WorkSignal } from './work-signal';

class RecordingBus extends WorkBus {
  readonly published: WorkSignal[] = [];
  publish(signal: WorkSignal): void {
    this.published.push(signal);
  }
  listen(): void {}
}

const tx = (id: string, status: TransactionStatus, assignedTo: string | null = null): Transaction => ({
  id,
  type: 'recharge',
  phoneNumber: '77000000',
  amount: 500,
  payItemId: 'PI',
  customerInfo: null,
  priority: 'normal',
  status,
  assignedTo,
  retryCount: 0,
  maxRetries: 3,
  result: null,
  source: 'main',
  createdAt: 0,
  updatedAt: 0,
  assignedAt: null,
  startedAt: null,
  completedAt: null,
  nextAttemptAt: null,
  leaseExpiresAt: null,
  attempt: 0,
  releasedBy: null,
  releasedUntil: null,
});
const event = (id: string, from: TransactionStatus | null, to: TransactionStatus, actor = 'main-system'): TransactionEvent => ({ transactionId: id, from, to, actor, at: 0, details: null });
const submitted = (id: string) => [[event(id, null, 'pending')], [tx(id, 'pending')]] as const;
const claimedBy = (id: string, box: string) => [[event(id, 'pending', 'assigned', `callbox:${box}`)], [tx(id, 'assigned', box)]] as const;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe(LongPollHub.name, () => {
  let transitions: TransactionTransitions;
  let bus: RecordingBus;
  let sut: LongPollHub;
  let offered: string[][];
  beforeEach(() => {
    transitions = new TransactionTransitions();
    bus = new RecordingBus();
    sut = new LongPollHub(transitions, bus);
    offered = [];
    jest.spyOn(sut.polls, 'offer').mockImplementation((items) => (offered.push(items.map((item) => item.transactionId!)), 0));
  });
  afterEach(() => sut.onModuleDestroy());

  it('offers the work of the units committed together once, in one offer', async () => {
    transitions.published(...submitted('t1'));
    transitions.published(...submitted('t2'));
    expect(offered).toEqual([]);
    await turn();
    expect(offered).toEqual([['t1', 't2']]);
    expect(bus.published.map((signal) => signal.items.length)).toEqual([2]);
  });

  it('a submit claimed by a poll committed with it wakes nobody, here or on another replica', async () => {
    transitions.published(...submitted('t1'));
    transitions.published(...submitted('t2'));
    transitions.published(...claimedBy('t1', 'box_a'));
    await turn();
    expect(offered).toEqual([['t2']]);
    transitions.published(...submitted('t3'));
    transitions.published(...claimedBy('t3', 'box_b'));
    await turn();
    expect(offered).toEqual([['t2']]);
    expect(bus.published.map((signal) => signal.items.length)).toEqual([1]);
  });

  it('work claimed in a later commit was offered when it was submitted', async () => {
    transitions.published(...submitted('t1'));
    await turn();
    transitions.published(...claimedBy('t1', 'box_a'));
    await turn();
    expect(offered).toEqual([['t1']]);
  });
});

describe(`${LongPollHub.name}: work promised to woken polls`, () => {
  class ListeningBus extends WorkBus {
    handler: ((signal: WorkSignal) => void) | null = null;
    publish(): void {}
    listen(handler: (signal: WorkSignal) => void): void {
      this.handler = handler;
    }
  }
  let transitions: TransactionTransitions;
  let bus: ListeningBus;
  let sut: LongPollHub;
  beforeEach(() => {
    transitions = new TransactionTransitions();
    bus = new ListeningBus();
    sut = new LongPollHub(transitions, bus);
  });
  afterEach(() => sut.onModuleDestroy());
  const waitFor = (box: string) => sut.polls.wait({ callboxId: box, types: ['recharge'], operators: null, deadline: Number.POSITIVE_INFINITY }, sut.polls.currentVersion);

  it('a submit committed here, offered to a held poll, is promised to that poll until it releases it', async () => {
    const held = waitFor('box_a');
    transitions.published(...submitted('t1'));
    const wake = await held;
    expect(wake).toMatchObject({ reason: 'work', reservation: { ids: ['t1'] } });
    expect(sut.polls.promised.has('t1')).toBe(true);
    sut.polls.release(wake.reason === 'work' ? wake.reservation : undefined);
    expect(sut.polls.promised.size).toBe(0);
  });

  it("another replica's work wakes a held poll and promises nothing: polls there claim as before", async () => {
    const held = waitFor('box_a');
    bus.handler!({ items: [{ type: 'recharge', operator: null }], boxes: [] });
    expect(await held).toMatchObject({ reason: 'work', items: [{ type: 'recharge', operator: null }] });
    expect(sut.polls.promised.size).toBe(0);
  });

  it('a submit that woke nobody is promised to nobody', async () => {
    transitions.published(...submitted('t1'));
    await turn();
    expect(sut.polls.promised.size).toBe(0);
  });
});
