import type { FastifyRequest } from 'fastify';

/** The client of a held poll: whether it is still there, and a way to hear when it leaves. */
export interface HeldClient {
  gone(): boolean;
  /** Calls `leave` when the client's connection closes; returns what stops listening. */
  onGone(leave: () => void): () => void;
  /** Adds time the request spent held (waiting for work), which its latency metric leaves out. */
  held(ms: number): void;
}

const HELD_MS = Symbol('longPollHeldMs');
type WithHeldTime = { [HELD_MS]?: number };

/** How long this request was held by long polling (0 for any other): a held poll is not a slow one. */
export function heldMsOf(request: FastifyRequest): number {
  return (request as unknown as WithHeldTime)[HELD_MS] ?? 0;
}

/** The request's connection: a box that hung up (or whose network dropped it) is not answered, and claims nothing. */
export function heldClientOf(request: FastifyRequest): HeldClient {
  return new HeldRequest(request);
}

/** A class, not three closures: one object per held poll, 10 000 of them at a full fleet. */
class HeldRequest implements HeldClient {
  constructor(private readonly request: FastifyRequest) {}

  gone(): boolean {
    return this.request.raw.socket.destroyed;
  }

  onGone(leave: () => void): () => void {
    const socket = this.request.raw.socket;
    socket.once('close', leave);
    return () => void socket.off('close', leave);
  }

  held(ms: number): void {
    const timed = this.request as unknown as WithHeldTime;
    timed[HELD_MS] = (timed[HELD_MS] ?? 0) + ms;
  }
}
