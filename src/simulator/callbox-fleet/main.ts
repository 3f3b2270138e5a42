/**
 * `npm run simulate:callboxes -- --count 20 --base-url http://localhost:3000 [--latency-ms 2000] [--fail-rate 0.05]
 *   [--wait-ms 20000 | --no-long-poll]`
 * Long-polls by default (`waitMs`, capped by the server's config.longPollMaxWaitMs); `--no-long-poll`
 * polls every pollIntervalMs as older firmware does. Runs a fleet of simulated CallBoxes until Ctrl-C, printing what it did every 5 seconds.
 */
import { parseArgs } from 'node:util';
import { CallBoxFleet } from './fleet';

const { values } = parseArgs({
  allowNegative: true,
  options: {
    count: { type: 'string', default: '10' },
    'base-url': { type: 'string', default: 'http://localhost:3000' },
    'latency-ms': { type: 'string', default: '1000' },
    'fail-rate': { type: 'string', default: '0' },
    'poll-interval-ms': { type: 'string' },
    // Long polling is the default; --no-long-poll polls every pollIntervalMs as before.
    'long-poll': { type: 'boolean', default: true },
    'wait-ms': { type: 'string' },
    token: { type: 'string', default: process.env.CALLBOX_TOKEN ?? 'callbox-secure-token-2024' },
    prefix: { type: 'string', default: 'sim' },
  },
});

const number = (name: string, value: string | undefined, min: number, max: number): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return n;
};

async function main(): Promise<void> {
  const fleet = new CallBoxFleet({
    count: number('count', values.count, 1, 5000),
    baseUrl: values['base-url']!.replace(/\/$/, ''),
    token: values.token!,
    latencyMs: number('latency-ms', values['latency-ms'], 0, 600_000),
    failRate: number('fail-rate', values['fail-rate'], 0, 1),
    pollIntervalMs: values['poll-interval-ms'] ? number('poll-interval-ms', values['poll-interval-ms'], 10, 600_000) : undefined,
    idPrefix: values.prefix,
    longPollWaitMs: values['long-poll'] ? (values['wait-ms'] ? number('wait-ms', values['wait-ms'], 1, 25_000) : undefined) : false,
  });
  await fleet.start();
  console.log(`${values.count} simulated CallBoxes running against ${values['base-url']} (Ctrl-C to stop)`);
  const report = setInterval(() => console.log(JSON.stringify({ at: new Date().toISOString(), ...fleet.counters })), 5000);
  const stop = async () => {
    clearInterval(report);
    await fleet.stop();
    console.log(JSON.stringify({ stopped: true, ...fleet.counters }));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
