import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { TransactionTransitions } from '../../transactions/transaction-transitions';
import { WaitingPolls } from './waiting-polls';
import { WorkBus } from './work-bus';
import { WorkSignal, workSignalOf } from './work-signal';

/**
 * Where held polls hear of new work: this process's committed transitions, and (PostgreSQL) the
 * other replicas' through the work bus. Stops every held poll first thing at shutdown.
 */
@Injectable()
export class LongPollHub implements OnModuleDestroy {
  readonly polls = new WaitingPolls(() => performance.now());

  constructor(
    transitions: TransactionTransitions,
    private readonly bus: WorkBus,
  ) {
    transitions.subscribe((events, changed) => {
      const signal = workSignalOf(events, changed);
      if (signal.items.length === 0 && signal.boxes.length === 0) return;
      this.deliver(signal);
      this.bus.publish(signal);
    });
    bus.listen((signal) => this.deliver(signal));
  }

  /** Nest runs this before the HTTP server closes: held polls answer at once, so the close does not wait for them. */
  onModuleDestroy(): void {
    this.polls.close();
  }

  private deliver(signal: WorkSignal): void {
    this.polls.offer(signal.items);
    this.polls.wakeBoxes(signal.boxes);
  }
}
