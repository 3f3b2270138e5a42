import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { Principal } from '../../common/auth/principal';
import { AppConfig } from '../../config/app-config';
import { CallBoxTransactionsService } from '../transactions/callbox-transactions.service';
import type { HeldClient } from './held-client';
import { LongPollHub } from './long-poll-hub';

/**
 * GET /transactions/pending with `waitMs`: a poll that finds nothing is held (no database
 * connection, no timer of its own) until work for the box may exist, its deadline, the client's
 * departure or the shutdown, then answered exactly as a poll. A held client that left claims
 * nothing; one that leaves while its claim runs finds the claimed work first at its next poll, or
 * its lease gives the work back.
 */
@Injectable()
export class LongPollService {
  constructor(
    private readonly polls: CallBoxTransactionsService,
    private readonly hub: LongPollHub,
    private readonly config: AppConfig,
  ) {}

  async pending(principal: Principal, callboxId: string, limit: number | undefined, waitMs: number | undefined, client: HeldClient) {
    const waiting = this.hub.polls;
    let since = waiting.currentVersion;
    let answer = await this.polls.pending(principal, callboxId, limit);
    const holdMs = Math.min(waitMs ?? 0, this.config.longPollMaxWaitMs);
    if (holdMs <= 0 || answer.transactions.length > 0) return answer;
    const deadline = performance.now() + holdMs;
    while (answer.waitFor && !client.gone()) {
      const heldFrom = performance.now();
      const wake = await waiting.wait({ callboxId, ...answer.waitFor, deadline }, since, client.onGone);
      client.held(performance.now() - heldFrom);
      if (wake.reason === 'shutdown' || wake.reason === 'gone') return answer;
      if (client.gone()) {
        if (wake.reason === 'work' && wake.item) waiting.offer([wake.item], wake.tried);
        return answer;
      }
      since = waiting.currentVersion;
      answer = await this.polls.pending(principal, callboxId, limit);
      if (answer.transactions.length > 0 || wake.reason === 'deadline') return answer;
      // Woken for work it did not get (another box, or its own limits): the next waiting box may take it.
      if (wake.reason === 'work' && wake.item) waiting.offer([wake.item], wake.tried);
    }
    return answer;
  }
}
