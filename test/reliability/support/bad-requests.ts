import fc from 'fast-check';
import { SPEC_STATUSES } from '../../../src/callbox/transactions/update-status.dto';
import { E164_PATTERN, MAX_AMOUNT, PAY_ITEM_ID_PATTERN } from '../../../src/callbox/transactions/submit-transaction.dto';
import { CALLBOX_ID_PATTERN } from '../../../src/common/validation/validators';
import { TOPUP_TRANSACTION_ID_PATTERN } from '../../../src/topup/commands/topup-transaction-id';
import { ISDN_PATTERN, MSISDN_PATTERN } from '../../../src/operator/phone-number.format';
import { PRIORITIES, TRANSACTION_TYPES } from '../../../src/transactions/transaction';
import { authHeaders, badQuery, bodilessRoute, JsonRoute, jsonRoute, queryField } from './bad-routes';
import { anyString, BadRequest, enc, Field, field, FuzzTargets, matches, notAnObject, notANumber, notAString, oneOf, refusedInt, refusedString } from './bad-values';

export type { BadRequest, FuzzTargets } from './bad-values';

/** Every route of the app with the ways a request to it can be wrong (see bad-values.ts). */
const CALLBOX_ID_MISSES = ['x'.repeat(65), 'box 1', 'box/1', 'box.1', 'boîte', 'box_1\n'];

const MSISDN = fc.integer({ min: 0, max: 999_999 }).map((n) => `77${String(n).padStart(6, '0')}`);
const ISDN = fc.integer({ min: 0, max: 999_999 }).map((n) => `21${String(n).padStart(6, '0')}`);
const isTopUpTransactionId = (s: string) => TOPUP_TRANSACTION_ID_PATTERN.test(s) && s.length >= 8 && s.length <= 50;

const topupNumbers = {
  msisdn: () => field('msisdn', MSISDN, refusedString(matches(MSISDN_PATTERN), { nullable: false, nearMisses: ['7712345', '771234567', '78123456', '+25377123456', '25377 123456', '77-123456'] }), true),
  isdn: () => field('isdn', ISDN, refusedString(matches(ISDN_PATTERN), { nullable: false, nearMisses: ['2112345', '211234567', '22123456', '+25321123456', '21 123456'] }), true),
  pincode: (name = 'pincode', required = false) =>
    field(name, '1234', refusedString(matches(/^[0-9]{4}$/), { nullable: false, nearMisses: ['123', '12345', '12a4', ' 1234', '１２３４'] }), required),
  transactionId: () =>
    field('transaction_id', fc.integer({ min: 0, max: 1e9 }).map((n) => `dtappfuzz${n}`), refusedString(isTopUpTransactionId, { nullable: false, nearMisses: ['dtapp12', `dtapp${'a'.repeat(46)}`, 'DTAPP12345', 'dtapp-12345', 'xtapp12345'] }), false),
};

/** Every route of the app, each with its ways of being wrong, weighted alike. */
export function badRequests(targets: FuzzTargets): fc.Arbitrary<BadRequest> {
  const box = targets.boxId;
  const callboxId = (required: boolean, valid: unknown = box) =>
    field('callboxId', valid, refusedString(matches(CALLBOX_ID_PATTERN), { nullable: !required, nearMisses: CALLBOX_ID_MISSES }), required);
  const capabilities = { maxConcurrentTransactions: 5, supportedTypes: ['recharge'] };
  const submitFields = [
    field('type', 'recharge', refusedString(oneOf(TRANSACTION_TYPES), { nullable: false, nearMisses: ['RECHARGE', 'Recharge', ' recharge', 'recharges'] }), true),
    field('phoneNumber', '+237677123456', refusedString(matches(E164_PATTERN), { nullable: false, nearMisses: ['237677123456', '+0237677123', '+2376771234567890', '+237 677123456', '+1234567'] }), true),
    field('amount', 1000, refusedInt(1, MAX_AMOUNT, { nullable: false }), false),
    field('payItemId', 'MTN_RECHARGE_1000', refusedString(matches(PAY_ITEM_ID_PATTERN), { nullable: false, nearMisses: ['x'.repeat(65), 'MTN RECHARGE', 'MTN.1000'] }), true),
    field(
      'customerInfo',
      { name: 'Jean Dupont', operator: 'MTN' },
      fc.oneof(
        notAnObject,
        fc.record({ name: fc.oneof(fc.constant(''), fc.constant('n'.repeat(201)), notAString) }),
        fc.record({ operator: fc.oneof(fc.constant(''), fc.constant('o'.repeat(65)), notAString) }),
      ),
      false,
    ),
    field('priority', 'normal', refusedString(oneOf(PRIORITIES), { nearMisses: ['HIGH', 'urgent', ' low'] }), false),
  ];
  const idempotencyKey = fc
    .oneof(
      fc.string({ minLength: 129, maxLength: 400 }),
      fc.constantFrom('key with spaces', 'café-42', 'clé', 'a\tb', `${'k'.repeat(100)} ${'k'.repeat(10)}`),
      fc.string({ minLength: 1, maxLength: 100 }),
    )
    .filter((k) => !/^[\x21-\x7e]{1,128}$/.test(k.trim()) && k.trim() !== '')
    .map((k) => ({ headers: { 'idempotency-key': k }, why: 'bad Idempotency-Key' }));
  const transactionPath = (suffix: string) =>
    fc.oneof(fc.constantFrom(...targets.transactionIds), anyString, fc.constant('tx_unknown_0000')).map((id) => `/api/call-box/transactions/${enc(id)}${suffix}`);

  const routes: Array<fc.Arbitrary<BadRequest>> = [
    jsonRoute(
      {
        endpoint: 'POST /api/call-box/register',
        family: 'callbox',
        method: 'POST',
        path: fc.constant('/api/call-box/register'),
        audience: 'callbox',
        fields: [
          callboxId(true, fc.integer({ min: 0, max: 1e6 }).map((n) => `fuzz_box_${n}`)),
          field(
            'capabilities',
            capabilities,
            fc.oneof(
              fc.constant(null),
              notAnObject,
              fc.constantFrom([], [capabilities], [capabilities, capabilities]),
              fc.record({ maxConcurrentTransactions: refusedInt(1, 100, { nullable: false }), supportedTypes: fc.constant(['recharge']) }),
              fc.record({
                maxConcurrentTransactions: fc.constant(5),
                supportedTypes: fc.oneof(
                  fc.constantFrom([], ['recharge', 'recharge'], 'recharge', { 0: 'recharge' }),
                  fc.array(refusedString(oneOf(TRANSACTION_TYPES)), { minLength: 1, maxLength: 3 }),
                ),
              }),
              fc.record({
                maxConcurrentTransactions: fc.constant(5),
                supportedTypes: fc.constant(['recharge']),
                operators: fc.oneof(
                  fc.constantFrom([''], ['o'.repeat(65)], 'MTN', [1, 2], Array.from({ length: 21 }, (_, i) => `OP${i}`)),
                  notAString.filter((v) => !Array.isArray(v)),
                ),
              }),
            ),
            true,
          ),
          field('version', '1.0.0', fc.oneof(fc.integer({ min: 33, max: 500 }).map((n) => 'v'.repeat(n)), notAString), false),
          field('location', 'Douala', fc.oneof(fc.integer({ min: 201, max: 2000 }).map((n) => 'l'.repeat(n)), notAString), false),
        ],
      },
      targets,
    ),
    jsonRoute(
      {
        endpoint: 'POST /api/call-box/heartbeat',
        family: 'callbox',
        method: 'POST',
        path: fc.constant('/api/call-box/heartbeat'),
        audience: 'callbox',
        fields: [
          callboxId(true),
          field('status', 'active', refusedString(matches(/^[a-z_]{1,32}$/), { nullable: false, nearMisses: ['Active', 'en ligne', 'a'.repeat(33), 'busy-1'] }), true),
          field('queueSize', 3, refusedInt(0, 100_000), false),
          field(
            'metrics',
            { uptime: 10, memoryUsage: 40, processedTransactions: 1 },
            fc.oneof(
              notAnObject,
              fc.constantFrom([{ uptime: 5 }], []),
              fc.record({ uptime: fc.oneof(fc.double({ min: -1e9, max: -0.001, noNaN: true }), notANumber) }),
              fc.record({ memoryUsage: fc.oneof(fc.double({ min: 100.001, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -0.001, noNaN: true }), notANumber) }),
              fc.record({ processedTransactions: refusedInt(0, Infinity) }),
            ),
            false,
          ),
        ],
      },
      targets,
    ),
    jsonRoute(
      {
        endpoint: 'POST /api/call-box/transactions/submit',
        family: 'callbox',
        method: 'POST',
        path: fc.constant('/api/call-box/transactions/submit'),
        audience: 'callbox',
        fields: submitFields,
        badHeaders: idempotencyKey,
      },
      targets,
    ),
    fc
      .tuple(
        badQuery([
          queryField('callboxId', box, matches(CALLBOX_ID_PATTERN), CALLBOX_ID_MISSES, true),
          queryField('limit', '5', (s) => /^\d{1,4}$/.test(s) && Number(s) >= 1 && Number(s) <= 100, ['0', '101', '-1', '1e2', '0x10', '5.5', ' 5', '10000'], false),
        ]),
        fc.boolean(),
      )
      .map(([{ query, why }]) => ({
        endpoint: 'GET /api/call-box/transactions/pending',
        family: 'callbox' as const,
        method: 'GET',
        path: `/api/call-box/transactions/pending?${query}`,
        headers: authHeaders('callbox', targets),
        why,
      })),
    bodilessRoute('GET /api/call-box/transactions/pending', 'GET', `/api/call-box/transactions/pending?callboxId=${box}&limit=5`, 'callbox', targets),
    jsonRoute(
      {
        endpoint: 'PUT /api/call-box/transactions/{transactionId}/status',
        family: 'callbox',
        method: 'PUT',
        path: transactionPath('/status'),
        audience: 'callbox',
        fields: [
          field('status', 'completed', refusedString(oneOf(SPEC_STATUSES), { nullable: false, nearMisses: ['COMPLETED', 'needs_review', 'expired', 'done', 'completed '] }), true),
          callboxId(true),
          field(
            'result',
            { success: true, transactionRef: 'MTN1' },
            fc.oneof(
              notAnObject,
              fc.record({ success: fc.oneof(fc.constantFrom('yes', 'true', 1, 0), notAString.filter((v) => typeof v !== 'boolean')) }),
              fc.record({ transactionRef: fc.oneof(fc.constant('r'.repeat(101)), notAString) }),
              fc.record({ balance: notANumber }),
              fc.record({ message: fc.oneof(fc.constant('m'.repeat(501)), notAString) }),
              fc.record({ errorCode: fc.oneof(fc.constant('e'.repeat(65)), notAString) }),
            ),
            false,
          ),
        ],
      },
      targets,
    ),
    fc.tuple(transactionPath(''), queryField('callboxId', box, matches(CALLBOX_ID_PATTERN), CALLBOX_ID_MISSES, true).invalid, fc.boolean()).map(
      ([path, id, admin]) => ({
        endpoint: 'GET /api/call-box/transactions/{transactionId}',
        family: 'callbox' as const,
        method: 'GET',
        path: `${path}?callboxId=${enc(String(id))}`,
        headers: authHeaders(admin ? 'admin' : 'callbox', targets),
        why: 'refused callboxId',
      }),
    ),
    transactionPath('').chain((path) => bodilessRoute('GET /api/call-box/transactions/{transactionId}', 'GET', path, 'callbox-or-admin', targets)),
    jsonRoute(
      {
        endpoint: 'POST /api/call-box/transactions/{transactionId}/resolve',
        family: 'callbox',
        method: 'POST',
        path: transactionPath('/resolve'),
        audience: 'admin',
        fields: [
          field('outcome', 'failed', refusedString(oneOf(['completed', 'failed']), { nullable: false, nearMisses: ['FAILED', 'succeeded', 'needs_review'] }), true),
          field('note', 'checked', fc.oneof(fc.constant('n'.repeat(1001)), notAString), false),
        ],
      },
      targets,
    ),
    queryField('callboxId', box, matches(CALLBOX_ID_PATTERN), CALLBOX_ID_MISSES, true).invalid.map((v) => ({
      endpoint: 'GET /api/call-box/config',
      family: 'callbox' as const,
      method: 'GET',
      path: `/api/call-box/config?callboxId=${enc(String(v))}`,
      headers: authHeaders('callbox', targets),
      why: 'refused callboxId',
    })),
    bodilessRoute('GET /api/call-box/config', 'GET', '/api/call-box/config', 'callbox-or-admin', targets),
    jsonRoute(
      {
        endpoint: 'PUT /api/call-box/config',
        family: 'callbox',
        method: 'PUT',
        path: fc.constant('/api/call-box/config'),
        audience: 'admin',
        fields: [
          callboxId(false),
          field('maxRetries', 3, refusedInt(0, 10, { nullable: false }), false),
          field('timeoutMs', 30_000, refusedInt(1000, 3_600_000, { nullable: false }), false),
          field('batchSize', 5, refusedInt(1, 100, { nullable: false }), false),
          field('pollIntervalMs', 5000, refusedInt(500, 300_000, { nullable: false }), false),
        ],
      },
      targets,
    ),
    bodilessRoute('GET /api/call-box/stats', 'GET', '/api/call-box/stats', 'callbox-or-admin', targets),
    jsonRoute(
      {
        endpoint: 'POST /api/transaction/to-callbox',
        family: 'callbox',
        method: 'POST',
        path: fc.constant('/api/transaction/to-callbox'),
        audience: 'admin',
        fields: submitFields,
        badHeaders: idempotencyKey,
      },
      targets,
    ),
    bodilessRoute('GET /api/sync/status', 'GET', '/api/sync/status', 'admin', targets),
    fc.constantFrom('start', 'stop', 'force').chain((action) => bodilessRoute(`POST /api/sync/${action}`, 'POST', `/api/sync/${action}`, 'admin', targets)),
    bodilessRoute('GET /api/admin/pin-locks', 'GET', '/api/admin/pin-locks', 'admin', targets),
    bodilessRoute('DELETE /api/admin/pin-locks/{msisdn}', 'DELETE', '/api/admin/pin-locks/77123456', 'admin', targets),
    // The console's read-only routes: bad credentials (their query parameters are refused by e2e specs).
    bodilessRoute('GET /api/admin/transactions', 'GET', '/api/admin/transactions?status=pending&limit=10', 'admin', targets),
    bodilessRoute('GET /api/admin/transactions/export', 'GET', '/api/admin/transactions/export?phoneNumber=77123456', 'admin', targets),
    bodilessRoute('GET /api/admin/review-queue', 'GET', '/api/admin/review-queue', 'admin', targets),
    bodilessRoute('GET /api/admin/overview', 'GET', '/api/admin/overview', 'admin', targets),
    bodilessRoute('GET /api/admin/boxes', 'GET', '/api/admin/boxes', 'admin', targets),
    // Routes that do not exist, and wrong methods on ones that do.
    fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), anyString).map(([method, s]) => ({
      endpoint: 'unknown /api/call-box/*',
      family: 'callbox' as const,
      method,
      path: `/api/call-box/zz-${enc(s)}`,
      headers: authHeaders('callbox', targets),
      why: 'unknown route',
    })),
    fc.constantFrom('PATCH /api/call-box/register', 'DELETE /api/call-box/heartbeat', 'PATCH /api/call-box/transactions/submit', 'DELETE /api/sync/status', 'PATCH /api/transaction/to-callbox').map((line) => {
      const [method, path] = line.split(' ');
      return { endpoint: 'wrong method (CallBox)', family: 'callbox' as const, method, path, headers: authHeaders('callbox', targets), why: line };
    }),
  ];

  const topupRoute = (method: string, path: string, fields: Field[], extra?: JsonRoute['extra']) =>
    jsonRoute({ endpoint: `${method} ${path}`, family: 'topup', method, path: fc.constant(path), audience: null, fields, extra }, targets);
  const topupPathRoute = (pattern: string, prefix: string, accepts: (s: string) => boolean) =>
    fc.oneof(anyString, fc.constantFrom('7712345', '2112345', '+25377123456', '77 123456', '21/123456', '..', '%')).filter((s) => !accepts(s)).map((s) => ({
      endpoint: `GET ${pattern}`,
      family: 'topup' as const,
      method: 'GET',
      path: `${prefix}${enc(s)}`,
      headers: {},
      why: 'refused path parameter',
    }));
  const { msisdn, isdn, pincode, transactionId } = topupNumbers;
  const samePins = fc.tuple(MSISDN, fc.constantFrom('1234', '0000', '9999')).map(([m, pin]) => ({
    value: { msisdn: m, old_pin: pin, new_pin: pin },
    why: 'new_pin equal to old_pin',
  }));
  const topupRoutes: Array<fc.Arbitrary<BadRequest>> = [
    topupRoute('POST', '/api/topup/balances', [msisdn(), isdn()]),
    topupPathRoute('/api/topup/numbers/{msisdn}', '/api/topup/numbers/', matches(MSISDN_PATTERN)),
    topupRoute('POST', '/api/topup/numbers', [msisdn()]),
    topupPathRoute('/api/topup/status/{isdn}', '/api/topup/status/', matches(ISDN_PATTERN)),
    topupRoute('POST', '/api/topup/status', [isdn()]),
    topupRoute('POST', '/api/topup/packages', [msisdn(), isdn(), field('type', 1, refusedInt(1, 6, { nullable: false }), true)]),
    topupRoute('POST', '/api/topup/subscribe-package', [
      msisdn(),
      isdn(),
      field('package_code', 'EMPLOYE_2M', refusedString((s) => /^[A-Za-z0-9_]{1,50}$/.test(s), { nullable: false, nearMisses: ['EMPLOYE 2M', 'EMPLOYE-2M', 'P'.repeat(51)] }), true),
      pincode(),
      transactionId(),
    ]),
    topupRoute('POST', '/api/topup/recharge-account', [msisdn(), isdn(), field('amount', 1000, refusedInt(100, 50_000, { nullable: false }), true), pincode(), transactionId()]),
    topupRoute('PUT', '/api/topup/update-pin', [msisdn(), pincode('old_pin', true), field('new_pin', '5678', pincode('new_pin', true).invalid, true), transactionId()], [samePins]),
    topupRoute('POST', '/api/topup/directory/add', [msisdn(), isdn(), pincode(), transactionId()]),
    topupRoute('DELETE', '/api/topup/directory/remove', [msisdn(), isdn(), pincode(), transactionId()]),
    fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), anyString).map(([method, s]) => ({
      endpoint: 'unknown /api/topup/*',
      family: 'topup' as const,
      method,
      path: `/api/topup/zz-${enc(s)}`,
      headers: {},
      why: 'unknown route',
    })),
  ];
  return fc.oneof(...routes, ...topupRoutes);
}
