import { ApiClient, ApiResponse, RequestOptions } from '../support/api-client';
import { registration, rechargeSubmission } from '../support/fixtures';

/** The CallBox device API's paths (spec 000, sections 1-7). */
export const paths = {
  register: '/api/call-box/register',
  heartbeat: '/api/call-box/heartbeat',
  submit: '/api/call-box/transactions/submit',
  pending: (callboxId: string, limit?: number | string) =>
    `/api/call-box/transactions/pending?callboxId=${encodeURIComponent(callboxId)}` +
    (limit === undefined ? '' : `&limit=${encodeURIComponent(String(limit))}`),
  status: (transactionId: string) => `/api/call-box/transactions/${encodeURIComponent(transactionId)}/status`,
  config: (callboxId?: string) =>
    callboxId === undefined ? '/api/call-box/config' : `/api/call-box/config?callboxId=${encodeURIComponent(callboxId)}`,
  stats: '/api/call-box/stats',
};

export const PRIORITY_ORDER = ['high', 'normal', 'low'] as const;

/** Fails the spec with the response body when the status is not the expected one. */
export function expectStatus(res: ApiResponse, status: number): void {
  if (res.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

/** The spec's error fields, always there; `fields` (a 400) and `context` may be added beside them. */
export const CALLBOX_ERROR_KEYS = ['code', 'details', 'error', 'success'];
export const CALLBOX_ERROR_ADDED_KEYS = ['context', 'fields'];

/** The body's keys other than the added ones, sorted: CALLBOX_ERROR_KEYS for a well-formed body. */
export const callboxErrorKeys = (body: Record<string, unknown>) =>
  Object.keys(body)
    .filter((key) => !CALLBOX_ERROR_ADDED_KEYS.includes(key))
    .sort();

/** The error body of the CallBox family: `{ success: false, error, code, details: "..." }`, plus `fields` or `context`. */
export function expectError(res: ApiResponse, status: number, code: string): void {
  expectStatus(res, status);
  expect(callboxErrorKeys(res.body)).toEqual(CALLBOX_ERROR_KEYS);
  expect(res.body).toMatchObject({ success: false, error: expect.stringMatching(/\S/), code, details: expect.stringMatching(/\S/) });
}

/** A 400 REQUEST.INVALID naming `field` in `fields` (and in the `details` sentence). */
export function expectInvalidField(res: ApiResponse, field: string): void {
  expectStatus(res, 400);
  expect(res.body).toMatchObject({ success: false, code: 'REQUEST.INVALID', details: expect.stringContaining(field) });
  expect(Object.keys(res.body.fields)).toContain(field);
  expect(res.body.fields[field].length).toBeGreaterThan(0);
}

export async function registerBox(api: ApiClient, callboxId: string, overrides: Record<string, unknown> = {}, options?: RequestOptions) {
  const res = await api.post(paths.register, registration(callboxId, overrides), options);
  expectStatus(res, 200);
  return res.body;
}

/** Registers a box with its own capabilities (the fixture's other fields kept). */
export function registerWith(api: ApiClient, callboxId: string, capabilities: Record<string, unknown>) {
  return registerBox(api, callboxId, {
    capabilities: { maxConcurrentTransactions: 5, supportedTypes: ['recharge', 'voucher', 'deposit', 'withdraw'], ...capabilities },
  });
}

export async function submit(api: ApiClient, overrides: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const res = await api.post(paths.submit, rechargeSubmission(overrides), { headers });
  expectStatus(res, 200);
  return res.body.transaction;
}

export async function claim(api: ApiClient, callboxId: string, limit?: number) {
  const res = await api.get(paths.pending(callboxId, limit));
  expectStatus(res, 200);
  return res.body as { success: true; transactions: any[]; count: number; totalPending: number; status: string; message?: string };
}

export function report(api: ApiClient, transactionId: string, callboxId: string, status: string, result?: Record<string, unknown>) {
  return api.put(paths.status(transactionId), { status, callboxId, ...(result && { result }) });
}

export async function stats(api: ApiClient) {
  const res = await api.get(paths.stats);
  expectStatus(res, 200);
  return res.body.stats;
}

export const iso = (ms: number) => new Date(ms).toISOString();
