import { createTestApp, TestApp } from './support/test-app';
import { registration } from './support/fixtures';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true });
  });
  afterAll(async () => t.close());

  it('registers a box', async () => {
    const res = await t.api.post('/api/call-box/register', registration());
    expect(res.status).toBe(200);
    expect(res.body.instance.id).toBe('callbox_001');
  });
});
