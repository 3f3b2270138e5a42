import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorFamilies } from '../../common/http/error-families';
import { HeldReplies } from './held-reply';

/** A hijackable reply over a raw response that records what is written. */
function fakeReply(options: { destroyed?: boolean; serialize?: (body: unknown) => string } = {}) {
  const raw = {
    headersSent: false,
    destroyed: options.destroyed ?? false,
    writeHead: jest.fn(),
    end: jest.fn(),
    destroy: jest.fn(),
  };
  const reply = {
    raw,
    request: { id: 'req-1' },
    server: {},
    hijack: jest.fn(),
    code: jest.fn(),
    serialize: options.serialize ?? ((body: unknown) => JSON.stringify(body)),
    getHeaders: () => ({ 'x-request-id': 'req-1' }),
    hasHeader: () => false,
    header: jest.fn(),
  };
  return { reply: reply as unknown as FastifyReply, raw, hijack: reply.hijack };
}

const request = { id: 'req-1', method: 'GET', url: '/api/call-box/transactions/pending?callboxId=a&waitMs=1', routeOptions: { url: '/api/call-box/transactions/pending' } } as unknown as FastifyRequest;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(HeldReplies.name, () => {
  let unhandled: unknown[];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    jest.restoreAllMocks();
  });

  it('takes the reply from Fastify at once and writes the answer when the hold ends, with its length and the headers set so far', async () => {
    const { reply, raw, hijack } = fakeReply();
    let end!: (body: unknown) => void;
    new HeldReplies(new ErrorFamilies()).answerLater(request, reply, new Promise((resolve) => (end = resolve)));
    expect(hijack).toHaveBeenCalledTimes(1);
    expect(raw.writeHead).not.toHaveBeenCalled();

    end({ success: true, transactions: [] });
    await settle();
    const payload = JSON.stringify({ success: true, transactions: [] });
    expect(raw.writeHead).toHaveBeenCalledWith(200, { 'x-request-id': 'req-1', 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
    expect(raw.end).toHaveBeenCalledWith(payload);
  });

  it('a client gone meanwhile is written nothing', async () => {
    const { reply, raw } = fakeReply({ destroyed: true });
    new HeldReplies(new ErrorFamilies()).answerLater(request, reply, Promise.resolve({ success: true }));
    await settle();
    expect(raw.writeHead).not.toHaveBeenCalled();
    expect(raw.end).not.toHaveBeenCalled();
  });

  it('an answer that cannot be written is answered as a poll answered at once would be: a 500 in the CallBox body, logged, never an unhandled rejection (which stops the process)', async () => {
    const { reply, raw } = fakeReply({ serialize: () => { throw new TypeError('Do not know how to serialize a BigInt'); } });
    new HeldReplies(new ErrorFamilies()).answerLater(request, reply, Promise.resolve({ success: true }));
    await settle();
    expect(raw.writeHead).toHaveBeenCalledWith(500, expect.objectContaining({ 'x-request-id': 'req-1', 'content-type': 'application/json; charset=utf-8' }));
    const body = JSON.parse(raw.end.mock.calls[0][0] as string) as Record<string, unknown>;
    expect(body).toMatchObject({ success: false, code: 'INTERNAL' });
    expect(JSON.stringify(body)).not.toContain('BigInt');
    expect(raw.destroy).not.toHaveBeenCalled();
    expect(Logger.prototype.error).toHaveBeenCalled();
    expect(unhandled).toEqual([]);
  });

  it('an error whose rendering fails too closes the connection, never an unhandled rejection', async () => {
    const families = new ErrorFamilies();
    jest.spyOn(families, 'rendererFor').mockImplementation(() => {
      throw new Error('renderer broken');
    });
    const { reply, raw } = fakeReply();
    new HeldReplies(families).answerLater(request, reply, Promise.reject(new Error('claim failed')));
    await settle();
    expect(raw.destroy).toHaveBeenCalledTimes(1);
    expect(raw.writeHead).not.toHaveBeenCalled();
    expect(unhandled).toEqual([]);
  });
});
