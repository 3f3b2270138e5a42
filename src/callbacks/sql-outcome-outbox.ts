import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import type { UnitOfWork } from '../database/unit-of-work';
import { isOutcome, outcomePayload } from '../transactions/outcome';
import { OutcomeOutbox } from '../transactions/outcome-outbox';
import type { Transaction } from '../transactions/transaction';
import { OutboxSql } from './outbox.statements';

/** The journal's writer of outcome messages: one outbox row per outcome, in the change's own unit. */
@Injectable()
export class SqlOutcomeOutbox extends OutcomeOutbox {
  readonly enabled: boolean;

  constructor(
    private readonly db: Database,
    config: AppConfig,
  ) {
    super();
    this.enabled = config.callback !== null;
  }

  async record(unit: UnitOfWork, changed: readonly Transaction[]): Promise<void> {
    if (!this.enabled) return;
    const outcomes = changed.filter((tx) => isOutcome(tx.status));
    if (outcomes.length === 0) return;
    const messages = outcomes.map((tx) => ({
      transactionId: tx.id,
      outcome: tx.status,
      payload: JSON.stringify(outcomePayload(tx, tx.updatedAt)),
      at: tx.updatedAt,
    }));
    await unit.run(OutboxSql.insert(this.db.dialect, messages));
  }
}
