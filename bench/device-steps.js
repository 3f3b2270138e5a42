/**
 * CPU time of the device path's per-request steps (auth guard, rate-limit guard, access-log hook)
 * of two builds in one process, alternating, each step called 100 000 times (N) per round with the
 * contexts Nest gives it, the minimum of 5 rounds (process.cpuUsage: a loaded machine inflates it
 * far less than a wall-clock profile). Usage, after `npm run build` of each side:
 *   node bench/device-steps.js <old dist dir> [<new dist dir> (default dist)]
 */
require('reflect-metadata');
const { resolve } = require('node:path');
const { Reflector } = require('@nestjs/core');
const { ExecutionContextHost } = require('@nestjs/core/helpers/execution-context-host');
const pino = require('pino');
const DIRS = { old: resolve(process.argv[2] ?? 'dist'), new: resolve(process.argv[3] ?? 'dist') };
const D = (side, path) => require(`${DIRS[side]}/src/${path}`);
const TOKEN = 'bench-callbox-token-0123456789';
const env = { CALLBOX_TOKEN: TOKEN, API_KEY: 'bench-admin-api-key-0123456789', RATE_LIMIT_PER_MINUTE: '1000000', MAIN_RATE_LIMIT_PER_MINUTE: '10000000', TOPUP_RATE_LIMIT_PER_MINUTE: '1000000' };

/** Builds before 36ccb3d did not export the throttlers' options: the same three, as they were. */
function throttlerOptionsOld(config, keys, Storage) {
  const requestOf = (c) => c.switchToHttp().getRequest();
  const isCallBoxCall = (c) => keys.isCallBoxFamily(requestOf(c)) && requestOf(c).principal?.kind === 'callbox';
  const isMainCall = (c) => keys.isCallBoxFamily(requestOf(c)) && requestOf(c).principal?.kind === 'admin';
  return { storage: new Storage(), throttlers: [
    { name: 'callbox', ttl: 60000, limit: config.rateLimitPerMinute, skipIf: (c) => !isCallBoxCall(c), getTracker: (r) => keys.callboxRateKey(r) },
    { name: 'main', ttl: 60000, limit: config.mainRateLimitPerMinute, skipIf: (c) => !isMainCall(c), getTracker: (r) => keys.callboxRateKey(r) },
    { name: 'topup', ttl: 60000, limit: config.topupRateLimitPerMinute, skipIf: (c) => !keys.isTopUp(requestOf(c)), getTracker: (r) => keys.topUpRateKey(r) },
  ] };
}

async function setup(side) {
  const config = D(side, 'config/app-config').loadAppConfig(env);
  const reflector = new Reflector();
  const { ApiThrottlerGuard } = D(side, 'common/throttling/api-throttler.guard');
  const { SlidingWindowThrottlerStorage } = D(side, 'common/throttling/sliding-window.storage');
  const module = D(side, 'common/throttling/throttling.module');
  const options = !module.throttlerOptions ? throttlerOptionsOld(config, D(side, 'common/throttling/rate-limit-keys'), SlidingWindowThrottlerStorage) : module.throttlerOptions(config);
  const throttler = new ApiThrottlerGuard(options, options.storage, reflector);
  await throttler.onModuleInit();
  const { AuthGuard } = D(side, 'common/auth/auth.guard');
  const { Credentials } = D(side, 'common/auth/credentials');
  const { AuthFailureBudget } = D(side, 'common/auth/auth-failure-budget');
  const auth = new AuthGuard(reflector, new Credentials(config), new AuthFailureBudget(config));
  const { CallBoxTransactionsController } = D(side, 'callbox/transactions/callbox-transactions.controller');
  const { CallBoxRegistryController } = D(side, 'callbox/registry/callbox-registry.controller');
  const { MainSystemController } = D(side, 'callbox/transactions/main-system.controller');
  let hook;
  D(side, 'common/logging/access-log').registerAccessLog({ addHook: (_n, fn) => (hook = fn) }, () => root);
  return { throttler, auth, hook, routes: {
    idle_poll: [CallBoxTransactionsController, CallBoxTransactionsController.prototype.pending, '/api/call-box/transactions/pending', 'GET'],
    heartbeat: [CallBoxRegistryController, CallBoxRegistryController.prototype.heartbeat, '/api/call-box/heartbeat', 'POST'],
    submit: [MainSystemController, Object.values(Object.getOwnPropertyDescriptors(MainSystemController.prototype)).map((d) => d.value).find((f) => typeof f === 'function' && f.name !== 'constructor'), '/api/transaction/to-callbox', 'POST'],
  } };
}
const root = pino(D('new', 'common/logging/root-logger').logOptions('info'), { write() {} });

function contextFor(route, i) {
  const [cls, handler, url, method] = route;
  const admin = url.startsWith('/api/transaction');
  const request = { url, method, id: `req-${i}`, ip: '127.0.0.1', routeOptions: { url }, headers: admin ? { 'x-api-key': env.API_KEY } : { authorization: `Bearer ${TOKEN}` },
    query: { callboxId: `callbox_${i % 100}` }, body: { callboxId: `callbox_${i % 100}` }, params: {} };
  const reply = { statusCode: 200, elapsedTime: 1.234, header() { return this; } };
  return { request, reply, context: new ExecutionContextHost([request, reply, () => {}], cls, handler) };
}

function cpu(fn, n) { const s = process.cpuUsage(); return fn(n).then(() => { const d = process.cpuUsage(s); return (d.user + d.system) / n; }); }

(async () => {
  const sides = { old: await setup('old'), new: await setup('new') };
  const N = Number(process.env.N ?? 100000);
  const result = {};
  for (let round = 0; round < 5; round++) {
    for (const side of ['old', 'new']) {
      const s = sides[side];
      for (const [name, route] of Object.entries(s.routes)) {
        const prepared = Array.from({ length: 1000 }, (_, i) => contextFor(route, i));
        const authUs = await cpu(async (n) => { for (let i = 0; i < n; i++) { const c = prepared[i % 1000]; s.auth.canActivate(c.context); } }, N);
        const throttleUs = await cpu(async (n) => { for (let i = 0; i < n; i++) await s.throttler.canActivate(prepared[i % 1000].context); }, N);
        const logUs = await cpu(async (n) => { for (let i = 0; i < n; i++) { const c = prepared[i % 1000]; s.hook(c.request, c.reply, () => {}); } }, N);
        for (const [step, us] of [['auth', authUs], ['rate limit', throttleUs], ['access log', logUs]]) {
          const key = `${name} ${step} ${side}`;
          result[key] = Math.min(result[key] ?? Infinity, us);
        }
      }
    }
  }
  for (const [k, v] of Object.entries(result)) console.log(k.padEnd(30), v.toFixed(2));
})();
