import { createTestApp, TestApp } from '../support/test-app';

interface Operation {
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: { pattern?: string; maxLength?: number } }>;
}
interface Document {
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
}

/** The document as /api/docs-json serves it (the same builder writes `npm run openapi`'s file). */
describe('The OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  const operations = (): Array<[string, Operation]> =>
    Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]): [string, Operation] => [`${method} ${path}`, op]));

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.api.get('/api/docs-json', { auth: 'none' });
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => t.close());

  it('declares Idempotency-Key once, optional, with its 1-128 visible ASCII rule', () => {
    for (const path of ['/api/call-box/transactions/submit', '/api/transaction/to-callbox']) {
      const headers = (doc.paths[path].post.parameters ?? []).filter((p) => p.in === 'header');
      expect(headers.map((h) => [h.name, h.required])).toEqual([['Idempotency-Key', false]]);
      expect(headers[0].schema).toMatchObject({ maxLength: 128, pattern: '^[\\x21-\\x7E]{1,128}$' });
    }
  });

  it('says security on every operation: [] on the public ones (TopUp, health), a scheme elsewhere', () => {
    for (const [name, op] of operations()) {
      expect([name, Array.isArray(op.security)]).toEqual([name, true]);
      const isPublic = name.includes('/api/topup/') || name.includes('/health/');
      expect([name, (op.security ?? []).length === 0]).toEqual([name, isPublic]);
    }
  });

  it('has a server, every tag used declared with a description, an opaque bearer token', () => {
    expect(doc.servers?.length).toBeGreaterThan(0);
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const [name, op] of operations()) for (const tag of op.tags ?? []) expect([name, tag, Boolean(declared.get(tag))]).toEqual([name, tag, true]);
    expect(doc.components.securitySchemes['callbox-token']).not.toHaveProperty('bearerFormat');
  });
});
