/** A JSON schema as the OpenAPI document holds it (only what the check reads). */
interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

interface Document {
  paths?: Record<string, Record<string, { responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }> }>>;
  webhooks?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Statuses that answer without a body. */
const BODYLESS = new Set(['204', '304']);
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/**
 * Every place where a generated client would get no type: a response without a JSON schema, an
 * `object` schema with neither properties nor additionalProperties (`Record<string, never>`), at
 * any depth of a response's schema or of a component it names, and a response without description.
 */
export function findUntypedResponses(document: Document): string[] {
  const problems: string[] = [];
  const schemas = document.components?.schemas ?? {};
  const visited = new Set<string>();

  const inspect = (schema: Schema | undefined, where: string): void => {
    if (!schema) return void problems.push(`${where}: no schema`);
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (visited.has(name)) return;
      visited.add(name);
      const target = schemas[name];
      if (!target) return void problems.push(`${where}: ${schema.$ref} does not exist`);
      return inspect(target, `#/components/schemas/${name}`);
    }
    const composed = [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
    composed.forEach((part, i) => inspect(part, `${where}/of[${i}]`));
    const types = [schema.type ?? []].flat();
    if (types.includes('object') && !schema.properties && schema.additionalProperties === undefined && composed.length === 0) {
      problems.push(`${where}: untyped object`);
    }
    for (const [name, property] of Object.entries(schema.properties ?? {})) inspect(property, `${where}.${name}`);
    if (typeof schema.additionalProperties === 'object') inspect(schema.additionalProperties, `${where}{}`);
    if (schema.items) inspect(schema.items, `${where}[]`);
  };

  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const where = `${method.toUpperCase()} ${path} ${status}`;
        if (!response.description?.trim()) problems.push(`${where}: no description`);
        if (BODYLESS.has(status)) continue;
        // A CSV download is typed by its text/csv schema (a string); every other answer is JSON.
        inspect(response.content?.['application/json']?.schema ?? response.content?.['text/csv']?.schema, where);
      }
    }
  }
  for (const [name, operations] of Object.entries(document.webhooks ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      inspect(operation.requestBody?.content?.['application/json']?.schema, `webhook ${name} ${method.toUpperCase()}`);
    }
  }
  return problems;
}
