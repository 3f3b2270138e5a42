import { EMBEDDED_SIMULATOR } from '../../src/operator-endpoint.module';
import type { EmbeddedSimulator } from '../../src/simulator/embedded/embedded-soap-simulator';
import type { SoapSimulator } from '../../src/simulator/soap/soap-simulator';
import { ApiClient, ApiResponse } from '../support/api-client';
import type { TestApp } from '../support/test-app';

/** The TopUp API's paths (spec 004); none of them takes credentials. */
export const paths = {
  balances: '/api/topup/balances',
  numbers: '/api/topup/numbers',
  numbersOf: (msisdn: string) => `/api/topup/numbers/${encodeURIComponent(msisdn)}`,
  status: '/api/topup/status',
  statusOf: (isdn: string) => `/api/topup/status/${encodeURIComponent(isdn)}`,
  packages: '/api/topup/packages',
  subscribe: '/api/topup/subscribe-package',
  recharge: '/api/topup/recharge-account',
  updatePin: '/api/topup/update-pin',
  directoryAdd: '/api/topup/directory/add',
  directoryRemove: '/api/topup/directory/remove',
};

/** The simulator's fixtures (src/simulator/soap/operator.fixtures.ts), as the specs rely on them. */
export const accounts = {
  /** PIN 1234, 5 000 DJF, directory [21123456 (active), 21987654 (suspended)]. */
  rich: { msisdn: '77123456', international: '25377123456', pin: '1234' },
  /** PIN 0000 (the spec's default), 300 DJF, empty directory. */
  poor: { msisdn: '77654321', pin: '0000' },
};
export const lines = {
  /** COMMON 1 500 DJF (25 days), DATA 1 Go (3 days), VOICE_LOCAL 7 200 s (8 hours). */
  active: { isdn: '21123456', international: '25321123456' },
  /** Eligible, COMMON 3 000 DJF only: the guide's package workflow succeeds on it with 77123456. */
  workflow: '21234567',
  unknown: '21000001',
  suspended: '21987654',
  postpaid: '21000003',
  expired: '21000005',
  noPackage: '21000453',
};

/** The live in-process simulator the app talks to (no TOPUP_SOAP_URL in the specs). */
export function simulatorOf(t: TestApp): SoapSimulator {
  const embedded = t.app.get<EmbeddedSimulator | null>(EMBEDDED_SIMULATOR);
  if (!embedded) throw new Error('the app did not start its embedded SOAP simulator');
  return embedded.simulator;
}

/** Polls until `condition` holds (e.g. the simulator has received a request the spec holds with latency). */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Every transaction id a spec uses is new unless it says otherwise. */
let sequence = 0;
export const txId = (label = 'spec') => `dtapp${label}${Date.now()}${++sequence}`;

/** A command's answer without the `replayed: true` a replay of it carries. */
export function withoutReplayMarker(body: Record<string, unknown>): Record<string, unknown> {
  const { replayed: _replayed, ...answer } = body;
  return answer;
}

/** Fails with the body when the status is not the expected one. */
export function expectStatus(res: ApiResponse, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

/** The TopUp error body: `erreur`, `message`, `returnCode` (plus whatever the case adds). */
export function expectTopUpError(res: ApiResponse, status: number, returnCode: string): void {
  expectStatus(res, status);
  expect(res.body).toMatchObject({ erreur: expect.stringMatching(/\S/), message: expect.stringMatching(/\S/), returnCode });
  expect(res.body).not.toHaveProperty('success');
}

/** A 422 "Données invalides" naming `field`, with the details the spec shows. */
export function expectInvalid(res: ApiResponse, field: string, endpoint: string, method: string): void {
  expectStatus(res, 422);
  expect(res.body).toEqual({
    erreur: 'Données invalides',
    message: 'Les données fournies ne respectent pas les règles de validation',
    errors: expect.objectContaining({ [field]: expect.arrayContaining([expect.stringMatching(/\S/)]) }),
    details: { endpoint, method, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) },
  });
}

/** The fixed line's COMMON balance as the API reports it (POST /balances). */
export async function commonBalance(api: ApiClient, isdn: string, msisdn = accounts.rich.msisdn): Promise<number> {
  const res = await api.post(paths.balances, { msisdn, isdn }, { auth: 'none' });
  expectStatus(res, 200);
  const common = (res.body.balances as Array<{ raw_type: string; value: number }>).find((b) => b.raw_type === 'COMMON');
  if (!common) throw new Error(`no COMMON balance for ${isdn}: ${JSON.stringify(res.body)}`);
  return common.value;
}

/** TopUp requests go without credentials. */
export function topUp(api: ApiClient) {
  const none = { auth: 'none' as const };
  return {
    get: (path: string) => api.get(path, none),
    post: (path: string, body?: unknown) => api.post(path, body, none),
    put: (path: string, body?: unknown) => api.put(path, body, none),
    delete: (path: string, body?: unknown) => api.delete(path, body, none),
  };
}
