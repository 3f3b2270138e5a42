import Ajv2020 from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Document {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>>;
  components: object;
}

/** The document the client was generated from (npm run openapi:check copies it beside the client). */
const document = JSON.parse(readFileSync(join(__dirname, 'generated/openapi.json'), 'utf8')) as Document;
// OpenAPI's `example` is no JSON Schema keyword: not strict. Formats are not asserted by the document.
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'openapi', components: document.components });

/**
 * The problems of `body` against the schema the document gives this answer ([] when it conforms):
 * the generated types are compile-time only, this checks the app's real bodies against them.
 */
export function schemaProblems(path: string, method: string, status: number, body: unknown): string[] {
  const schema = document.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema as { $ref?: string } | undefined;
  if (!schema?.$ref) return [`${method.toUpperCase()} ${path} ${status}: no schema of its own`];
  const validate = ajv.getSchema(`openapi${schema.$ref}`);
  if (!validate) return [`${schema.$ref}: not found`];
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
