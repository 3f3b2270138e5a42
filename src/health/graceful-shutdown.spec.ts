import type { FastifyInstance } from 'fastify';
import { InFlightRequests, isDraining } from './graceful-shutdown';

type Hook = (...args: unknown[]) => void;

/** The hooks InFlightRequests adds, on a stand-in for Fastify whose server counts its walks over the connections. */
function fakeFastify() {
  const hooks = new Map<string, Hook>();
  const server = { closeIdleConnections: jest.fn() };
  const fastify = {
    addHook: (name: string, hook: Hook) => hooks.set(name, hook),
    decorate: (name: string | symbol, value: unknown) => void Object.assign(fastify, { [name]: value }),
    server,
  } as unknown as FastifyInstance;
  const answer = () => hooks.get('onResponse')!({}, {}, () => undefined);
  return { fastify, server, answer };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe(InFlightRequests.name, () => {
  it('closes the idle connections once per turn while draining, however many answers it sent', async () => {
    const { fastify, server, answer } = fakeFastify();
    const inFlight = new InFlightRequests();
    inFlight.register(fastify);
    inFlight.draining = true;

    for (let i = 0; i < 10_000; i++) answer();
    await nextTurn();
    expect(server.closeIdleConnections).toHaveBeenCalledTimes(1);

    answer();
    await nextTurn();
    expect(server.closeIdleConnections).toHaveBeenCalledTimes(2);
    expect(inFlight.answered).toBe(10_001);
  });

  it('leaves the connections alone while not draining', async () => {
    const { fastify, server, answer } = fakeFastify();
    new InFlightRequests().register(fastify);
    answer();
    await nextTurn();
    expect(server.closeIdleConnections).not.toHaveBeenCalled();
  });

  it('tells whether the server drains, for answers written outside Fastify (held long polls)', () => {
    const { fastify } = fakeFastify();
    expect(isDraining(fastify)).toBe(false);
    const inFlight = new InFlightRequests();
    inFlight.register(fastify);
    expect(isDraining(fastify)).toBe(false);
    inFlight.draining = true;
    expect(isDraining(fastify)).toBe(true);
  });
});
