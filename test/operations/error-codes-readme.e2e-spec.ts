import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/test-app';

const ROOT = join(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's "Error codes" section. */
function errorCodesSection(): string {
  const start = README.indexOf('\n### Error codes\n');
  if (start < 0) throw new Error('README: no "### Error codes" section');
  const end = README.indexOf('\n## ', start);
  return README.slice(start, end < 0 ? undefined : end);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'simulator' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every code the gateway's sources can put in an error body, found as the README says to grep them. */
function codesInSources(): string[] {
  const codes = new Set<string>();
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    // CallBox family `code`s, e.g. 'TRANSACTION.STALE_ATTEMPT' (TOPUP.* are TopUp errors' internal codes, answered as returnCode).
    for (const [, code] of text.matchAll(/'([A-Z]+\.[A-Z_]+)'/g)) if (!code.startsWith('TOPUP.')) codes.add(code);
    // The web server's own refusal codes.
    for (const [, code] of text.matchAll(/\b(FST_ERR_[A-Z_]+)\b/g)) codes.add(code);
    // TopUp `returnCode`s of the gateway's own (the operator's digits are in the second table).
    for (const [, code] of text.matchAll(/returnCode: '([A-Z_]+)'/g)) codes.add(code);
    for (const [, code] of text.matchAll(/'(TRANSACTION_[A-Z_]+)'/g)) codes.add(code);
  }
  return [...codes].sort();
}

/**
 * Issue 15, point 14: the README lists every error code the service can answer, the ones the issue
 * found missing first among them, and the directory return codes are explained.
 */
describe('README: the stable error codes', () => {
  const section = errorCodesSection();
  const listed = (code: string) => section.includes(`\`${code}\``);

  it.each([
    'AUTH.CALLBOX_TOKEN_REQUIRED',
    'AUTH.INVALID_API_KEY',
    'AUTH.MISSING_API_KEY',
    'ROUTE.NOT_FOUND',
    'HTTP.400',
    'HTTP.413',
  ])('lists %s (missing before)', (code) => {
    expect(listed(code)).toBe(true);
  });

  it('lists every code found in the sources', () => {
    const found = codesInSources();
    expect(found.length).toBeGreaterThan(25);
    expect(found.filter((code) => !listed(code))).toEqual([]);
  });

  it('lists every TopUp error_type the operator errors can carry', () => {
    const text = readFileSync(join(ROOT, 'src/topup/errors/operator-errors.ts'), 'utf8');
    const types = [...text.matchAll(/'([A-Z]+(?:_[A-Z]+)+)'/g)].map(([, type]) => type).filter((type) => type !== 'SOAP_SERVICE');
    expect(types).toEqual(expect.arrayContaining(['NUMBER_NOT_FOUND', 'MOBILE_NOT_FOUND', 'NOT_IN_DIRECTORY']));
    expect([...new Set(types)].filter((type) => !listed(type))).toEqual([]);
  });

  it('explains the directory return codes 409 and 410 (410 under HTTP 404)', () => {
    expect(README).toMatch(/\*\*Directory return codes\.\*\*[\s\S]{0,200}`returnCode: "409"`[\s\S]{0,200}`returnCode: "410"`[\s\S]{0,100}HTTP \*\*404\*\*/);
  });

  describe('the codes the app answers are the ones listed', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(async () => t.close());

    it.each([
      ['the admin key on a box-only route', () => t.api.post('/api/call-box/heartbeat', { callboxId: 'callbox_001', status: 'active' }, { auth: 'admin' }), 403],
      ['a wrong API key', () => t.api.get('/api/sync/status', { auth: { apiKey: 'not-the-key' } }), 401],
      ['no API key', () => t.api.get('/api/sync/status', { auth: 'none' }), 401],
      ['no such route', () => t.api.get('/api/call-box/nowhere'), 404],
      ['unreadable JSON', () => t.api.post('/api/call-box/register', '{"callboxId":'), 400],
      ['a body over 64 KiB', () => t.api.post('/api/call-box/register', JSON.stringify({ padding: 'x'.repeat(70_000) })), 413],
      ['no such TopUp route', () => t.api.get('/api/topup/nowhere', { auth: 'none' }), 404],
      ['unreadable JSON on TopUp', () => t.api.post('/api/topup/balances', '{"msisdn":', { auth: 'none' }), 400],
    ])('%s', async (_case, send, status) => {
      const res = await send();
      expect(res.status).toBe(status);
      const code = res.body.code ?? res.body.returnCode;
      expect(typeof code).toBe('string');
      expect({ code, listed: listed(code) }).toEqual({ code, listed: true });
    });
  });
});
