import fc from 'fast-check';
import type { DtoClass } from '../../src/common/validation/dto-schema';
import { PRIORITIES, TRANSACTION_TYPES } from '../../src/transactions/transaction';
import { ConfigQueryDto } from '../../src/callbox/config/config.dto';
import { HeartbeatDto } from '../../src/callbox/registry/heartbeat.dto';
import { RegisterCallBoxDto } from '../../src/callbox/registry/registration.dto';
import { PendingQueryDto } from '../../src/callbox/transactions/pending-query.dto';
import { E164_PATTERN, MAX_AMOUNT, PAY_ITEM_ID_PATTERN, SubmitTransactionDto } from '../../src/callbox/transactions/submit-transaction.dto';
import { SPEC_STATUSES, UpdateStatusDto } from '../../src/callbox/transactions/update-status.dto';
import { CALLBOX_ID_PATTERN } from '../../src/common/validation/validators';

// Inputs for the agreement spec (device-validation-agreement.spec.ts): the spec's examples, valid
// random inputs, and every rule's edges (bounds, lengths counted in code points or with variation
// selectors, non-finite numbers, null, wrong types), mixed into otherwise valid inputs.

export interface DeviceInput {
  dto: DtoClass;
  type: 'body' | 'query';
  value: unknown;
  why: string;
}

/** The examples of the CallBox integration guide. */
export const SPEC_EXAMPLES: DeviceInput[] = [
  {
    dto: RegisterCallBoxDto,
    type: 'body',
    why: 'spec example',
    value: { callboxId: 'callbox_001', capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge', 'voucher', 'deposit', 'withdraw'] }, version: '1.0.0', location: 'Douala Centre' },
  },
  {
    dto: HeartbeatDto,
    type: 'body',
    why: 'spec example',
    value: { callboxId: 'callbox_001', status: 'active', queueSize: 3, metrics: { uptime: 86400, memoryUsage: 45.2, processedTransactions: 152 } },
  },
  { dto: PendingQueryDto, type: 'query', why: 'spec example', value: { callboxId: 'callbox_001', limit: '5' } },
  {
    dto: SubmitTransactionDto,
    type: 'body',
    why: 'spec example',
    value: { type: 'recharge', phoneNumber: '+237677123456', amount: 1000, payItemId: 'MTN_RECHARGE_1000', customerInfo: { name: 'Jean Dupont', operator: 'MTN' }, priority: 'normal' },
  },
  {
    dto: UpdateStatusDto,
    type: 'body',
    why: 'spec example',
    value: { status: 'completed', callboxId: 'callbox_001', result: { success: true, transactionRef: 'MTN123456789', balance: 2500, message: 'Recharge effectuée avec succès' } },
  },
  { dto: ConfigQueryDto, type: 'query', why: 'spec example', value: { callboxId: 'callbox_001' } },
];

const lengths = [1, 32, 64, 100, 200, 500];
const EDGE_STRINGS = [
  ...['', 'a', '\uFE0F', 'a\uFE0F', 'é', 'e\u0301', '🙂', '\ud800', 'callbox_001\n', ' 5', '5 ', '0x10', '1e2', '5.5', '-1', '0', '00005'],
  ...['1', '100', '101', '10000', '20000', '25000', '25001', '999999', 'active', 'busy_1', 'Active', 'recharge', 'voucher', 'RECHARGE', 'high'],
  ...['completed', 'needs_review', 'MTN', '+237677123456', '+1234567', '+0237677123', 'MTN_RECHARGE_1000', 'callbox_001'],
  ...lengths.flatMap((n) => ['x'.repeat(n), 'x'.repeat(n + 1), 'x'.repeat(n) + '\uFE0F', 'x'.repeat(n - 1) + 'a\uFE0F', '🙂'.repeat(n), '🙂'.repeat(n + 1)]),
];
const EDGE_NUMBERS = [-1, 0, -0, 0.5, 1, 1.5, 5, 100, 101, 1000, 25_000, 25_001, 100_000, 100_001, 1_000_000, 1_000_001, MAX_AMOUNT, MAX_AMOUNT + 1];
const EDGE_OTHERS = [1e308, -1e308, 2 ** 53 + 2, Infinity, -Infinity, NaN, null, true, false, [], {}, ['recharge'], ['recharge', 'recharge'], [1], [{}], { 0: 'x' }];
const edge = fc.oneof(fc.constantFrom(...EDGE_STRINGS), fc.constantFrom(...EDGE_NUMBERS), fc.constantFrom(...EDGE_OTHERS));

type Fields = Record<string, fc.Arbitrary<unknown>>;

/** Each field valid, an edge value, or absent; sometimes an unknown field beside them. */
function object(fields: Fields, edges: fc.Arbitrary<unknown> = edge): fc.Arbitrary<Record<string, unknown>> {
  const slot = (valid: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: edges }, { weight: 1, arbitrary: fc.constant(undefined) });
  const record = fc.record(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, slot(v)])));
  const extra = fc.option(fc.dictionary(fc.constantFrom('extra', 'admin', 'id', 'status_'), edges, { maxKeys: 2 }), { nil: undefined, freq: 3 });
  return fc.tuple(record, extra).map(([value, more]) => {
    const out: Record<string, unknown> = { ...more };
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
    return out;
  });
}

const text = (max: number, min = 0) => fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.fullUnicodeString({ minLength: min, maxLength: max }));
const callboxId = fc.stringMatching(CALLBOX_ID_PATTERN);
const number = fc.double({ noNaN: true, noDefaultInfinity: true });

const bodies: Array<[DtoClass, fc.Arbitrary<Record<string, unknown>>]> = [
  [
    RegisterCallBoxDto,
    object({
      callboxId,
      capabilities: object({
        maxConcurrentTransactions: fc.integer({ min: 1, max: 100 }),
        supportedTypes: fc.subarray([...TRANSACTION_TYPES], { minLength: 1 }),
        operators: fc.array(text(64, 1), { maxLength: 20 }),
      }),
      version: text(32),
      location: text(200),
    }),
  ],
  [
    HeartbeatDto,
    object({
      callboxId,
      status: fc.stringMatching(/^[a-z_]{1,32}$/),
      queueSize: fc.integer({ min: 0, max: 100_000 }),
      metrics: object({ uptime: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), memoryUsage: fc.double({ min: 0, max: 100, noNaN: true }), processedTransactions: fc.nat() }),
    }),
  ],
  [
    UpdateStatusDto,
    object({
      status: fc.constantFrom(...SPEC_STATUSES),
      callboxId,
      attempt: fc.integer({ min: 1, max: 1_000_000 }),
      result: object({ success: fc.boolean(), transactionRef: text(100), balance: number, message: text(500), errorCode: text(64) }),
    }),
  ],
  [
    SubmitTransactionDto,
    object({
      type: fc.constantFrom(...TRANSACTION_TYPES),
      phoneNumber: fc.stringMatching(E164_PATTERN),
      amount: fc.integer({ min: 1, max: MAX_AMOUNT }),
      payItemId: fc.stringMatching(PAY_ITEM_ID_PATTERN),
      customerInfo: object({ name: text(200, 1), operator: text(64, 1) }),
      priority: fc.constantFrom(...PRIORITIES),
      callboxId,
    }),
  ],
];

/** Query strings arrive as strings, or arrays of strings when repeated. */
const queryEdge = fc.oneof(fc.constantFrom(...EDGE_STRINGS), fc.array(fc.constantFrom('5', 'callbox_001', ''), { minLength: 2, maxLength: 2 }));
const queries: Array<[DtoClass, fc.Arbitrary<Record<string, unknown>>]> = [
  [
    PendingQueryDto,
    object(
      { callboxId, limit: fc.integer({ min: 1, max: 100 }).map(String), waitMs: fc.integer({ min: 0, max: 25_000 }).map(String) },
      queryEdge,
    ),
  ],
  [ConfigQueryDto, object({ callboxId }, queryEdge)],
];

/** About `count` inputs over every device DTO, reproducible. */
export function deviceInputs(count: number): DeviceInput[] {
  const all = fc.oneof(
    ...bodies.map(([dto, arbitrary]) => arbitrary.map((value): DeviceInput => ({ dto, type: 'body', value, why: 'generated' }))),
    ...queries.map(([dto, arbitrary]) => arbitrary.map((value): DeviceInput => ({ dto, type: 'query', value, why: 'generated' }))),
  );
  return fc.sample(all, { numRuns: count, seed: 42 });
}

/** The examples with every optional field given, so each field has a valid neighbourhood to vary in. */
const FULL_EXAMPLES: DeviceInput[] = SPEC_EXAMPLES.map((example) => {
  const extra: Record<string, Record<string, unknown>> = {
    RegisterCallBoxDto: { capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge'], operators: ['MTN', 'Orange'] } },
    PendingQueryDto: { waitMs: '20000' },
    SubmitTransactionDto: { callboxId: 'callbox_001' },
    UpdateStatusDto: { attempt: 1, result: { success: false, errorCode: 'USSD_TIMEOUT', message: 'x', transactionRef: 'r', balance: 0 } },
  };
  return { ...example, value: { ...(example.value as object), ...extra[example.dto.name] }, why: 'full example' };
});

/**
 * Every field of every example, top level and nested, set to every edge value (or removed), the
 * rest valid: each rule's bounds are crossed one at a time, where a looser schema would show.
 */
export function edgeInputs(): DeviceInput[] {
  const inputs: DeviceInput[] = [];
  const bodyEdges = [...EDGE_STRINGS, ...EDGE_NUMBERS, ...EDGE_OTHERS, undefined];
  const queryEdges = [...EDGE_STRINGS, ['5', '5'], ['callbox_001', 'callbox_002'], undefined];
  for (const example of FULL_EXAMPLES) {
    const edges = example.type === 'query' ? queryEdges : bodyEdges;
    const root = example.value as Record<string, unknown>;
    const paths = Object.entries(root).flatMap(([key, value]) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) ? [[key], ...Object.keys(value).map((k) => [key, k])] : [[key]],
    );
    for (const path of paths) {
      for (const value of edges) {
        const copy = structuredClone(root);
        const parent = (path.length === 2 ? copy[path[0]] : copy) as Record<string, unknown>;
        if (value === undefined) delete parent[path[path.length - 1]];
        else parent[path[path.length - 1]] = value;
        inputs.push({ ...example, value: copy, why: `${path.join('.')} = ${JSON.stringify(value) ?? 'absent'}` });
      }
    }
  }
  return inputs;
}
