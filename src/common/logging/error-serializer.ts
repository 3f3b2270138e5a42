import { stdSerializers } from 'pino';

/**
 * Fields of a database error that carry the statement's values (customers' names, numbers,
 * amounts), and `input`, which Node's URL errors fill with the URL they refused: a DATABASE_URL
 * with its password.
 */
const REQUEST_DATA_FIELDS = ['parameters', 'params', 'values', 'body', 'payload', 'detail', 'where', 'input'];

/**
 * pino's error serializer without the request's data: a TypeORM QueryFailedError copies the
 * statement's parameters onto itself (and its driverError carries PostgreSQL's `detail`, which
 * quotes the offending values). The statement's text, codes and stack stay: they are what a
 * failure is debugged from.
 */
export function serializeError(error: unknown): unknown {
  // Errors of another realm (Node's internals under a test VM) fail instanceof, yet are errors.
  const errorLike = error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error && 'stack' in error);
  if (!errorLike) return error;
  return scrub(stdSerializers.err(error as Error) as unknown as Record<string, unknown>, 0);
}

function scrub(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (REQUEST_DATA_FIELDS.includes(key)) continue;
    clean[key] = field && typeof field === 'object' && !Array.isArray(field) && depth < 4 ? scrub(field as Record<string, unknown>, depth + 1) : field;
  }
  return clean;
}
