import Ajv, { ValidateFunction } from 'ajv';
import { TransformationType } from 'class-transformer';
import isLength from 'validator/lib/isLength';
import { deriveDto, DtoClass, DtoPlan, JsonSchema } from './dto-schema';

/**
 * ajv as class-validator would judge: no coercion, no defaults, NaN and Infinity are not numbers
 * (JSON.parse makes 1e400 Infinity, which class-validator's IsInt refuses), patterns compiled as
 * the DTOs' own RegExp are (no `u` flag). Lengths are counted by validator.js's isLength, the
 * function class-validator calls (a variation selector counts for nothing there, one in JSON Schema).
 */
function createAjv(): Ajv {
  const ajv = new Ajv({ strictNumbers: true, unicodeRegExp: false, strictTypes: false, strictRequired: false, allErrors: false, coerceTypes: false, useDefaults: false });
  ajv.addKeyword({
    keyword: 'validatorLength',
    type: 'string',
    schemaType: 'array',
    compile: ([min, max]: [number, number | undefined]) => (value: string) => isLength(value, { min, max }),
  });
  return ajv;
}

/** One DTO's compiled check and builder. */
export class CompiledDto {
  readonly schema: JsonSchema;
  private readonly plan: DtoPlan;
  private readonly check: ValidateFunction;

  constructor(ajv: Ajv, cls: DtoClass) {
    const derived = deriveDto(cls);
    this.schema = derived.schema;
    this.plan = derived.plan;
    this.check = ajv.compile(derived.schema);
  }

  /**
   * The instance class-transformer and class-validator would hand the controller (same class,
   * same fields, @Transform applied, unknown fields left out), or undefined when the schema
   * refuses it: class-validator then decides, and words the refusal.
   */
  accept(value: object): object | undefined {
    const built = build(this.plan, value);
    return this.check(built) ? built : undefined;
  }

  /** The schema's verdict alone (the agreement spec compares it with class-validator's). */
  accepts(value: object): boolean {
    return this.check(build(this.plan, value));
  }
}

function build(plan: DtoPlan, value: object): object {
  const source = value as Record<string, unknown>;
  const instance = new plan.cls() as Record<string, unknown>;
  for (const { key, transforms, nested } of plan.properties) {
    if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
    let field = source[key];
    for (const transform of transforms) field = transform({ value: field, key, obj: source, type: TransformationType.PLAIN_TO_CLASS, options: {} });
    if (nested && field !== null && typeof field === 'object' && !Array.isArray(field)) field = build(nested, field);
    instance[key] = field;
  }
  return instance;
}

/** The compiled DTOs of the routes that take them, by class. */
export class CompiledValidation {
  private readonly byClass = new Map<Function, CompiledDto>();

  constructor(classes: readonly DtoClass[]) {
    const ajv = createAjv();
    for (const cls of classes) this.byClass.set(cls, new CompiledDto(ajv, cls));
  }

  of(cls: Function | undefined): CompiledDto | undefined {
    return cls ? this.byClass.get(cls) : undefined;
  }
}
