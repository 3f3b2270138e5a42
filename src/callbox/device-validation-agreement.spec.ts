import 'reflect-metadata';
import fc from 'fast-check';
import { parse as parseQuery } from 'fast-querystring';
import sjson from 'secure-json-parse';
import { badRequests } from '../../test/reliability/support/bad-requests';
import { RequestValidationError } from '../common/errors/domain-error';
import { CompiledValidation } from '../common/validation/compiled-validation';
import { defineCompiledRule, DtoClass } from '../common/validation/dto-schema';
import { RequestValidationPipe } from '../common/validation/request-validation.pipe';
import { ConfigQueryDto } from './config/config.dto';
import { DEVICE_ROUTE_DTOS } from './device-dtos';
import { HeartbeatDto } from './registry/heartbeat.dto';
import { RegisterCallBoxDto } from './registry/registration.dto';
import { PendingQueryDto } from './transactions/pending-query.dto';
import { MAX_AMOUNT, SubmitTransactionDto } from './transactions/submit-transaction.dto';
import { UpdateStatusDto } from './transactions/update-status.dto';
import { deviceInputs, DeviceInput, edgeInputs, SPEC_EXAMPLES } from '../../test/support/device-validation-inputs';

/** The device routes' inputs, as the pipe receives them. */
const ROUTES: Record<string, { type: 'body' | 'query'; dto: DtoClass }> = {
  'POST /api/call-box/register': { type: 'body', dto: RegisterCallBoxDto },
  'POST /api/call-box/heartbeat': { type: 'body', dto: HeartbeatDto },
  'GET /api/call-box/transactions/pending': { type: 'query', dto: PendingQueryDto },
  'PUT /api/call-box/transactions/{transactionId}/status': { type: 'body', dto: UpdateStatusDto },
  'POST /api/call-box/transactions/submit': { type: 'body', dto: SubmitTransactionDto },
  'POST /api/transaction/to-callbox': { type: 'body', dto: SubmitTransactionDto },
  'GET /api/call-box/config': { type: 'query', dto: ConfigQueryDto },
};

/** The reliability suite's bad-input corpus, for the device routes, parsed as Fastify parses it. */
function corpusInputs(count: number): DeviceInput[] {
  const targets = { callboxToken: 't', apiKey: 'k', boxId: 'callbox_001', transactionIds: ['tx_1'] };
  const inputs: DeviceInput[] = [];
  for (const request of fc.sample(badRequests(targets), { numRuns: count, seed: 16 })) {
    const route = ROUTES[request.endpoint];
    if (!route) continue;
    if (route.type === 'query') {
      inputs.push({ dto: route.dto, type: 'query', value: parseQuery(request.path.split('?')[1] ?? ''), why: request.why });
      continue;
    }
    // Other content types, and bodies Fastify's parser refuses, never reach the pipe.
    if (request.body === undefined || request.headers['content-type'] !== 'application/json' || request.body.length > 64 * 1024) continue;
    try {
      const value = sjson.parse(request.body, { protoAction: 'error', constructorAction: 'error' });
      inputs.push({ dto: route.dto, type: 'body', value, why: request.why });
    } catch {
      // 400 before validation
    }
  }
  return inputs;
}

type Outcome = { accepted: true; value: unknown } | { accepted: false; fields: Record<string, string[]> };

async function outcome(pipe: RequestValidationPipe, input: DeviceInput): Promise<Outcome> {
  try {
    return { accepted: true, value: await pipe.transform(structuredClone(input.value), { type: input.type, metatype: input.dto }) };
  } catch (error) {
    if (error instanceof RequestValidationError) return { accepted: false, fields: error.fieldErrors };
    throw error;
  }
}

/** Refusals made before either validator runs (NUL characters, depth, a body that is not an object). */
const isPreCheck = (o: Outcome) =>
  !o.accepted && Object.values(o.fields).some((messages) => messages.some((m) => /NUL|trop profonde|doit être un objet/.test(m)));

/** Inputs the schema accepts and class-validator refuses (the direction that would let bad input in), and the reverse. */
async function disagreements(compiled: CompiledValidation, inputs: DeviceInput[]) {
  const classValidator = new RequestValidationPipe();
  const schemaOnly: DeviceInput[] = [];
  const classValidatorOnly: DeviceInput[] = [];
  for (const input of inputs) {
    const reference = await outcome(classValidator, input);
    if (isPreCheck(reference) || typeof input.value !== 'object' || input.value === null || Array.isArray(input.value)) continue;
    const schema = compiled.of(input.dto)!.accepts(structuredClone(input.value) as object);
    if (schema && !reference.accepted) schemaOnly.push(input);
    if (!schema && reference.accepted) classValidatorOnly.push(input);
  }
  return { schemaOnly, classValidatorOnly };
}

const show = (inputs: DeviceInput[]) => inputs.slice(0, 5).map((i) => `${i.dto.name} ${i.why}: ${JSON.stringify(i.value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))?.slice(0, 200)}`);

describe('Device validation: compiled schemas against class-validator', () => {
  const compiled = new CompiledValidation(DEVICE_ROUTE_DTOS);
  const inputs = [...SPEC_EXAMPLES, ...edgeInputs(), ...deviceInputs(2000), ...corpusInputs(4000)];

  it('covers every device DTO with accepted and refused inputs', async () => {
    const classValidator = new RequestValidationPipe();
    for (const dto of DEVICE_ROUTE_DTOS) {
      const own = inputs.filter((i) => i.dto === dto);
      const outcomes = await Promise.all(own.map((i) => outcome(classValidator, i)));
      expect({ dto: dto.name, accepted: outcomes.filter((o) => o.accepted).length > 50, refused: outcomes.filter((o) => !o.accepted).length > 50 }).toEqual({
        dto: dto.name,
        accepted: true,
        refused: true,
      });
    }
  });

  it('never accepts what class-validator refuses, and refuses only voucher submits without an amount that it accepts', async () => {
    const { schemaOnly, classValidatorOnly } = await disagreements(compiled, inputs);
    expect(show(schemaOnly)).toEqual([]);
    // The one rule the schema states more strictly: ValidateIf (amount optional for a voucher).
    const unexplained = classValidatorOnly.filter((i) => !(i.dto === SubmitTransactionDto && (i.value as { type?: unknown; amount?: unknown }).type === 'voucher'));
    expect(show(unexplained)).toEqual([]);
  });

  it('hands the controller what class-validator and class-transformer hand it, and refuses with the same fields and messages', async () => {
    const before = new RequestValidationPipe();
    const after = new RequestValidationPipe(DEVICE_ROUTE_DTOS);
    const differences: string[] = [];
    let accepted = 0;
    for (const input of inputs) {
      const [expected, actual] = [await outcome(before, input), await outcome(after, input)];
      if (expected.accepted) accepted++;
      try {
        // Same classes (nested included), same fields, same values: numbers from the query string too.
        expect(actual).toStrictEqual(expected);
      } catch {
        differences.push(`${input.dto.name} ${input.why}: ${JSON.stringify(input.value)?.slice(0, 200)}`);
      }
    }
    expect(differences.slice(0, 5)).toEqual([]);
    expect(accepted).toBeGreaterThan(1000);
  });

  it('types a poll query as class-transformer does: digits become numbers, anything else is refused as before', async () => {
    const sut = new RequestValidationPipe(DEVICE_ROUTE_DTOS);
    const query = await sut.transform({ callboxId: 'callbox_001', limit: '5', waitMs: '20000', other: 'x' }, { type: 'query', metatype: PendingQueryDto });
    expect(query).toBeInstanceOf(PendingQueryDto);
    expect({ ...(query as object) }).toEqual({ callboxId: 'callbox_001', limit: 5, waitMs: 20000 });
    await expect(sut.transform({ callboxId: 'callbox_001', limit: '1e2' }, { type: 'query', metatype: PendingQueryDto })).rejects.toMatchObject({
      fieldErrors: { limit: ['limit must be a whole number from 1 to 100'] },
    });
  });

  it('finds a rule changed on the schema side only (a custom rule declared looser than its check)', async () => {
    defineCompiledRule('isAmount', { type: 'integer', minimum: 1, maximum: MAX_AMOUNT + 1 });
    try {
      const loose = new CompiledValidation(DEVICE_ROUTE_DTOS);
      const { schemaOnly } = await disagreements(loose, inputs);
      expect(schemaOnly.length).toBeGreaterThan(0);
      expect(schemaOnly.every((i) => i.dto === SubmitTransactionDto && (i.value as { amount: unknown }).amount === MAX_AMOUNT + 1)).toBe(true);
    } finally {
      defineCompiledRule('isAmount', { type: 'integer', minimum: 1, maximum: MAX_AMOUNT });
    }
  });
});
