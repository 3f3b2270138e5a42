import { outcomeMessageBody, outcomePayload } from '../../src/transactions/outcome';
import type { Transaction } from '../../src/transactions/transaction';
import { createTestApp, TestApp } from '../support/test-app';

interface Response {
  headers?: Record<string, unknown>;
  content?: { 'application/json'?: { schema?: { $ref?: string }; example?: unknown } };
}
interface Operation {
  tags?: string[];
  responses: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: { pattern?: string; maxLength?: number } }>;
}
interface Webhook {
  post: { parameters: Array<{ name: string; in: string; required?: boolean; schema?: { enum?: string[] } }>; requestBody: { content: { 'application/json': { schema: { $ref: string } } } } };
}
interface Document {
  openapi: string;
  webhooks?: Record<string, Webhook>;
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>>; schemas: Record<string, { properties?: Record<string, unknown> }> };
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

  const schemaOf = (response: Response | undefined) => response?.content?.['application/json']?.schema?.$ref;

  it('types every TopUp answer and error with a schema of its own, a 429 with Retry-After', () => {
    for (const [name, op] of operations().filter(([n]) => n.includes('/api/topup/'))) {
      expect([name, schemaOf(op.responses['200'])]).toEqual([name, expect.stringMatching(/ResponseDto$/)]);
      for (const status of ['403', '404', '410', '422', '429', '503']) {
        expect([name, status, schemaOf(op.responses[status])]).toEqual([name, status, '#/components/schemas/TopUpErrorDto']);
      }
      expect(op.responses['429'].headers).toHaveProperty('Retry-After');
    }
  });

  it('documents the CallBox error body and a 429 with Retry-After on every CallBox, sync and main-system route', () => {
    for (const [name, op] of operations().filter(([n]) => /\/api\/(call-box|sync|transaction)\//.test(n))) {
      expect([name, schemaOf(op.responses['429'])]).toEqual([name, '#/components/schemas/CallBoxErrorDto']);
      expect(op.responses['429'].headers).toHaveProperty('Retry-After');
    }
  });

  it('is OpenAPI 3.1 (no 3.0 nullable left) and describes the outcome callback as a webhook: events, signed headers, payload', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
    const webhook = doc.webhooks?.['transaction.outcome']?.post;
    expect(webhook?.parameters.map((p) => [p.in, p.name, p.required])).toEqual([
      ['header', 'x-merecharge-timestamp', true],
      ['header', 'x-merecharge-delivery', true],
      ['header', 'x-merecharge-event', true],
      ['header', 'x-merecharge-signature', true],
    ]);
    expect(webhook?.parameters[2].schema?.enum).toEqual(['transaction.completed', 'transaction.failed', 'transaction.needs_review', 'transaction.expired']);
    expect(webhook?.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/OutcomeCallbackDto');
  });

  it('documents every field of the body the gateway sends, and no other', () => {
    const tx = {
      id: 'tx_1', type: 'recharge', status: 'completed', phoneNumber: '+237677123456', amount: 1000, payItemId: 'MTN_RECHARGE_1000',
      customerInfo: null, assignedTo: 'callbox_001', retryCount: 0, result: null,
    } as Transaction;
    const sent = JSON.parse(outcomeMessageBody(JSON.stringify(outcomePayload(tx, 0)), 1)) as Record<string, unknown>;
    expect(Object.keys(doc.components.schemas.OutcomeCallbackDto.properties ?? {}).sort()).toEqual(Object.keys(sent).sort());
  });

  it("shows the app's own bodies as the CallBox error examples (401 without a token, 404 on an unknown transaction)", async () => {
    const path = '/api/call-box/transactions/{transactionId}';
    const example = (status: string) => doc.paths[path].get.responses[status].content?.['application/json']?.example;
    const missingToken = await t.api.get('/api/call-box/transactions/tx_1728307200_abc123', { auth: 'none' });
    expect(missingToken.status).toBe(401);
    expect(missingToken.body).toEqual(example('401'));
    const unknown = await t.api.get('/api/call-box/transactions/tx_1728307200_abc123', { auth: 'admin' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(example('404'));
  });
});
