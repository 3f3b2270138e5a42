import { createServer } from 'node:net';
import type { Client } from 'soap';
import { callOperation, createTopUpClient } from './soap-simulator.testing';
import { SoapSimulator } from './soap-simulator';

const CREDENTIALS = { username: 'test-user', password: 'test-pass' };
const STATUS = { isdn: '21123456' };

describe(SoapSimulator.name, () => {
  let sut: SoapSimulator;
  let url: string;
  let client: Client;

  const statusCall = () => callOperation(client, 'getStatusForRecharge', STATUS);
  const controlUrl = (path: string) => new URL(`/__simulator/${path}`, url).toString();
  const post = (path: string, body?: unknown) =>
    fetch(controlUrl(path), { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });

  beforeEach(async () => {
    sut = new SoapSimulator(CREDENTIALS);
    ({ url } = await sut.start());
    client = await createTopUpClient(url, CREDENTIALS);
  });

  afterEach(async () => {
    await sut.stop();
  });

  describe('authentication', () => {
    it.each([
      ['a wrong password', { username: 'test-user', password: 'nope' }],
      ['a wrong username', { username: 'someone', password: 'test-pass' }],
      ['no AuthHeader', undefined],
    ])('answers %p with a SOAP 1.1 client fault and HTTP 401', async (_case, credentials) => {
      const stranger = await createTopUpClient(url, credentials);
      await expect(callOperation(stranger, 'getStatusForRecharge', STATUS)).rejects.toMatchObject({
        response: { status: 401 },
        root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client' } } } },
      });
    });

    it('runs nothing for an unauthenticated command, but counts the call', async () => {
      const stranger = await createTopUpClient(url, { username: 'x', password: 'y' });
      await expect(
        callOperation(stranger, 'executeCommand', {
          msisdn: '77123456',
          actionType: 5,
          commandContent: '21123456#1000',
          pincode: '1234',
          transactionId: 'dtappAUTH',
        }),
      ).rejects.toMatchObject({ response: { status: 401 } });
      expect(sut.executionsOf('dtappAUTH')).toBe(0);
      expect(sut.callCount('executeCommand')).toBe(1);
      expect(sut.mobileAccount('77123456')?.balance).toBe(5000);
    });
  });

  describe('injected SOAP faults', () => {
    it('answers soap:Server with HTTP 500 until faults are reset', async () => {
      await sut.setFaults({ fault: 'server' });
      await expect(callOperation(client, 'getStatusForRecharge', STATUS)).rejects.toMatchObject({
        response: { status: 500 },
        root: { Envelope: { Body: { Fault: { faultcode: 'soap:Server', faultstring: 'Simulated server fault' } } } },
      });
      await sut.resetFaults();
      await expect(callOperation(client, 'getStatusForRecharge', STATUS)).resolves.toMatchObject({ returnCode: '0' });
      expect(sut.callCount('getStatusForRecharge')).toBe(2);
    });

    it('answers soap:Client with HTTP 500 for a client fault', async () => {
      await sut.setFaults({ fault: 'client' });
      const call = callOperation(client, 'getBalances', { msisdn: '77123456', isdn: '21123456' });
      await expect(call).rejects.toMatchObject({
        response: { status: 500 },
        root: { Envelope: { Body: { Fault: { faultcode: 'soap:Client' } } } },
      });
    });

    it('executes no command while faulting', async () => {
      await sut.setFaults({ fault: 'server' });
      await expect(
        callOperation(client, 'executeCommand', {
          msisdn: '77123456',
          actionType: 5,
          commandContent: '21123456#1000',
          pincode: '1234',
          transactionId: 'dtappFAULT',
        }),
      ).rejects.toMatchObject({ response: { status: 500 } });
      expect(sut.executionsOf('dtappFAULT')).toBe(0);
      expect(sut.mobileAccount('77123456')?.balance).toBe(5000);
    });
  });

  describe('refused connections', () => {
    it('gives ECONNREFUSED, then works again on the same port', async () => {
      await sut.setFaults({ refuseConnections: true });
      await expect(statusCall()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await sut.setFaults({ refuseConnections: false });
      expect(sut.url).toBe(url);
      await expect(callOperation(client, 'getStatusForRecharge', STATUS)).resolves.toMatchObject({ returnCode: '0' });
    });

    it('keeps the other faults while refusing, and resetFaults opens again', async () => {
      await sut.setFaults({ latencyMs: 10 });
      await sut.setFaults({ refuseConnections: true });
      expect(sut.currentFaults()).toEqual({ latencyMs: 10, fault: null, refuseConnections: true });
      await sut.resetFaults();
      expect(sut.currentFaults()).toEqual({ latencyMs: 0, fault: null, refuseConnections: false });
      await expect(callOperation(client, 'getStatusForRecharge', STATUS)).resolves.toMatchObject({ returnCode: '0' });
    });
  });

  describe('latency', () => {
    it('delays every answer by at least latencyMs', async () => {
      await sut.setFaults({ latencyMs: 300 });
      const started = Date.now();
      await expect(callOperation(client, 'getStatusForRecharge', STATUS)).resolves.toMatchObject({ returnCode: '0' });
      const slow = Date.now() - started;
      expect(slow).toBeGreaterThanOrEqual(290);
      await sut.setFaults({ latencyMs: 0 });
      const restarted = Date.now();
      await callOperation(client, 'getStatusForRecharge', STATUS);
      expect(Date.now() - restarted).toBeLessThan(slow);
    });

    it('runs a command on arrival, so a client that gives up still leaves it executed', async () => {
      // The client gives up well after its request arrives even on a starved machine (a 100 ms
      // timeout once gave up before the simulator had read it), and long before the answer.
      await sut.setFaults({ latencyMs: 10_000 });
      const request = {
        msisdn: '77123456',
        actionType: 5,
        commandContent: '21123456#1000',
        pincode: '1234',
        transactionId: 'dtappSLOW',
      };
      // The second argument of an xxxAsync method is handed to axios: a 1 s client timeout.
      await expect(client.executeCommandAsync(request, { timeout: 1_000 })).rejects.toMatchObject({
        code: 'ECONNABORTED',
      });
      expect(sut.executionsOf('dtappSLOW')).toBe(1);
      expect(sut.mobileAccount('77123456')?.balance).toBe(4000);
    });
  });

  describe('control endpoint', () => {
    it('sets faults from JSON and resets faults and state', async () => {
      await callOperation(client, 'executeCommand', {
        msisdn: '77123456',
        actionType: 5,
        commandContent: '21123456#1000',
        pincode: '1234',
        transactionId: 'dtappCTRL',
      });
      const set = await post('faults', { fault: 'server', latencyMs: 5 });
      expect(set.status).toBe(200);
      const faults = { fault: 'server', latencyMs: 5, refuseConnections: false };
      await expect(set.json()).resolves.toEqual({ faults });
      await expect(statusCall()).rejects.toMatchObject({ response: { status: 500 } });

      const reset = await post('reset');
      expect(reset.status).toBe(200);
      expect(sut.currentFaults()).toEqual({ latencyMs: 0, fault: null, refuseConnections: false });
      expect(sut.mobileAccount('77123456')?.balance).toBe(5000);
      expect(sut.executionsOf('dtappCTRL')).toBe(0);
    });

    it('refuses connections after answering, and re-opens after refuseForMs', async () => {
      const response = await post('faults', { refuseConnections: true, refuseForMs: 800 });
      expect(response.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(statusCall()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await new Promise((resolve) => setTimeout(resolve, 900));
      await expect(callOperation(client, 'getStatusForRecharge', STATUS)).resolves.toMatchObject({ returnCode: '0' });
    });

    it.each([
      [{ fault: 'boom' }],
      [{ latencyMs: -1 }],
      [{ refuseConnections: 'yes' }],
      [{ unknown: true }],
      [[1, 2]],
    ])('answers 400 to %p and changes nothing', async (body) => {
      const response = await post('faults', body);
      expect(response.status).toBe(400);
      expect(sut.currentFaults()).toEqual({ latencyMs: 0, fault: null, refuseConnections: false });
    });

    it('answers 400 to a body that is not JSON', async () => {
      const response = await fetch(controlUrl('faults'), { method: 'POST', body: '{nope' });
      expect(response.status).toBe(400);
    });

    it('reports faults and call counts, and 404s anything else', async () => {
      await callOperation(client, 'getMyNumbers', { msisdn: '77123456' });
      const state = await fetch(controlUrl('state'));
      await expect(state.json()).resolves.toEqual({
        faults: { latencyMs: 0, fault: null, refuseConnections: false },
        calls: { getMyNumbers: 1 },
        commandsByMobile: {},
      });
      expect((await fetch(controlUrl('nothing'))).status).toBe(404);
      expect((await fetch(new URL('/elsewhere', url))).status).toBe(404);
    });

    it('serves the WSDL', async () => {
      const response = await fetch(`${url}?wsdl`);
      await expect(response.text()).resolves.toContain('QueueSoapService');
    });
  });

  describe('lifecycle', () => {
    it('refuses to start twice and rejects a port already taken', async () => {
      await expect(sut.start()).rejects.toThrow('already started');
      const port = Number(new URL(url).port);
      const other = new SoapSimulator(CREDENTIALS);
      await expect(other.start(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(() => other.url).toThrow('not started');
    });

    it('starts on a given port and keeps its state across stop and start', async () => {
      const probe = createServer();
      const port = await new Promise<number>((resolve) =>
        probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
      );
      await new Promise((resolve) => probe.close(resolve));
      const other = new SoapSimulator(CREDENTIALS);
      const expected = { url: `http://127.0.0.1:${port}/soap/queueSoapService` };
      await expect(other.start(port)).resolves.toEqual(expected);
      const otherClient = await createTopUpClient(expected.url, CREDENTIALS);
      await callOperation(otherClient, 'executeCommand', {
        msisdn: '77123456',
        actionType: 5,
        commandContent: '21123456#1000',
        pincode: '1234',
        transactionId: 'dtappKEEP',
      });
      await other.stop();
      await expect(other.start(port)).resolves.toEqual(expected);
      expect(other.mobileAccount('77123456')?.balance).toBe(4000);
      expect(other.executionsOf('dtappKEEP')).toBe(1);
      await other.stop();
    });

    it('stops while an answer is still delayed', async () => {
      await sut.setFaults({ latencyMs: 10_000 });
      const pending = callOperation(client, 'getStatusForRecharge', STATUS);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await sut.stop();
      await expect(pending).rejects.toBeDefined();
      ({ url } = await sut.start());
    });
  });
});
