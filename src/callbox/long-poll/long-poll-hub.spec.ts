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
