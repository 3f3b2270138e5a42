import { Injectable } from '@nestjs/common';
import type { Transaction, TransactionEvent } from './transaction';

/** The committed events, and the transactions they moved as they are now (same order, when known). */
type Listener = (events: readonly TransactionEvent[], changed: readonly Transaction[]) => void;

/** Tells in-process listeners (metrics, waiting long polls) about state changes once they are committed. */
@Injectable()
export class TransactionTransitions {
  private readonly listeners: Listener[] = [];

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  published(events: readonly TransactionEvent[], changed: readonly Transaction[] = []): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events, changed);
  }
}
