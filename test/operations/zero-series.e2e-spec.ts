import { simulatorOf } from '../topup/topup-api';
import { registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

const METRICS_TOKEN = 'metrics-token-0123456789';

/** Reads one sample of a Prometheus text exposition; null when the series does not exist. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

describe('Metrics from boot: the series the dashboard and the alerts read with rate() exist at zero', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true, env: { METRICS_TOKEN, MAX_RETRIES: '0', MAX_BATCH_SIZE: '10', TRANSACTION_TIMEOUT_MS: '3600000' } });
  });
  afterAll(async () => t.close());

  const scrape = async () => (await t.api.get('/metrics', { auth: { bearer: METRICS_TOKEN } })).body as string;

  it('shows SOAP outcomes, transitions, 5xx per route and PIN lockouts at zero before any traffic', async () => {
    const text = await scrape();
    for (const operation of ['getBalances', 'getMyNumbers', 'getStatusForRecharge', 'getPackages', 'executeCommand']) {
      for (const outcome of ['success', 'operator_refusal', 'network', 'timeout', 'fault', 'auth', 'http', 'breaker_open']) {
        expect(sample(text, `merecharge_soap_calls_total{operation="${operation}",outcome="${outcome}"}`)).toBe(0);
      }
    }
    for (const [from, to] of [['none', 'pending'], ['pending', 'assigned'], ['processing', 'failed'], ['processing', 'needs_review'], ['pending', 'expired'], ['needs_review', 'completed']]) {
      expect(sample(text, `merecharge_transaction_transitions_total{from="${from}",to="${to}"}`)).toBe(0);
    }
    expect(sample(text, 'merecharge_transaction_transitions_total{from="completed",to="pending"}')).toBeNull();
    for (const [method, route] of [['POST', '/api/call-box/transactions/submit'], ['PUT', '/api/call-box/transactions/:transactionId/status'], ['POST', '/api/topup/recharge-account'], ['GET', '/health/ready']]) {
      expect(sample(text, `http_responses_total{method="${method}",route="${route}",class="5xx"}`)).toBe(0);
    }
    expect(sample(text, 'merecharge_pin_lockouts_total{scope="address"}')).toBe(0);
    expect(sample(text, 'merecharge_pin_lockouts_total{scope="number"}')).toBe(0);
    expect(sample(text, 'merecharge_dispatcher_tick_items_total{step="assigned"}')).toBe(0);
    expect(sample(text, 'merecharge_dispatcher_tick_duration_seconds_count')).toBe(0);
    expect(sample(text, 'merecharge_callback_outbox_pending')).toBe(0);
  });

  it('counts the first burst of SOAP failures from that zero, the calls the open breaker refused included', async () => {
    const simulator = simulatorOf(t);
    await simulator.setFaults({ refuseConnections: true });
    for (let i = 0; i < 8; i++) await t.api.post('/api/topup/status', { isdn: '21123456' }, { auth: 'none' });
    await simulator.resetFaults();
    const text = await scrape();
    const network = sample(text, 'merecharge_soap_calls_total{operation="getStatusForRecharge",outcome="network"}')!;
    const refused = sample(text, 'merecharge_soap_calls_total{operation="getStatusForRecharge",outcome="breaker_open"}')!;
    expect(network).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    expect(sample(text, 'http_responses_total{method="POST",route="/api/topup/status",class="5xx"}')).toBe(8);
  });

  it('counts each box in one state only, so a stacked panel adds up to the fleet', async () => {
    const capabilities = { maxConcurrentTransactions: 10, supportedTypes: ['recharge'] };
    for (const box of ['callbox_001', 'callbox_002']) await t.api.post('/api/call-box/register', registration(box, { capabilities }));
    for (let i = 0; i < 5; i++) await t.api.post('/api/call-box/transactions/submit', rechargeSubmission({ payItemId: `ITEM_${i}` }));
    const held = (await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001&limit=10')).body.transactions as Array<{ id: string }>;
    // Five failures in a row: callbox_001 is degraded (connected, no new work).
    for (const tx of held) await t.api.put(`/api/call-box/transactions/${tx.id}/status`, { status: 'failed', callboxId: 'callbox_001' });
    await t.api.post('/api/sync/force', undefined, { auth: 'admin' });
    const text = await scrape();
    expect(sample(text, 'merecharge_callboxes{state="connected"}')).toBe(1);
    expect(sample(text, 'merecharge_callboxes{state="degraded"}')).toBe(1);
    expect(sample(text, 'merecharge_callboxes{state="disconnected"}')).toBe(0);
  });
});
