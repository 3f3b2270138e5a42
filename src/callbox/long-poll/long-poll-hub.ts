import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { TransactionTransitions } from '../../transactions/transaction-transitions';
import type { Transaction, TransactionEvent } from '../../transactions/transaction';
import { WaitingPolls, WorkItem } from './waiting-polls';
import { WorkBus } from './work-bus';
import { WorkSignal, workSignalOf } from './work-signal';

/**
 * Where held polls hear of new work: this process's committed transitions, and (PostgreSQL) the
 * other replicas' through the work bus. Stops every held poll first thing at shutdown.
 */
@Injectable()
export class LongPollHub implements OnModuleDestroy {
  readonly polls = new WaitingPolls(() => performance.now());

  /** Work committed since the last delivery, by transaction: what left `pending` meanwhile is dropped. */
  private readonly fresh = new Map<string, WorkItem>();
  private readonly assignedBoxes = new Set<string>();
  private deliveryQueued = false;

  constructor(
    transitions: TransactionTransitions,
    private readonly bus: WorkBus,
  ) {
    transitions.subscribe((events, changed) => this.collect(events, changed));
    bus.listen((signal) => this.deliver(signal));
  }

  /** Nest runs this before the HTTP server closes: held polls answer at once, so the close does not wait for them. */
  onModuleDestroy(): void {
    this.polls.close();
  }

  /**
   * The units of one commit (SQLite commits many together) are told one after the other in one turn:
   * a submit claimed by a poll committed with it is nobody's work to wake for. Delivered once that
   * turn's hooks have run, what is still pending wakes as few boxes as it needs.
   */
  private collect(events: readonly TransactionEvent[], changed: readonly Transaction[]): void {
    for (const event of events) if (event.from === 'pending' && event.to !== 'pending') this.fresh.delete(event.transactionId);
    const signal = workSignalOf(events, changed);
    for (const item of signal.items) this.fresh.set(item.transactionId!, item);
    for (const box of signal.boxes) this.assignedBoxes.add(box);
    if (this.deliveryQueued || (this.fresh.size === 0 && this.assignedBoxes.size === 0)) return;
    this.deliveryQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.deliveryQueued = false;
    const signal: WorkSignal = { items: [...this.fresh.values()], boxes: [...this.assignedBoxes] };
    this.fresh.clear();
    this.assignedBoxes.clear();
    if (signal.items.length === 0 && signal.boxes.length === 0) return;
    this.deliver(signal);
    this.bus.publish(signal);
  }

  private deliver(signal: WorkSignal): void {
    this.polls.offer(signal.items);
    this.polls.wakeBoxes(signal.boxes);
  }
}
