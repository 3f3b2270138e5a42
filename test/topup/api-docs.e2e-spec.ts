import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus } from './topup-api';

/** Every route of spec 004 with its method, as the spec lists them. */
const TOPUP_OPERATIONS: Array<[string, string]> = [
  ['/api/topup/balances', 'post'],
  ['/api/topup/numbers/{msisdn}', 'get'],
  ['/api/topup/numbers', 'post'],
  ['/api/topup/status/{isdn}', 'get'],
  ['/api/topup/status', 'post'],
  ['/api/topup/packages', 'post'],
  ['/api/topup/subscribe-package', 'post'],
  ['/api/topup/recharge-account', 'post'],
  ['/api/topup/update-pin', 'put'],
  ['/api/topup/directory/add', 'post'],
  ['/api/topup/directory/remove', 'delete'],
];

describe('TopUp in the OpenAPI document (/api/docs-json)', () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, { description?: string; requestBody?: unknown }>> };

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.api.get('/api/docs-json', { auth: 'none' });
    expectStatus(res, 200);
    doc = res.body;
  });
  afterAll(async () => t.close());

  it.each(TOPUP_OPERATIONS)('documents %s (%s)', (path, method) => {
    expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it('documents no TopUp path the spec does not have', () => {
    const documented = Object.keys(doc.paths).filter((p) => p.startsWith('/api/topup'));
    expect(documented.sort()).toEqual([...new Set(TOPUP_OPERATIONS.map(([path]) => path))].sort());
  });

  it('documents the JSON body of DELETE /directory/remove', () => {
    expect(doc.paths['/api/topup/directory/remove'].delete.requestBody).toBeDefined();
  });

  it('says on the packages operation that data_quantity_gb is in GB and that the spec examples contradict it', () => {
    const description = doc.paths['/api/topup/packages'].post.description ?? '';
    expect(description).toContain('data_quantity_gb');
    expect(description).toMatch(/gigaoctets|\bGB\b|\bGo\b/i);
    expect(description).toMatch(/contredi|contradict/i);
  });
});
