import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/domain-error';
import { CompiledValidation } from './compiled-validation';
import type { DtoClass } from './dto-schema';

/** Field path -> messages, nested fields dotted (`capabilities.supportedTypes`). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    // Two rules sharing one message (a type check and a pattern) say it once.
    if (error.constraints) fields[path] = [...new Set(Object.values(error.constraints))];
    if (error.children?.length) Object.assign(fields, flattenValidationErrors(error.children, path));
  }
  return fields;
}

/**
 * The one validation pipe of the app: strips unknown fields, never coerces types implicitly, and
 * turns every failure (a body that is not a JSON object included) into a RequestValidationError
 * that each API family's filter renders its own way.
 *
 * The DTOs given (the device routes') are also compiled to JSON schemas checked by ajv: what the
 * schema accepts is built into the DTO at once, without class-transformer and class-validator
 * (about a quarter of an idle poll's time); what it refuses goes on to them, so every refusal is
 * decided and worded as before.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  private readonly compiled: CompiledValidation;

  constructor(compiledDtos: readonly DtoClass[] = []) {
    super({
      transform: true,
      whitelist: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
    });
    this.compiled = new CompiledValidation(compiledDtos);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') refuseNulCharacters(value, metadata.data ?? metadata.type);
    const expectsObject = metadata.metatype && !isPrimitive(metadata.metatype);
    if (metadata.type === 'body' && expectsObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new RequestValidationError({ body: ['Le corps de la requête doit être un objet JSON'] });
    }
    // class-transformer walks the value recursively: a 3 KB body of nested arrays overflowed the
    // stack (a 500). No DTO nests more than a few levels.
    if (expectsObject && nestedDeeperThan(value, MAX_INPUT_DEPTH)) {
      throw new RequestValidationError({ [metadata.type]: [`Structure trop profonde (${MAX_INPUT_DEPTH} niveaux au plus)`] });
    }
    const compiled = metadata.type === 'body' || metadata.type === 'query' ? this.compiled.of(metadata.metatype) : undefined;
    if (compiled && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const accepted = compiled.accept(value);
      if (accepted) return accepted;
    }
    return super.transform(value, metadata);
  }
}

/**
 * A NUL character in any string of the request (body, query, path) is refused: PostgreSQL cannot
 * store it in text (the statement failed with a 500 and its parameters in the log), and no field
 * of either API has a use for it.
 */
function refuseNulCharacters(value: unknown, root: string): void {
  const found = nulPath(value, 0);
  if (found === null) return;
  // Named as before: a field of the body, query or path bare (`callboxId`), deeper ones dotted.
  let path = root;
  for (const key of found) path = path === 'body' || path === 'query' || path === 'param' ? key : `${path}.${key}`;
  throw new RequestValidationError({ [path]: ['Le caractère NUL (\\u0000) est interdit'] });
}

/**
 * The path (keys from the root) of the first NUL found, or null. Walks as the stack it replaced
 * did (a node's keys first, then its children last key first), so the same field is named when
 * several carry one; it builds nothing unless one is found (it runs on every device request).
 */
function nulPath(current: unknown, depth: number): string[] | null {
  if (typeof current === 'string') return current.includes('\u0000') ? [] : null;
  if (current === null || typeof current !== 'object' || depth > MAX_INPUT_DEPTH) return null;
  if (Array.isArray(current)) {
    for (let i = current.length - 1; i >= 0; i--) {
      const found = nulPath(current[i], depth + 1);
      if (found !== null) return [String(i), ...found];
    }
    return null;
  }
  const record = current as Record<string, unknown>;
  for (const key in record) {
    if (Object.prototype.hasOwnProperty.call(record, key) && key.includes('\u0000')) return [];
  }
  const keys = Object.keys(record);
  for (let i = keys.length - 1; i >= 0; i--) {
    const found = nulPath(record[keys[i]], depth + 1);
    if (found !== null) return [keys[i], ...found];
  }
  return null;
}

/** Objects and arrays nested deeper than this are refused before any transformation. */
export const MAX_INPUT_DEPTH = 32;

function nestedDeeperThan(value: unknown, max: number, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth >= max) return true;
  if (Array.isArray(value)) {
    for (const child of value) if (nestedDeeperThan(child, max, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.prototype.hasOwnProperty.call(value, key) && nestedDeeperThan((value as Record<string, unknown>)[key], max, depth + 1)) return true;
  }
  return false;
}

function isPrimitive(type: unknown): boolean {
  return [String, Number, Boolean, Array, Object].includes(type as never);
}
