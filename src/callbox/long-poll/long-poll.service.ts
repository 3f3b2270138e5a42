import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { assertMayActAs, Principal } from '../../common/auth/principal';
import { AppConfig } from '../../config/app-config';
import { CallBoxTransactionsService } from '../transactions/callbox-transactions.service';
import type { HeldClient } from './held-client';
import { LongPollHub } from './long-poll-hub';
import { handOn, WorkItem } from './waiting-polls';
import { tooManyHeldPolls } from './long-poll-errors';

/**
 * A box needs one held poll; a few more cover connections its network dropped that the gateway has
 * not noticed yet. Beyond that, one token could pin sockets and memory without bound.
 */
export const MAX_HELD_POLLS_PER_BOX = 4;

const CLAIMS_NOTHING = { types: [], operators: null } as const;

export type PollAnswer = Awaited<ReturnType<CallBoxTransactionsService['pending']>>;

/** A long poll answered at once, or held: then `held` settles with its answer (or its error). */
export type PendingOutcome = { answer: PollAnswer; held?: undefined } | { answer?: undefined; held: Promise<PollAnswer> };

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

  /** Long polls of each box from arrival to answer (held, or polling the database in between). */
  private readonly openByBox = new Map<string, number>();

  /**
   * Answered now (`answer`), or held (`held`: the answer once work, the deadline, the client's
   * departure or the shutdown ends the wait). A held poll keeps no caller's frame waiting: the
   * caller hands `held` on and returns, so what a held poll keeps alive is its wait and its socket.
   */
  async pending(principal: Principal, callboxId: string, limit: number | undefined, waitMs: number | undefined, client: HeldClient): Promise<PendingOutcome> {
    const holdMs = Math.min(waitMs ?? 0, this.config.longPollMaxWaitMs);
    if (holdMs <= 0) return { answer: await this.polls.pending(principal, callboxId, limit) };
    // Before any database work, so a flood of polls for one box costs the gateway nothing; after the
    // token's binding, so it tells nothing about a box the caller may not act for. Counted from
    // arrival (not from the hold), so polls arriving together cannot all pass.
    assertMayActAs(principal, callboxId);
    const open = this.openByBox.get(callboxId) ?? 0;
    if (open >= MAX_HELD_POLLS_PER_BOX) throw tooManyHeldPolls(callboxId, MAX_HELD_POLLS_PER_BOX);
    this.openByBox.set(callboxId, open + 1);
    let handedOn = false;
    try {
      const waiting = this.hub.polls;
      // Read before the first poll: work offered to no one while it runs ends its wait at once, so a
      // poll that left everything to woken polls still hears of what one of them hands on.
      const since = waiting.currentVersion;
      // Only a hold's first poll leaves promised work alone: a woken poll claims as before (it may be
      // the one the work is promised to), and so does a poll without waitMs.
      const answer = await this.polls.pending(principal, callboxId, limit, waiting.promised);
      if (answer.transactions.length > 0 || client.gone()) return { answer };
      handedOn = true;
      return { held: this.hold(principal, callboxId, limit, performance.now() + holdMs, client, since, answer) };
    } finally {
      if (!handedOn) this.closeOne(callboxId);
    }
  }

  private closeOne(callboxId: string): void {
    const left = (this.openByBox.get(callboxId) ?? 1) - 1;
    if (left > 0) this.openByBox.set(callboxId, left);
    else this.openByBox.delete(callboxId);
  }

  private async hold(principal: Principal, callboxId: string, limit: number | undefined, deadline: number, client: HeldClient, since: number, answer: PollAnswer): Promise<PollAnswer> {
    const waiting = this.hub.polls;
    try {
      while (!client.gone()) {
        const heldFrom = performance.now();
        // A box that claims nothing new (silent, degraded, not `active`) is held too, woken by no
        // submit: answered at once, a long-polling box polls again at once, and a fleet whose
        // heartbeats the gateway fell behind with spins on its polls (measured: 654 silent boxes sent
        // 700 polls a second). Its deadline, or work the dispatcher assigns it, ends the wait.
        const wake = await waiting.wait({ callboxId, ...(answer.waitFor ?? CLAIMS_NOTHING), deadline }, since, client);
        client.held(performance.now() - heldFrom);
        if (wake.reason === 'shutdown' || wake.reason === 'gone') return answer;
        const woken = wake.reason === 'work' ? wake : undefined;
        try {
          if (client.gone()) {
            if (woken?.items) waiting.offer(woken.items, woken.tried);
            return answer;
          }
          since = waiting.currentVersion;
          answer = await this.pollWoken(principal, callboxId, limit, woken);
        } finally {
          waiting.release(woken?.reservation);
        }
        if (answer.transactions.length > 0 || wake.reason === 'deadline') return answer;
      }
      return answer;
    } finally {
      this.closeOne(callboxId);
    }
  }

  /** The poll of a woken hold, and what it passes on of the work it was woken for. */
  private async pollWoken(principal: Principal, callboxId: string, limit: number | undefined, woken: { items?: WorkItem[]; tried?: ReadonlySet<string> } | undefined) {
    const waiting = this.hub.polls;
    let answer: PollAnswer;
    try {
      answer = await this.polls.pending(principal, callboxId, limit);
    } catch (error) {
      // Its claim failed: what woke it is as pending as before, and promised to it no longer.
      if (woken?.items) waiting.offer(woken.items, woken.tried);
      throw error;
    }
    // Woken for more than it took: what its own limits kept it from claiming, or what it did not
    // reach because it claimed older work first, may go to the next waiting box; what another box
    // took (its claim found nothing left for it) wakes no one.
    const passOn = handOn(woken?.items, answer.claim, new Set(answer.transactions.map((tx) => tx.id)));
    if (passOn.length > 0) waiting.offer(passOn, woken?.tried);
    return answer;
  }
}
