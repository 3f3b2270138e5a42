import type { TransformFnParams } from 'class-transformer';
import { TransformationType } from 'class-transformer';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

// class-transformer keeps its decorators' metadata here; its package exports no accessor.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerStorage = require('class-transformer/cjs/storage').defaultMetadataStorage as {
  findTransformMetadatas(target: Function, property: string, type: TransformationType): Array<{ transformFn: (params: TransformFnParams) => unknown; options?: { groups?: string[]; since?: number; until?: number } }>;
  findTypeMetadata(target: Function, property: string): { typeFunction: () => Function; options?: object } | undefined;
  getExposedMetadatas(target: Function): unknown[];
  getExcludedMetadatas(target: Function): unknown[];
};

export type JsonSchema = Record<string, unknown>;
export type DtoClass = new () => object;

/** How to build what class-transformer would give the controller, from a plain value. */
export interface DtoPlan {
  cls: DtoClass;
  properties: Array<{ key: string; transforms: Array<(params: TransformFnParams) => unknown>; nested?: DtoPlan }>;
}

/** Schemas of custom class-validator rules (ValidateBy names), declared beside the rule. */
const customRules = new Map<string, JsonSchema>();

/**
 * Declares the JSON schema of a custom rule (a `ValidateBy` name): it must accept nothing the rule
 * refuses. The agreement spec (device-validation-agreement.spec.ts) runs both on the same inputs.
 */
export function defineCompiledRule(name: string, schema: JsonSchema): void {
  customRules.set(name, schema);
}

/** What a DTO class's decorators say, as a JSON schema for ajv and a plan for building the instance. */
export interface DerivedDto {
  schema: JsonSchema;
  plan: DtoPlan;
}

/**
 * Derives a JSON schema from a DTO's class-validator rules (and class-transformer's @Type and
 * @Transform), so the classes stay the single source. The schema never accepts what class-validator
 * refuses: where a rule cannot be said exactly (a ValidateIf condition, a rule applied to each
 * element), it says something stricter, and a request it refuses goes to class-validator, which
 * decides and words the refusal. A decorator it does not know fails at boot.
 */
export function deriveDto(cls: DtoClass, path = cls.name): DerivedDto {
  if (transformerStorage.getExposedMetadatas(cls).length > 0 || transformerStorage.getExcludedMetadatas(cls).length > 0) {
    throw unsupported(path, '@Expose/@Exclude');
  }
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(cls, '', false, false, undefined));
  const properties: JsonSchema = {};
  const required: string[] = [];
  const plan: DtoPlan = { cls, properties: [] };
  for (const [key, metadatas] of Object.entries(grouped)) {
    const where = `${path}.${key}`;
    let optional = false;
    const fragments: JsonSchema[] = [];
    let nested: DerivedDto | undefined;
    for (const metadata of metadatas) {
      if (metadata.groups?.length || metadata.always) throw unsupported(where, `groups or always on ${metadata.name ?? metadata.type}`);
      switch (metadata.type) {
        case ValidationTypes.CONDITIONAL_VALIDATION:
          // IsOptional: absent or null skips every rule. Any other ValidateIf is left out, so its
          // rules apply always: stricter than class-validator, which decides when the schema refuses.
          if (metadata.name === 'isOptional') optional = true;
          break;
        case ValidationTypes.IS_DEFINED:
          fragments.push({ not: { type: 'null' } });
          break;
        case ValidationTypes.NESTED_VALIDATION: {
          if (metadata.each) throw unsupported(where, 'ValidateNested({ each: true })');
          const type = transformerStorage.findTypeMetadata(cls, key);
          if (!type) throw unsupported(where, 'ValidateNested without @Type');
          nested = deriveDto(type.typeFunction() as DtoClass, where);
          fragments.push(nested.schema);
          break;
        }
        case ValidationTypes.CUSTOM_VALIDATION:
          fragments.push(each(metadata, ruleSchema(metadata, where)));
          break;
        default:
          throw unsupported(where, metadata.type);
      }
    }
    if (!nested && transformerStorage.findTypeMetadata(cls, key)) throw unsupported(where, '@Type on a value that is not nested');
    const transforms = transformerStorage
      .findTransformMetadatas(cls, key, TransformationType.PLAIN_TO_CLASS)
      .map((metadata) => {
        const options = metadata.options;
        if (options?.groups?.length || options?.since !== undefined || options?.until !== undefined) throw unsupported(where, '@Transform with groups or versions');
        return metadata.transformFn;
      });
    if (nested && transforms.length > 0) throw unsupported(where, '@Transform on a nested value');
    const schema = fragments.length === 1 ? fragments[0] : { allOf: fragments };
    properties[key] = optional ? { anyOf: [{ type: 'null' }, schema] } : schema;
    // Required unless IsOptional: a rule-less absent value is refused here, judged by class-validator.
    if (!optional) required.push(key);
    plan.properties.push({ key, transforms, nested: nested?.plan });
  }
  return { schema: { type: 'object', properties, required }, plan };
}

function each(metadata: ValidationMetadata, schema: JsonSchema): JsonSchema {
  // class-validator applies an `each` rule to every element of an array (and to a non-array as a
  // whole); only arrays pass here.
  return metadata.each ? { type: 'array', items: schema } : schema;
}

/** class-validator's built-in rules, each as a schema accepting exactly (or less than) what it accepts. */
function ruleSchema(metadata: ValidationMetadata, where: string): JsonSchema {
  const c = metadata.constraints ?? [];
  switch (metadata.name) {
    case 'isString':
      return { type: 'string' };
    case 'matches': {
      const [pattern, modifiers] = c as [RegExp | string, string | undefined];
      const flags = pattern instanceof RegExp ? pattern.flags : (modifiers ?? '');
      if (flags !== '') throw unsupported(where, `Matches with flags ${flags}`);
      return { type: 'string', pattern: pattern instanceof RegExp ? pattern.source : pattern };
    }
    case 'isLength':
      return { type: 'string', validatorLength: [c[0], c[1]] };
    case 'maxLength':
      return { type: 'string', validatorLength: [0, c[0]] };
    case 'minLength':
      return { type: 'string', validatorLength: [c[0]] };
    case 'isInt':
      return { type: 'integer' };
    case 'isNumber': {
      const options = (c[0] ?? {}) as { allowNaN?: boolean; allowInfinity?: boolean; maxDecimalPlaces?: number };
      if (options.allowNaN || options.allowInfinity || options.maxDecimalPlaces !== undefined) throw unsupported(where, 'IsNumber options');
      return { type: 'number' };
    }
    case 'min':
      return { type: 'number', minimum: numeric(c[0], where) };
    case 'max':
      return { type: 'number', maximum: numeric(c[0], where) };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isIn': {
      const values = c[0] as unknown[];
      if (!Array.isArray(values) || values.some((v) => v !== null && typeof v === 'object')) throw unsupported(where, 'IsIn of objects');
      return { enum: [...values] };
    }
    case 'isObject':
      return { type: 'object' };
    case 'isArray':
      return { type: 'array' };
    case 'arrayNotEmpty':
      return { type: 'array', minItems: 1 };
    case 'arrayMaxSize':
      return { type: 'array', maxItems: c[0] };
    case 'arrayMinSize':
      return { type: 'array', minItems: c[0] };
    case 'arrayUnique':
      // class-validator compares by reference (===), ajv by value: the same on arrays of strings
      // or numbers, stricter on arrays of objects.
      return { type: 'array', uniqueItems: true };
    default: {
      const custom = metadata.name ? customRules.get(metadata.name) : undefined;
      if (!custom) throw unsupported(where, metadata.name ?? 'an unnamed custom rule');
      return custom;
    }
  }
}

function numeric(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw unsupported(where, `a bound of ${String(value)}`);
  return value;
}

function unsupported(where: string, what: string): Error {
  return new Error(`Compiled validation: ${where} uses ${what}, which the schema derivation does not know (teach dto-schema.ts, or leave the DTO to class-validator alone)`);
}
