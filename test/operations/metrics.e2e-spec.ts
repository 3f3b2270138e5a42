import { simulatorOf } from '../topup/topup-api';
import { registration, rechargeSubmission } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

const METRICS_TOKEN = 'metrics-token-0123456789';

describe('Prometheus metrics (GET /metrics)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true, env: { METRICS_TOKEN, MAX_RETRIES: '0' } });
  });
  afterAll(async () => t.close());

  const scrape = async () => {
    const res = await t.api.get('/metrics', { auth: { bearer: METRICS_TOKEN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.body as string;
  };

  it('wants the METRICS_TOKEN when one is set', async () => {
    expect((await t.api.get('/metrics', { auth: 'none' })).status).toBe(401);
    expect((await t.api.get('/metrics', { auth: { bearer: 'not-the-metrics-token' } })).status).toBe(401);
    expect((await t.api.get('/metrics', { auth: 'callbox' })).status).toBe(401);
  });

  it('exposes every metric the operations team relies on, after some traffic', async () => {
    await t.api.post('/api/call-box/register', registration('callbox_001'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.api.post('/api/call-box/transactions/submit', rechargeSubmission())).body.transaction.id);
    await t.api.get('/api/call-box/transactions/pending?callboxId=callbox_001');
    await t.api.put(`/api/call-box/transactions/${ids[0]}/status`, { status: 'completed', callboxId: 'callbox_001' });
    await t.api.put(`/api/call-box/transactions/${ids[1]}/status`, { status: 'failed', callboxId: 'callbox_001' });
    await t.api.post('/api/sync/force', undefined, { auth: 'admin' });
    await t.api.post('/api/topup/balances', { msisdn: '77123456', isdn: '21123456' }, { auth: 'none' });
    for (let i = 0; i < 5; i++) {
      await t.api.post('/api/topup/directory/add', { msisdn: '77123456', isdn: '21000453', pincode: '9999' }, { auth: 'none' });
    }

    const text = await scrape();
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/call-box\/transactions\/submit",status="200"\} 3/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="PUT",route="\/api\/call-box\/transactions\/:transactionId\/status",status="200"\} 2/);
    expect(text).toMatch(/merecharge_transactions\{status="pending"\} 0/);
    expect(text).toMatch(/merecharge_transactions\{status="assigned"\} 1/);
    expect(text).toMatch(/merecharge_transactions\{status="completed"\} 1/);
    expect(text).toMatch(/merecharge_transactions\{status="failed"\} 1/);
    expect(text).toMatch(/merecharge_transaction_transitions_total\{from="none",to="pending"\} 3/);
    expect(text).toMatch(/merecharge_transaction_transitions_total\{from="pending",to="assigned"\} 3/);
    expect(text).toMatch(/merecharge_transaction_transitions_total\{from="assigned",to="completed"\} 1/);
    expect(text).toMatch(/merecharge_dispatcher_tick_duration_seconds_count 1/);
    expect(text).toMatch(/merecharge_callboxes\{state="connected"\} 1/);
    expect(text).toMatch(/merecharge_callboxes\{state="disconnected"\} 0/);
    expect(text).toMatch(/merecharge_soap_call_duration_seconds_count\{operation="getBalances",outcome="success"\} 1/);
    expect(text).toMatch(/merecharge_soap_call_duration_seconds_count\{operation="executeCommand",outcome="operator_refusal"\} 5/);
    expect(text).toMatch(/merecharge_soap_breaker_state 0/);
    expect(text).toMatch(/merecharge_pin_lockouts_total\{scope="address"\} 1/);
    // The event loop's delay over the last minute: sampled, a number of seconds (never NaN or absent).
    expect(text).toMatch(/^merecharge_event_loop_delay_max_seconds \d+(\.\d+)?(e-?\d+)?$/m);
    expect(text).toMatch(/^merecharge_event_loop_delay_p99_seconds \d+(\.\d+)?(e-?\d+)?$/m);
  });

  it('counts a box whose heartbeat word keeps it from work as not_active, never connected', async () => {
    await t.api.post('/api/call-box/register', registration('callbox_002'));
    await t.api.post('/api/sync/force', undefined, { auth: 'admin' });
    expect(await scrape()).toMatch(/merecharge_callboxes\{state="connected"\} 2/);
    // A typo or an unknown word: the box takes no work, so it must not look like capacity.
    const beat = await t.api.post('/api/call-box/heartbeat', { callboxId: 'callbox_002', status: 'online' });
    expect(beat.status).toBe(200);
    await t.api.post('/api/sync/force', undefined, { auth: 'admin' });
    const text = await scrape();
    expect(text).toMatch(/merecharge_callboxes\{state="connected"\} 1/);
    expect(text).toMatch(/merecharge_callboxes\{state="not_active"\} 1/);
    expect(text).toMatch(/merecharge_callboxes\{state="degraded"\} 0/);
  });

  it('shows the breaker open while the operator is down', async () => {
    const simulator = simulatorOf(t);
    await simulator.setFaults({ refuseConnections: true });
    for (let i = 0; i < 6; i++) await t.api.post('/api/topup/status', { isdn: '21123456' }, { auth: 'none' });
    expect(await scrape()).toMatch(/merecharge_soap_breaker_state 2/);
    await simulator.resetFaults();
  });
});
