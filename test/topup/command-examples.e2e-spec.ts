import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from '../support/test-app';
import { expectStatus, expectTopUpError, lines, paths, simulatorOf, topUp, txId } from './topup-api';

/** The guide's one transaction_id, given to every command example of spec 004. */
const SPEC_ID = 'dtapp1642345678123456';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The README's TopUp walk-through, as curl lines: method, path under /api/topup, JSON body. */
function readmeWalkthrough(): Array<{ method: string; path: string; body?: unknown; line: string }> {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const block = /<!-- topup-walkthrough:start -->\n```bash\n([\s\S]*?)```\n<!-- topup-walkthrough:end -->/.exec(readme);
  if (!block) throw new Error('README: no topup-walkthrough block');
  return block[1]
    .split('\n')
    .filter((line) => line.startsWith('curl '))
    .map((line) => {
      const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
      const path = /\$T(\/\S+)/.exec(line)![1];
      const body = /-d '([^']*)'/.exec(line)?.[1];
      return { method, path, body: body === undefined ? undefined : JSON.parse(body), line };
    });
}

/**
 * Issue 15, point 13: the guide's command examples one after the other. Its single
 * transaction_id is refused after the first command with the guide's error body (`details`
 * included); the README's walk-through gives each command its own id and runs through; and the
 * guide's package workflow succeeds on the documented pair 77123456 / 21234567.
 */
describe('TopUp: the command examples in sequence', () => {
  let t: TestApp;
  let api: ReturnType<typeof topUp>;
  const simulator = () => simulatorOf(t);

  beforeAll(async () => {
    t = await createTestApp({ fakeClock: true });
    api = topUp(t.api);
  });
  beforeEach(async () => simulator().reset());
  afterAll(async () => t.close());

  describe("the guide's examples as written, all with dtapp1642345678123456", () => {
    it('after the first command, each other is a 409 TRANSACTION_ID_REUSED with the guide\'s error body and details', async () => {
      // Sections 6, 5, 8 and 7, as the guide writes their bodies.
      expectStatus(await api.post(paths.recharge, { msisdn: '77123456', isdn: '21123456', amount: 1000, pincode: '1234', transaction_id: SPEC_ID }), 200);
      const now = new Date(t.clock!.now()).toISOString();
      const others: Array<[string, () => ReturnType<typeof api.post>, Record<string, string>]> = [
        ['subscribe-package', () => api.post(paths.subscribe, { msisdn: '77123456', isdn: '21123456', package_code: 'EMPLOYE_2M', pincode: '1234', transaction_id: SPEC_ID }), { fixed_isdn: '21123456' }],
        ['directory/add', () => api.post(paths.directoryAdd, { msisdn: '77123456', isdn: '21123456', pincode: '1234', transaction_id: SPEC_ID }), { fixed_isdn: '21123456' }],
        ['update-pin', () => api.put(paths.updatePin, { msisdn: '77123456', old_pin: '1234', new_pin: '5678', transaction_id: SPEC_ID }), {}],
      ];
      for (const [route, send, line] of others) {
        const res = await send();
        expectTopUpError(res, 409, 'TRANSACTION_ID_REUSED');
        expect({ route, body: res.body }).toEqual({
          route,
          body: {
            erreur: 'Identifiant de transaction déjà utilisé',
            message: expect.stringMatching(/transaction_id/),
            returnCode: 'TRANSACTION_ID_REUSED',
            transaction_id: SPEC_ID,
            details: { mobile_msisdn: '77123456', ...line, error_source: 'GATEWAY', error_type: 'TRANSACTION_ID_REUSED', timestamp: now },
          },
        });
      }
      expect(simulator().executionsOf(SPEC_ID)).toBe(1);
      expect(simulator().mobileAccount('77123456')!.balance).toBe(4000);
    });

    it('a replay while the first runs: 409 TRANSACTION_IN_PROGRESS with details too', async () => {
      await simulator().setFaults({ latencyMs: 500 });
      const id = txId('inprog');
      const body = { msisdn: '77123456', isdn: '21123456', amount: 100, pincode: '1234', transaction_id: id };
      const first = api.post(paths.recharge, body);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = await api.post(paths.recharge, body);
      expectTopUpError(second, 409, 'TRANSACTION_IN_PROGRESS');
      expect(second.body.details).toMatchObject({ mobile_msisdn: '77123456', fixed_isdn: '21123456', error_source: 'GATEWAY', timestamp: expect.stringMatching(ISO) });
      expectStatus(await first, 200);
    });
  });

  it("the README's walk-through runs in order, every answer a 200, each command with its own id", async () => {
    // A fresh app: its journal must not know the guide's id from the specs above.
    const fresh = await createTestApp();
    try {
      await walkThrough(fresh);
    } finally {
      await fresh.close();
    }
  });

  async function walkThrough(app: TestApp): Promise<void> {
    const api = topUp(app.api);
    const simulator = () => simulatorOf(app);
    const steps = readmeWalkthrough();
    expect(steps.length).toBeGreaterThanOrEqual(10);
    const ids = steps.map((s) => (s.body as { transaction_id?: string } | undefined)?.transaction_id).filter(Boolean);
    // Only the replay line repeats an id, and it repeats the command just before it.
    expect(new Set(ids).size).toBe(ids.length - 1);
    for (const step of steps) {
      const res = await api[step.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](`/api/topup${step.path}`, step.body);
      expect({ line: step.line, status: res.status, body: res.body }).toMatchObject({ line: step.line, status: 200 });
    }
    // The recharge ran once though sent twice; EMPLOYE_2M was paid by 21234567: 3 000 -> 1 000.
    expect(simulator().mobileAccount('77123456')!.balance).toBe(4000);
    expect(simulator().fixedLineBalances(lines.workflow)!.COMMON!.value).toBe(1000);
  }

  it("the guide's package workflow succeeds on 77123456 / 21234567: status, packages, balances, subscribe EMPLOYE_2M", async () => {
    const status = await api.get(paths.statusOf(lines.workflow));
    expectStatus(status, 200);
    expect(status.body.status.eligible).toBe(true);
    const packages = await api.post(paths.packages, { msisdn: '77123456', isdn: lines.workflow, type: 1 });
    expectStatus(packages, 200);
    const selected = packages.body.packages.find((p: { package_code: string }) => p.package_code === 'EMPLOYE_2M');
    expect(selected).toMatchObject({ price: 2000, is_affordable: true });
    const balances = await api.post(paths.balances, { msisdn: '77123456', isdn: lines.workflow });
    expectStatus(balances, 200);
    const main = balances.body.balances.find((b: { type: string }) => b.type === 'money');
    expect(main.value).toBeGreaterThanOrEqual(selected.price);
    const id = txId('workflow');
    const subscription = await api.post(paths.subscribe, { msisdn: '77123456', isdn: lines.workflow, package_code: 'EMPLOYE_2M', pincode: '1234', transaction_id: id });
    expectStatus(subscription, 200);
    expect(subscription.body).toMatchObject({
      transaction_id: id,
      account_impact: { balance_before: 3000, amount_deducted: 2000, balance_after: 1000, formatted_balance_after: '1 000 DJF' },
    });
  });
});
