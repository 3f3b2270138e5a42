import { randomBytes } from 'node:crypto';
import { HttpResult } from '../reliability/support/http';
import { createApp, RELIABILITY_API_KEY, RELIABILITY_CALLBOX_TOKEN, SIMULATOR_PASSWORD, SIMULATOR_USERNAME, stopAll } from '../reliability/support/processes';
import { frameworkStringIn, isCallBoxErrorBody, isTopUpErrorBody, summarize } from './support/bodies';
import { AttackTally } from './support/tally';
import { engines, send, startTarget, Target } from './support/target';

/**
 * Hole 8, the low ones. Production (NODE_ENV=production, real-looking secrets) refuses to start
 * without METRICS_TOKEN, and with a box-bound token equal to API_KEY; with everything right it
 * starts and /metrics wants its token. A form-encoded body on a JSON route gets 415. No answer,
 * 404s and 429s included, carries a framework's own words (ThrottlerException, Cannot GET ...).
 * got_through = a production start that should have been refused, an open /metrics, a form body
 * not answered 415 (or outside its family's body), an answer with framework words.
 */
const ATTACK = 'low';
const LIMIT = 8;
const SHARED = { authorization: `Bearer ${RELIABILITY_CALLBOX_TOKEN}` };
const ADMIN = { 'x-api-key': RELIABILITY_API_KEY };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const secret = () => randomBytes(24).toString('hex');

describe.each(engines())(`Security: ${ATTACK} (%s)`, (engine) => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget(ATTACK, engine, {
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      TOPUP_RATE_LIMIT_PER_MINUTE: String(LIMIT),
      AUTH_FAILURE_LIMIT_PER_MINUTE: String(LIMIT),
    });
  }, 120_000);
  afterAll(async () => {
    await stopAll();
    await target?.db.drop();
  }, 30_000);

  it('production wants its secrets, JSON routes refuse forms, and no answer speaks the framework', async () => {
    const t = target;
    const tally = new AttackTally(ATTACK, engine);

    // Production starts.
    const prod = tally.variant('production-settings');
    const apiKey = secret();
    const metricsToken = secret();
    const production = (name: string, env: Record<string, string>) =>
      createApp({
        name,
        databaseUrl: t.db.url,
        env: {
          NODE_ENV: 'production',
          CALLBOX_TOKEN: secret(),
          API_KEY: apiKey,
          PIN_HASH_KEY: secret(),
          TOPUP_SOAP_URL: t.simulator.proc.soapUrl,
          TOPUP_SOAP_USERNAME: SIMULATOR_USERNAME,
          TOPUP_SOAP_PASSWORD: SIMULATOR_PASSWORD,
          ...env,
        },
      });
    /** Must exit while starting, saying why with one of `settings`. */
    const mustRefuse = async (what: string, settings: string[], env: Record<string, string>) => {
      const app = await production(`prod-${settings[0].toLowerCase()}`, env);
      prod.attempt();
      try {
        await app.start(30_000);
        prod.through(1, `production started ${what}`);
      } catch (error) {
        const output = String(error);
        if (!settings.some((setting) => output.includes(setting))) prod.through(1, `production refused ${what}, but not naming ${settings.join(' or ')}: ${output.slice(-400)}`);
      } finally {
        await app.stop();
      }
    };
    await mustRefuse('without METRICS_TOKEN', ['METRICS_TOKEN'], {});
    await mustRefuse('with a bound token equal to API_KEY', ['CALLBOX_TOKENS', 'API_KEY'], { METRICS_TOKEN: metricsToken, CALLBOX_TOKENS: `callbox_002:${apiKey}` });
    const good = await production('prod-good', { METRICS_TOKEN: metricsToken, CALLBOX_TOKENS: `callbox_002:${secret()}` });
    try {
      await good.start(30_000);
      prod.legit(true, 'production starts with every secret set');
      const open = await send(t.http, good.url, 'GET', '/metrics');
      prod.attempt();
      if (open.status === 200) prod.through(1, `/metrics answered without its token: ${summarize(open)}`);
      const scraped = await send(t.http, good.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${metricsToken}` } });
      prod.legit(scraped.status === 200, `/metrics with its token: ${summarize(scraped)}`);
    } catch (error) {
      prod.legit(false, `production did not start with every secret set: ${String(error).slice(-600)}`);
    } finally {
      await good.stop();
    }

    // Form-encoded bodies on JSON routes.
    const forms = tally.variant('form-encoded-body');
    const formCases: Array<[string, string, Record<string, string>, 'callbox' | 'topup']> = [
      ['POST', '/api/call-box/register', SHARED, 'callbox'],
      ['POST', '/api/call-box/transactions/submit', SHARED, 'callbox'],
      ['PUT', '/api/call-box/transactions/tx_form/status', SHARED, 'callbox'],
      ['POST', '/api/transaction/to-callbox', ADMIN, 'callbox'],
      ['PUT', '/api/call-box/config', ADMIN, 'callbox'],
      ['POST', '/api/topup/balances', {}, 'topup'],
      ['POST', '/api/topup/recharge-account', {}, 'topup'],
      ['PUT', '/api/topup/update-pin', {}, 'topup'],
      ['DELETE', '/api/topup/directory/remove', {}, 'topup'],
    ];
    for (const [method, path, headers, family] of formCases) {
      const res = await send(t.http, t.app.url, method, path, { headers: { ...headers, ...FORM }, raw: 'msisdn=77123456&isdn=21123456&callboxId=callbox_x&status=active' });
      forms.attempt();
      const ownBody = family === 'callbox' ? isCallBoxErrorBody(res.body) : isTopUpErrorBody(res.body);
      if (res.status !== 415 || !ownBody) forms.through(1, `${method} ${path} with a form: ${summarize(res)}`);
    }

    // Framework words in any answer: unknown routes and methods, and every kind of 429.
    const words = tally.variant('framework-strings');
    const answers: Array<[string, HttpResult]> = [];
    const ask = async (method: string, path: string, headers: Record<string, string> = {}, json?: unknown) => {
      answers.push([`${method} ${path}`, await send(t.http, t.app.url, method, path, { headers, json })]);
    };
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['POST', '/api/nope'],
      ['GET', '/api/topup/nope'],
      ['POST', '/api/call-box/nope'],
      ['PUT', '/api/topup/balances'],
      ['DELETE', '/api/call-box/register'],
      ['GET', '/nope'],
    ]) {
      await ask(method, path, {}, method === 'GET' ? undefined : {});
    }
    for (let i = 0; i < LIMIT + 4; i++) await ask('GET', '/api/topup/status/21123456');
    for (let i = 0; i < LIMIT + 4; i++) await ask('GET', '/api/call-box/stats', SHARED);
    for (let i = 0; i < LIMIT + 4; i++) await ask('GET', '/api/call-box/stats', { authorization: 'Bearer wrong-token-000000000000000' });
    const throttled = answers.filter(([, res]) => res.status === 429).length;
    for (const [what, res] of answers) {
      words.attempt();
      const word = frameworkStringIn(res);
      if (word) words.through(1, `${what} says "${word}": ${summarize(res)}`);
    }
    process.stdout.write(`[security]     framework-strings: ${answers.length} answers, ${throttled} of them 429\n`);

    tally.printAndExpectClean();
    expect(throttled).toBeGreaterThan(0);
  }, 120_000);
});
