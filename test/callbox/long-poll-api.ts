import { request } from 'node:http';
import type { TestApp } from '../support/test-app';
import { TEST_CALLBOX_TOKEN } from '../support/test-app';
import { LongPollHub } from '../../src/callbox/long-poll/long-poll-hub';

export const longPollPath = (callboxId: string, waitMs: number | string, limit?: number) =>
  `/api/call-box/transactions/pending?callboxId=${encodeURIComponent(callboxId)}&waitMs=${encodeURIComponent(String(waitMs))}` +
  (limit === undefined ? '' : `&limit=${limit}`);

export interface HeldPoll {
  callboxId: string;
  /** Resolves with the answer (status and body), or with null if the connection was dropped. */
  answer: Promise<{ status: number; body: any; at: number } | null>;
  /** Whether it has been answered yet. */
  settled(): boolean;
  /** Drops the connection, as a box losing its network mid-wait. */
  drop(): void;
}

/** A long poll on a connection of its own (no keep-alive pool), so the spec can cut it. */
export function holdPoll(t: TestApp, callboxId: string, waitMs: number, limit?: number): HeldPoll {
  let done = false;
  let outgoing: ReturnType<typeof request>;
  const answer = new Promise<{ status: number; body: any; at: number } | null>((resolve) => {
    outgoing = request(`${t.api.baseUrl}${longPollPath(callboxId, waitMs, limit)}`, {
      agent: false,
      headers: { authorization: `Bearer ${TEST_CALLBOX_TOKEN}` },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        done = true;
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text), at: Date.now() });
      });
      response.on('error', () => resolve(null));
    });
    outgoing.on('error', () => {
      done = true;
      resolve(null);
    });
    outgoing.end();
  });
  return { callboxId, answer, settled: () => done, drop: () => outgoing.destroy() };
}

/** The polls held on this app right now. */
export const heldCount = (t: TestApp) => t.app.get(LongPollHub).polls.size;

/** Waits (up to `ms`) until `done()`; a loaded machine gets time, never a fixed sleep. */
export async function until(done: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Until this app holds `count` polls. */
export const untilHeld = (t: TestApp, count: number) => until(() => heldCount(t) === count, 15_000, `${count} held poll(s)`);
