import type { Client } from 'soap';
import { ActionType, OperatorCode } from '../../operator/operator-codes';
import type { ExecuteCommandRequest } from '../../operator/soap-types';
import { callOperation, createTopUpClient } from './soap-simulator.testing';
import { SoapSimulator } from './soap-simulator';

const CREDENTIALS = { username: 'test-user', password: 'test-pass' };
const NOW = Date.parse('2025-01-15T07:30:00Z');
const DAY = 86_400_000;
const GO = 1073741824;

describe(SoapSimulator.name, () => {
  let sut: SoapSimulator;
  let client: Client;
  let sequence = 0;

  type CommandInput = Partial<ExecuteCommandRequest> & Pick<ExecuteCommandRequest, 'actionType' | 'commandContent'>;
  const command = (request: CommandInput) =>
    callOperation(client, 'executeCommand', {
      msisdn: '77123456',
      pincode: '1234',
      transactionId: `dtapp${++sequence}`,
      ...request,
    });
  const codeOf = async (request: CommandInput) => (await command(request)).returnCode;
  const fixedCommon = () => sut.fixedLineBalances('21123456')?.COMMON?.value;
  const mobileBalance = (msisdn = '77123456') => sut.mobileAccount(msisdn)?.balance;

  beforeAll(async () => {
    sut = new SoapSimulator(CREDENTIALS, { now: () => NOW });
    const { url } = await sut.start();
    client = await createTopUpClient(url, CREDENTIALS);
  });

  beforeEach(async () => {
    await sut.reset();
  });

  afterAll(async () => {
    await sut.stop();
  });

  describe('recharge (5)', () => {
    it('moves exactly the amount from the mobile to the fixed line', async () => {
      await expect(
        command({
          actionType: ActionType.RECHARGE,
          commandContent: '21123456#1000',
          transactionId: 'dtapp1642345678123456',
        }),
      ).resolves.toEqual({
        returnCode: '0',
        description: 'Success',
        transactionId: 'dtapp1642345678123456',
        fixedBalanceBefore: 1500,
        fixedBalanceAfter: 2500,
        mobileBalanceBefore: 5000,
        mobileBalanceAfter: 4000,
      });
      expect(mobileBalance()).toBe(4000);
      expect(fixedCommon()).toBe(2500);
      const balances = await callOperation(client, 'getBalances', { msisdn: '77123456', isdn: '21123456' });
      expect(balances.balance?.[0]).toMatchObject({ type: 'COMMON', value: 2500 });
    });

    it('keeps decimals exact', async () => {
      await command({ actionType: ActionType.RECHARGE, commandContent: '21123456#100.10' });
      await command({ actionType: ActionType.RECHARGE, commandContent: '21123456#100.20' });
      expect(mobileBalance()).toBe(4799.7);
      expect(fixedCommon()).toBe(1700.3);
    });

    it('accepts international numbers in the request and the content', async () => {
      const response = await command({ msisdn: '25377123456', actionType: 5, commandContent: '25321123456#500' });
      expect(response).toMatchObject({ returnCode: '0', mobileBalanceAfter: 4500, fixedBalanceAfter: 2000 });
    });

    it('answers 400 with the amounts when the mobile cannot pay, and moves nothing', async () => {
      await expect(
        command({ msisdn: '77654321', pincode: '0000', actionType: 5, commandContent: '21123456#1000' }),
      ).resolves.toMatchObject({ returnCode: '400', requiredAmount: 1000, currentBalance: 300 });
      expect(mobileBalance('77654321')).toBe(300);
      expect(fixedCommon()).toBe(1500);
    });

    it('recharges a line without packages (453) but no other ineligible line', async () => {
      await expect(command({ actionType: 5, commandContent: '21000453#100' })).resolves.toMatchObject({
        returnCode: '0',
        fixedBalanceBefore: 250,
        fixedBalanceAfter: 350,
      });
      for (const [isdn, code] of [
        ['21987654', '2'],
        ['21000003', '3'],
        ['21000005', '5'],
        ['21000077', '1'],
      ]) {
        await expect(codeOf({ actionType: 5, commandContent: `${isdn}#100` })).resolves.toBe(code);
      }
      expect(mobileBalance()).toBe(4900);
    });

    it.each(['21123456', '21123456#', '21123456#abc', '21123456#-5', '21123456#0', '2112#100', '21123456#100#1'])(
      'answers 421 for content %p',
      async (commandContent) => {
        await expect(codeOf({ actionType: 5, commandContent })).resolves.toBe('421');
      },
    );
  });

  describe('package subscription (4)', () => {
    it('debits the fixed line and credits the data and voice of the package', async () => {
      await command({ actionType: 5, commandContent: '21123456#1000' });
      await expect(command({ actionType: 4, commandContent: '21123456#EMPLOYE_2M' })).resolves.toMatchObject({
        returnCode: '0',
        fixedBalanceBefore: 2500,
        fixedBalanceAfter: 500,
      });
      const balances = sut.fixedLineBalances('21123456');
      expect(balances?.COMMON?.value).toBe(500);
      expect(balances?.DATA_PREPAID).toEqual({ value: 2 * GO, expireAt: NOW + 60 * DAY });
      expect(balances?.VOICE_LOCAL).toEqual({ value: 14400, expireAt: NOW + 60 * DAY });
      expect(mobileBalance()).toBe(4000);
    });

    it('answers 400 with required and current amounts when the line cannot pay', async () => {
      await expect(command({ actionType: 4, commandContent: '21123456#EMPLOYE_2M' })).resolves.toMatchObject({
        returnCode: '400',
        requiredAmount: 2000,
        currentBalance: 1500,
      });
      expect(sut.fixedLineBalances('21123456')?.DATA_PREPAID?.value).toBe(GO);
      expect(fixedCommon()).toBe(1500);
    });

    it('subscribes DATA_500MB for 500 DJF', async () => {
      await expect(command({ actionType: 4, commandContent: '25321123456#DATA_500MB' })).resolves.toMatchObject({
        returnCode: '0',
        fixedBalanceBefore: 1500,
        fixedBalanceAfter: 1000,
      });
      expect(sut.fixedLineBalances('21123456')?.DATA_PREPAID?.value).toBe(GO + 524288000);
    });

    it.each([
      ['21123456#UNKNOWN_PACK', '404'],
      ['21123456#employe_2m', '404'],
      ['21000453#DATA_500MB', '453'],
      ['21987654#DATA_500MB', '2'],
      ['21000003#DATA_500MB', '3'],
      ['21000005#DATA_500MB', '5'],
      ['21000077#DATA_500MB', '1'],
      ['21123456#BAD-CODE', '421'],
      ['21123456', '421'],
    ])('answers %p with %p and moves nothing', async (commandContent, code) => {
      await expect(codeOf({ actionType: 4, commandContent })).resolves.toBe(code);
      expect(fixedCommon()).toBe(1500);
    });
  });

  describe('PIN change (1)', () => {
    it('needs the old PIN, then the new one is the PIN for every command', async () => {
      await expect(codeOf({ actionType: 1, pincode: '1234', commandContent: '5678' })).resolves.toBe('0');
      await expect(codeOf({ actionType: 5, pincode: '1234', commandContent: '21123456#100' })).resolves.toBe('401');
      await expect(codeOf({ actionType: 5, pincode: '5678', commandContent: '21123456#100' })).resolves.toBe('0');
    });

    it('answers 401 to a wrong old PIN and keeps the PIN', async () => {
      await expect(codeOf({ actionType: 1, pincode: '9999', commandContent: '5678' })).resolves.toBe('401');
      await expect(codeOf({ actionType: 1, pincode: '1234', commandContent: '5678' })).resolves.toBe('0');
    });

    it('answers 421 to a new PIN that is not 4 digits', async () => {
      await expect(codeOf({ actionType: 1, commandContent: '12a4' })).resolves.toBe('421');
    });
  });

  describe('directory (2, 3)', () => {
    it('adds a number with today as its date and lists it', async () => {
      const added = command({ msisdn: '77654321', pincode: '0000', actionType: 2, commandContent: '25321123456' });
      await expect(added).resolves.toMatchObject({ returnCode: '0', directorySize: 1 });
      await expect(callOperation(client, 'getMyNumbers', { msisdn: '77654321' })).resolves.toMatchObject({
        number: [{ isdn: '21123456', addedDate: '2025-01-15', statusCode: '0' }],
      });
    });

    it('answers 409 for a number already there and 1 for a line that does not exist', async () => {
      await expect(codeOf({ actionType: 2, commandContent: '21123456' })).resolves.toBe('409');
      await expect(codeOf({ actionType: 2, commandContent: '21000077' })).resolves.toBe('1');
      await expect(codeOf({ actionType: 2, commandContent: '77654321' })).resolves.toBe('421');
    });

    it('removes a number, then answers 410 for it', async () => {
      await expect(command({ actionType: 3, commandContent: '21987654' })).resolves.toMatchObject({
        returnCode: '0',
        directorySize: 1,
      });
      expect(sut.mobileAccount('77123456')?.directory).toEqual(['21123456']);
      await expect(codeOf({ actionType: 3, commandContent: '21987654' })).resolves.toBe('410');
    });
  });

  describe('checks common to every command', () => {
    it.each([
      [ActionType.DIRECTORY_ADD, '21000453'],
      [ActionType.DIRECTORY_REMOVE, '21123456'],
      [ActionType.PACKAGE_SUBSCRIPTION, '21123456#DATA_500MB'],
      [ActionType.RECHARGE, '21123456#100'],
    ])('answers 401 to action %p with a wrong PIN and changes nothing', async (actionType, commandContent) => {
      await expect(codeOf({ actionType, commandContent, pincode: '0000' })).resolves.toBe('401');
      expect(sut.mobileAccount('77123456')).toEqual({
        msisdn: '77123456',
        balance: 5000,
        directory: ['21123456', '21987654'],
      });
      expect(fixedCommon()).toBe(1500);
    });

    it('answers 401 when the PIN is empty', async () => {
      await expect(codeOf({ actionType: 5, commandContent: '21123456#100', pincode: '' })).resolves.toBe('401');
    });

    it.each([0, 6, 44, 55])('answers 422 to action type %p', async (actionType) => {
      const code = codeOf({ actionType, commandContent: '21123456#1000' });
      await expect(code).resolves.toBe(OperatorCode.UNKNOWN_ACTION_TYPE);
      expect(mobileBalance()).toBe(5000);
    });

    it('answers 1 for a mobile that does not exist', async () => {
      const unknownMobile = command({ msisdn: '77000000', actionType: 5, commandContent: '21123456#100' });
      await expect(unknownMobile).resolves.toMatchObject({
        returnCode: '1',
        description: 'Mobile number does not exist',
      });
    });
  });

  describe('transaction ids', () => {
    it('never deduplicates: the same id runs again, and each run is counted', async () => {
      const request = { actionType: 5, commandContent: '21123456#1000', transactionId: 'dtappDUPLICATE1' };
      await command(request);
      await command(request);
      expect(sut.executionsOf('dtappDUPLICATE1')).toBe(2);
      expect(mobileBalance()).toBe(3000);
      expect(fixedCommon()).toBe(3500);
    });

    it('counts refused commands as executed too, and echoes the id', async () => {
      const refused = command({
        actionType: 5,
        commandContent: '21123456#1000',
        pincode: '0000',
        transactionId: 'dtappX',
      });
      await expect(refused).resolves.toMatchObject({ returnCode: '401', transactionId: 'dtappX' });
      expect(sut.executionsOf('dtappX')).toBe(1);
      expect(sut.executionsOf('dtappNEVER')).toBe(0);
      expect(sut.callCount('executeCommand')).toBe(1);
    });

    it('clears counts and state on reset', async () => {
      await command({ actionType: 5, commandContent: '21123456#1000', transactionId: 'dtappR' });
      await sut.reset();
      expect(sut.executionsOf('dtappR')).toBe(0);
      expect(sut.callCount('executeCommand')).toBe(0);
      expect(mobileBalance()).toBe(5000);
    });
  });
});
