import { RequestValidationError } from '../errors/domain-error';
import { MAX_INPUT_DEPTH, RequestValidationPipe } from './request-validation.pipe';

/** The walk the pipe used before it was made allocation-free: the reference its answers must match. */
function referenceNulField(value: unknown, root: string): string | null {
  const pending: Array<[unknown, string, number]> = [[value, root, 0]];
  while (pending.length > 0) {
    const [current, path, depth] = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return path;
      continue;
    }
    if (current === null || typeof current !== 'object' || depth > MAX_INPUT_DEPTH) continue;
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\u0000')) return path;
      pending.push([child, path === 'body' || path === 'query' || path === 'param' ? key : `${path}.${key}`, depth + 1]);
    }
  }
  return null;
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A DTO with no rules: what the pipe checks before any DTO's own rules. */
class AnyDto {}

async function refusal(pipe: RequestValidationPipe, value: unknown, type: 'body' | 'query' | 'param', data?: string): Promise<Record<string, string[]> | null> {
  try {
    await pipe.transform(value, { type, data, metatype: AnyDto });
    return null;
  } catch (error) {
    if (error instanceof RequestValidationError) return error.fieldErrors;
    throw error;
  }
}

describe(RequestValidationPipe.name, () => {
  const pipe = new RequestValidationPipe();
  const NUL = ['Le caractère NUL (\\u0000) est interdit'];

  const corpus: Array<[string, unknown, 'body' | 'query' | 'param', string | undefined]> = [
    ['a top-level field', { callboxId: 'box\u0000' }, 'body', undefined],
    ['a nested field', { capabilities: { operators: ['MTN', 'OR\u0000ANGE'] } }, 'body', undefined],
    ['two fields: the same one named', { a: 'x\u0000', b: { c: 'y\u0000' }, d: ['z\u0000'] }, 'body', undefined],
    ['a key', { ['ke\u0000y']: 1, other: 'fine' }, 'body', undefined],
    ['a nested key and a later value', { outer: { ['k\u0000']: 1 }, later: 'v\u0000' }, 'body', undefined],
    ['a nested field named body', { body: { x: 'a\u0000' } }, 'body', undefined],
    ['a named query parameter', 'box\u0000', 'query', 'callboxId'],
    ['an object under a named parameter', { a: { b: 'x\u0000' } }, 'param', 'id'],
    ['deeper than the limit (not looked at)', nested(MAX_INPUT_DEPTH + 2, 'x\u0000'), 'body', undefined],
    ['at the limit', nested(MAX_INPUT_DEPTH, 'x\u0000'), 'body', undefined],
    ['none', { callboxId: 'callbox_001', metrics: { signal: -70 }, list: ['a', 'b'] }, 'body', undefined],
  ];

  it.each(corpus)('names the field the previous walk named: %s', async (...[, value, type, data]) => {
    const expected = referenceNulField(value, data ?? type);
    const fields = await refusal(pipe, value, type, data);
    if (expected === null) {
      // Nothing refused for a NUL (whatever else the pipe says about the value).
      expect(fields === null || !Object.values(fields).some((messages) => messages.includes(NUL[0]))).toBe(true);
    } else {
      expect(fields).toEqual({ [expected]: NUL });
    }
  });

  it('refuses a body nested deeper than the limit, and accepts one at it', async () => {
    const tooDeep = { body: [`Structure trop profonde (${MAX_INPUT_DEPTH} niveaux au plus)`] };
    expect(await refusal(pipe, nested(MAX_INPUT_DEPTH + 1, 1), 'body')).toEqual(tooDeep);
    // At the limit the value goes on to the DTO's own rules (AnyDto has none: an "unknown value").
    expect(await refusal(pipe, nested(MAX_INPUT_DEPTH, 1), 'body')).not.toEqual(tooDeep);
    const arrays = JSON.parse('['.repeat(MAX_INPUT_DEPTH + 1) + ']'.repeat(MAX_INPUT_DEPTH + 1));
    expect(await refusal(pipe, { list: arrays }, 'body')).toEqual(tooDeep);
  });
});
