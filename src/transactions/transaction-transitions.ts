import { Injectable } from '@nestjs/common';
import type { TransactionEvent } from './transaction';

type Listener = (events: readonly TransactionEvent[]) => void;

/** Tells in-process listeners (metrics) about state changes once they are committed. */
@Injectable()
export class TransactionTransitions {
  private readonly listeners: Listener[] = [];

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  published(events: readonly TransactionEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }
}
