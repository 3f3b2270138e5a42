import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { RequestValidationError } from '../errors/domain-error';

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
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const expectsObject = metadata.metatype && !isPrimitive(metadata.metatype);
    if (metadata.type === 'body' && expectsObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new RequestValidationError({ body: ['Le corps de la requête doit être un objet JSON'] });
    }
    return super.transform(value, metadata);
  }
}

function isPrimitive(type: unknown): boolean {
  return [String, Number, Boolean, Array, Object].includes(type as never);
}
