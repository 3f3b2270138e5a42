import { createTestApp, TestApp } from '../support/test-app';
import { expectInvalid, paths, simulatorOf, topUp } from './topup-api';

/** The spec's own wording ("Erreurs de Validation"). */
const MSISDN_TEXT = 'Le numéro mobile doit commencer par 77 ou 25377 et contenir 8 ou 11 chiffres';
const ISDN_TEXT = 'Le numéro de ligne fixe doit commencer par 21 ou 25321 et contenir 8 ou 11 chiffres';

type Method = 'POST' | 'PUT' | 'DELETE';
interface BodyEndpoint {
  method: Method;
  path: string;
  endpoint: string;
  valid: Record<string, unknown>;
  required: string[];
}

/** Every body endpoint with a valid request and the fields the spec makes mandatory. */
const ENDPOINTS: BodyEndpoint[] = [
  { method: 'POST', path: paths.balances, endpoint: 'topup/balances', valid: { msisdn: '77123456', isdn: '21123456' }, required: ['isdn', 'msisdn'] },
  { method: 'POST', path: paths.numbers, endpoint: 'topup/numbers', valid: { msisdn: '77123456' }, required: ['msisdn'] },
  { method: 'POST', path: paths.status, endpoint: 'topup/status', valid: { isdn: '21123456' }, required: ['isdn'] },
  { method: 'POST', path: paths.packages, endpoint: 'topup/packages', valid: { msisdn: '77123456', isdn: '21123456', type: 1 }, required: ['isdn', 'msisdn', 'type'] },
  {
    method: 'POST',
    path: paths.subscribe,
    endpoint: 'topup/subscribe-package',
    valid: { msisdn: '77123456', isdn: '21123456', package_code: 'EMPLOYE_2M', pincode: '1234' },
    required: ['isdn', 'msisdn', 'package_code'],
  },
  {
    method: 'POST',
    path: paths.recharge,
    endpoint: 'topup/recharge-account',
    valid: { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234' },
    required: ['amount', 'isdn', 'msisdn'],
  },
  { method: 'PUT', path: paths.updatePin, endpoint: 'topup/update-pin', valid: { msisdn: '77123456', old_pin: '1234', new_pin: '5678' }, required: ['msisdn', 'new_pin', 'old_pin'] },
  { method: 'POST', path: paths.directoryAdd, endpoint: 'topup/directory/add', valid: { msisdn: '77123456', isdn: '21000453', pincode: '1234' }, required: ['isdn', 'msisdn'] },
  { method: 'DELETE', path: paths.directoryRemove, endpoint: 'topup/directory/remove', valid: { msisdn: '77123456', isdn: '21123456', pincode: '1234' }, required: ['isdn', 'msisdn'] },
];
const withMsisdn = ENDPOINTS.filter((e) => 'msisdn' in e.valid);
const withIsdn = ENDPOINTS.filter((e) => 'isdn' in e.valid);
const name = (e: BodyEndpoint) => `${e.method} /api/${e.endpoint}`;

const BAD_MSISDNS = ['7712345', '771234567', '78123456', '2537712345', '253771234567', '+25377123456', '21123456', 'abcdefgh', 77123456];
const BAD_ISDNS = ['2112345', '211234567', '22123456', '2532112345', '25377123456', '77123456', 21123456];

describe('TopUp validation: numbers, missing fields, nulls and body shapes (422 "Données invalides")', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  let callsBefore: Record<string, number>;

  const send = (e: BodyEndpoint, body: unknown) =>
    e.method === 'POST' ? api.post(e.path, body) : e.method === 'PUT' ? api.put(e.path, body) : api.delete(e.path, body);

  beforeAll(async () => {
    t = await createTestApp({ env: { TOPUP_RATE_LIMIT_PER_MINUTE: '100000' } });
    api = topUp(t.api);
  });
  beforeEach(() => {
    callsBefore = { ...simulatorOf(t).callCounts() };
  });
  // A refused request never reaches the operator.
  afterEach(() => expect(simulatorOf(t).callCounts()).toEqual(callsBefore));
  afterAll(async () => t.close());

  describe.each(withMsisdn.map((e) => [name(e), e] as const))('%s', (_name, e) => {
    it.each(BAD_MSISDNS)("refuses msisdn %p with the spec's message", async (msisdn) => {
      const res = await send(e, { ...e.valid, msisdn });
      expectInvalid(res, 'msisdn', e.endpoint, e.method);
      expect(res.body.errors).toEqual({ msisdn: [MSISDN_TEXT] });
    });
  });

  describe.each(withIsdn.map((e) => [name(e), e] as const))('%s', (_name, e) => {
    it.each(BAD_ISDNS)("refuses isdn %p with the spec's message", async (isdn) => {
      const res = await send(e, { ...e.valid, isdn });
      expectInvalid(res, 'isdn', e.endpoint, e.method);
      expect(res.body.errors).toEqual({ isdn: [ISDN_TEXT] });
    });
  });

  describe('numbers in the path', () => {
    it.each(['7712345', '78123456', '21123456', '2537712345'])('GET /numbers/%s is refused on msisdn', async (msisdn) => {
      const res = await api.get(paths.numbersOf(msisdn));
      expectInvalid(res, 'msisdn', `topup/numbers/${msisdn}`, 'GET');
      expect(res.body.errors.msisdn).toContain(MSISDN_TEXT);
    });

    it.each(['2112345', '22123456', '77123456', '2532112345'])('GET /status/%s is refused on isdn', async (isdn) => {
      const res = await api.get(paths.statusOf(isdn));
      expectInvalid(res, 'isdn', `topup/status/${isdn}`, 'GET');
      expect(res.body.errors.isdn).toContain(ISDN_TEXT);
    });
  });

  describe.each(ENDPOINTS.map((e) => [name(e), e] as const))('%s', (_name, e) => {
    it('names every missing required field, and only those ("Obligatoire")', async () => {
      const res = await send(e, {});
      expectInvalid(res, e.required[0], e.endpoint, e.method);
      expect(Object.keys(res.body.errors).sort()).toEqual(e.required);
      for (const field of e.required) {
        expect(res.body.errors[field]).toContainEqual(expect.stringMatching(/obligatoire/i));
      }
    });

    it.each(e.required)('refuses %s: null instead of taking it as absent', async (field) => {
      const res = await send(e, { ...e.valid, [field]: null });
      expectInvalid(res, field, e.endpoint, e.method);
      expect(Object.keys(res.body.errors)).toEqual([field]);
      const messages: string[] = res.body.errors[field];
      expect(new Set(messages).size).toBe(messages.length);
    });

    it.each(['[1, 2]', '"77123456"', '42', 'true', 'null'])('refuses the non-object JSON body %s', async (raw) => {
      const res = await send(e, raw);
      expectInvalid(res, 'body', e.endpoint, e.method);
      expect(res.body.errors.body).toEqual([expect.stringMatching(/objet JSON/)]);
    });
  });

  describe('optional fields given as null are refused, not defaulted', () => {
    it.each([
      ['pincode', paths.recharge, 'topup/recharge-account', { msisdn: '77654321', isdn: '21123456', amount: 100 }],
      ['transaction_id', paths.recharge, 'topup/recharge-account', { msisdn: '77654321', isdn: '21123456', amount: 100 }],
      ['pincode', paths.subscribe, 'topup/subscribe-package', { msisdn: '77654321', isdn: '21123456', package_code: 'VOIX_60MIN' }],
      ['pincode', paths.directoryAdd, 'topup/directory/add', { msisdn: '77654321', isdn: '21123456' }],
    ])('%s on %s', async (field, path, endpoint, valid) => {
      const res = await api.post(path, { ...valid, [field]: null });
      expectInvalid(res, field, endpoint, 'POST');
      expect(Object.keys(res.body.errors)).toEqual([field]);
    });
  });
});
