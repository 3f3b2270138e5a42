import type { Client } from 'soap';
import { ActionType } from '../../operator/operator-codes';
import type { ExecuteCommandRequest } from '../../operator/soap-types';
import { callOperation, createTopUpClient } from './soap-simulator.testing';
import { SoapSimulator } from './soap-simulator';

const CREDENTIALS = { username: 'test-user', password: 'test-pass' };

describe(`${SoapSimulator.name} command counts per mobile number`, () => {
  let sut: SoapSimulator;
  let url: string;
  let client: Client;
  let sequence = 0;

  const command = (request: Partial<ExecuteCommandRequest>, caller = client) =>
    callOperation(caller, 'executeCommand', {
      msisdn: '77123456',
      actionType: ActionType.DIRECTORY_ADD,
      commandContent: '21000003',
      pincode: '1234',
      transactionId: `dtappCOUNT${++sequence}`,
      ...request,
    });
  const control = (path: string, init?: RequestInit) => fetch(new URL(`/__simulator/${path}`, url), init);
  const state = async () => (await (await control('state')).json()) as { commandsByMobile: Record<string, unknown> };
  const addMobile = (body: unknown) => control('mobiles', { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    sut = new SoapSimulator(CREDENTIALS);
    ({ url } = await sut.start());
    client = await createTopUpClient(url, CREDENTIALS);
  });

  beforeEach(async () => {
    await sut.reset();
  });

  afterAll(async () => {
    await sut.stop();
  });

  it('counts, per number in its local form, the commands received, the wrong PINs and the executions', async () => {
    await command({ pincode: '0000' });
    await command({ msisdn: '25377123456', pincode: '9999' });
    await command({ msisdn: '25377123456' });
    await command({ msisdn: '77654321', pincode: '0000', actionType: ActionType.DIRECTORY_REMOVE, commandContent: '21123456' });

    expect(sut.commandCountsOf('25377123456')).toEqual({ received: 3, wrongPin: 2, executed: 1 });
    // Refused by the operator for another reason (not in the directory): neither wrong nor executed.
    expect(sut.commandCountsOf('77654321')).toEqual({ received: 1, wrongPin: 0, executed: 0 });
    await expect(state()).resolves.toMatchObject({
      commandsByMobile: { '77123456': { received: 3, wrongPin: 2, executed: 1 }, '77654321': { received: 1, wrongPin: 0, executed: 0 } },
    });
  });

  it('counts a command refused for its credentials or a fault as received only', async () => {
    const stranger = await createTopUpClient(url, { username: 'x', password: 'y' });
    await expect(command({ pincode: '0000' }, stranger)).rejects.toMatchObject({ response: { status: 401 } });
    await sut.setFaults({ fault: 'server' });
    await expect(command({ pincode: '0000' })).rejects.toMatchObject({ response: { status: 500 } });

    expect(sut.commandCountsOf('77123456')).toEqual({ received: 2, wrongPin: 0, executed: 0 });
  });

  it('clears the counts on reset and reports none for a number never named', async () => {
    await command({ pincode: '0000' });
    await control('reset', { method: 'POST' });

    await expect(state()).resolves.toMatchObject({ commandsByMobile: {} });
    expect(sut.commandCountsOf('77999999')).toEqual({ received: 0, wrongPin: 0, executed: 0 });
  });

  it('opens an account through the control endpoint, whose PIN then works (either number form)', async () => {
    const opened = await addMobile({ msisdn: '25377000042', pin: '4321', balance: 1000 });
    expect(opened.status).toBe(201);
    await expect(opened.json()).resolves.toEqual({ mobile: { msisdn: '77000042', balance: 1000, directory: [] } });

    await expect(command({ msisdn: '77000042', pincode: '4321' })).resolves.toMatchObject({ returnCode: '0' });
    await expect(command({ msisdn: '25377000042', pincode: '1234', commandContent: '21123456' })).resolves.toMatchObject({ returnCode: '401' });
    expect(sut.commandCountsOf('77000042')).toEqual({ received: 2, wrongPin: 1, executed: 1 });

    await sut.reset();
    expect(sut.mobileAccount('77000042')).toBeUndefined();
  });

  it.each([
    ['a fixed number', { msisdn: '21123456', pin: '1234' }],
    ['a PIN of 3 digits', { msisdn: '77000042', pin: '123' }],
    ['a negative balance', { msisdn: '77000042', pin: '1234', balance: -1 }],
  ])('refuses to open an account with %s', async (_case, body) => {
    const refused = await addMobile(body);
    expect(refused.status).toBe(400);
    expect(sut.mobileAccount('77000042')).toBeUndefined();
  });
});
