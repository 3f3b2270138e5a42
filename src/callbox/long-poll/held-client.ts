import type { FastifyRequest } from 'fastify';

/** The client of a held poll: whether it is still there, and a way to hear when it leaves. */
export interface HeldClient {
  gone(): boolean;
  /** Calls `leave` when the client's connection closes; returns what stops listening. */
  onGone(leave: () => void): () => void;
}

/** The request's connection: a box that hung up (or whose network dropped it) is not answered, and claims nothing. */
export function heldClientOf(request: FastifyRequest): HeldClient {
  const socket = request.raw.socket;
  return {
    gone: () => socket.destroyed,
    onGone: (leave) => {
      socket.once('close', leave);
      return () => void socket.off('close', leave);
    },
  };
}
