import { createTestApp, TestApp } from '../support/test-app';
import { SPEC_BALANCES_SUMMARY, SPEC_PACKAGE_DATA_500MB, SPEC_PACKAGE_EMPLOYE_2M, SPEC_STATUS_ELIGIBLE } from '../support/topup-spec-examples';
import { accounts, expectStatus, lines, paths, simulatorOf, topUp } from './topup-api';

/**
 * The read side of spec 004 (sections 1-4) against the simulator's fixtures, with the clock at
 * the fake clock's 2026-01-15T10:00:00Z: the fixed line 21123456 holds 1 500 DJF expiring in 25
 * days, 1 Go expiring in 3 days and 7 200 s expiring in 8 hours, the spec's own example values.
 */
describe('TopUp queries: response shapes (spec 004, sections 1-4)', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  let now: string;

  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true, env: { TOPUP_RATE_LIMIT_PER_MINUTE: '10000' } });
    api = topUp(t.api);
    now = new Date(t.clock!.now()).toISOString();
  });
  beforeEach(async () => simulatorOf(t).reset());
  afterAll(async () => t.close());

  describe('POST /api/topup/balances', () => {
    // Djibouti is UTC+3: 2026-01-15T10:00Z + 25 days is 2026-02-09 13:00:00 there, and so on.
    const expected = {
      success: true,
      message: 'Soldes récupérés avec succès',
      mobile_msisdn: '77123456',
      fixed_isdn: '21123456',
      balances: [
        {
          name: 'Solde Principal',
          type: 'money',
          value: 1500,
          formatted_value: '1 500 DJF',
          unit: 'DJF',
          expire_date: '2026-02-09 13:00:00',
          expire_date_formatted: '09/02/2026 13:00:00',
          expiration_status: { status: 'active', priority: 0, message: 'Expire dans 25 jours' },
          raw_type: 'COMMON',
        },
        {
          name: 'Données Prépayées',
          type: 'data',
          value: 1073741824,
          formatted_value: '1 Go',
          unit: 'bytes',
          expire_date: '2026-01-18 13:00:00',
          expire_date_formatted: '18/01/2026 13:00:00',
          expiration_status: { status: 'warning', priority: 1, message: 'Expire dans 3 jours' },
          raw_type: 'DATA_PREPAID',
        },
        {
          name: 'Minutes Locales',
          type: 'voice',
          value: 7200,
          formatted_value: '02:00:00',
          unit: 'seconds',
          expire_date: '2026-01-15 21:00:00',
          expire_date_formatted: '15/01/2026 21:00:00',
          expiration_status: { status: 'critical', priority: 2, message: 'Expire dans 8 heures' },
          raw_type: 'VOICE_LOCAL',
        },
      ],
      total_balances: 3,
      summary: SPEC_BALANCES_SUMMARY,
    };

    it("answers the spec's example for the spec's request", async () => {
      const res = await api.post(paths.balances, { msisdn: '77123456', isdn: '21123456' });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        ...expected,
        details: { mobile_msisdn: '77123456', fixed_isdn: '21123456', request_time: now, total_balances: 3, backend_api: 'TopUp SOAP' },
      });
    });

    it('reads the same account with the international forms 25377123456 and 25321123456', async () => {
      const res = await api.post(paths.balances, { msisdn: accounts.rich.international, isdn: lines.active.international });
      expectStatus(res, 200);
      expect(res.body.balances).toEqual(expected.balances);
      expect(res.body.summary).toEqual(expected.summary);
    });
  });

  describe('GET /api/topup/numbers/{msisdn} and POST /api/topup/numbers', () => {
    const expectedNumbers = (lastCheck: string) => [
      {
        isdn: '21123456',
        formatted_number: '21 12 34 56',
        number_type: 'fixe',
        can_recharge: true,
        added_date: '2025-01-15',
        status: { eligible: true, status_text: 'Actif', last_check: lastCheck },
      },
      {
        isdn: '21987654',
        formatted_number: '21 98 76 54',
        number_type: 'fixe',
        can_recharge: false,
        added_date: '2025-01-10',
        status: { eligible: false, status_text: 'Suspendu', last_check: lastCheck },
      },
    ];
    const summary = { total_numbers: 2, mobile_numbers: 0, fixed_numbers: 2, rechargeable_numbers: 1, blocked_numbers: 1, unknown_numbers: 0 };

    it.each([
      ['GET with the msisdn in the path', () => api.get(paths.numbersOf('77123456'))],
      ['POST with the msisdn in the body', () => api.post(paths.numbers, { msisdn: '77123456' })],
    ])("answers the spec's example (%s)", async (_how, send) => {
      const res = await send();
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        success: true,
        message: 'Répertoire récupéré avec succès',
        msisdn: '77123456',
        numbers: expectedNumbers(now),
        total_numbers: 2,
        summary,
        details: { msisdn: '77123456', request_time: now, total_numbers: 2, backend_api: 'TopUp SOAP' },
      });
    });

    it.each([
      ['GET', () => api.get(paths.numbersOf(accounts.rich.international))],
      ['POST', () => api.post(paths.numbers, { msisdn: accounts.rich.international })],
    ])('lists the same directory for 25377123456 (%s)', async (_how, send) => {
      const res = await send();
      expectStatus(res, 200);
      expect(res.body.numbers).toMatchObject(expectedNumbers(now));
      expect(res.body.summary).toEqual(summary);
    });

    it('lists an empty directory as such', async () => {
      const res = await api.get(paths.numbersOf(accounts.poor.msisdn));
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ numbers: [], total_numbers: 0, summary: { total_numbers: 0, fixed_numbers: 0 } });
    });
  });

  describe('GET /api/topup/status/{isdn} and POST /api/topup/status', () => {
    const eligible = SPEC_STATUS_ELIGIBLE;

    it.each([
      ['GET', '21123456', () => api.get(paths.statusOf('21123456'))],
      ['POST', '21123456', () => api.post(paths.status, { isdn: '21123456' })],
      ['GET', '25321123456', () => api.get(paths.statusOf('25321123456'))],
      ['POST', '25321123456', () => api.post(paths.status, { isdn: '25321123456' })],
    ])("answers the spec's example (%s %s)", async (_method, isdn, send) => {
      const res = await send();
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        ...eligible,
        fixed_isdn: isdn,
        details: { fixed_isdn: isdn, request_time: now, backend_api: 'TopUp SOAP' },
      });
    });
  });

  describe('POST /api/topup/packages', () => {
    // The fixed line pays for packages from its COMMON balance: 1 500 DJF in the fixtures.
    const employe = { ...SPEC_PACKAGE_EMPLOYE_2M, is_affordable: false };
    const data500 = SPEC_PACKAGE_DATA_500MB;
    const summary = {
      total_packages: 2,
      categories: { combo: 1, data: 1, voice: 0 },
      price_range: { min: 500, max: 2000, average: 1250, min_formatted: '500 DJF', max_formatted: '2 000 DJF', average_formatted: '1 250 DJF' },
      validity_range: { min_days: 30, max_days: 60, min_formatted: '1 mois', max_formatted: '2 mois' },
    };

    it("answers the spec's example for type 1, affordability against 1 500 DJF", async () => {
      const res = await api.post(paths.packages, { msisdn: '77123456', isdn: '21123456', type: 1 });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({
        success: true,
        message: 'Packages récupérés avec succès',
        msisdn: '77123456',
        isdn: '21123456',
        type: 1,
        packages: [employe, data500],
        total_packages: 2,
        summary,
        details: { msisdn: '77123456', isdn: '21123456', type: 1, request_time: now, total_packages: 2, backend_api: 'TopUp SOAP' },
      });
    });

    it('gives data_quantity_gb in GB (the 2.1.0 changelog), not the MB of the examples', async () => {
      const res = await api.post(paths.packages, { msisdn: '77123456', isdn: '21123456', type: 1 });
      expectStatus(res, 200);
      const [first, second] = res.body.packages;
      expect(first.data_quantity_gb).toBe(first.data_quantity_bytes / 1024 ** 3);
      expect(first.data_quantity_gb).toBe(1);
      expect(second.data_quantity_gb).toBeCloseTo(524288000 / 1024 ** 3, 2);
    });

    it('lists the same packages for the international forms', async () => {
      const res = await api.post(paths.packages, { msisdn: accounts.rich.international, isdn: lines.active.international, type: 1 });
      expectStatus(res, 200);
      expect(res.body.packages).toMatchObject([employe, data500]);
    });

    // The spec's types: 2 Data, 3 Combo, 4 Data sup., 5 Combo sup., 6 Voix sup.
    it.each([
      [2, 'data'],
      [3, 'combo'],
      [4, 'data'],
      [5, 'combo'],
      [6, 'voice'],
    ])('answers type %p with %p packages', async (type, category) => {
      const res = await api.post(paths.packages, { msisdn: '77123456', isdn: '21123456', type });
      expectStatus(res, 200);
      expect(res.body).toMatchObject({ type, total_packages: res.body.packages.length });
      expect(res.body.packages.length).toBeGreaterThan(0);
      for (const pkg of res.body.packages) expect(pkg.category).toBe(category);
    });

    it("lists the mixed-case codes of the 2.1.0 changelog (type 4: 'NEW_GIGASUP_50Go', 'Data_Package_5GB')", async () => {
      const res = await api.post(paths.packages, { msisdn: '77123456', isdn: '21123456', type: 4 });
      expectStatus(res, 200);
      expect(res.body.packages.map((p: { package_code: string }) => p.package_code)).toEqual(
        expect.arrayContaining(['NEW_GIGASUP_50Go', 'Data_Package_5GB']),
      );
    });
  });
});
