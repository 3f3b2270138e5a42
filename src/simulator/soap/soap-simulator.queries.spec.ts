import type { Client } from 'soap';
import { expirationStatus } from '../../topup/formatting/expiration-status.format';
import { parseOperatorDate } from '../../operator/operator-date.format';
import { OperatorCode, PackageType } from '../../operator/operator-codes';
import { callOperation, createTopUpClient } from './soap-simulator.testing';
import { SoapSimulator } from './soap-simulator';

const CREDENTIALS = { username: 'test-user', password: 'test-pass' };
// 10:30 in Djibouti.
const NOW = Date.parse('2025-01-15T07:30:00Z');
const GO = 1073741824;

describe(SoapSimulator.name, () => {
  let sut: SoapSimulator;
  let client: Client;

  beforeAll(async () => {
    sut = new SoapSimulator(CREDENTIALS, { now: () => NOW });
    const { url } = await sut.start();
    client = await createTopUpClient(url, CREDENTIALS);
  });

  afterAll(async () => {
    await sut.stop();
  });

  describe('getBalances', () => {
    it("answers the fixed line's balances with Djibouti-time expiry dates", async () => {
      await expect(callOperation(client, 'getBalances', { msisdn: '77123456', isdn: '21123456' })).resolves.toEqual({
        returnCode: '0',
        description: 'Success',
        balance: [
          { type: 'COMMON', value: 1500, expireDate: '2025-02-09 10:30:00' },
          { type: 'DATA_PREPAID', value: GO, expireDate: '2025-01-18 10:30:00' },
          { type: 'VOICE_LOCAL', value: 7200, expireDate: '2025-01-15 18:30:00' },
        ],
      });
    });

    it('gives expiries that read as the guide example: 25 days, 3 days, 8 hours', async () => {
      const response = await callOperation(client, 'getBalances', { msisdn: '77123456', isdn: '21123456' });
      const messages = (response.balance ?? []).map(
        (b) => expirationStatus(parseOperatorDate(b.expireDate ?? '') ?? 0, NOW).message,
      );
      expect(messages).toEqual(['Expire dans 25 jours', 'Expire dans 3 jours', 'Expire dans 8 heures']);
    });

    it('accepts both number formats for the same accounts', async () => {
      const local = await callOperation(client, 'getBalances', { msisdn: '77123456', isdn: '21123456' });
      const international = await callOperation(client, 'getBalances', { msisdn: '25377123456', isdn: '25321123456' });
      expect(international).toEqual(local);
    });

    it.each([
      ['21987654', OperatorCode.NUMBER_BLOCKED],
      ['21000003', OperatorCode.POSTPAID_NOT_ELIGIBLE],
      ['21000005', OperatorCode.NUMBER_EXPIRED],
      ['21999999', OperatorCode.NUMBER_NOT_FOUND],
      ['2112', OperatorCode.NUMBER_NOT_FOUND],
    ])('answers line %p with code %p and no balance', async (isdn, code) => {
      const response = await callOperation(client, 'getBalances', { msisdn: '77123456', isdn });
      expect(response.returnCode).toBe(code);
      expect(response.balance).toBeUndefined();
    });

    it('still lists balances of a line that only lacks packages (453)', async () => {
      const response = await callOperation(client, 'getBalances', { msisdn: '77123456', isdn: '21000453' });
      expect(response.returnCode).toBe('0');
      expect(response.balance).toEqual([expect.objectContaining({ type: 'COMMON', value: 250 })]);
    });

    it('answers 1 for a mobile that does not exist', async () => {
      await expect(callOperation(client, 'getBalances', { msisdn: '77000000', isdn: '21123456' })).resolves.toEqual({
        returnCode: '1',
        description: 'Mobile number does not exist',
      });
    });
  });

  describe('getMyNumbers', () => {
    it("lists 77123456's directory with each line's status code", async () => {
      await expect(callOperation(client, 'getMyNumbers', { msisdn: '25377123456' })).resolves.toEqual({
        returnCode: '0',
        description: 'Success',
        number: [
          { isdn: '21123456', addedDate: '2025-01-15', statusCode: '0' },
          { isdn: '21987654', addedDate: '2025-01-10', statusCode: '2' },
        ],
      });
    });

    it("gives 77654321's empty directory as no number at all", async () => {
      await expect(callOperation(client, 'getMyNumbers', { msisdn: '77654321' })).resolves.toEqual({
        returnCode: '0',
        description: 'Success',
      });
    });

    it('answers 1 for an unknown or malformed mobile', async () => {
      const unknown = await callOperation(client, 'getMyNumbers', { msisdn: '77999999' });
      const fixedInstead = await callOperation(client, 'getMyNumbers', { msisdn: '21123456' });
      expect([unknown.returnCode, fixedInstead.returnCode]).toEqual(['1', '1']);
    });
  });

  describe('getStatusForRecharge', () => {
    it.each([
      ['21123456', '0', 'Success'],
      ['25321123456', '0', 'Success'],
      ['21987654', '2', 'Number is blocked or suspended'],
      ['21000003', '3', 'Postpaid number is not eligible'],
      ['21000005', '5', 'Number is expired'],
      ['21000453', '453', 'No package available'],
      ['21000001', '1', 'Number does not exist'],
      ['77123456', '1', 'Number does not exist'],
    ])('answers %p with %p', async (isdn, returnCode, description) => {
      const response = await callOperation(client, 'getStatusForRecharge', { isdn });
      expect(response).toEqual({ returnCode, description });
    });
  });

  describe('getPackages', () => {
    it("answers type 1 with exactly the guide's example packages", async () => {
      await expect(
        callOperation(client, 'getPackages', { msisdn: '77123456', isdn: '21123456', type: PackageType.VOICE }),
      ).resolves.toEqual({
        returnCode: '0',
        description: 'Success',
        package: [
          {
            packageCode: 'EMPLOYE_2M',
            description: 'Package Employé 2 mois',
            price: 2000,
            validityDays: 60,
            dataUnlimited: false,
            dataBytes: GO,
            voiceSeconds: 7200,
          },
          {
            packageCode: 'DATA_500MB',
            description: 'Pack Data 500 MB',
            price: 500,
            validityDays: 30,
            dataUnlimited: false,
            dataBytes: 524288000,
            voiceSeconds: 0,
          },
        ],
      });
    });

    it.each([1, 2, 3, 4, 5, 6])('has at least one package of type %p', async (type) => {
      const response = await callOperation(client, 'getPackages', { msisdn: '77123456', isdn: '21123456', type });
      expect(response.returnCode).toBe('0');
      expect(response.package?.length).toBeGreaterThan(0);
    });

    it('includes an unlimited data package and mixed-case codes (2.1.0)', async () => {
      const data = await callOperation(client, 'getPackages', { msisdn: '77123456', isdn: '21123456', type: 2 });
      expect(data.package).toContainEqual(expect.objectContaining({ dataUnlimited: true }));
      const extra = await callOperation(client, 'getPackages', { msisdn: '77123456', isdn: '21123456', type: 4 });
      expect(extra.package?.map((p) => p.packageCode)).toEqual(['NEW_GIGASUP_50Go', 'Data_Package_5GB']);
    });

    it.each([
      ['21000453', 1, '453'],
      ['21123456', 7, '453'],
      ['21987654', 1, '2'],
      ['21000003', 1, '3'],
      ['21000005', 1, '5'],
      ['21000009', 1, '1'],
    ])('answers line %p, type %p with code %p and no package', async (isdn, type, code) => {
      const response = await callOperation(client, 'getPackages', { msisdn: '77123456', isdn, type });
      expect(response.returnCode).toBe(code);
      expect(response.package).toBeUndefined();
    });

    it('answers 1 for a mobile that does not exist', async () => {
      await expect(
        callOperation(client, 'getPackages', { msisdn: '77000001', isdn: '21123456', type: 1 }),
      ).resolves.toMatchObject({ returnCode: '1' });
    });
  });

  it('counts calls per operation', async () => {
    const before = sut.callCount('getStatusForRecharge');
    await callOperation(client, 'getStatusForRecharge', { isdn: '21123456' });
    await callOperation(client, 'getStatusForRecharge', { isdn: '21123456' });
    expect(sut.callCount('getStatusForRecharge')).toBe(before + 2);
    expect(sut.executionsOf('anything')).toBe(0);
  });
});
