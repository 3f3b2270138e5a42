import { createHash } from 'node:crypto';
import { TRANSACTION_TYPES, TransactionType } from '../transactions/transaction';
import { databaseProblems, databaseSettings } from './database-settings';
import { Environment, EnvironmentProblem, parseEnvironment } from './environment';

/** The token printed in the CallBox spec: fine on a laptop, refused in production. */
export const SPEC_SAMPLE_CALLBOX_TOKEN = 'callbox-secure-token-2024';
const DEVELOPMENT_API_KEY = 'merecharge-dev-api-key-change-me';
/** The API key printed in the CallBox spec's Démarrage section: its own curl works on a laptop, never in production. */
export const SPEC_SAMPLE_API_KEY = 'votre_cle_api_secrete';
const DEVELOPMENT_PIN_HASH_KEY = 'merecharge-dev-pin-hash-key-change-me-in-production';

/**
 * SHA-256 of every sample secret printed in the spec documents (the CallBox token, the placeholder
 * API key and the operator's SOAP credentials). Kept as hashes so the operator's real-looking
 * credentials never appear in the code base, yet production still refuses them.
 */
const SAMPLE_SECRET_SHA256 = new Set([
  '2778147c4b2fdd4115df57a99548eb0613a22e39030857c66dac6af0c5c01b6d',
  '6c6cd89e0cf8b2f6cd51fd4b1ce68a67c7fecc7c578b014515dd4a7b087b3d78',
  '3ff84059e1556465ea88534fd4e28db10a8b95cee4a61c9b2f9e1bba1371bc6b',
  '81956911534ae506cf87213249aa4ff885a25aa94a66d5cd2038d7d39710434a',
  createHash('sha256').update(DEVELOPMENT_API_KEY).digest('hex'),
  createHash('sha256').update(DEVELOPMENT_PIN_HASH_KEY).digest('hex'),
]);

const isSampleSecret = (value: string) => SAMPLE_SECRET_SHA256.has(createHash('sha256').update(value).digest('hex'));

export type DatabaseSettings = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string; poolSize?: number };

export interface CallBoxDefaults {
  maxRetries: number;
  timeoutMs: number;
  batchSize: number;
  pollIntervalMs: number;
}

/** Typed, validated settings. Built once at boot; inject it, never read process.env elsewhere. */
export class AppConfig {
  readonly nodeEnv: Environment['NODE_ENV'];
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseSettings;
  /** SQLite: `thread` flushes the WAL off the event loop after a NORMAL commit; `full` keeps the fsync inside each COMMIT. */
  readonly sqliteSync: 'thread' | 'full';
  /** Boot: connection attempts, and the first wait between them (doubling, at most 10 s). */
  readonly databaseConnect: { attempts: number; retryMs: number };
  /** The fleet's shared token; null in production when only box-bound tokens (CALLBOX_TOKENS) are set. */
  readonly callboxToken: string | null;
  /** Box-bound tokens: token -> callboxId. */
  readonly boundCallboxTokens: ReadonlyMap<string, string>;
  readonly apiKey: string;
  /** Every key accepted as `x-api-key`: API_KEY, or without it (never in production) the development key and the spec's sample. */
  readonly apiKeys: readonly string[];
  readonly callboxDefaults: CallBoxDefaults;
  /** How long a long poll (`waitMs`) may be held; 0: long polling off. */
  readonly longPollMaxWaitMs: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly heartbeatTimeoutMs: number;
  /** A live box's hold on work it started; never shorter than the box's `timeoutMs`. */
  readonly processingHardLimitMs: number;
  readonly syncIntervalMs: number;
  readonly degradedCooldownMs: number;
  /** How long a box is not offered again work it gave back. */
  readonly handBackAvoidMs: number;
  /** How long pending work of each type may wait for a box before it expires. */
  readonly pendingTtlMs: Readonly<Record<TransactionType, number>>;
  readonly syncAutostartDelayMs: number;
  /** Where outcomes are POSTed (signed with callbackSecret); none means no callbacks. */
  readonly callback: { url: string; secret: string } | null;
  readonly topupSoap: { url?: string; username?: string; password?: string };
  /** After `volumeThreshold` calls in 10 s with half of them failing, answer 503 at once for `resetMs`. */
  readonly topupBreaker: { resetMs: number; volumeThreshold: number };
  readonly topupRateLimitPerMinute: number;
  /** Requests per minute per box (or token, or address) on the CallBox API and the main-system hook. */
  readonly rateLimitPerMinute: number;
  readonly mainRateLimitPerMinute: number;
  /** When set, /metrics wants `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null;
  readonly authFailureLimitPerMinute: number;
  /** Every TopUp request is answered within this (spec 004: 60 s). */
  readonly topupRequestTimeoutMs: number;
  /** Keys the PIN fingerprint stored with each TopUp command (see PIN_HASH_KEY). */
  readonly pinHashKey: string;
  /** Proxies whose X-Forwarded-For names the client (Fastify's trustProxy); null: the socket's address. */
  readonly trustProxy: string | null;
  /** `X-Debug: true` adds a `debug` object to TopUp answers; off by default in production. */
  readonly debugHeaderEnabled: boolean;
  /** Days final transactions stay in the database before `npm run archive` moves them out; null: kept for ever. */
  readonly retentionDays: number | null;
  readonly logLevel: string;
  readonly logFormat: 'json' | 'pretty';
  /** Said once at boot: sample secrets in use outside production and the like. */
  readonly warnings: string[];

  constructor(env: Environment, warnings: string[]) {
    this.nodeEnv = env.NODE_ENV;
    this.port = env.PORT;
    this.host = env.HOST;
    this.database = databaseSettings(env);
    this.sqliteSync = env.SQLITE_SYNC ?? 'thread';
    this.databaseConnect = { attempts: env.DATABASE_CONNECT_ATTEMPTS, retryMs: env.DATABASE_CONNECT_RETRY_MS };
    this.callboxToken = env.CALLBOX_TOKEN ?? (env.NODE_ENV === 'production' ? null : SPEC_SAMPLE_CALLBOX_TOKEN);
    this.boundCallboxTokens = new Map(
      (env.CALLBOX_TOKENS ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => {
          const [callboxId, token] = pair.split(':');
          return [token, callboxId] as const;
        }),
    );
    this.apiKey = env.API_KEY ?? DEVELOPMENT_API_KEY;
    this.apiKeys = env.API_KEY || env.NODE_ENV === 'production' ? [this.apiKey] : [DEVELOPMENT_API_KEY, SPEC_SAMPLE_API_KEY];
    this.callboxDefaults = {
      maxRetries: env.MAX_RETRIES,
      timeoutMs: env.TRANSACTION_TIMEOUT_MS,
      batchSize: env.MAX_BATCH_SIZE,
      pollIntervalMs: env.POLL_INTERVAL_MS,
    };
    this.longPollMaxWaitMs = env.LONG_POLL_MAX_WAIT_MS;
    this.retryBaseDelayMs = env.RETRY_BASE_DELAY_MS;
    this.retryMaxDelayMs = env.RETRY_MAX_DELAY_MS;
    this.heartbeatTimeoutMs = env.HEARTBEAT_TIMEOUT_MS;
    this.processingHardLimitMs = env.PROCESSING_HARD_LIMIT_MS;
    this.syncIntervalMs = env.SYNC_INTERVAL_MS;
    this.degradedCooldownMs = env.DEGRADED_COOLDOWN_MS;
    this.handBackAvoidMs = env.HAND_BACK_AVOID_MS;
    const overrides = new Map(
      (env.PENDING_TTL_BY_TYPE ?? '').split(',').filter(Boolean).map((pair) => pair.split(':') as [TransactionType, string]),
    );
    this.pendingTtlMs = Object.fromEntries(
      TRANSACTION_TYPES.map((type) => [type, overrides.has(type) ? Number(overrides.get(type)) : env.PENDING_TTL_MS]),
    ) as Record<TransactionType, number>;
    this.syncAutostartDelayMs = env.SYNC_AUTOSTART_DELAY_MS;
    this.callback = env.MAIN_CALLBACK_URL ? { url: env.MAIN_CALLBACK_URL, secret: env.CALLBACK_SECRET ?? '' } : null;
    this.topupSoap = { url: env.TOPUP_SOAP_URL, username: env.TOPUP_SOAP_USERNAME, password: env.TOPUP_SOAP_PASSWORD };
    this.topupBreaker = { resetMs: env.TOPUP_BREAKER_RESET_MS, volumeThreshold: env.TOPUP_BREAKER_MIN_CALLS };
    this.topupRateLimitPerMinute = env.TOPUP_RATE_LIMIT_PER_MINUTE;
    this.rateLimitPerMinute = env.RATE_LIMIT_PER_MINUTE;
    this.mainRateLimitPerMinute = env.MAIN_RATE_LIMIT_PER_MINUTE;
    this.metricsToken = env.METRICS_TOKEN ?? null;
    this.authFailureLimitPerMinute = env.AUTH_FAILURE_LIMIT_PER_MINUTE;
    this.topupRequestTimeoutMs = env.TOPUP_REQUEST_TIMEOUT_MS;
    this.pinHashKey = env.PIN_HASH_KEY ?? DEVELOPMENT_PIN_HASH_KEY;
    this.trustProxy = env.TRUST_PROXY ?? null;
    this.debugHeaderEnabled = (env.DEBUG_HEADER_ENABLED ?? (env.NODE_ENV === 'production' ? 'false' : 'true')) === 'true';
    this.retentionDays = env.RETENTION_DAYS ?? null;
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT ?? 'json';
    this.warnings = warnings;
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: EnvironmentProblem[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  - ${p.variable}: ${p.problems.join('; ')}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

function secretProblems(env: Environment): { problems: EnvironmentProblem[]; warnings: string[] } {
  const problems: EnvironmentProblem[] = [];
  const warnings: string[] = [];
  const secrets: Array<[keyof Environment, string | undefined, boolean]> = [
    // With box-bound tokens for the whole fleet, no shared token is needed (nor, then, accepted).
    ['CALLBOX_TOKEN', env.CALLBOX_TOKEN, !env.CALLBOX_TOKENS],
    ['API_KEY', env.API_KEY, true],
    ['TOPUP_SOAP_URL', env.TOPUP_SOAP_URL, true],
    ['TOPUP_SOAP_USERNAME', env.TOPUP_SOAP_USERNAME, true],
    ['TOPUP_SOAP_PASSWORD', env.TOPUP_SOAP_PASSWORD, true],
    // The metrics name boxes, volumes and failure rates: not for anyone who can reach the port.
    ['METRICS_TOKEN', env.METRICS_TOKEN, true],
    ['PIN_HASH_KEY', env.PIN_HASH_KEY, true],
  ];
  const boundTokens = (env.CALLBOX_TOKENS ?? '').split(',').filter(Boolean).map((pair) => pair.split(':')[1]);
  if (env.NODE_ENV === 'production') {
    for (const [name, value, required] of secrets) {
      if (required && !value) problems.push({ variable: name, problems: [`${name} is required in production`] });
      else if (value && isSampleSecret(value)) {
        problems.push({ variable: name, problems: [`${name} is a sample value printed in the spec; set a real secret`] });
      }
    }
    if (boundTokens.some(isSampleSecret)) {
      problems.push({ variable: 'CALLBOX_TOKENS', problems: ['CALLBOX_TOKENS contains a sample value printed in the spec'] });
    }
  } else {
    if (!env.CALLBOX_TOKEN) {
      warnings.push(`CALLBOX_TOKEN is not set: using the spec's sample token (${NODE_ENV_HINT}).`);
    }
    if (!env.API_KEY) {
      warnings.push(`API_KEY is not set: using a development key, and the spec's sample key is accepted too (${NODE_ENV_HINT}).`);
    }
    if (!env.PIN_HASH_KEY) warnings.push(`PIN_HASH_KEY is not set: using a development key (${NODE_ENV_HINT}).`);
  }
  if (env.MAIN_CALLBACK_URL && !env.CALLBACK_SECRET) {
    problems.push({ variable: 'CALLBACK_SECRET', problems: ['CALLBACK_SECRET is required when MAIN_CALLBACK_URL is set'] });
  }
  if (env.NODE_ENV === 'production' && env.CALLBACK_SECRET && isSampleSecret(env.CALLBACK_SECRET)) {
    problems.push({ variable: 'CALLBACK_SECRET', problems: ['CALLBACK_SECRET is a sample value printed in the spec'] });
  }
  // Without API_KEY (never in production) the development and sample keys are the admin keys.
  const adminKeys = env.API_KEY ? [env.API_KEY] : env.NODE_ENV === 'production' ? [] : [DEVELOPMENT_API_KEY, SPEC_SAMPLE_API_KEY];
  if (env.CALLBOX_TOKEN && adminKeys.includes(env.CALLBOX_TOKEN)) {
    problems.push(
      env.API_KEY
        ? { variable: 'API_KEY', problems: ['API_KEY must differ from CALLBOX_TOKEN'] }
        : { variable: 'CALLBOX_TOKEN', problems: ['CALLBOX_TOKEN must differ from the development and sample API keys (set API_KEY)'] },
    );
  }
  // A box-bound token that is also the admin key, the shared token or another box's token would let
  // one secret speak for two principals.
  if (boundTokens.some((token) => adminKeys.includes(token))) {
    problems.push({ variable: 'CALLBOX_TOKENS', problems: ['a box-bound token of CALLBOX_TOKENS must differ from API_KEY'] });
  }
  if (env.CALLBOX_TOKEN && boundTokens.includes(env.CALLBOX_TOKEN)) {
    problems.push({ variable: 'CALLBOX_TOKENS', problems: ['a box-bound token of CALLBOX_TOKENS must differ from CALLBOX_TOKEN'] });
  }
  if (new Set(boundTokens).size !== boundTokens.length) {
    problems.push({ variable: 'CALLBOX_TOKENS', problems: ['each box of CALLBOX_TOKENS needs a token of its own'] });
  }
  return { problems, warnings };
}

const NODE_ENV_HINT = 'refused when NODE_ENV=production';

/** Reads and validates the environment once; throws ConfigValidationError listing every problem. */
export function loadAppConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const { env, problems } = parseEnvironment(source);
  problems.push(...(problems.length > 0 ? [] : databaseProblems(env, source)));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  const secrets = secretProblems(env);
  if (secrets.problems.length > 0) throw new ConfigValidationError(secrets.problems);
  return new AppConfig(env, secrets.warnings);
}
