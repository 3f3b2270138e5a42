import type { TransactionType } from '../../transactions/transaction';
import type { ClaimOutcome, PromisedWork } from '../../transactions/transaction.repository';
import { DeadlineHeap } from './deadline-heap';

/** New pending work, as much as a waiting box needs to know whether it may take it. */
export interface WorkItem {
  type: TransactionType;
  /** The customer's operator, lowercase; null when the submit named none (only boxes without declared operators take it). */
  operator: string | null;
  /** A box that gave this work back and is not offered it again until `until` (epoch ms). */
  avoid?: { callboxId: string; until: number } | null;
  /** The transaction, when this process committed it (work from another replica names none). */
  transactionId?: string;
}

/** What a held poll waits for: work of these types (and operators, when the box declared some). */
export interface WaitSpec {
  callboxId: string;
  types: readonly TransactionType[];
  /** Lowercase; null: any operator. */
  operators: readonly string[] | null;
  /** performance.now() time at which the poll is answered whatever happens. */
  deadline: number;
  /** How many transactions its next poll may claim (its batch, its free concurrency); 1 if unsaid. */
  room?: number;
}

/**
 * The items of one wake-up that name their transaction, promised to the woken poll until it
 * releases them (WaitingPolls.release), once it has claimed and handed on.
 */
export interface Reservation {
  readonly ids: readonly string[];
}

export type Wake =
  /**
   * Work for this box may exist: poll. `items` is the pending work it was woken for, at most its
   * room (what its limits keep it from claiming is passed on; see handOn); `reservation`, those of
   * them promised to it.
   */
  | { reason: 'work'; items?: WorkItem[]; tried?: ReadonlySet<string>; reservation?: Reservation }
  | { reason: 'deadline' }
  /** The gateway is stopping: answer at once. */
  | { reason: 'shutdown' }
  /** The client went away: claim nothing. */
  | { reason: 'gone' };

interface Waiter extends WaitSpec {
  settle: (wake: Wake) => void;
  settled: boolean;
}

/** A woken box that finds nothing hands the item on, to at most this many boxes in all. */
export const MAX_OFFER_HOPS = 3;

const roomOf = (spec: WaitSpec) => Math.max(1, spec.room ?? 1);

/** As the claim: its types, its operators when it declared some, not work it gave back a moment ago. */
function mayTake(spec: WaitSpec, item: WorkItem, at: number): boolean {
  if (!spec.types.includes(item.type)) return false;
  if (spec.operators !== null && (item.operator === null || !spec.operators.includes(item.operator))) return false;
  return !(item.avoid && item.avoid.callboxId === spec.callboxId && item.avoid.until > at);
}

/**
 * What a woken box that got less than it was woken for passes on: only when its own limits stopped
 * it (room used up, or none) while work may be left. When its claim found the queue without work
 * for it, another box took that work, and waking a next one would only have it find nothing too.
 *
 * An item naming its transaction is passed on unless the poll's answer (`reached`: the ids it
 * answered with) holds it: the claim takes the queue's head, which may be older work than what woke
 * it, and the item it was woken for, promised to it meanwhile, would otherwise wake nobody. Items
 * without an id (another replica's work) are counted: the claims not matched to a named item went
 * to them, in order.
 */
export function handOn(items: readonly WorkItem[] | undefined, outcome: ClaimOutcome, reached: ReadonlySet<string>): WorkItem[] {
  if (!items || items.length === 0 || outcome.exhausted) return [];
  const named = items.filter((item) => item.transactionId !== undefined);
  const missed = named.filter((item) => !reached.has(item.transactionId!));
  const unmatchedClaims = Math.max(0, outcome.claimed - (named.length - missed.length));
  const unnamed = items.filter((item) => item.transactionId === undefined);
  return [...missed, ...unnamed.slice(unmatchedClaims)];
}

/**
 * Every poll held on this process, in arrival order, and the one timer that answers them at their
 * deadline (a heap of deadlines, the timer armed for the earliest). New work wakes as many waiting
 * boxes as it needs, the longest-waiting eligible ones first: a woken box that answers and polls
 * again goes to the back, so the boxes of one type and operator take turns (round-robin).
 */
export class WaitingPolls {
  /** Insertion order is arrival order: the first eligible waiter is the one that waited longest. */
  private readonly waiting = new Set<Waiter>();
  private readonly byBox = new Map<string, Set<Waiter>>();
  private readonly deadlines = new DeadlineHeap<Waiter>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Number.POSITIVE_INFINITY;
  private closed = false;
  /** Moves on every offer and box wake-up. */
  private version = 0;
  /**
   * The last version at which pending work found no held poll to wake: a poll that ran meanwhile
   * may have missed it. Work that woke a box is that box's to take, so it sends no one else back.
   */
  private unofferedAt = -1;
  /** Per box, the last version at which work was assigned to it while it had no held poll. */
  private readonly unwokenBoxes = new Map<string, number>();
  /** Transaction ids promised to woken polls, each to the reservation of the wake-up that holds it. */
  private readonly reservations = new Map<string, Reservation>();

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.waiting.size;
  }

  get currentVersion(): number {
    return this.version;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * This process's pending work that woke a held poll whose claim has not finished: a fresh poll
   * that could take only these leaves them to it (BoxClaim.promised). Work from another replica
   * names no transaction and is never promised, so there polls claim as before.
   */
  get promised(): PromisedWork {
    return this.reservations;
  }

  /** The woken poll is done (claimed, handed on, or failed and offered again): its work is no longer promised to it. */
  release(reservation: Reservation | undefined): void {
    if (!reservation) return;
    for (const id of reservation.ids) if (this.reservations.get(id) === reservation) this.reservations.delete(id);
  }

  /**
   * Holds until work, the deadline, the client's departure (its `onGone` registers the callback that
   * ends the wait) or the shutdown. `sinceVersion`: the version seen before the poll that found
   * nothing; if work since then woke no held poll (pending work, or work assigned to this box), the
   * wait ends at once: that poll may have missed it.
   */
  wait(spec: WaitSpec, sinceVersion: number, client?: { onGone(leave: () => void): () => void }): Promise<Wake> {
    if (this.closed) return Promise.resolve({ reason: 'shutdown' });
    const assignedMeanwhile = (this.unwokenBoxes.get(spec.callboxId) ?? -1) > sinceVersion;
    this.unwokenBoxes.delete(spec.callboxId);
    if (this.unofferedAt > sinceVersion || assignedMeanwhile) return Promise.resolve({ reason: 'work' });
    if (spec.deadline <= this.now()) return Promise.resolve({ reason: 'deadline' });
    return new Promise<Wake>((resolve) => {
      let forget: (() => void) | undefined;
      // Every key written out, in one order: a spread gave each held poll's waiter a hidden class of
      // its own (about 300 bytes more per held poll, 10 000 of them at a full fleet).
      const waiter: Waiter = {
        callboxId: spec.callboxId,
        types: spec.types,
        operators: spec.operators,
        deadline: spec.deadline,
        room: spec.room,
        settled: false,
        settle: (wake) => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.remove(waiter);
          forget?.();
          resolve(wake);
        },
      };
      this.waiting.add(waiter);
      let ofBox = this.byBox.get(spec.callboxId);
      if (!ofBox) this.byBox.set(spec.callboxId, (ofBox = new Set()));
      ofBox.add(waiter);
      this.deadlines.push(spec.deadline, waiter);
      this.arm();
      forget = client?.onGone(() => waiter.settle({ reason: 'gone' }));
    });
  }

  /**
   * Wakes as few eligible waiting boxes as the items need: each item goes to a box already chosen by
   * this offer that may take it and has room left (a box claims up to its room at its poll), else to
   * the eligible box that waited longest, never to a box in `tried`. Returns how many were woken; an
   * item no waiting box may take wakes nobody.
   */
  offer(items: readonly WorkItem[], tried: ReadonlySet<string> = new Set()): number {
    if (items.length === 0) return 0;
    this.version += 1;
    if (tried.size >= MAX_OFFER_HOPS) {
      // Woken for by nobody now: a poll running meanwhile (one that left it to a woken poll) polls again.
      this.unofferedAt = this.version;
      return 0;
    }
    const chosen: Array<{ waiter: Waiter; items: WorkItem[] }> = [];
    const excluded = new Set<string>(tried);
    for (const item of items) {
      const joined = chosen.find((c) => c.items.length < roomOf(c.waiter) && mayTake(c.waiter, item, Date.now()));
      if (joined) {
        joined.items.push(item);
        continue;
      }
      const waiter = this.firstEligible(item, excluded);
      if (!waiter) {
        this.unofferedAt = this.version;
        continue;
      }
      excluded.add(waiter.callboxId);
      chosen.push({ waiter, items: [item] });
    }
    for (const { waiter, items: its } of chosen) {
      const reservation = this.reserve(its);
      waiter.settle({ reason: 'work', items: its, tried: new Set([...tried, waiter.callboxId]), ...(reservation && { reservation }) });
    }
    return chosen.length;
  }

  /** Work was assigned to these boxes (by the dispatcher): wake their held polls. */
  wakeBoxes(callboxIds: readonly string[]): number {
    if (callboxIds.length === 0) return 0;
    this.version += 1;
    let count = 0;
    for (const id of callboxIds) {
      const held = this.byBox.get(id);
      if (!held) {
        // Bounded by the fleet: one entry per box, dropped at its next wait.
        this.unwokenBoxes.set(id, this.version);
        continue;
      }
      for (const waiter of [...held]) {
        count += 1;
        waiter.settle({ reason: 'work' });
      }
    }
    return count;
  }

  /** Answers every held poll at once, and every later one without waiting. */
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiting]) waiter.settle({ reason: 'shutdown' });
    this.disarm();
  }

  /** Promises the items that name their transaction to one woken poll (taking them from any earlier one). */
  private reserve(items: readonly WorkItem[]): Reservation | undefined {
    const ids = items.flatMap((item) => (item.transactionId === undefined ? [] : [item.transactionId]));
    if (ids.length === 0) return undefined;
    const reservation: Reservation = { ids };
    for (const id of ids) this.reservations.set(id, reservation);
    return reservation;
  }

  private firstEligible(item: WorkItem, excluded: ReadonlySet<string>): Waiter | undefined {
    const at = Date.now();
    for (const waiter of this.waiting) {
      if (!excluded.has(waiter.callboxId) && mayTake(waiter, item, at)) return waiter;
    }
    return undefined;
  }

  private remove(waiter: Waiter): void {
    this.waiting.delete(waiter);
    const ofBox = this.byBox.get(waiter.callboxId);
    ofBox?.delete(waiter);
    if (ofBox?.size === 0) this.byBox.delete(waiter.callboxId);
    // Its heap entry stays until it surfaces (settled entries are skipped): no search on every wake.
    if (this.waiting.size === 0) {
      this.deadlines.clear();
      this.disarm();
    }
  }

  private arm(): void {
    const next = this.deadlines.peekKey();
    if (next === undefined || next >= this.armedFor) return;
    this.disarm();
    this.armedFor = next;
    this.timer = setTimeout(() => this.expire(), Math.max(0, next - this.now()));
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private expire(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.now();
    for (let key = this.deadlines.peekKey(); key !== undefined && key <= now; key = this.deadlines.peekKey()) {
      const waiter = this.deadlines.pop()!;
      if (!waiter.settled) waiter.settle({ reason: 'deadline' });
    }
    // Skip settled entries at the top, so the timer is armed for a live deadline.
    while (this.deadlines.peek()?.settled) this.deadlines.pop();
    this.arm();
  }
}
