import type { IncomingMessage } from 'node:http';
import { randomRequestId, requestIdFor } from './request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function requestWith(headers: Record<string, string | string[]> = {}): IncomingMessage & { id?: string } {
  return { headers } as unknown as IncomingMessage & { id?: string };
}

describe(requestIdFor.name, () => {
  it('keeps a sane X-Request-ID from the caller and stores it on the request', () => {
    const request = requestWith({ 'x-request-id': 'abc-123.def:4_5' });
    expect(requestIdFor(request)).toBe('abc-123.def:4_5');
    expect(request.id).toBe('abc-123.def:4_5');
  });

  it.each([['with space'], ['x'.repeat(129)], [''], ['<script>']])('makes its own id for an unsafe offered one (%j)', (offered) => {
    const request = requestWith({ 'x-request-id': offered });
    const id = requestIdFor(request);
    expect(id).toMatch(UUID_V4);
    expect(request.id).toBe(id);
  });

  it('makes its own id when none or several are offered', () => {
    expect(requestIdFor(requestWith())).toMatch(UUID_V4);
    expect(requestIdFor(requestWith({ 'x-request-id': ['a', 'b'] }))).toMatch(UUID_V4);
  });
});

describe(randomRequestId.name, () => {
  it('makes version 4 UUIDs, all different, across many refills of its entropy', () => {
    const ids = Array.from({ length: 1_000 }, () => randomRequestId());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses every hex digit in the random positions (no byte written twice or skipped)', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2_000; i++) [...randomRequestId()].forEach((c, at) => seen[at].add(c));
    const fixed = new Map([[8, 1], [13, 1], [14, 1], [18, 1], [19, 4], [23, 1]]);
    seen.forEach((chars, at) => expect([at, chars.size]).toEqual([at, fixed.get(at) ?? 16]));
  });
});
